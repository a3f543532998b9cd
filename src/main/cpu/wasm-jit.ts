// The block translator's WebAssembly back end. A region (what jit.ts's region
// discovery finds: the code reachable from a hot entry by falling through and
// by relative branches within its page) becomes one WebAssembly function:
// the guest's loops as a loop around a br_table over the region's basic
// blocks, forward branches as direct branches, the GPRs the region uses in
// locals (machine registers), and CR, CTR, LR and XER's bits too. RAM, the
// GPRs and the soft TLB are in the guest's WebAssembly memory (memory.ts),
// so accesses are plain loads and stores behind the same soft-TLB check as
// the interpreter's.
//
// Why WebAssembly: V8 runs a new JavaScript function in its bytecode
// interpreter until it has profiled it, then compiles it with TurboFan and
// throws the result away at the first path the profile had not seen
// ("insufficient type feedback"); a region of 100 instructions took 20-80 ms
// per compile and several compiles, and ran at a tenth of its final speed
// meanwhile (docs/performance.md). WebAssembly has no type feedback: a
// region is compiled in well under a millisecond by the baseline compiler and
// optimised in the background, once.
//
// Exactness is the JavaScript back end's: every instruction does what its case
// in interp.ts does, every exit records the instructions run, a fault records
// where it happened (the instruction's index k in its basic block after
// `done` instructions) before anything is observed.

import type { Cpu } from './cpu';
import { MASKS } from './bits';
import { CODE_LINE_SHIFT, CORE_SLOT, CORE_TB_F64, CORE_TLB, TAG_CODE, tagMask } from './memory';
import type { BlockFn, JitBlock, RegionPlan } from './jit';
import { regionModules } from './wasm-modules';

// ---- a small WebAssembly assembler ------------------------------------------------------------------

export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0B, br: 0x0C, brIf: 0x0D, brTable: 0x0E,
  call: 0x10, callIndirect: 0x11, select: 0x1B, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  load: 0x28, load8u: 0x2D, load16u: 0x2F, store: 0x36, store8: 0x3A, store16: 0x3B,
  const: 0x41, eqz: 0x45, eq: 0x46, ne: 0x47, ltS: 0x48, ltU: 0x49, gtS: 0x4A, gtU: 0x4B, leU: 0x4D, geS: 0x4E, geU: 0x4F,
  clz: 0x67, add: 0x6A, sub: 0x6B, mul: 0x6C, divS: 0x6D, divU: 0x6E, and: 0x71, or: 0x72, xor: 0x73,
  shl: 0x74, shrS: 0x75, shrU: 0x76, rotl: 0x77,
  wrap: 0xA7, extendS: 0xAC, extendU: 0xAD, mul64: 0x7E, shrS64: 0x87, shrU64: 0x88, const64: 0x42,
  extend8: 0xC0, extend16: 0xC1,
  loadF64: 0x2B, addF64: 0xA0, mulF64: 0xA2, divF64: 0xA3, floorF64: 0x9C, f64FromI32: 0xB7, i64FromF64: 0xB0,
} as const;
export const I32 = 0x7F;
export const VOID = 0x40;

function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7F;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/**
 * Code of one function body, with structured labels named by object rather
 * than depth, written straight into a growing byte array (a region's 6-7 KB
 * of code as a number[] copied three times cost more than V8's compilation of
 * it: docs/performance.md).
 */
export class Asm {
  private buf: Uint8Array;
  /** Bytes written so far. */
  len = 0;
  /** Bit l set: local l (below 32) was set or teed. */
  setMask = 0;
  /**
   * Branch hints, in order: the byte offset of each hinted `if` in this code,
   * and 1 (its condition is likely true) or 0 (unlikely). regionModule gives
   * them to V8 (branchHintSection), whose optimising compiler then places the
   * unlikely arm out of line and its spills there.
   */
  readonly hints: number[] = [];
  private readonly labels: object[] = [];

  constructor(capacity = 8192) {
    this.buf = new Uint8Array(capacity);
  }

  /** The bytes written (a view, valid until the next write). */
  bytes(): Uint8Array { return this.buf.subarray(0, this.len); }

  byte(v: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = v;
  }

