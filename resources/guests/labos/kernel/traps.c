/*
 * Exception handlers in C: vector set-up, program checks, the alignment
 * fix-up, unexpected and fatal exceptions, panic and power-off.
 */
#include "kernel.h"

extern char vec_critical[], vec_mcheck[], vec_dsi[], vec_isi[], vec_external[], vec_align[];
extern char vec_program[], vec_fpunavail[], vec_syscall[], vec_apunavail[], vec_dec[];
extern char vec_fit[], vec_watchdog[], vec_dtlb[], vec_itlb[], vec_debug[];
extern char vec_unexpected[], vec_hcall[], vec_doorbell[];

#define GUTS_RSTCR	(CCSR_VA + 0xE00B0)

#define VOFF(vec)	((uint32_t)(vec) - (uint32_t)ivpr_base)
#define SET_IVOR(n, vec) mtspr(SPRN_IVOR0 + (n), VOFF(vec))

/* IVPR = the 64 KB aligned base of entry.S's vectors; IVORn = offsets.
 *
 * Like Linux on e500mc: IVOR32-34 (SPE, absent on e500mc) are left alone;
 * IVOR36, the processor doorbell, is how another CPU wakes this one (smp.c);
 * IVOR35 and 37 (performance monitor, critical doorbell) are never
 * expected and share one reporter; IVOR38-41 exist only on a core with the
 * hypervisor category, which MMUCFG[LPIDSIZE] != 0 reveals (a hypervisor such
 * as KVM clears it for its guests, so a guest never writes them).  Of those,
 * IVOR40 catches "sc 1" when labOS itself runs in hypervisor state (bare
 * metal): there is no hypervisor above to answer, so the call fails. */
void setup_vectors(void)
{
	mtspr(SPRN_IVPR, ivpr_base);
	SET_IVOR(0, vec_critical);
	SET_IVOR(1, vec_mcheck);
	SET_IVOR(2, vec_dsi);
	SET_IVOR(3, vec_isi);
	SET_IVOR(4, vec_external);
	SET_IVOR(5, vec_align);
	SET_IVOR(6, vec_program);
	SET_IVOR(7, vec_fpunavail);
	SET_IVOR(8, vec_syscall);
	SET_IVOR(9, vec_apunavail);
	SET_IVOR(10, vec_dec);
	SET_IVOR(11, vec_fit);
	SET_IVOR(12, vec_watchdog);
	SET_IVOR(13, vec_dtlb);
	SET_IVOR(14, vec_itlb);
	SET_IVOR(15, vec_debug);
	mtspr(SPRN_IVOR35, VOFF(vec_unexpected));
	mtspr(SPRN_IVOR36, VOFF(vec_doorbell));
	mtspr(SPRN_IVOR37, VOFF(vec_unexpected));
	if (mfspr(SPRN_MMUCFG) & MMUCFG_LPIDSIZE) {
		mtspr(SPRN_IVOR38, VOFF(vec_unexpected));
		mtspr(SPRN_IVOR39, VOFF(vec_unexpected));
		mtspr(SPRN_IVOR40, VOFF(vec_hcall));
		mtspr(SPRN_IVOR41, VOFF(vec_unexpected));
	}
	isync();
}

void show_regs(struct pt_regs *regs)
{
	printk("trap %u  nip %08x  msr %08x  lr %08x  ctr %08x\n", regs->trap, regs->nip,
	       regs->msr, regs->lr, regs->ctr);
	printk("dear %08x  esr %08x  cr %08x  xer %08x\n", regs->dear, regs->esr, regs->ccr,
	       regs->xer);
	for (int i = 0; i < 32; i += 4)
		printk("r%-2d %08x %08x %08x %08x\n", i, regs->gpr[i], regs->gpr[i + 1],
		       regs->gpr[i + 2], regs->gpr[i + 3]);
}

NORETURN void machine_poweroff(void)
{
	irq_disable();
	console_drain();
	out32(GUTS_RSTCR, 2);	/* RSTCR[HRESET_REQ]: QEMU with -no-reboot exits */
	for (;;)
		;
}

NORETURN void panic(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	irq_disable();
	console_polled();
	va_start(ap, fmt);
	vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("labos: panic: %s\n", buf);
	machine_poweroff();
}

/* Fetch an instruction word at a faulting PC (user addresses are readable by
 * the kernel: the page was just executed, so it is mapped). */
static uint32_t fetch_insn(struct pt_regs *regs)
{
	if ((regs->msr & MSR_PR) && !user_range_ok(regs->nip, 4, 0))
		return 0;
	return *(const uint32_t *)regs->nip;
}

/* Program interrupt: illegal or privileged instruction, or a trap. */
void do_program(struct pt_regs *regs)
{
	uint32_t insn = fetch_insn(regs);
	const char *what = regs->esr & ESR_PPR ? "privileged instruction"
			 : regs->esr & ESR_PTR ? "trap instruction"
			 : "illegal instruction";
	if (regs->msr & MSR_PR)
		kill_current(regs, "%s 0x%08x", what, insn);
	show_regs(regs);
	panic("kernel %s 0x%08x", what, insn);
}

/* labOS gives user tasks no floating point (the kernel and the programs are
 * built soft-float), so MSR[FP] stays 0 and any FP instruction lands here. */
