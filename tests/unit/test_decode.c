/* test_decode.c: records from a hostile child. Every malformed field is
 * rejected (the supervisor counts and drops the record); strings are
 * bounded and made printable; the arguments must be a JSON array. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_supervisor.h"

static void good(struct sbx_chan_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->version = SBX_CHAN_VERSION;
	r->type = SBX_CHAN_EVENT;
	r->pid = 42;
	r->tid = 43;
	r->seq = 7;
	memset(r->key, 0xa5, sizeof(r->key));
	r->rule = SBX_RULE_SPAWN;
	r->action = SBX_DENY;
	memcpy(r->event, "subprocess.Popen", 16);
	r->event_len = 16;
	memcpy(r->args, "[\"/bin/sh\"]", 11);
	r->args_len = 11;
}

static int decode(const struct sbx_chan_rec *r, ssize_t n)
{
	struct sbx_decoded d;
	int rc = sbx_chan_decode(r, n, 2, &d);

	sbx_decoded_clear(&d);
	return rc;
}

static void test_good_record(void **state)
{
	struct sbx_chan_rec r;
	struct sbx_decoded d;

	(void)state;
	good(&r);
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_string_equal(d.event, "subprocess.Popen");
	assert_int_equal(d.rule, SBX_RULE_SPAWN);
	assert_true(json_is_array(d.args));
	/* The numbering, the thread and the key come out as sent: the
	 * supervisor judges them against the run. */
	assert_int_equal(d.seq, 7);
	assert_int_equal(d.tid, 43);
	assert_int_equal(d.key[0], 0xa5);
	assert_int_equal(d.key[SBX_CHAN_KEY_LEN - 1], 0xa5);
	sbx_decoded_clear(&d);
}

static void test_bad_fields_rejected(void **state)
{
	struct sbx_chan_rec r;

	(void)state;
	good(&r);
	assert_int_equal(decode(&r, sizeof(r) - 1), -EINVAL);	/* truncated */
	assert_int_equal(decode(&r, sizeof(r) + 1), -EINVAL);	/* oversized (MSG_TRUNC length) */
	good(&r); r.version = 1;			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.version = SBX_CHAN_VERSION + 1;	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.type = 0;				assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.type = SBX_CHAN__COUNT;		assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.rule = SBX_RULE__COUNT;		assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.rule = SBX_RULE_NONE;		assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.action = SBX_ACTION__COUNT;		assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.action = SBX_ALLOW;			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.event_len = 129;			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.event_len = 0;			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.where_len = 257;			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.detail_len = 0xffff;		assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.args_len = sizeof(r.args) + 1;	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.rule = SBX_RULE_EVENTS; r.clause = 2; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.clause = 1;				assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); memcpy(r.args, "{\"a\":1}", 7); r.args_len = 7; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.seq = 0;				assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.tid = 0;				assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.tid = 0x80000000u;			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	good(&r); r.type = SBX_CHAN_READY;		assert_int_equal(decode(&r, sizeof(r)), -EINVAL);	/* set-up records are not numbered */
	good(&r); r.type = SBX_CHAN_READY; r.seq = 0;	assert_int_equal(decode(&r, sizeof(r)), 0);
	good(&r); memcpy(r.args, "[1,", 3); r.args_len = 3; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
}

static void test_strings_made_printable(void **state)
{
	struct sbx_chan_rec r;
	struct sbx_decoded d;

	(void)state;
	good(&r);
	memcpy(r.where, "a\nb\033[2J", 7);
	r.where_len = 7;
	/* a full buffer with no NUL: the decoder must bound it itself */
	memset(r.detail, 'x', sizeof(r.detail));
	r.detail_len = sizeof(r.detail);
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_string_equal(d.where, "a?b?[2J");
	assert_int_equal(strlen(d.detail), sizeof(r.detail));
	sbx_decoded_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_record),
		cmocka_unit_test(test_bad_fields_rejected),
		cmocka_unit_test(test_strings_made_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
