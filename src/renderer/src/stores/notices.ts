// Messages for the person at the keyboard: the lab's 'notice' events (a guest
// crashed, a line on the lab's byte channel) and failed actions (the
// LabError's message, which says what was wrong and what is valid). Errors
// stay until dismissed; information fades.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabError } from '../../../shared/result';
import { lab } from '../lab';

export interface Notice {
  key: number;
  level: 'info' | 'error';
  message: string;
  guest?: string;
  at: number;
}

const INFO_MS = 6000;
const MAX = 6;

export const useNoticesStore = defineStore('notices', () => {
  const items = ref<Notice[]>([]);
  let next = 1;
  let listening = false;

  function push(level: Notice['level'], message: string, guest?: string): Notice {
    const n: Notice = { key: next++, level, message, at: Date.now(), ...(guest ? { guest } : {}) };
    items.value = [...items.value, n].slice(-MAX);
    if (level === 'info') setTimeout(() => dismiss(n.key), INFO_MS);
    return n;
  }

  function error(e: LabError | string): Notice {
    return push('error', typeof e === 'string' ? e : e.message);
  }

  function info(message: string): Notice {
    return push('info', message);
  }

  function dismiss(key: number): void {
    items.value = items.value.filter((n) => n.key !== key);
  }

  function init(): void {
    if (listening) return;
    listening = true;
    lab().onEvent((e) => {
      if (e.type === 'notice') push(e.level, e.message, e.id);
    });
  }

  return { items, push, error, info, dismiss, init };
});
