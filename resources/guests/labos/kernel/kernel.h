/* labOS kernel-wide declarations. */
#ifndef LABOS_KERNEL_H
#define LABOS_KERNEL_H
#include "arch.h"
#include "../lib/lib.h"
#include "../lib/abi.h"

#define NORETURN __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define LABOS_VERSION	"1.0"
#define HZ		1000		/* scheduler tick */

/* ---- boot information from the flattened device tree (fdt.c) ---- */
#define MAX_CHANNELS	8
struct byte_channel {
	uint32_t handle;
	char label[32];
	int dead;		/* a receive failed: stop polling it */
	int has_irq;		/* the tree gives it interrupts (else it is polled) */
	uint32_t rx_irq;	/* MPIC source asserted while bytes wait */
	char line[128];		/* partial received line */
	uint32_t line_len;
};

#define MAX_CPUS	8

struct boot_info {
	int fdt_ok;
	/* CPU nodes (the boot CPU first): their reg and spin-table address (0: none). */
	uint32_t ncpus;
	uint32_t cpu_reg[MAX_CPUS];
	uint64_t cpu_release[MAX_CPUS];
	uint64_t ram_size;
	uint32_t tb_freq;
	uint32_t dcache_line;	/* 0 if the tree does not say */
	char bootargs[1024];
	int has_hv;
	int pv_requested;	/* boot flag "pv=on" */
	uint32_t hcall_insns[4];
	int hcall_ninsns;
	int nchan;
	struct byte_channel chan[MAX_CHANNELS];
};
extern struct boot_info boot;
int fdt_parse(uint32_t dtb);

/* ---- secondary CPUs (smp.c) ---- */
void smp_command(int argc, char **argv);
extern volatile uint32_t smp_doorbells;	/* doorbells the boot CPU has taken */

/* ---- console (console.c) ---- */
void uart_early_init(void);
void console_irq_init(void);
void console_write(const char *s, uint32_t n);
void console_drain(void);
void console_polled(void);	/* panic: drain and stay polled */
void uart_interrupt(void);
int tty_readline(char *buf, int size);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- interrupt controller (mpic.c) ---- */
#define UART_IRQ	42
void mpic_init(void);
void mpic_enable_source(unsigned src, unsigned prio);
void mpic_mask_source(unsigned src);

/* ---- time (time.c) ---- */
extern volatile uint64_t jiffies;
extern uint64_t boot_tb;	/* time base at kmain */
void time_init(void);
void program_next_tick(void);
void tick_stop(void);
/* Idle with byte channels that have no interrupt: a tick every IDLE_POLL_TICKS (20 ms). */
#define IDLE_POLL_TICKS 20
void tick_slow(void);
extern int tick_stopped;
extern volatile int dec_bench_active;
extern volatile uint32_t dec_bench_hits;

/* ---- memory (mm.c) ---- */
extern uint32_t lowmem_size;
void map_ccsr(void);
void tlb1_write(int esel, uint32_t mas1, uint32_t mas2, uint32_t mas3, uint32_t mas7);
void mm_init(void);
uint32_t frame_alloc(void);
uint32_t frame_alloc_zeroed(void);
void frame_free(uint32_t pa);
uint32_t frames_free(void);
struct task;
int mm_create(struct task *t);
void mm_destroy(struct task *t);
void tlb_flush_context(uint32_t ctx);
int user_range_ok(uint32_t addr, uint32_t len, int write);
extern uint32_t user_image_kva, user_image_size;
#define ACC_READ	0
#define ACC_WRITE	1
#define ACC_EXEC	2

/* ---- tasks (sched.c) ---- */
#define NTASKS		16
#define CAPTURE_SIZE	2048
enum task_state { T_FREE, T_RUNNABLE, T_SLEEPING, T_BLOCKED, T_ZOMBIE };

struct task {
	struct thread th;	/* first: assembly and SPRG3 use it */
	enum task_state state;
	int pid;
	char name[16];
	int is_user;
	void *wchan;		/* what a blocked task waits for */
	uint64_t wake_at;	/* jiffies, for T_SLEEPING */
	int slice;		/* ticks left in the time slice */
	uint64_t cpu_ticks;	/* time base ticks spent running */
	uint64_t last_in;	/* time base when last switched in */
	uint32_t switches;	/* times switched in */
	int exit_code;
	int killed;
	struct task *parent;
	int capture;		/* hold output in cap_buf (see shell "run") */
	uint32_t cap_len;
	char *cap_buf;
};

extern struct task tasks[NTASKS];
extern struct task *current;
extern volatile int need_resched;
extern uint8_t kstacks[NTASKS][KSTACK_SIZE];
extern uint32_t tasks_started;
void sched_init(void);
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg);
const struct uprog *uprog_find(const char *name);
const struct uprog *uprog_at(unsigned i);
const char *uprog_str(const char *user_ptr);
struct task *spawn_user(const struct uprog *p, int arg, int capture);
void schedule(void);
void sleep_on(void *chan);
void wakeup(void *chan);
void sleep_ticks(uint64_t ticks);
void sched_tick(void);
void wait_for_children(struct task **kids, int n);
void task_reap(struct task *t);
void task_write(struct task *t, const char *s, uint32_t n);
int task_printf(struct task *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
NORETURN void do_exit(int code);
NORETURN void kill_current(struct pt_regs *regs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
NORETURN void idle_loop(void);
void idle_wakeup_fixup(struct pt_regs *regs);
const char *task_state_name(struct task *t);
extern uint32_t emu_resv_addr;
extern int emu_resv_valid;

/* ---- traps (traps.c) ---- */
NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void show_regs(struct pt_regs *regs);
void setup_vectors(void);
NORETURN void machine_poweroff(void);

/* ---- hypervisor services (hv.c) ---- */
struct hcall_regs { uint32_t r[9]; };	/* r3..r10, then r11 (token) */
int epapr_hcall(struct hcall_regs *r);
void hv_init(void);
/* paravirtual page (pv.c): returns null when in use, else why not */
const char *pv_init(void);
extern int pv_enabled;
extern uint32_t pv_patched;
int hv_find_channel(const char *label);
int hv_send(int ch, const char *buf, uint32_t len);
void hv_poll_channels(void);
void hv_enable_interrupts(void);
int hv_channel_interrupt(unsigned vec);
int hv_channels_polled(void);
int hv_poll_once(int ch);
#define EV_SUCCESS	0
#define EV_EAGAIN	4
#define EV_UNIMPLEMENTED 12

/* ---- shell and benchmarks ---- */
extern int scripted;
void shell_main(void *arg);
int shell_exec(char *line);
void bench_command(int argc, char **argv);

/* ---- assembly (entry.S) ---- */
void _switch(struct thread *prev, struct thread *next);
void ret_from_fork(void);
void cpu_idle_wait(void);
extern uint32_t idle_wait_insn[];
extern uint32_t hcall_insns[];
extern char ivpr_base[];

#endif
