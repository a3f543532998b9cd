// One guest machine: one to eight e500mc cores on a board that matches QEMU's
// ppce500 (-smp N) closely enough that the same ELF boots on both. This is the
// only file that knows where devices live. Memory map (physical): RAM at 0; CCSR at
// 0xF_E000_0000 (1 MB) with the I2C controller at +0x3000 (source 43, a
// DS1338 clock at address 0x68), the UART at +0x4500 (source 42), the local
// bus controller's registers at +0x5000 (unimplemented, as on QEMU), the PCI
// host controller at +0x8000 (an empty bus), the MPIC at +0x40000 (with its
// MSI registers at +0x41600), the global utilities at +0xE0000 and the GPIO
// block at +0xFF000 (source 47); the spin table at 0xF_EF00_0000.
// docs/board.md lists what differs from QEMU.
//
// Several cores run interleaved on the guest's one thread, deterministically:
// each in turn for a quantum of instructions (a round), after which every
// core's virtual time is brought to the furthest any reached, so the time
// bases stay together and a core that waited catches up. Secondary cores wait
// in the spin table until the boot core releases them (ePAPR).
//
// Entry state as QEMU gives a -kernel ELF (shared/reference/qemu-and-toolchain.md):
// PC = entry, r1 = 16 MB - 8, r3 = device tree, r6 = ePAPR magic, r7 = size
// of the initial mapping, MSR = 0, TLB1[0] maps the first 64 MB 1:1.

import { ALL_PERMISSIONS, CoreGroup, Cpu, CheckStop } from '../cpu/cpu';
import { MAX_CORES } from '../cpu/memory';
import { execute } from '../cpu/interp';
import type { TimerClock } from '../cpu/timers';
import { DEFAULT_CLOCK } from '../cpu/timers';
import { Bus } from '../devices/bus';
import { GlobalUtilities } from '../devices/guts';
import { Gpio } from '../devices/gpio';
import { I2cController } from '../devices/i2c';
import { Mpic, MpicLine } from '../devices/mpic';
import { PciHost } from '../devices/pci-host';
import { RtcDs1338 } from '../devices/rtc-ds1338';
import { SPIN_TABLE_BYTES, SpinTable } from '../devices/spin-table';
import { UnimplementedBlock } from '../devices/unimplemented-block';
import { type ConsoleSink, Uart16550 } from '../devices/uart16550';
import { parseElf, type ElfImage } from './elf';
import { PanicWatch } from './panic-watch';
import { buildDtb, type DeviceTreePart, empty, type FdtNode, node, type PropValue, str, strs, u32 } from '../devices/fdt';

export const CCSR_BASE = 0xFE0000000;
export const CCSR_SIZE = 0x100000;
export const I2C_OFFSET = 0x3000;
export const UART0_OFFSET = 0x4500;
export const LBC_OFFSET = 0x5000;
export const PCI_OFFSET = 0x8000;
export const MPIC_OFFSET = 0x40000;
export const MSI_OFFSET = 0x41600;
export const GUTS_OFFSET = 0xE0000;
export const GPIO_OFFSET = 0xFF000;
export const UART0_IRQ = 42;
export const I2C_IRQ = 43;
export const GPIO_IRQ = 47;
/** The PCI host controller's error interrupt, as QEMU's tree gives it. */
const PCI_IRQ = 24;
const RTC_I2C_ADDRESS = 0x68;
/** QEMU's PCI windows: memory at 0xC_0000_0000 (512 MB, bus address 0xE000_0000), I/O at 0xF_E100_0000 (64 KB). */
const PCI_MMIO_BASE = 0xC00000000;
const PCI_MMIO_BUS_BASE = 0xE0000000;
const PCI_PIO_BASE = 0xFE1000000;
/** QEMU's interrupt map covers PCI slots 1-31, pins INTA-INTD. */
const PCI_FIRST_SLOT = 1;
const PCI_SLOTS = 31;
/** QEMU's dynamic sysbus ("platform") region: nothing is plugged into it here. */
const PLATFORM_BASE = 0xF00000000;
const PLATFORM_SIZE = 0x8000000;
/** The core clock the tree announces: QEMU's fixed 400 MHz (the cost model's clock is separate). */
const ANNOUNCED_CORE_HZ = 400_000_000;
const PCI_CLOCK_HZ = 66_666_666;
const MSI_PHANDLE = 0x8004;
const GPIO_PHANDLE = 0x8005;
export const EPAPR_MAGIC = 0x45504150;
/** The MPIC's phandle in the board's device tree (devices elsewhere name it as their interrupt-parent). */
export const MPIC_PHANDLE = 0x8003;
/** Where QEMU's ppce500 puts the device tree: past the image plus 24 MB, on a 1 MB boundary. */
const DTB_PAD = 0x1800000;
/** The device tree's total size as QEMU makes it: 1 MB, mostly free space. */
const DTB_TOTAL_SIZE = 0x100000;
/** The spin table's physical address, where QEMU's ppce500 puts it (its device tree's cpu-release-addr): 32 bytes per core. */
export const SPIN_TABLE_BASE = 0xFEF000000;
/** What a released secondary core finds mapped: TLB1 entry 1 (QEMU's choice; the boot core's is entry 0) maps the 64 MB around its entry address to effective address 0. */
const SPIN_MAP_ENTRY = 1;
const SPIN_MAP_BYTES = 64 * 1024 * 1024;
const SPIN_MAP_TSIZE = 16;
/** MAS2[M]: memory coherence required (QEMU sets it on a released core's mapping). */
const MAS2_M = 0x04;
/** Instructions a core runs in its turn of a multiprocessor round. */
export const SMP_QUANTUM = 5_000;

