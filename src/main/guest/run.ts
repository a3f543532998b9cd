// Runs one guest to completion, synchronously and deterministically: the
// entry point of `lab run` and of the differential and hypervisor tests.
// Idle time (the guest waiting for its next timer interrupt) is skipped, as
// QEMU does with -icount sleep=off, so a run's output and counts never
// depend on the host.

import type { GuestModel } from '../../shared/api';
import { type CostModel, defaultCostModel } from '../../shared/cost';
import { defaultHwConfig, type HwConfig } from '../../shared/hw';
import type { GuestStatsSample } from '../../shared/stats';
import { attachHypervisor, type GuestHypervisor } from '../hv/index';
import { createStatsBuffer, H, sampleStats } from '../link/stats';
import { Machine, type StopReason } from './machine';
import type { ConsoleSink } from '../devices/uart16550';
import { warmUpInterpreter, warmUpParts } from './warmup';
import { applyJitChoice, defaultInterpreter, defaultJitChoice, type JitChoice } from './jit-mode';
import { captureParts, captureRam, checkCompatible, ramChecksum, restoreParts, restoreRam, sha256, type Snapshot, type SnapshotConfig } from '../link/snapshot';
import { LAB_VERSION } from '../../shared/version';

export interface RunOptions {
  ramMb?: number;
  /** vCPUs, 1 to 8 (default 1). */
  smp?: number;
  /** Stop after this many instructions (default 2e9). */
  maxInsns?: number;
  /** Bytes typed on the console, available from the start. */
  input?: string | Uint8Array;
  /** Device tree chosen/bootargs. */
  bootargs?: string;
  /** Virtualization model (default native). */
  model?: GuestModel;
  /** Virtual hardware configuration (default: Power ISA 2.06). */
  hw?: HwConfig;
  /** Under a hypervisor: advertise it in the device tree (default true). */
  advertiseHypervisor?: boolean;
  /** Cost model and clock (default: the documented defaults). */
  cost?: CostModel;
  /** Called with console output as it is produced (the CLI streams it). */
  onOutput?: (bytes: Uint8Array) => void;
  /** Called between slices (at instruction boundaries), e.g. to change the configuration mid-run. */
  onSlice?: (hv: GuestHypervisor, machine: Machine) => void;
  /** Instructions per slice (default 200,000). */
  sliceInsns?: number;
  /** Block translation: 'on' (hot code, the default unless LAB_JIT says otherwise: jit-mode.ts), 'eager' (everything, for tests), 'off' (the interpreter alone). */
  jit?: 'on' | 'eager' | 'off';
  /** The translator's back end: WebAssembly (the default) or JavaScript (cpu/jit.ts, kept for comparison). */
  translator?: 'wasm' | 'js';
  /** The image's name for a snapshot's record (a bundled image id or a file name). */
  imageName?: string;
  /** Start from this snapshot (taken of the same image, RAM size and model; the configuration may differ). */
  snapshot?: Snapshot;
  /**
   * Take a snapshot: after `insns` instructions (exactly), at the end of the
   * slice in which `marker` first appears on the console, or when the run
   * ends; `save` receives it.
   */
  saveSnapshot?: { at: { insns: number } | { marker: string } | 'end'; save: (s: Snapshot) => void; thenStop?: boolean };
  /** Test hook: the hypervisor's emulation of this SPR number returns wrong values. */
  testCorruptSpr?: number;
}

export interface RunResult {
  console: Uint8Array;
  /** reset/poweroff: the guest ended the run; max-insns: the budget ran out; snapshot: stopped after taking one (saveSnapshot.thenStop);
   *  checkstop/watchdog: a hardware-level stop; panic: a Linux kernel panic on the console; halted: the guest waits forever (no timer, no input). */
  reason: StopReason | 'max-insns' | 'halted' | 'snapshot';
  insns: number;
  message?: string;
  machine: Machine;
  hypervisor: GuestHypervisor;
  /** Exit counters and cycles at the end of the run. */
  stats: GuestStatsSample;
  /** The raw statistics block (src/main/link/stats.ts layout). */
  statsBlock: Float64Array;
}

