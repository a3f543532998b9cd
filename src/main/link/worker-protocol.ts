// Messages between the LabSession (main thread) and a guest's worker, on the
// MessagePort handed to the worker at start (the worker reads it
// synchronously between slices with receiveMessageOnPort). Every message
// that needs the worker's attention is followed by a bump of its wake word
// (control.ts), so a sleeping worker sees it at once.
//
// Two kinds, as in 6502.ts's worker/messages.ts:
//   RPC     the session waits for the answer: a `reply` with the same seq,
//           sent between slices, after the request took effect.
//   SIGNAL  fire and forget, in either direction.
// Statistics never travel as messages: they are in the guest's
// SharedArrayBuffer block (stats.ts).
//
// Contract (src/main/link): the session sends requests and signals and reads
// replies; the worker does the reverse. Both import this file, neither owns it.

import type { GuestModel } from '../../shared/api';
import type { Breakpoints, StepUnit, StopInfo } from '../../shared/debug';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';
import type { MessagePort } from 'node:worker_threads';
import type { ChannelDescriptor } from './byte-channel';

/** Test-only behaviour, reachable from LabSession's TypeScript API, never from the LabApi schema. */
export interface GuestTestHooks {
  /** The worker throws (an emulator bug outside the core) before this slice. */
  throwAtSlice?: number;
  /** The guest checkstops (a hardware-level fault) at this slice. */
  checkstopAtSlice?: number;
}

// ---- the thread itself ----------------------------------------------------
// A guest worker thread runs guests one after another: the session hands it a
// guest (GuestWorkerInit, its port transferred) on the thread's own port, and
// the thread says when that guest is over. A thread whose guest ended cleanly
// waits for the next one, warm (V8's optimised emulator and the compiled
// region modules stay); one whose emulator failed ends.

/** workerData of a session's guest thread. */
export interface GuestThreadInit {
  kind: 'guest-thread';
}

/** One run of a spare thread's machine warm-up (guest/machine-warmup.ts): its model, the instructions it ran, and why it ended. */
export interface MachineWarmUpRun {
  model: GuestModel;
  insns: number;
  /** 'budget': it ran its instructions; otherwise the machine's stop (labOS powers off at its script's end) or 'halted'. */
  end: string;
  /** Exits to the hypervisor it took (none natively), and the console bytes the guest wrote (to nowhere). */
  exits: number;
  consoleBytes: number;
}

/** The session to a guest thread (on its parentPort). */
export type ToGuestThread =
  /** Run this guest until its `stop` request. */
  | { kind: 'guest'; init: GuestWorkerInit }
  /**
   * Run the V8 warm-up now, with no guest yet (a spare thread); with `image`,
   * then boot that guest (labOS) for the machine's warm-up (guest/machine-warmup.ts).
   */
  | { kind: 'warm'; image?: Uint8Array };

/** A guest thread to the session (on its parentPort). */
export type FromGuestThread =
  /** The guest given last is over; `reusable`: the thread takes another (false after an emulator failure: it ends). */
  | { kind: 'guest-done'; reusable: boolean }
  /**
   * The warm-up asked for is over: the machine warm-up's runs, whether a
   * guest's arrival cut it short, and the error that ended it (the thread
   * then ends: nothing a failing emulator left behind is trusted with a guest).
   */
  | { kind: 'warmed'; runs: MachineWarmUpRun[]; abandoned: boolean; error?: string; /** Host ms from the request to now. */ ms: number };

/** A guest, as its thread receives it (structured-clonable; the port is transferred). */
export interface GuestWorkerInit {
  id: string;
  name: string;
  elf: Uint8Array;
  ramMb: number;
  /** vCPUs (1 when absent). */
  smp?: number;
  bootargs: string;
  model: GuestModel;
  /** Effective configuration (hypervisor-wide plus the guest's override). */
  hw: HwConfig;
  cost: CostModel;
  lpid: number;
  stats: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** The session's shared host TLB (link/host-tlb.ts), used while the guest's policy says hostTlb: 'shared'. */
  hostTlb: SharedArrayBuffer;
  /** Channels to other guests present at boot (the console channel is implicit). */
  channels: ChannelDescriptor[];
  /** Start executing at once (else wait for `run`). */
  start: boolean;
  /** The image's name (a bundled id or a file name), for the snapshots the guest takes. */
  imageName: string;
  /** Start from this snapshot (its file's bytes) instead of booting; a later reset boots the image. */
  snapshot?: Uint8Array;
  port: MessagePort;
  testHooks?: GuestTestHooks;
}

// ---- session -> worker ---------------------------------------------------

