/* Snippets for system.c (ctx_run). */
#include "optab.h"

/* Privileged instructions: run in user mode, each must take a program
 * interrupt with ESR[PPR] and change nothing. */
	.section .rodata.optab,"a"
	.balign 4
	.globl priv_tab
priv_tab:
	.text
	CTX("mfmsr", 0, mfmsr r3)
	CTX("mtmsr", 0, mtmsr r3)
	CTX("wrtee", 0, wrtee r3)
	CTX("wrteei 1", 0, wrteei 1)
	CTX("wrteei 0", 0, wrteei 0)
	CTX("rfi", 0, rfi)
	CTX("rfci", 0, rfci)
	CTX("rfmci", 0, rfmci)
	CTX("rfdi", 0, rfdi)
	CTX("mfspr srr0", 0, mfspr r3,26)
	CTX("mtspr srr1", 0, mtspr 27,r3)
	CTX("mfspr sprg0", 0, mfspr r3,272)
	CTX("mtspr sprg3", 0, mtspr 275,r3)
	CTX("mtspr sprg4", 0, mtspr 276,r3)
	CTX("mfspr pvr", 0, mfspr r3,287)
	CTX("mfspr pid", 0, mfspr r3,48)
	CTX("mtspr dec", 0, mtspr 22,r3)
	CTX("mfspr dec", 0, mfspr r3,22)
	CTX("mtspr tbl", 0, mtspr 284,r3)
	CTX("mfspr esr", 0, mfspr r3,62)
	CTX("mfspr ivpr", 0, mfspr r3,63)
	CTX("mtspr ivor6", 0, mtspr 406,r3)
	CTX("mfspr tcr", 0, mfspr r3,340)
	CTX("mfspr mas1", 0, mfspr r3,625)
	CTX("mfspr mmucsr0", 0, mfspr r3,1012)
	CTX("mfspr l1csr0", 0, mfspr r3,1010)
	CTX("mfspr hid0", 0, mfspr r3,1008)
	CTX("tlbwe", 0, tlbwe)
	CTX("tlbre", 0, tlbre)
	CTX("tlbsx", 0, tlbsx 0,r4)
	CTX("tlbivax", 0, tlbivax 0,r4)
	CTX("tlbsync", 0, tlbsync)
	CTX("msgsnd", 0, msgsnd r4)
	.section .rodata.optab,"a"
	.globl priv_tab_end
priv_tab_end:

/* Illegal instructions: in both modes, program interrupt with ESR[PIL]. */
	.globl ill_tab
ill_tab:
	.text
	CTX("opcode 0", 0, .long 0x00000000)
	CTX("opcode 1", 0, .long 0x04000000)
	CTX("opcode 5", 0, .long 0x14000000)
	CTX("opcode 6", 0, .long 0x18000000)
	CTX("opcode 22", 0, .long 0x58000000)
	CTX("ld (64-bit)", 0, .long 0xE8640000)
	CTX("std (64-bit)", 0, .long 0xF8640000)
	CTX("rldicl (64-bit)", 0, .long 0x78630020)
	CTX("mulld (64-bit)", 0, .long 0x7C6429D2)
	CTX("fsqrt", 0, .long 0xFC20102C)
	CTX("fsqrts", 0, .long 0xEC20102C)
	.section .rodata.optab,"a"
	.globl ill_tab_end
ill_tab_end:

/* Allowed in user mode: must not trap. r3 = result. */
	.globl user_tab
user_tab:
	.text
	CTX("mfspr usprg0", 0, mfspr r3,256)
	CTX("mtspr usprg0", 0, mtspr 256,r4 ; mfspr r3,256)
	CTX("mfspr sprg3r", 0, mfspr r3,259)
	CTX("mfspr sprg6r", 0, mfspr r3,262)
	CTX("mfspr sprg7r", 0, mfspr r3,263)
	CTX("mfspr xer", 0, mfspr r3,1)
	CTX("mtspr lr", 0, mtspr 8,r4 ; mfspr r3,8)
	CTX("mtspr ctr", 0, mtspr 9,r4 ; mfspr r3,9)
	CTX("mftb/mftbu", 0, mftbu r5 ; mftb r6 ; mftbu r7 ; li r3,1 ; cmplw r5,r7 ; beq 1f ; li r3,2 ; 1: li r5,0 ; li r6,0 ; li r7,0)
	CTX("mfspr 268/269", 0, mfspr r5,269 ; mfspr r6,268 ; li r3,1 ; li r5,0 ; li r6,0)
	CTX("sync/isync/mbar", 0, sync ; isync ; mbar 0 ; li r3,7)
	.section .rodata.optab,"a"
	.globl user_tab_end
user_tab_end:
	.section .note.GNU-stack,"",@progbits
