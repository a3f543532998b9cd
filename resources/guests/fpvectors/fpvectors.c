/* Floating-point test-vector guest: runs every classic FP instruction that the
 * e500mc accepts over a deterministic set of operands, rounding modes and
 * FPSCR states, and prints what the machine (QEMU, the oracle) computed.
 *
 * Nothing here uses the FPU from C: operands are built as integers and every FP
 * instruction runs inside fp_exec (fpharness.S), from a one-instruction slot
 * that this file rewrites.
 *
 * Output (one record a line, fields in lower-case hex without leading zeros):
 *   V insn fpscr_in cr_in mode a b c t  t_out fpscr_out cr_out trap
 *       FPRs before: f1=a f2=b f3=c f4=t; the instructions under test name
 *       f4 as target and f1/f2/f3 as frA/frB/frC. mode: 0 = MSR[FE0,FE1]=00
 *       (exceptions ignored), 3 = 11 (precise). trap: 0, or the ESR of the
 *       program interrupt that the instruction raised (the handler resumes
 *       after it). t_out is f4 afterwards, fpscr_out the FPSCR (mffs).
 *   L bits d       lfs of the single image `bits` gave the double image d
 *   S d bits       stfs of the double image d stored the single image bits
 *   P opcd_lo11 mask
 *       decode probes: (primary opcode << 11 | instruction bits 21..31)
 *       and a mask of which of the probe field patterns (bits 6..20, see
 *       probe_fields) raised an illegal-instruction program interrupt.
 *   # ...   comments;  E ...  errors found by the guest itself.
 */
#include "rt.h"

struct fpcase {
	uint64_t a, b, c, t;
	uint32_t fpscr, cr;
	uint64_t t_out;
	uint32_t fpscr_out, cr_out;
};

extern void fp_exec(struct fpcase *c);
extern uint32_t fp_slot[];
extern void prog_handler(void);
extern void fp_lfs(const uint32_t *in, uint64_t *out);
extern void fp_stfs(const uint64_t *in, uint32_t *out);
volatile uint32_t trap_info[4];		/* ESR, SRR0, count (written by prog_handler) */

/* gcc may emit calls to these for structure initialisation */
void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

#define CANARY 0x7ff4deadbeef0badULL
#define ESR_PIL 0x08000000u
#define ESR_FP 0x01000000u

/* ---------------------------------------------------------------- output */

static void puthexc(uint64_t v)
{
	char buf[17];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		putch(buf[--n]);
}

static void field(uint64_t v)
{
	putch(' ');
	puthexc(v);
}

/* ---------------------------------------------------------------- PRNG */

static uint64_t rng_state = 0x5eed0f10a7c0ffeeULL;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)	/* 0 .. n-1 */
{
	return (uint32_t)((rnd64() >> 32) % n);
}

/* ---------------------------------------------------------------- machine */

static uint32_t cur_msr_fe = 0;

static void set_fe(uint32_t mode)
{
	uint32_t want = mode ? 0x900u : 0;	/* MSR[FE0] | MSR[FE1] */
	uint32_t msr;
	if (want == cur_msr_fe)
		return;
	__asm__ volatile("mfmsr %0" : "=r"(msr));
	msr = (msr & ~0x900u) | want;
	__asm__ volatile("mtmsr %0; isync" :: "r"(msr) : "memory");
	cur_msr_fe = want;
}

static void set_slot(uint32_t insn)
{
	if (fp_slot[0] == insn)
		return;
	fp_slot[0] = insn;
	__asm__ volatile("dcbst 0,%0; sync; icbi 0,%0; isync" :: "r"(fp_slot) : "memory");
}

static uint32_t cr_default = 0x2468ace1u;
static unsigned long vector_count;

