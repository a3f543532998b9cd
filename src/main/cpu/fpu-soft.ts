// Exact (BigInt) binary floating-point arithmetic for the classic FPU: the slow
// path of fpu.ts. Every operation computes the exact result (an integer
// significand and a power of two, plus a sticky bit where the exact value has
// no finite binary expansion) and rounds it once, in the current rounding mode,
// to double or single precision. The special cases (NaN choice, signs of zero,
// invalid-operation kinds, tininess, the OE/UE exponent adjustment) follow the
// Power ISA as QEMU 7.2's softfloat implements it for PowerPC, which is the
// lab's oracle; where the two differ the comment says so.
//
// Values travel as two uint32 words (hi, lo) of the IEEE double image. Results
// are left in `res.hi`/`res.lo`, exception flags accumulate in `res.flags`.

/* eslint-disable no-bitwise */

export const FL_INEXACT = 1;
export const FL_UNDERFLOW = 2;
export const FL_OVERFLOW = 4;
export const FL_DIVZERO = 8;
export const FL_INVALID = 16;
export const FL_SNAN = 32; // invalid: signalling NaN operand
export const FL_ISI = 64; // invalid: inf - inf
export const FL_IMZ = 128; // invalid: inf * 0
export const FL_IDI = 256; // invalid: inf / inf
export const FL_ZDZ = 512; // invalid: 0 / 0
export const FL_SQRT = 1024; // invalid: sqrt of a negative number
export const FL_CVTI = 2048; // invalid: integer conversion out of range

/** Rounding modes, numbered as FPSCR[RN]. */
export const RM_NEAREST = 0;
export const RM_ZERO = 1;
export const RM_UP = 2;
export const RM_DOWN = 3;

/** Rounding environment and result of the current operation. */
export const res = {
  hi: 0,
  lo: 0,
  flags: 0,
  /** FPSCR[RN] */
  mode: 0,
  /** FPSCR[OE] / FPSCR[UE]: overflowed / underflowed results get their exponent adjusted */
  rebiasOverflow: false,
  rebiasUnderflow: false,
};

const enum Cls { Zero, Normal, Inf, QNaN, SNaN }

const TWO32 = 4294967296;
const QUIET_HI = 0x00080000;
export const DEFAULT_NAN_HI = 0x7ff80000;

/** An unpacked operand: class, sign, and for finite nonzero values mant * 2^exp. */
class Unpacked {
  cls = Cls.Zero;
  sign = 0;
  exp = 0;
  mant = 0n;
  hi = 0; // raw image (NaNs keep their payload)
  lo = 0;
}

function unpack(u: Unpacked, hi: number, lo: number): Unpacked {
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  u.hi = hi;
  u.lo = lo;
  u.sign = hi >>> 31;
  if (e === 0x7ff) {
    if (fh === 0 && lo === 0) u.cls = Cls.Inf;
    else u.cls = (hi & QUIET_HI) !== 0 ? Cls.QNaN : Cls.SNaN;
  } else if (e === 0) {
    if (fh === 0 && lo === 0) u.cls = Cls.Zero;
    else {
      u.cls = Cls.Normal;
      u.mant = BigInt(fh * TWO32 + (lo >>> 0));
      u.exp = -1074;
    }
  } else {
    u.cls = Cls.Normal;
    u.mant = BigInt((fh + 0x100000) * TWO32 + (lo >>> 0));
    u.exp = e - 1075;
  }
  return u;
}

const ua = new Unpacked();
const ub = new Unpacked();
const uc = new Unpacked();

function isNaNCls(c: Cls): boolean {
  return c === Cls.QNaN || c === Cls.SNaN;
}

function setResult(hi: number, lo: number): void {
  res.hi = hi >>> 0;
  res.lo = lo >>> 0;
}

/** Writes a NaN operand as the result, quieted; `single` truncates the payload
 *  to what a single-precision NaN can carry. */
function resultNaN(u: Unpacked, single: boolean): void {
  const lo = single ? u.lo & 0xe0000000 : u.lo; // single: keep the 23 leading fraction bits
  setResult(u.hi | QUIET_HI, lo);
}

