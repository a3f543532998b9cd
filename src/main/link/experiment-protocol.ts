// Messages between an experiment's runner (main thread, lab/experiment.ts)
// and its pool of worker threads (guest/experiment-job.ts): one job is one
// deterministic run of a guest (a boot to a snapshot, or a configuration
// continuing from one), and its result. The pool's workers run the guest
// worker bundle with workerData { kind: 'experiment-pool' }.

import type { GuestModel } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import type { HwConfig } from '../../shared/hw';

export interface ExperimentPoolInit {
  kind: 'experiment-pool';
}

export interface ExperimentJob {
  id: number;
  elf: Uint8Array;
  imageName: string;
  model: GuestModel;
  hw: HwConfig;
  cost: CostModel;
  ramMb: number;
  bootargs: string;
  /** Typed on the console at the start (after the snapshot, when there is one). */
  input?: string;
  maxInsns: number;
  /** Continue from this snapshot (the file's bytes). */
  snapshot?: Uint8Array;
  /** Boot only until this appears on the console, and return the snapshot taken there. */
  snapshotAt?: string;
  /** Test hook: the hypervisor emulates this SPR number wrongly. */
  testCorruptSpr?: number;
}

export type ExperimentJobResult =
  | {
    id: number;
    ok: true;
    console: string;
    reason: string;
    insns: number;
    /** The statistics block at the end (link/stats.ts layout). */
    stats: Float64Array;
    /** The snapshot a boot job took (file bytes). */
    snapshot?: Uint8Array;
    hostMs: number;
  }
  | { id: number; ok: false; message: string };
