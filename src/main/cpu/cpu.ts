// The e500mc core's state and its slow paths: memory access through the MMU,
// SPR access, interrupts and timers. The hot loop lives by itself in
// interp.ts and calls in here only for the uncommon cases (a soft-TLB miss,
// an SPR, an interrupt). Nothing here allocates per instruction.
//
// Soft TLB: direct-mapped caches of recent translations for reads, writes and
// fetches, keyed by effective page and translation mode (MSR[PR] and the
// address space). A hit gives the page's byte offset in RAM. Entries are
// dropped on every change that could alter a translation (tlbwe, tlbivax,
// tlbilx, MMUCSR0, PID/LPIDR writes). Pages holding decoded instructions are
// entered in the write cache with a flag, so stores to them go through
// writeCode(), which invalidates exactly the decoded words they overwrite.

import { holdAsDoubles } from './bits';
import { executeFp, FP_ENABLED, FP_ILLEGAL, FpuState } from './fpu';
import { decode, ID_BREAKPOINT } from './isa';
import { JIT_THRESHOLD, type JitBlock, JitPage, planRegion, translate } from './jit';
import { WasmCore, type WasmInterpreterFn, wasmSupports } from './wasm-jit';
import { wasmInterpreter } from './wasm-interp';
import { EXEC, MMUCFG, READ, TLB0CFG, TLB1CFG, Tlb, tlb1SizeSupported, WRITE, type Access } from './mmu';
import { CODE_LINE_SHIFT, CORE_PAGE_LINKS, CORE_SLOT, CORE_TB_F64, CORE_TLB, coreAreaBase, type GuestMemory, HEAT_PAGE_BYTES, heatArenaBase, KEY_SHIFT, PAGE_LINKS, TAG_CODE, TAG_MMIO } from './memory';
import { SPR_CATALOG } from '../../shared/spr';
import { EPCR, ESR, IVOR, MAS, MSR, MSR_MASK, PVR_E500MC, SVR_PPCE500, TCR, TSR } from './regs';
import { DEFAULT_CLOCK, EXPIRED, type TimerClock, Timers } from './timers';

/** Physical memory as the core sees it: RAM below ramSize, devices above. */
export interface CpuBus {
  readonly ramSize: number;
  /** RAM as host-order words holding big-endian words; see devices/bus.ts. */
  readonly ram32: Int32Array;
  readonly ram16: Uint16Array;
  readonly ram8: Uint8Array;
  /**
   * One byte per 4 KB page of RAM, 1 where the page may hold something other
   * than zeros: set wherever RAM is written (the bus's own writes, and the
   * core when it caches a write translation for the page, before any store
   * through it). A snapshot reads only these pages (link/snapshot.ts).
   */
  readonly written: Uint8Array;
  /** The WebAssembly memory RAM lives in, with the core's area after it (memory.ts); absent, the core keeps its state in plain arrays and translates to JavaScript only. */
  readonly memory?: GuestMemory;
  readRam(pa: number, size: 1 | 2 | 4): number;
  writeRam(pa: number, size: 1 | 2 | 4, value: number): void;
  mmioRead(pa: number, size: 1 | 2 | 4): number;
  mmioWrite(pa: number, size: 1 | 2 | 4, value: number): void;
}

/**
 * What a hypervisor plugs into a guest's core (src/main/hv). With no hooks the
 * core runs natively. The hypervisor sees every event that the configured
 * virtual hardware does not handle by itself.
 */
export interface CpuHooks {
  /** mfspr of an SPR whose strategy is trap (or hypervisor-only). Returns the value. */
  mfspr(cpu: Cpu, spr: number, pc: number): number;
  /** mtspr of a trapped SPR. */
  mtspr(cpu: Cpu, spr: number, value: number, pc: number): void;
  /**
   * An interrupt in guest state. The hypervisor delivers it straight to the
   * guest (the hardware would), or takes an exit and reflects or handles it.
   * Returns the address to continue at.
   */
  interrupt(cpu: Cpu, ivor: number, srr0: number, esr: number, dear: number): number;
  /** A hypervisor-privileged instruction executed in guest state (id from isa.ts). Returns the next pc. */
  privileged(cpu: Cpu, id: number, word: number, pc: number): number;
  /** sc 1: a hypercall. Returns the next pc. */
  hypercall(cpu: Cpu, pc: number): number;
  /** A guest access to device memory (an MMIO exit), just before it is performed. */
  mmio(cpu: Cpu, pa: number, size: number, write: boolean): void;
  /** The access announced by mmio() has been performed (its side effects, such as interrupt lines, are in place). */
  mmioDone(cpu: Cpu): void;
  /**
   * Host events (HOST bits) directed to the hypervisor: taken in guest state
   * as an exit whatever the guest's MSR[EE]/[CE]. Returns the pc to continue at.
   */
  hostEvent(cpu: Cpu, events: number, pc: number): number;
  /** cpu.injectPending was set: the hypervisor delivers what it holds for the guest, without an exit. Returns the pc. */
  enter(cpu: Cpu, pc: number): number;
  /** The guest's interrupt controller output changed while external input is directed to the hypervisor. */
  externalLine(cpu: Cpu, level: boolean): void;
}

/**
 * Host events (Cpu.hostEvents): interrupts directed to the hypervisor that
 * the hardware takes in guest state whatever the guest's enables. The timer
 * bits equal the Timers EXPIRED bits: a guest timer the hypervisor emulates
 * expires as a host timer interrupt. DEVICE is a host device's interrupt
 * (console input, a peer's byte-channel data) arriving while the guest runs;
 * KICK the host doorbell with which the hypervisor on another core makes this
 * vCPU exit (to take a doorbell another vCPU sent it).
 */
export const HOST = { DEC: EXPIRED.DEC, FIT: EXPIRED.FIT, WATCHDOG: EXPIRED.WATCHDOG, DEVICE: 8, KICK: 16 } as const;

/** Thrown (never allocated per fault) to abandon an instruction that took an interrupt. */
export const FAULT = { fault: true } as const;
/** What an instruction's code returns instead of the next pc when it recorded a fault (an odd address: never an instruction's). */
export const FAULTED = 1;

/**
 * Thrown to abandon an instruction a debugger's watch stopped in front of
 * (an SPR access): the instruction has not happened and keeps its slot.
 */
export const DEBUG_HALT = { debugHalt: true } as const;

/** What a debugger's watch caught (Cpu.watchHit). */
export interface SprWatchHit {
  spr: number;
  write: boolean;
  /** The value the instruction would write (writes only). */
  value: number;
  pc: number;
}

/** Watch flags per SPR number (Cpu.sprWatch). */
export const WATCH = { READ: 1, WRITE: 2 } as const;

/** A decoded page of breakpoints: what fetchPage hands out while a debugger's stop is requested. */
const STOP_PAGE: Int32Array = (() => {
  const page = new Int32Array(2048);
  for (let w = 0; w < 1024; w++) page[w * 2] = ID_BREAKPOINT;
  return page;
})();

/** MAS3's permission bits, supervisor and user: read, write, execute. */
export const ALL_PERMISSIONS = MAS.SR | MAS.SW | MAS.SX | MAS.UR | MAS.UW | MAS.UX;

/** Cpu.wasmInterp before the interpreter is made, once it is, and where there is none. */
export const WASM_INTERP_UNMADE = -1;
export const WASM_INTERP_MADE = 0;
export const WASM_INTERP_NONE = -2;

/**
 * Fields of a Cpu a snapshot leaves out: the parts saved on their own (TLB,
 * timers, FPU), views of RAM, caches rebuilt after a restore (soft TLB,
 * decoded and translated code), what the hypervisor's configuration derives
 * (trap and alias tables, translation settings), the slice's bookkeeping
 * and a debugger's breakpoints and watches.
 */
const CPU_SNAPSHOT_SKIP: ReadonlySet<string> = new Set([
  'bus', 'ram8', 'ram16', 'ram32', 'timers', 'tlb', 'fpu', 'rTag', 'rVal', 'wTag', 'wVal', 'xTag', 'xVal',
  'codePages', 'codeStores', 'jitPages', 'fetchJit', 'fetchBase', 'codeDirty', 'jitRan', 'jitInsns', 'jitMs', 'jitBlocks', 'jitSourceChars', 'jitK', 'jitBase', 'jitEnabled', 'jitThreshold', 'jitBackend', 'coreSlots', 'pageLinks', 'coreTimeBase', 'wasm', 'seqPc', 'wasmInterp', 'wasmInterpFn', 'wasmInterpInsns', 'heatBase', 'heatSlots', 'heatUsed',
  'group', 'index', 'areaBase', 'hooks', 'onGuestMsr', 'externalProxy', 'sliceLeft', 'sliceStart', 'sprTrap', 'sprAlias',
  'codeBreaks', 'breakHit', 'sprWatch', 'watchPass', 'watchHit', 'stopRequested',
]);

/**
 * The cores of one multiprocessor guest, and what one core's actions do to the
 * others: they share the decoded-instruction cache (decoding is a function of
 * physical memory alone), so a store by any core to a decoded word drops it
 * for all, and each core's translated code over it; a decoded page makes every
 * core's stores to it take the slow path; tlbivax invalidates on every core
 * (e500mc broadcasts it); msgsnd reaches every core, which accepts the
 * message if it is broadcast or tagged with its PIR. A single-core guest has
 * no group.
 */
export class CoreGroup {
  readonly cores: Cpu[] = [];
  readonly codePages: (Int32Array | undefined)[];
  readonly codeStores: Uint8Array;
  /** The code-line map of cores without a guest memory (theirs is in it otherwise), made by the first. */
  codeLines: Uint8Array | null = null;

  constructor(ramSize: number) {
    this.codePages = new Array<Int32Array | undefined>(Math.ceil(ramSize / 4096));
    this.codeStores = new Uint8Array(this.codePages.length);
  }
}

/**
 * Stores into a decoded page, with no instruction fetched from it in between,
 * after which it stops being one (Cpu.retireCodePage): a page of code the
 * guest overwrites as data (Linux poisons its freed init text, 528 KB, a word
 * at a time) would otherwise take the slow path, and invalidate decoded
 * words, at every store.
 */
export const RETIRE_STORES = 64;

/** Does doorbell message `rb` (msgsnd's operand) address the processor tagged `pir`: broadcast, or its PIR tag? */
export function doorbellAddresses(rb: number, pir: number): boolean {
  return (rb & 0x04000000) !== 0 || (rb & 0x3FFF) === pir;
}

/** A problem in the emulator itself, not the guest (reported as a checkstop). */
export class CheckStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckStop';
  }
}

export const SOFT_TLB_BITS = 10;
export const SOFT_TLB_SIZE = 1 << SOFT_TLB_BITS;
export const SOFT_TLB_MASK = SOFT_TLB_SIZE - 1;

// SPR numbers the core handles itself.
const SPR = {
  XER: 1, LR: 8, CTR: 9, DEC: 22, SRR0: 26, SRR1: 27, PID: 48, DECAR: 54, CSRR0: 58, CSRR1: 59,
  DEAR: 61, ESR: 62, IVPR: 63, USPRG0: 256, SPRG3R: 259, SPRG4R: 260, SPRG7R: 263, TBL: 268, TBU: 269,
  SPRG0: 272, SPRG3: 275, SPRG4: 276, SPRG7: 279, TBWL: 284, TBWU: 285, PIR: 286, PVR: 287,
  DBSR: 304, DBSRWR: 306, EPCR: 307, DBCR0: 308, MSRP: 311, TSR: 336, LPIDR: 338, MAS5: 339, TCR: 340, MAS8: 341,
  IVOR0: 400, IVOR15: 415, IVOR38: 432, IVOR41: 435, IVOR32: 528, IVOR37: 533,
  L1CFG0: 515, L1CFG1: 516, ATBL: 526, ATBU: 527,
  MCSRR0: 570, MCSRR1: 571, MCSR: 572, MCAR: 573, DSRR0: 574, DSRR1: 575,
  MAS0: 624, MAS1: 625, MAS2: 626, MAS3: 627, MAS4: 628, MAS6: 630, TLB0CFG: 688, TLB1CFG: 689, EPR: 702,
  MAS7: 944, HID0: 1008, L1CSR0: 1010, L1CSR1: 1011, MMUCSR0: 1012, BUCSR: 1013, MMUCFG: 1015, SVR: 1023,
} as const;

/**
 * Guest copies (Embedded.Hypervisor): the register a guest access to an SPR
 * reaches in guest state when the hardware duplicates it, and where the
 * guest's value of that SPR lives whatever the strategy (a hypervisor that
 * emulates a trapped access keeps it there too, so a change of strategy
 * moves nothing). SRR0/1, SPRG0-3 (and SPRG3R), ESR, DEAR, PIR and EPR are
 * aliased by 2.06 itself; IVPR and the IVORs 2.06 gives copies to are read
 * only at delivery, since guest accesses to them trap.
 */
