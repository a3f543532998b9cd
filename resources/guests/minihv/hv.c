/* minihv: a small bare-metal hypervisor for the e500mc's Embedded.Hypervisor
 * category, written to check the lab's core against a second hypervisor that
 * is not the lab's own TypeScript one. It runs natively on the core and runs
 * labOS (embedded in its image) as its guest, in guest state, with:
 *
 *   EPCR = EXTGS | DSIGS | DTLBGS | ITLBGS | DGTMI | DUVD
 *     external input, data storage and TLB misses go straight to the guest;
 *     guest TLB instructions, the registers 2.06 does not duplicate, ISI,
 *     alignment, program, FP unavailable and the decrementer come here.
 *   MSRP = UCLEP | PMMP (as KVM), LPIDR = 1, guest RAM = the first 64 MB.
 *
 * The guest's TLB is kept in software and mirrored entry for entry into the
 * hardware TLB tagged TGS | LPID 1 (TLB misses are the guest's, so the
 * hardware must hold its translations). Devices are the guest's (its CCSR
 * mapping is mirrored too). The guest's decrementer is the core's: a
 * decrementer interrupt comes here whatever the guest's MSR[EE] and is
 * injected as KVM injects, with a guest doorbell while the guest has EE off.
 *
 * Everything it does is counted in a statistics block at a fixed address
 * (HV_STATS) that the lab's test reads from guest RAM after the run.
 */
#include <stdint.h>

#define HV_STATS	0x07F00000u
#define GUEST_RAM	(64u << 20)
#define LPID		1

#define MSR_GS	0x10000000u
#define MSR_UCLE 0x04000000u
#define MSR_CE	0x00020000u
#define MSR_EE	0x00008000u
#define MSR_PR	0x00004000u
#define MSR_ME	0x00001000u
#define MSR_DE	0x00000200u
#define MSR_IS	0x00000020u
#define MSR_PMM	0x00000004u

#define ESR_PIL	0x08000000u
#define TCR_DIE	0x04000000u
#define TSR_DIS	0x08000000u

#define MAS0_TLBSEL	0x10000000u
#define MAS1_V		0x80000000u
#define MAS1_IPROT	0x40000000u
#define MAS1_TS		0x00001000u
#define MAS1_TSIZE_MASK	0x00000F80u
#define MAS8_TGS	0x80000000u

#define mfspr(n) ({ uint32_t _v; __asm__ volatile("mfspr %0, %1" : "=r"(_v) : "i"(n)); _v; })
#define mtspr(n, v) __asm__ volatile("mtspr %0, %1" :: "i"(n), "r"((uint32_t)(v)) : "memory")

struct frame {
	uint32_t gpr[32];
	uint32_t cr, lr, ctr, xer, pc, msr;
};

/* The statistics block: counters the test compares with the lab's hypervisor. */
struct stats {
	uint32_t magic;		/* 'MHVS' */
	uint32_t exits;
	uint32_t emulated;	/* hypervisor privilege exits emulated */
	uint32_t tlbwe, tlbsx, tlbre, tlbinv;
	uint32_t alignment, program, fp_unavail, isi, debug;
	uint32_t dec, gdbell, reflect_dec, hcall, reflect_program;
	uint32_t spr[1024][2];	/* mfspr, mtspr traps per SPR number */
};
#define STATS ((volatile struct stats *)HV_STATS)

extern char labos_image[], labos_image_end[];
extern void hv_vec_0(void), hv_vec_1(void), hv_vec_2(void), hv_vec_3(void), hv_vec_4(void), hv_vec_5(void),
	hv_vec_6(void), hv_vec_7(void), hv_vec_8(void), hv_vec_9(void), hv_vec_10(void), hv_vec_11(void),
	hv_vec_12(void), hv_vec_13(void), hv_vec_14(void), hv_vec_15(void), hv_vec_35(void), hv_vec_36(void),
	hv_vec_37(void), hv_vec_38(void), hv_vec_39(void), hv_vec_40(void), hv_vec_41(void);
