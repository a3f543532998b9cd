// The statistics block of one guest: a Float64Array over a SharedArrayBuffer
// with a fixed, versioned layout, written by the guest's worker (the core and
// the hypervisor bump it in place, no messages) and read by the LabSession at
// about 10 Hz. The counters are the ones declared once in src/shared/stats.ts.
//
//   [0]  layout version        [1]  instructions retired    [2]  modeled cycles
//   [3]  hypervisor cycles     [4]  host ns executing       [5]  host ns idle
//   [6]  exits (sum)           [7]  console bytes out       [8]  console bytes in
//   [9]  update sequence       [10..15] reserved
//   then 3 slots per counter (count, modeled cycles, host ns), in COUNTERS order,
//   then 3 slots per counted SPR (mfspr traps, mtspr traps, modeled cycles),
//   then (version 2) the runtime's own slots R: slices run, sleeps (wake-ups
//   from Atomics.wait), reserved.
//
// Contract (src/main/link): written by the guest's worker, read by the session.

import { COUNTED_SPRS, COUNTERS, type CounterId, type GuestStatsSample } from '../../shared/stats';

export const STATS_LAYOUT_VERSION = 4;
export const HEADER_SLOTS = 16;

export const H = {
  version: 0,
  insns: 1,
  cycles: 2,
  hvCycles: 3,
  hostBusyNs: 4,
  hostIdleNs: 5,
  exits: 6,
  consoleOut: 7,
  consoleIn: 8,
  seq: 9,
} as const;

export const COUNTER_BASE = HEADER_SLOTS;
export const SPR_BASE = COUNTER_BASE + COUNTERS.length * 3;
export const RUNTIME_BASE = SPR_BASE + COUNTED_SPRS.length * 3;

/** The worker's own bookkeeping (version 2), after the SPR slots. */
export const R = {
  /** Slices of guest execution (calls into Machine.run that ran instructions or reached a stop). */
  slices: RUNTIME_BASE,
  /** Times the worker slept in Atomics.wait (idle, paused, halted or held by console flow control). */
  sleeps: RUNTIME_BASE + 1,
  /** Console input the worker has received that the guest has not read yet (its UART's queue). */
  inputPending: RUNTIME_BASE + 2,
} as const;

export const RUNTIME_SLOTS = 4;
export const STATS_SLOTS = RUNTIME_BASE + RUNTIME_SLOTS;

const counterIndex = new Map<string, number>(COUNTERS.map((c, i) => [c.id, i]));
const sprIndex = new Map<string, number>(COUNTED_SPRS.map((n, i) => [n, i]));

/** Slot of a counter's count (cycles at +1, host ns at +2). */
export function counterSlot(id: CounterId): number {
  return COUNTER_BASE + counterIndex.get(id)! * 3;
}

/** Slot of an SPR's mfspr trap count (mtspr at +1, cycles at +2), or -1 if not counted. */
export function sprSlot(name: string): number {
  const i = sprIndex.get(name);
  return i === undefined ? -1 : SPR_BASE + i * 3;
}

export function createStatsBuffer(): Float64Array {
  const sab = new SharedArrayBuffer(STATS_SLOTS * 8);
  const a = new Float64Array(sab);
  a[H.version] = STATS_LAYOUT_VERSION;
  return a;
}

/** Wraps a buffer received from another thread, checking its layout version. */
export function attachStatsBuffer(sab: SharedArrayBuffer): Float64Array {
  const a = new Float64Array(sab);
  if (a.length !== STATS_SLOTS || a[H.version] !== STATS_LAYOUT_VERSION) {
    throw new Error(`statistics layout mismatch: version ${a[H.version]} with ${a.length} slots, expected version ${STATS_LAYOUT_VERSION} with ${STATS_SLOTS}`);
  }
  return a;
}

/** Zeroes every counter (keeps the version). */
export function resetStats(a: Float64Array): void {
  a.fill(0, 1);
}

/**
 * Turns two readings of a guest's block into a sample: totals from `now`,
 * rates from the difference over `dtMs` milliseconds of host time.
 */
export function sampleStats(id: string, now: Float64Array, prev: Float64Array | null, dtMs: number): GuestStatsSample {
  const dt = dtMs > 0 ? dtMs / 1000 : 0;
  const delta = (slot: number) => (prev ? now[slot]! - prev[slot]! : 0);
  const rate = (slot: number) => (dt > 0 && prev ? Math.max(0, delta(slot)) / dt : 0);
  const counters = {} as GuestStatsSample['counters'];
  COUNTERS.forEach((c, i) => {
    const s = COUNTER_BASE + i * 3;
    counters[c.id] = { total: now[s]!, rate: rate(s), cycles: now[s + 1]!, hostNs: now[s + 2]! };
  });
  const spr: GuestStatsSample['spr'] = {};
  COUNTED_SPRS.forEach((name, i) => {
    const s = SPR_BASE + i * 3;
    if (now[s]! > 0 || now[s + 1]! > 0) spr[name] = { reads: now[s]!, writes: now[s + 1]!, cycles: now[s + 2]! };
  });
  const dCycles = delta(H.cycles);
  return {
    id,
    insns: now[H.insns]!,
    mips: rate(H.insns) / 1e6,
    cycles: now[H.cycles]!,
    hvCycles: now[H.hvCycles]!,
    hvShare: dCycles > 0 ? Math.min(1, Math.max(0, delta(H.hvCycles) / dCycles)) : 0,
    exits: now[H.exits]!,
    exitRate: rate(H.exits),
    counters,
    spr,
  };
}
