// Seeded generator of random, valid, fully defined user-mode instruction
// sequences for the e500mc (integer ALU incl. record/overflow forms, rotates
// and shifts, compares, CR logical ops, isel, CR/XER/LR/CTR moves, loads and
// stores of every width incl. byte-reversed, update and multiple forms, and
// floating point arithmetic).
//
// Every memory access goes to the 4 KB scratch page at the base register r1,
// which no generated instruction writes. Rules that keep results defined:
//  - update forms: rA != 0 and (loads) rA != rT; lmw: rA below the range
//  - divw/divwu: the divisor is forced odd and positive first (no x/0, no
//    0x80000000/-1); divwo/divwuo by zero only as XER[OV] producers, the
//    quotient register is overwritten right after, and no record form
//  - mfocrf is followed by a mask of the selected field (other bits undefined)
//  - mtxer only with XER's defined bits (SO, OV, CA, byte count)
//  - single-precision arithmetic and stfs only read FPRs known to hold
//    single-representable values (otherwise the results are undefined)
//  - fctiw/fctiwz: the word is stored with stfiwx, then the FPR and FPRF are
//    rewritten by an fadd (upper word and FPRF are undefined)
//  - no fres/frsqrte (estimates), no mffs (upper word), no FPSCR enables or NI,
//    no mcrfs of FPSCR field 3 (holds FR, which QEMU does not model)
//  - FP loads/stores naturally aligned (integer ones may be unaligned).
import { Prng } from './prng';
import * as P from './ppc';
import type { Insn } from './ppc';

export const BASE_REG = 1;
export const SCRATCH_SIZE = 4096;

export interface SeqState {
  gpr: number[];
  /** FPR bit patterns. */
  fpr: bigint[];
  cr: number;
  xer: number;
  lr: number;
  ctr: number;
  fpscr: number;
  /** Seed of the xorshift fill of the scratch page. */
  memSeed: number;
}

export interface Sequence {
  index: number;
  seed: number;
  state: SeqState;
  insns: Insn[];
}

/** Per-sequence seed derived from the run seed, so one sequence can be rebuilt alone. */
export function sequenceSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

const GPR_SPECIALS = [
  0, 1, 2, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0x80000001, 0xfffffffe, 0xffffffff, 0x55555555, 0xaaaaaaaa, 0x12345678, 0xffff8000,
];
const SINGLE_SPECIALS = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00123,
  0x7f800001, 0xffa00abc, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x3f800001, 0x40490fdb,
];
const DOUBLE_SPECIALS = [
  0x0000000000000000n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n,
  0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000123n,
  0x7ff0000000000001n, 0xfff4000000000abcn, 0x0000000000000001n, 0x800fffffffffffffn,
  0x0010000000000000n, 0x7fefffffffffffffn, 0x3ff0000000000001n, 0x400921fb54442d18n,
  0x41dfffffffc00000n, 0xc1e0000000000000n, 0x41e0000000000000n, 0x3fe0000000000000n,
];

function gprValue(rng: Prng): number {
  switch (rng.below(6)) {
    case 0: case 1: return rng.pick(GPR_SPECIALS);
    case 2: return (rng.u32() | 0) >> 25 >>> 0;            // small signed
    case 3: return (2 ** rng.below(32) + rng.below(3) - 1) >>> 0; // near powers of 2
    default: return rng.u32();
  }
}

/** Exact conversion of single-precision bits to double bits. */
export function singleToDoubleBits(s: number): bigint {
  const sign = BigInt(s >>> 31) << 63n;
  const e = (s >>> 23) & 0xff;
  let fr = s & 0x7fffff;
  if (e === 0xff) return sign | 0x7ff0000000000000n | (BigInt(fr) << 29n);
  if (e === 0) {
    if (fr === 0) return sign;
    let sh = 0;
    while (!(fr & 0x800000)) { fr <<= 1; sh++; }
    fr &= 0x7fffff;
    return sign | (BigInt(1023 - 126 - sh) << 52n) | (BigInt(fr) << 29n);
  }
  return sign | (BigInt(e - 127 + 1023) << 52n) | (BigInt(fr) << 29n);
}

