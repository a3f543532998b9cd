#!/usr/bin/env node
// `npm run lab -- ...`: bundles the CLI and the guest worker (esbuild, a
// fraction of a second; skipped when the bundle is newer than its sources,
// lab-freshness.mjs) and runs the bundle in this process at full speed.
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleIsCurrent } from './lab-freshness.mjs';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const outDir = join(root, 'node_modules', '.cache', 'lab');
const built = { cli: join(outDir, 'cli.js'), worker: join(outDir, 'guest-worker.js') };
const { cli } = bundleIsCurrent(root, [built.cli, built.worker]) ? built : await (await import('./bundle-lab.mjs')).bundleLab();
await import(pathToFileURL(cli).href);
