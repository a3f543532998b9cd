/* branch: bc/bcl/bca/bcla/bclr/bclrl/bcctr/bcctrl for every valid BO
 * (decrementing and not, CTR == 0 / != 0, condition true/false, with
 * hints) and several BI; LR update on link forms whether taken or not;
 * CTR decrement; target low bits ignored; b/bl/ba/bla; bdnz/bdz loops.
 * Per snippet: "kind BO,BI insnword", then 8 cases  t/CTR/LR where t = taken
 * and LR is printed relative to the branch instruction. */
#include "tlib.h"

struct brent {
	const char *name;
	const void *code;
	const uint32_t *insn;
};
extern const struct brent br_tab[], br_tab_end[];
void br_call(const void *code, uint32_t io[3]);
uint32_t br_loop(uint32_t n);
uint32_t br_loop_bdz(uint32_t n);
uint32_t br_uncond(void);

static const uint32_t ctrs[] = { 0, 1, 2, 3, 0x80000000u, 0xFFFFFFFFu, 0x10000u };

int main(void)
{
	trap_init();
	section("branch conditional");
	for (const struct brent *b = br_tab; b < br_tab_end; b++) {
		rng_seed(str_hash(b->name) ^ b->insn[0]);
		ps(b->name);
		putch(' ');
		ph(b->insn[0]);
		ps("\n ");
		for (int i = 0; i < 8; i++) {
			uint32_t io[3];
			io[0] = rng();
			io[1] = (i & 1) ? rng() : ctrs[(rng() >> 5) % 7];
			br_call(b->code, io);
			putch(' ');
			phn(io[0], 1);
			putch('/');
			ph(io[1]);
			putch('/');
			int32_t d = (int32_t)(io[2] - (uint32_t)b->insn);
			putch(d < 0 ? '-' : '+');
			phn(d < 0 ? -d : d, 3);
		}
		pnl();
	}
	section("branch loops");
	static const uint32_t ns[] = { 1, 2, 3, 17, 256, 1000 };
	for (unsigned i = 0; i < 6; i++) {
		ps("bdnz n=");
		putudec(ns[i]);
		ps(" iters=");
		putudec(br_loop(ns[i]));
		ps(" bdz iters=");
		putudec(br_loop_bdz(ns[i]));
		pnl();
	}
	section("branch unconditional");
	ps("paths=");
	ph(br_uncond());
	pnl();
	tests_done();
	return 0;
}
