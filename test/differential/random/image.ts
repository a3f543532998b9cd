// Builds one bare-metal guest image holding many random sequences:
//   start-up: map the CCSR (UART, reset register), MSR[FP] on, one handler
//   for every interrupt (prints "EXC srr0 srr1 esr" and ends the run);
//   per sequence: load_state (scratch page filled from a seed, FPSCR, FPRs,
//   CR, XER, GPRs, then LR/CTR/r0 inline), the sequence, then dump_state,
//   which prints:
//     S<index> <checksum of the scratch page>
//     G <r0..r31>
//     C <cr> <xer> <lr> <ctr> <fpscr without FR>
//     F <f0..f31 as 16 hex digits>
//   end: drain the UART and reset.
// Everything is encoded here; no assembler is needed at test time.
import { writeElf } from './elf';
import type { Sequence } from './generator';
import { BASE_REG, SCRATCH_SIZE } from './generator';
import * as P from './ppc';

/** Physical address of the scratch page (r1 of every sequence). */
export const SCRATCH = 0x03000000;
const STATE = SCRATCH_SIZE; //     r1 + 4096: LR, CTR, r0 values of the sequence
const DUMP = SCRATCH_SIZE * 2; //  r1 + 8192: the register dump
const D_CR = 128;
const D_XER = 132;
const D_LR = 136;
const D_CTR = 140;
const D_SUM = 144;
const D_IDX = 148;
const D_FPSCR = 152; // a double; the FPSCR is its low word
const D_FPR = 160;
// state table (one per sequence, in the image)
const T_IDX = 0;
const T_SEED = 4;
const T_CR = 8;
const T_XER = 12;
const T_LR = 16;
const T_CTR = 20;
const T_FPSCR = 24; // double, low word = FPSCR
const T_GPR = 32;
const T_FPR = 160;
const T_SIZE = 416;

const R = { r0: 0, r1: 1, r3: 3, r4: 4, r5: 5, r6: 6, r7: 7, r8: 8, r9: 9, r10: 10, r11: 11 } as const;

/** A tiny two-pass assembler: words plus branch fix-ups to labels. */
class Asm {
  words: number[] = [];
  private labels = new Map<string, number>();
  private fixups: { at: number; label: string; kind: 'b' | 'bl' | 'bc'; bo?: number; bi?: number }[] = [];
  constructor(readonly origin: number) {}
  get pc(): number { return this.origin + this.words.length * 4; }
  w(...words: number[]): void { for (const x of words) this.words.push(x >>> 0); }
  i(...insns: P.Insn[]): void { for (const x of insns) this.words.push(x.word >>> 0); }
  label(name: string): void {
    if (this.labels.has(name)) throw new Error(`duplicate label ${name}`);
    this.labels.set(name, this.pc);
  }
  addr(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`unknown label ${name}`);
    return a;
  }
  b(label: string): void { this.fixups.push({ at: this.words.length, label, kind: 'b' }); this.w(0); }
  bl(label: string): void { this.fixups.push({ at: this.words.length, label, kind: 'bl' }); this.w(0); }
  bc(bo: number, bi: number, label: string): void {
    this.fixups.push({ at: this.words.length, label, kind: 'bc', bo, bi });
    this.w(0);
  }
  align(bytes: number): void { while (this.pc % bytes) this.w(0); }
  /** rt = 32-bit constant (lis/ori). */
  li32(rt: number, v: number): void {
    this.i(P.lis(rt, ((v >>> 16) << 16) >> 16), P.ori(rt, rt, v & 0xffff));
  }
  resolve(): void {
    for (const f of this.fixups) {
      const target = this.addr(f.label);
      const off = target - (this.origin + f.at * 4);
      if (f.kind === 'bc') {
        if (off < -0x8000 || off > 0x7fff) throw new Error(`bc to ${f.label} out of range`);
        this.words[f.at] = P.BC(f.bo!, f.bi!, off);
      } else {
        this.words[f.at] = P.B(off, f.kind === 'bl' ? 1 : 0);
      }
    }
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.words.length * 4);
    const v = new DataView(out.buffer);
    this.words.forEach((x, k) => v.setUint32(k * 4, x));
    return out;
  }
}

const mtsprN = (spr: number, rs: number): P.Insn => P.mtspr(spr, rs);
const mfsprN = (rt: number, spr: number): P.Insn => P.mfspr(rt, spr);
const stw = (rs: number, d: number, ra: number): P.Insn => P.dmem('stw', rs, d, ra);
const lwz = (rt: number, d: number, ra: number): P.Insn => P.dmem('lwz', rt, d, ra);
const stfd = (fs: number, d: number, ra: number): P.Insn => P.dmem('stfd', fs, d, ra);
const lfd = (ft: number, d: number, ra: number): P.Insn => P.dmem('lfd', ft, d, ra);
const BEQ = [12, 2] as const; // bc 12,eq (cr0)
const BLT = [12, 0] as const;
const BDNZ = [16, 0] as const;

