/* rt.c: sandboxpy's runtime, preloaded by the ELF loader into Debian's
 * /usr/bin/python3.11 (child.c exec_interpreter), so that the program runs
 * in the interpreter built with PGO and LTO rather than in one embedded
 * from the static archive (docs/performance.md). It takes main(): glibc's
 * start-up calls rt_main in place of python3.11's, after the loader and
 * every constructor ran, and rt_main never calls the original. It reads
 * the plan from the pipe named in argv and goes on in interp.c,
 * which installs the audit hook before the interpreter exists. Started any
 * other way (no plan), it ends with 125 and runs nothing. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_child_int.h"

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
			void *);

static const char no_plan[] = "sandboxpy: the runtime was started without a plan of its own build; nothing runs\n";

static _Noreturn void no_run(void)
{
	(void)!write(2, no_plan, sizeof(no_plan) - 1);
	_exit(SBX_EXIT_SETUP);
}

/* Everything above stdio but the channel and Landlock's ruleset: the
 * plan's pipe, and the loader's view of the interpreter and of this file. */
static void close_rest(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b, hi = keep_a < keep_b ? keep_b : keep_a;

	if (lo < 3)
		lo = hi;	/* no ruleset (-1) */
	if (lo > 3)
		syscall(SYS_close_range, 3, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0U, 0);
}

/* The block of argument strings the kernel shows as /proc/PID/cmdline
 * (fields 48 and 49 of /proc/self/stat): the loader moved argv past its
 * own options, so argv[0] is not its start. */
static bool arg_block(char **start, char **end)
{
	char buf[1024], *p;
	unsigned long long a = 0, b = 0;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return false;
	for (int field = 2; field < 48 && p; field++)	/* p: the space before field 48 */
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu %llu", &a, &b) != 2 || !a || b <= a)
		return false;
	*start = (char *)(uintptr_t)a;
	*end = (char *)(uintptr_t)b;
	return true;
}

/* The process's command line (/proc/PID/cmdline, ps) becomes the
 * program's, as python3's would read: the strings moved to the start of
 * the block, the rest of it zeroed; and its name. The strings may lie in
 * the block itself (memmove), or anywhere else when they fit. */
void sbx_rt_show(const char *const *argv, size_t argc)
{
	char *start, *end, *to;
	size_t need = 0;

	prctl(PR_SET_NAME, "python3.11");
	for (size_t i = 0; i < argc; i++)
		need += strlen(argv[i]) + 1;
	if (!arg_block(&start, &end) || need > (size_t)(end - start))
		return;
	to = start;
	for (size_t i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		memmove(to, argv[i], n);
		to += n;
	}
	memset(to, 0, (size_t)(end - to));
}

/* A zygote of the warm pool: "z" and its control socket's number where a
 * run's plan descriptor would be (supervisor/pool.c). */
static void maybe_zygote(int argc, char **argv)
{
	const char *a = argv[SBX_RT_ARGV_GUARD_N + 1];
	char *end;
	long fd;

	if (a[0] != 'z' || argc != SBX_RT_ARGV_GUARD_N + 3)
		return;
	errno = 0;
	fd = strtol(a + 1, &end, 10);
	if (errno || *end || fd < 3 || fd > 65535)
		no_run();
	sbx_child_lsan_off();
	prctl(PR_SET_NAME, "python3.11");
	/* Only the socket: nothing else of the supervisor's. */
	if (fd > 3)
		syscall(SYS_close_range, 3, (unsigned)fd - 1, 0);
	syscall(SYS_close_range, (unsigned)fd + 1, ~0U, 0);
	sbx_zygote_main((int)fd);
}

static int rt_main(int argc, char **argv, char **envp)
{
	static struct sbx_rt_plan rp;	/* zero: sbx_rt_unpack fills it */
	char *end;
	long fd;

	static const char *const guard[] = { SBX_RT_ARGV_GUARD };

	(void)envp;
	if (argc < SBX_RT_ARGV_GUARD_N + 3)
		no_run();
	for (int i = 0; i < SBX_RT_ARGV_GUARD_N; i++)
		if (strcmp(argv[1 + i], guard[i]) != 0)
			no_run();
	maybe_zygote(argc, argv);
	errno = 0;
	fd = strtol(argv[SBX_RT_ARGV_GUARD_N + 1], &end, 10);
	if (errno || *end || fd < 3 || fd > 65535 || sbx_rt_unpack((int)fd, &rp) < 0)
		no_run();
	sbx_rt_show((const char *const *)argv + SBX_RT_ARGV_GUARD_N + 2,
		    (size_t)(argc - SBX_RT_ARGV_GUARD_N - 2));
	if (rp.arena_max > 0)
		mallopt(M_ARENA_MAX, rp.arena_max);
	sbx_child_lsan_off();
	sbx_child_chan_no = rp.plan.chan_no;
	memcpy(sbx_child_chan_key, rp.plan.hook.chan_key, sizeof(sbx_child_chan_key));
	sbx_child_audit_only = rp.opts.audit_only;
	close((int)fd);
	/* Nested, the outer filter keeps 3 open (child.c): not handed on. */
	if (sbx_child_chan_no != 3 && close(3) < 0)
		(void)fcntl(3, F_SETFD, FD_CLOEXEC);
	close_rest(sbx_child_chan_no, rp.ruleset);
	/* The program's own children do not get the channel. */
	if (fcntl(SBX_CHAN_FD, F_SETFD, FD_CLOEXEC) < 0)
		sbx_child_fail(SBX_STEP_FDS, errno, NULL);
#ifdef SBX_TEST_SWITCHES
	sbx_fault_injected = rp.fault;
#endif
	sbx_child_interp_main(&rp);
}

/* The one symbol the runtime exports. */
__attribute__((visibility("default"))) int __libc_start_main(main_fn main, int argc, char **argv,
							     void (*init)(void), void (*fini)(void),
							     void (*rtld_fini)(void), void *stack_end);

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end)
{
	start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

	(void)main;
	if (!real)
		no_run();
	return real(rt_main, argc, argv, init, fini, rtld_fini, stack_end);
}
