// Guests and the images they can boot, as the LabSession reports them.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { GuestImage, GuestInfo } from '../../../shared/api';
import type { LabError } from '../../../shared/result';
import { lab } from '../lab';

export const useGuestsStore = defineStore('guests', () => {
  const guests = ref<GuestInfo[]>([]);
  const images = ref<GuestImage[]>([]);
  const error = ref<LabError | null>(null);

  async function load(): Promise<void> {
    const api = lab();
    api.onEvent((e) => {
      if (e.type === 'guests') guests.value = e.guests;
    });
    const [g, i] = await Promise.all([api.listGuests({}), api.listImages({})]);
    if (g.ok) guests.value = g.value; else error.value = g.error;
    if (i.ok) images.value = i.value; else error.value = i.error;
  }

  return { guests, images, error, load };
});
