/* stable.c: can anything change what a blocked caller's execve will read?
 *
 * The supervisor cannot perform an execve for the program, and Landlock
 * must let the ELF interpreter execute for any dynamic program: after the
 * supervisor has judged the path, a second thread rewriting the string,
 * flipping the working directory or swapping a symlink would have the
 * kernel start something else (the interpreter itself, and through it any
 * readable program). So the supervisor lets an execve continue only when
 * nothing can change between its reading and the kernel's:
 *   - no other task shares the caller's memory, except a vfork parent
 *     that is single-threaded and waiting for it (it cannot run);
 *   - no other task shares its working directory (CLONE_FS);
 *   - the string lies in private memory that is anonymous or backs a file
 *     outside every writable tree (no shared mapping, no memfd);
 *   - the path, walked component by component with every symlink
 *     substituted, passes through no writable tree: no directory on the
 *     way can be renamed and no symlink on the way replaced.
 * The caller itself is blocked in the syscall and runs no code before the
 * kernel reads the path. Writes to its memory from outside are refused by
 * the filter (process_vm_writev, ptrace) and Landlock (/proc/PID/mem). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "sbx_deputy.h"
#include "sbx_match.h"
#include "sbx_supervisor.h"

/* Paths of more components than this are not judged (bounded work: the
 * walk below restarts at most 40 times, as the kernel follows links). */
#define EXEC_MAX_COMPONENTS 64

/* A field of /proc/PID/status as a number, -1 when missing. */
static long status_num(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Is pid blocked inside vfork (or clone/clone3 with CLONE_VFORK)? Only
 * then can it not run until its vfork child execs or dies. */
static bool in_vfork(pid_t pid)
{
	char path[64], line[256];
	unsigned long long nr = 0, a0 = 0, flags = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (!(f = fopen(path, "re")))
		return false;
	n = fgets(line, sizeof(line), f) ? sscanf(line, "%llu %llx", &nr, &a0) : 0;
	fclose(f);
	if (n < 1)
		return false;	/* "running": not blocked at all */
	if (nr == SYS_vfork)
		return true;
	if (nr == SYS_clone && n == 2)
		return (a0 & CLONE_VFORK) != 0;
	if (nr == SYS_clone3 && n == 2 && sbx_peek(pid, a0, &flags, sizeof(flags)) == (ssize_t)sizeof(flags))
		return (flags & CLONE_VFORK) != 0;	/* clone_args.flags; pid cannot run */
	return false;
}

/* Is there a process other than tgid that shares tid's memory or working
 * directory and could run? NULL when none, else why. The one sharer let
 * through is the caller's own parent blocked in vfork: its vfork child is
 * then the caller (the only other task with that memory), so it resumes
 * only once the caller has execed (the path read) or died. */
static const char *sharers(pid_t tid, pid_t tgid)
{
	long ppid = status_num(tgid, "PPid");
	const char *why = NULL;
	struct dirent *e;
	DIR *d = opendir("/proc");

	if (!d)
		return "the process table cannot be read";
	while (!why && (e = readdir(d))) {
		pid_t other;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		other = (pid_t)atoi(e->d_name);
		if (other == tgid)
			continue;
		if (syscall(SYS_kcmp, tid, other, KCMP_FS, 0, 0) == 0)
			why = "another process shares its working directory";
		else if (syscall(SYS_kcmp, tid, other, KCMP_VM, 0, 0) == 0 &&
			 !(other == ppid && status_num(other, "Threads") == 1 && in_vfork(other)))
			why = "another process shares its memory";
	}
	closedir(d);
	return why;
}

/* Does [addr, addr + len) lie in private mappings that no one else can
 * write: anonymous, or a file outside the writable trees? */
static const char *memory_private(pid_t tid, uint64_t addr, uint64_t len, char *const *roots)
{
	char path[64], line[PATH_MAX + 128];
	uint64_t end = addr + len, covered = addr;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	if (!(f = fopen(path, "re")))
		return "its memory map cannot be read";
	while (covered < end && fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, ino;
		char perms[8], file[PATH_MAX] = "";
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %" SCNu64 " %4095[^\n]", &lo, &hi, perms,
			   &ino, file) < 4 || hi <= covered || lo > covered)
			continue;
		if (perms[3] != 'p')
			break;		/* shared: another process may write it */
		if (ino && (file[0] != '/' || strstr(file, " (deleted)") || strncmp(file, "/memfd:", 7) == 0 ||
			    sbx_path_under_any(file, roots)))
			break;		/* a file someone in the sandbox may change */
		covered = hi;
	}
	fclose(f);
	return covered >= end ? NULL : "the path is in memory another process may write";
}

/* The path as the kernel will walk it, from the caller's root: each
 * component in turn, "." dropped and ".." taken lexically (every earlier
 * component is a real directory by then), each symlink read and put in its
 * place. NULL when no directory or symlink met lies in a writable tree. */
static const char *walk_outside(const struct sbx_caller *c, const char *abs, char *const *roots)
{
	char todo[PATH_MAX], done[PATH_MAX] = "", link[PATH_MAX], tmp[PATH_MAX * 2];
	unsigned hops = 0, comps = 0;

	snprintf(todo, sizeof(todo), "%s", abs);
	for (char *p = todo; *p;) {
		char *slash, name[NAME_MAX + 1];
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > NAME_MAX || ++comps > EXEC_MAX_COMPONENTS)
			return "the path is too long to judge";
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			char *last = strrchr(done, '/');
			if (last)
				*last = '\0';
			continue;
		}
		if (done[0] && sbx_path_under_any(done, roots))
			return "the path passes through a writable tree";
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", done, name) >= sizeof(done))
			return "the path is too long to judge";
		int fd = sbx_caller_openat(c, AT_FDCWD, tmp, O_PATH | O_NOFOLLOW);
		struct stat st;
		ssize_t len = -1;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
			len = readlinkat(fd, "", link, sizeof(link) - 1);
		if (fd >= 0)
			close(fd);
		if (fd < 0)
			return NULL;	/* the kernel will fail the same walk */
		if (len < 0) {
			snprintf(done, sizeof(done), "%s", tmp);
			continue;
		}
		if (++hops > 40)
			return "too many symlinks";
		link[len] = '\0';
		/* The link's target, then what was left of the path. */
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s%s", link, *p ? "/" : "", p) >= sizeof(todo))
			return "the path is too long to judge";
		snprintf(todo, sizeof(todo), "%s", tmp);
		if (link[0] == '/')
			done[0] = '\0';
		p = todo;
	}
	return done[0] && sbx_path_under_any(done, roots) ? "the path passes through a writable tree" : NULL;
}

int sbx_exec_path_stable(const struct sbx_caller *c, pid_t tgid, uint64_t addr, const char *path,
			 int dirfd, char *const *write_roots, const char **why)
{
	char abs[PATH_MAX];

	*why = NULL;
	if (status_num(tgid, "Threads") != 1)
		*why = "another thread may change its memory";
	else if (path[0] != '/' && sbx_caller_dir_path(c, dirfd, abs, sizeof(abs)) < 0)
		*why = "its directory has no name to judge";
	else if (path[0] != '/' && strlen(abs) + strlen(path) + 2 > sizeof(abs))
		*why = "the path is too long to judge";
	else {
		if (path[0] == '/')
			snprintf(abs, sizeof(abs), "%s", path);
		else
			strcat(strcat(abs, "/"), path);
		if (!(*why = walk_outside(c, abs, write_roots)) && !(*why = sharers(c->tid, tgid)))
			*why = memory_private(c->tid, addr, strlen(path) + 1, write_roots);
	}
	return *why ? 0 : 1;
}
