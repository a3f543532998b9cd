// Runs a guest ELF on QEMU's ppce500 machine (the lab's oracle) and captures
// its serial console. Deterministic time: -icount shift=0 (1 insn = 1 ns of
// virtual time, so the 400 MHz time base advances 0.4 ticks per instruction).
import { spawn, spawnSync } from 'node:child_process';

export const QEMU = 'qemu-system-ppc';

let available: boolean | undefined;
/** True when qemu-system-ppc is installed (CI installs it; tests skip without it). */
export function qemuAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
    available = !r.error && r.status === 0;
  }
  return available;
}

export interface QemuRunOptions {
  /** Bytes typed on the console; QEMU feeds them as the UART can take them. */
  input?: string | Uint8Array;
  /** Becomes the device tree's chosen/bootargs. */
  bootargs?: string;
  ramMb?: number;
  /** Cores (-smp N). */
  smp?: number;
  timeoutMs?: number;
  /** Deterministic instruction-counted time (default true). */
  icount?: boolean;
  /** Extra QEMU arguments, e.g. ['-d', 'int', '-D', 'log.txt']. */
  extraArgs?: string[];
}

export interface QemuRunResult {
  console: Buffer;
  /** QEMU's exit status (0 after a guest reset with -no-reboot or GPIO power-off). */
  status: number | null;
  timedOut: boolean;
  stderr: string;
}

export function qemuArgs(elfPath: string, opts: QemuRunOptions = {}): string[] {
  const args = ['-M', 'ppce500', '-cpu', 'e500mc', '-m', String(opts.ramMb ?? 128),
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none',
    '-no-reboot', '-kernel', elfPath];
  if (opts.smp !== undefined) args.push('-smp', String(opts.smp));
  if (opts.icount ?? true) args.push('-icount', 'shift=0,align=off,sleep=off');
  if (opts.bootargs !== undefined) args.push('-append', opts.bootargs);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  return args;
}

export function runOnQemu(elfPath: string, opts: QemuRunOptions = {}): Promise<QemuRunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(QEMU, qemuArgs(elfPath, opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ console: Buffer.concat(out), status, timedOut, stderr });
    });
    child.stdin.on('error', () => { /* guest ended before reading all input */ });
    if (opts.input !== undefined) child.stdin.write(opts.input);
    // Keep stdin open while the guest runs: closing it is not an end-of-input
    // signal a UART could convey, and QEMU ignores it anyway.
  });
}

/** One exchange with a guest's console: wait for `expect` to appear, then type `type`. */
export interface ConsoleStep {
  expect: string;
  type: string;
}

/**
 * Drives a guest on QEMU like a person at its console: each step waits until
 * its text appears in the output that follows the previous step's match, then
 * types its line. Ends (killing QEMU) once `finalExpect` appears after the
 * last step, or when QEMU exits; rejects at the timeout with what was seen.
 */
export function converseOnQemu(elfPath: string, steps: readonly ConsoleStep[], finalExpect: string,
  opts: QemuRunOptions = {}): Promise<QemuRunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(QEMU, qemuArgs(elfPath, opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    let from = 0;
    let step = 0;
    let stderr = '';
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (timedOut) reject(new Error(`QEMU: step ${step} (waiting for ${JSON.stringify(steps[step]?.expect ?? finalExpect)}) timed out; console:\n${text}`));
      else resolvePromise({ console: Buffer.from(text, 'latin1'), status: 0, timedOut: false, stderr });
    };
    const timer = setTimeout(() => finish(true), opts.timeoutMs ?? 60_000);
    const advance = () => {
      for (;;) {
        const want = step < steps.length ? steps[step]!.expect : finalExpect;
        const at = text.indexOf(want, from);
        if (at < 0) return;
        from = at + want.length;
        if (step === steps.length) {
          finish(false);
          return;
        }
        child.stdin.write(steps[step]!.type);
        step++;
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      advance();
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdin.on('error', () => {});
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', () => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`QEMU exited at step ${step}; console:\n${text}\n${stderr}`));
      }
    });
  });
}
