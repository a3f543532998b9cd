/* interrupts: IVPR/IVOR vectoring (an IVOR pointed at another stub, the
 * low 4 IVOR bits and low 16 IVPR bits ignored, a relocated copy of the
 * vector block), FP unavailable (SRR0 = the FP instruction, re-executed once
 * the handler sets SRR1[FP]), DSI on a store to a read-only page (ESR[ST],
 * DEAR), alignment (lwarx), the decrementer interrupt (SRR1 = MSR with EE,
 * gated by EE and TCR[DIE]), external interrupts from the MPIC (an IPI to
 * CPU 0: gated by EE and the current task priority, taken right after
 * wrteei 1, vector from IACK, spurious vector), interrupts from user mode
 * (SRR1[PR]) and the MSR seen by handlers (all of PR/EE/FP/IS/DS cleared). */
#include "tlib.h"

#define MPIC (CCSR_VA + 0x40000u)
#define MPIC_GCR (MPIC + 0x1020)
#define MPIC_SVR (MPIC + 0x10E0)
#define MPIC_IPIVPR0 (MPIC + 0x10A0)
#define MPIC_IPIDR0 (MPIC + 0x20040)
#define MPIC_CTPR (MPIC + 0x20080)
#define MPIC_IACK (MPIC + 0x200A0)
#define MPIC_EOI (MPIC + 0x200B0)

static volatile uint32_t ext_vec[8];
static volatile uint32_t ext_n;

/* For a program interrupt delivered through another stub: normalise SRR1
 * as trap_dispatch does for vector 6 and skip the instruction. */
static int redirected_program(struct tframe *f)
{
	f->srr1 &= ~0x001E0000u;
	f->srr0 += 4;
	return 1;
}

static void ivor_tests(void)
{
	uint32_t mk, base = (uint32_t)tvec_base, ivpr = base & 0xFFFF0000u;
	section("ivor/ivpr");
	trap_quiet = 1;
	trap_hooks[20] = trap_hooks[21] = trap_hooks[46] = redirected_program;
	/* IVOR6 -> stub 20: the handler reports vector 20 */
	SPR_WRITE(SPR_IVOR(6), base - ivpr + 16 * 20);
	isync();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "trap" : "=&r"(mk) :: "lr", "memory");
	ps("ivor6->stub20");
	tlog_print_all(TP_SRR0 | TP_ESR, mk);
	pnl();
	/* low 4 bits of an IVOR are ignored */
	SPR_WRITE(SPR_IVOR(6), (base - ivpr + 16 * 21) | 0xC);
	isync();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "trap" : "=&r"(mk) :: "lr", "memory");
	ps("ivor6->stub21|0xc");
	tlog_print_all(TP_SRR0, mk);
	pnl();
	SPR_WRITE(SPR_IVOR(6), base - ivpr + 16 * 6);
	/* a copy of the stubs in a 64 KB aligned block; its stub 6 patched to
	 * report 46 (li r3,46); stubs jump to the common code absolutely */
	uint32_t *copy = (uint32_t *)0x00300000u;
	uint32_t *orig = (uint32_t *)base;
	uint32_t off = base - ivpr;
	for (int i = 0; i < 48 * 4; i++)
		copy[off / 4 + i] = orig[i];
	copy[off / 4 + 6 * 4 + 1] = 0x3860002Eu;	/* li r3,46 */
	for (int i = 0; i < 48 * 4; i += 8)
		__asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%0" :: "r"(&copy[off / 4 + i]) : "memory");
	__asm__ volatile("sync\n\tisync" ::: "memory");
	SPR_WRITE(SPR_IVPR, 0x00300000u | 0x1234);	/* low 16 bits ignored */
	isync();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "trap" : "=&r"(mk) :: "lr", "memory");
	ps("ivpr->copy");
	tlog_print_all(TP_SRR0 | TP_ESR, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "sc" : "=&r"(mk) :: "lr", "memory");
	ps("ivpr->copy sc");
	tlog_print_all(TP_SRR0, mk);
	pnl();
	SPR_WRITE(SPR_IVPR, ivpr);
	isync();
	trap_quiet = 0;
}