function runtime(a: Asm): void {
  // ---- entry ----
  a.label('_start');
  // CCSR: TLB1[1], EA 0xE0000000 -> PA 0xF_E000_0000, 1 MB, I|G, SR|SW
  a.i(P.lis(R.r4, 0x1001), mtsprN(624, R.r4));
  a.li32(R.r4, 0xc0000500); a.i(mtsprN(625, R.r4));
  a.li32(R.r4, 0xe000000a); a.i(mtsprN(626, R.r4));
  a.li32(R.r4, 0xe0000005); a.i(mtsprN(627, R.r4));
  a.i(P.li(R.r4, 0xf), mtsprN(944, R.r4));
  a.w(P.ISYNC, P.TLBWE, P.ISYNC);
  // every IVOR -> exc_handler (IVPR 0: the image is linked at 0)
  a.i(P.li(R.r4, 0), mtsprN(63, R.r4));
  a.li32(R.r4, 0); // patched below: offset of exc_handler
  const ivorLoad = a.words.length - 2;
  for (let n = 0; n < 16; n++) a.i(mtsprN(400 + n, R.r4));
  a.w(P.ISYNC);
  // MSR[FP] on
  a.w(P.mfmsr(R.r4));
  a.i(P.ori(R.r4, R.r4, 0x2000));
  a.w(P.mtmsr(R.r4), P.ISYNC);
  a.b('sequences');

  // ---- putch(r3): polls LSR[THRE]; clobbers r9, r10, cr0 ----
  a.label('putch');
  a.li32(R.r9, 0xe0004500);
  a.label('putch_wait');
  a.i(P.dmem('lbz', R.r10, 5, R.r9), P.andi_(R.r10, R.r10, 0x20));
  a.bc(BEQ[0], BEQ[1], 'putch_wait');
  a.i(P.dmem('stb', R.r3, 0, R.r9));
  a.w(P.MBAR, P.BLR);

  // ---- puthex(r3): 8 hex digits; clobbers r3, r5, r9-r11, ctr ----
  a.label('puthex');
  a.i(mfsprN(R.r11, 8), P.mr(R.r5, R.r3), P.li(R.r3, 8), mtsprN(9, R.r3));
  a.label('puthex_loop');
  a.i(P.rlwinm(R.r5, R.r5, 4, 0, 31), P.andi_(R.r3, R.r5, 15), P.cmplwi(0, R.r3, 10), P.addi(R.r3, R.r3, 48));
  a.bc(BLT[0], BLT[1], 'puthex_digit');
  a.i(P.addi(R.r3, R.r3, 39));
  a.label('puthex_digit');
  a.bl('putch');
  a.bc(BDNZ[0], BDNZ[1], 'puthex_loop');
  a.i(mtsprN(8, R.r11));
  a.w(P.BLR);

  // ---- putsp / putnl ----
  a.label('putsp');
  a.i(P.li(R.r3, 32));
  a.b('putch');
  a.label('putnl');
  a.i(P.li(R.r3, 13), mfsprN(R.r8, 8));
  a.bl('putch');
  a.i(P.li(R.r3, 10), mtsprN(8, R.r8));
  a.b('putch');

  // ---- putwords: r20 = address, r21 = count; " xxxxxxxx" each; clobbers r3-r11, r22 ----
  a.label('putwords');
  a.i(mfsprN(22, 8));
  a.label('putwords_loop');
  a.bl('putsp');
  a.i(lwz(R.r3, 0, 20));
  a.bl('puthex');
  a.i(P.addi(20, 20, 4), P.addic(21, 21, -1, 1));
  a.bc(4, 2, 'putwords_loop'); // bne
  a.i(mtsprN(8, 22));
  a.w(P.BLR);

  // ---- exc_handler: every interrupt; prints EXC srr0 srr1 esr and ends ----
  a.align(16);
  a.label('exc_handler');
  for (const ch of 'EXC') { a.i(P.li(R.r3, ch.charCodeAt(0))); a.bl('putch'); }
  for (const spr of [26, 27, 62]) {
    a.bl('putsp');
    a.i(mfsprN(R.r3, spr));
    a.bl('puthex');
  }
  a.bl('putnl');
  a.b('finish');

  // ---- load_state(r3 = table) ----
  a.label('load_state');
  a.li32(BASE_REG, SCRATCH);
  a.i(lwz(R.r4, T_LR, R.r3), stw(R.r4, STATE, BASE_REG));
  a.i(lwz(R.r4, T_CTR, R.r3), stw(R.r4, STATE + 4, BASE_REG));
  a.i(lwz(R.r4, T_GPR, R.r3), stw(R.r4, STATE + 8, BASE_REG));
  a.i(lwz(R.r4, T_IDX, R.r3), stw(R.r4, DUMP + D_IDX, BASE_REG));
  // fill the scratch page: xorshift32 from the table's seed
  a.i(lwz(R.r5, T_SEED, R.r3), P.li(R.r6, SCRATCH_SIZE / 4), mtsprN(9, R.r6), P.addi(R.r7, BASE_REG, -4));
  a.label('fill_loop');
  a.i(P.rlwinm(R.r8, R.r5, 13, 0, 18), P.logic('xor', R.r5, R.r5, R.r8, 0));
  a.i(P.rlwinm(R.r8, R.r5, 15, 17, 31), P.logic('xor', R.r5, R.r5, R.r8, 0));
  a.i(P.rlwinm(R.r8, R.r5, 5, 0, 26), P.logic('xor', R.r5, R.r5, R.r8, 0));
  a.i(P.dmem('stwu', R.r5, 4, R.r7));
  a.bc(BDNZ[0], BDNZ[1], 'fill_loop');
  a.i(lfd(0, T_FPSCR, R.r3), P.mtfsf(0xff, 0));
  for (let n = 0; n < 32; n++) a.i(lfd(n, T_FPR + 8 * n, R.r3));
  a.i(lwz(R.r4, T_CR, R.r3), P.mtcrf(0xff, R.r4));
  a.i(lwz(R.r4, T_XER, R.r3), mtsprN(1, R.r4));
  for (let n = 2; n < 32; n++) if (n !== R.r3) a.i(lwz(n, T_GPR + 4 * n, R.r3));
  a.i(lwz(R.r3, T_GPR + 4 * R.r3, R.r3));
  a.w(P.BLR);

  // ---- dump_state: r0, LR, CTR already stored by the caller ----
  a.label('dump_state');
  for (let n = 2; n < 32; n++) a.i(stw(n, DUMP + 4 * n, BASE_REG));
  a.i(P.mfcr(R.r4), stw(R.r4, DUMP + D_CR, BASE_REG));
  a.i(mfsprN(R.r4, 1), stw(R.r4, DUMP + D_XER, BASE_REG));
  for (let n = 0; n < 32; n++) a.i(stfd(n, DUMP + D_FPR + 8 * n, BASE_REG));
  a.i(P.mffs(0), stfd(0, DUMP + D_FPSCR, BASE_REG));
  // FPSCR[FR] is not compared (QEMU does not model it): clear it in the dump
  a.i(lwz(R.r4, DUMP + D_FPSCR + 4, BASE_REG), P.rlwinm(R.r4, R.r4, 0, 14, 12), stw(R.r4, DUMP + D_FPSCR + 4, BASE_REG));
  a.i(mfsprN(30, 8));
  // checksum of the scratch page: sum = rotl(sum, 7) ^ word
  a.i(P.li(R.r5, 0), P.li(R.r6, SCRATCH_SIZE / 4), mtsprN(9, R.r6), P.addi(R.r7, BASE_REG, -4));
  a.label('sum_loop');
  a.i(P.dmem('lwzu', R.r8, 4, R.r7), P.rlwinm(R.r5, R.r5, 7, 0, 31), P.logic('xor', R.r5, R.r5, R.r8, 0));
  a.bc(BDNZ[0], BDNZ[1], 'sum_loop');
  a.i(stw(R.r5, DUMP + D_SUM, BASE_REG));
  // S<idx> <sum>
  a.i(P.li(R.r3, 'S'.charCodeAt(0)));
  a.bl('putch');
  a.i(lwz(R.r3, DUMP + D_IDX, BASE_REG));
  a.bl('puthex');
  a.bl('putsp');
  a.i(lwz(R.r3, DUMP + D_SUM, BASE_REG));
  a.bl('puthex');
  a.bl('putnl');
  // G r0..r31
  a.i(P.li(R.r3, 'G'.charCodeAt(0)));
  a.bl('putch');
  a.i(P.addi(20, BASE_REG, DUMP), P.li(21, 32));
  a.bl('putwords');
  a.bl('putnl');
  // C cr xer lr ctr fpscr
  a.i(P.li(R.r3, 'C'.charCodeAt(0)));
  a.bl('putch');
  a.i(P.addi(20, BASE_REG, DUMP + D_CR), P.li(21, 4));
  a.bl('putwords');
  a.i(P.addi(20, BASE_REG, DUMP + D_FPSCR + 4), P.li(21, 1));
  a.bl('putwords');
  a.bl('putnl');
  // F f0..f31 (each as two words without a space between)
  a.i(P.li(R.r3, 'F'.charCodeAt(0)));
  a.bl('putch');
  a.i(P.addi(20, BASE_REG, DUMP + D_FPR), P.li(23, 32));
  a.label('fpr_loop');
  a.bl('putsp');
  a.i(lwz(R.r3, 0, 20));
  a.bl('puthex');
  a.i(lwz(R.r3, 4, 20));
  a.bl('puthex');
  a.i(P.addi(20, 20, 8), P.addic(23, 23, -1, 1));
  a.bc(4, 2, 'fpr_loop');
  a.bl('putnl');
  a.i(mtsprN(8, 30));
  a.w(P.BLR);

  // ---- finish: wait for the transmitter to drain (LSR[TEMT]), then reset ----
  a.label('finish');
  a.li32(R.r9, 0xe0004500);
  a.label('drain');
  a.i(P.dmem('lbz', R.r10, 5, R.r9), P.andi_(R.r10, R.r10, 0x40));
  a.bc(BEQ[0], BEQ[1], 'drain');
  a.li32(R.r9, 0xe00e00b0);
  a.i(P.li(R.r4, 2), stw(R.r4, 0, R.r9));
  a.w(P.MBAR);
  a.label('hang');
  a.b('hang');

  // patch the IVOR value now that exc_handler's address is known
  const h = a.addr('exc_handler');
  a.words[ivorLoad] = P.lis(R.r4, 0).word;
  a.words[ivorLoad + 1] = P.ori(R.r4, R.r4, h & 0xfff0).word;
  if (h >= 0x10000) throw new Error('exc_handler must be in the first 64 KB');
}

