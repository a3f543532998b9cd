// `npm run lab` skips esbuild when the bundle is newer than everything it is
// built from (scripts/lab-freshness.mjs).
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleIsCurrent } from '../../../scripts/lab-freshness.mjs';

let root = '';
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project at time t0: sources, the bundler, package.json, a tsconfig; the bundle at t0 + 10 s. */
function project() {
  root = mkdtempSync(join(tmpdir(), 'lab-fresh-'));
  made.push(root);
  const t0 = new Date('2026-01-01T00:00:00Z');
  const at = (path: string, when: Date, data = 'x') => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    utimesSync(path, when, when);
  };
  for (const f of ['src/main/a.ts', 'src/main/cpu/b.ts', 'scripts/bundle-lab.mjs', 'package.json', 'tsconfig.node.json']) at(join(root, f), t0);
  for (const d of ['src/main/cpu', 'src/main', 'src']) utimesSync(join(root, d), t0, t0);
  const later = new Date(t0.getTime() + 10_000);
  const outputs = [join(root, 'out/cli.js'), join(root, 'out/guest-worker.js')];
  for (const o of outputs) at(o, later);
  return { outputs, touch: (f: string) => utimesSync(join(root, f), new Date(t0.getTime() + 20_000), new Date(t0.getTime() + 20_000)) };
}

describe('bundleIsCurrent', () => {
  it('is true for a bundle newer than every input', () => {
    const p = project();
    expect(bundleIsCurrent(root, p.outputs)).toBe(true);
  });

  it.each(['src/main/cpu/b.ts', 'scripts/bundle-lab.mjs', 'package.json', 'tsconfig.node.json', 'src/main'])('is false once %s is newer', (f) => {
    const p = project();
    p.touch(f);
    expect(bundleIsCurrent(root, p.outputs)).toBe(false);
  });

  it('is false when an output is missing, or a source was deleted since (its directory changed)', () => {
    const p = project();
    unlinkSync(p.outputs[1]!);
    expect(bundleIsCurrent(root, p.outputs)).toBe(false);
    const q = project();
    unlinkSync(join(root, 'src/main/cpu/b.ts'));
    expect(bundleIsCurrent(root, q.outputs)).toBe(false);
  });
});
