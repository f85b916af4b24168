/* batch.c: sandboxpy --batch (docs/batch.md): many runs from a JSON-lines
 * jobs file, N at a time, one result line each. The parent streams the
 * jobs file, checks each line and loads its policy, then forks one worker
 * per job; the worker calls sbx_run with the streams in private files,
 * compares the output and writes its result line to a file; the parent
 * copies finished lines to the results in completion order. The parent's
 * state is bounded by N, whatever the length of the jobs file. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "sandboxpy.h"
#include "sbx_channel.h"
#include "sbx_diag.h"
#include "sbx_match.h"
#include "sbx_supervisor.h"

#define MAX_WORKERS 1024
#define MAX_LINE (64u << 20)	/* a longer job line is malformed */
#define MAX_JOB_ARGS 4096
#define MAX_JOB_SETS 64
#define HEAD_BYTES 4096		/* of stdout (and of the end of stderr) in each result */

/* Worker exit codes: the result file is written; anything else: it is not. */
enum { W_PASSED = 0, W_FAILED = 1 };

/* One parsed, checked job: pointers into doc, which owns the strings. */
struct job {
	unsigned long line;
	json_t *doc;
	const char *id, *program, *stdin_path, *cwd, *spec, *expected, *keep_out, *keep_err;
	bool merge_stderr;
	enum sbx_prog_kind kind;
	const char *args[MAX_JOB_ARGS];
	size_t n_args;
	const char *sets[MAX_JOB_SETS + 2];
	size_t n_sets;
	char timeout_set[64];
	struct sbx_policy *policy;
};

/* A worker (--no-pool: one per job) or a slot (one pool, many jobs). */
struct slot {
	pid_t pid;			/* 0: none */
	int fd;				/* a slot's channel, -1: none (a worker's) */
	bool busy;			/* running the job below */
	unsigned long seq;		/* names the job's private files */
	unsigned long line;
	char *id;
};

struct batch {
	const struct sbx_batch_opts *o;
	const char *jobs_name;
	char tmp[4096];			/* private files of the runs, removed at the end */
	FILE *out;
	int sfd;
	sigset_t orig_mask;
	pid_t self;
	struct sbx_error *err;		/* the caller's: the pool's warning, the batch's errors */
	bool warned;
	int jobs_fd;
	struct slot *slots;
	struct pollfd *pfd;		/* signals, jobs, then one per slot */
	unsigned n_slots, running;
	unsigned long seq, total, done, failed, malformed, mismatched;
	unsigned long by_status[SBX_ST_INTERNAL + 1];
	int stop;			/* the signal that interrupted the batch */
	bool write_failed;
};

/* ---- reading the jobs file line by line, without blocking the loop ---- */

struct reader {
	int fd;
	char *buf;
	size_t start, len, cap;
	bool eof, skipping;		/* skipping: the rest of a too long line */
};

/* 1: a line (NUL-terminated, in place; *too_long when it was cut), 0: more
 * data is needed, -1: the end. */
static int reader_next(struct reader *r, char **line, size_t *n, bool *too_long)
{
	char *nl = r->buf ? memchr(r->buf + r->start, '\n', r->len - r->start) : NULL;

	*too_long = false;
	if (!r->buf)
		return r->eof ? -1 : 0;
	if (nl) {
		*line = r->buf + r->start;
		*n = (size_t)(nl - *line);
		*nl = '\0';
		r->start += *n + 1;
		*too_long = r->skipping;
		r->skipping = false;
		return 1;
	}
	if (r->eof && (r->len > r->start || r->skipping)) {
		*line = r->buf + r->start;
		*n = r->len - r->start;
		r->buf[r->len] = '\0';
		r->start = r->len;
		*too_long = r->skipping;
		r->skipping = false;
		return 1;
	}
	return r->eof ? -1 : 0;
}

/* Reads what is there: 0, or -errno. */
static int reader_fill(struct reader *r)
{
	ssize_t got;

	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->len >= MAX_LINE) {
		/* Keep the line number right: drop the text, remember the cut. */
		r->skipping = true;
		r->len = 0;
	}
	if (r->cap - r->len < 65536 + 1) {
		size_t cap = r->cap ? r->cap * 2 : 131072;
		char *b = realloc(r->buf, cap);
		if (!b)
			return -ENOMEM;
		r->buf = b;
		r->cap = cap;
	}
	got = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (got == 0)
		r->eof = true;
	r->len += (size_t)got;
	return 0;
}

/* ---- checking one job line ---- */

enum key_kind { K_STRING, K_STRINGS, K_NUMBER, K_BOOL };

static const struct {
	const char *key;
	enum key_kind kind;
} job_keys[] = {	/* sorted */
	{ "args", K_STRINGS }, { "code", K_STRING }, { "cwd", K_STRING },
	{ "expected_stdout", K_STRING }, { "file", K_STRING }, { "id", K_STRING },
	{ "module", K_STRING }, { "policy", K_STRING }, { "set", K_STRINGS },
	{ "stderr", K_STRING }, { "stderr_to_stdout", K_BOOL }, { "stdin", K_STRING },
	{ "stdout", K_STRING }, { "timeout", K_NUMBER },
};

