/* timers: the time base advancing (TBL/TBU and mftb), decrementer expiry
 * setting TSR[DIS] (not before), TSR write-1-to-clear, no further expiry
 * without TCR[ARE], repeated expiries with auto-reload from DECAR,
 * decrementer interrupts (gated by TCR[DIE] and MSR[EE]), wait woken by the
 * decrementer, TCR read-back.
 * Only relations are printed, never time-base values.
 * Not an oracle in QEMU 7.2, so not tested: reading DEC (QEMU returns 0
 * while it counts and negative values after expiry, instead of holding at 0),
 * the watchdog (QEMU's callback never sets TSR[ENW]/[WIS] and never resets),
 * the fixed-interval timer (never armed), writing DEC = 0, reading DECAR
 * (write-only). */
#include "tlib.h"

static volatile uint32_t ndec;

static int dec_hook(struct tframe *f)
{
	ndec++;
	SPR_WRITE(SPR_TSR, TSR_DIS);
	return 1;
}

static int spin_until_tsr(uint32_t bits, uint32_t limit)
{
	for (uint32_t i = 0; i < limit; i++)
		if (SPR_READ(SPR_TSR) & bits)
			return 1;
	return 0;
}

static const char *yn(int c) { return c ? "yes" : "no"; }

int main(void)
{
	uint32_t msr = mfmsr();
	trap_init();
	section("time base");
	{
		uint32_t u1 = SPR_READ(SPR_TBU_R), l1 = SPR_READ(SPR_TBL_R);
		uint32_t t1;
		__asm__ volatile("mftb %0" : "=r"(t1));
		for (volatile int i = 0; i < 1000; i++)
			;
		uint32_t u2 = SPR_READ(SPR_TBU_R), l2 = SPR_READ(SPR_TBL_R);
		uint32_t t2;
		__asm__ volatile("mftb %0" : "=r"(t2));
		ps("tb advanced: ");
		ps(yn(u2 > u1 || (u2 == u1 && l2 > l1)));
		ps(" mftb advanced: ");
		pl(yn(t2 != t1));
	}

	section("decrementer, no auto-reload");
	SPR_WRITE(SPR_TCR, 0);
	SPR_WRITE(SPR_TSR, TSR_DIS);
	SPR_WRITE(SPR_DEC, 20000);
	{
		ps("dis before expiry: ");
		ps(yn(SPR_READ(SPR_TSR) & TSR_DIS));
		int got = spin_until_tsr(TSR_DIS, 1000000);
		ps(" dis after: ");
		pl(yn(got));
	}
	ps("tsr write 0 keeps dis: ");
	SPR_WRITE(SPR_TSR, 0);
	ps(yn(SPR_READ(SPR_TSR) & TSR_DIS));
	ps(" write 1 clears: ");
	SPR_WRITE(SPR_TSR, TSR_DIS);
	pl(yn(!(SPR_READ(SPR_TSR) & TSR_DIS)));
	ps("no further expiry without ARE: ");
	pl(yn(!spin_until_tsr(TSR_DIS, 50000)));

	section("decrementer, auto-reload");
	SPR_WRITE(SPR_DECAR, 3000);
	SPR_WRITE(SPR_TCR, TCR_ARE);
	SPR_WRITE(SPR_DEC, 1000);
	{
		int e1 = spin_until_tsr(TSR_DIS, 1000000);
		SPR_WRITE(SPR_TSR, TSR_DIS);
		int e2 = spin_until_tsr(TSR_DIS, 1000000);
		SPR_WRITE(SPR_TSR, TSR_DIS);
		int e3 = spin_until_tsr(TSR_DIS, 1000000);
		ps("expiries: ");
		ps(yn(e1));
		putch(' ');
		ps(yn(e2));
		putch(' ');
		pl(yn(e3));
		SPR_WRITE(SPR_TCR, 0);
		SPR_WRITE(SPR_DEC, 0x7FFFFFFF);
		SPR_WRITE(SPR_TSR, TSR_DIS);
	}

	section("decrementer interrupts");
	trap_hooks[V_DEC] = dec_hook;
	ndec = 0;
	SPR_WRITE(SPR_DECAR, 2000);
	SPR_WRITE(SPR_DEC, 2000);
	SPR_WRITE(SPR_TSR, TSR_DIS);
	SPR_WRITE(SPR_TCR, TCR_ARE | TCR_DIE);
	tlog_clear();
	mtmsr(msr | MSR_EE);
	for (uint32_t i = 0; i < 2000000 && ndec < 4; i++)
		;
	mtmsr(msr);
	ps("4 auto-reload interrupts: ");
	ps(yn(ndec >= 4));
	ps(" srr1=");
	ph(tlog[0].srr1);
	ps(" handler msr=");
	ph(tlog[0].msr);
	pnl();
	SPR_WRITE(SPR_TCR, 0);
	SPR_WRITE(SPR_DEC, 0x7FFFFFFF);
	SPR_WRITE(SPR_TSR, TSR_DIS);

	section("wait");
	ndec = 0;
	SPR_WRITE(SPR_DEC, 3000);
	SPR_WRITE(SPR_TCR, TCR_DIE);
	mtmsr(msr | MSR_EE);
	__asm__ volatile("wait" ::: "memory");
	mtmsr(msr);
	ps("woken by the decrementer: ");
	pl(yn(ndec == 1));
	SPR_WRITE(SPR_TCR, 0);
	SPR_WRITE(SPR_DEC, 0x7FFFFFFF);
	trap_hooks[V_DEC] = 0;

	section("tcr");
	SPR_WRITE(SPR_TCR, TCR_WP(2) | TCR_WPEXT(5) | TCR_ARE | (2u << 24) | (3u << 13));
	ps("read-back: ");
	ph(SPR_READ(SPR_TCR));
	pnl();
	SPR_WRITE(SPR_TCR, 0);
	SPR_WRITE(SPR_TSR, 0xFFFFFFFFu);
	ps("tsr after clearing all: ");
	ph(SPR_READ(SPR_TSR));
	pnl();
	tests_done();
	return 0;
}
