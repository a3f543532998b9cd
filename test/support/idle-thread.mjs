// A stand-in for the guest worker in GuestThreads' unit tests: it answers a
// warm-up request (its report names the machine warm-up image's size as the
// instructions of one run, so tests can see what arrived) and otherwise
// waits, as an idle guest thread does.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (m) => {
  if (m.kind !== 'warm') return;
  const runs = m.image === undefined ? [] : [{ model: 'native', insns: m.image.length, end: 'budget', exits: 0, consoleBytes: 0 }];
  parentPort.postMessage({ kind: 'warmed', runs, abandoned: false, ms: 0 });
});
