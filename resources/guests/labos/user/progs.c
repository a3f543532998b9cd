/*
 * The built-in user programs.  Each runs in its own task and address space
 * (MSR[PR] = 1, its own PID), starts at main(arg) and exits with main's
 * return value.  Output is deterministic except in benchmark rows.
 */
#include "ulib.h"

#define HEAP ((volatile uint32_t *)USER_HEAP)
#define PAGE_WORDS 1024

/* ---- programs for "run" ---- */

static int hello(int arg)
{
	int pid = getpid();
	for (int i = 1; i <= 5; i++) {
		printf("hello %d/5 from task %d\n", i, pid);
		sleep_ms(20);
	}
	return 0;
}

/* CPU-bound: xorshift32, registers only. */
static int cpu(int arg)
{
	uint32_t x = 2463534242u, sum = 0;
	for (int i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sum += x;
	}
	printf("cpu: 1000000 xorshift rounds, checksum %08x\n", sum);
	return 0;
}

/* Memory walk over 512 fresh pages: each must read as zero when first
 * touched (demand-zero paging, and no stale TLB entries from an earlier task
 * with the same PID), then a pattern is written and checked. */
static int mem(int arg)
{
	const uint32_t pages = 512;
	uint32_t stale = 0, bad = 0, sum = 0;

	for (uint32_t p = 0; p < pages; p++) {
		volatile uint32_t *pg = HEAP + p * PAGE_WORDS;
		if (pg[0] || pg[PAGE_WORDS - 1])
			stale++;
		for (uint32_t i = 0; i < PAGE_WORDS; i++)
			pg[i] = (p * PAGE_WORDS + i) ^ 0x5a5a5a5a;
	}
	for (uint32_t p = 0; p < pages; p++) {
		volatile uint32_t *pg = HEAP + p * PAGE_WORDS;
		for (uint32_t i = 0; i < PAGE_WORDS; i++) {
			uint32_t v = pg[i];
			if (v != ((p * PAGE_WORDS + i) ^ 0x5a5a5a5a))
				bad++;
			sum += v;
		}
	}
	printf("mem: %u pages (%u KB) written and read back: %u bad words, %u non-zero new pages, sum %08x\n",
	       pages, pages * 4, bad, stale, sum);
	return bad || stale;
}

/* System-call heavy. */
static int sys(int arg)
{
	int pid = 0;
	uint64_t last = 0, backwards = 0;
	for (int i = 0; i < 2000; i++) {
		pid = getpid();
		uint64_t t = sys_time(0);
		if (t < last)
			backwards++;
		last = t;
		yield();
	}
	printf("sys: 6000 system calls (getpid, time, sched_yield) as task %d, time went back %u times\n",
	       pid, (uint32_t)backwards);
	return 0;
}

/* Reads one line from the console (end of file in a scripted run). */
static int rev(int arg)
{
	char buf[128];
	printf("rev: type a line\n");
	int n = read(0, buf, sizeof(buf) - 1);
	if (n <= 0) {
		printf("rev: no input\n");
		return 1;
	}
	if (buf[n - 1] == '\n')
		n--;
	for (int i = 0, j = n - 1; i < j; i++, j--) {
		char c = buf[i];
		buf[i] = buf[j];
		buf[j] = c;
	}
	buf[n] = 0;
	printf("rev: %s\n", buf);
	return 0;
}

static inline uint32_t lwarx(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("lwarx %0, 0, %1" : "=r"(v) : "r"(p) : "memory");
	return v;
}

/* Unaligned lwarx: an alignment interrupt the kernel fixes up. */
static int align(int arg)
{
	volatile uint8_t *b = (volatile uint8_t *)USER_HEAP;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(0x11 * (i + 1));
	uint32_t v1 = lwarx(b + 1), v2 = lwarx(b + 2), v3 = lwarx(b + 3);
	int ok = v1 == 0x22334455 && v2 == 0x33445566 && v3 == 0x44556677;
	printf("align: lwarx at offsets 1, 2, 3 read %08x %08x %08x (%s)\n", v1, v2, v3,
	       ok ? "fixed up by the kernel" : "WRONG");
	return !ok;
}

/* These three are killed by the kernel; the shell must survive them. */
static int segv(int arg)
{
	printf("segv: storing to address 0\n");
	*(volatile uint32_t *)0 = 1;
	printf("segv: still alive?\n");
	return 0;
}

static int wild(int arg)
{
	printf("wild: jumping to 0x30000000\n");
	((void (*)(void))0x30000000)();
	return 0;
}

static int priv(int arg)
{
	uint32_t msr;
	printf("priv: reading the MSR in user mode\n");
	__asm__ volatile("mfmsr %0" : "=r"(msr));
	printf("priv: MSR %08x?\n", msr);
	return 0;
}

/* ---- benchmark helpers (hidden from "run"; arg = operations) ---- */

