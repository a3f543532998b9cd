/*
 * labOS: Power ISA 2.06 Book E / e500mc definitions shared by C and assembly.
 *
 * Everything here is a hardware fact (SPR numbers, MSR/ESR/MAS bit layouts) or a
 * labOS layout decision that assembly and C must agree on (exception frame,
 * per-task thread block, page-table entry format, user address space).
 */
#ifndef LABOS_ARCH_H
#define LABOS_ARCH_H

/* ---- Special purpose registers (decimal SPR numbers) ---- */
#define SPRN_DEC	22
#define SPRN_SRR0	26
#define SPRN_SRR1	27
#define SPRN_PID	48
#define SPRN_CSRR0	58
#define SPRN_CSRR1	59
#define SPRN_DEAR	61
#define SPRN_ESR	62
#define SPRN_IVPR	63
#define SPRN_SPRG3R	259	/* user-readable alias of SPRG3 */
#define SPRN_SPRG4R	260	/* SPRG4-7 have separate read (260-263) and write */
#define SPRN_SPRG5R	261	/* (276-279) numbers, as Linux uses them */
#define SPRN_SPRG6R	262
#define SPRN_SPRG7R	263
#define SPRN_TBRL	268	/* time base, user readable */
#define SPRN_TBRU	269
#define SPRN_SPRG0	272
#define SPRN_SPRG1	273
#define SPRN_SPRG2	274
#define SPRN_SPRG3	275
#define SPRN_SPRG4W	276
#define SPRN_SPRG5W	277
#define SPRN_SPRG6W	278
#define SPRN_SPRG7W	279
#define SPRN_PIR	286
#define SPRN_PVR	287
#define SPRN_TSR	336
#define SPRN_TCR	340
#define SPRN_IVOR0	400	/* IVOR0..15 = 400..415 */
#define SPRN_IVOR35	531	/* performance monitor */
#define SPRN_IVOR36	532	/* doorbell */
#define SPRN_IVOR37	533	/* critical doorbell */
#define SPRN_IVOR38	432	/* guest doorbell */
#define SPRN_IVOR39	433	/* guest critical doorbell */
#define SPRN_IVOR40	434	/* hypervisor system call (sc 1 in hypervisor state) */
#define SPRN_IVOR41	435	/* hypervisor privilege */
#define SPRN_MCSRR0	570
#define SPRN_MCSRR1	571
#define SPRN_MCSR	572
#define SPRN_MCAR	573
#define SPRN_DSRR0	574
#define SPRN_DSRR1	575
#define SPRN_SPRG9	605	/* debug-level scratch on e500mc */
#define SPRN_MAS0	624
#define SPRN_MAS1	625
#define SPRN_MAS2	626
#define SPRN_MAS3	627
#define SPRN_MAS4	628
#define SPRN_MAS6	630
#define SPRN_MAS7	944
#define SPRN_MMUCFG	1015
#define MMUCFG_LPIDSIZE	0x0f000000	/* non-zero: the core has the hypervisor category */
#define SPRN_DBSR	304

/* ---- MSR ---- */
#define MSR_CE		0x00020000
#define MSR_EE		0x00008000
#define MSR_PR		0x00004000
#define MSR_FP		0x00002000
#define MSR_ME		0x00001000
#define MSR_DE		0x00000200
#define MSR_IS		0x00000020
#define MSR_DS		0x00000010
/* Kernel: machine check and critical interrupts on, external interrupts
 * managed explicitly with wrteei. User: the same plus PR and EE. */
#define MSR_KERNEL	(MSR_ME | MSR_CE)
#define MSR_USER	(MSR_KERNEL | MSR_PR | MSR_EE)

/* ---- ESR ---- */
#define ESR_PIL		0x08000000	/* illegal instruction */
#define ESR_PPR		0x04000000	/* privileged instruction */
#define ESR_PTR		0x02000000	/* trap */
#define ESR_FP		0x01000000
#define ESR_ST		0x00800000	/* the access was a store */

