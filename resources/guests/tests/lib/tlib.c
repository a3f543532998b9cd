/* Test runtime: trap dispatch and logging, printing, PRNG. See tlib.h. */
#include "tlib.h"

uint32_t rng_state = 1;
volatile uint32_t tlog_n;
struct trec tlog[TLOG_MAX];
trap_hook_t trap_hooks[V_NVEC];
volatile uint32_t trap_quiet;
volatile uint32_t resume_pc;

extern char tvec_end[];
extern char user_trampoline[], run_user_resume[], ctx_resume[];
extern uint32_t run_user_msr, ctx_msr, ctx_active;
extern struct ctx *ctx_out;

static const char hexdig[] = "0123456789abcdef";

void ph(uint32_t v) { puthex(v); }

void phn(uint32_t v, int digits)
{
	for (int i = (digits - 1) * 4; i >= 0; i -= 4)
		putch(hexdig[(v >> i) & 0xF]);
}

void ps(const char *s) { puts_(s); }
void pnl(void) { putch('\n'); }
void pl(const char *s) { puts_(s); putch('\n'); }

void pkv(const char *k, uint32_t v)
{
	putch(' ');
	puts_(k);
	putch('=');
	puthex(v);
}

void section(const char *name)
{
	puts_("== ");
	puts_(name);
	putch('\n');
}

void tests_done(void)
{
	puts_("done\n");
	lab_exit();
}

uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static const uint32_t specials[] = {
	0, 1, 2, 3, 4, 7, 8, 0x1F, 0x20, 0x21, 0x3F, 0x7F, 0x80, 0xFF, 0x100,
	0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x12345678, 0x55555555, 0xAAAAAAAA,
	0x7FFFFFFE, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFF8000, 0xFFFF7FFF,
	0xFFFFFF80, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF,
};

uint32_t rng_val(void)
{
	uint32_t r = rng();
	switch (r & 7) {
	case 0: case 1: case 2:
		return specials[(r >> 3) % (sizeof specials / sizeof specials[0])];
	case 3:
		return (uint32_t)((int32_t)r >> 25);	/* small signed: -64..63 */
	case 4:
		return (1u << ((r >> 3) & 31)) + ((r >> 8) & 3) - 1;	/* near powers of 2 */
	default:
		return rng();
	}
}

uint32_t crc32_update(uint32_t crc, const void *p, uint32_t n)
{
	const uint8_t *b = p;
	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
}

void trap_init(void)
{
	uint32_t base = (uint32_t)tvec_base;
	uint32_t ivpr = base & 0xFFFF0000u;
	if ((((uint32_t)tvec_end - 1) & 0xFFFF0000u) != ivpr) {
		pl("FATAL: vector stubs cross a 64 KB boundary");
		lab_exit();
	}
	SPR_WRITE(SPR_IVPR, ivpr);
#define IV(n) SPR_WRITE(SPR_IVOR(n), (base - ivpr) + 16 * (n))
	IV(0); IV(1); IV(2); IV(3); IV(4); IV(5); IV(6); IV(7);
	IV(8); IV(9); IV(10); IV(11); IV(12); IV(13); IV(14); IV(15);
	IV(32); IV(33); IV(34); IV(35); IV(36); IV(37);
#undef IV
	isync();
}

void tlog_clear(void)
{
	tlog_n = 0;
}

static void fatal_trap(struct tframe *f, const char *why)
{
	ps("FATAL ");
	ps(why);
	pkv("vec", f->vec);
	pkv("srr0", f->srr0);
	pkv("srr1", f->srr1);
	pkv("esr", f->esr);
	pkv("dear", f->dear);
	pnl();
	lab_exit();
}

