/*
 * labOS interrupt vectors, exception entry/exit, TLB refill and context switch.
 *
 * IVPR points at ivpr_base (address 0, 64 KB aligned); every IVORn holds the
 * offset of vec_n below.  The register discipline follows 32-bit Linux on
 * Book E, so that a hypervisor that does or does not duplicate each of these
 * registers sees the same accesses a real kernel would make:
 *
 *   normal class (SRR0/1):  r10 -> SPRG0, r11 -> SPRG1, SPRG3 = current
 *                           task's thread block (its kernel stack top and page
 *                           directory), then SRR0, SRR1 (+ ESR, DEAR) are read
 *                           and everything goes to a pt_regs frame; rfi.
 *   critical (CSRR0/1):     r10 -> SPRG2, private critical stack; rfci.
 *   machine check (MCSRR):  r10 -> SPRG1 (as Linux); fatal.
 *   debug (DSRR0/1):        r10 -> SPRG9 (as Linux on e500mc); rfdi.
 *   TLB miss fast path:     r10 -> SPRG0, r11 -> SPRG1, r12 -> SPRG4W,
 *                           r13 -> SPRG5W, CR -> SPRG7W, restored through the
 *                           user-readable SPRG4R/5R/7R aliases (as Linux).
 */
#include "arch.h"

/* ------------------------------------------------------------------------- */
/* Prologues                                                                 */
/* ------------------------------------------------------------------------- */

/* Normal class.  From user mode, start at the top of the task's kernel stack
 * (found through SPRG3); from kernel mode, push a frame on the current one. */
.macro NORMAL_PROLOG trap
	mtspr	SPRN_SPRG0, r10
	mtspr	SPRN_SPRG1, r11
	mfcr	r10
	mfspr	r11, SPRN_SRR1
	andi.	r11, r11, MSR_PR
	mr	r11, r1
	beq	1f
	mfspr	r11, SPRN_SPRG3
	lwz	r11, TH_KSP_TOP(r11)
1:	subi	r11, r11, INT_FRAME_SIZE
	stw	r10, _CCR(r11)
	stw	r1, GPR1(r11)
	stw	r1, 0(r11)
	mr	r1, r11
	mfspr	r10, SPRN_SPRG0
	mfspr	r11, SPRN_SPRG1
	stw	r10, GPR10(r1)
	stw	r11, GPR11(r1)
	stw	r12, GPR12(r1)
	mflr	r10
	stw	r10, _LINK(r1)
	mfspr	r11, SPRN_SRR0
	mfspr	r12, SPRN_SRR1
	li	r10, \trap
	bl	save_rest
.endm

/* Critical class (critical input, watchdog): CSRR0/1, scratch SPRG2, and a
 * private stack, because the interrupt can hit anywhere, even in the middle
 * of a normal prologue whose r1 still belongs to user mode. */
.macro CRIT_PROLOG trap
	mtspr	SPRN_SPRG2, r10
	lis	r10, crit_stack_top@ha
	addi	r10, r10, crit_stack_top@l
	subi	r10, r10, INT_FRAME_SIZE
	stw	r11, GPR11(r10)
	stw	r1, GPR1(r10)
	stw	r1, 0(r10)
	mr	r1, r10
	mfspr	r10, SPRN_SPRG2
	stw	r10, GPR10(r1)
	mfcr	r10
	stw	r10, _CCR(r1)
	stw	r12, GPR12(r1)
	mflr	r10
	stw	r10, _LINK(r1)
	mfspr	r11, SPRN_CSRR0
	mfspr	r12, SPRN_CSRR1
	li	r10, \trap
	bl	save_rest
.endm

/* Machine check and debug: same shape, their own save/restore registers and
 * scratch SPR, on the emergency stack. */
.macro LEVEL_PROLOG trap, scratch, srr0, srr1
	mtspr	\scratch, r10
	lis	r10, emerg_stack_top@ha
	addi	r10, r10, emerg_stack_top@l
	subi	r10, r10, INT_FRAME_SIZE
	stw	r11, GPR11(r10)
	stw	r1, GPR1(r10)
	stw	r1, 0(r10)
	mr	r1, r10
	mfspr	r10, \scratch
	stw	r10, GPR10(r1)
	mfcr	r10
	stw	r10, _CCR(r1)
	stw	r12, GPR12(r1)
	mflr	r10
	stw	r10, _LINK(r1)
	mfspr	r11, \srr0
	mfspr	r12, \srr1
	li	r10, \trap
	bl	save_rest
.endm

/* Restore everything from the frame at r1 and return with the given
 * save/restore pair and return instruction. */
