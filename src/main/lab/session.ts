// LabSession: the hypervisor-wide state of one lab — the virtual hardware
// configuration, the cost model, the guests — and the clients (renderer
// windows, WebSocket connections) that watch it. Electron-free: it runs the
// same in the desktop app, in web mode, in the CLI and in tests.

import type { ExitTraceEntry, VcpuStats, GuestImage, GuestInfo, GuestSpec, LabEvent, ParamsOf, ResultOf } from '../../shared/api';
import type { DebugCommand } from '../link/worker-protocol';
import type { ExperimentExample } from '../../shared/experiment';
import { ExperimentService, listExamples } from './experiments';
import { applyCostPatch, type CostModel, type CostModelPatch, defaultCostModel } from '../../shared/cost';
import {
  applyHwPatch, defaultHwConfig, type HwConfig, type HwConfigPatch, type HwConfigView,
  isPresetId, presetConfig, PRESETS, type PresetInfo, viewOf,
} from '../../shared/hw';
import { LabFailure } from '../../shared/result';
import type { StatsSnapshot } from '../../shared/stats';
import { type GuestLimits, GuestManager, type InternalGuestOptions } from './guests';
import type { SpareWarmUp } from './guest-threads';
import { listGuestImages } from './images';

/** A connected renderer: it receives broadcast events and the consoles it subscribed to. */
export interface LabClient {
  readonly name: string;
  send(event: LabEvent): void;
}

export interface LabSessionOptions {
  /** The guest worker script (default: found next to the running bundle; see worker-script.ts). */
  workerScript?: string;
  /** Bounds on guests and their RAM (default: MAX_GUESTS, half the host's memory). */
  limits?: Partial<GuestLimits>;
  /**
   * Keep a warm spare guest thread, so that a new guest does not wait for a
   * thread to start and warm up (guest-threads.ts). The app and web mode do;
   * a session whose guests are all created at once (the CLI) gains nothing.
   */
  spareThread?: boolean;
}

export class LabSession {
  private hw: HwConfig = defaultHwConfig();
  private cost: CostModel = defaultCostModel();
  private readonly clients = new Set<LabClient>();
  private readonly guests: GuestManager;
  private readonly experiments: ExperimentService;

  constructor(options: LabSessionOptions = {}) {
    this.guests = new GuestManager({
      broadcast: (e) => this.broadcast(e),
      config: () => ({ hw: this.hw, cost: this.cost }),
      lost: (c) => this.detachClient(c),
      clientCount: () => this.clients.size,
      ...(options.workerScript !== undefined ? { workerScript: options.workerScript } : {}),
      ...(options.limits !== undefined ? { limits: options.limits } : {}),
      ...(options.spareThread !== undefined ? { spareThread: options.spareThread } : {}),
    });
    this.experiments = new ExperimentService({
      broadcast: (e) => this.broadcast(e),
      cost: () => this.cost,
      ...(options.workerScript !== undefined ? { workerScript: options.workerScript } : {}),
    });
  }

  // ---- clients and events ------------------------------------------------

  /** Adds a client; the returned function detaches it (and drops its console subscriptions). */
  attach(client: LabClient): () => void {
    this.clients.add(client);
    return () => this.detachClient(client);
  }

