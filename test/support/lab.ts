// The lab's guest runner for the differential tests, and the repository root.
// The comparison against QEMU is never skipped for want of the lab: only the
// QEMU side can be missing (then the tests say so and skip).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runElf, type RunOptions, type RunResult } from '../../src/main/guest/run';

export type { RunOptions, RunResult };
export type RunElf = (elf: Uint8Array, opts?: RunOptions) => RunResult;

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The lab's runElf (async for the callers written against a lazily loaded module). */
export function loadLab(): Promise<RunElf> {
  return Promise.resolve(runElf);
}
