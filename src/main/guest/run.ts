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

export interface RunOptions {
  ramMb?: number;
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
  /** Block translation: 'on' (hot code, the default), 'eager' (everything, for tests), 'off' (the interpreter alone). */
  jit?: 'on' | 'eager' | 'off';
}

export interface RunResult {
  console: Uint8Array;
  /** reset/poweroff: the guest ended the run; max-insns: the budget ran out;
   *  checkstop/watchdog: a hardware-level stop; panic: a Linux kernel panic on the console; halted: the guest waits forever (no timer, no input). */
  reason: StopReason | 'max-insns' | 'halted';
  insns: number;
  message?: string;
  machine: Machine;
  hypervisor: GuestHypervisor;
  /** Exit counters and cycles at the end of the run. */
  stats: GuestStatsSample;
  /** The raw statistics block (src/main/link/stats.ts layout). */
  statsBlock: Float64Array;
}

/** A machine built and loaded as runElf builds it, not yet run (for callers that drive it themselves: the GDB stub). */
export interface PreparedRun {
  machine: Machine;
  hypervisor: GuestHypervisor;
  stats: Float64Array;
  /** Console output so far. */
  chunks: Uint8Array[];
}

export function prepareRun(elf: Uint8Array, opts: RunOptions = {}): PreparedRun {
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
    ...(opts.bootargs !== undefined ? { bootargs: opts.bootargs } : {}),
    clock: { cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz },
    console: {
      write: (b) => {
        chunks.push(b);
        opts.onOutput?.(b);
      },
      ready: () => true,
    },
  });
  const hypervisor = attachHypervisor(machine, hvOptions);
  machine.cpu.jitEnabled = opts.jit !== 'off';
  if (opts.jit === 'eager') machine.cpu.jitThreshold = 1;
  machine.load(elf);
  if (opts.input !== undefined) {
    machine.typeInput(typeof opts.input === 'string' ? new TextEncoder().encode(opts.input) : opts.input);
  }
  return { machine, hypervisor, stats, chunks };
}

export function runElf(elf: Uint8Array, opts: RunOptions = {}): RunResult {
  const { machine, hypervisor, stats, chunks } = prepareRun(elf, opts);
  const max = opts.maxInsns ?? 2e9;
  const slice = opts.sliceInsns ?? 200_000;
  const started = performance.now();
  let reason: RunResult['reason'] = 'max-insns';
  let message: string | undefined;
  for (;;) {
    const left = max - machine.cpu.insns;
    if (left <= 0) break;
    const out = machine.run(Math.min(left, slice), slice);
    hypervisor.sync();
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
  }
  stats[H.hostBusyNs] = (performance.now() - started) * 1e6;
  stats[H.consoleOut] = chunks.reduce((n, c) => n + c.length, 0);
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
    insns: machine.cpu.insns,
    ...(message !== undefined ? { message } : {}),
    machine,
    hypervisor,
    stats: sampleStats('guest', stats, null, 0),
    statsBlock: stats,
  };
}
