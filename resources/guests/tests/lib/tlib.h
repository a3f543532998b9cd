/* Test runtime for the differential test programs (resources/guests/tests).
 * Builds on ../../common/rt.h (UART output, lab_exit, SPR macros) and adds:
 *  - interrupt stubs for every IVOR that save the whole register state in a
 *    frame and call trap_dispatch() (vectors.S), with a small trap log;
 *  - running code in user mode (run_user) and running a code snippet with a
 *    complete register context in any mode (ctx_run);
 *  - an operation-table caller (op_call) for dense ALU tests;
 *  - TLB helpers, a fixed-seed PRNG and compact hex printing.
 * Everything printed must be deterministic: no time-base values, no
 * addresses that are not properties of the ELF itself. */
#ifndef TLIB_H
#define TLIB_H
#include <stdint.h>
#include "rt.h"

/* ---- SPR numbers ---- */
#define SPR_XER 1
#define SPR_LR 8
#define SPR_CTR 9
#define SPR_DEC 22
#define SPR_SRR0 26
#define SPR_SRR1 27
#define SPR_PID 48
#define SPR_DECAR 54
#define SPR_CSRR0 58
#define SPR_CSRR1 59
#define SPR_DEAR 61
#define SPR_ESR 62
#define SPR_IVPR 63
#define SPR_USPRG0 256
#define SPR_SPRG3R 259
#define SPR_SPRG4R 260
#define SPR_SPRG5R 261
#define SPR_SPRG6R 262
#define SPR_SPRG7R 263
#define SPR_TBL_R 268
#define SPR_TBU_R 269
#define SPR_SPRG0 272
#define SPR_SPRG1 273
#define SPR_SPRG2 274
#define SPR_SPRG3 275
#define SPR_SPRG4 276
#define SPR_SPRG5 277
#define SPR_SPRG6 278
#define SPR_SPRG7 279
#define SPR_TBL_W 284
#define SPR_TBU_W 285
#define SPR_PIR 286
#define SPR_PVR 287
#define SPR_DBSR 304
#define SPR_DBCR0 308
#define SPR_TSR 336
#define SPR_TCR 340
#define SPR_IVOR(n) ((n) < 16 ? 400 + (n) : (n) < 38 ? 528 + (n) - 32 : 432 + (n) - 38)
#define SPR_MCSRR0 570
#define SPR_MCSRR1 571
#define SPR_MCSR 572
#define SPR_DSRR0 574
#define SPR_DSRR1 575
#define SPR_MAS0 624
#define SPR_MAS1 625
#define SPR_MAS2 626
#define SPR_MAS3 627
#define SPR_MAS4 628
#define SPR_MAS6 630
#define SPR_TLB0CFG 688
#define SPR_TLB1CFG 689
#define SPR_MAS7 944
#define SPR_MMUCSR0 1012
#define SPR_MMUCFG 1015

/* ---- MSR, ESR, TCR, TSR bits ---- */
#define MSR_CE 0x00020000u
#define MSR_EE 0x00008000u
#define MSR_PR 0x00004000u
#define MSR_FP 0x00002000u
#define MSR_ME 0x00001000u
#define MSR_FE0 0x00000800u
#define MSR_DE 0x00000200u
#define MSR_FE1 0x00000100u
#define MSR_IS 0x00000020u
#define MSR_DS 0x00000010u

#define ESR_PIL 0x08000000u
#define ESR_PPR 0x04000000u
#define ESR_PTR 0x02000000u
#define ESR_FP 0x01000000u
#define ESR_ST 0x00800000u

#define TCR_WP(x) ((uint32_t)(x) << 30)
#define TCR_WRC(x) ((uint32_t)(x) << 28)
#define TCR_WIE 0x08000000u
#define TCR_DIE 0x04000000u
#define TCR_FIE 0x00800000u
#define TCR_ARE 0x00400000u
#define TCR_WPEXT(x) ((uint32_t)(x) << 17)
#define TSR_ENW 0x80000000u
#define TSR_WIS 0x40000000u
#define TSR_DIS 0x08000000u
#define TSR_FIS 0x04000000u

/* MAS fields */
#define MAS0_TLBSEL(n) ((uint32_t)(n) << 28)
#define MAS0_ESEL(n) ((uint32_t)(n) << 16)
#define MAS1_V 0x80000000u
#define MAS1_IPROT 0x40000000u
#define MAS1_TID(n) ((uint32_t)(n) << 16)
#define MAS1_TS 0x00001000u
#define MAS1_TSIZE(n) ((uint32_t)(n) << 7)
#define MAS3_UX 0x20u
#define MAS3_SX 0x10u
#define MAS3_UW 0x08u
#define MAS3_SW 0x04u
#define MAS3_UR 0x02u
#define MAS3_SR 0x01u
#define MAS3_ALL 0x3Fu

/* Interrupt vector numbers (IVOR index) as reported in tframe.vec */
enum {
	V_CRIT = 0, V_MCHECK = 1, V_DSI = 2, V_ISI = 3, V_EXT = 4, V_ALIGN = 5,
	V_PROGRAM = 6, V_FPUNAVAIL = 7, V_SYSCALL = 8, V_APU = 9, V_DEC = 10,
	V_FIT = 11, V_WDT = 12, V_DTLB = 13, V_ITLB = 14, V_DEBUG = 15,
	V_DOORBELL = 36, V_DOORBELL_CRIT = 37, V_NVEC = 48
};

