// The cost model: how many guest-visible cycles each piece of virtualization
// work costs, and how virtual time relates to retired instructions. Declared
// once, with the default of every parameter and where it comes from, so the
// hypervisor, the CLI and the cost-model editor all read the same list.
//
// Figures and sources: ../../../shared/reference/virtualization-costs.md.

import { LabFailure } from './result';

export type CostParamId =
  | 'cpi' | 'coreMHz' | 'timebaseMHz'
  | 'exitEntry' | 'exitReturn'
  | 'perTransferredRegister' | 'perSharedRegister'
  | 'emulateSpr' | 'emulateInstruction' | 'reflectInterrupt' | 'shadowTlbRefill'
  | 'emulateTlbOp' | 'mmioAccess' | 'hypercall' | 'timerEmulation';

export interface CostParam {
  readonly id: CostParamId;
  readonly label: string;
  readonly unit: 'cycles' | 'MHz' | 'cycles/insn';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Where the default comes from. */
  readonly source: string;
}

export const COST_PARAMS: readonly CostParam[] = [
  { id: 'cpi', label: 'Cycles per guest instruction', unit: 'cycles/insn', default: 1, min: 0.25, max: 16,
    source: 'A scalar in-order approximation of e500mc. With the 1 GHz core and 400 MHz time base below, the time base advances 0.4 ticks per instruction, as QEMU\'s -icount shift=0 does.' },
  { id: 'coreMHz', label: 'Core clock', unit: 'MHz', default: 1000, min: 1, max: 10000,
    source: 'e500mc parts (P4080) run at 1.0-1.5 GHz; 1 GHz keeps cycles = nanoseconds.' },
  { id: 'timebaseMHz', label: 'Time base frequency', unit: 'MHz', default: 400, min: 1, max: 10000,
    source: 'QEMU ppce500 runs the time base and decrementer at 400 MHz (device tree timebase-frequency).' },
  { id: 'exitEntry', label: 'Exit: hardware switch into the hypervisor', unit: 'cycles', default: 300,
    min: 0, max: 100000,
    source: 'Interrupt entry plus the hypervisor prologue saving guest GPRs. A lightweight hypervisor round trip is 376 cycles (Xen on ARM hypercall) to 1,228-1,300 (x86 Xen/KVM), Dall et al., ISCA 2016; VT-x round trips 761-1,009 cycles on Westmere/Nehalem, Agesen et al., ATC 2012. Half of a ~600-cycle embedded round trip.' },
  { id: 'exitReturn', label: 'Exit: return to the guest', unit: 'cycles', default: 300, min: 0, max: 100000,
    source: 'Epilogue restoring guest GPRs plus rfi; the other half of the round trip above.' },
  { id: 'perTransferredRegister', label: 'Transfer: per register, per entry or exit', unit: 'cycles', default: 12, min: 0, max: 10000,
    source: 'VMCS-style transfer moves each field through memory on entry and on exit: SVM\'s VMRUN with its state save area is about 1,360 cycles of a 2,528-cycle KVM_RUN round trip (LKML, Dec 2020), for on the order of a hundred fields.' },
  { id: 'perSharedRegister', label: 'Shared: per register, per save or restore', unit: 'cycles', default: 4, min: 0, max: 10000,
    source: 'One mfspr or mtspr per shared register each time the hypervisor saves or restores it: on every exit and entry under KVM (bookehv_interrupts.S, kvmppc_resume_host and lightweight_exit save SPRG4-7, SPRG9, PID, MAS and VRSAVE), on a vCPU switch under the lazy policy.' },
  { id: 'emulateSpr', label: 'Handler: emulate mfspr/mtspr', unit: 'cycles', default: 150, min: 0, max: 100000,
    source: 'Decode the trapping instruction and update the shadow register (KVM EMUL_MTSPR/EMUL_MFSPR path); of the order of a few hundred instructions.' },
  { id: 'emulateInstruction', label: 'Handler: emulate another privileged instruction', unit: 'cycles', default: 200, min: 0, max: 100000,
    source: 'KVM\'s kvmppc_emulate_instruction for rfci, msgsnd, cache locks and the like.' },
  { id: 'reflectInterrupt', label: 'Handler: reflect an interrupt to the guest', unit: 'cycles', default: 120, min: 0, max: 100000,
    source: 'Set guest SRR0/1, ESR, DEAR and vector through GIVPR/GIVOR (KVM kvmppc_booke_irqprio_deliver; Topaz reflect_trap).' },
  { id: 'shadowTlbRefill', label: 'Handler: shadow TLB refill', unit: 'cycles', default: 400, min: 0, max: 100000,
    source: 'Look up the guest TLB, translate guest-physical to host-physical, write a shadow entry (KVM e500_mmu_host.c); x86 page-fault exits cost thousands of cycles (Adams & Agesen, ASPLOS 2006).' },
  { id: 'emulateTlbOp', label: 'Handler: emulate tlbwe/tlbsx/tlbre/tlbivax', unit: 'cycles', default: 300, min: 0, max: 100000,
    source: 'Guest TLB instructions trap on e500mc (no LRAT; EPCR[DGTMI]); KVM updates its guest TLB array and invalidates shadows.' },
  { id: 'mmioAccess', label: 'Handler: emulated device register access', unit: 'cycles', default: 600, min: 0, max: 100000,
    source: 'Decode the faulting load/store and run the device model; an interrupt-controller trap is 1,356-2,384 cycles (Dall et al., ISCA 2016).' },
  { id: 'hypercall', label: 'Handler: ePAPR hypercall', unit: 'cycles', default: 200, min: 0, max: 100000,
    source: 'sc 1 dispatch and a byte-channel copy (Topaz hcalls.c); hypercall handling is a few hundred cycles on lightweight hypervisors.' },
  { id: 'timerEmulation', label: 'Handler: emulate a timer register', unit: 'cycles', default: 250, min: 0, max: 100000,
    source: 'DEC/TCR/TSR writes reprogram a host timer, and the host timer interrupt of an emulated timer that expires is handled at this cost too (KVM uses an hrtimer for the guest decrementer).' },
];

export type CostModel = Record<CostParamId, number>;
export type CostModelPatch = Partial<Record<string, number>>;

export function defaultCostModel(): CostModel {
  const m = {} as CostModel;
  for (const p of COST_PARAMS) m[p.id] = p.default;
  return m;
}

/** Applies a patch, checking names and ranges; throws a LabFailure naming the problem. */
export function applyCostPatch(base: CostModel, patch: CostModelPatch): CostModel {
  const next = { ...base };
  for (const [id, value] of Object.entries(patch)) {
    const p = COST_PARAMS.find((q) => q.id === id);
    if (!p) throw new LabFailure('invalid-request', `Unknown cost parameter "${id}". Parameters: ${COST_PARAMS.map((q) => q.id).join(', ')}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < p.min || value > p.max) {
      throw new LabFailure('invalid-request', `${p.label} must be a number from ${p.min} to ${p.max} ${p.unit}`, { field: id });
    }
    next[p.id] = value;
  }
  return next;
}
