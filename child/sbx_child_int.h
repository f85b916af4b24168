/* sbx_child_int.h: what the child's two halves share (private to child/):
 * the channel's number and key, the set-up record and the failure that
 * ends a child before the program runs. child.c runs in sandboxpy's image
 * up to the exec; interp.c runs in the interpreter's (rt.c). */
#ifndef SBX_CHILD_INT_H
#define SBX_CHILD_INT_H

#include <stdbool.h>

#include "sbx_channel.h"
#include "sbx_child.h"

#define SBX_EXIT_SETUP 125

/* The channel's descriptor: 3, or 4 in a sandboxpy nested in another
 * (whose filter keeps its own channel at 3 open in every descendant). */
extern int sbx_child_chan_no;
/* The run's key, which every record carries (sbx_channel.h). */
extern unsigned char sbx_child_chan_key[SBX_CHAN_KEY_LEN];
extern bool sbx_child_audit_only;	/* --audit-only: record, refuse nothing */
#define SBX_CHAN_FD sbx_child_chan_no
#define SBX_IDMAP_FD (sbx_child_chan_no + 1)	/* the idmap's user namespace, until used */

/* A set-up record for the supervisor; async-signal-safe. */
void sbx_child_send_step(enum sbx_chan_type type, enum sbx_step step, int err, const char *detail);
/* Says so, and ends the child with 125: nothing of the program ran. */
_Noreturn void sbx_child_fail(enum sbx_step step, int err, const char *detail);
void sbx_child_lsan_off(void);
/* Landlock is optional unless --require names it: reported, or fatal. */
void sbx_child_landlock_failed(unsigned require, int err, const char *what);

/* Descriptors for the exec (child.c), opened while the host's names
 * still reach the files. */
struct sbx_exec_fds {
	int loader, python, rt;
};

/* The first half, the same for a fresh child and a warm pool's worker:
 * from the init (in a PID namespace this returns in the program's
 * process) to the capabilities; x NULL: nothing is exec'd (the worker
 * goes on in the interpreter it already has). flags: SBX_READY_* so far;
 * ruleset: Landlock's, to enforce, or -1. */
void sbx_child_confine(const struct sbx_child_plan *plan, struct sbx_exec_fds *x, unsigned *flags,
		       int *ruleset);

/* What crosses the exec into the interpreter's image (blob.c): the plan's
 * part that the interpreter, the hook and the last layers need, and what
 * the first half did. */
struct sbx_rt_plan {
	struct sbx_child_plan plan;	/* p, o, hook, script_real, self_exe */
	struct sbx_run_opts opts;
	unsigned flags;			/* SBX_READY_* so far */
	int ruleset;			/* Landlock's, to enforce; -1: none */
	int arena_max;			/* mallopt(M_ARENA_MAX), 0: glibc's own */
	char *fault;			/* sandboxpy-faults only */
	bool whole;			/* the first half's part too (the warm pool) */
};

/* Malloc arenas for the interpreter's image (child.c setup_rlimits). */
int sbx_child_arena_max(const struct sbx_child_plan *plan);


/* The read end of a pipe holding it, or -errno. */
int sbx_rt_pack(const struct sbx_child_plan *plan, unsigned flags, int ruleset);
/* The same with what the first half reads, for a warm pool's worker. */
int sbx_rt_pack_whole(const struct sbx_child_plan *plan);
/* out: zero-filled by the caller. */
int sbx_rt_unpack(int fd, struct sbx_rt_plan *out);

/* interp.c: the interpreter with the hook, the last layers, the program. */
_Noreturn void sbx_child_interp_main(struct sbx_rt_plan *rp);
/* zygote.c: the zygote's life, on its control socket. */
_Noreturn void sbx_zygote_main(int ctl);

/* The program's command line as python3 shows it ("python3.11 -c CODE
 * ARGS"), into argv (at most max); the count. */
size_t sbx_child_program_argv(const struct sbx_run_opts *o, const char **argv, size_t max);

/* rt.c: the process's command line and name become argv's, as a fresh
 * start shows them, where they fit in the block the kernel shows. */
void sbx_rt_show(const char *const *argv, size_t argc);

/* Its parts, which the warm pool shares (rebase.c). A PyConfig and a
 * PyStatus are the interpreter's types: callers include Python.h first. */
#ifdef Py_PYTHON_H
void sbx_interp_check_status(PyStatus st, enum sbx_step step);
/* The interpreter's configuration for the plan, written once. */
void sbx_interp_config(const struct sbx_child_plan *plan, PyConfig *config);
#endif
/* Py_PreInitialize: UTF-8 mode, the C locale coerced. */
void sbx_interp_preinit(void);
/* The built-in module table without what the policy denies. */
void sbx_interp_filter_inittab(const struct sbx_policy *p);
/* A fresh start: the hook, then the interpreter configured for the plan. */
void sbx_interp_fresh_start(const struct sbx_child_plan *plan);
/* After either start: sys.path, denied modules out, quitters, SIGXFSZ. */
void sbx_interp_prepare(const struct sbx_child_plan *plan);
/* The shared tail: sbx_interp_prepare, the last layers, READY and "go",
 * the program. */
_Noreturn void sbx_interp_run(struct sbx_rt_plan *rp);

/* rebase.c: the warm pool's interpreter. The zygote starts the interpreter
 * once with the hook and no run; a worker forked from it, confined for its
 * run, makes that interpreter what sbx_interp_fresh_start(plan) would have
 * made (docs/performance.md "The warm pool" says what differs), then goes
 * on with sbx_interp_run. Both fail through sbx_child_fail. */
void sbx_interp_zygote_start(void);
void sbx_interp_rebase(const struct sbx_child_plan *plan);
/* The modules the zygote's start-up imports, NULL-ended (pool_fits.c). */
extern const char *const sbx_pool_init_modules[];

#endif
