/* test_seccomp.c: the syscall tables and the filter they compile to.
 * Every name in the tables is a syscall of this architecture; the
 * classifier names the rule of each refusal the way the tables say; and the
 * compiled BPF, loaded in a forked child whose listener is closed (so every
 * refusal comes back ENOSYS from the kernel), allows and refuses exactly
 * what the rows say, including with garbage in the upper half of int
 * arguments. Filters are loaded only in forked children. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sbx_sc_table.h"
#include "sbx_seccomp.h"

static struct sbx_policy *load(const char *json)
{
	struct sbx_policy *p = NULL;
	struct sbx_error err;

	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(json, strlen(json), "test", "/", SBX_LOAD_NO_RESOLVE,
						&p, &err), 0);
	return p;
}

static void test_every_row_is_a_syscall(void **state)
{
	(void)state;
	for (size_t g = 0; g < sbx_sc_n_groups; g++)
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const char *name = sbx_sc_groups[g].rows[i].syscall;
			if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) < 0)
				fail_msg("%s (group %s) is not an x86_64 syscall", name,
					 sbx_sc_groups[g].name);
		}
}

static void classify(const struct sbx_policy *p, int nr, uint64_t a0, uint64_t a1,
		     struct sbx_sc_verdict *v)
{
	uint64_t args[6] = { a0, a1, 0, 0, 0, 0 };

	sbx_seccomp_classify(p, 3, nr, args, v);
}

static void test_classify(void **state)
{
	struct sbx_policy *p = load("{\"version\": 1}");
	struct sbx_sc_verdict v;

	(void)state;
	classify(p, SYS_execve, 0, 0, &v);
	assert_string_equal(v.name, "execve");
	assert_int_equal(v.rule, SBX_RULE_SPAWN);
	assert_int_equal(v.err, EPERM);
	assert_false(v.kill);

	classify(p, SYS_clone, SIGCHLD, 0, &v);
	assert_int_equal(v.rule, SBX_RULE_SPAWN);
	classify(p, SYS_clone, CLONE_THREAD | CLONE_NEWUSER, 0, &v);
	assert_int_equal(v.rule, SBX_RULE_SYSTEM);

	classify(p, SYS_ptrace, 0, 0, &v);
	assert_int_equal(v.rule, SBX_RULE_SYSTEM);
	assert_string_equal(v.why, "always denied");

	classify(p, SYS_ioctl, 0, (1ULL << 32) | TIOCSTI, &v);
	assert_int_equal(v.rule, SBX_RULE_SYSTEM);
	assert_int_equal(v.err, EPERM);

	classify(p, SYS_kill, 0xffffffffULL, 9, &v);
	assert_int_equal(v.rule, SBX_RULE_SIGNAL);
	classify(p, SYS_socket, AF_INET, SOCK_STREAM, &v);
	assert_int_equal(v.rule, SBX_RULE_NET_SOCKET);
	/* The rule of the row the arguments match: route netlink is what
	 * network.dns allows, not just any socket. */
	classify(p, SYS_socket, AF_NETLINK, SOCK_RAW, &v);
	assert_int_equal(v.rule, SBX_RULE_NET_DNS);
	classify(p, SYS_connect, 3, 0, &v);
	assert_int_equal(v.rule, SBX_RULE_NET_CONNECT);
	classify(p, SYS_mkdir, 0, 0, &v);
	assert_int_equal(v.rule, SBX_RULE_FS_WRITE);

	/* In no table: ENOSYS, so libc and programs fall back. */
	classify(p, 451, 0, 0, &v);
	assert_true(v.unknown);
	assert_int_equal(v.err, ENOSYS);
	classify(p, 100000, 0, 0, &v);
	assert_true(v.unknown);
	assert_string_equal(v.name, "syscall_100000");
	sbx_policy_free(p);

	p = load("{\"version\": 1, \"on_violation\": \"kill\"}");
	classify(p, SYS_execve, 0, 0, &v);
	assert_true(v.kill);
	classify(p, 451, 0, 0, &v);
	assert_false(v.kill);	/* probing an unknown syscall is not a violation */
	sbx_policy_free(p);
}

