// The guest's TLB in software and its shadows in the host's TLB, built the way
// KVM builds them on e500mc (arch/powerpc/kvm/e500_mmu.c, e500_mmu_host.c).
// e500mc has no LRAT, so the hypervisor keeps the TLB the guest thinks it has
// and installs translations in the hardware TLB tagged with the guest's
// partition (MAS8[TGS], TLPID). Guest TLB instructions exit (EPCR[DGTMI]).
//
// Shadows (KVM's policy):
// - A shadow maps at most one host page: the page size backing guest RAM on
//   the host (4 KB normally, larger with huge pages). A 4 KB guest TLB0 entry
//   has one shadow; a 256 MB guest TLB1 entry is shadowed page by page, as
//   the guest touches it.
// - 4 KB shadows live in the host's TLB0 (512 entries, 4-way, set by address,
//   round-robin replacement), larger ones in the host's TLB1 slots that the
//   host kernel leaves free, in round-robin order. Either way a new shadow
//   can evict an older one; the guest's next access to the evicted page is a
//   virtual miss and is mapped again.
// - A guest tlbwe replaces the old entry's shadows and pre-maps the first page
//   of the new entry (KVM's kvmppc_e500_emul_tlbwe).
// - Dropping a guest TLB1 entry whose shadows went to host TLB0 flushes every
//   shadow of the guest (KVM's kvmppc_e500_tlbil_all), since KVM does not
//   track those 4 KB shadows individually; other drops remove exactly the
//   entry's shadows.
// - A hardware miss that the guest TLB translates is a virtual miss (mapped by
//   the hypervisor, unseen by the guest); one the guest TLB cannot translate
//   is a real miss, delivered to the guest.
//
// The host TLB modelled is the one of the physical core the guest's vCPU runs
// on. By default each guest has a core of its own (vCPUs pinned); with the
// policy hostTlb: 'shared' the guests of a session share one core's TLB
// (link/host-tlb.ts): their shadows take each other's slots, and a guest
// learns between slices which of its shadows another guest evicted. The
// host's own use of TLB0 during exits is not modelled.
//
// With TLB misses delivered straight to the guest (EPCR[DTLBGS]/[ITLBGS], a
// configuration KVM never uses on e500mc) the hardware must hold every guest
// translation itself: the shadows then mirror the guest TLB entry for entry
// (as an LRAT would let the hardware do), and the host page size does not apply.
//
// Guest physical addresses equal the machine's (each guest has its own RAM),
// so a shadow carries the guest's real page number unchanged.
//
// Trap-and-emulate (no hardware help: no MAS8[TGS], no LPID, the guest's
// kernel in user mode) keeps the guest's address spaces apart the way KVM
// did on e500 cores without the hypervisor category (e500_mmu_host.c's
// shadow IDs): shadows are tagged with a shadow ID standing for the pair
// (guest PID, guest privilege level) that was current when the shadow was
// made, the real PID register holds the current pair's ID, and the guest's
// address space (MSR[IS]/[DS]) stays the real one, so MAS1[TS] separates the
// two address spaces in hardware. A shadow made for guest supervisor state
// grants in its user permission bits what the guest entry grants the
// supervisor (the core runs the guest in user mode); one made for guest user
// state grants the user bits. When the 255 IDs run out, every shadow goes
// and the IDs are handed out afresh.

import type { Cpu } from '../cpu/cpu';
import { TLB0_ENTRIES, TLB0_SETS, TLB0_WAYS, TLB1_ENTRIES, TLB_ENTRIES, Tlb } from '../cpu/mmu';
import { MAS } from '../cpu/regs';
import { type HostTlbSlots, PrivateHostTlb } from '../link/host-tlb';

/**
 * Host TLB1 entries the host kernel keeps for itself: its linear map
 * (tlbcam_index; 3 entries of 256 MB for 768 MB of low memory) plus the one
 * KVM reserves (tlb1_max_shadow_size() = entries - tlbcam_index - 1).
 */
export const HOST_TLB1_RESERVED = 4;
export const HOST_TLB1_SHADOW_SLOTS = TLB1_ENTRIES - HOST_TLB1_RESERVED;

/** MSR[PR] (the guest's, under trap-and-emulate) and the MAS3 permission bits. */
const MAS_PR_BIT = 0x4000;
const MAS_UX = 0x20;
const MAS_SX = 0x10;
const MAS_UW = 0x08;
const MAS_SW = 0x04;
const MAS_UR = 0x02;
const MAS_SR = 0x01;

/** TSIZE of a power-of-two page size in bytes (1 KB << TSIZE). */
function tsizeOf(bytes: number): number {
  return Math.round(Math.log2(bytes / 1024));
}