static void run_case(uint32_t insn, uint64_t a, uint64_t b, uint64_t c, uint64_t t,
		     uint32_t fpscr, uint32_t mode)
{
	struct fpcase cs;
	uint32_t cr = (rnd(8) == 0) ? (uint32_t)rnd64() : cr_default;
	uint32_t trap = 0;

	set_slot(insn);
	set_fe(mode);
	cs.a = a; cs.b = b; cs.c = c; cs.t = t;
	cs.fpscr = fpscr; cs.cr = cr;
	cs.t_out = 0; cs.fpscr_out = 0; cs.cr_out = 0;
	trap_info[2] = 0;
	fp_exec(&cs);
	if (trap_info[2]) {
		trap = trap_info[0];
		if (trap_info[2] != 1 || trap_info[1] != (uint32_t)fp_slot) {
			puts_("E trap outside the slot ");
			puthex(insn); putch(' '); puthex(trap_info[1]); putch(' ');
			puthex(trap_info[2]); putch('\n');
		}
	}
	putch('V');
	field(insn); field(fpscr); field(cr); field(mode);
	field(a); field(b); field(c); field(t);
	field(cs.t_out); field(cs.fpscr_out); field(cs.cr_out); field(trap);
	putch('\n');
	vector_count++;
}

/* ---------------------------------------------------------------- operands */

static const uint64_t specials[] = {
	/* the first PAIR_POOL entries are used for exhaustive pairs */
	0x0000000000000000ULL, 0x8000000000000000ULL,	/* +0 -0 */
	0x7ff0000000000000ULL, 0xfff0000000000000ULL,	/* +inf -inf */
	0x7ff8000000000000ULL, 0xfff8000012345678ULL,	/* QNaNs */
	0x7ff0000000000001ULL, 0xfff40000deadbeefULL,	/* SNaNs */
	0x3ff0000000000000ULL, 0xbff0000000000000ULL,	/* 1 -1 */
	0x4000000000000000ULL, 0x3fe0000000000000ULL,	/* 2 0.5 */
	0xc008000000000000ULL, 0x3ff8000000000000ULL,	/* -3 1.5 */
	0x7fefffffffffffffULL, 0xffefffffffffffffULL,	/* +-DBL_MAX */
	0x0010000000000000ULL, 0x8010000000000000ULL,	/* +-DBL_MIN */
	0x000fffffffffffffULL, 0x8000000000000001ULL,	/* denormals */
	0x3ff0000000000001ULL, 0x3fefffffffffffffULL,	/* 1+ulp, 1-ulp/2 */
	0x47efffffe0000000ULL, 0x3810000000000000ULL,	/* FLT_MAX FLT_MIN */
	0x36a0000000000000ULL, 0x3ff0000010000000ULL,	/* 2^-149, 1+2^-24 */
	0x41e0000000000000ULL, 0xc1e0000000100000ULL,	/* 2^31, -2^31-0.5 */
#define PAIR_POOL 32
	0x7ff8000000000001ULL, 0x7fffffffffffffffULL,	/* more NaNs */
	0xfff0000000000001ULL, 0x7ff7ffffffffffffULL,
	0x7ff0123400000000ULL, 0xfffc00000000abcdULL,
	0x4008000000000000ULL, 0xbfe0000000000000ULL,	/* 3 -0.5 */
	0x4004000000000000ULL, 0xc004000000000000ULL,	/* 2.5 -2.5 */
	0xbff8000000000000ULL, 0x3fdfffffffffffffULL,	/* -1.5, 0.5-ulp */
	0x0000000000000001ULL, 0x0008000000000000ULL,
	0x800fffffffffffffULL, 0x0000000080000000ULL,
	0x47effffff0000000ULL, 0x47f0000000000000ULL,	/* FLT_MAX+ulp/2, 2^128 */
	0x47efffffefffffffULL, 0xc7effffff0000000ULL,
	0x380fffffc0000000ULL, 0x3690000000000000ULL,	/* single denormal edges */
	0x3690000000000001ULL, 0x36a8000000000000ULL,
	0x3800000000000000ULL, 0xb7fffffff0000000ULL,
	0x3ff0000030000000ULL, 0x3ff0000010000001ULL,	/* single ties */
	0x41dfffffffc00000ULL, 0x41dfffffffe00000ULL,	/* 2^31-1, 2^31-0.5 */
	0xc1e0000000000000ULL, 0xc1e0000000200000ULL,	/* -2^31, -2^31-1 */
	0x41e0000000100000ULL, 0x41efffffffe00000ULL,	/* 2^31+0.5, 2^32-1 */
	0x4330000000000000ULL, 0x4340000000000000ULL,	/* 2^52 2^53 */
	0x400921fb54442d18ULL, 0xc00921fb54442d18ULL,	/* +-pi */
	0x7e37e43c8800759cULL, 0x01a56e1fc2f8f359ULL,	/* 1e300 1e-300 */
	0x5fefffffffffffffULL, 0x2000000000000000ULL,
	0x7fe0000000000000ULL, 0x0020000000000000ULL,
};
#define NSPECIAL (sizeof(specials) / sizeof(specials[0]))

