// LAB_JIT: the translator's mode for guests whose caller names none (a whole
// test run through the interpreter alone: CI does one), and that an explicit
// option still wins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultJitChoice } from '../../../src/main/guest/jit-mode';
import { runElf } from '../../../src/main/guest/run';

const INTMIX = new Uint8Array(readFileSync(join(__dirname, '../../../resources/guests/bench/intmix.elf')));
const saved = process.env.LAB_JIT;
afterEach(() => {
  if (saved === undefined) delete process.env.LAB_JIT;
  else process.env.LAB_JIT = saved;
});

describe('LAB_JIT', () => {
  it('names the mode: on when unset, off, eager, js; anything else is refused by name', () => {
    expect(defaultJitChoice({})).toEqual({ jit: 'on' });
    expect(defaultJitChoice({ LAB_JIT: '' })).toEqual({ jit: 'on' });
    expect(defaultJitChoice({ LAB_JIT: 'off' })).toEqual({ jit: 'off' });
    expect(defaultJitChoice({ LAB_JIT: 'eager' })).toEqual({ jit: 'eager' });
    expect(defaultJitChoice({ LAB_JIT: 'js' })).toEqual({ jit: 'on', translator: 'js' });
    expect(() => defaultJitChoice({ LAB_JIT: 'fast' })).toThrow('LAB_JIT must be on, off, eager or js (got "fast")');
  });

  it('sets how a run translates unless the run says, and changes nothing the guest sees', () => {
    process.env.LAB_JIT = 'off';
    const off = runElf(INTMIX, { bootargs: 'iterations=20' });
    expect(off.machine.cpu.jitInsns).toBe(0);
    process.env.LAB_JIT = 'eager';
    const eager = runElf(INTMIX, { bootargs: 'iterations=20' });
    expect(eager.machine.cpu.jitInsns).toBeGreaterThan(eager.insns / 2);
    const explicit = runElf(INTMIX, { bootargs: 'iterations=20', jit: 'off' });
    expect(explicit.machine.cpu.jitInsns).toBe(0);
    expect([eager.insns, Buffer.from(eager.console).toString()]).toEqual([off.insns, Buffer.from(off.console).toString()]);
  });
});