function defaultNaN(): void {
  setResult(DEFAULT_NAN_HI, 0);
}

function resultInf(sign: number): void {
  setResult((sign << 31) | 0x7ff00000, 0);
}

function resultZero(sign: number): void {
  setResult(sign << 31, 0);
}

/** Two-operand NaN choice (PowerPC): frA if it is a NaN, else frB; a signalling
 *  NaN anywhere raises the invalid-operation (SNaN) flag. */
function pickNaN(a: Unpacked, b: Unpacked, single: boolean): void {
  if (a.cls === Cls.SNaN || b.cls === Cls.SNaN) res.flags |= FL_INVALID | FL_SNAN;
  resultNaN(isNaNCls(a.cls) ? a : b, single);
}

function bitLength(x: bigint): number {
  // x > 0
  const s = x.toString(16);
  const top = parseInt(s[0], 16);
  return (s.length - 1) * 4 + (32 - Math.clz32(top));
}

// ---------------------------------------------------------------- rounding

/** Format parameters: precision, exponent bias, maximum biased exponent,
 *  exponent adjustment used when OE/UE are set. */
interface Fmt {
  p: number;
  bias: number;
  expMax: number;
  rebias: number;
}
const DOUBLE: Fmt = { p: 53, bias: 1023, expMax: 2047, rebias: 1536 };
const SINGLE: Fmt = { p: 24, bias: 127, expMax: 255, rebias: 192 };

/** Output of roundExact: sign, biased exponent (may lie outside the field
 *  after an OE/UE adjustment, exactly as softfloat leaves it) and significand
 *  including the leading bit for normal results; isInf for overflow to infinity. */
let rSign = 0;
let rExp = 0;
let rSig = 0n;
let rInf = false;

/** Whether to add one unit in the last place, given the kept significand q,
 *  the discarded part compared with one half (cmp: -1 below, 0 exactly half,
 *  1 above; only meaningful when inexact) and the sign. */
function roundUp(q: bigint, cmpHalf: number, sign: number): boolean {
  switch (res.mode) {
    case RM_NEAREST:
      return cmpHalf > 0 || (cmpHalf === 0 && (q & 1n) === 1n);
    case RM_ZERO:
      return false;
    case RM_UP:
      return sign === 0;
    default:
      return sign === 1;
  }
}

/** Drops `shift` low bits of m (shift >= 1) with the current rounding mode;
 *  sticky says the exact value has more nonzero bits below m. */
function roundShift(m: bigint, shift: number, sticky: boolean, sign: number): bigint {
  const sh = BigInt(shift);
  let q = m >> sh;
  const rem = m - (q << sh);
  if (rem === 0n && !sticky) return q;
  res.flags |= FL_INEXACT;
  const half = 1n << (sh - 1n);
  const cmp = rem > half ? 1 : rem < half ? -1 : sticky ? 1 : 0;
  if (roundUp(q, cmp, sign)) q += 1n;
  return q;
}

/**
 * Rounds sign * (m * 2^e) (m > 0; `sticky`: the exact value is slightly larger
 * in magnitude than that, by less than one unit of m's last bit) to the format,
 * as softfloat's parts_uncanon_normal does: round first, then detect overflow;
 * tininess is detected before rounding; an underflow is only signalled when
 * the tiny result is also inexact, unless UE is set (then the exponent is
 * adjusted by +rebias and underflow is always signalled); OE set turns an
 * overflow into an exponent adjustment by -rebias.
 */
