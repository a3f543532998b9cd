// Exit handling for one guest: the hooks the core calls in guest state when
// the configured virtual hardware cannot handle something by itself. Each
// path counts its exit once (KVM Book E names), charges the modeled cycles to
// the guest's clock, does the work (emulate an SPR access or a TLB
// instruction, reflect an interrupt, refill the shadow TLB, run a hypercall,
// let a device model see an access) and says where the guest resumes.

import type { InterruptKind } from '../../shared/hw';
import type { CounterId } from '../../shared/stats';
import { type Cpu, type CpuHooks, FAULT } from '../cpu/cpu';
import { ESR, IVOR, MSR } from '../cpu/regs';
import type { Accountant } from './account';
import type { GuestTlb } from './guest-tlb';
import { hypercall } from './hcall';
import { S_DUPLICATE, S_HYPERVISOR, S_TRANSFER, S_TRAP, type ResolvedStrategies } from './strategies';
import type { ByteChannel } from './types';

// What an interrupt writes besides the save/restore pair, i.e. which guest
// copies direct delivery needs.
const NEEDS_ESR = 1;
const NEEDS_DEAR = 2;

interface Route {
  /** The interrupt-direction toggle, or null: always exits (critical class, timers, debug). */
  kind: InterruptKind | null;
  exit: CounterId;
  reflect: CounterId;
  needs: number;
}

const ROUTES: Record<number, Route> = {
  [IVOR.CRITICAL]: { kind: null, exit: 'ext_intr_exits', reflect: 'reflect_external', needs: 0 },
  [IVOR.MACHINE_CHECK]: { kind: null, exit: 'program_exits', reflect: 'reflect_program', needs: 0 },
  [IVOR.DSI]: { kind: 'dsi', exit: 'dsi_exits', reflect: 'reflect_dsi', needs: NEEDS_ESR | NEEDS_DEAR },
  [IVOR.ISI]: { kind: 'isi', exit: 'isi_exits', reflect: 'reflect_isi', needs: NEEDS_ESR },
  [IVOR.EXTERNAL]: { kind: 'external', exit: 'ext_intr_exits', reflect: 'reflect_external', needs: 0 },
  [IVOR.ALIGNMENT]: { kind: 'alignment', exit: 'alignment_exits', reflect: 'reflect_alignment', needs: NEEDS_ESR | NEEDS_DEAR },
  [IVOR.PROGRAM]: { kind: 'program', exit: 'program_exits', reflect: 'reflect_program', needs: NEEDS_ESR },
  [IVOR.FP_UNAVAILABLE]: { kind: 'fpunavail', exit: 'fp_unavail_exits', reflect: 'reflect_fp_unavail', needs: NEEDS_ESR },
  [IVOR.SYSCALL]: { kind: 'syscall', exit: 'syscall_exits', reflect: 'reflect_syscall', needs: NEEDS_ESR },
  [IVOR.DECREMENTER]: { kind: 'decrementer', exit: 'dec_exits', reflect: 'reflect_dec', needs: 0 },
  [IVOR.FIT]: { kind: null, exit: 'timer_exits', reflect: 'reflect_timer', needs: 0 },
  [IVOR.WATCHDOG]: { kind: null, exit: 'timer_exits', reflect: 'reflect_timer', needs: 0 },
  [IVOR.DTLB]: { kind: 'dtlb', exit: 'dtlb_virt_miss_exits', reflect: 'reflect_dtlb', needs: NEEDS_ESR | NEEDS_DEAR },
  [IVOR.ITLB]: { kind: 'itlb', exit: 'itlb_virt_miss_exits', reflect: 'reflect_itlb', needs: NEEDS_ESR },
  [IVOR.DEBUG]: { kind: null, exit: 'debug_exits', reflect: 'reflect_program', needs: 0 },
  [IVOR.DOORBELL]: { kind: null, exit: 'dbell_exits', reflect: 'reflect_external', needs: 0 },
  [IVOR.DOORBELL_CRIT]: { kind: null, exit: 'dbell_exits', reflect: 'reflect_external', needs: 0 },
};

/** DEC DECAR TBWL TBWU TSR TCR: their emulation reprograms the guest's timer. */
const TIMER_SPRS = new Uint8Array(1024);
for (const n of [22, 54, 284, 285, 336, 340]) TIMER_SPRS[n] = 1;
const MMUCSR0 = 1012;

