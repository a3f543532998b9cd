// The block translator: code the interpreter found hot is turned into
// functions V8 compiles to machine code. This file finds the regions
// (planRegion) and holds the JavaScript back end (new Function); the
// WebAssembly back end (wasm-jit.ts), the default, translates the same
// regions with the same rules and is measured faster (docs/performance.md). It translates the frequent user-level
// instructions (integer arithmetic and logic, rotates, compares, CR
// operations, loads and stores with the soft-TLB fast path inlined, LR/CTR/XER
// moves, branches); a block ends at a branch, at the end of its page, or just
// before anything else, which the interpreter then executes. The interpreter
// stays the reference: every translated instruction must do exactly what its
// case in interp.ts does (the differential suites run with and without it).
//
// A translation unit is a region: what is reachable from the hot
// instruction by falling through and by relative branches within the page,
// leaving out the paths the interpreter never ran (the region exits to them),
// compiled into one function as a switch over its basic blocks inside a loop,
// so the guest's loops and if/else stay in compiled code. Every exit records
// how many instructions ran (cpu.jitRan); a fault records, on its slow path
// only, the faulting instruction's index in its basic block (cpu.jitK) and the
// instructions completed before it (cpu.jitBase), and a data-access fault
// returns 1 (never an instruction address) instead of throwing. A block is position independent (its first address is a parameter),
// so the same physical page mapped at two addresses shares its blocks. A
// store that overwrites translated code ends the block at once (cpu.codeDirty).
// Regions start at entries: a word the interpreter reaches other than by
// falling through (a branch, a block's exit, an interrupt's return), or any
// word not yet inside a region; a word inside one does not start its own
// region when the interpreter merely steps through it at a slice's end.

import type { Cpu } from './cpu';
import { decode, ID_BREAKPOINT } from './isa';
import { MASKS, mulhw, mulhwu } from './bits';
import { CODE_LINE_SHIFT, tagMask } from './memory';

export interface JitBlock {
  /** The most guest instructions one call may run (the budget it needs). */
  readonly len: number;
  readonly fn: BlockFn;
  /** The words of the page it was translated from. */
  readonly words: readonly number[];
  /** Length of the generated JavaScript source or WebAssembly code (what compiling it cost grows with). */
  readonly sourceChars: number;
  /** Frees what the translation holds outside the heap (a WebAssembly region's table slot), when it is dropped. */
  readonly dispose?: () => void;
  /** Calls so far and the instructions they ran (the interpreter's trial of the block, BLOCK_TRIAL). */
  calls: number;
  ran: number;
  /**
   * The table slot the WebAssembly interpreter may call the block through
   * once it has passed its trial (DIRECT_BASE), or -1: a JavaScript block, or
   * a WebAssembly one that reads the time base (runWasm exports the timers
   * first).
   */
  readonly direct: number;
}

/**
 * A block is on trial for its first BLOCK_TRIAL calls: if they ran fewer than
 * BLOCK_MIN_RUN instructions each on average, the block is dropped and its
 * entry left to the interpreter for good (its words start no region when
 * fallen through to). Entering and leaving a block costs about as much as a
 * dozen interpreted instructions, so a block that leaves after a few (a load
 * that misses the TLB at every pass of memwalk's loop, the rest of that pass
 * after the miss handler returns, a handler's pieces between its mtsprs) is
 * slower than none: memwalk ran at 35 MIPS with its blocks, 53 without
 * (docs/performance.md). Linux's boot keeps its speed with the trial.
 */
export const BLOCK_TRIAL = 256;
export const BLOCK_MIN_RUN = 16;

export type BlockFn = (cpu: Cpu, r: Int32Array, rTag: Int32Array, rVal: Int32Array, wTag: Int32Array, wVal: Int32Array,
  ram32: Int32Array, ram16: Uint16Array, ram8: Uint8Array, dKey: number, pc0: number, n: number, L: JitLib) => number;

/** Helpers the generated code calls (new Function has no closure). */
export interface JitLib {
  mulhw(a: number, b: number): number;
  mulhwu(a: number, b: number): number;
  ld(cpu: Cpu, ea: number, size: 1 | 2 | 4, pc: number, k: number, done: number, n: number, cr: number, ctr: number, lr: number, so: number): number;
  st(cpu: Cpu, ea: number, size: 1 | 2 | 4, pc: number, value: number, k: number, done: number, n: number, cr: number, ctr: number, lr: number, so: number): number;
}

/**
 * The core's state before a data access leaves the fast path (the access may
 * fault, reach a device or an exit): the block's locals written back, and
 * where the access is (its index k in its basic block after `done`
 * instructions, the slice's budget after it) for a fault's bookkeeping.
 * Out of line, so that each access in a region costs V8 a call node rather
 * than the whole sequence (regions compile sooner and smaller).
 */
function syncForAccess(cpu: Cpu, k: number, done: number, n: number, cr: number, ctr: number, lr: number, so: number): void {
  cpu.jitK = k;
  cpu.jitBase = done;
  cpu.sliceLeft = n - done - k - 1;
  cpu.cr = cr;
  cpu.ctr = ctr;
  cpu.lr = lr;
  cpu.so = so;
}

