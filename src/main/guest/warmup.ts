// A warm-up for V8, run once per thread before its first guest: two small
// generated programs, in short slices, on a core and RAM of their own. A
// process's main thread (`lab run`, the tests) runs both, and so does a
// worker thread (a session guest's, the experiments' pool) whose first guest
// is a kernel or firmware; other workers only the translator's (warmUpParts).
//
// The translator's program runs first, with a low threshold: loops hot enough
// to be translated (several regions, with and without the time base, so the
// interpreter's call of a region sees many targets), one whose region faults
// on every pass until it fails its trial and is dropped, one that stores to a
// device (the slice ends), calls and returns, and branches to an unmapped page
// (instruction fetch faults). Then the interpreter's program, twice (the soft
// TLB cold, then warm), counting heat as a guest's run does but never
// translating: every path of the interpreter's big switch (each common
// instruction with and without its record and overflow bits, loads and stores
// on their fast path, their slow path, misaligned, across a page boundary, to
// a device and to an unmapped page that faults, taken and untaken branches of
// every kind).
//
// V8 optimises `execute` with the type feedback it has seen; a path first
// taken later deoptimises it and recompiles the whole switch (60-500 ms each
// on the 2-core machine: a fresh Linux boot did it 10-17 times before the
// interpreter's program, 4 before the translator's, 0-1 after it,
// docs/performance.md). Nothing of them reaches any guest.

import { ALL_PERMISSIONS, Cpu, WASM_INTERP_NONE } from '../cpu/cpu';
import { LOOP_HEAT } from '../cpu/jit';
import { execute } from '../cpu/interp';
import { INSNS } from '../cpu/isa';
import { MSR } from '../cpu/regs';
import { Bus } from '../devices/bus';
import { isMainThread } from 'node:worker_threads';
import { applyJitChoice } from './jit-mode';
import { tuneV8 } from './v8-tuning';

const RAM = 1 << 20;
const CODE = 0x1000;
const HANDLER = 0x200;
const DATA = 0x8000;
const DEVICE_EA = 0x00400000;
const UNMAPPED_EA = 0x00800000;
/** The translator's program, and the handler of instruction fetch faults (back to the link register). */
const JIT_CODE = 0x40000;
const FETCH_HANDLER = 0x300;
/** The system call's handler: back to the instruction after `sc`, in supervisor state. */
const SC_HANDLER = 0x380;
/** Outside every mapping: accesses take a TLB miss. */
const FAULT_EA = 0xC0000000 | 0;
/** Passes of each loop of the translator's program, and the heat at which it translates (production's is JIT_THRESHOLD). */
const JIT_LOOPS = 600;
const JIT_WARM_THRESHOLD = 50;

