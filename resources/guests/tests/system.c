/* system: supervisor state and control.
 *  - entry state QEMU's ppce500 leaves (TLB1[0], MAS4/MAS6/PID, DTB magic)
 *  - SPR write/read-back: SPRG0-7 (+ user SPRG3R-7R), USPRG0, SRR/CSRR/
 *    DSRR/MCSRR, ESR, DEAR, IVPR, IVORs, PID; PVR, PIR, SVR; MMU config;
 *    L1CSR0 flash-invalidate self-clearing; TB write/read relations
 *  - mtmsr/mfmsr per bit, wrtee/wrteei
 *  - sc from supervisor and user (SRR0 = next insn, SRR1 = MSR)
 *  - tw/twi for every TO and signed/unsigned operand pairs (ESR[PTR])
 *  - privileged instructions and SPRs from user mode (ESR[PPR]),
 *    illegal instructions in both modes (ESR[PIL]), user-allowed SPRs
 *  - cache instructions: dcbz (64-byte lines), dcbf/dcbst/dcbt/dcbtst/icbi
 *    leave data intact and do not fault on mapped memory
 * Not compared: MSR inside handlers after CE/DE were set (QEMU clears them,
 * Book E keeps them), mtmsr of MSR[ME] (QEMU 7.2 ignores it), mtspr/mfspr
 * of undefined SPR numbers (QEMU treats them as no-ops in supervisor mode),
 * SPRG4R/SPRG5R in user mode (the trap stubs use SPRG4/5 as scratch),
 * HID0/HID1/BUCSR/MMUCFG/SVR values (QEMU's are placeholders).
 * rfci/rfmci/rfdi are in critical.c (they need QEMU without -icount). */
#include "tlib.h"
#include "optab.h"

extern const struct opent priv_tab[], priv_tab_end[], ill_tab[], ill_tab_end[];
extern const struct opent user_tab[], user_tab_end[];
extern uint32_t main_dtb;
uint32_t main_dtb;

static void entry_state(uint32_t dtb)
{
	uint32_t m[5];
	section("entry state");
	tlb_read(MAS0_TLBSEL(1) | MAS0_ESEL(0), m);
	ps("tlb1[0]");
	pkv("mas1", m[1]);
	pkv("mas2", m[2]);
	pkv("mas3", m[3]);
	pkv("mas7", m[4]);
	pnl();
	tlb_read(MAS0_TLBSEL(1) | MAS0_ESEL(1), m);
	ps("tlb1[1] (crt0: CCSR)");
	pkv("mas1", m[1]);
	pkv("mas2", m[2]);
	pkv("mas3", m[3]);
	pkv("mas7", m[4]);
	pnl();
	ps("regs");
	pkv("mas4", SPR_READ(SPR_MAS4));
	pkv("pid", SPR_READ(SPR_PID));
	pkv("tcr", SPR_READ(SPR_TCR));
	pkv("tsr", SPR_READ(SPR_TSR));
	pkv("dbcr0", SPR_READ(SPR_DBCR0));
	pnl();
	ps("dtb");
	pkv("addr", dtb);
	pkv("magic", *(volatile uint32_t *)dtb);
	pnl();
	ps("id");
	pkv("pvr", SPR_READ(SPR_PVR));
	pkv("pir", SPR_READ(SPR_PIR));
	pnl();
	ps("mmu");
	pkv("tlb0cfg", SPR_READ(SPR_TLB0CFG));
	pkv("tlb1cfg", SPR_READ(SPR_TLB1CFG));
	pnl();
}

