/*
 * System calls ("sc" from user mode, IVOR8).  Number in r0, arguments in
 * r3..r5, result in r3 (negative errno on failure); see lib/abi.h.  They run
 * with external interrupts enabled and may block.  User buffers are checked
 * against the task's regions first and then accessed directly: a page that is
 * not there yet is faulted in by the same path user mode uses.
 */
#include "kernel.h"

static int32_t sys_write(uint32_t fd, uint32_t buf, uint32_t len)
{
	char kbuf[256];
	if (fd != 1 && fd != 2)
		return -E_BADF;
	if (!user_range_ok(buf, len, 0))
		return -E_FAULT;
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done > sizeof(kbuf) ? sizeof(kbuf) : len - done;
		memcpy(kbuf, (const void *)(buf + done), n);
		task_write(current, kbuf, n);
		done += n;
	}
	return (int32_t)len;
}

/* One edited line from the console, with its newline.  A scripted run has
 * no interactive input: reads see end of file. */
static int32_t sys_read(uint32_t fd, uint32_t buf, uint32_t len)
{
	char kbuf[128];
	if (fd != 0)
		return -E_BADF;
	if (!user_range_ok(buf, len, 1))
		return -E_FAULT;
	if (scripted || len == 0)
		return 0;
	int n = tty_readline(kbuf, sizeof(kbuf) - 1);
	if (n < 0)
		n = 0;
	else
		kbuf[n++] = '\n';
	if ((uint32_t)n > len)
		n = (int)len;
	memcpy((void *)buf, kbuf, (uint32_t)n);
	return n;
}

void do_syscall(struct pt_regs *regs)
{
	if (!(regs->msr & MSR_PR)) {
		/* A supervisor-mode "sc" is a hypercall that no hypervisor took
		 * (QEMU's TCG treats "sc 1" as "sc"): fail it, ePAPR style. */
		regs->gpr[3] = EV_UNIMPLEMENTED;
		return;
	}
	irq_enable();
	uint32_t *r = regs->gpr;
	int32_t ret;
	switch (r[0]) {
	case SYS_exit:
		do_exit((int)r[3]);
	case SYS_read:
		ret = sys_read(r[3], r[4], r[5]);
		break;
	case SYS_write:
		ret = sys_write(r[3], r[4], r[5]);
		break;
	case SYS_time: {
		uint64_t tb = read_tb();
		r[4] = (uint32_t)tb;
		r[5] = boot.tb_freq;
		ret = (int32_t)(uint32_t)(tb >> 32);
		break;
	}
	case SYS_getpid:
		ret = current->pid;
		break;
	case SYS_yield:
		schedule();
		ret = 0;
		break;
	case SYS_sleep: {
		/* Round up to whole ticks, plus one: the current tick is partly
		 * gone.  At most 1000 s. */
		uint32_t ms = r[3] > 1000000 ? 1000000 : r[3];
		sleep_ticks((ms * HZ + 999) / 1000 + 1);	/* < 2^32 */
		ret = 0;
		break;
	}
	default:
		ret = -E_NOSYS;
		break;
	}
	r[3] = (uint32_t)ret;
}
