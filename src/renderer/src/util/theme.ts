// The theme follows the system (prefers-color-scheme). Canvas-drawn things
// (xterm, uPlot) cannot read CSS variables by themselves: they read the
// current tokens here and repaint when `dark` changes.

import { ref } from 'vue';

const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

/** True while the system asks for a dark theme. */
export const dark = ref(query?.matches ?? false);
query?.addEventListener('change', (e) => { dark.value = e.matches; });

/** The current value of a design token from styles.css, e.g. cssVar('--muted'). */
export function cssVar(name: string, fallback = '#888'): string {
  if (typeof document === 'undefined') return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** xterm colors for the current theme. */
export function terminalTheme(isDark: boolean) {
  return isDark
    ? { background: '#0d0f13', foreground: '#d8dde5', cursor: '#d8dde5', cursorAccent: '#0d0f13', selectionBackground: '#34507a' }
    : { background: '#fbfbfc', foreground: '#1d2128', cursor: '#1d2128', cursorAccent: '#fbfbfc', selectionBackground: '#b9cff5',
        black: '#1d2128', brightBlack: '#5f6875', white: '#c7ccd4', brightWhite: '#e3e6eb', yellow: '#8a5a00', brightYellow: '#9a6a00' };
}
