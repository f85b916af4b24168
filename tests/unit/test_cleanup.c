/* test_cleanup.c: sbx_rmtree against the trees a hostile program leaves:
 * deeper than PATH_MAX (built with rename), mode 000 directories, names of
 * NAME_MAX bytes, symlinks out of the tree (never followed), as root and as
 * an unprivileged owner. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sbx_supervisor.h"

#define LEVELS 40	/* 40 names of 200 bytes: about twice PATH_MAX */

static char base[PATH_MAX];

/* A chain of LEVELS directories in dir/name, walked by descriptor, with a
 * file, a NAME_MAX name, a set-uid file, a mode 000 directory holding a
 * file, and a symlink to outside at the bottom. */
static void deep_chain(const char *dir, const char *name, const char *outside)
{
	char comp[201], longname[NAME_MAX + 1];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), c;

	assert_true(fd >= 0);
	assert_int_equal(mkdirat(fd, name, 0755), 0);
	c = openat(fd, name, O_RDONLY | O_DIRECTORY);
	close(fd);
	fd = c;
	memset(comp, 'd', 200);
	comp[200] = '\0';
	for (int i = 0; i < LEVELS; i++) {
		assert_int_equal(mkdirat(fd, comp, 0755), 0);
		c = openat(fd, comp, O_RDONLY | O_DIRECTORY);
		assert_true(c >= 0);
		close(fd);
		fd = c;
	}
	memset(longname, 'n', NAME_MAX);
	longname[NAME_MAX] = '\0';
	close(openat(fd, longname, O_CREAT | O_WRONLY, 0644));
	close(openat(fd, "suid", O_CREAT | O_WRONLY, 04755));
	assert_int_equal(symlinkat(outside, fd, "out"), 0);
	assert_int_equal(mkdirat(fd, "locked", 0700), 0);
	close(openat(fd, "locked/f", O_CREAT | O_WRONLY, 0644));
	assert_int_equal(fchmodat(fd, "locked", 0, 0), 0);
	close(fd);
}

/* Two chains, the second renamed into the bottom of the first. */
static void hostile_tree(const char *top, const char *outside)
{
	char bottom[64] = "a";
	int fd;

	assert_int_equal(mkdir(top, 0755), 0);
	deep_chain(top, "a", outside);
	deep_chain(top, "b", outside);
	fd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (int i = 0; i < LEVELS; i++) {
		int c = openat(fd, i ? "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
				      "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
				      "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
				   : bottom, O_RDONLY | O_DIRECTORY);
		assert_true(c >= 0);
		close(fd);
		fd = c;
	}
	/* renameat from top/b into the bottom of a: depth 2 * LEVELS. */
	{
		int t = open(top, O_RDONLY | O_DIRECTORY);
		assert_int_equal(renameat(t, "b", fd, "b"), 0);
		close(t);
	}
	close(fd);
}

static void check_removed(const char *top, const char *outside)
{
	struct stat st;

	assert_int_equal(sbx_rmtree(top), 0);
	assert_int_equal(lstat(top, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(outside, &st), 0);	/* the link's target stays */
}

static void test_deep_tree_as_root(void **state)
{
	char top[PATH_MAX + 32], outside[PATH_MAX + 32];
	(void)state;

	snprintf(top, sizeof(top), "%s/t", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	close(open(outside, O_CREAT | O_WRONLY, 0644));
	hostile_tree(top, outside);
	check_removed(top, outside);
}

/* The owner of the tree without CAP_DAC_OVERRIDE: mode 000 directories
 * must be opened up to be emptied. */
static void test_deep_tree_unprivileged(void **state)
{
	char top[PATH_MAX + 32], outside[PATH_MAX + 32], dir[PATH_MAX + 32];
	int st;
	pid_t pid;
	(void)state;

	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "%s/nobody", base);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	snprintf(top, sizeof(top), "%s/t", dir);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	close(open(outside, O_CREAT | O_WRONLY, 0644));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		hostile_tree(top, outside);
		_exit(sbx_rmtree(top) == 0 && access(top, F_OK) < 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_missing_and_file(void **state)
{
	char f[PATH_MAX + 32];
	(void)state;

	snprintf(f, sizeof(f), "%s/missing", base);
	assert_int_equal(sbx_rmtree(f), 0);
	snprintf(f, sizeof(f), "%s/file", base);
	close(open(f, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(sbx_rmtree(f), 0);
	assert_int_equal(access(f, F_OK), -1);
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/sbx-test-cleanup-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	return chmod(base, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return sbx_rmtree(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deep_tree_as_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_tree_unprivileged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