extern struct frame frame;

void hv_main(uint32_t dtb);
void hv_exit(struct frame *f, uint32_t ivor);

/* ---- the guest's TLB in software, mirrored into the hardware TLB ---------------------- */

#define TLB0_SETS 128
#define TLB0_WAYS 4
#define TLB_ENTRIES (TLB0_SETS * TLB0_WAYS + 64)

static uint32_t g_mas1[TLB_ENTRIES], g_mas2[TLB_ENTRIES], g_mas3[TLB_ENTRIES], g_mas7[TLB_ENTRIES];
static uint8_t g_nv[TLB0_SETS];

static uint32_t page_mask(int i)
{
	if (i < 512)
		return 0xFFF;
	uint32_t tsize = (g_mas1[i] & MAS1_TSIZE_MASK) >> 7;
	return tsize >= 22 ? 0xFFFFFFFFu : (1024u << tsize) - 1;
}

static int entry_index(uint32_t mas0, uint32_t mas2)
{
	uint32_t esel = (mas0 >> 16) & 0x3F;
	if (mas0 & MAS0_TLBSEL)
		return 512 + (int)esel;
	return (int)(((mas2 >> 12) & (TLB0_SETS - 1)) * TLB0_WAYS + (esel & 3));
}

static int matches(int i, uint32_t ea, uint32_t as, uint32_t pid)
{
	uint32_t m1 = g_mas1[i];
	if (!(m1 & MAS1_V) || ((m1 & MAS1_TS) ? 1u : 0u) != as)
		return 0;
	uint32_t tid = (m1 >> 16) & 0xFF;
	if (tid != 0 && tid != pid)
		return 0;
	return ((ea ^ g_mas2[i]) & ~page_mask(i)) == 0;
}

static int lookup(uint32_t ea, uint32_t as, uint32_t pid)
{
	int base = (int)((ea >> 12) & (TLB0_SETS - 1)) * TLB0_WAYS;
	for (int w = 0; w < TLB0_WAYS; w++)
		if (matches(base + w, ea, as, pid))
			return base + w;
	for (int i = 512; i < TLB_ENTRIES; i++)
		if (matches(i, ea, as, pid))
			return i;
	return -1;
}

/* Hardware entry i = guest entry i, tagged with the guest's partition (or invalid). */
static void mirror(int i)
{
	uint32_t mas0 = i >= 512 ? MAS0_TLBSEL | ((uint32_t)(i - 512) << 16) : ((uint32_t)(i & 3) << 16);
	mtspr(624, mas0);
	mtspr(625, g_mas1[i]);
	mtspr(626, g_mas2[i]);	/* for TLB0 its EPN selects the set: the guest's entry i is in that set */
	mtspr(627, g_mas3[i]);
	mtspr(944, g_mas7[i]);
	mtspr(341, MAS8_TGS | LPID);
	__asm__ volatile("isync; tlbwe; isync" ::: "memory");
}

static void invalidate_entry(int i)
{
	g_mas1[i] &= ~MAS1_V;
	mirror(i);
}

/* The guest's MAS registers (they are shared: the guest uses the physical ones). */
struct mas { uint32_t m0, m1, m2, m3, m4, m6, m7; };

static void save_mas(struct mas *m)
{
	m->m0 = mfspr(624); m->m1 = mfspr(625); m->m2 = mfspr(626); m->m3 = mfspr(627);
	m->m4 = mfspr(628); m->m6 = mfspr(630); m->m7 = mfspr(944);
}

static void load_mas(const struct mas *m)
{
	mtspr(624, m->m0); mtspr(625, m->m1); mtspr(626, m->m2); mtspr(627, m->m3);
	mtspr(628, m->m4); mtspr(630, m->m6); mtspr(944, m->m7);
}

