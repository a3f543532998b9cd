// @vitest-environment happy-dom
// Keyboard shortcuts: handled at the window before a terminal sees them,
// plain keys only outside text fields, and every one documented in SHORTCUTS
// (which the help overlay lists).
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { createMockLab, type MockLab } from './mock-lab';

let mock: MockLab;
vi.mock('../../../src/renderer/src/lab', () => ({
  lab: () => mock.api,
  connected: ref(true),
  onReconnect: () => () => {},
}));

const { installShortcuts, SHORTCUTS } = await import('../../../src/renderer/src/shortcuts');
const { useConsolesStore } = await import('../../../src/renderer/src/stores/consoles');
const { useUiStore } = await import('../../../src/renderer/src/stores/ui');
const { useStatsStore } = await import('../../../src/renderer/src/stores/stats');

let remove = () => {};
beforeEach(() => {
  mock = createMockLab();
  setActivePinia(createPinia());
  remove = installShortcuts();
});
afterEach(() => {
  remove();
  document.body.innerHTML = '';
});

function press(init: KeyboardEventInit, target: EventTarget = document.body): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(e);
  return e;
}

describe('shortcuts', () => {
  it('toggles the console layout with Alt+G and cycles the statistics tabs with Alt+S', () => {
    const consoles = useConsolesStore();
    const ui = useUiStore();
    expect(consoles.layout).toBe('tabs');
    const e = press({ key: 'g', code: 'KeyG', altKey: true });
    expect(e.defaultPrevented).toBe(true);
    expect(consoles.layout).toBe('grid');
    press({ key: 's', code: 'KeyS', altKey: true });
    expect(ui.statsTab).toBe('spr');
    press({ key: 'c', code: 'KeyC', altKey: true });
    expect(ui.sideTab).toBe('cost');
    press({ key: 's', code: 'KeyS', altKey: true });
    press({ key: 's', code: 'KeyS', altKey: true });
    expect(ui.statsTab).toBe('inspect');
    // The debugger's keys are the inspector's only while it is shown; elsewhere the browser keeps them.
    expect(press({ key: 'F5', code: 'F5' }).defaultPrevented).toBe(true);
    press({ key: 's', code: 'KeyS', altKey: true });
    expect(ui.statsTab).toBe('experiments');
    press({ key: 's', code: 'KeyS', altKey: true });
    expect(ui.statsTab).toBe('exits');
    expect(press({ key: 'F5', code: 'F5' }).defaultPrevented).toBe(false);
  });

  it('opens help with ? and the add-guest form with n, but not while typing in a field', () => {
    const ui = useUiStore();
    press({ key: '?' });
    expect(ui.helpOpen).toBe(true);
    press({ key: 'Escape' });
    expect(ui.helpOpen).toBe(false);
    const input = document.createElement('input');
    document.body.appendChild(input);
    const e = press({ key: 'n' }, input);
    expect(e.defaultPrevented).toBe(false);
    expect(ui.addGuestOpen).toBe(false);
    press({ key: 'n' });
    expect(ui.addGuestOpen).toBe(true);
  });

  it('leaves plain keys typed into a terminal alone', () => {
    const ui = useUiStore();
    const term = document.createElement('div');
    term.className = 'xterm';
    const textarea = document.createElement('textarea');
    term.appendChild(textarea);
    document.body.appendChild(term);
    const e = press({ key: '?' }, textarea);
    expect(e.defaultPrevented).toBe(false);
    expect(ui.helpOpen).toBe(false);
  });

  it('resets the statistics shown with Alt+0', () => {
    useStatsStore();
    press({ key: '0', code: 'Digit0', altKey: true });
    expect(mock.calls.resetStats).toHaveBeenCalledWith({});
  });

  it('documents every shortcut it handles', () => {
    const keys = SHORTCUTS.map((s) => s.keys).join(' ');
    for (const k of ['?', 'n', '/', 'Alt+G', 'Alt+P', 'Alt+R', 'Alt+S', 'Alt+0', 'Alt+H', 'Alt+C', 'Ctrl+Shift+F', 'Ctrl+Shift+C', 'Ctrl+Shift+V', 'Ctrl+Shift+K', 'Alt+[', 'Alt+]', 'Alt+1', 'Esc']) {
      expect(keys).toContain(k);
    }
  });
});
