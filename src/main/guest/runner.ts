// One guest on its worker thread: the Machine with its hypervisor, run in
// time slices of about SLICE_MS of host time. Between slices the runner reads
// its message port (synchronously), posts the slice's console output as one
// message and folds the guest's progress into its statistics block. When the
// core waits for an interrupt it sleeps with Atomics.wait on its wake word
// until the next timer event is due (pacing.ts) or someone wakes it: no
// polling loop, no timers, and an idle guest costs nothing.
//
// Modes: created (not started yet: its first boot happens at `run`, with the
// channels that exist then); running; paused (by the user); stopped (the
// guest reset or powered off the board, or checkstopped: it sleeps until
// reset or removed); exiting.

import { type ChannelDescriptor, LabConsoleChannel, SharedByteChannel } from '../link/byte-channel';
import { attachControl, CONTROL, consoleBlocked, consolePosted } from '../link/control';
import { attachStatsBuffer, H, R, resetStats } from '../link/stats';
import type { DebugCommand, FromWorker, GuestTestHooks, GuestWorkerInit, ToWorker, WorkerRequest } from '../link/worker-protocol';
import type { ByteChannel } from '../hv/types';
import { attachHypervisor, type GuestHypervisor } from '../hv';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';
import { DebugTarget, type DebugStop } from './debug-target';
import { GdbProtocol } from './gdb-protocol';
import { describeStop, inspectorState, memoryView, type RegisterValues, registerValues, tlbView, translate, writeRegister } from './inspector';
import { type Breakpoints, checkBreakpoints, hex32, noBreakpoints, STEP_LIMIT, type StopInfo, type StopKind } from '../../shared/debug';
import { sprByNumber } from '../../shared/spr';
import { LabFailure } from '../../shared/result';
import { decodeSnapshot, encodeSnapshot } from '../link/snapshot';
import { restoreGuest, snapshotConfig, snapshotGuest } from './run';
import { Machine, type RunOutcome } from './machine';
import { ConsoleOutbox } from './console-outbox';
import { Pacer } from './pacing';
import { warmUpInterpreter, warmUpParts } from './warmup';
import { applyJitChoice, defaultJitChoice } from './jit-mode';

/** Host time a slice aims at. */
export const SLICE_MS = 10;
const FIRST_BUDGET = 500_000;
const MIN_BUDGET = 20_000;
const MAX_BUDGET = 50_000_000;
/** While console output is held, slices are short and separated by sleeps, so a guest spinning on THRE costs little. */
const HELD_BUDGET = 20_000;
const HELD_SLEEP_MS = 10;

/** The runner's connection to the session (a MessagePort in the worker; anything in tests). */
export interface RunnerLink {
  /** The next message, or undefined when none is waiting (never blocks). */
  receive(): ToWorker | undefined;
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
}

type Mode = 'created' | 'running' | 'paused' | 'stopped' | 'exiting';

export class GuestRunner {
  private machine!: Machine;
  private hv!: GuestHypervisor;
  private hw: HwConfig;
  private cost: CostModel;
  private readonly stats: Float64Array;
  private readonly control: Int32Array;
  private readonly outbox: ConsoleOutbox;
  private readonly consoleChannel = new LabConsoleChannel();
  /** The translator's mode for this guest's cores (LAB_JIT, jit-mode.ts). */
  private readonly jit = defaultJitChoice();
  /** Channels to other guests, for the next boot. */
  private readonly channels: ChannelDescriptor[];
  /** The handles the current machine was built with (its device tree and its hypervisor's channels). */
  private builtWith = '';
  private readonly pacer: Pacer;
  private readonly hooks: GuestTestHooks;
  private mode: Mode;
  /** Console input typed before the first start (the machine may be built again then). */
  private earlyInput: Uint8Array[] = [];
  /** A GDB client's session with this guest (vCPU 0), or null. While it holds the guest stopped, mode is 'paused'. */
  private gdb: { protocol: GdbProtocol; target: DebugTarget; running: boolean } | null = null;
  /** The debugger's view of vCPU 0 (GDB's and the inspector's), made when first needed. */
  private dbg: DebugTarget | null = null;
  /** The inspector's breakpoints and watches (kept across resets). */
  private breaks: Breakpoints = noBreakpoints();
  /** A step that runs at full speed (to an exit, to an address) until its stop arrives. */
  private stepping: 'exit' | 'address' | null = null;
  /** The last stop, and the register values then (for "changed since the last stop"). */
  private lastStop: StopInfo | null = null;
  private lastValues: RegisterValues | null = null;
  /** Started guests wait, stopped at their entry, for a GDB client (gdb=PORT in a session). */
  private gdbHold = false;
  private budget = FIRST_BUDGET;
  private slices = 0;
  /** The snapshot to start from, until the guest has started (a machine built again before then restores it again). */
  private pendingSnapshot: Uint8Array | null;

