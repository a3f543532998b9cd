/* String instructions for string.c. The e500mc does not implement them
 * (binutils rejects them for -me500mc; QEMU's e500mc lacks PPC_STRING):
 * each must raise an illegal-instruction program interrupt and change
 * nothing. */
#include "optab.h"

	.section .rodata.optab,"a"
	.balign 4
	.globl str_tab
str_tab:
	.text
	.irp nb, 1,4,7,0
	CTX("lswi", 0, lswi r26,r4,\nb)
	CTX("stswi", 0, stswi r28,r4,\nb)
	.endr
	CTX("lswi r5", 0, lswi r5,r4,0)
	CTX("lswx", 0, lswx r6,r4,r5)
	CTX("lswx ra=0", 0, lswx r6,0,r5)
	CTX("stswx", 0, stswx r6,r4,r5)
	CTX("stswx ra=0", 0, stswx r29,0,r5)

	.section .rodata.optab,"a"
	.globl str_tab_end
str_tab_end:
	.section .note.GNU-stack,"",@progbits
