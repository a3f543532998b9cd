// The exit statistics as the renderer keeps them: the latest snapshots (for
// rates over a window, like kvm_stat's CurAvg/s) and a fixed-length history
// per scope (each guest, and 'all' for the sum) for the time-series charts.
//
// Chart columns are plain arrays that are mutated in place (push, and shift
// once full), so a chart can hand the same arrays to uPlot's setData on every
// tick without allocating. Everything is keyed by COUNTERS: no counter name
// is typed here.

import { COUNTERS, type CounterId, type CounterSample, type GuestStatsSample, type SprSample, type StatsSnapshot } from '../../../shared/stats';

/** The scope of a table or chart: one guest id, or every guest together. */
export type Scope = string;
export const ALL: Scope = 'all';

/** Counters that are real exits (the chart of exit rate by reason plots these). */
export const EXIT_COUNTERS = COUNTERS.filter((c) => c.exit);

/** Points kept per chart column (60 s at the lab's 10 Hz). */
export const HISTORY_POINTS = 600;
/** Window of the rates in tables (kvm_stat's CurAvg/s over one update). */
export const TABLE_RATE_WINDOW_MS = 1000;
/** Window of the rates in charts: short, so a configuration change shows within a second. */
export const CHART_RATE_WINDOW_MS = 500;
/** Snapshots kept for the rate windows. */
const RECENT_MAX = 40;

/** A counter's figures in one scope: the same fields the lab samples per guest. */
export type CounterRow = CounterSample;

export interface SprRow extends SprSample {
  /** Traps (reads + writes) per second over the table window. */
  rate: number;
}

/** One scope's figures now: a guest sample's fields (summed for 'all'), windowed rates, per-SPR traps. */
export interface ScopeSample extends Omit<GuestStatsSample, 'id' | 'counters' | 'spr'> {
  guests: number;
  counters: Record<CounterId, CounterRow>;
  spr: Record<string, SprRow>;
}

export type Column = (number | null)[];

export interface ScopeColumns {
  /** Exit rate by reason (events/s), one column per EXIT_COUNTERS entry, by id. */
  exitRate: Record<string, Column>;
  /** Share of the guest's modeled time spent in the hypervisor (0..1). */
  hvShare: Column;
}

function emptyCounters(): Record<CounterId, CounterRow> {
  const out = {} as Record<CounterId, CounterRow>;
  for (const c of COUNTERS) out[c.id] = { total: 0, rate: 0, cycles: 0, hostNs: 0 };
  return out;
}

export class StatsHistory {
  /** Chart time axis, seconds since the lab session started. */
  readonly time: number[] = [];
  readonly columns = new Map<Scope, ScopeColumns>();
  private recent: StatsSnapshot[] = [];

  constructor(readonly capacity = HISTORY_POINTS) {}

  get latest(): StatsSnapshot | null {
    return this.recent.at(-1) ?? null;
  }

  /** Guest ids in the latest snapshot. */
  guestIds(): string[] {
    return this.latest?.guests.map((g) => g.id) ?? [];
  }

  clear(): void {
    this.recent = [];
    this.time.length = 0;
    this.columns.clear();
  }

  /** Forgets one guest's past (after resetStats or a reset): rates restart from its next samples. */
  forget(id: string): void {
    for (const s of this.recent) s.guests = s.guests.filter((g) => g.id !== id);
  }

  push(snap: StatsSnapshot): void {
    const last = this.latest;
    if (last && snap.t <= last.t) {
      // The lab restarted (time went back): start over.
      this.clear();
    }
    this.recent.push(snap);
    if (this.recent.length > RECENT_MAX) this.recent.shift();
    this.appendColumns(snap);
  }

  /** The sample `windowMs` before the latest one (the oldest kept if the window is longer). */
  private past(windowMs: number): StatsSnapshot | null {
    const last = this.latest;
    if (!last || this.recent.length < 2) return null;
    for (let i = this.recent.length - 2; i >= 0; i--) {
      if (last.t - this.recent[i]!.t >= windowMs) return this.recent[i]!;
    }
    return this.recent[0]!;
  }

  private guestsOf(scope: Scope, snap: StatsSnapshot): GuestStatsSample[] {
    return scope === ALL ? snap.guests : snap.guests.filter((g) => g.id === scope);
  }

