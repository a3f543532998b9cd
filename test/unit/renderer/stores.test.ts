// @vitest-environment happy-dom
// The renderer's pinia stores against a mock LabApi: they follow the lab's
// events, send each change through the API, keep its errors, and the
// hardware store edits either the hypervisor-wide configuration or one
// guest's override.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { COST_PARAMS, defaultCostModel } from '../../../src/shared/cost';
import { hwCost, presetConfig } from '../../../src/shared/hw';
import { createMockLab, guestInfo, type MockLab } from './mock-lab';
import { guestSample, snapshot } from './stats-fixtures';

let mock: MockLab;
vi.mock('../../../src/renderer/src/lab', () => ({
  lab: () => mock.api,
  connected: ref(true),
  onReconnect: () => () => {},
}));

const { useGuestsStore } = await import('../../../src/renderer/src/stores/guests');
const { cyclesPerExit, presetPatch, useHardwareStore } = await import('../../../src/renderer/src/stores/hardware');
const { checkCostValue, useCostStore } = await import('../../../src/renderer/src/stores/cost');
const { useStatsStore } = await import('../../../src/renderer/src/stores/stats');
const { useNoticesStore } = await import('../../../src/renderer/src/stores/notices');

beforeEach(() => {
  mock = createMockLab();
  setActivePinia(createPinia());
});

describe('guests store', () => {
  it('loads guests and images, then follows guests events', async () => {
    mock.state.guests.push(guestInfo());
    const s = useGuestsStore();
    await s.load();
    expect(s.guests.map((g) => g.name)).toEqual(['alpha']);
    expect(s.images.map((i) => i.id)).toEqual(['labos']);
    mock.emit({ type: 'guests', guests: [guestInfo(), guestInfo({ id: 'g2', name: 'beta', state: 'crashed', reason: 'checkstop' })] });
    expect(s.byId.get('g2')?.reason).toBe('checkstop');
  });

  it('runs lifecycle actions through the API and updates the guest from the answer', async () => {
    mock.state.guests.push(guestInfo());
    const s = useGuestsStore();
    await s.load();
    expect(await s.toggle('g1')).toBe(true);
    expect(mock.calls.pauseGuest).toHaveBeenCalledWith({ id: 'g1' });
    expect(s.byId.get('g1')?.state).toBe('paused');
    await s.toggle('g1');
    expect(mock.calls.startGuest).toHaveBeenCalledWith({ id: 'g1' });
    await s.remove('g1');
    expect(s.guests).toEqual([]);
  });

  it('keeps a failed action\'s error and reports it as a notice', async () => {
    const s = useGuestsStore();
    expect(await s.reset('g404')).toBe(false);
    expect(s.error?.code).toBe('unknown-guest');
    expect(useNoticesStore().items.at(-1)).toMatchObject({ level: 'error', message: 'No guest with id "g404"' });
  });

  it('creates a guest and returns the lab\'s error untouched when it refuses', async () => {
    const s = useGuestsStore();
    const r = await s.create({ image: 'labos', name: 'alpha' });
    expect(r.ok).toBe(true);
    expect(s.guests).toHaveLength(1);
    mock.calls.createGuest.mockResolvedValueOnce({ ok: false, error: { code: 'bad-image', message: 'x.elf: not an ELF file (bad magic number)' } });
    const bad = await s.create({ upload: { fileName: 'x.elf', data: '' } });
    expect(bad.ok).toBe(false);
    expect(s.error?.message).toBe('x.elf: not an ELF file (bad magic number)');
  });
});

