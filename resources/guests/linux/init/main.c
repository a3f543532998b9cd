/*
 * Hypervisor Lab Linux guest: /init.
 *
 * Mounts /proc and /sys, puts stdin/stdout/stderr on /dev/console, runs the
 * commands given by the `labinit=` kernel parameter (which the kernel hands
 * to init as the environment variable `labinit`), each echoed after a prompt,
 * and then reads commands from the console. Original code written for this
 * project (MIT, like the rest of the lab).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define PROMPT "# "
#define MAX_LINE 1024
#define MAX_ARGS 64

uint64_t tb_freq = 400000000;

/* ---- output --------------------------------------------------------------- */

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void out_str(const char *s)
{
	write_all(1, s, strlen(s));
}

void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	write_all(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* ---- start-up ------------------------------------------------------------- */

static void setup_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		for (int i = 0; i < 3; i++)
			if (fd != i)
				dup2(fd, i);
		if (fd > 2)
			close(fd);
	}
	/* Canonical input with echo (the kernel's line editing), CR -> NL on
	 * input and NL -> CR NL on output, whatever the driver's defaults. */
	struct termios t;
	if (tcgetattr(0, &t) == 0) {
		t.c_iflag |= ICRNL;
		t.c_iflag &= ~(INLCR | IGNCR);
		t.c_oflag |= OPOST | ONLCR;
		t.c_lflag |= ICANON | ECHO | ECHOE | ECHOK | ISIG;
		tcsetattr(0, TCSANOW, &t);
	}
}

static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
		out("init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

/* devtmpfs on /dev: the kernel's device nodes (ttyS0, the byte channels'
 * ttyEHV0..., null); the descriptors already open on /dev/console stay valid. */
static void mount_dev(void)
{
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
		out("init: mount devtmpfs on /dev: %s\n", strerror(errno));
}

static void read_tb_freq(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		if (strncmp(line, "timebase", 8) == 0 && sscanf(line, "timebase : %llu", &v) == 1 && v)
			tb_freq = v;
	}
	fclose(f);
}

/* ---- commands ------------------------------------------------------------- */

struct command {
	const char *name;
	const char *usage;
	const char *what;
	int (*run)(int argc, char **argv);
};

static const struct command commands[];
static int run_argv(int argc, char **argv);

static int c_help(int argc, char **argv)
{
	out_str("commands:\n");
	for (const struct command *c = commands; c->name; c++)
		out("  %-24s %s\n", c->usage, c->what);
	out("  %-24s %s\n", "/PATH/PROGRAM [ARGS...]", "run a program (fork + execve + wait)");
	return 0;
}

static int c_uname(int argc, char **argv)
{
	struct utsname u;
	int all = 0, s = 0, n = 0, r = 0, v = 0, m = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			out("uname: unknown operand '%s'\n", a);
			return 1;
		}
		for (const char *p = a + 1; *p; p++) {
			switch (*p) {
			case 'a': all = 1; break;
			case 's': s = 1; break;
			case 'n': n = 1; break;
			case 'r': r = 1; break;
			case 'v': v = 1; break;
			case 'm': m = 1; break;
			default:
				out("uname: unknown option '-%c' (use -a, -s, -n, -r, -v, -m)\n", *p);
				return 1;
			}
		}
	}
	if (all)
		s = n = r = v = m = 1;
	if (!(s | n | r | v | m))
		s = 1;
	if (uname(&u) != 0) {
		out("uname: %s\n", strerror(errno));
		return 1;
	}
	const char *parts[5] = { s ? u.sysname : 0, n ? u.nodename : 0, r ? u.release : 0,
				 v ? u.version : 0, m ? u.machine : 0 };
	const char *sep = "";
	for (int i = 0; i < 5; i++) {
		if (parts[i]) {
			out("%s%s", sep, parts[i]);
			sep = " ";
		}
	}
	out_str("\n");
	return 0;
}

