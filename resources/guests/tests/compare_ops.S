/* Compares, CR logical operations, mcrf, mcrxr, isel, mfcr/mtcrf/mfocrf/mtocrf
 * for compare.c. All print the whole CR (F_CRFULL). */
#include "optab.h"

	.section .rodata.optab,"a"
	.balign 4
	.globl cmp_tab
cmp_tab:
	.text

	.irp f, 0,1,5,7
	OPX("cmpw", F_CRFULL, cmpw \f,r4,r5)
	OPX("cmplw", F_CRFULL, cmplw \f,r4,r5)
	.endr
	OPX("cmpw rs=rb", F_CRFULL, cmpw 3,r4,r4)
	.irp v, 0,1,-1,0x7fff,-0x8000,100
	OPX("cmpwi", F_CRFULL|F_IMM, cmpwi 2,r4,\v)
	.endr
	.irp v, 0,1,0xffff,0x8000,100
	OPX("cmplwi", F_CRFULL|F_IMM, cmplwi 6,r4,\v)
	.endr
	/* cmp with the L bit clear written out in full (cmp BF,0,RA,RB) */
	OPX("cmp", F_CRFULL, cmp 4,0,r4,r5)
	OPX("cmpl", F_CRFULL, cmpl 4,0,r4,r5)

	/* CR logical: 24 (BT, BA, BB) triples each */
	.irp op, crand, cror, crxor, crnand, crnor, creqv, crandc, crorc
	.set i, 0
	.rept 24
	OPX("\op", F_CRFULL|F_FEW, \op 0+((i * 7 + 1) & 31),0+((i * 13 + 4) & 31),0+((i * 5 + 19) & 31))
	.set i, i + 1
	.endr
	.endr
	OPX("crset", F_CRFULL|F_FEW, creqv 9,9,9)
	OPX("crclr", F_CRFULL|F_FEW, crxor 30,30,30)

	/* mcrf: every field pair */
	.set i, 0
	.rept 64
	OPX("mcrf", F_CRFULL|F_FEW, mcrf 0+(i >> 3),0+(i & 7))
	.set i, i + 1
	.endr
	/* mcrxr: copies XER[SO,OV,CA] into a CR field and clears them */
	.irp f, 0,3,7
	OPX("mcrxr", F_CRFULL|F_XERIN|F_IMM, mcrxr \f)
	.endr

	/* isel: every BC, plus rA = 0 */
	.set i, 0
	.rept 32
	OPX("isel", F_CRFULL|F_FEW, isel r3,r4,r5,i)
	.set i, i + 1
	.endr
	OPX("isel ra=0", F_CRFULL, isel r3,0,r5,2)
	OPX("isel ra=0", F_CRFULL, isel r3,0,r5,31)

	/* CR moves */
	OPX("mfcr", F_CRFULL|F_IMM, mfcr r3)
	.irp m, 0xff,0x00,0x01,0x80,0x5a,0xa5,0x3c,0x10
	OPX("mtcrf", F_CRFULL|F_IMM, mtcrf \m,r4)
	.endr
	.set i, 0
	.rept 8
	OPX("mtocrf", F_CRFULL|F_IMM, mtocrf 0+(0x80 >> i),r4)
	/* mfocrf: only the selected field of RT is defined */
	OPX("mfocrf", F_CRFULL|F_IMM, mfocrf r3,0+(0x80 >> i) ; rlwinm r3,r3,0,0+(4 * i),0+(4 * i + 3))
	.set i, i + 1
	.endr
	/* record forms set CR0 from the result and XER[SO] */
	OPX("mr.", F_CRFULL|F_IMM, mr. r3,r4)

	.section .rodata.optab,"a"
	.globl cmp_tab_end
cmp_tab_end:
	.section .note.GNU-stack,"",@progbits
