// Web mode: serves the built renderer on 127.0.0.1 and bridges the LabApi over
// a WebSocket. Every request needs the random token printed at start-up: the
// page is opened with ?token=..., which sets a SameSite=Strict cookie for the
// page's own assets and its WebSocket. Host and Origin are checked (no DNS
// rebinding, no cross-site sockets); every message is validated.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { LIMITS, type LabEvent } from '../../shared/api';
import { parseWsRequest, type WsResponse } from '../../shared/protocol';
import { fail } from '../../shared/result';
import { dispatch } from '../lab/dispatch';
import type { LabClient, LabSession } from '../lab/session';

export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export interface WebServerOptions {
  session: LabSession;
  /** Directory of the built renderer (index.html and assets/). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  /** Bytes queued for one client, unsent, past which it is disconnected (tests lower it). */
  maxBacklogBytes?: number;
}

/**
 * A client that stops reading its socket while the lab keeps producing
 * (statistics, notices, replies to its own requests) would make its send
 * queue grow without end. Past this many unsent bytes (enough for two of the
 * largest messages) the server disconnects it, says so on stderr, and the lab
 * carries on; the client can reconnect and subscribe again.
 */
export const MAX_SOCKET_BACKLOG = 2 * LIMITS.maxMessageBytes;

export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = 'lab_token';

function tokenMatches(expected: Buffer, given: string | undefined | null): boolean {
  if (!given) return false;
  const g = Buffer.from(given);
  return g.length === expected.length && timingSafeEqual(g, expected);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const root = resolve(opts.rendererDir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`The renderer is not built (no ${join(root, 'index.html')}); run "npm run build" first`);
  }
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const authorized = (req: IncomingMessage, url: URL) =>
    tokenMatches(expected, url.searchParams.get('token')) || tokenMatches(expected, cookieToken(req));

  const reject = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${message}\n`);
  };

  const server: Server = createServer((req, res) => {
    // Nothing a request carries may take the server (and every running guest) down.
    try {
      serve(req, res);
    } catch (e) {
      if (!res.headersSent) reject(res, 400, `Bad request: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    }
  });

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (!allowedHosts().has(req.headers.host ?? '')) return reject(res, 421, 'Unknown host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reject(res, 405, 'Method not allowed');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (!authorized(req, url)) {
      return reject(res, 401, 'Hypervisor Lab: this page needs the token printed by "npm run web" (open the URL it printed)');
    }
    let rel: string;
    try {
      rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return reject(res, 400, 'Bad request: the path has a malformed percent-escape');
    }
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return reject(res, 404, 'Not found');
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': WEB_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (url.searchParams.has('token')) {
      headers['set-cookie'] = `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };

  // A hard cap well above the soft limit: larger frames close the socket (1009);
  // frames between the two get an error reply and the connection stays up.
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxMessageBytes * 2 });

  server.on('upgrade', (req, socket, head) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    } catch {
      socket.write('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    const hostOk = allowedHosts().has(req.headers.host ?? '');
    const originOk = origin === undefined || allowedHosts().has(origin.replace(/^http:\/\//, ''));
    if (url.pathname !== '/lab' || !hostOk || !originOk || !authorized(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.session, opts.maxBacklogBytes ?? MAX_SOCKET_BACKLOG));
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolveClose) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.close(() => resolveClose());
      server.closeAllConnections();
    }),
  };
}

let clientSeq = 0;

function serveSocket(ws: WebSocket, session: LabSession, maxBacklog: number): void {
  const name = `ws-${++clientSeq}`;
  /** Sends unless the client has fallen too far behind; then disconnects it. */
  const sendOrDrop = (text: string): boolean => {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount + text.length > maxBacklog) {
      console.error(`web: disconnected ${name}: it left ${ws.bufferedAmount} bytes unread (limit ${maxBacklog}); the lab keeps running`);
      ws.terminate();
      return false;
    }
    ws.send(text);
    return true;
  };
  const client: LabClient = {
    name,
    send(event: LabEvent) {
      if (!sendOrDrop(JSON.stringify({ event }))) throw new Error('socket closed');
    },
  };
  const detach = session.attach(client);
  const reply = (msg: WsResponse) => {
    sendOrDrop(JSON.stringify(msg));
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      reply({ id: -1, result: fail('invalid-request', 'Binary frames are not accepted; send JSON text') });
      return;
    }
    const text = data.toString();
    if (text.length > LIMITS.maxMessageBytes) {
      reply({ id: -1, result: fail('invalid-request', `Message too large (${text.length} bytes; limit ${LIMITS.maxMessageBytes})`) });
      return;
    }
    const req = parseWsRequest(text);
    if (!req.ok) {
      reply({ id: -1, result: req });
      return;
    }
    void dispatch(session, client, req.value.method, req.value.params).then((result) => reply({ id: req.value.id, result }));
  });
  ws.on('close', () => detach());
  ws.on('error', () => ws.terminate());
}
