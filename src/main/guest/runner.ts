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
import type { FromWorker, GuestTestHooks, GuestWorkerInit, ToWorker, WorkerRequest } from '../link/worker-protocol';
import type { ByteChannel } from '../hv/types';
import { attachHypervisor, type GuestHypervisor } from '../hv';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';
import { DebugTarget, type DebugStop } from './debug-target';
import { GdbProtocol } from './gdb-protocol';
import { Machine, type RunOutcome } from './machine';
import { ConsoleOutbox } from './console-outbox';
import { Pacer } from './pacing';

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
  /** Started guests wait, stopped at their entry, for a GDB client (gdb=PORT in a session). */
  private gdbHold = false;
  private budget = FIRST_BUDGET;
  private slices = 0;

  constructor(private readonly init: GuestWorkerInit, private readonly link: RunnerLink) {
    this.hw = init.hw;
    this.cost = init.cost;
    this.stats = attachStatsBuffer(init.stats);
    this.control = attachControl(init.control);
    this.hooks = init.testHooks ?? {};
    this.channels = [...init.channels];
    this.outbox = new ConsoleOutbox(() => consoleBlocked(this.control));
    this.pacer = new Pacer(init.cost.timebaseMHz);
    this.build();
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
        // GDB hears first: the session may end as soon as it learns the guest stopped.
        if (this.gdb?.running) this.gdbStopped({ kind: 'ended', reason: out.reason, ...(out.message !== undefined ? { message: out.message } : {}) });
        this.link.post({ kind: 'signal', type: 'stopped', reason: out.reason, ...(out.message !== undefined ? { message: out.message } : {}) });
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
      const target = new DebugTarget(this.machine, this.hv, 0);
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
    if (this.gdb === null) {
      this.machine.cpu.breakHit = false; // a debugger that has gone disarmed its breakpoints already
      return;
    }
    const stop = this.gdb.target.atBreakpoint();
    if (stop) this.gdbStopped(stop);
  }

  /** The guest stops for the debugger (a breakpoint or Ctrl-C) and waits, paused. */
  private gdbStopped(stop: DebugStop): void {
    const gdb = this.gdb!;
    gdb.running = false;
    gdb.target.disarm();
    if (this.mode === 'running') this.mode = 'paused';
    this.flush();
    this.gdbSend(gdb.protocol.stopReply(stop));
  }

  private gdbEnded(stop: DebugStop & { kind: 'ended' }): void {
    this.mode = 'stopped';
    this.flush();
    this.gdbSend(this.gdb!.protocol.stopReply(stop));
    this.link.post({ kind: 'signal', type: 'stopped', reason: stop.reason, ...(stop.message !== undefined ? { message: stop.message } : {}) });
  }

  /** The debugger lets go: no breakpoints, and a guest it held stopped runs on. */
  private gdbDetach(): void {
    this.gdbHold = false;
    if (this.gdb === null) return;
    this.gdb.target.disarm();
    this.gdb = null;
    if (this.mode === 'paused') {
      this.mode = 'running';
      this.pacer.reset();
    }
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
        this.mode = 'running';
        this.pacer.reset();
        // Started by the user while a debugger held it: as a continue, so GDB hears of the next stop.
        if (this.gdb !== null && !this.gdb.running) {
          this.gdb.target.arm();
          this.gdb.running = true;
        }
        return reply();
      case 'pause':
        if (this.mode === 'running') this.mode = 'paused';
        return reply();
      case 'reset':
        this.reboot();
        return reply();
      case 'stop':
        this.flush();
        this.mode = 'exiting';
        return reply();
      case 'trace':
        return this.link.post({ kind: 'reply', seq: req.seq, ok: true, value: this.hv.recentExits() });
    }
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
    if (this.channelKey() !== this.builtWith) this.build();
    else this.machine.boot();
    resetStats(this.stats);
    this.pacer.reset();
    this.budget = FIRST_BUDGET;
    this.mode = 'running';
  }

  /** The first start: boots with the channels that exist now, then takes the input typed so far. */
  private firstStart(): void {
    if (this.channelKey() !== this.builtWith) this.build();
    for (const bytes of this.earlyInput) this.machine.typeInput(bytes);
    this.earlyInput = [];
  }

  private channelKey(): string {
    return this.channels.map((c) => c.handle).join(',');
  }

  /** A new machine with its hypervisor (attached before loading, so it sees the first boot). */
  private build(): void {
    // A debugger attached to the old machine lets go of it (GDB sees the connection's guest vanish at its next request).
    if (this.gdb !== null) this.gdb = null;
    const byteChannels: ByteChannel[] = [this.consoleChannel, ...this.channels.map((d) => new SharedByteChannel(d))];
    const model = this.init.model;
    const cost = this.cost;
    this.machine = new Machine({
      ramMb: this.init.ramMb,
      bootargs: this.init.bootargs,
      console: this.outbox,
      clock: { cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz },
    });
    this.hv = attachHypervisor(this.machine, {
      model, hw: this.hw, cost, stats: this.stats, lpid: this.init.lpid, byteChannels, sharedHostTlb: this.init.hostTlb,
    });
    this.machine.load(this.init.elf);
    this.builtWith = this.channelKey();
  }
}
