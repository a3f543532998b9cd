/* mmu: TLB0 and TLB1 write/read-back (tlbwe/tlbre), translation through
 * both, the full UX/SX/UW/SW/UR/SR permission matrix from supervisor and
 * user mode (DSI with ESR[ST], ISI), address spaces (MSR[DS]/[IS] against
 * TS), PID/TID matching, tlbsx hit and miss (MAS6 SPID/SAS), tlbivax by EA
 * and "all" with IPROT, tlbilx T=0/1/3, MMUCSR0 flash invalidation, a 36-bit
 * RPN (MAS7) onto the CCSR, DTLB/ITLB misses with MAS0-2/6/7 preloaded from
 * MAS4, TLB0 4-way sets with explicit ways, cache-block instructions on
 * unmapped/read-only/inaccessible pages.
 * Masked (not an oracle): MAS0[ESEL,NV] after misses/tlbsx misses and
 * MAS0[NV] after tlbre/tlbsx hits (the hardware victim choice). */
#include "tlib.h"

#define PG_CODE 0x00401000u	/* PA of a code/data test page */
#define CODE_LI 0x38600077u	/* li r3,0x77 */
#define CODE_BLR 0x4E800020u

static uint32_t m[5];

static void pm(const char *what)
{
	ps(what);
	pkv("mas0", m[0] & ~0x3u);
	pkv("mas1", m[1]);
	pkv("mas2", m[2]);
	pkv("mas3", m[3]);
	pkv("mas7", m[4]);
	pnl();
}

/* tlbsx miss: MAS0[TLBSEL] and MAS1 (V = 0, TID/TS from MAS6, TSIZE from
 * MAS4) are compared; MAS0[ESEL,NV] (victim) and MAS2/3/7 are not. */
static void pmiss(const char *what)
{
	ps(what);
	pkv("mas0", m[0] & 0xF0000000u);
	pkv("mas1", m[1]);
	pnl();
}

#define TLBILX(t, ea) __asm__ volatile("mr 3,%0\n\tisync\n\t.long 0x7C000024 | (" #t " << 21) | (3 << 11)\n\tisync\n\tmsync" :: "r"(ea) : "r3", "memory")


static uint32_t ld(uint32_t ea)
{
	uint32_t v = 0xDEADBEEF;
	__asm__ volatile("lwz %0,0(%1)" : "+r"(v) : "b"(ea) : "memory");
	return v;
}

static void st(uint32_t ea, uint32_t v)
{
	__asm__ volatile("stw %0,0(%1)" :: "r"(v), "b"(ea) : "memory");
}

static uint32_t user_ld(uint32_t ea) { return ld(ea); }
static uint32_t user_st(uint32_t ea) { st(ea, 0x600D0000 | (ea & 0xFFFF)); return 0; }
static uint32_t call(uint32_t ea) { return ((uint32_t (*)(void))ea)(); }

/* ISI/ITLB: return to the caller with r3 = 0xFA000000 | vector */
static int ifetch_hook(struct tframe *f)
{
	f->srr0 = f->lr;
	f->gpr[3] = 0xFA000000u | f->vec;
	return 1;
}

