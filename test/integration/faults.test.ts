// Faults injected where a failure could lose work: a guest's worker killed in
// the middle of a slice and in the middle of a console burst, requests past
// the session's bounds. Each time the other guests keep running, the user is
// told what happened to which guest, and what was already received is kept.
import { afterEach, describe, expect, it } from 'vitest';
import { LabSession } from '../../src/main/lab/session';
import { defaultTotalRamMb, MAX_GUESTS } from '../../src/main/lab/guests';
import { insns, Recorder, waitUntil } from '../support/runtime';

let session: LabSession | undefined;
afterEach(async () => {
  await session?.shutdown();
  session = undefined;
});

function setup(options: ConstructorParameters<typeof LabSession>[0] = {}) {
  session = new LabSession(options);
  return { session, rec: new Recorder(session) };
}

describe('a worker killed from outside', () => {
  it('in the middle of a slice: the guest is marked crashed with the reason, the others keep running', async () => {
    const { session, rec } = setup();
    const busy = await session.createGuest({ image: 'intmix', name: 'busy', model: 'booke-hv', bootargs: 'iterations=400000000' });
    const other = await session.createGuest({ image: 'labos', name: 'other', model: 'booke-hv' });
    rec.subscribe(busy.id);
    rec.subscribe(other.id);
    await waitUntil(() => insns(session, busy.id) > 5e6, 'the busy guest to be well into its slices');
    await session.guestThread(busy.id)!.terminate();
    await waitUntil(() => rec.state(busy.id) === 'crashed', 'the killed guest to be marked crashed');
    expect(session.listGuests().find((g) => g.id === busy.id)!.reason).toMatch(/worker thread exited unexpectedly/);
    expect(rec.notices.some((n) => n.level === 'error' && n.id === busy.id)).toBe(true);
    await rec.waitFor(other.id, 'labos> ');
    session.consoleWrite(other.id, 'echo other-lives\n');
    await rec.waitFor(other.id, 'other-lives\r\n');
    // Its statistics stay readable, frozen where the worker died.
    expect(insns(session, busy.id)).toBeGreaterThan(5e6);
  });

  it('in the middle of a console burst: what arrived stays in its scrollback, the other consoles go on', async () => {
    const { session, rec } = setup();
    const flood = await session.createGuest({ image: 'flood', name: 'flood', model: 'native', bootargs: 'bytes=50331648' });
    const other = await session.createGuest({ image: 'labos', name: 'other', model: 'native' });
    rec.subscribe(flood.id);
    rec.subscribe(other.id);
    await waitUntil(() => rec.text(flood.id).length > 200_000, 'the flood to be under way');
    await session.guestThread(flood.id)!.terminate();
    await waitUntil(() => rec.state(flood.id) === 'crashed', 'the flooding guest to be marked crashed');
    const received = rec.text(flood.id);
    // A late subscriber gets everything the lab received before the kill, in order, and the lab's note after it.
    const late = new Recorder(session, 'late');
    late.subscribe(flood.id);
    const scrollback = late.text(flood.id);
    expect(scrollback).toContain('[lab] guest stopped');
    const lines = scrollback.split('\n').filter((l) => /^\d{8} [a-z]/.test(l));
    expect(lines.length).toBeGreaterThan(1000);
    for (let i = 1; i < lines.length; i++) expect(Number(lines[i]!.slice(0, 8))).toBe(Number(lines[i - 1]!.slice(0, 8)) + 1);
    expect(received.length).toBeGreaterThan(200_000);
    await rec.waitFor(other.id, 'labos> ');
    session.consoleWrite(other.id, 'echo after-the-burst\n');
    await rec.waitFor(other.id, 'after-the-burst\r\n');
  });
});

describe('the session\'s bounds', () => {
  it('has documented defaults: 32 guests, half the host\'s memory for their RAM', () => {
    expect(MAX_GUESTS).toBe(32);
    expect(defaultTotalRamMb(24 * 2 ** 30)).toBe(12 * 1024);
    expect(defaultTotalRamMb(64 * 2 ** 20)).toBe(64);
  });

  it('refuses a guest past the guest count and past the RAM budget, clearly, and keeps the rest', async () => {
    const { session } = setup({ limits: { maxGuests: 2, maxTotalRamMb: 256 } });
    await session.createGuest({ image: 'hello', name: 'one', model: 'native', start: false });
    await expect(session.createGuest({ image: 'hello', name: 'big', model: 'native', ramMb: 192, start: false }))
      .rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/192 MB more guest RAM would exceed the session's 256 MB/) });
    await session.createGuest({ image: 'hello', name: 'two', model: 'native', start: false });
    await expect(session.createGuest({ image: 'hello', name: 'three', model: 'native', start: false }))
      .rejects.toMatchObject({ code: 'unavailable', message: 'The lab runs at most 2 guests; remove one first' });
    expect(session.listGuests().map((g) => g.name)).toEqual(['one', 'two']);
  });
});

describe('console input a guest does not read', () => {
  it('is bounded: past the limit a write is refused, nothing half-typed, and the guest is unaffected', async () => {
    const { session, rec } = setup();
    // intmix computes and never reads its console.
    const g = await session.createGuest({ image: 'intmix', name: 'deaf', model: 'native', bootargs: 'iterations=400000000' });
    rec.subscribe(g.id);
    const chunk = 'x'.repeat(64 * 1024);
    let accepted = 0;
    let refusal: unknown = null;
    for (let k = 0; k < 40 && refusal === null; k++) {
      try {
        accepted += session.consoleWrite(g.id, chunk).accepted;
      } catch (e) {
        refusal = e;
      }
    }
    expect(refusal).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/deaf has \d+ bytes of console input it has not read yet \(limit 1048576\)/) });
    expect(accepted).toBe(16 * 64 * 1024);
    expect(session.listGuests()[0]!.state).toBe('running');
  });
});
