/* sandboxpy.h: the public API of libsandboxpy, which the sandboxpy CLI is
 * built on. Load a policy, check it, print or explain it, run Python under it.
 * Every function returns 0 or a negative errno and fills a caller-provided
 * struct sbx_error with messages a person can act on. No global state. */
#ifndef SANDBOXPY_H
#define SANDBOXPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SBX_VERSION "0.1.0"

/* One diagnostic: where (file, line, column, JSON path) and what. line is 0
 * when there is no position (a --set override, a file that cannot be read). */
struct sbx_diag {
	char file[256];
	int line, col;
	char json_path[128];
	char msg[320];
};

/* Several diagnostics, so that one run over a bad policy reports them all. */
#define SBX_ERR_MAX 16
struct sbx_error {
	int n;			/* diagnostics stored in d[] */
	int dropped;		/* more that did not fit */
	struct sbx_diag d[SBX_ERR_MAX];
};

void sbx_error_clear(struct sbx_error *err);
/* Formats diagnostic i as "file:line:col: $.path: msg". */
void sbx_error_format(const struct sbx_error *err, int i, char *buf, size_t len);
/* Prints every diagnostic, one a line, each prefixed with prefix. */
void sbx_error_print(const struct sbx_error *err, FILE *out, const char *prefix);

struct sbx_policy;

/* Policy loading. cwd is the sandbox's working directory, against which
 * relative paths in the policy resolve (NULL: the current directory). */
enum sbx_load_flags {
	SBX_LOAD_NO_RESOLVE = 1 << 0,	/* host names are an error instead of a
					 * DNS lookup (fuzzing, offline checks) */
};
int sbx_policy_load_file(const char *path, const char *cwd, unsigned flags,
			 struct sbx_policy **out, struct sbx_error *err);
int sbx_policy_load_string(const char *text, size_t len, const char *source,
			   const char *cwd, unsigned flags,
			   struct sbx_policy **out, struct sbx_error *err);
/* name is "default", "strict", "grading", "plugin" (with or without the
 * "builtin:" prefix). */
int sbx_policy_load_builtin(const char *name, const char *cwd, unsigned flags,
			    struct sbx_policy **out, struct sbx_error *err);
/* "builtin:NAME" or a file path. */
int sbx_policy_load(const char *spec, const char *cwd, unsigned flags,
		    struct sbx_policy **out, struct sbx_error *err);
/* Same, applying overrides "KEY=VALUE" (JSON path, JSON or bare-string value)
 * to the document before it is validated. */
int sbx_policy_load_with(const char *spec, const char *cwd, unsigned flags,
			 const char *const *overrides, size_t n_overrides,
			 struct sbx_policy **out, struct sbx_error *err);
void sbx_policy_free(struct sbx_policy *p);
const char *sbx_policy_name(const struct sbx_policy *p);

/* The builtin policy's JSON text, or NULL. */
const char *sbx_builtin_text(const char *name);
/* The names of the builtin policies, NULL-terminated. */
extern const char *const sbx_builtin_names[];

/* The normalised policy, every default filled in, as JSON text (malloc'd). */
int sbx_policy_to_json(const struct sbx_policy *p, char **out, struct sbx_error *err);
/* What the policy allows and denies, section by section, in plain words. */
int sbx_policy_explain(const struct sbx_policy *p, FILE *out);

/* Everything --explain prints: the policy in words, then what each kernel
 * layer enforces for it (the seccomp filter per rule id). With
 * SBX_EXPLAIN_BPF, also the filter as libseccomp pseudo-filter code. */
#define SBX_EXPLAIN_BPF 1u
int sbx_explain(const struct sbx_policy *p, unsigned flags, FILE *out, struct sbx_error *err);

/* ---- running a program ---- */

enum sbx_prog_kind {
	SBX_PROG_FILE,		/* a script path, like python3 SCRIPT */
	SBX_PROG_COMMAND,	/* -c CODE */
	SBX_PROG_MODULE,	/* -m MODULE */
	SBX_PROG_STDIN,		/* the program on standard input */
};

