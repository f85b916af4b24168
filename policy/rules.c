/* rules.c: the rule registry (sbx_rules.h), one row per rule id read top
 * to bottom, and the words every consumer derives from a row: the setting
 * that refused something, the hint that would allow it. Adding a rule
 * starts here (docs/architecture.md, "Adding a rule"). */
#include <stdio.h>
#include <string.h>

#include "sbx_rules.h"

#define AT(member) offsetof(struct sbx_policy, member)

const struct sbx_rule_info sbx_rules[SBX_RULE__COUNT] = {
	[SBX_RULE_NONE] = {
		.id = SBX_RULE_NONE, .name = "none",
	},
	[SBX_RULE_FS_READ] = {
		.id = SBX_RULE_FS_READ, .name = "filesystem.read",
		.section = "filesystem", .key = "read", .kind = SBX_RK_PATHS, .offset = AT(fs.read),
		.explain = "may read", .none = "nothing but the implicit set", .method = "read",
		.learn = SBX_LEARN_READ, .fill = SBX_FILL_PATH,
		.layers = SBX_BY_HOOK | SBX_BY_LANDLOCK | SBX_BY_NAMESPACE, .landlock = SBX_LL_READ,
	},
	[SBX_RULE_FS_WRITE] = {
		.id = SBX_RULE_FS_WRITE, .name = "filesystem.write",
		.section = "filesystem", .key = "write", .kind = SBX_RK_PATHS, .offset = AT(fs.write),
		.explain = "may create, write, rename and remove in", .none = "nothing", .method = "write",
		.learn = SBX_LEARN_WRITE, .fill = SBX_FILL_PATH,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP | SBX_BY_LANDLOCK | SBX_BY_NAMESPACE |
			  SBX_BY_SUPERVISOR,
		.landlock = SBX_LL_WRITE,
		.kernel = "supervisor: every write by path (seccomp user notification) is resolved "
			  "and refused outside the writable trees",
	},
	[SBX_RULE_NET_SOCKET] = {
		.id = SBX_RULE_NET_SOCKET, .name = "network.socket",
		.section = "network", .kind = SBX_RK_NETWORK,
		.explain = "none at all: sockets other than local (AF_UNIX) pairs are refused",
		.learn = SBX_LEARN_NOTE,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP | SBX_BY_LANDLOCK | SBX_BY_NAMESPACE,
		.landlock = SBX_LL_SOCKET,
		.kernel = "namespace: an empty network namespace when there are no network rules",
	},
	[SBX_RULE_NET_CONNECT] = {
		.id = SBX_RULE_NET_CONNECT, .name = "network.connect",
		.section = "network", .key = "connect", .kind = SBX_RK_ADDRS,
		.offset = AT(net.connect), .count_offset = AT(net.n_connect),
		.explain = "may connect to", .none = "nothing", .method = "connect",
		.learn = SBX_LEARN_ADDR, .fill = SBX_FILL_ADDR,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP | SBX_BY_LANDLOCK | SBX_BY_SUPERVISOR,
		.landlock = SBX_LL_TCP_CONNECT,
		.kernel = "supervisor: connect/sendto/sendmsg addresses checked against the list",
	},
	[SBX_RULE_NET_BIND] = {
		.id = SBX_RULE_NET_BIND, .name = "network.bind",
		.section = "network", .key = "bind", .kind = SBX_RK_ADDRS,
		.offset = AT(net.bind), .count_offset = AT(net.n_bind),
		.explain = "may bind", .none = "nothing", .method = "bind",
		.learn = SBX_LEARN_ADDR, .fill = SBX_FILL_ADDR,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP | SBX_BY_LANDLOCK | SBX_BY_SUPERVISOR,
		.landlock = SBX_LL_TCP_BIND,
		.kernel = "supervisor: bind addresses checked against the list",
	},
	[SBX_RULE_NET_DNS] = {
		.id = SBX_RULE_NET_DNS, .name = "network.dns",
		.section = "network", .key = "dns", .kind = SBX_RK_BOOL, .offset = AT(net.dns),
		.explain = "name resolution", .method = "dns",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP,
	},
	[SBX_RULE_SPAWN] = {
		.id = SBX_RULE_SPAWN, .name = "process.spawn",
		.section = "process", .key = "spawn", .kind = SBX_RK_BOOL, .offset = AT(process.spawn),
		.explain = "starting programs and forking (threads are always allowed)", .method = "spawn",
		.learn = SBX_LEARN_SPAWN,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP,
	},
	[SBX_RULE_EXEC_ALLOW] = {
		.id = SBX_RULE_EXEC_ALLOW, .name = "process.exec_allow",
		.section = "process", .key = "exec_allow", .kind = SBX_RK_PATHS,
		.offset = AT(process.exec_allow), .requires = SBX_RULE_SPAWN,
		.explain = "may start only", .none = "any program it can read", .method = "spawn",
		.learn = SBX_LEARN_EXEC, .fill = SBX_FILL_PATH,
		.layers = SBX_BY_HOOK | SBX_BY_LANDLOCK | SBX_BY_SUPERVISOR, .landlock = SBX_LL_EXEC,
		.kernel = "supervisor: execve's program checked against the list",
	},
	[SBX_RULE_SIGNAL] = {
		.id = SBX_RULE_SIGNAL, .name = "process.signal_others",
		.section = "process", .key = "signal_others", .kind = SBX_RK_BOOL,
		.offset = AT(process.signal_others),
		.explain = "signals to processes outside the sandbox", .method = "signal_others",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP | SBX_BY_LANDLOCK | SBX_BY_NAMESPACE,
		.landlock = SBX_LL_SIGNAL,
		.kernel = "namespace: a PID namespace, where other processes cannot be named",
	},
	[SBX_RULE_CTYPES] = {
		.id = SBX_RULE_CTYPES, .name = "native.ctypes",
		.section = "native", .key = "ctypes", .kind = SBX_RK_BOOL, .offset = AT(native.ctypes),
		.explain = "ctypes", .method = "ctypes",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP,
	},
	[SBX_RULE_EXTENSIONS] = {
		.id = SBX_RULE_EXTENSIONS, .name = "native.extensions",
		.section = "native", .key = "extensions", .kind = SBX_RK_EXTENSIONS,
		.offset = AT(native.ext_list),
		.explain = "C extensions", .method = "extensions",
		.learn = SBX_LEARN_EXTENSION, .fill = SBX_FILL_MODULE,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_IMPORTS] = {
		.id = SBX_RULE_IMPORTS, .name = "imports.deny",
		.section = "imports", .key = "deny", .kind = SBX_RK_DENY_MODULES,
		.offset = AT(imports.deny),
		.explain = "denied, with their submodules", .none = "none", .method = "deny_imports",
		.learn = SBX_LEARN_UNDENY, .fill = SBX_FILL_MODULE,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_COMPILE] = {
		.id = SBX_RULE_COMPILE, .name = "code.compile",
		.section = "code", .key = "compile", .kind = SBX_RK_ACTION, .offset = AT(code.compile),
		.explain = "compile", .method = "code",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_EXEC] = {
		.id = SBX_RULE_EXEC, .name = "code.exec",
		.section = "code", .key = "exec", .kind = SBX_RK_ACTION, .offset = AT(code.exec),
		.explain = "exec", .method = "code",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_INTROSPECTION] = {
		.id = SBX_RULE_INTROSPECTION, .name = "code.introspection",
		.section = "code", .key = "introspection", .kind = SBX_RK_ACTION,
		.offset = AT(code.introspection),
		.explain = "introspection", .method = "code",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_TRACING] = {
		.id = SBX_RULE_TRACING, .name = "code.tracing",
		.section = "code", .key = "tracing", .kind = SBX_RK_ACTION, .offset = AT(code.tracing),
		.explain = "tracing", .method = "code",
		.learn = SBX_LEARN_SET,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_EVENTS] = {
		.id = SBX_RULE_EVENTS, .name = "events",
		.section = "events", .kind = SBX_RK_EVENTS,
		.explain = "events (checked first, in order; the first match decides)", .method = "event",
		.learn = SBX_LEARN_EVENT_RULE, .fill = SBX_FILL_EVENT,
		.layers = SBX_BY_HOOK,
	},
	[SBX_RULE_SYSTEM] = {
		.id = SBX_RULE_SYSTEM, .name = "system",
		.explain = "host and kernel changes, never allowed",
		.learn = SBX_LEARN_NEVER,
		.layers = SBX_BY_HOOK | SBX_BY_SECCOMP | SBX_BY_SUPERVISOR,
	},
};

