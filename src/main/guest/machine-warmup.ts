// The second warm-up of a session's spare guest thread, which has no guest
// yet and nothing else to do: a real guest, labOS, booted on a whole machine
// and run into its benchmark script for a few million instructions, natively
// and under the Book E hypervisor. warmup.ts's programs warm the interpreter
// and the translator on a bare core; a kernel's first boot then still
// reached the machine's other paths cold (the UART and the MPIC behind
// MMIO, the timers, interrupt delivery, TLB refills, the exit and emulation
// paths of the hypervisor), each run by V8's baseline code until it was
// optimised, deoptimised on its first unseen case and optimised again: a
// session's first Linux boot took 0.55-0.60 s where its next took 0.25-0.30 s
// (docs/performance.md). labOS exercises those paths the way a kernel does.
//
// It runs a slice at a time (step), so that the thread can give it up the
// moment a guest arrives (worker.ts); a guest never waits for more than one
// slice of it. Nothing of it reaches a guest: each run is a machine of its
// own, its console goes nowhere, and the region modules it compiled are
// forgotten (a guest's first boot translates its own code, as it would have).

import type { GuestModel } from '../../shared/api';
import { regionModules } from '../cpu/wasm-modules';
import { H } from '../link/stats';
import type { MachineWarmUpRun } from '../link/worker-protocol';
import { consoleLength, prepareRun, type PreparedRun } from './run';

/** labOS's script: its benchmarks (system calls, page faults, TLB refills, timer ticks), then power-off. */
export const WARMUP_SCRIPT = 'bench; poweroff';
/** Instructions run under each model (labOS boots in about 1 M; its script runs 12.7 M in all). */
export const WARMUP_INSNS_PER_MODEL = 3_000_000;
/** Instructions in one step: a guest that arrives waits at most this long (a few ms). */
export const WARMUP_STEP_INSNS = 100_000;
/** The models it runs under, in order. */
export const WARMUP_MODELS: readonly GuestModel[] = ['native', 'booke-hv'];
/** The smallest RAM a machine has (Machine: multiples of 64 MB); labOS's bench uses a few MB of it. */
const WARMUP_RAM_MB = 64;

export class MachineWarmUp {
  private run: PreparedRun | null = null;
  private next = 0;
  private readonly done: MachineWarmUpRun[] = [];

  constructor(
    private readonly image: Uint8Array,
    private readonly models: readonly GuestModel[] = WARMUP_MODELS,
    private readonly insnsPerModel = WARMUP_INSNS_PER_MODEL,
  ) {}

  /** Runs one step (at most WARMUP_STEP_INSNS instructions); false once every run has ended. Throws what the emulator throws. */
  step(): boolean {
    if (this.run === null) {
      const model = this.models[this.next];
      if (model === undefined) return false;
      this.run = prepareRun(this.image, { ramMb: WARMUP_RAM_MB, bootargs: WARMUP_SCRIPT, model });
    }
    const { machine, hypervisor } = this.run;
    const left = this.insnsPerModel - machine.insns;
    const out = machine.run(Math.min(left, WARMUP_STEP_INSNS), WARMUP_STEP_INSNS);
    hypervisor.sync();
    let end: string | null = null;
    if (out.kind === 'stopped') end = out.reason;
    else if (out.kind === 'waiting') {
      if (Number.isFinite(out.nextEvent)) machine.idleUntil(out.nextEvent);
      else end = 'halted';
    }
    if (end === null && machine.insns >= this.insnsPerModel) end = 'budget';
    if (end !== null) this.finishRun(end);
    if (this.next < this.models.length) return true;
    this.abandon();
    return false;
  }

  /** Ends the warm-up where it is (a guest has come, or its last run is over): its machine and its regions go (a guest's first boot is not to find them compiled). */
  abandon(): void {
    this.run = null;
    this.next = this.models.length;
    regionModules.clear();
  }

  /** The runs that have ended, in order. */
  get runs(): readonly MachineWarmUpRun[] {
    return this.done;
  }

  private finishRun(end: string): void {
    const { machine, stats, chunks } = this.run!;
    this.done.push({ model: this.models[this.next]!, insns: machine.insns, end, exits: stats[H.exits]!, consoleBytes: consoleLength(chunks) });
    this.run = null;
    this.next++;
  }
}
