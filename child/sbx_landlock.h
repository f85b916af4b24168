/* sbx_landlock.h: the policy's paths, ports and scopes as a Landlock
 * ruleset. The rights a policy gets are a pure function of the policy and
 * the kernel's ABI, so the supervisor names in the report exactly what the
 * child enforced. */
#ifndef SBX_LANDLOCK_H
#define SBX_LANDLOCK_H

#include <stdint.h>

#include "sbx_policy.h"

struct sbx_child_plan;

/* What a ruleset handles for (policy, abi). */
struct sbx_ll_rights {
	int abi;
	uint64_t fs;		/* handled filesystem rights */
	uint64_t net;		/* handled TCP rights (ABI 4) */
	uint64_t scoped;	/* scopes (ABI 6) */
	uint64_t read;		/* what a readable tree gets */
	uint64_t write;		/* what a writable tree gets */
	const char *net_note;	/* why a TCP right is not handled, or NULL */
};

/* The running kernel's Landlock ABI: 1..N, or -errno (ENOSYS: not built
 * in; EOPNOTSUPP: disabled at boot). */
int sbx_landlock_abi(void);
void sbx_landlock_rights(const struct sbx_policy *p, int abi, struct sbx_ll_rights *r);
/* Names of the rights in r.fs / r.net / r.scoped, for the report. */
const char *sbx_landlock_fs_right_name(unsigned bit);
const char *sbx_landlock_net_right_name(unsigned bit);
const char *sbx_landlock_scope_name(unsigned bit);

/* In the child, while it still may open every path of the policy (before
 * it leaves root): build the ruleset into *out. 0, or -errno with *what
 * naming the path or step that failed. */
int sbx_landlock_build(const struct sbx_child_plan *plan, int abi, int *out, const char **what);
/* After no_new_privs, once the interpreter is up: enforce and close
 * (with ABI 7, refusals are logged for the kernel's audit). */
int sbx_landlock_enforce(int ruleset, int abi);

#endif
