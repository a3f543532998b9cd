import { describe, expect, it } from 'vitest';
import { parseGuestSpec, SpecError } from '../../../src/main/cli/guest-spec';
import { ConsoleMux } from '../../../src/main/cli/console-mux';
import { parseScript, ScriptError } from '../../../src/main/cli/script';

describe('lab session --guest', () => {
  it('parses an image with keys, keeping commas inside values', () => {
    expect(parseGuestSpec('labos:name=a,model=native,ram=256,bootargs=echo x,y; poweroff')).toEqual({
      image: 'labos', name: 'a', model: 'native', ramMb: 256, bootargs: 'echo x,y; poweroff',
    });
    expect(parseGuestSpec('labos')).toEqual({ image: 'labos' });
    expect(parseGuestSpec('labos:start=no')).toEqual({ image: 'labos', autostart: false });
    expect(() => parseGuestSpec('labos:start=later')).toThrow(/start is yes or no/);
  });

  it('builds a per-guest override from preset, dup and trap', () => {
    const spec = parseGuestSpec('labos:preset=none,dup=SPRG0+srr0,trap=TCR,DEC');
    expect(spec.override?.strategies?.SPRG0).toBe('duplicate');
    expect(spec.override?.strategies?.SRR0).toBe('duplicate');
    expect(spec.override?.strategies?.TCR).toBe('trap');
    expect(spec.override?.strategies?.DEC).toBe('trap');
    expect(spec.override?.direct?.external).toBe(false);
  });

  it('reads an ELF path as an upload', () => {
    const spec = parseGuestSpec('dir/guest.elf:name=up', () => Uint8Array.of(1, 2, 3));
    expect(spec.upload).toEqual({ fileName: 'guest.elf', data: 'AQID' });
  });

  it('names what is wrong', () => {
    expect(() => parseGuestSpec('labos:colour=blue')).toThrow(/unknown key "colour"/);
    expect(() => parseGuestSpec('labos:model=vmx')).toThrow(/unknown model "vmx"/);
    expect(() => parseGuestSpec('labos:preset=max')).toThrow(SpecError);
    expect(() => parseGuestSpec(':name=a')).toThrow(/image is missing/);
  });
});

describe('lab session --script', () => {
  it('parses steps and reports the line of a bad one', () => {
    expect(parseScript('# demo\n@a echo hi\nexpect a hi\nsleep 0.5\npause b\nstats\nquit\n')).toEqual([
      { line: 2, op: 'type', guest: 'a', text: 'echo hi' },
      { line: 3, op: 'expect', guest: 'a', text: 'hi' },
      { line: 4, op: 'sleep', seconds: 0.5 },
      { line: 5, op: 'pause', guest: 'b' },
      { line: 6, op: 'stats' },
      { line: 7, op: 'quit' },
    ]);
    expect(parseScript('break a pc 0x1000\nbreak a exit mmio_exits\nbreak a spr IVOR6 write\nbreak a clear\nstep a\nstep a 10\nstep a block\nstep a exit\nstep a to 0x20\ncontinue a\nregs a\ntlb a\nx a 0x100\nx a 256 8\nset a r3 0x10\nset a f1 -3')).toEqual([
      { line: 1, op: 'break', guest: 'a', kind: 'pc', value: '0x1000', access: 'any' },
      { line: 2, op: 'break', guest: 'a', kind: 'exit', value: 'mmio_exits', access: 'any' },
      { line: 3, op: 'break', guest: 'a', kind: 'spr', value: 'IVOR6', access: 'write' },
      { line: 4, op: 'break', guest: 'a', kind: 'clear', value: '', access: 'any' },
      { line: 5, op: 'step', guest: 'a', unit: 'instruction', count: 1 },
      { line: 6, op: 'step', guest: 'a', unit: 'instruction', count: 10 },
      { line: 7, op: 'step', guest: 'a', unit: 'block', count: 1 },
      { line: 8, op: 'step', guest: 'a', unit: 'exit', count: 1 },
      { line: 9, op: 'step', guest: 'a', unit: 'address', count: 1, address: 0x20 },
      { line: 10, op: 'continue', guest: 'a' },
      { line: 11, op: 'regs', guest: 'a' },
      { line: 12, op: 'tlb', guest: 'a' },
      { line: 13, op: 'x', guest: 'a', address: 0x100, length: 32 },
      { line: 14, op: 'x', guest: 'a', address: 256, length: 8 },
      { line: 15, op: 'set', guest: 'a', register: 'r3', value: 16 },
      { line: 16, op: 'set', guest: 'a', register: 'f1', value: -3 },
    ]);
    for (const bad of ['break a', 'break a pc nowhere', 'break a spr IVOR6 sometimes', 'step a sideways', 'step a to', 'x a', 'set a r3', 'regs']) {
      expect(() => parseScript(bad, 'demo.txt'), bad).toThrow(/demo\.txt:1: /);
    }
    expect(() => parseScript('\nfly a', 'demo.txt')).toThrow(ScriptError);
    expect(() => parseScript('\nfly a', 'demo.txt')).toThrow(/demo\.txt:2: unknown step "fly"/);
  });
});

describe('console multiplexing', () => {
  it('prefixes lines with the guest name and ends a line another guest interrupts', () => {
    let out = '';
    const mux = new ConsoleMux({ write: (t, done) => { out += t; done(); } });
    mux.add('g1', 'a');
    mux.add('g2', 'bb');
    mux.push('g1', Buffer.from('hello\r\nlabos> '));
    mux.push('g2', Buffer.from('x\r\n'));
    mux.push('g1', Buffer.from('echo\r\n'));
    expect(out).toBe('a | hello\na | labos> \nbb| x\na | echo\n');
  });
});
