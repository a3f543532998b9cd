// What a debugger sees of one vCPU of a guest machine, and what it may do:
// read and write its registers in GDB's 32-bit PowerPC layout, read and
// write memory at guest-virtual addresses (through the vCPU's current
// translation, without raising anything in the guest), and run it one
// instruction at a time or until a breakpoint, an interrupt request or the
// guest's end. Used by the GDB remote stub (guest/gdb-protocol.ts).
//
// A guest with several vCPUs stops as a whole ("all-stop", as GDB sees
// threads): breakpoints and watches are armed on every vCPU, the vCPU that
// reaches one becomes the selected one, and a step runs until the selected
// vCPU has retired one instruction (the others run their turns meanwhile).
//
// Register numbers (GDB's for powerpc:common, also the `g` packet's order):
// r0-r31 = 0-31 (4 bytes), f0-f31 = 32-63 (8 bytes), pc 64, msr 65, cr 66,
// lr 67, ctr 68, xer 69, fpscr 70 (4 bytes each); 412 bytes in all, big-endian.

import type { Cpu, SprWatchHit } from '../cpu/cpu';
import { WATCH } from '../cpu/cpu';
import { MSR } from '../cpu/regs';
import type { GuestHypervisor } from '../hv';
import { SPR_CATALOG, sprByName } from '../../shared/spr';
import { COUNTERS, type CounterId } from '../../shared/stats';
import type { SprWatchAccess } from '../../shared/debug';
import { MAX_CORES } from '../cpu/memory';
import { type Machine, SMP_QUANTUM, type StopReason } from './machine';

export const REGISTER_COUNT = 71;
export const REGISTERS_BYTES = 32 * 4 + 32 * 8 + 7 * 4;

/** Why a vCPU stopped running for the debugger. */
export type DebugStop =
  | { kind: 'trap' } // a breakpoint or the end of a single step
  | { kind: 'interrupted' } // the debugger asked (Ctrl-C)
  | { kind: 'watch'; hit: SprWatchHit } // in front of a watched SPR access
  | { kind: 'exit'; reason: CounterId; pc: number } // after a watched exit (or emulation, or reflection)
  | { kind: 'waiting' } // waiting for an interrupt with nothing due (input may still come: interactive targets only)
  | { kind: 'ended'; reason: StopReason | 'halted'; message?: string };

/** The counters that are exits (what "step to the next exit" stops after). */
const EXIT_COUNTERS: readonly CounterId[] = COUNTERS.filter((c) => c.exit).map((c) => c.id);

const SLICE = 200_000;
/** Guest instructions a step may run, on all vCPUs, waiting for the selected one to retire its instruction: two full rounds of the most vCPUs a guest has. */
const STEP_GUARD = 2 * MAX_CORES * SMP_QUANTUM;

export class DebugTarget {
  /** GDB's breakpoint addresses (guest-virtual, of this vCPU's instruction fetches). */
  readonly breakpoints = new Set<number>();
  /** The inspector's breakpoint addresses (kept apart from GDB's: each client owns its own). */
  readonly userBreakpoints = new Set<number>();
  /** A one-off breakpoint (a step to an address). */
  tempBreakpoint: number | null = null;
  private ended: DebugStop | null = null;
  /** Watched SPR accesses (by number, aliases included) and watched counters. */
  private sprWatches = new Map<number, number>();
  private exitWatches: CounterId[] = [];
  /** Stepping to the next exit: every exit counter is watched meanwhile. */
  private toNextExit = false;
  /** The PC of the last watch stop (the access there passes once when the vCPU resumes). */
  private watchStopPc = -1;
  /** Whether translation was on before exit watches turned it off (they need the interpreter's exact stops). */
  private readonly jitWanted: boolean;

  /**
   * interactive: a session's guest, whose console input or peers may still
   * wake a vCPU waiting with nothing due (it stops as 'waiting'); otherwise
   * (a run of one guest) such a wait is the end.
   */
  /** `vcpu`: the vCPU selected (registers, steps, translations); a stop at a breakpoint selects the vCPU that reached it. */
  constructor(readonly machine: Machine, readonly hypervisor: GuestHypervisor, public vcpu = 0, readonly interactive = false) {
    this.jitWanted = machine.cpu.jitEnabled;
  }

  /** Every armed PC breakpoint: GDB's, the inspector's and a step's. */
  armedPcs(): Set<number> {
    const all = new Set<number>([...this.breakpoints, ...this.userBreakpoints]);
    if (this.tempBreakpoint !== null) all.add(this.tempBreakpoint >>> 0);
    return all;
  }