  private detachClient(client: LabClient): void {
    this.clients.delete(client);
    this.guests.detach(client);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  protected broadcast(event: LabEvent): void {
    for (const c of this.clients) {
      try {
        c.send(event);
      } catch {
        // A client that cannot take events (closed socket, destroyed window) is
        // dropped; the others and the session carry on.
        this.detachClient(c);
      }
    }
  }

  // ---- hardware configuration -------------------------------------------

  getHwConfig(): HwConfigView {
    return viewOf(this.hw);
  }

  /** The configuration as plain values (for guests and the CLI). */
  get hwConfig(): HwConfig {
    return this.hw;
  }

  setHwConfig(patch: HwConfigPatch): HwConfigView {
    this.hw = applyHwPatch(this.hw, patch);
    return this.hwChanged();
  }

  listPresets(): PresetInfo[] {
    return PRESETS.map((p) => ({ ...p }));
  }

  applyPreset(preset: string): HwConfigView {
    if (!isPresetId(preset)) {
      throw new LabFailure('unknown-preset', `Unknown preset "${preset}". Presets: ${PRESETS.map((p) => p.id).join(', ')}`);
    }
    // A preset is virtual hardware: the hypervisor's policy stays as it was.
    this.hw = { ...presetConfig(preset), policy: { ...this.hw.policy } };
    return this.hwChanged();
  }

  protected hwChanged(): HwConfigView {
    const view = viewOf(this.hw);
    this.guests.reconfigureAll();
    this.broadcast({ type: 'hw', view });
    return view;
  }

  // ---- cost model --------------------------------------------------------

  getCostModel(): CostModel {
    return { ...this.cost };
  }

  setCostModel(patch: CostModelPatch): CostModel {
    this.cost = applyCostPatch(this.cost, patch);
    return this.costChanged();
  }

  resetCostModel(): CostModel {
    this.cost = defaultCostModel();
    return this.costChanged();
  }

  private costChanged(): CostModel {
    this.guests.reconfigureAll();
    this.broadcast({ type: 'cost', model: { ...this.cost } });
    return { ...this.cost };
  }

  // ---- guests ------------------------------------------------------------

  listImages(): GuestImage[] {
    return listGuestImages();
  }

  listGuests(): GuestInfo[] {
    return this.guests.list();
  }

  /** Creates a guest on its own worker thread (started unless spec.start is false). `internal` is for tests only. */
  createGuest(spec: GuestSpec, internal?: InternalGuestOptions): Promise<GuestInfo> {
    return this.guests.create(spec, internal);
  }

  startGuest(id: string): Promise<GuestInfo> {
    return this.guests.start(id);
  }

  pauseGuest(id: string): Promise<GuestInfo> {
    return this.guests.pause(id);
  }

  /** Reboots a guest (also a halted one, and a crashed one on a new worker). */
  resetGuest(id: string): Promise<GuestInfo> {
    return this.guests.reset(id);
  }

  removeGuest(id: string): Promise<{ id: string }> {
    return this.guests.remove(id);
  }

  setGuestOverride(id: string, override: HwConfigPatch | null): GuestInfo {
    return this.guests.setOverride(id, override);
  }

  // ---- consoles ------------------------------------------------------------

  consoleWrite(id: string, data: string): { accepted: number } {
    return this.guests.write(id, data);
  }

  consoleSubscribe(client: LabClient, id: string): { scrollback: string } {
    return this.guests.subscribe(client, id);
  }

  consoleUnsubscribe(client: LabClient, id: string): { id: string } {
    return this.guests.unsubscribe(client, id);
  }

  consoleAck(client: LabClient, id: string, bytes: number): { inFlight: number } {
    return this.guests.ack(client, id, bytes);
  }

  // ---- statistics ------------------------------------------------------------

  resetStats(id?: string): { reset: number } {
    return this.guests.resetStats(id);
  }

  /** The guest's most recent exits with their disassembly (the renderer's trace view). */
  getTrace(id: string): Promise<{ entries: ExitTraceEntry[] }> {
    return this.guests.trace(id);
  }

  /** Each vCPU's instructions, exits and counters since the guest booted. */
  getVcpuStats(id: string): Promise<{ vcpus: VcpuStats[] }> {
    return this.guests.vcpuStats(id);
  }

  /**
   * Starts a GDB stub for the guest on 127.0.0.1:port (0: a free one): GDB's
   * remote protocol against its vCPU 0, which stops when GDB connects. With
   * `hold` (the `lab session` CLI's gdb=PORT), a guest not started yet waits
   * at its entry for GDB once started.
   */
  startGdb(id: string, port: number, hold = false): Promise<{ id: string; port: number }> {
    return this.guests.startGdb(id, port, hold);
  }

  /** Pauses, continues or steps a vCPU of a guest (see LabMethods.debugGuest). */
  debugGuest(p: ParamsOf<'debugGuest'>): Promise<ResultOf<'debugGuest'>> {
    return this.guests.debugGuest(p);
  }

  /** An inspector command for a vCPU of a guest; resolves with its result. */
  debug(id: string, vcpu: number, command: DebugCommand): Promise<unknown> {
    return this.guests.debug(id, vcpu, command);
  }

  // ---- snapshots -------------------------------------------------------------

  saveSnapshot(id: string): Promise<{ fileName: string; data: string; insns: number; bytes: number }> {
    return this.guests.saveSnapshot(id);
  }

  forkGuest(id: string, opts: { name?: string; override?: HwConfigPatch; start?: boolean }): Promise<GuestInfo> {
    return this.guests.fork(id, opts);
  }

  // ---- experiments -------------------------------------------------------------

  listExperiments(): ExperimentExample[] {
    return listExamples();
  }

  runExperiment(spec: unknown): { runId: string } {
    return this.experiments.start(spec);
  }

  cancelExperiment(runId: string): { runId: string } {
    return this.experiments.cancel(runId);
  }

  /** The snapshot of the latest ~10 Hz statistics tick. */
  statsSnapshot(): StatsSnapshot {
    return this.guests.snapshot();
  }

  /** A snapshot taken now (the CLI's final table). */
  sampleStats(): StatsSnapshot {
    return this.guests.sampleNow();
  }

  /** One guest's raw counters as the user sees them (the stats.ts layout), a copy. */
  guestCounters(id: string): Float64Array {
    return this.guests.counters(id);
  }

  /** A guest's worker thread, for tests that kill it from outside. */
  guestThread(id: string): import('node:worker_threads').Worker | undefined {
    return this.guests.thread(id);
  }

  /** Guest worker threads started and reused so far, and idle now (tests and the benchmark). */
  guestThreadCounts(): { started: number; reused: number; idle: number } {
    return this.guests.threadCounts();
  }

  /** The spare guest threads' warm-ups that are over, oldest first: what each ran, or why it stopped (tests and the benchmark). */
  spareWarmUps(): readonly SpareWarmUp[] {
    return this.guests.spareWarmUps();
  }

  /** Stops every guest and releases their workers. */
  async shutdown(): Promise<void> {
    this.experiments.stop();
    this.clients.clear();
    await this.guests.shutdown();
  }
}