function singleValue(rng: Prng): bigint {
  switch (rng.below(3)) {
    case 0: return singleToDoubleBits(rng.pick(SINGLE_SPECIALS));
    case 1: return singleToDoubleBits(((rng.u32() & 0x80000000) | ((127 - 20 + rng.below(40)) << 23) | (rng.u32() & 0x7fffff)) >>> 0);
    default: return singleToDoubleBits(rng.u32());
  }
}

function doubleValue(rng: Prng): bigint {
  const hi = (): bigint => BigInt(rng.u32());
  switch (rng.below(4)) {
    case 0: return rng.pick(DOUBLE_SPECIALS);
    case 1: { // ordinary magnitudes
      const e = BigInt(1023 - 40 + rng.below(80));
      return (BigInt(rng.u32() >>> 31) << 63n) | (e << 52n) | ((hi() & 0xfffffn) << 32n) | hi();
    }
    case 2: return 0x3ff0000000000000n + BigInt(rng.below(4096)) - 2048n; // near 1
    default: return (hi() << 32n) | hi();
  }
}

export function generateState(rng: Prng, singles: boolean[]): SeqState {
  const gpr: number[] = [];
  for (let i = 0; i < 32; i++) gpr.push(gprValue(rng));
  const fpr: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const single = rng.bool(0.5);
    singles[i] = single;
    fpr.push(single ? singleValue(rng) : doubleValue(rng));
  }
  // sticky exception bits sometimes (never FEX/VX, the summaries), random
  // rounding mode, no enables, NI = 0
  const fpscr = ((rng.bool(0.3) ? rng.u32() & 0x9ff80700 : 0) | rng.below(4)) >>> 0;
  return {
    gpr, fpr,
    cr: rng.u32(),
    xer: (rng.u32() & 0xe000007f) >>> 0,
    lr: rng.u32(),
    ctr: rng.u32(),
    fpscr,
    memSeed: rng.u32() || 1,
  };
}

/** Emits instructions for one sequence; keeps the bookkeeping the rules need. */
class Emitter {
  readonly out: Insn[] = [];
  constructor(readonly rng: Prng, readonly single: boolean[]) {}

  emit(...insns: Insn[]): void { this.out.push(...insns); }

  /** Any GPR but the base register. */
  gpr(): number { const r = this.rng.below(31); return r >= BASE_REG ? r + 1 : r; }
  /** A GPR usable as rA of an update or base-register form: not r0, not the base. */
  gprA(...not: number[]): number {
    for (;;) {
      const r = this.rng.range(2, 31);
      if (!not.includes(r)) return r;
    }
  }
  fpr(): number { return this.rng.below(32); }
  /** An FPR holding a single-representable value (creates one if needed). */
  singleFpr(): number {
    const have = this.single.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
    if (have.length > 0 && this.rng.bool(0.95)) return this.rng.pick(have);
    const t = this.fpr();
    this.emit(P.fpX('frsp', t, this.fpr(), 0));
    this.single[t] = true;
    return t;
  }
  rc(): number { return this.rng.bool(0.4) ? 1 : 0; }
  /** Offset of an access of `size` bytes inside the scratch page. */
  offset(size: number, align: number): number {
    const n = Math.floor((SCRATCH_SIZE - size) / align);
    return this.rng.below(n + 1) * align;
  }
}

type Gen = (e: Emitter) => void;

const XO_BINARY: P.XoOp[] = ['add', 'addc', 'adde', 'subf', 'subfc', 'subfe', 'mullw'];
const XO_UNARY: P.XoOp[] = ['addme', 'addze', 'subfme', 'subfze', 'neg'];

