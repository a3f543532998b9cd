// Console flow control end to end: a subscriber that lags holds the guest's
// UART (the guest waits), and when it catches up every byte arrives, in
// order. The flood guest prints numbered lines the test regenerates.
import { afterEach, expect, it } from 'vitest';
import { CONSOLE_FLOW } from '../../src/main/lab/console-hub';
import { LabSession } from '../../src/main/lab/session';
import { OUTBOX_BYTES } from '../../src/main/guest/console-outbox';
import { CONSOLE_QUEUE_LIMIT } from '../../src/main/link/control';
import { floodOutput, H, Recorder, sha256, slicesPass, waitUntil } from '../support/runtime';

let session: LabSession;
afterEach(async () => {
  await session?.shutdown();
});

it('a slow console subscriber loses no byte of a guest printing 10 MB', async () => {
  const N = 10 * 1024 * 1024;
  session = new LabSession();
  const slow = new Recorder(session, 'slow', false);
  let acking = false;
  let unacked = 0;
  let maxUnacked = 0;
  const ack = (id: string, n: number) => {
    unacked -= n;
    if (session.listGuests().some((g) => g.id === id)) session.consoleAck(slow, id, n);
  };
  slow.onConsole = (id, bytes) => {
    unacked += bytes.length;
    maxUnacked = Math.max(maxUnacked, unacked);
    if (acking) setTimeout(() => ack(id, bytes.length), 2);
  };
  const g = await session.createGuest({ image: 'flood', model: 'native', bootargs: `bytes=${N}`, start: false });
  slow.subscribe(g.id);
  await session.startGuest(g.id);

  // The subscriber acknowledges nothing: past HIGH bytes in flight the guest is held.
  await waitUntil(() => unacked > CONSOLE_FLOW.high, 'output beyond the high watermark');
  // Once the worker has run a few slices the hold has reached it and what was
  // in transit has arrived; over a few more slices it must produce nothing.
  await slicesPass(session, g.id, 3, 'the held guest');
  const heldAt = session.guestCounters(g.id)[H.consoleOut]!;
  await waitUntil(() => slow.bytes(g.id).length === heldAt, 'the bytes in transit');
  await slicesPass(session, g.id, 5, 'the held guest');
  expect(session.guestCounters(g.id)[H.consoleOut]).toBe(heldAt);
  expect(slow.bytes(g.id).length).toBe(heldAt);
  expect(heldAt).toBeLessThan(N);

  // It catches up, slowly (each batch acknowledged a little later): everything arrives.
  acking = true;
  ack(g.id, unacked);
  await waitUntil(() => slow.state(g.id) === 'halted', 'the flood to finish', 90_000);
  await waitUntil(() => slow.text(g.id).endsWith('[lab] guest halted: the guest reset the board\r\n'), 'the halt line');
  const all = slow.bytes(g.id);
  expect(all.length).toBe(N + '\r\n[lab] guest halted: the guest reset the board\r\n'.length);
  expect(sha256(all.subarray(0, N))).toBe(sha256(floodOutput(N)));
  expect(session.guestCounters(g.id)[H.consoleOut]).toBe(N);
  // Never more in flight than HIGH plus what was already on its way: the
  // batch that crossed HIGH, the queue between the threads (bounded by its
  // limit plus the batch that reached it) and a UART FIFO or two in a race.
  // This holds however slowly the session's thread runs.
  expect(maxUnacked).toBeLessThan(CONSOLE_FLOW.high + CONSOLE_QUEUE_LIMIT + 2 * OUTBOX_BYTES + 64);
}, 120_000);
