// The guest's pending asynchronous interrupts, held by the hypervisor and
// delivered in software: KVM Book E's pending_exceptions and
// kvmppc_booke_irqprio_deliver (arch/powerpc/kvm/booke.c). Only interrupts
// directed to the hypervisor pass through here; those the hardware directs to
// the guest are delivered by the core itself.
//
// Level sources (the guest's timers, the virtual external line) are read from
// their state each time, so nothing goes stale: an interrupt stays pending
// exactly as long as its condition holds, as KVM's keep_irq levels do. The
// guest's own doorbells (msgsnd, emulated) are edges, cleared on delivery.
//
// Delivery follows KVM: the highest-priority source the guest's MSR allows is
// delivered (one per entry); if anything is still pending but masked, a guest
// doorbell is sent (msgsnd type 2, or 3 for the critical class), which the
// hardware takes as an exit once the guest enables MSR[EE] (MSR[CE]). KVM
// never clears that doorbell, so it may fire with nothing left to deliver.

import type { CounterId } from '../../shared/stats';
import type { Cpu } from '../cpu/cpu';
import { IVOR, MSR, TCR, TSR } from '../cpu/regs';
import type { Accountant } from './account';

interface Source {
  readonly bit: number;
  readonly ivor: number;
  /** Critical class: gated by MSR[CE] and signalled with a critical guest doorbell. */
  readonly critical: boolean;
  readonly counter: CounterId;
}

export const P_WATCHDOG = 1;
export const P_EXTERNAL = 2;
export const P_FIT = 4;
export const P_DEC = 8;
export const P_DBELL = 16;
export const P_DBELL_CRIT = 32;

/** In delivery order (KVM's BOOKE_IRQPRIO order for these sources). */
const SOURCES: readonly Source[] = [
  { bit: P_WATCHDOG, ivor: IVOR.WATCHDOG, critical: true, counter: 'reflect_timer' },
  { bit: P_EXTERNAL, ivor: IVOR.EXTERNAL, critical: false, counter: 'reflect_external' },
  { bit: P_FIT, ivor: IVOR.FIT, critical: false, counter: 'reflect_timer' },
  { bit: P_DEC, ivor: IVOR.DECREMENTER, critical: false, counter: 'reflect_dec' },
  { bit: P_DBELL, ivor: IVOR.DOORBELL, critical: false, counter: 'reflect_doorbell' },
  { bit: P_DBELL_CRIT, ivor: IVOR.DOORBELL_CRIT, critical: true, counter: 'reflect_doorbell' },
];
const CRITICAL_MASK = P_WATCHDOG | P_DBELL_CRIT;

/** msgsnd message types of guest doorbells. */
const G_DBELL = 2;
const G_DBELL_CRIT = 3;

export class PendingInterrupts {
  /** The guest's interrupt-controller output, when external input is directed to the hypervisor. */
  externalLine = false;
  /** Doorbells the guest sent itself (emulated msgsnd), not yet delivered: P_DBELL, P_DBELL_CRIT. */
  doorbells = 0;
  /** Which sources the hypervisor handles (the others are directed to the guest by the hardware). */
  private handlesExternal = true;
  private handlesDecrementer = true;
  /**
   * Whether the hardware has guest doorbells to signal a masked interrupt
   * with. Without them (trap-and-emulate) the hypervisor sees the guest
   * enable its interrupts anyway: mtmsr, wrtee and rfi are emulated, and each
   * emulation ends in deliver().
   */
  hasGuestDoorbells = true;
  /** Before delivering: whether the guest may take an interrupt now (the paravirtual page's critical section says no). */
  mayDeliver: ((cpu: Cpu, pc: number) => boolean) | null = null;

  constructor(private readonly acct: Accountant) {}

  /** The direction of external input and the decrementer (from the configuration). */
  direct(external: boolean, decrementer: boolean): void {
    this.handlesExternal = !external;
    this.handlesDecrementer = !decrementer;
  }

  /** Whether something is pending that the guest's MSR holds back (the paravirtual page's int_pending). */
  masked(cpu: Cpu): boolean {
    const p = this.pending(cpu);
    const msr = cpu.guestMsr();
    return ((p & ~CRITICAL_MASK) !== 0 && !(msr & MSR.EE)) || ((p & CRITICAL_MASK) !== 0 && !(msr & MSR.CE));
  }

  /** The sources pending now (P_ bits). */
  pending(cpu: Cpu): number {
    const t = cpu.timers;
    let p = this.doorbells;
    if (t.tsr & TSR.WIS && t.tcr & TCR.WIE) p |= P_WATCHDOG;
    if (this.handlesExternal && this.externalLine) p |= P_EXTERNAL;
    if (t.tsr & TSR.FIS && t.tcr & TCR.FIE) p |= P_FIT;
    if (this.handlesDecrementer && t.tsr & TSR.DIS && t.tcr & TCR.DIE) p |= P_DEC;
    return p;
  }

  /**
   * Delivers the highest-priority pending source the guest allows, as the
   * hardware would deliver it in guest state, and sends a guest doorbell for
   * whatever remains pending but masked. Returns the pc the guest continues
   * at (the vector, or `pc` when nothing was delivered). `anywhere`: the
   * guest asked for it where it stands (a trapping wrtee in a paravirtual
   * patch sequence), so mayDeliver is not consulted.
   */
  deliver(cpu: Cpu, pc: number, anywhere = false): number {
    const p = this.pending(cpu);
    if (p === 0) return pc;
    if (!anywhere && this.mayDeliver !== null && !this.mayDeliver(cpu, pc)) {
      // Not here (inside a paravirtual patch sequence): again at the next boundary, until the guest has left it.
      cpu.injectPending = true;
      cpu.irqPoll = 1;
      return pc;
    }
    let next = pc;
    const msr = cpu.guestMsr();
    for (const s of SOURCES) {
      if (!(p & s.bit)) continue;
      if (!(msr & (s.critical ? MSR.CE : MSR.EE))) continue;
      this.acct.bump(s.counter);
      this.doorbells &= ~s.bit;
      next = cpu.deliverGuest(s.ivor, pc, 0, 0);
      break;
    }
    this.signalMasked(cpu);
    return next;
  }

  /** Sends a guest doorbell for each class with something pending that the guest has masked. */
  signalMasked(cpu: Cpu): void {
    if (!this.hasGuestDoorbells) return;
    const p = this.pending(cpu);
    if (p & ~CRITICAL_MASK && !(cpu.msr & MSR.EE)) this.send(cpu, G_DBELL);
    if (p & CRITICAL_MASK && !(cpu.msr & MSR.CE)) this.send(cpu, G_DBELL_CRIT);
  }

  /** Sends a guest doorbell for each class with anything pending, masked or not (the second-exit policy). */
  signalAll(cpu: Cpu): void {
    if (!this.hasGuestDoorbells) return;
    const p = this.pending(cpu);
    if (p & ~CRITICAL_MASK) this.send(cpu, G_DBELL);
    if (p & CRITICAL_MASK) this.send(cpu, G_DBELL_CRIT);
  }

  private send(cpu: Cpu, type: number): void {
    // msgsnd with the guest's LPID and PIR tag, as KVM's kvmppc_set_pending_interrupt does.
    cpu.doorbell(true, (type << 27) | ((cpu.lpid & 0xFF) << 14) | (cpu.pir & 0x3FFF));
  }
}
