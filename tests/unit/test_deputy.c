/* test_deputy.c: the supervisor resolves paths as the caller would and
 * acts with the caller's credentials. A forked "caller" sits in a scratch
 * directory of its own; the test (the supervisor) resolves paths for it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "sbx_deputy.h"

static char base[PATH_MAX];
static pid_t caller = -1;

/* A caller that sits in base/cwd until killed. */
static int setup(void **state)
{
	char p[PATH_MAX];
	int go[2];

	(void)state;
	snprintf(base, sizeof(base), "/tmp/sbx-deputy-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	snprintf(p, sizeof(p), "%s/cwd", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/cwd/file", base);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/cwd/to-self-cwd", base);
	if (symlink("/proc/self/cwd", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/cwd/abs", base);
	if (symlink("/", p) < 0 || pipe(go) < 0)
		return -1;
	caller = fork();
	if (caller == 0) {
		snprintf(p, sizeof(p), "%s/cwd", base);
		if (chdir(p) < 0)
			_exit(1);
		close(go[0]);
		close(go[1]);	/* ready */
		for (;;)
			pause();
	}
	close(go[1]);
	while (read(go[0], p, 1) > 0)
		;
	close(go[0]);
	return caller > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	kill(caller, SIGKILL);
	waitpid(caller, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_relative_from_callers_cwd(void **state)
{
	struct sbx_caller c;
	struct stat a, b;
	char p[PATH_MAX];
	int fd;

	(void)state;
	assert_int_equal(sbx_caller_open(caller, &c), 0);
	fd = sbx_caller_openat(&c, AT_FDCWD, "file", O_PATH);
	assert_true(fd >= 0);
	snprintf(p, sizeof(p), "%s/cwd/file", base);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	/* An absolute symlink resolves in the caller's root. */
	fd = sbx_caller_openat(&c, AT_FDCWD, "abs/proc", O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	close(fd);
	sbx_caller_close(&c);
}

/* /proc/self means someone else to the supervisor: refused, never
 * resolved to the supervisor's own working directory. */
static void test_magic_links_refused(void **state)
{
	static const char *const paths[] = {
		"/proc/self/cwd/file", "to-self-cwd/file", "/proc//self/cwd/file",
		"/dev/fd/../cwd/file", "/proc/thread-self/cwd/file",
	};
	struct sbx_caller c;

	(void)state;
	assert_int_equal(sbx_caller_open(caller, &c), 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = sbx_caller_openat(&c, AT_FDCWD, paths[i], O_PATH);
		if (fd >= 0)
			fail_msg("%s resolved", paths[i]);
		assert_true(fd == -ELOOP || fd == -ENOENT || fd == -EXDEV);
	}
	sbx_caller_close(&c);
}

static void test_parent(void **state)
{
	struct sbx_caller c;
	const char *name;
	int fd;

	(void)state;
	assert_int_equal(sbx_caller_open(caller, &c), 0);
	fd = sbx_caller_open_parent(&c, AT_FDCWD, "new-name/", &name);
	assert_true(fd >= 0);
	assert_string_equal(name, "new-name/");
	close(fd);
	fd = sbx_caller_open_parent(&c, AT_FDCWD, "/etc", &name);
	assert_true(fd >= 0);
	assert_string_equal(name, "etc");
	close(fd);
	assert_int_equal(sbx_caller_open_parent(&c, AT_FDCWD, "..", &name), -EINVAL);
	assert_int_equal(sbx_caller_open_parent(&c, AT_FDCWD, "a/.", &name), -EINVAL);
	sbx_caller_close(&c);
}

/* A path of more components than the bound is refused outright. */
static void test_bounded(void **state)
{
	struct sbx_caller c;
	char p[PATH_MAX];
	size_t n = 0;

	(void)state;
	assert_int_equal(sbx_caller_open(caller, &c), 0);
	while (n + 2 < sizeof(p) - 1 && n / 2 <= SBX_DEPUTY_MAX_COMPONENTS + 1) {
		p[n++] = 'a';
		p[n++] = '/';
	}
	p[n] = '\0';
	assert_int_equal(sbx_caller_openat(&c, AT_FDCWD, p, O_PATH), -ENAMETOOLONG);
	sbx_caller_close(&c);
}


/* A caller in its own PID namespace with its own /proc: there /proc/self
 * does not resolve for the supervisor at all (ENOENT), which must not
 * pass for "no such file" (unrecorded): the walk was lost at a symlink. */
static void test_proc_self_other_pid_ns(void **state)
{
	static const char *const paths[] = { "/proc/self/cwd/file", "/proc/self/../self/cwd/x",
					     "/dev/fd/../cwd/x", "/proc/thread-self/cwd/x" };
	struct sbx_caller c;
	char p[PATH_MAX];
	int go[2];
	pid_t outer, inner = -1;

	(void)state;
	assert_int_equal(pipe(go), 0);
	outer = fork();
	assert_true(outer >= 0);
	if (outer == 0) {
		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(1);
		if (fork() == 0) {
			snprintf(p, sizeof(p), "%s/cwd", base);
			if (mount("proc", "/proc", "proc", 0, NULL) < 0 || chdir(p) < 0)
				_exit(1);
			close(go[1]);
			for (;;)
				pause();
		}
		close(go[1]);
		for (;;)
			pause();
	}
	close(go[1]);
	while (read(go[0], p, 1) > 0)
		;
	close(go[0]);
	/* the grandchild: the outer child's only child */
	for (int i = 0; i < 100 && inner < 0; i++) {
		char kids[64];
		FILE *f;
		snprintf(kids, sizeof(kids), "/proc/%d/task/%d/children", outer, outer);
		if ((f = fopen(kids, "r"))) {
			if (fscanf(f, "%d", &inner) != 1)
				inner = -1;
			fclose(f);
		}
		if (inner < 0)
			usleep(10000);
	}
	if (inner < 0) {
		kill(outer, SIGKILL);	/* no namespace (no privilege): nothing to test */
		waitpid(outer, NULL, 0);
		skip();
	}
	assert_int_equal(sbx_caller_open(inner, &c), 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = sbx_caller_openat(&c, AT_FDCWD, paths[i], O_PATH);
		if (fd != -ELOOP)
			fail_msg("%s: %d, not -ELOOP", paths[i], fd);
	}
	assert_true(sbx_caller_openat(&c, AT_FDCWD, "missing/x", O_PATH) == -ENOENT);
	sbx_caller_close(&c);
	kill(inner, SIGKILL);	/* the namespace's init: its own pid in ours */
	kill(outer, SIGKILL);
	waitpid(outer, NULL, 0);
}

/* The pure helpers the fuzz target drives too. */
static void test_split_join(void **state)
{
	char parent[PATH_MAX], out[PATH_MAX];
	const char *name;

	(void)state;
	assert_int_equal(sbx_path_split("a/b/", parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, "a");
	assert_string_equal(name, "b/");
	assert_int_equal(sbx_path_split("/x", parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, "/");
	assert_int_equal(sbx_path_split("x", parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, ".");
	assert_int_equal(sbx_path_split("", parent, sizeof(parent), &name), -ENOENT);
	assert_int_equal(sbx_path_split("a/..", parent, sizeof(parent), &name), -EINVAL);
	assert_int_equal(sbx_path_join("/d", "x", out, sizeof(out)), 0);
	assert_string_equal(out, "/d/x");
	assert_int_equal(sbx_path_join("/d", "/x", out, sizeof(out)), 0);
	assert_string_equal(out, "/x");
	assert_int_equal(sbx_path_join("/d", "x", out, 4), -ENAMETOOLONG);
	assert_true(sbx_xattr_name_allowed("user.x"));
	assert_false(sbx_xattr_name_allowed("security.capability"));
	assert_false(sbx_xattr_name_allowed("trusted.x"));
}

/* As root, the deputy thread keeps none of root's power: a port below
 * 1024 cannot be bound with the caller's (unprivileged) ids. */
static void test_credentials(void **state)
{
	struct sbx_caller c = { .tid = caller, .root = -1, .fsuid = 64981, .fsgid = 64981 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sbx_as_caller saved;
	int s, r;

	(void)state;
	if (geteuid() != 0)
		skip();
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(sbx_as_caller_enter(&c, &saved), 0);
	assert_int_equal((int)geteuid(), 64981);
	r = bind(s, (struct sockaddr *)&a, sizeof(a));	/* port 0: any */
	a.sin_port = htons(79);
	assert_int_equal(r, 0);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	r = bind(s, (struct sockaddr *)&a, sizeof(a));
	assert_int_equal(r, -1);
	assert_int_equal(errno, EACCES);
	sbx_as_caller_leave(&saved);
	assert_int_equal((int)geteuid(), 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);	/* root again */
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_from_callers_cwd),
		cmocka_unit_test(test_magic_links_refused),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_proc_self_other_pid_ns),
		cmocka_unit_test(test_split_join),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
