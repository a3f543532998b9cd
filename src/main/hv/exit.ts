// Exit handling for one vCPU of a guest: the hooks its core calls in guest
// state when the configured virtual hardware cannot handle something by
// itself. Each path counts its exit once, under the name KVM Book E counts the
// same event with (src/shared/stats.ts says which), charges the modeled cycles
// to the vCPU's clock, does the work (emulate an SPR access or a TLB instruction,
// reflect an interrupt, refill the shadow TLB, run a hypercall, let a device
// model see an access) and says where the guest resumes. On the way back in,
// interrupts that became pending meanwhile are injected (KVM's
// kvmppc_core_prepare_to_enter) or, under the second-exit policy, left to a
// guest doorbell.

import type { HvPolicy, InterruptKind } from '../../shared/hw';
import type { CounterId } from '../../shared/stats';
import { COPY, Cpu, type CpuHooks, doorbellAddresses, FAULT, GUEST_COPY, HOST } from '../cpu/cpu';
import { EPCR, ESR, IVOR, MSR } from '../cpu/regs';
import type { Accountant } from './account';
import type { GuestTlb } from './guest-tlb';
import { hypercall, type LabServices } from './hcall';
import { PendingInterrupts, P_DBELL, P_DBELL_CRIT } from './inject';
import { ParavirtPage } from './pv-page';
import { S_DUPLICATE, S_HYPERVISOR, S_TRANSFER, S_TRAP, type ResolvedStrategies } from './strategies';
import type { ByteChannel } from './types';

/**
 * What an interrupt that reaches the hypervisor counts as: the exit, and the
 * reflection when the hypervisor delivers it to the guest. Whether it reaches
 * the hypervisor at all is the hardware's business (Cpu.toGuest: EPCR and the
 * lab's hypothetical direction bits, and the guest copies delivery needs).
 */
interface Route {
  exit: CounterId;
  reflect: CounterId;
}

const ROUTES: Record<number, Route> = {
  [IVOR.CRITICAL]: { exit: 'ext_intr_exits', reflect: 'reflect_external' },
  [IVOR.MACHINE_CHECK]: { exit: 'program_exits', reflect: 'reflect_program' },
  [IVOR.DSI]: { exit: 'dsi_exits', reflect: 'reflect_dsi' },
  [IVOR.ISI]: { exit: 'isi_exits', reflect: 'reflect_isi' },
  [IVOR.EXTERNAL]: { exit: 'ext_intr_exits', reflect: 'reflect_external' },
  [IVOR.ALIGNMENT]: { exit: 'alignment_exits', reflect: 'reflect_alignment' },
  [IVOR.PROGRAM]: { exit: 'program_exits', reflect: 'reflect_program' },
  [IVOR.FP_UNAVAILABLE]: { exit: 'fp_unavail_exits', reflect: 'reflect_fp_unavail' },
  [IVOR.SYSCALL]: { exit: 'syscall_exits', reflect: 'reflect_syscall' },
  // A decrementer the hypervisor emulates arrives as a host event (hostEvent) instead.
  [IVOR.DECREMENTER]: { exit: 'dec_exits', reflect: 'reflect_dec' },
  [IVOR.DTLB]: { exit: 'dtlb_real_miss_exits', reflect: 'reflect_dtlb' },
  [IVOR.ITLB]: { exit: 'itlb_real_miss_exits', reflect: 'reflect_itlb' },
  [IVOR.DEBUG]: { exit: 'debug_exits', reflect: 'reflect_program' },
};

/** The exit a host event is counted as. */
const HOST_EVENT_EXITS: readonly [number, CounterId][] = [
  [HOST.DEC, 'dec_exits'], [HOST.FIT, 'timer_exits'], [HOST.WATCHDOG, 'timer_exits'], [HOST.DEVICE, 'ext_intr_exits'],
  [HOST.KICK, 'dbell_exits'],
];

/**
 * What one vCPU's emulation does to the guest's other vCPUs: a doorbell sent
 * with msgsnd goes to every vCPU it addresses; a tlbivax invalidates in every
 * vCPU's guest TLB (e500mc broadcasts it). A single-vCPU guest has none.
 */
