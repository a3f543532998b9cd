/* loadstore: every integer load/store width and form (D, indexed, update,
 * update indexed, rA = 0), sign extension, byte-reversed (lhbrx/lwbrx/
 * sthbrx/stwbrx), lmw/stmw (word-aligned EA), unaligned integer EAs (the
 * e500mc and QEMU handle them without an alignment interrupt), FP load/store
 * addressing forms (naturally aligned only: unaligned FP accesses and
 * lmw/stmw may take alignment interrupts on hardware, never in QEMU).
 * Snippets run with a full register context (ctx_run); per case the output
 * lists the registers that changed (addresses inside the buffer as buf+off)
 * and, for stores, the changed bytes of the buffer. */
#include "tlib.h"
#include "optab.h"

#define LS_IDX 1
#define LS_ABS 2
#define LS_ST 4

extern const struct opent ls_tab[], ls_tab_end[];
static uint8_t buf[256] __attribute__((aligned(64)));
static const int32_t idxs[] = { 0, 1, 2, 3, 4, 6, 7, -1, -2, -5, 100, -128 };
#define NIDX (sizeof idxs / sizeof idxs[0])

static void buf_fill(void)
{
	for (int i = 0; i < 256; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
}

static void pval(uint32_t v)
{
	uint32_t b = (uint32_t)buf;
	if (v >= b && v < b + 256) {
		ps("buf+");
		phn(v - b, 2);
	} else {
		ph(v);
	}
}

static void print_diffs(const struct ctx *in, const struct ctx *out)
{
	for (int i = 0; i < 32; i++) {
		if (out->r[i] != in->r[i]) {
			ps(" r");
			putudec(i);
			putch('=');
			pval(out->r[i]);
		}
	}
	if (out->cr != in->cr)
		pkv("cr", out->cr);
	if (out->xer != in->xer)
		pkv("xer", out->xer);
	if (out->lr != in->lr)
		pkv("lr", out->lr);
	if (out->ctr != in->ctr)
		pkv("ctr", out->ctr);
}

static void print_mem_changes(void)
{
	int first = -1, last = -1;
	for (int i = 0; i < 256; i++) {
		if (buf[i] != (uint8_t)(i * 37 + 11)) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	if (first < 0) {
		ps(" mem=same");
		return;
	}
	ps(" mem@");
	phn(first, 2);
	putch(':');
	for (int i = first; i <= last; i++)
		phn(buf[i], 2);
}

static void ctx_init(struct ctx *c, uint32_t seed)
{
	rng_seed(seed);
	for (int i = 0; i < 32; i++)
		c->r[i] = rng();
	c->cr = rng();
	c->xer = rng() & 0xE000007Fu;
	c->lr = rng();
	c->ctr = rng();
}

static void run_ls(const struct opent *op)
{
	int ncase = (op->flags & LS_IDX) ? (int)NIDX : 1;
	ps(op->name);
	putch(' ');
	ph(op->code[0]);
	pnl();
	for (int i = 0; i < ncase; i++) {
		struct ctx in, out;
		ctx_init(&in, str_hash(op->name) ^ op->code[0] ^ i);
		in.r[4] = (uint32_t)buf + 128;
		in.r[5] = (uint32_t)idxs[i];
		if (op->flags & LS_ABS)
			in.r[5] += in.r[4];
		buf_fill();
		ctx_run(op->code, &in, &out, mfmsr());
		ps(" ");
		if (op->flags & LS_IDX) {
			ps("i=");
			putdec(idxs[i]);
		}
		print_diffs(&in, &out);
		if (op->flags & LS_ST)
			print_mem_changes();
		pnl();
	}
}

/* FP loads and stores: addressing forms (the value conversions are in fpu). */
static void fp_forms(void)
{
	static uint64_t fbuf[8] __attribute__((aligned(8)));
	uint64_t d;
	uint32_t ea;
	for (int i = 0; i < 8; i++)
		fbuf[i] = 0x4000000000000000ull + ((uint64_t)i << 44) + 0x1234;
	uint8_t *b = (uint8_t *)fbuf;

	__asm__ volatile("lfd 1,8(%1); stfd 1,0(%2)" :: "m"(fbuf), "b"(b), "b"(&d) : "fr1", "memory");
	ps("lfd "); ph(d >> 32); ph((uint32_t)d); pnl();
	ea = (uint32_t)b;
	__asm__ volatile("lfdu 1,16(%0); stfd 1,0(%1)" : "+b"(ea) : "b"(&d) : "fr1", "memory");
	ps("lfdu "); ph(d >> 32); ph((uint32_t)d); pkv("ea", ea - (uint32_t)b); pnl();
	__asm__ volatile("lfdx 1,%1,%2; stfd 1,0(%3)" :: "m"(fbuf), "b"(b), "r"(24), "b"(&d) : "fr1", "memory");
	ps("lfdx "); ph(d >> 32); ph((uint32_t)d); pnl();
	ea = (uint32_t)b;
	__asm__ volatile("lfdux 1,%0,%2; stfd 1,0(%1)" : "+b"(ea) : "b"(&d), "r"(32) : "fr1", "memory");
	ps("lfdux "); ph(d >> 32); ph((uint32_t)d); pkv("ea", ea - (uint32_t)b); pnl();
	/* lfs forms: single 0x40490fdb (pi) in the high word of fbuf[5] */
	fbuf[5] = 0x40490fdb3f800000ull;
	__asm__ volatile("lfs 1,40(%1); stfd 1,0(%2)" :: "m"(fbuf), "b"(b), "b"(&d) : "fr1", "memory");
	ps("lfs "); ph(d >> 32); ph((uint32_t)d); pnl();
	ea = (uint32_t)b;
	__asm__ volatile("lfsu 1,44(%0); stfd 1,0(%1)" : "+b"(ea) : "b"(&d) : "fr1", "memory");
	ps("lfsu "); ph(d >> 32); ph((uint32_t)d); pkv("ea", ea - (uint32_t)b); pnl();
	__asm__ volatile("lfsx 1,%1,%2; stfd 1,0(%3)" :: "m"(fbuf), "b"(b), "r"(40), "b"(&d) : "fr1", "memory");
	ps("lfsx "); ph(d >> 32); ph((uint32_t)d); pnl();
	ea = (uint32_t)b;
	__asm__ volatile("lfsux 1,%0,%2; stfd 1,0(%1)" : "+b"(ea) : "b"(&d), "r"(44) : "fr1", "memory");
	ps("lfsux "); ph(d >> 32); ph((uint32_t)d); pkv("ea", ea - (uint32_t)b); pnl();
	/* stores */
	d = 0x400921FB54442D18ull;	/* pi */
	for (int i = 0; i < 8; i++)
		fbuf[i] = 0;
	ea = (uint32_t)b;
	__asm__ volatile("lfd 2,0(%1); stfs 2,4(%0); stfsu 2,8(%0); stfd 2,8(%0); stfdu 2,16(%0)"
			 : "+b"(ea) : "b"(&d) : "fr2", "memory");
	ps("stfs/stfsu/stfd/stfdu ea="); ph(ea - (uint32_t)b);
	for (int i = 0; i < 6; i++) { putch(' '); ph(((uint32_t *)fbuf)[i]); }
	pnl();
	for (int i = 0; i < 8; i++)
		fbuf[i] = 0;
	ea = (uint32_t)b;
	__asm__ volatile("lfd 2,0(%1); stfsx 2,%0,%2; stfsux 2,%0,%3; stfdx 2,%0,%3; stfdux 2,%0,%3; stfiwx 2,%0,%2"
			 : "+b"(ea) : "b"(&d), "r"(4), "r"(8) : "fr2", "memory");
	ps("stfsx/stfsux/stfdx/stfdux/stfiwx ea="); ph(ea - (uint32_t)b);
	for (int i = 0; i < 12; i++) { putch(' '); ph(((uint32_t *)fbuf)[i]); }
	pnl();
}

int main(void)
{
	trap_init();
	section("loadstore");
	for (const struct opent *op = ls_tab; op < ls_tab_end; op++)
		run_ls(op);
	section("fp load/store forms");
	fp_forms();
	tests_done();
	return 0;
}
