// Writing a TLB1 entry the way a guest's tlbwe does (MAS0-3, MAS7), for unit
// tests that need a mapping without a boot.
import type { Cpu } from '../../src/main/cpu/cpu';
import { MAS } from '../../src/main/cpu/regs';

/** Every permission, supervisor and user. */
export const ALL_PERMISSIONS = MAS.SR | MAS.SW | MAS.SX | MAS.UR | MAS.UW | MAS.UX;

/**
 * TLB1 entry `esel`: effective `ea` to physical `pa` (below 4 GB), size code
 * `tsize` (2^tsize KB, even: 2 = 4 KB, 10 = 1 MB, 20 = 1 GB; mmu.ts),
 * permissions `perms`, protected from invalidation when `iprot`.
 */
export function mapTlb1(cpu: Cpu, esel: number, ea: number, pa: number, tsize: number, perms = ALL_PERMISSIONS, iprot = true): void {
  cpu.spr[624] = MAS.TLBSEL | (esel << MAS.ESEL_SHIFT);
  cpu.spr[625] = MAS.V | (iprot ? MAS.IPROT : 0) | (tsize << MAS.TSIZE_SHIFT);
  cpu.spr[626] = ea;
  cpu.spr[627] = pa | perms;
  cpu.spr[944] = 0;
  cpu.tlbwe();
}
