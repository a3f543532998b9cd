/* labOS freestanding library; see lib.h. */
#include "lib.h"

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	if (p < q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

void strlcpy_(char *d, const char *s, size_t size)
{
	size_t i = 0;
	if (!size)
		return;
	for (; i + 1 < size && s[i]; i++)
		d[i] = s[i];
	d[i] = 0;
}

/* Schoolbook division: the high word with the hardware divide, then the low
 * word one bit at a time.  Written out so the kernel never needs libgcc's
 * __udivdi3 (the kernel links without libgcc on purpose). */
uint64_t udiv64_32(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
	uint32_t qhi = hi / d, r = hi % d, qlo = 0;

	for (int i = 31; i >= 0; i--) {
		uint32_t carry = r >> 31;	/* r << 1 would overflow */
		r = (r << 1) | ((lo >> i) & 1);
		if (carry || r >= d) {
			r -= d;
			qlo |= 1u << i;
		}
	}
	if (rem)
		*rem = r;
	return ((uint64_t)qhi << 32) | qlo;
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, int upper, int neg,
		    int width, char pad)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		uint32_t r;
		v = udiv64_32(v, base, &r);
		tmp[n++] = digits[r];
	} while (v);
	if (neg)
		tmp[n++] = '-';
	/* With zero padding the sign goes before the zeros. */
	if (neg && pad == '0') {
		put(o, '-');
		n--;
		width--;
	}
	for (int i = n; i < width; i++)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int left = 0, width = 0, lng = 0;
		for (;; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else if (*fmt == '-')
				left = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		size_t start = o.len;
		switch (*fmt) {
		case 'd': {
			int64_t v = lng >= 2 ? va_arg(ap, int64_t) : (int64_t)va_arg(ap, int32_t);
			put_num(&o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, 0, v < 0,
				left ? 0 : width, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
			put_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0,
				left ? 0 : width, pad);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uint32_t)va_arg(ap, void *), 16, 0, 0, 8, '0');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = (int)strlen(s ? s : "(null)");
			if (!left)
				for (int i = n; i < width; i++)
					put(&o, ' ');
			for (const char *p = s ? s : "(null)"; *p; p++)
				put(&o, *p);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
		if (left)
			while ((int)(o.len - start) < width)
				put(&o, ' ');
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = 0;
	return (int)o.len;
}

int sfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfmt(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int fmt_bench_row(char *buf, size_t size, const char *name, uint32_t ops, uint64_t ticks)
{
	uint32_t frac = 0;
	uint64_t whole = 0;
	if (ops) {
		uint64_t hundredths = udiv64_32(ticks * 100, ops, 0);
		whole = udiv64_32(hundredths, 100, &frac);
	}
	return sfmt(buf, size, "bench %s %u %llu %llu.%02u\n", name, ops, ticks, whole, frac);
}

int fmt_bench_rate(char *buf, size_t size, const char *name, uint32_t ops, uint64_t ticks,
		   uint32_t tb_freq)
{
	uint64_t num = (uint64_t)ops * tb_freq * 100, den = ticks;
	uint32_t frac = 0;
	uint64_t whole = 0;
	/* Scale both down until the divisor fits the 64/32 division. */
	while (den >> 32) {
		den >>= 1;
		num >>= 1;
	}
	if (den) {
		uint64_t hundredths = udiv64_32(num, (uint32_t)den, 0);
		whole = udiv64_32(hundredths, 100, &frac);
	}
	return sfmt(buf, size, "bench %s %u %llu %llu.%02u ops/s\n", name, ops, ticks, whole, frac);
}

int fmt_bench_unavailable(char *buf, size_t size, const char *name)
{
	return sfmt(buf, size, "bench %s - - unavailable\n", name);
}