/** RPCs: each carries a seq and is answered by a WorkerReply. */
export type WorkerRequest =
  /** Start or resume execution. */
  | { kind: 'rpc'; seq: number; type: 'run' }
  /** Stop executing at the slice boundary; statistics stay frozen until `run`. */
  | { kind: 'rpc'; seq: number; type: 'pause' }
  /** Reboot the guest (a board reset) and run it; channels made since the last boot become visible. */
  | { kind: 'rpc'; seq: number; type: 'reset' }
  /** Finish: the worker replies, closes its port and ends. */
  | { kind: 'rpc'; seq: number; type: 'stop' }
  /** The hypervisor's recent-exit trace (the reply's value: ExitTraceEntry[]). */
  | { kind: 'rpc'; seq: number; type: 'trace' }
  /** Each vCPU's share of the statistics (the reply's value: VcpuStats[]). */
  | { kind: 'rpc'; seq: number; type: 'vcpus' }
  /** The whole guest now, between slices (the reply's value: the snapshot file's bytes). */
  | { kind: 'rpc'; seq: number; type: 'snapshot' }
  /** The inspector's commands for one vCPU (the reply's value is the command's result; see DebugCommand). */
  | { kind: 'rpc'; seq: number; type: 'debug'; vcpu: number; command: DebugCommand };

/**
 * What the inspector asks of a vCPU, and what the reply carries:
 * pause, step → StopInfo (a step to an exit or an address, and continue, → null: the stop comes later as a
 * `debug-stop` signal); breakpoints → Breakpoints; inspect, write → InspectorState; tlb → TlbView;
 * memory → MemoryView; translate → TranslationView.
 */
export type DebugCommand =
  | { op: 'pause' }
  | { op: 'continue' }
  | { op: 'step'; unit: StepUnit; count?: number; address?: number }
  | { op: 'breakpoints'; breakpoints: Breakpoints }
  | { op: 'inspect' }
  | { op: 'tlb' }
  | { op: 'memory'; address: number; length: number; space: 'virtual' | 'physical' }
  | { op: 'translate'; address: number; fetch: boolean }
  | { op: 'write'; name: string; value: number };

export type WorkerSignal =
  /** Bytes typed on the console, for the UART's receive queue. */
  | { kind: 'signal'; type: 'input'; bytes: Uint8Array }
  /** A new effective configuration, applied between slices. */
  | { kind: 'signal'; type: 'configure'; hw: HwConfig; cost: CostModel }
  /** A channel to a guest created later: part of the device tree from the next reset. */
  | { kind: 'signal'; type: 'add-channel'; channel: ChannelDescriptor }
  /** The peer of a channel was removed: the channel leaves the device tree at the next reset. */
  | { kind: 'signal'; type: 'drop-channel'; handle: number }
  /** Bytes from a GDB client (remote serial protocol); the first ones attach the debugger and stop the guest. */
  | { kind: 'signal'; type: 'gdb'; bytes: Uint8Array }
  /** The GDB client went away: breakpoints are dropped and the guest runs on. */
  | { kind: 'signal'; type: 'gdb-detach' }
  /** Hold the guest, once started, stopped at its entry until a GDB client attaches. */
  | { kind: 'signal'; type: 'gdb-hold' };

export type ToWorker = WorkerRequest | WorkerSignal;

// ---- worker -> session ---------------------------------------------------

export type WorkerReply =
  | { kind: 'reply'; seq: number; ok: true; value?: unknown }
  /** A refused request: `code` and `field` as the LabError the session passes on (default invalid-state). */
  | { kind: 'reply'; seq: number; ok: false; message: string; code?: string; field?: string };

export type WorkerEvent =
  /** Console output of one slice, coalesced. */
  | { kind: 'signal'; type: 'console'; bytes: Uint8Array }
  /** What the guest sent on its byte channel to the lab ("console"). */
  | { kind: 'signal'; type: 'channel-console'; bytes: Uint8Array }
  /** The guest stopped: reset/poweroff (halted), checkstop/watchdog/panic (crashed). */
  | { kind: 'signal'; type: 'stopped'; reason: string; message?: string }
  /** The worker itself failed (an exception outside the guest); it ends after this. */
  | { kind: 'signal'; type: 'fatal'; message: string }
  /** Bytes for the GDB client. */
  | { kind: 'signal'; type: 'gdb'; bytes: Uint8Array }
  /** A running vCPU stopped for a debugger (a breakpoint, a watch, the end of a step, GDB). */
  | { kind: 'signal'; type: 'debug-stop'; vcpu: number; stop: StopInfo };

export type FromWorker = WorkerReply | WorkerEvent;
