// The guest's TLB in software and its shadow in the hardware TLB. e500mc has
// no LRAT, so (as KVM does) the hypervisor keeps the TLB the guest thinks it
// has, and installs translations in the hardware TLB tagged with the guest's
// partition (MAS8[TGS], TLPID). Guest TLB instructions exit (EPCR[DGTMI]).
//
// Entry i of the guest TLB is shadowed, when it is, by entry i of the
// hardware TLB (same set and way for TLB0). TLB0 entries are shadowed when
// the guest writes them. TLB1 entries (large pages) are shadowed on first use:
// a hardware miss that the guest TLB can satisfy is a "real" miss, refilled
// by the hypervisor without the guest knowing; a miss in the guest TLB too is
// a "virtual" miss, reflected to the guest. When TLB misses go straight to
// the guest (EPCR[DTLBGS/ITLBGS]) every guest entry is shadowed eagerly,
// since the hypervisor would never see a real miss. Guest physical addresses
// equal the machine's (each guest has its own RAM), so a shadow entry carries
// the guest's real page number unchanged.

import type { Cpu } from '../cpu/cpu';
import { TLB0_ENTRIES, TLB_ENTRIES, Tlb } from '../cpu/mmu';
import { MAS } from '../cpu/regs';

export class GuestTlb {
  /** The TLB the guest sees (entries carry MAS8 = 0). */
  readonly tlb = new Tlb();
  private eager = false;

  constructor(private readonly cpu: Cpu, private readonly lpid: number) {}

  private get hw(): Tlb {
    return this.cpu.tlb;
  }

  private shadowMas8(): number {
    return MAS.TGS | this.lpid;
  }

  /** Copies guest entry i into the hardware TLB (or invalidates the shadow when the entry is invalid). */
  private shadow(i: number): void {
    const g = this.tlb;
    const h = this.hw;
    h.mas1[i] = g.mas1[i]!;
    h.mas2[i] = g.mas2[i]!;
    h.mas3[i] = g.mas3[i]!;
    h.mas7[i] = g.mas7[i]!;
    h.mas8[i] = this.shadowMas8();
    h.generation++;
  }

  private unshadow(i: number): void {
    this.hw.mas1[i] = this.hw.mas1[i]! & ~MAS.V;
    this.hw.generation++;
  }

  /** Whether every guest entry must be present in hardware (TLB misses delivered straight to the guest). */
  setEager(eager: boolean): void {
    this.eager = eager;
    if (eager) this.resyncAll();
  }

  /** Makes the hardware TLB reflect the guest TLB (TLB0 always, TLB1 when eager; stale TLB1 shadows dropped). */
  resyncAll(): void {
    for (let i = 0; i < TLB_ENTRIES; i++) {
      const valid = this.tlb.mas1[i]! < 0;
      if (!valid) this.unshadow(i);
      else if (i < TLB0_ENTRIES || this.eager) this.shadow(i);
      else if (this.hw.mas1[i]! < 0) this.shadow(i); // keep an existing TLB1 shadow up to date
    }
    this.cpu.flushSoftTlb();
  }

  /** Takes over what is in the hardware TLB at boot (the initial mapping) as guest entries. */
  adoptBootEntries(): void {
    const h = this.hw;
    this.tlb.reset();
    for (let i = 0; i < TLB_ENTRIES; i++) {
      if (h.mas1[i]! >= 0) continue;
      this.tlb.mas1[i] = h.mas1[i]!;
      this.tlb.mas2[i] = h.mas2[i]!;
      this.tlb.mas3[i] = h.mas3[i]!;
      this.tlb.mas7[i] = h.mas7[i]!;
      this.tlb.mas8[i] = 0;
      this.unshadow(i);
    }
    this.resyncAll();
  }

  /** Guest tlbwe (from the guest's MAS registers). */
  write(): void {
    const i = this.cpu.tlbwe(this.tlb, 0);
    if (i < TLB0_ENTRIES || this.eager) this.shadow(i);
    else this.unshadow(i);
    this.cpu.flushSoftTlb();
  }

  /**
   * A hardware miss at ea: if the guest TLB translates it, installs the shadow
   * and returns true (a real miss); false for a virtual miss.
   */
  refill(ea: number, as: number): boolean {
    const i = this.tlb.lookup(ea, as, this.cpu.pid, 0, 0);
    if (i < 0) return false;
    this.shadow(i);
    this.cpu.flushSoftTlb();
    return true;
  }

  /** The way the guest's TLB0 would replace next for ea (MAS preload on a reflected miss). */
  victim(ea: number): number {
    return this.tlb.victim(ea);
  }

  read(): void {
    this.cpu.tlbre(this.tlb);
  }

  search(ea: number): void {
    this.cpu.tlbsx(ea, this.tlb, 0, 0);
  }

  invalidateByEa(ea: number): void {
    this.cpu.tlbivax(ea, this.tlb);
    this.resyncAll();
  }

  invalidateLocal(t: number, ea: number): void {
    this.cpu.tlbilx(t, ea, this.tlb, 0, 0);
    this.resyncAll();
  }

  /** MMUCSR0 flash invalidation of TLB0 and/or TLB1. */
  flash(tlb0: boolean, tlb1: boolean): void {
    if (tlb0) this.tlb.flash(false);
    if (tlb1) this.tlb.flash(true);
    this.resyncAll();
  }
}
