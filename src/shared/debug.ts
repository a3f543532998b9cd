// The inspector's contract: what the lab shows of a stopped (or running)
// vCPU, how a user steers it, and the rules for editing its registers. Both
// sides use these types; the worker fills them in (src/main/guest/inspector.ts)
// and the renderer shows them (components/InspectorPanel.vue). Every request
// names the vCPU it acts on (0 on today's one-vCPU guests).

import { LabFailure } from './result';
import { type SprInfo, sprByName } from './spr';
import { COUNTERS, type CounterId } from './stats';

/** How far a step goes. */
export type StepUnit =
  /** `count` instructions (default 1). */
  | 'instruction'
  /** Until control leaves straight-line code: a taken branch, an interrupt or an exit redirects the PC. */
  | 'block'
  /** Until the next exit to the hypervisor has been handled (the guest stops where it resumes). */
  | 'exit'
  /** Until the PC reaches `address` (guest-virtual), or a breakpoint comes first. */
  | 'address';

export const STEP_UNITS: readonly StepUnit[] = ['instruction', 'block', 'exit', 'address'];

/** Most steps (instructions or blocks) one step request may take. */
export const STEP_LIMIT = 1_000_000;

export type SprWatchAccess = 'read' | 'write' | 'any';

/** What a vCPU stops on while it runs (besides a user's pause). */
export interface Breakpoints {
  /** Guest-virtual instruction addresses. */
  pcs: number[];
  /** Counters (exit reasons, emulation kinds, reflections): the guest stops after such an event. */
  exits: CounterId[];
  /** SPR accesses (catalog names): the guest stops in front of the mfspr/mtspr. */
  sprs: { name: string; access: SprWatchAccess }[];
}

export function noBreakpoints(): Breakpoints {
  return { pcs: [], exits: [], sprs: [] };
}

/** Why a vCPU stopped. */
export type StopKind =
  | 'pause' // the user paused it
  | 'step' // a step request completed
  | 'breakpoint' // a PC breakpoint
  | 'spr' // a watched SPR access (in front of it)
  | 'exit' // after a watched exit or emulation
  | 'gdb' // stopped for a GDB client
  | 'ended'; // the guest ended (halted, crashed, waiting forever)

export interface StopInfo {
  kind: StopKind;
  /** The vCPU that stopped (a guest with several stops as a whole; this one reached the breakpoint, or was stepped). */
  vcpu?: number;
  /** Where the vCPU stands (the next instruction it executes). */
  pc: number;
  /** Guest instructions retired. */
  insns: number;
  /** One line for people ("breakpoint at 0x1000", "after dsi_exits at 0x2004"). */
  text: string;
  /** For 'spr': the register and the access. */
  spr?: { name: string; write: boolean; value?: number; pc: number };
  /** For 'exit': the event and the PC it was taken at. */
  exit?: { reason: CounterId; pc: number };
}

/** Where a register's guest value lives under the guest's model and configuration. */
export type ValueHome =
  | 'core' // the user register file or a directly read register: the guest's own, switched with the GPRs
  | 'physical' // the one physical register (native guests; the shared strategy)
  | 'guest-copy' // a hardware guest copy (duplicated)
  | 'transfer' // the memory image switched on every entry and exit
  | 'shadow' // the hypervisor's emulation keeps it (trapped)
  | 'hypervisor'; // the hypervisor's own register: the guest has no value here

export const VALUE_HOMES: Record<ValueHome, { label: string; help: string }> = {
  core: { label: 'core', help: 'Part of the guest\'s own register file, switched with its GPRs; never virtualized.' },
  physical: { label: 'physical', help: 'The one physical register; under a hypervisor (shared strategy) it saves and restores it for the guest.' },
  'guest-copy': { label: 'guest copy', help: 'A hardware guest copy (duplicated): the guest reads and writes it without an exit.' },
  transfer: { label: 'memory image', help: 'The transfer area: switched through memory on every entry and exit (VMCS-like).' },
  shadow: { label: 'hv shadow', help: 'Trapped: every guest access exits and the hypervisor emulates it on its shadow copy.' },
  hypervisor: { label: 'hypervisor only', help: 'A register of the hypervisor itself; a guest access is refused.' },
};

