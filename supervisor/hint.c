/* hint.c: for a denial line on stderr, the clause of the policy to change
 * to allow what was refused ('allow with "filesystem": {"write":
 * ["/etc/x"]}'), built from the recorded event alone: the rule registry
 * words it (sbx_rule_hint); the event's operands fill the blank. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sbx_supervisor.h"

/* The refused path: the first quoted one of the detail ("openat
 * '/tmp/x'", "shutil.copytree '/x'": the operand that was refused, as the
 * supervisor or the hook read it), made absolute against the working
 * directory; else the first argument when it is a string. */
static bool path_of(const struct sbx_policy *p, json_t *ev, char *out, size_t len)
{
	const char *d = json_string_value(json_object_get(ev, "detail"));
	const char *a = json_string_value(json_array_get(json_object_get(ev, "args"), 0));
	const char *q = d ? strchr(d, '\'') : NULL;
	char quoted[4096];

	if (q) {
		const char *end = strchr(q + 1, '\'');
		if (end && end > q + 1 && (size_t)(end - q - 1) < sizeof(quoted)) {
			memcpy(quoted, q + 1, (size_t)(end - q - 1));
			quoted[end - q - 1] = '\0';
			a = quoted;
		}
	}
	if (!a || !a[0] || a[0] == '<')
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
	json_t *args = json_object_get(ev, "args"), *addr = json_array_get(args, 1);
	const char *host = NULL;
	json_int_t port = -1;

	if (json_object_get(ev, "syscall")) {
		/* The supervisor's form: "connect 127.0.0.1:80" / "[::1]:80". */
		const char *d = json_string_value(json_object_get(ev, "detail"));
		const char *sp = d ? strchr(d, ' ') : NULL;
		if (!sp || !strrchr(sp, ':') || !(sp[1] == '[' || (sp[1] >= '0' && sp[1] <= '9')))
			return false;
		snprintf(out, len, "%s", sp + 1);
		return true;
	}
	if (json_is_array(addr) && json_is_integer(json_array_get(addr, 1))) {
		/* socket.connect/bind/sendto: (socket, (host, port)). */
		host = json_string_value(json_array_get(addr, 0));
		port = json_integer_value(json_array_get(addr, 1));
	} else if (json_is_string(addr) && json_is_integer(json_array_get(args, 2))) {
		/* A client library's event: (self, host, port). */
		host = json_string_value(addr);
		port = json_integer_value(json_array_get(args, 2));
	}
	if (!host || port < 0 || port > 65535)
		return false;
	snprintf(out, len, strchr(host, ':') ? "[%s]:%lld" : "%s:%lld", host, (long long)port);
	return true;
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
		snprintf(what, sizeof(what), "%s",
			 json_string_value(json_array_get(json_object_get(ev, "args"), 0)) ?: "");
		break;
	case SBX_FILL_EVENT:
		snprintf(what, sizeof(what), "%s", json_string_value(json_object_get(ev, "event")) ?: "");
		break;
	}
	sbx_rule_hint(rule, what, buf, len);
}
