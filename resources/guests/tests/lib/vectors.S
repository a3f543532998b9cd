/* Interrupt entry for the test programs.
 *
 * tvec_base holds 48 stubs of 16 bytes; stub k serves IVOR k. trap_init()
 * points IVPR at tvec_base & 0xFFFF0000 and IVORk at stub k. A stub parks r3
 * in a scratch SPRG, loads its number and jumps (absolute branch, so the stub
 * block may be copied elsewhere to test IVPR) to the common code of its class:
 *   noncritical  SRR0/1,   rfi,   scratch SPRG4/SPRG5
 *   critical     CSRR0/1,  rfci,  scratch SPRG6/SPRG7 (IVOR 0, 12, 37, 39)
 *   machine chk  MCSRR0/1, rfmci, scratch SPRG6/SPRG7 (IVOR 1)
 *   debug        DSRR0/1,  rfdi,  scratch SPRG6/SPRG7 (IVOR 15)
 * The common code saves everything in the class's struct tframe (tlib.h),
 * calls trap_dispatch(frame) on the class's own stack, and returns with the
 * (possibly modified) frame contents. */

#define F_CR 128
#define F_LR 132
#define F_CTR 136
#define F_XER 140
#define F_SRR0 144
#define F_SRR1 148
#define F_ESR 152
#define F_DEAR 156
#define F_MSR 160
#define F_VEC 164
#define F_MAS0 168
#define F_FRAME_SIZE 256

	.macro STUB k
	.balign 16
	.if (\k == 0) || (\k == 12) || (\k == 37) || (\k == 39)
	mtspr	278, r3
	li	r3, \k
	ba	tcommon_crit
	.elseif \k == 1
	mtspr	278, r3
	li	r3, \k
	ba	tcommon_mc
	.elseif \k == 15
	mtspr	278, r3
	li	r3, \k
	ba	tcommon_dbg
	.else
	mtspr	276, r3
	li	r3, \k
	ba	tcommon_nc
	.endif
	.endm

	.macro COMMON name, scra, scrb, frame, stack, sr0, sr1, rfinsn
	.globl \name
\name:
	mtspr	\scrb, r4
	lis	r4, \frame\()@ha
	addi	r4, r4, \frame\()@l
	stw	r3, F_VEC(r4)
	mfspr	r3, \scra
	stw	r3, 12(r4)
	mfspr	r3, \scrb
	stw	r3, 16(r4)
	stw	r0, 0(r4)
	stw	r1, 4(r4)
	stw	r2, 8(r4)
	.irp	n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stw	\n, (\n*4)(r4)
	.endr
	mfcr	r3
	stw	r3, F_CR(r4)
	mflr	r3
	stw	r3, F_LR(r4)
	mfctr	r3
	stw	r3, F_CTR(r4)
	mfxer	r3
	stw	r3, F_XER(r4)
	mfspr	r3, \sr0
	stw	r3, F_SRR0(r4)
	mfspr	r3, \sr1
	stw	r3, F_SRR1(r4)
	mfspr	r3, 62
	stw	r3, F_ESR(r4)
	mfspr	r3, 61
	stw	r3, F_DEAR(r4)
	mfmsr	r3
	stw	r3, F_MSR(r4)
	mfspr	r3, 624
	stw	r3, F_MAS0(r4)
	mfspr	r3, 625
	stw	r3, F_MAS0+4(r4)
	mfspr	r3, 626
	stw	r3, F_MAS0+8(r4)
	mfspr	r3, 627
	stw	r3, F_MAS0+12(r4)
	mfspr	r3, 630
	stw	r3, F_MAS0+16(r4)
	mfspr	r3, 944
	stw	r3, F_MAS0+20(r4)
	lis	r1, \stack\()@ha
	addi	r1, r1, \stack\()@l
	addi	r1, r1, 8192-16
	li	r0, 0
	stw	r0, 0(r1)
	mr	r3, r4
	bl	trap_dispatch
	lis	r4, \frame\()@ha
	addi	r4, r4, \frame\()@l
	lwz	r3, F_SRR0(r4)
	mtspr	\sr0, r3
	lwz	r3, F_SRR1(r4)
	mtspr	\sr1, r3
	lwz	r3, F_CR(r4)
	mtcr	r3
	lwz	r3, F_LR(r4)
	mtlr	r3
	lwz	r3, F_CTR(r4)
	mtctr	r3
	lwz	r3, F_XER(r4)
	mtxer	r3
	lwz	r0, 0(r4)
	lwz	r1, 4(r4)
	lwz	r2, 8(r4)
	.irp	n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lwz	\n, (\n*4)(r4)
	.endr
	lwz	r3, 12(r4)
	lwz	r4, 16(r4)
	\rfinsn
	.endm

	.text
	.balign 1024
	.globl tvec_base