static void emul_tlbwe(void)
{
	struct mas m;
	save_mas(&m);
	int i = entry_index(m.m0, m.m2);
	uint32_t m1 = m.m1;
	if (i < 512) {
		m1 = (m1 & ~(MAS1_TSIZE_MASK | MAS1_IPROT)) | (2u << 7);
		g_nv[i / TLB0_WAYS] = (uint8_t)(((i & 3) + 1) & 3);
	} else {
		uint32_t tsize = (m1 & MAS1_TSIZE_MASK) >> 7;
		if (tsize < 2) tsize = 2;
		if (tsize > 22) tsize = 22;
		tsize &= ~1u;
		m1 = (m1 & ~MAS1_TSIZE_MASK) | (tsize << 7);
	}
	g_mas1[i] = m1;
	g_mas2[i] = m.m2 & 0xFFFFF07Fu;
	g_mas3[i] = m.m3;
	g_mas7[i] = m.m7 & 0xF;
	mirror(i);
	load_mas(&m);
}

static void emul_tlbre(void)
{
	struct mas m;
	save_mas(&m);
	int i = entry_index(m.m0, m.m2);
	m.m1 = g_mas1[i]; m.m2 = g_mas2[i]; m.m3 = g_mas3[i]; m.m7 = g_mas7[i];
	if (i < 512)
		m.m0 = (m.m0 & ~3u) | g_nv[i / TLB0_WAYS];
	load_mas(&m);
}

static void emul_tlbsx(uint32_t ea)
{
	struct mas m;
	save_mas(&m);
	uint32_t pid = (m.m6 >> 16) & 0xFF, as = m.m6 & 1;
	int i = lookup(ea, as, pid);
	if (i >= 0) {
		int tlb1 = i >= 512;
		uint32_t esel = tlb1 ? (uint32_t)(i - 512) : (uint32_t)(i & 3);
		m.m0 = (tlb1 ? MAS0_TLBSEL : 0) | (esel << 16) | (tlb1 ? 0 : g_nv[i / TLB0_WAYS]);
		m.m1 = g_mas1[i]; m.m2 = g_mas2[i]; m.m3 = g_mas3[i]; m.m7 = g_mas7[i];
	} else {
		uint32_t tlbsel = m.m4 & MAS0_TLBSEL ? 1 : 0;
		uint32_t esel = tlbsel ? 0 : g_nv[(ea >> 12) & (TLB0_SETS - 1)];
		m.m0 = (tlbsel ? MAS0_TLBSEL : 0) | (esel << 16) | (tlbsel ? 0 : ((esel + 1) & 3));
		m.m1 = (pid << 16) | (as ? MAS1_TS : 0) | (m.m4 & MAS1_TSIZE_MASK);
		m.m2 = (ea & 0xFFFFF000u) | (m.m4 & 0x7F);
		m.m3 &= 0x3C0;
		m.m7 = 0;
	}
	load_mas(&m);
}

/* tlbivax: EA | 4 every entry, | 8 TLB1; IPROT survives. */
static void emul_tlbivax(uint32_t ea)
{
	int tlb1 = (ea & 8) != 0, all = (ea & 4) != 0;
	int from = tlb1 ? 512 : 0, to = tlb1 ? TLB_ENTRIES : 512;
	for (int i = from; i < to; i++) {
		if (!(g_mas1[i] & MAS1_V) || (g_mas1[i] & MAS1_IPROT))
			continue;
		if (all || (((ea & ~0xFFFu) ^ g_mas2[i]) & ~page_mask(i)) == 0)
			invalidate_entry(i);
	}
}

/* tlbilx: T=0 every entry (all are the guest's), T=1 by PID, T=3 by address. */
static void emul_tlbilx(uint32_t t, uint32_t ea)
{
	uint32_t m6 = mfspr(630), pid = (m6 >> 16) & 0xFF, as = m6 & 1;
	for (int i = 0; i < TLB_ENTRIES; i++) {
		uint32_t m1 = g_mas1[i];
		if (!(m1 & MAS1_V) || (m1 & MAS1_IPROT))
			continue;
		uint32_t tid = (m1 >> 16) & 0xFF;
		int hit = t == 0 || (t == 1 && tid == pid)
			|| (t == 3 && tid == pid && ((m1 & MAS1_TS) ? 1u : 0u) == as && ((ea ^ g_mas2[i]) & ~page_mask(i)) == 0);
		if (hit)
			invalidate_entry(i);
	}
}

