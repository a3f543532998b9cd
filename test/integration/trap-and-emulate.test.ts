// The trap-and-emulate model (no virtualization hardware, the PowerPC 440
// way): the same unmodified guests print what they print natively; the
// guest kernel really runs in user mode; each emulated instruction is one
// exit of its own category, exactly as many as the guest executed; the
// paravirtual page saves exits without changing what the guest prints; and
// the translator and the interpreter count the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CounterId } from '../../src/shared/stats';
import { MSR } from '../../src/main/cpu/regs';
import { DebugTarget } from '../../src/main/guest/debug-target';
import { inspectorState, tlbView, translate } from '../../src/main/guest/inspector';
import { noBreakpoints } from '../../src/shared/debug';
import { prepareRun, runElf, type RunResult } from '../../src/main/guest/run';
import { counterSlot } from '../../src/main/link/stats';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../../src/main/link/snapshot';
import { LABOS_SCRIPT, labosStable } from '../support/labos';

const GUESTS = join(__dirname, '../../resources/guests');
const elf = (path: string) => new Uint8Array(readFileSync(join(GUESTS, path)));
const text = (r: RunResult) => Buffer.from(r.console).toString('latin1');
const totals = (r: RunResult) => Object.fromEntries(Object.entries(r.stats.counters).map(([k, v]) => [k, v.total]));

describe('trap-and-emulate: labOS', () => {
  const labos = elf('labos/labos.elf');
  const native = runElf(labos, { bootargs: LABOS_SCRIPT });
  const plain = runElf(labos, { bootargs: LABOS_SCRIPT, model: 'trap-and-emulate' });
  const pv = runElf(labos, { bootargs: `pv=on; ${LABOS_SCRIPT}`, model: 'trap-and-emulate' });

  it('prints the same scripted session as natively, with and without the paravirtual page', () => {
    expect(native.reason).toBe('reset');
    expect(plain.reason).toBe('reset');
    expect(pv.reason).toBe('reset');
    expect(labosStable(text(plain))).toBe(labosStable(text(native)));
    expect(labosStable(text(pv))).toBe(labosStable(text(native)));
  });

  it('runs the kernel deprivileged: its MSR reads, interrupt returns and interrupt masking all trap', () => {
    const c = plain.stats.counters;
    for (const id of ['emul_mfmsr', 'emul_wrtee', 'emul_rfi', 'emul_mtspr', 'emul_mfspr', 'emul_tlbwe'] as CounterId[]) {
      expect(c[id].total, id).toBeGreaterThan(0);
    }
    // Every interrupt reaches the hypervisor first: system calls and the decrementer are reflected.
    expect(c.syscall_exits.total).toBe(c.reflect_syscall.total);
    expect(c.syscall_exits.total).toBeGreaterThan(0);
    expect(c.dec_exits.total).toBeGreaterThan(0);
    expect(plain.stats.exits).toBeGreaterThan(runElf(labos, { bootargs: LABOS_SCRIPT, model: 'booke-hv' }).stats.exits);
  });

  it('says in its banner that the page is in use, and the page removes most MSR and SPR traps', () => {
    expect(text(pv)).toMatch(/^hypervisor: paravirtual page at 0xfffff000, \d+ instructions patched\r?$/m);
    const a = plain.stats.counters;
    const b = pv.stats.counters;
    expect(b.emul_mfmsr.total).toBeLessThan(a.emul_mfmsr.total / 10);
    expect(b.emul_wrtee.total).toBeLessThan(a.emul_wrtee.total / 10);
    expect(b.emul_mfspr.total).toBeLessThan(a.emul_mfspr.total / 10);
    expect(pv.stats.exits).toBeLessThan(plain.stats.exits / 2);
    // rfi and the TLB instructions still trap.
    expect(b.emul_rfi.total).toBeGreaterThan(0);
    expect(b.emul_tlbwe.total).toBeGreaterThan(0);
  });

  it('falls back without the page where the hypervisor does not offer it (booke-hv), printing the same', () => {
    const r = runElf(labos, { bootargs: `pv=on; ${LABOS_SCRIPT}`, model: 'booke-hv' });
    expect(r.reason).toBe('reset');
    expect(text(r)).toMatch(/^hypervisor: paravirtual page not offered by this hypervisor\r?$/m);
    expect(labosStable(text(r))).toBe(labosStable(text(native)));
  });

  it('keeps the guest\'s user and kernel mappings apart: the user programs that touch kernel memory or run privileged instructions still fault', () => {
    // run segv and run priv are in the script; their reports must be the native ones (checked above), and present.
    expect(text(plain)).toMatch(/segv/);
    expect(text(plain)).toMatch(/priv/);
    expect(plain.stats.counters.program_exits.total).toBeGreaterThan(0); // the user program's privileged instruction, reflected
  });

  it('counts the same with the translator as with the interpreter alone', () => {
    for (const bootargs of [LABOS_SCRIPT, `pv=on; ${LABOS_SCRIPT}`]) {
      const jit = runElf(labos, { bootargs, model: 'trap-and-emulate' });
      const interp = runElf(labos, { bootargs, model: 'trap-and-emulate', jit: 'off' });
      expect(interp.insns).toBe(jit.insns);
      expect(totals(interp)).toEqual(totals(jit));
      expect(text(interp)).toBe(text(jit));
    }
  });
});

