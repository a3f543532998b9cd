import { describe, expect, it } from 'vitest';
import {
  applyHwPatch, defaultHwConfig, hwCost, INTERRUPT_KINDS, matchPreset, parsePolicyText, presetConfig, PRESETS,
} from '../../../src/shared/hw';
import { LabFailure } from '../../../src/shared/result';
import { CONFIGURABLE_SPRS, sprByName } from '../../../src/shared/spr';

function failure(fn: () => unknown): LabFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof LabFailure) return e;
    throw e;
  }
  throw new Error('expected a LabFailure');
}

describe('hardware configuration', () => {
  it('starts as the Power ISA 2.06 preset', () => {
    expect(matchPreset(defaultHwConfig())).toBe('isa206');
  });

  it('gives every configurable SPR an allowed strategy in every preset', () => {
    for (const p of PRESETS) {
      const c = presetConfig(p.id);
      for (const s of CONFIGURABLE_SPRS) expect(s.allowed, `${p.id} ${s.name}`).toContain(c.strategies[s.name]);
      for (const k of INTERRUPT_KINDS) expect(typeof c.direct[k]).toBe('boolean');
      expect(matchPreset(c)).toBe(p.id);
    }
  });

  it('nothing duplicated traps what 2.06 duplicates and costs no die bits', () => {
    const c = presetConfig('none');
    expect(c.strategies.SRR0).toBe('trap');
    expect(c.strategies.SPRG0).toBe('trap');
    expect(c.strategies.SPRG4).toBe('shared');
    expect(hwCost(c).dieBits).toBe(0);
    expect(INTERRUPT_KINDS.every((k) => !c.direct[k])).toBe(true);
  });

  it('counts die bits of the 2.06 set: ten 32-bit guest copies', () => {
    expect(hwCost(presetConfig('isa206')).dieBits).toBe(10 * 32);
    expect(hwCost(presetConfig('isa206')).duplicated).toBe(10);
  });

  it('everything duplicated costs the most die bits', () => {
    const all = hwCost(presetConfig('all'));
    expect(all.dieBits).toBeGreaterThan(hwCost(presetConfig('isa206')).dieBits);
    expect(all.trapped).toBe(0);
  });

  it('x86-like transfers the fast path, scratch, MMU and vectors and traps the rest', () => {
    const c = presetConfig('x86');
    expect(c.strategies.SRR0).toBe('transfer');
    expect(c.strategies.SPRG5).toBe('transfer');
    expect(c.strategies.MAS1).toBe('transfer');
    expect(c.strategies.IVOR6).toBe('transfer');
    expect(c.strategies.DEC).toBe('trap');
    const cost = hwCost(c);
    expect(cost.dieBits).toBe(0);
    expect(cost.transferBytesPerSwitch).toBe(cost.transferred * 4);
  });

  it('applies a patch without touching its input and reports custom', () => {
    const base = defaultHwConfig();
    const next = applyHwPatch(base, { strategies: { sprg0: 'trap' }, direct: { alignment: true } });
    expect(next.strategies.SPRG0).toBe('trap');
    expect(next.direct.alignment).toBe(true);
    expect(base.strategies.SPRG0).toBe('duplicate');
    expect(matchPreset(next)).toBe('custom');
    expect(hwCost(next).dieBits).toBe(hwCost(base).dieBits - 32);
  });

  it('refuses an unknown SPR, listing the valid ones', () => {
    const e = failure(() => applyHwPatch(defaultHwConfig(), { strategies: { SPRG42: 'trap' } }));
    expect(e.code).toBe('unknown-spr');
    expect(e.message).toMatch(/Unknown SPR "SPRG42"/);
    expect(e.message).toMatch(/SRR0/);
  });

  it('refuses a strategy the register does not allow', () => {
    const e = failure(() => applyHwPatch(defaultHwConfig(), { strategies: { SRR0: 'shared' } }));
    expect(e.code).toBe('strategy-not-allowed');
    expect(e.message).toBe('SRR0 cannot use "shared"; allowed: duplicate, transfer, trap');
  });

  it('refuses a strategy that does not exist', () => {
    const e = failure(() => applyHwPatch(defaultHwConfig(), { strategies: { SRR0: 'mirror' } }));
    expect(e.code).toBe('strategy-not-allowed');
    expect(e.message).toMatch(/Unknown strategy "mirror"/);
  });

  it('refuses to configure fixed registers, saying why', () => {
    expect(failure(() => applyHwPatch(defaultHwConfig(), { strategies: { EPCR: 'duplicate' } })).message)
      .toMatch(/EPCR is not configurable: it exists only for the hypervisor/);
    expect(failure(() => applyHwPatch(defaultHwConfig(), { strategies: { SPRG4R: 'trap' } })).message)
      .toMatch(/configure SPRG4/);
  });

  it('refuses an unknown interrupt kind', () => {
    const e = failure(() => applyHwPatch(defaultHwConfig(), { direct: { doorbell: true } }));
    expect(e.code).toBe('unknown-interrupt');
    expect(e.message).toMatch(/Interrupts: external, dsi/);
  });

  it('applies nothing of a patch that fails half way', () => {
    const base = defaultHwConfig();
    expect(() => applyHwPatch(base, { strategies: { SPRG0: 'trap', NOPE: 'trap' } })).toThrow(LabFailure);
    expect(base.strategies.SPRG0).toBe('duplicate');
    expect(sprByName('SPRG0')).toBeDefined();
  });

  it('changes the hypervisor policy, checking every value, and a policy is not hardware', () => {
    const base = defaultHwConfig();
    expect(base.policy).toEqual({ injection: 'entry', sharedSave: 'exit', hostPageKb: 4, hostTlb: 'private' });
    const lazy = applyHwPatch(base, { policy: { sharedSave: 'switch', hostPageKb: 1024, hostTlb: 'shared' } });
    expect(lazy.policy).toEqual({ injection: 'entry', sharedSave: 'switch', hostPageKb: 1024, hostTlb: 'shared' });
    expect(base.policy.sharedSave).toBe('exit');
    // Same virtual hardware: still the 2.06 preset.
    expect(matchPreset(lazy)).toBe('isa206');
    expect(failure(() => applyHwPatch(base, { policy: { injection: 'later' } })).message).toBe('Unknown injection policy "later". Choices: entry, exit');
    expect(failure(() => applyHwPatch(base, { policy: { hostPageKb: 3 } })).message).toMatch(/Host page size must be one of 4, 16, 64/);
  });

  it('reads the command line\'s policy form', () => {
    expect(parsePolicyText('injection=exit, shared=switch,host-page=16384,host-tlb=shared')).toEqual({ injection: 'exit', sharedSave: 'switch', hostPageKb: 16384, hostTlb: 'shared' });
    expect(parsePolicyText('')).toEqual({});
    expect(failure(() => parsePolicyText('speed=fast')).message).toMatch(/Unknown policy "speed"/);
    expect(failure(() => parsePolicyText('host-page=big')).message).toMatch(/host-page must be a size in KB/);
  });
});
