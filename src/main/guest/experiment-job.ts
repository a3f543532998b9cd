// One job of an experiment, on a pool worker: a deterministic run of the
// guest (runElf), either a boot that stops at a console marker with a
// snapshot, or a configuration continuing from a snapshot to the end.

import type { ExperimentJob, ExperimentJobResult } from '../link/experiment-protocol';
import { runElf } from './run';
import { decodeSnapshot, encodeSnapshot, readSnapshotHeader, type Snapshot } from '../link/snapshot';

/**
 * The snapshot this worker decoded last: every configuration of a model
 * starts from the same one, and decoding (inflating and checking the RAM
 * image) costs more than a small guest's whole boot.
 */
let lastSnapshot: { key: string; snap: Snapshot } | null = null;

function snapshotOf(bytes: Uint8Array): Snapshot {
  const header = readSnapshotHeader(bytes, 'the experiment\'s snapshot');
  const key = `${header.ramSha256}:${header.insns}:${header.takenAt}:${header.config.model}`;
  if (lastSnapshot?.key === key) return { header, ram: lastSnapshot.snap.ram };
  const snap = decodeSnapshot(bytes, 'the experiment\'s snapshot');
  lastSnapshot = { key, snap };
  return snap;
}

export function runJob(job: ExperimentJob): ExperimentJobResult {
  try {
    let taken: Snapshot | null = null;
    const started = performance.now();
    const result = runElf(job.elf, {
      model: job.model, hw: job.hw, cost: job.cost, ramMb: job.ramMb, bootargs: job.bootargs, imageName: job.imageName,
      maxInsns: job.maxInsns,
      ...(job.testCorruptSpr !== undefined ? { testCorruptSpr: job.testCorruptSpr } : {}),
      ...(job.input !== undefined && job.input.length > 0 ? { input: job.input } : {}),
      ...(job.snapshot ? { snapshot: snapshotOf(job.snapshot) } : {}),
      ...(job.snapshotAt !== undefined ? { saveSnapshot: { at: { marker: job.snapshotAt }, save: (s: Snapshot) => { taken = s; }, thenStop: true } } : {}),
    });
    const hostMs = performance.now() - started;
    const base = { id: job.id, ok: true as const, console: Buffer.from(result.console).toString('latin1'), reason: result.reason, insns: result.insns, stats: result.statsBlock, hostMs };
    if (job.snapshotAt === undefined) return base;
    if (taken === null) {
      return { id: job.id, ok: false, message: `"${job.snapshotAt}" never appeared on the console (the guest ended: ${result.reason}${result.message ? `, ${result.message}` : ''})` };
    }
    return { ...base, snapshot: encodeSnapshot(taken) };
  } catch (e) {
    return { id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