  constructor(private readonly init: GuestWorkerInit, private readonly link: RunnerLink) {
    this.hw = init.hw;
    this.cost = init.cost;
    this.stats = attachStatsBuffer(init.stats);
    this.control = attachControl(init.control);
    this.hooks = init.testHooks ?? {};
    this.channels = [...init.channels];
    this.outbox = new ConsoleOutbox(() => consoleBlocked(this.control));
    this.pacer = new Pacer(init.cost.timebaseMHz);
    this.pendingSnapshot = init.snapshot ?? null;
    this.build();
    if (init.start) this.pendingSnapshot = null;
    this.mode = init.start ? 'running' : 'created';
  }

  /** Runs until a `stop` request. Throws only on a bug outside the guest (the worker reports it). */
  run(): void {
    for (;;) {
      const seen = Atomics.load(this.control, CONTROL.wake);
      this.handleMessages();
      if (this.mode === 'exiting') return;
      if (this.mode === 'running') this.slice(seen);
      else this.sleep(seen, Number.POSITIVE_INFINITY);
    }
  }

  /** Posts whatever output is pending (also called on the way out after a failure). */
  flush(): void {
    const bytes = this.outbox.take();
    if (bytes) {
      this.stats[H.consoleOut] = this.stats[H.consoleOut]! + bytes.length;
      consolePosted(this.control, bytes.length);
      this.link.post({ kind: 'signal', type: 'console', bytes }, [bytes.buffer as ArrayBuffer]);
    }
    const sent = this.consoleChannel.take();
    if (sent) this.link.post({ kind: 'signal', type: 'channel-console', bytes: sent }, [sent.buffer as ArrayBuffer]);
  }

  // ---- execution -----------------------------------------------------------

  private slice(seen: number): void {
    this.applyTestHooks();
    const held = consoleBlocked(this.control);
    const budget = held ? HELD_BUDGET : this.budget;
    if (this.dbg !== null && this.dbg.armedPcs().size > 0) this.dbg.arm(); // a page mapped since arms now
    const t0 = performance.now();
    let out: RunOutcome = this.machine.run(budget);
    // Timer events due within the pacing lead are taken in the same slice
    // (a guest with a 1 kHz tick then costs one slice per wake-up, not per tick).
    while (out.kind === 'waiting' && performance.now() - t0 < SLICE_MS
      && this.pacer.sleepFor(performance.now(), this.machine.cpu.timers.ticks, out.nextEvent) === 0) {
      this.machine.idleUntil(out.nextEvent);
      out = this.machine.run(budget);
    }
    const elapsed = performance.now() - t0;
    this.hv.sync();
    this.stats[H.hostBusyNs] = this.stats[H.hostBusyNs]! + elapsed * 1e6;
    this.stats[R.slices] = this.stats[R.slices]! + 1;
    this.stats[R.inputPending] = this.machine.uart.inputPending;
    this.flush();
    switch (out.kind) {
      case 'budget':
        if (!held) this.adapt(elapsed);
        else if (this.machine.uart.txPending) this.sleep(seen, HELD_SLEEP_MS);
        return;
      case 'waiting':
        this.idle(seen, out.nextEvent);
        return;
      case 'stopped':
        this.mode = 'stopped';
        this.endStepping();
        // GDB hears first: the session may end as soon as it learns the guest stopped.
        if (this.gdb?.running) this.gdbStopped({ kind: 'ended', reason: out.reason, ...(out.message !== undefined ? { message: out.message } : {}) });
        this.postStopped(out.reason, out.message);
        return;
      case 'breakpoint':
        this.breakpointHit();
        return;
    }
  }