function roundExact(sign: number, m: bigint, e: number, sticky: boolean, fmt: Fmt): void {
  const p = fmt.p;
  let len = bitLength(m);
  if (sticky && len < p + 2) {
    // make room so that the sticky bit lies below the rounding position
    const grow = p + 2 - len;
    m <<= BigInt(grow);
    e -= grow;
    len += grow;
  }
  let be = e + len - 1 + fmt.bias;
  rSign = sign;
  rInf = false;
  if (be > 0 || res.rebiasUnderflow) {
    if (be <= 0) {
      res.flags |= FL_UNDERFLOW;
      be += fmt.rebias;
    }
    let q: bigint;
    if (len > p) q = roundShift(m, len - p, sticky, sign);
    else q = m << BigInt(p - len);
    if (q >> BigInt(p) !== 0n) {
      q >>= 1n;
      be += 1;
    }
    if (be >= fmt.expMax) {
      res.flags |= FL_OVERFLOW;
      if (res.rebiasOverflow) {
        be -= fmt.rebias;
      } else {
        res.flags |= FL_INEXACT;
        const mode = res.mode;
        const toMax = mode === RM_ZERO || (mode === RM_UP && sign === 1) || (mode === RM_DOWN && sign === 0);
        if (toMax) {
          be = fmt.expMax - 1;
          q = (1n << BigInt(p)) - 1n;
        } else {
          rInf = true;
          be = fmt.expMax;
          q = 0n;
        }
      }
    }
    rExp = be;
    rSig = q;
    return;
  }
  // Tiny: denormalize. The quantum of the subnormal range is 2^(1 - bias - (p - 1)).
  const shift = 2 - fmt.bias - p - e;
  const before = res.flags;
  res.flags &= ~FL_INEXACT;
  let q: bigint;
  if (shift > 0) q = roundShift(m, shift, sticky, sign);
  else q = m << BigInt(-shift);
  const inexact = (res.flags & FL_INEXACT) !== 0;
  res.flags |= before;
  if (inexact) res.flags |= FL_UNDERFLOW;
  const leading = q >> BigInt(p - 1) !== 0n;
  rExp = leading ? 1 : 0;
  rSig = q;
}

/** Packs the rounded value as a double. */
function packDouble(): void {
  if (rInf) {
    resultInf(rSign);
    return;
  }
  const frac = Number(rSig & 0xfffffffffffffn);
  const fh = Math.floor(frac / TWO32);
  setResult((rSign << 31) | ((rExp & 0x7ff) << 20) | fh, frac - fh * TWO32);
}

/** Packs the rounded single-precision value into single format (frsp's
 *  float64_to_float32: the exponent field keeps its low 8 bits). */
function packSingleBits(): number {
  if (rInf) return ((rSign << 31) | 0x7f800000) >>> 0;
  return ((rSign << 31) | ((rExp & 0xff) << 23) | Number(rSig & 0x7fffffn)) >>> 0;
}

/** Packs a value rounded to single precision into double format, as QEMU's
 *  float64r32 operations do (the `s` arithmetic instructions). */
function packR32(): void {
  if (rInf) {
    resultInf(rSign);
    return;
  }
  if (rSig === 0n) {
    resultZero(rSign);
    return;
  }
  let exp: number;
  let frac: number;
  if (rExp === 0) {
    // denormal in single format: normal in double format
    const len = bitLength(rSig);
    exp = 873 + len;
    frac = Number((rSig << BigInt(53 - len)) & 0xfffffffffffffn);
  } else {
    exp = (rExp + 896) & 0x7ff;
    frac = Number(rSig & 0x7fffffn) * 0x20000000;
  }
  const fh = Math.floor(frac / TWO32);
  setResult((rSign << 31) | (exp << 20) | fh, frac - fh * TWO32);
}

function finish(sign: number, m: bigint, e: number, sticky: boolean, single: boolean): void {
  if (single) {
    roundExact(sign, m, e, sticky, SINGLE);
    packR32();
  } else {
    roundExact(sign, m, e, sticky, DOUBLE);
    packDouble();
  }
}

/** Rounds a finite nonzero operand as is (used when an operation returns one
 *  of its operands unchanged but the result must still be rounded). */
function finishOperand(u: Unpacked, sign: number, single: boolean): void {
  finish(sign, u.mant, u.exp, false, single);
}

// ---------------------------------------------------------------- operations

/** Exact sum of two finite nonzero values with signs; returns [sign, mant, exp]
 *  through the module variables (mant may be 0 for exact cancellation). */
