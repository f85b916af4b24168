/* main.c: the sandboxpy command line (cli.md), a thin layer over
 * libsandboxpy: parse options, load the policy, run, exit with the status
 * cli.md defines. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "sandboxpy.h"
#include "sbx_match.h"

#define EXIT_SBX_FAIL 125
#define MAX_SETS 64

static const char usage_text[] =
	"usage: sandboxpy [OPTIONS] [--] SCRIPT [ARG...]\n"
	"       sandboxpy [OPTIONS] -c CODE [ARG...]\n"
	"       sandboxpy [OPTIONS] -m MODULE [ARG...]\n"
	"       sandboxpy [OPTIONS]                  (the program on standard input)\n"
	"       sandboxpy --batch JOBS.jsonl [--jobs N] [--results FILE] [--progress MODE] [--no-pool]\n"
	"       sandboxpy --learn OUT.json [OPTIONS] SCRIPT|-c CODE|-m MODULE [ARG...]\n"
	"       sandboxpy --check-policy FILE\n"
	"       sandboxpy --explain [--policy FILE]\n"
	"       sandboxpy --show-policy builtin:NAME|FILE\n"
	"       sandboxpy --self-test | --version | --help\n"
	"\n"
	"Runs Python like python3 does, confined by a JSON policy.\n"
	"\n"
	"options:\n"
	"  -p, --policy FILE       the policy (builtin:NAME for a built-in one);\n"
	"                          default builtin:default\n"
	"  -r, --report FILE       write the run's JSON report to FILE, whatever happens\n"
	"      --log FILE          write each recorded event as a JSON line, as it happens\n"
	"  -C, --chdir DIR         working directory of the sandbox; relative policy paths\n"
	"                          resolve against it\n"
	"      --stdin FILE, --stdout FILE, --stderr FILE\n"
	"                          redirect the sandbox's standard streams\n"
	"      --stderr-to-stdout  the program's standard error goes where its standard\n"
	"                          output goes, in order (not with --stderr)\n"
	"      --timeout SECONDS   overrides limits.wall_seconds\n"
	"      --extra-time SECONDS  overrides limits.extra_seconds: a grace past the cpu\n"
	"                          and wall limits; a run that uses it is still a timeout\n"
	"      --set KEY=VALUE     overrides one policy value by JSON path (repeatable)\n"
	"      --require LAYERS    fail (exit 125) unless these layers are in force:\n"
	"                          audit, seccomp, landlock, netns, caps (comma-separated)\n"
	"  -q, --quiet             no denial lines and no summary on standard error\n"
	"  -v, --verbose           say which layers were set up and how\n"
	"      --audit-only        enforce nothing: record what the policy would refuse\n"
	"                          (\"would\": \"deny\" in the report and the log)\n"
	"      --learn OUT.json    run in audit-only mode and write the narrowest policy\n"
	"                          that lets this run through (widens OUT.json if it\n"
	"                          exists; --policy is the starting point)\n"
	"      --check-policy FILE validate a policy and exit (0 valid, 125 invalid)\n"
	"      --explain           say what each layer enforces for the policy\n"
	"      --bpf               with --explain: also print the seccomp filter as\n"
	"                          libseccomp pseudo-filter code\n"
	"      --show-policy SPEC  print a policy with every default filled in\n"
	"      --self-test         try one forbidden thing per layer; print what this\n"
	"                          machine enforces (exit 125 if audit or seccomp cannot be)\n"
	"      --batch JOBS.jsonl  run one job per line, N at a time, one JSON result line\n"
	"                          each (docs/batch.md); exit 0 when every job ran, 125 when\n"
	"                          the batch failed, 130/143 when interrupted\n"
	"      --jobs N            with --batch: runs at a time (default: online CPUs)\n"
	"      --results FILE      with --batch: the result lines (default: standard output)\n"
	"      --progress MODE     with --batch: auto (default: a live line on a terminal,\n"
	"                          plain lines otherwise), plain, json (JSON lines), none\n"
	"      --no-pool           with --batch: no warm pool, each job starts its own\n"
	"                          interpreter (also SANDBOXPY_POOL=off)\n"
	"  -V, --version           print the version\n"
	"  -h, --help              print this help\n"
	"\n"
	"python3's options are accepted before the program: -B -b -bb -d -E -I -O -OO\n"
	"-P -R -S -s -u -x -X OPT -W ARG (the interpreter always runs isolated; -v and\n"
	"-q are sandboxpy's own).\n"
	"\n"
	"Without --policy, a sandboxpy started inside a sandbox (as sys.executable)\n"
	"takes the outer sandbox's policy (SANDBOXPY_INHERIT_POLICY); elsewhere\n"
	"builtin:default.\n"
	"\n"
	"exit status: the program's own; 124 time limit; 125 sandboxpy failed, nothing\n"
	"untrusted ran; 126 killed by a policy violation; 128+N killed by signal N.\n";

enum {
	OPT_LOG = 256, OPT_STDIN, OPT_STDOUT, OPT_STDERR, OPT_TIMEOUT, OPT_SET,
	OPT_CHECK, OPT_EXPLAIN, OPT_SHOW, OPT_REQUIRE, OPT_BPF, OPT_SELF_TEST,
	OPT_AUDIT_ONLY, OPT_LEARN,
	OPT_BATCH, OPT_JOBS, OPT_RESULTS, OPT_PROGRESS, OPT_MERGE_STDERR, OPT_EXTRA_TIME,
	OPT_NO_POOL,
};

#ifdef SBX_TEST_SWITCHES
extern const char *sbx_fault_injected;
#endif

static const struct option long_opts[] = {
	{ "policy", required_argument, NULL, 'p' },
	{ "report", required_argument, NULL, 'r' },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "chdir", required_argument, NULL, 'C' },
	{ "stdin", required_argument, NULL, OPT_STDIN },
	{ "stdout", required_argument, NULL, OPT_STDOUT },
	{ "stderr", required_argument, NULL, OPT_STDERR },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "extra-time", required_argument, NULL, OPT_EXTRA_TIME },
	{ "stderr-to-stdout", no_argument, NULL, OPT_MERGE_STDERR },
	{ "set", required_argument, NULL, OPT_SET },
	{ "require", required_argument, NULL, OPT_REQUIRE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "check-policy", required_argument, NULL, OPT_CHECK },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "bpf", no_argument, NULL, OPT_BPF },
	{ "self-test", no_argument, NULL, OPT_SELF_TEST },
	{ "audit-only", no_argument, NULL, OPT_AUDIT_ONLY },
	{ "learn", required_argument, NULL, OPT_LEARN },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "no-pool", no_argument, NULL, OPT_NO_POOL },
	{ "show-policy", required_argument, NULL, OPT_SHOW },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sandboxpy: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sandboxpy --help'.\n");
	return EXIT_SBX_FAIL;
}

static int parse_require(const char *s, unsigned *out)
{
	static const struct { const char *name; unsigned bit; } layers[] = {
		{ "audit", SBX_LAYER_AUDIT }, { "seccomp", SBX_LAYER_SECCOMP },
		{ "landlock", SBX_LAYER_LANDLOCK }, { "netns", SBX_LAYER_NETNS },
		{ "caps", SBX_LAYER_CAPS }, { "view", SBX_LAYER_VIEW },
	};
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
			if (strcmp(tok, layers[i].name) == 0)
				break;
		if (i == sizeof(layers) / sizeof(layers[0]))
			return -EINVAL;
		*out |= layers[i].bit;
	}
	return 0;
}

/* Everything the command line asked for. */
struct cli {
	struct sbx_run_opts o;
	const char *policy_spec, *chdir_to, *check, *show, *learn_out;
	const char *sets[MAX_SETS + 1];
	char timeout_set[64], extra_set[64];
	size_t n_sets;
	bool explain, bpf, self_test, program_opt;
	int progress;			/* enum progress_mode */
	const char *batch_only;		/* a --batch option given, for the error without --batch */
	struct sbx_batch_opts batch;
};

