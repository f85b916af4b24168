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

/* A record about a path, a second path, an address, a program. */
static void with_op(struct sbx_chan_rec *r, enum sbx_operand_kind k)
{
	good(r);
	sbx_operand_reset(&r->op, k);
}

static void test_operands_decoded(void **state)
{
	struct sbx_chan_rec r;
	struct sbx_decoded d;

	(void)state;
	with_op(&r, SBX_OPK_PATH);
	sbx_operand_set(&r.op, SBX_OP_PATH, "/tmp/it's");
	sbx_operand_set(&r.op, SBX_OP_PATH2, "/tmp/b");
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_int_equal(d.op.kind, SBX_OPK_PATH);
	assert_string_equal(d.op.path, "/tmp/it's");
	assert_string_equal(d.op.path2, "/tmp/b");
	assert_int_equal(d.op.port, -1);
	sbx_decoded_clear(&d);

	with_op(&r, SBX_OPK_ADDR);
	sbx_operand_set(&r.op, SBX_OP_HOST, "::1");
	r.op.port = 0;			/* bind to any port: a port all the same */
	r.op.flags = SBX_OPF_PORT;
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_string_equal(d.op.host, "::1");
	assert_int_equal(d.op.port, 0);
	sbx_decoded_clear(&d);

	with_op(&r, SBX_OPK_PROGRAM);
	sbx_operand_set(&r.op, SBX_OP_PROGRAM, "/bin/ls");
	assert_true(sbx_operand_add_arg(&r.op, "ls", 2));
	assert_true(sbx_operand_add_arg(&r.op, "", 0));
	assert_true(sbx_operand_add_arg(&r.op, "x y", 3));
	assert_false(sbx_operand_add_arg(&r.op, "a\0b", 3));	/* no NUL inside */
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_int_equal(d.op.argc, 3);
	assert_memory_equal(d.op.argv, "ls\0\0x y\0", 7);
	sbx_decoded_clear(&d);

	/* A value too long for the room left is left out whole, not cut;
	 * fields go in their order. */
	{
		static char longp[sizeof(r.op.text) + 2];
		memset(longp, 'a', sizeof(longp) - 1);
		longp[0] = '/';
		with_op(&r, SBX_OPK_PATH);
		assert_int_equal(sbx_operand_set(&r.op, SBX_OP_PATH, longp), 0);
		longp[sizeof(longp) - 3] = '\0';
		assert_int_equal(sbx_operand_set(&r.op, SBX_OP_PATH, longp), sizeof(r.op.text) - 1);
		assert_int_equal(sbx_operand_set(&r.op, SBX_OP_PATH2, "/b"), 0);
		assert_int_equal(sbx_operand_set(&r.op, SBX_OP_PATH2, "/"), 1);
		assert_int_equal(sbx_operand_set(&r.op, SBX_OP_PATH, "/a"), 0);	/* after path2: refused */
	}
}

static void test_bad_operands_rejected(void **state)
{
	struct sbx_chan_rec r;

	(void)state;
	with_op(&r, SBX_OPK__COUNT);			assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_PATH); r.op.len[SBX_OP_PATH] = sizeof(r.op.text) + 1; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	/* each within the buffer, together beyond it */
	with_op(&r, SBX_OPK_PATH); r.op.len[SBX_OP_PATH] = r.op.len[SBX_OP_PATH2] = sizeof(r.op.text) / 2 + 1;
	memset(r.op.text, 'a', sizeof(r.op.text));	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_PATH); r.op.len[SBX_OP_PATH] = r.op.len[SBX_OP_PATH2] = 0xffff; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_ADDR); r.op.len[SBX_OP_HOST] = sizeof(r.op.text) + 1; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	/* a field the kind does not carry */
	with_op(&r, SBX_OPK_PATH); sbx_operand_set(&r.op, SBX_OP_HOST, "h"); assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_ADDR); sbx_operand_set(&r.op, SBX_OP_PATH, "/x"); assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_NONE); sbx_operand_set(&r.op, SBX_OP_MODULE, "m"); assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_MODULE); sbx_operand_set(&r.op, SBX_OP_PROGRAM, "/p"); assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_PATH); r.op.flags = SBX_OPF_PORT; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_ADDR); r.op.port = 80;	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);	/* no flag */
	with_op(&r, SBX_OPK_ADDR); r.op.flags = 0x80;	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_PATH); r.op.reserved[3] = 1; assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	/* argv: argc strings, each ending in NUL, filling argv_len */
	with_op(&r, SBX_OPK_PROGRAM); sbx_operand_add_arg(&r.op, "a", 1); r.op.argc = 2;
	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_PROGRAM); sbx_operand_add_arg(&r.op, "a", 1); r.op.text[1] = 'b';
	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	with_op(&r, SBX_OPK_PROGRAM); r.op.argc = SBX_OPERAND_MAX_ARGC + 1;
	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
	/* set-up records carry none */
	with_op(&r, SBX_OPK_PATH); r.type = SBX_CHAN_READY; r.seq = 0;
	assert_int_equal(decode(&r, sizeof(r)), -EINVAL);
}

static void test_operand_strings_made_printable(void **state)
{
	struct sbx_chan_rec r;
	struct sbx_decoded d;

	(void)state;
	with_op(&r, SBX_OPK_MODULE);
	memset(r.op.text, '/', sizeof(r.op.text));
	r.op.len[SBX_OP_PATH] = 3;
	memcpy(r.op.text + 3, "m\n\xff\xc3\xa9", 5);
	r.op.len[SBX_OP_MODULE] = 5;
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_string_equal(d.op.path, "///");
	assert_string_equal(d.op.module, "m??\xc3\xa9");
	sbx_decoded_clear(&d);
	/* the whole buffer, no NUL */
	with_op(&r, SBX_OPK_PATH);
	memset(r.op.text, '/', sizeof(r.op.text));
	r.op.len[SBX_OP_PATH] = sizeof(r.op.text);
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_int_equal(strlen(d.op.path), sizeof(r.op.text));
	sbx_decoded_clear(&d);

	with_op(&r, SBX_OPK_PROGRAM);
	sbx_operand_add_arg(&r.op, "\033[2J", 4);
	sbx_operand_add_arg(&r.op, "ok", 2);
	assert_int_equal(sbx_chan_decode(&r, sizeof(r), 2, &d), 0);
	assert_memory_equal(d.op.argv, "?[2J\0ok\0", 8);
	sbx_decoded_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_record),
		cmocka_unit_test(test_bad_fields_rejected),
		cmocka_unit_test(test_strings_made_printable),
		cmocka_unit_test(test_operands_decoded),
		cmocka_unit_test(test_bad_operands_rejected),
		cmocka_unit_test(test_operand_strings_made_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
