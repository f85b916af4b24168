/* sbx_channel.h: every message that crosses a process boundary, each with
 * static asserts on its layout: the channel record (below), the seccomp
 * filter the supervisor sends the child, the go byte, and the worker's
 * events and result (sbx_run from a threaded host).
 *
 * The channel record is the one the child and supervisor exchange, one per
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

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sandboxpy.h"

#define SBX_CHAN_VERSION 3
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
/* Bits 16-21: the mount view (SBX_VIEW_*, child/sbx_ns.h). */

/* What an event is about, as data beside the human detail: the hints and
 * --learn read these fields, never the detail's words. The kind says
 * which fields an event may carry; every other field is empty. */
enum sbx_operand_kind {
	SBX_OPK_NONE = 0,	/* the detail only */
	SBX_OPK_PATH,		/* path: the one the rule judged (absolute once
				   resolved); path2: the other path of a two-path
				   operation (rename, copy, link) */
	SBX_OPK_ADDR,		/* host and port */
	SBX_OPK_MODULE,		/* module; path: the extension file, when one */
	SBX_OPK_PROGRAM,	/* program (as named, found on PATH when bare); argv */
	SBX_OPK__COUNT
};

#define SBX_OPERAND_MAX_ARGC 256
#define SBX_OPF_PORT (1u << 0)	/* port holds one (an all-zero operand is empty) */

/* The fields, in the order they lie in text[]. */
enum sbx_operand_field {
	SBX_OP_PATH, SBX_OP_PATH2, SBX_OP_HOST, SBX_OP_MODULE, SBX_OP_PROGRAM, SBX_OP_ARGV,
	SBX_OP__COUNT
};

/* Fixed size, no pointers. The fields lie one after the other in text[],
 * len[] bytes each, none NUL-terminated except argv's strings (argc of
 * them, each ending in NUL). One shared buffer, not one per field: the
 * whole record must fit the smallest send buffer the program can set on
 * the channel (below). A value that does not fit whole is left out
 * (length 0): a cut path would name another file. Shared by channel
 * records (the hook fills it) and kernel-denial records (notify.c). */
struct sbx_operand {
	uint16_t kind;		/* enum sbx_operand_kind */
	uint16_t argc;
	uint16_t port;		/* ADDR, with SBX_OPF_PORT */
	uint16_t flags;		/* SBX_OPF_* */
	uint16_t len[SBX_OP__COUNT];
	uint8_t reserved[4];	/* zero */
	char text[1256];
};
_Static_assert(sizeof(struct sbx_operand) == 1280, "operand ABI changed: bump SBX_CHAN_VERSION");
_Static_assert(offsetof(struct sbx_operand, text) == 24, "operand header changed: bump SBX_CHAN_VERSION");

/* Empty, of kind k: the header only (text counts by length). */
static inline void sbx_operand_reset(struct sbx_operand *op, enum sbx_operand_kind k)
{
	memset(op, 0, offsetof(struct sbx_operand, text));
	op->kind = (uint16_t)k;
}

/* Where field f starts in text[]. */
static inline size_t sbx_operand_off(const struct sbx_operand *op, enum sbx_operand_field f)
{
	size_t off = 0;

	for (int i = 0; i < (int)f; i++)
		off += op->len[i];
	return off;
}

/* s (a C string), whole, as field f (not argv): its length, or 0 when it
 * does not fit, or when a later field is set already (fields are set in
 * order; setting the last one set again replaces it). */
static inline uint16_t sbx_operand_set(struct sbx_operand *op, enum sbx_operand_field f, const char *s)
{
	size_t off = sbx_operand_off(op, f), n = s ? strlen(s) : 0;

	op->len[f] = 0;
	for (int i = (int)f + 1; i < SBX_OP__COUNT; i++)
		if (op->len[i])
			return 0;
	if (f == SBX_OP_ARGV || n > sizeof(op->text) - off)
		return 0;
	memcpy(op->text + off, s, n);
	op->len[f] = (uint16_t)n;
	return op->len[f];
}

