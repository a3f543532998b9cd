// The classic FPU (src/main/cpu/fpu.ts) against vectors captured from QEMU 7.2
// (qemu-system-ppc -M ppce500 -cpu e500mc) by resources/guests/fpvectors, plus
// hand-written cases. Regenerate the fixture with test/fixtures/fpu/generate.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  disassembleFp, executeFp, FP_ENABLED, FP_ILLEGAL, FP_OK, FpuState, fpscrStore, loadSingle, storeSingle,
} from '../../../src/main/cpu/fpu';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'fpu');

interface Vector {
  line: number;
  insn: number;
  fpscr: number;
  cr: number;
  mode: number;
  in: [string, string, string, string]; // f1..f4 as 16 hex digits
  tOut: string;
  fpscrOut: number;
  crOut: number;
  trap: number;
}

const hex16 = (s: string): string => s.padStart(16, '0');
const h32 = (s: string): number => parseInt(s, 16) >>> 0;

function loadFixture(): { oracle: string; vectors: Vector[]; probes: [number, number][]; loads: [number, string][]; stores: [string, number][] } {
  const text = gunzipSync(readFileSync(join(FIXTURES, 'vectors.txt.gz'))).toString('latin1');
  const oracle = /^# oracle: (.*)$/m.exec(text)?.[1] ?? '';
  const vectors: Vector[] = [];
  const probes: [number, number][] = [];
  const loads: [number, string][] = [];
  const stores: [string, number][] = [];
  text.split('\n').forEach((l, i) => {
    const f = l.split(' ');
    if (f[0] === 'V') {
      vectors.push({
        line: i + 1, insn: h32(f[1]), fpscr: h32(f[2]), cr: h32(f[3]), mode: h32(f[4]),
        in: [hex16(f[5]), hex16(f[6]), hex16(f[7]), hex16(f[8])],
        tOut: hex16(f[9]), fpscrOut: h32(f[10]), crOut: h32(f[11]), trap: h32(f[12]),
      });
    } else if (f[0] === 'P') {
      probes.push([h32(f[1]), h32(f[2])]);
    } else if (f[0] === 'L') {
      loads.push([h32(f[1]), hex16(f[2])]);
    } else if (f[0] === 'S') {
      stores.push([hex16(f[1]), h32(f[2])]);
    }
  });
  return { oracle, vectors, probes, loads, stores };
}

const { oracle, vectors, probes, loads, stores } = loadFixture();

function setFpr(st: FpuState, i: number, v: string): void {
  st.w[2 * i + 1] = parseInt(v.slice(0, 8), 16) >>> 0;
  st.w[2 * i] = parseInt(v.slice(8), 16) >>> 0;
}
function getFpr(st: FpuState, i: number): string {
  return st.w[2 * i + 1].toString(16).padStart(8, '0') + st.w[2 * i].toString(16).padStart(8, '0');
}
const x8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

const FPSCR_FR = 0x00040000;
const FPSCR_FPRF = 0x0001f000;
const ESR_FP = 0x01000000;

function isConversion(insn: number): boolean {
  const xo = (insn >>> 1) & 0x3ff;
  return insn >>> 26 === 63 && (xo === 14 || xo === 15);
}

/**
 * Runs one vector. The comparison masks what the Power ISA leaves undefined,
 * where QEMU 7.2 is not an oracle (shared/reference/qemu-and-toolchain.md):
 * FPSCR[FR] (QEMU never sets it), and for fctiw/fctiwz the upper word of the
 * result and FPRF. `strict` compares those too (fpu.ts reproduces QEMU there).
 */
