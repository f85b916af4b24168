/* run_record.c: what the sandbox did, recorded: every audit record and
 * every syscall the kernel refused becomes one event (the report's events,
 * the --log line, the host's callback), and a refusal is recorded the same
 * way whichever layer saw it (record_denial): counted, said in one line,
 * and, for a kill, the end of the run. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "sbx_events.h"
#include "sbx_run.h"

double sbx_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A JSON string, or a marker when the bytes are not UTF-8 (argv can be anything). */
json_t *sbx_jstr(const char *s)
{
	json_t *v = json_string(s);

	return v ? v : json_string("<not UTF-8>");
}

double sbx_round3(double v)
{
	return round(v * 10000.0) / 10000.0;
}

/* ---- events from the child ---- */

/* --log is bounded like the events list: logs past SBX_MAX_LOG_LINES
 * lines or SBX_MAX_LOG_BYTES bytes get one note and are counted in a last
 * note at the end of the run (log_close); a refusal is still written, up
 * to the refusals' caps. */
static void log_line(struct sup *s, const char *line, bool refusal)
{
	size_t len = strlen(line) + 1;
	bool room = refusal ? s->log_lines < SBX_MAX_LOG_LINES + SBX_MAX_REFUSALS &&
			      s->log_bytes + len <= SBX_MAX_LOG_BYTES + SBX_MAX_REFUSAL_BYTES
			    : !s->log_omitted && s->log_lines < SBX_MAX_LOG_LINES &&
			      s->log_bytes + len <= SBX_MAX_LOG_BYTES;

	if (!room) {
		if (!s->log_omitted++)
			fprintf(s->log, "{\"note\":\"log_truncated\",\"after_lines\":%lu,\"after_bytes\":%llu,"
				"\"detail\":\"further logs are counted, not written; refusals are still "
				"written (up to %d)\"}\n", s->log_lines, (unsigned long long)s->log_bytes,
				SBX_MAX_REFUSALS);
		return;
	}
	s->log_lines++;
	s->log_bytes += len;
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
}

void sbx_log_close(struct sup *s)
{
	if (!s->log)
		return;
	if (s->log_omitted)
		fprintf(s->log, "{\"note\":\"log_truncated\",\"omitted\":%lu}\n", s->log_omitted);
	fclose(s->log);
	s->log = NULL;
}

static void log_event(struct sup *s, json_t *ev, bool refusal)
{
	char *line;

	if (!s->log && !s->o->on_event)
		return;
	line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (!line)
		return;
	if (s->log)
		log_line(s, line, refusal);
	if (s->o->on_event)
		s->o->on_event(line, s->o->on_event_ctx);
	free(line);
}

/* Is there room for one more event of this kind, of len bytes? Logs have
 * their own small budget, so that a flood of them never takes the room
 * of a refusal. */
static bool room_for(const struct sup *s, enum sbx_kept_kind kind, size_t len)
{
	unsigned long long cap = s->ev_in_memory ? SBX_MAX_REFUSAL_BYTES / 4 : SBX_MAX_REFUSAL_BYTES;
	unsigned long refusals = s->n_events - s->ev_kept[SBX_KEPT_LOG];

	if (kind == SBX_KEPT_LOG)
		return s->ev_kept[SBX_KEPT_LOG] < SBX_MAX_EVENTS &&
		       s->ev_log_bytes + len <= SBX_MAX_LOG_EVENT_BYTES;
	return refusals < SBX_MAX_REFUSALS && s->ev_refusal_bytes + len <= cap;
}

/* Events go to an unlinked temporary file as they come, one compact
 * line each, and the report is written around them at the end: a flood
 * of denials does not grow the supervisor (docs/performance.md). What
 * does not fit its kind's budget is counted by kind (dropped_by). */
static void keep_event(struct sup *s, json_t *ev, enum sbx_kept_kind kind)
{
	char *line = NULL;
	size_t len = 0;

	if (s->ev_file && room_for(s, kind, 0))
		line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(ev);
	if (line)
		len = strlen(line) + 6;
	if (!line || !room_for(s, kind, len) ||
	    fprintf(s->ev_file, "%s    %s", s->n_events ? ",\n" : "\n", line) < 0) {
		s->dropped++;
		s->dropped_by[kind]++;
	} else {
		s->n_events++;
		s->ev_kept[kind]++;
		*(kind == SBX_KEPT_LOG ? &s->ev_log_bytes : &s->ev_refusal_bytes) += len;
	}
	free(line);
}