static int b_null(int n)
{
	uint64_t t0 = tb();
	for (int i = 0; i < n; i++)
		getpid();
	bench_row("null_syscall", (uint32_t)n, tb() - t0);
	return 0;
}

/* First touch of n pages: DTLB miss, no PTE, page fault, zeroed page. */
static int b_fault(int n)
{
	uint64_t t0 = tb();
	for (int i = 0; i < n; i++)
		HEAP[i * PAGE_WORDS] = (uint32_t)i;
	bench_row("page_fault", (uint32_t)n, tb() - t0);
	return 0;
}

/* 1024 present pages (4 MB) read round-robin: 8 pages per TLB0 set against
 * 4 ways, so every access misses and is refilled from the page table. */
static int b_tlb(int n)
{
	const int pages = 1024, rounds = n / pages;
	uint32_t sum = 0;
	for (int p = 0; p < pages; p++)
		HEAP[p * PAGE_WORDS] = (uint32_t)p;
	uint64_t t0 = tb();
	for (int r = 0; r < rounds; r++)
		for (int p = 0; p < pages; p++)
			sum += HEAP[p * PAGE_WORDS];
	uint64_t t1 = tb();
	bench_row("tlb_miss", (uint32_t)(rounds * pages), t1 - t0);
	return sum == (uint32_t)rounds * (uint32_t)(pages * (pages - 1) / 2) ? 0 : 1;
}

static int b_align(int n)
{
	volatile uint8_t *b = (volatile uint8_t *)USER_HEAP;
	uint32_t sum = 0;
	b[0] = 1;
	uint64_t t0 = tb();
	for (int i = 0; i < n; i++)
		sum += lwarx(b + 1);
	bench_row("align_fixup", (uint32_t)n, tb() - t0);
	HEAP[1024] = sum;
	return 0;
}

/* Context switch: with b_yield2 as the only other runnable task, each yield
 * here switches there and back: two switches (and two system calls). */
static int b_yield(int n)
{
	yield();	/* let the partner start */
	uint64_t t0 = tb();
	for (int i = 0; i < n; i++)
		yield();
	bench_row("ctx_switch", 2 * (uint32_t)n, tb() - t0);
	return 0;
}

static int b_yield2(int n)
{
	for (int i = 0; i <= n; i++)
		yield();
	return 0;
}

/* CPU-bound macro workload: table-driven CRC-32 of n 4 KB blocks. */
static int b_cpu(int n)
{
	uint32_t table[256];
	volatile uint8_t *buf = (volatile uint8_t *)USER_HEAP;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	for (int i = 0; i < 4096; i++)
		buf[i] = (uint8_t)(i * 7);
	uint32_t crc = 0xffffffffu;
	uint64_t t0 = tb();
	for (int b = 0; b < n; b++)
		for (int i = 0; i < 4096; i++)
			crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
	bench_rate("macro_cpu", (uint32_t)n, tb() - t0);
	/* Keep the result live (the compiler would drop the loop otherwise);
	 * it is stored where nothing reads it. */
	HEAP[4096] = crc;
	return 0;
}

/* One unit of the syscall/fault macro workload: k fresh pages, 2k calls. */
static int b_touch(int k)
{
	for (int i = 0; i < k; i++) {
		HEAP[i * PAGE_WORDS] = (uint32_t)i;
		getpid();
		sys_time(0);
	}
	return 0;
}

extern void ustart(int arg, int (*main)(int));

static const struct uprog progs[] = {
	{ "hello", hello, "print five lines, sleeping 20 ms between them", 0 },
	{ "cpu", cpu, "CPU-bound loop (xorshift)", 0 },
	{ "mem", mem, "touch and check 2 MB of demand-zero memory", 0 },
	{ "sys", sys, "6000 system calls", 0 },
	{ "rev", rev, "read a line from the console and print it reversed", 0 },
	{ "align", align, "unaligned lwarx, fixed up by the kernel", 0 },
	{ "segv", segv, "store to address 0 (killed)", 0 },
	{ "wild", wild, "jump to an unmapped address (killed)", 0 },
	{ "priv", priv, "privileged instruction in user mode (killed)", 0 },
	{ "b_null", b_null, "benchmark helper", UPROG_HIDDEN },
	{ "b_fault", b_fault, "benchmark helper", UPROG_HIDDEN },
	{ "b_tlb", b_tlb, "benchmark helper", UPROG_HIDDEN },
	{ "b_align", b_align, "benchmark helper", UPROG_HIDDEN },
	{ "b_yield", b_yield, "benchmark helper", UPROG_HIDDEN },
	{ "b_yield2", b_yield2, "benchmark helper", UPROG_HIDDEN },
	{ "b_cpu", b_cpu, "benchmark helper", UPROG_HIDDEN },
	{ "b_touch", b_touch, "benchmark helper", UPROG_HIDDEN },
};

__attribute__((section(".uimage.header"), used))
const struct uimage_header uimage_header = {
	UIMAGE_MAGIC, sizeof(progs) / sizeof(progs[0]), progs, ustart,
};
