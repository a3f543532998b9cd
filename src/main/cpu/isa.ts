// The e500mc instruction list: the one table the decoder, the disassembler,
// the trace view and the tests read. Each instruction has a small integer id
// that the interpreter's switch uses as a literal case label (so V8 compiles
// the dispatch to a jump table); test/unit/cpu/isa.test.ts checks that every
// id here has exactly one case in interp.ts and that the mnemonics agree.
//
// The set is what QEMU's e500mc model accepts (its insns_flags: base, isel,
// mftb, wrtee, rfdi, rfmci, cache and cache-lock ops, dcba, FP with fres,
// frsqrte, fsel and stfiwx, wait, tlbsync, tlbivax, sync; Book E 2.06 MMU
// ops incl. tlbilx; mcrxr and mfocrf/mtocrf). The string instructions
// (lswi/lswx/stswi/stswx), popcntb, lbarx and fsqrt are not implemented by
// e500mc (QEMU raises an illegal-instruction program interrupt for them), nor
// here. ehpriv, rfgi and msgsnd/msgclr belong to Embedded.Hypervisor and are
// decoded for the hypervisor.

import { disassembleFp } from './fpu';

export type Form =
  | 'none' | 'illegal' | 'fp'
  | 'D-arith' | 'D-logic' | 'D-cmp' | 'D-cmpl' | 'D-trap' | 'D-load' | 'D-store' | 'D-fload' | 'D-fstore' | 'D-multiple'
  | 'B' | 'I' | 'SC' | 'M-imm' | 'M-reg'
  | 'XL-cr' | 'XL-mcrf' | 'XL-branch' | 'XL-none'
  | 'X-cmp' | 'X-trap' | 'X-arith3' | 'X-arith2' | 'X-logic3' | 'X-logic2' | 'X-shift-imm'
  | 'X-load' | 'X-store' | 'X-fload' | 'X-fstore' | 'X-cache' | 'X-rt' | 'X-rs' | 'X-wrteei' | 'X-crf'
  | 'X-mfcr' | 'X-mtcrf' | 'X-spr-from' | 'X-spr-to' | 'X-pmr-from' | 'X-pmr-to' | 'X-tb' | 'X-tlbilx' | 'X-rb' | 'X-sync'
  | 'X-mbar' | 'X-wait' | 'A-isel' | 'X-ehpriv' | 'X-cachelock';

export interface InsnInfo {
  readonly id: number;
  readonly mnem: string;
  readonly primary: number;
  /** Extended opcode for primary 19 and 31 (10-bit field, bits 21-30). */
  readonly xo?: number;
  readonly form: Form;
  /** Supervisor-only (a program interrupt with ESR[PPR] from user mode). */
  readonly priv?: boolean;
  /** XO-form with an OE bit: `o` variants share the id. */
  readonly oe?: boolean;
  /** Has an Rc bit (record form). */
  readonly rc?: boolean;
}

// id, mnemonic, primary, xo, form, flags
type Row = [number, string, number, number | null, Form, string?];

