// The subset of the Freescale MPIC (an OpenPIC) that the lab's guests and
// Linux use on ppce500, for one to eight cores: per-source vector/priority and
// destination registers, each core's task priority, interrupt acknowledge,
// end-of-interrupt and inter-processor interrupt dispatch, the global
// configuration, feature and vendor registers, the spurious vector, the shared
// message-signalled interrupt registers (MSIR/MSISR/MSIIR at 0x1600, sources
// 224-231) and (stored, not counting) the global timers. Level sources stay
// pending while their line is high; an IPI is latched for each core it was
// sent to until that core acknowledges it.
//
// Delivery is QEMU's directed mode: a source is offered to every core its
// destination register names, each with its own priority and in-service
// state; the first to acknowledge a level source has it in service, and the
// others still see it while the line stays high.
//
// Layout (offsets from the MPIC base, CCSR+0x40000): global registers at
// 0x1000, source n at 0x10000 + 0x20*n (VPR) and +0x10 (destination), core k's
// private registers at 0x20000 + 0x1000*k (IPI dispatch 0x40-0x70, CTPR 0x80,
// WHOAMI 0x90, IACK 0xA0, EOI 0xB0); 0x40-0xB0 of the global block reach the
// private registers of the core making the access (`current`).

import { type MmioDevice, registerSlice } from './bus';
import type { IrqLine } from './irq-line';

/** A core's external interrupt input, which the MPIC's INT output for that core drives (Cpu has it). */
export interface InterruptInput {
  setExternalInput(level: boolean): void;
}

export const MPIC_SOURCES = 256;
/** The four inter-processor interrupts are sources 256-259 here (their VPRs live at 0x10A0). */
const IPI_BASE = MPIC_SOURCES;
const ALL_SOURCES = MPIC_SOURCES + 4;

/** The shared message-signalled interrupt registers drive sources 224-231 (QEMU's FSL MPIC). */
const MSI_FIRST_SOURCE = 224;
const MSI_REGISTERS = 8;
const MSIR_BASE = 0x1600; // MSIR0-7, 0x10 apart: read returns and clears
const MSISR = 0x1720; // summary: bit n set while MSIR n is not zero
const MSIIR = 0x1740; // index register: writing sets bit IBS of MSIR SRS

const VPR_MSK = 0x80000000 | 0;
const VPR_ACTIVITY = 0x40000000;
const VPR_PRIORITY = 0x000F0000;
const VPR_VECTOR = 0x0000FFFF;

const GCR_RESET = 0x80000000 | 0;
const MPIC_BRR1 = 0x00400402;
/** Feature reporting: 196 sources (as QEMU's MPIC 4.2 reports them), version 2; the core count goes in bits 8-12. */
const MPIC_FRR = 0x00C30002;
const FRR_CORES_SHIFT = 8;
/** The per-core register blocks: 0x1000 apart from 0x20000, each 0x100 long (QEMU decodes 32 of them). */
const CPU_BLOCK = 0x20000;
const CPU_BLOCK_END = CPU_BLOCK + 31 * 0x1000 + 0x100;
/** What a register that is not there reads as, inside the MPIC's register blocks. */
const NONE = 0xFFFFFFFF | 0;
/** Global timer reset values: base count with count-inhibit set, masked vector, destination core 0. */
const TIMER_TBCR_CI = 0x80000000 | 0;
const TIMER_TDR_CORE0 = 1;
/** GCR0[MODE] = 0b11: mixed mode with external proxy (Freescale "CoreInt", Linux's MPIC_GREG_GCONF_COREINT). */
const GCR_EXTERNAL_PROXY = 0x60000000;

/** What a snapshot of the MPIC leaves out: update()'s scratch array. */
const MPIC_SNAPSHOT_SKIP: ReadonlySet<string> = new Set(['busy', 'inputs']);

