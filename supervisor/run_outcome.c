/* run_outcome.c: how the run ended and what it used: the supervisor's
 * own measurements (the sandbox's CPU and memory, the write tree after a
 * SIGXFSZ, --audit-only's peaks), the status and message it decides on,
 * and the run's last words (the counts, the report, the summary). */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sbx_run.h"

static const char *signame(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}

/* CPU seconds of the whole sandbox: the cgroup's counter, or without one
 * the process tree added up from /proc (RLIMIT_CPU alone counts each
 * process apart). The cgroup's counter misses what the child used before
 * it was put in the group (it is released first, run.c release_child):
 * the tree's own figure, taken at the same tick, says how much
 * (cpu_offset; a few ms here). Called on every tick, which also samples
 * the processes' peak memory where no memory cgroup keeps one: a killed
 * tree is reaped by the kernel, and its rusage goes with it. */
double sbx_sandbox_cpu(struct sup *s)
{
	double c = s->pid > 0 ? sbx_tree_cpu_seconds(s->pid) : -1;

	if (!s->cg.memory && s->pid > 0) {
		long kb = sbx_tree_peak_rss_kb(s->pid);
		if (kb > s->tree_hwm_kb)
			s->tree_hwm_kb = kb;
	}
	if (s->cg.cpu) {
		double g = sbx_cgroup_cpu_seconds(&s->cg);
		if (g >= 0 && c > g && c - g > s->cpu_offset)
			s->cpu_offset = c - g;
		c = g >= 0 ? g + s->cpu_offset : c;
	} else if (c < s->tree_cpu) {
		c = s->tree_cpu;
	}
	if (!s->cg.cpu)
		s->tree_cpu = c;
	if (c > s->cpu_last)
		s->cpu_last = c;
	return s->cpu_last;
}

/* A memory limit no cgroup holds: RLIMIT_AS counts each process's address
 * space, not a memfd's pages, so the supervisor measures the tree too. */
bool sbx_unmeasured_memory(const struct sup *s)
{
	return s->p->limits.memory_mb >= 0 && !s->cg.memory;
}

/* What the run used and how its first process ended. The rusage of the
 * first process misses whatever the kernel reaped without a wait (every
 * process of a killed PID namespace), so the sandbox's own figures win:
 * the cgroup's counters, read before the group is removed, or the tree's
 * samples. */
static void measure(struct sup *s, int wstatus, const struct rusage *ru, struct sbx_result *res)
{
	long peak = sbx_cgroup_peak_kb(&s->cg);

	res->exit_code = -1;
	res->signal = 0;
	res->cpu_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
		     (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
	res->max_rss_kb = ru->ru_maxrss;
	if (peak > res->max_rss_kb)
		res->max_rss_kb = peak;
	if (s->tree_hwm_kb > res->max_rss_kb)
		res->max_rss_kb = s->tree_hwm_kb;
	if (s->cg.cpu || s->tree_cpu > 0) {
		double c = s->cg.cpu ? sbx_cgroup_cpu_seconds(&s->cg) + s->cpu_offset : s->tree_cpu;
		if (c > res->cpu_s)
			res->cpu_s = c;
	}
	if (s->cpu_last > res->cpu_s)
		res->cpu_s = s->cpu_last;
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
		res->cli_status_program = !res->signal;
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
		res->cli_status_program = true;
		snprintf(res->message, sizeof(res->message), "exited normally");
	} else {
		res->status = SBX_ST_ERROR;
		res->cli_status = res->exit_code;
		res->cli_status_program = true;
		snprintf(res->message, sizeof(res->message), "exited with status %d", res->exit_code);
	}
}

