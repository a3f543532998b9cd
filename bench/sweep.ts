// Sweeps (issue 15): a 32-configuration sweep of labOS's whole benchmark suite (every
// subset of five registers duplicated), timed with one and with two worker
// threads (the target is a ratio of at least 1.8 on two cores), and from one
// booted snapshot per model against booting for every configuration.

import { join } from 'node:path';
import { parseExperiment } from '../src/shared/experiment';
import { runExperiment } from '../src/main/lab/experiment';
import { bundleLab } from '../scripts/bundle-lab.mjs';
import { line, type Print } from './util';

const REPO = join(__dirname, '..');

function spec(snapshot: boolean) {
  return parseExperiment(JSON.stringify({
    name: 'bench-sweep',
    workload: {
      image: 'labos',
      ...(snapshot ? { snapshotAt: 'labos> ' } : {}),
      // The suite eight times: each run long enough that a worker's own warm-up (V8 compiling the emulator) is not what is measured.
      input: `${'bench\n'.repeat(8)}poweroff\n`,
    },
    models: ['booke-hv'],
    configurations: [{ family: 'subsets', of: ['SRR0', 'SRR1', 'SPRG0', 'SPRG1', 'TCR'] }],
  }));
}

async function wall(workerScript: string, snapshot: boolean, workers: number): Promise<{ s: number; runs: number }> {
  const t0 = performance.now();
  const r = await runExperiment(spec(snapshot), { baseDir: REPO, workers, workerScript });
  return { s: (performance.now() - t0) / 1000, runs: r.runs.length };
}

export async function sweepBenchmarks(print: Print = (l) => console.log(l)): Promise<void> {
  const { worker } = await bundleLab({ workerOnly: true });
  const one = await wall(worker, true, 1);
  const two = await wall(worker, true, 2);
  const boots = await wall(worker, false, 2);
  print(line('sweep.configs', one.runs - 1, 0, 'configurations in the sweep (every subset of SRR0, SRR1, SPRG0, SPRG1, TCR)'));
  print(line('sweep.jobs1_s', one.s, 2, 'wall time, one worker thread, from one booted snapshot per model'));
  print(line('sweep.jobs2_s', two.s, 2, 'wall time, two worker threads, from one booted snapshot per model'));
  print(line('sweep.jobs_ratio', one.s / two.s, 2, 'speed-up of two workers over one (target >= 1.8 on two cores)'));
  print(line('sweep.boot_each_s', boots.s, 2, 'wall time, two workers, every configuration booting labOS itself'));
  print(line('sweep.snapshot_gain', boots.s / two.s, 2, 'booting each time over starting from the snapshot'));
}
