// What a debugger sees of one vCPU of a guest machine, and what it may do:
// read and write its registers in GDB's 32-bit PowerPC layout, read and
// write memory at guest-virtual addresses (through the vCPU's current
// translation, without raising anything in the guest), and run it one
// instruction at a time or until a breakpoint, an interrupt request or the
// guest's end. Used by the GDB remote stub (guest/gdb-protocol.ts).
//
// Register numbers (GDB's for powerpc:common, also the `g` packet's order):
// r0-r31 = 0-31 (4 bytes), f0-f31 = 32-63 (8 bytes), pc 64, msr 65, cr 66,
// lr 67, ctr 68, xer 69, fpscr 70 (4 bytes each); 412 bytes in all, big-endian.

import type { Cpu } from '../cpu/cpu';
import { MSR } from '../cpu/regs';
import type { GuestHypervisor } from '../hv';
import type { Machine, StopReason } from './machine';

export const REGISTER_COUNT = 71;
export const REGISTERS_BYTES = 32 * 4 + 32 * 8 + 7 * 4;

/** Why a vCPU stopped running for the debugger. */
export type DebugStop =
  | { kind: 'trap' } // a breakpoint or the end of a single step
  | { kind: 'interrupted' } // the debugger asked (Ctrl-C)
  | { kind: 'ended'; reason: StopReason | 'halted'; message?: string };

const SLICE = 200_000;

export class DebugTarget {
  /** Breakpoint addresses (guest-virtual, of this vCPU's instruction fetches). */
  readonly breakpoints = new Set<number>();
  private ended: DebugStop | null = null;

  constructor(readonly machine: Machine, readonly hypervisor: GuestHypervisor, readonly vcpu = 0) {}

  private get cpu(): Cpu {
    return this.machine.cpu;
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
        case 65: cpu.setMsr(v); cpu.flushSoftTlb(); break;
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
      case 65: return cpu.msr;
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
      const g = guest.tlb.lookup(ea | 0, as, cpu.pid, 0, 0);
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

  /** Runs one instruction (after taking any interrupt due at the boundary, whose handler it then starts). */
  step(): DebugStop {
    return this.advance(1) ?? { kind: 'trap' };
  }

  /**
   * Runs up to `budget` instructions, stopping in front of an instruction at
   * a breakpoint (except the one it resumes from, which it steps over first,
   * as GDB expects). Returns why it stopped, or null when the budget ran out.
   * Breakpoints the vCPU's current translation maps to RAM are armed in the
   * core, which then runs at full speed; if one is not mapped yet the vCPU
   * goes an instruction at a time, checking the PC.
   */
  resume(budget: number): DebugStop | null {
    if (this.breakpoints.size === 0) return this.advance(budget);
    const before = this.cpu.insns;
    const stop = this.stepOverBreakpointHere();
    if (stop) return stop;
    const left = budget - (this.cpu.insns - before);
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

  /** At a breakpoint's address: runs that one instruction (the way out of it). Returns a stop only if the guest ended. */
  stepOverBreakpointHere(): DebugStop | null {
    if (!this.breakpoints.has(this.cpu.pc >>> 0)) return null;
    const stop = this.advance(1);
    return stop?.kind === 'ended' ? stop : null;
  }

  /**
   * Arms in the core the breakpoints the vCPU's translation maps to RAM now;
   * false when some are not mapped (they would be missed at full speed).
   */
  arm(): boolean {
    const ram = this.machine.bus.ramSize;
    const pas = [...this.breakpoints].map((ea) => this.physical(ea, true));
    const mapped = pas.filter((pa) => pa >= 0 && pa < ram);
    this.cpu.setCodeBreakpoints(mapped);
    return mapped.length === pas.length;
  }

  disarm(): void {
    this.cpu.setCodeBreakpoints([]);
    this.cpu.breakHit = false;
  }

  /**
   * After the core stopped at an armed breakpoint (RunOutcome 'breakpoint'):
   * a trap when it is one of ours at this address; otherwise (the same
   * physical word reached through another virtual address) it steps over the
   * instruction, breakpoints still armed, and returns null.
   */
  atBreakpoint(): DebugStop | null {
    const cpu = this.cpu;
    cpu.breakHit = false;
    if (this.breakpoints.has(cpu.pc >>> 0)) return { kind: 'trap' };
    const armed = [...(cpu.codeBreaks ?? [])];
    cpu.setCodeBreakpoints([]);
    this.machine.run(1, 1);
    this.hypervisor.sync();
    cpu.setCodeBreakpoints(armed);
    return null;
  }

  private resumeByStepping(budget: number): DebugStop | null {
    for (let k = 0; k < budget; k++) {
      if (k > 0 && this.breakpoints.has(this.cpu.pc >>> 0)) return { kind: 'trap' };
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
      const before = machine.cpu.insns;
      const out = machine.run(Math.min(left, SLICE), SLICE);
      this.hypervisor.sync();
      left -= machine.cpu.insns - before;
      if (out.kind === 'breakpoint') {
        const at = machine.cpu.insns;
        const stop = this.atBreakpoint();
        if (stop) return stop;
        left -= machine.cpu.insns - at;
        continue;
      }
      if (out.kind === 'stopped') {
        this.ended = { kind: 'ended', reason: out.reason, ...(out.message !== undefined ? { message: out.message } : {}) };
        return this.ended;
      }
      if (out.kind === 'waiting') {
        if (!Number.isFinite(out.nextEvent)) {
          this.ended = { kind: 'ended', reason: 'halted', message: 'the guest is waiting for an interrupt that nothing will raise' };
          return this.ended;
        }
        machine.idleUntil(out.nextEvent);
        if (machine.cpu.insns === before) continue;
      }
    }
    return null;
  }
}
