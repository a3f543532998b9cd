/* The time base at the end of a benchmark run, printed when the bootargs ask
 * for it ("showtb=1"): run under QEMU with -icount shift=0 (one instruction per
 * nanosecond of virtual time, a 400 MHz time base), it gives the number of
 * instructions QEMU executed, for MIPS computed from QEMU's own count. */
#ifndef BENCH_TB_H
#define BENCH_TB_H
#include "rt.h"

static inline void report_tb(uint32_t dtb)
{
	uint32_t show, hi, lo, hi2;
	if (!dtb_find_uint(dtb, "showtb=", &show) || !show)
		return;
	do {
		__asm__ volatile("mftbu %0" : "=r"(hi));
		__asm__ volatile("mftb %0" : "=r"(lo));
		__asm__ volatile("mftbu %0" : "=r"(hi2));
	} while (hi != hi2);
	puts_("tb=");
	puthex64(((uint64_t)hi << 32) | lo);
	puts_("\n");
}
#endif