  // ---- GDB -----------------------------------------------------------------

  private gdbInput(bytes: Uint8Array): void {
    if (this.gdb === null) {
      // Attach: the guest stops where it is (a guest not started yet boots first, stopped at its entry).
      if (this.mode === 'created') {
        this.firstStart();
        this.mode = 'paused';
      }
      if (this.mode === 'running') this.mode = 'paused';
      this.gdbHold = false;
      this.endStepping();
      const target = this.target();
      this.gdb = { protocol: new GdbProtocol(target), target, running: false };
    }
    const gdb = this.gdb;
    const { reply, action } = gdb.protocol.feed(bytes);
    if (reply) this.gdbSend(reply);
    switch (action) {
      case 'continue': {
        if (this.mode === 'stopped' || gdb.target.stopped) {
          this.gdbSend(gdb.protocol.stopReply(gdb.target.stopped ?? { kind: 'ended', reason: 'halted' }));
          return;
        }
        // Step over a breakpoint at the resume address, as GDB expects.
        const stop = gdb.target.stepOverBreakpointHere();
        if (stop?.kind === 'ended') return this.gdbEnded(stop);
        this.lastStop = null;
        gdb.target.arm();
        gdb.running = true;
        this.mode = 'running';
        this.pacer.reset();
        return;
      }
      case 'step': {
        const stop = gdb.target.step();
        this.flush();
        if (stop.kind === 'ended') return this.gdbEnded(stop);
        this.noteStop(stop, 'gdb');
        this.gdbSend(gdb.protocol.stopReply(stop));
        return;
      }
      case 'interrupt':
        if (gdb.running) this.gdbStopped({ kind: 'interrupted' });
        else this.gdbSend(gdb.protocol.stopReply({ kind: 'interrupted' }));
        return;
      case 'kill':
      case 'detach':
        this.gdbDetach();
        return;
      case 'none':
        return;
    }
  }

  private breakpointHit(): void {
    if (this.dbg === null) {
      for (const cpu of this.machine.cpus) {
        cpu.breakHit = false; // a debugger that has gone disarmed its breakpoints already
        cpu.stopRequested = false;
        cpu.watchHit = null;
      }
      return;
    }
    const stop = this.dbg.atBreakpoint();
    if (stop) this.debugStopped(stop);
  }

  /**
   * A running vCPU stopped for a debugger (a breakpoint, a watch, a step's
   * end, Ctrl-C): it waits, paused; GDB (if it was running the guest) and
   * the session hear of it.
   */
  private debugStopped(stop: DebugStop): void {
    const reached = this.stepping === 'address' && stop.kind === 'trap' && this.isStepTarget();
    this.endStepping();
    this.dbg?.disarm();
    if (this.mode === 'running') this.mode = 'paused';
    this.flush();
    const info = this.noteStop(stop, reached ? 'step' : undefined);
    if (this.gdb?.running) {
      this.gdb.running = false;
      this.gdbSend(this.gdb.protocol.stopReply(stop));
    }
    this.link.post({ kind: 'signal', type: 'debug-stop', vcpu: info.vcpu ?? 0, stop: info });
  }

