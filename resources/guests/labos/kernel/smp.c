/*
 * Secondary CPUs.  labOS runs its tasks on the boot CPU alone; the `smp`
 * command brings the others up from the ePAPR spin table (each CPU node's
 * cpu-release-addr) into a small loop of their own, and `smp bench` measures
 * what having several CPUs costs, in time-base ticks as the guest sees them
 * (under a hypervisor they include the modelled cost of every exit):
 *
 *   ipi_roundtrip    a processor doorbell (msgsnd) to CPU 1, whose handler
 *                    answers with a doorbell back; the boot CPU sleeps in
 *                    `wait` until it comes (an inter-processor interrupt and
 *                    its reply, both CPUs idle in between)
 *   tlb_shootdown    tlbivax of a user page on every CPU, then tlbsync (the
 *                    broadcast invalidation a kernel does when it unmaps)
 *   lwarx_contended  CPU 0 and CPU 1 increment one counter at once with
 *                    lwarx/stwcx. (a contended lock word)
 *
 * A secondary idles in `wait` with only its doorbell enabled; the boot CPU
 * hands it work through smp_cmd and a doorbell, repeated until the CPU
 * answers (a doorbell that lands between its check of smp_cmd and its wait
 * only wakes it early).
 */
#include "kernel.h"

#define SMP_STACK_SIZE	4096
#define SPIN_VA		0xE1000000u	/* the spin table's page, mapped by smp_start */
#define SPIN_ESEL	13
#define SPIN_R3		8		/* byte offsets in a 32-byte spin-table entry */
#define SPIN_ADDR	0
#define DBELL_TAG(cpu)	((uint32_t)(cpu) & 0x3FFF)	/* msgsnd type 0: a processor doorbell */
#define CMD_COUNT	1
#define UP_TIMEOUT	100000000u	/* time-base ticks to wait for a CPU (0.25 s at 400 MHz) */

extern char smp_secondary_start[], smp_doorbell_vector[];

uint8_t smp_stacks[MAX_CPUS * SMP_STACK_SIZE] __attribute__((aligned(16)));
volatile uint32_t smp_ping;
volatile uint32_t smp_doorbells;
volatile uint32_t smp_pong[MAX_CPUS];
static volatile uint32_t smp_cmd[MAX_CPUS], smp_ack[MAX_CPUS], smp_arg[MAX_CPUS];
static volatile uint32_t smp_up[MAX_CPUS];
static volatile uint32_t smp_counter __attribute__((aligned(64)));
static uint32_t cpus_up = 1;

static void msgsnd(uint32_t rb) { __asm__ volatile("msync; msgsnd %0" :: "r"(rb) : "memory"); }

/* n lwarx/stwcx. increments of smp_counter; returns how many stwcx. failed. */
static uint32_t count_up(uint32_t n)
{
	uint32_t failed = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v, ok;
		do {
			__asm__ volatile("lwarx %0, 0, %2\n\t"
					 "addi %0, %0, 1\n\t"
					 "stwcx. %0, 0, %2\n\t"
					 "mfcr %1"
					 : "=&r"(v), "=r"(ok) : "r"(&smp_counter) : "cr0", "memory");
			ok = (ok >> 29) & 1;	/* CR0[EQ]: the store was performed */
			failed += !ok;
		} while (!ok);
	}
	return failed;
}

void smp_secondary_main(uint32_t me)
{
	uint32_t ivpr = (uint32_t)smp_doorbell_vector & 0xFFFF0000u;
	mtspr(SPRN_IVPR, ivpr);
	mtspr(SPRN_IVOR36, (uint32_t)smp_doorbell_vector - ivpr);
	__asm__ volatile("mtmsr %0; isync" :: "r"(MSR_KERNEL | MSR_EE) : "memory");
	smp_up[me] = 1;
	uint32_t done = 0;
	for (;;) {
		uint32_t c = smp_cmd[me];
		if (c == done) {
			__asm__ volatile("wait" ::: "memory");
			continue;
		}
		if ((c & 0xFF) == CMD_COUNT)
			smp_arg[me] = count_up(smp_arg[me]);
		done = c;
		smp_ack[me] = c;
		msync();
	}
}

/* Hands command `cmd` (the low byte; a fresh sequence number above it) to CPU k; returns the word to wait for. */
static uint32_t post(uint32_t k, uint32_t cmd)
{
	static uint32_t seq;
	uint32_t c = (++seq << 8) | cmd;
	smp_cmd[k] = c;
	msgsnd(DBELL_TAG(k));
	return c;
}

/* Waits for CPU k to finish command word c, ringing its doorbell again now and then. */
static void wait_for(uint32_t k, uint32_t c)
{
	while (smp_ack[k] != c) {
		for (int i = 0; i < 64 && smp_ack[k] != c; i++)
			;
		if (smp_ack[k] != c)
			msgsnd(DBELL_TAG(k));
	}
}

