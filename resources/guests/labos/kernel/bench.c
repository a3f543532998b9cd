/*
 * Nanobenchmarks, in time-base ticks per operation as the guest sees them
 * (the lab's time base includes the modelled cost of every hypervisor exit).
 *
 * Kernel-side rows run here with external interrupts off (except dec_irq,
 * which needs them); user-side rows run a hidden helper program from the
 * user image that measures with the user-readable time base and prints its
 * own row through the same formatter (lib.c).  Row formats:
 *
 *   bench <name> <ops> <ticks> <ticks per op, 2 decimals>
 *   bench <name> <ops> <ticks> <ops per second, 2 decimals> ops/s   (macro_*)
 *   bench <name> - - unavailable                                     (no hypervisor)
 *   bench <name> - - failed                                          (helper died)
 */
#include "kernel.h"

#define UART_LSR_ADDR	(CCSR_VA + 0x4505)

struct bench {
	const char *name;
	void (*run)(const struct bench *b);	/* runs the row */
	const char *prog;				/* b_user: the helper program */
	uint32_t ops;
};

static void emit(const char *line)
{
	console_write(line, (uint32_t)strlen(line));
}

static void row(const char *name, uint32_t ops, uint64_t ticks)
{
	char buf[128];
	fmt_bench_row(buf, sizeof(buf), name, ops, ticks);
	emit(buf);
}

/* Eight accesses per loop iteration keep the loop's own cost small. */
#define X8(s) s; s; s; s; s; s; s; s

static void b_sprg_read(const struct bench *b)
{
	uint32_t f = irq_save(), sink = 0;
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops / 8; i++) {
		X8(sink += mfspr(SPRN_SPRG1));
	}
	uint64_t t1 = read_tb();
	irq_restore(f);
	(void)sink;
	row(b->name, b->ops, t1 - t0);
}

static void b_sprg_write(const struct bench *b)
{
	uint32_t f = irq_save();
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops / 8; i++) {
		X8(mtspr(SPRN_SPRG1, i));
	}
	uint64_t t1 = read_tb();
	irq_restore(f);
	row(b->name, b->ops, t1 - t0);
}

/* TCR: a timer control register a hypervisor must emulate (it has no guest
 * copy on e500mc).  Writes put back the value labOS runs with. */
static void b_tcr_read(const struct bench *b)
{
	uint32_t f = irq_save(), sink = 0;
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops / 8; i++) {
		X8(sink += mfspr(SPRN_TCR));
	}
	uint64_t t1 = read_tb();
	irq_restore(f);
	(void)sink;
	row(b->name, b->ops, t1 - t0);
}

static void b_tcr_write(const struct bench *b)
{
	uint32_t f = irq_save(), tcr = mfspr(SPRN_TCR);
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops / 8; i++) {
		X8(mtspr(SPRN_TCR, tcr));
	}
	uint64_t t1 = read_tb();
	irq_restore(f);
	row(b->name, b->ops, t1 - t0);
}

/* UART line status register: an MMIO read that has no side effect worth
 * noting (it would clear error flags, and there are none). */
static void b_mmio_read(const struct bench *b)
{
	uint32_t f = irq_save(), sink = 0;
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops / 8; i++) {
		X8(sink += in8(UART_LSR_ADDR));
	}
	uint64_t t1 = read_tb();
	irq_restore(f);
	(void)sink;
	row(b->name, b->ops, t1 - t0);
}

/* Decrementer round trip: write DEC = 1, take the interrupt (prologue, C
 * handler acknowledging TSR[DIS], epilogue), notice it; repeated.  The tick
 * is suspended meanwhile and re-armed afterwards. */
static void b_dec_irq(const struct bench *b)
{
	uint32_t f = irq_save();
	dec_bench_hits = 0;
	dec_bench_active = 1;
	irq_enable();
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops; i++) {
		uint32_t h = dec_bench_hits;
		mtspr(SPRN_DEC, 1);
		while (dec_bench_hits == h)
			;
	}
	uint64_t t1 = read_tb();
	irq_disable();
	dec_bench_active = 0;
	program_next_tick();
	irq_restore(f);
	row(b->name, b->ops, t1 - t0);
}

/* Byte-channel hypercall round trip: BYTE_CHANNEL_POLL on the first
 * channel, which reads state and changes nothing. */
