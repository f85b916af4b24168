/* sbx_policy.h: the one immutable model of a policy (policy.md v1), built
 * before fork and read by every layer. Paths are absolute and normalised,
 * host names resolved, defaults filled in; nothing here needs a syscall. */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "sandboxpy.h"

enum sbx_action { SBX_ALLOW = 0, SBX_LOG, SBX_DENY, SBX_KILL, SBX_ACTION__COUNT };

/* Rule ids: one per policy clause, shared by every layer so the supervisor
 * can line up audit and kernel denials. Names are what reports show. */
enum sbx_rule {
	SBX_RULE_NONE = 0,
	SBX_RULE_FS_READ,		/* filesystem.read */
	SBX_RULE_FS_WRITE,		/* filesystem.write */
	SBX_RULE_NET_SOCKET,		/* network.socket: any network use */
	SBX_RULE_NET_CONNECT,		/* network.connect */
	SBX_RULE_NET_BIND,		/* network.bind */
	SBX_RULE_NET_DNS,		/* network.dns */
	SBX_RULE_SPAWN,			/* process.spawn */
	SBX_RULE_EXEC_ALLOW,		/* process.exec_allow */
	SBX_RULE_SIGNAL,		/* process.signal_others */
	SBX_RULE_CTYPES,		/* native.ctypes */
	SBX_RULE_EXTENSIONS,		/* native.extensions */
	SBX_RULE_IMPORTS,		/* imports.deny */
	SBX_RULE_COMPILE,		/* code.compile */
	SBX_RULE_EXEC,			/* code.exec */
	SBX_RULE_INTROSPECTION,		/* code.introspection */
	SBX_RULE_TRACING,		/* code.tracing */
	SBX_RULE_EVENTS,		/* events[N] */
	SBX_RULE_SYSTEM,		/* always denied: host and kernel changes */
	SBX_RULE__COUNT
};

const char *sbx_rule_name(enum sbx_rule r);
const char *sbx_action_name(enum sbx_action a);
int sbx_action_parse(const char *s, enum sbx_action *out);

/* "host:port" of network.connect / network.bind, host resolved at load. */
#define SBX_NET_MAX_ADDRS 16
struct sbx_net_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* network byte order; 4 bytes used for v4 */
};
struct sbx_net_rule {
	char *text;			/* as written, for messages and --show-policy */
	char *host;			/* as written, without brackets */
	bool is_name;			/* host was a name, resolved at load */
	bool any_port;			/* "*" */
	uint16_t port;
	size_t n_addrs;
	struct sbx_net_addr addrs[SBX_NET_MAX_ADDRS];
};

struct sbx_event_rule {
	char *name;			/* exactly one of name and prefix */
	char *prefix;
	enum sbx_action action;
	bool has_unless;
	size_t unless_index;
	char **unless_in;
	size_t n_unless_in;
};

enum sbx_ext_mode { SBX_EXT_STDLIB = 0, SBX_EXT_ANY, SBX_EXT_LIST };

/* Limits: a negative value means unlimited (JSON null). */
struct sbx_limits {
	double cpu_seconds;
	double wall_seconds;
	double memory_mb;
	long tasks;
	long open_files;
	double file_size_mb;
	double stack_mb;		/* RLIMIT_STACK */
	double extra_seconds;		/* grace past cpu and wall, >= 0 (never unlimited) */
};

struct sbx_strv {
	char **v;
	size_t n;
};

struct sbx_env_var {
	char *key, *value;
};

struct sbx_policy {
	char *name;
	char *source;			/* file path or "builtin:NAME" */
	char sha256[65];		/* of the policy text as read */
	char *cwd;			/* absolute, the sandbox working directory */

	struct {
		bool site;
		struct sbx_strv path;	/* absolute, existing */
		struct sbx_env_var *env;
		size_t n_env;
	} python;

	struct {
		struct sbx_strv read;	/* absolute, resolved, existing */
		struct sbx_strv write;	/* absolute, resolved parent */
		bool tmp;
		unsigned implicit_drop;	/* filesystem.implicit: the named
					   implicit items dropped (bits,
					   sbx_implicit_bit) */
	} fs;

	struct {
		struct sbx_net_rule *connect;
		size_t n_connect;
		struct sbx_net_rule *bind;
		size_t n_bind;
		bool dns;
	} net;

	struct {
		bool spawn;
		struct sbx_strv exec_allow;	/* absolute */
		bool signal_others;
	} process;

	struct {
		bool ctypes;
		enum sbx_ext_mode extensions;
		struct sbx_strv ext_list;
	} native;

	struct {
		struct sbx_strv deny;	/* sorted, unique */
	} imports;

	struct {
		enum sbx_action compile, exec, introspection, tracing;
	} code;

	struct sbx_event_rule *events;
	size_t n_events;

	struct sbx_limits limits;
	enum sbx_action on_violation;	/* SBX_DENY or SBX_KILL */
};

/* True when the policy grants no network at all (policy.md "network"). */
bool sbx_policy_no_network(const struct sbx_policy *p);

/* The effective action of a "deny" under on_violation. */
static inline enum sbx_action sbx_policy_deny_action(const struct sbx_policy *p)
{
	return p->on_violation == SBX_KILL ? SBX_KILL : SBX_DENY;
}

/* Modules the interpreter imports to start; imports.deny cannot name them. */
bool sbx_module_is_essential(const char *name);
/* A dotted module name of identifiers. */
bool sbx_module_name_valid(const char *name);


/* The implicit read set (policy.md "Implicit reads"), item by item. */
enum sbx_implicit_when {
	SBX_IMP_ALWAYS,		/* every run (unless filesystem.implicit drops it) */
	SBX_IMP_SITE,		/* python.site */
	SBX_IMP_DNS,		/* network.dns */
	SBX_IMP_SPAWN,		/* process.spawn */
};

struct sbx_implicit {
	const char *name;		/* filesystem.implicit's name; NULL: kept */
	enum sbx_implicit_when when;
	bool generated;			/* the sandbox's view writes its own */
	const char *why;
	const char *paths[8];		/* as the host names them; NULL-ended */
};

const struct sbx_implicit *sbx_implicit_items(size_t *n);
/* The bit of a named item in fs.implicit_drop; -1: no such name. */
int sbx_implicit_bit(const char *name);
/* Whether the item is part of p's run (site: python.site in force). */
bool sbx_implicit_applies(const struct sbx_policy *p, const struct sbx_implicit *it, bool site);

#endif