export interface VcpuPeers {
  doorbell(from: Cpu, rb: number): void;
  tlbivax(ea: number): void;
}

/** The IVOR of each interrupt kind with a direction toggle. */
const DIRECTED_IVOR: Record<InterruptKind, number> = {
  external: IVOR.EXTERNAL, dsi: IVOR.DSI, isi: IVOR.ISI, dtlb: IVOR.DTLB, itlb: IVOR.ITLB, syscall: IVOR.SYSCALL,
  alignment: IVOR.ALIGNMENT, program: IVOR.PROGRAM, fpunavail: IVOR.FP_UNAVAILABLE, decrementer: IVOR.DECREMENTER,
};
/** Kinds EPCR has no bit for: system calls (the guest's in 2.06) and the lab's hypothetical directions. */
const HYPOTHETICAL_KINDS: readonly InterruptKind[] = ['syscall', 'alignment', 'program', 'fpunavail', 'decrementer'];
const EPCR_SPR = 307;

/** DEC DECAR TBWL TBWU TSR TCR: their emulation reprograms the guest's timer. */
const TIMER_SPRS = new Uint8Array(1024);
for (const n of [22, 54, 284, 285, 336, 340]) TIMER_SPRS[n] = 1;
const MMUCSR0 = 1012;

/** Guest switches (for shared-register save/restore) happen at idle and at this scheduling quantum. */
export const QUANTUM_TICKS = 4_000_000; // 10 ms of a 400 MHz time base

const EXIT_SNAPSHOT_SKIP: ReadonlySet<string> = new Set(['strategies', 'policy', 'srrInHardware', 'corruptSpr', 'pv', 'labServices', 'peers']);

const PID_SPR = 48;
/** GPIR: what the guest reads as PIR (the vCPU's number). */
export const GPIR_SPR = 382;
/** The privileged instructions a trap-and-emulate hypervisor emulates without a TLB or doorbell of its own (isa.ts ids). */
const ID = { MFSPR: 118, MTSPR: 128, MFMSR: 85, MTMSR: 95, WRTEE: 91, WRTEEI: 98, RFI: 53, RFCI: 54, RFMCI: 51, RFDI: 52, DCBI: 129, ICBLC: 165, DCBLC: 166 } as const;

export class ExitHandler implements CpuHooks {
  private strategies!: ResolvedStrategies;
  private policy!: HvPolicy;
  private srrInHardware = true;
  private lastSwitchTicks = 0;
  /** The guest's pending interrupts that the hypervisor delivers. */
  readonly pending: PendingInterrupts;
  /** The vCPU idles in the hypervisor (the ePAPR idle hypercall) until an interrupt is pending for it. */
  private halted = false;
  /** Inside an exit: an interrupt raised now is the exit's own doing and goes in on the way back. */
  private inExit = false;
  /** Trap-and-emulate: the paravirtual page (null for the models with hardware help). */
  readonly pv: ParavirtPage | null;
  private readonly labServices: LabServices | null;
  /** The guest's other vCPUs (null for a guest with one). */
  peers: VcpuPeers | null = null;

  constructor(
    private readonly acct: Accountant,
    private readonly gtlb: GuestTlb,
    private readonly channels: ReadonlyMap<number, ByteChannel>,
    /** After a byte-channel call: the channels' interrupt lines may have changed. */
    private readonly channelsTouched: () => void = () => {},
    /**
     * Trap-and-emulate: no virtualization hardware. The guest runs in user
     * mode; its privileged instructions arrive as program interrupts and are
     * emulated (emulate()); every interrupt reaches the hypervisor first.
     */
    readonly deprivileged = false,
    cpu: Cpu | null = null,
  ) {
    this.pending = new PendingInterrupts(acct);
    if (deprivileged && cpu !== null) {
      const pv = new ParavirtPage(cpu);
      this.pv = pv;
      this.labServices = { mapPvPage: (pa, ea, start, end) => pv.map(pa, ea, start, end) };
      this.pending.hasGuestDoorbells = false;
      this.pending.mayDeliver = (_cpu, pc) => !pv.inCritical(pc);
    } else {
      this.pv = null;
      this.labServices = null;
    }
  }

