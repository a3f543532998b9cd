// The LabApi contract: the only way the renderer talks to the lab. The Electron
// preload (IPC) and the web-mode client (WebSocket) both build this same object
// from a transport with createLabApi(); main and the web bridge validate every
// message against src/shared/protocol.ts before the LabSession sees it.
//
// Methods are remote procedure calls returning a Result; events flow the other
// way (console bytes, statistics, guest and hardware changes). Binary data
// (console bytes, uploaded ELF images) travels as base64 in both transports.

import type { CostModel, CostModelPatch } from './cost';
import type { Breakpoints, InspectorState, MemoryView, StepUnit, StopInfo, TlbView, TranslationView } from './debug';
import type { ExperimentExample, ExperimentProgress, ExperimentResults } from './experiment';
import type { HwConfigPatch, HwConfigView, PresetId, PresetInfo } from './hw';
import type { Result } from './result';
import type { CounterId, StatsSnapshot } from './stats';

export type GuestModel = 'native' | 'booke-hv' | 'state-transfer' | 'trap-and-emulate';

/** The models; `hardware`: whether the virtual hardware configuration (strategies, directions) applies to it. */
export const GUEST_MODELS: readonly { id: GuestModel; label: string; description: string; hardware: boolean }[] = [
  { id: 'native', label: 'native', description: 'No hypervisor: the guest owns the core (the baseline).', hardware: false },
  { id: 'booke-hv', label: 'booke-hv', description: 'Power ISA 2.06 Embedded.Hypervisor with the configured duplicated set.', hardware: true },
  { id: 'state-transfer', label: 'state-transfer', description: 'VMCS-style: the transfer strategy for the chosen set, with state switched on every entry and exit.', hardware: true },
  { id: 'trap-and-emulate', label: 'trap-and-emulate', description: 'No virtualization hardware (KVM on PowerPC 440): the guest kernel runs in user mode, every privileged instruction traps and is emulated, every interrupt is reflected.', hardware: false },
];

/** Whether the virtual hardware configuration applies to guests of this model. */
export function modelHasHardware(model: GuestModel): boolean {
  return GUEST_MODELS.find((m) => m.id === model)?.hardware ?? false;
}

/** running: executing; idle: waiting in `wait` or for input; paused: stopped by the user;
 *  halted: the guest ended its run (reset register or power-off); crashed: stopped by a hardware-level fault. */
export type GuestState = 'created' | 'running' | 'idle' | 'paused' | 'halted' | 'crashed';

export interface GuestImage {
  /** Identifier used in GuestSpec.image, e.g. "labos". */
  id: string;
  /** Path relative to the repository, for display. */
  path: string;
  size: number;
  description: string;
}

export interface GuestSpec {
  /** Display name; a unique one is chosen when omitted. */
  name?: string;
  /** A bundled image id (see listImages) ... */
  image?: string;
  /** ... or an ELF the user picked, base64-encoded. */
  upload?: { fileName: string; data: string };
  ramMb?: number;
  /** vCPUs, 1 to 8 (default 1). */
  smp?: number;
  model?: GuestModel;
  /** Per-guest hardware override on top of the hypervisor-wide configuration. */
  override?: HwConfigPatch;
  /** Kernel command line (device tree chosen/bootargs). */
  bootargs?: string;
  /** Start running immediately (default true). */
  start?: boolean;
  /**
   * Start from a snapshot file (base64) instead of booting: the guest takes
   * the snapshot's model, RAM and bootargs, and the bundled image it names
   * (or the image or upload given, which must be the same bytes).
   */
  snapshot?: { fileName: string; data: string };
}

export interface GuestInfo {
  id: string;
  name: string;
  image: string;
  model: GuestModel;
  ramMb: number;
  /** vCPUs (1 when absent). */
  smp?: number;
  state: GuestState;
  override: HwConfigPatch | null;
  bootargs: string;
  /** Why a guest crashed or halted. */
  reason?: string;
  /** While paused: why its vCPU stopped (a pause, a step, a breakpoint, a watch, GDB). */
  stop?: StopInfo;
}

/** One exit in a guest's recent-exit trace (the hypervisor keeps the last 64; src/main/hv/account.ts). */
export interface ExitTraceEntry {
  /** The vCPU that exited. */
  vcpu: number;
  /** Guest instructions that vCPU had retired when the exit happened. */
  insns: number;
  pc: number;
  reason: CounterId;
  /** SPR number for SPR traps, else -1. */
  spr: number;
  /** The instruction word at pc (0 when the exit was not caused by an instruction). */
  word: number;
  /** Modeled cycles charged to the guest for it. */
  cycles: number;
  /** The instruction, disassembled ('' when word is 0). */
  disassembly: string;
}