const genXo: Gen = (e) => {
  const { rng } = e;
  const kind = rng.below(10);
  if (kind < 5) {
    e.emit(P.xo(rng.pick(XO_BINARY), e.gpr(), e.gpr(), e.gpr(), rng.below(2), e.rc()));
  } else if (kind < 7) {
    e.emit(P.xo(rng.pick(XO_UNARY), e.gpr(), e.gpr(), 0, rng.below(2), e.rc()));
  } else if (kind < 8) {
    e.emit(P.xo(rng.pick(['mulhw', 'mulhwu'] as const), e.gpr(), e.gpr(), e.gpr(), 0, e.rc()));
  } else if (kind < 9) {
    // defined division: divisor forced odd and positive
    const op = rng.pick(['divw', 'divwu'] as const);
    const rb = e.gpr();
    if (op === 'divw') e.emit(P.rlwinm(rb, rb, 0, 1, 31));
    e.emit(P.ori(rb, rb, 1));
    e.emit(P.xo(op, e.gpr(), e.gpr(), rb, rng.below(2), e.rc()));
  } else {
    // overflowing division: only XER[OV,SO] are defined; the quotient register
    // is overwritten at once and there is no record form
    const op = rng.pick(['divw', 'divwu'] as const);
    const rb = e.gpr();
    let ra = e.gpr();
    while (ra === rb) ra = e.gpr();
    const rt = e.gpr();
    if (op === 'divw' && rng.bool(0.5)) {
      e.emit(P.lis(ra, -0x8000), P.li(rb, -1));
    } else {
      e.emit(P.li(rb, 0));
    }
    e.emit(P.xo(op, rt, ra, rb, 1, 0), P.li(rt, rng.range(-0x8000, 0x7fff)));
  }
};

const genLogic: Gen = (e) => {
  const { rng } = e;
  const k = rng.below(10);
  if (k < 5) {
    const op = rng.pick(['and', 'or', 'xor', 'nand', 'nor', 'eqv', 'andc', 'orc'] as const);
    const rs = e.gpr();
    e.emit(P.logic(op, e.gpr(), rs, rng.bool(0.1) ? rs : e.gpr(), e.rc()));
  } else if (k < 7) {
    e.emit(P.unaryLogic(rng.pick(['extsb', 'extsh', 'cntlzw'] as const), e.gpr(), e.gpr(), e.rc()));
  } else {
    const op = rng.pick(['ori', 'oris', 'xori', 'xoris', 'andi_', 'andis_'] as const);
    const fn = P[op];
    e.emit(fn(e.gpr(), e.gpr(), rng.bool(0.3) ? rng.pick([0, 1, 0x8000, 0xffff, 0x7fff]) : rng.below(0x10000)));
  }
};

const simm = (rng: Prng): number =>
  rng.bool(0.3) ? rng.pick([0, 1, -1, 0x7fff, -0x8000, 2, -2]) : rng.range(-0x8000, 0x7fff);

const genImm: Gen = (e) => {
  const { rng } = e;
  switch (rng.below(7)) {
    case 0: e.emit(P.addi(e.gpr(), rng.bool(0.2) ? 0 : e.gpr(), simm(rng))); break;
    case 1: e.emit(P.addis(e.gpr(), rng.bool(0.2) ? 0 : e.gpr(), simm(rng))); break;
    case 2: e.emit(P.addic(e.gpr(), e.gpr(), simm(rng), 0)); break;
    case 3: e.emit(P.addic(e.gpr(), e.gpr(), simm(rng), 1)); break;
    case 4: e.emit(P.subfic(e.gpr(), e.gpr(), simm(rng))); break;
    case 5: e.emit(P.mulli(e.gpr(), e.gpr(), simm(rng))); break;
    default: e.emit(P.li(e.gpr(), simm(rng)));
  }
};

