/* paths.c: where a path really points, as the kernel would see it, so the
 * hook compares real locations: symlinks of the existing prefix are
 * resolved (a dangling one too: into the target it would create), "..",
 * "." and repeated slashes handled, relative paths taken from the current
 * directory or a dir_fd. Plus the directory cache: once Landlock holds,
 * a directory the sandbox cannot change by any name is resolved once per
 * run, and a path in it costs one lstat (docs/confinement.md "The hook's
 * directory cache" has the argument). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sbx_hook.h"
#include "sbx_match.h"

/* Appends the components of rest to out lexically: nothing of rest exists,
 * so there are no symlinks left to follow. */
static int append_lexical(char *out, size_t cap, const char *rest)
{
	size_t len = strlen(out);

	while (*rest) {
		size_t n;
		while (*rest == '/')
			rest++;
		n = strcspn(rest, "/");
		if (n == 0)
			break;
		if (n == 1 && rest[0] == '.') {
			/* nothing */
		} else if (n == 2 && rest[0] == '.' && rest[1] == '.') {
			char *slash = strrchr(out, '/');
			if (slash && slash != out)
				*slash = '\0';
			else
				out[1] = '\0', out[0] = '/';
			len = strlen(out);
		} else {
			if (len + 1 + n + 1 > cap)
				return -ENAMETOOLONG;
			if (len > 1)
				out[len++] = '/';
			memcpy(out + len, rest, n);
			len += n;
			out[len] = '\0';
		}
		rest += n;
	}
	return 0;
}

/* The common case, a path that exists: the kernel resolves it once
 * (O_PATH opens nothing: no device or FIFO is touched) and names what it
 * found, in three syscalls instead of one readlink per component. 1 when
 * out holds the answer, 0 to take the long way. */
static int resolve_existing(const char *in, int dirfd, char *out, size_t cap)
{
	static const char deleted[] = " (deleted)";
	char link[64];
	ssize_t n;
	int fd = openat(in[0] == '/' || dirfd < 0 ? AT_FDCWD : dirfd, in, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap - 1);
	close(fd);
	if (n <= 0 || (size_t)n >= cap - 1 || out[0] != '/')
		return 0;
	out[n] = '\0';
	/* Unlinked meanwhile: the kernel's name is no path any more. */
	if ((size_t)n >= sizeof(deleted) - 1 && strcmp(out + n - (sizeof(deleted) - 1), deleted) == 0)
		return 0;
	return 1;
}

int sbx_path_resolve(const char *in, int dirfd, char *out, size_t cap)
{
	char joined[PATH_MAX], base[PATH_MAX], real[PATH_MAX], cand[PATH_MAX];
	size_t cut;

	if (!*in)
		return -ENOENT;
	if (cap > 1 && resolve_existing(in, dirfd, out, cap))
		return 0;
	if (in[0] == '/') {
		if (strlen(in) >= sizeof(joined))
			return -ENAMETOOLONG;
		strcpy(joined, in);
	} else {
		if (dirfd >= 0) {
			char link[64];
			ssize_t n;
			snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
			n = readlink(link, base, sizeof(base) - 1);
			if (n < 0)
				return -errno;
			base[n] = '\0';
		} else if (!getcwd(base, sizeof(base))) {
			return -errno;
		}
		if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", base, in) >= sizeof(joined))
			return -ENAMETOOLONG;
	}
	for (int hops = 0;; hops++) {
		const char *rest;
		struct stat st;
		ssize_t tn;
		size_t n;

		/* The longest prefix that resolves; the rest does not exist yet. */
		cut = strlen(joined);
		for (;;) {
			char saved = joined[cut];
			joined[cut] = '\0';
			if (realpath(cut ? joined : "/", real)) {
				joined[cut] = saved;
				break;
			}
			joined[cut] = saved;
			if (cut == 0)
				return -ENOENT;
			/* back to the previous component boundary */
			while (cut > 0 && joined[cut - 1] == '/')
				cut--;
			while (cut > 0 && joined[cut - 1] != '/')
				cut--;
			while (cut > 1 && joined[cut - 1] == '/')
				cut--;
			if (cut == 1 && joined[0] == '/')
				cut = 0;
		}
		/* realpath() cannot follow a dangling symlink, but the kernel
		 * does: open(O_CREAT) through it creates its target. So when the
		 * first missing component is a symlink, splice its target in and
		 * resolve again, as path lookup would (at most 40 links). */
		rest = joined + cut;
		while (*rest == '/')
			rest++;
		n = strcspn(rest, "/");
		if (n == 0 || (n == 1 && rest[0] == '.') || (n == 2 && rest[0] == '.' && rest[1] == '.'))
			break;
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%.*s", real[1] ? real : "", (int)n, rest) >=
		    sizeof(cand))
			return -ENAMETOOLONG;
		if (lstat(cand, &st) < 0 || !S_ISLNK(st.st_mode))
			break;
		if (hops >= 40)
			return -ELOOP;
		tn = readlink(cand, base, sizeof(base) - 1);
		if (tn <= 0)
			return tn < 0 ? -errno : -ENOENT;
		base[tn] = '\0';
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s%s", base[0] == '/' ? "" : real,
				     base[0] == '/' ? "" : "/", base, rest + n) >= sizeof(cand))
			return -ENAMETOOLONG;
		strcpy(joined, cand);
	}
	if (strlen(real) >= cap)
		return -ENAMETOOLONG;
	strcpy(out, real);
	return append_lexical(out, cap, joined + cut);
}

