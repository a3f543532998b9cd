// Helpers for tests that run guests through a LabSession: a recording
// client (consoles, notices, guest lists), polling waits, and the flood
// guest's expected output.
import { createHash } from 'node:crypto';
import type { GuestInfo, LabEvent } from '../../src/shared/api';
import type { LabClient, LabSession } from '../../src/main/lab/session';
import { dispatch } from '../../src/main/lab/dispatch';
import { H, R } from '../../src/main/link/stats';
import type { Result } from '../../src/shared/result';

export { H, R };

/**
 * LabApi calls through the dispatcher the IPC and WebSocket bridges use:
 * `call` resolves with the value (and throws with the error's code and
 * message); `refused` resolves with the error of a call that must fail.
 */
export function apiCaller(session: LabSession, client: LabClient) {
  return {
    async call<T>(method: string, params: unknown): Promise<T> {
      const r = await dispatch(session, client, method, params) as Result<T>;
      if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
      return r.value;
    },
    async refused(method: string, params: unknown): Promise<{ code: string; message: string }> {
      const r = await dispatch(session, client, method, params);
      if (r.ok) throw new Error(`${method} was accepted: ${JSON.stringify(params)}`);
      return r.error;
    },
  };
}

/** Polls `pred` every 20 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A LabClient that records everything it receives and acknowledges console bytes at once (unless told otherwise). */
export class Recorder implements LabClient {
  readonly consoles = new Map<string, Buffer[]>();
  readonly notices: Extract<LabEvent, { type: 'notice' }>[] = [];
  guests: GuestInfo[] = [];
  statsEvents = 0;
  /** Called for each console event; the default acknowledges it at once. */
  onConsole: (id: string, bytes: Buffer) => void;

  constructor(readonly session: LabSession, readonly name = 'recorder', autoAck = true) {
    this.onConsole = autoAck ? (id, bytes) => { this.session.consoleAck(this, id, bytes.length); } : () => {};
    session.attach(this);
  }

  send(event: LabEvent): void {
    switch (event.type) {
      case 'console': {
        const bytes = Buffer.from(event.data, 'base64');
        this.consoleParts(event.id).push(bytes);
        this.onConsole(event.id, bytes);
        break;
      }
      case 'notice': this.notices.push(event); break;
      case 'guests': this.guests = event.guests; break;
      case 'stats': this.statsEvents++; break;
      default: break;
    }
  }

  private consoleParts(id: string): Buffer[] {
    let parts = this.consoles.get(id);
    if (!parts) this.consoles.set(id, (parts = []));
    return parts;
  }

  /** Subscribes and keeps the scrollback as the start of the console. */
  subscribe(id: string): void {
    const { scrollback } = this.session.consoleSubscribe(this, id);
    this.consoleParts(id).unshift(Buffer.from(scrollback, 'base64'));
  }

  bytes(id: string): Buffer {
    return Buffer.concat(this.consoles.get(id) ?? []);
  }

  text(id: string): string {
    return this.bytes(id).toString('latin1');
  }

  waitFor(id: string, needle: string | RegExp, timeoutMs = 15_000): Promise<void> {
    const has = () => (typeof needle === 'string' ? this.text(id).includes(needle) : needle.test(this.text(id)));
    return waitUntil(has, `${String(needle)} on ${id}'s console (got ${JSON.stringify(this.text(id).slice(-200))})`, timeoutMs);
  }

  state(id: string): string | undefined {
    return this.session.listGuests().find((g) => g.id === id)?.state;
  }
}

/**
 * Waits until the guest's worker has run `n` more slices. A window measured
 * in the guest's own slices rather than milliseconds: "nothing came out while
 * it ran n slices" cannot pass because the worker was starved of the CPU.
 */
export async function slicesPass(session: LabSession, id: string, n: number, what: string): Promise<void> {
  const start = session.guestCounters(id)[R.slices]!;
  await waitUntil(() => session.guestCounters(id)[R.slices]! >= start + n, `${n} slices of ${what}`);
}

/**
 * A measurement window for "an idle guest costs nothing": a second guest
 * floods (unsubscribed, so never held) until its worker has run `n` slices.
 * Workers demonstrably had the CPU during the window, so an idle guest that
 * stayed quiet was quiet by itself, not for want of a core. `measure` is
 * taken once the busy guest runs and again before it is removed (creating
 * and removing a guest is itself news to the others).
 */
export async function busyWindow<T>(session: LabSession, n: number, measure: () => T): Promise<[T, T]> {
  const busy = await session.createGuest({ name: 'busy-window', image: 'flood', model: 'native', bootargs: 'bytes=4000000000' });
  try {
    await slicesPass(session, busy.id, 2, 'a busy guest');
    const before = measure();
    await slicesPass(session, busy.id, n, 'a busy guest');
    return [before, measure()];
  } finally {
    await session.removeGuest(busy.id);
  }
}

/** Instructions a guest has retired (its statistics block). */
export function insns(session: LabSession, id: string): number {
  return session.guestCounters(id)[H.insns]!;
}

/** What resources/guests/flood prints for bytes=n (see flood.c). */
export function floodOutput(n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let k = 0, at = 0; at < n; k++) {
    let line = `${String(k % 100_000_000).padStart(8, '0')} `;
    for (let i = 0; i < 53; i++) line += String.fromCharCode(97 + ((k + i) % 26));
    line += '\r\n';
    at += out.write(line, at, 'latin1');
  }
  return out;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