static void tlb_results(void)
{
	section("tlbwe/tlbre");
	static const uint32_t v1[][5] = {
		/* mas0, mas1, mas2, mas3, mas7 */
		{ MAS0_TLBSEL(1) | MAS0_ESEL(7), MAS1_V | MAS1_TID(0x12) | MAS1_TSIZE(10), 0x12300000u | 0x1F, 0x00400000u | 0x3C0 | 0x15, 0 },
		{ MAS0_TLBSEL(1) | MAS0_ESEL(8), MAS1_V | MAS1_IPROT | MAS1_TS | MAS1_TSIZE(2), 0x45678000u | 0x0A, 0x00401000u | 0x2A, 0 },
		{ MAS0_TLBSEL(1) | MAS0_ESEL(63), MAS1_V | MAS1_TID(0xFF) | MAS1_TSIZE(16), 0x80000000u | 0x04, 0x04000000u | 0x3F, 0 },
		{ MAS0_TLBSEL(1) | MAS0_ESEL(9), MAS1_TSIZE(4), 0x9000C000u, 0x0040C000u | 0x01, 0x3 },
		{ MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TID(3) | MAS1_TSIZE(2), 0x22222000u | 0x08, 0x00402000u | 0x35, 0 },
		{ MAS0_TLBSEL(0) | MAS0_ESEL(3), MAS1_V | MAS1_TS | MAS1_TSIZE(2), 0x2227F000u | 0x11, 0x0047F000u | 0x3F, 0x1 },
		{ MAS0_TLBSEL(0) | MAS0_ESEL(2), MAS1_V | MAS1_TSIZE(2), 0x33333000u, 0x00403000u | 0x09, 0 },
	};
	for (unsigned i = 0; i < sizeof v1 / sizeof v1[0]; i++) {
		tlb_write(v1[i][0], v1[i][1], v1[i][2], v1[i][3], v1[i][4]);
		/* read back: MAS0 selects the entry (TLB0: MAS2[EPN] picks the set) */
		SPR_WRITE(SPR_MAS2, v1[i][2]);
		tlb_read(v1[i][0], m);
		pm("re");
	}
	/* tlbsx finds them */
	tlb_search(0x12345678u, 0x00120000u, m);
	pm("sx tid12 hit");
	tlb_search(0x12345678u, 0x00130000u, m);
	pmiss("sx tid13 miss");
	tlb_search(0x45678ABCu, 0x00000001u, m);
	pm("sx sas1 hit");
	tlb_search(0x45678ABCu, 0x00000000u, m);
	pmiss("sx sas0 miss");
	tlb_search(0x22222FFCu, 0x00030000u, m);
	pm("sx tlb0 hit");
	SPR_WRITE(SPR_MAS4, 0x10000315u);
	tlb_search(0x9000C000u, 0x00010000u, m);
	SPR_WRITE(SPR_MAS4, 0);
	pmiss("sx invalid entry miss, mas4 set");
	/* clean up */
	for (unsigned i = 0; i < sizeof v1 / sizeof v1[0]; i++)
		tlb_write(v1[i][0], 0, v1[i][2], 0, 0);
}

static void translate_tests(void)
{
	section("translation");
	poke32(0x00402000, 0x11112222);
	poke32(0x00402FFC, 0x3333FFFC);
	poke32(0x00480000, 0x44440000);
	/* TLB0 4K, TLB1 16K and 1M */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TSIZE(2), 0x20002000u, 0x00402000u | MAS3_SR | MAS3_SW, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(10), MAS1_V | MAS1_TSIZE(4), 0x21000000u, 0x00400000u | MAS3_SR | MAS3_SW, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(11), MAS1_V | MAS1_TSIZE(10), 0x21100000u, 0x00400000u | MAS3_SR | MAS3_SW, 0);
	ps("tlb0 4k");
	pkv("a", ld(0x20002000u));
	pkv("b", ld(0x20002FFCu));
	pnl();
	ps("tlb1 16k");
	pkv("a", ld(0x21002000u));
	pkv("b", ld(0x21002FFCu));
	pnl();
	ps("tlb1 1m");
	pkv("a", ld(0x21102000u));
	pkv("b", ld(0x21180000u));
	pnl();
	st(0x21180004u, 0xCAFE0004);
	ps("store through 1m");
	pkv("pa", peek32(0x00480004u));
	pnl();
	/* TLB0 ways: four entries in one set, then way 1 replaced */
	for (uint32_t w = 0; w < 4; w++) {
		uint32_t ea = 0x24000000u + (w << 19);	/* same set: EA bits 12..18 equal */
		poke32(0x00410000 + 0x1000 * w, 0x77000000 | w);
		tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(w), MAS1_V | MAS1_TSIZE(2), ea, (0x00410000u + 0x1000 * w) | MAS3_SR, 0);
	}
	ps("4 ways");
	for (uint32_t w = 0; w < 4; w++)
		pkv("w", ld(0x24000000u + (w << 19)));
	pnl();
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TSIZE(2), 0x24200000u, 0x00410000u | MAS3_SR, 0);
	trap_quiet = 1;
	tlog_clear();
	ps("way1 replaced");
	for (uint32_t w = 0; w < 4; w++)
		pkv("w", ld(0x24000000u + (w << 19)));
	pkv("new", ld(0x24200000u));
	tlog_print_all(TP_DEAR, 0);
	pnl();
	trap_quiet = 0;
	SPR_WRITE(SPR_MMUCSR0, 4);	/* flash-invalidate TLB0 */
	isync();
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(10), 0, 0, 0, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(11), 0, 0, 0, 0);
}