static void test_policy_widens_filter(void **state)
{
	struct sbx_policy *a = load("{\"version\": 1}");
	struct sbx_policy *b = load("{\"version\": 1, \"process\": {\"spawn\": true}, "
				    "\"network\": {\"connect\": [\"127.0.0.1:80\"]}}");
	struct sbx_seccomp *fa = NULL, *fb = NULL;
	struct sbx_error err;

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(sbx_seccomp_build(a, 3, 0, &fa, &err), 0);
	assert_int_equal(sbx_seccomp_build(b, 3, 0, &fb, &err), 0);
	assert_true(sbx_seccomp_rule_count(fa) > 100);
	/* fork, vfork, execve, execveat, clone; socket x3 (connect is the
	 * supervisor's to check either way) */
	assert_true(sbx_seccomp_rule_count(fb) >= sbx_seccomp_rule_count(fa) + 8);
	sbx_seccomp_free(fa);
	sbx_seccomp_free(fb);
	sbx_policy_free(a);
	sbx_policy_free(b);
}

/* In a child: load the filter, drop the listener (refusals now come back
 * ENOSYS from the kernel), then try each call. Bit i of the exit status:
 * check i failed. */
static int child_checks(const struct sbx_seccomp *f)
{
	int listener, fails = 0, pfd[2], n;
	long r;

	if (pipe(pfd) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 0xff;
	if (sbx_seccomp_load(f, &listener) < 0)
		return 0xfe;
	if (listener >= 0)
		close(listener);
	/* 0: an ordinary ioctl passes */
	if (ioctl(pfd[0], FIONREAD, &n) < 0)
		fails |= 1 << 0;
	/* 1: TIOCSTI refused, 2: also with the upper half set */
	r = syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, "x");
	if (!(r < 0 && errno == ENOSYS))
		fails |= 1 << 1;
	r = syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, "x");
	if (!(r < 0 && errno == ENOSYS))
		fails |= 1 << 2;
	/* 3: kill(-1) refused even as 0x1ffffffff; 4: kill(0, 0) passes */
	r = syscall(SYS_kill, 0x1ffffffffUL, 0);
	if (!(r < 0 && errno == ENOSYS))
		fails |= 1 << 3;
	if (syscall(SYS_kill, 0, 0) < 0)
		fails |= 1 << 4;
	/* 5: socket(AF_INET) refused; 6: a local stream socket passes */
	r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (!(r < 0 && errno == ENOSYS))
		fails |= 1 << 5;
	r = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r < 0)
		fails |= 1 << 6;
	/* 7: clone3 is ENOSYS in the kernel itself, with or without listener */
	r = syscall(SYS_clone3, NULL, 0);
	if (!(r < 0 && errno == ENOSYS))
		fails |= 1 << 7;
	return fails;
}

/* Builds the default policy's filter and runs body in a forked child;
 * returns the child's wait status. */
static int in_filtered_child(int (*body)(const struct sbx_seccomp *f))
{
	struct sbx_policy *p = load("{\"version\": 1}");
	struct sbx_seccomp *f = NULL;
	struct sbx_error err;
	int status;
	pid_t pid;

	sbx_error_clear(&err);
	assert_int_equal(sbx_seccomp_build(p, 3, 0, &f, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(body(f));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	sbx_seccomp_free(f);
	sbx_policy_free(p);
	return status;
}

static void test_filter_in_child(void **state)
{
	int status = in_filtered_child(child_checks);

	(void)state;
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("checks failed in the filtered child: mask 0x%x", WEXITSTATUS(status));
}

/* A non-native ABI syscall: x32's getpid kills the process with SIGSYS. */
static int x32_getpid(const struct sbx_seccomp *f)
{
	int listener;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sbx_seccomp_load(f, &listener) < 0)
		return 2;
	syscall(0x40000000 | SYS_getpid);
	return 0;
}

static void test_x32_killed(void **state)
{
	int status = in_filtered_child(x32_getpid);

	(void)state;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}


static void classify6(const struct sbx_policy *p, const char *name, const uint64_t args[6],
		      struct sbx_sc_verdict *v)
{
	sbx_seccomp_classify(p, 3, seccomp_syscall_resolve_name(name), args, v);
}

/* Set-id modes are refused on the register, whatever the policy; the same
 * calls without them go to the supervisor's write check. */
static void test_setid_rows(void **state)
{
	struct sbx_policy *p = load("{\"version\": 1, \"filesystem\": {\"tmp\": true}}");
	static const struct {
		const char *name;
		uint64_t args[6];
		bool never;
	} rows[] = {
		{ "chmod", { 0, 04755 }, true },
		{ "chmod", { 0, 0755 | (1ULL << 40) }, false },
		{ "chmod", { 0, 01777 }, false },
		{ "fchmod", { 3, 02755 }, true },
		{ "fchmodat", { 3, 0, 06000 }, true },
		{ "fchmodat2", { 3, 0, 04755, AT_SYMLINK_NOFOLLOW }, true },
		{ "fchmodat2", { 3, 0, 0644, AT_SYMLINK_NOFOLLOW }, false },
		{ "open", { 0, O_CREAT | O_WRONLY, 04755 }, true },
		{ "open", { 0, O_WRONLY, 04755 }, false },	/* no creation: the mode is unused */
		{ "openat", { 3, 0, O_TMPFILE | O_RDWR, 02700 }, true },
		{ "openat", { 3, 0, O_CREAT | O_RDWR, 0600 }, false },
		{ "creat", { 0, 04700 }, true },
		{ "mknod", { 0, S_IFREG | 04755 }, true },
		{ "mknodat", { 3, 0, S_IFIFO | 0600 }, false },
		{ "mkdir", { 0, 06777 }, false },		/* the kernel keeps no set-id bit */
	};
	struct sbx_sc_verdict v;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		classify6(p, rows[i].name, rows[i].args, &v);
		if (rows[i].never != (v.rule == SBX_RULE_SYSTEM && !v.check_write))
			fail_msg("%s row %zu: rule %d check_write %d", rows[i].name, i, v.rule, v.check_write);
		if (!rows[i].never && !v.check_write)
			fail_msg("%s row %zu: not checked by the supervisor", rows[i].name, i);
	}
	sbx_policy_free(p);
}