static void flash(int tlb1)
{
	int from = tlb1 ? 512 : 0, to = tlb1 ? TLB_ENTRIES : 512;
	for (int i = from; i < to; i++)
		if ((g_mas1[i] & MAS1_V) && !(g_mas1[i] & MAS1_IPROT))
			invalidate_entry(i);
}

/* ---- the guest's interrupts ---------------------------------------------------------------- */

/* The guest's IVORs without hardware guest copies (its IVPR and IVOR2/3/4/8/13/14 are in GIVPR/GIVORn). */
static uint32_t g_ivor[64];
/* The guest's TCR as it wrote it: the hardware's TCR[DIE] is masked while its decrementer interrupt waits. */
static uint32_t g_tcr;

static uint32_t guest_vector(uint32_t ivor)
{
	uint32_t off;
	switch (ivor) {
	case 2: off = mfspr(440); break;
	case 3: off = mfspr(441); break;
	case 4: off = mfspr(442); break;
	case 8: off = mfspr(443); break;
	case 13: off = mfspr(444); break;
	case 14: off = mfspr(445); break;
	default: off = g_ivor[ivor]; break;
	}
	return (mfspr(447) & 0xFFFF0000u) | (off & 0xFFF0);
}

/* Delivers interrupt ivor to the guest as the hardware would: GSRR0/1, GESR/GDEAR, its vector. */
static void reflect(struct frame *f, uint32_t ivor, uint32_t esr, uint32_t dear, int with_esr, int with_dear)
{
	mtspr(378, f->pc);
	mtspr(379, f->msr);
	if (with_esr)
		mtspr(383, esr);
	if (with_dear)
		mtspr(381, dear);
	uint32_t keep = MSR_UCLE | MSR_PMM;	/* MSRP */
	f->msr = (f->msr & (MSR_CE | MSR_ME | MSR_DE)) | (f->msr & keep) | MSR_GS;
	f->pc = guest_vector(ivor);
}

static int dec_pending(void)
{
	return (mfspr(336) & TSR_DIS) && (g_tcr & TCR_DIE);
}

/* KVM's way in: deliver what is pending if the guest allows it, and ring a guest doorbell for what stays masked. */
static void enter(struct frame *f)
{
	if (dec_pending() && (f->msr & MSR_EE)) {
		STATS->reflect_dec++;
		reflect(f, 10, 0, 0, 0, 0);
	}
	if (dec_pending() && !(f->msr & MSR_EE)) {
		uint32_t msg = (2u << 27) | ((uint32_t)LPID << 14) | (mfspr(382) & 0x3FFF);
		__asm__ volatile("msgsnd %0" :: "r"(msg));
	}
}

/* ---- SPR emulation ---------------------------------------------------------------------------- */

#define PASS(n) case n: if (write) mtspr(n, *v); else *v = mfspr(n); return 1;

/* Registers of the guest's that the hypervisor does not use itself: the guest's values live in them. */
static int passthrough(uint32_t n, int write, uint32_t *v)
{
	switch (n) {
	PASS(22) PASS(54) PASS(284) PASS(285)			/* DEC DECAR TBWL TBWU */
	PASS(58) PASS(59) PASS(570) PASS(571) PASS(572) PASS(573)	/* CSRR0/1 MCSRR0/1 MCSR MCAR */
	PASS(574) PASS(575) PASS(604)				/* DSRR0/1 SPRG8 */
	PASS(308) PASS(309) PASS(310) PASS(304) PASS(312) PASS(313) PASS(316) PASS(317) /* debug */
	PASS(1008) PASS(1010) PASS(1011) PASS(1013)		/* HID0 L1CSR0/1 BUCSR */
	PASS(947) PASS(948)					/* EPLC EPSC */
	PASS(287) PASS(1023) PASS(1015) PASS(688) PASS(689)	/* PVR SVR MMUCFG TLB0CFG TLB1CFG */
	default: return 0;
	}
}