/** How a guest stopped: it reset or powered off the board, the core checkstopped, the watchdog fired, or the kernel panicked. */
export type StopReason = 'reset' | 'poweroff' | 'checkstop' | 'watchdog' | 'panic';

export interface MachineOptions {
  ramMb?: number;
  /** Cores (vCPUs), 1 to 8 (QEMU's -smp): the boot core and the secondaries that wait in the spin table. */
  smp?: number;
  bootargs?: string;
  clock?: TimerClock;
  console: ConsoleSink;
}

const BOARD_SNAPSHOT_SKIP: ReadonlySet<string> = new Set(['image', 'dtb', 'options', 'bus', 'cpu', 'cpus', 'group', 'uart', 'mpic', 'pci', 'i2c', 'rtc', 'spin', 'gpio', 'guts']);

/** Why run() returned. */
export type RunOutcome =
  | { kind: 'budget' }
  /** Stopped for a debugger: in front of an armed breakpoint or a watched SPR access (cpu.breakHit), or after a watched exit (cpu.stopRequested). */
  | { kind: 'breakpoint' }
  | { kind: 'stopped'; reason: StopReason; message?: string }
  | { kind: 'waiting'; nextEvent: number };

export class Machine {
  readonly bus: Bus;
  /** The boot core (vCPU 0). */
  readonly cpu: Cpu;
  /** Every core, by number (vCPU k = cpus[k]; its PIR is k). */
  readonly cpus: Cpu[];
  /** Per core: still spinning in the spin table (not started by the boot core yet). */
  readonly held: boolean[];
  /** The multiprocessor round in progress: whose turn it is, what is left of the turn, what the round has run so far. */
  private turnCore = 0;
  private turnLeft = SMP_QUANTUM;
  private ranInRound = 0;
  private readonly spin: SpinTable;
  readonly uart: Uart16550;
  readonly mpic: Mpic;
  readonly pci = new PciHost();
  readonly i2c: I2cController;
  readonly rtc: RtcDs1338;
  private readonly gpio: Gpio;
  private readonly guts: GlobalUtilities;
  readonly ramSize: number;
  stop: { reason: StopReason; message?: string } | null = null;
  /** Called at the end of every boot (load and reset), after the entry state is set: the hypervisor's hook. */
  readonly onBoot: (() => void)[] = [];
  /**
   * Called before each stretch of execution (at least every slice): where
   * something outside the board (the hypervisor's byte channels) updates the
   * interrupt lines it drives, so input that arrived meanwhile is seen.
   */
  readonly onPoll: (() => void)[] = [];
  /**
   * Parts attached to the board that add nodes to the guest's device tree (the
   * hypervisor): asked at every boot, after the board's own nodes.
   */
  readonly treeParts: DeviceTreePart[] = [];
  /** Called when the core passes to vCPU k in a multiprocessor round (the hypervisor charges exits to it). */
  readonly onTurn: ((k: number) => void)[] = [];
  /** Called when the guest released secondary vCPU k from the spin table (after its registers and TLB are set). */
  readonly onRelease: ((k: number) => void)[] = [];
  /** A Linux panic line on the console stops the machine (reason 'panic', the line as message). */
  private readonly panicWatch = new PanicWatch((line) => this.halt('panic', line));
  /** The time base's frequency: what the device tree announces, and what the clock chip counts. */
  private readonly timebaseHz: number;
  private image: ElfImage | null = null;
  private dtb: Uint8Array | null = null;
  private dtbAddr = 0;