#define RW(n, v)                                     \
	do {                                         \
		SPR_WRITE(n, v);                     \
		isync();                             \
		ps(" " #n "=");                      \
		ph(SPR_READ(n));                     \
	} while (0)

static void spr_rw(void)
{
	section("spr read-back");
	rng_seed(0x5350520a);
	RW(272, rng()); RW(273, rng()); RW(274, rng()); RW(275, rng());
	pnl();
	RW(276, rng()); RW(277, rng()); RW(278, rng()); RW(279, rng());
	pnl();
	ps("sprgNr");
	for (int i = 0; i < 5; i++) {
		static const uint32_t v[5] = { 0x11110003, 0x44440004, 0x55550005, 0x66660006, 0x77770007 };
		if (i == 0) SPR_WRITE(275, v[0]);
		if (i == 1) SPR_WRITE(276, v[1]);
		if (i == 2) SPR_WRITE(277, v[2]);
		if (i == 3) SPR_WRITE(278, v[3]);
		if (i == 4) SPR_WRITE(279, v[4]);
	}
	ps(" "); ph(SPR_READ(259)); ps(" "); ph(SPR_READ(260)); ps(" "); ph(SPR_READ(261));
	ps(" "); ph(SPR_READ(262)); ps(" "); ph(SPR_READ(263));
	pnl();
	RW(256, rng()); RW(26, rng()); RW(27, rng()); RW(58, rng()); RW(59, rng());
	pnl();
	RW(570, rng()); RW(571, rng()); RW(574, rng()); RW(575, rng());
	pnl();
	RW(62, rng()); RW(61, rng()); RW(48, 0x5a); RW(48, 0);
	pnl();
	uint32_t ivpr = SPR_READ(SPR_IVPR);
	RW(63, 0x12340000);
	SPR_WRITE(SPR_IVPR, ivpr);
	RW(400, 0x1230); RW(406, 0xff0); RW(415, 0x10); RW(533, 0xa0);
	/* (IVOR32-34, SPE, do not exist on the e500mc: QEMU ignores them) */
	RW(531, 0x5550); RW(532, 0x30);
	pnl();
	trap_init();	/* restore the vectors */
	/* L1CSR0/L1CSR1: the flash-invalidate bit (CFI, 0x2) clears itself */
	for (int n = 0; n < 2; n++) {
		uint32_t spr = 1010 + n, v = 0, tries = 0;
		if (n == 0)
			SPR_WRITE(1010, SPR_READ(1010) | 2);
		else
			SPR_WRITE(1011, SPR_READ(1011) | 2);
		isync();
		do {
			v = n == 0 ? SPR_READ(1010) : SPR_READ(1011);
		} while ((v & 2) && ++tries < 1000);
		ps(n == 0 ? "l1csr0" : "l1csr1");
		ps(" cfi cleared=");
		ps((v & 2) ? "no" : "yes");
		(void)spr;
		pnl();
	}
	/* time base: write, then read back relations only */
	SPR_WRITE(SPR_TBL_W, 0);
	SPR_WRITE(SPR_TBU_W, 0x12345678);
	SPR_WRITE(SPR_TBL_W, 0xFFFFFF00);
	uint32_t u1 = SPR_READ(SPR_TBU_R), l1 = SPR_READ(SPR_TBL_R);
	for (volatile int i = 0; i < 2000; i++)
		;
	uint32_t u2 = SPR_READ(SPR_TBU_R), l2 = SPR_READ(SPR_TBL_R);
	ps("tb: tbu written=");
	ps(u1 == 0x12345678 ? "yes" : "no");
	ps(" tbl>=written=");
	ps(u1 == 0x12345678 && l1 >= 0xFFFFFF00 ? "yes" : (u1 == 0x12345679 ? "yes" : "no"));
	ps(" advanced=");
	ps((u2 > u1 || (u2 == u1 && l2 > l1)) ? "yes" : "no");
	ps(" carried into tbu=");
	ps(u2 == 0x12345679 ? "yes" : "no");
	pnl();
	SPR_WRITE(SPR_TBL_W, 0);
	SPR_WRITE(SPR_TBU_W, 0);
}

static void msr_bits(void)
{
	/* ME is left out: QEMU 7.2's mtmsr never changes MSR[ME] (a Book S rule);
	 * Book E's mtmsr does. */
	static const uint32_t bits[] = { MSR_EE, MSR_CE, MSR_FE0, MSR_FE1, MSR_DE,
		MSR_EE | MSR_CE | MSR_FE0 | MSR_FE1 | MSR_DE, 0 };
	section("mtmsr/mfmsr");
	uint32_t base = mfmsr();
	ps("start");
	pkv("msr", base);
	pnl();
	for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		uint32_t v = base | bits[i];
		uint32_t got;
		__asm__ volatile("mtmsr %1\n\tisync\n\tmfmsr %0\n\tmtmsr %2\n\tisync"
				 : "=&r"(got) : "r"(v), "r"(base) : "memory");
		ps("set");
		pkv("v", v);
		pkv("got", got);
		pnl();
	}
	/* clearing FP */
	{
		uint32_t got;
		__asm__ volatile("mtmsr %1\n\tisync\n\tmfmsr %0\n\tmtmsr %2\n\tisync"
				 : "=&r"(got) : "r"(base & ~MSR_FP), "r"(base) : "memory");
		ps("clear fp");
		pkv("got", got);
		pnl();
	}
	uint32_t a, b, c, d;
	__asm__ volatile("wrteei 1\n\tmfmsr %0\n\twrteei 0\n\tmfmsr %1\n\t"
			 "wrtee %4\n\tmfmsr %2\n\twrtee %5\n\tmfmsr %3"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d)
			 : "r"(0xFFFFFFFFu), "r"(0xFFFF7FFFu) : "memory");
	ps("wrteei 1");
	pkv("msr", a);
	ps(" wrteei 0");
	pkv("msr", b);
	ps(" wrtee -1");
	pkv("msr", c);
	ps(" wrtee ~EE");
	pkv("msr", d);
	pnl();
}

