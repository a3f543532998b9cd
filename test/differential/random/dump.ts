// Parsing the per-sequence register dumps printed by the random images,
// comparing two runs, and listing a failing sequence so it can be replayed.
import type { Sequence } from './generator';
import { BASE_REG } from './generator';
import { SCRATCH } from './image';

export interface SeqDump {
  index: number;
  sum: string;
  gpr: string[];
  /** cr, xer, lr, ctr, fpscr */
  ctl: string[];
  fpr: string[];
  /** The raw lines, for reports. */
  text: string;
}

export interface ParsedRun {
  dumps: Map<number, SeqDump>;
  /** Lines that are not part of a dump (e.g. "EXC ..." from an unexpected interrupt). */
  stray: string[];
}

export function parseRun(console: string): ParsedRun {
  const dumps = new Map<number, SeqDump>();
  const stray: string[] = [];
  const lines = console.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const m = /^S([0-9a-f]{8}) ([0-9a-f]{8})$/.exec(l);
    if (!m) {
      if (l.length > 0) stray.push(l);
      continue;
    }
    const g = lines[i + 1] ?? '';
    const c = lines[i + 2] ?? '';
    const f = lines[i + 3] ?? '';
    if (!g.startsWith('G ') || !c.startsWith('C ') || !f.startsWith('F ')) {
      stray.push(l);
      continue;
    }
    const index = parseInt(m[1]!, 16);
    dumps.set(index, {
      index,
      sum: m[2]!,
      gpr: g.slice(2).split(' '),
      ctl: c.slice(2).split(' '),
      fpr: f.slice(2).split(' '),
      text: [l, g, c, f].join('\n'),
    });
    i += 3;
  }
  return { dumps, stray };
}

const CTL = ['cr', 'xer', 'lr', 'ctr', 'fpscr'];

/** Names and values of the fields that differ between two dumps. */
export function dumpDifferences(a: SeqDump, b: SeqDump): string[] {
  const out: string[] = [];
  if (a.sum !== b.sum) out.push(`scratch checksum ${a.sum} vs ${b.sum}`);
  for (let n = 0; n < 32; n++) if (a.gpr[n] !== b.gpr[n]) out.push(`r${n} ${a.gpr[n]} vs ${b.gpr[n]}`);
  for (let n = 0; n < 5; n++) if (a.ctl[n] !== b.ctl[n]) out.push(`${CTL[n]} ${a.ctl[n]} vs ${b.ctl[n]}`);
  for (let n = 0; n < 32; n++) if (a.fpr[n] !== b.fpr[n]) out.push(`f${n} ${a.fpr[n]} vs ${b.fpr[n]}`);
  return out;
}

const h8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** A replayable description: seeds, initial state and the instruction listing. */
export function listSequence(s: Sequence, runSeed: number, addr?: number, length?: number): string {
  const out: string[] = [];
  out.push(`sequence ${s.index} (run seed ${runSeed}, sequence seed ${s.seed}; ` +
    `replay: npm run fuzz -- --seed ${runSeed} --only ${s.index} --length ${length ?? '<same>'})`);
  out.push(`initial state (r${BASE_REG} = scratch page 0x${h8(SCRATCH)}, filled by xorshift32 from 0x${h8(s.state.memSeed)}):`);
  const g = s.state.gpr.map((v, n) => `r${n}=${h8(n === BASE_REG ? SCRATCH : v)}`);
  for (let i = 0; i < 32; i += 8) out.push(`  ${g.slice(i, i + 8).join(' ')}`);
  out.push(`  cr=${h8(s.state.cr)} xer=${h8(s.state.xer)} lr=${h8(s.state.lr)} ctr=${h8(s.state.ctr)} fpscr=${h8(s.state.fpscr)}`);
  const f = s.state.fpr.map((v, n) => `f${n}=${v.toString(16).padStart(16, '0')}`);
  for (let i = 0; i < 32; i += 4) out.push(`  ${f.slice(i, i + 4).join(' ')}`);
  out.push('instructions (address: word  assembly):');
  s.insns.forEach((ins, k) => {
    const at = addr !== undefined ? `${h8(addr + 4 * k)}: ` : '';
    out.push(`  ${at}${h8(ins.word)}  ${ins.text}`);
  });
  return out.join('\n');
}

export interface RunComparison {
  /** Sequence indexes whose dumps differ or are missing on one side. */
  failing: number[];
  report: string;
}

/**
 * Compares the dumps of `expected` (QEMU) and `actual` for the given
 * sequences. The report lists up to `maxReports` failing sequences in full.
 */
export function compareRuns(seqs: Sequence[], expected: ParsedRun, actual: ParsedRun, runSeed: number,
  seqAddr: number[], names: [string, string] = ['qemu', 'lab'], maxReports = 3, length?: number): RunComparison {
  const failing: number[] = [];
  const parts: string[] = [];
  seqs.forEach((s, k) => {
    const a = expected.dumps.get(s.index);
    const b = actual.dumps.get(s.index);
    let why: string[];
    if (!a || !b) why = [`dump missing from ${!a ? names[0] : names[1]}`];
    else why = dumpDifferences(a, b);
    if (why.length === 0) return;
    failing.push(s.index);
    if (failing.length > maxReports) return;
    parts.push(`--- sequence ${s.index}: ${why.slice(0, 12).join('; ')}${why.length > 12 ? '; ...' : ''}`);
    parts.push(listSequence(s, runSeed, seqAddr[k], length));
    if (a) parts.push(`${names[0]}:\n${a.text}`);
    if (b) parts.push(`${names[1]}:\n${b.text}`);
  });
  for (const [name, run] of [[names[0], expected], [names[1], actual]] as const) {
    if (run.stray.length) parts.push(`${name} printed outside the dumps: ${run.stray.slice(0, 5).join(' | ')}`);
  }
  const head = failing.length
    ? `${failing.length} of ${seqs.length} sequences differ (first: ${failing.slice(0, 10).join(', ')})`
    : `all ${seqs.length} sequences match`;
  return { failing, report: [head, ...parts].join('\n') };
}
