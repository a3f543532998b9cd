/*
 * Tasks and scheduling.
 *
 * A fixed table of 16 task slots, each with an 8 KB kernel stack.  Slot 0 is
 * the idle task (the boot context), slot 1 the shell (a kernel thread); user
 * tasks use the rest, and slot i's MMU context (PID) is i.  Scheduling is
 * round robin over the table, with a time slice of SLICE ticks; the kernel
 * itself is not preemptible (like classic Unix): a task loses the CPU when it
 * blocks, yields, or when need_resched is found set on the way back to user
 * mode.  Blocking uses V6-style wait channels: sleep_on(chan) / wakeup(chan),
 * always with external interrupts off around the condition test.
 */
#include "kernel.h"

#define SLICE	4	/* ticks (ms) */

struct task tasks[NTASKS];
struct task *current = &tasks[0];
volatile int need_resched;
uint8_t kstacks[NTASKS][KSTACK_SIZE] __attribute__((aligned(16)));
uint32_t tasks_started;
static char capture_bufs[NTASKS][CAPTURE_SIZE];
static int next_pid = 1;
static uint32_t cur_pid_reg;	/* what SPRN_PID holds (switched lazily) */

/* The software reservation of the lwarx/stwcx. alignment emulation (traps.c):
 * a context switch ends it, as it would end a real one. */
uint32_t emu_resv_addr;
int emu_resv_valid;

static const struct uimage_header *uimage(void)
{
	return (const struct uimage_header *)user_image_kva;
}

/* User-image pointers are user addresses; the kernel reads the same bytes
 * through its own mapping of the image. */
const char *uprog_str(const char *user_ptr)
{
	return (const char *)(user_image_kva + ((uint32_t)user_ptr - USER_TEXT));
}

const struct uprog *uprog_at(unsigned i)
{
	const struct uimage_header *h = uimage();
	if (h->magic != UIMAGE_MAGIC || i >= h->nprogs)
		return 0;
	return (const struct uprog *)uprog_str((const char *)h->progs) + i;
}

const struct uprog *uprog_find(const char *name)
{
	const struct uprog *p;
	for (unsigned i = 0; (p = uprog_at(i)); i++)
		if (!strcmp(uprog_str(p->name), name))
			return p;
	return 0;
}

void sched_init(void)
{
	struct task *idle = &tasks[0];
	idle->state = T_RUNNABLE;
	idle->pid = 0;
	strlcpy_(idle->name, "idle", sizeof(idle->name));
	idle->th.ksp_top = (uint32_t)kstacks[0] + KSTACK_SIZE;
	idle->last_in = read_tb();
	idle->switches = 1;
	mtspr(SPRN_SPRG3, &idle->th);
}

static struct task *alloc_slot(void)
{
	for (int i = 1; i < NTASKS; i++)
		if (tasks[i].state == T_FREE) {
			struct task *t = &tasks[i];
			memset(t, 0, sizeof(*t));
			t->cap_buf = capture_bufs[i];
			t->th.ctx = (uint32_t)i;
			t->th.ksp_top = (uint32_t)kstacks[i] + KSTACK_SIZE;
			return t;
		}
	return 0;
}

/* Lay out a fresh kernel stack so that _switch() "returns" into
 * ret_from_fork with r14 = fn (0 for user tasks) and r15 = arg, and r1 at the
 * pt_regs frame a user task will rfi from. */
static struct pt_regs *prepare_stack(struct task *t, uint32_t fn, uint32_t arg)
{
	uint32_t frame = t->th.ksp_top - INT_FRAME_SIZE;
	uint32_t sf = frame - SWITCH_FRAME;
	memset((void *)sf, 0, SWITCH_FRAME + INT_FRAME_SIZE);
	((uint32_t *)frame)[1] = (uint32_t)ret_from_fork;	/* LR save word */
	((uint32_t *)sf)[3 + (14 - 13)] = fn;			/* r14 */
	((uint32_t *)sf)[3 + (15 - 13)] = arg;			/* r15 */
	t->th.ksp = sf;
	return (struct pt_regs *)(frame + STACK_FRAME_OVERHEAD);
}

static void make_runnable(struct task *t, struct task *parent)
{
	t->parent = parent;
	t->slice = SLICE;
	t->pid = next_pid++;
	tasks_started++;
	t->state = T_RUNNABLE;
}

struct task *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	uint32_t f = irq_save();
	struct task *t = alloc_slot();
	if (t) {
		strlcpy_(t->name, name, sizeof(t->name));
		prepare_stack(t, (uint32_t)fn, (uint32_t)arg);
		make_runnable(t, 0);
	}
	irq_restore(f);
	return t;
}

struct task *spawn_user(const struct uprog *p, int arg, int capture)
{
	uint32_t f = irq_save();
	struct task *t = alloc_slot();
	if (!t || mm_create(t) < 0) {
		irq_restore(f);
		return 0;
	}
	t->is_user = 1;
	t->capture = capture;
	strlcpy_(t->name, uprog_str(p->name), sizeof(t->name));
	tlb_flush_context(t->th.ctx);	/* nothing stale from a previous owner */

	struct pt_regs *regs = prepare_stack(t, 0, 0);
	regs->nip = (uint32_t)uimage()->start;
	regs->msr = MSR_USER;
	regs->gpr[1] = USER_TOP - 16;
	regs->gpr[3] = (uint32_t)arg;
	regs->gpr[4] = (uint32_t)p->main;
	make_runnable(t, current);
	irq_restore(f);
	return t;
}

static struct task *pick_next(void)
{
	int start = (int)(current - tasks);
	for (int k = 1; k <= NTASKS; k++) {
		int i = (start + k) % NTASKS;
		if (i != 0 && tasks[i].state == T_RUNNABLE)
			return &tasks[i];
	}
	return &tasks[0];
}

