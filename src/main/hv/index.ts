// The hypervisor for one guest, on that guest's worker thread. This module is
// the entry point the runtime uses: the device-tree nodes a guest gets
// (ePAPR hypervisor node and byte channels), attaching the exit handlers to a
// Machine, applying configuration changes between slices, and folding the
// guest's counters into its statistics block.

import type { ExitTraceEntry } from '../../shared/api';
import type { CostModel } from '../../shared/cost';
import { disassemble } from '../cpu/isa';
import { MSR } from '../cpu/regs';
import { Accountant } from './account';
import { ExitHandler } from './exit';
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
const GPIR_SPR = 382;

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
export class GuestHypervisor implements DeviceTreePart {
  private hw: HwConfig;
  private cost: CostModel;
  readonly accountant: Accountant;
  readonly guestTlb: GuestTlb | null;
  private readonly exits: ExitHandler | null;
  /** Host TLBs the guest's shadows can live in: a core of its own, or the session's shared one (when there is one). */
  private readonly privateHost = new PrivateHostTlb();
  private sharedHost: SharedHostTlb | null = null;
  /** The channels that have interrupt lines, with their MPIC sources (fixed for this machine's life). */
  private readonly channelLines: { channel: ByteChannel; rx: number; tx: number }[] = [];

  constructor(readonly machine: HostBoard, readonly options: GuestHypervisorOptions) {
    this.hw = options.hw;
    this.cost = options.cost;
    const cpu = machine.cpu;
    if (options.model !== 'native' && machine.cpus.length > 1) {
      throw new Error(`a guest with ${machine.cpus.length} vCPUs runs natively for now: the ${options.model} model takes one vCPU`);
    }
    machine.treeParts.push(this);
    this.accountant = new Accountant(cpu, options.stats, options.cost);
    if (options.model === 'native') {
      this.guestTlb = null;
      this.exits = null;
    } else {
      if (!(options.lpid >= 1 && options.lpid <= 63)) throw new Error(`LPID must be 1..63 (got ${options.lpid})`);
      this.guestTlb = new GuestTlb(cpu, options.lpid);
      options.byteChannels.forEach((channel, i) => {
        const irqs = byteChannelIrqs(i);
        if (irqs) this.channelLines.push({ channel, ...irqs });
      });
      const lines = () => this.updateChannelLines();
      const deprivileged = options.model === 'trap-and-emulate';
      this.exits = new ExitHandler(this.accountant, this.guestTlb, new Map(options.byteChannels.map((c) => [c.handle, c])), lines, deprivileged, cpu);
      machine.onBoot.push(() => this.enterGuest());
      machine.onPoll.push(lines);
      const gtlb = this.guestTlb;
      machine.onPoll.push(() => {
        const before = gtlb.evictedByOthers;
        gtlb.syncHost();
        if (gtlb.evictedByOthers !== before) this.accountant.bump('host_tlb_evictions', gtlb.evictedByOthers - before);
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
    if (this.options.model === 'trap-and-emulate') {
      this.enterGuestWithoutHardware();
      return;
    }
    const cpu = this.machine.cpu;
    cpu.lpid = this.options.lpid;
    cpu.pir = 0;
    cpu.spr[GPIR_SPR] = 0; // the vCPU's number, what the guest reads as PIR
    // As KVM programs it on e500mc: the guest may not change MSR[UCLE] or MSR[PMM].
    cpu.spr[MSRP_SPR] = MSR.UCLE | MSR.PMM;
    this.guestTlb!.adoptBootEntries();
    cpu.hooks = this.exits;
    cpu.setMsr(cpu.msr | MSR.GS);
    cpu.flushSoftTlb();
    this.configure(this.hw, this.cost);
  }

  /**
   * At every boot under trap-and-emulate: the guest's MSR becomes the
   * hypervisor's to keep and the core runs it in user mode, with no partition
   * (a core without the hypervisor category has no LPID); its TLB is in
   * software and its PID becomes a shadow address space.
   */
  private enterGuestWithoutHardware(): void {
    const cpu = this.machine.cpu;
    const gtlb = this.guestTlb!;
    cpu.lpid = 0;
    cpu.pir = 0;
    gtlb.adoptBootEntries();
    cpu.hooks = this.exits;
    cpu.deprivileged = true;
    this.exits!.pv!.map(0, 0);
    cpu.onGuestMsr = () => gtlb.switchContext();
    cpu.setGuestMsr(cpu.msr);
    gtlb.enterUserMode();
    cpu.flushSoftTlb();
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
    this.machine.cpu.timers.setClock({ cpi: cost.cpi, coreMHz: cost.coreMHz, timebaseMHz: cost.timebaseMHz });
    if (this.exits) this.exits.configure(this.machine.cpu, resolved, hw.policy);
    if (this.guestTlb) this.guestTlb.setHost(hw.policy.hostTlb === 'shared' && this.sharedHost ? this.sharedHost : this.privateHost);
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
    if (this.exits !== null && this.guestTlb !== null) {
      parts['hv.exits'] = this.exits;
      parts['hv.pending'] = this.exits.pending;
      parts['hv.guest-tlb'] = this.guestTlb;
      parts['hv.guest-tlb.entries'] = this.guestTlb.tlb;
      // The replacement state of the core's own TLB (a TLB shared with other guests is theirs too: not saved).
      parts['hv.host-tlb'] = this.privateHost;
      if (this.exits.pv !== null) parts['hv.pv-page'] = this.exits.pv;
    }
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
    this.exits?.tick(cpu);
    s[H.insns] = this.machine.insns;
    // Cycles are time on the boot vCPU's clock (all vCPUs' clocks are kept together).
    s[H.cycles] = cpu.timers.centicycles / 100;
    s[H.seq] = s[H.seq]! + 1;
  }

  /** The most recent exits, oldest first, disassembled (for the trace view). */
  recentExits(): ExitTraceEntry[] {
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

export function attachHypervisor(machine: HostBoard, options: GuestHypervisorOptions): GuestHypervisor {
  return new GuestHypervisor(machine, options);
}