/* The library says; the CLI prints, exactly as cli.md shows. */
static void print_message(enum sbx_msg_kind kind, const char *text, void *ctx)
{
	bool *summary_said = ctx;

	if (kind == SBX_MSG_SUMMARY && summary_said)
		*summary_said = true;
	fprintf(stderr, "sandboxpy: %s\n", text);
	fflush(stderr);
}

/* --batch's progress (docs/batch.md): a line rewritten in place on a
 * terminal, plain or JSON lines at most every PROGRESS_EVERY seconds
 * otherwise (a log, a CI runner), and a summary by status at the end. */
enum progress_mode { PROGRESS_AUTO, PROGRESS_TTY, PROGRESS_PLAIN, PROGRESS_JSON, PROGRESS_NONE };
#define PROGRESS_EVERY 5.0

struct progress {
	enum progress_mode mode;
	struct timespec t0;
	double last;			/* elapsed seconds at the last line, -1: none yet */
	const struct sbx_error *warnings;	/* sbx_batch's, filled as it runs */
	int said;			/* of them printed */
};

/* sbx_batch's warnings so far (a batch without its warm pool), each once:
 * before the progress line or summary that follows them. */
static void print_warnings(struct progress *pg)
{
	char text[1024];

	if (!pg->warnings || pg->said >= pg->warnings->n)
		return;
	if (pg->mode == PROGRESS_TTY && pg->last >= 0)
		fputc('\n', stderr);
	for (; pg->said < pg->warnings->n; pg->said++) {
		sbx_error_format(pg->warnings, pg->said, text, sizeof(text));
		if (pg->mode == PROGRESS_JSON) {
			fputs("{\"warning\": \"", stderr);
			for (const char *c = text; *c; c++)
				fprintf(stderr, *c == '"' || *c == '\\' ? "\\%c" :
					(unsigned char)*c < 0x20 ? "\\u%04x" : "%c", *c);
			fputs("\"}\n", stderr);
		} else {
			fprintf(stderr, "sandboxpy: batch warning: %s\n", text);
		}
	}
}

