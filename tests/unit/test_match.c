/* test_match.c: the judgements every layer shares (policy/sbx_match.h):
 * a path under a root, a bare program name on the sandbox's PATH, a
 * program against process.exec_allow, a UTF-8 sequence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sbx_match.h"
#include "sbx_policy.h"

static struct sbx_policy *load(const char *json)
{
	struct sbx_policy *p = NULL;
	struct sbx_error err;

	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(json, strlen(json), "t.json", "/tmp", 0, &p, &err), 0);
	return p;
}

static void test_path_under(void **state)
{
	(void)state;
	assert_true(sbx_path_under("/usr/lib", "/usr/lib"));
	assert_true(sbx_path_under("/usr/lib/x", "/usr/lib"));
	assert_false(sbx_path_under("/usr/lib64", "/usr/lib"));	/* a prefix is not a parent */
	assert_false(sbx_path_under("/usr", "/usr/lib"));
	assert_true(sbx_path_under("/anything", "/"));
	assert_true(sbx_path_under("/", "/"));
	assert_false(sbx_path_under("relative", "/"));
	assert_false(sbx_path_under("/usr/libx/y", "/usr/lib"));
	assert_true(sbx_path_under("/a/b/c", "/a/b"));
	assert_false(sbx_path_under("/a/bc", "/a/b"));
}

static void test_path_under_any(void **state)
{
	char *roots[] = { "/tmp/w", "/dev/null", NULL };

	(void)state;
	assert_true(sbx_path_under_any("/tmp/w/x", roots));
	assert_true(sbx_path_under_any("/dev/null", roots));
	assert_false(sbx_path_under_any("/tmp/wx", roots));
	assert_false(sbx_path_under_any("/tmp/w/x", NULL));
	assert_false(sbx_path_under_any("/tmp/w/x", roots + 2));	/* empty */
}

/* A scratch directory holding an executable "tool" and a plain "data". */
static char tdir[PATH_MAX];

static int setup_dir(void **state)
{
	char f[PATH_MAX + 16];
	int fd;

	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_match.XXXXXX");
	if (!mkdtemp(tdir))
		return -1;
	snprintf(f, sizeof(f), "%s/tool", tdir);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	close(fd);
	snprintf(f, sizeof(f), "%s/data", tdir);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	return 0;
}

static int teardown_dir(void **state)
{
	char f[PATH_MAX + 16];

	(void)state;
	snprintf(f, sizeof(f), "%s/tool", tdir);
	unlink(f);
	snprintf(f, sizeof(f), "%s/data", tdir);
	unlink(f);
	rmdir(tdir);
	return 0;
}

static void test_exec_search(void **state)
{
	char path[PATH_MAX * 2], out[PATH_MAX], want[PATH_MAX + 16];

	(void)state;
	snprintf(path, sizeof(path), "/nonexistent:%s:/usr/bin", tdir);
	snprintf(want, sizeof(want), "%s/tool", tdir);
	assert_int_equal(sbx_exec_search(path, "tool", out, sizeof(out)), 0);
	assert_string_equal(out, want);
	/* not executable: not a program, as for exec*p */
	assert_int_equal(sbx_exec_search(path, "data", out, sizeof(out)), -ENOENT);
	assert_int_equal(sbx_exec_search(NULL, "tool", out, sizeof(out)), -ENOENT);
	/* the first match wins */
	assert_int_equal(sbx_exec_search("/usr/bin:/bin", "sh", out, sizeof(out)), 0);
	assert_string_equal(out, "/usr/bin/sh");
}

static void test_policy_path_env(void **state)
{
	struct sbx_policy *p = load("{\"version\": 1}");

	(void)state;
	assert_string_equal(sbx_policy_path_env(p), "/usr/bin:/bin");
	sbx_policy_free(p);
	p = load("{\"version\": 1, \"python\": {\"env\": {\"PATH\": \"/opt/x/bin:/usr/bin\"}}}");
	assert_string_equal(sbx_policy_path_env(p), "/opt/x/bin:/usr/bin");
	sbx_policy_free(p);
}

static void test_exec_allowed(void **state)
{
	struct sbx_policy *p = load("{\"version\": 1, \"process\": {\"spawn\": true}}");

	(void)state;
	/* an empty exec_allow: any program */
	assert_true(sbx_policy_exec_allowed(p, "anything", "/any/where"));
	sbx_policy_free(p);
	p = load("{\"version\": 1, \"process\": {\"spawn\": true, \"exec_allow\": [\"/usr/bin/env\"]}}");
	assert_true(sbx_policy_exec_allowed(p, "/usr/bin/env", "/usr/bin/env"));
	/* as named (a link to it) or where it really is */
	assert_true(sbx_policy_exec_allowed(p, "/bin/env", "/usr/bin/env"));
	assert_true(sbx_policy_exec_allowed(p, "/usr/bin/env", "/elsewhere/env"));
	assert_false(sbx_policy_exec_allowed(p, "/usr/bin/id", "/usr/bin/id"));
	assert_false(sbx_policy_exec_allowed(p, "env", "env"));	/* a bare name is looked up first */
	sbx_policy_free(p);
}

static void test_utf8_seq(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{ "a", 1 }, { "\x01", 1 }, { "\x7f", 1 },
		{ "\xc3\xa9", 2 }, { "\xc2\x80", 2 },		/* U+0080: valid UTF-8 */
		{ "\xe2\x82\xac", 3 }, { "\xf0\x9f\x98\x80", 4 }, { "\xf4\x8f\xbf\xbf", 4 },
		{ "\xc0\xaf", 0 }, { "\xc1\xbf", 0 },		/* overlong */
		{ "\xe0\x80\xaf", 0 }, { "\xf0\x80\x80\xaf", 0 },
		{ "\xed\xa0\x80", 0 },				/* a surrogate */
		{ "\xf4\x90\x80\x80", 0 }, { "\xf5\x80\x80\x80", 0 },	/* beyond U+10FFFF */
		{ "\x80", 0 }, { "\xc3(", 0 }, { "\xe2\x82", 0 },	/* stray, cut short */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const unsigned char *s = (const unsigned char *)cases[i].s;
		size_t n = strlen(cases[i].s);
		if (sbx_utf8_seq(s, n) != cases[i].want)
			fail_msg("case %zu: %zu, want %zu", i, sbx_utf8_seq(s, n), cases[i].want);
	}
	/* n bounds the read: a 2-byte sequence with one byte available */
	assert_int_equal(sbx_utf8_seq((const unsigned char *)"\xc3\xa9", 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_under),
		cmocka_unit_test(test_path_under_any),
		cmocka_unit_test_setup_teardown(test_exec_search, setup_dir, teardown_dir),
		cmocka_unit_test(test_policy_path_env),
		cmocka_unit_test(test_exec_allowed),
		cmocka_unit_test(test_utf8_seq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