export const GUEST_COPY: Readonly<Int16Array> = (() => {
  const g = new Int16Array(1024);
  const pairs: [number, number][] = [
    [26, 378], [27, 379], [272, 368], [273, 369], [274, 370], [275, 371], [259, 371],
    [62, 383], [61, 381], [286, 382], [702, 380],
    [63, 447], [402, 440], [403, 441], [404, 442], [408, 443], [413, 444], [414, 445],
  ];
  for (const [spr, copy] of pairs) g[spr] = copy;
  return g;
})();

/** Read-only SPRs among those with guest copies (a guest write is illegal, as natively). */
const READ_ONLY_COPIED = new Set([259, 286, 702]);

/** What guest-state hardware does with each SPR number on e500mc (Power ISA 2.06 as it implements it), from the catalog. */
function defaultGuestTables(): { trap: Uint8Array; alias: Int16Array } {
  const trap = new Uint8Array(1024);
  const alias = new Int16Array(1024);
  const byName = new Map(SPR_CATALOG.map((s) => [s.name, s]));
  for (const s of SPR_CATALOG) {
    const base = s.aliasOf ? byName.get(s.aliasOf)! : s;
    if (s.fixed === 'hypervisor') trap[s.num] = 1;
    else if (base.isa206 === 'trap') trap[s.num] = 1;
    else if (base.isa206 === 'duplicate' && GUEST_COPY[s.num]) alias[s.num] = GUEST_COPY[s.num]!;
  }
  return { trap, alias };
}

/** Guest copies a direct delivery writes: save/restore pair, ESR, DEAR (Cpu.guestCopiesMissing bits). */
export const COPY = { SRR: 1, ESR: 2, DEAR: 4 } as const;
const COPIES_NEEDED = new Uint8Array(64);
COPIES_NEEDED.fill(COPY.SRR);
for (const ivor of [IVOR.DSI, IVOR.ALIGNMENT, IVOR.DTLB]) COPIES_NEEDED[ivor] = COPY.SRR | COPY.ESR | COPY.DEAR;
for (const ivor of [IVOR.ISI, IVOR.PROGRAM, IVOR.ITLB]) COPIES_NEEDED[ivor] = COPY.SRR | COPY.ESR;

/** SPRs that hold plain values (read back what was written). */
const PLAIN_SPRS = [
  SPR.SRR0, SPR.SRR1, SPR.CSRR0, SPR.CSRR1, SPR.DEAR, SPR.ESR, SPR.USPRG0,
  272, 273, 274, 275, 276, 277, 278, 279, 604, 605,
  SPR.MCSRR0, SPR.MCSRR1, SPR.MCAR, SPR.DSRR0, SPR.DSRR1,
  SPR.MAS0, SPR.MAS1, SPR.MAS2, SPR.MAS3, SPR.MAS4, SPR.MAS6, SPR.MAS7, SPR.MAS5, SPR.MAS8,
  308, 309, 310, 312, 313, 316, 317, SPR.EPCR, SPR.MSRP, 947, 948,
  SPR.HID0, SPR.L1CSR0, SPR.L1CSR1, SPR.BUCSR,
  // Guest copies (Embedded.Hypervisor): GSPRG0-3, GSRR0/1, GEPR, GDEAR, GPIR, GESR, GIVOR2-14, GIVPR.
  368, 369, 370, 371, 378, 379, 380, 381, 382, 383, 440, 441, 442, 443, 444, 445, 447,
];

/** What acknowledges an external interrupt for a core in proxy mode (the MPIC). */
export interface ExternalProxy {
  proxyAcknowledge(core: number): number;
}

export class Cpu {
  // ---- architected state --------------------------------------------------
  readonly gpr: Int32Array;
  readonly fpu = new FpuState();
  cr = 0;
  /** XER split into its fields for speed. */
  so = 0;
  ov = 0;
  ca = 0;
  xerBytes = 0;
  lr = 0;
  ctr = 0;
  pc = 0;
  msr = 0;
  /** Raw storage of plain SPRs, indexed by SPR number. */
  readonly spr = new Int32Array(1024);
  readonly tlb = new Tlb();
  readonly timers: Timers;
  pid = 0;
  lpid = 0;
  pir = 0;
  /** Reservation for lwarx/stwcx. (QEMU semantics: address and value). */
  resAddr = -1;
  resValue = 0;

  // ---- interrupt inputs ---------------------------------------------------
  /** External input level (MPIC INT). */
  extInput = false;
  /** Critical input level (MPIC CINT). */
  critInput = false;
  /**
   * The interrupt controller's external proxy (set by the board): acknowledges
   * the interrupt being taken on core `index` and returns its vector for EPR,
   * or -1 when the controller is not in proxy mode. The controller itself, not
   * a closure (devices/irq-line.ts).
   */
  externalProxy: ExternalProxy | null = null;
  /** Something may need attention at the next taken branch (an interrupt became pending). */
  irqPoll = 0;
  /** Executing `wait`: no instructions until an interrupt. */
  waiting = false;
  /** Stopped for good (checkstop): the reason. */
  stopped: string | null = null;

  // ---- translation caches -------------------------------------------------
  readonly rTag: Int32Array;
  readonly rVal: Int32Array;
  readonly wTag: Int32Array;
  readonly wVal: Int32Array;
  readonly xTag = new Int32Array(SOFT_TLB_SIZE).fill(-1);
  readonly xVal = new Int32Array(SOFT_TLB_SIZE);
  /** Key bits of the current data and instruction translation mode (MSR[PR], MSR[DS]/[IS]). */
  dKey = 0;
  iKey = 0;
  /** Decoded instructions per RAM page: [id, word] pairs; id 0 = not decoded yet. */
  readonly codePages: (Int32Array | undefined)[];
  /** Per RAM page: stores into it since code was last fetched from it (shared by a group's cores, as codePages). */
  readonly codeStores: Uint8Array;
  /**
   * The code-line map (memory.ts): per 64 bytes of RAM, not zero once a
   * word in that line has been decoded on a page of codePages (refetchWord,
   * the planner, a breakpoint); cleared with the page. Stores to a line at
   * zero invalidate nothing.
   */
  readonly codeLines: Uint8Array;
  /** Bumped when cached fetch translations become invalid (the interpreter re-translates its page). */
  fetchEpoch = 0;
  /** Translated blocks per RAM page (see jit.ts). */
  readonly jitPages: (JitPage | undefined)[];
  /** Block translation on (the interpreter alone when off: the reference, and for comparisons). */
  jitEnabled = true;
  /** Where the interpreter falls through to next (interp.ts: what is an entry for translation). */
  seqPc = -1;
  /** Executions of an instruction before the region starting there is translated (1: at once). */
  jitThreshold = JIT_THRESHOLD;
  /** Translate to WebAssembly (needs the core's state in a WebAssembly memory: CpuBus.memory) or to JavaScript. */
  jitBackend: 'wasm' | 'js';
  /** The slots translated WebAssembly exchanges CR, CTR, LR and XER through (memory.ts), when the bus has a memory. */
  readonly coreSlots: Int32Array | null;
  /** The WebAssembly interpreter's page links in the core's area (memory.ts CORE_PAGE_LINKS), or null. */
  readonly pageLinks: Int32Array | null;
  /** The time base's state for translated WebAssembly (memory.ts CORE_TB_F64). */
  readonly coreTimeBase: Float64Array | null;
  /** This core's WebAssembly regions (made at the first translation). */
  wasm: WasmCore | null = null;
  /**
   * The WebAssembly interpreter (wasm-interp.ts): WASM_INTERP_UNMADE until
   * the interpreter first wants it, WASM_INTERP_MADE once wasmInterpFn is
   * set, WASM_INTERP_NONE where there is none (the JavaScript back end, a bus
   * without a WebAssembly memory, or switched off).
   */
  wasmInterp = WASM_INTERP_UNMADE;
  /** The WebAssembly interpreter's function, once made. */
  wasmInterpFn: WasmInterpreterFn | null = null;
  /** Instructions the WebAssembly interpreter ran (the figures, and the tests that it ran at all). */
  wasmInterpInsns = 0;
  /** Byte address of this core's heat arena in the guest's memory (memory.ts; -1: none). */
  private readonly heatBase: number;
  /** Per RAM page, its slot in the heat arena plus one (0: none yet); null without an arena. */
  private readonly heatSlots: Uint16Array | null;
  /** Arena slots handed out. */
  private heatUsed = 0;
  /** Set by fetchPage: the page's translated blocks (null for device memory or with translation off). */
  fetchJit: JitPage | null = null;
  /** Set by fetchPage: the page's physical byte address. */
  fetchBase = 0;
  /** A store overwrote decoded instructions (a running block must stop). */
  codeDirty = false;
  /** Instructions the last translated block ran. */
  jitRan = 0;
  /** Instructions run in translated blocks since reset (blocks that ran to an exit; a measurement, not guest state). */
  jitInsns = 0;
  /** Host milliseconds spent translating, regions translated and the JavaScript source they came to, since reset (measurements). */
  jitMs = 0;
  jitBlocks = 0;
  jitSourceChars = 0;
  /** In a faulting block: index of the faulting instruction, and instructions of earlier loop passes. */
  jitK = 0;
  jitBase = 0;

  // ---- bookkeeping ---------------------------------------------------------
  /** Instructions retired since reset. */
  insns = 0;
  /** Instructions the current interpreter slice has left; set before calling helpers that read time. */
  sliceLeft = 0;
  /** Instructions the current interpreter slice started with. */
  sliceStart = 0;
  hooks: CpuHooks | null = null;
  /**
   * Per SPR number, in guest supervisor state: 1 = the access raises a
   * hypervisor privilege exit (to the hooks, or IVOR41 to a hypervisor
   * running on the core); 0 = the hardware performs it. Defaults to e500mc's
   * own set; a hypervisor modelling other hardware changes it.
   */
  readonly sprTrap: Uint8Array;
  /** Per SPR number: the guest copy a guest-state access reaches (GUEST_COPY where the hardware duplicates), or 0. */
  readonly sprAlias: Int16Array;
  /** Guest copies the (virtual) hardware lacks (COPY bits): interrupts that write them cannot be delivered to the guest directly. */
  guestCopiesMissing = 0;
  /**
   * Direction bits 2.06 has no EPCR bit for (the lab's hypothetical hardware):
   * a bit per IVOR number. System calls are the guest's in 2.06.
   */
  labDirected = 1 << IVOR.SYSCALL;
  /** In guest state, rfi exits to the hypervisor (SRR0/1 have no hardware guest copy). */
  rfiTraps = false;
  /**
   * In guest state, the interrupts (a bit per IVOR number) the hardware
   * delivers straight to the guest, gated by the guest's MSR[EE]/[CE]: EPCR's
   * direction bits and the lab's hypothetical ones, set by the hypervisor.
   * Asynchronous interrupts not listed here are directed to the hypervisor
   * and reach it as host events or through its hooks.
   */
  guestDirected = 0;
  /** Pending host events (HOST bits), taken in guest state as exits whatever the guest's MSR. */
  hostEvents = 0;
  /**
   * Pending guest doorbells: bit 0 guest doorbell (msgsnd type 2), bit 1
   * guest critical doorbell (type 3). Taken in guest state only when the guest
   * has MSR[EE] (MSR[CE]) set, and delivered to the hypervisor (IVOR38/39).
   */
  guestDoorbells = 0;
  /** The hypervisor holds interrupts for the guest that it could not inject at its last exit: inject at the next boundary. */
  injectPending = false;
  /**
   * Trap-and-emulate (no virtualization hardware): the guest runs in user
   * mode (the real MSR has PR=1) and every interrupt goes to the hypervisor's
   * hooks, which emulate the privileged instructions and reflect the rest.
   * The guest's own MSR is then `vmsr`; its other registers stay where a
   * native run keeps them (SRR0/1, SPRGs, IVORs ...), since a core without
   * the hypervisor category has no guest copies.
   */
  deprivileged = false;
  /** The guest's MSR under trap-and-emulate (the real one is realMsrFor(vmsr)). */
  vmsr = 0;
  /** Trap-and-emulate: called when the guest's privilege level or MSR changes (the hypervisor switches shadow address space). */
  onGuestMsr: (() => void) | null = null;
  /** The interrupt being delivered was raised by the hypervisor's own emulation: deliver it to the guest directly. */
  private fromHypervisor = false;

  // Fault details for the interrupt the current instruction raised.
  faultIvor = 0;
  faultEsr = 0;
  faultDear = 0;
  /** Set by a fault that must not update MAS (e.g. DSI); TLB misses preload MAS. */
  faultTlbMiss = false;
  faultAs = 0;
  faultEa = 0;

  /** RAM views (see CpuBus), cached here for the hot paths. */
  readonly ram32: Int32Array;
  readonly ram16: Uint16Array;
  readonly ram8: Uint8Array;

  /** This core's number in its guest (0 for the boot core); its PIR at reset. */
  readonly index: number;
  /** Byte offset of this core's area in the guest memory (memory.ts), or -1 without one. */
  readonly areaBase: number;

