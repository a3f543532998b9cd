// getTrace: the hypervisor's recent exits of one guest, through the same
// dispatch the IPC and WebSocket bridges use (validation, typed errors).
import { afterAll, describe, expect, it } from 'vitest';
import type { ExitTraceEntry, LabEvent } from '../../src/shared/api';
import { dispatch } from '../../src/main/lab/dispatch';
import { LabSession, type LabClient } from '../../src/main/lab/session';
import { sleep } from '../support/runtime';

const session = new LabSession();
const client: LabClient = { name: 'trace-test', send: (_e: LabEvent) => {} };
session.attach(client);
afterAll(() => session.shutdown());

async function trace(id: string): Promise<ExitTraceEntry[]> {
  const r = await dispatch(session, client, 'getTrace', { id });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { entries: ExitTraceEntry[] }).entries;
}

describe('getTrace', () => {
  it('returns the recent exits with SPR traps and disassembled instructions', async () => {
    const g = await session.createGuest({ image: 'labos', name: 'traced', override: { strategies: { SPRG0: 'trap' } } });
    let entries: ExitTraceEntry[] = [];
    const found = () => entries.some((e) => e.spr === 272) && entries.some((e) => e.reason === 'mmio_exits');
    for (const deadline = Date.now() + 20_000; !found() && Date.now() < deadline; await sleep(100)) entries = await trace(g.id);
    expect(found(), 'SPRG0 traps and an MMIO access in the trace').toBe(true);
    expect(entries.length).toBeLessThanOrEqual(64);
    const sprg0 = entries.find((e) => e.spr === 272)!;
    expect(sprg0).toMatchObject({ reason: 'emulated_inst_exits' });
    expect(sprg0.disassembly).toMatch(/spr/);
    // An MMIO exit is disassembled too: the load or store that reached the device.
    expect(entries.find((e) => e.reason === 'mmio_exits')!.disassembly).toMatch(/^(l|st)/);
    expect(sprg0.cycles).toBeGreaterThan(0);
    // A paused guest still answers (its worker handles requests while it sleeps).
    await session.pauseGuest(g.id);
    expect((await trace(g.id)).length).toBeGreaterThan(0);
  });

  it('names the vCPU of every exit of a guest with several', async () => {
    // Linux with two vCPUs under booke-hv, at its shell: both vCPUs exit (timers, doorbells, TLB refills).
    const g = await session.createGuest({ image: 'linux-smp', name: 'pair', model: 'booke-hv', smp: 2, bootargs: 'console=ttyS0' });
    let entries: ExitTraceEntry[] = [];
    const both = () => entries.some((e) => e.vcpu === 0) && entries.some((e) => e.vcpu === 1);
    for (const deadline = Date.now() + 60_000; !both() && Date.now() < deadline; await sleep(200)) entries = await trace(g.id);
    expect(both(), `exits of both vCPUs in ${JSON.stringify(entries.map((e) => e.vcpu))}`).toBe(true);
    expect(entries.every((e) => e.vcpu === 0 || e.vcpu === 1)).toBe(true);
    await session.removeGuest(g.id);
  }, 90_000);

  it('refuses unknown guests and malformed parameters with typed errors', async () => {
    const r = await dispatch(session, client, 'getTrace', { id: 'g999' });
    expect(r.ok ? 'ok' : r.error.code).toBe('unknown-guest');
    const bad = await dispatch(session, client, 'getTrace', { id: 7 });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('invalid-request');
  });
});
