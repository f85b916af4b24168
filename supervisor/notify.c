/* notify.c: the supervisor's side of seccomp user notification. Every
 * syscall the filter did not allow arrives here: classify it by the same
 * tables that built the filter, read what it was aimed at (a path, a socket
 * address) from the caller's memory for the report, and answer it with an
 * error. Never "continue": what is read from the child only describes the
 * refusal, it never decides one, so a thread that rewrites the memory
 * meanwhile changes nothing but the report's text.
 *
 * The exceptions are the writes by path or descriptor and execve under
 * exec_allow. The supervisor resolves their objects as the caller would
 * (deputy.c: from its root, magic links refused). Where a kernel layer
 * judges the real object again (Landlock for open, mkdir, rename...;
 * EXECUTE for execve) the call continues when the object lies in a
 * writable tree (or exec_allow), and the reading only decides the record;
 * where none does (chmod, chown, utime, xattrs) the supervisor performs
 * the call itself, on its own copy of the arguments, as the caller. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <utime.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <sys/un.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "sbx_deputy.h"
#include "sbx_match.h"
#include "sbx_notify_net.h"
#include "sbx_supervisor.h"

#ifndef SBX_AT_EXECVE_CHECK
#define SBX_AT_EXECVE_CHECK 0x10000	/* Linux 6.14: check only, run nothing */
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* Reads up to len bytes of the caller's memory; the count read, or -1. */
static ssize_t peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (!addr)
		return -1;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

/* A path from the caller: printable, bounded, or a marker; and, when it
 * was read whole, its bytes as they are into raw (else ""). */
static void peek_path(pid_t tid, uint64_t addr, char *out, size_t cap, char *raw, size_t raw_cap)
{
	char buf[512];
	ssize_t n;
	size_t o = 0;

	/* Page-crossing strings: read what the first page allows, then more. */
	n = peek(tid, addr, buf, sizeof(buf) - 1);
	if (n <= 0) {
		size_t first = 4096 - (addr & 4095);
		n = peek(tid, addr, buf, first < sizeof(buf) - 1 ? first : sizeof(buf) - 1);
	}
	if (n <= 0) {
		snprintf(out, cap, addr ? "<unreadable>" : "<NULL>");
		raw[0] = '\0';
		return;
	}
	buf[n] = '\0';
	raw[0] = '\0';
	if (strnlen(buf, (size_t)n) < (size_t)n && strlen(buf) < raw_cap)
		strcpy(raw, buf);
	for (const unsigned char *s = (const unsigned char *)buf; *s && o + 5 < cap; s++) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\' && *s != '\'')
			out[o++] = (char)*s;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *s);
	}
	out[o] = '\0';
	if (strnlen(buf, (size_t)n) == (size_t)n && o + 4 < cap)
		strcat(out, "...");
}

/* args as JSON and a one-line description, from the raw registers; the
 * paths (the first two) and the address as data into op. */
static void describe(pid_t tid, const struct seccomp_data *d, const char *name, json_t *args,
		     char *detail, size_t cap, struct sbx_operand *op)
{
	const char *k = sbx_sc_arg_kinds(name);
	size_t o = (size_t)snprintf(detail, cap, "%s", name);
	int paths = 0;

	for (int i = 0; i < 6 && k[i]; i++) {
		uint64_t v = d->args[i];
		char s[300];
		json_t *j;
		switch (k[i]) {
		case 'p': {
			char raw[sizeof(op->text)];
			peek_path(tid, v, s, sizeof(s), raw, sizeof(raw));
			if (!paths++)
				sbx_operand_reset(op, SBX_OPK_PATH);
			if (paths == 1)
				sbx_operand_set(op, SBX_OP_PATH, raw);
			else if (paths == 2)
				sbx_operand_set(op, SBX_OP_PATH2, raw);
			j = json_string(s);
			if (o < cap)
				o += (size_t)snprintf(detail + o, cap - o, " '%s'", s);
			break;
		}
		case 'i':
			j = json_integer((int32_t)(uint32_t)v);
			break;
		case 'f': {
			const char *f = sbx_net_family_name((int32_t)(uint32_t)v);
			j = f ? json_string(f) : json_integer((int32_t)(uint32_t)v);
			if (o < cap) {
				if (f)
					o += (size_t)snprintf(detail + o, cap - o, " %s", f);
				else
					o += (size_t)snprintf(detail + o, cap - o, " family %d", (int32_t)(uint32_t)v);
			}
			break;
		}
		case 't': {
			const char *t = sbx_net_type_name((long)v);
			j = t ? json_string(t) : json_integer((int32_t)(uint32_t)v);
			if (o < cap && t)
				o += (size_t)snprintf(detail + o, cap - o, " %s", t);
			break;
		}
		case 'a':
			sbx_net_describe_addr(tid, v, i + 1 < 6 ? d->args[i + 1] : 0, s, sizeof(s), op);
			j = json_string(s);
			if (o < cap)
				o += (size_t)snprintf(detail + o, cap - o, " %s", s);
			break;	/* the length argument is not listed in kinds */
		case '-':
			continue;
		case 'x':
		default:
			snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
			j = json_string(s);
			/* Flags and requests say what was asked (clone's flags,
			 * ioctl's request); six raw words would only be noise. */
			if (o < cap && k[1] != 'x' && i < 2)
				o += (size_t)snprintf(detail + o, cap - o, " %s", s);
			break;
		}
		json_array_append_new(args, j ? j : json_null());
	}
}

