// The debugger's hold on a vCPU (guest/debug-target.ts and the core's
// watch and stop-request paths), on labOS under booke-hv: a watched SPR
// access stops the vCPU in front of it, at the same instruction whether the
// code runs interpreted or translated; resuming lets that access through
// once; a watched exit stops it at the very next instruction boundary, at
// the instruction count stepping one instruction at a time finds; and the
// views read the state without changing what the guest does next.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DebugTarget } from '../../../src/main/guest/debug-target';
import { inspectorState, memoryView, sprViews, tlbView, writeRegister } from '../../../src/main/guest/inspector';
import { prepareRun } from '../../../src/main/guest/run';
import { noBreakpoints } from '../../../src/shared/debug';
import { H } from '../../../src/main/link/stats';
import { counterSlot } from '../../../src/main/link/stats';

const LABOS = new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', 'resources', 'guests', 'labos', 'labos.elf')));

function setup(jit: 'off' | 'eager' | 'default' = 'default') {
  const run = prepareRun(LABOS, { model: 'booke-hv', bootargs: 'run hello; poweroff' });
  const cpu = run.machine.cpu;
  if (jit === 'off') cpu.jitEnabled = false;
  if (jit === 'eager') cpu.jitThreshold = 1;
  const target = new DebugTarget(run.machine, run.hypervisor);
  return { run, cpu, target };
}

describe('DebugTarget', () => {
  it('stops in front of a watched SPR access at the same instruction, interpreted or translated', () => {
    const stops = (['off', 'eager', 'default'] as const).map((jit) => {
      const { cpu, target } = setup(jit);
      // SPRG1 is read back (mfspr) in every interrupt epilogue: translated code reads it too.
      target.setWatches([{ name: 'SPRG1', access: 'read' }], []);
      const out: string[] = [];
      for (let k = 0; k < 3; k++) {
        const stop = target.resume(50_000_000);
        expect(stop?.kind).toBe('watch');
        if (stop?.kind !== 'watch') break;
        expect(stop.hit).toMatchObject({ spr: 273, write: false, pc: cpu.pc >>> 0 });
        // The access has not happened: the word at the PC is the mfspr.
        expect(cpu.peekInstruction(cpu.pc) >>> 0 & 0xFC1FFFFF).toBe(0x7C1142A6 & 0xFC1FFFFF);
        out.push(`${cpu.insns}@${(cpu.pc >>> 0).toString(16)}`);
      }
      return out.join(' ');
    });
    expect(stops[1]).toBe(stops[0]);
    expect(stops[2]).toBe(stops[0]);
  });

  it('resumes through the access it stopped at, once', () => {
    const { cpu, target } = setup();
    target.setWatches([{ name: 'IVOR6', access: 'write' }], []);
    const first = target.resume(50_000_000);
    expect(first).toMatchObject({ kind: 'watch', hit: { spr: 406, write: true } });
    const at = cpu.insns;
    const step = target.step();
    expect(step.kind).toBe('trap');
    expect(cpu.insns).toBe(at + 1);
    expect(cpu.readSpr(406)).toBe((first as { hit: { value: number } }).hit.value & 0xFFF0);
    // labOS writes IVOR6 once: nothing stops it again before it ends.
    expect(target.resume(50_000_000)).toMatchObject({ kind: 'ended', reason: 'reset' });
  });

  it('stops right after a watched exit, where stepping one instruction at a time finds it', () => {
    const stepped = setup('off');
    const mmio = counterSlot('mmio_exits');
    const stats = stepped.run.hypervisor.options.stats;
    while (stats[mmio] === 0) stepped.target.step();
    const expected = { insns: stepped.cpu.insns, pc: stepped.cpu.pc };

    for (const jit of ['default', 'eager'] as const) {
      const { cpu, target } = setup(jit);
      target.setWatches([], ['mmio_exits']);
      expect(cpu.jitEnabled, 'exit watches run the interpreter').toBe(false);
      const stop = target.resume(50_000_000);
      expect(stop).toMatchObject({ kind: 'exit', reason: 'mmio_exits', pc: (expected.pc - 4) >>> 0 });
      expect({ insns: cpu.insns, pc: cpu.pc }).toEqual(expected);
      target.setWatches([], []);
      expect(cpu.jitEnabled).toBe(true);
    }
  });

  it('steps to the next exit of any kind and by blocks', () => {
    const { cpu, target, run } = setup();
    target.setStepToExit(true);
    const stop = target.resume(50_000_000);
    target.setStepToExit(false);
    expect(stop?.kind).toBe('exit');
    expect(run.hypervisor.options.stats[H.exits]).toBe(1);
    const from = cpu.pc;
    const block = target.stepBlock();
    expect(block.kind).toBe('trap');
    expect(cpu.pc).not.toBe((from + 4) | 0);
  });

  it('reads views without changing what the guest does, and edits only writable bits', () => {
    const a = setup();
    const b = setup();
    a.target.resume(300_000);
    b.target.resume(300_000);
    const state = inspectorState(a.target, false, null, null, noBreakpoints());
    tlbView(a.target);
    memoryView(a.target, state.pc, 64, 'virtual');
    sprViews(a.target);
    a.target.resume(5_000_000);
    b.target.resume(5_000_000);
    expect(a.cpu.insns).toBe(b.cpu.insns);
    expect(a.cpu.pc).toBe(b.cpu.pc);
    expect(Array.from(a.cpu.gpr)).toEqual(Array.from(b.cpu.gpr));
    expect(a.run.hypervisor.options.stats[H.exits]).toBe(b.run.hypervisor.options.stats[H.exits]);
    expect(() => writeRegister(a.target, 'IVPR', 0x12345678)).toThrow(/IVPR implements only the bits 0xffff0000/);
    writeRegister(a.target, 'IVPR', 0x12340000);
    expect(sprViews(a.target).find((s) => s.name === 'IVPR')!.value).toBe(0x12340000);
    expect(() => writeRegister(a.target, 'pc', 0x1002)).toThrow(/word-aligned/);
    expect(() => writeRegister(a.target, 'r3', 2 ** 33)).toThrow(/32 bits/);
  });
});
