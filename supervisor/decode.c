/* decode.c: records from the child, checked field by field. The child may
 * be hostile: lengths are bounded, strings made printable, numbers checked
 * against their enums, the arguments parsed as JSON with jansson and
 * rejected unless they are an array. Nothing is trusted. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sbx_match.h"
#include "sbx_rules.h"
#include "sbx_supervisor.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes) that is not a
 * control character (C0, DEL, C1: a terminal reads some as commands), or
 * 0. */
static size_t printable_seq(const unsigned char *s, size_t n)
{
	size_t len = sbx_utf8_seq(s, n);

	if (len == 1)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (len == 2 && s[0] == 0xc2 && s[1] <= 0x9f)
		return 0;	/* U+0080..U+009F */
	return len;
}

/* Valid, printable UTF-8 is kept; every other byte becomes '?', so what
 * reaches a terminal or the report is text, whatever the child sent. */
static void copy_printable(char *dst, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	while (i < n) {
		size_t len = printable_seq(s + i, n - i);
		if (!len) {
			dst[i++] = '?';
			continue;
		}
		memcpy(dst + i, s + i, len);
		i += len;
	}
	dst[n] = '\0';
}

/* Which fields each kind may carry; a record with any other one set is
 * malformed. */
#define F(f) (1u << (f))
static const unsigned kind_fields[SBX_OPK__COUNT] = {
	[SBX_OPK_NONE] = 0,
	[SBX_OPK_PATH] = F(SBX_OP_PATH) | F(SBX_OP_PATH2),
	[SBX_OPK_ADDR] = F(SBX_OP_HOST),
	[SBX_OPK_MODULE] = F(SBX_OP_MODULE) | F(SBX_OP_PATH),
	[SBX_OPK_PROGRAM] = F(SBX_OP_PROGRAM) | F(SBX_OP_ARGV),
};

/* argv: exactly argc strings, each ending in NUL, filling len bytes. */
static bool argv_sound(const char *argv, size_t len, size_t argc)
{
	size_t seen = 0;

	if (len && argv[len - 1] != '\0')
		return false;
	for (size_t i = 0; i < len; i++)
		seen += argv[i] == '\0';
	return seen == argc;
}

int sbx_operand_decode(const struct sbx_operand *in, struct sbx_opnd *out)
{
	char *const dst[SBX_OP__COUNT] = { out->path, out->path2, out->host, out->module, out->program, out->argv };
	size_t total = 0, off = 0;
	unsigned set = 0;

	memset(out, 0, offsetof(struct sbx_opnd, path));
	out->port = -1;
	for (int f = 0; f < SBX_OP__COUNT; f++) {
		dst[f][0] = '\0';
		total += in->len[f];
		set |= in->len[f] ? F(f) : 0;
	}
	if (in->kind >= SBX_OPK__COUNT || in->reserved[0] || in->reserved[1] || in->reserved[2] ||
	    in->reserved[3] || total > sizeof(in->text) || in->argc > SBX_OPERAND_MAX_ARGC ||
	    (in->flags & ~SBX_OPF_PORT) || (set & ~kind_fields[in->kind]) ||
	    (in->port && !(in->flags & SBX_OPF_PORT)) ||
	    ((in->flags & SBX_OPF_PORT) && in->kind != SBX_OPK_ADDR) ||
	    !argv_sound(in->text + sbx_operand_off(in, SBX_OP_ARGV), in->len[SBX_OP_ARGV], in->argc))
		return -EINVAL;
	out->kind = (enum sbx_operand_kind)in->kind;
	out->port = in->flags & SBX_OPF_PORT ? in->port : -1;
	out->argc = in->argc;
	for (int f = 0; f < SBX_OP_ARGV; f++) {
		copy_printable(dst[f], in->text + off, in->len[f]);
		off += in->len[f];
	}
	/* argv's strings each on its own: the NULs between them stay. */
	for (size_t i = 0; i < in->len[SBX_OP_ARGV];) {
		size_t n = strlen(in->text + off + i);
		copy_printable(out->argv + i, in->text + off + i, n);
		i += n + 1;
	}
	out->argv[in->len[SBX_OP_ARGV]] = '\0';
	return 0;
}
#undef F

void sbx_decoded_clear(struct sbx_decoded *d)
{
	json_decref(d->args);
	d->args = NULL;
}

int sbx_chan_decode(const struct sbx_chan_rec *rec, ssize_t n, size_t n_event_rules,
		    struct sbx_decoded *out)
{
	memset(out, 0, sizeof(*out));
	if (n != (ssize_t)sizeof(*rec) || rec->version != SBX_CHAN_VERSION ||
	    rec->type == 0 || rec->type >= SBX_CHAN__COUNT)
		return -EINVAL;
	if (rec->event_len > sizeof(rec->event) || rec->where_len > sizeof(rec->where) ||
	    rec->detail_len > sizeof(rec->detail) || rec->args_len > sizeof(rec->args))
		return -EINVAL;
	/* Set-up records are not numbered; events are, from 1. */
	if ((rec->type == SBX_CHAN_EVENT) != (rec->seq != 0) ||
	    (rec->type == SBX_CHAN_EVENT && (rec->tid == 0 || rec->tid > 0x7fffffff)))
		return -EINVAL;
	out->type = (enum sbx_chan_type)rec->type;
	out->pid = (pid_t)(rec->pid & 0x7fffffff);
	out->tid = (pid_t)rec->tid;
	out->seq = rec->seq;
	memcpy(out->key, rec->key, sizeof(out->key));
	out->err = rec->err;
	out->step = rec->step;
	copy_printable(out->event, rec->event, rec->event_len);
	copy_printable(out->where, rec->where, rec->where_len);
	copy_printable(out->detail, rec->detail, rec->detail_len);
	if (sbx_operand_decode(&rec->op, &out->op) < 0 ||
	    (out->type != SBX_CHAN_EVENT && out->op.kind != SBX_OPK_NONE))
		return -EINVAL;
	if (out->type != SBX_CHAN_EVENT)
		return 0;
	if (rec->rule == SBX_RULE_NONE || rec->rule >= SBX_RULE__COUNT ||
	    rec->action >= SBX_ACTION__COUNT || rec->action == SBX_ALLOW || !rec->event_len)
		return -EINVAL;
	if (rec->rule == SBX_RULE_EVENTS ? rec->clause >= n_event_rules : rec->clause != 0)
		return -EINVAL;
	out->rule = (enum sbx_rule)rec->rule;
	out->action = (enum sbx_action)rec->action;
	out->clause = rec->clause;
	{
		json_error_t jerr;
		out->args = json_loadb(rec->args, rec->args_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
		if (!out->args || !json_is_array(out->args)) {
			sbx_decoded_clear(out);
			return -EINVAL;
		}
	}
	return 0;
}

/* Could the hook have sent this? The program can write to the channel
 * too, so an EVENT record whose rule and action the policy cannot produce
 * is a forgery: a "log" record could otherwise explain, and so hide, the
 * program's own bypass. */
bool sbx_event_plausible(const struct sbx_policy *p, const struct sbx_decoded *d)
{
	enum sbx_action want = sbx_rule_action(p, d->rule);	/* the sections only deny */

	if (d->rule == SBX_RULE_EVENTS) {
		const struct sbx_event_rule *r = &p->events[d->clause];
		if (r->name ? strcmp(r->name, d->event) != 0
			    : strncmp(r->prefix, d->event, strlen(r->prefix)) != 0)
			return false;
		want = r->action;
	}
	/* Under on_violation: kill a deny is sent as kill. */
	return d->action == want || d->action == sbx_action_effective(p, want);
}