export interface Image {
  elf: Uint8Array;
  /** Address of each sequence's first instruction. */
  seqAddr: number[];
}

export function buildImage(seqs: Sequence[]): Image {
  const a = new Asm(0);
  runtime(a);
  a.label('sequences');
  const seqAddr: number[] = [];
  const tableRefs: number[] = [];
  for (const s of seqs) {
    tableRefs.push(a.words.length);
    a.li32(R.r3, 0); // patched with the table address after layout
    a.bl('load_state');
    a.i(lwz(R.r0, STATE, BASE_REG), mtsprN(8, R.r0));
    a.i(lwz(R.r0, STATE + 4, BASE_REG), mtsprN(9, R.r0));
    a.i(lwz(R.r0, STATE + 8, BASE_REG));
    seqAddr.push(a.pc);
    a.i(...s.insns);
    a.i(stw(R.r0, DUMP, BASE_REG));
    a.i(mfsprN(R.r0, 8), stw(R.r0, DUMP + D_LR, BASE_REG));
    a.i(mfsprN(R.r0, 9), stw(R.r0, DUMP + D_CTR, BASE_REG));
    a.bl('dump_state');
  }
  a.b('finish');
  a.resolve();
  // state tables after the code, 8-aligned
  a.align(8);
  const tables: number[] = [];
  for (const s of seqs) {
    tables.push(a.pc);
    const t = new Array<number>(T_SIZE / 4).fill(0);
    t[T_IDX / 4] = s.index;
    t[T_SEED / 4] = s.state.memSeed;
    t[T_CR / 4] = s.state.cr;
    t[T_XER / 4] = s.state.xer;
    t[T_LR / 4] = s.state.lr;
    t[T_CTR / 4] = s.state.ctr;
    t[T_FPSCR / 4 + 1] = s.state.fpscr;
    s.state.gpr.forEach((g, n) => { t[T_GPR / 4 + n] = n === BASE_REG ? SCRATCH : g; });
    s.state.fpr.forEach((fv, n) => {
      t[T_FPR / 4 + 2 * n] = Number(fv >> 32n);
      t[T_FPR / 4 + 2 * n + 1] = Number(fv & 0xffffffffn);
    });
    a.w(...t);
  }
  // patch the table addresses into each sequence's lis/ori pair
  tableRefs.forEach((at, k) => {
    const addr = tables[k]!;
    a.words[at] = P.lis(R.r3, ((addr >>> 16) << 16) >> 16).word;
    a.words[at + 1] = P.ori(R.r3, R.r3, addr & 0xffff).word;
  });
  const end = a.pc;
  if (end >= SCRATCH) throw new Error('image too large: it would overlap the scratch page');
  return { elf: writeElf(0, [{ addr: 0, data: a.bytes() }]), seqAddr };
}
