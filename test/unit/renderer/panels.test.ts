// @vitest-environment happy-dom
// The panels, mounted with a mock LabApi: the kvm_stat-like table built from
// COUNTERS, the per-SPR view, the hardware panel (layout that keeps the
// descriptions, strategy changes, per-guest overrides), the cost model
// editor's validation, the guest rows and the add-guest form.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { COUNTERS } from '../../../src/shared/stats';
import { CONFIGURABLE_SPRS } from '../../../src/shared/spr';
import { createMockLab, guestInfo, type MockLab } from './mock-lab';
import { guestSample, snapshot } from './stats-fixtures';

let mock: MockLab;
vi.mock('../../../src/renderer/src/lab', () => ({
  lab: () => mock.api,
  connected: ref(true),
  onReconnect: () => () => {},
}));

const ExitTable = (await import('../../../src/renderer/src/components/ExitTable.vue')).default;
const SprStats = (await import('../../../src/renderer/src/components/SprStats.vue')).default;
const HardwarePanel = (await import('../../../src/renderer/src/components/HardwarePanel.vue')).default;
const CostModelEditor = (await import('../../../src/renderer/src/components/CostModelEditor.vue')).default;
const GuestsPanel = (await import('../../../src/renderer/src/components/GuestsPanel.vue')).default;
const AddGuestForm = (await import('../../../src/renderer/src/components/AddGuestForm.vue')).default;
const { useStatsStore } = await import('../../../src/renderer/src/stores/stats');
const { useGuestsStore } = await import('../../../src/renderer/src/stores/guests');
const { useHardwareStore } = await import('../../../src/renderer/src/stores/hardware');
const { useCostStore } = await import('../../../src/renderer/src/stores/cost');
const { useUiStore } = await import('../../../src/renderer/src/stores/ui');

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  mock = createMockLab();
  pinia = createPinia();
  setActivePinia(pinia);
});

const opts = () => ({ global: { plugins: [pinia] } });

function feedStats(): void {
  const stats = useStatsStore();
  for (let i = 0; i <= 10; i++) {
    stats.ingest(snapshot(i * 100, [guestSample('g1', {
      insns: i * 1e6, exits: i * 110,
      counters: { dec_exits: i * 100, mmio_exits: i * 10, emul_mtspr: i * 40 },
      spr: { SPRG0: { reads: i * 5, writes: i * 5, cycles: i * 7500 }, TCR: { reads: i, writes: 0, cycles: i * 850 } },
    })]));
  }
}

describe('ExitTable', () => {
  it('lists events from COUNTERS with total, %Total and rate, and a Total line', async () => {
    feedStats();
    const w = mount(ExitTable, { props: { scope: 'all' }, ...opts() });
    await flushPromises();
    expect(w.get('[data-testid="exit-total-dec_exits"]').text()).toBe('1,000');
    expect(w.get('[data-testid="exit-rate-dec_exits"]').text()).toBe('1,000');
    const row = w.get('[data-testid="exit-row-dec_exits"]');
    expect(row.text()).toContain(COUNTERS.find((c) => c.id === 'dec_exits')!.label);
    expect(row.findAll('td')[2]!.text()).toBe('90.9');
    expect(w.get('[data-testid="exit-sum-total"]').text()).toBe('1,100');
    // Zero rows are hidden by default, shown on request.
    expect(w.find('[data-testid="exit-row-dsi_exits"]').exists()).toBe(false);
    await w.get('[data-testid="exit-hide-zero"]').setValue(false);
    expect(w.find('[data-testid="exit-row-dsi_exits"]').exists()).toBe(true);
    expect(w.findAll('tbody tr[data-testid^="exit-row-"]')).toHaveLength(COUNTERS.length);
  });

  it('explains each row with the same text as docs/exits.md: when it counts, and KVM\'s name for it', async () => {
    feedStats();
    const w = mount(ExitTable, { props: { scope: 'all' }, ...opts() });
    await flushPromises();
    const dec = COUNTERS.find((c) => c.id === 'dec_exits')!;
    const title = w.get('[data-testid="exit-row-dec_exits"]').attributes('title')!;
    expect(title).toContain(dec.when);
    expect(title).toContain('KVM: dec_exits');
    await w.get('[data-testid="exit-hide-zero"]').setValue(false);
    expect(w.get('[data-testid="exit-row-alignment_exits"]').attributes('title')).toContain('the lab\'s own');
  });

  it('filters by regular expression and says when the expression is invalid', async () => {
    feedStats();
    const w = mount(ExitTable, { props: { scope: 'all' }, ...opts() });
    await w.get('[data-testid="exit-filter"]').setValue('^mmio|mtspr');
    const ids = w.findAll('tr[data-testid^="exit-row-"]').map((r) => r.attributes('data-testid'));
    expect(ids).toEqual(['exit-row-mmio_exits', 'exit-row-emul_mtspr']);
    await w.get('[data-testid="exit-filter"]').setValue('(');
    expect(w.get('[role="alert"]').text()).toBe('Not a valid regular expression.');
  });

  it('sorts by total or by rate', async () => {
    feedStats();
    const w = mount(ExitTable, { props: { scope: 'g1' }, ...opts() });
    await w.get('[data-testid="sort-total"]').trigger('click');
    const first = () => w.findAll('tr[data-testid^="exit-row-"]')[0]!.attributes('data-testid');
    expect(first()).toBe('exit-row-dec_exits');
    expect(w.get('[data-testid="sort-total"]').classes()).toContain('on');
    await w.get('[data-testid="sort-rate"]').trigger('click');
    expect(first()).toBe('exit-row-dec_exits');
    expect(w.get('[data-testid="sort-rate"]').classes()).toContain('on');
  });
});

