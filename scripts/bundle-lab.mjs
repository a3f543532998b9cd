#!/usr/bin/env node
// Bundles the headless lab (src/main/cli) and the guest worker with esbuild
// into one directory, so the CLI, the tests and the benchmarks run the
// emulator as plain JavaScript: through tsx it runs about 2x slower. The
// session finds guest-worker.js next to the bundle that loads it
// (src/main/lab/worker-script.ts). Packages stay external (resolved from
// node_modules). Usage: node scripts/bundle-lab.mjs [OUTDIR] [--worker-only]
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const DEFAULT_OUT_DIR = resolve(root, 'node_modules', '.cache', 'lab');

/**
 * Writes OUTDIR/guest-worker.js and, unless workerOnly, OUTDIR/cli.js.
 * Returns the paths written.
 */
export async function bundleLab({ outDir = DEFAULT_OUT_DIR, workerOnly = false } = {}) {
  const entryPoints = { 'guest-worker': resolve(root, 'src/main/guest/worker.ts') };
  if (!workerOnly) entryPoints.cli = resolve(root, 'src/main/cli/index.ts');
  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  return {
    worker: resolve(outDir, 'guest-worker.js'),
    ...(workerOnly ? {} : { cli: resolve(outDir, 'cli.js') }),
  };
}

// No top-level await: tsx loads this module from CommonJS code too (bench/).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  bundleLab({ outDir: args.find((a) => !a.startsWith('--')) ?? DEFAULT_OUT_DIR, workerOnly: args.includes('--worker-only') })
    .then((out) => console.log(Object.values(out).join('\n')), (e) => {
      console.error(e);
      process.exit(1);
    });
}
