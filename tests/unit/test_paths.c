/* test_paths.c: the hook's directory cache (child/paths.c) gives the same
 * answer as the uncached resolution, and caches only what the sandbox
 * cannot change: a directory on the filesystem of a write tree is resolved
 * again every time, so swapping it for a link, renaming a parent or
 * changing directory is seen at once; a final component swapped for a link
 * is seen in a cached directory too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_hook.h"

static char base[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

/* Both resolutions of in (relative to the current directory), which must
 * agree; the answer in out. */
static int both(const char *in, char *out)
{
	char slow[PATH_MAX];
	int a = sbx_path_resolve_event(in, -1, out, PATH_MAX);
	int b = sbx_path_resolve(in, -1, slow, sizeof(slow));

	assert_int_equal(a, b);
	if (a == 0 && strcmp(out, slow) != 0)
		fail_msg("%s: cached %s, uncached %s", in, out, slow);
	return a;
}

/* As os.chdir does: its event (which the hook passes on), then the call. */
static void cd(const char *path)
{
	sbx_path_cache_cwd_moves();
	assert_int_equal(chdir(path), 0);
}

static void arm_native(const char *write_root, bool native)
{
	static char *v[1];
	static struct sbx_roots roots;

	v[0] = (char *)write_root;
	roots.v = v;
	roots.n = 1;
	sbx_path_cache_roots(&roots, NULL, native);
	assert_int_equal(sbx_path_cache_prepare(), 0);
	sbx_path_cache_arm();
}

