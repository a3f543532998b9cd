// The interpreter's frequent instructions as one WebAssembly function, for
// the code the translator has not made a region of: a kernel's boot runs 12-13
// M of its 62 M instructions there, most of them words run a few times.
//
// Why: JavaScript's `execute` (interp.ts) is one large function that V8 runs
// in its baseline code until TurboFan has compiled it, 75-145 ms on the
// 2-core machine, and again after each deoptimisation; a cold process spent a
// fifth of a Linux boot in that state (docs/performance.md). WebAssembly is
// compiled before its first instruction (Liftoff, about 15 times the baseline
// JavaScript's speed on an interpreter loop) and never deoptimises.
//
// What it does: from an address in the current code page, it runs
// instructions, through taken branches, counting each word's heat for the
// translator as the interpreter does (in the core's heat arena, memory.ts, of
// which JitPage.hot is a view). A branch out of the page, or the page's end,
// goes on into the next page if the interpreter left a link to it (it
// fetched that page in the same fetch epoch: CORE_PAGE_LINKS). At the entry
// of a block that passed its trial (DIRECT_BASE in its heat) it calls the
// block itself, through the core's table, as the interpreter would. It stops
// at another block's entry, a count at the threshold, an instruction it does
// not handle, a page it has no link to, the end of the budget, or where a
// data access faults or has to end the run (a device store that raises an
// interrupt, a store over code; an interrupt check a slow load made due ends
// it at the next taken branch). The interpreter then carries on from there:
// it counts the heat of the address reached, runs a region if one starts
// there, or the instruction the WebAssembly left to it. The decoder is
// isa.ts's own (its tables, read when the module is made), so a word means
// the same instruction here and there; every case does what its case in
// interp.ts does, and test/unit/cpu/wasm-interp.test.ts compares the two on
// random words and states. Everything else, the forms with an overflow bit,
// the SPRs other than LR and CTR, the MMU instructions, cache locking, FP,
// traps that are taken, a misaligned lwarx, and the privileged ones from user
// mode, are left to JavaScript. The lwarx reservation is Cpu.resAddr/resValue,
// which runWasmInterpreter hands over in two exchange slots.
//
// Its calling convention is a region's (wasm-jit.ts), f0(pc, n, dKey) -> pc
// over the guest's memory and the core's table, with the core's area address
// as a fourth parameter (one module for every core and RAM size, compiled
// and optimised once per thread, from the warm-up on); GPRs in the core's
// area, CR/CTR/LR/XER in locals loaded from the exchange slots and stored
// back at the exit and before a call out, the slow paths through the
// bridge's helpers, a fault returned as 1 with the instruction recorded. It
// reads the code page's RAM address, its heat counts' address and the
// threshold from CORE_SLOT.CODE, HEAT and THRESHOLD, and leaves
// CORE_SLOT.SEQ (the address after the last instruction it ran), STOP (1:
// stopped in front of an instruction it does not handle; 2: stopped where the
// interpreter would end its slice for an interrupt check) and JIT_RAN (the
// instructions of its run that ran in blocks it called).

import { decode, INSNS } from './isa';
import { DIRECT_BASE, HOT_BLOCK, LOOP_HEAT, REGION_MAX, TRIED } from './jit';
import { CORE_PAGE_LINKS, CORE_SLOT, PAGE_LINKS } from './memory';
import { Asm, CALL, emitCodeLineFree, emitHostAddress, emitTlbMiss, HELPER_TYPE, I32, IMPORT_CALL, IMPORT_LD, IMPORT_ST, moduleHead, OP, regionModule, type SoftTlbAt, VOID } from './wasm-jit';

/** The module's head: a region's, with the core's address as a fourth parameter. */
const INTERP_MODULE_HEAD = moduleHead(4);

// Parameters (the core's area address last: one module serves every core and every RAM size), then locals.
const PC = 0, N = 1, DKEY = 2, CORE = 3;
const DONE = 4, W = 5, A = 6, B = 7, T = 8, V = 9, EA = 10, MISS = 11, IDX = 12, X = 13, BASE = 14, RET = 15, SEQ = 16, STOP = 17;
const CR = 18, CTR = 19, LR = 20, SO = 21, CA = 22, OV = 23;
const HEAT = 24, THRESHOLD = 25, H = 26, HOLD = 27, FLAG = 28, JR = 29, SEQW = 30;
const LOCALS = 31 - 4;

/** The soft TLB as the interpreter reaches it: through the core's area address, a parameter. */
const SOFT_TLB: SoftTlbAt = { ea: EA, miss: MISS, idx: IDX, dKey: DKEY, core: 0, coreLocal: CORE };

/** The type index of a region's function (pc0, n, dKey) -> pc in the interpreter's module (moduleHead). */
const REGION_TYPE = 3;


/** MSR[PR]'s bit in the data translation key (Cpu.setMsr). */
const USER_KEY = 2 << 20;

const idOf = (mnem: string): number => {
  const i = INSNS.find((x) => x.mnem === mnem);
  if (i === undefined) throw new Error(`wasm-interp: no instruction ${mnem}`);
  return i.id;
};

/** The instructions handled here (mnemonics of isa.ts). */
export const WASM_INTERP_MNEMONICS = [
  'addi', 'addis', 'addic', 'addic.', 'subfic', 'mulli', 'ori', 'oris', 'xori', 'xoris', 'andi.', 'andis.',
  'cmpi', 'cmpli', 'cmp', 'cmpl', 'rlwinm', 'rlwimi', 'rlwnm', 'b', 'bc', 'bclr', 'bcctr',
  'lwz', 'lwzu', 'lbz', 'lbzu', 'lhz', 'lhzu', 'lha', 'stw', 'stwu', 'stb', 'stbu', 'sth', 'sthu',
  'lwzx', 'lbzx', 'lhzx', 'stwx', 'stbx', 'sthx',
  'add', 'subf', 'neg', 'mullw', 'and', 'or', 'xor', 'andc', 'nor', 'slw', 'srw', 'srawi', 'sraw',
  'cntlzw', 'extsb', 'extsh', 'isel', 'mfspr', 'mtspr', 'mfcr',
  'lhau', 'mulhw', 'mulhwu', 'divw', 'divwu', 'mtcrf',
  // Instructions interp.ts runs through executeRare, after which it ends the slice if an interrupt check is due.
  'addc', 'adde', 'addze', 'addme', 'subfc', 'subfe', 'subfme', 'subfze', 'orc', 'nand', 'eqv',
  'mcrf', 'crnor', 'crandc', 'crxor', 'crnand', 'crand', 'creqv', 'crorc', 'cror',
  'isync', 'sync', 'mbar', 'dcbtst', 'dcbt', 'dcba', 'icbt', 'mfmsr', 'wrtee', 'wrteei', 'dcbz',
  'lwarx', 'stwcx.', 'lmw', 'stmw', 'lwzux', 'lbzux', 'lhzux', 'lhaux', 'lhax', 'stwux', 'stbux', 'sthux',
  'lwbrx', 'lhbrx', 'stwbrx', 'sthbrx', 'twi', 'tw', 'dcbf', 'dcbst', 'icbi',
] as const;