/* ---- writes by path and descriptor ----
 *
 * The decision table is seccomp/table.c's sbx_sc_writes (operands, every
 * flag, how held). How each checked write is held (issue 15
 * fix-class 2: never continue on the strength of the caller's memory):
 *
 *   syscall                          held by
 *   open openat creat (for writing)  kernel: Landlock re-checks the object
 *   mkdir mkdirat mknod mknodat      kernel: Landlock (MAKE_*)
 *   rmdir unlink unlinkat            kernel: Landlock (REMOVE_*)
 *   rename renameat renameat2        kernel: Landlock (REFER, MAKE_*, REMOVE_*)
 *   link linkat symlink symlinkat    kernel: Landlock (REFER, MAKE_*)
 *   truncate                         kernel: Landlock (TRUNCATE)
 *   chmod fchmod fchmodat fchmodat2  performed by the supervisor
 *   chown fchown lchown fchownat     performed by the supervisor
 *   utime utimes utimensat futimesat performed by the supervisor
 *   [l|f]setxattr [l|f]removexattr   performed by the supervisor
 *   openat2                          refused in the filter (ENOSYS)
 *   set-id modes (chmod family, open/creat with O_CREAT or O_TMPFILE,
 *   mknod)                           refused in the filter (EPERM)
 *
 * For the kernel-held rows the supervisor's reading only decides what is
 * recorded: a target outside the writable trees is refused and recorded
 * here, so that the record does not depend on Landlock's silent EACCES.
 * For the performed rows Landlock has no rule at all: the supervisor
 * resolves the object once, from the caller's root (deputy.c), checks that
 * object, and acts on it (an O_PATH descriptor and the *at/AT_EMPTY_PATH
 * forms, or the caller's own descriptor taken with pidfd_getfd) with a
 * private copy of every argument and the caller's filesystem ids; a
 * thread that rewrites the memory, a cwd flip or a swapped symlink after
 * that changes nothing. Flags the table does not describe are refused. */

static const struct sbx_sc_write *write_op_of(const char *name)
{
	for (size_t i = 0; i < sbx_sc_n_writes; i++)
		if (strcmp(sbx_sc_writes[i].name, name) == 0)
			return &sbx_sc_writes[i];
	return NULL;
}

/* The path of one of the supervisor's descriptors, as the kernel names it. */
static int fd_name(int fd, char *out, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= cap - 1)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return 0;
}

/* The place a dangling symlink (name in the supervisor's directory pfd)
 * makes O_CREAT create: its target's parent, resolved as the caller would,
 * and last component. -ELOOP when that is a symlink again, or unreadable. */
static int dangling_target(const struct sbx_caller *c, int pfd, const char *name, char *where, size_t cap)
{
	char link[PATH_MAX], dir[PATH_MAX], full[PATH_MAX];
	const char *last;
	ssize_t n = readlinkat(pfd, name, link, sizeof(link) - 1);
	int tfd, r;

	if (n <= 0)
		return -ELOOP;
	link[n] = '\0';
	if (link[0] != '/') {
		/* Relative to the link's own directory, in the caller's view. */
		if (fd_name(pfd, dir, sizeof(dir)) < 0 || sbx_path_join(dir, link, full, sizeof(full)) < 0)
			return -ELOOP;
		snprintf(link, sizeof(link), "%s", full);
	}
	tfd = sbx_caller_open_parent(c, AT_FDCWD, link, &last);
	if (tfd < 0)
		return tfd == -ENOENT || tfd == -ENOTDIR ? tfd : -ELOOP;
	r = openat(tfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (r >= 0) {		/* it appeared, or is a link again: no */
		close(r);
		close(tfd);
		return -ELOOP;
	}
	r = fd_name(tfd, dir, sizeof(dir));
	close(tfd);
	if (r == 0 && (size_t)snprintf(where, cap, "%s%s%.*s", dir, strcmp(dir, "/") ? "/" : "",
					(int)strcspn(last, "/"), last) >= cap)
		r = -ENAMETOOLONG;
	return r < 0 ? -ELOOP : 0;
}

/* The object one operand names, resolved once from the caller's root:
 * *obj an O_PATH descriptor of it (-1 when it does not exist yet: then
 * where names its parent and last component). 0, -ENOENT/-ENOTDIR (the
 * caller's own error), other -errno: the supervisor cannot judge it (a
 * magic link, a dangling symlink to follow, an unreachable cwd, too long). */
static int resolve(const struct sbx_caller *c, int dirfd, const char *path, bool follow, int *obj,
		   char *where, size_t cap)
{
	char dir[PATH_MAX];
	const char *name;
	int pfd, fd, r;

	*obj = -1;
	if (follow) {
		fd = sbx_caller_openat(c, dirfd, path, O_PATH);
		if (fd >= 0) {
			*obj = fd;
			return fd_name(fd, where, cap);
		}
		/* ENOENT: missing, or the last component is a symlink that
		 * does not resolve for the supervisor (ELOOP): see below. */
		if (fd != -ENOENT && fd != -ELOOP)
			return fd;
	}
	pfd = sbx_caller_open_parent(c, dirfd, path, &name);
	if (pfd == -EINVAL) {	/* "." or "..": the directory itself */
		fd = sbx_caller_openat(c, dirfd, path, O_PATH);
		if (fd < 0)
			return fd;
		*obj = fd;
		return fd_name(fd, where, cap);
	}
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && follow) {
		/* It exists, yet following it failed: a dangling symlink,
		 * whose target the kernel would create wherever it points.
		 * Judge that place, one link deep (a chain: refused). */
		r = dangling_target(c, pfd, name, where, cap);
		close(fd);
		close(pfd);
		return r;
	}
	r = fd_name(pfd, dir, sizeof(dir));
	close(pfd);
	if (r == 0 && (size_t)snprintf(where, cap, "%s%s%.*s", dir, strcmp(dir, "/") ? "/" : "",
					(int)strcspn(name, "/"), name) >= cap)
		r = -ENAMETOOLONG;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	*obj = fd;
	return 0;
}