  /** The guest stops for GDB (Ctrl-C, or the guest ended) and waits, paused. */
  private gdbStopped(stop: DebugStop): void {
    const gdb = this.gdb!;
    gdb.running = false;
    gdb.target.disarm();
    if (this.mode === 'running') this.mode = 'paused';
    this.flush();
    if (stop.kind !== 'ended') this.noteStop(stop, 'gdb');
    this.gdbSend(gdb.protocol.stopReply(stop));
  }

  private stepTarget: number | null = null;

  private isStepTarget(): boolean {
    return this.stepTarget !== null && (this.target().core.pc >>> 0) === this.stepTarget;
  }

  /** Ends a full-speed step: its one-off breakpoint or its watch on every exit goes. */
  private endStepping(): void {
    if (this.stepping === null) return;
    this.stepping = null;
    this.stepTarget = null;
    if (this.dbg !== null) {
      this.dbg.tempBreakpoint = null;
      this.dbg.setStepToExit(false);
    }
  }

  /** Records a stop (what the inspector shows, and its register values for "changed"). */
  private noteStop(stop: DebugStop, as?: StopKind): StopInfo {
    const info = this.stopInfo(stop, as);
    // A guest with several vCPUs: which one stopped.
    if (this.machine.cpus.length > 1) {
      const vcpu = this.target().vcpu;
      info.vcpu = vcpu;
      info.text = `vCPU ${vcpu}: ${info.text}`;
    }
    this.lastStop = info;
    return info;
  }

  private stopInfo(stop: DebugStop, as?: StopKind): StopInfo {
    const cpu = this.target().core;
    const pc = cpu.pc >>> 0;
    let info: StopInfo;
    switch (stop.kind) {
      case 'watch': {
        const spr = { name: sprByNumber(stop.hit.spr)?.name ?? `SPR${stop.hit.spr}`, write: stop.hit.write, pc: stop.hit.pc >>> 0,
          ...(stop.hit.write ? { value: stop.hit.value } : {}) };
        info = { kind: 'spr', pc, insns: cpu.insns, text: describeStop('spr', pc, { spr }), spr };
        break;
      }
      case 'exit': {
        const exit = { reason: stop.reason, pc: stop.pc >>> 0 };
        info = { kind: 'exit', pc, insns: cpu.insns, text: describeStop('exit', pc, { exit }), exit };
        break;
      }
      case 'ended':
        info = { kind: 'ended', pc, insns: cpu.insns, text: describeStop('ended', pc, { text: `the guest ended (${stop.reason}${stop.message ? `: ${stop.message}` : ''})` }) };
        break;
      case 'waiting':
        info = { kind: as ?? 'step', pc, insns: cpu.insns, text: `waiting at ${hex32(pc)} for an interrupt (nothing is due)` };
        break;
      default: {
        const kind: StopKind = as ?? (stop.kind === 'interrupted' ? 'pause' : 'breakpoint');
        info = { kind, pc, insns: cpu.insns, text: describeStop(kind, pc) };
      }
    }
    return info;
  }

  /** The debugger's view of vCPU 0, made (with the inspector's breakpoints) when first needed. */
  private target(): DebugTarget {
    if (this.dbg === null) {
      this.dbg = new DebugTarget(this.machine, this.hv, 0, true);
      this.applyBreaks();
    }
    return this.dbg;
  }

  private applyBreaks(): void {
    const t = this.dbg!;
    t.userBreakpoints.clear();
    for (const pc of this.breaks.pcs) t.userBreakpoints.add(pc >>> 0);
    t.setWatches(this.breaks.sprs, this.breaks.exits);
  }

  private hasBreaks(): boolean {
    return this.breaks.pcs.length + this.breaks.sprs.length + this.breaks.exits.length > 0;
  }

  // ---- the inspector ---------------------------------------------------------

