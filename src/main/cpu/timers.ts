// Deterministic virtual time and the Book E timer facility: the 64-bit time
// base, the decrementer with auto-reload, the fixed-interval timer and the
// watchdog (TCR/TSR). Virtual time advances only with retired guest
// instructions (times the CPI) and with the modeled cycles of hypervisor work,
// so two runs of the same guest see exactly the same timer events.
//
// Time is kept as `ticks`, the time-base ticks since reset (a Number, exact
// below 2^53), advanced from "centicycles" (cycles x 100, so a CPI with two
// decimals stays exact) through an exact remainder. The guest-visible time
// base is a 64-bit offset (set by TBL/TBU writes, kept as two 32-bit halves)
// plus ticks. The decrementer counts ticks; the fixed-interval timer and the
// watchdog watch bits of the time base itself. Facts: booke-hv-facts.md §6.

import { holdAsDoubles } from './bits';
import { TCR, TSR } from './regs';

export interface TimerClock {
  /** Cycles per instruction (two decimals are kept exactly). */
  cpi: number;
  coreMHz: number;
  timebaseMHz: number;
}

export const DEFAULT_CLOCK: TimerClock = { cpi: 1, coreMHz: 1000, timebaseMHz: 400 };

const TWO32 = 0x100000000;

/**
 * Timer expiries (Timers.expired bits), whatever the guest's enables: what a
 * hypervisor that emulates the guest's timers with host timers sees (KVM arms
 * an hrtimer for the guest decrementer and takes the host interrupt when it
 * fires). The decrementer expires whenever it passes zero; the fixed-interval
 * timer and the watchdog count only while the guest enables them.
 */
export const EXPIRED = { DEC: 1, FIT: 2, WATCHDOG: 4 } as const;

export class Timers {
  /** Time-base ticks since reset. */
  ticks = 0;
  /** Remainder of the tick computation, in centicycles x timebaseMHz. */
  private frac = 0;
  private cpi100 = 100;
  private tbMHz = 400;
  private den = 100 * 1000;
  /** Total modeled cycles x 100 (instructions x CPI plus hypervisor cycles). */
  centicycles = 0;
  /** Guest time base = offset + ticks (64-bit, as two unsigned halves). */
  private offHi = 0;
  private offLo = 0;

  tcr = 0;
  tsr = 0;
  decar = 0;
  /** DEC value at tick decBaseTick (0: the decrementer is stopped at zero). */
  private decBase = 0;
  private decBaseTick = 0;
  /** Ticks up to which timer events have been applied. */
  private appliedTo = 0;
  /** Set when the watchdog asks for a reset (TCR[WRC] != 0 on the third time-out). */
  resetRequest = 0;
  /** Expiries (EXPIRED bits) since the last takeExpired(). */
  expired = 0;

  constructor(clock: TimerClock = DEFAULT_CLOCK) {
    holdAsDoubles(this, ['ticks', 'frac', 'centicycles', 'decBaseTick', 'appliedTo']);
    this.setClock(clock);
  }

  setClock(clock: TimerClock): void {
    const cpi100 = Math.max(1, Math.round(clock.cpi * 100));
    const tbMHz = Math.max(1, Math.round(clock.timebaseMHz));
    const den = 100 * Math.max(1, Math.round(clock.coreMHz));
    if (cpi100 === this.cpi100 && tbMHz === this.tbMHz && den === this.den) return;
    this.cpi100 = cpi100;
    this.tbMHz = tbMHz;
    this.den = den;
    this.frac = 0;
  }

  reset(): void {
    this.ticks = 0;
    this.frac = 0;
    this.centicycles = 0;
    this.offHi = this.offLo = 0;
    this.tcr = 0;
    this.tsr = 0;
    this.decar = 0;
    this.decBase = 0;
    this.decBaseTick = 0;
    this.appliedTo = 0;
    this.resetRequest = 0;
    this.expired = 0;
  }

  /** The expiries since the last call (EXPIRED bits), cleared. */
  takeExpired(): number {
    const e = this.expired;
    this.expired = 0;
    return e;
  }

  // ---- virtual time ---------------------------------------------------------

  /**
   * What ticksAfter, tbl and tbu compute from, for code that computes them
   * itself (translated WebAssembly, cpu/wasm-jit.ts): ticks, the remainder,
   * centicycles-per-instruction times the time-base MHz, the denominator, and
   * the time base's offset halves.
   */
  exportTimeBase(out: Float64Array): void {
    out[0] = this.ticks;
    out[1] = this.frac;
    out[2] = this.cpi100 * this.tbMHz;
    out[3] = this.den;
    out[4] = this.offLo;
    out[5] = this.offHi;
  }