export interface SprView {
  name: string;
  num: number;
  /** The guest's value where it lives (null: the guest has none, or it cannot be read). */
  value: number | null;
  home: ValueHome;
  /** Where exactly, in words ("GSRR0", "saved on every exit", "hypervisor's copy"). */
  where: string;
  /** Bits an edit may set (0: not editable). */
  writable: number;
}

export interface InspectorState {
  vcpu: number;
  /** Whether the vCPU is executing (values are then a between-slices snapshot). */
  running: boolean;
  /** The last stop, while stopped. */
  stop: StopInfo | null;
  model: string;
  insns: number;
  pc: number;
  /** The MSR as the guest sees it. */
  msr: number;
  /** Under trap-and-emulate, the core's real MSR (user mode, with the hypervisor's enables); absent otherwise. */
  realMsr?: number;
  cr: number;
  xer: number;
  lr: number;
  ctr: number;
  gpr: number[];
  /** FPRs as 16 hex digits (exact) and as numbers. */
  fprHex: string[];
  fpr: number[];
  fpscr: number;
  sprs: SprView[];
  /** Registers whose value differs from the previous stop (names as in REGISTER_NAMES and the SPR catalog). */
  changed: string[];
  breakpoints: Breakpoints;
}

/** One decoded TLB entry. */
export interface TlbEntryView {
  /** 0 or 1 (TLB0, TLB1). */
  tlb: 0 | 1;
  /** Entry index within its TLB (TLB0: set * 4 + way). */
  index: number;
  epn: number;
  /** Physical page (up to 36 bits). */
  rpn: number;
  /** Page size in bytes. */
  size: number;
  ts: 0 | 1;
  tid: number;
  iprot: boolean;
  /** "SR SW SX UR UW UX" subset. */
  perms: string;
  /** WIMGE letters set. */
  wimge: string;
  /** Shadow entries: guest state (TGS), partition (TLPID), and the guest entry they shadow (-1: none known). */
  tgs?: boolean;
  tlpid?: number;
  shadows?: { tlb: 0 | 1; index: number } | null;
}

export interface TlbView {
  vcpu: number;
  /** The TLB the guest sees (its own under a hypervisor, the core's natively). */
  guest: TlbEntryView[];
  /** The hardware entries the hypervisor installed for this guest (empty natively). */
  shadow: TlbEntryView[];
  pid: number;
  lpid: number;
}

export interface TranslationView {
  address: number;
  fetch: boolean;
  /** Guest-physical address, or null when nothing maps it. */
  physical: number | null;
  /** The guest TLB entry used. */
  entry: { tlb: 0 | 1; index: number } | null;
  /** Whether a shadow for the page is in the hardware TLB now (under a hypervisor). */
  shadowed: boolean | null;
  text: string;
}

export interface MemoryLine {
  address: number;
  /** The word there (null: unmapped or not RAM). */
  word: number | null;
  disassembly: string;
}

export interface MemoryView {
  vcpu: number;
  address: number;
  space: 'virtual' | 'physical';
  /** Bytes, base64 (unreadable bytes are 0; see `readable`). */
  data: string;
  /** One flag per byte: 1 readable. base64. */
  readable: string;
  /** Disassembly of the words in the range (4-byte aligned). */
  lines: MemoryLine[];
}

/** Largest memory read in one request. */
export const MEMORY_VIEW_MAX = 4096;

/** Registers other than SPRs, as the inspector and editRegister name them. */
export const REGISTER_NAMES: readonly string[] = [
  ...Array.from({ length: 32 }, (_, i) => `r${i}`),
  ...Array.from({ length: 32 }, (_, i) => `f${i}`),
  'pc', 'msr', 'cr', 'xer', 'lr', 'ctr', 'fpscr',
];