/* ---- Trap frame (layout shared with vectors.S) ---- */
struct tframe {
	uint32_t gpr[32];		/* 0 */
	uint32_t cr, lr, ctr, xer;	/* 128 */
	uint32_t srr0, srr1;		/* 144: the class's save/restore pair */
	uint32_t esr, dear, msr, vec;	/* 152: msr = MSR inside the handler */
	uint32_t mas0, mas1, mas2, mas3, mas6, mas7; /* 168 */
};

struct trec {			/* one logged interrupt */
	uint32_t vec, srr0, srr1, esr, dear, msr;
	uint32_t mas0, mas1, mas2, mas3, mas6, mas7;
};

#define TLOG_MAX 16
extern volatile uint32_t tlog_n;			/* interrupts since tlog_clear */
extern struct trec tlog[TLOG_MAX];
/* A hook returns 1 when it handled the interrupt (the default action is skipped). */
typedef int (*trap_hook_t)(struct tframe *f);
extern trap_hook_t trap_hooks[V_NVEC];
extern volatile uint32_t trap_quiet;		/* nonzero: expected traps, do not report */
extern volatile uint32_t resume_pc;		/* for ISI/ITLB: where to go instead */

void trap_init(void);			/* IVPR + all IVORs -> our stubs */
void tlog_clear(void);
/* Prints " vec=NN" plus the selected fields of log entry i. */
#define TP_SRR0 1u
#define TP_SRR1 2u
#define TP_ESR 4u
#define TP_DEAR 8u
#define TP_MAS 16u
#define TP_MSR 32u
void tlog_print(uint32_t i, uint32_t what, uint32_t srr0_base);
void tlog_print_all(uint32_t what, uint32_t srr0_base);
extern char tvec_base[];		/* 48 stubs of 16 bytes, one per IVOR */

/* ---- User mode and full-context execution ---- */
/* Runs fn(arg) with MSR = current MSR | PR | extra_msr; returns fn's result.
 * fn returns through a trampoline that issues sc. */
uint32_t run_user(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t extra_msr);

struct ctx {
	uint32_t r[32];
	uint32_t cr, xer, lr, ctr;
};
/* Loads every GPR/CR/XER/LR/CTR from *in, jumps to code (which must end with
 * `sc`) with the given MSR (e.g. current MSR, optionally | MSR_PR), then
 * stores the state at the sc into *out. */
void ctx_run(const void *code, const struct ctx *in, struct ctx *out, uint32_t msr);
/* Prints " rN=xxxxxxxx" for every GPR (and cr/xer/lr/ctr) that differs
 * between two contexts (all of them when before is 0). */
void ctx_print(const struct ctx *before, const struct ctx *after);

/* op_call: r3 = c, r4 = a, r5 = b, r6 = c, CR and XER from io[3], io[4];
 * calls code (ending in blr) and returns r3, CR, XER in io[0..2]. */
void op_call(const void *code, uint32_t io[5]);

/* ---- TLB ---- */
void tlb_write(uint32_t mas0, uint32_t mas1, uint32_t mas2, uint32_t mas3, uint32_t mas7);
/* Reads the entry selected by mas0 into m[0..4] = MAS0, MAS1, MAS2, MAS3, MAS7. */
void tlb_read(uint32_t mas0, uint32_t m[5]);
/* tlbsx for ea with MAS6 = mas6; m[0..4] = MAS0, MAS1, MAS2, MAS3, MAS7. */
void tlb_search(uint32_t ea, uint32_t mas6, uint32_t m[5]);
void tlb_ivax(uint32_t ea);

static inline uint32_t mfmsr(void) { uint32_t v; __asm__ volatile("mfmsr %0" : "=r"(v)); return v; }
static inline void mtmsr(uint32_t v) { __asm__ volatile("mtmsr %0; isync" :: "r"(v) : "memory"); }
/* Memory access through inline asm: physical-looking constant addresses
 * (even 0) without C undefined behaviour. */
static inline uint32_t peek32(uint32_t a) { uint32_t v; __asm__ volatile("lwz %0,0(%1)" : "=r"(v) : "b"(a) : "memory"); return v; }
static inline void poke32(uint32_t a, uint32_t v) { __asm__ volatile("stw %0,0(%1)" :: "r"(v), "b"(a) : "memory"); }
static inline void isync(void) { __asm__ volatile("isync" ::: "memory"); }
static inline void msync(void) { __asm__ volatile("msync" ::: "memory"); }

/* ---- PRNG (xorshift32, fixed seeds) ---- */
extern uint32_t rng_state;
static inline void rng_seed(uint32_t s) { rng_state = s ? s : 0x9E3779B9u; }
static inline uint32_t rng(void)
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}
uint32_t rng_val(void);		/* mixes special values, small and random ones */
uint32_t str_hash(const char *s);

/* ---- Printing ---- */
void ph(uint32_t v);			/* 8 hex digits */
void phn(uint32_t v, int digits);	/* low `digits` hex digits */
void pl(const char *s);			/* string + newline */
void ps(const char *s);			/* string */
void pkv(const char *k, uint32_t v);	/* " k=xxxxxxxx" */
void pnl(void);
void section(const char *name);		/* "== name" line */
uint32_t crc32_update(uint32_t crc, const void *p, uint32_t n);
void tests_done(void);			/* prints "done" and exits */

/* Puts the address of the instruction following this 3-instruction
 * preamble into reg: `MARK_ASM("%0") "insn"`. Clobbers LR and local label 1. */
#define MARK_ASM(reg) "bl 1f\n1:\tmflr " reg "\n\taddi " reg "," reg ",8\n\t"

#endif
