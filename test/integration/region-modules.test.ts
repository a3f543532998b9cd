// A guest run again in the same thread finds its translated regions
// compiled (cpu/wasm-modules.ts): the second run compiles no module and
// instantiates the first run's, and runs exactly as the first did.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runElf } from '../../src/main/guest/run';
import { regionModules } from '../../src/main/cpu/wasm-modules';
import { warmUpInterpreter } from '../../src/main/guest/warmup';

const INTMIX = join(__dirname, '../../resources/guests/bench/intmix.elf');

describe('compiled region modules', () => {
  it('are reused by a second run of the same guest in the thread, which runs exactly as the first', () => {
    const elf = new Uint8Array(readFileSync(INTMIX));
    warmUpInterpreter(false, 'all'); // the thread's warm-up translates regions of its own: before counting
    regionModules.clear();
    const first = runElf(elf, { bootargs: 'iterations=30', jit: 'on' });
    const compiled = regionModules.compiled;
    const regions = first.machine.cpu.jitBlocks;
    expect(regions).toBeGreaterThan(3);
    expect(first.machine.cpu.jitInsns / first.insns).toBeGreaterThan(0.5);
    expect(compiled).toBe(regions);
    expect(regionModules.heldBytes).toBe(first.machine.cpu.jitSourceChars);

    const hits = regionModules.hits;
    const second = runElf(elf, { bootargs: 'iterations=30', jit: 'on' });
    expect(second.machine.cpu.jitBlocks).toBe(regions);
    expect(regionModules.compiled).toBe(compiled);
    expect(regionModules.hits - hits).toBe(regions);
    expect(Buffer.from(second.console).toString('latin1')).toBe(Buffer.from(first.console).toString('latin1'));
    expect({ insns: second.insns, jit: second.machine.cpu.jitInsns }).toEqual({ insns: first.insns, jit: first.machine.cpu.jitInsns });
  });

  it('are compiled anew once forgotten', () => {
    const elf = new Uint8Array(readFileSync(INTMIX));
    runElf(elf, { bootargs: 'iterations=5', jit: 'on' });
    regionModules.clear();
    const r = runElf(elf, { bootargs: 'iterations=5', jit: 'on' });
    expect(regionModules.hits).toBe(0);
    expect(regionModules.compiled).toBe(r.machine.cpu.jitBlocks);
  });
});