void trap_dispatch(struct tframe *f)
{
	uint32_t v = f->vec;

	/* Returns from run_user / ctx_run are not logged. */
	if (v == V_SYSCALL && ctx_active) {
		struct ctx *o = ctx_out;
		for (int i = 0; i < 32; i++)
			o->r[i] = f->gpr[i];
		o->cr = f->cr;
		o->xer = f->xer;
		o->lr = f->lr;
		o->ctr = f->ctr;
		ctx_active = 0;
		f->srr0 = (uint32_t)ctx_resume;
		f->srr1 = ctx_msr;
		return;
	}
	if (v == V_SYSCALL && f->gpr[0] == 0x55534552u &&
	    f->srr0 == (uint32_t)user_trampoline + 12) {
		f->srr0 = (uint32_t)run_user_resume;
		f->srr1 = run_user_msr;
		return;
	}

	/* QEMU 7.2 ORs a cause bit into SRR1 on program interrupts (0x00100000
	 * FP, 0x00080000 PIL, 0x00040000 PPR, 0x00020000 trap = MSR[CE]); Book E
	 * says SRR1 = MSR. Normalise, so the MSR restored by rfi is the same on
	 * both sides (tests never take program interrupts with MSR[CE] = 1). */
	if (v == V_PROGRAM)
		f->srr1 &= ~0x001E0000u;

	uint32_t n = tlog_n;
	if (n < TLOG_MAX) {
		struct trec *r = &tlog[n];
		r->vec = v;
		r->srr0 = f->srr0;
		r->srr1 = f->srr1;
		r->esr = f->esr;
		r->dear = f->dear;
		r->msr = f->msr;
		r->mas0 = f->mas0;
		r->mas1 = f->mas1;
		r->mas2 = f->mas2;
		r->mas3 = f->mas3;
		r->mas6 = f->mas6;
		r->mas7 = f->mas7;
	}
	tlog_n = n + 1;

	if (v < V_NVEC && trap_hooks[v] && trap_hooks[v](f))
		return;

	if (!trap_quiet) {
		ps("UNEXPECTED trap");
		pkv("vec", v);
		pkv("srr0", f->srr0);
		pkv("srr1", f->srr1);
		pkv("esr", f->esr);
		pkv("dear", f->dear);
		pnl();
	}
	switch (v) {
	case V_SYSCALL:
		break;			/* SRR0 already points past sc */
	case V_DSI: case V_ALIGN: case V_PROGRAM: case V_FPUNAVAIL:
	case V_DTLB: case V_APU:
		f->srr0 += 4;		/* skip the faulting instruction */
		break;
	case V_ISI: case V_ITLB:
		if (!resume_pc)
			fatal_trap(f, "instruction fetch fault");
		f->srr0 = resume_pc;
		break;
	case V_DEC:
		SPR_WRITE(SPR_TCR, SPR_READ(SPR_TCR) & ~TCR_DIE);
		SPR_WRITE(SPR_TSR, TSR_DIS);
		break;
	case V_FIT:
		SPR_WRITE(SPR_TCR, SPR_READ(SPR_TCR) & ~TCR_FIE);
		SPR_WRITE(SPR_TSR, TSR_FIS);
		break;
	case V_WDT:
		SPR_WRITE(SPR_TCR, SPR_READ(SPR_TCR) & ~TCR_WIE);
		SPR_WRITE(SPR_TSR, TSR_ENW | TSR_WIS);
		break;
	case V_EXT:
		f->srr1 &= ~MSR_EE;
		break;
	default:
		fatal_trap(f, "no default action");
	}
}

void tlog_print(uint32_t i, uint32_t what, uint32_t srr0_base)
{
	if (i >= tlog_n || i >= TLOG_MAX) {
		ps(" none");
		return;
	}
	struct trec *r = &tlog[i];
	ps(" vec=");
	phn(r->vec, 2);
	if (what & TP_SRR0) {
		ps(" srr0");
		if (srr0_base) {
			uint32_t d = r->srr0 - srr0_base;
			putch((int32_t)d < 0 ? '-' : '+');
			phn((int32_t)d < 0 ? -d : d, 3);
		} else {
			putch('=');
			ph(r->srr0);
		}
	}
	if (what & TP_SRR1)
		pkv("srr1", r->srr1);
	if (what & TP_ESR)
		pkv("esr", r->esr);
	if (what & TP_DEAR)
		pkv("dear", r->dear);
	if (what & TP_MSR)
		pkv("msr", r->msr);
	if (what & TP_MAS) {
		pkv("mas0", r->mas0);
		pkv("mas1", r->mas1);
		pkv("mas2", r->mas2);
		pkv("mas3", r->mas3);
		pkv("mas6", r->mas6);
		pkv("mas7", r->mas7);
	}
}

void tlog_print_all(uint32_t what, uint32_t srr0_base)
{
	ps(" n=");
	putudec(tlog_n);
	for (uint32_t i = 0; i < tlog_n && i < TLOG_MAX; i++)
		tlog_print(i, what, srr0_base);
}

void ctx_print(const struct ctx *before, const struct ctx *after)
{
	for (int i = 0; i < 32; i++) {
		if (before && before->r[i] == after->r[i])
			continue;
		ps(" r");
		putudec(i);
		putch('=');
		ph(after->r[i]);
	}
	if (!before || before->cr != after->cr)
		pkv("cr", after->cr);
	if (!before || before->xer != after->xer)
		pkv("xer", after->xer);
	if (!before || before->lr != after->lr)
		pkv("lr", after->lr);
	if (!before || before->ctr != after->ctr)
		pkv("ctr", after->ctr);
}
