// A small LabApi client over the web-mode WebSocket, for integration and e2e tests.
import WebSocket from 'ws';
import type { LabEvent } from '../../src/shared/api';
import type { Result } from '../../src/shared/result';

export interface TestClient {
  call<T = unknown>(method: string, params?: unknown): Promise<Result<T>>;
  sendRaw(text: string | Buffer, binary?: boolean): void;
  /** The next reply with id -1 (a refused message). */
  nextRefusal(): Promise<Result<unknown>>;
  events: LabEvent[];
  waitForEvent(pred: (e: LabEvent) => boolean, timeoutMs?: number): Promise<LabEvent>;
  close(): void;
  socket: WebSocket;
}

export function connect(port: number, token: string | null, extraHeaders: Record<string, string> = {}): Promise<TestClient> {
  const q = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/lab${q}`, { headers: extraHeaders });
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const refusals: Result<unknown>[] = [];
  const refusalWaiters: ((r: Result<unknown>) => void)[] = [];
  const events: LabEvent[] = [];
  const eventWaiters: { pred: (e: LabEvent) => boolean; resolve: (e: LabEvent) => void }[] = [];
  let nextId = 1;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: Result<unknown>; event?: LabEvent };
    if (msg.event) {
      events.push(msg.event);
      for (const w of [...eventWaiters]) {
        if (w.pred(msg.event)) {
          eventWaiters.splice(eventWaiters.indexOf(w), 1);
          w.resolve(msg.event);
        }
      }
    } else if (msg.id === -1 && msg.result) {
      const w = refusalWaiters.shift();
      if (w) w(msg.result); else refusals.push(msg.result);
    } else if (msg.id !== undefined && msg.result) {
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () => resolve({
      socket: ws,
      events,
      call<T>(method: string, params: unknown = {}) {
        const id = nextId++;
        ws.send(JSON.stringify({ id, method, params }));
        return new Promise<Result<T>>((r) => pending.set(id, r as (x: Result<unknown>) => void));
      },
      sendRaw(text, binary = false) {
        ws.send(text, { binary });
      },
      nextRefusal() {
        const r = refusals.shift();
        return r ? Promise.resolve(r) : new Promise((res) => refusalWaiters.push(res));
      },
      waitForEvent(pred, timeoutMs = 10_000) {
        const found = events.find(pred);
        if (found) return Promise.resolve(found);
        return new Promise((res, rej) => {
          const t = setTimeout(() => rej(new Error('timed out waiting for an event')), timeoutMs);
          eventWaiters.push({ pred, resolve: (e) => { clearTimeout(t); res(e); } });
        });
      },
      close() {
        ws.close();
      },
    }));
  });
}