type Mnemonic = typeof WASM_INTERP_MNEMONICS[number];

/** Labels the handlers' code branches to. */
interface Labels {
  /** Done: pc += 4, on to the next instruction (or out at the page's end). */
  next: object;
  /** Leave in front of this instruction, for JavaScript to run it. */
  unsupported: object;
  /** Leave with RET set (the epilogue stores the state). */
  exit: object;
  /** The next instruction at PC (its heat, the budget, its word). */
  top: object;
}

class Emitter {
  readonly a = new Asm();
  constructor(readonly l: Labels) {}

  /** Byte offset of an exchange slot in the core's area (loads and stores add it to the CORE parameter). */
  slot(s: number): number { return s * 4; }

  /** Pushes the byte offset of GPR field `shift` (21: rT/rS, 16: rA, 11: rB) in the core's area. */
  field(shift: number): this { this.a.get(W).c(shift - 2).op(OP.shrU).c(124).op(OP.and); return this; }
  /** Pushes GPR field `shift`'s value. */
  reg(shift: number): this { this.field(shift); this.a.get(CORE).op(OP.add).mem(OP.load, 0); return this; }
  /** Pushes (rA|0): rA's value, or 0 for r0. */
  ra0(): this { this.reg(16); this.a.c(0); this.field(16); this.a.op(OP.select); return this; }
  /** GPR field `shift` = the value `value` pushes. */
  setReg(shift: number, value: () => void): this { this.field(shift); this.a.get(CORE).op(OP.add); value(); this.a.mem(OP.store, 0); return this; }
  simm(): this { this.a.get(W).op(OP.extend16); return this; }
  uimm(): this { this.a.get(W).c(0xFFFF).op(OP.and); return this; }

  /** CR0 from local T (LT/GT/EQ, SO). */
  cr0(): void {
    const a = this.a;
    a.get(CR).c(0x0FFFFFFF).op(OP.and);
    a.c(8).c(4).c(2).get(T).c(0).op(OP.gtS, OP.select).get(T).c(0).op(OP.ltS, OP.select);
    a.get(SO).op(OP.or).c(28).op(OP.shl, OP.or).set(CR);
  }

  /** CR0 from T when the word's Rc bit is set. */
  rc(): void {
    this.a.get(W).c(1).op(OP.and).open(OP.if, VOID);
    this.cr0();
    this.a.end();
  }

  /** CR field crfD (bits 6-8) = (the pushed 3-bit value) | SO; the field's shift in X. */
  crfD(value: () => void): void {
    const a = this.a;
    a.c(7).get(W).c(23).op(OP.shrU).c(7).op(OP.and, OP.sub).c(2).op(OP.shl).set(X);
    a.get(CR).c(15).get(X).op(OP.shl).c(-1).op(OP.xor, OP.and);
    value();
    a.get(SO).op(OP.or).get(X).op(OP.shl, OP.or).set(CR);
  }

  /** 8/4/2 from A and B. */
  compare(signed: boolean): void {
    this.a.c(8).c(4).c(2).get(A).get(B).op(signed ? OP.gtS : OP.gtU, OP.select).get(A).get(B).op(signed ? OP.ltS : OP.ltU, OP.select);
  }

  /** The rotate mask MB..ME (bits 6-10, 1-5) of an M-form word. */
  mask(): void {
    const a = this.a;
    // A = ~0 >>> MB, B = ~0 << (31 - ME); MB <= ME: A & B, else (a wrapping mask) A | B.
    a.c(-1).get(W).c(6).op(OP.shrU).c(31).op(OP.and, OP.shrU).set(A);
    a.c(-1).c(31).get(W).c(1).op(OP.shrU).c(31).op(OP.and, OP.sub, OP.shl).set(B);
    a.get(A).get(B).op(OP.and).get(A).get(B).op(OP.or);
    a.get(W).c(6).op(OP.shrU).c(31).op(OP.and).get(W).c(1).op(OP.shrU).c(31).op(OP.and, OP.leU, OP.select);
  }

  /** Stores the state locals to their slots (before a call out; the epilogue does it at the exit). */
  syncOut(): void {
    const a = this.a;
    a.get(CORE).get(CR).mem(OP.store, this.slot(CORE_SLOT.CR));
    a.get(CORE).get(CTR).mem(OP.store, this.slot(CORE_SLOT.CTR));
    a.get(CORE).get(LR).mem(OP.store, this.slot(CORE_SLOT.LR));
    a.get(CORE).get(SO).mem(OP.store, this.slot(CORE_SLOT.SO));
    a.get(CORE).get(CA).mem(OP.store, this.slot(CORE_SLOT.CA));
    a.get(CORE).get(OV).mem(OP.store, this.slot(CORE_SLOT.OV));
  }