/* ---- the directory cache ----
 *
 * A directory is FIXED when the sandbox cannot change what its name
 * resolves to, by any name, for the rest of the run:
 * - Landlock is enforced (the cache is armed only then: not --audit-only,
 *   not where Landlock failed), and every process of the sandbox inherits
 *   it; mounting is refused by the seccomp filter (NEVER rows), so the
 *   mount table the cache was prepared from holds;
 * - the name is canonical: absolute, every component a plain name (no
 *   ".", "..", empty one) that lstat finds to be a directory, not a link;
 * - it is under no write tree by name, and neither it nor any directory on
 *   the way lives on a filesystem (st_dev) that any write tree, or any mount
 *   below one, is on: Landlock grants a write right only through a path
 *   that walks up to a write tree, and the supervisor refuses every
 *   namespace write (rename, link, unlink, mkdir, symlink) outside them,
 *   so no entry of such a directory can be created, removed or renamed
 *   from inside, through a bind mount of the same files either;
 * - every filesystem involved is a local, unstacked one (ext2/3/4, xfs,
 *   tmpfs, ramfs), where a directory has no other name on another
 *   filesystem (an overlay's upper directory would), and not /proc, /sys
 *   or /dev (magic links, per-process directories).
 * Checked top down, each directory only once its parent is known fixed, so
 * a racing thread cannot swap what was just checked. ABSENT: the last
 * component does not exist in a fixed parent, and no one inside can create
 * it. A path DIR/NAME with DIR fixed then resolves to itself unless NAME is
 * a symbolic link: one lstat every time, or none when DIR holds no link at
 * all (its entries cannot change from inside either); under an absent DIR,
 * to itself. Anything else takes the long way, as
 * does every path while the cache is off. The host changing a read tree
 * during a run is not the program's doing: Landlock and the view still
 * decide the open; the record may then name the path as it was. */

#define DC_ENTRIES 64	/* per thread */
#define DC_NAME 192	/* longer directories take the long way */
#define DC_DEVS 64	/* filesystems under the write trees */

/* FIXED_NOLINK: fixed, and none of its entries is a symbolic link (nor
 * can one appear there), so no name in it needs looking at. UNLISTED:
 * fixed, its entries not read yet: the working directory as armed, read
 * when a name in it is first looked up (if ever: reading a large one at
 * start-up would cost the program's start for nothing). */
enum dc_state { DC_OTHER, DC_FIXED, DC_FIXED_NOLINK, DC_ABSENT, DC_FIXED_UNLISTED };

struct dc_entry {
	unsigned gen;		/* valid while equal to dc_gen */
	uint16_t len;
	uint8_t state;
	char dir[DC_NAME];
};

