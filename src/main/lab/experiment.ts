// Runs an experiment (src/shared/experiment.ts) on a pool of worker threads
// sized to the machine: once per model, the workload boots to its snapshot
// marker; then every configuration (and native, the reference) continues
// from that model's snapshot, deterministically, repetitions included. Each
// run becomes a RunRecord: die bits, exits by reason, modeled overhead, the
// guest's own benchmark figures, and whether its console (timings masked)
// equals native's. Progress (done, total, ETA) is reported as jobs finish;
// an abort signal stops the pool.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type GuestModel, modelHasHardware } from '../../shared/api';
import { type CostModel, defaultCostModel } from '../../shared/cost';
import {
  benchFigures, dieBits, type ExperimentProgress, type ExperimentResults, inShard, type ExperimentSpec, expandConfigurations, firstDifference, maskConsole, type RunRecord,
} from '../../shared/experiment';
import { type HwConfig, presetConfig } from '../../shared/hw';
import { LabFailure } from '../../shared/result';
import { COUNTED_SPRS, COUNTERS, type CounterId } from '../../shared/stats';
import { LAB_VERSION } from '../../shared/version';
import type { ExperimentJob, ExperimentJobResult, ExperimentPoolInit } from '../link/experiment-protocol';
import { counterSlot, H, sprSlot } from '../link/stats';
import { guestImagePath, readGuestImage } from './images';
import { resolveWorkerScript } from './worker-script';

export type { ExperimentProgress } from '../../shared/experiment';

export interface ExperimentRunOptions {
  /** Where the experiment file is: a relative image path is resolved from here. */
  baseDir: string;
  /** Worker threads (default: the machine's parallelism, at most the number of runs). */
  workers?: number;
  cost?: CostModel;
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
  /** The guest worker bundle (default: found next to this bundle, as for sessions). */
  workerScript?: string;
  /** Run one shard: the configurations at positions index-1 modulo count (native always). */
  shard?: { index: number; count: number };
  /** Test hook: in this configuration the hypervisor emulates this SPR (number) wrongly. */
  testCorrupt?: { config: string; spr: number };
}

type Job = Omit<ExperimentJob, 'id'> & { label: string };

/** The workload's image: a path (relative to the experiment file) or a bundled image id. */
function loadImage(spec: ExperimentSpec, baseDir: string): Uint8Array {
  const given = spec.workload.image;
  const path = isAbsolute(given) ? given : resolve(baseDir, given);
  const found = existsSync(path) ? path : guestImagePath(given);
  if (!found) throw new LabFailure('bad-image', `workload.image: "${given}" is neither a file (next to the experiment) nor a bundled image`, { field: 'workload.image' });
  return readGuestImage(found);
}

