/* clone.c: the supervisor's half of namespaces and identity (sbx_ns.h,
 * sbx_spawn.h): decided before fork, the child cloned straight into them,
 * and, where cgroup v2 holds the run's limits, into its cgroup (clone3
 * CLONE_INTO_CGROUP); the user namespace's maps written and the child
 * released; and, started
 * as root, the root-owned trees to mount idmapped. The child's half (its
 * init, leaving root, its mounts) is child/ns.c. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_match.h"
#include "sbx_ns.h"
#include "sbx_spawn.h"

void sbx_ns_plan(const struct sbx_policy *p, struct sbx_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	ns->sync[0] = ns->sync[1] = ns->status[0] = ns->status[1] = ns->idmap_fd = -1;
	/* Any network rule means the host's network: "127.0.0.1:8000" is the
	 * grader's service on this machine, which a private loopback would
	 * not reach. Landlock narrows TCP to the listed ports. */
	ns->net = sbx_policy_no_network(p) ? SBX_NET_EMPTY : SBX_NET_HOST;
	ns->drop_root = geteuid() == 0;
	ns->uid = ns->drop_root ? SBX_SANDBOX_ID : geteuid();
	ns->gid = ns->drop_root ? SBX_SANDBOX_ID : getegid();
	ns->flags = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
		    (ns->net != SBX_NET_HOST ? CLONE_NEWNET : 0) |
		    (ns->drop_root ? 0 : CLONE_NEWUSER);
}

static pid_t clone_with(unsigned long flags)
{
	/* Like fork (no CLONE_VM, SIGCHLD), with namespaces. */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's arguments up to cgroup (CLONE_ARGS_SIZE_VER2, Linux 5.7). */
struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		 set_tid, set_tid_size, cgroup;
};

/* As clone_with, the child born in the cgroup v2 group cgroup_fd. */
static pid_t clone_into(unsigned long flags, int cgroup_fd)
{
	struct clone_args_v2 a = {
		.flags = flags | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};

	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

pid_t sbx_ns_clone(struct sbx_ns *ns, int cgroup_fd, bool *into)
{
	pid_t pid = -1;

	*into = false;
	if (pipe2(ns->sync, O_CLOEXEC) < 0 || pipe2(ns->status, O_CLOEXEC) < 0)
		return -errno;
	/* Any refusal (a kernel before 5.7, a group we may not enter) leaves
	 * the migration to the caller, as on cgroup v1. */
	if (cgroup_fd >= 0 && !sbx_fault("netns") && (pid = clone_into(ns->flags, cgroup_fd)) >= 0) {
		*into = true;
		return pid;
	}
	pid = sbx_fault("netns") ? (errno = EPERM, -1) : clone_with(ns->flags);
	if (pid < 0 && (errno == EPERM || errno == EINVAL || errno == ENOSPC || errno == EUSERS)) {
		/* Containers often forbid (user) namespaces: say so, go on. */
		snprintf(ns->reason, sizeof(ns->reason), "the kernel refused new namespaces (%s)%s",
			 strerror(errno), ns->flags & CLONE_NEWUSER ? "; unprivileged user namespaces "
			 "may be disabled" : "");
		ns->flags = 0;
		pid = fork();
	}
	return pid < 0 ? -errno : pid;
}

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, r = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		r = -errno ? -errno : -EIO;
	close(fd);
	return r;
}

int sbx_ns_release(struct sbx_ns *ns, pid_t child)
{
	int r = 0;

	if (ns->flags & CLONE_NEWUSER) {
		char map[64];
		/* The caller, mapped to itself: same uid inside and out. */
		r = write_file(child, "setgroups", "deny");
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)ns->uid, (unsigned)ns->uid);
		if (!r)
			r = write_file(child, "uid_map", map);
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)ns->gid, (unsigned)ns->gid);
		if (!r)
			r = write_file(child, "gid_map", map);
	}
	close(ns->sync[0]);
	ns->sync[0] = -1;
	close(ns->status[1]);
	ns->status[1] = -1;
	/* The init goes on only on this byte; EOF (we died) ends it. Without
	 * a PID namespace there is no init waiting for it. */
	if (!r && (ns->flags & CLONE_NEWPID) && write(ns->sync[1], "g", 1) != 1)
		r = -EPIPE;
	return r;
}

/* May uid/gid (no supplementary groups) do want (4 r, 2 w, 1 x) on st? */
bool sbx_ns_may(const struct stat *st, uid_t uid, gid_t gid, unsigned want)
{
	unsigned m = st->st_uid == uid ? (st->st_mode >> 6) & 7
		   : st->st_gid == gid ? (st->st_mode >> 3) & 7 : st->st_mode & 7;

	return (m & want) == want;
}

/* Whether dir lies in one of the trees the view binds; the directories
 * above them are the view's own, which every uid may pass. */
static bool in_view_tree(const char *dir, char *const *const *sets, const char *cwd)
{
	if (!sets || sbx_path_under(dir, cwd))
		return true;
	for (size_t i = 0; i < 3; i++)
		for (char *const *v = sets[i]; v && *v; v++)
			if (sbx_path_under(dir, *v))
				return true;
	return false;
}

