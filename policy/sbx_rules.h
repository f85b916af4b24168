/* sbx_rules.h: the rule registry. One row per rule id says everything a
 * layer or a tool needs to know about the rule: its policy key, how to
 * read "is this allowed" from struct sbx_policy, how it is worded
 * (setting, hint, --explain), how --learn widens it, and which layers
 * enforce it. The hook's event table and the seccomp table name rules by
 * id; everything else derives from these rows (docs/architecture.md,
 * "Adding a rule"). tests/unit/test_rules.c walks every id through every
 * consumer. */
#ifndef SBX_RULES_H
#define SBX_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "sbx_policy.h"

/* The shape of a rule's policy value: decides how it is parsed, written
 * back (--show-policy), worded and hinted. */
enum sbx_rule_kind {
	SBX_RK_NONE = 0,	/* no key of its own (system: never allowed) */
	SBX_RK_BOOL,		/* true allows; a bool in struct sbx_policy */
	SBX_RK_ACTION,		/* allow/log/deny/kill; an enum sbx_action */
	SBX_RK_PATHS,		/* a list of paths: what is listed is allowed */
	SBX_RK_ADDRS,		/* a list of host:port */
	SBX_RK_DENY_MODULES,	/* a list of modules: what is listed is refused */
	SBX_RK_EXTENSIONS,	/* "stdlib", "any" or a list of modules */
	SBX_RK_NETWORK,		/* the network section as a whole */
	SBX_RK_EVENTS,		/* events[N], the user's own rules */
};

/* How --learn widens a policy after a denial of the rule. */
enum sbx_learn {
	SBX_LEARN_NEVER = 0,	/* nothing can allow it: noted only */
	SBX_LEARN_SET,		/* bool: true; action: "log" */
	SBX_LEARN_SPAWN,	/* spawn = true, and the program as for EXEC */
	SBX_LEARN_READ,		/* the path, collapsed to a tree, into the list */
	SBX_LEARN_WRITE,	/* likewise, into a writable tree */
	SBX_LEARN_EXEC,		/* the program into the list */
	SBX_LEARN_ADDR,		/* host:port into the list */
	SBX_LEARN_UNDENY,	/* the module's entry leaves the list */
	SBX_LEARN_EXTENSION,	/* the module joins the list */
	SBX_LEARN_EVENT_RULE,	/* widen the events[N] rule, or a log rule first */
	SBX_LEARN_NOTE,		/* another clause allows it: noted, not changed */
};

/* What fills the blank of a hint ('allow with "process": {"spawn": true}'
 * needs none; a path or an address comes from the event's operands). */
enum sbx_fill { SBX_FILL_NONE = 0, SBX_FILL_PATH, SBX_FILL_ADDR, SBX_FILL_MODULE, SBX_FILL_EVENT };

/* Landlock's part in a rule, for --explain. */
enum sbx_ll_part {
	SBX_LL_NONE = 0, SBX_LL_READ, SBX_LL_WRITE, SBX_LL_EXEC, SBX_LL_TCP_CONNECT,
	SBX_LL_TCP_BIND, SBX_LL_SIGNAL, SBX_LL_SOCKET,
};

/* Which layers hold a rule. A unit test checks each bit against the
 * layer's own table (an event row, a syscall row, a Landlock part). */
enum {
	SBX_BY_HOOK = 1 << 0,		/* audit events (child/sbx_event_table.c) */
	SBX_BY_SECCOMP = 1 << 1,	/* syscalls (seccomp/table.c) */
	SBX_BY_LANDLOCK = 1 << 2,	/* Landlock rights (child/landlock.c) */
	SBX_BY_NAMESPACE = 1 << 3,	/* a namespace of the run */
	SBX_BY_SUPERVISOR = 1 << 4,	/* checked or performed by the supervisor */
};

struct sbx_rule_info {
	enum sbx_rule id;
	const char *name;	/* as reports show it: "process.spawn" */
	const char *section;	/* the policy section, NULL: none */
	const char *key;	/* the key in it, NULL: the section as a whole */
	enum sbx_rule_kind kind;
	size_t offset;		/* of the value in struct sbx_policy: a bool, an
				   enum sbx_action, a struct sbx_strv (PATHS,
				   DENY_MODULES, EXTENSIONS' list), or an array
				   of struct sbx_net_rule (ADDRS) */
	size_t count_offset;	/* ADDRS: of the array's length */
	const char *explain;	/* --explain: what the value governs, in words */
	const char *none;	/* --explain: a list's meaning when it is empty */
	enum sbx_rule requires;	/* a BOOL rule without which this one has no effect */
	const char *method;	/* the Python wrapper's PolicyBuilder method */
	enum sbx_learn learn;
	enum sbx_fill fill;
	unsigned layers;	/* SBX_BY_* */
	enum sbx_ll_part landlock;
	const char *kernel;	/* the supervisor's or a namespace's share, in words */
};

/* Rows indexed by rule id, every id from SBX_RULE_NONE to the last. */
extern const struct sbx_rule_info sbx_rules[SBX_RULE__COUNT];

/* The row of r; the SBX_RULE_NONE row when r is out of range. */
const struct sbx_rule_info *sbx_rule_info(enum sbx_rule r);

/* A BOOL rule's value under p (false for any other kind). */
bool sbx_rule_bool(const struct sbx_policy *p, enum sbx_rule r);
/* An ACTION rule's action under p (SBX_DENY for any other kind: the
 * sections only deny). */
enum sbx_action sbx_rule_action(const struct sbx_policy *p, enum sbx_rule r);

/* A list rule's entries under p (PATHS, DENY_MODULES, EXTENSIONS). */
const struct sbx_strv *sbx_rule_strv(const struct sbx_policy *p, enum sbx_rule r);
/* An ADDRS rule's entries under p; n is set to their number. */
const struct sbx_net_rule *sbx_rule_addrs(const struct sbx_policy *p, enum sbx_rule r, size_t *n);

/* What refused it, in the policy's words: "process.spawn = false". */
void sbx_rule_setting(const struct sbx_policy *p, enum sbx_rule rule, size_t clause,
		      char *buf, size_t len);

/* The policy fragment that would allow a refusal of rule, with the blank
 * (SBX_FILL_*) filled from what: 'allow with "filesystem": {"read":
 * ["/x"]}'. Empty when the rule cannot be allowed or what is missing. */
void sbx_rule_hint(enum sbx_rule rule, const char *what, char *buf, size_t len);

/* The action a "deny" takes under p's on_violation, and any action so
 * mapped: deny becomes kill under on_violation: kill. */
enum sbx_action sbx_action_effective(const struct sbx_policy *p, enum sbx_action a);

#endif
