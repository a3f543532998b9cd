/* Interrupts that a hypervisor may have to reflect in software: alignment
 * (an unaligned lwarx), program (an illegal instruction and a trap), data
 * storage (a store to a read-only page), system call and the decrementer.
 * Each handler records SRR0 (relative to the faulting instruction), SRR1,
 * ESR and DEAR exactly as delivered; the console must be identical natively
 * and under every hypervisor configuration. */
#include "rt.h"

struct frame {
	uint32_t vec, srr0, srr1, esr, dear;
};
static volatile struct frame got;
static volatile uint32_t count;

void on_interrupt(uint32_t vec);
void on_interrupt(uint32_t vec)
{
	got.vec = vec;
	got.srr0 = SPR_READ(26);
	got.srr1 = SPR_READ(27);
	got.esr = SPR_READ(62);
	got.dear = SPR_READ(61);
	count++;
	if (vec == 10) {
		/* Acknowledge the decrementer and stop it. */
		SPR_WRITE(340, 0);
		SPR_WRITE(336, 0x08000000);
	}
}

/* Vector stubs: save the volatile state we use, call on_interrupt, and skip
 * the faulting instruction (except for asynchronous ones, which return to it). */
#define STUB(name, vec, skip) \
	__asm__(".align 4\n" #name ":\n" \
		"stwu 1,-96(1)\n stw 0,8(1)\n stw 3,12(1)\n stw 4,16(1)\n stw 5,20(1)\n stw 6,24(1)\n" \
		"stw 7,28(1)\n stw 8,32(1)\n stw 9,36(1)\n stw 10,40(1)\n stw 11,44(1)\n stw 12,48(1)\n" \
		"mflr 0\n stw 0,52(1)\n mfcr 0\n stw 0,56(1)\n mfctr 0\n stw 0,60(1)\n mfxer 0\n stw 0,64(1)\n" \
		"li 3," #vec "\n bl on_interrupt\n" \
		"lwz 0,52(1)\n mtlr 0\n lwz 0,56(1)\n mtcr 0\n lwz 0,60(1)\n mtctr 0\n lwz 0,64(1)\n mtxer 0\n" \
		"mfsrr0 11\n addi 11,11," #skip "\n mtsrr0 11\n" \
		"lwz 0,8(1)\n lwz 3,12(1)\n lwz 4,16(1)\n lwz 5,20(1)\n lwz 6,24(1)\n lwz 7,28(1)\n" \
		"lwz 8,32(1)\n lwz 9,36(1)\n lwz 10,40(1)\n lwz 11,44(1)\n lwz 12,48(1)\n addi 1,1,96\n rfi\n")

STUB(v_dsi, 2, 4);
STUB(v_align, 5, 4);
STUB(v_program, 6, 4);
STUB(v_syscall, 8, 0);
STUB(v_dec, 10, 0);
extern char v_dsi[], v_align[], v_program[], v_syscall[], v_dec[];

static void report(const char *what, uint32_t at)
{
	puts_(what);
	puts_(": n=");
	putudec(count);
	puts_(" vec=");
	putudec(got.vec);
	puts_(" srr0-at=");
	putdec((int32_t)(got.srr0 - at));
	puts_(" srr1=");
	puthex(got.srr1 & ~0x10000000u); /* MSR[GS] is the hypervisor's business */
	puts_(" esr=");
	puthex(got.esr);
	puts_(" dear=");
	puthex(got.dear);
	puts_("\n");
	count = 0;
}

static uint32_t buf[4] __attribute__((aligned(16)));
static uint32_t ro_page[1024] __attribute__((aligned(4096)));

int main(uint32_t dtb)
{
	SPR_WRITE(63, 0);
	SPR_WRITE(402, (uint32_t)v_dsi);
	SPR_WRITE(405, (uint32_t)v_align);
	SPR_WRITE(406, (uint32_t)v_program);
	SPR_WRITE(408, (uint32_t)v_syscall);
	SPR_WRITE(410, (uint32_t)v_dec);
	uint32_t at;

	/* Alignment: lwarx on an unaligned address. */
	__asm__ volatile("bl 1f\n1: mflr %0\n addi %0,%0,12\n lwarx 3,0,%1\n" : "=&r"(at) : "r"((uint32_t)buf + 2) : "r3", "lr");
	report("alignment", at);

	/* Program: an illegal instruction, then a trap. */
	__asm__ volatile("bl 1f\n1: mflr %0\n addi %0,%0,8\n .long 0x00000000\n" : "=&r"(at) :: "lr");
	report("program illegal", at);
	__asm__ volatile("bl 1f\n1: mflr %0\n addi %0,%0,8\n tw 4,1,1\n" : "=&r"(at) :: "lr");
	report("program trap", at);

	/* Data storage: map one page read-only (TLB1 entry 3, 4 KB) at 0x30000000 and store to it. */
	SPR_WRITE(624, 0x10030000);
	SPR_WRITE(625, 0x80000100);
	SPR_WRITE(626, 0x30000000);
	SPR_WRITE(627, ((uint32_t)ro_page & 0xFFFFF000u) | 0x01); /* SR only */
	SPR_WRITE(944, 0);
	__asm__ volatile("isync; tlbwe; isync");
	__asm__ volatile("bl 1f\n1: mflr %0\n addi %0,%0,16\n lis 4,0x3000\n li 3,7\n stw 3,0x44(4)\n" : "=&r"(at) :: "r3", "r4", "lr");
	report("dsi store", at);

	/* System call: SRR0 is the next instruction. */
	__asm__ volatile("bl 1f\n1: mflr %0\n addi %0,%0,8\n sc\n" : "=&r"(at) :: "lr", "r0", "r3");
	report("syscall", at);

	/* Decrementer: enable, wait with wait-loop, acknowledge. */
	SPR_WRITE(336, 0x08000000);       /* clear TSR[DIS] */
	SPR_WRITE(340, 0x04000000);       /* TCR[DIE] */
	SPR_WRITE(22, 500);
	__asm__ volatile("wrteei 1");
	while (!count)
		;
	__asm__ volatile("wrteei 0");
	SPR_WRITE(340, 0);
	SPR_WRITE(336, 0x08000000);
	puts_("decrementer: n=");
	putudec(count);
	puts_(" vec=");
	putudec(got.vec);
	puts_("\n");
	puts_("reflect done\n");
	return 0;
}
