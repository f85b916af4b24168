/* test_operand.c: an event's operands as report fields, and the hints and
 * --learn reading those fields, never the detail's words: every event
 * here has a detail (and arguments) that names something else, and only
 * the operand is right. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sbx_supervisor.h"

static char dir[PATH_MAX], quoted[PATH_MAX + 8], readable[PATH_MAX + 8];	/* a directory; in it, one with a quote in
							   its name, one to read */

static int setup(void **state)
{
	char here[PATH_MAX];

	(void)state;
	/* Not in /tmp, whose reads --learn leaves to the private tmp. */
	if (!getcwd(here, sizeof(here)) || strlen(here) > sizeof(dir) - 24)
		return -1;
	snprintf(dir, sizeof(dir), "%s/sbx-operand-XXXXXX", here);
	if (!mkdtemp(dir))
		return -1;
	snprintf(quoted, sizeof(quoted), "%s/it's", dir);
	snprintf(readable, sizeof(readable), "%s/r", dir);
	return mkdir(quoted, 0755) || mkdir(readable, 0755) ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct sbx_policy *policy(const char *text)
{
	struct sbx_policy *p = NULL;
	struct sbx_error err;

	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(text, strlen(text), "test", "/etc", SBX_LOAD_NO_RESOLVE, &p, &err), 0);
	return p;
}

static void test_operand_fields(void **state)
{
	struct sbx_operand in;
	struct sbx_opnd o;
	json_t *ev = json_object();

	(void)state;
	sbx_operand_reset(&in, SBX_OPK_ADDR);
	sbx_operand_set(&in, SBX_OP_HOST, "::1");
	in.port = 53;
	in.flags = SBX_OPF_PORT;
	assert_int_equal(sbx_operand_decode(&in, &o), 0);
	sbx_operand_json(ev, &o);
	assert_string_equal(json_string_value(json_object_get(ev, "addr")), "[::1]:53");

	sbx_operand_reset(&in, SBX_OPK_PROGRAM);
	sbx_operand_set(&in, SBX_OP_PROGRAM, "/bin/ls");
	sbx_operand_add_arg(&in, "ls", 2);
	sbx_operand_add_arg(&in, "it's", 4);
	assert_int_equal(sbx_operand_decode(&in, &o), 0);
	sbx_operand_json(ev, &o);
	assert_string_equal(json_string_value(json_object_get(ev, "program")), "/bin/ls");
	assert_int_equal(json_array_size(json_object_get(ev, "argv")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(ev, "argv"), 1)), "it's");

	sbx_operand_reset(&in, SBX_OPK_PATH);
	sbx_operand_set(&in, SBX_OP_PATH, "/a");
	sbx_operand_set(&in, SBX_OP_PATH2, "/b");
	assert_int_equal(sbx_operand_decode(&in, &o), 0);
	sbx_operand_json(ev, &o);
	assert_string_equal(json_string_value(json_object_get(ev, "path")), "/a");
	assert_string_equal(json_string_value(json_object_get(ev, "path2")), "/b");
	json_decref(ev);
}

static void hint(const struct sbx_policy *p, enum sbx_rule rule, json_t *ev, const char *want)
{
	char buf[700];

	sbx_denial_hint(p, rule, ev, buf, sizeof(buf));
	assert_string_equal(buf, want);
	json_decref(ev);
}