/* ---- Timers ---- */
#define TCR_DIE		0x04000000	/* decrementer interrupt enable */
#define TCR_WIE		0x08000000
#define TSR_ENW		0x80000000
#define TSR_WIS		0x40000000
#define TSR_DIS		0x08000000	/* decrementer interrupt status (w1c) */
#define TSR_FIS		0x04000000

/* ---- MMU assist registers ---- */
#define MAS0_TLBSEL1	0x10000000
#define MAS0_ESEL(n)	(((n) & 0x3f) << 16)
#define MAS1_V		0x80000000
#define MAS1_IPROT	0x40000000
#define MAS1_TID(n)	(((n) & 0xff) << 16)
#define MAS1_TS		0x00001000
#define MAS1_TSIZE(t)	(((t) & 0x1f) << 7)	/* size = 1 KB << t */
#define TSIZE_4K	2
#define TSIZE_1M	10
#define TSIZE_64M	16
#define MAS2_I		0x00000008
#define MAS2_G		0x00000002
#define MAS3_UX		0x20
#define MAS3_SX		0x10
#define MAS3_UW		0x08
#define MAS3_SW		0x04
#define MAS3_UR		0x02
#define MAS3_SR		0x01

/* ---- labOS memory layout ----
 * Kernel: identity mapped (VA == PA) by TLB1 entries, supervisor-only, TID 0,
 * AS 0, from 0 up to min(RAM, 256 MB).  CCSR: 1 MB at EA 0xE0000000.
 * User: AS 0 as well (like Linux), pages in TLB0 tagged with the task's PID;
 * the user regions (USER_*) are part of the ABI, in lib/abi.h. */
#include "../lib/abi.h"
#define LOWMEM_MAX	0x10000000
#define CCSR_VA		0xE0000000
#define CCSR_PA_HI	0xF		/* ppce500: CCSR at physical 0xF_E000_0000 */
#define CCSR_PA_LO	0xE0000000

/* Page tables: two levels like 32-bit Linux.  A directory of 1024 entries
 * (4 MB each) points to PTE pages of 1024 entries (4 KB each).  The PTE low
 * bits are the MAS3 permission bits themselves, so the TLB-miss handler forms
 * MAS3 with a single rlwinm: MAS3 = pte & 0xFFFFF03F. */
#define PTE_PRESENT	0x800	/* software bits live in MAS3's reserved bits */
#define PTE_ANON	0x400	/* frame owned by the task: free on exit */
#define PTE_PERM_MASK	0x3f
#define PAGE_SIZE	4096
#define PAGE_SHIFT	12

/* ---- Exception frame (struct pt_regs) on the kernel stack ----
 * r1 points to a 16-byte ABI header (back chain, LR save word, padding),
 * followed by the saved registers. */
#define STACK_FRAME_OVERHEAD	16
#define GPR0		16
#define GPR1		20
#define GPR2		24
#define GPR3		28
#define GPR10		56
#define GPR11		60
#define GPR12		64
#define GPR13		68
#define _NIP		144
#define _MSR		148
#define _CTR		152
#define _LINK		156
#define _XER		160
#define _CCR		164
#define _DEAR		168
#define _ESR		172
#define _TRAP		176
#define INT_FRAME_SIZE	192

/* ---- Per-task thread block; SPRG3 always points at current's ---- */
#define TH_KSP_TOP	0	/* top of the task's kernel stack */
#define TH_PGDIR	4	/* page directory (0: kernel thread) */
#define TH_CTX		8	/* MMU context: the PID/TID value */
#define TH_KSP		12	/* saved kernel SP while switched out */

/* Context-switch frame: header(8) + CR + r13..r31 (19 words) */
#define SWITCH_FRAME	96

#define KSTACK_SIZE	8192