function check(v: Vector, strict: boolean): string | null {
  const st = new FpuState();
  st.msrFE = v.mode !== 0;
  v.in.forEach((x, i) => setFpr(st, i + 1, x));
  // the guest wrote the input FPSCR with mtfsf, which recomputes FEX and VX
  st.fpscr = fpscrStore(v.fpscr);
  const cr = executeFp(st, v.insn, v.cr);
  let fpscrMask = strict ? 0xffffffff : ~FPSCR_FR;
  let t = getFpr(st, 4);
  let tExp = v.tOut;
  if (!strict && isConversion(v.insn)) {
    fpscrMask &= ~FPSCR_FPRF;
    t = t.slice(8);
    tExp = tExp.slice(8);
  }
  const problems: string[] = [];
  if (st.status === FP_ILLEGAL) problems.push('illegal');
  if (t !== tExp) problems.push(`f4 ${t} != ${tExp}`);
  if (((st.fpscr ^ v.fpscrOut) & fpscrMask) !== 0) problems.push(`fpscr ${x8(st.fpscr)} != ${x8(v.fpscrOut)}`);
  if (cr >>> 0 !== v.crOut) problems.push(`cr ${x8(cr)} != ${x8(v.crOut)}`);
  if (v.mode !== 0) {
    // precise mode: QEMU took a floating-point enabled interrupt exactly when executeFp says so
    const trapped = v.trap !== 0;
    if (trapped && (v.trap & ESR_FP) === 0) problems.push(`unexpected ESR ${x8(v.trap)}`);
    if (trapped !== (st.status === FP_ENABLED)) problems.push(`status ${st.status}, QEMU trap ${x8(v.trap)}`);
  } else if (v.trap !== 0) {
    problems.push(`QEMU trapped with exceptions ignored: ${x8(v.trap)}`);
  }
  if (problems.length === 0) return null;
  return `line ${v.line}: ${disassembleFp(v.insn) ?? x8(v.insn)} fpscr_in=${x8(v.fpscr)} mode=${v.mode} ` +
    `in=${v.in.join(',')}: ${problems.join('; ')}`;
}

function mnemonic(insn: number): string {
  const d = disassembleFp(insn);
  return d === null ? `invalid ${x8(insn)}` : d.split(' ')[0].replace(/\.$/, '');
}

describe('fpu: QEMU vectors', () => {
  it('the fixture holds vectors and decode probes, and names the QEMU that produced them', () => {
    expect(oracle).toMatch(/^QEMU emulator version \d+\.\d+.*-M ppce500 -cpu e500mc$/);
    expect(vectors.length).toBeGreaterThan(20000);
    expect(probes.length).toBe(4096);
  });

  const byName = new Map<string, Vector[]>();
  for (const v of vectors) {
    const name = mnemonic(v.insn);
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(v);
  }
  for (const [name, list] of [...byName.entries()].sort()) {
    it(`${name}: ${list.length} vectors bit-exact (undefined fields masked)`, () => {
      const failures: string[] = [];
      for (const v of list) {
        const f = check(v, false);
        if (f) failures.push(f);
      }
      expect(failures.slice(0, 15), `${failures.length} of ${list.length} failed`).toEqual([]);
    });
  }

  it('QEMU\'s choices for the undefined fields (FR, fctiw upper word and FPRF) match too', () => {
    const failures: string[] = [];
    for (const v of vectors) {
      const f = check(v, true);
      if (f) failures.push(f);
    }
    expect(failures.slice(0, 15), `${failures.length} failed`).toEqual([]);
  });
});

// ---------------------------------------------------------------- decode

/** the probe field patterns for instruction bits 6..20 (fpvectors.c probe_fields) */
function probeFields(i: number): number {
  if (i === 0) return 0;
  if (i === 1) return 0x7fff;
  if (i === 17) return (4 << 10) | (1 << 5) | 2;
  return 1 << (i - 2);
}

