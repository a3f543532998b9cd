/*
 * Secondary CPUs (smp.c): where a released CPU starts, and its doorbell
 * handler.
 *
 * A CPU the boot CPU releases from the ePAPR spin table arrives at
 * smp_secondary_start with r3 from its table entry (labOS writes the CPU's
 * number there), MSR as at reset, and TLB1[1] mapping the 64 MB around its
 * entry point at effective address 0 (the board's doing, QEMU's ppce500
 * spin table).  It takes a stack of its own and calls smp_secondary_main.
 *
 * Its only interrupt is the processor doorbell: the handler answers a ping
 * (smp_ping, written by the boot CPU before its msgsnd) by copying it to this
 * CPU's smp_pong slot and ringing the boot CPU's doorbell in turn.  It keeps
 * to r10/r11 and SPRG0/1, which on a secondary belong to nobody else.
 */
#include "arch.h"

#define SMP_STACK_SIZE	4096

	.text
	.globl	smp_secondary_start
smp_secondary_start:
	andi.	r30, r3, 0xFF
	lis	r1, smp_stacks@ha
	addi	r1, r1, smp_stacks@l
	addi	r4, r30, 1
	slwi	r4, r4, 12		/* SMP_STACK_SIZE */
	add	r1, r1, r4
	li	r0, 0
	stwu	r0, -16(r1)
	mr	r3, r30
	bl	smp_secondary_main
1:	b	1b

	.balign	16
	.globl	smp_doorbell_vector
smp_doorbell_vector:
	mtspr	SPRN_SPRG0, r10
	mtspr	SPRN_SPRG1, r11
	lis	r11, smp_ping@ha
	lwz	r11, smp_ping@l(r11)
	mfspr	r10, SPRN_PIR
	slwi	r10, r10, 2
	addis	r10, r10, smp_pong@ha
	stw	r11, smp_pong@l(r10)
	li	r10, 0			/* a processor doorbell for CPU 0 */
	msync
	msgsnd	r10
	mfspr	r11, SPRN_SPRG1
	mfspr	r10, SPRN_SPRG0
	rfi

	.section .note.GNU-stack,"",@progbits