  constructor(readonly options: MachineOptions) {
    const ramMb = options.ramMb ?? 128;
    if (!Number.isInteger(ramMb) || ramMb < 64 || ramMb % 64 !== 0 || ramMb > 2048) {
      throw new Error(`RAM must be a multiple of 64 MB between 64 and 2048 (got ${ramMb}), as on ppce500`);
    }
    if (options.bootargs?.includes('\0')) throw new Error('bootargs must not contain NUL characters (the guest would see them cut short)');
    const smp = options.smp ?? 1;
    if (!Number.isInteger(smp) || smp < 1 || smp > MAX_CORES) throw new Error(`a guest has 1 to ${MAX_CORES} vCPUs (got ${smp}), as ppce500 with -smp`);
    this.ramSize = ramMb * 1024 * 1024;
    this.timebaseHz = Math.round((options.clock ?? DEFAULT_CLOCK).timebaseMHz * 1e6);
    this.bus = new Bus(this.ramSize, smp);
    const group = smp > 1 ? new CoreGroup(this.ramSize) : null;
    this.cpus = Array.from({ length: smp }, () => new Cpu(this.bus, options.clock ?? DEFAULT_CLOCK, group));
    this.cpu = this.cpus[0]!;
    this.held = this.cpus.map((_, k) => k > 0);
    // Devices reach the cores, the MPIC and the console through objects, never closures made here: V8 inlined
    // those as constants and threw the callers' code away when the board was collected (devices/irq-line.ts).
    this.mpic = new Mpic(this.cpus);
    for (const cpu of this.cpus) cpu.externalProxy = this.mpic;
    this.spin = new SpinTable(smp, (core, addr, r3) => this.release(core, addr, r3));
    this.uart = new Uart16550('uart0', new WatchedConsole(options.console, this.panicWatch), new MpicLine(this.mpic, UART0_IRQ));
    this.guts = new GlobalUtilities(() => this.halt('reset'));
    this.gpio = new Gpio(() => this.halt('poweroff'));
    const rtc = new RtcDs1338(() => this.cpu.timers.ticks / this.timebaseHz);
    this.rtc = rtc;
    this.i2c = new I2cController(new Map([[RTC_I2C_ADDRESS, rtc]]), new MpicLine(this.mpic, I2C_IRQ));
    this.bus.map(CCSR_BASE + I2C_OFFSET, 0x100, this.i2c);
    this.bus.map(CCSR_BASE + UART0_OFFSET, 0x100, this.uart);
    this.bus.map(CCSR_BASE + LBC_OFFSET, 0x1000, new UnimplementedBlock('lbc'));
    this.bus.map(CCSR_BASE + PCI_OFFSET, 0x1000, this.pci);
    this.bus.map(CCSR_BASE + MPIC_OFFSET, 0x40000, this.mpic);
    this.bus.map(CCSR_BASE + GUTS_OFFSET, 0x1000, this.guts);
    this.bus.map(CCSR_BASE + GPIO_OFFSET, 0x1000, this.gpio);
    this.bus.map(SPIN_TABLE_BASE, SPIN_TABLE_BYTES, this.spin);
  }

  /** Instructions retired by all cores since the last boot. */
  get insns(): number {
    let n = 0;
    for (const cpu of this.cpus) n += cpu.insns;
    return n;
  }

  /** The RAM byte ranges a boot writes (the image's segments and the device tree): all of RAM a fresh board has touched. */
  loadedRanges(): [number, number][] {
    const ranges: [number, number][] = (this.image?.segments ?? []).map((seg) => [seg.paddr, seg.paddr + seg.memsz]);
    if (this.dtb !== null) ranges.push([this.dtbAddr, this.dtbAddr + this.dtb.length]);
    return ranges;
  }