const genRotate: Gen = (e) => {
  const { rng } = e;
  switch (rng.below(6)) {
    case 0: case 1:
      e.emit(P.rlwinm(e.gpr(), e.gpr(), rng.below(32), rng.below(32), rng.below(32), e.rc())); break;
    case 2:
      e.emit(P.rlwimi(e.gpr(), e.gpr(), rng.below(32), rng.below(32), rng.below(32), e.rc())); break;
    case 3:
      e.emit(P.rlwnm(e.gpr(), e.gpr(), e.gpr(), rng.below(32), rng.below(32), e.rc())); break;
    case 4:
      e.emit(P.srawi(e.gpr(), e.gpr(), rng.below(32), e.rc())); break;
    default: {
      const rb = e.gpr();
      if (rng.bool(0.6)) e.emit(P.li(rb, rng.below(64)));
      e.emit(P.logic(rng.pick(['slw', 'srw', 'sraw'] as const), e.gpr(), e.gpr(), rb, e.rc()));
    }
  }
};

const genCompare: Gen = (e) => {
  const { rng } = e;
  const bf = rng.below(8);
  switch (rng.below(4)) {
    case 0: e.emit(P.cmpw(bf, e.gpr(), e.gpr(), false)); break;
    case 1: e.emit(P.cmpw(bf, e.gpr(), e.gpr(), true)); break;
    case 2: e.emit(P.cmpwi(bf, e.gpr(), simm(rng))); break;
    default: e.emit(P.cmplwi(bf, e.gpr(), rng.below(0x10000)));
  }
};

const genCr: Gen = (e) => {
  const { rng } = e;
  switch (rng.below(9)) {
    case 0: case 1: case 2:
      e.emit(P.crop(rng.pick(Object.keys(P.CR_OPS) as P.CrOp[]), rng.below(32), rng.below(32), rng.below(32))); break;
    case 3: e.emit(P.mcrf(rng.below(8), rng.below(8))); break;
    case 4: e.emit(P.mcrxr(rng.below(8))); break;
    case 5: e.emit(P.isel(e.gpr(), rng.bool(0.2) ? 0 : e.gpr(), e.gpr(), rng.below(32))); break;
    case 6: e.emit(P.mfcr(e.gpr())); break;
    case 7: {
      const n = rng.below(8);
      if (rng.bool(0.5)) {
        e.emit(P.mtocrf(0x80 >> n, e.gpr()));
      } else {
        const rt = e.gpr();
        e.emit(P.mfocrf(rt, 0x80 >> n), P.rlwinm(rt, rt, 0, 4 * n, 4 * n + 3));
      }
      break;
    }
    default: e.emit(P.mtcrf(rng.below(256), e.gpr()));
  }
};

const genSpr: Gen = (e) => {
  const { rng } = e;
  switch (rng.below(6)) {
    case 0: { // XER's defined bits only: SO, OV, CA and the byte count
      const rs = e.gpr();
      const rx = e.gpr();
      e.emit(P.rlwinm(rx, rs, 0, 25, 2), P.mtspr(P.SPR.XER, rx));
      break;
    }
    case 1: e.emit(P.mfspr(e.gpr(), P.SPR.XER)); break;
    case 2: e.emit(P.mtspr(P.SPR.LR, e.gpr())); break;
    case 3: e.emit(P.mfspr(e.gpr(), P.SPR.LR)); break;
    case 4: e.emit(P.mtspr(P.SPR.CTR, e.gpr())); break;
    default: e.emit(P.mfspr(e.gpr(), P.SPR.CTR));
  }
};

const INT_LOADS = [
  ['lbz', 1], ['lhz', 2], ['lha', 2], ['lwz', 4],
] as const;
const INT_STORES = [['stb', 1], ['sth', 2], ['stw', 4]] as const;
const X_OF: Record<string, [P.XMemOp, P.XMemOp]> = {
  lbz: ['lbzx', 'lbzux'], lhz: ['lhzx', 'lhzux'], lha: ['lhax', 'lhaux'], lwz: ['lwzx', 'lwzux'],
  stb: ['stbx', 'stbux'], sth: ['sthx', 'sthux'], stw: ['stwx', 'stwux'],
  lfs: ['lfsx', 'lfsux'], lfd: ['lfdx', 'lfdux'], stfs: ['stfsx', 'stfsux'], stfd: ['stfdx', 'stfdux'],
};

