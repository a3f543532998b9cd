// The statistics history: kvm_stat-style rates over a window, sums over
// guests, resets, and chart columns that stay aligned and bounded.
import { describe, expect, it } from 'vitest';
import { ALL, EXIT_COUNTERS, StatsHistory, TABLE_RATE_WINDOW_MS } from '../../../src/renderer/src/stores/stats-history';
import { COUNTERS } from '../../../src/shared/stats';
import { guestSample, snapshot } from './stats-fixtures';

describe('StatsHistory', () => {
  it('computes rates over the table window from totals, per guest and summed', () => {
    const h = new StatsHistory();
    for (let i = 0; i <= 20; i++) {
      const t = i * 100;
      h.push(snapshot(t, [
        guestSample('g1', { insns: i * 1e6, exits: i * 100, counters: { dec_exits: i * 100 } }),
        guestSample('g2', { insns: i * 1e6, exits: i * 30, counters: { mmio_exits: i * 30 } }),
      ]));
    }
    const g1 = h.sample('g1');
    expect(g1.counters.dec_exits.total).toBe(2000);
    expect(g1.counters.dec_exits.rate).toBeCloseTo(1000, 6); // 100 per 100 ms
    expect(g1.exitRate).toBeCloseTo(1000, 6);
    const all = h.sample(ALL);
    expect(all.guests).toBe(2);
    expect(all.exits).toBe(2000 + 600);
    expect(all.exitRate).toBeCloseTo(1300, 6);
    expect(all.counters.mmio_exits.rate).toBeCloseTo(300, 6);
    expect(TABLE_RATE_WINDOW_MS).toBe(1000);
  });

  it('treats counters that went back (resetStats, a guest reset) as a new start, never a negative rate', () => {
    const h = new StatsHistory();
    h.push(snapshot(0, [guestSample('g1', { insns: 1e6, exits: 5000, counters: { dec_exits: 5000 } })]));
    h.push(snapshot(1000, [guestSample('g1', { insns: 2e6, exits: 6000, counters: { dec_exits: 6000 } })]));
    h.push(snapshot(1100, [guestSample('g1', { insns: 1e4, exits: 3, counters: { dec_exits: 3 } })]));
    const s = h.sample('g1');
    expect(s.counters.dec_exits.total).toBe(3);
    expect(s.counters.dec_exits.rate).toBeGreaterThanOrEqual(0);
    expect(s.exitRate).toBeGreaterThanOrEqual(0);
  });

  it('sums the modeled hypervisor share over cycles, not over guests', () => {
    const h = new StatsHistory();
    h.push(snapshot(0, [guestSample('a', { insns: 1, exits: 0, cycles: 0, hvCycles: 0 }), guestSample('b', { insns: 1, exits: 0, cycles: 0, hvCycles: 0 })]));
    h.push(snapshot(1000, [guestSample('a', { insns: 2, exits: 0, cycles: 1000, hvCycles: 500 }), guestSample('b', { insns: 2, exits: 0, cycles: 3000, hvCycles: 0 })]));
    expect(h.sample('a').hvShare).toBeCloseTo(0.5);
    expect(h.sample(ALL).hvShare).toBeCloseTo(500 / 4000);
  });

  it('keeps per-SPR traps with a rate', () => {
    const h = new StatsHistory();
    h.push(snapshot(0, [guestSample('g1', { insns: 1, spr: { SPRG0: { reads: 10, writes: 10, cycles: 100 } } })]));
    h.push(snapshot(1000, [guestSample('g1', { insns: 2, spr: { SPRG0: { reads: 510, writes: 510, cycles: 10_000 } } })]));
    expect(h.sample(ALL).spr.SPRG0).toEqual({ reads: 510, writes: 510, cycles: 10_000, rate: 1000 });
  });

  it('keeps chart columns aligned with the time axis, bounded, with gaps for late guests', () => {
    const h = new StatsHistory(50);
    for (let i = 0; i < 80; i++) {
      const guests = [guestSample('g1', { insns: i, exits: i * 10, counters: { dec_exits: i * 10 } })];
      if (i >= 60) guests.push(guestSample('g2', { insns: i, exits: 0 }));
      h.push(snapshot(i * 100, guests));
    }
    expect(h.time.length).toBe(50);
    expect(h.time[0]).toBeCloseTo(3.0);
    for (const scope of [ALL, 'g1', 'g2']) {
      const cols = h.columns.get(scope)!;
      expect(cols.hvShare.length).toBe(50);
      for (const c of EXIT_COUNTERS) expect(cols.exitRate[c.id]!.length).toBe(50);
    }
    // g2 appeared 20 points ago: earlier points are gaps.
    expect(h.columns.get('g2')!.hvShare.slice(0, 30).every((v) => v === null)).toBe(true);
    expect(h.columns.get('g2')!.hvShare.at(-1)).not.toBeNull();
    expect(h.topReasons('g1', 3)).toEqual(['dec_exits']);
  });

  it('drops the columns of a removed guest and starts over when the lab restarts', () => {
    const h = new StatsHistory();
    h.push(snapshot(100, [guestSample('g1'), guestSample('g2')]));
    h.push(snapshot(200, [guestSample('g1')]));
    expect([...h.columns.keys()].sort()).toEqual(['all', 'g1']);
    h.push(snapshot(50, [guestSample('g3')]));
    expect(h.time).toEqual([0.05]);
    expect([...h.columns.keys()].sort()).toEqual(['all', 'g3']);
  });

  it('covers every counter of COUNTERS and charts only the real exits', () => {
    const h = new StatsHistory();
    h.push(snapshot(0, [guestSample('g1')]));
    expect(Object.keys(h.sample('g1').counters)).toEqual(COUNTERS.map((c) => c.id));
    expect(EXIT_COUNTERS.every((c) => c.exit)).toBe(true);
    expect(Object.keys(h.columns.get('g1')!.exitRate)).toEqual(EXIT_COUNTERS.map((c) => c.id));
  });
});
