/* view.c: the program's own filesystem view (sbx_ns.h; docs/confinement.md
 * "The view"). In a mount namespace of its own, before it leaves root (or
 * its user namespace's capabilities), the program's process makes a fresh
 * tmpfs hold exactly what the run may use, bound from the host under the
 * same names, and makes it the root:
 *  - system trees (the implicit set, exec_allow's programs, PATH when any
 *    program may start): nosuid, nodev, exec kept;
 *  - the program's read trees: nosuid, nodev, and noexec unless native
 *    code may load from them (Landlock refuses writes in both);
 *  - write trees: read-write, nosuid, nodev, noexec, never idmapped;
 *  - root-owned trees the sandbox's uid could not pass: idmapped read-only
 *    (an idmap is a bijection: what the sandbox made through it would be
 *    root's);
 *  - the private tmp: a tmpfs; /dev: null, zero, full, random, urandom and
 *    (spawning) a private shm; /proc: the PID namespace's own;
 *  - /etc/passwd, group, nsswitch.conf (and hosts without network.dns):
 *    written for the run, naming the sandbox's user.
 * Symbolic links met on the way to a name (/lib -> usr/lib, /etc/localtime)
 * are made again in the view, so names resolve as on the host. Every tree
 * is resolved and cloned from the host before the new root covers
 * anything; mount points are reached without following symbolic links;
 * then pivot_root, and the host's root is detached. Outside the view a
 * path does not exist. Landlock still decides what in it may be read or
 * written: a mistake here does not open the host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_match.h"
#include "sbx_ns.h"

/* Strongest first: a path named twice keeps its strongest op. */
enum op_kind { OP_WRITE, OP_IDMAP, OP_SYS, OP_READ };

struct mnt_op {
	char path[PATH_MAX];	/* resolved, absolute */
	enum op_kind kind;
	uint64_t attr;
	bool idmap, dir;
	int fd;
};

struct link {
	char path[PATH_MAX];
	char target[PATH_MAX];
};

struct build {
	const struct sbx_ns_view *v;
	struct mnt_op *ops;
	size_t n, cap;
	struct link *links;
	size_t n_links, cap_links;
	int proc_fd;		/* the host's /proc, cloned: the fallback */
	const char **failed;
};

/* Where the new root is assembled before it becomes "/": any directory of
 * the host; it is covered only after every tree was cloned. */
static const char *const stage_dirs[] = { "/tmp", "/mnt", "/run" };

static const struct {
	const char *path;
	bool rw;
} devices[] = {
	{ "/dev/null", true }, { "/dev/zero", true }, { "/dev/full", true },
	{ "/dev/random", false }, { "/dev/urandom", false },
};

static int add_link(struct build *b, const char *path, const char *target)
{
	for (size_t i = 0; i < b->n_links; i++)
		if (strcmp(b->links[i].path, path) == 0)
			return 0;
	if (b->n_links == b->cap_links) {
		size_t cap = b->cap_links ? b->cap_links * 2 : 16;
		struct link *nl = realloc(b->links, cap * sizeof(*nl));
		if (!nl)
			return -ENOMEM;
		b->links = nl;
		b->cap_links = cap;
	}
	snprintf(b->links[b->n_links].path, PATH_MAX, "%s", path);
	snprintf(b->links[b->n_links].target, PATH_MAX, "%s", target);
	b->n_links++;
	return 0;
}

/* Resolves name on the host as the kernel would, recording every symbolic
 * link met on the way (made again in the view); real gets the result. */
