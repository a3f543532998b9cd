/*
 * labOS freestanding library, compiled into both the kernel and the user
 * program image: string functions, a small printf, 64-by-32-bit division
 * (so nothing needs libgcc), and the benchmark row format, defined once here
 * so that kernel-side and user-side benchmarks print exactly the same shape.
 */
#ifndef LABOS_LIB_H
#define LABOS_LIB_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 bytes and always terminates. */
void strlcpy_(char *d, const char *s, size_t size);

/* Quotient of n / d; *rem gets the remainder.  d must be non-zero. */
uint64_t udiv64_32(uint64_t n, uint32_t d, uint32_t *rem);

/* printf subset: %d %u %x %X %s %c %p %%, flags '0' and '-', a width, and
 * the l / ll length modifiers (ll = 64-bit).  Returns the length it wanted
 * to write; the output is truncated to size-1 bytes and terminated. */
int vfmt(char *buf, size_t size, const char *fmt, va_list ap);
int sfmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "bench <name> <ops> <ticks> <ticks/op, 2 decimals>\n" */
int fmt_bench_row(char *buf, size_t size, const char *name, uint32_t ops, uint64_t ticks);
/* "bench <name> <ops> <ticks> <ops per second, 2 decimals> ops/s\n" */
int fmt_bench_rate(char *buf, size_t size, const char *name, uint32_t ops, uint64_t ticks,
		   uint32_t tb_freq);
/* "bench <name> - - unavailable\n" */
int fmt_bench_unavailable(char *buf, size_t size, const char *name);

#endif