  uleb(v: number): void {
    v >>>= 0;
    while (v >= 0x80) {
      this.byte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
  }

  sleb(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7F;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  op(...x: number[]): this { for (const v of x) this.byte(v); return this; }
  /** memory.fill (bulk memory) of memory 0: pops the address, the byte value and the length. */
  fill(): this { this.byte(0xFC); this.uleb(11); this.byte(0); return this; }
  c(v: number): this { this.byte(OP.const); this.sleb(v); return this; }
  get(l: number): this { this.byte(OP.localGet); this.uleb(l); return this; }
  set(l: number): this { this.byte(OP.localSet); this.uleb(l); if (l < 32) this.setMask |= 1 << l; return this; }
  tee(l: number): this { this.byte(OP.localTee); this.uleb(l); if (l < 32) this.setMask |= 1 << l; return this; }
  /** i32 load/store with a constant offset (alignment hint 2 for words). */
  mem(op: number, offset: number): this {
    this.byte(op);
    this.byte(op === OP.loadF64 ? 3 : op === OP.load || op === OP.store ? 2 : op === OP.load16u || op === OP.store16 ? 1 : 0);
    this.uleb(offset);
    return this;
  }
  open(kind: number, type: number, label: object = {}): object { this.byte(kind); this.byte(type); this.labels.push(label); return label; }
  /** An `if` whose condition is `likely` true or not (a hint: the slow paths of loads, stores and calls out). */
  ifLikely(likely: boolean, type: number = VOID): object {
    this.hints.push(this.len, likely ? 1 : 0);
    return this.open(OP.if, type);
  }
  else(): this { this.byte(OP.else); return this; }
  end(): this { this.byte(OP.end); this.labels.pop(); return this; }
  depth(label: object): number {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error('wasm-jit: branch to a label not in scope');
    return this.labels.length - 1 - i;
  }
  br(label: object): this { this.byte(OP.br); this.uleb(this.depth(label)); return this; }
  brTable(targets: object[], fallback: object): this {
    this.byte(OP.brTable);
    this.uleb(targets.length);
    for (const t of targets) this.uleb(this.depth(t));
    this.uleb(this.depth(fallback));
    return this;
  }
}

// ---- locals ------------------------------------------------------------------------------------------

// Parameters: the region's first address, the budget, the data translation key.
const PC0 = 0, N = 1, DKEY = 2;
// Scratch and state locals.
const LBL = 3, DONE = 4, RET = 5, RAN = 6, A = 7, B = 8, T = 9, V = 10, EA = 11, MISS = 12, IDX = 13, X = 14;
const CTR = 15, LR = 16, SO = 17, CA = 18, OV = 19;
/**
 * CR's eight fields, each in a local of its own (4 bits: LT GT EQ SO): a
 * compare sets one without masking and shifting the whole register, and
 * fields do not depend on one another. CR is composed from them where the
 * core may look at it (syncOut) and by mfcr.
 */
const CRF = 20;
/** The state locals (CTR to OV, then the CR fields) as bits (bit i: local CTR + i), from a set-locals mask. */
const stateBits = (setMask: number) => (setMask >>> CTR) & 0x1FFF;
/** A state local's bit in stateBits. */
const stateBit = (local: number) => 1 << (local - CTR);
/** The GPRs a region uses get locals from G on, in order of first use (only those it uses). */
const G = 28;

/**
 * The core's helpers a region calls out to: slots of the core's table (the
 * bridge module's functions sit there, below the regions), called with
 * call_indirect. A region module imports no function: V8 compiled two
 * import-call wrappers (TurboFan, 0.2-0.3 ms each) into every module that
 * did, most of what compiling a region cost (docs/performance.md).
 */
export const IMPORT_LD = 0, IMPORT_ST = 1, IMPORT_CALL = 2;
/** Table slots the helpers take; regions' slots follow. */
const HELPER_SLOTS = 3;
/** A region module's types: 0 = the region (pc0, n, dKey) -> pc, 1 = ld and call (6 i32s), 2 = st (7). */
export const HELPER_TYPE = [1, 2, 1];
/** What IMPORT_CALL does (its first argument). */
export const CALL = { TIMEBASE: 0, MFSPR: 1, MFMSR: 2, WRTEE: 3, DCBZ: 4 } as const;

// ---- per-instruction code ------------------------------------------------------------------------------

/** A branch the driver places: its condition, target, and what it does regardless (CTR, LR). */
interface WBranch {
  /** Emits what the branch does whether or not it is taken (CTR decrement, capturing the target, setting LR). */
  pre(a: Asm): void;
  /** Pushes the condition (i32), or null when always taken. */
  cond: ((a: Asm) => void) | null;
  /** Pushes the target address. */
  target(a: Asm): void;
  /** The target's offset from the region's first address when known (relative branches). */
  targetOffset: number | null;
  linked: boolean;
}

/** State of the translation of one region, shared by the instruction emitters. */
interface Ctx {
  a: Asm;
  /** Byte offset of the core's area in the memory. */
  core: number;
  /** GPRs written in the region (stored back at every exit and before every call out). */
  written: Set<number>;
  /**
   * The state locals (CTR to OV, the CR fields) the region writes, as stateBits: only those are stored back
   * (the others still hold what the prologue loaded from their slots, so storing them would change nothing).
   */
  stateWritten: number;
  used: Set<number>;
  /** The local of each GPR used (gprLocal). */
  local: number[];
  exit: object;
  /** The region reads the time base (runWasm gives it the timers' state). */
  timed: boolean;
  /** Its soft-TLB code's locals and the core's area (a constant address). */
  tlb: SoftTlbAt;
}

/** The local holding GPR n (given one at its first use). */
function gprLocal(c: Ctx, n: number): number {
  let l = c.local[n];
  if (l === undefined) {
    l = G + c.used.size;
    c.local[n] = l;
    c.used.add(n);
  }
  return l;
}

const slot = (c: Ctx, s: number) => c.core + s * 4;

/** Writes the locals the core may look at back to memory: before a call out and at every exit. */
function syncOut(c: Ctx): void {
  const a = c.a;
  for (const n of c.written) a.c(0).get(gprLocal(c, n)).mem(OP.store, c.core + n * 4);
  const state = c.stateWritten;
  const fields = [0, 1, 2, 3, 4, 5, 6, 7].filter((f) => state & stateBit(CRF + f));
  if (fields.length > 0) {
    // The fields written, into CR as its slot holds it (the others are as the prologue found them there).
    let keep = -1;
    for (const f of fields) keep &= ~(15 << (28 - 4 * f));
    a.c(0);
    a.c(0).mem(OP.load, slot(c, CORE_SLOT.CR)).c(keep).op(OP.and);
    for (const f of fields) fieldAt(c, f);
    a.mem(OP.store, slot(c, CORE_SLOT.CR));
  }
  if (state & stateBit(CTR)) a.c(0).get(CTR).mem(OP.store, slot(c, CORE_SLOT.CTR));
  if (state & stateBit(LR)) a.c(0).get(LR).mem(OP.store, slot(c, CORE_SLOT.LR));
  if (state & stateBit(SO)) a.c(0).get(SO).mem(OP.store, slot(c, CORE_SLOT.SO));
  if (state & stateBit(CA)) a.c(0).get(CA).mem(OP.store, slot(c, CORE_SLOT.CA));
  if (state & stateBit(OV)) a.c(0).get(OV).mem(OP.store, slot(c, CORE_SLOT.OV));
}

/** Leave the region returning the value on the stack, having run `ran` instructions (pushed by `ranOf`). */
function leave(c: Ctx, ranOf: (a: Asm) => void): void {
  c.a.set(RET);
  ranOf(c.a);
  c.a.set(RAN).br(c.exit);
}

const r = (c: Ctx, n: number) => { c.a.get(gprLocal(c, n)); };
const ra0 = (c: Ctx, n: number) => { if (n === 0) c.a.c(0); else r(c, n); };
const setR = (c: Ctx, n: number) => { c.written.add(n); c.a.set(gprLocal(c, n)); };

/** CR0 from local T: LT/GT/EQ and SO. */
function cr0(c: Ctx): void {
  crField(c, 0, () => { c.a.c(8).c(4).c(2).get(T).c(0).op(OP.gtS, OP.select).get(T).c(0).op(OP.ltS, OP.select); });
}

/** CR field `field` = (pushed 3-bit value) | SO. */
function crField(c: Ctx, field: number, value: () => void): void {
  value();
  c.a.get(SO).op(OP.or).set(CRF + field);
}

/** ORs field f, in its place in CR, into the value on the stack. */
function fieldAt(c: Ctx, f: number): void {
  c.a.get(CRF + f);
  if (f < 7) c.a.c(28 - 4 * f).op(OP.shl);
  c.a.op(OP.or);
}

/** Pushes the whole CR, composed from its fields. */
function wholeCr(c: Ctx): void {
  c.a.c(0);
  for (let f = 0; f < 8; f++) fieldAt(c, f);
}

/** Pushes CR bit `bi` (0 = CR0's LT), 0 or 1. */
function crBit(c: Ctx, bi: number): void {
  const sh = 3 - (bi & 3);
  c.a.get(CRF + (bi >> 2));
  if (sh > 0) c.a.c(sh).op(OP.shrU);
  c.a.c(1).op(OP.and);
}

/** The comparison result 8/4/2 of locals A and B, signed or not. */
function compareAB(c: Ctx, signed: boolean): void {
  c.a.c(8).c(4).c(2).get(A).get(B).op(signed ? OP.gtS : OP.gtU, OP.select).get(A).get(B).op(signed ? OP.ltS : OP.ltU, OP.select);
}

/** XER[OV] = the pushed condition (0 or 1), and XER[SO] |= it (the OE forms). */
function setOverflow(c: Ctx, cond: () => void): void {
  cond();
  c.a.tee(OV).get(SO).op(OP.or).set(SO);
}

/** A call out to the core (loads, stores, the rare instructions): the locals written back first. */
function callOut(c: Ctx, fn: number, args: () => void): void {
  syncOut(c);
  args();
  c.a.c(fn).op(OP.callIndirect);
  c.a.uleb(HELPER_TYPE[fn]!);
  c.a.byte(0); // table 0
}

/** After a call that may have recorded a fault: leave with 1 (the core finds the instruction from jitK/jitBase). */
function leaveOnFault(c: Ctx): void {
  const a = c.a;
  a.c(0).mem(OP.load, slot(c, CORE_SLOT.FAULT));
  a.ifLikely(false);
  a.c(1);
  leave(c, (x) => x.get(DONE));
  a.end();
}

const rotl = (c: Ctx, sh: number) => { if (sh !== 0) c.a.c(sh).op(OP.rotl); };

/**
 * Where soft-TLB code finds its locals and the core's area: at the constant
 * byte address `core` (a region, compiled for one core), or at `core` plus
 * the local `coreLocal` (the interpreter, one module for every core).
 */
export interface SoftTlbAt {
  ea: number;
  miss: number;
  idx: number;
  dKey: number;
  core: number;
  coreLocal: number | null;
}

/**
 * The soft-TLB check of a data access at EA: pushes "miss", zero when the
 * tag equals (EA & tagMask(size)) | key, i.e. EA's page with this key and
 * an aligned access (memory.ts), one value that V8 tests with one branch.
 * Leaves IDX set, and for a store MISS too (emitCodeLineFree).
 */
export function emitTlbMiss(a: Asm, l: SoftTlbAt, write: boolean, size: number): void {
  a.get(l.ea).c(10).op(OP.shrU).c(1023 << 2).op(OP.and).tee(l.idx);
  if (l.coreLocal !== null) a.get(l.coreLocal).op(OP.add);
  a.mem(OP.load, l.core + (CORE_TLB + (write ? 2048 : 0)) * 4).get(l.ea).c(tagMask(size)).op(OP.and).get(l.dKey).op(OP.or, OP.xor);
  if (write) a.tee(l.miss);
}

/**
 * In a store's miss arm (after emitTlbMiss): pushes whether the store may
 * still be made here, its page holding code but not the line it writes (a
 * miss of exactly TAG_CODE, aligned, and the code-line map's byte at zero,
 * memory.ts): nothing decoded there to invalidate.
 */
export function emitCodeLineFree(a: Asm, l: SoftTlbAt): void {
  a.get(l.miss).c(TAG_CODE).op(OP.eq);
  a.open(OP.if, I32);
  emitHostAddress(a, l, true, 4);
  a.c(CODE_LINE_SHIFT).op(OP.shrU);
  if (l.coreLocal !== null) a.get(l.coreLocal); else a.c(0);
  a.mem(OP.load, l.core + CORE_SLOT.CODE_LINES * 4).op(OP.add).mem(OP.load8u, 0).op(OP.eqz);
  a.else();
  a.c(0);
  a.end();
}

/** Pushes the host address of EA's byte in RAM, the soft TLB's value + EA (after emitTlbMiss). */
export function emitHostAddress(a: Asm, l: SoftTlbAt, write: boolean, size: number): void {
  a.get(l.idx);
  if (l.coreLocal !== null) a.get(l.coreLocal).op(OP.add);
  a.mem(OP.load, l.core + (CORE_TLB + (write ? 3072 : 1024)) * 4).get(l.ea).op(OP.add);
  if (size === 2) a.c(2).op(OP.xor);
  if (size === 1) a.c(3).op(OP.xor);
}

/** A region's soft-TLB locals, with its core's area at byte `core`. */
const regionSoftTlb = (core: number): SoftTlbAt => ({ ea: EA, miss: MISS, idx: IDX, dKey: DKEY, core, coreLocal: null });
const tlbMiss = (c: Ctx, write: boolean, size: number) => emitTlbMiss(c.a, c.tlb, write, size);
const hostAddress = (c: Ctx, write: boolean, size: number) => emitHostAddress(c.a, c.tlb, write, size);

/** Loads `size` bytes at EA into V (zero-extended), through the fast path or the core. */
function load(c: Ctx, size: 1 | 2 | 4, pcOff: number, k: number): void {
  const a = c.a;
  tlbMiss(c, false, size);
  a.ifLikely(false, I32);
  callOut(c, IMPORT_LD, () => { a.get(EA).c(size).get(PC0).c(pcOff).op(OP.add).c(k).get(DONE).get(N); });
  a.set(V);
  leaveOnFault(c);
  a.get(V);
  a.else();
  hostAddress(c, false, size);
  a.mem(size === 4 ? OP.load : size === 2 ? OP.load16u : OP.load8u, 0);
  a.end();
  a.set(V);
}

/** Stores V's low `size` bytes at EA; `next` pushes where to go if the block must end after it. */
function store(c: Ctx, size: 1 | 2 | 4, pcOff: number, k: number, afterLeave: (() => void) | null = null): void {
  const a = c.a;
  const here = () => {
    hostAddress(c, true, size);
    a.get(V).mem(size === 4 ? OP.store : size === 2 ? OP.store16 : OP.store8, 0);
  };
  tlbMiss(c, true, size);
  a.ifLikely(false);
  emitCodeLineFree(a, c.tlb);
  a.open(OP.if, VOID);
  here();
  a.else();
  callOut(c, IMPORT_ST, () => {
    a.get(EA).c(size).get(PC0).c(pcOff).op(OP.add).get(V);
    if (size < 4) a.c(size === 2 ? 0xFFFF : 0xFF).op(OP.and);
    a.c(k).get(DONE).get(N);
  });
  a.tee(X);
  a.ifLikely(false);
  // 1: a fault; 2: code was overwritten or an interrupt check is due: end the block after this store.
  a.get(X).c(1).op(OP.eq);
  a.open(OP.if, VOID);
  a.c(1);
  leave(c, (x) => x.get(DONE));
  a.end();
  afterLeave?.();
  a.get(PC0).c(pcOff + 4).op(OP.add);
  leave(c, (x) => x.get(DONE).c(k + 1).op(OP.add));
  a.end();
  a.end();
  a.else();
  here();
  a.end();
}

/**
 * The rare instructions that need the core (time base, SPRs, MSR, dcbz):
 * IMPORT_CALL(what, arg, pc, k, done, n), which may throw a fault (the core
 * was told where first). With `mayLeave`, a result of 1 ends the block after
 * the instruction (an interrupt may have become pending, or code was
 * overwritten).
 */
function coreCall(c: Ctx, what: number, arg: () => void, pcOff: number, k: number, mayLeave: boolean): void {
  const a = c.a;
  callOut(c, IMPORT_CALL, () => { a.c(what); arg(); a.get(PC0).c(pcOff).op(OP.add).c(k).get(DONE).get(N); });
  if (!mayLeave) return;
  a.ifLikely(false);
  a.get(PC0).c(pcOff + 4).op(OP.add);
  leave(c, (x) => x.get(DONE).c(k + 1).op(OP.add));
  a.end();
}

/**
 * TBL (268) or TBU (269) pushed, computed here as Timers.ticksAfter, tbl and
 * tbu compute it from the state runWasm exported (the same IEEE double
 * arithmetic, so the same value): a kernel's delay loops read the time base
 * millions of times. With an SPR watch armed (a debugger), through the core.
 */
function timeBase(c: Ctx, spr: number, pcOff: number, k: number): void {
  const a = c.a;
  c.timed = true;
  const f64 = (i: number) => a.c(0).mem(OP.loadF64, c.core + (CORE_TB_F64 + i) * 8);
  a.c(0).mem(OP.load, slot(c, CORE_SLOT.WATCH));
  a.ifLikely(false, I32);
  coreCall(c, CALL.TIMEBASE, () => a.c(spr), pcOff, k, false);
  a.else();
  // ticks + floor((remainder + instructions so far in the slice * multiplier) / denominator)
  f64(0);
  f64(1);
  a.c(0).mem(OP.load, slot(c, CORE_SLOT.SLICE)).get(N).op(OP.sub).get(DONE).op(OP.add).c(k + 1).op(OP.add, OP.f64FromI32);
  f64(2);
  a.op(OP.mulF64, OP.addF64);
  f64(3);
  a.op(OP.divF64, OP.floorF64, OP.addF64);
  // + the offset's low half: the 64-bit time base's low word, or its high word plus the offset's high half.
  f64(4);
  a.op(OP.addF64, OP.i64FromF64);
  if (spr === 268) {
    a.op(OP.wrap);
  } else {
    a.op(OP.const64, 32, OP.shrU64, OP.wrap);
    f64(5);
    a.op(OP.i64FromF64, OP.wrap, OP.add);
  }
  a.end();
}

const simm = (w: number) => (w << 16) >> 16;

/**
 * Emits instruction `id` (word `word`), the k-th of its basic block, at
 * `off` bytes from the region's start. Returns 'ok', a branch for the driver
 * to place, or null when the translator leaves it to the interpreter.
 */
function emitW(c: Ctx, id: number, word: number, k: number, off: number): 'ok' | WBranch | null {
  const a = c.a;
  const rt = (word >>> 21) & 31;
  const ra = (word >>> 16) & 31;
  const rb = (word >>> 11) & 31;
  const rc = (word & 1) !== 0;
  const oe = (word & 0x400) !== 0;
  const ok = (): 'ok' => 'ok';
  const withCr0 = () => { if (rc) cr0(c); return ok(); };
  // T = expr(A, B) with A = r[ra], B = r[rb]; r[rt] = T; OV from ovCond when OE.
  const arith = (expr: () => void, ov: (() => void) | null) => {
    r(c, ra); a.set(A); r(c, rb); a.set(B);
    expr(); a.set(T);
    if (oe && ov !== null) setOverflow(c, ov);
    a.get(T); setR(c, rt);
    return withCr0();
  };
  const logic = (expr: () => void) => { expr(); a.tee(T); setR(c, ra); return withCr0(); };
  // x + y + carry-in with XER[CA] out (the carry family).
  const carrying = (x: () => void, y: () => void, cin: () => void) => {
    x(); a.set(A); y(); a.set(B); cin(); a.set(X);
    a.get(A).get(B).op(OP.add).get(X).op(OP.add).set(T);
    // Carry out: (a + b) carries, or (a + b) + x does.
    a.get(A).get(B).op(OP.add).get(A).op(OP.ltU);
    a.get(T).get(A).get(B).op(OP.add, OP.ltU, OP.or).set(CA);
    if (oe) setOverflow(c, () => { a.get(A).get(T).op(OP.xor).get(B).get(T).op(OP.xor, OP.and).c(0).op(OP.ltS); });
    a.get(T); setR(c, rt);
    return withCr0();
  };
  const notRa = () => { r(c, ra); a.c(-1).op(OP.xor); };
  // EA = (rA|0) + d or rA + rB; the update forms use rA itself.
  const effectiveAddress = (update: boolean, dForm: boolean) => {
    if (update) r(c, ra); else ra0(c, ra);
    if (dForm) a.c(simm(word)); else r(c, rb);
    a.op(OP.add).set(EA);
  };
  const mask = () => MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
  switch (id) {
    case 9: ra0(c, ra); a.c(simm(word)).op(OP.add); setR(c, rt); return ok(); // addi
    case 10: ra0(c, ra); a.c(word << 16).op(OP.add); setR(c, rt); return ok(); // addis
    case 7: case 8: { // addic addic.
      r(c, ra); a.tee(A).c(simm(word)).op(OP.add).tee(T); setR(c, rt);
      a.get(T).get(A).op(OP.ltU).set(CA);
      return id === 8 ? (cr0(c), ok()) : ok();
    }
    case 4: { // subfic
      const imm = simm(word);
      r(c, ra); a.set(A);
      a.c(imm).get(A).op(OP.sub); setR(c, rt);
      a.c(imm).get(A).op(OP.geU).set(CA);
      return ok();
    }
    case 3: r(c, ra); a.c(simm(word)).op(OP.mul); setR(c, rt); return ok(); // mulli
    case 17: r(c, rt); a.c(word & 0xFFFF).op(OP.or); setR(c, ra); return ok(); // ori
    case 18: r(c, rt); a.c(word << 16).op(OP.or); setR(c, ra); return ok(); // oris
    case 19: r(c, rt); a.c(word & 0xFFFF).op(OP.xor); setR(c, ra); return ok(); // xori
    case 20: r(c, rt); a.c(word << 16).op(OP.xor); setR(c, ra); return ok(); // xoris
    case 21: r(c, rt); a.c(word & 0xFFFF).op(OP.and).tee(T); setR(c, ra); cr0(c); return ok(); // andi.
    case 22: r(c, rt); a.c(word << 16).op(OP.and).tee(T); setR(c, ra); cr0(c); return ok(); // andis.
    case 6: r(c, ra); a.set(A).c(simm(word)).set(B); crField(c, rt >> 2, () => compareAB(c, true)); return ok(); // cmpi
    case 5: r(c, ra); a.set(A).c(word & 0xFFFF).set(B); crField(c, rt >> 2, () => compareAB(c, false)); return ok(); // cmpli
    case 65: r(c, ra); a.set(A); r(c, rb); a.set(B); crField(c, rt >> 2, () => compareAB(c, true)); return ok(); // cmp
    case 78: r(c, ra); a.set(A); r(c, rb); a.set(B); crField(c, rt >> 2, () => compareAB(c, false)); return ok(); // cmpl
    case 15: r(c, rt); rotl(c, rb); a.c(mask()).op(OP.and).tee(T); setR(c, ra); return withCr0(); // rlwinm
    case 14: { // rlwimi
      const m = mask();
      r(c, rt); rotl(c, rb); a.c(m).op(OP.and); r(c, ra); a.c(~m).op(OP.and, OP.or).tee(T); setR(c, ra);
      return withCr0();
    }
    case 16: r(c, rt); r(c, rb); a.op(OP.rotl).c(mask()).op(OP.and).tee(T); setR(c, ra); return withCr0(); // rlwnm
    case 110: return arith(() => a.get(A).get(B).op(OP.add), // add
      () => a.get(A).get(T).op(OP.xor).get(B).get(T).op(OP.xor, OP.and).c(0).op(OP.ltS));
    case 79: return arith(() => a.get(B).get(A).op(OP.sub), // subf
      () => a.get(A).get(B).op(OP.xor).get(B).get(T).op(OP.xor, OP.and).c(0).op(OP.ltS));
    case 88: return arith(() => a.c(0).get(A).op(OP.sub), () => a.get(A).c(-2147483648).op(OP.eq)); // neg
    case 106: return arith(() => a.get(A).get(B).op(OP.mul), // mullw: overflow when the high word is not the sign of the low
      () => { mulHigh(c, true); a.get(T).c(31).op(OP.shrS, OP.ne); });
    case 84: return arith(() => mulHigh(c, true), null); // mulhw
    case 69: return arith(() => mulHigh(c, false), null); // mulhwu
    case 131: return arith(() => { // divw: 0 when undefined, as the interpreter
      divUndefined(c);
      a.open(OP.if, I32); a.c(0); a.else(); a.get(A).get(B).op(OP.divS); a.end();
    }, () => divUndefined(c));
    case 126: return arith(() => {
      a.get(B).op(OP.eqz);
      a.open(OP.if, I32); a.c(0); a.else(); a.get(A).get(B).op(OP.divU); a.end();
    }, () => a.get(B).op(OP.eqz)); // divwu
    case 77: return logic(() => { r(c, rt); r(c, rb); a.op(OP.and); }); // and
    case 125: return logic(() => { r(c, rt); r(c, rb); a.op(OP.or); }); // or
    case 116: return logic(() => { r(c, rt); r(c, rb); a.op(OP.xor); }); // xor
    case 82: return logic(() => { r(c, rt); r(c, rb); a.c(-1).op(OP.xor, OP.and); }); // andc
    case 90: return logic(() => { r(c, rt); r(c, rb); a.op(OP.or).c(-1).op(OP.xor); }); // nor
    case 130: return logic(() => { r(c, rt); r(c, rb); a.op(OP.and).c(-1).op(OP.xor); }); // nand
    case 114: return logic(() => { r(c, rt); r(c, rb); a.op(OP.xor).c(-1).op(OP.xor); }); // eqv
    case 123: return logic(() => { r(c, rt); r(c, rb); a.c(-1).op(OP.xor, OP.or); }); // orc
    case 75: case 135: { // slw srw: shift amounts 32-63 give 0
      r(c, rb); a.c(63).op(OP.and).set(X);
      a.c(0); r(c, rt); a.get(X).op(id === 75 ? OP.shl : OP.shrU);
      a.get(X).c(32).op(OP.and, OP.select).tee(T); setR(c, ra);
      return withCr0();
    }
    case 149: { // srawi
      r(c, rt); a.tee(V).c(rb).op(OP.shrS).set(T);
      if (rb === 0) a.c(0).set(CA);
      else a.get(V).c(0).op(OP.ltS).get(V).c((1 << rb) - 1).op(OP.and).c(0).op(OP.ne, OP.and).set(CA);
      a.get(T); setR(c, ra);
      return withCr0();
    }
    case 148: { // sraw
      r(c, rt); a.set(V); r(c, rb); a.c(63).op(OP.and).set(X);
      a.get(X).c(32).op(OP.and);
      a.open(OP.if, VOID);
      a.get(V).c(31).op(OP.shrS).set(T).get(V).c(0).op(OP.ltS).set(CA);
      a.else();
      a.get(V).get(X).op(OP.shrS).set(T);
      // CA: negative, shifted by something, and a 1 shifted out.
      a.get(V).c(0).op(OP.ltS).get(V).c(1).get(X).op(OP.shl).c(1).op(OP.sub, OP.and).c(0).op(OP.ne, OP.and).set(CA);
      a.end();
      a.get(T); setR(c, ra);
      return withCr0();
    }
    case 68: return carrying(() => r(c, ra), () => r(c, rb), () => a.c(0)); // addc
    case 93: return carrying(() => r(c, ra), () => r(c, rb), () => a.get(CA)); // adde
    case 105: return carrying(() => r(c, ra), () => a.c(-1), () => a.get(CA)); // addme
    case 101: return carrying(() => r(c, ra), () => a.c(0), () => a.get(CA)); // addze
    case 67: return carrying(notRa, () => r(c, rb), () => a.c(1)); // subfc
    case 92: return carrying(notRa, () => r(c, rb), () => a.get(CA)); // subfe
    case 104: return carrying(notRa, () => a.c(-1), () => a.get(CA)); // subfme
    case 100: return carrying(notRa, () => a.c(0), () => a.get(CA)); // subfze
    case 76: return logic(() => { r(c, rt); a.op(OP.clz); }); // cntlzw
    case 155: return logic(() => { r(c, rt); a.op(OP.extend8); }); // extsb
    case 153: return logic(() => { r(c, rt); a.op(OP.extend16); }); // extsh
    case 70: { // isel
      const bc = (word >>> 6) & 31;
      ra0(c, ra); r(c, rb); crBit(c, bc); a.op(OP.select); setR(c, rt);
      return ok();
    }
    // ---- loads and stores ----
    case 23: case 25: case 31: case 33: case 74: case 87: case 113: case 119: case 133: { // lwz lbz lhz lha lwzx lbzx lhzx lhax lwbrx
      const size = id === 23 || id === 74 || id === 133 ? 4 : id === 25 || id === 87 ? 1 : 2;
      effectiveAddress(false, id <= 33);
      load(c, size, off, k);
      a.get(V);
      if (id === 33 || id === 119) a.op(OP.extend16);
      if (id === 133) byteReverse(c);
      setR(c, rt);
      return ok();
    }
    case 24: case 26: case 32: case 34: case 81: case 89: case 115: case 121: { // lwzu lbzu lhzu lhau lwzux lbzux lhzux lhaux
      if (ra === 0 || ra === rt) return null; // invalid form: the interpreter raises it
      const size = id === 24 || id === 81 ? 4 : id === 26 || id === 89 ? 1 : 2;
      effectiveAddress(true, id <= 34);
      load(c, size, off, k);
      a.get(V);
      if (id === 34 || id === 121) a.op(OP.extend16);
      setR(c, rt);
      a.get(EA); setR(c, ra);
      return ok();
    }
    case 27: case 29: case 35: case 97: case 103: case 122: case 141: { // stw stb sth stwx stbx sthx stwbrx
      const size = id === 27 || id === 97 || id === 141 ? 4 : id === 29 || id === 103 ? 1 : 2;
      effectiveAddress(false, id <= 35);
      r(c, rt);
      if (id === 141) byteReverse(c);
      a.set(V);
      store(c, size, off, k);
      return ok();
    }
    case 28: case 30: case 36: case 99: case 109: case 124: { // stwu stbu sthu stwux stbux sthux
      if (ra === 0) return null;
      const size = id === 28 || id === 99 ? 4 : id === 30 || id === 109 ? 1 : 2;
      effectiveAddress(true, id <= 36);
      r(c, rt); a.set(V);
      // rA is updated only after the store completes (a faulting store leaves it).
      store(c, size, off, k, () => { a.get(EA); setR(c, ra); });
      a.get(EA); setR(c, ra);
      return ok();
    }
    // ---- SPR, CR and XER moves ----
    case 118: { // mfspr
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n === 8) { a.get(LR); setR(c, rt); return ok(); }
      if (n === 9) { a.get(CTR); setR(c, rt); return ok(); }
      if (n === 1) return null; // XER's byte count lives in the core
      if (n === 268 || n === 269) timeBase(c, n, off, k);
      else coreCall(c, CALL.MFSPR, () => a.c(n), off, k, false);
      setR(c, rt);
      return ok();
    }
    case 128: { // mtspr
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n === 8) { r(c, rt); a.set(LR); return ok(); }
      if (n === 9) { r(c, rt); a.set(CTR); return ok(); }
      return null; // may change translation or raise interrupts: the interpreter's business
    }
    case 120: { // mftb
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n !== 268 && n !== 269) return null; // illegal: the interpreter raises it
      timeBase(c, n, off, k);
      setR(c, rt);
      return ok();
    }
    case 71: // mfcr / mfocrf
      wholeCr(c);
      if (word & 0x00100000) a.c(crMask((word >>> 12) & 0xFF)).op(OP.and);
      setR(c, rt);
      return ok();
    case 94: { // mtcrf
      const fxm = (word >>> 12) & 0xFF;
      for (let f = 0; f < 8; f++) {
        if (!(fxm & (0x80 >>> f))) continue;
        r(c, rt);
        if (f < 7) a.c(28 - 4 * f).op(OP.shrU);
        a.c(15).op(OP.and).set(CRF + f);
      }
      return ok();
    }
    case 48: // mcrf
      a.get(CRF + (ra >> 2)).set(CRF + (rt >> 2));
      return ok();
    case 50: case 56: case 58: case 59: case 60: case 61: case 62: case 63: { // crnor crandc crxor crnand crand creqv crorc cror
      crBit(c, ra); crBit(c, rb);
      if (id === 56 || id === 62) a.c(1).op(OP.xor); // complemented B
      a.op(id === 60 || id === 56 || id === 59 ? OP.and : id === 58 || id === 61 ? OP.xor : OP.or);
      if (id === 59 || id === 50 || id === 61) a.c(1).op(OP.xor); // complemented result
      a.set(X);
      const pos = 3 - (rt & 3);
      a.get(CRF + (rt >> 2)).c(~(1 << pos) & 15).op(OP.and).get(X);
      if (pos > 0) a.c(pos).op(OP.shl);
      a.op(OP.or).set(CRF + (rt >> 2));
      return ok();
    }
    case 57: case 138: case 150: case 108: case 112: case 160: case 161: // isync sync mbar dcbtst dcbt dcba icbt
      return ok();
    case 159: { // dcbz: zero the 64-byte line (a store: it may fault, hit code or a device)
      ra0(c, ra); r(c, rb); a.op(OP.add).c(-64).op(OP.and).set(EA);
      // RAM the write cache holds (not code, not a device): 64 zeros here; anything else through the core.
      tlbMiss(c, true, 1);
      a.ifLikely(false);
      coreCall(c, CALL.DCBZ, () => a.get(EA), off, k, true);
      a.else();
      hostAddress(c, true, 4);
      a.c(0).c(64).fill();
      a.end();
      return ok();
    }
    case 85: // mfmsr
      coreCall(c, CALL.MFMSR, () => a.c(0), off, k, false);
      setR(c, rt);
      return ok();
    case 91: case 98: // wrtee wrteei: only MSR[EE] changes; enabling it may let an interrupt in
      coreCall(c, CALL.WRTEE, () => { if (id === 98) a.c(word & 0x8000); else { r(c, rt); a.c(0x8000).op(OP.and); } }, off, k, true);
      return ok();
    // ---- branches ----
    case 13: { // b
      const disp = ((word & 0x03FFFFFC) << 6) >> 6;
      const abs = (word & 2) !== 0;
      const linked = (word & 1) !== 0;
      return {
        pre: (x) => { if (linked) x.get(PC0).c(off + 4).op(OP.add).set(LR); },
        cond: null,
        target: (x) => { if (abs) x.c(disp); else x.get(PC0).c(off + disp).op(OP.add); },
        targetOffset: abs ? null : off + disp,
        linked,
      };
    }
    case 11: case 49: case 64: { // bc bclr bcctr
      const bo = rt;
      const bi = ra;
      if (id === 64 && !(bo & 4)) return null; // invalid form
      const linked = (word & 1) !== 0;
      const ctrTest = !(bo & 4);
      const crTest = !(bo & 16);
      const cond = ctrTest || crTest ? (x: Asm) => {
        if (ctrTest) {
          x.get(CTR);
          if (bo & 2) x.op(OP.eqz); else x.c(0).op(OP.ne);
        }
        if (crTest) {
          crBit(c, bi);
          if (!((bo >>> 3) & 1)) x.op(OP.eqz);
        }
        if (ctrTest && crTest) x.op(OP.and);
      } : null;
      let target: (x: Asm) => void;
      let targetOffset: number | null = null;
      if (id === 11) {
        const disp = simm(word) & ~3;
        const abs = (word & 2) !== 0;
        target = (x) => { if (abs) x.c(disp); else x.get(PC0).c(off + disp).op(OP.add); };
        if (!abs) targetOffset = off + disp;
      } else if (id === 49) {
        target = (x) => x.get(X);
      } else {
        target = (x) => x.get(CTR).c(-4).op(OP.and);
      }
      return {
        pre: (x) => {
          if (ctrTest) x.get(CTR).c(1).op(OP.sub).set(CTR);
          if (id === 49) x.get(LR).c(-4).op(OP.and).set(X);
          if (linked) x.get(PC0).c(off + 4).op(OP.add).set(LR);
        },
        cond, target, targetOffset, linked,
      };
    }
    default:
      return null;
  }
}

