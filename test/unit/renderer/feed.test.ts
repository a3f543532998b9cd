// Console flow control in the renderer (ConsoleFeed): bytes are acknowledged
// only after the terminal has parsed them, in batches, and always when the
// terminal has caught up; the scrollback is written first and never counted;
// events that race the subscribe reply are kept in order.
import { describe, expect, it, vi } from 'vitest';
import { ACK_BATCH, ConsoleFeed, type ConsoleApi, type TermSink } from '../../../src/renderer/src/consoles/feed';
import { ok, fail } from '../../../src/shared/result';

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

/** A terminal that parses when told to (like xterm's WriteBuffer, asynchronously). */
class FakeTerm implements TermSink {
  written: string[] = [];
  pending: (() => void)[] = [];
  write(data: Uint8Array, cb?: () => void): void {
    this.written.push(Buffer.from(data).toString('latin1'));
    if (cb) this.pending.push(cb);
  }
  parseAll(): void {
    const p = this.pending;
    this.pending = [];
    for (const cb of p) cb();
  }
  parseOne(): void {
    this.pending.shift()?.();
  }
}

function api(scrollback = ''): ConsoleApi & { acks: number[] } {
  const acks: number[] = [];
  return {
    acks,
    consoleSubscribe: vi.fn(async () => ok({ scrollback: b64(scrollback) })),
    consoleUnsubscribe: vi.fn(async ({ id }: { id: string }) => ok({ id })),
    consoleAck: vi.fn(async ({ bytes }: { id: string; bytes: number }) => { acks.push(bytes); return ok({ inFlight: 0 }); }),
  } as ConsoleApi & { acks: number[] };
}

describe('ConsoleFeed', () => {
  it('writes the scrollback first and never acknowledges it', async () => {
    const a = api('boot banner\r\n');
    const term = new FakeTerm();
    const feed = new ConsoleFeed(a, 'g1', term);
    expect(await feed.open()).toBe(true);
    expect(term.written).toEqual(['boot banner\r\n']);
    term.parseAll();
    expect(a.acks).toEqual([]);
  });

  it('acknowledges output only after the terminal parsed it', async () => {
    const a = api();
    const term = new FakeTerm();
    const feed = new ConsoleFeed(a, 'g1', term);
    await feed.open();
    feed.receive(b64('labos> '));
    expect(term.written).toEqual(['labos> ']);
    expect(a.acks).toEqual([]);
    expect(feed.counters().parsing).toBe(7);
    term.parseAll();
    expect(a.acks).toEqual([7]);
    expect(feed.counters()).toEqual({ received: 7, parsing: 0, acked: 7 });
  });

  it('batches acknowledgements while the terminal is behind, and flushes when it catches up', async () => {
    const a = api();
    const term = new FakeTerm();
    const feed = new ConsoleFeed(a, 'g1', term);
    await feed.open();
    const chunk = 'x'.repeat(4096);
    const n = 10;
    for (let i = 0; i < n; i++) feed.receive(b64(chunk));
    for (let i = 0; i < n - 1; i++) term.parseOne();
    // 9 x 4 KB parsed, one chunk still parsing: one batch of >= ACK_BATCH so far.
    expect(a.acks.length).toBe(Math.floor((9 * 4096) / ACK_BATCH));
    expect(a.acks.every((x) => x >= ACK_BATCH)).toBe(true);
    term.parseOne();
    // Caught up: everything is acknowledged, so the lab sees this window drain below its low watermark.
    expect(a.acks.reduce((x, y) => x + y, 0)).toBe(n * 4096);
  });

  it('keeps console events that arrive before the subscribe reply, in order, after the scrollback', async () => {
    const a = api('old ');
    let release!: () => void;
    (a.consoleSubscribe as ReturnType<typeof vi.fn>).mockImplementationOnce(() => new Promise((r) => { release = () => r(ok({ scrollback: b64('old ') })); }));
    const term = new FakeTerm();
    const feed = new ConsoleFeed(a, 'g1', term);
    const opened = feed.open();
    feed.receive(b64('new1 '));
    feed.receive(b64('new2'));
    expect(term.written).toEqual([]);
    release();
    await opened;
    expect(term.written.join('')).toBe('old new1 new2');
    term.parseAll();
    expect(a.acks).toEqual([9]);
  });

  it('after close: unsubscribes, ignores events and late write callbacks', async () => {
    const a = api();
    const term = new FakeTerm();
    const feed = new ConsoleFeed(a, 'g1', term);
    await feed.open();
    feed.receive(b64('abc'));
    await feed.close();
    expect(a.consoleUnsubscribe).toHaveBeenCalledWith({ id: 'g1' });
    feed.receive(b64('def'));
    term.parseAll();
    expect(term.written).toEqual(['abc']);
    expect(a.acks).toEqual([]);
  });

  it('reports a refused subscription and stays closed', async () => {
    const a = api();
    (a.consoleSubscribe as ReturnType<typeof vi.fn>).mockResolvedValueOnce(fail('unknown-guest', 'No guest with id "g9"'));
    const errors: string[] = [];
    const feed = new ConsoleFeed(a, 'g9', new FakeTerm(), (e) => errors.push(e.message));
    expect(await feed.open()).toBe(false);
    expect(feed.status).toBe('closed');
    expect(errors).toEqual(['No guest with id "g9"']);
  });

  it('bounds what is in flight to what the lab sent: a flood is parsed and acknowledged in full', async () => {
    const a = api();
    const term = new FakeTerm();
    const feed = new ConsoleFeed(a, 'g1', term);
    await feed.open();
    let sent = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 5; i++) { feed.receive(b64('y'.repeat(20_000))); sent += 20_000; }
      term.parseAll();
    }
    expect(a.acks.reduce((x, y) => x + y, 0)).toBe(sent);
    expect(feed.counters().parsing).toBe(0);
  });
});
