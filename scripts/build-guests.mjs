#!/usr/bin/env node
// Rebuilds every guest image under resources/guests from source with Debian's
// gcc-powerpc-linux-gnu. Each guest directory owns a build.sh taking an output
// directory. `--check` builds into a temporary directory instead and compares
// the result byte for byte with the committed ELF files (reproducibility).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

const guests = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'build.sh')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

let failures = 0;
for (const name of guests) {
  const dir = join(root, name);
  const out = check ? mkdtempSync(join(tmpdir(), `guest-${name}-`)) : dir;
  const r = spawnSync('bash', [join(dir, 'build.sh'), out], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`guests: ${name}: build failed (status ${r.status})`);
    failures++;
    continue;
  }
  if (!check) {
    console.log(`guests: ${name}: built`);
    continue;
  }
  for (const file of readdirSync(out).filter((f) => f.endsWith('.elf')).sort()) {
    const committed = join(dir, file);
    if (!existsSync(committed)) {
      console.error(`guests: ${name}/${file}: built but not committed`);
      failures++;
    } else if (!readFileSync(committed).equals(readFileSync(join(out, file)))) {
      console.error(`guests: ${name}/${file}: rebuild differs from the committed image`);
      failures++;
    } else {
      console.log(`guests: ${name}/${file}: reproducible`);
    }
  }
  rmSync(out, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