  /** Loads the state locals from their slots (the prologue's, into `a`; after a region ran: it stored what it changed). */
  syncIn(a: Asm = this.a): void {
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.CR)).set(CR);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.CTR)).set(CTR);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.LR)).set(LR);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.SO)).set(SO);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.CA)).set(CA);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.OV)).set(OV);
  }

  /**
   * PC is the entry of a block that passed its trial (H = DIRECT_BASE - its
   * table slot): call it, as the interpreter would (interp.ts), and go on
   * where it left, or leave there. Out in front of it instead when the budget
   * left might not cover it (the interpreter knows its length; none is longer
   * than REGION_MAX), an interrupt check is due, or a debugger watches SPRs.
   * Its instructions count in DONE and in JR; a fault in it returns its odd pc
   * (the core has recorded where: at() adds CORE_SLOT.OUTER).
   */
  callRegion(): void {
    const a = this.a;
    a.get(N).get(DONE).op(OP.sub).c(REGION_MAX).op(OP.ltS);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.DIRECT)).op(OP.eqz, OP.or);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.IRQ)).op(OP.or);
    a.ifLikely(false);
    a.get(PC);
    this.leave();
    a.end();
    this.syncOut();
    a.get(CORE).get(DONE).mem(OP.store, this.slot(CORE_SLOT.OUTER));
    a.get(PC).get(N).get(DONE).op(OP.sub).get(DKEY);
    a.c(DIRECT_BASE).get(H).op(OP.sub);
    a.op(OP.callIndirect).uleb(REGION_TYPE);
    a.byte(0);
    a.set(T);
    a.get(CORE).c(0).mem(OP.store, this.slot(CORE_SLOT.OUTER));
    this.syncIn();
    a.get(T).c(3).op(OP.and);
    a.ifLikely(false);
    a.get(T);
    this.leave();
    a.end();
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.RAN)).set(V);
    a.get(DONE).get(V).op(OP.add).set(DONE);
    a.get(JR).get(V).op(OP.add).set(JR);
    this.onAtTarget();
  }

  /**
   * On at T (where a taken branch or a block left: a basic block starts
   * there) if it is in this page or a linked one and no interrupt check is
   * due, else out there (STOP 2 if one is: the interpreter ends its slice).
   */
  onAtTarget(): void {
    const a = this.a;
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.IRQ)).op(OP.eqz).open(OP.if, VOID);
    a.get(T).get(PC).op(OP.xor).c(12).op(OP.shrU, OP.eqz);
    a.get(T).set(PC);
    a.c(0).set(SEQW);
    a.op(OP.brIf).uleb(a.depth(this.l.top));
    this.enterPage();
    a.end();
    this.dueHere();
    a.get(T);
    this.leave();
  }

  /** RET = the pushed value; out. */
  leave(): void { this.a.set(RET).br(this.l.exit); }

  /**
   * The instruction at PC is done and branches to the pushed target: on at
   * the target (onAtTarget; a slow load's exit may have made an interrupt
   * check due: the interpreter looks at taken branches).
   */
  taken(): void {
    const a = this.a;
    a.set(T);
    a.get(PC).c(4).op(OP.add).set(SEQ);
    a.get(DONE).c(1).op(OP.add).set(DONE);
    this.onAtTarget();
  }

  /**
   * PC is on another page: on there (BASE and HEAT that page's) if the
   * interpreter left a link to it in this fetch epoch (it fetched the page,
   * which was the WebAssembly's to run, and nothing since changed what the
   * effective page translates to), else nothing (the caller leaves).
   */
  enterPage(): void {
    const a = this.a;
    const links = CORE_PAGE_LINKS * 4;
    a.get(PC).c(12).op(OP.shrU).c(PAGE_LINKS - 1).op(OP.and).c(4).op(OP.shl).get(CORE).op(OP.add).set(X);
    a.get(X).mem(OP.load, links).get(PC).c(12).op(OP.shrU).op(OP.eq);
    a.get(X).mem(OP.load, links + 4).get(CORE).mem(OP.load, this.slot(CORE_SLOT.EPOCH)).op(OP.eq, OP.and);
    a.open(OP.if, VOID);
    a.get(X).mem(OP.load, links + 8).set(BASE);
    a.get(X).mem(OP.load, links + 12).set(HEAT);
    a.c(0).set(SEQW);
    a.br(this.l.top);
    a.end();
  }

  /** The soft-TLB check of an access at EA (wasm-jit.ts emitTlbMiss): pushes "miss" (0 on a hit), leaves IDX. */
  tlbMiss(write: boolean, size: number): void { emitTlbMiss(this.a, SOFT_TLB, write, size); }

  /** Pushes the RAM address of EA's bytes (after tlbMiss). */
  hostAddress(write: boolean, size: number): void { emitHostAddress(this.a, SOFT_TLB, write, size); }

  /** V = `size` bytes at EA (zero-extended), through the soft TLB or the core; a fault leaves. */
  load(size: 1 | 2 | 4): void {
    const a = this.a;
    this.tlbMiss(false, size);
    a.ifLikely(false, I32);
    this.syncOut();
    a.get(EA).c(size).get(PC).c(0).get(DONE).get(N);
    this.callIndirect(IMPORT_LD);
    a.set(V);
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.FAULT));
    a.ifLikely(false);
    a.c(1);
    this.leave();
    a.end();
    a.get(V);
    a.else();
    this.hostAddress(false, size);
    a.mem(size === 4 ? OP.load : size === 2 ? OP.load16u : OP.load8u, 0);
    a.end();
    a.set(V);
  }

  /**
   * Stores V's low `size` bytes at EA; a fault leaves, and so does a store the
   * run must end after (`after` runs first), unless `after` is 'flag': then
   * FLAG is set and the instruction goes on (stmw: the rest of its stores
   * first; it ends the run when done).
   */
  store(size: 1 | 2 | 4, after: (() => void) | 'flag' | null = null): void {
    const a = this.a;
    const here = () => {
      this.hostAddress(true, size);
      a.get(V).mem(size === 4 ? OP.store : size === 2 ? OP.store16 : OP.store8, 0);
    };
    this.tlbMiss(true, size);
    a.ifLikely(false);
    emitCodeLineFree(a, SOFT_TLB);
    a.open(OP.if, VOID);
    here();
    a.else();
    this.syncOut();
    a.get(EA).c(size).get(PC).get(V);
    if (size < 4) a.c(size === 2 ? 0xFFFF : 0xFF).op(OP.and);
    a.c(0).get(DONE).get(N);
    this.callIndirect(IMPORT_ST);
    a.tee(X);
    a.ifLikely(false);
    // 1: a fault; 2: an interrupt check is due or code was overwritten: the run ends after this store.
    a.get(X).c(1).op(OP.eq);
    a.open(OP.if, VOID);
    a.c(1);
    this.leave();
    a.end();
    if (after === 'flag') {
      a.c(1).set(FLAG);
    } else {
      after?.();
      this.dueHere();
      this.leaveAfter();
    }
    a.end();
    a.end();
    a.else();
    here();
    a.end();
  }

  /**
   * STOP = 2 if an interrupt check is due, else 0: out at a point where the
   * interpreter, running the same instructions itself, looks at irqPoll and
   * ends its slice (after a taken branch, a rare instruction, a slow store, a
   * block); out elsewhere (a page without a link, a block's entry in straight
   * line, an instruction left to it) it carries on, as it would have.
   */
  dueHere(): void {
    this.a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.IRQ)).c(0).op(OP.ne).c(1).op(OP.shl).set(STOP);
  }

  /** The instruction at PC is done: out, in front of the next one. */
  leaveAfter(): void {
    const a = this.a;
    a.get(PC).c(4).op(OP.add).tee(PC).set(SEQ);
    a.get(DONE).c(1).op(OP.add).set(DONE);
    a.get(PC);
    this.leave();
  }

  private callIndirect(fn: number): void {
    this.a.c(fn).op(OP.callIndirect);
    this.a.uleb(HELPER_TYPE[fn]!);
    this.a.byte(0);
  }

  /**
   * A rare instruction's work in the core (wasm-jit.ts CALL: the time base,
   * MSR, dcbz), with the pushed argument; pushes its result. It may throw a
   * fault: the core knows where from (at()), as with a region's call.
   */
  coreCall(what: number, arg: () => void): void {
    this.syncOut();
    this.a.c(what);
    arg();
    this.a.get(PC).c(0).get(DONE).get(N);
    this.callIndirect(IMPORT_CALL);
  }

  /**
   * Done with an instruction interp.ts runs through executeRare: on, unless an
   * interrupt check is due (`leaveToo`: the pushed condition, a call's "end
   * the run"), for then the interpreter ends its slice right after it.
   */
  rareNext(leaveToo: (() => void) | null = null): void {
    const a = this.a;
    a.get(CORE).mem(OP.load, this.slot(CORE_SLOT.IRQ));
    if (leaveToo !== null) { leaveToo(); a.op(OP.or); }
    a.open(OP.if, VOID);
    this.dueHere();
    this.leaveAfter();
    a.end();
    this.next();
  }

  /** Leaves for JavaScript when the pushed condition holds (checked before anything changed). */
  unsupportedIf(cond: () => void): void {
    cond();
    this.a.op(OP.brIf).uleb(this.a.depth(this.l.unsupported));
  }

  /** On to the next word, which follows this one in straight line: its heat is not counted (SEQW). */
  next(): void { this.a.c(1).set(SEQW); this.a.br(this.l.next); }
  /** After a branch not taken: on to the next word, which starts a basic block (its heat is counted). */
  nextLeader(): void { this.a.c(0).set(SEQW); this.a.br(this.l.next); }
}