/* memfd_create only where native code is the program's anyway. */
static void test_memfd_rows(void **state)
{
	struct sbx_policy *a = load("{\"version\": 1}");
	struct sbx_policy *b = load("{\"version\": 1, \"native\": {\"ctypes\": true}}");
	struct sbx_sc_verdict v;
	uint64_t args[6] = { 0 };
	char buf[512];

	(void)state;
	classify6(a, "memfd_create", args, &v);
	assert_int_equal(v.rule, SBX_RULE_CTYPES);
	assert_int_equal(v.err, EPERM);
	sbx_seccomp_rule_calls(a, SBX_RULE_CTYPES, buf, sizeof(buf));
	assert_non_null(strstr(buf, "memfd_create"));
	(void)b;
	sbx_policy_free(a);
	sbx_policy_free(b);
}

/* The kernel's own behaviour behind each row of the tables. */
static int kernel_facts(void)
{
	char dir[] = "/tmp/sbx-test-XXXXXX", p[128], q[128];
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	struct stat st;
	int fails = 0, fd, l;

	if (!mkdtemp(dir) || chdir(dir) < 0)
		return 1 << 0;
	umask(0);
	/* 1: mkdir drops set-id bits from its mode: no refusal needed */
	if (mkdir("d", 06777) < 0 || stat("d", &st) < 0 || (st.st_mode & 06000))
		fails |= 1 << 1;
	/* 2: open(O_CREAT) keeps S_ISUID: refused in the filter */
	fd = open("f", O_CREAT | O_WRONLY, 04755);
	if (fd < 0 || fstat(fd, &st) < 0 || !(st.st_mode & S_ISUID))
		fails |= 1 << 2;
	close(fd);
	/* 3: mknod of a regular file keeps S_ISUID too */
	if (mknod("m", S_IFREG | 04755, 0) < 0 || stat("m", &st) < 0 || !(st.st_mode & S_ISUID))
		fails |= 1 << 3;
	/* 4: the supervisor's form (AT_EMPTY_PATH on an O_PATH descriptor of
	 * a symlink) answers as fchmodat2(AT_SYMLINK_NOFOLLOW) does */
	if (symlink("f", "l") < 0)
		fails |= 1 << 4;
	l = open("l", O_PATH | O_NOFOLLOW);
	errno = 0;
	long r1 = syscall(452, AT_FDCWD, "l", 0600, AT_SYMLINK_NOFOLLOW);
	int e1 = errno;
	long r2 = syscall(452, l, "", 0600, AT_EMPTY_PATH);
	if (r1 != r2 || (r1 < 0 && e1 != errno))
		fails |= 1 << 4;
	/* 5: utimensat and fchownat on an O_PATH descriptor with AT_EMPTY_PATH */
	fd = open("f", O_PATH);
	if (syscall(SYS_utimensat, fd, "", ts, AT_EMPTY_PATH) < 0 || stat("f", &st) < 0 ||
	    st.st_mtim.tv_sec != 2 || fchownat(l, "", getuid(), getgid(), AT_EMPTY_PATH) < 0)
		fails |= 1 << 5;
	/* 6: a flag outside each write row's known set is EINVAL in the kernel
	 * too, so refusing it changes nothing a program can rely on */
	if (sbx_sc_n_writes < 35)
		fails |= 1 << 6;
	for (size_t i = 0; i < sbx_sc_n_writes; i++) {
		const struct sbx_sc_write *w = &sbx_sc_writes[i];
		uint64_t a[6] = { 0 };
		int nr = seccomp_syscall_resolve_name(w->name);
		uint32_t bad = 0;
		if (w->flags < 0 || w->known == ~0u)
			continue;
		for (int b = 0; b < 31 && !bad; b++)
			if (!(w->known & (1u << b)) && (1u << b) != AT_SYMLINK_NOFOLLOW &&
			    (1u << b) != AT_NO_AUTOMOUNT)
				bad = 1u << b;
		snprintf(p, sizeof(p), "f");
		snprintf(q, sizeof(q), "zz");
		for (int k = 0; w->ops[k]; k++)
			a[k] = w->ops[k] == 'd' ? (uint64_t)(int64_t)AT_FDCWD
			     : w->ops[k] == 'F' ? (uint64_t)fd : (uint64_t)(uintptr_t)(k ? q : p);
		if (w->act == SBX_ACT_SETX) {
			a[w->a] = (uintptr_t)"user.x";
			a[w->b] = (uintptr_t)"v";
			a[w->b + 1] = 1;
		}
		a[w->flags] = bad;
		errno = 0;
		if (syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) >= 0 || errno != EINVAL) {
			fprintf(stderr, "%s: flag 0x%x accepted by the kernel (errno %d)\n", w->name, bad, errno);
			fails |= 1 << 6;
		}
	}
	unlink("l");
	unlink("f");
	unlink("m");
	unlink("zz");
	rmdir("d");
	if (chdir("/") == 0)
		rmdir(dir);
	return fails;
}