static double elapsed(const struct progress *pg)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - pg->t0.tv_sec) + (double)(now.tv_nsec - pg->t0.tv_nsec) / 1e9;
}

/* "1:05", "1:02:03" */
static const char *hms(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
	return buf;
}

/* Seconds left at the pace so far, -1 when it cannot be told. */
static double eta(const struct sbx_batch_stats *now, unsigned long total, double el)
{
	if (!total || !now->done || now->done > total)
		return -1;
	return el / (double)now->done * (double)(total - now->done);
}

static void progress_line(const struct progress *pg, const struct sbx_batch_stats *now,
			  unsigned long total, double el)
{
	char a[32], b[32], of[32] = "";
	double left = eta(now, total, el);

	if (pg->mode == PROGRESS_JSON) {
		fprintf(stderr, "{\"done\": %lu, \"total\": ", now->done);
		fprintf(stderr, total ? "%lu" : "null", total);
		fprintf(stderr, ", \"failed\": %lu, \"elapsed_s\": %.1f, \"eta_s\": ", now->failed, el);
		fprintf(stderr, left >= 0 ? "%.1f}\n" : "null}\n", left);
		return;
	}
	if (total)
		snprintf(of, sizeof(of), "/%lu", total);
	fprintf(stderr, pg->mode == PROGRESS_TTY ? "\r[%lu%s] %lu failed, %s elapsed%s%s   "
						 : "sandboxpy: batch [%lu%s] %lu failed, %s elapsed%s%s\n",
		now->done, of, now->failed, hms(el, a, sizeof(a)), left >= 0 ? ", ETA " : "",
		left >= 0 ? hms(left, b, sizeof(b)) : "");
}

/* "60 jobs in 1:23: 52 ok, 5 error, 3 timeout; 9 failed (1 output mismatch)" */
static void progress_summary(const struct progress *pg, const struct sbx_batch_stats *now, double el)
{
	char a[32];
	bool first = true;

	if (pg->mode == PROGRESS_JSON) {
		fprintf(stderr, "{\"summary\": {");
		for (int i = 0; i <= SBX_ST_INTERNAL; i++)
			if (now->by_status[i])
				fprintf(stderr, "%s\"%s\": %lu", first ? "" : ", ",
					sbx_status_name((enum sbx_status)i), now->by_status[i]), first = false;
		fprintf(stderr, "}, \"done\": %lu, \"failed\": %lu, \"mismatched\": %lu, \"elapsed_s\": %.1f}\n",
			now->done, now->failed, now->mismatched, el);
		return;
	}
	fprintf(stderr, "sandboxpy: batch %s: %lu job%s in %s", now->signal ? "interrupted" : "done",
		now->done, now->done == 1 ? "" : "s", hms(el, a, sizeof(a)));
	for (int i = 0; i <= SBX_ST_INTERNAL; i++)
		if (now->by_status[i])
			fprintf(stderr, "%s %lu %s", first ? ":" : ",", now->by_status[i],
				sbx_status_name((enum sbx_status)i)), first = false;
	fprintf(stderr, "; %lu failed", now->failed);
	if (now->mismatched)
		fprintf(stderr, " (%lu ok but stdout did not match)", now->mismatched);
	fputc('\n', stderr);
}

