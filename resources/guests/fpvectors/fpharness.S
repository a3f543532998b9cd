/* Assembly half of the FP vector guest.
 *
 * fp_slot       a 4 KB page of its own holding one instruction word and blr.
 *               C rewrites the word (self-modifying code), so only this page's
 *               translations are thrown away, never the harness itself.
 * fp_exec(c)    loads f1..f4, the FPSCR and the CR from the case record at r3,
 *               runs the slot, and stores f4, the FPSCR and the CR back.
 * prog_handler  the program interrupt (IVOR6): records ESR and SRR0, counts the
 *               interrupt and resumes after the interrupted instruction.
 * fp_lfs/fp_stfs  one single-precision load or store through f5.
 *
 * Case record (see struct fpcase in fpvectors.c):
 *   0 a  8 b  16 c  24 t  32 fpscr_in  36 cr_in  40 t_out  48 fpscr_out  52 cr_out
 */
	.section .text.fpslot,"ax"
	.balign 4096
	.globl fp_slot
fp_slot:
	.long 0x60000000		/* the instruction under test (nop until set) */
	blr
	.balign 4096

	.text
	.balign 16
	.globl prog_handler
prog_handler:
	mtspr	272, r3			/* SPRG0 */
	mtspr	273, r4			/* SPRG1 */
	lis	r3, trap_info@ha
	addi	r3, r3, trap_info@l
	mfspr	r4, 62			/* ESR */
	stw	r4, 0(r3)
	mfspr	r4, 26			/* SRR0 */
	stw	r4, 4(r3)
	lwz	r4, 8(r3)
	addi	r4, r4, 1
	stw	r4, 8(r3)
	mfspr	r4, 26
	addi	r4, r4, 4		/* resume after the faulting instruction */
	mtspr	26, r4
	mfspr	r3, 272
	mfspr	r4, 273
	rfi

	.balign 16
	.globl fp_exec
fp_exec:
	stwu	r1, -16(r1)
	mflr	r0
	stw	r0, 20(r1)
	lis	r5, fp_scratch@ha
	addi	r5, r5, fp_scratch@l
	li	r6, 0
	stw	r6, 0(r5)
	stw	r6, 4(r5)
	lfd	f0, 0(r5)
	mtfsf	0xff, f0		/* FPSCR = 0 first: never traps */
	lfd	f1, 0(r3)
	lfd	f2, 8(r3)
	lfd	f3, 16(r3)
	lfd	f4, 24(r3)
	lwz	r6, 32(r3)
	stw	r6, 4(r5)
	lfd	f0, 0(r5)
	mtfsf	0xff, f0		/* the input FPSCR */
	lwz	r6, 36(r3)
	mtcrf	0xff, r6		/* the input CR */
	bl	fp_slot
	mfcr	r6
	stw	r6, 52(r3)
	mffs	f0
	stfd	f0, 0(r5)
	lwz	r6, 4(r5)
	stw	r6, 48(r3)
	stfd	f4, 40(r3)
	li	r6, 0
	stw	r6, 0(r5)
	stw	r6, 4(r5)
	lfd	f0, 0(r5)
	mtfsf	0xff, f0		/* leave the FPSCR clear */
	lwz	r0, 20(r1)
	mtlr	r0
	addi	r1, r1, 16
	blr

	/* fp_lfs(const uint32_t *in, uint64_t *out): lfs then stfd */
	.balign 16
	.globl fp_lfs
fp_lfs:
	lfs	f5, 0(r3)
	stfd	f5, 0(r4)
	blr

	/* fp_stfs(const uint64_t *in, uint32_t *out): lfd then stfs */
	.balign 16
	.globl fp_stfs
fp_stfs:
	lfd	f5, 0(r3)
	stfs	f5, 0(r4)
	blr

	.section .bss
	.balign 8
fp_scratch:
	.space 8

	.section .note.GNU-stack,"",@progbits
