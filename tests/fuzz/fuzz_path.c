/* fuzz_path.c: libFuzzer target for the supervisor's readers of caller
 * memory that concern paths (supervisor/deputy.c): the string reader
 * (sbx_peek_str, through process_vm_readv on this very process, with the
 * input placed against an unmapped page), the path splitter and joiner,
 * the xattr name rule, and the resolution itself from a scratch root.
 * Oracle: nothing reads past the input or writes past a buffer (ASan), a
 * string comes back terminated and no longer than its cap, a split's
 * parent and name are consistent, and resolution answers without hanging
 * (libFuzzer's -timeout) and never returns a descriptor for a path that
 * leaves the scratch root through ".." or a magic link. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_deputy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *window;		/* two pages; the second one unmapped */
static struct sbx_caller self;
static char root[] = "/tmp/sbx-fuzz-path-XXXXXX";

static void init(void)
{
	char p[PATH_MAX];

	window = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (window == MAP_FAILED || munmap(window + 4096, 4096) < 0 || !mkdtemp(root))
		abort();
	snprintf(p, sizeof(p), "%s/d", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/l", root);
	if (symlink("/proc/self/cwd", p) < 0)
		abort();
	/* A caller whose root is the scratch directory. */
	self.tid = getpid();
	self.fsuid = getuid();
	self.fsgid = getgid();
	self.root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (self.root < 0)
		abort();
}

static void check_str(const uint8_t *data, size_t size)
{
	size_t n = size < 4096 ? size : 4096, cap = 1 + (data[0] % 64) * 64;
	char buf[4096 + 1];
	ssize_t r;

	/* The input ends exactly at the unmapped page. */
	memcpy(window + 4096 - n, data, n);
	r = sbx_peek_str(getpid(), (uint64_t)(uintptr_t)(window + 4096 - n), buf, cap);
	if (r >= 0 && ((size_t)r >= cap || buf[r] != '\0' || strlen(buf) != (size_t)r ||
		       memcmp(buf, window + 4096 - n, (size_t)r) != 0))
		__builtin_trap();
	if (r < 0 && memchr(data, '\0', n) && strnlen((const char *)data, n) < cap - 1)
		__builtin_trap();	/* a short terminated string must be read */
}

static void check_paths(const char *path)
{
	char parent[PATH_MAX], out[PATH_MAX];
	const char *name;
	int fd;

	if (sbx_path_split(path, parent, sizeof(parent), &name) == 0) {
		/* name: one component, then nothing but the slashes that end
		 * "dir/" */
		size_t len = strcspn(name, "/");
		if (name < path || name >= path + strlen(path) || !len || name[len + strspn(name + len, "/")] ||
		    strlen(parent) >= sizeof(parent))
			__builtin_trap();
	}
	if (sbx_path_join("/some/dir", path, out, sizeof(out)) == 0 && strlen(out) >= sizeof(out))
		__builtin_trap();
	(void)sbx_xattr_name_allowed(path);
	fd = sbx_caller_openat(&self, AT_FDCWD, path, O_PATH);
	if (fd >= 0) {
		char where[PATH_MAX], link[64];
		ssize_t n;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, where, sizeof(where) - 1);
		if (n > 0) {
			where[n] = '\0';
			if (strncmp(where, root, strlen(root)) != 0)
				__builtin_trap();	/* resolved outside the caller's root */
		}
		close(fd);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX];
	size_t n;

	if (!window)
		init();
	if (size == 0)
		return 0;
	check_str(data, size);
	n = size - 1 < sizeof(path) - 1 ? size - 1 : sizeof(path) - 1;
	memcpy(path, data + 1, n);
	path[n] = '\0';
	check_paths(path);
	return 0;
}
