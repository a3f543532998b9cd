// `npm run bench`: every benchmark, one figure a line (`name value #
// description`). Figures depend on the host and on what else it runs: run on
// an otherwise idle machine. Never part of `npm test`.

import { loadavg, cpus } from 'node:os';
import { cpuBenchmarks } from './cpu';
import { hypervisorBenchmarks } from './hypervisor';
import { linuxBenchmarks } from './linux';
import { runtimeBenchmarks } from './runtime';
import { sweepBenchmarks } from './sweep';

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const want = (name: string) => only.length === 0 || only.includes(name);

async function main(): Promise<void> {
  console.log(`# Hypervisor Lab benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (want('cpu')) await cpuBenchmarks();
  if (want('hv')) await hypervisorBenchmarks();
  if (want('runtime')) await runtimeBenchmarks();
  if (want('linux')) await linuxBenchmarks();
  if (want('sweep')) await sweepBenchmarks();
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
