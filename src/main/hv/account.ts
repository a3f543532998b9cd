// Accounting of hypervisor work for one guest: every exit is counted once,
// charged its modeled cycles (which advance the guest's own clock, so the
// guest's benchmarks see the overhead) and timed in host nanoseconds, and
// recorded in a small ring of recent exits for the trace view. This is on the
// path of every exit, so it allocates nothing and looks nothing up by name.
//
// Host time is sampled: one exit in HOST_SAMPLE is timed with the host clock
// and stands for the others of its kind (reading the clock costs about as
// much as a light exit itself); the totals are estimates, the counts exact.

import type { ExitTraceEntry } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import { COUNTER_INDEX, COUNTERS, type CounterId } from '../../shared/stats';
import { holdAsDoubles } from '../cpu/bits';
import type { Cpu } from '../cpu/cpu';
import { COUNTER_BASE, counterSlot, H, RUNTIME_BASE, sprSlot } from '../link/stats';

/** One exit as the ring keeps it: the LabApi's trace entry before disassembly. */
export type TraceEntry = Omit<ExitTraceEntry, 'disassembly'>;

export const TRACE_SIZE = 64;
export const HOST_SAMPLE = 16;

/** Statistics-block slots of the two switch counters an exit may add to (any counter's: COUNTER_BASE + 3 × its index, as counterSlot). */
const TRANSFER_SLOT = counterSlot('transfer_switches');
const SHARED_SLOT = counterSlot('shared_switches');
/** Per vCPU: a count for every counter (by COUNTER_INDEX), then its exits. */
const PER_VCPU = COUNTERS.length + 1;
const TRANSFER_INDEX = COUNTER_INDEX.transfer_switches;
const SHARED_INDEX = COUNTER_INDEX.shared_switches;

const ACCOUNTANT_SNAPSHOT_SKIP: ReadonlySet<string> = new Set([
  'cost', 'transferCycles', 'transferRegs', 'sharedCycles', 'sprSlots', 'watch', 'watchedEvent', 'sampleStart', 'stats', 'cpu',
]);

export class Accountant {
  /** Cycles of state transfer every exit pays (entry and exit). */
  private transferCycles = 0;
  private transferRegs = 0;
  /** Cycles of shared-register save and restore every exit pays (KVM's policy; 0 under the lazy one). */
  private sharedCycles = 0;
  // The trace ring, as parallel arrays.
  private readonly tInsns = new Float64Array(TRACE_SIZE);
  private readonly tPc = new Uint32Array(TRACE_SIZE);
  private readonly tReason = new Uint8Array(TRACE_SIZE);
  private readonly tSpr = new Int16Array(TRACE_SIZE);
  private readonly tWord = new Int32Array(TRACE_SIZE);
  private readonly tCycles = new Float64Array(TRACE_SIZE);
  private readonly tVcpu = new Uint8Array(TRACE_SIZE);
  private traceCount = 0;
  /** Each vCPU's counts (PER_VCPU numbers each); the statistics block holds the guest's totals. */
  private readonly vcpuCounts: Float64Array;
  private sample = 0;
  private sampleStart = 0;
  /** Statistics-block slot of each SPR number's trap counters (-1: not counted). */
  private readonly sprSlots = new Int32Array(1024).fill(-1);

  /** Per counter index: a debugger stops the guest after an event of this kind (null: none watched). */
  private watch: Uint8Array | null = null;
  /** The watched event that asked the core to stop, until the debugger takes it. */
  watchedEvent: { reason: CounterId; pc: number } | null = null;

  /**
   * `cpu` is the vCPU running now: the one exits are charged to (its clock
   * advances by their cycles). A guest with several vCPUs switches it as the
   * board hands the core from one vCPU to the next.
   */
  constructor(public cpu: Cpu, private readonly stats: Float64Array, private cost: CostModel, vcpus = 1) {
    this.vcpuCounts = new Float64Array(vcpus * PER_VCPU);
    holdAsDoubles(this, ['sampleStart']);
  }

  /** Exits taken by each vCPU. */
  get vcpuExits(): number[] {
    const n = this.vcpuCounts.length / PER_VCPU;
    return Array.from({ length: n }, (_, k) => this.vcpuCounts[k * PER_VCPU + COUNTERS.length]!);
  }

  /** vCPU k's count of every counter (the events it took; the guest's totals are the sum over its vCPUs). */
  vcpuCounters(k: number): Record<CounterId, number> {
    const base = k * PER_VCPU;
    return Object.fromEntries(COUNTERS.map((c, i) => [c.id, this.vcpuCounts[base + i] ?? 0])) as Record<CounterId, number>;
  }

  /** A snapshot keeps the trace (and, through countersPart, the counters); the rest follows the configuration (or is a debugger's, or host time). */
  get snapshotSkip(): ReadonlySet<string> {
    return ACCOUNTANT_SNAPSHOT_SKIP;
  }

  /**
   * The deterministic part of the statistics block, as views into it: the
   * hypervisor's cycles, the exit total and every counter (with the SPR
   * traps). Host-time figures and the runtime's bookkeeping stay the new
   * block's own (instructions and cycles follow the restored core).
   */
  countersPart(): object {
    const s = this.stats;
    return { hvCycles: s.subarray(H.hvCycles, H.hvCycles + 1), exits: s.subarray(H.exits, H.exits + 1), counters: s.subarray(COUNTER_BASE, RUNTIME_BASE) };
  }

  /** The counters a debugger stops after (exits, emulations, reflections); empty: none. */
  watchCounters(ids: Iterable<CounterId>): void {
    const w = new Uint8Array(COUNTERS.length);
    let any = false;
    for (const id of ids) {
      w[COUNTER_INDEX[id]] = 1;
      any = true;
    }
    this.watch = any ? w : null;
    this.watchedEvent = null;
  }