/* One more argv string of n bytes; false when it does not fit (the caller
 * drops argv whole: sbx_operand_drop_argv). */
static inline bool sbx_operand_add_arg(struct sbx_operand *op, const char *s, size_t n)
{
	size_t off = sbx_operand_off(op, SBX_OP_ARGV) + op->len[SBX_OP_ARGV];

	if (op->argc >= SBX_OPERAND_MAX_ARGC || n + 1 > sizeof(op->text) - off || memchr(s, 0, n))
		return false;
	memcpy(op->text + off, s, n);
	op->text[off + n] = '\0';
	op->len[SBX_OP_ARGV] = (uint16_t)(op->len[SBX_OP_ARGV] + n + 1);
	op->argc++;
	return true;
}

static inline void sbx_operand_drop_argv(struct sbx_operand *op)
{
	op->argc = 0;
	op->len[SBX_OP_ARGV] = 0;
}

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
	char args[2116];	/* the arguments as a JSON array, rendered safely */
	struct sbx_operand op;	/* EVENT: what was judged, as data */
};
_Static_assert(sizeof(struct sbx_chan_rec) == 4096, "channel ABI changed: bump SBX_CHAN_VERSION");
_Static_assert(offsetof(struct sbx_chan_rec, op) == 2816, "channel ABI changed: bump SBX_CHAN_VERSION");
/* The program can shrink the channel's send buffer to its minimum (4608
 * bytes on Linux, of which a SOCK_SEQPACKET message may use 4576): a
 * record must still go in one send. */
_Static_assert(sizeof(struct sbx_chan_rec) <= 4576, "a record must fit the smallest send buffer");

/* ---- the go byte: supervisor to child, on the channel ---- */

/* After READY, once the sandbox is in its cgroups: the program may start.
 * Nothing else is ever sent that way; EOF means the supervisor is gone. */
#define SBX_CHAN_GO 'g'

/* ---- the seccomp filter: supervisor to child, on the channel ---- */

/* One SOCK_SEQPACKET message, sent before the child is confined
 * (seccomp/filter.c): this header, then n_notify and n_plain BPF
 * instructions. The child checks the magic and that the length adds up. */
struct sbx_filter_msg {
	uint32_t magic;		/* SBX_FILTER_MAGIC */
	uint32_t n_notify;	/* instructions of the filter with the listener */
	uint32_t n_plain;	/* of the filter without (0: none) */
	uint32_t rules;		/* rules compiled, for the report */
};
#define SBX_FILTER_MAGIC 0x5bf17e12u
#define SBX_FILTER_MAX 4096		/* BPF_MAXINSNS */
_Static_assert(sizeof(struct sbx_filter_msg) == 16, "filter message changed: change SBX_FILTER_MAGIC");
_Static_assert(sizeof(struct sock_filter) == 8, "BPF instructions are 8 bytes");

/* ---- the worker: worker to caller, on two pipes (run.c) ---- */

/* While the run lasts, each event (for on_event) or message (for
 * on_message) as it comes: this header, then len bytes of text. */
struct sbx_worker_note {
	uint32_t what;		/* SBX_WORKER_EVENT, or SBX_WORKER_MESSAGE + enum sbx_msg_kind */
	uint32_t len;
};
#define SBX_WORKER_EVENT 0u
#define SBX_WORKER_MESSAGE 1u
_Static_assert(sizeof(struct sbx_worker_note) == 8, "worker note changed");

/* At the end: this, then report_len bytes of the report. The worker is the
 * caller's own fork, so the structs travel as they are; res.report_json
 * is a pointer of the worker's, never read on the other side. */
struct sbx_worker_result {
	int32_t code;		/* run_here's return */
	uint32_t report_len;
	struct sbx_result res;
	struct sbx_error err;
};
_Static_assert(offsetof(struct sbx_worker_result, res) == 8, "worker result changed");
_Static_assert(offsetof(struct sbx_worker_result, err) == 8 + sizeof(struct sbx_result),
	       "worker result changed");

