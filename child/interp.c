/* interp.c: the child's second half, in the interpreter's image (rt.c
 * hands over the plan): the hook installed before the interpreter exists,
 * the interpreter configured as the policy says, Landlock enforced, the
 * seccomp filter loaded, READY with the listener, the supervisor's "go",
 * then the program. Any step that fails ends the child with 125 before
 * user code runs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sbx_child_int.h"
#include "sbx_hook.h"
#include "sbx_landlock.h"
#include "sbx_match.h"

#define fail sbx_child_fail
#define plan_audit_only sbx_child_audit_only
#define check_status sbx_interp_check_status

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

/* The table start-up began with: a worker of the pool filters the
 * zygote's full table, never one already filtered. */
static struct _inittab *full_inittab;

void sbx_interp_filter_inittab(const struct sbx_policy *p)
{
	struct _inittab *src, *dst;
	size_t n = 0, o = 0, t = 0;

	if (!full_inittab)
		full_inittab = PyImport_Inittab;
	src = full_inittab;
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

void sbx_interp_check_status(PyStatus st, enum sbx_step step)
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

/* UTF-8 whatever the locale, and the C locale coerced to C.UTF-8 (the
 * environment has no LANG unless python.env sets one), as python3 does in
 * the C locale: locale.getencoding() is UTF-8 too. */
void sbx_interp_preinit(void)
{
	PyPreConfig pre;

	PyPreConfig_InitIsolatedConfig(&pre);
	pre.utf8_mode = 1;
	pre.configure_locale = 1;
	pre.coerce_c_locale = 1;
	check_status(Py_PreInitialize(&pre), SBX_STEP_PYTHON_CONFIG);
}

/* python3's argv for the program: "-c", "-m", the script or "" first. */
static void config_argv(const struct sbx_run_opts *o, PyConfig *config)
{
	char **argv = calloc(o->n_args + 2, sizeof(char *));
	size_t argc = 0;

	if (!argv)
		fail(SBX_STEP_PYTHON_CONFIG, ENOMEM, NULL);
	switch (o->kind) {
	case SBX_PROG_FILE:
		argv[argc++] = (char *)o->program;
		check_status(PyConfig_SetBytesString(config, &config->run_filename, o->program),
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
		check_status(PyConfig_SetBytesString(config, &config->run_command, cmd),
			     SBX_STEP_PYTHON_CONFIG);
		free(cmd);
		break;
	}
	case SBX_PROG_MODULE:
		argv[argc++] = "-m";
		check_status(PyConfig_SetBytesString(config, &config->run_module, o->program),
			     SBX_STEP_PYTHON_CONFIG);
		break;
	case SBX_PROG_STDIN:
		argv[argc++] = o->n_args ? "-" : "";
		break;
	}
	for (size_t i = 0; i < o->n_args; i++)
		argv[argc++] = (char *)o->args[i];
	check_status(PyConfig_SetBytesArgv(config, (Py_ssize_t)argc, argv), SBX_STEP_PYTHON_CONFIG);
	free(argv);
}

/* The interpreter's configuration for the plan: what a fresh start passes
 * to Py_InitializeFromConfig and what a worker of the pool applies to the
 * zygote's interpreter (rebase.c), written once. */
void sbx_interp_config(const struct sbx_child_plan *plan, PyConfig *config)
{
	const struct sbx_policy *p = plan->p;
	const struct sbx_run_opts *o = plan->o;

	PyConfig_InitIsolatedConfig(config);
	config->site_import = p->python.site && !o->no_site;
	config->user_site_directory = 0;
	config->use_environment = 0;
	config->parse_argv = 0;
	config->install_signal_handlers = 1;
	config->pathconfig_warnings = 0;
	/* No .pyc left behind by a sandboxed run (the tree may be read-only). */
	config->write_bytecode = 0;
	config->buffered_stdio = !o->unbuffered;
	config->optimization_level = o->optimize;
	config->bytes_warning = o->bytes_warning;
	config->parser_debug = o->parser_debug;
	config->skip_source_first_line = o->skip_first_line;
	/* python3 -I would not put the script's directory first; the policy
	 * says a script run as a file gets it, as users expect, when the
	 * policy lets it be read: a directory the program may not read holds
	 * nothing it could import, and listing it would only be a refusal
	 * (fatal under on_violation kill) on the first import. */
	bool script_dir = o->kind == SBX_PROG_FILE && !o->safe_path && script_dir_readable(plan);

	config->safe_path = !script_dir;
	/* CPython forces safe_path on whenever isolated is set: for a script
	 * run as a file keep what isolation means (no environment, no user
	 * site, set above) but not that one part of it. */
	if (script_dir)
		config->isolated = 0;
	check_status(PyConfig_SetBytesString(config, &config->home, SBX_PYTHON_HOME),
		     SBX_STEP_PYTHON_CONFIG);
	if (plan->self_exe)
		check_status(PyConfig_SetBytesString(config, &config->executable, plan->self_exe),
			     SBX_STEP_PYTHON_CONFIG);
	for (size_t i = 0; i < o->n_xoptions; i++)
		append_w(&config->xoptions, o->xoptions[i], SBX_STEP_PYTHON_CONFIG);
	for (size_t i = 0; i < o->n_warnoptions; i++)
		append_w(&config->warnoptions, o->warnoptions[i], SBX_STEP_PYTHON_CONFIG);
	config_argv(o, config);
}

void sbx_interp_fresh_start(const struct sbx_child_plan *plan)
{
	PyConfig config;

	sbx_interp_preinit();
	sbx_interp_filter_inittab(plan->p);
	if (sbx_fault("audit") || sbx_hook_install(&plan->hook) < 0)
		fail(SBX_STEP_HOOK, EPERM, NULL);
	sbx_interp_config(plan, &config);
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


/* Landlock, then seccomp: the interpreter is up, so neither needs to
 * allow start-up. An optional layer that fails is reported, and the run
 * goes on without it unless --require names it. */
static unsigned last_layers(struct sbx_rt_plan *rp, int *listener)
{
	const struct sbx_child_plan *plan = &rp->plan;
	struct sbx_seccomp *filter = NULL;	/* lives until exit */
	unsigned flags = 0;
	int code;

	if (rp->ruleset >= 0) {
		int r = sbx_landlock_enforce(rp->ruleset, plan->landlock_abi);
		if (r == 0)
			flags |= SBX_READY_LANDLOCK;
		else
			sbx_child_landlock_failed(plan->o->require, -r, "enforcing the ruleset");
		close(rp->ruleset);
	}
	/* The supervisor built the filter while this process started the
	 * interpreter; it is the next message on the channel. */
	if ((code = sbx_seccomp_recv(SBX_CHAN_FD, &filter)) < 0)
		fail(SBX_STEP_SECCOMP, -code, "receiving the filter from the supervisor");
	if ((code = sbx_fault("seccomp") ? -ENOSYS : sbx_seccomp_load(filter, listener)) < 0)
		fail(SBX_STEP_SECCOMP, -code, NULL);
	flags |= SBX_READY_SECCOMP | (*listener >= 0 ? SBX_READY_SECCOMP_NOTIFY : 0);
	/* Without a listener the plain filter refuses by itself: that is not
	 * --audit-only, so nothing of the program runs under it. */
	if (plan->o->audit_only && *listener < 0)
		fail(SBX_STEP_SECCOMP, ENOTSUP, "--audit-only needs seccomp user notification");
	return flags;
}

/* READY, then the supervisor's "go": the sandbox is in its cgroups (run.c
 * attached them while this process started the interpreter). Nothing
 * else, and EOF means the supervisor is gone. */
static void ready_and_go(unsigned flags, int listener)
{
	struct sbx_chan_rec rec;
	char go;
	ssize_t n;

	memset(&rec, 0, sizeof(rec));
	rec.version = SBX_CHAN_VERSION;
	rec.type = SBX_CHAN_READY;
	rec.pid = (uint32_t)getpid();
	memcpy(rec.key, sbx_child_chan_key, sizeof(rec.key));
	rec.step = flags;
	/* Tests: a child that never sends the listener, or sends it twice. */
	if (send_ready(&rec, sbx_fault("no-listener") ? -1 : listener) < 0 ||
	    (sbx_fault("listener-twice") && send_ready(&rec, listener) < 0))
		_exit(SBX_EXIT_SETUP);
	/* The supervisor holds the listener now; ours would keep it alive. */
	if (listener >= 0)
		close(listener);
	while ((n = recv(SBX_CHAN_FD, &go, 1, 0)) < 0 && errno == EINTR)
		;
	if (n != 1 || go != SBX_CHAN_GO)
		_exit(SBX_EXIT_SETUP);
}

/* What follows the interpreter's start, fresh or rebased (rebase.c): the
 * policy's sys.path and modules, the quitters, SIGXFSZ. */
void sbx_interp_prepare(const struct sbx_child_plan *plan)
{
	prepare_modules(plan->p);
	add_quitters(plan);
	/* python3 ignores SIGXFSZ (a write past the size limit fails with
	 * EFBIG); in the sandbox it ends the run, with status "output". */
	signal(SIGXFSZ, SIG_DFL);
}

_Noreturn void sbx_interp_run(struct sbx_rt_plan *rp)
{
	const struct sbx_child_plan *plan = &rp->plan;
	unsigned flags = rp->flags;
	int code, listener = -1;

	sbx_interp_prepare(plan);
	flags |= last_layers(rp, &listener);
	ready_and_go(flags, listener);
	if ((code = sbx_hook_program_starts()) < 0)
		fail(SBX_STEP_HOOK, -code, "capturing the import system before the program runs");
	code = Py_RunMain();
	/* _exit: no C atexit handler of the runtime's runs after the program. */
	_exit(code);
}

_Noreturn void sbx_child_interp_main(struct sbx_rt_plan *rp)
{
	sbx_interp_fresh_start(&rp->plan);
	sbx_interp_run(rp);
}
