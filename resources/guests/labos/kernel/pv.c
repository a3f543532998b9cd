/*
 * The paravirtual page (boot flag "pv=on"): under a trap-and-emulate
 * hypervisor every mfmsr, wrtee and access to a save/restore or scratch SPR
 * in the kernel would trap.  With the page, labOS keeps those registers in
 * memory the hypervisor shares, and rewrites its own privileged instructions
 * into loads and stores of the page, the way Linux's arch/powerpc/kernel/kvm.c
 * patches a guest kernel for KVM's magic page:
 *
 *   mfmsr rD             -> lwz rD, MSR(page)
 *   mfspr rD, SPR        -> lwz rD, SPR(page)   (SRR0/1, DEAR, ESR, SPRG0-7, MAS)
 *   mtspr SPR, rS        -> stw rS, SPR(page)
 *   wrteei 0             -> branch to a template that clears EE in the page
 *   wrteei 1, wrtee rS   -> branch to a template that sets EE in the page and,
 *                           when an interrupt is waiting (int_pending), runs
 *                           the original instruction, which traps and lets the
 *                           hypervisor deliver it
 *
 * mtmsr, rfi, tlbwe and the rest still trap.  The templates live in one
 * region the hypervisor knows: it delivers no interrupt while the guest runs
 * there, since they borrow the page's scratch words.  Without a hypervisor
 * that offers the page (native, booke-hv, QEMU) nothing is patched.
 */
#include "kernel.h"
#include "pv.h"

static const uint16_t pv_sprs[] = { PV_SPR_LIST };
#define NSPRS	(sizeof(pv_sprs) / sizeof(pv_sprs[0]))

static uint8_t pv_page[4096] __attribute__((aligned(4096)));
#define TEMPLATE_WORDS	4096
static uint32_t templates[TEMPLATE_WORDS] __attribute__((aligned(64)));
static uint32_t ntemplate;

extern uint32_t _stext[], _etext[];

int pv_enabled;
uint32_t pv_patched;

/* 16-bit displacement from r0 (0) to a page offset: the page is at -4096. */
#define D(off)		((uint32_t)(PV_EA + (off)) & 0xffff)
#define LWZ(rt, off)	(0x80000000u | (uint32_t)(rt) << 21 | D(off))
#define STW(rs, off)	(0x90000000u | (uint32_t)(rs) << 21 | D(off))
#define ORI(ra, rs, ui)	(0x60000000u | (uint32_t)(rs) << 21 | (uint32_t)(ra) << 16 | (ui))
#define RLWINM(ra, rs, sh, mb, me) (0x54000000u | (uint32_t)(rs) << 21 | (uint32_t)(ra) << 16 | (sh) << 11 | (mb) << 6 | (me) << 1)
#define RLWIMI(ra, rs, sh, mb, me) (0x50000000u | (uint32_t)(rs) << 21 | (uint32_t)(ra) << 16 | (sh) << 11 | (mb) << 6 | (me) << 1)
#define CMPWI0(ra, si)	(0x2c000000u | (uint32_t)(ra) << 16 | ((si) & 0xffff))
#define MFCR(rt)	(0x7c000026u | (uint32_t)(rt) << 21)
#define MTCR(rs)	(0x7c0ff120u | (uint32_t)(rs) << 21)

static uint32_t branch(uint32_t *from, uint32_t *to)
{
	return 0x48000000u | (((uint32_t)to - (uint32_t)from) & 0x03fffffc);
}

static uint32_t beq(uint32_t *from, uint32_t *to)
{
	return 0x41820000u | (((uint32_t)to - (uint32_t)from) & 0xfffc);
}

static int spr_offset(uint32_t spr)
{
	/* SPRG3R..SPRG7R (259-263) read the registers stored at SPRG3..SPRG7. */
	if (spr == 259)
		spr = 275;
	else if (spr >= 260 && spr <= 263)
		spr += 16;
	for (uint32_t i = 0; i < NSPRS; i++)
		if (pv_sprs[i] == spr)
			return PV_SPRS + 4 * (int)i;
	return -1;
}

/* wrteei 0: clear EE in the page (no condition register, one scratch). */
static uint32_t *template_ee_off(uint32_t *site)
{
	uint32_t *t = &templates[ntemplate];
	if (ntemplate + 6 > TEMPLATE_WORDS)
		return 0;
	t[0] = STW(31, PV_SCRATCH1);
	t[1] = LWZ(31, PV_MSR);
	t[2] = RLWINM(31, 31, 0, 17, 15);	/* every bit but EE */
	t[3] = STW(31, PV_MSR);
	t[4] = LWZ(31, PV_SCRATCH1);
	t[5] = branch(&t[5], site + 1);
	ntemplate += 6;
	return t;
}

