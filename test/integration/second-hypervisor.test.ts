// A second, independent hypervisor checks the core's Embedded.Hypervisor
// category and the lab's own hypervisor at once. minihv
// (resources/guests/minihv, C) runs natively on the lab's core with no hooks:
// it programs EPCR, MSRP and LPIDR, keeps labOS's TLB in software, handles
// hypervisor privilege, decrementer and guest doorbell interrupts itself, and
// counts what it emulated in a block in RAM. The TypeScript hypervisor, given
// the same virtual hardware (2.06 registers; external input, DSI, system
// calls and TLB misses to the guest) and the same device tree, must show
// labOS the same console and count the same traps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHwPatch, presetConfig } from '../../src/shared/hw';
import { sprByNumber } from '../../src/shared/spr';
import { runElf, type RunResult } from '../../src/main/guest/run';

const GUESTS = join(__dirname, '../../resources/guests');
const elf = (path: string) => new Uint8Array(readFileSync(join(GUESTS, path)));
const text = (r: RunResult) => Buffer.from(r.console).toString('latin1');

const SCRIPT = 'help; echo equivalence; ps; run; run hello; run sys; run mem; run align; run segv; run priv; uptime; poweroff';
/** Lines that print timings differ between any two hypervisors. */
const stable = (out: string) => out.split('\n').filter((l) => !/^(bench|uptime|ps) /.test(l)).join('\n');

/** minihv's statistics block (resources/guests/minihv/hv.c, struct stats). */
const HV_STATS = 0x07F00000;
const FIELDS = ['magic', 'exits', 'emulated', 'tlbwe', 'tlbsx', 'tlbre', 'tlbinv', 'alignment', 'program', 'fp_unavail',
  'isi', 'debug', 'dec', 'gdbell', 'reflect_dec', 'hcall', 'reflect_program'] as const;

function minihvStats(r: RunResult) {
  const word = (offset: number) => r.machine.bus.readRam(HV_STATS + offset, 4) >>> 0;
  const counts = Object.fromEntries(FIELDS.map((f, i) => [f, word(4 * i)])) as Record<(typeof FIELDS)[number], number>;
  const spr = new Map<string, { reads: number; writes: number }>();
  for (let n = 0; n < 1024; n++) {
    const reads = word(4 * FIELDS.length + 8 * n);
    const writes = word(4 * FIELDS.length + 8 * n + 4);
    if (reads || writes) spr.set(sprByNumber(n)?.name ?? `SPR${n}`, { reads, writes });
  }
  return { counts, spr };
}

/** The timer registers: how often they are touched depends on how much virtual time passes, which differs. */
const TIMER = new Set(['DEC', 'DECAR', 'TSR', 'TCR']);

describe('labOS under minihv (a hypervisor in C on the lab\'s core) and under the lab\'s hypervisor', () => {
  const ours = runElf(elf('minihv/minihv.elf'), { bootargs: SCRIPT, maxInsns: 5e8 });
  const hw = applyHwPatch(presetConfig('isa206'), {
    direct: { external: true, dsi: true, dtlb: true, itlb: true, syscall: true, isi: false, alignment: false, program: false, fpunavail: false, decrementer: false },
  });
  const lab = runElf(elf('labos/labos.elf'), { bootargs: SCRIPT, ramMb: 64, model: 'booke-hv', hw, advertiseHypervisor: false, maxInsns: 5e8 });
  const hv = minihvStats(ours);

  it('boots labOS in guest state and runs its whole session under both', () => {
    expect(ours.reason).toBe('reset');
    expect(hv.counts.magic).toBe(0x4D485653);
    expect(text(ours)).toContain('memory: 64 MB');
    expect(text(ours)).toContain('equivalence');
    expect(lab.reason).toBe('reset');
  });

  it('shows labOS the same console, timings aside', () => {
    expect(stable(text(ours))).toBe(stable(text(lab)));
  });

  it('counts the same SPR traps, register by register (the timer registers per decrementer interrupt)', () => {
    expect(hv.spr.size).toBeGreaterThan(20);
    const names = new Set([...hv.spr.keys(), ...Object.keys(lab.stats.spr)]);
    for (const name of names) {
      if (TIMER.has(name)) continue;
      const a = hv.spr.get(name) ?? { reads: 0, writes: 0 };
      const b = lab.stats.spr[name] ?? { reads: 0, writes: 0 };
      expect({ name, reads: a.reads, writes: a.writes }).toEqual({ name, reads: b.reads, writes: b.writes });
    }
    // labOS acknowledges (TSR) and re-arms (DEC) its tick once per decrementer interrupt, plus once at start-up, under both.
    const perTick = (tsr: number, dec: number, interrupts: number) => [tsr - interrupts, dec - interrupts];
    expect(perTick(hv.spr.get('TSR')!.writes, hv.spr.get('DEC')!.writes, hv.counts.reflect_dec))
      .toEqual(perTick(lab.stats.spr.TSR!.writes, lab.stats.spr.DEC!.writes, lab.stats.counters.reflect_dec.total));
  });

  it('emulates the same guest TLB instructions and reflects the same interrupts', () => {
    const c = lab.stats.counters;
    expect(hv.counts.tlbwe).toBeGreaterThan(100);
    expect([hv.counts.tlbwe, hv.counts.tlbsx, hv.counts.tlbre, hv.counts.tlbinv])
      .toEqual([c.emul_tlbwe.total, c.emul_tlbsx.total, c.emul_tlbre.total, c.emul_tlbinv.total]);
    expect([hv.counts.alignment, hv.counts.program, hv.counts.fp_unavail, hv.counts.isi, hv.counts.reflect_program])
      .toEqual([c.alignment_exits.total, c.program_exits.total, c.fp_unavail_exits.total, c.isi_exits.total, c.reflect_program.total]);
    // Emulated instructions: the same, once the timer registers' share is taken out.
    const timerTraps = (spr: Map<string, { reads: number; writes: number }> | Record<string, { reads: number; writes: number }>) =>
      [...TIMER].reduce((n, name) => {
        const e = spr instanceof Map ? spr.get(name) : spr[name];
        return n + (e ? e.reads + e.writes : 0);
      }, 0);
    expect(hv.counts.emulated - timerTraps(hv.spr)).toBe(c.emulated_inst_exits.total - timerTraps(lab.stats.spr));
  });

  it('takes the decrementer at the hypervisor and injects it with guest doorbells under both', () => {
    const c = lab.stats.counters;
    expect(hv.counts.dec).toBeGreaterThan(10);
    expect(c.dec_exits.total).toBeGreaterThan(10);
    // Every interrupt was injected, and every injection left KVM's doorbell behind it.
    expect(hv.counts.reflect_dec).toBe(hv.counts.dec);
    expect(hv.counts.gdbell).toBeGreaterThanOrEqual(hv.counts.dec);
    expect(c.gdbell_exits.total).toBeGreaterThanOrEqual(c.reflect_dec.total);
    expect(hv.counts.hcall).toBe(0);
  });
});
