#!/usr/bin/env node
// `npm start`: launches the built app in Electron, or explains what to do when
// the Electron binary is missing (it is downloaded by electron's install
// script; machines that cannot download it can still use `npm run web`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let electronPath;
try {
  electronPath = require('electron');
} catch (e) {
  electronPath = undefined;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  console.error('Hypervisor Lab: the Electron binary is not installed.');
  console.error('  It is downloaded by "npm install" (node_modules/electron/install.js); it was skipped');
  console.error('  (ELECTRON_SKIP_BINARY_DOWNLOAD) or could not reach its download host.');
  console.error('  Fix: "node node_modules/electron/install.js" on a machine with access, or use');
  console.error('  "npm run web" to open the same lab in a browser.');
  process.exit(1);
}
const args = ['.'];
// Chromium refuses to start as root without --no-sandbox (containers, CI images).
if (process.getuid?.() === 0) {
  console.error('Hypervisor Lab: running as root, so Chromium\'s OS sandbox is disabled (--no-sandbox).');
  args.unshift('--no-sandbox');
}
const child = spawn(electronPath, args, { stdio: 'inherit' });
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