/** One vCPU's share of a guest's statistics, counted since the guest booted (resetStats does not reach it). */
export interface VcpuStats {
  vcpu: number;
  /** Executing; waiting for an interrupt (wait, or idle in the hypervisor); or still in the spin table, not started by the guest. */
  state: 'running' | 'waiting' | 'spinning';
  /** Instructions it retired. */
  insns: number;
  exits: number;
  /** The counters it counted (absent: zero). */
  counters: Partial<Record<CounterId, number>>;
}

/** Parameters and result of every method. */
export interface LabMethods {
  getHwConfig: { params: Record<string, never>; result: HwConfigView };
  setHwConfig: { params: HwConfigPatch; result: HwConfigView };
  listPresets: { params: Record<string, never>; result: PresetInfo[] };
  applyPreset: { params: { preset: PresetId }; result: HwConfigView };
  getCostModel: { params: Record<string, never>; result: CostModel };
  setCostModel: { params: CostModelPatch; result: CostModel };
  resetCostModel: { params: Record<string, never>; result: CostModel };
  listImages: { params: Record<string, never>; result: GuestImage[] };
  listGuests: { params: Record<string, never>; result: GuestInfo[] };
  createGuest: { params: GuestSpec; result: GuestInfo };
  startGuest: { params: { id: string }; result: GuestInfo };
  pauseGuest: { params: { id: string }; result: GuestInfo };
  resetGuest: { params: { id: string }; result: GuestInfo };
  removeGuest: { params: { id: string }; result: { id: string } };
  setGuestOverride: { params: { id: string; override: HwConfigPatch | null }; result: GuestInfo };
  /** Text typed on a guest's console (sent as UTF-8 bytes to its UART). */
  consoleWrite: { params: { id: string; data: string }; result: { accepted: number } };
  /** Starts console events for a guest; returns the recent scrollback (base64). */
  consoleSubscribe: { params: { id: string }; result: { scrollback: string } };
  consoleUnsubscribe: { params: { id: string }; result: { id: string } };
  /** Flow control: the subscriber has processed this many more bytes of the guest's output. */
  consoleAck: { params: { id: string; bytes: number }; result: { inFlight: number } };
  resetStats: { params: { id?: string }; result: { reset: number } };
  /** The guest's most recent exits, oldest first (empty while it has no worker). */
  getTrace: { params: { id: string }; result: { entries: ExitTraceEntry[] } };
  /** Each vCPU's instructions, exits and counters since boot (a guest with one vCPU has one entry). */
  getVcpuStats: { params: { id: string }; result: { vcpus: VcpuStats[] } };
  /**
   * Starts the guest's GDB stub on 127.0.0.1 (port 0 or none: a free one;
   * the same port again once started). The guest's vCPU 0 stops when GDB
   * connects and is GDB's thread 1.
   */
  startGdb: { params: { id: string; port?: number }; result: { id: string; port: number } };
  /**
   * Pauses, continues or steps one vCPU (0 unless given): a step of
   * instructions or blocks returns its stop; a step to the next exit or to an
   * address, and continue, return at once (stop: null) and the stop arrives
   * as the guest's `stop` in a 'guests' event. Other guests keep running.
   */
  debugGuest: {
    params: { id: string; vcpu?: number; action: 'pause' | 'continue' | 'step'; unit?: StepUnit; count?: number; address?: number };
    result: { guest: GuestInfo; stop: StopInfo | null };
  };
  /** Replaces a vCPU's breakpoints: PCs, exit reasons (counter names), SPR accesses. */
  setBreakpoints: { params: { id: string; vcpu?: number; breakpoints: Breakpoints }; result: Breakpoints };
  /** Registers, SPRs (with where each guest value lives) and the last stop of a vCPU. */
  inspectGuest: { params: { id: string; vcpu?: number }; result: InspectorState };
  /** The guest's TLB and the shadow entries the hypervisor installed for it. */
  inspectTlb: { params: { id: string; vcpu?: number }; result: TlbView };
  /** Guest memory (virtual through the vCPU's translation, or physical) with its disassembly. */
  readGuestMemory: { params: { id: string; vcpu?: number; address: number; length: number; space?: 'virtual' | 'physical' }; result: MemoryView };
  /** How the vCPU's translation maps an address now. */
  translateAddress: { params: { id: string; vcpu?: number; address: number; fetch?: boolean }; result: TranslationView };
  /** Sets a register of a paused vCPU (validated against its writable bits); returns the new state. */
  writeRegister: { params: { id: string; vcpu?: number; name: string; value: number }; result: InspectorState };
  /** The whole guest now (vCPU, TLBs, devices, hypervisor state, RAM) as a snapshot file, base64. */
  saveSnapshot: { params: { id: string }; result: { fileName: string; data: string; insns: number; bytes: number } };
  /** A new guest that continues from where this one is now (optionally under other hardware). */
  forkGuest: { params: { id: string; name?: string; override?: HwConfigPatch; start?: boolean }; result: GuestInfo };
  /** The bundled example experiments (resources/experiments). */
  listExperiments: { params: Record<string, never>; result: ExperimentExample[] };
  /**
   * Starts an experiment (an experiment file's contents, validated with
   * errors that name the field); its progress and results arrive as
   * 'experiment' events. One runs at a time.
   */
  runExperiment: { params: { spec: unknown }; result: { runId: string } };
  cancelExperiment: { params: { runId: string }; result: { runId: string } };
}

