// Guests and the images they boot, as the LabSession reports them ('guests'
// events replace the list), and the lifecycle actions. A failed action keeps
// its LabError in `error` (shown by the panel) and as a notice.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { GuestImage, GuestInfo, GuestSpec, GuestState } from '../../../shared/api';
import type { HwConfigPatch } from '../../../shared/hw';
import type { LabError, Result } from '../../../shared/result';
import { lab } from '../lab';
import { useNoticesStore } from './notices';

/** States in which a guest's worker runs and the guest can be paused. */
export const RUNNING_STATES: readonly GuestState[] = ['running', 'idle'];

export function canStart(g: GuestInfo): boolean {
  return g.state === 'created' || g.state === 'paused';
}

export function canPause(g: GuestInfo): boolean {
  return RUNNING_STATES.includes(g.state);
}

export const useGuestsStore = defineStore('guests', () => {
  const guests = ref<GuestInfo[]>([]);
  const images = ref<GuestImage[]>([]);
  const error = ref<LabError | null>(null);
  /** Ids of guests with an action in flight (their buttons are disabled meanwhile). */
  const pending = ref<Set<string>>(new Set());
  const creating = ref(false);
  let listening = false;

  const byId = computed(() => new Map(guests.value.map((g) => [g.id, g])));

  function upsert(info: GuestInfo): void {
    const i = guests.value.findIndex((g) => g.id === info.id);
    if (i >= 0) guests.value = guests.value.map((g) => (g.id === info.id ? info : g));
    else guests.value = [...guests.value, info];
  }

  async function load(): Promise<void> {
    const api = lab();
    if (!listening) {
      listening = true;
      api.onEvent((e) => {
        if (e.type === 'guests') guests.value = e.guests;
      });
    }
    const [g, i] = await Promise.all([api.listGuests({}), api.listImages({})]);
    if (g.ok) guests.value = g.value; else error.value = g.error;
    if (i.ok) images.value = i.value; else error.value = i.error;
  }

  function failed(e: LabError): false {
    error.value = e;
    useNoticesStore().error(e);
    return false;
  }

  async function act(id: string, call: () => Promise<Result<GuestInfo | { id: string }>>): Promise<boolean> {
    pending.value = new Set(pending.value).add(id);
    try {
      const r = await call();
      if (!r.ok) return failed(r.error);
      if ('state' in r.value) upsert(r.value);
      else guests.value = guests.value.filter((g) => g.id !== id);
      error.value = null;
      return true;
    } finally {
      const next = new Set(pending.value);
      next.delete(id);
      pending.value = next;
    }
  }

  /** Creates a guest; resolves with it, or with the error (also kept in `error`). */
  async function create(spec: GuestSpec): Promise<Result<GuestInfo>> {
    creating.value = true;
    try {
      const r = await lab().createGuest(spec);
      if (r.ok) {
        upsert(r.value);
        error.value = null;
      } else {
        error.value = r.error;
      }
      return r;
    } finally {
      creating.value = false;
    }
  }

  const start = (id: string) => act(id, () => lab().startGuest({ id }));
  const pause = (id: string) => act(id, () => lab().pauseGuest({ id }));
  const reset = (id: string) => act(id, () => lab().resetGuest({ id }));
  const remove = (id: string) => act(id, () => lab().removeGuest({ id }));
  const setOverride = (id: string, override: HwConfigPatch | null) => act(id, () => lab().setGuestOverride({ id, override }));

  /** Start a paused or new guest, pause a running one. */
  function toggle(id: string): Promise<boolean> {
    const g = byId.value.get(id);
    if (!g) return Promise.resolve(false);
    if (canStart(g)) return start(id);
    if (canPause(g)) return pause(id);
    return Promise.resolve(false);
  }

  return { guests, images, error, pending, creating, byId, load, create, start, pause, reset, remove, setOverride, toggle };
});
