/* sbx_run.h: one run's state, shared by the files of sbx_run (private to
 * supervisor/): run.c (the life cycle and the poll loop), run_channel.c
 * (records from the child), run_record.c (events and denials),
 * run_outcome.c (how the run ended), run_layers.c (what each layer put in
 * force), report.c (the report), run_stdio.c (the program's streams),
 * run_procs.c (cgroup attach, orphans, the watchdog), run_worker.c
 * (threaded hosts). */
#ifndef SBX_RUN_H
#define SBX_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "sbx_child.h"
#include "sbx_llaudit.h"
#include "sbx_supervisor.h"

/* What the report's events and --log keep (keep_event, log_line). Logs
 * go first: at most SBX_MAX_EVENTS of them. Every refusal (deny, kill,
 * bypass, --audit-only's would-deny) is kept up to a hard cap that bounds
 * the events file and the report, not the supervisor's memory (the file
 * is on disk): SBX_MAX_REFUSALS records or SBX_MAX_REFUSAL_BYTES of text,
 * a quarter of that when the file is in memory (memfd). Past the caps
 * events are counted, by action, never written. */
#define SBX_MAX_EVENTS 10000
#define SBX_MAX_LOG_EVENT_BYTES (16ull << 20)
#define SBX_MAX_REFUSALS 1000000
#define SBX_MAX_REFUSAL_BYTES (512ull << 20)
#define SBX_CPU_TICK_SLACK 0.25	/* RLIMIT_CPU's tick-sampled time vs our exact one */
#define SBX_MAX_LOG_LINES SBX_MAX_EVENTS	/* --log: logs, then one note, and a count */
#define SBX_MAX_LOG_BYTES (32ull << 20)

/* What a record did, as events_dropped_by_action counts it. */
enum sbx_kept_kind { SBX_KEPT_LOG, SBX_KEPT_DENY, SBX_KEPT_KILL, SBX_KEPT_WOULD_DENY,
		     SBX_KEPT_WOULD_KILL, SBX_KEPT_KINDS };
#define SBX_EXPLAIN_RING 64	/* recent audit "log" records a kernel denial may match */
#define SBX_MAX_DENIAL_LINES 100	/* said on the callback; the report keeps the rest */

/* An audit record that let an operation through (action log): a kernel
 * denial of the same rule from the same thread, with no other record of
 * that thread in between, is then explained. An audit *deny* explains
 * nothing: a refused operation never reaches the kernel, so a kernel
 * denial after one came by another path. */
struct explained {
	pid_t pid, tid;
	enum sbx_rule rule;
	bool used;
	char event[64];			/* for "claimed_by" when it cannot prove */
};

/* Where each process of the sandbox is in its numbering of records. */
#define SBX_SEQ_PIDS 512
struct seq_slot {
	pid_t pid;
	uint32_t next;			/* the number its next record must carry */
};

/* A thread that sleeps until the deadline and kills the sandbox: a
 * notification the supervisor is slow to answer (a path built to be
 * costly) stalls the loop, never the wall limit. */
struct watchdog {
	pthread_t th;
	int stop[2];
	int pidfd;
	pid_t pid;
	struct timespec deadline;
	atomic_bool fired;
	bool running;
};

#define SBX_HOST_KIDS 256

/* Landlock's refusals read from the kernel's audit records, in the
 * fallback without a view (run_audit.c): the run's own domain only. */
struct lla_run {
	int fd;				/* the audit multicast socket, or -1 */
	int state_fd;			/* the audit state's question, until answered; -1 */
	int bind_err;			/* the group's subscription failed: errno */
	bool ask;			/* the audit state is still to be asked */
	bool on;			/* records of this run are read */
	char reason[240];		/* why they are not, when not */
	pid_t pid;			/* our child (the restrict_self caller without a PID ns) */
	ino_t pidns;			/* its PID namespace, when it has one; 0 */
	uint64_t domain;		/* its domain, once the kernel names it; 0 */
	pid_t maker;			/* the domain's maker, numbered inside */
	struct sbx_lla_rec pending;	/* an ACCESS record, until its event ends */
	bool has_pending;
	char nonce[40];			/* the barrier's text */
	bool barrier_seen, dealloc_seen, overrun;
	bool probe;			/* --self-test's: count, record nothing */
	unsigned long recorded, junk, kernel_count;
};