  constructor(readonly bus: CpuBus, clock: TimerClock = DEFAULT_CLOCK, readonly group: CoreGroup | null = null) {
    this.index = group === null ? 0 : group.cores.length;
    const tables = defaultGuestTables();
    this.sprTrap = tables.trap;
    this.sprAlias = tables.alias;
    this.ram32 = bus.ram32;
    this.ram16 = bus.ram16;
    this.ram8 = bus.ram8;
    // The registers and the soft TLB's data side in the core's area of the guest's memory, where translated
    // WebAssembly reaches them; plain arrays for a bus without one.
    const area = bus.memory;
    const areaBase = area !== undefined ? coreAreaBase(area, this.index) : -1;
    this.areaBase = areaBase;
    const view = (word: number, length: number) => (area !== undefined
      ? new Int32Array(area.memory.buffer, areaBase + word * 4, length) : new Int32Array(length));
    this.gpr = view(0, 32);
    this.rTag = view(CORE_TLB, SOFT_TLB_SIZE).fill(-1);
    this.rVal = view(CORE_TLB + SOFT_TLB_SIZE, SOFT_TLB_SIZE);
    this.wTag = view(CORE_TLB + 2 * SOFT_TLB_SIZE, SOFT_TLB_SIZE).fill(-1);
    this.wVal = view(CORE_TLB + 3 * SOFT_TLB_SIZE, SOFT_TLB_SIZE);
    this.coreSlots = area !== undefined ? view(0, CORE_TLB) : null;
    this.pageLinks = area !== undefined ? view(CORE_PAGE_LINKS, 4 * PAGE_LINKS) : null;
    this.coreTimeBase = area !== undefined ? new Float64Array(area.memory.buffer, areaBase + CORE_TB_F64 * 8, 6) : null;
    this.jitBackend = area !== undefined ? 'wasm' : 'js';
    this.timers = new Timers(clock);
    this.codePages = group?.codePages ?? new Array<Int32Array | undefined>(Math.ceil(bus.ramSize / 4096));
    this.codeStores = group?.codeStores ?? new Uint8Array(this.codePages.length);
    const lines = bus.ramSize >>> CODE_LINE_SHIFT;
    this.codeLines = area !== undefined ? new Uint8Array(area.memory.buffer, area.codeLineBase, lines)
      : group !== null ? (group.codeLines ??= new Uint8Array(lines)) : new Uint8Array(lines);
    if (this.coreSlots !== null && area !== undefined) this.coreSlots[CORE_SLOT.CODE_LINES] = area.codeLineBase;
    this.jitPages = new Array<JitPage | undefined>(Math.ceil(bus.ramSize / 4096));
    this.heatBase = area !== undefined ? heatArenaBase(area, this.index) : -1;
    this.heatSlots = area !== undefined ? new Uint16Array(Math.ceil(bus.ramSize / 4096)) : null;
    holdAsDoubles(this, ['insns', 'jitInsns', 'jitMs', 'wasmInterpInsns']);
    this.reset();
    group?.cores.push(this);
  }

  /** What a snapshot of this vCPU leaves out (snapshot.ts). */
  get snapshotSkip(): ReadonlySet<string> {
    return CPU_SNAPSHOT_SKIP;
  }

  /** Drops every translated block (freeing what WebAssembly regions hold). */
  private dropTranslations(): void {
    for (const jp of this.jitPages) jp?.dispose();
    this.jitPages.fill(undefined);
  }

  /** After a snapshot's state was written in: drop every cache built from the old state. */
  afterRestore(): void {
    this.codePages.fill(undefined);
    this.dropTranslations();
    this.fetchJit = null;
    this.sliceLeft = this.sliceStart = 0;
    this.flushSoftTlb();
  }

  reset(): void {
    this.gpr.fill(0);
    this.fpu.f.fill(0);
    this.fpu.fpscr = 0;
    this.cr = 0;
    this.so = this.ov = this.ca = this.xerBytes = 0;
    this.lr = this.ctr = 0;
    this.pc = 0;
    this.spr.fill(0);
    this.tlb.reset();
    this.timers.reset();
    this.pid = 0;
    this.lpid = 0;
    this.pir = this.index;
    this.resAddr = -1;
    this.extInput = this.critInput = false;
    this.waiting = false;
    this.stopped = null;
    this.doorbellPending = 0;
    this.hostEvents = 0;
    this.guestDoorbells = 0;
    this.injectPending = false;
    this.deprivileged = false;
    this.vmsr = 0;
    this.updateDirection();
    this.insns = 0;
    this.jitInsns = this.jitMs = this.jitBlocks = this.jitSourceChars = 0;
    this.codePages.fill(undefined);
    this.codeStores.fill(0);
    this.codeLines.fill(0);
    this.dropTranslations();
    this.setMsr(0);
    this.flushSoftTlb();
  }

  // ---- MSR ----------------------------------------------------------------

  setMsr(value: number): void {
    const v = value & MSR_MASK;
    const old = this.msr;
    this.msr = v;
    const pr = (v & MSR.PR) !== 0 ? 2 : 0;
    this.dKey = (pr | ((v & MSR.DS) !== 0 ? 1 : 0)) << KEY_SHIFT;
    this.iKey = (pr | ((v & MSR.IS) !== 0 ? 1 : 0)) << KEY_SHIFT;
    if ((old ^ v) & (MSR.IS | MSR.PR | MSR.GS)) this.fetchEpoch++;
    if ((v & ~old) & (MSR.EE | MSR.CE | MSR.ME | MSR.DE)) this.irqPoll = 1;
  }

  // ---- XER and CR helpers -------------------------------------------------

  get xer(): number {
    return (this.so << 31) | (this.ov << 30) | (this.ca << 29) | (this.xerBytes & 0x7F);
  }

  set xer(v: number) {
    this.so = (v >>> 31) & 1;
    this.ov = (v >>> 30) & 1;
    this.ca = (v >>> 29) & 1;
    this.xerBytes = v & 0x7F;
  }

  /** CR0 from a result: LT, GT, EQ and a copy of XER[SO]. */
  setCr0(v: number): void {
    const c = v < 0 ? 8 : v > 0 ? 4 : 2;
    this.cr = (this.cr & 0x0FFFFFFF) | ((c | this.so) << 28);
  }

  // ---- soft TLB -----------------------------------------------------------

  flushSoftTlb(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.xTag.fill(-1);
    this.fetchEpoch++;
    // The WebAssembly interpreter's page links go too (the epoch alone would do, but a snapshot restores it).
    this.pageLinks?.fill(-1);
  }

  /** Drops cached translations of the effective pages covered by TLB entry i (or everything for big pages). */
  dropSoftTlbFor(i: number): void {
    const mask = this.tlb.pageMask(i);
    if (mask !== 0xFFF) {
      this.flushSoftTlb();
      return;
    }
    const page = (this.tlb.mas2[i]! >>> 12);
    const idx = page & SOFT_TLB_MASK;
    this.rTag[idx] = -1;
    this.wTag[idx] = -1;
    // The interpreter keeps its code page until the epoch moves; a slot with no instruction translation
    // cached cannot hold that page's (it was cached there at its fetch, and whatever emptied the slot since bumped the epoch).
    if (this.xTag[idx] !== -1) {
      this.xTag[idx] = -1;
      this.fetchEpoch++;
    }
  }

  /**
   * Translates ea for an access. On failure it records the interrupt the
   * architecture defines (TLB miss or storage interrupt) in faultPending and
   * returns -1; it never throws, since a fault on a data access is common
   * (software TLB refill) and a JavaScript throw costs about a microsecond.
   */
  translate(ea: number, access: Access): number {
    const msr = this.msr;
    const as = access === EXEC ? ((msr & MSR.IS) !== 0 ? 1 : 0) : ((msr & MSR.DS) !== 0 ? 1 : 0);
    const gs = (msr & MSR.GS) !== 0 ? 1 : 0;
    const i = this.tlb.lookup(ea, as, this.pid, gs, this.lpid);
    if (i < 0) {
      this.faultTlbMiss = true;
      this.faultAs = as;
      this.faultEa = ea;
      if (access === EXEC) this.recordFault(IVOR.ITLB, 0, 0);
      else this.recordFault(IVOR.DTLB, access === WRITE ? ESR.ST : 0, ea);
      return -1;
    }
    const perms = this.tlb.perms(i);
    const pr = (msr & MSR.PR) !== 0;
    const need = access === EXEC ? (pr ? MAS.UX : MAS.SX) : access === WRITE ? (pr ? MAS.UW : MAS.SW) : (pr ? MAS.UR : MAS.SR);
    if ((perms & need) === 0) {
      this.faultTlbMiss = false;
      if (access === EXEC) this.recordFault(IVOR.ISI, 0, 0);
      else this.recordFault(IVOR.DSI, access === WRITE ? ESR.ST : 0, ea);
      return -1;
    }
    const pa = this.tlb.physical(i, ea);
    this.cacheTranslation(ea, pa, access);
    return pa;
  }

  /** translate(), throwing FAULT on failure (for the paths where a fault is rare). */
  translateOrThrow(ea: number, access: Access): number {
    const pa = this.translate(ea, access);
    if (pa < 0) this.throwPending();
    return pa;
  }

  /** A fault was recorded (not thrown): the instruction must be abandoned and the interrupt delivered. */
  faultPending = false;

  private recordFault(ivor: number, esr: number, dear: number): void {
    this.faultIvor = ivor;
    this.faultEsr = esr;
    this.faultDear = dear;
    this.faultPending = true;
  }

  /** Turns a recorded fault into a thrown one. */
  throwPending(): never {
    this.faultPending = false;
    throw FAULT;
  }

  /** Delivers a recorded fault for the instruction at pc; returns the new pc. */
  takeFault(pc: number): number {
    this.faultPending = false;
    return this.deliverFault(pc);
  }

  /**
   * Caches a translation (memory.ts describes the tags and values): a data
   * entry of RAM holds the RAM address of its page less the page's effective
   * address (RAM address = value + EA, modulo 2^32), of a device the
   * physical page number; an instruction entry the page's RAM address.
   */
  private cacheTranslation(ea: number, pa: number, access: Access): void {
    const vpage = ea & ~0xFFF;
    const idx = (ea >>> 12) & SOFT_TLB_MASK;
    const ppage = Math.floor(pa / 4096);
    const inRam = pa < this.bus.ramSize;
    if (access === READ) {
      this.rTag[idx] = inRam ? vpage | this.dKey : vpage | this.dKey | TAG_MMIO;
      this.rVal[idx] = inRam ? (ppage * 4096 - vpage) | 0 : ppage;
    } else if (access === WRITE) {
      // Every store to RAM goes through a write translation cached here (or the bus, which marks its own).
      if (inRam) this.bus.written[ppage] = 1;
      const code = inRam && this.codePages[ppage] !== undefined;
      this.wTag[idx] = !inRam ? vpage | this.dKey | TAG_MMIO : code ? vpage | this.dKey | TAG_CODE : vpage | this.dKey;
      this.wVal[idx] = inRam ? (ppage * 4096 - vpage) | 0 : ppage;
    } else {
      this.xTag[idx] = inRam ? vpage | this.iKey : vpage | this.iKey | TAG_MMIO;
      this.xVal[idx] = inRam ? ppage * 4096 : ppage;
    }
  }

  // ---- data access slow paths (called by the interpreter on a cache miss) --

  /** Physical address of a data access: through the soft TLB or the MMU. */
  private dataPa(ea: number, access: Access): number {
    const idx = (ea >>> 12) & SOFT_TLB_MASK;
    const key = (ea & ~0xFFF) | this.dKey;
    if (access === READ) {
      const t = this.rTag[idx]!;
      if (t === key) return (this.rVal[idx]! + ea) | 0;
      if (t === (key | TAG_MMIO)) return this.rVal[idx]! * 4096 + (ea & 0xFFF);
    } else {
      const t = this.wTag[idx]!;
      if (t === key || t === (key | TAG_CODE)) return (this.wVal[idx]! + ea) | 0;
      if (t === (key | TAG_MMIO)) return this.wVal[idx]! * 4096 + (ea & 0xFFF);
    }
    return this.translate(ea, access);
  }

  private readPa(pa: number, size: 1 | 2 | 4): number {
    if (pa < this.bus.ramSize) return this.bus.readRam(pa, size);
    if (this.hooks !== null && (this.msr & MSR.GS || this.deprivileged)) {
      this.hooks.mmio(this, pa, size, false);
      const v = this.bus.mmioRead(pa, size);
      this.hooks.mmioDone(this);
      return v;
    }
    return this.bus.mmioRead(pa, size);
  }

  /** A store from outside the guest (a debugger): RAM only, with the code translated from it dropped. */
  writePhysical(pa: number, value: number): boolean {
    if (pa < 0 || pa >= this.bus.ramSize) return false;
    this.writePa(pa, 1, value & 0xFF);
    return true;
  }