static void test_hint_reads_operands(void **state)
{
	struct sbx_policy *p = policy("{\"version\": 1}");
	char want[PATH_MAX + 64];

	(void)state;
	snprintf(want, sizeof(want), "allow with \"filesystem\": {\"write\": [\"%s\"]}", quoted);
	hint(p, SBX_RULE_FS_WRITE,
	     json_pack("{s:s, s:s, s:[s], s:s}", "event", "open", "detail", "open '/wrong/place' 'w'", "args",
		       "/wrong/place", "path", quoted), want);
	hint(p, SBX_RULE_NET_CONNECT,
	     json_pack("{s:s, s:s, s:[s,[s,i]], s:s}", "event", "socket.connect", "detail",
		       "socket.connect 10.9.9.9:1", "args", "<socket>", "10.9.9.9", 1, "addr", "127.0.0.1:8080"),
	     "allow with \"network\": {\"connect\": [\"127.0.0.1:8080\"]}");
	hint(p, SBX_RULE_NET_BIND,
	     json_pack("{s:s, s:s, s:[], s:s}", "syscall", "bind", "detail", "bind 10.1.1.1:5", "args",
		       "addr", "[::1]:53"),
	     "allow with \"network\": {\"bind\": [\"[::1]:53\"]}");
	hint(p, SBX_RULE_IMPORTS,
	     json_pack("{s:s, s:s, s:[s], s:s}", "event", "import", "detail", "import wrong", "args", "wrong",
		       "module", "sqlite3"),
	     "allow with \"sqlite3\" taken out of \"imports\": {\"deny\": [...]}");
	hint(p, SBX_RULE_EXEC_ALLOW,
	     json_pack("{s:s, s:s, s:[s], s:s}", "event", "subprocess.Popen", "detail", "subprocess.Popen 'ls'",
		       "args", "ls", "program", "/usr/bin/ls"),
	     "allow with \"process\": {\"exec_allow\": [\"/usr/bin/ls\"]}");
	/* No operand, no hint: the detail's words are not read. */
	hint(p, SBX_RULE_FS_READ,
	     json_pack("{s:s, s:s, s:[s]}", "event", "open", "detail", "open '/etc/shadow' 'r'", "args", "/etc/shadow"),
	     "");
	sbx_policy_free(p);
}

static bool has(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static void test_learn_reads_operands(void **state)
{
	struct sbx_policy *p = policy("{\"version\": 1, \"imports\": {\"deny\": [\"sqlite3\"]}}");
	struct sbx_error err;
	char out[PATH_MAX + 16], *report;
	json_t *rep, *pol, *fs, *net;

	(void)state;
	snprintf(out, sizeof(out), "%s/learnt.json", dir);
	rep = json_pack("{s:[{s:s, s:s, s:s, s:s, s:[s,s], s:s},"
			"{s:s, s:s, s:s, s:s, s:[], s:s},"
			"{s:s, s:s, s:s, s:s, s:[s,[s,i]], s:s},"
			"{s:s, s:s, s:s, s:s, s:[s], s:s},"
			"{s:s, s:s, s:s, s:s, s:[s], s:s}]}",
			"events",
			"event", "open", "rule", "filesystem.write", "would", "deny", "detail", "open '/wrong/a' 'w'",
			"args", "/wrong/a", "w", "path", quoted,
			"syscall", "openat", "rule", "filesystem.read", "would", "deny", "detail", "openat '/wrong/b'",
			"args", "path", readable,
			"event", "socket.connect", "rule", "network.connect", "would", "deny", "detail",
			"socket.connect 10.9.9.9:1", "args", "<socket>", "10.9.9.9", 1, "addr", "127.0.0.1:8080",
			"event", "subprocess.Popen", "rule", "process.exec_allow", "would", "deny", "detail",
			"subprocess.Popen 'wrong'", "args", "wrong", "program", "/usr/bin/true",
			"event", "import", "rule", "imports.deny", "would", "deny", "detail", "import wrong", "args",
			"wrong", "module", "sqlite3");
	report = json_dumps(rep, 0);
	sbx_error_clear(&err);
	assert_int_equal(sbx_learn(out, p, report, NULL, &err), 0);
	pol = json_load_file(out, 0, NULL);
	assert_non_null(pol);
	fs = json_object_get(pol, "filesystem");
	net = json_object_get(pol, "network");
	assert_true(has(json_object_get(fs, "write"), quoted));
	assert_false(has(json_object_get(fs, "write"), "/wrong"));
	assert_true(has(json_object_get(fs, "read"), readable));
	assert_true(has(json_object_get(net, "connect"), "127.0.0.1:8080"));
	assert_true(has(json_object_get(json_object_get(pol, "process"), "exec_allow"), "/usr/bin/true"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(pol, "imports"), "deny")), 0);
	json_decref(pol);
	json_decref(rep);
	free(report);
	sbx_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operand_fields),
		cmocka_unit_test(test_hint_reads_operands),
		cmocka_unit_test(test_learn_reads_operands),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
