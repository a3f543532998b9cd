// The host-arithmetic fast paths of src/main/cpu/fpu.ts against its exact
// (BigInt) engine, over operands chosen to hit the hard cases of round to
// nearest: ties, near-ties, cancellation, single-precision midpoints, and the
// edges of the fast paths' ranges. (The QEMU vectors in fpu.test.ts pin the
// exact engine itself.)
import { afterAll, describe, expect, it } from 'vitest';
import { executeFp, FpuState, setFpuFastPaths } from '../../../src/main/cpu/fpu';

let seed = 0x2545f491;
function rnd32(): number {
  // xorshift32
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const rnd = (n: number): number => rnd32() % n;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function bits(x: number): [number, number] {
  f64[0] = x;
  return [u32[1], u32[0]];
}
function fromBits(hi: number, lo: number): number {
  u32[1] = hi >>> 0;
  u32[0] = lo >>> 0;
  return f64[0];
}

/** m * 2^e for an integer m < 2^53 */
const scaled = (m: number, e: number): number => m * 2 ** e;

function randomDouble(expLo: number, expHi: number): number {
  const e = expLo + rnd(expHi - expLo + 1);
  return fromBits((rnd(2) << 31) | (e << 20) | (rnd32() & 0xfffff), rnd32());
}

function shortMantissa(bitsCount: number, expSpread: number): number {
  const m = (rnd32() >>> (32 - Math.min(bitsCount, 31))) | 1 | (1 << (Math.min(bitsCount, 31) - 1));
  const extra = bitsCount > 31 ? rnd32() >>> (63 - bitsCount) : 0;
  const mant = bitsCount > 31 ? m * 2 ** (bitsCount - 31) + extra : m;
  return (rnd(2) ? -1 : 1) * scaled(mant, rnd(2 * expSpread + 1) - expSpread - bitsCount);
}

function operand(): number {
  switch (rnd(8)) {
    case 0: return randomDouble(1, 2046);
    case 1: return randomDouble(1023 - 30, 1023 + 30);
    case 2: return Math.fround(randomDouble(1023 - 100, 1023 + 100));
    case 3: return shortMantissa(27, 20);
    case 4: return shortMantissa(12, 20);
    case 5: return randomDouble(960, 1090); // around the single-precision range edges
    case 6: return randomDouble(0, 80); // tiny
    default: return randomDouble(1980, 2046); // huge
  }
}

/** b near a half-ulp of a (double or single) */
function nearUlp(a: number, single: boolean): number {
  const [hi] = bits(a);
  const e = ((hi >>> 20) & 0x7ff) - (single ? 24 : 53) + rnd(7) - 3;
  if (e < 1) return 0;
  const frac = rnd(2) ? 0 : rnd32() & 0xfff00;
  return fromBits((rnd(2) << 31) | (e << 20) | frac, rnd(3) === 0 ? rnd32() : 0);
}

interface Op { name: string; insn: number; single: boolean; kind: 'ab' | 'ac' | 'acb' | 'b' }
const OPS: Op[] = [
  { name: 'fadd', insn: 0xfc81102a, single: false, kind: 'ab' },
  { name: 'fsub', insn: 0xfc811028, single: false, kind: 'ab' },
  { name: 'fmul', insn: 0xfc8100f2, single: false, kind: 'ac' },
  { name: 'fdiv', insn: 0xfc811024, single: false, kind: 'ab' },
  { name: 'fadds', insn: 0xec81102a, single: true, kind: 'ab' },
  { name: 'fsubs', insn: 0xec811028, single: true, kind: 'ab' },
  { name: 'fmuls', insn: 0xec8100f2, single: true, kind: 'ac' },
  { name: 'fdivs', insn: 0xec811024, single: true, kind: 'ab' },
  { name: 'fmadd', insn: 0xfc8110fa, single: false, kind: 'acb' },
  { name: 'fmsub', insn: 0xfc8110f8, single: false, kind: 'acb' },
  { name: 'fnmadd', insn: 0xfc8110fe, single: false, kind: 'acb' },
  { name: 'fnmsub', insn: 0xfc8110fc, single: false, kind: 'acb' },
  { name: 'fmadds', insn: 0xec8110fa, single: true, kind: 'acb' },
  { name: 'fnmsubs', insn: 0xec8110fc, single: true, kind: 'acb' },
  { name: 'frsp', insn: 0xfc801018, single: true, kind: 'b' },
  { name: 'fctiw', insn: 0xfc80101c, single: false, kind: 'b' },
  { name: 'fctiwz', insn: 0xfc80101e, single: false, kind: 'b' },
];

function operands(op: Op): [number, number, number] {
  let a = operand();
  let b = operand();
  let c = operand();
  const style = rnd(4);
  if (op.kind === 'ab' && style === 0) b = nearUlp(a, op.single);
  if (op.kind === 'ab' && style === 1 && op.name.startsWith('fdiv')) {
    // exact or nearly exact quotients
    b = shortMantissa(op.single ? 12 : 26, 10);
    a = b * shortMantissa(op.single ? 12 : 26, 10);
  }
  if (op.kind === 'ac' && style <= 1) {
    a = shortMantissa(op.single ? 13 : 27, 30);
    c = shortMantissa(op.single ? 13 : 27, 30);
  }
  if (op.kind === 'acb' && style <= 2) {
    const n = op.single ? 12 : 27;
    a = shortMantissa(n, 15);
    c = shortMantissa(n, 15);
    const p = a * c; // exact for the short mantissas
    switch (rnd(4)) {
      case 0: b = -p * (1 + (rnd(5) - 2) * 2 ** -52); break; // near cancellation
      case 1: b = (rnd(2) ? 1 : -1) * Math.abs(p) * 2 ** -(40 + rnd(40)); break; // tiny addend
      case 2: b = nearUlp(p === 0 ? 1 : p, op.single); break;
      default: b = -Math.fround(p); break;
    }
  }
  if (op.kind === 'b') {
    if (op.name === 'frsp' && style <= 1) {
      // single midpoints and their neighbours
      const s = Math.fround(randomDouble(1023 - 120, 1023 + 120));
      const [hi, lo] = bits(s);
      b = fromBits(hi, (lo | 0x10000000) + (rnd(3) - 1));
    } else if (style <= 1) {
      b = (rnd(2) ? 1 : -1) * (rnd32() + rnd(4) * 0.25 + (rnd(2) ? 2 ** -30 : 0));
    }
  }
  return [a, b, c];
}

function runOnce(op: Op, a: number, b: number, c: number, fpscr: number): string {
  const st = new FpuState();
  st.f[1] = a;
  st.f[2] = b;
  st.f[3] = c;
  st.w[8] = 0xdeadbeef;
  st.w[9] = 0x7ff4dead;
  st.fpscr = fpscr;
  const cr = executeFp(st, (op.insn | (rnd(2) ? 1 : 0)) >>> 0, 0x12345678);
  return `${st.w[9].toString(16)}:${st.w[8].toString(16)} ${(st.fpscr >>> 0).toString(16)} ${cr.toString(16)} ${st.status}`;
}

describe('fpu: fast paths agree with the exact engine (round to nearest)', () => {
  afterAll(() => setFpuFastPaths(true));
  for (const op of OPS) {
    it(`${op.name}: 20000 random and boundary cases`, () => {
      const failures: string[] = [];
      for (let i = 0; i < 20000; i++) {
        const [a, b, c] = operands(op);
        // RN = 0; sometimes status bits and enables (XE/OE/UE) in the input
        const fpscr = rnd(4) === 0 ? (rnd32() & 0x9ffff0f8) : 0;
        const s = seed;
        setFpuFastPaths(true);
        const fast = runOnce(op, a, b, c, fpscr);
        seed = s; // same Rc choice
        setFpuFastPaths(false);
        const slow = runOnce(op, a, b, c, fpscr);
        if (fast !== slow) failures.push(`${op.name}(${bits(a)}, ${bits(b)}, ${bits(c)}) fpscr ${fpscr.toString(16)}: fast ${fast} exact ${slow}`);
      }
      setFpuFastPaths(true);
      expect(failures.slice(0, 10), `${failures.length} disagreements`).toEqual([]);
    });
  }
});
