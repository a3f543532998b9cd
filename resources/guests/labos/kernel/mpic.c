/*
 * Freescale MPIC (OpenPIC) at CCSR + 0x40000, driven the way a uniprocessor
 * kernel needs it: internal sources (the UART, 42, and under a hypervisor
 * its byte channels' receive interrupts) delivered to CPU 0
 * through the normal "int" output, acknowledged with IACK and finished with
 * EOI.  Register offsets are from the MPIC base:
 *
 *   0x01000 FRR   feature reporting (read: number of sources)
 *   0x01020 GCR   global configuration (write RESET, poll it, then MIXED mode)
 *   0x010E0 SVR   spurious vector (write)
 *   0x10000 + 0x20*n  IVPR of source n (write: mask, priority, sense, vector)
 *   0x10010 + 0x20*n  IDR of source n  (write: destination CPU 0)
 *   0x20080 CTPR  CPU 0 current task priority (write 0: accept all)
 *   0x200A0 IACK  CPU 0 interrupt acknowledge (read: vector)
 *   0x200B0 EOI   CPU 0 end of interrupt (write 0)
 */
#include "kernel.h"

#define MPIC_BASE	(CCSR_VA + 0x40000)
#define MPIC_FRR	(MPIC_BASE + 0x1000)
#define MPIC_GCR	(MPIC_BASE + 0x1020)
#define MPIC_SVR	(MPIC_BASE + 0x10E0)
#define MPIC_IVPR(n)	(MPIC_BASE + 0x10000 + 0x20 * (n))
#define MPIC_IDR(n)	(MPIC_BASE + 0x10010 + 0x20 * (n))
#define MPIC_CTPR	(MPIC_BASE + 0x20080)
#define MPIC_IACK	(MPIC_BASE + 0x200A0)
#define MPIC_EOI	(MPIC_BASE + 0x200B0)

#define GCR_RESET	0x80000000
#define GCR_MIXED	0x20000000	/* deliver through the core's int input */
#define IVPR_MASK	0x80000000
#define IVPR_POLARITY	0x00800000	/* active high */
#define IVPR_SENSE	0x00400000	/* level */
#define IVPR_PRIO(p)	(((p) & 0xf) << 16)
#define SPURIOUS_VEC	0xffff

static uint32_t mpic_spurious;	/* IACKs that found nothing pending */
static uint32_t mpic_nsources;

void mpic_init(void)
{
	/* A reset leaves every source masked, directed to CPU 0, CTPR = 15. */
	out32(MPIC_GCR, GCR_RESET);
	for (int i = 0; i < 100000 && (in32(MPIC_GCR) & GCR_RESET); i++)
		;
	out32(MPIC_GCR, GCR_MIXED);
	mpic_nsources = ((in32(MPIC_FRR) >> 16) & 0x7ff) + 1;
	out32(MPIC_SVR, SPURIOUS_VEC);
	out32(MPIC_CTPR, 0);
}

/* Level-high, as the device tree's "<42 2>" says; the vector is the source
 * number, as Linux does it. */
void mpic_enable_source(unsigned src, unsigned prio)
{
	if (src >= mpic_nsources)
		panic("mpic: source %u does not exist (%u sources)", src, mpic_nsources);
	out32(MPIC_IVPR(src), IVPR_MASK | IVPR_POLARITY | IVPR_SENSE | IVPR_PRIO(prio) | src);
	out32(MPIC_IDR(src), 1);
	out32(MPIC_IVPR(src), IVPR_POLARITY | IVPR_SENSE | IVPR_PRIO(prio) | src);
}

void mpic_mask_source(unsigned src)
{
	if (src < mpic_nsources)
		out32(MPIC_IVPR(src), IVPR_MASK | IVPR_POLARITY | IVPR_SENSE | src);
}

/* External input interrupt (IVOR4): one acknowledge per interrupt; a level
 * source that is still asserted simply interrupts again. */
void do_external(struct pt_regs *regs)
{
	uint32_t vec = in32(MPIC_IACK) & 0xffff;

	if (vec == SPURIOUS_VEC) {
		mpic_spurious++;
	} else {
		if (vec == UART_IRQ)
			uart_interrupt();
		else if (hv_channel_interrupt(vec))
			;
		else if (vec < mpic_nsources) {
			/* Nobody asked for it: mask it so it cannot storm. */
			out32(MPIC_IVPR(vec), IVPR_MASK);
			printk("mpic: masked unexpected source %u\n", vec);
		}
		out32(MPIC_EOI, 0);
	}
	idle_wakeup_fixup(regs);
}
