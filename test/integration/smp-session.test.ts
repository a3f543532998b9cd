// A multiprocessor guest in a session, through the LabApi dispatcher: created
// with a vCPU count, it runs on its worker like any guest, the inspector shows
// each of its vCPUs; a breakpoint any vCPU reaches stops the whole guest and
// names that vCPU, and a step acts on the vCPU named.
import { afterAll, describe, expect, it } from 'vitest';
import type { GuestInfo, VcpuStats } from '../../src/shared/api';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { InspectorState, StopInfo } from '../../src/shared/debug';
import { LabSession } from '../../src/main/lab/session';
import { apiCaller, H, Recorder, waitUntil } from '../support/runtime';

const session = new LabSession();
const rec = new Recorder(session, 'smp-session-test');
afterAll(() => session.shutdown());

const { call, refused } = apiCaller(session, rec);

const info = (id: string): GuestInfo | undefined => rec.guests.find((g) => g.id === id);
const SMP_ELF = join(__dirname, '..', '..', 'resources', 'guests', 'tests', 'smp.elf');

function symbol(elf: string, name: string): number {
  const r = spawnSync('powerpc-linux-gnu-nm', [elf], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${elf} (is powerpc-linux-gnu-nm installed?)`);
  return parseInt(line.split(' ')[0]!, 16);
}

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
    // A step of vCPU 1 runs until it has retired one instruction (vCPU 0 may run its turn first); a vCPU
    // idling in `wait` may see no interrupt within the step's bound, and the stop says it waits.
    const before = cpus[1]!.insns;
    const { stop: stepped } = await call<{ stop: StopInfo }>('debugGuest', { id: live.id, vcpu: 1, action: 'step' });
    expect(stepped.vcpu).toBe(1);
    expect(stepped.text).toMatch(/^vCPU 1: /);
    const after = (await call<InspectorState>('inspectGuest', { id: live.id, vcpu: 1 })).insns;
    if (after === before) expect(stepped.text).toMatch(/waiting at 0x[0-9a-f]{8} for an interrupt/);
    else expect(after).toBe(before + 1);
    await call('debugGuest', { id: live.id, action: 'continue' });
  }, 180_000);

  it('stops the whole guest at a breakpoint any vCPU reaches, names that vCPU, and steps it', async () => {
    const g = await call<GuestInfo>('createGuest', { image: 'smp', name: 'stops', model: 'booke-hv', smp: 2, start: false });
    rec.subscribe(g.id);
    const entry = symbol(SMP_ELF, 'secondary_main');
    await call('setBreakpoints', { id: g.id, breakpoints: { pcs: [entry], exits: [], sprs: [] } });
    await call('debugGuest', { id: g.id, action: 'continue' });
    await waitUntil(() => info(g.id)?.state === 'paused' && info(g.id)?.stop !== undefined, 'the breakpoint', 30_000);
    const stop = info(g.id)!.stop!;
    expect(stop).toMatchObject({ kind: 'breakpoint', vcpu: 1, pc: entry });
    expect(stop.text).toMatch(/^vCPU 1: breakpoint at /);
    const at = await call<InspectorState>('inspectGuest', { id: g.id, vcpu: 1 });
    expect(at.pc).toBe(entry);
    expect(at.gpr[3]).toBe(0x5A01); // what the boot vCPU wrote in the spin table's r3
    const { stop: step } = await call<{ stop: StopInfo }>('debugGuest', { id: g.id, vcpu: 1, action: 'step' });
    expect(step.vcpu).toBe(1);
    expect((await call<InspectorState>('inspectGuest', { id: g.id, vcpu: 1 })).insns).toBe(at.insns + 1);
    await call('setBreakpoints', { id: g.id, breakpoints: { pcs: [], exits: [], sprs: [] } });
    await call('debugGuest', { id: g.id, action: 'continue' });
    await waitUntil(() => rec.text(g.id).includes('cpu 1 done'), 'the program to finish after the stop', 60_000);
  }, 120_000);

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