/* The guest's mfspr/mtspr of a register that traps. Returns 0 if it is illegal for the guest. */
static int emul_spr(uint32_t n, int write, uint32_t *v)
{
	STATS->spr[n][write]++;
	switch (n) {
	case 63: if (write) mtspr(447, *v); else *v = mfspr(447); return 1;	/* IVPR: GIVPR */
	case 402: if (write) mtspr(440, *v); else *v = mfspr(440); return 1;
	case 403: if (write) mtspr(441, *v); else *v = mfspr(441); return 1;
	case 404: if (write) mtspr(442, *v); else *v = mfspr(442); return 1;
	case 408: if (write) mtspr(443, *v); else *v = mfspr(443); return 1;
	case 413: if (write) mtspr(444, *v); else *v = mfspr(444); return 1;
	case 414: if (write) mtspr(445, *v); else *v = mfspr(445); return 1;
	case 340:	/* TCR: the guest's view; the hardware's DIE stays off while its interrupt waits */
		if (write) {
			g_tcr = *v;
			mtspr(340, dec_pending() ? *v & ~TCR_DIE : *v);
		} else {
			*v = (mfspr(340) & ~TCR_DIE) | (g_tcr & TCR_DIE);
		}
		return 1;
	case 336:	/* TSR: write one to clear; acknowledging DIS unmasks the hardware's DIE */
		if (write) {
			mtspr(336, *v);
			if (!dec_pending())
				mtspr(340, (mfspr(340) & ~TCR_DIE) | (g_tcr & TCR_DIE));
		} else {
			*v = mfspr(336);
		}
		return 1;
	case 1012:	/* MMUCSR0: flash invalidation of the guest's TLB */
		if (write) {
			if (*v & 4) flash(0);
			if (*v & 2) flash(1);
		} else {
			*v = 0;
		}
		return 1;
	default:
		if ((n >= 400 && n <= 415) || (n >= 528 && n <= 533)) {
			if (write)
				g_ivor[n >= 528 ? n - 528 + 32 : n - 400] = n >= 528 ? *v : *v & 0xFFF0;
			else
				*v = g_ivor[n >= 528 ? n - 528 + 32 : n - 400];
			return 1;
		}
		return passthrough(n, write, v);
	}
}

/* ---- exits ---------------------------------------------------------------------------------------- */

/* The guest's instruction at its PC, through its own TLB (its kernel maps RAM 1:1 in AS 0 or 1). */
static uint32_t fetch(struct frame *f)
{
	int i = lookup(f->pc, (f->msr & MSR_IS) ? 1 : 0, mfspr(48));
	if (i < 0)
		return 0;
	uint32_t pa = (g_mas3[i] & 0xFFFFF000u & ~page_mask(i)) | (f->pc & page_mask(i));
	return *(volatile uint32_t *)pa;
}

static void program(struct frame *f, uint32_t esr)
{
	STATS->reflect_program++;
	reflect(f, 6, esr, 0, 1, 0);
}

