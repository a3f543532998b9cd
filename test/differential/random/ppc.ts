// Encoders for the 32-bit Power ISA instructions the random tester and its
// image runtime use. Each returns the instruction word; `Insn` pairs a word
// with an assembler-style text so failing sequences can be listed and
// re-assembled by hand.

export interface Insn {
  word: number;
  text: string;
}

const u = (x: number): number => x >>> 0;
const chk = (v: number, bits: number, what: string): number => {
  if (!Number.isInteger(v) || v < 0 || v >= 1 << bits) throw new Error(`${what} out of range: ${v}`);
  return v;
};
const simm16 = (v: number): number => {
  if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) throw new Error(`simm16 out of range: ${v}`);
  return v & 0xffff;
};
const uimm16 = (v: number): number => chk(v, 16, 'uimm16');

/** D-form: opcd | rt | ra | d16 */
export const dform = (opcd: number, rt: number, ra: number, d: number): number =>
  u((opcd << 26) | (chk(rt, 5, 'rt') << 21) | (chk(ra, 5, 'ra') << 16) | d);

/** X-form with primary opcode 31 (or another) and 10-bit extended opcode. */
export const xform = (opcd: number, rt: number, ra: number, rb: number, xo: number, rc = 0): number =>
  u((opcd << 26) | (chk(rt, 5, 'rt') << 21) | (chk(ra, 5, 'ra') << 16) | (chk(rb, 5, 'rb') << 11) |
    (chk(xo, 10, 'xo') << 1) | rc);

/** XO-form: opcode 31, 9-bit extended opcode plus OE. */
export const xoform = (rt: number, ra: number, rb: number, xo: number, oe: number, rc: number): number =>
  u((31 << 26) | (chk(rt, 5, 'rt') << 21) | (chk(ra, 5, 'ra') << 16) | (chk(rb, 5, 'rb') << 11) |
    (oe << 10) | (chk(xo, 9, 'xo') << 1) | rc);

/** M-form rotates (rlwinm 21, rlwnm 23, rlwimi 20). */
export const mform = (opcd: number, rs: number, ra: number, shOrRb: number, mb: number, me: number, rc = 0): number =>
  u((opcd << 26) | (chk(rs, 5, 'rs') << 21) | (chk(ra, 5, 'ra') << 16) | (chk(shOrRb, 5, 'sh') << 11) |
    (chk(mb, 5, 'mb') << 6) | (chk(me, 5, 'me') << 1) | rc);

/** A-form floating point (opcode 63 double, 59 single). */
export const aform = (opcd: number, frt: number, fra: number, frb: number, frc: number, xo: number, rc = 0): number =>
  u((opcd << 26) | (chk(frt, 5, 'frt') << 21) | (chk(fra, 5, 'fra') << 16) | (chk(frb, 5, 'frb') << 11) |
    (chk(frc, 5, 'frc') << 6) | (chk(xo, 5, 'xo') << 1) | rc);

/** XL-form (opcode 19): CR logical, mcrf, branches to LR/CTR, rfi... */
export const xlform = (bt: number, ba: number, bb: number, xo: number, lk = 0): number =>
  u((19 << 26) | (chk(bt, 5, 'bt') << 21) | (chk(ba, 5, 'ba') << 16) | (chk(bb, 5, 'bb') << 11) | (xo << 1) | lk);

const r = (n: number): string => `r${n}`;
const f = (n: number): string => `f${n}`;
const hex = (v: number): string => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

// ---- integer ----
export const addi = (rt: number, ra: number, v: number): Insn =>
  ({ word: dform(14, rt, ra, simm16(v)), text: ra === 0 ? `li ${r(rt)},${hex(v)}` : `addi ${r(rt)},${r(ra)},${hex(v)}` });
export const addis = (rt: number, ra: number, v: number): Insn =>
  ({ word: dform(15, rt, ra, simm16(v)), text: ra === 0 ? `lis ${r(rt)},${hex(v)}` : `addis ${r(rt)},${r(ra)},${hex(v)}` });
export const li = (rt: number, v: number): Insn => addi(rt, 0, v);
export const lis = (rt: number, v: number): Insn => addis(rt, 0, v);
export const ori = (ra: number, rs: number, v: number): Insn =>
  ({ word: dform(24, rs, ra, uimm16(v)), text: `ori ${r(ra)},${r(rs)},${hex(v)}` });
export const oris = (ra: number, rs: number, v: number): Insn =>
  ({ word: dform(25, rs, ra, uimm16(v)), text: `oris ${r(ra)},${r(rs)},${hex(v)}` });
export const xori = (ra: number, rs: number, v: number): Insn =>
  ({ word: dform(26, rs, ra, uimm16(v)), text: `xori ${r(ra)},${r(rs)},${hex(v)}` });