static void perm_tests(void)
{
	section("permissions (sr sw ur uw sx ux: 1 = fault)");
	poke32(PG_CODE, CODE_LI);
	poke32(PG_CODE + 4, CODE_BLR);
	poke32(PG_CODE + 0x800, 0x0DA7A000);
	trap_hooks[V_ISI] = ifetch_hook;
	trap_quiet = 1;
	uint32_t ea = 0x20001000u;
	for (uint32_t p = 0; p < 64; p++) {
		tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), ea, PG_CODE | p, 0);
		__asm__ volatile("icbi 0,%0\n\tisync" :: "r"(ea) : "memory");
		uint32_t f = 0, r;
		tlog_clear(); r = ld(ea + 0x800); f |= (tlog_n != 0) << 5; (void)r;
		tlog_clear(); st(ea + 0x800, 0x0DA7A000); f |= (tlog_n != 0) << 4;
		tlog_clear(); run_user(user_ld, ea + 0x800, 0); f |= (tlog_n != 0) << 3;
		tlog_clear(); run_user(user_st, ea + 0x800, 0); f |= (tlog_n != 0) << 2;
		tlog_clear(); r = call(ea); f |= (tlog_n != 0 || r != 0x77) << 1;
		tlog_clear(); r = run_user(call, ea, 0); f |= (tlog_n != 0 || r != 0x77);
		ps("p=");
		phn(p, 2);
		ps(" f=");
		for (int b = 5; b >= 0; b--)
			putch('0' + ((f >> b) & 1));
		pnl();
	}
	/* syndrome details for a few cases */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), ea, PG_CODE | MAS3_UR | MAS3_UX, 0);
	uint32_t mk;
	SPR_WRITE(SPR_ESR, 0xFFFFFFFF);	/* every syndrome below must be written */
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "lwz 0,0x804(%1)" : "=&r"(mk) : "b"(ea) : "lr", "r0", "memory");
	ps("sup load, no SR");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR | TP_DEAR, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "stw 0,0x808(%1)" : "=&r"(mk) : "b"(ea) : "lr", "memory");
	ps("sup store, no SW");
	tlog_print_all(TP_SRR0 | TP_ESR | TP_DEAR, mk);
	pnl();
	SPR_WRITE(SPR_ESR, 0xFFFFFFFF);
	tlog_clear();
	call(ea);
	ps("sup exec, no SX");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR, ea);
	pnl();
	SPR_WRITE(SPR_ESR, 0xFFFFFFFF);
	tlog_clear();
	run_user(user_st, ea + 0x80C, 0);
	ps("user store, no UW");
	tlog_print_all(TP_SRR1 | TP_ESR | TP_DEAR, 0);
	pnl();
	trap_quiet = 0;
	trap_hooks[V_ISI] = 0;
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), 0, ea, 0, 0);
}