static const struct sbx_roots *dc_write;	/* the run's write trees */
/* The run's read trees: a directory outside them is never listed (the
 * listing would be a refusal of our own, which Landlock's audit records
 * would show as the program's, run_audit.c). NULL: any (the tests). */
static const struct sbx_roots *dc_read;
static bool dc_native;		/* the program may run native code */
/* The working directory as armed, while nothing can have changed it: only
 * os.chdir (and os.fchdir, the same event) can, without native code, and
 * the hook clears this on that event, before the call; for good. Kept only
 * for a fixed directory, whose name cannot change. */
static char dc_cwd[DC_NAME];
static bool dc_cwd_known;
static dev_t dc_dev[DC_DEVS];
static size_t dc_ndev;
static bool dc_ready;		/* dc_dev describes dc_write */
static unsigned dc_epoch, dc_gen;	/* dc_gen 0: off */
/* Per thread: no entry is ever read half written. */
static __thread struct dc_entry dc[DC_ENTRIES];
static __thread unsigned dc_next, dc_hit;

static bool under_write(const char *path)
{
	for (size_t i = 0; dc_write && i < dc_write->n; i++)
		if (sbx_path_under(path, dc_write->v[i]))
			return true;
	return false;
}

static bool local_fs(unsigned long type)
{
	return type == EXT4_SUPER_MAGIC || type == XFS_SUPER_MAGIC || type == TMPFS_MAGIC ||
	       type == RAMFS_MAGIC;
}

static int add_dev(dev_t d)
{
	for (size_t i = 0; i < dc_ndev; i++)
		if (dc_dev[i] == d)
			return 0;
	if (dc_ndev == DC_DEVS)
		return -E2BIG;
	dc_dev[dc_ndev++] = d;
	return 0;
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* One mountinfo line: a mount at or below a write tree puts its filesystem
 * in dc_dev; one that is not local and unstacked turns the cache off. */
static int mount_line(char *line)
{
	unsigned maj, min;
	char mp[PATH_MAX], type[64];
	const char *dash = strstr(line, " - ");

	if (!dash || sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mp) != 3 ||
	    sscanf(dash + 3, "%63s", type) != 1)
		return -EINVAL;
	unescape(mp);
	if (!under_write(mp))
		return 0;
	if (strcmp(type, "ext4") && strcmp(type, "ext3") && strcmp(type, "ext2") && strcmp(type, "xfs") &&
	    strcmp(type, "tmpfs") && strcmp(type, "devtmpfs") && strcmp(type, "ramfs"))
		return -EXDEV;
	return add_dev(makedev(maj, min));
}

void sbx_path_cache_roots(const struct sbx_roots *write, const struct sbx_roots *read,
			  bool native_code)
{
	dc_write = write;
	dc_read = read;
	dc_native = native_code;
	dc_ready = false;
	dc_gen = 0;
	dc_cwd_known = false;
}

void sbx_path_cache_cwd_moves(void)
{
	__atomic_store_n(&dc_cwd_known, false, __ATOMIC_SEQ_CST);
}

int sbx_path_cache_prepare(void)
{
	char *line = NULL;
	size_t cap = 0;
	bool dirs = false;
	FILE *f;
	int r = 0;

	dc_ready = false;
	dc_ndev = 0;
	if (!dc_write)
		return -EINVAL;
	for (size_t i = 0; i < dc_write->n && r == 0; i++) {
		struct stat st;
		struct statfs fs;
		if (stat(dc_write->v[i], &st) < 0 || statfs(dc_write->v[i], &fs) < 0)
			return -errno;
		dirs |= S_ISDIR(st.st_mode);
		r = local_fs((unsigned long)fs.f_type) ? add_dev(st.st_dev) : -EXDEV;
	}
	/* Only a directory has mounts below it. At a write tree that is not
	 * one (/dev/null, the usual only one) the mount stat and statfs just
	 * saw is the one every write through its name reaches, and one
	 * hidden under it cannot be written: the mount table adds nothing.
	 * Reading it costs 70-85 us at start-up (docs/performance.md). */
	if (!dirs) {
		dc_ready = r == 0;
		return r;
	}
	f = r == 0 ? fopen("/proc/self/mountinfo", "re") : NULL;
	if (r == 0 && !f)
		r = -errno;
	while (r == 0 && getline(&line, &cap, f) > 0)
		r = mount_line(line);
	free(line);
	if (f)
		fclose(f);
	dc_ready = r == 0;
	return r;
}