/** High word of the product of locals A and B (pushed). */
function mulHigh(c: Ctx, signed: boolean): void {
  const ext = signed ? OP.extendS : OP.extendU;
  c.a.get(A).op(ext).get(B).op(ext, OP.mul64, OP.const64, 32, signed ? OP.shrS64 : OP.shrU64, OP.wrap);
}

/** Pushes whether divw's quotient is undefined (B = 0, or 0x80000000 / -1). */
function divUndefined(c: Ctx): void {
  c.a.get(B).op(OP.eqz).get(A).c(-2147483648).op(OP.eq).get(B).c(-1).op(OP.eq, OP.and, OP.or);
}

/** Reverses the bytes of the i32 on the stack (lwbrx, stwbrx). */
function byteReverse(c: Ctx): void {
  const a = c.a;
  a.tee(X).c(24).op(OP.shl);
  a.get(X).c(0xFF00).op(OP.and).c(8).op(OP.shl, OP.or);
  a.get(X).c(8).op(OP.shrU).c(0xFF00).op(OP.and, OP.or);
  a.get(X).c(24).op(OP.shrU, OP.or);
}

function crMask(fxm: number): number {
  let m = 0;
  for (let f = 0; f < 8; f++) if (fxm & (0x80 >>> f)) m |= 0xF0000000 >>> (f * 4);
  return m | 0;
}

