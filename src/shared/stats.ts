// Exit statistics, declared once. A counter named like one of KVM Book E's
// kvm_vcpu_stat fields counts the same event KVM counts under that name
// (arch/powerpc/kvm/booke.c, kvmppc_handle_exit); counters KVM does not have
// carry lab-specific names. Each declares its KVM counterpart and the exact
// rule that increments it; docs/exits.md and the interface's tooltips show
// that text. The worker's SharedArrayBuffer layout, the CLI's table and JSON,
// the statistics store and the UI all iterate COUNTERS: never type the names twice.

import { CONFIGURABLE_SPRS } from './spr';

export type CounterGroup = 'exit' | 'emulation' | 'reflect' | 'switch';

export interface CounterInfo {
  readonly id: string;
  readonly label: string;
  readonly group: CounterGroup;
  /** Counted in the lab's exit total (a real exit to the hypervisor). */
  readonly exit: boolean;
  /**
   * KVM Book E's name for the same event: a kvm_vcpu_stat field
   * (arch/powerpc/include/asm/kvm_host.h) or an exit-timing category
   * (arch/powerpc/kvm/timing.c), or null when KVM counts no such thing.
   */
  readonly kvm: string | null;
  /** Exactly when the lab counts one (the tooltip and docs/exits.md use this text). */
  readonly when: string;
}

const c = (id: string, label: string, group: CounterGroup, kvm: string | null, when: string, exit = group === 'exit'): CounterInfo =>
  ({ id, label, group, exit, kvm, when });

