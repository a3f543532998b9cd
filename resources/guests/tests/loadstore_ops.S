/* Load/store snippets for loadstore.c, run with ctx_run:
 * r3 = data, r4 = base (buffer + 128), r5 = index (or an absolute address). */
#include "optab.h"
#define LS_IDX 1	/* run with every index in the index list (r5) */
#define LS_ABS 2	/* r5 = base + index (rA = 0 forms) */
#define LS_ST 4		/* a store: print the changed bytes */

	.macro DF op, flags
	.irp d, 0,1,2,3,5,6,7,-1,-2,-4,-3,63,-64
	CTX("\op", \flags, \op r3,\d(r4))
	.endr
	.endm
	.macro XF op, flags
	CTX("\op", \flags|LS_IDX, \op r3,r4,r5)
	.endm
	.macro XF0 op, flags
	CTX("\op ra=0", \flags|LS_IDX|LS_ABS, \op r3,0,r5)
	.endm

	.section .rodata.optab,"a"
	.balign 4
	.globl ls_tab
ls_tab:
	.text

	.irp op, lbz,lbzu,lhz,lhzu,lha,lhau,lwz,lwzu
	DF \op, 0
	.endr
	.irp op, stb,stbu,sth,sthu,stw,stwu
	DF \op, LS_ST
	.endr
	.irp op, lbzx,lbzux,lhzx,lhzux,lhax,lhaux,lwzx,lwzux,lhbrx,lwbrx
	XF \op, 0
	.endr
	.irp op, stbx,stbux,sthx,sthux,stwx,stwux,sthbrx,stwbrx
	XF \op, LS_ST
	.endr
	.irp op, lbzx,lhzx,lhax,lwzx,lhbrx,lwbrx
	XF0 \op, 0
	.endr
	.irp op, stbx,sthx,stwx,sthbrx,stwbrx
	XF0 \op, LS_ST
	.endr
	/* D-form with rA = 0: absolute addresses in the first 32 KB (code) */
	CTX("lwz ra=0", 0, lwz r3,0x100(0))
	CTX("lhz ra=0", 0, lhz r3,0x102(0))
	CTX("lbz ra=0", 0, lbz r3,0x103(0))
	CTX("lha ra=0", 0, lha r3,0x10a(0))
	/* load/store multiple (word-aligned EA), incl. the whole r5..r31 range */
	.irp d, 0,4,-64,60
	CTX("lmw r20", 0, lmw r20,\d(r4))
	.endr
	CTX("lmw r31", 0, lmw r31,8(r4))
	CTX("lmw r5", 0, lmw r5,-128(r4))
	.irp d, 0,4,-64,60
	CTX("stmw r25", LS_ST, stmw r25,\d(r4))
	.endr
	CTX("stmw r31", LS_ST, stmw r31,-4(r4))
	CTX("stmw r0", LS_ST, stmw r0,-128(r4))
	/* register aliases: rT = rB for a plain indexed load, rS = rA for stores */
	CTX("lwzx rt=rb", LS_IDX, lwzx r5,r4,r5)
	CTX("stwx rs=ra", LS_ST, stwx r4,r4,r5)
	CTX("stwu rs=ra", LS_ST, stwu r4,8(r4))
	CTX("stbux rs=ra", LS_ST|LS_IDX, stbux r4,r4,r5)

	.section .rodata.optab,"a"
	.globl ls_tab_end
ls_tab_end:
	.section .note.GNU-stack,"",@progbits
