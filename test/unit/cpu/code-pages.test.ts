// Decoded code pages overwritten as data: after RETIRE_STORES stores from code
// on another page, with no fetch from it in between, a page stops being a code
// page (its stores back on the soft TLB's fast path), and code fetched from it
// later is decoded afresh, so it runs what the stores left there.
import { describe, expect, it, vi } from 'vitest';
import { ALL_PERMISSIONS, Cpu, RETIRE_STORES, SOFT_TLB_MASK } from '../../../src/main/cpu/cpu';
import { TAG_CODE } from '../../../src/main/cpu/memory';
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
  return cpu.wTag[idx] !== -1 && (cpu.wTag[idx]! & TAG_CODE) !== 0 && (cpu.wTag[idx]! & ~0xFFF) === page * 4096;
}

describe('a code page overwritten as data', () => {
  // (The JavaScript interpreter alone: it decodes every word it runs, so the stores land in lines holding decoded
  // words. The WebAssembly interpreter runs words without decoding them: their lines take stores as any data.)
  {
    it(`stops being decoded after ${RETIRE_STORES} stores from another page into words decoded there, and runs what was stored when fetched again`, () => {
      const cpu = core(false);
      // A: r6 += 1, 20 times, then r7 += 1 in straight line over the next RETIRE_STORES words (every line they
      // fill holds decoded words once run), then to B.
      put(cpu, PAGE_A, [addi(4, 0, 20), mtctr(4), addi(6, 6, 1), bdnz(-4), ...new Array<number>(RETIRE_STORES).fill(addi(7, 7, 1)), ba(PAGE_B)]);
      // B: fill A (1,024 words) with `addi r6,r6,100`; after A, at 0x2000, `b .` waits.
      const fill = addi(6, 6, 100);
      put(cpu, PAGE_B, [
        addi(3, 0, PAGE_A - 4), lis(5, fill >>> 16), ori(5, 5, fill & 0xFFFF), addi(4, 0, 1024), mtctr(4),
        stwu(5, 3, 4), bdnz(-4),
        ba(PAGE_A),
      ]);
      put(cpu, 0x2000, [bSelf]);
      // The loop at A, then B's set-up and its stores.
      run(cpu, PAGE_A, 2 + 20 * 2 + RETIRE_STORES + 1);
      expect(cpu.gpr[6]).toBe(20);
      expect(cpu.gpr[7]).toBe(RETIRE_STORES);
      expect(cpu.pc).toBe(PAGE_B);
      expect(cpu.codePages[PAGE_A >>> 12]).toBeDefined();
      run(cpu, PAGE_B, 5 + 1024 * 2);
      expect(cpu.pc).toBe(PAGE_B + 7 * 4);
      // No longer a code page: not decoded, its stores on the fast path (the write cache holds A's page unflagged).
      expect(cpu.codePages[PAGE_A >>> 12]).toBeUndefined();
      expect(cpu.wTag[(PAGE_A >>> 12) & SOFT_TLB_MASK]! & ~0xFFF).toBe(PAGE_A);
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

  for (const jit of [false, true]) {
    it(`keeps its decoded words and translations through stores into lines that hold none, and honours a store over its code (translation ${jit ? 'on' : 'off'})`, () => {
      const cpu = core(jit);
      cpu.jitThreshold = 4; // the loop at A becomes a region at once where translation is on
      // A: r6 += 1, 20 times, then to B; its second half is data.
      put(cpu, PAGE_A, [addi(4, 0, 20), mtctr(4), addi(6, 6, 1), bdnz(-4), ba(PAGE_B)]);
      // B: 200 stores into A's second half, then one over A's `addi r6,r6,1` (word 2) with `addi r6,r6,2`, then `b .`.
      const two = addi(6, 6, 2);
      put(cpu, PAGE_B, [
        addi(3, 0, PAGE_A + 0x800 - 4), addi(5, 0, 0x55), addi(4, 0, 200), mtctr(4), stwu(5, 3, 4), bdnz(-4),
        lis(5, two >>> 16), ori(5, 5, two & 0xFFFF), addi(3, 0, PAGE_A), stwu(5, 3, 8), bSelf,
      ]);
      run(cpu, PAGE_A, 2 + 20 * 2 + 1);
      expect(cpu.gpr[6]).toBe(20);
      const code = cpu.codePages[PAGE_A >>> 12]!;
      expect(code[2 * 2]).not.toBe(0); // the loop's body is decoded (run by the JavaScript, or planned for its region)
      const region = cpu.jitPages[PAGE_A >>> 12]?.blocks?.[2];
      if (jit) expect(region).toBeTruthy();
      const slow = vi.spyOn(cpu, 'storeSlowAt');
      run(cpu, PAGE_B, 4 + 200 * 2);
      expect(cpu.ram32[(PAGE_A + 0x800 + 199 * 4) >> 2]).toBe(0x55);
      // Nothing invalidated: A still decoded, its word and its region in place. Translated, the stores were made
      // in WebAssembly without calling the core; the JavaScript interpreter's went through its slow path.
      expect(cpu.codePages[PAGE_A >>> 12]).toBe(code);
      expect(code[2 * 2]).not.toBe(0);
      if (jit) {
        expect(cpu.jitPages[PAGE_A >>> 12]?.blocks?.[2]).toBe(region);
        // (One call: the first store, a miss of the write cache, which holds A's page from then on.)
        expect(slow.mock.calls.map((c) => c[0])).toEqual([PAGE_A + 0x800]);
      }
      // The store over A's code line takes the slow path and drops what was decoded or translated from it.
      run(cpu, cpu.pc, 5);
      expect(cpu.ram32[(PAGE_A + 8) >> 2]).toBe(two);
      expect(code[2 * 2]).toBe(0);
      // A runs the new word.
      cpu.gpr[6] = 0;
      run(cpu, PAGE_A, 2 + 20 * 2);
      expect(cpu.gpr[6]).toBe(40);
      slow.mockRestore();
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
