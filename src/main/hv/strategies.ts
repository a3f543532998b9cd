// What the virtual hardware does with each SPR number for one guest: the
// configured strategy (duplicate, shared, transfer, trap) resolved through
// aliases and the guest's model, as a dense table indexed by SPR number.

import type { GuestModel } from '../../shared/api';
import type { HwConfig, InterruptKind } from '../../shared/hw';
import { SPR_CATALOG, sprByName, type Strategy } from '../../shared/spr';

/** Per-SPR-number codes. */
export const S_CORE = 0; // the core handles it directly (user register file, time base reads, not in the catalog)
export const S_DUPLICATE = 1;
export const S_SHARED = 2;
export const S_TRANSFER = 3;
export const S_TRAP = 4;
export const S_HYPERVISOR = 5; // hypervisor-only: a guest access exits and fails

const CODE: Record<Strategy, number> = { duplicate: S_DUPLICATE, shared: S_SHARED, transfer: S_TRANSFER, trap: S_TRAP };

export interface ResolvedStrategies {
  /** Code per SPR number. */
  readonly bySpr: Uint8Array;
  /** Catalog name per SPR number (aliases resolved to their base). */
  readonly nameBySpr: readonly (string | undefined)[];
  readonly transferred: number;
  readonly shared: number;
  readonly direct: Readonly<Record<InterruptKind, boolean>>;
}

/**
 * Resolves a configuration for a model. The state-transfer model has no
 * per-register guest copies: what the configuration duplicates is switched
 * through memory instead (VMCS fields).
 */
export function resolveStrategies(model: GuestModel, hw: HwConfig): ResolvedStrategies {
  const withoutHardware = model === 'trap-and-emulate';
  const bySpr = new Uint8Array(1024);
  const nameBySpr: (string | undefined)[] = new Array(1024);
  let transferred = 0;
  let shared = 0;
  for (const s of SPR_CATALOG) {
    const base = s.aliasOf ? sprByName(s.aliasOf)! : s;
    nameBySpr[s.num] = base.name;
    if (s.fixed === 'hypervisor') {
      bySpr[s.num] = S_HYPERVISOR;
      continue;
    }
    if (withoutHardware) {
      // No virtualization hardware: the configuration does not apply. The guest runs in user
      // mode, so every privileged SPR (number with bit 0x10 set) traps as an ordinary
      // privileged-instruction program interrupt and is emulated; user-level ones (LR, CTR,
      // XER, the time base, USPRG0, the SPRG read views) the core serves directly.
      if ((s.num & 0x10) !== 0) bySpr[s.num] = S_TRAP;
      continue;
    }
    if (base.allowed.length === 0) continue; // guest-owned or direct: the core handles it
    let strategy = hw.strategies[base.name] ?? base.isa206 ?? 'trap';
    if (model === 'state-transfer' && strategy === 'duplicate') strategy = 'transfer';
    bySpr[s.num] = CODE[strategy];
    if (!s.aliasOf) {
      if (strategy === 'transfer') transferred++;
      else if (strategy === 'shared') shared++;
    }
  }
  return { bySpr, nameBySpr, transferred, shared, direct: withoutHardware ? NOTHING_DIRECTED : { ...hw.direct } };
}

/** Trap-and-emulate: nothing directed to the guest, every interrupt reaches the hypervisor first. */
const NOTHING_DIRECTED: Readonly<Record<InterruptKind, boolean>> = {
  external: false, dsi: false, isi: false, dtlb: false, itlb: false, syscall: false,
  alignment: false, program: false, fpunavail: false, decrementer: false,
};