describe('SprStats', () => {
  it('shows which registers trap, how often and at what modeled cost, most first', async () => {
    const hw = useHardwareStore();
    await hw.load();
    feedStats();
    const w = mount(SprStats, { props: { scope: 'all' }, ...opts() });
    const rows = w.findAll('tr[data-testid^="spr-stat-"]');
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['spr-stat-SPRG0', 'spr-stat-TCR']);
    expect(rows[0]!.attributes('data-traps')).toBe('100');
    expect(w.get('[data-testid="spr-rate-SPRG0"]').text()).toBe('100');
    expect(rows[0]!.text()).toContain('duplicate');
    expect(rows[0]!.text()).toContain('750'); // cycles per trap
  });
});

describe('HardwarePanel', () => {
  async function mountPanel() {
    await Promise.all([useHardwareStore().load(), useGuestsStore().load(), useCostStore().load()]);
    const w = mount(HardwarePanel, opts());
    await flushPromises();
    return w;
  }

  it('shows every configurable SPR with its description, the 2.06 set marked, and the costs', async () => {
    const w = await mountPanel();
    expect(w.findAll('[data-testid^="spr-row-"]')).toHaveLength(CONFIGURABLE_SPRS.length);
    const srr0 = w.get('[data-testid="spr-row-SRR0"]');
    expect(srr0.get('.desc').text()).toContain('address to return to after an interrupt');
    expect(srr0.get('[data-testid="badge-206"]').text()).toBe('2.06 dup · GSRR0');
    expect(w.get('[data-testid="die-bits"]').text()).toBe('320');
    // The round trip (600) plus 14 shared registers saved and restored on every exit (4 cycles each way).
    expect(w.get('[data-testid="exit-cycles"]').text()).toBe('712');
    expect(w.findAll('[data-testid="badge-206"]')).toHaveLength(CONFIGURABLE_SPRS.filter((s) => s.isa206 === 'duplicate').length);
  });

  it('applies a strategy and marks hypothetical hardware', async () => {
    const w = await mountPanel();
    await w.get('[data-testid="strategy-TCR-duplicate"]').trigger('click');
    await flushPromises();
    expect(mock.calls.setHwConfig).toHaveBeenCalledWith({ strategies: { TCR: 'duplicate' } });
    const tcr = w.get('[data-testid="spr-row-TCR"]');
    expect(tcr.get('[data-testid="strategy-TCR-duplicate"]').attributes('aria-checked')).toBe('true');
    expect(tcr.text()).toContain('hypothetical');
    expect(w.get('[data-testid="die-bits"]').text()).toBe('352');
    expect((w.get('[data-testid="preset-select"]').element as HTMLSelectElement).value).toBe('custom');
  });

  it('sets the hypervisor policy, which a preset leaves alone', async () => {
    const w = await mountPanel();
    await w.get('[data-testid="policy-shared"] select').setValue('switch');
    await flushPromises();
    expect(mock.calls.setHwConfig).toHaveBeenLastCalledWith({ policy: { sharedSave: 'switch' } });
    // Shared registers are no longer saved on every exit: an exit costs the bare round trip.
    expect(w.get('[data-testid="exit-cycles"]').text()).toBe('600');
    await w.get('[data-testid="policy-host-page"] select').setValue('16384');
    await flushPromises();
    expect(mock.calls.setHwConfig).toHaveBeenLastCalledWith({ policy: { hostPageKb: 16384 } });
    expect((w.get('[data-testid="policy-shared"] select').element as HTMLSelectElement).value).toBe('switch');
  });

  it('finds registers by name, number or purpose', async () => {
    const w = await mountPanel();
    await w.get('[data-testid="spr-search"]').setValue('0x110');
    expect(w.findAll('[data-testid^="spr-row-"]').map((r) => r.attributes('data-testid'))).toEqual(['spr-row-SPRG0']);
    await w.get('[data-testid="spr-search"]').setValue('decrementer');
    expect(w.findAll('[data-testid^="spr-row-"]').map((r) => r.attributes('data-testid'))).toEqual(expect.arrayContaining(['spr-row-DEC', 'spr-row-DECAR']));
    await w.get('[data-testid="spr-search"]').setValue('no-such-register');
    expect(w.text()).toContain('No SPR matches');
  });

  it('edits one guest\'s override when a guest is the target', async () => {
    mock.state.guests.push(guestInfo());
    const w = await mountPanel();
    await w.get('[data-testid="hw-target"]').setValue('g1');
    expect(w.get('[data-testid="hw-target-note"]').text()).toContain('alpha');
    await w.get('[data-testid="strategy-SPRG0-trap"]').trigger('click');
    await flushPromises();
    expect(mock.calls.setGuestOverride).toHaveBeenCalledWith({ id: 'g1', override: { strategies: { SPRG0: 'trap' }, direct: {} } });
    expect(mock.calls.setHwConfig).not.toHaveBeenCalled();
    expect(w.get('[data-testid="die-bits"]').text()).toBe('288');
    await w.get('[data-testid="hw-clear-override"]').trigger('click');
    await flushPromises();
    expect(mock.calls.setGuestOverride).toHaveBeenLastCalledWith({ id: 'g1', override: null });
    expect(w.get('[data-testid="die-bits"]').text()).toBe('320');
  });

  it('shows a refused change\'s message', async () => {
    const w = await mountPanel();
    mock.calls.setHwConfig.mockResolvedValueOnce({ ok: false, error: { code: 'strategy-not-allowed', message: 'SPRG0 cannot use "shared"; allowed: duplicate, transfer, trap' } });
    await w.get('[data-testid="strategy-SPRG0-trap"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="hw-error"]').text()).toContain('SPRG0 cannot use "shared"');
  });
});

