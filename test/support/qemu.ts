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
