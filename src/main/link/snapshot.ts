// Snapshots of a whole guest: every vCPU's architected and timer state and
// TLB, the board's devices, the hypervisor's state for the guest (its TLB
// and shadows, pending interrupts, counters) and RAM, in one file that a
// fresh machine built from the same image and configuration restores, after
// which the guest continues exactly as the original would have (same
// console, counters and instruction count from that point).
//
// How state is found: each part of the machine lists its stateful objects
// (Machine.stateParts, GuestHypervisor.stateParts), and their own data
// fields are captured generically: numbers, booleans, strings, typed arrays,
// arrays and plain data objects. Functions, references to other parts and
// caches (the soft TLB, decoded and translated code) are left out; caches
// are rebuilt after a restore. So a field added to a device is saved without
// anyone remembering to add it here.
//
// File layout: "HVLABSNP", a version byte, the header length (u32,
// big-endian), the header (JSON: lab version, image hash, configuration,
// the parts' state, the SHA-256 of the RAM image), the header's SHA-256
// (32 bytes) and the RAM image, deflated. The RAM image holds only the 4 KB
// pages that are not all zeros: their count (u32), their page numbers (u32
// each) and their bytes; most of a guest's RAM is zeros, and neither the file
// nor a restore pays for them.

import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { GuestModel } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';

export const SNAPSHOT_MAGIC = 'HVLABSNP';
export const SNAPSHOT_VERSION = 1;

/** A snapshot that cannot be used: corrupt, truncated, from another lab or image, or for another configuration. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** What a snapshot was taken of: a restore needs the same. */
export interface SnapshotConfig {
  model: GuestModel;
  hw: HwConfig;
  cost: CostModel;
  ramMb: number;
  /** vCPUs (absent in snapshots of single-vCPU guests taken before guests had several). */
  smp?: number;
  bootargs: string;
  /** The image it booted: its name (a bundled image id or a file name) and the SHA-256 of its (unpacked) bytes. */
  image: { name: string; sha256: string };
}

export interface SnapshotHeader {
  labVersion: string;
  takenAt: string;
  config: SnapshotConfig;
  /** Guest instructions retired (all vCPUs together) when it was taken. */
  insns: number;
  /** Console bytes the guest had written by then (in the run that took it). */
  consoleBytes: number;
  /** Every part's captured fields, by part name (vCPU parts are named "vcpu0.cpu" and so on). */
  parts: Record<string, Captured>;
  /** SHA-256 of the RAM image as stored (page count, page numbers, pages), and the RAM's size. */
  ramSha256: string;
  ramBytes: number;
}

/** Guest RAM as its non-zero 4 KB pages. */
export interface SnapshotRam {
  /** RAM size in bytes. */
  size: number;
  /** Page numbers, ascending. */
  pages: Uint32Array;
  /** The pages' bytes, 4096 each, in the order of `pages`. */
  data: Uint8Array;
}

export interface Snapshot {
  header: SnapshotHeader;
  ram: SnapshotRam;
}

const PAGE = 4096;

/**
 * Whether the page of `words` from word w holds anything but zeros. A
 * function of its own, called once a page: V8 optimises it after a few calls,
 * where one loop over all of RAM would have run unoptimised to its end (the
 * threads that run guests have no on-stack replacement: guest/v8-tuning.ts;
 * a 128 MB capture took 1.4 s that way).
 */
function pageInUse(words: Int32Array, w: number): boolean {
  for (let k = w, end = w + PAGE / 4; k < end; k++) if (words[k] !== 0) return true;
  return false;
}

/**
 * The non-zero pages of a RAM image; with `written` (one byte a page, the
 * bus's map of pages ever written), only those pages are read: reading a page
 * nobody touched makes the host map it, and on the development VM that cost
 * 0.4-0.9 s for 128 MB of mostly untouched RAM.
 */
export function captureRam(ram: Uint8Array, written?: Uint8Array): SnapshotRam {
  const words = new Int32Array(ram.buffer, ram.byteOffset, ram.byteLength >> 2);
  const pages: number[] = [];
  for (let p = 0, w = 0; w < words.length; p++, w += PAGE / 4) if ((written === undefined || written[p] !== 0) && pageInUse(words, w)) pages.push(p);
  const data = new Uint8Array(pages.length * PAGE);
  pages.forEach((p, i) => data.set(ram.subarray(p * PAGE, (p + 1) * PAGE), i * PAGE));
  return { size: ram.length, pages: Uint32Array.from(pages), data };
}

/**
 * Writes a snapshot's RAM into `ram` (same size), which is zero but for the
 * byte ranges `written` (what the board wrote as it booted): the snapshot's
 * pages, and zeros over whatever else was written. The rest of RAM is never
 * touched (a fresh machine's untouched pages cost nothing).
 */