describe('CostModelEditor', () => {
  it('refuses values out of range with the parameter\'s limits, applies valid ones, resets', async () => {
    await useCostStore().load();
    const w = mount(CostModelEditor, opts());
    await flushPromises();
    const input = w.get('[data-testid="cost-input-exitEntry"]');
    expect((input.element as HTMLInputElement).value).toBe('300');
    await input.setValue('200000');
    expect(w.get('[data-testid="cost-error-exitEntry"]').text()).toBe('Exit: hardware switch into the hypervisor must be from 0 to 100000 cycles');
    await input.trigger('keydown', { key: 'Enter' });
    expect(mock.calls.setCostModel).not.toHaveBeenCalled();
    await input.setValue('450');
    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(mock.calls.setCostModel).toHaveBeenCalledWith({ exitEntry: 450 });
    expect(w.find('[data-testid="cost-error-exitEntry"]').exists()).toBe(false);
    expect(w.get('[data-testid="cost-exitEntry"]').classes()).toContain('changed');
    expect(w.text()).toContain('default 300');
    await w.get('[data-testid="cost-reset"]').trigger('click');
    await flushPromises();
    expect(mock.calls.resetCostModel).toHaveBeenCalled();
    expect((w.get('[data-testid="cost-input-exitEntry"]').element as HTMLInputElement).value).toBe('300');
  });
});