/* value = m * 2^e as a double (m != 0, at most 53 significant bits, result normal) */
static uint64_t mkdbl(int neg, uint64_t m, int e)
{
	int len = 0;
	uint64_t x = m;
	while (x) { len++; x >>= 1; }
	int be = e + len - 1 + 1023;
	if (be <= 0 || be >= 2047 || len > 53)
		return neg ? 0x8000000000000000ULL : 0;
	uint64_t frac = (m << (53 - len)) & 0x000fffffffffffffULL;
	return ((uint64_t)neg << 63) | ((uint64_t)be << 52) | frac;
}

static int dexp(uint64_t d) { return (int)((d >> 52) & 0x7ff); }

static uint64_t with_exp(uint64_t d, int be)
{
	if (be < 1) be = 1;
	if (be > 2046) be = 2046;
	return (d & 0x800fffffffffffffULL) | ((uint64_t)be << 52);
}

static uint64_t rnd_single(void)
{
	uint32_t e8 = 1 + rnd(254);
	if (rnd(4) == 0)
		e8 = 127 - 20 + rnd(40);
	uint64_t frac = (rnd64() >> 41) << 29;
	if (rnd(3) == 0)
		frac &= 0x000ff00000000000ULL;	/* few mantissa bits */
	return ((rnd64() >> 63) << 63) | ((uint64_t)(e8 - 127 + 1023) << 52) | (frac & 0x000fffffffffffffULL);
}

static uint64_t rnd_operand(void)
{
	uint64_t r = rnd64();
	switch (rnd(10)) {
	case 0:
		return r;				/* any bit pattern */
	case 1:
		return specials[rnd(NSPECIAL)];
	case 2: {					/* exponent at the extremes */
		static const int ex[] = { 0, 1, 2, 3, 60, 2046, 2045, 2000, 1023 + 127, 1023 + 128,
					  1023 - 126, 1023 - 127, 1023 - 149, 1023 - 150, 1023 + 31, 1023 + 30 };
		return (r & 0x800fffffffffffffULL) | ((uint64_t)ex[rnd(16)] << 52);
	}
	case 3:
	case 4:
		return rnd_single();
	case 5:					/* small integer mantissas */
		return mkdbl((int)(r >> 63), (r & 0xffffff) | 1, (int)rnd(40) - 20);
	default:					/* moderate exponents */
		return with_exp(r, 1023 - 40 + (int)rnd(80));
	}
}

/* b chosen so that a+b lands on or near a rounding boundary of a */
static uint64_t near_ulp(uint64_t a, int single)
{
	int d = single ? 24 : 53;
	int shift = d + (int)rnd(7) - 3;
	uint64_t m = (rnd(2) ? 0 : (rnd64() & 0x000fffffffffffffULL));
	if (rnd(2))
		m &= 0xfff0000000000000ULL >> 12;
	uint64_t b = ((uint64_t)rnd(2) << 63) | m;
	return with_exp(b, dexp(a) - shift);
}

/* ---------------------------------------------------------------- instructions */

enum kind { K_AB, K_AC, K_ACB, K_B, K_BS, K_SEL, K_MOVE, K_CMP };

struct op {
	uint32_t opcd, xo;
	enum kind kind;
};

static const struct op ops[] = {
	{ 63, 21, K_AB }, { 63, 20, K_AB }, { 63, 18, K_AB }, { 63, 25, K_AC },	/* fadd fsub fdiv fmul */
	{ 59, 21, K_AB }, { 59, 20, K_AB }, { 59, 18, K_AB }, { 59, 25, K_AC },	/* s forms */
	{ 63, 29, K_ACB }, { 63, 28, K_ACB }, { 63, 31, K_ACB }, { 63, 30, K_ACB },	/* fmadd fmsub fnmadd fnmsub */
	{ 59, 29, K_ACB }, { 59, 28, K_ACB }, { 59, 31, K_ACB }, { 59, 30, K_ACB },
	{ 63, 12, K_B }, { 63, 14, K_B }, { 63, 15, K_B },			/* frsp fctiw fctiwz */
	{ 59, 24, K_BS }, { 63, 26, K_BS },					/* fres frsqrte */
	{ 63, 23, K_SEL },							/* fsel */
	{ 63, 72, K_MOVE }, { 63, 40, K_MOVE }, { 63, 264, K_MOVE }, { 63, 136, K_MOVE },	/* fmr fneg fabs fnabs */
	{ 63, 0, K_CMP }, { 63, 32, K_CMP },					/* fcmpu fcmpo */
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))
#define OP_2ARG_END 8
#define OP_FMA_END 16
#define OP_UNARY_END 21