  /** Watches SPR accesses (catalog names; an alias's number is watched with its register's) and counters. */
  setWatches(sprs: readonly { name: string; access: SprWatchAccess }[], exits: readonly CounterId[]): void {
    this.sprWatches = new Map();
    for (const w of sprs) {
      const base = sprByName(w.name);
      if (!base) continue;
      const bits = w.access === 'read' ? WATCH.READ : w.access === 'write' ? WATCH.WRITE : WATCH.READ | WATCH.WRITE;
      for (const s of SPR_CATALOG) {
        if (s.num === base.num || s.aliasOf === base.name) this.sprWatches.set(s.num, (this.sprWatches.get(s.num) ?? 0) | bits);
      }
    }
    this.exitWatches = [...exits];
    this.applyWatches();
  }

  /** While set, the vCPU stops after the next exit of any kind. */
  setStepToExit(on: boolean): void {
    this.toNextExit = on;
    this.applyWatches();
  }

  private applyWatches(): void {
    let w: Uint8Array | null = null;
    if (this.sprWatches.size > 0) {
      w = new Uint8Array(1024);
      for (const [n, bits] of this.sprWatches) w[n] = bits;
    }
    const counters = this.toNextExit ? [...new Set([...this.exitWatches, ...EXIT_COUNTERS])] : this.exitWatches;
    this.hypervisor.accountant.watchCounters(counters);
    for (const cpu of this.machine.cpus) {
      cpu.sprWatch = w;
      // An exit stops the vCPU at the next instruction boundary only in the interpreter (a translated block runs to its end).
      cpu.jitEnabled = this.jitWanted && counters.length === 0;
    }
  }

  /** After a reset in place: the guest runs again (an end seen before no longer holds). */
  revive(): void {
    this.ended = null;
    this.watchStopPc = -1;
    for (const cpu of this.machine.cpus) {
      cpu.watchHit = null;
      cpu.stopRequested = false;
      cpu.breakHit = false;
    }
  }

  /** The vCPU this target acts on. */
  get core(): Cpu {
    return this.machine.cpus[this.vcpu]!;
  }

  private get cpu(): Cpu {
    return this.core;
  }

  /** Size in bytes of register n, or 0 when there is no such register. */
  static registerSize(n: number): number {
    if (n < 0 || n >= REGISTER_COUNT) return 0;
    return n >= 32 && n < 64 ? 8 : 4;
  }

  readRegister(n: number): Uint8Array {
    const cpu = this.cpu;
    const out = new Uint8Array(DebugTarget.registerSize(n));
    const view = new DataView(out.buffer);
    if (n < 32) view.setUint32(0, cpu.gpr[n]! >>> 0);
    else if (n < 64) view.setFloat64(0, cpu.fpu.f[n - 32]!);
    else view.setUint32(0, this.special(n) >>> 0);
    return out;
  }

  writeRegister(n: number, bytes: Uint8Array): boolean {
    if (bytes.length !== DebugTarget.registerSize(n)) return false;
    const cpu = this.cpu;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (n < 32) cpu.gpr[n] = view.getUint32(0) | 0;
    else if (n < 64) cpu.fpu.f[n - 32] = view.getFloat64(0);
    else {
      const v = view.getUint32(0);
      switch (n) {
        case 64: cpu.pc = v & ~3; break;
        case 65:
          // Under trap-and-emulate the guest's own MSR (the core's stays in user mode).
          if (cpu.deprivileged) cpu.setGuestMsr(v);
          else cpu.setMsr(v);
          cpu.flushSoftTlb();
          break;
        case 66: cpu.cr = v | 0; break;
        case 67: cpu.lr = v | 0; break;
        case 68: cpu.ctr = v | 0; break;
        case 69: cpu.xer = v; break;
        case 70: cpu.fpu.fpscr = v >>> 0; break;
      }
    }
    return true;
  }

  private special(n: number): number {
    const cpu = this.cpu;
    switch (n) {
      case 64: return cpu.pc;
      case 65: return cpu.guestMsr();
      case 66: return cpu.cr;
      case 67: return cpu.lr;
      case 68: return cpu.ctr;
      case 69: return cpu.xer;
      default: return cpu.fpu.fpscr;
    }
  }

  readAllRegisters(): Uint8Array {
    const out = new Uint8Array(REGISTERS_BYTES);
    let at = 0;
    for (let n = 0; n < REGISTER_COUNT; n++) {
      const r = this.readRegister(n);
      out.set(r, at);
      at += r.length;
    }
    return out;
  }

  writeAllRegisters(bytes: Uint8Array): boolean {
    if (bytes.length !== REGISTERS_BYTES) return false;
    let at = 0;
    for (let n = 0; n < REGISTER_COUNT; n++) {
      const size = DebugTarget.registerSize(n);
      this.writeRegister(n, bytes.subarray(at, at + size));
      at += size;
    }
    return true;
  }