static void remember_cwd(void);

void sbx_path_cache_arm(void)
{
	if (!dc_ready)
		return;
	if (++dc_epoch == 0)
		dc_epoch = 1;
	dc_gen = dc_epoch;
	remember_cwd();
}

void sbx_path_cache_off(void)
{
	dc_gen = 0;
	dc_cwd_known = false;
}

/* One directory on the way: a directory (not a link) on a local filesystem
 * no write tree reaches. */
static bool dir_fixed(const char *p)
{
	struct stat st;
	struct statfs fs;

	if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) || statfs(p, &fs) < 0 ||
	    !local_fs((unsigned long)fs.f_type))
		return false;
	for (size_t i = 0; i < dc_ndev; i++)
		if (dc_dev[i] == st.st_dev)
			return false;
	return true;
}

/* Whether fixed directory p may hold a symbolic link: its entries, read
 * once (they cannot change from inside). Too many entries, or a type the
 * filesystem does not give, count as "may". */
static bool readable(const char *p)
{
	for (size_t i = 0; dc_read && i < dc_read->n; i++)
		if (sbx_path_under(p, dc_read->v[i]))
			return true;
	return !dc_read;
}

static bool has_links(const char *p)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = readable(p) ? open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) : -1;
	long n = 0, seen = 0;
	bool links = fd < 0;

	while (!links && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n && !links;) {
			const struct dirent64 *e = (const struct dirent64 *)(buf + off);
			links = e->d_type == DT_LNK || e->d_type == DT_UNKNOWN || ++seen > 4096;
			off += e->d_reclen;
		}
	}
	if (n < 0)
		links = true;
	if (fd >= 0)
		close(fd);
	return links;
}

/* The entry last found first: events come in runs in one directory. */
static struct dc_entry *dir_find(const char *d, size_t len)
{
	unsigned gen = dc_gen;
	struct dc_entry *e = &dc[dc_hit];

	if (e->gen == gen && e->len == len && memcmp(e->dir, d, len) == 0)
		return e;
	for (unsigned i = 0; i < DC_ENTRIES; i++)
		if (dc[i].gen == gen && dc[i].len == len && memcmp(dc[i].dir, d, len) == 0) {
			dc_hit = i;
			return &dc[i];
		}
	return NULL;
}

