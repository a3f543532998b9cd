// The e500 MMU (MMU architecture version 1, no LRAT): TLB0 with 512 entries,
// 4-way set associative, 4 KB pages; TLB1 with 64 fully associative entries of
// variable page size (even TSIZE, 4 KB to 4 GB) and invalidation protection.
// Entries keep the MAS images they were written with (MAS1, MAS2, MAS3, MAS7,
// MAS8), which is what tlbre reads back. This module is the slow path: the
// interpreter's soft TLB (in cpu.ts) caches the translations it finds here.
//
// Facts: shared/reference/booke-hv-facts.md section 5.

import { MAS } from './regs';

export const TLB0_WAYS = 4;
export const TLB0_SETS = 128;
export const TLB0_ENTRIES = TLB0_WAYS * TLB0_SETS;
export const TLB1_ENTRIES = 64;
export const TLB_ENTRIES = TLB0_ENTRIES + TLB1_ENTRIES;

/** TLB0CFG: 512 entries, 4-way, page sizes 4 KB only (QEMU's e500mc value). */
export const TLB0CFG = 0x04110200;
/** TLB1CFG: 64 entries, fully associative, IPROT, sizes 4^1 KB to 4^12 KB: 4 KB to 16 GB, TSIZE 2 to 24 (QEMU's e500mc value). */
export const TLB1CFG = 0x401cc040;
/** The smallest and largest TSIZE (2^TSIZE KB) a TLB1 entry may have: twice TLB1CFG's MINSIZE and MAXSIZE (powers of 4 KB). */
const TLB1_MIN_TSIZE = ((TLB1CFG >>> 20) & 0xF) * 2;
const TLB1_MAX_TSIZE = ((TLB1CFG >>> 16) & 0xF) * 2;

/** Whether TLB1 has pages of this TSIZE (even, from TLB1_MIN_TSIZE to TLB1_MAX_TSIZE). */
export function tlb1SizeSupported(tsize: number): boolean {
  return tsize >= TLB1_MIN_TSIZE && tsize <= TLB1_MAX_TSIZE && (tsize & 1) === 0;
}
/** MMUCFG as QEMU's e500mc reports it. */
export const MMUCFG = 0;

export type Access = 0 | 1 | 2; // read, write, execute
export const READ: Access = 0;
export const WRITE: Access = 1;
export const EXEC: Access = 2;

/** Size in bytes of a TSIZE value (1 KB << TSIZE). */
export function tsizeBytes(tsize: number): number {
  return 1024 * 2 ** tsize;
}

/** The offset mask of a page of each TSIZE (1 KB << TSIZE bytes; 4 GB and up: every bit). */
const MASK_BY_TSIZE: Float64Array = (() => {
  const t = new Float64Array(32);
  for (let s = 0; s < 32; s++) {
    const bytes = tsizeBytes(s);
    t[s] = bytes >= 0x100000000 ? 0xFFFFFFFF : bytes - 1;
  }
  return t;
})();

export class Tlb {
  readonly mas1 = new Int32Array(TLB_ENTRIES);
  readonly mas2 = new Int32Array(TLB_ENTRIES);
  readonly mas3 = new Int32Array(TLB_ENTRIES);
  readonly mas7 = new Int32Array(TLB_ENTRIES);
  readonly mas8 = new Int32Array(TLB_ENTRIES);
  /** Round-robin next-victim way of each TLB0 set. */
  readonly nv = new Uint8Array(TLB0_SETS);
  /** Changes each time an entry changes (whoever writes the arrays calls changed()); the soft TLB compares it. */
  generation = 0;
  /** Changes each time a TLB1 entry changes (TLB0 refills, the frequent kind, leave it). */
  tlb1Generation = 0;
  /** The valid TLB1 entries (indices), as of tlb1Generation validAt: a lookup scans these instead of all 64. */
  private readonly valid1 = new Int16Array(TLB1_ENTRIES);
  private nValid1 = 0;
  private validAt = -1;

  reset(): void {
    this.mas1.fill(0);
    this.mas2.fill(0);
    this.mas3.fill(0);
    this.mas7.fill(0);
    this.mas8.fill(0);
    this.nv.fill(0);
    this.changed(-1);
  }

  /** Index of a TLB0 entry from its set and way, and of a TLB1 entry. */
  static tlb0Index(epn: number, way: number): number {
    return ((epn >>> 12) & (TLB0_SETS - 1)) * TLB0_WAYS + (way & (TLB0_WAYS - 1));
  }

