/* guard.c: the CLI's last-resort parent. The sandboxpy process forks the
 * real supervisor and waits for it. Should the supervisor die by a signal
 * (a crash, the OOM killer, a SIGKILL from outside) or end before its
 * report, this process kills what the run left (it is a child subreaper,
 * so the sandbox's processes cannot slip away from it), removes the run's
 * cgroups and directories, and writes an "internal" report: no run ends
 * without a report. What it knows comes from a shared page the supervisor
 * fills and the sandbox never inherits (MADV_DONTFORK in the supervisor).
 * The library's sbx_run does not use it: a host process is its own last
 * resort (docs/running.md). It is library code all the same (the CLI's
 * parent process runs it): what it has to say goes to the run's message
 * callback, which the CLI prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandboxpy.h"
#include "sbx_diag.h"
#include "sbx_supervisor.h"

/* Only names the supervisor makes: a basename starting with sandboxpy-,
 * under the prefix given. */
static bool ours(const char *path, const char *prefix)
{
	const char *base = strrchr(path, '/');

	return path[0] && strncmp(path, prefix, strlen(prefix)) == 0 && base &&
	       strncmp(base + 1, "sandboxpy-", 10) == 0 && !strstr(path, "/..");
}

/* Our children from /proc (orphans of the run reparent to us). */
static void kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();

	while (d && (e = readdir(d))) {
		char path[64], buf[512], *rp;
		int pid = atoi(e->d_name), ppid = 0;
		FILE *f;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
			sscanf(rp + 2, "%*c %d", &ppid);
		fclose(f);
		if (ppid == self)
			kill(pid, SIGKILL);
	}
	if (d)
		closedir(d);
}

/* Kills every process in a cgroup directory; true when it is empty. */
static bool empty_cgroup(const char *dir)
{
	char path[4200];
	bool empty = true;
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	if (access(path, W_OK) == 0 && (f = fopen(path, "we"))) {
		fputs("1", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return true;
	while (fscanf(f, "%d", &pid) == 1) {
		kill(pid, SIGKILL);
		empty = false;
	}
	fclose(f);
	return empty;
}

static void clean_up(const struct sbx_guard *g)
{
	bool empty = false;

	if (g->sandbox > 0) {
		/* Still unreaped (a zombie at worst, ours as subreaper): the
		 * pid and its process group cannot have been reused. */
		kill(-g->sandbox, SIGKILL);
		kill(g->sandbox, SIGKILL);
	}
	kill_children();
	for (int round = 0; round < 200 && !empty; round++) {
		struct timespec ts = { 0, 10000000 };
		empty = true;
		for (int i = 0; i < 3; i++)
			if (ours(g->cgroup[i], "/sys/fs/cgroup/"))
				empty &= empty_cgroup(g->cgroup[i]);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!empty)
			nanosleep(&ts, NULL);
	}
	kill_children();
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; i < 3; i++)
		if (ours(g->cgroup[i], "/sys/fs/cgroup/"))
			rmdir(g->cgroup[i]);
	if (ours(g->tmpdir, "/"))
		sbx_rmtree(g->tmpdir);
	if (ours(g->policy_dir, "/"))
		sbx_rmtree(g->policy_dir);
}

/* A report the supervisor was writing when it died: its temporary file
 * ("REPORT.tmp.XXXXXX", see write_atomic in report.c). */
static void remove_report_tmp(const char *report)
{
	char dir[4096];
	const char *slash = strrchr(report, '/'), *base = slash ? slash + 1 : report;
	size_t blen = strlen(base);
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - report) + 1 : 1, slash ? report : ".");
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, base, blen) == 0 && strncmp(e->d_name + blen, ".tmp.", 5) == 0 &&
		    strlen(e->d_name + blen + 5) == 6)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

static void report_death(const struct sbx_run_opts *o, const char *spec, int st, bool reported)
{
	struct sbx_error err;
	char what[96];

	if (WIFSIGNALED(st))
		snprintf(what, sizeof(what), "died by signal %d (SIG%s)", WTERMSIG(st),
			 sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
	else
		snprintf(what, sizeof(what), "ended (status %d) without its report", WEXITSTATUS(st));
	sbx_error_clear(&err);
	sbx_diag_add(&err, NULL, 0, 0, NULL, "the supervisor %s; the run was ended and its processes, "
		     "cgroups and files removed by sandboxpy's last-resort parent", what);
	for (int i = 0; i < err.n; i++) {
		char line[1024];
		sbx_error_format(&err, i, line, sizeof(line));
		sbx_say(o, SBX_MSG_ERROR, "internal: %s", line);
	}
	if (o->report_path)
		remove_report_tmp(o->report_path);
	if (!reported && o->report_path &&
	    sbx_report_write_failure(o->report_path, o->report_argv, o->n_report_argv, spec, &err) < 0)
		sbx_say(o, SBX_MSG_ERROR, "cannot write report %s", o->report_path);
}

/* The parent's side: waits, passes signals on, and acts on a death. */
static int guard_wait(struct sbx_guard *g, pid_t sup, const sigset_t *set,
		      const struct sbx_run_opts *o, const char *spec, int *child_status)
{
	int st = 0;

	for (;;) {
		siginfo_t si;
		pid_t r = waitpid(sup, &st, WNOHANG);
		if (r == sup)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (sigwaitinfo(set, &si) < 0 || si.si_signo == SIGCHLD)
			continue;
		/* The terminal's signals reach the supervisor too (one
		 * process group); the others are for it from us. */
		if (si.si_code != SI_KERNEL)
			kill(sup, si.si_signo);
	}
	if (g->state == SBX_GUARD_CLEAN || (WIFEXITED(st) && g->state == SBX_GUARD_IDLE)) {
		/* A clean end, or a signal delivered after the clean-up
		 * (SIGTERM is held until the report is written): as if
		 * this process had been the supervisor. */
		if (WIFSIGNALED(st)) {
			sigset_t one;
			signal(WTERMSIG(st), SIG_DFL);
			sigemptyset(&one);
			sigaddset(&one, WTERMSIG(st));
			sigprocmask(SIG_UNBLOCK, &one, NULL);
			raise(WTERMSIG(st));
		}
		*child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		return 0;
	}
	clean_up(g);
	report_death(o, spec, st, g->state >= SBX_GUARD_REPORTED);
	*child_status = 125;
	return 0;
}

int sbx_guard_run(struct sbx_run_opts *o, const char *policy_source, int *child_status)
{
	struct sbx_guard *g;
	sigset_t set, old;
	pid_t sup;
	int r;

	g = mmap(NULL, sizeof(*g), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* Orphans of the run come to us once the supervisor is gone (not
	 * inherited by the child). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	sup = fork();
	if (sup < 0) {
		r = -errno;
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		munmap(g, sizeof(*g));
		return r;
	}
	if (sup == 0) {
		/* The sandbox (a clone of this process) never gets the page. */
		madvise(g, sizeof(*g), MADV_DONTFORK);
		sigprocmask(SIG_SETMASK, &old, NULL);
		o->guard = g;
		return 1;
	}
	r = guard_wait(g, sup, &set, o, policy_source, child_status);
	munmap(g, sizeof(*g));
	return r;
}