describe('fpu: decode', () => {
  it('accepts exactly the encodings QEMU\'s e500mc accepts (73,728 probes)', () => {
    const failures: string[] = [];
    for (const [key, mask] of probes) {
      const opcd = key >>> 11;
      for (let i = 0; i < 18; i++) {
        const insn = ((opcd << 26) | (probeFields(i) << 11) | (key & 0x7ff)) >>> 0;
        const st = new FpuState();
        st.msrFE = false;
        for (let r = 0; r < 32; r++) st.f[r] = 1;
        executeFp(st, insn, 0);
        const illegal = st.status === FP_ILLEGAL;
        if (illegal !== ((mask >>> i) & 1) > 0) failures.push(`${x8(insn)}: ours ${illegal ? 'illegal' : 'legal'}`);
        if (illegal !== (disassembleFp(insn) === null)) failures.push(`${x8(insn)}: disassembly disagrees`);
      }
    }
    expect(failures.slice(0, 20), `${failures.length} mismatches`).toEqual([]);
  });

  it('an illegal encoding modifies nothing', () => {
    const illegalWords = [
      0xfc20102c, // fsqrt f1,f2 (no FLOAT_FSQRT)
      0xec20102c, // fsqrts
      0xfc201030, // fre (FLOAT_EXT)
      0xec201034, // frsqrtes
      0xfc22180e | (1 << 21), // fcpsgn-like 0x3f/0x08/0x00
      0xfc20165c, // fctid f1,f2
      0xfc20169c, // fcfid f1,f2
      0xfc201310, // frin f1,f2
      0xfc22186a, // fadd with frC != 0
      0xfc2218b2 | (5 << 11), // fmul with frB != 0
      0xfc01048e, // mffsce
      0xfffe058f | 0x10000, // mtfsf W=1
      0xff81310c, // mtfsfi W=1
      0xfc011001, // fcmpu with Rc=1
      0x7c000000, // not FP at all
    ];
    for (const insn of illegalWords) {
      const st = new FpuState();
      for (let r = 0; r < 32; r++) st.f[r] = r + 0.5;
      st.fpscr = 0x82004000;
      const before = new Uint32Array(st.w);
      const cr = executeFp(st, insn >>> 0, 0x12345678);
      expect(st.status, x8(insn)).toBe(FP_ILLEGAL);
      expect(cr).toBe(0x12345678);
      expect(st.fpscr).toBe(0x82004000);
      expect([...st.w]).toEqual([...before]);
      expect(disassembleFp(insn >>> 0)).toBeNull();
    }
  });
});

// ---------------------------------------------------------------- disassembly