/* Is the object of descriptor fd (the supervisor's) somewhere the program
 * may change? Anonymous objects (pipes, sockets, memfds) and deleted files
 * have no path to protect; anything else must lie in a writable tree. */
static bool fd_writable(int fd, char *const *roots, char *where, size_t cap)
{
	struct stat st;

	if (fd_name(fd, where, cap) < 0)
		return false;
	if (where[0] != '/' || (fstat(fd, &st) == 0 && st.st_nlink == 0))
		return true;
	return sbx_path_under_any(where, roots);
}

/* The caller's descriptor n, as a descriptor of the supervisor's (the same
 * open file). -EBADF when it has none. */
static int caller_fd(int pidfd, long n)
{
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)n, 0);

	return fd < 0 ? -errno : fd;
}

/* The object of a checked write, judged. form: how the act reaches it. */
enum form { FORM_PATH, FORM_FD };
struct judged {
	int obj;		/* the supervisor's descriptor of the object, or -1 */
	enum form form;		/* FORM_PATH: O_PATH or a dirfd with AT_EMPTY_PATH */
	char where[PATH_MAX];	/* where the object is, for the record */
	bool unjudged;		/* where holds a path and why it was not judged */
};

/* path, made absolute against its directory (the caller's) and normalised
 * by name alone ("." and ".." and repeated slashes): out. -errno. */
