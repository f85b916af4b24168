/* report.c: the run's JSON report (report.md). One skeleton serves a run
 * that happened and one that never started (sbx_report_write_failure);
 * one writer puts every file in place atomically (a temporary file in the
 * same directory, then rename), the report and a learnt policy alike. The
 * events, kept in a file while the run lasts, are spliced in as the
 * report is written, never held in memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_run.h"

/* ---- the one atomic writer ---- */

typedef int (*emit_fn)(FILE *out, void *ctx);

/* The file at path, whole or not at all: emit writes a temporary file
 * beside it, which is renamed over path only if every write succeeded. */
static int write_atomic(const char *path, emit_fn emit, void *ctx)
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
	r = emit(f, ctx);
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

#define SBX_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

static int emit_json(FILE *out, void *doc)
{
	if (json_dumpf(doc, out, SBX_JSON_FLAGS) < 0 || fputc('\n', out) == EOF)
		return -EIO;
	return ferror(out) ? -EIO : 0;
}

int sbx_write_json_atomic(const char *path, json_t *doc)
{
	return write_atomic(path, emit_json, doc);
}

/* ---- the one skeleton ---- */

/* The report's top-level fields, from a run or from none. */
struct report_head {
	const char *policy_name, *policy_source, *policy_sha256;	/* NULL: null */
	json_t *argv;			/* consumed */
	const char *mode;		/* NULL: not said (no run) */
	enum sbx_status status;
	const char *message;
	int exit_code, signal;		/* -1, 0: null */
	double cpu_s, wall_s;
	long max_rss_kb;
	json_t *layers, *events, *usage;	/* consumed; usage may be NULL */
	unsigned long denied, logged, bypass, dropped;
	json_t *killed_by;		/* borrowed; NULL: null */
	json_t *errors;			/* consumed */
};

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *report_skeleton(const struct report_head *h)
{
	json_t *r = json_object(), *pol = json_object(), *t = json_object(), *sum = json_object();

	json_object_set_new(r, "report_version", json_integer(1));
	json_object_set_new(r, "sandboxpy_version", json_string(SBX_VERSION));
	json_object_set_new(pol, "name", str_or_null(h->policy_name));
	json_object_set_new(pol, "source", str_or_null(h->policy_source));
	json_object_set_new(pol, "sha256", str_or_null(h->policy_sha256));
	json_object_set_new(r, "policy", pol);
	json_object_set_new(r, "argv", h->argv);
	/* Never to be confused with an enforced run: said first, and again
	 * in layers, summary and message. */
	if (h->mode)
		json_object_set_new(r, "mode", json_string(h->mode));
	json_object_set_new(r, "status", json_string(sbx_status_name(h->status)));
	json_object_set_new(r, "message", sbx_jstr(h->message));
	json_object_set_new(r, "exit_code", h->exit_code >= 0 ? json_integer(h->exit_code) : json_null());
	json_object_set_new(r, "signal", h->signal ? json_integer(h->signal) : json_null());
	json_object_set_new(t, "cpu_s", json_real(sbx_round3(h->cpu_s)));
	json_object_set_new(t, "wall_s", json_real(sbx_round3(h->wall_s)));
	json_object_set_new(r, "time", t);
	json_object_set_new(r, "max_rss_kb", json_integer(h->max_rss_kb));
	json_object_set_new(r, "layers", h->layers);
	json_object_set_new(r, "events", h->events);
	if (h->usage)
		json_object_set_new(r, "usage", h->usage);
	json_object_set_new(sum, "denied", json_integer((json_int_t)h->denied));
	json_object_set_new(sum, "logged", json_integer((json_int_t)h->logged));
	json_object_set(sum, "killed_by", h->killed_by ? h->killed_by : json_null());
	json_object_set_new(sum, "bypass", json_integer((json_int_t)h->bypass));
	json_object_set_new(sum, "events_dropped", json_integer((json_int_t)h->dropped));
	json_object_set_new(r, "summary", sum);
	json_object_set_new(r, "errors", h->errors);
	return r;
}

static json_t *argv_json(const char *const *argv, size_t argc)
{
	json_t *a = json_array();

	for (size_t i = 0; i < argc; i++)
		json_array_append_new(a, sbx_jstr(argv[i]));
	return a;
}

int sbx_report_write_failure(const char *path, const char *const *argv, size_t argc,
			     const char *policy_source, const struct sbx_error *errs)
{
	char line[1024] = "sandboxpy failed before the program could run";
	struct report_head h = {
		.policy_source = policy_source, .argv = argv_json(argv, argc),
		.status = SBX_ST_INTERNAL, .message = line, .exit_code = -1,
		.layers = json_object(), .events = json_array(), .errors = json_array(),
	};
	json_t *r;
	int rc;

	for (int i = 0; errs && i < errs->n; i++) {
		char buf[1024];
		sbx_error_format(errs, i, buf, sizeof(buf));
		json_array_append_new(h.errors, sbx_jstr(buf));
		if (i == 0)
			snprintf(line, sizeof(line), "%s", buf);
	}
	r = report_skeleton(&h);
	rc = sbx_write_json_atomic(path, r);
	json_decref(r);
	return rc;
}

