// Random differential testing in CI: a few hundred seeded random sequences
// in one image, run on QEMU and in the lab, compared per sequence. Without
// the lab the image runs twice on QEMU (the generator must never produce
// undefined results). Larger runs: npm run fuzz -- --count N --seed S.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../support/lab';
import { qemuAvailable } from '../support/qemu';
import { compareRuns, parseRun } from './random/dump';
import { generateSequence, sequenceSeed } from './random/generator';
import * as P from './random/ppc';
import { makeBatch, runBatch } from './random/run';
import { missing } from '../support/tools';

const SEED = 20240611;
const COUNT = 300;
const LENGTH = 40;
const runElf = await loadLab();

describe('random instruction sequences', () => {
  it('encodes instructions like the assembler does (known words)', () => {
    const cases: [P.Insn, number][] = [
      [P.xo('add', 3, 4, 5, 0, 0), 0x7c642a14],
      [P.xo('subfe', 3, 4, 5, 1, 1), 0x7c642d11],
      [P.xo('neg', 7, 8, 0, 1, 0), 0x7ce804d0],
      [P.rlwinm(3, 4, 5, 6, 7), 0x5483298e],
      [P.isel(3, 0, 5, 2), 0x7c60289e],
      [P.mfocrf(3, 0x10), 0x7c710026],
      [P.dmem('lwzu', 3, -4, 5), 0x8465fffc],
      [P.xmem('stwbrx', 6, 0, 7), 0x7cc03d2c],
      [P.fpA('fmadd', true, 1, 2, 3, 4, 1), 0xec22193b],
      [P.fpX('fctiwz', 1, 2, 0), 0xfc20101e],
      [P.mtfsf(0xf8, 3), 0xfdf01d8e],
      [P.mcrfs(2, 4), 0xfd100080],
      [P.mtspr(P.SPR.XER, 9), 0x7d2103a6],
    ];
    for (const [ins, word] of cases) expect(ins.word.toString(16), ins.text).toBe(word.toString(16));
  });

  const as = spawnSync('powerpc-linux-gnu-as', ['--version']);
  it.skipIf(missing('powerpc-linux-gnu-as', as.error === undefined && as.status === 0))('every generated word equals GNU as output for its listing', () => {
    const words: number[] = [];
    const texts: string[] = [];
    for (let i = 0; i < 150; i++) {
      for (const ins of generateSequence(i, sequenceSeed(SEED, i), { length: 60 }).insns) {
        words.push(ins.word);
        texts.push(ins.text);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-enc-'));
    try {
      writeFileSync(join(dir, 't.s'), texts.map((t) => `\t${t}\n`).join(''));
      const a = spawnSync('powerpc-linux-gnu-as', ['-a32', '-many', '-me500mc', '-mregnames', 't.s', '-o', 't.o'], { cwd: dir, encoding: 'utf8' });
      expect(a.status, a.stderr).toBe(0);
      const c = spawnSync('powerpc-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', 't.o', 't.bin'], { cwd: dir, encoding: 'utf8' });
      expect(c.status, c.stderr).toBe(0);
      const bin = readFileSync(join(dir, 't.bin'));
      expect(bin.length).toBe(words.length * 4);
      words.forEach((w, k) => expect(bin.readUInt32BE(4 * k).toString(16), texts[k]).toBe(w.toString(16)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('generation is a pure function of the seed', () => {
    const a = makeBatch({ seed: SEED, count: 20, length: LENGTH });
    const b = makeBatch({ seed: SEED, count: 20, length: LENGTH });
    expect(Buffer.from(a.image.elf).equals(Buffer.from(b.image.elf))).toBe(true);
    const one = makeBatch({ seed: SEED, count: 0, length: LENGTH, only: [7] });
    expect(one.seqs[0]!.insns).toEqual(a.seqs[7]!.insns);
  });

  it('the dump comparison reports a changed register', () => {
    const batch = makeBatch({ seed: SEED, count: 1, length: 10 });
    const fake = (r5: string): string => [
      'S00000000 0000abcd',
      `G ${Array.from({ length: 32 }, (_, n) => (n === 5 ? r5 : '00000000')).join(' ')}`,
      'C 00000000 00000000 00000000 00000000 00000000',
      `F ${Array.from({ length: 32 }, () => '0000000000000000').join(' ')}`,
      '',
    ].join('\r\n');
    const same = compareRuns(batch.seqs, parseRun(fake('00000001')), parseRun(fake('00000001')), SEED, batch.image.seqAddr);
    expect(same.failing).toEqual([]);
    const diff = compareRuns(batch.seqs, parseRun(fake('00000001')), parseRun(fake('00000002')), SEED, batch.image.seqAddr);
    expect(diff.failing).toEqual([0]);
    expect(diff.report).toContain('r5 00000001 vs 00000002');
    expect(diff.report).toMatch(/instructions \(address: word {2}assembly\)/);
  });

  it.skipIf(missing('qemu-system-ppc', qemuAvailable()))(`${COUNT} sequences: lab matches QEMU`, async () => {
    const batch = makeBatch({ seed: SEED, count: COUNT, length: LENGTH });
    const r = await runBatch(batch, SEED, runElf);
    expect(r.problems, r.comparison.report).toEqual([]);
    expect(r.qemu.dumps.size).toBe(COUNT);
    if (r.comparison.failing.length) throw new Error(r.comparison.report);
  }, 120_000);

  // Each sequence runs once, below the translator's threshold: translate
  // everything on first sight so the same sequences exercise the block
  // translator against QEMU too.
  it.skipIf(missing('qemu-system-ppc', qemuAvailable()))(`${COUNT} sequences: the lab's block translator matches QEMU`, async () => {
    const batch = makeBatch({ seed: SEED + 1, count: COUNT, length: LENGTH });
    const r = await runBatch(batch, SEED + 1, (elf, o) => runElf(elf, { ...o, jit: 'eager' }));
    expect(r.problems, r.comparison.report).toEqual([]);
    if (r.comparison.failing.length) throw new Error(r.comparison.report);
  }, 120_000);
});
