// The renderer's one handle on the lab: the preload's window.lab in Electron,
// the WebSocket client in web mode. Nothing else in the renderer knows which.

import { ref } from 'vue';
import { createLabApi, type LabApi } from '../../shared/api';
import { createWsTransport } from './ws-transport';

/** False while web mode's socket is down (always true in Electron). */
export const connected = ref(true);

let instance: LabApi | undefined;
const reconnectListeners = new Set<() => void>();
let everConnected = false;

function status(up: boolean): void {
  connected.value = up;
  if (!up) return;
  // After a drop the lab has forgotten this client's console subscriptions: stores start over.
  if (everConnected) for (const l of reconnectListeners) l();
  everConnected = true;
}

export function lab(): LabApi {
  if (!instance) {
    instance = window.lab ?? createLabApi(createWsTransport(window.location, status));
  }
  return instance;
}

/** Calls `listener` each time the connection to the lab comes back after a drop; returns the remover. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => { reconnectListeners.delete(listener); };
}
