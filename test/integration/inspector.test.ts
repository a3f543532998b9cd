// The inspector through the LabApi dispatcher: pause, step and continue a
// guest's vCPU while another guest runs on; breakpoints on a PC, on an exit
// reason and on an SPR access; registers and where each SPR's guest value
// lives under each strategy; TLB, memory and translation views; register
// edits validated against their writable bits. A stepped run prints exactly
// what an unstepped run prints.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GuestInfo } from '../../src/shared/api';
import type { InspectorState, MemoryView, StopInfo, TlbView, TranslationView } from '../../src/shared/debug';
import { LabSession } from '../../src/main/lab/session';
import { apiCaller, Recorder, waitUntil } from '../support/runtime';

const LABOS = join(__dirname, '..', '..', 'resources', 'guests', 'labos', 'labos.elf');
const session = new LabSession();
const rec = new Recorder(session, 'inspector-test');
afterAll(() => session.shutdown());

const { call, refused } = apiCaller(session, rec);

function info(id: string): GuestInfo | undefined {
  return rec.guests.find((g) => g.id === id);
}

async function stoppedAgain(id: string): Promise<StopInfo> {
  await waitUntil(() => info(id)?.state === 'paused' && info(id)?.stop !== undefined, `guest ${id} to stop (${JSON.stringify(info(id))})`, 30_000);
  return info(id)!.stop!;
}