static uint32_t user_sc(uint32_t arg)
{
	uint32_t r;
	__asm__ volatile("mr 3,%1\n\tli 0,0x77\n\tsc\n\tmr %0,3" : "=r"(r) : "r"(arg) : "r0", "r3", "memory");
	return r;
}

static int sc_hook(struct tframe *f)
{
	if (f->gpr[0] == 0x77)
		f->gpr[3] = f->gpr[3] * 3 + 1;	/* a "system call" result */
	return 1;
}

static void syscall_tests(void)
{
	uint32_t mk, r;
	section("sc");
	trap_hooks[V_SYSCALL] = sc_hook;
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "mr 3,%2\n\tli 0,0x77\n\tsc\n\tmr %1,3"
			 : "=&r"(mk), "=r"(r) : "r"(5) : "r0", "r3", "lr", "memory");
	ps("supervisor r3=");
	ph(r);
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_MSR, mk + 8);
	pnl();
	tlog_clear();
	r = run_user(user_sc, 7, 0);
	ps("user r3=");
	ph(r);
	tlog_print_all(TP_SRR1 | TP_MSR, 0);
	pnl();
	trap_hooks[V_SYSCALL] = 0;
}

/* tw/twi: every TO against operand pairs; one bit per pair (1 = trapped) */
#define TWPAIRS 8
static const uint32_t twa[TWPAIRS] = { 0, 1, 2, 0xFFFFFFFF, 1, 0x80000000, 5, 0x7FFFFFFF };
static const uint32_t twb[TWPAIRS] = { 0, 2, 1, 1, 0xFFFFFFFF, 0x7FFFFFFF, 5, 0x80000000 };

static uint32_t tw_run(uint32_t to, uint32_t a, uint32_t b)
{
	/* build "tw TO,r4,r5; blr" in a small code buffer */
	static uint32_t code[2] __attribute__((aligned(8)));
	uint32_t io[5] = { a, b, 0, 0, 0 };
	code[0] = 0x7C000008u | (to << 21) | (4 << 16) | (5 << 11);
	code[1] = 0x4E800020u;
	__asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%0\n\tsync\n\tisync" :: "r"(code) : "memory");
	tlog_clear();
	op_call(code, io);
	return tlog_n;
}

static void trap_tests(void)
{
	section("tw/twi");
	trap_quiet = 1;
	for (uint32_t to = 0; to < 32; to++) {
		ps("tw to=");
		phn(to, 2);
		putch(' ');
		for (int i = 0; i < TWPAIRS; i++)
			putch('0' + tw_run(to, twa[i], twb[i]));
		pnl();
	}
	uint32_t mk;
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "twi 4,%1,-3" : "=&r"(mk) : "r"(-3) : "lr", "memory");
	ps("twi 4,-3,-3");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "twi 8,%1,100" : "=&r"(mk) : "r"(-3) : "lr", "memory");
	ps("twi 8,-3,100");
	tlog_print_all(TP_SRR0, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "twi 1,%1,100" : "=&r"(mk) : "r"(-3) : "lr", "memory");
	ps("twi 1,-3,100");
	tlog_print_all(TP_SRR0, mk);
	pnl();
	tlog_clear();
	__asm__ volatile(MARK_ASM("%0") "trap" : "=&r"(mk) :: "lr", "memory");
	ps("trap");
	tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR, mk);
	pnl();
	trap_quiet = 0;
}

static void run_ctx_table(const struct opent *t, const struct opent *end, uint32_t msr, int show_r3)
{
	for (const struct opent *op = t; op < end; op++) {
		struct ctx in, out;
		rng_seed(str_hash(op->name));
		for (int i = 0; i < 32; i++)
			in.r[i] = rng();
		in.r[4] = 0x00100000;
		in.cr = rng();
		in.xer = rng() & 0xE000007Fu;
		in.lr = rng();
		in.ctr = rng();
		tlog_clear();
		trap_quiet = 1;
		ctx_run(op->code, &in, &out, msr);
		trap_quiet = 0;
		ps(op->name);
		ps(msr & MSR_PR ? " user" : " sup");
		tlog_print_all(TP_SRR0 | TP_SRR1 | TP_ESR, (uint32_t)op->code);
		if (show_r3) {
			pkv("r3", out.r[3]);
		} else {
			int same = out.cr == in.cr && out.xer == in.xer && out.lr == in.lr && out.ctr == in.ctr;
			for (int i = 0; i < 32; i++)
				same &= out.r[i] == in.r[i];
			ps(same ? " state=same" : " state=CHANGED");
		}
		pnl();
	}
}

