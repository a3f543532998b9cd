/* fpu: every e500mc floating-point arithmetic, multiply-add, move, round,
 * convert, select, estimate and compare instruction, record forms (CR1),
 * FPSCR moves (mffs/mtfsf/mtfsfi/mtfsb0/mtfsb1/mcrfs), all four rounding
 * modes (random RN per case), random sticky FPSCR exception bits in, NaN
 * propagation and quieting, denormals, infinities, overflow/underflow,
 * FMA single rounding; load/store single conversions (lfs/stfs of
 * denormals, NaNs, infinities, out-of-range doubles); enabled exceptions
 * (MSR[FE0,FE1] precise mode) taking a program interrupt with ESR[FP].
 * Per case: result (16 hex), FPSCR, CR1 (or the CR field written).
 * Masked (undefined): FPSCR[FR] always; FPRF and the upper word after
 * fctiw/fctiwz. Not used: FPSCR[NI] (implementation-specific), the
 * OE/UE/XE enables (QEMU does not adjust results as the architecture
 * requires), fres/frsqrte on ordinary operands (estimates; FI is masked
 * for them too), stfs of doubles below 2^-149 (undefined). Single-precision
 * operations only get single-representable inputs. */
#include "tlib.h"
#include "optab.h"

#define FS 0x1000
#define FCVT 0x2000
#define FEST 0x4000
#define FCR 0x8000
#define FSPR 0x10000
#define FPSCR_FR 0x00040000u
#define FPSCR_FPRF 0x0001F000u

struct fio {
	uint64_t a, b, c;
	uint32_t fpscr_in, cr_in;
	uint64_t r;
	uint32_t fpscr_out, cr_out;
};
void fop_call(const void *code, struct fio *io);
extern const struct opent fpu_tab[], fpu_tab_end[];

static const uint64_t dspecial[] = {
	0x0000000000000000ull, 0x8000000000000000ull,	/* +-0 */
	0x3FF0000000000000ull, 0xBFF0000000000000ull,	/* +-1 */
	0x7FF0000000000000ull, 0xFFF0000000000000ull,	/* +-inf */
	0x7FF8000000000000ull, 0xFFF8000000000123ull,	/* QNaN */
	0x7FF0000000000001ull, 0xFFF4000000000ABCull,	/* SNaN */
	0x0000000000000001ull, 0x800FFFFFFFFFFFFFull,	/* denormals */
	0x0010000000000000ull, 0x7FEFFFFFFFFFFFFFull,	/* min normal, max */
	0x3FF0000000000001ull, 0x3FEFFFFFFFFFFFFFull,	/* 1 + ulp, 1 - ulp/2 */
	0x400921FB54442D18ull, 0x3FD5555555555555ull,	/* pi, 1/3 */
	0x41DFFFFFFFC00000ull, 0xC1E0000000000000ull,	/* 2^31-1, -2^31 */
	0x41E0000000000000ull, 0x41DFFFFFFFE00000ull,	/* 2^31, 2^31-0.5 */
	0x3FE0000000000000ull, 0xBFF8000000000000ull,	/* 0.5, -1.5 */
	0x4004000000000000ull, 0xC002000000000000ull,	/* 2.5, -2.25 */
	0x47EFFFFFE0000000ull, 0x36A0000000000000ull,	/* FLT_MAX, FLT_TRUE_MIN */
	0x3810000000000000ull, 0x380FFFFFFFFFFFFFull,	/* FLT_MIN, just below */
};
#define NDSPEC (sizeof dspecial / sizeof dspecial[0])

static uint64_t single_to_double_bits(uint32_t s)
{
	uint64_t sign = (uint64_t)(s >> 31) << 63;
	uint32_t e = (s >> 23) & 0xFF, f = s & 0x7FFFFF;
	if (e == 0xFF)
		return sign | 0x7FF0000000000000ull | ((uint64_t)f << 29);
	if (e == 0) {
		if (f == 0)
			return sign;
		/* denormal single: normalise */
		int sh = 0;
		while (!(f & 0x800000)) {
			f <<= 1;
			sh++;
		}
		f &= 0x7FFFFF;
		return sign | ((uint64_t)(1023 - 126 - sh) << 52) | ((uint64_t)f << 29);
	}
	return sign | ((uint64_t)(e - 127 + 1023) << 52) | ((uint64_t)f << 29);
}

static const uint32_t sspecial[] = {
	0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000,
	0x7FC00000, 0xFFC00123, 0x7F800001, 0xFFA00ABC, 0x00000001, 0x807FFFFF,
	0x00800000, 0x7F7FFFFF, 0x3F800001, 0x3F7FFFFF, 0x40490FDB, 0x3EAAAAAB,
	0x4EFFFFFF, 0xCF000000, 0x3F000000, 0xBFC00000,
};

