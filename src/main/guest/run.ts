// Runs one guest to completion, synchronously and deterministically: the
// entry point of `lab run` and of the differential tests. Idle time (the
// guest waiting for its next timer interrupt) is skipped, as QEMU does with
// -icount sleep=off, so a run's output and counts never depend on the host.

import type { TimerClock } from '../cpu/timers';
import { Machine, type StopReason } from './machine';

export interface RunOptions {
  ramMb?: number;
  /** Stop after this many instructions (default 2e9). */
  maxInsns?: number;
  /** Bytes typed on the console, available from the start. */
  input?: string | Uint8Array;
  /** Device tree chosen/bootargs. */
  bootargs?: string;
  clock?: TimerClock;
  /** Called with console output as it is produced (the CLI streams it). */
  onOutput?: (bytes: Uint8Array) => void;
}

export interface RunResult {
  console: Uint8Array;
  /** reset/poweroff: the guest ended the run; max-insns: the budget ran out;
   *  checkstop/watchdog: a hardware-level stop; halted: the guest waits forever (no timer, no input). */
  reason: StopReason | 'max-insns' | 'halted';
  insns: number;
  message?: string;
  machine: Machine;
}

export function runElf(elf: Uint8Array, opts: RunOptions = {}): RunResult {
  const chunks: Uint8Array[] = [];
  const machine = new Machine({
    ...(opts.ramMb !== undefined ? { ramMb: opts.ramMb } : {}),
    ...(opts.bootargs !== undefined ? { bootargs: opts.bootargs } : {}),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    console: {
      write: (b) => {
        chunks.push(b);
        opts.onOutput?.(b);
      },
      ready: () => true,
    },
  });
  machine.load(elf);
  if (opts.input !== undefined) {
    machine.typeInput(typeof opts.input === 'string' ? new TextEncoder().encode(opts.input) : opts.input);
  }
  const max = opts.maxInsns ?? 2e9;
  let reason: RunResult['reason'] = 'max-insns';
  let message: string | undefined;
  for (;;) {
    const left = max - machine.cpu.insns;
    if (left <= 0) break;
    const out = machine.run(left);
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
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const console = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    console.set(c, off);
    off += c.length;
  }
  return { console, reason, insns: machine.cpu.insns, ...(message !== undefined ? { message } : {}), machine };
}
