/* bench/seccomp_overhead.c: what the seccomp filter costs a syscall-heavy
 * workload. One process times a mix of cheap allowed syscalls (read and
 * write of one byte, fstat, lseek, getppid, clock_gettime through the real
 * syscall) three times: with no filter; under a one-instruction
 * allow-everything filter (what any seccomp filter costs: the kernel's
 * slower syscall entry); and under that plus the filter sandboxpy builds
 * for a policy (default: builtin:default). The last step is the cost of
 * our program over any filter at all. Allowed syscalls never leave the
 * kernel.
 *
 *   build/bench/seccomp-overhead [POLICY] [ROUNDS]
 *   build/bench/seccomp-overhead --exec POLICY PROGRAM [ARGS...]
 *
 * --exec loads the filter for POLICY with process.spawn forced true (the
 * filter must let PROGRAM start) and runs PROGRAM under it, nothing else
 * of sandboxpy: hyperfine compares
 * `python3.11 workload.py` with and without the filter alone. The listener
 * is closed, so a refused syscall fails with ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sbx_seccomp.h"
#include "sandboxpy.h"

#define MIX 6	/* syscalls per iteration */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ns per syscall over n iterations of the mix; the best of 5 runs. */
static double run(int zero, int null, long n)
{
	double best = 1e9;
	char c;
	struct stat st;
	struct timespec ts;

	for (int r = 0; r < 5; r++) {
		double t0 = now();
		for (long i = 0; i < n; i++) {
			if (read(zero, &c, 1) != 1 || write(null, &c, 1) != 1)
				abort();
			fstat(zero, &st);
			lseek(null, 0, SEEK_SET);
			syscall(SYS_getppid);
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
		}
		double ns = (now() - t0) * 1e9 / (double)(n * MIX);
		if (ns < best)
			best = ns;
	}
	return best;
}

static int exec_under_filter(const char *spec, char **argv)
{
	struct sbx_policy *p = NULL;
	struct sbx_seccomp *f = NULL;
	struct sbx_error err;
	const char *spawn[] = { "process.spawn=true" };
	int listener;

	sbx_error_clear(&err);
	if (sbx_policy_load_with(spec, NULL, SBX_LOAD_NO_RESOLVE, spawn, 1, &p, &err) < 0 ||
	    sbx_seccomp_build(p, 3, 0, &f, &err) < 0) {
		sbx_error_print(&err, stderr, "seccomp-overhead: ");
		return 1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sbx_seccomp_load(f, &listener) < 0) {
		fprintf(stderr, "seccomp-overhead: cannot load the filter: %s\n", strerror(errno));
		return 1;
	}
	if (listener >= 0)
		close(listener);
	execv(argv[0], argv);
	fprintf(stderr, "seccomp-overhead: cannot run %s: %s\n", argv[0], strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *spec;

	if (argc > 3 && strcmp(argv[1], "--exec") == 0)
		return exec_under_filter(argv[2], argv + 3);
	spec = argc > 1 ? argv[1] : "builtin:default";
	long n = argc > 2 ? atol(argv[2]) : 200000;
	struct sbx_policy *p = NULL;
	struct sbx_seccomp *f = NULL;
	struct sbx_error err;
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int listener;
	double before, trivial, after;
	struct sock_filter allow_all = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog allow_prog = { 1, &allow_all };

	sbx_error_clear(&err);
	if (zero < 0 || null < 0 || sbx_policy_load(spec, NULL, SBX_LOAD_NO_RESOLVE, &p, &err) < 0 ||
	    sbx_seccomp_build(p, 3, 0, &f, &err) < 0) {
		sbx_error_print(&err, stderr, "seccomp-overhead: ");
		return 1;
	}
	run(zero, null, n / 10);	/* warm up */
	before = run(zero, null, n);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &allow_prog) < 0) {
		fprintf(stderr, "seccomp-overhead: cannot load a trivial filter: %s\n", strerror(errno));
		return 1;
	}
	trivial = run(zero, null, n);
	if (sbx_seccomp_load(f, &listener) < 0) {
		fprintf(stderr, "seccomp-overhead: cannot load the filter: %s\n", strerror(errno));
		return 1;
	}
	after = run(zero, null, n);
	printf("{\"policy\": \"%s\", \"rules\": %u, \"ns_unfiltered\": %.1f, "
	       "\"ns_any_filter\": %.1f, \"ns_sandboxpy_filter\": %.1f, "
	       "\"ratio_vs_unfiltered\": %.3f, \"ratio_vs_any_filter\": %.3f}\n",
	       spec, sbx_seccomp_rule_count(f), before, trivial, after, after / before,
	       after / trivial);
	sbx_seccomp_free(f);
	sbx_policy_free(p);
	return 0;
}
