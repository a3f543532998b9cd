/*
 * The labOS user/kernel ABI, shared by the kernel and the user program image.
 *
 * System calls: "sc" with the number in r0 and arguments in r3..r5; the result
 * comes back in r3 (negative errno on failure); every other register is
 * preserved.  The numbers are 32-bit PowerPC Linux's, the semantics are
 * labOS's own (see README.md).
 */
#ifndef LABOS_ABI_H
#define LABOS_ABI_H

/* User address space (identical for every task).  It starts at 256 MB, above
 * anything the kernel maps, so user and kernel translations never overlap. */
#define USER_BASE	0x10000000
#define USER_TEXT	0x10000000	/* the program image: read + execute */
#define USER_HEAP	0x20000000	/* 64 MB of demand-zero read/write memory */
#define USER_HEAP_END	0x24000000
#define USER_STACK_LO	0x7ff00000	/* 1 MB demand-zero stack below USER_TOP */
#define USER_TOP	0x80000000

#define SYS_exit	1	/* exit(status): never returns */
#define SYS_read	3	/* read(fd 0, buf, len): one edited console line */
#define SYS_write	4	/* write(fd 1|2, buf, len) */
#define SYS_time	13	/* time(): r3:r4 = time base, r5 = its frequency */
#define SYS_getpid	20
#define SYS_yield	158	/* sched_yield() */
#define SYS_sleep	162	/* sleep(milliseconds) */

#define E_BADF		9
#define E_FAULT		14
#define E_INVAL		22
#define E_NOSYS		38

/* The program image mapped read+execute at USER_TEXT in every task starts
 * with this header; the kernel finds programs by name through it. */
#ifndef __ASSEMBLER__
#define UIMAGE_MAGIC	0x6c61624fu	/* "labO" */
#define UPROG_HIDDEN	1		/* benchmark helpers: not listed by "run" */

struct uprog {
	const char *name;
	int (*main)(int arg);
	const char *help;
	unsigned flags;
};

struct uimage_header {
	unsigned magic;
	unsigned nprogs;
	const struct uprog *progs;
	void (*start)(int arg, int (*main)(int));	/* user-mode entry */
};

#endif /* __ASSEMBLER__ */
#endif
