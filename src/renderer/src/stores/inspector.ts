// The inspector's view of one guest's vCPU: its registers and SPRs (with
// where each guest value lives), memory around an address, the TLBs, the
// breakpoints, and the actions (pause, continue, step, edit). The state is
// fetched again after every stop (the guest list carries each guest's last
// stop) and, while the guest runs, about once a second.

import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Breakpoints, InspectorState, MemoryView, StepUnit, TlbView, TranslationView } from '../../../shared/debug';
import type { LabError, Result } from '../../../shared/result';
import { lab } from '../lab';
import { useGuestsStore } from './guests';
import { useNoticesStore } from './notices';

const RUNNING_POLL_MS = 1000;
/** Bytes of memory shown around an address. */
export const MEMORY_WINDOW = 64;

export const useInspectorStore = defineStore('inspector', () => {
  const guests = useGuestsStore();
  /** The guest inspected (null: none chosen). */
  const id = ref<string | null>(null);
  const vcpu = ref(0);
  const state = ref<InspectorState | null>(null);
  const memory = ref<MemoryView | null>(null);
  const memAddress = ref<number | null>(null);
  const memSpace = ref<'virtual' | 'physical'>('virtual');
  /** The memory view follows the PC (at every stop). */
  const followPc = ref(true);
  const tlb = ref<TlbView | null>(null);
  const translation = ref<TranslationView | null>(null);
  const error = ref<LabError | null>(null);
  const busy = ref(false);
  let timer: ReturnType<typeof setInterval> | null = null;
  let active = 0;

  const guest = computed(() => (id.value ? guests.byId.get(id.value) ?? null : null));
  const stopped = computed(() => guest.value?.state === 'paused' || guest.value?.state === 'created');
  const breakpoints = computed<Breakpoints>(() => state.value?.breakpoints ?? { pcs: [], exits: [], sprs: [] });

  async function call<T>(run: () => Promise<Result<T>>): Promise<T | null> {
    const r = await run();
    if (!r.ok) {
      error.value = r.error;
      useNoticesStore().error(r.error);
      return null;
    }
    error.value = null;
    return r.value;
  }

  async function refresh(): Promise<void> {
    const g = id.value;
    if (!g || !guest.value || guest.value.state === 'crashed') {
      state.value = null;
      return;
    }
    const r = await lab().inspectGuest({ id: g, vcpu: vcpu.value });
    if (id.value !== g) return;
    if (!r.ok) {
      error.value = r.error;
      return;
    }
    error.value = null;
    state.value = r.value;
    if (followPc.value || memAddress.value === null) memAddress.value = Math.max(0, (r.value.pc - 16) >>> 0);
    await loadMemory();
    if (tlb.value !== null) await loadTlb();
  }

  async function loadMemory(): Promise<void> {
    if (!id.value || memAddress.value === null) return;
    const r = await lab().readGuestMemory({ id: id.value, vcpu: vcpu.value, address: memAddress.value >>> 0, length: MEMORY_WINDOW, space: memSpace.value });
    memory.value = r.ok ? r.value : null;
  }

  async function loadTlb(): Promise<void> {
    if (!id.value) return;
    const v = await call(() => lab().inspectTlb({ id: id.value!, vcpu: vcpu.value }));
    if (v) tlb.value = v;
  }

  async function translate(address: number, fetch: boolean): Promise<void> {
    if (!id.value) return;
    translation.value = await call(() => lab().translateAddress({ id: id.value!, vcpu: vcpu.value, address, fetch }));
  }

  async function showMemory(address: number, space: 'virtual' | 'physical'): Promise<void> {
    followPc.value = false;
    memAddress.value = address >>> 0;
    memSpace.value = space;
    await loadMemory();
  }

  async function act(run: () => Promise<Result<unknown>>): Promise<boolean> {
    busy.value = true;
    try {
      const v = await call(run);
      await refresh();
      return v !== null;
    } finally {
      busy.value = false;
    }
  }

  const pause = () => act(() => lab().debugGuest({ id: id.value!, vcpu: vcpu.value, action: 'pause' }));
  const resume = () => act(() => lab().debugGuest({ id: id.value!, vcpu: vcpu.value, action: 'continue' }));
  function step(unit: StepUnit, count = 1, address?: number): Promise<boolean> {
    return act(() => lab().debugGuest({
      id: id.value!, vcpu: vcpu.value, action: 'step', unit,
      ...(unit === 'instruction' || unit === 'block' ? { count } : {}), ...(address !== undefined ? { address } : {}),
    }));
  }
  const setBreakpoints = (b: Breakpoints) => act(() => lab().setBreakpoints({ id: id.value!, vcpu: vcpu.value, breakpoints: b }));

  async function write(name: string, value: number): Promise<boolean> {
    if (!id.value) return false;
    const v = await call(() => lab().writeRegister({ id: id.value!, vcpu: vcpu.value, name, value }));
    if (v) state.value = v;
    await loadMemory();
    return v !== null;
  }

  /** Forgets what was read of the previous guest or vCPU. */
  function clearViews(): void {
    state.value = null;
    memory.value = null;
    tlb.value = null;
    translation.value = null;
    memAddress.value = null;
    followPc.value = true;
  }

  function inspect(guestId: string | null): void {
    if (id.value !== guestId) {
      id.value = guestId;
      vcpu.value = 0;
      clearViews();
    }
    void refresh();
  }

  /** Shows another vCPU of the guest (a multiprocessor guest's selector). */
  function inspectVcpu(k: number): void {
    if (vcpu.value === k) return;
    vcpu.value = k;
    clearViews();
    void refresh();
  }

  /** The panel is shown: keep the view current (every stop; once a second while running). */
  function start(): void {
    active++;
    if (timer !== null) return;
    timer = setInterval(() => {
      if (guest.value && (guest.value.state === 'running' || guest.value.state === 'idle')) void refresh();
    }, RUNNING_POLL_MS);
  }

  function stop(): void {
    active = Math.max(0, active - 1);
    if (active === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  // A guest with several vCPUs stopped on one of them (a breakpoint it reached, a step): show that vCPU.
  watch(() => guest.value?.stop?.vcpu, (k) => { if (k !== undefined && k !== vcpu.value) inspectVcpu(k); });
  // A stop (or a state change) of the inspected guest: read it again.
  watch(() => [guest.value?.state, guest.value?.stop?.insns, guest.value?.stop?.pc], () => {
    if (active > 0 && id.value) void refresh();
  });
  watch(() => guests.guests, (list) => {
    if (id.value && !list.some((g) => g.id === id.value)) inspect(list[0]?.id ?? null);
  });

  return {
    id, vcpu, state, memory, memAddress, memSpace, followPc, tlb, translation, error, busy, guest, stopped, breakpoints,
    refresh, loadTlb, translate, showMemory, pause, resume, step, setBreakpoints, write, inspect, inspectVcpu, start, stop,
  };
});
