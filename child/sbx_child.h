/* sbx_child.h: what the child needs, all of it prepared before fork by the
 * supervisor (supervisor/plan.c), and the child's one entry point. The child confines itself step by step and
 * never returns. */
#ifndef SBX_CHILD_H
#define SBX_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sandboxpy.h"
#include "sbx_fault.h"
#include "sbx_hook_cfg.h"
#include "sbx_ns.h"
#include "sbx_policy.h"
#include "sbx_seccomp.h"

struct sbx_child_plan {
	const struct sbx_policy *p;
	const struct sbx_run_opts *o;
	int chan_fd;
	int chan_no;			/* the descriptor number it gets in the child */
	int stdio_fd[3];		/* -1: inherit */
	char **envp;
	char *tmpdir;			/* private TMPDIR, or NULL */
	char *script_real;		/* the script file, readable implicitly */
	char *self_exe;			/* sys.executable */
	char *python_exe;		/* the interpreter run (Debian's python3.11) */
	char *loader;			/* the ELF loader that runs it */
	char *rt_path;			/* sandboxpy's runtime, preloaded into it */
	char *policy_dir;		/* holds the policy a nested sandboxpy
					   inherits (read-only inside), or NULL */
	char **read_v, **write_v;	/* owned arrays behind hook.read/write */
	char **exec_v;			/* Landlock EXECUTE: exec_allow + ELF loader */
	char **implicit_v;		/* the implicit read set, for the report */
	char **sys_v;			/* the same, as named, for the view
					   (child/view.c), with the ELF loader */
	size_t n_implicit;
	struct sbx_hook_cfg hook;
	pid_t supervisor;
	const struct sbx_seccomp *seccomp;	/* compiled before fork */
	int landlock_abi;		/* probed before fork; <= 0: none */
	struct sbx_ns ns;		/* namespaces and identity */
	bool cg_memory, cg_pids;	/* cgroups enforce memory_mb / tasks: no
					   RLIMIT_AS / RLIMIT_NPROC then */
};

/* The interpreter's arguments before the plan's descriptor (or
 * the warm pool's zygote's socket, supervisor/pool.c): were
 * python3.11's own main() ever to run, they would run nothing. */
#define SBX_RT_ARGV_GUARD "-I", "-S", "-c", "raise SystemExit(125)"
#define SBX_RT_ARGV_GUARD_N 4

/* The warm pool's worker (child/zygote.c): the descriptors it gets beside
 * its plan, each -1 when the run has none. */
struct sbx_warm_fds {
	int chan;
	int stdio[3];
	int idmap, sync_rd, status_wr;	/* the plan's sbx_ns */
	int join[3], joined_wr;		/* cgroup v1: joined by the worker */
};

/* Sends a worker, just cloned by the zygote, its whole plan and its
 * descriptors on its own socket; mask: the signal mask it starts with.
 * 0 or -errno. */
int sbx_warm_send(int sock, const struct sbx_child_plan *plan, const struct sbx_warm_fds *f,
		  const sigset_t *mask);

/* After fork: confine, start the interpreter with the hook, run. */
_Noreturn void sbx_child_main(const struct sbx_child_plan *plan);

/* Whether a run may take its interpreter from the warm pool: false, with
 * a short reason in *why, for an option a worker cannot make exactly as a
 * fresh start would (child/pool_fits.c); the run then starts fresh. */
bool sbx_pool_fits(const struct sbx_policy *p, const struct sbx_run_opts *o, char *const *envp,
		   const char **why);

/* The supervisor's text for a failed set-up step. */
const char *sbx_step_name(int step);

#endif