type Support = 'ok' | { targetOffset: number | null; linked: boolean; conditional: boolean } | null;

/** What emitting one instruction word (decoded as `id`) tells: whether it translates, its branch, the GPRs and the state locals it writes (bit masks). */
interface WordFacts {
  id: number;
  support: Support;
  written: number;
  state: number;
}

/**
 * Facts of the instruction words met so far, each learnt by emitting the word
 * alone into scratch code once: planning a region asks for every word's
 * support, and the region's emission needs the GPRs all its words write
 * before it starts; a kernel's regions share most of their words. Bounded:
 * cleared when it fills.
 */
const wordFacts = new Map<number, WordFacts>();
const WORD_FACTS_MAX = 1 << 16;

function factsOf(id: number, word: number): WordFacts {
  const known = wordFacts.get(word);
  if (known !== undefined && known.id === id) return known;
  const c: Ctx = { a: new Asm(256), core: 0, written: new Set(), stateWritten: 0, used: new Set(), local: [], exit: {}, timed: false, tlb: regionSoftTlb(0) };
  c.a.open(OP.block, VOID, c.exit);
  const e = emitW(c, id, word, 0, 0);
  if (e !== null && e !== 'ok') {
    // What a branch does is emitted by the region's driver (CTR's decrement, LR): count it as the word's.
    e.pre(c.a);
    e.cond?.(c.a);
    e.target(c.a);
  }
  let written = 0;
  for (const n of c.written) written |= 1 << n;
  const support: Support = e === null || e === 'ok' ? e : { targetOffset: e.targetOffset, linked: e.linked, conditional: e.cond !== null };
  const facts = { id, support, written, state: stateBits(c.a.setMask) };
  if (wordFacts.size >= WORD_FACTS_MAX) wordFacts.clear();
  wordFacts.set(word, facts);
  return facts;
}