static int walk(struct build *b, const char *name, char *real)
{
	char todo[PATH_MAX], next[PATH_MAX], tgt[PATH_MAX], cur[PATH_MAX] = "";
	const char *p;
	struct stat st;
	int hops = 0;

	if (name[0] != '/' || snprintf(todo, sizeof(todo), "%s", name) >= (int)sizeof(todo))
		return -EINVAL;
	p = todo;
	while (*p) {
		size_t n;
		ssize_t t;
		while (*p == '/')
			p++;
		if (!(n = strcspn(p, "/")))
			break;
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(cur, '/');
			if (s)
				*s = '\0';
			p += n;
			continue;
		}
		if (snprintf(next, sizeof(next), "%s/%.*s", cur, (int)n, p) >= (int)sizeof(next))
			return -ENAMETOOLONG;
		p += n;
		if (lstat(next, &st) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode)) {
			memcpy(cur, next, sizeof(cur));
			continue;
		}
		if (++hops > 40)
			return -ELOOP;
		if ((t = readlink(next, tgt, sizeof(tgt) - 1)) <= 0)
			return t < 0 ? -errno : -EINVAL;
		tgt[t] = '\0';
		if (add_link(b, next, tgt) < 0)
			return -ENOMEM;
		if (tgt[0] == '/')
			cur[0] = '\0';
		if (snprintf(next, sizeof(next), "%s/%s", tgt, p) >= (int)sizeof(next))
			return -ENAMETOOLONG;
		memcpy(todo, next, sizeof(todo));
		p = todo;
	}
	snprintf(real, PATH_MAX, "%s", cur[0] ? cur : "/");
	return 0;
}

/* Mount flags for a tree of this kind; device nodes keep nodev off. Read
 * trees are not made read-only: Landlock refuses writes there with
 * EACCES, as without a view, where EROFS would tell a program something
 * else (idmapped trees are read-only: see above). */
static uint64_t attr_for(const struct sbx_ns_view *v, const char *path, enum op_kind kind,
			 bool exec)
{
	uint64_t a = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

	/* A tree holding /dev (a policy reading "/", --audit-only's whole
	 * host) gave the system away already: as it is. */
	if (sbx_path_under("/dev", path))
		return kind == OP_IDMAP ? MOUNT_ATTR_RDONLY : 0;
	if (sbx_path_under(path, "/dev"))
		a &= ~MOUNT_ATTR_NODEV;
	if (kind == OP_IDMAP)
		a |= MOUNT_ATTR_RDONLY;
	if (kind == OP_WRITE || (kind == OP_READ && !exec && !v->native_ok))
		a |= MOUNT_ATTR_NOEXEC;
	return a;
}

static bool in_write_tree(const struct sbx_ns_view *v, const char *path)
{
	for (char *const *w = v->write; w && *w; w++)
		if (strncmp(*w, "/dev/", 5) != 0 && (!v->tmpdir || strcmp(*w, v->tmpdir) != 0) &&
		    sbx_path_under(path, *w))
			return true;
	return false;
}

static bool idmapped(const struct sbx_ns_view *v, const char *path)
{
	for (size_t i = 0; i < v->n_idmap; i++)
		if (strcmp(path, v->idmap[i]) == 0)
			return true;
	return false;
}

/* Adds one op for name (resolved through walk) unless a stronger one names
 * the same tree. A name absent on the host is not in the view. Served by
 * the view itself: /proc, /dev/shm, the private tmp. */