const LIB: JitLib = {
  mulhw,
  mulhwu,
  /** A load's slow path: the value (0 with cpu.faultPending set on a fault). */
  ld(cpu, ea, size, pc, k, done, n, cr, ctr, lr, so) {
    syncForAccess(cpu, k, done, n, cr, ctr, lr, so);
    return cpu.loadSlowAt(ea, size, pc);
  },
  /** A store's slow path: 0 to go on, 1 on a fault, 2 when the block must end after it (code overwritten, an interrupt check due). */
  st(cpu, ea, size, pc, value, k, done, n, cr, ctr, lr, so) {
    syncForAccess(cpu, k, done, n, cr, ctr, lr, so);
    cpu.storeSlowAt(ea, size, pc, value);
    if (cpu.faultPending) return 1;
    if (cpu.codeDirty || cpu.irqPoll !== 0) {
      cpu.codeDirty = false;
      return 2;
    }
    return 0;
  },
};

/** JitPage.hot of a word where a block starts (blocks[] holds it). */
export const HOT_BLOCK = -1;
/** JitPage.hot of a word where translation was tried and found nothing, or inside a block that failed its trial: the interpreter runs it without counting. */
export const TRIED = -2;
/**
 * JitPage.hot of a word where a block starts that passed its trial and that
 * the WebAssembly interpreter calls itself: DIRECT_BASE - the block's table
 * slot (JitBlock.direct). Any value below TRIED. The JavaScript interpreter
 * treats it as HOT_BLOCK.
 */
export const DIRECT_BASE = -16;

/** Words marked in jsStarts after which the WebAssembly interpreter runs nothing on the page (JitPage.jsOnly). */
export const JS_ONLY_MARKS = 16;

/**
 * Translation state of one physical page of code. Small guests keep data next
 * to code, so a store into the page drops only the blocks that contain the
 * word it wrote (covered[] counts the blocks over each word).
 */
export class JitPage {
  /**
   * Block starting at word w; null: tried, nothing to translate there. Made
   * at the page's first translation attempt (most code pages never see one:
   * a Linux boot decodes 646 pages and tries a few dozen, and 646 arrays of
   * 1,024 slots cost 5-10 ms of a cold boot); read only where `hot` says
   * HOT_BLOCK or TRIED.
   */
  blocks: (JitBlock | null | undefined)[] | null = null;
  /**
   * Times the interpreter ran each word (Int32: thresholds go far past 255), up
   * to just below the threshold; HOT_BLOCK where a block starts, TRIED where
   * translation was tried and there is no block (any negative value: the
   * word has run). A region leaves out the words never run (0).
   */
  readonly hot: Int32Array;
  private readonly starts: number[] = [];
  /**
   * Words where the WebAssembly interpreter starts no run (1): a run that
   * started there cost more than it saved (interp.ts: it stopped short in
   * front of an instruction it leaves to JavaScript). Made at the first such
   * word.
   */
  jsStarts: Uint8Array | null = null;
  /**
   * Words marked in jsStarts, and whether the page is the JavaScript
   * interpreter's alone: a page where that many runs did not pay (a TLB miss
   * handler's, an exception vector's) spares every word the check.
   */
  private marked = 0;
  jsOnly = false;
  /**
   * Blocks over each word, and the words of blocks that failed their trial
   * (demote: they start no region when the interpreter falls through to
   * them). Made with the page's first block, like `blocks`.
   */
  private covered: Uint16Array | null = null;
  private tried: Uint8Array | null = null;

  /**
   * `hot` given: a view of the core's heat arena (memory.ts) at byte
   * `heatAddr` of the guest's memory, where the WebAssembly interpreter counts
   * too; otherwise an array of its own (heatAddr -1).
   */
  constructor(hot: Int32Array | null = null, readonly heatAddr = -1) {
    this.hot = hot ?? new Int32Array(1024);
  }

  /** Marks word w as one where the WebAssembly interpreter starts no run; the page's marks. */
  noWasmStart(w: number): Uint8Array {
    const marks = (this.jsStarts ??= new Uint8Array(1024));
    if (marks[w] === 0 && ++this.marked >= JS_ONLY_MARKS) this.jsOnly = true;
    marks[w] = 1;
    return marks;
  }

  /** Whether word w is inside a translated block, or was inside one that failed its trial. */
  covers(w: number): boolean {
    const c = this.covered;
    return c !== null && (c[w] !== 0 || this.tried![w] !== 0);
  }

  /** Drops every block (the page's translations are discarded). */
  dispose(): void {
    for (const w of this.starts) {
      this.blocks![w]!.dispose?.();
      this.hot[w] = 0; // no direct call of a slot that is free now
    }
    this.starts.length = 0;
  }

  /**
   * The block at word w passed its trial: the WebAssembly interpreter calls it itself from now on, if it can
   * (not if the call that ended the trial dropped it: a store over its own code frees its table slot).
   */
  passed(w: number, block: JitBlock): void {
    if (block.direct >= 0 && this.blocks?.[w] === block) this.hot[w] = DIRECT_BASE - block.direct;
  }

  add(w: number, block: JitBlock | null): void {
    (this.blocks ??= new Array(1024))[w] = block;
    this.hot[w] = block === null ? TRIED : HOT_BLOCK;
    if (block === null) return;
    this.starts.push(w);
    if (this.covered === null) {
      this.covered = new Uint16Array(1024);
      this.tried = new Uint8Array(1024);
    }
    for (const k of block.words) this.covered[k]!++;
  }