static uint32_t encode(const struct op *o, int rc)
{
	uint32_t i = o->opcd << 26;
	switch (o->kind) {
	case K_AB: return i | 4u << 21 | 1u << 16 | 2u << 11 | o->xo << 1 | rc;
	case K_AC: return i | 4u << 21 | 1u << 16 | 3u << 6 | o->xo << 1 | rc;
	case K_ACB:
	case K_SEL: return i | 4u << 21 | 1u << 16 | 2u << 11 | 3u << 6 | o->xo << 1 | rc;
	case K_B:
	case K_MOVE: return i | 4u << 21 | 2u << 11 | o->xo << 1 | rc;
	case K_BS: return i | 4u << 21 | 2u << 11 | o->xo << 1 | rc;
	case K_CMP: return i | rnd(8) << 23 | 1u << 16 | 2u << 11 | o->xo << 1;
	}
	return 0;
}

#define FPSCR_STATUS_BITS 0x9ffff700u	/* FX..VXVC FR FI FPRF VXSOFT VXSQRT VXCVI (no FEX/VX/bit 11) */
#define FPSCR_ENABLES 0xf8u

/* an input FPSCR for "exceptions ignored" runs: rounding mode plus sometimes
 * random status bits, enables or NI */
static uint32_t fpscr_for(uint32_t rn)
{
	uint32_t f = rn;
	switch (rnd(8)) {
	case 0:
	case 1:
		f |= (uint32_t)rnd64() & FPSCR_STATUS_BITS;
		break;
	case 2:
		f |= (uint32_t)rnd64() & FPSCR_ENABLES;
		break;
	case 3:
		f |= (uint32_t)rnd64() & (FPSCR_STATUS_BITS | FPSCR_ENABLES | 4u);
		break;
	default:
		break;
	}
	return f;
}

static void run_op(const struct op *o, uint64_t a, uint64_t b, uint64_t c, uint32_t fpscr, uint32_t mode)
{
	int rc = (o->kind == K_CMP) ? 0 : (int)rnd(2);
	if (o->kind == K_AC) {		/* fmul reads frA and frC: keep b unused */
		uint64_t t = b; b = c; c = t;
	}
	run_case(encode(o, rc), a, b, c, CANARY, fpscr, mode);
}

/* ---------------------------------------------------------------- sections */

static void section_pairs(void)
{
	puts_("# pairs of special operands, round to nearest\n");
	for (unsigned k = 0; k < OP_2ARG_END; k++)
		for (unsigned i = 0; i < PAIR_POOL; i++)
			for (unsigned j = 0; j < PAIR_POOL; j++)
				run_op(&ops[k], specials[i], specials[j], rnd_operand(), fpscr_for(0), 0);
	puts_("# pairs of special operands, directed rounding\n");
	for (uint32_t rn = 1; rn < 4; rn++)
		for (unsigned k = 0; k < OP_2ARG_END; k++)
			for (unsigned i = 0; i < 16; i++)
				for (unsigned j = 0; j < 16; j++)
					run_op(&ops[k], specials[i + 8], specials[j + 8], rnd_operand(), fpscr_for(rn), 0);
	for (unsigned k = 26; k < 28; k++)	/* compares */
		for (unsigned i = 0; i < PAIR_POOL; i++)
			for (unsigned j = 0; j < PAIR_POOL; j++)
				run_op(&ops[k], specials[i], specials[j], 0, fpscr_for(rnd(4)), 0);
}