/** Whether the WebAssembly back end translates instruction `id` (word `word`), and its branch if it is one. */
export function wasmSupports(id: number, word: number): Support {
  return factsOf(id, word).support;
}

// ---- the region function ---------------------------------------------------------------------------------

/** The GPRs (in register order) and the state locals (stateBits) a region's instructions write. */
function regionWrites(plan: RegionPlan): { gprs: Set<number>; state: number } {
  let mask = 0;
  let state = 0;
  for (const pos of plan.region) {
    const facts = factsOf(plan.ids.get(pos)!, plan.words.get(pos)!);
    mask |= facts.written;
    state |= facts.state;
  }
  const gprs = new Set<number>();
  for (let n = 0; n < 32; n++) if (mask & (1 << n)) gprs.add(n);
  return { gprs, state };
}

/** Emits a region (its plan from jit.ts) as a module of one WebAssembly function over the core's memory (regionModule), and whether it reads the time base. */
function emitRegion(plan: RegionPlan, core: number): { bytes: Uint8Array; timed: boolean } {
  const body = new Asm();
  const { region, ids, words, leaders, w } = plan;
  // Every GPR the region writes is written back before every call out, whichever path led there: a call that
  // throws (a fault) leaves the block without its exit's write-back, and a loop may have written a register
  // that comes later in address order.
  const writes = regionWrites(plan);
  const c: Ctx = {
    a: body, core, written: writes.gprs, stateWritten: writes.state, used: new Set(), local: [], exit: {}, timed: false,
    tlb: regionSoftTlb(core),
  };
  const size = region.length;
  const inRegion = (pos: number) => ids.has(pos);
  const leaderList = region.filter((p) => leaders.has(p));
  const caseLabel = new Map<number, object>();
  for (const p of leaderList) caseLabel.set(p, {});

  const a = body;
  const top = {};
  a.open(OP.block, VOID, c.exit);
  a.open(OP.loop, VOID, top);
  for (let i = leaderList.length - 1; i >= 0; i--) a.open(OP.block, VOID, caseLabel.get(leaderList[i]!)!);
  a.get(LBL).brTable(leaderList.map((p) => caseLabel.get(p)!), caseLabel.get(leaderList[0]!)!);

  const pcAt = (x: Asm, pos: number) => x.get(PC0).c((pos - w) * 4).op(OP.add);
  const exitTo = (pos: number, ran: (x: Asm) => void) => { pcAt(a, pos); leave(c, ran); };
  const jump = (from: number, to: number) => {
    if (to > from) {
      a.br(caseLabel.get(to)!);
      return;
    }
    // A back edge: leave when the budget might not cover another pass.
    a.get(N).get(DONE).op(OP.sub).c(size).op(OP.ltS);
    a.ifLikely(false);
    exitTo(to, (x) => x.get(DONE));
    a.end();
    a.c(leaderList.indexOf(to)).set(LBL).br(top);
  };
  const addDone = (count: number) => { if (count > 0) a.get(DONE).c(count).op(OP.add).set(DONE); };

  let pending = 0;
  let fallsThrough = false;
  let prev = -2;
  for (const pos of region) {
    if (fallsThrough && pos !== prev + 1) {
      addDone(pending);
      pending = 0;
      exitTo(prev + 1, (x) => x.get(DONE));
      fallsThrough = false;
    }
    if (leaders.has(pos)) {
      addDone(pending);
      pending = 0;
      a.end(); // the case block of this leader: its code follows
    }
    const id = ids.get(pos)!;
    const word = words.get(pos)!;
    const e = emitW(c, id, word, pending, (pos - w) * 4);
    if (e === null) throw new Error(`wasm-jit: instruction ${id} at word ${pos} was planned but not emitted`);
    prev = pos;
    if (e === 'ok') {
      pending++;
      fallsThrough = true;
      continue;
    }
    const count = pending + 1;
    pending = 0;
    e.pre(a);
    addDone(count);
    const t = e.targetOffset === null ? -1 : w + e.targetOffset / 4;
    const internal = !e.linked && t >= 0 && inRegion(t);
    const taken = () => {
      if (internal) jump(pos, t);
      else { e.target(a); leave(c, (x) => x.get(DONE)); }
    };
    if (e.cond === null) {
      taken();
      fallsThrough = false;
    } else {
      e.cond(a);
      a.open(OP.if, VOID);
      taken();
      a.end();
      fallsThrough = true;
    }
  }
  if (fallsThrough) {
    addDone(pending);
    exitTo(prev + 1, (x) => x.get(DONE));
  }
  a.op(OP.unreachable);
  a.end(); // loop
  a.end(); // exit block
  syncOut(c);
  a.c(0).get(RAN).mem(OP.store, slot(c, CORE_SLOT.RAN));
  a.get(RET);
  a.op(OP.end);
  // Every store-back above relied on the words' facts naming all the state the region writes.
  if (stateBits(body.setMask) & ~c.stateWritten) throw new Error('wasm-jit: a region writes CR/CTR/LR/XER state its words\' facts do not name');

  // Prologue: the state from the core's slots, the GPRs the region uses.
  const pro = new Asm(256);
  pro.c(0).mem(OP.load, slot(c, CORE_SLOT.CR)).set(X);
  for (let f = 0; f < 8; f++) {
    pro.get(X);
    if (f < 7) pro.c(28 - 4 * f).op(OP.shrU);
    pro.c(15).op(OP.and).set(CRF + f);
  }
  pro.c(0).mem(OP.load, slot(c, CORE_SLOT.CTR)).set(CTR);
  pro.c(0).mem(OP.load, slot(c, CORE_SLOT.LR)).set(LR);
  pro.c(0).mem(OP.load, slot(c, CORE_SLOT.SO)).set(SO);
  pro.c(0).mem(OP.load, slot(c, CORE_SLOT.CA)).set(CA);
  pro.c(0).mem(OP.load, slot(c, CORE_SLOT.OV)).set(OV);
  for (const n of c.used) pro.c(0).mem(OP.load, core + n * 4).set(gprLocal(c, n));
  // LBL starts at 0: the entry is the first leader (locals start zeroed).

  return { bytes: regionModule(G + c.used.size - 3, pro.bytes(), body.bytes(), REGION_MODULE_HEAD, body.hints), timed: c.timed };
}

