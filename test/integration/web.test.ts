import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabSession } from '../../src/main/lab/session';
import { startWebServer, type WebServer } from '../../src/main/web/server';
import { connect } from '../support/ws-client';

let server: WebServer;
const session = new LabSession();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  server = await startWebServer({ session, rendererDir: dir, token: 'test-token-1234567890' });
});
afterAll(async () => {
  await server.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${server.port}${path}`, { headers });
}

describe('web mode server', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token-1234567890$/);
  });

  it('refuses the page without the token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/?token=test-token-123456789')).status).toBe(401);
  });

  it('serves the page with the token, a strict CSP and a cookie for its assets', async () => {
    const res = await get('/?token=test-token-1234567890');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await get('/index.html', { cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);
  });

  it('does not serve files outside the renderer directory', async () => {
    const res = await get('/..%2f..%2fetc%2fpasswd?token=test-token-1234567890');
    expect(res.status).toBe(404);
  });

  it('answers a malformed percent-escape with 400 and keeps serving (it used to end the process)', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/%zz/x', '/assets/%ff%fe']) {
      const res = await get(`${path}?token=test-token-1234567890`);
      expect(res.status, path).toBe(400);
      expect(await res.text()).toMatch(/Bad request/);
    }
    expect((await get('/?token=test-token-1234567890')).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/?token=test-token-1234567890', headers: { host: 'evil.example:80' } },
        (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    });
    expect(status).toBe(421);
  });

  it('refuses a WebSocket without the token, with a wrong one, or from another origin', async () => {
    await expect(connect(server.port, null)).rejects.toThrow(/401/);
    await expect(connect(server.port, 'wrong')).rejects.toThrow(/401/);
    await expect(connect(server.port, 'test-token-1234567890', { origin: 'http://evil.example' })).rejects.toThrow(/401/);
  });

  it('bridges the LabApi and pushes events to every client', async () => {
    const a = await connect(server.port, 'test-token-1234567890');
    const b = await connect(server.port, 'test-token-1234567890');
    const r = await a.call('setHwConfig', { strategies: { SPRG1: 'trap' } });
    expect(r.ok).toBe(true);
    const ev = await b.waitForEvent((e) => e.type === 'hw');
    expect(ev.type === 'hw' && ev.view.config.strategies.SPRG1).toBe('trap');
    a.close();
    b.close();
  });

  it('answers malformed, binary and oversized messages with errors and keeps serving', async () => {
    const c = await connect(server.port, 'test-token-1234567890');
    c.sendRaw('not json');
    expect((await c.nextRefusal()).ok).toBe(false);
    c.sendRaw('{"id":1}');
    const malformed = await c.nextRefusal();
    expect(!malformed.ok && malformed.error.message).toMatch(/Malformed request/);
    c.sendRaw(Buffer.from([1, 2, 3]), true);
    const binary = await c.nextRefusal();
    expect(!binary.ok && binary.error.message).toMatch(/Binary frames/);
    c.sendRaw(JSON.stringify({ id: 2, method: 'consoleWrite', params: { id: 'g', data: 'x'.repeat(25 * 1024 * 1024) } }));
    const big = await c.nextRefusal();
    expect(!big.ok && big.error.message).toMatch(/too large/);
    const bad = await c.call('setHwConfig', { strategies: { NOPE: 'trap' } });
    expect(!bad.ok && bad.error.code).toBe('unknown-spr');
    const good = await c.call('getHwConfig');
    expect(good.ok).toBe(true);
    c.close();
  });
});