  /** Byte mask of the offset within an entry's page. */
  pageMask(i: number): number {
    if (i < TLB0_ENTRIES) return 0xFFF;
    return MASK_BY_TSIZE[(this.mas1[i]! & MAS.TSIZE_MASK) >>> MAS.TSIZE_SHIFT]!;
  }

  /**
   * Does entry i translate effective address ea in address space `as`, for
   * process id `pid`, guest state `gs` and partition `lpid`? TID 0 matches every
   * PID. TLPID 0 matches every partition (unverified in the ISA; KVM relies on
   * exact LPIDs, so the lab's hypervisor always writes one).
   */
  matches(i: number, ea: number, as: number, pid: number, gs: number, lpid: number): boolean {
    const m1 = this.mas1[i]!;
    if (m1 >= 0) return false; // V is bit 31
    if (((m1 & MAS.TS) !== 0 ? 1 : 0) !== as) return false;
    const tid = (m1 & MAS.TID_MASK) >>> MAS.TID_SHIFT;
    if (tid !== 0 && tid !== pid) return false;
    const m8 = this.mas8[i]!;
    if (((m8 & MAS.TGS) !== 0 ? 1 : 0) !== gs) return false;
    const tlpid = m8 & MAS.TLPID_MASK;
    if (tlpid !== 0 && tlpid !== lpid) return false;
    const mask = this.pageMask(i);
    return ((ea ^ this.mas2[i]!) & ~mask) === 0;
  }

  /** The entry translating ea, or -1: the TLB0 set first, then TLB1 in index order. */
  lookup(ea: number, as: number, pid: number, gs: number, lpid: number): number {
    const base = ((ea >>> 12) & (TLB0_SETS - 1)) * TLB0_WAYS;
    for (let w = 0; w < TLB0_WAYS; w++) if (this.matches(base + w, ea, as, pid, gs, lpid)) return base + w;
    if (this.validAt !== this.tlb1Generation) this.listValid1();
    const v = this.valid1;
    for (let k = 0; k < this.nValid1; k++) if (this.matches(v[k]!, ea, as, pid, gs, lpid)) return v[k]!;
    return -1;
  }

  /** Lists the valid TLB1 entries in index order (a miss no longer tests all 64; rebuilt after any change). */
  private listValid1(): void {
    let n = 0;
    const m1 = this.mas1;
    for (let i = TLB0_ENTRIES; i < TLB_ENTRIES; i++) if (m1[i]! < 0) this.valid1[n++] = i;
    this.nValid1 = n;
    this.validAt = this.tlb1Generation;
  }

  /** Entry i was written (i < 0: any entry may have been). */
  changed(i: number): void {
    this.generation++;
    if (i < 0 || i >= TLB0_ENTRIES) this.tlb1Generation++;
  }

  /** Physical address (up to 36 bits, as a double) of ea through entry i. */
  physical(i: number, ea: number): number {
    const mask = this.pageMask(i);
    const rpnLow = (this.mas3[i]! & MAS.RPN_MASK) >>> 0;
    const hi = this.mas7[i]! & 0xF;
    const base = hi * 0x100000000 + rpnLow;
    // Clear the offset bits of the RPN (a large page's RPN must be aligned; be lenient).
    const pageBase = mask === 0xFFFFFFFF ? hi * 0x100000000 : base - (rpnLow & mask);
    return pageBase + ((ea & mask) >>> 0);
  }

  /** Permission bits (UX..SR of MAS3) of entry i. */
  perms(i: number): number {
    return this.mas3[i]! & 0x3F;
  }

  /** Entry index selected by MAS0 (TLBSEL, ESEL) and MAS2 (TLB0 set). */
  static indexFromMas(mas0: number, mas2: number): number {
    const esel = (mas0 & MAS.ESEL_MASK) >>> MAS.ESEL_SHIFT;
    if (mas0 & MAS.TLBSEL) return TLB0_ENTRIES + (esel & (TLB1_ENTRIES - 1));
    return Tlb.tlb0Index(mas2, esel);
  }