static void arm(const char *write_root)
{
	arm_native(write_root, false);
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/sbx-paths-XXXXXX");
	assert_non_null(mkdtemp(base));
	dir("a");
	dir("a/sub");
	dir("b");
	dir("w");
	put("a/f", "a");
	put("b/f", "b");
	put("a/sub/g", "g");
	link_to("a", "la");
	link_to("../b/f", "a/lf");
	link_to("nowhere/x", "a/dangling");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	sbx_path_cache_off();
	assert_int_equal(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *const cases[] = {
	"a/f", "a/sub/g", "a/missing", "a/sub/../f", "a//f", "a/./f", "./a/f", "la/f", "a/lf",
	"a/dangling", "nodir/x", "nodir/y/z", "a/f/", "a", ".", "..", "a/sub/", "/", "/etc",
	"/proc/self/fd/0", "/dev/null", "/usr/lib", "/usr/lib/nothing-here",
};

/* Cached (the write tree on another filesystem): every answer as uncached. */
static void test_same_answers(void **state)
{
	char out[PATH_MAX];

	(void)state;
	arm("/dev/shm");
	cd(base);
	for (int round = 0; round < 2; round++)	/* filling, then from the cache */
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			both(cases[i], out);
	cd("a");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		both(cases[i], out);
	sbx_path_cache_off();
}

/* In a cached directory the last component is looked at every time. */
static void test_cached_dir_name_swapped(void **state)
{
	char out[PATH_MAX], want[PATH_MAX];

	(void)state;
	arm("/dev/shm");
	cd(base);
	both("a/f", out);
	link_to("/etc/hostname", "a/f");
	assert_int_equal(both("a/f", out), 0);
	assert_string_equal(out, "/etc/hostname");
	put("a/f2", "x");
	snprintf(want, sizeof(want), "%s/a/f2", base);
	both("a/f2", out);
	assert_string_equal(out, want);
	sbx_path_cache_off();
	unlink(want);
	want[strlen(want) - 1] = '\0';
	unlink(want);
	put("a/f", "a");
}

/* A directory is resolved once: a change only the host could make there
 * (the sandbox cannot: docs/confinement.md) is not seen by the cache. This
 * is what the cache saves, and the limit the documentation states. */
static void test_fixed_dir_resolved_once(void **state)
{
	char out[PATH_MAX], slow[PATH_MAX], p[PATH_MAX], q[PATH_MAX];

	(void)state;
	arm("/dev/shm");
	cd(base);
	both("a/sub/g", out);
	snprintf(p, sizeof(p), "%s/a/sub", base);
	snprintf(q, sizeof(q), "%s/a/sub2", base);
	assert_int_equal(rename(p, q), 0);
	link_to("sub2", "a/sub");
	assert_int_equal(sbx_path_resolve_event("a/sub/g", -1, out, sizeof(out)), 0);
	assert_int_equal(sbx_path_resolve("a/sub/g", -1, slow, sizeof(slow)), 0);
	snprintf(p, sizeof(p), "%s/a/sub/g", base);
	assert_string_equal(out, p);
	snprintf(q, sizeof(q), "%s/a/sub2/g", base);
	assert_string_equal(slow, q);
	sbx_path_cache_off();
	assert_int_equal(sbx_path_resolve_event("a/sub/g", -1, out, sizeof(out)), 0);
	assert_string_equal(out, q);
}

/* The write tree on the same filesystem: nothing there is cached, so a
 * directory swapped for a link, a renamed parent and a changed working
 * directory all resolve as they are now. */
static void test_writable_fs_not_cached(void **state)
{
	char out[PATH_MAX], w[PATH_MAX], p[PATH_MAX], q[PATH_MAX];

	(void)state;
	snprintf(w, sizeof(w), "%s/w", base);
	arm(w);
	cd(base);
	both("a/sub/g", out);
	/* the directory swapped for a link to another one */
	snprintf(p, sizeof(p), "%s/a/sub", base);
	snprintf(q, sizeof(q), "%s/a/sub.old", base);
	assert_int_equal(rename(p, q), 0);
	link_to("../b", "a/sub");
	both("a/sub/f", out);
	snprintf(p, sizeof(p), "%s/b/f", base);
	assert_string_equal(out, p);
	/* a parent renamed and replaced */
	snprintf(p, sizeof(p), "%s/a", base);
	snprintf(q, sizeof(q), "%s/a.old", base);
	assert_int_equal(rename(p, q), 0);
	link_to("b", "a");
	both("a/f", out);
	snprintf(p, sizeof(p), "%s/b/f", base);
	assert_string_equal(out, p);
	/* the working directory changed */
	cd("b");
	both("f", out);
	assert_string_equal(out, p);
	sbx_path_cache_off();
}

/* The working directory is kept from arming until the hook sees os.chdir
 * (the event comes before the call); with native code allowed it is asked
 * of the kernel every time, since native code changes it unseen. */
static void test_cwd(void **state)
{
	char out[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	(void)state;
	snprintf(a, sizeof(a), "%s/a/f", base);
	snprintf(b, sizeof(b), "%s/b/f", base);
	assert_int_equal(chdir(base), 0);
	assert_int_equal(chdir("a"), 0);
	arm_native("/dev/shm", false);
	both("f", out);
	assert_string_equal(out, a);
	sbx_path_cache_cwd_moves();	/* os.chdir's event, then the call */
	assert_int_equal(chdir("../b"), 0);
	both("f", out);
	assert_string_equal(out, b);
	/* what the event is for: unseen, a kept directory would be stale */
	assert_int_equal(chdir("../a"), 0);
	arm_native("/dev/shm", false);
	assert_int_equal(chdir("../b"), 0);
	assert_int_equal(sbx_path_resolve_event("f", -1, out, sizeof(out)), 0);
	assert_string_equal(out, a);
	/* native code allowed: never kept */
	assert_int_equal(chdir("../a"), 0);
	arm_native("/dev/shm", true);
	assert_int_equal(chdir("../b"), 0);
	both("f", out);
	assert_string_equal(out, b);
	sbx_path_cache_off();
}

/* Arming keeps the working directory's name without reading its entries:
 * they are read when a name in it is first looked up, so a large working
 * directory costs the start nothing. Seen through a link the test (as the
 * host could) puts there after arming: read at arming, the directory would
 * have been taken to hold none, and "l" answered as itself. */
static void test_cwd_listed_when_used(void **state)
{
	char out[PATH_MAX], want[PATH_MAX];

	(void)state;
	assert_int_equal(chdir(base), 0);
	assert_int_equal(chdir("b"), 0);
	arm("/dev/shm");
	link_to("../a/f", "b/l");
	both("l", out);
	snprintf(want, sizeof(want), "%s/a/f", base);
	assert_string_equal(out, want);
	both("f", out);
	sbx_path_cache_off();
}

/* No cache without a description of the write trees, or when one of
 * them cannot be looked at: the long way every time. */
static void test_fail_closed(void **state)
{
	static char *v[1] = { "/nonexistent/sbx-write-root" };
	static struct sbx_roots roots = { v, 1 };
	char out[PATH_MAX];

	(void)state;
	sbx_path_cache_roots(NULL, NULL, false);
	assert_int_equal(sbx_path_cache_prepare(), -EINVAL);
	sbx_path_cache_roots(&roots, NULL, false);
	assert_true(sbx_path_cache_prepare() < 0);
	sbx_path_cache_arm();
	cd(base);
	both("b/f", out);
}

/* In a mount namespace whose /proc is an empty tmpfs: 0 when every check
 * passed, 1 when one did not, 77 when no such namespace can be made. */
static int without_mount_table(void)
{
	static char file[PATH_MAX], wdir[PATH_MAX], out[PATH_MAX], want[PATH_MAX];
	static char *v[1];
	static struct sbx_roots roots = { v, 1 };

	if (unshare(CLONE_NEWNS) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 77;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/proc", "tmpfs", 0, NULL) < 0)
		return 77;
	if (access("/proc/self/mountinfo", F_OK) == 0)
		return 1;
	snprintf(file, sizeof(file), "%s/a/f", base);
	snprintf(wdir, sizeof(wdir), "%s/w", base);
	snprintf(want, sizeof(want), "%s/b/f", base);
	/* A file (as /dev/null is): the cache is prepared without the table,
	 * and answers as the long way does. */
	v[0] = file;
	sbx_path_cache_roots(&roots, NULL, false);
	if (sbx_path_cache_prepare() != 0)
		return 1;
	sbx_path_cache_arm();
	if (chdir(base) < 0 || sbx_path_resolve_event("b/f", -1, out, sizeof(out)) != 0 ||
	    strcmp(out, want) != 0)
		return 1;
	/* A directory may have mounts below it: without the table, no cache. */
	v[0] = wdir;
	sbx_path_cache_roots(&roots, NULL, false);
	if (sbx_path_cache_prepare() == 0)
		return 1;
	return 0;
}

/* Write trees that are all files (the usual /dev/null) need no mount
 * table: nothing can be mounted below a file, so start-up skips reading
 * /proc/self/mountinfo; a directory still needs it, and without it the
 * cache stays off. */
static void test_file_write_trees(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(without_mount_table());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cached_dir_name_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_dir_resolved_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_fs_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cwd_listed_when_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_write_trees, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
