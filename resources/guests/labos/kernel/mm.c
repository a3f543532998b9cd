/*
 * Memory management.
 *
 * Kernel: VA == PA through supervisor-only TLB1 entries (IPROT, TID 0):
 *   TLB1[0]   0-64 MB        written by head.S, replacing the boot entry
 *   TLB1[1]   CCSR, 1 MB at EA 0xE0000000 -> PA 0xF_E000_0000, I|G
 *   TLB1[2..] 64 MB more each, up to min(RAM, 256 MB) ("lowmem")
 * Every physical page the kernel hands out is thus reachable at its physical
 * address, which is also what page tables store.
 *
 * User tasks: address space 0 (like Linux), 4 KB pages in TLB0 tagged with
 * the task's PID (its MMU context, 1..15).  The regions are the same for
 * every task:
 *   USER_TEXT   the built-in program image, shared, read+execute
 *   USER_HEAP   64 MB of demand-zero read/write memory
 *   stack       1 MB of demand-zero read/write memory below 0x80000000
 * Pages are filled in on first touch: the TLB-miss fast path (entry.S) finds
 * no PTE and comes here through do_page_fault().  Anything outside those
 * regions, or a write to the image, kills the task.
 */
#include "kernel.h"

extern char _end[], __user_image[], __user_image_end[];

uint32_t lowmem_size;
uint32_t user_image_kva, user_image_size;

static uint32_t free_list;		/* freed frames, linked through word 0 */
static uint32_t nfree_listed;
static uint32_t next_unused, frames_limit;	/* never-used frames */

void tlb1_write(int esel, uint32_t mas1, uint32_t mas2, uint32_t mas3, uint32_t mas7)
{
	mtspr(SPRN_MAS0, MAS0_TLBSEL1 | MAS0_ESEL(esel));
	mtspr(SPRN_MAS1, mas1);
	mtspr(SPRN_MAS2, mas2);
	mtspr(SPRN_MAS3, mas3);
	mtspr(SPRN_MAS7, mas7);
	isync();
	__asm__ volatile("tlbwe" ::: "memory");
	isync();
}

void map_ccsr(void)
{
	tlb1_write(1, MAS1_V | MAS1_IPROT | MAS1_TSIZE(TSIZE_1M), CCSR_VA | MAS2_I | MAS2_G,
		   CCSR_PA_LO | MAS3_SW | MAS3_SR, CCSR_PA_HI);
}

