/* operand.c: an event's operands (what the rule judged: a path, an
 * address, a module, a program and its argv) as fields of its report
 * object, so that readers of the report, the hints and --learn among
 * them, never parse the human detail. docs/running.md lists the fields. */
#include <stdio.h>
#include <string.h>

#include "sbx_supervisor.h"

static void put(json_t *ev, const char *key, const char *s)
{
	json_t *v = s[0] ? json_string(s) : NULL;

	if (v)
		json_object_set_new(ev, key, v);
}

static json_t *argv_json(const struct sbx_opnd *o)
{
	json_t *a = json_array();
	size_t off = 0;

	for (size_t i = 0; a && i < o->argc; i++) {
		json_array_append_new(a, json_string(o->argv + off));
		off += strlen(o->argv + off) + 1;
	}
	return a;
}

void sbx_operand_json(json_t *ev, const struct sbx_opnd *o)
{
	char addr[sizeof(o->host) + 16];

	switch (o->kind) {
	case SBX_OPK_PATH:
		put(ev, "path", o->path);
		put(ev, "path2", o->path2);
		break;
	case SBX_OPK_ADDR:
		if (o->host[0] && o->port >= 0) {
			snprintf(addr, sizeof(addr), strchr(o->host, ':') ? "[%s]:%d" : "%s:%d", o->host, o->port);
			put(ev, "addr", addr);
		}
		break;
	case SBX_OPK_MODULE:
		put(ev, "module", o->module);
		put(ev, "path", o->path);
		break;
	case SBX_OPK_PROGRAM:
		put(ev, "program", o->program);
		if (o->argc)
			json_object_set_new(ev, "argv", argv_json(o));
		break;
	default:
		break;
	}
}
