// Snapshots in a session, through the LabApi dispatcher: a guest's whole
// state saved between slices, a fork that continues from where the original
// is (both answer afterwards, each on its own console), a guest created from
// a snapshot file, and files that do not fit refused with the reason.
import { afterAll, describe, expect, it } from 'vitest';
import type { GuestInfo } from '../../src/shared/api';
import { dispatch } from '../../src/main/lab/dispatch';
import { LabSession } from '../../src/main/lab/session';
import { decodeSnapshot } from '../../src/main/link/snapshot';
import { apiCaller, Recorder, waitUntil } from '../support/runtime';

const session = new LabSession();
const rec = new Recorder(session, 'snapshots-test');
afterAll(() => session.shutdown());

const { call } = apiCaller(session, rec);

describe('snapshots in a session', () => {
  it('saves a guest, forks it, and starts a guest from a snapshot file', async () => {
    const g = await session.createGuest({ image: 'labos', name: 'orig', model: 'booke-hv' });
    rec.subscribe(g.id);
    await rec.waitFor(g.id, 'labos> ');
    const saved = await call<{ fileName: string; data: string; insns: number; bytes: number }>('saveSnapshot', { id: g.id });
    expect(saved.fileName).toMatch(/^orig-\d+\.snap$/);
    const snap = decodeSnapshot(new Uint8Array(Buffer.from(saved.data, 'base64')));
    expect(snap.header.config).toMatchObject({ model: 'booke-hv', ramMb: 128, image: { name: 'labos' } });
    expect(snap.header.insns).toBe(saved.insns);
    expect(Object.keys(snap.header.parts)).toEqual(expect.arrayContaining(['vcpu0.cpu', 'vcpu0.tlb', 'dev.uart0', 'dev.mpic', 'hv.guest-tlb']));

    // The fork continues from the prompt: it answers a command without booting again.
    const fork = await call<GuestInfo>('forkGuest', { id: g.id, name: 'fork' });
    rec.subscribe(fork.id);
    await waitUntil(() => rec.state(fork.id) === 'running' || rec.state(fork.id) === 'idle', 'the fork to run');
    await call('consoleWrite', { id: fork.id, data: 'echo from-the-fork\n' });
    await rec.waitFor(fork.id, 'from-the-fork\r\nlabos> ');
    expect(rec.text(fork.id)).not.toContain('labOS 1.0 for e500mc');
    await call('consoleWrite', { id: g.id, data: 'echo still-the-original\n' });
    await rec.waitFor(g.id, 'still-the-original');
    expect(rec.text(g.id)).not.toContain('from-the-fork');

    // From the file, under other hardware: it continues too.
    const again = await call<GuestInfo>('createGuest', { name: 'restored', snapshot: { fileName: saved.fileName, data: saved.data }, override: { strategies: { SPRG0: 'trap' } } });
    expect(again).toMatchObject({ model: 'booke-hv', image: 'labos' });
    rec.subscribe(again.id);
    await call('consoleWrite', { id: again.id, data: 'echo restored-here\n' });
    await rec.waitFor(again.id, 'restored-here\r\nlabos> ');
    expect(rec.text(again.id)).not.toContain('labOS 1.0 for e500mc');
    await waitUntil(() => session.guestCounters(again.id)[1]! > saved.insns, 'the restored guest to count on from the snapshot');
  }, 60_000);

  it('refuses a damaged snapshot, another image\'s and another model, with the reason', async () => {
    const g = await session.createGuest({ image: 'labos', name: 'src2', model: 'booke-hv' });
    const saved = await call<{ fileName: string; data: string }>('saveSnapshot', { id: g.id });
    const refuse = async (params: unknown) => {
      const r = await dispatch(session, rec, 'createGuest', params);
      if (r.ok) throw new Error('accepted');
      return r.error;
    };
    const bytes = Buffer.from(saved.data, 'base64');
    expect((await refuse({ snapshot: { fileName: 'cut.snap', data: bytes.subarray(0, 100).toString('base64') } })).message).toMatch(/cut\.snap is truncated/);
    expect((await refuse({ snapshot: { fileName: 'x.snap', data: saved.data }, image: 'hello' })).message).toMatch(/taken of image labos .*not hello/);
    expect((await refuse({ snapshot: { fileName: 'x.snap', data: saved.data }, model: 'native' })).message).toMatch(/booke-hv model/);
    expect((await refuse({ snapshot: { fileName: 'x.snap', data: 'AAAA' } })).code).toBe('bad-image');
  });
});
