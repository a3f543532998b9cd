// The sandboxed preload: exposes exactly the typed LabApi as window.lab and
// nothing else. Every call is one invoke on a single channel; main validates
// the method and its parameters before the lab sees them.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createLabApi, IPC_CHANNELS, type LabEvent, type LabMethodName } from '../shared/api';
import type { Result } from '../shared/result';

const api = createLabApi({
  kind: 'ipc',
  call: (method: LabMethodName, params: unknown) =>
    ipcRenderer.invoke(IPC_CHANNELS.rpc, { method, params }) as Promise<Result<unknown>>,
  onEvent(listener: (event: LabEvent) => void) {
    const handler = (_e: IpcRendererEvent, event: LabEvent) => listener(event);
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => { ipcRenderer.removeListener(IPC_CHANNELS.event, handler); };
  },
});

contextBridge.exposeInMainWorld('lab', api);
