/* fuzz_decode.c: libFuzzer target for the supervisor's channel decoder.
 * The input is one record as the (hostile) child could send it, at any
 * length. Oracle: a record either fails to decode or comes out with every
 * string NUL-terminated, printable UTF-8 and within its buffer, rule and
 * action in range, and the arguments a JSON array; an EVENT numbered from
 * 1 with a thread id that is a pid, any other record not numbered; the
 * key passed through unchanged for the supervisor to compare; the operand
 * of a kind in range with only that kind's fields, each printable, argv
 * exactly argc printable strings, a port in range, none on a set-up
 * record. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sbx_supervisor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		__builtin_trap();	/* not terminated */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			__builtin_trap();	/* a control character got through */
}

static void check_operand(const struct sbx_decoded *d)
{
	const struct sbx_opnd *o = &d->op;
	size_t off = 0;

	if (o->kind >= SBX_OPK__COUNT || (d->type != SBX_CHAN_EVENT && o->kind != SBX_OPK_NONE))
		__builtin_trap();
	check_text(o->path, sizeof(o->path));
	check_text(o->path2, sizeof(o->path2));
	check_text(o->host, sizeof(o->host));
	check_text(o->module, sizeof(o->module));
	check_text(o->program, sizeof(o->program));
	if ((o->path[0] && o->kind != SBX_OPK_PATH && o->kind != SBX_OPK_MODULE) ||
	    (o->path2[0] && o->kind != SBX_OPK_PATH) || (o->host[0] && o->kind != SBX_OPK_ADDR) ||
	    (o->module[0] && o->kind != SBX_OPK_MODULE) || (o->program[0] && o->kind != SBX_OPK_PROGRAM) ||
	    (o->argc && o->kind != SBX_OPK_PROGRAM) || o->argc > SBX_OPERAND_MAX_ARGC)
		__builtin_trap();
	if (o->port < -1 || o->port > 65535 || (o->port != -1 && o->kind != SBX_OPK_ADDR))
		__builtin_trap();
	for (size_t i = 0; i < o->argc; i++) {
		if (off >= sizeof(o->argv))
			__builtin_trap();
		check_text(o->argv + off, sizeof(o->argv) - off);
		off += strlen(o->argv + off) + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbx_chan_rec rec;		/* 12 KiB */
	static struct sbx_decoded d;
	size_t n = size < sizeof(rec) ? size : sizeof(rec);

	memset(&rec, 0, sizeof(rec));
	memcpy(&rec, data, n);
	/* As recv(MSG_TRUNC) reports it: the real length of the message. */
	if (sbx_chan_decode(&rec, (ssize_t)size, 4, &d) == 0) {
		check_text(d.event, sizeof(d.event));
		check_text(d.where, sizeof(d.where));
		check_text(d.detail, sizeof(d.detail));
		check_operand(&d);
		if (d.type == SBX_CHAN_EVENT &&
		    (d.rule <= SBX_RULE_NONE || d.rule >= SBX_RULE__COUNT || d.action <= SBX_ALLOW ||
		     d.action >= SBX_ACTION__COUNT || !json_is_array(d.args)))
			__builtin_trap();
		if (d.type == SBX_CHAN_EVENT ? d.seq == 0 || d.tid <= 0 : d.seq != 0)
			__builtin_trap();
		if (memcmp(d.key, rec.key, sizeof(d.key)) != 0)
			__builtin_trap();
	}
	sbx_decoded_clear(&d);
	return 0;
}