/** Each handled instruction's code (it ends by branching: next, out, or to unsupported). */
function handlers(e: Emitter): Record<Mnemonic, () => void> {
  const a = e.a;
  const next = () => e.next();
  /** rT = the pushed value. */
  const toRt = (value: () => void) => { e.setReg(21, value); next(); };
  /** T = value; rA = T; CR0 from T if Rc (and `always`). */
  const logic = (value: () => void, always = false) => {
    value();
    a.set(T);
    e.setReg(16, () => a.get(T));
    if (always) e.cr0();
    else e.rc();
    next();
  };
  /** T = value; rT = T; CR0 if Rc; the OE form is JavaScript's. */
  const arith = (value: () => void) => {
    e.unsupportedIf(() => a.get(W).c(0x400).op(OP.and));
    value();
    a.set(T);
    e.setReg(21, () => a.get(T));
    e.rc();
    next();
  };
  /**
   * EA of a load or store: (rA|0) + d, or + rB (`indexed`); with `update`,
   * rA + ... (rA = 0 is invalid, and for a load rA = rT too: JavaScript raises
   * it).
   */
  const accessEa = (indexed: boolean, update: boolean, load: boolean) => {
    if (update) {
      e.unsupportedIf(() => { e.field(16); a.op(OP.eqz); if (load) { e.field(16); e.field(21); a.op(OP.eq, OP.or); } });
      e.reg(16);
    } else {
      e.ra0();
    }
    if (indexed) e.reg(11);
    else e.simm();
    a.op(OP.add).set(EA);
  };
  /** A load's or store's form: indexed (rB), with update (rA = EA), a sign-extended halfword, one interp.ts runs through executeRare. */
  interface Form { indexed?: boolean; update?: boolean; signed?: boolean; rare?: boolean }
  const done = (f: Form) => { if (f.rare) e.rareNext(); else next(); };
  /** rT = `size` bytes at EA (rA = EA with update). */
  const loadOf = (size: 1 | 2 | 4, f: Form = {}) => () => {
    accessEa(f.indexed === true, f.update === true, true);
    e.load(size);
    e.setReg(21, () => { a.get(V); if (f.signed) a.op(OP.extend16); });
    if (f.update) e.setReg(16, () => a.get(EA));
    done(f);
  };
  /** `size` bytes of rS at EA (rA = EA with update, also when the store ends the run). */
  const storeOf = (size: 1 | 2 | 4, f: Form = {}) => () => {
    accessEa(f.indexed === true, f.update === true, false);
    e.reg(21);
    a.set(V);
    e.store(size, f.update ? () => e.setReg(16, () => a.get(EA)) : null);
    if (f.update) e.setReg(16, () => a.get(EA));
    done(f);
  };
  /** BO's CTR and condition tests for bc/bclr: pushes "taken" (CTR decremented first when BO says so). */
  const branchCondition = (ctr: boolean) => {
    // X = BO
    a.get(W).c(21).op(OP.shrU).c(31).op(OP.and).set(X);
    if (ctr) {
      a.get(X).c(4).op(OP.and, OP.eqz);
      a.open(OP.if, VOID);
      a.get(CTR).c(1).op(OP.sub).set(CTR);
      a.end();
      // ctrOk = BO[2] || ((CTR != 0) != BO[1]), as 0 or 1
      a.get(X).c(2).op(OP.shrU).c(1).op(OP.and);
      a.get(CTR).c(0).op(OP.ne).get(X).c(1).op(OP.shrU).c(1).op(OP.and, OP.ne);
      a.op(OP.or);
    }
    // condOk = BO[0] || CR[BI] == BO[3], as 0 or 1
    a.get(X).c(4).op(OP.shrU);
    a.get(CR).c(31).get(W).c(16).op(OP.shrU).c(31).op(OP.and, OP.sub, OP.shrU).c(1).op(OP.and);
    a.get(X).c(3).op(OP.shrU).c(1).op(OP.and, OP.eq, OP.or);
    if (ctr) a.op(OP.and);
  };
  /** LR = PC + 4 when the word's LK bit is set. */
  const link = () => {
    a.get(W).c(1).op(OP.and).open(OP.if, VOID);
    a.get(PC).c(4).op(OP.add).set(LR);
    a.end();
  };
  const shiftAmount = () => { e.reg(11); a.c(0x3F).op(OP.and).set(X); };
  /** SPR number of mfspr/mtspr (its two halves swapped) into X. */
  const sprNumber = () => {
    a.get(W).c(16).op(OP.shrU).c(0x1F).op(OP.and).get(W).c(6).op(OP.shrU).c(0x3E0).op(OP.and, OP.or).set(X);
  };

  /** T = x + y + carry-in, XER[CA] the carry out; rT = T; CR0 if Rc; the OE form is JavaScript's. A rare one. */
  const carrying = (x: () => void, y: () => void, cin: () => void) => {
    e.unsupportedIf(() => a.get(W).c(0x400).op(OP.and));
    x(); a.set(A); y(); a.set(B); cin(); a.set(X);
    a.get(A).get(B).op(OP.add).get(X).op(OP.add).set(T);
    a.get(A).get(B).op(OP.add).get(A).op(OP.ltU);
    a.get(T).get(A).get(B).op(OP.add, OP.ltU, OP.or).set(CA);
    e.setReg(21, () => a.get(T));
    e.rc();
    e.rareNext();
  };
  const notRa = () => { e.reg(16); a.c(-1).op(OP.xor); };
  /** rA = the pushed value, CR0 if Rc; a rare one. */
  const rareLogic = (value: () => void) => {
    value();
    a.set(T);
    e.setReg(16, () => a.get(T));
    e.rc();
    e.rareNext();
  };
  /** High word of rA x rB. */
  const mulHigh = (signed: boolean) => {
    const ext = signed ? OP.extendS : OP.extendU;
    e.reg(16); a.op(ext); e.reg(11); a.op(ext, OP.mul64, OP.const64, 32, signed ? OP.shrS64 : OP.shrU64, OP.wrap);
  };
  /** A CR logical instruction: bit rT of CR = op(bit rA, bit rB) (complementing B and/or the result). */
  const crLogic = (op: number, notB: boolean, notResult: boolean) => () => {
    const bit = (shift: number) => { a.get(CR).c(31).get(W).c(shift).op(OP.shrU).c(31).op(OP.and, OP.sub, OP.shrU).c(1).op(OP.and); };
    bit(16);
    bit(11);
    if (notB) a.c(1).op(OP.xor);
    a.op(op);
    if (notResult) a.c(1).op(OP.xor);
    a.set(X);
    // V = 31 - rT: the bit's shift.
    a.c(31).get(W).c(21).op(OP.shrU).c(31).op(OP.and, OP.sub).set(V);
    a.get(CR).c(1).get(V).op(OP.shl).c(-1).op(OP.xor, OP.and).get(X).get(V).op(OP.shl, OP.or).set(CR);
    e.rareNext();
  };
  /**
   * The privileged ones from user mode (MSR[PR]: the data key's bit) are
   * JavaScript's, which delivers the program interrupt without a throw (a
   * throw through WebAssembly frames is slow, and a deprivileged kernel under
   * trap-and-emulate does this at every mfmsr and wrteei).
   */
  const userMode = () => e.unsupportedIf(() => a.get(DKEY).c(USER_KEY).op(OP.and));
  /** What the region treats as no operation (hints, barriers): a rare one. */
  const nothing = () => e.rareNext();
  /** The CR mask of mtcrf's FXM field (bits 12-19) into V. */
  const fxmMask = () => {
    a.c(0).set(V);
    for (let f = 0; f < 8; f++) {
      a.get(V).c((0xF0000000 >>> (f * 4)) | 0).c(0).get(W).c(19 - f).op(OP.shrU).c(1).op(OP.and, OP.select, OP.or).set(V);
    }
  };

  /** lmw/stmw: `body` for each register A from rT to r31, EA its word (from (rA|0) + d, 4 bytes a register). */
  const eachRegister = (body: () => void) => {
    const loop = {};
    const out = {};
    e.ra0(); e.simm(); a.op(OP.add).set(EA);
    a.get(W).c(21).op(OP.shrU).c(31).op(OP.and).set(A);
    a.open(OP.block, VOID, out);
    a.open(OP.loop, VOID, loop);
    a.get(A).c(32).op(OP.geU).op(OP.brIf).uleb(a.depth(out));
    body();
    a.get(EA).c(4).op(OP.add).set(EA);
    a.get(A).c(1).op(OP.add).set(A);
    a.br(loop);
    a.end();
    a.end();
  };
  /** EA = (rA|0) + rB. */
  const indexedEa = () => accessEa(true, false, false);
  /** Pushes V's four bytes reversed. */
  const reverse32 = () => {
    a.get(V).c(8).op(OP.rotl).c(0x00FF00FF).op(OP.and);
    a.get(V).c(24).op(OP.rotl).c(0xFF00FF00 | 0).op(OP.and, OP.or);
  };
  /** Pushes V's low two bytes swapped. */
  const reverse16 = () => { a.get(V).c(0xFF).op(OP.and).c(8).op(OP.shl).get(V).c(8).op(OP.shrU).c(0xFF).op(OP.and, OP.or); };
  /** A trap whose condition (TO against A and B) holds is JavaScript's (the program interrupt); else nothing. */
  const trap = () => {
    e.unsupportedIf(() => {
      const to = (bit: number) => { a.get(W).c(21 + bit).op(OP.shrU).c(1).op(OP.and); };
      to(4); a.get(A).get(B).op(OP.ltS, OP.and);
      to(3); a.get(A).get(B).op(OP.gtS, OP.and, OP.or);
      to(2); a.get(A).get(B).op(OP.eq, OP.and, OP.or);
      to(1); a.get(A).get(B).op(OP.ltU, OP.and, OP.or);
      to(0); a.get(A).get(B).op(OP.gtU, OP.and, OP.or);
    });
    e.rareNext();
  };
  /** dcbf, dcbst, icbi: the address translated by a byte load (which may fault, as interp.ts's), nothing else. */
  const touch = () => { indexedEa(); e.load(1); e.rareNext(); };
  /** The reservation's slots (lwarx, stwcx.; runWasmInterpreter exchanges them with Cpu.resAddr/resValue). */
  const resAddr = () => a.get(CORE).mem(OP.load, e.slot(CORE_SLOT.RES_ADDR));
  const clearReservation = () => { a.get(CORE).c(-1).mem(OP.store, e.slot(CORE_SLOT.RES_ADDR)); };
  /** CR0 = (the pushed LT/GT/EQ bits) | SO. */
  const setCr0 = (bits: () => void) => { a.get(CR).c(0x0FFFFFFF).op(OP.and); bits(); a.get(SO).op(OP.or).c(28).op(OP.shl, OP.or).set(CR); };

  /** rT = rA + SIMM with XER[CA] the carry out; CR0 too for addic. */
  const addic = (dot: boolean) => () => {
    e.reg(16); a.set(A);
    a.get(A); e.simm(); a.op(OP.add).set(T);
    a.get(T).get(A).op(OP.ltU).set(CA);
    e.setReg(21, () => a.get(T));
    if (dot) e.cr0();
    next();
  };

  return {
    addi: () => toRt(() => { e.ra0(); e.simm(); a.op(OP.add); }),
    addis: () => toRt(() => { e.ra0(); a.get(W).c(16).op(OP.shl, OP.add); }),
    addic: addic(false),
    'addic.': addic(true),
    subfic: () => {
      e.reg(16); a.set(A);
      e.simm(); a.set(B);
      a.get(B).get(A).op(OP.geU).set(CA);
      toRt(() => a.get(B).get(A).op(OP.sub));
    },
    mulli: () => toRt(() => { e.reg(16); e.simm(); a.op(OP.mul); }),
    ori: () => { e.setReg(16, () => { e.reg(21); e.uimm(); a.op(OP.or); }); next(); },
    oris: () => { e.setReg(16, () => { e.reg(21); a.get(W).c(16).op(OP.shl, OP.or); }); next(); },
    xori: () => { e.setReg(16, () => { e.reg(21); e.uimm(); a.op(OP.xor); }); next(); },
    xoris: () => { e.setReg(16, () => { e.reg(21); a.get(W).c(16).op(OP.shl, OP.xor); }); next(); },
    'andi.': () => logic(() => { e.reg(21); e.uimm(); a.op(OP.and); }, true),
    'andis.': () => logic(() => { e.reg(21); a.get(W).c(16).op(OP.shl, OP.and); }, true),
    cmpi: () => { e.reg(16); a.set(A); e.simm(); a.set(B); e.crfD(() => e.compare(true)); next(); },
    cmpli: () => { e.reg(16); a.set(A); e.uimm(); a.set(B); e.crfD(() => e.compare(false)); next(); },
    cmp: () => { e.reg(16); a.set(A); e.reg(11); a.set(B); e.crfD(() => e.compare(true)); next(); },
    cmpl: () => { e.reg(16); a.set(A); e.reg(11); a.set(B); e.crfD(() => e.compare(false)); next(); },
    rlwinm: () => logic(() => { e.reg(21); a.get(W).c(11).op(OP.shrU).c(31).op(OP.and, OP.rotl); e.mask(); a.op(OP.and); }),
    rlwnm: () => logic(() => { e.reg(21); e.reg(11); a.c(31).op(OP.and, OP.rotl); e.mask(); a.op(OP.and); }),
    rlwimi: () => logic(() => {
      e.mask();
      a.set(V);
      e.reg(21); a.get(W).c(11).op(OP.shrU).c(31).op(OP.and, OP.rotl).get(V).op(OP.and);
      e.reg(16); a.get(V).c(-1).op(OP.xor, OP.and, OP.or);
    }),
    b: () => {
      link();
      // disp = sign-extended LI||00; AA: absolute.
      a.get(W).c(0x03FFFFFC).op(OP.and).c(6).op(OP.shl).c(6).op(OP.shrS).set(T);
      a.get(T).get(PC).get(T).op(OP.add).get(W).c(2).op(OP.and, OP.select);
      e.taken();
    },
    bc: () => {
      branchCondition(true);
      a.set(A);
      link();
      a.get(A).open(OP.if, VOID);
      a.get(W).op(OP.extend16).c(-4).op(OP.and).set(T);
      a.get(T).get(PC).get(T).op(OP.add).get(W).c(2).op(OP.and, OP.select);
      e.taken();
      a.end();
      e.nextLeader();
    },
    bclr: () => {
      branchCondition(true);
      a.set(A);
      a.get(LR).c(-4).op(OP.and).set(V);
      link();
      a.get(A).open(OP.if, VOID);
      a.get(V);
      e.taken();
      a.end();
      e.nextLeader();
    },
    bcctr: () => {
      // BO without "ignore CTR" is invalid for bcctr: JavaScript raises it.
      e.unsupportedIf(() => a.get(W).c(21 + 2).op(OP.shrU).c(1).op(OP.and, OP.eqz));
      branchCondition(false);
      a.set(A);
      link();
      a.get(A).open(OP.if, VOID);
      a.get(CTR).c(-4).op(OP.and);
      e.taken();
      a.end();
      e.nextLeader();
    },
    lwz: loadOf(4),
    lwzu: loadOf(4, { update: true }),
    lbz: loadOf(1),
    lbzu: loadOf(1, { update: true }),
    lhz: loadOf(2),
    lhzu: loadOf(2, { update: true }),
    lha: loadOf(2, { signed: true }),
    stw: storeOf(4),
    stwu: storeOf(4, { update: true }),
    stb: storeOf(1),
    stbu: storeOf(1, { update: true }),
    sth: storeOf(2),
    sthu: storeOf(2, { update: true }),
    lwzx: loadOf(4, { indexed: true }),
    lbzx: loadOf(1, { indexed: true }),
    lhzx: loadOf(2, { indexed: true }),
    stwx: storeOf(4, { indexed: true }),
    stbx: storeOf(1, { indexed: true }),
    sthx: storeOf(2, { indexed: true }),
    add: () => arith(() => { e.reg(16); e.reg(11); a.op(OP.add); }),
    subf: () => arith(() => { e.reg(11); e.reg(16); a.op(OP.sub); }),
    neg: () => arith(() => { a.c(0); e.reg(16); a.op(OP.sub); }),
    mullw: () => arith(() => { e.reg(16); e.reg(11); a.op(OP.mul); }),
    and: () => logic(() => { e.reg(21); e.reg(11); a.op(OP.and); }),
    or: () => logic(() => { e.reg(21); e.reg(11); a.op(OP.or); }),
    xor: () => logic(() => { e.reg(21); e.reg(11); a.op(OP.xor); }),
    andc: () => logic(() => { e.reg(21); e.reg(11); a.c(-1).op(OP.xor, OP.and); }),
    nor: () => logic(() => { e.reg(21); e.reg(11); a.op(OP.or).c(-1).op(OP.xor); }),
    slw: () => { shiftAmount(); logic(() => { a.c(0); e.reg(21); a.get(X).op(OP.shl); a.get(X).c(0x20).op(OP.and, OP.select); }); },
    srw: () => { shiftAmount(); logic(() => { a.c(0); e.reg(21); a.get(X).op(OP.shrU); a.get(X).c(0x20).op(OP.and, OP.select); }); },
    srawi: () => {
      e.reg(21); a.set(V);
      a.get(W).c(11).op(OP.shrU).c(31).op(OP.and).set(X);
      // CA: negative and a 1 shifted out.
      a.get(V).c(0).op(OP.ltS).get(V).c(1).get(X).op(OP.shl).c(1).op(OP.sub, OP.and).c(0).op(OP.ne, OP.and).set(CA);
      logic(() => a.get(V).get(X).op(OP.shrS));
    },
    sraw: () => {
      e.reg(21); a.set(V);
      shiftAmount();
      // A shift of 32-63 gives the sign everywhere, and CA if negative.
      a.get(V).c(0).op(OP.ltS);
      a.get(X).c(0x20).op(OP.and).get(V).c(1).get(X).op(OP.shl).c(1).op(OP.sub, OP.and).op(OP.or).c(0).op(OP.ne);
      a.op(OP.and).set(CA);
      logic(() => { a.get(V).c(31).get(X).get(X).c(0x20).op(OP.and, OP.select, OP.shrS); });
    },
    cntlzw: () => logic(() => { e.reg(21); a.op(OP.clz); }),
    extsb: () => logic(() => { e.reg(21); a.op(OP.extend8); }),
    extsh: () => logic(() => { e.reg(21); a.op(OP.extend16); }),
    isel: () => toRt(() => {
      e.ra0(); e.reg(11);
      a.get(CR).c(31).get(W).c(6).op(OP.shrU).c(31).op(OP.and, OP.sub, OP.shrU).c(1).op(OP.and, OP.select);
    }),
    mfspr: () => {
      sprNumber();
      a.get(X).c(8).op(OP.eq).open(OP.if, VOID);
      toRt(() => a.get(LR));
      a.end();
      a.get(X).c(9).op(OP.eq).open(OP.if, VOID);
      toRt(() => a.get(CTR));
      a.end();
      a.br(e.l.unsupported);
    },
    mtspr: () => {
      sprNumber();
      a.get(X).c(8).op(OP.eq).open(OP.if, VOID);
      e.reg(21); a.set(LR);
      next();
      a.end();
      a.get(X).c(9).op(OP.eq).open(OP.if, VOID);
      e.reg(21); a.set(CTR);
      next();
      a.end();
      a.br(e.l.unsupported);
    },
    mfcr: () => {
      // mfocrf (bit 20 set) is JavaScript's.
      e.unsupportedIf(() => a.get(W).c(0x00100000).op(OP.and));
      toRt(() => a.get(CR));
    },
    lhau: loadOf(2, { update: true, signed: true }),
    mulhw: () => { mulHigh(true); a.set(T); e.setReg(21, () => a.get(T)); e.rc(); next(); },
    mulhwu: () => { mulHigh(false); a.set(T); e.setReg(21, () => a.get(T)); e.rc(); next(); },
    divw: () => arith(() => {
      // 0 where the quotient is undefined (by 0, or 0x80000000 / -1), as interp.ts.
      e.reg(16); a.set(A); e.reg(11); a.set(B);
      a.get(B).op(OP.eqz).get(A).c(-2147483648).op(OP.eq).get(B).c(-1).op(OP.eq, OP.and, OP.or);
      a.open(OP.if, I32); a.c(0); a.else(); a.get(A).get(B).op(OP.divS); a.end();
    }),
    divwu: () => arith(() => {
      e.reg(16); a.set(A); e.reg(11); a.set(B);
      a.get(B).op(OP.eqz);
      a.open(OP.if, I32); a.c(0); a.else(); a.get(A).get(B).op(OP.divU); a.end();
    }),
    mtcrf: () => {
      fxmMask();
      a.get(CR).get(V).c(-1).op(OP.xor, OP.and);
      e.reg(21);
      a.get(V).op(OP.and, OP.or).set(CR);
      next();
    },
    addc: () => carrying(() => e.reg(16), () => e.reg(11), () => a.c(0)),
    adde: () => carrying(() => e.reg(16), () => e.reg(11), () => a.get(CA)),
    addme: () => carrying(() => e.reg(16), () => a.c(-1), () => a.get(CA)),
    addze: () => carrying(() => e.reg(16), () => a.c(0), () => a.get(CA)),
    subfc: () => carrying(notRa, () => e.reg(11), () => a.c(1)),
    subfe: () => carrying(notRa, () => e.reg(11), () => a.get(CA)),
    subfme: () => carrying(notRa, () => a.c(-1), () => a.get(CA)),
    subfze: () => carrying(notRa, () => a.c(0), () => a.get(CA)),
    orc: () => rareLogic(() => { e.reg(21); e.reg(11); a.c(-1).op(OP.xor, OP.or); }),
    nand: () => rareLogic(() => { e.reg(21); e.reg(11); a.op(OP.and).c(-1).op(OP.xor); }),
    eqv: () => rareLogic(() => { e.reg(21); e.reg(11); a.op(OP.xor).c(-1).op(OP.xor); }),
    mcrf: () => {
      // X = the destination field's shift, V = the source's.
      a.c(7).get(W).c(23).op(OP.shrU).c(7).op(OP.and, OP.sub).c(2).op(OP.shl).set(X);
      a.c(7).get(W).c(18).op(OP.shrU).c(7).op(OP.and, OP.sub).c(2).op(OP.shl).set(V);
      a.get(CR).c(15).get(X).op(OP.shl).c(-1).op(OP.xor, OP.and);
      a.get(CR).get(V).op(OP.shrU).c(15).op(OP.and).get(X).op(OP.shl, OP.or).set(CR);
      e.rareNext();
    },
    crnor: crLogic(OP.or, false, true),
    crandc: crLogic(OP.and, true, false),
    crxor: crLogic(OP.xor, false, false),
    crnand: crLogic(OP.and, false, true),
    crand: crLogic(OP.and, false, false),
    creqv: crLogic(OP.xor, false, true),
    crorc: crLogic(OP.or, true, false),
    cror: crLogic(OP.or, false, false),
    isync: nothing,
    sync: nothing,
    mbar: nothing,
    dcbtst: nothing,
    dcbt: nothing,
    dcba: nothing,
    icbt: nothing,
    mfmsr: () => {
      userMode();
      e.coreCall(CALL.MFMSR, () => a.c(0));
      a.set(T);
      e.setReg(21, () => a.get(T));
      e.rareNext();
    },
    // Only MSR[EE] changes; a result of 1 (an interrupt may now be taken, or code was overwritten) ends the run.
    wrtee: () => { userMode(); e.coreCall(CALL.WRTEE, () => { e.reg(21); a.c(0x8000).op(OP.and); }); a.set(X); e.rareNext(() => a.get(X)); },
    wrteei: () => { userMode(); e.coreCall(CALL.WRTEE, () => a.get(W).c(0x8000).op(OP.and)); a.set(X); e.rareNext(() => a.get(X)); },
    dcbz: () => {
      // RAM the write cache holds (not code, not a device): 64 zeros here; anything else through the core.
      indexedEa();
      a.get(EA).c(-64).op(OP.and).set(EA);
      e.tlbMiss(true, 1);
      a.op(OP.eqz);
      a.ifLikely(true);
      e.hostAddress(true, 4);
      a.c(0).c(64).fill();
      e.rareNext();
      a.end();
      e.coreCall(CALL.DCBZ, () => a.get(EA));
      a.set(X);
      e.rareNext(() => a.get(X));
    },
    lwarx: () => {
      indexedEa();
      // A misaligned one is JavaScript's (the alignment interrupt).
      e.unsupportedIf(() => a.get(EA).c(3).op(OP.and));
      e.load(4);
      e.setReg(21, () => a.get(V));
      a.get(CORE).get(EA).mem(OP.store, e.slot(CORE_SLOT.RES_ADDR));
      a.get(CORE).get(V).mem(OP.store, e.slot(CORE_SLOT.RES_VALUE));
      e.rareNext();
    },
    'stwcx.': () => {
      // Stores only if the reservation is at EA and the word there still holds the value lwarx read (QEMU's rule,
      // interp.ts), reading it first as a load; T = 2 (CR0[EQ]) if it stored.
      indexedEa();
      a.c(0).set(T);
      resAddr(); a.get(EA).op(OP.eq).open(OP.if, VOID);
      e.load(4);
      a.get(V).get(CORE).mem(OP.load, e.slot(CORE_SLOT.RES_VALUE)).op(OP.eq).open(OP.if, VOID);
      e.reg(21); a.set(V);
      e.store(4, () => { clearReservation(); setCr0(() => a.c(2)); });
      a.c(2).set(T);
      a.end();
      a.end();
      clearReservation();
      setCr0(() => a.get(T));
      e.rareNext();
    },
    lmw: () => {
      // rT..r31 from consecutive words (rA itself is not written unless it is r31, as interp.ts); a fault part of the
      // way leaves the registers before it loaded.
      eachRegister(() => {
        e.load(4);
        a.get(A).get(W).c(16).op(OP.shrU).c(31).op(OP.and, OP.ne).get(A).c(31).op(OP.eq, OP.or).open(OP.if, VOID);
        a.get(A).c(2).op(OP.shl).get(CORE).op(OP.add).get(V).mem(OP.store, 0);
        a.end();
      });
      e.rareNext();
    },
    stmw: () => {
      // rS..r31 to consecutive words; a store after which the run must end (FLAG) lets the rest be stored first.
      a.c(0).set(FLAG);
      eachRegister(() => {
        a.get(A).c(2).op(OP.shl).get(CORE).op(OP.add).mem(OP.load, 0).set(V);
        e.store(4, 'flag');
      });
      e.rareNext(() => a.get(FLAG));
    },
    lwzux: loadOf(4, { indexed: true, update: true, rare: true }),
    lbzux: loadOf(1, { indexed: true, update: true, rare: true }),
    lhzux: loadOf(2, { indexed: true, update: true, rare: true }),
    lhaux: loadOf(2, { indexed: true, update: true, signed: true, rare: true }),
    lhax: loadOf(2, { indexed: true, signed: true, rare: true }),
    stwux: storeOf(4, { indexed: true, update: true, rare: true }),
    stbux: storeOf(1, { indexed: true, update: true, rare: true }),
    sthux: storeOf(2, { indexed: true, update: true, rare: true }),
    lwbrx: () => { indexedEa(); e.load(4); e.setReg(21, reverse32); e.rareNext(); },
    lhbrx: () => { indexedEa(); e.load(2); e.setReg(21, reverse16); e.rareNext(); },
    stwbrx: () => { indexedEa(); e.reg(21); a.set(V); reverse32(); a.set(V); e.store(4); e.rareNext(); },
    sthbrx: () => { indexedEa(); e.reg(21); a.set(V); reverse16(); a.set(V); e.store(2); e.rareNext(); },
    twi: () => { e.reg(16); a.set(A); e.simm(); a.set(B); trap(); },
    tw: () => { e.reg(16); a.set(A); e.reg(11); a.set(B); trap(); },
    dcbf: touch,
    dcbst: touch,
    icbi: touch,
  };
}