static void section_unary(void)
{
	puts_("# unary operations over the special pool, all rounding modes\n");
	for (uint32_t rn = 0; rn < 4; rn++)
		for (unsigned k = OP_FMA_END; k < OP_UNARY_END; k++)
			for (unsigned i = 0; i < NSPECIAL; i++)
				run_op(&ops[k], rnd_operand(), specials[i], rnd_operand(), fpscr_for(rn), 0);
	for (unsigned k = 21; k < 26; k++)	/* fsel and moves */
		for (unsigned i = 0; i < NSPECIAL; i++)
			run_op(&ops[k], specials[i], rnd_operand(), rnd_operand(), fpscr_for(rnd(4)), 0);
}

static uint64_t int_boundary(void)
{
	/* values around integers and halves, mostly near the int32 limits */
	int64_t base;
	switch (rnd(4)) {
	case 0: base = (int64_t)rnd(64) - 32; break;
	case 1: base = 2147483647LL - (int64_t)rnd(4); break;
	case 2: base = -2147483648LL + (int64_t)rnd(4) - 2; break;
	default: base = (int64_t)(rnd64() >> 31) - (1LL << 32); break;
	}
	int neg = base < 0;
	uint64_t m = (uint64_t)(neg ? -base : base);
	/* add 0, 1/4, 1/2 or 3/4 (or a hair either side of 1/2) */
	uint32_t q = rnd(6);
	m = (m << 4) | (q < 4 ? q * 4 : (q == 4 ? 7 : 9));
	if (m == 0)
		return neg ? 0x8000000000000000ULL : 0;
	return mkdbl(neg, m, -4);
}

static void section_random(unsigned per)
{
	puts_("# random and boundary operands, every rounding mode\n");
	for (uint32_t rn = 0; rn < 4; rn++) {
		for (unsigned k = 0; k < NOPS; k++) {
			const struct op *o = &ops[k];
			int single = o->opcd == 59;
			unsigned n = per;
			if (k >= 21)
				n = per / 4;
			for (unsigned i = 0; i < n; i++) {
				uint64_t a = rnd_operand(), b = rnd_operand(), c = rnd_operand();
				uint32_t style = rnd(4);
				if (o->kind == K_AB && style == 0) {
					b = near_ulp(a, single);
				} else if (o->kind == K_AC && style == 0) {
					/* short mantissas: the product is often exactly halfway */
					int bits = single ? 13 : 27;
					uint64_t m1 = (rnd64() >> (64 - bits)) | (1ULL << (bits - 1)) | 1;
					uint64_t m2 = (rnd64() >> (64 - bits)) | (1ULL << (bits - 1)) | 1;
					a = mkdbl((int)rnd(2), m1, (int)rnd(40) - 20 - bits);
					c = mkdbl((int)rnd(2), m2, (int)rnd(40) - 20 - bits);
					if (rnd(4) == 0) {	/* near underflow or overflow */
						int target = rnd(2) ? (single ? 1023 - 126 : 2) : (single ? 1023 + 127 : 2046);
						a = with_exp(a, target - (dexp(c) - 1023));
					}
				} else if (o->kind == K_ACB && style <= 1) {
					int bits = single ? 13 : (style == 0 ? 26 : 27);
					uint64_t m1 = (rnd64() >> (64 - bits)) | (1ULL << (bits - 1));
					uint64_t m2 = (rnd64() >> (64 - bits)) | (1ULL << (bits - 1));
					int e1 = (int)rnd(20) - 10 - bits, e2 = (int)rnd(20) - 10 - bits;
					int na = (int)rnd(2), nc = (int)rnd(2);
					a = mkdbl(na, m1, e1);
					c = mkdbl(nc, m2, e2);
					uint64_t p = m1 * m2;		/* exact, < 2^54 */
					switch (rnd(4)) {
					case 0:			/* cancel the product (nearly) exactly */
						while (p >> 53) p >>= 1, e1++;
						p = p + rnd(5) - 2;
						b = mkdbl(!(na ^ nc), p ? p : 1, e1 + e2);
						break;
					case 1:			/* b tiny: breaks or keeps a tie */
						b = rnd(2) ? ((uint64_t)rnd(2) << 63) : with_exp(rnd64(), dexp(a) + dexp(c) - 1023 - 60 - (int)rnd(20));
						break;
					case 2:			/* b near the product's ulp */
						b = near_ulp(mkdbl(0, 1, e1 + e2 + (single ? 26 : 54)), single);
						break;
					default:
						b = with_exp(rnd64(), dexp(a) + dexp(c) - 1023 + (int)rnd(9) - 4);
						break;
					}
				} else if (o->kind == K_B && o->xo != 12 && style <= 1) {
					b = int_boundary();
				} else if (o->kind == K_SEL || o->kind == K_MOVE) {
					a = rnd(2) ? a : specials[rnd(NSPECIAL)];
				}
				run_op(o, a, b, c, fpscr_for(rn), 0);
			}
		}
	}
}

