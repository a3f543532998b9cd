// Speed and memory of the e500mc core (issue 4): guest MIPS on an integer
// workload in the spirit of CoreMark (intmix) and on a TLB-miss-heavy memory
// walk (memwalk), with the block translator and with the interpreter alone,
// and the same ELFs on QEMU TCG in the same run for the ratio.

import { CORE_AREA_BYTES } from '../src/main/cpu/memory';
import { runElf } from '../src/main/guest/run';
import { guestElf, guestPath, line, median, type Print, qemuAvailable, qemuInstructions, qemuSeconds, spread, translationFigures } from './util';

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

/** One lab run of a workload: host seconds around the whole run (a fresh core), instructions, and the rate over its second half. */
function labRun(w: Workload, bootargs: string, jit: 'on' | 'off'): { seconds: number; insns: number; steady: number } {
  const elf = guestElf(w.elf);
  const marks: [number, number][] = [];
  const t0 = performance.now();
  const r = runElf(elf, { bootargs, jit, onSlice: (_hv, m) => { marks.push([performance.now(), m.cpu.insns]); } });
  const seconds = (performance.now() - t0) / 1000;
  if (r.reason !== 'reset') throw new Error(`${w.name}: ${r.reason} ${r.message ?? ''}`);
  const half = marks[marks.length >> 1] ?? [t0, 0];
  const last = marks[marks.length - 1] ?? [t0 + seconds * 1000, r.insns];
  return { seconds, insns: r.insns, steady: (last[1] - half[1]) / Math.max(1e-6, (last[0] - half[0]) / 1000) / 1e6 };
}

/**
 * Guest MIPS of the lab on a workload, timed as QEMU is: the median time of a
 * minimal run (start-up: building the board, loading, the first translations)
 * is subtracted from each full run, and the rate is the instructions between
 * the two over that time. Also the rate over each run's second half (steady
 * state, translation and V8's tiering done: what a long-running guest on a
 * worker gets; runtime.worker_over_cpu_bench compares the two).
 */
export function labMips(w: Workload, jit: 'on' | 'off', runs: number): { rates: number[]; steady: number[]; insns: number } {
  const small = [0, 1, 2].map(() => labRun(w, w.small, jit));
  const base = median(small.map((r) => r.seconds));
  const rates: number[] = [];
  const steady: number[] = [];
  let insns = 0;
  for (let k = 0; k < runs; k++) {
    const r = labRun(w, w.args, jit);
    insns = r.insns;
    rates.push((r.insns - small[0]!.insns) / Math.max(1e-3, r.seconds - base) / 1e6);
    steady.push(r.steady);
  }
  return { rates, steady, insns };
}

export const INTMIX = WORKLOADS[0]!;

export async function cpuBenchmarks(print: Print = (l) => console.log(l)): Promise<void> {
  memory(print);
  for (const w of WORKLOADS) {
    const lab = labMips(w, 'on', 3);
    const labMedian = median(lab.rates);
    print(line(`cpu.${w.name}.lab_mips`, labMedian, 1, `guest MIPS, ${w.name} (${(lab.insns / 1e6).toFixed(0)} M instructions), block translator, MMU on, start-up subtracted, median (${spread(lab.rates, 1)})${w.name === 'intmix' ? ' (target >= 250)' : ''}`));
    print(line(`cpu.${w.name}.lab_mips_steady`, median(lab.steady), 1, `guest MIPS over the second half of each run (translation and V8 tiering done), median (${spread(lab.steady, 1)})`));
    translationFigures(`cpu.${w.name}`, print, () => {
      const t0 = performance.now();
      const result = runElf(guestElf(w.elf), { bootargs: w.args });
      return { seconds: (performance.now() - t0) / 1000, result };
    });
    const interp = labMips(w, 'off', 3);
    print(line(`cpu.${w.name}.interpreter_mips`, median(interp.rates), 1, `guest MIPS, ${w.name}, the reference interpreter alone, start-up subtracted, median (${spread(interp.rates, 1)})`));
    if (qemuAvailable()) {
      // QEMU's own instruction count (its TLB victim choice differs from the lab's, so memwalk's does too).
      const qInsns = qemuInstructions(guestPath(w.elf), w.args) - qemuInstructions(guestPath(w.elf), w.small);
      const base = median([0, 1, 2].map(() => qemuSeconds(guestPath(w.elf), w.small)));
      const rates = [0, 1, 2].map(() => qInsns / Math.max(1e-3, qemuSeconds(guestPath(w.elf), w.args) - base) / 1e6);
      const qemuMips = median(rates);
      print(line(`cpu.${w.name}.qemu_minsns`, qInsns / 1e6, 1, `million instructions QEMU executes beyond the minimal run (-icount shift=0, separate run; the lab: ${((lab.insns) / 1e6).toFixed(1)} in all)`));
      print(line(`cpu.${w.name}.qemu_mips`, qemuMips, 1, `guest MIPS, the same ELF on QEMU 7.2 TCG from its own count, start-up subtracted, median (${spread(rates, 1)})`));
      print(line(`cpu.${w.name}.lab_over_qemu`, labMedian / qemuMips, 2, `ratio of the medians lab / QEMU (range ${(Math.min(...lab.rates) / Math.max(...rates)).toFixed(2)}-${(Math.max(...lab.rates) / Math.min(...rates)).toFixed(2)}; issue 13's target ${w.name === 'intmix' ? '>= 1.2' : '>= 1.0'})`));
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
  // RAM lives in a WebAssembly memory (not counted among array buffers) with the core's area after it.
  const buffers = (after.arrayBuffers - before.arrayBuffers + CORE_AREA_BYTES) / 2 ** 20;
  // (r stays alive until here, so its machine is counted.)
  print(line('memory.emulator_mb', heap + buffers, 1, `MB the emulator adds beyond the guest's ${ram >> 20} MB of RAM after a labOS benchmark run of ${(r.insns / 1e6).toFixed(0)} M instructions (heap ${heap.toFixed(1)} + typed arrays ${buffers.toFixed(1)}; target <= 32)`));
}
