/* ns.c: namespaces and identity (see sbx_ns.h). The supervisor clones the
 * child straight into new PID, IPC, UTS and (without outside network
 * rules) network namespaces, plus a user namespace when it is not root;
 * the child's first process is the namespace's init, a few lines of C that
 * never run the program's code: it forks the program's process, forwards
 * the signals a terminal or the supervisor sends, reaps orphans, and when
 * the program ends kills whatever is left and reports the program's own
 * wait status. The program keeps python3's signal semantics because it is
 * not PID 1. */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_ns.h"

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

pid_t sbx_ns_clone(struct sbx_ns *ns)
{
	pid_t pid;

	if (pipe2(ns->sync, O_CLOEXEC) < 0 || pipe2(ns->status, O_CLOEXEC) < 0)
		return -errno;
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

/* ---- the init ---- */

static volatile sig_atomic_t program_pid;

static void forward(int sig)
{
	pid_t p = program_pid;

	/* To the program's process group, as a terminal would. */
	if (p > 0 && kill(-p, sig) < 0)
		kill(p, sig);
}

void sbx_ns_init(struct sbx_ns *ns, int keep_fd)
{
	static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
				   SIGWINCH, SIGCONT, SIGTSTP };
	struct sigaction sa;
	char go = 0;
	int status = 0, st;
	pid_t pid, w;

	close(ns->sync[1]);
	close(ns->status[0]);
	/* Released only once the maps are written; EOF: the supervisor died. */
	if (read(ns->sync[0], &go, 1) != 1 || go != 'g')
		_exit(125);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(125);
	{
		struct pollfd pf = { ns->sync[0], POLLIN, 0 };
		if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR)))
			_exit(125);	/* died between the byte and PDEATHSIG */
	}
	/* Its own process group: the supervisor signals it, it forwards. */
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(125);
	if (pid == 0) {
		/* The program's process: everything else of the set-up
		 * happens here; the pipes close with close_range. */
		return;
	}
	program_pid = pid;
	/* Keep only the status pipe (as fd 3): not the channel (only the
	 * program talks there), not stdio copies, nothing of the supervisor. */
	(void)keep_fd;
	if (ns->status[1] != 3 && dup2(ns->status[1], 3) < 0)
		_exit(125);
	if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	for (int fd = 0; fd < 3; fd++)
		close(fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &sa, NULL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	for (;;) {
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;		/* ECHILD: nothing left */
		if (w == pid) {
			status = st;
			program_pid = 0;
			/* The program is gone: so is everything it started. */
			kill(-1, SIGKILL);
		}
	}
	(void)!write(3, &status, sizeof(status));
	_exit(0);
}

int sbx_ns_drop_root(const struct sbx_ns *ns)
{
	if (!ns->drop_root)
		return 0;
	if (setgroups(0, NULL) < 0 || setresgid(ns->gid, ns->gid, ns->gid) < 0 ||
	    setresuid(ns->uid, ns->uid, ns->uid) < 0)
		return -errno;
	return 0;
}

/* ---- root-owned trees, seen as the sandbox's own ----
 * Started as root, the program runs as SBX_SANDBOX_ID, for which a
 * root-owned 0700 directory (pytest's /tmp/pytest-of-root, a mkdtemp
 * directory, /root) is closed. In a private mount namespace, each such
 * tree the policy names is mounted again over itself, idmapped so that
 * files owned by root appear owned by the sandbox's uid (and what it
 * creates is stored as root's, as if root had written it). Only those
 * trees: everything else, /etc/passwd included, keeps its permissions
 * against an unprivileged uid. Landlock still decides what in them may be
 * read or written. */

/* May the sandbox's uid (no supplementary groups) do want (4 r, 2 w,
 * 1 x) on st? */
static bool sandbox_may(const struct stat *st, const struct sbx_ns *ns, unsigned want)
{
	unsigned m = st->st_uid == ns->uid ? (st->st_mode >> 6) & 7
		   : st->st_gid == ns->gid ? (st->st_mode >> 3) & 7 : st->st_mode & 7;

	return (m & want) == want;
}

/* The first directory on the way to path (or path itself) that the
 * sandbox's uid could not pass or use as need says, if root owns it; 0
 * and out empty when nothing blocks. */
static void blocking_point(const struct sbx_ns *ns, const char *path, unsigned need_dir,
			   unsigned need_file, char *out, size_t cap)
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
		if (stat(buf, &st) < 0)
			return;
		if (!sandbox_may(&st, ns, last ? (S_ISDIR(st.st_mode) ? need_dir : need_file) : 1)) {
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

static bool under(const char *p, const char *root)
{
	size_t n = strlen(root);

	return strncmp(p, root, n) == 0 && (p[n] == '/' || p[n] == '\0' || (n == 1 && root[0] == '/'));
}

/* Adds p's blocking point to pts (outermost trees only). */
static void consider(const struct sbx_ns *ns, const char *path, unsigned need_dir, unsigned need_file,
		     char (*pts)[PATH_MAX], size_t max, size_t *n)
{
	char p[PATH_MAX];

	blocking_point(ns, path, need_dir, need_file, p, sizeof(p));
	if (!p[0])
		return;
	for (size_t j = 0; j < *n; j++) {
		if (under(p, pts[j]))
			return;
		if (under(pts[j], p)) {
			snprintf(pts[j], PATH_MAX, "%s", p);
			return;
		}
	}
	if (*n < max)
		snprintf(pts[(*n)++], PATH_MAX, "%s", p);
}

size_t sbx_ns_idmap_plan(const struct sbx_ns *ns, char *const *read_v, char *const *write_v,
			 char *const *exec_v, const char *cwd, char (*pts)[PATH_MAX], size_t max)
{
	size_t n = 0;

	if (!ns->drop_root)
		return 0;
	consider(ns, cwd, 5, 5, pts, max, &n);
	for (char *const *v = read_v; v && *v; v++)
		consider(ns, *v, 5, 4, pts, max, &n);
	for (char *const *v = write_v; v && *v; v++)
		consider(ns, *v, 7, 6, pts, max, &n);
	for (char *const *v = exec_v; v && *v; v++)
		consider(ns, *v, 5, 5, pts, max, &n);
	return n;
}

/* multiprocessing's semaphores live in /dev/shm, which is the host's: a
 * private tmpfs there keeps the run's files from outliving it or meeting
 * other processes' objects. 0, or -errno (the shared one stays). */
int sbx_ns_private_shm(bool have_mount_ns, double memory_mb)
{
	char opts[64];
	long mb = memory_mb > 0 && memory_mb < 64 ? (long)memory_mb : 64;

	if (!have_mount_ns && (unshare(CLONE_NEWNS) < 0 ||
			       mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
		return -errno;
	snprintf(opts, sizeof(opts), "mode=1777,size=%ldm", mb);
	if (mount("sandboxpy-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return -errno;
	return 0;
}

int sbx_ns_idmap_apply(int userns, const char (*pts)[PATH_MAX], size_t n, const char *cwd)
{
	int r = 0;

	if (!n)
		return 0;
	if (userns < 0)
		return -EBADF;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	for (size_t i = 0; i < n && !r; i++) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
		int t = (int)syscall(SYS_open_tree, AT_FDCWD, pts[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (t < 0) {
			r = -errno;
			break;
		}
		if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ||
		    syscall(SYS_move_mount, t, "", AT_FDCWD, pts[i], MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = -errno;
		close(t);
	}
	close(userns);
	/* The working directory is on the new mount only once re-entered. */
	if (!r && chdir(cwd) < 0)
		r = -errno;
	return r;
}