  /**
   * Drops the block at word w and leaves its words to the interpreter from
   * now on (it failed its trial): TRIED in `hot`, so the interpreter stops
   * counting them instead of finding at every pass that they are over the
   * threshold but inside a tried region (memwalk's loop, whose block faults
   * too often to stay, ran 20 % slower with the translator on than off).
   * A word where another block starts keeps it.
   */
  demote(w: number): void {
    const blocks = this.blocks;
    const b = blocks?.[w];
    if (!b) return;
    b.dispose?.();
    const covered = this.covered!;
    const tried = this.tried!;
    for (const k of b.words) {
      covered[k]!--;
      tried[k] = 1;
      if (this.hot[k]! >= 0) this.hot[k] = TRIED;
    }
    this.hot[w] = TRIED;
    this.starts.splice(this.starts.indexOf(w), 1);
    blocks![w] = null;
  }

  /** Words first..last were written: drop the blocks over them (and the words' jsStarts marks). Returns true if any block was dropped. */
  invalidate(first: number, last: number): boolean {
    // New words get the WebAssembly interpreter's runs again.
    const marks = this.jsStarts;
    if (marks !== null) {
      for (let k = first; k <= last; k++) {
        if (marks[k] !== 0) {
          marks[k] = 0;
          this.marked--;
        }
      }
      this.jsOnly = this.marked >= JS_ONLY_MARKS;
    }
    const covered = this.covered;
    if (covered === null) return false;
    let hit = false;
    for (let k = first; k <= last; k++) if (covered[k]) hit = true;
    if (!hit) return false;
    const blocks = this.blocks!;
    for (let i = this.starts.length - 1; i >= 0; i--) {
      const w = this.starts[i]!;
      const b = blocks[w]!;
      if (b.words.some((k) => k >= first && k <= last)) {
        b.dispose?.();
        for (const k of b.words) covered[k]!--;
        blocks[w] = undefined;
        this.hot[w] = 0;
        this.starts.splice(i, 1);
      }
    }
    return true;
  }
}

/**
 * Interpreter passes over a block start before it is translated. Generated
 * functions start in V8's bytecode interpreter and pay for compilation and
 * deoptimisation before they are fast, so translating what runs only
 * hundreds of times costs more than it saves: on a Linux boot (62 M
 * instructions, most code run a few times) a threshold of 24 spent 1.9 s of
 * 4.3 in translate() alone (4,888 regions, 1.2 s of it in new Function) and
 * ran the boot at 14 MIPS; at 10,000 it runs at about 28 MIPS in a fresh
 * process, and intmix gains 10-15 % (docs/performance.md). With WebAssembly
 * regions, 30,000: a first Linux boot in a process translates 47 regions
 * instead of 108 and takes 0.69-0.77 s instead of 0.80-0.87 (its kernel
 * code between 8 M and 24 M instructions runs a few thousand times, and the
 * regions compiled for it did not pay back in a cold process); later boots,
 * intmix, memwalk and labOS ran alike.
 */
export const JIT_THRESHOLD = 30000;
/**
 * Passes an entry reached by a backward branch counts for (a loop's head:
 * its loop is where the time goes, and it reaches the threshold after
 * JIT_THRESHOLD / LOOP_HEAT passes instead of JIT_THRESHOLD).
 */
export const LOOP_HEAT = 8;
/** Most instructions in one translated region. */
export const REGION_MAX = 160;

export { LIB as JIT_LIB };

const simm = (w: number) => (w << 16) >> 16;

/** CR0 from a result expression held in `t`. */
const CR0 = 'cpu.cr = (cpu.cr & 0x0FFFFFFF) | (((t < 0 ? 8 : t > 0 ? 4 : 2) | cpu.so) << 28);';

function ra0(ra: number): string {
  return ra ? `r[${ra}]` : '0';
}

const LOCALS = 'cpu.cr, cpu.ctr, cpu.lr, cpu.so';

function load(size: 1 | 2 | 4, pcK: string, k: number): string {
  const fast = size === 4 ? 'ram32[(rVal[idx] + ea) >> 2]'
    : size === 2 ? 'ram16[((rVal[idx] + ea) ^ 2) >> 1]' : 'ram8[(rVal[idx] + ea) ^ 3]';
  // (The tag's comparison checks the alignment too: memory.ts KEY_SHIFT.)
  return `idx = (ea >>> 12) & 1023; if (rTag[idx] === ((ea & ${tagMask(size)}) | dKey)) v = ${fast}; `
    + `else { v = L.ld(cpu, ea, ${size}, ${pcK}, ${k}, done, n, ${LOCALS}); if (cpu.faultPending) return 1; }`;
}

function store(size: 1 | 2 | 4, pcK: string, k: number, next: string): string {
  const fast = size === 4 ? 'ram32[(wVal[idx] + ea) >> 2] = v'
    : size === 2 ? 'ram16[((wVal[idx] + ea) ^ 2) >> 1] = v' : 'ram8[(wVal[idx] + ea) ^ 3] = v';
  const mask = size === 4 ? 'v' : size === 2 ? 'v & 65535' : 'v & 255';
  return `idx = (ea >>> 12) & 1023; if (wTag[idx] === ((ea & ${tagMask(size)}) | dKey)) ${fast}; `
    + `else if ((x = L.st(cpu, ea, ${size}, ${pcK}, ${mask}, ${k}, done, n, ${LOCALS})) !== 0) { if (x === 1) return 1; cpu.jitRan = done + ${k + 1}; return ${next}; }`;
}

function crSet(field: number, expr: string): string {
  const sh = (7 - field) * 4;
  return `cpu.cr = (cpu.cr & ${~(15 << sh)}) | (((${expr}) | cpu.so) << ${sh});`;
}

function crMask(fxm: number): number {
  let m = 0;
  for (let f = 0; f < 8; f++) if (fxm & (0x80 >>> f)) m |= 0xF0000000 >>> (f * 4);
  return m | 0;
}

