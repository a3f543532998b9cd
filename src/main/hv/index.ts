// The hypervisor for one guest, on that guest's worker thread. This module is
// the entry point the runtime uses: the device-tree nodes a guest gets
// (ePAPR hypervisor node and byte channels), attaching the exit handlers to a
// Machine, applying configuration changes between slices, and folding the
// guest's counters into its statistics block.

import type { ExitTraceEntry, VcpuStats } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import { disassemble } from '../cpu/isa';
import { MSR } from '../cpu/regs';
import { Accountant } from './account';
import type { Cpu } from '../cpu/cpu';
import { ExitHandler, GPIR_SPR } from './exit';
import { GuestTlb } from './guest-tlb';
import type { ParavirtPage } from './pv-page';
import { resolveStrategies } from './strategies';
import type { HwConfig } from '../../shared/hw';
import { type BoardTreeContext, type DeviceTreePart, empty, type FdtNode, node, type PropValue, str, strs, u32 } from '../devices/fdt';
import { PrivateHostTlb, SharedHostTlb } from '../link/host-tlb';
import { H } from '../link/stats';
import type { ByteChannel, GuestHypervisorOptions, HostBoard } from './types';

export type { ByteChannel, GuestHypervisorOptions, HostBoard } from './types';

/**
 * MPIC sources the hypervisor drives for byte channels: channel i (in device-
 * tree order) raises BYTE_CHANNEL_IRQ_BASE + 2i while it holds received bytes
 * and the next source while it has room to send, both level-high, as the
 * ePAPR byte-channel binding gives them (receive first, then transmit). The
 * board uses no source in this range, and it lies below the 196 sources the
 * MPIC reports (224-231 are its MSI sources); channels past the range have no
 * interrupts and a guest polls them.
 */
export const BYTE_CHANNEL_IRQ_BASE = 160;
export const BYTE_CHANNEL_IRQ_COUNT = 32;
/** The handle of the spare, disabled channel node (no channel has handle 0). */
const SPARE_CHANNEL_HANDLE = 0;

/** The receive and transmit sources of the i-th channel, or null when it has none. */
export function byteChannelIrqs(i: number): { rx: number; tx: number } | null {
  return 2 * i + 1 < BYTE_CHANNEL_IRQ_COUNT ? { rx: BYTE_CHANNEL_IRQ_BASE + 2 * i, tx: BYTE_CHANNEL_IRQ_BASE + 2 * i + 1 } : null;
}

/** sc 1 followed by three no-ops: the hypercall sequence KVM and Topaz advertise. */
const MSRP_SPR = 311;

export const HCALL_INSTRUCTIONS = [0x44000022, 0x60000000, 0x60000000, 0x60000000];

/**
 * Device-tree nodes describing the hypervisor to the guest: nothing for a
 * native guest or when told not to advertise; an ePAPR `hypervisor` node with one child per byte channel
 * otherwise, so a guest discovers hypercalls only where they exist.
 */
export function hypervisorDeviceTree(opts: Pick<GuestHypervisorOptions, 'model' | 'byteChannels' | 'advertise'>, board: BoardTreeContext): FdtNode[] {
  if (opts.model === 'native' || opts.advertise === false) return [];
  const channels = opts.byteChannels.map((c, i) => {
    const irqs = byteChannelIrqs(i);
    const props: [string, PropValue][] = [
      ['compatible', str('epapr,hv-byte-channel')],
      ['hv-handle', u32(c.handle)],
      ['reg', u32(c.handle)],
      ['label', str(c.label)],
    ];
    if (irqs) props.push(['interrupt-parent', u32(board.interruptParent)], ['interrupts', u32(irqs.rx, 2, irqs.tx, 2)]);
    return node(`bc@${c.handle}`, props);
  });
  // One spare, disabled channel node. Linux's byte-channel driver (6.1,
  // drivers/tty/ehv_bytechan.c) sizes its table by counting every channel
  // node but numbers its ttys from 1 when the console is not a byte channel
  // (index 0 is kept for that console): without a spare entry its last
  // channel overflows the table. Guests skip a disabled node, as the
  // device-tree specification asks; the spare has no channel behind it.
  if (channels.length > 0) {
    channels.push(node(`bc@${SPARE_CHANNEL_HANDLE}`, [
      ['compatible', str('epapr,hv-byte-channel')],
      ['hv-handle', u32(SPARE_CHANNEL_HANDLE)],
      ['reg', u32(SPARE_CHANNEL_HANDLE)],
      ['status', str('disabled')],
    ]));
  }
  return [node('hypervisor', [
    // "simple-bus" too: Linux's platform code for QEMU's e500 board (like
    // most PowerPC platforms) creates devices only for the children of the
    // buses it knows, and its byte-channel driver binds to those devices.
    ['compatible', strs('epapr,hypervisor-1', 'simple-bus')],
    ['hcall-instructions', u32(...HCALL_INSTRUCTIONS)],
    ['has-idle', empty],
    ['#address-cells', u32(1)],
    ['#size-cells', u32(0)],
  ], channels)];
}