function symbol(name: string): number {
  const r = spawnSync('powerpc-linux-gnu-nm', [LABOS], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in labos.elf (is powerpc-linux-gnu-nm installed?)`);
  return parseInt(line.split(' ')[0]!, 16);
}

const SCRIPT = 'run hello; poweroff';

describe('the inspector', () => {
  it('a stepped run prints exactly what an unstepped run prints, and the other guest runs on', async () => {
    const plain = await session.createGuest({ image: 'labos', name: 'plain', model: 'booke-hv', bootargs: SCRIPT });
    const stepped = await session.createGuest({ image: 'labos', name: 'stepped', model: 'booke-hv', bootargs: SCRIPT, start: false });
    rec.subscribe(plain.id);
    rec.subscribe(stepped.id);
    // The first instruction: stepping a created guest boots it stopped at its entry.
    const first = await call<{ stop: StopInfo }>('debugGuest', { id: stepped.id, action: 'step' });
    expect(first.stop).toMatchObject({ kind: 'step', insns: 1 });
    let insns = 1;
    for (let k = 0; k < 300; k++) {
      const r = await call<{ stop: StopInfo }>('debugGuest', { id: stepped.id, action: 'step', unit: k % 3 === 0 ? 'block' : 'instruction', count: 1 + (k % 7) * 40 });
      expect(r.stop.insns).toBeGreaterThan(insns);
      insns = r.stop.insns;
    }
    expect(info(stepped.id)?.state).toBe('paused');
    const state = await call<InspectorState>('inspectGuest', { id: stepped.id });
    expect(state.insns).toBe(insns);
    expect(state.pc).toBe(info(stepped.id)!.stop!.pc);
    await call('debugGuest', { id: stepped.id, action: 'continue' });
    await waitUntil(() => info(plain.id)?.state === 'halted' && info(stepped.id)?.state === 'halted', 'both guests to power off', 60_000);
    // The stepped guest, booted second, sees the first's byte channel in its device tree (and says so).
    const a = rec.text(plain.id).replace(/^hypervisor: .*$/m, 'hypervisor: -');
    const b = rec.text(stepped.id).replace(/^hypervisor: .*$/m, 'hypervisor: -');
    expect(a).toContain('hello');
    expect(b).toBe(a);
  });

  it('stops at a PC breakpoint, in front of a watched SPR write, and after a watched exit', async () => {
    const g = await session.createGuest({ image: 'labos', name: 'breaks', model: 'booke-hv', bootargs: SCRIPT, start: false });
    const idle = symbol('cpu_idle_wait');
    await call('setBreakpoints', { id: g.id, breakpoints: { pcs: [idle], exits: [], sprs: [{ name: 'IVOR6', access: 'write' }] } });
    await session.startGuest(g.id);
    // labOS sets its vectors before anything else: the IVOR6 write comes first.
    const spr = await stoppedAgain(g.id);
    expect(spr.kind).toBe('spr');
    expect(spr.spr).toMatchObject({ name: 'IVOR6', write: true });
    expect(spr.pc).toBe(spr.spr!.pc);
    const before = await call<InspectorState>('inspectGuest', { id: g.id });
    const ivor6 = before.sprs.find((s) => s.name === 'IVOR6')!;
    expect(ivor6.value, 'the write has not happened yet').toBe(0);
    // One step performs the write (the watch lets the access it stopped at through).
    await call('debugGuest', { id: g.id, action: 'step' });
    const after = await call<InspectorState>('inspectGuest', { id: g.id });
    expect(after.sprs.find((s) => s.name === 'IVOR6')!.value).toBe(spr.spr!.value! & 0xFFF0);
    expect(after.changed).toContain('IVOR6');
    expect(after.changed).toContain('pc');
    // Drop the watch; run to the idle loop's breakpoint.
    await call('setBreakpoints', { id: g.id, breakpoints: { pcs: [idle], exits: [], sprs: [] } });
    await call('debugGuest', { id: g.id, action: 'continue' });
    const bp = await stoppedAgain(g.id);
    expect(bp).toMatchObject({ kind: 'breakpoint', pc: idle });
    // Exit breakpoints: the guest stops right after the hypervisor handled the exit.
    await call('setBreakpoints', { id: g.id, breakpoints: { pcs: [], exits: ['mmio_exits'], sprs: [] } });
    await call('debugGuest', { id: g.id, action: 'continue' });
    const exit = await stoppedAgain(g.id);
    expect(exit.kind).toBe('exit');
    expect(exit.exit!.reason).toBe('mmio_exits');
    // The device access completed and the guest stands at the very next instruction.
    expect(exit.pc).toBe(exit.exit!.pc + 4);
    const mem = await call<MemoryView>('readGuestMemory', { id: g.id, address: exit.exit!.pc, length: 4 });
    expect(mem.lines[0]!.disassembly).toMatch(/^(l|st)/);
    await call('setBreakpoints', { id: g.id, breakpoints: { pcs: [], exits: [], sprs: [] } });
    // Step to the next exit of any kind.
    const next = await call<{ stop: StopInfo | null }>('debugGuest', { id: g.id, action: 'step', unit: 'exit' });
    const toExit = next.stop ?? await stoppedAgain(g.id);
    expect(toExit.kind).toBe('exit');
    // Step to an address: the idle loop again.
    const to = await call<{ stop: StopInfo | null }>('debugGuest', { id: g.id, action: 'step', unit: 'address', address: idle });
    const reached = to.stop ?? await stoppedAgain(g.id);
    expect(reached).toMatchObject({ kind: 'step', pc: idle });
    await session.removeGuest(g.id);
  });

  it('shows where each SPR\'s guest value lives under each model and strategy', async () => {
    const homes = async (model: string, override?: unknown) => {
      const g = await session.createGuest({ image: 'labos', model: model as 'native', bootargs: 'poweroff', start: false, ...(override ? { override } : {}) } as never);
      await call('debugGuest', { id: g.id, action: 'step', count: 20000 });
      const s = await call<InspectorState>('inspectGuest', { id: g.id });
      await session.removeGuest(g.id);
      return new Map(s.sprs.map((x) => [x.name, x]));
    };
    const hv = await homes('booke-hv');
    expect(hv.get('SRR0')).toMatchObject({ home: 'guest-copy', where: 'hardware copy GSRR0' });
    expect(hv.get('SPRG4')!.home).toBe('physical');
    expect(hv.get('IVOR6')!.home).toBe('shadow');
    expect(hv.get('TCR')!.home).toBe('shadow');
    expect(hv.get('EPCR')).toMatchObject({ home: 'hypervisor', value: null, writable: 0 });
    expect(hv.get('TBL')!.home).toBe('core');
    expect(hv.get('IVPR')!.value).toBe(0);
    const x86 = await homes('state-transfer');
    expect(x86.get('SRR0')!.home).toBe('transfer');
    const custom = await homes('booke-hv', { strategies: { SRR0: 'trap', SPRG4: 'duplicate', TCR: 'transfer' } });
    expect(custom.get('SRR0')!.home).toBe('shadow');
    expect(custom.get('SPRG4')!.home).toBe('guest-copy');
    expect(custom.get('TCR')!.home).toBe('transfer');
    const native = await homes('native');
    expect(native.get('SRR0')!.home).toBe('physical');
    expect(native.get('IVOR6')!.home).toBe('physical');
  });

  it('edits registers within their writable bits, and shows TLBs, memory and translations', async () => {
    const g = await session.createGuest({ image: 'labos', name: 'edit', model: 'booke-hv', bootargs: SCRIPT, start: false });
    await call('debugGuest', { id: g.id, action: 'step', count: 200000 });
    const s = await call<InspectorState>('inspectGuest', { id: g.id });
    const edited = await call<InspectorState>('writeRegister', { id: g.id, name: 'r31', value: 0xDEADBEEF });
    expect(edited.gpr[31]).toBe(0xDEADBEEF);
    await call('writeRegister', { id: g.id, name: 'r31', value: s.gpr[31] });
    const sprg3 = await call<InspectorState>('writeRegister', { id: g.id, name: 'SPRG3', value: 0x1234 });
    expect(sprg3.sprs.find((x) => x.name === 'SPRG3')!.value).toBe(0x1234);
    const bad = await refused('writeRegister', { id: g.id, name: 'IVOR6', value: 0x1234 });
    expect(bad.message).toMatch(/IVOR6 implements only the bits 0x0000fff0; 0x1234 sets 0x4 outside them/);
    expect((await refused('writeRegister', { id: g.id, name: 'PVR', value: 1 })).message).toMatch(/cannot be edited/);
    expect((await refused('writeRegister', { id: g.id, name: 'FOO', value: 1 })).message).toMatch(/Unknown register "FOO"/);
    expect((await refused('writeRegister', { id: g.id, name: 'msr', value: 0x00040000 })).message).toMatch(/MSR implements only/);
    expect((await refused('debugGuest', { id: g.id, vcpu: 1, action: 'step' })).message).toMatch(/no vCPU 1/);
    expect((await refused('setBreakpoints', { id: g.id, breakpoints: { pcs: [], exits: ['nope'], sprs: [] } })).message).toMatch(/Unknown exit reason "nope"/);
    expect((await refused('setBreakpoints', { id: g.id, breakpoints: { pcs: [], exits: [], sprs: [{ name: 'LR', access: 'any' }] } })).message).toMatch(/user register file/);

    const tlb = await call<TlbView>('inspectTlb', { id: g.id });
    expect(tlb.guest.some((e) => e.tlb === 1 && e.epn === 0 && e.size >= 0x1000000)).toBe(true);
    expect(tlb.shadow.length).toBeGreaterThan(0);
    expect(tlb.shadow.every((e) => e.tgs && e.tlpid === tlb.lpid)).toBe(true);
    const pc = s.pc;
    const t = await call<TranslationView>('translateAddress', { id: g.id, address: pc, fetch: true });
    expect(t.physical).not.toBeNull();
    expect(t.text).toMatch(/through TLB1/);
    const unmapped = await call<TranslationView>('translateAddress', { id: g.id, address: 0xF0000000 });
    expect(unmapped.physical).toBeNull();
    const mem = await call<MemoryView>('readGuestMemory', { id: g.id, address: pc, length: 16 });
    expect(mem.lines).toHaveLength(4);
    expect(mem.lines[0]!.word).not.toBeNull();
    const phys = await call<MemoryView>('readGuestMemory', { id: g.id, address: t.physical!, length: 16, space: 'physical' });
    expect(phys.data).toBe(mem.data);
    expect((await refused('readGuestMemory', { id: g.id, address: 0, length: 100000 })).code).toBe('invalid-request');
    // Running guests cannot be stepped or edited, only paused.
    await call('debugGuest', { id: g.id, action: 'continue' });
    expect((await refused('debugGuest', { id: g.id, action: 'step' })).message).toMatch(/pause it/);
    expect((await refused('writeRegister', { id: g.id, name: 'r3', value: 1 })).message).toMatch(/pause it/);
    await waitUntil(() => info(g.id)?.state === 'halted', 'the guest to power off', 30_000);
  });
});
