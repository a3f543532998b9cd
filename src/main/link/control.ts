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
//   queued  bytes of console output the worker has posted and the session
//         has not yet taken off its port. The worker adds what it posts; the
//         session subtracts what it receives and wakes the worker when that
//         takes the queue below the limit. The sink is "not ready" while the
//         queue is at CONSOLE_QUEUE_LIMIT, so however slowly the session's
//         thread runs, the output in transit between the threads is bounded
//         (the hold flag alone reaches the worker only after the session has
//         read what is already queued).
//
// Contract (src/main/link): `wake` is bumped by any thread with work for the
// worker and waited on by the worker; `hold` is written by the session's
// console hub and read by the worker; `queued` is added to by the worker and
// subtracted from by the session.

export const CONTROL = { wake: 0, hold: 1, queued: 2 } as const;
/** The worker stops accepting console output while this many bytes are posted and untaken. */
export const CONSOLE_QUEUE_LIMIT = 128 * 1024;
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

/** The worker's side: `n` bytes of console output posted to the session. */
export function consolePosted(control: Int32Array, n: number): void {
  Atomics.add(control, CONTROL.queued, n);
}

/** The session's side: `n` bytes taken off the port; wakes the worker if that made room. */
export function consoleTaken(control: Int32Array, n: number): void {
  const before = Atomics.sub(control, CONTROL.queued, n);
  if (before >= CONSOLE_QUEUE_LIMIT && before - n < CONSOLE_QUEUE_LIMIT) wakeWorker(control);
}

/** A fresh worker starts with nothing in transit. */
export function resetConsoleQueue(control: Int32Array): void {
  Atomics.store(control, CONTROL.queued, 0);
}

/** Whether the worker's console sink must refuse output: the console is held or the queue to the session is full. */
export function consoleBlocked(control: Int32Array): boolean {
  return Atomics.load(control, CONTROL.hold) !== 0 || Atomics.load(control, CONTROL.queued) >= CONSOLE_QUEUE_LIMIT;
}
