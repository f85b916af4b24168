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
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_match.h"
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


/* ---- the mount view ----
 * The program's process makes a mount namespace of its own and shapes what
 * it sees there, before it leaves root (or the capabilities its user
 * namespace gave it):
 *  - root-owned trees on the way to the policy's paths that the sandbox's
 *    uid could not pass (pytest's /tmp/pytest-of-root, a mkdtemp directory,
 *    /root) are mounted again idmapped (on-disk 0 <-> the sandbox's uid)
 *    and READ-ONLY: an idmap is a bijection, so whatever the sandbox could
 *    create through it would be stored as root's;
 *  - every write tree is bound over itself, never idmapped, nosuid, nodev,
 *    noexec: what the program creates there is its own uid's, carries no
 *    privilege and cannot be mapped executable;
 *  - the read trees the program supplies (filesystem.read, python.path,
 *    the working directory, the script's directory) nosuid, nodev, and
 *    noexec unless the policy lets native code in; trees holding the
 *    system's own code (the standard library, shared libraries, allowed
 *    executables, /dev, /proc) are left as they are;
 *  - the private tmp is a tmpfs that dies with the namespace;
 *  - /proc is the PID namespace's own: no host process is visible.
 * Landlock still decides what in all of this may be read or written. */

/* May uid/gid (no supplementary groups) do want (4 r, 2 w, 1 x) on st? */
bool sbx_ns_may(const struct stat *st, uid_t uid, gid_t gid, unsigned want)
{
	unsigned m = st->st_uid == uid ? (st->st_mode >> 6) & 7
		   : st->st_gid == gid ? (st->st_mode >> 3) & 7 : st->st_mode & 7;

	return (m & want) == want;
}

/* The first directory on the way to path (or path itself) that the
 * sandbox's uid could not pass or read, if root owns it; out empty when
 * nothing blocks. */
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
		     char (*pts)[PATH_MAX], size_t max, size_t *n)
{
	char p[PATH_MAX];

	blocking_point(ns, path, need_dir, need_file, p, sizeof(p));
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
 * writable through an idmap. */
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
		consider(ns, *v, 5, 4, pts, max, &n);
	for (char *const *v = exec_v; v && *v; v++)
		consider(ns, *v, 5, 5, pts, max, &n);
	return n;
}

enum op_kind { OP_WRITE, OP_IDMAP, OP_READ };

struct mnt_op {
	const char *path;
	enum op_kind kind;
	uint64_t attr;
	bool idmap;
	int fd;
};

static bool holds_island(const struct sbx_ns_view *v, const char *tree)
{
	static const char *const sys[] = { "/proc", "/dev", "/sys" };

	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (sbx_path_under(sys[i], tree))
			return true;
	for (char *const *i = v->islands; i && *i; i++)
		if (sbx_path_under(*i, tree))
			return true;
	return v->self_exe && sbx_path_under(v->self_exe, tree);
}

static const char *idmapped_ancestor(const struct sbx_ns_view *v, const char *path)
{
	for (size_t i = 0; i < v->n_idmap; i++)
		if (sbx_path_under(path, v->idmap[i]))
			return v->idmap[i];
	return NULL;
}

static bool in_write_tree(const struct sbx_ns_view *v, const char *path)
{
	for (char *const *w = v->write; w && *w; w++)
		if (strncmp(*w, "/dev/", 5) != 0 && sbx_path_under(path, *w))
			return true;
	return false;
}

/* Adds one op unless a stronger one names the same path (write before
 * idmap before read) or the path is absent. */
static int add_op(struct mnt_op *ops, size_t *n, size_t cap, const char *path, enum op_kind kind,
		  uint64_t attr, bool idmap)
{
	struct stat st;

	if (!path || path[0] != '/' || stat(path, &st) < 0)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(ops[i].path, path) != 0)
			continue;
		if (ops[i].kind <= kind)
			return 0;
		ops[i] = (struct mnt_op){ path, kind, attr, idmap, -1 };
		return 0;
	}
	if (*n == cap)
		return -E2BIG;
	ops[(*n)++] = (struct mnt_op){ path, kind, attr, idmap, -1 };
	return 0;
}