/** Guest switches (for shared-register save/restore) happen at idle and at this scheduling quantum. */
export const QUANTUM_TICKS = 4_000_000; // 10 ms of a 400 MHz time base

export class ExitHandler implements CpuHooks {
  private strategies!: ResolvedStrategies;
  private srrInHardware = true;
  private esrInHardware = true;
  private dearInHardware = true;
  private lastSwitchTicks = 0;

  constructor(
    private readonly acct: Accountant,
    private readonly gtlb: GuestTlb,
    private readonly channels: ReadonlyMap<number, ByteChannel>,
    /** After a byte-channel call: the channels' interrupt lines may have changed. */
    private readonly channelsTouched: () => void = () => {},
  ) {}

  /** Installs a resolved configuration (at an instruction boundary). */
  configure(cpu: Cpu, s: ResolvedStrategies): void {
    this.strategies = s;
    const inHw = (n: number) => s.bySpr[n] === S_DUPLICATE || s.bySpr[n] === S_TRANSFER;
    this.srrInHardware = inHw(26) && inHw(27);
    this.esrInHardware = inHw(62);
    this.dearInHardware = inHw(61);
    cpu.sprTrap.fill(0);
    for (let n = 0; n < 1024; n++) if (s.bySpr[n] === S_TRAP || s.bySpr[n] === S_HYPERVISOR) cpu.sprTrap[n] = 1;
    // The MMU's flash invalidation always involves the hypervisor (it owns the guest TLB).
    cpu.sprTrap[MMUCSR0] = 1;
    // rfi reads SRR0/1: without hardware guest copies it must exit.
    cpu.rfiTraps = !this.srrInHardware;
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

  /** A guest access to a register only the hypervisor has: emulation fails, the guest gets an illegal-instruction program interrupt (as under KVM). */
  private refuse(cpu: Cpu): never {
    this.acct.bump('reflect_program');
    return cpu.faultFromHypervisor(IVOR.PROGRAM, ESR.PIL, 0);
  }

  mfspr(cpu: Cpu, n: number, pc: number): number {
    const code = this.strategies.bySpr[n];
    if (code !== S_TRAP && code !== S_HYPERVISOR) return cpu.readSpr(n); // handled by the hardware (e.g. MMUCSR0 reads)
    this.sprExit(n, false, pc);
    if (code === S_HYPERVISOR) this.refuse(cpu);
    try {
      return cpu.readSpr(n);
    } catch (e) {
      throw this.emulationFault(cpu, e);
    }
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
      cpu.writeSpr(n, value);
    } catch (e) {
      throw this.emulationFault(cpu, e);
    }
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

  private canDeliverDirectly(route: Route): boolean {
    if (route.kind === null || !this.strategies.direct[route.kind]) return false;
    if (!this.srrInHardware) return false;
    if (route.needs & NEEDS_ESR && !this.esrInHardware) return false;
    if (route.needs & NEEDS_DEAR && !this.dearInHardware) return false;
    return true;
  }

  interrupt(cpu: Cpu, ivor: number, srr0: number, esr: number, dear: number): number {
    const route = ROUTES[ivor] ?? { kind: null, exit: 'program_exits', reflect: 'reflect_program', needs: 0 };
    const tlbMiss = ivor === IVOR.DTLB || ivor === IVOR.ITLB;
    if (this.canDeliverDirectly(route)) {
      if (tlbMiss) cpu.preloadMasOnMiss(cpu.faultEa, cpu.faultAs, this.gtlb.victim(cpu.faultEa));
      return cpu.deliver(ivor, srr0, esr, dear);
    }
    this.acct.begin();
    const c = this.acct.costs;
    if (tlbMiss) {
      if (this.gtlb.refill(cpu.faultEa, cpu.faultAs)) {
        // A real miss: the guest TLB has it; install the shadow and retry.
        this.acct.exit(ivor === IVOR.DTLB ? 'dtlb_real_miss_exits' : 'itlb_real_miss_exits', c.shadowTlbRefill, srr0);
        return srr0;
      }
      cpu.preloadMasOnMiss(cpu.faultEa, cpu.faultAs, this.gtlb.victim(cpu.faultEa));
    }
    this.acct.exit(route.exit, c.reflectInterrupt, srr0);
    this.acct.bump(route.reflect);
    return cpu.deliver(ivor, srr0, esr, dear);
  }

  // ---- hypervisor-privileged instructions ------------------------------------------

  privileged(cpu: Cpu, id: number, word: number, pc: number): number {
    this.acct.begin();
    const c = this.acct.costs;
    const r = cpu.gpr;
    const ra = (word >>> 16) & 31;
    const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
    const next = (pc + 4) | 0;
    const tlbOp = (kind: CounterId, work: () => void): number => {
      this.acct.exit('emulated_inst_exits', c.emulateTlbOp, pc, -1, word);
      this.acct.bump(kind);
      work();
      return next;
    };
    switch (id) {
      case 156: return tlbOp('emul_tlbwe', () => this.gtlb.write()); // tlbwe
      case 154: return tlbOp('emul_tlbre', () => this.gtlb.read()); // tlbre
      case 151: return tlbOp('emul_tlbsx', () => this.gtlb.search(ea)); // tlbsx
      case 146: return tlbOp('emul_tlbinv', () => this.gtlb.invalidateByEa(ea)); // tlbivax
      case 73: return tlbOp('emul_tlbinv', () => this.gtlb.invalidateLocal((word >>> 21) & 3, ea)); // tlbilx
      case 136: return tlbOp('emul_tlbinv', () => { /* tlbsync: nothing outstanding on one core */ }); // tlbsync
      case 53: // rfi without hardware SRR0/1 copies
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_rfi');
        return cpu.returnFromInterrupt(id, pc);
      case 54: case 51: case 52: // rfci rfmci rfdi
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        return cpu.returnFromInterrupt(id, pc);
      case 83: // wait: the guest idles; the core goes to another guest
        this.acct.exit('halt_exits', c.idleExit, pc, -1, word);
        this.guestSwitch(cpu);
        cpu.waiting = true;
        return next;
      case 102: case 107: // msgsnd msgclr
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        cpu.doorbell(id === 102, r[(word >>> 11) & 31]!);
        return next;
      case 162: case 163: case 164: // cache locking: not supported, as on the bare core
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        cpu.spr[1010] = cpu.spr[1010]! | 0x400;
        return next;
      default: // ehpriv, rfgi and anything else hypervisor-privileged: no debugger here
        this.acct.exit('emulated_inst_exits', c.emulateInstruction, pc, -1, word);
        this.acct.bump('emul_other');
        this.acct.bump('reflect_program');
        return cpu.deliver(IVOR.PROGRAM, pc, ESR.PIL, 0);
    }
  }

  // ---- hypercalls, devices, guest switches -----------------------------------------

  hypercall(cpu: Cpu, pc: number): number {
    this.acct.begin();
    const c = this.acct.costs;
    if (cpu.msr & MSR.PR) {
      // sc 1 from user mode: a privileged-instruction program interrupt (KVM, Topaz).
      this.acct.exit('program_exits', c.reflectInterrupt, pc, -1, 0x44000022);
      this.acct.bump('reflect_program');
      return cpu.deliver(IVOR.PROGRAM, pc, ESR.PPR, 0);
    }
    this.acct.exit('hcall_exits', c.hypercall, pc, -1, 0x44000022);
    const result = hypercall(cpu, this.channels);
    if (result.name !== 'idle' && result.name !== 'unimplemented') this.channelsTouched();
    if (result.idle) {
      this.guestSwitch(cpu);
      cpu.waiting = true;
    }
    return (pc + 4) | 0;
  }

  mmio(cpu: Cpu, _pa: number, _size: number, _write: boolean): void {
    this.acct.begin();
    this.acct.exit('mmio_exits', this.acct.costs.mmioAccess, cpu.curPc);
  }

  /** Shared registers are saved and restored by software when the core switches guests. */
  guestSwitch(cpu: Cpu): void {
    this.lastSwitchTicks = cpu.timers.ticks;
    const n = this.strategies.shared;
    if (n > 0) this.acct.charge('shared_switches', 2 * n * this.acct.costs.perSharedRegister);
  }

  /** Called between slices: a scheduling-quantum switch when the guest ran a whole quantum. */
  tick(cpu: Cpu): void {
    if (cpu.timers.ticks - this.lastSwitchTicks >= QUANTUM_TICKS) this.guestSwitch(cpu);
  }
}
