// A GDB stub's socket for one guest: a TCP server on 127.0.0.1 whose
// client's bytes go to wherever the protocol runs against the guest's vCPU
// (in a session, the guest's worker between slices: guest/runner.ts; for
// `lab run --gdb`, this thread: cli/gdb-server.ts), and whose replies come
// back the same way. One client at a time;
// connections from anywhere but the loopback interface are refused. When
// the client goes away the worker drops its breakpoints and the guest runs on.

import { createServer, type Server, type Socket } from 'node:net';

export interface GdbRelayLink {
  /** A client connected (from this address). */
  connected?(from: string): void;
  /** Bytes from the client, for the worker. */
  toGuest(bytes: Uint8Array): void;
  /** The client went away. */
  detached(): void;
}

export class GdbRelay {
  private readonly server: Server;
  private client: Socket | null = null;
  /** The port the stub listens on (after start()). */
  port = 0;

  constructor(private readonly link: GdbRelayLink) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on 127.0.0.1:port (0 picks a free port); resolves with the port. */
  start(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        resolve(this.port);
      });
    });
  }

  /** Bytes from the worker, for the client (dropped when none is connected). */
  fromGuest(bytes: Uint8Array): void {
    this.client?.write(bytes);
  }

  /** Ends the current client's connection (after what was written to it); others may connect. */
  disconnect(): void {
    this.client?.end();
  }

  /** Stops listening; a connected client gets what was written to it, then the end of the connection. */
  close(): Promise<void> {
    this.client?.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const from = socket.remoteAddress ?? '';
    if (!/^(127\.|::1$|::ffff:127\.)/.test(from) || this.client !== null) {
      socket.destroy();
      return;
    }
    this.client = socket;
    this.link.connected?.(from);
    socket.on('data', (bytes: Buffer) => this.link.toGuest(new Uint8Array(bytes)));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.client === socket) {
        this.client = null;
        this.link.detached();
      }
    });
  }
}
