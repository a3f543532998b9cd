// Live exit statistics: every 'stats' event (about 10 Hz) goes into one
// StatsHistory, which is deliberately not reactive (it is big and mutated in
// place); `version` ticks once per snapshot and is what components watch.

import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { StatsSnapshot } from '../../../shared/stats';
import { lab } from '../lab';
import { useNoticesStore } from './notices';
import { ALL, type Scope, StatsHistory } from './stats-history';

export const useStatsStore = defineStore('stats', () => {
  const history = markRaw(new StatsHistory());
  const version = ref(0);
  const latest = shallowRef<StatsSnapshot | null>(null);
  /** What the statistics panel shows: 'all' or a guest id. */
  const scope = ref<Scope>(ALL);
  let listening = false;

  function ingest(snapshot: StatsSnapshot): void {
    history.push(snapshot);
    latest.value = snapshot;
    version.value++;
  }

  function init(): void {
    if (listening) return;
    listening = true;
    lab().onEvent((e) => {
      if (e.type === 'stats') ingest(e.snapshot);
    });
  }

  /** Zeroes the counters of the current scope (or of every guest). */
  async function reset(id: Scope = scope.value): Promise<boolean> {
    const r = await lab().resetStats(id === ALL ? {} : { id });
    if (!r.ok) {
      useNoticesStore().error(r.error);
      return false;
    }
    if (id === ALL) for (const g of history.guestIds()) history.forget(g);
    else history.forget(id);
    return true;
  }

  /** A guest the scope points at went away: back to every guest. */
  function guestRemoved(id: string): void {
    if (scope.value === id) scope.value = ALL;
  }

  return { history, version, latest, scope, init, ingest, reset, guestRemoved };
});
