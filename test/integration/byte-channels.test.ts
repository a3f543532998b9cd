// Inter-guest byte channels: the shared rings (lossless, all-or-nothing,
// across threads), the device-tree rule (a guest sees the channels that
// exist when it boots), and labOS's `send` between two guests and to the
// lab through the hypervisor's hypercalls (booke-hv, and trap-and-emulate).
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteRing, createRing, LabConsoleChannel, SharedByteChannel } from '../../src/main/link/byte-channel';
import { ChannelRegistry } from '../../src/main/lab/channels';
import { CONTROL, createControl } from '../../src/main/link/control';
import { LabSession } from '../../src/main/lab/session';
import { hypervisorDeviceTree, BYTE_CHANNEL_IRQ_BASE } from '../../src/main/hv';
import { busyWindow, H, R, Recorder, waitUntil } from '../support/runtime';

describe('byte rings', () => {
  it('wraps around, refuses what does not fit, and never loses a byte', () => {
    const ring = new ByteRing(createRing(16));
    expect(ring.write(new Uint8Array(10).fill(1))).toBe(10);
    expect(ring.write(new Uint8Array(7).fill(2))).toBe(0); // all or nothing
    expect(ring.space()).toBe(6);
    expect([...ring.read(8)]).toEqual(new Array(8).fill(1));
    expect(ring.write(Uint8Array.from([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]))).toBe(12);
    expect([...ring.read(100)]).toEqual([1, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(ring.used()).toBe(0);
    ring.close();
    expect(ring.write(Uint8Array.of(1))).toBe(0);
  });

  it('wakes the receiving worker when data arrives on an empty channel', () => {
    const reg = new ChannelRegistry();
    const a = { id: 'a', name: 'a', control: createControl().buffer as SharedArrayBuffer };
    const bControl = createControl();
    const b = { id: 'b', name: 'b', control: bControl.buffer as SharedArrayBuffer };
    const { forA, forB } = reg.connect(a, b);
    expect([forA.label, forA.handle, forB.label, forB.handle]).toEqual(['b', 2, 'a', 2]);
    const ab = new SharedByteChannel(forA);
    const ba = new SharedByteChannel(forB);
    expect(ab.send(new TextEncoder().encode('hello'))).toBe(5);
    expect(Atomics.load(bControl, CONTROL.wake)).toBe(1);
    expect(ba.rxPending()).toBe(5);
    expect(new TextDecoder().decode(ba.receive(16))).toBe('hello');
    expect(reg.disconnect('b')).toEqual([{ peer: 'a', handle: 2 }]);
    expect(ab.txSpace()).toBe(0);
  });

  it('buffers what a guest sends to the lab console until the runner takes it', () => {
    const c = new LabConsoleChannel();
    expect(c.send(new TextEncoder().encode('hi\n'))).toBe(3);
    expect(new TextDecoder().decode(c.take()!)).toBe('hi\n');
    expect(c.take()).toBeNull();
  });

  it('carries 1 MB between two worker threads without loss', async () => {
    const reg = new ChannelRegistry();
    const ca = createControl();
    const cb = createControl();
    const { forA, forB } = reg.connect(
      { id: 'a', name: 'a', control: ca.buffer as SharedArrayBuffer },
      { id: 'b', name: 'b', control: cb.buffer as SharedArrayBuffer },
    );
    const total = 1024 * 1024;
    const script = resolve(__dirname, '../support/ring-worker.ts');
    const run = (role: string, channel: unknown, control: SharedArrayBuffer) => new Promise<string>((res, rej) => {
      const w = new Worker(script, { workerData: { role, channel, control, total }, execArgv: ['--require', 'tsx/cjs'] });
      w.once('message', res);
      w.once('error', rej);
    });
    const [sent, received] = await Promise.all([
      run('send', forA, ca.buffer as SharedArrayBuffer),
      run('receive', forB, cb.buffer as SharedArrayBuffer),
    ]);
    expect(received).toBe(sent);
  }, 20_000);
});

describe('byte channels between guests', () => {
  let session: LabSession;
  afterEach(async () => {
    await session?.shutdown();
  });

  it('shows a guest the channels that exist when it boots', async () => {
    session = new LabSession();
    const rec = new Recorder(session);
    const a = await session.createGuest({ image: 'labos', name: 'alpha' });
    rec.subscribe(a.id);
    await rec.waitFor(a.id, 'hypervisor: ePAPR, 1 byte channel: console (handle 1)');
    const b = await session.createGuest({ image: 'labos', name: 'beta' });
    rec.subscribe(b.id);
    await rec.waitFor(b.id, 'hypervisor: ePAPR, 2 byte channels: console (handle 1), alpha (handle 2)');
    // alpha booked before beta existed: it sees beta from its next boot.
    await session.resetGuest(a.id);
    await rec.waitFor(a.id, '2 byte channels: console (handle 1), beta (handle 2)');
    // A removed peer leaves at the next boot.
    await session.removeGuest(b.id);
    const before = rec.text(a.id).length;
    await session.resetGuest(a.id);
    await waitUntil(() => rec.text(a.id).slice(before).includes('1 byte channel: console (handle 1)'), `the channel to beta to be gone: ${rec.text(a.id).slice(before)}`, 3000);
  });

  /** Two labOS guests under booke-hv, created first and started together so each boots with the channel to the other. */
  async function pairAtPrompt(model: 'booke-hv' | 'trap-and-emulate' = 'booke-hv', bootargsB = '') {
    session = new LabSession();
    const rec = new Recorder(session);
    const a = await session.createGuest({ image: 'labos', name: 'a', model, start: false });
    const b = await session.createGuest({ image: 'labos', name: 'b', model, bootargs: bootargsB, start: false });
    rec.subscribe(a.id);
    rec.subscribe(b.id);
    await session.startGuest(a.id);
    await session.startGuest(b.id);
    await rec.waitFor(a.id, 'labos> ');
    await rec.waitFor(b.id, 'labos> ');
    return { rec, a, b };
  }

  it('carries labOS `send` to the other guest and to the lab', async () => {
    const { rec, a, b } = await pairAtPrompt();
    session.consoleWrite(b.id, 'send a hello over the channel\n');
    await rec.waitFor(a.id, '[b] hello over the channel');
    session.consoleWrite(a.id, 'send console hi lab\n');
    await waitUntil(() => rec.notices.some((n) => n.id === a.id && n.message === 'a: hi lab'), 'the line sent to the lab');
  });

  it('carries it between two trap-and-emulate guests, one with the paravirtual page, both ways', async () => {
    const { rec, a, b } = await pairAtPrompt('trap-and-emulate', 'pv=on');
    await rec.waitFor(b.id, 'paravirtual page at 0xfffff000');
    session.consoleWrite(a.id, 'send b from a kernel in user mode\n');
    await rec.waitFor(b.id, '[a] from a kernel in user mode');
    session.consoleWrite(b.id, 'send a back through the page\n');
    await rec.waitFor(a.id, '[b] back through the page');
  });

  it('an idle guest with channels sleeps without a tick and wakes on its receive interrupt', async () => {
    const { rec, a, b } = await pairAtPrompt();
    await waitUntil(() => rec.state(b.id) === 'idle', 'b to be reported idle');
    // b has two channels (console, a); a polling kernel would wake 50 times a
    // second to read them. labOS parks its decrementer instead.
    // About a second of another guest's slices.
    const [before, after] = await busyWindow(session, 100, () => session.guestCounters(b.id));
    expect(after[R.slices]! - before[R.slices]!).toBeLessThanOrEqual(1);
    // The bytes a sends raise b's receive interrupt, which wakes it well
    // before its parked decrementer (about 5 s away) would.
    const insnsBefore = session.guestCounters(b.id)[H.insns]!;
    session.consoleWrite(a.id, 'send b woken by an interrupt\n');
    await rec.waitFor(b.id, '[a] woken by an interrupt', 2500);
    expect(session.guestCounters(b.id)[H.insns]!).toBeGreaterThan(insnsBefore);
  });
});

describe('byte-channel device tree', () => {
  it('gives each channel its receive and transmit sources on the MPIC', () => {
    const chan = (handle: number, label: string) => ({
      handle, label, send: () => 0, receive: () => new Uint8Array(0), rxPending: () => 0, txSpace: () => 0,
    });
    const board = { interruptParent: 0x8003 };
    expect(hypervisorDeviceTree({ model: 'native', byteChannels: [chan(1, 'console')] }, board)).toEqual([]);
    const [hv] = hypervisorDeviceTree({ model: 'booke-hv', byteChannels: [chan(1, 'console'), chan(2, 'peer')] }, board);
    const irqs = hv!.children.map((c) => c.props.find(([k]) => k === 'interrupts')?.[1]);
    expect(irqs).toEqual([
      { u32: [BYTE_CHANNEL_IRQ_BASE, 2, BYTE_CHANNEL_IRQ_BASE + 1, 2] },
      { u32: [BYTE_CHANNEL_IRQ_BASE + 2, 2, BYTE_CHANNEL_IRQ_BASE + 3, 2] },
      undefined, // the spare, disabled node
    ]);
    expect(hv!.children[0]!.props.find(([k]) => k === 'interrupt-parent')?.[1]).toEqual({ u32: [board.interruptParent] });
    // Past the reserved range a channel has no interrupts (the guest polls it).
    const many = hypervisorDeviceTree({ model: 'booke-hv', byteChannels: Array.from({ length: 17 }, (_, i) => chan(i + 1, `c${i}`)) }, board);
    expect(many[0]!.children[16]!.props.some(([k]) => k === 'interrupts')).toBe(false);
  });
});