  private watched(id: CounterId, pc: number): void {
    if (this.watchedEvent === null) this.watchedEvent = { reason: id, pc };
    this.cpu.requestStop();
  }

  /**
   * transferredRegisters move through memory on every exit and entry;
   * sharedPerExit shared registers are saved and restored in software on
   * every exit and entry (0 when the hypervisor does it only on a vCPU switch).
   */
  configure(cost: CostModel, transferredRegisters: number, sharedPerExit: number, nameBySpr: readonly (string | undefined)[] = []): void {
    this.cost = cost;
    this.transferRegs = transferredRegisters;
    this.transferCycles = 2 * transferredRegisters * cost.perTransferredRegister;
    this.sharedCycles = 2 * sharedPerExit * cost.perSharedRegister;
    for (let n = 0; n < 1024; n++) this.sprSlots[n] = nameBySpr[n] ? sprSlot(nameBySpr[n]!) : -1;
  }

  get costs(): CostModel {
    return this.cost;
  }

  /** Call on entry to an exit handler: starts a host-time sample for one exit in HOST_SAMPLE. */
  begin(): void {
    if (++this.sample >= HOST_SAMPLE) {
      this.sample = 0;
      this.sampleStart = performance.now();
    }
  }

  /**
   * One exit to the hypervisor and back: the world switch, the handler's
   * modeled cycles, the state transfer and the shared registers' save and
   * restore. `extra` counters (emulation kind, reflection) are bumped
   * without counting another exit.
   */
  exit(reason: CounterId, handlerCycles: number, pc: number, spr = -1, word = 0): number {
    const c = this.cost;
    const cycles = c.exitEntry + handlerCycles + c.exitReturn + this.transferCycles + this.sharedCycles;
    const s = this.stats;
    // One keyed lookup of the reason (the counters are found from its index): an exit is taken for many reasons, and
    // each lookup by a varying name is a megamorphic one; three of them cost a trapped SPR a quarter of its time.
    const k = COUNTER_INDEX[reason];
    const slot = COUNTER_BASE + k * 3;
    s[slot] = s[slot]! + 1;
    s[slot + 1] = s[slot + 1]! + cycles;
    if (this.sampleStart !== 0) {
      s[slot + 2] = s[slot + 2]! + (performance.now() - this.sampleStart) * 1e6 * HOST_SAMPLE;
      this.sampleStart = 0;
    }
    s[H.exits] = s[H.exits]! + 1;
    s[H.hvCycles] = s[H.hvCycles]! + cycles;
    const vc = this.vcpuCounts;
    const base = this.cpu.index * PER_VCPU;
    vc[base + k] += 1;
    vc[base + COUNTERS.length] += 1;
    if (this.transferRegs > 0) {
      const t = TRANSFER_SLOT;
      s[t] = s[t]! + 2;
      s[t + 1] = s[t + 1]! + this.transferCycles;
      vc[base + TRANSFER_INDEX] += 2;
    }
    if (this.sharedCycles > 0) {
      const t = SHARED_SLOT;
      s[t] = s[t]! + 2;
      s[t + 1] = s[t + 1]! + this.sharedCycles;
      vc[base + SHARED_INDEX] += 2;
    }
    this.cpu.timers.addCycles(cycles);
    const i = this.traceCount++ % TRACE_SIZE;
    this.tInsns[i] = this.cpu.insns + (this.cpu.sliceStart - this.cpu.sliceLeft);
    this.tVcpu[i] = this.cpu.index;
    this.tPc[i] = pc;
    this.tReason[i] = k;
    this.tSpr[i] = spr;
    this.tWord[i] = word;
    this.tCycles[i] = cycles;
    if (this.watch !== null && this.watch[k] !== 0) this.watched(reason, pc);
    return cycles;
  }

  /** A counter that is not an exit of its own (the kind of an emulated instruction, a reflection). */
  bump(id: CounterId, n = 1, cycles = 0): void {
    const s = this.stats;
    const k = COUNTER_INDEX[id];
    const slot = COUNTER_BASE + k * 3;
    s[slot] = s[slot]! + n;
    if (cycles) s[slot + 1] = s[slot + 1]! + cycles;
    this.vcpuCounts[this.cpu.index * PER_VCPU + k] += n;
    if (this.watch !== null && this.watch[k] !== 0) this.watched(id, this.cpu.curPc);
  }

  /** Work that costs guest time without an exit (shared-register switching on a guest switch). */
  charge(id: CounterId, cycles: number, n = 1): void {
    this.bump(id, n, cycles);
    const s = this.stats;
    s[H.hvCycles] = s[H.hvCycles]! + cycles;
    this.cpu.timers.addCycles(cycles);
  }

  sprTrap(spr: number, write: boolean, cycles: number): void {
    const slot = this.sprSlots[spr]!;
    if (slot < 0) return;
    const s = this.stats;
    s[slot + (write ? 1 : 0)] = s[slot + (write ? 1 : 0)]! + 1;
    s[slot + 2] = s[slot + 2]! + cycles;
  }

  /** The recent exits, oldest first. */
  recent(): TraceEntry[] {
    const n = Math.min(this.traceCount, TRACE_SIZE);
    const out: TraceEntry[] = [];
    for (let k = 0; k < n; k++) {
      const i = (this.traceCount - n + k) % TRACE_SIZE;
      out.push({
        insns: this.tInsns[i]!,
        pc: this.tPc[i]!,
        reason: COUNTERS[this.tReason[i]!]!.id,
        spr: this.tSpr[i]!,
        word: this.tWord[i]!,
        cycles: this.tCycles[i]!,
        vcpu: this.tVcpu[i]!,
      });
    }
    return out;
  }
}
