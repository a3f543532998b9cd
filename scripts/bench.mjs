#!/usr/bin/env node
// `npm run bench [cpu|hv|runtime|linux|sweep]`: bundles the benchmarks (and the guest
// worker) with esbuild and runs them as plain JavaScript: through tsx the
// emulator runs about 2x slower, which would make the figures meaningless.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLab, DEFAULT_OUT_DIR } from './bundle-lab.mjs';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const { cli } = await bundleLab();
const out = resolve(DEFAULT_OUT_DIR, 'bench.js');
await build({
  entryPoints: [resolve(root, 'bench/run.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // Loaded as itself (an ES module that locates the repository from import.meta.url).
  external: [resolve(root, 'scripts/bundle-lab.mjs')],
  logLevel: 'warning',
  // bench/ resolves guests relative to the repository, not the bundle.
  define: { __dirname: JSON.stringify(resolve(root, 'bench')) },
});
// A child process with the garbage collector exposed, for the memory figures.
// LAB_CLI_SCRIPT: the bundled `lab` command, for figures taken as a user's fresh process.
const r = spawnSync(process.execPath, ['--expose-gc', out, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, LAB_CLI_SCRIPT: cli } });
process.exit(r.status ?? 1);
