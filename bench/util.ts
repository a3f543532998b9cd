// Shared by the benchmarks: the output format (gem5 stats.txt style:
// `name value # description`), timing helpers, and running a guest on QEMU.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type Print = (line: string) => void;

export const REPO = resolve(__dirname, '..');
export const guestPath = (rel: string) => join(REPO, 'resources', 'guests', rel);
export const guestElf = (rel: string) => new Uint8Array(readFileSync(guestPath(rel)));

export function line(name: string, value: number, digits: number, description: string): string {
  return `${name} ${Number.isFinite(value) ? value.toFixed(digits) : 'n/a'} # ${description}`;
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

/** Wall-clock seconds QEMU (TCG, no icount) takes to run an ELF to its reset. */
export function qemuSeconds(elfPath: string, bootargs: string): number {
  const t0 = performance.now();
  const r = spawnSync('qemu-system-ppc', ['-M', 'ppce500', '-cpu', 'e500mc', '-display', 'none', '-monitor', 'none',
    '-serial', 'null', '-nic', 'none', '-no-reboot', '-kernel', elfPath, '-append', bootargs], { timeout: 300_000 });
  if (r.status !== 0) throw new Error(`QEMU failed on ${elfPath}: ${r.stderr?.toString()}`);
  return (performance.now() - t0) / 1000;
}