  /**
   * The guest-physical address of an access at `ea` as the vCPU would make it
   * now (a data access, or an instruction fetch), or -1 when nothing maps it.
   * Under a hypervisor that is the guest's own TLB (the core's holds only the
   * shadows of recent pages).
   */
  physical(ea: number, fetch = false): number {
    const cpu = this.cpu;
    const as = (cpu.msr & (fetch ? MSR.IS : MSR.DS)) !== 0 ? 1 : 0;
    const guest = this.hypervisor.guestTlb;
    if (guest !== null) {
      const g = guest.tlb.lookup(ea | 0, as, guest.currentPid(), 0, 0);
      return g < 0 ? -1 : guest.tlb.physical(g, ea | 0);
    }
    const i = cpu.tlb.lookup(ea | 0, as, cpu.pid, 0, 0);
    return i < 0 ? -1 : cpu.tlb.physical(i, ea | 0);
  }

  /** Guest memory at a virtual address, or null when any byte of it is unmapped or not RAM. */
  readMemory(ea: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    const bus = this.machine.bus;
    for (let k = 0; k < length; k++) {
      const pa = this.physical((ea + k) | 0);
      if (pa < 0 || pa >= bus.ramSize) return null;
      out[k] = bus.readRam(pa, 1);
    }
    return out;
  }

  /** Writes guest memory at a virtual address (all or nothing); translated code over it is dropped. */
  writeMemory(ea: number, bytes: Uint8Array): boolean {
    const pas: number[] = [];
    for (let k = 0; k < bytes.length; k++) {
      const pa = this.physical((ea + k) | 0);
      if (pa < 0 || pa >= this.machine.bus.ramSize) return false;
      pas.push(pa);
    }
    pas.forEach((pa, k) => this.cpu.writePhysical(pa, bytes[k]!));
    return true;
  }

  /** Whether the guest has ended (powered off, reset, crashed or waiting forever). */
  get stopped(): DebugStop | null {
    return this.ended;
  }

  /** Runs one instruction of the selected vCPU (after taking any interrupt due at the boundary, whose handler it then starts). */
  step(): DebugStop {
    const over = this.passWatchHere();
    try {
      return this.advanceSelected() ?? { kind: 'trap' };
    } finally {
      if (over) this.cpu.watchPass = false;
    }
  }

  /**
   * Runs until the selected vCPU has retired one instruction. With one vCPU
   * that is one instruction; with several the others may run theirs first
   * (their turns), and a stop of theirs (a breakpoint) ends the step there.
   */
  private advanceSelected(): DebugStop | null {
    const cpu = this.cpu;
    const before = cpu.insns;
    for (let k = 0; k < STEP_GUARD; k++) {
      const stop = this.advance(1);
      if (stop || cpu.insns !== before) return stop;
    }
    return { kind: 'waiting' };
  }

  /**
   * Runs until control leaves straight-line code (the PC is not the next
   * word: a taken branch, an interrupt, an exit that redirects), at most
   * `limit` instructions, stopping early at a breakpoint or a watch.
   */
  stepBlock(limit = 1_000_000): DebugStop {
    const pcs = this.armedPcs();
    for (let k = 0; k < limit; k++) {
      if (k > 0 && pcs.has(this.cpu.pc >>> 0)) return { kind: 'trap' };
      const from = this.cpu.pc;
      const stop = this.step();
      if (stop.kind !== 'trap') return stop;
      if (this.cpu.pc !== ((from + 4) | 0)) break;
    }
    return { kind: 'trap' };
  }

  /**
   * Runs up to `budget` instructions, stopping in front of an instruction at
   * a breakpoint (except the one it resumes from, which it steps over first,
   * as GDB expects), in front of a watched SPR access, or after a watched
   * exit. Returns why it stopped, or null when the budget ran out.
   * Breakpoints the vCPU's current translation maps to RAM are armed in the
   * core, which then runs at full speed; if one is not mapped yet the vCPU
   * goes an instruction at a time, checking the PC.
   */
  resume(budget: number): DebugStop | null {
    const before = this.machine.insns;
    const stop = this.stepOverBreakpointHere();
    if (stop) return stop;
    const left = budget - (this.machine.insns - before);
    if (this.armedPcs().size === 0) return this.advance(left);
    if (!this.arm()) {
      this.disarm();
      return this.resumeByStepping(left);
    }
    try {
      return this.advance(left);
    } finally {
      this.disarm();
    }
  }

  /**
   * At a breakpoint's address, or in front of the access a watch stopped at:
   * runs that one instruction (the way out of it). Returns a stop only if the
   * guest ended or a watched exit happened on the way.
   */
  stepOverBreakpointHere(): DebugStop | null {
    const pc = this.cpu.pc >>> 0;
    const atWatch = this.watchStopPc === pc;
    if (!this.armedPcs().has(pc) && !atWatch) return null;
    const armed = this.cpu.codeBreaks;
    if (armed !== null) this.armEvery([]);
    const cpu = this.cpu;
    cpu.watchPass = atWatch;
    this.watchStopPc = -1;
    try {
      const stop = this.advanceSelected();
      return stop?.kind === 'ended' || stop?.kind === 'exit' ? stop : null;
    } finally {
      cpu.watchPass = false;
      if (armed !== null) this.armEvery([...armed]);
    }
  }

