// The multi-guest runtime through the LabSession: guests on worker threads,
// their consoles, pausing, isolation of failures, statistics and idling.
// Guests run labOS natively here (the 'native' model) unless a test is about
// the hypervisor's byte channels.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabSession } from '../../src/main/lab/session';
import { LabFailure } from '../../src/shared/result';
import { counterSlot } from '../../src/main/link/stats';
import { H, R, Recorder, busyWindow, insns, waitUntil } from '../support/runtime';

let session: LabSession;

afterEach(async () => {
  await session?.shutdown();
});

function setup() {
  session = new LabSession();
  return { session, rec: new Recorder(session) };
}

describe('guests on worker threads', () => {
  it('boots three labOS guests to the prompt; input reaches only its guest', async () => {
    const { session, rec } = setup();
    const a = await session.createGuest({ image: 'labos', name: 'a', model: 'native' });
    const b = await session.createGuest({ image: 'labos', name: 'b', model: 'native', ramMb: 256 });
    const c = await session.createGuest({ image: 'labos', name: 'c', model: 'native', override: { strategies: { SPRG0: 'trap' } } });
    for (const g of [a, b, c]) rec.subscribe(g.id);
    await Promise.all([a, b, c].map((g) => rec.waitFor(g.id, 'labos> ')));
    expect(rec.text(b.id)).toContain('memory: 256 MB');
    expect(rec.text(a.id)).toContain('memory: 128 MB');
    expect(session.listGuests().map((g) => [g.name, g.ramMb, g.override])).toEqual([
      ['a', 128, null], ['b', 256, null], ['c', 128, { strategies: { SPRG0: 'trap' } }],
    ]);

    expect(session.consoleWrite(b.id, 'echo only-for-b\n')).toEqual({ accepted: 16 });
    await rec.waitFor(b.id, 'only-for-b\r\nlabos> ');
    // Input typed on a and c after b's has reached them: b's would have too, were it misrouted.
    session.consoleWrite(a.id, 'echo a-after\n');
    session.consoleWrite(c.id, 'echo c-after\n');
    await rec.waitFor(a.id, 'a-after\r\nlabos> ');
    await rec.waitFor(c.id, 'c-after\r\nlabos> ');
    expect(rec.text(a.id)).not.toContain('only-for-b');
    expect(rec.text(c.id)).not.toContain('only-for-b');
    expect(session.guestCounters(b.id)[H.consoleIn]).toBe(16);
  });

  it('gives a late subscriber the scrollback', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'labos', model: 'native', bootargs: 'echo scroll-me' });
    await waitUntil(() => rec.state(g.id) === 'halted', 'the scripted guest to halt');
    rec.subscribe(g.id);
    expect(rec.text(g.id)).toContain('labos> echo scroll-me\r\nscroll-me');
    expect(rec.text(g.id)).toContain('[lab] guest halted: the guest reset the board');
  });

  it('pausing one guest leaves the others running', async () => {
    const { session, rec } = setup();
    const busy = { image: 'intmix', model: 'native' as const, bootargs: 'iterations=100000000' };
    const a = await session.createGuest({ ...busy, name: 'a' });
    const b = await session.createGuest({ ...busy, name: 'b' });
    await waitUntil(() => insns(session, a.id) > 1e6 && insns(session, b.id) > 1e6, 'both guests to run');
    const paused = await session.pauseGuest(a.id);
    expect(paused.state).toBe('paused');
    const a0 = insns(session, a.id);
    const b0 = insns(session, b.id);
    // b runs another ten million instructions meanwhile; a does not move.
    await waitUntil(() => insns(session, b.id) > b0 + 1e7, 'the other guest to keep running');
    expect(insns(session, a.id)).toBe(a0);
    expect(rec.guests.find((g) => g.id === a.id)?.state).toBe('paused');

    await expect(session.pauseGuest(a.id)).rejects.toMatchObject({ code: 'invalid-state' });
    expect((await session.startGuest(a.id)).state).toBe('running');
    await waitUntil(() => insns(session, a.id) > a0, 'the resumed guest to run');
    await expect(session.startGuest(a.id)).rejects.toMatchObject({ code: 'invalid-state' });
  });

  it('runs an uploaded ELF and changes a guest\'s hardware override', async () => {
    const { session, rec } = setup();
    const elf = readFileSync(resolve(__dirname, '../../resources/guests/hello/hello.elf'));
    const g = await session.createGuest({ upload: { fileName: 'my hello.elf', data: elf.toString('base64') }, model: 'booke-hv' });
    expect(g).toMatchObject({ name: 'myhello-1', image: 'my hello.elf', model: 'booke-hv' });
    rec.subscribe(g.id);
    await rec.waitFor(g.id, 'Hello from an e500mc guest');
    expect(session.setGuestOverride(g.id, { strategies: { SPRG1: 'trap' } }).override).toEqual({ strategies: { SPRG1: 'trap' } });
    expect(() => session.setGuestOverride(g.id, { strategies: { NOPE: 'trap' } })).toThrow(/Unknown SPR "NOPE"/);
    expect(session.setGuestOverride(g.id, null).override).toBeNull();
    expect(rec.guests.find((x) => x.id === g.id)?.override).toBeNull();
  });

  it('starts a created guest only when asked', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'hello', start: false });
    expect(g.state).toBe('created');
    // Two statistics readings later it still has run nothing.
    const seen = rec.statsEvents;
    await waitUntil(() => rec.statsEvents >= seen + 2, 'two statistics readings', 5000);
    expect(insns(session, g.id)).toBe(0);
    rec.subscribe(g.id);
    await session.startGuest(g.id);
    await rec.waitFor(g.id, 'Hello from an e500mc guest');
    await waitUntil(() => rec.state(g.id) === 'halted', 'hello to end its run');
  });

  it('reboots a halted guest with resetGuest', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'labos', model: 'native', bootargs: 'echo round' });
    rec.subscribe(g.id);
    await waitUntil(() => rec.state(g.id) === 'halted', 'the first run to end');
    expect(session.listGuests()[0]!.reason).toBe('the guest reset the board');
    expect(() => session.consoleWrite(g.id, 'x')).toThrow(LabFailure);
    const info = await session.resetGuest(g.id);
    expect(info.state).toBe('running');
    expect(info.reason).toBeUndefined();
    await waitUntil(() => rec.state(g.id) === 'halted' && rec.text(g.id).split('labos> echo round').length === 3, 'the second run to end');
  });
});