/** The bytes a run's console has collected (PreparedRun.chunks). */
export function consoleLength(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((n, c) => n + c.length, 0);
}

/** A machine built and loaded as runElf builds it, not yet run (for callers that drive it themselves: the GDB stub). */
export interface PreparedRun {
  machine: Machine;
  hypervisor: GuestHypervisor;
  stats: Float64Array;
  /** Console output so far. */
  chunks: Uint8Array[];
}

/**
 * A run's console: every chunk kept, and passed on to `onOutput`. A class,
 * not closures made per run: V8 inlines the UART's call of the sink, and a
 * closure inlined as a constant took the UART's optimised code with it when
 * the run was collected (devices/irq-line.ts).
 */
class CollectedConsole implements ConsoleSink {
  constructor(private readonly chunks: Uint8Array[], private readonly onOutput: ((bytes: Uint8Array) => void) | undefined) {}

  write(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.onOutput?.(bytes);
  }

  ready(): boolean {
    return true;
  }
}

export function prepareRun(elf: Uint8Array, opts: RunOptions = {}): PreparedRun {
  // V8 sees the paths of the interpreter and the translator before it optimises them (warmup.ts;
  // once per thread, the part that suits it: the experiments' pool workers come through here too).
  warmUpInterpreter(false, warmUpParts(elf.length));
  const chunks: Uint8Array[] = [];
  const stats = createStatsBuffer();
  const cost = opts.cost ?? defaultCostModel();
  const hvOptions = {
    model: opts.model ?? 'native',
    hw: opts.hw ?? defaultHwConfig(),
    cost,
    stats,
    lpid: 1,
    byteChannels: [],
    advertise: opts.advertiseHypervisor ?? true,
  };
  const machine = new Machine({
    ...(opts.ramMb !== undefined ? { ramMb: opts.ramMb } : {}),
    ...(opts.smp !== undefined ? { smp: opts.smp } : {}),
    ...(opts.bootargs !== undefined ? { bootargs: opts.bootargs } : {}),
    clock: { cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz },
    console: new CollectedConsole(chunks, opts.onOutput),
  });
  const hypervisor = attachHypervisor(machine, hvOptions);
  const jit: JitChoice = opts.jit === undefined && opts.translator === undefined ? defaultJitChoice()
    : { jit: opts.jit ?? 'on', ...(opts.translator !== undefined ? { translator: opts.translator } : {}), interpreter: defaultInterpreter() };
  for (const cpu of machine.cpus) applyJitChoice(cpu, jit);
  machine.load(elf);
  if (opts.snapshot) restoreGuest(machine, hypervisor, opts.snapshot, snapshotConfig(elf, opts));
  if (opts.testCorruptSpr !== undefined) hypervisor.testCorruptSpr(opts.testCorruptSpr);
  if (opts.input !== undefined) {
    machine.typeInput(typeof opts.input === 'string' ? new TextEncoder().encode(opts.input) : opts.input);
  }
  return { machine, hypervisor, stats, chunks };
}

/** What a snapshot of this run records about it. */
export function snapshotConfig(elf: Uint8Array, opts: RunOptions): SnapshotConfig {
  return {
    model: opts.model ?? 'native',
    hw: opts.hw ?? defaultHwConfig(),
    cost: opts.cost ?? defaultCostModel(),
    ramMb: opts.ramMb ?? 128,
    ...((opts.smp ?? 1) > 1 ? { smp: opts.smp } : {}),
    bootargs: opts.bootargs ?? '',
    image: { name: opts.imageName ?? 'guest.elf', sha256: sha256(elf) },
  };
}

/** The whole guest as it stands (at an instruction boundary, between runs). */
export function snapshotGuest(machine: Machine, hv: GuestHypervisor, config: SnapshotConfig, consoleBytes = 0): Snapshot {
  const ram = captureRam(machine.bus.ram8, machine.bus.written);
  const parts = { ...captureParts(machine, machine.bus.ram8), ...captureParts(hv, machine.bus.ram8) };
  return {
    header: {
      labVersion: LAB_VERSION, takenAt: new Date().toISOString(), config, insns: machine.insns, consoleBytes, parts,
      ramSha256: ramChecksum(ram), ramBytes: ram.size,
    },
    ram,
  };
}

