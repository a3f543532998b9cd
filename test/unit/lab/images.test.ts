// Guest image files: the bundled list (ELF files by name, a compressed
// kernel by its directory's name) and unpacking what a user gives.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ElfError, parseElf } from '../../../src/main/guest/elf';
import { guestImagePath, gunzipChunk, listGuestImages, readGuestImage, unpackImage, UnpackedImages } from '../../../src/main/lab/images';

const HELLO = join(__dirname, '..', '..', '..', 'resources', 'guests', 'hello', 'hello.elf');
const hello = () => new Uint8Array(readFileSync(HELLO));

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, Uint8Array | string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lab-images-'));
  dirs.push(root);
  const guests = join(root, 'resources', 'guests');
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(guests, path, '..'), { recursive: true });
    writeFileSync(join(guests, path), data);
  }
  return guests;
}

describe('unpackImage', () => {
  it('passes an ELF through and unpacks a gzip-compressed one to the same bytes', () => {
    const elf = hello();
    expect(unpackImage(elf, 'hello.elf')).toBe(elf);
    const unpacked = unpackImage(new Uint8Array(gzipSync(elf)), 'hello.elf.gz');
    expect(Buffer.from(unpacked).equals(Buffer.from(elf))).toBe(true);
    expect(parseElf(unpacked, 128 << 20).entry).toBe(parseElf(elf, 128 << 20).entry);
  });

  it('unpacks in one chunk the size the gzip trailer gives, and in bounded chunks where the trailer lies', () => {
    const elf = hello();
    const gz = new Uint8Array(gzipSync(elf));
    expect(gunzipChunk(gz)).toBe(Math.max(64 << 10, elf.length + 1));
    const big = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xFF);
    expect(gunzipChunk(new Uint8Array(gzipSync(big)))).toBe(big.length + 1);
    // A trailer claiming 4 GB - 1 from a few hundred bytes: not believed (deflate cannot pack that tight).
    const lying = gz.slice();
    lying.set([0xFF, 0xFF, 0xFF, 0xFF], lying.length - 4);
    expect(gunzipChunk(lying)).toBe(1 << 20);
    // A trailer smaller than the truth: chunks of at least 64 KB (and zlib's length check refuses the file clearly).
    const short = gz.slice();
    short.set([16, 0, 0, 0], short.length - 4);
    expect(gunzipChunk(short)).toBe(64 << 10);
    expect(() => unpackImage(short, 'short.gz')).toThrow(/short\.gz: a gzip file that does not unpack/);
    expect(gunzipChunk(new Uint8Array(10))).toBe(1 << 20);
  });

  it('names what is wrong with a damaged or foreign compressed file', () => {
    const gz = new Uint8Array(gzipSync(hello()));
    expect(() => unpackImage(gz.subarray(0, gz.length >> 1), 'cut.gz')).toThrow(ElfError);
    expect(() => unpackImage(gz.subarray(0, gz.length >> 1), 'cut.gz')).toThrow(/cut\.gz: a gzip file that does not unpack/);
    const xz = new Uint8Array([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 1, 2, 3]);
    expect(() => unpackImage(xz, 'vmlinux.xz')).toThrow(/compressed with xz/);
    expect(() => unpackImage(new TextEncoder().encode('BZh91AY&SY'), 'k.bz2')).toThrow(/bzip2/);
    expect(() => unpackImage(new Uint8Array([0x28, 0xB5, 0x2F, 0xFD, 0]), 'k.zst')).toThrow(/zstd/);
  });
});

describe('bundled images', () => {
  it('lists ELF files by name and a compressed kernel by its directory, and resolves both', () => {
    const elf = hello();
    const guests = tree({
      'labos/labos.elf': elf, 'linux/vmlinux.gz': gzipSync(elf), 'linux/vmlinux-smp.gz': gzipSync(elf), 'linux/init.elf': elf,
      'linux/README.md': 'A Linux 6.1 kernel.\n', 'linux/lab.config': 'x',
    });
    const images = listGuestImages(guests, []);
    expect(images.map((i) => i.id)).toEqual(['labos', 'linux', 'linux-smp']);
    expect(images[1]).toMatchObject({ path: join('resources', 'guests', 'linux', 'vmlinux.gz'), description: 'A Linux 6.1 kernel.' });
    expect(images[2]).toMatchObject({ path: join('resources', 'guests', 'linux', 'vmlinux-smp.gz') });
    expect(images[2]!.description).toMatch(/^A Linux 6\.1 kernel\. The multiprocessor build/);
    const path = guestImagePath('linux', guests, [])!;
    expect(Buffer.from(readGuestImage(path)).equals(Buffer.from(elf))).toBe(true);
  });

  it('resolves an id without reading what describes the images (a fresh `lab run` does not pay for it)', () => {
    const elf = hello();
    // A README that cannot be read (a directory of that name): listing fails on it, finding a path does not.
    const guests = tree({ 'labos/labos.elf': elf, 'labos/README.md/x': 'x', 'linux/vmlinux.gz': gzipSync(elf) });
    expect(() => listGuestImages(guests, [])).toThrow();
    expect(guestImagePath('linux', guests, [])).toBe(join(guests, 'linux', 'vmlinux.gz'));
    expect(guestImagePath('labos', guests, [])).toBe(join(guests, 'labos', 'labos.elf'));
  });

  it('lists an installed system image by its absolute path, and leaves out one that is not installed', () => {
    const guests = tree({ 'hello/hello.elf': hello() });
    const system = [{ id: 'u-boot', path: HELLO, description: 'firmware' }, { id: 'gone', path: '/nonexistent/x.elf', description: '' }];
    expect(listGuestImages(guests, system).map((i) => [i.id, i.path])).toEqual([['hello', join('resources', 'guests', 'hello', 'hello.elf')], ['u-boot', HELLO]]);
    expect(guestImagePath('u-boot', guests, system)).toBe(HELLO);
    expect(guestImagePath('gone', guests, system)).toBeUndefined();
  });
});

describe('UnpackedImages', () => {
  it('unpacks an image once while its file is unchanged, again when it changes, and keeps no more than its bound', () => {
    const guests = tree({ 'k/vmlinux.gz': gzipSync(hello()), 'a.elf': hello() });
    const gz = join(guests, 'k', 'vmlinux.gz');
    const images = new UnpackedImages(hello().length * 1.5);
    const first = images.get(gz, 'k');
    expect(first).toEqual(hello());
    expect(images.get(gz, 'k')).toBe(first); // kept: the same bytes, not unpacked again

    // The file changes (a rebuilt kernel): its new content, not the kept one.
    const changed = hello();
    changed[changed.length - 1] ^= 0xFF;
    writeFileSync(gz, gzipSync(changed));
    utimesSync(gz, new Date(), new Date(Date.now() + 5000));
    const second = images.get(gz, 'k');
    expect(second).not.toBe(first);
    expect(second).toEqual(changed);

    // Room for one image: the other evicts it.
    const elf = images.get(join(guests, 'a.elf'), 'a');
    expect(images.get(join(guests, 'a.elf'), 'a')).toBe(elf);
    expect(images.get(gz, 'k')).not.toBe(second);
  });

  it('names the image in what it throws for a damaged file', () => {
    const guests = tree({ 'bad.gz': new Uint8Array([0x1F, 0x8B, 1, 2, 3]) });
    expect(() => new UnpackedImages().get(join(guests, 'bad.gz'), 'bad')).toThrow(/^bad: a gzip file that does not unpack/);
  });
});
