// The classic (Book I) floating-point unit of the e500mc, bit-exact with the
// lab's oracle, QEMU 7.2's `qemu-system-ppc -M ppce500 -cpu e500mc`.
//
// What QEMU's e500mc accepts (insns_flags PPC_FLOAT | FLOAT_FRES | FLOAT_FRSQRTE
// | FLOAT_FSEL | FLOAT_STFIWX; no FLOAT_FSQRT, FLOAT_EXT, ISA 2.05/2.06 bits):
//   opcode 59: fdivs fsubs fadds fres fmuls fmsubs fmadds fnmsubs fnmadds
//   opcode 63: fcmpu fcmpo mcrfs mtfsb1 mtfsb0 mtfsfi mffs mtfsf fneg fmr fnabs
//              fabs frsp fctiw fctiwz fdiv fsub fadd fsel fmul frsqrte fmsub
//              fmadd fnmsub fnmadd (all with Rc forms where the ISA has them)
//   rejected (illegal instruction): fsqrt(s), fre, frsqrtes, fcpsgn, fctid(z),
//   fctidu(z), fctiwu(z), fcfid(s/u/us), fri[nzpm], ftdiv, ftsqrt, fmrgew/ow,
//   the mffs variants (mffsce, mffsl, ...), the W=1 forms of mtfsf/mtfsfi,
//   decimal FP, and any encoding whose reserved fields QEMU checks are nonzero
//   (see executeFp; QEMU ignores mffs bits 11-15 and mtfsfi bit 20).
//
// QEMU as the oracle, where it departs from the Power ISA (followed here because
// the same guest must print the same bytes on both; each place is commented):
//   - FPSCR[FR] is never set by arithmetic (only cleared by invalid/zero-divide).
//   - FPSCR[FX] is set whenever an exception bit is set, even if already 1.
//   - fcmpu/fcmpo clear FPSCR[FI]; fcmpo sets FPRF to C|FU for unordered.
//   - FPRF of single-precision results classifies the double image (a single
//     denormal is "normal").
//   - fnmadd/fnmsub negate before rounding (differs only in RU/RD).
//   - fres(+-0) gives +-0.5 (with ZX), fres/frsqrte are exact 1/x, 1/sqrt(x)
//     computations rather than estimates.
//   - inf*0 + SNaN in a multiply-add sets VXIMZ only (not also VXSNAN).
//   - fctiw(z): the upper word of the result is the sign extension of the int
//     (0 for NaN inputs, whose low word is 0x80000000): undefined in the ISA.
//   - OE/UE set: overflowed/underflowed results are exponent-adjusted as the ISA
//     says; for single-precision instructions on double operands far outside
//     the single range the adjusted exponent wraps the way QEMU packs it.
//   - mtfsb1 cannot set NI and, like mtfsf/mtfsfi, never sets FX by itself;
//     mtfsb0/mtfsb1 cannot change FEX or VX; NI has no effect on arithmetic;
//     mffs gives 0 in the upper word of the FPR.
//   - With FPSCR[VE]/[ZE] set but MSR[FE0]=MSR[FE1]=0, QEMU still writes the
//     target (the ISA says it must be left unchanged): see FpuState.msrFE.

/* eslint-disable no-bitwise */

import {
  FL_CVTI, FL_DIVZERO, FL_IDI, FL_IMZ, FL_INEXACT, FL_INVALID, FL_ISI, FL_OVERFLOW,
  FL_SNAN, FL_SQRT, FL_UNDERFLOW, FL_ZDZ, intResult, res, softAdd, softDiv,
  softMul, softMulAdd, softSqrt, softToInt32, softToSingle,
} from './fpu-soft';

export { disassembleFp } from './fpu-disasm';

export const FP_OK = 0;
export const FP_ILLEGAL = 1;
export const FP_ENABLED = 2;

// FPSCR bits (bit 31 = the ISA's bit 32 = FX)
export const FPSCR_FX = 0x80000000;
export const FPSCR_FEX = 0x40000000;
export const FPSCR_VX = 0x20000000;
export const FPSCR_OX = 0x10000000;
export const FPSCR_UX = 0x08000000;
export const FPSCR_ZX = 0x04000000;
export const FPSCR_XX = 0x02000000;
export const FPSCR_VXSNAN = 0x01000000;
export const FPSCR_VXISI = 0x00800000;
export const FPSCR_VXIDI = 0x00400000;
export const FPSCR_VXZDZ = 0x00200000;
export const FPSCR_VXIMZ = 0x00100000;
export const FPSCR_VXVC = 0x00080000;
export const FPSCR_FR = 0x00040000;
export const FPSCR_FI = 0x00020000;
export const FPSCR_FPRF = 0x0001f000;
export const FPSCR_C = 0x00010000;
export const FPSCR_FPCC = 0x0000f000;
export const FPSCR_FU = 0x00001000;
export const FPSCR_VXSOFT = 0x00000400;
export const FPSCR_VXSQRT = 0x00000200;
export const FPSCR_VXCVI = 0x00000100;
export const FPSCR_VE = 0x80;
export const FPSCR_OE = 0x40;
export const FPSCR_UE = 0x20;
export const FPSCR_ZE = 0x10;
export const FPSCR_XE = 0x08;
export const FPSCR_NI = 0x04;
export const FPSCR_RN = 0x03;