export const xoris = (ra: number, rs: number, v: number): Insn =>
  ({ word: dform(27, rs, ra, uimm16(v)), text: `xoris ${r(ra)},${r(rs)},${hex(v)}` });
export const andi_ = (ra: number, rs: number, v: number): Insn =>
  ({ word: dform(28, rs, ra, uimm16(v)), text: `andi. ${r(ra)},${r(rs)},${hex(v)}` });
export const andis_ = (ra: number, rs: number, v: number): Insn =>
  ({ word: dform(29, rs, ra, uimm16(v)), text: `andis. ${r(ra)},${r(rs)},${hex(v)}` });
export const addic = (rt: number, ra: number, v: number, rc = 0): Insn =>
  ({ word: dform(rc ? 13 : 12, rt, ra, simm16(v)), text: `addic${rc ? '.' : ''} ${r(rt)},${r(ra)},${hex(v)}` });
export const subfic = (rt: number, ra: number, v: number): Insn =>
  ({ word: dform(8, rt, ra, simm16(v)), text: `subfic ${r(rt)},${r(ra)},${hex(v)}` });
export const mulli = (rt: number, ra: number, v: number): Insn =>
  ({ word: dform(7, rt, ra, simm16(v)), text: `mulli ${r(rt)},${r(ra)},${hex(v)}` });

/** XO-form arithmetic: name -> extended opcode; unary ones ignore rb. */
export const XO_OPS = {
  add: 266, addc: 10, adde: 138, subf: 40, subfc: 8, subfe: 136, mullw: 235, divw: 491, divwu: 459,
  addme: 234, addze: 202, subfme: 232, subfze: 200, neg: 104, mulhw: 75, mulhwu: 11,
} as const;
export type XoOp = keyof typeof XO_OPS;
export const UNARY_XO: ReadonlySet<XoOp> = new Set<XoOp>(['addme', 'addze', 'subfme', 'subfze', 'neg']);
export const xo = (op: XoOp, rt: number, ra: number, rb: number, oe: number, rc: number): Insn => {
  if ((op === 'mulhw' || op === 'mulhwu') && oe) throw new Error(`${op} has no OE form`);
  const unary = UNARY_XO.has(op);
  const word = xoform(rt, ra, unary ? 0 : rb, XO_OPS[op], oe, rc);
  const name = `${op}${oe ? 'o' : ''}${rc ? '.' : ''}`;
  return { word, text: unary ? `${name} ${r(rt)},${r(ra)}` : `${name} ${r(rt)},${r(ra)},${r(rb)}` };
};

/** X-form logical/shift ops (rs -> ra): name -> extended opcode. */
export const LOGIC_OPS = {
  and: 28, or: 444, xor: 316, nand: 476, nor: 124, eqv: 284, andc: 60, orc: 412,
  slw: 24, srw: 536, sraw: 792,
} as const;
export type LogicOp = keyof typeof LOGIC_OPS;
export const logic = (op: LogicOp, ra: number, rs: number, rb: number, rc: number): Insn =>
  ({ word: xform(31, rs, ra, rb, LOGIC_OPS[op], rc), text: `${op}${rc ? '.' : ''} ${r(ra)},${r(rs)},${r(rb)}` });
export const UNARY_LOGIC = { extsb: 954, extsh: 922, cntlzw: 26 } as const;
export type UnaryLogicOp = keyof typeof UNARY_LOGIC;
export const unaryLogic = (op: UnaryLogicOp, ra: number, rs: number, rc: number): Insn =>
  ({ word: xform(31, rs, ra, 0, UNARY_LOGIC[op], rc), text: `${op}${rc ? '.' : ''} ${r(ra)},${r(rs)}` });
export const srawi = (ra: number, rs: number, sh: number, rc: number): Insn =>
  ({ word: xform(31, rs, ra, sh, 824, rc), text: `srawi${rc ? '.' : ''} ${r(ra)},${r(rs)},${sh}` });
export const rlwinm = (ra: number, rs: number, sh: number, mb: number, me: number, rc = 0): Insn =>
  ({ word: mform(21, rs, ra, sh, mb, me, rc), text: `rlwinm${rc ? '.' : ''} ${r(ra)},${r(rs)},${sh},${mb},${me}` });
export const rlwnm = (ra: number, rs: number, rb: number, mb: number, me: number, rc = 0): Insn =>
  ({ word: mform(23, rs, ra, rb, mb, me, rc), text: `rlwnm${rc ? '.' : ''} ${r(ra)},${r(rs)},${r(rb)},${mb},${me}` });
export const rlwimi = (ra: number, rs: number, sh: number, mb: number, me: number, rc = 0): Insn =>
  ({ word: mform(20, rs, ra, sh, mb, me, rc), text: `rlwimi${rc ? '.' : ''} ${r(ra)},${r(rs)},${sh},${mb},${me}` });
