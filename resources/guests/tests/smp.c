/* Multiprocessor behaviour (run with 2 and 4 cores: QEMU -smp N, lab --smp N).
 *
 * The boot core finds the number of cores in the MPIC's feature register,
 * reads the spin table, and releases each secondary in turn through its
 * entry (ePAPR). A released core reports the registers and the mapping it
 * started with, then serves numbered steps the boot core hands it (cmd/ack
 * words in shared memory): processor doorbells (directed, broadcast, msgclr),
 * MPIC inter-processor interrupts at each core's own MPIC block, a reservation
 * lost to another core's store, and a tlbivax on one core invalidating the
 * others' TLBs. Only one core prints at a time and only what the architecture
 * determines, so QEMU's interleaving and the lab's print the same. */
#include "tlib.h"

#define MAXCPU 8
#define SPIN_VA 0xE1000000u		/* the spin table (PA 0xF_EF00_0000), mapped here */
#define MPIC (CCSR_VA + 0x40000u)
#define MPIC_FRR (MPIC + 0x1000u)
#define MPIC_WHOAMI (MPIC + 0x90u)
#define MPIC_IPI_VPR(n) (MPIC + 0x10A0u + 0x10u * (n))
#define MPIC_CPU(k) (MPIC + 0x20000u + 0x1000u * (k))
#define R3_MAGIC 0x5A00u
#define DBELL_TYPE_NORMAL 0u
#define DBELL_BROADCAST 0x04000000u
#define TLBSX_EA 0x30000000u

volatile uint32_t cmd[MAXCPU], ack[MAXCPU];
volatile uint32_t dbell_count[MAXCPU], ext_count[MAXCPU], ext_vec[MAXCPU];
uint32_t entry_regs[MAXCPU][8];
uint8_t smp_stacks[MAXCPU * 4096] __attribute__((aligned(16)));
/* The reservation test's word, and another in a different cache line. */
volatile uint32_t shared_word __attribute__((aligned(64)));
volatile uint32_t other_word __attribute__((aligned(64)));

extern char smp_secondary_start[], smp_vec_doorbell[], smp_vec_external[];
uint32_t smp_lwarx(volatile uint32_t *p);
int smp_stwcx(volatile uint32_t *p, uint32_t v);

static uint32_t ncpu;

static void msgsnd(uint32_t rb) { __asm__ volatile("msgsnd %0; msync" :: "r"(rb) : "memory"); }
static void msgclr(uint32_t rb) { __asm__ volatile("msgclr %0; isync" :: "r"(rb) : "memory"); }
static void wrteei(int on) { if (on) __asm__ volatile("wrteei 1" ::: "memory"); else __asm__ volatile("wrteei 0" ::: "memory"); }

/* Hands step n to core k and waits until it is done. */
static void step(uint32_t k, uint32_t n)
{
	cmd[k] = n;
	msync();
	while (ack[k] != n)
		;
}

static void print_tlb1(uint32_t esel)
{
	uint32_t m[5];
	tlb_read(0x10000000u | (esel << 16), m);
	pkv("mas1", m[1]);
	pkv("mas2", m[2]);
	pkv("mas3", m[3]);
	pkv("mas7", m[4]);
}

static void print_spin_entry(uint32_t k)
{
	uint32_t e = SPIN_VA + 32u * k;
	ps("spin ");
	phn(k, 1);
	pkv("addr", peek32(e));
	pkv("addr_lo", peek32(e + 4));
	pkv("r3", peek32(e + 12));
	pkv("pir", peek32(e + 20));
	pnl();
}

/* ---- the secondaries ---- */

