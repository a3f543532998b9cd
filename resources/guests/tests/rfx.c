/* rfx: rfi, rfci, rfmci and rfdi return through their own save/restore
 * pairs (SRR0/1, CSRR0/1, MCSRR0/1, DSRR0/1): each pair is loaded with a
 * target and an MSR, the other pairs with decoys; the program reports where
 * it landed and the MSR it got. Also returns into user mode (PR) and the
 * MSR bits each return can set (ME, CE, DE, FE0/FE1, EE).
 * QEMU 7.2 aborts on rfci/rfmci/rfdi under -icount ("Bad icount read"), so
 * this program runs on QEMU without -icount; it prints nothing timing
 * dependent. */
#include "tlib.h"

/* Returns 1..4 = which target was reached, and the MSR seen there. */
static uint32_t do_rfx(int kind, uint32_t msr_target, uint32_t *msr_out)
{
	uint32_t which, got;
	__asm__ volatile(
		"lis 9,1f@ha\n\taddi 9,9,1f@l\n\t"
		"lis 10,2f@ha\n\taddi 10,10,2f@l\n\t"
		"lis 11,3f@ha\n\taddi 11,11,3f@l\n\t"
		"lis 12,4f@ha\n\taddi 12,12,4f@l\n\t"
		"mtspr 26,9\n\tmtspr 27,%2\n\t"
		"mtspr 58,10\n\tmtspr 59,%2\n\t"
		"mtspr 570,11\n\tmtspr 571,%2\n\t"
		"mtspr 574,12\n\tmtspr 575,%2\n\t"
		"cmpwi %3,1\n\tbeq 11f\n\t"
		"cmpwi %3,2\n\tbeq 12f\n\t"
		"cmpwi %3,3\n\tbeq 13f\n\t"
		"rfi\n"
		"11:\trfci\n"
		"12:\trfmci\n"
		"13:\trfdi\n"
		"1:\tli %0,1\n\tb 5f\n"
		"2:\tli %0,2\n\tb 5f\n"
		"3:\tli %0,3\n\tb 5f\n"
		"4:\tli %0,4\n"
		"5:\tmfmsr %1"
		: "=&r"(which), "=&r"(got)
		: "r"(msr_target), "r"(kind)
		: "r9", "r10", "r11", "r12", "cr0", "memory");
	*msr_out = got;
	return which;
}

/* Set the MSR with rfi (QEMU's mtmsr cannot change ME). */
static void set_msr(uint32_t v)
{
	__asm__ volatile("lis 9,1f@ha\n\taddi 9,9,1f@l\n\tmtspr 26,9\n\tmtspr 27,%0\n\trfi\n1:"
			 :: "r"(v) : "r9", "memory");
}

/* sc with r0 = 0x42 from user mode: come back in supervisor mode */
static int sc_back(struct tframe *f)
{
	if (f->gpr[0] == 0x42)
		f->srr1 &= ~MSR_PR;
	return 1;
}

int main(void)
{
	static const char *names[] = { "rfi", "rfci", "rfmci", "rfdi" };
	static const uint32_t bits[] = { 0, MSR_ME, MSR_CE, MSR_DE, MSR_FE0 | MSR_FE1,
		MSR_ME | MSR_CE | MSR_DE };
	trap_init();
	uint32_t base = mfmsr();
	section("return instructions");
	for (int k = 0; k < 4; k++) {
		for (unsigned b = 0; b < sizeof bits / sizeof bits[0]; b++) {
			uint32_t got;
			uint32_t w = do_rfx(k, base | bits[b], &got);
			set_msr(base);
			ps(names[k]);
			pkv("msr_in", base | bits[b]);
			ps(" landed=");
			putudec(w);
			pkv("msr", got);
			pnl();
		}
	}
	section("return to user mode");
	/* run_user enters user mode with rfi; a user function's return comes
	 * back through sc. Here: rfci into user mode, then sc back. */
	{
		uint32_t got;
		trap_hooks[V_SYSCALL] = sc_back;
		tlog_clear();
		__asm__ volatile(
			"lis 9,1f@ha\n\taddi 9,9,1f@l\n\t"
			"mtspr 58,9\n\tmtspr 59,%1\n\t"
			"rfci\n"
			"1:\tli 0,0x42\n\tsc\n\tmfmsr %0"
			: "=r"(got) : "r"(base | MSR_PR) : "r0", "r9", "memory");
		trap_hooks[V_SYSCALL] = 0;
		ps("rfci to user: sc from");
		tlog_print_all(TP_SRR1, 0);
		pkv("msr after", got);
		pnl();
	}
	tests_done();
	return 0;
}