/** MSR bits of an e500mc, most significant first (for the decoded view). */
export const MSR_BITS: readonly { name: string; mask: number; help: string }[] = [
  { name: 'GS', mask: 0x10000000, help: 'Guest state (set by the hypervisor while the guest runs)' },
  { name: 'UCLE', mask: 0x04000000, help: 'User cache locking enable' },
  { name: 'CE', mask: 0x00020000, help: 'Critical interrupts enabled' },
  { name: 'EE', mask: 0x00008000, help: 'External interrupts enabled' },
  { name: 'PR', mask: 0x00004000, help: 'Problem (user) state' },
  { name: 'FP', mask: 0x00002000, help: 'Floating point available' },
  { name: 'ME', mask: 0x00001000, help: 'Machine check enabled' },
  { name: 'FE0', mask: 0x00000800, help: 'FP exception mode 0' },
  { name: 'DE', mask: 0x00000200, help: 'Debug interrupts enabled' },
  { name: 'FE1', mask: 0x00000100, help: 'FP exception mode 1' },
  { name: 'IS', mask: 0x00000020, help: 'Instruction address space' },
  { name: 'DS', mask: 0x00000010, help: 'Data address space' },
  { name: 'PMM', mask: 0x00000004, help: 'Performance monitor mark' },
  { name: 'RI', mask: 0x00000002, help: 'Recoverable interrupt' },
];

export const MSR_WRITABLE = MSR_BITS.reduce((m, b) => m | b.mask, 0) >>> 0;

/** SPRs whose writes clear the bits written (an edit could not set a value). */
const WRITE_ONE_TO_CLEAR = new Set(['TSR', 'DBSR', 'MCSR']);

/**
 * The bits an edit of a catalog SPR may set: 0 for read-only, write-one-to-
 * clear and hypervisor-only registers; the implemented bits for the ones the
 * core masks (IVORs, IVPR, PID); all 32 otherwise.
 */
export function sprWritableBits(s: SprInfo): number {
  if (s.access === 'ro' || s.fixed === 'hypervisor' || s.fixed === 'direct') return 0;
  const base = s.aliasOf ? sprByName(s.aliasOf) ?? s : s;
  if (WRITE_ONE_TO_CLEAR.has(base.name)) return 0;
  if (base.name === 'IVPR') return 0xFFFF0000;
  if (/^IVOR(\d|1[0-5]|3[89]|4[01])$/.test(base.name)) return 0xFFF0;
  if (base.name === 'PID') return 0xFF;
  return 0xFFFFFFFF;
}

/** Checks an edit against the writable bits; the error names the register and the offending bits. */
export function checkWritable(name: string, value: number, writable: number): void {
  if (writable === 0) throw new LabFailure('invalid-request', `${name} cannot be edited (read-only, write-one-to-clear or the hypervisor's own)`, { field: 'name' });
  const outside = (value >>> 0) & ~writable;
  if (outside !== 0) {
    throw new LabFailure('invalid-request',
      `${name} implements only the bits 0x${(writable >>> 0).toString(16).padStart(8, '0')}; 0x${(value >>> 0).toString(16)} sets 0x${(outside >>> 0).toString(16)} outside them`,
      { field: 'value' });
  }
}

const COUNTER_IDS = new Set<string>(COUNTERS.map((c) => c.id));

/** Validates a breakpoint set (names of counters and SPRs), with errors naming the field. */
export function checkBreakpoints(b: Breakpoints): Breakpoints {
  for (const id of b.exits) {
    if (!COUNTER_IDS.has(id)) throw new LabFailure('invalid-request', `Unknown exit reason "${id}"; see the statistics' counter names`, { field: 'exits' });
  }
  for (const w of b.sprs) {
    const s = sprByName(w.name);
    if (!s) throw new LabFailure('invalid-request', `Unknown SPR "${w.name}"`, { field: 'sprs' });
    if (s.fixed === 'guest' || s.fixed === 'direct') {
      throw new LabFailure('invalid-request', `${s.name} is part of the user register file or read directly; watch a privileged SPR`, { field: 'sprs' });
    }
  }
  return { pcs: [...new Set(b.pcs.map((p) => p >>> 0))], exits: [...new Set(b.exits)], sprs: b.sprs.map((w) => ({ name: sprByName(w.name)!.name, access: w.access })) };
}

/** A 32-bit value as 8 lower-case hex digits, no prefix (register and memory views). */
export function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

export function hex32(v: number): string {
  return `0x${hex8(v)}`;
}