function rot(v: string, sh: number): string {
  return sh === 0 ? v : `((${v} << ${sh}) | (${v} >>> ${32 - sh}))`;
}

/** A branch, described for the translator to place (exit, side exit, inlined jump or loop). */
interface Branch {
  /** Code run whether or not it is taken (CTR decrement, target capture, LR update). */
  pre: string;
  /** Condition for taking it, or null when always taken. */
  cond: string | null;
  /** The target as an expression. */
  target: string;
  /** The target's offset from the block's first address when known (relative branches). */
  targetOffset: number | null;
}

type Emitted = { code: string; branch?: undefined } | { code: ''; branch: Branch };

/**
 * Code for instruction `id` with word `word`, the k-th instruction of a block,
 * at offset `off` from the block's first address; null when the translator
 * leaves it to the interpreter.
 */
function emit(id: number, word: number, k: number, off: number): Emitted | null {
  const rt = (word >>> 21) & 31;
  const ra = (word >>> 16) & 31;
  const rb = (word >>> 11) & 31;
  const rc = (word & 1) !== 0;
  const oe = (word & 0x400) !== 0;
  const pcK = `((pc0 + ${off}) | 0)`;
  const next = `((pc0 + ${off + 4}) | 0)`;
  const ok = (code: string): Emitted => ({ code });
  const arith = (expr: string, ovExpr: string | null) => ok(`a = r[${ra}]; b = r[${rb}]; t = ${expr};`
    + (oe && ovExpr !== null ? ` o = (${ovExpr}) ? 1 : 0; cpu.ov = o; cpu.so |= o;` : '')
    + ` r[${rt}] = t;` + (rc ? CR0 : ''));
  const logic = (expr: string) => ok(`t = ${expr}; r[${ra}] = t;` + (rc ? CR0 : ''));
  // x + y + carry-in, the carry out into XER[CA] (the add/subtract-with-carry family, as interp.ts's carry3).
  const carrying = (x: string, y: string, cin: string) => ok(`a = ${x}; b = ${y}; x = ${cin}; t = (a + b + x) | 0; `
    + 'x = (a >>> 0) + (b >>> 0) + x > 4294967295 ? 1 : 0;'
    + (oe ? ' o = ((a ^ t) & (b ^ t)) < 0 ? 1 : 0; cpu.ov = o; cpu.so |= o;' : '')
    + ` cpu.ca = x; r[${rt}] = t;` + (rc ? CR0 : ''));
  // The interpreter's state before a call that may throw a fault (the catch finds the instruction from jitK and jitBase).
  const before = `cpu.curPc = ${pcK}; cpu.jitK = ${k}; cpu.jitBase = done; cpu.sliceLeft = n - done - ${k + 1}; /*SYNC*/`;
  // After a call that may have made an interrupt pending or overwritten code: leave the block after this instruction.
  const leaveIfNeeded = `if (cpu.codeDirty || cpu.irqPoll !== 0) { cpu.codeDirty = false; cpu.jitRan = done + ${k + 1}; return ${next}; }`;
  switch (id) {
    case 9: return ok(`r[${rt}] = (${ra0(ra)} + ${simm(word)}) | 0;`); // addi
    case 10: return ok(`r[${rt}] = (${ra0(ra)} + ${word << 16}) | 0;`); // addis
    case 7: case 8: { // addic addic.
      const imm = simm(word);
      return ok(`a = r[${ra}]; t = (a + ${imm}) | 0; cpu.ca = (a >>> 0) + ${imm >>> 0} > 4294967295 ? 1 : 0; r[${rt}] = t;` + (id === 8 ? CR0 : ''));
    }
    case 4: { // subfic
      const imm = simm(word);
      return ok(`a = r[${ra}]; r[${rt}] = (${imm} - a) | 0; cpu.ca = ${imm >>> 0} >= (a >>> 0) ? 1 : 0;`);
    }
    case 3: return ok(`r[${rt}] = Math.imul(r[${ra}], ${simm(word)});`); // mulli
    case 17: return ok(`r[${ra}] = r[${rt}] | ${word & 0xFFFF};`); // ori
    case 18: return ok(`r[${ra}] = r[${rt}] | ${word << 16};`); // oris
    case 19: return ok(`r[${ra}] = r[${rt}] ^ ${word & 0xFFFF};`); // xori
    case 20: return ok(`r[${ra}] = r[${rt}] ^ ${word << 16};`); // xoris
    case 21: return ok(`t = r[${rt}] & ${word & 0xFFFF}; r[${ra}] = t; ${CR0}`); // andi.
    case 22: return ok(`t = r[${rt}] & ${word << 16}; r[${ra}] = t; ${CR0}`); // andis.
    case 6: { const b = simm(word); return ok(`a = r[${ra}]; ${crSet(rt >> 2, `a < ${b} ? 8 : a > ${b} ? 4 : 2`)}`); } // cmpi
    case 5: { const b = word & 0xFFFF; return ok(`a = r[${ra}] >>> 0; ${crSet(rt >> 2, `a < ${b} ? 8 : a > ${b} ? 4 : 2`)}`); } // cmpli
    case 65: return ok(`a = r[${ra}]; b = r[${rb}]; ${crSet(rt >> 2, 'a < b ? 8 : a > b ? 4 : 2')}`); // cmp
    case 78: return ok(`a = r[${ra}] >>> 0; b = r[${rb}] >>> 0; ${crSet(rt >> 2, 'a < b ? 8 : a > b ? 4 : 2')}`); // cmpl
    case 15: { // rlwinm
      const m = MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
      return ok(`v = r[${rt}]; t = ${rot('v', rb)} & ${m}; r[${ra}] = t;` + (rc ? CR0 : ''));
    }
    case 14: { // rlwimi
      const m = MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
      return ok(`v = r[${rt}]; t = (${rot('v', rb)} & ${m}) | (r[${ra}] & ${~m}); r[${ra}] = t;` + (rc ? CR0 : ''));
    }
    case 16: { // rlwnm
      const m = MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
      return ok(`v = r[${rt}]; s = r[${rb}] & 31; t = ((v << s) | (v >>> (32 - s))) & ${m}; r[${ra}] = t;` + (rc ? CR0 : ''));
    }
    case 110: return arith('(a + b) | 0', '((a ^ t) & (b ^ t)) < 0'); // add
    case 79: return arith('(b - a) | 0', '((a ^ b) & (b ^ t)) < 0'); // subf
    case 88: return arith('(-a) | 0', 'a === -2147483648'); // neg
    case 106: return arith('Math.imul(a, b)', 'L.mulhw(a, b) !== (t >> 31)'); // mullw
    case 84: return arith('L.mulhw(a, b)', null); // mulhw
    case 69: return arith('L.mulhwu(a, b)', null); // mulhwu
    case 131: return arith('(b === 0 || (a === -2147483648 && b === -1)) ? 0 : (a / b) | 0', 'b === 0 || (a === -2147483648 && b === -1)'); // divw
    case 126: return arith('(b === 0) ? 0 : ((a >>> 0) / (b >>> 0)) | 0', 'b === 0'); // divwu
    case 77: return logic(`r[${rt}] & r[${rb}]`); // and
    case 125: return logic(`r[${rt}] | r[${rb}]`); // or
    case 116: return logic(`r[${rt}] ^ r[${rb}]`); // xor
    case 82: return logic(`r[${rt}] & ~r[${rb}]`); // andc
    case 90: return logic(`~(r[${rt}] | r[${rb}])`); // nor
    case 130: return logic(`~(r[${rt}] & r[${rb}])`); // nand
    case 114: return logic(`~(r[${rt}] ^ r[${rb}])`); // eqv
    case 123: return logic(`r[${rt}] | ~r[${rb}]`); // orc
    case 75: return ok(`s = r[${rb}] & 63; t = s & 32 ? 0 : r[${rt}] << s; r[${ra}] = t;` + (rc ? CR0 : '')); // slw
    case 135: return ok(`s = r[${rb}] & 63; t = s & 32 ? 0 : (r[${rt}] >>> s) | 0; r[${ra}] = t;` + (rc ? CR0 : '')); // srw
    case 149: { // srawi
      const sh = rb;
      const lost = sh === 0 ? '0' : `(v < 0 && (v & ${(1 << sh) - 1}) !== 0 ? 1 : 0)`;
      return ok(`v = r[${rt}]; t = v >> ${sh}; cpu.ca = ${lost}; r[${ra}] = t;` + (rc ? CR0 : ''));
    }
    case 148: // sraw
      return ok(`v = r[${rt}]; s = r[${rb}] & 63; if (s & 32) { t = v >> 31; cpu.ca = v < 0 ? 1 : 0; } `
        + `else { t = v >> s; cpu.ca = v < 0 && s !== 0 && (v & ((1 << s) - 1)) !== 0 ? 1 : 0; } r[${ra}] = t;` + (rc ? CR0 : ''));
    case 68: return carrying('r[' + ra + ']', `r[${rb}]`, '0'); // addc
    case 93: return carrying('r[' + ra + ']', `r[${rb}]`, 'cpu.ca'); // adde
    case 105: return carrying('r[' + ra + ']', '-1', 'cpu.ca'); // addme
    case 101: return carrying('r[' + ra + ']', '0', 'cpu.ca'); // addze
    case 67: return carrying('~r[' + ra + ']', `r[${rb}]`, '1'); // subfc
    case 92: return carrying('~r[' + ra + ']', `r[${rb}]`, 'cpu.ca'); // subfe
    case 104: return carrying('~r[' + ra + ']', '-1', 'cpu.ca'); // subfme
    case 100: return carrying('~r[' + ra + ']', '0', 'cpu.ca'); // subfze
    case 76: return logic(`Math.clz32(r[${rt}])`); // cntlzw
    case 155: return logic(`(r[${rt}] << 24) >> 24`); // extsb
    case 153: return logic(`(r[${rt}] << 16) >> 16`); // extsh
    case 70: { // isel
      const bc = (word >>> 6) & 31;
      return ok(`r[${rt}] = (cpu.cr >>> ${31 - bc}) & 1 ? ${ra0(ra)} : r[${rb}];`);
    }
    // ---- loads and stores ----
    case 23: case 25: case 31: case 33: case 74: case 87: case 113: case 119: case 133: { // lwz lbz lhz lha lwzx lbzx lhzx lhax lwbrx
      const size = id === 23 || id === 74 || id === 133 ? 4 : id === 25 || id === 87 ? 1 : 2;
      const ea = id <= 33 ? `(${ra0(ra)} + ${simm(word)}) | 0` : `(${ra0(ra)} + r[${rb}]) | 0`;
      const val = id === 33 || id === 119 ? '(v << 16) >> 16'
        : id === 133 ? '((v & 255) << 24) | ((v & 65280) << 8) | ((v >>> 8) & 65280) | ((v >>> 24) & 255)' : 'v';
      return ok(`ea = ${ea}; ${load(size, pcK, k)} r[${rt}] = ${val};`);
    }
    case 24: case 26: case 32: case 34: case 81: case 89: case 115: case 121: { // lwzu lbzu lhzu lhau lwzux lbzux lhzux lhaux
      if (ra === 0 || ra === rt) return null; // invalid form: the interpreter raises it
      const size = id === 24 || id === 81 ? 4 : id === 26 || id === 89 ? 1 : 2;
      const ea = id <= 34 ? `(r[${ra}] + ${simm(word)}) | 0` : `(r[${ra}] + r[${rb}]) | 0`;
      const val = id === 34 || id === 121 ? '(v << 16) >> 16' : 'v';
      return ok(`ea = ${ea}; ${load(size, pcK, k)} r[${rt}] = ${val}; r[${ra}] = ea;`);
    }
    case 27: case 29: case 35: case 97: case 103: case 122: case 141: { // stw stb sth stwx stbx sthx stwbrx
      const size = id === 27 || id === 97 || id === 141 ? 4 : id === 29 || id === 103 ? 1 : 2;
      const ea = id <= 35 ? `(${ra0(ra)} + ${simm(word)}) | 0` : `(${ra0(ra)} + r[${rb}]) | 0`;
      const val = id === 141 ? `((x = r[${rt}]), ((x & 255) << 24) | ((x & 65280) << 8) | ((x >>> 8) & 65280) | ((x >>> 24) & 255))` : `r[${rt}]`;
      return ok(`ea = ${ea}; v = ${val}; ${store(size, pcK, k, next)}`);
    }
    case 28: case 30: case 36: case 99: case 109: case 124: { // stwu stbu sthu stwux stbux sthux
      if (ra === 0) return null;
      const size = id === 28 || id === 99 ? 4 : id === 30 || id === 109 ? 1 : 2;
      const ea = id <= 36 ? `(r[${ra}] + ${simm(word)}) | 0` : `(r[${ra}] + r[${rb}]) | 0`;
      // rA is updated only after the store completes (a faulting store leaves it).
      return ok(`ea = ${ea}; v = r[${rt}]; ${store(size, pcK, k, `(r[${ra}] = ea, ${next})`)} r[${ra}] = ea;`);
    }
    // ---- SPR, CR and XER moves ----
    case 118: { // mfspr
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n === 8) return ok(`r[${rt}] = cpu.lr;`);
      if (n === 9) return ok(`r[${rt}] = cpu.ctr;`);
      if (n === 1) return ok(`r[${rt}] = cpu.xer;`);
      if (n === 268 || n === 269) return ok(`${before} r[${rt}] = cpu.readTimeBase(${n}, ${pcK});`);
      return ok(`${before} r[${rt}] = cpu.mfspr(${n}, ${pcK});`);
    }
    case 128: { // mtspr
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n === 8) return ok(`cpu.lr = r[${rt}];`);
      if (n === 9) return ok(`cpu.ctr = r[${rt}];`);
      if (n === 1) return ok(`cpu.xer = r[${rt}];`);
      return null; // may change translation or raise interrupts: the interpreter's business
    }
    case 120: { // mftb
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n !== 268 && n !== 269) return null; // illegal: the interpreter raises it
      return ok(`${before} r[${rt}] = cpu.readTimeBase(${n}, ${pcK});`);
    }
    case 71: // mfcr / mfocrf
      return ok(word & 0x00100000 ? `r[${rt}] = cpu.cr & ${crMask((word >>> 12) & 0xFF)};` : `r[${rt}] = cpu.cr;`);
    case 94: { // mtcrf
      const m = crMask((word >>> 12) & 0xFF);
      return ok(`cpu.cr = (cpu.cr & ${~m}) | (r[${rt}] & ${m});`);
    }
    case 48: { // mcrf
      const shS = (7 - (ra >> 2)) * 4;
      const shD = (7 - (rt >> 2)) * 4;
      return ok(`cpu.cr = (cpu.cr & ${~(15 << shD)}) | (((cpu.cr >>> ${shS}) & 15) << ${shD});`);
    }
    case 50: case 56: case 58: case 59: case 60: case 61: case 62: case 63: { // crnor crandc crxor crnand crand creqv crorc cror
      const a = `((cpu.cr >>> ${31 - ra}) & 1)`;
      const b = `((cpu.cr >>> ${31 - rb}) & 1)`;
      const op = { 60: `${a} & ${b}`, 56: `${a} & (${b} ^ 1)`, 58: `${a} ^ ${b}`, 59: `(${a} & ${b}) ^ 1`,
        50: `(${a} | ${b}) ^ 1`, 61: `(${a} ^ ${b}) ^ 1`, 62: `${a} | (${b} ^ 1)`, 63: `${a} | ${b}` }[id]!;
      const bit = 1 << (31 - rt);
      return ok(`cpu.cr = (${op}) ? cpu.cr | ${bit} : cpu.cr & ${~bit};`);
    }
    case 57: case 138: case 150: case 108: case 112: case 160: case 161: // isync sync mbar dcbtst dcbt dcba icbt
      return ok('');
    case 159: // dcbz: zero the 64-byte line (a store: it may fault, hit code or a device)
      return ok(`ea = ((${ra0(ra)} + r[${rb}]) | 0) & -64; ${before} cpu.codeDirty = false; cpu.zeroLine(ea, 64); ${leaveIfNeeded}`);
    case 85: // mfmsr
      return ok(`if (cpu.msr & 16384) { ${before} cpu.privileged(); } r[${rt}] = cpu.msr;`);
    case 91: case 98: { // wrtee wrteei: only MSR[EE] changes; enabling it may let an interrupt in
      const ee = id === 98 ? `${word & 0x8000}` : `(r[${rt}] & 32768)`;
      return ok(`${before} if (cpu.msr & 16384) cpu.privileged(); cpu.writeMsr((cpu.msr & -32769) | ${ee}); ${leaveIfNeeded}`);
    }
    // ---- branches ----
    case 13: { // b
      const disp = ((word & 0x03FFFFFC) << 6) >> 6;
      const abs = (word & 2) !== 0;
      return { code: '', branch: {
        pre: word & 1 ? `cpu.lr = ${next}; ` : '',
        cond: null,
        target: abs ? `${disp}` : `((pc0 + ${off + disp}) | 0)`,
        targetOffset: abs ? null : off + disp,
      } };
    }
    case 11: case 49: case 64: { // bc bclr bcctr
      const bo = rt;
      const bi = ra;
      if (id === 64 && !(bo & 4)) return null; // invalid form
      let pre = '';
      if (!(bo & 4)) pre += 'cpu.ctr = (cpu.ctr - 1) | 0; ';
      const ctrOk = bo & 4 ? '' : (bo & 2 ? 'cpu.ctr === 0' : 'cpu.ctr !== 0');
      const condOk = bo & 16 ? '' : `((cpu.cr >>> ${31 - bi}) & 1) === ${(bo >>> 3) & 1}`;
      const cond = [ctrOk, condOk].filter(Boolean).join(' && ') || null;
      let target: string;
      let targetOffset: number | null = null;
      if (id === 11) {
        const disp = simm(word) & ~3;
        const abs = (word & 2) !== 0;
        target = abs ? `${disp}` : `((pc0 + ${off + disp}) | 0)`;
        if (!abs) targetOffset = off + disp;
      } else if (id === 49) {
        pre += 'x = cpu.lr & -4; ';
        target = 'x';
      } else {
        target = '(cpu.ctr & -4)';
      }
      if (word & 1) pre += `cpu.lr = ${next}; `;
      return { code: '', branch: { pre, cond, target, targetOffset } };
    }
    default:
      return null;
  }
}