static bool plain_name(const char *s, size_t n)
{
	return n && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* Fixed directory p, its entries read now or (list false) when needed. */
static enum dc_state fixed_state(const char *p, bool list)
{
	if (!list)
		return DC_FIXED_UNLISTED;
	return has_links(p) ? DC_FIXED : DC_FIXED_NOLINK;
}

/* Directory p, its parent being fixed. */
static enum dc_state last_state(const char *p, bool list)
{
	struct stat st;

	if (dir_fixed(p))
		return fixed_state(p, list);
	/* Missing, in a fixed parent: no one inside can make it. */
	return lstat(p, &st) < 0 && errno == ENOENT ? DC_ABSENT : DC_OTHER;
}

/* What d (len bytes, not terminated) is: from its parent's entry when
 * the cache has one, else checked from the root down. */
static enum dc_state dir_state(const char *d, size_t len, bool list)
{
	char p[DC_NAME];
	const struct dc_entry *up;
	size_t i = 1, cut;

	if (len == 0 || len >= sizeof(p) || d[0] != '/' || (len > 1 && d[len - 1] == '/'))
		return DC_OTHER;		/* "a//f": a trailing slash is an empty name */
	memcpy(p, d, len);
	p[len] = '\0';
	if (under_write(p) || sbx_path_under(p, "/proc") || sbx_path_under(p, "/sys") ||
	    sbx_path_under(p, "/dev"))
		return DC_OTHER;
	cut = (size_t)(strrchr(p, '/') - p);
	up = len > 1 ? dir_find(p, cut ? cut : 1) : NULL;
	if (up && plain_name(p + cut + 1, len - cut - 1)) {
		if (up->state == DC_ABSENT)
			return DC_ABSENT;	/* under a missing directory: missing */
		if (up->state != DC_OTHER)
			return last_state(p, list);
	}
	p[1] = '\0';
	if (!dir_fixed("/"))
		return DC_OTHER;
	memcpy(p, d, len);
	while (i < len) {
		size_t n = strcspn(p + i, "/");
		char saved = p[i + n];

		if (!plain_name(p + i, n))
			return DC_OTHER;
		p[i + n] = '\0';
		if (i + n == len)
			return last_state(p, list);
		if (!dir_fixed(p))
			return DC_OTHER;
		p[i + n] = saved;
		i += n + 1;
	}
	return fixed_state(p, list);	/* "/" */
}

/* list: the caller needs to know whether the directory holds links (never
 * DC_FIXED_UNLISTED back then). */
static enum dc_state dir_lookup(const char *d, size_t len, bool list)
{
	struct dc_entry *f = dir_find(d, len);
	enum dc_state s;
	struct dc_entry *e;

	if (f && f->state == DC_FIXED_UNLISTED && list) {
		char p[DC_NAME];
		memcpy(p, f->dir, f->len);
		p[f->len] = '\0';
		f->state = (uint8_t)fixed_state(p, true);
	}
	if (f)
		return (enum dc_state)f->state;
	s = dir_state(d, len, list);
	if (len < DC_NAME) {
		e = &dc[dc_next++ % DC_ENTRIES];
		e->gen = dc_gen;
		e->len = (uint16_t)len;
		e->state = (uint8_t)s;
		memcpy(e->dir, d, len);
	}
	return s;
}

static void remember_cwd(void)
{
	char cwd[DC_NAME];
	enum dc_state s;

	dc_cwd_known = false;
	if (dc_native || !getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return;
	s = dir_lookup(cwd, strlen(cwd), false);
	if (s != DC_FIXED && s != DC_FIXED_NOLINK && s != DC_FIXED_UNLISTED)
		return;
	memcpy(dc_cwd, cwd, sizeof(dc_cwd));
	dc_cwd_known = true;
}

/* The fast way: 1 with out filled, 0 to take the long way. */
static int resolve_cached(const char *in, int dirfd, char *out, size_t cap)
{
	char abs[PATH_MAX];
	const char *base;
	size_t n, m, dlen;
	struct stat st;
	enum dc_state s;

	if (!dc_gen)
		return 0;
	if (in[0] == '/') {
		n = strlen(in);
		if (n >= sizeof(abs))
			return 0;
		memcpy(abs, in, n + 1);
	} else {
		/* The working directory as armed while it cannot have moved,
		 * else the kernel's name for it. */
		if (dirfd >= 0)
			return 0;
		if (__atomic_load_n(&dc_cwd_known, __ATOMIC_SEQ_CST))
			memcpy(abs, dc_cwd, sizeof(dc_cwd));
		else if (!getcwd(abs, sizeof(abs)) || abs[0] != '/')
			return 0;
		n = strlen(abs);
		if (n > 1)
			abs[n++] = '/';
		m = strlen(in);
		if (n + m >= sizeof(abs))
			return 0;
		memcpy(abs + n, in, m + 1);
		n += m;
	}
	base = strrchr(abs, '/') + 1;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return 0;
	dlen = base - 1 == abs ? 1 : (size_t)(base - 1 - abs);
	s = dir_lookup(abs, dlen, true);
	if (s == DC_OTHER)
		return 0;
	/* The name itself, unless no link can be there: a link is the long
	 * way's business. */
	if (s == DC_FIXED) {
		if (fstatat(AT_FDCWD, abs, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISLNK(st.st_mode))
				return 0;
		} else if (errno != ENOENT) {
			return 0;
		}
	}
	if (n >= cap)
		return 0;
	memcpy(out, abs, n + 1);
	return 1;
}

int sbx_path_resolve_event(const char *in, int dirfd, char *out, size_t cap)
{
	if (*in && cap > 1 && resolve_cached(in, dirfd, out, cap))
		return 0;
	return sbx_path_resolve(in, dirfd, out, cap);
}
