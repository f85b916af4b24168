/* run.c: the supervisor's life cycle: prepare everything (the seccomp
 * filter included), fork, then one poll loop over the channel, the seccomp
 * listener, a pidfd, a timerfd (wall clock) and a signalfd; line kernel
 * denials up with audit records; decide how the run ended; kill and reap
 * whatever is left; write the report on every path out. It never blocks on
 * the child. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <math.h>
#include <stdint.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_events.h"
#include "sbx_landlock.h"
#include "sbx_policy_int.h"
#include "sbx_supervisor.h"

#define SBX_MAX_EVENTS 10000	/* kept in the report; the rest are counted */
#define SBX_CPU_TICK_SLACK 0.25	/* RLIMIT_CPU's tick-sampled time vs our exact one */
#define SBX_MAX_LOG_LINES SBX_MAX_EVENTS	/* --log: then one note, and a count */
#define SBX_MAX_LOG_BYTES (32ull << 20)
#define SBX_EXPLAIN_RING 64
#define SBX_MAX_DENIAL_LINES 100	/* on stderr; the report keeps the rest */	/* recent audit "log" records a kernel denial may match */

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

#define SBX_HOST_KIDS 256

struct sup {
	const struct sbx_policy *p;
	const struct sbx_run_opts *o;
	struct sbx_child_plan plan;
	pid_t pid;
	struct timespec t0;
	struct sbx_chan_rec rec;	/* the record being read: per run, so that
					   runs in several threads do not share it */
	FILE *ev_file;			/* the events kept, one per line (keep_event) */
	unsigned long n_events;
	uint64_t nonce;
	FILE *log;
	unsigned long log_lines, log_omitted;
	unsigned long long log_bytes;
	unsigned long seq, denied, logged, dropped, bypass;
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
	bool listener_lost;		/* READY said "listener" but carried none */
	int chan_no;			/* the channel's descriptor in the child */
	struct sbx_cgroup cg;
	bool cpu_exceeded;		/* the sandbox's CPU time passed the limit */
	double tree_cpu;		/* without a CPU cgroup: the last sample of the tree */
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
	json_t *created;		/* write entries made before the run */
	long max_tasks, max_fds;	/* --audit-only: sampled peaks */
	unsigned long would;		/* --audit-only: refusals not made */
	json_t *would_by_rule;		/* rule id -> count */
	size_t n_host_kids;
	pid_t host_kids[SBX_HOST_KIDS];	/* the caller's children before the run */
};

const char *sbx_status_name(enum sbx_status s)
{
	static const char *const names[] = {
		[SBX_ST_OK] = "ok", [SBX_ST_ERROR] = "error", [SBX_ST_TIMEOUT] = "timeout",
		[SBX_ST_MEMORY] = "memory", [SBX_ST_OUTPUT] = "output",
		[SBX_ST_VIOLATION] = "violation", [SBX_ST_SIGNAL] = "signal",
		[SBX_ST_INTERNAL] = "internal",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "internal";
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A JSON string, or a marker when the bytes are not UTF-8 (argv can be anything). */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s);

	return v ? v : json_string("<not UTF-8>");
}

static double round3(double v)
{
	return round(v * 10000.0) / 10000.0;
}

/* ---- events from the child ---- */

/* --log is bounded like the events list: past SBX_MAX_LOG_LINES lines or
 * SBX_MAX_LOG_BYTES bytes one note says so, and the lines left out are
 * counted in a last note at the end of the run (log_close). */
static void log_line(struct sup *s, const char *line)
{
	size_t len = strlen(line) + 1;

	if (s->log_omitted || s->log_lines >= SBX_MAX_LOG_LINES ||
	    s->log_bytes + len > SBX_MAX_LOG_BYTES) {
		if (!s->log_omitted++)
			fprintf(s->log, "{\"note\":\"log_truncated\",\"after_lines\":%lu,\"after_bytes\":%llu,"
				"\"detail\":\"further events are counted, not written; the report lists up to "
				"%d\"}\n", s->log_lines, (unsigned long long)s->log_bytes, SBX_MAX_EVENTS);
		return;
	}
	s->log_lines++;
	s->log_bytes += len;
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
}

static void log_close(struct sup *s)
{
	if (!s->log)
		return;
	if (s->log_omitted)
		fprintf(s->log, "{\"note\":\"log_truncated\",\"omitted\":%lu}\n", s->log_omitted);
	fclose(s->log);
	s->log = NULL;
}

static void log_event(struct sup *s, json_t *ev)
{
	char *line;

	if (!s->log && !s->o->on_event)
		return;
	line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (!line)
		return;
	if (s->log)
		log_line(s, line);
	if (s->o->on_event)
		s->o->on_event(line, s->o->on_event_ctx);
	free(line);
}

/* Events go to an unlinked temporary file as they come, one compact
 * line each, and the report is written around them at the end: a flood
 * of denials does not grow the supervisor (docs/performance.md). */
static void keep_event(struct sup *s, json_t *ev)
{
	char *line = NULL;

	if (s->n_events < SBX_MAX_EVENTS && s->ev_file)
		line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(ev);
	if (!line || fprintf(s->ev_file, "%s    %s", s->n_events ? ",\n" : "\n", line) < 0) {
		s->dropped++;
	} else {
		s->n_events++;
	}
	free(line);
}

/* The events file: an unlinked file in TMPDIR (or /tmp); in memory when
 * there is none, or when this supervisor runs inside another sandbox,
 * whose policy would only record the attempt. */
static FILE *events_file(void)
{
	const char *dir = getenv("TMPDIR");
	FILE *f = NULL;
	int fd = -1;

	if (prctl(PR_GET_SECCOMP) == 0)
		fd = open(dir && dir[0] == '/' ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 && (f = fdopen(fd, "w+")))
		return f;
	if (fd >= 0)
		close(fd);
	fd = memfd_create("sbx-events", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "w+")))
		close(fd);
	return f;
}

/* One line per denial on stderr, up to a bound: a program looping on a
 * refused call must not bury its own output; the report has them all. */
static bool show_denial(struct sup *s)
{
	if (s->o->quiet)
		return false;
	if (++s->lines_shown <= SBX_MAX_DENIAL_LINES)
		return true;
	if (s->lines_shown == SBX_MAX_DENIAL_LINES + 1) {
		fprintf(stderr, "sandboxpy: further denials are not shown here (the summary counts them%s)\n",
			s->o->report_path || s->log ? "; the report and --log list them" : "");
		fflush(stderr);
	}
	return false;
}

/* "not in filesystem.write" + "; allow with ..." (the clause to change),
 * except under on_violation kill, a grading set-up, where the line stays
 * terse. */
static void add_hint(struct sup *s, enum sbx_rule rule, json_t *ev, char *setting, size_t len)
{
	char hint[700];
	size_t n = strlen(setting);

	if (s->p->on_violation == SBX_KILL || s->o->quiet)
		return;
	sbx_denial_hint(s->p, rule, ev, hint, sizeof(hint));
	if (hint[0] && n + 2 < len)
		snprintf(setting + n, len - n, "; %s", hint);
}

/* --audit-only: one more operation the policy would have refused. */
static void count_would(struct sup *s, const char *rule)
{
	json_t *n;

	s->would++;
	if (!rule || !s->would_by_rule)
		return;
	n = json_object_get(s->would_by_rule, rule);
	if (n)
		json_integer_set(n, json_integer_value(n) + 1);
	else if (json_object_size(s->would_by_rule) < 256)
		json_object_set_new(s->would_by_rule, rule, json_integer(1));
}

/* Something wrote to the channel that sandboxpy's code did not: the
 * packet was counted and ignored, and the run is marked (once in errors,
 * once on stderr). Nothing the hook sent was lost by it, so the run goes
 * on and is still observed. */
static void chan_tamper(struct sup *s, const char *why)
{
	if (s->chan_tampered)
		return;
	s->chan_tampered = true;
	json_array_append_new(s->errors, json_sprintf("channel: %s", why));
	if (!s->o->quiet) {
		fprintf(stderr, "sandboxpy: the channel to the audit hook was tampered with: %s\n", why);
		fflush(stderr);
	}
}

/* The record is no longer whole: a record of the hook was lost or
 * replayed, or the channel was shut down so that the next one cannot be
 * sent. What the hook saw can no longer be known: the sandbox ends now,
 * and the report says why (never "ok"). */
static void chan_lost(struct sup *s, const char *why)
{
	chan_tamper(s, why);
	/* --audit-only kills nothing: the mark stays (and the hook still
	 * ends a process whose record it cannot send). */
	if (s->o->audit_only)
		return;
	if (!s->killed_by) {
		s->killed_by = json_object();
		json_object_set_new(s->killed_by, "rule", json_string("channel"));
		json_object_set_new(s->killed_by, "event", json_null());
		json_object_set_new(s->killed_by, "layer", json_string("supervisor"));
		json_object_set_new(s->killed_by, "detail", json_string(why));
		json_object_set_new(s->killed_by, "where", json_null());
	}
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
}

/* Each process numbers its records 1, 2, ...: a number skipped is a lost
 * record, one repeated or behind is a replay or a reordering. 1 starts a
 * process again (a fork's child, or a pid used again). Bounded: beyond
 * SBX_SEQ_PIDS processes, a process not in the table is not judged.
 * 0: in order; 1: after a gap (this record is sound, others were lost);
 * -1: repeated or behind (it may be a replay: not recorded). */
static int seq_check(struct sup *s, pid_t pid, uint32_t seq)
{
	struct seq_slot *slot = NULL;

	for (size_t i = 0; i < s->n_seqs; i++)
		if (s->seqs[i].pid == pid)
			slot = &s->seqs[i];
	if (!slot) {
		if (s->n_seqs == SBX_SEQ_PIDS) {
			s->seq_overflow = true;
			slot = &s->seqs[pid % SBX_SEQ_PIDS];	/* reused: its old owner is forgotten */
		} else {
			slot = &s->seqs[s->n_seqs++];
		}
		slot->pid = pid;
		slot->next = seq + 1;
		if (seq == 1 || s->seq_overflow)
			return 0;
		s->chan_gaps += seq - 1;
		return 1;
	}
	if (seq == slot->next || seq == 1) {
		slot->next = seq + 1;
		return 0;
	}
	if (seq > slot->next) {
		s->chan_gaps += seq - slot->next;
		slot->next = seq + 1;
		return 1;
	}
	s->chan_disorder++;
	return -1;
}

/* Can an audit record prove anything? Only if the program cannot run
 * native code: with ctypes or any extension (or under --audit-only, where
 * a denied ctypes import goes through) it can read the run's key and
 * write any record it likes. */
static bool records_prove(const struct sup *s)
{
	return !s->p->native.ctypes && s->p->native.extensions != SBX_EXT_ANY && !s->o->audit_only;
}

/* The thread's previous records can explain nothing any more: only the
 * record that immediately precedes a refused syscall explains it. */
static void forget_thread(struct sup *s, pid_t pid, pid_t tid)
{
	for (unsigned i = 0; i < SBX_EXPLAIN_RING; i++)
		if (s->ring[i].pid == pid && s->ring[i].tid == tid)
			s->ring[i].used = true;
}

