// Exit statistics, declared once. Names follow KVM Book E's kvm_vcpu_stat and
// timing.c where one exists (see shared/reference/virtualization-costs.md); the
// lab adds its own for reflected interrupts, state transfers and shared-register
// switches. The worker's SharedArrayBuffer layout, the CLI's table and JSON, the
// statistics store and the UI all iterate COUNTERS: never type the names twice.

import { CONFIGURABLE_SPRS } from './spr';

export type CounterGroup = 'exit' | 'emulation' | 'reflect' | 'switch';

export interface CounterInfo {
  readonly id: string;
  readonly label: string;
  readonly group: CounterGroup;
  /** Counted in sum_exits (a real exit to the hypervisor). */
  readonly exit: boolean;
}

const c = (id: string, label: string, group: CounterGroup, exit = true): CounterInfo => ({ id, label, group, exit });

export const COUNTERS = [
  // Exits by cause (KVM names).
  c('emulated_inst_exits', 'Emulated instruction (hypervisor privilege)', 'exit'),
  c('mmio_exits', 'MMIO to an emulated device', 'exit'),
  c('hcall_exits', 'Hypercall (sc 1)', 'exit'),
  c('syscall_exits', 'System call not directed to the guest', 'exit'),
  c('dec_exits', 'Decrementer interrupt', 'exit'),
  c('timer_exits', 'Fixed-interval and watchdog timer interrupts', 'exit'),
  c('ext_intr_exits', 'External interrupt', 'exit'),
  c('itlb_real_miss_exits', 'ITLB miss: refilled from the guest TLB', 'exit'),
  c('itlb_virt_miss_exits', 'ITLB miss: reflected to the guest', 'exit'),
  c('dtlb_real_miss_exits', 'DTLB miss: refilled from the guest TLB', 'exit'),
  c('dtlb_virt_miss_exits', 'DTLB miss: reflected to the guest', 'exit'),
  c('isi_exits', 'Instruction storage interrupt', 'exit'),
  c('dsi_exits', 'Data storage interrupt', 'exit'),
  c('alignment_exits', 'Alignment interrupt', 'exit'),
  c('program_exits', 'Program interrupt (illegal, privileged, trap)', 'exit'),
  c('fp_unavail_exits', 'Floating-point unavailable', 'exit'),
  c('dbell_exits', 'Doorbell', 'exit'),
  c('debug_exits', 'Debug interrupt', 'exit'),
  c('halt_exits', 'wait / idle', 'exit'),
  // What emulated_inst_exits were (KVM timing.c EMUL_* categories).
  c('emul_mtspr', 'mtspr emulated', 'emulation', false),
  c('emul_mfspr', 'mfspr emulated', 'emulation', false),
  c('emul_tlbwe', 'tlbwe emulated', 'emulation', false),
  c('emul_tlbsx', 'tlbsx emulated', 'emulation', false),
  c('emul_tlbre', 'tlbre emulated', 'emulation', false),
  c('emul_tlbinv', 'tlbivax/tlbilx/tlbsync emulated', 'emulation', false),
  c('emul_rfi', 'rfi emulated (SRR0/1 without guest copies)', 'emulation', false),
  c('emul_other', 'Other privileged instruction emulated', 'emulation', false),
  // Interrupts the hypervisor delivered to the guest in software.
  c('reflect_dsi', 'Reflected data storage', 'reflect', false),
  c('reflect_isi', 'Reflected instruction storage', 'reflect', false),
  c('reflect_dtlb', 'Reflected data TLB miss', 'reflect', false),
  c('reflect_itlb', 'Reflected instruction TLB miss', 'reflect', false),
  c('reflect_alignment', 'Reflected alignment', 'reflect', false),
  c('reflect_program', 'Reflected program', 'reflect', false),
  c('reflect_fp_unavail', 'Reflected FP unavailable', 'reflect', false),
  c('reflect_syscall', 'Reflected system call', 'reflect', false),
  c('reflect_dec', 'Reflected decrementer', 'reflect', false),
  c('reflect_timer', 'Reflected fixed-interval/watchdog', 'reflect', false),
  c('reflect_external', 'Reflected external', 'reflect', false),
  // State movement the strategies cost.
  c('transfer_switches', 'State transfers (entry or exit)', 'switch', false),
  c('shared_switches', 'Shared-register save/restore on a guest switch', 'switch', false),
] as const satisfies readonly CounterInfo[];

export type CounterId = (typeof COUNTERS)[number]['id'];

export const COUNTER_INDEX: Readonly<Record<CounterId, number>> = Object.fromEntries(
  COUNTERS.map((k, i) => [k.id, i]),
) as Record<CounterId, number>;

/** SPRs counted individually (mfspr and mtspr traps): every configurable SPR, in catalog order. */
export const COUNTED_SPRS: readonly string[] = CONFIGURABLE_SPRS.map((s) => s.name);

export interface CounterSample {
  total: number;
  /** Events per second over the last sampling interval. */
  rate: number;
  /** Modeled cycles charged to the guest for these events. */
  cycles: number;
  /** Host nanoseconds spent handling them. */
  hostNs: number;
}

export interface SprSample {
  reads: number;
  writes: number;
  cycles: number;
}

export interface GuestStatsSample {
  id: string;
  /** Guest instructions retired. */
  insns: number;
  /** Guest instructions per host second over the last interval, in millions. */
  mips: number;
  /** Modeled guest cycles (instructions x CPI + hypervisor work). */
  cycles: number;
  /** Modeled cycles spent in the hypervisor on the guest's behalf. */
  hvCycles: number;
  /** hvCycles / cycles over the last interval (0..1). */
  hvShare: number;
  exits: number;
  exitRate: number;
  counters: Record<CounterId, CounterSample>;
  /** Per-SPR trap counts, only SPRs with any. */
  spr: Record<string, SprSample>;
}

export interface StatsSnapshot {
  /** Milliseconds since the session started. */
  t: number;
  guests: GuestStatsSample[];
}
