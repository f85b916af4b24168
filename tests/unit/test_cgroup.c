/* test_cgroup.c: the run's cgroup v2 group and the clone into it
 * (cgroup.c, clone.c), on whatever v2 hierarchy this machine mounts. A
 * machine with v1 controllers and an empty v2 hierarchy beside them
 * (/sys/fs/cgroup/unified) takes the v2 path for a policy that limits CPU
 * only: the child is born in the group (seen from inside as its first
 * action and from outside), its CPU is counted in cpu.stat, cgroup.kill
 * ends all of it; a descriptor that is not a cgroup falls back to a plain
 * clone that the caller migrates. On v1, the child joins its groups
 * itself (sbx_cgroup_join) and the supervisor's check sees it, once
 * it has (sbx_cgroup_wait_join). Each
 * part is skipped where its hierarchy is not writable;
 * the v2 controllers' limits (memory.max, pids.max) need a machine that
 * delegates them (docs/performance.md). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sbx_spawn.h"
#include "sbx_supervisor.h"

static const struct sbx_limits cpu_only = {
	.cpu_seconds = 10, .wall_seconds = -1, .memory_mb = -1, .tasks = -1,
	.open_files = -1, .file_size_mb = -1, .stack_mb = -1,
};

/* The "0::" line of a /proc/.../cgroup file, or "" */
static void v2_line(const char *file, char *out, size_t cap)
{
	char line[PATH_MAX];
	FILE *f = fopen(file, "re");

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, cap, "%s", line + 3);
		}
	if (f)
		fclose(f);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

static void burn_cpu(double seconds)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

/* A group for a CPU-only policy, or skip when this machine has no v2
 * hierarchy we may write. */
static void v2_group(struct sbx_cgroup *cg)
{
	sbx_cgroup_setup(cg, &cpu_only);
	if (cg->version != 2 || cg->into_fd < 0) {
		sbx_cgroup_destroy(cg);
		skip();
	}
	assert_true(cg->cpu);
	assert_false(cg->memory);
	assert_false(cg->pids);
}

/* The child, born in the group: its first action reads its own cgroup and
 * reports it; then it burns CPU, forks one more process, and waits. */
static _Noreturn void child_body(int wr)
{
	char own[PATH_MAX];

	v2_line("/proc/self/cgroup", own, sizeof(own));
	(void)!write(wr, own, strlen(own) + 1);
	burn_cpu(0.2);
	if (fork() == 0)
		for (;;)
			pause();
	for (;;)
		pause();
}

static void test_clone_into(void **state)
{
	struct sbx_cgroup cg;
	struct sbx_ns ns = { .sync = { -1, -1 }, .status = { -1, -1 }, .idmap_fd = -1 };
	char inside[PATH_MAX] = "", outside[PATH_MAX], procs[PATH_MAX + 16], path[64];
	const char *base;
	bool into;
	int p[2], st;
	pid_t pid;

	(void)state;
	v2_group(&cg);
	base = strrchr(cg.mem, '/');
	assert_non_null(base);
	assert_int_equal(pipe(p), 0);
	pid = sbx_ns_clone(&ns, cg.into_fd, &into);
	if (pid == 0) {
		close(p[0]);
		child_body(p[1]);
	}
	assert_true(pid > 0);
	assert_true(into);
	close(p[1]);
	assert_true(read(p[0], inside, sizeof(inside) - 1) > 0);
	close(p[0]);
	assert_true(ends_with(inside, base));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	v2_line(path, outside, sizeof(outside));
	assert_string_equal(inside, outside);

	/* The group counts the child's CPU from its start. */
	for (int i = 0; i < 100 && sbx_cgroup_cpu_seconds(&cg) < 0.15; i++)
		usleep(10000);
	assert_true(sbx_cgroup_cpu_seconds(&cg) >= 0.15);

	/* cgroup.kill ends the child and what it forked; the group empties. */
	snprintf(procs, sizeof(procs), "%s/cgroup.kill", cg.mem);
	st = open(procs, O_WRONLY | O_CLOEXEC);
	assert_true(st >= 0);
	assert_int_equal(write(st, "1", 1), 1);
	close(st);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg.mem);
	for (int i = 0; i < 100; i++) {
		char buf[64];
		int fd = open(procs, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		if (n == 0)
			break;
		usleep(10000);
	}
	for (int i = 0; i < 2; i++) {
		close(ns.sync[i]);
		close(ns.status[i]);
	}
	sbx_cgroup_destroy(&cg);
	/* Removed: it was empty. */
	assert_int_equal(access(procs, F_OK), -1);
}

/* A descriptor that is not a cgroup: a plain clone, *into false, the
 * child where its parent is (the caller then migrates it). */