export function restoreRam(ram: Uint8Array, image: SnapshotRam, written: readonly [number, number][], pageMap?: Uint8Array): void {
  if (ram.length !== image.size) throw new SnapshotError(`the snapshot has ${image.size} bytes of RAM, this machine ${ram.length}`);
  for (const [start, end] of written) ram.fill(0, Math.max(0, start), Math.min(ram.length, end));
  image.pages.forEach((p, i) => ram.set(image.data.subarray(i * PAGE, (i + 1) * PAGE), p * PAGE));
  // The pages written now (`pageMap`: the bus's map of pages ever written, captureRam's `written`).
  if (pageMap !== undefined) for (const p of image.pages) pageMap[p] = 1;
}

function ramImageBytes(r: SnapshotRam): Buffer {
  const head = Buffer.alloc(4 + 4 * r.pages.length);
  head.writeUInt32BE(r.pages.length, 0);
  r.pages.forEach((p, i) => head.writeUInt32BE(p, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)]);
}

/** The checksum a header records for its RAM image. */
export function ramChecksum(r: SnapshotRam): string {
  return sha256(ramImageBytes(r));
}

/** Something that holds state: its parts, by name, and its RAM. */
export interface Snapshottable {
  stateParts(): Record<string, object>;
}

// ---- capture and restore of one object's fields -------------------------------------------------

type Value = number | boolean | string | null | { $ta: string; b64: string } | { $n: string } | { $obj: Captured } | Value[];
export type Captured = Record<string, Value>;

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView & ArrayLike<number>> = {
  Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
};

function isPlainData(v: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return true;
  if (Array.isArray(v)) return v.every((x) => isPlainData(x, depth + 1));
  if (ArrayBuffer.isView(v)) return true;
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as object).every((x) => x === undefined || isPlainData(x, depth + 1));
}

function encode(v: unknown, ram: ArrayBufferView | null): Value | undefined {
  if (v === undefined || typeof v === 'function') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $n: String(v) };
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (ArrayBuffer.isView(v)) {
    // Views of the RAM itself (the RAM image holds it); other views of the same buffer (the core's area after RAM) are state.
    if (ram !== null && v.buffer === ram.buffer && v.byteOffset < ram.byteOffset + ram.byteLength) return undefined;
    const name = v.constructor.name;
    if (!(name in TYPED)) return undefined;
    return { $ta: name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (!isPlainData(v)) return undefined;
  if (Array.isArray(v)) return v.map((x) => encode(x, ram) ?? null);
  const out: Captured = {};
  for (const [k, x] of Object.entries(v as object)) {
    const e = encode(x, ram);
    if (e !== undefined) out[k] = e;
  }
  return { $obj: out };
}

function decode(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decode);
  if ('$n' in v) return Number(v.$n);
  if ('$ta' in v) {
    const bytes = Buffer.from(v.b64, 'base64');
    const Ctor = TYPED[v.$ta];
    if (!Ctor) throw new SnapshotError(`unknown array type ${v.$ta}`);
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    return new Ctor(copy);
  }
  return Object.fromEntries(Object.entries(v.$obj).map(([k, x]) => [k, decode(x)]));
}

/** The own data fields of `obj`, minus `skip` and anything that is not plain data (other parts, callbacks, caches named in skip). */
export function captureFields(obj: object, skip: ReadonlySet<string> = new Set(), ram: ArrayBufferView | null = null): Captured {
  const out: Captured = {};
  for (const [k, v] of Object.entries(obj)) {
    if (skip.has(k)) continue;
    const e = encode(v, ram);
    if (e !== undefined) out[k] = e;
  }
  return out;
}

/** Writes captured fields back: typed arrays and arrays in place (same length), everything else by assignment. */
export function restoreFields(obj: object, captured: Captured, where: string): void {
  const target = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(captured)) {
    const now = target[k];
    const value = decode(v);
    if (ArrayBuffer.isView(now)) {
      const src = value as ArrayLike<number>;
      const dst = now as unknown as { length: number; set(a: ArrayLike<number>): void };
      if (!ArrayBuffer.isView(value) || src.length !== dst.length) {
        throw new SnapshotError(`${where}.${k} has ${ArrayBuffer.isView(value) ? src.length : 'no'} elements in the snapshot, ${dst.length} here: the snapshot is for another build of the lab`);
      }
      dst.set(src);
    } else if (Array.isArray(now) && Array.isArray(value)) {
      now.length = 0;
      now.push(...value);
    } else {
      target[k] = value;
    }
  }
}

// ---- whole guests -----------------------------------------------------------------------------------

/** Each part's fields, by part name; `ram` is left out wherever it appears. */
export function captureParts(owner: Snapshottable, ram: ArrayBufferView): Record<string, Captured> {
  const parts: Record<string, Captured> = {};
  for (const [name, part] of Object.entries(owner.stateParts())) {
    const skip = (part as { snapshotSkip?: ReadonlySet<string> }).snapshotSkip;
    parts[name] = captureFields(part, skip, ram);
  }
  return parts;
}

