// Property-based fuzzing of every boundary where outside input enters the lab.
// Each property has the same shape: whatever arrives, the boundary never
// throws out of itself, answers with a clear error (or does the right thing),
// and the lab keeps working afterwards. CI runs a fixed-seed sample of each
// (test/integration/boundaries.test.ts); `npm run fuzz -- boundaries --runs N`
// runs a long campaign and prints the seed of any failure so it replays.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LAB_METHOD_NAMES } from '../../src/shared/api';
import type { Result } from '../../src/shared/result';
import { parseGuestSpec, SpecError } from '../../src/main/cli/guest-spec';
import { runCommand } from '../../src/main/cli/run';
import { ScriptError, parseScript } from '../../src/main/cli/script';
import { UsageError } from '../../src/main/cli/exit-codes';
import { buildDtb, type FdtNode, type PropValue } from '../../src/main/devices/fdt';
import { ElfError, parseElf } from '../../src/main/guest/elf';
import { DebugTarget } from '../../src/main/guest/debug-target';
import { frame, GdbProtocol } from '../../src/main/guest/gdb-protocol';
import { prepareRun } from '../../src/main/guest/run';
import { unpackImage } from '../../src/main/lab/images';
import { Machine } from '../../src/main/guest/machine';
import { dispatchMessage } from '../../src/main/lab/dispatch';
import { type LabClient, LabSession } from '../../src/main/lab/session';
import { startWebServer } from '../../src/main/web/server';
import { connect as wsConnect } from '../support/ws-client';

export interface FuzzOptions {
  seed: number;
  numRuns: number;
}

export interface Boundary {
  readonly name: string;
  /** What must hold for every input. */
  readonly property: string;
  run(opts: FuzzOptions): Promise<void>;
}

const REPO = join(__dirname, '..', '..');
const TOKEN = 'fuzz-token-0123456789abcdef';
const client: LabClient = { name: 'fuzz', send: () => {} };

/** A Result as every boundary answers: ok with a value, or a typed error with a message. */
function isResult(r: unknown): r is Result<unknown> {
  if (typeof r !== 'object' || r === null || typeof (r as { ok?: unknown }).ok !== 'boolean') return false;
  const x = r as Result<unknown>;
  return x.ok || (typeof x.error.code === 'string' && typeof x.error.message === 'string' && x.error.message.length > 0);
}

/** A thrown value that is a deliberate, explained refusal (not a JavaScript accident such as a TypeError). */
function isClearError(e: unknown, ...kinds: (new (...a: never[]) => Error)[]): boolean {
  return e instanceof Error && e.message.length > 0 && kinds.some((k) => e instanceof k);
}

// ---- HTTP (web mode) -----------------------------------------------------------------------

const pathPiece = fc.oneof(
  fc.webSegment(),
  fc.constantFrom('..', '.', '', '%', '%2', '%E0%A4%A', '%zz', '%00', '%2e%2e', '%2F', '%ff%fe', '\\', '//', 'index.html', 'assets'),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const httpRequest = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'BREW', 'get'),
  path: fc.array(pathPiece, { maxLength: 8 }).map((p) => `/${p.join('/')}`),
  query: fc.constantFrom('', `?token=${TOKEN}`, '?token=wrong', `?token=${TOKEN}&x=%`, '?%%%', `?token=${TOKEN}#frag`),
  host: fc.constantFrom('ok', 'localhost', 'evil.example:80', '', '127.0.0.1:1'),
  long: fc.constantFrom(0, 0, 0, 5000, 70_000),
  cookie: fc.constantFrom('', `lab_token=${TOKEN}`, 'lab_token=', 'x=y; lab_token=nope', ';;;='),
});

/** Runs `fn` against web mode serving a one-page renderer on a fresh session, and tears both down. */
async function withWebMode(fn: (server: Awaited<ReturnType<typeof startWebServer>>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-fuzz-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  const session = new LabSession();
  const server = await startWebServer({ session, rendererDir: dir, token: TOKEN });
  try {
    await fn(server);
  } finally {
    await server.close();
    await session.shutdown();
  }
}

/** Sends one raw HTTP/1.1 request; resolves with the status (0: the server closed without one). */
function rawRequest(port: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer within 5 s')); }, 5000);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(m ? Number(m[1]) : 0);
    });
    sock.write(text, 'utf8');
  });
}

