// `lab run IMAGE --gdb PORT`: the guest waits, stopped before its first
// instruction, for GDB to connect to 127.0.0.1:PORT, then runs under GDB's
// control (guest/gdb-protocol.ts). One debugger at a time; connections from
// anywhere but the loopback interface are refused. The guest runs in chunks
// between which the socket is read, so Ctrl-C in GDB stops it promptly.

import { createServer, type Socket } from 'node:net';
import { type DebugStop, DebugTarget } from '../guest/debug-target';
import { type GdbAction, GdbProtocol } from '../guest/gdb-protocol';
import type { PreparedRun } from '../guest/run';

/** Instructions per chunk between socket reads: about a tenth of a second either way. */
const CHUNK_FAST = 20_000_000;
const CHUNK_STEPPING = 200_000;

export interface GdbRunOutcome {
  stop: DebugStop;
}

/** Serves one guest to GDB until the guest ends or GDB kills it; detaching lets the guest run to its end. */
export function serveGdb(run: PreparedRun, port: number, log: (line: string) => void): Promise<GdbRunOutcome> {
  const target = new DebugTarget(run.machine, run.hypervisor, 0);
  return new Promise((resolve, reject) => {
    let client: Socket | null = null;
    let running = false;
    let interruptRequested = false;
    let finished = false;
    const server = createServer({ allowHalfOpen: false });

    const finish = (stop: DebugStop) => {
      if (finished) return;
      finished = true;
      client?.end();
      server.close();
      resolve({ stop });
    };

    const runFreely = () => {
      // Detached (or killed connection): the guest runs to its end without breakpoints.
      target.breakpoints.clear();
      for (;;) {
        const stop = target.resume(CHUNK_FAST);
        if (stop) return finish(stop);
      }
    };

    const tick = (protocol: GdbProtocol, socket: Socket) => {
      if (!running) return;
      if (interruptRequested) {
        interruptRequested = false;
        running = false;
        socket.write(protocol.stopReply({ kind: 'interrupted' }));
        return;
      }
      const stop = target.resume(target.breakpoints.size > 0 ? CHUNK_STEPPING : CHUNK_FAST);
      if (stop) {
        running = false;
        socket.write(protocol.stopReply(stop));
        if (stop.kind === 'ended') finish(stop);
        return;
      }
      setImmediate(() => tick(protocol, socket));
    };

    const act = (action: GdbAction, protocol: GdbProtocol, socket: Socket) => {
      switch (action) {
        case 'continue':
          if (target.stopped) {
            socket.write(protocol.stopReply(target.stopped));
            return;
          }
          running = true;
          setImmediate(() => tick(protocol, socket));
          return;
        case 'step': {
          const stop = target.step();
          socket.write(protocol.stopReply(stop));
          if (stop.kind === 'ended') finish(stop);
          return;
        }
        case 'interrupt':
          if (running) interruptRequested = true;
          else socket.write(protocol.stopReply({ kind: 'interrupted' }));
          return;
        case 'kill':
          running = false;
          finish(target.stopped ?? { kind: 'interrupted' });
          return;
        case 'detach':
          running = false;
          log('lab run: GDB detached; the guest runs on to its end');
          socket.end();
          setImmediate(runFreely);
          return;
        case 'none':
          return;
      }
    };

    server.on('connection', (socket) => {
      const from = socket.remoteAddress ?? '';
      if (!/^(127\.|::1$|::ffff:127\.)/.test(from)) {
        socket.destroy();
        return;
      }
      if (client !== null) {
        socket.end();
        return;
      }
      client = socket;
      log(`lab run: GDB connected from ${from}`);
      const protocol = new GdbProtocol(target);
      socket.on('data', (bytes: Buffer) => {
        const { reply, action } = protocol.feed(new Uint8Array(bytes));
        if (reply) socket.write(reply, 'latin1');
        act(action, protocol, socket);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        client = null;
        if (!finished && running === false && target.stopped === null) {
          log('lab run: GDB went away; waiting for it to connect again');
        }
        running = false;
      });
    });
    server.on('error', (e) => reject(e));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      log(`lab run: waiting for GDB on 127.0.0.1:${actual} (gdb-multiarch IMAGE.elf -ex 'target remote 127.0.0.1:${actual}')`);
    });
  });
}
