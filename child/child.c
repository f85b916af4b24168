/* child.c: after fork, in this order: descriptors, stdio, session, working
 * directory, environment, parent-death signal, rlimits, no_new_privs,
 * capabilities, the audit hook, the interpreter, Landlock, the seccomp
 * filter, then the program. Any step that fails is reported to the supervisor and ends
 * the child with 125 before user code runs; a partly confined child never
 * runs the program. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_child.h"
#include "sbx_hook.h"
#include "sbx_landlock.h"
#include "sbx_match.h"
#include "sbx_ns.h"
#include <sched.h>

#define SBX_EXIT_SETUP 125
/* The channel's descriptor: 3, or 4 in a sandboxpy nested in another
 * (whose filter keeps its own channel at 3 open in every descendant). */
static int chan_no = 3;
/* The run's key, which every record carries (sbx_channel.h). */
static unsigned char chan_key[SBX_CHAN_KEY_LEN];
static bool plan_audit_only;	/* --audit-only: record, refuse nothing */
#define SBX_CHAN_FD chan_no
#define SBX_IDMAP_FD (chan_no + 1)	/* the idmap's user namespace, until used */

#ifdef SBX_SANITIZE
#include <sanitizer/lsan_interface.h>
/* When the program calls sys.exit(), CPython ends the child through
 * Py_Exit(), that is exit(), and the embedded interpreter never frees all
 * it allocated: LeakSanitizer would report Python's own memory and replace
 * the program's exit status with its own. Only the supervisor is checked. */
static volatile int lsan_off;

int __lsan_is_turned_off(void)
{
	return lsan_off;
}
#endif

extern char **environ;

#ifdef SBX_TEST_SWITCHES
const char *sbx_fault_injected;

bool sbx_fault(const char *layer)
{
	return sbx_fault_injected && strcmp(sbx_fault_injected, layer) == 0;
}
#endif

static const char *const step_names[SBX_STEP__COUNT] = {
	[SBX_STEP_FDS] = "closing inherited descriptors",
	[SBX_STEP_STDIO] = "redirecting standard streams",
	[SBX_STEP_SESSION] = "starting a new session",
	[SBX_STEP_CHDIR] = "changing to the working directory",
	[SBX_STEP_PDEATHSIG] = "tying the child's life to the supervisor",
	[SBX_STEP_RLIMITS] = "setting resource limits",
	[SBX_STEP_NO_NEW_PRIVS] = "setting no_new_privs",
	[SBX_STEP_CAPS] = "dropping capabilities",
	[SBX_STEP_HOOK] = "installing the audit hook",
	[SBX_STEP_PYTHON_CONFIG] = "configuring the interpreter",
	[SBX_STEP_PYTHON_INIT] = "starting the interpreter",
	[SBX_STEP_PYTHON_PATH] = "preparing sys.path and sys.modules",
	[SBX_STEP_SECCOMP] = "loading the seccomp filter",
	[SBX_STEP_LANDLOCK] = "enforcing the Landlock ruleset",
	[SBX_STEP_IDMAP] = "setting up the sandbox's mount view (a root of its own holding only "
			   "the run's trees, private tmp, /dev and /proc)",
};

const char *sbx_step_name(int step)
{
	if (step <= 0 || step >= SBX_STEP__COUNT || !step_names[step])
		return "an unknown step";
	return step_names[step];
}

/* A set-up record for the supervisor. Only async-signal-safe calls until
 * the interpreter starts. */
static void send_step(enum sbx_chan_type type, enum sbx_step step, int err, const char *detail)
{
	struct sbx_chan_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.version = SBX_CHAN_VERSION;
	rec.type = type;
	rec.pid = (uint32_t)getpid();
	rec.step = step;
	rec.err = err;
	memcpy(rec.key, chan_key, sizeof(rec.key));
	if (detail) {
		size_t n = strnlen(detail, sizeof(rec.detail));
		memcpy(rec.detail, detail, n);
		rec.detail_len = (uint16_t)n;
	}
	(void)!send(SBX_CHAN_FD, &rec, sizeof(rec), MSG_NOSIGNAL);
}