/* The directories on the way to the plan's paths repeat (/usr, /usr/lib,
 * /etc, /dev for most of them): each is stat'ed once per plan, not once
 * per path below it (94 stats were 45 directories). */
#define STAT_CACHE 128
struct stat_cache {
	size_t n;
	struct {
		char *path;
		struct stat st;
		bool ok;
	} e[STAT_CACHE];
};

static bool cached_stat(struct stat_cache *c, const char *path, struct stat *st)
{
	bool ok;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].path, path) == 0) {
			*st = c->e[i].st;
			return c->e[i].ok;
		}
	ok = stat(path, st) == 0;
	if (c->n < STAT_CACHE && (c->e[c->n].path = strdup(path))) {
		c->e[c->n].st = *st;
		c->e[c->n++].ok = ok;
	}
	return ok;
}

/* The first directory on the way to path (or path itself), inside a tree
 * of the view, that the sandbox's uid could not pass or read, if root owns
 * it; out empty when nothing blocks. */
static void blocking_point(const struct sbx_ns *ns, const char *path, unsigned need_dir,
			   unsigned need_file, char *const *const *sets, const char *cwd,
			   struct stat_cache *sc, char *out, size_t cap)
{
	char buf[PATH_MAX];
	struct stat st;
	size_t n = strlen(path);

	out[0] = '\0';
	if (path[0] != '/' || n >= sizeof(buf))
		return;
	for (size_t i = 1; i <= n; i++) {
		bool last = i == n;
		if (!last && path[i] != '/')
			continue;
		memcpy(buf, path, i);
		buf[i] = '\0';
		if (!cached_stat(sc, buf, &st))
			return;
		if (!in_view_tree(buf, sets, cwd))
			continue;
		if (!sbx_ns_may(&st, ns->uid, ns->gid,
				last ? (S_ISDIR(st.st_mode) ? need_dir : need_file) : 1)) {
			if (st.st_uid == 0)
				snprintf(out, cap, "%s", buf);
			return;
		}
	}
}

/* A user namespace mapping uid/gid 0 to the sandbox's: the idmap. Made
 * by the supervisor, in its own PID namespace (where /proc/PID is the
 * helper's); the child inherits the descriptor. */
int sbx_ns_idmap_userns(const struct sbx_ns *ns)
{
	char map[64], path[64];
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	int fd = -1, r = 0;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (;;)
			pause();
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)ns->uid);
	r = write_file(pid, "uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)ns->gid);
	if (!r)
		r = write_file(pid, "setgroups", "deny");
	if (!r)
		r = write_file(pid, "gid_map", map);
	if (!r) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			r = -errno;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return r < 0 ? r : fd;
}

/* Adds p's blocking point to pts (outermost trees only). */
static void consider(const struct sbx_ns *ns, const char *path, unsigned need_dir, unsigned need_file,
		     char *const *const *sets, const char *cwd, struct stat_cache *sc,
		     char (*pts)[PATH_MAX], size_t max, size_t *n)
{
	char p[PATH_MAX];

	blocking_point(ns, path, need_dir, need_file, sets, cwd, sc, p, sizeof(p));
	if (!p[0])
		return;
	for (size_t j = 0; j < *n; j++) {
		if (sbx_path_under(p, pts[j]))
			return;
		if (sbx_path_under(pts[j], p)) {
			snprintf(pts[j], PATH_MAX, "%s", p);
			return;
		}
	}
	if (*n < max)
		snprintf(pts[(*n)++], PATH_MAX, "%s", p);
}

/* Write trees are considered for the way to them and reading only: a tree
 * the sandbox's uid cannot write is refused at start (plan.c), never made
 * writable through an idmap. Only directories inside the view's trees
 * count: an idmapped /root would bring all of /root into the view.
 * whole_host (--audit-only): the view holds the host's root, so every
 * directory on the way counts. */
size_t sbx_ns_idmap_plan(const struct sbx_ns *ns, char *const *read_v, char *const *write_v,
			 char *const *exec_v, const char *cwd, bool whole_host, char (*pts)[PATH_MAX],
			 size_t max)
{
	char *const *const set3[3] = { read_v, write_v, exec_v };
	char *const *const *sets = whole_host ? NULL : set3;
	struct stat_cache cache, *sc = &cache;
	size_t n = 0;

	if (!ns->drop_root)
		return 0;
	cache.n = 0;
	consider(ns, cwd, 5, 5, sets, cwd, sc, pts, max, &n);
	for (char *const *v = read_v; v && *v; v++)
		consider(ns, *v, 5, 4, sets, cwd, sc, pts, max, &n);
	for (char *const *v = write_v; v && *v; v++)
		consider(ns, *v, 5, 4, sets, cwd, sc, pts, max, &n);
	for (char *const *v = exec_v; v && *v; v++)
		consider(ns, *v, 5, 5, sets, cwd, sc, pts, max, &n);
	for (size_t i = 0; i < sc->n; i++)
		free(sc->e[i].path);
	return n;
}