/** All invalid-operation exception bits (their OR is VX). */
const FPSCR_VXALL = 0x01f80700;
/** Bits a mtfs* write can store: not FEX, VX (summaries) nor reserved bit 52 (0x800). */
const FPSCR_WRITABLE = 0x9ffff7ff;
/** Exception bits mcrfs clears in the field it copies. */
const FPSCR_EX_CLEAR = 0x9ff80700;

export class FpuState {
  /** 32 FPRs x 8 bytes */
  readonly buf: ArrayBuffer;
  /** FPR i as a double (view of buf) */
  readonly f: Float64Array;
  /** raw words of FPR i: w[2*i] = low 32 bits, w[2*i+1] = high 32 bits (host is little-endian) */
  readonly w: Uint32Array;
  /** 32-bit FPSCR, kept as a uint32 (always `>>> 0`). */
  fpscr = 0;
  /** set by executeFp: FP_OK | FP_ILLEGAL | FP_ENABLED */
  status = FP_OK;
  /**
   * MSR[FE0] | MSR[FE1] as the CPU last set them (an addition to the brief's
   * interface, default true). With true, an enabled invalid-operation or
   * zero-divide exception leaves the target (and, for Rc=1, CR1) untouched
   * and executeFp stops there, as the ISA says and as QEMU does when it takes
   * the interrupt. With false (floating-point exceptions ignored), QEMU carries
   * on and writes the target anyway; keep this in sync with the MSR to match
   * it byte for byte in that mode.
   */
  msrFE = true;

  constructor() {
    this.buf = new ArrayBuffer(32 * 8);
    this.f = new Float64Array(this.buf);
    this.w = new Uint32Array(this.buf);
  }
}

/** What a mtfs* instruction (or a state load) leaves in the FPSCR when asked to
 *  store v: reserved and summary bits masked, VX and FEX recomputed. */
export function fpscrStore(v: number): number {
  v &= FPSCR_WRITABLE;
  if (v & FPSCR_VXALL) v |= FPSCR_VX;
  if ((v >>> 25) & (v >>> 3) & 0x1f) v |= FPSCR_FEX;
  return v >>> 0;
}

// ---------------------------------------------------------------- helpers

const scratchF = new Float64Array(1);
const scratchW = new Uint32Array(scratchF.buffer);

/** result of the compute step */
let rHi = 0;
let rLo = 0;
let fl = 0;

function setBitsFromNumber(x: number): void {
  scratchF[0] = x;
  rLo = scratchW[0];
  rHi = scratchW[1];
}

/** FPRF (5 bits) for a double image, as QEMU classifies results. */
function fprfOf(hi: number, lo: number): number {
  const e = (hi >>> 20) & 0x7ff;
  const neg = hi >>> 31;
  const fracZero = (hi & 0xfffff) === 0 && lo === 0;
  if (e === 0x7ff) {
    if (fracZero) return neg ? 0x09 : 0x05; // infinity
    return (hi & 0x80000) !== 0 ? 0x11 : 0x00; // QNaN; SNaN: undefined, QEMU gives 0
  }
  if (e === 0) {
    if (fracZero) return neg ? 0x12 : 0x02; // zero
    return neg ? 0x18 : 0x14; // denormalized
  }
  return neg ? 0x08 : 0x04; // normalized
}

function setCr1(cr: number, fpscr: number): number {
  return ((cr & 0xf0ffffff) | ((fpscr >>> 28) << 24)) >>> 0;
}

function illegal(st: FpuState, cr: number): number {
  st.status = FP_ILLEGAL;
  return cr >>> 0;
}

/** An enabled exception whose interrupt QEMU takes at once (before the target
 *  is written): FPSCR updated, nothing else. */
function trapNow(st: FpuState, fpscr: number, cr: number): number {
  st.fpscr = fpscr >>> 0;
  st.status = FP_ENABLED;
  return cr >>> 0;
}

function prepareSoft(fpscr: number): void {
  res.flags = 0;
  res.mode = fpscr & 3;
  res.rebiasOverflow = (fpscr & FPSCR_OE) !== 0;
  res.rebiasUnderflow = (fpscr & FPSCR_UE) !== 0;
}

function takeSoft(): void {
  rHi = res.hi;
  rLo = res.lo;
  fl = res.flags;
}

// ---------------------------------------------------------------- fast paths
// Round-to-nearest only, finite operands and results well inside the normal
// range (no overflow, underflow or special operand can occur); anything else
// goes to the exact engine. Each path computes the correctly rounded result
// with host arithmetic and an error-free transformation that tells whether the
// result is exact (FPSCR[FI]/[XX]).

let fastPaths = true;
/** Turns the host-arithmetic fast paths off or on (tests compare the two). */
export function setFpuFastPaths(on: boolean): void {
  fastPaths = on;
}

const SPLITTER = 134217729; // 2^27 + 1
const MIN_FAST = 2 ** -960;
const MAX_FAST = 2 ** 995;
/** below this, Dekker's split of an operand could itself underflow */
const MIN_SPLIT = 2 ** -968;
const FLT_MAX = 3.4028234663852886e38;
const FLT_FAST_MIN = 2 ** -125;