export class GuestTlb {
  /** The TLB the guest sees (entries carry MAS8 = 0). */
  readonly tlb = new Tlb();
  private eager = false;
  private hostPageBytes = 4096;
  /** Per hardware entry: the guest entry it shadows, plus one (0: none). */
  private readonly owner = new Int16Array(TLB_ENTRIES);
  /** Guest TLB1 entries with 4 KB shadows in host TLB0 (KVM's E500_TLB_TLB0 flag). */
  private readonly tlb0Backed = new Uint8Array(TLB1_ENTRIES);
  /** The generation each of our shadows' host slot had when we claimed it. */
  private readonly claimed = new Int32Array(TLB_ENTRIES);
  /** Who else uses the host TLB's slots: nobody (a core of our own), or the session's other guests. */
  private host: HostTlbSlots = new PrivateHostTlb();
  /** Shadows written since the guest booted (pre-maps and refills). */
  shadowsWritten = 0;
  /** Times every shadow of the guest was flushed. */
  flushes = 0;
  /** Shadows another guest's took the host slot of. */
  evictedByOthers = 0;
  /** Trap-and-emulate: shadows are tagged with shadow IDs (see the header), not with the partition. */
  private userMode = false;
  /** Trap-and-emulate: the guest's PID (the real PID register holds the shadow ID). */
  guestPid = 0;
  /** Trap-and-emulate: shadow ID + 1 of each (guest PID << 1 | guest PR), 0 when none is assigned. */
  private readonly shadowIds = new Uint8Array(512);
  private nextShadowId = 1;
  /** Times the shadow IDs ran out (every shadow flushed). */
  shadowIdResets = 0;

  constructor(private readonly cpu: Cpu, private readonly lpid: number) {}

  /** Trap-and-emulate from now on (at boot): the guest's PID moves here and the real one becomes a shadow ID. */
  enterUserMode(): void {
    this.userMode = true;
    this.guestPid = this.cpu.pid;
    this.shadowIds.fill(0);
    this.nextShadowId = 1;
    this.switchContext();
  }

  /** The guest's PID as its TLB compares it (under trap-and-emulate the real PID register holds a shadow ID). */
  currentPid(): number {
    return this.userMode ? this.guestPid : this.cpu.pid;
  }

  /** The guest's privilege level or PID changed: the real PID becomes the shadow ID of the new pair. */
  switchContext(): void {
    const key = (this.guestPid << 1) | ((this.cpu.vmsr & MAS_PR_BIT) !== 0 ? 1 : 0);
    let id = this.shadowIds[key]!;
    if (id === 0) {
      if (this.nextShadowId > 255) {
        // Out of shadow IDs: every shadow goes, and the IDs start again.
        this.flushAll();
        this.shadowIds.fill(0);
        this.nextShadowId = 1;
        this.shadowIdResets++;
      }
      id = this.nextShadowId++;
      this.shadowIds[key] = id;
    }
    if (this.cpu.pid !== id) this.cpu.writeSpr(48, id);
  }

  /** Puts the shadows in another host TLB (a core of our own, or one shared with other guests); ours move out of the old one. */
  setHost(host: HostTlbSlots): void {
    if (host === this.host) return;
    if (!this.eager) this.flushAll();
    this.host = host;
  }

  /**
   * Drops the shadows whose host slot another guest has taken since we
   * claimed it (the next access there is a virtual miss again). Call before
   * every stretch of execution; nothing to do on a core of our own.
   */
  syncHost(): void {
    if (!this.host.shared || this.eager) return;
    for (let h = 0; h < TLB_ENTRIES; h++) {
      if (this.owner[h] !== 0 && this.host.generation(h) !== this.claimed[h]) {
        this.invalidate(h);
        this.evictedByOthers++;
      }
    }
  }

  /** The guest entry hardware entry h shadows (its index in the guest TLB), or -1. */
  shadowOf(h: number): number {
    return this.owner[h]! - 1;
  }

  private get hw(): Tlb {
    return this.cpu.tlb;
  }

  /** Sets the host page size backing guest RAM; shadows of another size are flushed. */
  setHostPage(kb: number): void {
    const bytes = kb * 1024;
    if (bytes === this.hostPageBytes) return;
    this.hostPageBytes = bytes;
    if (!this.eager) this.flushAll();
  }

