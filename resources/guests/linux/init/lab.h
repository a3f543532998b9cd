/*
 * Hypervisor Lab Linux guest: /init, a tiny shell and nanobenchmarks.
 * Original code written for this project (MIT, like the rest of the lab).
 */
#ifndef LAB_INIT_H
#define LAB_INIT_H

#include <stdint.h>

/* Console output through write(2): never buffered, so safe around fork(). */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_str(const char *s);

/* The guest time base (SPR 268/269), readable from user mode. */
static inline uint64_t read_tb(void)
{
	uint32_t hi, lo, hi2;
	do {
		__asm__ __volatile__("mfspr %0,269" : "=r"(hi));
		__asm__ __volatile__("mfspr %0,268" : "=r"(lo));
		__asm__ __volatile__("mfspr %0,269" : "=r"(hi2));
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

/* Time-base frequency in Hz, from /proc/cpuinfo ("timebase"). */
extern uint64_t tb_freq;

/* bench [NAME...]; returns 0 when every requested row ran. */
int bench_main(int argc, char **argv);

#endif
