// The guests of a LabSession: their registry, their lifecycle (create, start,
// pause, reset, remove), their consoles, byte channels and statistics. Each
// guest runs on its own worker thread (GuestHost); this module decides the
// GuestInfo states the renderer sees and reports every change as a 'guests'
// event.
//
// States: created (not started yet) -> running <-> idle (derived from the
// worker's busy share at each statistics tick) <-> paused; halted when the
// guest reset or powered off the board (resetGuest boots it again); crashed
// when it faulted at the hardware level or its worker failed or vanished:
// the worker is cleaned up at once and resetGuest starts a new one.

import type { ExitTraceEntry, VcpuStats, GuestInfo, GuestModel, GuestSpec, LabEvent, ParamsOf, ResultOf } from '../../shared/api';
import type { StopInfo } from '../../shared/debug';
import { LIMITS } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import { applyHwPatch, type HwConfig, type HwConfigPatch } from '../../shared/hw';
import { LabFailure } from '../../shared/result';
import type { StatsSnapshot } from '../../shared/stats';
import { ElfError, parseElf } from '../guest/elf';
import { totalmem } from 'node:os';
import { ChannelRegistry, type ChannelEnd } from './channels';
import { ConsoleHub } from './console-hub';
import { consoleTaken, createControl, resetConsoleQueue, setConsoleHold } from '../link/control';
import { createHostTlb } from '../link/host-tlb';
import { GuestHost } from './guest-host';
import { GuestThreads, type SpareWarmUp } from './guest-threads';
import { GdbRelay } from './gdb-relay';
import { guestImagePath, listGuestImages, unpackImage, UnpackedImages } from './images';
import type { LabClient } from './session';
import { createStatsBuffer, H, R } from '../link/stats';
import { QUIET_AFTER, QUIET_INTERVAL_MS, STATS_INTERVAL_MS, StatsPump } from './stats-pump';
import type { DebugCommand, GuestTestHooks } from '../link/worker-protocol';
import { checkCompatible, decodeSnapshot, readSnapshotHeader, sha256, type Snapshot, SnapshotError } from '../link/snapshot';
import { LAB_VERSION } from '../../shared/version';
import { resolveWorkerScript, type WorkerScript } from './worker-script';

/** Guests a session runs at most (each has an LPID in 1..63 and a worker thread). */
export const MAX_GUESTS = 32;
const DEFAULT_RAM_MB = 128;

/**
 * Guest RAM a session may hand out in all: half the host's memory (each
 * guest's RAM is a buffer in its worker), so that a user who asks for more
 * gets a refusal instead of a swap storm that stalls every guest.
 */
export function defaultTotalRamMb(hostBytes = totalmem()): number {
  return Math.max(64, Math.floor(hostBytes / 2 / (1024 * 1024)));
}

/** The bounds a session enforces (tests make them small to reach them). */
export interface GuestLimits {
  maxGuests: number;
  maxTotalRamMb: number;
}
const DEFAULT_MODEL: GuestModel = 'booke-hv';
/** Longest line a guest may send to the lab's console channel before it is cut. */
const CHANNEL_LINE_MAX = 256;
/** An idle guest became busy above this share of a core, a running one idle below the other. */
const BUSY_TO_RUNNING = 0.3;
const BUSY_TO_IDLE = 0.1;

/** Options reachable only from TypeScript (tests), never from the LabApi schema. */
export interface InternalGuestOptions {
  testHooks?: GuestTestHooks;
}

/** What the manager needs from its session. */
export interface GuestManagerContext {
  broadcast(event: LabEvent): void;
  /** The hypervisor-wide configuration and cost model now. */
  config(): { hw: HwConfig; cost: CostModel };
  /** A client whose send() failed: the session drops it. */
  lost(client: LabClient): void;
  clientCount(): number;
  workerScript?: string;
  limits?: Partial<GuestLimits>;
  /** Keep a warm spare guest thread (guest-threads.ts). */
  spareThread?: boolean;
}