describe('trap-and-emulate: the CPU differential programs', () => {
  // Checked against QEMU natively; without a guest-state bit nothing in the guest's view differs at all.
  const PROGRAMS = ['alu', 'atomic', 'branch', 'compare', 'fpu', 'interrupts', 'loadstore', 'mmu', 'pagecross', 'rfx', 'rotate', 'smc', 'string', 'system', 'tlb1sizes'];
  it.each(PROGRAMS)('%s.elf prints exactly what it prints natively', (name) => {
    const image = elf(`tests/${name}.elf`);
    const base = runElf(image, { maxInsns: 3e8 });
    const r = runElf(image, { maxInsns: 3e8, model: 'trap-and-emulate' });
    expect(r.reason, r.message).toBe('reset');
    expect(r.stats.counters.emulated_inst_exits.total).toBeGreaterThan(0);
    expect(text(r)).toBe(text(base));
  });
});

describe('trap-and-emulate: one exit per emulated instruction, of its own kind', () => {
  const image = elf('hvtests/privcount.elf');
  const native = text(runElf(image));
  const [, from, to] = /^range ([0-9a-f]{8}) ([0-9a-f]{8})/m.exec(native) ?? [];
  const expected = new Map([...native.matchAll(/^count (\w+) (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));

  it('prints its section and counts natively', () => {
    expect(from).toBeDefined();
    expect(expected.size).toBe(10);
  });

  it.each(['on', 'off'] as const)('matches the guest\'s own counts between its labels (translation %s)', (jit) => {
    const run = prepareRun(image, { model: 'trap-and-emulate', jit });
    const target = new DebugTarget(run.machine, run.hypervisor);
    const counters = () => {
      run.hypervisor.sync();
      return (id: CounterId) => run.stats[counterSlot(id)]!;
    };
    target.userBreakpoints.add(parseInt(from!, 16));
    expect(target.resume(1e7)).toMatchObject({ kind: 'trap' });
    // The guest kernel runs in user mode; its own MSR says supervisor.
    expect(run.machine.cpu.msr & MSR.PR).not.toBe(0);
    expect(run.machine.cpu.vmsr & MSR.PR).toBe(0);
    const before = counters();
    const at = Object.fromEntries(['emulated_inst_exits', 'emul_mfmsr', 'emul_mtmsr', 'emul_wrtee', 'emul_rfi', 'emul_mtspr', 'emul_mfspr',
      'emul_tlbsx', 'emul_tlbre', 'emul_tlbwe', 'emul_tlbinv', 'mmio_exits', 'program_exits'].map((id) => [id, before(id as CounterId)]));
    target.userBreakpoints.clear();
    target.userBreakpoints.add(parseInt(to!, 16));
    expect(target.resume(1e7)).toMatchObject({ kind: 'trap' });
    const after = counters();
    const delta = (id: CounterId) => after(id) - at[id]!;
    for (const [kind, n] of expected) expect(delta(`emul_${kind}` as CounterId), kind).toBe(n);
    expect(delta('emulated_inst_exits')).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    expect(delta('mmio_exits')).toBe(0);
    expect(delta('program_exits')).toBe(0);
  });
});

describe('trap-and-emulate: snapshots', () => {
  it('a labOS run with the paravirtual page continues from a snapshot exactly as the original did', () => {
    const labos = elf('labos/labos.elf');
    const opts = { model: 'trap-and-emulate' as const, bootargs: 'pv=on; run hello; bench null_syscall; poweroff', imageName: 'labos' };
    const full = runElf(labos, opts);
    let snap: Snapshot | null = null;
    const half = runElf(labos, { ...opts, saveSnapshot: { at: { insns: Math.floor(full.insns * 0.6) }, save: (s) => { snap = s; }, thenStop: true } });
    expect(half.reason).toBe('snapshot');
    const resumed = runElf(labos, { ...opts, snapshot: decodeSnapshot(encodeSnapshot(snap!)) });
    expect(resumed.reason).toBe(full.reason);
    expect(resumed.insns).toBe(full.insns);
    expect(totals(resumed)).toEqual(totals(full));
    expect(text(half) + text(resumed)).toBe(text(full));
  });
});

describe('trap-and-emulate: the inspector', () => {
  it('shows the guest\'s own MSR and PID, where each register lives, and the shadows with their shadow IDs', () => {
    for (const bootargs of ['run hello; poweroff', 'pv=on; run hello; poweroff']) {
      const run = prepareRun(elf('labos/labos.elf'), { model: 'trap-and-emulate', bootargs });
      const target = new DebugTarget(run.machine, run.hypervisor);
      // Stop in the middle of the session (the user program has run: a user PID was in use).
      const printed = () => Buffer.concat(run.chunks).toString('latin1');
      for (let k = 0; k < 200 && !printed().includes('hello 3/5'); k++) expect(target.resume(10_000)).toBeNull();
      expect(printed()).toContain('hello 3/5');
      expect(run.hypervisor.paravirtPage!.enabled, `page in use after ${run.machine.cpu.insns}`).toBe(bootargs.startsWith('pv=on'));
      const cpu = run.machine.cpu;
      const state = inspectorState(target, false, null, null, noBreakpoints());
      expect(state.msr).toBe(cpu.vmsr >>> 0);
      expect(state.realMsr! & MSR.PR).not.toBe(0);
      expect(cpu.msr & MSR.PR).not.toBe(0);
      const spr = (name: string) => state.sprs.find((s) => s.name === name)!;
      expect(spr('PID').value).toBe(run.hypervisor.guestTlb!.guestPid);
      expect(spr('TCR').home).toBe('shadow');
      expect(spr('EPCR').home).toBe('hypervisor');
      const paged = bootargs.startsWith('pv=on');
      expect(spr('SPRG0').home).toBe(paged ? 'transfer' : 'shadow');
      if (paged) expect(spr('SPRG0').where).toMatch(/paravirtual page/);
      const tlb = tlbView(target);
      expect(tlb.shadow.length).toBeGreaterThan(0);
      for (const e of tlb.shadow) expect(e.tgs).toBe(false);
      expect(tlb.pid).toBe(run.hypervisor.guestTlb!.guestPid);
      // The kernel's own text translates through the guest TLB, and a shadow maps it.
      expect(translate(target, cpu.pc, true).physical).not.toBeNull();
    }
  });
});
