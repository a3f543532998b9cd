// Every guest image under resources/guests rebuilds byte for byte from its
// sources (scripts/build-guests.mjs --check), one test per guest so that a
// failure names its guest.  Without the cross toolchain the script exits with
// status 3 and the tests are skipped with a note. Linux is the exception (below).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missing } from '../../support/tools';

const root = join(import.meta.dirname, '..', '..', '..');
const guestsDir = join(root, 'resources', 'guests');
const guests = readdirSync(guestsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(guestsDir, d.name, 'build.sh')))
  .map((d) => d.name)
  // The Linux guest's rebuild compiles a kernel (about ten minutes on two
  // cores): it is checked by hand with `npm run guests -- --check linux`.
  .filter((name) => name !== 'linux')
  .sort();

describe('guest images are reproducible', () => {
  for (const name of guests) {
    it(name, (ctx) => {
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-guests.mjs'), '--check', name], {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (r.status === 3 && missing('powerpc-linux-gnu-gcc', false)) {
        ctx.skip('powerpc-linux-gnu-gcc is not installed: cannot rebuild guest images');
        return;
      }
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/reproducible/);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/differs|not committed/);
    }, 120_000);
  }
});
