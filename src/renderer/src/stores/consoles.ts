// The guests' consoles: one ConsoleTerminal per open console (created once,
// kept across tab and layout switches, disposed when the console is closed or
// its guest removed), how they are laid out (tabs or a tiled grid) and which
// one has the keyboard. Console events are routed here to each terminal's feed.

import { defineStore } from 'pinia';
import { computed, markRaw, reactive, ref, watch } from 'vue';
import type { GuestInfo } from '../../../shared/api';
import { ConsoleTerminal } from '../consoles/terminal';
import { lab, onReconnect } from '../lab';
import { dark } from '../util/theme';
import { useGuestsStore } from './guests';
import { useNoticesStore } from './notices';

export type ConsoleLayout = 'tabs' | 'grid';

export interface SearchState {
  open: boolean;
  index: number;
  count: number;
}

export const useConsolesStore = defineStore('consoles', () => {
  const terminals = new Map<string, ConsoleTerminal>();
  /** Open consoles, in guest order. */
  const ids = ref<string[]>([]);
  const layout = ref<ConsoleLayout>('tabs');
  const active = ref<string | null>(null);
  /** Why typing into a console was refused (halted or crashed guest), by guest id. */
  const inputError = reactive<Record<string, string>>({});
  const search = reactive<Record<string, SearchState>>({});
  /** Consoles the user closed: not reopened automatically. */
  const closed = new Set<string>();
  /** Grid track sizes (fractions), resized by dragging the gutters. */
  const colFracs = ref<number[]>([]);
  const rowFracs = ref<number[]>([]);
  let listening = false;

  const guests = useGuestsStore();
  const notices = useNoticesStore();

  const gridShape = computed(() => {
    const n = ids.value.length;
    const cols = n <= 1 ? 1 : n <= 4 ? 2 : Math.ceil(Math.sqrt(n));
    const rows = Math.max(1, Math.ceil(n / cols));
    return { cols, rows };
  });

  watch(gridShape, ({ cols, rows }) => {
    if (colFracs.value.length !== cols) colFracs.value = new Array<number>(cols).fill(1 / cols);
    if (rowFracs.value.length !== rows) rowFracs.value = new Array<number>(rows).fill(1 / rows);
  }, { immediate: true });

  function terminal(id: string): ConsoleTerminal | undefined {
    return terminals.get(id);
  }

  function open(id: string, focus = false): ConsoleTerminal {
    closed.delete(id);
    let t = terminals.get(id);
    if (!t) {
      t = markRaw(new ConsoleTerminal(lab(), id, dark.value, {
        error: (e) => notices.error(e),
        inputRefused: (e) => {
          if (e) inputError[id] = e.message;
          else delete inputError[id];
        },
        searchResults: (index, count) => {
          const s = (search[id] ??= { open: false, index: -1, count: 0 });
          s.index = index;
          s.count = count;
        },
      }));
      terminals.set(id, t);
      search[id] = { open: false, index: -1, count: 0 };
      void t.open();
      const order = guests.guests.map((g) => g.id);
      ids.value = [...ids.value, id].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    }
    if (focus || active.value === null) activate(id, focus);
    return t;
  }

  function close(id: string, byUser = true): void {
    const t = terminals.get(id);
    if (byUser) closed.add(id);
    if (!t) return;
    terminals.delete(id);
    delete inputError[id];
    delete search[id];
    const i = ids.value.indexOf(id);
    ids.value = ids.value.filter((x) => x !== id);
    if (active.value === id) active.value = ids.value[Math.min(i, ids.value.length - 1)] ?? null;
    void t.dispose();
  }

  /** Makes a console the active tab (and gives it the keyboard when asked). */
  function activate(id: string, focus = true): void {
    if (!terminals.has(id)) return;
    active.value = id;
    const t = terminals.get(id)!;
    // The pane becomes visible in this tick; fit and focus after the DOM update.
    requestAnimationFrame(() => {
      t.fit();
      if (focus) t.focus();
    });
  }

  /** Opens consoles of new guests, closes those of removed ones. */
  function sync(list: GuestInfo[]): void {
    const present = new Set(list.map((g) => g.id));
    for (const id of [...terminals.keys()]) if (!present.has(id)) close(id, false);
    for (const id of closed) if (!present.has(id)) closed.delete(id);
    for (const g of list) if (!terminals.has(g.id) && !closed.has(g.id)) open(g.id);
    const order = list.map((g) => g.id);
    ids.value = [...ids.value].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }

  function setLayout(l: ConsoleLayout): void {
    layout.value = l;
    requestAnimationFrame(() => {
      for (const t of terminals.values()) t.fit();
      if (active.value) terminals.get(active.value)?.focus();
    });
  }

  function toggleLayout(): void {
    setLayout(layout.value === 'tabs' ? 'grid' : 'tabs');
  }

  /** The console with the keyboard: the focused one, else the active tab. */
  function focusedId(): string | null {
    const el = document.activeElement;
    const host = el instanceof HTMLElement ? el.closest<HTMLElement>('.term-host') : null;
    return host?.dataset.guest ?? active.value;
  }

  function openSearch(id: string | null = focusedId()): void {
    if (!id || !search[id]) return;
    search[id].open = true;
  }

  function closeSearch(id: string): void {
    if (!search[id]) return;
    search[id].open = false;
    terminals.get(id)?.endSearch();
    terminals.get(id)?.focus();
  }

  function clear(id: string | null = focusedId()): void {
    if (id) terminals.get(id)?.clear();
  }

  async function copy(id: string | null = focusedId()): Promise<void> {
    const t = id ? terminals.get(id) : undefined;
    if (!t) return;
    try {
      if (!(await t.copy())) notices.info('Nothing selected to copy: select text in the console first');
    } catch {
      notices.error('The clipboard refused the copy (the browser needs permission)');
    }
  }

  async function paste(id: string | null = focusedId()): Promise<void> {
    const t = id ? terminals.get(id) : undefined;
    if (!t) return;
    try {
      await t.paste();
      t.focus();
    } catch {
      notices.error('The clipboard refused to be read; use Shift+Insert or the browser\'s paste instead');
    }
  }

  function init(): void {
    if (listening) return;
    listening = true;
    lab().onEvent((e) => {
      if (e.type === 'console') terminals.get(e.id)?.feed.receive(e.data);
    });
    onReconnect(() => {
      for (const t of terminals.values()) void t.reopen();
    });
    watch(() => guests.guests, sync, { immediate: true });
    watch(dark, (d) => {
      for (const t of terminals.values()) t.setTheme(d);
    });
  }

  return {
    ids, layout, active, inputError, search, colFracs, rowFracs, gridShape,
    terminal, open, close, activate, sync, setLayout, toggleLayout, focusedId, openSearch, closeSearch, clear, copy, paste, init,
  };
});
