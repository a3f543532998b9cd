/* Secondary-core entry and interrupt handlers for smp.c.
 *
 * A released core arrives at smp_secondary_start as the ePAPR spin table
 * leaves it (r3 from its table entry, r7 = size of the mapping TLB1[1]
 * gives it, MSR as at reset). It records its entry registers, maps the CCSR
 * as crt0 does for the boot core, takes a stack of its own (r3's low byte is
 * its number), turns the FPU on and calls secondary_main(r3).
 *
 * The handlers serve only the secondaries (the boot core uses lib/vectors.S):
 * each counts its interrupt for the core taking it, using SPRG0-2 as scratch. */

#define SPR_SPRG0 272
#define SPR_SPRG1 273
#define SPR_SPRG2 274
#define SPR_PIR 286

	.text
	.globl smp_secondary_start
smp_secondary_start:
	andi.	r30, r3, 0xFF			/* this core's number */
	slwi	r29, r30, 5
	lis	r28, entry_regs@ha
	addi	r28, r28, entry_regs@l
	add	r28, r28, r29
	stw	r3, 0(r28)
	stw	r4, 4(r28)
	stw	r5, 8(r28)
	stw	r6, 12(r28)
	stw	r7, 16(r28)
	stw	r8, 20(r28)
	stw	r9, 24(r28)
	mfmsr	r4
	stw	r4, 28(r28)
	mr	r31, r3

	lis	r4, 0x1002			/* TLB1[2]: the CCSR at 0xE0000000, as crt0 (TLB1[1] maps this code) */
	mtspr	624, r4
	lis	r4, 0xC000
	ori	r4, r4, 0x0500
	mtspr	625, r4
	lis	r4, 0xE000
	ori	r4, r4, 0x000A
	mtspr	626, r4
	lis	r4, 0xE000
	ori	r4, r4, 0x0005
	mtspr	627, r4
	li	r4, 0xF
	mtspr	944, r4
	isync
	tlbwe
	isync

	lis	r1, smp_stacks@ha		/* stack: the top of smp_stacks[n] */
	addi	r1, r1, smp_stacks@l
	addi	r4, r30, 1
	slwi	r4, r4, 12
	add	r1, r1, r4
	li	r0, 0
	stwu	r0, -16(r1)

	mfmsr	r4
	ori	r4, r4, 0x2000
	mtmsr	r4
	isync
	mr	r3, r31
	bl	secondary_main
1:	b	1b

	/* counter[PIR] += 1, with r3 and r4 */
	.macro COUNT_FOR_THIS_CPU counter
	mfspr	r3, SPR_PIR
	slwi	r3, r3, 2
	addis	r3, r3, \counter@ha
	lwz	r4, \counter@l(r3)
	addi	r4, r4, 1
	stw	r4, \counter@l(r3)
	.endm

	.balign 16
	.globl smp_vec_doorbell
smp_vec_doorbell:
	mtspr	SPR_SPRG0, r3
	mtspr	SPR_SPRG1, r4
	COUNT_FOR_THIS_CPU dbell_count
	mfspr	r4, SPR_SPRG1
	mfspr	r3, SPR_SPRG0
	rfi

	/* External input: acknowledge at this core's own MPIC block
	 * (CCSR 0x60000 + 0x1000 x PIR), record the vector, end the interrupt. */
	.balign 16
	.globl smp_vec_external
smp_vec_external:
	mtspr	SPR_SPRG0, r3
	mtspr	SPR_SPRG1, r4
	mtspr	SPR_SPRG2, r5
	mfspr	r3, SPR_PIR
	slwi	r4, r3, 12
	addis	r4, r4, 0xE006
	lwz	r5, 0xA0(r4)			/* IACK */
	mbar
	slwi	r3, r3, 2
	addis	r3, r3, ext_vec@ha
	stw	r5, ext_vec@l(r3)
	li	r5, 0
	stw	r5, 0xB0(r4)			/* EOI */
	mbar
	COUNT_FOR_THIS_CPU ext_count
	mfspr	r5, SPR_SPRG2
	mfspr	r4, SPR_SPRG1
	mfspr	r3, SPR_SPRG0
	rfi

	/* lwarx/stwcx. for C: smp_lwarx(p) loads with a reservation;
	 * smp_stwcx(p, v) returns 1 when the store was performed. */
	.globl smp_lwarx
smp_lwarx:
	lwarx	r3, 0, r3
	blr
	.globl smp_stwcx
smp_stwcx:
	stwcx.	r4, 0, r3
	li	r3, 0
	bne	1f
	li	r3, 1
1:	blr

	.section .note.GNU-stack,"",@progbits