  /** The board's stateful parts for a snapshot (snapshot.ts): each vCPU's, the board's own, every device's. */
  stateParts(): Record<string, object> {
    const parts: Record<string, object> = {};
    this.cpus.forEach((cpu, k) => {
      parts[`vcpu${k}.cpu`] = cpu;
      parts[`vcpu${k}.fpu`] = cpu.fpu;
      parts[`vcpu${k}.tlb`] = cpu.tlb;
      parts[`vcpu${k}.timers`] = cpu.timers;
    });
    Object.assign(parts, { board: this, 'panic-watch': this.panicWatch, 'dev.rtc': this.rtc });
    for (const dev of this.bus.devices()) parts[`dev.${dev.name}`] = dev;
    return parts;
  }

  /** What a snapshot of the board object leaves out: its image and tree (rebuilt from the ELF) and its parts. */
  get snapshotSkip(): ReadonlySet<string> {
    return BOARD_SNAPSHOT_SKIP;
  }

  /** Drives one of the interrupt controller's source lines (for parts outside the board, such as byte channels). */
  setIrqLine(source: number, level: boolean): void {
    this.mpic.setLine(source, level);
  }

  halt(reason: StopReason, message?: string): void {
    if (this.stop === null) this.stop = message === undefined ? { reason } : { reason, message };
  }

  /** Parses and loads an ELF image (throws ElfError with a clear message) and sets the entry state. */
  load(elf: Uint8Array): void {
    this.image = parseElf(elf, this.ramSize);
    this.boot();
  }