/** Puts a snapshot's state into a machine built (and loaded) from the same image, RAM size and model. */
export function restoreGuest(machine: Machine, hv: GuestHypervisor, snap: Snapshot, config: SnapshotConfig): void {
  checkCompatible(snap.header, config, LAB_VERSION);
  restoreRam(machine.bus.ram8, snap.ram, machine.loadedRanges(), machine.bus.written);
  const parts = snap.header.parts;
  restoreParts(machine, Object.fromEntries(Object.entries(parts).filter(([k]) => !k.startsWith('hv.'))));
  restoreParts(hv, Object.fromEntries(Object.entries(parts).filter(([k]) => k.startsWith('hv.'))));
  for (const cpu of machine.cpus) cpu.afterRestore();
  hv.afterRestore();
}

export function runElf(elf: Uint8Array, opts: RunOptions = {}): RunResult {
  const { machine, hypervisor, stats, chunks } = prepareRun(elf, opts);
  const max = opts.maxInsns ?? 2e9;
  const slice = opts.sliceInsns ?? 200_000;
  const started = performance.now();
  let reason: RunResult['reason'] = 'max-insns';
  let message: string | undefined;
  const save = opts.saveSnapshot;
  const at = save && save.at !== 'end' ? save.at : null;
  let saved = false;
  const takeSnapshot = () => {
    if (saved || !save) return;
    saved = true;
    save.save(snapshotGuest(machine, hypervisor, snapshotConfig(elf, opts), consoleLength(chunks)));
  };
  const marker = at && 'marker' in at ? new TextEncoder().encode(at.marker) : null;
  let markerSeen = 0;
  const markerIn = (bytes: Uint8Array): boolean => {
    // The marker may straddle chunks: match it byte by byte across the console stream.
    for (const b of bytes) {
      markerSeen = b === marker![markerSeen] ? markerSeen + 1 : b === marker![0] ? 1 : 0;
      if (markerSeen === marker!.length) return true;
    }
    return false;
  };
  let scanned = 0;
  for (;;) {
    let left = max - machine.insns;
    if (at && 'insns' in at && !saved) {
      if (machine.insns >= at.insns) takeSnapshot();
      else left = Math.min(left, at.insns - machine.insns);
    }
    if (left <= 0) break;
    const out = machine.run(Math.min(left, slice), slice);
    hypervisor.sync();
    if (marker && !saved) {
      for (; scanned < chunks.length; scanned++) {
        if (markerIn(chunks[scanned]!)) {
          scanned = chunks.length;
          if (out.kind !== 'stopped') takeSnapshot();
          break;
        }
      }
    }
    if (out.kind === 'stopped') {
      reason = out.reason;
      message = out.message;
      break;
    }
    if (out.kind === 'waiting') {
      if (!Number.isFinite(out.nextEvent)) {
        reason = 'halted';
        message = 'the guest is waiting for an interrupt that nothing will raise';
        break;
      }
      machine.idleUntil(out.nextEvent);
    }
    opts.onSlice?.(hypervisor, machine);
    if (saved && save?.thenStop) {
      reason = 'snapshot';
      break;
    }
  }
  if (save && (save.at === 'end' || (at && 'insns' in at && machine.insns >= at.insns))) takeSnapshot();
  stats[H.hostBusyNs] = (performance.now() - started) * 1e6;
  stats[H.consoleOut] = consoleLength(chunks);
  const total = stats[H.consoleOut];
  const console = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    console.set(c, off);
    off += c.length;
  }
  return {
    console,
    reason,
    insns: machine.insns,
    ...(message !== undefined ? { message } : {}),
    machine,
    hypervisor,
    stats: sampleStats('guest', stats, null, 0),
    statsBlock: stats,
  };
}