static void print_progress(const struct sbx_batch_stats *now, unsigned long total, bool last, void *ctx)
{
	struct progress *pg = ctx;
	double el = elapsed(pg);

	print_warnings(pg);
	if (last) {
		if (pg->mode == PROGRESS_TTY && pg->last >= 0)
			fputc('\n', stderr);
		progress_summary(pg, now, el);
	} else if (pg->mode == PROGRESS_TTY || pg->last < 0 || el - pg->last >= PROGRESS_EVERY) {
		progress_line(pg, now, total, el);
		pg->last = el;
	}
	fflush(stderr);
}

static void sort_diags(struct sbx_error *err);

static int policy_failed(struct sbx_error *err, const struct sbx_run_opts *o,
			 const char *spec)
{
	sort_diags(err);
	sbx_error_print(err, stderr, "");
	if (o && o->report_path &&
	    sbx_report_write_failure(o->report_path, o->report_argv, o->n_report_argv, spec, err) < 0)
		fprintf(stderr, "sandboxpy: cannot write report %s\n", o->report_path);
	return EXIT_SBX_FAIL;
}

/* --batch: the jobs file holds every job's options (docs/batch.md). */
static int run_batch(struct sbx_batch_opts *b, bool program_given, int progress_mode)
{
	static struct progress pg;
	struct sbx_batch_stats st = { 0 };
	struct sbx_error err;
	const char *pool;
	int rc;

	if (program_given)
		return usage_error("--batch takes no program: each job line names its own");
	sbx_error_clear(&err);
	pg.mode = (enum progress_mode)progress_mode;
	if (pg.mode == PROGRESS_AUTO)
		pg.mode = isatty(2) ? PROGRESS_TTY : PROGRESS_PLAIN;
	pg.last = -1;
	pg.warnings = &err;
	pg.said = 0;
	clock_gettime(CLOCK_MONOTONIC, &pg.t0);
	pool = getenv("SANDBOXPY_POOL");
	if (pool && strcmp(pool, "off") == 0)
		b->no_pool = true;
	if (pg.mode != PROGRESS_NONE) {
		b->on_progress = print_progress;
		b->on_progress_ctx = &pg;
	}
	b->stats = &st;
	rc = sbx_batch(b, &err);
	if (rc == -EINTR)
		return 128 + st.signal;
	if (rc < 0) {
		char text[1024];
		for (int i = pg.said; i < err.n; i++) {
			sbx_error_format(&err, i, text, sizeof(text));
			fprintf(stderr, "sandboxpy: %s\n", text);
		}
		return EXIT_SBX_FAIL;
	}
	return 0;
}

/* python3's own options; false when opt is none of them. -1 in *rc: go
 * on; otherwise the exit status. */
static bool python_opt(int opt, struct sbx_run_opts *o, int *rc)
{
	switch (opt) {
	case 'B': o->dont_write_bytecode = true; break;
	case 'E': case 'I': case 's': break;	/* always isolated */
	case 'R': break;	/* hash randomisation is always on */
	case 'b': o->bytes_warning++; break;
	case 'd': o->parser_debug = true; break;
	case 'x': o->skip_first_line = true; break;
	case 'P': o->safe_path = true; break;
	case 'O': o->optimize++; break;
	case 'S': o->no_site = true; break;
	case 'u': o->unbuffered = true; break;
	case 'X':
		if (o->n_xoptions >= SBX_MAX_PYOPTS)
			*rc = usage_error("too many -X options");
		else
			o->xoptions[o->n_xoptions++] = optarg;
		break;
	case 'W':
		if (o->n_warnoptions >= SBX_MAX_PYOPTS)
			*rc = usage_error("too many -W options");
		else
			o->warnoptions[o->n_warnoptions++] = optarg;
		break;
	default:
		return false;
	}
	return true;
}

/* --timeout and --extra-time: a plain number of seconds, checked here so
 * that the message names the option, not the --set it becomes. */
static bool seconds_arg(const char *s, bool zero_ok)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (!*s || *end || errno || !(zero_ok ? d >= 0 : d > 0))
		return false;
	return zero_ok ? d <= 3600 : d <= 31536000;
}