/** A hosted guest's vCPU as the hypervisor keeps it: its exit handling, its guest TLB, the TLB of the host core it runs on. */
interface HostedVcpu {
  cpu: Cpu;
  exits: ExitHandler;
  guestTlb: GuestTlb;
  privateHost: PrivateHostTlb;
}

/**
 * The hypervisor of one guest. For the native model it only keeps the
 * statistics block current; for booke-hv and state-transfer it runs the guest
 * in guest state (MSR[GS]=1, its own LPID), owns its TLB, and handles every
 * exit the configured virtual hardware leaves to software. Each vCPU has its
 * own exit handling, guest TLB and host-core TLB (HostedVcpu); the
 * accounting and the byte channels are the guest's.
 *
 * Where values live: the guest's architected registers are kept in the core
 * (cpu.spr and friends). The strategy decides which agent services an access
 * — a hardware guest copy, the shared physical register, the transfer area or
 * the hypervisor's emulation — and so what it costs; since every agent holds
 * the same architected value, a configuration change at an instruction
 * boundary moves nothing and loses nothing.
 */
export class GuestHypervisor implements DeviceTreePart {
  private hw: HwConfig;
  private cost: CostModel;
  readonly accountant: Accountant;
  /** vCPU 0's guest TLB (null for a native guest). */
  readonly guestTlb: GuestTlb | null;
  private readonly exits: ExitHandler | null;
  /** Every vCPU of a hosted guest (empty for a native one); vcpus[0] holds guestTlb and exits. */
  private readonly vcpus: HostedVcpu[] = [];
  private sharedHost: SharedHostTlb | null = null;
  /** The channels that have interrupt lines, with their MPIC sources (fixed for this machine's life). */
  private readonly channelLines: { channel: ByteChannel; rx: number; tx: number }[] = [];

  constructor(readonly machine: HostBoard, readonly options: GuestHypervisorOptions) {
    this.hw = options.hw;
    this.cost = options.cost;
    const cpu = machine.cpu;
    machine.treeParts.push(this);
    this.accountant = new Accountant(cpu, options.stats, options.cost, machine.cpus.length);
    // Exits are charged to the vCPU that takes them: the board says which one runs.
    machine.onTurn.push((k) => { this.accountant.cpu = machine.cpus[k]!; });
    if (options.model === 'native') {
      this.guestTlb = null;
      this.exits = null;
    } else {
      if (!(options.lpid >= 1 && options.lpid <= 63)) throw new Error(`LPID must be 1..63 (got ${options.lpid})`);
      options.byteChannels.forEach((channel, i) => {
        const irqs = byteChannelIrqs(i);
        if (irqs) this.channelLines.push({ channel, ...irqs });
      });
      const lines = () => this.updateChannelLines();
      const deprivileged = options.model === 'trap-and-emulate';
      const channels = new Map(options.byteChannels.map((c) => [c.handle, c]));
      for (const core of machine.cpus) {
        const guestTlb = new GuestTlb(core, options.lpid);
        const exits = new ExitHandler(this.accountant, guestTlb, channels, lines, deprivileged, core);
        this.vcpus.push({ cpu: core, exits, guestTlb, privateHost: new PrivateHostTlb() });
      }
      if (this.vcpus.length > 1) {
        const peers = {
          doorbell: (from: Cpu, rb: number) => { for (const v of this.vcpus) v.exits.receiveDoorbell(v.cpu, rb, v.cpu !== from); },
          tlbivax: (ea: number) => { for (const v of this.vcpus) v.guestTlb.invalidateByEa(ea); },
        };
        for (const v of this.vcpus) v.exits.peers = peers;
      }
      this.guestTlb = this.vcpus[0]!.guestTlb;
      this.exits = this.vcpus[0]!.exits;
      machine.onBoot.push(() => this.enterGuest());
      // A secondary vCPU the guest released from the spin table: the mapping the board gave it becomes its guest TLB's.
      machine.onRelease.push((k) => this.vcpus[k]!.guestTlb.adoptBootEntries());
      machine.onPoll.push(lines);
      machine.onPoll.push(() => {
        for (const { guestTlb: gtlb } of this.vcpus) {
          const before = gtlb.evictedByOthers;
          gtlb.syncHost();
          if (gtlb.evictedByOthers !== before) this.accountant.bump('host_tlb_evictions', gtlb.evictedByOthers - before);
        }
      });
      if (options.sharedHostTlb) this.sharedHost = new SharedHostTlb(options.sharedHostTlb);
    }
    this.configure(options.hw, options.cost);
  }

