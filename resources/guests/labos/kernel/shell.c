/*
 * The labOS shell: a kernel thread on the console.
 *
 * Interactive when /chosen/bootargs is empty: prompt "labos> ", edited line
 * input (tty_readline).  Scripted otherwise: bootargs is a list of commands
 * separated by ';', each echoed after the prompt as if typed, then run; the
 * machine is powered off at the end.
 *
 * Lines that carry timings (and so differ from run to run) start with
 * "bench ", "uptime " or "ps "; everything else the shell prints is the same
 * on every run and on every correct e500mc.
 */
#include "kernel.h"

#define MAX_ARGS	16
#define MAX_RUN		8

int scripted;

static int split_args(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	while (*p && argc < MAX_ARGS) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

/* argv[from..] joined by single spaces into buf. */
static void join_args(char *buf, uint32_t size, int argc, char **argv, int from)
{
	uint32_t n = 0;
	buf[0] = 0;
	for (int i = from; i < argc; i++) {
		n += (uint32_t)sfmt(buf + n, size - n, "%s%s", i > from ? " " : "", argv[i]);
		if (n >= size)
			break;
	}
}

static void cmd_help(void)
{
	static const char *const lines[] = {
		"commands:",
		"  help                  this list",
		"  echo <text>           print the text",
		"  uptime                time since boot",
		"  ps                    list tasks",
		"  run                   list the user programs",
		"  run <prog> [<prog>..] run programs at once (output of several is held",
		"                        until all have ended, then shown in order)",
		"  bench                 run every benchmark",
		"  bench <name>          run one benchmark; 'bench list' names them",
		"  smp                   start the other CPUs (from the spin table)",
		"  smp bench             IPI round trip, TLB shootdown, contended lwarx",
		"  send <guest> <text>   send a line over the byte channel to <guest>",
		"  poweroff              flush the console and stop the machine",
	};
	for (unsigned i = 0; i < ARRAY_SIZE(lines); i++)
		printk("%s\n", lines[i]);
}

static void cmd_uptime(void)
{
	uint32_t cs;
	uint64_t s = udiv64_32(udiv64_32((read_tb() - boot_tb) * 100, boot.tb_freq, 0), 100, &cs);
	printk("uptime %llu.%02u s, %llu ticks, %u tasks started, %u KB free\n", s, cs, jiffies,
	       tasks_started, frames_free() * (PAGE_SIZE / 1024));
}

static void cmd_ps(void)
{
	uint64_t now = read_tb();
	printk("ps PID STATE NAME CPU_TICKS SWITCHES\n");
	for (int i = 0; i < NTASKS; i++) {
		struct task *t = &tasks[i];
		if (t->state == T_FREE)
			continue;
		uint64_t cpu = t->cpu_ticks + (t == current ? now - t->last_in : 0);
		printk("ps %d %s %s %llu %u\n", t->pid, task_state_name(t), t->name, cpu, t->switches);
	}
}

static void list_programs(void)
{
	const struct uprog *p;
	printk("programs:\n");
	for (unsigned i = 0; (p = uprog_at(i)); i++)
		if (!(p->flags & UPROG_HIDDEN))
			printk("  %-8s %s\n", uprog_str(p->name), uprog_str(p->help));
}

/* Start the programs together, wait for all of them, then report.  With
 * more than one, each task's output is captured and shown afterwards in
 * start order: the console then reads the same however the scheduler
 * interleaved them (the idea of make's --output-sync). */
static void cmd_run(int argc, char **argv)
{
	const struct uprog *progs[MAX_RUN];
	struct task *kids[MAX_RUN] = { 0 };
	int n = argc - 1;

	if (n == 0) {
		list_programs();
		return;
	}
	if (n > MAX_RUN) {
		printk("run: at most %d programs at once\n", MAX_RUN);
		return;
	}
	for (int i = 0; i < n; i++)
		if (!(progs[i] = uprog_find(argv[i + 1]))) {
			printk("run: unknown program '%s' (type 'run' for the list)\n", argv[i + 1]);
			return;
		}
	for (int i = 0; i < n; i++)
		if (!(kids[i] = spawn_user(progs[i], 0, n > 1)))
			printk("run: cannot start '%s': no free task slot or memory\n", argv[i + 1]);
	wait_for_children(kids, n);
	for (int i = 0; i < n; i++) {
		struct task *t = kids[i];
		if (!t)
			continue;
		if (t->capture)
			console_write(t->cap_buf, t->cap_len);
		if (t->killed)
			printk("[%d] %s: killed\n", t->pid, t->name);
		else
			printk("[%d] %s: exit %d\n", t->pid, t->name, t->exit_code);
		task_reap(t);
	}
}

static void cmd_send(int argc, char **argv, char *buf, uint32_t size)
{
	if (argc < 3) {
		printk("send: usage: send <guest> <text>\n");
		return;
	}
	int ch = hv_find_channel(argv[1]);
	if (ch < 0) {
		printk("send: no byte channel to '%s'%s\n", argv[1],
		       boot.has_hv ? "" : " (no hypervisor)");
		return;
	}
	join_args(buf, size - 1, argc, argv, 2);
	uint32_t len = (uint32_t)strlen(buf);
	buf[len++] = '\n';
	int status = hv_send(ch, buf, len);
	if (status)
		printk("send: hypercall failed with status %d\n", status);
	else
		printk("send: %u bytes to %s\n", len, argv[1]);
}

static void cmd_poweroff(void)
{
	printk("Powering off.\n");
	machine_poweroff();
}

int shell_exec(char *line)
{
	char *argv[MAX_ARGS];
	static char buf[512];
	int argc = split_args(line, argv);

	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "help")) {
		cmd_help();
	} else if (!strcmp(argv[0], "echo")) {
		join_args(buf, sizeof(buf), argc, argv, 1);
		printk("%s\n", buf);
	} else if (!strcmp(argv[0], "uptime")) {
		cmd_uptime();
	} else if (!strcmp(argv[0], "ps")) {
		cmd_ps();
	} else if (!strcmp(argv[0], "run")) {
		cmd_run(argc, argv);
	} else if (!strcmp(argv[0], "bench")) {
		bench_command(argc, argv);
	} else if (!strcmp(argv[0], "smp")) {
		smp_command(argc, argv);
	} else if (!strcmp(argv[0], "send")) {
		cmd_send(argc, argv, buf, sizeof(buf));
	} else if (!strcmp(argv[0], "poweroff")) {
		cmd_poweroff();
	} else {
		printk("unknown command: %s (type 'help')\n", argv[0]);
		return -1;
	}
	return 0;
}

void shell_main(void *arg)
{
	static char line[256];
	(void)arg;

	if (boot.bootargs[0]) {
		scripted = 1;
		char *p = boot.bootargs;
		while (*p) {
			char *cmd = p;
			while (*p && *p != ';')
				p++;
			if (*p)
				*p++ = 0;
			while (*cmd == ' ' || *cmd == '\t')
				cmd++;
			uint32_t n = (uint32_t)strlen(cmd);
			while (n && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t'))
				cmd[--n] = 0;
			if (!n)
				continue;
			printk("labos> %s\n", cmd);
			strlcpy_(line, cmd, sizeof(line));
			shell_exec(line);
		}
		cmd_poweroff();
	}
	for (;;) {
		printk("labos> ");
		if (tty_readline(line, sizeof(line)) >= 0)
			shell_exec(line);
	}
}
