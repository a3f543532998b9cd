/* atomic: lwarx/stwcx. reservation semantics (success with a reservation,
 * failure without one, a second stwcx. failing, CR0 = 00 || EQ || XER[SO]),
 * indexed and rA = 0 forms, an atomic increment loop, unaligned lwarx
 * (alignment interrupt, DEAR = EA; ESR is not compared: QEMU 7.2 leaves it
 * unchanged), and the barriers sync/msync/mbar/isync.
 * Not tested (architecturally undefined or implementation-dependent):
 * stwcx. to a different address than the lwarx, a plain store between
 * lwarx and stwcx., reservation loss on interrupts, unaligned stwcx. */
#include "tlib.h"

static volatile uint32_t words[16] __attribute__((aligned(64)));

static uint32_t do_lwarx(volatile uint32_t *p)
{
	uint32_t v;
	__asm__ volatile("lwarx %0,0,%1" : "=r"(v) : "r"(p) : "memory");
	return v;
}

/* stwcx. with XER[SO] = so; returns CR0 (4 bits). */
static uint32_t do_stwcx(volatile uint32_t *p, uint32_t v, uint32_t so)
{
	uint32_t cr;
	__asm__ volatile("mtxer %3\n\tstwcx. %1,0,%2\n\tmfcr %0"
			 : "=r"(cr) : "r"(v), "r"(p), "r"(so ? 0x80000000u : 0) : "cr0", "xer", "memory");
	return cr >> 28;
}

static void show(const char *what, uint32_t cr0)
{
	ps(what);
	ps(" cr0=");
	phn(cr0, 1);
	ps(" mem=");
	ph(words[1]);
	pnl();
}

int main(void)
{
	trap_init();
	section("lwarx/stwcx.");
	for (uint32_t so = 0; so < 2; so++) {
		words[1] = 0x11111111;
		ps("so=");
		putudec(so);
		pnl();
		/* clear any reservation: a stwcx. to a scratch word */
		do_lwarx(&words[8]);
		do_stwcx(&words[8], 0, 0);
		show(" stwcx. without reservation", do_stwcx(&words[1], 0x22222222, so));
		ps(" lwarx=");
		ph(do_lwarx(&words[1]));
		pnl();
		show(" stwcx. with reservation", do_stwcx(&words[1], 0x33333333, so));
		show(" second stwcx.", do_stwcx(&words[1], 0x44444444, so));
		do_lwarx(&words[1]);
		__asm__ volatile("sync; isync" ::: "memory");
		show(" stwcx. after sync/isync", do_stwcx(&words[1], 0x55555555, so));
	}

	section("indexed forms");
	{
		uint32_t v, cr;
		words[4] = 0xabcdef01;
		__asm__ volatile("mtxer %4\n\tlwarx %0,%2,%3\n\taddi %0,%0,1\n\tstwcx. %0,%2,%3\n\tmfcr %1"
				 : "=&r"(v), "=&r"(cr) : "b"(&words[0]), "r"(16), "r"(0) : "cr0", "xer", "memory");
		ps("lwarx/stwcx. ra,rb v=");
		ph(v);
		ps(" cr0=");
		phn(cr >> 28, 1);
		ps(" mem=");
		ph(words[4]);
		pnl();
		__asm__ volatile("mtxer %3\n\tlwarx %0,0,%2\n\txori %0,%0,0xffff\n\tstwcx. %0,0,%2\n\tmfcr %1"
				 : "=&r"(v), "=&r"(cr) : "r"(&words[4]), "r"(0) : "cr0", "xer", "memory");
		ps("lwarx/stwcx. ra=0 v=");
		ph(v);
		ps(" cr0=");
		phn(cr >> 28, 1);
		ps(" mem=");
		ph(words[4]);
		pnl();
	}

	section("atomic increment loop");
	{
		words[2] = 0;
		for (int i = 0; i < 1000; i++) {
			uint32_t t, cr;
			__asm__ volatile("1:\tlwarx %0,0,%2\n\taddi %0,%0,3\n\tstwcx. %0,0,%2\n\tmfcr %1\n\tbne- 1b"
					 : "=&r"(t), "=&r"(cr) : "r"(&words[2]) : "cr0", "memory");
			(void)cr;
		}
		ps("count=");
		putudec(words[2]);
		pnl();
	}

	section("unaligned lwarx");
	for (int off = 1; off < 4; off++) {
		uint32_t mk, v = 0x5a5a5a5a;
		uint32_t ea = (uint32_t)&words[6] + off;
		tlog_clear();
		trap_quiet = 1;
		__asm__ volatile(MARK_ASM("%0") "lwarx %1,0,%2" : "=&r"(mk), "+r"(v) : "r"(ea) : "lr", "memory");
		trap_quiet = 0;
		ps("off=");
		putudec(off);
		tlog_print_all(TP_SRR0 | TP_SRR1, mk);
		ps(" dear-ea=");
		ph(tlog[0].dear - ea);
		ps(" rt=");
		ph(v);
		pnl();
	}

	section("barriers");
	__asm__ volatile("sync\n\tmsync\n\tmbar 0\n\tmbar 1\n\tisync\n\teieio" ::: "memory");
	pl("sync msync mbar isync: ok");
	tests_done();
	return 0;
}
