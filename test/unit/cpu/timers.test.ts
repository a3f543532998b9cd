import { describe, expect, it } from 'vitest';
import { TCR, TSR } from '../../../src/main/cpu/regs';
import { Timers } from '../../../src/main/cpu/timers';

describe('virtual time', () => {
  it('advances the time base 0.4 ticks per instruction at CPI 1, 1 GHz core, 400 MHz time base, exactly', () => {
    const t = new Timers();
    t.retire(5);
    expect(t.ticks).toBe(2);
    t.retire(5);
    expect(t.ticks).toBe(4);
    t.retire(1_000_000_000);
    expect(t.ticks).toBe(400_000_004);
  });

  it('adds modeled hypervisor cycles to guest time', () => {
    const t = new Timers();
    t.addCycles(1000);
    expect(t.ticks).toBe(400);
  });

  it('computes how many instructions reach a tick, and skips idle time to it', () => {
    const t = new Timers();
    expect(t.insnsUntil(100)).toBe(250);
    t.retire(249);
    expect(t.ticks).toBe(99);
    t.skipTo(1000);
    expect(t.ticks).toBe(1000);
  });

  it('keeps a 64-bit time base exact across TBL/TBU writes and carries into TBU', () => {
    const t = new Timers();
    t.writeTbu(0x12345678, t.ticks);
    t.writeTbl(0xFFFFFF00, t.ticks);
    expect(t.tbu(t.ticks)).toBe(0x12345678);
    expect(t.tbl(t.ticks)).toBe(0xFFFFFF00);
    t.retire(1000); // 400 ticks
    expect(t.tbu(t.ticks)).toBe(0x12345679);
    expect(t.tbl(t.ticks)).toBe(0x90);
  });
});

describe('decrementer', () => {
  it('counts down at the time-base rate and sets TSR[DIS] once at zero', () => {
    const t = new Timers();
    t.writeDec(100, t.ticks);
    t.retire(100); // 40 ticks
    expect(t.decAt(t.ticks)).toBe(60);
    expect(t.nextEvent()).toBe(100);
    t.skipTo(t.nextEvent());
    expect(t.update()).toBe(true);
    expect(t.tsr & TSR.DIS).not.toBe(0);
    expect(t.decAt(t.ticks)).toBe(0);
    expect(t.nextEvent()).toBe(Infinity);
  });

  it('reloads from DECAR with TCR[ARE]', () => {
    const t = new Timers();
    t.writeTcr(TCR.ARE);
    t.decar = 50;
    t.writeDec(20, t.ticks);
    t.skipTo(20);
    t.update();
    expect(t.tsr & TSR.DIS).not.toBe(0);
    t.writeTsr(TSR.DIS); // write one to clear
    expect(t.tsr & TSR.DIS).toBe(0);
    expect(t.decAt(30)).toBe(40);
    expect(t.nextEvent()).toBe(70);
  });
});

describe('fixed-interval timer and watchdog', () => {
  it('sets TSR[FIS] when the selected time-base bit goes from 0 to 1', () => {
    const t = new Timers();
    // FP=3, FPEXT=15: N = 63, the event on bit 0 (every other tick).
    t.writeTcr((3 << 24) | (15 << 13));
    expect(t.nextEvent()).toBe(1);
    t.skipTo(1);
    t.update();
    expect(t.tsr & TSR.FIS).not.toBe(0);
  });

  it('steps the watchdog: ENW, then WIS, then the reset action of WRC (sticky)', () => {
    const t = new Timers();
    t.writeTcr(TCR.WIE | (1 << 28) | (3 << 30) | (15 << 17)); // WRC=1, period: bit 0
    t.writeTcr(0); // WRC stays
    expect(t.tcr & TCR.WRC).toBe(1 << 28);
    t.writeTcr(TCR.WIE | (3 << 30) | (15 << 17));
    t.skipTo(1);
    t.update();
    expect(t.tsr & TSR.ENW).not.toBe(0);
    t.skipTo(3);
    t.update();
    expect(t.tsr & TSR.WIS).not.toBe(0);
    expect(t.resetRequest).toBe(0);
    t.skipTo(5);
    t.update();
    expect(t.resetRequest).toBe(1);
  });
});
