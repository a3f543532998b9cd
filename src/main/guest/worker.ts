// Entry point of a worker thread (built as its own bundle: see
// scripts/bundle-lab.mjs and electron.vite.config.ts). Two kinds:
//   - a session's guest thread runs the guests the session gives it, one
//     after another, each until the session asks it to stop; between them it
//     waits, warm (worker-protocol.ts, "the thread itself"). A failure outside
//     the guest (an emulator bug that throws) is reported as a `fatal`
//     signal, after the console output that preceded it, and ends the thread:
//     nothing it left behind is trusted with another guest.
//   - an experiment's pool worker runs one deterministic job per message.

import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { ExperimentJob, ExperimentPoolInit } from '../link/experiment-protocol';
import type { FromGuestThread, FromWorker, GuestThreadInit, GuestWorkerInit, ToGuestThread, ToWorker } from '../link/worker-protocol';
import { runJob } from './experiment-job';
import { GuestRunner } from './runner';
import { MachineWarmUp } from './machine-warmup';
import { warmUpInterpreter } from './warmup';

const kind = (workerData as ExperimentPoolInit | GuestThreadInit | undefined)?.kind;
if (kind === 'experiment-pool') {
  // An experiment's pool worker: one deterministic run per job, results back in order of completion.
  parentPort!.on('message', (job: ExperimentJob) => {
    const result = runJob(job);
    const transfer = result.ok && result.snapshot ? [result.snapshot.buffer as ArrayBuffer] : [];
    parentPort!.postMessage(result, transfer);
  });
} else if (kind === 'guest-thread') {
  const tell = (m: FromGuestThread) => parentPort!.postMessage(m);
  /** A spare thread's machine warm-up under way (it runs a step at a time between messages). */
  let warming: MachineWarmUp | null = null;
  let warmFrom = 0;
  const warmed = (abandoned: boolean, error?: string) => {
    tell({ kind: 'warmed', runs: [...(warming?.runs ?? [])], abandoned, ...(error !== undefined ? { error } : {}), ms: performance.now() - warmFrom });
    warming = null;
  };
  const warmStep = () => {
    if (warming === null) return; // a guest came: it was abandoned
    let more: boolean;
    try {
      more = warming.step();
    } catch (e) {
      // An emulator failure: reported, and the thread ends (as after a guest's fatal error).
      warmed(false, e instanceof Error ? e.stack ?? e.message : String(e));
      parentPort!.close();
      return;
    }
    if (more) setImmediate(warmStep);
    else warmed(false);
  };
  parentPort!.on('message', (m: ToGuestThread) => {
    if (m.kind === 'warm') {
      // A spare thread: whatever guest comes, the whole warm-up (it is idle now; a guest would wait for it),
      // then, given an image, the machine's, a step at a time so that a guest arriving meanwhile ends it.
      warmFrom = performance.now();
      warmUpInterpreter(false, 'all');
      if (m.image === undefined) warmed(false);
      else {
        warming = new MachineWarmUp(m.image);
        setImmediate(warmStep);
      }
      return;
    }
    if (warming !== null) {
      warming.abandon();
      warmed(true);
    }
    const ok = runGuest(m.init);
    tell({ kind: 'guest-done', reusable: ok });
    if (!ok) parentPort!.close();
  });
} else {
  throw new Error(`guest worker: unknown workerData kind ${String(kind)}`);
}

/** Runs one guest until its `stop` request; false if the emulator failed (reported as `fatal`). */
function runGuest(init: GuestWorkerInit): boolean {
  const port = init.port;
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  let runner: GuestRunner | undefined;
  try {
    runner = new GuestRunner(init, {
      receive: () => receiveMessageOnPort(port)?.message as ToWorker | undefined,
      post,
    });
    runner.run();
    return true;
  } catch (e) {
    try {
      runner?.flush();
    } catch {
      // The output buffer itself may be what failed; the report below matters more.
    }
    post({ kind: 'signal', type: 'fatal', message: e instanceof Error ? e.stack ?? e.message : String(e) });
    return false;
  } finally {
    port.close();
  }
}
