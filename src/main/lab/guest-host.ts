// The session's handle on one guest's worker: gives the guest to a worker
// thread (guest-threads.ts), sends it requests and signals (waking it through
// its control word), turns its messages into callbacks, and notices every way
// it can end — a clean stop (the thread goes back to the pool), a `fatal`
// report, an uncaught error, or being terminated from outside.

import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { LabFailure } from '../../shared/result';
import { wakeWorker } from '../link/control';
import type { DebugCommand, FromGuestThread, FromWorker, GuestWorkerInit, ToGuestThread, WorkerRequest, WorkerSignal } from '../link/worker-protocol';
import type { StopInfo } from '../../shared/debug';
import type { ErrorCode } from '../../shared/result';
import type { GuestThreads } from './guest-threads';

export interface GuestHostEvents {
  /** A slice's console output. */
  console(bytes: Uint8Array): void;
  /** Bytes the guest sent on its byte channel to the lab. */
  channelConsole(bytes: Uint8Array): void;
  /** The guest stopped by itself (reset/poweroff), by a hardware-level fault (checkstop/watchdog) or by a kernel panic. */
  stopped(reason: string, message?: string): void;
  /** The worker failed or vanished; `message` says how. Called at most once. */
  failed(message: string): void;
  /** Bytes for the guest's GDB client. */
  gdb?(bytes: Uint8Array): void;
  /** A running vCPU stopped for a debugger. */
  debugStop?(vcpu: number, stop: StopInfo): void;
}

/** How long a worker may take to finish after `stop` before it is terminated. */
const STOP_GRACE_MS = 2000;

type Pending = { resolve: (value: unknown) => void; reject: (e: Error) => void };
type RequestType = WorkerRequest['type'];
type RequestBody = WorkerRequest extends infer R ? R extends WorkerRequest ? Omit<R, 'kind' | 'seq'> : never : never;

export class GuestHost {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private stopping = false;
  private ended = false;
  private failure: string | null = null;
  /** Resolves when the thread is done with this guest: true if it can take another, false if it ended or must. */
  private readonly done: Promise<boolean>;
  private readonly detach: () => void;

  constructor(
    init: Omit<GuestWorkerInit, 'port'>,
    private readonly threads: Pick<GuestThreads, 'take' | 'give'>,
    private readonly control: Int32Array,
    private readonly events: GuestHostEvents,
  ) {
    this.worker = threads.take();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.on('message', (m: FromWorker) => this.receive(m));
    let settle: (reusable: boolean) => void = () => undefined;
    this.done = new Promise((resolve) => { settle = resolve; });
    const onError = (e: unknown) => this.fail(`worker error: ${e instanceof Error ? e.message : String(e)}`);
    const onMessage = (m: FromGuestThread) => {
      if (m.kind === 'guest-done') settle(m.reusable);
    };
    const onExit = (code: number) => {
      this.ended = true;
      if (!this.stopping) this.fail(`the guest's worker thread exited unexpectedly (exit code ${code})`);
      this.finish();
      settle(false);
    };
    this.worker.on('error', onError);
    this.worker.on('message', onMessage);
    this.worker.once('exit', onExit);
    this.detach = () => {
      this.worker.off('error', onError);
      this.worker.off('message', onMessage);
      this.worker.off('exit', onExit);
    };
    const data: GuestWorkerInit = { ...init, port: port2 };
    this.worker.postMessage({ kind: 'guest', init: data } satisfies ToGuestThread, [port2]);
  }

  get alive(): boolean {
    return !this.ended && this.failure === null;
  }

  /** Sends an RPC; resolves (with the reply's value, if any) when the worker has carried it out. */
  request(type: Exclude<RequestType, 'debug'>): Promise<unknown> {
    return this.send({ type });
  }

  /** An inspector command for one vCPU; resolves with its result (a refusal rejects with the worker's LabError). */
  debug(vcpu: number, command: DebugCommand): Promise<unknown> {
    return this.send({ type: 'debug', vcpu, command });
  }

  private send(body: RequestBody): Promise<unknown> {
    if (!this.alive) return Promise.reject(new LabFailure('invalid-state', this.failure ?? 'the guest\'s worker has ended'));
    const seq = ++this.seq;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.port.postMessage({ kind: 'rpc', seq, ...body } as WorkerRequest);
      wakeWorker(this.control);
    });
  }

  /** Sends a SIGNAL (no answer). Ignored once the worker has ended. */
  signal(message: WorkerSignal, transfer: ArrayBuffer[] = []): void {
    if (!this.alive) return;
    this.port.postMessage(message, transfer);
    wakeWorker(this.control);
  }

  /**
   * Asks the worker to finish the guest: its thread goes back to the pool if
   * it says so within a grace period, and is terminated otherwise.
   */
  async stop(): Promise<void> {
    if (this.ended) return;
    this.stopping = true;
    if (this.failure === null) {
      await Promise.race([this.request('stop').catch(() => undefined), delay(STOP_GRACE_MS)]);
      if (this.failure === null && await Promise.race([this.done, delay(STOP_GRACE_MS).then(() => false)])) {
        this.finish();
        this.detach();
        await this.threads.give(this.worker);
        return;
      }
    }
    await this.terminate();
  }

  /** Ends the worker thread at once (a crashed guest's clean-up): it runs no other guest. */
  async terminate(): Promise<void> {
    this.stopping = true;
    if (!this.ended) await this.worker.terminate();
    await this.done;
  }

  /** The Worker itself, for tests that kill it from outside. */
  get thread(): Worker {
    return this.worker;
  }

  private receive(m: FromWorker): void {
    if (m.kind === 'reply') {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.ok) p.resolve(m.value);
      else p.reject(new LabFailure((m.code as ErrorCode | undefined) ?? 'invalid-state', m.message, m.field ? { field: m.field } : undefined));
      return;
    }
    switch (m.type) {
      case 'console': this.events.console(m.bytes); break;
      case 'channel-console': this.events.channelConsole(m.bytes); break;
      case 'stopped': this.events.stopped(m.reason, m.message); break;
      case 'fatal': this.fail(m.message); break;
      case 'gdb': this.events.gdb?.(m.bytes); break;
      case 'debug-stop': this.events.debugStop?.(m.vcpu, m.stop); break;
    }
  }

  private fail(message: string): void {
    if (this.failure !== null) return;
    this.failure = message;
    this.rejectAll(message);
    this.events.failed(message);
  }

  /** The guest is over for this handle: nothing more is sent or received. */
  private finish(): void {
    this.ended = true;
    this.rejectAll(this.failure ?? 'the guest\'s worker has ended');
    this.port.close();
  }

  private rejectAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new LabFailure('invalid-state', message));
    this.pending.clear();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