/**
 * One access of `op` (a D-form name) in one of five addressing forms:
 * D, D-update, X, X-update, X with rA = 0. `rt` is the data register.
 */
function access(e: Emitter, op: string, size: number, align: number, rt: number, isLoad: boolean, isFp: boolean): void {
  const { rng } = e;
  const off = e.offset(size, align);
  const form = rng.below(5);
  const [xop, xuop] = X_OF[op]!;
  if (form === 0) {
    e.emit(P.dmem(op as P.DMemOp, rt, off, BASE_REG));
  } else if (form === 1) {
    const ra = e.gprA(isLoad && !isFp ? rt : -1);
    const base = rng.below(SCRATCH_SIZE + 1);
    e.emit(P.addi(ra, BASE_REG, base), P.dmem(`${op}u` as P.DMemOp, rt, off - base, ra));
  } else if (form === 2) {
    const rb = e.gpr();
    e.emit(P.li(rb, off), P.xmem(xop, rt, BASE_REG, rb));
  } else if (form === 3) {
    const ra = e.gprA(isLoad && !isFp ? rt : -1);
    let rb = e.gpr();
    while (rb === ra) rb = e.gpr();
    const base = rng.below(SCRATCH_SIZE + 1);
    e.emit(P.addi(ra, BASE_REG, base), P.li(rb, off - base), P.xmem(xuop, rt, ra, rb));
  } else {
    const rb = e.gpr();
    e.emit(P.addi(rb, BASE_REG, off), P.xmem(xop, rt, 0, rb));
  }
}

const genIntMem: Gen = (e) => {
  const { rng } = e;
  const k = rng.below(12);
  const align = (size: number): number => (rng.bool(0.8) ? size : 1);
  if (k < 5) {
    const [op, size] = rng.pick(INT_LOADS);
    access(e, op, size, align(size), e.gpr(), true, false);
  } else if (k < 9) {
    const [op, size] = rng.pick(INT_STORES);
    access(e, op, size, align(size), e.gpr(), false, false);
  } else if (k < 10) { // byte-reversed (indexed only)
    const op = rng.pick(['lhbrx', 'lwbrx', 'sthbrx', 'stwbrx'] as const);
    const size = op.includes('h') ? 2 : 4;
    const off = e.offset(size, align(size));
    const rb = e.gpr();
    e.emit(P.li(rb, off), P.xmem(op, e.gpr(), BASE_REG, rb));
  } else if (k < 11) { // lmw: rT >= 2 so neither r0 nor the base is in range
    const rt = rng.range(2, 31);
    const n = 32 - rt;
    const off = e.offset(4 * n, 4);
    if (rng.bool(0.5)) {
      e.emit(P.dmem('lmw', rt, off, BASE_REG));
    } else if (rt > 2) {
      const ra = rng.range(2, rt - 1);
      const base = rng.below(SCRATCH_SIZE + 1) & ~3;
      e.emit(P.addi(ra, BASE_REG, base), P.dmem('lmw', rt, off - base, ra));
    } else {
      e.emit(P.dmem('lmw', rt, off, BASE_REG));
    }
  } else { // stmw (any range; stores the base address too, which is fixed)
    const rs = rng.below(32);
    e.emit(P.dmem('stmw', rs, e.offset(4 * (32 - rs), 4), BASE_REG));
  }
};

const genFpMem: Gen = (e) => {
  const { rng } = e;
  switch (rng.below(5)) {
    case 0: { const t = e.fpr(); access(e, 'lfs', 4, 4, t, true, true); e.single[t] = true; break; }
    case 1: { const t = e.fpr(); access(e, 'lfd', 8, 8, t, true, true); e.single[t] = false; break; }
    case 2: access(e, 'stfs', 4, 4, e.singleFpr(), false, true); break;
    case 3: access(e, 'stfd', 8, 8, e.fpr(), false, true); break;
    default: {
      const rb = e.gpr();
      e.emit(P.li(rb, e.offset(4, 4)), P.xmem('stfiwx', e.fpr(), BASE_REG, rb));
    }
  }
};

