/* sbx_deputy.h: the supervisor acting for the program, as the program.
 *
 * When the supervisor performs a call on the program's behalf (a chmod, a
 * bind, a sendto on a private copy of the arguments), two things must be
 * the caller's and not the supervisor's: the view of the filesystem (its
 * root, its working directory, its directory descriptors, its /proc) and
 * the credentials (its filesystem ids, no supplementary groups, no
 * capabilities). This module gives both. */
#ifndef SBX_DEPUTY_H
#define SBX_DEPUTY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Paths longer than PATH_MAX, or with more components than this, are
 * refused (ENAMETOOLONG): the supervisor's work per notification stays
 * bounded (the kernel's walk is linear; a failed one is bisected once).
 * PATH_MAX / 2: as many as a path the kernel accepts can have. */
#define SBX_DEPUTY_MAX_COMPONENTS 2048

struct sbx_caller {
	pid_t tid;		/* the calling thread, in the supervisor's PID namespace */
	int root;		/* O_PATH of the caller's root (/proc/TID/root) */
	uid_t fsuid;		/* the caller's filesystem ids */
	gid_t fsgid;
};

/* Opens the caller's root and reads its filesystem ids. 0 or -errno. */
int sbx_caller_open(pid_t tid, struct sbx_caller *c);
void sbx_caller_close(struct sbx_caller *c);

/* Resolves path as the caller would see it, relative to its descriptor
 * dirfd (AT_FDCWD: its working directory), entirely inside the caller's
 * root: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). A path through a
 * magic link (/proc/self/cwd, /dev/fd/N, /proc/PID/root, ...) is refused
 * with ELOOP: the supervisor cannot judge it as the kernel would for the
 * caller. oflags are open(2) flags (O_PATH, O_NOFOLLOW, O_DIRECTORY...).
 * Returns a descriptor, or -errno. */
int sbx_caller_openat(const struct sbx_caller *c, int dirfd, const char *path, int oflags);

/* Like sbx_caller_openat, for the parent directory of path: *name points
 * into path at the last component ("." or ".." are refused with EINVAL). */
int sbx_caller_open_parent(const struct sbx_caller *c, int dirfd, const char *path, const char **name);

/* The pure parts, for the fuzz target (tests/fuzz/fuzz_path.c).
 * sbx_path_split: path's parent into parent (cap bytes), *name at its last
 * component inside path; -EINVAL for "." or "..", -ENOENT for "".
 * sbx_path_join: dir joined with a relative path (an absolute one alone)
 * into out, -ENAMETOOLONG beyond cap or SBX_DEPUTY_MAX_COMPONENTS. */
int sbx_path_split(const char *path, char *parent, size_t cap, const char **name);
int sbx_path_join(const char *dir, const char *path, char *out, size_t cap);

/* Reads len bytes of the caller's memory at addr: the count, or -1. */
ssize_t sbx_peek(pid_t tid, uint64_t addr, void *buf, size_t len);
/* A NUL-terminated string of the caller, at most cap - 1 bytes, read page
 * by page: its length, or -1 (unreadable, or longer). */
ssize_t sbx_peek_str(pid_t tid, uint64_t addr, char *buf, size_t cap);
/* May the program set or remove this extended attribute? Not security.*
 * (security.capability: file capabilities) nor trusted.*. */
bool sbx_xattr_name_allowed(const char *name);

/* The absolute path, in the caller's view, of its descriptor fd (AT_FDCWD:
 * its working directory). -ENOENT when the object has no reachable name
 * (deleted, outside its root), -ENAMETOOLONG when it does not fit. */
int sbx_caller_dir_path(const struct sbx_caller *c, int fd, char *out, size_t cap);

/* The calling thread of the supervisor takes the caller's credentials
 * (filesystem uid and gid as effective ids, no supplementary groups, and
 * so no effective capabilities), and gives them back. Only this thread
 * changes (raw syscalls, not glibc's process-wide wrappers). When the
 * supervisor is not root there is nothing to change. */
struct sbx_as_caller {
	bool switched;
	uid_t euid;
	gid_t egid;
	int ngroups;
	gid_t groups[64];
};
int sbx_as_caller_enter(const struct sbx_caller *c, struct sbx_as_caller *saved);
void sbx_as_caller_leave(struct sbx_as_caller *saved);

#endif
