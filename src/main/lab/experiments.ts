// The session's experiments: the bundled examples (resources/experiments),
// and runs started through the LabApi, one at a time, whose progress and
// results reach every client as 'experiment' events. A run can be
// cancelled; its worker pool is separate from the guests' workers.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabEvent } from '../../shared/api';
import { type ExperimentExample, parseExperiment } from '../../shared/experiment';
import type { CostModel } from '../../shared/cost';
import { LabFailure } from '../../shared/result';
import { runExperiment } from './experiment';
import { findGuestsDir } from './images';

/** resources/experiments, next to resources/guests. */
export function findExperimentsDir(): string | undefined {
  const guests = findGuestsDir();
  const dir = guests ? join(dirname(guests), 'experiments') : undefined;
  return dir && existsSync(dir) ? dir : undefined;
}

export function listExamples(dir = findExperimentsDir()): ExperimentExample[] {
  if (!dir) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.experiment.json')).sort()
    .map((file) => ({ file, spec: parseExperiment(readFileSync(join(dir, file), 'utf8'), file) }));
}

export class ExperimentService {
  private current: { runId: string; controller: AbortController } | null = null;
  private next = 1;

  constructor(private readonly ctx: { broadcast(e: LabEvent): void; cost(): CostModel; workerScript?: string }) {}

  /** Starts an experiment (the spec is validated here); resolves with its id once it runs. */
  start(specJson: unknown): { runId: string } {
    if (this.current !== null) throw new LabFailure('invalid-state', `An experiment is already running (${this.current.runId}); cancel it or wait for it`);
    const spec = parseExperiment(JSON.stringify(specJson), 'experiment');
    const runId = `x${this.next++}`;
    const controller = new AbortController();
    this.current = { runId, controller };
    const dir = findExperimentsDir() ?? process.cwd();
    const send = (e: Omit<Extract<LabEvent, { type: 'experiment' }>, 'type' | 'runId'>) => this.ctx.broadcast({ type: 'experiment', runId, ...e });
    void runExperiment(spec, {
      baseDir: dir, cost: this.ctx.cost(), signal: controller.signal,
      ...(this.ctx.workerScript !== undefined ? { workerScript: this.ctx.workerScript } : {}),
      onProgress: (progress) => send({ progress }),
    }).then(
      (results) => send({ results }),
      (e: unknown) => send({ error: controller.signal.aborted ? 'cancelled' : e instanceof Error ? e.message : String(e) }),
    ).finally(() => {
      if (this.current?.runId === runId) this.current = null;
    });
    return { runId };
  }

  cancel(runId: string): { runId: string } {
    if (this.current?.runId !== runId) throw new LabFailure('invalid-state', `Experiment ${runId} is not running`);
    this.current.controller.abort();
    return { runId };
  }

  /** Stops a running experiment (the session is shutting down). */
  stop(): void {
    this.current?.controller.abort();
  }
}