static _Noreturn void fail(enum sbx_step step, int err, const char *detail)
{
	send_step(SBX_CHAN_SETUP_FAIL, step, err, detail);
	_exit(SBX_EXIT_SETUP);
}

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
	/* RLIMIT_AS alone counts address space: glibc reserves 64 MB of it
	 * for each thread's malloc arena, so 16 threads would fail to start
	 * under a 512 MB limit while using a few MB. Two arenas, shared. */
	if (l->memory_mb >= 0 && !plan->cg_memory)
		mallopt(M_ARENA_MAX, 2);
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

/* Returns READY flags for what was dropped. Started as root, the
 * process becomes sandboxpy's own uid between the bounding set (which
 * needs CAP_SETPCAP) and the other sets. */
static unsigned drop_caps(const struct sbx_ns *ns)
{
	unsigned flags = SBX_READY_CAPS;
	cap_t caps;
	bool bound_ok = true;

	/* The bounding set needs CAP_SETPCAP, so it goes first. Without that
	 * capability (not root) there is nothing to drop, and no_new_privs
	 * keeps exec from gaining any. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		if (cap_drop_bound(c) < 0 && errno != EINVAL) {
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
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		fail(SBX_STEP_CAPS, errno, "ambient set");
	caps = cap_init();	/* all three sets empty */
	if (!caps)
		fail(SBX_STEP_CAPS, errno, NULL);
	if (cap_set_proc(caps) < 0)
		fail(SBX_STEP_CAPS, errno, "effective, permitted, inheritable");
	cap_free(caps);
	/* Check, do not assume. */
	caps = cap_get_proc();
	if (caps) {
		cap_t empty = cap_init();
		if (empty && cap_compare(caps, empty) != 0)
			fail(SBX_STEP_CAPS, EPERM, "capabilities remain after dropping them");
		cap_free(empty);
		cap_free(caps);
	}
	return flags;
}

/* imports.deny names built-in modules too: take them out of the built-in
 * table before the interpreter exists (no import event would catch them). */
static bool inittab_denied(const struct sbx_policy *p, const char *name)
{
	if (sbx_hook_name_denied(p, name))
		return true;
	if (!p->native.ctypes && strcmp(name, "_ctypes") == 0)
		return true;
	return false;
}

/* --audit-only keeps denied built-in modules, behind a trampoline that
 * records their creation first: no route to them (_imp.create_builtin
 * raises no import event) goes unrecorded. An init function takes no
 * argument, so each slot has its own. */
#define SBX_TRAMPOLINES 8
static struct { const char *name; PyObject *(*init)(void); enum sbx_rule rule; } tramp[SBX_TRAMPOLINES];

static PyObject *tramp_init(int i)
{
	sbx_hook_record_builtin(tramp[i].name, tramp[i].rule);
	return tramp[i].init();
}
static PyObject *tramp0(void) { return tramp_init(0); }
static PyObject *tramp1(void) { return tramp_init(1); }
static PyObject *tramp2(void) { return tramp_init(2); }
static PyObject *tramp3(void) { return tramp_init(3); }
static PyObject *tramp4(void) { return tramp_init(4); }
static PyObject *tramp5(void) { return tramp_init(5); }
static PyObject *tramp6(void) { return tramp_init(6); }
static PyObject *tramp7(void) { return tramp_init(7); }
static PyObject *(*const tramps[SBX_TRAMPOLINES])(void) = {
	tramp0, tramp1, tramp2, tramp3, tramp4, tramp5, tramp6, tramp7,
};

static void filter_inittab(const struct sbx_policy *p)
{
	struct _inittab *src = PyImport_Inittab, *dst;
	size_t n = 0, o = 0, t = 0;

	if (!p->imports.deny.n && (p->native.ctypes || !plan_audit_only))
		return;
	while (src[n].name)
		n++;
	dst = calloc(n + 1, sizeof(*dst));
	if (!dst)
		fail(SBX_STEP_HOOK, ENOMEM, NULL);
	for (size_t i = 0; i < n; i++) {
		if (!inittab_denied(p, src[i].name)) {
			dst[o++] = src[i];
		} else if (plan_audit_only) {
			/* More denied built-ins than slots: the rest is refused,
			 * which --audit-only must not do silently. */
			if (t == SBX_TRAMPOLINES)
				fail(SBX_STEP_HOOK, E2BIG, "--audit-only: too many denied built-in modules");
			tramp[t].name = src[i].name;
			tramp[t].init = src[i].initfunc;
			tramp[t].rule = strcmp(src[i].name, "_ctypes") == 0 ? SBX_RULE_CTYPES : SBX_RULE_IMPORTS;
			dst[o] = src[i];
			dst[o++].initfunc = tramps[t++];
		}
	}
	PyImport_Inittab = dst;
}