static void on_event(struct sup *s, struct sbx_decoded *d)
{
	json_t *ev;
	char setting[900];
	bool deny = d->action == SBX_DENY || d->action == SBX_KILL;
	bool would = deny && s->o->audit_only;

	s->seq++;
	if (would)
		deny = false;
	if (deny)
		s->denied++;
	else
		s->logged++;
	ev = json_object();
	json_object_set_new(ev, "seq", json_integer((json_int_t)s->seq));
	json_object_set_new(ev, "t", json_real(round3(since(&s->t0))));
	json_object_set_new(ev, "layer", json_string("audit"));
	json_object_set_new(ev, "event", jstr(d->event));
	json_object_set_new(ev, "args", d->args);
	d->args = NULL;
	if (d->rule == SBX_RULE_EVENTS) {
		char r[32];
		snprintf(r, sizeof(r), "events[%zu]", d->clause);
		json_object_set_new(ev, "rule", json_string(r));
	} else {
		json_object_set_new(ev, "rule", json_string(sbx_rule_name(d->rule)));
	}
	json_object_set_new(ev, "action", json_string(sbx_action_name(would ? SBX_LOG : d->action)));
	if (would)
		json_object_set_new(ev, "would", json_string(sbx_action_name(d->action)));
	json_object_set_new(ev, "where", d->where[0] ? jstr(d->where) : json_null());
	json_object_set_new(ev, "pid", json_integer(d->pid));
	if (d->tid != d->pid)
		json_object_set_new(ev, "tid", json_integer(d->tid));
	if (d->detail[0])
		json_object_set_new(ev, "detail", jstr(d->detail));
	sbx_operand_json(ev, &d->op);

	if (would)
		count_would(s, json_string_value(json_object_get(ev, "rule")));
	if (d->action == SBX_LOG || would) {
		/* An events[] rule that logs stands for the section rule the
		 * event belongs to (os.fork: process.spawn), which is the rule
		 * the kernel names when it refuses the same operation. */
		const struct sbx_event_map *row = d->rule == SBX_RULE_EVENTS ? sbx_event_lookup(d->event) : NULL;
		struct explained *x = &s->ring[s->ring_next++ % SBX_EXPLAIN_RING];
		forget_thread(s, d->pid, d->tid);
		x->pid = d->pid;
		x->tid = d->tid;
		x->rule = row ? row->rule : d->rule;
		x->used = false;
		snprintf(x->event, sizeof(x->event), "%s", d->event);
	} else {
		forget_thread(s, d->pid, d->tid);
	}
	sbx_rule_setting(s->p, d->rule, d->clause, setting, sizeof(setting));
	add_hint(s, d->rule, ev, setting, sizeof(setting));
	if (would && show_denial(s)) {
		fprintf(stderr, "sandboxpy: audit-only: would deny %s%s%s (%s)\n",
			d->detail[0] ? d->detail : d->event, d->where[0] ? " at " : "", d->where, setting);
		fflush(stderr);
	}
	if (deny && show_denial(s)) {
		fprintf(stderr, "sandboxpy: denied %s%s%s (%s)%s\n", d->detail[0] ? d->detail : d->event,
			d->where[0] ? " at " : "", d->where, setting,
			d->action == SBX_KILL ? "; ending the sandbox" : "");
		fflush(stderr);
	}
	log_event(s, ev);
	if (d->action == SBX_KILL && !would && !s->killed_by) {
		s->killed_by = json_object();
		json_object_set(s->killed_by, "rule", json_object_get(ev, "rule"));
		json_object_set_new(s->killed_by, "event", jstr(d->event));
		json_object_set_new(s->killed_by, "layer", json_string("audit"));
		json_object_set_new(s->killed_by, "detail", jstr(d->detail));
		json_object_set_new(s->killed_by, "where", d->where[0] ? jstr(d->where) : json_null());
		/* The death is real (it is enforced here, below); its cause is
		 * the record's word, which native code could have written. */
		json_object_set_new(s->killed_by, "proven", json_boolean(records_prove(s)));
		/* End everything at once: the child killed itself, but others
		 * of its group might still run. The supervisor enforces the
		 * kill a record claims: a claim never outlives its process. */
		if (s->pid > 0)
			kill(-s->pid, SIGKILL);
	}
	keep_event(s, ev);
}

/* How stderr says the bypass verdict. */
static const char *bypass_note(bool bypass, const char *claim)
{
	if (!bypass)
		return "";
	return claim ? "; bypass: only an audit record claims it, and the program can run native code"
		     : "; bypass: the audit hook never saw it";
}

/* A syscall the kernel refused. It is a bypass unless an audit record of
 * the same rule from the same thread let the operation through just
 * before, and the policy runs no native code (seccomp.md). */
static void on_kernel_denial(struct sup *s, struct sbx_kdenial *k)
{
	json_t *ev = json_object();
	char setting[900];
	bool bypass = true, would = s->o->audit_only;
	enum sbx_action action = k->v.kill ? SBX_KILL : SBX_DENY;
	const char *claim = NULL;

	if (action == SBX_KILL && !would) {
		/* Before anything else: the caller is still blocked in the
		 * refused syscall (it was not answered) and never resumes. */
		if (s->pid > 0)
			kill(-s->pid, SIGKILL);
		kill(k->tgid, SIGKILL);
	}

	for (unsigned i = 0; i < SBX_EXPLAIN_RING; i++) {
		struct explained *x = &s->ring[i];
		if (x->pid && !x->used && x->pid == k->ns_tgid && x->tid == k->ns_tid &&
		    x->rule == k->v.rule) {
			/* Under native code a record proves nothing: the
			 * denial stays a bypass and names the claim. */
			if (records_prove(s))
				bypass = false;
			else
				claim = x->event;
			break;
		}
	}
	forget_thread(s, k->ns_tgid, k->ns_tid);
	s->seq++;
	if (would) {
		s->logged++;
	} else {
		s->denied++;
		s->kernel_denied++;
	}
	if (bypass)
		s->bypass++;
	json_object_set_new(ev, "seq", json_integer((json_int_t)s->seq));
	json_object_set_new(ev, "t", json_real(round3(since(&s->t0))));
	/* A write outside the writable trees is Landlock's rule, observed
	 * and answered here; the rest is the filter's own. */
	json_object_set_new(ev, "layer", json_string(k->v.check_write &&
						     ((s->ready_flags & SBX_READY_LANDLOCK) ||
						      (would && s->ll_abi > 0)) ? "landlock" : "seccomp"));
	json_object_set_new(ev, "syscall", json_string(k->v.name));
	json_object_set_new(ev, "args", k->args);
	k->args = NULL;
	json_object_set_new(ev, "rule", json_string(sbx_rule_name(k->v.rule)));
	json_object_set_new(ev, "action", json_string(sbx_action_name(would ? SBX_LOG : action)));
	if (would) {
		json_object_set_new(ev, "would", json_string(sbx_action_name(action)));
		count_would(s, sbx_rule_name(k->v.rule));
	}
	json_object_set_new(ev, "errno", json_string(k->v.err == ENOSYS ? "ENOSYS" : k->v.err == EACCES ? "EACCES" : "EPERM"));
	json_object_set_new(ev, "pid", json_integer(k->ns_tgid));
	if (k->ns_tid != k->ns_tgid)
		json_object_set_new(ev, "tid", json_integer(k->ns_tid));
	json_object_set_new(ev, "detail", jstr(k->detail));
	sbx_operand_json(ev, &k->op);
	json_object_set_new(ev, "bypass", json_boolean(bypass));
	if (claim)
		json_object_set_new(ev, "claimed_by", jstr(claim));

	if (k->v.unknown)
		snprintf(setting, sizeof(setting), "not in the seccomp allowlist");
	else if (k->v.why)
		snprintf(setting, sizeof(setting), "%s", k->v.why);
	else
		sbx_rule_setting(s->p, k->v.rule, 0, setting, sizeof(setting));
	add_hint(s, k->v.rule, ev, setting, sizeof(setting));
	if (would && show_denial(s)) {
		fprintf(stderr, "sandboxpy: audit-only: the kernel would deny %s (%s%s%s%s)\n", k->detail,
			k->v.why || k->v.unknown ? sbx_rule_name(k->v.rule) : "",
			k->v.why || k->v.unknown ? ": " : "", setting, bypass_note(bypass, claim));
		fflush(stderr);
	} else if (show_denial(s)) {
		/* cli.md's form: "denied DETAIL (SETTING)", kill adds "; ending
		 * the sandbox"; the layer and the bypass verdict go inside. */
		fprintf(stderr, "sandboxpy: denied %s by the kernel (%s%s%s%s)%s\n", k->detail,
			k->v.why || k->v.unknown ? sbx_rule_name(k->v.rule) : "",
			k->v.why || k->v.unknown ? ": " : "", setting, bypass_note(bypass, claim),
			action == SBX_KILL ? "; ending the sandbox" : "");
		fflush(stderr);
	}
	log_event(s, ev);
	if (action == SBX_KILL && !would && !s->killed_by) {
		s->killed_by = json_object();
		json_object_set(s->killed_by, "rule", json_object_get(ev, "rule"));
		json_object_set_new(s->killed_by, "event", jstr(k->v.name));
		json_object_set(s->killed_by, "layer", json_object_get(ev, "layer"));
		json_object_set_new(s->killed_by, "detail", jstr(k->detail));
		json_object_set_new(s->killed_by, "where", json_null());
		if (s->pid > 0)
			kill(-s->pid, SIGKILL);
		kill(k->tgid, SIGKILL);
	}
	keep_event(s, ev);
}

static void on_notify(struct sup *s)
{
	struct sbx_kdenial k;
	int r;

	if (sbx_fault("notify-stall") && !s->stalled) {
		/* sandboxpy-faults: a notification that takes the supervisor
		 * 6 s, as a costly path would (the wall limit's test). */
		struct timespec ts = { 6, 0 };
		s->stalled = true;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	r = sbx_notify_handle(s->listener, s->p, s->chan_no, s->plan.write_v,
				  s->o->audit_only, &k);

	if (r == 1)
		on_kernel_denial(s, &k);
	json_decref(k.args);
	if (r < 0 && r != -ENOENT && r != -EINTR) {
		/* The filter's users are all gone, or the listener broke:
		 * pending callers get ENOSYS from the kernel. */
		close(s->listener);
		s->listener = -1;
	}
}

/* Notifications already queued when the child ended. */
static void drain_notify(struct sup *s)
{
	for (int i = 0; s->listener >= 0 && i < 4096; i++) {
		struct pollfd pf = { s->listener, POLLIN, 0 };
		if (poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLIN))
			break;
		on_notify(s);
	}
}

/* The descriptor READY carries must really be a seccomp listener: the
 * record comes from the child, and the child is not trusted. */
static bool is_listener(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}

/* An EVENT with the run's key: in its process's order, and one the
 * policy can produce, or it is not recorded. */
static void event_record(struct sup *s, struct sbx_decoded *d)
{
	switch (seq_check(s, d->pid, d->seq)) {
	case 1:
		chan_lost(s, "records of the hook lost, repeated or out of order");
		break;	/* this one is sound: recorded below */
	case -1:
		s->dropped++;
		chan_lost(s, "records of the hook lost, repeated or out of order");
		return;
	}
	if ((!s->ready && !s->setup_failed && d->action != SBX_LOG && d->action != SBX_DENY &&
	     d->action != SBX_KILL) || !sbx_event_plausible(s->p, d)) {
		s->dropped++;
		s->chan_junk++;
		chan_tamper(s, "a record the policy cannot produce");
		return;
	}
	on_event(s, d);
}