export class Mpic implements MmioDevice {
  readonly name = 'mpic';
  private readonly vpr = new Int32Array(ALL_SOURCES);
  private readonly dest = new Int32Array(ALL_SOURCES);
  /** Line level (device sources); for IPIs, the cores (a bit each) that have yet to acknowledge it. */
  private readonly pending = new Uint8Array(ALL_SOURCES);
  private readonly line = new Uint8Array(ALL_SOURCES);
  /** Per core: in-service sources, highest priority last. */
  private readonly inService: number[][];
  /** Per core: current task priority. */
  private readonly ctpr: Int32Array;
  private gcr = 0;
  private spurious = 0xFFFF;
  private tfrr = 0;
  private readonly timers = new Int32Array(4 * 4);
  private readonly msir = new Int32Array(MSI_REGISTERS);
  /** Per core: the level of its INT output. */
  private readonly output: Uint8Array;
  /** The core whose access is being served (the board sets it before running a core). */
  current = 0;
  /** Scratch for update(): the sources in service on some core. */
  private readonly busy = new Uint8Array(ALL_SOURCES);

  /** Cores served: one per input. */
  readonly cores: number;

  /** `inputs`: each core's external interrupt input, in core order (irq-line.ts: objects, not closures). */
  constructor(private readonly inputs: readonly InterruptInput[]) {
    const cores = inputs.length;
    if (cores < 1 || cores > 8) throw new Error(`the MPIC serves 1 to 8 cores (got ${cores})`);
    this.cores = cores;
    this.inService = Array.from({ length: cores }, () => []);
    this.ctpr = new Int32Array(cores);
    this.output = new Uint8Array(cores);
    this.reset();
  }

  get snapshotSkip(): ReadonlySet<string> {
    return MPIC_SNAPSHOT_SKIP;
  }

  reset(): void {
    this.vpr.fill(VPR_MSK);
    this.dest.fill(1);
    this.pending.fill(0);
    for (const list of this.inService) list.length = 0;
    this.gcr = 0;
    this.ctpr.fill(15);
    this.spurious = 0xFFFF;
    this.tfrr = 0;
    this.timers.fill(0);
    this.msir.fill(0);
    for (let i = 0; i < MSI_REGISTERS; i++) this.line[MSI_FIRST_SOURCE + i] = 0;
    for (let t = 0; t < 4; t++) {
      this.timers[t * 4 + 1] = TIMER_TBCR_CI;
      this.timers[t * 4 + 2] = VPR_MSK;
      this.timers[t * 4 + 3] = TIMER_TDR_CORE0;
    }
    for (let i = 0; i < MPIC_SOURCES; i++) if (this.line[i]) this.pending[i] = 1;
    this.update();
  }

  /** A device's interrupt line (level). */
  setLine(source: number, level: boolean): void {
    const v = level ? 1 : 0;
    if (this.line[source] === v) return;
    this.line[source] = v;
    // The board's sources (UART, GPIO) are internal, level-sensitive lines:
    // pending follows the line whatever the sense bit says (as on QEMU's FSL MPIC).
    this.pending[source] = v;
    this.update();
  }

  private priority(source: number): number {
    return (this.vpr[source]! & VPR_PRIORITY) >>> 16;
  }

  /** Is source i offered to `core`: pending there, unmasked and not in service there? */
  private offered(i: number, core: number): boolean {
    const bit = 1 << core;
    if (i >= IPI_BASE ? !(this.pending[i]! & bit) : !this.pending[i] || !(this.dest[i]! & bit)) return false;
    return (this.vpr[i]! & VPR_MSK) === 0 && !this.inService[core]!.includes(i);
  }

  /** Highest-priority source offered to `core` with a priority above 0, or -1 (ties: the lowest source number). */
  private best(core: number): number {
    let best = -1;
    let bestPri = 0;
    for (let i = 0; i < ALL_SOURCES; i++) {
      if (!this.pending[i] || !this.offered(i, core)) continue;
      const p = this.priority(i);
      if (p > bestPri) {
        best = i;
        bestPri = p;
      }
    }
    return best;
  }

  private currentPriority(core: number): number {
    let p = this.ctpr[core]!;
    for (const s of this.inService[core]!) p = Math.max(p, this.priority(s));
    return p;
  }

