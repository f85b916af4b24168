/* deputy.c: the supervisor acting for the program, as the program.
 *
 * Paths are resolved from the caller's own root with the kernel's
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks resolve as
 * they would for the caller, never in the supervisor's mount namespace,
 * and a walk through a magic link (/proc/self/..., /dev/fd/N), whose
 * meaning depends on who resolves it, fails instead of naming the
 * supervisor's own objects. Relative paths are joined to the caller's
 * working directory (or directory descriptor) as the kernel names it for
 * the caller's namespace; the work is the kernel's and bounded by
 * PATH_MAX and its 40 symlinks.
 *
 * Credentials are switched per thread with raw syscalls (glibc's wrappers
 * would change every thread of the supervisor). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sbx_deputy.h"

/* The caller's filesystem uid and gid: the fourth field of Uid:/Gid:. */
static int read_fs_ids(pid_t tid, uid_t *uid, gid_t *gid)
{
	char path[64], line[256];
	unsigned a, b, c, fs;
	int got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &fs) == 4)
			*uid = fs, got |= 1;
		else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &fs) == 4)
			*gid = fs, got |= 2;
	}
	fclose(f);
	return got == 3 ? 0 : -ESRCH;
}

int sbx_caller_open(pid_t tid, struct sbx_caller *c)
{
	char path[64];
	int r;

	c->tid = tid;
	c->root = -1;
	r = read_fs_ids(tid, &c->fsuid, &c->fsgid);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/root", tid);
	c->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return c->root < 0 ? -errno : 0;
}

void sbx_caller_close(struct sbx_caller *c)
{
	if (c->root >= 0)
		close(c->root);
	c->root = -1;
}

int sbx_caller_dir_path(const struct sbx_caller *c, int fd, char *out, size_t cap)
{
	static const char deleted[] = " (deleted)";
	char link[64];
	ssize_t n;

	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", c->tid);
	else if (fd >= 0)
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", c->tid, fd);
	else
		return -EBADF;
	n = readlink(link, out, cap);
	if (n < 0)
		return errno == ENOENT ? -EBADF : -errno;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	out[n] = '\0';
	if (out[0] != '/')
		return -ENOENT;	/* an anonymous object (pipe:, socket:, memfd) */
	if ((size_t)n >= sizeof(deleted) - 1 && strcmp(out + n - (sizeof(deleted) - 1), deleted) == 0)
		return -ENOENT;
	return 0;
}

