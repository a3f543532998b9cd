// A spare thread's machine warm-up (guest/machine-warmup.ts): labOS booted
// natively and under the hypervisor, a bounded step at a time, really
// reaching the machine's paths (its console, the hypervisor's exits), and
// leaving no compiled regions behind, whether it ends or is given up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { regionModules } from '../../../src/main/cpu/wasm-modules';
import { MachineWarmUp, WARMUP_MODELS, WARMUP_STEP_INSNS } from '../../../src/main/guest/machine-warmup';

const LABOS = new Uint8Array(readFileSync(join(__dirname, '../../../resources/guests/labos/labos.elf')));
const BUDGET = 1_500_000;

describe('machine warm-up', () => {
  it('boots labOS under each model for its budget, a bounded step at a time, and forgets the regions it compiled', () => {
    const w = new MachineWarmUp(LABOS, WARMUP_MODELS, BUDGET);
    let steps = 0;
    let regionBytes = 0;
    while (w.step()) {
      steps++;
      regionBytes = Math.max(regionBytes, regionModules.heldBytes);
    }
    expect(w.runs.map((r) => [r.model, r.insns, r.end])).toEqual([['native', BUDGET, 'budget'], ['booke-hv', BUDGET, 'budget']]);
    // No step ran more than its share: a guest arriving waits for one step at most.
    expect(steps).toBeGreaterThanOrEqual((2 * BUDGET) / WARMUP_STEP_INSNS - 1);
    // labOS booted (its banner went to the console) and, under the hypervisor, exited to it.
    for (const r of w.runs) expect(r.consoleBytes).toBeGreaterThan(100);
    expect(w.runs[0]!.exits).toBe(0);
    expect(w.runs[1]!.exits).toBeGreaterThan(100);
    // Its regions were compiled while it ran, and are gone now.
    expect(regionBytes).toBeGreaterThan(0);
    expect(regionModules.heldBytes).toBe(0);
    expect(w.step()).toBe(false);
  });

  it('given up part way (a guest has come), it stops at once and forgets its regions too', () => {
    const w = new MachineWarmUp(LABOS, WARMUP_MODELS, BUDGET);
    for (let i = 0; i < 20; i++) expect(w.step()).toBe(true);
    expect(regionModules.heldBytes).toBeGreaterThan(0);
    w.abandon();
    expect(w.step()).toBe(false);
    expect(w.runs.map((r) => r.model)).toEqual(['native']);
    expect(regionModules.heldBytes).toBe(0);
  });

  it('a run that ends early (labOS powers off at its script\'s end) ends with the machine\'s reason', () => {
    const w = new MachineWarmUp(LABOS, ['native'], 2e8);
    while (w.step());
    expect(w.runs).toHaveLength(1);
    expect(w.runs[0]!.end).toBe('reset');
    expect(w.runs[0]!.insns).toBeLessThan(2e8);
  });
});
