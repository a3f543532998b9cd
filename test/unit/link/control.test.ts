// The console queue word: the worker's sink refuses output while the bytes it
// has posted and the session has not taken reach the limit, and the session
// wakes the worker exactly when taking makes room.
import { describe, expect, it } from 'vitest';
import {
  CONSOLE_QUEUE_LIMIT, CONTROL, consoleBlocked, consolePosted, consoleTaken, createControl, resetConsoleQueue, setConsoleHold,
} from '../../../src/main/link/control';

const wakes = (c: Int32Array) => Atomics.load(c, CONTROL.wake);

describe('console queue', () => {
  it('blocks at the limit and not below it', () => {
    const c = createControl();
    consolePosted(c, CONSOLE_QUEUE_LIMIT - 1);
    expect(consoleBlocked(c)).toBe(false);
    consolePosted(c, 1);
    expect(consoleBlocked(c)).toBe(true);
    consoleTaken(c, 1);
    expect(consoleBlocked(c)).toBe(false);
  });

  it('wakes the worker only when taking crosses below the limit', () => {
    const c = createControl();
    consolePosted(c, 1000);
    consoleTaken(c, 1000);
    expect(wakes(c)).toBe(0);
    consolePosted(c, CONSOLE_QUEUE_LIMIT + 500);
    consoleTaken(c, 400); // still at or above the limit
    expect(wakes(c)).toBe(0);
    consoleTaken(c, 200); // now below
    expect(wakes(c)).toBe(1);
    consoleTaken(c, CONSOLE_QUEUE_LIMIT - 100);
    expect(wakes(c)).toBe(1);
    expect(Atomics.load(c, CONTROL.queued)).toBe(0);
  });

  it('the hold flag blocks on its own, and a fresh worker starts with an empty queue', () => {
    const c = createControl();
    setConsoleHold(c, true);
    expect(consoleBlocked(c)).toBe(true);
    setConsoleHold(c, false);
    consolePosted(c, CONSOLE_QUEUE_LIMIT * 2);
    expect(consoleBlocked(c)).toBe(true);
    resetConsoleQueue(c);
    expect(consoleBlocked(c)).toBe(false);
  });
});