  /** Carries out an inspector command; returns the reply's value. Throws a LabFailure when refused. */
  private debugCommand(vcpu: number, c: DebugCommand): unknown {
    const vcpus = this.machine.cpus.length;
    if (vcpu >= vcpus) {
      throw new LabFailure('invalid-request', vcpus === 1 ? `This guest has one vCPU (vCPU 0); there is no vCPU ${vcpu}`
        : `This guest has ${vcpus} vCPUs (0-${vcpus - 1}); there is no vCPU ${vcpu}`, { field: 'vcpu' });
    }
    if (c.op === 'step' || c.op === 'write') {
      // Steps and edits act on the vCPU named; breakpoints and watches are the guest's (every vCPU stops at them).
      if (this.machine.held[vcpu]) throw new LabFailure('invalid-state', `vCPU ${vcpu} is still in the spin table (the guest has not started it)`, { field: 'vcpu' });
      this.target().vcpu = vcpu;
    }
    switch (c.op) {
      case 'inspect':
        return this.inspect(vcpu);
      case 'tlb':
        return tlbView(this.viewOf(vcpu));
      case 'memory':
        return memoryView(this.viewOf(vcpu), c.address, c.length, c.space);
      case 'translate':
        return translate(this.viewOf(vcpu), c.address, c.fetch);
      case 'breakpoints': {
        this.breaks = checkBreakpoints(c.breakpoints);
        // A target made now takes the new breakpoints as it is made.
        if (this.dbg !== null) this.applyBreaks();
        else if (this.hasBreaks()) this.target();
        return this.breaks;
      }
      case 'write':
        this.mustBeStopped('edit its registers');
        writeRegister(this.target(), c.name, c.value);
        return this.inspect();
      case 'pause':
        if (this.mode === 'running') {
          this.mode = 'paused';
          this.endStepping();
          this.flush();
          if (this.gdb?.running) this.gdbStopped({ kind: 'interrupted' });
          return this.noteStop({ kind: 'interrupted' });
        }
        return this.lastStop ?? this.noteStop({ kind: 'interrupted' });
      case 'continue':
        this.mustBeStopped('continue it');
        this.resumeRunning();
        return null;
      case 'step':
        return this.step(c.unit, c.count ?? 1, c.address);
    }
  }

  private inspect(vcpu = 0): unknown {
    const running = this.mode === 'running';
    const view = this.viewOf(vcpu);
    if (view !== this.dbg) return inspectorState(view, running, null, null, this.breaks);
    return inspectorState(view, running, running ? null : this.lastStop, running ? null : this.lastValues, this.breaks);
  }

  /** What the inspector reads a vCPU through: the debug target when it has that vCPU selected, else a view of it (made afresh: it holds no state). */
  private viewOf(vcpu: number): DebugTarget {
    const t = this.target();
    return vcpu === t.vcpu ? t : new DebugTarget(this.machine, this.hv, vcpu, true);
  }

  private mustBeStopped(what: string): void {
    if (this.mode === 'stopped') throw new LabFailure('invalid-state', `The guest has ended; reset it to ${what}`);
    if (this.mode === 'running') throw new LabFailure('invalid-state', `The guest is running; pause it to ${what}`);
    if (this.mode === 'created') {
      this.firstStart();
      this.mode = 'paused';
    }
  }

  /** The values the next stop's "changed" compares with: the registers now. */
  private rememberValues(): void {
    const s = inspectorState(this.target(), false, null, null, this.breaks);
    this.lastValues = registerValues(s);
  }

