// The accountant's counters (hv/account.ts): an exit and a bump land in the
// statistics-block slots of their own counter (link/stats.ts counterSlot) and
// in the vCPU's counts, for every counter, in any order of reasons (it finds
// a counter's slots from its index, once per event).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/main/cpu/cpu';
import { Bus } from '../../../src/main/devices/bus';
import { Accountant } from '../../../src/main/hv/account';
import { counterSlot, createStatsBuffer, H } from '../../../src/main/link/stats';
import { defaultCostModel } from '../../../src/shared/cost';
import { COUNTERS } from '../../../src/shared/stats';

describe('accountant', () => {
  it('counts every counter in its own slots, as exits and as bumps', () => {
    const stats = createStatsBuffer();
    const acct = new Accountant(new Cpu(new Bus(1 << 20)), stats, defaultCostModel());
    COUNTERS.forEach((c, i) => {
      for (let k = 0; k <= i % 3; k++) acct.exit(c.id, 10, 0x1000);
      acct.bump(c.id, 5, 7);
    });
    COUNTERS.forEach((c, i) => {
      const slot = counterSlot(c.id);
      expect(stats[slot], c.id).toBe(1 + (i % 3) + 5);
      expect(acct.vcpuCounters(0)[c.id], c.id).toBe(1 + (i % 3) + 5);
      expect(stats[slot + 1]!, c.id).toBeGreaterThan(7);
    });
    expect(stats[H.exits]).toBe(COUNTERS.reduce((n, _c, i) => n + 1 + (i % 3), 0));
  });
});
