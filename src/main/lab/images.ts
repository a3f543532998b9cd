// The guest images that ship with the lab: every prebuilt ELF under
// resources/guests/<dir>/, with the first line of the directory's README (or
// the first comment of its main source) as a description. A gzip-compressed
// image (the Linux kernel, resources/guests/linux/vmlinux.gz) is listed under
// its directory's name (a variant, vmlinux-smp.gz, as linux-smp) and unpacked
// when it is loaded; so is any compressed image a user gives. Installed Debian firmware for the board (U-Boot) is
// listed too.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { GuestImage } from '../../shared/api';
import { ElfError } from '../guest/elf';

/** An unpacked image larger than this is refused (the largest board has 2 GB of RAM; kernels are tens of MB). */
const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

/**
 * zlib's output chunk for unpacking `gz`: the whole output in one chunk when
 * the trailer's size (ISIZE, the unpacked length modulo 4 GB) is believable,
 * so nothing is copied afterwards (a kernel's 5 MB: 50 -> 34 ms against 1 MB
 * chunks; zlib's default 16 KB pieces took twice as long again). Never more
 * than deflate's best ratio (1032:1) allows, so a lying trailer cannot make
 * it allocate much, and never under 64 KB; a wrong size only costs more
 * chunks.
 */
export function gunzipChunk(gz: Uint8Array): number {
  const fallback = 1 << 20;
  if (gz.length < 18) return fallback;
  const n = gz.length;
  const isize = (gz[n - 4]! | (gz[n - 3]! << 8) | (gz[n - 2]! << 16) | (gz[n - 1]! << 24)) >>> 0;
  const bound = Math.min(MAX_UNPACKED_BYTES, gz.length * 1032 + 1024);
  // One byte more than the output: zlib then ends with room to spare instead of starting a second chunk.
  // At least 64 KB, so that a trailer that says too little cannot cut the output into tiny pieces.
  return isize < bound ? Math.max(64 << 10, isize + 1) : fallback;
}

/**
 * The ELF inside an image file: the bytes themselves, or what a gzip stream
 * holds. Other compressors are named so the user knows what to do.
 */
export function unpackImage(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1F && bytes[1] === 0x8B) {
    try {
      const out = gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES, chunkSize: gunzipChunk(bytes) });
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ElfError(`${name}: a gzip file that does not unpack (${why})`);
    }
  }
  const magic = Array.from(bytes.subarray(0, 6), (b) => String.fromCharCode(b)).join('');
  if (magic === '\xFD7zXZ\0') throw new ElfError(`${name}: compressed with xz; the lab reads ELF files and gzip-compressed ELF files (unxz it, or gzip the ELF)`);
  if (magic.startsWith('BZh')) throw new ElfError(`${name}: compressed with bzip2; the lab reads ELF files and gzip-compressed ELF files`);
  if (bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xB5 && bytes[2] === 0x2F && bytes[3] === 0xFD) {
    throw new ElfError(`${name}: compressed with zstd; the lab reads ELF files and gzip-compressed ELF files`);
  }
  return bytes;
}

/** Reads an image file and unpacks it (throws ElfError, naming it `name`, for a bad compressed file). */
export function readGuestImage(path: string, name = path): Uint8Array {
  const file = readFileSync(path);
  return unpackImage(new Uint8Array(file.buffer, file.byteOffset, file.length), name);
}

/**
 * Bundled images as their guests receive them (unpacked), kept while their
 * file is unchanged (same size and modification time): a session creates
 * guests of the same few images again and again, and unpacking the Linux
 * kernel took 20-30 ms of every createGuest on the main thread. Callers must
 * not write into what they get.
 */
export class UnpackedImages {
  private readonly kept = new Map<string, { size: number; mtimeMs: number; elf: Uint8Array }>();

  constructor(private readonly limitBytes = 64 * 2 ** 20) {}

  /** The unpacked image at `path` (throws ElfError, naming it `name`, for an image that does not unpack). */
  get(path: string, name: string): Uint8Array {
    const st = statSync(path);
    const hit = this.kept.get(path);
    if (hit !== undefined && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      this.kept.delete(path);
      this.kept.set(path, hit); // most recently used last
      return hit.elf;
    }
    const elf = readGuestImage(path, name);
    this.kept.delete(path);
    if (elf.length <= this.limitBytes) {
      this.kept.set(path, { size: st.size, mtimeMs: st.mtimeMs, elf });
      let held = 0;
      for (const e of this.kept.values()) held += e.elf.length;
      for (const [k, e] of this.kept) {
        if (held <= this.limitBytes) break;
        this.kept.delete(k);
        held -= e.elf.length;
      }
    }
    return elf;
  }
}