/** Exact error of the product a*b = p (Dekker): a*b - p. */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/**
 * Correct single-precision rounding (to nearest) of the exact value s + e,
 * where s = RN(s + e) in double and e is the exact remainder. Math.fround(s)
 * is right except when s lies exactly halfway between two singles and e != 0
 * (double rounding): then the side of e decides. Returns NaN if the result
 * is not safely a normal single (caller falls back).
 */
function roundToSingle(s: number, e: number): number {
  const as = Math.abs(s);
  if (!(as >= FLT_FAST_MIN && as <= FLT_MAX)) return NaN;
  let r = Math.fround(s);
  if (e !== 0) {
    scratchF[0] = s;
    if ((scratchW[0] & 0x1fffffff) === 0x10000000) {
      const h = Math.abs(s - r);
      r = e > 0 ? s + h : s - h;
    }
    fl = FL_INEXACT;
  } else {
    fl = r !== s ? FL_INEXACT : 0;
  }
  if (!(Math.abs(r) <= FLT_MAX)) return NaN;
  return r;
}

/** fadd/fsub(s) to nearest; returns false to take the exact path. */
function fastAdd(a: number, b: number, single: boolean): boolean {
  const s = a + b;
  if (s === 0) {
    if (!(Math.abs(a) < Infinity && Math.abs(b) < Infinity)) return false;
    fl = 0; // exact zero sums (also their signs) are as IEEE specifies
    setBitsFromNumber(s);
    return true;
  }
  if (!(Math.abs(s) >= 2 ** -1021 && Math.abs(s) < Infinity)) return false;
  const bb = s - a;
  const e = (a - (s - bb)) + (b - bb);
  if (single) {
    const r = roundToSingle(s, e);
    if (r !== r) return false;
    setBitsFromNumber(r);
  } else {
    fl = e !== 0 ? FL_INEXACT : 0;
    setBitsFromNumber(s);
  }
  return true;
}

function fastMul(a: number, b: number, single: boolean): boolean {
  const p = a * b;
  const ap = Math.abs(p);
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  if (!(ap >= MIN_FAST && ap < MAX_FAST && aa >= MIN_SPLIT && aa < MAX_FAST && ab >= MIN_SPLIT && ab < MAX_FAST)) {
    return false;
  }
  const e = productError(a, b, p);
  if (single) {
    const r = roundToSingle(p, e);
    if (r !== r) return false;
    setBitsFromNumber(r);
  } else {
    fl = e !== 0 ? FL_INEXACT : 0;
    setBitsFromNumber(p);
  }
  return true;
}

function fastDiv(a: number, b: number, single: boolean): boolean {
  const q = a / b;
  const aq = Math.abs(q);
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  if (!(aq >= MIN_FAST && aq < MAX_FAST && aa >= 2 ** -900 && aa < MAX_FAST && ab >= 2 ** -900 && ab < MAX_FAST)) {
    return false;
  }
  // remainder a - q*b, exact: q*b = ph + pl exactly and a - ph is exact (Sterbenz)
  const ph = q * b;
  const pl = productError(q, b, ph);
  const rem = (a - ph) - pl;
  if (single) {
    // the exact quotient lies on the side of q given by rem/b
    const r = roundToSingle(q, rem === 0 ? 0 : (rem > 0) === (b > 0) ? 1 : -1);
    if (r !== r) return false;
    setBitsFromNumber(r);
  } else {
    fl = rem !== 0 ? FL_INEXACT : 0;
    setBitsFromNumber(q);
  }
  return true;
}

/** Rounds to odd: s = RN(x), g = x - s exactly; returns the neighbour of x
 *  with an odd last bit (or s itself when x is exact). */
function roundOdd(s: number, g: number): number {
  if (g === 0) return s;
  scratchF[0] = s;
  if (scratchW[0] & 1) return s;
  // step one unit toward g: magnitude up if g has the sign of s, else down
  const up = (g > 0) === (s > 0);
  let lo = scratchW[0];
  let hi = scratchW[1];
  if (up) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  scratchW[0] = lo;
  scratchW[1] = hi;
  return scratchF[0];
}

/**
 * a*c + b to nearest with one rounding, by Boldo and Melquiond's emulation
 * (the exact product and sum as pairs of doubles, the tail rounded to odd):
 * r = RN(a*c + b) in double. For the single-precision forms, Math.fround(r)
 * is the correctly rounded single unless r lies exactly halfway between two
 * singles without being exact; that case (and any range edge) goes to the
 * exact engine.
 */