/* fd: a descriptor that came with the record, or -1; always consumed. */
static void on_record(struct sup *s, const struct sbx_chan_rec *rec, ssize_t n, int fd)
{
	struct sbx_decoded d;

	/* The key first: a packet without it was not written by sandboxpy's
	 * code, whatever its form. */
	if (sbx_chan_decode(rec, n, s->p->n_events, &d) < 0 ||
	    memcmp(d.key, s->plan.hook.chan_key, sizeof(d.key)) != 0) {
		s->dropped++;
		s->chan_junk++;
		sbx_decoded_clear(&d);
		if (fd >= 0)
			close(fd);
		chan_tamper(s, "a malformed or forged record");
		return;
	}
	switch (d.type) {
	case SBX_CHAN_EVENT:
		event_record(s, &d);
		break;
	case SBX_CHAN_SETUP_FAIL:
		/* Only before the program runs: afterwards it would be a forgery. */
		if (s->ready || s->setup_failed) {
			s->dropped++;
			s->chan_junk++;
			chan_tamper(s, "a set-up record after the start");
			break;
		}
		s->setup_failed = true;
		s->setup_step = (int)d.step;
		s->setup_err = d.err;
		snprintf(s->setup_detail, sizeof(s->setup_detail), "%s", d.detail);
		break;
	case SBX_CHAN_LAYER_FAIL:
		/* Only before the program runs, and only for optional layers. */
		if (s->ready || s->setup_failed || d.step != SBX_STEP_LANDLOCK || s->ll_reason[0]) {
			s->dropped++;
			s->chan_junk++;
			chan_tamper(s, "a set-up record after the start");
			break;
		}
		snprintf(s->ll_reason, sizeof(s->ll_reason), "%s failed%s%s: %s", sbx_step_name((int)d.step),
			 d.detail[0] ? " at " : "", d.detail, d.err > 0 ? strerror(d.err) : "error");
		if (!s->o->quiet)
			fprintf(stderr, "sandboxpy: landlock is not in force: %s\n", s->ll_reason);
		break;
	case SBX_CHAN_READY:
		if (s->ready || s->setup_failed) {
			s->dropped++;
			s->chan_junk++;
			chan_tamper(s, "a set-up record after the start");
			break;
		}
		s->ready = true;
		s->ready_flags = d.step;
		/* The sandbox is in its cgroups (attached before this loop):
		 * the program may start. */
		if (send(s->chan, &(char){ SBX_CHAN_GO }, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
			json_array_append_new(s->errors, json_string("could not tell the sandbox to start"));
		if (!(d.step & SBX_READY_SECCOMP_NOTIFY) && (d.step & SBX_READY_SECCOMP) && !s->o->quiet)
			fprintf(stderr, "sandboxpy: seccomp: the kernel gave no notification listener (an outer "
					"filter holds one?): kernel denials are enforced but not reported\n");
		if ((d.step & SBX_READY_SECCOMP_NOTIFY) && fd >= 0 && is_listener(fd)) {
			s->listener = fd;
			fd = -1;
		} else if (d.step & SBX_READY_SECCOMP_NOTIFY) {
			/* Refusals still happen in the kernel (it answers ENOSYS
			 * without a listener) but would go unseen: say so. */
			s->ready_flags &= ~SBX_READY_SECCOMP_NOTIFY;
			s->listener_lost = true;
			json_array_append_new(s->errors, json_string(
				"the seccomp listener did not arrive with READY: kernel denials are not observed"));
		}
		break;
	default:
		s->dropped++;
		s->chan_junk++;
		chan_tamper(s, "a malformed or forged record");
		break;
	}
	sbx_decoded_clear(&d);
	if (fd >= 0)
		close(fd);
}

/* Reads what the channel holds, at most SBX_DRAIN_BATCH packets, so that
 * a flood cannot starve the listener and the timers of the poll loop.
 * True when more may be waiting. */
#define SBX_DRAIN_BATCH 1024
static bool drain_channel(struct sup *s, int fd)
{
	struct sbx_chan_rec *rec = &s->rec;	/* 4 KiB: not on the stack */

	for (int batch = 0; batch < SBX_DRAIN_BATCH; batch++) {
		union {
			char buf[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { rec, sizeof(*rec) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		int passed = -1;
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;	/* EAGAIN: all read */
		/* Keep at most one descriptor; close any others the child sent. */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; (i + 1) * sizeof(int) <= c->cmsg_len - CMSG_LEN(0); i++) {
				int one;
				memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (passed < 0)
					passed = one;
				else
					close(one);
			}
		}
		if (n == 0) {
			/* An empty datagram (the program can send one) or the
			 * end. run_here() holds the child's end open too, so
			 * the end comes only from a shutdown of the child's
			 * end: tampering, whenever it is seen. */
			struct pollfd pf = { fd, POLLIN | POLLRDHUP, 0 };
			char peek;
			if (passed >= 0)
				close(passed);
			if (poll(&pf, 1, 0) == 1 && (pf.revents & (POLLRDHUP | POLLHUP)) &&
			    recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
				s->chan_eof = true;
				chan_lost(s, "the channel was shut down before the program ended");
				return false;
			}
			s->dropped++;
			s->chan_junk++;
			chan_tamper(s, "an empty packet");
			continue;
		}
		on_record(s, rec, n, passed);
	}
	return true;
}

/* The channel's figures for the report's summary (running.md). */
static void channel_summary(const struct sup *s, json_t *sum)
{
	json_object_set_new(sum, "channel_gaps", json_integer((json_int_t)s->chan_gaps));
	json_object_set_new(sum, "channel_junk", json_integer((json_int_t)s->chan_junk));
	json_object_set_new(sum, "channel_disorder", json_integer((json_int_t)s->chan_disorder));
	json_object_set_new(sum, "channel_tampered", json_boolean(s->chan_tampered));
}

/* ---- the end of a run ---- */

/* Processes the run left behind reparent to us (we are a subreaper):
 * kill and reap every child of ours. */
/* The children of this process, from /proc: ppid == self. */
static size_t children_of(pid_t self, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char path[64], buf[512];
		FILE *f;
		pid_t pid = (pid_t)atoi(e->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *rp = strrchr(buf, ')');
			if (rp)
				sscanf(rp + 2, "%*c %d", &ppid);
		}
		fclose(f);
		if (ppid == self && n < max)
			out[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

/* Without a PID namespace, orphans of the sandbox come back to this
 * process (a subreaper for the run). Kill and reap them, and only them:
 * a host calling sbx_run may have children of its own, which were there
 * before the run (before[]) and are left alone. */
static void sweep(pid_t self, const pid_t *before, size_t n_before)
{
	pid_t kids[1024];

	for (int round = 0; round < 3; round++) {
		size_t n = children_of(self, kids, sizeof(kids) / sizeof(kids[0])), killed = 0;

		for (size_t i = 0; i < n; i++) {
			bool host = false;
			for (size_t j = 0; j < n_before && !host; j++)
				host = kids[i] == before[j];
			if (host)
				continue;
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			killed++;
		}
		if (!killed)
			break;
	}
}

static const char *signame(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}

/* CPU seconds of the whole sandbox: the cgroup's counter, or without one
 * the process tree added up from /proc (RLIMIT_CPU alone counts each
 * process apart). */
static double sandbox_cpu(struct sup *s)
{
	double c;

	if (s->cg.cpu)
		return sbx_cgroup_cpu_seconds(&s->cg);
	c = sbx_tree_cpu_seconds(s->pid);
	if (c > s->tree_cpu)
		s->tree_cpu = c;
	return s->tree_cpu;
}

/* A memory limit no cgroup holds: RLIMIT_AS counts each process's address
 * space, not a memfd's pages, so the supervisor measures the tree too. */
static bool unmeasured_memory(const struct sup *s)
{
	return s->p->limits.memory_mb >= 0 && !s->cg.memory;
}

/* What the run used and how its first process ended. */
static void measure(struct sup *s, int wstatus, const struct rusage *ru, struct sbx_result *res)
{
	res->exit_code = -1;
	res->signal = 0;
	res->cpu_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
		     (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
	res->max_rss_kb = ru->ru_maxrss;
	/* Processes killed with the namespace are never reaped by the init:
	 * the cgroup counted them. */
	if (s->cg.cpu || s->tree_cpu > 0) {
		double c = s->cg.cpu ? sbx_cgroup_cpu_seconds(&s->cg) : s->tree_cpu;
		if (c > res->cpu_s)
			res->cpu_s = c;
	}
	if (WIFEXITED(wstatus))
		res->exit_code = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		res->signal = WTERMSIG(wstatus);
}

/* How the supervisor ended the run, or saw it end: set-up, a kill for a
 * violation, a limit it measured, a signal it received. false: none of
 * these, the program's own ending decides. */
static bool decided_by_supervisor(struct sup *s, struct sbx_result *res)
{
	const struct sbx_limits *l = &s->p->limits;

	if (s->setup_failed) {
		res->status = SBX_ST_INTERNAL;
		res->cli_status = 125;
		snprintf(res->message, sizeof(res->message), "sandbox set-up failed while %s%s%s: %s",
			 sbx_step_name(s->setup_step), s->setup_detail[0] ? " (" : "",
			 s->setup_detail[0] ? ")" : "", s->setup_err ? strerror(s->setup_err) : "failed");
		/* the detail goes in parentheses after the step */
		if (s->setup_detail[0])
			snprintf(res->message, sizeof(res->message), "sandbox set-up failed while %s: %s (%s)",
				 sbx_step_name(s->setup_step), s->setup_err ? strerror(s->setup_err) : "failed",
				 s->setup_detail);
		res->exit_code = -1;
	} else if (s->killed_by) {
		const char *rule = json_string_value(json_object_get(s->killed_by, "rule"));
		const char *det = json_string_value(json_object_get(s->killed_by, "detail"));
		const char *where = json_string_value(json_object_get(s->killed_by, "where"));
		res->status = SBX_ST_VIOLATION;
		res->cli_status = 126;
		res->exit_code = -1;
		res->signal = 0;
		snprintf(res->message, sizeof(res->message), "killed: %s (%s%s%s)", rule ? rule : "?",
			 det ? det : "?", where ? " at " : "", where ? where : "");
	} else if (s->timed_out) {
		res->status = SBX_ST_TIMEOUT;
		res->cli_status = 124;
		res->exit_code = -1;
		res->signal = 0;
		snprintf(res->message, sizeof(res->message), "wall-clock limit of %g s exceeded",
			 l->wall_seconds);
	} else if (s->cpu_exceeded) {
		res->status = SBX_ST_TIMEOUT;
		res->cli_status = 124;
		res->exit_code = -1;
		res->signal = 0;
		snprintf(res->message, sizeof(res->message),
			 "CPU limit of %g s exceeded (all processes of the sandbox together)", l->cpu_seconds);
	} else if (s->mem_exceeded) {
		res->status = SBX_ST_MEMORY;
		res->cli_status = 128 + SIGKILL;
		snprintf(res->message, sizeof(res->message),
			 "memory limit of %g MB exceeded: the sandbox's memory and memfds, measured (no memory cgroup)",
			 l->memory_mb);
	} else if (s->oom_kills > 0 && (res->signal || res->exit_code != 0)) {
		res->status = SBX_ST_MEMORY;
		res->cli_status = res->signal ? 128 + res->signal : res->exit_code;
		snprintf(res->message, sizeof(res->message),
			 "memory limit of %g MB exceeded: the kernel's OOM killer ended %s", l->memory_mb,
			 res->signal ? "the program" : "a process of the sandbox");
	} else if (s->output_reached) {
		/* Measured: a standard stream the supervisor sees reached
		 * file_size_mb (docs/confinement.md). */
		res->status = SBX_ST_OUTPUT;
		res->cli_status = 128 + SIGXFSZ;
		snprintf(res->message, sizeof(res->message),
			 "file size limit of %g MB reached by %s", l->file_size_mb,
			 s->output_reached);
	} else if (s->got_signal) {
		res->status = SBX_ST_SIGNAL;
		res->cli_status = 128 + s->got_signal;
		res->exit_code = -1;
		res->signal = s->got_signal;
		snprintf(res->message, sizeof(res->message),
			 "sandboxpy received SIG%s and ended the sandbox", signame(s->got_signal));
	} else {
		return false;
	}
	return true;
}

/* How the program ended: a signal (RLIMIT_CPU's only when our own CPU
 * figure agrees), or its exit status. */
static void decided_by_exit(struct sup *s, struct sbx_result *res)
{
	const struct sbx_limits *l = &s->p->limits;

	if ((res->signal == SIGXCPU || res->signal == SIGKILL) && l->cpu_seconds >= 0 &&
	    res->cpu_s >= l->cpu_seconds - fmax(0.1, l->cpu_seconds * SBX_CPU_TICK_SLACK)) {
		/* RLIMIT_CPU's SIGXCPU or SIGKILL, and our CPU figure agrees.
		 * Ours is exact (the cgroup's counter, the tree's rusage);
		 * the kernel's limit goes by time sampled at each tick, which
		 * on a loaded machine runs 10-15 % ahead of it (measured:
		 * SIGXCPU at 2 s with 1.76 s exact). The same signal sent by
		 * the program itself below that margin is only a signal. */
		res->status = SBX_ST_TIMEOUT;
		res->cli_status = 124;
		snprintf(res->message, sizeof(res->message), "CPU limit of %g s exceeded", l->cpu_seconds);
	} else if (res->signal == SIGXFSZ) {
		/* RLIMIT_FSIZE on a file the supervisor does not see, or the
		 * program's own kill: not told apart, so only a signal. */
		res->status = SBX_ST_SIGNAL;
		res->cli_status = 128 + res->signal;
		snprintf(res->message, sizeof(res->message),
			 "killed by signal %d (SIGXFSZ): a write past the file size limit of %g MB to a "
			 "file of its own, or a signal the program sent itself", res->signal, l->file_size_mb);
	} else if (res->signal == SIGSYS) {
		/* Not told apart from a SIGSYS the program sent itself, so the
		 * status stays "signal"; the message says what it most likely was. */
		res->status = SBX_ST_SIGNAL;
		res->cli_status = 128 + res->signal;
		snprintf(res->message, sizeof(res->message),
			 "killed by signal %d (SIGSYS): the seccomp filter kills a process that makes a "
			 "syscall of another ABI (i386 int 0x80, x32)%s", res->signal,
			 (s->ready_flags & SBX_READY_SECCOMP_NOTIFY) ? ""
			 : ", or, without a listener, any refused syscall under on_violation: kill");
	} else if (res->signal) {
		res->status = SBX_ST_SIGNAL;
		res->cli_status = 128 + res->signal;
		snprintf(res->message, sizeof(res->message), "killed by signal %d (SIG%s)", res->signal,
			 signame(res->signal));
	} else if (!s->ready) {
		res->status = SBX_ST_INTERNAL;
		res->cli_status = 125;
		snprintf(res->message, sizeof(res->message),
			 "the sandbox ended (status %d) before the program started", res->exit_code);
		res->exit_code = -1;
	} else if (res->exit_code == 0) {
		res->status = SBX_ST_OK;
		res->cli_status = 0;
		snprintf(res->message, sizeof(res->message), "exited normally");
	} else {
		res->status = SBX_ST_ERROR;
		res->cli_status = res->exit_code;
		snprintf(res->message, sizeof(res->message), "exited with status %d", res->exit_code);
	}
}

static void decide(struct sup *s, int wstatus, const struct rusage *ru, struct sbx_result *res)
{
	measure(s, wstatus, ru, res);
	if (!decided_by_supervisor(s, res))
		decided_by_exit(s, res);
}

/* ---- the report ---- */

static json_t *layer(bool active, const char *reason)
{
	json_t *o = json_object();

	json_object_set_new(o, "active", json_boolean(active));
	if (!active && reason)
		json_object_set_new(o, "reason", json_string(reason));
	return o;
}

static json_t *limit_json(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *names_json(uint64_t bits, const char *(*name)(unsigned))
{
	json_t *a = json_array();

	for (unsigned b = 0; b < 64; b++)
		if ((bits & (1ULL << b)) && name(b))
			json_array_append_new(a, json_string(name(b)));
	return a;
}

static json_t *landlock_json(struct sup *s)
{
	bool on = s->ready && (s->ready_flags & SBX_READY_LANDLOCK);
	const char *reason = s->ll_reason[0] ? s->ll_reason : !s->ready ? "set-up did not finish" : NULL;
	json_t *a, *imp = json_array();
	struct sbx_ll_rights rt;

	a = layer(on, reason ? reason : "not in force");
	json_object_set_new(a, "abi", s->ll_abi > 0 ? json_integer(s->ll_abi) : json_null());
	if (s->ll_abi > 0) {
		sbx_landlock_rights(s->p, s->ll_abi, &rt);
		json_object_set_new(a, "fs_rights_handled", names_json(rt.fs, sbx_landlock_fs_right_name));
		json_object_set_new(a, "net_rights_handled", names_json(rt.net, sbx_landlock_net_right_name));
		json_object_set_new(a, "scoped", names_json(rt.scoped, sbx_landlock_scope_name));
		if (rt.net_note)
			json_object_set_new(a, "net_note", json_string(rt.net_note));
	}
	for (size_t i = 0; i < s->plan.n_implicit; i++)
		json_array_append_new(imp, json_string(s->plan.implicit_v[i]));
	json_object_set_new(a, "implicit_read", imp);
	json_object_set(a, "created", s->created);
	return a;
}

/* Which mechanism holds each whole-sandbox limit (report.md leaves the
 * layer names to us; a user must be able to tell a cgroup from an rlimit). */
static json_t *enforced_json(struct sup *s)
{
	const struct sbx_limits *l = &s->p->limits;
	const struct sbx_cgroup *cg = &s->cg;
	json_t *o = json_object();
	char buf[96];

	snprintf(buf, sizeof(buf), "cgroup v%d %s", cg->version,
		 cg->version == 1 ? "memory.limit_in_bytes" : "memory.max");
	json_object_set_new(o, "memory_mb", json_string(l->memory_mb < 0 ? "unlimited" : cg->memory ? buf :
#ifdef SBX_SANITIZE
		"nothing: sanitizer build, no RLIMIT_AS"
#else
		"RLIMIT_AS, per process"
#endif
		));
	if (cg->memory && l->memory_mb >= 0)
		json_object_set_new(o, "memory_note", json_string(
			"RLIMIT_AS is set to twice memory_mb + 64 MB per process: a single huge allocation "
			"raises MemoryError, the cgroup ends the sandbox at memory_mb"));
	json_object_set_new(o, "tasks", json_string(l->tasks < 0 ? "unlimited" : cg->pids ? "cgroup pids.max" :
		"RLIMIT_NPROC (counts every process of the uid)"));
	snprintf(buf, sizeof(buf), "cgroup v%d CPU usage, whole sandbox, polled every 0.1 s; "
		 "RLIMIT_CPU per process", cg->version);
	json_object_set_new(o, "cpu_seconds", json_string(l->cpu_seconds < 0 ? "unlimited" : cg->cpu ? buf :
		"RLIMIT_CPU, per process"));
	json_object_set_new(o, "wall_seconds", json_string(l->wall_seconds < 0 ? "unlimited" :
		"the supervisor's timer"));
	json_object_set_new(o, "file_size_mb", json_string(l->file_size_mb < 0 ? "unlimited" :
		"RLIMIT_FSIZE (SIGXFSZ ends the run: status output)"));
	if (cg->reason[0])
		json_object_set_new(o, "cgroup_note", json_string(cg->reason));
	return o;
}

static json_t *netns_json(struct sup *s)
{
	const struct sbx_ns *ns = &s->plan.ns;
	static const struct { unsigned long flag; const char *name; } names[] = {
		{ CLONE_NEWUSER, "user" }, { CLONE_NEWPID, "pid" }, { CLONE_NEWNET, "net" },
		{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
	};
	bool on = s->ns_set && (ns->flags & CLONE_NEWNET);
	const char *reason = !s->ns_set ? "set-up did not finish"
			     : ns->reason[0] ? ns->reason
			     : "the policy has network rules: the sandbox uses the host's network "
			       "(Landlock restricts TCP ports)";
	json_t *o = layer(on, reason), *a = json_array();

	for (size_t i = 0; s->ns_set && i < sizeof(names) / sizeof(names[0]); i++)
		if (ns->flags & names[i].flag)
			json_array_append_new(a, json_string(names[i].name));
	json_object_set_new(o, "namespaces", a);
	json_object_set_new(o, "network", json_string(!s->ns_set ? "unknown" : on ? "empty" : "host"));
	if (s->p->process.spawn)
		json_object_set_new(o, "dev_shm", json_string(
			(s->ready_flags & SBX_READY_PRIVATE_SHM) ? "a private tmpfs"
			: "the host's (no private mount namespace): files there outlive the run"));
	return o;
}

static json_t *identity_json(struct sup *s)
{
	const struct sbx_ns *ns = &s->plan.ns;
	json_t *o = json_object();

	json_object_set_new(o, "uid", json_integer(ns->uid));
	json_object_set_new(o, "gid", json_integer(ns->gid));
	json_t *im = json_array();

	for (size_t i = 0; i < ns->n_idmap; i++)
		json_array_append_new(im, jstr(ns->idmap[i]));
	json_object_set_new(o, "idmapped", im);
	json_object_set_new(o, "how", json_string(
		ns->drop_root ? "started as root: the sandbox runs as sandboxpy's own unprivileged uid "
				"(setresuid, no supplementary groups)"
		: (ns->flags & CLONE_NEWUSER) ? "the caller's uid, mapped to itself in a user namespace"
		: "the caller's uid"));
	return o;
}

static json_t *layers_json(struct sup *s)
{
	const struct sbx_limits *l = &s->p->limits;
	json_t *o = json_object(), *a, *rl;

	a = layer(s->ready, "the interpreter did not start");
	if (s->ready)
		json_object_set_new(a, "hooks", json_integer(1));
	json_object_set_new(o, "audit", a);
	a = layer(s->ready && (s->ready_flags & SBX_READY_SECCOMP), "set-up did not finish");
	json_object_set_new(a, "rules", json_integer(sbx_seccomp_rule_count(s->sc)));
	json_object_set_new(a, "notify", json_boolean(s->ready_flags & SBX_READY_SECCOMP_NOTIFY));
	if (s->ready && !(s->ready_flags & SBX_READY_SECCOMP_NOTIFY))
		json_object_set_new(a, "notify_reason", json_string(s->listener_lost
			? "the listener did not reach the supervisor: refused syscalls fail (ENOSYS) "
			  "but are not observed"
			: "the kernel gave no user-notification listener: kernel denials are enforced "
			  "(EPERM) but not observed"));
	json_object_set_new(a, "denied", json_integer((json_int_t)s->kernel_denied));
	json_object_set_new(o, "seccomp", a);
	json_object_set_new(o, "landlock", landlock_json(s));
	json_object_set_new(o, "netns", netns_json(s));
	json_object_set_new(o, "identity", identity_json(s));
	json_object_set_new(o, "filesystem", sbx_fs_layer_json(s->ready, s->ready_flags, s->plan.tmpdir,
		s->ns_set && (s->plan.ns.flags & CLONE_NEWPID),
		s->ns_set && (s->plan.ns.drop_root || (s->plan.ns.flags & CLONE_NEWUSER))));
	a = layer(s->ready && (s->ready_flags & SBX_READY_CAPS), "set-up did not finish");
	json_object_set_new(a, "no_new_privs", json_boolean(s->ready_flags & SBX_READY_NO_NEW_PRIVS));
	json_object_set_new(a, "bounding_set_cleared", json_boolean(s->ready_flags & SBX_READY_CAPS_BOUND));
	json_object_set_new(o, "caps", a);
	rl = json_object();
	json_object_set_new(rl, "cpu_seconds", limit_json(l->cpu_seconds));
#ifdef SBX_SANITIZE
	json_object_set_new(rl, "memory_mb", json_null());
	json_object_set_new(rl, "memory_note", json_string("sanitizer build: RLIMIT_AS not set"));
#else
	json_object_set_new(rl, "memory_mb", limit_json(l->memory_mb));
#endif
	json_object_set_new(rl, "tasks", l->tasks < 0 ? json_null() : json_integer(l->tasks));
	json_object_set_new(rl, "open_files", l->open_files < 0 ? json_null() : json_integer(l->open_files));
	json_object_set_new(rl, "file_size_mb", limit_json(l->file_size_mb));
	json_object_set_new(o, "rlimits", rl);
	json_object_set_new(o, "limits_enforced_by", enforced_json(s));
	return o;
}

static json_t *argv_json(const struct sbx_run_opts *o)
{
	json_t *a = json_array();

	for (size_t i = 0; i < o->n_report_argv; i++)
		json_array_append_new(a, jstr(o->report_argv[i]));
	return a;
}

static json_t *report_json(struct sup *s, const struct sbx_result *res)
{
	json_t *r = json_object(), *pol = json_object(), *t = json_object(), *sum = json_object();

	json_object_set_new(r, "report_version", json_integer(1));
	json_object_set_new(r, "sandboxpy_version", json_string(SBX_VERSION));
	json_object_set_new(pol, "name", json_string(s->p->name));
	json_object_set_new(pol, "source", json_string(s->p->source));
	json_object_set_new(pol, "sha256", json_string(s->p->sha256));
	json_object_set_new(r, "policy", pol);
	json_object_set_new(r, "argv", argv_json(s->o));
	/* Never to be confused with an enforced run: said first, and again
	 * in layers, summary and message. */
	json_object_set_new(r, "mode", json_string(s->o->audit_only ? "audit-only" : "enforce"));
	json_object_set_new(r, "status", json_string(sbx_status_name(res->status)));
	json_object_set_new(r, "message", json_string(res->message));
	json_object_set_new(r, "exit_code", res->exit_code >= 0 ? json_integer(res->exit_code) : json_null());
	json_object_set_new(r, "signal", res->signal ? json_integer(res->signal) : json_null());
	json_object_set_new(t, "cpu_s", json_real(round3(res->cpu_s)));
	json_object_set_new(t, "wall_s", json_real(round3(res->wall_s)));
	json_object_set_new(r, "time", t);
	json_object_set_new(r, "max_rss_kb", json_integer(res->max_rss_kb));
	json_object_set_new(r, "layers", layers_json(s));
	if (s->o->audit_only) {
		json_t *l = json_object_get(r, "layers");
		json_object_set_new(l, "enforced", json_false());
		json_object_set_new(l, "note", json_string(
			"--audit-only: nothing was enforced. Every deny and kill of the policy was "
			"recorded with \"would\" and let through; Landlock was not applied; the network "
			"was the host's; limits still held."));
	}
	{
		/* A stand-in the report's writer replaces with the events file;
		 * the nonce keeps any string of the program from matching it. */
		char ph[64];
		snprintf(ph, sizeof(ph), "sbx-events-%016llx", (unsigned long long)s->nonce);
		json_object_set_new(r, "events", json_string(ph));
	}
	json_object_set_new(sum, "denied", json_integer((json_int_t)res->denied));
	json_object_set_new(sum, "logged", json_integer((json_int_t)res->logged));
	json_object_set(sum, "killed_by", s->killed_by ? s->killed_by : json_null());
	json_object_set_new(sum, "bypass", json_integer((json_int_t)res->bypass));
	json_object_set_new(sum, "events_dropped", json_integer((json_int_t)res->dropped));
	channel_summary(s, sum);
	if (s->o->audit_only) {
		json_t *u = json_object();
		/* Sampled, so a peak shorter than 50 ms may be missed; --learn
		 * adds headroom. null: no cgroup to sample here. */
		json_object_set_new(u, "max_tasks", s->max_tasks ? json_integer(s->max_tasks) : json_null());
		json_object_set_new(u, "max_open_files", s->max_fds ? json_integer(s->max_fds) : json_null());
		json_object_set_new(r, "usage", u);
		json_object_set_new(sum, "would_deny", json_integer((json_int_t)s->would));
		json_object_set(sum, "would_deny_by_rule", s->would_by_rule);
	}
	json_object_set_new(r, "summary", sum);
	json_object_set(r, "errors", s->errors);
	return r;
}

/* The report text with its events put in: everything before the
 * stand-in, the events file, everything after. */
static int emit_report(struct sup *s, const char *text, FILE *out)
{
	char ph[64], buf[8192];
	const char *at;
	size_t n;

	snprintf(ph, sizeof(ph), "\"sbx-events-%016llx\"", (unsigned long long)s->nonce);
	at = strstr(text, ph);
	if (!at)
		return -EINVAL;
	fwrite(text, 1, (size_t)(at - text), out);
	fputc('[', out);
	if (s->ev_file && s->n_events) {
		fflush(s->ev_file);
		rewind(s->ev_file);
		while ((n = fread(buf, 1, sizeof(buf), s->ev_file)) > 0)
			fwrite(buf, 1, n, out);
		fseek(s->ev_file, 0, SEEK_END);
		fputs("\n  ", out);
	}
	fputc(']', out);
	fputs(at + strlen(ph), out);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

/* Atomically, as sbx_write_json_atomic. */
static int write_report(struct sup *s, const char *text, const char *path)
{
	char tmp[4096];
	FILE *f;
	int fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0644);
	if (!(f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	r = emit_report(s, text, f);
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

int sbx_write_json_atomic(const char *path, json_t *doc)
{
	char tmp[4096];
	int fd, r = 0;
	char *text;
	size_t len, off = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out_free;
	}
	fchmod(fd, 0644);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	if (!r && write(fd, "\n", 1) != 1)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
out_free:
	free(text);
	return r;
}

int sbx_report_write_failure(const char *path, const char *const *argv, size_t argc,
			     const char *policy_source, const struct sbx_error *errs)
{
	json_t *r = json_object(), *a = json_array(), *e = json_array(), *sum = json_object(),
	       *pol = json_object(), *t = json_object();
	char line[1024] = "sandboxpy failed before the program could run";
	int rc;

	for (size_t i = 0; i < argc; i++)
		json_array_append_new(a, jstr(argv[i]));
	for (int i = 0; errs && i < errs->n; i++) {
		char buf[1024];
		sbx_error_format(errs, i, buf, sizeof(buf));
		json_array_append_new(e, jstr(buf));
		if (i == 0)
			snprintf(line, sizeof(line), "%s", buf);
	}
	json_object_set_new(r, "report_version", json_integer(1));
	json_object_set_new(r, "sandboxpy_version", json_string(SBX_VERSION));
	json_object_set_new(pol, "name", json_null());
	json_object_set_new(pol, "source", policy_source ? json_string(policy_source) : json_null());
	json_object_set_new(pol, "sha256", json_null());
	json_object_set_new(r, "policy", pol);
	json_object_set_new(r, "argv", a);
	json_object_set_new(r, "status", json_string("internal"));
	json_object_set_new(r, "message", jstr(line));
	json_object_set_new(r, "exit_code", json_null());
	json_object_set_new(r, "signal", json_null());
	json_object_set_new(t, "cpu_s", json_real(0));
	json_object_set_new(t, "wall_s", json_real(0));
	json_object_set_new(r, "time", t);
	json_object_set_new(r, "max_rss_kb", json_integer(0));
	json_object_set_new(r, "layers", json_object());
	json_object_set_new(r, "events", json_array());
	json_object_set_new(sum, "denied", json_integer(0));
	json_object_set_new(sum, "logged", json_integer(0));
	json_object_set_new(sum, "killed_by", json_null());
	json_object_set_new(sum, "bypass", json_integer(0));
	json_object_set_new(sum, "events_dropped", json_integer(0));
	json_object_set_new(r, "summary", sum);
	json_object_set_new(r, "errors", e);
	rc = sbx_write_json_atomic(path, r);
	json_decref(r);
	return rc;
}

/* ---- the run ---- */

static long count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	long n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return d ? n : -1;
}

/* --audit-only: the processes and threads the sandbox holds, and the most
 * descriptors one process holds, sampled twenty times a second, so that
 * --learn can set tasks and open_files from what the run used. */
static void sample_usage(struct sup *s)
{
	const char *dir = s->cg.pids ? s->cg.pids_dir : s->cg.memory ? s->cg.mem
			  : s->cg.cpu ? s->cg.cpu_dir : NULL;
	char path[4200];
	long tasks = 0;
	FILE *f;
	int pid;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return;
	while (fscanf(f, "%d", &pid) == 1) {
		long t, fds;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		t = count_dir(path);
		tasks += t > 0 ? t : 0;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = count_dir(path);
		if (fds > s->max_fds)
			s->max_fds = fds;
	}
	fclose(f);
	if (tasks > s->max_tasks)
		s->max_tasks = tasks;
}

/* policy.md: a write entry may not exist yet. Landlock confines only what
 * exists when the ruleset is made, so a missing entry is made here, as an
 * empty directory the program can fill (docs/policy.md). One that cannot
 * be made stays missing, and writes there are refused. */
static void make_missing_writes(struct sup *s)
{
	const struct sbx_strv *w = &s->p->fs.write;
	struct stat st;

	for (size_t i = 0; i < w->n; i++) {
		if (lstat(w->v[i], &st) == 0 || errno != ENOENT)
			continue;
		if (mkdir(w->v[i], 0755) == 0) {
			/* Made for the sandbox: its uid's, never root's (plan.c). */
			if (geteuid() == 0)
				(void)!chown(w->v[i], SBX_SANDBOX_ID, SBX_SANDBOX_ID);
			json_array_append_new(s->created, jstr(w->v[i]));
		} else if (!s->o->quiet)
			fprintf(stderr, "sandboxpy: cannot make the write directory %s: %s\n", w->v[i],
				strerror(errno));
	}
}

/* The channel goes to descriptor 3 in the child, unless this supervisor
 * runs inside another sandboxpy, whose filter refuses to let anything be
 * put at its own channel's number (3, or more when nested deeper): then
 * the first number such a dup2 is not refused for. The probe puts a copy
 * of a descriptor over itself or over a free slot, and undoes it. */
static int pick_chan_no(void)
{
	if (prctl(PR_GET_SECCOMP) != 2)
		return 3;
	for (int fd = 3; fd < 16; fd++) {
		int flags = fcntl(fd, F_GETFD), copy = dup(flags >= 0 ? fd : 0), r;
		if (copy < 0)
			return 3;
		r = dup2(copy, fd);
		if (r >= 0 && flags < 0)
			close(fd);
		else if (r >= 0)
			fcntl(fd, F_SETFD, flags);	/* dup2 cleared FD_CLOEXEC */
		close(copy);
		if (r >= 0)
			return fd;
	}
	return 3;
}

/* The sandbox into its cgroups: the child (the PID namespace's init), then
 * what it has forked so far, the program's process. A fork racing the
 * first write either finished before it (and is listed after it) or
 * inherits the new cgroup: fork and attach exclude each other. */
static int attach_sandbox(struct sup *s)
{
	char path[64], buf[256];
	int r, fd;
	ssize_t n = 0;

	if (!(s->plan.ns.flags & CLONE_NEWPID))
		return sbx_cgroup_attach(&s->cg, s->pid);
	/* The init forks the program as soon as it is released; wait for
	 * that fork (a few microseconds; at most 0.1 s if the init died)
	 * rather than make it wait for our grace period. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", s->pid, s->pid);
	for (int i = 0; i < 1000 && n <= 0; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0) {
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
	r = sbx_cgroup_attach(&s->cg, s->pid);
	buf[n > 0 ? n : 0] = '\0';
	for (char *p = buf, *end; r == 0 && *p; p = end) {
		long kid = strtol(p, &end, 10);
		if (end == p)
			break;
		r = sbx_cgroup_attach(&s->cg, (pid_t)kid);
	}
	return r;
}

/* The attach in a helper process: the kernel's grace period then runs
 * while we build the filter. 0 when there is nothing to attach. */
static pid_t attach_start(struct sup *s)
{
	pid_t h;

	if (!(s->cg.memory || s->cg.pids || s->cg.cpu))
		return 0;
	h = fork();
	if (h == 0)
		_exit(-attach_sandbox(s) & 0xff);
	return h < 0 ? -errno : h;
}

static int attach_wait(pid_t h)
{
	int st;

	if (h <= 0)
		return h;
	while (waitpid(h, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? -WEXITSTATUS(st) : -EIO;
}

/* A child that was cloned but never released: it has run nothing of its
 * own, it is waiting for the supervisor's byte. */
static void abandon_child(struct sup *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

/* Opens a file the supervisor reads or writes for the run (--stdin,
 * --stdout, --stderr, --log) with its own credentials, without following
 * a symlink the sandbox could have planted: inside one of the run's
 * writable trees no symlink is followed at all (RESOLVE_NO_SYMLINKS), and
 * elsewhere, started as root, not a last component the sandbox's uid owns.
 * A link an earlier run planted would otherwise have root truncate or
 * read a file of its choosing. -errno. */
static int open_own(const char *path, int flags, char *const *write_roots)
{
	char abs[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY), .mode = 0644 };
	struct stat st;
	char *slash;
	bool inside = false;

	if (path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", path);
	else if (!getcwd(dir, sizeof(dir)) || (size_t)snprintf(abs, sizeof(abs), "%s/%s", dir, path) >= sizeof(abs))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", abs);
	if ((slash = strrchr(dir, '/')))
		slash[slash == dir ? 1 : 0] = '\0';
	for (char *const *r = write_roots; r && *r && !inside; r++)
		inside = sbx_path_under(abs, *r) ||
			 (realpath(dir, real) && sbx_path_under(real, *r));
	if (!(flags & O_CREAT))
		how.mode = 0;
	if (inside)
		how.resolve = RESOLVE_NO_SYMLINKS;
	else if (geteuid() == 0 && lstat(abs, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid == SBX_SANDBOX_ID)
		how.flags |= O_NOFOLLOW;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static int open_stdio(const char *path, int flags, int *out, char *const *write_roots, struct sbx_error *err)
{
	int fd = open_own(path, flags, write_roots);

	if (fd < 0) {
		sbx_diag_add(err, path, 0, 0, NULL, "cannot open: %s%s", strerror(-fd),
			     fd == -ELOOP ? " (a symlink sandboxpy will not follow for the run)" : "");
		return fd;
	}
	*out = fd;
	return 0;
}

static void finish(struct sup *s, struct sbx_result *res, struct sbx_error *err)
{
	res->denied = s->denied;
	res->logged = s->logged;
	res->dropped = s->dropped;
	res->bypass = s->bypass;
	for (int i = 0; err && i < err->n; i++) {
		char buf[1024];
		sbx_error_format(err, i, buf, sizeof(buf));
		json_array_append_new(s->errors, json_string(buf));
	}
	if (res->status == SBX_ST_INTERNAL && !json_array_size(s->errors))
		json_array_append_new(s->errors, json_string(res->message));
	if (s->o->audit_only) {
		/* "audit-only: nothing was enforced; would have refused 3
		 * (filesystem.write 2, network.connect 1); <message>" */
		char by[256] = "", msg[sizeof(res->message)];
		size_t off = 0;
		const char *k;
		json_t *v;
		json_object_foreach(s->would_by_rule, k, v) {
			int n = snprintf(by + off, sizeof(by) - off, "%s%s %lld", off ? ", " : "", k,
					 (long long)json_integer_value(v));
			if (n < 0 || (size_t)n >= sizeof(by) - off) {
				snprintf(by + (off < sizeof(by) - 5 ? off : sizeof(by) - 5), 5, ", ...");
				break;
			}
			off += (size_t)n;
		}
		snprintf(msg, sizeof(msg), "audit-only, nothing was enforced: the policy would have "
			 "refused %lu operation%s%s%s%s; %s", s->would, s->would == 1 ? "" : "s",
			 s->would ? " (" : "", by, s->would ? ")" : "", res->message);
		snprintf(res->message, sizeof(res->message), "%s", msg);
	}
	if (s->o->report_path || s->o->want_report_json) {
		json_t *rep = report_json(s, res);
		char *text = json_dumps(rep, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		int r = text ? 0 : -ENOMEM;
		if (!r && s->o->report_path)
			r = write_report(s, text, s->o->report_path);
		if (r < 0)
			fprintf(stderr, "sandboxpy: cannot write report %s: %s\n",
				s->o->report_path ? s->o->report_path : "(in memory)", strerror(-r));
		if (text && s->o->want_report_json) {
			char *mem = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&mem, &len);
			if (m && emit_report(s, text, m) == 0 && fclose(m) == 0)
				res->report_json = mem;
			else if (m)
				free(mem);
		}
		free(text);
		json_decref(rep);
	}
	if (!s->o->quiet && s->o->audit_only) {
		fprintf(stderr, "sandboxpy: %s: %s%s%s\n", sbx_status_name(res->status), res->message,
			s->o->report_path ? "; report: " : "", s->o->report_path ? s->o->report_path : "");
	} else if (!s->o->quiet && (s->denied || (res->status != SBX_ST_OK && res->status != SBX_ST_ERROR))) {
		char kern[96] = "";
		if (s->kernel_denied)
			snprintf(kern, sizeof(kern), " (%lu by the kernel, %lu bypass)", s->kernel_denied,
				 s->bypass);
		fprintf(stderr, "sandboxpy: %s: %s; %lu denied%s, %lu logged%s%s\n",
			sbx_status_name(res->status), res->message, s->denied, kern, s->logged,
			s->o->report_path ? "; report: " : "", s->o->report_path ? s->o->report_path : "");
	}
	if (s->o->guard)
		s->o->guard->state = SBX_GUARD_REPORTED;
}

void sbx_result_free(struct sbx_result *res)
{
	if (!res)
		return;
	free(res->report_json);
	res->report_json = NULL;
}

/* The caller's descriptor as the sandbox's stdio: a private copy, so
 * that the caller's stays as it was. */
static int dup_stdio(int fd, int *out, struct sbx_error *err)
{
	int c = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (c < 0) {
		int r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "stdio descriptor %d: %s", fd, strerror(errno));
		return r;
	}
	*out = c;
	return 0;
}

/* ---- the last-resort parent's page (guard.c) ---- */

/* What the run leaves on the host, as far as it is known yet; state
 * SBX_GUARD_RUNNING from just before the clone. */
static void guard_note(struct sbx_guard *g, const struct sup *s, int state)
{
	if (!g)
		return;
	snprintf(g->cgroup[0], sizeof(g->cgroup[0]), "%s", s->cg.mem);
	snprintf(g->cgroup[1], sizeof(g->cgroup[1]), "%s", s->cg.pids_dir);
	snprintf(g->cgroup[2], sizeof(g->cgroup[2]), "%s", s->cg.cpu_dir);
	snprintf(g->tmpdir, sizeof(g->tmpdir), "%s", s->plan.tmpdir ? s->plan.tmpdir : "");
	snprintf(g->policy_dir, sizeof(g->policy_dir), "%s", s->plan.policy_dir ? s->plan.policy_dir : "");
	if (state)
		g->state = state;
}

/* ---- the program's standard streams ---- */

/* The limit RLIMIT_FSIZE puts on a regular file, in bytes; -1: none. */
static long long fsize_cap(const struct sup *s, int fd)
{
	struct stat st;

	if (s->p->limits.file_size_mb < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)(s->p->limits.file_size_mb * 1024.0 * 1024.0);
}

/* The supervisor's own standard error is never a file the program can
 * write through a descriptor: a program holding it could ftruncate the
 * supervisor's lines away, or set O_NONBLOCK on a shared pipe so that
 * they fail with EAGAIN. When the program would inherit it (no --stderr,
 * no descriptor of the caller's), it gets a pipe instead, and the
 * supervisor copies that pipe to its stderr (relay_copy). Standard
 * output joins the same pipe when it is the same file, so that their
 * order is kept. A terminal is left as it is: it cannot be truncated,
 * and the program may want isatty() to be true. */
static int setup_relay(struct sup *s, struct sbx_error *err)
{
	struct stat e, out;
	int pv[2];

	if (s->plan.stdio_fd[2] >= 0 || fstat(2, &e) < 0 || isatty(2))
		return 0;
	if (pipe2(pv, O_CLOEXEC) < 0) {
		int r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot make the program's stderr pipe: %s", strerror(errno));
		return r;
	}
	fcntl(pv[0], F_SETFL, O_NONBLOCK);
	s->plan.stdio_fd[2] = pv[1];
	s->relay_rd = pv[0];
	s->relay_cap = fsize_cap(s, 2);
	if (s->plan.stdio_fd[1] < 0 && fstat(1, &out) == 0 && !isatty(1) &&
	    out.st_dev == e.st_dev && out.st_ino == e.st_ino &&
	    (s->plan.stdio_fd[1] = fcntl(pv[1], F_DUPFD_CLOEXEC, 3)) >= 0)
		s->relay_merged = true;
	return 0;
}

/* Where the next write to our stderr lands, as RLIMIT_FSIZE counts it. */
static long long relay_pos(void)
{
	struct stat st;
	int fl = fcntl(2, F_GETFL);

	if (fl >= 0 && !(fl & O_APPEND))
		return (long long)lseek(2, 0, SEEK_CUR);
	return fstat(2, &st) == 0 ? (long long)st.st_size : -1;
}

/* All of buf to fd; waits (up to a second at a time) on a descriptor that
 * is non-blocking, as a caller's stderr may be. */
static int write_all(int fd, const void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)buf + off, len - off);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = { fd, POLLOUT, 0 };
			if (poll(&pf, 1, 1000) <= 0)
				return -EAGAIN;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

static void kill_run(struct sup *s)
{
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
}

/* Copies what the program wrote, a bounded amount per call (the loop has
 * other work); at the end (final) until the pipe is empty. A regular file
 * is held to file_size_mb as RLIMIT_FSIZE would hold the program's own
 * writes: the part up to the limit is written, then the run ends with
 * status output (measured here, not inferred from a signal). */
static void relay_copy(struct sup *s, bool final)
{
	int rounds = final ? 1 << 14 : 16;
	char buf[65536];

	for (int i = 0; s->relay_rd >= 0 && i < rounds; i++) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (s->relay_cap >= 0) {
			long long pos = relay_pos(), room = s->relay_cap - pos;
			if (pos >= 0 && room <= 0) {
				s->output_reached = s->relay_merged ? "the program's standard output and error"
						    : "the program's standard error";
				kill_run(s);
				break;
			}
			if (pos >= 0 && (unsigned long long)room < want)
				want = (size_t)room;
		}
		n = read(s->relay_rd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || write_all(2, buf, (size_t)n) < 0)
			break;
		s->relay_bytes += (unsigned long long)n;
		if (i + 1 == rounds)
			return;		/* more next time */
	}
	/* The end, the limit, or our stderr is gone: the program's next
	 * write fails with EPIPE, as it would on a closed pipe. */
	if (s->relay_rd >= 0) {
		close(s->relay_rd);
		s->relay_rd = -1;
	}
}

/* The program's streams that the supervisor does not copy, kept to be
 * measured at the end: a regular file that reached file_size_mb during
 * the run is status output. */
static void keep_streams(struct sup *s)
{
	for (int i = 1; i < 3; i++) {
		int src = s->plan.stdio_fd[i] >= 0 ? s->plan.stdio_fd[i] : i;
		struct stat st;
		if ((i == 2 && s->relay_rd >= 0) || (i == 1 && s->relay_merged) || fsize_cap(s, src) < 0 ||
		    fstat(src, &st) < 0)
			continue;
		s->out_fd[i] = fcntl(src, F_DUPFD_CLOEXEC, 3);
		s->out_size0[i] = (long long)st.st_size;
	}
}

static void measure_streams(struct sup *s)
{
	static const char *const names[3] = { NULL, "the program's standard output",
					      "the program's standard error" };
	struct stat st;

	for (int i = 1; i < 3; i++) {
		if (s->out_fd[i] < 0)
			continue;
		if (!s->output_reached && fstat(s->out_fd[i], &st) == 0 &&
		    (long long)st.st_size >= fsize_cap(s, s->out_fd[i]) &&
		    (long long)st.st_size > s->out_size0[i])
			s->output_reached = names[i];
		close(s->out_fd[i]);
		s->out_fd[i] = -1;
	}
}

/* A SIGXFSZ death: did a regular file of the write tree reach
 * file_size_mb during the run? The signal alone may be the program's own
 * (kill), so it is looked for, from outside: no symlink followed, at most
 * SBX_FSIZE_SCAN entries (a hostile tree costs the same as any other). */
#define SBX_FSIZE_SCAN 20000

static __thread struct {
	long long cap;
	time_t since;
	long left;
	bool found;
} fscan;

static int fscan_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (--fscan.left < 0)
		return 1;
	if (flag == FTW_F && S_ISREG(st->st_mode) && st->st_size >= fscan.cap && st->st_mtime >= fscan.since)
		fscan.found = true;
	return fscan.found;
}

static void measure_write_tree(struct sup *s)
{
	if (s->p->limits.file_size_mb < 0 || s->output_reached)
		return;
	fscan.cap = (long long)(s->p->limits.file_size_mb * 1024.0 * 1024.0);
	fscan.since = s->started - 1;
	fscan.left = SBX_FSIZE_SCAN;
	fscan.found = false;
	for (char **v = s->plan.write_v; v && *v && !fscan.found && fscan.left > 0; v++)
		nftw(*v, fscan_entry, 8, FTW_PHYS | FTW_MOUNT);
	if (fscan.found)
		s->output_reached = "a file of the write tree";
}

/* A reader of our stderr that went away makes the copy fail with EPIPE,
 * not kill the supervisor: SIGPIPE is held in this thread during the run
 * and one raised by it dropped at the end. The process's disposition,
 * which belongs to a library's caller, is left alone. */
static bool block_sigpipe(void)
{
	sigset_t p, pend;

	sigemptyset(&p);
	sigaddset(&p, SIGPIPE);
	sigpending(&pend);
	sigprocmask(SIG_BLOCK, &p, NULL);
	return sigismember(&pend, SIGPIPE) == 1;
}

static void drop_sigpipe(bool was_pending)
{
	struct timespec zero = { 0, 0 };
	sigset_t p, pend;

	sigemptyset(&p);
	sigaddset(&p, SIGPIPE);
	if (!was_pending && sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1)
		sigtimedwait(&p, NULL, &zero);
}

/* ---- the wall clock, held apart from the loop ---- */

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

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;

	for (;;) {
		struct pollfd pf = { w->stop[0], POLLIN, 0 };
		struct timespec now, left;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = w->deadline.tv_sec - now.tv_sec;
		left.tv_nsec = w->deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000L;
			left.tv_sec--;
		}
		if (left.tv_sec < 0)
			break;
		r = ppoll(&pf, 1, &left, NULL);
		if (r > 0 || (r < 0 && errno != EINTR))
			return NULL;	/* stopped */
	}
	atomic_store(&w->fired, true);
	syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	kill(-w->pid, SIGKILL);
	return NULL;
}

static int watchdog_start(struct watchdog *w, const struct timespec *t0, double wall, int pidfd,
			  pid_t pid)
{
	long ns;
	int r;

	w->pidfd = pidfd;
	w->pid = pid;
	atomic_init(&w->fired, false);
	w->deadline = *t0;
	w->deadline.tv_sec += (time_t)wall;
	ns = w->deadline.tv_nsec + (long)((wall - (double)(time_t)wall) * 1e9);
	w->deadline.tv_sec += ns / 1000000000L;
	w->deadline.tv_nsec = ns % 1000000000L;
	if (pipe2(w->stop, O_CLOEXEC) < 0)
		return -errno;
	if ((r = pthread_create(&w->th, NULL, watchdog_main, w)) != 0) {
		close(w->stop[0]);
		close(w->stop[1]);
		return -r;
	}
	w->running = true;
	return 0;
}

/* Before the child is reaped: nothing is killed by pid after that. True
 * when the deadline passed. */
static bool watchdog_stop(struct watchdog *w)
{
	if (!w->running)
		return false;
	(void)!write(w->stop[1], "x", 1);
	pthread_join(w->th, NULL);
	close(w->stop[0]);
	close(w->stop[1]);
	w->running = false;
	return atomic_load(&w->fired);
}

static int run_here(const struct sbx_policy *p, const struct sbx_run_opts *o,
		    struct sbx_result *res, struct sbx_error *err)
{
	struct sup s = { .p = p, .o = o, .listener = -1, .chan = -1, .relay_rd = -1,
			 .out_fd = { -1, -1, -1 } };
	struct watchdog wd = { .running = false };
	pid_t attacher = 0;
	struct sbx_ns ns;
	int sv[2] = { -1, -1 }, pidfd = -1, sfd = -1, ctfd = -1, rc = 0;
	sigset_t mask, oldmask;
	struct rusage ru = { 0 };
	int wstatus = 0;
	bool reaped = false, pipe_was_pending = true;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	s.ev_file = events_file();
	if (getrandom(&s.nonce, sizeof(s.nonce), 0) != (ssize_t)sizeof(s.nonce))
		s.nonce = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	s.errors = json_array();
	s.would_by_rule = json_object();
	s.created = json_array();
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, NULL, &oldmask);

	/* cli.md: a required layer that cannot be set up is exit 125 before
	 * anything runs. This version builds no netns yet. */
	s.ll_abi = sbx_landlock_abi();
	if (s.ll_abi <= 0)
		snprintf(s.ll_reason, sizeof(s.ll_reason), "the kernel has no Landlock (%s)",
			 s.ll_abi == -EOPNOTSUPP ? "disabled at boot" : strerror(-s.ll_abi));
	if ((o->require & SBX_LAYER_LANDLOCK) && s.ll_abi <= 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--require: the landlock layer is not available: %s",
			     s.ll_reason);
		rc = -ENOTSUP;
		goto out_internal;
	}
	sbx_ns_plan(p, &ns);
	if (o->audit_only) {
		/* Nothing refused by the policy: the host's network (connects
		 * are recorded against the policy, then made). The identity
		 * stays: started as root, the program still runs as
		 * sandboxpy's uid, so what it may touch is an unprivileged
		 * user's, never root's (docs/authoring.md). */
		ns.net = SBX_NET_HOST;
		ns.flags &= ~(unsigned long)CLONE_NEWNET;
	}
	if ((o->require & SBX_LAYER_NETNS) && ns.net == SBX_NET_HOST) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--require: the netns layer is not available: the "
			     "policy names hosts outside, so the sandbox uses the host's network");
		rc = -ENOTSUP;
		goto out_internal;
	}
	sbx_cgroup_setup(&s.cg, &p->limits);
	guard_note(o->guard, &s, 0);
	/* The filter is compiled once the child runs (below), while it starts
	 * its interpreter; its channel descriptor is decided now. */
	s.chan_no = pick_chan_no();
	make_missing_writes(&s);
	rc = sbx_child_plan_build(&s.plan, p, o, err);
	guard_note(o->guard, &s, 0);
	if (rc < 0)
		goto out_internal;
	s.plan.seccomp = NULL;	/* sent on the channel (sbx_seccomp_send) */
	s.plan.chan_no = s.chan_no;
	s.plan.landlock_abi = s.ll_abi;
	s.plan.ns = ns;
	s.ns_set = true;
	{
		/* --audit-only (and so --learn): the working directory is bound
		 * like a write tree (child.c), so the way to it must be
		 * passable; idmapped trees are only ever read-only (ns.c). */
		char *aw[66], **wv = s.plan.write_v;
		size_t n = 0;
		if (o->audit_only) {
			for (char **v = s.plan.write_v; v && *v && n < 64; v++)
				aw[n++] = *v;
			aw[n++] = (char *)p->cwd;
			aw[n] = NULL;
			wv = aw;
		}
		s.plan.ns.n_idmap = sbx_ns_idmap_plan(&s.plan.ns, s.plan.read_v, wv, s.plan.exec_v,
						      p->cwd, s.plan.ns.idmap, 8);
	}
	s.plan.ns.idmap_fd = -1;
	if (s.plan.ns.n_idmap) {
		s.plan.ns.idmap_fd = sbx_ns_idmap_userns(&s.plan.ns);
		if (s.plan.ns.idmap_fd < 0) {
			rc = s.plan.ns.idmap_fd;
			sbx_diag_add(err, NULL, 0, 0, NULL, "cannot make the user namespace that gives uid %u "
				     "access to %s: %s", (unsigned)ns.uid, s.plan.ns.idmap[0], strerror(-rc));
			goto out_internal;
		}
	}
	s.plan.cg_memory = s.cg.memory;
	s.plan.cg_pids = s.cg.pids;
	if ((o->stdin_path && open_stdio(o->stdin_path, O_RDONLY, &s.plan.stdio_fd[0], s.plan.write_v, err) < 0) ||
	    (o->stdout_path && open_stdio(o->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, &s.plan.stdio_fd[1],
					  s.plan.write_v, err) < 0) ||
	    (o->stderr_path && open_stdio(o->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, &s.plan.stdio_fd[2],
					  s.plan.write_v, err) < 0)) {
		rc = -EINVAL;
		goto out_internal;
	}
	for (int i = 0; o->use_stdio_fds && i < 3; i++) {
		if (o->stdio_fds[i] < 0)
			continue;
		if (s.plan.stdio_fd[i] >= 0) {
			close(s.plan.stdio_fd[i]);
			s.plan.stdio_fd[i] = -1;
		}
		if (dup_stdio(o->stdio_fds[i], &s.plan.stdio_fd[i], err) < 0) {
			rc = -EBADF;
			goto out_internal;
		}
	}
	if (setup_relay(&s, err) < 0) {
		rc = -EPIPE;
		goto out_internal;
	}
	if (o->log_path) {
		int lfd = open_own(o->log_path, O_WRONLY | O_CREAT | O_TRUNC, s.plan.write_v);
		s.log = lfd >= 0 ? fdopen(lfd, "we") : NULL;
		if (!s.log) {
			rc = lfd < 0 ? lfd : -errno;
			if (lfd >= 0)
				close(lfd);
			sbx_diag_add(err, o->log_path, 0, 0, NULL, "cannot open the log: %s%s", strerror(-rc),
				     rc == -ELOOP ? " (a symlink sandboxpy will not follow for the run)" : "");
			goto out_internal;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot create the channel: %s", strerror(errno));
		goto out_internal;
	}
	s.chan = sv[0];
	/* The run's channel key: records without it are forgeries. */
	if (getrandom(s.plan.hook.chan_key, sizeof(s.plan.hook.chan_key), 0) !=
	    (ssize_t)sizeof(s.plan.hook.chan_key)) {
		rc = -EIO;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot draw the channel's key: %s", strerror(errno));
		goto out_internal;
	}
	if (!o->quiet && s.ll_abi <= 0)
		fprintf(stderr, "sandboxpy: landlock is not in force: %s\n", s.ll_reason);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	pipe_was_pending = block_sigpipe();
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	s.started = time(NULL);
	guard_note(o->guard, &s, SBX_GUARD_RUNNING);
	s.pid = sbx_ns_clone(&s.plan.ns);
	if (s.pid > 0 && o->guard)
		o->guard->sandbox = s.pid;
	if (s.pid < 0) {
		rc = s.pid;
		s.pid = 0;
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the sandbox: %s", strerror(-rc));
		goto out_internal;
	}
	/* Without a PID namespace (the kernel refused it), orphans of the run
	 * must come back to us so that none is left behind. Nothing of the
	 * program runs before our "go", so the child is the run's only
	 * process yet; the caller's other children are not the run's. */
	if (s.pid > 0 && !(s.plan.ns.flags & CLONE_NEWPID)) {
		int was = 0;
		size_t n;
		prctl(PR_GET_CHILD_SUBREAPER, &was);
		s.restore_subreaper = !was;
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		n = children_of(getpid(), s.host_kids, SBX_HOST_KIDS);
		for (size_t i = 0; i < n; i++)
			if (s.host_kids[i] != s.pid)
				s.host_kids[s.n_host_kids++] = s.host_kids[i];
		s.sweep = true;
	}
	if (s.pid == 0) {
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		close(sv[0]);
		s.plan.chan_fd = sv[1];
		sbx_child_main(&s.plan);
	}
	/* sv[1] stays open here until the end: the channel then never reads
	 * as closed while we live, and an end of file on it can only be the
	 * sandbox shutting it down (drain_channel). */
	/* cli.md: a required layer that is missing is exit 125 before
	 * anything runs; the child is still waiting for our byte. */
	if ((o->require & SBX_LAYER_NETNS) && !(s.plan.ns.flags & CLONE_NEWNET)) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--require: the netns layer is not available: %s",
			     s.plan.ns.reason[0] ? s.plan.ns.reason
			     : "the policy names hosts outside, so the sandbox uses the host's network");
		abandon_child(&s);
		rc = -ENOTSUP;
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		goto out_internal;
	}
	/* Released first: the child sets itself up and starts the
	 * interpreter while we put it in the run's cgroups (the kernel makes
	 * the first cgroup write of a while wait for an RCU grace period,
	 * milliseconds: docs/performance.md). The program itself waits for
	 * our "go", sent on READY, which comes after the attach: it never
	 * runs a single instruction outside its cgroups. */
	rc = sbx_ns_release(&s.plan.ns, s.pid);
	if (rc < 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot set up the user namespace: %s", strerror(-rc));
		abandon_child(&s);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		goto out_internal;
	}
	/* The filter, built once, while the child starts; it loads it as its
	 * last step before READY. The seccomp layer is always required
	 * (cli.md): without it the child gets nothing and ends. */
	attacher = attach_start(&s);
	rc = sbx_seccomp_build(p, s.chan_no, unmeasured_memory(&s) ? SBX_SC_MEMFD_UNBOUNDED : 0, &s.sc, err);
	/* EPIPE: the child is gone already (a required layer failed); its
	 * own record says why, and the loop below reads it. */
	if (rc == 0 && (rc = sbx_seccomp_send(s.sc, sv[0])) < 0 && rc != -EPIPE)
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot send the seccomp filter: %s", strerror(-rc));
	if (rc == -EPIPE)
		rc = 0;
	if (rc < 0) {
		attach_wait(attacher);
		abandon_child(&s);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		goto out_internal;
	}
	rc = attach_wait(attacher);
	if (rc == -ESRCH)
		rc = 0;		/* gone already: as above */
	if (rc < 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot put the sandbox in its cgroup: %s", strerror(-rc));
		abandon_child(&s);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		goto out_internal;
	}
	if (!o->quiet && s.plan.ns.reason[0])
		fprintf(stderr, "sandboxpy: namespaces are not in force: %s\n", s.plan.ns.reason);
	keep_streams(&s);
	for (int i = 0; i < 3; i++)
		if (s.plan.stdio_fd[i] >= 0) {
			close(s.plan.stdio_fd[i]);
			s.plan.stdio_fd[i] = -1;
		}

	pidfd = (int)syscall(SYS_pidfd_open, s.pid, 0);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	/* The wall clock counts from the clone, as it always has. */
	if (pidfd >= 0 && p->limits.wall_seconds >= 0) {
		int r = watchdog_start(&wd, &s.t0, p->limits.wall_seconds, pidfd, s.pid);
		if (r < 0) {
			close(pidfd);
			pidfd = -1;
			errno = -r;	/* for the message below */
		}
	}
	/* CPU time of the whole sandbox, every process of it: the cgroup's
	 * counter (or the tree from /proc, without one), read ten times a
	 * second. */
	if (s.cg.cpu || o->audit_only || p->limits.cpu_seconds >= 0 || unmeasured_memory(&s)) {
		/* --audit-only also samples what the run holds (for --learn). */
		struct itimerspec its = { { 0, 100000000 }, { 0, 100000000 } };
		if (o->audit_only) {
			/* Short runs too: first at 10 ms, then every 50 ms. */
			its.it_value.tv_nsec = 10000000;
			its.it_interval.tv_nsec = 50000000;
		}
		ctfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (ctfd >= 0)
			timerfd_settime(ctfd, 0, &its, NULL);
	}
	if (pidfd < 0 || sfd < 0 ||
	    ((s.cg.cpu || o->audit_only || p->limits.cpu_seconds >= 0 || unmeasured_memory(&s)) && ctfd < 0)) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot watch the child: %s", strerror(errno));
		kill(-s.pid, SIGKILL);
		kill(s.pid, SIGKILL);
		rc = -errno;
	}

	while (rc == 0) {
		struct pollfd pf[6] = {
			{ s.chan_eof ? -1 : sv[0], POLLIN, 0 },
			{ pidfd, POLLIN, 0 },
			{ s.relay_rd, POLLIN, 0 },
			{ sfd, POLLIN, 0 },
			{ s.listener, POLLIN, 0 },
			{ ctfd, POLLIN, 0 },
		};
		if (poll(pf, 6, -1) < 0) {
			if (errno == EINTR)
				continue;
			sbx_diag_add(err, NULL, 0, 0, NULL, "poll: %s", strerror(errno));
			kill(-s.pid, SIGKILL);
			rc = -errno;
			break;
		}
		/* What the program wrote before it sent a record or made a
		 * notified call is in its stderr pipe already: copied first,
		 * so that our line does not come before it. */
		if ((pf[0].revents || (pf[4].revents & POLLIN)) && s.relay_rd >= 0 &&
		    !sbx_fault("supervisor-crash"))
			relay_copy(&s, false);
		if (pf[0].revents)
			drain_channel(&s, sv[0]);
		if (pf[4].revents & POLLIN)
			on_notify(&s);
		else if (pf[4].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			close(s.listener);
			s.listener = -1;
		}
		if (pf[2].revents && sbx_fault("supervisor-crash"))
			abort();	/* sandboxpy-faults: the guard's test, on the program's first stderr write */
		if (pf[2].revents)
			relay_copy(&s, false);
		if (pf[5].revents & POLLIN) {
			uint64_t n;
			(void)!read(ctfd, &n, sizeof(n));
			if (o->audit_only)
				sample_usage(&s);
			if (unmeasured_memory(&s) && !s.mem_exceeded &&
			    sbx_tree_memory_mb(s.pid) >= p->limits.memory_mb) {
				s.mem_exceeded = true;
				kill(-s.pid, SIGKILL);
				kill(s.pid, SIGKILL);
			}
			if (p->limits.cpu_seconds >= 0 && !s.cpu_exceeded &&
			    sandbox_cpu(&s) >= p->limits.cpu_seconds) {
				s.cpu_exceeded = true;
				kill(-s.pid, SIGKILL);
				kill(s.pid, SIGKILL);
			}
		}
		if (pf[3].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGINT && !s.got_signal) {
					/* Ctrl-C: the program gets KeyboardInterrupt, as in python3. */
					kill(-s.pid, SIGINT);
				} else {
					s.got_signal = (int)si.ssi_signo;
					kill(-s.pid, SIGKILL);
					kill(s.pid, SIGKILL);
				}
			}
		}
		if (pf[1].revents & POLLIN)
			break;
	}
	/* The watchdog ends before the child is reaped: it kills by pid. */
	s.timed_out = watchdog_stop(&wd);
	if (pidfd >= 0 && wait4(s.pid, &wstatus, WNOHANG, &ru) == s.pid)
		reaped = true;
	res->wall_s = since(&s.t0);
	/* Records sent just before the end are still in the socket. */
	for (int i = 0; i < 64 && !s.chan_eof && drain_channel(&s, sv[0]); i++)
		;
	drain_notify(&s);
	if (!reaped && s.pid > 0) {
		kill(-s.pid, SIGKILL);
		kill(s.pid, SIGKILL);
		if (wait4(s.pid, &wstatus, 0, &ru) == s.pid)
			reaped = true;
	}
	/* In a PID namespace the supervisor's child is the init: the
	 * program's own status comes on the status pipe (the init's exit
	 * says nothing), unless the init itself was killed first. */
	if (reaped && (s.plan.ns.flags & CLONE_NEWPID) && s.plan.ns.status[0] >= 0) {
		int st;
		if (read(s.plan.ns.status[0], &st, sizeof(st)) == (ssize_t)sizeof(st))
			wstatus = st;
	}
	/* Everything else of the run: its process group, then orphans. */
	if (s.pid > 0)
		kill(-s.pid, SIGKILL);
	if (s.sweep)
		sweep(getpid(), s.host_kids, s.n_host_kids);
	relay_copy(&s, true);
	measure_streams(&s);
	if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGXFSZ)
		measure_write_tree(&s);
	s.oom_kills = sbx_cgroup_oom_kills(&s.cg);
	if (!s.cpu_exceeded && s.cg.cpu && p->limits.cpu_seconds >= 0 &&
	    sbx_cgroup_cpu_seconds(&s.cg) >= p->limits.cpu_seconds && WIFSIGNALED(wstatus))
		s.cpu_exceeded = true;	/* passed the limit between two reads */
	decide(&s, wstatus, &ru, res);
	if (rc < 0) {
		res->status = SBX_ST_INTERNAL;
		res->cli_status = 125;
		snprintf(res->message, sizeof(res->message), "sandboxpy failed while supervising the run");
	}
	goto out;

out_internal:
	res->status = SBX_ST_INTERNAL;
	res->cli_status = 125;
	if (err && err->n)
		sbx_error_format(err, 0, res->message, sizeof(res->message));
	else
		snprintf(res->message, sizeof(res->message), "sandboxpy failed before the program could run");
out:
	if (s.restore_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	/* The signals stay blocked until the report is written and the
	 * run's cgroups and files are gone: a SIGTERM that arrives now is
	 * delivered on return, after the clean-up, not in the middle of it. */
	finish(&s, res, err);
	if (s.plan.tmpdir)
		sbx_rmtree(s.plan.tmpdir);
	if (s.plan.policy_dir)
		sbx_rmtree(s.plan.policy_dir);	/* the inherited policy (plan.c) */
	for (int i = 0; i < 3; i++)
		if (s.plan.stdio_fd[i] >= 0)
			close(s.plan.stdio_fd[i]);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (pidfd >= 0)
		close(pidfd);
	watchdog_stop(&wd);
	if (s.relay_rd >= 0)
		close(s.relay_rd);
	for (int i = 1; i < 3; i++)
		if (s.out_fd[i] >= 0)
			close(s.out_fd[i]);
	if (ctfd >= 0)
		close(ctfd);
	if (sfd >= 0)
		close(sfd);
	log_close(&s);
	if (s.listener >= 0)
		close(s.listener);
	if (s.ns_set && s.plan.ns.idmap_fd >= 0)
		close(s.plan.ns.idmap_fd);
	for (int i = 0; s.ns_set && i < 2; i++) {
		if (s.plan.ns.sync[i] >= 0)
			close(s.plan.ns.sync[i]);
		if (s.plan.ns.status[i] >= 0)
			close(s.plan.ns.status[i]);
	}
	sbx_seccomp_free(s.sc);
	sbx_cgroup_destroy(&s.cg);
	if (s.ev_file)
		fclose(s.ev_file);
	json_decref(s.errors);
	json_decref(s.would_by_rule);
	json_decref(s.created);
	json_decref(s.killed_by);
	sbx_child_plan_free(&s.plan);
	if (o->guard)
		o->guard->state = SBX_GUARD_CLEAN;
	drop_sigpipe(pipe_was_pending);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return rc;
}

/* ---- from a host with other threads ---- */

/* The sandbox is started with a raw clone (namespaces), which skips
 * glibc's fork handlers: a lock another thread of the caller held at
 * that moment (malloc's, stdio's) would stay locked in the child for
 * good. So a threaded caller gets a worker first, made with glibc's
 * fork (which resets those locks), single-threaded, that runs the
 * sandbox and sends back the events (for the callback, in the caller's
 * thread) and the result. */
static int threads_of_self(void)
{
	char line[128];
	int n = 1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static int events_fd = -1;	/* in the worker only: a single thread */


static void forward_event(const char *event_json, void *ctx)
{
	size_t len = strlen(event_json);
	sbx_worker_event_len n = (sbx_worker_event_len)len;

	(void)ctx;
	if (write_all(events_fd, &n, sizeof(n)) == 0)
		(void)write_all(events_fd, event_json, len);
}

static int read_all(int fd, void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		off += (size_t)n;
	}
	return 0;
}

static int run_in_worker(const struct sbx_policy *p, const struct sbx_run_opts *o,
			 struct sbx_result *res, struct sbx_error *err)
{
	int ev[2] = { -1, -1 }, out[2] = { -1, -1 }, rc = -EIO, st;
	pid_t w;

	memset(res, 0, sizeof(*res));
	if (pipe2(ev, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the worker: %s", strerror(errno));
		goto fail;
	}
	w = fork();
	if (w < 0) {
		rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the worker: %s", strerror(errno));
		goto fail;
	}
	if (w == 0) {
		struct sbx_run_opts wo = *o;
		struct sbx_worker_result r;

		/* The caller's thread waits for us; if the caller dies, so do
		 * we, and sbx_run ends the sandbox on SIGTERM. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(ev[0]);
		close(out[0]);
		events_fd = ev[1];
		if (o->on_event) {
			wo.on_event = forward_event;
			wo.on_event_ctx = NULL;
		}
		sbx_error_clear(&r.err);
		r.code = run_here(p, &wo, &r.res, &r.err);
		close(ev[1]);
		r.report_len = r.res.report_json ? (uint32_t)strlen(r.res.report_json) : 0;
		if (write_all(out[1], &r, sizeof(r)) < 0 ||
		    (r.report_len && write_all(out[1], r.res.report_json, r.report_len) < 0))
			_exit(1);
		_exit(0);
	}
	close(ev[1]);
	ev[1] = -1;
	close(out[1]);
	out[1] = -1;
	/* Events as they come, in this thread; the result after them. */
	for (;;) {
		sbx_worker_event_len n;
		char *text;
		if (read_all(ev[0], &n, sizeof(n)) < 0)
			break;
		if (!(text = malloc((size_t)n + 1)) || read_all(ev[0], text, n) < 0) {
			free(text);
			break;
		}
		text[n] = '\0';
		if (o->on_event)
			o->on_event(text, o->on_event_ctx);
		free(text);
	}
	{
		struct sbx_worker_result r;
		if (read_all(out[0], &r, sizeof(r)) == 0) {
			*res = r.res;
			res->report_json = NULL;
			if (r.report_len && (res->report_json = malloc((size_t)r.report_len + 1))) {
				if (read_all(out[0], res->report_json, r.report_len) == 0) {
					res->report_json[r.report_len] = '\0';
				} else {
					free(res->report_json);
					res->report_json = NULL;
				}
			}
			for (int i = 0; err && i < r.err.n && err->n < SBX_ERR_MAX; i++)
				err->d[err->n++] = r.err.d[i];
			rc = r.code;
		} else {
			memset(res, 0, sizeof(*res));
			sbx_diag_add(err, NULL, 0, 0, NULL, "the worker that ran the sandbox died");
		}
	}
	while (waitpid(w, &st, 0) < 0 && errno == EINTR)
		;
	if (rc == -EIO && !res->cli_status)
		goto fail;
	close(ev[0]);
	close(out[0]);
	return rc;
fail:
	for (int i = 0; i < 2; i++) {
		if (ev[i] >= 0)
			close(ev[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	res->status = SBX_ST_INTERNAL;
	res->cli_status = 125;
	res->exit_code = -1;
	snprintf(res->message, sizeof(res->message), "sandboxpy failed before the program could run");
	return rc;
}

int sbx_run(const struct sbx_policy *p, const struct sbx_run_opts *o,
	    struct sbx_result *res, struct sbx_error *err)
{
	return threads_of_self() > 1 ? run_in_worker(p, o, res, err) : run_here(p, o, res, err);
}
