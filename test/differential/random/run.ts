// Shared by the fuzz CLI and random.test.ts: generate sequences, build one
// image, run it on QEMU and in the lab (or twice on QEMU), compare.
import { consoleText, runBytesOnQemu } from '../../support/guest-run';
import type { RunElf } from '../../support/lab';
import { compareRuns, parseRun, type ParsedRun, type RunComparison } from './dump';
import { generateSequence, sequenceSeed, type Sequence } from './generator';
import { buildImage, type Image } from './image';

export interface BatchOptions {
  seed: number;
  count: number;
  length: number;
  /** Only these sequence indexes (replay). */
  only?: number[];
}

export interface Batch {
  seqs: Sequence[];
  image: Image;
  length: number;
}

export function makeBatch(o: BatchOptions): Batch {
  const indexes = o.only ?? Array.from({ length: o.count }, (_, i) => i);
  const seqs = indexes.map((i) => generateSequence(i, sequenceSeed(o.seed, i), { length: o.length }));
  return { seqs, image: buildImage(seqs), length: o.length };
}

export interface BatchResult {
  qemu: ParsedRun;
  other: ParsedRun;
  otherName: 'lab' | 'qemu-rerun';
  comparison: RunComparison;
  qemuMs: number;
  problems: string[];
}

/**
 * Runs the batch on QEMU and compares with the lab's runElf, or, without
 * the lab, with a second QEMU run (the generator's determinism check).
 */
export async function runBatch(b: Batch, seed: number, runElf?: RunElf): Promise<BatchResult> {
  const problems: string[] = [];
  const t0 = Date.now();
  const q = await runBytesOnQemu(b.image.elf, { timeoutMs: 60_000 });
  const qemuMs = Date.now() - t0;
  if (q.timedOut) problems.push('QEMU timed out');
  if (q.status !== 0) problems.push(`QEMU exit status ${q.status}: ${q.stderr.trim()}`);
  const qemu = parseRun(consoleText(q.console));
  if (qemu.dumps.size !== b.seqs.length) problems.push(`QEMU printed ${qemu.dumps.size} of ${b.seqs.length} dumps`);
  let other: ParsedRun;
  let otherName: BatchResult['otherName'];
  if (runElf) {
    const r = runElf(b.image.elf, { maxInsns: 50_000_000 + 20_000 * b.seqs.length });
    if (r.reason !== 'reset') problems.push(`lab stopped: ${r.reason}${r.message ? ` (${r.message})` : ''} after ${r.insns} instructions`);
    other = parseRun(consoleText(r.console));
    otherName = 'lab';
  } else {
    const q2 = await runBytesOnQemu(b.image.elf, { timeoutMs: 60_000 });
    other = parseRun(consoleText(q2.console));
    otherName = 'qemu-rerun';
  }
  const comparison = compareRuns(b.seqs, qemu, other, seed, b.image.seqAddr, ['qemu', otherName], 3, b.length);
  // Anything printed outside the dumps (an interrupt handler's "EXC" line, say) is a failure, not a footnote.
  for (const [name, run] of [['QEMU', qemu], [otherName, other]] as const) {
    if (run.stray.length) problems.push(`${name} printed ${run.stray.length} line(s) outside the dumps: ${run.stray.slice(0, 3).join(' | ')}`);
  }
  return { qemu, other, otherName, comparison, qemuMs, problems };
}