function fastFma(a: number, c: number, b: number, single: boolean): boolean {
  const uh = a * c;
  const au = Math.abs(uh);
  const abb = Math.abs(b);
  const aa = Math.abs(a);
  const ac = Math.abs(c);
  if (!(au >= 2 ** -900 && au < 2 ** 1000 && aa >= MIN_SPLIT && aa < MAX_FAST && ac >= MIN_SPLIT && ac < MAX_FAST)) {
    return false;
  }
  if (!(abb < 2 ** 1000)) return false; // also rejects NaN
  const ul = productError(a, c, uh);
  const th = b + uh;
  let z = th - b;
  const tl = (b - (th - z)) + (uh - z);
  const s = tl + ul;
  z = s - tl;
  const g = (tl - (s - z)) + (ul - z);
  const v = roundOdd(s, g);
  const r = th + v;
  const ar = Math.abs(r);
  if (!(ar >= 2 ** -1000 && ar < Infinity)) return false;
  let inexact: boolean;
  if (g !== 0) {
    inexact = true; // th + tl + ul then has bits far below the last place of r
  } else {
    z = r - th;
    inexact = (th - (r - z)) + (s - z) !== 0;
  }
  if (single) {
    if (!(ar >= FLT_FAST_MIN && ar <= FLT_MAX)) return false;
    if (inexact) {
      scratchF[0] = r;
      if ((scratchW[0] & 0x1fffffff) === 0x10000000) return false;
    }
    const rs = Math.fround(r);
    if (!(Math.abs(rs) <= FLT_MAX)) return false;
    fl = inexact || rs !== r ? FL_INEXACT : 0;
    setBitsFromNumber(rs);
  } else {
    fl = inexact ? FL_INEXACT : 0;
    setBitsFromNumber(r);
  }
  return true;
}

// ---------------------------------------------------------------- arithmetic

const enum Inv { AddSub, Mul, Div, MulAdd, Sqrt, SNaN }

/**
 * The common end of every arithmetic instruction, in QEMU's order: invalid
 * operation (may trap before the target is written), zero divide (likewise),
 * target, FPRF, then overflow/underflow/inexact (whose enabled interrupts
 * come after the target is written), then CR1.
 */
function finishArith(st: FpuState, insn: number, cr: number, inv: Inv, fres: boolean): number {
  let fpscr = st.fpscr;
  let enabled = false;
  const f = fl;
  if (f & (FL_INVALID | FL_DIVZERO)) {
    if (f & FL_INVALID) {
      let bit = 0;
      switch (inv) {
        case Inv.AddSub: bit = f & FL_ISI ? FPSCR_VXISI : f & FL_SNAN ? FPSCR_VXSNAN : 0; break;
        case Inv.Mul: bit = f & FL_IMZ ? FPSCR_VXIMZ : f & FL_SNAN ? FPSCR_VXSNAN : 0; break;
        case Inv.Div:
          bit = f & FL_IDI ? FPSCR_VXIDI : f & FL_ZDZ ? FPSCR_VXZDZ : f & FL_SNAN ? FPSCR_VXSNAN : 0;
          break;
        case Inv.MulAdd:
          bit = f & FL_IMZ ? FPSCR_VXIMZ : f & FL_ISI ? FPSCR_VXISI : f & FL_SNAN ? FPSCR_VXSNAN : 0;
          break;
        case Inv.Sqrt: bit = f & FL_SQRT ? FPSCR_VXSQRT : f & FL_SNAN ? FPSCR_VXSNAN : 0; break;
        default: bit = f & FL_SNAN ? FPSCR_VXSNAN : 0; break;
      }
      if (bit !== 0) {
        if (bit !== FPSCR_VXSNAN) {
          // QEMU: an arithmetic invalid operation clears FR and FI and, with VE=0,
          // presets FPCC to "unordered" (overwritten by the QNaN's FPRF below)
          fpscr &= ~(FPSCR_FR | FPSCR_FI);
          if (!(fpscr & FPSCR_VE)) fpscr = (fpscr & ~FPSCR_FPCC) | FPSCR_C | FPSCR_FU;
        }
        fpscr |= bit | FPSCR_VX | FPSCR_FX;
        if (fpscr & FPSCR_VE) {
          fpscr |= FPSCR_FEX;
          enabled = true;
          if (st.msrFE) return trapNow(st, fpscr, cr);
        }
      }
    }
    if (f & FL_DIVZERO) {
      fpscr = (fpscr | FPSCR_ZX | FPSCR_FX) & ~(FPSCR_FR | FPSCR_FI);
      if (fpscr & FPSCR_ZE) {
        fpscr |= FPSCR_FEX;
        enabled = true;
        if (st.msrFE) return trapNow(st, fpscr, cr);
      }
      if (fres) {
        // QEMU gives +-1/2 for fres(+-0) (the ISA: +-infinity)
        rHi = (rHi & 0x80000000) | 0x3fe00000;
        rLo = 0;
      }
    }
  }
  const t = ((insn >>> 21) & 31) << 1;
  st.w[t] = rLo;
  st.w[t + 1] = rHi;
  fpscr = (fpscr & ~FPSCR_FPRF) | (fprfOf(rHi, rLo) << 12);
  return checkStatus(st, insn, cr, fpscr, f, enabled);
}

/** QEMU's float_check_status: OX/UX/XX from the flags, FI = inexact, the
 *  deferred enabled interrupt, then CR1. */