  /** The figures of a scope now, with rates over `windowMs`. */
  sample(scope: Scope, windowMs = TABLE_RATE_WINDOW_MS): ScopeSample {
    const out: ScopeSample = {
      guests: 0, insns: 0, mips: 0, cycles: 0, hvCycles: 0, hvShare: 0, exits: 0, exitRate: 0,
      counters: emptyCounters(), spr: {},
    };
    const now = this.latest;
    if (!now) return out;
    const before = this.past(windowMs);
    let dCycles = 0;
    let dHv = 0;
    for (const g of this.guestsOf(scope, now)) {
      out.guests++;
      out.insns += g.insns;
      out.mips += g.mips;
      out.cycles += g.cycles;
      out.hvCycles += g.hvCycles;
      out.exits += g.exits;
      const p = before?.guests.find((x) => x.id === g.id);
      const dt = p && before ? (now.t - before.t) / 1000 : 0;
      // A window is usable when the guest existed at its start and its counters did not go back (reset).
      const usable = p !== undefined && dt > 0 && g.insns >= p.insns && g.exits >= p.exits;
      out.exitRate += usable ? (g.exits - p.exits) / dt : g.exitRate;
      if (usable && g.cycles > p.cycles) {
        dCycles += g.cycles - p.cycles;
        dHv += g.hvCycles - p.hvCycles;
      } else if (!usable) {
        dCycles += 1;
        dHv += g.hvShare;
      }
      for (const c of COUNTERS) {
        const s = g.counters[c.id];
        if (!s) continue;
        const row = out.counters[c.id];
        row.total += s.total;
        row.cycles += s.cycles;
        row.hostNs += s.hostNs;
        const ps = usable ? p.counters[c.id] : undefined;
        row.rate += ps && s.total >= ps.total ? (s.total - ps.total) / dt : s.rate;
      }
      for (const [name, s] of Object.entries(g.spr)) {
        const row = (out.spr[name] ??= { reads: 0, writes: 0, cycles: 0, rate: 0 });
        row.reads += s.reads;
        row.writes += s.writes;
        row.cycles += s.cycles;
        const ps = usable ? p.spr[name] : undefined;
        if (usable) {
          const traps = s.reads + s.writes - (ps ? ps.reads + ps.writes : 0);
          if (traps >= 0) row.rate += traps / dt;
        }
      }
    }
    out.hvShare = dCycles > 0 ? Math.min(1, Math.max(0, dHv / dCycles)) : 0;
    return out;
  }

  private appendColumns(snap: StatsSnapshot): void {
    const scopes: Scope[] = [ALL, ...snap.guests.map((g) => g.id)];
    // Columns of guests that are gone are dropped; new guests start with gaps.
    for (const key of [...this.columns.keys()]) if (!scopes.includes(key)) this.columns.delete(key);
    const full = this.time.length >= this.capacity;
    if (full) this.time.shift();
    this.time.push(snap.t / 1000);
    for (const scope of scopes) {
      let cols = this.columns.get(scope);
      if (!cols) {
        cols = { exitRate: {}, hvShare: new Array<number | null>(this.time.length - 1).fill(null) };
        for (const c of EXIT_COUNTERS) cols.exitRate[c.id] = new Array<number | null>(this.time.length - 1).fill(null);
        this.columns.set(scope, cols);
      } else if (full) {
        cols.hvShare.shift();
        for (const c of EXIT_COUNTERS) cols.exitRate[c.id]!.shift();
      }
      const s = this.sample(scope, CHART_RATE_WINDOW_MS);
      cols.hvShare.push(s.guests > 0 ? s.hvShare : null);
      for (const c of EXIT_COUNTERS) cols.exitRate[c.id]!.push(s.guests > 0 ? s.counters[c.id].rate : null);
    }
  }

  /** The exit reasons with the highest mean rate over the last `points` chart points of a scope. */
  topReasons(scope: Scope, n: number, points = 100): CounterId[] {
    const cols = this.columns.get(scope);
    if (!cols) return [];
    const mean = EXIT_COUNTERS.map((c) => {
      const col = cols.exitRate[c.id]!;
      let sum = 0;
      for (let i = Math.max(0, col.length - points); i < col.length; i++) sum += col[i] ?? 0;
      return { id: c.id, sum };
    });
    return mean.filter((m) => m.sum > 0).sort((a, b) => b.sum - a.sum).slice(0, n).map((m) => m.id);
  }
}
