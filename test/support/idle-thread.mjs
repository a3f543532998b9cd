// A stand-in for the guest worker in GuestThreads' unit tests: it answers a
// warm-up request and otherwise waits, as an idle guest thread does.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (m) => {
  if (m.kind === 'warm') parentPort.postMessage({ kind: 'warmed' });
});