/* Trap numbers stored in pt_regs.trap: the IVOR index. */
#define TRAP_CRITICAL	0
#define TRAP_MCHECK	1
#define TRAP_DSI	2
#define TRAP_ISI	3
#define TRAP_EXTERNAL	4
#define TRAP_ALIGN	5
#define TRAP_PROGRAM	6
#define TRAP_FPUNAVAIL	7
#define TRAP_SYSCALL	8
#define TRAP_APUNAVAIL	9
#define TRAP_DEC	10
#define TRAP_FIT	11
#define TRAP_WATCHDOG	12
#define TRAP_DTLB	13
#define TRAP_ITLB	14
#define TRAP_DEBUG	15
#define TRAP_DOORBELL	36
#define TRAP_HCALL	40

#ifndef __ASSEMBLER__
#include <stdint.h>

struct pt_regs {
	uint32_t gpr[32];
	uint32_t nip, msr, ctr, lr, xer, ccr, dear, esr, trap, pad;
};

struct thread {
	uint32_t ksp_top;
	uint32_t pgdir;
	uint32_t ctx;
	uint32_t ksp;
};

#define mfspr(n) ({ uint32_t _v; __asm__ volatile("mfspr %0, %1" : "=r"(_v) : "i"(n)); _v; })
#define mtspr(n, v) __asm__ volatile("mtspr %0, %1" :: "i"(n), "r"((uint32_t)(v)) : "memory")

static inline uint32_t mfmsr(void) { uint32_t v; __asm__ volatile("mfmsr %0" : "=r"(v)); return v; }
static inline void isync(void) { __asm__ volatile("isync" ::: "memory"); }
static inline void msync(void) { __asm__ volatile("msync" ::: "memory"); }

/* Interrupt masking with wrtee/wrteei (no read-modify-write of the MSR). */
static inline uint32_t irq_save(void)
{
	uint32_t m = mfmsr();
	__asm__ volatile("wrteei 0" ::: "memory");
	return m;
}
static inline void irq_restore(uint32_t m) { __asm__ volatile("wrtee %0" :: "r"(m) : "memory"); }
static inline void irq_enable(void) { __asm__ volatile("wrteei 1" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("wrteei 0" ::: "memory"); }

/* 64-bit time base, consistent across a TBL carry into TBU. */
static inline uint64_t read_tb(void)
{
	uint32_t hi, lo, hi2;
	do {
		hi = mfspr(SPRN_TBRU);
		lo = mfspr(SPRN_TBRL);
		hi2 = mfspr(SPRN_TBRU);
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

/* MMIO: the CCSR window is mapped cache-inhibited and guarded; mbar orders
 * the accesses against each other as the device sees them. */
static inline void out8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; __asm__ volatile("mbar" ::: "memory"); }
static inline uint8_t in8(uint32_t a) { uint8_t v = *(volatile uint8_t *)a; __asm__ volatile("mbar" ::: "memory"); return v; }
static inline void out32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; __asm__ volatile("mbar" ::: "memory"); }
static inline uint32_t in32(uint32_t a) { uint32_t v = *(volatile uint32_t *)a; __asm__ volatile("mbar" ::: "memory"); return v; }

_Static_assert(__builtin_offsetof(struct pt_regs, gpr[0]) + STACK_FRAME_OVERHEAD == GPR0, "GPR0");
_Static_assert(__builtin_offsetof(struct pt_regs, gpr[13]) + STACK_FRAME_OVERHEAD == GPR13, "GPR13");
_Static_assert(__builtin_offsetof(struct pt_regs, nip) + STACK_FRAME_OVERHEAD == _NIP, "NIP");
_Static_assert(__builtin_offsetof(struct pt_regs, ccr) + STACK_FRAME_OVERHEAD == _CCR, "CCR");
_Static_assert(__builtin_offsetof(struct pt_regs, trap) + STACK_FRAME_OVERHEAD == _TRAP, "TRAP");
_Static_assert(sizeof(struct pt_regs) + STACK_FRAME_OVERHEAD <= INT_FRAME_SIZE, "frame");
_Static_assert(__builtin_offsetof(struct thread, ksp) == TH_KSP, "TH_KSP");
_Static_assert(__builtin_offsetof(struct thread, pgdir) == TH_PGDIR, "TH_PGDIR");
#endif /* __ASSEMBLER__ */
#endif
