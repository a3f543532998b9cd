/* Minimal start-up for the lab's bare-metal test guests.
 * Entry state (QEMU ppce500 -kernel and the lab alike): MSR=0, r1 = 16 MB - 8,
 * r3 = device tree, TLB1[0] maps 64 MB of RAM at 0. Nothing maps the CCSR, so we
 * add TLB1[1]: EA 0xE0000000 -> PA 0xF_E000_0000, 1 MB, cache-inhibited+guarded.
 * Then clear .bss, enable the FPU, call main(dtb) and end the run through the
 * global-utilities reset register (RSTCR = CCSR + 0xE00B0). */
	.section .text.start,"ax"
	.globl _start
_start:
	mr	r31, r3			/* keep the device tree pointer */
	lis	r4, 0x1001		/* MAS0: TLBSEL=1, ESEL=1 */
	mtspr	624, r4
	lis	r4, 0xC000		/* MAS1: V, IPROT, TSIZE=1 MB */
	ori	r4, r4, 0x0500
	mtspr	625, r4
	lis	r4, 0xE000		/* MAS2: EPN 0xE0000000, I|G */
	ori	r4, r4, 0x000A
	mtspr	626, r4
	lis	r4, 0xE000		/* MAS3: RPN low, SR|SW */
	ori	r4, r4, 0x0005
	mtspr	627, r4
	li	r4, 0xF			/* MAS7: RPN high bits (PA 0xF_E000_0000) */
	mtspr	944, r4
	isync
	tlbwe
	isync

	lis	r4, __bss_start@ha
	addi	r4, r4, __bss_start@l
	lis	r5, __bss_end@ha
	addi	r5, r5, __bss_end@l
	li	r6, 0
1:	cmplw	r4, r5
	bge	2f
	stw	r6, 0(r4)
	addi	r4, r4, 4
	b	1b
2:
	mfmsr	r4			/* MSR[FP] on: guests may use the FPU */
	ori	r4, r4, 0x2000
	mtmsr	r4
	isync

	li	r0, 0
	stwu	r0, -16(r1)		/* terminate the back chain */
	mr	r3, r31
	bl	main
	bl	lab_exit
3:	b	3b

	.section .note.GNU-stack,"",@progbits