/**
 * A core's WebAssembly regions: each region is compiled into a module of its
 * own when it becomes hot (compiling hot regions in batches, several
 * functions per module, made no difference to a kernel's boot: V8's
 * compile time grew with the batch), and called through one table and one
 * exported dispatcher, run(index, pc0, n, dKey), so that the
 * JavaScript-to-WebAssembly call in runWasm has one target (V8 inlines its
 * wrapper) instead of one per region (a generic wrapper per call: memwalk,
 * which leaves its blocks at every TLB miss, lost a tenth of its speed that
 * way). Everything here belongs to the core and goes with it.
 */
export class WasmCore {
  private readonly table = new WebAssembly.Table({ element: 'anyfunc', initial: 64 });
  private readonly free: number[] = [];
  private used = HELPER_SLOTS;
  readonly run: (index: number, pc0: number, n: number, dKey: number) => number;
  private readonly imports: Record<string, WebAssembly.ImportValue>;

  constructor(cpu: Cpu, memory: WebAssembly.Memory, private readonly coreBase: number) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(dispatcherBytes()), { j: { t: this.table } });
    this.run = instance.exports.run as (index: number, pc0: number, n: number, dKey: number) => number;
    const bridge = new WebAssembly.Instance(new WebAssembly.Module(bridgeBytes()), { j: jsHelpers(cpu) });
    const e = bridge.exports as Record<string, WebAssembly.ImportValue>;
    this.table.set(IMPORT_LD, e.ld);
    this.table.set(IMPORT_ST, e.st);
    this.table.set(IMPORT_CALL, e.call);
    this.imports = { m: memory, t: this.table };
  }

  /** Compiles a region into a block. */
  compile(plan: RegionPlan): JitBlock {
    const { bytes, timed } = emitRegion(plan, this.coreBase);
    const instance = new WebAssembly.Instance(regionModules.get(bytes), { j: this.imports });
    const index = this.put(instance.exports.f0);
    // One closure site for every region (the interpreter's call of a block then sees one feedback cell: two
    // sites, timed and not, deoptimised it in a Linux boot even after the warm-up had called both).
    const fn: BlockFn = (cpu, _r, _rTag, _rVal, _wTag, _wVal, _ram32, _ram16, _ram8, dKey, pc0, n) => runWasm(cpu, index, pc0, n, dKey, timed);
    return { len: plan.region.length, fn, words: plan.region, sourceChars: bytes.length, dispose: () => this.release(index), calls: 0, ran: 0, direct: timed ? -1 : index };
  }

  /**
   * Instantiates a module of the region's shape (regionModule: f0(pc0, n, dKey) -> pc over the core's memory
   * and table) that is not a region, the interpreter's (wasm-interp.ts), and gives its function, which the
   * interpreter calls directly (no dispatcher hop; the warm-up's varyCallTargets keeps that call site generic).
   */
  install(module: WebAssembly.Module): WasmInterpreterFn {
    const instance = new WebAssembly.Instance(module, { j: this.imports });
    return instance.exports.f0 as WasmInterpreterFn;
  }

  private put(f: unknown): number {
    let index = this.free.pop();
    if (index === undefined) {
      index = this.used++;
      if (index >= this.table.length) this.table.grow(this.table.length);
    }
    this.table.set(index, f);
    return index;
  }

  /** A region's translation was dropped: its slot (and its module) go. */
  private release(index: number): void {
    this.table.set(index, null);
    this.free.push(index);
  }
}

