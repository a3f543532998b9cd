// The control words of one guest worker: a small Int32Array over a
// SharedArrayBuffer that the session and other workers share with it.
//
//   wake  a counter: anyone who wants the worker to look at something (a
//         message on its port, console input, byte-channel data, a change of
//         the hold flag) bumps it and notifies. The worker sleeps with
//         Atomics.wait on this word, so an idle guest costs nothing and no
//         wake-up is lost: it reads the word before checking its work and
//         waits only if the word still has that value.
//   hold  1 while the console's subscribers lag (flow control): the worker's
//         console sink reports "not ready", the UART holds its transmit FIFO
//         and the guest waits for THRE as behind a slow serial line.
//
// Contract (src/main/link): `wake` is bumped by any thread with work for the
// worker and waited on by the worker; `hold` is written by the session's
// console hub and read by the worker.

export const CONTROL = { wake: 0, hold: 1 } as const;
const CONTROL_WORDS = 4;

export function createControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
}

export function attachControl(sab: SharedArrayBuffer): Int32Array {
  const a = new Int32Array(sab);
  if (a.length !== CONTROL_WORDS) throw new Error(`control block has ${a.length} words, expected ${CONTROL_WORDS}`);
  return a;
}

/** Wakes the worker that owns `control` (from any thread). */
export function wakeWorker(control: Int32Array): void {
  Atomics.add(control, CONTROL.wake, 1);
  Atomics.notify(control, CONTROL.wake);
}

/** Sets or clears the console hold flag and wakes the worker. */
export function setConsoleHold(control: Int32Array, held: boolean): void {
  Atomics.store(control, CONTROL.hold, held ? 1 : 0);
  wakeWorker(control);
}

export function consoleHeld(control: Int32Array): boolean {
  return Atomics.load(control, CONTROL.hold) !== 0;
}
