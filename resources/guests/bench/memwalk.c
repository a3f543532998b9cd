/* Memory workload with TLB misses: data accesses go through address space 1
 * (MSR[DS]=1), where nothing is mapped until a software DTLB-miss handler
 * installs 4 KB TLB0 entries, identity-mapped, for a 32 MB window. A strided
 * walk touches far more pages than TLB0's 512 entries hold, so it keeps
 * missing; each pass reads and writes one word per page and folds it into a
 * checksum. Passes come from bootargs "passes=N" (default 20). */
#include "rt.h"
#include "tb.h"

#define WINDOW_BASE 0x02000000u /* 32 MB */
#define WINDOW_SIZE 0x02000000u /* 32 MB */
#define PAGES (WINDOW_SIZE / 4096u)
#define STRIDE 37u              /* pages; coprime with PAGES */

/* DTLB miss: map the faulting 4 KB page of the window 1:1 in AS 1 (TLB0,
 * victim chosen by the hardware's MAS0 preload). Uses SPRG4-6 as scratch. */
__asm__(
	".align 4\n"
	"dtlb_miss:\n"
	"	mtspr 276,3\n"          /* SPRG4 <- r3 */
	"	mtspr 277,4\n"          /* SPRG5 <- r4 */
	"	mfcr 3\n"
	"	mtspr 278,3\n"          /* SPRG6 <- CR */
	"	mfspr 3,61\n"           /* DEAR */
	"	rlwinm 3,3,0,0,19\n"    /* page */
	"	lis 4,0x8000\n"
	"	ori 4,4,0x1100\n"       /* MAS1: V | TS | TSIZE 4K */
	"	mtspr 625,4\n"
	"	mtspr 626,3\n"          /* MAS2: EPN, WIMGE 0 */
	"	ori 4,3,0x05\n"         /* MAS3: RPN | SW | SR */
	"	mtspr 627,4\n"
	"	li 4,0\n"
	"	mtspr 944,4\n"
	"	tlbwe\n"
	"	isync\n"
	"	mfspr 3,278\n"
	"	mtcr 3\n"
	"	mfspr 4,277\n"
	"	mfspr 3,276\n"
	"	rfi\n");
extern char dtlb_miss[];

static uint32_t parse_passes(uint32_t dtb)
{
	uint32_t n;
	if (!dtb_find_uint(dtb, "passes=", &n))
		return 20;
	return n ? n : 1;
}

static uint32_t walk(uint32_t passes)
{
	uint32_t sum = 0;
	uint32_t msr;
	__asm__ volatile("mfmsr %0" : "=r"(msr));
	__asm__ volatile("mtmsr %0; isync" :: "r"(msr | 0x10)); /* MSR[DS]: data in AS 1 */
	for (uint32_t p = 0; p < passes; p++) {
		uint32_t page = p;
		for (uint32_t i = 0; i < PAGES; i++) {
			volatile uint32_t *w = (volatile uint32_t *)(WINDOW_BASE + page * 4096u + ((page * 8u) & 0xFF8u));
			uint32_t v = *w;
			*w = v + page + 1u;
			sum = (sum << 3 | sum >> 29) ^ (v + i);
			page = (page + STRIDE) % PAGES;
		}
	}
	__asm__ volatile("mtmsr %0; isync" :: "r"(msr));
	return sum;
}

int main(uint32_t dtb)
{
	uint32_t passes = parse_passes(dtb);
	SPR_WRITE(63, 0);                       /* IVPR */
	SPR_WRITE(413, (uint32_t)dtlb_miss);    /* IVOR13 */
	SPR_WRITE(628, 0);                      /* MAS4: TLB0 defaults */
	uint32_t sum = walk(passes);
	puts_("memwalk passes=");
	putudec(passes);
	puts_(" pages=");
	putudec(PAGES);
	puts_(" checksum=");
	puthex(sum);
	puts_("\n");
	report_tb(dtb);
	return 0;
}