const ROWS: Row[] = [
  [1, 'illegal', -1, null, 'illegal'],
  [2, 'twi', 3, null, 'D-trap'],
  [3, 'mulli', 7, null, 'D-arith'],
  [4, 'subfic', 8, null, 'D-arith'],
  [5, 'cmpli', 10, null, 'D-cmpl'],
  [6, 'cmpi', 11, null, 'D-cmp'],
  [7, 'addic', 12, null, 'D-arith'],
  [8, 'addic.', 13, null, 'D-arith'],
  [9, 'addi', 14, null, 'D-arith'],
  [10, 'addis', 15, null, 'D-arith'],
  [11, 'bc', 16, null, 'B'],
  [12, 'sc', 17, null, 'SC'],
  [13, 'b', 18, null, 'I'],
  [14, 'rlwimi', 20, null, 'M-imm', 'rc'],
  [15, 'rlwinm', 21, null, 'M-imm', 'rc'],
  [16, 'rlwnm', 23, null, 'M-reg', 'rc'],
  [17, 'ori', 24, null, 'D-logic'],
  [18, 'oris', 25, null, 'D-logic'],
  [19, 'xori', 26, null, 'D-logic'],
  [20, 'xoris', 27, null, 'D-logic'],
  [21, 'andi.', 28, null, 'D-logic'],
  [22, 'andis.', 29, null, 'D-logic'],
  [23, 'lwz', 32, null, 'D-load'],
  [24, 'lwzu', 33, null, 'D-load'],
  [25, 'lbz', 34, null, 'D-load'],
  [26, 'lbzu', 35, null, 'D-load'],
  [27, 'stw', 36, null, 'D-store'],
  [28, 'stwu', 37, null, 'D-store'],
  [29, 'stb', 38, null, 'D-store'],
  [30, 'stbu', 39, null, 'D-store'],
  [31, 'lhz', 40, null, 'D-load'],
  [32, 'lhzu', 41, null, 'D-load'],
  [33, 'lha', 42, null, 'D-load'],
  [34, 'lhau', 43, null, 'D-load'],
  [35, 'sth', 44, null, 'D-store'],
  [36, 'sthu', 45, null, 'D-store'],
  [37, 'lmw', 46, null, 'D-multiple'],
  [38, 'stmw', 47, null, 'D-multiple'],
  [39, 'lfs', 48, null, 'D-fload'],
  [40, 'lfsu', 49, null, 'D-fload'],
  [41, 'lfd', 50, null, 'D-fload'],
  [42, 'lfdu', 51, null, 'D-fload'],
  [43, 'stfs', 52, null, 'D-fstore'],
  [44, 'stfsu', 53, null, 'D-fstore'],
  [45, 'stfd', 54, null, 'D-fstore'],
  [46, 'stfdu', 55, null, 'D-fstore'],
  [47, 'fp', 63, null, 'fp'],
  // primary 19
  [48, 'mcrf', 19, 0, 'XL-mcrf'],
  [49, 'bclr', 19, 16, 'XL-branch'],
  [50, 'crnor', 19, 33, 'XL-cr'],
  [51, 'rfmci', 19, 38, 'XL-none', 'priv'],
  [52, 'rfdi', 19, 39, 'XL-none', 'priv'],
  [53, 'rfi', 19, 50, 'XL-none', 'priv'],
  [54, 'rfci', 19, 51, 'XL-none', 'priv'],
  [55, 'rfgi', 19, 102, 'XL-none', 'priv'],
  [56, 'crandc', 19, 129, 'XL-cr'],
  [57, 'isync', 19, 150, 'XL-none'],
  [58, 'crxor', 19, 193, 'XL-cr'],
  [59, 'crnand', 19, 225, 'XL-cr'],
  [60, 'crand', 19, 257, 'XL-cr'],
  [61, 'creqv', 19, 289, 'XL-cr'],
  [62, 'crorc', 19, 417, 'XL-cr'],
  [63, 'cror', 19, 449, 'XL-cr'],
  [64, 'bcctr', 19, 528, 'XL-branch'],
  // primary 31
  [65, 'cmp', 31, 0, 'X-cmp'],
  [66, 'tw', 31, 4, 'X-trap'],
  [67, 'subfc', 31, 8, 'X-arith3', 'oe rc'],
  [68, 'addc', 31, 10, 'X-arith3', 'oe rc'],
  [69, 'mulhwu', 31, 11, 'X-arith3', 'rc'],
  [70, 'isel', 31, 15, 'A-isel'],
  [71, 'mfcr', 31, 19, 'X-mfcr'],
  [72, 'lwarx', 31, 20, 'X-load'],
  [73, 'tlbilx', 31, 18, 'X-tlbilx', 'priv'],
  [74, 'lwzx', 31, 23, 'X-load'],
  [75, 'slw', 31, 24, 'X-logic3', 'rc'],
  [76, 'cntlzw', 31, 26, 'X-logic2', 'rc'],
  [77, 'and', 31, 28, 'X-logic3', 'rc'],
  [78, 'cmpl', 31, 32, 'X-cmp'],
  [79, 'subf', 31, 40, 'X-arith3', 'oe rc'],
  [80, 'dcbst', 31, 54, 'X-cache'],
  [81, 'lwzux', 31, 55, 'X-load'],
  [82, 'andc', 31, 60, 'X-logic3', 'rc'],
  [83, 'wait', 31, 62, 'X-wait'],
  [84, 'mulhw', 31, 75, 'X-arith3', 'rc'],
  [85, 'mfmsr', 31, 83, 'X-rt', 'priv'],
  [86, 'dcbf', 31, 86, 'X-cache'],
  [87, 'lbzx', 31, 87, 'X-load'],
  [88, 'neg', 31, 104, 'X-arith2', 'oe rc'],
  [89, 'lbzux', 31, 119, 'X-load'],
  [90, 'nor', 31, 124, 'X-logic3', 'rc'],
  [91, 'wrtee', 31, 131, 'X-rs', 'priv'],
  [92, 'subfe', 31, 136, 'X-arith3', 'oe rc'],
  [93, 'adde', 31, 138, 'X-arith3', 'oe rc'],
  [94, 'mtcrf', 31, 144, 'X-mtcrf'],
  [95, 'mtmsr', 31, 146, 'X-rs', 'priv'],
  [96, 'stwcx.', 31, 150, 'X-store'],
  [97, 'stwx', 31, 151, 'X-store'],
  [98, 'wrteei', 31, 163, 'X-wrteei', 'priv'],
  [99, 'stwux', 31, 183, 'X-store'],
  [100, 'subfze', 31, 200, 'X-arith2', 'oe rc'],
  [101, 'addze', 31, 202, 'X-arith2', 'oe rc'],
  [102, 'msgsnd', 31, 206, 'X-rb', 'priv'],
  [103, 'stbx', 31, 215, 'X-store'],
  [104, 'subfme', 31, 232, 'X-arith2', 'oe rc'],
  [105, 'addme', 31, 234, 'X-arith2', 'oe rc'],
  [106, 'mullw', 31, 235, 'X-arith3', 'oe rc'],
  [107, 'msgclr', 31, 238, 'X-rb', 'priv'],
  [108, 'dcbtst', 31, 246, 'X-cache'],
  [109, 'stbux', 31, 247, 'X-store'],
  [110, 'add', 31, 266, 'X-arith3', 'oe rc'],
  [111, 'ehpriv', 31, 270, 'X-ehpriv'],
  [112, 'dcbt', 31, 278, 'X-cache'],
  [113, 'lhzx', 31, 279, 'X-load'],
  [114, 'eqv', 31, 284, 'X-logic3', 'rc'],
  [115, 'lhzux', 31, 311, 'X-load'],
  [116, 'xor', 31, 316, 'X-logic3', 'rc'],
  [117, 'mfpmr', 31, 334, 'X-pmr-from'],
  [118, 'mfspr', 31, 339, 'X-spr-from'],
  [119, 'lhax', 31, 343, 'X-load'],
  [120, 'mftb', 31, 371, 'X-tb'],
  [121, 'lhaux', 31, 375, 'X-load'],
  [122, 'sthx', 31, 407, 'X-store'],
  [123, 'orc', 31, 412, 'X-logic3', 'rc'],
  [124, 'sthux', 31, 439, 'X-store'],
  [125, 'or', 31, 444, 'X-logic3', 'rc'],
  [126, 'divwu', 31, 459, 'X-arith3', 'oe rc'],
  [127, 'mtpmr', 31, 462, 'X-pmr-to'],
  [128, 'mtspr', 31, 467, 'X-spr-to'],
  [129, 'dcbi', 31, 470, 'X-cache', 'priv'],
  [130, 'nand', 31, 476, 'X-logic3', 'rc'],
  [131, 'divw', 31, 491, 'X-arith3', 'oe rc'],
  [132, 'mcrxr', 31, 512, 'X-crf'],
  [133, 'lwbrx', 31, 534, 'X-load'],
  [134, 'lfsx', 31, 535, 'X-fload'],
  [135, 'srw', 31, 536, 'X-logic3', 'rc'],
  [136, 'tlbsync', 31, 566, 'none', 'priv'],
  [137, 'lfsux', 31, 567, 'X-fload'],
  [138, 'sync', 31, 598, 'X-sync'],
  [139, 'lfdx', 31, 599, 'X-fload'],
  [140, 'lfdux', 31, 631, 'X-fload'],
  [141, 'stwbrx', 31, 662, 'X-store'],
  [142, 'stfsx', 31, 663, 'X-fstore'],
  [143, 'stfsux', 31, 695, 'X-fstore'],
  [144, 'stfdx', 31, 727, 'X-fstore'],
  [145, 'stfdux', 31, 759, 'X-fstore'],
  [146, 'tlbivax', 31, 786, 'X-cache', 'priv'],
  [147, 'lhbrx', 31, 790, 'X-load'],
  [148, 'sraw', 31, 792, 'X-logic3', 'rc'],
  [149, 'srawi', 31, 824, 'X-shift-imm', 'rc'],
  [150, 'mbar', 31, 854, 'X-mbar'],
  [151, 'tlbsx', 31, 914, 'X-cache', 'priv'],
  [152, 'sthbrx', 31, 918, 'X-store'],
  [153, 'extsh', 31, 922, 'X-logic2', 'rc'],
  [154, 'tlbre', 31, 946, 'none', 'priv'],
  [155, 'extsb', 31, 954, 'X-logic2', 'rc'],
  [156, 'tlbwe', 31, 978, 'none', 'priv'],
  [157, 'icbi', 31, 982, 'X-cache'],
  [158, 'stfiwx', 31, 983, 'X-fstore'],
  [159, 'dcbz', 31, 1014, 'X-cache'],
  [160, 'dcba', 31, 758, 'X-cache'],
  [161, 'icbt', 31, 22, 'X-cachelock'],
  [162, 'dcbtls', 31, 166, 'X-cachelock'],
  [163, 'dcbtstls', 31, 134, 'X-cachelock'],
  [164, 'icbtls', 31, 486, 'X-cachelock'],
  [165, 'icblc', 31, 230, 'X-cachelock'],
  [166, 'dcblc', 31, 390, 'X-cachelock'],
];