static int collect_ops(const struct sbx_ns_view *v, struct mnt_op *ops, size_t cap, size_t *n)
{
	const uint64_t base = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	int r = 0;

	*n = 0;
	for (char *const *w = v->write; w && *w && !r; w++) {
		/* /dev/null, the private /dev/shm; the tmpfs; and a tree that
		 * holds the system's code or /dev (a policy writing "/"): such
		 * a policy gave that code away already, and nodev there would
		 * close /dev/null. */
		if (strncmp(*w, "/dev/", 5) == 0 || (v->tmpdir && strcmp(*w, v->tmpdir) == 0) ||
		    holds_island(v, *w))
			continue;
		r = add_op(ops, n, cap, *w, OP_WRITE, base | MOUNT_ATTR_NOEXEC, false);
	}
	for (size_t i = 0; i < v->n_idmap && !r; i++)
		r = add_op(ops, n, cap, v->idmap[i], OP_IDMAP, base | MOUNT_ATTR_RDONLY |
			   (v->native_ok || holds_island(v, v->idmap[i]) ? 0 : MOUNT_ATTR_NOEXEC), true);
	for (int pass = 0; pass < 2; pass++) {
		/* The trees that keep exec first: the first read op of a path
		 * stays. */
		for (char *const *rd = pass ? v->read : v->read_native; rd && *rd && !r; rd++) {
			bool id = idmapped_ancestor(v, *rd) != NULL;
			/* The system's own code stays as it is. Inside a write
			 * tree that bind (noexec) holds, and it stays writable. */
			if (holds_island(v, *rd) || in_write_tree(v, *rd))
				continue;
			r = add_op(ops, n, cap, *rd, OP_READ, base | (id ? MOUNT_ATTR_RDONLY : 0) |
				   (v->native_ok || !pass ? 0 : MOUNT_ATTR_NOEXEC), id);
		}
	}
	return r;
}

/* Outer trees first, so an inner one lands on top of its ancestor's new
 * mount. */
static int by_depth(const void *a, const void *b)
{
	size_t x = strlen(((const struct mnt_op *)a)->path), y = strlen(((const struct mnt_op *)b)->path);

	return x < y ? -1 : x > y;
}

/* Each tree is cloned from the host's view first (so a write tree under an
 * idmapped ancestor is still the real one), given its attributes while
 * detached, then attached in depth order. An idmapped clone is not
 * recursive: mount_setattr refuses to idmap a tree holding idmapped or
 * unsupported mounts. */