const enc = {
  d: (op: number, rt: number, ra: number, imm: number) => ((op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFF)) | 0,
  x: (op: number, rt: number, ra: number, rb: number, xo: number, rc = 0) => ((op << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc) | 0,
  spr: (xo: number, rt: number, spr: number) => ((31 << 26) | (rt << 21) | ((spr & 31) << 16) | ((spr >> 5) << 11) | (xo << 1)) | 0,
};
const li = (rt: number, v: number) => [enc.d(15, rt, 0, v >>> 16), enc.d(24, rt, rt, v & 0xFFFF)]; // lis; ori
const MTLR = (rs: number) => enc.spr(467, rs, 8);
const MTCTR = (rs: number) => enc.spr(467, rs, 9);
const MFLR = (rt: number) => enc.spr(339, rt, 8);
const MFSRR0 = (rt: number) => enc.spr(339, rt, 26);
const MTSRR0 = (rs: number) => enc.spr(467, rs, 26);
const RFI = ((19 << 26) | (50 << 1)) | 0;
const MTSRR1 = (rs: number) => enc.spr(467, rs, 27);
const MFSRR1 = (rt: number) => enc.spr(339, rt, 27);
const SC = ((17 << 26) | 2) | 0;
/** rlwinm rA, rS, sh, mb, me. */
const rlwinm = (ra: number, rs: number, sh: number, mb: number, me: number) =>
  ((21 << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) | (me << 1)) | 0;
const BLR = enc.x(19, 20, 0, 0, 16);
const BCTRL = enc.x(19, 20, 0, 0, 528, 1);
/** b/bl to a byte offset; bdnz back by a byte offset. */
const branch = (offset: number, lk = 0) => ((18 << 26) | (offset & 0x3FFFFFC) | lk) | 0;
const bdnz = (offset: number) => ((16 << 26) | (16 << 21) | (offset & 0xFFFC)) | 0;

/** Operand registers: r3 the base address, r4 a small index, r5-r10 values (r11, r12 take results). */
function setup(base: number): number[] {
  return [...li(3, base), ...li(4, 8), ...li(5, 0x12345678), ...li(6, 0x80000000), ...li(7, -3), ...li(8, 7), ...li(9, 0), ...li(10, 0xFFFF)];
}

/** The program: a cell per instruction variant, each after its operand set-up, then `b .`. */
export function warmUpProgram(): number[] {
  const words: number[] = [];
  const at = () => CODE + words.length * 4;
  const cell = (base: number, insns: number[]) => words.push(...setup(base), ...insns);
  for (const info of INSNS) {
    const { id, primary, xo, form } = info;
    if (info.priv || primary < 0 || primary === 59 || primary === 63) continue;
    switch (form) {
      case 'D-cmp': case 'D-cmpl': // crfD in the rt field (L = 0)
        for (const imm of [1, -1, 0x7FFF]) cell(DATA, [enc.d(primary, 8, 5, imm), enc.d(primary, 12, 6, imm), enc.d(primary, 0, 9, imm)]);
        break;
      case 'D-arith': case 'D-logic':
        for (const imm of [1, -1, 0x7FFF]) cell(DATA, [enc.d(primary, 11, 5, imm), enc.d(primary, 12, 6, imm), enc.d(primary, 11, 9, imm)]);
        break;
      case 'X-cmp':
        cell(DATA, [enc.x(31, 8, 5, 6, xo!), enc.x(31, 12, 7, 8, xo!), enc.x(31, 0, 6, 9, xo!)]);
        break;
      case 'D-load': case 'D-store':
        // Fast (second access) and slow paths in RAM, misaligned, across a page boundary, a device, an unmapped
        // page (a fault).
        for (const base of [DATA, DATA + 1, DATA + 0x1000 - 16 - 2, DEVICE_EA, UNMAPPED_EA]) cell(base, [enc.d(primary, 11, 3, 16), enc.d(primary, 12, 3, 16)]);
        break;
      case 'X-load': case 'X-store':
        for (const base of [DATA, DATA + 1, DATA + 0x1000 - 8 - 2, DEVICE_EA, UNMAPPED_EA]) cell(base, [enc.x(31, 11, 3, 4, xo!), enc.x(31, 12, 3, 4, xo!)]);
        break;
      case 'X-logic3': case 'X-logic2': case 'X-shift-imm': // rS in the rt field, rA the destination
        for (const rc of info.rc ? [0, 1] : [0]) {
          cell(DATA, [enc.x(31, 5, 11, 6, xo!, rc), enc.x(31, 7, 12, 8, xo!, rc), enc.x(31, 6, 11, 9, xo!, rc), enc.x(31, 7, 12, 10, xo!, rc), enc.x(31, 6, 11, 4, xo!, rc)]);
        }
        break;
      case 'X-arith3': case 'X-arith2':
        for (const oe of info.oe ? [0, 0x200] : [0]) {
          for (const rc of info.rc ? [0, 1] : [0]) {
            cell(DATA, [enc.x(31, 11, 5, 6, xo! | oe, rc), enc.x(31, 12, 7, 8, xo! | oe, rc), enc.x(31, 11, 6, 9, xo! | oe, rc), enc.x(31, 12, 10, 4, xo! | oe, rc)]);
          }
        }
        break;
      case 'M-imm': case 'M-reg':
        for (const rc of [0, 1]) cell(DATA, [((primary << 26) | (5 << 21) | (11 << 16) | (4 << 11) | (3 << 6) | (28 << 1) | rc) | 0]);
        break;
      case 'A-isel':
        for (const bc of [0, 2, 31]) cell(DATA, [((31 << 26) | (11 << 21) | (5 << 16) | (6 << 11) | (bc << 6) | (15 << 1)) | 0]);
        break;
      case 'X-mfcr': cell(DATA, [enc.x(31, 11, 0, 0, xo!), (enc.x(31, 11, 0, 0, xo!) | (1 << 20) | (0x80 << 12)) | 0]); break;
      case 'X-mtcrf': cell(DATA, [(enc.x(31, 5, 0, 0, xo!) | (0xFF << 12)) | 0, (enc.x(31, 5, 0, 0, xo!) | (0x01 << 12)) | 0]); break;
      default:
        if (id === 118 || id === 128) {
          // mfspr/mtspr: the user register file, scratch registers, the time base, identification.
          const sprs = id === 118 ? [1, 8, 9, 256, 260, 268, 269, 272, 287] : [1, 8, 9, 256, 272, 276];
          cell(DATA, sprs.map((n) => enc.spr(xo!, 5, n)));
        }
        break;
    }
  }
  rareCells(cell);
  userModeCells(words, cell);
  // Branches: each kind taken and not taken, linking or not; every target is the next cell.
  for (const lk of [0, 1]) {
    cell(DATA, [((18 << 26) | 4 | lk) | 0]); // b/bl +4
    for (const bo of [20, 12, 4, 16, 18]) {
      cell(DATA, [enc.d(11, 0, 5, 0), ((16 << 26) | (bo << 21) | (2 << 16) | 4 | lk) | 0]); // cmpi; bc +4
      // The next cell: after this one's set-up, li (2), mtlr/mtctr, cmpi and the branch.
      const next = () => at() + (setup(0).length + 5) * 4;
      cell(DATA, [...li(11, next()), MTLR(11), enc.d(11, 0, 5, 0), enc.x(19, bo, 2, 0, 16, lk)]); // bclr
      cell(DATA, [...li(11, next()), MTCTR(11), enc.d(11, 0, 5, 0), enc.x(19, bo | 4, 2, 0, 528, lk)]); // bcctr (never decrements)
    }
  }
  words.push(((18 << 26) | 0) | 0); // b .
  return words;
}

/** The instruction-table entry of a mnemonic. */
function insn(mnem: string): { primary: number; xo: number } {
  const info = INSNS.find((i) => i.mnem === mnem);
  if (info === undefined) throw new Error(`warm-up: no instruction ${mnem}`);
  return { primary: info.primary, xo: info.xo ?? 0 };
}

/** An X-form instruction of primary 31 (or 19) by mnemonic. */
const xOf = (mnem: string, rt: number, ra: number, rb: number, rc = 0) => {
  const { primary, xo } = insn(mnem);
  return enc.x(primary, rt, ra, rb, xo, rc);
};

/**
 * Cells for the instructions the interpreter hands to executeRare, which a
 * kernel runs and the loop above does not reach by form: traps (taken and
 * not), condition-register logic, load/store multiple, a reservation pair
 * that succeeds, floating-point loads and stores with the FPU off (an
 * interrupt) and on, the MSR and external-enable moves (writing back what is
 * there), cache and TLB maintenance (on addresses nothing maps: the
 * warm-up's own TLB1 entries are protected), barriers, the time base, sc and
 * a performance-monitor access (an interrupt, skipped). The first Linux boot
 * deoptimised executeRare six times without them, each a TurboFan compile
 * queued in front of the rest.
 */
function rareCells(cell: (base: number, insns: number[]) => void): void {
  const d = (mnem: string, rt: number, ra: number, imm: number) => enc.d(insn(mnem).primary, rt, ra, imm);
  const NOP = enc.d(24, 0, 0, 0);
  // Traps: never (TO 0), and taken (TO 4, equal: r9 is 0); the program interrupt's handler skips them.
  cell(DATA, [d('twi', 0, 9, 0), d('twi', 4, 9, 0), xOf('tw', 0, 9, 9), xOf('tw', 4, 9, 9), xOf('tw', 31, 5, 6)]);
  // Condition-register logic (after compares that set some fields), mcrf, mcrxr.
  const crs = ['crnor', 'crandc', 'crxor', 'crnand', 'crand', 'creqv', 'crorc', 'cror'].map((m) => xOf(m, 6, 1, 2));
  cell(DATA, [enc.d(11, 0, 5, 0), enc.d(11, 4, 6, 0), ...crs, ...crs.map((w) => (w & ~(31 << 21)) | (2 << 21)),
    (insn('mcrf').primary << 26) | (7 << 23) | (1 << 18), (insn('mcrf').primary << 26) | (0 << 23) | (1 << 18), xOf('mcrxr', 4, 0, 0)]);
  // Load/store multiple (r26-r31), and a reservation that a store-conditional then uses (the other cells fail theirs).
  cell(DATA, [d('stmw', 26, 3, 0), d('lmw', 26, 3, 0), d('stmw', 29, 3, 1)]);
  cell(DATA, [xOf('lwarx', 11, 3, 4), xOf('stwcx.', 11, 3, 4, 1), xOf('stwcx.', 11, 3, 4, 1)]);
  // Floating-point loads and stores: the FPU off (MSR[FP] 0: an interrupt each), then on, then off again.
  const fpLoadsStores = (base: number) => cell(base, [
    ...['lfs', 'lfsu', 'lfd', 'lfdu'].map((m) => d(m, 1, 3, 8)), ...['stfs', 'stfsu', 'stfd', 'stfdu'].map((m) => d(m, 1, 3, 8)),
    ...['lfsx', 'lfsux', 'lfdx', 'lfdux', 'stfsx', 'stfsux', 'stfdx', 'stfdux', 'stfiwx'].map((m) => xOf(m, 1, 3, 4)),
  ]);
  const MFMSR = xOf('mfmsr', 11, 0, 0);
  const MTMSR = xOf('mtmsr', 11, 0, 0);
  fpLoadsStores(DATA);
  cell(DATA, [MFMSR, enc.d(24, 11, 11, MSR.FP), MTMSR]); // ori r11, r11, FP
  for (const base of [DATA, DATA + 1, DEVICE_EA, UNMAPPED_EA]) fpLoadsStores(base);
  cell(DATA, [MFMSR, enc.d(24, 11, 11, MSR.FP), enc.d(26, 11, 11, MSR.FP), MTMSR]); // ori; xori: FP off
  // The MSR and external enable, written with what they hold; wrteei 0.
  cell(DATA, [MFMSR, MTMSR, xOf('wrtee', 11, 0, 0), xOf('wrteei', 0, 0, 0), MFMSR]);
  // Cache maintenance and hints on RAM (dcbz zeroes a line), cache locking (no lock: L1CSR0), barriers, the time base.
  const cache = ['dcbst', 'dcbf', 'dcbtst', 'dcbt', 'dcbi', 'icbi', 'dcbz', 'dcba'].map((m) => xOf(m, 0, 3, 4));
  const locks = ['icbt', 'dcbtls', 'dcbtstls', 'icbtls', 'icblc', 'dcblc'].map((m) => xOf(m, 0, 3, 4));
  for (const base of [DATA, UNMAPPED_EA]) cell(base, [...cache, ...locks]);
  cell(DATA, [xOf('isync', 0, 0, 0), xOf('sync', 0, 0, 0), xOf('sync', 1, 0, 0), xOf('mbar', 0, 0, 0), xOf('mftb', 11, 12, 8), xOf('mftb', 11, 13, 8)]);
  // The TLB: read entry 1 back and write it again; search (a miss on an unmapped address); invalidate there
  // (tlbivax, tlbilx by address and by PID: the warm-up's entries are protected), tlbsync; write the miss's defaults.
  cell(UNMAPPED_EA, [xOf('tlbre', 0, 0, 0), xOf('tlbwe', 0, 0, 0), xOf('tlbsx', 0, 0, 3), xOf('tlbivax', 0, 0, 3),
    xOf('tlbilx', 3, 0, 3), xOf('tlbilx', 1, 0, 0), xOf('tlbsync', 0, 0, 0), xOf('tlbwe', 0, 0, 0)]);
  // sc (its handler returns to the instruction after it), a performance-monitor read and write (program interrupts).
  cell(DATA, [SC, NOP, xOf('mfpmr', 11, 0, 0), xOf('mtpmr', 11, 0, 0)]);
}

/**
 * The same core in user mode (MSR[PR], entered with rfi): privileged SPR
 * reads and writes and privileged instructions, each a program interrupt
 * the interpreter delivers without a throw (a deprivileged kernel's every
 * one: the trap-and-emulate model), then `sc` back to supervisor state (its
 * handler returns with MSR[PR] clear).
 */
function userModeCells(words: number[], cell: (base: number, insns: number[]) => void): void {
  const user = CODE + (words.length + 7) * 4; // after the seven instructions below
  words.push(...li(11, MSR.PR | MSR.ME), MTSRR1(11), ...li(11, user), MTSRR0(11), RFI);
  if (CODE + words.length * 4 !== user) throw new Error('warm-up: the user-mode entry is misplaced');
  cell(DATA, [enc.spr(339, 11, 272), enc.spr(467, 11, 272), enc.spr(339, 11, 26), enc.spr(467, 11, 27), xOf('mfmsr', 11, 0, 0),
    xOf('mtmsr', 11, 0, 0), xOf('wrteei', 0, 0, 0), xOf('tlbsync', 0, 0, 0), xOf('tlbwe', 0, 0, 0), xOf('dcbi', 0, 3, 4)]);
  words.push(SC);
}

/**
 * The translator's program: each loop runs JIT_LOOPS passes, then `b .`.
 * Loops of arithmetic, of RAM loads and stores, of calls and returns, of a
 * load that faults on every pass (its region fails its trial), of device
 * stores, of time-base reads (regions that take the clock's state along);
 * then three calls into an unmapped page (fetch faults).
 */
export function warmUpJitProgram(): number[] {
  const words: number[] = [];
  const loop = (base: number, body: number[], after: number[] = []) => {
    words.push(...li(3, base), ...li(9, JIT_LOOPS), MTCTR(9), ...body, bdnz(-body.length * 4), ...after);
  };
  loop(DATA, [enc.d(14, 11, 11, 1), enc.x(31, 12, 12, 11, 316), rlwinm(12, 12, 3, 0, 31), enc.x(31, 11, 10, 12, 266, 1)]); // addi, xor, rlwinm, add.
  loop(DATA, [enc.d(32, 11, 3, 0), enc.d(14, 11, 11, 3), enc.d(36, 11, 3, 4), enc.d(38, 11, 3, 9)]); // lwz, addi, stw, stb
  // bl f; bdnz; b over; f: addi; blr; over:
  loop(DATA, [branch(12, 1)], [branch(12), enc.d(14, 12, 12, 1), BLR]);
  loop(FAULT_EA, [enc.d(14, 12, 12, 1), enc.d(32, 11, 3, 0)]); // addi; lwz from nowhere (skipped by the handler)
  loop(DEVICE_EA, [enc.d(36, 11, 3, 0), enc.d(14, 11, 11, 1)]); // stw to a device; addi
  loop(DATA, [enc.spr(339, 11, 268), enc.d(14, 12, 12, 1)]); // mftb (a region that reads the time base); addi
  for (let k = 0; k < 3; k++) words.push(...li(11, FAULT_EA), MTCTR(11), BCTRL);
  words.push(branch(0));
  return words;
}

let warmed = false;

/**
 * The warm-up's cores, kept for the life of the thread. V8's optimised code
 * for `execute` holds some of the objects it saw as weak constants; when the
 * warm-up's core was collected during a guest's first boot, that code was
 * thrown away (--trace-deopt: "weak objects") and the whole switch ran in
 * baseline code until compiled again. Kept, that deoptimisation is gone; an
 * in-process Linux first boot measured 0.60 against 0.64 s, 0.52 against
 * 0.54 and 0.47 against 0.43 in three interleaved runs of 8-12 rounds
 * (within this machine's noise). They hold 1.3 MB of RAM between them.
 */
const kept: Cpu[] = [];
/** Keeps a warm-up core (the first warm-up's: a forced one, in tests, adds none). */
const keep = (cpu: Cpu) => {
  if (kept.length <= CALL_TARGETS) kept.push(cpu);
};

/** Throwaway cores whose WebAssembly functions the interpreter calls in the warm-up: more than V8 keeps as a call site's known targets. */
export const CALL_TARGETS = 5;

/**
 * V8 specialises a call site on the functions called there so far and
 * throws the caller's optimised code away when another comes. Each core has
 * WebAssembly instances of its own (the interpreter's, the regions'
 * dispatcher), so every guest after the first on a thread deoptimised
 * `execute` once ("wrong call target"), and that Linux boot took 100 ms
 * longer. Calling those of several throwaway cores first makes the sites
 * generic from the start. Returns the instructions they ran in WebAssembly
 * and in regions.
 */
export function varyCallTargets(): { interpreted: number; translated: number } {
  let interpreted = 0;
  let translated = 0;
  // li r3,0; li r4,40; mtctr r4; loop: addi r3,r3,1; bdnz loop; b .
  const program = [enc.d(14, 3, 0, 0), enc.d(14, 4, 0, 40), MTCTR(4), enc.d(14, 3, 3, 1), bdnz(-4), branch(0)];
  for (let k = 0; k < CALL_TARGETS; k++) {
    const bus = new Bus(64 * 1024);
    bus.warn = () => {};
    const cpu = new Cpu(bus);
    keep(cpu);
    cpu.writeTlb1(0, 0, 0, 10, ALL_PERMISSIONS, true);
    program.forEach((w, i) => bus.writeRam(CODE + i * 4, 4, w));
    cpu.pc = CODE;
    cpu.setMsr(MSR.ME);
    // The WebAssembly interpreter runs to the loop's head, which reaches the threshold at the first pass back:
    // the rest of the loop runs as a region.
    cpu.jitThreshold = LOOP_HEAT + 2;
    cpu.seqPc = CODE;
    const end = CODE + (program.length - 1) * 4;
    for (let i = 0; i < 100 && cpu.pc !== end; i++) {
      cpu.irqPoll = 0;
      cpu.insns += execute(cpu, 64);
    }
    interpreted += cpu.wasmInterpInsns;
    translated += cpu.jitInsns;
  }
  return { interpreted, translated };
}

/** What a warm-up ran: instructions of each interpreter pass (JavaScript alone; none in a translator-only warm-up) and of the translator's (-1 where a program did not reach its end), and the translator's work. */
export interface WarmUpReport {
  interpreterPasses: number[];
  /** Instructions of the translator's pass the WebAssembly interpreter ran. */
  wasmInterpreterInsns: number;
  translatorPass: number;
  regionsTranslated: number;
  translatedInsns: number;
  fetchFaults: number;
}

/**
 * Which programs a thread runs: `all` (the interpreter's and the
 * translator's) or `translator` only (warmUpParts decides).
 */
export type WarmUpParts = 'all' | 'translator';

/** A guest image at least this large (a kernel, firmware) gets both programs in a worker thread too. */
export const FULL_WARMUP_IMAGE_BYTES = 256 * 1024;

/**
 * The programs a thread runs before its first guest, whose ELF is
 * `imageBytes` long: both on a process's main thread (`lab run`, the tests)
 * and in a worker thread whose first guest is a kernel or firmware; the
 * translator's only in a worker for a small guest. The translator's program
 * alone brought a session worker's intmix from 0.84 of the main thread's
 * steady rate to 0.97-1.0. The interpreter's program costs a worker a
 * TurboFan compile of the whole switch at its start: eight small flooding
 * guests' workers doing it at once held their console throughput down for 5 s
 * instead of 2; but a kernel's boot takes every path of the switch anyway,
 * and without the program V8 compiles it again and again as the boot
 * reaches them: Linux's first boot in a session worker took 2.0-2.3 s
 * without it, 1.4-1.6 s with it (docs/performance.md).
 */
export function warmUpParts(imageBytes: number, mainThread = isMainThread): WarmUpParts {
  return mainThread || imageBytes >= FULL_WARMUP_IMAGE_BYTES ? 'all' : 'translator';
}

/**
 * Runs the warm-up programs once per thread (later calls return at once).
 * Returns what they ran, or null when they already ran; a broken warm-up
 * costs time but changes nothing a guest sees.
 */
export function warmUpInterpreter(force: boolean, parts: WarmUpParts): WarmUpReport | null {
  if (warmed && !force) return null;
  warmed = true;
  tuneV8();
  const bus = new Bus(RAM);
  bus.warn = () => {};
  const cpu = new Cpu(bus);
  keep(cpu);
  // As every guest's core is set up (run.ts, runner.ts), so that V8 sees the field written from the start: left
  // at its initial value until then, it was tracked as constant, and the guest's own set-up (the first write)
  // threw away the optimised code of execute and fetchPage that relied on it (--trace-deopt: "code dependencies").
  applyJitChoice(cpu, { jit: 'on' });
  const words = warmUpProgram();
  const end = CODE + (words.length - 1) * 4;
  // The skip handler every interrupt goes to: SRR0 += 4, rfi.
  const handler = [MFSRR0(31), enc.d(14, 31, 31, 4), MTSRR0(31), RFI];
  /** Writes instruction words into RAM from address `at`. */
  const put = (at: number, ws: readonly number[]) => ws.forEach((w, i) => bus.writeRam(at + i * 4, 4, w));
  put(HANDLER, handler);
  put(CODE, words);
  for (let n = 400; n <= 415; n++) cpu.writeSpr(n, HANDLER);
  // Instruction fetch faults (ISI, instruction TLB miss) return to the caller (SRR0 = LR), counted in r30.
  put(FETCH_HANDLER, [enc.d(14, 30, 30, 1), MFLR(31), MTSRR0(31), RFI]);
  cpu.writeSpr(403, FETCH_HANDLER);
  // sc returns to SRR0 (the next instruction) with MSR[PR] cleared: the user-mode cells end with it.
  put(SC_HANDLER, [MFSRR1(31), rlwinm(31, 31, 0, 18, 16), MTSRR1(31), RFI]); // rlwinm: every bit but MSR[PR]
  cpu.writeSpr(408, SC_HANDLER);
  cpu.writeSpr(414, FETCH_HANDLER);
  // RAM at 0 (1 MB), a device page with nothing behind it, and the unmapped page.
  cpu.writeTlb1(0, 0, 0, 10, ALL_PERMISSIONS, true);
  cpu.writeTlb1(1, DEVICE_EA, 0xF00000000, 2, ALL_PERMISSIONS, true);
  /** Runs from `start` to `end` in small slices (many calls of execute, as a guest's run makes them); the instructions, or -1. */
  const runTo = (start: number, end: number) => {
    cpu.pc = start;
    cpu.setMsr(MSR.ME);
    const before = cpu.insns;
    for (let k = 0; k < 20_000 && cpu.pc !== end; k++) {
      cpu.irqPoll = 0; // as Machine.run does before each slice
      cpu.insns += execute(cpu, 64);
    }
    return cpu.pc === end ? cpu.insns - before : -1;
  };
  // The translator's program first, with the WebAssembly interpreter running what it does not translate (its
  // calls from execute need type feedback of their own), then the interpreter's twice, counting heat as a
  // guest's run does but never reaching the threshold, in JavaScript alone (the first pass finds the soft TLB
  // cold: slow paths; the second warm: fast paths), which a guest runs where the WebAssembly interpreter does
  // not: translation off, device memory, a debugger's breakpoints, instructions it leaves to JavaScript.
  const jitWords = warmUpJitProgram();
  put(JIT_CODE, jitWords);
  cpu.jitThreshold = JIT_WARM_THRESHOLD;
  cpu.gpr[30] = 0;
  const translatorPass = runTo(JIT_CODE, JIT_CODE + (jitWords.length - 1) * 4);
  const inWasm = cpu.wasmInterpInsns;
  const fetchFaults = cpu.gpr[30]!;
  cpu.jitThreshold = 0x7FFFFFFF;
  cpu.flushSoftTlb();
  cpu.wasmInterp = WASM_INTERP_NONE;
  const interpreterPasses = parts === 'all' ? [runTo(CODE, end), runTo(CODE, end)] : [];
  varyCallTargets();
  return { interpreterPasses, wasmInterpreterInsns: inWasm, translatorPass, regionsTranslated: cpu.jitBlocks, translatedInsns: cpu.jitInsns, fetchFaults };
}
