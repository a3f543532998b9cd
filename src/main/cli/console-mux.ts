// Several guest consoles on one stream: every line starts with the guest's
// name ("labos-1| ..."). A guest's partial line (a prompt) is shown at once;
// when another guest's output interrupts it, the line is ended and the first
// guest's next output starts a new prefixed line. Carriage returns are
// dropped (guests print CR LF). Output is UTF-8, decoded per guest.

import { TextDecoder } from 'node:util';

export interface MuxSink {
  /** Writes text; `done` is called once it has been handed to the OS (the flow-control ack). */
  write(text: string, done: () => void): void;
}

interface Lane {
  prefix: string;
  decoder: TextDecoder;
  atLineStart: boolean;
}

export class ConsoleMux {
  private readonly lanes = new Map<string, Lane>();
  private current: Lane | null = null;
  private width = 0;

  constructor(private readonly sink: MuxSink) {}

  /** Registers a guest (names set the prefix width). */
  add(id: string, name: string): void {
    this.width = Math.max(this.width, name.length);
    this.lanes.set(id, { prefix: name, decoder: new TextDecoder('utf-8'), atLineStart: true });
  }

  /** A guest's output; `done` runs when it has been written. */
  push(id: string, bytes: Uint8Array, done: () => void = () => {}): void {
    const lane = this.lanes.get(id);
    if (!lane) return done();
    const text = lane.decoder.decode(bytes, { stream: true }).replace(/\r/g, '');
    if (text.length === 0) return done();
    let out = '';
    if (this.current !== null && this.current !== lane && !this.current.atLineStart) {
      out += '\n';
      this.current.atLineStart = true;
    }
    let i = 0;
    while (i < text.length) {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl + 1;
      if (lane.atLineStart) out += `${lane.prefix.padEnd(this.width)}| `;
      out += text.slice(i, end);
      lane.atLineStart = nl >= 0;
      i = end;
    }
    this.current = lane;
    this.sink.write(out, done);
  }

  /** Ends a partial line (before printing something else, e.g. the statistics). */
  endLine(): void {
    if (this.current !== null && !this.current.atLineStart) {
      this.current.atLineStart = true;
      this.sink.write('\n', () => {});
    }
  }
}