/* Operands of the estimates whose results are exactly defined:
 * infinities and NaNs for fres (fres(+-0) is +-inf in Book E, but QEMU 7.2
 * returns +-0.5: not compared); frsqrte also takes +-0 and negative
 * operands (the default NaN with VXSQRT). */
static const uint64_t estspecial[] = {
	0x7FF0000000000000ull, 0xFFF0000000000000ull, 0x7FF8000000000000ull,
	0xFFF8000000000123ull, 0x7FF0000000000001ull, 0xFFF4000000000ABCull,
	0x0000000000000000ull, 0x8000000000000000ull,
	0xBFF0000000000000ull, 0x800FFFFFFFFFFFFFull, 0xFFEFFFFFFFFFFFFFull,
};

static uint32_t sval(void)
{
	uint32_t r = rng();
	switch (r & 3) {
	case 0:
		return sspecial[(r >> 2) % (sizeof sspecial / sizeof sspecial[0])];
	case 1:	/* exponent near 0: ordinary numbers */
		return (r & 0x80000000u) | ((uint32_t)(127 - 20 + ((r >> 3) % 40)) << 23) | (rng() & 0x7FFFFF);
	default:
		return rng();
	}
}

static uint64_t dval(int single)
{
	if (single)
		return single_to_double_bits(sval());
	uint32_t r = rng();
	switch (r % 8) {
	case 0: case 1:
		return dspecial[(r >> 3) % NDSPEC];
	case 2: {	/* ordinary magnitudes */
		uint64_t e = 1023 - 40 + ((r >> 3) % 80);
		return ((uint64_t)(r >> 31) << 63) | (e << 52) | ((uint64_t)(rng() & 0xFFFFF) << 32) | rng();
	}
	case 3: {	/* any exponent */
		uint64_t e = (r >> 3) & 0x7FF;
		return ((uint64_t)(r >> 31) << 63) | (e << 52) | ((uint64_t)(rng() & 0xFFFFF) << 32) | rng();
	}
	case 4: {	/* integers, incl. large ones */
		int32_t v = (int32_t)rng() >> ((r >> 3) & 31);
		double d = (double)v;
		if (r & 0x100)
			d += 0.5;
		uint64_t b;
		__builtin_memcpy(&b, &d, 8);
		return b;
	}
	case 5:
		return single_to_double_bits(sval());
	case 6:	/* near 1 */
		return 0x3FF0000000000000ull + (int32_t)(rng() >> 20) - 2048;
	default:
		return ((uint64_t)rng() << 32) | rng();
	}
}

/* Random sticky exception bits (never FEX/VX, which are summaries), RN in
 * the low 2 bits, no enables, NI = 0. */
static uint32_t fpscr_in(void)
{
	uint32_t r = rng();
	uint32_t sticky = 0;
	if ((r & 3) == 0)
		sticky = rng() & 0x9FF80700u;
	return sticky | ((r >> 2) & 3);
}

static void run_fop(const struct opent *op)
{
	int ncase = (op->flags & FEST) ? ((op->code[0] >> 1 & 31) == 26 ? 11 : 6) : 40;
	int single = (op->flags & FS) != 0;
	rng_seed(str_hash(op->name) ^ op->code[0]);
	ps(op->name);
	putch(' ');
	ph(op->code[0]);
	for (int i = 0; i < ncase; i++) {
		struct fio io;
		io.a = (op->flags & FEST) ? estspecial[i] : dval(single);
		io.b = dval(single);
		io.c = dval(single);
		io.fpscr_in = fpscr_in();
		if (op->flags & FSPR)
			io.a = ((uint64_t)rng() << 32) | (rng() & 0xFFFFFFFBu);	/* mtfsf source, NI = 0 */
		io.cr_in = rng();
		fop_call(op->code, &io);
		uint32_t fpscr = io.fpscr_out & ~FPSCR_FR;
		if (op->flags & FEST)
			fpscr &= ~0x00020000u;	/* FI undefined for estimates */
		if ((i & 3) == 0)
			ps("\n ");
		putch(' ');
		if (op->flags & FSPR) {
			ps("-");
		} else if (op->flags & FCVT) {
			ph((uint32_t)io.r);
			fpscr &= ~FPSCR_FPRF;
		} else {
			ph(io.r >> 32);
			ph((uint32_t)io.r);
		}
		putch('/');
		ph(fpscr);
		putch('/');
		if (op->flags & FCR)
			ph(io.cr_out);
		else
			phn(io.cr_out >> 24, 1);
		if ((io.cr_out & 0xF0FFFFFF) != (io.cr_in & 0xF0FFFFFF) && !(op->flags & FCR))
			putch('!');
	}
	pnl();
}

