/* Branch snippets for branch.c: every valid BO encoding (z bits 0, no
 * reserved "at" = 01 hints) with several BI values, for bc, bcl, bca, bcla,
 * bclr, bclrl, bcctr, bcctrl. (BO 1/3/9/11 have a nonzero z bit and
 * are invalid forms in ISA 2.x; the assembler rejects them too.)
 * Snippet ABI (called by br_call): r3 = CR in, r4 = CTR in.
 * Returns r3 = 1 if the branch was taken, r4 = CTR after, r5 = LR after. */

	.macro BRT kind, bo, bi, lrbits=0
	.section .rodata.opnames,"a"
9:	.asciz "\kind \bo,\bi"
	.section .text.ops,"ax"
	.balign 4
8:	mflr	r0
	mtcrf	0xff, r3
	mtctr	r4
	li	r3, 0
	lis	r7, 7f@ha
	addi	r7, r7, 7f@l
	.ifc \kind,bclr
	lis	r6, (6f+\lrbits)@ha
	addi	r6, r6, (6f+\lrbits)@l
	mtlr	r6
5:	bclr	\bo, \bi
	.endif
	.ifc \kind,bclrl
	lis	r6, 6f@ha
	addi	r6, r6, 6f@l
	mtlr	r6
5:	bclrl	\bo, \bi
	.endif
	.ifc \kind,bcctr
	lis	r6, (6f+\lrbits)@ha
	addi	r6, r6, (6f+\lrbits)@l
	mtctr	r6
5:	bcctr	\bo, \bi
	.endif
	.ifc \kind,bcctrl
	lis	r6, 6f@ha
	addi	r6, r6, 6f@l
	mtctr	r6
5:	bcctrl	\bo, \bi
	.endif
	.ifc \kind,bc
5:	bc	\bo, \bi, 6f
	.endif
	.ifc \kind,bcl
5:	bcl	\bo, \bi, 6f
	.endif
	.ifc \kind,bca
5:	bca	\bo, \bi, br_abs_pad
	.endif
	.ifc \kind,bcla
5:	bcla	\bo, \bi, br_abs_pad
	.endif
	mfctr	r8
	b	7f
6:	li	r3, 1
	mfctr	r8
7:	mr	r4, r8
	mflr	r5
	mtlr	r0
	blr
	.section .rodata.optab,"a"
	.long	9b, 8b, 5b
	.text
	.endm

	.section .rodata.optab,"a"
	.balign 4
	.globl br_tab
br_tab:
	.text

	.irp bo, 0,2,4,6,7,8,10,12,14,15,16,18,20,24,25,26,27
	.irp bi, 0,5,13,31
	BRT bc, \bo, \bi
	.endr
	BRT bcl, \bo, 2
	.irp bi, 3,30
	BRT bclr, \bo, \bi
	.endr
	BRT bclrl, \bo, 9
	.endr
	.irp bo, 4,6,7,12,14,15,20
	.irp bi, 1,28
	BRT bcctr, \bo, \bi
	.endr
	BRT bcctrl, \bo, 17
	.endr
	.irp bo, 4,12,16,18,20
	BRT bca, \bo, 6
	BRT bcla, \bo, 6
	.endr
	/* target address low bits are ignored */
	BRT bclr, 20, 0, 3
	BRT bclr, 12, 2, 1
	BRT bcctr, 20, 0, 2
	BRT bcctr, 4, 2, 3

	.section .rodata.optab,"a"
	.globl br_tab_end
br_tab_end:
	.section .note.GNU-stack,"",@progbits
