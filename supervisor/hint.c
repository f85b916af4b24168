/* hint.c: for a denial line on stderr, the clause of the policy to change
 * to allow what was refused ('allow with "filesystem": {"write":
 * ["/etc/x"]}'), built from the recorded event alone: the rule registry
 * words it (sbx_rule_hint); the event's operands (operand.c), never its
 * detail's words, fill the blank. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sbx_supervisor.h"

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

	switch (sbx_rule_info(rule)->fill) {
	case SBX_FILL_NONE:
		break;
	case SBX_FILL_PATH:
		if (path_of(p, ev, what, sizeof(what)) && rule == SBX_RULE_FS_WRITE)
			writable_entry(ev, what);
		break;
	case SBX_FILL_ADDR:
		sbx_event_addr(ev, what, sizeof(what));
		break;
	case SBX_FILL_MODULE:
		/* An extension: its top-level package, which covers every
		 * extension module inside it (policy.md "native"). */
		if (module_of(ev, what, sizeof(what)) && rule == SBX_RULE_EXTENSIONS)
			what[strcspn(what, ".")] = '\0';
		break;
	case SBX_FILL_EVENT:
		snprintf(what, sizeof(what), "%s", json_string_value(json_object_get(ev, "event")) ?: "");
		break;
	}
	sbx_rule_hint(rule, what, buf, len);
}
