/* sbx_supervisor.h: the supervisor's pieces: decoding records from the
 * (hostile) child, and writing the report and the log. */
#ifndef SBX_SUPERVISOR_H
#define SBX_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "sandboxpy.h"
#include "sbx_channel.h"
#include "sbx_policy.h"
#include "sbx_rules.h"
#include "sbx_seccomp.h"

/* An operand after validation (sbx_operand_decode): the kind in range,
 * only its own fields set, every string NUL-terminated and printable
 * UTF-8 ("" when absent). */
#define SBX_OPND_FIELD(f) char f[sizeof(((struct sbx_operand *)0)->text) + 1]
struct sbx_opnd {
	enum sbx_operand_kind kind;
	int port;			/* -1: none */
	size_t argc;
	SBX_OPND_FIELD(path);
	SBX_OPND_FIELD(path2);
	SBX_OPND_FIELD(host);
	SBX_OPND_FIELD(module);
	SBX_OPND_FIELD(program);
	SBX_OPND_FIELD(argv);		/* argc strings, each ending in NUL */
};
#undef SBX_OPND_FIELD

/* 0, or -EINVAL when in (hostile bytes) is malformed. */
int sbx_operand_decode(const struct sbx_operand *in, struct sbx_opnd *out);
/* Adds o's fields to ev, a report event: "path", "path2", "addr"
 * ("host:port", "[v6]:port"), "module", "program", "argv" (operand.c). */
void sbx_operand_json(json_t *ev, const struct sbx_opnd *o);

/* A record after validation: every string bounded and NUL-terminated,
 * printable, every number in range. */
struct sbx_decoded {
	enum sbx_chan_type type;
	pid_t pid;
	pid_t tid;			/* EVENT: the sending thread */
	uint32_t seq;			/* EVENT: >= 1; 0 otherwise */
	uint8_t key[SBX_CHAN_KEY_LEN];	/* as received: the caller compares */
	enum sbx_rule rule;
	enum sbx_action action;
	size_t clause;
	int err;
	unsigned step;
	char event[sizeof(((struct sbx_chan_rec *)0)->event) + 1];
	char where[sizeof(((struct sbx_chan_rec *)0)->where) + 1];
	char detail[sizeof(((struct sbx_chan_rec *)0)->detail) + 1];
	struct sbx_opnd op;		/* EVENT: what was judged */
	json_t *args;			/* owned; NULL unless an EVENT */
};

/* 0, or -EINVAL when the record is malformed (the caller counts it). n is
 * what recv returned with MSG_TRUNC: the real length of the message. */
int sbx_chan_decode(const struct sbx_chan_rec *rec, ssize_t n, size_t n_event_rules,
		    struct sbx_decoded *out);
void sbx_decoded_clear(struct sbx_decoded *d);

/* Whether the hook could have sent this EVENT under policy p (the program
 * can write to the channel too). */
bool sbx_event_plausible(const struct sbx_policy *p, const struct sbx_decoded *d);

/* The clause to change to allow what ev (a report event) records:
 * 'allow with "filesystem": {"write": ["/x"]}', or "" when there is none. */
void sbx_denial_hint(const struct sbx_policy *p, enum sbx_rule rule, json_t *ev, char *buf, size_t len);
/* The "host:port" a network event (audit or kernel, report form) names;
 * false when it names none. */
bool sbx_event_addr(json_t *ev, char *out, size_t len);

/* A syscall the kernel refused, as the supervisor saw and answered it. */
struct sbx_kdenial {
	pid_t tid, tgid;		/* in the supervisor's PID namespace */
	pid_t ns_tid, ns_tgid;		/* as the sandbox sees them */
	struct sbx_sc_verdict v;
	json_t *args;			/* owned */
	char detail[320];		/* "execve '/bin/sh'" */
	struct sbx_opnd op;		/* what was judged, as data */
};

/* Receives one notification from the seccomp listener fd, classifies it
 * and answers it: the table's errno, or, for a write by path whose target
 * lies under write_roots, "continue" to the kernel (Landlock decides).
 * 1 when a refusal was recorded in out, 2 when the call went on, -ENOENT
 * when the caller went away first, other -errno when the listener failed.
 * With audit_only every refusal is recorded (1) and the call goes on.
 * self_exe: sandboxpy as the program re-runs it, which may start its
 * interpreter through the ELF loader when exec_allow lists it. */
int sbx_notify_handle(int fd, const struct sbx_policy *p, int chan, const char *self_exe,
		      char *const *write_roots, bool audit_only, struct sbx_kdenial *out);

/* The run's cgroups (cgroup.c). Each controller is on only if it could be
 * set up; the rest is left to rlimits. */