static int lexical(const struct sbx_caller *c, int pidfd, int dirfd, const char *path, char *out,
		   size_t cap)
{
	char buf[2 * PATH_MAX], base[PATH_MAX] = "";
	size_t n = 0;
	int fd, r;

	if (path[0] != '/') {
		fd = dirfd == AT_FDCWD ? sbx_caller_openat(c, AT_FDCWD, ".", O_PATH) : caller_fd(pidfd, dirfd);
		if (fd < 0)
			return fd;
		r = fd_name(fd, base, sizeof(base));
		close(fd);
		if (r < 0)
			return r;
	}
	snprintf(buf, sizeof(buf), "%s/%s", base, path);
	for (char *p = buf, *e; *p; p = e) {
		size_t k;
		while (*p == '/')
			p++;
		k = strcspn(p, "/");
		e = p + k;
		if (!k || (k == 1 && p[0] == '.'))
			continue;
		if (k == 2 && p[0] == '.' && p[1] == '.') {
			while (n && out[--n] != '/')
				;
			continue;
		}
		if (n + k + 2 > cap)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, p, k);
		n += k;
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/* A write operand that does not resolve in the caller's root: inside a
 * writable tree by its name, the kernel's ENOENT is the caller's own
 * error; outside, it is refused and recorded by its name, as the hook
 * judges Python's writes (with the sandbox's view the path is simply not
 * there: confinement.md "The view"). */
static bool missing_inside(const struct sbx_caller *c, int pidfd, int dirfd, const char *path,
			   char *const *roots, struct judged *j)
{
	char lex[PATH_MAX];

	if (lexical(c, pidfd, dirfd, path, lex, sizeof(lex)) < 0 || sbx_path_under_any(lex, roots))
		return true;
	snprintf(j->where, sizeof(j->where), "%s", lex);
	return false;
}

/* One path operand: its object into j (the first one only, for an act). */
static int judge_path(const struct sbx_caller *c, int pidfd, int dirfd, uint64_t addr, bool follow,
		      bool empty_ok, char *const *roots, struct judged *j, bool keep)
{
	char path[PATH_MAX];
	int fd = -1, r;

	if (sbx_peek_str(c->tid, addr, path, sizeof(path)) < 0) {
		snprintf(j->where, sizeof(j->where), "<a path sandboxpy could not read>");
		return 0;
	}
	if (!path[0] && empty_ok) {
		fd = dirfd == AT_FDCWD ? sbx_caller_openat(c, AT_FDCWD, ".", O_PATH) : caller_fd(pidfd, dirfd);
		if (fd == -EBADF || fd == -ENOENT)
			return fd;
		if (fd < 0) {
			snprintf(j->where, sizeof(j->where), "<descriptor %d: %s>", dirfd, strerror(-fd));
			return 0;
		}
		r = fd_writable(fd, roots, j->where, sizeof(j->where));
	} else {
		r = resolve(c, dirfd, path, follow, &fd, j->where, sizeof(j->where));
		if ((r == -ENOENT || r == -ENOTDIR) && !missing_inside(c, pidfd, dirfd, path, roots, j))
			return 0;	/* outside the sandbox's view: by its name */
		if (r == -ENOENT || r == -ENOTDIR)
			return r;	/* the caller's own error, as the kernel gives it */
		if (r < 0) {
			/* A magic link, a dangling symlink to follow, an
			 * unreachable directory, a path too long: refused. */
			snprintf(j->where, sizeof(j->where), "%.200s (%s: sandboxpy cannot judge it)", path,
				 strerror(-r));
			j->unjudged = true;
			return 0;
		}
		r = sbx_path_under_any(j->where, roots);
	}
	if (r && keep) {
		j->obj = fd;
		j->form = FORM_PATH;
	} else if (fd >= 0) {
		close(fd);
	}
	return r;
}

/* 1: every operand lies in a writable tree (j->obj: the act's object); 0:
 * refuse and record (j->where says what); -errno: answer it unrecorded. */
static int judge_write(const struct sbx_caller *c, int pidfd, const struct seccomp_data *d,
		       const struct sbx_sc_write *op, char *const *roots, struct judged *j)
{
	uint32_t flags = op->flags >= 0 ? (uint32_t)d->args[op->flags] : 0;
	int dirfd = AT_FDCWD, r;
	bool first = true;

	j->obj = -1;
	j->form = FORM_PATH;
	j->where[0] = '\0';
	if (flags & ~op->known) {
		snprintf(j->where, sizeof(j->where), "<flags 0x%x sandboxpy does not judge>", flags);
		return 0;
	}
	for (int i = 0; op->ops[i] && i < 6; i++) {
		uint64_t v = d->args[i];
		char k = op->ops[i];
		if (k == 'd') {
			dirfd = (int)(int32_t)(uint32_t)v;
			continue;
		}
		if (k == 's')
			continue;
		if (k == 'F' || (k == 'P' && !v)) {
			int fd = k == 'F' ? caller_fd(pidfd, (int32_t)(uint32_t)v)
				 : dirfd == AT_FDCWD ? -EFAULT : caller_fd(pidfd, dirfd);
			if (fd == -EBADF || fd == -EFAULT)
				return fd;	/* the caller's own error */
			if (fd < 0) {
				snprintf(j->where, sizeof(j->where), "<a descriptor sandboxpy could not take: %s>",
					 strerror(-fd));
				return 0;
			}
			if (!fd_writable(fd, roots, j->where, sizeof(j->where))) {
				close(fd);
				return 0;
			}
			j->obj = fd;
			j->form = FORM_FD;
		} else {
			bool follow = k != 'n';
			if (first && (flags & op->nofollow))
				follow = false;
			if (first && (flags & op->follow))
				follow = true;
			r = judge_path(c, pidfd, dirfd, v, follow, first && (flags & op->empty), roots, j,
				       first && op->act != SBX_ACT_NONE);
			if (r <= 0)
				return r;
		}
		first = false;
		dirfd = AT_FDCWD;
	}
	return 1;
}

/* The times of a utime-family call, copied: ts NULL for "now". -errno. */
static int copy_times(pid_t tid, enum sbx_sc_act act, uint64_t addr, struct timespec ts[2], struct timespec **tsp)
{
	*tsp = NULL;
	if (!addr)
		return 0;
	if (act == SBX_ACT_UTIME) {
		struct utimbuf u;
		if (sbx_peek(tid, addr, &u, sizeof(u)) != (ssize_t)sizeof(u))
			return -EFAULT;
		ts[0] = (struct timespec){ u.actime, 0 };
		ts[1] = (struct timespec){ u.modtime, 0 };
	} else if (act == SBX_ACT_UTIMES) {
		struct timeval tv[2];
		if (sbx_peek(tid, addr, tv, sizeof(tv)) != (ssize_t)sizeof(tv))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
		}
	} else if (sbx_peek(tid, addr, ts, 2 * sizeof(*ts)) != (ssize_t)(2 * sizeof(*ts))) {
		return -EFAULT;
	}
	*tsp = ts;
	return 0;
}

/* An extended attribute's name, copied: 0, -ERANGE (empty or longer than
 * XATTR_NAME_MAX), -EFAULT. */
static int copy_xattr_name(pid_t tid, uint64_t addr, char name[XATTR_NAME_MAX + 1])
{
	char c;

	if (sbx_peek_str(tid, addr, name, XATTR_NAME_MAX + 1) > 0)
		return 0;
	return sbx_peek(tid, addr, &c, 1) == 1 ? -ERANGE : -EFAULT;
}

/* The xattr calls on the judged object: a descriptor the program gave
 * (f*), or the object itself through the supervisor's descriptor. A
 * symlink carries no user attributes (EPERM, as the kernel says). */
