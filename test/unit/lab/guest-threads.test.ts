// The pool of guest threads without a guest (lab/guest-threads.ts), with a
// stand-in worker: which thread a new guest gets, how many wait, when they
// end, and the spare.
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { GuestThreads, MAX_IDLE } from '../../../src/main/lab/guest-threads';

const SCRIPT = { path: join(__dirname, '../../support/idle-thread.mjs'), execArgv: [] };
/** Resolves when the thread ends; rejects if it has not within 5 s. */
const exited = (w: Worker) => new Promise<number>((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('the thread did not end within 5 s')), 5000);
  w.once('exit', (code) => { clearTimeout(t); resolve(code); });
});
const until = async (what: string, f: () => boolean) => {
  for (let k = 0; k < 400 && !f(); k++) await new Promise((r) => setTimeout(r, 10));
  if (!f()) throw new Error(`timed out waiting for ${what}`);
};

let pools: GuestThreads[] = [];
const pool = (options: ConstructorParameters<typeof GuestThreads>[1] = {}) => {
  const p = new GuestThreads(() => SCRIPT, options);
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

describe('GuestThreads', () => {
  it('hands the most recently given thread to the next guest, and starts one when none waits', async () => {
    const p = pool();
    const a = p.take();
    const b = p.take();
    expect([p.started, p.reused]).toEqual([2, 0]);
    await p.give(a);
    await p.give(b);
    expect(p.take()).toBe(b);
    expect(p.take()).toBe(a);
    expect([p.started, p.reused, p.idleCount]).toEqual([2, 2, 0]);
    await Promise.all([a, b].map((w) => w.terminate()));
  });

  it(`keeps at most ${MAX_IDLE} idle threads and ends the others`, async () => {
    const p = pool();
    const ws = [p.take(), p.take(), p.take()];
    const last = exited(ws[2]!);
    for (const w of ws) await p.give(w);
    expect(p.idleCount).toBe(MAX_IDLE);
    await last;
  });

  it('ends a thread that ran a guest after it has waited idleMs, and forgets one that dies', async () => {
    const p = pool({ idleMs: 50 });
    const a = p.take();
    const gone = exited(a);
    await p.give(a);
    expect(p.idleCount).toBe(1);
    await gone;
    expect(p.idleCount).toBe(0);
    const b = p.take();
    await p.give(b);
    await b.terminate();
    await until('the dead thread to leave the pool', () => p.idleCount === 0);
    expect(p.take()).not.toBe(b);
  });

  it('hands a spare the machine warm-up\'s image, read when the spare starts, and warms without one the image reader cannot give', async () => {
    let reads = 0;
    const p = pool({ keepSpare: true, warmUpImage: () => new Uint8Array(++reads * 100) });
    await until('the spare\'s warm-up report', () => p.warmUps.length === 1);
    expect(p.warmUps[0]!.runs.map((r) => r.insns)).toEqual([100]);
    const failing = pool({ keepSpare: true, warmUpImage: () => { throw new Error('no labOS here'); } });
    const absent = pool({ keepSpare: true, warmUpImage: () => undefined });
    await until('the other spares\' reports', () => failing.warmUps.length === 1 && absent.warmUps.length === 1);
    expect(failing.warmUps[0]!.runs).toEqual([]);
    expect(absent.warmUps[0]!.runs).toEqual([]);
    expect([failing.idleCount, absent.idleCount]).toEqual([1, 1]);
    expect(reads).toBe(1);
  });

  it('keeps a warmed spare, never ended for waiting, and starts another after the last idle thread is taken', async () => {
    const p = pool({ keepSpare: true, idleMs: 30, spareDelayMs: 30 });
    expect([p.started, p.idleCount]).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 100)); // past idleMs: a spare stays
    expect(p.idleCount).toBe(1);
    const spare = p.take();
    expect([p.reused, p.idleCount]).toEqual([1, 0]);
    await until('a new spare', () => p.idleCount === 1);
    expect(p.started).toBe(2);
    await spare.terminate();
  });

  it('ends every idle thread when closed, and any thread given back after', async () => {
    const p = pool({ keepSpare: true });
    const taken = p.take();
    const spare2 = p.take();
    const ends = [exited(taken), exited(spare2)];
    await p.give(spare2);
    await p.close();
    await p.give(taken);
    await Promise.all(ends);
    expect(p.idleCount).toBe(0);
  });
});