/* dir (absolute, in the caller's view) joined with path into out. */
int sbx_path_join(const char *dir, const char *path, char *out, size_t cap)
{
	int n = path[0] == '/' ? snprintf(out, cap, "%s", path)
			       : snprintf(out, cap, "%s/%s", dir, path);
	unsigned comps = 0;

	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	for (const char *p = out; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/' && ++comps > SBX_DEPUTY_MAX_COMPONENTS)
			return -ENAMETOOLONG;
	return 0;
}

/* O_PATH of the first n components of rel (ends[n - 1] bytes), the last
 * one followed or not. */
static int open_prefix(const struct sbx_caller *c, const char *rel, size_t len, bool follow)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char pre[PATH_MAX];
	int fd;

	snprintf(pre, sizeof(pre), "%.*s", (int)len, rel);
	fd = (int)syscall(SYS_openat2, c->root, len ? pre : ".", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Did the walk of rel fail right after a symlink that does not resolve for
 * the supervisor? /proc/self, /proc/thread-self, /dev/fd and any link to
 * them name the resolving process, and the supervisor has no id in the
 * caller's PID namespace: the kernel would find something there for the
 * caller. The walk is cut at the first missing component by bisection
 * (O(n log n) lookups, n bounded by SBX_DEPUTY_MAX_COMPONENTS). */
static bool lost_at_symlink(const struct sbx_caller *c, const char *rel)
{
	size_t ends[SBX_DEPUTY_MAX_COMPONENTS + 2], n = 0, lo = 0, hi;
	struct stat st;
	bool lost = false;
	int fd;

	for (size_t i = 0; rel[i] && n < sizeof(ends) / sizeof(ends[0]); i++)
		if (rel[i] != '/' && (rel[i + 1] == '/' || !rel[i + 1]))
			ends[n++] = i + 1;
	hi = n;
	while (lo < hi) {	/* the most components that still resolve */
		size_t mid = (lo + hi + 1) / 2;
		fd = open_prefix(c, rel, ends[mid - 1], false);
		if (fd >= 0) {
			close(fd);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	if (lo == 0)
		return false;
	fd = open_prefix(c, rel, ends[lo - 1], false);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
		int f2 = open_prefix(c, rel, ends[lo - 1], true);
		lost = f2 == -ENOENT;
		if (f2 >= 0)
			close(f2);
	}
	close(fd);
	return lost;
}

int sbx_caller_openat(const struct sbx_caller *c, int dirfd, const char *path, int oflags)
{
	struct open_how how = { .flags = (uint64_t)(oflags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char dir[PATH_MAX], full[PATH_MAX];
	const char *rel;
	int r, fd;

	if (!path[0])
		return -ENOENT;
	if (path[0] != '/') {
		r = sbx_caller_dir_path(c, dirfd, dir, sizeof(dir));
		if (r < 0)
			return r;
	}
	r = sbx_path_join(path[0] == '/' ? "" : dir, path, full, sizeof(full));
	if (r < 0)
		return r;
	for (rel = full; *rel == '/'; rel++)
		;
	fd = (int)syscall(SYS_openat2, c->root, rel[0] ? rel : ".", &how, sizeof(how));
	if (fd < 0 && errno == ENOENT && rel[0] && lost_at_symlink(c, rel))
		return -ELOOP;
	return fd < 0 ? -errno : fd;
}

int sbx_path_split(const char *path, char *parent, size_t cap, const char **name)
{
	size_t n = strlen(path);
	char *slash, *last;

	while (n > 1 && path[n - 1] == '/')
		n--;		/* "dir/" names dir */
	if (n == 0)
		return -ENOENT;
	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(parent, path, n);
	parent[n] = '\0';
	slash = strrchr(parent, '/');
	last = slash ? slash + 1 : parent;
	if (!last[0] || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return -EINVAL;
	*name = path + (last - parent);
	if (!slash)
		snprintf(parent, cap, ".");
	else
		slash[slash == parent ? 1 : 0] = '\0';	/* "/x": the root itself */
	return 0;
}

int sbx_caller_open_parent(const struct sbx_caller *c, int dirfd, const char *path, const char **name)
{
	char parent[PATH_MAX];
	int r = sbx_path_split(path, parent, sizeof(parent), name);

	return r < 0 ? r : sbx_caller_openat(c, dirfd, parent, O_PATH | O_DIRECTORY);
}

ssize_t sbx_peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (!addr)
		return -1;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

ssize_t sbx_peek_str(pid_t tid, uint64_t addr, char *buf, size_t cap)
{
	size_t have = 0;

	if (cap < 2)
		return -1;
	/* Page by page: a string may end just before an unmapped page, and
	 * process_vm_readv stops at the first one it cannot read. */
	while (have < cap - 1) {
		size_t page = 4096 - ((addr + have) & 4095), want = cap - 1 - have;
		ssize_t n;
		if (want > page)
			want = page;
		n = sbx_peek(tid, addr + have, buf + have, want);
		if (n <= 0)
			return -1;
		if (memchr(buf + have, '\0', (size_t)n))
			return (ssize_t)strlen(buf);
		have += (size_t)n;
	}
	return -1;		/* longer than cap - 1 */
}

bool sbx_xattr_name_allowed(const char *name)
{
	/* security.capability gives a file capabilities, trusted.* and the
	 * rest of security.* are the kernel's and the administrator's. */
	return strncmp(name, "security.", 9) != 0 && strncmp(name, "trusted.", 8) != 0;
}

/* Effective capabilities of this thread cleared (on) or set to the
 * permitted ones (off): for a caller whose filesystem uid is 0, the uid
 * switch alone would keep them. */
static int caps_effective(bool clear)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++)
		d[i].effective = clear ? 0 : d[i].permitted;
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int sbx_as_caller_enter(const struct sbx_caller *c, struct sbx_as_caller *saved)
{
	saved->switched = false;
	if (geteuid() != 0)
		return 0;	/* nothing of root's to lend */
	saved->euid = geteuid();
	saved->egid = getegid();
	saved->ngroups = getgroups(64, saved->groups);
	if (saved->ngroups < 0)
		return -errno;
	if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, -1, c->fsgid, -1) < 0)
		goto fail;
	if (syscall(SYS_setresuid, -1, c->fsuid, -1) < 0)
		goto fail;
	saved->switched = true;
	if (caps_effective(true) < 0) {
		sbx_as_caller_leave(saved);
		return -EPERM;
	}
	return 0;
fail:
	saved->switched = true;
	sbx_as_caller_leave(saved);
	return -EPERM;
}

void sbx_as_caller_leave(struct sbx_as_caller *saved)
{
	if (!saved->switched)
		return;
	/* Back to euid 0 first: that restores the effective set. */
	if (syscall(SYS_setresuid, -1, saved->euid, -1) < 0 ||
	    syscall(SYS_setresgid, -1, saved->egid, -1) < 0 ||
	    syscall(SYS_setgroups, saved->ngroups, saved->groups) < 0)
		return;		/* left less privileged, never more: later calls fail */
	caps_effective(false);
	saved->switched = false;
}