static int do_xattr(const struct judged *j, const char *name, const void *value, size_t size, int flags,
		    bool set)
{
	char proc[64];
	struct stat st;
	int r;

	if (j->form == FORM_FD)
		r = set ? fsetxattr(j->obj, name, value, size, flags) : fremovexattr(j->obj, name);
	else if (fstat(j->obj, &st) == 0 && S_ISLNK(st.st_mode))
		return -EPERM;
	else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", j->obj);
		r = set ? setxattr(proc, name, value, size, flags) : removexattr(proc, name);
	}
	return r < 0 ? -errno : 0;
}

/* chmod and chown on the judged object: the caller's own descriptor
 * (fchmod, fchown: its kind of descriptor decides, as in the kernel), or
 * the object by the supervisor's descriptor with AT_EMPTY_PATH (a symlink
 * itself when the call said not to follow one). */
static int do_attr(const struct judged *j, enum sbx_sc_act act, const struct seccomp_data *d, const struct sbx_sc_write *op)
{
	long r;

	if (act == SBX_ACT_CHMOD) {
		mode_t mode = (mode_t)d->args[op->a];
		if (mode & (S_ISUID | S_ISGID))
			return -EPERM;	/* the filter refuses these already */
		r = j->form == FORM_FD ? fchmod(j->obj, mode)
				       : syscall(SYS_fchmodat2, j->obj, "", mode, AT_EMPTY_PATH);
	} else {
		uid_t uid = (uid_t)d->args[op->a];
		gid_t gid = (gid_t)d->args[op->b];
		r = j->form == FORM_FD ? fchown(j->obj, uid, gid) : fchownat(j->obj, "", uid, gid, AT_EMPTY_PATH);
	}
	return r < 0 ? -errno : 0;
}

/* The act of a performed row, on private copies of its arguments, with the
 * caller's filesystem ids: 0 or -errno to answer, 1 to refuse and record
 * (why says what: a security.* or trusted.* attribute). */
static int perform(const struct sbx_caller *c, const struct seccomp_data *d, const struct sbx_sc_write *op,
		   const struct judged *j, char *why, size_t cap)
{
	struct timespec ts[2], *tsp = NULL;
	char name[XATTR_NAME_MAX + 1];
	void *value = NULL;
	size_t size = 0;
	struct sbx_as_caller saved;
	int r = 0;

	if (op->act == SBX_ACT_UTIME || op->act == SBX_ACT_UTIMES || op->act == SBX_ACT_UTIMENS)
		r = copy_times(c->tid, op->act, d->args[op->a], ts, &tsp);
	else if (op->act == SBX_ACT_SETX || op->act == SBX_ACT_RMX)
		r = copy_xattr_name(c->tid, d->args[op->a], name);
	if (r < 0)
		return r;
	if ((op->act == SBX_ACT_SETX || op->act == SBX_ACT_RMX) && !sbx_xattr_name_allowed(name)) {
		snprintf(why, cap, " attribute '%.64s'", name);
		return 1;
	}
	if (op->act == SBX_ACT_SETX) {
		size = (size_t)d->args[op->b + 1];
		if (size > XATTR_SIZE_MAX)
			return -E2BIG;
		if (size && (!(value = malloc(size)) || sbx_peek(c->tid, d->args[op->b], value, size) != (ssize_t)size)) {
			free(value);
			return value ? -EFAULT : -ENOMEM;
		}
	}
	if (sbx_as_caller_enter(c, &saved) < 0) {
		free(value);
		return -EPERM;
	}
	switch (op->act) {
	case SBX_ACT_CHMOD:
	case SBX_ACT_CHOWN:
		r = do_attr(j, op->act, d, op);
		break;
	case SBX_ACT_SETX:
	case SBX_ACT_RMX:
		r = do_xattr(j, name, value, size, (int)d->args[op->flags], op->act == SBX_ACT_SETX);
		break;
	default:	/* the utime family */
		r = j->form == FORM_FD
			    ? (int)syscall(SYS_utimensat, j->obj, NULL, tsp,
					   op->act == SBX_ACT_UTIMENS ? (int)d->args[op->flags] : 0)
			    : (int)syscall(SYS_utimensat, j->obj, "", tsp, AT_EMPTY_PATH);
		r = r < 0 ? -errno : 0;
		break;
	}
	sbx_as_caller_leave(&saved);
	free(value);
	return r;
}


/* The last number of a "NStgid:"/"NSpid:" line: the id in the innermost
 * namespace, the one the program sees (os.getpid()) and the audit hook
 * reports. */
static pid_t last_id(const char *line)
{
	const char *sp = strrchr(line, '\t');
	const char *sp2 = strrchr(line, ' ');

	if (!sp || (sp2 && sp2 > sp))
		sp = sp2;
	return sp ? (pid_t)atoi(sp + 1) : 0;
}

/* The thread group (process) of a thread, and both as the sandbox sees
 * them: audit records carry getpid() inside its PID namespace,
 * notifications the thread's id in ours. */
static void ids_of(pid_t tid, pid_t *tgid, pid_t *ns_tgid, pid_t *ns_tid)
{
	char path[64], line[256];
	FILE *f;

	*tgid = *ns_tgid = *ns_tid = tid;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Tgid:", 5) == 0)
			*tgid = (pid_t)atoi(line + 5);
		else if (strncmp(line, "NStgid:", 7) == 0)
			*ns_tgid = last_id(line);
		else if (strncmp(line, "NSpid:", 6) == 0)
			*ns_tid = last_id(line);
	}
	fclose(f);
}

