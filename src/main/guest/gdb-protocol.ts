// The GDB remote serial protocol, for one guest: packet framing ($data#xx,
// acknowledgements, Ctrl-C), and the commands GDB uses to debug a 32-bit
// PowerPC target: registers (g/G/p/P), memory (m/M/X), software and hardware
// breakpoints (Z0/Z1), continue and step (c/s/vCont), the target
// description (qXfer:features:read) and thread queries. Each vCPU is a GDB
// thread (vCPU k is thread k + 1) and says so in qThreadExtraInfo; Hg/Hc and
// vCont's thread ids select the vCPU registers and steps act on, and a stop
// names the vCPU that stopped (all-stop: the guest stops as a whole).
//
// Pure: bytes in, bytes out. Running the guest is the caller's business:
// feed() returns what the caller must do (resume, step, stop the target,
// close), and the caller reports the stop with stopReply(). A malformed or
// unknown packet gets an error or the empty reply; nothing here throws on
// input.

import { DebugTarget, type DebugStop, REGISTER_COUNT } from './debug-target';

export type GdbAction = 'none' | 'continue' | 'step' | 'interrupt' | 'kill' | 'detach';

const SIGINT = 2;
const SIGTRAP = 5;
const SIGABRT = 6;
const MAX_PACKET = 0x4000;
/** Packets longer than this (undelimited garbage) are dropped. */
const MAX_BUFFER = 2 * MAX_PACKET;

