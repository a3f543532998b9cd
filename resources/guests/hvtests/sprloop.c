/* A tight loop of SPR reads for the trap round-trip benchmark: bootargs
 * "spr=tcr" reads TCR (trapped under Power ISA 2.06), "spr=sprg0" reads SPRG0
 * (duplicated); "count=N" iterations (default 1,000,000). */
#include "rt.h"

static const char *find(uint32_t dtb, const char *key)
{
	const char *p = (const char *)dtb;
	uint32_t size = *(volatile uint32_t *)(dtb + 4);
	for (uint32_t i = 0; i < size; i++) {
		uint32_t k = 0;
		while (key[k] && p[i + k] == key[k])
			k++;
		if (!key[k])
			return p + i + k;
	}
	return 0;
}

int main(uint32_t dtb)
{
	const char *c = find(dtb, "count=");
	uint32_t count = 0;
	while (c && *c >= '0' && *c <= '9')
		count = count * 10 + (uint32_t)(*c++ - '0');
	if (!count)
		count = 1000000;
	const char *s = find(dtb, "spr=");
	uint32_t acc = 0;
	if (s && s[0] == 't') {
		for (uint32_t i = 0; i < count; i++)
			acc += SPR_READ(340);
	} else {
		for (uint32_t i = 0; i < count; i++)
			acc += SPR_READ(272);
	}
	puts_("sprloop count=");
	putudec(count);
	puts_(" acc=");
	puthex(acc);
	puts_("\n");
	return 0;
}
