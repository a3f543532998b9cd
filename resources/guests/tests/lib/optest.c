/* Table-driven operation tests (see optab.h). */
#include "tlib.h"
#include "optab.h"

void op_run(const struct opent *op)
{
	int ncase = (op->flags & F_FEW) ? 8 : (op->flags & F_IMM) ? 24 : 48;
	rng_seed(str_hash(op->name) ^ op->code[0]);
	ps(op->name);
	putch(' ');
	ph(op->code[0]);
	for (int i = 0; i < ncase; i++) {
		uint32_t io[5];
		uint32_t a = rng_val(), b = rng_val();
		uint32_t cr = rng(), xer = (rng() & 0xE0000000u) | 0x15;
		int undef = 0;
		if (op->flags & F_SHIFT) {
			uint32_t r = rng();
			if (r & 3)
				b = (b & ~63u) * ((r >> 2) & 1) | ((r >> 3) & 63);
		}
		if (op->flags & F_XERIN)
			xer = rng() & 0xE000007Fu;
		if ((op->flags & (F_DIVW | F_DIVWU)) && (rng() & 7) == 0)
			b = (rng() & 1) ? 0 : 0xFFFFFFFFu;
		if ((op->flags & (F_DIVW | F_DIVWU)) && (rng() & 7) == 0)
			a = 0x80000000u;
		if (op->flags & F_DIVW)
			undef = b == 0 || (a == 0x80000000u && b == 0xFFFFFFFFu);
		if (op->flags & F_DIVWU)
			undef = b == 0;
		if (undef && !(op->flags & F_OE))
			b = 3;	/* the quotient would be undefined: no OV to look at */
		io[0] = a;
		io[1] = b;
		io[2] = rng_val();
		io[3] = cr;
		io[4] = xer;
		op_call(op->code, io);
		if ((i & 7) == 0)
			ps("\n ");
		putch(' ');
		if (undef && (op->flags & F_OE)) {
			/* Quotient and CR0[LT,GT,EQ] undefined; OV and SO defined. */
			ps("--------/");
			phn((io[1] >> 28) & 1, 1);
		} else {
			ph(io[0]);
			putch('/');
			if (op->flags & F_CRFULL)
				ph(io[1]);
			else
				phn(io[1] >> 28, 1);
		}
		putch('/');
		if (op->flags & F_XERIN) {
			ph(io[2]);
		} else {
			phn(io[2] >> 29, 1);
			if ((io[2] & 0x1FFFFFFF) != 0x15)
				putch('!');
		}
		if (!(op->flags & F_CRFULL) && (io[1] & 0x0FFFFFFF) != (cr & 0x0FFFFFFF))
			putch('!');
	}
	pnl();
}

void op_run_table(const struct opent *start, const struct opent *end)
{
	for (const struct opent *op = start; op < end; op++)
		op_run(op);
}
