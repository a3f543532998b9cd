// One guest's console on the session side: the recent scrollback for late
// subscribers, and end-to-end flow control towards every subscriber, after
// xterm.js's flow-control guide: the session counts the bytes it sent each
// subscriber that the subscriber has not acknowledged (consoleAck, from the
// terminal's write callbacks). When any subscriber has more than HIGH bytes
// in flight the hub holds the guest's UART transmitter (the guest waits, as
// behind a slow serial line); when every subscriber is at or below LOW again
// it releases it. Nothing is ever dropped: while held, the guest simply does
// not produce. A subscriber that goes away takes its accounting with it, so
// it cannot stall the guest.

import type { LabEvent } from '../../shared/api';
import { LabFailure } from '../../shared/result';
import type { LabClient } from './session';

export const CONSOLE_FLOW = {
  /** Hold the guest when a subscriber has more than this many bytes unacknowledged. */
  high: 100_000,
  /** Release it when every subscriber is at or below this. */
  low: 10_000,
  /** Bytes of recent output a new subscriber receives. */
  scrollback: 64 * 1024,
} as const;

/** The last `capacity` bytes written. */
export class ScrollbackRing {
  private readonly buf: Uint8Array;
  private start = 0;
  private len = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  append(bytes: Uint8Array): void {
    const cap = this.capacity;
    const src = bytes.length > cap ? bytes.subarray(bytes.length - cap) : bytes;
    for (let i = 0; i < src.length;) {
      const at = (this.start + this.len) % cap;
      const n = Math.min(src.length - i, cap - at);
      this.buf.set(src.subarray(i, i + n), at);
      i += n;
      const overflow = Math.max(0, this.len + n - cap);
      this.len = Math.min(cap, this.len + n);
      this.start = (this.start + overflow) % cap;
    }
  }

  contents(): Uint8Array {
    const out = new Uint8Array(this.len);
    const first = Math.min(this.len, this.capacity - this.start);
    out.set(this.buf.subarray(this.start, this.start + first));
    out.set(this.buf.subarray(0, this.len - first), first);
    return out;
  }

  clear(): void {
    this.start = this.len = 0;
  }
}

export class ConsoleHub {
  private readonly scrollback = new ScrollbackRing(CONSOLE_FLOW.scrollback);
  /** Subscriber -> bytes sent and not yet acknowledged. */
  private readonly inFlight = new Map<LabClient, number>();
  private held = false;

  /**
   * @param id the guest id carried by console events
   * @param hold called when the guest must stop (true) or may resume (false) transmitting
   * @param lost called with a subscriber whose send() failed (the session detaches it)
   */
  constructor(
    private readonly id: string,
    private readonly hold: (held: boolean) => void,
    private readonly lost: (client: LabClient) => void,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  get subscriberCount(): number {
    return this.inFlight.size;
  }

  /** New output of the guest (or a line from the lab about it): keep it and send it to every subscriber. */
  publish(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.scrollback.append(bytes);
    if (this.inFlight.size === 0) return;
    const event: LabEvent = { type: 'console', id: this.id, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
    // Counted before sending: a subscriber may acknowledge from inside send() (an in-process client).
    for (const client of [...this.inFlight.keys()]) {
      this.inFlight.set(client, this.inFlight.get(client)! + bytes.length);
      try {
        client.send(event);
      } catch {
        this.inFlight.delete(client);
        this.lost(client);
      }
    }
    this.update();
  }

  /** Adds a subscriber (again: its accounting restarts) and returns the scrollback. */
  subscribe(client: LabClient): Uint8Array {
    this.inFlight.set(client, 0);
    this.update();
    return this.scrollback.contents();
  }

  /** Removes a subscriber; returns whether it was one. */
  unsubscribe(client: LabClient): boolean {
    const was = this.inFlight.delete(client);
    if (was) this.update();
    return was;
  }

  /** The subscriber processed `bytes` more bytes; returns what it still has in flight. */
  ack(client: LabClient, bytes: number): number {
    const n = this.inFlight.get(client);
    if (n === undefined) throw new LabFailure('invalid-state', `Not subscribed to the console of guest ${this.id}; call consoleSubscribe first`);
    const left = Math.max(0, n - bytes);
    this.inFlight.set(client, left);
    this.update();
    return left;
  }

  pending(client: LabClient): number | undefined {
    return this.inFlight.get(client);
  }

  private update(): void {
    let max = 0;
    for (const n of this.inFlight.values()) if (n > max) max = n;
    const next = max > CONSOLE_FLOW.high ? true : max <= CONSOLE_FLOW.low ? false : this.held;
    if (next !== this.held) {
      this.held = next;
      this.hold(next);
    }
  }
}