static int fpu_hook(struct tframe *f)
{
	f->srr1 |= MSR_FP;	/* enable and re-execute */
	return 1;
}

static void fpunavail_tests(void)
{
	static double a = 1.5, b = 2.25, r;
	uint32_t mk, msr = mfmsr();
	section("fp unavailable");
	trap_hooks[V_FPUNAVAIL] = fpu_hook;
	mtmsr(msr & ~MSR_FP);
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "lfd 1,0(%1)\n\tlfd 2,0(%2)\n\tfadd 3,1,2\n\tstfd 3,0(%3)"
			 : "=&r"(mk) : "b"(&a), "b"(&b), "b"(&r) : "lr", "fr1", "fr2", "fr3", "memory");
	ps("lfd with MSR[FP]=0");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_MSR, mk);
	uint64_t bits;
	__builtin_memcpy(&bits, &r, 8);
	ps(" result=");
	ph(bits >> 32);
	ph((uint32_t)bits);
	pnl();
	/* each FP class traps: mffs, fmr, stfd */
	static const char *names[] = { "mffs", "fmr", "stfd", "mtfsfi" };
	for (int k = 0; k < 4; k++) {
		mtmsr(mfmsr() & ~MSR_FP);
		tlog_clear();
		if (k == 0)
			__asm__ volatile(MARK_ASM("%0") "mffs 4" : "=&r"(mk) :: "lr", "fr4");
		else if (k == 1)
			__asm__ volatile(MARK_ASM("%0") "fmr 4,3" : "=&r"(mk) :: "lr", "fr4");
		else if (k == 2)
			__asm__ volatile(MARK_ASM("%0") "stfd 3,0(%1)" : "=&r"(mk) : "b"(&r) : "lr", "memory");
		else
			__asm__ volatile(MARK_ASM("%0") "mtfsfi 7,0" : "=&r"(mk) :: "lr");
		ps(names[k]);
		tlog_print_all(TP_SRR0 | TP_SRR1, mk);
		pnl();
	}
	trap_hooks[V_FPUNAVAIL] = 0;
	mtmsr(msr);
}

/* A read-only 4 KB page: TLB1[5], EA 0x10000000 -> PA 0x00400000, SR only. */
static void dsi_tests(void)
{
	uint32_t mk, v = 0;
	section("dsi");
	*(volatile uint32_t *)0x00400010u = 0x600DF00D;
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(5), MAS1_V | MAS1_TSIZE(2), 0x10000000u, 0x00400000u | MAS3_SR, 0);
	__asm__ volatile("lwz %0,16(%1)" : "=r"(v) : "b"(0x10000000u));
	ps("read-only page load=");
	ph(v);
	pnl();
	trap_quiet = 1;
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "stw %1,20(%2)" : "=&r"(mk) : "r"(0x1234), "b"(0x10000000u) : "lr", "memory");
	ps("stw");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR | TP_DEAR | TP_MSR, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "stbu %1,7(%2)" : "=&r"(mk) : "r"(0x12), "b"(0x10000ff0u) : "lr", "memory");
	ps("stbu");
	tlog_print_all(TP_SRR0 | TP_ESR | TP_DEAR, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "dcbz 0,%1" : "=&r"(mk) : "r"(0x10000040u) : "lr", "memory");
	ps("dcbz");
	tlog_print_all(TP_SRR0 | TP_ESR | TP_DEAR, mk);
	pnl();
	trap_quiet = 0;
	ps("page after=");
	ph(*(volatile uint32_t *)0x00400014u);
	pnl();
	tlb_ivax(0x10000000u | 8);	/* not IPROT: invalidated */
}

