// Entry point of a guest's worker thread (built as its own bundle: see
// scripts/bundle-lab.mjs and electron.vite.config.ts). It runs one guest
// until the session asks it to stop; a failure outside the guest (an
// emulator bug that throws) is reported as a `fatal` signal, after the
// console output that preceded it.

import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { FromWorker, GuestWorkerInit, ToWorker } from '../link/worker-protocol';
import { GuestRunner } from './runner';

const init = workerData as GuestWorkerInit;
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
