/* labOS user-space runtime; see ulib.h and lib/abi.h for the conventions. */
#include "ulib.h"

struct sc_ret {
	uint32_t r3, r4, r5;
};

/* "sc": number in r0, arguments in r3..r5; the kernel preserves every other
 * register (it restores the whole frame). */
static struct sc_ret syscall3(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
	register uint32_t r0 __asm__("r0") = nr;
	register uint32_t r3 __asm__("r3") = a;
	register uint32_t r4 __asm__("r4") = b;
	register uint32_t r5 __asm__("r5") = c;
	__asm__ volatile("sc" : "+r"(r3), "+r"(r4), "+r"(r5) : "r"(r0) : "memory", "cr0");
	return (struct sc_ret){ r3, r4, r5 };
}

void exit(int status)
{
	syscall3(SYS_exit, (uint32_t)status, 0, 0);
	for (;;)
		;
}

int write(int fd, const void *buf, unsigned len)
{
	return (int)syscall3(SYS_write, (uint32_t)fd, (uint32_t)buf, len).r3;
}

int read(int fd, void *buf, unsigned len)
{
	return (int)syscall3(SYS_read, (uint32_t)fd, (uint32_t)buf, len).r3;
}

int getpid(void)
{
	return (int)syscall3(SYS_getpid, 0, 0, 0).r3;
}

void yield(void)
{
	syscall3(SYS_yield, 0, 0, 0);
}

void sleep_ms(unsigned ms)
{
	syscall3(SYS_sleep, ms, 0, 0);
}

uint64_t sys_time(uint32_t *freq)
{
	struct sc_ret r = syscall3(SYS_time, 0, 0, 0);
	if (freq)
		*freq = r.r5;
	return ((uint64_t)r.r3 << 32) | r.r4;
}

int printf(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	int n = vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	write(1, buf, (unsigned)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
	return n;
}

void bench_row(const char *name, uint32_t ops, uint64_t ticks)
{
	char buf[128];
	int n = fmt_bench_row(buf, sizeof(buf), name, ops, ticks);
	write(1, buf, (unsigned)n);
}

void bench_rate(const char *name, uint32_t ops, uint64_t ticks)
{
	char buf[128];
	uint32_t freq;
	sys_time(&freq);
	int n = fmt_bench_rate(buf, sizeof(buf), name, ops, ticks, freq);
	write(1, buf, (unsigned)n);
}