static const char *str_of(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

static int check_keys(struct batch *b, unsigned long line, json_t *doc, struct sbx_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v) {
		char at[160];
		size_t i;
		for (i = 0; i < sizeof(job_keys) / sizeof(job_keys[0]); i++)
			if (strcmp(job_keys[i].key, key) == 0)
				break;
		snprintf(at, sizeof(at), "$.%s", key);
		if (i == sizeof(job_keys) / sizeof(job_keys[0])) {
			sbx_diag_add(err, b->jobs_name, (int)line, 1, at, "unknown key (a job has: id, file, "
				     "code, module, args, stdin, cwd, policy, set, timeout, expected_stdout, "
				     "stdout, stderr, stderr_to_stdout)");
			continue;
		}
		switch (job_keys[i].kind) {
		case K_STRING:
			if (!json_is_string(v))
				sbx_diag_add(err, b->jobs_name, (int)line, 1, at, "expected a string");
			break;
		case K_BOOL:
			if (!json_is_boolean(v))
				sbx_diag_add(err, b->jobs_name, (int)line, 1, at, "expected true or false");
			break;
		case K_NUMBER:
			if (!json_is_number(v) || json_number_value(v) <= 0)
				sbx_diag_add(err, b->jobs_name, (int)line, 1, at,
					     "expected a number of seconds above 0");
			break;
		case K_STRINGS: {
			size_t j;
			json_t *e;
			if (!json_is_array(v)) {
				sbx_diag_add(err, b->jobs_name, (int)line, 1, at, "expected an array of strings");
				break;
			}
			json_array_foreach(v, j, e)
				if (!json_is_string(e)) {
					snprintf(at, sizeof(at), "$.%s[%zu]", key, j);
					sbx_diag_add(err, b->jobs_name, (int)line, 1, at, "expected a string");
				}
			break;
		}
		}
	}
	return err->n ? -EINVAL : 0;
}

/* The strings of the job's array key, at most max of them (more is an
 * error of the job line): how many were taken. */
static size_t job_strings(struct batch *b, unsigned long line, json_t *doc, const char *key,
			  const char **out, size_t max, const char *what, struct sbx_error *err)
{
	json_t *a = json_object_get(doc, key), *v;
	char at[32];
	size_t i, n = 0;

	snprintf(at, sizeof(at), "$.%s", key);
	if (json_array_size(a) > max)
		sbx_diag_add(err, b->jobs_name, (int)line, 1, at, "more than %zu %s", max, what);
	json_array_foreach(a, i, v)
		if (i < max)
			out[n++] = json_string_value(v);
	return n;
}

/* The grader's own mistakes, caught before anything runs so that they are
 * the job line's (status internal), not the student's: a cwd that is not
 * a directory, a script that is not there (python3 would exit 2, counted
 * against the program). A relative file is found from cwd, as with -C. */
static void check_paths(struct batch *b, const struct job *j, struct sbx_error *err)
{
	char path[8192];
	struct stat st;

	if (j->cwd) {
		int e = stat(j->cwd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e) {
			sbx_diag_add(err, b->jobs_name, (int)j->line, 1, "$.cwd", "cannot use %s as the "
				     "working directory: %s", j->cwd, strerror(e));
			return;
		}
	}
	if (j->kind != SBX_PROG_FILE || !j->program)
		return;
	if (j->program[0] == '/' || !j->cwd)
		snprintf(path, sizeof(path), "%s", j->program);
	else
		snprintf(path, sizeof(path), "%s/%s", j->cwd, j->program);
	if (stat(path, &st) < 0)
		sbx_diag_add(err, b->jobs_name, (int)j->line, 1, "$.file", "cannot read %s: %s", path,
			     strerror(errno));
	else if (S_ISDIR(st.st_mode))
		sbx_diag_add(err, b->jobs_name, (int)j->line, 1, "$.file", "%s is a directory", path);
}

/* The job key behind a policy diagnostic: an override names itself
 * ("--set KV", batch's own timeout override too), anything else is the
 * policy's. */
static void policy_key(const struct job *j, const struct sbx_error *err, char *at, size_t len)
{
	snprintf(at, len, "$.policy");
	if (!err->n || strncmp(err->d[0].file, "--set ", 6) != 0)
		return;
	for (size_t i = 0; i < j->n_sets; i++)
		if (strcmp(err->d[0].file + 6, j->sets[i]) == 0) {
			if (j->sets[i] == j->timeout_set)
				snprintf(at, len, "$.timeout");
			else
				snprintf(at, len, "$.set[%zu]", i);
			return;
		}
}

/* Loads the job's policy with its overrides: 0, or -EINVAL with the line's
 * diagnostic first (naming the key at fault), then the reader's. */
static int job_policy(struct batch *b, struct job *j, struct sbx_error *err)
{
	struct sbx_error e2;
	char at[32];

	if (sbx_policy_load_with(j->spec, j->cwd, 0, j->sets, j->n_sets, &j->policy, err) == 0)
		return 0;
	policy_key(j, err, at, sizeof(at));
	sbx_error_clear(&e2);
	if (strcmp(at, "$.policy") == 0)
		sbx_diag_add(&e2, b->jobs_name, (int)j->line, 1, at, "cannot load the policy %s%s%s",
			     j->spec, err->n ? ": " : "", err->n ? err->d[0].msg : "");
	else
		sbx_diag_add(&e2, b->jobs_name, (int)j->line, 1, at, "bad override %s: %s%s%s",
			     err->d[0].file + 6, err->d[0].json_path, err->d[0].json_path[0] ? ": " : "",
			     err->d[0].msg);
	for (int k = 0; k < err->n; k++)
		if (e2.n < SBX_ERR_MAX)
			e2.d[e2.n++] = err->d[k];
	*err = e2;
	return -EINVAL;
}

/* Parses and checks one line, loads its policy. 0, or -EINVAL with err
 * filled (the line's own error result). */
static int job_parse(struct batch *b, unsigned long line, const char *text, size_t n,
		     struct job *j, struct sbx_error *err)
{
	static const struct { const char *key; enum sbx_prog_kind kind; } progs[] = {
		{ "file", SBX_PROG_FILE }, { "code", SBX_PROG_COMMAND }, { "module", SBX_PROG_MODULE },
	};
	json_error_t jerr;
	json_t *v;
	size_t i, n_prog = 0;