/** The WebAssembly interpreter's function (wasm-interp.ts): from pc0, up to n instructions, for the core whose area is at byte `core`. */
export type WasmInterpreterFn = (pc0: number, n: number, dKey: number, core: number) => number;

/**
 * Calls the WebAssembly interpreter (wasm-interp.ts) as runWasm calls a
 * region: the state through the slots, the instructions run in cpu.jitRan.
 */
export function runWasmInterpreter(cpu: Cpu, fn: WasmInterpreterFn, pc0: number, n: number, dKey: number): number {
  const s = cpu.coreSlots!;
  stateOut(cpu, s);
  s[CORE_SLOT.RES_ADDR] = cpu.resAddr;
  s[CORE_SLOT.RES_VALUE] = cpu.resValue;
  s[CORE_SLOT.EPOCH] = cpu.fetchEpoch;
  s[CORE_SLOT.DIRECT] = cpu.sprWatch === null ? 1 : 0;
  const pc = fn(pc0, n, dKey, cpu.areaBase);
  syncIn(cpu, s);
  cpu.resAddr = s[CORE_SLOT.RES_ADDR]!;
  cpu.resValue = s[CORE_SLOT.RES_VALUE]!;
  cpu.jitRan = s[CORE_SLOT.RAN]!;
  return pc;
}

/**
 * Calls a compiled region: the core's CR, CTR, LR and XER bits into the slots
 * and back out; for a region that reads the time base (`timed`), the timers'
 * state, the slice's start and the SPR watch exported first.
 */
function runWasm(cpu: Cpu, index: number, pc0: number, n: number, dKey: number, timed: boolean): number {
  const s = cpu.coreSlots!;
  if (timed) {
    s[CORE_SLOT.SLICE] = cpu.sliceStart;
    s[CORE_SLOT.WATCH] = cpu.sprWatch !== null ? 1 : 0;
    cpu.timers.exportTimeBase(cpu.coreTimeBase!);
  }
  stateOut(cpu, s);
  const pc = cpu.wasm!.run(index, pc0, n, dKey);
  syncIn(cpu, s);
  cpu.jitRan = s[CORE_SLOT.RAN]!;
  return pc;
}

/** The core's CR, CTR, LR and XER bits into the slots, for a region or the interpreter to load. */
function stateOut(cpu: Cpu, s: Int32Array): void {
  s[CORE_SLOT.CR] = cpu.cr;
  s[CORE_SLOT.CTR] = cpu.ctr;
  s[CORE_SLOT.LR] = cpu.lr;
  s[CORE_SLOT.SO] = cpu.so;
  s[CORE_SLOT.CA] = cpu.ca;
  s[CORE_SLOT.OV] = cpu.ov;
}

/** The core's state from the slots a region wrote (before calling out, and at its exit). */
function syncIn(cpu: Cpu, s: Int32Array): void {
  cpu.cr = s[CORE_SLOT.CR]!;
  cpu.ctr = s[CORE_SLOT.CTR]!;
  cpu.lr = s[CORE_SLOT.LR]!;
  cpu.so = s[CORE_SLOT.SO]!;
  cpu.ca = s[CORE_SLOT.CA]!;
  cpu.ov = s[CORE_SLOT.OV]!;
}

/** Where a call out happens, for a fault's bookkeeping (as the JavaScript back end's `before`). */
function at(cpu: Cpu, pc: number, k: number, done: number, n: number): void {
  cpu.curPc = pc;
  cpu.jitK = k;
  // In a region the WebAssembly interpreter called, its budget is what the interpreter had left: the slot holds
  // what the interpreter ran before the call (0 otherwise), so jitBase counts from the start of the run.
  cpu.jitBase = done + cpu.coreSlots![CORE_SLOT.OUTER]!;
  cpu.sliceLeft = n - done - k - 1;
}

/*
 * The helpers a core's compiled regions call go through a bridge module's
 * WebAssembly functions, which import the JavaScript ones: the bridge is
 * compiled once per core (V8 compiles its import wrappers then), and the
 * regions reach its functions through the core's table (HELPER_SLOTS), a
 * call from WebAssembly to WebAssembly.
 */