void do_unavailable(struct pt_regs *regs)
{
	const char *what = regs->trap == TRAP_FPUNAVAIL ? "floating point" : "auxiliary processor";
	if (regs->msr & MSR_PR)
		kill_current(regs, "%s unit not available", what);
	show_regs(regs);
	panic("kernel used the %s unit", what);
}

void do_unexpected(struct pt_regs *regs)
{
	if (regs->msr & MSR_PR)
		kill_current(regs, "unexpected exception");
	show_regs(regs);
	panic("unexpected exception (IVOR 35, 37-39 or 41)");
}

/* A processor doorbell: another CPU woke this one (smp.c counts them). */
void do_doorbell(struct pt_regs *regs)
{
	(void)regs;
	smp_doorbells++;
}

/* "sc 1" taken in hypervisor state: nobody is above us. */
void do_hcall_trap(struct pt_regs *regs)
{
	if (regs->msr & MSR_PR)
		kill_current(regs, "hypervisor call from user mode");
	regs->gpr[3] = EV_UNIMPLEMENTED;
}

/* Alignment fix-up.
 *
 * QEMU's e500mc raises the alignment interrupt only for a lwarx whose address
 * is not a multiple of 4 (unaligned lwz, lmw, lfd, dcbz on cache-inhibited
 * memory do not trap there, and an unaligned stwcx. simply fails because no
 * reservation can match it).  The e500mc core raises it for unaligned lwarx
 * and stwcx. both.  labOS emulates the pair, as uniprocessor kernels emulate
 * atomics: lwarx loads the word byte by byte and records a software
 * reservation; stwcx. stores only if that reservation is still held for the
 * same address (any context switch drops it) and reports the outcome in
 * CR0[EQ], copying XER[SO] into CR0[SO] as the instruction does.  The address
 * comes from DEAR, as a Book E kernel's alignment handler takes it.
 */
static int emulate_alignment(struct pt_regs *regs)
{
	uint32_t insn = fetch_insn(regs);
	uint32_t op = insn >> 26, xo = (insn >> 1) & 0x3ff, rt = (insn >> 21) & 31;
	uint32_t ea = regs->dear;
	int user = regs->msr & MSR_PR;

	if (op != 31 || (xo != 20 && xo != 150))
		return 0;
	if (xo == 20) {				/* lwarx */
		if (user && !user_range_ok(ea, 4, 0))
			return -1;
		const volatile uint8_t *p = (const uint8_t *)ea;
		regs->gpr[rt] = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
				((uint32_t)p[2] << 8) | p[3];
		emu_resv_addr = ea;
		emu_resv_valid = 1;
	} else {				/* stwcx. */
		if (user && !user_range_ok(ea, 4, 1))
			return -1;
		uint32_t cr0 = (regs->xer >> 3) & 0x10000000;	/* SO */
		if (emu_resv_valid && emu_resv_addr == ea) {
			volatile uint8_t *p = (uint8_t *)ea;
			uint32_t v = regs->gpr[rt];
			p[0] = (uint8_t)(v >> 24);
			p[1] = (uint8_t)(v >> 16);
			p[2] = (uint8_t)(v >> 8);
			p[3] = (uint8_t)v;
			cr0 |= 0x20000000;			/* EQ: stored */
		}
		emu_resv_valid = 0;
		regs->ccr = (regs->ccr & 0x0fffffff) | cr0;
	}
	regs->nip += 4;
	return 1;
}

void do_alignment(struct pt_regs *regs)
{
	int r = emulate_alignment(regs);
	if (r > 0)
		return;
	if (regs->msr & MSR_PR) {
		if (r < 0)
			kill_current(regs, "segmentation fault: misaligned access to 0x%08x", regs->dear);
		kill_current(regs, "unhandled alignment fault at 0x%08x (instruction 0x%08x)",
			     regs->dear, fetch_insn(regs));
	}
	show_regs(regs);
	panic("kernel alignment fault at 0x%08x", regs->dear);
}

/* Critical input and watchdog (CSRR0/1, SPRG2 scratch).  labOS routes no
 * MPIC source to the critical output and never arms the watchdog, so either
 * means a configuration problem: report it (polled, since the interrupted
 * code may be in the middle of the console ring) and disable the source. */
void critical_exception(struct pt_regs *regs)
{
	console_polled();
	if (regs->trap == TRAP_WATCHDOG) {
		mtspr(SPRN_TCR, mfspr(SPRN_TCR) & ~TCR_WIE);
		mtspr(SPRN_TSR, TSR_ENW | TSR_WIS);
		printk("labos: unexpected watchdog interrupt at 0x%08x; watchdog disabled\n", regs->nip);
		return;
	}
	show_regs(regs);
	panic("unexpected critical input interrupt");
}

/* Debug interrupt (DSRR0/1, SPRG9 scratch): labOS never sets MSR[DE] or any
 * debug event, so just clear the status and carry on. */
void debug_exception(struct pt_regs *regs)
{
	mtspr(SPRN_DBSR, mfspr(SPRN_DBSR));
	console_polled();
	printk("labos: unexpected debug interrupt at 0x%08x\n", regs->nip);
}

/* Machine check (MCSRR0/1, SPRG1 scratch): report and stop. */
NORETURN void fatal_exception(struct pt_regs *regs)
{
	console_polled();
	printk("labos: machine check: MCSR %08x MCAR %08x\n", mfspr(SPRN_MCSR), mfspr(SPRN_MCAR));
	show_regs(regs);
	panic("machine check");
}