/* lfs/stfs conversions */
static void conversions(void)
{
	section("lfs/stfs conversions");
	static const uint32_t singles[] = { 0x00000001, 0x807FFFFF, 0x00400000, 0x7F800000,
		0xFF800000, 0x7FC00001, 0x7F800001, 0xFFBFFFFF, 0x3F800000, 0x00800000, 0x80000000 };
	for (unsigned i = 0; i < sizeof singles / sizeof singles[0]; i++) {
		uint32_t s = singles[i];
		uint64_t d;
		__asm__ volatile("lfs 5,0(%1)\n\tstfd 5,0(%0)" :: "b"(&d), "b"(&s) : "fr5", "memory");
		ps("lfs ");
		ph(s);
		ps(" -> ");
		ph(d >> 32);
		ph((uint32_t)d);
		pnl();
	}
	static const uint64_t doubles[] = {
		0x400921FB54442D18ull, 0x3810000000000000ull, 0x380FFFFFFFFFFFFFull,
		0x36A0000000000000ull, 0x47F0000000000000ull,
		0x7FEFFFFFFFFFFFFFull, 0x7FF0000000000000ull,
		0x7FF8000000000001ull, 0x7FF0000020000000ull, 0xFFF4000000000000ull,
		0x8000000000000000ull, 0x3FF0000010000000ull, 0xB7FFFFFFF0000000ull,
	};	/* (doubles below 2^-149 store an undefined word: not used) */
	for (unsigned i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
		uint64_t d = doubles[i];
		uint32_t s = 0xDEADBEEF, fpscr;
		uint64_t f;
		__asm__ volatile("lfd 5,0(%2)\n\tmtfsfi 7,0\n\tstfs 5,0(%1)\n\tmffs 6\n\tstfd 6,0(%3)"
				 : "=m"(s) : "b"(&s), "b"(&d), "b"(&f) : "fr5", "fr6", "memory");
		fpscr = (uint32_t)f;
		ps("stfs ");
		ph(d >> 32);
		ph((uint32_t)d);
		ps(" -> ");
		ph(s);
		ps(" fpscr=");
		ph(fpscr & ~FPSCR_FR);
		pnl();
	}
}

static int prog_hook(struct tframe *f)
{
	f->srr0 += 4;
	return 1;
}

/* Enabled exceptions in precise mode (MSR[FE0] = MSR[FE1] = 1). */
static void enabled_exceptions(void)
{
	section("enabled FP exceptions");
	static const struct {
		const char *name;
		uint32_t enable;
		uint64_t a, b;
	} cases[] = {
		{ "fdiv 0/0 VE", 0x80, 0, 0 },
		{ "fdiv 1/0 ZE", 0x10, 0x3FF0000000000000ull, 0 },
		{ "fdiv snan VE", 0x80, 0x7FF0000000000001ull, 0x3FF0000000000000ull },
		{ "fdiv 1/0 no enable", 0x00, 0x3FF0000000000000ull, 0 },
	};
	uint32_t msr = mfmsr();
	trap_hooks[V_PROGRAM] = prog_hook;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t a = cases[i].a, b = cases[i].b, r = 0x1111222233334444ull, fs = 0;
		uint32_t mk;
		uint64_t en = cases[i].enable;
		tlog_clear();
		__asm__ volatile("lfd 1,0(%1)\n\tlfd 2,0(%2)\n\tlfd 4,0(%3)\n\tlfd 5,0(%4)\n\t"
				 "mtfsf 0xff,5\n\tmtmsr %5\n\tisync\n\t"
				 MARK_ASM("%0")
				 "fdiv 4,1,2\n\t"
				 "mtmsr %6\n\tisync\n\tstfd 4,0(%3)\n\tmffs 5\n\tstfd 5,0(%7)\n\t"
				 "lfd 5,0(%8)\n\tmtfsf 0xff,5"
				 : "=&r"(mk)
				 : "b"(&a), "b"(&b), "b"(&r), "b"(&en), "r"(msr | MSR_FE0 | MSR_FE1), "r"(msr),
				   "b"(&fs), "b"(&(const uint64_t){ 0 })
				 : "lr", "fr1", "fr2", "fr4", "fr5", "memory");
		ps(cases[i].name);
		tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR, mk);
		ps(" frt=");
		ph(r >> 32);
		ph((uint32_t)r);
		ps(" fpscr=");
		ph((uint32_t)fs & ~FPSCR_FR);
		pnl();
	}
	trap_hooks[V_PROGRAM] = 0;
	mtmsr(msr);
}

int main(void)
{
	trap_init();
	section("fpu");
	for (const struct opent *op = fpu_tab; op < fpu_tab_end; op++)
		run_fop(op);
	conversions();
	enabled_exceptions();
	tests_done();
	return 0;
}
