/* child.c: after fork, in sandboxpy's image, in this order: descriptors,
 * stdio, session, working directory, the view, environment, parent-death
 * signal, rlimits, no_new_privs, Landlock's ruleset, capabilities; then the
 * exec into the interpreter's image (interp.c goes on there: the hook, the
 * interpreter, Landlock enforced, the seccomp filter, the program). Any
 * step that fails is reported to the supervisor and ends the child with
 * 125 before user code runs; a partly confined child never runs the
 * program. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_child.h"
#include "sbx_child_int.h"
#include "sbx_landlock.h"
#include "sbx_match.h"
#include "sbx_ns.h"
#include <sched.h>

#define fail sbx_child_fail
#define send_step sbx_child_send_step

static void setup_fds(const struct sbx_child_plan *plan)
{
	int fds[5] = { plan->stdio_fd[0], plan->stdio_fd[1], plan->stdio_fd[2], plan->chan_fd,
		       plan->ns.n_idmap ? plan->ns.idmap_fd : -1 };
	int keep = SBX_CHAN_FD + 1;

	/* Lift every descriptor we keep above the targets first, so no
	 * dup2 overwrites one that is still needed. */
	for (int i = 0; i < 5; i++) {
		if (fds[i] < 0)
			continue;
		fds[i] = fcntl(fds[i], F_DUPFD, 10);
		if (fds[i] < 0)
			_exit(SBX_EXIT_SETUP);	/* no channel yet to say so */
	}
	if (dup2(fds[3], SBX_CHAN_FD) < 0)
		_exit(SBX_EXIT_SETUP);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && dup2(fds[i], i) < 0)
			fail(SBX_STEP_STDIO, errno, NULL);
	if (fds[4] >= 0) {
		if (dup2(fds[4], SBX_IDMAP_FD) < 0)
			fail(SBX_STEP_FDS, errno, NULL);
		keep = SBX_IDMAP_FD + 1;
	}
	if (syscall(SYS_close_range, keep, ~0U, 0) < 0) {
		/* Older kernels: close one by one. */
		for (int fd = keep; fd < 65536; fd++)
			close(fd);
	}
	if (fcntl(SBX_CHAN_FD, F_SETFD, FD_CLOEXEC) < 0)
		fail(SBX_STEP_FDS, errno, NULL);
}

static void set_limit(int res, rlim_t v)
{
	struct rlimit rl = { v, v };

	if (setrlimit(res, &rl) < 0)
		fail(SBX_STEP_RLIMITS, errno, NULL);
}

static rlim_t mb(double v)
{
	return (rlim_t)(v * 1024.0 * 1024.0);
}

/* RLIMIT_AS alone counts address space: glibc reserves 64 MB of it for
 * each thread's malloc arena, so 16 threads would fail to start under a
 * 512 MB limit while using a few MB. Two arenas, shared (set in the
 * interpreter's image, rt.c). */
int sbx_child_arena_max(const struct sbx_child_plan *plan)
{
#ifndef SBX_SANITIZE
	if (plan->p->limits.memory_mb >= 0 && !plan->cg_memory)
		return 2;
#endif
	(void)plan;
	return 0;
}

static void setup_rlimits(const struct sbx_child_plan *plan)
{
	const struct sbx_limits *l = &plan->p->limits;

	if (l->cpu_seconds >= 0) {
		/* A backstop per process, past the limit and its grace: the
		 * supervisor's exact figure (the cgroup's counter, or the tree's
		 * time), read ten times a second, ends the run first, so the
		 * figure reported is a measurement at or above the limit. The
		 * kernel's own count goes by ticks and runs up to 15 % ahead of
		 * the exact one on a loaded machine (SBX_CPU_TICK_SLACK): a
		 * backstop at the limit itself fired below it. Soft: SIGXCPU;
		 * hard: SIGKILL a second later. */
		rlim_t cpu = (rlim_t)ceil((l->cpu_seconds + l->extra_seconds) * 1.25 + 0.5);
		struct rlimit rl = { cpu, cpu + 1 };
		if (setrlimit(RLIMIT_CPU, &rl) < 0)
			fail(SBX_STEP_RLIMITS, errno, NULL);
	}
#ifndef SBX_SANITIZE
	/* AddressSanitizer reserves terabytes of address space; the sanitizer
	 * build leaves RLIMIT_AS off (the report says so). */
	/* With a memory cgroup holding the sandbox to memory_mb, RLIMIT_AS
	 * stays a per-process guard at twice that (plus room for the
	 * interpreter's mappings): one huge allocation raises MemoryError,
	 * a slow balloon meets the cgroup and ends with status "memory". */
	if (l->memory_mb >= 0)
		set_limit(RLIMIT_AS, mb(plan->cg_memory ? 2 * l->memory_mb + 64 : l->memory_mb));
#endif
	if (l->open_files >= 0)
		set_limit(RLIMIT_NOFILE, (rlim_t)l->open_files);
	if (l->file_size_mb >= 0)
		set_limit(RLIMIT_FSIZE, mb(l->file_size_mb));
	/* RLIMIT_NPROC counts every process of the uid (all concurrent
	 * sandboxes of a root supervisor share one): only a fallback. */
	if (l->tasks >= 0 && !plan->cg_pids)
		set_limit(RLIMIT_NPROC, (rlim_t)l->tasks);
	/* The main thread's stack; glibc sizes new threads' stacks by it too. */
	set_limit(RLIMIT_STACK, l->stack_mb >= 0 ? mb(l->stack_mb) : RLIM_INFINITY);
	set_limit(RLIMIT_CORE, 0);
}

