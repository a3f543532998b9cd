/* Interrupt gating and delivery under a hypervisor, as the guest sees it.
 * Each step makes an interrupt pending in a particular way and records when
 * the handler ran; the console must be the same natively and under every
 * configuration, while the hypervisor's counters show how it got there:
 *
 *   1. the decrementer expires while MSR[EE]=0: the handler runs only once
 *      the guest enables EE (under KVM's policy: a host timer exit at the
 *      expiry, then a guest doorbell exit when EE goes to 1);
 *   2. a doorbell to itself (msgsnd, emulated) with EE=1: delivered at once,
 *      on the way back from the msgsnd exit;
 *   3. the same with EE=0: delivered when EE goes to 1;
 *   4. idling until the decrementer: with the ePAPR idle hypercall where a
 *      hypervisor advertises one (the vCPU is halted, no exit wakes it), with
 *      `wait` otherwise.
 */
#include "rt.h"

static volatile uint32_t dec_runs, dbell_runs;
static volatile uint32_t mark;

void on_interrupt(uint32_t vec);
void on_interrupt(uint32_t vec)
{
	if (vec == 10) {
		dec_runs++;
		SPR_WRITE(340, 0);		/* TCR: decrementer interrupts off */
		SPR_WRITE(336, 0x08000000);	/* TSR[DIS] acknowledged */
	} else if (vec == 36) {
		dbell_runs++;
	}
	mark++;
}

#define STUB(name, vec) \
	__asm__(".align 4\n" #name ":\n" \
		"stwu 1,-96(1)\n stw 0,8(1)\n stw 3,12(1)\n stw 4,16(1)\n stw 5,20(1)\n stw 6,24(1)\n" \
		"stw 7,28(1)\n stw 8,32(1)\n stw 9,36(1)\n stw 10,40(1)\n stw 11,44(1)\n stw 12,48(1)\n" \
		"mflr 0\n stw 0,52(1)\n mfcr 0\n stw 0,56(1)\n mfctr 0\n stw 0,60(1)\n mfxer 0\n stw 0,64(1)\n" \
		"li 3," #vec "\n bl on_interrupt\n" \
		"lwz 0,52(1)\n mtlr 0\n lwz 0,56(1)\n mtcr 0\n lwz 0,60(1)\n mtctr 0\n lwz 0,64(1)\n mtxer 0\n" \
		"lwz 0,8(1)\n lwz 3,12(1)\n lwz 4,16(1)\n lwz 5,20(1)\n lwz 6,24(1)\n lwz 7,28(1)\n" \
		"lwz 8,32(1)\n lwz 9,36(1)\n lwz 10,40(1)\n lwz 11,44(1)\n lwz 12,48(1)\n addi 1,1,96\n rfi\n")

STUB(v_dec, 10);
STUB(v_dbell, 36);
extern char v_dec[], v_dbell[];

static void line(const char *what, uint32_t before, uint32_t after)
{
	puts_(what);
	puts_(": before-enable=");
	putudec(before);
	puts_(" after-enable=");
	putudec(after);
	puts_("\n");
}

static void arm_decrementer(uint32_t ticks)
{
	SPR_WRITE(336, 0x08000000);	/* clear TSR[DIS] */
	SPR_WRITE(340, 0x04000000);	/* TCR[DIE] */
	SPR_WRITE(22, ticks);
}

/* msgsnd of a processor doorbell (type 0) tagged with this core's PIR. */
static void doorbell_self(void)
{
	uint32_t msg = SPR_READ(286) & 0x3FFF;
	__asm__ volatile("msgsnd %0" :: "r"(msg));
}

/* The ePAPR idle hypercall: sc 1 with r11 = EV_IDLE (vendor 1, number 16). */
static void ev_idle(void)
{
	register uint32_t r11 __asm__("r11") = (1u << 16) | 16u;
	register uint32_t r3 __asm__("r3");
	__asm__ volatile(".long 0x44000022" : "=r"(r3), "+r"(r11) :: "r0", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r12", "cr0", "ctr", "memory");
	(void)r3;
}

int main(uint32_t dtb)
{
	uint32_t found;
	int hypervisor = dtb_find_uint(dtb, "epapr,hypervisor-1", &found);

	SPR_WRITE(63, 0);
	SPR_WRITE(410, (uint32_t)v_dec);
	SPR_WRITE(532, (uint32_t)v_dbell);
	__asm__ volatile("wrteei 0");

	/* 1. The decrementer expires with EE=0; wait until TSR says so. */
	arm_decrementer(2000);
	while (!(SPR_READ(336) & 0x08000000))
		;
	uint32_t before = dec_runs;
	__asm__ volatile("wrteei 1; isync; nop; nop; wrteei 0");
	line("decrementer masked", before, dec_runs);

	/* 2. A doorbell to itself with EE=1: the handler runs right after msgsnd. */
	__asm__ volatile("wrteei 1");
	doorbell_self();
	uint32_t at_once = dbell_runs;
	__asm__ volatile("wrteei 0");
	puts_("doorbell enabled: after-msgsnd=");
	putudec(at_once);
	puts_("\n");

	/* 3. The same with EE=0: pending until EE goes to 1. */
	doorbell_self();
	before = dbell_runs;
	__asm__ volatile("wrteei 1; isync; nop; nop; wrteei 0");
	line("doorbell masked", before, dbell_runs);

	/* 4. Idle until the decrementer fires. */
	arm_decrementer(5000);
	before = dec_runs;
	while (dec_runs == before) {
		if (hypervisor) {
			__asm__ volatile("wrteei 1");
			ev_idle();
			__asm__ volatile("wrteei 0");
		} else {
			__asm__ volatile("wrteei 1; wait; wrteei 0");
		}
	}
	puts_("idle: woken by the decrementer, runs=");
	putudec(dec_runs - before);
	puts_("\n");
	puts_("gating done\n");
	return 0;
}