  /** tlbwe: write the entry MAS0 selects. Returns the entry index. */
  write(mas0: number, mas1: number, mas2: number, mas3: number, mas7: number, mas8: number): number {
    const i = Tlb.indexFromMas(mas0, mas2);
    let m1 = mas1;
    if (i < TLB0_ENTRIES) {
      // TLB0 holds 4 KB pages only and has no invalidation protection.
      m1 = (m1 & ~(MAS.TSIZE_MASK | MAS.IPROT)) | (2 << MAS.TSIZE_SHIFT);
      const set = (i / TLB0_WAYS) | 0;
      this.nv[set] = ((i & (TLB0_WAYS - 1)) + 1) & (TLB0_WAYS - 1);
    } else if (m1 & MAS.V) {
      // TLB1 supports even sizes from 4 KB (TSIZE 2) to 16 GB (TSIZE 24). The core refuses a valid entry of
      // another size (Cpu.tlb1SizeUnsupported); the hypervisor's guest TLB rounds it. An invalid entry keeps
      // whatever size it was given, as on QEMU.
      let tsize = (m1 & MAS.TSIZE_MASK) >>> MAS.TSIZE_SHIFT;
      if (tsize < TLB1_MIN_TSIZE) tsize = TLB1_MIN_TSIZE;
      if (tsize > TLB1_MAX_TSIZE) tsize = TLB1_MAX_TSIZE;
      tsize &= ~1;
      m1 = (m1 & ~MAS.TSIZE_MASK) | (tsize << MAS.TSIZE_SHIFT);
    }
    this.mas1[i] = m1;
    this.mas2[i] = mas2 & (MAS.EPN_MASK | MAS.WIMGE_MASK);
    this.mas3[i] = mas3;
    this.mas7[i] = mas7 & 0xF;
    this.mas8[i] = mas8;
    this.changed(i);
    return i;
  }

  /** Victim way for a TLB0 miss at ea (round robin per set). */
  victim(ea: number): number {
    return this.nv[(ea >>> 12) & (TLB0_SETS - 1)]!;
  }

  /** tlbivax: invalidate entries matching ea in TLB0 (or TLB1), all of them with `all`; IPROT survives. */
  invalidateByEa(ea: number, tlb1: boolean, all: boolean): void {
    const [from, to] = tlb1 ? [TLB0_ENTRIES, TLB_ENTRIES] : [0, TLB0_ENTRIES];
    for (let i = from; i < to; i++) {
      const m1 = this.mas1[i]!;
      if (m1 >= 0 || (m1 & MAS.IPROT)) continue;
      if (all || ((ea ^ this.mas2[i]!) & ~this.pageMask(i)) === 0) this.mas1[i] = m1 & ~MAS.V;
    }
    this.changed(tlb1 ? -1 : 0);
  }

  /** Flash invalidation (MMUCSR0): every non-protected entry of TLB0 or TLB1. */
  flash(tlb1: boolean): void {
    this.invalidateByEa(0, tlb1, true);
  }

  /**
   * tlbilx: T=0 every entry of partition lpid; T=1 entries with TID=pid;
   * T=3 entries translating ea for (pid, as). Local. Protected (IPROT)
   * entries survive, as on QEMU's e500mc. T=0 names a partition, so it takes
   * exactly the entries tagged with it; T=1 and T=3 select entries as a
   * translation would, where TLPID 0 matches every partition (see matches()).
   */
  invalidateLocal(t: number, lpid: number, pid: number, as: number, gs: number, ea: number): void {
    for (let i = 0; i < TLB_ENTRIES; i++) {
      const m1 = this.mas1[i]!;
      if (m1 >= 0 || (m1 & MAS.IPROT)) continue;
      const m8 = this.mas8[i]!;
      const tlpid = m8 & MAS.TLPID_MASK;
      if (t === 0 ? tlpid !== lpid : tlpid !== 0 && tlpid !== lpid) continue;
      if (((m8 & MAS.TGS) !== 0 ? 1 : 0) !== gs) continue;
      const tid = (m1 & MAS.TID_MASK) >>> MAS.TID_SHIFT;
      let hit = false;
      if (t === 0) hit = true;
      else if (t === 1) hit = tid === pid;
      else if (t === 3) hit = tid === pid && ((m1 & MAS.TS) !== 0 ? 1 : 0) === as && ((ea ^ this.mas2[i]!) & ~this.pageMask(i)) === 0;
      if (hit) this.mas1[i] = m1 & ~MAS.V;
    }
    this.changed(-1);
  }
}
