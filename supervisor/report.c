/* report.c: the run's JSON report (report.md). One skeleton serves a run
 * that happened and one that never started (sbx_report_write_failure);
 * one writer puts every file in place, the report and a learnt policy
 * alike: a regular file atomically (a temporary file in the same
 * directory, then rename), a device or FIFO in place. Each destination is
 * checked before the run (sbx_dest_open), its directory held. The
 * events, kept in a file while the run lasts, are spliced in as the
 * report is written, never held in memory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_diag.h"
#include "sbx_match.h"
#include "sbx_run.h"

/* ---- destinations: checked before the run, written after ---- */

/* A temporary name beside base, as the last-resort parent looks for
 * them (guard.c): BASE.tmp. and six characters. */
static int tmp_name(const char *base, char *out, size_t cap)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	if ((size_t)snprintf(out, cap, "%s.tmp.%c%c%c%c%c%c", base, al[rnd[0] % 62], al[rnd[1] % 62],
			     al[rnd[2] % 62], al[rnd[3] % 62], al[rnd[4] % 62], al[rnd[5] % 62]) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

/* A new file beside base in d's directory, never through a link. */
static int create_tmp(const struct sbx_dest *d, char *tmp, size_t cap)
{
	for (int i = 0; i < 16; i++) {
		int r = tmp_name(d->base, tmp, cap), fd;
		if (r < 0)
			return r;
		fd = openat(d->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* A sticky directory others may write (/tmp): the entries of other users
 * there are theirs, and not to be replaced or written through by a name
 * they planted (the kernel's protected_regular/_symlinks, for root too). */
static bool foreign_in_shared_dir(const struct sbx_dest *d, const struct stat *entry)
{
	struct stat dir;

	if (fstat(d->dirfd, &dir) < 0)
		return true;
	if (!(dir.st_mode & S_ISVTX) || !(dir.st_mode & S_IWOTH))
		return false;
	return entry->st_uid != geteuid() && entry->st_uid != dir.st_uid;
}

/* Whether a symlink at base is followed: written through to the device or
 * FIFO it names (/dev/stdout). Never one the sandbox could have planted
 * (in one of its writable trees, or its uid's), nor another user's. */
static bool trusted_link(const struct sbx_dest *d, const struct stat *lst, char *const *write_roots)
{
	char dir[PATH_MAX], proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", d->dirfd);
	n = readlink(proc, dir, sizeof(dir) - 1);
	if (n <= 0)
		return false;
	dir[n] = '\0';
	if (sbx_path_under_any(dir, write_roots))
		return false;
	return lst->st_uid == 0 || lst->st_uid == geteuid();
}

/* The same file as our standard output or error (a pipe, a socket that
 * cannot be opened by name): written through our descriptor. */
static int same_as_stdio(const struct stat *st)
{
	struct stat s;

	for (int fd = 1; fd <= 2; fd++)
		if (fstat(fd, &s) == 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino)
			return fd;
	return -1;
}

/* base names something that is not a regular file; d->fd made. */
static int dest_in_place(struct sbx_dest *d, const struct stat *st, bool follow, const char **why)
{
	int std = same_as_stdio(st);
	char proc[64];

	d->in_place = true;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (S_ISBLK(st->st_mode)) {
		*why = "a block device: sandboxpy writes to a file, a FIFO or a character device";
		return -EINVAL;
	}
	if (std >= 0) {
		d->fd = fcntl(std, F_DUPFD_CLOEXEC, 3);
		d->fd_writable = true;
		return d->fd < 0 ? -errno : 0;
	}
	if (S_ISSOCK(st->st_mode))
		return -ENXIO;
	/* Held by an O_PATH descriptor: nothing is opened on the device yet,
	 * and no name can be swapped under us before the end. */
	d->fd = openat(d->dirfd, d->base, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (d->fd < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", d->fd);
	return faccessat(AT_FDCWD, proc, W_OK, AT_EACCESS) < 0 ? -errno : 0;
}

static int dest_dir(const char *path, struct sbx_dest *d, char *const *write_roots);
static int dest_replaced(struct sbx_dest *d);

/* A trusted link to a regular file: our own standard output or error
 * (/dev/stdout with stdout redirected to a file) is written through our
 * descriptor, where the shell's redirection expects it; any other file is
 * replaced where it is, the link left as it was. */
static int dest_through_link(struct sbx_dest *d, const struct stat *st, char *const *write_roots,
			     const char **why)
{
	char proc[64], real[PATH_MAX];
	struct stat rst;
	int fd = same_as_stdio(st);
	ssize_t n;

	if (fd >= 0) {
		d->in_place = d->fd_writable = true;
		d->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return d->fd < 0 ? -errno : 0;
	}
	if ((fd = openat(d->dirfd, d->base, O_PATH | O_CLOEXEC)) < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, real, sizeof(real) - 1);
	close(fd);
	if (n <= 0 || real[0] != '/')
		return -ENOENT;
	real[n] = '\0';
	close(d->dirfd);
	d->dirfd = -1;
	if ((fd = dest_dir(real, d, write_roots)) < 0)
		return fd;
	if (fstatat(d->dirfd, d->base, &rst, AT_SYMLINK_NOFOLLOW) == 0 && foreign_in_shared_dir(d, &rst)) {
		*why = "another user's file in a shared, sticky directory";
		return -EACCES;
	}
	return dest_replaced(d);
}

/* base is absent or will be replaced: prove the directory takes a new
 * file now, not after the run. */
static int dest_replaced(struct sbx_dest *d)
{
	char tmp[NAME_MAX + 1];
	int fd = create_tmp(d, tmp, sizeof(tmp));

	if (fd < 0)
		return fd;
	close(fd);
	unlinkat(d->dirfd, tmp, 0);
	return 0;
}

/* Splits path into its directory, held open, and its last name. */
static int dest_dir(const char *path, struct sbx_dest *d, char *const *write_roots)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;

	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EISDIR;
	if ((size_t)snprintf(d->base, sizeof(d->base), "%s", base) >= sizeof(d->base) ||
	    (size_t)snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
			     slash ? (slash == path ? "/" : path) : ".") >= sizeof(dir))
		return -ENAMETOOLONG;
	d->dirfd = sbx_open_own(dir, O_PATH | O_DIRECTORY, write_roots);
	return d->dirfd < 0 ? d->dirfd : 0;
}

int sbx_dest_open(const char *path, const char *what, char *const *write_roots, struct sbx_dest *d,
		  struct sbx_error *err)
{
	const char *why = NULL;
	struct stat lst, st;
	bool follow = false;
	int r;

	memset(d, 0, sizeof(*d));
	d->fd = d->dirfd = -1;
	if (strcmp(path, "-") == 0) {
		d->in_place = d->fd_writable = true;
		d->fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
		r = d->fd < 0 ? -errno : 0;
	} else if ((r = dest_dir(path, d, write_roots)) == 0) {
		if (fstatat(d->dirfd, d->base, &lst, AT_SYMLINK_NOFOLLOW) < 0)
			r = errno == ENOENT ? dest_replaced(d) : -errno;
		else if (foreign_in_shared_dir(d, &lst)) {
			r = -EACCES;
			why = "another user's file in a shared, sticky directory";
		}
		else if (S_ISLNK(lst.st_mode) && (follow = trusted_link(d, &lst, write_roots)) &&
			 fstatat(d->dirfd, d->base, &st, 0) == 0)
			r = S_ISREG(st.st_mode) ? dest_through_link(d, &st, write_roots, &why)
			    : dest_in_place(d, &st, true, &why);
		else if (S_ISLNK(lst.st_mode) || S_ISREG(lst.st_mode))
			r = dest_replaced(d);	/* a link is replaced, never written through */
		else
			r = dest_in_place(d, &lst, false, &why);
	}
	d->follow = follow;
	d->open = r == 0;
	d->failed = r;
	if (r < 0) {
		sbx_diag_add(err, path, 0, 0, NULL, "cannot write %s: %s%s%s%s", what, strerror(-r),
			     why ? " (" : "", why ? why : "", why ? ")" : "");
		sbx_dest_close(d);
	}
	return r;
}

void sbx_dest_close(struct sbx_dest *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->fd = d->dirfd = -1;
	d->open = false;
}

/* A descriptor that writes to the destination itself: a device or FIFO
 * opened now (a FIFO waits for its reader), or our own stream's copy. */
static int open_in_place(const struct sbx_dest *d)
{
	char proc[64];

	if (d->fd_writable)
		return fcntl(d->fd, F_DUPFD_CLOEXEC, 3);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", d->fd);
	return open(proc, O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

int sbx_dest_stream(const struct sbx_dest *d)
{
	int fd;

	if (d->in_place)
		fd = open_in_place(d);
	else
		fd = openat(d->dirfd, d->base, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC |
			    (d->follow ? 0 : O_NOFOLLOW), 0644);
	return fd < 0 ? -errno : fd;
}

typedef int (*emit_fn)(FILE *out, void *ctx);

static int emit_to(int fd, emit_fn emit, void *ctx)
{
	FILE *f = fdopen(fd, "w");
	int r;

	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	r = emit(f, ctx);
	if (fclose(f) != 0 && !r)
		r = -errno;
	return r;
}

/* The one writer: a regular file whole or not at all (a temporary file
 * beside it, renamed over it only if every write succeeded); anything
 * else written in place, never replaced. */
static int dest_write(const struct sbx_dest *d, emit_fn emit, void *ctx)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	if (d->in_place) {
		fd = open_in_place(d);
		return fd < 0 ? -errno : emit_to(fd, emit, ctx);
	}
	if ((fd = create_tmp(d, tmp, sizeof(tmp))) < 0)
		return fd;
	fchmod(fd, 0644);
	r = emit_to(fd, emit, ctx);
	if (!r && renameat(d->dirfd, tmp, d->dirfd, d->base) < 0)
		r = -errno;
	if (r)
		unlinkat(d->dirfd, tmp, 0);
	return r;
}

static int write_path(const char *path, emit_fn emit, void *ctx)
{
	struct sbx_dest d;
	struct sbx_error err;
	int r;

	sbx_error_clear(&err);
	if ((r = sbx_dest_open(path, "the file", NULL, &d, &err)) < 0)
		return r;
	r = dest_write(&d, emit, ctx);
	sbx_dest_close(&d);
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
	return write_path(path, emit_json, doc);
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
	int cli_status;			/* what sandboxpy exits with */
	bool cli_status_program;	/* ... and it is the program's own status */
	enum sbx_limit_kind limit;
	double limit_value, limit_used;
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

/* report.md "limit": null, or which limit ended the run. */
static json_t *limit_json(const struct report_head *h)
{
	const char *kind = sbx_limit_name(h->limit);

	if (!kind)
		return json_null();
	return json_pack("{s:s, s:f, s:f}", "kind", kind, "value", h->limit_value,
			 "used", sbx_round3(h->limit_used));
}

/* report.md "exit": the status sandboxpy exits with and whose meaning it
 * has: the program's own exit status, or one of cli.md's (124 a limit,
 * 125 sandboxpy failed, 126 a violation, 128+N a signal), which a program
 * may also exit with by itself. */
static json_t *exit_json(const struct report_head *h)
{
	const char *m = h->cli_status_program ? "program" : h->cli_status == 124 ? "limit"
			: h->cli_status == 125 ? "internal" : h->cli_status == 126 ? "violation"
			: h->cli_status > 128 ? "signal" : "program";

	return json_pack("{s:i, s:s}", "status", h->cli_status, "meaning", m);
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
	json_object_set_new(r, "limit", limit_json(h));
	json_object_set_new(r, "exit_code", h->exit_code >= 0 ? json_integer(h->exit_code) : json_null());
	json_object_set_new(r, "signal", h->signal ? json_integer(h->signal) : json_null());
	json_object_set_new(r, "exit", exit_json(h));
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
		.status = SBX_ST_INTERNAL, .message = line, .exit_code = -1, .cli_status = 125,
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
		.signal = res->signal, .cli_status = res->cli_status,
		.cli_status_program = res->cli_status_program, .limit = res->limit,
		.limit_value = res->limit_value, .limit_used = res->limit_used,
		.cpu_s = res->cpu_s, .wall_s = res->wall_s,
		.max_rss_kb = res->max_rss_kb, .layers = sbx_layers_json(s),
		.usage = s->o->audit_only ? usage_json(s) : NULL,
		.denied = res->denied, .logged = res->logged, .bypass = res->bypass,
		.dropped = res->dropped, .killed_by = s->killed_by, .errors = json_incref(s->errors),
	};
	json_t *r;

	/* A run that failed after its end was decided is internal: no limit. */
	if (res->status != SBX_ST_TIMEOUT && res->status != SBX_ST_MEMORY && res->status != SBX_ST_OUTPUT)
		h.limit = SBX_LIMIT_NONE;
	if (res->status == SBX_ST_INTERNAL)
		h.cli_status_program = false;
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

	if (!r && s->report_dest.open)
		r = dest_write(&s->report_dest, emit_report, &rr);
	else if (!r && s->o->report_path && !s->report_dest.failed)
		r = write_path(s->o->report_path, emit_report, &rr);
	if (s->report_dest.open)
		sbx_dest_close(&s->report_dest);
	/* A destination refused before the run was said then; nothing ran. */
	if (r < 0 && !s->report_dest.failed)
		sbx_say(s->o, SBX_MSG_ERROR, "cannot write report %s: %s",
			s->o->report_path ? s->o->report_path : "(in memory)", strerror(-r));
	if (text && s->o->want_report_json)
		res->report_json = report_in_memory(&rr);
	free(text);
	json_decref(rep);
}