static void space_tests(void)
{
	uint32_t msr = mfmsr(), a, b;
	section("address spaces and PIDs");
	poke32(0x00405000, 0x75000000);
	poke32(0x00406000, 0x75000001);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TSIZE(2), 0x20005000u, 0x00405000u | MAS3_SR | MAS3_SX, 0);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TS | MAS1_TSIZE(2), 0x20005000u, 0x00406000u | MAS3_SR | MAS3_SX, 0);
	__asm__ volatile("lwz %0,0(%2)\n\tmtmsr %3\n\tisync\n\tlwz %1,0(%2)\n\tmtmsr %4\n\tisync"
			 : "=&r"(a), "=&r"(b) : "b"(0x20005000u), "r"(msr | MSR_DS), "r"(msr) : "memory");
	ps("ds=0");
	pkv("v", a);
	ps(" ds=1");
	pkv("v", b);
	pnl();
	/* instruction space: a TS=1 identity map of RAM for code, and two code
	 * pages at one EA that differ between TS=0 and TS=1 */
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(3), MAS1_V | MAS1_TS | MAS1_TSIZE(16), 0, MAS3_SX | MAS3_SR | MAS3_SW, 0);
	poke32(0x00405100, 0x38600011);	/* li r3,0x11 */
	poke32(0x00405104, CODE_BLR);
	poke32(0x00406100, 0x38600022);	/* li r3,0x22 */
	poke32(0x00406104, CODE_BLR);
	__asm__ volatile("dcbst 0,%0\n\tdcbst 0,%1\n\tsync\n\ticbi 0,%0\n\ticbi 0,%1\n\tsync\n\tisync"
			 :: "r"(0x00405100u), "r"(0x00406100u) : "memory");
	uint32_t r0, r1;
	__asm__ volatile("mtctr %2\n\tbctrl\n\tmr %0,3\n\tmtmsr %3\n\tisync\n\tmtctr %2\n\tbctrl\n\tmr %1,3\n\tmtmsr %4\n\tisync"
			 : "=&r"(r0), "=&r"(r1) : "r"(0x20005100u), "r"(msr | MSR_IS), "r"(msr)
			 : "r3", "lr", "ctr", "memory");
	ps("is=0");
	pkv("r3", r0);
	ps(" is=1");
	pkv("r3", r1);
	pnl();
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(3), 0, 0, 0, 0);
	/* PID / TID */
	poke32(0x00407000, 0x7D000005);
	poke32(0x00408000, 0x7D000000);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(2), MAS1_V | MAS1_TID(5) | MAS1_TSIZE(2), 0x20007000u, 0x00407000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(3), MAS1_V | MAS1_TID(0) | MAS1_TSIZE(2), 0x20008000u, 0x00408000u | MAS3_SR, 0);
	trap_quiet = 1;
	static const uint32_t pids[] = { 0, 5, 6, 255 };
	for (int i = 0; i < 4; i++) {
		SPR_WRITE(SPR_PID, pids[i]);
		isync();
		tlog_clear();
		a = ld(0x20007000u);
		b = ld(0x20008000u);
		SPR_WRITE(SPR_PID, 0);
		isync();
		ps("pid=");
		phn(pids[i], 2);
		pkv("tid5", a);
		pkv("tid0", b);
		tlog_print_all(TP_DEAR, 0);
		pnl();
	}
	trap_quiet = 0;
	SPR_WRITE(SPR_MMUCSR0, 4);
	isync();
}

