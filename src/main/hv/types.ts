// What the hypervisor needs from the runtime around it, and what it offers:
// the interface between src/main/hv (exit handling, for one guest, on that
// guest's worker thread) and src/main/lab + src/main/guest (workers, byte
// channels between guests, statistics).

import type { GuestModel } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';

/**
 * One end of an ePAPR byte channel (to another guest, or to the lab's own
 * console). Implementations never lose bytes: send() accepts only what fits.
 */
export interface ByteChannel {
  /** The handle the guest sees in the device tree (hv-handle) and passes in r3. */
  readonly handle: number;
  /** The peer's name (another guest's name, or "console"): the node's label. */
  readonly label: string;
  /** Queues up to 16 bytes for the peer; returns how many were accepted (0 when full). */
  send(bytes: Uint8Array): number;
  /** Takes up to `max` received bytes (possibly none). */
  receive(max: number): Uint8Array;
  /** Bytes waiting to be received. */
  rxPending(): number;
  /** Bytes that can be sent now. */
  txSpace(): number;
}

export interface GuestHypervisorOptions {
  model: GuestModel;
  /** The effective configuration (hypervisor-wide plus any per-guest override). */
  hw: HwConfig;
  cost: CostModel;
  /** The guest's statistics block (src/main/lab/stats.ts layout). */
  stats: Float64Array;
  /** Logical partition ID of this guest (1..63). */
  lpid: number;
  byteChannels: ByteChannel[];
}