  /** Ticks after `insns` more instructions (without advancing). */
  ticksAfter(insns: number): number {
    return this.ticks + Math.floor((this.frac + insns * this.cpi100 * this.tbMHz) / this.den);
  }

  /** Advances virtual time by retired instructions. */
  retire(insns: number): void {
    this.advanceCenti(insns * this.cpi100);
  }

  /** Advances virtual time by modeled cycles (hypervisor work). */
  addCycles(cycles: number): void {
    this.advanceCenti(Math.round(cycles * 100));
  }

  private advanceCenti(centi: number): void {
    this.centicycles += centi;
    const num = this.frac + centi * this.tbMHz;
    const ticks = Math.floor(num / this.den);
    this.ticks += ticks;
    this.frac = num - ticks * this.den;
  }

  /** Instructions until `target` ticks (0 if reached; Infinity if never). */
  insnsUntil(target: number): number {
    if (!Number.isFinite(target)) return Infinity;
    const ticks = target - this.ticks;
    if (ticks <= 0) return 0;
    const centi = Math.ceil((ticks * this.den - this.frac) / this.tbMHz);
    return Math.max(1, Math.ceil(centi / this.cpi100));
  }

  /** Jumps virtual time forward to `target` ticks (an idle core waiting for its next timer event). */
  skipTo(target: number): void {
    if (target <= this.ticks) return;
    const centi = Math.ceil(((target - this.ticks) * this.den - this.frac) / this.tbMHz);
    this.advanceCenti(centi);
  }

  // ---- the guest's time base ------------------------------------------------

  /** Upper 32 bits of the time base at `ticks`. */
  tbu(ticks: number): number {
    const lo = this.offLo + (ticks % TWO32);
    return (this.offHi + Math.floor(ticks / TWO32) + (lo >= TWO32 ? 1 : 0)) >>> 0;
  }

  /** Lower 32 bits of the time base at `ticks`. */
  tbl(ticks: number): number {
    return (this.offLo + (ticks % TWO32)) % TWO32;
  }

  /** The time base modulo 2^52 plus a multiple of 2^52: exact low bits for FIT/watchdog edges. */
  private lowTb(ticks: number): number {
    return (this.offHi % 0x100000) * TWO32 + this.offLo + ticks;
  }

  /** TBL write at `now` ticks: the time base takes the value, then keeps counting. */
  writeTbl(value: number, now: number): void {
    this.setTb(this.tbu(now), value >>> 0, now);
  }

  writeTbu(value: number, now: number): void {
    this.setTb(value >>> 0, this.tbl(now), now);
  }

  private setTb(hi: number, lo: number, now: number): void {
    // offset = (hi:lo) - now, as two 32-bit halves with a borrow.
    const nowHi = Math.floor(now / TWO32);
    const nowLo = now % TWO32;
    let offLo = lo - nowLo;
    let borrow = 0;
    if (offLo < 0) {
      offLo += TWO32;
      borrow = 1;
    }
    this.offLo = offLo;
    this.offHi = (hi - nowHi - borrow) >>> 0;
  }

  // ---- decrementer ----------------------------------------------------------

  /** DEC at `now` ticks. */
  decAt(now: number): number {
    if (this.decBase === 0) return 0;
    const elapsed = now - this.decBaseTick;
    if (elapsed < this.decBase) return (this.decBase - elapsed) >>> 0;
    if (this.tcr & TCR.ARE && this.decar !== 0) {
      // Reloaded from DECAR at each expiry.
      const period = this.decar;
      const after = elapsed - this.decBase;
      return (period - (after % period)) >>> 0;
    }
    return 0;
  }

  writeDec(value: number, now: number): void {
    this.decBase = value >>> 0;
    this.decBaseTick = now;
  }

  private nextDecEvent(now: number): number {
    if (this.decBase === 0) return Infinity;
    const first = this.decBaseTick + this.decBase;
    if (now < first) return first;
    if (!(this.tcr & TCR.ARE) || this.decar === 0) return Infinity;
    const period = this.decar;
    return first + (Math.floor((now - first) / period) + 1) * period;
  }

  // ---- fixed-interval timer and watchdog -------------------------------------