static void inval_tests(void)
{
	section("invalidation");
	trap_quiet = 1;
	/* tlbivax EA (TLB0) */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TID(9) | MAS1_TSIZE(2), 0x20009000u, 0x00409000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TSIZE(2), 0x2000A000u, 0x0040A000u | MAS3_SR, 0);
	tlb_ivax(0x20009000u);
	tlb_search(0x20009000u, 0x00090000u, m);
	ps("tlbivax tlb0 ea: target v=");
	putudec(m[1] >> 31);
	tlb_search(0x2000A000u, 0, m);
	ps(" other v=");
	putudec(m[1] >> 31);
	pnl();
	/* tlbivax EA|8 (TLB1), IPROT survives */
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(12), MAS1_V | MAS1_TSIZE(10), 0x26000000u, 0x00400000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(13), MAS1_V | MAS1_IPROT | MAS1_TSIZE(10), 0x26100000u, 0x00400000u | MAS3_SR, 0);
	tlb_ivax(0x26000000u | 8);
	tlb_ivax(0x26100000u | 8);
	tlb_search(0x26000000u, 0, m);
	ps("tlbivax tlb1 ea: plain v=");
	putudec(m[1] >> 31);
	tlb_search(0x26100000u, 0, m);
	ps(" iprot v=");
	putudec(m[1] >> 31);
	pnl();
	/* tlbivax all (|4): TLB0; |4|8: TLB1 without IPROT */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(2), MAS1_V | MAS1_TSIZE(2), 0x2000B000u, 0x0040B000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(12), MAS1_V | MAS1_TSIZE(10), 0x26000000u, 0x00400000u | MAS3_SR, 0);
	tlb_ivax(4);
	tlb_search(0x2000B000u, 0, m);
	ps("tlbivax all tlb0: tlb0 v=");
	putudec(m[1] >> 31);
	tlb_search(0x2000A000u, 0, m);
	putudec(m[1] >> 31);
	tlb_search(0x26000000u, 0, m);
	ps(" tlb1 v=");
	putudec(m[1] >> 31);
	tlb_ivax(4 | 8);
	tlb_search(0x26000000u, 0, m);
	ps(" after |8: plain v=");
	putudec(m[1] >> 31);
	tlb_search(0x26100000u, 0, m);
	ps(" iprot v=");
	putudec(m[1] >> 31);
	tlb_search(0x00001000u, 0, m);
	ps(" ram v=");
	putudec(m[1] >> 31);
	pnl();
	/* tlbilx T=1: entries with TID = MAS6[SPID], not IPROT */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(0), MAS1_V | MAS1_TID(9) | MAS1_TSIZE(2), 0x2000C000u, 0x0040C000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(1), MAS1_V | MAS1_TID(8) | MAS1_TSIZE(2), 0x2000D000u, 0x0040D000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(12), MAS1_V | MAS1_TID(9) | MAS1_TSIZE(10), 0x26000000u, 0x00400000u | MAS3_SR, 0);
	SPR_WRITE(SPR_MAS6, 0x00090000u);
	TLBILX(1, 0);
	tlb_search(0x2000C000u, 0x00090000u, m);
	ps("tlbilx 1 (pid 9): tid9 v=");
	putudec(m[1] >> 31);
	tlb_search(0x26000000u, 0x00090000u, m);
	putudec(m[1] >> 31);
	tlb_search(0x2000D000u, 0x00080000u, m);
	ps(" tid8 v=");
	putudec(m[1] >> 31);
	pnl();
	/* tlbilx T=3: by EA, with MAS6 SPID/SAS */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(2), MAS1_V | MAS1_TID(8) | MAS1_TSIZE(2), 0x2000E000u, 0x0040E000u | MAS3_SR, 0);
	SPR_WRITE(SPR_MAS6, 0x00080000u);
	TLBILX(3, 0x2000E000u);
	tlb_search(0x2000E000u, 0x00080000u, m);
	ps("tlbilx 3: target v=");
	putudec(m[1] >> 31);
	tlb_search(0x2000D000u, 0x00080000u, m);
	ps(" other v=");
	putudec(m[1] >> 31);
	pnl();
	/* tlbilx T=0: everything but IPROT */
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(12), MAS1_V | MAS1_TSIZE(10), 0x26000000u, 0x00400000u | MAS3_SR, 0);
	TLBILX(0, 0);
	tlb_search(0x2000D000u, 0x00080000u, m);
	ps("tlbilx 0: tlb0 v=");
	putudec(m[1] >> 31);
	tlb_search(0x26000000u, 0, m);
	ps(" tlb1 v=");
	putudec(m[1] >> 31);
	tlb_search(0x26100000u, 0, m);
	ps(" iprot v=");
	putudec(m[1] >> 31);
	pnl();
	/* MMUCSR0 flash invalidation */
	tlb_write(MAS0_TLBSEL(0) | MAS0_ESEL(3), MAS1_V | MAS1_TSIZE(2), 0x2000F000u, 0x0040F000u | MAS3_SR, 0);
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(12), MAS1_V | MAS1_TSIZE(10), 0x26000000u, 0x00400000u | MAS3_SR, 0);
	SPR_WRITE(SPR_MMUCSR0, 2);
	isync();
	ps("mmucsr0 tlb1_fi: mmucsr0=");
	ph(SPR_READ(SPR_MMUCSR0));
	tlb_search(0x2000F000u, 0, m);
	ps(" tlb0 v=");
	putudec(m[1] >> 31);
	tlb_search(0x26000000u, 0, m);
	ps(" tlb1 v=");
	putudec(m[1] >> 31);
	tlb_search(0x26100000u, 0, m);
	ps(" iprot v=");
	putudec(m[1] >> 31);
	SPR_WRITE(SPR_MMUCSR0, 4);
	isync();
	tlb_search(0x2000F000u, 0, m);
	ps(" tlb0_fi: tlb0 v=");
	putudec(m[1] >> 31);
	pnl();
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(13), 0, 0x26100000u, 0, 0);
	trap_quiet = 0;
}

