/* sbx_channel.h: the one record child and supervisor exchange, one per
 * send() on a SOCK_SEQPACKET socketpair. Fixed size, no pointers, versioned;
 * the supervisor validates every field of every record it receives.
 *
 * The program can write to the channel too (it shares the process), so a
 * record proves nothing by its form alone: it carries the run's key (16
 * random bytes the program has no Python API to read; docs/threat-model.md
 * says when native code can) and a per-process sequence number, so that
 * forged, lost, repeated or reordered records are seen and counted. */
#ifndef SBX_CHANNEL_H
#define SBX_CHANNEL_H

#include <stdint.h>

#define SBX_CHAN_VERSION 2
#define SBX_CHAN_KEY_LEN 16

enum sbx_chan_type {
	SBX_CHAN_EVENT = 1,	/* an audit event the policy denies or logs */
	SBX_CHAN_SETUP_FAIL,	/* a set-up step failed: step, err */
	SBX_CHAN_READY,		/* confined; user code runs next. flags: layers */
	SBX_CHAN_LAYER_FAIL,	/* an optional layer could not be set up: step, err,
				   detail; the run goes on without it */
	SBX_CHAN__COUNT
};

/* Set-up steps, in the order the child takes them; the supervisor turns a
 * failure into text (the child does no formatting before it is confined). */
enum sbx_step {
	SBX_STEP_FDS = 1, SBX_STEP_STDIO, SBX_STEP_SESSION, SBX_STEP_CHDIR, SBX_STEP_PDEATHSIG,
	SBX_STEP_RLIMITS, SBX_STEP_NO_NEW_PRIVS, SBX_STEP_CAPS, SBX_STEP_HOOK,
	SBX_STEP_PYTHON_CONFIG, SBX_STEP_PYTHON_INIT, SBX_STEP_PYTHON_PATH, SBX_STEP_SECCOMP,
	SBX_STEP_LANDLOCK, SBX_STEP_IDMAP,
	SBX_STEP__COUNT
};

/* READY flags: what the child put in force. */
#define SBX_READY_AUDIT		(1u << 0)
#define SBX_READY_NO_NEW_PRIVS	(1u << 1)
#define SBX_READY_CAPS		(1u << 2)
#define SBX_READY_CAPS_BOUND	(1u << 3)	/* the bounding set was emptied too */
#define SBX_READY_SECCOMP	(1u << 4)	/* the filter is loaded */
#define SBX_READY_SECCOMP_NOTIFY (1u << 5)	/* ...and its listener rides on this record
						   (SCM_RIGHTS) */
#define SBX_READY_LANDLOCK	(1u << 6)	/* the ruleset is enforced */
#define SBX_READY_PRIVATE_SHM	(1u << 7)	/* /dev/shm is a private tmpfs */
/* Bits 16-19: the mount view (SBX_VIEW_*, child/sbx_ns.h). */

struct sbx_chan_rec {
	uint16_t version;
	uint16_t type;		/* enum sbx_chan_type */
	uint32_t pid;
	uint32_t rule;		/* enum sbx_rule */
	uint32_t action;	/* enum sbx_action */
	uint32_t clause;	/* events[N] when rule is SBX_RULE_EVENTS */
	int32_t err;		/* errno, for SETUP_FAIL */
	uint32_t step;		/* enum sbx_step for SETUP_FAIL; flags for READY */
	uint32_t seq;		/* EVENT: 1, 2, ... per process (restarts in a
				   fork's child); 0 for the set-up records */
	uint32_t tid;		/* EVENT: the sending thread, as gettid() says */
	uint16_t event_len;	/* bytes used in each buffer; none NUL-terminated */
	uint16_t where_len;
	uint16_t detail_len;
	uint16_t args_len;
	uint8_t key[SBX_CHAN_KEY_LEN];	/* the run's key, in every record */
	char event[128];	/* the audit event's name */
	char where[256];	/* "file.py:12", the innermost Python frame */
	char detail[256];	/* what was refused, for one line on stderr */
	char args[3396];	/* the arguments as a JSON array, rendered safely */
};
_Static_assert(sizeof(struct sbx_chan_rec) == 4096, "channel ABI changed: bump SBX_CHAN_VERSION");

#endif
