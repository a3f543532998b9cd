// The recent-exit trace of one guest (the hypervisor keeps the last 64 exits
// with the instruction that caused each, disassembled). Polled while the
// trace view is open, at 2 Hz, and frozen on request.
//
// The LabApi method is `getTrace({id})`. A lab without it (an older main
// process) answers 'unknown-method'; the view then says so instead of failing.

import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ExitTraceEntry } from '../../../shared/api';
import type { LabError } from '../../../shared/result';
import { lab } from '../lab';

export const TRACE_POLL_MS = 500;

export const useTraceStore = defineStore('trace', () => {
  const id = ref<string | null>(null);
  const entries = shallowRef<ExitTraceEntry[]>([]);
  const error = ref<LabError | null>(null);
  const frozen = ref(false);
  const supported = ref(true);
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight = false;

  async function refresh(): Promise<void> {
    const guest = id.value;
    if (!guest || frozen.value || inFlight) return;
    inFlight = true;
    try {
      const r = await lab().getTrace({ id: guest });
      if (guest !== id.value) return;
      if (r.ok) {
        entries.value = r.value.entries;
        error.value = null;
      } else {
        if (r.error.code === 'unknown-method') supported.value = false;
        error.value = r.error;
      }
    } finally {
      inFlight = false;
    }
  }

  /** Starts polling a guest's trace (null stops). */
  function watchGuest(guest: string | null): void {
    if (guest !== id.value) entries.value = [];
    id.value = guest;
    if (timer) clearInterval(timer);
    timer = null;
    if (!guest) return;
    void refresh();
    timer = setInterval(() => void refresh(), TRACE_POLL_MS);
  }

  function stop(): void {
    watchGuest(null);
  }

  function toggleFreeze(): void {
    frozen.value = !frozen.value;
    if (!frozen.value) void refresh();
  }

  return { id, entries, error, frozen, supported, refresh, watchGuest, stop, toggleFreeze };
});