static void check_status(PyStatus st, enum sbx_step step)
{
	if (PyStatus_IsExit(st))
		_exit(st.exitcode);
	if (PyStatus_Exception(st))
		fail(step, EINVAL, st.err_msg ? st.err_msg : st.func);
}

static void append_w(PyWideStringList *l, const char *s, enum sbx_step step)
{
	wchar_t *w = Py_DecodeLocale(s, NULL);

	if (!w)
		fail(step, EINVAL, "an option is not valid in the locale's encoding");
	check_status(PyWideStringList_Append(l, w), step);
	PyMem_RawFree(w);
}

static bool script_dir_readable(const struct sbx_child_plan *plan)
{
	char dir[PATH_MAX], *slash;

	if (!plan->script_real)
		return false;
	snprintf(dir, sizeof(dir), "%s", plan->script_real);
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	*(slash == dir ? slash + 1 : slash) = '\0';
	for (size_t i = 0; i < plan->hook.read.n; i++)
		if (sbx_path_under(dir, plan->hook.read.v[i]))
			return true;
	return false;
}

static void start_python(const struct sbx_child_plan *plan)
{
	const struct sbx_policy *p = plan->p;
	const struct sbx_run_opts *o = plan->o;
	PyPreConfig pre;
	PyConfig config;
	char **argv;
	size_t argc = 0;

	PyPreConfig_InitIsolatedConfig(&pre);
	/* UTF-8 whatever the locale, and the C locale coerced to C.UTF-8 (the
	 * environment has no LANG unless python.env sets one), as python3
	 * does in the C locale: locale.getencoding() is UTF-8 too. */
	pre.utf8_mode = 1;
	pre.configure_locale = 1;
	pre.coerce_c_locale = 1;
	check_status(Py_PreInitialize(&pre), SBX_STEP_PYTHON_CONFIG);

	filter_inittab(p);
	if (sbx_fault("audit") || sbx_hook_install(&plan->hook) < 0)
		fail(SBX_STEP_HOOK, EPERM, NULL);

	PyConfig_InitIsolatedConfig(&config);
	config.site_import = p->python.site && !o->no_site;
	config.user_site_directory = 0;
	config.use_environment = 0;
	config.parse_argv = 0;
	config.install_signal_handlers = 1;
	config.pathconfig_warnings = 0;
	/* No .pyc left behind by a sandboxed run (the tree may be read-only). */
	config.write_bytecode = 0;
	config.buffered_stdio = !o->unbuffered;
	config.optimization_level = o->optimize;
	config.bytes_warning = o->bytes_warning;
	config.parser_debug = o->parser_debug;
	config.skip_source_first_line = o->skip_first_line;
	/* python3 -I would not put the script's directory first; the policy
	 * says a script run as a file gets it, as users expect, when the
	 * policy lets it be read: a directory the program may not read holds
	 * nothing it could import, and listing it would only be a refusal
	 * (fatal under on_violation kill) on the first import. */
	bool script_dir = o->kind == SBX_PROG_FILE && !o->safe_path && script_dir_readable(plan);

	config.safe_path = !script_dir;
	/* CPython forces safe_path on whenever isolated is set: for a script
	 * run as a file keep what isolation means (no environment, no user
	 * site, set above) but not that one part of it. */
	if (script_dir)
		config.isolated = 0;
	check_status(PyConfig_SetBytesString(&config, &config.home, SBX_PYTHON_HOME),
		     SBX_STEP_PYTHON_CONFIG);
	if (plan->self_exe)
		check_status(PyConfig_SetBytesString(&config, &config.executable, plan->self_exe),
			     SBX_STEP_PYTHON_CONFIG);
	for (size_t i = 0; i < o->n_xoptions; i++)
		append_w(&config.xoptions, o->xoptions[i], SBX_STEP_PYTHON_CONFIG);
	for (size_t i = 0; i < o->n_warnoptions; i++)
		append_w(&config.warnoptions, o->warnoptions[i], SBX_STEP_PYTHON_CONFIG);

	argv = calloc(o->n_args + 2, sizeof(char *));
	if (!argv)
		fail(SBX_STEP_PYTHON_CONFIG, ENOMEM, NULL);
	switch (o->kind) {
	case SBX_PROG_FILE:
		argv[argc++] = (char *)o->program;
		check_status(PyConfig_SetBytesString(&config, &config.run_filename, o->program),
			     SBX_STEP_PYTHON_CONFIG);
		break;
	case SBX_PROG_COMMAND: {
		size_t n = strlen(o->program);
		char *cmd = malloc(n + 2);
		if (!cmd)
			fail(SBX_STEP_PYTHON_CONFIG, ENOMEM, NULL);
		memcpy(cmd, o->program, n);
		memcpy(cmd + n, "\n", 2);	/* as python3 -c does */
		argv[argc++] = "-c";
		check_status(PyConfig_SetBytesString(&config, &config.run_command, cmd),
			     SBX_STEP_PYTHON_CONFIG);
		free(cmd);
		break;
	}
	case SBX_PROG_MODULE:
		argv[argc++] = "-m";
		check_status(PyConfig_SetBytesString(&config, &config.run_module, o->program),
			     SBX_STEP_PYTHON_CONFIG);
		break;
	case SBX_PROG_STDIN:
		argv[argc++] = o->n_args ? "-" : "";
		break;
	}
	for (size_t i = 0; i < o->n_args; i++)
		argv[argc++] = (char *)o->args[i];
	check_status(PyConfig_SetBytesArgv(&config, (Py_ssize_t)argc, argv), SBX_STEP_PYTHON_CONFIG);
	free(argv);

	check_status(Py_InitializeFromConfig(&config), SBX_STEP_PYTHON_INIT);
	PyConfig_Clear(&config);
}

