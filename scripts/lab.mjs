#!/usr/bin/env node
// `npm run lab -- ...`: bundles the CLI and the guest worker (esbuild, a
// fraction of a second) and runs the bundle in this process at full speed.
import { pathToFileURL } from 'node:url';
import { bundleLab } from './bundle-lab.mjs';

const { cli } = await bundleLab();
await import(pathToFileURL(cli).href);
