/* test_events.c: the event table is sorted, has no duplicates, and every
 * row is consistent: mapped rows name a rule and the arguments they read,
 * ignored rows say why. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_events.h"

static void test_sorted_and_unique(void **state)
{
	(void)state;
	assert_true(sbx_event_table_len > 150);
	for (size_t i = 1; i < sbx_event_table_len; i++) {
		if (strcmp(sbx_event_table[i - 1].event, sbx_event_table[i].event) >= 0)
			fail_msg("not sorted or duplicate: %s, %s", sbx_event_table[i - 1].event,
				 sbx_event_table[i].event);
	}
}

static void test_rows_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < sbx_event_table_len; i++) {
		const struct sbx_event_map *e = &sbx_event_table[i];
		assert_non_null(e->args);
		assert_true(e->why && strlen(e->why) > 5);
		assert_true(e->handler < SBX_H__COUNT);
		if (e->handler == SBX_H_IGNORE) {
			if (e->rule != SBX_RULE_NONE)
				fail_msg("%s: ignored but names a rule", e->event);
			continue;
		}
		if (e->rule == SBX_RULE_NONE || e->rule >= SBX_RULE__COUNT)
			fail_msg("%s: mapped without a rule", e->event);
		assert_true(e->a >= -1 && e->a < 8 && e->b >= -1 && e->b < 8);
		switch (e->handler) {
		case SBX_H_OPEN: case SBX_H_READ: case SBX_H_WRITE: case SBX_H_GLOB:
		case SBX_H_SOCKET: case SBX_H_CONNECT: case SBX_H_BIND: case SBX_H_SQLITE:
		case SBX_H_SIGNAL: case SBX_H_IMPORT:
			if (e->a < 0)
				fail_msg("%s: handler reads argument a but a is -1", e->event);
			break;
		case SBX_H_WRITE2: case SBX_H_COPY: case SBX_H_LINK: case SBX_H_HOSTPORT:
			if (e->a < 0 || e->b < 0)
				fail_msg("%s: handler reads a and b", e->event);
			break;
		default:
			break;
		}
	}
}

static void test_lookup(void **state)
{
	const struct sbx_event_map *e;

	(void)state;
	e = sbx_event_lookup("open");
	assert_non_null(e);
	assert_int_equal(e->handler, SBX_H_OPEN);
	e = sbx_event_lookup("subprocess.Popen");
	assert_non_null(e);
	assert_int_equal(e->rule, SBX_RULE_SPAWN);
	assert_non_null(sbx_event_lookup("socket.connect"));
	assert_non_null(sbx_event_lookup("import"));
	assert_null(sbx_event_lookup("app.plugin.load"));
	assert_null(sbx_event_lookup(""));
	/* The first and the last row are found too (bsearch bounds). */
	assert_ptr_equal(sbx_event_lookup(sbx_event_table[0].event), &sbx_event_table[0]);
	assert_ptr_equal(sbx_event_lookup(sbx_event_table[sbx_event_table_len - 1].event),
			 &sbx_event_table[sbx_event_table_len - 1]);
}

/* The events policy.md names must be in the table and mapped. */
static void test_spec_events_mapped(void **state)
{
	static const char *const must[] = {
		"open", "os.listdir", "os.scandir", "shutil.rmtree", "shutil.copyfile",
		"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
		"os.forkpty", "socket.__new__", "socket.connect", "socket.bind", "urllib.Request",
		"http.client.connect", "import", "compile", "exec", "code.__new__",
		"function.__new__", "marshal.loads", "marshal.load", "sys._current_frames",
		"sys._current_exceptions", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
		"sys.settrace", "sys.setprofile", "ctypes.dlopen", "tempfile.mkstemp",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		const struct sbx_event_map *e = sbx_event_lookup(must[i]);
		if (!e || e->handler == SBX_H_IGNORE)
			fail_msg("%s must be mapped to a rule", must[i]);
	}
	/* and the ones it says stay allowed */
	assert_int_equal(sbx_event_lookup("sys._getframe")->handler, SBX_H_IGNORE);
	assert_int_equal(sbx_event_lookup("object.__getattr__")->handler, SBX_H_IGNORE);
	assert_int_equal(sbx_event_lookup("sys.addaudithook")->handler, SBX_H_IGNORE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_and_unique),
		cmocka_unit_test(test_rows_consistent),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_spec_events_mapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