static void hv_privilege(struct frame *f)
{
	uint32_t insn = fetch(f);
	uint32_t op = insn >> 26, xo = (insn >> 1) & 0x3FF;
	uint32_t rt = (insn >> 21) & 31, ra = (insn >> 16) & 31, rb = (insn >> 11) & 31;
	uint32_t ea = (ra ? f->gpr[ra] : 0) + f->gpr[rb];
	STATS->emulated++;
	if (op == 31 && (xo == 339 || xo == 467)) {
		uint32_t n = ((insn >> 16) & 0x1F) | ((insn >> 6) & 0x3E0);
		int write = xo == 467;
		uint32_t v = write ? f->gpr[rt] : 0;
		if (!emul_spr(n, write, &v)) {
			program(f, ESR_PIL);
			return;
		}
		if (!write)
			f->gpr[rt] = v;
	} else if (op == 31 && xo == 978) {
		STATS->tlbwe++;
		emul_tlbwe();
	} else if (op == 31 && xo == 946) {
		STATS->tlbre++;
		emul_tlbre();
	} else if (op == 31 && xo == 914) {
		STATS->tlbsx++;
		emul_tlbsx(ea);
	} else if (op == 31 && xo == 786) {
		STATS->tlbinv++;
		emul_tlbivax(ea);
	} else if (op == 31 && xo == 18) {
		STATS->tlbinv++;
		emul_tlbilx(rt & 3, ea);
	} else if (op == 31 && xo == 566) {
		STATS->tlbinv++;	/* tlbsync: nothing outstanding on one core */
	} else {
		program(f, ESR_PIL);	/* rfci, msgsnd, ehpriv ...: nothing this guest needs */
		return;
	}
	f->pc += 4;
}

void hv_exit(struct frame *f, uint32_t ivor)
{
	STATS->exits++;
	switch (ivor) {
	case 41:
		hv_privilege(f);
		break;
	case 10:	/* the guest's decrementer: mask it in hardware until the guest acknowledges */
		STATS->dec++;
		mtspr(340, mfspr(340) & ~TCR_DIE);
		break;
	case 38:
		STATS->gdbell++;
		break;
	case 5:
		STATS->alignment++;
		reflect(f, 5, mfspr(62), mfspr(61), 1, 1);
		break;
	case 6:
		STATS->program++;
		program(f, mfspr(62));
		break;
	case 7:
		STATS->fp_unavail++;
		reflect(f, 7, 0, 0, 0, 0);
		break;
	case 3:
		STATS->isi++;
		reflect(f, 3, mfspr(62), 0, 1, 0);
		break;
	case 40:	/* sc 1: this hypervisor advertises no hypercalls */
		STATS->hcall++;
		program(f, 0x04000000);	/* ESR[PPR] from user mode; no ePAPR calls either way */
		break;
	default:	/* anything else is reflected as it came */
		STATS->debug++;
		reflect(f, ivor, mfspr(62), mfspr(61), 0, 0);
		break;
	}
	enter(f);
}

/* ---- start-up ------------------------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void copy(uint8_t *to, const uint8_t *from, uint32_t n)
{
	while (n--)
		*to++ = *from++;
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Loads the embedded guest ELF at its physical addresses; returns its entry, sets *high. */
static uint32_t load_guest(uint32_t *high)
{
	const uint8_t *e = (const uint8_t *)labos_image;
	uint32_t phoff = be32(e + 28), phnum = (uint32_t)e[44] << 8 | e[45], phentsize = (uint32_t)e[42] << 8 | e[43];
	*high = 0;
	for (uint32_t k = 0; k < phnum; k++) {
		const uint8_t *ph = e + phoff + k * phentsize;
		if (be32(ph) != 1)
			continue;
		uint32_t off = be32(ph + 4), paddr = be32(ph + 12), filesz = be32(ph + 16), memsz = be32(ph + 20);
		copy((uint8_t *)paddr, e + off, filesz);
		for (uint32_t b = filesz; b < memsz; b++)
			((uint8_t *)paddr)[b] = 0;
		if (paddr + memsz > *high)
			*high = paddr + memsz;
	}
	return be32(e + 24);
}

