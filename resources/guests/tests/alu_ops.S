/* Integer arithmetic and logical operations for alu.c: r3 = f(r4, r5[, r3]). */
#include "optab.h"

	.macro XO4 m, fl=0
	OPX("\m", \fl, \m r3,r4,r5)
	OPX("\m\().", \fl, \m\(). r3,r4,r5)
	OPX("\m\()o", (\fl)|F_OE, \m\()o r3,r4,r5)
	OPX("\m\()o.", (\fl)|F_OE, \m\()o. r3,r4,r5)
	.endm
	.macro XO1 m
	OPX("\m", 0, \m r3,r4)
	OPX("\m\().", 0, \m\(). r3,r4)
	OPX("\m\()o", F_OE, \m\()o r3,r4)
	OPX("\m\()o.", F_OE, \m\()o. r3,r4)
	.endm
	.macro X2 m
	OPX("\m", 0, \m r3,r4,r5)
	OPX("\m\().", 0, \m\(). r3,r4,r5)
	.endm
	.macro X1 m
	OPX("\m", 0, \m r3,r4)
	OPX("\m\().", 0, \m\(). r3,r4)
	.endm
	.macro IMM m, v:vararg
	OPX("\m \v", F_IMM, \m r3,r4,\v)
	.endm

	.section .rodata.optab,"a"
	.balign 4
	.globl alu_tab
alu_tab:
	.text

	XO4 add
	XO4 addc
	XO4 adde
	XO4 subf
	XO4 subfc
	XO4 subfe
	XO4 mullw
	XO4 divw, F_DIVW
	XO4 divwu, F_DIVWU
	XO1 addme
	XO1 addze
	XO1 subfme
	XO1 subfze
	XO1 neg
	X2 mulhw
	X2 mulhwu
	X2 and
	X2 or
	X2 xor
	X2 nand
	X2 nor
	X2 eqv
	X2 andc
	X2 orc
	X1 extsb
	X1 extsh
	X1 cntlzw
	/* rS == rB forms (mr / not) */
	OPX("or rs=rb", 0, or r3,r4,r4)
	OPX("nor rs=rb", 0, nor r3,r4,r4)
	OPX("add rt=ra", 0, add r4,r4,r5 ; mr r3,r4)
	OPX("subf. rt=rb", 0, subf. r5,r4,r5 ; mr r3,r5)

	.irp v, 0,1,-1,0x7fff,-0x8000,0x1234,-2
	IMM addi, \v
	IMM addis, \v
	IMM addic, \v
	IMM addic., \v
	IMM subfic, \v
	IMM mulli, \v
	.endr
	OPX("li 0x1234", F_IMM, addi r3,0,0x1234)
	OPX("li -5", F_IMM, addi r3,0,-5)
	OPX("lis 0x1234", F_IMM, addis r3,0,0x1234)
	OPX("lis -1", F_IMM, addis r3,0,-1)
	.irp v, 0,1,0x8000,0xffff,0x1234,0xf0f0
	IMM andi., \v
	IMM andis., \v
	IMM ori, \v
	IMM oris, \v
	IMM xori, \v
	IMM xoris, \v
	.endr

	.section .rodata.optab,"a"
	.globl alu_tab_end
alu_tab_end:
	.section .note.GNU-stack,"",@progbits
