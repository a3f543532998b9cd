import type { LabApi } from '../shared/api';

declare global {
  interface Window {
    /** Present in the Electron app (set by the preload); absent in web mode. */
    lab?: LabApi;
  }
}

export {};
