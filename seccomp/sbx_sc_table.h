/* seccomp/sbx_sc_table.h: the syscall tables' row format, shared by the
 * filter builder, the classifier and --explain inside seccomp/ only. */
#ifndef SBX_SC_TABLE_H
#define SBX_SC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sbx_policy.h"
#include "sbx_rules.h"

/* When a row's syscall (with its argument conditions) is allowed. */
enum sbx_sc_when {
	SC_ALWAYS = 1,		/* whatever the policy says */
	SC_NEVER,		/* the always-denied set: EPERM and reported, or kill */
	SC_ENOSYS,		/* answered ENOSYS in the kernel, silently (clone3) */
	SC_IF_RULE,		/* the row's rule, a boolean of the policy, is
				   true (sbx_rule_bool): process.spawn,
				   process.signal_others, network.dns, ... */
	SC_IF_NET,		/* some network rule exists */
	SC_IF_CONNECT,		/* network.connect non-empty, or dns */
	SC_IF_BIND,		/* network.bind non-empty */
	SC_IF_WRITE,		/* some tree is writable: filesystem.write or tmp */
	SC_IF_NATIVE,		/* native.ctypes, or native.extensions "any": the
				   program may run native code of its own anyway */
	SC_IF_MEMFD,		/* SC_IF_NATIVE, and not SBX_SC_MEMFD_UNBOUNDED */
	SC_CHECK_WRITE,		/* a write by path or descriptor: always reaches the
				   supervisor, which lets it continue to Landlock when
				   the target is in a writable tree and refuses (and
				   reports) it otherwise; without a listener, as
				   SC_IF_WRITE */
	SC_CHECK_EXEC,		/* execve/execveat: with the row's rule (spawn)
				   true and an exec_allow list the supervisor checks
				   the program (continue, or refuse); spawn without a
				   list: allowed; no spawn: refused */
	SC_EBADF,		/* refused with EBADF, without a record: descriptor
				   3 is sandboxpy's channel, not the program's */
	SC_CHECK_NET,		/* an addressed socket call (connect, bind, sendto to
				   an address): with network rules the supervisor
				   checks the address (continue or refuse); without,
				   refused. Without a listener, as SC_IF_CONNECT or
				   SC_IF_BIND */
	SC__COUNT
};

/* One argument condition. Allow conditions compare all 64 bits (EQ) or
 * masked bits (MASKED_EQ) and so fail closed when a caller sets the upper
 * half; EXCEPT32 allows every 32-bit value but those listed, whatever the
 * upper half holds (the kernel truncates int arguments). */
enum sbx_sc_op { SC_EQ = 1, SC_MASKED_EQ, SC_ANY_BIT, SC_EXCEPT32, SC_IN32, SC_GE32 };

/* Stands for the channel's descriptor number in a row (3, or 4 nested);
 * replaced when the filter is built or a refusal classified. */
#define SC_CHAN 0x5ca11ab1eULL

struct sbx_sc_arg {
	uint8_t arg;
	uint8_t op;
	uint64_t mask;
	uint64_t val[3];	/* val[0] for EQ/MASKED_EQ; up to 3 for EXCEPT32 */
	uint8_t n_val;
};

struct sbx_sc_row {
	const char *syscall;
	enum sbx_rule rule;	/* SBX_RULE_NONE: plain runtime needs, no rule */
	enum sbx_sc_when when;
	const char *cond;	/* the argument condition in words, or NULL */
	uint8_t n_arg;
	struct sbx_sc_arg a[2];
};

struct sbx_sc_group {
	const char *name;
	const struct sbx_sc_row *rows;
	size_t n;
};

extern const struct sbx_sc_group sbx_sc_groups[];
extern const size_t sbx_sc_n_groups;

#endif
