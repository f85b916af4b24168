/* hint.c: for a denial line on stderr, the clause of the policy to change
 * to allow what was refused ('allow with "filesystem": {"write":
 * ["/etc/x"]}'), built from the recorded event alone. One row per rule,
 * read top to bottom; the event's operands (operand.c), never its detail's
 * words, fill the blanks. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sbx_supervisor.h"

enum fill {
	F_NONE,		/* the hint is complete as written */
	F_PATH,		/* an absolute path from the event */
	F_ADDR,		/* host:port from the event */
	F_ARG0,		/* the event's first argument, a name */
	F_EVENT,	/* the event's name */
};

static const struct {
	enum sbx_rule rule;
	enum fill fill;
	const char *pre, *post;	/* the hint is pre + the event's words + post */
} hints[] = {
	{ SBX_RULE_FS_READ, F_PATH, "\"filesystem\": {\"read\": [\"", "\"]}" },
	{ SBX_RULE_FS_WRITE, F_PATH, "\"filesystem\": {\"write\": [\"", "\"]}" },
	{ SBX_RULE_NET_SOCKET, F_NONE, "\"network\": {\"connect\": [\"HOST:PORT\"]}, or bind, or dns", "" },
	{ SBX_RULE_NET_CONNECT, F_ADDR, "\"network\": {\"connect\": [\"", "\"]}" },
	{ SBX_RULE_NET_BIND, F_ADDR, "\"network\": {\"bind\": [\"", "\"]}" },
	{ SBX_RULE_NET_DNS, F_NONE, "\"network\": {\"dns\": true}", "" },
	{ SBX_RULE_SPAWN, F_NONE, "\"process\": {\"spawn\": true}", "" },
	{ SBX_RULE_EXEC_ALLOW, F_PATH, "\"process\": {\"exec_allow\": [\"", "\"]}" },
	{ SBX_RULE_SIGNAL, F_NONE, "\"process\": {\"signal_others\": true}", "" },
	{ SBX_RULE_CTYPES, F_NONE, "\"native\": {\"ctypes\": true}", "" },
	{ SBX_RULE_EXTENSIONS, F_ARG0, "\"native\": {\"extensions\": [\"", "\"]}" },
	{ SBX_RULE_IMPORTS, F_ARG0, "\"", "\" taken out of \"imports\": {\"deny\": [...]}" },
	{ SBX_RULE_COMPILE, F_NONE, "\"code\": {\"compile\": \"allow\"}", "" },
	{ SBX_RULE_EXEC, F_NONE, "\"code\": {\"exec\": \"allow\"}", "" },
	{ SBX_RULE_INTROSPECTION, F_NONE, "\"code\": {\"introspection\": \"allow\"}", "" },
	{ SBX_RULE_TRACING, F_NONE, "\"code\": {\"tracing\": \"allow\"}", "" },
	{ SBX_RULE_EVENTS, F_EVENT, "\"events\": [{\"event\": \"", "\", \"action\": \"allow\"}, ...] first" },
};

/* A JSON string would need escapes: such a name is not worth a hint. */
static bool plain(const char *s)
{
	for (; s && *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return s != NULL;
}

/* The refused path: the event's "path" operand (the program's, for a
 * refused start), made absolute against the working directory when
 * whoever judged it could not resolve it. */
static bool path_of(const struct sbx_policy *p, json_t *ev, char *out, size_t len)
{
	const char *a = json_string_value(json_object_get(ev, "path"));

	if (!a)
		a = json_string_value(json_object_get(ev, "program"));
	if (!a || !a[0])
		return false;
	if (a[0] == '/')
		snprintf(out, len, "%s", a);
	else
		snprintf(out, len, "%s/%s", p->cwd, a[0] == '.' && a[1] == '/' ? a + 2 : a);
	return true;
}

/* A write entry that does not exist when a run starts is made as an
 * empty directory (Landlock confines only what exists): a file that does
 * not exist yet is created by a run only with its directory writable. */
static void writable_entry(json_t *ev, char *path)
{
	const char *e = json_string_value(json_object_get(ev, "event"));
	const char *sc = json_string_value(json_object_get(ev, "syscall"));
	struct stat st;
	char *slash;

	if (lstat(path, &st) == 0 || (e && strcmp(e, "os.mkdir") == 0) || (sc && strncmp(sc, "mkdir", 5) == 0))
		return;
	slash = strrchr(path, '/');
	if (slash && slash != path)
		*slash = '\0';
}

bool sbx_event_addr(json_t *ev, char *out, size_t len)
{
	const char *a = json_string_value(json_object_get(ev, "addr"));

	if (!a || !a[0])
		return false;
	snprintf(out, len, "%s", a);
	return true;
}

/* The module an import or extension event names. */
static bool module_of(json_t *ev, char *out, size_t len)
{
	snprintf(out, len, "%s", json_string_value(json_object_get(ev, "module")) ?: "");
	return out[0];
}

void sbx_denial_hint(const struct sbx_policy *p, enum sbx_rule rule, json_t *ev, char *buf, size_t len)
{
	char what[600] = "";
	bool ok = false;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].rule != rule)
			continue;
		switch (hints[i].fill) {
		case F_NONE: ok = true; break;
		case F_PATH:
			ok = path_of(p, ev, what, sizeof(what));
			if (ok && rule == SBX_RULE_FS_WRITE)
				writable_entry(ev, what);
			break;
		case F_ADDR: ok = sbx_event_addr(ev, what, sizeof(what)); break;
		case F_ARG0: ok = module_of(ev, what, sizeof(what)); break;
		case F_EVENT:
			snprintf(what, sizeof(what), "%s", json_string_value(json_object_get(ev, "event")) ?: "");
			ok = what[0];
			break;
		}
		if (ok && (hints[i].fill == F_NONE || plain(what))) {
			snprintf(buf, len, "allow with %s%s%s", hints[i].pre,
				 hints[i].fill == F_NONE ? "" : what, hints[i].post);
		}
		return;
	}
}