  /** Sets the code breakpoints (physical addresses) of every vCPU: they share the decoded code, each has its own translations. */
  private armEvery(pas: readonly number[]): void {
    for (const cpu of this.machine.cpus) {
      const now = cpu.codeBreaks;
      const same = now !== null ? pas.length === now.size && pas.every((pa) => now.has(pa)) : pas.length === 0;
      if (!same) cpu.setCodeBreakpoints(pas);
    }
  }

  /** In front of the access a watch stopped at: let it through once. Returns whether it did. */
  private passWatchHere(): boolean {
    if (this.watchStopPc !== (this.cpu.pc >>> 0)) return false;
    this.watchStopPc = -1;
    this.cpu.watchPass = true;
    return true;
  }

  /**
   * Arms in the core the breakpoints the vCPU's translation maps to RAM now;
   * false when some are not mapped (they would be missed at full speed).
   * Arming the same physical set again changes nothing (translated code stays).
   */
  arm(): boolean {
    const ram = this.machine.bus.ramSize;
    const pas = [...this.armedPcs()].map((ea) => this.physical(ea, true));
    const mapped = pas.filter((pa) => pa >= 0 && pa < ram);
    this.armEvery(mapped);
    return mapped.length === pas.length;
  }

  disarm(): void {
    this.armEvery([]);
    for (const cpu of this.machine.cpus) cpu.breakHit = false;
  }

  /**
   * After the core stopped for a debugger (RunOutcome 'breakpoint'): a watch
   * or exit stop, or a trap when it is one of our PC breakpoints at this
   * address; otherwise (the same physical word reached through another
   * virtual address) it steps over the instruction, breakpoints still armed,
   * and returns null.
   */
  atBreakpoint(): DebugStop | null {
    // The vCPU that stopped becomes the selected one.
    const hit = this.machine.cpus.find((c) => c.breakHit || c.watchHit !== null || c.stopRequested);
    if (hit !== undefined) this.vcpu = hit.index;
    const cpu = this.cpu;
    cpu.breakHit = false;
    if (cpu.watchHit !== null) {
      const hit = cpu.watchHit;
      cpu.watchHit = null;
      this.watchStopPc = cpu.pc >>> 0;
      return { kind: 'watch', hit };
    }
    if (cpu.stopRequested) {
      cpu.stopRequested = false;
      const acct = this.hypervisor.accountant;
      const event = acct.watchedEvent;
      acct.watchedEvent = null;
      if (event !== null) return { kind: 'exit', reason: event.reason, pc: event.pc };
      return null;
    }
    if (this.armedPcs().has(cpu.pc >>> 0)) return { kind: 'trap' };
    // (The board resumes the turn of the vCPU that stopped: this one instruction is its.)
    const armed = [...(cpu.codeBreaks ?? [])];
    this.armEvery([]);
    this.machine.run(1, 1);
    this.hypervisor.sync();
    this.armEvery(armed);
    return null;
  }

  private resumeByStepping(budget: number): DebugStop | null {
    for (let k = 0; k < budget; k++) {
      if (k > 0 && this.armedPcs().has(this.cpu.pc >>> 0)) return { kind: 'trap' };
      const stop = this.advance(1);
      if (stop) return stop;
    }
    return null;
  }

  private advance(budget: number): DebugStop | null {
    if (this.ended) return this.ended;
    const machine = this.machine;
    let left = budget;
    while (left > 0) {
      const before = machine.insns;
      const out = machine.run(Math.min(left, SLICE), SLICE);
      this.hypervisor.sync();
      left -= machine.insns - before;
      if (out.kind === 'breakpoint') {
        const at = machine.insns;
        const stop = this.atBreakpoint();
        if (stop) return stop;
        left -= machine.insns - at;
        continue;
      }
      if (out.kind === 'stopped') {
        this.ended = { kind: 'ended', reason: out.reason, ...(out.message !== undefined ? { message: out.message } : {}) };
        return this.ended;
      }
      if (out.kind === 'waiting') {
        if (!Number.isFinite(out.nextEvent)) {
          if (this.interactive) return { kind: 'waiting' };
          this.ended = { kind: 'ended', reason: 'halted', message: 'the guest is waiting for an interrupt that nothing will raise' };
          return this.ended;
        }
        machine.idleUntil(out.nextEvent);
        if (machine.insns === before) continue;
      }
    }
    return null;
  }
}