/* Layers --require can insist on. */
enum sbx_layer {
	SBX_LAYER_AUDIT = 1 << 0,
	SBX_LAYER_SECCOMP = 1 << 1,
	SBX_LAYER_LANDLOCK = 1 << 2,
	SBX_LAYER_NETNS = 1 << 3,
	SBX_LAYER_CAPS = 1 << 4,
	SBX_LAYER_VIEW = 1 << 5,	/* the run's own filesystem view */
};

/* Called for each recorded event as it happens, in the thread that called
 * sbx_run, with the event as one JSON object (the report's events[] form,
 * report.md), NUL-terminated and valid only during the call. The run is
 * paused meanwhile (a slow callback slows the sandbox, never loses events). */
typedef void (*sbx_event_cb)(const char *event_json, void *ctx);

/* What a message of the library is, so that a host can tell a denial
 * line from a warning from the summary. */
enum sbx_msg_kind {
	SBX_MSG_DENIAL,		/* one operation refused (or, --audit-only, that
				 * would have been): "denied open '/etc/x' at
				 * f.py:3 (not in filesystem.read)" */
	SBX_MSG_NOTE,		/* about the other messages: "further denials
				 * are not shown here ..."; the learnt policy */
	SBX_MSG_WARNING,	/* a layer not in force, the channel tampered
				 * with, a write directory not made */
	SBX_MSG_ERROR,		/* something asked of sandboxpy it could not
				 * do: the report file, the last-resort parent */
	SBX_MSG_SUMMARY,	/* the run's one line at the end */
	SBX_MSG_VERBOSE,	/* with verbose: which layers were set up, how */
};

/* Called for each message a run has for a person, in the thread that
 * called sbx_run (from a worker, forwarded like events): one line of
 * text, no "sandboxpy: " prefix and no newline (the CLI prints
 * "sandboxpy: TEXT\n" on standard error), valid only during the call.
 * Without it the library says nothing: it never writes to standard
 * error itself (what the program writes to its own stderr still goes
 * where its stderr goes). */
typedef void (*sbx_message_cb)(enum sbx_msg_kind kind, const char *text, void *ctx);

#define SBX_MAX_PYOPTS 32
struct sbx_run_opts {
	enum sbx_prog_kind kind;
	const char *program;		/* script path, code, or module name */
	const char *const *args;	/* arguments after the program */
	size_t n_args;
	const char *report_path;	/* NULL: no report file */
	const char *log_path;		/* NULL: no JSON-lines log */
	const char *stdin_path, *stdout_path, *stderr_path;
	/* Standard streams as the caller's descriptors (pipes of a host):
	 * with use_stdio_fds, stdio_fds[i] >= 0 becomes the sandbox's
	 * descriptor i (the caller keeps its own copy), -1 leaves it as
	 * inherited or as the *_path above says. */
	bool use_stdio_fds;
	int stdio_fds[3];
	/* --stderr-to-stdout: standard error is a copy of standard output
	 * (their lines interleaved in order); stderr_path and stdio_fds[2]
	 * must be unset (-EINVAL). */
	bool stderr_to_stdout;
	sbx_event_cb on_event;		/* NULL: none */
	void *on_event_ctx;
	sbx_message_cb on_message;	/* NULL: the library is silent */
	void *on_message_ctx;
	bool want_report_json;		/* fill sbx_result.report_json */
	/* sys.executable inside the sandbox, which programs re-run to start
	 * Python (multiprocessing's spawn, subprocess of sys.executable).
	 * NULL: the running program, right for the sandboxpy CLI; a host
	 * application should name an installed sandboxpy binary. */
	const char *executable;
	/* --audit-only: every deny and kill of the policy becomes a record
	 * marked "would": "deny", at every layer; nothing is refused, limits
	 * still hold (docs/authoring.md). */
	bool audit_only;
	/* quiet: no denial, note, warning or summary messages (errors
	 * still come); verbose: the SBX_MSG_VERBOSE ones too. */
	bool quiet, verbose;
	unsigned require;		/* enum sbx_layer bits */
	/* python3's own options */
	int optimize;			/* -O count */
	bool dont_write_bytecode;	/* -B */
	bool unbuffered;		/* -u */
	bool no_site;			/* -S */
	int bytes_warning;		/* -b count */
	bool parser_debug;		/* -d */
	bool skip_first_line;		/* -x */
	bool safe_path;			/* -P */
	const char *xoptions[SBX_MAX_PYOPTS];
	size_t n_xoptions;
	const char *warnoptions[SBX_MAX_PYOPTS];
	size_t n_warnoptions;
	/* The command line as given, echoed in the report's argv. */
	const char *const *report_argv;
	size_t n_report_argv;
	/* NULL, or where sbx_run notes what a run leaves on the host while it
	 * goes, for a last-resort parent that cleans up and writes the
	 * report if this process dies (the CLI's, sbx_guard_run). */
	struct sbx_guard *guard;
	/* NULL, or a warm pool (sbx_pool_open) owned by this process: the
	 * run's interpreter is forked from an interpreter already started,
	 * where the run's options allow it (sbx_pool_fits), and starts fresh
	 * otherwise (docs/performance.md, docs/threat-model.md). */
	struct sbx_pool *pool;
};

