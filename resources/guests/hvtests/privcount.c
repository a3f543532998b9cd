/* Executes each privileged instruction a kernel uses an exact, printed number
 * of times, between two labels whose addresses it prints, so that a
 * trap-and-emulate hypervisor's per-instruction counters can be checked
 * against the guest's own count: between the labels every one of these
 * instructions is one emulation exit of its kind, and nothing else exits.
 * External interrupts stay disabled throughout; no output happens inside. */
#include "rt.h"

#define REP(k, body) do { for (int i_ = 0; i_ < (k); i_++) { body; } } while (0)

extern char measured_start[], measured_end[];

static uint32_t msr_seen;
static uint32_t sprg_acc;

static void measured(void) __attribute__((noinline));
static void measured(void)
{
	uint32_t msr, v;
	__asm__ volatile(".globl measured_start\nmeasured_start:");
	REP(7, __asm__ volatile("mfmsr %0" : "=r"(msr)); msr_seen ^= msr);
	REP(5, __asm__ volatile("mtmsr %0" :: "r"(msr & ~0x8000u)));
	REP(4, __asm__ volatile("wrteei 0" ::: "memory"));
	REP(3, __asm__ volatile("wrtee %0" :: "r"(0u) : "memory"));
	/* rfi to the next instruction, SRR0/1 set up by mtspr each time. */
	REP(6, __asm__ volatile(
		"bl 1f\n1: mflr %0\n addi %0, %0, 20\n mtspr 26, %0\n mtspr 27, %1\n rfi\n"
		: "=&r"(v) : "r"(msr & ~0x8000u) : "lr", "memory"));
	REP(9, SPR_WRITE(273, 0x100u + (uint32_t)i_); sprg_acc += SPR_READ(273));
	REP(2, SPR_WRITE(340, 0u));		/* TCR: timers stay off */
	REP(3, sprg_acc += SPR_READ(22));	/* DEC */
	/* The TLB: search for the CCSR mapping, read it back and write it again unchanged. */
	REP(4, __asm__ volatile("mtspr 630, %0\n tlbsx 0, %1" :: "r"(0u), "r"(CCSR_VA) : "memory"));
	REP(2, __asm__ volatile("tlbre" ::: "memory"));
	REP(3, __asm__ volatile("tlbwe\n isync" ::: "memory"));
	REP(2, __asm__ volatile("tlbivax 0, %0" :: "r"(0x70000000u) : "memory"));
	REP(1, __asm__ volatile("tlbsync" ::: "memory"));
	__asm__ volatile(".globl measured_end\nmeasured_end:");
}

int main(uint32_t dtb)
{
	puts_("privcount\n");
	puts_("range "); puthex((uint32_t)measured_start); puts_(" "); puthex((uint32_t)measured_end); puts_("\n");
	measured();
	/* What ran between the labels: mtspr = 2 per rfi + SPRG1 + TCR + MAS6. */
	puts_("count mfmsr 7\ncount mtmsr 5\ncount wrtee 7\ncount rfi 6\n");
	puts_("count mtspr 27\ncount mfspr 12\ncount tlbsx 4\ncount tlbre 2\ncount tlbwe 3\ncount tlbinv 3\n");
	puts_("check "); puthex(sprg_acc); puts_("\n");
	puts_("done\n");
	lab_exit();
}
