/* sbx_llaudit.h: Landlock's audit records (AUDIT_LANDLOCK_ACCESS 1423,
 * AUDIT_LANDLOCK_DOMAIN 1424, Linux 6.15, Landlock ABI 7) as the audit
 * netlink group gives them, parsed as hostile text: the program chooses
 * the paths it opens, and any process the kernel audits shares the group.
 * Pure: no process, no allocation. */
#ifndef SBX_LLAUDIT_H
#define SBX_LLAUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SBX_AUDIT_USER 1005		/* the barrier we send ourselves */
#define SBX_AUDIT_SYSCALL 1300
#define SBX_AUDIT_LANDLOCK_ACCESS 1423
#define SBX_AUDIT_LANDLOCK_DOMAIN 1424
#define SBX_LLA_TEXT_MAX 8192		/* more than a record holds: refused */

enum sbx_lla_kind {
	SBX_LLA_ACCESS,			/* a refusal: domain, blockers, path */
	SBX_LLA_ALLOCATED,		/* a domain's first refusal: who made it */
	SBX_LLA_DEALLOCATED,		/* a domain gone: how many it refused */
	SBX_LLA_SYSCALL,		/* the call of the event: its number */
};

struct sbx_lla_rec {
	enum sbx_lla_kind kind;
	uint64_t serial;		/* the audit event: records of one share it */
	uint64_t domain;		/* ACCESS, ALLOCATED, DEALLOCATED */
	pid_t pid;			/* ALLOCATED: the landlock_restrict_self caller;
					   SYSCALL: the calling process */
	long syscall;			/* SYSCALL */
	unsigned long denials;		/* DEALLOCATED */
	char blockers[128];		/* ACCESS: "fs.read_file", comma separated */
	char path[4096];		/* ACCESS: as the kernel gives it, "" if none */
};

/* One record's text (the netlink payload, not NUL-terminated) of the
 * given type: 0 and *out filled, or -EINVAL (malformed, or a record of
 * another kind). */
int sbx_lla_parse(int type, const char *text, size_t len, struct sbx_lla_rec *out);

#endif