  /** A snapshot keeps the emulation's state; what configure() derives is rebuilt after a restore. */
  get snapshotSkip(): ReadonlySet<string> {
    return EXIT_SNAPSHOT_SKIP;
  }

  /** Installs a resolved configuration (at an instruction boundary). */
  configure(cpu: Cpu, s: ResolvedStrategies, policy: HvPolicy): void {
    this.strategies = s;
    this.policy = policy;
    if (this.deprivileged) {
      // No virtualization hardware: nothing is directed to the guest, there are
      // no guest copies or guest doorbells, and held interrupts go in at the
      // next emulation or entry (KVM's only policy on cores without them).
      this.policy = { ...policy, injection: 'entry' };
      cpu.labDirected = 0;
      cpu.writeSpr(EPCR_SPR, 0);
      cpu.guestCopiesMissing = COPY.SRR | COPY.ESR | COPY.DEAR;
      this.pending.direct(false, false);
      this.pending.externalLine = cpu.extInput;
      this.srrInHardware = false;
      this.gtlb.setHostPage(policy.hostPageKb);
      this.gtlb.setEager(false);
      return;
    }
    // The hardware's interrupt direction: EPCR as KVM programs it (guest TLB
    // instructions trap, TLB misses to the hypervisor leave MAS alone, no
    // debug events in hypervisor state) with the configured direction bits,
    // and the lab's hypothetical ones for interrupts EPCR has no bit for.
    const d = s.direct;
    cpu.writeSpr(EPCR_SPR, (d.external ? EPCR.EXTGS : 0) | (d.dtlb ? EPCR.DTLBGS : 0) | (d.itlb ? EPCR.ITLBGS : 0)
      | (d.dsi ? EPCR.DSIGS : 0) | (d.isi ? EPCR.ISIGS : 0) | EPCR.DGTMI | EPCR.DMIUH | EPCR.DUVD);
    let extra = 0;
    for (const kind of HYPOTHETICAL_KINDS) if (d[kind]) extra |= 1 << DIRECTED_IVOR[kind];
    cpu.labDirected = extra;
    cpu.updateDirection();
    this.pending.direct(d.external, d.decrementer);
    this.pending.externalLine = cpu.extInput;
    const inHw = (n: number) => s.bySpr[n] === S_DUPLICATE || s.bySpr[n] === S_TRANSFER;
    this.srrInHardware = inHw(26) && inHw(27);
    cpu.guestCopiesMissing = (this.srrInHardware ? 0 : COPY.SRR) | (inHw(62) ? 0 : COPY.ESR) | (inHw(61) ? 0 : COPY.DEAR);
    cpu.sprTrap.fill(0);
    cpu.sprAlias.fill(0);
    for (let n = 0; n < 1024; n++) {
      if (s.bySpr[n] === S_TRAP || s.bySpr[n] === S_HYPERVISOR) cpu.sprTrap[n] = 1;
      else if (inHw(n) && GUEST_COPY[n] !== 0) cpu.sprAlias[n] = GUEST_COPY[n]!;
    }
    // The MMU's flash invalidation always involves the hypervisor (it owns the guest TLB).
    cpu.sprTrap[MMUCSR0] = 1;
    // rfi reads SRR0/1: without hardware guest copies it must exit.
    cpu.rfiTraps = !this.srrInHardware;
    this.gtlb.setHostPage(policy.hostPageKb);
    this.gtlb.setEager(s.direct.dtlb || s.direct.itlb);
  }

  // ---- SPR traps ---------------------------------------------------------------

  private sprExit(n: number, write: boolean, pc: number): void {
    const c = this.acct.costs;
    const handler = TIMER_SPRS[n] ? c.timerEmulation : c.emulateSpr;
    this.acct.begin();
    const cycles = this.acct.exit('emulated_inst_exits', handler, pc, n, 0);
    this.acct.bump(write ? 'emul_mtspr' : 'emul_mfspr');
    this.acct.sprTrap(n, write, cycles);
  }

  // ---- the way back in ---------------------------------------------------------------

