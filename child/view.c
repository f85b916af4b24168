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
 * anything (the host's /proc, a fallback, only when it is needed, still
 * before the pivot); mount points are reached without following symbolic
 * links; each host name is looked at and each directory of the new root
 * made once per run (start-up: docs/performance.md);
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
	char *path;		/* resolved, absolute */
	enum op_kind kind;
	uint64_t attr;
	bool idmap, dir;
	int fd;
};

struct link {
	char *path;
	char *target;
};

/* A host name's lstat mode, so that walk asks once per build for the
 * prefixes every tree shares (/usr, /usr/lib, /dev, /etc). */
struct seen {
	char *path;
	mode_t mode;
};

/* A directory of the stage, opened (O_PATH) once and reused until a tree
 * is attached on it or above it. */
struct sdir {
	char *path;
	int fd;
};

struct build {
	const struct sbx_ns_view *v;
	struct mnt_op *ops;
	size_t n, cap;
	struct link *links;
	size_t n_links, cap_links;
	struct seen *seen;
	size_t n_seen, cap_seen;
	struct sdir *dirs;
	size_t n_dirs, cap_dirs;
	const char *stage;	/* the stage's name on the host */
	int root_fd;		/* the stage's root, or -1 once covered */
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

/* a with room for one more element (n used of *cap), or NULL (a is then
 * still the caller's to free). */
static void *grow(void *a, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 16;
	void *na;

	if (n < *cap)
		return a;
	if ((na = realloc(a, c * size)))
		*cap = c;
	return na;
}

/* lstat of a host name, asked once per build: 0 or -errno. */
static int seen_lstat(struct build *b, const char *path, mode_t *mode)
{
	struct seen *ns;
	struct stat st;

	for (size_t i = 0; i < b->n_seen; i++)
		if (strcmp(b->seen[i].path, path) == 0) {
			*mode = b->seen[i].mode;
			return 0;
		}
	if (lstat(path, &st) < 0)
		return -errno;
	*mode = st.st_mode;
	if (!(ns = grow(b->seen, b->n_seen, &b->cap_seen, sizeof(*ns))))
		return -ENOMEM;
	b->seen = ns;
	if (!(ns[b->n_seen].path = strdup(path)))
		return -ENOMEM;
	b->seen[b->n_seen++].mode = st.st_mode;
	return 0;
}

static int add_link(struct build *b, const char *path, const char *target)
{
	struct link *nl;

	for (size_t i = 0; i < b->n_links; i++)
		if (strcmp(b->links[i].path, path) == 0)
			return 0;
	if (!(nl = grow(b->links, b->n_links, &b->cap_links, sizeof(*nl))))
		return -ENOMEM;
	b->links = nl;
	nl += b->n_links;
	nl->path = strdup(path);
	nl->target = strdup(target);
	if (!nl->path || !nl->target) {
		free(nl->path);
		free(nl->target);
		return -ENOMEM;
	}
	b->n_links++;
	return 0;
}

/* Resolves name on the host as the kernel would, recording every symbolic
 * link met on the way (made again in the view); real gets the result and
 * *mode its type (the last lstat: real ends in no link). */
static int walk(struct build *b, const char *name, char *real, mode_t *mode)
{
	/* Not zero-filled: only the bytes used are touched (page faults). */
	char todo[PATH_MAX], next[PATH_MAX], tgt[PATH_MAX], cur[PATH_MAX];
	const char *p;
	mode_t m = S_IFDIR;	/* "/" and what ".." returns to: directories */
	int hops = 0, r;

	cur[0] = '\0';
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
			m = S_IFDIR;
			p += n;
			continue;
		}
		if (snprintf(next, sizeof(next), "%s/%.*s", cur, (int)n, p) >= (int)sizeof(next))
			return -ENAMETOOLONG;
		p += n;
		if ((r = seen_lstat(b, next, &m)) < 0)
			return r;
		if (!S_ISLNK(m)) {
			strcpy(cur, next);	/* fits: same size */
			continue;
		}
		if (++hops > 40)
			return -ELOOP;
		if ((t = readlink(next, tgt, sizeof(tgt) - 1)) <= 0)
			return t < 0 ? -errno : -EINVAL;
		tgt[t] = '\0';
		if (add_link(b, next, tgt) < 0)
			return -ENOMEM;
		m = S_IFDIR;	/* cur: the link's directory, or "/" */
		if (tgt[0] == '/')
			cur[0] = '\0';
		if (snprintf(next, sizeof(next), "%s/%s", tgt, p) >= (int)sizeof(next))
			return -ENAMETOOLONG;
		strcpy(todo, next);
		p = todo;
	}
	snprintf(real, PATH_MAX, "%s", cur[0] ? cur : "/");
	*mode = m;
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
	struct mnt_op *no;
	mode_t mode;
	int r = walk(b, name, real, &mode);

	if (r == -ENOENT || r == -ENOTDIR || r == -EACCES)
		return 0;
	if (r < 0)
		return r;
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
	if (!(no = grow(b->ops, b->n, &b->cap, sizeof(*no))))
		return -ENOMEM;
	b->ops = no;
	no[b->n] = (struct mnt_op){ .path = strdup(real), .kind = kind, .attr = attr_for(b->v, real, kind, exec),
				    .idmap = kind == OP_IDMAP, .dir = S_ISDIR(mode), .fd = -1 };
	if (!no[b->n].path)
		return -ENOMEM;
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

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467	/* Linux 6.15: open_tree and mount_setattr in one */
#endif