static void section_fma_specials(unsigned per)
{
	puts_("# multiply-add over special triples\n");
	for (unsigned k = OP_2ARG_END; k < OP_FMA_END; k++)
		for (unsigned i = 0; i < per; i++)
			run_op(&ops[k], specials[rnd(PAIR_POOL)], specials[rnd(PAIR_POOL)],
			       specials[rnd(PAIR_POOL)], fpscr_for(rnd(4)), 0);
}

static void section_aliasing(void)
{
	puts_("# source and target registers shared (f4)\n");
	for (unsigned k = 0; k < OP_UNARY_END + 5; k++) {
		const struct op *o = &ops[k];
		for (int i = 0; i < 4; i++) {
			uint32_t insn = encode(o, 0);
			uint32_t pick = rnd(3);
			if (o->kind == K_AB || o->kind == K_ACB || o->kind == K_AC || o->kind == K_SEL)
				insn = (insn & ~(0x1fu << 16)) | 4u << 16;		/* frA = f4 */
			if (pick && (o->kind == K_AB || o->kind == K_ACB || o->kind == K_B || o->kind == K_BS ||
				     o->kind == K_SEL || o->kind == K_MOVE))
				insn = (insn & ~(0x1fu << 11)) | 4u << 11;		/* frB = f4 */
			if (pick == 2 && (o->kind == K_ACB || o->kind == K_AC || o->kind == K_SEL))
				insn = (insn & ~(0x1fu << 6)) | 4u << 6;		/* frC = f4 */
			run_case(insn, rnd_operand(), rnd_operand(), rnd_operand(), rnd_operand(), fpscr_for(rnd(4)), 0);
		}
	}
}

static uint32_t rnd_status(void)
{
	return (uint32_t)rnd64() & FPSCR_STATUS_BITS & (rnd(2) ? 0xffffffffu : 0xfe000000u);
}

/* any FPSCR for the FPSCR instructions: random status bits and controls */
static uint32_t rnd_fpscr(void)
{
	return rnd_status() | ((uint32_t)rnd64() & 0xffu);
}

static void section_fpscr(void)
{
	puts_("# FPSCR instructions\n");
	for (int rc = 0; rc < 2; rc++) {
		for (uint32_t bt = 0; bt < 32; bt++) {
			for (int i = 0; i < 3; i++) {
				uint32_t f = rnd_fpscr();
				run_case(63u << 26 | bt << 21 | 70u << 1 | rc, 0, 0, 0, CANARY, f, 0);	/* mtfsb0 */
				f = rnd_fpscr();
				run_case(63u << 26 | bt << 21 | 38u << 1 | rc, 0, 0, 0, CANARY, f, 0);	/* mtfsb1 */
			}
		}
		for (uint32_t bf = 0; bf < 8; bf++)
			for (uint32_t u = 0; u < 16; u++) {
				uint32_t f = rnd_fpscr();
				run_case(63u << 26 | bf << 23 | u << 12 | 134u << 1 | rc, 0, 0, 0, CANARY, f, 0);	/* mtfsfi */
			}
		for (int i = 0; i < 120; i++) {
			uint32_t flm = (i < 8) ? (1u << i) : (i < 16 ? 0xffu : (uint32_t)rnd(256));
			uint32_t l = (i % 17 == 5);
			uint64_t src = rnd64();
			if (rnd(3) == 0)
				src &= 0xffffffff000000ffULL;
			uint32_t f = rnd_fpscr();
			run_case(63u << 26 | l << 25 | flm << 17 | 2u << 11 | 711u << 1 | rc, 0, src, 0, CANARY, f, 0);	/* mtfsf */
		}
		for (int i = 0; i < 10; i++)
			run_case(63u << 26 | 4u << 21 | 583u << 1 | rc, 0, 0, 0, CANARY,
				 rnd_fpscr(), 0);		/* mffs */
	}
	for (uint32_t bf = 0; bf < 8; bf++)
		for (uint32_t bfa = 0; bfa < 8; bfa++)
			for (int i = 0; i < 3; i++)
				run_case(63u << 26 | bf << 23 | bfa << 18 | 64u << 1, 0, 0, 0, CANARY,
					 rnd_fpscr(), 0);		/* mcrfs */
}

