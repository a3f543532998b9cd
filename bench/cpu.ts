// Speed and memory of the e500mc core (issue 4): guest MIPS on an integer
// workload in the spirit of CoreMark (intmix) and on a TLB-miss-heavy memory
// walk (memwalk), with the block translator and with the interpreter alone,
// and the same ELFs on QEMU TCG in the same run for the ratio.

import { CORE_AREA_BYTES } from '../src/main/cpu/memory';
import { runElf } from '../src/main/guest/run';
import { guestElf, guestPath, line, median, pairRatios, type Print, qemuAvailable, qemuInstructions, qemuSeconds, spread, translationFigures } from './util';

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
export function labRun(w: Workload, bootargs: string, jit: 'on' | 'off'): { seconds: number; insns: number; steady: number } {
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

/** A workload's start-up in the lab: the median host seconds of three minimal runs, and their instructions. */
function labStartUp(w: Workload, jit: 'on' | 'off'): { seconds: number; insns: number } {
  const small = [0, 1, 2].map(() => labRun(w, w.small, jit));
  return { seconds: median(small.map((r) => r.seconds)), insns: small[0]!.insns };
}

/**
 * One full run's guest MIPS in the lab, timed as QEMU's is: the start-up
 * (building the board, loading, the first translations: labStartUp) is
 * subtracted, and the rate is the instructions beyond the minimal run over
 * the time left. Also the rate over the run's second half (steady state,
 * translation and V8's tiering done: what a long-running guest on a worker
 * gets; runtime.worker_over_cpu_bench compares the two).
 */
function labRate(w: Workload, jit: 'on' | 'off', startUp: { seconds: number; insns: number }): { rate: number; steady: number; insns: number } {
  const r = labRun(w, w.args, jit);
  return { rate: (r.insns - startUp.insns) / Math.max(1e-3, r.seconds - startUp.seconds) / 1e6, steady: r.steady, insns: r.insns };
}

/** Guest MIPS of the lab on a workload over `runs` full runs (labRate), and their steady rates. */
export function labMips(w: Workload, jit: 'on' | 'off', runs: number): { rates: number[]; steady: number[]; insns: number } {
  const startUp = labStartUp(w, jit);
  const all = Array.from({ length: runs }, () => labRate(w, jit, startUp));
  return { rates: all.map((r) => r.rate), steady: all.map((r) => r.steady), insns: all[all.length - 1]!.insns };
}

/** QEMU on a workload: the instructions it executes beyond its minimal run (its own count) and its start-up seconds. */
function qemuStartUp(w: Workload): { insns: number; seconds: number } {
  // QEMU's own instruction count (its TLB victim choice differs from the lab's, so memwalk's does too).
  const insns = qemuInstructions(guestPath(w.elf), w.args) - qemuInstructions(guestPath(w.elf), w.small);
  return { insns, seconds: median([0, 1, 2].map(() => qemuSeconds(guestPath(w.elf), w.small))) };
}

/** One full QEMU run's guest MIPS, start-up subtracted. */
function qemuRate(w: Workload, startUp: { insns: number; seconds: number }): number {
  return startUp.insns / Math.max(1e-3, qemuSeconds(guestPath(w.elf), w.args) - startUp.seconds) / 1e6;
}

export const INTMIX = WORKLOADS[0]!;

/** Lab and QEMU runs of each workload, alternated: the ratio is the median of the pairs' ratios. */
const PAIRS = 5;

export async function cpuBenchmarks(print: Print = (l) => console.log(l)): Promise<void> {
  memory(print);
  const qemu = qemuAvailable();
  for (const w of WORKLOADS) {
    // The VM's speed swings by a third between spells: a lab run and a QEMU run made back to back see the same
    // spell, so each pair's ratio is fair where medians of runs made a minute apart need not be.
    const labStart = labStartUp(w, 'on');
    const qemuStart = qemu ? qemuStartUp(w) : null;
    const lab: { rate: number; steady: number; insns: number }[] = [];
    const q: number[] = [];
    for (let k = 0; k < PAIRS; k++) {
      lab.push(labRate(w, 'on', labStart));
      if (qemuStart !== null) q.push(qemuRate(w, qemuStart));
    }
    const rates = lab.map((r) => r.rate);
    const steady = lab.map((r) => r.steady);
    const insns = lab[0]!.insns;
    print(line(`cpu.${w.name}.lab_mips`, median(rates), 1, `guest MIPS, ${w.name} (${(insns / 1e6).toFixed(0)} M instructions), block translator, MMU on, start-up subtracted, median (${spread(rates, 1)})${w.name === 'intmix' ? ' (target >= 250)' : ''}`));
    print(line(`cpu.${w.name}.lab_mips_steady`, median(steady), 1, `guest MIPS over the second half of each run (translation and V8 tiering done), median (${spread(steady, 1)})`));
    if (qemuStart !== null) {
      const ratios = pairRatios(rates, q);
      print(line(`cpu.${w.name}.qemu_minsns`, qemuStart.insns / 1e6, 1, `million instructions QEMU executes beyond the minimal run (-icount shift=0, separate run; the lab: ${(insns / 1e6).toFixed(1)} in all)`));
      print(line(`cpu.${w.name}.qemu_mips`, median(q), 1, `guest MIPS, the same ELF on QEMU 7.2 TCG from its own count, start-up subtracted, each run right after a lab run, median (${spread(q, 1)})`));
      print(line(`cpu.${w.name}.lab_over_qemu`, median(ratios), 2, `lab / QEMU, the median of ${PAIRS} pairs run back to back (${spread(ratios, 2, 'pairs')}; ratio of the medians ${(median(rates) / median(q)).toFixed(2)}; issue 13's target ${w.name === 'intmix' ? '>= 1.2' : '>= 1.0'})`));
    } else {
      print(`cpu.${w.name}.qemu_mips n/a # qemu-system-ppc is not installed`);
    }
    translationFigures(`cpu.${w.name}`, print, () => {
      const t0 = performance.now();
      const result = runElf(guestElf(w.elf), { bootargs: w.args });
      return { seconds: (performance.now() - t0) / 1000, result };
    });
    const interp = labMips(w, 'off', 3);
    print(line(`cpu.${w.name}.interpreter_mips`, median(interp.rates), 1, `guest MIPS, ${w.name}, the reference interpreter alone, start-up subtracted, median (${spread(interp.rates, 1)})`));
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