/* One tree cloned with its attributes: one call where the kernel has
 * open_tree_attr, else open_tree then mount_setattr (*pair remembers). */
static int clone_tree(const char *path, unsigned flags, struct mount_attr *a, bool *pair)
{
	int fd;

	if (!*pair) {
		fd = (int)syscall(SYS_open_tree_attr, AT_FDCWD, path, flags, a, sizeof(*a));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd < 0 ? -errno : fd;
		*pair = true;
	}
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, flags);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (flags & AT_RECURSIVE), a, sizeof(*a)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The op whose tree holds ops[i] most closely, or NULL. */
static const struct mnt_op *enclosing(const struct build *b, size_t i)
{
	const struct mnt_op *best = NULL;

	for (size_t j = 0; j < b->n; j++)
		if (j != i && strlen(b->ops[j].path) < strlen(b->ops[i].path) &&
		    sbx_path_under(b->ops[i].path, b->ops[j].path) &&
		    (!best || strlen(b->ops[j].path) > strlen(best->path)))
			best = &b->ops[j];
	return best;
}

/* Drops a tree that the closest tree holding it serves already: both
 * cloned recursively from the host with the same attributes, the outer
 * one holds the inner one's very files and mounts (/etc/localtime's
 * /usr/share/zoneinfo/Etc/UTC in /usr/share/zoneinfo). Nothing else
 * becomes visible: the inner tree was in the outer one. */
static void drop_nested(struct build *b)
{
	bool *drop = calloc(b->n ? b->n : 1, sizeof(*drop));
	size_t k = 0;

	if (!drop)
		return;	/* the longer way: every tree bound */
	for (size_t i = 0; i < b->n; i++) {
		const struct mnt_op *o = enclosing(b, i);
		drop[i] = o && !o->idmap && !b->ops[i].idmap && o->attr == b->ops[i].attr;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!drop[i])
			b->ops[k++] = b->ops[i];
		else
			free(b->ops[i].path);
	}
	b->n = k;
	free(drop);
}

/* Every tree cloned from the host while the host is still "/", given its
 * flags while detached. An idmapped clone is not recursive: mount_setattr
 * refuses to idmap a tree holding idmapped or unsupported mounts. */
static int clone_ops(struct build *b)
{
	bool pair = false;

	drop_nested(b);
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
		o->fd = clone_tree(o->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | rec, &a,
				   &pair);
		if (o->fd < 0)
			return o->fd;
	}
	return 0;
}

/* The stage's root, opened again by name once a tree bound on "/"
 * covered the one opened before. */
