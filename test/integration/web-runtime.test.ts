// The guest runtime through web mode's WebSocket bridge: the same LabApi
// calls a browser makes, malformed and out-of-order messages refused with
// typed errors, and a session that survives all of it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestInfo, LabEvent } from '../../src/shared/api';
import { LabSession } from '../../src/main/lab/session';
import { startWebServer, type WebServer } from '../../src/main/web/server';
import { connect, type TestClient } from '../support/ws-client';
import { H, slicesPass, waitUntil } from '../support/runtime';

const TOKEN = 'runtime-token-1234567890';
let server: WebServer;
const session = new LabSession();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  server = await startWebServer({ session, rendererDir: dir, token: TOKEN });
});
afterAll(async () => {
  await session.shutdown();
  await server.close();
});

/** Console text a client received for a guest (scrollback plus events). */
function consoleOf(c: TestClient, id: string, scrollback = ''): string {
  return scrollback + c.events
    .filter((e): e is Extract<LabEvent, { type: 'console' }> => e.type === 'console' && e.id === id)
    .map((e) => Buffer.from(e.data, 'base64').toString('latin1'))
    .join('');
}

async function value<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`call failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

describe('guests over the WebSocket', () => {
  it('creates, types into, pauses, resumes and removes a guest', async () => {
    const c = await connect(server.port, TOKEN);
    const g = await value<GuestInfo>(c.call('createGuest', { image: 'labos', name: 'web-a', model: 'native' }));
    expect(g).toMatchObject({ name: 'web-a', image: 'labos', model: 'native', ramMb: 128, state: 'running' });
    await c.waitForEvent((e) => e.type === 'guests' && e.guests.some((x) => x.id === g.id));
    const { scrollback } = await value<{ scrollback: string }>(c.call('consoleSubscribe', { id: g.id }));
    const start = Buffer.from(scrollback, 'base64').toString('latin1');
    await waitUntil(() => consoleOf(c, g.id, start).includes('labos> '), 'the prompt');

    await value(c.call('consoleWrite', { id: g.id, data: 'echo via-websocket\n' }));
    await waitUntil(() => consoleOf(c, g.id, start).includes('via-websocket\r\nlabos> '), 'the echo');
    const received = Buffer.from(consoleOf(c, g.id), 'latin1').length;
    expect(await value(c.call('consoleAck', { id: g.id, bytes: received }))).toEqual({ inFlight: 0 });

    expect((await value<GuestInfo>(c.call('pauseGuest', { id: g.id }))).state).toBe('paused');
    expect((await value<GuestInfo>(c.call('startGuest', { id: g.id }))).state).toBe('running');
    await c.waitForEvent((e) => e.type === 'stats' && e.snapshot.guests.some((s) => s.id === g.id && s.insns > 0));

    expect(await value(c.call('removeGuest', { id: g.id }))).toEqual({ id: g.id });
    expect(await value<GuestInfo[]>(c.call('listGuests'))).toEqual([]);
    c.close();
  });

  it('refuses malformed and out-of-order messages, and the session survives', async () => {
    const c = await connect(server.port, TOKEN);
    const code = async (method: string, params: unknown) => {
      const r = await c.call(method, params);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await code('consoleAck', { id: 'g999', bytes: 10 })).toBe('unknown-guest');
    expect(await code('startGuest', { id: 'nope' })).toBe('unknown-guest');
    expect(await code('createGuest', { image: 'no-such-image' })).toBe('bad-image');
    expect(await code('createGuest', { upload: { fileName: 'junk.elf', data: Buffer.from('not an elf at all, really').toString('base64') } })).toBe('bad-image');
    expect(await code('createGuest', { image: 'labos', upload: { fileName: 'x.elf', data: '' } })).toBe('invalid-request');
    expect(await code('createGuest', { image: 'labos', ramMb: 100 })).toBe('invalid-request');
    expect(await code('createGuest', { image: 'labos', testHooks: { throwAtSlice: 1 } })).toBe('invalid-request');
    expect(await code('createGuest', { image: 'labos', override: { strategies: { NOPE: 'trap' } } })).toBe('unknown-spr');
    expect(await code('startGuest', { id: 7 })).toBe('invalid-request');
    expect(await code('consoleAck', { id: 'g1', bytes: -1 })).toBe('invalid-request');
    c.sendRaw('{"method": "startGuest"');
    expect((await c.nextRefusal()).ok).toBe(false);

    const g = await value<GuestInfo>(c.call('createGuest', { image: 'labos', name: 'web-b', model: 'native', bootargs: 'echo once' }));
    expect(await code('createGuest', { image: 'labos', name: 'web-b' })).toBe('invalid-request');
    expect(await code('consoleAck', { id: g.id, bytes: 10 })).toBe('invalid-state'); // not subscribed
    expect(await code('startGuest', { id: g.id })).toBe('invalid-state'); // already running
    await waitUntil(() => session.listGuests().find((x) => x.id === g.id)?.state === 'halted', 'the scripted guest to halt');
    expect(await code('pauseGuest', { id: g.id })).toBe('invalid-state');
    expect(await code('consoleWrite', { id: g.id, data: 'x' })).toBe('invalid-state');
    expect(await code('removeGuest', { id: g.id })).toBe('ok');
    expect(await code('startGuest', { id: g.id })).toBe('unknown-guest');
    expect(await code('resetGuest', { id: g.id })).toBe('unknown-guest');
    expect(await code('consoleSubscribe', { id: g.id })).toBe('unknown-guest');

    // Still serving.
    expect(await code('getHwConfig', {})).toBe('ok');
    const h = await value<GuestInfo>(c.call('createGuest', { image: 'hello' }));
    await waitUntil(() => session.listGuests().find((x) => x.id === h.id)?.state === 'halted', 'hello to run');
    expect(await code('removeGuest', { id: h.id })).toBe('ok');
    c.close();
  });

  it('does not let a subscriber that disconnects stall the guest', async () => {
    const lazy = await connect(server.port, TOKEN);
    const g = await value<GuestInfo>(lazy.call('createGuest', { image: 'flood', model: 'native', bootargs: 'bytes=2000000', start: false }));
    await value(lazy.call('consoleSubscribe', { id: g.id }));
    await value(lazy.call('startGuest', { id: g.id }));
    // It never acknowledges: the guest is held.
    await waitUntil(() => session.guestCounters(g.id)[H.consoleOut]! > 100_000, 'output to start');
    await slicesPass(session, g.id, 3, 'the held guest');
    const held = session.guestCounters(g.id)[H.consoleOut]!;
    await slicesPass(session, g.id, 5, 'the held guest');
    expect(session.guestCounters(g.id)[H.consoleOut]).toBe(held);
    expect(held).toBeLessThan(2_000_000);
    // It goes away: the guest runs to the end.
    lazy.close();
    await waitUntil(() => session.listGuests().find((x) => x.id === g.id)?.state === 'halted', 'the flood to finish after the subscriber left');
    expect(session.guestCounters(g.id)[H.consoleOut]).toBe(2_000_000);
    await session.removeGuest(g.id);
  });
});

describe('a client that stops reading', () => {
  it('is disconnected once its unsent backlog passes the bound; the lab and the other clients carry on', async () => {
    const limit = 1024 * 1024;
    const dir = mkdtempSync(join(tmpdir(), 'lab-renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
    const strict = await startWebServer({ session, rendererDir: dir, token: TOKEN, maxBacklogBytes: limit });
    const errors: string[] = [];
    const realError = console.error;
    console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
    try {
      const good = await connect(strict.port, TOKEN);
      const stuck = await connect(strict.port, TOKEN);
      const clients = session.clientCount;
      const g = await value<GuestInfo>(good.call('createGuest', { image: 'labos', name: 'beside-stuck', model: 'native' }));
      // The stuck client stops reading and keeps asking: its replies pile up
      // (first in the kernel's socket buffers, then in the server's queue).
      stuck.socket.pause();
      const reply = JSON.stringify(await value(good.call('getHwConfig'))).length;
      const asks = Math.ceil((64 * 1024 * 1024) / reply);
      for (let i = 0; i < asks && session.clientCount === clients; i++) {
        void stuck.call('getHwConfig');
        if (i % 200 === 199) await new Promise((r) => setImmediate(r));
      }
      await waitUntil(() => session.clientCount === clients - 1, 'the stuck client to be dropped');
      expect(errors.some((e) => /disconnected ws-\d+: it left \d+ bytes unread \(limit 1048576\); the lab keeps running/.test(e))).toBe(true);
      // The other client and the guest never noticed.
      await value(good.call('consoleSubscribe', { id: g.id }));
      expect(await value(good.call('consoleWrite', { id: g.id, data: 'echo still-here\n' }))).toEqual({ accepted: 16 });
      await waitUntil(() => consoleOf(good, g.id).includes('still-here\r\nlabos> '), 'the guest to answer');
      await session.removeGuest(g.id);
      good.close();
    } finally {
      console.error = realError;
      await strict.close();
    }
  });
});