  /** The nodes the guest's device tree gets from its hypervisor (asked by the board at every boot). */
  deviceTreeNodes(board: BoardTreeContext): FdtNode[] {
    return hypervisorDeviceTree(this.options, board);
  }

  /** At every boot: the guest starts in guest state, in its partition, with its TLB in software. */
  private enterGuest(): void {
    this.accountant.cpu = this.machine.cpu;
    if (this.options.model === 'trap-and-emulate') {
      this.enterGuestWithoutHardware();
      return;
    }
    for (const { cpu, exits, guestTlb } of this.vcpus) {
      cpu.lpid = this.options.lpid;
      // vCPU k runs on host core k (its PIR since reset); the guest reads k as its PIR (GPIR).
      cpu.spr[GPIR_SPR] = cpu.index;
      // As KVM programs it on e500mc: the guest may not change MSR[UCLE] or MSR[PMM].
      cpu.spr[MSRP_SPR] = MSR.UCLE | MSR.PMM;
      guestTlb.adoptBootEntries();
      cpu.hooks = exits;
      cpu.setMsr(cpu.msr | MSR.GS);
      cpu.flushSoftTlb();
    }
    this.configure(this.hw, this.cost);
  }

  /**
   * At every boot under trap-and-emulate: the guest's MSR becomes the
   * hypervisor's to keep and the core runs it in user mode, with no partition
   * (a core without the hypervisor category has no LPID); its TLB is in
   * software and its PID becomes a shadow address space.
   */
  private enterGuestWithoutHardware(): void {
    for (const { cpu, exits, guestTlb: gtlb } of this.vcpus) {
      cpu.lpid = 0;
      cpu.spr[GPIR_SPR] = cpu.index;
      gtlb.adoptBootEntries();
      cpu.hooks = exits;
      cpu.deprivileged = true;
      exits.pv!.map(0, 0);
      cpu.onGuestMsr = () => gtlb.switchContext();
      cpu.setGuestMsr(cpu.msr);
      gtlb.enterUserMode();
      cpu.flushSoftTlb();
    }
    this.configure(this.hw, this.cost);
  }

  /**
   * Drives each byte channel's interrupt lines from its state: receive while
   * bytes wait, transmit while there is room. Runs before every stretch of
   * execution (so bytes a peer sent while this guest slept wake it) and after
   * every byte-channel hypercall (so a drained channel stops interrupting).
   */
  private updateChannelLines(): void {
    const board = this.machine;
    for (const { channel, rx, tx } of this.channelLines) {
      board.setIrqLine(rx, channel.rxPending() > 0);
      board.setIrqLine(tx, channel.txSpace() > 0);
    }
  }

  get config(): { hw: HwConfig; cost: CostModel } {
    return { hw: this.hw, cost: this.cost };
  }

