/* labOS user-space runtime: system call wrappers and printing. */
#ifndef LABOS_ULIB_H
#define LABOS_ULIB_H
#include "../lib/lib.h"
#include "../lib/abi.h"

__attribute__((noreturn)) void exit(int status);
int write(int fd, const void *buf, unsigned len);
int read(int fd, void *buf, unsigned len);
int getpid(void);
void yield(void);
void sleep_ms(unsigned ms);
uint64_t sys_time(uint32_t *freq);	/* time base and its frequency */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The time base is readable in user mode (SPR 268/269): benchmarks read it
 * directly, without a system call. */
static inline uint64_t tb(void)
{
	uint32_t hi, lo, hi2;
	do {
		__asm__ volatile("mfspr %0, 269" : "=r"(hi));
		__asm__ volatile("mfspr %0, 268" : "=r"(lo));
		__asm__ volatile("mfspr %0, 269" : "=r"(hi2));
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

/* Print a benchmark row (lib.c formats it, as for the kernel's rows). */
void bench_row(const char *name, uint32_t ops, uint64_t ticks);
void bench_rate(const char *name, uint32_t ops, uint64_t ticks);
#endif
