// A multiprocessor guest in a session, through the LabApi dispatcher: created
// with a vCPU count, it runs on its worker like any guest, the inspector shows
// each of its vCPUs, and what takes single-vCPU guests for now (breakpoints,
// steps, register edits, the GDB stub) is refused with a message that says so.
import { afterAll, describe, expect, it } from 'vitest';
import type { GuestInfo, VcpuStats } from '../../src/shared/api';
import type { InspectorState } from '../../src/shared/debug';
import { LabSession } from '../../src/main/lab/session';
import { apiCaller, H, Recorder, waitUntil } from '../support/runtime';

const session = new LabSession();
const rec = new Recorder(session, 'smp-session-test');
afterAll(() => session.shutdown());

const { call, refused } = apiCaller(session, rec);

const info = (id: string): GuestInfo | undefined => rec.guests.find((g) => g.id === id);

describe('a guest with several vCPUs in a session', () => {
  it('runs the multiprocessor test program on its worker, and each vCPU can be inspected', async () => {
    const g = await call<GuestInfo>('createGuest', { image: 'smp', name: 'quad', model: 'native', smp: 4 });
    expect(g.smp).toBe(4);
    rec.subscribe(g.id);
    await waitUntil(() => rec.text(g.id).includes('cpu 3 done'), 'the program to finish', 60_000);
    expect(rec.text(g.id)).toContain('cpu 0 broadcast doorbell taken: traps=00000001');
    await waitUntil(() => info(g.id)?.state === 'halted', `the guest to end (${JSON.stringify(info(g.id))})`, 30_000);

    // Linux with two vCPUs, paused once it has started its second CPU.
    const live = await call<GuestInfo>('createGuest', { image: 'linux-smp', name: 'penguins', model: 'native', smp: 2,
      bootargs: 'console=ttyS0 printk.time=0' });
    rec.subscribe(live.id);
    await waitUntil(() => rec.text(live.id).includes('smp: Brought up 1 node, 2 CPUs'), 'Linux to start its second CPU', 90_000);
    await call('debugGuest', { id: live.id, action: 'pause' });
    const cpus = await Promise.all([0, 1].map((vcpu) => call<InspectorState>('inspectGuest', { id: live.id, vcpu })));
    expect(cpus.map((s) => s.vcpu)).toEqual([0, 1]);
    const pir = (s: InspectorState) => s.sprs.find((x) => x.name === 'PIR')?.value;
    expect(cpus.map(pir)).toEqual([0, 1]);
    // Both run the kernel (its text is at 0xC0000000 and up), each with its own stack.
    for (const s of cpus) expect(s.pc >>> 0).toBeGreaterThanOrEqual(0xC0000000);
    expect(cpus[0]!.gpr[1]).not.toBe(cpus[1]!.gpr[1]);
    expect(cpus[1]!.insns).toBeGreaterThan(0);
    const tlb = await call<{ vcpu: number }>('inspectTlb', { id: live.id, vcpu: 1 });
    expect(tlb.vcpu).toBe(1);

    expect((await refused('inspectGuest', { id: live.id, vcpu: 2 })).message).toMatch(/has 2 vCPUs \(0-1\); there is no vCPU 2/);
    expect((await refused('debugGuest', { id: live.id, vcpu: 1, action: 'step' })).message).toMatch(/single-vCPU guests for now/);
    expect((await refused('setBreakpoints', { id: live.id, breakpoints: { pcs: [0xC0000000], exits: [], sprs: [] } })).message).toMatch(/single-vCPU/);
    expect((await refused('startGdb', { id: live.id })).message).toMatch(/GDB stub takes single-vCPU guests/);
    await call('debugGuest', { id: live.id, action: 'continue' });
  }, 180_000);

  it('runs several vCPUs under a hypervisor model too, and refuses more than eight', async () => {
    const g = await call<GuestInfo>('createGuest', { image: 'smp', name: 'hosted', model: 'booke-hv', smp: 2 });
    rec.subscribe(g.id);
    await waitUntil(() => rec.text(g.id).includes('cpu 1 done'), 'the program to finish under booke-hv', 60_000);
    expect(rec.text(g.id)).toContain('cpu 1 doorbells=00000002');
    await waitUntil(() => info(g.id)?.state === 'halted', 'the guest to end', 30_000);
    // Each vCPU's share: vCPU 1 took the doorbells vCPU 0 sent it through host doorbells.
    const { vcpus } = await call<{ vcpus: VcpuStats[] }>('getVcpuStats', { id: g.id });
    expect(vcpus.map((v) => v.vcpu)).toEqual([0, 1]);
    // The program left vCPU 1 in `wait` (its last command done) and vCPU 0 reset the board.
    expect(vcpus[1]!.state).toBe('waiting');
    expect(vcpus[1]!.counters.dbell_exits).toBe(2);
    for (const v of vcpus) expect(v.insns).toBeGreaterThan(0);
    expect(vcpus[0]!.exits + vcpus[1]!.exits).toBe(session.guestCounters(g.id)[H.exits]);
    expect((await refused('createGuest', { image: 'labos', model: 'native', smp: 9 })).code).toBe('invalid-request');
  });
});
