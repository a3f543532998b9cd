import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/api';
import type { HwConfigView } from '../../src/shared/hw';
import { dispatch } from '../../src/main/lab/dispatch';
import { LabSession } from '../../src/main/lab/session';

function setup() {
  const session = new LabSession();
  const events: LabEvent[] = [];
  const client = { name: 'test', send: (e: LabEvent) => { events.push(e); } };
  session.attach(client);
  const call = (method: string, params: unknown = {}) => dispatch(session, client, method, params);
  return { session, events, call };
}

describe('LabSession through the LabApi dispatcher', () => {
  it('reports the 2.06 configuration with its die-bit cost', async () => {
    const { call } = setup();
    const r = await call('getHwConfig');
    expect(r.ok).toBe(true);
    const view = (r as { value: HwConfigView }).value;
    expect(view.preset).toBe('isa206');
    expect(view.cost.dieBits).toBe(320);
  });

  it('stores a strategy change and tells every client', async () => {
    const { call, events, session } = setup();
    const r = await call('setHwConfig', { strategies: { SPRG0: 'trap' } });
    expect(r.ok).toBe(true);
    expect(session.hwConfig.strategies.SPRG0).toBe('trap');
    const ev = events.find((e) => e.type === 'hw');
    expect(ev && ev.type === 'hw' && ev.view.preset).toBe('custom');
    expect(ev && ev.type === 'hw' && ev.view.cost.dieBits).toBe(288);
  });

  it('applies presets', async () => {
    const { call } = setup();
    const r = await call('applyPreset', { preset: 'none' });
    expect(r.ok && (r.value as HwConfigView).cost.dieBits).toBe(0);
  });

  it('answers an unknown SPR with a clear error and keeps the configuration', async () => {
    const { call, session } = setup();
    const r = await call('setHwConfig', { strategies: { SRR0: 'trap', FOO: 'trap' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('unknown-spr');
      expect(r.error.message).toMatch(/Unknown SPR "FOO"/);
    }
    expect(session.hwConfig.strategies.SRR0).toBe('duplicate');
  });

  it('answers malformed calls without throwing', async () => {
    const { call } = setup();
    for (const [m, p] of [['nope', {}], ['setHwConfig', 'a string'], ['applyPreset', { preset: 3 }], [42, null]] as const) {
      const r = await call(m as string, p);
      expect(r.ok).toBe(false);
    }
  });

  it('edits and resets the cost model within its bounds', async () => {
    const { call } = setup();
    const set = await call('setCostModel', { exitEntry: 1000 });
    expect(set.ok && (set.value as Record<string, number>).exitEntry).toBe(1000);
    const bad = await call('setCostModel', { exitEntry: -5 });
    expect(bad.ok).toBe(false);
    const unknown = await call('setCostModel', { warpDrive: 1 });
    expect(!unknown.ok && unknown.error.message).toMatch(/Unknown cost parameter "warpDrive"/);
    const reset = await call('resetCostModel');
    expect(reset.ok && (reset.value as Record<string, number>).exitEntry).toBe(300);
  });

  it('lists the bundled guest images', async () => {
    const { call } = setup();
    const r = await call('listImages');
    expect(r.ok).toBe(true);
    const ids = (r as { value: { id: string }[] }).value.map((i) => i.id);
    expect(ids).toContain('hello');
  });
});