/* Releases every secondary CPU the device tree offers; returns how many CPUs run. */
static uint32_t smp_start(void)
{
	if (cpus_up > 1 || boot.ncpus < 2)
		return cpus_up;
	for (uint32_t k = 1; k < boot.ncpus && k < MAX_CPUS; k++) {
		uint64_t pa = boot.cpu_release[k];
		if (!pa) {
			printk("smp: cpu %u has no spin-table entry\n", boot.cpu_reg[k]);
			continue;
		}
		tlb1_write(SPIN_ESEL, MAS1_V | MAS1_IPROT | MAS1_TSIZE(TSIZE_4K), SPIN_VA | MAS2_I | MAS2_G,
			   ((uint32_t)pa & ~0xFFFu) | MAS3_SW | MAS3_SR, (uint32_t)(pa >> 32));
		uint32_t entry = SPIN_VA + ((uint32_t)pa & 0xFFFu);
		out32(entry + SPIN_R3, 0);
		out32(entry + SPIN_R3 + 4, k);
		out32(entry + SPIN_ADDR, 0);
		out32(entry + SPIN_ADDR + 4, (uint32_t)smp_secondary_start);	/* even: the CPU starts */
		uint64_t t0 = read_tb();
		while (!smp_up[k] && read_tb() - t0 < UP_TIMEOUT)
			;
		if (!smp_up[k]) {
			printk("smp: cpu %u did not start\n", boot.cpu_reg[k]);
			continue;
		}
		cpus_up++;
		printk("smp: cpu %u up\n", boot.cpu_reg[k]);
	}
	tlb1_write(SPIN_ESEL, 0, 0, 0, 0);
	return cpus_up;
}

static void row(const char *name, uint32_t ops, uint64_t ticks)
{
	char buf[128];
	fmt_bench_row(buf, sizeof(buf), name, ops, ticks);
	console_write(buf, (uint32_t)strlen(buf));
}

/* With interrupts on: the answer is a doorbell that wakes us from `wait` (a tick may too; then we wait again). */
static void b_ipi_roundtrip(uint32_t ops)
{
	uint32_t f = irq_save();
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < ops; i++) {
		uint32_t seq = smp_ping + 1;
		smp_ping = seq;
		msgsnd(DBELL_TAG(1));
		for (;;) {
			irq_disable();
			if (smp_pong[1] == seq)
				break;
			__asm__ volatile("wrteei 1; wait" ::: "memory");
		}
		irq_enable();
	}
	uint64_t t1 = read_tb();
	irq_restore(f);
	row("ipi_roundtrip", ops, t1 - t0);
}

static void b_tlb_shootdown(uint32_t ops)
{
	uint32_t f = irq_save();
	uint64_t t0 = read_tb();
	for (uint32_t i = 0; i < ops; i++)
		__asm__ volatile("tlbivax 0, %0; tlbsync; msync" :: "r"(USER_TEXT) : "memory");
	uint64_t t1 = read_tb();
	irq_restore(f);
	row("tlb_shootdown", ops, t1 - t0);
}

static void b_lwarx_contended(uint32_t ops)
{
	smp_counter = 0;
	smp_arg[1] = ops;
	uint32_t f = irq_save();
	uint64_t t0 = read_tb();
	uint32_t c = post(1, CMD_COUNT);
	count_up(ops);
	wait_for(1, c);
	uint64_t t1 = read_tb();
	irq_restore(f);
	if (smp_counter != 2 * ops) {
		char buf[96];
		sfmt(buf, sizeof(buf), "bench lwarx_contended - - failed\n");
		console_write(buf, (uint32_t)strlen(buf));
		return;
	}
	row("lwarx_contended", 2 * ops, t1 - t0);
}

void smp_command(int argc, char **argv)
{
	uint32_t n = smp_start();
	if (argc < 2) {
		printk("smp: %u of %u CPUs running\n", n, boot.ncpus ? boot.ncpus : 1);
		return;
	}
	if (strcmp(argv[1], "bench")) {
		printk("smp: unknown subcommand '%s' (smp, smp bench)\n", argv[1]);
		return;
	}
	if (n < 2) {
		printk("bench ipi_roundtrip - - unavailable\n");
		printk("bench tlb_shootdown - - unavailable\n");
		printk("bench lwarx_contended - - unavailable\n");
		return;
	}
	console_drain();
	wait_for(1, post(1, 0));	/* CPU 1 is awake and answering */
	b_ipi_roundtrip(200);
	console_drain();
	b_tlb_shootdown(500);
	console_drain();
	b_lwarx_contended(2000);
}