  /** The device tree this machine gives its guest: QEMU 7.2's for ppce500, node for node. */
  deviceTree(): FdtNode {
    const o = this.options;
    const soc = 'soc@fe0000000';
    const serial = `/${soc}/serial@4500`;
    const i2c = `/${soc}/i2c@3000`;
    const image = this.image;
    const hi = (a: number) => Math.floor(a / 2 ** 32);
    const lo = (a: number) => a % 2 ** 32;
    return node('', [
      ['compatible', str('fsl,qemu-e500')],
      ['model', str('QEMU ppce500')],
      ['#size-cells', u32(2)],
      ['#address-cells', u32(2)],
    ], [
      node(`platform@${PLATFORM_BASE.toString(16)}`, [
        ['interrupt-parent', u32(MPIC_PHANDLE)],
        ['ranges', u32(0, hi(PLATFORM_BASE), lo(PLATFORM_BASE), PLATFORM_SIZE)],
        ['#address-cells', u32(1)], ['#size-cells', u32(1)],
        ['compatible', strs('qemu,platform', 'simple-bus')],
      ]),
      node(`pci@${(CCSR_BASE + PCI_OFFSET).toString(16)}`, [
        ['#address-cells', u32(3)], ['#size-cells', u32(2)], ['#interrupt-cells', u32(1)],
        ['clock-frequency', u32(PCI_CLOCK_HZ)],
        ['reg', u32(hi(CCSR_BASE), lo(CCSR_BASE) + PCI_OFFSET, 0, 0x1000)],
        ['ranges', u32(
          0x2000000, 0, PCI_MMIO_BUS_BASE, hi(PCI_MMIO_BASE), lo(PCI_MMIO_BASE), 0, 0x20000000,
          0x1000000, 0, 0, hi(PCI_PIO_BASE), lo(PCI_PIO_BASE), 0, 0x10000,
        )],
        ['fsl,msi', u32(MSI_PHANDLE)],
        ['bus-range', u32(0, 255)],
        ['interrupts', u32(PCI_IRQ, 2)],
        ['interrupt-parent', u32(MPIC_PHANDLE)],
        ['interrupt-map', u32(...pciInterruptMap())],
        ['interrupt-map-mask', u32(0xF800, 0, 0, 7)],
        ['device_type', str('pci')],
        ['compatible', str('fsl,mpc8540-pci')],
        ['cell-index', u32(0)],
      ]),
      node(soc, [
        ['bus-frequency', u32(0)],
        ['ranges', u32(0, hi(CCSR_BASE), lo(CCSR_BASE), CCSR_SIZE)],
        ['#size-cells', u32(1)],
        ['#address-cells', u32(1)],
        ['compatible', strs('fsl,mpc8544-immr', 'simple-bus')],
        ['device_type', str('soc')],
      ], [
        node('power-off', [['gpios', u32(GPIO_PHANDLE, 0, 0)], ['compatible', str('gpio-poweroff')]]),
        node('gpio@ff000', [
          ['linux,phandle', u32(GPIO_PHANDLE)], ['phandle', u32(GPIO_PHANDLE)], ['gpio-controller', empty], ['#gpio-cells', u32(2)],
          ['interrupt-parent', u32(MPIC_PHANDLE)], ['interrupts', u32(GPIO_IRQ, 2)],
          ['reg', u32(GPIO_OFFSET, 0x1000)], ['compatible', str('fsl,qoriq-gpio')],
        ]),
        node('msi@41600', [
          ['linux,phandle', u32(MSI_PHANDLE)], ['phandle', u32(MSI_PHANDLE)],
          ['interrupts', u32(...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((n) => [0xE0 + n, 0]))],
          ['interrupt-parent', u32(MPIC_PHANDLE)],
          ['msi-available-ranges', u32(0, 0x100)],
          ['reg', u32(MSI_OFFSET, 0x200)],
          ['compatible', str('fsl,mpic-msi')],
        ]),
        node('global-utilities@e0000', [
          ['fsl,has-rstcr', empty], ['reg', u32(GUTS_OFFSET, 0x1000)], ['compatible', str('fsl,mpc8544-guts')],
        ]),
        node('i2c@3000', [
          ['interrupt-parent', u32(MPIC_PHANDLE)], ['interrupts', u32(I2C_IRQ, 2)], ['cell-index', u32(0)],
          ['reg', u32(I2C_OFFSET, 0x14)], ['compatible', str('fsl-i2c')], ['device_type', str('i2c')],
        ], [
          node(`rtc@${RTC_I2C_ADDRESS.toString(16)}`, [['reg', u32(RTC_I2C_ADDRESS)], ['compatible', str('pericom,pt7c4338')]]),
        ]),
        node('serial@4500', [
          ['interrupt-parent', u32(MPIC_PHANDLE)], ['interrupts', u32(UART0_IRQ, 2)],
          ['clock-frequency', u32(400000000)], ['cell-index', u32(0)], ['reg', u32(UART0_OFFSET, 0x100)],
          ['compatible', str('ns16550')], ['device_type', str('serial')],
        ]),
        node('pic@40000', [
          ['interrupt-controller', empty], ['linux,phandle', u32(MPIC_PHANDLE)], ['phandle', u32(MPIC_PHANDLE)], ['#interrupt-cells', u32(2)],
          ['#address-cells', u32(0)], ['reg', u32(MPIC_OFFSET, 0x40000)], ['compatible', str('fsl,mpic')],
          ['device_type', str('open-pic')],
        ]),
      ]),
      node('aliases', [
        ['pci0', str(`/pci@${(CCSR_BASE + PCI_OFFSET).toString(16)}`)],
        // QEMU writes this alias as a relative path; a guest sees exactly that.
        ['rtc', str(`i2c/rtc@${RTC_I2C_ADDRESS.toString(16)}`)],
        ['i2c', str(i2c)],
        ['serial0', str(serial)],
      ]),
      node('cpus', [['#size-cells', u32(0)], ['#address-cells', u32(1)]], this.cpus.map((_, k) => node(`PowerPC,8544@${k.toString(16)}`, [
        // Secondary cores: disabled until the boot core releases them through their spin-table entry.
        ...(k === 0 ? [['status', str('okay')] as [string, PropValue]] : [
          ['cpu-release-addr', u32(hi(SPIN_TABLE_BASE + k * 32), lo(SPIN_TABLE_BASE + k * 32))] as [string, PropValue],
          ['enable-method', str('spin-table')] as [string, PropValue],
          ['status', str('disabled')] as [string, PropValue],
        ]),
        ['bus-frequency', u32(0)],
        ['i-cache-size', u32(0x8000)], ['d-cache-size', u32(0x8000)],
        ['i-cache-line-size', u32(64)], ['d-cache-line-size', u32(64)],
        ['reg', u32(k)], ['device_type', str('cpu')],
        ['timebase-frequency', u32(this.timebaseHz)], ['clock-frequency', u32(ANNOUNCED_CORE_HZ)],
      ]))),
      node('chosen', [
        ['stdout-path', str(serial)],
        ['linux,stdout-path', str(serial)],
        ['rng-seed', u32(...RNG_SEED)],
        ['bootargs', str(o.bootargs ?? '')],
        // Where the loaded image lies (lowest physical address, total memory
        // size of its segments), as QEMU tells firmware about its -kernel payload.
        ...(image === null ? [] : [['qemu,boot-kernel', u32(0, image.low, 0, loadedSize(image))] as [string, PropValue]]),
      ]),
      node('memory', [['reg', u32(0, 0, 0, this.ramSize)], ['device_type', str('memory')]]),
      ...this.treeParts.flatMap((p) => p.deviceTreeNodes({ interruptParent: MPIC_PHANDLE })),
    ]);
  }