/* sys.settrace(None) and sys.setprofile(None) with nothing set change
 * nothing, but CPython 3.11 raises their audit events without the argument,
 * so the hook cannot tell them from installing a tracer; the standard
 * library restores "no tracer" that way (doctest, after every example).
 * Unless code.tracing is "allow", such a call returns here, and any other
 * goes to CPython's own function and its event. */
static PyObject *sys_settrace, *sys_setprofile;

static PyObject *no_tracer_noop(PyObject *orig, PyObject *arg, bool profile)
{
	PyThreadState *ts = PyThreadState_Get();

	if (arg == Py_None && !(profile ? ts->c_profilefunc : ts->c_tracefunc))
		Py_RETURN_NONE;
	return PyObject_CallOneArg(orig, arg);
}

static PyObject *settrace_wrap(PyObject *self, PyObject *arg)
{
	(void)self;
	return no_tracer_noop(sys_settrace, arg, false);
}

static PyObject *setprofile_wrap(PyObject *self, PyObject *arg)
{
	(void)self;
	return no_tracer_noop(sys_setprofile, arg, true);
}

static PyMethodDef tracer_defs[] = {
	{ "settrace", settrace_wrap, METH_O, "settrace(function)\n\nSet the global debug tracing function." },
	{ "setprofile", setprofile_wrap, METH_O, "setprofile(function)\n\nSet the profiling function." },
};

static void wrap_tracers(void)
{
	PyObject *mod = PyUnicode_FromString("sys");

	for (size_t i = 0; mod && i < sizeof(tracer_defs) / sizeof(tracer_defs[0]); i++) {
		PyObject **orig = i == 0 ? &sys_settrace : &sys_setprofile;
		PyObject *fn = PyCFunction_NewEx(&tracer_defs[i], NULL, mod);
		*orig = PySys_GetObject(tracer_defs[i].ml_name);	/* borrowed */
		if (!fn || !*orig || PySys_SetObject(tracer_defs[i].ml_name, fn) < 0)
			fail(SBX_STEP_PYTHON_PATH, ENOMEM, "sys.settrace");
		Py_INCREF(*orig);
		Py_DECREF(fn);
	}
	Py_XDECREF(mod);
}

