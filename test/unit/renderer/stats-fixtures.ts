// Statistics snapshots for renderer tests, built from COUNTERS (no names typed twice).
import { COUNTERS, type CounterId, type GuestStatsSample, type StatsSnapshot } from '../../../src/shared/stats';

export function guestSample(id: string, over: { insns?: number; exits?: number; cycles?: number; hvCycles?: number; hvShare?: number; counters?: Partial<Record<CounterId, number>>; spr?: GuestStatsSample['spr'] } = {}): GuestStatsSample {
  const counters = {} as GuestStatsSample['counters'];
  for (const c of COUNTERS) counters[c.id] = { total: over.counters?.[c.id] ?? 0, rate: 0, cycles: (over.counters?.[c.id] ?? 0) * 700, hostNs: 0 };
  return {
    id, insns: over.insns ?? 0, mips: 1, cycles: over.cycles ?? 0, hvCycles: over.hvCycles ?? 0, hvShare: over.hvShare ?? 0,
    exits: over.exits ?? 0, exitRate: 0, counters, spr: over.spr ?? {},
  };
}

export function snapshot(t: number, guests: GuestStatsSample[]): StatsSnapshot {
  return { t, guests };
}
