// Speed and memory of the e500mc core (issue 4): guest MIPS on an integer
// workload in the spirit of CoreMark (intmix) and on a TLB-miss-heavy memory
// walk (memwalk), with the block translator and with the interpreter alone,
// and the same ELFs on QEMU TCG in the same run for the ratio.

import { runElf } from '../src/main/guest/run';
import { guestElf, guestPath, line, median, type Print, qemuAvailable, qemuSeconds } from './util';

interface Workload {
  name: string;
  elf: string;
  /** Bootargs for a long run and for a minimal run (start-up cost). */
  args: string;
  small: string;
}

const WORKLOADS: Workload[] = [
  { name: 'intmix', elf: 'bench/intmix.elf', args: 'iterations=3000', small: 'iterations=1' },
  { name: 'memwalk', elf: 'bench/memwalk.elf', args: 'passes=120', small: 'passes=1' },
];

/**
 * Guest MIPS of the lab on a workload: median of runs, each timed around the
 * whole run (a fresh core: translation and V8's tiering included), and the
 * rate over each run's second half (steady state, what a long-running guest
 * on a worker gets; runtime.mips_1_guest measures that on a worker).
 */
function labMips(w: Workload, jit: 'on' | 'off', runs: number): { mips: number; steady: number; insns: number } {
  const elf = guestElf(w.elf);
  const rates: number[] = [];
  const steady: number[] = [];
  let insns = 0;
  for (let k = 0; k < runs; k++) {
    const marks: [number, number][] = [];
    const t0 = performance.now();
    const r = runElf(elf, { bootargs: w.args, jit, onSlice: (_hv, m) => { marks.push([performance.now(), m.cpu.insns]); } });
    const dt = (performance.now() - t0) / 1000;
    if (r.reason !== 'reset') throw new Error(`${w.name}: ${r.reason} ${r.message ?? ''}`);
    insns = r.insns;
    rates.push(r.insns / dt / 1e6);
    const half = marks[marks.length >> 1]!;
    const last = marks[marks.length - 1]!;
    steady.push((last[1] - half[1]) / Math.max(1e-6, (last[0] - half[0]) / 1000) / 1e6);
  }
  return { mips: median(rates), steady: median(steady), insns };
}

export async function cpuBenchmarks(print: Print = (l) => console.log(l)): Promise<void> {
  memory(print);
  for (const w of WORKLOADS) {
    const lab = labMips(w, 'on', 3);
    print(line(`cpu.${w.name}.lab_mips`, lab.mips, 1, `guest MIPS, ${w.name} (${(lab.insns / 1e6).toFixed(0)} M instructions), block translator, MMU on, median of 3${w.name === 'intmix' ? ' (target >= 250)' : ''}`));
    print(line(`cpu.${w.name}.lab_mips_steady`, lab.steady, 1, `guest MIPS over the second half of each run (translation and V8 tiering done), median of 3`));
    const interp = labMips(w, 'off', 1);
    print(line(`cpu.${w.name}.interpreter_mips`, interp.mips, 1, `guest MIPS, ${w.name}, the reference interpreter alone`));
    if (qemuAvailable()) {
      const base = median([0, 1, 2].map(() => qemuSeconds(guestPath(w.elf), w.small)));
      const full = median([0, 1, 2].map(() => qemuSeconds(guestPath(w.elf), w.args)));
      const qemuMips = lab.insns / Math.max(1e-3, full - base) / 1e6;
      print(line(`cpu.${w.name}.qemu_mips`, qemuMips, 1, `guest MIPS, the same ELF on QEMU 7.2 TCG (start-up subtracted), median of 3`));
      print(line(`cpu.${w.name}.lab_over_qemu`, lab.mips / qemuMips, 2, 'ratio lab / QEMU (the project goal is parity)'));
    } else {
      print(`cpu.${w.name}.qemu_mips n/a # qemu-system-ppc is not installed`);
    }
  }
}

/** Memory the emulator itself uses beyond the guest's RAM, after a run (the machine kept alive). */
function memory(print: Print): void {
  if (!global.gc) {
    print('memory.emulator_mb n/a # run with --expose-gc (npm run bench does)');
    return;
  }
  global.gc();
  const before = process.memoryUsage();
  const r = runElf(guestElf('labos/labos.elf'), { bootargs: 'run; run hello; bench; poweroff' });
  const ram = r.machine.ramSize;
  global.gc();
  const after = process.memoryUsage();
  const heap = (after.heapUsed - before.heapUsed) / 2 ** 20;
  const buffers = (after.arrayBuffers - before.arrayBuffers - ram) / 2 ** 20;
  // (r stays alive until here, so its machine is counted.)
  print(line('memory.emulator_mb', heap + buffers, 1, `MB the emulator adds beyond the guest's ${ram >> 20} MB of RAM after a labOS benchmark run of ${(r.insns / 1e6).toFixed(0)} M instructions (heap ${heap.toFixed(1)} + typed arrays ${buffers.toFixed(1)}; target <= 32)`));
}
