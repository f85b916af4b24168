/* cleanup.c: removing what a run leaves in its host directories (the
 * private tmp without a mount namespace, a batch's tmp, the inherited
 * policy), whatever the program made there: trees deeper than PATH_MAX
 * (built with rename), mode 000 directories, names of NAME_MAX bytes.
 * Descriptor-based (openat, unlinkat), iterative: no path is ever longer
 * than one name, no recursion, two open directories at a time. It walks
 * down through O_NOFOLLOW directories on the tree's own filesystem and back
 * up through "..", finding the directory it left by its inode. Each ".."
 * must be the directory it came down from (one inode per level is kept):
 * a tree moved under it by a process still alive ends the clean-up rather
 * than let it remove what lies outside. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_ns.h"
#include "sbx_supervisor.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static bool dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* Opens name in dir as a directory; a mode 000 one is made 0700 first
 * (its owner may, and root need not). */
static int open_sub(int dir, const char *name)
{
	int fd = openat(dir, name, DIR_FLAGS);

	if (fd < 0 && errno == EACCES && fchmodat(dir, name, 0700, 0) == 0)
		fd = openat(dir, name, DIR_FLAGS);
	return fd < 0 ? -errno : fd;
}

/* Unlinks every entry of fd but the directories on dev, the first of which
 * goes into sub (empty when there is none). A directory on another
 * filesystem (a mount) is left, and counts as a failure. */
static int clear_files(int fd, dev_t dev, char *sub, size_t cap)
{
	int d = openat(fd, ".", DIR_FLAGS), r = 0;
	struct dirent *e;
	struct stat st;
	DIR *dir;

	sub[0] = '\0';
	if (d < 0)
		return -errno;
	if (!(dir = fdopendir(d))) {
		r = -errno;
		close(d);
		return r;
	}
	while ((e = readdir(dir))) {
		if (dot(e->d_name))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				r = -errno;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != dev)
				r = -EXDEV;
			else if (!sub[0])
				snprintf(sub, cap, "%s", e->d_name);
			continue;
		}
		if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT)
			r = -errno;
	}
	closedir(dir);
	return r;
}

/* From the (now empty) directory fd to its parent, which must be the
 * directory `from` it came down from, removing it there. */
static int up_and_remove(int *fd, const struct stat *from)
{
	int parent = openat(*fd, "..", DIR_FLAGS), r = -ENOENT;
	struct stat self, up;
	struct dirent *e;
	DIR *dir;

	if (parent < 0)
		return -errno;
	if (fstat(parent, &up) < 0 || up.st_ino != from->st_ino || up.st_dev != from->st_dev) {
		close(parent);
		return -ESTALE;
	}
	if (fstat(*fd, &self) < 0 || !(dir = fdopendir(openat(parent, ".", DIR_FLAGS)))) {
		r = -errno;
		close(parent);
		return r;
	}
	while ((e = readdir(dir))) {
		if (dot(e->d_name) || e->d_ino != self.st_ino)
			continue;
		r = unlinkat(parent, e->d_name, AT_REMOVEDIR) < 0 ? -errno : 0;
		break;
	}
	closedir(dir);
	close(*fd);
	*fd = parent;
	return r;
}

/* The directories on the way down, one per level. */
struct trail {
	struct stat *v;
	size_t n, cap;
};

static int trail_push(struct trail *t, int fd)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct stat *nv = realloc(t->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		t->v = nv;
		t->cap = cap;
	}
	return fstat(fd, &t->v[t->n++]) < 0 ? -errno : 0;
}

int sbx_rmtree(const char *path)
{
	char sub[NAME_MAX + 1];
	struct trail t = { 0 };
	struct stat st;
	int fd, r = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	fd = open(path, DIR_FLAGS);
	if (fd < 0 && errno == EACCES && chmod(path, 0700) == 0)
		fd = open(path, DIR_FLAGS);
	if (fd < 0)
		return -errno;
	for (;;) {
		if ((r = clear_files(fd, st.st_dev, sub, sizeof(sub))) < 0)
			break;
		if (sub[0]) {
			int c = open_sub(fd, sub);
			if (c < 0 || (r = trail_push(&t, fd)) < 0) {
				r = c < 0 ? c : r;
				if (c >= 0)
					close(c);
				break;
			}
			close(fd);
			fd = c;
			continue;
		}
		if (!t.n)
			break;
		/* Empty: gone from its parent, which is scanned again. */
		if ((r = up_and_remove(&fd, &t.v[t.n - 1])) < 0)
			break;
		t.n--;
	}
	close(fd);
	free(t.v);
	if (!r && rmdir(path) < 0)
		r = -errno;
	return r;
}

static json_t *part(bool on, const char *what, const char *why_not)
{
	json_t *o = json_object();

	json_object_set_new(o, "active", json_boolean(on));
	json_object_set_new(o, on ? "what" : "reason", json_string(on ? what : why_not));
	return o;
}

json_t *sbx_fs_layer_json(bool ready, unsigned f, bool tmp, bool pid_ns, bool mount_ns)
{
	const char *none = !ready ? "set-up did not finish"
			   : !mount_ns ? "no mount namespace (not root, no user namespace)" : NULL;
	json_t *o = json_object();

	json_object_set_new(o, "active", json_boolean(ready && (f & SBX_VIEW_FLAGS)));
	if (!(ready && (f & SBX_VIEW_FLAGS)))
		json_object_set_new(o, "reason", json_string(none ? none : "not in force"));
	json_object_set_new(o, "mount_flags", part(ready && (f & SBX_VIEW_FLAGS),
		"write trees bound nosuid,nodev,noexec with their real owners (never idmapped); the "
		"program's read trees nosuid,nodev (noexec unless native code is allowed); root-owned "
		"trees idmapped read-only", none ? none : "not in force"));
	if (tmp)
		json_object_set_new(o, "tmp", part(ready && (f & SBX_VIEW_TMP),
			"a tmpfs (nosuid,nodev,noexec, mode 0700) in the sandbox's mount namespace: "
			"nothing of it reaches the host",
			none ? "a host directory, removed after the run" : "not in force"));
	json_object_set_new(o, "proc", part(ready && (f & SBX_VIEW_PROC),
		"the PID namespace's own procfs (hidepid=invisible): no host process is visible",
		!pid_ns ? "no PID namespace: /proc is the host's" : none ? none
		: "the kernel refused a new procfs (a container's masked /proc?): /proc is the host's"));
	json_object_set_new(o, "memfd_noexec", part(ready && (f & SBX_VIEW_MEMFD_NOEXEC),
		"vm.memfd_noexec=2 in the run's PID namespace: no memfd can be executed",
		!pid_ns ? "no PID namespace" : !ready ? "set-up did not finish"
		: "the kernel has no vm.memfd_noexec or refused to set it"));
	return o;
}
