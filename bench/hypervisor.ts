// Costs of the hypervisor in host time (issue 6): a trapped SPR access round
// trip, and guest MIPS under booke-hv with the Power ISA 2.06 preset relative
// to the same guest natively; and what several vCPUs cost (issue 18): labOS's
// per-CPU benchmark with 2 vCPUs natively and under 2.06 and nothing
// duplicated, in guest ticks and exits per operation.

import type { GuestModel } from '../src/shared/api';
import { presetConfig, type PresetId } from '../src/shared/hw';
import { runElf } from '../src/main/guest/run';
import { guestElf, line, median, type Print, spread } from './util';

function timeRun(elf: Uint8Array, bootargs: string, model: GuestModel): { seconds: number; insns: number; exits: number; console: string } {
  const t0 = performance.now();
  const r = runElf(elf, { bootargs, model, hw: presetConfig('isa206') });
  if (r.reason !== 'reset') throw new Error(`${r.reason} ${r.message ?? ''}`);
  return { seconds: (performance.now() - t0) / 1000, insns: r.insns, exits: r.stats.exits, console: Buffer.from(r.console).toString('latin1') };
}

/** Time-base ticks labOS's micro-benchmark rows took ("bench NAME OPS TICKS PER-OP"), by row. */
function benchTicks(console: string): Map<string, number> {
  return new Map([...console.matchAll(/^bench (\S+) \d+ (\d+) \d+\.\d\d\r?$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/**
 * labOS's benchmark session under every model, the trap-and-emulate one with
 * and without the paravirtual page: exits per million guest instructions, the
 * overhead the guest itself measures (its benchmark rows' time-base ticks
 * against native), and host speed.
 */
function labosAcrossModels(print: Print): void {
  const labos = guestElf('labos/labos.elf');
  const script = 'bench; poweroff';
  const runs: [string, GuestModel, string][] = [
    ['native', 'native', script], ['booke_hv', 'booke-hv', script],
    ['trap_and_emulate', 'trap-and-emulate', script], ['trap_and_emulate_pv', 'trap-and-emulate', `pv=on; ${script}`],
  ];
  let nativeTicks: Map<string, number> | null = null;
  for (const [name, model, bootargs] of runs) {
    // Exits and the guest's own figures are deterministic; host time is the median of three.
    const three = [0, 1, 2].map(() => timeRun(labos, bootargs, model));
    const r = three[0]!;
    const rates = three.map((x) => x.insns / x.seconds / 1e6);
    const ticks = benchTicks(r.console);
    nativeTicks ??= ticks;
    let mine = 0;
    let base = 0;
    for (const [row, t] of ticks) {
      const n = nativeTicks.get(row);
      if (n === undefined) continue;
      mine += t;
      base += n;
    }
    print(line(`hv.labos.${name}.exits_per_minsn`, r.exits / (r.insns / 1e6), 0, `exits per million guest instructions, labOS benchmark session under ${model}${bootargs.startsWith('pv=on') ? ' with the paravirtual page' : ''}`));
    print(line(`hv.labos.${name}.guest_overhead`, mine / base, 2, 'the time the guest measures for its micro-benchmark rows, relative to native'));
    print(line(`hv.labos.${name}.mips`, median(rates), 1, `guest MIPS, host time, median (${spread(rates, 1)})${name === 'native' ? ' (issue 13: >= 100)' : ''}`));
  }
}

export async function hypervisorBenchmarks(print: Print = (l) => console.log(l)): Promise<void> {
  const loop = guestElf('hvtests/sprloop.elf');
  const count = 3_000_000;
  const trapped = median([0, 1, 2].map(() => timeRun(loop, `spr=tcr count=${count}`, 'booke-hv').seconds));
  const duplicated = median([0, 1, 2].map(() => timeRun(loop, `spr=sprg0 count=${count}`, 'booke-hv').seconds));
  print(line('hv.trapped_spr_ns', trapped * 1e9 / count, 0, 'host ns per loop iteration reading a trapped SPR (TCR under 2.06): exit, emulation, accounting, return (target < 150)'));
  print(line('hv.trap_overhead_ns', (trapped - duplicated) * 1e9 / count, 0, 'host ns the trap adds over the same loop reading a duplicated SPR (SPRG0)'));

  const intmix = guestElf('bench/intmix.elf');
  const args = 'iterations=2000';
  const native = median([0, 1, 2].map(() => { const r = timeRun(intmix, args, 'native'); return r.insns / r.seconds; }));
  const hv = median([0, 1, 2].map(() => { const r = timeRun(intmix, args, 'booke-hv'); return r.insns / r.seconds; }));
  print(line('hv.intmix_mips_ratio', hv / native, 2, 'guest MIPS under booke-hv (2.06) / native, intmix (target >= 0.9)'));

  const labos = guestElf('labos/labos.elf');
  const script = 'run; run hello; bench; poweroff';
  const n = timeRun(labos, script, 'native');
  const h = timeRun(labos, script, 'booke-hv');
  print(line('hv.labos_mips_ratio', (h.insns / h.seconds) / (n.insns / n.seconds), 2, `guest MIPS under booke-hv (2.06) / native, labOS scripted benchmark session (${h.exits} exits)`));
  labosAcrossModels(print);
  labosSmp(print);
}

/**
 * labOS's `smp bench` with 2 vCPUs: an IPI's round trip (a doorbell each
 * way), a TLB shootdown (tlbivax + tlbsync), a contended lwarx/stwcx.
 * counter; natively, under booke-hv with the 2.06 preset and with nothing
 * duplicated. Guest ticks per operation, and exits per round trip and per
 * shootdown (deterministic: one run each).
 */
function labosSmp(print: Print): void {
  const labos = guestElf('labos/labos.elf');
  const rows = (bootargs: string) => `${bootargs}smp bench; poweroff`;
  const configs: [string, GuestModel, PresetId][] = [['native', 'native', 'isa206'], ['isa206', 'booke-hv', 'isa206'], ['none', 'booke-hv', 'none']];
  for (const [name, model, preset] of configs) {
    // The exits of the benchmark alone: a run that only starts the CPUs, subtracted.
    const base = runElf(labos, { bootargs: rows('').replace('smp bench', 'smp'), smp: 2, model, hw: presetConfig(preset) });
    const r = runElf(labos, { bootargs: rows(''), smp: 2, model, hw: presetConfig(preset) });
    if (r.reason !== 'reset' || base.reason !== 'reset') throw new Error(`labOS smp bench: ${r.reason} ${r.message ?? ''}`);
    const text = Buffer.from(r.console).toString('latin1');
    for (const m of text.matchAll(/^bench (\S+) (\d+) \d+ (\d+\.\d\d)\r?$/gm)) {
      print(line(`hv.smp.${name}.${m[1]}_ticks`, Number(m[3]), 2, `guest ticks per operation, labOS smp bench with 2 vCPUs, ${model === 'native' ? 'native' : `booke-hv, preset ${preset}`}`));
    }
    if (model === 'native') continue;
    const exits = r.stats.exits - base.stats.exits;
    const kicks = (r.stats.counters.dbell_exits?.total ?? 0) - (base.stats.counters.dbell_exits?.total ?? 0);
    print(line(`hv.smp.${name}.exits`, exits, 0, `exits during labOS's smp bench (200 IPI round trips, 500 shootdowns, 4000 contended increments), preset ${preset}`));
    print(line(`hv.smp.${name}.kicks_per_ipi`, kicks / 200, 2, `host-doorbell exits (dbell_exits) per IPI round trip, preset ${preset}`));
  }
}