export const mr = (ra: number, rs: number): Insn => ({ ...logic('or', ra, rs, rs, 0), text: `mr ${r(ra)},${r(rs)}` });

// ---- compares, CR, XER, SPRs ----
export const cmpw = (bf: number, ra: number, rb: number, unsigned: boolean): Insn =>
  ({ word: xform(31, bf << 2, ra, rb, unsigned ? 32 : 0), text: `${unsigned ? 'cmplw' : 'cmpw'} cr${bf},${r(ra)},${r(rb)}` });
export const cmpwi = (bf: number, ra: number, v: number): Insn =>
  ({ word: dform(11, bf << 2, ra, simm16(v)), text: `cmpwi cr${bf},${r(ra)},${hex(v)}` });
export const cmplwi = (bf: number, ra: number, v: number): Insn =>
  ({ word: dform(10, bf << 2, ra, uimm16(v)), text: `cmplwi cr${bf},${r(ra)},${hex(v)}` });
export const CR_OPS = { crand: 257, cror: 449, crxor: 193, crnand: 225, crnor: 33, creqv: 289, crandc: 129, crorc: 417 } as const;
export type CrOp = keyof typeof CR_OPS;
export const crop = (op: CrOp, bt: number, ba: number, bb: number): Insn =>
  ({ word: xlform(bt, ba, bb, CR_OPS[op]), text: `${op} ${bt},${ba},${bb}` });
export const mcrf = (bf: number, bfa: number): Insn =>
  ({ word: xlform(bf << 2, bfa << 2, 0, 0), text: `mcrf cr${bf},cr${bfa}` });