static int attach_ops(struct mnt_op *ops, size_t n, int userns, const char **failed)
{
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		unsigned rec = ops[i].idmap ? 0 : AT_RECURSIVE;
		struct mount_attr a = { .attr_set = ops[i].attr };
		*failed = ops[i].path;
		if (ops[i].idmap) {
			if (userns < 0)
				return -EBADF;
			a.attr_set |= MOUNT_ATTR_IDMAP;
			a.userns_fd = (uint64_t)userns;
		}
		ops[i].fd = (int)syscall(SYS_open_tree, AT_FDCWD, ops[i].path,
					 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
		if (ops[i].fd < 0 ||
		    syscall(SYS_mount_setattr, ops[i].fd, "", AT_EMPTY_PATH | rec, &a, sizeof(a)) < 0)
			r = -errno;
	}
	qsort(ops, n, sizeof(*ops), by_depth);
	for (size_t i = 0; i < n && !r; i++) {
		*failed = ops[i].path;
		if (syscall(SYS_move_mount, ops[i].fd, "", AT_FDCWD, ops[i].path,
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = -errno;
	}
	for (size_t i = 0; i < n; i++)
		if (ops[i].fd >= 0)
			close(ops[i].fd);
	if (!r)
		*failed = NULL;
	return r;
}

/* A tmpfs of size_mb on dir: owned by uid/gid with mode, nosuid, nodev,
 * noexec. */
static int tmpfs_on(const char *dir, const char *name, const char *mode, uid_t uid, gid_t gid,
		    long size_mb)
{
	char opts[128];
	int n = snprintf(opts, sizeof(opts), "mode=%s,size=%ldm", mode, size_mb);

	/* (uid_t)-1: the mounter's own (a user namespace may map no other). */
	if (uid != (uid_t)-1)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",uid=%u,gid=%u", (unsigned)uid, (unsigned)gid);
	return mount(name, dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0 ? -errno : 0;
}

/* vm.memfd_noexec=2 for this PID namespace (the value is the namespace's,
 * and a process of it with CAP_SYS_ADMIN over its user namespace may raise
 * it): MFD_EXEC is refused and every memfd is sealed non-executable, so it
 * cannot be execve'd. It does not stop mmap(PROT_EXEC) of one (dlopen of
 * /proc/self/fd/N): seccomp's memfd_create rule holds that. */
static bool memfd_noexec(void)
{
	int fd = open("/proc/sys/vm/memfd_noexec", O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, "2", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok;
}

static long tmp_size_mb(double memory_mb)
{
	/* The tmpfs's pages are charged to the run's memory cgroup; the cap
	 * bounds a run without a memory limit. */
	return memory_mb > 0 && memory_mb < 1024 ? (long)memory_mb + 1 : 1024;
}

int sbx_ns_view_apply(const struct sbx_ns_view *v, unsigned *done, const char **failed)
{
	struct mnt_op *ops;
	size_t cap = 16, n = 0;
	int r;

	*done = 0;
	*failed = NULL;
	for (char *const *p = v->write; p && *p; p++)
		cap++;
	for (char *const *p = v->read; p && *p; p++)
		cap++;
	for (char *const *p = v->read_native; p && *p; p++)
		cap++;
	cap += v->n_idmap;
	if (!(ops = calloc(cap, sizeof(*ops))))
		return -ENOMEM;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		r = -errno;
		goto out;
	}
	if ((r = collect_ops(v, ops, cap, &n)) < 0 || (r = attach_ops(ops, n, v->userns, failed)) < 0)
		goto out;
	*done |= SBX_VIEW_FLAGS;
	if (v->tmpdir) {
		*failed = v->tmpdir;
		if ((r = tmpfs_on(v->tmpdir, "sandboxpy-tmp", "0700", v->uid, v->gid,
				  tmp_size_mb(v->memory_mb))) < 0)
			goto out;
		*done |= SBX_VIEW_TMP;
	}
	/* Best effort, reported (layers.netns.dev_shm, layers.filesystem.proc):
	 * a container's masked /proc, for one, makes the kernel refuse a new
	 * procfs in a user namespace. */
	if (v->private_shm && tmpfs_on("/dev/shm", "sandboxpy-shm", "1777", (uid_t)-1, (gid_t)-1,
				       v->memory_mb > 0 && v->memory_mb < 64 ? (long)v->memory_mb : 64) == 0)
		*done |= SBX_VIEW_SHM;
	if (v->pid_ns) {
		/* Before /proc is replaced: the write goes through whichever
		 * procfs, the value is this PID namespace's. */
		if (memfd_noexec())
			*done |= SBX_VIEW_MEMFD_NOEXEC;
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "hidepid=invisible") == 0)
			*done |= SBX_VIEW_PROC;
	}
	*failed = v->cwd;
	/* The working directory is on the new mounts only once re-entered. */
	r = chdir(v->cwd) < 0 ? -errno : 0;
	if (!r)
		*failed = NULL;
out:
	free(ops);
	return r;
}