export const COUNTERS = [
  // Exits by cause (KVM names where KVM counts the same event).
  c('emulated_inst_exits', 'Emulated instruction (hypervisor privilege)', 'exit', 'emulated_inst_exits',
    'A guest instruction the virtual hardware leaves to software (a hypervisor-privileged instruction, or mfspr/mtspr of a trapped register; under trap-and-emulate every privileged instruction of the guest kernel) exits and the hypervisor emulates it.'),
  c('mmio_exits', 'MMIO to an emulated device', 'exit', 'mmio_exits',
    'A guest load or store reaches device memory: it exits and the device model performs it.'),
  c('hcall_exits', 'Hypercall (sc 1)', 'exit', null,
    'The guest executes sc 1 (an ePAPR hypercall, the idle call included) in supervisor state.'),
  c('syscall_exits', 'System call not directed to the guest', 'exit', 'syscall_exits',
    'A guest sc goes to the hypervisor because system calls are not directed to the guest; it is reflected.'),
  c('dec_exits', 'Decrementer expiry', 'exit', 'dec_exits',
    'The guest\'s decrementer, emulated by the hypervisor, reaches zero while the guest runs: the host timer interrupt exits whatever the guest\'s MSR[EE]; the guest\'s interrupt is then injected as it allows.'),
  c('timer_exits', 'Fixed-interval and watchdog expiry', 'exit', null,
    'The guest\'s fixed-interval timer or watchdog, emulated by the hypervisor and enabled by the guest, fires while the guest runs.'),
  c('ext_intr_exits', 'External interrupt', 'exit', 'ext_intr_exits',
    'A host event behind one of the guest\'s virtual devices (console input, the console ready for held output, byte-channel data from another guest) arrives while the guest runs; the interrupt it raises is injected on the way back in.'),
  c('itlb_real_miss_exits', 'ITLB miss: not in the guest TLB, reflected', 'exit', 'itlb_real_miss_exits',
    'An instruction fetch misses the hardware TLB and the guest\'s own TLB has no translation either: the hypervisor delivers the miss to the guest.'),
  c('itlb_virt_miss_exits', 'ITLB miss: shadow refilled from the guest TLB', 'exit', 'itlb_virt_miss_exits',
    'An instruction fetch misses the hardware TLB but the guest\'s TLB translates it: the hypervisor installs a shadow entry and the guest never knows.'),
  c('dtlb_real_miss_exits', 'DTLB miss: not in the guest TLB, reflected', 'exit', 'dtlb_real_miss_exits',
    'A data access misses the hardware TLB and the guest\'s own TLB has no translation either: the hypervisor delivers the miss to the guest.'),
  c('dtlb_virt_miss_exits', 'DTLB miss: shadow refilled from the guest TLB', 'exit', 'dtlb_virt_miss_exits',
    'A data access misses the hardware TLB but the guest\'s TLB translates it: the hypervisor installs a shadow entry and the guest never knows.'),
  c('isi_exits', 'Instruction storage interrupt', 'exit', 'isi_exits',
    'An instruction storage interrupt not directed to the guest (EPCR[ISIGS] clear) exits and is reflected.'),
  c('dsi_exits', 'Data storage interrupt', 'exit', 'dsi_exits',
    'A data storage interrupt not directed to the guest (EPCR[DSIGS] clear) exits and is reflected.'),
  c('alignment_exits', 'Alignment interrupt', 'exit', null,
    'An alignment interrupt, which Power ISA 2.06 sends only to the hypervisor unless the hypothetical direction toggle is on, exits and is reflected.'),
  c('program_exits', 'Program interrupt (illegal, privileged, trap)', 'exit', 'USR_PR_INST',
    'A program interrupt not directed to the guest (illegal or privileged instruction, trap, FP enabled) exits and is reflected.'),
  c('fp_unavail_exits', 'Floating-point unavailable', 'exit', 'FP_UNAVAIL',
    'A floating-point unavailable interrupt not directed to the guest exits and is reflected.'),
  c('dbell_exits', 'Processor doorbell', 'exit', 'dbell_exits',
    'A processor doorbell (msgsnd type 0 or 1) addressed to this core arrives while the guest runs: with several vCPUs, the host doorbell that makes a running vCPU exit to take a doorbell another vCPU sent it (KVM kicks the vCPU).'),
  c('gdbell_exits', 'Guest doorbell', 'exit', 'gdbell_exits',
    'A guest doorbell fires: an interrupt was pending for the guest while it had MSR[EE] (or [CE]) clear, the hypervisor raised the doorbell, and the guest has now enabled it; the exit delivers the interrupt.'),
  c('debug_exits', 'Debug interrupt', 'exit', 'DEBUG',
    'A debug interrupt taken in guest state exits.'),
  // What emulated_inst_exits were (KVM timing.c EMUL_* categories).
  c('emul_mtspr', 'mtspr emulated', 'emulation', 'EMUL_MTSPR', 'An emulated_inst_exits that was an mtspr of a trapped register.'),
  c('emul_mfspr', 'mfspr emulated', 'emulation', 'EMUL_MFSPR', 'An emulated_inst_exits that was an mfspr of a trapped register.'),
  c('emul_tlbwe', 'tlbwe emulated', 'emulation', 'EMUL_TLBWE', 'An emulated_inst_exits that was a guest tlbwe (the hypervisor writes its guest TLB and pre-maps the page).'),
  c('emul_tlbsx', 'tlbsx emulated', 'emulation', 'EMUL_TLBSX', 'An emulated_inst_exits that was a guest tlbsx.'),
  c('emul_tlbre', 'tlbre emulated', 'emulation', null, 'An emulated_inst_exits that was a guest tlbre.'),
  c('emul_tlbinv', 'tlbivax/tlbilx/tlbsync emulated', 'emulation', null, 'An emulated_inst_exits that was a guest TLB invalidation or tlbsync.'),
  c('emul_rfi', 'rfi emulated', 'emulation', 'EMUL_RFI', 'An emulated_inst_exits that was an rfi: under booke-hv only when SRR0/1 have no hardware guest copies; under trap-and-emulate every one.'),
  c('emul_rfci', 'rfci/rfmci/rfdi emulated', 'emulation', null, 'An emulated_inst_exits that was a return from a critical, machine-check or debug interrupt.'),
  c('emul_mtmsr', 'mtmsr emulated', 'emulation', 'EMUL_MTMSR', 'Trap-and-emulate: an emulated_inst_exits that was an mtmsr of the guest kernel (the hypervisor keeps the guest\'s MSR).'),
  c('emul_mfmsr', 'mfmsr emulated', 'emulation', 'EMUL_MFMSR', 'Trap-and-emulate: an emulated_inst_exits that was an mfmsr of the guest kernel.'),
  c('emul_wrtee', 'wrtee/wrteei emulated', 'emulation', 'EMUL_WRTEE', 'Trap-and-emulate: an emulated_inst_exits that was a wrtee or wrteei of the guest kernel.'),
  c('emul_other', 'Other privileged instruction emulated', 'emulation', null, 'An emulated_inst_exits of any other privileged instruction (msgsnd, msgclr, cache locking, dcbi, ehpriv).'),
  // Interrupts the hypervisor delivered to the guest in software.
  c('reflect_dsi', 'Reflected data storage', 'reflect', null, 'The hypervisor delivers a data storage interrupt to the guest.'),
  c('reflect_isi', 'Reflected instruction storage', 'reflect', null, 'The hypervisor delivers an instruction storage interrupt to the guest.'),
  c('reflect_dtlb', 'Reflected data TLB miss', 'reflect', null, 'The hypervisor delivers a data TLB miss to the guest (one per dtlb_real_miss_exits).'),
  c('reflect_itlb', 'Reflected instruction TLB miss', 'reflect', null, 'The hypervisor delivers an instruction TLB miss to the guest (one per itlb_real_miss_exits).'),
  c('reflect_alignment', 'Reflected alignment', 'reflect', null, 'The hypervisor delivers an alignment interrupt to the guest.'),
  c('reflect_program', 'Reflected program', 'reflect', null, 'The hypervisor delivers a program interrupt to the guest (reflected, or raised by its own emulation).'),
  c('reflect_fp_unavail', 'Reflected FP unavailable', 'reflect', null, 'The hypervisor delivers a floating-point unavailable interrupt to the guest.'),
  c('reflect_syscall', 'Reflected system call', 'reflect', null, 'The hypervisor delivers a system call to the guest.'),
  c('reflect_dec', 'Injected decrementer', 'reflect', null, 'The hypervisor delivers the guest\'s decrementer interrupt (on entry, or at a guest doorbell).'),
  c('reflect_timer', 'Injected fixed-interval/watchdog', 'reflect', null, 'The hypervisor delivers the guest\'s fixed-interval or watchdog interrupt.'),
  c('reflect_external', 'Injected external', 'reflect', null, 'The hypervisor delivers an external interrupt from the guest\'s virtual interrupt controller.'),
  c('reflect_doorbell', 'Injected doorbell', 'reflect', null, 'The hypervisor delivers a doorbell the guest sent with msgsnd.'),
  // State movement the strategies and policies cost, and idling.
  c('transfer_switches', 'State transfers (entry or exit)', 'switch', null, 'Registers with the transfer strategy move through memory: two per exit (out and back in).'),
  c('shared_switches', 'Shared-register save/restore', 'switch', null, 'The hypervisor saves and restores the shared registers in software: two per exit under KVM\'s policy, two per vCPU switch under the lazy one.'),
  c('halt_wakeup', 'Idle vCPU woken', 'switch', 'halt_wakeup', 'A vCPU idle in the hypervisor (the ePAPR idle hypercall) is woken by an interrupt becoming pending; no exit is taken.'),
  c('host_tlb_evictions', 'Shadows evicted by other guests', 'switch', null, 'With the policy hostTlb: shared, another guest\'s shadow took the host TLB slot of one of this guest\'s shadows (the guest learns it between slices; its next access there is a virtual miss).'),
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