let sSign = 0;
let sMant = 0n;
let sExp = 0;
function exactSum(s1: number, m1: bigint, e1: number, s2: number, m2: bigint, e2: number): void {
  const e = Math.min(e1, e2);
  const a = m1 << BigInt(e1 - e);
  const b = m2 << BigInt(e2 - e);
  const sum = (s1 ? -a : a) + (s2 ? -b : b);
  sExp = e;
  if (sum < 0n) {
    sSign = 1;
    sMant = -sum;
  } else {
    sSign = 0;
    sMant = sum;
  }
}

/** fadd / fsub (subtract = true negates frB) and their single forms. */
export function softAdd(ah: number, al: number, bh: number, bl: number, subtract: boolean, single: boolean): void {
  const a = unpack(ua, ah, al);
  const b = unpack(ub, bh, bl);
  const bSign = b.sign ^ (subtract ? 1 : 0);
  if (a.cls === Cls.Normal && b.cls === Cls.Normal) {
    exactSum(a.sign, a.mant, a.exp, bSign, b.mant, b.exp);
    if (sMant === 0n) resultZero(res.mode === RM_DOWN ? 1 : 0);
    else finish(sSign, sMant, sExp, false, single);
    return;
  }
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) {
    pickNaN(a, b, single);
    return;
  }
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) {
    if (a.cls === Cls.Inf && b.cls === Cls.Inf && a.sign !== bSign) {
      res.flags |= FL_INVALID | FL_ISI;
      defaultNaN();
    } else {
      resultInf(a.cls === Cls.Inf ? a.sign : bSign);
    }
    return;
  }
  // at least one zero
  if (a.cls === Cls.Zero && b.cls === Cls.Zero) {
    resultZero(a.sign === bSign ? a.sign : res.mode === RM_DOWN ? 1 : 0);
  } else if (b.cls === Cls.Zero) {
    finishOperand(a, a.sign, single);
  } else {
    finishOperand(b, bSign, single);
  }
}

/** fmul(s) */
export function softMul(ah: number, al: number, bh: number, bl: number, single: boolean): void {
  const a = unpack(ua, ah, al);
  const b = unpack(ub, bh, bl);
  const sign = a.sign ^ b.sign;
  if (a.cls === Cls.Normal && b.cls === Cls.Normal) {
    finish(sign, a.mant * b.mant, a.exp + b.exp, false, single);
    return;
  }
  if ((a.cls === Cls.Inf && b.cls === Cls.Zero) || (a.cls === Cls.Zero && b.cls === Cls.Inf)) {
    res.flags |= FL_INVALID | FL_IMZ;
    defaultNaN();
    return;
  }
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) {
    pickNaN(a, b, single);
    return;
  }
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) resultInf(sign);
  else resultZero(sign);
}

/** fdiv(s) */
export function softDiv(ah: number, al: number, bh: number, bl: number, single: boolean): void {
  const a = unpack(ua, ah, al);
  const b = unpack(ub, bh, bl);
  const sign = a.sign ^ b.sign;
  if (a.cls === Cls.Normal && b.cls === Cls.Normal) {
    // quotient with at least p + 2 significant bits, remainder -> sticky
    const k = Math.max(0, 64 + bitLength(b.mant) - bitLength(a.mant));
    const num = a.mant << BigInt(k);
    const q = num / b.mant;
    finish(sign, q, a.exp - b.exp - k, q * b.mant !== num, single);
    return;
  }
  if (a.cls === Cls.Zero && b.cls === Cls.Zero) {
    res.flags |= FL_INVALID | FL_ZDZ;
    defaultNaN();
    return;
  }
  if (a.cls === Cls.Inf && b.cls === Cls.Inf) {
    res.flags |= FL_INVALID | FL_IDI;
    defaultNaN();
    return;
  }
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) {
    pickNaN(a, b, single);
    return;
  }
  if (a.cls === Cls.Inf || a.cls === Cls.Zero) {
    if (a.cls === Cls.Inf) resultInf(sign);
    else resultZero(sign);
    return;
  }
  if (b.cls === Cls.Inf) {
    resultZero(sign);
    return;
  }
  res.flags |= FL_DIVZERO; // finite / 0
  resultInf(sign);
}