static int add_op(struct build *b, const char *name, enum op_kind kind, bool exec)
{
	char real[PATH_MAX];
	struct stat st;
	int r = walk(b, name, real);

	if (r == -ENOENT || r == -ENOTDIR || r == -EACCES)
		return 0;
	if (r < 0)
		return r;
	if (stat(real, &st) < 0)
		return 0;
	if (sbx_path_under(real, "/proc") || sbx_path_under(real, "/dev/shm") ||
	    (b->v->tmpdir && strcmp(real, b->v->tmpdir) == 0))
		return 0;
	if (kind == OP_READ && in_write_tree(b->v, real))
		return 0;	/* that bind holds it, writable */
	if (kind != OP_WRITE && idmapped(b->v, real))
		kind = OP_IDMAP;
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(b->ops[i].path, real) != 0)
			continue;
		if (b->ops[i].kind < kind || (b->ops[i].kind == kind && !exec))
			return 0;
		b->ops[i].kind = kind;
		b->ops[i].attr = attr_for(b->v, real, kind, exec);
		b->ops[i].idmap = kind == OP_IDMAP;
		return 0;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct mnt_op *no = realloc(b->ops, cap * sizeof(*no));
		if (!no)
			return -ENOMEM;
		b->ops = no;
		b->cap = cap;
	}
	b->ops[b->n] = (struct mnt_op){ .kind = kind, .attr = attr_for(b->v, real, kind, exec),
					.idmap = kind == OP_IDMAP, .dir = S_ISDIR(st.st_mode), .fd = -1 };
	snprintf(b->ops[b->n].path, PATH_MAX, "%s", real);
	b->n++;
	return 0;
}

static int add_list(struct build *b, char *const *names, enum op_kind kind, bool exec)
{
	int r = 0;

	for (char *const *s = names; s && *s && !r; s++)
		r = add_op(b, *s, kind, exec);
	return r;
}

static int collect(struct build *b)
{
	const struct sbx_ns_view *v = b->v;
	int r = 0;

	for (char *const *w = v->write; w && *w && !r; w++)
		if (strncmp(*w, "/dev/", 5) != 0)
			r = add_op(b, *w, OP_WRITE, false);
	if (!r && v->whole_host)
		r = add_op(b, "/", OP_SYS, true);
	for (size_t i = 0; i < v->n_idmap && !r; i++)
		r = add_op(b, v->idmap[i], OP_IDMAP, v->native_ok);
	if (!r)
		r = add_list(b, v->sys, OP_SYS, true);
	if (!r)
		r = add_list(b, v->exec, OP_SYS, true);
	for (size_t i = 0; i < 3 && v->self[i] && !r; i++)
		r = add_op(b, v->self[i], OP_SYS, true);
	if (!r)
		r = add_list(b, v->read_native, OP_READ, true);
	if (!r)
		r = add_list(b, v->read, OP_READ, false);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]) && !r; i++)
		r = add_op(b, devices[i].path, devices[i].rw ? OP_WRITE : OP_SYS, false);
	return r;
}

/* Every tree cloned from the host while the host is still "/", given its
 * flags while detached. An idmapped clone is not recursive: mount_setattr
 * refuses to idmap a tree holding idmapped or unsupported mounts. */
static int clone_ops(struct build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct mnt_op *o = &b->ops[i];
		unsigned rec = o->idmap ? 0 : AT_RECURSIVE;
		struct mount_attr a = { .attr_set = o->attr };
		*b->failed = o->path;
		if (o->idmap) {
			if (b->v->userns < 0)
				return -EBADF;
			a.attr_set |= MOUNT_ATTR_IDMAP;
			a.userns_fd = (uint64_t)b->v->userns;
		}
		o->fd = (int)syscall(SYS_open_tree, AT_FDCWD, o->path,
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | rec);
		if (o->fd < 0 ||
		    syscall(SYS_mount_setattr, o->fd, "", AT_EMPTY_PATH | rec, &a, sizeof(a)) < 0)
			return -errno;
	}
	/* The host's /proc, for a kernel that refuses a new one. */
	b->proc_fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc",
				  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	return 0;
}

/* Opens the directory holding path inside root (a descriptor), never
 * following a symbolic link; creates what is missing when asked. *last
 * points at path's final component. */
static int reach_parent(int root, const char *path, bool create, const char **last)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	int dir = dup(root);

	if (dir < 0)
		return -errno;
	for (;;) {
		size_t n;
		int next;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!p[n] || !p[n + strspn(p + n, "/")]) {
			*last = p;
			return dir;
		}
		if (n > NAME_MAX || (n <= 2 && p[0] == '.' && (n == 1 || p[1] == '.'))) {
			close(dir);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		if (create && mkdirat(dir, comp, 0755) < 0 && errno != EEXIST) {
			close(dir);
			return -errno;
		}
		next = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		if (next < 0)
			return -errno;
		dir = next;
	}
}