  private writePa(pa: number, size: 1 | 2 | 4, value: number): void {
    if (pa < this.bus.ramSize) {
      this.bus.writeRam(pa, size, value);
      this.ramWritten(pa, size);
      return;
    }
    if (this.hooks !== null && (this.msr & MSR.GS || this.deprivileged)) {
      this.hooks.mmio(this, pa, size, true);
      this.bus.mmioWrite(pa, size, value);
      this.hooks.mmioDone(this);
    } else {
      this.bus.mmioWrite(pa, size, value);
    }
    this.irqPoll = 1;
  }

  /** Address of the instruction whose slow path is running (for the hypervisor's trace). */
  curPc = 0;

  /**
   * The load slow path of the interpreter's and the translator's inline
   * accesses: returns the value, or records a fault (faultPending) and
   * returns 0. `pc` is the loading instruction.
   */
  loadSlowAt(ea: number, size: 1 | 2 | 4, pc: number): number {
    this.curPc = pc;
    if (size > 1 && (ea & 0xFFF) > 0x1000 - size) {
      // Crosses a page: assemble from bytes, each translated (either page may fault).
      let v = 0;
      for (let k = 0; k < size; k++) {
        const pa = this.dataPa((ea + k) | 0, READ);
        if (pa < 0) return 0;
        v = (v << 8) | this.readPa(pa, 1);
      }
      return size === 4 ? v | 0 : v;
    }
    const pa = this.dataPa(ea, READ);
    return pa < 0 ? 0 : this.readPa(pa, size);
  }

  /** The store slow path: stores, or records a fault (faultPending) and stores nothing. */
  storeSlowAt(ea: number, size: 1 | 2 | 4, pc: number, value: number): void {
    this.curPc = pc;
    this.codeDirty = false;
    if (size > 1 && (ea & 0xFFF) > 0x1000 - size) {
      // Translate both pages before writing anything, so a fault leaves memory untouched.
      if (this.dataPa(ea, WRITE) < 0 || this.dataPa((ea + size - 1) | 0, WRITE) < 0) return;
      for (let k = 0; k < size; k++) this.writePa(this.dataPa((ea + k) | 0, WRITE), 1, (value >>> ((size - 1 - k) * 8)) & 0xFF);
      return;
    }
    const pa = this.dataPa(ea, WRITE);
    if (pa >= 0) this.writePa(pa, size, value);
  }

  /** Loads `size` bytes at ea (big-endian, zero-extended; words as int32); a fault throws. */
  loadSlow(ea: number, size: 1 | 2 | 4): number {
    const v = this.loadSlowAt(ea, size, this.curPc);
    if (this.faultPending) this.throwPending();
    return v;
  }

  storeSlow(ea: number, size: 1 | 2 | 4, value: number): void {
    this.storeSlowAt(ea, size, this.curPc, value);
    if (this.faultPending) this.throwPending();
  }

  // Fast-path accessors (aligned RAM through the soft TLB). The interpreter
  // inlines the same logic in its hottest cases.

  ld8(ea: number): number {
    const page = ea >>> 12;
    const idx = page & SOFT_TLB_MASK;
    if (this.rTag[idx] === ((ea & 0xFFFFF000) | this.dKey)) return this.ram8[(this.rVal[idx]! + ea) ^ 3]!;
    return this.loadSlow(ea, 1);
  }

  ld16(ea: number): number {
    const page = ea >>> 12;
    const idx = page & SOFT_TLB_MASK;
    if (this.rTag[idx] === ((ea & 0xFFFFF001) | this.dKey)) return this.ram16[((this.rVal[idx]! + ea) ^ 2) >> 1]!;
    return this.loadSlow(ea, 2);
  }

  ld32(ea: number): number {
    const page = ea >>> 12;
    const idx = page & SOFT_TLB_MASK;
    if (this.rTag[idx] === ((ea & 0xFFFFF003) | this.dKey)) return this.ram32[(this.rVal[idx]! + ea) >> 2]!;
    return this.loadSlow(ea, 4);
  }

  st8(ea: number, v: number): void {
    const page = ea >>> 12;
    const idx = page & SOFT_TLB_MASK;
    if (this.wTag[idx] === ((ea & 0xFFFFF000) | this.dKey)) this.ram8[(this.wVal[idx]! + ea) ^ 3] = v;
    else this.storeSlow(ea, 1, v & 0xFF);
  }

  st16(ea: number, v: number): void {
    const page = ea >>> 12;
    const idx = page & SOFT_TLB_MASK;
    if (this.wTag[idx] === ((ea & 0xFFFFF001) | this.dKey)) this.ram16[((this.wVal[idx]! + ea) ^ 2) >> 1] = v;
    else this.storeSlow(ea, 2, v & 0xFFFF);
  }

  st32(ea: number, v: number): void {
    const page = ea >>> 12;
    const idx = page & SOFT_TLB_MASK;
    if (this.wTag[idx] === ((ea & 0xFFFFF003) | this.dKey)) this.ram32[(this.wVal[idx]! + ea) >> 2] = v;
    else this.storeSlow(ea, 4, v);
  }

  // ---- instruction fetch ---------------------------------------------------

  /** Words first..last of a code page were written: drop the translations over them. */
  private codeChanged(ppage: number, first: number, last: number): void {
    const jp = this.jitPages[ppage];
    if (jp !== undefined && jp.invalidate(first, last)) this.codeDirty = true;
  }

  /** As codeChanged, on every core of the group (the decoded words are shared; translations are each core's). */
  private codeChangedEverywhere(ppage: number, first: number, last: number): void {
    this.codeChanged(ppage, first, last);
    if (this.group === null) return;
    for (const other of this.group.cores) {
      if (other === this) continue;
      const jp = other.jitPages[ppage];
      if (jp !== undefined) jp.invalidate(first, last);
    }
  }

  /**
   * The core stored `size` bytes of RAM at `pa` (within one page): if the
   * page is decoded and a line they touch holds a decoded word (a misaligned
   * store may straddle two lines), the words go (codeWritten).
   */
  private ramWritten(pa: number, size: number): void {
    const ppage = (pa / 4096) | 0;
    const code = this.codePages[ppage];
    if (code === undefined) return;
    for (let l = pa >>> CODE_LINE_SHIFT, last = (pa + size - 1) >>> CODE_LINE_SHIFT; l <= last; l++) {
      if (this.codeLines[l] !== 0) {
        this.codeWritten(ppage, code, (pa & 0xFFF) >>> 2, ((pa & 0xFFF) + size - 1) >>> 2);
        return;
      }
    }
  }

  /**
   * Words first..last of decoded page `ppage` (its `code`), in a line holding
   * a decoded word (ramWritten), were written: their decoded slots and the
   * translations over them go. After RETIRE_STORES such stores with no fetch
   * from the page (decodedPage counts from there), by code on another page,
   * the page stops being a code page. (Stores to its other lines invalidate
   * nothing; the WebAssembly makes them itself, emitCodeLineFree.)
   */
  private codeWritten(ppage: number, code: Int32Array, first: number, last: number): void {
    for (let w = first; w <= last; w++) code[w * 2] = 0;
    this.codeChangedEverywhere(ppage, first, last);
    if (++this.codeStores[ppage]! >= RETIRE_STORES && ppage * 4096 !== this.fetchBase) this.retireCodePage(ppage);
  }

  /**
   * Page `ppage` is decoded no more: its decoded slots emptied (for anything
   * still holding the array), every core's translations over it dropped and
   * its stores back on the fast path. Code fetched from it later decodes it
   * afresh (decodedPage), which makes stores slow again. Only a page other than
   * the one this core executes (fetchBase) is retired: execute() keeps the
   * current page's array in a local; another core's keeps its own only for
   * its turn, which has ended.
   */
  private retireCodePage(ppage: number): void {
    const code = this.codePages[ppage];
    if (code === undefined) return;
    code.fill(0);
    this.codePages[ppage] = undefined;
    this.codeStores[ppage] = 0;
    this.codeLines.fill(0, (ppage * 4096) >>> CODE_LINE_SHIFT, ((ppage + 1) * 4096) >>> CODE_LINE_SHIFT);
    this.codeChangedEverywhere(ppage, 0, 1023);
    const base = ppage * 4096;
    if (this.group === null) this.flagCodePage(base, false);
    else for (const core of this.group.cores) core.flagCodePage(base, false);
  }

  /**
   * A page at physical byte `base` now holds decoded words (`code`: stores to it
   * through the write cache must take the slow path), or no longer does.
   */
  private flagCodePage(base: number, code = true): void {
    for (let k = 0; k < SOFT_TLB_SIZE; k++) {
      const t = this.wTag[k]!;
      if (t !== -1 && !(t & TAG_MMIO) && ((this.wVal[k]! + (t & ~0xFFF)) | 0) === base) this.wTag[k] = code ? t | TAG_CODE : t & ~TAG_CODE;
    }
  }

  /**
   * The decoded page holding the instruction at pc (translating it, which may
   * raise an ITLB miss or ISI). Its entries are [id, word] pairs.
   */
  fetchPage(pc: number): Int32Array {
    if (pc & 3) {
      // Branches clear the low bits; a misaligned pc cannot arise, but be safe.
      throw new CheckStop(`misaligned instruction address 0x${(pc >>> 0).toString(16)}`);
    }
    if (this.stopRequested) {
      // A debugger's stop: the next instruction is a breakpoint, wherever it is.
      this.fetchJit = null;
      this.fetchBase = -1;
      return STOP_PAGE;
    }
    const page = pc >>> 12;
    const idx = page & SOFT_TLB_MASK;
    let pa: number;
    if (this.xTag[idx] === ((pc & ~0xFFF) | this.iKey)) pa = this.xVal[idx]!;
    else pa = this.translateOrThrow(pc & ~0xFFF, EXEC);
    if (pa >= this.bus.ramSize) {
      // Executing device memory: decode a private copy each time (never cached, never translated).
      this.fetchJit = null;
      this.fetchBase = -1;
      const code = new Int32Array(2048);
      for (let w = 0; w < 1024; w++) code[w * 2 + 1] = this.bus.mmioRead(pa - (pa % 4096) + w * 4, 4);
      return code;
    }
    const ppage = (pa / 4096) | 0;
    const code = this.decodedPage(ppage);
    this.fetchBase = ppage * 4096;
    this.fetchJit = this.jitEnabled ? this.jitPages[ppage] ?? this.jitPageFor(ppage) : null;
    return code;
  }

  /**
   * The translator's page for RAM page `ppage`, made if new: its heat counts
   * in the core's heat arena (memory.ts) while the arena has room, where the
   * WebAssembly interpreter counts too. A page made again (after its
   * translations were dropped) gets its slot back, zeroed.
   */
  jitPageFor(ppage: number): JitPage {
    let jp = this.jitPages[ppage];
    if (jp !== undefined) return jp;
    const mem = this.bus.memory;
    let slot = this.heatSlots !== null ? this.heatSlots[ppage]! - 1 : -1;
    if (slot < 0 && mem !== undefined && this.heatSlots !== null && this.heatUsed < mem.heatSlots) {
      slot = this.heatUsed++;
      this.heatSlots[ppage] = slot + 1;
    }
    if (slot >= 0 && mem !== undefined) {
      const addr = this.heatBase + slot * HEAT_PAGE_BYTES;
      jp = new JitPage(new Int32Array(mem.memory.buffer, addr, 1024).fill(0), addr);
    } else {
      jp = new JitPage();
    }
    this.jitPages[ppage] = jp;
    return jp;
  }

  /**
   * The decoded page of RAM page `ppage`, created (undecoded) if it does not
   * exist yet. Its slots start empty, words too: whoever finds a slot not
   * decoded (id 0: the interpreter, the translator's planner) reads its word
   * from RAM then.
   */
  private decodedPage(ppage: number): Int32Array {
    this.codeStores[ppage] = 0;
    let code = this.codePages[ppage];
    if (code === undefined) {
      code = new Int32Array(2048);
      const base = ppage * 4096;
      this.codePages[ppage] = code;
      // Stores to this page (from any core) must now invalidate decoded words: re-flag write-cache entries.
      if (this.group === null) this.flagCodePage(base);
      else for (const core of this.group.cores) core.flagCodePage(base);
    }
    return code;
  }

  // ---- breakpoints (a debugger's) ---------------------------------------------

  /** Physical addresses of instruction breakpoints, or null (none: the usual case). */
  codeBreaks: Set<number> | null = null;

  /** Makes the WebAssembly interpreter (the interpreter asks at its first use): WASM_INTERP_MADE, or WASM_INTERP_NONE. */
  makeWasmInterpreter(): number {
    if (this.jitBackend !== 'wasm' || this.bus.memory === undefined) return (this.wasmInterp = WASM_INTERP_NONE);
    this.wasm ??= new WasmCore(this, this.bus.memory.memory, this.areaBase);
    this.wasmInterpFn = this.wasm.install(wasmInterpreter());
    return (this.wasmInterp = WASM_INTERP_MADE);
  }

