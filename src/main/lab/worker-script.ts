// Where the guest worker's code is. The worker is always its own script:
//   - built: `guest-worker.js` next to the bundle that runs the session
//     (out/main/ from electron-vite, node_modules/.cache/lab/ from
//     scripts/bundle-lab.mjs for the CLI, tests and benchmarks); a shared
//     chunk may sit one directory below its entry, so the parent is checked too;
//   - LAB_WORKER_SCRIPT (or the LabSession option) names one explicitly;
//   - from source (tests without a bundle), the TypeScript entry through
//     tsx's CommonJS hook: `--require tsx/cjs` works in workers under node 20,
//     `--import tsx` does not. It runs the emulator about 2x slower.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WORKER_BUNDLE_NAME = 'guest-worker.js';

export interface WorkerScript {
  path: string;
  /** Node options for the worker (never inherited from the parent, which may run under a loader). */
  execArgv: string[];
}

function forPath(path: string): WorkerScript {
  return { path, execArgv: path.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [] };
}

export function resolveWorkerScript(explicit?: string): WorkerScript {
  const given = explicit ?? process.env.LAB_WORKER_SCRIPT;
  if (given) {
    if (!existsSync(given)) throw new Error(`The guest worker script ${given} does not exist`);
    return forPath(resolve(given));
  }
  for (const dir of [__dirname, resolve(__dirname, '..')]) {
    const built = join(dir, WORKER_BUNDLE_NAME);
    if (existsSync(built)) return forPath(built);
  }
  const source = resolve(__dirname, '..', 'guest', 'worker.ts');
  if (existsSync(source)) return forPath(source);
  throw new Error(`The guest worker is not built (no ${WORKER_BUNDLE_NAME} next to ${__dirname}); run "npm run build"`);
}