/* The capability sets by the system calls themselves (capset, prctl):
 * the same code runs in sandboxpy's image and in the runtime, which links
 * nothing but glibc. */
static int caps_clear(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static bool caps_empty(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return false;
	return true;
}

/* Returns READY flags for what was dropped. Started as root, the
 * process becomes sandboxpy's own uid between the bounding set (which
 * needs CAP_SETPCAP) and the other sets. */
static unsigned drop_caps(const struct sbx_ns *ns)
{
	unsigned flags = SBX_READY_CAPS;
	bool bound_ok = true;

	/* The bounding set needs CAP_SETPCAP, so it goes first. Without that
	 * capability (not root) there is nothing to drop, and no_new_privs
	 * keeps exec from gaining any. EINVAL: past the kernel's last. */
	for (unsigned long c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			if (errno != EPERM)
				fail(SBX_STEP_CAPS, errno, "bounding set");
			bound_ok = false;
			break;
		}
	}
	if (bound_ok)
		flags |= SBX_READY_CAPS_BOUND;
	if (sbx_ns_drop_root(ns) < 0)
		fail(SBX_STEP_CAPS, errno, "leaving root for sandboxpy's uid");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(SBX_STEP_CAPS, errno, "ambient set");
	if (caps_clear() < 0)
		fail(SBX_STEP_CAPS, errno, "effective, permitted, inheritable");
	/* Check, do not assume. */
	if (!caps_empty())
		fail(SBX_STEP_CAPS, EPERM, "capabilities remain after dropping them");
	return flags;
}

static bool in_strv(const char *s, char *const *v)
{
	for (; v && *v; v++)
		if (strcmp(s, *v) == 0)
			return true;
	return false;
}

/* The program's read trees: what the policy and the program bring (the
 * hook's read roots: the policy's, the script, the inherited policy), not
 * the system's (plan.c's implicit set). NULL-terminated, malloc'd. */
static char **program_read_trees(const struct sbx_child_plan *plan, char *script_dir, size_t cap,
				 size_t *n_sys)
{
	const struct sbx_policy *p = plan->p;
	size_t n = 0, nr = 0;
	char **v;

	while (plan->read_v && plan->read_v[nr])
		nr++;
	if (!(v = calloc(p->fs.read.n + p->python.path.n + nr + 3, sizeof(char *))))
		fail(SBX_STEP_IDMAP, ENOMEM, NULL);
	for (size_t i = 0; i < p->fs.read.n; i++)
		v[n++] = p->fs.read.v[i];
	for (size_t i = 0; i < p->python.path.n; i++)
		v[n++] = p->python.path.v[i];
	v[n++] = (char *)p->cwd;
	if (plan->script_real) {
		char *slash;
		snprintf(script_dir, cap, "%s", plan->script_real);
		slash = strrchr(script_dir, '/');
		/* Its directory is a tree of its own only inside a readable one
		 * (where a listed extension may load from it); otherwise the
		 * script file alone is in the view (read_v, below). */
		if (slash && slash != script_dir) {
			*slash = '\0';
			if (sbx_path_under_any(script_dir, v))
				v[n++] = script_dir;
		}
	}
	*n_sys = n - p->fs.read.n;
	/* The rest of the hook's read roots (the inherited policy), not the
	 * implicit set: the view binds that by its names and writes its
	 * generated files itself. */
	for (size_t i = 0; i < nr; i++)
		if (!in_strv(plan->read_v[i], plan->implicit_v))
			v[n++] = plan->read_v[i];
	return v;
}