/* wrteei 1 / wrtee rS: EE into the page; if an interrupt waits, the original
 * instruction (which traps) with every register as it was. */
static uint32_t *template_ee_from(uint32_t *site, uint32_t insn, int from_reg, uint32_t rs)
{
	uint32_t *t = &templates[ntemplate];
	uint32_t s = rs == 31 ? 30 : 31;	/* scratch register */
	if (ntemplate + 17 > TEMPLATE_WORDS)
		return 0;
	t[0] = STW(s, PV_SCRATCH1);
	t[1] = MFCR(s);
	t[2] = STW(s, PV_SCRATCH2);
	t[3] = LWZ(s, PV_MSR);
	t[4] = from_reg ? RLWIMI(s, rs, 0, 16, 16) : ORI(s, s, MSR_EE);
	t[5] = STW(s, PV_MSR);
	t[6] = LWZ(s, PV_INT_PENDING);
	t[7] = CMPWI0(s, 0);
	t[8] = LWZ(s, PV_SCRATCH2);		/* the caller's CR, back in s */
	t[9] = beq(&t[9], &t[14]);
	t[10] = MTCR(s);			/* an interrupt waits: */
	t[11] = LWZ(s, PV_SCRATCH1);
	t[12] = insn;				/* traps; the hypervisor delivers */
	t[13] = branch(&t[13], site + 1);
	t[14] = MTCR(s);			/* nothing waits */
	t[15] = LWZ(s, PV_SCRATCH1);
	t[16] = branch(&t[16], site + 1);
	ntemplate += 17;
	return t;
}

static uint32_t patch_word(uint32_t *p, uint32_t w)
{
	uint32_t op = w >> 26, xo = (w >> 1) & 0x3ff, rt = (w >> 21) & 31;
	uint32_t spr = ((w >> 16) & 0x1f) | ((w >> 6) & 0x3e0);
	int off;

	if (op != 31)
		return w;
	switch (xo) {
	case 83:	/* mfmsr */
		return LWZ(rt, PV_MSR);
	case 339:	/* mfspr */
		off = spr_offset(spr);
		return off < 0 ? w : LWZ(rt, off);
	case 467:	/* mtspr */
		off = spr_offset(spr);
		return off < 0 || spr == 259 || (spr >= 260 && spr <= 263) ? w : STW(rt, off);
	case 163: {	/* wrteei */
		uint32_t *t = (w & MSR_EE) ? template_ee_from(p, w, 0, 0) : template_ee_off(p);
		return t ? branch(p, t) : w;
	}
	case 131: {	/* wrtee */
		uint32_t *t = template_ee_from(p, w, 1, rt);
		return t ? branch(p, t) : w;
	}
	default:
		return w;
	}
}

static void flush_icache(uint32_t *from, uint32_t *to)
{
	for (uint32_t *q = from; q < to; q += 8)
		__asm__ volatile("dcbst 0, %0" :: "r"(q) : "memory");
	msync();
	for (uint32_t *q = from; q < to; q += 8)
		__asm__ volatile("icbi 0, %0" :: "r"(q) : "memory");
	msync();
	isync();
}

const char *pv_init(void)
{
	if (!boot.has_hv)
		return "not offered (no hypervisor)";
	uint32_t pa = (uint32_t)pv_page;
	tlb1_write(PV_TLB1_ENTRY, MAS1_V | MAS1_IPROT | MAS1_TSIZE(TSIZE_4K), PV_EA, pa | MAS3_SW | MAS3_SR, 0);

	struct hcall_regs r = { { 0 } };
	r.r[0] = pa;
	r.r[1] = PV_EA;
	r.r[2] = (uint32_t)templates;
	r.r[3] = (uint32_t)(templates + TEMPLATE_WORDS);
	r.r[8] = (LAB_VENDOR << 16) | LAB_MAP_PV_PAGE;
	epapr_hcall(&r);
	if (r.r[0] != EV_SUCCESS) {
		tlb1_write(PV_TLB1_ENTRY, 0, PV_EA, 0, 0);
		return "not offered by this hypervisor";
	}
	/* From here the page holds the registers: patch every use in the kernel. */
	uint32_t irq = irq_save();
	for (uint32_t *p = _stext; p < _etext; p++) {
		uint32_t w = patch_word(p, *p);
		if (w != *p) {
			*p = w;
			pv_patched++;
		}
	}
	flush_icache(templates, templates + ntemplate);
	flush_icache(_stext, _etext);
	pv_enabled = 1;
	irq_restore(irq);
	return 0;
}