/** The core's slow paths, as the bridge imports them. */
function jsHelpers(cpu: Cpu): Record<string, WebAssembly.ImportValue> {
  const s = cpu.coreSlots!;
  const tb = cpu.coreTimeBase!;
  // A slow path may take an exit that charges the hypervisor's cycles to virtual time: the time base read after it sees them.
  return {
    ld: (ea: number, size: number, pc: number, k: number, done: number, n: number) => {
      syncIn(cpu, s);
      at(cpu, pc, k, done, n);
      const v = cpu.loadSlowAt(ea, size as 1 | 2 | 4, pc);
      s[CORE_SLOT.FAULT] = cpu.faultPending ? 1 : 0;
      s[CORE_SLOT.IRQ] = cpu.irqPoll; // the WebAssembly interpreter stops at its next taken branch
      cpu.timers.exportTimeBase(tb);
      return v;
    },
    st: (ea: number, size: number, pc: number, value: number, k: number, done: number, n: number) => {
      syncIn(cpu, s);
      at(cpu, pc, k, done, n);
      cpu.storeSlowAt(ea, size as 1 | 2 | 4, pc, value);
      cpu.timers.exportTimeBase(tb);
      s[CORE_SLOT.IRQ] = cpu.irqPoll; // the WebAssembly interpreter leaves after a region it called that ends so
      if (cpu.faultPending) return 1;
      if (cpu.codeDirty || cpu.irqPoll !== 0) {
        cpu.codeDirty = false;
        return 2;
      }
      return 0;
    },
    call: (what: number, arg: number, pc: number, k: number, done: number, n: number) => {
      syncIn(cpu, s);
      at(cpu, pc, k, done, n);
      const v = coreWork(cpu, what, arg, pc);
      cpu.timers.exportTimeBase(tb);
      s[CORE_SLOT.IRQ] = cpu.irqPoll;
      return v;
    },
  };
}

/** The rare instructions' work in the core (IMPORT_CALL). */
function coreWork(cpu: Cpu, what: number, arg: number, pc: number): number {
  switch (what) {
    case CALL.TIMEBASE: return cpu.readTimeBase(arg, pc);
    case CALL.MFSPR: return cpu.mfspr(arg, pc);
    case CALL.MFMSR:
      if (cpu.msr & 16384) cpu.privileged();
      return cpu.msr;
    case CALL.WRTEE:
      if (cpu.msr & 16384) cpu.privileged();
      cpu.writeMsr((cpu.msr & -32769) | arg);
      return cpu.codeDirty || cpu.irqPoll !== 0 ? (cpu.codeDirty = false, 1) : 0;
    case CALL.DCBZ:
      cpu.codeDirty = false;
      cpu.zeroLine(arg, 64);
      return cpu.codeDirty || cpu.irqPoll !== 0 ? (cpu.codeDirty = false, 1) : 0;
    default: throw new Error(`wasm-jit: unknown call ${what}`);
  }
}

// ---- the modules ---------------------------------------------------------------------------------------------

/** The bridge: imports j.ld, j.st, j.call (JavaScript) and exports WebAssembly functions of the same names that call them. */
function bridgeBytes(): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
  const fnType = (params: number) => { const t = [0x60]; uleb(t, params); for (let i = 0; i < params; i++) t.push(I32); t.push(1, I32); return t; };
  section(out, 1, [2, ...fnType(6), ...fnType(7)]);
  const imp: number[] = [3];
  name(imp, 'j'); name(imp, 'ld'); imp.push(0x00, 0);
  name(imp, 'j'); name(imp, 'st'); imp.push(0x00, 1);
  name(imp, 'j'); name(imp, 'call'); imp.push(0x00, 0);
  section(out, 2, imp);
  section(out, 3, [3, 0, 1, 0]);
  const exp: number[] = [3];
  name(exp, 'ld'); exp.push(0x00, 3);
  name(exp, 'st'); exp.push(0x00, 4);
  name(exp, 'call'); exp.push(0x00, 5);
  section(out, 7, exp);
  const forward = (params: number, target: number) => {
    const body = [0];
    for (let i = 0; i < params; i++) body.push(OP.localGet, i);
    body.push(OP.call, target, OP.end);
    return [body.length, ...body];
  };
  section(out, 10, [3, ...forward(6, 0), ...forward(7, 1), ...forward(6, 2)]);
  return new Uint8Array(out);
}

/** The dispatcher: imports j.t (the table); exports run(index, pc0, n, dKey) = table[index](pc0, n, dKey). */
function dispatcherBytes(): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
  // Types: 0 = a region (pc0, n, dKey) -> pc, 1 = run (index, pc0, n, dKey) -> pc.
  section(out, 1, [2, 0x60, 3, I32, I32, I32, 1, I32, 0x60, 4, I32, I32, I32, I32, 1, I32]);
  const imp: number[] = [1];
  name(imp, 'j'); name(imp, 't'); imp.push(0x01, 0x70, 0x00, 0x00); // a funcref table, no maximum
  section(out, 2, imp);
  section(out, 3, [1, 1]);
  const exp: number[] = [1];
  name(exp, 'run'); exp.push(0x00, 0);
  section(out, 7, exp);
  const fn = [0, OP.localGet, 1, OP.localGet, 2, OP.localGet, 3, OP.localGet, 0, 0x11, 0, 0, OP.end];
  section(out, 10, [1, fn.length, ...fn]);
  return new Uint8Array(out);
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/**
 * Everything of a module of one function before its code section: imports j.m (memory) and j.t (the core's
 * table); exports f0 of `params` i32 parameters (a region's: pc0, n, dKey) -> pc.
 */
export function moduleHead(params: number): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
  const fnType = (k: number) => { const t = [0x60]; uleb(t, k); for (let i = 0; i < k; i++) t.push(I32); t.push(1, I32); return t; };
  // Types: 0 = the function (a region: 3 params), 1 = ld/call (6), 2 = st (7); another function's (the
  // interpreter's) also 3 = a region's, which it calls.
  const types = [...fnType(params), ...fnType(6), ...fnType(7)];
  if (params === 3) section(out, 1, [3, ...types]);
  else section(out, 1, [4, ...types, ...fnType(3)]);
  const imp: number[] = [2];
  name(imp, 'j'); name(imp, 'm'); imp.push(0x02, 0x00, 0x00); // memory, no maximum required (min 0)
  name(imp, 'j'); name(imp, 't'); imp.push(0x01, 0x70, 0x00, 0x00); // a funcref table, min 0, no maximum
  section(out, 2, imp);
  section(out, 3, [1, 0]);
  const exp: number[] = [1];
  name(exp, 'f0');
  exp.push(0x00, 0);
  section(out, 7, exp);
  return new Uint8Array(out);
}

const REGION_MODULE_HEAD = moduleHead(3);

/**
 * The custom section of V8's branch hints (the branch-hinting proposal's
 * metadata.code.branch_hint) for function 0: each hint's offset from the
 * start of the function's body (its locals' declaration included), then 1
 * and the hint. Empty when there are none.
 */
function branchHintSection(hints: readonly number[], bodyStart: number): number[] {
  if (hints.length === 0) return [];
  const content: number[] = [];
  name(content, 'metadata.code.branch_hint');
  content.push(1, 0); // one function, index 0
  uleb(content, hints.length / 2);
  for (let i = 0; i < hints.length; i += 2) {
    uleb(content, bodyStart + hints[i]!);
    content.push(1, hints[i + 1]!);
  }
  const out: number[] = [];
  section(out, 0, content);
  return out;
}

/**
 * The module of one region: the fixed head (or `head`), the branch hints of its body (Asm.hints), then a
 * code section of one function (`locals` i32 locals, the prologue, the body).
 */
export function regionModule(locals: number, prologue: Uint8Array, body: Uint8Array, head = REGION_MODULE_HEAD, hints: readonly number[] = []): Uint8Array {
  const localsDecl: number[] = [1];
  uleb(localsDecl, locals);
  localsDecl.push(I32);
  const hintSection = new Uint8Array(branchHintSection(hints, localsDecl.length + prologue.length));
  const fnLength = localsDecl.length + prologue.length + body.length;
  const fnHead: number[] = [1]; // one function
  uleb(fnHead, fnLength);
  const sectionHead: number[] = [10];
  uleb(sectionHead, fnHead.length + fnLength);
  const out = new Uint8Array(head.length + hintSection.length + sectionHead.length + fnHead.length + fnLength);
  let at = 0;
  for (const part of [head, hintSection, sectionHead, fnHead, localsDecl, prologue, body]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