  /**
   * Translates the region entered at word w of a code page (decoded in
   * `code`, physical address pageBase), leaving out what the interpreter never
   * ran (`hot`, the interpreter's counts): to WebAssembly or JavaScript (jitBackend). Null when the
   * first instruction is not translatable.
   */
  translateRegion(code: Int32Array, pageBase: number, w: number, hot: Int32Array): JitBlock | null {
    // Translating at first sight (a threshold of 1, the tests' eager mode), nothing after the entry has run yet: take every path.
    const seen = this.jitThreshold > 1 ? hot : null;
    if (this.jitBackend === 'js' || this.bus.memory === undefined) return translate(code, this.ram32, this.codeLines, pageBase, w, this.codeBreaks, seen);
    const plan = planRegion(code, this.ram32, this.codeLines, pageBase, w, this.codeBreaks, seen, wasmSupports);
    if (plan === null) return null;
    this.wasm ??= new WasmCore(this, this.bus.memory.memory, this.areaBase);
    return this.wasm.compile(plan);
  }
  /** Set when execution stopped before an instruction at a breakpoint; the debugger clears it. */
  breakHit = false;
  /** Per SPR number: WATCH bits a debugger watches (mfspr/mtspr stop in front of the access), or null. */
  sprWatch: Uint8Array | null = null;
  /** Lets the next watched access through once (the debugger resuming from it). */
  watchPass = false;
  /** The access a watch stopped in front of; the debugger clears it. */
  watchHit: SprWatchHit | null = null;
  /**
   * A debugger asked the core to stop at the next instruction boundary (after
   * an exit it watches): execution ends there as at a breakpoint.
   */
  stopRequested = false;

  /** Stop at the next instruction boundary (from inside an instruction or an exit). */
  requestStop(): void {
    this.stopRequested = true;
    this.irqPoll = 1;
  }

  /** mfspr/mtspr of a watched SPR: stop in front of it, unless passing it once. */
  private watched(spr: number, write: boolean, value: number, pc: number): void {
    if (this.watchPass) {
      this.watchPass = false;
      return;
    }
    this.watchHit = { spr, write, value: value >>> 0, pc };
    this.curPc = pc;
    throw DEBUG_HALT;
  }

  /**
   * Arms breakpoints at these physical RAM addresses (replacing any armed
   * before): each one's decoded slot gets ID_BREAKPOINT, and translated code
   * over it is dropped, so the interpreter stops in front of it at full speed.
   * A slot decoded again later (after a store to it) checks the set anew.
   */
  setCodeBreakpoints(pas: Iterable<number>): void {
    if (this.codeBreaks !== null) {
      for (const pa of this.codeBreaks) {
        const code = this.codePages[(pa / 4096) | 0];
        const slot = ((pa & 0xFFF) >>> 2) * 2;
        if (code !== undefined && code[slot] === ID_BREAKPOINT) code[slot] = 0;
        // The translator found nothing to translate at the breakpoint: let it try again.
        const jp = this.jitPages[(pa / 4096) | 0];
        if (jp !== undefined && jp.blocks !== null && jp.blocks[slot >> 1] === null) {
          jp.blocks[slot >> 1] = undefined;
          jp.hot[slot >> 1] = 0;
        }
      }
    }
    const set = new Set<number>();
    for (const pa of pas) if (pa >= 0 && pa < this.bus.ramSize && (pa & 3) === 0) set.add(pa);
    this.codeBreaks = set.size > 0 ? set : null;
    for (const pa of set) {
      const ppage = (pa / 4096) | 0;
      const w = (pa & 0xFFF) >>> 2;
      this.decodedPage(ppage)[w * 2] = ID_BREAKPOINT;
      this.codeLines[pa >>> CODE_LINE_SHIFT] = 1;
      this.codeChanged(ppage, w, w);
    }
  }

  /**
   * Reads the instruction word at pc from memory again (its decoded slot was
   * invalidated by a store, or never filled) and stores it in the page: from
   * `base`, the physical page the decoded page belongs to, so that a word can
   * never land in another page's decoded copy; device memory (base -1: a
   * private copy) through the translation.
   */
  refetchWord(pc: number, code: Int32Array, slot: number, base: number): number {
    let word: number;
    if (base >= 0) {
      word = this.ram32[(base + (pc & 0xFFF)) >> 2]!;
      this.codeLines[(base + (pc & 0xFFF)) >>> CODE_LINE_SHIFT] = 1;
    } else {
      const page = pc >>> 12;
      const idx = page & SOFT_TLB_MASK;
      const pa = this.xTag[idx] === ((pc & ~0xFFF) | this.iKey) ? this.xVal[idx]! + (pc & 0xFFF) : this.translateOrThrow(pc, EXEC);
      word = pa < this.bus.ramSize ? this.ram32[pa >> 2]! : this.bus.mmioRead(pa, 4);
      if (pa < this.bus.ramSize) this.codeLines[pa >>> CODE_LINE_SHIFT] = 1;
    }
    code[slot + 1] = word;
    return word;
  }

  /**
   * The instruction word at effective address pc as the guest would fetch it
   * now, without side effects (no fault, no cached translation); 0 when it is
   * not mapped. For tools (the exit trace).
   */
  peekInstruction(pc: number): number {
    const as = (this.msr & MSR.IS) !== 0 ? 1 : 0;
    const i = this.tlb.lookup(pc, as, this.pid, (this.msr & MSR.GS) !== 0 ? 1 : 0, this.lpid);
    if (i < 0) return 0;
    const pa = this.tlb.physical(i, pc);
    return pa + 4 <= this.bus.ramSize ? this.ram32[pa >> 2]! : 0;
  }

  /** Decodes an instruction word (for tools; the interpreter decodes lazily). */
  static decode(word: number): number {
    return decode(word);
  }

  /** Stores a doubleword (FP) so that a fault on either half leaves memory untouched. */
  store64(ea: number, hi: number, lo: number): void {
    if ((ea & 0xFFF) > 0xFF8) {
      if (this.dataPa(ea, WRITE) < 0 || this.dataPa((ea + 4) | 0, WRITE) < 0) this.throwPending();
    }
    this.st32(ea, hi);
    this.st32((ea + 4) | 0, lo);
  }

  /** dcbz: zeroes the cache line (a store for translation and permission purposes). */
  zeroLine(ea: number, size: number): void {
    const pa = this.dataPa(ea, WRITE);
    if (pa < 0) this.throwPending();
    if (pa < this.bus.ramSize) {
      // A loop, not fill(): for a 64-byte line it is several times faster.
      const ram32 = this.ram32;
      for (let w = pa >> 2, end = (pa + size) >> 2; w < end; w++) ram32[w] = 0;
      this.ramWritten(pa, size);
    } else {
      for (let k = 0; k < size; k += 4) this.bus.mmioWrite(pa + k, 4, 0);
    }
  }

  // ---- MSR writes and interrupt returns -----------------------------------

  /** mtmsr/wrtee/wrteei: a guest cannot change MSR[GS], nor the bits MSRP protects. */
  writeMsr(value: number): void {
    if (this.deprivileged) {
      this.setGuestMsr(value);
      return;
    }
    const gs = this.msr & MSR.GS;
    if (!gs) {
      this.setMsr(value & ~MSR.GS);
      return;
    }
    const keep = this.msrProtected();
    this.setMsr(((value & ~keep) | (this.msr & keep)) | MSR.GS);
  }

  /** MSR bits a guest may not change (MSRP: UCLEP, DEP, PMMP protect MSR[UCLE], [DE], [PMM]). */
  private msrProtected(): number {
    if (this.deprivileged) return 0;
    const msrp = this.spr[SPR.MSRP]!;
    return (msrp & MSR.UCLE) | (msrp & MSR.DE) | (msrp & MSR.PMM);
  }

  /** The MSR as the guest sees it: its own under trap-and-emulate, the real one otherwise. */
  guestMsr(): number {
    return this.deprivileged ? this.vmsr : this.msr;
  }

  /**
   * Sets the guest's MSR: under trap-and-emulate the guest's own (and the
   * real one derived from it, always in user mode), otherwise the real one in
   * guest state.
   */
  setGuestMsr(value: number): void {
    if (!this.deprivileged) {
      this.setMsr(value | MSR.GS);
      return;
    }
    const v = value & MSR_MASK & ~MSR.GS;
    const old = this.vmsr;
    this.vmsr = v;
    this.setMsr(realMsrFor(v));
    // An enable the guest turned on may let a held interrupt in.
    if ((v & ~old) & (MSR.EE | MSR.CE)) this.irqPoll = 1;
    if (((old ^ v) & (MSR.PR | MSR.IS | MSR.DS)) !== 0 && this.onGuestMsr !== null) this.onGuestMsr();
  }

  /**
   * rfi, rfci, rfmci, rfdi, rfgi (ids from isa.ts). Returns the new pc. In
   * guest state rfi returns through the guest's GSRR0/1 (it acts as rfgi,
   * keeping MSR[GS] and the bits MSRP protects); the others reach here in
   * guest state only through a hypervisor's emulation. In hypervisor state
   * the MSR comes whole from the save/restore register, so an rfi with
   * SRR1[GS] set, or rfgi, enters the guest.
   */
  returnFromInterrupt(id: number, _pc: number): number {
    if (this.deprivileged) return this.returnFromInterruptVirtual(id);
    const guest = (this.msr & MSR.GS) !== 0;
    let srr0: number;
    let srr1: number;
    switch (id) {
      case 54: srr0 = SPR.CSRR0; srr1 = SPR.CSRR1; break;
      case 51: srr0 = SPR.MCSRR0; srr1 = SPR.MCSRR1; break;
      case 52: srr0 = SPR.DSRR0; srr1 = SPR.DSRR1; break;
      case 55: srr0 = 378; srr1 = 379; break; // rfgi: GSRR0/1
      default:
        srr0 = guest ? 378 : SPR.SRR0;
        srr1 = guest ? 379 : SPR.SRR1;
        break;
    }
    const target = this.spr[srr0]! & ~3;
    this.resAddr = -1;
    if (guest) {
      this.writeMsr(this.spr[srr1]!);
      this.irqPoll = 1;
      return target;
    }
    const polled = this.irqPoll;
    this.setMsr(id === 55 ? this.spr[srr1]! | MSR.GS : this.spr[srr1]!);
    // The interpreter looks for interrupts (leaving its loop for the run loop's check) only if one can be
    // taken at the target: the run loop itself looks only when interruptPending() says so. Entering a guest
    // always looks (the hypervisor may have one to inject). A handler's rfi that re-enables MSR[EE] with
    // nothing pending thus costs no round trip through the run loop (memwalk: one per TLB miss).
    this.irqPoll = polled !== 0 || (this.msr & MSR.GS) !== 0 || this.interruptPending() ? 1 : 0;
    return target;
  }

  /** Trap-and-emulate: the guest's rfi/rfci/rfmci/rfdi through its own save/restore pairs, into its own MSR. */
  private returnFromInterruptVirtual(id: number): number {
    let srr0: number = SPR.SRR0;
    let srr1: number = SPR.SRR1;
    if (id === 54) { srr0 = SPR.CSRR0; srr1 = SPR.CSRR1; }
    else if (id === 51) { srr0 = SPR.MCSRR0; srr1 = SPR.MCSRR1; }
    else if (id === 52) { srr0 = SPR.DSRR0; srr1 = SPR.DSRR1; }
    const target = this.spr[srr0]! & ~3;
    this.resAddr = -1;
    this.setGuestMsr(this.spr[srr1]!);
    this.irqPoll = 1;
    return target;
  }

  /** A hypervisor-privileged operation in guest state with no hooks: the hypervisor privilege interrupt (IVOR41), SRR0 at the instruction. */
  hvPrivilege(): never {
    this.faultTlbMiss = false;
    return this.fault(IVOR.HV_PRIVILEGE, 0, 0);
  }

  /** Recomputes which interrupts go to the guest from EPCR and the lab's extra direction bits. */
  updateDirection(): void {
    const e = this.spr[SPR.EPCR]!;
    let d = this.labDirected;
    if (e & EPCR.EXTGS) d |= 1 << IVOR.EXTERNAL;
    if (e & EPCR.DTLBGS) d |= 1 << IVOR.DTLB;
    if (e & EPCR.ITLBGS) d |= 1 << IVOR.ITLB;
    if (e & EPCR.DSIGS) d |= 1 << IVOR.DSI;
    if (e & EPCR.ISIGS) d |= 1 << IVOR.ISI;
    this.guestDirected = d;
  }

  /** In guest state: does the hardware deliver interrupt `ivor` to the guest itself? */
  toGuest(ivor: number): boolean {
    return ivor < 32 && (this.guestDirected & (1 << ivor)) !== 0 && (COPIES_NEEDED[ivor]! & this.guestCopiesMissing) === 0;
  }

  // ---- doorbells ------------------------------------------------------------

  /** Pending processor doorbell (msgsnd type 0) and critical doorbell (type 1). */
  doorbellPending = 0;

