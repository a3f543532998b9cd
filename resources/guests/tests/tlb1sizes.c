/* tlb1sizes: a TLB1 entry of every even TSIZE from 4 KB (2) to 1 GB (20)
 * at EA 0x40000000: reads at the first word, the middle and the last word
 * of the page, a store through the mapping checked at the physical
 * address, the words just before and just past the page missing (DTLB,
 * DEAR), tlbre of the entry. Pages up to 32 MB map PA 0x02000000; 64 MB
 * and larger map PA 0 (for 256 MB and 1 GB only the part inside the
 * default 128 MB of RAM is touched). 4 GB (22) is not tested: its EA would
 * have to be 0 and overlap the RAM mapping. */
#include "tlib.h"


static uint32_t ld(uint32_t ea)
{
	uint32_t v = 0xDEADBEEF;
	__asm__ volatile("lwz %0,0(%1)" : "+r"(v) : "b"(ea) : "memory");
	return v;
}

int main(void)
{
	trap_init();
	section("tlb1 page sizes");
	const uint32_t ea = 0x40000000u;
	for (uint32_t t = 2; t <= 20; t += 2) {
		uint32_t size = 1024u << t;
		uint32_t pa = size <= 0x02000000u ? 0x02000000u : 0;
		uint32_t offs[3] = { 0, size / 2, size - 4 };
		/* markers at the physical words (inside RAM only) */
		for (int k = 0; k < 3; k++)
			if (pa + offs[k] < 0x08000000u && pa + offs[k] >= 0x02000000u)
				poke32(pa + offs[k], 0x5A000000u | (t << 16) | k);
		tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(4), MAS1_V | MAS1_TSIZE(t), ea,
			  pa | MAS3_SR | MAS3_SW, 0);
		ps("tsize=");
		putudec(t);
		for (int k = 0; k < 3; k++) {
			if (pa + offs[k] >= 0x08000000u)
				continue;	/* beyond RAM */
			if (pa + offs[k] < 0x02000000u && pa == 0 && k == 0) {
				/* PA 0 is code: compare with the identity view */
				ps(" w100=");
				ps(ld(ea + 0x100) == peek32(0x100) ? "same" : "DIFF");
				continue;
			}
			pkv(k == 0 ? "first" : k == 1 ? "mid" : "last", ld(ea + offs[k]));
		}
		/* store through the mapping, check at the physical address */
		uint32_t so = size >= 0x04000000u ? 0x02000008u : 8;
		__asm__ volatile("stw %0,0(%1)" :: "r"(0xC0DE0000u | t), "b"(ea + so) : "memory");
		pkv("st", peek32(pa + so));
		trap_quiet = 1;
		tlog_clear();
		ld(ea + size);
		ld(ea - 4);
		trap_quiet = 0;
		tlog_print_all(TP_DEAR, 0);
		uint32_t m[5];
		tlb_read(MAS0_TLBSEL(1) | MAS0_ESEL(4), m);
		pkv("mas1", m[1]);
		pnl();
	}
	tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(4), 0, ea, 0, 0);

	/* Sizes TLB1 does not support (odd, below 4 KB, above 16 GB), in a valid
	 * entry and in an invalid one: what tlbwe does with them, and what the
	 * entry holds afterwards. (16 GB itself, TSIZE 24, is supported: such an
	 * entry would cover every address and hit together with the RAM
	 * mapping, whose outcome is undefined.) */
	section("tlb1 unsupported sizes");
	static const uint32_t odd[] = { 0, 1, 3, 9, 21, 23, 25, 26, 31 };
	for (uint32_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
		for (uint32_t valid = 0; valid < 2; valid++) {
			uint32_t t = odd[k], m[5];
			trap_quiet = 1;
			tlog_clear();
			tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(4), (valid ? MAS1_V : 0) | MAS1_TSIZE(t), ea, 0x02000000u | MAS3_SR, 0);
			trap_quiet = 0;
			ps("tsize=");
			putudec(t);
			ps(valid ? " v=1" : " v=0");
			tlog_print_all(TP_ESR, 0);
			tlb_read(MAS0_TLBSEL(1) | MAS0_ESEL(4), m);
			pkv("mas1", m[1]);
			pnl();
			tlb_write(MAS0_TLBSEL(1) | MAS0_ESEL(4), 0, ea, 0, 0);
		}
	}
	tests_done();
	return 0;
}