static int progress_arg(const char *s)
{
	static const char *const names[] = { [PROGRESS_AUTO] = "auto", [PROGRESS_PLAIN] = "plain",
					     [PROGRESS_JSON] = "json", [PROGRESS_NONE] = "none" };

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (names[i] && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* "unknown option '--polcy' (did you mean '--policy'?)": the nearest long
 * option, within two edits or a third of its length. */
static int unknown_option(const char *arg)
{
	const char *name = arg + strspn(arg, "-"), *best = NULL;
	size_t len = strcspn(name, "="), best_d = 3;

	for (const struct option *lo = long_opts; lo->name; lo++) {
		size_t d = sbx_edit_distance(name, len, lo->name);
		if (d < best_d && d <= (strlen(lo->name) + 2) / 3) {
			best = lo->name;
			best_d = d;
		}
	}
	if (best)
		return usage_error("unknown option '%s' (did you mean '--%s'?)", arg, best);
	return usage_error("unknown option '%s'", arg);
}

static int add_set(struct cli *c, const char *kv, const char *too_many)
{
	if (c->n_sets >= MAX_SETS)
		return usage_error("%s", too_many);
	c->sets[c->n_sets++] = kv;
	return -1;
}

/* sandboxpy's own options; -1: go on, otherwise the exit status. */
static int own_opt(int opt, struct cli *c, char **argv)
{
	struct sbx_run_opts *o = &c->o;
	char *end;
	unsigned long n;

	switch (opt) {
	case 'p': c->policy_spec = optarg; break;
	case 'r': o->report_path = optarg; break;
	case OPT_LOG: o->log_path = optarg; break;
	case 'C': c->chdir_to = optarg; break;
	case OPT_STDIN: o->stdin_path = optarg; break;
	case OPT_STDOUT: o->stdout_path = optarg; break;
	case OPT_STDERR: o->stderr_path = optarg; break;
	case OPT_TIMEOUT:
		if (!seconds_arg(optarg, false))
			return usage_error("--timeout takes a number of seconds above 0 (it sets "
					   "limits.wall_seconds); got '%s'", optarg);
		snprintf(c->timeout_set, sizeof(c->timeout_set), "limits.wall_seconds=%s", optarg);
		return add_set(c, c->timeout_set, "too many overrides");
	case OPT_EXTRA_TIME:
		if (!seconds_arg(optarg, true))
			return usage_error("--extra-time takes a number of seconds from 0 to 3600 (it sets "
					   "limits.extra_seconds); got '%s'", optarg);
		snprintf(c->extra_set, sizeof(c->extra_set), "limits.extra_seconds=%s", optarg);
		return add_set(c, c->extra_set, "too many overrides");
	case OPT_MERGE_STDERR: o->stderr_to_stdout = true; break;
	case OPT_SET: return add_set(c, optarg, "too many --set overrides (at most 64)");
	case OPT_REQUIRE:
		if (parse_require(optarg, &o->require) < 0)
			return usage_error("--require takes audit, seccomp, landlock, netns, caps, view; got '%s'", optarg);
		break;
	case 'q': o->quiet = true; break;
	case 'v': o->verbose = true; break;
	case OPT_CHECK: c->check = optarg; break;
	case OPT_EXPLAIN: c->explain = true; break;
	case OPT_BPF: c->bpf = true; break;
	case OPT_SELF_TEST: return sbx_self_test(stdout);
	case OPT_AUDIT_ONLY: o->audit_only = true; break;
	case OPT_LEARN: c->learn_out = optarg; break;
	case OPT_BATCH: c->batch.jobs_path = optarg; break;
	case OPT_RESULTS: c->batch.results_path = optarg; c->batch_only = "--results"; break;
	case OPT_PROGRESS:
		if ((c->progress = progress_arg(optarg)) < 0)
			return usage_error("--progress takes auto, plain, json or none; got '%s'", optarg);
		c->batch_only = "--progress";
		break;
	case OPT_JOBS:
		c->batch_only = "--jobs";
		n = strtoul(optarg, &end, 10);
		if (!*optarg || *end || n < 1 || n > 1024)
			return usage_error("--jobs takes a number from 1 to 1024; got '%s'", optarg);
		c->batch.jobs = (unsigned)n;
		break;
	case OPT_NO_POOL: c->batch.no_pool = true; c->batch_only = "--no-pool"; break;
	case OPT_SHOW: c->show = optarg; break;
	case 'V':
		printf("sandboxpy %s (Python 3.11 embedded)\n", SBX_VERSION);
		return 0;
	case 'h':
		fputs(usage_text, stdout);
		return 0;
	case '?':
		if (optopt)
			return usage_error("unknown option '-%c'", optopt);
		return unknown_option(argv[optind - 1]);
	default:
		return usage_error("option '%s' needs a value", argv[optind - 1]);
	}
	return -1;
}

/* The options, then the program: -c CODE and -m MODULE end the options,
 * so do a script, "-" or nothing (standard input). -1: go on, otherwise
 * the exit status. */
static int parse_args(int argc, char **argv, struct cli *c)
{
	int opt, rc = -1;

	opterr = 0;
	/* "+": stop at the program, so its own options reach it untouched. */
	while ((opt = getopt_long(argc, argv, "+:p:r:C:qvVhc:m:BbdEIOPRSsuxX:W:", long_opts, NULL)) != -1) {
		if (opt == 'c' || opt == 'm') {
			c->o.kind = opt == 'c' ? SBX_PROG_COMMAND : SBX_PROG_MODULE;
			c->o.program = optarg;
			c->program_opt = true;
			return c->batch.jobs_path ? run_batch(&c->batch, true, c->progress) : -1;
		}
		if (!python_opt(opt, &c->o, &rc))
			rc = own_opt(opt, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (c->batch.jobs_path)
		return run_batch(&c->batch, optind < argc, c->progress);
	if ((c->explain || c->check || c->show) && optind < argc)
		return usage_error("%s takes no program; got '%s'", c->explain ? "--explain" : c->check
				   ? "--check-policy" : "--show-policy", argv[optind]);
	if (optind < argc && strcmp(argv[optind], "-") == 0) {
		c->o.kind = SBX_PROG_STDIN;
		optind++;
	} else if (optind < argc) {
		c->o.kind = SBX_PROG_FILE;
		c->o.program = argv[optind++];
	} else {
		c->o.kind = SBX_PROG_STDIN;
	}
	return -1;
}

/* sys.executable re-run inside a sandbox: the outer policy, which the
 * outer supervisor left readable (running.md). An explicit --policy wins;
 * the kernel layers are inherited whatever this one says. */
static void default_policy(struct cli *c)
{
	const char *inherited = getenv("SANDBOXPY_INHERIT_POLICY");
	const struct sbx_run_opts *o = &c->o;

	c->policy_spec = inherited && inherited[0] == '/' ? inherited : "builtin:default";
	/* Re-run with python3's options only, it writes to standard error
	 * what python3 would: layer notes and the summary stay out of the
	 * program's output (denials still raise; the outer sandbox records
	 * what its kernel layers refuse). */
	if (c->policy_spec == inherited && !o->report_path && !o->log_path && !c->chdir_to && !c->n_sets &&
	    !o->require && !o->verbose && !o->stdin_path && !o->stdout_path && !o->stderr_path)
		c->o.quiet = true;
}

/* A policy's diagnostics in the order of its lines (the reader finds
 * them section by section); those without a position (--set, a file that
 * cannot be read) keep their place at the end. Stable: insertion. */
static void sort_diags(struct sbx_error *err)
{
	for (int i = 1; i < err->n; i++) {
		struct sbx_diag d = err->d[i];
		long key = d.line ? (long)d.line << 20 | d.col : LONG_MAX;
		int j = i;
		for (; j > 0; j--) {
			const struct sbx_diag *e = &err->d[j - 1];
			if ((e->line ? (long)e->line << 20 | e->col : LONG_MAX) <= key)
				break;
			err->d[j] = *e;
		}
		err->d[j] = d;
	}
}

/* --check-policy and --show-policy. */
static int check_or_show(struct cli *c)
{
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	char *json = NULL;
	const char *spec = c->check ? c->check : c->show;
	int rc;

	sbx_error_clear(&err);
	rc = sbx_policy_load_with(spec, c->chdir_to, 0, c->sets, c->n_sets, &p, &err);
	if (rc == 0 && c->show)
		rc = sbx_policy_to_json(p, &json, &err);
	sort_diags(&err);
	if (rc < 0)
		sbx_error_print(&err, stderr, "");
	else if (c->check)
		printf("%s: ok (policy \"%s\")\n", c->check, sbx_policy_name(p));
	else
		printf("%s\n", json);
	free(json);
	sbx_policy_free(p);
	return rc < 0 ? EXIT_SBX_FAIL : 0;
}

static int explain(struct sbx_policy *p, bool bpf)
{
	struct sbx_error err;
	int rc;

	sbx_error_clear(&err);
	rc = sbx_explain(p, bpf ? SBX_EXPLAIN_BPF : 0, stdout, &err);
	if (rc < 0)
		sbx_error_print(&err, stderr, "sandboxpy: ");
	return rc < 0 ? EXIT_SBX_FAIL : 0;
}

/* --learn's second run: the learnt policy without the import refusals'
 * grants, enforced, quiet, its output discarded. true when it ended as
 * well as the learning run (status ok, the same exit status): the program
 * caught those ImportErrors and needs none of them. */
static bool survives_without_imports(struct cli *c,
				     const struct sbx_result *first, const char *trial_json)
{
	struct sbx_run_opts o = c->o;
	struct sbx_policy *tp = NULL;
	struct sbx_result res = { 0 };
	struct sbx_error err;
	bool ok;

	sbx_error_clear(&err);
	if (sbx_policy_load_string(trial_json, strlen(trial_json), c->learn_out, c->chdir_to, 0, &tp, &err) < 0)
		return false;
	o.audit_only = false;
	o.want_report_json = false;
	o.on_event = NULL;
	o.report_path = o.log_path = NULL;
	o.quiet = true;
	o.stdin_path = o.stdin_path ? o.stdin_path : "/dev/null";
	o.stdout_path = o.stderr_path = "/dev/null";
	o.stderr_to_stdout = false;
	o.use_stdio_fds = false;
	o.guard = NULL;
	ok = sbx_run(tp, &o, &res, &err) == 0 && res.status == SBX_ST_OK && res.exit_code == first->exit_code;
	sbx_result_free(&res);
	sbx_policy_free(tp);
	return ok;
}

/* A failed run: said loudly, with the site-packages hint when it fits. */
static void learn_failed_run(struct cli *c, const struct sbx_policy *p, const struct sbx_result *res,
			     bool written)
{
	char hint[600];

	if (written)
		fprintf(stderr, "sandboxpy: --learn: WARNING: the run failed (%s: %s): %s covers only what "
			"ran before the failure and keeps the starting limits; fix the failure and learn "
			"again (the file is widened)\n", sbx_status_name(res->status), res->message, c->learn_out);
	else
		fprintf(stderr, "sandboxpy: --learn: NOTHING LEARNT, %s not written: the run failed (%s: %s) "
			"and the policy refused nothing it did: the failure is not the policy's\n",
			c->learn_out, sbx_status_name(res->status), res->message);
	sbx_learn_site_hint(p, c->o.kind, c->o.program, hint, sizeof(hint));
	if (hint[0])
		fprintf(stderr, "sandboxpy: --learn: %s\n", hint);
}

/* --learn after the run: the narrowest policy that lets it through. A
 * failed run that met no refusal teaches nothing: OUT is left alone. */
static int learn(struct cli *c, const struct sbx_policy *p, const struct sbx_result *res,
		 const struct sbx_learn_events *learnt)
{
	struct sbx_learn_result lr = { 0 };
	struct sbx_error err;
	unsigned flags = 0;
	bool failed = res->status != SBX_ST_OK;

	sbx_error_clear(&err);
	/* Optional imports: granted only when the program fails without them. */
	if (sbx_learn_with(c->learn_out, p, res->report_json, learnt,
			   SBX_LEARN_SKIP_IMPORTS | SBX_LEARN_DRY_RUN, &lr, &err) == 0 && lr.optional &&
	    !failed && survives_without_imports(c, res, lr.policy_json))
		flags = SBX_LEARN_SKIP_IMPORTS;
	free(lr.policy_json);
	if (failed && !lr.entries && !lr.optional) {
		learn_failed_run(c, p, res, false);
		return res->cli_status;
	}
	memset(&lr, 0, sizeof(lr));
	sbx_error_clear(&err);
	if (sbx_learn_with(c->learn_out, p, res->report_json, learnt, flags, &lr, &err) < 0) {
		sbx_error_print(&err, stderr, "sandboxpy: ");
		return EXIT_SBX_FAIL;
	}
	fprintf(stderr, "sandboxpy: %s %s: %u entr%s widened, %u narrowed (limits lowered to what the run "
		"needs)%s; why each: %s.notes\n",
		lr.widened_existing ? "widened" : "learnt policy written to", c->learn_out, lr.entries,
		lr.entries == 1 ? "y" : "ies", lr.narrowed,
		lr.optional ? ", optional imports the program caught not granted" : "", c->learn_out);
	if (failed)
		learn_failed_run(c, p, res, true);
	return res->cli_status;
}


/* SANDBOXPY_POOL=on: this one run through a warm pool of its own
 * (docs/batch.md; the test suite runs whole with it on and off). It is
 * slower than a fresh start for a single run: the pool pays when it
 * serves many (--batch, the library). */
static void open_pool(struct sbx_run_opts *o)
{
	const char *v = getenv("SANDBOXPY_POOL");
	struct sbx_error err;

	o->pool = NULL;
	if (!v || strcmp(v, "on") != 0)
		return;
#ifdef SBX_TEST_SWITCHES
	/* A fault is injected into a fresh child's steps (the zygote's
	 * runtime has no switches): the faults binary starts fresh. */
	if (sbx_fault_injected)
		return;
#endif
	sbx_error_clear(&err);
	if (sbx_pool_open(&o->pool, &err) < 0 && !o->quiet)
		sbx_error_print(&err, stderr, "sandboxpy: warning: no warm pool: ");
}

static int run(struct cli *c, struct sbx_policy *p)
{
	struct sbx_result res = { 0 };
	struct sbx_learn_events *learnt = NULL;
	struct sbx_error err;
	bool summary_said = false;
	int rc, status;

	sbx_error_clear(&err);
	if (c->learn_out) {
		c->o.audit_only = true;
		c->o.want_report_json = true;
		/* Every refusal, as the run records it: the report keeps only
		 * the first 10 000 events. */
		learnt = sbx_learn_events_new();
		c->o.on_event = learnt ? sbx_learn_keep : NULL;
		c->o.on_event_ctx = learnt;
	}
	/* A last-resort parent, so that a supervisor that dies still leaves
	 * a report and nothing of the run (guard.c). Not inside another
	 * sandbox, whose filter may refuse the fork: the outer supervisor
	 * answers for that run. */
	if (prctl(PR_GET_SECCOMP) == 0 && sbx_guard_run(&c->o, c->policy_spec, &status) == 0) {
		sbx_learn_events_free(learnt);
		return status;
	}
	c->o.on_message_ctx = &summary_said;
	open_pool(&c->o);
	rc = sbx_run(p, &c->o, &res, &err);
	sbx_pool_close(c->o.pool);
	c->o.pool = NULL;
	/* The summary already carries the error of a run that never started. */
	if (rc < 0 && err.n && !summary_said)
		sbx_error_print(&err, stderr, "sandboxpy: ");
	c->o.on_message_ctx = NULL;
	status = c->learn_out && rc == 0 ? learn(c, p, &res, learnt) : res.cli_status;
	sbx_learn_events_free(learnt);
	sbx_result_free(&res);
	return status;
}

int main(int argc, char **argv)
{
	static struct cli c;	/* large (the overrides): not on the stack */
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	int rc;

#ifdef SBX_TEST_SWITCHES
	sbx_fault_injected = getenv("SANDBOXPY_FAULT");
#endif
	c.o.on_message = print_message;
	rc = parse_args(argc, argv, &c);
	if (rc >= 0)
		return rc;
	c.o.args = (const char *const *)argv + optind;
	c.o.n_args = (size_t)(argc - optind);
	c.o.report_argv = (const char *const *)argv + 1;
	c.o.n_report_argv = (size_t)(argc - 1);
	c.sets[c.n_sets] = NULL;
	if (!c.policy_spec)
		default_policy(&c);
	if (c.batch_only)
		return usage_error("%s goes with --batch", c.batch_only);
	if ((c.explain || c.check || c.show) && c.program_opt)
		return usage_error("%s takes no program; got '%s'", c.explain ? "--explain" : c.check
				   ? "--check-policy" : "--show-policy", c.o.kind == SBX_PROG_COMMAND ? "-c" : "-m");
	if (c.o.stderr_to_stdout && c.o.stderr_path)
		return usage_error("--stderr-to-stdout and --stderr name two places for standard error");
	if (c.check || c.show)
		return check_or_show(&c);
	sbx_error_clear(&err);
	rc = sbx_policy_load_with(c.policy_spec, c.chdir_to, 0, c.sets, c.n_sets, &p, &err);
	if (rc < 0)
		return policy_failed(&err, c.explain ? NULL : &c.o, c.policy_spec);
	if (c.bpf && !c.explain)
		rc = usage_error("--bpf goes with --explain");
	else if (c.explain)
		rc = explain(p, c.bpf);
	else
		rc = run(&c, p);
	sbx_policy_free(p);
	return rc;
}