  /**
   * msgsnd/msgclr of a doorbell message (rb as in Linux asm/dbell.h): type 0
   * doorbell, 1 critical doorbell, 2 guest doorbell, 3 guest critical
   * doorbell. A message is accepted when broadcast or tagged with this
   * core's PIR; guest doorbells also need the LPID tag to match LPIDR.
   */
  doorbell(send: boolean, rb: number): void {
    if (send && this.group !== null) {
      for (const core of this.group.cores) core.acceptDoorbell(true, rb);
    } else {
      this.acceptDoorbell(send, rb);
    }
  }

  /** A doorbell message sent (or msgclr executed) reaching this core. */
  private acceptDoorbell(send: boolean, rb: number): void {
    const type = (rb >>> 27) & 0x1F;
    const lpidTag = (rb >>> 14) & 0xFF;
    if (type > 3) return;
    if (type >= 2) {
      const bit = 1 << (type - 2);
      if (!send) this.guestDoorbells &= ~bit;
      else if (doorbellAddresses(rb, this.pir) && lpidTag === this.lpid) {
        this.guestDoorbells |= bit;
        this.irqPoll = 1;
      }
      return;
    }
    if (send) {
      if (doorbellAddresses(rb, this.pir)) {
        this.doorbellPending |= 1 << type;
        this.irqPoll = 1;
      }
    } else {
      this.doorbellPending &= ~(1 << type);
    }
  }

  // ---- faults and interrupts ----------------------------------------------

  /** Abandons the current instruction with a synchronous interrupt. */
  fault(ivor: number, esr: number, dear: number): never {
    this.faultIvor = ivor;
    this.faultEsr = esr;
    this.faultDear = dear;
    throw FAULT;
  }

  /** Program interrupt: illegal instruction. */
  illegal(): never {
    this.faultTlbMiss = false;
    return this.fault(IVOR.PROGRAM, ESR.PIL, 0);
  }

  /** Program interrupt: privileged instruction in user mode. */
  privileged(): never {
    this.faultTlbMiss = false;
    return this.fault(IVOR.PROGRAM, ESR.PPR, 0);
  }

  /**
   * As privileged(), recorded instead of thrown: the interpreter delivers it
   * without unwinding the stack (interp.ts). A deprivileged guest kernel (the
   * trap-and-emulate model) takes this fault for every privileged instruction
   * and SPR access, and a throw costs V8 1-4 us: most of that model's host time.
   */
  privilegedRecorded(): typeof FAULTED {
    this.faultTlbMiss = false;
    this.faultIvor = IVOR.PROGRAM;
    this.faultEsr = ESR.PPR;
    this.faultDear = 0;
    return FAULTED;
  }

  /**
   * Delivers the interrupt recorded by fault() for the instruction at pc;
   * returns the new pc. TLB misses preload MAS and storage interrupts set
   * MAS6, except on their way to the hypervisor while EPCR[DMIUH] is set
   * (the guest's MAS stay as it left them; a hypervisor that reflects the
   * miss fills them in software).
   */
  deliverFault(pc: number): number {
    const ivor = this.faultIvor;
    // Under trap-and-emulate the MAS registers are the guest's: an interrupt
    // on its way to the hypervisor leaves them alone (the hypervisor fills
    // them in software when it reflects a miss), as DMIUH does in guest state.
    const toHypervisor = this.deprivileged ? !this.fromHypervisor : (this.msr & MSR.GS) !== 0 && !this.fromHypervisor && !this.toGuest(ivor);
    const updateMas = !toHypervisor || (!this.deprivileged && (this.spr[SPR.EPCR]! & EPCR.DMIUH) === 0);
    if (this.faultTlbMiss) {
      if (updateMas) this.preloadMasOnMiss(this.faultEa, this.faultAs, this.tlb.victim(this.faultEa));
      this.faultTlbMiss = false;
    } else if ((ivor === IVOR.DSI || ivor === IVOR.ISI) && updateMas) {
      this.storageFaultMas6(ivor);
    }
    return this.interrupt(ivor, pc, this.faultEsr, this.faultDear);
  }

  /** MAS6 as a storage interrupt leaves it: the search PID and the faulting address space. */
  storageFaultMas6(ivor: number, pid = this.pid): void {
    const as = ivor === IVOR.ISI ? (this.msr & MSR.IS ? 1 : 0) : (this.msr & MSR.DS ? 1 : 0);
    this.spr[SPR.MAS6] = (pid << MAS.SPID_SHIFT) | as;
  }

  /** MAS registers after a TLB miss, from the MAS4 defaults (booke-hv-facts.md section 5). */
  preloadMasOnMiss(ea: number, as: number, victimWay: number, pid = this.pid): void {
    const mas4 = this.spr[SPR.MAS4]!;
    const tlbsel = mas4 & MAS.TLBSELD ? 1 : 0;
    const esel = tlbsel ? 0 : victimWay;
    const nv = tlbsel ? 0 : (esel + 1) & 3;
    this.spr[SPR.MAS0] = (tlbsel ? MAS.TLBSEL : 0) | (esel << MAS.ESEL_SHIFT) | nv;
    this.spr[SPR.MAS1] = MAS.V | (pid << MAS.TID_SHIFT) | (as ? MAS.TS : 0) | (mas4 & MAS.TSIZED_MASK);
    this.spr[SPR.MAS2] = (ea & MAS.EPN_MASK) | (mas4 & MAS.WIMGE_MASK);
    this.spr[SPR.MAS3] &= MAS.U_MASK;
    this.spr[SPR.MAS7] = 0;
    this.spr[SPR.MAS6] = (pid << MAS.SPID_SHIFT) | as;
  }

  /**
   * Delivers interrupt `ivor` with return address srr0: saves the return
   * state in the pair the interrupt class uses, sets ESR/DEAR where the class
   * defines them, clears MSR per class, and returns the vector address.
   */
  interrupt(ivor: number, srr0: number, esr: number, dear: number): number {
    if (this.deprivileged && this.hooks !== null) {
      // No virtualization hardware: everything reaches the hypervisor, except what its own emulation raised.
      if (this.fromHypervisor) {
        this.fromHypervisor = false;
        return this.deliverGuest(ivor, srr0, esr, dear);
      }
      return this.hooks.interrupt(this, ivor, srr0, esr, dear);
    }
    if (this.msr & MSR.GS) {
      if (this.fromHypervisor) {
        this.fromHypervisor = false;
        return this.deliverGuest(ivor, srr0, esr, dear);
      }
      if (this.toGuest(ivor)) return this.deliverGuest(ivor, srr0, esr, dear);
      if (this.hooks !== null) return this.hooks.interrupt(this, ivor, srr0, esr, dear);
    }
    this.fromHypervisor = false;
    return this.deliverHv(ivor, srr0, esr, dear);
  }

  /**
   * Raises an interrupt from inside the hypervisor's emulation of an
   * instruction (e.g. a program interrupt for an SPR the guest may not use):
   * it goes to the guest as the hardware would deliver it, without another exit.
   */
  faultFromHypervisor(ivor: number, esr: number, dear: number): never {
    this.fromHypervisor = true;
    this.faultTlbMiss = false;
    return this.fault(ivor, esr, dear);
  }

  /**
   * Saves the return state of interrupt `ivor` in the pair its class uses
   * (critical, machine check and debug have their own; the others use
   * `pair0`/`pair1`) and returns the MSR bits the class keeps.
   */
  private saveReturnState(ivor: number, srr0: number, msr: number, pair0: number, pair1: number): number {
    let save0 = pair0;
    let save1 = pair1;
    let keep = MSR.CE | MSR.ME | MSR.DE;
    switch (ivor) {
      case IVOR.CRITICAL: case IVOR.WATCHDOG: case IVOR.DOORBELL_CRIT: case IVOR.GUEST_DOORBELL_CRIT:
        save0 = SPR.CSRR0; save1 = SPR.CSRR1; keep = MSR.ME;
        break;
      case IVOR.MACHINE_CHECK:
        save0 = SPR.MCSRR0; save1 = SPR.MCSRR1; keep = 0;
        break;
      case IVOR.DEBUG:
        save0 = SPR.DSRR0; save1 = SPR.DSRR1; keep = MSR.ME;
        break;
      default:
        break;
    }
    this.spr[save0] = srr0;
    this.spr[save1] = msr;
    return msr & keep;
  }

  /** External proxy: an external interrupt taken loads EPR (GEPR when it goes to the guest) with the acknowledged vector. */
  private loadEpr(reg: number): void {
    if (this.externalProxy === null) return;
    const vector = this.externalProxy.proxyAcknowledge(this.index);
    if (vector >= 0) this.spr[reg] = vector;
  }

  /** ESR and DEAR (or their guest copies) as the interrupt's class defines them; system call and FP unavailable leave ESR as it was (as QEMU's e500mc does). */
  private setSyndrome(ivor: number, esr: number, dear: number, esrReg: number, dearReg: number): void {
    switch (ivor) {
      case IVOR.DSI: case IVOR.ALIGNMENT: case IVOR.DTLB:
        this.spr[dearReg] = dear;
        this.spr[esrReg] = esr;
        break;
      case IVOR.ISI: case IVOR.PROGRAM: case IVOR.ITLB:
        this.spr[esrReg] = esr;
        break;
      default:
        break;
    }
  }

  /**
   * Delivery to the hypervisor (or natively, to the one operating system):
   * the save/restore pair of the interrupt's class, ESR/DEAR where the class
   * defines them, the MSR cleared per class with MSR[GS] cleared, and the
   * vector from IVPR and IVORn. A guest doorbell saves the guest's PC and MSR
   * in GSRR0/1, as the hardware does for it. Returns the vector address.
   */
  deliverHv(ivor: number, srr0: number, esr: number, dear: number): number {
    const gdbell = ivor === IVOR.GUEST_DOORBELL;
    const newMsr = this.saveReturnState(ivor, srr0, this.msr, gdbell ? 378 : SPR.SRR0, gdbell ? 379 : SPR.SRR1);
    this.setSyndrome(ivor, esr, dear, SPR.ESR, SPR.DEAR);
    if (ivor === IVOR.EXTERNAL) this.loadEpr(SPR.EPR);
    this.resAddr = -1;
    this.setMsr(newMsr);
    return ((this.spr[SPR.IVPR]! & 0xFFFF0000) | (this.spr[ivorSpr(ivor)]! & 0xFFF0)) | 0;
  }

  /**
   * Delivery to the guest in guest state, by the hardware (an interrupt
   * directed to the guest) or by a hypervisor's software (reflection,
   * injection): the guest's save/restore pair (GSRR0/1; the critical,
   * machine-check and debug pairs are the hypervisor's to emulate, so the
   * guest's values are in the physical registers), GESR/GDEAR, the MSR
   * cleared per class with MSR[GS] and the bits MSRP protects kept, and the
   * vector from GIVPR and GIVORn (IVORn for interrupts 2.06 gives no guest
   * copy, where a hypervisor keeps the guest's value). Returns the vector.
   */
  deliverGuest(ivor: number, srr0: number, esr: number, dear: number): number {
    if (this.deprivileged) return this.deliverVirtual(ivor, srr0, esr, dear);
    const msr = this.msr;
    let newMsr = this.saveReturnState(ivor, srr0, msr, 378, 379);
    this.setSyndrome(ivor, esr, dear, 383, 381);
    if (ivor === IVOR.EXTERNAL) this.loadEpr(380);
    this.resAddr = -1;
    const keep = this.msrProtected();
    newMsr = (newMsr & ~keep) | (msr & keep);
    this.setMsr(newMsr | MSR.GS);
    const ivorReg = ivorSpr(ivor);
    const g = GUEST_COPY[ivorReg]!; // GIVORn where 2.06 has one
    return ((this.spr[447]! & 0xFFFF0000) | (this.spr[g !== 0 ? g : ivorReg]! & 0xFFF0)) | 0;
  }

  /**
   * Trap-and-emulate: the hypervisor delivers an interrupt to the guest in
   * software, exactly as the core would natively: the guest's save/restore
   * pair, ESR/DEAR, EPR, its MSR cleared per class, its IVPR and IVORn.
   */
  private deliverVirtual(ivor: number, srr0: number, esr: number, dear: number): number {
    const newMsr = this.saveReturnState(ivor, srr0, this.vmsr, SPR.SRR0, SPR.SRR1);
    this.setSyndrome(ivor, esr, dear, SPR.ESR, SPR.DEAR);
    if (ivor === IVOR.EXTERNAL) this.loadEpr(SPR.EPR);
    this.resAddr = -1;
    this.setGuestMsr(newMsr);
    return ((this.spr[SPR.IVPR]! & 0xFFFF0000) | (this.spr[ivorSpr(ivor)]! & 0xFFF0)) | 0;
  }