/* ---- the report of a run ---- */

/* --audit-only: what --learn sets tasks and open_files from. Sampled, so
 * a peak shorter than 50 ms may be missed; --learn adds headroom. null:
 * no cgroup to sample here. */
static json_t *usage_json(const struct sup *s)
{
	json_t *u = json_object();

	json_object_set_new(u, "max_tasks", s->max_tasks ? json_integer(s->max_tasks) : json_null());
	json_object_set_new(u, "max_open_files", s->max_fds ? json_integer(s->max_fds) : json_null());
	return u;
}

/* The channel's figures and --audit-only's counts, after the common ones. */
static void summary_more(const struct sup *s, json_t *sum)
{
	json_object_set_new(sum, "events_dropped_by_action", sbx_dropped_json(s));
	json_object_set_new(sum, "channel_gaps", json_integer((json_int_t)s->chan_gaps));
	json_object_set_new(sum, "channel_junk", json_integer((json_int_t)s->chan_junk));
	json_object_set_new(sum, "channel_disorder", json_integer((json_int_t)s->chan_disorder));
	json_object_set_new(sum, "channel_tampered", json_boolean(s->chan_tampered));
	if (s->o->audit_only) {
		json_object_set_new(sum, "would_deny", json_integer((json_int_t)s->would));
		json_object_set(sum, "would_deny_by_rule", s->would_by_rule);
	}
}

/* A stand-in for the events the writer replaces with the events file;
 * the nonce keeps any string of the program from matching it. */
static void events_stand_in(const struct sup *s, char *buf, size_t len, bool quoted)
{
	snprintf(buf, len, "%ssbx-events-%016llx%s", quoted ? "\"" : "", (unsigned long long)s->nonce,
		 quoted ? "\"" : "");
}

static json_t *report_json(struct sup *s, const struct sbx_result *res)
{
	char ph[64];
	struct report_head h = {
		.policy_name = s->p->name, .policy_source = s->p->source, .policy_sha256 = s->p->sha256,
		.argv = argv_json(s->o->report_argv, s->o->n_report_argv),
		.mode = s->o->audit_only ? "audit-only" : "enforce",
		.status = res->status, .message = res->message, .exit_code = res->exit_code,
		.signal = res->signal, .cpu_s = res->cpu_s, .wall_s = res->wall_s,
		.max_rss_kb = res->max_rss_kb, .layers = sbx_layers_json(s),
		.usage = s->o->audit_only ? usage_json(s) : NULL,
		.denied = res->denied, .logged = res->logged, .bypass = res->bypass,
		.dropped = res->dropped, .killed_by = s->killed_by, .errors = json_incref(s->errors),
	};
	json_t *r;

	if (s->o->audit_only) {
		json_object_set_new(h.layers, "enforced", json_false());
		json_object_set_new(h.layers, "note", json_string(
			"--audit-only: nothing was enforced. Every deny and kill of the policy was "
			"recorded with \"would\" and let through; Landlock was not applied; the network "
			"was the host's; limits still held."));
	}
	events_stand_in(s, ph, sizeof(ph), false);
	h.events = json_string(ph);
	r = report_skeleton(&h);
	summary_more(s, json_object_get(r, "summary"));
	return r;
}

struct run_report {
	struct sup *s;
	const char *text;		/* the report with the events' stand-in */
};

/* The report text with its events put in: everything before the
 * stand-in, the events file, everything after. */
static int emit_report(FILE *out, void *ctx)
{
	struct run_report *rr = ctx;
	struct sup *s = rr->s;
	char ph[64], buf[8192];
	const char *at;
	size_t n;

	events_stand_in(s, ph, sizeof(ph), true);
	at = strstr(rr->text, ph);
	if (!at)
		return -EINVAL;
	fwrite(rr->text, 1, (size_t)(at - rr->text), out);
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

/* want_report_json: the same text, in memory, for the caller. */
static char *report_in_memory(struct run_report *rr)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&mem, &len);
	int r;

	if (!m)
		return NULL;
	r = emit_report(m, rr);
	if (fclose(m) == 0 && r == 0)
		return mem;
	free(mem);
	return NULL;
}

void sbx_report_finish(struct sup *s, struct sbx_result *res)
{
	json_t *rep = report_json(s, res);
	char *text = json_dumps(rep, SBX_JSON_FLAGS);
	struct run_report rr = { s, text };
	int r = text ? 0 : -ENOMEM;

	if (!r && s->o->report_path)
		r = write_atomic(s->o->report_path, emit_report, &rr);
	if (r < 0)
		sbx_say(s->o, SBX_MSG_ERROR, "cannot write report %s: %s",
			s->o->report_path ? s->o->report_path : "(in memory)", strerror(-r));
	if (text && s->o->want_report_json)
		res->report_json = report_in_memory(&rr);
	free(text);
	json_decref(rep);
}