const char *sbx_limit_name(enum sbx_limit_kind k)
{
	static const char *const names[] = {
		[SBX_LIMIT_CPU] = "cpu", [SBX_LIMIT_WALL] = "wall", [SBX_LIMIT_MEMORY] = "memory",
		[SBX_LIMIT_OUTPUT] = "output", [SBX_LIMIT_TASKS] = "tasks", [SBX_LIMIT_FILES] = "files",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : NULL;
}

static void limit_hit(struct sbx_result *res, enum sbx_limit_kind k, double value, double used)
{
	res->limit = k;
	res->limit_value = value;
	res->limit_used = used;
}

/* report.md "limit": the limit a limit status names, with the figure
 * that decided: a measurement, never raised to look right. A CPU limit
 * is ended by our exact figure reaching it; RLIMIT_CPU is only a
 * backstop well past it (child.c), so its figure is above the limit too. */
static void name_limit(struct sup *s, struct sbx_result *res)
{
	const struct sbx_limits *l = &s->p->limits;
	double peak_mb = (double)res->max_rss_kb / 1024.0;

	res->limit = SBX_LIMIT_NONE;
	switch (res->status) {
	case SBX_ST_TIMEOUT:
		if (s->timed_out) {
			limit_hit(res, SBX_LIMIT_WALL, l->wall_seconds, res->wall_s);
			break;
		}
		limit_hit(res, SBX_LIMIT_CPU, l->cpu_seconds, res->cpu_s);
		break;
	case SBX_ST_MEMORY:
		/* Measured without a cgroup: the figure that decided reached
		 * the limit (memfds count there, not in any rusage). */
		limit_hit(res, SBX_LIMIT_MEMORY, l->memory_mb,
			  s->mem_exceeded && peak_mb < l->memory_mb ? l->memory_mb : peak_mb);
		break;
	case SBX_ST_OUTPUT:
		/* Writes stop at the limit: the file holds exactly that. */
		limit_hit(res, SBX_LIMIT_OUTPUT, l->file_size_mb, l->file_size_mb);
		break;
	default:
		break;
	}
}

void sbx_decide(struct sup *s, int wstatus, const struct rusage *ru, struct sbx_result *res)
{
	measure(s, wstatus, ru, res);
	res->cli_status_program = false;
	if (!decided_by_supervisor(s, res))
		decided_by_exit(s, res);
	name_limit(s, res);
}

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
void sbx_sample_usage(struct sup *s)
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

/* --audit-only: "audit-only, nothing was enforced: the policy would have
 * refused 3 operations (filesystem.write 2, network.connect 1); MESSAGE". */
static void audit_only_message(struct sup *s, struct sbx_result *res)
{
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

/* The summary line: always under --audit-only; otherwise when something
 * was refused or the run did not simply end. */
static void say_summary(struct sup *s, const struct sbx_result *res)
{
	const char *rp = s->o->report_path;
	char kern[96] = "";

	if (s->o->audit_only) {
		sbx_say(s->o, SBX_MSG_SUMMARY, "%s: %s%s%s", sbx_status_name(res->status), res->message,
			rp ? "; report: " : "", rp ? rp : "");
		return;
	}
	if (!s->denied && (res->status == SBX_ST_OK || res->status == SBX_ST_ERROR))
		return;
	if (s->kernel_denied)
		snprintf(kern, sizeof(kern), " (%lu by the kernel, %lu bypass)", s->kernel_denied, s->bypass);
	sbx_say(s->o, SBX_MSG_SUMMARY, "%s: %s; %lu denied%s, %lu logged%s%s", sbx_status_name(res->status),
		res->message, s->denied, kern, s->logged, rp ? "; report: " : "", rp ? rp : "");
}

void sbx_finish(struct sup *s, struct sbx_result *res, struct sbx_error *err)
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
	if (s->o->audit_only)
		audit_only_message(s, res);
	if (s->o->report_path || s->o->want_report_json)
		sbx_report_finish(s, res);
	say_summary(s, res);
	if (s->o->guard)
		s->o->guard->state = SBX_GUARD_REPORTED;
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

void sbx_measure_write_tree(struct sup *s)
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
