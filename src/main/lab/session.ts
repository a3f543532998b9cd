// LabSession: the hypervisor-wide state of one lab — the virtual hardware
// configuration, the cost model, the guests — and the clients (renderer
// windows, WebSocket connections) that watch it. Electron-free: it runs the
// same in the desktop app, in web mode, in the CLI and in tests.

import type { GuestImage, GuestInfo, LabEvent } from '../../shared/api';
import { applyCostPatch, type CostModel, type CostModelPatch, defaultCostModel } from '../../shared/cost';
import {
  applyHwPatch, defaultHwConfig, type HwConfig, type HwConfigPatch, type HwConfigView,
  isPresetId, presetConfig, PRESETS, type PresetInfo, viewOf,
} from '../../shared/hw';
import { LabFailure } from '../../shared/result';
import { listGuestImages } from './images';

/** A connected renderer: it receives broadcast events and the consoles it subscribed to. */
export interface LabClient {
  readonly name: string;
  send(event: LabEvent): void;
}

export class LabSession {
  private hw: HwConfig = defaultHwConfig();
  private cost: CostModel = defaultCostModel();
  private readonly clients = new Set<LabClient>();

  // ---- clients and events ------------------------------------------------

  attach(client: LabClient): () => void {
    this.clients.add(client);
    return () => { this.clients.delete(client); };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  protected broadcast(event: LabEvent): void {
    for (const c of this.clients) {
      try {
        c.send(event);
      } catch {
        // A client that cannot take events (closed socket, destroyed window) is
        // dropped; the others and the session carry on.
        this.clients.delete(c);
      }
    }
  }

  // ---- hardware configuration -------------------------------------------

  getHwConfig(): HwConfigView {
    return viewOf(this.hw);
  }

  /** The configuration as plain values (for guests and the CLI). */
  get hwConfig(): HwConfig {
    return this.hw;
  }

  setHwConfig(patch: HwConfigPatch): HwConfigView {
    this.hw = applyHwPatch(this.hw, patch);
    return this.hwChanged();
  }

  listPresets(): PresetInfo[] {
    return PRESETS.map((p) => ({ ...p }));
  }

  applyPreset(preset: string): HwConfigView {
    if (!isPresetId(preset)) {
      throw new LabFailure('unknown-preset', `Unknown preset "${preset}". Presets: ${PRESETS.map((p) => p.id).join(', ')}`);
    }
    this.hw = presetConfig(preset);
    return this.hwChanged();
  }

  protected hwChanged(): HwConfigView {
    const view = viewOf(this.hw);
    this.broadcast({ type: 'hw', view });
    return view;
  }

  // ---- cost model --------------------------------------------------------

  getCostModel(): CostModel {
    return { ...this.cost };
  }

  setCostModel(patch: CostModelPatch): CostModel {
    this.cost = applyCostPatch(this.cost, patch);
    this.broadcast({ type: 'cost', model: { ...this.cost } });
    return { ...this.cost };
  }

  resetCostModel(): CostModel {
    this.cost = defaultCostModel();
    this.broadcast({ type: 'cost', model: { ...this.cost } });
    return { ...this.cost };
  }

  // ---- guests ------------------------------------------------------------

  listImages(): GuestImage[] {
    return listGuestImages();
  }

  listGuests(): GuestInfo[] {
    return [];
  }

  /** Stops every guest and releases their workers. */
  async shutdown(): Promise<void> {
    this.clients.clear();
  }
}
