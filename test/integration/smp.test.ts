// Guests with several vCPUs (guest/machine.ts): the cores run interleaved
// in deterministic rounds, so a repeated run gives the same console and the
// same instruction count on every vCPU, however the run is sliced; the
// interpreter and the translator
// agree exactly; a snapshot taken in the middle of a multiprocessor run
// continues as the original did; secondaries run only once released; and
// under every hypervisor model the guest prints what it prints natively, with
// each vCPU's exits charged to it and doorbells between vCPUs counted as the
// exits they cause.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig, type PresetId } from '../../src/shared/hw';
import type { GuestModel } from '../../src/shared/api';
import { COUNTERS } from '../../src/shared/stats';
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
    const wasm = runElf(SMP, { ...base, jit: 'on' });
    expect(wasm.machine.cpus.some((c) => c.jitInsns > 0), 'translated code ran').toBe(true);
    for (const opts of [{ jit: 'off' as const }, { jit: 'on' as const, translator: 'js' as const }, { jit: 'eager' as const }]) {
      const r = runElf(SMP, { ...base, ...opts });
      expect(text(r)).toBe(text(wasm));
      expect(perVcpu(r), JSON.stringify(opts)).toEqual(perVcpu(wasm));
    }
  });

  it.each([['native', 'isa206'], ['booke-hv', 'none']] as [GuestModel, PresetId][])('continue from a snapshot taken mid-run exactly as the original run did (%s)', (model, preset) => {
    let snap: Snapshot | null = null;
    let consoleAt = 0;
    let written = 0;
    const opts: RunOptions = { ...base, model, hw: presetConfig(preset) };
    const full = runElf(SMP, {
      ...opts,
      onOutput: (b) => { written += b.length; },
      saveSnapshot: { at: { marker: 'cpu 2 doorbells=00000001' }, save: (s) => { snap = s; consoleAt = written; } },
    });
    expect(snap).not.toBeNull();
    const s = snap as unknown as Snapshot;
    expect(s.header.config.smp).toBe(4);
    expect(Object.keys(s.header.parts)).toEqual(expect.arrayContaining(['vcpu0.cpu', 'vcpu3.cpu', 'vcpu3.tlb', 'dev.spin-table']));
    if (model !== 'native') expect(Object.keys(s.header.parts)).toEqual(expect.arrayContaining(['hv.exits', 'hv.vcpu3.exits', 'hv.vcpu3.guest-tlb.entries']));
    const resumed = runElf(SMP, { ...opts, snapshot: s });
    expect(text(resumed)).toBe(text(full).slice(consoleAt));
    expect(perVcpu(resumed)).toEqual(perVcpu(full));
    expect(resumed.stats.exits).toBe(full.stats.exits);
    expect(resumed.hypervisor.accountant.vcpuExits).toEqual(full.hypervisor.accountant.vcpuExits);
    // A snapshot of a 4-vCPU guest does not go into a 2-vCPU one.
    expect(() => runElf(SMP, { ...opts, smp: 2, snapshot: s })).toThrow(/4 vCPU\(s\), this guest 2/);
  });

  it('leave secondaries in the spin table until released: a one-core program on four vCPUs runs on vCPU 0 alone', () => {
    const one = runElf(HELLO, {});
    const four = runElf(HELLO, { smp: 4 });
    expect(text(four)).toBe(text(one));
    expect(perVcpu(four)).toEqual([one.insns, 0, 0, 0]);
    expect(four.hypervisor.vcpuStats().map((v) => v.state)).toEqual(['running', 'spinning', 'spinning', 'spinning']);
  });

  it('refuse more than 8 vCPUs', () => {
    expect(() => runElf(HELLO, { smp: 9 })).toThrow(/1 to 8 vCPUs/);
  });

  const HOSTED: [GuestModel, PresetId][] = [['booke-hv', 'isa206'], ['booke-hv', 'none'], ['state-transfer', 'x86'], ['trap-and-emulate', 'isa206']];
  for (const [model, preset] of HOSTED) {
    it(`print under ${model} (${preset}) what they print natively, deterministically, each vCPU charged its own exits`, () => {
      const native = runElf(SMP, base);
      const opts: RunOptions = { ...base, model, hw: presetConfig(preset) };
      const hosted = runElf(SMP, opts);
      expect(hosted.reason, hosted.message).toBe('reset');
      expect(text(hosted)).toBe(text(native));
      const acct = hosted.hypervisor.accountant;
      expect(acct.vcpuExits.reduce((a, b) => a + b, 0)).toBe(hosted.stats.exits);
      for (const n of acct.vcpuExits) expect(n).toBeGreaterThan(0);
      // Every counter's total is what the vCPUs counted between them.
      for (const c of COUNTERS) {
        const sum = [0, 1, 2, 3].reduce((n, k) => n + acct.vcpuCounters(k)[c.id], 0);
        expect(sum, c.id).toBe(hosted.stats.counters[c.id]?.total ?? 0);
      }
      // The three directed doorbells and the broadcast one reach the secondaries by a host doorbell each
      // (the boot vCPU's own broadcast copy needs none); every one is injected.
      if (model !== 'trap-and-emulate') expect(hosted.stats.counters.dbell_exits?.total).toBe(6);
      expect(hosted.stats.counters.reflect_doorbell?.total).toBe(7);
      const again = runElf(SMP, opts);
      expect(text(again)).toBe(text(hosted));
      expect(perVcpu(again)).toEqual(perVcpu(hosted));
      expect(again.hypervisor.accountant.vcpuExits).toEqual(acct.vcpuExits);
    });
  }
});