  /**
   * The end of an exit that resumes the guest at `pc`: under KVM's policy the
   * pending interrupts are injected now (the returned pc is then a vector);
   * under the second-exit policy a guest doorbell is sent for them.
   */
  private resume(cpu: Cpu, pc: number): number {
    if (this.policy.injection === 'entry') return this.pending.deliver(cpu, pc);
    this.pending.signalAll(cpu);
    return pc;
  }

  /**
   * The end of an exit taken inside an instruction (an SPR access, MMIO),
   * which cannot redirect the guest: the injection happens at the next
   * instruction boundary, still without an exit.
   */
  private resumeLater(cpu: Cpu): void {
    if (this.pending.pending(cpu) === 0) return;
    if (this.policy.injection === 'entry') {
      cpu.injectPending = true;
      cpu.irqPoll = 1;
    } else {
      this.pending.signalAll(cpu);
    }
  }

  /** A guest access to a register only the hypervisor has: emulation fails, the guest gets an illegal-instruction program interrupt (as under KVM). */
  private refuse(cpu: Cpu): never {
    this.acct.bump('reflect_program');
    return cpu.faultFromHypervisor(IVOR.PROGRAM, ESR.PIL, 0);
  }

  /** An emulated instruction the guest's core would refuse: the guest gets an illegal-instruction program interrupt at it. */
  private reflectIllegal(cpu: Cpu, pc: number): number {
    this.acct.bump('reflect_program');
    return this.resume(cpu, cpu.deliverGuest(IVOR.PROGRAM, pc, ESR.PIL, 0));
  }

  /** Test hook: an SPR whose emulated reads come back with bit 16 flipped (a broken hypervisor), or -1. */
  corruptSpr = -1;

  mfspr(cpu: Cpu, n: number, pc: number): number {
    const code = this.strategies.bySpr[n];
    if (code !== S_TRAP && code !== S_HYPERVISOR) return cpu.readSpr(n); // handled by the hardware (e.g. MMUCSR0 reads)
    this.sprExit(n, false, pc);
    if (code === S_HYPERVISOR) this.refuse(cpu);
    let v: number;
    try {
      v = cpu.readSpr(cpu.guestSpr(n, false));
    } catch (e) {
      throw this.emulationFault(cpu, e);
    }
    this.resumeLater(cpu);
    return n === this.corruptSpr ? v ^ 0x10000 : v;
  }

  mtspr(cpu: Cpu, n: number, value: number, pc: number): void {
    const code = this.strategies.bySpr[n];
    if (code === S_TRAP || code === S_HYPERVISOR) {
      this.sprExit(n, true, pc);
      if (code === S_HYPERVISOR) this.refuse(cpu);
    }
    if (n === MMUCSR0) {
      // Flash invalidation applies to the guest's TLB (and its shadows).
      this.gtlb.flash((value & 4) !== 0, (value & 2) !== 0);
      return;
    }
    try {
      cpu.writeSpr(cpu.guestSpr(n, true), value);
    } catch (e) {
      throw this.emulationFault(cpu, e);
    }
    // A timer register write may have made an interrupt pending, or stopped one.
    this.resumeLater(cpu);
  }

  /** An interrupt the emulation raised (an SPR e500mc lacks) goes to the guest without another exit. */
  private emulationFault(cpu: Cpu, e: unknown): unknown {
    if (e === FAULT) {
      cpu.markHypervisorFault();
      this.acct.bump('reflect_program');
    }
    return e;
  }

  // ---- interrupts ---------------------------------------------------------------

  interrupt(cpu: Cpu, ivor: number, srr0: number, esr: number, dear: number): number {
    if (this.deprivileged) {
      this.pv!.pull();
      return this.leave(cpu, this.interruptWithoutHardware(cpu, ivor, srr0, esr, dear));
    }
    return this.interruptInGuestState(cpu, ivor, srr0, esr, dear);
  }

  /**
   * Trap-and-emulate: every interrupt of the guest arrives here. A privileged
   * instruction the guest's kernel executed is emulated; sc 1 from its kernel
   * is a hypercall; everything else takes the same path as in guest state
   * (TLB misses refilled or reflected, other interrupts reflected).
   */
  private interruptWithoutHardware(cpu: Cpu, ivor: number, srr0: number, esr: number, dear: number): number {
    const kernel = (cpu.vmsr & MSR.PR) === 0;
    if (ivor === IVOR.PROGRAM && (esr & ESR.PPR) !== 0 && kernel) return this.emulate(cpu, srr0);
    if (ivor === IVOR.HV_SYSCALL) return this.hypercall(cpu, (srr0 - 4) | 0);
    return this.interruptInGuestState(cpu, ivor, srr0, esr, dear);
  }