describe('a Linux guest powered off and reset', () => {
  it('boots again to /init and powers off again (the power-off line is low after the reset)', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'linux', model: 'native', bootargs: 'console=ttyS0 printk.time=0 labinit="poweroff"' });
    rec.subscribe(g.id);
    await waitUntil(() => rec.state(g.id) === 'halted', 'the first boot to power off', 60_000);
    expect(session.listGuests()[0]!.reason).toBe('the guest powered off');
    const first = insns(session, g.id);
    await session.resetGuest(g.id);
    // The reset boot used to power off as soon as Linux's GPIO driver first wrote the block (after about a
    // quarter of the boot): the power-off line was still high from the first run.
    await waitUntil(() => rec.state(g.id) === 'halted' && rec.text(g.id).split('Run /init as init process').length === 3, 'the second boot to reach /init and power off', 60_000);
    expect(session.listGuests()[0]!.reason).toBe('the guest powered off');
    // The whole boot again (the session's pacing lets timer interrupts land a little differently: not the exact count).
    expect(insns(session, g.id)).toBeGreaterThan(first * 0.9);
  }, 120_000);
});

describe('isolation', () => {
  it('isolates a guest whose emulator throws; the others keep running', async () => {
    const { session, rec } = setup();
    const good = await session.createGuest({ image: 'labos', name: 'good', model: 'native' });
    const bad = await session.createGuest({ image: 'intmix', name: 'bad', model: 'native', bootargs: 'iterations=100000000' },
      { testHooks: { throwAtSlice: 5 } });
    rec.subscribe(good.id);
    rec.subscribe(bad.id);
    await waitUntil(() => rec.state(bad.id) === 'crashed', 'the failing guest to be marked crashed');
    const info = session.listGuests().find((g) => g.id === bad.id)!;
    expect(info.reason).toMatch(/^emulator error: Error: test hook: the emulator threw outside the core/);
    await rec.waitFor(bad.id, '[lab] guest stopped: emulator error: Error: test hook');
    expect(rec.notices.some((n) => n.level === 'error' && n.id === bad.id && /crashed/.test(n.message))).toBe(true);
    await waitUntil(() => session.guestThread(bad.id) === undefined, 'the worker to be cleaned up');

    await rec.waitFor(good.id, 'labos> ');
    session.consoleWrite(good.id, 'echo still-here\n');
    await rec.waitFor(good.id, 'still-here\r\n');
    await expect(session.startGuest(bad.id)).rejects.toMatchObject({ code: 'invalid-state' });

    // A crashed guest boots again on a new worker.
    const again = await session.resetGuest(bad.id);
    expect(again.state).toBe('running');
    expect(session.guestThread(bad.id)).toBeDefined();
  });

  it('reports a checkstop in the console and as a notice', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'intmix', model: 'native', bootargs: 'iterations=100000000' },
      { testHooks: { checkstopAtSlice: 3 } });
    rec.subscribe(g.id);
    await waitUntil(() => rec.state(g.id) === 'crashed', 'the checkstop');
    expect(session.listGuests()[0]!.reason).toBe('checkstop: test hook: forced checkstop');
    await rec.waitFor(g.id, '[lab] guest stopped: checkstop: test hook: forced checkstop');
    expect(rec.notices.at(-1)).toMatchObject({ level: 'error', id: g.id });
  });

  it('detects a worker terminated from outside', async () => {
    const { session, rec } = setup();
    const a = await session.createGuest({ image: 'labos', name: 'a', model: 'native' });
    const b = await session.createGuest({ image: 'labos', name: 'b', model: 'native' });
    rec.subscribe(a.id);
    rec.subscribe(b.id);
    await rec.waitFor(b.id, 'labos> ');
    await session.guestThread(b.id)!.terminate();
    await waitUntil(() => rec.state(b.id) === 'crashed', 'the killed guest to be marked crashed');
    expect(session.listGuests().find((g) => g.id === b.id)!.reason).toMatch(/worker thread exited unexpectedly \(exit code 1\)/);
    session.consoleWrite(a.id, 'echo a-lives\n');
    await rec.waitFor(a.id, 'a-lives\r\n');
  });
});

