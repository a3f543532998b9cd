// Instruction words for the unit tests' hand-written programs, over the
// differential suite's encoders (test/differential/random/ppc.ts), in the
// operand order of assembler source.
import * as ppc from '../differential/random/ppc';

export const addi = (rt: number, ra: number, v: number): number => ppc.addi(rt, ra, v).word;
/** lis rT,v: v a signed 16-bit value (0xFF00 is -256). */
export const lis = (rt: number, v: number): number => ppc.lis(rt, v).word;
export const ori = (ra: number, rs: number, v: number): number => ppc.ori(ra, rs, v).word;
export const add = (rt: number, ra: number, rb: number): number => ppc.xo('add', rt, ra, rb, 0, 0).word;
export const rlwinm = (ra: number, rs: number, sh: number, mb: number, me: number): number => ppc.rlwinm(ra, rs, sh, mb, me).word;
/** cmpwi cr0,rA,v */
export const cmpwi = (ra: number, v: number): number => ppc.cmpwi(0, ra, v).word;
export const lwz = (rt: number, ra: number, d: number): number => ppc.dmem('lwz', rt, d, ra).word;
export const lwzu = (rt: number, ra: number, d: number): number => ppc.dmem('lwzu', rt, d, ra).word;
export const stw = (rs: number, ra: number, d: number): number => ppc.dmem('stw', rs, d, ra).word;
export const stwu = (rs: number, ra: number, d: number): number => ppc.dmem('stwu', rs, d, ra).word;
export const sth = (rs: number, ra: number, d: number): number => ppc.dmem('sth', rs, d, ra).word;
export const mtctr = (rs: number): number => ppc.mtspr(ppc.SPR.CTR, rs).word;
/** mtspr SPRG0,rS: an SPR neither translated code nor the WebAssembly interpreter writes (JavaScript's). */
export const mtsprg0 = (rs: number): number => ppc.mtspr(272, rs).word;
export const dcbz = (ra: number, rb: number): number => ppc.xform(31, 0, ra, rb, 1014);
/** bdnz and bne (cr0) by a byte offset. */
export const bdnz = (offset: number): number => ppc.BC(16, 0, offset);
export const bne = (offset: number): number => ppc.BC(4, 2, offset);
/** b by a byte offset; ba and bla to an address (within 32 MB of 0, or of the top of memory). */
export const b = (offset: number): number => ppc.B(offset);
export const ba = (target: number): number => (ppc.B(target) | 2) >>> 0;
export const bla = (target: number): number => (ppc.B(target, 1) | 2) >>> 0;
export const blr = ppc.BLR;
/** b . */
export const bSelf = ppc.B(0);