.macro RESTORE_AND_RETURN srr0, srr1, rfinsn
	lwz	r0, _CTR(r1)
	mtctr	r0
	lwz	r0, _XER(r1)
	mtxer	r0
	lwz	r0, _LINK(r1)
	mtlr	r0
	lwz	r0, _CCR(r1)
	mtcr	r0
	lwz	r0, _NIP(r1)
	mtspr	\srr0, r0
	lwz	r0, _MSR(r1)
	mtspr	\srr1, r0
	lwz	r0, GPR0(r1)
	lwz	r2, GPR2(r1)
	lwz	r3, GPR3(r1)
	lwz	r4, GPR3+4(r1)
	lwz	r5, GPR3+8(r1)
	lwz	r6, GPR3+12(r1)
	lwz	r7, GPR3+16(r1)
	lwz	r8, GPR3+20(r1)
	lwz	r9, GPR3+24(r1)
	lwz	r10, GPR10(r1)
	lwz	r11, GPR11(r1)
	lwz	r12, GPR12(r1)
	lmw	r13, GPR13(r1)
	lwz	r1, GPR1(r1)
	\rfinsn
.endm

/* A normal-class vector that calls handler(struct pt_regs *). */
.macro NORMAL_VECTOR name, trap, handler
	.balign	16
\name:
	NORMAL_PROLOG \trap
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	\handler
	b	ret_from_except
.endm

/* Storage-class vector: also records DEAR and ESR. */
.macro STORAGE_VECTOR name, trap, handler
	.balign	16
\name:
	NORMAL_PROLOG \trap
	mfspr	r4, SPRN_DEAR
	mfspr	r5, SPRN_ESR
	stw	r4, _DEAR(r1)
	stw	r5, _ESR(r1)
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	\handler
	b	ret_from_except
.endm

/* Instruction-side vector: ESR only (the address is SRR0). */
.macro ESR_VECTOR name, trap, handler
	.balign	16
\name:
	NORMAL_PROLOG \trap
	mfspr	r5, SPRN_ESR
	stw	r5, _ESR(r1)
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	\handler
	b	ret_from_except
.endm

/* ------------------------------------------------------------------------- */
/* TLB miss fast path                                                        */
/* ------------------------------------------------------------------------- */

/* r10 = effective address that missed.  Walk current's two-level page table
 * and write a 4 KB TLB0 entry tagged with the task's PID.  MAS0 (TLB0, and
 * the victim way from the hardware's next-victim hint) is left as the miss
 * preloaded it, as Linux does.  Anything unusual (kernel address, no page
 * table, no PTE) leaves through \slow with every register restored, so the
 * normal prologue sees the original state. */
.macro TLB_MISS_PROLOG
	mtspr	SPRN_SPRG0, r10
	mtspr	SPRN_SPRG1, r11
	mtspr	SPRN_SPRG4W, r12
	mtspr	SPRN_SPRG5W, r13
	mfcr	r13
	mtspr	SPRN_SPRG7W, r13
.endm

.macro TLB_MISS_RESTORE
	mfspr	r13, SPRN_SPRG7R
	mtcr	r13
	mfspr	r13, SPRN_SPRG5R
	mfspr	r12, SPRN_SPRG4R
	mfspr	r11, SPRN_SPRG1
	mfspr	r10, SPRN_SPRG0
.endm

.macro TLB_REFILL slow
	lis	r11, USER_BASE@h
	cmplw	r10, r11
	blt	\slow
	lis	r11, USER_TOP@h
	cmplw	r10, r11
	bge	\slow
	mfspr	r13, SPRN_SPRG3
	lwz	r11, TH_PGDIR(r13)
	cmpwi	r11, 0
	beq	\slow
	rlwinm	r12, r10, 12, 20, 29	/* (EA >> 22) * 4: directory index */
	lwzx	r11, r11, r12
	cmpwi	r11, 0
	beq	\slow
	rlwinm	r12, r10, 22, 20, 29	/* ((EA >> 12) & 0x3ff) * 4 */
	lwzx	r11, r11, r12		/* the PTE */
	andi.	r12, r11, PTE_PRESENT
	beq	\slow
	lwz	r12, TH_CTX(r13)
	rlwinm	r12, r12, 16, 8, 15	/* MAS1[TID] = context */
	oris	r12, r12, MAS1_V@h
	ori	r12, r12, MAS1_TSIZE(TSIZE_4K)
	mtspr	SPRN_MAS1, r12
	rlwinm	r12, r10, 0, 0, 19	/* MAS2: EPN, WIMGE = 0 */
	mtspr	SPRN_MAS2, r12
	rlwinm	r12, r11, 0, 26, 19	/* MAS3 = pte & 0xFFFFF03F */
	mtspr	SPRN_MAS3, r12
	li	r12, 0
	mtspr	SPRN_MAS7, r12
	tlbwe
	TLB_MISS_RESTORE
	rfi
