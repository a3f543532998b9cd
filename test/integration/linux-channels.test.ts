// Linux's own ePAPR byte-channel driver on the lab's hypervisor: the shipped
// kernel, under booke-hv beside a labOS guest, finds its channels in the
// device tree (/dev/ttyEHV1 to the lab, /dev/ttyEHV2 to the other guest:
// the driver keeps tty 0 for a byte-channel console) and
// talks through them with hypercalls, in both directions.
import { afterEach, describe, expect, it } from 'vitest';
import { LabSession } from '../../src/main/lab/session';
import { Recorder, waitUntil } from '../support/runtime';

let session: LabSession | undefined;
afterEach(async () => {
  await session?.shutdown();
  session = undefined;
});

describe('Linux byte channels', () => {
  it('carries lines from Linux to labOS and the lab, and from labOS to Linux', async () => {
    session = new LabSession();
    const rec = new Recorder(session);
    const lin = await session.createGuest({ image: 'linux', name: 'lin', model: 'booke-hv', bootargs: 'console=ttyS0 printk.time=0', start: false });
    const b = await session.createGuest({ image: 'labos', name: 'b', model: 'booke-hv', start: false });
    rec.subscribe(lin.id);
    rec.subscribe(b.id);
    await session.startGuest(lin.id);
    await session.startGuest(b.id);
    await rec.waitFor(b.id, 'labos> ');
    await rec.waitFor(lin.id, 'Run /init as init process', 60_000);
    await rec.waitFor(lin.id, '# ', 30_000);
    expect(rec.text(lin.id)).toContain('ePAPR hypervisor byte channel driver');

    expect(rec.text(lin.id)).toContain('registered /dev/ttyEHV1 for byte channel 1');
    expect(rec.text(lin.id)).toContain('registered /dev/ttyEHV2 for byte channel 2');
    expect(rec.text(lin.id)).not.toMatch(/WARNING|Call Trace|could not register/);

    session.consoleWrite(lin.id, 'echo hello from linux > /dev/ttyEHV2\n');
    await rec.waitFor(b.id, '[lin] hello from linux', 10_000);

    session.consoleWrite(lin.id, 'recv /dev/ttyEHV2\n');
    await waitUntil(() => rec.text(lin.id).endsWith('recv /dev/ttyEHV2\r\n'), 'Linux to wait on the channel', 10_000);
    session.consoleWrite(b.id, 'send lin hi linux\n');
    await rec.waitFor(lin.id, 'recv /dev/ttyEHV2\r\nhi linux\r\n', 10_000);

    session.consoleWrite(lin.id, 'echo to the lab > /dev/ttyEHV1\n');
    await waitUntil(() => rec.notices.some((n) => n.id === lin.id && n.message === 'lin: to the lab'), 'the line Linux sent to the lab', 10_000);
  }, 120_000);
});