/* The mount point for path inside root: a directory or an empty file. */
static int make_point(int root, const char *path, bool dir)
{
	const char *last;
	int pd = reach_parent(root, path, true, &last), r = 0, fd;

	if (pd < 0)
		return pd;
	if (!*last) {
		close(pd);
		return 0;	/* "/" itself */
	}
	if (dir) {
		if (mkdirat(pd, last, 0755) < 0 && errno != EEXIST)
			r = -errno;
	} else if ((fd = openat(pd, last, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0) {
		close(fd);
	} else if (errno != EEXIST) {
		r = -errno;
	}
	close(pd);
	return r;
}

static int make_link(int root, const struct link *l)
{
	const char *last;
	int pd = reach_parent(root, l->path, true, &last), r = 0;

	if (pd < 0)
		return pd;
	if (symlinkat(l->target, pd, last) < 0 && errno != EEXIST)
		r = -errno;
	close(pd);
	return r;
}

static int write_at(int root, const char *path, const char *text)
{
	const char *last;
	int pd = reach_parent(root, path, true, &last), fd, r = 0;
	size_t n = strlen(text);

	if (pd < 0)
		return pd;
	fd = openat(pd, last, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	close(pd);
	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n)
		r = -EIO;
	close(fd);
	return r;
}

#define HOSTS "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

/* /etc's identity files, written for the run: the sandbox's user (home:
 * the working directory, unless a ':' or newline would break the line),
 * root and nobody, so that owners read as names. */
static int write_etc(int root, const struct sbx_ns_view *v)
{
	const char *home = strpbrk(v->cwd, ":\n") ? "/" : v->cwd;
	char text[PATH_MAX + 512];
	int n, r;

	if (!v->identity)
		return v->hosts && !v->dns ? write_at(root, "/etc/hosts", HOSTS) : 0;
	n = snprintf(text, sizeof(text), "root:x:0:0:root:/root:/usr/sbin/nologin\n");
	if (v->uid != 0 && v->uid != 65534)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s:x:%u:%u:sandboxpy:%s:/usr/sbin/nologin\n",
			      SBX_SANDBOX_USER, (unsigned)v->uid, (unsigned)v->gid, home);
	snprintf(text + n, sizeof(text) - (size_t)n, "nobody:x:65534:65534:nobody:%s:/usr/sbin/nologin\n",
		 v->uid == 65534 ? home : "/nonexistent");
	if ((r = write_at(root, "/etc/passwd", text)) < 0)
		return r;
	n = snprintf(text, sizeof(text), "root:x:0:\n");
	if (v->gid != 0 && v->gid != 65534)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s:x:%u:\n", SBX_SANDBOX_USER, (unsigned)v->gid);
	snprintf(text + n, sizeof(text) - (size_t)n, "nogroup:x:65534:\n");
	if ((r = write_at(root, "/etc/group", text)) < 0)
		return r;
	if ((r = write_at(root, "/etc/nsswitch.conf", v->dns ? "passwd: files\ngroup: files\nhosts: files dns\n"
							     : "passwd: files\ngroup: files\nhosts: files\n")) < 0)
		return r;
	if (v->hosts && !v->dns)
		r = write_at(root, "/etc/hosts", HOSTS);
	return r;
}

/* The host root's own symbolic links (merged /usr: /bin, /lib, /lib64,
 * /sbin): ELF interpreters and scripts name them. */
static int root_links(struct build *b)
{
	DIR *d = opendir("/");
	struct dirent *e;
	char path[PATH_MAX], tgt[PATH_MAX];
	int r = 0;

	if (!d)
		return -errno;
	while (!r && (e = readdir(d))) {
		ssize_t t;
		if (e->d_type != DT_LNK)
			continue;
		snprintf(path, sizeof(path), "/%s", e->d_name);
		if ((t = readlink(path, tgt, sizeof(tgt) - 1)) <= 0)
			continue;
		tgt[t] = '\0';
		r = add_link(b, path, tgt);
	}
	closedir(d);
	return r;
}

/* A tmpfs of size_mb on dir: owned by uid/gid with mode, nosuid, nodev,
 * noexec. (uid_t)-1: the mounter's own (a user namespace may map no other). */
static int tmpfs_on(const char *dir, const char *name, const char *mode, uid_t uid, gid_t gid,
		    long size_mb)
{
	char opts[128];
	int n = snprintf(opts, sizeof(opts), "mode=%s,size=%ldm", mode, size_mb);

	if (uid != (uid_t)-1)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",uid=%u,gid=%u", (unsigned)uid, (unsigned)gid);
	return mount(name, dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0 ? -errno : 0;
}

static long tmp_size_mb(double memory_mb)
{
	/* The tmpfs's pages are charged to the run's memory cgroup; the cap
	 * bounds a run without a memory limit. */
	return memory_mb > 0 && memory_mb < 1024 ? (long)memory_mb + 1 : 1024;
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

/* Outer trees first, so an inner one lands on top of its ancestor's. */
static int by_depth(const void *a, const void *b)
{
	size_t x = strlen(((const struct mnt_op *)a)->path), y = strlen(((const struct mnt_op *)b)->path);

	return x < y ? -1 : x > y;
}

/* The skeleton in the new root (stage, a descriptor): links, generated
 * files, mount points, /dev's links. Nothing is mounted yet. */
static int skeleton(struct build *b, int stage)
{
	static const char *const dev_links[][2] = {
		{ "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" },
		{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
	};
	int r = 0;

	for (size_t i = 0; i < b->n_links && !r; i++)
		r = make_link(stage, &b->links[i]);
	if (!r)
		r = write_etc(stage, b->v);
	for (size_t i = 0; i < b->n && !r; i++) {
		*b->failed = b->ops[i].path;
		r = make_point(stage, b->ops[i].path, b->ops[i].dir);
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]) && !r; i++) {
		struct link l;
		snprintf(l.path, sizeof(l.path), "%s", dev_links[i][0]);
		snprintf(l.target, sizeof(l.target), "%s", dev_links[i][1]);
		r = make_link(stage, &l);
	}
	if (!r)
		r = make_point(stage, "/proc", true);
	if (!r && b->v->private_shm)
		r = make_point(stage, "/dev/shm", true);
	if (!r && b->v->tmpdir)
		r = make_point(stage, b->v->tmpdir, true);
	return r;
}

/* Attaches the clones in depth order, each mount point reached without
 * following a link (a tree swapped for a link meanwhile fails). The stage
 * is opened again each time: a tree bound on "/" covers the old one. */
static int attach(struct build *b, const char *stage)
{
	qsort(b->ops, b->n, sizeof(*b->ops), by_depth);
	for (size_t i = 0; i < b->n; i++) {
		const char *last;
		int pd, r = 0, sfd = open(stage, O_PATH | O_DIRECTORY | O_CLOEXEC);
		*b->failed = b->ops[i].path;
		if (sfd < 0)
			return -errno;
		pd = reach_parent(sfd, b->ops[i].path, false, &last);
		close(sfd);
		if (pd < 0)
			return pd;
		if (syscall(SYS_move_mount, b->ops[i].fd, "", pd, *last ? last : ".",
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = -errno;
		close(pd);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A path under the stage directory, for the calls that take a path. */
static const char *staged(char *buf, const char *stage, const char *path)
{
	snprintf(buf, PATH_MAX, "%s%s", stage, path);
	return buf;
}

/* The private tmp, /dev/shm and /proc: mounted on the stage. */
static int special_mounts(struct build *b, const char *stage, unsigned *done)
{
	const struct sbx_ns_view *v = b->v;
	char buf[PATH_MAX];
	int r;

	if (v->tmpdir) {
		*b->failed = v->tmpdir;
		if ((r = tmpfs_on(staged(buf, stage, v->tmpdir), "sandboxpy-tmp", "0700", v->uid, v->gid,
				  tmp_size_mb(v->memory_mb))) < 0)
			return r;
		*done |= SBX_VIEW_TMP;
	}
	/* Best effort, reported (layers.netns.dev_shm). */
	if (v->private_shm && tmpfs_on(staged(buf, stage, "/dev/shm"), "sandboxpy-shm", "1777", (uid_t)-1,
				       (gid_t)-1, v->memory_mb > 0 && v->memory_mb < 64 ? (long)v->memory_mb : 64) == 0)
		*done |= SBX_VIEW_SHM;
	/* A container's masked /proc, for one, makes the kernel refuse a new
	 * procfs in a user namespace: the host's then, reported
	 * (layers.filesystem.proc). */
	if (v->pid_ns && mount("proc", staged(buf, stage, "/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       "hidepid=invisible") == 0) {
		*done |= SBX_VIEW_PROC;
		return 0;
	}
	*b->failed = "/proc";
	if (b->proc_fd < 0 || syscall(SYS_move_mount, b->proc_fd, "", AT_FDCWD, staged(buf, stage, "/proc"),
				      MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* The stage's own tmpfs (sfd, opened before anything covered it) turns
 * read-only, the stage becomes "/", and the host's root is detached. */
static int enter(const char *stage, int sfd, const char **failed)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					    MOUNT_ATTR_NOEXEC };

	*failed = "the view's root";
	if (syscall(SYS_mount_setattr, sfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 || chdir(stage) < 0 ||
	    syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}

/* Mounts the stage's tmpfs on the first stage directory that takes it. */
static const char *mount_stage(void)
{
	for (size_t i = 0; i < sizeof(stage_dirs) / sizeof(stage_dirs[0]); i++)
		if (mount("sandboxpy-root", stage_dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m") == 0)
			return stage_dirs[i];
	return NULL;
}

static int build_view(struct build *b, unsigned *done)
{
	const char *stage;
	int r, sfd;

	if ((r = collect(b)) < 0 || (r = root_links(b)) < 0 || (r = clone_ops(b)) < 0)
		return r;
	*b->failed = "the view's root";
	if (b->v->pid_ns && memfd_noexec())
		*done |= SBX_VIEW_MEMFD_NOEXEC;
	if (!(stage = mount_stage()))
		return -errno;
	if ((sfd = open(stage, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if ((r = skeleton(b, sfd)) == 0 && (r = attach(b, stage)) == 0)
		*done |= SBX_VIEW_FLAGS;
	if (!r && (r = special_mounts(b, stage, done)) == 0)
		r = enter(stage, sfd, b->failed);
	close(sfd);
	if (r < 0)
		return r;
	*done |= SBX_VIEW_PRIVATE;
	return 0;
}

int sbx_ns_view_apply(const struct sbx_ns_view *v, unsigned *done, const char **failed)
{
	struct build b = { .v = v, .proc_fd = -1, .failed = failed };
	int r;

	*done = 0;
	*failed = "a private mount namespace";
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		r = -errno;
	else
		r = build_view(&b, done);
	for (size_t i = 0; i < b.n; i++)
		if (b.ops[i].fd >= 0)
			close(b.ops[i].fd);
	if (b.proc_fd >= 0)
		close(b.proc_fd);
	free(b.ops);
	free(b.links);
	if (r < 0)
		return r;
	*failed = v->cwd;
	/* The working directory, in the view: it is one of its trees. */
	if (chdir(v->cwd) < 0)
		return -errno;
	*failed = NULL;
	return 0;
}
