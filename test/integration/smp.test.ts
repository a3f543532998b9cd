// Guests with several vCPUs (guest/machine.ts): the cores run interleaved
// in deterministic rounds, so a repeated run gives the same console and the
// same instruction count on every vCPU, however the run is sliced; the
// interpreter and the translator
// agree exactly; a snapshot taken in the middle of a multiprocessor run
// continues as the original did; secondaries run only once released; and
// the hypervisor models, which take one vCPU for now, refuse clearly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/shared/hw';
import { type RunOptions, type RunResult, runElf } from '../../src/main/guest/run';
import { SMP_QUANTUM } from '../../src/main/guest/machine';
import type { Snapshot } from '../../src/main/link/snapshot';

const REPO = join(__dirname, '..', '..');
const SMP = new Uint8Array(readFileSync(join(REPO, 'resources/guests/tests/smp.elf')));
const HELLO = new Uint8Array(readFileSync(join(REPO, 'resources/guests/hello/hello.elf')));

const text = (r: RunResult) => Buffer.from(r.console).toString('latin1');
const perVcpu = (r: RunResult) => r.machine.cpus.map((c) => c.insns);

describe('guests with several vCPUs', () => {
  const base: RunOptions = { smp: 4, maxInsns: 50_000_000 };

  it('run deterministically: two runs give the same console and the same instructions on every vCPU', () => {
    const a = runElf(SMP, base);
    const b = runElf(SMP, base);
    expect(a.reason, a.message).toBe('reset');
    expect(text(a)).toContain('cpu 3 done');
    expect(text(b)).toBe(text(a));
    expect(perVcpu(b)).toEqual(perVcpu(a));
    // However the run is sliced (a session paces its slices; lab run does not), the interleaving is the same.
    const sliced = runElf(SMP, { ...base, sliceInsns: 7_777 });
    expect(text(sliced)).toBe(text(a));
    expect(perVcpu(sliced)).toEqual(perVcpu(a));
    expect(a.insns).toBe(perVcpu(a).reduce((x, y) => x + y, 0));
    // Every core ran, the secondaries well past their first quantum.
    for (const n of perVcpu(a)) expect(n).toBeGreaterThan(SMP_QUANTUM);
  });

  it('count the same with the interpreter alone, the JavaScript translator and the WebAssembly one', () => {
    const wasm = runElf(SMP, base);
    expect(wasm.machine.cpus.some((c) => c.jitInsns > 0), 'translated code ran').toBe(true);
    for (const opts of [{ jit: 'off' as const }, { jit: 'on' as const, translator: 'js' as const }, { jit: 'eager' as const }]) {
      const r = runElf(SMP, { ...base, ...opts });
      expect(text(r)).toBe(text(wasm));
      expect(perVcpu(r), JSON.stringify(opts)).toEqual(perVcpu(wasm));
    }
  });

  it('continue from a snapshot taken mid-run exactly as the original run did', () => {
    let snap: Snapshot | null = null;
    let consoleAt = 0;
    let written = 0;
    const full = runElf(SMP, {
      ...base,
      onOutput: (b) => { written += b.length; },
      saveSnapshot: { at: { marker: 'cpu 2 doorbells=00000001' }, save: (s) => { snap = s; consoleAt = written; } },
    });
    expect(snap).not.toBeNull();
    const s = snap as unknown as Snapshot;
    expect(s.header.config.smp).toBe(4);
    expect(Object.keys(s.header.parts)).toEqual(expect.arrayContaining(['vcpu0.cpu', 'vcpu3.cpu', 'vcpu3.tlb', 'dev.spin-table']));
    const resumed = runElf(SMP, { ...base, snapshot: s });
    expect(text(resumed)).toBe(text(full).slice(consoleAt));
    expect(perVcpu(resumed)).toEqual(perVcpu(full));
    // A snapshot of a 4-vCPU guest does not go into a 2-vCPU one.
    expect(() => runElf(SMP, { ...base, smp: 2, snapshot: s })).toThrow(/4 vCPU\(s\), this guest 2/);
  });

  it('leave secondaries in the spin table until released: a one-core program on four vCPUs runs on vCPU 0 alone', () => {
    const one = runElf(HELLO, {});
    const four = runElf(HELLO, { smp: 4 });
    expect(text(four)).toBe(text(one));
    expect(perVcpu(four)).toEqual([one.insns, 0, 0, 0]);
  });

  it('refuse what they cannot be yet or ever: more than 8 vCPUs, a hypervisor model', () => {
    expect(() => runElf(HELLO, { smp: 9 })).toThrow(/1 to 8 vCPUs/);
    expect(() => runElf(HELLO, { smp: 2, model: 'booke-hv', hw: presetConfig('isa206') })).toThrow(/runs natively for now/);
  });
});