/* python.path first on sys.path; denied modules out of sys.modules. */
static void prepare_modules(const struct sbx_policy *p)
{
	PyObject *path = PySys_GetObject("path");	/* borrowed */
	PyObject *mods = PyImport_GetModuleDict();	/* borrowed */

	if (sbx_hook_post_init() < 0 || !path || !PyList_Check(path))
		fail(SBX_STEP_PYTHON_PATH, ENOENT, "sys.path");
	for (size_t i = p->python.path.n; i-- > 0;) {
		PyObject *s = PyUnicode_DecodeFSDefault(p->python.path.v[i]);
		if (!s || PyList_Insert(path, 0, s) < 0)
			fail(SBX_STEP_PYTHON_PATH, ENOMEM, "sys.path");
		Py_DECREF(s);
	}
	for (size_t i = 0; i < p->imports.deny.n; i++) {
		if (PyDict_GetItemString(mods, p->imports.deny.v[i]) &&
		    PyDict_DelItemString(mods, p->imports.deny.v[i]) < 0)
			PyErr_Clear();
	}
	if (p->code.tracing != SBX_ALLOW)
		wrap_tracers();
}

/* exit() and quit(), which site puts in builtins: the sandbox starts
 * without site unless python.site, and the REPL and scripts expect them
 * (python3 -S has none: neither has sandboxpy -S). The standard library's
 * own Quitter, as site makes them; without it, none (not a failure). */
static void add_quitters(const struct sbx_child_plan *plan)
{
	static const char *const names[] = { "exit", "quit" };
	PyObject *sb, *builtins = PyEval_GetBuiltins();	/* borrowed */

	if (plan->p->python.site || plan->o->no_site || !builtins)
		return;
	sb = PyImport_ImportModule("_sitebuiltins");
	for (size_t i = 0; sb && i < sizeof(names) / sizeof(names[0]); i++) {
		PyObject *q;
		if (PyDict_GetItemString(builtins, names[i]))
			continue;
		q = PyObject_CallMethod(sb, "Quitter", "ss", names[i], "Ctrl-D (i.e. EOF)");
		if (!q || PyDict_SetItemString(builtins, names[i], q) < 0)
			PyErr_Clear();
		Py_XDECREF(q);
	}
	Py_XDECREF(sb);
	PyErr_Clear();
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
		.self_exe = p->process.spawn ? plan->self_exe : NULL,
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
	if (plan->o->require & SBX_LAYER_LANDLOCK)
		fail(SBX_STEP_LANDLOCK, err, what);
	send_step(SBX_CHAN_LAYER_FAIL, SBX_STEP_LANDLOCK, err, what);
}

