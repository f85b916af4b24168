/* paths.c: where a path really points, as the kernel would see it, so the
 * hook compares real locations: symlinks of the existing prefix are
 * resolved (a dangling one too: into the target it would create), "..",
 * "." and repeated slashes handled, relative paths taken from the current
 * directory or a dir_fd. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_hook.h"

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