describe('idle guests', () => {
  it('an idle labOS at the prompt runs no slices and sleeps', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'labos', model: 'native' });
    rec.subscribe(g.id);
    await rec.waitFor(g.id, 'labos> ');
    await waitUntil(() => rec.state(g.id) === 'idle', 'the guest to be reported idle');
    // About a second of another guest's slices.
    const [before, after] = await busyWindow(session, 100, () => session.guestCounters(g.id));
    // labOS parks its decrementer about 5 s ahead when idle: at most one wake-up
    // (one slice) in a second, and none at all unless that deadline fell in it.
    const slices = after[R.slices]! - before[R.slices]!;
    expect(slices).toBeLessThanOrEqual(1);
    expect(after[R.sleeps]! - before[R.sleeps]!).toBeLessThanOrEqual(1);
    if (slices === 0) expect(after[H.insns]).toBe(before[H.insns]);

    // Input wakes it at once.
    session.consoleWrite(g.id, 'echo awake\n');
    await rec.waitFor(g.id, 'awake\r\nlabos> ');
  });
});

describe('statistics', () => {
  it('pushes stats events and resets counters', async () => {
    const { session, rec } = setup();
    const g = await session.createGuest({ image: 'intmix', model: 'native', bootargs: 'iterations=100000000' });
    // The worker starts within a few ticks; wait for ticks that saw it run.
    const ran = () => (session.statsSnapshot().guests.find((x) => x.id === g.id)?.insns ?? 0) > 0;
    await waitUntil(() => rec.statsEvents >= 3 && ran(), 'three statistics ticks, the guest running');
    const snap = session.statsSnapshot();
    const s = snap.guests.find((x) => x.id === g.id)!;
    expect(s.insns).toBeGreaterThan(0);
    expect(s.mips).toBeGreaterThan(0);
    expect(session.resetStats(g.id)).toEqual({ reset: 1 });
    expect(insns(session, g.id)).toBeLessThan(s.insns);
    expect(() => session.resetStats('nope')).toThrow(/No guest with id "nope"/);
  });
});

describe('guests sharing a host core', () => {
  it('runs two guests whose vCPUs share one core\'s TLB: their shadows evict each other, their results stay right', async () => {
    const { session, rec } = setup();
    session.setHwConfig({ policy: { hostTlb: 'shared' } });
    const script = 'run mem; run mem; run mem; poweroff';
    const a = await session.createGuest({ image: 'labos', name: 'a', model: 'booke-hv', bootargs: script, start: false });
    const b = await session.createGuest({ image: 'labos', name: 'b', model: 'booke-hv', bootargs: script, start: false });
    for (const g of [a, b]) rec.subscribe(g.id);
    await Promise.all([session.startGuest(a.id), session.startGuest(b.id)]);
    await waitUntil(() => rec.state(a.id) === 'halted' && rec.state(b.id) === 'halted', 'both guests to finish', 60_000);
    for (const g of [a, b]) expect(rec.text(g.id).match(/0 bad words/g)).toHaveLength(3);
    // Both booted and ran at once on two threads: the kernel's own pages alone land in the same host sets.
    const evictions = (id: string) => session.guestCounters(id)[counterSlot('host_tlb_evictions')]!;
    expect(evictions(a.id) + evictions(b.id)).toBeGreaterThan(0);
  });
});
