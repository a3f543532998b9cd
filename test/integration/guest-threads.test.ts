// Guest worker threads outlive their guests: a guest removed cleanly gives
// its thread back, warm, and the next guest runs on it exactly as on a new
// thread; a thread whose emulator failed is never given another guest; a
// session that keeps a spare starts its first guest on a thread warmed up
// before it was asked for; idle threads are bounded and end with the session.
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { GuestThreads, MAX_IDLE } from '../../src/main/lab/guest-threads';
import { resolveWorkerScript } from '../../src/main/lab/worker-script';
import { LabSession } from '../../src/main/lab/session';
import { Recorder, waitUntil } from '../support/runtime';

let session: LabSession;

afterEach(async () => {
  await session?.shutdown();
});

/** A labOS guest's console from creation to the end of its scripted run (it resets the board when done). */
async function scriptedRun(s: LabSession, rec: Recorder, name: string): Promise<{ id: string; thread: Worker; text: string }> {
  const g = await s.createGuest({ image: 'labos', name, model: 'booke-hv', bootargs: 'echo scripted; spr' });
  rec.subscribe(g.id);
  const thread = s.guestThread(g.id)!;
  await waitUntil(() => rec.state(g.id) === 'halted', `${name} to finish its script`);
  return { id: g.id, thread, text: rec.text(g.id) };
}

const exited = (w: Worker) => new Promise<number>((resolve) => w.once('exit', resolve));

describe('guest threads', () => {
  it('a removed guest\'s thread runs the next guest, which sees exactly what it would on a new thread', async () => {
    session = new LabSession();
    const rec = new Recorder(session);
    const first = await scriptedRun(session, rec, 'first');
    expect(first.text).toContain('scripted');
    await session.removeGuest(first.id);
    expect(session.guestThreadCounts()).toEqual({ started: 1, reused: 0, idle: 1 });

    const second = await scriptedRun(session, rec, 'second');
    expect(second.thread).toBe(first.thread);
    expect(session.guestThreadCounts()).toMatchObject({ started: 1, reused: 1 });
    // Same image, model and script: the same console, byte for byte, and the same exits.
    expect(second.text).toBe(first.text);
  });

  it('never gives a thread whose emulator threw to another guest', async () => {
    session = new LabSession();
    const rec = new Recorder(session);
    const bad = await session.createGuest({ image: 'intmix', name: 'bad', model: 'native', bootargs: 'iterations=100000000' },
      { testHooks: { throwAtSlice: 3 } });
    const badThread = session.guestThread(bad.id)!;
    const gone = exited(badThread);
    rec.subscribe(bad.id);
    await waitUntil(() => rec.state(bad.id) === 'crashed', 'the failing guest to be marked crashed');
    await gone;
    await session.removeGuest(bad.id);
    const next = await scriptedRun(session, rec, 'next');
    expect(next.thread).not.toBe(badThread);
    expect(next.text).toContain('scripted');
    expect(session.guestThreadCounts()).toMatchObject({ started: 2, reused: 0 });
  });

  it('a session with a spare starts its first guest on a thread already warmed up, machine and all, and the guest sees nothing of it', async () => {
    const plain = new LabSession();
    let alone: string;
    try {
      alone = (await scriptedRun(plain, new Recorder(plain), 'alone')).text;
    } finally {
      await plain.shutdown();
    }
    session = new LabSession({ spareThread: true });
    expect(session.guestThreadCounts()).toEqual({ started: 1, reused: 0, idle: 1 });
    // The spare boots labOS natively and under the hypervisor (guest/machine-warmup.ts) before any guest comes.
    await waitUntil(() => session.spareWarmUps().length === 1, 'the spare to warm up', 60_000);
    const [warm] = session.spareWarmUps();
    expect(warm).toMatchObject({ abandoned: false });
    expect(warm!.error).toBeUndefined();
    expect(warm!.runs.map((r) => [r.model, r.end])).toEqual([['native', 'budget'], ['booke-hv', 'budget']]);
    expect(warm!.runs[1]!.exits).toBeGreaterThan(0);
    expect(warm!.ms).toBeGreaterThan(0);
    const rec = new Recorder(session);
    const g = await scriptedRun(session, rec, 'on-spare');
    expect(session.guestThreadCounts()).toMatchObject({ started: 1, reused: 1 });
    // The same console, byte for byte, as on a thread that never warmed up (the name is the same: 'alone' vs 'on-spare' is not printed).
    expect(g.text).toBe(alone);
  });

  it('a spare whose machine warm-up fails reports why and ends; the next guest gets a new thread', async () => {
    // The real guest worker, given an image that is not an ELF file to warm up with.
    const threads = new GuestThreads(() => resolveWorkerScript(), { keepSpare: true, warmUpImage: () => new TextEncoder().encode('not an ELF file') });
    try {
      await waitUntil(() => threads.warmUps.length === 1, 'the spare\'s warm-up report');
      expect(threads.warmUps[0]!.error).toMatch(/ELF/);
      expect(threads.warmUps[0]!.abandoned).toBe(false);
      await waitUntil(() => threads.idleCount === 0, 'the failed spare to leave the pool');
      const next = threads.take();
      expect(threads.started).toBe(2);
      await next.terminate();
    } finally {
      await threads.close();
    }
  });

  it('a guest that comes while the spare warms up ends the warm-up and runs at once', async () => {
    session = new LabSession({ spareThread: true });
    const rec = new Recorder(session);
    const g = await scriptedRun(session, rec, 'early');
    expect(g.text).toContain('scripted');
    expect(session.guestThreadCounts()).toMatchObject({ started: 1, reused: 1 });
    // The spare was still warming up: it gave up (between two steps of its machine warm-up, or before it began).
    await waitUntil(() => session.spareWarmUps().length === 1, 'the spare\'s warm-up report');
    expect(session.spareWarmUps()[0]).toMatchObject({ abandoned: true });
  });

  it(`keeps at most ${MAX_IDLE} idle threads and ends them with the session`, async () => {
    session = new LabSession();
    const rec = new Recorder(session);
    const runs = await Promise.all(['a', 'b', 'c'].map((n) => scriptedRun(session, rec, n)));
    const ends = runs.map((r) => exited(r.thread));
    for (const r of runs) await session.removeGuest(r.id);
    expect(session.guestThreadCounts()).toEqual({ started: 3, reused: 0, idle: MAX_IDLE });
    await ends[2]; // the one beyond the bound (given back last) has ended already...
    await session.shutdown(); // ...and the idle ones end with the session
    await Promise.all(ends);
    expect(session.guestThreadCounts().idle).toBe(0);
  });

  it('an idle thread that dies leaves the pool; the next guest gets a new one', async () => {
    session = new LabSession();
    const rec = new Recorder(session);
    const a = await scriptedRun(session, rec, 'a');
    await session.removeGuest(a.id);
    await a.thread.terminate();
    await waitUntil(() => session.guestThreadCounts().idle === 0, 'the dead thread to leave the pool');
    const b = await scriptedRun(session, rec, 'b');
    expect(b.thread).not.toBe(a.thread);
    expect(b.text).toBe(a.text);
  });
});
