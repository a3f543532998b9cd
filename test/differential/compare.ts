// Byte-for-byte console comparison with a readable report of the first
// differing line.

export interface ConsoleDiff {
  /** 1-based line number of the first difference. */
  line: number;
  /** Byte offset of the first differing byte. */
  offset: number;
  report: string;
}

function show(line: string | undefined): string {
  if (line === undefined) return '<end of output>';
  // Make control characters visible (the guests print \r\n).
  return JSON.stringify(line.replace(/\r$/, '')).slice(1, -1);
}

/**
 * Compares two consoles (as Latin-1 text). Returns undefined when they are
 * identical, otherwise the first differing line with `context` lines of
 * common output before it.
 */
export function diffConsoles(expected: string, actual: string, context = 4,
  names: [string, string] = ['qemu', 'lab']): ConsoleDiff | undefined {
  if (expected === actual) return undefined;
  let offset = 0;
  const n = Math.min(expected.length, actual.length);
  while (offset < n && expected.charCodeAt(offset) === actual.charCodeAt(offset)) offset++;
  const before = expected.slice(0, offset);
  const lineIndex = before.split('\n').length - 1;
  const exp = expected.split('\n');
  const act = actual.split('\n');
  const out: string[] = [];
  out.push(`consoles differ at line ${lineIndex + 1}, byte ${offset} ` +
    `(${names[0]} ${expected.length} bytes, ${names[1]} ${actual.length} bytes)`);
  for (let i = Math.max(0, lineIndex - context); i < lineIndex; i++) out.push(`    ${i + 1}: ${show(exp[i])}`);
  out.push(`  - ${names[0]}: ${show(exp[lineIndex])}`);
  out.push(`  + ${names[1]}: ${show(act[lineIndex])}`);
  const col = offset - (before.lastIndexOf('\n') + 1);
  out.push(`    ${' '.repeat(names[0].length + 2)}${' '.repeat(col)}^ column ${col + 1}`);
  for (let i = lineIndex + 1; i < Math.min(exp.length, lineIndex + 3); i++) {
    out.push(`  - ${names[0]} ${i + 1}: ${show(exp[i])}`);
    out.push(`  + ${names[1]} ${i + 1}: ${show(act[i])}`);
  }
  return { line: lineIndex + 1, offset, report: out.join('\n') };
}
