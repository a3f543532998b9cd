/* Rotates and shifts for rotate.c. Immediate fields are swept by .rept loops;
 * the table prints each instruction word, so every encoding is identified. */
#include "optab.h"

	.section .rodata.optab,"a"
	.balign 4
	.globl rot_tab
rot_tab:
	.text

	/* rlwinm: every SH with varied MB/ME (wrapping masks included) */
	.set i, 0
	.rept 96
	OPX("rlwinm", F_FEW, rlwinm r3,r4,0+(i & 31),0+((i * 11 + 0+(i >> 5)) & 31),0+((i * 5 + 7 * 0+(i >> 5) + 3) & 31))
	.set i, i + 1
	.endr
	.set i, 0
	.rept 32
	OPX("rlwinm.", F_FEW, rlwinm. r3,r4,0+((i * 3) & 31),0+((i * 7) & 31),0+((i * 13 + 5) & 31))
	.set i, i + 1
	.endr
	/* rlwimi: inserts into r3 (= c) */
	.set i, 0
	.rept 64
	OPX("rlwimi", F_FEW, rlwimi r3,r4,0+((i * 9 + 1) & 31),0+((i * 5) & 31),0+((i * 3 + 11) & 31))
	.set i, i + 1
	.endr
	.set i, 0
	.rept 16
	OPX("rlwimi.", F_FEW, rlwimi. r3,r4,0+((i * 7 + 2) & 31),0+((i * 13) & 31),0+((i * 5 + 9) & 31))
	.set i, i + 1
	.endr
	/* rlwnm: rotate amount from r5 (low 5 bits) */
	.set i, 0
	.rept 32
	OPX("rlwnm", F_SHIFT, rlwnm r3,r4,r5,0+((i * 7) & 31),0+((i * 11 + 4) & 31))
	.set i, i + 1
	.endr
	.set i, 0
	.rept 8
	OPX("rlwnm.", F_SHIFT, rlwnm. r3,r4,r5,0+((i * 5) & 31),0+((i * 9 + 30) & 31))
	.set i, i + 1
	.endr
	/* srawi: every shift, both forms */
	.set i, 0
	.rept 32
	OPX("srawi", F_FEW, srawi r3,r4,i)
	OPX("srawi.", F_FEW, srawi. r3,r4,i)
	.set i, i + 1
	.endr
	/* register shifts: amounts 0..63 (>= 32 shifts everything out) */
	OPX("slw", F_SHIFT, slw r3,r4,r5)
	OPX("slw.", F_SHIFT, slw. r3,r4,r5)
	OPX("srw", F_SHIFT, srw r3,r4,r5)
	OPX("srw.", F_SHIFT, srw. r3,r4,r5)
	OPX("sraw", F_SHIFT, sraw r3,r4,r5)
	OPX("sraw.", F_SHIFT, sraw. r3,r4,r5)
	OPX("sraw rs=rb", F_SHIFT, sraw r3,r5,r5)
	/* extended mnemonics that are special cases of the above */
	OPX("rotlwi 8", 0, rotlwi r3,r4,8)
	OPX("clrlwi 16", 0, clrlwi r3,r4,16)
	OPX("slwi 31", 0, slwi r3,r4,31)
	OPX("srwi 1", 0, srwi r3,r4,1)
	OPX("inslwi", 0, inslwi r3,r4,8,12)
	OPX("rotlw", F_SHIFT, rotlw r3,r4,r5)

	.section .rodata.optab,"a"
	.globl rot_tab_end
rot_tab_end:
	.section .note.GNU-stack,"",@progbits
