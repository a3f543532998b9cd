#include "rt.h"

void putch(char c)
{
	if (c == '\n')
		putch('\r');
	while (!(mmio_r8(UART0 + 5) & 0x20))	/* LSR.THRE */
		;
	mmio_w8(UART0, (uint8_t)c);
}

void puts_(const char *s)
{
	while (*s)
		putch(*s++);
}

void puthex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		putch("0123456789abcdef"[(v >> i) & 0xF]);
}

void puthex64(uint64_t v)
{
	puthex((uint32_t)(v >> 32));
	puthex((uint32_t)v);
}

void putudec(uint32_t v)
{
	char buf[12];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putch(buf[--n]);
}

void putdec(int32_t v)
{
	if (v < 0) {
		putch('-');
		putudec(-(uint32_t)v);
	} else {
		putudec((uint32_t)v);
	}
}

void lab_exit(void)
{
	/* Drain the transmitter (LSR.TEMT) so no byte is lost, then reset. */
	while (!(mmio_r8(UART0 + 5) & 0x40))
		;
	mmio_w32(GUTS_RSTCR, 2);
	for (;;)
		;
}

int dtb_find_uint(uint32_t dtb, const char *key, uint32_t *out)
{
	const char *p = (const char *)dtb;
	/* Search the blocks, not the free space after them (QEMU's blob is 1 MB). */
	uint32_t size = *(volatile uint32_t *)(dtb + 12)	/* off_dt_strings */
		+ *(volatile uint32_t *)(dtb + 32);		/* size_dt_strings */
	uint32_t len = 0;
	while (key[len])
		len++;
	for (uint32_t i = 0; i + len < size; i++) {
		uint32_t k = 0;
		while (k < len && p[i + k] == key[k])
			k++;
		if (k < len)
			continue;
		uint32_t n = 0;
		for (i += k; p[i] >= '0' && p[i] <= '9'; i++)
			n = n * 10 + (uint32_t)(p[i] - '0');
		*out = n;
		return 1;
	}
	return 0;
}
