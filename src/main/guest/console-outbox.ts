// The worker's ConsoleSink: UART output is appended here and handed to the
// session once per slice (and before every sleep) as one message, so a guest
// printing a byte at a time costs one message per slice, not per byte.
//
// ready() is the flow control the UART obeys: it is false while the session
// holds the console (a subscriber lags), while the output posted and not yet
// taken by the session fills the queue (link/control.ts), or while this
// slice's batch is full;
// the UART then keeps its transmit FIFO and the guest waits on THRE.

import type { ConsoleSink } from '../devices/uart16550';

/** Output batched per slice before the sink reports "not ready" until the next flush. */
export const OUTBOX_BYTES = 64 * 1024;

export class ConsoleOutbox implements ConsoleSink {
  private buf = new Uint8Array(OUTBOX_BYTES);
  private len = 0;

  constructor(private readonly held: () => boolean) {}

  write(bytes: Uint8Array): void {
    // The UART only writes when ready(), but a drain of a held FIFO may
    // exceed the batch: grow rather than lose anything.
    if (this.len + bytes.length > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + bytes.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    if (bytes.length === 1) this.buf[this.len] = bytes[0]!;
    else this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  ready(): boolean {
    return this.len < OUTBOX_BYTES && !this.held();
  }

  get pending(): number {
    return this.len;
  }

  /** Takes the batch (a fresh buffer the caller may transfer), or null when empty. */
  take(): Uint8Array | null {
    if (this.len === 0) return null;
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}