export function restoreParts(owner: Snapshottable, parts: Record<string, Captured>): void {
  const here = owner.stateParts();
  const missing = Object.keys(here).filter((n) => !(n in parts));
  const extra = Object.keys(parts).filter((n) => !(n in here));
  if (missing.length > 0 || extra.length > 0) {
    throw new SnapshotError(`the snapshot's parts do not match this machine (${[...missing.map((n) => `missing ${n}`), ...extra.map((n) => `unknown ${n}`)].join(', ')})`);
  }
  for (const [name, part] of Object.entries(here)) restoreFields(part, parts[name]!, name);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The file's bytes. RAM is deflated (fast level: most of a guest's RAM is zeros). */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  const header = Buffer.from(JSON.stringify(s.header), 'utf8');
  const ram = deflateRawSync(ramImageBytes(s.ram), { level: 1 });
  const out = Buffer.alloc(8 + 1 + 4 + header.length + 32 + ram.length);
  out.write(SNAPSHOT_MAGIC, 0, 'latin1');
  out[8] = SNAPSHOT_VERSION;
  out.writeUInt32BE(header.length, 9);
  header.copy(out, 13);
  createHash('sha256').update(header).digest().copy(out, 13 + header.length);
  ram.copy(out, 13 + header.length + 32);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Reads only a snapshot file's header (checked against its checksum), without decompressing its RAM. */
export function readSnapshotHeader(bytes: Uint8Array, what = 'snapshot'): SnapshotHeader {
  return parseHeader(bytes, what).header;
}

/** Reads a snapshot file, with a clear error for anything that is not a whole, intact snapshot of this format. */
export function decodeSnapshot(bytes: Uint8Array, what = 'snapshot'): Snapshot {
  const { header, ramAt } = parseHeader(bytes, what);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let image: Buffer;
  try {
    image = inflateRawSync(b.subarray(ramAt));
  } catch {
    throw new SnapshotError(`${what} is truncated or damaged (its RAM image does not decompress)`);
  }
  const count = image.length >= 4 ? image.readUInt32BE(0) : -1;
  if (count < 0 || image.length !== 4 + 4 * count + count * PAGE || sha256(image) !== header.ramSha256) {
    throw new SnapshotError(`${what} is damaged: its RAM image does not match its checksum`);
  }
  const pages = new Uint32Array(count);
  for (let i = 0; i < count; i++) pages[i] = image.readUInt32BE(4 + 4 * i);
  if (pages.some((p, i) => (p + 1) * PAGE > header.ramBytes || (i > 0 && p <= pages[i - 1]!))) {
    throw new SnapshotError(`${what} is damaged: its RAM pages are out of order or out of range`);
  }
  const data = new Uint8Array(image.buffer, image.byteOffset + 4 + 4 * count, count * PAGE);
  return { header, ram: { size: header.ramBytes, pages, data } };
}

function parseHeader(bytes: Uint8Array, what: string): { header: SnapshotHeader; ramAt: number } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.length < 13 || b.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw new SnapshotError(`${what} is not a Hypervisor Lab snapshot (no ${SNAPSHOT_MAGIC} signature)`);
  if (b[8] !== SNAPSHOT_VERSION) throw new SnapshotError(`${what} is a version ${b[8]} snapshot; this lab reads version ${SNAPSHOT_VERSION}`);
  const length = b.readUInt32BE(9);
  if (13 + length + 32 > b.length) throw new SnapshotError(`${what} is truncated (its header needs ${length} bytes, ${b.length - 13} are there)`);
  const headerBytes = b.subarray(13, 13 + length);
  if (!createHash('sha256').update(headerBytes).digest().equals(b.subarray(13 + length, 13 + length + 32))) {
    throw new SnapshotError(`${what} has a damaged header (its checksum does not match)`);
  }
  let header: SnapshotHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as SnapshotHeader;
  } catch {
    throw new SnapshotError(`${what} has a damaged header`);
  }
  if (typeof header?.ramBytes !== 'number' || typeof header.ramSha256 !== 'string' || typeof header.parts !== 'object' || !header.config
    || typeof header.labVersion !== 'string' || typeof header.config.image?.sha256 !== 'string') {
    throw new SnapshotError(`${what} has a damaged header`);
  }
  return { header, ramAt: 13 + length + 32 };
}

/** Checks that a machine built as `config` may take a snapshot's state; the error names what differs. */
export function checkCompatible(header: SnapshotHeader, config: SnapshotConfig, labVersion: string): void {
  const c = header.config;
  if (c.image.sha256 !== config.image.sha256) {
    throw new SnapshotError(`the snapshot was taken of image ${c.image.name} (sha256 ${c.image.sha256.slice(0, 12)}…), not ${config.image.name} (${config.image.sha256.slice(0, 12)}…)`);
  }
  if (c.ramMb !== config.ramMb) throw new SnapshotError(`the snapshot has ${c.ramMb} MB of RAM, this guest ${config.ramMb} MB`);
  if ((c.smp ?? 1) !== (config.smp ?? 1)) throw new SnapshotError(`the snapshot has ${c.smp ?? 1} vCPU(s), this guest ${config.smp ?? 1}`);
  if (c.model !== config.model) throw new SnapshotError(`the snapshot was taken under the ${c.model} model, not ${config.model}`);
  if (header.labVersion !== labVersion) throw new SnapshotError(`the snapshot was taken by lab ${header.labVersion}; this is ${labVersion}`);
}