/**
 * Images from Debian packages, listed when the package is installed: real
 * firmware nobody here wrote, for the same board.
 */
const SYSTEM_IMAGES: readonly { id: string; path: string; description: string }[] = [
  {
    id: 'u-boot',
    path: '/usr/lib/u-boot/qemu-ppce500/uboot.elf',
    description: "Debian's U-Boot for QEMU's ppce500 board (package u-boot-qemu): stop the countdown with a key, then try version, bdinfo, pci.",
  },
];

/**
 * The id an image file is listed under: its name without `.elf`; a compressed
 * image takes its directory's name, followed by its variant for a name such
 * as vmlinux-smp.gz (linux-smp).
 */
function imageId(dirName: string, fileName: string): string | undefined {
  if (fileName.endsWith('.elf')) return fileName.slice(0, -4);
  if (fileName.endsWith('.gz')) {
    const variant = /^[^-]+-(.+)\.gz$/.exec(fileName)?.[1];
    return variant === undefined ? dirName : `${dirName}-${variant}`;
  }
  return undefined;
}

/** What a variant build is, for its description. */
const VARIANTS: Record<string, string> = {
  smp: 'The multiprocessor build (CONFIG_SMP): give it 2 to 8 vCPUs.',
};

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

/** Where each image is, without what describes it: an id, its file (absolute), its directory and variant. */
interface ImageFile {
  id: string;
  path: string;
  /** The bundled image's directory (undefined for a system image) and its variant's name (vmlinux-smp.gz: smp). */
  dir?: string;
  variant?: string;
  description?: string;
}

function imageFiles(guestsDir: string | undefined, systemImages: typeof SYSTEM_IMAGES): ImageFile[] {
  const files: ImageFile[] = [];
  for (const s of systemImages) if (existsSync(s.path)) files.push({ id: s.id, path: s.path, description: s.description });
  if (!guestsDir) return files;
  for (const entry of readdirSync(guestsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(guestsDir, entry.name);
    const names = readdirSync(dir).sort();
    // A directory with a compressed kernel lists only that: its other ELF
    // files are parts of it (the Linux guest's init.elf is a user program).
    const kernelOnly = names.some((f) => f.endsWith('.gz'));
    for (const f of names) {
      if (kernelOnly && !f.endsWith('.gz')) continue;
      const id = imageId(entry.name, f);
      if (id === undefined) continue;
      const variant = id.startsWith(`${entry.name}-`) && f.endsWith('.gz') ? id.slice(entry.name.length + 1) : undefined;
      files.push({ id, path: resolve(dir, f), dir, variant });
    }
  }
  return files;
}

export function listGuestImages(guestsDir = findGuestsDir(), systemImages = SYSTEM_IMAGES): GuestImage[] {
  const repo = guestsDir === undefined ? '' : resolve(guestsDir, '..', '..');
  const described = new Map<string, string>();
  const images = imageFiles(guestsDir, systemImages).map((f): GuestImage => {
    if (f.dir === undefined) return { id: f.id, path: f.path, size: statSync(f.path).size, description: f.description ?? '' };
    let description = described.get(f.dir);
    if (description === undefined) described.set(f.dir, (description = describeDir(f.dir)));
    const about = f.variant === undefined ? description : `${description} ${VARIANTS[f.variant] ?? `The ${f.variant} build.`}`.trim();
    return { id: f.id, path: relative(repo, f.path), size: statSync(f.path).size, description: about };
  });
  return images.sort((a, b) => (a.id === 'labos' ? -1 : b.id === 'labos' ? 1 : a.id.localeCompare(b.id)));
}

/** The absolute path of a bundled (or installed system) image, or undefined. */
export function guestImagePath(id: string, guestsDir = findGuestsDir(), systemImages = SYSTEM_IMAGES): string | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) return undefined;
  // (Without the descriptions: reading every directory's README and sources cost 10-14 ms of a fresh `lab run`.)
  return imageFiles(guestsDir, systemImages).find((i) => i.id === id)?.path;
}