/** The compiled interpreter, for the thread's life: one module for every core and guest (V8's optimised code for it too). */
let compiled: WebAssembly.Module | null = null;

/** The compiled interpreter (made at the thread's first use: the warm-up's, whose tiering every later guest keeps). */
export function wasmInterpreter(): WebAssembly.Module {
  return (compiled ??= new WebAssembly.Module(wasmInterpreterModule()));
}

/**
 * The interpreter's module: a region module's shape (wasm-jit.ts
 * regionModule) with a fourth parameter, the core's area address.
 */
export function wasmInterpreterModule(): Uint8Array {
  const labels: Labels = { next: {}, unsupported: {}, exit: {}, top: {} };
  const e = new Emitter(labels);
  const a = e.a;
  const code = handlers(e);
  const mnems = WASM_INTERP_MNEMONICS;
  const handlerLabel = new Map<number, object>();
  for (const m of mnems) handlerLabel.set(idOf(m), {});
  const top = labels.top;
  const d19 = {};
  const d31 = {};

  a.open(OP.block, VOID, labels.exit);
  a.open(OP.loop, VOID, top);
  // The budget.
  a.get(DONE).get(N).op(OP.geS);
  a.ifLikely(false);
  a.get(PC);
  e.leave();
  a.end();
  // The word's heat, as the interpreter counts it (the first word's it counted itself), but only where a basic
  // block starts (after a branch, taken or not, a block's exit, a page's entry): a word that follows another in
  // straight line (SEQW) ran as often, and the translator's planner takes such words as run (jit.ts
  // planRegion), so counting them, a load, an add and a store at every instruction, told it nothing (a Linux
  // boot 9 % faster). A block's entry (every word is looked at), or a count reaching the threshold: out, in
  // front of the word, for the interpreter to call the block or decide.
  a.get(DONE).open(OP.if, VOID);
  a.get(HEAT).get(PC).c(4095).op(OP.and, OP.add).mem(OP.load, 0).tee(H).tee(HOLD);
  a.c(0).op(OP.ltS).open(OP.if, VOID);
  a.get(H).c(HOT_BLOCK).op(OP.eq);
  a.ifLikely(false);
  a.get(PC);
  e.leave();
  a.end();
  a.get(H).c(TRIED).op(OP.ltS).open(OP.if, VOID);
  e.callRegion();
  a.end();
  a.else();
  a.get(SEQW).op(OP.eqz).open(OP.if, VOID);
  // A word reached by a backward branch counts LOOP_HEAT passes (a loop's head).
  a.get(H).c(LOOP_HEAT).c(1).get(PC).get(SEQ).c(4).op(OP.sub, OP.ltU, OP.select, OP.add).tee(H);
  a.get(THRESHOLD).op(OP.geS);
  a.ifLikely(false);
  a.get(PC);
  e.leave();
  a.end();
  a.get(HEAT).get(PC).c(4095).op(OP.and, OP.add).get(H).mem(OP.store, 0);
  a.end();
  a.end();
  a.end();
  a.get(BASE).get(PC).c(4095).op(OP.and, OP.add).mem(OP.load, 0).set(W);
  a.open(OP.block, VOID, labels.next);
  a.open(OP.block, VOID, labels.unsupported);
  const order = mnems.map((m) => handlerLabel.get(idOf(m))!);
  for (let i = order.length - 1; i >= 0; i--) a.open(OP.block, VOID, order[i]!);
  a.open(OP.block, VOID, d31);
  a.open(OP.block, VOID, d19);
  const target = (id: number) => handlerLabel.get(id) ?? labels.unsupported;
  const primary: object[] = [];
  for (let p = 0; p < 64; p++) primary.push(p === 19 ? d19 : p === 31 ? d31 : target(decode(p << 26)));
  a.get(W).c(26).op(OP.shrU).brTable(primary, labels.unsupported);
  a.end(); // d19
  const extended = (p: number) => {
    const t: object[] = [];
    for (let x = 0; x < 1024; x++) t.push(target(decode(((p << 26) | (x << 1)) >>> 0)));
    a.get(W).c(1).op(OP.shrU).c(1023).op(OP.and).brTable(t, labels.unsupported);
  };
  extended(19);
  a.end(); // d31
  extended(31);
  for (const m of mnems) {
    a.end(); // the handler's block: its code follows
    code[m]();
  }
  a.end(); // unsupported
  // The word's count back as it was: the interpreter counts it when it runs it.
  a.get(DONE).open(OP.if, VOID);
  a.get(HEAT).get(PC).c(4095).op(OP.and, OP.add).get(HOLD).mem(OP.store, 0);
  a.end();
  a.c(1).set(STOP);
  a.get(PC);
  e.leave();
  a.end(); // next
  a.get(PC).c(4).op(OP.add).tee(PC).set(SEQ);
  a.get(DONE).c(1).op(OP.add).set(DONE);
  // At the page's end, on into the next page if it is linked and no interrupt check is due, else out (the
  // interpreter fetches it).
  a.get(PC).c(4095).op(OP.and, OP.eqz);
  a.ifLikely(false);
  a.get(CORE).mem(OP.load, e.slot(CORE_SLOT.IRQ)).op(OP.eqz).open(OP.if, VOID);
  e.enterPage();
  a.end();
  a.get(PC);
  e.leave();
  a.end();
  a.br(top);
  a.end(); // loop
  a.end(); // exit
  // Epilogue: the state, what ran, where the last instruction ended, why it stopped.
  e.syncOut();
  a.get(CORE).get(DONE).mem(OP.store, e.slot(CORE_SLOT.RAN));
  a.get(CORE).get(SEQ).mem(OP.store, e.slot(CORE_SLOT.SEQ));
  a.get(CORE).get(STOP).mem(OP.store, e.slot(CORE_SLOT.STOP));
  a.get(CORE).get(JR).mem(OP.store, e.slot(CORE_SLOT.JIT_RAN));
  a.get(RET);
  a.op(OP.end);

  const pro = new Asm(256);
  e.syncIn(pro);
  pro.get(CORE).mem(OP.load, e.slot(CORE_SLOT.CODE)).set(BASE);
  pro.get(CORE).mem(OP.load, e.slot(CORE_SLOT.HEAT)).set(HEAT);
  pro.get(CORE).mem(OP.load, e.slot(CORE_SLOT.THRESHOLD)).set(THRESHOLD);
  pro.get(CORE).c(0).mem(OP.store, e.slot(CORE_SLOT.IRQ));
  pro.get(PC).set(SEQ);
  return regionModule(LOCALS, pro.bytes(), a.bytes(), INTERP_MODULE_HEAD, a.hints);
}