/* an exceptional operand: specials, and values that overflow/underflow easily */
static uint64_t exc_operand(void)
{
	switch (rnd(4)) {
	case 0:
	case 1:
		return specials[rnd(NSPECIAL)];
	case 2:
		return with_exp(rnd64(), rnd(2) ? 2046 - (int)rnd(4) : 1 + (int)rnd(4));
	default:
		return rnd_operand();
	}
}

static void section_enabled(unsigned per)
{
	static const uint32_t enables[] = { 0x80, 0x40, 0x20, 0x10, 0x08, 0xf8, 0xf8, 0x88 };
	puts_("# enabled exceptions: precise mode (trapping) and ignored mode\n");
	for (uint32_t mode = 0; mode < 4; mode += 3) {
		for (unsigned k = 0; k < 28; k++) {
			const struct op *o = &ops[k];
			if (o->kind == K_SEL || o->kind == K_MOVE)
				continue;
			for (unsigned i = 0; i < per; i++) {
				uint32_t fpscr = rnd(4) | enables[rnd(8)];
				if (rnd(4) == 0) {
					/* sticky bits whose enable is off (a set enabled one would trap in the harness) */
					uint32_t st = (uint32_t)rnd64() & 0x1e000000u;
					uint32_t en = fpscr & 0x78u;	/* OE UE ZE XE vs OX UX ZX XX */
					st &= ~(en << 22);
					fpscr |= st | ((uint32_t)rnd64() & 0x80000000u);
				}
				uint64_t a = exc_operand(), b = exc_operand(), c = exc_operand();
				if (o->kind == K_B && o->xo != 12 && rnd(2))
					b = int_boundary();
				run_op(o, a, b, c, fpscr, mode);
			}
		}
		/* FPSCR instructions that turn on an enabled exception */
		for (int i = 0; i < 40; i++) {
			uint32_t en = enables[rnd(8)];
			uint32_t bt = (uint32_t)rnd(32);
			run_case(63u << 26 | bt << 21 | 38u << 1 | rnd(2), 0, 0, 0, CANARY, rnd(4) | en, mode);	/* mtfsb1 */
			uint32_t bf = rnd(8), u = rnd(16);
			run_case(63u << 26 | bf << 23 | u << 12 | 134u << 1 | rnd(2), 0, 0, 0, CANARY, rnd(4) | en, mode);	/* mtfsfi */
			uint64_t src = rnd64() & 0xffffffff9ff9f7ffULL;
			run_case(63u << 26 | (uint32_t)rnd(256) << 17 | 2u << 11 | 711u << 1 | rnd(2), 0, src, 0, CANARY,
				 rnd(4) | en, mode);									/* mtfsf */
			run_case(63u << 26 | bt << 21 | 70u << 1 | rnd(2), 0, 0, 0, CANARY, rnd(4) | en, mode);	/* mtfsb0 */
		}
	}
	set_fe(0);
}

/* operands far outside the single range, or near the double range edges */
static uint64_t extreme_operand(void)
{
	switch (rnd(6)) {
	case 0: return with_exp(rnd64(), 2046 - (int)rnd(120));
	case 1: return with_exp(rnd64(), 1 + (int)rnd(120));
	case 2: return rnd64() & 0x800fffffffffffffULL;		/* denormal */
	case 3: return with_exp(rnd64(), 1023 + 100 + (int)rnd(60));	/* just above single */
	case 4: return with_exp(rnd64(), 1023 - 160 + (int)rnd(40));	/* around single denormals */
	default: return rnd_operand();
	}
}