const struct sbx_rule_info *sbx_rule_info(enum sbx_rule r)
{
	return (unsigned)r < SBX_RULE__COUNT ? &sbx_rules[r] : &sbx_rules[SBX_RULE_NONE];
}

const char *sbx_rule_name(enum sbx_rule r)
{
	if ((unsigned)r >= SBX_RULE__COUNT || !sbx_rules[r].name)
		return "unknown";
	return sbx_rules[r].name;
}

bool sbx_rule_bool(const struct sbx_policy *p, enum sbx_rule r)
{
	const struct sbx_rule_info *ri = sbx_rule_info(r);

	if (ri->kind != SBX_RK_BOOL)
		return false;
	return *(const bool *)((const char *)p + ri->offset);
}

enum sbx_action sbx_rule_action(const struct sbx_policy *p, enum sbx_rule r)
{
	const struct sbx_rule_info *ri = sbx_rule_info(r);

	if (ri->kind != SBX_RK_ACTION)
		return SBX_DENY;
	return *(const enum sbx_action *)((const char *)p + ri->offset);
}

const struct sbx_strv *sbx_rule_strv(const struct sbx_policy *p, enum sbx_rule r)
{
	static const struct sbx_strv empty;
	const struct sbx_rule_info *ri = sbx_rule_info(r);

	if (ri->kind != SBX_RK_PATHS && ri->kind != SBX_RK_DENY_MODULES && ri->kind != SBX_RK_EXTENSIONS)
		return &empty;
	return (const struct sbx_strv *)((const char *)p + ri->offset);
}

