// Vitest global set-up: bundles the guest worker and the `lab` CLI with
// esbuild (as `npm run lab` does) so tests that start guests run the
// emulator as plain JavaScript, and tells every LabSession where the worker
// is (LAB_WORKER_SCRIPT) and the CLI tests where the CLI is (LAB_CLI_SCRIPT);
// the test processes inherit this environment.
import { resolve } from 'node:path';
import { bundleLab } from '../../scripts/bundle-lab.mjs';

export default async function setup(): Promise<void> {
  const { worker, cli } = await bundleLab({ outDir: resolve('node_modules/.cache/lab-test') });
  process.env.LAB_WORKER_SCRIPT = worker;
  process.env.LAB_CLI_SCRIPT = cli!;
}