  /** Trap-and-emulate, on the way back to the guest: its registers into the paravirtual page. */
  private leave(cpu: Cpu, pc: number): number {
    const pv = this.pv!;
    if (pv.enabled) pv.push(this.pending.masked(cpu) || (pv.inCritical(pc) && this.pending.pending(cpu) !== 0));
    return pc;
  }

  private interruptInGuestState(cpu: Cpu, ivor: number, srr0: number, esr: number, dear: number): number {
    const c = this.acct.costs;
    if (ivor === IVOR.GUEST_DOORBELL || ivor === IVOR.GUEST_DOORBELL_CRIT) {
      // The doorbell raised for an interrupt the guest had masked: it has now enabled it.
      this.acct.begin();
      this.acct.exit('gdbell_exits', c.reflectInterrupt, srr0);
      return this.pending.deliver(cpu, srr0);
    }
    if (ivor === IVOR.DOORBELL || ivor === IVOR.DOORBELL_CRIT) {
      // A processor doorbell for the host (another core's kick): handled by the hypervisor itself.
      this.acct.begin();
      this.acct.exit('dbell_exits', c.emulateInstruction, srr0);
      return this.resume(cpu, srr0);
    }
    if (cpu.toGuest(ivor)) {
      // Directed to the guest (an asynchronous source the core offers so an idle vCPU wakes): the hardware's delivery.
      this.wake();
      return cpu.deliverGuest(ivor, srr0, esr, dear);
    }
    const route = ROUTES[ivor] ?? { exit: 'program_exits', reflect: 'reflect_program' };
    const tlbMiss = ivor === IVOR.DTLB || ivor === IVOR.ITLB;
    this.acct.begin();
    if (tlbMiss) {
      if (this.gtlb.refill(cpu.faultEa, cpu.faultAs)) {
        // The guest TLB translates it: install the shadow and retry (KVM's virtual miss).
        this.acct.exit(ivor === IVOR.DTLB ? 'dtlb_virt_miss_exits' : 'itlb_virt_miss_exits', c.shadowTlbRefill, srr0);
        return this.resume(cpu, srr0);
      }
      // No guest translation either (KVM's real miss): the guest's MAS as its miss would leave them.
      cpu.preloadMasOnMiss(cpu.faultEa, cpu.faultAs, this.gtlb.victim(cpu.faultEa), this.deprivileged ? this.gtlb.guestPid : cpu.pid);
    }
    this.acct.exit(route.exit, c.reflectInterrupt, srr0);
    this.acct.bump(route.reflect);
    return this.resume(cpu, cpu.deliverGuest(ivor, srr0, esr, dear));
  }

  /** Host events: the guest's emulated timers expiring, host devices asking for attention. */
  hostEvent(cpu: Cpu, events: number, pc: number): number {
    if (this.deprivileged) {
      this.pv!.pull();
      return this.leave(cpu, this.hostEventAt(cpu, events, pc));
    }
    return this.hostEventAt(cpu, events, pc);
  }

  private hostEventAt(cpu: Cpu, events: number, pc: number): number {
    // The vCPU idles in the hypervisor: no exit; it wakes only for something to deliver.
    if (this.halted) return this.wakeIfPending(cpu, pc);
    const c = this.acct.costs;
    for (const [bit, counter] of HOST_EVENT_EXITS) {
      if (!(events & bit)) continue;
      this.acct.begin();
      this.acct.exit(counter, bit === HOST.DEVICE ? c.reflectInterrupt : c.timerEmulation, pc);
    }
    // The event's own interrupt goes in at once, whatever the injection policy.
    return this.pending.deliver(cpu, pc);
  }