void mm_init(void)
{
	uint64_t ram = boot.ram_size;
	const uint32_t chunk = 64u << 20;

	lowmem_size = ram > LOWMEM_MAX ? LOWMEM_MAX : (uint32_t)ram;
	for (uint32_t i = 1; i * chunk < lowmem_size; i++)
		tlb1_write(1 + (int)i, MAS1_V | MAS1_IPROT | MAS1_TSIZE(TSIZE_64M), i * chunk,
			   i * chunk | MAS3_SX | MAS3_SW | MAS3_SR, 0);

	/* Defaults the hardware loads into MAS1/MAS2 on a TLB miss: TLB0, 4 KB. */
	mtspr(SPRN_MAS4, MAS1_TSIZE(TSIZE_4K));

	next_unused = ((uint32_t)_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	frames_limit = lowmem_size;
	user_image_kva = (uint32_t)__user_image;
	user_image_size = (uint32_t)(__user_image_end - __user_image);
}

uint32_t frame_alloc(void)
{
	uint32_t f = irq_save(), pa = 0;
	if (free_list) {
		pa = free_list;
		free_list = *(uint32_t *)pa;
		nfree_listed--;
	} else if (next_unused < frames_limit) {
		pa = next_unused;
		next_unused += PAGE_SIZE;
	}
	irq_restore(f);
	return pa;
}

/* Zero a page a cache line at a time with dcbz when the device tree gives
 * the line size (as Linux's clear_page does), with stores otherwise. */
static void clear_page(uint32_t pa)
{
	uint32_t line = boot.dcache_line;
	if (line == 32 || line == 64 || line == 128) {
		for (uint32_t a = pa; a < pa + PAGE_SIZE; a += line)
			__asm__ volatile("dcbz 0, %0" :: "r"(a) : "memory");
	} else {
		uint32_t *p = (uint32_t *)pa;
		for (int i = 0; i < PAGE_SIZE / 4; i += 4)
			p[i] = p[i + 1] = p[i + 2] = p[i + 3] = 0;
	}
}

uint32_t frame_alloc_zeroed(void)
{
	uint32_t pa = frame_alloc();
	if (pa)
		clear_page(pa);
	return pa;
}

void frame_free(uint32_t pa)
{
	uint32_t f = irq_save();
	*(uint32_t *)pa = free_list;
	free_list = pa;
	nfree_listed++;
	irq_restore(f);
}

uint32_t frames_free(void)
{
	return nfree_listed + (frames_limit - next_unused) / PAGE_SIZE;
}

/* Drop every TLB entry tagged with this context (tlbilx T=1 takes the PID
 * from MAS6[SPID]).  Done when a context number is given to a new task. */
void tlb_flush_context(uint32_t ctx)
{
	mtspr(SPRN_MAS6, ctx << 16);
	isync();
	__asm__ volatile("tlbilx 1, 0, 0" ::: "memory");
	isync();
}

int mm_create(struct task *t)
{
	uint32_t pgd = frame_alloc_zeroed();
	if (!pgd)
		return -1;
	t->th.pgdir = pgd;
	return 0;
}

void mm_destroy(struct task *t)
{
	uint32_t *pgd = (uint32_t *)t->th.pgdir;
	if (!pgd)
		return;
	t->th.pgdir = 0;	/* the miss handler must not walk it any more */
	for (int i = 0; i < 1024; i++) {
		uint32_t *pt = (uint32_t *)pgd[i];
		if (!pt)
			continue;
		for (int j = 0; j < 1024; j++)
			if (pt[j] & PTE_ANON)
				frame_free(pt[j] & ~(PAGE_SIZE - 1));
		frame_free((uint32_t)pt);
	}
	frame_free((uint32_t)pgd);
}

struct region {
	uint32_t start, end, perms;
	int text;
};

static int find_region(uint32_t ea, struct region *r)
{
	if (ea >= USER_TEXT && ea - USER_TEXT < user_image_size) {
		*r = (struct region){ USER_TEXT, USER_TEXT + user_image_size,
				      MAS3_UR | MAS3_UX | MAS3_SR, 1 };
		return 1;
	}
	if (ea >= USER_HEAP && ea < USER_HEAP_END) {
		*r = (struct region){ USER_HEAP, USER_HEAP_END,
				      MAS3_UR | MAS3_UW | MAS3_SR | MAS3_SW, 0 };
		return 1;
	}
	if (ea >= USER_STACK_LO && ea < USER_TOP) {
		*r = (struct region){ USER_STACK_LO, USER_TOP,
				      MAS3_UR | MAS3_UW | MAS3_SR | MAS3_SW, 0 };
		return 1;
	}
	return 0;
}

/* Is [addr, addr+len) entirely inside one user region, writable if asked?
 * System calls check their buffers with this before touching them. */
int user_range_ok(uint32_t addr, uint32_t len, int write)
{
	struct region r;
	if (len == 0)
		return 1;
	if (addr + len < addr || !find_region(addr, &r) || addr + len > r.end)
		return 0;
	return !write || (r.perms & MAS3_UW);
}

enum { FAULT_OK, FAULT_UNMAPPED, FAULT_PROT, FAULT_OOM };

/* Make the page at ea present for this access, or say why it cannot be. */
static int handle_mm_fault(struct task *t, uint32_t ea, int access)
{
	struct region r;
	if (!find_region(ea, &r))
		return FAULT_UNMAPPED;
	if ((access == ACC_WRITE && !(r.perms & MAS3_UW)) ||
	    (access == ACC_EXEC && !(r.perms & MAS3_UX)))
		return FAULT_PROT;

	uint32_t *pgd = (uint32_t *)t->th.pgdir;
	uint32_t *pde = &pgd[ea >> 22];
	if (!*pde && !(*pde = frame_alloc_zeroed()))
		return FAULT_OOM;
	uint32_t *pte = &((uint32_t *)*pde)[(ea >> PAGE_SHIFT) & 0x3ff];
	if (*pte & PTE_PRESENT)
		return FAULT_OK;	/* already there: the retry will refill the TLB */

	uint32_t page = ea & ~(PAGE_SIZE - 1);
	if (r.text) {
		*pte = (user_image_kva + (page - USER_TEXT)) | PTE_PRESENT | r.perms;
	} else {
		uint32_t frame = frame_alloc_zeroed();
		if (!frame)
			return FAULT_OOM;
		*pte = frame | PTE_PRESENT | PTE_ANON | r.perms;
	}
	return FAULT_OK;
}

static const char *access_name(int access)
{
	return access == ACC_WRITE ? "store to" : access == ACC_EXEC ? "instruction fetch at"
								   : "load from";
}

/* DTLB/ITLB miss that the fast path could not refill (entry.S). */
void do_page_fault(struct pt_regs *regs)
{
	int exec = regs->trap == TRAP_ITLB;
	uint32_t ea = exec ? regs->nip : regs->dear;
	int access = exec ? ACC_EXEC : (regs->esr & ESR_ST) ? ACC_WRITE : ACC_READ;
	int user = regs->msr & MSR_PR;

	if (ea >= USER_BASE && ea < USER_TOP && current->th.pgdir && (user || !exec)) {
		int r = handle_mm_fault(current, ea, access);
		if (r == FAULT_OK)
			return;
		if (r == FAULT_OOM)
			kill_current(regs, "out of memory at 0x%08x", ea);
		if (user) {
			if (r == FAULT_PROT)
				kill_current(regs, "protection fault: %s 0x%08x", access_name(access), ea);
			kill_current(regs, "segmentation fault: %s unmapped address 0x%08x",
				     access_name(access), ea);
		}
	} else if (user) {
		kill_current(regs, "segmentation fault: %s unmapped address 0x%08x",
			     access_name(access), ea);
	}
	show_regs(regs);
	panic("kernel page fault: %s 0x%08x", access_name(access), ea);
}

/* DSI / ISI: a translation exists but forbids the access. */
void do_storage_fault(struct pt_regs *regs)
{
	int exec = regs->trap == TRAP_ISI;
	uint32_t ea = exec ? regs->nip : regs->dear;
	int access = exec ? ACC_EXEC : (regs->esr & ESR_ST) ? ACC_WRITE : ACC_READ;

	if (regs->msr & MSR_PR)
		kill_current(regs, "protection fault: %s %s0x%08x", access_name(access),
			     ea < USER_BASE || ea >= USER_TOP ? "kernel address " : "", ea);
	show_regs(regs);
	panic("kernel protection fault: %s 0x%08x (ESR 0x%08x)", access_name(access), ea, regs->esr);
}