/* Sends resp for notification id: 2 (answered, nothing to record), or
 * -errno when the listener failed; a caller already gone is no failure. */
static int send_answer(int fd, struct seccomp_notif_resp *resp, uint64_t id)
{
	int r;

	resp->id = id;
	r = seccomp_notify_respond(fd, resp);
	/* libseccomp 2.5 reports every failed ioctl as -ECANCELED, the cause
	 * in errno: a caller killed before its answer is ENOENT, not a broken
	 * listener. */
	if (r == -ECANCELED && errno == ENOENT)
		r = -ENOENT;
	return r >= 0 || r == -ENOENT ? 2 : r;
}

static int answer(int fd, struct seccomp_notif_resp *resp, uint64_t id, int error, uint32_t flags)
{
	resp->val = 0;
	resp->error = error;
	resp->flags = flags;
	return send_answer(fd, resp, id);
}

/* The refused object of a write as data: its path, when where is one. */
static void write_operand(const struct judged *j, struct sbx_operand *op)
{
	sbx_operand_reset(op, SBX_OPK_PATH);
	if (j->where[0] == '/' && !j->unjudged)
		sbx_operand_set(op, SBX_OP_PATH, j->where);
}

/* A checked write: 2 answered (it went on to Landlock, the supervisor did
 * it, or the caller's own error), 0 to refuse and record (out->detail
 * says what, op as data), -errno when the listener failed. */
static int on_write(int fd, const struct seccomp_notif *req, struct seccomp_notif_resp *resp,
		    struct sbx_kdenial *out, char *const *roots, struct sbx_operand *opnd)
{
	const struct sbx_sc_write *op = write_op_of(out->v.name);
	struct judged j = { .obj = -1 };
	struct sbx_caller c = { .root = -1 };
	char why[96] = "";
	int pidfd = -1, r = 0, v;