	memset(j, 0, sizeof(*j));
	j->line = line;
	j->doc = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!j->doc) {
		sbx_diag_add(err, b->jobs_name, (int)line, jerr.column > 0 ? jerr.column : 1, NULL,
			     "not a JSON job: %s", jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(j->doc)) {
		sbx_diag_add(err, b->jobs_name, (int)line, 1, "$", "a job is a JSON object");
		return -EINVAL;
	}
	if (check_keys(b, line, j->doc, err) < 0)
		return -EINVAL;
	j->id = str_of(j->doc, "id");
	if (!j->id)
		sbx_diag_add(err, b->jobs_name, (int)line, 1, "$.id", "missing: every job needs an id");
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if ((v = json_object_get(j->doc, progs[i].key))) {
			j->kind = progs[i].kind;
			j->program = json_string_value(v);
			n_prog++;
		}
	if (n_prog != 1)
		sbx_diag_add(err, b->jobs_name, (int)line, 1, "$", "a job has exactly one of file, code, "
			     "module (it has %zu)", n_prog);
	j->n_args = job_strings(b, line, j->doc, "args", j->args, MAX_JOB_ARGS, "arguments", err);
	j->n_sets = job_strings(b, line, j->doc, "set", j->sets, MAX_JOB_SETS, "overrides", err);
	if ((v = json_object_get(j->doc, "timeout"))) {
		/* after the sets, as --timeout overrides limits.wall_seconds */
		snprintf(j->timeout_set, sizeof(j->timeout_set), "limits.wall_seconds=%.17g",
			 json_number_value(v));
		j->sets[j->n_sets++] = j->timeout_set;
	}
	j->sets[j->n_sets] = NULL;
	j->stdin_path = str_of(j->doc, "stdin");
	j->cwd = str_of(j->doc, "cwd");
	j->spec = str_of(j->doc, "policy");
	if (!j->spec)
		j->spec = "builtin:default";
	j->expected = str_of(j->doc, "expected_stdout");
	j->keep_out = str_of(j->doc, "stdout");
	j->keep_err = str_of(j->doc, "stderr");
	j->merge_stderr = json_is_true(json_object_get(j->doc, "stderr_to_stdout"));
	if (j->merge_stderr && j->keep_err)
		sbx_diag_add(err, b->jobs_name, (int)line, 1, "$.stderr_to_stdout",
			     "standard error goes to standard output: no \"stderr\" file with it");
	if (j->expected && access(j->expected, R_OK) < 0)
		sbx_diag_add(err, b->jobs_name, (int)line, 1, "$.expected_stdout", "cannot read %s: %s",
			     j->expected, strerror(errno));
	check_paths(b, j, err);
	if (err->n)
		return -EINVAL;
	return job_policy(b, j, err);
}

static void job_free(struct job *j)
{
	sbx_policy_free(j->policy);
	json_decref(j->doc);
	j->policy = NULL;
	j->doc = NULL;
}

/* ---- one worker: run the job, write its result line to a file ---- */

static void slot_path(const struct batch *b, unsigned long seq, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%lu.%s", b->tmp, seq, what);
}