const genFp: Gen = (e) => {
  const { rng } = e;
  const k = rng.below(20);
  if (k < 6) { // double arithmetic
    const op = rng.pick(['fadd', 'fsub', 'fmul', 'fdiv', 'fmadd', 'fmsub', 'fnmadd', 'fnmsub'] as const);
    const t = e.fpr();
    e.emit(P.fpA(op, false, t, e.fpr(), e.fpr(), e.fpr(), e.rc()));
    e.single[t] = false;
  } else if (k < 11) { // single arithmetic: single-representable inputs only
    const op = rng.pick(['fadd', 'fsub', 'fmul', 'fdiv', 'fmadd', 'fmsub', 'fnmadd', 'fnmsub'] as const);
    const a = e.singleFpr();
    const b = e.singleFpr();
    const c = e.singleFpr();
    const t = e.fpr();
    e.emit(P.fpA(op, true, t, a, b, c, e.rc()));
    e.single[t] = true;
  } else if (k < 14) {
    const op = rng.pick(['fmr', 'fneg', 'fabs', 'fnabs'] as const);
    const t = e.fpr();
    const b = e.fpr();
    e.emit(P.fpX(op, t, b, e.rc()));
    e.single[t] = e.single[b]!;
  } else if (k < 15) {
    const t = e.fpr();
    e.emit(P.fpX('frsp', t, e.fpr(), e.rc()));
    e.single[t] = true;
  } else if (k < 16) {
    const t = e.fpr();
    const a = e.fpr();
    const b = e.fpr();
    const c = e.fpr();
    e.emit(P.fpA('fsel', false, t, a, b, c, e.rc()));
    e.single[t] = e.single[b]! && e.single[c]!;
  } else if (k < 17) { // conversion to integer, made defined
    const t = e.fpr();
    const rb = e.gpr();
    const s = e.fpr();
    e.emit(P.fpX(rng.pick(['fctiw', 'fctiwz'] as const), t, e.fpr(), e.rc()),
      P.li(rb, e.offset(4, 4)), P.xmem('stfiwx', t, BASE_REG, rb),
      P.fpA('fadd', false, t, s, s, 0, 0));
    e.single[t] = false;
  } else if (k < 18) {
    e.emit(P.fcmp(rng.below(8), e.fpr(), e.fpr(), rng.bool(0.5)));
  } else { // FPSCR moves, no enables / NI / reserved bit 20 / FEX / VX
    switch (rng.below(5)) {
      case 0: {
        const bf = rng.below(7);
        const imm = bf === 5 ? rng.below(8) : bf === 6 ? 0 : rng.below(16);
        e.emit(bf === 6 ? P.mtfsfi(7, rng.below(4)) : P.mtfsfi(bf, imm));
        break;
      }
      case 1: case 2: {
        const bits = [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 30, 31];
        const bt = rng.pick(bits);
        e.emit(rng.bool(0.5) ? P.mtfsb0(bt) : P.mtfsb1(bt));
        break;
      }
      case 3: e.emit(P.mcrfs(rng.below(8), rng.pick([0, 1, 2, 4, 5, 6, 7]))); break;
      default: e.emit(P.mtfsf(rng.below(256) & 0xf8, e.fpr()));
    }
  }
};

const GENERATORS: readonly (readonly [number, Gen])[] = [
  [14, genXo], [10, genLogic], [8, genImm], [10, genRotate], [6, genCompare], [8, genCr],
  [4, genSpr], [14, genIntMem], [6, genFpMem], [14, genFp],
];

export interface GenOptions {
  /** Approximate number of instructions (helpers count too). */
  length: number;
}

export function generateSequence(index: number, seed: number, opts: GenOptions): Sequence {
  const rng = new Prng(seed);
  const singles: boolean[] = new Array<boolean>(32).fill(false);
  const state = generateState(rng, singles);
  const e = new Emitter(rng, singles);
  while (e.out.length < opts.length) rng.weighted(GENERATORS)(e);
  return { index, seed, state, insns: e.out };
}