describe('hardware store', () => {
  it('changes the hypervisor-wide configuration and follows hw events', async () => {
    const hw = useHardwareStore();
    await hw.load();
    expect(hw.preset).toBe('isa206');
    expect(hw.cost?.dieBits).toBe(320);
    await hw.setStrategy('SPRG0', 'trap');
    expect(mock.calls.setHwConfig).toHaveBeenCalledWith({ strategies: { SPRG0: 'trap' } });
    expect(hw.cost?.dieBits).toBe(288);
    expect(hw.preset).toBe('custom');
    await hw.applyPreset('none');
    expect(hw.preset).toBe('none');
  });

  it('shows the lab\'s error when a change is refused', async () => {
    const hw = useHardwareStore();
    await hw.load();
    expect(await hw.setStrategy('SPRG0', 'shared')).toBe(false);
    expect(hw.error?.code).toBe('strategy-not-allowed');
    expect(hw.error?.message).toMatch(/SPRG0 cannot use "shared"/);
  });

  it('edits one guest\'s override, merged into what it had, and leaves the hypervisor-wide one alone', async () => {
    mock.state.guests.push(guestInfo({ override: { strategies: { SPRG1: 'trap' } } }));
    const guests = useGuestsStore();
    const hw = useHardwareStore();
    await Promise.all([guests.load(), hw.load()]);
    hw.setTarget({ kind: 'guest', id: 'g1' });
    expect(hw.cost?.dieBits).toBe(288);
    await hw.setStrategy('SPRG0', 'trap');
    expect(mock.calls.setGuestOverride).toHaveBeenLastCalledWith({ id: 'g1', override: { strategies: { SPRG1: 'trap', SPRG0: 'trap' }, direct: {} } });
    expect(mock.calls.setHwConfig).not.toHaveBeenCalled();
    expect(hw.cost?.dieBits).toBe(256);
    await hw.applyPreset('none');
    expect(mock.calls.setGuestOverride).toHaveBeenLastCalledWith({ id: 'g1', override: presetPatch('none') });
    expect(hw.preset).toBe('none');
    hw.setTarget({ kind: 'global' });
    expect(hw.preset).toBe('isa206');
  });

  it('models the cost of an exit: entry + return + transferred registers x 2, + shared registers x 2 when saved on every exit', async () => {
    const hw = useHardwareStore();
    const cost = useCostStore();
    await Promise.all([hw.load(), cost.load()]);
    const shared = hwCost(presetConfig('isa206')).shared;
    expect(shared).toBe(14);
    expect(hw.exitCycles).toBe(600 + shared * 4 * 2);
    await hw.applyPreset('x86');
    const x86 = hwCost(presetConfig('x86'));
    expect(x86.transferred).toBeGreaterThan(0);
    expect(hw.exitCycles).toBe(300 + 300 + x86.transferred * 12 * 2 + x86.shared * 4 * 2);
    const free = { ...defaultCostModel(), perTransferredRegister: 0, perSharedRegister: 0 };
    expect(cyclesPerExit(x86, free, presetConfig('x86').policy)).toBe(600);
    // Under the lazy policy the shared registers cost nothing per exit.
    expect(cyclesPerExit(hwCost(presetConfig('isa206')), defaultCostModel(), { ...presetConfig('isa206').policy, sharedSave: 'switch' })).toBe(600);
  });
});

describe('cost store', () => {
  it('checks a value against the parameter\'s range before sending it', async () => {
    const cost = useCostStore();
    await cost.load();
    expect(await cost.set('exitEntry', '-5')).toBe(false);
    expect(cost.error?.message).toBe('Exit: hardware switch into the hypervisor must be from 0 to 100000 cycles');
    expect(await cost.set('exitEntry', 'lots')).toBe(false);
    expect(mock.calls.setCostModel).not.toHaveBeenCalled();
    expect(await cost.set('exitEntry', '1,200')).toBe(true);
    expect(mock.calls.setCostModel).toHaveBeenCalledWith({ exitEntry: 1200 });
    expect(cost.changed).toEqual(['exitEntry']);
    await cost.reset();
    expect(cost.changed).toEqual([]);
    for (const p of COST_PARAMS) expect(checkCostValue(p.id, p.default).ok).toBe(true);
  });

  it('follows cost events from other windows', async () => {
    const cost = useCostStore();
    await cost.load();
    mock.emit({ type: 'cost', model: { ...defaultCostModel(), cpi: 2 } });
    expect(cost.model?.cpi).toBe(2);
  });
});

describe('statistics and notices stores', () => {
  it('takes stats events into the history and resets the scope', async () => {
    const stats = useStatsStore();
    stats.init();
    mock.emit({ type: 'stats', snapshot: snapshot(100, [guestSample('g1', { exits: 3 })]) });
    mock.emit({ type: 'stats', snapshot: snapshot(200, [guestSample('g1', { exits: 9 })]) });
    expect(stats.version).toBe(2);
    expect(stats.history.sample('all').exits).toBe(9);
    stats.scope = 'g1';
    await stats.reset();
    expect(mock.calls.resetStats).toHaveBeenCalledWith({ id: 'g1' });
    stats.scope = 'all';
    await stats.reset();
    expect(mock.calls.resetStats).toHaveBeenLastCalledWith({});
  });

  it('shows the lab\'s notices', () => {
    const n = useNoticesStore();
    n.init();
    mock.emit({ type: 'notice', level: 'error', message: 'Guest beta crashed: checkstop', id: 'g2' });
    expect(n.items).toEqual([expect.objectContaining({ level: 'error', message: 'Guest beta crashed: checkstop', guest: 'g2' })]);
    n.dismiss(n.items[0]!.key);
    expect(n.items).toEqual([]);
  });
});