/* Output bytes as a JSON string: invalid UTF-8 becomes U+FFFD. */
static json_t *text_json(const unsigned char *s, size_t n)
{
	char *o = malloc(n * 3 + 1);
	size_t k = 0;
	json_t *r;

	if (!o)
		return json_null();
	for (size_t i = 0; i < n;) {
		size_t l = sbx_utf8_seq(s + i, n - i);
		if (l) {
			memcpy(o + k, s + i, l);
			k += l;
			i += l;
		} else {
			memcpy(o + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	r = json_stringn(o, k);
	free(o);
	return r ? r : json_null();
}

/* {"bytes": N, "head"|"tail": first or last HEAD_BYTES, "truncated": bool}. */
static json_t *stream_json(const char *path, bool tail, const char *keep)
{
	unsigned char buf[HEAD_BYTES];
	json_t *r = json_object();
	struct stat st;
	ssize_t got = 0;
	off_t at = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0) {
		if (tail && st.st_size > HEAD_BYTES)
			at = st.st_size - HEAD_BYTES;
		got = pread(fd, buf, sizeof(buf), at);
		if (got < 0)
			got = 0;
		json_object_set_new(r, "bytes", json_integer(st.st_size));
		json_object_set_new(r, "truncated", json_boolean(st.st_size > got));
	} else {
		json_object_set_new(r, "bytes", json_integer(0));
		json_object_set_new(r, "truncated", json_false());
	}
	json_object_set_new(r, tail ? "tail" : "head", text_json(buf, (size_t)got));
	if (keep)
		json_object_set_new(r, "path", json_string(keep));
	if (fd >= 0)
		close(fd);
	return r;
}

/* The whitespace-normalised stream of a file: runs of whitespace become
 * one space, none at the ends; EOF at the end. */
struct norm {
	FILE *f;
	int pending;			/* a character read ahead, or -2 */
	bool started;
};

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int norm_next(struct norm *s)
{
	int c;
	bool gap = false;

	if (s->pending != -2) {
		c = s->pending;
		s->pending = -2;
		return c;
	}
	while ((c = getc(s->f)) != EOF && is_ws(c))
		gap = true;
	if (c == EOF)
		return EOF;
	if (gap && s->started) {
		s->pending = c;
		return ' ';
	}
	s->started = true;
	return c;
}

/* exact and normalised comparison of two files; -errno when one cannot be read. */
static int compare_files(const char *a, const char *b, bool *exact, bool *normalized)
{
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	struct norm na = { fa, -2, false }, nb = { fb, -2, false };
	int r = 0, ca, cb;

	if (!fa || !fb) {
		r = -errno;
		goto out;
	}
	do {
		ca = getc(fa);
		cb = getc(fb);
	} while (ca == cb && ca != EOF);
	*exact = ca == cb;
	rewind(fa);
	rewind(fb);
	do {
		ca = norm_next(&na);
		cb = norm_next(&nb);
	} while (ca == cb && ca != EOF);
	*normalized = ca == cb;
out:
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return r;
}

static void report_argv(const struct job *j, const char **argv, size_t *n)
{
	static const char *const flag[] = { [SBX_PROG_COMMAND] = "-c", [SBX_PROG_MODULE] = "-m" };

	*n = 0;
	if (j->kind == SBX_PROG_COMMAND || j->kind == SBX_PROG_MODULE)
		argv[(*n)++] = flag[j->kind];
	argv[(*n)++] = j->program;
	for (size_t i = 0; i < j->n_args; i++)
		argv[(*n)++] = j->args[i];
}

/* A result for a job that never ran (a malformed line) or whose worker
 * could not write one: the report of a run that never started, built in
 * path (a private file, removed). */
static json_t *failure_json(const char *path, unsigned long line, const char *id, const char *spec,
			    const struct sbx_error *err)
{
	json_t *r = json_object(), *rep = NULL;

	if (sbx_report_write_failure(path, NULL, 0, spec, err) == 0)
		rep = json_load_file(path, 0, NULL);
	unlink(path);
	json_object_set_new(r, "id", id ? json_string(id) : json_null());
	json_object_set_new(r, "line", json_integer((json_int_t)line));
	json_object_set_new(r, "report", rep ? rep : json_null());
	return r;
}

/* Runs one job and writes its result file: W_PASSED, W_FAILED, or -1 when
 * the file could not be written. Called with every signal blocked and
 * returns so; nothing of the job stays open or allocated. */
static int run_job(struct batch *b, struct job *j, unsigned long seq, struct sbx_pool *pool)
{
	static const char *argv[MAX_JOB_ARGS + 2];
	char rep[4200], out[4200], errp[4200], resp[4200];
	struct sbx_run_opts ro = { 0 };
	struct sbx_result res;
	struct sbx_error err;
	sigset_t all;
	json_t *r, *report;
	bool failed;
	int rc;

	slot_path(b, seq, "report.json", rep, sizeof(rep));
	slot_path(b, seq, "stdout", out, sizeof(out));
	slot_path(b, seq, "stderr", errp, sizeof(errp));
	slot_path(b, seq, "result.json", resp, sizeof(resp));
	ro.kind = j->kind;
	ro.program = j->program;
	ro.args = j->args;
	ro.n_args = j->n_args;
	ro.report_path = rep;
	ro.stdin_path = j->stdin_path ? j->stdin_path : "/dev/null";
	ro.stdout_path = j->keep_out ? j->keep_out : out;
	ro.stderr_path = j->merge_stderr ? NULL : j->keep_err ? j->keep_err : errp;
	ro.stderr_to_stdout = j->merge_stderr;
	ro.quiet = true;
	ro.pool = pool;
	report_argv(j, argv, &ro.n_report_argv);
	ro.report_argv = argv;
	sbx_error_clear(&err);
	/* The mask the batch was started with: the program inherits it. */
	sigprocmask(SIG_SETMASK, &b->orig_mask, NULL);
	sbx_run(j->policy, &ro, &res, &err);
	/* The sandbox is gone: from here on the result must be written. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	r = json_object();
	json_object_set_new(r, "id", json_string(j->id));
	json_object_set_new(r, "line", json_integer((json_int_t)j->line));
	report = json_load_file(rep, 0, NULL);
	if (!report) {
		/* sbx_run writes one on every path; this is a last resort. */
		sbx_diag_add(&err, NULL, 0, 0, NULL, "the run's report could not be read");
		sbx_report_write_failure(rep, argv, ro.n_report_argv, j->spec, &err);
		report = json_load_file(rep, 0, NULL);
	}
	json_object_set_new(r, "report", report ? report : json_null());
	json_object_set_new(r, "stdout", stream_json(ro.stdout_path, false, j->keep_out));
	json_object_set_new(r, "stderr", stream_json(ro.stderr_path ? ro.stderr_path : errp, true, j->keep_err));
	failed = res.status != SBX_ST_OK;
	sbx_result_free(&res);
	if (j->expected) {
		bool exact = false, normalized = false;
		json_t *m = json_object();
		if (compare_files(ro.stdout_path, j->expected, &exact, &normalized) < 0)
			exact = normalized = false;
		json_object_set_new(m, "exact", json_boolean(exact));
		json_object_set_new(m, "normalized", json_boolean(normalized));
		json_object_set_new(r, "stdout_match", m);
		failed = failed || !normalized;
	}
	rc = json_dump_file(r, resp, JSON_COMPACT) < 0 ? -1 : failed ? W_FAILED : W_PASSED;
	json_decref(r);
	return rc;
}

/* What a worker or a slot does first after the fork. */
static void worker_setup(struct batch *b)
{
	int devnull;

	/* Its own process group, so that Ctrl-C reaches the batch only (which
	 * ends every run with SIGTERM); gone with the batch if it dies. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != b->self)
		_exit(3);
	close(b->sfd);
	close(b->jobs_fd);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		/* Nothing of the worker may reach the results or read the jobs. */
		dup2(devnull, 0);
		dup2(devnull, 1);
		close(devnull);
	}
	/* The private tmp of tmp:true policies goes under the batch's own
	 * directory, removed at the end whatever happens to the worker. */
	setenv("TMPDIR", b->tmp, 1);
}

/* --no-pool: one process per job, which runs it and exits. */
static __attribute__((noreturn)) void worker_main(struct batch *b, struct job *j, unsigned long seq)
{
	int rc;

	worker_setup(b);
	rc = run_job(b, j, seq, NULL);
	_exit(rc < 0 ? 4 : rc);
}