export const INSNS: readonly InsnInfo[] = ROWS.map(([id, mnem, primary, xo, form, flags]) => Object.freeze({
  id, mnem, primary, form,
  ...(xo !== null ? { xo } : {}),
  ...(flags?.includes('priv') ? { priv: true } : {}),
  ...(flags?.includes('oe') ? { oe: true } : {}),
  ...(flags?.includes('rc') || /^X-(arith|logic)|X-shift/.test(form) ? { rc: true } : {}),
}));

export const INSN_BY_ID: readonly (InsnInfo | undefined)[] = (() => {
  const a: (InsnInfo | undefined)[] = [];
  for (const i of INSNS) a[i.id] = i;
  return a;
})();

export const ID_ILLEGAL = 1;
/**
 * Not an instruction: what a debugger's breakpoint puts in a decoded code
 * page in place of the instruction's id (the word itself stays). Above every
 * real id, so no table maps a word to it.
 */
export const ID_BREAKPOINT = 250;
export const ID_FP = 47;

// ---- decoder tables -------------------------------------------------------

const primaryTable = new Uint8Array(64).fill(ID_ILLEGAL);
const ext19 = new Uint8Array(1024).fill(ID_ILLEGAL);
const ext31 = new Uint8Array(1024).fill(ID_ILLEGAL);
const SUB19 = 254;
const SUB31 = 255;