static void b_hcall(const struct bench *b)
{
	char buf[96];
	if (!boot.has_hv || boot.nchan == 0) {
		fmt_bench_unavailable(buf, sizeof(buf), b->name);
		emit(buf);
		return;
	}
	uint32_t f = irq_save();
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops; i++)
		hv_poll_once(0);
	uint64_t t1 = read_tb();
	irq_restore(f);
	row(b->name, b->ops, t1 - t0);
}

/* Start helper programs, wait for them, report a helper that died. */
static int run_helpers(const struct bench *b, const char *const *names, int n, int arg)
{
	struct task *kids[2] = { 0, 0 };
	int ok = 1;
	for (int i = 0; i < n; i++) {
		const struct uprog *p = uprog_find(names[i]);
		if (!p || !(kids[i] = spawn_user(p, arg, n > 1)))
			ok = 0;
	}
	wait_for_children(kids, n);
	for (int i = 0; i < n; i++) {
		if (!kids[i])
			continue;
		if (kids[i]->capture)
			console_write(kids[i]->cap_buf, kids[i]->cap_len);
		if (kids[i]->killed)
			ok = 0;
		task_reap(kids[i]);
	}
	if (!ok) {
		char buf[96];
		sfmt(buf, sizeof(buf), "bench %s - - failed\n", b->name);
		emit(buf);
	}
	return ok;
}

static void b_user(const struct bench *b)
{
	const char *names[1] = { b->prog };
	run_helpers(b, names, 1, (int)b->ops);
}

/* Two tasks yield to each other; the first measures and reports. */
static void b_ctx_switch(const struct bench *b)
{
	static const char *const names[2] = { "b_yield", "b_yield2" };
	run_helpers(b, names, 2, (int)b->ops);
}

/* Syscall/fault-heavy macro workload: create a task, let it touch 16 fresh
 * pages and make 32 system calls, tear it down; tasks per second. */
static void b_macro_sysfault(const struct bench *b)
{
	const struct uprog *p = uprog_find("b_touch");
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < b->ops; i++) {
		struct task *t = p ? spawn_user(p, 16, 0) : 0;
		if (!t) {
			char buf[96];
			sfmt(buf, sizeof(buf), "bench %s - - failed\n", b->name);
			emit(buf);
			return;
		}
		wait_for_children(&t, 1);
		task_reap(t);
	}
	uint64_t t1 = read_tb();
	char buf[128];
	fmt_bench_rate(buf, sizeof(buf), b->name, b->ops, t1 - t0, boot.tb_freq);
	emit(buf);
}

static const struct bench benches[] = {
	{ "null_syscall", b_user, "b_null", 2000 },
	{ "sprg_read", b_sprg_read, 0, 8000 },
	{ "sprg_write", b_sprg_write, 0, 8000 },
	{ "tcr_read", b_tcr_read, 0, 8000 },
	{ "tcr_write", b_tcr_write, 0, 8000 },
	{ "mmio_read", b_mmio_read, 0, 2000 },
	{ "page_fault", b_user, "b_fault", 256 },
	{ "tlb_miss", b_user, "b_tlb", 4096 },
	{ "dec_irq", b_dec_irq, 0, 500 },
	{ "align_fixup", b_user, "b_align", 1000 },
	{ "ctx_switch", b_ctx_switch, 0, 1000 },
	{ "hcall_bytechan", b_hcall, 0, 500 },
	{ "macro_cpu", b_user, "b_cpu", 256 },
	{ "macro_sysfault", b_macro_sysfault, 0, 40 },
};

/* Output still queued for the UART would mean transmit interrupts inside
 * the measurement: flush it first. */
static void run_bench(const struct bench *b)
{
	console_drain();
	b->run(b);
}

void bench_command(int argc, char **argv)
{
	if (argc < 2) {
		for (unsigned i = 0; i < ARRAY_SIZE(benches); i++)
			run_bench(&benches[i]);
		return;
	}
	if (!strcmp(argv[1], "list")) {
		char buf[256];
		uint32_t n = (uint32_t)sfmt(buf, sizeof(buf), "benchmarks:");
		for (unsigned i = 0; i < ARRAY_SIZE(benches); i++)
			n += (uint32_t)sfmt(buf + n, sizeof(buf) - n, " %s", benches[i].name);
		printk("%s\n", buf);
		return;
	}
	for (int a = 1; a < argc; a++) {
		unsigned i;
		for (i = 0; i < ARRAY_SIZE(benches); i++)
			if (!strcmp(argv[a], benches[i].name))
				break;
		if (i == ARRAY_SIZE(benches)) {
			printk("bench: unknown benchmark '%s' (try 'bench list')\n", argv[a]);
			return;
		}
		run_bench(&benches[i]);
	}
}