  /** Delivers the highest-priority pending asynchronous interrupt, if enabled. Returns true if taken. */
  checkInterrupts(): boolean {
    this.irqPoll = 0;
    if (this.msr & MSR.GS || this.deprivileged) return this.checkGuestInterrupts();
    const msr = this.msr;
    const tsr = this.timers.tsr;
    const tcr = this.timers.tcr;
    let ivor = -1;
    if (msr & MSR.CE) {
      if (this.critInput) ivor = IVOR.CRITICAL;
      else if (tsr & TSR.WIS && tcr & TCR.WIE) ivor = IVOR.WATCHDOG;
      else if (this.doorbellPending & 2) {
        ivor = IVOR.DOORBELL_CRIT;
        this.doorbellPending &= ~2;
      }
    }
    if (ivor < 0 && msr & MSR.EE) {
      if (this.extInput) ivor = IVOR.EXTERNAL;
      else if (tsr & TSR.FIS && tcr & TCR.FIE) ivor = IVOR.FIT;
      else if (tsr & TSR.DIS && tcr & TCR.DIE) ivor = IVOR.DECREMENTER;
      else if (this.doorbellPending & 1) {
        ivor = IVOR.DOORBELL;
        this.doorbellPending &= ~1;
      }
    }
    if (ivor < 0) return false;
    this.waiting = false;
    this.pc = this.interrupt(ivor, this.pc, 0, 0);
    return true;
  }

  /** Timer expiries that are host events: the timers the hypervisor emulates (FIT and watchdog always; the decrementer unless directed to the guest). */
  private hvTimerMask(): number {
    return (this.guestDirected & (1 << IVOR.DECREMENTER) ? 0 : HOST.DEC) | HOST.FIT | HOST.WATCHDOG;
  }

  /**
   * Interrupts in guest state under a hypervisor, in priority order:
   * interrupts directed to the hypervisor first, whatever the guest's MSR
   * (host events, processor doorbells); then guest doorbells, which need the
   * guest's MSR[CE]/[EE]; then what the hypervisor holds for the guest
   * (injected without an exit); then the sources directed to the guest,
   * gated by the guest's own enables.
   */
  private checkGuestInterrupts(): boolean {
    const hooks = this.hooks;
    if (hooks === null) return this.checkGuestInterruptsInHardware();
    const msr = this.msr;
    this.hostEvents |= this.timers.takeExpired() & this.hvTimerMask();
    const waiting = this.waiting;
    // Any interrupt taken ends a wait; the hypervisor may put an idle vCPU back to sleep.
    this.waiting = false;
    let pc: number;
    if (this.hostEvents !== 0) {
      const events = this.hostEvents;
      this.hostEvents = 0;
      pc = hooks.hostEvent(this, events, this.pc);
    } else if (this.doorbellPending !== 0) {
      const crit = (this.doorbellPending & 2) !== 0;
      this.doorbellPending &= crit ? ~2 : ~1;
      pc = hooks.interrupt(this, crit ? IVOR.DOORBELL_CRIT : IVOR.DOORBELL, this.pc, 0, 0);
    } else if (this.guestDoorbells & 2 && msr & MSR.CE) {
      this.guestDoorbells &= ~2;
      pc = hooks.interrupt(this, IVOR.GUEST_DOORBELL_CRIT, this.pc, 0, 0);
    } else if (this.guestDoorbells & 1 && msr & MSR.EE) {
      this.guestDoorbells &= ~1;
      pc = hooks.interrupt(this, IVOR.GUEST_DOORBELL, this.pc, 0, 0);
    } else if (this.injectPending) {
      this.injectPending = false;
      pc = hooks.enter(this, this.pc);
    } else {
      const direct = this.guestDirected;
      let ivor = -1;
      if (msr & MSR.EE) {
        if (direct & (1 << IVOR.EXTERNAL) && this.extInput) ivor = IVOR.EXTERNAL;
        else if (direct & (1 << IVOR.DECREMENTER) && this.timers.tsr & TSR.DIS && this.timers.tcr & TCR.DIE) ivor = IVOR.DECREMENTER;
      }
      if (ivor < 0) {
        this.waiting = waiting;
        return false;
      }
      // Directed to the guest: the hypervisor hears of it only to wake its vCPU if idle, then delivers it as the hardware would.
      pc = hooks.interrupt(this, ivor, this.pc, 0, 0);
    }
    const taken = pc !== this.pc || !this.waiting;
    this.pc = pc;
    return taken;
  }

  /**
   * Interrupts in guest state with a hypervisor running on the core itself
   * (no hooks): the architected behaviour. Interrupts directed to the
   * hypervisor are taken whatever the guest's MSR[EE]/[CE] (GS=1 enables
   * them); those directed to the guest wait for the guest's enables; guest
   * doorbells need the guest's enables and go to the hypervisor.
   */
  private checkGuestInterruptsInHardware(): boolean {
    this.timers.takeExpired();
    const ivor = this.nextGuestInterruptInHardware();
    if (ivor < 0) return false;
    switch (ivor) {
      case IVOR.DOORBELL_CRIT: this.doorbellPending &= ~2; break;
      case IVOR.DOORBELL: this.doorbellPending &= ~1; break;
      case IVOR.GUEST_DOORBELL_CRIT: this.guestDoorbells &= ~2; break;
      case IVOR.GUEST_DOORBELL: this.guestDoorbells &= ~1; break;
    }
    const toGuest = (ivor === IVOR.EXTERNAL || ivor === IVOR.DECREMENTER) && this.toGuest(ivor);
    this.waiting = false;
    this.pc = toGuest ? this.deliverGuest(ivor, this.pc, 0, 0) : this.deliverHv(ivor, this.pc, 0, 0);
    return true;
  }

  /** The interrupt checkGuestInterruptsInHardware takes next (in priority order), or -1; changes nothing. */
  private nextGuestInterruptInHardware(): number {
    const msr = this.msr;
    const tsr = this.timers.tsr;
    const tcr = this.timers.tcr;
    if (this.critInput) return IVOR.CRITICAL;
    if (tsr & TSR.WIS && tcr & TCR.WIE) return IVOR.WATCHDOG;
    if (this.doorbellPending & 2) return IVOR.DOORBELL_CRIT;
    if (this.guestDoorbells & 2 && msr & MSR.CE) return IVOR.GUEST_DOORBELL_CRIT;
    if (this.extInput && (!this.toGuest(IVOR.EXTERNAL) || msr & MSR.EE)) return IVOR.EXTERNAL;
    if (tsr & TSR.FIS && tcr & TCR.FIE) return IVOR.FIT;
    if (tsr & TSR.DIS && tcr & TCR.DIE && (!this.toGuest(IVOR.DECREMENTER) || msr & MSR.EE)) return IVOR.DECREMENTER;
    if (this.doorbellPending & 1) return IVOR.DOORBELL;
    if (this.guestDoorbells & 1 && msr & MSR.EE) return IVOR.GUEST_DOORBELL;
    return -1;
  }

  /** What wakes a core waiting in guest state under a hypervisor (see checkGuestInterrupts). */
  private guestInterruptPending(): boolean {
    if (this.hooks === null) return this.nextGuestInterruptInHardware() >= 0;
    const msr = this.msr;
    if (this.hostEvents !== 0 || (this.timers.expired & this.hvTimerMask()) !== 0 || this.doorbellPending !== 0) return true;
    if ((this.guestDoorbells & 2 && msr & MSR.CE) || (this.guestDoorbells & 1 && msr & MSR.EE)) return true;
    if (this.injectPending) return true;
    if (!(msr & MSR.EE)) return false;
    const direct = this.guestDirected;
    return (direct & (1 << IVOR.EXTERNAL) && this.extInput)
      || (direct & (1 << IVOR.DECREMENTER) && this.timers.tsr & TSR.DIS && this.timers.tcr & TCR.DIE) ? true : false;
  }

  /** True when an enabled interrupt is pending (a waiting core wakes up). */
  interruptPending(): boolean {
    if (this.msr & MSR.GS || this.deprivileged) return this.guestInterruptPending();
    const msr = this.msr;
    const tsr = this.timers.tsr;
    const tcr = this.timers.tcr;
    if (msr & MSR.CE && (this.critInput || (tsr & TSR.WIS && tcr & TCR.WIE) || this.doorbellPending & 2)) return true;
    if (msr & MSR.EE && (this.extInput || (tsr & TSR.FIS && tcr & TCR.FIE) || (tsr & TSR.DIS && tcr & TCR.DIE)
      || this.doorbellPending & 1)) return true;
    return false;
  }

  setExternalInput(level: boolean): void {
    if (level !== this.extInput) {
      this.extInput = level;
      if (level) this.irqPoll = 1;
      // Directed to the hypervisor, the line is the guest's virtual interrupt: the hypervisor holds it.
      if (this.hooks !== null && (this.msr & MSR.GS || this.deprivileged) && !(this.guestDirected & (1 << IVOR.EXTERNAL))) this.hooks.externalLine(this, level);
    }
  }

  // ---- SPRs ---------------------------------------------------------------

  /** Virtual time (time-base ticks since reset) at the current instruction. */
  ticksNow(): number {
    return this.timers.ticksAfter(this.sliceStart - this.sliceLeft);
  }

  /**
   * mfspr: privilege check; in guest state, a hypervisor privilege exit for
   * a trapped register or the guest copy for a duplicated one; then the value.
   */
  mfspr(n: number, pc: number): number {
    if (this.sprWatch !== null && (this.sprWatch[n]! & WATCH.READ) !== 0) this.watched(n, false, 0, pc);
    if (n & 0x10 && this.msr & MSR.PR) this.privileged();
    if (this.msr & MSR.GS) {
      if (this.sprTrap[n] !== 0) return this.hooks !== null ? this.hooks.mfspr(this, n, pc) | 0 : this.hvPrivilege();
      const copy = this.sprAlias[n]!;
      if (copy !== 0) return this.readSpr(copy);
    }
    return this.readSpr(n);
  }

  /**
   * mfspr TBL/TBU (268/269) and mftb: the time base at this instruction. It is
   * user-readable and never trapped or aliased in any model, so only a
   * debugger's watch needs the general path. (A Linux boot reads it about five
   * million times, spinning in delay loops.)
   */
  readTimeBase(n: number, pc: number): number {
    if (this.sprWatch !== null) return this.mfspr(n, pc);
    const ticks = this.ticksNow();
    return (n === 269 ? this.timers.tbu(ticks) : this.timers.tbl(ticks)) | 0;
  }

  mtspr(n: number, value: number, pc: number): void {
    if (this.sprWatch !== null && (this.sprWatch[n]! & WATCH.WRITE) !== 0) this.watched(n, true, value, pc);
    if (n & 0x10 && this.msr & MSR.PR) this.privileged();
    if (this.msr & MSR.GS) {
      if (this.sprTrap[n] !== 0) {
        if (this.hooks === null) this.hvPrivilege();
        this.hooks.mtspr(this, n, value, pc);
        return;
      }
      const copy = this.sprAlias[n]!;
      if (copy !== 0) {
        this.writeSpr(READ_ONLY_COPIED.has(n) ? n : copy, value);
        return;
      }
    }
    this.writeSpr(n, value);
  }

  /** Where the guest's value of SPR n lives (its guest copy, or the register itself): for a hypervisor emulating an access. */
  guestSpr(n: number, write: boolean): number {
    const copy = GUEST_COPY[n]!;
    return copy !== 0 && !(write && READ_ONLY_COPIED.has(n)) ? copy : n;
  }

  /** The value of SPR n as the hardware holds it (no privilege check, no trap). */
  readSpr(n: number): number {
    if (SIMPLE_SPR[n] !== 0) return this.spr[n]!;
    switch (n) {
      case SPR.XER: return this.xer;
      case SPR.LR: return this.lr;
      case SPR.CTR: return this.ctr;
      case SPR.DEC: return this.timers.decAt(this.ticksNow()) | 0;
      case SPR.PID: return this.pid;
      case SPR.LPIDR: return this.lpid;
      case SPR.IVPR: case 447: return this.spr[n]! & 0xFFFF0000;
      case SPR.SPRG3R: return this.spr[SPR.SPRG3]!;
      case 260: case 261: case 262: case SPR.SPRG7R: return this.spr[n + 16]!;
      case SPR.TBL: case 526: return this.timers.tbl(this.ticksNow()) | 0;
      case SPR.TBU: case 527: return this.timers.tbu(this.ticksNow()) | 0;
      case SPR.PIR: return this.pir;
      case SPR.PVR: return PVR_E500MC;
      case SPR.SVR: return SVR_PPCE500;
      case SPR.TCR: return this.timers.tcr;
      case SPR.TSR: return this.timers.tsr;
      case SPR.DBSR: return this.spr[n]!;
      case SPR.MCSR: return this.spr[n]!;
      case SPR.TLB0CFG: return TLB0CFG;
      case SPR.TLB1CFG: return TLB1CFG;
      case SPR.MMUCFG: return MMUCFG;
      case SPR.MMUCSR0: return 0;
      case SPR.EPR: return this.spr[n]!;
      case SPR.L1CFG0: return 0x00B83820;
      case SPR.L1CFG1: return 0x00B83820;
      case SPR.DECAR: case SPR.TBWL: case SPR.TBWU: return 0; // write-only
      default:
        if ((n >= SPR.IVOR0 && n <= SPR.IVOR15) || (n >= SPR.IVOR38 && n <= SPR.IVOR41)) return this.spr[n]! & 0xFFF0;
        // IVOR32-37 read back as written (QEMU's e500mc); delivery uses bits 16-27 only.
        if (n >= SPR.IVOR32 && n <= SPR.IVOR37) return this.spr[n]!;
        if (PLAIN.has(n)) return this.spr[n]!;
        // An SPR e500mc does not have: illegal instruction, as QEMU's e500mc does.
        return this.illegal();
    }
  }