const struct sbx_net_rule *sbx_rule_addrs(const struct sbx_policy *p, enum sbx_rule r, size_t *n)
{
	const struct sbx_rule_info *ri = sbx_rule_info(r);

	*n = 0;
	if (ri->kind != SBX_RK_ADDRS)
		return NULL;
	*n = *(const size_t *)((const char *)p + ri->count_offset);
	return *(struct sbx_net_rule *const *)((const char *)p + ri->offset);
}

enum sbx_action sbx_action_effective(const struct sbx_policy *p, enum sbx_action a)
{
	return a == SBX_DENY ? sbx_policy_deny_action(p) : a;
}

void sbx_rule_setting(const struct sbx_policy *p, enum sbx_rule rule, size_t clause,
		      char *buf, size_t len)
{
	const struct sbx_rule_info *ri = sbx_rule_info(rule);

	switch (ri->kind) {
	case SBX_RK_BOOL:
		snprintf(buf, len, "%s = false", ri->name);
		break;
	case SBX_RK_ACTION:
		snprintf(buf, len, "%s = %s", ri->name, sbx_action_name(sbx_rule_action(p, rule)));
		break;
	case SBX_RK_PATHS:
	case SBX_RK_ADDRS:
		snprintf(buf, len, "not in %s", ri->name);
		break;
	case SBX_RK_DENY_MODULES:
		snprintf(buf, len, "%s", ri->name);
		break;
	case SBX_RK_EXTENSIONS:
		snprintf(buf, len, "%s = %s", ri->name,
			 p->native.extensions == SBX_EXT_LIST ? "[...]" : "\"stdlib\"");
		break;
	case SBX_RK_NETWORK:
		snprintf(buf, len, sbx_policy_no_network(p) ? "network: none" : "%s", ri->name);
		break;
	case SBX_RK_EVENTS:
		if (clause < p->n_events)
			snprintf(buf, len, "events[%zu]: %s %s", clause,
				 p->events[clause].name ? p->events[clause].name : p->events[clause].prefix,
				 sbx_action_name(p->events[clause].action));
		else
			snprintf(buf, len, "events");
		break;
	case SBX_RK_NONE:
		snprintf(buf, len, rule == SBX_RULE_SYSTEM ? "never allowed" : "%s", sbx_rule_name(rule));
		break;
	}
}

/* A JSON string would need escapes: such a blank is not worth a hint. */
static bool plain(const char *s)
{
	for (; s && *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return s != NULL;
}

void sbx_rule_hint(enum sbx_rule rule, const char *what, char *buf, size_t len)
{
	const struct sbx_rule_info *ri = sbx_rule_info(rule);

	buf[0] = '\0';
	if (ri->fill != SBX_FILL_NONE && !(plain(what) && what[0]))
		return;
	switch (ri->kind) {
	case SBX_RK_BOOL:
		snprintf(buf, len, "allow with \"%s\": {\"%s\": true}", ri->section, ri->key);
		break;
	case SBX_RK_ACTION:
		snprintf(buf, len, "allow with \"%s\": {\"%s\": \"allow\"}", ri->section, ri->key);
		break;
	case SBX_RK_PATHS:
	case SBX_RK_ADDRS:
	case SBX_RK_EXTENSIONS:
		snprintf(buf, len, "allow with \"%s\": {\"%s\": [\"%s\"]}", ri->section, ri->key, what);
		break;
	case SBX_RK_DENY_MODULES:
		snprintf(buf, len, "allow with \"%s\" taken out of \"%s\": {\"%s\": [...]}", what,
			 ri->section, ri->key);
		break;
	case SBX_RK_NETWORK:
		snprintf(buf, len, "allow with \"%s\": {\"connect\": [\"HOST:PORT\"]}, or bind, or dns",
			 ri->section);
		break;
	case SBX_RK_EVENTS:
		snprintf(buf, len, "allow with \"%s\": [{\"event\": \"%s\", \"action\": \"allow\"}, ...] "
			 "first", ri->section, what);
		break;
	case SBX_RK_NONE:
		break;
	}
}
