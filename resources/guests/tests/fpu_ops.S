/* Floating-point operations for fpu.c: f4 = op(f1 = a, f2 = b, f3 = c).
 * Flags (fpu.c): FS = inputs single-representable (single-precision ops
 * read only such inputs: other inputs give undefined results), FCVT = a
 * conversion to integer (upper word and FPRF undefined), FEST = estimate
 * (special operands only), FCR = compare (result in CR), FSPR = FPSCR op. */
#include "optab.h"
#define FS 0x1000
#define FCVT 0x2000
#define FEST 0x4000
#define FCR 0x8000
#define FSPR 0x10000

	.macro FA2 m, fl=0
	OPX("\m", \fl, \m 4,1,2)
	OPX("\m\().", \fl, \m\(). 4,1,2)
	.endm
	.macro FA3 m, fl=0
	OPX("\m", \fl, \m 4,1,3,2)
	OPX("\m\().", \fl, \m\(). 4,1,3,2)
	.endm
	.macro FA1 m, fl=0
	OPX("\m", \fl, \m 4,1)
	OPX("\m\().", \fl, \m\(). 4,1)
	.endm

	.section .rodata.optab,"a"
	.balign 4
	.globl fpu_tab
fpu_tab:
	.text
	FA2 fadd
	FA2 fsub
	OPX("fmul", 0, fmul 4,1,3)
	OPX("fmul.", 0, fmul. 4,1,3)
	FA2 fdiv
	FA2 fadds, FS
	FA2 fsubs, FS
	OPX("fmuls", FS, fmuls 4,1,3)
	OPX("fmuls.", FS, fmuls. 4,1,3)
	FA2 fdivs, FS
	FA3 fmadd
	FA3 fmsub
	FA3 fnmadd
	FA3 fnmsub
	FA3 fmadds, FS
	FA3 fmsubs, FS
	FA3 fnmadds, FS
	FA3 fnmsubs, FS
	FA1 fabs
	FA1 fnabs
	FA1 fneg
	FA1 fmr
	FA1 frsp
	FA1 fctiw, FCVT
	FA1 fctiwz, FCVT
	FA3 fsel
	FA1 fres, FEST
	FA1 frsqrte, FEST
	.irp f, 0,1,6
	OPX("fcmpu", FCR, fcmpu \f,1,2)
	OPX("fcmpo", FCR, fcmpo \f,1,2)
	.endr
	/* FPSCR moves; the result is the FPSCR (and CR for mcrfs/record forms) */
	.irp m, 0xff,0x01,0x80,0x0f,0xf0,0x5a,0x02,0x40
	OPX("mtfsf", FSPR, mtfsf \m,1)
	.endr
	OPX("mtfsf.", FSPR, mtfsf. 0x33,1)
	.irp f, 0,1,2,3,4,5,6,7
	OPX("mtfsfi", FSPR, mtfsfi \f,((\f * 5 + 3) & 15))
	OPX("mcrfs", FSPR|FCR, mcrfs 3,\f)
	.endr
	OPX("mtfsfi.", FSPR, mtfsfi. 7,2)
	.irp b, 0,3,4,5,6,7,8,9,10,11,12,13,14,15,19,21,22,23,24,29,30,31
	OPX("mtfsb1", FSPR, mtfsb1 \b)
	OPX("mtfsb0", FSPR, mtfsb0 \b)
	.endr
	OPX("mtfsb1.", FSPR, mtfsb1. 5)
	OPX("mtfsb0.", FSPR, mtfsb0. 3)

	.section .rodata.optab,"a"
	.globl fpu_tab_end
fpu_tab_end:
	.section .note.GNU-stack,"",@progbits
