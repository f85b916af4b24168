/* usage.c: what the sandbox's process tree has used, measured without
 * cgroups. Where the run has no CPU cgroup (an unprivileged caller with no
 * delegated subtree), RLIMIT_CPU counts each process on its own: a program
 * that spreads its work over children would stay under it. The supervisor
 * instead adds up the whole tree from /proc: each live process's own time
 * and that of the children it has reaped (cutime, cstime), walking
 * /proc/PID/task/TID/children from the sandbox's first process.
 *
 * Memory likewise: without a memory cgroup RLIMIT_AS holds each process's
 * address space, but a memfd filled with write() takes none; the tree's
 * resident memory and its memfds (each counted once) are added up.
 * The peak resident set of each process (VmHWM) is sampled too: when the
 * supervisor kills a tree, its processes are reaped by the kernel, not
 * waited for, and their rusage is lost with them.
 * Bounded: at most SBX_TREE_MAX processes are visited per sample. */
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbx_supervisor.h"

#define SBX_TREE_MAX 4096

/* utime + stime + cutime + cstime of one process, in clock ticks; -1 when
 * it is gone. The command name may hold spaces and parentheses: the
 * fields start after the last ')'. */
static long long proc_ticks(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut, st;
	long long cut, cst;
	ssize_t n;
	char *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
			 &ut, &st, &cut, &cst) != 4)
		return -1;
	return (long long)(ut + st) + cut + cst;
}

/* Appends the children of every thread of pid to the queue. */
static void add_children(pid_t pid, pid_t *q, size_t *n, size_t max)
{
	char path[64], line[4096];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)) && *n < max) {
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children", pid, e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		while (*n < max && fscanf(f, "%4095s", line) == 1)
			q[(*n)++] = (pid_t)atoi(line);
		fclose(f);
	}
	closedir(d);
}

/* root and its descendants into q; how many. */
static size_t tree_of(pid_t root, pid_t *q)
{
	size_t n = 0;

	if (root <= 0)
		return 0;
	q[n++] = root;
	for (size_t i = 0; i < n; i++)
		add_children(q[i], q, &n, SBX_TREE_MAX);
	return n;
}

double sbx_tree_cpu_seconds(pid_t root)
{
	pid_t q[SBX_TREE_MAX];
	long hz = sysconf(_SC_CLK_TCK);
	long long total = 0;
	size_t n = tree_of(root, q);

	if (!n || hz <= 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		long long t = proc_ticks(q[i]);
		if (t > 0)
			total += t;
	}
	return (double)total / (double)hz;
}

/* The number after "key:" in /proc/PID/file (kB for the memory lines),
 * 0 when the process is gone or the line absent. */
static long long proc_field(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':' && sscanf(line + kl + 1, "%lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Proportional resident bytes of one process (Pss: pages shared with its
 * parent after a fork count once in all), 0 when gone. */
static long long rss_bytes(pid_t pid)
{
	return proc_field(pid, "smaps_rollup", "Pss") * 1024;
}

/* Adds the memfds pid holds that are not in seen yet. */
static long long memfd_bytes(pid_t pid, ino_t *seen, size_t *nseen, size_t max)
{
	char path[64], link[64];
	long long total = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		ssize_t n;
		size_t i;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%.16s", pid, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 7 || strncmp(link, "/memfd:", 7) != 0 || stat(path, &st) < 0)
			continue;
		for (i = 0; i < *nseen && seen[i] != st.st_ino; i++)
			;
		if (i < *nseen)
			continue;
		if (*nseen < max)
			seen[(*nseen)++] = st.st_ino;
		total += (long long)st.st_blocks * 512;
	}
	closedir(d);
	return total;
}

double sbx_tree_memory_mb(pid_t root)
{
	pid_t q[SBX_TREE_MAX];
	ino_t seen[256];
	size_t n = tree_of(root, q), nseen = 0;
	long long total = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++)
		total += rss_bytes(q[i]) + memfd_bytes(q[i], seen, &nseen, 256);
	return (double)total / (1024.0 * 1024.0);
}

/* VmHWM of one process in kB, 0 when gone. */
static long hwm_kb(pid_t pid)
{
	return (long)proc_field(pid, "status", "VmHWM");
}

long sbx_tree_peak_rss_kb(pid_t root)
{
	pid_t q[SBX_TREE_MAX];
	size_t n = tree_of(root, q);
	long peak = -1;

	for (size_t i = 0; i < n; i++) {
		long kb = hwm_kb(q[i]);
		if (kb > peak)
			peak = kb;
	}
	return peak;
}