  /** Time-base bit (0 = least significant) whose 0->1 transition is the FIT or watchdog event. */
  private static periodBit(tcr: number, watchdog: boolean): number {
    const n = watchdog
      ? (((tcr & TCR.WPEXT) >>> 17) << 2) | ((tcr & TCR.WP) >>> 30)
      : (((tcr & TCR.FPEXT) >>> 13) << 2) | ((tcr & TCR.FP) >>> 24);
    return 63 - n;
  }

  /** Ticks at which time-base bit `bit` next goes from 0 to 1 after `now`. */
  private nextEdge(now: number, bit: number): number {
    if (bit >= 52) return Infinity;
    const period = 2 ** (bit + 1);
    const half = 2 ** bit;
    const low = this.lowTb(now);
    let t = Math.floor(low / period) * period + half;
    if (t <= low) t += period;
    return now + (t - low);
  }

  /** Number of 0->1 transitions of bit `bit` in (from, to] ticks. */
  private edgesBetween(from: number, to: number, bit: number): number {
    if (bit >= 52 || to <= from) return 0;
    const period = 2 ** (bit + 1);
    const half = 2 ** bit;
    const count = (t: number) => Math.floor((this.lowTb(t) - half) / period);
    return Math.max(0, count(to) - count(from));
  }

  private watchdogActive(): boolean {
    return (this.tcr & (TCR.WRC | TCR.WIE)) !== 0 || (this.tsr & TSR.ENW) !== 0;
  }

  // ---- events -----------------------------------------------------------------

  /** The next tick at which some timer event happens (Infinity if none). */
  nextEvent(): number {
    const now = this.ticks;
    let next = this.nextDecEvent(now);
    const fit = this.nextEdge(now, Timers.periodBit(this.tcr, false));
    if (fit < next) next = fit;
    if (this.watchdogActive()) {
      const wd = this.nextEdge(now, Timers.periodBit(this.tcr, true));
      if (wd < next) next = wd;
    }
    return next;
  }

  /**
   * Applies every timer event up to now: TSR[DIS] when the decrementer
   * reaches zero (reloading it with TCR[ARE]), TSR[FIS] on the fixed-interval
   * edge, the watchdog's state machine. Records expiries in `expired`.
   * Returns true if TSR changed or a timer expired.
   */
  update(): boolean {
    const now = this.ticks;
    const from = this.appliedTo;
    if (now <= from) return false;
    this.appliedTo = now;
    const before = this.tsr;
    const expiredBefore = this.expired;
    if (this.decBase !== 0) {
      const first = this.decBaseTick + this.decBase;
      const reload = (this.tcr & TCR.ARE) !== 0 && this.decar !== 0;
      let fired = false;
      if (first > from && first <= now) fired = true;
      else if (first <= from && reload) {
        const period = this.decar;
        fired = Math.floor((now - first) / period) > Math.floor((from - first) / period);
      }
      if (fired) {
        this.tsr |= TSR.DIS;
        this.expired |= EXPIRED.DEC;
      }
      // Without auto-reload the decrementer stops at zero.
      if (now >= first && !reload) this.decBase = 0;
    }
    if (this.edgesBetween(from, now, Timers.periodBit(this.tcr, false)) > 0) {
      this.tsr |= TSR.FIS;
      if (this.tcr & TCR.FIE) this.expired |= EXPIRED.FIT;
    }
    if (this.watchdogActive()) {
      const n = this.edgesBetween(from, now, Timers.periodBit(this.tcr, true));
      for (let k = 0; k < n && k < 3; k++) this.watchdogTimeout();
      if (n > 0) this.expired |= EXPIRED.WATCHDOG;
    }
    return this.tsr !== before || this.expired !== expiredBefore;
  }

  private watchdogTimeout(): void {
    if (!(this.tsr & TSR.ENW)) {
      this.tsr |= TSR.ENW;
    } else if (!(this.tsr & TSR.WIS)) {
      this.tsr |= TSR.WIS;
    } else {
      const wrc = (this.tcr & TCR.WRC) >>> 28;
      if (wrc !== 0) {
        this.tsr = (this.tsr & ~TSR.WRS) | (wrc << 28);
        this.resetRequest = wrc;
      }
    }
  }

  /** TCR write: WRC is sticky once non-zero. */
  writeTcr(value: number): void {
    const wrc = this.tcr & TCR.WRC;
    this.tcr = wrc ? (value & ~TCR.WRC) | wrc : value;
  }

  /** TSR write: write one to clear. */
  writeTsr(value: number): void {
    this.tsr &= ~value;
  }
}