interface Guest {
  info: GuestInfo;
  elf: Uint8Array;
  lpid: number;
  control: Int32Array;
  stats: Float64Array;
  hub: ConsoleHub;
  host: GuestHost | null;
  testHooks?: GuestTestHooks;
  /** A partial line received on the guest's channel to the lab. */
  channelLine: number[];
  /** The guest's GDB stub, once started. */
  gdb?: GdbRelay;
  /** Console bytes typed for the current worker (against the block's consoleIn, what it has received). */
  typed: number;
  /** A snapshot the guest's first worker starts from (file bytes); dropped once spawned (a reset boots the image). */
  snapshot?: Uint8Array;
}

/** The bundled image a spare thread's machine warm-up boots. */
const WARMUP_IMAGE = 'labos';

const encoder = new TextEncoder();

function labLine(text: string): Uint8Array {
  return encoder.encode(`\r\n[lab] ${text}\r\n`);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

export class GuestManager {
  private readonly guests = new Map<string, Guest>();
  private readonly channels = new ChannelRegistry();
  private readonly pump = new StatsPump();
  /** One physical core's TLB that the guests whose policy says hostTlb: 'shared' share (link/host-tlb.ts). */
  private readonly hostTlb = createHostTlb();
  private timer: NodeJS.Timeout | null = null;
  /** Statistics readings in a row in which no guest did anything. */
  private quiet = 0;
  private lastSnapshot: StatsSnapshot = { t: 0, guests: [] };
  private script: WorkerScript | null = null;
  private nextId = 0;

  private readonly limits: GuestLimits;

  /** Bundled images, unpacked, while their files are unchanged. */
  private readonly images = new UnpackedImages();
  /** Worker threads without a guest: a new guest takes one before a new thread is started. */
  private readonly threads: GuestThreads;

  constructor(private readonly ctx: GuestManagerContext) {
    this.limits = { maxGuests: MAX_GUESTS, maxTotalRamMb: defaultTotalRamMb(), ...ctx.limits };
    this.threads = new GuestThreads(() => this.workerScript(), { keepSpare: ctx.spareThread ?? false, warmUpImage: () => this.warmUpImage() });
  }

  // ---- queries ---------------------------------------------------------------

  list(): GuestInfo[] {
    return [...this.guests.values()].map((g) => this.infoOf(g));
  }

  private infoOf(g: Guest): GuestInfo {
    return { ...g.info, override: g.info.override ? structuredClone(g.info.override) : null };
  }

  private get(id: string): Guest {
    const g = this.guests.get(id);
    if (!g) {
      const known = [...this.guests.values()].map((x) => `${x.info.id} (${x.info.name})`).join(', ') || 'none';
      throw new LabFailure('unknown-guest', `No guest with id "${id}". Guests: ${known}`);
    }
    return g;
  }

  /** The counters of a guest as the user sees them (after resetStats), a copy. */
  counters(id: string): Float64Array {
    const g = this.get(id);
    return this.pump.read({ id, block: g.stats });
  }

  /** The latest statistics tick's snapshot. */
  snapshot(): StatsSnapshot {
    return this.lastSnapshot;
  }

  /** A fresh snapshot (rates over the time since the last tick), without disturbing the tick. */
  sampleNow(): StatsSnapshot {
    return this.pump.sample(this.sources(), false).snapshot;
  }

  /** Guest threads started and handed out again so far, and idle now. */
  threadCounts(): { started: number; reused: number; idle: number } {
    return { started: this.threads.started, reused: this.threads.reused, idle: this.threads.idleCount };
  }

  /** The spare threads' warm-ups that are over (guest-threads.ts), oldest first. */
  spareWarmUps(): readonly SpareWarmUp[] {
    return this.threads.warmUps;
  }

  /** The worker thread of a guest (tests kill it from outside). */
  thread(id: string): import('node:worker_threads').Worker | undefined {
    return this.get(id).host?.thread;
  }

  // ---- lifecycle -------------------------------------------------------------

  async create(given: GuestSpec, internal: InternalGuestOptions = {}): Promise<GuestInfo> {
    const { maxGuests, maxTotalRamMb } = this.limits;
    if (this.guests.size >= maxGuests) throw new LabFailure('unavailable', `The lab runs at most ${maxGuests} guests; remove one first`);
    const { spec, snapshot } = this.fromSnapshot(given);
    const ramMb = spec.ramMb ?? DEFAULT_RAM_MB;
    const usedMb = [...this.guests.values()].reduce((n, x) => n + x.info.ramMb, 0);
    if (usedMb + ramMb > maxTotalRamMb) {
      throw new LabFailure('unavailable', `${ramMb} MB more guest RAM would exceed the session's ${maxTotalRamMb} MB (half the host's memory; ${usedMb} MB in use); remove a guest or ask for less`,
        { field: 'ramMb' });
    }
    const smp = spec.smp ?? 1;
    const { elf, image } = this.loadImage(spec, ramMb);
    if (snapshot) {
      try {
        checkCompatible(snapshot.header, { ...snapshot.header.config, image: { name: image, sha256: sha256(elf) } }, LAB_VERSION);
      } catch (e) {
        if (e instanceof SnapshotError) throw new LabFailure('bad-image', `${given.snapshot!.fileName}: ${e.message}`, { field: 'snapshot' });
        throw e;
      }
    }
    const override = spec.override ? this.checkOverride(spec.override) : null;
    const name = spec.name ?? this.defaultName(image);
    if ([...this.guests.values()].some((g) => g.info.name === name)) {
      throw new LabFailure('invalid-request', `A guest named "${name}" already exists; names are unique`, { field: 'name' });
    }
    if (name === 'console') throw new LabFailure('invalid-request', '"console" names the lab\'s own byte channel; choose another name', { field: 'name' });
    this.workerScript(); // a missing worker bundle is reported before anything changes
    const id = `g${++this.nextId}`;
    const start = spec.start ?? true;
    const control = createControl();
    const g: Guest = {
      info: {
        id, name, image, model: spec.model ?? DEFAULT_MODEL, ramMb, ...(smp > 1 ? { smp } : {}), state: start ? 'running' : 'created',
        override, bootargs: spec.bootargs ?? '',
      },
      elf,
      lpid: this.freeLpid(),
      control,
      stats: createStatsBuffer(),
      hub: new ConsoleHub(id, (held) => setConsoleHold(control, held), (c) => this.ctx.lost(c)),
      host: null,
      channelLine: [],
      typed: 0,
      ...(internal.testHooks ? { testHooks: internal.testHooks } : {}),
      ...(snapshot ? { snapshot: snapshot.bytes } : {}),
    };
    // Channels to every guest that exists now: the newcomer sees them at its
    // first boot, the others at their next reset.
    for (const peer of this.guests.values()) {
      const { forA } = this.channels.connect(this.endOf(peer), this.endOf(g));
      peer.host?.signal({ kind: 'signal', type: 'add-channel', channel: forA });
    }
    this.guests.set(id, g);
    try {
      this.spawn(g, start);
    } catch (e) {
      this.guests.delete(id);
      this.disconnect(id);
      throw new LabFailure('unavailable', `Cannot start a worker thread for ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.kick();
    this.changed();
    return this.infoOf(g);
  }

  async start(id: string): Promise<GuestInfo> {
    const g = this.get(id);
    if (g.info.state !== 'created' && g.info.state !== 'paused') {
      throw new LabFailure('invalid-state', `Guest ${g.info.name} is ${g.info.state}; only a created or paused guest can be started${this.hint(g)}`);
    }
    await this.live(g).request('run');
    this.kick();
    if (g.info.state === 'created' || g.info.state === 'paused') this.setState(g, 'running');
    return this.infoOf(g);
  }

  async pause(id: string): Promise<GuestInfo> {
    const g = this.get(id);
    if (g.info.state !== 'running' && g.info.state !== 'idle') {
      throw new LabFailure('invalid-state', `Guest ${g.info.name} is ${g.info.state}; only a running guest can be paused`);
    }
    const stop = await this.live(g).debug(0, { op: 'pause' }) as StopInfo;
    if (g.info.state === 'running' || g.info.state === 'idle') this.paused(g, stop);
    return this.infoOf(g);
  }

  async reset(id: string): Promise<GuestInfo> {
    const g = this.get(id);
    if (g.host === null) {
      // A crashed guest gets a new worker, with the channels that exist now.
      this.spawn(g, true);
    } else {
      await g.host.request('reset');
    }
    this.pump.forget(id);
    this.kick();
    g.hub.publish(labLine('guest reset'));
    this.setState(g, 'running');
    return this.infoOf(g);
  }

  /**
   * Starts the guest's GDB stub on 127.0.0.1:port (0: a free port); resolves
   * with the port. The guest stops when GDB connects (vCPU 0 is GDB's thread 1);
   * with `hold`, a guest not started yet waits at its entry for GDB once started.
   */
  async startGdb(id: string, port: number, hold = false): Promise<{ id: string; port: number }> {
    const g = this.get(id);
    if (hold) g.host?.signal({ kind: 'signal', type: 'gdb-hold' });
    if (g.gdb) return { id, port: g.gdb.port };
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LabFailure('invalid-request', `GDB port must be 0-65535 (got ${port})`, { field: 'port' });
    const relay = new GdbRelay({
      toGuest: (bytes) => g.host?.signal({ kind: 'signal', type: 'gdb', bytes }, [bytes.buffer as ArrayBuffer]),
      detached: () => g.host?.signal({ kind: 'signal', type: 'gdb-detach' }),
    });
    try {
      await relay.start(port);
    } catch (e) {
      throw new LabFailure('invalid-request', `cannot listen for GDB on 127.0.0.1:${port}: ${e instanceof Error ? e.message : String(e)}`, { field: 'port' });
    }
    g.gdb = relay;
    return { id, port: relay.port };
  }

  /** An inspector command for one vCPU of a guest (its worker answers; a guest without one has nothing to show). */
  async debug(id: string, vcpu: number, command: DebugCommand): Promise<unknown> {
    const g = this.get(id);
    return this.live(g).debug(vcpu, command);
  }

  /**
   * Pause, continue or step a vCPU. The guest's state follows: a step leaves
   * it paused with the step's stop; continue and the full-speed steps run it
   * until their stop arrives (a debug-stop signal).
   */
  async debugGuest(p: ParamsOf<'debugGuest'>): Promise<ResultOf<'debugGuest'>> {
    const g = this.get(p.id);
    const vcpu = p.vcpu ?? 0;
    const state = g.info.state;
    if (state === 'halted' || state === 'crashed') {
      throw new LabFailure('invalid-state', `Guest ${g.info.name} is ${state}; reset it to debug it`);
    }
    const host = this.live(g);
    switch (p.action) {
      case 'pause': {
        const stop = await host.debug(vcpu, { op: 'pause' }) as StopInfo;
        this.paused(g, stop);
        return { guest: this.infoOf(g), stop };
      }
      case 'continue':
        if (state === 'running' || state === 'idle') throw new LabFailure('invalid-state', `Guest ${g.info.name} is already running`);
        await host.debug(vcpu, { op: 'continue' });
        this.kick();
        this.resumed(g);
        return { guest: this.infoOf(g), stop: null };
      case 'step': {
        if (state === 'running' || state === 'idle') throw new LabFailure('invalid-state', `Guest ${g.info.name} is running; pause it to step it`);
        const unit = p.unit ?? 'instruction';
        const stop = await host.debug(vcpu, {
          op: 'step', unit, ...(p.count !== undefined ? { count: p.count } : {}), ...(p.address !== undefined ? { address: p.address } : {}),
        }) as StopInfo | null;
        this.kick();
        if (stop === null) this.resumed(g);
        else if (stop.kind !== 'ended') this.paused(g, stop);
        return { guest: this.infoOf(g), stop };
      }
    }
  }

  /** The guest's vCPU stopped for a debugger: paused, with why. */
  private paused(g: Guest, stop: StopInfo): void {
    g.info.stop = stop;
    if (g.info.state === 'halted' || g.info.state === 'crashed') return;
    g.info.state = 'paused';
    delete g.info.reason;
    this.changed();
  }

  private resumed(g: Guest): void {
    delete g.info.stop;
    this.setState(g, 'running');
  }

  async remove(id: string): Promise<{ id: string }> {
    const g = this.get(id);
    await g.gdb?.close();
    this.guests.delete(id);
    this.disconnect(id);
    this.pump.forget(id);
    const host = g.host;
    g.host = null;
    if (this.guests.size === 0) this.stopTimer();
    this.changed();
    await host?.stop();
    return { id };
  }

  setOverride(id: string, override: HwConfigPatch | null): GuestInfo {
    const g = this.get(id);
    g.info.override = override ? this.checkOverride(override) : null;
    this.configure(g);
    this.changed();
    return this.infoOf(g);
  }

  /** The hypervisor-wide configuration or cost model changed: every guest gets its new effective one. */
  reconfigureAll(): void {
    for (const g of this.guests.values()) this.configure(g);
  }

  async shutdown(): Promise<void> {
    this.stopTimer();
    await Promise.all([...this.guests.values()].map((g) => g.gdb?.close()));
    const hosts = [...this.guests.values()].map((g) => g.host).filter((h): h is GuestHost => h !== null);
    this.guests.clear();
    await this.threads.close(); // first: the threads the guests give back are ended, not kept
    await Promise.all(hosts.map((h) => h.stop()));
  }

  // ---- consoles --------------------------------------------------------------

  write(id: string, data: string): { accepted: number } {
    const g = this.get(id);
    if (g.info.state === 'halted' || g.info.state === 'crashed') {
      throw new LabFailure('invalid-state', `Guest ${g.info.name} is ${g.info.state}; reset it before typing on its console`);
    }
    const bytes = Buffer.from(data, 'utf8');
    // Typed but unread: what the worker holds for the UART, plus what is on its way to the worker.
    const unread = g.stats[R.inputPending]! + (g.typed - g.stats[H.consoleIn]!);
    if (unread + bytes.length > LIMITS.maxConsoleInputPending) {
      throw new LabFailure('unavailable', `${g.info.name} has ${unread} bytes of console input it has not read yet (limit ${LIMITS.maxConsoleInputPending}); nothing was typed. Wait for the guest to read its console`);
    }
    g.typed += bytes.length;
    const copy = new Uint8Array(bytes);
    this.live(g).signal({ kind: 'signal', type: 'input', bytes: copy }, [copy.buffer]);
    this.kick();
    return { accepted: bytes.length };
  }

  subscribe(client: LabClient, id: string): { scrollback: string } {
    const bytes = this.get(id).hub.subscribe(client);
    return { scrollback: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }

  unsubscribe(client: LabClient, id: string): { id: string } {
    this.get(id).hub.unsubscribe(client);
    return { id };
  }

  ack(client: LabClient, id: string, bytes: number): { inFlight: number } {
    return { inFlight: this.get(id).hub.ack(client, bytes) };
  }

  /** A client went away: it no longer holds any guest back. */
  detach(client: LabClient): void {
    for (const g of this.guests.values()) g.hub.unsubscribe(client);
  }

  /** Each vCPU's share of the statistics since boot; none while the guest has no live worker (crashed). */
  async vcpuStats(id: string): Promise<{ vcpus: VcpuStats[] }> {
    return { vcpus: await this.listFromWorker<VcpuStats>(id, 'vcpus') };
  }

  /** The guest's most recent exits, oldest first; empty while it has no live worker (crashed). */
  async trace(id: string): Promise<{ entries: ExitTraceEntry[] }> {
    return { entries: await this.listFromWorker<ExitTraceEntry>(id, 'trace') };
  }

  /** A list the guest's worker keeps (its trace, its vCPUs' statistics); empty while it has no live worker. */
  private async listFromWorker<T>(id: string, type: 'trace' | 'vcpus'): Promise<T[]> {
    const g = this.get(id);
    if (g.host === null || !g.host.alive) return [];
    return (await g.host.request(type)) as T[];
  }

  resetStats(id?: string): { reset: number } {
    const targets = id === undefined ? [...this.guests.values()] : [this.get(id)];
    for (const g of targets) this.pump.resetBaseline({ id: g.info.id, block: g.stats });
    return { reset: targets.length };
  }

  // ---- internals -------------------------------------------------------------

  /**
   * A spec that starts from a snapshot file: the file is checked whole here;
   * the guest gets the snapshot's model, RAM and bootargs, and its image
   * (the bundled one it names, unless the spec gives the image or an upload).
   */
  private fromSnapshot(spec: GuestSpec): { spec: GuestSpec; snapshot?: { header: Snapshot['header']; bytes: Uint8Array } } {
    if (!spec.snapshot) return { spec };
    const bytes = new Uint8Array(Buffer.from(spec.snapshot.data, 'base64'));
    let snap: Snapshot;
    try {
      snap = decodeSnapshot(bytes, spec.snapshot.fileName);
    } catch (e) {
      if (e instanceof SnapshotError) throw new LabFailure('bad-image', e.message, { field: 'snapshot' });
      throw e;
    }
    const c = snap.header.config;
    if (spec.model !== undefined && spec.model !== c.model) {
      throw new LabFailure('invalid-request', `${spec.snapshot.fileName} was taken under the ${c.model} model; a guest restored from it runs under ${c.model}`, { field: 'model' });
    }
    const { snapshot: _file, ...rest } = spec;
    return {
      spec: { ...rest, model: c.model, ramMb: c.ramMb, ...(c.smp !== undefined ? { smp: c.smp } : {}), bootargs: c.bootargs, ...(spec.image === undefined && spec.upload === undefined ? { image: c.image.name } : {}) },
      snapshot: { header: snap.header, bytes },
    };
  }

  /** The whole guest now, as a snapshot file. */
  async saveSnapshot(id: string): Promise<{ fileName: string; data: string; insns: number; bytes: number }> {
    const g = this.get(id);
    const bytes = await this.live(g).request('snapshot') as Uint8Array;
    const header = readSnapshotHeader(bytes);
    return { fileName: `${g.info.name}-${header.insns}.snap`, data: Buffer.from(bytes).toString('base64'), insns: header.insns, bytes: bytes.length };
  }

  /** A new guest that continues from where this one is now (a snapshot restored into a new worker). */
  async fork(id: string, opts: { name?: string; override?: GuestSpec['override']; start?: boolean }): Promise<GuestInfo> {
    const g = this.get(id);
    const snap = await this.saveSnapshot(id);
    const name = opts.name ?? this.defaultName(`${g.info.name}-fork`);
    const spec: GuestSpec = {
      name, snapshot: { fileName: snap.fileName, data: snap.data }, start: opts.start ?? true,
      ...(g.info.image.includes('.') || !guestImagePath(g.info.image) ? { upload: { fileName: g.info.image, data: Buffer.from(g.elf).toString('base64') } } : { image: g.info.image }),
      ...(opts.override !== undefined ? { override: opts.override } : g.info.override ? { override: g.info.override } : {}),
    };
    return this.create(spec);
  }

  private loadImage(spec: GuestSpec, ramMb: number): { elf: Uint8Array; image: string } {
    let unpack: () => Uint8Array;
    let image: string;
    if (spec.upload) {
      const bytes = new Uint8Array(Buffer.from(spec.upload.data, 'base64'));
      image = spec.upload.fileName;
      if (bytes.length > LIMITS.maxImageBytes) {
        throw new LabFailure('bad-image', `${image}: ${bytes.length} bytes is larger than the ${LIMITS.maxImageBytes}-byte limit`);
      }
      unpack = () => unpackImage(bytes, image);
    } else if (spec.image) {
      const path = guestImagePath(spec.image);
      if (!path) {
        const ids = listGuestImages().map((i) => i.id).join(', ') || 'none found';
        throw new LabFailure('bad-image', `Unknown guest image "${spec.image}". Images: ${ids}`, { field: 'image' });
      }
      image = spec.image;
      unpack = () => this.images.get(path, image);
    } else {
      throw new LabFailure('invalid-request', 'createGuest: give an image id or an upload');
    }
    let elf: Uint8Array;
    try {
      elf = unpack();
      parseElf(elf, ramMb * 1024 * 1024);
    } catch (e) {
      if (e instanceof ElfError) throw new LabFailure('bad-image', `${image}: ${e.message}`);
      throw e;
    }
    return { elf, image };
  }

  private checkOverride(patch: HwConfigPatch): HwConfigPatch {
    applyHwPatch(this.ctx.config().hw, patch); // throws a LabFailure naming what is wrong
    return structuredClone(patch);
  }

  private defaultName(image: string): string {
    const base = (image.replace(/\.elf$/i, '').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 24)) || 'guest';
    const taken = new Set([...this.guests.values()].map((g) => g.info.name));
    for (let n = 1; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  private freeLpid(): number {
    const used = new Set([...this.guests.values()].map((g) => g.lpid));
    for (let l = 1; l < 64; l++) if (!used.has(l)) return l;
    throw new LabFailure('unavailable', 'No logical partition ID is free');
  }

  /** The guest a spare thread boots to warm up its machine (guest/machine-warmup.ts): the bundled labOS, if found. */
  private warmUpImage(): Uint8Array | undefined {
    const path = guestImagePath(WARMUP_IMAGE);
    return path === undefined ? undefined : this.images.get(path, WARMUP_IMAGE);
  }

  private workerScript(): WorkerScript {
    try {
      this.script ??= resolveWorkerScript(this.ctx.workerScript);
    } catch (e) {
      throw new LabFailure('unavailable', e instanceof Error ? e.message : String(e));
    }
    return this.script;
  }

  /** Closes a departing guest's channels; its peers drop them at their next boot. */
  private disconnect(id: string): void {
    for (const { peer, handle } of this.channels.disconnect(id)) {
      this.guests.get(peer)?.host?.signal({ kind: 'signal', type: 'drop-channel', handle });
    }
  }

  private endOf(g: Guest): ChannelEnd {
    return { id: g.info.id, name: g.info.name, control: g.control.buffer as SharedArrayBuffer };
  }

  private effective(g: Guest): { hw: HwConfig; cost: CostModel } {
    const { hw, cost } = this.ctx.config();
    return { hw: g.info.override ? applyHwPatch(hw, g.info.override) : hw, cost };
  }

  private configure(g: Guest): void {
    const { hw, cost } = this.effective(g);
    g.host?.signal({ kind: 'signal', type: 'configure', hw, cost });
  }

  private spawn(g: Guest, start: boolean): void {
    const { hw, cost } = this.effective(g);
    // Input on its way to a previous worker died with it.
    g.typed = g.stats[H.consoleIn]!;
    g.stats[R.inputPending] = 0;
    const ends = new Map([...this.guests.values()].map((x) => [x.info.id, this.endOf(x)]));
    resetConsoleQueue(g.control);
    setConsoleHold(g.control, g.hub.isHeld);
    const host: GuestHost = new GuestHost({
      id: g.info.id, name: g.info.name, elf: g.elf, ramMb: g.info.ramMb, ...(g.info.smp !== undefined ? { smp: g.info.smp } : {}), bootargs: g.info.bootargs,
      model: g.info.model, hw, cost, lpid: g.lpid, imageName: g.info.image,
      ...(g.snapshot ? { snapshot: g.snapshot } : {}),
      stats: g.stats.buffer as SharedArrayBuffer, control: g.control.buffer as SharedArrayBuffer, hostTlb: this.hostTlb,
      channels: this.channels.channelsOf(g.info.id, ends), start,
      ...(g.testHooks ? { testHooks: g.testHooks } : {}),
    }, this.threads, g.control, {
      console: (bytes) => {
        if (g.host !== host) return;
        consoleTaken(g.control, bytes.length);
        g.hub.publish(bytes);
      },
      channelConsole: (bytes) => { if (g.host === host) this.channelText(g, bytes); },
      stopped: (reason, message) => { if (g.host === host) this.stopped(g, reason, message); },
      failed: (message) => { if (g.host === host) this.crashed(g, `emulator error: ${message}`); },
      gdb: (bytes) => { if (g.host === host) g.gdb?.fromGuest(bytes); },
      debugStop: (_vcpu, stop) => { if (g.host === host) this.paused(g, stop); },
    });
    g.host = host;
    // Only the first worker starts from the snapshot; a later one (a reset after a crash) boots the image.
    delete g.snapshot;
  }

  private live(g: Guest): GuestHost {
    if (g.host === null || !g.host.alive) throw new LabFailure('invalid-state', `Guest ${g.info.name} has no running worker (${g.info.state}); reset it`);
    return g.host;
  }

  private hint(g: Guest): string {
    return g.info.state === 'halted' || g.info.state === 'crashed' ? '; reset it to boot it again' : '';
  }

  private stopped(g: Guest, reason: string, message?: string): void {
    if (reason === 'reset' || reason === 'poweroff') {
      const why = reason === 'reset' ? 'the guest reset the board' : 'the guest powered off';
      g.hub.publish(labLine(`guest halted: ${why}`));
      this.setState(g, 'halted', why);
      this.notice('info', `Guest ${g.info.name} halted: ${why}`, g.info.id);
      return;
    }
    this.crashed(g, `${reason}${message ? `: ${message}` : ''}`);
  }

  /** Marks a guest crashed, reports it, and cleans up its worker; the other guests carry on. */
  private crashed(g: Guest, reason: string): void {
    const host = g.host;
    g.host = null;
    g.hub.publish(labLine(`guest stopped: ${firstLine(reason)}`));
    this.setState(g, 'crashed', reason);
    this.notice('error', `Guest ${g.info.name} crashed: ${reason}`, g.info.id);
    void host?.terminate();
  }

  private channelText(g: Guest, bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0D) continue;
      if (b !== 0x0A && g.channelLine.length < CHANNEL_LINE_MAX) {
        g.channelLine.push(b);
        continue;
      }
      const text = Buffer.from(g.channelLine).toString('utf8');
      g.channelLine = b === 0x0A ? [] : [b];
      this.notice('info', `${g.info.name}: ${text}`, g.info.id);
    }
  }

  private notice(level: 'info' | 'error', message: string, id: string): void {
    this.ctx.broadcast({ type: 'notice', level, message, id });
  }

  /** Sets the state (and the reason of a halt or crash) and reports a change. The state changes
   *  before the notice that explains it, so a client can tell the notice from a guest's own message. */
  private setState(g: Guest, state: GuestInfo['state'], reason?: string): void {
    const before = g.info.reason;
    if (reason !== undefined) g.info.reason = reason;
    else delete g.info.reason;
    if (state !== 'paused') delete g.info.stop;
    if (g.info.state === state && before === g.info.reason) return;
    g.info.state = state;
    this.changed();
  }

  private changed(): void {
    this.ctx.broadcast({ type: 'guests', guests: this.list() });
  }

  // ---- statistics tick ---------------------------------------------------------

  private sources() {
    return [...this.guests.values()].map((g) => ({ id: g.info.id, block: g.stats }));
  }

  /** Reads again soon: something happened (a guest was created, started, reset or typed into). */
  private kick(): void {
    if (this.timer !== null && this.quiet < QUIET_AFTER) return;
    this.quiet = 0;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), this.quiet >= QUIET_AFTER ? QUIET_INTERVAL_MS : STATS_INTERVAL_MS);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (this.guests.size === 0) return;
    const { snapshot, busyShare, active } = this.pump.sample(this.sources());
    this.quiet = active ? 0 : this.quiet + 1;
    this.schedule();
    this.lastSnapshot = snapshot;
    for (const [id, share] of busyShare) {
      const g = this.guests.get(id);
      if (g?.info.state === 'running' && share < BUSY_TO_IDLE) this.setState(g, 'idle');
      else if (g?.info.state === 'idle' && share > BUSY_TO_RUNNING) this.setState(g, 'running');
    }
    if (this.ctx.clientCount() > 0) this.ctx.broadcast({ type: 'stats', snapshot });
  }
}