/* Copies the board's device tree for the guest and shrinks /memory to the guest's 64 MB. */
static uint32_t guest_dtb(uint32_t dtb, uint32_t high)
{
	uint32_t to = ((high + 0x1800000u) / 0x100000u) * 0x100000u;
	const uint8_t *d = (const uint8_t *)dtb;
	uint32_t size = be32(d + 4), structs = be32(d + 8), strings = be32(d + 12);
	copy((uint8_t *)to, d, size);
	uint8_t *t = (uint8_t *)to;
	uint32_t p = structs, depth = 0, in_memory = 0;
	for (;;) {
		uint32_t tok = be32(t + p);
		p += 4;
		if (tok == 1) {		/* BEGIN_NODE */
			const char *name = (const char *)(t + p);
			depth++;
			in_memory = depth == 2 && str_eq(name, "memory");
			uint32_t len = 0;
			while (name[len])
				len++;
			p += (len + 4) & ~3u;
		} else if (tok == 2) {	/* END_NODE */
			depth--;
			in_memory = 0;
		} else if (tok == 3) {	/* PROP */
			uint32_t len = be32(t + p), nameoff = be32(t + p + 4);
			uint8_t *val = t + p + 8;
			if (in_memory && str_eq((const char *)(t + strings + nameoff), "reg") && len == 16) {
				val[8] = val[9] = val[10] = val[11] = 0;
				val[12] = GUEST_RAM >> 24; val[13] = (GUEST_RAM >> 16) & 0xFF; val[14] = 0; val[15] = 0;
			}
			p += 8 + ((len + 3) & ~3u);
		} else if (tok == 9) {
			break;
		}
	}
	return to;
}

void hv_main(uint32_t dtb)
{
	uint32_t high;
	uint32_t entry = load_guest(&high);
	uint32_t gdtb = guest_dtb(dtb, high);
	volatile uint32_t *s = (volatile uint32_t *)HV_STATS;
	for (uint32_t k = 0; k < sizeof(struct stats) / 4; k++)
		s[k] = 0;
	STATS->magic = 0x4D485653;

	/* Our vectors. */
	mtspr(63, (uint32_t)hv_vec_0 & 0xFFFF0000u);
	mtspr(400, hv_vec_0); mtspr(401, hv_vec_1); mtspr(402, hv_vec_2); mtspr(403, hv_vec_3);
	mtspr(404, hv_vec_4); mtspr(405, hv_vec_5); mtspr(406, hv_vec_6); mtspr(407, hv_vec_7);
	mtspr(408, hv_vec_8); mtspr(409, hv_vec_9); mtspr(410, hv_vec_10); mtspr(411, hv_vec_11);
	mtspr(412, hv_vec_12); mtspr(413, hv_vec_13); mtspr(414, hv_vec_14); mtspr(415, hv_vec_15);
	mtspr(531, hv_vec_35); mtspr(532, hv_vec_36); mtspr(533, hv_vec_37);
	mtspr(432, hv_vec_38); mtspr(433, hv_vec_39); mtspr(434, hv_vec_40); mtspr(435, hv_vec_41);

	/* The hardware's view of the guest. */
	mtspr(307, 0x80000000u | 0x40000000u | 0x20000000u | 0x10000000u | 0x00800000u | 0x04000000u);
	mtspr(311, MSR_UCLE | MSR_PMM);
	mtspr(338, LPID);
	mtspr(382, 0);		/* GPIR */
	mtspr(447, 0);		/* GIVPR */

	/* The guest's TLB at entry, as the board gives a -kernel image: TLB1[0] maps 64 MB at 0. */
	g_mas1[512] = MAS1_V | (16u << 7);
	g_mas2[512] = 0;
	g_mas3[512] = 0x3F;
	g_mas7[512] = 0;
	mirror(512);
	struct mas zero = { 0, 0, 0, 0, 0, 0, 0 };
	load_mas(&zero);
	mtspr(341, 0);

	/* The guest's registers at entry (ePAPR). */
	for (int r = 0; r < 32; r++)
		frame.gpr[r] = 0;
	frame.gpr[1] = (16u << 20) - 8;
	frame.gpr[3] = gdtb;
	frame.gpr[6] = 0x45504150;
	frame.gpr[7] = GUEST_RAM;
	frame.cr = frame.lr = frame.ctr = frame.xer = 0;
	frame.pc = entry;
	frame.msr = MSR_GS;
}
