/* string: lswi/lswx/stswi/stswx. The e500mc has no string instructions, so
 * each encoding (several NB values, XER byte counts, rA = 0) must take an
 * illegal-instruction program interrupt (ESR[PIL], SRR0 = the instruction)
 * and leave registers and memory unchanged; in user mode too. */
#include "tlib.h"
#include "optab.h"

extern const struct opent str_tab[], str_tab_end[];
static uint8_t buf[256] __attribute__((aligned(64)));

static void run_str(const struct opent *op, uint32_t msr, uint32_t bc)
{
	struct ctx in, out;
	rng_seed(str_hash(op->name) ^ op->code[0] ^ bc);
	for (int i = 0; i < 32; i++)
		in.r[i] = rng();
	in.cr = rng();
	in.xer = (rng() & 0xE0000000u) | bc;
	in.lr = rng();
	in.ctr = rng();
	in.r[4] = (uint32_t)buf + 64;
	in.r[5] = (uint32_t)buf + 8;
	for (int i = 0; i < 256; i++)
		buf[i] = (uint8_t)(i * 29 + 5);
	tlog_clear();
	trap_quiet = 1;
	ctx_run(op->code, &in, &out, msr);
	trap_quiet = 0;
	ps(op->name);
	putch(' ');
	ph(op->code[0]);
	ps(" bc=");
	putudec(bc);
	ps(msr & MSR_PR ? " user" : " sup");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR, (uint32_t)op->code);
	int same = out.cr == in.cr && out.xer == in.xer && out.lr == in.lr && out.ctr == in.ctr;
	for (int i = 0; i < 32; i++)
		same &= out.r[i] == in.r[i];
	for (int i = 0; i < 256; i++)
		same &= buf[i] == (uint8_t)(i * 29 + 5);
	ps(same ? " state=same" : " state=CHANGED");
	pnl();
}

int main(void)
{
	trap_init();
	section("string (illegal on e500mc)");
	for (const struct opent *op = str_tab; op < str_tab_end; op++) {
		run_str(op, mfmsr(), 5);
		run_str(op, mfmsr() | MSR_PR, 13);
	}
	run_str(str_tab, mfmsr(), 0);
	tests_done();
	return 0;
}
