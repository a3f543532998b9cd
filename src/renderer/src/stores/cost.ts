// The cost model (cycles per piece of virtualization work) as the lab has it.
// Edits are checked here against COST_PARAMS' ranges before they are sent,
// so the editor can say what is wrong at once; the lab checks them again.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { COST_PARAMS, type CostModel, type CostParamId } from '../../../shared/cost';
import type { LabError, Result } from '../../../shared/result';
import { lab } from '../lab';

export function checkCostValue(id: CostParamId, raw: string | number): { ok: true; value: number } | { ok: false; message: string } {
  const p = COST_PARAMS.find((q) => q.id === id)!;
  const text = String(raw).trim().replace(/,/g, '');
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) return { ok: false, message: `${p.label}: enter a number` };
  if (value < p.min || value > p.max) return { ok: false, message: `${p.label} must be from ${p.min} to ${p.max} ${p.unit}` };
  return { ok: true, value };
}

export const useCostStore = defineStore('cost', () => {
  const model = ref<CostModel | null>(null);
  const error = ref<LabError | null>(null);
  const busy = ref(false);
  let listening = false;

  const changed = computed(() => model.value ? COST_PARAMS.filter((p) => model.value![p.id] !== p.default).map((p) => p.id) : []);

  async function load(): Promise<void> {
    const api = lab();
    if (!listening) {
      listening = true;
      api.onEvent((e) => {
        if (e.type === 'cost') model.value = e.model;
      });
    }
    const r = await api.getCostModel({});
    if (r.ok) model.value = r.value; else error.value = r.error;
  }

  async function set(id: CostParamId, raw: string | number): Promise<boolean> {
    const checked = checkCostValue(id, raw);
    if (!checked.ok) {
      error.value = { code: 'invalid-request', message: checked.message, detail: { field: id } };
      return false;
    }
    if (model.value && model.value[id] === checked.value) {
      error.value = null;
      return true;
    }
    return commit(() => lab().setCostModel({ [id]: checked.value }));
  }

  async function reset(): Promise<boolean> {
    return commit(() => lab().resetCostModel({}));
  }

  /** Sends one change; the lab's answer (the whole model, or an error) becomes the store's state. */
  async function commit(call: () => Promise<Result<CostModel>>): Promise<boolean> {
    busy.value = true;
    try {
      const r = await call();
      if (r.ok) {
        model.value = r.value;
        error.value = null;
        return true;
      }
      error.value = r.error;
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { model, error, busy, changed, load, set, reset };
});