/**
 * Fused multiply-add: a * c + b (frA * frC + frB) with one rounding.
 * negateAddend: fmsub/fnmsub; negateResult: fnmadd/fnmsub. As in QEMU the
 * result is negated before rounding (the ISA rounds first, then negates: the
 * two differ only in the directed rounding modes), and a NaN result is never
 * negated.
 */
export function softMulAdd(
  ah: number, al: number, ch: number, cl: number, bh: number, bl: number,
  negateAddend: boolean, negateResult: boolean, single: boolean,
): void {
  const a = unpack(ua, ah, al);
  const c = unpack(uc, ch, cl);
  const b = unpack(ub, bh, bl);
  const aNaN = isNaNCls(a.cls);
  const bNaN = isNaNCls(b.cls);
  const cNaN = isNaNCls(c.cls);
  const infZero = (a.cls === Cls.Inf && c.cls === Cls.Zero) || (a.cls === Cls.Zero && c.cls === Cls.Inf);
  if (aNaN || bNaN || cNaN) {
    if (a.cls === Cls.SNaN || b.cls === Cls.SNaN || c.cls === Cls.SNaN) res.flags |= FL_INVALID | FL_SNAN;
    if (infZero) {
      // inf * 0 + NaN: invalid (IMZ), and the addend NaN is returned
      res.flags |= FL_INVALID | FL_IMZ;
      resultNaN(b, single);
    } else {
      resultNaN(aNaN ? a : bNaN ? b : c, single);
    }
    return;
  }
  const bSign = b.sign ^ (negateAddend ? 1 : 0);
  const pSign = a.sign ^ c.sign;
  const nr = negateResult ? 1 : 0;
  if (a.cls !== Cls.Normal || c.cls !== Cls.Normal) {
    if (infZero) {
      res.flags |= FL_INVALID | FL_IMZ;
      defaultNaN();
      return;
    }
    if (a.cls === Cls.Inf || c.cls === Cls.Inf) {
      if (b.cls === Cls.Inf && pSign !== bSign) {
        res.flags |= FL_INVALID | FL_ISI;
        defaultNaN();
        return;
      }
      resultInf(pSign ^ nr);
      return;
    }
    // the product is zero
    if (b.cls === Cls.Normal) {
      finishOperand(b, bSign ^ nr, single);
    } else if (b.cls === Cls.Zero) {
      const s = pSign !== bSign ? (res.mode === RM_DOWN ? 1 : 0) : pSign;
      resultZero(s ^ nr);
    } else {
      resultInf(bSign ^ nr);
    }
    return;
  }
  if (b.cls === Cls.Inf) {
    resultInf(bSign ^ nr);
    return;
  }
  const pm = a.mant * c.mant;
  const pe = a.exp + c.exp;
  if (b.cls === Cls.Zero) {
    finish(pSign ^ nr, pm, pe, false, single);
    return;
  }
  exactSum(pSign, pm, pe, bSign, b.mant, b.exp);
  if (sMant === 0n) {
    resultZero((res.mode === RM_DOWN ? 1 : 0) ^ nr);
    return;
  }
  finish(sSign ^ nr, sMant, sExp, false, single);
}

/** Integer square root with remainder test: floor(sqrt(n)) */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration decreases monotonically from any start above the root;
  // start just above the floating-point estimate
  let x = BigInt(Math.ceil(Math.sqrt(Number(n)) * (1 + 1e-12))) + 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Correctly rounded double square root (used by frsqrte, which QEMU models
 *  as 1 / sqrt(x) with two roundings). */
