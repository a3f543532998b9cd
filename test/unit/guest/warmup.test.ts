// The interpreter warm-up (guest/warmup.ts): its programs run to their end
// (the interpreter's in both passes, the translator's with its loops really
// translated), and the first takes every instruction the interpreter's main
// switch handles (a case added there without a warm-up cell would go unseen
// by V8 until a guest first runs it, and deoptimise the interpreter then).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, INSN_BY_ID, INSNS } from '../../../src/main/cpu/isa';
import { CALL_TARGETS, FULL_WARMUP_IMAGE_BYTES, varyCallTargets, warmUpInterpreter, warmUpJitProgram, warmUpParts, warmUpProgram } from '../../../src/main/guest/warmup';

const INTERP = readFileSync(join(__dirname, '../../../src/main/cpu/interp.ts'), 'utf8');

/** The instruction ids of execute()'s own switch (executeRare's are the rare ones). */
function mainSwitchIds(): Set<number> {
  const body = INTERP.slice(INTERP.indexOf('export function execute'), INTERP.indexOf('function executeRare'));
  return new Set([...body.matchAll(/^ {10}case (\d+):/gm)].map((m) => Number(m[1])));
}

/** The instruction ids of executeRare's switch. */
function rareSwitchIds(): Set<number> {
  const body = INTERP.slice(INTERP.indexOf('function executeRare'));
  return new Set([...body.matchAll(/^ {4}case (\d+):(?: case (\d+):)*/gm)].flatMap((m) => m[0].match(/\d+/g)!.map(Number)));
}

describe('interpreter warm-up', () => {
  it('runs its programs to the end: the translator\'s (with the WebAssembly interpreter), then the interpreter\'s soft TLB cold and warm', () => {
    const report = warmUpInterpreter(true, 'all')!;
    const ran = report.interpreterPasses;
    expect(ran).toHaveLength(2);
    // Each pass reached the end (a pass that does not reports -1), and both ran the same instructions
    // (the program's, plus the interrupt handler's for each fault, less the skipped instructions).
    expect(ran[0]).toBeGreaterThan(warmUpProgram().length / 2);
    expect(ran[1]).toBe(ran[0]);
    // The translator's program: six loops of 600 passes (2 to 5 instructions each), most of it in translated
    // regions, one region per loop at least (the faulting loop's among them, until it fails its trial).
    expect(report.translatorPass).toBeGreaterThan(6 * 600 * 2);
    expect(report.regionsTranslated).toBeGreaterThanOrEqual(6);
    expect(report.translatedInsns).toBeGreaterThan(report.translatorPass / 2);
    // What it did not translate, the WebAssembly interpreter ran (mostly: the loops' first passes).
    expect(report.wasmInterpreterInsns).toBeGreaterThan(1000);
  });

  it('calls the WebAssembly interpreter and a region of several cores (so that those call sites are generic)', () => {
    const r = varyCallTargets();
    // Each core: the interpreter runs to the loop's head, the loop then runs as a region.
    expect(r.interpreted).toBeGreaterThanOrEqual(CALL_TARGETS * 3);
    expect(r.translated).toBeGreaterThan(CALL_TARGETS * 40);
  });

  it('runs only the translator\'s program when asked (worker threads)', () => {
    const report = warmUpInterpreter(true, 'translator')!;
    expect(report.interpreterPasses).toEqual([]);
    expect(report.translatorPass).toBeGreaterThan(6 * 600 * 2);
    expect(report.regionsTranslated).toBeGreaterThanOrEqual(6);
  });

  it('runs both programs on the main thread; in a worker, for a kernel-sized image only', () => {
    expect(warmUpParts(68_044)).toBe('all'); // the test runs on a main thread
    expect(warmUpParts(68_044, false)).toBe('translator'); // labOS on a session worker
    expect(warmUpParts(FULL_WARMUP_IMAGE_BYTES - 1, false)).toBe('translator');
    expect(warmUpParts(455_184, false)).toBe('all'); // Debian's U-Boot
    expect(warmUpParts(5_261_540, false)).toBe('all'); // the shipped Linux
  });

  it('ends its translator\'s program with three instruction fetch faults that return to the caller', () => {
    expect(warmUpInterpreter(true, 'all')!.fetchFaults).toBe(3);
    expect(warmUpJitProgram().at(-1)).toBe(0x48000000); // b .
  });

  it('takes every instruction of the interpreter\'s main switch that supervisor code can run unprivileged', () => {
    const covered = new Set(warmUpProgram().map((w) => decode(w)));
    const ids = mainSwitchIds();
    expect(ids.size).toBeGreaterThan(50);
    const missing = [...ids].filter((id) => !covered.has(id) && !INSN_BY_ID[id]?.priv).map((id) => INSN_BY_ID[id]?.mnem ?? id);
    expect(missing).toEqual([]);
  });

  it('takes the rare instructions a kernel runs too (executeRare\'s cases), privileged ones included', () => {
    const covered = new Set(warmUpProgram().map((w) => decode(w)));
    const ids = rareSwitchIds();
    expect(ids.size).toBeGreaterThan(60);
    // Left out on purpose: floating-point arithmetic (a kernel's boot has none), rfi (the warm-up's handler runs
    // it), returns from the other interrupt levels and ehpriv, doorbells and wait (interrupts and states the
    // warm-up's bare core has no handler for), and the illegal instruction.
    const left = new Set(['fp', 'rfi', 'rfci', 'rfmci', 'rfdi', 'rfgi', 'ehpriv', 'msgsnd', 'msgclr', 'wait', 'illegal']);
    const missing = [...ids].map((id) => INSN_BY_ID[id]?.mnem ?? String(id)).filter((m) => !left.has(m) && !covered.has(INSNS.find((i) => i.mnem === m)!.id));
    expect(missing).toEqual([]);
  });
});