export const mcrxr = (bf: number): Insn => ({ word: xform(31, bf << 2, 0, 0, 512), text: `mcrxr cr${bf}` });
export const isel = (rt: number, ra: number, rb: number, bc: number): Insn =>
  ({ word: u((31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (chk(bc, 5, 'bc') << 6) | (15 << 1)),
    text: `isel ${r(rt)},${ra === 0 ? '0' : r(ra)},${r(rb)},${bc}` });
export const mfcr = (rt: number): Insn => ({ word: xform(31, rt, 0, 0, 19), text: `mfcr ${r(rt)}` });
export const mfocrf = (rt: number, fxm: number): Insn =>
  ({ word: u(xform(31, rt, 0, 0, 19) | (1 << 20) | (chk(fxm, 8, 'fxm') << 12)), text: `mfocrf ${r(rt)},${hex(fxm)}` });
export const mtcrf = (fxm: number, rs: number): Insn =>
  ({ word: u(xform(31, rs, 0, 0, 144) | (chk(fxm, 8, 'fxm') << 12)), text: `mtcrf ${hex(fxm)},${r(rs)}` });
export const mtocrf = (fxm: number, rs: number): Insn =>
  ({ word: u(xform(31, rs, 0, 0, 144) | (1 << 20) | (chk(fxm, 8, 'fxm') << 12)), text: `mtocrf ${hex(fxm)},${r(rs)}` });
const sprField = (n: number): number => ((n & 0x1f) << 16) | ((n >> 5) << 11);
export const mfspr = (rt: number, spr: number): Insn =>
  ({ word: u((31 << 26) | (rt << 21) | sprField(spr) | (339 << 1)), text: `mfspr ${r(rt)},${spr}` });
export const mtspr = (spr: number, rs: number): Insn =>
  ({ word: u((31 << 26) | (rs << 21) | sprField(spr) | (467 << 1)), text: `mtspr ${spr},${r(rs)}` });
export const SPR = { XER: 1, LR: 8, CTR: 9 } as const;

// ---- loads and stores ----
export const LOAD_STORE_D = {
  lwz: 32, lwzu: 33, lbz: 34, lbzu: 35, stw: 36, stwu: 37, stb: 38, stbu: 39,
  lhz: 40, lhzu: 41, lha: 42, lhau: 43, sth: 44, sthu: 45, lmw: 46, stmw: 47,
  lfs: 48, lfsu: 49, lfd: 50, lfdu: 51, stfs: 52, stfsu: 53, stfd: 54, stfdu: 55,
} as const;
export type DMemOp = keyof typeof LOAD_STORE_D;
export const dmem = (op: DMemOp, rt: number, d: number, ra: number): Insn => {
  const fp = op.startsWith('lf') || op.startsWith('stf');
  return { word: dform(LOAD_STORE_D[op], rt, ra, simm16(d)), text: `${op} ${fp ? f(rt) : r(rt)},${d}(${ra === 0 ? '0' : r(ra)})` };
};
export const LOAD_STORE_X = {
  lwzx: 23, lwzux: 55, lbzx: 87, lbzux: 119, stwx: 151, stwux: 183, stbx: 215, stbux: 247,
  lhzx: 279, lhzux: 311, lhax: 343, lhaux: 375, sthx: 407, sthux: 439,
  lhbrx: 790, lwbrx: 534, sthbrx: 918, stwbrx: 662,
  lfsx: 535, lfsux: 567, lfdx: 599, lfdux: 631, stfsx: 663, stfsux: 695, stfdx: 727, stfdux: 759, stfiwx: 983,
} as const;
export type XMemOp = keyof typeof LOAD_STORE_X;
export const xmem = (op: XMemOp, rt: number, ra: number, rb: number): Insn => {
  const fp = op.startsWith('lf') || op.startsWith('stf');
  return { word: xform(31, rt, ra, rb, LOAD_STORE_X[op]), text: `${op} ${fp ? f(rt) : r(rt)},${ra === 0 ? '0' : r(ra)},${r(rb)}` };
};

// ---- floating point ----
/** A-form ops: [opcode 63 xo, has FRA, has FRB, has FRC] */
export const FP_A = {
  fadd: [21, 1, 1, 0], fsub: [20, 1, 1, 0], fmul: [25, 1, 0, 1], fdiv: [18, 1, 1, 0],
  fmadd: [29, 1, 1, 1], fmsub: [28, 1, 1, 1], fnmadd: [31, 1, 1, 1], fnmsub: [30, 1, 1, 1], fsel: [23, 1, 1, 1],
} as const;
export type FpAOp = keyof typeof FP_A;
export const fpA = (op: FpAOp, single: boolean, frt: number, fra: number, frb: number, frc: number, rc: number): Insn => {
  if (single && op === 'fsel') throw new Error('fsel has no single form');
  const [xo, hasA, hasB, hasC] = FP_A[op];
  const word = aform(single ? 59 : 63, frt, hasA ? fra : 0, hasB ? frb : 0, hasC ? frc : 0, xo, rc);
  const ops = [f(frt)];
  if (hasA) ops.push(f(fra));
  if (hasC) ops.push(f(frc));
  if (hasB) ops.push(f(frb));
  return { word, text: `${op}${single ? 's' : ''}${rc ? '.' : ''} ${ops.join(',')}` };
};
export const FP_X = { fmr: 72, fneg: 40, fabs: 264, fnabs: 136, frsp: 12, fctiw: 14, fctiwz: 15 } as const;
export type FpXOp = keyof typeof FP_X;
export const fpX = (op: FpXOp, frt: number, frb: number, rc: number): Insn =>
  ({ word: xform(63, frt, 0, frb, FP_X[op], rc), text: `${op}${rc ? '.' : ''} ${f(frt)},${f(frb)}` });
export const fcmp = (bf: number, fra: number, frb: number, ordered: boolean): Insn =>
  ({ word: xform(63, bf << 2, fra, frb, ordered ? 32 : 0), text: `${ordered ? 'fcmpo' : 'fcmpu'} cr${bf},${f(fra)},${f(frb)}` });
export const mffs = (frt: number): Insn => ({ word: xform(63, frt, 0, 0, 583), text: `mffs ${f(frt)}` });
export const mtfsf = (fm: number, frb: number): Insn =>
  ({ word: u((63 << 26) | (chk(fm, 8, 'fm') << 17) | (frb << 11) | (711 << 1)), text: `mtfsf ${hex(fm)},${f(frb)}` });
export const mtfsfi = (bf: number, imm: number): Insn =>
  ({ word: u((63 << 26) | (bf << 23) | (chk(imm, 4, 'imm') << 12) | (134 << 1)), text: `mtfsfi ${bf},${imm}` });
export const mtfsb0 = (bt: number): Insn => ({ word: xform(63, bt, 0, 0, 70), text: `mtfsb0 ${bt}` });
export const mtfsb1 = (bt: number): Insn => ({ word: xform(63, bt, 0, 0, 38), text: `mtfsb1 ${bt}` });
export const mcrfs = (bf: number, bfa: number): Insn =>
  ({ word: xform(63, bf << 2, bfa << 2, 0, 64), text: `mcrfs cr${bf},${bfa}` });

// ---- control (used by the image runtime) ----
export const B = (offset: number, lk = 0): number => u((18 << 26) | (offset & 0x03fffffc) | lk);
export const BC = (bo: number, bi: number, offset: number): number =>
  u((16 << 26) | (bo << 21) | (bi << 16) | (offset & 0xfffc));
export const BLR = 0x4e800020;
export const SC = 0x44000002;
export const ISYNC = 0x4c00012c;
export const MBAR = 0x7c0006ac;
export const TLBWE = 0x7c0007a4;
export const mtmsr = (rs: number): number => xform(31, rs, 0, 0, 146);
export const mfmsr = (rt: number): number => xform(31, rt, 0, 0, 83);
