/* Operation tables written in assembly:
 *   OPX("name", flags, insn; insn...)
 * emits the code `insn...; blr` (in .text.ops) and a table entry
 * {name, code, flags} (in .rodata.optab). A file brackets its table with its
 * own start/end symbols in .rodata.optab. op_run() (optest.c) runs an entry:
 * r4 = a, r5 = b, r3 = r6 = c, random CR and XER[SO,OV,CA] (+ byte count
 * 0x15), and prints  "name insnword"  followed by one token per case:
 *   rrrrrrrr/c/x   r3, CR0 (or the whole CR with F_CRFULL), XER[SO,OV,CA]
 * A '!' after a token means a CR field other than CR0 (unless F_CRFULL) or
 * XER[25:31] changed. */
#ifndef OPTAB_H
#define OPTAB_H

#define F_DIVW 0x10	/* divw: avoid/mark undefined quotients */
#define F_DIVWU 0x20	/* divwu */
#define F_OE 0x40	/* overflow form: keep undefined-quotient cases, show XER only */
#define F_FEW 0x80	/* 8 cases */
#define F_IMM 0x100	/* 24 cases */
#define F_SHIFT 0x200	/* b is mostly a shift amount 0..63 */
#define F_CRFULL 0x400	/* print the whole CR */
#define F_XERIN 0x800	/* XER input: random SO/OV/CA and byte count (mcrxr) */

#ifdef __ASSEMBLER__
/* C-preprocessor macros, so that a body may hold several instructions
 * separated by ';' (a gas macro argument cannot). */
#define OPX(name, flags, ...)						\
	.section .rodata.opnames,"a"; 9: .asciz name;			\
	.section .text.ops,"ax"; .balign 4; 8: __VA_ARGS__; blr;	\
	.section .rodata.optab,"a"; .long 9b, 8b, flags; .text
#else
#include <stdint.h>
struct opent {
	const char *name;
	const uint32_t *code;
	uint32_t flags;
};
void op_run(const struct opent *op);
void op_run_table(const struct opent *start, const struct opent *end);
#endif
#endif

/* Full-context snippets (run with ctx_run):
 *   CTX("name", flags, insn; insn...)
 * emits `insn...; sc` and a table entry {name, code, flags}. */
#ifdef __ASSEMBLER__
#define CTX(name, flags, ...)						\
	.section .rodata.opnames,"a"; 9: .asciz name;			\
	.section .text.ops,"ax"; .balign 4; 8: __VA_ARGS__; sc;		\
	.section .rodata.optab,"a"; .long 9b, 8b, flags; .text
#endif
