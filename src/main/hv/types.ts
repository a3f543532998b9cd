// What the hypervisor needs from the runtime around it, and what it offers:
// the interface between src/main/hv (exit handling, for one guest, on that
// guest's worker thread) and the board it is attached to (src/main/guest's
// Machine satisfies HostBoard), the byte channels between guests and the
// statistics block (both defined in src/main/link).

import type { GuestModel } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';
import type { Cpu } from '../cpu/cpu';
import type { DeviceTreePart } from '../devices/fdt';
import type { ByteChannel } from '../link/byte-channel';

export type { ByteChannel } from '../link/byte-channel';

export interface GuestHypervisorOptions {
  model: GuestModel;
  /** The effective configuration (hypervisor-wide plus any per-guest override). */
  hw: HwConfig;
  cost: CostModel;
  /** The guest's statistics block (src/main/link/stats.ts layout). */
  stats: Float64Array;
  /** Logical partition ID of this guest (1..63). */
  lpid: number;
  byteChannels: ByteChannel[];
  /**
   * Whether the guest's device tree advertises the hypervisor (the ePAPR
   * /hypervisor node: hypercalls, idle, byte channels). Default true; false
   * gives the guest the board's tree alone, as a hypervisor that offers no
   * paravirtual services would (the guest then idles with `wait`).
   */
  advertise?: boolean;
  /** The session's shared host TLB (link/host-tlb.ts), for the policy hostTlb: 'shared'. */
  sharedHostTlb?: SharedArrayBuffer;
}

/**
 * The board a hypervisor attaches to, as the hypervisor sees it: the core it
 * runs the guest on, the hooks where it takes part in boots and polls, the
 * parts the board asks for device-tree nodes, and the interrupt lines it may
 * drive. The hypervisor never sees the board's devices or addresses.
 */
export interface HostBoard {
  /** The boot vCPU. */
  readonly cpu: Cpu;
  /** Every vCPU (cpus[0] is cpu). */
  readonly cpus: readonly Cpu[];
  /** Instructions all vCPUs retired since boot. */
  readonly insns: number;
  /** Per vCPU: still in the spin table (the guest has not started it). */
  readonly held: readonly boolean[];
  /** Called when the board hands its core to vCPU k (a guest with several vCPUs runs them in turns). */
  readonly onTurn: ((k: number) => void)[];
  /** Called when the guest released secondary vCPU k from the spin table (after the board set its registers and TLB). */
  readonly onRelease: ((k: number) => void)[];
  /** Called at the end of every boot, after the entry state is set. */
  readonly onBoot: (() => void)[];
  /** Called before every stretch of execution. */
  readonly onPoll: (() => void)[];
  /** Asked for root nodes whenever the board builds the guest's device tree. */
  readonly treeParts: DeviceTreePart[];
  /** Drives an interrupt controller source line. */
  setIrqLine(source: number, level: boolean): void;
}