json_t *sbx_dropped_json(const struct sup *s)
{
	static const char *const names[SBX_KEPT_KINDS] = {
		[SBX_KEPT_LOG] = "log", [SBX_KEPT_DENY] = "deny", [SBX_KEPT_KILL] = "kill",
		[SBX_KEPT_WOULD_DENY] = "would_deny", [SBX_KEPT_WOULD_KILL] = "would_kill",
	};
	json_t *o = json_object();

	for (int i = 0; i < SBX_KEPT_KINDS; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)s->dropped_by[i]));
	return o;
}

/* The events file: an unlinked file in TMPDIR (or /tmp); in memory when
 * there is none, or when this supervisor runs inside another sandbox,
 * whose policy would only record the attempt. */
void sbx_events_open(struct sup *s)
{
	const char *dir = getenv("TMPDIR");
	int fd = -1;

	s->ev_file = NULL;
	if (prctl(PR_GET_SECCOMP) == 0)
		fd = open(dir && dir[0] == '/' ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 && (s->ev_file = fdopen(fd, "w+")))
		return;
	if (fd >= 0)
		close(fd);
	fd = memfd_create("sbx-events", MFD_CLOEXEC);
	if (fd < 0)
		return;
	s->ev_in_memory = true;
	if (!(s->ev_file = fdopen(fd, "w+")))
		close(fd);
}

/* One line per denial on the message callback, up to a bound: a program
 * looping on a refused call must not bury its own output; the report has
 * them all. */
static bool show_denial(struct sup *s)
{
	if (!sbx_may_say(s->o, SBX_MSG_DENIAL))
		return false;
	if (++s->lines_shown <= SBX_MAX_DENIAL_LINES)
		return true;
	if (s->lines_shown == SBX_MAX_DENIAL_LINES + 1)
		sbx_say(s->o, SBX_MSG_NOTE, "further denials are not shown here (the summary counts them%s)",
			s->o->report_path || s->log ? "; the report and --log list them" : "");
	return false;
}

/* "not in filesystem.write" + "; allow with ..." (the clause to change),
 * except under on_violation kill, a grading set-up, where the line stays
 * terse. */
