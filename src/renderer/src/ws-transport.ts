// The LabApi transport for web mode: one WebSocket to /lab on the page's own
// origin (the token travels in the SameSite cookie set when the page was
// opened with ?token=, and in the query for robustness). Requests carry an id
// and resolve with the matching reply; events fan out to listeners. The socket
// reconnects after a drop; calls made while it is down wait for it.

import type { LabEvent, LabMethodName, LabTransport } from '../../shared/api';
import { fail, type Result } from '../../shared/result';

interface Pending {
  resolve: (r: Result<unknown>) => void;
  method: LabMethodName;
}

export function createWsTransport(location: Location, onStatus?: (connected: boolean) => void): LabTransport {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lab${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const listeners = new Set<(e: LabEvent) => void>();
  const pending = new Map<number, Pending>();
  let queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let retryMs = 250;

  const connect = () => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      onStatus?.(true);
      for (const msg of queue) ws.send(msg);
      queue = [];
    };
    ws.onmessage = (m: MessageEvent<string>) => {
      let msg: { id?: number; result?: Result<unknown>; event?: LabEvent };
      try {
        msg = JSON.parse(m.data) as typeof msg;
      } catch {
        return;
      }
      if (msg.event) {
        for (const l of listeners) l(msg.event);
      } else if (typeof msg.id === 'number' && msg.result) {
        const p = pending.get(msg.id);
        if (p) {
          pending.delete(msg.id);
          p.resolve(msg.result);
        } else if (msg.id === -1 && !msg.result.ok) {
          console.error('lab: the server refused a message:', msg.result.error.message);
        }
      }
    };
    ws.onclose = () => {
      onStatus?.(false);
      socket = null;
      for (const [id, p] of pending) {
        p.resolve(fail('unavailable', `${p.method}: the connection to the lab was lost`));
        pending.delete(id);
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    kind: 'ws',
    call(method, params) {
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve, method });
        const msg = JSON.stringify({ id, method, params });
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(msg);
        else queue.push(msg);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  };
}
