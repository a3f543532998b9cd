/* pagecross: accesses that straddle two 4 KB pages mapped to physical pages
 * that are not adjacent (every integer width, byte-reversed, lmw/stmw,
 * unaligned lfd/stfd are not used: see below), a TLB entry rewritten under
 * the same EA for data and for instruction fetch (the new translation must
 * be used right after tlbwe; isync), faulting update-form loads and stores
 * leaving rA (and rT) unchanged, and a straddling access whose second page
 * is unmapped (only the interrupt vector is compared: DEAR may name any byte
 * of the access and a partial store is allowed).
 * FP loads/stores stay naturally aligned (unaligned ones may take alignment
 * interrupts on hardware; QEMU never does). */
#include "tlib.h"

#define EA0 0x20000000u		/* first page */
#define EA1 0x20001000u		/* second page, PA not adjacent */
#define PA0 0x00420000u
#define PA1 0x00450000u

static void fill(void)
{
	for (uint32_t i = 0; i < 4096; i += 4) {
		poke32(PA0 + i, 0xA0000000u | i);
		poke32(PA1 + i, 0xB1000000u | i);
	}
}

static void map(void)
{
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), EA0, PA0 | MAS3_SR | MAS3_SW | MAS3_UR | MAS3_UW, 0);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TSIZE(2), EA1, PA1 | MAS3_SR | MAS3_SW | MAS3_UR | MAS3_UW, 0);
}

#define LOAD(insn, off)                                                            \
	do {                                                                       \
		uint32_t v = 0x5EED5EED;                                           \
		__asm__ volatile(insn " %0,0,%1" : "+r"(v) : "r"(EA0 + (off)) : "memory"); \
		ps(" " insn "@");                                                  \
		phn(off, 3);                                                       \
		putch('=');                                                        \
		ph(v);                                                             \
	} while (0)

static void show_seam(void)
{
	ps(" seam:");
	ph(peek32(PA0 + 0xFF8));
	ph(peek32(PA0 + 0xFFC));
	putch('|');
	ph(peek32(PA1));
	ph(peek32(PA1 + 4));
}

#define STORE(insn, off, val)                                                      \
	do {                                                                       \
		fill();                                                            \
		__asm__ volatile(insn " %0,0,%1" :: "r"(val), "r"(EA0 + (off)) : "memory"); \
		ps(insn "@");                                                      \
		phn(off, 3);                                                       \
		show_seam();                                                       \
		pnl();                                                             \
	} while (0)

static void straddle(void)
{
	section("straddling accesses");
	fill();
	LOAD("lhzx", 0xFFF);
	LOAD("lhax", 0xFFF);
	LOAD("lhbrx", 0xFFF);
	pnl();
	LOAD("lwzx", 0xFFD);
	LOAD("lwzx", 0xFFE);
	LOAD("lwzx", 0xFFF);
	pnl();
	LOAD("lwbrx", 0xFFD);
	LOAD("lwbrx", 0xFFE);
	LOAD("lwbrx", 0xFFF);
	pnl();
	STORE("sthx", 0xFFF, 0x1122);
	STORE("sthbrx", 0xFFF, 0x1122);
	STORE("stwx", 0xFFD, 0x11223344);
	STORE("stwx", 0xFFE, 0x11223344);
	STORE("stwx", 0xFFF, 0x11223344);
	STORE("stwbrx", 0xFFE, 0x11223344);
	/* lmw/stmw (word-aligned) across the seam */
	{
		uint32_t r[4];
		fill();
		__asm__ volatile("lmw 28,0(%1)\n\tstw 28,0(%0)\n\tstw 29,4(%0)\n\tstw 30,8(%0)\n\tstw 31,12(%0)"
				 :: "b"(r), "b"(EA0 + 0xFF8) : "r28", "r29", "r30", "r31", "memory");
		ps("lmw r28 @ff8:");
		for (int i = 0; i < 4; i++) { putch(' '); ph(r[i]); }
		pnl();
		fill();
		__asm__ volatile("lwz 28,0(%0)\n\tlwz 29,4(%0)\n\tlwz 30,8(%0)\n\tlwz 31,12(%0)\n\tstmw 28,0(%1)"
				 :: "b"((uint32_t[]){ 0x01020304, 0x05060708, 0x090A0B0C, 0x0D0E0F10 }), "b"(EA0 + 0xFF8)
				 : "r28", "r29", "r30", "r31", "memory");
		ps("stmw r28 @ff8:");
		show_seam();
		pnl();
	}
	/* in user mode too (both pages have UR/UW) */
	{
		extern uint32_t user_cross(uint32_t);
		fill();
		uint32_t v = run_user(user_cross, EA0 + 0xFFE, 0);
		ps("user lwz @ffe=");
		ph(v);
		show_seam();
		pnl();
	}
}

uint32_t user_cross(uint32_t ea)
{
	uint32_t v;
	__asm__ volatile("lwz %0,0(%1)\n\tstw %0,-4(%1)" : "=&r"(v) : "b"(ea) : "memory");
	return v;
}