function checkStatus(st: FpuState, insn: number, cr: number, fpscr: number, f: number, enabled: boolean): number {
  let deferred = false;
  if (f & (FL_OVERFLOW | FL_UNDERFLOW | FL_INEXACT)) {
    if (f & FL_OVERFLOW) {
      fpscr |= FPSCR_OX | FPSCR_FX;
      if (fpscr & FPSCR_OE) {
        fpscr |= FPSCR_FEX;
        deferred = true;
      }
    } else if (f & FL_UNDERFLOW) {
      fpscr |= FPSCR_UX | FPSCR_FX;
      if (fpscr & FPSCR_UE) {
        fpscr |= FPSCR_FEX;
        deferred = true;
      }
    }
    if (f & FL_INEXACT) {
      fpscr |= FPSCR_XX | FPSCR_FX | FPSCR_FI;
      if (fpscr & FPSCR_XE) {
        fpscr |= FPSCR_FEX;
        deferred = true;
      }
    } else {
      fpscr &= ~FPSCR_FI;
    }
  } else {
    fpscr &= ~FPSCR_FI;
  }
  st.fpscr = fpscr >>> 0;
  if (deferred || enabled) {
    st.status = FP_ENABLED;
    if (deferred && st.msrFE) return cr >>> 0; // interrupt after the target update, before CR1
  }
  return insn & 1 ? setCr1(cr, fpscr) : cr >>> 0;
}

function opAddSub(st: FpuState, insn: number, cr: number, subtract: boolean, single: boolean): number {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const fpscr = st.fpscr;
  if ((fpscr & 3) !== 0 || !fastPaths || !fastAdd(st.f[ra], subtract ? -st.f[rb] : st.f[rb], single)) {
    prepareSoft(fpscr);
    softAdd(st.w[2 * ra + 1], st.w[2 * ra], st.w[2 * rb + 1], st.w[2 * rb], subtract, single);
    takeSoft();
  }
  return finishArith(st, insn, cr, Inv.AddSub, false);
}

function opMul(st: FpuState, insn: number, cr: number, single: boolean): number {
  const ra = (insn >>> 16) & 31;
  const rc = (insn >>> 6) & 31;
  const fpscr = st.fpscr;
  if ((fpscr & 3) !== 0 || !fastPaths || !fastMul(st.f[ra], st.f[rc], single)) {
    prepareSoft(fpscr);
    softMul(st.w[2 * ra + 1], st.w[2 * ra], st.w[2 * rc + 1], st.w[2 * rc], single);
    takeSoft();
  }
  return finishArith(st, insn, cr, Inv.Mul, false);
}

function opDiv(st: FpuState, insn: number, cr: number, single: boolean): number {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const fpscr = st.fpscr;
  if ((fpscr & 3) !== 0 || !fastPaths || !fastDiv(st.f[ra], st.f[rb], single)) {
    prepareSoft(fpscr);
    softDiv(st.w[2 * ra + 1], st.w[2 * ra], st.w[2 * rb + 1], st.w[2 * rb], single);
    takeSoft();
  }
  return finishArith(st, insn, cr, Inv.Div, false);
}

/** xo5: 28 fmsub, 29 fmadd, 30 fnmsub, 31 fnmadd */
function opMulAdd(st: FpuState, insn: number, cr: number, xo5: number, single: boolean): number {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const rc = (insn >>> 6) & 31;
  const negAddend = (xo5 & 1) === 0;
  const negResult = xo5 >= 30;
  const fpscr = st.fpscr;
  let done = false;
  if ((fpscr & 3) === 0 && fastPaths) {
    // to nearest, negating the result commutes with rounding
    const b = negAddend ? -st.f[rb] : st.f[rb];
    done = fastFma(st.f[ra], st.f[rc], b, single);
    if (done && negResult) rHi = (rHi ^ 0x80000000) >>> 0;
  }
  if (!done) {
    prepareSoft(fpscr);
    softMulAdd(st.w[2 * ra + 1], st.w[2 * ra], st.w[2 * rc + 1], st.w[2 * rc], st.w[2 * rb + 1], st.w[2 * rb],
      negAddend, negResult, single);
    takeSoft();
  }
  return finishArith(st, insn, cr, Inv.MulAdd, false);
}

function opFres(st: FpuState, insn: number, cr: number): number {
  const rb = (insn >>> 11) & 31;
  prepareSoft(st.fpscr);
  softDiv(0x3ff00000, 0, st.w[2 * rb + 1], st.w[2 * rb], true);
  takeSoft();
  return finishArith(st, insn, cr, Inv.SNaN, true);
}

function opFrsqrte(st: FpuState, insn: number, cr: number): number {
  const rb = (insn >>> 11) & 31;
  prepareSoft(st.fpscr);
  softSqrt(st.w[2 * rb + 1], st.w[2 * rb]);
  softDiv(0x3ff00000, 0, res.hi, res.lo, false);
  takeSoft();
  return finishArith(st, insn, cr, Inv.Sqrt, false);
}

/** The DOUBLE conversion of a single-precision image (QEMU's helper_todouble),
 *  into rHi/rLo. */
function toDouble(bits: number): void {
  const abs = bits & 0x7fffffff;
  const sign = bits & 0x80000000;
  if (abs >= 0x00800000) {
    const e8 = abs >>> 23;
    const frac = abs & 0x7fffff;
    const e11 = e8 === 0xff ? 0x7ff : e8 - 127 + 1023;
    rHi = (sign | (e11 << 20) | (frac >>> 3)) >>> 0;
    rLo = (frac << 29) >>> 0;
  } else if (abs === 0) {
    rHi = sign >>> 0;
    rLo = 0;
  } else {
    // denormal single: normalize
    const lz = Math.clz32(abs) - 8; // shift bringing the leading bit to bit 23
    const m = (abs << lz) & 0x7fffff;
    const e11 = 1023 - 126 - lz;
    rHi = (sign | (e11 << 20) | (m >>> 3)) >>> 0;
    rLo = (m << 29) >>> 0;
  }
}

