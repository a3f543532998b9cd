// Compiled WebAssembly region modules, kept by their bytes for the life of the
// thread. A region's module depends only on the guest words it translates
// and the layout of the core's slots, so a guest booted again (a session
// that reboots, an experiment's next configuration, the benchmark's next
// boot) asks for modules with the same bytes. V8 has a cache of its own
// for this, but compiling identical bytes through it still cost 0.6-0.7 ms
// a module (60-80 ms of a warm Linux boot's 108 regions,
// docs/performance.md), and a module compiled here again starts without the
// optimised code V8's tiering gave the first one. A module kept here is
// instantiated again (cheap) with the new core's imports.
//
// Bounded by the bytes it keeps; the least recently used go first.

/**
 * Module bytes kept at most: a Linux boot's regions are about 0.4 MB, and
 * V8's compiled code for them about 2-2.5 times that, so a thread keeps at
 * most about 20 MB of compiled regions it no longer uses.
 */
export const MODULE_CACHE_BYTES = 8 * 2 ** 20;

interface Entry {
  readonly bytes: Uint8Array;
  readonly module: WebAssembly.Module;
}

// Both loops go a 32-bit word at a time: they run once per region, in a
// guest's first boot mostly before V8 has optimised them (no on-stack
// replacement, v8-tuning.ts), where a loop a byte at a time over 0.2 MB of
// regions cost 3-5 ms.

/** The bytes' whole 32-bit words, little-endian: a view where the bytes are aligned, else a copy (the same values either way). */
function wordsOf(bytes: Uint8Array): Int32Array {
  const n = bytes.length >>> 2;
  if ((bytes.byteOffset & 3) === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const w = new Int32Array(n);
  for (let i = 0; i < n; i++) w[i] = dv.getInt32(i * 4, true);
  return w;
}

/** FNV-1a over the bytes' words and the bytes after them: the bucket of a module; equal bytes are checked in full. */
export function moduleHash(bytes: Uint8Array): number {
  let h = 0x811C9DC5 ^ bytes.length;
  const w = wordsOf(bytes);
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  for (let i = w.length * 4; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const wa = wordsOf(a);
  const wb = wordsOf(b);
  for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
  for (let i = wa.length * 4; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ModuleCache {
  /** Buckets by hash, in order of last use (a Map keeps insertion order: a hit moves its bucket to the end). */
  private readonly buckets = new Map<number, Entry[]>();
  private held = 0;
  /** Modules compiled and modules found, since the thread started or the cache was last cleared. */
  compiled = 0;
  hits = 0;

  constructor(readonly limitBytes = MODULE_CACHE_BYTES, private readonly hash: (bytes: Uint8Array) => number = moduleHash) {}

  /** The module for these bytes: the one kept, or a new one compiled (and kept, within the bound: the bytes are kept as given, not copied). */
  get(bytes: Uint8Array): WebAssembly.Module {
    const h = this.hash(bytes);
    const bucket = this.buckets.get(h);
    if (bucket !== undefined) {
      for (const e of bucket) {
        if (sameBytes(e.bytes, bytes)) {
          this.hits++;
          this.touch(h, bucket);
          return e.module;
        }
      }
    }
    const module = new WebAssembly.Module(bytes);
    this.compiled++;
    if (bytes.length > this.limitBytes) return module;
    const entry = { bytes, module };
    if (bucket !== undefined) bucket.push(entry);
    this.touch(h, bucket ?? [entry]);
    this.held += bytes.length;
    this.evict();
    return module;
  }

  /** Bytes of the modules kept. */
  get heldBytes(): number {
    return this.held;
  }

  /** Forgets every module (the benchmark measures translation cold this way). */
  clear(): void {
    this.buckets.clear();
    this.held = 0;
    this.compiled = 0;
    this.hits = 0;
  }

  /** Puts a bucket last in the order of use (re-inserting it moves it to the Map's end). */
  private touch(h: number, bucket: Entry[]): void {
    this.buckets.delete(h);
    this.buckets.set(h, bucket);
  }

  private evict(): void {
    for (const [h, bucket] of this.buckets) {
      if (this.held <= this.limitBytes) return;
      const old = bucket.shift()!;
      this.held -= old.bytes.length;
      if (bucket.length === 0) this.buckets.delete(h);
    }
  }
}

/** The thread's cache, shared by every core the thread runs. */
export const regionModules = new ModuleCache();