describe('fpu: disassembly', () => {
  it('matches GNU objdump for every legal instruction word in the fixtures', () => {
    const lines = readFileSync(join(FIXTURES, 'disasm.txt'), 'utf8').split('\n');
    let compared = 0;
    const failures: string[] = [];
    for (const l of lines) {
      if (!l || l.startsWith('#')) continue;
      const sp = l.indexOf(' ');
      const insn = parseInt(l.slice(0, sp), 16) >>> 0;
      const theirs = l.slice(sp + 1);
      const st = new FpuState();
      st.msrFE = false;
      executeFp(st, insn, 0);
      if (st.status === FP_ILLEGAL) continue; // objdump decodes some encodings the e500mc rejects
      compared++;
      const ours = disassembleFp(insn);
      if (ours !== theirs) failures.push(`${x8(insn)}: ${ours} != ${theirs}`);
    }
    expect(compared).toBeGreaterThan(1000);
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('formats each operand kind', () => {
    expect(disassembleFp(0xfc2220fb)).toBe('fmadd. f1,f2,f3,f4');
    expect(disassembleFp(0xfd811000)).toBe('fcmpu cr3,f1,f2');
    expect(disassembleFp(0xfc880080)).toBe('mcrfs cr1,cr2');
    expect(disassembleFp(0xfdfe0d8e)).toBe('mtfsf 255,f1');
    expect(disassembleFp(0xfffe058f)).toBe('mtfsf. 255,f0,1');
    expect(disassembleFp(0xff80310c)).toBe('mtfsfi 7,3');
    expect(disassembleFp(0xffe0008c)).toBe('mtfsb0 31');
    expect(disassembleFp(0xfca0048f)).toBe('mffs. f5');
    expect(disassembleFp(0xec201030)).toBe('fres f1,f2');
    expect(disassembleFp(0xec2200f2)).toBe('fmuls f1,f2,f3');
    expect(disassembleFp(0xfc201018)).toBe('frsp f1,f2');
    expect(disassembleFp(0x7c221a14)).toBeNull(); // add r1,r2,r3
  });
});

// ---------------------------------------------------------------- hand-written cases

function fpr(st: FpuState, i: number): string {
  return getFpr(st, i);
}
function run(insn: number, regs: Record<number, string>, fpscr = 0, msrFE = true): { st: FpuState; cr: number } {
  const st = new FpuState();
  st.msrFE = msrFE;
  for (const [r, v] of Object.entries(regs)) setFpr(st, Number(r), v);
  st.fpscr = fpscr;
  const cr = executeFp(st, insn, 0);
  return { st, cr };
}
const FMADD_1_2_3_4 = 0xfc2220fa; // fmadd f1,f2,f3,f4: f1 = f2*f3 + f4
const FMADDS_1_2_3_4 = 0xec2220fa;

describe('fpu: arithmetic details', () => {
  it('fmadd: single rounding on a halfway product', () => {
    // (1 + 2^-26)(1 + 2^-27) = 1 + 2^-26 + 2^-27 + 2^-53: exactly halfway between two doubles
    const a = '3ff0000004000000';
    const c = '3ff0000002000000';
    const { st } = run(FMADD_1_2_3_4, { 2: a, 3: c, 4: '0000000000000000' });
    expect(fpr(st, 1)).toBe('3ff0000006000000'); // tie to even: down
    expect(st.fpscr & 0x02020000).toBe(0x02020000); // XX FI
    // a tiny addend (2^-80) decides the tie; rounding the product first would lose it
    const r2 = run(FMADD_1_2_3_4, { 2: a, 3: c, 4: '3af0000000000000' });
    expect(fpr(r2.st, 1)).toBe('3ff0000006000001');
    const r3 = run(FMADD_1_2_3_4, { 2: a, 3: c, 4: 'baf0000000000000' });
    expect(fpr(r3.st, 1)).toBe('3ff0000006000000');
  });

  it('fmadd: exact cancellation gives +0, fnmadd gives -0', () => {
    const a = '3ff8000000000000'; // 1.5
    const b = '4000000000000000'; // 2
    const r = run(FMADD_1_2_3_4, { 2: a, 3: b, 4: 'c008000000000000' });
    expect(fpr(r.st, 1)).toBe('0000000000000000');
    const n = run(0xfc2220fe, { 2: a, 3: b, 4: 'c008000000000000' }); // fnmadd
    expect(fpr(n.st, 1)).toBe('8000000000000000');
    const d = run(FMADD_1_2_3_4, { 2: a, 3: b, 4: 'c008000000000000' }, 3); // round toward -inf
    expect(fpr(d.st, 1)).toBe('8000000000000000');
  });

  it('fmadds: rounds the exact sum once to single precision', () => {
    // 1 + 2^-24 is halfway between two singles; 2^-80 pushes it up
    const r = run(FMADDS_1_2_3_4, { 2: '3ff0000000000000', 3: '3ff0000010000000', 4: '3af0000000000000' });
    expect(fpr(r.st, 1)).toBe('3ff0000020000000');
    const t = run(FMADDS_1_2_3_4, { 2: '3ff0000000000000', 3: '3ff0000010000000', 4: '0000000000000000' });
    expect(fpr(t.st, 1)).toBe('3ff0000000000000');
  });

  it('fadds: no double rounding in the directed modes either', () => {
    // 1 + 2^-24 + 2^-60 rounded up (RN = 0, RZ = 1, RP = 2, RM = 3)
    const regs = { 2: '3ff0000010000000', 4: '3c30000000000000' };
    const fadds = 0xec22202a; // fadds f1,f2,f4
    expect(fpr(run(fadds, regs, 0).st, 1)).toBe('3ff0000020000000');
    expect(fpr(run(fadds, regs, 1).st, 1)).toBe('3ff0000000000000');
    expect(fpr(run(fadds, regs, 2).st, 1)).toBe('3ff0000020000000');
    expect(fpr(run(fadds, regs, 3).st, 1)).toBe('3ff0000000000000');
  });

  it('fadd: NaN propagation prefers frA, quiets SNaNs and keeps payloads', () => {
    const fadd = 0xfc22202a; // fadd f1,f2,f4
    const r = run(fadd, { 2: '7ff0000000001234', 4: '7ff8000000005678' });
    expect(fpr(r.st, 1)).toBe('7ff8000000001234');
    expect(r.st.fpscr >>> 0).toBe(0xa1011000); // FX VX VXSNAN, FPRF = QNaN
    const q = run(fadd, { 2: '3ff0000000000000', 4: 'fff0000000005678' });
    expect(fpr(q.st, 1)).toBe('fff8000000005678');
  });

  it('fadd: enabled invalid operation leaves the target and CR1 alone', () => {
    const faddDot = 0xfc22202b; // fadd. f1,f2,f4
    const { st, cr } = run(faddDot, { 1: '1234567812345678', 2: '7ff0000000000000', 4: 'fff0000000000000' }, 0x80);
    expect(st.status).toBe(FP_ENABLED);
    expect(fpr(st, 1)).toBe('1234567812345678');
    expect(cr).toBe(0);
    expect(st.fpscr >>> 0).toBe(0xe0800080); // FX FEX VX VXISI, VE
  });

  it('fadd: with exceptions ignored (MSR[FE]=0) QEMU writes the default NaN anyway', () => {
    const faddDot = 0xfc22202b;
    const { st, cr } = run(faddDot, { 1: '1234567812345678', 2: '7ff0000000000000', 4: 'fff0000000000000' }, 0x80, false);
    expect(st.status).toBe(FP_ENABLED);
    expect(fpr(st, 1)).toBe('7ff8000000000000');
    expect(cr).toBe(0x0e000000);
  });

  it('fdiv: overflow with OE=1 delivers the exponent-adjusted result', () => {
    const fdiv = 0xfc222024; // fdiv f1,f2,f4
    const { st } = run(fdiv, { 2: '7fe0000000000000', 4: '0010000000000000' }, 0x40);
    // 2^1023 / 2^-1022 = 2^2045, adjusted by -1536 -> 2^509
    expect(fpr(st, 1)).toBe('5fc0000000000000');
    expect(st.status).toBe(FP_ENABLED);
    expect(st.fpscr & 0x50000000).toBe(0x50000000); // OX FEX
  });

  it('fctiw: saturates with VXCVI, NaN gives 0x80000000', () => {
    const fctiw = 0xfc20201c; // fctiw f1,f4
    const big = run(fctiw, { 4: '41f0000000000000' }); // 2^32
    expect(fpr(big.st, 1).slice(8)).toBe('7fffffff');
    expect(big.st.fpscr & 0x20000100).toBe(0x20000100);
    const nan = run(fctiw, { 4: '7ff8000000000000' });
    expect(fpr(nan.st, 1).slice(8)).toBe('80000000');
    const half = run(fctiw, { 4: 'c004000000000000' }); // -2.5 -> -2 (to even)
    expect(fpr(half.st, 1).slice(8)).toBe('fffffffe');
  });

  it('fcmpo: unordered with a QNaN sets VXVC, fcmpu does not', () => {
    const fcmpo = 0xfd822040; // fcmpo cr3,f2,f4
    const o = run(fcmpo, { 2: '7ff8000000000000', 4: '0' }, 0x00020000);
    expect(o.cr).toBe(0x00010000); // CR3 = FU
    expect(o.st.fpscr >>> 0).toBe(0xa0091000); // FX VX VXVC, FPRF C|FU, FI cleared
    const u = run(0xfd822000, { 2: '7ff8000000000000', 4: '0' });
    expect(u.st.fpscr >>> 0).toBe(0x00001000);
  });

  it('mtfsb1 cannot set FEX, VX or NI; mtfsb0 of an enable recomputes FEX', () => {
    for (const bt of [1, 2, 29]) {
      const st = new FpuState();
      executeFp(st, (0xfc00004c | (bt << 21)) >>> 0, 0);
      expect(st.fpscr, `bit ${bt}`).toBe(0);
    }
    const st = new FpuState();
    st.fpscr = fpscrStore(0x82000008); // FX XX, XE -> FEX
    expect(st.fpscr >>> 0).toBe(0xc2000008);
    executeFp(st, 0xff80008c, 0); // mtfsb0 28 (XE)
    expect(st.fpscr >>> 0).toBe(0x82000000);
    expect(st.status).toBe(FP_OK);
  });
});

// ---------------------------------------------------------------- loads and stores

describe('fpu: single-precision loads and stores', () => {
  const load = (bits: number): string => {
    const st = new FpuState();
    loadSingle(st, 7, bits);
    return fpr(st, 7);
  };
  const store = (v: string): number => {
    const st = new FpuState();
    setFpr(st, 3, v);
    return storeSingle(st, 3);
  };

  it('loadSingle: normals, zeros, infinities', () => {
    expect(load(0x3f800000)).toBe('3ff0000000000000');
    expect(load(0xc0490fdb)).toBe('c00921fb60000000');
    expect(load(0x00000000)).toBe('0000000000000000');
    expect(load(0x80000000)).toBe('8000000000000000');
    expect(load(0x7f800000)).toBe('7ff0000000000000');
    expect(load(0xff7fffff)).toBe('c7efffffe0000000');
  });

  it('loadSingle: denormals are normalized', () => {
    expect(load(0x00000001)).toBe('36a0000000000000'); // 2^-149
    expect(load(0x80400000)).toBe('b800000000000000'); // -2^-127
    expect(load(0x007fffff)).toBe('380fffffc0000000');
  });

  it('loadSingle: NaN payloads and signalling NaNs are preserved', () => {
    expect(load(0x7fc00000)).toBe('7ff8000000000000');
    expect(load(0x7f800001)).toBe('7ff0000020000000'); // still signalling
    expect(load(0xffa5a5a5)).toBe('fff4b4b4a0000000');
  });

  it('storeSingle: exact conversion of single values, NaNs untouched', () => {
    expect(store('3ff0000000000000')).toBe(0x3f800000);
    expect(store('7ff0000020000000') >>> 0).toBe(0x7f800001);
    expect(store('fff4b4b4a0000000') >>> 0).toBe(0xffa5a5a5);
    expect(store('8000000000000000') >>> 0).toBe(0x80000000);
  });

  it('storeSingle: no rounding, denormalized by truncation', () => {
    expect(store('3ff0000010000000')).toBe(0x3f800000); // low bits dropped, not rounded
    expect(store('380fffffc0000000')).toBe(0x007fffff);
    expect(store('36a0000000000000')).toBe(0x00000001); // 2^-149
    expect(store('36afffffffffffff')).toBe(0x00000001); // truncated
    expect(store('b800000000000000') >>> 0).toBe(0x80400000);
    expect(store('3690000000000000')).toBe(0); // below the denormal range: QEMU gives zero
  });

  it(`loadSingle: ${loads.length} lfs results captured on QEMU`, () => {
    expect(loads.length).toBeGreaterThan(1000);
    const bad = loads.filter(([bits, d]) => load(bits) !== d).map(([bits, d]) => `${x8(bits)}: ${load(bits)} != ${d}`);
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it(`storeSingle: ${stores.length} stfs results captured on QEMU`, () => {
    expect(stores.length).toBeGreaterThan(1000);
    const bad = stores.filter(([d, bits]) => store(d) >>> 0 !== bits).map(([d, bits]) => `${d}: ${x8(store(d))} != ${x8(bits)}`);
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('loadSingle then storeSingle is the identity on every class', () => {
    for (const bits of [0x00000001, 0x00400000, 0x3f800001, 0x7f7fffff, 0x7f800000, 0x7fbfffff, 0xffc00001, 0x80000000]) {
      const st = new FpuState();
      loadSingle(st, 0, bits);
      expect(storeSingle(st, 0) >>> 0).toBe(bits >>> 0);
    }
  });
});