function opFrsp(st: FpuState, insn: number, cr: number): number {
  const rb = (insn >>> 11) & 31;
  const fpscr = st.fpscr;
  const x = st.f[rb];
  const ax = Math.abs(x);
  if ((fpscr & 3) === 0 && fastPaths && ((ax >= FLT_FAST_MIN && ax <= FLT_MAX) || x === 0)) {
    const r = Math.fround(x);
    fl = r !== x ? FL_INEXACT : 0;
    setBitsFromNumber(r);
  } else {
    prepareSoft(fpscr);
    const bits = softToSingle(st.w[2 * rb + 1], st.w[2 * rb]);
    fl = res.flags;
    toDouble(bits);
  }
  return finishArith(st, insn, cr, Inv.SNaN, false);
}

/** fctiw (toZero = false) / fctiwz. FPRF is left alone (the ISA leaves it
 *  undefined); invalid conversions set FPCC to C|FU when VE=0, as QEMU does. */
function opFctiw(st: FpuState, insn: number, cr: number, toZero: boolean): number {
  const rb = (insn >>> 11) & 31;
  let fpscr = st.fpscr;
  const mode = toZero ? 1 : fpscr & 3;
  const x = st.f[rb];
  let v: number;
  if ((mode === 0 || mode === 1) && fastPaths && Math.abs(x) < 2147483647) {
    const r = mode === 0 ? (x + 6755399441055744) - 6755399441055744 : Math.trunc(x);
    fl = r !== x ? FL_INEXACT : 0;
    v = r | 0;
  } else {
    prepareSoft(fpscr);
    softToInt32(st.w[2 * rb + 1], st.w[2 * rb], mode);
    fl = res.flags;
    v = intResult;
  }
  let enabled = false;
  let hi = v < 0 ? 0xffffffff : 0;
  let lo = v >>> 0;
  if (fl & FL_INVALID) {
    if (fl & FL_SNAN) fpscr |= FPSCR_VXSNAN;
    fpscr = (fpscr | FPSCR_VXCVI) & ~(FPSCR_FR | FPSCR_FI);
    if (!(fpscr & FPSCR_VE)) fpscr = (fpscr & ~FPSCR_FPCC) | FPSCR_C | FPSCR_FU;
    fpscr |= FPSCR_VX | FPSCR_FX;
    if (fpscr & FPSCR_VE) {
      fpscr |= FPSCR_FEX;
      enabled = true;
      if (st.msrFE) return trapNow(st, fpscr, cr);
    }
    if (!(fl & FL_CVTI)) {
      // NaN operand: QEMU's result is 0x00000000_80000000
      hi = 0;
      lo = 0x80000000;
    }
  }
  const t = ((insn >>> 21) & 31) << 1;
  st.w[t] = lo;
  st.w[t + 1] = hi;
  return checkStatus(st, insn, cr, fpscr, fl, enabled);
}

function isSNaN(hi: number, lo: number): boolean {
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) !== 0 || lo !== 0);
}

function isNaNBits(hi: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000;
}

/** fcmpu (ordered = false) / fcmpo */
function opCompare(st: FpuState, insn: number, cr: number, ordered: boolean): number {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const bf = (insn >>> 23) & 7;
  const ah = st.w[2 * ra + 1];
  const al = st.w[2 * ra];
  const bh = st.w[2 * rb + 1];
  const bl = st.w[2 * rb];
  const a = st.f[ra];
  const b = st.f[rb];
  let c: number;
  const unordered = a !== a || b !== b;
  if (unordered) c = 1;
  else if (a < b) c = 8;
  else if (a > b) c = 4;
  else c = 2;
  const shift = 28 - 4 * bf;
  cr = ((cr & ~(0xf << shift)) | (c << shift)) >>> 0;
  let fpscr = (st.fpscr & ~FPSCR_FPCC) | (c << 12);
  let deferred = false;
  if (unordered) {
    // (NaNs are recognised by exponent bits: a NaN in the host never carries the payload)
    const snan = (isNaNBits(ah) && isSNaN(ah, al)) || (isNaNBits(bh) && isSNaN(bh, bl));
    if (ordered) {
      fpscr = (fpscr | FPSCR_VXVC | FPSCR_C | FPSCR_FU | FPSCR_VX | FPSCR_FX) & ~(FPSCR_FPCC & ~FPSCR_FU);
      if (fpscr & FPSCR_VE) {
        fpscr |= FPSCR_FEX;
        deferred = true;
      }
    }
    if (snan) {
      fpscr |= FPSCR_VXSNAN | FPSCR_VX | FPSCR_FX;
      if (fpscr & FPSCR_VE) {
        fpscr |= FPSCR_FEX;
        if (st.msrFE) return trapNow(st, fpscr, cr);
        deferred = true;
      }
    }
  }
  // float_check_status: no flags, so FI is cleared (QEMU; the ISA leaves FI alone)
  st.fpscr = (fpscr & ~FPSCR_FI) >>> 0;
  if (deferred) st.status = FP_ENABLED;
  return cr;
}