struct sbx_cgroup {
	int version;			/* 1 or 2 */
	bool memory, pids, cpu;		/* in force */
	/* v2: the group's directory, to clone the child into (-1: none, or
	 * v1, where the child is migrated); into: the clone did so. */
	int into_fd;
	bool into;
	int join_fd[3];			/* v1: the groups' "tasks", for the child to join */
	/* v1: a pipe whose write end only the child holds after the clone
	 * and closes once it has joined (or tried): its end of file says
	 * "look now", and no helper is forked for a child not yet run. */
	int joined[2];
	char mem[4096], pids_dir[4096], cpu_dir[4096];
	char reason[200];		/* why none is in force */
};
void sbx_cgroup_setup(struct sbx_cgroup *cg, const struct sbx_limits *l);
int sbx_cgroup_attach(const struct sbx_cgroup *cg, pid_t pid);
/* v1: the child joins the run's groups itself, as its first act, through
 * descriptors opened before the clone (sbx_cgroup_open_join; closed in
 * the supervisor after it, sbx_cgroup_close_join). A thread moving itself
 * is the one migration the kernel makes without the threadgroup lock.
 * sbx_cgroup_join: 0 or -errno, in the child. */
void sbx_cgroup_open_join(struct sbx_cgroup *cg);
int sbx_cgroup_join(struct sbx_cgroup *cg);
void sbx_cgroup_close_join(struct sbx_cgroup *cg);
/* In the supervisor, after sbx_cgroup_close_join: until the child has
 * joined or tried (or ended), at most timeout_ms. */
void sbx_cgroup_wait_join(struct sbx_cgroup *cg, int timeout_ms);
/* Does every group in force list pid (in its cgroup.procs)? */
bool sbx_cgroup_holds(const struct sbx_cgroup *cg, pid_t pid);
double sbx_cgroup_cpu_seconds(const struct sbx_cgroup *cg);	/* -1: unknown */
long sbx_cgroup_oom_kills(const struct sbx_cgroup *cg);
long sbx_cgroup_peak_kb(const struct sbx_cgroup *cg);	/* -1: unknown */
void sbx_cgroup_destroy(struct sbx_cgroup *cg);

/* May an execve of path (read at addr in the caller's memory, relative to
 * dirfd) continue after the supervisor judged it: can nothing change what
 * the kernel reads next (stable.c)? 1 yes; 0 no, with why. */
struct sbx_caller;
int sbx_exec_path_stable(const struct sbx_caller *c, pid_t tgid, uint64_t addr, const char *path,
			 int dirfd, char *const *write_roots, const char **why);

/* CPU seconds of root and every descendant, from /proc (usage.c): the
 * whole-sandbox CPU figure where no CPU cgroup is in force. -1: unknown. */
double sbx_tree_cpu_seconds(pid_t root);
/* Resident memory of the tree plus the memfds it holds, in MB: the memory
 * figure where no memory cgroup is in force. -1: unknown. */
double sbx_tree_memory_mb(pid_t root);
/* The largest peak resident set (VmHWM) of any process of the tree, in
 * kB: the memory figure where no memory cgroup is in force, sampled while
 * the processes live (a killed tree's rusage is lost). -1: unknown. */
long sbx_tree_peak_rss_kb(pid_t root);

/* Removes a directory tree we made (the private tmp, the self-test's),
 * whatever the program put in it: depth beyond PATH_MAX, mode 000
 * directories, long names (cleanup.c). 0 or -errno (what stays, stays). */
int sbx_rmtree(const char *path);

/* The report's layers.filesystem: the mount view the child put in force
 * (ready_flags: its READY record's SBX_VIEW_* bits), for a run with a
 * private tmp or not, in a PID namespace or not. */
json_t *sbx_fs_layer_json(bool ready, unsigned ready_flags, bool tmp, bool pid_ns, bool mount_ns);

/* The library's one way to say something to a person: o->on_message,
 * or nothing when there is none (message.c). The text is one line
 * without the "sandboxpy: " prefix. */
void sbx_say(const struct sbx_run_opts *o, enum sbx_msg_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether a message of this kind would reach anyone. */
bool sbx_may_say(const struct sbx_run_opts *o, enum sbx_msg_kind kind);

/* Writes JSON to path: a regular file atomically (a temporary file in the
 * same directory, then rename), a device or FIFO in place, "-" to
 * standard output. */
int sbx_write_json_atomic(const char *path, json_t *doc);

/* A file sandboxpy writes for its caller (the report, the log, the
 * program's redirected output, batch results), checked before anything
 * runs (report.c): "-" is standard output; a character device, a FIFO, or
 * a trusted symlink to one (/dev/stdout) is written in place; anything
 * else is a regular file, replaced (the report) or truncated (a stream),
 * in a directory held open from the check on. Refused: a directory, a
 * block device, a socket, an unwritable directory, another user's entry
 * in a sticky shared directory. */
struct sbx_dest {
	bool open, in_place, fd_writable, follow;
	int failed;			/* the check's -errno, said already */
	int fd;				/* in place: O_PATH, or writable (fd_writable) */
	int dirfd;			/* otherwise: the directory, O_PATH */
	char base[256];
};
/* 0, or -errno with a message naming path and what ("the report"). */
int sbx_dest_open(const char *path, const char *what, char *const *write_roots, struct sbx_dest *d,
		  struct sbx_error *err);
/* A descriptor to write as the run goes (a log, results), or -errno. */
int sbx_dest_stream(const struct sbx_dest *d);
void sbx_dest_close(struct sbx_dest *d);

/* --self-test: whether, in the fallback without a view, a read Landlock
 * refuses to native code can be recorded (run_audit.c: a probe process
 * meets one); why not in why when not. */
bool sbx_lla_self_test(char *why, size_t len);

#endif
