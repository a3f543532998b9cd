/* smc: self-modifying and generated code, with the architected sequence
 * (store; dcbst; sync; icbi; isync): a routine rewritten 200 times and
 * called after each rewrite; an instruction later in the running block
 * rewritten before it executes; code written through one EA and executed
 * through another EA mapping the same physical page; a copied routine
 * executed from a fresh page. Stale instructions without icbi/isync are
 * architecturally allowed, so that case is not tested. */
#include "tlib.h"

static uint32_t code[64] __attribute__((aligned(64)));

static void sync_icache(const void *p, uint32_t n)
{
	for (uint32_t a = (uint32_t)p & ~63u; a < (uint32_t)p + n; a += 64)
		__asm__ volatile("dcbst 0,%0" :: "r"(a) : "memory");
	__asm__ volatile("sync" ::: "memory");
	for (uint32_t a = (uint32_t)p & ~63u; a < (uint32_t)p + n; a += 64)
		__asm__ volatile("icbi 0,%0" :: "r"(a) : "memory");
	__asm__ volatile("sync\n\tisync" ::: "memory");
}

static uint32_t call(const void *p) { return ((uint32_t (*)(void))p)(); }

int main(void)
{
	trap_init();
	section("rewrite and call");
	{
		uint32_t bad = 0, sum = 0;
		for (uint32_t n = 0; n < 200; n++) {
			code[0] = 0x38600000u | (n * 77 & 0x7FFF);	/* li r3,imm */
			code[1] = (n & 1) ? 0x38630001u : 0x60000000u;	/* addi r3,r3,1 / nop */
			code[2] = 0x4E800020u;				/* blr */
			sync_icache(code, 12);
			uint32_t r = call(code);
			uint32_t want = (n * 77 & 0x7FFF) + (n & 1);
			if (r != want)
				bad++;
			sum = sum * 31 + r;
		}
		ps("200 rewrites: wrong=");
		putudec(bad);
		pkv("sum", sum);
		pnl();
	}
	section("rewriting the running block");
	{
		uint32_t r;
		/* the stw replaces the "li 3,1" two instructions later with "li 3,2" */
		__asm__ volatile(
			"bl 1f\n"
			"1:\tmflr 9\n\t"
			"addi 9,9,40\n\t"		/* address of label 2 */
			"lis 10,0x3860\n\t"
			"ori 10,10,2\n\t"
			"stw 10,0(9)\n\t"
			"dcbst 0,9\n\t"
			"sync\n\t"
			"icbi 0,9\n\t"
			"sync\n\t"
			"isync\n"
			"2:\tli 3,1\n\t"
			"mr %0,3"
			: "=r"(r) :: "r3", "r9", "r10", "lr", "memory");
		ps("patched ahead: r3=");
		ph(r);
		pnl();
	}
	section("write through one EA, execute through another");
	{
		/* EA 0x20000000 (data view, no execute) and EA 0x20100000 (execute
		 * view) both map PA 0x00460000 */
		tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), 0x20000000u, 0x00460000u | MAS3_SR | MAS3_SW, 0);
		tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TSIZE(2), 0x20100000u, 0x00460000u | MAS3_SR | MAS3_SX, 0);
		for (uint32_t n = 1; n <= 3; n++) {
			poke32(0x20000000u, 0x38600000u | (0x100 * n));
			poke32(0x20000004u, 0x4E800020u);
			__asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%1\n\tsync\n\tisync" :: "r"(0x20000000u), "r"(0x20100000u) : "memory");
			ps("alias run ");
			putudec(n);
			ps(": r3=");
			ph(call((const void *)0x20100000u));
			pnl();
		}
		tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), 0, 0x20000000u, 0, 0);
		tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), 0, 0x20100000u, 0, 0);
	}
	section("copied routine");
	{
		/* a small loop routine: r3 = sum of 1..r3 */
		static const uint32_t routine[] = {
			0x7C6903A6,	/* mtctr r3 */
			0x38600000,	/* li r3,0 */
			0x7C0902A6,	/* mfctr r0 */
			0x7C630214,	/* add r3,r3,r0 */
			0x4200FFF8,	/* bdnz -8 */
			0x4E800020,	/* blr */
		};
		uint32_t *dst = (uint32_t *)0x00470000u;
		for (unsigned i = 0; i < 6; i++)
			dst[i] = routine[i];
		sync_icache(dst, sizeof routine);
		uint32_t r = ((uint32_t (*)(uint32_t))dst)(100);
		ps("sum 1..100 = ");
		putudec(r);
		pnl();
	}
	tests_done();
	return 0;
}
