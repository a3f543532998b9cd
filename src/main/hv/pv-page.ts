// The paravirtual page of the trap-and-emulate model: KVM's "magic page"
// idea (arch/powerpc/kernel/kvm.c, struct kvm_vcpu_arch_shared) in the lab's
// own layout. A guest that opts in (the lab's MAP_PV_PAGE hypercall, with a
// page of its RAM) keeps its MSR, save/restore registers, syndrome registers,
// SPRG0-7 and MAS registers in that page while it runs, and reads and writes
// them with ordinary loads and stores instead of trapping mfmsr/mfspr/mtspr.
// The hypervisor copies the page into its view of the guest (pull) when it
// takes an exit and back out (push) before the guest runs again.
//
// Only MSR[EE] may be changed through the page (every other MSR bit changes
// with mtmsr or rfi, which still trap). A guest that enables EE through the
// page checks int_pending and, when it is set, executes a real (trapping)
// wrtee so the held interrupt is delivered. The sequences a guest patches in
// for wrtee borrow the page's scratch words, so they live in one region the
// guest names when it maps the page: while its kernel runs there, the
// hypervisor delivers no interrupt (KVM marks the same sections with the
// page's `critical` word instead).
//
// labOS's kernel/pv.h mirrors this layout (a unit test compares them).

import type { Cpu } from '../cpu/cpu';
import { MSR } from '../cpu/regs';

/** Byte offsets in the page (big-endian 32-bit words). */
export const PV = {
  SCRATCH1: 0x00, SCRATCH2: 0x04, SCRATCH3: 0x08,
  /** 0x0C: reserved. */
  INT_PENDING: 0x10,
  MSR: 0x14,
  /** SRR0 at 0x18, then the registers of PV_SPRS in order, a word each. */
  SPRS: 0x18,
} as const;

/** The SPRs the page holds, in page order from PV.SPRS: SRR0, SRR1, DEAR, ESR, SPRG0-7, MAS0-4, MAS6, MAS7. */
export const PV_SPRS: readonly number[] = [26, 27, 61, 62, 272, 273, 274, 275, 276, 277, 278, 279, 624, 625, 626, 627, 628, 630, 944];

/** Bytes of the page in use. */
export const PV_SIZE = PV.SPRS + 4 * PV_SPRS.length;

export class ParavirtPage {
  /** Guest physical address of the page, or -1 when the guest has not opted in. */
  pa = -1;
  /** The effective address the guest said it maps the page at (for the inspector). */
  ea = 0;
  /** The guest's patch sequences, [start, end) effective addresses: no interrupt is delivered there. */
  regionStart = 0;
  regionEnd = 0;

  constructor(private readonly cpu: Cpu) {}

  get enabled(): boolean {
    return this.pa >= 0;
  }

  /** MAP_PV_PAGE: the guest offers a page of its RAM (0 turns the page off) and names its patch region. Returns false for an unusable address. */
  map(pa: number, ea: number, regionStart = 0, regionEnd = 0): boolean {
    if (pa === 0) {
      this.pa = -1;
      this.regionStart = this.regionEnd = 0;
      return true;
    }
    if ((pa & 0xFFF) !== 0 || pa + 4096 > this.cpu.bus.ramSize || regionEnd >>> 0 < regionStart >>> 0) return false;
    this.pa = pa;
    this.ea = ea;
    this.regionStart = regionStart >>> 0;
    this.regionEnd = regionEnd >>> 0;
    this.push(false);
    return true;
  }

  /** On an exit: what the guest wrote to the page becomes the guest's registers. */
  pull(): void {
    if (this.pa < 0) return;
    const cpu = this.cpu;
    const bus = cpu.bus;
    const msr = bus.readRam(this.pa + PV.MSR, 4);
    if (((msr ^ cpu.vmsr) & MSR.EE) !== 0) cpu.setGuestMsr((cpu.vmsr & ~MSR.EE) | (msr & MSR.EE));
    for (let i = 0; i < PV_SPRS.length; i++) cpu.spr[PV_SPRS[i]!] = bus.readRam(this.pa + PV.SPRS + 4 * i, 4);
  }

  /** Before the guest runs again: its registers into the page, and whether an interrupt waits for it to enable. */
  push(intPending: boolean): void {
    if (this.pa < 0) return;
    const cpu = this.cpu;
    const bus = cpu.bus;
    bus.writeRam(this.pa + PV.MSR, 4, cpu.vmsr);
    bus.writeRam(this.pa + PV.INT_PENDING, 4, intPending ? 1 : 0);
    for (let i = 0; i < PV_SPRS.length; i++) bus.writeRam(this.pa + PV.SPRS + 4 * i, 4, cpu.spr[PV_SPRS[i]!]!);
  }

  /** The guest's kernel is inside one of its patch sequences at pc: no interrupt may be delivered there. */
  inCritical(pc: number): boolean {
    if (this.pa < 0) return false;
    const a = pc >>> 0;
    return (this.cpu.vmsr & MSR.PR) === 0 && a >= this.regionStart && a < this.regionEnd;
  }
}
