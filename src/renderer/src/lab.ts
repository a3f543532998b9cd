// The renderer's one handle on the lab: the preload's window.lab in Electron,
// the WebSocket client in web mode. Nothing else in the renderer knows which.

import { ref } from 'vue';
import { createLabApi, type LabApi } from '../../shared/api';
import { createWsTransport } from './ws-transport';

/** False while web mode's socket is down (always true in Electron). */
export const connected = ref(true);

let instance: LabApi | undefined;

export function lab(): LabApi {
  if (!instance) {
    instance = window.lab ?? createLabApi(createWsTransport(window.location, (up) => { connected.value = up; }));
  }
  return instance;
}