// ---------------------------------------------------------------- FPSCR instructions

/** QEMU's fpscr_check_status after mtfsf/mtfsfi/mtfsb1: an enabled exception
 *  condition in the new FPSCR requests the interrupt (FEX is then 1). */
function fpscrCheck(st: FpuState): void {
  const f = st.fpscr;
  if (
    (f & FPSCR_OX && f & FPSCR_OE) || (f & FPSCR_UX && f & FPSCR_UE) || (f & FPSCR_XX && f & FPSCR_XE) ||
    (f & FPSCR_ZX && f & FPSCR_ZE) || (f & FPSCR_VE && f & FPSCR_VXALL)
  ) {
    st.fpscr = (f | FPSCR_FEX) >>> 0;
    st.status = FP_ENABLED;
  }
}

function opMtfsb(st: FpuState, insn: number, cr: number, set: boolean): number {
  const bit = 31 - ((insn >>> 21) & 31); // FPSCR bit, 31 = FX
  const mask = (1 << bit) >>> 0;
  if (bit !== 30 && bit !== 29 && !(set && bit === 2)) {
    // FEX and VX cannot be changed; QEMU refuses to set NI
    const cur = st.fpscr;
    if (set ? !(cur & mask) : cur & mask) st.fpscr = fpscrStore(set ? cur | mask : cur & ~mask);
  }
  if (insn & 1) cr = setCr1(cr, st.fpscr);
  if (set) fpscrCheck(st);
  return cr >>> 0;
}

function opMtfsf(st: FpuState, insn: number, cr: number): number {
  const rb = (insn >>> 11) & 31;
  let mask: number;
  if (insn & 0x02000000) {
    mask = 0xffffffff; // L=1: the whole FPSCR
  } else {
    const flm = (insn >>> 17) & 0xff;
    mask = 0;
    for (let i = 0; i < 8; i++) if (flm & (1 << i)) mask |= 0xf << (4 * i);
  }
  const v = st.w[2 * rb];
  st.fpscr = fpscrStore((v & mask) | (st.fpscr & ~mask));
  if (insn & 1) cr = setCr1(cr, st.fpscr);
  fpscrCheck(st);
  return cr >>> 0;
}

function opMtfsfi(st: FpuState, insn: number, cr: number): number {
  const sh = 4 * (7 - ((insn >>> 23) & 7));
  const u = (insn >>> 12) & 0xf;
  const mask = (0xf << sh) >>> 0;
  st.fpscr = fpscrStore(((u << sh) & mask) | (st.fpscr & ~mask));
  if (insn & 1) cr = setCr1(cr, st.fpscr);
  fpscrCheck(st);
  return cr >>> 0;
}

function opMcrfs(st: FpuState, insn: number, cr: number): number {
  const bf = (insn >>> 23) & 7;
  const sh = 4 * (7 - ((insn >>> 18) & 7));
  const field = (st.fpscr >>> sh) & 0xf;
  const crs = 28 - 4 * bf;
  cr = ((cr & ~(0xf << crs)) | (field << crs)) >>> 0;
  st.fpscr = fpscrStore(st.fpscr & ~((0xf << sh) & FPSCR_EX_CLEAR));
  return cr;
}

// ---------------------------------------------------------------- moves

function opMove(st: FpuState, insn: number, cr: number, kind: number): number {
  const rb = (insn >>> 11) & 31;
  const t = ((insn >>> 21) & 31) << 1;
  const hi = st.w[2 * rb + 1];
  st.w[t] = st.w[2 * rb];
  switch (kind) {
    case 1: st.w[t + 1] = hi ^ 0x80000000; break; // fneg
    case 2: st.w[t + 1] = hi; break; // fmr
    case 4: st.w[t + 1] = hi | 0x80000000; break; // fnabs
    default: st.w[t + 1] = hi & 0x7fffffff; break; // fabs
  }
  return insn & 1 ? setCr1(cr, st.fpscr) : cr >>> 0;
}

function opFsel(st: FpuState, insn: number, cr: number): number {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const rc = (insn >>> 6) & 31;
  const t = ((insn >>> 21) & 31) << 1;
  const a = st.f[ra];
  const src = a >= 0 ? rc : rb; // a NaN compares false: frB; -0 >= 0 is true: frC
  const lo = st.w[2 * src];
  const hi = st.w[2 * src + 1];
  st.w[t] = lo;
  st.w[t + 1] = hi;
  return insn & 1 ? setCr1(cr, st.fpscr) : cr >>> 0;
}

// ---------------------------------------------------------------- dispatch

/** Executes one instruction with primary opcode 59 or 63 (see the header for
 *  the accepted set). Returns the new CR as a uint32 and sets st.status. */
