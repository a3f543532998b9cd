// The hypervisor-wide virtual hardware configuration as the renderer sees it.
// The LabSession owns the truth: every change goes through the LabApi, and the
// 'hw' event (from this window or another client) replaces the local copy.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { HwConfigView, InterruptKind, PresetId, PresetInfo } from '../../../shared/hw';
import type { Strategy } from '../../../shared/spr';
import type { LabError } from '../../../shared/result';
import { lab } from '../lab';

export const useHardwareStore = defineStore('hardware', () => {
  const view = ref<HwConfigView | null>(null);
  const presets = ref<PresetInfo[]>([]);
  const error = ref<LabError | null>(null);
  const busy = ref(false);

  const preset = computed(() => view.value?.preset ?? 'custom');
  const cost = computed(() => view.value?.cost ?? null);

  function report(e: LabError): void {
    error.value = e;
  }

  async function load(): Promise<void> {
    const api = lab();
    api.onEvent((e) => {
      if (e.type === 'hw') view.value = e.view;
    });
    const [v, p] = await Promise.all([api.getHwConfig({}), api.listPresets({})]);
    if (v.ok) view.value = v.value; else report(v.error);
    if (p.ok) presets.value = p.value; else report(p.error);
  }

  async function apply(call: () => ReturnType<ReturnType<typeof lab>['setHwConfig']>): Promise<boolean> {
    busy.value = true;
    try {
      const r = await call();
      if (r.ok) {
        view.value = r.value;
        error.value = null;
        return true;
      }
      report(r.error);
      return false;
    } finally {
      busy.value = false;
    }
  }

  const setStrategy = (spr: string, strategy: Strategy) => apply(() => lab().setHwConfig({ strategies: { [spr]: strategy } }));
  const setDirect = (kind: InterruptKind, direct: boolean) => apply(() => lab().setHwConfig({ direct: { [kind]: direct } }));
  const applyPreset = (id: PresetId) => apply(() => lab().applyPreset({ preset: id }));

  return { view, presets, error, busy, preset, cost, load, setStrategy, setDirect, applyPreset };
});