describe('GuestsPanel', () => {
  it('has a clear empty state', async () => {
    const w = mount(GuestsPanel, opts());
    expect(w.text()).toContain('No guests yet.');
    await w.get('[data-testid="add-guest-empty"]').trigger('click');
    expect(useUiStore().addGuestOpen).toBe(true);
  });

  it('shows each guest\'s state, figures, and why a crashed one stopped', async () => {
    mock.state.guests.push(guestInfo(), guestInfo({ id: 'g2', name: 'beta', state: 'crashed', reason: 'watchdog: watchdog reset (TCR[WRC]=1)' }));
    await Promise.all([useGuestsStore().load(), useHardwareStore().load()]);
    feedStats();
    const w = mount(GuestsPanel, opts());
    await flushPromises();
    expect(w.get('[data-testid="guest-state-alpha"]').text()).toBe('running');
    expect(w.get('[data-testid="guest-exits-alpha"]').text()).toBe('1.10k');
    expect(w.get('[data-testid="guest-state-beta"]').text()).toBe('crashed');
    expect(w.get('[data-testid="guest-reason-beta"]').text()).toBe('Crashed: watchdog: watchdog reset (TCR[WRC]=1)');
    expect(w.get('[data-testid="guest-start-beta"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="guest-pause-alpha"]').trigger('click');
    await flushPromises();
    expect(mock.calls.pauseGuest).toHaveBeenCalledWith({ id: 'g1' });
    // One click puts a guest on other hardware.
    await w.get('[data-testid="guest-hw-alpha"]').setValue('none');
    await flushPromises();
    expect(mock.calls.setGuestOverride).toHaveBeenCalledWith({ id: 'g1', override: expect.objectContaining({ strategies: expect.objectContaining({ SPRG0: 'trap' }) }) });
    // Removing asks for a second click.
    await w.get('[data-testid="guest-remove-beta"]').trigger('click');
    expect(mock.calls.removeGuest).not.toHaveBeenCalled();
    await w.get('[data-testid="guest-remove-beta"]').trigger('click');
    await flushPromises();
    expect(mock.calls.removeGuest).toHaveBeenCalledWith({ id: 'g2' });
  });
});

describe('AddGuestForm', () => {
  it('creates a guest from a bundled image with RAM, model and override', async () => {
    await Promise.all([useGuestsStore().load(), useHardwareStore().load()]);
    const w = mount(AddGuestForm, opts());
    await w.get('[data-testid="ram-select"]').setValue('256');
    await w.get('[data-testid="model-select"]').setValue('native');
    await w.get('[data-testid="override-select"]').setValue('all');
    await w.get('[data-testid="guest-name"]').setValue('gamma');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(mock.calls.createGuest).toHaveBeenCalledWith(expect.objectContaining({
      image: 'labos', name: 'gamma', ramMb: 256, model: 'native', start: true,
      override: expect.objectContaining({ strategies: expect.objectContaining({ TCR: 'duplicate' }) }),
    }));
    expect(w.emitted('done')).toHaveLength(1);
  });

  it('shows the lab\'s message when it refuses the guest', async () => {
    await useGuestsStore().load();
    const w = mount(AddGuestForm, opts());
    mock.calls.createGuest.mockResolvedValueOnce({ ok: false, error: { code: 'invalid-request', message: 'A guest named "gamma" already exists; names are unique' } });
    await w.get('[data-testid="guest-name"]').setValue('gamma');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="add-guest-error"]').text()).toBe('A guest named "gamma" already exists; names are unique');
    await w.get('[data-testid="guest-name"]').setValue('bad name!');
    expect(w.get('[data-testid="create-guest"]').attributes('disabled')).toBeDefined();
  });
});
