/* The smallest useful guest: prints a greeting and the PVR, then ends the run. */
#include "rt.h"

int main(uint32_t dtb)
{
	puts_("Hello from an e500mc guest\n");
	puts_("PVR ");
	puthex(SPR_READ(287));
	puts_("\n");
	return 0;
}
