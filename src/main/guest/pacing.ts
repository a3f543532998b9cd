// When an idle guest's virtual time is spent. Virtual time is deterministic in
// instructions; while the core waits (`wait`) the worker decides how long to
// sleep before jumping to the next timer event. The rule:
//
//   - Virtual time may run ahead of host time by at most `leadMs`: events due
//     within that lead are taken at once, so a guest with a 1 kHz tick wakes
//     the host about 1000 / leadMs times a second, not 1000 times. (A thread
//     wake-up costs a few hundred microseconds of CPU on a virtual machine:
//     labOS under a hypervisor, which polls its byte channels at 1 kHz, idles
//     at about 3% of a core with a 10 ms lead and under 2% with 50 ms.)
//   - Otherwise the worker sleeps until the event is due in host time.
//   - A guest that fell behind (it was busy: the emulator runs slower than the
//     modeled core) is not made to catch up in a burst: the mapping between
//     host and virtual time is re-anchored at the current instant.
//
// The anchor maps host milliseconds to time-base ticks at the modeled
// time-base frequency.

export const DEFAULT_LEAD_MS = 50;

export class Pacer {
  private hostAnchor = Number.NaN;
  private tickAnchor = 0;
  private ticksPerMs: number;

  constructor(timebaseMHz: number, readonly leadMs = DEFAULT_LEAD_MS) {
    this.ticksPerMs = timebaseMHz * 1000;
  }

  setTimebase(timebaseMHz: number): void {
    this.ticksPerMs = timebaseMHz * 1000;
    this.reset();
  }

  /** Forgets the anchor (after a reset, a pause, a clock change). */
  reset(): void {
    this.hostAnchor = Number.NaN;
  }

  /** Virtual time due at host time `now` under the current anchor. */
  private due(now: number): number {
    return this.tickAnchor + (now - this.hostAnchor) * this.ticksPerMs;
  }

  /**
   * How long to sleep (ms) before the event at `next` ticks, the core being at
   * `ticks` now: 0 means take it at once, Infinity means sleep until woken.
   */
  sleepFor(now: number, ticks: number, next: number): number {
    if (!(this.hostAnchor <= now) || ticks < this.due(now)) {
      this.hostAnchor = now;
      this.tickAnchor = ticks;
    }
    if (!Number.isFinite(next)) return Number.POSITIVE_INFINITY;
    const wait = this.hostAnchor + (next - this.tickAnchor) / this.ticksPerMs - now;
    return wait > this.leadMs ? wait : 0;
  }

  /** After an early wake-up at host time `now`: the virtual time idle may skip to (never past `next`). */
  reachable(now: number, next: number): number {
    if (Number.isNaN(this.hostAnchor)) return 0;
    return Math.min(next, Math.floor(this.due(now)));
  }
}