export function executeFp(st: FpuState, insn: number, cr: number): number {
  st.status = FP_OK;
  const opcd = insn >>> 26;
  const xo5 = (insn >>> 1) & 31;
  if (opcd === 59) {
    switch (xo5) {
      case 18: return insn & 0x7c0 ? illegal(st, cr) : opDiv(st, insn, cr, true);
      case 20: return insn & 0x7c0 ? illegal(st, cr) : opAddSub(st, insn, cr, true, true);
      case 21: return insn & 0x7c0 ? illegal(st, cr) : opAddSub(st, insn, cr, false, true);
      case 24: return insn & 0x001f07c0 ? illegal(st, cr) : opFres(st, insn, cr);
      case 25: return insn & 0xf800 ? illegal(st, cr) : opMul(st, insn, cr, true);
      case 28: case 29: case 30: case 31: return opMulAdd(st, insn, cr, xo5, true);
      default: return illegal(st, cr);
    }
  }
  if (opcd !== 63) return illegal(st, cr);
  const opc3 = (insn >>> 6) & 31;
  switch (xo5) {
    case 0:
      switch (opc3) {
        case 0: return insn & 0x00600001 ? illegal(st, cr) : opCompare(st, insn, cr, false);
        case 1: return insn & 0x00600001 ? illegal(st, cr) : opCompare(st, insn, cr, true);
        case 2: return insn & 0x0063f801 ? illegal(st, cr) : opMcrfs(st, insn, cr);
        default: return illegal(st, cr);
      }
    case 6:
      switch (opc3) {
        case 1: return insn & 0x001ff800 ? illegal(st, cr) : opMtfsb(st, insn, cr, true);
        case 2: return insn & 0x001ff800 ? illegal(st, cr) : opMtfsb(st, insn, cr, false);
        // W=1 needs ISA 2.05: an illegal instruction on the e500mc
        case 4: return insn & 0x006f0800 ? illegal(st, cr) : opMtfsfi(st, insn, cr);
        default: return illegal(st, cr);
      }
    case 7:
      if (opc3 === 18) {
        // mffs: bits 11-15 are ignored; bits 16-20 select the ISA 3.0 variants
        if (insn & 0x001f0000) return illegal(st, cr);
        const t = ((insn >>> 21) & 31) << 1;
        st.w[t] = st.fpscr;
        st.w[t + 1] = 0;
        return insn & 1 ? setCr1(cr, st.fpscr) : cr >>> 0;
      }
      if (opc3 === 22) return insn & 0x00010000 ? illegal(st, cr) : opMtfsf(st, insn, cr);
      return illegal(st, cr);
    case 8:
      if (insn & 0x001f0000 || (opc3 !== 1 && opc3 !== 2 && opc3 !== 4 && opc3 !== 8)) return illegal(st, cr);
      return opMove(st, insn, cr, opc3);
    case 12:
      return opc3 !== 0 || insn & 0x001f0000 ? illegal(st, cr) : opFrsp(st, insn, cr);
    case 14:
      return opc3 !== 0 || insn & 0x001f0000 ? illegal(st, cr) : opFctiw(st, insn, cr, false);
    case 15:
      return opc3 !== 0 || insn & 0x001f0000 ? illegal(st, cr) : opFctiw(st, insn, cr, true);
    case 18: return insn & 0x7c0 ? illegal(st, cr) : opDiv(st, insn, cr, false);
    case 20: return insn & 0x7c0 ? illegal(st, cr) : opAddSub(st, insn, cr, true, false);
    case 21: return insn & 0x7c0 ? illegal(st, cr) : opAddSub(st, insn, cr, false, false);
    case 23: return opFsel(st, insn, cr);
    case 25: return insn & 0xf800 ? illegal(st, cr) : opMul(st, insn, cr, false);
    case 26: return insn & 0x001f07c0 ? illegal(st, cr) : opFrsqrte(st, insn, cr);
    case 28: case 29: case 30: case 31: return opMulAdd(st, insn, cr, xo5, false);
    default: return illegal(st, cr);
  }
}

// ---------------------------------------------------------------- loads and stores

/** lfs & co.: the ISA's DOUBLE conversion of a loaded single-precision image
 *  (denormals normalized, infinities and NaNs, signalling ones included, keep
 *  their payload) into FPR frt. */
export function loadSingle(st: FpuState, frt: number, bits: number): void {
  toDouble(bits >>> 0);
  st.w[2 * frt] = rLo;
  st.w[2 * frt + 1] = rHi;
}

/** stfs & co.: the ISA's SINGLE conversion of FPR frs, without rounding:
 *  exponents above the single denormal range keep their bits as they are,
 *  smaller ones are denormalized by truncation, and below 2^-149 the result is
 *  a signed zero (architecturally undefined; QEMU's choice). */
export function storeSingle(st: FpuState, frs: number): number {
  const hi = st.w[2 * frs + 1];
  const lo = st.w[2 * frs];
  const e = (hi >>> 20) & 0x7ff;
  if (e > 896) {
    return ((hi & 0xc0000000) | ((hi & 0x07ffffff) << 3) | (lo >>> 29)) >>> 0;
  }
  const sign = hi & 0x80000000;
  if (e < 874) return sign >>> 0;
  // denormal single: (1.fraction) >> (926 - e), truncated; 926 - e is 30..52
  const shift = 926 - e;
  const mh = (hi & 0xfffff) | 0x100000; // bits 52..32 of the significand
  let frac: number;
  if (shift >= 32) frac = mh >>> (shift - 32);
  else frac = ((mh << (32 - shift)) | (lo >>> shift)) >>> 0;
  return (sign | frac) >>> 0;
}
