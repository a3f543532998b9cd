// Reads every guest's statistics block at about 10 Hz (no messages: the
// workers write their blocks in place) and turns the readings into a
// StatsSnapshot of totals, deltas and rates with sampleStats. A per-guest
// baseline implements resetStats without touching the worker's block. When
// no block has changed for a few readings (every guest asleep, paused or
// stopped) the session reads once a second instead, until something happens.

import type { GuestStatsSample, StatsSnapshot } from '../../shared/stats';
import { H, R, sampleStats } from '../link/stats';

export const STATS_INTERVAL_MS = 100;
export const QUIET_INTERVAL_MS = 1000;
/** Unchanged readings after which the session reads at the quiet interval. */
export const QUIET_AFTER = 3;

/** Slots that change whenever a worker does anything. */
const ACTIVITY_SLOTS = [H.seq, H.consoleOut, H.consoleIn, R.slices, R.sleeps];

export interface StatsSource {
  id: string;
  block: Float64Array;
}

interface Reading {
  at: number;
  values: Float64Array;
}

export class StatsPump {
  private readonly prev = new Map<string, Reading>();
  private readonly baselines = new Map<string, Float64Array>();
  private readonly t0 = performance.now();

  /** The block as the user sees it: minus the baseline of the last resetStats. */
  read(src: StatsSource): Float64Array {
    const values = Float64Array.from(src.block);
    const base = this.baselines.get(src.id);
    if (base) for (let i = 1; i < values.length; i++) values[i] = values[i]! - base[i]!;
    return values;
  }

  /**
   * Samples every guest; `commit` makes this the reference for the next rates.
   * `active`: some guest's worker did something since the previous reading.
   */
  sample(sources: readonly StatsSource[], commit = true): { snapshot: StatsSnapshot; busyShare: Map<string, number>; active: boolean } {
    const now = performance.now();
    const guests: GuestStatsSample[] = [];
    const busyShare = new Map<string, number>();
    let active = false;
    for (const src of sources) {
      const values = this.read(src);
      const prev = this.prev.get(src.id);
      const dt = prev ? now - prev.at : 0;
      guests.push(sampleStats(src.id, values, prev?.values ?? null, dt));
      if (prev && dt > 0) busyShare.set(src.id, Math.max(0, values[H.hostBusyNs]! - prev.values[H.hostBusyNs]!) / (dt * 1e6));
      if (!prev || ACTIVITY_SLOTS.some((slot) => values[slot] !== prev.values[slot])) active = true;
      if (commit) this.prev.set(src.id, { at: now, values });
    }
    return { snapshot: { t: Math.round(now - this.t0), guests }, busyShare, active };
  }

  /** Zeroes what the user sees from now on. */
  resetBaseline(src: StatsSource): void {
    this.baselines.set(src.id, Float64Array.from(src.block));
    this.prev.delete(src.id);
  }

  /** The worker zeroed its block itself (a guest reset), or the guest is gone. */
  forget(id: string): void {
    this.baselines.delete(id);
    this.prev.delete(id);
  }
}