  private step(unit: string, count: number, address: number | undefined): StopInfo | null {
    this.mustBeStopped('step it');
    const target = this.target();
    this.rememberValues();
    if (unit === 'instruction' || unit === 'block') {
      if (!Number.isInteger(count) || count < 1 || count > STEP_LIMIT) {
        throw new LabFailure('invalid-request', `count must be 1-${STEP_LIMIT} (got ${count})`, { field: 'count' });
      }
      let stop: DebugStop = { kind: 'trap' };
      for (let k = 0; k < count && stop.kind === 'trap'; k++) stop = unit === 'block' ? target.stepBlock() : target.step();
      this.flush();
      if (stop.kind === 'ended') {
        this.debugStoppedSync(stop);
        return this.lastStop;
      }
      return this.noteStop(stop, stop.kind === 'trap' ? 'step' : undefined);
    }
    if (unit === 'address') {
      if (address === undefined || !Number.isInteger(address) || address < 0 || address > 0xFFFFFFFF || (address & 3) !== 0) {
        throw new LabFailure('invalid-request', 'a step to an address needs a word-aligned address', { field: 'address' });
      }
      target.tempBreakpoint = address >>> 0;
      this.stepTarget = address >>> 0;
      this.stepping = 'address';
    } else if (unit === 'exit') {
      target.setStepToExit(true);
      this.stepping = 'exit';
    } else {
      throw new LabFailure('invalid-request', `Unknown step unit "${unit}"`, { field: 'unit' });
    }
    // Out of a breakpoint or watch at the PC first; that instruction may itself be the exit.
    const first = target.stepOverBreakpointHere();
    if (first !== null) {
      this.debugStoppedSync(first);
      return this.lastStop;
    }
    this.resumeRunning();
    return null;
  }

  /** A stop found while handling a command (not while running): recorded, no signal (the reply carries it). */
  private debugStoppedSync(stop: DebugStop): void {
    this.endStepping();
    if (stop.kind === 'ended') {
      this.mode = 'stopped';
      this.noteStop(stop);
      this.postStopped(stop.reason, stop.message);
      return;
    }
    this.noteStop(stop);
  }

  /** The vCPU runs on (the user's continue or start, a full-speed step); GDB, if attached, hears of the next stop. */
  private resumeRunning(): void {
    this.rememberValues();
    this.lastStop = null;
    this.mode = 'running';
    this.pacer.reset();
    const t = this.dbg;
    if (t !== null) {
      const over = t.stepOverBreakpointHere();
      if (over !== null) {
        this.debugStoppedSync(over);
        if ((this.mode as Mode) !== 'stopped') this.mode = 'paused';
        this.link.post({ kind: 'signal', type: 'debug-stop', vcpu: 0, stop: this.lastStop! });
        return;
      }
      t.arm();
    }
    if (this.gdb !== null && !this.gdb.running) this.gdb.running = true;
  }

  private gdbEnded(stop: DebugStop & { kind: 'ended' }): void {
    this.mode = 'stopped';
    this.flush();
    this.gdbSend(this.gdb!.protocol.stopReply(stop));
    this.postStopped(stop.reason, stop.message);
  }

  /** The debugger lets go: no breakpoints, and a guest it held stopped runs on. */
  private gdbDetach(): void {
    this.gdbHold = false;
    if (this.gdb === null) return;
    this.gdb.target.breakpoints.clear();
    this.gdb.target.disarm();
    this.gdb = null;
    if (this.mode === 'paused') {
      this.mode = 'running';
      this.pacer.reset();
    }
  }

  /** Tells the session the guest ended (reset, power-off, checkstop...). */
  private postStopped(reason: string, message?: string): void {
    this.link.post({ kind: 'signal', type: 'stopped', reason, ...(message !== undefined ? { message } : {}) });
  }

  private gdbSend(text: string): void {
    const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
    this.link.post({ kind: 'signal', type: 'gdb', bytes }, [bytes.buffer as ArrayBuffer]);
  }