export type LabMethodName = keyof LabMethods;
export type ParamsOf<M extends LabMethodName> = LabMethods[M]['params'];
export type ResultOf<M extends LabMethodName> = LabMethods[M]['result'];

/** Every method, in a fixed order (the preload and the web client iterate it). */
export const LAB_METHOD_NAMES = [
  'getHwConfig', 'setHwConfig', 'listPresets', 'applyPreset',
  'getCostModel', 'setCostModel', 'resetCostModel',
  'listImages', 'listGuests', 'createGuest', 'startGuest', 'pauseGuest', 'resetGuest', 'removeGuest', 'setGuestOverride',
  'consoleWrite', 'consoleSubscribe', 'consoleUnsubscribe', 'consoleAck', 'resetStats', 'getTrace', 'getVcpuStats', 'startGdb',
  'debugGuest', 'setBreakpoints', 'inspectGuest', 'inspectTlb', 'readGuestMemory', 'translateAddress', 'writeRegister',
  'listExperiments', 'runExperiment', 'cancelExperiment', 'saveSnapshot', 'forkGuest',
] as const satisfies readonly LabMethodName[];

// Compile-time check that the list names every method exactly once.
type Missing = Exclude<LabMethodName, (typeof LAB_METHOD_NAMES)[number]>;
const _allMethodsListed: Missing extends never ? true : Missing = true;
void _allMethodsListed;

/** Events pushed from the lab to every connected renderer. */
export type LabEvent =
  | { type: 'console'; id: string; data: string }
  | { type: 'stats'; snapshot: StatsSnapshot }
  | { type: 'guests'; guests: GuestInfo[] }
  | { type: 'hw'; view: HwConfigView }
  | { type: 'cost'; model: CostModel }
  | { type: 'notice'; level: 'info' | 'error'; message: string; id?: string }
  /** An experiment's progress, its results when done, or why it stopped ('cancelled' or an error). */
  | { type: 'experiment'; runId: string; progress?: ExperimentProgress; results?: ExperimentResults; error?: string };

export type LabApi = {
  readonly [M in LabMethodName]: (params: ParamsOf<M>) => Promise<Result<ResultOf<M>>>;
} & {
  /** Subscribes to lab events; returns the unsubscribe function. */
  onEvent(listener: (event: LabEvent) => void): () => void;
  /** Which transport this is ("ipc" in Electron, "ws" in web mode). */
  readonly transport: 'ipc' | 'ws';
};

/** What a transport supplies; createLabApi turns it into the typed LabApi. */
export interface LabTransport {
  readonly kind: 'ipc' | 'ws';
  call(method: LabMethodName, params: unknown): Promise<Result<unknown>>;
  onEvent(listener: (event: LabEvent) => void): () => void;
}

export function createLabApi(transport: LabTransport): LabApi {
  const api: Record<string, unknown> = {
    onEvent: (listener: (event: LabEvent) => void) => transport.onEvent(listener),
    transport: transport.kind,
  };
  for (const name of LAB_METHOD_NAMES) {
    api[name] = (params: unknown) => transport.call(name, params ?? {});
  }
  return api as LabApi;
}

/** The Electron IPC channel names (used only by the preload and src/main/index.ts). */
export const IPC_CHANNELS = { rpc: 'lab:rpc', event: 'lab:event' } as const;

/** Limits shared by both transports. */
export const LIMITS = {
  /** Largest WebSocket or IPC message accepted, in bytes. */
  maxMessageBytes: 24 * 1024 * 1024,
  /** Largest uploaded ELF image, in bytes (before base64). */
  maxImageBytes: 16 * 1024 * 1024,
  /** Largest console write, in characters. */
  maxConsoleWrite: 64 * 1024,
  /** Console input a guest has not read yet, in bytes: past it a write is refused (the guest is not reading). */
  maxConsoleInputPending: 1024 * 1024,
} as const;