/* ---- the warm pool (docs/batch.md) ---- */

/* A zygote: python3.11 with sandboxpy's runtime and its audit hook,
 * initialised once and holding no run's data. A run given the pool gets
 * its interpreter as a fork of it, confined for that one run and never
 * reused; a run whose options the pool cannot reproduce starts fresh
 * (the report's layers.audit.warm_reason says why). The zygote is this
 * process's child and clones each run as this process's child: open and
 * use a pool from one single-threaded process, never across a fork (a
 * threaded caller's runs go through a worker process and start fresh).
 * Waits until the zygote's interpreter is up. 0 or -errno. Closing kills
 * the zygote; a zygote that died makes every later run start fresh. */
struct sbx_pool;
int sbx_pool_open(struct sbx_pool **out, struct sbx_error *err);
void sbx_pool_close(struct sbx_pool *pool);

/* ---- the last-resort parent (docs/running.md) ---- */

enum { SBX_GUARD_IDLE, SBX_GUARD_RUNNING, SBX_GUARD_REPORTED, SBX_GUARD_CLEAN };

/* Shared (MAP_SHARED) between the supervisor, which fills it, and its
 * parent, which reads it only after the supervisor died. Never inherited
 * by the sandbox (MADV_DONTFORK): the program cannot write it. */
struct sbx_guard {
	volatile int state;		/* SBX_GUARD_* */
	volatile int sandbox;		/* the sandbox's first process, 0: none yet */
	char cgroup[3][4096];		/* the run's cgroup directories, "" when none */
	char tmpdir[4096], policy_dir[4096];	/* the run's own directories, or "" */
};

/* The CLI's last resort: forks. In the child (the supervisor) it returns
 * 1 with opts->guard set, and the caller goes on to sbx_run. This process
 * waits, passes on SIGTERM, SIGHUP and a SIGINT not from the terminal,
 * and, should the child die by a signal or end without its report, kills
 * what the run left, removes its cgroups and directories, writes an
 * "internal" report to opts->report_path (when set) and returns 0 with
 * *child_status = 125; otherwise 0 with the child's own exit status. A
 * child killed by a signal after its clean-up ends this process by the
 * same signal. -errno when it cannot fork (the caller runs unguarded).
 * What the parent has to say (the supervisor died, the report could not
 * be written) goes to opts->on_message as SBX_MSG_ERROR. */
int sbx_guard_run(struct sbx_run_opts *opts, const char *policy_source, int *child_status);

enum sbx_status {
	SBX_ST_OK, SBX_ST_ERROR, SBX_ST_TIMEOUT, SBX_ST_MEMORY, SBX_ST_OUTPUT,
	SBX_ST_VIOLATION, SBX_ST_SIGNAL, SBX_ST_INTERNAL,
};
const char *sbx_status_name(enum sbx_status s);

/* The limit that ended a run (report.md "limit"). TASKS and FILES are
 * named for completeness: pids.max and RLIMIT_NOFILE refuse, they do not
 * end a run, so no run reports them today. */