/* Of the program's read trees, the sys.path ones (n_sys of them after
 * filesystem.read's: python.path, the working directory, the script's
 * directory), as a list of their own. */
static char **sys_path_trees(char *const *read, const struct sbx_policy *p, size_t n_sys)
{
	char **v = calloc(n_sys + 1, sizeof(char *));

	if (v)
		memcpy(v, read + p->fs.read.n, n_sys * sizeof(char *));
	return v;
}

/* --audit-only (--learn): the working directory is bound as a write tree,
 * so that writes there really happen (as the sandbox's uid, by its real
 * permissions) and the run goes on to show the next one. */
static char **audit_write_trees(const struct sbx_child_plan *plan)
{
	size_t n = 0;
	char **w;

	while (plan->write_v && plan->write_v[n])
		n++;
	if (!(w = calloc(n + 2, sizeof(char *))))
		fail(SBX_STEP_IDMAP, ENOMEM, NULL);
	memcpy(w, plan->write_v, n * sizeof(char *));
	w[n] = (char *)plan->p->cwd;
	return w;
}

/* The view (view.c), where a mount namespace can be had: started as root,
 * or in a user namespace of our own. READY flags for what holds. */
static unsigned setup_view(const struct sbx_child_plan *plan)
{
	const struct sbx_policy *p = plan->p;
	const struct sbx_ns *ns = &plan->ns;
	char script_dir[PATH_MAX];
	struct sbx_ns_view v = {
		.write = plan->write_v, .sys = plan->sys_v, .exec = plan->exec_v,
		.self = { p->process.spawn ? plan->self_exe : NULL, plan->python_exe, plan->rt_path },
		.idmap = (const char (*)[4096])ns->idmap, .n_idmap = ns->n_idmap,
		.userns = ns->n_idmap ? SBX_IDMAP_FD : -1,
		.native_ok = p->native.ctypes || p->native.extensions == SBX_EXT_ANY,
		.dns = p->net.dns, .tmpdir = plan->tmpdir, .private_shm = p->process.spawn,
		.pid_ns = ns->flags & CLONE_NEWPID, .uid = ns->uid, .gid = ns->gid,
		.memory_mb = p->limits.memory_mb, .cwd = p->cwd,
	};
	const char *failed = NULL;
	char **native = NULL;
	size_t n_sys = 0;
	unsigned done = 0;
	int r;

	/* no mount namespace: docs/confinement.md. sandboxpy-faults'
	 * "no-view" takes this way as root (make bench: the view's cost). */
	if ((!ns->drop_root && !(ns->flags & CLONE_NEWUSER)) || sbx_fault("no-view"))
		return 0;
	v.identity = !(p->fs.implicit_drop & (1u << sbx_implicit_bit("identity")));
	v.hosts = !(p->fs.implicit_drop & (1u << sbx_implicit_bit("hosts")));
	v.read = program_read_trees(plan, script_dir, sizeof(script_dir), &n_sys);
	/* native.extensions as a list: the listed modules load from sys.path
	 * (python.path, the working and the script's directory), which keep
	 * exec; nothing after them in v.read. */
	if (p->native.extensions == SBX_EXT_LIST && !(native = sys_path_trees(v.read, p, n_sys)))
		fail(SBX_STEP_IDMAP, ENOMEM, NULL);
	v.read_native = native;
	/* --audit-only shows what the program would need: it must reach it. */
	if (plan->o->audit_only) {
		v.write = audit_write_trees(plan);
		v.whole_host = true;
	}
	r = sbx_fault("mounts") ? -EPERM : sbx_ns_view_apply(&v, &done, &failed);
	if (ns->n_idmap)
		close(SBX_IDMAP_FD);
	if (r < 0)
		fail(SBX_STEP_IDMAP, -r, failed ? failed : "a private mount namespace");
	free((void *)v.read);
	free(native);
	if (v.write != plan->write_v)
		free((void *)v.write);
	return (done & ~SBX_VIEW_SHM) | (done & SBX_VIEW_SHM ? SBX_READY_PRIVATE_SHM : 0);
}