static void rpn36_tests(void)
{
	section("36-bit RPN");
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(14), MAS1_V | MAS1_TSIZE(10), 0x30000000u | 0x0A, 0xE0000000u | MAS3_SR | MAS3_SW, 0xF);
	ps("mpic frr equal=");
	ps(mmio_r32(0x30041000u) == mmio_r32(CCSR_VA + 0x41000u) ? "yes" : "no");
	ps(" uart lsr=");
	phn(mmio_r8(0x30004505u) & 0x60, 2);
	ps(" via alias: ");
	while (!(mmio_r8(0x30004505u) & 0x20))
		;
	mmio_w8(0x30004500u, 'O');
	while (!(mmio_r8(0x30004505u) & 0x20))
		;
	mmio_w8(0x30004500u, 'K');
	pnl();
	tlb_read(MAS0_TLBSEL(1) | MAS0_ESEL(14), m);
	pm("re");
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(14), 0, 0x30000000u, 0, 0);
}

static void miss_tests(void)
{
	uint32_t msr = mfmsr(), mk;
	section("tlb misses");
	trap_quiet = 1;
	static const uint32_t mas4s[] = { 0x00000100u, 0x10000A1Fu, 0x00000215u, 0x1000080Au };
	for (int i = 0; i < 4; i++) {
		SPR_WRITE(SPR_MAS4, mas4s[i]);
		SPR_WRITE(SPR_MAS3, 0);
		SPR_WRITE(SPR_MAS7, 0xF);	/* must be cleared by the miss */
		SPR_WRITE(SPR_PID, i * 3);
		isync();
		tlog_clear();
		uint32_t v = 0x12345678;
		if (i & 1)
			__asm__ volatile(MARK_ASM("%0") "stw %1,0x123(%2)" : "=&r"(mk) : "r"(v), "b"(0x50000000u + 0x10000 * i) : "lr", "memory");
		else
			__asm__ volatile(MARK_ASM("%0") "lwz %1,0x123(%2)" : "=&r"(mk), "+r"(v) : "b"(0x50000000u + 0x10000 * i) : "lr", "memory");
		SPR_WRITE(SPR_PID, 0);
		ps(i & 1 ? "dtlb store mas4=" : "dtlb load mas4=");
		ph(mas4s[i]);
		tlog[0].mas0 &= 0xF0000000u;
		tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR | TP_DEAR | TP_MAS, mk);
		pnl();
	}
	/* DS = 1 */
	SPR_WRITE(SPR_MAS4, 0x00000100u);
	SPR_WRITE(SPR_PID, 7);
	tlog_clear();
	{
		uint32_t v = 0;
		__asm__ volatile("mtmsr %1\n\tisync\n\tlwz %0,4(%2)\n\tmtmsr %3\n\tisync"
				 : "+r"(v) : "r"(msr | MSR_DS), "b"(0x50050000u), "r"(msr) : "memory");
	}
	SPR_WRITE(SPR_PID, 0);
	ps("dtlb ds=1 pid=7");
	tlog[0].mas0 &= 0xF0000000u;
	tlog_print_all(TP_SRR1 | TP_DEAR | TP_MAS, 0);
	pnl();
	/* ITLB miss: calling an unmapped EA */
	trap_hooks[V_ITLB] = ifetch_hook;
	SPR_WRITE(SPR_MAS4, 0x10000300u);
	SPR_WRITE(SPR_PID, 4);
	tlog_clear();
	uint32_t r = call(0x50062008u);
	SPR_WRITE(SPR_PID, 0);
	ps("itlb r3=");
	ph(r);
	tlog[0].mas0 &= 0xF0000000u;
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_MAS, 0x50062008u);
	pnl();
	/* ITLB miss from user mode */
	tlog_clear();
	r = run_user(call, 0x50070000u, 0);
	ps("itlb user r3=");
	ph(r);
	tlog[0].mas0 &= 0xF0000000u;
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_MAS, 0x50070000u);
	pnl();
	trap_hooks[V_ITLB] = 0;
	SPR_WRITE(SPR_MAS4, 0);
	trap_quiet = 0;
}

