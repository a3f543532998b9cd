/*
 * labOS start-up.
 *
 * Entry state (QEMU ppce500 "-kernel" and the lab alike, the ePAPR convention):
 * MSR = 0, r3 = flattened device tree, r6 = 'EPAP', r7 = size of the initial
 * mapping, and one TLB1 entry mapping the first 64 MB VA 0 -> PA 0 with every
 * permission, including user ones.  The kernel must not stay behind an entry
 * that user mode can use, so we replace it by a supervisor-only one.
 *
 * An entry that maps the code currently executing must not be rewritten in
 * place, so, like Linux's e500 start-up, we build a temporary copy of it in the
 * other address space (TS = 1), jump there with rfi (MSR[IS|DS] = 1), rewrite
 * the real entry, jump back to AS 0 and drop the temporary one.
 */
#include "arch.h"

#define TEMP_ESEL	15	/* every e500 TLB1 has at least 16 entries */

	.section .text.head,"ax"
	.globl	_start
_start:
	mr	r31, r3			/* device tree pointer, kept until kmain */

	/* Which TLB1 entry maps us?  tlbsx with MAS6 = {SPID 0, SAS 0}. */
	bl	1f
1:	mflr	r20
	li	r4, 0
	mtspr	SPRN_MAS6, r4
	isync
	tlbsx	0, r20
	mfspr	r21, SPRN_MAS0		/* the boot entry's TLBSEL/ESEL */
	mfspr	r22, SPRN_MAS1
	mfspr	r23, SPRN_MAS2
	mfspr	r24, SPRN_MAS3
	mfspr	r25, SPRN_MAS7

	/* Temporary copy in AS 1, without IPROT. */
	lis	r4, (MAS0_TLBSEL1 | MAS0_ESEL(TEMP_ESEL))@h
	mtspr	SPRN_MAS0, r4
	oris	r4, r22, MAS1_V@h
	ori	r4, r4, MAS1_TS
	rlwinm	r4, r4, 0, 2, 0		/* clear IPROT (bit 1) */
	mtspr	SPRN_MAS1, r4
	mtspr	SPRN_MAS2, r23
	mtspr	SPRN_MAS3, r24
	mtspr	SPRN_MAS7, r25
	isync
	tlbwe
	isync

	/* Continue in AS 1. */
	li	r4, MSR_IS | MSR_DS
	mtspr	SPRN_SRR1, r4
	lis	r4, 2f@ha
	addi	r4, r4, 2f@l
	mtspr	SPRN_SRR0, r4
	rfi

2:	/* Drop the boot entry, then install TLB1[0]: 64 MB at 0, kernel only. */
	mtspr	SPRN_MAS0, r21
	li	r4, 0
	mtspr	SPRN_MAS1, r4
	isync
	tlbwe
	isync
	lis	r4, (MAS0_TLBSEL1 | MAS0_ESEL(0))@h
	mtspr	SPRN_MAS0, r4
	lis	r4, (MAS1_V | MAS1_IPROT)@h
	ori	r4, r4, MAS1_TSIZE(TSIZE_64M)
	mtspr	SPRN_MAS1, r4
	li	r4, 0			/* EPN 0, WIMGE 0 */
	mtspr	SPRN_MAS2, r4
	li	r4, MAS3_SX | MAS3_SW | MAS3_SR	/* RPN 0 */
	mtspr	SPRN_MAS3, r4
	li	r4, 0
	mtspr	SPRN_MAS7, r4
	isync
	tlbwe
	isync

	/* Back to AS 0 under the new entry. */
	li	r4, 0
	mtspr	SPRN_SRR1, r4
	lis	r4, 3f@ha
	addi	r4, r4, 3f@l
	mtspr	SPRN_SRR0, r4
	rfi

3:	lis	r4, (MAS0_TLBSEL1 | MAS0_ESEL(TEMP_ESEL))@h
	mtspr	SPRN_MAS0, r4
	li	r4, 0
	mtspr	SPRN_MAS1, r4
	isync
	tlbwe
	isync

	/* Clear .bss (the boot stack lives there, so before using any stack). */
	lis	r4, __bss_start@ha
	addi	r4, r4, __bss_start@l
	lis	r5, __bss_end@ha
	addi	r5, r5, __bss_end@l
	li	r6, 0
4:	cmplw	r4, r5
	bge	5f
	stw	r6, 0(r4)
	addi	r4, r4, 4
	b	4b
5:
	/* Run on the idle task's kernel stack (task slot 0). */
	lis	r1, (kstacks + KSTACK_SIZE)@ha
	addi	r1, r1, (kstacks + KSTACK_SIZE)@l
	li	r0, 0
	stwu	r0, -16(r1)		/* terminate the back chain */

	/* Kernel MSR: machine check and critical interrupts enabled; external
	 * interrupts stay off until the interrupt controller is set up. */
	lis	r4, MSR_KERNEL@h
	ori	r4, r4, MSR_KERNEL@l
	mtmsr	r4
	isync

	mr	r3, r31
	bl	kmain
6:	b	6b

	.section .note.GNU-stack,"",@progbits