static void section_rebias(unsigned per)
{
	static const uint32_t enables[] = { 0x40, 0x20, 0x60, 0x68, 0xf8, 0x28, 0x48 };
	puts_("# overflow and underflow with OE/UE set: exponent-adjusted results\n");
	for (uint32_t mode = 0; mode < 4; mode += 3) {
		for (unsigned k = 0; k < OP_UNARY_END; k++) {
			const struct op *o = &ops[k];
			if (o->kind == K_B && o->xo != 12)	/* fctiw(z): no exponent */
				continue;
			for (unsigned i = 0; i < per; i++) {
				uint32_t fpscr = rnd(4) | enables[rnd(7)];
				uint64_t a = extreme_operand(), b = extreme_operand(), c = extreme_operand();
				if (o->kind == K_AC && rnd(2)) {	/* product at the double range edges */
					int target = rnd(2) ? 2046 + (int)rnd(40) : 1 - (int)rnd(60);
					a = with_exp(a, target - dexp(c) + 1023);
				}
				run_op(o, a, b, c, fpscr, mode);
			}
		}
	}
	set_fe(0);
}

static void section_loadstore(unsigned n)
{
	puts_("# single-precision loads (lfs) and stores (stfs)\n");
	for (unsigned i = 0; i < n; i++) {
		uint32_t in = (uint32_t)rnd64();
		uint64_t out = 0;
		switch (rnd(4)) {
		case 0: in &= 0x807fffffu; break;				/* zero or denormal */
		case 1: in = (in & 0x807fffffu) | 0x7f800000u; break;	/* inf, NaN */
		case 2: in = (in & 0x80000000u) | (1u << rnd(23)); break;	/* one-bit denormal */
		default: break;
		}
		fp_lfs(&in, &out);
		putch('L'); field(in); field(out); putch('\n');
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t in = rnd(3) ? extreme_operand() : specials[rnd(NSPECIAL)];
		uint32_t out = 0;
		if (rnd(3) == 0)	/* exponents through the single denormal range and below */
			in = with_exp(rnd64(), 1023 - 160 + (int)rnd(40));
		fp_stfs(&in, &out);
		putch('S'); field(in); field(out); putch('\n');
	}
}

/* ---------------------------------------------------------------- decode probes */

/* patterns for instruction bits 6..20 (frT/BF, frA/BFA, frB): 0, all ones, each
 * single bit, and the usual f4,f1,f2 */
static uint32_t probe_fields(int i)
{
	if (i == 0) return 0;
	if (i == 1) return 0x7fff;
	if (i == 17) return 4u << 10 | 1u << 5 | 2u;
	return 1u << (i - 2);
}
#define NPROBE 18

static void section_probes(void)
{
	puts_("# decode probes: bit i of the mask set = pattern i raised an illegal-instruction interrupt\n");
	for (uint32_t opcd = 59; opcd <= 63; opcd += 4) {
		for (uint32_t lo = 0; lo < 2048; lo++) {
			uint32_t mask = 0;
			for (int i = 0; i < NPROBE; i++) {
				uint32_t insn = opcd << 26 | probe_fields(i) << 11 | lo;
				struct fpcase cs;
				cs.a = cs.b = cs.c = cs.t = 0x3ff0000000000000ULL;
				cs.fpscr = 0; cs.cr = 0;
				set_slot(insn);
				trap_info[2] = 0;
				fp_exec(&cs);
				if (trap_info[2]) {
					if (trap_info[0] & ESR_PIL)
						mask |= 1u << i;
					else {
						puts_("E probe trap ");
						puthex(insn); putch(' '); puthex(trap_info[0]); putch('\n');
					}
				}
			}
			putch('P');
			field(opcd << 11 | lo);
			field(mask);
			putch('\n');
		}
	}
}

int main(uint32_t dtb)
{
	uint32_t h = (uint32_t)prog_handler;
	if (h >= 0x10000 || (h & 15)) {
		puts_("E program handler not reachable from IVPR 0\n");
		return 1;
	}
	SPR_WRITE(63, 0);		/* IVPR */
	SPR_WRITE(406, h);		/* IVOR6: program */
	__asm__ volatile("isync");

	puts_("# fpvectors 1: e500mc classic FP on this machine\n");
	puts_("# canary ");
	puthexc(CANARY);
	putch('\n');
	section_probes();
	section_pairs();
	section_unary();
	section_fma_specials(300);
	section_random(300);
	section_aliasing();
	section_fpscr();
	section_enabled(150);
	section_rebias(100);
	section_loadstore(1500);
	puts_("# end ");
	putudec((uint32_t)vector_count);
	puts_(" vectors\n");
	return 0;
}