/* ---- slots: long-lived workers, each owning a warm pool ---- */

/* The pool's zygote clones each run's first process with CLONE_PARENT:
 * the run is the child of the process that opened the pool, which must be
 * the one that calls sbx_run. So each slot opens its own pool after the
 * fork and runs its jobs one after the other. Parent and slot talk over a
 * SOCK_SEQPACKET socketpair, one message a datagram. */

/* The messages: struct sbx_slot_job and struct sbx_slot_msg (sbx_channel.h). */

static void slot_send(int fd, uint32_t kind, int code, uint64_t seq, const char *text)
{
	struct sbx_slot_msg m = { .kind = kind, .code = code, .seq = seq };

	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	(void)send(fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/* The whole file, malloc'd: 0 or -errno. */
static int read_whole(const char *path, char **out, size_t *n)
{
	struct stat st;
	ssize_t got = 0;
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	*out = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !(*out = malloc((size_t)st.st_size + 1))) {
		rc = -ENOMEM;
		goto out;
	}
	while (have < (size_t)st.st_size &&
	       (got = read(fd, *out + have, (size_t)st.st_size - have)) > 0)
		have += (size_t)got;
	if (got < 0)
		rc = -errno;
	*n = have;
out:
	close(fd);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* One job in a slot: the line the parent checked, parsed and loaded again
 * here (the slot's memory is a copy from before the line was read); a
 * line that no longer loads (its policy file changed) gets its error
 * result. W_PASSED, W_FAILED or -1, as run_job. */
static int slot_job(struct batch *b, const struct sbx_slot_job *sj, struct sbx_pool *pool)
{
	char path[4200], *text;
	struct sbx_error err;
	struct job *j = NULL;
	size_t n = 0;
	int rc = -1;

	slot_path(b, sj->seq, "job", path, sizeof(path));
	if (read_whole(path, &text, &n) < 0 || !(j = malloc(sizeof(*j))))
		goto out;
	sbx_error_clear(&err);
	if (job_parse(b, sj->line, text, n, j, &err) == 0) {
		rc = run_job(b, j, sj->seq, pool);
	} else {
		char rep[4200], resp[4200];
		json_t *r;
		slot_path(b, sj->seq, "report.json", rep, sizeof(rep));
		slot_path(b, sj->seq, "result.json", resp, sizeof(resp));
		r = failure_json(rep, sj->line, j->doc ? str_of(j->doc, "id") : NULL,
				 j->doc ? str_of(j->doc, "policy") : NULL, &err);
		rc = json_dump_file(r, resp, JSON_COMPACT) < 0 ? -1 : W_FAILED;
		json_decref(r);
	}
	job_free(j);
out:
	free(j);
	free(text);
	return rc;
}

/* A slot: opens its pool, then runs what the parent gives it until the
 * parent closes the channel (the end of the jobs, an interrupt) or dies.
 * Every signal is blocked here except inside sbx_run, which ends its
 * sandbox on SIGTERM (the interrupt); one that comes between jobs stays
 * pending, and the slot only exits after it. */
static __attribute__((noreturn)) void slot_main(struct batch *b, int fd)
{
	struct sbx_pool *pool = NULL;
	struct sbx_error err;
	struct sbx_slot_job sj;
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	worker_setup(b);
	/* The other slots' channels: each must see its parent close it. */
	for (unsigned i = 0; i < b->n_slots; i++)
		if (b->slots[i].fd >= 0)
			close(b->slots[i].fd);
	sbx_error_clear(&err);
	if (sbx_pool_open(&pool, &err) < 0) {
		char why[256] = "cannot open the warm pool";
		if (err.n)
			sbx_error_format(&err, 0, why, sizeof(why));
		slot_send(fd, SBX_SLOT_WARN, 0, 0, why);
		pool = NULL;
	}
	while (recv(fd, &sj, sizeof(sj), 0) == (ssize_t)sizeof(sj))
		slot_send(fd, SBX_SLOT_DONE, slot_job(b, &sj, pool), sj.seq, NULL);
	if (pool)
		sbx_pool_close(pool);
	_exit(0);
}

/* ---- the parent: results, slots, signals ---- */

static void write_line(struct batch *b, json_t *r)
{
	if (json_dumpf(r, b->out, JSON_COMPACT) < 0 || fputc('\n', b->out) == EOF ||
	    fflush(b->out) == EOF)
		b->write_failed = true;
}

/* The caller's progress callback: it prints, the library does not. */
static void progress_last(struct batch *b, bool last)
{
	struct sbx_batch_stats now = { .done = b->done, .failed = b->failed, .malformed = b->malformed,
				       .mismatched = b->mismatched, .signal = b->stop };

	memcpy(now.by_status, b->by_status, sizeof(now.by_status));
	if (b->o->on_progress)
		b->o->on_progress(&now, b->total, last, b->o->on_progress_ctx);
}

static void progress(struct batch *b)
{
	progress_last(b, false);
}

/* A result line for a job that never ran (a malformed line) or whose
 * worker could not write one. */
static void failure_result(struct batch *b, unsigned long line, const char *id, const char *spec,
			   const struct sbx_error *err)
{
	char path[4200];
	json_t *r;

	snprintf(path, sizeof(path), "%s/failure.json", b->tmp);
	r = failure_json(path, line, id, spec, err);
	write_line(b, r);
	json_decref(r);
	b->done++;
	b->failed++;
	b->by_status[SBX_ST_INTERNAL]++;
	progress(b);
}

/* The final summary's counts: results by status, and ok runs whose
 * output did not match. */
static void count_status(struct batch *b, const char *status, json_t *normalized)
{
	for (int i = 0; i <= SBX_ST_INTERNAL; i++)
		if (status && strcmp(status, sbx_status_name((enum sbx_status)i)) == 0) {
			b->by_status[i]++;
			if (i == SBX_ST_OK && json_is_false(normalized))
				b->mismatched++;
			return;
		}
	b->by_status[SBX_ST_INTERNAL]++;	/* no report: the worker's own failure */
}

/* Copies the worker's result line, marking runs the interrupt ended. */
static int copy_result(struct batch *b, const char *path)
{
	json_t *r = json_load_file(path, 0, NULL);
	const char *status;

	if (!r)
		return -EIO;
	status = json_string_value(json_object_get(json_object_get(r, "report"), "status"));
	if (b->stop && status && strcmp(status, "signal") == 0)
		json_object_set_new(r, "interrupted", json_true());
	count_status(b, status, json_object_get(json_object_get(r, "stdout_match"), "normalized"));
	write_line(b, r);
	json_decref(r);
	return 0;
}

/* The end of a job: the result line its worker wrote (code W_PASSED or
 * W_FAILED), or one saying why there is none; its private files go. */
static void finish(struct batch *b, struct slot *s, int code, const char *why)
{
	static const char *const files[] = { "report.json", "stdout", "stderr", "result.json", "job" };
	char path[4200];

	slot_path(b, s->seq, "result.json", path, sizeof(path));
	if ((code == W_PASSED || code == W_FAILED) && copy_result(b, path) == 0) {
		b->done++;
		b->failed += code == W_FAILED;
		progress(b);
	} else {
		struct sbx_error err;
		sbx_error_clear(&err);
		sbx_diag_add(&err, b->jobs_name, (int)s->line, 1, NULL, "%s", why);
		failure_result(b, s->line, s->id, NULL, &err);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		slot_path(b, s->seq, files[i], path, sizeof(path));
		unlink(path);
	}
	free(s->id);
	s->id = NULL;
	s->busy = false;
	b->running--;
}

static void death_why(int wstatus, const char *who, char *buf, size_t len)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "the batch's %s for this job was killed by signal %d before it wrote "
			 "the result", who, WTERMSIG(wstatus));
	else
		snprintf(buf, len, "the batch's %s for this job failed (status %d) before it wrote the "
			 "result", who, WEXITSTATUS(wstatus));
}

/* --no-pool: a worker ended; its exit status says whether it wrote the result. */
static void collect(struct batch *b, struct slot *s, int wstatus)
{
	char why[200];

	death_why(wstatus, "worker", why, sizeof(why));
	finish(b, s, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, why);
	s->pid = 0;
}

/* The one warning of a batch whose slots could not open their pool: in
 * err while the batch runs (the caller prints it, docs/batch.md). */
static void warn_no_pool(struct batch *b, const char *why)
{
	if (b->warned)
		return;
	b->warned = true;
	sbx_diag_add(b->err, NULL, 0, 0, NULL, "no warm pool (%.*s): each job starts its own interpreter",
		     200, why);
}

static void slot_close(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* What a slot sent: its pool's warning, a job's end. At its end of file
 * the slot is gone; reap says how. */
static void slot_read(struct batch *b, struct slot *s)
{
	struct sbx_slot_msg m;
	ssize_t got;

	while (s->fd >= 0) {
		got = recv(s->fd, &m, sizeof(m), MSG_DONTWAIT);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;
		if (got == 0) {
			slot_close(s);
			return;
		}
		if (got != (ssize_t)sizeof(m))
			continue;
		m.text[sizeof(m.text) - 1] = '\0';
		if (m.kind == SBX_SLOT_WARN) {
			warn_no_pool(b, m.text);
		} else if (m.kind == SBX_SLOT_DONE && s->busy && m.seq == s->seq) {
			finish(b, s, m.code, "the batch's slot for this job could not write the result");
			if (b->stop)
				slot_close(s);	/* no more jobs: it closes its pool and exits */
		}
	}
}

/* A slot ended: a result it sent before is kept; a job it was running
 * gets a failure result. A new slot takes its place when a job needs one. */
static void slot_reap(struct batch *b, struct slot *s, int wstatus)
{
	char why[200];

	slot_read(b, s);
	if (s->busy) {
		death_why(wstatus, "slot", why, sizeof(why));
		finish(b, s, -1, why);
	}
	slot_close(s);
	s->pid = 0;
}

static void reap(struct batch *b)
{
	for (unsigned i = 0; i < b->n_slots; i++) {
		struct slot *s = &b->slots[i];
		int wstatus;
		if (s->pid <= 0 || waitpid(s->pid, &wstatus, WNOHANG) != s->pid)
			continue;
		if (b->o->no_pool)
			collect(b, s, wstatus);
		else
			slot_reap(b, s, wstatus);
	}
}

static int slot_spawn(struct batch *b, struct slot *s)
{
	int sv[2], rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL);			/* the slot must not write our buffers again */
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		slot_main(b, sv[1]);
	}
	rc = -errno;
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return rc;
	}
	s->pid = pid;
	s->fd = sv[0];
	return 0;
}

