/* Touches guest pages through one large TLB1 mapping, for the shadow TLB's
 * counts: bootargs "pages=N passes=P" reads one word from each of N
 * consecutive 4 KB pages of a 16 MB mapping (VA 0x40000000 -> PA 0x02000000),
 * P times over. The guest's TLB translates every access, so each miss in the
 * hardware TLB is a virtual miss the hypervisor refills: one per page a
 * 4 KB-page host touches, again once host TLB0 (512 entries) evicts them,
 * and none at all when huge host pages back guest RAM. */
#include "rt.h"

#define VA 0x40000000u
#define PA 0x02000000u

int main(uint32_t dtb)
{
	uint32_t pages = 0, passes = 1;
	dtb_find_uint(dtb, "pages=", &pages);
	dtb_find_uint(dtb, "passes=", &passes);
	if (pages > 4096)
		pages = 4096;

	SPR_WRITE(624, 0x10020000);			/* MAS0: TLB1, entry 2 */
	SPR_WRITE(625, 0x80000000u | (14u << 7));	/* MAS1: V, TSIZE 14 = 16 MB */
	SPR_WRITE(626, VA);				/* MAS2: EPN, WIMGE 0 */
	SPR_WRITE(627, PA | 0x15);			/* MAS3: RPN, SR|SW|SX */
	SPR_WRITE(944, 0);
	__asm__ volatile("isync; tlbwe; isync");

	uint32_t sum = 0;
	for (uint32_t p = 0; p < passes; p++)
		for (uint32_t i = 0; i < pages; i++)
			sum += *(volatile uint32_t *)(VA + i * 4096u);
	puts_("tlbtouch pages=");
	putudec(pages);
	puts_(" passes=");
	putudec(passes);
	puts_(" sum=");
	puthex(sum);
	puts_("\n");
	return 0;
}