  private update(): void {
    // A source is active while pending or in service on any core.
    const busy = this.busy;
    busy.fill(0);
    for (const list of this.inService) for (const s of list) busy[s] = 1;
    for (let i = 0; i < ALL_SOURCES; i++) {
      const active = this.pending[i] !== 0 || busy[i] !== 0;
      this.vpr[i] = active ? this.vpr[i]! | VPR_ACTIVITY : this.vpr[i]! & ~VPR_ACTIVITY;
    }
    for (let core = 0; core < this.cores; core++) {
      const b = this.best(core);
      const level = b >= 0 && this.priority(b) > this.currentPriority(core) ? 1 : 0;
      if (level !== this.output[core]) {
        this.output[core] = level;
        this.inputs[core]!.setExternalInput(level === 1);
      }
    }
  }

  /**
   * External proxy: when the guest has set GCR0 to proxy mode, the core
   * acknowledges the interrupt itself as it takes it and loads EPR with the
   * vector (no IACK read needed). Returns the vector, or -1 when the MPIC is
   * not in proxy mode.
   */
  proxyAcknowledge(core = 0): number {
    if ((this.gcr & GCR_EXTERNAL_PROXY) !== GCR_EXTERNAL_PROXY) return -1;
    return this.iack(core);
  }

  private iack(core: number): number {
    const b = this.best(core);
    if (b < 0 || this.priority(b) <= this.ctpr[core]!) {
      this.update();
      return this.spurious;
    }
    const list = this.inService[core]!;
    list.push(b);
    list.sort((x, y) => this.priority(x) - this.priority(y));
    if (b >= IPI_BASE) this.pending[b] = this.pending[b]! & ~(1 << core); // delivered to this core; still due on the others named
    this.update();
    return this.vpr[b]! & VPR_VECTOR;
  }

  private eoi(core: number): void {
    this.inService[core]!.pop();
    this.update();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return registerSlice(this.read32(offset & ~3), offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4) return; // the MPIC's registers are 32-bit
    this.write32(offset & ~3, value | 0);
  }

  /**
   * A 32-bit register read. What QEMU's FSL MPIC answers for registers it does
   * not have is part of the board a guest sees: inside the global, timer,
   * per-CPU and MSI blocks a register that does not exist (or an offset not
   * on a 16-byte boundary) reads all ones; elsewhere in the 256 KB window, 0.
   */
  private read32(off: number): number {
    if (off >= 0x10000 && off < 0x10000 + MPIC_SOURCES * 0x20) {
      const src = (off - 0x10000) >>> 5;
      switch (off & 0x1F) {
        case 0x00: return this.vpr[src]!;
        case 0x10: return this.dest[src]!;
        case 0x18: return 0; // level register: signalled on the core's int pin
        default: return NONE;
      }
    }
    const inBlock = off < 0x1200 || (off >= MSIR_BASE && off < MSIR_BASE + 0x200) || (off >= CPU_BLOCK && off < CPU_BLOCK_END);
    if (!inBlock) return 0;
    if (off & 0xF) return NONE;
    if (off >= CPU_BLOCK) return this.readCpu(off & 0xFF0, (off - CPU_BLOCK) >>> 12);
    if (off >= MSIR_BASE) return this.readMsi(off);
    // Block revision register 1: IP block 0x0040, version 4.2, as QEMU's ppce500
    // (OPENPIC_MODEL_FSL_MPIC_42). Linux reads it to decide whether the MPIC can
    // deliver vectors through EPR (4.0 and later); with a lower version it keeps
    // reading IACK even after asking for the external proxy in GCR0.
    if (off === 0) return MPIC_BRR1;
    if (off >= 0x40 && off <= 0xB0) return this.readCpu(off, this.current);
    switch (off) {
      case 0x1000: return MPIC_FRR | ((this.cores - 1) << FRR_CORES_SHIFT);
      case 0x1020: return this.gcr;
      case 0x1080: return 0; // VIR
      case 0x1090: return 0; // PIR
      case 0x10A0: case 0x10B0: case 0x10C0: case 0x10D0: return this.vpr[IPI_BASE + ((off - 0x10A0) >>> 4)]!;
      case 0x10E0: return this.spurious;
      case 0x10F0: return this.tfrr;
      default:
        if (off >= 0x1100 && off < 0x1200) return this.timers[((off - 0x1100) >>> 6) * 4 + ((off >>> 4) & 3)]!;
        return NONE;
    }
  }