static void test_not_a_cgroup(void **state)
{
	struct sbx_ns ns = { .sync = { -1, -1 }, .status = { -1, -1 }, .idmap_fd = -1 };
	char mine[PATH_MAX], its[PATH_MAX], path[64];
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC), st;
	bool into = true;
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	pid = sbx_ns_clone(&ns, fd, &into);
	if (pid == 0)
		for (;;)
			pause();
	assert_true(pid > 0);
	assert_false(into);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	v2_line(path, its, sizeof(its));
	v2_line("/proc/self/cgroup", mine, sizeof(mine));
	assert_string_equal(its, mine);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(fd);
	for (int i = 0; i < 2; i++) {
		close(ns.sync[i]);
		close(ns.status[i]);
	}
}

/* A policy v2 cannot hold here (memory, pids) where v1 can: v1, and no
 * descriptor to clone into. The v2 choice is made only when every limit
 * fits. */
static void test_v1_when_v2_lacks_controllers(void **state)
{
	struct sbx_limits all = cpu_only;
	struct sbx_cgroup cg;

	(void)state;
	all.memory_mb = 64;
	all.tasks = 16;
	sbx_cgroup_setup(&cg, &all);
	if (cg.version == 2) {
		/* a machine whose v2 delegates memory and pids */
		assert_true(cg.into_fd >= 0);
	} else {
		assert_int_equal(cg.into_fd, -1);
	}
	sbx_cgroup_destroy(&cg);
}

/* v1 (memory, pids, CPU in v1 here): the child joins its groups itself
 * through the descriptors opened before the fork, and every group lists
 * it; the supervisor's check says no for a process that did not join. */
static void test_v1_join(void **state)
{
	struct sbx_limits all = cpu_only;
	struct sbx_cgroup cg;
	int p[2], st;
	pid_t pid, other;
	char c;

	(void)state;
	all.memory_mb = 64;
	all.tasks = 16;
	sbx_cgroup_setup(&cg, &all);
	if (cg.version != 1 || !(cg.memory || cg.pids || cg.cpu)) {
		sbx_cgroup_destroy(&cg);
		skip();
	}
	sbx_cgroup_open_join(&cg);
	assert_true(cg.join_fd[0] >= 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		int r = sbx_cgroup_join(&cg);
		(void)!write(p[1], "j", 1);
		pause();
		_exit(r < 0);
	}
	sbx_cgroup_close_join(&cg);
	assert_int_equal(cg.join_fd[0], -1);
	other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_true(sbx_cgroup_holds(&cg, pid));
	assert_false(sbx_cgroup_holds(&cg, other));
	assert_false(sbx_cgroup_holds(&cg, getpid()));
	kill(pid, SIGKILL);
	kill(other, SIGKILL);
	waitpid(pid, &st, 0);
	waitpid(other, &st, 0);
	close(p[0]);
	close(p[1]);
	sbx_cgroup_destroy(&cg);
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A child that has not run yet when the supervisor looks (a busy
 * machine) is waited for, not moved by a helper: sbx_cgroup_wait_join
 * returns once it has joined, and the groups list it then; a child that
 * ends without joining ends the wait too (the check then says no). */
static void test_v1_wait_join(void **state)
{
	struct sbx_limits all = cpu_only;
	struct sbx_cgroup cg;
	struct timespec t0;
	pid_t pid;
	int st;

	(void)state;
	all.memory_mb = 64;
	all.tasks = 16;
	for (int late_exit = 0; late_exit < 2; late_exit++) {
		sbx_cgroup_setup(&cg, &all);
		if (cg.version != 1 || !(cg.memory || cg.pids || cg.cpu)) {
			sbx_cgroup_destroy(&cg);
			skip();
		}
		sbx_cgroup_open_join(&cg);
		assert_true(cg.joined[0] >= 0);
		pid = fork();
		if (pid == 0) {
			struct timespec ts = { 0, 200000000 };
			nanosleep(&ts, NULL);
			if (late_exit)
				_exit(0);
			(void)sbx_cgroup_join(&cg);
			pause();
			_exit(0);
		}
		sbx_cgroup_close_join(&cg);
		assert_false(sbx_cgroup_holds(&cg, pid));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		sbx_cgroup_wait_join(&cg, 10000);
		assert_true(since(&t0) >= 0.15);
		assert_true(since(&t0) < 5);
		assert_int_equal(cg.joined[0], -1);
		assert_int_equal(sbx_cgroup_holds(&cg, pid), !late_exit);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		sbx_cgroup_destroy(&cg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_into),
		cmocka_unit_test(test_not_a_cgroup),
		cmocka_unit_test(test_v1_when_v2_lacks_controllers),
		cmocka_unit_test(test_v1_join),
		cmocka_unit_test(test_v1_wait_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