for (const i of INSNS) {
  if (i.primary < 0) continue;
  if (i.primary === 19) ext19[i.xo!] = i.id;
  else if (i.primary === 31) {
    if (i.form === 'A-isel') {
      // isel: A-form, bits 26-30 = 15, any BC field.
      for (let x = 0; x < 1024; x++) if ((x & 0x1F) === 15) ext31[x] = i.id;
    } else {
      ext31[i.xo!] = i.id;
      if (i.oe) ext31[i.xo! | 0x200] = i.id;
    }
  } else primaryTable[i.primary] = i.id;
}
primaryTable[19] = SUB19;
primaryTable[31] = SUB31;
primaryTable[59] = ID_FP;
primaryTable[63] = ID_FP;

/** The instruction id of a 32-bit instruction word (ID_ILLEGAL if e500mc has no such instruction). */
export function decode(word: number): number {
  const p = primaryTable[word >>> 26]!;
  if (p === SUB31) return ext31[(word >>> 1) & 0x3FF]!;
  if (p === SUB19) return ext19[(word >>> 1) & 0x3FF]!;
  return p;
}

// ---- disassembler ---------------------------------------------------------

const SPR_NAMES = new Map<number, string>();
/** Lets the disassembler name SPRs without importing the catalog into the CPU's hot modules. */
export function registerSprNames(entries: Iterable<[number, string]>): void {
  for (const [n, name] of entries) SPR_NAMES.set(n, name);
}

