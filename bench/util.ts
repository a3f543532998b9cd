// Shared by the benchmarks: the output format (gem5 stats.txt style:
// `name value # description`), timing helpers, and running a guest on QEMU.

import { spawnSync } from 'node:child_process';
import { getHeapSpaceStatistics } from 'node:v8';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { regionModules } from '../src/main/cpu/wasm-modules';

export type Print = (line: string) => void;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `pred` every 5 ms until it holds (an error naming `what` after timeoutMs). */
export async function until(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

export const REPO = resolve(__dirname, '..');
export const guestPath = (rel: string) => join(REPO, 'resources', 'guests', rel);
export const guestElf = (rel: string) => new Uint8Array(readFileSync(guestPath(rel)));

export function line(name: string, value: number, digits: number, description: string): string {
  return `${name} ${Number.isFinite(value) ? value.toFixed(digits) : 'n/a'} # ${description}`;
}

/** "range a-b over N runs": what a median was taken of, for the description. */
export function spread(xs: readonly number[], digits: number, of = 'runs'): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return `range ${lo.toFixed(digits)}-${hi.toFixed(digits)} over ${xs.length} ${of}`;
}

/** Runs of the lab and of QEMU made in pairs, each right after the other: the pairs' ratios lab / QEMU. */
export function pairRatios(lab: readonly number[], qemu: readonly number[]): number[] {
  return lab.map((x, k) => x / qemu[k]!);
}

/** Bytes V8's code space holds now (generated and compiled code). */
export function codeSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'code_space')?.space_used_size ?? 0;
}

/**
 * Forgets this thread's compiled region modules and collects them: V8 shares
 * a module compiled from the same bytes across the process's threads while
 * one lives, so a figure meant to be cold (translation, a new worker's boot)
 * must not find them.
 */
export function forgetCompiledRegions(): void {
  regionModules.clear();
  global.gc?.();
}

/**
 * What translation cost a run: host time translating, its share of the run,
 * the regions and their source, the instructions that ran translated, and the
 * code space the run added (measured around `run` after full collections).
 * Translation is measured cold: the thread's compiled region modules (kept
 * across runs, cpu/wasm-modules.ts) are forgotten first.
 */
export function translationFigures(prefix: string, print: Print, run: () => { seconds: number; result: { insns: number; machine: { cpu: { jitMs: number; jitBlocks: number; jitSourceChars: number; jitInsns: number; jitBackend: 'wasm' | 'js' } } } }): void {
  forgetCompiledRegions();
  const before = codeSpaceBytes();
  const { seconds, result } = run();
  global.gc?.();
  const after = codeSpaceBytes();
  const cpu = result.machine.cpu;
  const wasm = cpu.jitBackend === 'wasm';
  print(line(`${prefix}.translate_ms`, cpu.jitMs, 0, `host ms in the translator (${cpu.jitBlocks} regions, ${wasm
    ? `${(cpu.jitSourceChars / 1e6).toFixed(2)} MB of WebAssembly, V8's baseline compilation included; its optimising compiler runs later on other threads`
    : `${(cpu.jitSourceChars / 1e6).toFixed(2)} M characters of JavaScript; V8's compilation of them comes later and is not included`})`));
  print(line(`${prefix}.translate_share`, cpu.jitMs / (seconds * 1000), 3, 'share of the run\'s host time spent in the translator'));
  print(line(`${prefix}.translated_insns_share`, cpu.jitInsns / result.insns, 3, 'share of guest instructions that ran in translated code'));
  print(line(`${prefix}.code_space_mb`, (after - before) / 2 ** 20, 2, wasm
    ? 'V8 code space the run added and kept, MB (JavaScript only: compiled WebAssembly regions live outside the heap: about 2-2.5 times their module bytes above, by V8\'s --trace-wasm-compilation-times)'
    : 'V8 code space the run added and kept (translated regions, compiled), MB'));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

let qemu: boolean | undefined;
export function qemuAvailable(): boolean {
  if (qemu === undefined) {
    const r = spawnSync('qemu-system-ppc', ['--version']);
    qemu = !r.error && r.status === 0;
  }
  return qemu;
}

/**
 * The instructions QEMU executes running a bench ELF to its reset, counted in
 * a separate run with -icount shift=0 (one instruction per nanosecond of
 * virtual time): the guest prints its time base (400 MHz) when given
 * showtb=1, so the count is the ticks times 2.5, to within 3 instructions.
 */
export function qemuInstructions(elfPath: string, bootargs: string): number {
  const r = spawnSync('qemu-system-ppc', ['-M', 'ppce500', '-cpu', 'e500mc', '-display', 'none', '-monitor', 'none',
    '-serial', 'stdio', '-nic', 'none', '-no-reboot', '-icount', 'shift=0', '-kernel', elfPath, '-append', `${bootargs} showtb=1`], { timeout: 600_000 });
  const m = /tb=([0-9a-f]{16})/.exec(r.stdout?.toString() ?? '');
  if (r.status !== 0 || !m) throw new Error(`QEMU (icount) failed on ${elfPath}: ${r.stderr?.toString()}`);
  return Number.parseInt(m[1]!, 16) * 2.5;
}

/** Wall-clock seconds QEMU (TCG, no icount) takes to run an ELF to its reset. */
export function qemuSeconds(elfPath: string, bootargs: string): number {
  const t0 = performance.now();
  const r = spawnSync('qemu-system-ppc', ['-M', 'ppce500', '-cpu', 'e500mc', '-display', 'none', '-monitor', 'none',
    '-serial', 'null', '-nic', 'none', '-no-reboot', '-kernel', elfPath, '-append', bootargs], { timeout: 300_000 });
  if (r.status !== 0) throw new Error(`QEMU failed on ${elfPath}: ${r.stderr?.toString()}`);
  return (performance.now() - t0) / 1000;
}
