// Inter-guest ePAPR byte channels across worker threads. Each direction of a
// channel is a single-producer, single-consumer ring in a SharedArrayBuffer:
//
//   Int32 words: [0] head (bytes consumed, free-running uint32)
//                [1] tail (bytes produced, free-running uint32)
//                [2] closed (1 once either guest is removed)
//   then `capacity` data bytes (a power of two).
//
// The producer writes the data, then publishes it with Atomics.store(tail);
// the consumer reads tail with Atomics.load, copies, then publishes head. The
// Atomics give the ordering, so no lock is needed and no byte is lost: a send
// that does not fit is refused (the guest sees EV_EAGAIN and retries), never
// truncated. A send into an empty ring wakes the receiving worker, which may be
// asleep in Atomics.wait.
//
// Contract (src/main/link): the sending guest's worker writes a ring's tail,
// the receiving guest's worker its head; the session creates the rings and
// closes them when a guest goes.

import { attachControl, wakeWorker } from './control';

/**
 * One end of an ePAPR byte channel (to another guest, or to the lab's own
 * console). Implementations never lose bytes: send() accepts only what fits.
 */
export interface ByteChannel {
  /** The handle the guest sees in the device tree (hv-handle) and passes in r3. */
  readonly handle: number;
  /** The peer's name (another guest's name, or "console"): the node's label. */
  readonly label: string;
  /** Queues up to 16 bytes for the peer; returns how many were accepted (0 when full). */
  send(bytes: Uint8Array): number;
  /** Takes up to `max` received bytes (possibly none). */
  receive(max: number): Uint8Array;
  /** Bytes waiting to be received. */
  rxPending(): number;
  /** Bytes that can be sent now. */
  txSpace(): number;
}

export const RING_CAPACITY = 4096;
const HEAD = 0;
const TAIL = 1;
const CLOSED = 2;
const HEADER_BYTES = 16;

export function createRing(capacity = RING_CAPACITY): SharedArrayBuffer {
  if (capacity <= 0 || (capacity & (capacity - 1)) !== 0) throw new Error(`ring capacity must be a power of two (got ${capacity})`);
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/** One direction of a channel. Use one instance per thread. */
export class ByteRing {
  private readonly words: Int32Array;
  private readonly data: Uint8Array;
  readonly capacity: number;
  private readonly mask: number;

  constructor(sab: SharedArrayBuffer) {
    this.words = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.data = new Uint8Array(sab, HEADER_BYTES);
    this.capacity = this.data.length;
    this.mask = this.capacity - 1;
  }

  /** Bytes waiting to be read. */
  used(): number {
    return (Atomics.load(this.words, TAIL) - Atomics.load(this.words, HEAD)) >>> 0;
  }

  space(): number {
    return this.closed ? 0 : this.capacity - this.used();
  }

  get closed(): boolean {
    return Atomics.load(this.words, CLOSED) !== 0;
  }

  close(): void {
    Atomics.store(this.words, CLOSED, 1);
  }

  /** Producer: appends all of `bytes` or nothing; returns the count written. */
  write(bytes: Uint8Array): number {
    const n = bytes.length;
    if (n === 0 || n > this.space()) return 0;
    const tail = Atomics.load(this.words, TAIL) >>> 0;
    for (let i = 0; i < n; i++) this.data[(tail + i) & this.mask] = bytes[i]!;
    Atomics.store(this.words, TAIL, (tail + n) | 0);
    return n;
  }

  /** Consumer: removes and returns up to `max` bytes. */
  read(max: number): Uint8Array {
    const n = Math.min(Math.max(0, Math.floor(max)), this.used());
    const out = new Uint8Array(n);
    const head = Atomics.load(this.words, HEAD) >>> 0;
    for (let i = 0; i < n; i++) out[i] = this.data[(head + i) & this.mask]!;
    Atomics.store(this.words, HEAD, (head + n) | 0);
    return out;
  }
}

/** What a worker needs to build its end of a channel to another guest (structured-clonable). */
export interface ChannelDescriptor {
  /** The handle this guest sees (device tree hv-handle, hypercall r3). */
  handle: number;
  /** The peer guest's name (the device tree label labOS's `send` matches). */
  label: string;
  /** This guest -> peer. */
  tx: SharedArrayBuffer;
  /** Peer -> this guest. */
  rx: SharedArrayBuffer;
  /** The peer worker's control block, to wake it when data arrives. */
  peerControl: SharedArrayBuffer;
}

/** One guest's end of a channel to another guest (the ByteChannel the hypervisor calls). */
export class SharedByteChannel implements ByteChannel {
  readonly handle: number;
  readonly label: string;
  private readonly tx: ByteRing;
  private readonly rx: ByteRing;
  private readonly peer: Int32Array;

  constructor(d: ChannelDescriptor) {
    this.handle = d.handle;
    this.label = d.label;
    this.tx = new ByteRing(d.tx);
    this.rx = new ByteRing(d.rx);
    this.peer = attachControl(d.peerControl);
  }

  send(bytes: Uint8Array): number {
    const n = this.tx.write(bytes);
    // Wake the receiver when the ring holds only what was just written: it was
    // empty, so the receiver may be asleep. (Testing for "empty" before the
    // write would race with a receiver draining the ring meanwhile.)
    if (n > 0 && this.tx.used() === n) wakeWorker(this.peer);
    return n;
  }

  receive(max: number): Uint8Array {
    return this.rx.read(max);
  }

  rxPending(): number {
    return this.rx.used();
  }

  txSpace(): number {
    return this.tx.space();
  }
}

/** The label of the channel every guest has to the lab itself. */
export const CONSOLE_CHANNEL_LABEL = 'console';
/** Its handle; channels to other guests are numbered from 2 in the order they were made. */
export const CONSOLE_CHANNEL_HANDLE = 1;

/**
 * A guest's channel to the lab ("console"): what the guest sends is collected
 * here and handed to the session once per slice, which prints it as a notice.
 * The lab sends nothing back. Bounded like a ring: a full buffer refuses.
 */
export class LabConsoleChannel implements ByteChannel {
  readonly handle = CONSOLE_CHANNEL_HANDLE;
  readonly label = CONSOLE_CHANNEL_LABEL;
  private readonly buf = new Uint8Array(RING_CAPACITY);
  private len = 0;

  send(bytes: Uint8Array): number {
    if (bytes.length === 0 || bytes.length > this.buf.length - this.len) return 0;
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return bytes.length;
  }

  receive(): Uint8Array {
    return new Uint8Array(0);
  }

  rxPending(): number {
    return 0;
  }

  txSpace(): number {
    return this.buf.length - this.len;
  }

  /** Takes what the guest sent since the last call (the runner posts it to the session). */
  take(): Uint8Array | null {
    if (this.len === 0) return null;
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}