static void report_start(uint32_t me)
{
	uint32_t *r = entry_regs[me];
	ps("cpu ");
	phn(me, 1);
	ps(" up:");
	pkv("r3", r[0]);
	pkv("r4", r[1]);
	pkv("r5", r[2]);
	pkv("r6", r[3]);
	pkv("r7", r[4]);
	pkv("r8", r[5]);
	pkv("r9", r[6]);
	/* Under a hypervisor a guest reads MSR[GS] = 1 (e500mc shows it); the rest is what a core starts with. */
	pkv("msr", r[7] & ~0x10000000u);
	pkv("pir", SPR_READ(SPR_PIR));
	pnl();
	ps("cpu ");
	phn(me, 1);
	ps(" tlb1[0]:");
	print_tlb1(0);
	pnl();
	ps("cpu ");
	phn(me, 1);
	ps(" tlb1[1]:");
	print_tlb1(1);
	pkv("whoami", mmio_r32(MPIC_WHOAMI));
	pkv("own-whoami", mmio_r32(MPIC_CPU(me) + 0x90u));
	pnl();
}

/* Reserves shared_word, acknowledges step n, waits until core 0 has done its
 * part (and handed out step n + 1), then tries the conditional store. */
static void reserve_and_store(uint32_t me, uint32_t n, uint32_t value, const char *after)
{
	(void)smp_lwarx(&shared_word);
	ack[me] = n;
	while (cmd[me] != n + 1)
		;
	int ok = smp_stwcx(&shared_word, value);
	ps("cpu ");
	phn(me, 1);
	ps(" stwcx. after ");
	ps(after);
	ps(ok ? ": stored" : ": failed");
	pkv("word", shared_word);
	pnl();
}

/* Waits until this CPU has taken `count` doorbells, then says how many it took. */
static void await_doorbells(uint32_t me, uint32_t count)
{
	while (dbell_count[me] < count)
		;
	ps("cpu ");
	phn(me, 1);
	pkv("doorbells", dbell_count[me]);
	pnl();
}

/* Performs step n; returns the last step it completed (a step that waits for
 * core 0 in its middle acknowledges n there and completes n + 1). */
static uint32_t secondary_step(uint32_t me, uint32_t n)
{
	uint32_t m[5];
	switch (n) {
	case 2:		/* take doorbells */
		wrteei(1);
		break;
	case 3:		/* a directed doorbell arrived (exactly one) */
		await_doorbells(me, 1);
		break;
	case 4:		/* the broadcast one too */
		await_doorbells(me, 2);
		break;
	case 5:		/* accept MPIC interrupts: task priority 0 */
		mmio_w32(MPIC_CPU(me) + 0x80u, 0);
		break;
	case 6:		/* the IPI arrived */
		while (ext_count[me] < 1)
			;
		ps("cpu ");
		phn(me, 1);
		pkv("ipis", ext_count[me]);
		pkv("vector", ext_vec[me]);
		pkv("ctpr", mmio_r32(MPIC_CPU(me) + 0x80u));
		pnl();
		break;
	case 7:		/* reserve, let core 0 store to the word, then try to store */
		wrteei(0);
		reserve_and_store(me, 7, 0x1111u, "another core's store");
		return 8;
	case 9:		/* reserve, let core 0 store to another line, then store */
		reserve_and_store(me, 9, 0x2222u, "a store elsewhere");
		return 10;
	case 11:	/* a TLB0 entry of our own for TLBSX_EA */
		tlb_write(0u, 0x80000100u, TLBSX_EA, 0x00800000u | 0x3Fu, 0);
		tlb_search(TLBSX_EA, 0, m);
		ps("cpu ");
		phn(me, 1);
		pkv("before-tlbivax-mas1", m[1]);
		pnl();
		break;
	case 12:	/* after core 0's tlbivax */
		tlb_search(TLBSX_EA, 0, m);
		ps("cpu ");
		phn(me, 1);
		pkv("after-tlbivax-mas1", m[1]);
		pnl();
		break;
	case 13:
		ps("cpu ");
		phn(me, 1);
		pl(" done");
		break;
	}
	return n;
}