	out->v.err = EACCES;
	if (!op || !roots || !*roots || sbx_caller_open(out->tid, &c) < 0)
		goto out;
	pidfd = (int)syscall(SYS_pidfd_open, out->tgid, 0);
	if (pidfd < 0)
		goto out;
	v = judge_write(&c, pidfd, &req->data, op, roots, &j);
	/* Still this very call of this very process: the descriptors opened
	 * above are the caller's, not those of a process that reused its id. */
	if (seccomp_notify_id_valid(fd, req->id) < 0)
		goto out;
	if (v == 0) {
		snprintf(out->detail, sizeof(out->detail), "%s '%s'", op->name, j.where);
		write_operand(&j, opnd);
		goto out;
	}
	if (v < 0) {
		r = answer(fd, resp, req->id, v, 0);
		goto out;
	}
	if (op->act != SBX_ACT_NONE && j.obj < 0) {
		r = answer(fd, resp, req->id, -ENOENT, 0);	/* nothing there to act on */
		goto out;
	}
	if (op->act == SBX_ACT_NONE) {
		/* Landlock judges the real object again in the kernel. */
		r = answer(fd, resp, req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		goto out;
	}
	v = perform(&c, &req->data, op, &j, why, sizeof(why));
	if (v == 1) {
		out->v.err = EPERM;
		snprintf(out->detail, sizeof(out->detail), "%s '%s'%s", op->name, j.where, why);
		write_operand(&j, opnd);
		goto out;
	}
	r = answer(fd, resp, req->id, v, 0);
out:
	if (j.obj >= 0)
		close(j.obj);
	if (pidfd >= 0)
		close(pidfd);
	sbx_caller_close(&c);
	return r;
}

/* Is the file of descriptor fd one of process.exec_allow, by identity
 * (device and inode, each entry resolved in the caller's root), never by
 * name? The ELF interpreter is no exception: running it directly would
 * start any program it is given. */
static bool exec_listed(const struct sbx_caller *c, int fd, const struct sbx_policy *p)
{
	struct stat st, a;
	bool ok = false;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	for (size_t i = 0; i < p->process.exec_allow.n && !ok; i++) {
		int afd = sbx_caller_openat(c, AT_FDCWD, p->process.exec_allow.v[i], O_PATH);
		if (afd < 0)
			continue;
		ok = fstat(afd, &a) == 0 && a.st_dev == st.st_dev && a.st_ino == st.st_ino;
		close(afd);
	}
	return ok;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* A listed sandboxpy starting its interpreter (child/child.c
 * exec_interpreter): the ELF loader, run on a descriptor, by a process
 * whose executable is sandboxpy itself (sys.executable, by identity), which
 * exec_allow lists. The loader would start any program it is given, but
 * that process runs sandboxpy's code: in the view nothing the program
 * wrote can be mapped executable (noexec write trees, memfd_noexec), so
 * what the loader is given is sandboxpy's choice. Without the view a
 * program that could bring native code into that process could as well
 * run that code itself (docs/confinement.md). */
static bool sandboxpy_starting_python(const struct sbx_caller *c, pid_t tgid, int fd,
				      const struct sbx_policy *p, const char *self_exe)
{
	struct stat file, loader, exe, self;
	char path[64];
	int lfd, efd;
	bool ok = false;

	if (!self_exe || fstat(fd, &file) < 0 || stat(self_exe, &self) < 0)
		return false;
	lfd = sbx_caller_openat(c, AT_FDCWD, "/lib64/ld-linux-x86-64.so.2", O_PATH);
	if (lfd < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tgid);
	efd = open(path, O_PATH | O_CLOEXEC);
	if (fstat(lfd, &loader) == 0 && same_file(&file, &loader) && efd >= 0 &&
	    fstat(efd, &exe) == 0 && same_file(&exe, &self))
		ok = exec_listed(c, efd, p);
	close(lfd);
	if (efd >= 0)
		close(efd);
	return ok;
}

/* A program to start, against process.exec_allow: 1 to continue, 0 to
 * refuse and record (detail names the program), -errno the caller's own
 * error. The supervisor cannot perform an execve for the caller: the
 * continue is held by Landlock's EXECUTE right (exec_allow and the ELF
 * interpreter only) and noexec mounts; this check refuses, and records,
 * everything it can judge, and whatever it cannot (a magic link such as
 * /proc/self/cwd or /dev/fd/N, unknown flags). */
static int check_exec(int pidfd, const struct sbx_kdenial *out, const struct seccomp_data *d,
		      const struct sbx_policy *p, const char *self_exe, char *const *write_roots,
		      char *detail, size_t cap, const char **unjudged, struct sbx_operand *op)
{
	const char *why = NULL;
	bool at = strcmp(out->v.name, "execveat") == 0;
	uint32_t flags = at ? (uint32_t)d->args[4] : 0;
	int dirfd = at ? (int)(int32_t)(uint32_t)d->args[0] : AT_FDCWD, fd = -1, r = 0;
	char path[PATH_MAX], target[PATH_MAX];
	struct sbx_caller c = { .root = -1 };

	snprintf(detail, cap, "%s", out->v.name);
	if (flags & ~(uint32_t)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | SBX_AT_EXECVE_CHECK)) {
		snprintf(detail, cap, "%s <flags 0x%x sandboxpy does not judge>", out->v.name, flags);
		sbx_operand_reset(op, SBX_OPK_NONE);
		return 0;
	}
	if (sbx_peek_str(out->tid, d->args[at ? 1 : 0], path, sizeof(path)) < 0 ||
	    sbx_caller_open(out->tid, &c) < 0)
		goto out;
	/* The program as named, until its file is known. */
	sbx_operand_reset(op, SBX_OPK_PROGRAM);
	sbx_operand_set(op, SBX_OP_PROGRAM, path);
	if (at && !path[0] && (flags & AT_EMPTY_PATH))
		fd = caller_fd(pidfd, dirfd);
	else
		fd = sbx_caller_openat(&c, dirfd, path, O_PATH | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd == -ENOENT || fd == -ENOTDIR) {
		r = fd;		/* as the kernel answers a PATH search */
		goto out;
	}
	if (fd < 0) {
		snprintf(detail, cap, "%s '%.200s' (%s: sandboxpy cannot judge it)", out->v.name, path,
			 strerror(-fd));
		goto out;
	}
	if (fd_name(fd, target, sizeof(target)) == 0) {
		snprintf(detail, cap, "%s '%s'", out->v.name, target);
		sbx_operand_set(op, SBX_OP_PROGRAM, target);
	}
	r = exec_listed(&c, fd, p) ||
	    (at && !path[0] && (flags & AT_EMPTY_PATH) &&
	     sandboxpy_starting_python(&c, out->tgid, fd, p, self_exe));
	/* The kernel reads the path again: a listed program continues only
	 * when nothing can change what it reads (stable.c). */
	if (r == 1 && !(at && !path[0] && (flags & AT_EMPTY_PATH)) &&
	    !sbx_exec_path_stable(&c, out->tgid, d->args[at ? 1 : 0], path, dirfd, write_roots, &why)) {
		snprintf(detail, cap, "%s '%.200s' (%s: sandboxpy cannot judge it)", out->v.name, path, why);
		*unjudged = "a listed program, started while another thread or process could change the path";
		r = 0;
	}
out:
	if (fd >= 0)
		close(fd);
	sbx_caller_close(&c);
	return r;
}

/* A program start as data: the program (the file check_exec opened, else
 * the path as named) and its argv, read from the caller for the report
 * only, all of it or none. */
static void exec_operand(pid_t tid, const struct seccomp_data *d, const char *name, struct sbx_operand *op)
{
	bool at = strcmp(name, "execveat") == 0;
	uint64_t argv = d->args[at ? 2 : 1], ptr;
	char s[sizeof(op->text)];

	if (!at && strcmp(name, "execve") != 0)
		return;
	if (op->kind == SBX_OPK_PATH) {
		memcpy(s, op->text, op->len[SBX_OP_PATH]);
		s[op->len[SBX_OP_PATH]] = '\0';
		sbx_operand_reset(op, SBX_OPK_PROGRAM);
		sbx_operand_set(op, SBX_OP_PROGRAM, s);
	}
	if (op->kind != SBX_OPK_PROGRAM)
		return;
	for (int i = 0; i <= SBX_OPERAND_MAX_ARGC; i++) {
		if (i == SBX_OPERAND_MAX_ARGC || peek(tid, argv + (uint64_t)i * sizeof(ptr), &ptr, sizeof(ptr)) != sizeof(ptr))
			break;
		if (!ptr)
			return;		/* the end of argv: all of it is in op */
		if (sbx_peek_str(tid, ptr, s, sizeof(s)) < 0 || !sbx_operand_add_arg(op, s, strlen(s)))
			break;
	}
	sbx_operand_drop_argv(op);
}

int sbx_notify_handle(int fd, const struct sbx_policy *p, int chan, const char *self_exe,
		      char *const *write_roots, bool audit_only, struct sbx_kdenial *out)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	struct sbx_operand op;
	uint64_t args[6];
	int r;

