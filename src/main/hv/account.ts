// Accounting of hypervisor work for one guest: every exit is counted once,
// charged its modeled cycles (which advance the guest's own clock, so the
// guest's benchmarks see the overhead) and timed in host nanoseconds, and
// recorded in a small ring of recent exits for the trace view.

import type { CostModel } from '../../shared/cost';
import type { CounterId } from '../../shared/stats';
import type { Cpu } from '../cpu/cpu';
import { counterSlot, H, sprSlot } from '../lab/stats';

export interface TraceEntry {
  /** Guest instructions retired when the exit happened. */
  insns: number;
  pc: number;
  reason: CounterId;
  /** SPR number for SPR traps, else -1. */
  spr: number;
  /** The instruction word at pc (0 when not an instruction exit). */
  word: number;
  cycles: number;
}

export const TRACE_SIZE = 64;

export class Accountant {
  /** Cycles of state transfer every exit pays (entry and exit). */
  private transferCycles = 0;
  private transferRegs = 0;
  private readonly trace: TraceEntry[] = [];
  private traceNext = 0;

  constructor(private readonly cpu: Cpu, private readonly stats: Float64Array, private cost: CostModel) {}

  configure(cost: CostModel, transferredRegisters: number): void {
    this.cost = cost;
    this.transferRegs = transferredRegisters;
    this.transferCycles = 2 * transferredRegisters * cost.perTransferredRegister;
  }

  get costs(): CostModel {
    return this.cost;
  }

  /**
   * One exit to the hypervisor and back: the world switch, the handler's
   * modeled cycles, the state transfer. `extra` counters (emulation kind,
   * reflection) are bumped without counting another exit.
   */
  exit(reason: CounterId, handlerCycles: number, pc: number, spr = -1, word = 0, startNs = 0): number {
    const c = this.cost;
    const cycles = c.exitEntry + handlerCycles + c.exitReturn + this.transferCycles;
    const s = this.stats;
    const slot = counterSlot(reason);
    s[slot] = s[slot]! + 1;
    s[slot + 1] = s[slot + 1]! + cycles;
    if (startNs) s[slot + 2] = s[slot + 2]! + (performance.now() * 1e6 - startNs);
    s[H.exits] = s[H.exits]! + 1;
    s[H.hvCycles] = s[H.hvCycles]! + cycles;
    if (this.transferRegs > 0) this.bump('transfer_switches', 2);
    this.cpu.timers.addCycles(cycles);
    this.record(reason, pc, spr, word, cycles);
    return cycles;
  }

  /** A counter that is not an exit of its own (the kind of an emulated instruction, a reflection). */
  bump(id: CounterId, n = 1, cycles = 0): void {
    const s = this.stats;
    const slot = counterSlot(id);
    s[slot] = s[slot]! + n;
    if (cycles) s[slot + 1] = s[slot + 1]! + cycles;
  }

  /** Work that costs guest time without an exit (shared-register switching on a guest switch). */
  charge(id: CounterId, cycles: number): void {
    this.bump(id, 1, cycles);
    const s = this.stats;
    s[H.hvCycles] = s[H.hvCycles]! + cycles;
    this.cpu.timers.addCycles(cycles);
  }

  sprTrap(name: string, write: boolean, cycles: number): void {
    const slot = sprSlot(name);
    if (slot < 0) return;
    const s = this.stats;
    s[slot + (write ? 1 : 0)] = s[slot + (write ? 1 : 0)]! + 1;
    s[slot + 2] = s[slot + 2]! + cycles;
  }

  private record(reason: CounterId, pc: number, spr: number, word: number, cycles: number): void {
    const e: TraceEntry = { insns: this.cpu.insns + (this.cpu.sliceStart - this.cpu.sliceLeft), pc: pc >>> 0, reason, spr, word, cycles };
    if (this.trace.length < TRACE_SIZE) this.trace.push(e);
    else this.trace[this.traceNext] = e;
    this.traceNext = (this.traceNext + 1) % TRACE_SIZE;
  }

  /** The recent exits, oldest first. */
  recent(): TraceEntry[] {
    if (this.trace.length < TRACE_SIZE) return this.trace.slice();
    return [...this.trace.slice(this.traceNext), ...this.trace.slice(0, this.traceNext)];
  }
}