/* Landlock is optional unless --require names it: reported, or fatal. */
static void landlock_failed(const struct sbx_child_plan *plan, int err, const char *what)
{
	sbx_child_landlock_failed(plan->o->require, err, what);
}

/* Above 10, so that 3 stays free for the plan's pipe when nested. */
static int open_high(const char *path, int flags)
{
	int fd = open(path, flags), high;

	if (fd < 0)
		return -1;
	high = fcntl(fd, (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 10);
	close(fd);
	return high;
}

/* Descriptors for the exec, opened while the host's names still reach
 * the files (the view hides them): the runtime and the interpreter are
 * opened by the loader through /proc/self/fd, so neither needs a place
 * in the view or in the implicit reads. */
static void open_exec_fds(const struct sbx_child_plan *plan, struct sbx_exec_fds *x)
{
	x->loader = open_high(plan->loader, O_PATH | O_CLOEXEC);
	x->python = open_high(plan->python_exe, O_RDONLY);
	x->rt = open_high(plan->rt_path, O_RDONLY);
	if (x->loader < 0 || x->python < 0 || x->rt < 0)
		fail(SBX_STEP_PYTHON_INIT, errno, "opening the interpreter and sandboxpy's runtime");
}

size_t sbx_child_program_argv(const struct sbx_run_opts *o, const char **argv, size_t max)
{
	size_t n = 0;

	if (max < 3)
		return 0;
	argv[n++] = "python3.11";
	if (o->kind == SBX_PROG_COMMAND || o->kind == SBX_PROG_MODULE)
		argv[n++] = o->kind == SBX_PROG_COMMAND ? "-c" : "-m";
	if (o->kind != SBX_PROG_STDIN)
		argv[n++] = o->program;
	else if (o->n_args)
		argv[n++] = "-";
	for (size_t i = 0; i < o->n_args && n < max; i++)
		argv[n++] = o->args[i];
	return n;
}

/* After the loader's own options, the interpreter's command line is one
 * that runs nothing: were the runtime ever not to take main(), python3.11
 * would exit 125. rt.c reads the pipe's number after it; the program's own
 * command line follows, which rt.c makes the process's (ps, /proc/PID/
 * cmdline show "python3.11 prog.py ARGS", as for python3). */
static void exec_with_argv(const struct sbx_child_plan *plan, const struct sbx_exec_fds *x,
			   const char *preload, const char *py, const char *blob_arg)
{
	static const char *const head[] = { "python3.11", "--argv0", "python3.11", "--preload" };
	static const char *const guard[] = { SBX_RT_ARGV_GUARD };
	const struct sbx_run_opts *o = plan->o;
	const char **argv = calloc(16 + o->n_args, sizeof(char *));
	size_t n = 0;

	if (!argv)
		fail(SBX_STEP_PYTHON_CONFIG, ENOMEM, NULL);
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		argv[n++] = head[i];
	argv[n++] = preload;
	argv[n++] = py;
	for (size_t i = 0; i < SBX_RT_ARGV_GUARD_N; i++)
		argv[n++] = guard[i];
	argv[n++] = blob_arg;
	n += sbx_child_program_argv(o, argv + n, o->n_args + 4);
	syscall(SYS_execveat, x->loader, "", argv, environ, AT_EMPTY_PATH);
}

/* Into the interpreter's image: Debian's own /usr/bin/python3.11 (built
 * with PGO and LTO, which the static archive sandboxpy could embed is not:
 * docs/performance.md), run by the ELF loader with sandboxpy's runtime
 * preloaded. The runtime takes main() (rt.c) and reads the rest of the
 * plan from the pipe named in argv. The loader's --preload leaves
 * nothing in the environment. */
static _Noreturn void exec_interpreter(const struct sbx_child_plan *plan, const struct sbx_exec_fds *x,
				       unsigned flags, int ruleset)
{
	char py[32], rt[64], blob_arg[16];
	int blob = sbx_rt_pack(plan, flags, ruleset);	/* a pipe */
	const char *preload = rt;

	if (blob < 0)
		fail(SBX_STEP_PYTHON_CONFIG, -blob, "passing the plan to the interpreter");
	/* Nested in another sandboxpy, descriptor 3 is the outer filter's
	 * channel number, which no one may close: were it free after the
	 * exec, the loader would open the interpreter there and fail to
	 * close it. Whatever holds it (the loader's cache, which the outer
	 * filter kept open in this process too) crosses the exec; if
	 * nothing does, the plan's pipe takes it. rt.c marks it close-on-exec. */
	if (SBX_CHAN_FD != 3) {
		int t;
		if (fcntl(3, F_SETFD, 0) < 0 && (t = fcntl(blob, F_DUPFD, 3)) >= 0) {
			close(blob);
			blob = t;
		}
	}
	snprintf(py, sizeof(py), "/proc/self/fd/%d", x->python);
	snprintf(blob_arg, sizeof(blob_arg), "%d", blob);
#ifdef SBX_SANITIZE
	char san[PATH_MAX * 2 + 64];
	snprintf(san, sizeof(san), "%s:%s:/proc/self/fd/%d", SBX_ASAN_RUNTIME, SBX_UBSAN_RUNTIME, x->rt);
	preload = san;
#else
	snprintf(rt, sizeof(rt), "/proc/self/fd/%d", x->rt);
#endif
	/* The channel crosses; rt.c closes it on exec again. */
	if (fcntl(SBX_CHAN_FD, F_SETFD, 0) < 0)
		fail(SBX_STEP_FDS, errno, NULL);
	exec_with_argv(plan, x, preload, py, blob_arg);
	fail(SBX_STEP_PYTHON_INIT, errno, "starting the interpreter");
}

void sbx_child_confine(const struct sbx_child_plan *plan, struct sbx_exec_fds *x, unsigned *flags,
		       int *ruleset)
{
	const struct sbx_policy *p = plan->p;

	*flags = SBX_READY_AUDIT;
	*ruleset = -1;
	sbx_child_lsan_off();
	sbx_child_chan_no = plan->chan_no;
	memcpy(sbx_child_chan_key, plan->hook.chan_key, sizeof(sbx_child_chan_key));
	sbx_child_audit_only = plan->o->audit_only;
	/* PID 1 of the new namespace stays a tiny init; the program's
	 * process comes back from here. */
	if (plan->ns.flags & CLONE_NEWPID)
		sbx_ns_init((struct sbx_ns *)&plan->ns, plan->chan_fd);
	setup_fds(plan);
	if (x)
		open_exec_fds(plan, x);
	((struct sbx_child_plan *)plan)->hook.chan_fd = SBX_CHAN_FD;
	/* Own session and process group: the supervisor ends the whole group,
	 * and the hook can tell the sandbox's processes by their session. */
	if (setsid() < 0)
		fail(SBX_STEP_SESSION, errno, NULL);
	if (chdir(p->cwd) < 0)
		fail(SBX_STEP_CHDIR, errno, p->cwd);
	*flags |= setup_view(plan);
	environ = plan->envp;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail(SBX_STEP_PDEATHSIG, errno, NULL);
	/* The supervisor (or the init, in a PID namespace) died before we
	 * could tie our life to it. */
	if (getppid() != ((plan->ns.flags & CLONE_NEWPID) ? 1 : plan->supervisor))
		_exit(SBX_EXIT_SETUP);
	setup_rlimits(plan);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(SBX_STEP_NO_NEW_PRIVS, errno, NULL);
	*flags |= SBX_READY_NO_NEW_PRIVS;
	/* The ruleset is built while every policy path can still be opened
	 * (before leaving root), and enforced once the interpreter is up. */
	/* --audit-only: Landlock would refuse without a record; writes by
	 * path are still seen and recorded by the supervisor. */
	if (plan->landlock_abi > 0 && !plan->o->audit_only) {
		const char *what = NULL;
		int r = sbx_fault("landlock") ? (what = "a fault injected by the test", -EOPNOTSUPP)
					      : sbx_landlock_build(plan, plan->landlock_abi, ruleset, &what);
		if (r < 0)
			landlock_failed(plan, -r, what);
		/* It crosses the exec: interp.c enforces and closes it. */
		if (*ruleset >= 0 && fcntl(*ruleset, F_SETFD, 0) < 0)
			fail(SBX_STEP_LANDLOCK, errno, NULL);
	}
	*flags |= drop_caps(&plan->ns);
}

_Noreturn void sbx_child_main(const struct sbx_child_plan *plan)
{
	struct sbx_exec_fds x;
	unsigned flags;
	int ruleset;

	sbx_child_confine(plan, &x, &flags, &ruleset);
	exec_interpreter(plan, &x, flags, ruleset);
}