  /** Injection at an instruction boundary after an exit inside an instruction, or a halted vCPU woken. */
  enter(cpu: Cpu, pc: number): number {
    if (this.deprivileged) this.pv!.pull();
    const next = this.halted ? this.wakeIfPending(cpu, pc) : this.pending.deliver(cpu, pc);
    return this.deprivileged ? this.leave(cpu, next) : next;
  }

  /** A halted vCPU stays asleep until an interrupt is pending for it; then it wakes (no exit) and takes it. */
  private wakeIfPending(cpu: Cpu, pc: number): number {
    if (this.pending.pending(cpu) === 0) {
      cpu.waiting = true;
      return pc;
    }
    this.wake();
    return this.pending.deliver(cpu, pc);
  }

  /** The guest's interrupt-controller output, when external input is the hypervisor's to deliver. */
  externalLine(cpu: Cpu, level: boolean): void {
    this.pending.externalLine = level;
    if (!level || this.inExit) return; // raised by an exit's own emulation: injected on its way back in
    if (this.halted) {
      cpu.injectPending = true;
      cpu.irqPoll = 1;
      return;
    }
    // A host event while the guest runs (console input, a peer's byte-channel data): a host interrupt exit.
    cpu.hostEvents |= HOST.DEVICE;
    cpu.irqPoll = 1;
  }

  private wake(): void {
    if (!this.halted) return;
    this.halted = false;
    this.acct.bump('halt_wakeup');
  }

  // ---- hypervisor-privileged instructions ------------------------------------------

  privileged(cpu: Cpu, id: number, word: number, pc: number): number {
    this.acct.begin();
    const c = this.acct.costs;
    const r = cpu.gpr;
    const ra = (word >>> 16) & 31;
    const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
    const next = (pc + 4) | 0;
    // A TLB instruction's exit; `work` may refuse it (returning where the guest goes instead of the next instruction).
    const tlbOp = (kind: CounterId, work: () => number | void): number => {
      this.acct.exit('emulated_inst_exits', c.emulateTlbOp, pc, -1, word);
      this.acct.bump(kind);
      return work() ?? this.resume(cpu, next);
    };
    switch (id) {
      case 156: // tlbwe: a valid TLB1 entry of a size TLB1 lacks is refused, as the core refuses it
        return tlbOp('emul_tlbwe', () => (cpu.tlb1SizeUnsupported() ? this.reflectIllegal(cpu, pc) : this.gtlb.write()));
      case 154: return tlbOp('emul_tlbre', () => this.gtlb.read()); // tlbre
      case 151: return tlbOp('emul_tlbsx', () => this.gtlb.search(ea)); // tlbsx
      case 146: return tlbOp('emul_tlbinv', () => (this.peers !== null ? this.peers.tlbivax(ea) : this.gtlb.invalidateByEa(ea))); // tlbivax
      case 73: return tlbOp('emul_tlbinv', () => this.gtlb.invalidateLocal((word >>> 21) & 3, ea)); // tlbilx
      case 136: return tlbOp('emul_tlbinv', () => { /* tlbsync: nothing outstanding on one core */ }); // tlbsync
      case 53: // rfi without hardware SRR0/1 copies
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_rfi');
        return this.resume(cpu, cpu.returnFromInterrupt(id, pc));
      case 54: case 51: case 52: // rfci rfmci rfdi
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_rfci');
        return this.resume(cpu, cpu.returnFromInterrupt(id, pc));
      case 102: case 107: // msgsnd msgclr
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        this.guestDoorbell(cpu, id === 102, r[(word >>> 11) & 31]!);
        return this.resume(cpu, next);
      case 162: case 163: case 164: // cache locking: not supported, as on the bare core
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        cpu.spr[1010] = cpu.spr[1010]! | 0x400;
        return this.resume(cpu, next);
      default: // ehpriv, rfgi and anything else hypervisor-privileged: no debugger here
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        return this.reflectIllegal(cpu, pc);
    }
  }

  // ---- trap-and-emulate: the privileged instructions of a guest kernel in user mode ----