tvec_base:
	.irp	k, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	STUB	\k
	.endr
	.irp	k, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	STUB	\k
	.endr
	.globl tvec_end
tvec_end:

/* Landing pad for absolute branches (ba/bla/bca/bcla, target < 32 KB):
 * sets r3 = 1, keeps CTR in r8 and returns to the address in r7. */
	.globl br_abs_pad
br_abs_pad:
	li	r3, 1
	mfctr	r8
	mtctr	r7
	bctr

	COMMON	tcommon_nc, 276, 277, tframe_nc, tstack_nc, 26, 27, rfi
	COMMON	tcommon_crit, 278, 279, tframe_crit, tstack_crit, 58, 59, rfci
	COMMON	tcommon_mc, 278, 279, tframe_crit, tstack_crit, 570, 571, rfmci
	COMMON	tcommon_dbg, 278, 279, tframe_crit, tstack_crit, 574, 575, rfdi

/* ---------------------------------------------------------------------------
 * uint32_t run_user(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t extra_msr)
 * Saves the caller's non-volatile state, then rfi's to fn in user mode with
 * LR = user_trampoline. The trampoline issues sc with r0 = 0x5553_4552
 * ('USER'); trap_dispatch recognises it and resumes at run_user_resume in
 * supervisor mode with the user's r3. */
	.globl run_user
run_user:
	stwu	r1, -96(r1)
	mflr	r0
	stw	r0, 100(r1)
	mfcr	r0
	stw	r0, 8(r1)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stw	\n, (\n*4-40)(r1)
	.endr
	lis	r6, run_user_sp@ha
	stw	r1, run_user_sp@l(r6)
	mtspr	26, r3
	mfmsr	r6
	lis	r7, run_user_msr@ha
	stw	r6, run_user_msr@l(r7)
	or	r6, r6, r5
	ori	r6, r6, 0x4000
	mtspr	27, r6
	mr	r3, r4
	lis	r7, user_trampoline@ha
	addi	r7, r7, user_trampoline@l
	mtlr	r7
	lis	r1, tstack_user@ha
	addi	r1, r1, tstack_user@l
	addi	r1, r1, 8192-16
	li	r0, 0
	stw	r0, 0(r1)
	rfi

	.globl user_trampoline
user_trampoline:
	lis	r0, 0x5553
	ori	r0, r0, 0x4552
	sc
	b	.

	.globl run_user_resume
run_user_resume:
	lis	r6, run_user_sp@ha
	lwz	r1, run_user_sp@l(r6)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lwz	\n, (\n*4-40)(r1)
	.endr
	lwz	r0, 8(r1)
	mtcrf	0xff, r0
	lwz	r0, 100(r1)
	mtlr	r0
	addi	r1, r1, 96
	blr

/* ---------------------------------------------------------------------------
 * void ctx_run(const void *code, const struct ctx *in, struct ctx *out, uint32_t msr)
 * Loads the full context and rfi's to code with MSR = msr. The code ends
 * with sc; trap_dispatch sees ctx_active and copies the frame into *out,
 * then resumes at ctx_resume. */
	.globl ctx_run
