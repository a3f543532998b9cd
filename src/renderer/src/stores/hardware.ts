// The virtual hardware configuration as the renderer sees it. The LabSession
// owns the truth: every change goes through the LabApi, and the 'hw' event
// (from this window or another client) replaces the local copy.
//
// The panel edits one target at a time: the hypervisor-wide configuration, or
// one guest's override on top of it (setGuestOverride), which is how two
// guests run side by side under different hardware.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CostModel } from '../../../shared/cost';
import {
  applyHwPatch, type HvPolicy, type HwConfig, type HwConfigPatch, type HwConfigView, type HwCost, hwCost, type InterruptKind,
  matchPreset, type PresetId, type PresetInfo, presetConfig,
} from '../../../shared/hw';
import type { LabError } from '../../../shared/result';
import type { Strategy } from '../../../shared/spr';
import { lab } from '../lab';
import { useCostStore } from './cost';
import { useGuestsStore } from './guests';

/** Who the hardware panel edits: the hypervisor-wide configuration or one guest's override. */
export type HwTarget = { kind: 'global' } | { kind: 'guest'; id: string };

/**
 * Modeled cycles every exit costs: the round trip plus the registers
 * transferred both ways, plus the shared registers saved and restored when
 * the hypervisor does that on every exit (KVM's policy).
 */
export function cyclesPerExit(cost: HwCost, model: CostModel, policy?: HvPolicy): number {
  const shared = policy?.sharedSave === 'exit' ? cost.shared * model.perSharedRegister * 2 : 0;
  return model.exitEntry + model.exitReturn + cost.transferred * model.perTransferredRegister * 2 + shared;
}

/** A patch that makes a guest's virtual hardware exactly a preset, whatever the hypervisor-wide one is (its policy left alone). */
export function presetPatch(id: PresetId): HwConfigPatch {
  const c = presetConfig(id);
  return { strategies: { ...c.strategies }, direct: { ...c.direct } };
}

/** The configuration a guest runs with. */
export function effectiveConfig(global: HwConfig, override: HwConfigPatch | null): HwConfig {
  if (!override) return global;
  try {
    return applyHwPatch(global, override);
  } catch {
    return global;
  }
}

export const useHardwareStore = defineStore('hardware', () => {
  const view = ref<HwConfigView | null>(null);
  const presets = ref<PresetInfo[]>([]);
  const error = ref<LabError | null>(null);
  const busy = ref(false);
  const target = ref<HwTarget>({ kind: 'global' });
  let listening = false;

  const guests = useGuestsStore();
  const costs = useCostStore();

  const targetGuest = computed(() => {
    const t = target.value;
    return t.kind === 'guest' ? guests.guests.find((g) => g.id === t.id) ?? null : null;
  });

  /** The configuration the panel shows: hypervisor-wide, or the target guest's effective one. */
  const config = computed<HwConfig | null>(() => {
    if (!view.value) return null;
    const g = targetGuest.value;
    return g ? effectiveConfig(view.value.config, g.override) : view.value.config;
  });
  const preset = computed<PresetId | 'custom'>(() => (config.value ? matchPreset(config.value) : 'custom'));
  const cost = computed<HwCost | null>(() => (config.value ? hwCost(config.value) : null));
  const exitCycles = computed(() => (cost.value && costs.model ? cyclesPerExit(cost.value, costs.model, config.value?.policy) : null));

  function report(e: LabError): void {
    error.value = e;
  }

  async function load(): Promise<void> {
    const api = lab();
    if (!listening) {
      listening = true;
      api.onEvent((e) => {
        if (e.type === 'hw') view.value = e.view;
      });
    }
    const [v, p] = await Promise.all([api.getHwConfig({}), api.listPresets({})]);
    if (v.ok) view.value = v.value; else report(v.error);
    if (p.ok) presets.value = p.value; else report(p.error);
  }

  async function run<T>(call: () => Promise<{ ok: true; value: T } | { ok: false; error: LabError }>, done: (v: T) => void): Promise<boolean> {
    busy.value = true;
    try {
      const r = await call();
      if (r.ok) {
        done(r.value);
        error.value = null;
        return true;
      }
      report(r.error);
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Applies a patch to the current target (merging it into a guest's override). */
  function patch(p: HwConfigPatch): Promise<boolean> {
    const g = targetGuest.value;
    if (!g) return run(() => lab().setHwConfig(p), (v) => { view.value = v; });
    const base = g.override ?? {};
    const merged: HwConfigPatch = {
      strategies: { ...(base.strategies ?? {}), ...(p.strategies ?? {}) },
      direct: { ...(base.direct ?? {}), ...(p.direct ?? {}) },
    };
    if (base.policy || p.policy) merged.policy = { ...(base.policy ?? {}), ...(p.policy ?? {}) };
    return guests.setOverride(g.id, merged).then((ok) => {
      if (ok) error.value = null;
      else if (guests.error) report(guests.error);
      return ok;
    });
  }

  const setStrategy = (spr: string, strategy: Strategy) => patch({ strategies: { [spr]: strategy } });
  const setDirect = (kind: InterruptKind, direct: boolean) => patch({ direct: { [kind]: direct } });
  const setPolicy = (change: Partial<HvPolicy>) => patch({ policy: change });

  function applyPreset(id: PresetId): Promise<boolean> {
    const g = targetGuest.value;
    if (!g) return run(() => lab().applyPreset({ preset: id }), (v) => { view.value = v; });
    const policy = g.override?.policy;
    return guests.setOverride(g.id, policy ? { ...presetPatch(id), policy } : presetPatch(id));
  }

  function setTarget(t: HwTarget): void {
    target.value = t;
    error.value = null;
  }

  /** The guest went away: edit the hypervisor-wide configuration again. */
  function guestRemoved(id: string): void {
    const t = target.value;
    if (t.kind === 'guest' && t.id === id) setTarget({ kind: 'global' });
  }

  return {
    view, presets, error, busy, target, targetGuest, config, preset, cost, exitCycles,
    load, setStrategy, setDirect, setPolicy, applyPreset, setTarget, guestRemoved,
  };
});