/* READY, with the seccomp listener attached when there is one. */
static int send_ready(const struct sbx_chan_rec *rec, int listener)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)rec, sizeof(*rec) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (listener >= 0) {
		struct cmsghdr *c;
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &listener, sizeof(int));
	}
	return sendmsg(SBX_CHAN_FD, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

_Noreturn void sbx_child_main(const struct sbx_child_plan *plan)
{
	const struct sbx_policy *p = plan->p;
	struct sbx_chan_rec rec;
	unsigned flags = SBX_READY_AUDIT;
	int code, listener = -1, ruleset = -1;
	struct sbx_seccomp *filter = NULL;	/* lives until exec or exit */

#ifdef SBX_SANITIZE
	lsan_off = 1;
#endif
	chan_no = plan->chan_no;
	memcpy(chan_key, plan->hook.chan_key, sizeof(chan_key));
	plan_audit_only = plan->o->audit_only;
	/* PID 1 of the new namespace stays a tiny init; the program's
	 * process comes back from here. */
	if (plan->ns.flags & CLONE_NEWPID)
		sbx_ns_init((struct sbx_ns *)&plan->ns, plan->chan_fd);
	setup_fds(plan);
	((struct sbx_child_plan *)plan)->hook.chan_fd = SBX_CHAN_FD;
	/* Own session and process group: the supervisor ends the whole group,
	 * and the hook can tell the sandbox's processes by their session. */
	if (setsid() < 0)
		fail(SBX_STEP_SESSION, errno, NULL);
	if (chdir(p->cwd) < 0)
		fail(SBX_STEP_CHDIR, errno, p->cwd);
	flags |= setup_view(plan);
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
	flags |= SBX_READY_NO_NEW_PRIVS;
	/* The ruleset is built while every policy path can still be opened
	 * (before leaving root), and enforced once the interpreter is up. */
	/* --audit-only: Landlock would refuse without a record; writes by
	 * path are still seen and recorded by the supervisor. */
	if (plan->landlock_abi > 0 && !plan->o->audit_only) {
		const char *what = NULL;
		int r = sbx_fault("landlock") ? (what = "a fault injected by the test", -EOPNOTSUPP)
					      : sbx_landlock_build(plan, plan->landlock_abi, &ruleset, &what);
		if (r < 0)
			landlock_failed(plan, -r, what);
	}
	flags |= drop_caps(&plan->ns);

	start_python(plan);
	prepare_modules(p);
	add_quitters(plan);

	/* python3 ignores SIGXFSZ (a write past the size limit fails with
	 * EFBIG); in the sandbox it ends the run, with status "output". */
	signal(SIGXFSZ, SIG_DFL);
	/* Landlock, then seccomp: the interpreter is up, so neither needs to
	 * allow start-up. An optional layer that fails is reported, and the
	 * run goes on without it unless --require names it. */
	if (ruleset >= 0) {
		int r = sbx_landlock_enforce(ruleset, plan->landlock_abi);
		if (r == 0)
			flags |= SBX_READY_LANDLOCK;
		else
			landlock_failed(plan, -r, "enforcing the ruleset");
	}
	/* Last: the interpreter is up, so the filter need not allow start-up. */
	/* The supervisor built the filter while this process started the
	 * interpreter; it is the next message on the channel. */
	if (!plan->seccomp && (code = sbx_seccomp_recv(SBX_CHAN_FD, &filter)) < 0)
		fail(SBX_STEP_SECCOMP, -code, "receiving the filter from the supervisor");
	if ((code = sbx_fault("seccomp") ? -ENOSYS
		    : sbx_seccomp_load(plan->seccomp ? plan->seccomp : filter, &listener)) < 0)
		fail(SBX_STEP_SECCOMP, -code, NULL);
	flags |= SBX_READY_SECCOMP | (listener >= 0 ? SBX_READY_SECCOMP_NOTIFY : 0);
	/* Without a listener the plain filter refuses by itself: that is not
	 * --audit-only, so nothing of the program runs under it. */
	if (plan->o->audit_only && listener < 0)
		fail(SBX_STEP_SECCOMP, ENOTSUP, "--audit-only needs seccomp user notification");

	memset(&rec, 0, sizeof(rec));
	rec.version = SBX_CHAN_VERSION;
	rec.type = SBX_CHAN_READY;
	rec.pid = (uint32_t)getpid();
	memcpy(rec.key, chan_key, sizeof(rec.key));
	rec.step = flags;
	/* Tests: a child that never sends the listener, or sends it twice. */
	if (send_ready(&rec, sbx_fault("no-listener") ? -1 : listener) < 0 ||
	    (sbx_fault("listener-twice") && send_ready(&rec, listener) < 0))
		_exit(SBX_EXIT_SETUP);
	/* The supervisor holds the listener now; ours would keep it alive. */
	if (listener >= 0)
		close(listener);
	/* Its "go": the sandbox is in its cgroups (run.c attached them while
	 * this process started the interpreter). Nothing else, and EOF means
	 * the supervisor is gone. */
	{
		char go;
		ssize_t n;
		while ((n = recv(SBX_CHAN_FD, &go, 1, 0)) < 0 && errno == EINTR)
			;
		if (n != 1 || go != SBX_CHAN_GO)
			_exit(SBX_EXIT_SETUP);
	}

	if ((code = sbx_hook_program_starts()) < 0)
		fail(SBX_STEP_HOOK, -code, "capturing the import system before the program runs");
	code = Py_RunMain();
	/* _exit: no C atexit handlers of the supervisor's image run here. */
	_exit(code);
}