/*
 * A fault inside a loop: each pass zeroes a line (dcbz), then moves on and
 * counts. The first passes write a writable page; from 0x20004000 on the page
 * is read-only and each dcbz faults (the handler resumes after it). The
 * registers at each fault, and the loop's result, are the ones the passes
 * computed: a translator that keeps registers in locals must write back,
 * before anything that can fault, even those a pass writes after that point.
 */
static void fault_in_loop(void)
{
	uint32_t count = 0, p = 0x20003F00u;
	section("fault inside a loop");
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(6), MAS1_V | MAS1_TSIZE(2), 0x20003000u, 0x00500000u | MAS3_SR | MAS3_SW, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(5), MAS1_V | MAS1_TSIZE(2), 0x20004000u, 0x00400000u | MAS3_SR, 0);
	trap_quiet = 1;
	tlog_clear();
	/* The mtspr (not translated) makes the loop's head the start of a region of its own. */
	__asm__ volatile(
		"	mtspr 272,%0\n"
		"1:	dcbz 0,%1\n"
		"	addi %1,%1,64\n"
		"	addi %0,%0,1\n"
		"	cmplwi %0,12\n"
		"	blt 1b\n"
		: "+&r"(count), "+&b"(p) :: "cr0", "memory");
	trap_quiet = 0;
	pkv("count", count);
	pkv("p", p);
	pkv("faults", tlog_n);
	pnl();
	tlog_print(0, TP_ESR | TP_DEAR, 0);
	pnl();
	tlb_ivax(0x20003000u | 8);
	tlb_ivax(0x20004000u | 8);
}

static void dec_tests(void)
{
	uint32_t msr = mfmsr();
	section("decrementer interrupt");
	trap_quiet = 1;
	/* DIS set but EE = 0: no interrupt */
	SPR_WRITE(SPR_TCR, TCR_DIE);
	SPR_WRITE(SPR_DEC, 100);
	tlog_clear();
	for (int i = 0; i < 20000 && !(SPR_READ(SPR_TSR) & TSR_DIS); i++)
		;
	ps("ee=0: dis=");
	putudec(!!(SPR_READ(SPR_TSR) & TSR_DIS));
	ps(" taken=");
	putudec(tlog_n);
	pnl();
	/* enabling EE delivers it right after wrteei */
	uint32_t mk;
	__asm__ volatile(MARK_ASM("%0") "wrteei 1\n\tnop\n\twrteei 0" : "=&r"(mk) :: "lr", "memory");
	ps("wrteei 1:");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_MSR, mk);
	ps(" tsr.dis=");
	putudec(!!(SPR_READ(SPR_TSR) & TSR_DIS));
	pnl();
	/* with EE = 1 and DIE = 0: no interrupt, DIS still set */
	SPR_WRITE(SPR_TCR, 0);
	SPR_WRITE(SPR_DEC, 50);
	tlog_clear();
	mtmsr(msr | MSR_EE);
	for (int i = 0; i < 20000 && !(SPR_READ(SPR_TSR) & TSR_DIS); i++)
		;
	for (volatile int i = 0; i < 100; i++)
		;
	mtmsr(msr);
	ps("die=0: dis=");
	putudec(!!(SPR_READ(SPR_TSR) & TSR_DIS));
	ps(" taken=");
	putudec(tlog_n);
	pnl();
	SPR_WRITE(SPR_TSR, TSR_DIS);
	/* DIE = 1, EE = 1 while spinning: taken inside the loop */
	SPR_WRITE(SPR_TCR, TCR_DIE);
	SPR_WRITE(SPR_DEC, 300);
	tlog_clear();
	mtmsr(msr | MSR_EE);
	for (int i = 0; i < 50000 && tlog_n == 0; i++)
		;
	mtmsr(msr);
	ps("die=1 ee=1:");
	tlog_print_all(TP_SRR1 | TP_MSR, 0);
	ps(" tcr=");
	ph(SPR_READ(SPR_TCR));
	ps(" tsr.dis=");
	putudec(!!(SPR_READ(SPR_TSR) & TSR_DIS));
	pnl();
	/* decrementer interrupt while in user mode */
	SPR_WRITE(SPR_TCR, TCR_DIE);
	SPR_WRITE(SPR_DEC, 500);
	tlog_clear();
	extern uint32_t spin_user(uint32_t);
	run_user(spin_user, 100000, MSR_EE);
	ps("from user mode:");
	tlog_print_all(TP_SRR1 | TP_MSR, 0);
	pnl();
	SPR_WRITE(SPR_TCR, 0);
	SPR_WRITE(SPR_TSR, TSR_DIS);
	trap_quiet = 0;
}

