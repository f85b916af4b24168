/* bench/startup_probe.c: what each piece of sandboxpy's start-up costs,
 * timed in this process with the library's own functions, so that
 * docs/performance.md can say what bounds the start-up figure. Each piece
 * runs ROUNDS times (default 15) and prints its median and minimum, in ms,
 * as one JSON object:
 *   policy_load     builtin:default from its text
 *   seccomp_build   the BPF program(s), before fork (seccomp/bpf.c)
 *   plan_build      read/write roots, environment (realpath of the implicit set)
 *   landlock_build  the ruleset of the plan (not enforced)
 *   clone_ns        clone into the run's namespaces, child exits, reaped
 *   cgroup_setup    mkdir and limits of the run's cgroups (starts the primer)
 *   cgroup_grace    sbx_cgroup_ready right after: the primer's wait for the
 *                   migration lock, a full RCU grace period when nothing
 *                   else overlaps it (sbx_run overlaps the filter build)
 *   cgroup_attach   a fresh idle child written to the run's cgroups, after
 *                   sbx_cgroup_ready (what sbx_run pays after fork)
 *   cgroup_noop     the same write of a process already there, after a
 *                   quiet spell: what an unprimed attach pays, whatever
 *                   moves (the lock waits for an RCU grace period)
 *   cgroup_join     after a quiet spell, a fresh child joining the run's
 *                   groups itself (sbx_cgroup_join, timed in the child):
 *                   what sbx_run pays on cgroup v1 since issue 20
 *   cgroup_destroy  rmdir of the (empty) cgroups
 * Run as the user sandboxpy runs as (root here: cgroups are writable).
 *
 *   build/bench/startup-probe [ROUNDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_landlock.h"
#include "sbx_ns.h"
#include "sbx_policy_int.h"
#include "sbx_seccomp.h"
#include "sbx_spawn.h"
#include "sbx_supervisor.h"
#include "sandboxpy.h"

#define MAX_ROUNDS 200

enum { P_POLICY, P_SECCOMP, P_PLAN, P_LANDLOCK, P_CLONE, P_CG_SETUP, P_CG_ATTACH,
       P_CG_NOOP, P_CG_JOIN, P_CG_DESTROY, P__COUNT };

static const char *const names[P__COUNT] = {
	"policy_load", "seccomp_build", "plan_build", "landlock_build", "clone_ns",
	"cgroup_setup", "cgroup_attach", "cgroup_noop", "cgroup_join", "cgroup_destroy",
};

static double samples[P__COUNT][MAX_ROUNDS];

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static pid_t idle_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Writes pid into the cgroup.procs of every group cg made (what
 * sbx_cgroup_attach does, for a process that is already there). */
static void write_procs(const struct sbx_cgroup *cg, pid_t pid)
{
	const char *dirs[3] = { cg->memory ? cg->mem : NULL, cg->pids ? cg->pids_dir : NULL,
				cg->cpu ? cg->cpu_dir : NULL };
	char path[4200], val[32];

	snprintf(val, sizeof(val), "%d", pid);
	for (int i = 0; i < 3; i++) {
		int fd;
		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, val, strlen(val));
			close(fd);
		}
	}
}

/* A fresh child joins cg's groups itself after a quiet spell; its own
 * measure of the join, in ms (-1 when it failed). */
static double join_ms(struct sbx_cgroup *cg)
{
	double ms = -1;
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	sbx_cgroup_open_join(cg);
	usleep(60000);
	pid = fork();
	if (pid == 0) {
		double t = now_ms();
		if (sbx_cgroup_join(cg) == 0)
			ms = now_ms() - t;
		(void)!write(p[1], &ms, sizeof(ms));
		_exit(0);
	}
	sbx_cgroup_close_join(cg);
	if (pid > 0 && read(p[0], &ms, sizeof(ms)) != sizeof(ms))
		ms = -1;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	return ms;
}

static int one_round(int i, const struct sbx_run_opts *o)
{
	struct sbx_policy *p = NULL;
	struct sbx_seccomp *f = NULL;
	struct sbx_child_plan plan;
	struct sbx_error err;
	struct sbx_cgroup cg;
	struct sbx_ns ns;
	const char *what = NULL;
	double t;
	int ruleset = -1;
	pid_t pid;

	sbx_error_clear(&err);
	t = now_ms();
	if (sbx_policy_load("builtin:default", NULL, 0, &p, &err) < 0)
		goto fail;
	samples[P_POLICY][i] = now_ms() - t;

	t = now_ms();
	if (sbx_seccomp_build(p, 3, 0, &f, &err) < 0)
		goto fail;
	samples[P_SECCOMP][i] = now_ms() - t;

	t = now_ms();
	if (sbx_child_plan_build(&plan, p, o, &err) < 0)
		goto fail;
	samples[P_PLAN][i] = now_ms() - t;

	t = now_ms();
	if (sbx_landlock_abi() > 0 && sbx_landlock_build(&plan, sbx_landlock_abi(), &ruleset, &what) == 0)
		close(ruleset);
	samples[P_LANDLOCK][i] = now_ms() - t;

	sbx_ns_plan(p, &ns);
	t = now_ms();
	pid = (pid_t)syscall(SYS_clone, ns.flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	samples[P_CLONE][i] = now_ms() - t;

	/* Let any grace period of the previous round end, as between runs. */
	usleep(60000);
	t = now_ms();
	sbx_cgroup_setup(&cg, &p->limits);
	samples[P_CG_SETUP][i] = now_ms() - t;
	pid = idle_child();
	t = now_ms();
	if (sbx_cgroup_attach(&cg, pid) < 0)
		fprintf(stderr, "startup-probe: cgroup attach failed\n");
	samples[P_CG_ATTACH][i] = now_ms() - t;
	usleep(60000);
	t = now_ms();
	write_procs(&cg, pid);
	samples[P_CG_NOOP][i] = now_ms() - t;
	reap(pid);
	samples[P_CG_JOIN][i] = join_ms(&cg);
	t = now_ms();
	sbx_cgroup_destroy(&cg);
	samples[P_CG_DESTROY][i] = now_ms() - t;

	sbx_child_plan_free(&plan);
	sbx_seccomp_free(f);
	sbx_policy_free(p);
	return 0;
fail:
	sbx_error_print(&err, stderr, "startup-probe: ");
	return -1;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	struct sbx_run_opts o;

	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 15;
	memset(&o, 0, sizeof(o));
	o.kind = SBX_PROG_COMMAND;
	o.program = "pass";
	for (int i = 0; i < rounds; i++)
		if (one_round(i, &o) < 0)
			return 1;
	printf("{\"rounds\": %d", rounds);
	for (int k = 0; k < P__COUNT; k++) {
		qsort(samples[k], (size_t)rounds, sizeof(double), cmp_double);
		printf(", \"%s\": {\"median_ms\": %.3f, \"min_ms\": %.3f}", names[k],
		       samples[k][rounds / 2], samples[k][0]);
	}
	printf("}\n");
	return 0;
}
