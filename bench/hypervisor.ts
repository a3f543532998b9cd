// Costs of the hypervisor in host time (issue 6): a trapped SPR access round
// trip, and guest MIPS under booke-hv with the Power ISA 2.06 preset relative
// to the same guest natively.

import type { GuestModel } from '../src/shared/api';
import { presetConfig } from '../src/shared/hw';
import { runElf } from '../src/main/guest/run';
import { guestElf, line, median, type Print } from './util';

function timeRun(elf: Uint8Array, bootargs: string, model: GuestModel): { seconds: number; insns: number; exits: number } {
  const t0 = performance.now();
  const r = runElf(elf, { bootargs, model, hw: presetConfig('isa206') });
  if (r.reason !== 'reset') throw new Error(`${r.reason} ${r.message ?? ''}`);
  return { seconds: (performance.now() - t0) / 1000, insns: r.insns, exits: r.stats.exits };
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
}