  /** A core's private registers (the accessing core's also at 0x40-0xB0 of the global block). */
  private readCpu(reg: number, core: number): number {
    if (core >= this.cores) return NONE;
    switch (reg) {
      case 0x80: return this.ctpr[core]!;
      case 0x90: return core; // WHOAMI
      case 0xA0: return this.iack(core);
      case 0xB0: return 0; // EOI reads as 0
      default: return NONE;
    }
  }

  private readMsi(off: number): number {
    if (off < MSIR_BASE + MSI_REGISTERS * 0x10) {
      const n = (off - MSIR_BASE) >>> 4;
      const v = this.msir[n]!;
      this.msir[n] = 0;
      this.setLine(MSI_FIRST_SOURCE + n, false);
      return v;
    }
    if (off === MSISR) {
      let summary = 0;
      for (let i = 0; i < MSI_REGISTERS; i++) if (this.msir[i] !== 0) summary |= 1 << i;
      return summary;
    }
    return 0;
  }

  private write32(off: number, v: number): void {
    if (off >= 0x10000 && off < 0x10000 + MPIC_SOURCES * 0x20) {
      const src = (off - 0x10000) >>> 5;
      const reg = off & 0x1F;
      if (reg === 0) this.vpr[src] = (v & ~VPR_ACTIVITY) | (this.vpr[src]! & VPR_ACTIVITY);
      else if (reg === 0x10) this.dest[src] = v;
      this.update();
      return;
    }
    if (off === 0) return; // BRR1 is read-only
    if ((off >= CPU_BLOCK && off < CPU_BLOCK_END) || off < 0x100) {
      const core = off >= CPU_BLOCK ? (off - CPU_BLOCK) >>> 12 : this.current;
      if (core >= this.cores) return;
      switch (off & 0xFFF) {
        case 0x40: case 0x50: case 0x60: case 0x70: {
          // IPI dispatch (from any core's block): a mask of destination cores.
          const ipi = IPI_BASE + (((off & 0xFF) - 0x40) >>> 4);
          const to = v & ((1 << this.cores) - 1);
          if (to !== 0) {
            this.pending[ipi] = this.pending[ipi]! | to;
            this.update();
          }
          break;
        }
        case 0x80: this.ctpr[core] = v & 15; this.update(); break;
        case 0xB0: this.eoi(core); break;
        default: break;
      }
      return;
    }
    switch (off) {
      case 0x1020:
        if (v & GCR_RESET) {
          this.reset();
          this.gcr = v & ~GCR_RESET;
        } else {
          this.gcr = v;
        }
        break;
      case 0x10A0: case 0x10B0: case 0x10C0: case 0x10D0: {
        const src = IPI_BASE + ((off - 0x10A0) >>> 4);
        this.vpr[src] = (v & ~VPR_ACTIVITY) | (this.vpr[src]! & VPR_ACTIVITY);
        this.update();
        break;
      }
      case 0x10E0: this.spurious = v & 0xFFFF; break;
      case 0x10F0: this.tfrr = v; break;
      case MSIIR: {
        const n = v >>> 29;
        this.msir[n] = this.msir[n]! | (1 << ((v >>> 24) & 0x1F));
        this.setLine(MSI_FIRST_SOURCE + n, true);
        break;
      }
      default:
        if (off >= 0x1100 && off < 0x1200) this.timers[((off - 0x1100) >>> 6) * 4 + ((off >>> 4) & 3)] = v;
        break;
    }
  }
}

/** Interrupt source `source`'s line into the MPIC, for a device to drive (irq-line.ts). */
export class MpicLine implements IrqLine {
  constructor(private readonly mpic: Mpic, readonly source: number) {}

  set(level: boolean): void {
    this.mpic.setLine(this.source, level);
  }
}
