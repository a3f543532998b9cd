/* Helpers for branch.c. */

/* void br_call(const void *code, uint32_t io[3]): io[0] = CR, io[1] = CTR in;
 * out io[0] = taken, io[1] = CTR after, io[2] = LR after. */
	.globl br_call
br_call:
	stwu	r1, -32(r1)
	mflr	r0
	stw	r0, 36(r1)
	mfcr	r0
	stw	r0, 8(r1)
	stw	r4, 12(r1)
	mtctr	r3
	lwz	r3, 0(r4)
	lwz	r4, 4(r4)
	bctrl
	lwz	r6, 12(r1)
	stw	r3, 0(r6)
	stw	r4, 4(r6)
	stw	r5, 8(r6)
	lwz	r0, 8(r1)
	mtcrf	0xff, r0
	lwz	r0, 36(r1)
	mtlr	r0
	addi	r1, r1, 32
	blr

/* uint32_t br_loop(uint32_t n): bdnz loop, returns the iteration count. */
	.globl br_loop
br_loop:
	mtctr	r3
	li	r3, 0
1:	addi	r3, r3, 1
	bdnz	1b
	blr

/* uint32_t br_loop_bdz(uint32_t n): counts with bdz exits, n >= 1. */
	.globl br_loop_bdz
br_loop_bdz:
	mtctr	r3
	li	r3, 0
1:	addi	r3, r3, 1
	bdz	2f
	b	1b
2:	blr

/* uint32_t br_uncond(void): b/bl forward and backward, ba/bla to a pad in
 * the first 32 KB. Returns a bit mask of the paths taken, in order. */
	.globl br_uncond
br_uncond:
	mflr	r0
	li	r3, 0
	b	2f
1:	ori	r3, r3, 2		/* reached backwards */
	b	3f
2:	ori	r3, r3, 0x40
	b	1b
3:	bl	4f
	ori	r3, r3, 8		/* after return from the bl */
	b	5f
4:	ori	r3, r3, 4
	mflr	r4			/* LR = address after the bl */
	blr
5:	lis	r7, 6f@ha		/* the pad returns to r7 and sets r3 = 1 */
	addi	r7, r7, 6f@l
	mr	r9, r3
	ba	br_abs_pad
6:	or	r3, r3, r9
	ori	r3, r3, 0x10
	lis	r7, 7f@ha
	addi	r7, r7, 7f@l
	mr	r9, r3
	bla	br_abs_pad
7:	or	r3, r3, r9
	ori	r3, r3, 0x20
	mflr	r5			/* LR from bla: address of label 7 */
	lis	r6, 7b@ha
	addi	r6, r6, 7b@l
	subf	r5, r6, r5		/* 0 if right */
	or	r3, r3, r5
	mtlr	r0
	blr

	.section .note.GNU-stack,"",@progbits