  /** Resets the core and devices and enters the loaded image again (the reset button). */
  boot(): void {
    const image = this.image;
    if (image === null) throw new Error('no image loaded');
    const cpu = this.cpu;
    for (const core of this.cpus) core.reset();
    this.held.fill(true);
    this.held[0] = false;
    this.turnCore = 0;
    this.turnLeft = SMP_QUANTUM;
    this.ranInRound = 0;
    this.spin.reset();
    this.uart.reset();
    this.mpic.reset();
    this.pci.reset();
    this.i2c.reset();
    // The power-off line and the reset request are low again: a guest that powered the board off boots
    // again without its GPIO driver's first write powering it off at once.
    this.gpio.reset();
    this.guts.reset();
    this.stop = null;
    this.panicWatch.reset();
    // RAM keeps its contents across a reset, as on QEMU; the image is loaded again.
    for (const s of image.segments) {
      this.bus.writeBytes(s.paddr, s.data);
      this.bus.zeroBytes(s.paddr + s.data.length, s.memsz - s.data.length);
    }
    this.dtb = buildDtb(this.deviceTree(), 0, DTB_TOTAL_SIZE);
    this.dtbAddr = Math.floor((image.high + DTB_PAD) / 0x100000) * 0x100000;
    if (this.dtbAddr + this.dtb.length > this.ramSize) throw new Error('the image leaves no room for the device tree in RAM');
    this.bus.writeBytes(this.dtbAddr, this.dtb);

    // The initial mapping: the smallest power-of-4 size covering the device tree (at least 64 MB... as QEMU).
    let tsize = 16; // 64 MB
    while (tsizeBytes(tsize) < this.dtbAddr + this.dtb.length) tsize += 2;
    writeBootMapping(cpu, 0, tsize, 0, 0);

    cpu.gpr[1] = 16 * 1024 * 1024 - 8;
    cpu.gpr[3] = this.dtbAddr;
    cpu.gpr[6] = EPAPR_MAGIC;
    cpu.gpr[7] = tsizeBytes(tsize) >= 2 ** 31 ? -1 : tsizeBytes(tsize);
    cpu.pc = image.entry | 0;
    for (const f of this.onBoot) f();
  }

  get deviceTreeAddress(): number {
    return this.dtbAddr;
  }

  /**
   * A secondary core leaves the spin table (the boot core wrote its entry's
   * address): as QEMU starts it, with TLB1 entry 1 mapping the 64 MB around
   * the address at effective address 0, pc at the address's offset in it,
   * r3 from the entry, r7 the mapping's size, r4-r6, r8 and r9 zero. A core
   * already running is started again the same way.
   */
  private release(core: number, addr: number, r3: number): void {
    const cpu = this.cpus[core]!;
    const mapStart = addr - (addr % SPIN_MAP_BYTES);
    this.spin.setPir(core, cpu.pir);
    writeBootMapping(cpu, SPIN_MAP_ENTRY, SPIN_MAP_TSIZE, mapStart, MAS2_M);
    cpu.pc = (addr % SPIN_MAP_BYTES) | 0;
    cpu.gpr[3] = r3 % 2 ** 32 | 0;
    cpu.gpr[4] = cpu.gpr[5] = cpu.gpr[6] = cpu.gpr[8] = cpu.gpr[9] = 0;
    cpu.gpr[7] = SPIN_MAP_BYTES;
    cpu.waiting = false;
    this.held[core] = false;
    for (const f of this.onRelease) f(core);
  }