enum sbx_limit_kind {
	SBX_LIMIT_NONE, SBX_LIMIT_CPU, SBX_LIMIT_WALL, SBX_LIMIT_MEMORY, SBX_LIMIT_OUTPUT,
	SBX_LIMIT_TASKS, SBX_LIMIT_FILES,
};
const char *sbx_limit_name(enum sbx_limit_kind k);	/* NULL for NONE */

struct sbx_result {
	enum sbx_status status;
	int exit_code;			/* -1 when the program did not exit by itself */
	int signal;			/* 0 when none */
	int cli_status;			/* what sandboxpy exits with (cli.md) */
	bool cli_status_program;	/* cli_status is the program's own exit
					 * status, not one of sandboxpy's meanings */
	enum sbx_limit_kind limit;	/* the limit that ended the run, or NONE */
	double limit_value, limit_used;	/* in its unit: seconds, MB */
	double cpu_s, wall_s;
	long max_rss_kb;
	unsigned long denied, logged, bypass, dropped;
	char message[512];
	char *report_json;		/* with want_report_json: the report
					 * (malloc'd); sbx_result_free() */
};

/* Frees what sbx_run allocated in res (report_json); res stays usable. */
void sbx_result_free(struct sbx_result *res);

/* Forks, confines and runs the program; returns when every process of the
 * sandbox is gone. The working directory of the sandbox is the cwd the
 * policy was loaded with. What it asks of the caller:
 * - fork: the sandbox is started with a raw clone (for its namespaces),
 *   which skips glibc's fork handlers. From a single-threaded caller that
 *   is all; a caller with other threads gets a worker process first,
 *   made with fork(), which runs the sandbox and sends back the events
 *   (on_event is still called in the calling thread) and the result. So
 *   several threads may call sbx_run at once: each run has its own state.
 * - signals: SIGINT, SIGTERM and SIGHUP are blocked in the thread that
 *   supervises (the caller's, or the worker's) and read from a signalfd
 *   (SIGINT is passed to the program, the others end the run); the mask
 *   is restored on return. A worker gets SIGTERM if the caller dies.
 * - children: the calling process is made a child subreaper for the run
 *   (restored afterwards) so that nothing of the sandbox escapes it. A negative return means
 * sandboxpy itself failed before the program could run; res is filled and
 * the report written either way. */
int sbx_run(const struct sbx_policy *p, const struct sbx_run_opts *o,
	    struct sbx_result *res, struct sbx_error *err);

/* What sbx_learn did, for the caller to say. */
struct sbx_learn_result {
	bool widened_existing;		/* out_path existed and was widened */
	unsigned entries;		/* entries learnt (widened) */
	unsigned narrowed;		/* limits lowered to what the run needed */
	unsigned optional;		/* import refusals (native.ctypes, imports.deny,
					 * native.extensions) SBX_LEARN_SKIP_IMPORTS left out */
	char *policy_json;		/* SBX_LEARN_DRY_RUN: the policy (malloc'd) */
};

/* --learn: from the report of an --audit-only run of policy p
 * (sbx_result.report_json), writes to out_path the narrowest policy that
 * lets that run through, and out_path.notes with the event behind each
 * learnt entry. An existing out_path is widened, never narrowed. out (may
 * be NULL) says what was done. */
int sbx_learn(const char *out_path, const struct sbx_policy *p, const char *report_json,
	      struct sbx_learn_result *out, struct sbx_error *err);
/* The run's own refusals for --learn, every one, where the report keeps at
 * most 10 000 events: pass sbx_learn_keep as the run's on_event with the
 * list as its ctx, then the list to sbx_learn_from (NULL: the report's
 * events, as sbx_learn). Repeats of one refusal are kept once. */
struct sbx_learn_events;
struct sbx_learn_events *sbx_learn_events_new(void);
void sbx_learn_keep(const char *event_json, void *ctx);
void sbx_learn_events_free(struct sbx_learn_events *e);
int sbx_learn_from(const char *out_path, const struct sbx_policy *p, const char *report_json,
		   const struct sbx_learn_events *events, struct sbx_learn_result *out,
		   struct sbx_error *err);