struct sup {
	const struct sbx_policy *p;
	const struct sbx_run_opts *o;
	struct sbx_child_plan plan;
	pid_t pid;
	struct timespec t0;
	struct sbx_chan_rec rec;	/* the record being read: per run, so that
					   runs in several threads do not share it */
	FILE *ev_file;			/* the events kept, one per line (keep_event) */
	bool ev_in_memory;		/* ev_file is a memfd: a smaller cap */
	unsigned long n_events;
	unsigned long ev_kept[SBX_KEPT_KINDS];	/* events written, by kind */
	unsigned long long ev_log_bytes, ev_refusal_bytes;
	unsigned long dropped_by[SBX_KEPT_KINDS];	/* events not written, by kind */
	uint64_t nonce;
	FILE *log;
	unsigned long log_lines, log_omitted;
	unsigned long long log_bytes;
	unsigned long seq, denied, logged, bypass;
	unsigned long dropped;		/* events not kept (the sum of dropped_by) */
	json_t *killed_by;
	struct sbx_seccomp *sc;
	int listener;			/* seccomp user notification, from READY */
	int ll_abi;			/* Landlock ABI probed before fork, or -errno */
	char ll_reason[300];		/* why Landlock is not in force */
	unsigned long kernel_denied, lines_shown;
	struct explained ring[SBX_EXPLAIN_RING];
	unsigned ring_next;
	bool ready, setup_failed, timed_out, chan_eof;
	/* The channel's health: records lost (numbers skipped), malformed or
	 * forged packets, numbers repeated or out of order. Any of them, or a
	 * shutdown, is tampering: the run is ended and reported as such. */
	unsigned long chan_gaps, chan_junk, chan_disorder;
	bool chan_tampered;
	bool seq_overflow;		/* more processes sent than seqs[] holds */
	struct seq_slot seqs[SBX_SEQ_PIDS];
	size_t n_seqs;
	bool ns_set;			/* plan.ns holds real descriptors (or -1) */
	bool warm;			/* the child came from the warm pool */
	const char *cold_why;		/* with a pool: why this run did not */
	bool listener_lost;		/* READY said "listener" but carried none */
	int chan_no;			/* the channel's descriptor in the child */
	struct sbx_cgroup cg;
	bool cpu_exceeded;		/* the sandbox's CPU time passed the limit */
	double tree_cpu;		/* without a CPU cgroup: the last sample of the tree */
	double cpu_offset;		/* with one: CPU the tree used before it joined it */
	double cpu_last;		/* the last whole-sandbox figure, the one that decided */
	long tree_hwm_kb;		/* without a memory cgroup: the largest VmHWM sampled */
	bool mem_exceeded;		/* without a memory cgroup: the tree's measured memory */
	const char *output_reached;	/* what reached file_size_mb, as measured
					   ("the program's standard error"); NULL: nothing */
	time_t started;			/* wall clock at the start, for the write tree's mtimes */
	int out_fd[3];			/* [1], [2]: the program's streams, to measure */
	long long out_size0[3];		/* their sizes when the run started */
	int relay_rd;			/* the program's stderr pipe (setup_relay), or -1 */
	bool relay_merged;		/* its stdout goes there too */
	long long relay_cap;		/* file_size_mb on our stderr, or -1 */
	unsigned long long relay_bytes;
	bool stalled;			/* the notify-stall fault was served */
	long oom_kills;
	unsigned ready_flags;
	int setup_step, setup_err;
	char setup_detail[260];
	int got_signal;			/* SIGTERM/SIGHUP that ended the run */
	json_t *errors;
	bool sweep, restore_subreaper;	/* no PID namespace: orphans are ours */
	int chan;			/* our end of the channel */
	int chan_child;			/* the child's end, held open (drain_channel) */
	json_t *created;		/* write entries made before the run */
	long max_tasks, max_fds;	/* --audit-only: sampled peaks */
	unsigned long would;		/* --audit-only: refusals not made */
	json_t *would_by_rule;		/* rule id -> count */
	size_t n_host_kids;
	pid_t host_kids[SBX_HOST_KIDS];	/* the caller's children before the run */
	/* The watch over the running child (run.c). */
	int pidfd, sfd, ctfd;		/* the child's pidfd, a signalfd, the CPU timer */
	struct watchdog wd;
	sigset_t mask, oldmask;		/* the signals read from sfd; the caller's mask */
	bool pipe_was_pending;		/* a SIGPIPE pending before the run */
	struct rusage ru;
	int wstatus;
	bool reaped;
	struct sbx_dest report_dest;	/* --report, checked before the run (report.c) */
	struct lla_run lla;		/* Landlock's audit records (run_audit.c) */
};

/* ---- run_channel.c: the records of the child ---- */

/* Reads what the channel holds, a bounded batch; true when more may wait. */
bool sbx_drain_channel(struct sup *s, int fd);
/* Something wrote to the channel that sandboxpy's code did not. */
void sbx_chan_tamper(struct sup *s, const char *why);

/* ---- run_record.c: events and denials ---- */

double sbx_since(const struct timespec *t0);
double sbx_round3(double v);
/* A JSON string, or a marker when the bytes are not UTF-8. */
json_t *sbx_jstr(const char *s);
/* The unlinked file the events go to while the run lasts (s->ev_file). */
void sbx_events_open(struct sup *s);
/* summary.events_dropped_by_action. */
json_t *sbx_dropped_json(const struct sup *s);
void sbx_log_close(struct sup *s);
/* One EVENT record the hook sent, checked (audit layer). */
void sbx_on_event(struct sup *s, struct sbx_decoded *d);
/* The seccomp listener is readable: answer one notification. */
void sbx_on_notify(struct sup *s);
/* Notifications already queued when the child ended. */
void sbx_drain_notify(struct sup *s);

