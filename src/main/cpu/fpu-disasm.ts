// One-line disassembly of the classic FP instructions (primary opcodes 59 and
// 63) that the e500mc accepts, in GNU objdump's syntax ("fmadd. f1,f2,f3,f4",
// "fcmpu cr3,f1,f2", "mtfsf 255,f0"; mtfsf with L=1 is shown as objdump's
// generic "mtfsf 255,f0,1"). Encodings the e500mc rejects give null.

/* eslint-disable no-bitwise */

const A_FORM_63: Record<number, [string, string]> = {
  18: ['fdiv', 'TAB'], 20: ['fsub', 'TAB'], 21: ['fadd', 'TAB'], 23: ['fsel', 'TACB'],
  25: ['fmul', 'TAC'], 26: ['frsqrte', 'TB'], 28: ['fmsub', 'TACB'], 29: ['fmadd', 'TACB'],
  30: ['fnmsub', 'TACB'], 31: ['fnmadd', 'TACB'],
};
const A_FORM_59: Record<number, [string, string]> = {
  18: ['fdivs', 'TAB'], 20: ['fsubs', 'TAB'], 21: ['fadds', 'TAB'], 24: ['fres', 'TB'],
  25: ['fmuls', 'TAC'], 28: ['fmsubs', 'TACB'], 29: ['fmadds', 'TACB'], 30: ['fnmsubs', 'TACB'],
  31: ['fnmadds', 'TACB'],
};
/** fields that must be zero (QEMU's "invalid bits" for these A-form handlers) */
const A_INVAL: Record<string, number> = { TAB: 0x7c0, TAC: 0xf800, TB: 0x001f07c0, TACB: 0 };

const X_FORM_63: Record<number, [string, string, number]> = {
  // xo10: name, operand kind, invalid-bit mask
  0: ['fcmpu', 'cmp', 0x00600001],
  32: ['fcmpo', 'cmp', 0x00600001],
  64: ['mcrfs', 'mcrfs', 0x0063f801],
  38: ['mtfsb1', 'bt', 0x001ff800],
  70: ['mtfsb0', 'bt', 0x001ff800],
  134: ['mtfsfi', 'fsfi', 0x006f0800],
  583: ['mffs', 'T', 0x001f0000],
  711: ['mtfsf', 'fsf', 0x00010000],
  12: ['frsp', 'TB', 0x001f0000],
  14: ['fctiw', 'TB', 0x001f0000],
  15: ['fctiwz', 'TB', 0x001f0000],
  40: ['fneg', 'TB', 0x001f0000],
  72: ['fmr', 'TB', 0x001f0000],
  136: ['fnabs', 'TB', 0x001f0000],
  264: ['fabs', 'TB', 0x001f0000],
};

export function disassembleFp(insn: number): string | null {
  insn >>>= 0;
  const opcd = insn >>> 26;
  if (opcd !== 59 && opcd !== 63) return null;
  const t = (insn >>> 21) & 31;
  const a = (insn >>> 16) & 31;
  const b = (insn >>> 11) & 31;
  const c = (insn >>> 6) & 31;
  const dot = insn & 1 ? '.' : '';
  const xo5 = (insn >>> 1) & 31;
  const aform = (opcd === 59 ? A_FORM_59 : A_FORM_63)[xo5];
  if (aform) {
    const [name, kind] = aform;
    if (insn & A_INVAL[kind]) return null;
    const ops = kind === 'TAB' ? [t, a, b] : kind === 'TAC' ? [t, a, c] : kind === 'TB' ? [t, b] : [t, a, c, b];
    return `${name}${dot} ${ops.map((r) => `f${r}`).join(',')}`;
  }
  if (opcd !== 63) return null;
  const xform = X_FORM_63[(insn >>> 1) & 0x3ff];
  if (!xform) return null;
  const [name, kind, inval] = xform;
  if (insn & inval) return null;
  switch (kind) {
    case 'cmp': return `${name} cr${t >>> 2},f${a},f${b}`;
    case 'mcrfs': return `${name} cr${t >>> 2},cr${a >>> 2}`;
    case 'bt': return `${name}${dot} ${t}`;
    case 'fsfi': return `${name}${dot} ${t >>> 2},${(insn >>> 12) & 15}`;
    case 'T': return `${name}${dot} f${t}`;
    case 'fsf': return `${name}${dot} ${(insn >>> 17) & 0xff},f${b}${insn & 0x02000000 ? ',1' : ''}`;
    default: return `${name}${dot} f${t},f${b}`;
  }
}
