/* void fop_call(const void *code, struct fio *io)
 * io: 0 a, 8 b, 16 c (doubles), 24 fpscr_in, 28 cr_in,
 *     32 result (f4), 40 fpscr_out, 44 cr_out.
 * f4 starts as the NaN pattern 0x7ff8dead_00003eef so that an unchanged
 * target is visible. */
	.globl fop_call
fop_call:
	stwu	r1, -48(r1)
	mflr	r0
	stw	r0, 52(r1)
	mfcr	r0
	stw	r0, 8(r1)
	stw	r4, 12(r1)
	stfd	f14, 32(r1)
	mtctr	r3
	lfd	f1, 0(r4)
	lfd	f2, 8(r4)
	lfd	f3, 16(r4)
	lis	r5, 0x7ff8
	ori	r5, r5, 0xdead
	stw	r5, 16(r1)
	li	r5, 0x3eef
	stw	r5, 20(r1)
	lfd	f4, 16(r1)
	li	r5, 0
	stw	r5, 16(r1)
	lwz	r5, 24(r4)
	stw	r5, 20(r1)
	lfd	f0, 16(r1)
	mtfsf	0xff, f0
	lwz	r5, 28(r4)
	mtcrf	0xff, r5
	bctrl
	mffs	f0
	mfcr	r6
	lwz	r4, 12(r1)
	stfd	f4, 32(r4)
	stfd	f0, 16(r1)
	lwz	r5, 20(r1)
	stw	r5, 40(r4)
	stw	r6, 44(r4)
	li	r5, 0
	stw	r5, 16(r1)
	stw	r5, 20(r1)
	lfd	f0, 16(r1)
	mtfsf	0xff, f0
	lfd	f14, 32(r1)
	lwz	r0, 8(r1)
	mtcrf	0xff, r0
	lwz	r0, 52(r1)
	mtlr	r0
	addi	r1, r1, 48
	blr

	.section .note.GNU-stack,"",@progbits
