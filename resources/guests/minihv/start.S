/* minihv: entry, interrupt vectors and the exit path.
 *
 * The board starts us as QEMU's ppce500 starts a -kernel image: MSR = 0,
 * r3 = device tree, TLB1[0] mapping the first 256 MB (it covers the device
 * tree) with TGS = 0. We move that mapping to TLB1[63], out of the way of the
 * guest's TLB1 entries, which we mirror index for index.
 *
 * Every interrupt comes to one stub per vector: it parks r1 and r3 in SPRG0
 * and SPRG1 (the hypervisor's own: in guest state the guest sees GSPRG0-3),
 * saves the guest's registers in `frame`, calls hv_exit(frame, ivor) on the
 * hypervisor's stack, restores the (possibly changed) frame and returns with
 * rfi; SRR1 carries MSR[GS] back into the guest. A guest doorbell saves the
 * guest's PC and MSR in GSRR0/1 instead of SRR0/1.
 */
	.section .text.start,"ax"
	.globl	_start
_start:
	mr	r31, r3
	/* TLB1[63] = TLB1[0]'s translation (VA 0 -> PA 0, 256 MB, TGS 0), then drop TLB1[0]. */
	lis	r4, 0x103F		/* MAS0: TLBSEL 1, ESEL 63 */
	mtspr	624, r4
	lis	r4, 0xC000		/* MAS1: V, IPROT */
	ori	r4, r4, (18 << 7)	/* TSIZE 18 = 256 MB */
	mtspr	625, r4
	li	r4, 0
	mtspr	626, r4
	li	r4, 0x15		/* MAS3: SX|SW|SR */
	mtspr	627, r4
	li	r4, 0
	mtspr	944, r4
	mtspr	341, r4			/* MAS8: TGS 0, TLPID 0 */
	isync
	tlbwe
	isync
	lis	r4, 0x1000		/* MAS0: TLBSEL 1, ESEL 0 */
	mtspr	624, r4
	li	r4, 0
	mtspr	625, r4
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
2:	lis	r1, hv_stack_top@ha
	addi	r1, r1, hv_stack_top@l
	mr	r3, r31
	bl	hv_main
	b	hv_resume

	.section .text
/* One stub per vector, 16-byte aligned (IVORs hold bits 16-27). */
#define STUB(n) \
	.balign 16; .globl hv_vec_##n; hv_vec_##n: mtspr 272, r1; mtspr 273, r3; li r3, n; b hv_common

	STUB(0)
	STUB(1)
	STUB(2)
	STUB(3)
	STUB(4)
	STUB(5)
	STUB(6)
	STUB(7)
	STUB(8)
	STUB(9)
	STUB(10)
	STUB(11)
	STUB(12)
	STUB(13)
	STUB(14)
	STUB(15)
	STUB(35)
	STUB(36)
	STUB(37)
	STUB(38)
	STUB(39)
	STUB(40)
	STUB(41)

/* frame: gpr[0..31] at 0, cr 128, lr 132, ctr 136, xer 140, pc 144, msr 148 */
hv_common:
	lis	r1, frame@ha
	addi	r1, r1, frame@l
	stw	r0, 0(r1)
	mfspr	r0, 272
	stw	r0, 4(r1)
	stw	r2, 8(r1)
	mfspr	r0, 273
	stw	r0, 12(r1)
	stmw	r4, 16(r1)
	mfcr	r0
	stw	r0, 128(r1)
	mflr	r0
	stw	r0, 132(r1)
	mfctr	r0
	stw	r0, 136(r1)
	mfxer	r0
	stw	r0, 140(r1)
	cmpwi	r3, 38
	bne	3f
	mfspr	r0, 378			/* guest doorbell: the guest's PC and MSR are in GSRR0/1 */
	stw	r0, 144(r1)
	mfspr	r0, 379
	stw	r0, 148(r1)
	b	4f
3:	mfsrr0	r0
	stw	r0, 144(r1)
	mfsrr1	r0
	stw	r0, 148(r1)
4:	mr	r4, r3
	mr	r3, r1
	lis	r1, hv_stack_top@ha
	addi	r1, r1, hv_stack_top@l
	bl	hv_exit
	.globl	hv_resume
hv_resume:
	lis	r1, frame@ha
	addi	r1, r1, frame@l
	lwz	r0, 144(r1)
	mtsrr0	r0
	lwz	r0, 148(r1)
	mtsrr1	r0
	lwz	r0, 128(r1)
	mtcr	r0
	lwz	r0, 132(r1)
	mtlr	r0
	lwz	r0, 136(r1)
	mtctr	r0
	lwz	r0, 140(r1)
	mtxer	r0
	lmw	r2, 8(r1)
	lwz	r0, 0(r1)
	lwz	r1, 4(r1)
	rfi

	.section .rodata
	.balign	4
	.globl	labos_image, labos_image_end
labos_image:
	.incbin	"labos.elf"
labos_image_end:

	.section .bss
	.balign	16
	.globl	frame
frame:	.space	160
	.balign	16
	.space	16384
	.globl	hv_stack_top
hv_stack_top:
	.space	16

	.section .note.GNU-stack,"",@progbits