static void remap(void)
{
	section("rewriting a translation");
	fill();
	ps("before=");
	ph(peek32(PA0 + 0x10));
	uint32_t a = 0, b = 0;
	a = *(volatile uint32_t *)(EA0 + 0x10);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), EA0, PA1 | MAS3_SR | MAS3_SW, 0);
	b = *(volatile uint32_t *)(EA0 + 0x10);
	ps(" old map=");
	ph(a);
	ps(" new map=");
	ph(b);
	pnl();
	/* instruction fetch: the same EA runs different code after tlbwe */
	poke32(PA0 + 0x800, 0x38600011);	/* li r3,0x11 */
	poke32(PA0 + 0x804, 0x4E800020);	/* blr */
	poke32(PA1 + 0x800, 0x38600022);	/* li r3,0x22 */
	poke32(PA1 + 0x804, 0x4E800020);
	__asm__ volatile("dcbst 0,%0\n\tdcbst 0,%1\n\tsync\n\ticbi 0,%0\n\ticbi 0,%1\n\tsync\n\tisync"
			 :: "r"(PA0 + 0x800), "r"(PA1 + 0x800) : "memory");
	uint32_t (*fn)(void) = (uint32_t (*)(void))(EA0 + 0x800);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), EA0, PA0 | MAS3_SR | MAS3_SX, 0);
	uint32_t r1 = fn();
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), EA0, PA1 | MAS3_SR | MAS3_SX, 0);
	uint32_t r2 = fn();
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), EA0, PA0 | MAS3_SR | MAS3_SX, 0);
	uint32_t r3 = fn();
	ps("fetch: ");
	ph(r1);
	putch(' ');
	ph(r2);
	putch(' ');
	ph(r3);
	pnl();
	/* a TLB1 entry shadowed by nothing, then moved to another EA */
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(6), MAS1_V | MAS1_TSIZE(4), 0x28000000u, PA1 & ~0x3FFFu, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(6), MAS1_V | MAS1_TSIZE(4), 0x28000000u, (PA1 & ~0x3FFFu) | MAS3_SR, 0);
	a = *(volatile uint32_t *)(0x28000000u + (PA1 & 0x3FFFu) + 0x20);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(6), MAS1_V | MAS1_TSIZE(4), 0x29000000u, (PA1 & ~0x3FFFu) | MAS3_SR, 0);
	trap_quiet = 1;
	tlog_clear();
	b = 0xDEADBEEF;
	__asm__ volatile("lwz %0,0(%1)" : "+r"(b) : "b"(0x28000000u + (PA1 & 0x3FFFu) + 0x20) : "memory");
	uint32_t c = *(volatile uint32_t *)(0x29000000u + (PA1 & 0x3FFFu) + 0x20);
	trap_quiet = 0;
	ps("tlb1 moved: old ea=");
	ph(b);
	ps(" faults=");
	putudec(tlog_n);
	ps(" new ea=");
	ph(a == c ? 0x600D : c);
	pnl();
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(6), 0, 0x29000000u, 0, 0);
	map();
}

static void faulting_updates(void)
{
	section("faulting update forms");
	trap_quiet = 1;
	static const char *names[] = { "lwzu", "lbzux", "stwu", "sthux", "lfdu", "stfsu" };
	for (int k = 0; k < 6; k++) {
		uint32_t ra = 0x20FFFF00u, rt = 0xC0FFEE00u | k, idx = 0x100;
		tlog_clear();
		switch (k) {
		case 0: __asm__ volatile("lwzu %0,0x100(%1)" : "+r"(rt), "+b"(ra) :: "memory"); break;
		case 1: __asm__ volatile("lbzux %0,%1,%2" : "+r"(rt), "+b"(ra) : "r"(idx) : "memory"); break;
		case 2: __asm__ volatile("stwu %1,0x100(%0)" : "+b"(ra) : "r"(rt) : "memory"); break;
		case 3: __asm__ volatile("sthux %1,%0,%2" : "+b"(ra) : "r"(rt), "r"(idx) : "memory"); break;
		case 4: __asm__ volatile("lfdu 7,0x100(%0)" : "+b"(ra) :: "fr7", "memory"); break;
		default: __asm__ volatile("stfsu 7,0x100(%0)" : "+b"(ra) :: "memory"); break;
		}
		ps(names[k]);
		pkv("ra", ra);
		pkv("rt", rt);
		tlog_print_all(TP_DEAR, 0);
		pnl();
	}
	/* the second page unmapped: only the vector is compared */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), 0, EA1, 0, 0);
	for (int k = 0; k < 2; k++) {
		uint32_t v = 0x5EED;
		tlog_clear();
		if (k == 0)
			__asm__ volatile("lwzx %0,0,%1" : "+r"(v) : "r"(EA0 + 0xFFE) : "memory");
		else
			__asm__ volatile("stwx %0,0,%1" :: "r"(v), "r"(EA0 + 0xFFE) : "memory");
		ps(k == 0 ? "lwz into unmapped page:" : "stw into unmapped page:");
		tlog_print_all(0, 0);
		if (k == 0)
			pkv("rt", v);
		pnl();
	}
	trap_quiet = 0;
	map();
}

int main(void)
{
	trap_init();
	map();
	straddle();
	remap();
	faulting_updates();
	tests_done();
	return 0;
}
