// `lab run IMAGE --gdb PORT`: the guest waits, stopped before its first
// instruction, for GDB to connect to 127.0.0.1:PORT (lab/gdb-relay.ts: one
// client at a time, loopback only), then runs under GDB's control
// (guest/gdb-protocol.ts) in this thread. The guest runs in chunks between
// which the socket is read, so Ctrl-C in GDB stops it promptly.

import { type DebugStop, DebugTarget } from '../guest/debug-target';
import { type GdbAction, GdbProtocol } from '../guest/gdb-protocol';
import type { PreparedRun } from '../guest/run';
import { GdbRelay } from '../lab/gdb-relay';

/** Instructions per chunk between socket reads: about a tenth of a second either way. */
const CHUNK_FAST = 20_000_000;
/** With breakpoints the core cannot arm (addresses not mapped yet) the guest goes an instruction at a time. */
const CHUNK_STEPPING = 200_000;

export interface GdbRunOutcome {
  stop: DebugStop;
}

/** Serves one guest to GDB until the guest ends or GDB kills it; detaching lets the guest run to its end. */
export function serveGdb(run: PreparedRun, port: number, log: (line: string) => void): Promise<GdbRunOutcome> {
  const target = new DebugTarget(run.machine, run.hypervisor, 0);
  return new Promise((resolve, reject) => {
    let protocol = new GdbProtocol(target);
    let running = false;
    let interruptRequested = false;
    let finished = false;

    const send = (text: string) => relay.fromGuest(new Uint8Array(Buffer.from(text, 'latin1')));

    const finish = (stop: DebugStop) => {
      if (finished) return;
      finished = true;
      void relay.close();
      resolve({ stop });
    };

    const runFreely = () => {
      // Detached: the guest runs to its end without breakpoints.
      target.breakpoints.clear();
      for (;;) {
        const stop = target.resume(CHUNK_FAST);
        if (stop) return finish(stop);
      }
    };

    const tick = () => {
      if (!running) return;
      if (interruptRequested) {
        interruptRequested = false;
        running = false;
        send(protocol.stopReply({ kind: 'interrupted' }));
        return;
      }
      const stop = target.resume(target.breakpoints.size > 0 ? CHUNK_STEPPING : CHUNK_FAST);
      if (stop) {
        running = false;
        send(protocol.stopReply(stop));
        if (stop.kind === 'ended') finish(stop);
        return;
      }
      setImmediate(tick);
    };

    const act = (action: GdbAction) => {
      switch (action) {
        case 'continue':
          if (target.stopped) {
            send(protocol.stopReply(target.stopped));
            return;
          }
          running = true;
          setImmediate(tick);
          return;
        case 'step': {
          const stop = target.step();
          send(protocol.stopReply(stop));
          if (stop.kind === 'ended') finish(stop);
          return;
        }
        case 'interrupt':
          if (running) interruptRequested = true;
          else send(protocol.stopReply({ kind: 'interrupted' }));
          return;
        case 'kill':
          running = false;
          finish(target.stopped ?? { kind: 'interrupted' });
          return;
        case 'detach':
          running = false;
          log('lab run: GDB detached; the guest runs on to its end');
          relay.disconnect();
          setImmediate(runFreely);
          return;
        case 'none':
          return;
      }
    };

    const relay = new GdbRelay({
      connected: (from) => {
        protocol = new GdbProtocol(target);
        log(`lab run: GDB connected from ${from}`);
      },
      toGuest: (bytes) => {
        const { reply, action } = protocol.feed(bytes);
        if (reply) send(reply);
        act(action);
      },
      detached: () => {
        if (!finished && !running && target.stopped === null) log('lab run: GDB went away; waiting for it to connect again');
        running = false;
      },
    });
    relay.start(port).then((actual) => {
      log(`lab run: waiting for GDB on 127.0.0.1:${actual} (gdb-multiarch IMAGE.elf -ex 'target remote 127.0.0.1:${actual}')`);
    }, reject);
  });
}