/* ---- --batch: the parent and its slots (supervisor/batch.c) ---- */

/* Parent to slot: run the job whose line is in the private file <seq>.job
 * (a line may be 64 MiB, more than a datagram). */
struct sbx_slot_job {
	uint64_t seq, line;
};

/* Slot to parent: the job's end, or the one warning of a slot whose warm
 * pool did not open. */
enum { SBX_SLOT_DONE = 1, SBX_SLOT_WARN = 2 };
struct sbx_slot_msg {
	uint32_t kind;
	int32_t code;		/* SBX_SLOT_DONE: 0 passed, 1 failed, -1 no result file */
	uint64_t seq;
	char text[256];		/* SBX_SLOT_WARN: why this slot has no pool */
};
_Static_assert(sizeof(struct sbx_slot_job) == 16, "slot job changed");
_Static_assert(sizeof(struct sbx_slot_msg) == 272, "slot message changed");

/* ---- the warm pool (supervisor/pool.c, child/zygote.c) ---- */

/* The zygote, once its interpreter is up, sends one sbx_zygote_rep (pid:
 * its own, err 0). Then per worker: the supervisor sends a request with the
 * worker's socket, and the cgroup v2 directory when into is 1, as
 * SCM_RIGHTS; the zygote clones and answers. */
struct sbx_zygote_req {
	uint32_t magic;		/* SBX_ZYGOTE_MAGIC */
	uint32_t into;		/* a second descriptor: CLONE_INTO_CGROUP there */
	uint64_t flags;		/* the run's CLONE_NEW*; nothing else */
};
struct sbx_zygote_rep {
	uint32_t magic;		/* SBX_ZYGOTE_MAGIC */
	int32_t err;		/* 0, or the clone's errno */
	int32_t pid;		/* the worker: the supervisor's child (CLONE_PARENT) */
	uint32_t into;		/* it was born in the cgroup */
};
#define SBX_ZYGOTE_MAGIC 0x5a79676fu
_Static_assert(sizeof(struct sbx_zygote_req) == 16, "zygote request changed: change SBX_ZYGOTE_MAGIC");
_Static_assert(sizeof(struct sbx_zygote_rep) == 16, "zygote reply changed: change SBX_ZYGOTE_MAGIC");

/* Supervisor to worker, on the worker's own socket: this, with as
 * SCM_RIGHTS the plan's pipe (child/blob.c, the whole plan), the channel,
 * then, in the order of the bits, each descriptor have lists. */
struct sbx_warm_msg {
	uint32_t magic;		/* SBX_WARM_MAGIC */
	uint32_t have;		/* SBX_WARM_* */
	uint64_t sigmask;	/* the signal mask a fresh child would start with */
	uint32_t umask;		/* and its file mode creation mask */
	uint32_t pad;
};
#define SBX_WARM_MAGIC 0x5761726du
enum {
	SBX_WARM_STDIN = 1u << 0, SBX_WARM_STDOUT = 1u << 1, SBX_WARM_STDERR = 1u << 2,
	SBX_WARM_IDMAP = 1u << 3,	/* the idmap's user namespace */
	SBX_WARM_SYNC = 1u << 4,	/* the init's "go" pipe, read end */
	SBX_WARM_STATUS = 1u << 5,	/* the init's status pipe, write end */
	SBX_WARM_JOIN0 = 1u << 6,	/* the v1 groups' tasks files, three */
	SBX_WARM_JOINED = 1u << 9,	/* closed once joined */
	SBX_WARM_ALL = (1u << 10) - 1,
};
#define SBX_WARM_MAX_FDS 12
_Static_assert(sizeof(struct sbx_warm_msg) == 24, "warm message changed: change SBX_WARM_MAGIC");

#endif
