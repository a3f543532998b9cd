/* User-mode entry of every labOS program: the kernel starts a task here with
 * r3 = argument, r4 = the program's main, r1 = top of the demand-zero stack
 * (its first word, the back chain, therefore reads 0).  main's return value
 * becomes the exit status. */
#include "../lib/abi.h"

	.text
	.globl	ustart
ustart:
	mtctr	r4
	bctrl
	li	r0, SYS_exit
	sc
1:	b	1b

	.section .note.GNU-stack,"",@progbits