  /** Scales the budget so the next slice takes about SLICE_MS. */
  private adapt(elapsedMs: number): void {
    const factor = Math.min(2, Math.max(0.5, SLICE_MS / Math.max(elapsedMs, 0.01)));
    this.budget = Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, Math.round(this.budget * factor)));
  }

  /** The core waits: sleep until its next timer event is due, or until woken. */
  private idle(seen: number, next: number): void {
    const timers = this.machine.cpu.timers;
    const ms = this.pacer.sleepFor(performance.now(), timers.ticks, next);
    if (ms === 0) {
      this.machine.idleUntil(next);
      return;
    }
    if (this.sleep(seen, ms) === 'timed-out') {
      this.machine.idleUntil(next);
      return;
    }
    const reachable = this.pacer.reachable(performance.now(), next);
    if (reachable > timers.ticks) this.machine.idleUntil(reachable);
  }

  private sleep(seen: number, ms: number): 'ok' | 'not-equal' | 'timed-out' {
    this.flush();
    const t0 = performance.now();
    const r = Atomics.wait(this.control, CONTROL.wake, seen, Number.isFinite(ms) ? ms : undefined);
    this.stats[H.hostIdleNs] = this.stats[H.hostIdleNs]! + (performance.now() - t0) * 1e6;
    this.stats[R.sleeps] = this.stats[R.sleeps]! + 1;
    return r;
  }

  private applyTestHooks(): void {
    this.slices++;
    if (this.hooks.throwAtSlice !== undefined && this.slices >= this.hooks.throwAtSlice) {
      throw new Error('test hook: the emulator threw outside the core');
    }
    if (this.hooks.checkstopAtSlice !== undefined && this.slices === this.hooks.checkstopAtSlice) {
      this.machine.halt('checkstop', 'test hook: forced checkstop');
    }
  }

  // ---- messages ------------------------------------------------------------

  private handleMessages(): void {
    for (let m = this.link.receive(); m !== undefined; m = this.link.receive()) {
      if (m.kind === 'rpc') this.answer(m);
      else {
        switch (m.type) {
          case 'input':
            if (this.mode === 'created') this.earlyInput.push(m.bytes);
            else this.machine.typeInput(m.bytes);
            this.stats[H.consoleIn] = this.stats[H.consoleIn]! + m.bytes.length;
            this.stats[R.inputPending] = this.machine.uart.inputPending + this.earlyInput.reduce((n, b) => n + b.length, 0);
            break;
          case 'configure':
            this.hw = m.hw;
            this.cost = m.cost;
            this.hv.configure(m.hw, m.cost);
            this.pacer.setTimebase(m.cost.timebaseMHz);
            break;
          case 'add-channel':
            this.channels.push(m.channel);
            break;
          case 'drop-channel': {
            const i = this.channels.findIndex((c) => c.handle === m.handle);
            if (i >= 0) this.channels.splice(i, 1);
            break;
          }
          case 'gdb':
            this.gdbInput(m.bytes);
            break;
          case 'gdb-detach':
            this.gdbDetach();
            break;
          case 'gdb-hold':
            this.gdbHold = true;
            break;
        }
      }
    }
  }

  private answer(req: WorkerRequest): void {
    const reply = (error?: string) => this.link.post(error === undefined
      ? { kind: 'reply', seq: req.seq, ok: true }
      : { kind: 'reply', seq: req.seq, ok: false, message: error });
    switch (req.type) {
      case 'run':
        if (this.mode === 'stopped') return reply('the guest has stopped; reset it to run it again');
        if (this.mode === 'created') this.firstStart();
        if (this.gdbHold && this.gdb === null) {
          this.mode = 'paused'; // until GDB attaches and continues
          return reply();
        }
        // Started by the user while a debugger held it: as a continue, so GDB hears of the next stop.
        this.resumeRunning();
        return reply();
      case 'pause':
        this.debugCommand(0, { op: 'pause' });
        return reply();
      case 'debug':
        try {
          return this.link.post({ kind: 'reply', seq: req.seq, ok: true, value: this.debugCommand(req.vcpu, req.command) });
        } catch (e) {
          if (!(e instanceof LabFailure)) throw e;
          const field = (e.detail as { field?: string } | undefined)?.field;
          return this.link.post({ kind: 'reply', seq: req.seq, ok: false, message: e.message, code: e.code, ...(field ? { field } : {}) });
        }
      case 'reset':
        this.reboot();
        return reply();
      case 'stop':
        this.flush();
        this.mode = 'exiting';
        return reply();
      case 'trace':
        return this.link.post({ kind: 'reply', seq: req.seq, ok: true, value: this.hv.recentExits() });
      case 'vcpus':
        return this.link.post({ kind: 'reply', seq: req.seq, ok: true, value: this.hv.vcpuStats() });
      case 'snapshot': {
        if (this.mode === 'created') this.firstStart();
        const bytes = encodeSnapshot(snapshotGuest(this.machine, this.hv, this.snapshotConfig(), this.stats[H.consoleOut]!));
        return this.link.post({ kind: 'reply', seq: req.seq, ok: true, value: bytes }, [bytes.buffer as ArrayBuffer]);
      }
    }
  }

  /** What this guest's snapshots record about it (and what one restored into it must match). */
  private snapshotConfig() {
    const { model, ramMb, smp, bootargs, imageName, elf } = this.init;
    return snapshotConfig(elf, { model, hw: this.hw, cost: this.cost, ramMb, ...(smp !== undefined ? { smp } : {}), bootargs, imageName });
  }

  // ---- boot ----------------------------------------------------------------

  /**
   * A board reset. The device tree and the hypervisor's channel list are fixed
   * when a machine is built, so when channels came or went since, the machine
   * is built again with the channels that exist now; otherwise it reboots in
   * place (RAM keeps its contents, as on QEMU). Statistics start from zero.
   */
  private reboot(): void {
    this.flush();
    this.earlyInput = [];
    this.endStepping();
    this.lastStop = null;
    this.lastValues = null;
    if (this.channelKey() !== this.builtWith) this.build();
    else {
      this.machine.boot();
      this.dbg?.revive();
    }
    resetStats(this.stats);
    this.pacer.reset();
    this.budget = FIRST_BUDGET;
    this.mode = 'running';
  }

  /** The first start: boots with the channels that exist now, then takes the input typed so far. */
  private firstStart(): void {
    if (this.channelKey() !== this.builtWith) this.build();
    this.pendingSnapshot = null;
    for (const bytes of this.earlyInput) this.machine.typeInput(bytes);
    this.earlyInput = [];
  }

  private channelKey(): string {
    return this.channels.map((c) => c.handle).join(',');
  }

  /** A new machine with its hypervisor (attached before loading, so it sees the first boot). */
  private build(): void {
    // Before the first machine, the warm-up (warmup.ts: the part that suits the guest's image): without it
    // a session worker's intmix ran at 0.84 of the main thread's steady rate (docs/performance.md).
    warmUpInterpreter(false, warmUpParts(this.init.elf.length));
    // A debugger attached to the old machine lets go of it (GDB sees the connection's guest vanish at its next request).
    this.gdb = null;
    this.dbg = null;
    const byteChannels: ByteChannel[] = [this.consoleChannel, ...this.channels.map((d) => new SharedByteChannel(d))];
    const model = this.init.model;
    const cost = this.cost;
    this.machine = new Machine({
      ramMb: this.init.ramMb,
      ...(this.init.smp !== undefined ? { smp: this.init.smp } : {}),
      bootargs: this.init.bootargs,
      console: this.outbox,
      clock: { cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz },
    });
    this.hv = attachHypervisor(this.machine, {
      model, hw: this.hw, cost, stats: this.stats, lpid: this.init.lpid, byteChannels, sharedHostTlb: this.init.hostTlb,
    });
    for (const cpu of this.machine.cpus) applyJitChoice(cpu, this.jit);
    this.machine.load(this.init.elf);
    if (this.pendingSnapshot !== null) restoreGuest(this.machine, this.hv, decodeSnapshot(this.pendingSnapshot), this.snapshotConfig());
    this.builtWith = this.channelKey();
    // The inspector's breakpoints hold across resets: armed on the new machine at once.
    if (this.hasBreaks()) this.target();
  }
}
