/*
 * Hypervisor Lab Linux guest: Linux-level nanobenchmarks, in time-base ticks.
 *
 * Rows use labOS's format:
 *   bench <name> <ops> <ticks> <ticks per op, 2 decimals>
 *   bench <name> - - failed
 * Original code written for this project (MIT, like the rest of the lab).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#define PAGE 4096

struct bench {
	const char *name;
	unsigned ops;
	/* Runs `ops` operations; stores the elapsed ticks; 0 on success. */
	int (*run)(unsigned ops, uint64_t *ticks);
};

static void row(const char *name, unsigned ops, uint64_t ticks)
{
	uint64_t hundredths = ops ? ticks * 100 / ops : 0;
	out("bench %s %u %llu %llu.%02u\n", name, ops, (unsigned long long)ticks,
	    (unsigned long long)(hundredths / 100), (unsigned)(hundredths % 100));
}

/* Wait for a child; 0 if it exited with status 0. */
static int reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int read_full(int fd, void *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		return r == (ssize_t)n ? 0 : -1;
	}
}

static int write_full(int fd, const void *buf, size_t n)
{
	for (;;) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		return w == (ssize_t)n ? 0 : -1;
	}
}

/* One raw system call that does nothing (getpid; glibc would not cache it
 * anyway, but syscall() makes sure). */
static int b_null_syscall(unsigned ops, uint64_t *ticks)
{
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < ops; i++)
		syscall(SYS_getpid);
	*ticks = read_tb() - t0;
	return 0;
}

/* getppid: a system call that reads the parent through RCU. */
static int b_getppid(unsigned ops, uint64_t *ticks)
{
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < ops; i++)
		syscall(SYS_getppid);
	*ticks = read_tb() - t0;
	return 0;
}

/* First store to each page of a fresh anonymous mapping. */
static int b_page_fault(unsigned ops, uint64_t *ticks)
{
	size_t len = (size_t)ops * PAGE;
	volatile char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < ops; i++)
		p[(size_t)i * PAGE] = 1;
	*ticks = read_tb() - t0;
	munmap((void *)p, len);
	return 0;
}

/* fork, the child exits at once, the parent waits for it and reaps it. */
static int b_fork_exit(unsigned ops, uint64_t *ticks)
{
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < ops; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		if (reap(pid) != 0)
			return -1;
	}
	*ticks = read_tb() - t0;
	return 0;
}

/* One byte to the child through a pipe and one byte back. */
static int b_pipe_pingpong(unsigned ops, uint64_t *ticks)
{
	int down[2], up[2];
	char c = 0;
	if (pipe(down) != 0)
		return -1;
	if (pipe(up) != 0) {
		close(down[0]);
		close(down[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		for (unsigned i = 0; i < ops; i++)
			if (read_full(down[0], &c, 1) || write_full(up[1], &c, 1))
				_exit(1);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	int ok = 0;
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < ops && ok == 0; i++)
		ok = write_full(down[1], &c, 1) || read_full(up[0], &c, 1) ? -1 : 0;
	*ticks = read_tb() - t0;
	close(down[1]);
	close(up[0]);
	return reap(pid) || ok ? -1 : 0;
}

/* Two processes call sched_yield in turn; ops = yields of both together,
 * each one a switch to the other process. */
static int b_ctx_switch(unsigned ops, uint64_t *ticks)
{
	int ready[2];
	char c = 0;
	unsigned half = ops / 2;
	if (pipe(ready) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(ready[0]);
		if (write_full(ready[1], &c, 1))
			_exit(1);
		for (unsigned i = 0; i < half; i++)
			sched_yield();
		_exit(0);
	}
	close(ready[1]);
	int ok = read_full(ready[0], &c, 1);
	close(ready[0]);
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < half; i++)
		sched_yield();
	int r = reap(pid);
	*ticks = read_tb() - t0;
	return r || ok ? -1 : 0;
}

/* mmap one anonymous page (not touched) and munmap it. */
static int b_mmap_munmap(unsigned ops, uint64_t *ticks)
{
	uint64_t t0 = read_tb();
	for (unsigned i = 0; i < ops; i++) {
		void *p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p, PAGE) != 0)
			return -1;
	}
	*ticks = read_tb() - t0;
	return 0;
}

static volatile sig_atomic_t alarms, alarms_wanted;

static void on_alarm(int sig)
{
	/* The handler stops the timer itself: when signals come back to back
	 * the interrupted loop below may not run between two of them. */
	if (++alarms >= alarms_wanted) {
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, 0);
	}
}

/* A 1 us interval timer (ITIMER_REAL, an hrtimer on the decrementer) whose
 * SIGALRM handler counts. The kernel re-arms the timer when it takes the
 * signal, so once timer interrupt + signal delivery + handler + sigreturn
 * cost more than 1 us the signals come back to back: ticks per delivered
 * signal (never less than 1 us of time base). */
static int b_timer_signal(unsigned ops, uint64_t *ticks)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) != 0)
		return -1;
	struct itimerval it = { { 0, 1 }, { 0, 1 } }, off = { { 0, 0 }, { 0, 0 } };
	alarms = 0;
	alarms_wanted = (sig_atomic_t)ops;
	uint64_t t0 = read_tb();
	uint64_t limit = t0 + tb_freq * 2; /* give up after 2 s of guest time */
	int ok = setitimer(ITIMER_REAL, &it, 0);
	while (ok == 0 && alarms < (sig_atomic_t)ops) {
		if (read_tb() > limit)
			ok = -1;
	}
	uint64_t t1 = read_tb();
	setitimer(ITIMER_REAL, &off, 0);
	sigaction(SIGALRM, &old, 0);
	*ticks = t1 - t0;
	return ok;
}

static const struct bench benches[] = {
	{ "null_syscall", 2000, b_null_syscall },
	{ "getppid", 2000, b_getppid },
	{ "page_fault", 256, b_page_fault },
	{ "fork_exit", 40, b_fork_exit },
	{ "pipe_pingpong", 400, b_pipe_pingpong },
	{ "ctx_switch", 2000, b_ctx_switch },
	{ "mmap_munmap", 200, b_mmap_munmap },
	{ "timer_signal", 200, b_timer_signal },
	{ 0, 0, 0 },
};

static void run_one(const struct bench *b)
{
	uint64_t ticks = 0;
	if (b->run(b->ops, &ticks) == 0)
		row(b->name, b->ops, ticks);
	else
		out("bench %s - - failed\n", b->name);
}

int bench_main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		for (const struct bench *b = benches; b->name; b++)
			run_one(b);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const struct bench *b = benches;
		while (b->name && strcmp(b->name, argv[i]))
			b++;
		if (b->name) {
			run_one(b);
			continue;
		}
		out("bench: unknown benchmark '%s'; rows:", argv[i]);
		for (b = benches; b->name; b++)
			out(" %s", b->name);
		out_str("\n");
		status = 1;
	}
	return status;
}