.endm

/* ------------------------------------------------------------------------- */
/* The vectors                                                               */
/* ------------------------------------------------------------------------- */

	.section .text.vectors,"ax"
	.globl	ivpr_base
ivpr_base:

	.balign	16
	.globl	vec_critical
vec_critical:
	CRIT_PROLOG TRAP_CRITICAL
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	critical_exception
	b	ret_from_crit

	.balign	16
	.globl	vec_mcheck
vec_mcheck:
	LEVEL_PROLOG TRAP_MCHECK, SPRN_SPRG1, SPRN_MCSRR0, SPRN_MCSRR1
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	fatal_exception		/* does not return */

	.globl	vec_dsi, vec_isi, vec_external, vec_align, vec_program
	.globl	vec_fpunavail, vec_syscall, vec_apunavail, vec_dec, vec_fit
	.globl	vec_unexpected, vec_hcall, vec_doorbell
	STORAGE_VECTOR vec_dsi, TRAP_DSI, do_storage_fault
	ESR_VECTOR vec_isi, TRAP_ISI, do_storage_fault
	NORMAL_VECTOR vec_external, TRAP_EXTERNAL, do_external
	STORAGE_VECTOR vec_align, TRAP_ALIGN, do_alignment
	ESR_VECTOR vec_program, TRAP_PROGRAM, do_program
	NORMAL_VECTOR vec_fpunavail, TRAP_FPUNAVAIL, do_unavailable
	NORMAL_VECTOR vec_syscall, TRAP_SYSCALL, do_syscall
	NORMAL_VECTOR vec_apunavail, TRAP_APUNAVAIL, do_unavailable
	NORMAL_VECTOR vec_dec, TRAP_DEC, timer_interrupt
	NORMAL_VECTOR vec_fit, TRAP_FIT, fit_interrupt
	NORMAL_VECTOR vec_hcall, TRAP_HCALL, do_hcall_trap
	NORMAL_VECTOR vec_doorbell, TRAP_DOORBELL, do_doorbell
	NORMAL_VECTOR vec_unexpected, 99, do_unexpected

	.balign	16
	.globl	vec_watchdog
vec_watchdog:
	CRIT_PROLOG TRAP_WATCHDOG
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	critical_exception
	b	ret_from_crit

	.balign	16
	.globl	vec_dtlb
vec_dtlb:
	TLB_MISS_PROLOG
	mfspr	r10, SPRN_DEAR
	TLB_REFILL dtlb_slow
dtlb_slow:
	TLB_MISS_RESTORE
	b	dtlb_fault

	.balign	16
	.globl	vec_itlb
vec_itlb:
	TLB_MISS_PROLOG
	mfspr	r10, SPRN_SRR0
	TLB_REFILL itlb_slow
itlb_slow:
	TLB_MISS_RESTORE
	b	itlb_fault

	STORAGE_VECTOR dtlb_fault, TRAP_DTLB, do_page_fault
	ESR_VECTOR itlb_fault, TRAP_ITLB, do_page_fault

	.balign	16
	.globl	vec_debug
vec_debug:
	LEVEL_PROLOG TRAP_DEBUG, SPRN_SPRG9, SPRN_DSRR0, SPRN_DSRR1
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	debug_exception
	RESTORE_AND_RETURN SPRN_DSRR0, SPRN_DSRR1, rfdi

/* ------------------------------------------------------------------------- */
/* Common save and exit paths                                                */
/* ------------------------------------------------------------------------- */

	.text

/* Called from a prologue: r1 = frame with r1, r10-r12, CR and LR saved;
 * r10 = trap number, r11 = SRR0-like, r12 = SRR1-like. */
save_rest:
	stw	r0, GPR0(r1)
	stw	r2, GPR2(r1)
	stw	r3, GPR3(r1)
	stw	r4, GPR3+4(r1)
	stw	r5, GPR3+8(r1)
	stw	r6, GPR3+12(r1)
	stw	r7, GPR3+16(r1)
	stw	r8, GPR3+20(r1)
	stw	r9, GPR3+24(r1)
	stmw	r13, GPR13(r1)
	mfctr	r0
	stw	r0, _CTR(r1)
	mfxer	r0
	stw	r0, _XER(r1)
	stw	r11, _NIP(r1)
	stw	r12, _MSR(r1)
	stw	r10, _TRAP(r1)
	li	r0, 0
	stw	r0, _DEAR(r1)
	stw	r0, _ESR(r1)
	blr

