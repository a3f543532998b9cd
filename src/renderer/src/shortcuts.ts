// Keyboard shortcuts, declared once: the handler and the help overlay both
// read SHORTCUTS. Handled at the window in the capture phase, so combinations
// meant for the lab never reach a terminal (and plain keys such as `?` only
// act when no terminal or text field has the keyboard). Keys are matched by
// physical code (KeyG, Digit1), so Alt combinations work on any layout.

import { useConsolesStore } from './stores/consoles';
import { useGuestsStore } from './stores/guests';
import { useInspectorStore } from './stores/inspector';
import { useStatsStore } from './stores/stats';
import { type StatsTab, useUiStore } from './stores/ui';

export interface Shortcut {
  keys: string;
  action: string;
  /** Where it works. */
  where: 'anywhere' | 'console' | 'outside text fields';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', action: 'Show or hide this help', where: 'outside text fields' },
  { keys: 'n', action: 'Add a guest', where: 'outside text fields' },
  { keys: '/', action: 'Find an SPR in the hardware panel', where: 'outside text fields' },
  { keys: 'Alt+1 … Alt+9', action: 'Give the keyboard to the console of guest 1 … 9', where: 'anywhere' },
  { keys: 'Alt+[  Alt+]', action: 'Previous / next console', where: 'anywhere' },
  { keys: 'Alt+G', action: 'Consoles as tabs or as a grid', where: 'anywhere' },
  { keys: 'Alt+P', action: 'Pause or start the guest of the focused console', where: 'anywhere' },
  { keys: 'Alt+R', action: 'Reset the guest of the focused console', where: 'anywhere' },
  { keys: 'Ctrl+Shift+F', action: 'Search the focused console\'s scrollback', where: 'console' },
  { keys: 'Ctrl+Shift+C', action: 'Copy the selection', where: 'console' },
  { keys: 'Ctrl+Shift+V', action: 'Paste into the guest', where: 'console' },
  { keys: 'Ctrl+Shift+K', action: 'Clear the focused console', where: 'console' },
  { keys: 'Alt+S', action: 'Statistics: Exits → SPR traps → Trace → Inspector → Experiments', where: 'anywhere' },
  { keys: 'Alt+I', action: 'Inspect the guest of the focused console', where: 'anywhere' },
  { keys: 'F5', action: 'Inspector: continue or pause the inspected guest', where: 'anywhere' },
  { keys: 'F11  F10', action: 'Inspector: step one instruction / one block', where: 'anywhere' },
  { keys: 'Alt+0', action: 'Reset the statistics shown', where: 'anywhere' },
  { keys: 'Alt+H  Alt+C', action: 'Side panel: hardware / cost model', where: 'anywhere' },
  { keys: 'Esc', action: 'Close help, search or the add-guest form', where: 'anywhere' },
];

const STATS_TABS: StatsTab[] = ['exits', 'spr', 'trace', 'inspect', 'experiments'];

function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.closest('.xterm')) return false;
  return el.isContentEditable || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

function inTerminal(el: EventTarget | null): boolean {
  return el instanceof HTMLElement && el.closest('.xterm') !== null;
}

/** Installs the handler; returns the remover. */
export function installShortcuts(): () => void {
  const consoles = useConsolesStore();
  const guests = useGuestsStore();
  const stats = useStatsStore();
  const ui = useUiStore();

  const focusedGuest = () => consoles.focusedId();

  function cycleConsole(step: number): void {
    const ids = consoles.ids;
    if (ids.length === 0) return;
    const i = Math.max(0, ids.indexOf(consoles.active ?? ids[0]!));
    consoles.activate(ids[(i + step + ids.length) % ids.length]!);
  }

  function alt(e: KeyboardEvent): boolean {
    if (/^Digit[1-9]$/.test(e.code)) {
      const g = guests.guests[Number(e.code.slice(5)) - 1];
      if (g) consoles.activate(consoles.open(g.id).id);
      return true;
    }
    switch (e.code) {
      case 'KeyG': consoles.toggleLayout(); return true;
      case 'BracketLeft': cycleConsole(-1); return true;
      case 'BracketRight': cycleConsole(1); return true;
      case 'KeyP': { const id = focusedGuest(); if (id) void guests.toggle(id); return true; }
      case 'KeyR': { const id = focusedGuest(); if (id) void guests.reset(id); return true; }
      case 'KeyS': ui.statsTab = STATS_TABS[(STATS_TABS.indexOf(ui.statsTab) + 1) % STATS_TABS.length]!; return true;
      case 'Digit0': void stats.reset(); return true;
      case 'KeyI': {
        const id = focusedGuest() ?? guests.guests[0]?.id;
        if (id) {
          ui.inspectId = id;
          ui.statsTab = 'inspect';
        }
        return true;
      }
      case 'KeyH': ui.sideTab = 'hardware'; return true;
      case 'KeyC': ui.sideTab = 'cost'; return true;
      default: return false;
    }
  }

  function ctrlShift(e: KeyboardEvent): boolean {
    switch (e.code) {
      case 'KeyF': consoles.openSearch(); return true;
      case 'KeyC': if (!inTerminal(e.target)) return false; void consoles.copy(); return true;
      case 'KeyV': if (!inTerminal(e.target)) return false; void consoles.paste(); return true;
      case 'KeyK': consoles.clear(); return true;
      default: return false;
    }
  }

  function plain(e: KeyboardEvent): boolean {
    if (isTextField(e.target) || inTerminal(e.target)) return false;
    switch (e.key) {
      case '?': ui.helpOpen = !ui.helpOpen; return true;
      case 'n': ui.addGuestOpen = true; return true;
      case '/': {
        ui.sideTab = 'hardware';
        requestAnimationFrame(() => document.querySelector<HTMLInputElement>('[data-testid="spr-search"]')?.focus());
        return true;
      }
      default: return false;
    }
  }

  /** F5, F10, F11 while the inspector is shown (wherever the keyboard is: they mean nothing to a guest's console). */
  function debugKey(e: KeyboardEvent): boolean {
    if (ui.statsTab !== 'inspect' || !['F5', 'F10', 'F11'].includes(e.key)) return false;
    const insp = useInspectorStore();
    const g = insp.guest;
    if (!g || insp.busy) return true;
    const live = g.state === 'running' || g.state === 'idle';
    if (e.key === 'F5') void (live ? insp.pause() : insp.resume());
    else if (!live && g.state !== 'halted' && g.state !== 'crashed') void insp.step(e.key === 'F11' ? 'instruction' : 'block');
    return true;
  }

  const onKey = (e: KeyboardEvent) => {
    let handled = false;
    if (!e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && debugKey(e)) handled = true;
    else if (e.altKey && !e.ctrlKey && !e.metaKey) handled = alt(e);
    else if (e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey) handled = ctrlShift(e);
    else if (!e.ctrlKey && !e.altKey && !e.metaKey) {
      if (e.key === 'Escape' && ui.helpOpen) {
        ui.helpOpen = false;
        handled = true;
      } else {
        handled = plain(e);
      }
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  window.addEventListener('keydown', onKey, true);
  return () => window.removeEventListener('keydown', onKey, true);
}