/* The job's line, for the slot to read: 0 or -errno. */
static int write_job_file(struct batch *b, unsigned long seq, const char *text, size_t n)
{
	char path[4200];
	size_t done = 0;
	ssize_t put = 0;
	int fd, rc = 0;

	slot_path(b, seq, "job", path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (done < n && (put = write(fd, text + done, n - done)) > 0)
		done += (size_t)put;
	if (put < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Hands the job to an idle slot, or to a new one; a slot found dead
 * (killed between jobs) is replaced once. 0 or -errno. */
static int slot_give(struct batch *b, struct slot *s, unsigned long seq, unsigned long line)
{
	struct sbx_slot_job sj = { .seq = seq, .line = line };

	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = s->pid ? 0 : slot_spawn(b, s);
		if (rc < 0)
			return rc;
		if (send(s->fd, &sj, sizeof(sj), MSG_NOSIGNAL) == (ssize_t)sizeof(sj))
			return 0;
		rc = -errno;
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		slot_close(s);
		s->pid = 0;
		if (attempt)
			return rc;
	}
	return -EIO;
}

static struct slot *free_slot(struct batch *b)
{
	struct slot *none = NULL;

	for (unsigned i = 0; i < b->n_slots; i++) {
		struct slot *s = &b->slots[i];
		if (!b->o->no_pool && s->pid > 0 && !s->busy && s->fd >= 0)
			return s;	/* a warm one first */
		if (!s->busy && (!none || (none->pid && !s->pid)))
			none = s;	/* a dead one not yet reaped is replaced */
	}
	return none;
}

static void start(struct batch *b, struct job *j, const char *text, size_t n)
{
	struct slot *s = free_slot(b);
	const char *what = "worker";
	pid_t pid = 0;
	int rc;

	s->seq = ++b->seq;
	s->line = j->line;
	s->id = strdup(j->id);
	if (b->o->no_pool) {
		fflush(NULL);		/* the worker must not write our buffers again */
		pid = fork();
		if (pid == 0)
			worker_main(b, j, s->seq);
		rc = pid < 0 ? -errno : 0;
	} else {
		what = "slot";
		rc = write_job_file(b, s->seq, text, n);
		if (rc == 0)
			rc = slot_give(b, s, s->seq, j->line);
	}
	if (rc < 0) {
		struct sbx_error err;
		char path[4200];
		sbx_error_clear(&err);
		sbx_diag_add(&err, b->jobs_name, (int)j->line, 1, NULL, "cannot start a %s: %s", what,
			     strerror(-rc));
		failure_result(b, j->line, j->id, j->spec, &err);
		slot_path(b, s->seq, "job", path, sizeof(path));
		unlink(path);
		free(s->id);
		s->id = NULL;
		return;
	}
	if (b->o->no_pool)
		s->pid = pid;
	s->busy = true;
	b->running++;
}

/* Each running sbx_run ends its sandbox on SIGTERM and writes the report;
 * idle slots are told to exit (their channel closed). */
static void interrupt(struct batch *b, int sig)
{
	if (!b->stop)
		b->stop = sig;
	for (unsigned i = 0; i < b->n_slots; i++) {
		struct slot *s = &b->slots[i];
		if (s->pid > 0 && s->busy)
			kill(s->pid, SIGTERM);
		else
			slot_close(s);
	}
}

static void on_signals(struct batch *b)
{
	struct signalfd_siginfo si;

	while (read(b->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			interrupt(b, (int)si.ssi_signo);
	reap(b);
}

/* The end of the batch: every slot is told to go, then waited for (it
 * closes its pool first). */
static void slots_end(struct batch *b)
{
	for (unsigned i = 0; i < b->n_slots; i++)
		slot_close(&b->slots[i]);
	for (unsigned i = 0; i < b->n_slots; i++) {
		struct slot *s = &b->slots[i];
		int wstatus;
		if (s->pid > 0 && waitpid(s->pid, &wstatus, 0) == s->pid)
			slot_reap(b, s, wstatus);
		s->pid = 0;
	}
}

static void handle_line(struct batch *b, unsigned long line, char *text, size_t n, bool too_long)
{
	struct sbx_error err;
	struct job *j;
	size_t k;

	for (k = 0; k < n && is_ws((unsigned char)text[k]); k++)
		;
	if (k == n && !too_long)
		return;			/* blank lines are not jobs */
	sbx_error_clear(&err);
	if (too_long) {
		sbx_diag_add(&err, b->jobs_name, (int)line, 1, NULL, "line longer than %u MiB",
			     MAX_LINE >> 20);
		failure_result(b, line, NULL, NULL, &err);
		b->malformed++;
		return;
	}
	j = malloc(sizeof(*j));
	if (!j) {
		sbx_diag_add(&err, b->jobs_name, (int)line, 1, NULL, "out of memory");
		failure_result(b, line, NULL, NULL, &err);
		return;
	}
	if (job_parse(b, line, text, n, j, &err) < 0) {
		failure_result(b, line, j->doc ? str_of(j->doc, "id") : NULL,
			       j->doc ? str_of(j->doc, "policy") : NULL, &err);
		b->malformed++;
	} else {
		start(b, j, text, n);
	}
	job_free(j);			/* the worker has its own copy */
	free(j);
}

/* Non-blank lines of a regular file, for the progress line. */
static unsigned long count_jobs(int fd)
{
	char buf[65536];
	unsigned long n = 0;
	bool blank = true;
	ssize_t got;
	off_t at = 0;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	while ((got = pread(fd, buf, sizeof(buf), at)) > 0) {
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n') {
				n += !blank;
				blank = true;
			} else if (!is_ws((unsigned char)buf[i])) {
				blank = false;
			}
		}
		at += got;
	}
	return n + !blank;
}

/* --results: checked as a report's destination is (sbx_dest_open): a
 * device or FIFO written in place, never another user's file in a shared
 * directory; before any job runs. */
static int open_results(const char *path, FILE **out, struct sbx_error *err)
{
	struct sbx_dest d;
	int fd, rc;

	if ((rc = sbx_dest_open(path, "the results", NULL, &d, err)) < 0)
		return rc;
	fd = sbx_dest_stream(&d);
	sbx_dest_close(&d);
	if (fd >= 0 && (*out = fdopen(fd, "we")))
		return 0;
	rc = fd < 0 ? fd : -errno;
	if (fd >= 0)
		close(fd);
	sbx_diag_add(err, path, 0, 0, NULL, "cannot write the results: %s", strerror(-rc));
	return rc;
}

/* The jobs file, the results, the private directory, the slots. */
static int batch_open(struct batch *b, struct reader *rd, struct sbx_error *err)
{
	const struct sbx_batch_opts *o = b->o;
	const char *base = getenv("TMPDIR");

	if (!o->jobs_path || strcmp(o->jobs_path, "-") == 0)
		rd->fd = dup(0);
	else
		rd->fd = open(o->jobs_path, O_RDONLY | O_CLOEXEC);
	if (rd->fd < 0) {
		int rc = -errno;
		sbx_diag_add(err, b->jobs_name, 0, 0, NULL, "cannot read the jobs file: %s", strerror(errno));
		return rc;
	}
	fcntl(rd->fd, F_SETFD, FD_CLOEXEC);
	b->jobs_fd = rd->fd;
	if (o->results_path && strcmp(o->results_path, "-")) {
		int rc = open_results(o->results_path, &b->out, err);
		if (rc < 0)
			return rc;
	} else {
		b->out = stdout;
	}
	snprintf(b->tmp, sizeof(b->tmp), "%s/sandboxpy-batch-XXXXXX", base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(b->tmp)) {
		int rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot create the batch's private directory %s: %s",
			     b->tmp, strerror(errno));
		b->tmp[0] = '\0';
		return rc;
	}
	b->slots = calloc(b->n_slots, sizeof(*b->slots));
	b->pfd = calloc(b->n_slots + 2, sizeof(*b->pfd));
	if (!b->slots || !b->pfd)
		return -ENOMEM;
	for (unsigned i = 0; i < b->n_slots; i++)
		b->slots[i].fd = -1;
	b->total = count_jobs(rd->fd);
	return 0;
}

/* Reads jobs while a slot is free, waits for signals (the workers' ends
 * among them) and input; until every job ran or a signal stopped it. */
static int batch_loop(struct batch *b, struct reader *rd, unsigned long *line, struct sbx_error *err)
{
	int rc = 0;

	for (;;) {
		bool want_input = false;
		struct pollfd *pf = b->pfd;

		while (!b->stop && b->running < b->n_slots && rc == 0) {
			char *text;
			size_t n;
			bool too_long;
			int r = reader_next(rd, &text, &n, &too_long);
			if (r == 0) {
				want_input = true;
				break;
			}
			if (r < 0)
				break;
			handle_line(b, ++*line, text, n, too_long);
			on_signals(b);
		}
		if (b->running == 0 && (b->stop || rd->eof || rc < 0) && !want_input)
			return rc;
		pf[0] = (struct pollfd){ b->sfd, POLLIN, 0 };
		pf[1] = (struct pollfd){ want_input ? rd->fd : -1, POLLIN, 0 };
		for (unsigned i = 0; i < b->n_slots; i++)
			pf[i + 2] = (struct pollfd){ b->slots[i].fd, POLLIN, 0 };
		if (poll(pf, b->n_slots + 2, -1) < 0 && errno != EINTR) {
			rc = -errno;
			sbx_diag_add(err, NULL, 0, 0, NULL, "poll: %s", strerror(errno));
			interrupt(b, SIGTERM);
			continue;
		}
		if (pf[1].revents) {
			int r = reader_fill(rd);
			if (r < 0) {
				rc = r;
				sbx_diag_add(err, b->jobs_name, (int)*line + 1, 0, NULL,
					     "cannot read the jobs file: %s", strerror(-r));
				rd->eof = true;
			}
		}
		for (unsigned i = 0; i < b->n_slots; i++)
			if (pf[i + 2].fd >= 0 && pf[i + 2].revents)
				slot_read(b, &b->slots[i]);
		if (pf[0].revents)
			on_signals(b);
	}
}

int sbx_batch(const struct sbx_batch_opts *o, struct sbx_error *err)
{
	struct batch b = { .o = o, .sfd = -1, .err = err, .jobs_fd = -1 };
	struct reader rd = { .fd = -1 };
	unsigned long line = 0;
	sigset_t mask;
	long cpus;
	int rc;

	b.self = getpid();
	b.jobs_name = o->jobs_path && strcmp(o->jobs_path, "-") ? o->jobs_path : "<stdin>";
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	b.n_slots = o->jobs ? o->jobs : (cpus > 0 ? (unsigned)cpus : 1);
	if (b.n_slots > MAX_WORKERS) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--jobs: at most %d at a time", MAX_WORKERS);
		return -EINVAL;
	}
	rc = batch_open(&b, &rd, err);
	if (rc < 0)
		goto out;
	/* Signals are read in the loop; workers get the original mask back. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &b.orig_mask);
	b.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (b.sfd < 0) {
		rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "signalfd: %s", strerror(errno));
		goto out_mask;
	}
	rc = batch_loop(&b, &rd, &line, err);
	slots_end(&b);
	progress_last(&b, true);
	if (b.write_failed && rc == 0) {
		rc = -EIO;
		sbx_diag_add(err, o->results_path, 0, 0, NULL, "cannot write the results");
	}
	if (rc == 0 && b.stop)
		rc = -EINTR;
	if (o->stats) {
		o->stats->lines = line;
		o->stats->done = b.done;
		o->stats->failed = b.failed;
		o->stats->malformed = b.malformed;
		o->stats->signal = b.stop;
		o->stats->mismatched = b.mismatched;
		memcpy(o->stats->by_status, b.by_status, sizeof(b.by_status));
	}
out_mask:
	if (b.sfd >= 0)
		close(b.sfd);
	sigprocmask(SIG_SETMASK, &b.orig_mask, NULL);
out:
	if (b.tmp[0])
		sbx_rmtree(b.tmp);
	if (b.out && b.out != stdout)
		fclose(b.out);
	else if (b.out)
		fflush(b.out);
	if (rd.fd >= 0)
		close(rd.fd);
	free(rd.buf);
	free(b.slots);
	free(b.pfd);
	return rc;
}