/* Return from a normal-class exception.  On the way back to user mode the
 * C side may reschedule or finish off a killed task; it returns with EE off.
 * The stwcx. drops any reservation the interrupted code held, so a user
 * lwarx/stwcx. pair cannot succeed across a kernel entry. */
	.globl	ret_from_except
ret_from_except:
	wrteei	0
	lwz	r3, _MSR(r1)
	andi.	r3, r3, MSR_PR
	beq	1f
	addi	r3, r1, STACK_FRAME_OVERHEAD
	bl	exit_to_user
1:	stwcx.	r0, 0, r1
	RESTORE_AND_RETURN SPRN_SRR0, SPRN_SRR1, rfi

ret_from_crit:
	RESTORE_AND_RETURN SPRN_CSRR0, SPRN_CSRR1, rfci

/* First run of a new task: _switch "returns" here on its fresh stack.
 * r14 = kernel thread function (0 for a user task), r15 = its argument.
 * A user task's stack already holds the pt_regs frame to rfi into. */
	.globl	ret_from_fork
ret_from_fork:
	cmpwi	r14, 0
	beq	ret_from_except
	mtctr	r14
	mr	r3, r15
	wrteei	1
	bctrl
	bl	kthread_exit		/* does not return */

/* void _switch(struct thread *prev, struct thread *next)
 * Saves the non-volatile state of prev on its kernel stack, switches stacks,
 * points SPRG3 at next's thread block (as Linux does on every switch) and
 * returns on next's stack.  Called with EE off. */
	.globl	_switch
_switch:
	stwu	r1, -SWITCH_FRAME(r1)
	mflr	r0
	stw	r0, SWITCH_FRAME+4(r1)
	mfcr	r0
	stw	r0, 8(r1)
	stmw	r13, 12(r1)
	stw	r1, TH_KSP(r3)
	lwz	r1, TH_KSP(r4)
	mtspr	SPRN_SPRG3, r4
	lmw	r13, 12(r1)
	lwz	r0, 8(r1)
	mtcr	r0
	lwz	r0, SWITCH_FRAME+4(r1)
	mtlr	r0
	addi	r1, r1, SWITCH_FRAME
	blr

/* Idle: enable external interrupts and wait for one.  If an interrupt lands
 * between the wrteei and the wait, its exit path steps the saved PC over the
 * wait (see idle_wakeup_fixup), so the idle loop never sleeps through a
 * wake-up that already happened. */
	.globl	cpu_idle_wait, idle_wait_insn
cpu_idle_wait:
	wrteei	1
idle_wait_insn:
	wait
	blr

/* ePAPR hypercall trampoline, patched at boot from the device tree's
 * /hypervisor/hcall-instructions (up to four words; "sc 1" by default). */
	.globl	hcall_insns
	.balign	16
hcall_insns:
	.long	0x44000022	/* sc 1 */
	nop
	nop
	nop
	blr

/* int epapr_hcall(struct hcall_regs *r)
 * r[0..7] -> r3..r10, r[8] = token -> r11; on return r3..r11 -> r[0..8].
 * The ePAPR ABI clobbers r0, r3-r12, CR, CTR, LR and XER; r13-r31 survive. */
	.globl	epapr_hcall
epapr_hcall:
	stwu	r1, -32(r1)
	mflr	r0
	stw	r0, 36(r1)
	mfcr	r0
	stw	r0, 8(r1)
	stw	r3, 12(r1)
	lwz	r11, 32(r3)
	lwz	r4, 4(r3)
	lwz	r5, 8(r3)
	lwz	r6, 12(r3)
	lwz	r7, 16(r3)
	lwz	r8, 20(r3)
	lwz	r9, 24(r3)
	lwz	r10, 28(r3)
	lwz	r3, 0(r3)
	bl	hcall_insns
	lwz	r12, 12(r1)
	stw	r3, 0(r12)
	stw	r4, 4(r12)
	stw	r5, 8(r12)
	stw	r6, 12(r12)
	stw	r7, 16(r12)
	stw	r8, 20(r12)
	stw	r9, 24(r12)
	stw	r10, 28(r12)
	stw	r11, 32(r12)
	lwz	r0, 8(r1)
	mtcr	r0
	lwz	r0, 36(r1)
	mtlr	r0
	addi	r1, r1, 32
	blr

	.section .bss
	.balign	16
	.space	4096
crit_stack_top:
	.space	4096
emerg_stack_top:

	.section .note.GNU-stack,"",@progbits
