import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/main/guest/pacing';

// 400 MHz time base: 400,000 ticks per host millisecond.
const MS = 400_000;

describe('idle pacing', () => {
  it('sleeps until a distant event is due', () => {
    const p = new Pacer(400, 10);
    expect(p.sleepFor(1000, 0, 50 * MS)).toBeCloseTo(50);
  });

  it('takes events within the lead at once, then sleeps a whole lead', () => {
    const p = new Pacer(400, 10);
    let ticks = 0;
    let taken = 0;
    // A 1 kHz tick: events every millisecond of virtual time, host time frozen at 0.
    while (p.sleepFor(0, ticks, ticks + MS) === 0) {
      ticks += MS;
      taken++;
    }
    expect(taken).toBe(10);
    expect(p.sleepFor(0, ticks, ticks + MS)).toBeCloseTo(10 + 1);
  });

  it('re-anchors instead of catching up after the guest fell behind', () => {
    const p = new Pacer(400, 10);
    p.sleepFor(0, 0, 100 * MS);
    // 500 ms of host time later the guest has only advanced 5 ms (it was busy).
    expect(p.sleepFor(500, 5 * MS, 25 * MS)).toBeCloseTo(20);
  });

  it('sleeps until woken when no timer is armed, then lets idle time pass', () => {
    const p = new Pacer(400, 10);
    expect(p.sleepFor(0, 0, Infinity)).toBe(Infinity);
    expect(p.reachable(30, Infinity)).toBe(30 * MS);
    expect(p.reachable(30, 7 * MS)).toBe(7 * MS);
  });
});
