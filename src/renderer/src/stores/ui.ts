// Window state that is nobody else's: which overlays and tabs are open and the
// sizes the user dragged. Kept across reloads in localStorage (best effort).

import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type SideTab = 'hardware' | 'cost';
export type StatsTab = 'exits' | 'spr' | 'trace' | 'vcpus' | 'inspect' | 'experiments';

const KEY = 'hvlab.ui.v1';

interface Saved {
  sideTab?: SideTab;
  statsTab?: StatsTab;
  consoleShare?: number;
}

function loadSaved(): Saved {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

export const useUiStore = defineStore('ui', () => {
  const saved = loadSaved();
  const addGuestOpen = ref(false);
  const helpOpen = ref(false);
  const sideTab = ref<SideTab>(saved.sideTab ?? 'hardware');
  const statsTab = ref<StatsTab>(saved.statsTab ?? 'exits');
  /** The guest the inspector shows (chosen from a guest row or in the inspector). */
  const inspectId = ref<string | null>(null);
  /** Share of the centre column the consoles take (the statistics get the rest). */
  const consoleShare = ref(Math.min(0.8, Math.max(0.25, saved.consoleShare ?? 0.52)));

  watch([sideTab, statsTab, consoleShare], () => {
    try {
      localStorage.setItem(KEY, JSON.stringify({ sideTab: sideTab.value, statsTab: statsTab.value, consoleShare: consoleShare.value }));
    } catch {
      // Storage may be unavailable (private mode); the layout just is not remembered.
    }
  });

  return { addGuestOpen, helpOpen, sideTab, statsTab, consoleShare, inspectId };
});