/** A pool of worker threads running jobs; results come back as they finish. */
class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: ExperimentJob; done: (r: ExperimentJobResult) => void; fail: (e: Error) => void }[] = [];
  private readonly running = new Map<Worker, { done: (r: ExperimentJobResult) => void; fail: (e: Error) => void }>();
  private closed = false;

  constructor(size: number, script: string | undefined) {
    const s = resolveWorkerScript(script);
    for (let i = 0; i < size; i++) {
      const w = new Worker(s.path, { workerData: { kind: 'experiment-pool' } satisfies ExperimentPoolInit, execArgv: s.execArgv, name: `experiment ${i}` });
      w.on('message', (r: ExperimentJobResult) => this.finished(w, r));
      w.on('error', (e) => this.failed(w, e instanceof Error ? e : new Error(String(e))));
      w.on('exit', (code) => { if (!this.closed) this.failed(w, new Error(`an experiment worker exited (code ${code})`)); });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  run(job: ExperimentJob): Promise<ExperimentJobResult> {
    return new Promise((done, fail) => {
      this.waiting.push({ job, done, fail });
      this.next();
    });
  }

  private next(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const w = this.idle.pop()!;
      const { job, done, fail } = this.waiting.shift()!;
      this.running.set(w, { done, fail });
      w.postMessage(job);
    }
  }

  private finished(w: Worker, r: ExperimentJobResult): void {
    const p = this.running.get(w);
    this.running.delete(w);
    this.idle.push(w);
    p?.done(r);
    this.next();
  }

  private failed(w: Worker, e: Error): void {
    const p = this.running.get(w);
    this.running.delete(w);
    p?.fail(e);
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new LabFailure('invalid-state', 'the experiment was cancelled');
    for (const { fail } of this.waiting.splice(0)) fail(error);
    for (const p of this.running.values()) p.fail(error);
    this.running.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Runs every configuration of the experiment; resolves with its results (throws a LabFailure if the workload cannot run). */
export async function runExperiment(spec: ExperimentSpec, opts: ExperimentRunOptions): Promise<ExperimentResults> {
  const startedAt = new Date().toISOString();
  const elf = loadImage(spec, opts.baseDir);
  const imageSha256 = createHash('sha256').update(elf).digest('hex');
  const cost = opts.cost ?? defaultCostModel();
  const allConfigs = expandConfigurations(spec.configurations);
  const configs = allConfigs.filter((_, i) => inShard(i, opts.shard));
  const reps = spec.repetitions ?? 1;
  const w = spec.workload;
  const models: GuestModel[] = ['native', ...spec.models];
  const base = {
    elf, imageName: w.image, cost, ramMb: w.ramMb ?? 128, bootargs: w.bootargs ?? '', maxInsns: spec.maxInsns ?? 2e9,
    ...(w.input !== undefined ? { input: w.input } : {}),
  };
  // A model without virtualization hardware (trap-and-emulate) has nothing to configure: one run (per
  // repetition) under its own name, in the shard that runs the first configuration.
  const configsOf = (model: GuestModel) => (modelHasHardware(model) ? configs
    : inShard(0, opts.shard) ? [{ name: model, hw: presetConfig('isa206') }] : []);
  const total = (w.snapshotAt !== undefined ? models.length : 0) + 1 + spec.models.reduce((n, m) => n + configsOf(m).length, 0) * reps;
  const size = Math.max(1, Math.min(opts.workers ?? availableParallelism(), total));
  const pool = new Pool(size, opts.workerScript);
  let done = 0;
  const t0 = performance.now();
  let nextId = 1;
  const run = async (job: Job): Promise<ExperimentJobResult & { ok: true }> => {
    if (opts.signal?.aborted) throw new LabFailure('invalid-state', 'the experiment was cancelled');
    const { label, ...rest } = job;
    const r = await pool.run({ ...rest, id: nextId++ });
    if (!r.ok) throw new LabFailure('bad-image', `${label}: ${r.message}`);
    done++;
    const elapsed = performance.now() - t0;
    opts.onProgress?.({ done, total, etaMs: (elapsed / done) * (total - done), last: label });
    return r;
  };
  const abort = () => { void pool.close(); };
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    // Boot once per model to the marker; each model's runs start as soon as its snapshot exists
    // (no phase waits for another: the pool stays busy).
    const boots = new Map<GuestModel, Promise<{ snapshot?: Uint8Array }>>();
    for (const model of models) {
      boots.set(model, w.snapshotAt === undefined ? Promise.resolve({}) : run({
        ...base, model, hw: presetConfig('isa206'), snapshotAt: w.snapshotAt, input: '', label: `boot (${model})`,
      }).then((r) => ({ snapshot: r.snapshot! })));
    }
    const from = (model: GuestModel) => boots.get(model)!;
    const record = (config: string, model: GuestModel, repetition: number, hw: typeof configs[number]['hw'], r: ExperimentJobResult & { ok: true }, reference: string[] | null): RunRecord => {
      const s = r.stats;
      const counters: Partial<Record<CounterId, number>> = {};
      for (const c of COUNTERS) counters[c.id] = s[counterSlot(c.id)]!;
      const sprTraps: Record<string, number> = {};
      for (const name of COUNTED_SPRS) {
        const slot = sprSlot(name);
        const n = s[slot]! + s[slot + 1]!;
        if (n > 0) sprTraps[name] = n;
      }
      const cycles = s[H.cycles]!;
      const hvCycles = s[H.hvCycles]!;
      return {
        config, model, hw, repetition, dieBits: modelHasHardware(model) ? dieBits(hw) : 0, insns: r.insns, cycles, hvCycles,
        overhead: cycles > 0 ? hvCycles / cycles : 0, exits: s[H.exits]!, counters, sprTraps, figures: benchFigures(r.console), reason: r.reason,
        difference: reference === null ? null : firstDifference(reference, maskConsole(r.console, w.mask)), hostMs: r.hostMs,
      };
    };
    const nativeJob = from('native').then((f) => run({ ...base, model: 'native', hw: presetConfig('isa206'), ...f, label: 'native (reference)' }));
    const jobs: Promise<{ config: string; model: GuestModel; rep: number; hw: HwConfig; r: ExperimentJobResult & { ok: true } }>[] = [];
    for (const model of spec.models) {
      for (const c of configsOf(model)) {
        for (let rep = 1; rep <= reps; rep++) {
          const corrupt = opts.testCorrupt?.config === c.name ? { testCorruptSpr: opts.testCorrupt.spr } : {};
          jobs.push(from(model).then((f) => run({ ...base, ...corrupt, model, hw: c.hw, ...f, label: `${c.name} (${model}${reps > 1 ? `, ${rep}/${reps}` : ''})` }))
            .then((r) => ({ config: c.name, model, rep, hw: c.hw, r })));
        }
      }
    }
    const [nativeRun, ...done] = await Promise.all([nativeJob, ...jobs] as const);
    const reference = maskConsole(nativeRun.console, w.mask);
    const runs: RunRecord[] = [
      record('native', 'native', 1, presetConfig('isa206'), nativeRun, null),
      ...(done as Awaited<(typeof jobs)[number]>[]).map((d) => record(d.config, d.model, d.rep, d.hw, d.r, reference)),
    ];
    return {
      experiment: spec.name, labVersion: LAB_VERSION, imageSha256, costModel: cost, startedAt, finishedAt: new Date().toISOString(),
      models: [...spec.models], configurations: allConfigs.map((c) => c.name), ...(opts.shard ? { shard: opts.shard } : {}), runs,
    };
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await pool.close();
  }
}
