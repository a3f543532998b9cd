// The GDB remote protocol against a real machine (labOS loaded, stopped at
// its entry): framing and acknowledgements, every command GDB uses, and
// clear errors (never an exception) for malformed packets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DebugTarget, REGISTERS_BYTES } from '../../../src/main/guest/debug-target';
import { frame, GdbProtocol } from '../../../src/main/guest/gdb-protocol';
import { prepareRun } from '../../../src/main/guest/run';

const LABOS = join(__dirname, '..', '..', '..', 'resources', 'guests', 'labos', 'labos.elf');

/** A symbol's value from the ELF file's symbol table (ELF32, big-endian). */
function symbol(name: string): number {
  const elf = readFileSync(LABOS);
  const shoff = elf.readUInt32BE(32);
  const shnum = elf.readUInt16BE(48);
  const section = (i: number) => ({ type: elf.readUInt32BE(shoff + 40 * i + 4), offset: elf.readUInt32BE(shoff + 40 * i + 16),
    size: elf.readUInt32BE(shoff + 40 * i + 20), link: elf.readUInt32BE(shoff + 40 * i + 24) });
  for (let i = 0; i < shnum; i++) {
    const sec = section(i);
    if (sec.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(sec.link);
    for (let off = sec.offset; off < sec.offset + sec.size; off += 16) {
      const nameOff = strtab.offset + elf.readUInt32BE(off);
      const end = elf.indexOf(0, nameOff);
      if (elf.toString('latin1', nameOff, end) === name) return elf.readUInt32BE(off + 4);
    }
  }
  throw new Error(`no symbol ${name}`);
}

function setup(smp = 1) {
  const run = prepareRun(new Uint8Array(readFileSync(LABOS)), { bootargs: 'poweroff', smp });
  const target = new DebugTarget(run.machine, run.hypervisor);
  const gdb = new GdbProtocol(target);
  /** Sends one packet; returns the reply's payload (acknowledgement checked). */
  const ask = (data: string) => {
    const { reply, action } = gdb.feed(new TextEncoder().encode(frame(data)));
    expect(reply.startsWith('+$') || reply === '+', reply).toBe(true);
    const m = /^\+(?:\$(.*)#([0-9a-f]{2}))?$/s.exec(reply);
    return { payload: m?.[1] ?? null, action };
  };
  return { run, target, gdb, ask };
}

describe('GDB remote protocol', () => {
  it('frames with checksums, acknowledges, rejects a bad checksum and skips noise', () => {
    const { gdb } = setup();
    expect(frame('OK')).toBe('$OK#9a');
    expect(frame('a#b')).toBe('$a}\x03b#' + (('a'.charCodeAt(0) + 0x7D + 0x03 + 'b'.charCodeAt(0)) & 0xFF).toString(16));
    expect(gdb.feed(new TextEncoder().encode('$qC#00')).reply).toBe('-');
    expect(gdb.feed(new TextEncoder().encode('garbage+$qC#b4')).reply).toBe('+$QC1#c5');
    // A packet split across reads is answered once it is complete.
    expect(gdb.feed(new TextEncoder().encode('$q')).reply).toBe('');
    expect(gdb.feed(new TextEncoder().encode('C#b4')).reply).toBe('+$QC1#c5');
    expect(gdb.feed(Uint8Array.of(3)).action).toBe('interrupt');
  });

  it('describes the target and its one vCPU as a thread', () => {
    const { ask } = setup();
    expect(ask('qSupported:multiprocess+;xmlRegisters=i386').payload).toContain('qXfer:features:read+');
    let xml = '';
    for (let off = 0; ; off += 0x200) {
      const r = ask(`qXfer:features:read:target.xml:${off.toString(16)},200`).payload!;
      xml += r.slice(1);
      if (r[0] === 'l') break;
    }
    expect(xml).toContain('<architecture>powerpc:common</architecture>');
    expect(xml).toContain('<reg name="pc" bitsize="32" type="code_ptr" regnum="64"/>');
    expect(ask('qfThreadInfo').payload).toBe('m1');
    expect(ask('qsThreadInfo').payload).toBe('l');
    expect(Buffer.from(ask('qThreadExtraInfo,1').payload!, 'hex').toString()).toBe('vCPU 0');
    expect(ask('T1').payload).toBe('OK');
    expect(ask('T2').payload).toBe('E01');
    expect(ask('?').payload).toBe('T05thread:1;');
    expect(ask('vCont?').payload).toBe('vCont;c;C;s;S');
    expect(ask('qSomethingNew').payload).toBe('');
  });

  it('shows each vCPU of a guest with several as a thread, and selects one with Hg and vCont', () => {
    const { ask, target, run } = setup(3);
    expect(ask('qfThreadInfo').payload).toBe('m1,2,3');
    expect(Buffer.from(ask('qThreadExtraInfo,3').payload!, 'hex').toString()).toBe('vCPU 2 (in the spin table)');
    expect(ask('T3').payload).toBe('OK');
    expect(ask('T4').payload).toBe('E01');
    // Hg selects the thread registers are read from: vCPU 1's r3 is the spin table's reset value for it (its number).
    run.machine.cpus[1]!.gpr[3] = 0x1234;
    expect(ask('Hg2').payload).toBe('OK');
    expect(target.vcpu).toBe(1);
    expect(ask('p3').payload).toBe('00001234');
    expect(ask('qC').payload).toBe('QC2');
    expect(ask('Hg0').payload).toBe('OK'); // any thread: the selection stays
    expect(target.vcpu).toBe(1);
    expect(ask('Hg9').payload).toBe('E01');
    // A step of thread 1 selects vCPU 0.
    expect(ask('vCont;s:1;c').action).toBe('step');
    expect(target.vcpu).toBe(0);
    expect(ask('vCont;s:7').payload).toBe('E01');
  });

  it('reads and writes registers in GDB\'s layout', () => {
    const { ask, run } = setup();
    const g = ask('g').payload!;
    expect(g.length).toBe(REGISTERS_BYTES * 2);
    const pc = run.machine.cpu.pc >>> 0;
    expect(ask('p40').payload).toBe(pc.toString(16).padStart(8, '0'));
    expect(g.slice(32 * 8 + 32 * 16, 32 * 8 + 32 * 16 + 8)).toBe(pc.toString(16).padStart(8, '0'));
    expect(ask('P3=deadbeef').payload).toBe('OK');
    expect(run.machine.cpu.gpr[3]! >>> 0).toBe(0xDEADBEEF);
    expect(ask('P20=3ff0000000000000').payload).toBe('OK'); // f0 = 1.0
    expect(run.machine.cpu.fpu.f[0]).toBe(1);
    expect(ask('P3=12').payload).toBe('E01'); // wrong size
    expect(ask('p99').payload).toBe('E01');
    expect(ask('Gzz').payload).toBe('E01');
    const again = ask('g').payload!;
    expect(ask(`G${again}`).payload).toBe('OK');
  });

  it('reads and writes memory through the guest\'s translation; unmapped memory is an error', () => {
    const { ask, run } = setup();
    const entry = run.machine.cpu.pc >>> 0;
    const word = ask(`m${entry.toString(16)},4`).payload!;
    expect(word).toBe((run.machine.bus.readRam(entry, 4) >>> 0).toString(16).padStart(8, '0'));
    expect(ask('M100000,4:01020304').payload).toBe('OK');
    expect(ask('m100000,4').payload).toBe('01020304');
    expect(ask('X100004,2:#}').payload).toBe('OK'); // binary data: frame() escapes both bytes
    expect(ask('m100004,2').payload).toBe('237d');
    expect(ask('m40000000,4').payload).toBe('E14');
    expect(ask('mzz,4').payload).toBe('E01');
    expect(ask('M100000,4:0102').payload).toBe('E01');
  });

  it('stops at armed breakpoints exactly where an instruction-by-instruction run stops', () => {
    // console_putc_locked runs for every byte labOS prints (translated code included).
    const putc = symbol('console_putc_locked');
    const stops = (forceStepping: boolean) => {
      const { target, run } = setup();
      target.breakpoints.add(putc);
      // A breakpoint nothing maps makes the target go an instruction at a time.
      if (forceStepping) target.breakpoints.add(0x7FFFFFF0);
      const seen: [number, number][] = [];
      for (let k = 0; k < 5; k++) {
        expect(target.resume(50_000_000)).toEqual({ kind: 'trap' });
        seen.push([run.machine.cpu.pc >>> 0, run.machine.cpu.insns]);
      }
      return seen;
    };
    const armed = stops(false);
    expect(armed.every(([pc]) => pc === putc)).toBe(true);
    expect(new Set(armed.map(([, n]) => n)).size).toBe(5);
    expect(armed).toEqual(stops(true));
  });

  it('stops at a breakpoint, steps one instruction, and reports the guest\'s end', () => {
    const { ask, target, gdb, run } = setup();
    const entry = run.machine.cpu.pc >>> 0;
    const bp = entry + 0x10;
    expect(ask(`Z0,${bp.toString(16)},4`).payload).toBe('OK');
    expect(ask('Z2,1000,4').payload).toBe(''); // watchpoints: not offered
    expect(ask('c').action).toBe('continue');
    expect(target.resume(1_000_000)).toEqual({ kind: 'trap' });
    expect(run.machine.cpu.pc >>> 0).toBe(bp);
    expect(gdb.stopReply({ kind: 'trap' })).toBe(frame('T05thread:1;'));
    expect(ask('s').action).toBe('step');
    expect(target.step()).toEqual({ kind: 'trap' });
    expect(run.machine.cpu.pc >>> 0).toBe(bp + 4);
    expect(ask(`z0,${bp.toString(16)},4`).payload).toBe('OK');
    let stop = null;
    while (!stop) stop = target.resume(10_000_000);
    expect(stop).toEqual({ kind: 'ended', reason: 'reset' }); // labOS's poweroff resets the board
    expect(gdb.stopReply(stop)).toBe(frame('W00'));
    expect(Buffer.concat(run.chunks).toString('latin1')).toContain('Powering off.');
  });
});
