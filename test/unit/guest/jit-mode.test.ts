// LAB_JIT: the translator's mode for guests whose caller names none (a whole
// test run through the interpreter alone: CI does one), and that an explicit
// option still wins; LAB_INTERP: the interpreter's WebAssembly fast path off
// for A/B measurements, whoever chose the mode.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultInterpreter, defaultJitChoice } from '../../../src/main/guest/jit-mode';
import { runElf } from '../../../src/main/guest/run';

const INTMIX = new Uint8Array(readFileSync(join(__dirname, '../../../resources/guests/bench/intmix.elf')));
const saved = process.env.LAB_JIT;
const savedInterp = process.env.LAB_INTERP;
afterEach(() => {
  if (saved === undefined) delete process.env.LAB_JIT;
  else process.env.LAB_JIT = saved;
  if (savedInterp === undefined) delete process.env.LAB_INTERP;
  else process.env.LAB_INTERP = savedInterp;
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

describe('LAB_INTERP', () => {
  it('names the interpreter: the WebAssembly fast path when unset or wasm, JavaScript alone with js; anything else is refused by name', () => {
    expect(defaultJitChoice({ LAB_INTERP: 'js' })).toEqual({ jit: 'on', interpreter: 'js' });
    expect(defaultJitChoice({ LAB_JIT: 'eager', LAB_INTERP: 'wasm' })).toEqual({ jit: 'eager', interpreter: 'wasm' });
    expect(defaultInterpreter({})).toBeUndefined();
    expect(() => defaultJitChoice({ LAB_INTERP: 'fast' })).toThrow('LAB_INTERP must be wasm or js (got "fast")');
  });

  it('applies whoever chose the translator\'s mode, and changes nothing the guest sees', () => {
    const withWasm = runElf(INTMIX, { bootargs: 'iterations=20', jit: 'on' });
    expect(withWasm.machine.cpu.wasmInterpInsns).toBeGreaterThan(0);
    process.env.LAB_INTERP = 'js';
    const jsAlone = runElf(INTMIX, { bootargs: 'iterations=20', jit: 'on' });
    expect(jsAlone.machine.cpu.wasmInterpInsns).toBe(0);
    expect(jsAlone.machine.cpu.jitInsns).toBeGreaterThan(0);
    expect([jsAlone.insns, Buffer.from(jsAlone.console).toString()]).toEqual([withWasm.insns, Buffer.from(withWasm.console).toString()]);
  });
});