  /**
   * Runs up to maxInsns instructions. Returns early when the machine stops,
   * or when the core waits for an interrupt (`wait`) with nothing due before
   * its next timer event: the caller then decides to skip to that time
   * (deterministic runs) or to sleep until then or until input arrives.
   */
  run(maxInsns: number, sliceInsns = 200_000): RunOutcome {
    if (this.cpus.length > 1) return this.runRounds(maxInsns);
    const cpu = this.cpu;
    const timers = cpu.timers;
    let left = maxInsns;
    while (left > 0) {
      if (this.stop !== null) return { kind: 'stopped', ...this.stop };
      this.uart.drain();
      for (const f of this.onPoll) f();
      // Anything that asked for attention is looked at now.
      cpu.irqPoll = 0;
      if (cpu.interruptPending()) cpu.checkInterrupts();
      if (cpu.waiting) return { kind: 'waiting', nextEvent: timers.nextEvent() };
      left -= this.executeOn(cpu, untilTimerEvent(cpu, Math.min(left, sliceInsns, 0x3FFFFFFF)));
      const stopped = this.stopOutcome();
      if (stopped !== null) return stopped;
      if (cpu.breakHit || cpu.stopRequested) return { kind: 'breakpoint' };
    }
    if (this.stop !== null) return { kind: 'stopped', ...this.stop };
    return { kind: 'budget' };
  }