const http: Boundary = {
  name: 'http',
  property: 'any request line, path, escape, header or method gets a status (never a crash), and the page is still served afterwards',
  async run({ seed, numRuns }) {
    await withWebMode(async (server) => {
      const host = `127.0.0.1:${server.port}`;
      await fc.assert(fc.asyncProperty(httpRequest, async (r) => {
        const path = r.long ? `${r.path}${'a'.repeat(r.long)}` : r.path;
        const headers = [
          r.host === '' ? '' : `Host: ${r.host === 'ok' ? host : r.host === 'localhost' ? `localhost:${server.port}` : r.host}\r\n`,
          r.cookie ? `Cookie: ${r.cookie}\r\n` : '',
        ].join('');
        const status = await rawRequest(server.port, `${r.method} ${path}${r.query} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`);
        if (![0, 200, 400, 401, 404, 405, 413, 414, 421, 431, 505].includes(status)) throw new Error(`unexpected status ${status}`);
        const health = await rawRequest(server.port, `GET /?token=${TOKEN} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        if (health !== 200) throw new Error(`the server stopped serving the page (status ${health})`);
      }), { seed, numRuns });
    });
  },
};

// ---- WebSocket (web mode) ----------------------------------------------------------------------

const wsMessage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.record({
    id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    method: fc.oneof(fc.constantFrom(...LAB_METHOD_NAMES.filter((m) => m !== 'createGuest')), fc.string({ maxLength: 20 })),
    params: fc.anything({ maxDepth: 2 }),
  }).map((o) => JSON.stringify(o)),
  fc.constantFrom('{', '[]', 'null', '"', '{"id":1}', '{"id":1,"method":"listGuests","params":[]}', '\u0000', '{"id":1e400,"method":"x"}'),
);

const websocket: Boundary = {
  name: 'websocket',
  property: 'every text frame gets exactly one reply, a clear error unless it is a valid call, and the connection keeps serving',
  async run({ seed, numRuns }) {
    await withWebMode(async (server) => {
      const ws = await wsConnect(server.port, TOKEN);
      try {
        await fc.assert(fc.asyncProperty(fc.array(wsMessage, { minLength: 1, maxLength: 5 }), async (messages) => {
        for (const text of messages) {
          let parsed: { id?: unknown; method?: unknown } | null = null;
          try {
            parsed = JSON.parse(text) as { id?: unknown; method?: unknown };
          } catch {
            parsed = null;
          }
          const valid = parsed !== null && typeof parsed === 'object' && Number.isSafeInteger(parsed.id) && (parsed.id as number) >= 0 && typeof parsed.method === 'string';
          if (valid) {
            // A request the envelope accepts: it is answered under its own id (validated by the client helper).
            const r = await ws.call((parsed as { method: string }).method, (parsed as { params?: unknown }).params);
            if (!isResult(r)) throw new Error(`not a Result: ${JSON.stringify(r)}`);
          } else {
            ws.sendRaw(text);
            const r = await withTimeout(ws.nextRefusal(), 5000, `no reply to ${JSON.stringify(text).slice(0, 80)}`);
            if (r.ok) throw new Error('a malformed frame was accepted');
          }
        }
        const health = await ws.call('listGuests', {});
        if (!health.ok) throw new Error(`listGuests failed after the messages: ${health.error.message}`);
        }), { seed, numRuns });
      } finally {
        ws.close();
      }
    });
  },
};

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(what)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}

// ---- IPC (as Electron's main receives it) -------------------------------------------------------

const ipc: Boundary = {
  name: 'ipc',
  property: 'any value sent over IPC resolves to a Result (never a throw), and the session still answers',
  async run({ seed, numRuns }) {
    const session = new LabSession();
    try {
      const message = fc.oneof(
        fc.anything({ maxDepth: 3 }),
        fc.record({
          method: fc.oneof(fc.constantFrom(...LAB_METHOD_NAMES.filter((m) => m !== 'createGuest')), fc.string()),
          params: fc.anything({ maxDepth: 3 }),
        }),
      );
      await fc.assert(fc.asyncProperty(message, async (m) => {
        const r = await dispatchMessage(session, client, m);
        if (!isResult(r)) throw new Error(`not a Result: ${JSON.stringify(r)}`);
        const health = await dispatchMessage(session, client, { method: 'listGuests', params: {} });
        if (!health.ok) throw new Error('the session stopped answering');
      }), { seed, numRuns });
    } finally {
      await session.shutdown();
    }
  },
};

// ---- the ELF loader ----------------------------------------------------------------------------------

const elf: Boundary = {
  name: 'elf',
  property: 'random bytes and mutated real images either load or are refused with an ElfError, never a JavaScript accident',
  async run({ seed, numRuns }) {
    const hello = new Uint8Array(readFileSync(join(REPO, 'resources/guests/hello/hello.elf')));
    const mutated = fc.record({
      cut: fc.integer({ min: 0, max: hello.length }),
      flips: fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    }).map(({ cut, flips }) => {
      const b = hello.slice(0, cut);
      for (const [at, v] of flips) if (at < b.length) b[at] = v;
      return b;
    });
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 2048 }), mutated);
    await fc.assert(fc.asyncProperty(bytes, async (b) => {
      try {
        parseElf(b, 128 << 20);
      } catch (e) {
        if (!isClearError(e, ElfError)) throw new Error(`parseElf threw ${String(e)}`);
        return;
      }
      // It parses: the board loads it, or refuses it with a clear reason.
      const m = new Machine({ console: { write: () => {}, ready: () => true } });
      try {
        m.load(b);
      } catch (e) {
        if (!isClearError(e, ElfError) && !(e instanceof Error && /device tree|RAM|image/.test(e.message))) throw new Error(`Machine.load threw ${String(e)}`);
      }
    }), { seed, numRuns });
  },
};

// ---- the device tree ------------------------------------------------------------------------------------

/** Reads a flattened device tree back: header fields and every string property of /chosen. */
function readChosen(dtb: Uint8Array): Map<string, Uint8Array> {
  const d = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength);
  if (d.getUint32(0) !== 0xD00DFEED) throw new Error('bad magic');
  if (d.getUint32(4) !== dtb.length) throw new Error('totalsize is not the blob size');
  const structs = d.getUint32(8);
  const strings = d.getUint32(12);
  const out = new Map<string, Uint8Array>();
  let p = structs;
  const path: string[] = [];
  const cstr = (at: number) => {
    let e = at;
    while (dtb[e] !== 0) e++;
    return new TextDecoder().decode(dtb.subarray(at, e));
  };
  for (;;) {
    const tok = d.getUint32(p);
    p += 4;
    if (tok === 1) {
      const name = cstr(p);
      path.push(name);
      p += (new TextEncoder().encode(name).length + 4) & ~3;
    } else if (tok === 2) {
      path.pop();
    } else if (tok === 3) {
      const len = d.getUint32(p);
      const nameoff = d.getUint32(p + 4);
      if (path.join('/') === '/chosen') out.set(cstr(strings + nameoff), dtb.slice(p + 8, p + 8 + len));
      p += 8 + ((len + 3) & ~3);
    } else if (tok === 9) {
      return out;
    } else if (tok !== 4) {
      throw new Error(`bad token ${tok}`);
    }
  }
}

const nodeName = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.webSegment());
const propValue: fc.Arbitrary<PropValue> = fc.oneof(
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), { maxLength: 6 }).map((u) => ({ u32: u })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => ({ str: s })),
  fc.array(fc.string({ unit: 'binary', maxLength: 10 }), { maxLength: 4 }).map((s) => ({ strs: s })),
  fc.constant({ empty: true as const }),
);
const tree: fc.Arbitrary<FdtNode> = fc.letrec<{ node: FdtNode }>((tie) => ({
  node: fc.record({
    name: nodeName,
    props: fc.array(fc.tuple(nodeName, propValue), { maxLength: 4 }),
    children: fc.oneof({ maxDepth: 3, depthIdentifier: 'tree' }, fc.constant<FdtNode[]>([]), fc.array(tie('node'), { maxLength: 3 })),
  }),
})).node;

const deviceTree: Boundary = {
  name: 'device-tree',
  property: 'any bootargs reach the guest intact in a well-formed tree (or are refused clearly); any tree of names and values builds a well-formed blob or is refused clearly',
  async run({ seed, numRuns }) {
    const bootargsText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 1024 }), fc.string({ unit: 'binary', maxLength: 64 }));
    await fc.assert(fc.asyncProperty(bootargsText, async (bootargs) => {
      let dtb: Uint8Array;
      try {
        const m = new Machine({ console: { write: () => {}, ready: () => true }, bootargs });
        dtb = buildDtb(m.deviceTree());
      } catch (e) {
        if (!(e instanceof Error) || !/NUL|bootargs/.test(e.message)) throw new Error(`building the tree threw ${String(e)}`);
        return;
      }
      const got = readChosen(dtb).get('bootargs');
      const want = new TextEncoder().encode(`${bootargs}\0`);
      if (!got || got.length !== want.length || got.some((v, i) => v !== want[i])) throw new Error('bootargs changed on the way to the guest');
    }), { seed, numRuns });
    await fc.assert(fc.asyncProperty(tree, async (root) => {
      let dtb: Uint8Array;
      try {
        dtb = buildDtb(root);
      } catch (e) {
        if (!(e instanceof Error) || !/NUL|name|value/.test(e.message)) throw new Error(`buildDtb threw ${String(e)}`);
        return;
      }
      readChosen(dtb);
    }), { seed, numRuns });
  },
};

// ---- the command line ------------------------------------------------------------------------------------

const flag = fc.constantFrom('--max-insns', '--ram', '--bootargs', '--model', '--preset', '--dup', '--trap', '--shared', '--transfer',
  '--direct', '--no-direct', '--policy', '--stats', '--jit', '--bogus', '-x', '--');
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom('SPRG0', 'TCR,NOPE', 'booke-hv', 'isa206',
  'injection=exit', 'host-page=3', 'table', 'json', 'on', '-1', '0', '1e9', 'alignment', 'none'));
const positional = fc.constantFrom('package.json', 'no-such-image', 'resources/guests/missing.elf', '');
const argv = fc.tuple(positional, fc.array(fc.tuple(flag, value), { maxLength: 6 })).map(([p, opts]) => [p, ...opts.flat()].filter((a) => a !== ''));

const cli: Boundary = {
  name: 'cli',
  property: 'any `lab run` arguments, guest spec or session script is accepted or refused with a usage error, never an internal error',
  async run({ seed, numRuns }) {
    const quiet = silence();
    try {
      await fc.assert(fc.asyncProperty(argv, async (args) => {
        try {
          const code = runCommand(args);
          if (!Number.isInteger(code)) throw new Error(`exit status ${String(code)}`);
        } catch (e) {
          const parseArgsError = e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS');
          if (!parseArgsError && !isClearError(e, UsageError, ElfError)) throw new Error(`lab run ${JSON.stringify(args)} threw ${String(e)}`);
        }
      }), { seed, numRuns });
    } finally {
      quiet.restore();
    }
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 120 }), async (text) => {
      try {
        parseGuestSpec(text, () => { throw new SpecError('no files in this test'); });
      } catch (e) {
        if (!isClearError(e, SpecError)) throw new Error(`guest spec ${JSON.stringify(text)} threw ${String(e)}`);
      }
    }), { seed, numRuns });
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('@a echo hi', 'expect a labos>', 'sleep 10', 'sleep -1', 'sleep x', 'pause', 'start', 'reset', 'stats', 'expect', '@', '@ x'));
    await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 8 }), async (lines) => {
      try {
        parseScript(lines.join('\n'));
      } catch (e) {
        if (!isClearError(e, ScriptError)) throw new Error(`script ${JSON.stringify(lines)} threw ${String(e)}`);
      }
    }), { seed, numRuns });
  },
};

/** Keeps the command's own output (usage, errors) out of the test report. */
function silence(): { restore(): void } {
  const log = console.log;
  const error = console.error;
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  console.log = () => {};
  console.error = () => {};
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  return {
    restore() {
      console.log = log;
      console.error = error;
      process.stdout.write = write;
      process.stderr.write = ewrite;
    },
  };
}

// ---- compressed images --------------------------------------------------------------------

const compressedImage: Boundary = {
  name: 'compressed-image',
  property: 'random bytes and damaged gzip streams unpack to bytes or are refused with an ElfError naming the file, never a JavaScript accident',
  async run({ seed, numRuns }) {
    const gz = new Uint8Array(gzipSync(readFileSync(join(REPO, 'resources/guests/hello/hello.elf'))));
    const damaged = fc.record({
      cut: fc.integer({ min: 0, max: gz.length }),
      flips: fc.array(fc.tuple(fc.integer({ min: 0, max: gz.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    }).map(({ cut, flips }) => {
      const b = gz.slice(0, cut);
      for (const [at, v] of flips) if (at < b.length) b[at] = v;
      return b;
    });
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 512 }).map((b) => Uint8Array.of(0x1F, 0x8B, ...b)), damaged, fc.uint8Array({ maxLength: 64 }));
    await fc.assert(fc.asyncProperty(bytes, async (b) => {
      try {
        unpackImage(b, 'fuzz.gz');
      } catch (e) {
        if (!isClearError(e, ElfError) || !(e as Error).message.startsWith('fuzz.gz: ')) throw new Error(`unpackImage threw ${String(e)}`);
      }
    }), { seed, numRuns });
  },
};

// ---- GDB remote protocol ------------------------------------------------------------------

/** Every byte GDB is sent: acknowledgements and well-formed packets with correct checksums. */
function wellFormedReplies(text: string): boolean {
  let rest = text;
  while (rest.length > 0) {
    if (rest[0] === '+' || rest[0] === '-') {
      rest = rest.slice(1);
      continue;
    }
    const m = /^\$([^#$]*)#([0-9a-f]{2})/s.exec(rest);
    if (!m || frame(m[1]!.replace(/}(.)/gs, (_x, c: string) => String.fromCharCode(c.charCodeAt(0) ^ 0x20))) !== m[0]) return false;
    rest = rest.slice(m[0].length);
  }
  return true;
}

const gdb: Boundary = {
  name: 'gdb',
  property: 'any bytes from a debugger, random or packet-shaped, get acknowledgements and well-formed replies, never an exception, and the stub still answers afterwards',
  async run({ seed, numRuns }) {
    const labos = new Uint8Array(readFileSync(join(REPO, 'resources/guests/labos/labos.elf')));
    const command = fc.oneof(
      fc.constantFrom('?', 'g', 'qSupported', 'qfThreadInfo', 'vCont?', 'QStartNoAckMode', 'k', 'D', 'c', 's'),
      fc.tuple(fc.constantFrom('m', 'M', 'X', 'p', 'P', 'G', 'Z0,', 'z1,', 'Z2,', 'T', 'H', 'qXfer:features:read:target.xml:', 'vCont;'),
        fc.string({ unit: 'binary-ascii', maxLength: 40 })).map(([a, b]) => a + b),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    );
    const chunk = fc.oneof(
      command.map((c) => frame(c)),
      command.map((c) => `$${c}#00`), // wrong checksum
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constant('\x03'),
    );
    await fc.assert(fc.asyncProperty(fc.array(chunk, { maxLength: 12 }), async (chunks) => {
      const run = prepareRun(labos, { bootargs: 'poweroff' });
      const target = new DebugTarget(run.machine, run.hypervisor);
      const protocol = new GdbProtocol(target);
      for (const c of chunks) {
        const { reply, action } = protocol.feed(new Uint8Array(Buffer.from(c, 'latin1')));
        if (!wellFormedReplies(reply)) throw new Error(`malformed reply ${JSON.stringify(reply)} to ${JSON.stringify(c)}`);
        if (action === 'step') target.step();
        if (action === 'continue') target.resume(10_000);
      }
      // Still answers: the whole register set, in a well-formed packet.
      const after = protocol.feed(new Uint8Array(Buffer.from(`${frame('g')}`, 'latin1'))).reply;
      if (!wellFormedReplies(after) || !after.includes('$')) throw new Error(`no answer after the input: ${JSON.stringify(after)}`);
    }), { seed, numRuns });
  },
};

// ---- the inspector's calls against a real guest ------------------------------------------------

const inspector: Boundary = {
  name: 'inspector',
  property: 'any inspector call on a live guest (steps, breakpoints, memory, translations, edits) resolves to a Result, and the guest still answers and runs',
  async run({ seed, numRuns }) {
    const session = new LabSession();
    try {
      const g = await session.createGuest({ image: 'labos', model: 'booke-hv', start: false });
      const id = fc.oneof(fc.constant(g.id), fc.string({ maxLength: 4 }));
      const u32 = fc.oneof(fc.integer({ min: 0, max: 0xFFFFFFFF }), fc.integer(), fc.double(), fc.constant(-1));
      const vcpu = fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 9 }));
      const call = fc.oneof(
        fc.record({ method: fc.constant('debugGuest'), params: fc.record({ id, vcpu, action: fc.constantFrom('pause', 'continue', 'step', 'jump'),
          unit: fc.constantFrom(undefined, 'instruction', 'block', 'exit', 'address', 'leap'), count: fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 3000 })),
          address: fc.oneof(fc.constant(undefined), u32) }, { requiredKeys: ['id', 'action'] }) }),
        fc.record({ method: fc.constant('setBreakpoints'), params: fc.record({ id, vcpu, breakpoints: fc.record({
          pcs: fc.array(u32, { maxLength: 3 }),
          exits: fc.array(fc.constantFrom('mmio_exits', 'dec_exits', 'emul_mtspr', 'no_such_exit'), { maxLength: 3 }),
          sprs: fc.array(fc.record({ name: fc.constantFrom('IVOR6', 'SPRG1', 'LR', 'TBL', 'FOO', 'srr0'), access: fc.constantFrom('read', 'write', 'any', 'sometimes') }), { maxLength: 3 }),
        }) }, { requiredKeys: ['id', 'breakpoints'] }) }),
        fc.record({ method: fc.constant('readGuestMemory'), params: fc.record({ id, vcpu, address: u32, length: fc.integer({ min: -1, max: 5000 }), space: fc.constantFrom(undefined, 'virtual', 'physical', 'other') }, { requiredKeys: ['id', 'address', 'length'] }) }),
        fc.record({ method: fc.constant('translateAddress'), params: fc.record({ id, vcpu, address: u32, fetch: fc.boolean() }, { requiredKeys: ['id', 'address'] }) }),
        fc.record({ method: fc.constant('writeRegister'), params: fc.record({ id, vcpu, name: fc.constantFrom('r0', 'r31', 'r32', 'f3', 'pc', 'msr', 'IVOR6', 'PVR', 'EPCR', 'TSR', 'nope', ''), value: u32 }) }),
        fc.record({ method: fc.constantFrom('inspectGuest', 'inspectTlb'), params: fc.record({ id, vcpu }, { requiredKeys: ['id'] }) }),
      );
      await fc.assert(fc.asyncProperty(call, async (m) => {
        const r = await dispatchMessage(session, client, m);
        if (!isResult(r)) throw new Error(`not a Result: ${JSON.stringify(r)}`);
        // Whatever happened, the guest's worker still answers (a continued guest is paused again for the next call).
        await dispatchMessage(session, client, { method: 'debugGuest', params: { id: g.id, action: 'pause' } });
        const health = await dispatchMessage(session, client, { method: 'inspectGuest', params: { id: g.id } });
        if (!health.ok && !/halted|ended/.test(health.error.message)) throw new Error(`the guest stopped answering: ${health.error.message}`);
      }), { seed, numRuns });
    } finally {
      await session.shutdown();
    }
  },
};

export const BOUNDARIES: readonly Boundary[] = [http, websocket, ipc, elf, compressedImage, deviceTree, cli, gdb, inspector];