ctx_run:
	stwu	r1, -112(r1)
	mflr	r0
	stw	r0, 116(r1)
	mfcr	r0
	stw	r0, 8(r1)
	stw	r2, 12(r1)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stw	\n, (\n*4-36)(r1)
	.endr
	lis	r7, ctx_sp@ha
	stw	r1, ctx_sp@l(r7)
	lis	r7, ctx_out@ha
	stw	r5, ctx_out@l(r7)
	mfmsr	r7
	lis	r8, ctx_msr@ha
	stw	r7, ctx_msr@l(r8)
	lis	r7, ctx_active@ha
	li	r8, 1
	stw	r8, ctx_active@l(r7)
	mtspr	26, r3
	mtspr	27, r6
	lwz	r0, 128(r4)
	mtcr	r0
	lwz	r0, 132(r4)
	mtxer	r0
	lwz	r0, 136(r4)
	mtlr	r0
	lwz	r0, 140(r4)
	mtctr	r0
	mr	r31, r4
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	lwz	\n, (\n*4)(r31)
	.endr
	lwz	r31, 124(r31)
	rfi

	.globl ctx_resume
ctx_resume:
	lis	r6, ctx_sp@ha
	lwz	r1, ctx_sp@l(r6)
	lwz	r2, 12(r1)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lwz	\n, (\n*4-36)(r1)
	.endr
	lwz	r0, 8(r1)
	mtcrf	0xff, r0
	lwz	r0, 116(r1)
	mtlr	r0
	addi	r1, r1, 112
	blr

/* ---------------------------------------------------------------------------
 * void op_call(const void *code, uint32_t io[5])
 * in:  io[0] = a (r4), io[1] = b (r5), io[2] = c (r3 and r6), io[3] = CR, io[4] = XER
 * out: io[0] = r3, io[1] = CR, io[2] = XER */
	.globl op_call
op_call:
	stwu	r1, -32(r1)
	mflr	r0
	stw	r0, 36(r1)
	mfcr	r0
	stw	r0, 8(r1)
	stw	r4, 12(r1)
	mtctr	r3
	lwz	r6, 12(r4)
	mtcrf	0xff, r6
	lwz	r6, 16(r4)
	mtxer	r6
	lwz	r6, 8(r4)
	lwz	r5, 4(r4)
	lwz	r4, 0(r4)
	mr	r3, r6
	bctrl
	mfcr	r6
	mfxer	r7
	lwz	r5, 12(r1)
	stw	r3, 0(r5)
	stw	r6, 4(r5)
	stw	r7, 8(r5)
	lwz	r0, 8(r1)
	mtcrf	0xff, r0
	lwz	r0, 36(r1)
	mtlr	r0
	addi	r1, r1, 32
	blr

/* --------------------------------------------------------------------------- */
	.globl tlb_write
tlb_write:
	mtspr	624, r3
	mtspr	625, r4
	mtspr	626, r5
	mtspr	627, r6
	mtspr	944, r7
	isync
	tlbwe
	isync
	blr

	.globl tlb_read
tlb_read:
	mtspr	624, r3
	isync
	tlbre
	isync
	mfspr	r5, 624
	stw	r5, 0(r4)
	mfspr	r5, 625
	stw	r5, 4(r4)
	mfspr	r5, 626
	stw	r5, 8(r4)
	mfspr	r5, 627
	stw	r5, 12(r4)
	mfspr	r5, 944
	stw	r5, 16(r4)
	blr

	.globl tlb_search
tlb_search:
	mtspr	630, r4
	isync
	tlbsx	0, r3
	isync
	mfspr	r6, 624
	stw	r6, 0(r5)
	mfspr	r6, 625
	stw	r6, 4(r5)
	mfspr	r6, 626
	stw	r6, 8(r5)
	mfspr	r6, 627
	stw	r6, 12(r5)
	mfspr	r6, 944
	stw	r6, 16(r5)
	blr

	.globl tlb_ivax
tlb_ivax:
	isync
	tlbivax	0, r3
	isync
	msync
	blr

	.section .bss
	.balign 64
	.globl tframe_nc, tframe_crit
tframe_nc:	.space F_FRAME_SIZE
tframe_crit:	.space F_FRAME_SIZE
	.balign 16
tstack_nc:	.space 8192
tstack_crit:	.space 8192
	.globl tstack_user
tstack_user:	.space 8192
	.globl run_user_sp, run_user_msr, ctx_sp, ctx_out, ctx_msr, ctx_active
run_user_sp:	.space 4
run_user_msr:	.space 4
ctx_sp:		.space 4
ctx_out:	.space 4
ctx_msr:	.space 4
ctx_active:	.space 4

	.section .note.GNU-stack,"",@progbits
