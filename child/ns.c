/* ns.c: the child's half of namespaces and identity (see sbx_ns.h). The
 * supervisor clones the child straight into new PID, IPC, UTS and (without
 * outside network rules) network namespaces, plus a user namespace when it
 * is not root (supervisor/clone.c); the child's first process is the namespace's init, a few lines of C that
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