void schedule(void)
{
	uint32_t f = irq_save();
	struct task *prev = current, *next;

	need_resched = 0;
	next = pick_next();
	if (next != prev) {
		uint64_t now = read_tb();
		prev->cpu_ticks += now - prev->last_in;
		next->last_in = now;
		next->switches++;
		next->slice = SLICE;
		/* Kernel threads never touch user memory, so the PID of the last
		 * user task can stay loaded while one runs (Linux's lazy TLB). */
		if (next->is_user && next->th.ctx != cur_pid_reg) {
			cur_pid_reg = next->th.ctx;
			mtspr(SPRN_PID, cur_pid_reg);
			isync();
		}
		emu_resv_valid = 0;
		current = next;
		_switch(&prev->th, &next->th);
	}
	irq_restore(f);
}

/* Call with external interrupts off, after finding the awaited condition
 * false; returns (interrupts still off) once someone called wakeup(chan). */
void sleep_on(void *chan)
{
	current->wchan = chan;
	current->state = T_BLOCKED;
	schedule();
}

void wakeup(void *chan)
{
	uint32_t f = irq_save();
	for (int i = 1; i < NTASKS; i++)
		if (tasks[i].state == T_BLOCKED && tasks[i].wchan == chan) {
			tasks[i].state = T_RUNNABLE;
			tasks[i].wchan = 0;
			need_resched = 1;
		}
	irq_restore(f);
}

void sleep_ticks(uint64_t ticks)
{
	uint32_t f = irq_save();
	current->wake_at = jiffies + ticks;
	current->state = T_SLEEPING;
	schedule();
	irq_restore(f);
}

/* From the decrementer interrupt. */
void sched_tick(void)
{
	for (int i = 1; i < NTASKS; i++)
		if (tasks[i].state == T_SLEEPING && tasks[i].wake_at <= jiffies) {
			tasks[i].state = T_RUNNABLE;
			need_resched = 1;
		}
	if (current != &tasks[0] && --current->slice <= 0)
		need_resched = 1;
}

/* Last thing before rfi to user mode (entry.S), with EE off. */
void exit_to_user(struct pt_regs *regs)
{
	(void)regs;
	while (need_resched)
		schedule();
}

NORETURN void do_exit(int code)
{
	irq_disable();
	struct task *t = current;
	t->exit_code = code;
	mm_destroy(t);
	t->state = T_ZOMBIE;
	if (t->parent)
		wakeup(t->parent);
	schedule();
	panic("zombie %d ran again", t->pid);
}

void kthread_exit(void)
{
	do_exit(0);
}

void task_write(struct task *t, const char *s, uint32_t n)
{
	if (!t->capture) {
		console_write(s, n);
		return;
	}
	uint32_t room = CAPTURE_SIZE - t->cap_len;
	if (n > room)
		n = room;
	memcpy(t->cap_buf + t->cap_len, s, n);
	t->cap_len += n;
}

int task_printf(struct task *t, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	int n = vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	task_write(t, buf, (uint32_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
	return n;
}

/* A user task did something fatal: say so on its own output, then exit.
 * Called from exception context on the task's kernel stack. */
NORETURN void kill_current(struct pt_regs *regs, const char *fmt, ...)
{
	char reason[120];
	va_list ap;
	va_start(ap, fmt);
	vfmt(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	current->killed = 1;
	task_printf(current, "labos: killed task %d (%s): %s, pc 0x%08x\n", current->pid,
		    current->name, reason, regs->nip);
	do_exit(-1);
}

/* Block until every listed child is a zombie. */
void wait_for_children(struct task **kids, int n)
{
	uint32_t f = irq_save();
	for (;;) {
		int alive = 0;
		for (int i = 0; i < n; i++)
			if (kids[i] && kids[i]->state != T_ZOMBIE)
				alive = 1;
		if (!alive)
			break;
		sleep_on(current);
	}
	irq_restore(f);
}

/* Free a zombie's slot.  Its stack is no longer in use: it switched away
 * for the last time inside do_exit(). */
void task_reap(struct task *t)
{
	uint32_t f = irq_save();
	if (t->state == T_ZOMBIE)
		t->state = T_FREE;
	irq_restore(f);
}

const char *task_state_name(struct task *t)
{
	if (t == current)
		return "running";
	switch (t->state) {
	case T_RUNNABLE: return "ready";
	case T_SLEEPING: return "sleeping";
	case T_BLOCKED: return "blocked";
	case T_ZOMBIE: return "zombie";
	default: return "free";
	}
}

static int any_in_state(enum task_state st)
{
	for (int i = 1; i < NTASKS; i++)
		if (tasks[i].state == st)
			return 1;
	return 0;
}

/* If an interrupt arrived between the idle loop's wrteei 1 and its wait,
 * return past the wait instead of into it (the wake-up already happened). */
void idle_wakeup_fixup(struct pt_regs *regs)
{
	if (regs->nip == (uint32_t)idle_wait_insn)
		regs->nip += 4;
}

NORETURN void idle_loop(void)
{
	for (;;) {
		irq_disable();
		if (!any_in_state(T_RUNNABLE)) {
			if (!any_in_state(T_SLEEPING)) {
				if (hv_channels_polled())
					tick_slow();	/* channels without interrupts are polled from the tick */
				else
					tick_stop();
			}
			cpu_idle_wait();	/* returns after an interrupt, EE on */
			irq_disable();
			if (tick_stopped) {
				tick_stopped = 0;
				program_next_tick();
			}
		}
		schedule();
		irq_enable();
	}
}
