// Entry point of a guest's worker thread (built as its own bundle: see
// scripts/bundle-lab.mjs and electron.vite.config.ts). It runs one guest
// until the session asks it to stop; a failure outside the guest (an
// emulator bug that throws) is reported as a `fatal` signal, after the
// console output that preceded it.

import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { ExperimentJob, ExperimentPoolInit } from '../link/experiment-protocol';
import type { FromWorker, GuestWorkerInit, ToWorker } from '../link/worker-protocol';
import { runJob } from './experiment-job';
import { GuestRunner } from './runner';

if ((workerData as ExperimentPoolInit | undefined)?.kind === 'experiment-pool') {
  // An experiment's pool worker: one deterministic run per job, results back in order of completion.
  parentPort!.on('message', (job: ExperimentJob) => {
    const result = runJob(job);
    const transfer = result.ok && result.snapshot ? [result.snapshot.buffer as ArrayBuffer] : [];
    parentPort!.postMessage(result, transfer);
  });
} else {
  runGuest(workerData as GuestWorkerInit);
}

function runGuest(init: GuestWorkerInit): void {
  const port = init.port;
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  let runner: GuestRunner | undefined;
  try {
    runner = new GuestRunner(init, {
      receive: () => receiveMessageOnPort(port)?.message as ToWorker | undefined,
      post,
    });
    runner.run();
  } catch (e) {
    try {
      runner?.flush();
    } catch {
      // The output buffer itself may be what failed; the report below matters more.
    }
    post({ kind: 'signal', type: 'fatal', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  } finally {
    port.close();
  }
}
