/* Console flood: prints exactly N bytes (bootargs "bytes=N", default 1048576)
 * of numbered, checkable lines, then ends the run. Line k (from 0) is the
 * decimal k padded to 8 digits, a space, 53 letters of the alphabet rotated
 * by k, then CR LF: 64 bytes a line. The last line is cut at N bytes. The
 * lab's console tests regenerate the same bytes to check that none is lost. */
#include "rt.h"

#define LINE 64

static uint32_t parse_bytes(uint32_t dtb)
{
	uint32_t n;
	return dtb_find_uint(dtb, "bytes=", &n) ? n : 1u << 20;
}

/* Raw transmit: no LF -> CR LF translation, so the count is exact. */
static void tx(char c)
{
	while (!(mmio_r8(UART0 + 5) & 0x20))	/* LSR.THRE */
		;
	mmio_w8(UART0, (uint8_t)c);
}

static void make_line(char *line, uint32_t k)
{
	uint32_t v = k;
	for (int i = 7; i >= 0; i--) {
		line[i] = (char)('0' + v % 10);
		v /= 10;
	}
	line[8] = ' ';
	for (int i = 0; i < LINE - 11; i++)
		line[9 + i] = (char)('a' + (k + (uint32_t)i) % 26);
	line[LINE - 2] = '\r';
	line[LINE - 1] = '\n';
}

int main(uint32_t dtb)
{
	uint32_t total = parse_bytes(dtb);
	char line[LINE];
	uint32_t sent = 0;
	for (uint32_t k = 0; sent < total; k++) {
		make_line(line, k);
		for (int i = 0; i < LINE && sent < total; i++, sent++)
			tx(line[i]);
	}
	return 0;
}