  /**
   * Emulates the privileged instruction at pc that the guest's kernel
   * executed in user mode (a privileged-instruction program interrupt), as
   * KVM did on PowerPC 440 (kvmppc_emulate_instruction): one exit, counted
   * under emulated_inst_exits and the instruction's own category. TLB
   * instructions, msgsnd/msgclr and cache locking take the same emulation as
   * under booke-hv. Returns where the guest continues.
   */
  private emulate(cpu: Cpu, pc: number): number {
    const word = cpu.peekInstruction(pc);
    const id = Cpu.decode(word);
    const c = this.acct.costs;
    const r = cpu.gpr;
    const rt = (word >>> 21) & 31;
    const next = (pc + 4) | 0;
    // The exit every emulation here takes, counted under its category.
    const count = (kind: CounterId): void => {
      this.acct.begin();
      this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
      this.acct.bump(kind);
    };
    const simple = (kind: CounterId, work: () => void): number => {
      count(kind);
      work();
      return this.resume(cpu, next);
    };
    // An MSR write is where the guest asks for held interrupts (a paravirtual patch sequence traps on purpose): deliver right there.
    const msrWrite = (kind: CounterId, value: number): number => {
      count(kind);
      cpu.writeMsr(value);
      return this.pending.deliver(cpu, next, true);
    };
    try {
      switch (id) {
        case ID.MFMSR: return simple('emul_mfmsr', () => { r[rt] = cpu.vmsr; });
        case ID.MTMSR: return msrWrite('emul_mtmsr', r[rt]!);
        case ID.WRTEE: return msrWrite('emul_wrtee', (cpu.vmsr & ~MSR.EE) | (r[rt]! & MSR.EE));
        case ID.WRTEEI: return msrWrite('emul_wrtee', (cpu.vmsr & ~MSR.EE) | (word & MSR.EE));
        case ID.RFI: case ID.RFCI: case ID.RFMCI: case ID.RFDI:
          count(id === ID.RFI ? 'emul_rfi' : 'emul_rfci');
          return this.resume(cpu, cpu.returnFromInterrupt(id, pc));
        case ID.MFSPR: case ID.MTSPR: return this.emulateSpr(cpu, id === ID.MTSPR, word, pc);
        case ID.DCBI: case ID.ICBLC: case ID.DCBLC:
          // dcbi: the guest's caches are coherent here, so nothing to do (as KVM); lock clears: nothing is locked.
          return simple('emul_other', () => {});
        case 156: case 154: case 151: case 146: case 73: case 136: // tlbwe tlbre tlbsx tlbivax tlbilx tlbsync
        case 102: case 107: case 162: case 163: case 164: // msgsnd msgclr dcbtls dcbtstls icbtls
          return this.privileged(cpu, id, word, pc);
        default:
          // Privileged on a core without the hypervisor category as well (rfgi, ehpriv ...): as the core would, a program interrupt.
          return this.interruptInGuestState(cpu, IVOR.PROGRAM, pc, ESR.PPR, 0);
      }
    } catch (e) {
      if (e !== FAULT) throw e;
      // The emulation raised an interrupt for the guest (an SPR e500mc lacks, a read-only one written): it goes in as the core would deliver it.
      cpu.markHypervisorFault();
      this.acct.bump('reflect_program');
      return this.resume(cpu, cpu.interrupt(cpu.faultIvor, pc, cpu.faultEsr, cpu.faultDear));
    }
  }

  /** mfspr/mtspr of a privileged SPR by the guest's kernel: counted per SPR like a trapped register under booke-hv. */
  private emulateSpr(cpu: Cpu, write: boolean, word: number, pc: number): number {
    const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
    const rt = (word >>> 21) & 31;
    this.sprExit(n, write, pc);
    if (this.strategies.bySpr[n] === S_HYPERVISOR) {
      // The hypervisor category's own registers: the guest's core has none (an illegal instruction, as under KVM).
      return this.reflectIllegal(cpu, pc);
    }
    const gtlb = this.gtlb;
    if (!write) {
      cpu.gpr[rt] = n === PID_SPR ? gtlb.guestPid : cpu.readSpr(n) | 0;
    } else {
      const v = cpu.gpr[rt]!;
      if (n === PID_SPR) {
        gtlb.guestPid = v & 0xFF;
        gtlb.switchContext();
      } else if (n === MMUCSR0) {
        gtlb.flash((v & 4) !== 0, (v & 2) !== 0);
      } else {
        cpu.writeSpr(n, v);
      }
    }
    return this.resume(cpu, (pc + 4) | 0);
  }