static int stage_root(struct build *b)
{
	if (b->root_fd < 0 && (b->root_fd = open(b->stage, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	return b->root_fd;
}

/* The open stage directory that is path's deepest ancestor (its name is
 * the first *at bytes of path), else the stage's root (*at = 0). */
static int nearest_dir(struct build *b, const char *path, size_t *at)
{
	size_t best = 0;
	int fd = -1;

	for (size_t i = 0; i < b->n_dirs; i++) {
		size_t l = strlen(b->dirs[i].path);
		if (l > best && strncmp(path, b->dirs[i].path, l) == 0 && path[l] == '/') {
			best = l;
			fd = b->dirs[i].fd;
		}
	}
	*at = best;
	return fd >= 0 ? fd : stage_root(b);
}

/* Keeps fd, the stage's directory named by path's first n bytes. */
static int keep_dir(struct build *b, const char *path, size_t n, int fd)
{
	struct sdir *nd = grow(b->dirs, b->n_dirs, &b->cap_dirs, sizeof(*nd));

	if (!nd)
		return -ENOMEM;
	b->dirs = nd;
	if (!(nd[b->n_dirs].path = strndup(path, n)))
		return -ENOMEM;
	nd[b->n_dirs++].fd = fd;
	return 0;
}

/* A tree attached on path covers the stage's directories there and below:
 * they are reached again through it. */
static void forget_dirs(struct build *b, const char *path)
{
	size_t k = 0;

	for (size_t i = 0; i < b->n_dirs; i++) {
		if (!sbx_path_under(b->dirs[i].path, path)) {
			b->dirs[k++] = b->dirs[i];
			continue;
		}
		close(b->dirs[i].fd);
		free(b->dirs[i].path);
	}
	b->n_dirs = k;
	if (strcmp(path, "/") == 0 && b->root_fd >= 0) {
		close(b->root_fd);
		b->root_fd = -1;
	}
}

/* The stage's directory holding path (borrowed: the build closes it),
 * never following a symbolic link; creates what is missing when asked.
 * Each directory is made and opened once per build. *last points at
 * path's final component. */
static int reach_parent(struct build *b, const char *path, bool create, const char **last)
{
	char comp[NAME_MAX + 1];
	size_t at;
	int dir = nearest_dir(b, path, &at), r;
	const char *p = path + at;

	if (dir < 0)
		return dir;
	for (;;) {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!p[n] || !p[n + strspn(p + n, "/")]) {
			*last = p;
			return dir;
		}
		if (n > NAME_MAX || (n <= 2 && p[0] == '.' && (n == 1 || p[1] == '.')))
			return -EINVAL;
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		if (create && mkdirat(dir, comp, 0755) < 0 && errno != EEXIST)
			return -errno;
		if ((dir = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return -errno;
		if ((r = keep_dir(b, path, (size_t)(p - path), dir)) < 0) {
			close(dir);
			return r;
		}
	}
}

/* The mount point for path in the stage: a directory or an empty file. */
static int make_point(struct build *b, const char *path, bool dir)
{
	const char *last;
	int pd = reach_parent(b, path, true, &last), fd;

	if (pd < 0)
		return pd;
	if (!*last)
		return 0;	/* "/" itself */
	if (dir)
		return mkdirat(pd, last, 0755) < 0 && errno != EEXIST ? -errno : 0;
	if ((fd = openat(pd, last, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return errno != EEXIST ? -errno : 0;
	close(fd);
	return 0;
}

static int make_link(struct build *b, const char *path, const char *target)
{
	const char *last;
	int pd = reach_parent(b, path, true, &last);

	if (pd < 0)
		return pd;
	return symlinkat(target, pd, last) < 0 && errno != EEXIST ? -errno : 0;
}

static int write_at(struct build *b, const char *path, const char *text)
{
	const char *last;
	int pd = reach_parent(b, path, true, &last), fd, r = 0;
	size_t n = strlen(text);

	if (pd < 0)
		return pd;
	fd = openat(pd, last, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
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
static int write_etc(struct build *b)
{
	const struct sbx_ns_view *v = b->v;
	const char *home = strpbrk(v->cwd, ":\n") ? "/" : v->cwd;
	char text[PATH_MAX + 512];
	int n, r;

	if (!v->identity)
		return v->hosts && !v->dns ? write_at(b, "/etc/hosts", HOSTS) : 0;
	n = snprintf(text, sizeof(text), "root:x:0:0:root:/root:/usr/sbin/nologin\n");
	if (v->uid != 0 && v->uid != 65534)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s:x:%u:%u:sandboxpy:%s:/usr/sbin/nologin\n",
			      SBX_SANDBOX_USER, (unsigned)v->uid, (unsigned)v->gid, home);
	snprintf(text + n, sizeof(text) - (size_t)n, "nobody:x:65534:65534:nobody:%s:/usr/sbin/nologin\n",
		 v->uid == 65534 ? home : "/nonexistent");
	if ((r = write_at(b, "/etc/passwd", text)) < 0)
		return r;
	n = snprintf(text, sizeof(text), "root:x:0:\n");
	if (v->gid != 0 && v->gid != 65534)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s:x:%u:\n", SBX_SANDBOX_USER, (unsigned)v->gid);
	snprintf(text + n, sizeof(text) - (size_t)n, "nogroup:x:65534:\n");
	if ((r = write_at(b, "/etc/group", text)) < 0)
		return r;
	if ((r = write_at(b, "/etc/nsswitch.conf", v->dns ? "passwd: files\ngroup: files\nhosts: files dns\n"
							     : "passwd: files\ngroup: files\nhosts: files\n")) < 0)
		return r;
	if (v->hosts && !v->dns)
		r = write_at(b, "/etc/hosts", HOSTS);
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

/* The skeleton in the new root (the stage): links, generated files, mount
 * points, /dev's links. Nothing is mounted yet. */
static int skeleton(struct build *b)
{
	static const char *const dev_links[][2] = {
		{ "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" },
		{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
	};
	int r = 0;

	for (size_t i = 0; i < b->n_links && !r; i++)
		r = make_link(b, b->links[i].path, b->links[i].target);
	if (!r)
		r = write_etc(b);
	for (size_t i = 0; i < b->n && !r; i++) {
		*b->failed = b->ops[i].path;
		r = make_point(b, b->ops[i].path, b->ops[i].dir);
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]) && !r; i++)
		r = make_link(b, dev_links[i][0], dev_links[i][1]);
	if (!r)
		r = make_point(b, "/proc", true);
	if (!r && b->v->private_shm)
		r = make_point(b, "/dev/shm", true);
	if (!r && b->v->tmpdir)
		r = make_point(b, b->v->tmpdir, true);
	return r;
}

/* Attaches the clones in depth order, each mount point reached without
 * following a link (a tree swapped for a link meanwhile fails). The
 * stage's directories a tree covers are forgotten: the next tree below
 * it is reached through it (a tree bound on "/" covers the stage's root). */
static int attach(struct build *b)
{
	qsort(b->ops, b->n, sizeof(*b->ops), by_depth);
	for (size_t i = 0; i < b->n; i++) {
		const char *last;
		int pd;
		*b->failed = b->ops[i].path;
		if ((pd = reach_parent(b, b->ops[i].path, false, &last)) < 0)
			return pd;
		if (syscall(SYS_move_mount, b->ops[i].fd, "", pd, *last ? last : ".",
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return -errno;
		forget_dirs(b, b->ops[i].path);
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
	int r, fd;

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
	/* The host's /proc, cloned only now (the host is still "/"): a clone
	 * never attached costs its close a wait for an RCU grace period. */
	*b->failed = "/proc";
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_move_mount, fd, "", AT_FDCWD, staged(buf, stage, "/proc"), MOVE_MOUNT_F_EMPTY_PATH) < 0
		    ? -errno : 0;
	close(fd);
	return r;
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
	b->stage = stage;
	if ((r = skeleton(b)) == 0 && (r = attach(b)) == 0)
		*done |= SBX_VIEW_FLAGS;
	if (!r && (r = special_mounts(b, stage, done)) == 0)
		r = enter(stage, sfd, b->failed);
	close(sfd);
	if (r < 0)
		return r;
	*done |= SBX_VIEW_PRIVATE;
	return 0;
}

/* Closes and frees what the build holds. The clones are attached by now
 * (a clone closed unattached waits out an RCU grace period: only a
 * failure does). */
static void free_build(struct build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->ops[i].fd >= 0)
			close(b->ops[i].fd);
		free(b->ops[i].path);
	}
	forget_dirs(b, "/");
	for (size_t i = 0; i < b->n_seen; i++)
		free(b->seen[i].path);
	for (size_t i = 0; i < b->n_links; i++) {
		free(b->links[i].path);
		free(b->links[i].target);
	}
	free(b->seen);
	free(b->dirs);
	free(b->ops);
	free(b->links);
}

int sbx_ns_view_apply(const struct sbx_ns_view *v, unsigned *done, const char **failed)
{
	static char failed_name[PATH_MAX];	/* outlives the build's names */
	struct build b = { .v = v, .root_fd = -1, .failed = failed };
	int r;

	*done = 0;
	*failed = "a private mount namespace";
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		r = -errno;
	else
		r = build_view(&b, done);
	if (r < 0 && *failed) {
		snprintf(failed_name, sizeof(failed_name), "%s", *failed);
		*failed = failed_name;
	}
	free_build(&b);
	if (r < 0)
		return r;
	*failed = v->cwd;
	/* The working directory, in the view: it is one of its trees. */
	if (chdir(v->cwd) < 0)
		return -errno;
	*failed = NULL;
	return 0;
}