/* Cache-block instructions on unmapped, read-only and inaccessible pages:
 * dcbz is a store; dcbf, dcbst and icbi are loads for translation and
 * protection; dcbt/dcbtst never fault. DEAR may be any byte of the block
 * (Book E), so only its 64-byte block is printed. dcbi/dcba are left out
 * (privileged / implementation-specific effects). */
#define CACHE_OP(insn)                                                            \
	do {                                                                      \
		uint32_t mk;                                                      \
		SPR_WRITE(SPR_ESR, 0xFFFFFFFF);                                   \
		tlog_clear();                                                     \
		__asm__ volatile(MARK_ASM("%0") insn " 0,%1"                      \
				 : "=&r"(mk) : "r"(ea) : "lr", "memory");         \
		ps(" " insn);                                                     \
		if (tlog_n) {                                                     \
			ps(":");                                                  \
			phn(tlog[0].vec, 2);                                      \
			ps(tlog[0].srr0 == mk ? "@insn" : "@other");              \
			pkv("esr", tlog[0].esr);                                  \
			pkv("dear&~63", tlog[0].dear & ~63u);                     \
		} else {                                                          \
			ps(":none");                                              \
		}                                                                 \
	} while (0)

static void cache_fault_tests(void)
{
	section("cache instructions and translation");
	trap_quiet = 1;
	static const char *what[] = { "unmapped", "read-only", "no access" };
	for (int k = 0; k < 3; k++) {
		uint32_t ea = k == 0 ? 0x50001234u : 0x10000054u;
		if (k == 1)
			tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(5), MAS1_V | MAS1_TSIZE(2), 0x10000000u, 0x00400000u | MAS3_SR, 0);
		if (k == 2)
			tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(5), MAS1_V | MAS1_TSIZE(2), 0x10000000u, 0x00400000u, 0);
		ps(what[k]);
		CACHE_OP("dcbz");
		CACHE_OP("dcbf");
		CACHE_OP("dcbst");
		CACHE_OP("icbi");
		CACHE_OP("dcbt");
		CACHE_OP("dcbtst");
		pnl();
	}
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(5), 0, 0x10000000u, 0, 0);
	trap_quiet = 0;
}

int main(void)
{
	trap_init();
	/* Give the RAM mapping IPROT so that "invalidate all" operations keep it. */
	tlb_read(MAS0_TLBSEL(1) | MAS0_ESEL(0), m);
	tlb_write(m[0], m[1] | MAS1_IPROT, m[2], m[3], m[4]);
	tlb_results();
	translate_tests();
	perm_tests();
	space_tests();
	inval_tests();
	rpn36_tests();
	miss_tests();
	cache_fault_tests();
	tests_done();
	return 0;
}