  /**
   * A guest's msgsnd/msgclr, emulated as KVM's e500mc does: a processor
   * doorbell or critical doorbell addressed to this vCPU (by PIR tag, or
   * broadcast) becomes pending for it, delivered on the way back in;
   * msgclr withdraws it. Other message types do nothing.
   */
  private guestDoorbell(cpu: Cpu, send: boolean, rb: number): void {
    const type = (rb >>> 27) & 0x1F;
    if (type > 1) return;
    const bit = type === 0 ? P_DBELL : P_DBELL_CRIT;
    if (!send) {
      this.pending.doorbells &= ~bit;
      return;
    }
    if (this.peers !== null) this.peers.doorbell(cpu, rb);
    else this.receiveDoorbell(cpu, rb, false);
  }

  /**
   * A doorbell message reaching this vCPU (`cpu`): taken when broadcast or
   * tagged with the vCPU's number (what the guest reads as PIR). Sent by
   * another vCPU, it kicks this one: a vCPU idling in the hypervisor wakes; a
   * running one exits (a host doorbell) to take it.
   */
  receiveDoorbell(cpu: Cpu, rb: number, fromAnother: boolean): void {
    if (!doorbellAddresses(rb, cpu.spr[GPIR_SPR]! & 0x3FFF)) return;
    this.pending.doorbells |= ((rb >>> 27) & 0x1F) === 0 ? P_DBELL : P_DBELL_CRIT;
    if (!fromAnother) return;
    if (this.halted) cpu.injectPending = true;
    else cpu.hostEvents |= HOST.KICK;
    cpu.irqPoll = 1;
  }

  // ---- hypercalls, devices, guest switches -----------------------------------------

  hypercall(cpu: Cpu, pc: number): number {
    this.acct.begin();
    const c = this.acct.costs;
    if (cpu.guestMsr() & MSR.PR) {
      // sc 1 from user mode: a privileged-instruction program interrupt (KVM, Topaz).
      this.acct.exit('program_exits', c.reflectInterrupt, pc, -1, 0x44000022);
      this.acct.bump('reflect_program');
      return this.resume(cpu, cpu.deliverGuest(IVOR.PROGRAM, pc, ESR.PPR, 0));
    }
    this.acct.exit('hcall_exits', c.hypercall, pc, -1, 0x44000022);
    this.inExit = true;
    const result = hypercall(cpu, this.channels, this.labServices);
    if (result.name.startsWith('bytechannel')) this.channelsTouched();
    this.inExit = false;
    const next = (pc + 4) | 0;
    if (result.idle && this.pending.pending(cpu) === 0) {
      // KVM halts the vCPU until an interrupt is pending for it; the core goes to another vCPU.
      this.guestSwitch(cpu);
      this.halted = true;
      cpu.waiting = true;
      return next;
    }
    return this.resume(cpu, next);
  }

  mmio(cpu: Cpu, _pa: number, _size: number, _write: boolean): void {
    this.acct.begin();
    this.acct.exit('mmio_exits', this.acct.costs.mmioAccess, cpu.curPc);
    this.inExit = true;
  }

  mmioDone(cpu: Cpu): void {
    this.inExit = false;
    this.resumeLater(cpu);
  }

  /**
   * The core switches to another vCPU (the guest idles, or ran a whole
   * quantum). Under the lazy policy the shared registers are saved and
   * restored here; under KVM's they already were, at every exit.
   */
  guestSwitch(cpu: Cpu): void {
    this.lastSwitchTicks = cpu.timers.ticks;
    const n = this.strategies.shared;
    if (n > 0 && this.policy.sharedSave === 'switch') this.acct.charge('shared_switches', 2 * n * this.acct.costs.perSharedRegister, 2);
  }

  /** Called between slices: a scheduling-quantum switch when the guest ran a whole quantum. */
  tick(cpu: Cpu): void {
    if (cpu.timers.ticks - this.lastSwitchTicks >= QUANTUM_TICKS) this.guestSwitch(cpu);
  }
}
