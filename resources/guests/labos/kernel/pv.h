/*
 * The lab's paravirtual page (trap-and-emulate model only): the layout the
 * hypervisor shares with labOS.  It mirrors src/main/hv/pv-page.ts (a unit
 * test compares the two).  Big-endian 32-bit words; byte offsets.
 */
#ifndef LABOS_PV_H
#define LABOS_PV_H

#define PV_SCRATCH1	0x00
#define PV_SCRATCH2	0x04
#define PV_SCRATCH3	0x08
#define PV_INT_PENDING	0x10
#define PV_MSR		0x14
#define PV_SPRS		0x18	/* then one word per register of PV_SPR_LIST, in order */
#define PV_SPR_LIST	26, 27, 61, 62, 272, 273, 274, 275, 276, 277, 278, 279, 624, 625, 626, 627, 628, 630, 944

/* The lab's vendor ("LA") and its MAP_PV_PAGE call:
 * r3 = physical address, r4 = effective address, r5/r6 = the patch templates
 * [start, end): the hypervisor delivers no interrupt while the guest runs there. */
#define LAB_VENDOR	0x4C41
#define LAB_MAP_PV_PAGE	1

/* Where labOS maps the page: the top 4 KB of the address space, reachable
 * from any instruction as a 16-bit displacement from r0 (as KVM's magic page). */
#define PV_EA		0xFFFFF000u
/* The TLB1 entry mapping it (mm.c uses 0-4). */
#define PV_TLB1_ENTRY	8

#endif
