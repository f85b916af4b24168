/* run_procs.c: the processes around a run: the sandbox into its
 * cgroups (the child joins them itself on v1, or a helper moves it while
 * the filter is built), the orphans a run
 * without a PID namespace leaves to us, and the watchdog thread that
 * holds the wall-clock limit whatever the poll loop is doing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_run.h"

/* ---- orphans ---- */

/* The children of this process, from /proc: ppid == self. */
size_t sbx_children_of(pid_t self, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char path[64], buf[512];
		FILE *f;
		pid_t pid = (pid_t)atoi(e->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *rp = strrchr(buf, ')');
			if (rp)
				sscanf(rp + 2, "%*c %d", &ppid);
		}
		fclose(f);
		if (ppid == self && n < max)
			out[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

/* Without a PID namespace, orphans of the sandbox come back to this
 * process (a subreaper for the run). Kill and reap them, and only them:
 * a host calling sbx_run may have children of its own, which were there
 * before the run (before[]) and are left alone. */
void sbx_sweep(pid_t self, const pid_t *before, size_t n_before)
{
	pid_t kids[1024];

	for (int round = 0; round < 3; round++) {
		size_t n = sbx_children_of(self, kids, sizeof(kids) / sizeof(kids[0])), killed = 0;

		for (size_t i = 0; i < n; i++) {
			bool host = false;
			for (size_t j = 0; j < n_before && !host; j++)
				host = kids[i] == before[j];
			if (host)
				continue;
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			killed++;
		}
		if (!killed)
			break;
	}
}

/* ---- cgroups ---- */

/* The sandbox into its cgroups: the child (the PID namespace's init), then
 * what it has forked so far, the program's process. A fork racing the
 * first write either finished before it (and is listed after it) or
 * inherits the new cgroup: fork and attach exclude each other. */
static int attach_sandbox(struct sup *s)
{
	char path[64], buf[256];
	int r, fd;
	ssize_t n = 0;

	if (!(s->plan.ns.flags & CLONE_NEWPID))
		return sbx_cgroup_attach(&s->cg, s->pid);
	/* The init forks the program as soon as it is released; wait for
	 * that fork (a few microseconds; at most 0.1 s if the init died)
	 * rather than make it wait for our grace period. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", s->pid, s->pid);
	for (int i = 0; i < 1000 && n <= 0; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0) {
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
	r = sbx_cgroup_attach(&s->cg, s->pid);
	buf[n > 0 ? n : 0] = '\0';
	for (char *p = buf, *end; r == 0 && *p; p = end) {
		long kid = strtol(p, &end, 10);
		if (end == p)
			break;
		r = sbx_cgroup_attach(&s->cg, (pid_t)kid);
	}
	return r;
}

/* Before the clone, on cgroup v1: descriptors on the run's groups'
 * "tasks" files, for the child to join them itself (sbx_cgroup_join) as
 * its first act. Nothing to do where the child is cloned into its v2
 * group or no group is in force. */
void sbx_attach_prepare(struct sup *s)
{
	if ((s->cg.memory || s->cg.pids || s->cg.cpu) && s->cg.into_fd < 0)
		sbx_cgroup_open_join(&s->cg);
}

/* The sandbox is in its cgroups before the program can run: the child
 * joined them itself (waited for, then checked here, never assumed: the
 * groups list its init), was cloned into its v2 group, or, where neither
 * happened (a refused join, a child not run within 0.5 s), is moved now,
 * in a helper. 0 or -errno; 0 with nothing to
 * attach. The init joins before it forks the program, which therefore
 * inherits the groups. */
pid_t sbx_attach_start(struct sup *s)
{
	pid_t h;

	sbx_cgroup_close_join(&s->cg);
	if (!(s->cg.memory || s->cg.pids || s->cg.cpu) || s->cg.into)
		return 0;
	/* A child not yet scheduled since the clone (a busy machine) joins
	 * within a moment; a helper's move instead waits for the
	 * threadgroup lock's grace period, 5-15 ms. */
	sbx_cgroup_wait_join(&s->cg, 500);
	if (sbx_cgroup_holds(&s->cg, s->pid))
		return 0;
	h = fork();
	if (h == 0)
		_exit(-attach_sandbox(s) & 0xff);
	return h < 0 ? -errno : h;
}

int sbx_attach_wait(struct sup *s, pid_t h)
{
	int st;

	if (h <= 0)
		return h;
	while (waitpid(h, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st))
		return -EIO;
	/* The helper moved the init; with the join refused, its result is
	 * the attach's. */
	return WEXITSTATUS(st) ? -WEXITSTATUS(st) : sbx_cgroup_holds(&s->cg, s->pid) ? 0 : -ESRCH;
}

/* ---- the wall clock, held apart from the loop (struct watchdog) ---- */

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;

	for (;;) {
		struct pollfd pf = { w->stop[0], POLLIN, 0 };
		struct timespec now, left;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = w->deadline.tv_sec - now.tv_sec;
		left.tv_nsec = w->deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000L;
			left.tv_sec--;
		}
		if (left.tv_sec < 0)
			break;
		r = ppoll(&pf, 1, &left, NULL);
		if (r > 0 || (r < 0 && errno != EINTR))
			return NULL;	/* stopped */
	}
	atomic_store(&w->fired, true);
	syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	kill(-w->pid, SIGKILL);
	return NULL;
}

int sbx_watchdog_start(struct watchdog *w, const struct timespec *t0, double wall, int pidfd,
			  pid_t pid)
{
	long ns;
	int r;

	w->pidfd = pidfd;
	w->pid = pid;
	atomic_init(&w->fired, false);
	w->deadline = *t0;
	w->deadline.tv_sec += (time_t)wall;
	ns = w->deadline.tv_nsec + (long)((wall - (double)(time_t)wall) * 1e9);
	w->deadline.tv_sec += ns / 1000000000L;
	w->deadline.tv_nsec = ns % 1000000000L;
	if (pipe2(w->stop, O_CLOEXEC) < 0)
		return -errno;
	if ((r = pthread_create(&w->th, NULL, watchdog_main, w)) != 0) {
		close(w->stop[0]);
		close(w->stop[1]);
		return -r;
	}
	w->running = true;
	return 0;
}

/* Before the child is reaped: nothing is killed by pid after that. True
 * when the deadline passed. */
bool sbx_watchdog_stop(struct watchdog *w)
{
	if (!w->running)
		return false;
	(void)!write(w->stop[1], "x", 1);
	pthread_join(w->th, NULL);
	close(w->stop[0]);
	close(w->stop[1]);
	w->running = false;
	return atomic_load(&w->fired);
}