  writeSpr(n: number, value: number): void {
    const v = value | 0;
    if (SIMPLE_SPR[n] !== 0) {
      this.spr[n] = v;
      return;
    }
    switch (n) {
      case SPR.XER: this.xer = v; return;
      case SPR.LR: this.lr = v; return;
      case SPR.CTR: this.ctr = v; return;
      case SPR.DEC: this.timers.writeDec(v, this.ticksNow()); this.irqPoll = 1; return;
      case SPR.DECAR: this.timers.decar = v >>> 0; return;
      case SPR.PID:
        this.pid = v & 0xFF;
        this.flushSoftTlb();
        return;
      case SPR.LPIDR:
        this.lpid = v & 0x3F;
        this.flushSoftTlb();
        return;
      case SPR.IVPR: case 447: this.spr[n] = v & 0xFFFF0000; return;
      case 440: case 441: case 442: case 443: case 444: case 445: this.spr[n] = v & 0xFFF0; return;
      case SPR.EPCR: this.spr[n] = v; this.updateDirection(); return;
      case SPR.TBWL: this.timers.writeTbl(v, this.ticksNow()); return;
      case SPR.TBWU: this.timers.writeTbu(v, this.ticksNow()); return;
      case SPR.TCR: this.timers.writeTcr(v); this.irqPoll = 1; return;
      case SPR.TSR: this.timers.writeTsr(v); return;
      case SPR.DBSR: case SPR.MCSR: this.spr[n] = this.spr[n]! & ~v; return;
      case SPR.DBSRWR: this.spr[SPR.DBSR] = v; return;
      case SPR.MMUCSR0:
        if (v & 0x4) this.tlb.flash(false);
        if (v & 0x2) this.tlb.flash(true);
        this.flushSoftTlb();
        return;
      case SPR.PIR: case SPR.PVR: case SPR.SVR: case SPR.TLB0CFG: case SPR.TLB1CFG: case SPR.MMUCFG:
      case SPR.EPR: case SPR.L1CFG0: case SPR.L1CFG1: case SPR.TBL: case SPR.TBU: case SPR.MCAR:
      case SPR.SPRG3R: case 260: case 261: case 262: case SPR.SPRG7R: case 526: case 527:
        // Read-only: QEMU's e500mc treats these writes as illegal instructions.
        this.illegal();
        return;
      case SPR.L1CSR0: case SPR.L1CSR1:
        // Flash-invalidate and lock-clear bits complete at once.
        this.spr[n] = v & ~0x00000F06;
        return;
      default:
        if ((n >= SPR.IVOR0 && n <= SPR.IVOR15) || (n >= SPR.IVOR38 && n <= SPR.IVOR41)) {
          this.spr[n] = v & 0xFFF0;
          return;
        }
        if (n >= SPR.IVOR32 && n <= SPR.IVOR37) {
          this.spr[n] = v;
          return;
        }
        if (PLAIN.has(n)) {
          this.spr[n] = v;
          return;
        }
        this.illegal();
    }
  }

  // ---- MMU instructions ---------------------------------------------------

  /**
   * Whether the MAS registers describe a valid TLB1 entry of a page size TLB1
   * does not have (an odd TSIZE, under 4 KB or over 16 GB): a tlbwe of it
   * raises an illegal-instruction program interrupt and writes nothing, as on
   * QEMU's ppce500 (tests/tlb1sizes.c).
   */
  tlb1SizeUnsupported(): boolean {
    const s = this.spr;
    const mas1 = s[SPR.MAS1]!;
    if (!(s[SPR.MAS0]! & MAS.TLBSEL) || !(mas1 & MAS.V)) return false;
    return !tlb1SizeSupported((mas1 & MAS.TSIZE_MASK) >>> MAS.TSIZE_SHIFT);
  }

  /**
   * Writes TLB1 entry `esel` as a tlbwe from MAS0-3 and MAS7 does (they are
   * left holding it): effective `ea` onto physical `pa` (36 bits), size code
   * `tsize` (2^tsize KB: 2 = 4 KB, 10 = 1 MB), the permission bits `perms`
   * (every one by default), IPROT if `iprot`, WIMGE bits `wimge`. For what
   * sets up mappings without a guest: the board's boot mapping, the warm-up,
   * tests.
   */
  writeTlb1(esel: number, ea: number, pa: number, tsize: number, perms = ALL_PERMISSIONS, iprot = false, wimge = 0): void {
    const s = this.spr;
    s[SPR.MAS0] = MAS.TLBSEL | (esel << MAS.ESEL_SHIFT);
    s[SPR.MAS1] = MAS.V | (iprot ? MAS.IPROT : 0) | (tsize << MAS.TSIZE_SHIFT);
    s[SPR.MAS2] = (ea & MAS.EPN_MASK) | wimge;
    s[SPR.MAS3] = (pa % 2 ** 32) | perms;
    s[SPR.MAS7] = Math.floor(pa / 2 ** 32);
    this.tlbwe();
  }

  /**
   * tlbwe from the MAS registers into `tlb` (the hardware TLB, or a
   * hypervisor's guest TLB), with MAS8 as given. Returns the entry index.
   */
  tlbwe(tlb: Tlb = this.tlb, mas8 = this.msr & MSR.GS ? 0 : this.spr[SPR.MAS8]!): number {
    const s = this.spr;
    // The slot's old translation and its new one both leave the soft TLB.
    if (tlb === this.tlb) this.dropSoftTlbFor(Tlb.indexFromMas(s[SPR.MAS0]!, s[SPR.MAS2]!));
    const i = tlb.write(s[SPR.MAS0]!, s[SPR.MAS1]!, s[SPR.MAS2]!, s[SPR.MAS3]!, s[SPR.MAS7]!, mas8);
    if (tlb === this.tlb) this.dropSoftTlbFor(i);
    return i;
  }

  tlbre(tlb: Tlb = this.tlb): void {
    const s = this.spr;
    const i = Tlb.indexFromMas(s[SPR.MAS0]!, s[SPR.MAS2]!);
    s[SPR.MAS1] = tlb.mas1[i]!;
    s[SPR.MAS2] = tlb.mas2[i]!;
    s[SPR.MAS3] = tlb.mas3[i]!;
    s[SPR.MAS7] = tlb.mas7[i]!;
    if (!(this.msr & MSR.GS)) s[SPR.MAS8] = tlb.mas8[i]!;
    if (i < 512) s[SPR.MAS0] = (s[SPR.MAS0]! & ~3) | tlb.nv[(i / 4) | 0]!;
  }

  /** tlbsx in `tlb`, searching with MAS6 (and MAS5 in hypervisor state, or gs/lpid given). */
  tlbsx(ea: number, tlb: Tlb = this.tlb, gs = this.msr & MSR.GS ? 1 : this.spr[SPR.MAS5]! >>> 31,
    lpid = this.msr & MSR.GS ? this.lpid : this.spr[SPR.MAS5]! & 0xFF): void {
    const s = this.spr;
    const mas6 = s[SPR.MAS6]!;
    const pid = (mas6 & MAS.SPID_MASK) >>> MAS.SPID_SHIFT;
    const as = mas6 & MAS.SAS;
    const i = tlb.lookup(ea, as, pid, gs, lpid);
    if (i >= 0) {
      const tlb1 = i >= 512;
      const esel = tlb1 ? i - 512 : i & 3;
      const nv = tlb1 ? 0 : tlb.nv[(i / 4) | 0]!;
      s[SPR.MAS0] = (tlb1 ? MAS.TLBSEL : 0) | (esel << MAS.ESEL_SHIFT) | nv;
      s[SPR.MAS1] = tlb.mas1[i]!;
      s[SPR.MAS2] = tlb.mas2[i]!;
      s[SPR.MAS3] = tlb.mas3[i]!;
      s[SPR.MAS7] = tlb.mas7[i]!;
    } else {
      const mas4 = s[SPR.MAS4]!;
      const tlbsel = mas4 & MAS.TLBSELD ? 1 : 0;
      const esel = tlbsel ? 0 : tlb.victim(ea);
      s[SPR.MAS0] = (tlbsel ? MAS.TLBSEL : 0) | (esel << MAS.ESEL_SHIFT) | (tlbsel ? 0 : (esel + 1) & 3);
      s[SPR.MAS1] = (pid << MAS.TID_SHIFT) | (as ? MAS.TS : 0) | (mas4 & MAS.TSIZED_MASK);
      s[SPR.MAS2] = (ea & MAS.EPN_MASK) | (mas4 & MAS.WIMGE_MASK);
      s[SPR.MAS3] &= MAS.U_MASK;
      s[SPR.MAS7] = 0;
    }
  }

  tlbivax(ea: number, tlb: Tlb = this.tlb): void {
    tlb.invalidateByEa(ea & ~0xFFF, (ea & 0x8) !== 0, (ea & 0x4) !== 0);
    this.flushSoftTlb();
  }

  /** The tlbivax instruction of a native guest: e500mc broadcasts it to every core (tlbsync then has nothing left to wait for). */
  tlbivaxBroadcast(ea: number): void {
    if (this.group === null) return this.tlbivax(ea);
    for (const core of this.group.cores) core.tlbivax(ea);
  }

  tlbilx(t: number, ea: number, tlb: Tlb = this.tlb, gs = this.msr & MSR.GS ? 1 : this.spr[SPR.MAS5]! >>> 31,
    lpid = this.msr & MSR.GS ? this.lpid : this.spr[SPR.MAS5]! & 0xFF): void {
    const mas6 = this.spr[SPR.MAS6]!;
    tlb.invalidateLocal(t, lpid, (mas6 & MAS.SPID_MASK) >>> MAS.SPID_SHIFT, mas6 & MAS.SAS, gs, ea);
    this.flushSoftTlb();
  }

  /** Marks the fault being raised as the hypervisor's own (see faultFromHypervisor). */
  markHypervisorFault(): void {
    this.fromHypervisor = true;
    this.faultTlbMiss = false;
  }

  // ---- floating point -----------------------------------------------------

  /** Executes an opcode 59/63 instruction; raises FP unavailable or program interrupts as needed. */
  fp(word: number): void {
    if (!(this.msr & MSR.FP)) {
      this.faultTlbMiss = false;
      this.fault(IVOR.FP_UNAVAILABLE, 0, 0);
    }
    // QEMU writes the target of an invalid or divide-by-zero operation when
    // FP exceptions are ignored (MSR[FE0,FE1]=00); the FPU follows this flag.
    this.fpu.msrFE = (this.msr & (MSR.FE0 | MSR.FE1)) !== 0;
    const cr = executeFp(this.fpu, word, this.cr);
    const status = this.fpu.status;
    if (status === FP_ILLEGAL) this.illegal();
    this.cr = cr;
    if (status === FP_ENABLED && this.msr & (MSR.FE0 | MSR.FE1)) {
      this.faultTlbMiss = false;
      this.fault(IVOR.PROGRAM, ESR.FP, 0);
    }
  }

  /** FP unavailable check for FP loads and stores. */
  fpCheck(): void {
    if (!(this.msr & MSR.FP)) {
      this.faultTlbMiss = false;
      this.fault(IVOR.FP_UNAVAILABLE, 0, 0);
    }
  }
}

const PLAIN = new Set<number>(PLAIN_SPRS);

/**
 * Plain SPRs that neither readSpr nor writeSpr treats specially (no masking,
 * no side effect, not read-only): both look them up here first, before their
 * switch (the MAS registers a TLB-miss handler moves on every miss, the
 * SPRGs, SRR0/1 ...).
 */
const SIMPLE_SPR: Uint8Array = (() => {
  const special = new Set<number>([SPR.EPCR, SPR.L1CSR0, SPR.L1CSR1, SPR.MCAR, 440, 441, 442, 443, 444, 445, 447]);
  const t = new Uint8Array(1024);
  for (const n of PLAIN_SPRS) if (!special.has(n)) t[n] = 1;
  return t;
})();

/**
 * The real MSR while a guest runs under trap-and-emulate: always user mode,
 * with external, critical and machine-check interrupts on (they belong to the
 * hypervisor), and the guest's address spaces and floating-point state.
 */
export function realMsrFor(vmsr: number): number {
  return MSR.PR | MSR.EE | MSR.CE | MSR.ME | (vmsr & (MSR.IS | MSR.DS | MSR.FP | MSR.FE0 | MSR.FE1));
}

/** SPR number of IVORn: IVOR0-15 at 400, IVOR32-37 at 528, IVOR38-41 at 432. */
export function ivorSpr(ivor: number): number {
  if (ivor < 16) return 400 + ivor;
  if (ivor < 38) return 528 + (ivor - 32);
  return 432 + (ivor - 38);
}