static void test_kernel_facts(void **state)
{
	int status;
	pid_t pid = fork();

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(kernel_facts());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("kernel facts behind the tables failed: mask 0x%x", WEXITSTATUS(status));
}

/* Every write the supervisor checks shows its path in the record, and
 * every argument-kind row names a syscall of this architecture. */
/* "Any of these bits" has no single libseccomp comparison but for all 64
 * bits (not zero): a narrower mask may only refuse (NEVER rows are never
 * compiled), or the filter would allow the opposite of the row. */
static void test_any_bit_only_refuses(void **state)
{
	(void)state;
	for (size_t g = 0; g < sbx_sc_n_groups; g++)
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const struct sbx_sc_row *r = &sbx_sc_groups[g].rows[i];
			for (unsigned a = 0; a < r->n_arg; a++)
				if (r->a[a].op == SC_ANY_BIT && r->a[a].mask != ~0ULL && r->when != SC_NEVER)
					fail_msg("%s (%s): a masked any-bit condition on a row that may allow",
						 r->syscall, r->cond ? r->cond : "");
		}
}

static void test_arg_kinds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sbx_sc_n_writes; i++) {
		const char *k = sbx_sc_arg_kinds(sbx_sc_writes[i].name);
		if (!strchr(k, 'p') && strcmp(k, "xxxxxx") == 0)
			fail_msg("%s: its record would not show its operands", sbx_sc_writes[i].name);
	}
	assert_string_equal(sbx_sc_arg_kinds("no_such_call"), "xxxxxx");
	assert_string_equal(sbx_sc_arg_kinds("connect"), "ia");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_is_a_syscall),
		cmocka_unit_test(test_arg_kinds),
		cmocka_unit_test(test_any_bit_only_refuses),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_policy_widens_filter),
		cmocka_unit_test(test_filter_in_child),
		cmocka_unit_test(test_x32_killed),
		cmocka_unit_test(test_setid_rows),
		cmocka_unit_test(test_memfd_rows),
		cmocka_unit_test(test_kernel_facts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
