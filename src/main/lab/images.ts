// The guest images that ship with the lab: every prebuilt ELF under
// resources/guests/<dir>/, with the first line of the directory's README (or
// the first comment of its main source) as a description.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { GuestImage } from '../../shared/api';

/** Finds resources/guests from the source tree, the built output or the packaged app. */
export function findGuestsDir(start: string = __dirname): string | undefined {
  let dir = resolve(start);
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'guests');
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function describeDir(dir: string): string {
  const readme = join(dir, 'README.md');
  if (existsSync(readme)) {
    const line = readFileSync(readme, 'utf8').split('\n').find((l) => l.trim() && !l.startsWith('#'));
    if (line) return line.trim().slice(0, 200);
  }
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.c')).sort()) {
    const m = /\/\*\s*([^\n*]+)/.exec(readFileSync(join(dir, f), 'utf8'));
    if (m) return m[1]!.trim().slice(0, 200);
  }
  return '';
}

export function listGuestImages(guestsDir = findGuestsDir()): GuestImage[] {
  if (!guestsDir) return [];
  const repo = resolve(guestsDir, '..', '..');
  const images: GuestImage[] = [];
  for (const entry of readdirSync(guestsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(guestsDir, entry.name);
    const description = describeDir(dir);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.elf')).sort()) {
      const path = join(dir, f);
      images.push({ id: f.replace(/\.elf$/, ''), path: relative(repo, path), size: statSync(path).size, description });
    }
  }
  return images.sort((a, b) => (a.id === 'labos' ? -1 : b.id === 'labos' ? 1 : a.id.localeCompare(b.id)));
}

/** The absolute path of a bundled image, or undefined. */
export function guestImagePath(id: string, guestsDir = findGuestsDir()): string | undefined {
  if (!guestsDir || !/^[A-Za-z0-9_.-]+$/.test(id)) return undefined;
  const image = listGuestImages(guestsDir).find((i) => i.id === id);
  return image ? resolve(guestsDir, '..', '..', image.path) : undefined;
}