/** Writes the locals back to the core: before every exit and every call that could observe them. */
const SYNC = 'cpu.cr = cr, cpu.ctr = ctr, cpu.lr = lr, cpu.so = so, ';

/**
 * The emitted code names CR, CTR, LR and XER[SO] through the core; inside a
 * region they live in locals (registers, for V8) and are written back before
 * any exit or slow-path call.
 */
function localise(code: string): string {
  return code
    .replace(/cpu\.(cr|ctr|lr|so)\b/g, '$1')
    .replace(/r\[(\d+)\] = cpu\.xer;/g, 'cpu.so = so; r[$1] = cpu.xer;')
    .replace(/cpu\.xer = (r\[\d+\]);/g, 'cpu.xer = $1; so = cpu.so;')
    .replace(/\/\*SYNC\*\//g, `${SYNC.slice(0, -2)};`)
    // A fault's `return 1` follows a call that wrote the locals back already.
    .replace(/return (?!1;)([^;]+);/g, `return (${SYNC}$1);`);
}

/** What a back end says about one instruction: not translated (null), plain ('ok'), or a branch. */
export type Classified = null | 'ok' | { targetOffset: number | null; linked: boolean; conditional: boolean };

/** A region to translate: its instructions (word index in the page, ascending), decoded, and its basic blocks' leaders. */
export interface RegionPlan {
  /** The entry's word index (the region's first address). */
  readonly w: number;
  readonly region: readonly number[];
  readonly ids: ReadonlyMap<number, number>;
  readonly words: ReadonlyMap<number, number>;
  readonly leaders: ReadonlySet<number>;
}

/** The JavaScript back end's classification (emit() is its reference). */
function classifyJs(id: number, word: number): Classified {
  const e = emit(id, word, 0, 0);
  if (e === null) return null;
  if (e.branch === undefined) return 'ok';
  return { targetOffset: e.branch.targetOffset, linked: (word & 1) !== 0, conditional: e.branch.cond !== null };
}

/**
 * The region of a code page reachable from word `w` (decoded [id, word]
 * pairs, refreshed from RAM at `pageBase` where a store invalidated them,
 * each word decoded here marked in the code-line map `codeLines`):
 * the instructions reachable by falling through and by relative branches
 * within the page that the back end translates (`classify`), up to
 * REGION_MAX of them, leaving out what the interpreter never ran (`seen`,
 * its execution counts: the region leaves to such a path instead, so that
 * compiled code is not spent on it). A word that follows an instruction of
 * the region in straight line ran whenever that one did, counted or not (the
 * WebAssembly interpreter counts only where basic blocks start). Calls,
 * indirect branches, branches leaving the region and instructions the back
 * end does not translate end it. Null when the first instruction is not
 * translatable.
 */
export function planRegion(code: Int32Array, ram32: Int32Array, codeLines: Uint8Array, pageBase: number, w: number, breaks: ReadonlySet<number> | null,
  seen: Int32Array | null, classify: (id: number, word: number) => Classified = classifyJs): RegionPlan | null {
  const kinds = new Map<number, Classified>();
  const ids = new Map<number, number>();
  const words = new Map<number, number>();
  const stack = [w];
  const visited = new Set<number>();
  /** Words that follow an instruction of the region in straight line (no branch): they ran whenever it did. */
  const straight = new Set<number>();
  while (stack.length > 0 && kinds.size < REGION_MAX) {
    const pos = stack.pop()!;
    if (pos < w || pos >= 1024 || visited.has(pos)) continue;
    visited.add(pos);
    if (pos !== w && seen !== null && seen[pos] === 0 && !straight.has(pos)) continue;
    const slot = pos * 2;
    let id = code[slot]!;
    if (id === 0) {
      const fresh = ram32[(pageBase >> 2) + pos]!;
      code[slot + 1] = fresh;
      codeLines[(pageBase + pos * 4) >>> CODE_LINE_SHIFT] = 1;
      id = decode(fresh);
      // A debugger's breakpoint stays a stop (no translation runs through it).
      if (breaks !== null && breaks.has(pageBase + pos * 4)) id = ID_BREAKPOINT;
      code[slot] = id;
    }
    const word = code[slot + 1]!;
    const kind = classify(id, word);
    if (kind === null) continue;
    kinds.set(pos, kind);
    ids.set(pos, id);
    words.set(pos, word);
    if (kind === 'ok') {
      straight.add(pos + 1);
      stack.push(pos + 1);
      continue;
    }
    if (kind.conditional) stack.push(pos + 1);
    if (!kind.linked && kind.targetOffset !== null) stack.push(pos + kind.targetOffset / 4);
  }
  if (!kinds.has(w)) return null;
  const region = [...kinds.keys()].sort((a, b) => a - b);
  // Leaders: the entry, in-region branch targets, and what follows a branch.
  const leaders = new Set<number>([w]);
  for (const pos of region) {
    const kind = kinds.get(pos)!;
    if (kind === 'ok') continue;
    leaders.add(pos + 1);
    const t = kind.targetOffset;
    if (t !== null && !kind.linked && kinds.has(pos + t / 4)) leaders.add(pos + t / 4);
  }
  return { w, region, ids, words, leaders };
}

/**
 * Translates a region (planRegion) to JavaScript: one function, a switch over
 * its basic blocks inside a loop, so that branches inside the region (loops,
 * if/else) stay in compiled code.
 */
export function translate(code: Int32Array, ram32: Int32Array, codeLines: Uint8Array, pageBase: number, w: number, breaks: ReadonlySet<number> | null = null,
  seen: Int32Array | null = null): JitBlock | null {
  const plan = planRegion(code, ram32, codeLines, pageBase, w, breaks, seen);
  return plan === null ? null : translateJs(plan);
}

function translateJs(plan: RegionPlan): JitBlock {
  const { w, region, ids, words, leaders } = plan;
  const inRegion = (pos: number) => ids.has(pos);
  const size = region.length;

  // 3. Emit in address order; fall-through between cases is fall-through in the guest.
  const out: string[] = [];
  const pcAt = (pos: number) => `((pc0 + ${(pos - w) * 4}) | 0)`;
  const jump = (from: number, to: number) => (to <= from
    ? `if (n - done < ${size}) { cpu.jitRan = done; return ${pcAt(to)}; } lbl = ${to - w}; continue;`
    : `lbl = ${to - w}; continue;`);
  let pending = 0; // instructions since `done` was last brought up to date
  let fallsThrough = false;
  let prev = -2;
  for (const pos of region) {
    if (fallsThrough && pos !== prev + 1) {
      // The next instruction is not in the region: leave to it.
      out.push(`done += ${pending}; cpu.jitRan = done; return ${pcAt(prev + 1)};`);
      pending = 0;
      fallsThrough = false;
    }
    if (leaders.has(pos)) {
      if (pending > 0) out.push(`done += ${pending};`);
      pending = 0;
      out.push(`case ${pos - w}:`);
    }
    const id = ids.get(pos)!;
    const word = words.get(pos)!;
    const e = emit(id, word, pending, (pos - w) * 4)!;
    prev = pos;
    if (e.branch === undefined) {
      out.push(e.code);
      pending++;
      fallsThrough = true;
      continue;
    }
    const b = e.branch;
    const count = pending + 1;
    pending = 0;
    out.push(`${b.pre}done += ${count};`);
    const linked = (word & 1) !== 0;
    const t = b.targetOffset === null ? -1 : w + b.targetOffset / 4; // emitted with its offset from the region start
    const taken = !linked && t >= 0 && inRegion(t) ? jump(pos, t) : `cpu.jitRan = done; return ${b.target};`;
    if (b.cond === null) {
      out.push(taken);
      fallsThrough = false;
    } else {
      out.push(`if (${b.cond}) { ${taken} }`);
      fallsThrough = true;
    }
  }
  if (fallsThrough) out.push(`done += ${pending}; cpu.jitRan = done; return ${pcAt(prev + 1)};`);
  const source = '"use strict"; var a, b, t, o, v, s, x, ea, idx, done = 0, lbl = 0;\n'
    + 'var cr = cpu.cr, ctr = cpu.ctr, lr = cpu.lr, so = cpu.so;\n'
    + `for (;;) { switch (lbl) {\n${localise(out.join('\n'))}\n} return ${SYNC}-1; }`;
  const fn = new Function('cpu', 'r', 'rTag', 'rVal', 'wTag', 'wVal', 'ram32', 'ram16', 'ram8', 'dKey', 'pc0', 'n', 'L', source) as BlockFn;
  return { len: size, fn, words: region, sourceChars: source.length, calls: 0, ran: 0, direct: -1 };
}