static void priv_tests(void)
{
	section("privileged instructions in user mode");
	run_ctx_table(priv_tab, priv_tab_end, mfmsr() | MSR_PR, 0);
	section("illegal instructions");
	run_ctx_table(ill_tab, ill_tab_end, mfmsr(), 0);
	run_ctx_table(ill_tab, ill_tab_end, mfmsr() | MSR_PR, 0);
	section("user-mode SPR access");
	SPR_WRITE(275, 0x33333333);
	SPR_WRITE(278, 0x66666666);
	SPR_WRITE(279, 0x77777777);
	SPR_WRITE(256, 0x01000100);
	run_ctx_table(user_tab, user_tab_end, mfmsr() | MSR_PR, 1);
}

static uint8_t cbuf[512] __attribute__((aligned(64)));

static void cache_tests(void)
{
	section("cache instructions");
	static const int offs[] = { 0, 8, 63, 64, 100, 200 };
	for (unsigned k = 0; k < 6; k++) {
		for (int i = 0; i < 512; i++)
			cbuf[i] = 0xA5;
		__asm__ volatile("dcbz %0,%1" :: "b"(cbuf + 128), "r"(offs[k]) : "memory");
		int first = -1, last = -1;
		for (int i = 0; i < 512; i++) {
			if (cbuf[i] != 0xA5) {
				if (first < 0)
					first = i;
				last = i;
			}
		}
		ps("dcbz off=");
		putudec(offs[k]);
		ps(" zeroed=");
		putdec(first - 128);
		ps("..");
		putdec(last - 128);
		pnl();
	}
	for (int i = 0; i < 512; i++)
		cbuf[i] = (uint8_t)i;
	tlog_clear();
	__asm__ volatile("dcbf 0,%0\n\tdcbst 0,%0\n\tdcbt 0,%0\n\tdcbtst 0,%0\n\ticbi 0,%0\n\t"
			 "dcbf %0,%1\n\tdcbst %0,%1\n\tdcbt %0,%1\n\tdcbtst %0,%1\n\ticbi %0,%1\n\t"
			 "sync\n\tisync"
			 :: "b"(cbuf), "r"(65) : "memory");
	uint32_t sum = crc32_update(0, cbuf, 512);
	ps("dcbf/dcbst/dcbt/dcbtst/icbi: traps=");
	putudec(tlog_n);
	pkv("crc", sum);
	pnl();
	/* dcbt/dcbtst are hints and never fault, even on an unmapped EA */
	tlog_clear();
	trap_quiet = 1;
	__asm__ volatile("dcbt 0,%0\n\tdcbtst 0,%0" :: "r"(0x50000000) : "memory");
	trap_quiet = 0;
	ps("dcbt/dcbtst unmapped: traps=");
	putudec(tlog_n);
	pnl();
	/* in user mode too */
	struct ctx in, out;
	static const uint32_t code[] = {
		0x7C0018AC,	/* dcbf 0,r3 */
		0x7C00186C,	/* dcbst 0,r3 */
		0x7C001A2C,	/* dcbt 0,r3 */
		0x7C0019EC,	/* dcbtst 0,r3 */
		0x7C001FAC,	/* icbi 0,r3 */
		0x7C001FEC,	/* dcbz 0,r3 */
		0x44000002,	/* sc */
	};
	__asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%0\n\tsync\n\tisync" :: "r"(code) : "memory");
	for (int i = 0; i < 32; i++)
		in.r[i] = 0;
	in.r[3] = (uint32_t)cbuf + 256;
	in.cr = in.xer = in.lr = in.ctr = 0;
	for (int i = 0; i < 512; i++)
		cbuf[i] = (uint8_t)i;
	tlog_clear();
	ctx_run(code, &in, &out, mfmsr() | MSR_PR);
	ps("user cache ops: traps=");
	putudec(tlog_n);
	pkv("crc", crc32_update(0, cbuf, 512));
	pnl();
}

int main(uint32_t dtb)
{
	trap_init();
	entry_state(dtb);
	spr_rw();
	msr_bits();
	syscall_tests();
	trap_tests();
	priv_tests();
	cache_tests();
	tests_done();
	return 0;
}
