/* seccomp/sbx_seccomp.h: the policy as a seccomp filter. The supervisor
 * compiles the filter before fork (both its forms: with user notification,
 * and the plain-errno fallback); the child loads it as its last step; the
 * supervisor classifies each notified syscall by the same table. */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sandboxpy.h"
#include "sbx_policy.h"

struct sbx_seccomp;

/* Facts of this run the filter depends on, beside the policy. */
#define SBX_SC_MEMFD_UNBOUNDED 1u	/* memory_mb is held by RLIMIT_AS alone: no
					   memfd, whose pages take no address space */

/* Builds both BPF programs for p; chan is the descriptor number of the
 * channel to the supervisor in the child, which the program may not close
 * or replace; flags are SBX_SC_*. 0 or -errno with err filled. */
int sbx_seccomp_build(const struct sbx_policy *p, int chan, unsigned flags, struct sbx_seccomp **out,
		      struct sbx_error *err);
void sbx_seccomp_free(struct sbx_seccomp *f);

/* The built programs as one message on a SOCK_SEQPACKET socket: the
 * supervisor builds the filter while the child starts its interpreter,
 * and the child receives it just before loading it (run.c). 0 or -errno;
 * recv allocates *out (sbx_seccomp_free). */
int sbx_seccomp_send(const struct sbx_seccomp *f, int sock);
int sbx_seccomp_recv(int sock, struct sbx_seccomp **out);

/* Rules in the filter (libseccomp rules added), for the report. */
unsigned sbx_seccomp_rule_count(const struct sbx_seccomp *f);
/* BPF instructions of the program loaded with a listener (notify) or of
 * the errno-only one loaded without, for --verbose. */
unsigned sbx_seccomp_insn_count(const struct sbx_seccomp *f, bool notify);

/* In the child, after no_new_privs: load the filter. *listener gets the
 * user-notification descriptor, or -1 when the kernel refused one and the
 * errno-only program was loaded instead. Only raw syscalls: safe after fork. */
int sbx_seccomp_load(const struct sbx_seccomp *f, int *listener);

/* What the table says about a syscall the filter did not allow. */
struct sbx_sc_verdict {
	enum sbx_rule rule;	/* the rule id; SBX_RULE_SYSTEM for the always-denied set */
	int err;		/* errno to answer: EPERM, or ENOSYS for unknown syscalls */
	bool kill;		/* on_violation is kill and this is a rule denial */
	bool unknown;		/* not in any table */
	bool quiet;		/* answer err, record nothing (the channel's fd) */
	bool check_write;	/* a write by path: the supervisor checks the target
				   against the writable trees (continue, or refuse) */
	bool check_net;		/* an addressed socket call: the supervisor checks
				   the address against the policy */
	bool check_exec;	/* a program to start: checked against exec_allow */
	char name[32];		/* syscall name, or "syscall_N" */
	const char *why;	/* the clause, for one line on stderr */
};
void sbx_seccomp_classify(const struct sbx_policy *p, int chan, int nr, const uint64_t args[6],
			  struct sbx_sc_verdict *v);

/* --explain: per rule id, the syscalls allowed, denied and killed. */
void sbx_seccomp_explain(const struct sbx_policy *p, FILE *out);

/* --explain --bpf: libseccomp's pseudo-filter code of the notify program. */
/* The syscalls the filter refuses, checks or allows only by the policy
 * under rule, comma-separated (--explain per clause). */
void sbx_seccomp_rule_calls(const struct sbx_policy *p, enum sbx_rule rule, char *buf, size_t len);
int sbx_seccomp_export_pfc(const struct sbx_policy *p, int fd, struct sbx_error *err);

/* The writes by path or descriptor the supervisor checks (table.c). */
enum sbx_sc_act {
	SBX_ACT_NONE = 0,	/* Landlock holds it: the call continues to the kernel */
	SBX_ACT_CHMOD,		/* performed by the supervisor: mode in arg a */
	SBX_ACT_CHOWN,		/* uid in a, gid in b */
	SBX_ACT_UTIME,		/* struct utimbuf * in a */
	SBX_ACT_UTIMES,		/* struct timeval[2] in a */
	SBX_ACT_UTIMENS,	/* struct timespec[2] in a */
	SBX_ACT_SETX,		/* name in a, value in b, size b + 1 */
	SBX_ACT_RMX,		/* name in a */
};
/* Operand kinds (ops): d a directory descriptor for the next path, p a
 * path whose last symlink is followed, n one whose last component is the
 * object itself, P a path that may be NULL (then the descriptor before it
 * is the object), F a descriptor, s a string that is not a path. */
struct sbx_sc_write {
	const char *name;
	const char *ops;
	int8_t flags;		/* the flags argument, -1: none */
	uint32_t known;		/* every flag the kernel accepts that the row describes */
	uint32_t nofollow;	/* flag: the first path's last symlink is the object */
	uint32_t follow;	/* flag: ... is followed (linkat) */
	uint32_t empty;		/* flag: an empty first path names its descriptor */
	enum sbx_sc_act act;
	int8_t a, b;		/* the act's arguments */
};
extern const struct sbx_sc_write sbx_sc_writes[];
extern const size_t sbx_sc_n_writes;

/* How a refused call's arguments are shown in its record, one letter per
 * argument (table.c): p path, i int, x hex, f family, t socket type, a
 * address (length next), - skipped. */
const char *sbx_sc_arg_kinds(const char *name);

#endif