/* A file read Landlock refused, from its audit record (run_audit.c):
 * a bypass, since the hook would have refused it first. pid: the
 * process, numbered inside the sandbox. */
void sbx_on_landlock_read(struct sup *s, const char *path, const char *syscall, pid_t pid);

/* ---- run_audit.c: Landlock's audit records (the fallback without a view) ---- */

/* Before the clone: subscribe when this machine and our privileges allow
 * it, else say why not in s->lla.reason. */
void sbx_lla_open(struct sup *s);
/* Once the child is released: the kernel's audit state asked, the answer
 * read at READY. */
void sbx_lla_ask(struct sup *s);
/* After the clone: which processes are the run's. */
void sbx_lla_started(struct sup *s);
/* READY: only a run without its view (the fallback) is read; the socket
 * of any other is closed. */
void sbx_lla_ready(struct sup *s, bool view);
/* The socket is readable: a bounded batch. */
void sbx_lla_read(struct sup *s);
/* The child reaped: what the kernel queued before its end (a barrier). */
void sbx_lla_drain(struct sup *s);
void sbx_lla_close(struct sup *s);
/* layers.landlock.native_refusals. */
json_t *sbx_lla_json(const struct sup *s);

/* ---- run_outcome.c: how the run ended ---- */

/* CPU seconds of the whole sandbox (cgroup, or the tree from /proc). */
double sbx_sandbox_cpu(struct sup *s);
/* A memory limit no cgroup holds: the supervisor measures the tree. */
bool sbx_unmeasured_memory(const struct sup *s);
/* --audit-only: the peaks of tasks and descriptors, sampled. */
void sbx_sample_usage(struct sup *s);
/* A SIGXFSZ death: did a file of the write tree reach the limit? */
void sbx_measure_write_tree(struct sup *s);
void sbx_decide(struct sup *s, int wstatus, const struct rusage *ru, struct sbx_result *res);
/* The counts into res, the report, the summary line. */
void sbx_finish(struct sup *s, struct sbx_result *res, struct sbx_error *err);

/* ---- run_layers.c: what each layer put in force ---- */

json_t *sbx_layers_json(struct sup *s);
/* With verbose: one message per layer, said when the child is READY. */
void sbx_say_layers(struct sup *s);

/* ---- report.c: the report ---- */

/* The run's report, written to report_path and/or kept in res. */
void sbx_report_finish(struct sup *s, struct sbx_result *res);

/* ---- run_stdio.c: the files the supervisor opens, the program's streams ---- */

int sbx_open_own(const char *path, int flags, char *const *write_roots);
/* --stdin/--stdout/--stderr, the caller's descriptors, the stderr relay. */
int sbx_open_streams(struct sup *s, struct sbx_error *err);
/* Copies what the program wrote to its stderr pipe to ours. */
void sbx_relay_copy(struct sup *s, bool final);
void sbx_keep_streams(struct sup *s);
void sbx_measure_streams(struct sup *s);
/* All of buf to fd, waiting on a non-blocking one; 0 or -errno. */
int sbx_write_all(int fd, const void *buf, size_t len);
int sbx_read_all(int fd, void *buf, size_t len);

/* ---- run_procs.c: the processes around a run ---- */

/* The children of pid self, from /proc, at most max. */
size_t sbx_children_of(pid_t self, pid_t *out, size_t max);
/* Kills and reaps every child of self but the host's own (before[]). */
void sbx_sweep(pid_t self, const pid_t *before, size_t n_before);
/* The sandbox into its cgroups: sbx_attach_prepare before the clone
 * (on v1, the descriptors for the child to join them itself); after it,
 * sbx_attach_start checks that it did and otherwise moves it in a helper
 * process (0 when there is nothing to move); sbx_attach_wait: the
 * result, 0 or -errno. */
void sbx_attach_prepare(struct sup *s);
pid_t sbx_attach_start(struct sup *s);
int sbx_attach_wait(struct sup *s, pid_t h);
int sbx_watchdog_start(struct watchdog *w, const struct timespec *t0, double wall, int pidfd, pid_t pid);
/* Before the child is reaped; true when the deadline passed. */
bool sbx_watchdog_stop(struct watchdog *w);

/* ---- run.c ---- */

/* Ends every process of the run now. */
void sbx_kill_run(struct sup *s);
/* The run in this thread (sbx_run for a single-threaded caller). */
int sbx_run_here(const struct sbx_policy *p, const struct sbx_run_opts *o,
		 struct sbx_result *res, struct sbx_error *err);
/* ---- run_worker.c ---- */
int sbx_run_in_worker(const struct sbx_policy *p, const struct sbx_run_opts *o,
		      struct sbx_result *res, struct sbx_error *err);

#endif
