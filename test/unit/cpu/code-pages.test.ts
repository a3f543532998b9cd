// Decoded code pages overwritten as data: after RETIRE_STORES stores from code
// on another page, with no fetch from it in between, a page stops being a code
// page (its stores back on the soft TLB's fast path), and code fetched from it
// later is decoded afresh, so it runs what the stores left there.
import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, Cpu, RETIRE_STORES, SOFT_TLB_MASK, TAG_CODE } from '../../../src/main/cpu/cpu';
import { execute } from '../../../src/main/cpu/interp';
import { MSR } from '../../../src/main/cpu/regs';
import { Bus } from '../../../src/main/devices/bus';
import { addi, ba, bdnz, bla, blr, bSelf, lis, mtctr, ori, stwu } from '../../support/words';

const PAGE_A = 0x1000;
const PAGE_B = 0x3000;


/** A core over 64 KB of RAM mapped 1:1, translation on or off. */
function core(jit: boolean): Cpu {
  const cpu = new Cpu(new Bus(64 * 1024));
  cpu.writeTlb1(0, 0, 0, 10, ALL_PERMISSIONS, true);
  cpu.setMsr(MSR.ME);
  cpu.jitEnabled = jit;
  cpu.irqPoll = 0;
  return cpu;
}

const put = (cpu: Cpu, at: number, words: number[]) => words.forEach((w, k) => cpu.bus.writeRam(at + 4 * k, 4, w));

/** Runs `n` instructions from pc in slices of a guest's run (a fetch at the start of each). */
function run(cpu: Cpu, pc: number, n: number): void {
  cpu.pc = pc;
  let left = n;
  while (left > 0) {
    cpu.irqPoll = 0;
    left -= execute(cpu, Math.min(left, 5000));
  }
}

/** Does the core's write cache hold page `page`'s translation flagged as code (stores take the slow path)? */
function flaggedAsCode(cpu: Cpu, page: number): boolean {
  const idx = page & SOFT_TLB_MASK;
  return cpu.wTag[idx] !== -1 && (cpu.wTag[idx]! & TAG_CODE) !== 0 && cpu.wVal[idx] === page * 4096;
}

describe('a code page overwritten as data', () => {
  for (const jit of [false, true]) {
    it(`stops being decoded after ${RETIRE_STORES} stores from another page, and runs what was stored when fetched again (translation ${jit ? 'on' : 'off'})`, () => {
      const cpu = core(jit);
      cpu.jitThreshold = 4; // the loop at A becomes a region at once where translation is on
      // A: r6 += 1, 20 times, then to B.
      put(cpu, PAGE_A, [addi(4, 0, 20), mtctr(4), addi(6, 6, 1), bdnz(-4), ba(PAGE_B)]);
      // B: fill A (1,024 words) with `addi r6,r6,100`; after A, at 0x2000, `b .` waits.
      const fill = addi(6, 6, 100);
      put(cpu, PAGE_B, [
        addi(3, 0, PAGE_A - 4), lis(5, fill >>> 16), ori(5, 5, fill & 0xFFFF), addi(4, 0, 1024), mtctr(4),
        stwu(5, 3, 4), bdnz(-4),
        ba(PAGE_A),
      ]);
      put(cpu, 0x2000, [bSelf]);
      // The loop at A, then B's set-up and its stores.
      run(cpu, PAGE_A, 2 + 20 * 2 + 1);
      expect(cpu.gpr[6]).toBe(20);
      expect(cpu.pc).toBe(PAGE_B);
      expect(cpu.codePages[PAGE_A >>> 12]).toBeDefined();
      run(cpu, PAGE_B, 5 + 1024 * 2);
      expect(cpu.pc).toBe(PAGE_B + 7 * 4);
      // No longer a code page: not decoded, its stores on the fast path (the write cache holds A's page unflagged).
      expect(cpu.codePages[PAGE_A >>> 12]).toBeUndefined();
      expect(cpu.wVal[(PAGE_A >>> 12) & SOFT_TLB_MASK]).toBe(PAGE_A);
      expect(flaggedAsCode(cpu, PAGE_A >>> 12)).toBe(false);
      // The branch to A runs the words stored there: 1,024 additions of 100, then `b .` after the page.
      run(cpu, cpu.pc, 1 + 1024 + 1);
      expect(cpu.gpr[6]).toBe(20 + 1024 * 100);
      expect(cpu.pc).toBe(0x2000);
      // Decoded again: stores to it are slow (and invalidating) again.
      expect(cpu.codePages[PAGE_A >>> 12]).toBeDefined();
      expect(flaggedAsCode(cpu, PAGE_A >>> 12)).toBe(true);
    });
  }

  it('stays decoded while the code storing into it runs on the page itself', () => {
    const cpu = core(false);
    // A: store 200 words over its own second half, then `b .`.
    put(cpu, PAGE_A, [addi(3, 0, PAGE_A + 0x800 - 4), addi(5, 0, 0), addi(4, 0, 200), mtctr(4), stwu(5, 3, 4), bdnz(-4), bSelf]);
    run(cpu, PAGE_A, 4 + 200 * 2 + 1);
    expect(cpu.pc).toBe(PAGE_A + 6 * 4);
    expect(cpu.codePages[PAGE_A >>> 12]).toBeDefined();
    expect(flaggedAsCode(cpu, PAGE_A >>> 12)).toBe(true);
  });

  it('stays decoded when code is fetched from it between fewer stores than the limit', () => {
    const cpu = core(false);
    // B calls A (which returns), stores RETIRE_STORES - 1 words into A's second half, calls A again, stores as
    // many again: never RETIRE_STORES in a row.
    put(cpu, PAGE_A, [blr]);
    const stores = [addi(4, 0, RETIRE_STORES - 1), mtctr(4), stwu(5, 3, 4), bdnz(-4)];
    put(cpu, PAGE_B, [addi(3, 0, PAGE_A + 0x800 - 4), bla(PAGE_A), ...stores, bla(PAGE_A), ...stores, bSelf]);
    run(cpu, PAGE_B, 1 + 2 + 2 + (RETIRE_STORES - 1) * 2 + 2 + 2 + (RETIRE_STORES - 1) * 2);
    expect(cpu.pc).toBe(PAGE_B + 11 * 4);
    expect(cpu.codePages[PAGE_A >>> 12]).toBeDefined();
    expect(flaggedAsCode(cpu, PAGE_A >>> 12)).toBe(true);
  });
});