  /** Whether every guest entry must be present in hardware (TLB misses delivered straight to the guest). */
  setEager(eager: boolean): void {
    if (eager === this.eager) return;
    this.flushAll();
    this.eager = eager;
    if (eager) for (let g = 0; g < TLB_ENTRIES; g++) this.mirror(g);
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
      h.mas1[i] = h.mas1[i]! & ~MAS.V;
    }
    h.changed(-1);
    this.tlb.changed(-1);
    this.owner.fill(0);
    this.tlb0Backed.fill(0);
    this.shadowsWritten = 0;
    this.evictedByOthers = 0;
    this.flushes = 0;
    if (this.eager) for (let g = 0; g < TLB_ENTRIES; g++) this.mirror(g);
    this.cpu.flushSoftTlb();
  }

  // ---- guest TLB instructions ----------------------------------------------------------

  /** Guest tlbwe (from the guest's MAS registers). */
  write(): void {
    const s = this.cpu.spr;
    const g = Tlb.indexFromMas(s[624]!, s[626]!);
    this.dropShadowsOf(g);
    this.cpu.tlbwe(this.tlb, 0);
    if (this.eager) {
      this.mirror(g);
      // The hardware TLB is the guest's: its next-victim ways, which preload MAS0 on a miss, follow the guest's.
      this.hw.nv.set(this.tlb.nv);
    }
    else if (this.tlb.mas1[g]! < 0 && this.inRam(g) && this.inContext(g)) this.map(g, this.tlb.mas2[g]! & ~this.tlb.pageMask(g)); // pre-map the first page
  }

  /** Whether shadows are tagged with shadow IDs (trap-and-emulate) rather than with the partition. */
  get taggedByShadowId(): boolean {
    return this.userMode;
  }

  /** Whether guest entry g translates for the guest's current PID (always, with hardware help: the shadow keeps the TID). */
  private inContext(g: number): boolean {
    if (!this.userMode) return true;
    const tid = (this.tlb.mas1[g]! & MAS.TID_MASK) >>> MAS.TID_SHIFT;
    return tid === 0 || tid === this.guestPid;
  }

  read(): void {
    this.cpu.tlbre(this.tlb);
  }

  search(ea: number): void {
    this.cpu.tlbsx(ea, this.tlb, 0, 0);
  }

  invalidateByEa(ea: number): void {
    this.changeGuest(() => this.cpu.tlbivax(ea, this.tlb));
  }

  invalidateLocal(t: number, ea: number): void {
    this.changeGuest(() => this.cpu.tlbilx(t, ea, this.tlb, 0, 0));
  }

  /** MMUCSR0 flash invalidation of TLB0 and/or TLB1. */
  flash(tlb0: boolean, tlb1: boolean): void {
    this.changeGuest(() => {
      if (tlb0) this.tlb.flash(false);
      if (tlb1) this.tlb.flash(true);
    });
  }

  /** Runs a change to the guest TLB and drops the shadows of every entry it invalidated. */
  private changeGuest(change: () => void): void {
    const before = Int32Array.from(this.tlb.mas1);
    change();
    for (let g = 0; g < TLB_ENTRIES; g++) {
      if (before[g]! < 0 && this.tlb.mas1[g]! >= 0) this.dropShadowsOf(g);
    }
    this.cpu.flushSoftTlb();
  }

  // ---- misses ---------------------------------------------------------------------------

  /**
   * A hardware miss at ea: if the guest TLB translates it, installs the
   * shadow and returns true (a virtual miss); false when the guest TLB has no
   * translation either (a real miss, for the guest to handle).
   */
  refill(ea: number, as: number): boolean {
    const g = this.tlb.lookup(ea, as, this.currentPid(), 0, 0);
    if (g < 0) return false;
    if (this.eager) this.mirror(g);
    else this.map(g, ea);
    return true;
  }

  /** The way the guest's TLB0 would replace next for ea (MAS preload on a reflected miss). */
  victim(ea: number): number {
    return this.tlb.victim(ea);
  }

  // ---- shadows ----------------------------------------------------------------------------

  private shadowMas8(): number {
    return this.userMode ? 0 : MAS.TGS | this.lpid;
  }

  /** Whether guest entry g maps guest RAM (only RAM is shadowed; device pages exit as MMIO). */
  private inRam(g: number): boolean {
    const start = this.tlb.physical(g, this.tlb.mas2[g]! & ~this.tlb.pageMask(g));
    return start < this.cpu.bus.ramSize;
  }

  /** Installs the shadow of guest entry g that covers ea: one host page (or less, for a smaller guest page). */
  private map(g: number, ea: number): void {
    const t = this.tlb;
    const guestBytes = t.pageMask(g) + 1;
    const bytes = Math.min(guestBytes, this.hostPageBytes);
    const base = (ea & ~(bytes - 1)) | 0;
    const pa = t.physical(g, base);
    const rpnLow = (pa % 0x100000000) & MAS.RPN_MASK;
    const rpnHigh = Math.floor(pa / 0x100000000) & 0xF;
    let mas1 = (t.mas1[g]! & ~(MAS.TSIZE_MASK | MAS.IPROT)) | (tsizeOf(bytes) << MAS.TSIZE_SHIFT);
    const mas2 = (base & MAS.EPN_MASK) | (t.mas2[g]! & MAS.WIMGE_MASK);
    let mas3 = (rpnLow | (t.mas3[g]! & ~MAS.RPN_MASK)) | 0;
    if (this.userMode) {
      // Tagged with the current shadow ID; the permissions of the guest's current privilege level, as user permissions.
      mas1 = (mas1 & ~MAS.TID_MASK) | (this.cpu.pid << MAS.TID_SHIFT);
      const perms = mas3 & 0x3F;
      const user = (this.cpu.vmsr & MAS_PR_BIT) !== 0 ? perms & (MAS_UX | MAS_UW | MAS_UR) : (perms & (MAS_SX | MAS_SW | MAS_SR)) << 1;
      mas3 = (mas3 & ~0x3F) | user;
    }
    let h: number;
    if (bytes === 4096) {
      h = this.tlb0Slot(base, g);
      if (g >= TLB0_ENTRIES) this.tlb0Backed[g - TLB0_ENTRIES] = 1;
    } else {
      h = TLB0_ENTRIES + this.host.nextTlb1Slot(HOST_TLB1_SHADOW_SLOTS);
    }
    this.put(h, g, mas1, mas2, mas3, rpnHigh);
    if (!this.eager) this.claimed[h] = this.host.claim(h, this.lpid);
  }

  /** The host TLB0 entry a 4 KB shadow for guest entry g at ea goes to: its own old shadow there, else the set's victim. */
  private tlb0Slot(ea: number, g: number): number {
    const set = (ea >>> 12) & (TLB0_SETS - 1);
    const h = this.hw;
    for (let w = 0; w < TLB0_WAYS; w++) {
      const i = set * TLB0_WAYS + w;
      if (this.owner[i] === g + 1 && h.mas1[i]! < 0 && ((h.mas2[i]! ^ ea) & MAS.EPN_MASK) === 0) return i;
    }
    return set * TLB0_WAYS + this.host.victimWay(set);
  }

  /** Writes hardware entry h as a shadow of guest entry g (evicting whatever it held). */
  private put(h: number, g: number, mas1: number, mas2: number, mas3: number, mas7: number): void {
    const hw = this.hw;
    if (hw.mas1[h]! < 0) this.cpu.dropSoftTlbFor(h);
    hw.mas1[h] = mas1;
    hw.mas2[h] = mas2;
    hw.mas3[h] = mas3;
    hw.mas7[h] = mas7;
    hw.mas8[h] = this.shadowMas8();
    hw.changed(h);
    this.owner[h] = g + 1;
    this.shadowsWritten++;
    this.cpu.dropSoftTlbFor(h);
  }

  private invalidate(h: number): void {
    const hw = this.hw;
    if (hw.mas1[h]! < 0) this.cpu.dropSoftTlbFor(h);
    hw.mas1[h] = hw.mas1[h]! & ~MAS.V;
    hw.changed(h);
    this.owner[h] = 0;
  }

  /** Removes the shadows of guest entry g (KVM's inval_gtlbe_on_host). */
  private dropShadowsOf(g: number): void {
    if (this.eager) {
      if (this.owner[g] !== 0) this.invalidate(g);
      return;
    }
    if (g >= TLB0_ENTRIES && this.tlb0Backed[g - TLB0_ENTRIES]) {
      this.flushAll();
      return;
    }
    for (let h = 0; h < TLB_ENTRIES; h++) if (this.owner[h] === g + 1) this.invalidate(h);
  }

  /** Every shadow of this guest gone (tlbilx by LPID). */
  private flushAll(): void {
    for (let h = 0; h < TLB_ENTRIES; h++) if (this.owner[h] !== 0) this.invalidate(h);
    this.tlb0Backed.fill(0);
    this.flushes++;
  }

  /** Eager mode: hardware entry g holds guest entry g as it is (or nothing). */
  private mirror(g: number): void {
    const t = this.tlb;
    if (t.mas1[g]! >= 0) {
      if (this.owner[g] !== 0) this.invalidate(g);
      return;
    }
    this.put(g, g, t.mas1[g]!, t.mas2[g]!, t.mas3[g]!, t.mas7[g]!);
  }
}