static int c_cat(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		out_str("cat: usage: cat FILE...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			out("cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		char buf[1024];
		for (;;) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				out("cat: %s: %s\n", argv[i], strerror(errno));
				status = 1;
				break;
			}
			if (n == 0)
				break;
			write_all(1, buf, (size_t)n);
		}
		close(fd);
	}
	return status;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int c_ls(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	struct stat st;
	if (argc > 2) {
		out_str("ls: usage: ls [DIR]\n");
		return 1;
	}
	if (lstat(dir, &st) != 0) {
		out("ls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		out("%s\n", dir);
		return 0;
	}
	DIR *d = opendir(dir);
	if (!d) {
		out("ls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	size_t n = 0, cap = 64;
	char **names = malloc(cap * sizeof(*names));
	struct dirent *e;
	while (names && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			char **bigger = realloc(names, 2 * cap * sizeof(*names));
			if (!bigger)
				break;
			names = bigger;
			cap *= 2;
		}
		/* A trailing '/' marks directories (like ls -p). */
		int is_dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			struct stat es;
			is_dir = fstatat(dirfd(d), e->d_name, &es, AT_SYMLINK_NOFOLLOW) == 0 &&
				 S_ISDIR(es.st_mode);
		}
		size_t len = strlen(e->d_name);
		char *s = malloc(len + 2);
		if (!s)
			break;
		memcpy(s, e->d_name, len);
		s[len] = is_dir ? '/' : 0;
		s[len + 1] = 0;
		names[n++] = s;
	}
	closedir(d);
	if (!names) {
		out_str("ls: out of memory\n");
		return 1;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		out("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int c_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		out("%s%s", i > 1 ? " " : "", argv[i]);
	out_str("\n");
	return 0;
}

static int c_time(int argc, char **argv)
{
	if (argc < 2) {
		out_str("time: usage: time COMMAND [ARGS...]\n");
		return 1;
	}
	uint64_t t0 = read_tb();
	int status = run_argv(argc - 1, argv + 1);
	uint64_t ticks = read_tb() - t0;
	/* Microseconds with two decimals, from the time-base frequency. */
	uint64_t cus = tb_freq ? ticks * 100000000ull / tb_freq : 0;
	out("time: %llu ticks (%llu.%02llu us at %llu Hz)\n", (unsigned long long)ticks,
	    (unsigned long long)(cus / 100), (unsigned long long)(cus % 100),
	    (unsigned long long)tb_freq);
	return status;
}

static int c_bench(int argc, char **argv)
{
	return bench_main(argc, argv);
}

/* recv DEV: one line from a device (a byte channel's ttyEHVn), without
 * echoing it back to the sender, printed on the console. */
static int c_recv(int argc, char **argv)
{
	if (argc != 2) {
		out_str("recv: usage: recv DEVICE\n");
		return 1;
	}
	int fd = open(argv[1], O_RDONLY | O_NOCTTY);
	if (fd < 0) {
		out("recv: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
		t.c_lflag |= ICANON;
		t.c_iflag |= IGNCR;
		tcsetattr(fd, TCSANOW, &t);
	}
	char line[MAX_LINE + 1];
	size_t len = 0;
	while (len < MAX_LINE) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		if (c != '\r')
			line[len++] = c;
	}
	close(fd);
	line[len] = 0;
	out("%s\n", line);
	return 0;
}

static int c_poweroff(int argc, char **argv)
{
	sync();
	/* Let the console finish sending what is queued: on a multiprocessor
	 * guest the UART's interrupt is served on another CPU, and the kernel's
	 * "Power down" message would otherwise overtake (or cut off) it. */
	tcdrain(STDOUT_FILENO);
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	out("poweroff: %s\n", strerror(errno));
	return 1;
}

static const struct command commands[] = {
	{ "help", "help", "this list", c_help },
	{ "uname", "uname [-a|-snrvm]", "kernel name, version, machine", c_uname },
	{ "cat", "cat FILE...", "print files", c_cat },
	{ "ls", "ls [DIR]", "list a directory, sorted; DIR/ marks directories", c_ls },
	{ "echo", "echo [ARGS...]", "print the arguments", c_echo },
	{ "time", "time COMMAND [ARGS...]", "run a command, print its time-base ticks", c_time },
	{ "bench", "bench [NAME...]", "run the nanobenchmarks (all, or the rows named)", c_bench },
	{ "recv", "recv DEVICE", "print one line read from a device (e.g. /dev/ttyEHV1)", c_recv },
	{ "poweroff", "poweroff", "sync and power the board off", c_poweroff },
	{ 0, 0, 0, 0 },
};

static int run_program(char **argv)
{
	pid_t pid = fork();
	if (pid < 0) {
		out("%s: fork: %s\n", argv[0], strerror(errno));
		return 1;
	}
	if (pid == 0) {
		char *envp[] = { "PATH=/", "TERM=vt100", 0 };
		execve(argv[0], argv, envp);
		out("%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(st)) {
		out("%s: killed by signal %d\n", argv[0], WTERMSIG(st));
		return 1;
	}
	return WEXITSTATUS(st);
}

static int run_argv(int argc, char **argv)
{
	if (argc == 0)
		return 0;
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[0], c->name))
			return c->run(argc, argv);
	if (strchr(argv[0], '/'))
		return run_program(argv);
	out("%s: unknown command (try 'help')\n", argv[0]);
	return 127;
}

/* Split a line into words at blanks; '...' and "..." group words. */
static int split(char *line, char **argv, int max)
{
	int argc = 0;
	char *r = line, *w = line;
	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
			r++;
		if (!*r)
			break;
		if (argc == max - 1) {
			out_str("init: too many arguments\n");
			return -1;
		}
		argv[argc++] = w;
		char quote = 0;
		while (*r && (quote || (*r != ' ' && *r != '\t' && *r != '\r' && *r != '\n'))) {
			if (!quote && (*r == '\'' || *r == '"'))
				quote = *r++;
			else if (quote && *r == quote) {
				quote = 0;
				r++;
			} else
				*w++ = *r++;
		}
		if (quote) {
			out_str("init: unterminated quote\n");
			return -1;
		}
		if (*r)
			r++;
		*w++ = 0;
	}
	argv[argc] = 0;
	return argc;
}

/* COMMAND > FILE and COMMAND >> FILE: the command's output goes to FILE (a
 * byte channel's /dev/ttyEHVn, for instance). */
static int run_redirected(int argc, char **argv)
{
	int append = !strcmp(argv[argc - 2], ">>");
	const char *file = argv[argc - 1];
	int fd = open(file, O_WRONLY | O_CREAT | O_NOCTTY | (append ? O_APPEND : O_TRUNC), 0644);
	if (fd < 0) {
		out("%s: %s\n", file, strerror(errno));
		return 1;
	}
	int saved = dup(1);
	dup2(fd, 1);
	close(fd);
	argv[argc - 2] = 0;
	int status = run_argv(argc - 2, argv);
	dup2(saved, 1);
	close(saved);
	return status;
}

static int run_line(char *line)
{
	char *argv[MAX_ARGS];
	int argc = split(line, argv, MAX_ARGS);
	if (argc < 0)
		return 1;
	if (argc >= 3 && (!strcmp(argv[argc - 2], ">") || !strcmp(argv[argc - 2], ">>")))
		return run_redirected(argc, argv);
	return run_argv(argc, argv);
}

/* ---- the two modes -------------------------------------------------------- */

/* labinit="cmd; cmd; ...": each command is echoed after the prompt first. */
static void run_script(const char *script)
{
	char *copy = strdup(script);
	if (!copy)
		return;
	char *p = copy;
	while (p) {
		char *end = strpbrk(p, ";\n");
		if (end)
			*end = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
			p[--len] = 0;
		if (*p) {
			out("%s%s\n", PROMPT, p);
			run_line(p);
		}
		p = end ? end + 1 : 0;
	}
	free(copy);
}

static void interactive(void)
{
	char line[MAX_LINE + 1];
	size_t len = 0;
	int empty_reads = 0;
	out_str(PROMPT);
	for (;;) {
		ssize_t n = read(0, line + len, MAX_LINE - len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (errno == EAGAIN)
					usleep(10000);
				continue;
			}
			out("init: console read: %s\n", strerror(errno));
			sleep(1);
			continue;
		}
		if (n == 0) {
			/* End of file (^D on an empty line): a fresh prompt, and
			 * no busy loop if the console keeps reporting it. */
			if (++empty_reads > 3)
				usleep(100000);
			if (len == 0)
				out_str("\n" PROMPT);
			continue;
		}
		empty_reads = 0;
		len += (size_t)n;
		/* Run every complete line; keep a partial one for the next read
		 * (the tty delivers lines in canonical mode, but be robust). */
		for (;;) {
			char *nl = memchr(line, '\n', len);
			if (!nl && len < MAX_LINE)
				break;
			size_t used = nl ? (size_t)(nl - line) + 1 : len;
			if (nl)
				*nl = 0;
			else {
				line[len] = 0;
				out_str("\ninit: line too long, ignored\n");
				len = 0;
				out_str(PROMPT);
				break;
			}
			run_line(line);
			memmove(line, line + used, len - used);
			len -= used;
			out_str(PROMPT);
		}
	}
}

int main(int argc, char **argv)
{
	setup_console();
	mount_dev();
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	read_tb_freq();
	const char *script = getenv("labinit");
	if (script && *script)
		run_script(script);
	interactive();
	return 0;
}