  /** Runs `chunk` instructions on one core (fewer if it stops or faults) and accounts for them; returns how many ran. */
  private executeOn(cpu: Cpu, chunk: number): number {
    let ran: number;
    try {
      ran = execute(cpu, chunk);
    } catch (e) {
      ran = cpu.sliceStart - cpu.sliceLeft;
      this.account(cpu, ran);
      const message = e instanceof CheckStop ? e.message : `emulator fault: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
      const where = this.cpus.length > 1 ? `vCPU ${cpu.index}, ` : '';
      this.halt('checkstop', `${message} (${where}pc 0x${(cpu.pc >>> 0).toString(16)})`);
      return ran;
    }
    this.account(cpu, ran);
    this.checkWatchdog(cpu);
    return ran;
  }

  /** A core's watchdog asked for a reset: the machine stops. */
  private checkWatchdog(cpu: Cpu): void {
    if (cpu.timers.resetRequest) this.halt('watchdog', `watchdog reset (${this.cpus.length > 1 ? `vCPU ${cpu.index}, ` : ''}TCR[WRC]=${cpu.timers.resetRequest})`);
  }

  /**
   * The multiprocessor run loop: rounds in which each started core in turn
   * runs up to SMP_QUANTUM instructions (less when it waits; where its timer
   * is due it takes the interrupt and goes on), after which every core's
   * clock is brought to the furthest. The budget counts all cores'
   * instructions; a budget that runs out in the middle of a turn leaves the
   * turn to be finished by the next call, so the interleaving does not depend
   * on how the caller slices a run (a snapshot keeps it too).
   */
  private runRounds(maxInsns: number): RunOutcome {
    let left = maxInsns;
    while (left > 0) {
      const stopped = this.stopOutcome();
      if (stopped !== null) return stopped;
      this.uart.drain();
      for (const f of this.onPoll) f();
      const k = this.turnCore;
      const cpu = this.cpus[k]!;
      let turnOver = this.held[k]!;
      this.mpic.current = k;
      if (!turnOver) for (const f of this.onTurn) f(k);
      while (!turnOver && left > 0) {
        cpu.irqPoll = 0;
        if (cpu.interruptPending()) {
          cpu.waiting = false;
          cpu.checkInterrupts();
        }
        if (cpu.waiting) break;
        const ran = this.executeOn(cpu, untilTimerEvent(cpu, Math.min(left, this.turnLeft)));
        this.turnLeft -= ran;
        this.ranInRound += ran;
        left -= ran;
        const stop = this.stopOutcome();
        if (stop !== null) return stop;
        if (cpu.breakHit || cpu.stopRequested) return { kind: 'breakpoint' };
        turnOver = this.turnLeft <= 0 || ran === 0;
      }
      if (!turnOver && !cpu.waiting) break; // the budget ran out in the middle of this turn
      // The turn is over: the next core's, or a new round.
      this.turnLeft = SMP_QUANTUM;
      if (++this.turnCore < this.cpus.length) continue;
      this.turnCore = 0;
      this.alignClocks();
      const ran = this.ranInRound;
      this.ranInRound = 0;
      if (ran === 0) {
        // Every started core waits: the caller lets time pass to the first timer event.
        let next = Infinity;
        this.cpus.forEach((c, i) => { if (!this.held[i]) next = Math.min(next, c.timers.nextEvent()); });
        return { kind: 'waiting', nextEvent: next };
      }
    }
    return this.stopOutcome() ?? { kind: 'budget' };
  }

  /** The outcome of a run the machine's stop ended, or null while it runs. */
  private stopOutcome(): RunOutcome | null {
    const stop = this.stop;
    return stop === null ? null : { kind: 'stopped', ...stop };
  }

  /** Brings every core's virtual time to the furthest any core has reached (the shared time base), waking cores whose timers fired. */
  private alignClocks(): void {
    let now = 0;
    for (const cpu of this.cpus) now = Math.max(now, cpu.timers.ticks);
    this.skipAllTo(now);
  }

  private skipAllTo(ticks: number): void {
    for (const cpu of this.cpus) {
      cpu.timers.skipTo(ticks);
      if (cpu.timers.update()) cpu.irqPoll = 1;
      if (cpu.waiting && cpu.interruptPending()) cpu.waiting = false;
      this.checkWatchdog(cpu);
    }
  }

  private account(cpu: Cpu, ran: number): void {
    cpu.insns += ran;
    cpu.timers.retire(ran);
    if (cpu.timers.update()) cpu.irqPoll = 1;
  }

  /** Lets virtual time pass while the cores wait, up to `ticks` (the first timer event). */
  idleUntil(ticks: number): void {
    this.skipAllTo(ticks);
  }

  /** Input typed on the console wakes a waiting core (through the UART's interrupt). */
  typeInput(bytes: Uint8Array): void {
    this.uart.pushInput(bytes);
    for (const cpu of this.cpus) if (cpu.interruptPending()) cpu.waiting = false;
  }
}

/** The board's console: what the UART transmits goes to the user's sink and past the panic watch. */
class WatchedConsole implements ConsoleSink {
  constructor(private readonly sink: ConsoleSink, private readonly watch: PanicWatch) {}

  write(bytes: Uint8Array): void {
    this.sink.write(bytes);
    this.watch.feed(bytes);
  }

  ready(): boolean {
    return this.sink.ready();
  }
}

/** Up to `limit` instructions, fewer when the core's next timer event comes first (at least one). */
function untilTimerEvent(cpu: Cpu, limit: number): number {
  const untilEvent = cpu.timers.insnsUntil(cpu.timers.nextEvent());
  return untilEvent < limit ? Math.max(1, untilEvent) : limit;
}

/** Writes TLB1 entry `esel` as the board's firmware leaves it: effective 0 onto physical `pa`, `tsize`, all permissions, no IPROT (as QEMU). */
function writeBootMapping(cpu: Cpu, esel: number, tsize: number, pa: number, wimge: number): void {
  cpu.writeTlb1(esel, 0, pa, tsize, ALL_PERMISSIONS, false, wimge);
  cpu.spr[624] = cpu.spr[625] = cpu.spr[626] = cpu.spr[627] = cpu.spr[944] = 0; // MAS0-3, MAS7
}

/**
 * The 32 bytes the lab passes as /chosen/rng-seed. QEMU passes fresh random
 * bytes each boot; the lab passes the same bytes every time, so a kernel that
 * trusts its bootloader's seed starts its random-number generator at once (as
 * on QEMU) and runs stay reproducible. Not a secret: guests are experiments.
 */
const RNG_SEED: readonly number[] = (() => {
  let x = 0x9E3779B9;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32
    words.push(x >>> 0);
  }
  return words;
})();

/** QEMU's interrupt-map for its PCI slots: slot s, pin p (INTA=1) goes to MPIC source ((s + p - 1) mod 4) + 1, level. */
function pciInterruptMap(): number[] {
  const map: number[] = [];
  for (let slot = PCI_FIRST_SLOT; slot < PCI_FIRST_SLOT + PCI_SLOTS; slot++) {
    for (let pin = 0; pin < 4; pin++) map.push(slot << 11, 0, 0, pin + 1, MPIC_PHANDLE, ((slot + pin) % 4) + 1, 1);
  }
  return map;
}

/** The bytes an image occupies in memory: the sum of its segments' sizes (QEMU's ELF loader's total). */
function loadedSize(image: ElfImage): number {
  return image.segments.reduce((n, s) => n + s.memsz, 0);
}

function tsizeBytes(tsize: number): number {
  return 1024 * 2 ** tsize;
}
