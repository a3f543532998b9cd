// The hypervisor for one guest, on that guest's worker thread. This module is
// the entry point the runtime uses: the device-tree nodes a guest gets
// (ePAPR hypervisor node and byte channels), attaching the exit handlers to a
// Machine, applying configuration changes between slices, and folding the
// guest's counters into its statistics block.

import type { CostModel } from '../../shared/cost';
import { disassemble } from '../cpu/isa';
import { MSR } from '../cpu/regs';
import { Accountant, type TraceEntry } from './account';
import { ExitHandler } from './exit';
import { GuestTlb } from './guest-tlb';
import { resolveStrategies } from './strategies';
import type { HwConfig } from '../../shared/hw';
import type { FdtNode } from '../guest/fdt';
import { empty, node, str, u32 } from '../guest/fdt';
import type { Machine } from '../guest/machine';
import { H } from '../lab/stats';
import type { GuestHypervisorOptions } from './types';

export type { ByteChannel, GuestHypervisorOptions } from './types';

/** sc 1 followed by three no-ops: the hypercall sequence KVM and Topaz advertise. */
export const HCALL_INSTRUCTIONS = [0x44000022, 0x60000000, 0x60000000, 0x60000000];

/**
 * Device-tree nodes describing the hypervisor to the guest: nothing for a
 * native guest; an ePAPR `hypervisor` node with one child per byte channel
 * otherwise, so a guest discovers hypercalls only where they exist.
 */
export function hypervisorDeviceTree(opts: Pick<GuestHypervisorOptions, 'model' | 'byteChannels'>): FdtNode[] {
  if (opts.model === 'native') return [];
  return [node('hypervisor', [
    ['compatible', str('epapr,hypervisor-1')],
    ['hcall-instructions', u32(...HCALL_INSTRUCTIONS)],
    ['has-idle', empty],
    ['#address-cells', u32(1)],
    ['#size-cells', u32(0)],
  ], opts.byteChannels.map((c) => node(`bc@${c.handle}`, [
    ['compatible', str('epapr,hv-byte-channel')],
    ['hv-handle', u32(c.handle)],
    ['reg', u32(c.handle)],
    ['label', str(c.label)],
  ])))];
}

/**
 * The hypervisor of one guest. For the native model it only keeps the
 * statistics block current; for booke-hv and state-transfer it runs the guest
 * in guest state (MSR[GS]=1, its own LPID), owns its TLB, and handles every
 * exit the configured virtual hardware leaves to software.
 *
 * Where values live: the guest's architected registers are kept in the core
 * (cpu.spr and friends). The strategy decides which agent services an access
 * — a hardware guest copy, the shared physical register, the transfer area or
 * the hypervisor's emulation — and so what it costs; since every agent holds
 * the same architected value, a configuration change at an instruction
 * boundary moves nothing and loses nothing.
 */
export class GuestHypervisor {
  private hw: HwConfig;
  private cost: CostModel;
  readonly accountant: Accountant;
  readonly guestTlb: GuestTlb | null;
  private readonly exits: ExitHandler | null;

  constructor(readonly machine: Machine, readonly options: GuestHypervisorOptions) {
    this.hw = options.hw;
    this.cost = options.cost;
    const cpu = machine.cpu;
    this.accountant = new Accountant(cpu, options.stats, options.cost);
    if (options.model === 'native') {
      this.guestTlb = null;
      this.exits = null;
    } else {
      if (!(options.lpid >= 1 && options.lpid <= 63)) throw new Error(`LPID must be 1..63 (got ${options.lpid})`);
      this.guestTlb = new GuestTlb(cpu, options.lpid);
      this.exits = new ExitHandler(this.accountant, this.guestTlb, new Map(options.byteChannels.map((c) => [c.handle, c])));
      machine.onBoot.push(() => this.enterGuest());
    }
    this.configure(options.hw, options.cost);
  }

  /** At every boot: the guest starts in guest state, in its partition, with its TLB in software. */
  private enterGuest(): void {
    const cpu = this.machine.cpu;
    cpu.lpid = this.options.lpid;
    cpu.pir = 0;
    this.guestTlb!.adoptBootEntries();
    cpu.hooks = this.exits;
    cpu.setMsr(cpu.msr | MSR.GS);
    cpu.flushSoftTlb();
    this.configure(this.hw, this.cost);
  }

  get config(): { hw: HwConfig; cost: CostModel } {
    return { hw: this.hw, cost: this.cost };
  }

  /** Applies a new configuration; call between slices (an instruction boundary). */
  configure(hw: HwConfig, cost: CostModel): void {
    this.hw = hw;
    this.cost = cost;
    const resolved = resolveStrategies(this.options.model, hw);
    this.accountant.configure(cost, this.options.model === 'native' ? 0 : resolved.transferred, resolved.nameBySpr);
    this.machine.cpu.timers.setClock({ cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz });
    if (this.exits) this.exits.configure(this.machine.cpu, resolved);
  }

  /** Folds the core's progress into the statistics block; call after every slice. */
  sync(): void {
    const s = this.options.stats;
    const cpu = this.machine.cpu;
    this.exits?.tick(cpu);
    s[H.insns] = cpu.insns;
    s[H.cycles] = cpu.timers.centicycles / 100;
    s[H.seq] = s[H.seq]! + 1;
  }

  /** The most recent exits, oldest first, disassembled (for the trace view). */
  recentExits(): (TraceEntry & { disassembly: string })[] {
    const cpu = this.machine.cpu;
    return this.accountant.recent().map((e) => {
      // Exits taken on an instruction record its address; the word is read back
      // here, off the exit path (the text shows what is at that address now).
      const instruction = e.reason === 'emulated_inst_exits' || e.reason === 'mmio_exits' || e.reason === 'hcall_exits';
      const word = e.word || (instruction ? cpu.peekInstruction(e.pc) : 0);
      return { ...e, word, disassembly: word ? disassemble(word, e.pc) : '' };
    });
  }
}

export function attachHypervisor(machine: Machine, options: GuestHypervisorOptions): GuestHypervisor {
  return new GuestHypervisor(machine, options);
}
