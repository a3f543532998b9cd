#!/usr/bin/env node
// Rebuilds every guest image under resources/guests from source with Debian's
// gcc-powerpc-linux-gnu. Each guest directory owns a build.sh taking an output
// directory. `--check` builds into a temporary directory instead and compares
// the result byte for byte with the committed ELF files (reproducibility);
// gzipped images (*.gz, the Linux guest's vmlinux.gz) are compared by their
// uncompressed bytes.
//
// Guests in SLOW_GUESTS (the Linux kernel: about 10 minutes on 2 cores) are
// built or checked only when named: `npm run guests -- linux`,
// `node scripts/build-guests.mjs --check linux`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', 'resources', 'guests');
const args = process.argv.slice(2);
const check = args.includes('--check');
const only = args.filter((a) => !a.startsWith('--'));

const compiler = spawnSync('powerpc-linux-gnu-gcc', ['--version'], { encoding: 'utf8' });
if (compiler.error || compiler.status !== 0) {
  console.error('guests: powerpc-linux-gnu-gcc was not found. Install Debian\'s cross toolchain:');
  console.error('  sudo apt-get install gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu');
  process.exit(check ? 3 : 1);
}

const SLOW_GUESTS = new Set(['linux']);

const available = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'build.sh')))
  .map((d) => d.name)
  .sort();
for (const name of only) {
  if (!available.includes(name)) {
    console.error(`guests: no guest named '${name}' (have: ${available.join(', ')})`);
    process.exit(1);
  }
}
const guests = available.filter((name) => (only.length === 0 ? !SLOW_GUESTS.has(name) : only.includes(name)));
if (only.length === 0) {
  for (const name of available.filter((n) => SLOW_GUESTS.has(n))) {
    console.log(`guests: ${name}: skipped (a full build takes about 10 minutes); ` +
      `run \`node scripts/build-guests.mjs ${check ? '--check ' : ''}${name}\` to include it`);
  }
}

// Reads `package <name> <version>` lines of a guest's SOURCE file.
function packageVersions(file) {
  const versions = new Map();
  if (!existsSync(file)) return versions;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^package (\S+) (\S+)$/.exec(line);
    if (m) versions.set(m[1], m[2]);
  }
  return versions;
}

// Why a rebuilt image may differ: the packages whose versions changed.
function explainDifference(dir, out) {
  const committed = packageVersions(join(dir, 'SOURCE'));
  const rebuilt = packageVersions(join(out, 'SOURCE'));
  if (committed.size === 0 || rebuilt.size === 0) return;
  const changed = [];
  for (const name of new Set([...committed.keys(), ...rebuilt.keys()])) {
    const a = committed.get(name) ?? '(none)';
    const b = rebuilt.get(name) ?? '(none)';
    if (a !== b) changed.push(`${name} ${a} -> ${b}`);
  }
  if (changed.length) {
    console.error(`guests:   built with different package versions: ${changed.join('; ')}`);
  } else {
    console.error('guests:   the package versions in SOURCE are the same: the build is not reproducible');
  }
}

// The bytes an image is compared by: gzipped files uncompressed.
function imageBytes(file) {
  const data = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(data) : data;
}

let failures = 0;
for (const name of guests) {
  const dir = join(root, name);
  const out = check ? mkdtempSync(join(tmpdir(), `guest-${name}-`)) : dir;
  // A check builds from scratch (for Linux: a fresh kernel object directory).
  const env = check ? { ...process.env, LAB_LINUX_FRESH: '1' } : process.env;
  const r = spawnSync('bash', [join(dir, 'build.sh'), out], { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (r.status !== 0) {
    console.error(`guests: ${name}: build failed (status ${r.status})`);
    failures++;
    if (check) rmSync(out, { recursive: true, force: true });
    continue;
  }
  if (!check) {
    console.log(`guests: ${name}: built`);
    continue;
  }
  for (const file of readdirSync(out).filter((f) => f.endsWith('.elf') || f.endsWith('.gz')).sort()) {
    const committed = join(dir, file);
    if (!existsSync(committed)) {
      console.error(`guests: ${name}/${file}: built but not committed`);
      failures++;
    } else if (!imageBytes(committed).equals(imageBytes(join(out, file)))) {
      console.error(`guests: ${name}/${file}: rebuild differs from the committed image`);
      explainDifference(dir, out);
      failures++;
    } else {
      console.log(`guests: ${name}/${file}: reproducible`);
    }
  }
  rmSync(out, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