const TARGET_XML = `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>powerpc:common</architecture>
  <feature name="org.gnu.gdb.power.core">
${[...Array(32).keys()].map((i) => `    <reg name="r${i}" bitsize="32" type="uint32" regnum="${i}"/>`).join('\n')}
    <reg name="pc" bitsize="32" type="code_ptr" regnum="64"/>
    <reg name="msr" bitsize="32" type="uint32"/>
    <reg name="cr" bitsize="32" type="uint32"/>
    <reg name="lr" bitsize="32" type="code_ptr"/>
    <reg name="ctr" bitsize="32" type="uint32"/>
    <reg name="xer" bitsize="32" type="uint32"/>
  </feature>
  <feature name="org.gnu.gdb.power.fpu">
${[...Array(32).keys()].map((i) => `    <reg name="f${i}" bitsize="64" type="ieee_double" regnum="${32 + i}"/>`).join('\n')}
    <reg name="fpscr" bitsize="32" group="float" regnum="70"/>
  </feature>
</target>
`;

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function unhex(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function parseHex(s: string | undefined): number | null {
  if (s === undefined || !/^[0-9a-fA-F]{1,8}$/.test(s)) return null;
  return parseInt(s, 16) >>> 0;
}

function checksum(data: string): string {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xFF;
  return sum.toString(16).padStart(2, '0');
}

/** A packet ready to send: $data#checksum, with '#', '$', '}' and '*' escaped. */
export function frame(data: string): string {
  const escaped = data.replace(/[#$}*]/g, (c) => `}${String.fromCharCode(c.charCodeAt(0) ^ 0x20)}`);
  return `$${escaped}#${checksum(escaped)}`;
}

export class GdbProtocol {
  private buffer = '';
  private ack = true;
  /** Text to send to GDB (latin1). */
  private out = '';

  constructor(private readonly target: DebugTarget) {}

  /** Takes what GDB sent; returns what to send back and what the caller must do with the guest. */
  feed(bytes: Uint8Array): { reply: string; action: GdbAction } {
    this.buffer += Buffer.from(bytes).toString('latin1');
    let action: GdbAction = 'none';
    for (;;) {
      if (this.buffer.length === 0) break;
      const c = this.buffer[0]!;
      if (c === '+' || c === '-') {
        this.buffer = this.buffer.slice(1);
        continue;
      }
      if (c === '\x03') {
        this.buffer = this.buffer.slice(1);
        action = 'interrupt';
        continue;
      }
      if (c !== '$') {
        // Noise between packets: skip to the next start.
        const next = this.buffer.indexOf('$');
        this.buffer = next < 0 ? '' : this.buffer.slice(next);
        continue;
      }
      const end = this.buffer.indexOf('#');
      // A new '$' before the '#' starts a new packet: what came before it was cut off.
      const restart = this.buffer.indexOf('$', 1);
      if (restart > 0 && (end < 0 || restart < end)) {
        this.buffer = this.buffer.slice(restart);
        continue;
      }
      if (end < 0 || this.buffer.length < end + 3) {
        if (this.buffer.length > MAX_BUFFER) this.buffer = '';
        break;
      }
      const data = this.buffer.slice(1, end);
      const sum = this.buffer.slice(end + 1, end + 3);
      this.buffer = this.buffer.slice(end + 3);
      if (this.ack) {
        if (sum.toLowerCase() !== checksum(data)) {
          this.out += '-';
          continue;
        }
        this.out += '+';
      }
      const a = this.command(unescape(data));
      if (a !== 'none') action = a;
    }
    const reply = this.out;
    this.out = '';
    return { reply, action };
  }

  /** The stop reply for how the target stopped (after continue, step or an interrupt). */
  stopReply(stop: DebugStop): string {
    return frame(this.stopText(stop));
  }

  private stopText(stop: DebugStop): string {
    const thread = `thread:${(this.target.vcpu + 1).toString(16)};`;
    if (stop.kind === 'trap' || stop.kind === 'watch' || stop.kind === 'exit' || stop.kind === 'waiting') return `T${SIGTRAP.toString(16).padStart(2, '0')}${thread}`;
    if (stop.kind === 'interrupted') return `T${SIGINT.toString(16).padStart(2, '0')}${thread}`;
    // Power-off and reset end the guest normally; anything else is an abnormal end.
    return stop.reason === 'poweroff' || stop.reason === 'reset' ? 'W00' : `X${SIGABRT.toString(16).padStart(2, '0')}`;
  }

  private send(data: string): void {
    this.out += frame(data);
  }

  private command(p: string): GdbAction {
    const t = this.target;
    if (p.length > MAX_PACKET) {
      this.send('E01');
      return 'none';
    }
    switch (p[0]) {
      case '?':
        this.send(this.stopText(t.stopped ?? { kind: 'trap' }));
        return 'none';
      case 'g':
        this.send(hex(t.readAllRegisters()));
        return 'none';
      case 'G': {
        const bytes = unhex(p.slice(1));
        this.send(bytes && t.writeAllRegisters(bytes) ? 'OK' : 'E01');
        return 'none';
      }
      case 'p': {
        const n = parseHex(p.slice(1));
        this.send(n !== null && n < REGISTER_COUNT ? hex(t.readRegister(n)) : 'E01');
        return 'none';
      }
      case 'P': {
        const [ns, vs] = p.slice(1).split('=');
        const n = parseHex(ns);
        const bytes = vs === undefined ? null : unhex(vs);
        this.send(n !== null && bytes !== null && t.writeRegister(n, bytes) ? 'OK' : 'E01');
        return 'none';
      }
      case 'm': {
        const [as, ls] = p.slice(1).split(',');
        const addr = parseHex(as);
        const len = parseHex(ls);
        if (addr === null || len === null || len > MAX_PACKET / 2) {
          this.send('E01');
          return 'none';
        }
        const bytes = t.readMemory(addr, len);
        this.send(bytes ? hex(bytes) : 'E14');
        return 'none';
      }
      case 'M': {
        const m = /^M([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(p);
        const bytes = m ? unhex(m[3]!) : null;
        if (!m || !bytes || bytes.length !== parseHex(m[2]) || parseHex(m[1]) === null) {
          this.send('E01');
          return 'none';
        }
        this.send(t.writeMemory(parseHex(m[1])!, bytes) ? 'OK' : 'E14');
        return 'none';
      }
      case 'X': {
        const colon = p.indexOf(':');
        const [as, ls] = p.slice(1, colon < 0 ? undefined : colon).split(',');
        const addr = parseHex(as);
        const len = parseHex(ls);
        const data = colon < 0 ? null : Uint8Array.from(p.slice(colon + 1), (ch) => ch.charCodeAt(0) & 0xFF);
        if (addr === null || len === null || data === null || data.length !== len) {
          this.send('E01');
          return 'none';
        }
        this.send(len === 0 || t.writeMemory(addr, data) ? 'OK' : 'E14');
        return 'none';
      }
      case 'Z':
      case 'z': {
        const [kind, as] = p.slice(1).split(',');
        const addr = parseHex(as);
        if ((kind !== '0' && kind !== '1') || addr === null) {
          this.send(kind === '0' || kind === '1' ? 'E01' : ''); // watchpoints: not supported
          return 'none';
        }
        if (p[0] === 'Z') t.breakpoints.add(addr);
        else t.breakpoints.delete(addr);
        this.send('OK');
        return 'none';
      }
      case 'c':
        return this.resumeAt(p.slice(1), 'continue');
      case 's':
        return this.resumeAt(p.slice(1), 'step');
      case 'v':
        return this.vPacket(p);
      case 'H': {
        // Hg/Hc: the thread later register reads and steps act on (-1 and 0: any, the current one stays).
        const tid = p.slice(2);
        if (tid === '-1' || tid === '0' || tid === '') {
          this.send('OK');
          return 'none';
        }
        const thread = parseHex(tid);
        if (thread === null || !this.threadExists(thread)) {
          this.send('E01');
          return 'none';
        }
        if (p[1] === 'g' || p[1] === 'c') this.target.vcpu = thread - 1;
        this.send('OK');
        return 'none';
      }
      case 'T': {
        const thread = parseHex(p.slice(1));
        this.send(thread !== null && this.threadExists(thread) ? 'OK' : 'E01');
        return 'none';
      }
      case 'q':
        this.query(p);
        return 'none';
      case 'Q':
        if (p === 'QStartNoAckMode') {
          this.send('OK');
          this.ack = false;
        } else {
          this.send('');
        }
        return 'none';
      case 'k':
        return 'kill';
      case 'D':
        this.send('OK');
        return 'detach';
      default:
        this.send('');
        return 'none';
    }
  }

  private resumeAt(addr: string, action: 'continue' | 'step'): GdbAction {
    if (addr !== '') {
      const pc = parseHex(addr);
      if (pc === null) {
        this.send('E01');
        return 'none';
      }
      this.target.machine.cpu.pc = pc & ~3;
    }
    return action;
  }

  private vPacket(p: string): GdbAction {
    if (p === 'vCont?') {
      this.send('vCont;c;C;s;S');
      return 'none';
    }
    if (p.startsWith('vCont;')) {
      // All-stop: a step of one thread (s or S, with its id) steps that vCPU, the others running their turns;
      // otherwise the first action decides (c/C continue).
      const actions = p.slice(6).split(';');
      const step = actions.find((a) => a.startsWith('s') || a.startsWith('S'));
      if (step !== undefined) {
        const thread = step.includes(':') ? parseHex(step.slice(step.indexOf(':') + 1)) : null;
        if (thread !== null && thread > 0) {
          if (!this.threadExists(thread)) {
            this.send('E01');
            return 'none';
          }
          this.target.vcpu = thread - 1;
        }
        return 'step';
      }
      const first = actions[0] ?? '';
      if (first.startsWith('c') || first.startsWith('C')) return 'continue';
      this.send('E01');
      return 'none';
    }
    if (p.startsWith('vKill')) {
      this.send('OK');
      return 'kill';
    }
    this.send('');
    return 'none';
  }

  /** GDB thread ids are vCPU numbers + 1. */
  private threadExists(thread: number): boolean {
    return thread >= 1 && thread <= this.target.machine.cpus.length;
  }

  private query(p: string): void {
    const vcpuThread = (this.target.vcpu + 1).toString(16);
    if (p.startsWith('qSupported')) {
      this.send(`PacketSize=${MAX_PACKET.toString(16)};qXfer:features:read+;QStartNoAckMode+;vContSupported+`);
    } else if (p.startsWith('qXfer:features:read:target.xml:')) {
      const [os, ls] = p.slice('qXfer:features:read:target.xml:'.length).split(',');
      const off = parseHex(os);
      const len = parseHex(ls);
      if (off === null || len === null) {
        this.send('E01');
        return;
      }
      const chunk = TARGET_XML.slice(off, off + len);
      this.send((off + len >= TARGET_XML.length ? 'l' : 'm') + chunk);
    } else if (p.startsWith('qXfer:')) {
      this.send('E00');
    } else if (p === 'qAttached') {
      this.send('1');
    } else if (p === 'qC') {
      this.send(`QC${vcpuThread}`);
    } else if (p === 'qfThreadInfo') {
      this.send(`m${this.target.machine.cpus.map((_, k) => (k + 1).toString(16)).join(',')}`);
    } else if (p === 'qsThreadInfo') {
      this.send('l');
    } else if (p.startsWith('qThreadExtraInfo,')) {
      const thread = parseHex(p.slice('qThreadExtraInfo,'.length));
      if (thread === null || !this.threadExists(thread)) {
        this.send('E01');
        return;
      }
      const held = this.target.machine.held[thread - 1] ? ' (in the spin table)' : '';
      this.send(hex(new TextEncoder().encode(`vCPU ${thread - 1}${held}`)));
    } else if (p === 'qSymbol::') {
      this.send('OK');
    } else {
      this.send('');
    }
  }
}

/** Undoes the protocol's escaping ('}' then the byte XOR 0x20). */
function unescape(data: string): string {
  if (!data.includes('}')) return data;
  let s = '';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === '}' && i + 1 < data.length) s += String.fromCharCode(data.charCodeAt(++i) ^ 0x20);
    else s += c;
  }
  return s;
}