static void add_hint(struct sup *s, enum sbx_rule rule, json_t *ev, char *setting, size_t len)
{
	char hint[700];
	size_t n = strlen(setting);

	if (sbx_policy_deny_action(s->p) == SBX_KILL || s->o->quiet)
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

/* One record of what the program did, from either layer, as
 * record_denial takes it: the event already built, and what its line and
 * its kill need. */
struct denial {
	json_t *ev;			/* the event (consumed) */
	enum sbx_rule rule;		/* the rule, for the hint */
	char setting[900];		/* the clause that decided, for the line */
	const char *what;		/* what was done: a detail or an event name */
	const char *where;		/* "file:line", or "" */
	const char *rule_note;		/* before the setting, with ": ": a rule id, or "" */
	const char *bypass_note;	/* after the setting, or "" */
	const char *event;		/* killed_by's event: the event or the syscall */
	const char *detail;		/* killed_by's detail */
	int proven;			/* killed_by's proven: 0, 1, or -1: not said */
	pid_t also_kill;		/* a process to kill besides the group, or 0 */
	bool kernel;			/* the kernel refused it (not an audit record) */
	bool refused, would, kill;	/* deny or kill; only would (--audit-only); kill */
};

/* The line for a refusal (cli.md's form): "denied DETAIL[ at WHERE]
 * (SETTING)", the kernel's with " by the kernel" and the rule and bypass
 * verdict inside; a kill adds "; ending the sandbox"; --audit-only says
 * "would deny". */
static void say_denial(struct sup *s, struct denial *dn)
{
	const char *head = !dn->would ? "denied " : dn->kernel ? "audit-only: the kernel would deny "
			   : "audit-only: would deny ";

	sbx_say(s->o, SBX_MSG_DENIAL, "%s%s%s%s%s (%s%s%s%s)%s", head, dn->what,
		dn->where[0] ? " at " : "", dn->where, dn->kernel && !dn->would ? " by the kernel" : "",
		dn->rule_note, dn->rule_note[0] ? ": " : "", dn->setting, dn->bypass_note,
		dn->kill && !dn->would ? "; ending the sandbox" : "");
}

/* The first kill of the run: its cause, then everything ends at once. The
 * supervisor enforces the kill a record claims: a claim never outlives
 * its process. */
static void record_kill(struct sup *s, const struct denial *dn)
{
	json_t *k = json_object();

	json_object_set(k, "rule", json_object_get(dn->ev, "rule"));
	json_object_set_new(k, "event", sbx_jstr(dn->event));
	json_object_set(k, "layer", json_object_get(dn->ev, "layer"));
	json_object_set_new(k, "detail", sbx_jstr(dn->detail));
	json_object_set_new(k, "where", dn->where[0] ? sbx_jstr(dn->where) : json_null());
	if (dn->proven >= 0)
		json_object_set_new(k, "proven", json_boolean(dn->proven));
	s->killed_by = k;
	if (s->pid > 0)
		kill(-s->pid, SIGKILL);
	if (dn->also_kill > 0)
		kill(dn->also_kill, SIGKILL);
}

/* Every record, audit or kernel, refused or let through: counted, its
 * line said (a refusal), logged and passed to the host, the run ended (a
 * kill), and kept for the report. */
static void record_denial(struct sup *s, struct denial *dn)
{
	bool deny = dn->refused && !dn->would;
	enum sbx_kept_kind kind = !dn->refused ? SBX_KEPT_LOG
				  : dn->would ? (dn->kill ? SBX_KEPT_WOULD_KILL : SBX_KEPT_WOULD_DENY)
				  : dn->kill ? SBX_KEPT_KILL : SBX_KEPT_DENY;

	if (deny)
		s->denied++;
	else
		s->logged++;
	if (dn->would)
		count_would(s, json_string_value(json_object_get(dn->ev, "rule")));
	if (dn->refused && show_denial(s)) {
		add_hint(s, dn->rule, dn->ev, dn->setting, sizeof(dn->setting));
		say_denial(s, dn);
	}
	log_event(s, dn->ev, dn->refused);
	if (dn->kill && !dn->would && !s->killed_by)
		record_kill(s, dn);
	keep_event(s, dn->ev, kind);
}

/* The fields every event starts with. */
static json_t *event_start(struct sup *s, const char *layer)
{
	json_t *ev = json_object();

	s->seq++;
	json_object_set_new(ev, "seq", json_integer((json_int_t)s->seq));
	json_object_set_new(ev, "t", json_real(sbx_round3(sbx_since(&s->t0))));
	json_object_set_new(ev, "layer", json_string(layer));
	return ev;
}

/* An audit record as the report's event. */
static json_t *audit_event_json(struct sup *s, struct sbx_decoded *d, bool would)
{
	json_t *ev = event_start(s, "audit");

	json_object_set_new(ev, "event", sbx_jstr(d->event));
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
	json_object_set_new(ev, "where", d->where[0] ? sbx_jstr(d->where) : json_null());
	json_object_set_new(ev, "pid", json_integer(d->pid));
	if (d->tid != d->pid)
		json_object_set_new(ev, "tid", json_integer(d->tid));
	if (d->detail[0])
		json_object_set_new(ev, "detail", sbx_jstr(d->detail));
	sbx_operand_json(ev, &d->op);
	return ev;
}

/* A record that let an operation through (action log, or --audit-only)
 * may explain a kernel refusal that follows it; any other record of the
 * thread ends what its earlier ones could explain. */
static void remember(struct sup *s, const struct sbx_decoded *d, bool passed)
{
	/* An events[] rule that logs stands for the section rule the event
	 * belongs to (os.fork: process.spawn), which is the rule the kernel
	 * names when it refuses the same operation. */
	const struct sbx_event_map *row;
	struct explained *x;

	forget_thread(s, d->pid, d->tid);
	if (!passed)
		return;
	row = d->rule == SBX_RULE_EVENTS ? sbx_event_lookup(d->event) : NULL;
	x = &s->ring[s->ring_next++ % SBX_EXPLAIN_RING];
	x->pid = d->pid;
	x->tid = d->tid;
	x->rule = row ? row->rule : d->rule;
	x->used = false;
	snprintf(x->event, sizeof(x->event), "%s", d->event);
}

void sbx_on_event(struct sup *s, struct sbx_decoded *d)
{
	bool refused = d->action == SBX_DENY || d->action == SBX_KILL;
	struct denial dn = {
		.rule = d->rule, .what = d->detail[0] ? d->detail : d->event, .where = d->where,
		.rule_note = "", .bypass_note = "", .event = d->event, .detail = d->detail,
		/* The death is real (it is enforced here); its cause is the
		 * record's word, which native code could have written. */
		.proven = records_prove(s), .refused = refused,
		.would = refused && s->o->audit_only, .kill = d->action == SBX_KILL,
	};

	dn.ev = audit_event_json(s, d, dn.would);
	remember(s, d, d->action == SBX_LOG || dn.would);
	if (sbx_may_say(s->o, SBX_MSG_DENIAL))
		sbx_rule_setting(s->p, d->rule, d->clause, dn.setting, sizeof(dn.setting));
	record_denial(s, &dn);
}

/* How the line says the bypass verdict. */
static const char *bypass_note(bool bypass, const char *claim)
{
	if (!bypass)
		return "";
	return claim ? "; bypass: only an audit record claims it, and the program can run native code"
		     : "; bypass: the audit hook never saw it";
}

/* A kernel refusal as the report's event. */
static json_t *kernel_event_json(struct sup *s, struct sbx_kdenial *k, enum sbx_action action,
				 bool would, bool bypass, const char *claim)
{
	json_t *ev;

	/* A write outside the writable trees is Landlock's rule, observed
	 * and answered here; the rest is the filter's own. */
	ev = event_start(s, k->v.check_write && ((s->ready_flags & SBX_READY_LANDLOCK) ||
						 (would && s->ll_abi > 0)) ? "landlock" : "seccomp");
	json_object_set_new(ev, "syscall", json_string(k->v.name));
	json_object_set_new(ev, "args", k->args);
	k->args = NULL;
	json_object_set_new(ev, "rule", json_string(sbx_rule_name(k->v.rule)));
	json_object_set_new(ev, "action", json_string(sbx_action_name(would ? SBX_LOG : action)));
	if (would)
		json_object_set_new(ev, "would", json_string(sbx_action_name(action)));
	json_object_set_new(ev, "errno", json_string(k->v.err == ENOSYS ? "ENOSYS" : k->v.err == EACCES ? "EACCES" : "EPERM"));
	json_object_set_new(ev, "pid", json_integer(k->ns_tgid));
	if (k->ns_tid != k->ns_tgid)
		json_object_set_new(ev, "tid", json_integer(k->ns_tid));
	json_object_set_new(ev, "detail", sbx_jstr(k->detail));
	sbx_operand_json(ev, &k->op);
	json_object_set_new(ev, "bypass", json_boolean(bypass));
	if (claim)
		json_object_set_new(ev, "claimed_by", sbx_jstr(claim));
	return ev;
}

/* Did an audit record of the same rule, from the same thread, let the
 * operation through just before? Under native code a record proves
 * nothing: the denial stays a bypass and *claim names the record. */
static bool explained_by_record(struct sup *s, const struct sbx_kdenial *k, const char **claim)
{
	for (unsigned i = 0; i < SBX_EXPLAIN_RING; i++) {
		struct explained *x = &s->ring[i];
		if (x->pid && !x->used && x->pid == k->ns_tgid && x->tid == k->ns_tid &&
		    x->rule == k->v.rule) {
			if (records_prove(s))
				return true;
			*claim = x->event;
			return false;
		}
	}
	return false;
}

/* A syscall the kernel refused. It is a bypass unless an audit record of
 * the same rule from the same thread let the operation through just
 * before, and the policy runs no native code (seccomp.md). */
static void on_kernel_denial(struct sup *s, struct sbx_kdenial *k)
{
	bool would = s->o->audit_only, named = k->v.why || k->v.unknown, bypass;
	enum sbx_action action = k->v.kill ? SBX_KILL : SBX_DENY;
	const char *claim = NULL;
	struct denial dn = {
		.rule = k->v.rule, .what = k->detail, .where = "", .event = k->v.name,
		.detail = k->detail, .proven = -1, .also_kill = k->tgid, .kernel = true,
		.refused = true, .would = would, .kill = action == SBX_KILL,
		.rule_note = "",
	};

	if (action == SBX_KILL && !would) {
		/* Before anything else: the caller is still blocked in the
		 * refused syscall (it was not answered) and never resumes. */
		if (s->pid > 0)
			kill(-s->pid, SIGKILL);
		kill(k->tgid, SIGKILL);
	}
	bypass = !explained_by_record(s, k, &claim);
	forget_thread(s, k->ns_tgid, k->ns_tid);
	if (!would)
		s->kernel_denied++;
	if (bypass)
		s->bypass++;
	dn.ev = kernel_event_json(s, k, action, would, bypass, claim);
	dn.bypass_note = bypass_note(bypass, claim);
	if (named) {
		snprintf(dn.setting, sizeof(dn.setting), "%s",
			 k->v.unknown ? "not in the seccomp allowlist" : k->v.why);
		dn.rule_note = sbx_rule_name(k->v.rule);
	} else if (sbx_may_say(s->o, SBX_MSG_DENIAL)) {
		sbx_rule_setting(s->p, k->v.rule, 0, dn.setting, sizeof(dn.setting));
	}
	record_denial(s, &dn);
}

void sbx_on_landlock_read(struct sup *s, const char *path, const char *syscall, pid_t pid)
{
	enum sbx_action action = sbx_policy_deny_action(s->p);
	char detail[sizeof(((struct sbx_lla_rec *)0)->path) + 80];
	struct denial dn = {
		.rule = SBX_RULE_FS_READ, .what = detail, .where = "", .event = syscall,
		.detail = detail, .proven = -1, .kernel = true, .refused = true,
		.kill = action == SBX_KILL, .rule_note = "",
		.bypass_note = bypass_note(true, NULL),
	};

	/* The path as the kernel resolved it, or nothing (an open by fd). */
	snprintf(detail, sizeof(detail), path[0] ? "%s '%s'" : "%s%s", syscall, path);
	s->kernel_denied++;
	s->bypass++;
	dn.ev = event_start(s, "landlock");
	json_object_set_new(dn.ev, "syscall", json_string(syscall));
	json_object_set_new(dn.ev, "args", json_array());
	json_object_set_new(dn.ev, "rule", json_string(sbx_rule_name(SBX_RULE_FS_READ)));
	json_object_set_new(dn.ev, "action", json_string(sbx_action_name(action)));
	json_object_set_new(dn.ev, "errno", json_string("EACCES"));
	json_object_set_new(dn.ev, "pid", json_integer(pid));
	json_object_set_new(dn.ev, "detail", sbx_jstr(detail));
	if (path[0])
		json_object_set_new(dn.ev, "path", sbx_jstr(path));
	json_object_set_new(dn.ev, "bypass", json_true());
	if (sbx_may_say(s->o, SBX_MSG_DENIAL))
		sbx_rule_setting(s->p, SBX_RULE_FS_READ, 0, dn.setting, sizeof(dn.setting));
	record_denial(s, &dn);
}

void sbx_on_notify(struct sup *s)
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
	r = sbx_notify_handle(s->listener, s->p, s->chan_no, s->plan.self_exe, s->plan.write_v,
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
void sbx_drain_notify(struct sup *s)
{
	for (int i = 0; s->listener >= 0 && i < 4096; i++) {
		struct pollfd pf = { s->listener, POLLIN, 0 };
		if (poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLIN))
			break;
		sbx_on_notify(s);
	}
}