	memset(out, 0, sizeof(*out));
	sbx_operand_reset(&op, SBX_OPK_NONE);
	r = seccomp_notify_alloc(&req, &resp);
	if (r < 0)
		return r;
	r = seccomp_notify_receive(fd, req);
	if (r == -ECANCELED && (errno == ENOENT || errno == EINTR))
		r = -errno;	/* libseccomp's -ECANCELED, errno says why */
	if (r < 0)
		goto out;	/* -ENOENT: the caller was killed meanwhile */
	for (int i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	sbx_seccomp_classify(p, chan, req->data.nr, args, &out->v);
	/* Everything read from the caller is for the report only. */
	out->tid = (pid_t)req->pid;
	ids_of(out->tid, &out->tgid, &out->ns_tgid, &out->ns_tid);
	out->args = json_array();
	describe(out->tid, &req->data, out->v.name, out->args, out->detail, sizeof(out->detail), &op);
	if (out->v.check_write) {
		r = on_write(fd, req, resp, out, write_roots, &op);
		if (r != 0)
			goto out;	/* answered: on to Landlock, done, or the caller's error */
	}
	if (out->v.check_exec) {
		int pidfd = (int)syscall(SYS_pidfd_open, out->tgid, 0);
		const char *unjudged = NULL;
		int c = pidfd < 0 ? 0 : check_exec(pidfd, out, &req->data, p, self_exe, write_roots, out->detail,
						   sizeof(out->detail), &unjudged, &op);
		if (unjudged) {
			out->v.why = unjudged;	/* no setting of the policy would let it through */
			out->v.rule = SBX_RULE_SYSTEM;
		}
		if (pidfd >= 0)
			close(pidfd);
		if (c != 0 && seccomp_notify_id_valid(fd, req->id) == 0) {
			r = c < 0 ? answer(fd, resp, req->id, c, 0)
				  : answer(fd, resp, req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
			goto out;
		}
		out->v.err = EACCES;
	}
	if (out->v.check_net && seccomp_notify_id_valid(fd, req->id) == 0) {
		/* Judged and performed by the supervisor on a private copy, as
		 * the caller (notify_net.c): the call never continues. */
		struct sbx_net_call call = { out->tid, out->tgid, &req->data, out->v.name, p, write_roots, &op };
		char why[200];
		int e = 0;
		if (sbx_net_handle(&call, resp, &e, why, sizeof(why)) == 1) {
			r = send_answer(fd, resp, req->id);
			goto out;
		}
		if (e)
			out->v.err = e;
		if (why[0]) {
			size_t o = strlen(out->detail);
			snprintf(out->detail + o, sizeof(out->detail) - o, "%s", why);
		}
	}
	exec_operand(out->tid, &req->data, out->v.name, &op);
	/* The memory read above belonged to this very syscall only if the
	 * notification is still pending; otherwise the text is dropped. */
	if (seccomp_notify_id_valid(fd, req->id) < 0) {
		json_array_clear(out->args);
		snprintf(out->detail, sizeof(out->detail), "%s", out->v.name);
		sbx_operand_reset(&op, SBX_OPK_NONE);
	}
	/* Caller memory is hostile bytes too: checked and made printable as
	 * a channel record's operand is. */
	if (sbx_operand_decode(&op, &out->op) < 0) {
		sbx_operand_reset(&op, SBX_OPK_NONE);
		sbx_operand_decode(&op, &out->op);
	}
	/* The channel's descriptor: refused, nothing to report. */
	if (out->v.quiet) {
		r = answer(fd, resp, req->id, -out->v.err, 0);
		goto out;
	}
	/* --audit-only: recorded as a would-be refusal, and on to the kernel. */
	if (audit_only) {
		r = answer(fd, resp, req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		r = r < 0 ? r : 1;
		goto out;
	}
	/* A kill: no answer at all. The caller stays blocked in the syscall
	 * until the supervisor's SIGKILL reaches it, so not one more
	 * instruction of the program runs after the violation. */
	if (out->v.kill) {
		r = 1;
		goto out;
	}
	/* A refusal: answered, and a record (even if the caller died first). */
	r = answer(fd, resp, req->id, -out->v.err, 0);
	r = r < 0 ? r : 1;
out:
	seccomp_notify_free(req, resp);
	return r;
}
