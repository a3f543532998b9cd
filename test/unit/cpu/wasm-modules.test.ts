import { describe, expect, it } from 'vitest';
import { ModuleCache, moduleHash } from '../../../src/main/cpu/wasm-modules';

/** A valid empty module carrying `tag` in a custom section (so that modules differ by their bytes). */
function moduleBytes(tag: string, padding = 0): Uint8Array {
  const name = new TextEncoder().encode(tag);
  const payload = [name.length, ...name, ...new Array<number>(padding).fill(0)];
  if (payload.length > 127) throw new Error('test module too large for a one-byte size');
  return new Uint8Array([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0, payload.length, ...payload]);
}

describe('region module cache', () => {
  it('compiles bytes once and gives the same module for equal bytes in another array', () => {
    const cache = new ModuleCache();
    const a = cache.get(moduleBytes('a'));
    expect(cache.get(moduleBytes('a'))).toBe(a);
    expect(cache.get(moduleBytes('b'))).not.toBe(a);
    expect({ compiled: cache.compiled, hits: cache.hits }).toEqual({ compiled: 2, hits: 1 });
    expect(new WebAssembly.Instance(a, {})).toBeInstanceOf(WebAssembly.Instance);
  });

  it('tells apart different bytes with the same hash', () => {
    const cache = new ModuleCache(1 << 20, () => 7);
    const a = cache.get(moduleBytes('a'));
    const b = cache.get(moduleBytes('b'));
    expect(b).not.toBe(a);
    expect(cache.get(moduleBytes('a'))).toBe(a);
    expect(cache.get(moduleBytes('b'))).toBe(b);
    expect(cache.compiled).toBe(2);
  });

  it('keeps at most its bound of bytes, dropping the least recently used first', () => {
    const size = moduleBytes('a', 40).length;
    const cache = new ModuleCache(size * 2);
    const a = cache.get(moduleBytes('a', 40));
    const b = cache.get(moduleBytes('b', 40));
    expect(cache.get(moduleBytes('a', 40))).toBe(a); // a is now the most recent
    cache.get(moduleBytes('c', 40)); // over the bound: b goes
    expect(cache.heldBytes).toBe(size * 2);
    expect(cache.get(moduleBytes('a', 40))).toBe(a);
    expect(cache.get(moduleBytes('b', 40))).not.toBe(b);
    expect(cache.heldBytes).toBeLessThanOrEqual(size * 2);
  });

  it('does not keep a module larger than its whole bound, and forgets everything on clear', () => {
    const cache = new ModuleCache(8);
    const big = moduleBytes('big');
    expect(cache.get(big)).not.toBe(cache.get(big));
    expect(cache.heldBytes).toBe(0);
    const roomy = new ModuleCache();
    const a = roomy.get(moduleBytes('a'));
    roomy.clear();
    expect(roomy.heldBytes).toBe(0);
    expect(roomy.get(moduleBytes('a'))).not.toBe(a);
  });

  it('hashes by content and length', () => {
    expect(moduleHash(moduleBytes('a'))).toBe(moduleHash(moduleBytes('a')));
    expect(moduleHash(moduleBytes('a'))).not.toBe(moduleHash(moduleBytes('b')));
    expect(moduleHash(new Uint8Array(1))).not.toBe(moduleHash(new Uint8Array(2)));
  });

  it('hashes and compares a word at a time, whatever the bytes\' alignment, the bytes after the last word included', () => {
    const bytes = moduleBytes('aligned');
    expect(bytes.length % 4).not.toBe(0); // a tail after the whole words
    // The same bytes one byte into a buffer: a view that is not word-aligned.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = shifted.subarray(1);
    expect(moduleHash(unaligned)).toBe(moduleHash(bytes));
    for (const at of [0, 5, bytes.length - 1]) {
      const other = bytes.slice();
      other[at] ^= 1;
      expect(moduleHash(other)).not.toBe(moduleHash(bytes));
    }
    // With every module in one bucket, the full comparison tells them apart, a tail byte too, and finds the unaligned copy.
    const cache = new ModuleCache(1 << 20, () => 7);
    const m = cache.get(bytes);
    const tail = bytes.slice();
    tail[tail.length - 1] ^= 1;
    expect(cache.get(tail)).not.toBe(m);
    expect(cache.get(unaligned)).toBe(m);
    expect(cache.hits).toBe(1);
  });
});