uint32_t spin_user(uint32_t n)
{
	volatile uint32_t i;
	for (i = 0; i < n; i++)
		;
	return i;
}

static int ext_hook(struct tframe *f)
{
	uint32_t v = mmio_r32(MPIC_IACK);
	if (ext_n < 8)
		ext_vec[ext_n] = v;
	ext_n++;
	mmio_w32(MPIC_EOI, 0);
	return 1;
}

static void ext_tests(void)
{
	uint32_t msr = mfmsr(), mk;
	section("external interrupt (MPIC IPI)");
	mmio_w32(MPIC_GCR, 0x80000000u);		/* reset */
	for (int i = 0; i < 1000 && (mmio_r32(MPIC_GCR) & 0x80000000u); i++)
		;
	mmio_w32(MPIC_GCR, 0x20000000u);		/* mixed mode: deliver to the core */
	mmio_w32(MPIC_SVR, 0xFF);
	mmio_w32(MPIC_IPIVPR0, (5u << 16) | 0x42);	/* unmasked, priority 5, vector 0x42 */
	mmio_w32(MPIC_CTPR, 0);
	ps("spurious iack=");
	ph(mmio_r32(MPIC_IACK));
	pnl();
	trap_hooks[V_EXT] = ext_hook;
	trap_quiet = 1;
	ext_n = 0;
	tlog_clear();
	mmio_w32(MPIC_IPIDR0, 1);			/* IPI 0 to CPU 0 */
	for (volatile int i = 0; i < 100; i++)
		;
	ps("ee=0 taken=");
	putudec(tlog_n);
	pnl();
	__asm__ volatile(MARK_ASM("%0") "wrteei 1\n\tnop\n\twrteei 0" : "=&r"(mk) :: "lr", "memory");
	ps("wrteei 1:");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_MSR, mk);
	ps(" vec=");
	ph(ext_vec[0]);
	pnl();
	/* current task priority above the source: held back */
	mmio_w32(MPIC_CTPR, 6);
	ext_n = 0;
	tlog_clear();
	mmio_w32(MPIC_IPIDR0, 1);
	mtmsr(msr | MSR_EE);
	for (volatile int i = 0; i < 100; i++)
		;
	mtmsr(msr);
	ps("ctpr=6 taken=");
	putudec(tlog_n);
	mmio_w32(MPIC_CTPR, 4);
	mtmsr(msr | MSR_EE);
	for (volatile int i = 0; i < 100; i++)
		;
	mtmsr(msr);
	ps(" ctpr=4 taken=");
	putudec(tlog_n);
	ps(" vec=");
	ph(ext_vec[0]);
	pnl();
	/* masked source */
	mmio_w32(MPIC_IPIVPR0, 0x80000000u | (5u << 16) | 0x42);
	ext_n = 0;
	tlog_clear();
	mmio_w32(MPIC_IPIDR0, 1);
	mtmsr(msr | MSR_EE);
	for (volatile int i = 0; i < 100; i++)
		;
	mtmsr(msr);
	ps("masked taken=");
	putudec(tlog_n);
	pnl();
	mmio_w32(MPIC_GCR, 0x80000000u);
	trap_hooks[V_EXT] = 0;
	trap_quiet = 0;
}

int main(void)
{
	trap_init();
	ivor_tests();
	fpunavail_tests();
	dsi_tests();
	fault_in_loop();
	dec_tests();
	ext_tests();
	tests_done();
	return 0;
}