/* sbx_learn_with's flags. SKIP_IMPORTS: grant nothing for the run's
 * import refusals, only list them in the notes (the CLI does so when a
 * second run without them ends as well as the first: the program caught
 * the ImportError). DRY_RUN: write nothing, return the policy text in
 * out->policy_json. */
enum { SBX_LEARN_SKIP_IMPORTS = 1u << 0, SBX_LEARN_DRY_RUN = 1u << 1 };
int sbx_learn_with(const char *out_path, const struct sbx_policy *p, const char *report_json,
		   const struct sbx_learn_events *events, unsigned flags,
		   struct sbx_learn_result *out, struct sbx_error *err);
/* After a failed run: when the program imports a module that is in the
 * system's site-packages while python.site is off, a sentence saying so
 * and what to set ("" otherwise). kind and program as in sbx_run_opts. */
void sbx_learn_site_hint(const struct sbx_policy *p, enum sbx_prog_kind kind, const char *program,
			 char *buf, size_t len);

/* sandboxpy --self-test: one small sandbox per layer tries one forbidden
 * thing; prints what this machine enforces to out. 0, or 125 when the
 * audit hook or the seccomp filter cannot be enforced. */
int sbx_self_test(FILE *out);

/* ---- batch mode (sandboxpy --batch, docs/batch.md) ---- */

struct sbx_batch_stats {
	unsigned long lines;		/* lines read from the jobs file */
	unsigned long done;		/* result lines written */
	unsigned long failed;		/* status not ok, or stdout not matched */
	unsigned long malformed;	/* lines that were not a valid job */
	int signal;			/* SIGINT/SIGTERM/SIGHUP that stopped the batch, or 0 */
	unsigned long by_status[SBX_ST_INTERNAL + 1];	/* results by report.status */
	unsigned long mismatched;	/* status ok but stdout did not match */
};

/* Called after each result line (last: false) and once when the batch
 * ends (last: true), in the caller's thread: now->done and now->failed
 * so far; total is the number of jobs, 0 when not known ahead (a pipe). */
typedef void (*sbx_batch_progress_cb)(const struct sbx_batch_stats *now, unsigned long total,
				      bool last, void *ctx);

struct sbx_batch_opts {
	const char *jobs_path;		/* JSON lines, one job each; NULL or "-": stdin */
	const char *results_path;	/* NULL or "-": stdout */
	unsigned jobs;			/* runs at a time; 0: the online CPUs */
	sbx_batch_progress_cb on_progress;	/* NULL: none (the CLI's prints
						 * "[done/total] N failed ..." and
						 * a summary, docs/batch.md) */
	void *on_progress_ctx;
	struct sbx_batch_stats *stats;	/* filled on return when not NULL */
	bool no_pool;			/* every run starts its own interpreter */
};

/* Runs every job of the jobs file, writing one result line per job in
 * the order they finish. The jobs run in up to o->jobs long-lived slots,
 * forked processes that each open a warm pool (sbx_pool_open) and call
 * sbx_run for one job after another; with o->no_pool, each job is a forked
 * worker calling sbx_run without one. A slot whose pool does not open
 * runs its jobs fresh and adds one warning to err, which then holds it
 * while the function still returns 0 (docs/batch.md).
 * SIGINT, SIGTERM, SIGHUP and SIGCHLD are blocked in the caller meanwhile
 * and read from a signalfd: the first three end every running sandbox,
 * whose results are still written. Returns 0 when every job was run
 * (whatever their outcome; malformed lines get an error result), -EINTR
 * when a signal stopped the batch (stats->signal says which), other
 * -errno when the batch itself failed (jobs unreadable, results
 * unwritable). */
int sbx_batch(const struct sbx_batch_opts *o, struct sbx_error *err);

/* Writes a report for a run that never started (bad usage, bad policy):
 * status internal, the errors listed. */
int sbx_report_write_failure(const char *path, const char *const *argv, size_t argc,
			     const char *policy_source, const struct sbx_error *errs);

#ifdef __cplusplus
}
#endif
#endif