export function softSqrt(ah: number, al: number): void {
  const a = unpack(ua, ah, al);
  switch (a.cls) {
    case Cls.QNaN:
      resultNaN(a, false);
      return;
    case Cls.SNaN:
      res.flags |= FL_INVALID | FL_SNAN;
      resultNaN(a, false);
      return;
    case Cls.Zero:
      resultZero(a.sign);
      return;
    case Cls.Inf:
      if (a.sign) {
        res.flags |= FL_INVALID | FL_SQRT;
        defaultNaN();
      } else resultInf(0);
      return;
    default:
      break;
  }
  if (a.sign) {
    res.flags |= FL_INVALID | FL_SQRT;
    defaultNaN();
    return;
  }
  // sqrt(m * 2^e): make e even and m large enough for 60+ result bits
  let m = a.mant;
  let e = a.exp;
  let k = Math.max(0, 130 - bitLength(m));
  if ((e - k) & 1) k += 1;
  m <<= BigInt(k);
  e -= k;
  const r = isqrt(m);
  finish(0, r, e / 2, r * r !== m, false);
}

/** Result of softToInt32 (the 32-bit integer; the caller forms the FPR). */
export let intResult = 0;

/**
 * fctiw / fctiwz: round to an integer in `mode` and saturate to int32, as
 * softfloat's float_to_sint: NaN -> invalid (and SNaN), result 0x7fffffff
 * (the caller substitutes 0x80000000 as QEMU's helper does); out of range ->
 * invalid + CVTI, saturated, and no inexact flag.
 */
export function softToInt32(ah: number, al: number, mode: number): void {
  const a = unpack(ua, ah, al);
  switch (a.cls) {
    case Cls.SNaN:
      res.flags |= FL_SNAN | FL_INVALID;
      intResult = 0x7fffffff;
      return;
    case Cls.QNaN:
      res.flags |= FL_INVALID;
      intResult = 0x7fffffff;
      return;
    case Cls.Inf:
      res.flags |= FL_INVALID | FL_CVTI;
      intResult = a.sign ? -0x80000000 : 0x7fffffff;
      return;
    case Cls.Zero:
      intResult = 0;
      return;
    default:
      break;
  }
  let q: bigint;
  let inexact = false;
  if (a.exp >= 0) {
    q = a.exp > 40 ? 1n << 40n : a.mant << BigInt(a.exp); // saturates either way
  } else {
    const sh = BigInt(-a.exp);
    q = a.mant >> sh;
    const rem = a.mant - (q << sh);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (sh - 1n);
      const cmp = rem > half ? 1 : rem < half ? -1 : 0;
      let up: boolean;
      switch (mode) {
        case RM_NEAREST: up = cmp > 0 || (cmp === 0 && (q & 1n) === 1n); break;
        case RM_ZERO: up = false; break;
        case RM_UP: up = a.sign === 0; break;
        default: up = a.sign === 1; break;
      }
      if (up) q += 1n;
    }
  }
  if (a.sign ? q > 0x80000000n : q > 0x7fffffffn) {
    res.flags |= FL_INVALID | FL_CVTI;
    intResult = a.sign ? -0x80000000 : 0x7fffffff;
    return;
  }
  if (inexact) res.flags |= FL_INEXACT;
  const v = Number(q);
  intResult = a.sign ? -v | 0 : v | 0;
}

/** frsp: round a double to single precision (float64_to_float32), returning
 *  the single-precision image; NaNs are quieted and truncated. */
export function softToSingle(ah: number, al: number): number {
  const a = unpack(ua, ah, al);
  switch (a.cls) {
    case Cls.SNaN:
    case Cls.QNaN:
      if (a.cls === Cls.SNaN) res.flags |= FL_INVALID | FL_SNAN;
      return ((a.hi & 0x80000000) | 0x7fc00000 | ((a.hi & 0x7ffff) << 3) | (a.lo >>> 29)) >>> 0;
    case Cls.Inf:
      return ((a.sign << 31) | 0x7f800000) >>> 0;
    case Cls.Zero:
      return (a.sign << 31) >>> 0;
    default:
      roundExact(a.sign, a.mant, a.exp, false, SINGLE);
      return packSingleBits();
  }
}