void secondary_main(uint32_t r3)
{
	uint32_t me = r3 & 0xFFu;
	uint32_t ivpr = (uint32_t)smp_vec_doorbell & 0xFFFF0000u;
	SPR_WRITE(SPR_IVPR, ivpr);
	SPR_WRITE(SPR_IVOR(36), (uint32_t)smp_vec_doorbell - ivpr);
	SPR_WRITE(SPR_IVOR(4), (uint32_t)smp_vec_external - ivpr);
	isync();
	report_start(me);
	ack[me] = 1;
	uint32_t done = 0;	/* the last command seen (cmd[] starts at 0) */
	for (;;) {
		uint32_t c;
		while ((c = cmd[me]) == done)
			;
		done = secondary_step(me, c);
		ack[me] = done;
		if (done == 13)
			break;
	}
	wrteei(0);
	for (;;)
		__asm__ volatile("wait" ::: "memory");
}

/* ---- the boot core ---- */

static int boot_doorbell(struct tframe *f)
{
	(void)f;
	return 1;
}

static void each(uint32_t n)
{
	for (uint32_t k = 1; k < ncpu; k++)
		step(k, n);
}

int main(void)
{
	trap_init();
	/* TLB1[3]: the spin table, 4 KB, cache-inhibited and guarded. */
	tlb_write(0x10030000u, 0xC0000100u, SPIN_VA | 0xAu, 0xEF000000u | 0x5u, 0xFu);

	uint32_t frr = mmio_r32(MPIC_FRR);
	ncpu = ((frr >> 8) & 0x1Fu) + 1;
	section("cores");
	pkv("frr", frr);
	pkv("cores", ncpu);
	pkv("pir", SPR_READ(SPR_PIR));
	pkv("whoami", mmio_r32(MPIC_WHOAMI));
	pnl();
	if (ncpu < 2 || ncpu > MAXCPU) {
		pl("needs 2 to 8 cores");
		tests_done();
	}
	for (uint32_t k = 0; k < ncpu; k++)
		print_spin_entry(k);

	section("release");
	for (uint32_t k = 1; k < ncpu; k++) {
		uint32_t e = SPIN_VA + 32u * k;
		poke32(e + 8, 0);
		poke32(e + 12, R3_MAGIC | k);
		poke32(e + 0, 0);
		msync();
		poke32(e + 4, (uint32_t)smp_secondary_start);
		msync();
		while (ack[k] != 1)
			;
	}
	for (uint32_t k = 0; k < ncpu; k++)
		print_spin_entry(k);

	section("doorbells");
	each(2);
	for (uint32_t k = 1; k < ncpu; k++) {
		msgsnd((DBELL_TYPE_NORMAL << 27) | k);
		step(k, 3);
	}
	trap_hooks[V_DOORBELL] = boot_doorbell;
	tlog_clear();
	msgsnd((DBELL_TYPE_NORMAL << 27) | DBELL_BROADCAST);
	each(4);
	wrteei(1);
	wrteei(0);
	ps("cpu 0 broadcast doorbell taken:");
	pkv("traps", tlog_n);
	pnl();
	tlog_clear();
	msgsnd((DBELL_TYPE_NORMAL << 27) | 0u);
	msgclr(DBELL_TYPE_NORMAL << 27);
	wrteei(1);
	wrteei(0);
	ps("cpu 0 doorbell after msgclr:");
	pkv("traps", tlog_n);
	pnl();

	section("mpic ipi");
	mmio_w32(MPIC_IPI_VPR(0), (9u << 16) | 0x77u);	/* unmasked, priority 9, vector 0x77 */
	each(5);
	/* One dispatch from core 0's own block to every secondary. */
	mmio_w32(MPIC_CPU(0) + 0x40u, ((1u << ncpu) - 1u) & ~1u);
	each(6);

	section("reservations");
	shared_word = 0xAAAAu;
	msync();
	step(1, 7);
	shared_word = 0xBBBBu;
	msync();
	step(1, 8);
	step(1, 9);
	other_word = 0xCCCCu;
	msync();
	step(1, 10);

	section("tlbivax");
	each(11);
	tlb_ivax(TLBSX_EA);
	__asm__ volatile("tlbsync; msync" ::: "memory");
	each(12);

	section("end");
	each(13);
	tests_done();
	return 0;
}