const hex = (v: number) => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
const simm = (w: number) => (w << 16) >> 16;
const rD = (w: number) => (w >>> 21) & 31;
const rA = (w: number) => (w >>> 16) & 31;
const rB = (w: number) => (w >>> 11) & 31;

function branchTarget(pc: number, disp: number, aa: boolean): string {
  return hex(aa ? disp >>> 0 : (pc + disp) >>> 0);
}

/** One-line disassembly of the instruction `word` at address `pc`. */
export function disassemble(word: number, pc = 0): string {
  const id = decode(word);
  const info = INSN_BY_ID[id]!;
  if (id === ID_FP) return disassembleFp(word) ?? `.long ${hex(word >>> 0)}`;
  if (id === ID_ILLEGAL) return `.long ${hex(word >>> 0)}`;
  const rc = info.rc && (word & 1) ? '.' : '';
  const oe = info.oe && (word & 0x400) ? 'o' : '';
  const m = `${info.mnem}${oe}${rc}`;
  switch (info.form) {
    case 'D-arith': return `${m} r${rD(word)},r${rA(word)},${simm(word)}`;
    case 'D-logic': return `${m} r${rA(word)},r${rD(word)},${hex(word & 0xFFFF)}`;
    case 'D-cmp': return `${info.mnem === 'cmpi' ? 'cmpwi' : m} cr${rD(word) >> 2},r${rA(word)},${simm(word)}`;
    case 'D-cmpl': return `${info.mnem === 'cmpli' ? 'cmplwi' : m} cr${rD(word) >> 2},r${rA(word)},${word & 0xFFFF}`;
    case 'D-trap': return `${m} ${rD(word)},r${rA(word)},${simm(word)}`;
    case 'D-load': case 'D-store': case 'D-multiple':
      return `${m} r${rD(word)},${simm(word)}(r${rA(word)})`;
    case 'D-fload': case 'D-fstore': return `${m} f${rD(word)},${simm(word)}(r${rA(word)})`;
    case 'B': {
      const bo = rD(word);
      const bi = rA(word);
      const lk = word & 1 ? 'l' : '';
      const aa = (word & 2) !== 0;
      return `bc${lk}${aa ? 'a' : ''} ${bo},${bi},${branchTarget(pc, simm(word & 0xFFFC), aa)}`;
    }
    case 'I': {
      const disp = ((word & 0x03FFFFFC) << 6) >> 6;
      const aa = (word & 2) !== 0;
      return `b${word & 1 ? 'l' : ''}${aa ? 'a' : ''} ${branchTarget(pc, disp, aa)}`;
    }
    case 'SC': return ((word >>> 5) & 0x7F) ? `sc ${(word >>> 5) & 0x7F}` : 'sc';
    case 'M-imm': return `${m} r${rA(word)},r${rD(word)},${rB(word)},${(word >>> 6) & 31},${(word >>> 1) & 31}`;
    case 'M-reg': return `${m} r${rA(word)},r${rD(word)},r${rB(word)},${(word >>> 6) & 31},${(word >>> 1) & 31}`;
    case 'XL-cr': return `${m} ${rD(word)},${rA(word)},${rB(word)}`;
    case 'XL-mcrf': return `${m} cr${rD(word) >> 2},cr${rA(word) >> 2}`;
    case 'XL-branch': return `${m}${word & 1 ? 'l' : ''} ${rD(word)},${rA(word)}`;
    case 'XL-none': case 'none': return m;
    case 'X-cmp': return `${info.mnem === 'cmp' ? 'cmpw' : 'cmplw'} cr${rD(word) >> 2},r${rA(word)},r${rB(word)}`;
    case 'X-trap': return `${m} ${rD(word)},r${rA(word)},r${rB(word)}`;
    case 'X-arith3': return `${m} r${rD(word)},r${rA(word)},r${rB(word)}`;
    case 'X-arith2': return `${m} r${rD(word)},r${rA(word)}`;
    case 'X-logic3': return `${m} r${rA(word)},r${rD(word)},r${rB(word)}`;
    case 'X-logic2': return `${m} r${rA(word)},r${rD(word)}`;
    case 'X-shift-imm': return `${m} r${rA(word)},r${rD(word)},${rB(word)}`;
    case 'X-load': case 'X-store': return `${m} r${rD(word)},r${rA(word)},r${rB(word)}`;
    case 'X-fload': case 'X-fstore': return `${m} f${rD(word)},r${rA(word)},r${rB(word)}`;
    case 'X-cache': case 'X-cachelock': return `${m} r${rA(word)},r${rB(word)}`;
    case 'X-rt': return `${m} r${rD(word)}`;
    case 'X-rs': return `${m} r${rD(word)}`;
    case 'X-rb': return `${m} r${rB(word)}`;
    case 'X-wrteei': return `${m} ${(word >>> 15) & 1}`;
    case 'X-crf': return `${m} cr${rD(word) >> 2}`;
    case 'X-mfcr': return word & 0x00100000 ? `mfocrf r${rD(word)},${hex((word >>> 12) & 0xFF)}` : `mfcr r${rD(word)}`;
    case 'X-mtcrf': return `${word & 0x00100000 ? 'mtocrf' : 'mtcrf'} ${hex((word >>> 12) & 0xFF)},r${rD(word)}`;
    case 'X-spr-from': case 'X-spr-to': case 'X-pmr-from': case 'X-pmr-to': case 'X-tb': {
      const n = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      const name = info.form.startsWith('X-pmr') ? `pmr${n}` : (SPR_NAMES.get(n) ?? String(n));
      return info.form.endsWith('-to') ? `${m} ${name},r${rD(word)}` : `${m} r${rD(word)},${name}`;
    }
    case 'X-tlbilx': return `tlbilx ${rD(word) & 3},r${rA(word)},r${rB(word)}`;
    case 'X-sync': return ((word >>> 21) & 3) === 1 ? 'lwsync' : 'sync';
    case 'X-mbar': return rD(word) ? `mbar ${rD(word)}` : 'mbar';
    case 'X-wait': return 'wait';
    case 'X-ehpriv': return 'ehpriv';
    case 'A-isel': return `isel r${rD(word)},r${rA(word)},r${rB(word)},${(word >>> 6) & 31}`;
    default: return m;
  }
}