  /** Applies a new configuration; call between slices (an instruction boundary). */
  configure(hw: HwConfig, cost: CostModel): void {
    this.hw = hw;
    this.cost = cost;
    const resolved = resolveStrategies(this.options.model, hw);
    const hosted = this.options.model !== 'native';
    const sharedPerExit = hosted && hw.policy.sharedSave === 'exit' ? resolved.shared : 0;
    this.accountant.configure(cost, hosted ? resolved.transferred : 0, sharedPerExit, resolved.nameBySpr);
    for (const cpu of this.machine.cpus) cpu.timers.setClock({ cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz });
    for (const v of this.vcpus) {
      v.exits.configure(v.cpu, resolved, hw.policy);
      v.guestTlb.setHost(hw.policy.hostTlb === 'shared' && this.sharedHost ? this.sharedHost : v.privateHost);
    }
  }

  /**
   * The hypervisor's stateful parts for a snapshot (snapshot.ts): its
   * accounting (counters, trace), and for a hosted guest its emulation state
   * (pending interrupts, idle) and the guest TLB with the shadows' bookkeeping.
   * What the configuration derives is left out and rebuilt by configure(), so
   * a snapshot restores under another configuration too.
   */
  stateParts(): Record<string, object> {
    const parts: Record<string, object> = { 'hv.accountant': this.accountant, 'hv.counters': this.accountant.countersPart() };
    this.vcpus.forEach((v, k) => {
      // vCPU 0's parts keep the names they had when guests had one vCPU.
      const p = k === 0 ? 'hv.' : `hv.vcpu${k}.`;
      parts[`${p}exits`] = v.exits;
      parts[`${p}pending`] = v.exits.pending;
      parts[`${p}guest-tlb`] = v.guestTlb;
      parts[`${p}guest-tlb.entries`] = v.guestTlb.tlb;
      // The replacement state of the core's own TLB (a TLB shared with other guests is theirs too: not saved).
      parts[`${p}host-tlb`] = v.privateHost;
      if (v.exits.pv !== null) parts[`${p}pv-page`] = v.exits.pv;
    });
    return parts;
  }

  /** Trap-and-emulate: the guest's paravirtual page (null under the other models). */
  get paravirtPage(): ParavirtPage | null {
    return this.exits?.pv ?? null;
  }

  /** Test hook: the emulation of SPR n returns a wrong value (to show that the experiments' equivalence check catches it). */
  testCorruptSpr(n: number): void {
    if (this.exits !== null) this.exits.corruptSpr = n;
  }

  /** After a snapshot's state was written in: the configuration's derived state again (trap tables, costs, EPCR). */
  afterRestore(): void {
    this.configure(this.hw, this.cost);
  }

  /** Folds the core's progress into the statistics block; call after every slice. */
  sync(): void {
    const s = this.options.stats;
    const cpu = this.machine.cpu;
    for (const v of this.vcpus) {
      this.accountant.cpu = v.cpu;
      v.exits.tick(v.cpu);
    }
    s[H.insns] = this.machine.insns;
    // Cycles are time on the boot vCPU's clock (all vCPUs' clocks are kept together).
    s[H.cycles] = cpu.timers.centicycles / 100;
    s[H.seq] = s[H.seq]! + 1;
  }

  /** Each vCPU's instructions, exits and the counters it counted, since boot. */
  vcpuStats(): VcpuStats[] {
    const exits = this.accountant.vcpuExits;
    return this.machine.cpus.map((cpu, k) => {
      const counters = Object.fromEntries(Object.entries(this.accountant.vcpuCounters(k)).filter(([, n]) => n > 0));
      const state = this.machine.held[k] ? 'spinning' as const : cpu.waiting ? 'waiting' as const : 'running' as const;
      return { vcpu: k, state, insns: cpu.insns, exits: exits[k] ?? 0, counters };
    });
  }

  /** The most recent exits, oldest first, disassembled (for the trace view). */
  recentExits(): ExitTraceEntry[] {
    return this.accountant.recent().map((e) => {
      // Exits taken on an instruction record its address; the word is read back
      // here, off the exit path (the text shows what is at that address now, through that vCPU's translation).
      const instruction = e.reason === 'emulated_inst_exits' || e.reason === 'mmio_exits' || e.reason === 'hcall_exits';
      const word = e.word || (instruction ? (this.machine.cpus[e.vcpu] ?? this.machine.cpu).peekInstruction(e.pc) : 0);
      return { ...e, word, disassembly: word ? disassemble(word, e.pc) : '' };
    });
  }
}

export function attachHypervisor(machine: HostBoard, options: GuestHypervisorOptions): GuestHypervisor {
  return new GuestHypervisor(machine, options);
}
