// The session's guest worker threads that have no guest: a spare started
// ahead of need, and threads whose guest was removed cleanly. A new guest
// takes one of them before a new thread is started. A thread starts cold: a
// new V8 isolate loads the worker bundle, runs the warm-up and recompiles
// the emulator and the guest's region modules as the guest reaches them
// (docs/performance.md: a session's first Linux boot takes about twice as
// long as the same boot on a thread that ran one before). Which thread a
// guest runs on changes nothing the guest sees (every guest is a new machine;
// the experiment pool has always reused its workers this way); only host
// time.
//
// An idle thread holds its isolate, and the memory of the guest it ran until
// V8 collects it (its memory reducer does once the thread has been idle for
// a few seconds: a removed 512 MB guest's 50 MB went 6-8 s after). At most
// MAX_IDLE are kept, and a thread that ran a guest is ended after IDLE_MS
// unused. The spare never ran a guest.

import { Worker } from 'node:worker_threads';
import type { FromGuestThread, GuestThreadInit, ToGuestThread } from '../link/worker-protocol';
import type { WorkerScript } from './worker-script';

/** Threads kept without a guest. */
export const MAX_IDLE = 2;
/** A thread that ran a guest and has had none since is ended after this long. */
export const IDLE_MS = 120_000;
/** How long after a guest took the last idle thread a new spare is started. */
export const SPARE_DELAY_MS = 3000;

/** A spare thread's report of its warm-up (its `warmed` message). */
export type SpareWarmUp = Extract<FromGuestThread, { kind: 'warmed' }>;

interface Idle {
  readonly worker: Worker;
  /** Stops watching the idle thread (it is taken, or ended). */
  readonly forget: () => void;
}

export interface GuestThreadOptions {
  /** Keep a warm spare: one now, and another SPARE_DELAY_MS after a guest takes the last idle thread (the app does; tests choose). */
  keepSpare?: boolean;
  /**
   * The guest a spare boots for its machine warm-up (guest/machine-warmup.ts:
   * labOS), read when the spare starts; undefined (or a throw): the
   * interpreter's warm-up alone.
   */
  warmUpImage?: () => Uint8Array | undefined;
  /** IDLE_MS and SPARE_DELAY_MS (tests shorten them). */
  idleMs?: number;
  spareDelayMs?: number;
}

export class GuestThreads {
  private readonly idle: Idle[] = [];
  private closed = false;
  private refill: NodeJS.Timeout | null = null;
  /** Threads started, and threads handed out again (tests and the benchmark read them). */
  started = 0;
  reused = 0;
  /** The spares' warm-ups that are over, in the order they ended (tests and the benchmark read them). */
  readonly warmUps: SpareWarmUp[] = [];

  constructor(private readonly script: () => WorkerScript, private readonly options: GuestThreadOptions = {}) {
    if (options.keepSpare) this.spare();
  }

  /** A thread for a new guest: an idle one (the most recently parked), or a new one. Throws if a thread cannot be started. */
  take(): Worker {
    const parked = this.idle.pop();
    if (this.options.keepSpare && this.idle.length === 0 && this.refill === null && !this.closed) {
      // Not at once: the new guest's boot has the cores first.
      this.refill = setTimeout(() => {
        this.refill = null;
        this.spare();
      }, this.options.spareDelayMs ?? SPARE_DELAY_MS).unref();
    }
    if (parked !== undefined) {
      parked.forget();
      parked.worker.ref();
      this.reused++;
      return parked.worker;
    }
    return this.start();
  }

  /** Takes back the thread of a guest that ended cleanly (its guest-done said reusable); resolves once it is kept or ended. */
  async give(worker: Worker): Promise<void> {
    if (this.closed || this.idle.length >= MAX_IDLE) {
      await worker.terminate();
      return;
    }
    this.park(worker, this.options.idleMs ?? IDLE_MS);
  }

  /** Starts a spare thread and warms it up, unless a thread is idle already. Never throws (a spare is an optimisation). */
  spare(): void {
    if (this.closed || this.idle.length > 0) return;
    let worker: Worker;
    try {
      worker = this.start();
    } catch {
      return; // the next guest starts its own thread and reports why it could not
    }
    let image: Uint8Array | undefined;
    try {
      image = this.options.warmUpImage?.();
    } catch {
      image = undefined; // no machine warm-up: the interpreter's alone
    }
    const recordWarmUp = (m: FromGuestThread) => {
      if (m.kind !== 'warmed') return;
      worker.off('message', recordWarmUp);
      this.warmUps.push(m);
    };
    worker.on('message', recordWarmUp);
    worker.postMessage({ kind: 'warm', ...(image !== undefined ? { image } : {}) } satisfies ToGuestThread);
    this.park(worker, null);
  }

  /** Threads idle now. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** Ends every idle thread; threads given back later are ended at once. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.refill !== null) clearTimeout(this.refill);
    const all = this.idle.splice(0);
    for (const i of all) i.forget();
    await Promise.all(all.map((i) => i.worker.terminate()));
  }

  private start(): Worker {
    const s = this.script();
    this.started++;
    return new Worker(s.path, {
      workerData: { kind: 'guest-thread' } satisfies GuestThreadInit,
      execArgv: s.execArgv,
      name: `guest thread ${this.started}`,
    });
  }

  /** Keeps an idle thread, not holding the process open; it leaves the pool if it ends, fails, or stays unused `idleMs`. */
  private park(worker: Worker, idleMs: number | null): void {
    // A spare's `warmed` reply, or anything else an idle thread says, needs no answer.
    const ignore = (_m: FromGuestThread) => undefined;
    let timer: NodeJS.Timeout | null = null;
    const forget = () => {
      if (timer !== null) clearTimeout(timer);
      worker.off('message', ignore);
      worker.off('exit', drop);
      worker.off('error', expire);
    };
    const entry: Idle = { worker, forget };
    function drop(this: void) {
      const at = idle.indexOf(entry);
      if (at >= 0) idle.splice(at, 1);
      forget();
    }
    function expire(this: void) {
      drop();
      void worker.terminate();
    }
    const idle = this.idle;
    if (idleMs !== null) timer = setTimeout(expire, idleMs).unref();
    worker.on('message', ignore);
    worker.once('exit', drop);
    worker.on('error', expire);
    worker.unref();
    idle.push(entry);
  }
}
