// One guest's console output on its way into a terminal, with end-to-end flow
// control after xterm.js's guide (guides/flowcontrol): the lab counts the
// bytes it sent this window that the window has not acknowledged, and holds
// the guest's UART above ~100 KB in flight (src/main/lab/console-hub.ts).
// This side acknowledges bytes only once xterm has *parsed* them — from the
// callback of term.write(data, cb) — so a guest can never get further ahead
// of the screen than the lab's high watermark, however fast it prints, and
// xterm's own write buffer never grows past it: the window stays responsive.
//
// Acknowledgements are batched (one consoleAck per ACK_BATCH bytes parsed)
// and flushed as soon as xterm has caught up with everything it was given,
// so the lab always sees the window drain below its low watermark.
//
// Subscribing returns the recent scrollback (not counted in flight, never
// acknowledged). Console events that arrive before the subscribe reply are
// queued and written after the scrollback, in order.
//
// DOM-free: the terminal is anything with write(data, callback).

import type { LabApi } from '../../../shared/api';
import type { LabError } from '../../../shared/result';
import { base64ToBytes } from '../util/base64';

/** Acknowledge once this many bytes have been parsed (or when xterm is idle). */
export const ACK_BATCH = 16 * 1024;

export interface TermSink {
  write(data: Uint8Array, callback?: () => void): void;
}

export type ConsoleApi = Pick<LabApi, 'consoleSubscribe' | 'consoleUnsubscribe' | 'consoleAck'>;

export type FeedState = 'closed' | 'subscribing' | 'open';

export interface FeedCounters {
  /** Bytes received in console events since the feed opened. */
  received: number;
  /** Bytes handed to the terminal that it has not parsed yet. */
  parsing: number;
  /** Bytes parsed and acknowledged to the lab. */
  acked: number;
}

export class ConsoleFeed {
  private state: FeedState = 'closed';
  /** Bumped on every open/close, so late callbacks of an older subscription do nothing. */
  private generation = 0;
  private early: Uint8Array[] = [];
  private parsing = 0;
  private unacked = 0;
  private received = 0;
  private acked = 0;

  constructor(
    private readonly api: ConsoleApi,
    readonly id: string,
    private readonly sink: TermSink,
    private readonly onError: (e: LabError) => void = () => {},
  ) {}

  get status(): FeedState {
    return this.state;
  }

  counters(): FeedCounters {
    return { received: this.received, parsing: this.parsing, acked: this.acked };
  }

  /** Subscribes and writes the scrollback; resolves false (after onError) when the lab refuses. */
  async open(): Promise<boolean> {
    const gen = ++this.generation;
    this.state = 'subscribing';
    this.early = [];
    this.parsing = this.unacked = this.received = this.acked = 0;
    const r = await this.api.consoleSubscribe({ id: this.id });
    if (gen !== this.generation) return false;
    if (!r.ok) {
      this.state = 'closed';
      this.early = [];
      this.onError(r.error);
      return false;
    }
    this.state = 'open';
    const scrollback = base64ToBytes(r.value.scrollback);
    if (scrollback.length) this.sink.write(scrollback);
    const early = this.early;
    this.early = [];
    for (const bytes of early) this.write(bytes, gen);
    return true;
  }

  /** A console event for this guest (base64 data). */
  receive(data: string): void {
    if (this.state === 'closed') return;
    const bytes = base64ToBytes(data);
    if (bytes.length === 0) return;
    this.received += bytes.length;
    if (this.state === 'subscribing') this.early.push(bytes);
    else this.write(bytes, this.generation);
  }

  /** Unsubscribes (when the console is closed or the guest removed). */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.generation++;
    this.state = 'closed';
    this.early = [];
    const r = await this.api.consoleUnsubscribe({ id: this.id });
    if (!r.ok && r.error.code !== 'unknown-guest') this.onError(r.error);
  }

  /** The connection to the lab dropped: the lab forgot this subscription; nothing to unsubscribe. */
  detach(): void {
    this.generation++;
    this.state = 'closed';
    this.early = [];
  }

  private write(bytes: Uint8Array, gen: number): void {
    this.parsing += bytes.length;
    this.sink.write(bytes, () => this.parsed(bytes.length, gen));
  }

  private parsed(n: number, gen: number): void {
    if (gen !== this.generation) return;
    this.parsing -= n;
    this.unacked += n;
    if (this.unacked >= ACK_BATCH || this.parsing === 0) this.flushAck(gen);
  }

  private flushAck(gen: number): void {
    const bytes = this.unacked;
    if (bytes === 0) return;
    this.unacked = 0;
    this.acked += bytes;
    void this.api.consoleAck({ id: this.id, bytes }).then((r) => {
      // A guest removed meanwhile, or a subscription the lab dropped, is not worth a message.
      if (!r.ok && gen === this.generation && r.error.code !== 'unknown-guest' && r.error.code !== 'invalid-state'
        && r.error.code !== 'unavailable') this.onError(r.error);
    });
  }
}
