/* rebase.c: the warm pool's interpreter. The zygote initialises Debian's
 * python3.11 once, with the audit hook and no run; a worker forked from it
 * and confined for its run makes that interpreter what a fresh start with
 * the run's plan (interp.c sbx_interp_fresh_start) would have made: the
 * hook's configuration, the built-in module table, the configuration
 * (sys.argv, sys.flags, sys.path, sys.executable, what Py_RunMain runs),
 * the environment, the standard streams over the worker's descriptors 0-2,
 * and site. sbx_pool_fits (pool_fits.c) keeps out every run whose options
 * this cannot reproduce; tests/unit/test_rebase.c compares the two starts. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_child_int.h"
#include "sbx_hook.h"

#define fail sbx_child_fail

extern char **environ;

/* Whether the zygote's start-up coerced the C locale (set LC_CTYPE): a
 * fresh start with the run's environment, which names no locale
 * (sbx_pool_fits), does the same. */
static bool zygote_coerced;

void sbx_interp_zygote_start(void)
{
	static struct sbx_policy none;	/* no site, nothing denied */
	static const struct sbx_run_opts nothing = { .kind = SBX_PROG_STDIN };
	const struct sbx_child_plan baseline = { .p = &none, .o = &nothing };
	bool had_ctype = getenv("LC_CTYPE") != NULL;
	PyConfig config;

	sbx_interp_preinit();
	zygote_coerced = !had_ctype && getenv("LC_CTYPE");
	sbx_interp_filter_inittab(&none);	/* notes the full table */
	if (sbx_hook_install(NULL) < 0)
		fail(SBX_STEP_HOOK, EPERM, NULL);
	sbx_interp_config(&baseline, &config);
	sbx_interp_check_status(Py_InitializeFromConfig(&config), SBX_STEP_PYTHON_INIT);
	PyConfig_Clear(&config);
}

static void set_sys(const char *name, PyObject *v, enum sbx_step step)
{
	if (!v || PySys_SetObject(name, v) < 0)
		fail(step, ENOMEM, name);
	Py_DECREF(v);
}

/* sys.builtin_module_names as start-up lists it (sorted, from the table):
 * CPython 3.11 reads PyImport_Inittab at every import, so the filtered
 * table refuses a denied built-in; the tuple is made once at start-up. */
static void builtin_names(void)
{
	PyObject *l = PyList_New(0), *t;

	for (const struct _inittab *i = PyImport_Inittab; l && i->name; i++) {
		PyObject *s = PyUnicode_FromString(i->name);
		if (!s || PyList_Append(l, s) < 0)
			Py_CLEAR(l);
		Py_XDECREF(s);
	}
	if (!l || PyList_Sort(l) < 0)
		fail(SBX_STEP_HOOK, ENOMEM, "sys.builtin_module_names");
	t = PyList_AsTuple(l);
	Py_DECREF(l);
	set_sys("builtin_module_names", t, SBX_STEP_HOOK);
}

/* posix.environ from the worker's environment, as the posix module's
 * start-up builds it (bytes; the first of a repeated name wins). os is
 * not imported at the baseline's start-up: os.environ is made from this
 * when the run imports os (or site does). */
static void rebuild_environ(void)
{
	PyObject *mods = PyImport_GetModuleDict();
	PyObject *posix = PyDict_GetItemString(mods, "posix");
	PyObject *d = posix ? PyObject_GetAttrString(posix, "environ") : NULL;

	if (PyDict_GetItemString(mods, "os"))
		fail(SBX_STEP_PYTHON_CONFIG, EEXIST, "os was imported at the zygote's start-up");
	if (zygote_coerced && setenv("LC_CTYPE", "C.UTF-8", 1) < 0)
		fail(SBX_STEP_PYTHON_CONFIG, errno, "LC_CTYPE");
	if (!d || !PyDict_Check(d))
		fail(SBX_STEP_PYTHON_CONFIG, ENOENT, "posix.environ");
	PyDict_Clear(d);
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		PyObject *k, *v;
		if (!eq)
			continue;
		k = PyBytes_FromStringAndSize(*e, eq - *e);
		v = PyBytes_FromString(eq + 1);
		if (!k || !v || !PyDict_SetDefault(d, k, v))
			fail(SBX_STEP_PYTHON_CONFIG, ENOMEM, "posix.environ");
		Py_DECREF(k);
		Py_DECREF(v);
	}
	Py_DECREF(d);
}

/* The time module read the zygote's TZ (none) when the zygote started; a
 * fresh start reads the run's: tzset again, from the run's environment. */
static void reset_timezone(void)
{
	PyObject *time = PyImport_ImportModule("time");
	PyObject *r = time ? PyObject_CallMethod(time, "tzset", NULL) : NULL;

	Py_XDECREF(time);
	if (!r)
		fail(SBX_STEP_PYTHON_CONFIG, EIO, "the time zone");
	Py_DECREF(r);
}

/* The run's configuration, built as a fresh start builds it, applied to
 * the running interpreter: _PyInterpreterState_SetConfig reads it as
 * Py_InitializeFromConfig would (the path configuration included) and
 * updates sys (argv, orig_argv, flags, path, executable, prefixes,
 * _xoptions, warnoptions); Py_RunMain reads run_* and safe_path from it.
 * The deprecated global flags follow it as _PyConfig_Write sets them. */
static void apply_config(const struct sbx_child_plan *plan, PyConfig *out)
{
	PyConfig config;

	sbx_interp_config(plan, &config);
	sbx_interp_check_status(PyConfig_Read(&config), SBX_STEP_PYTHON_CONFIG);
	if (_PyInterpreterState_SetConfig(&config) < 0)
		fail(SBX_STEP_PYTHON_INIT, EINVAL, "applying the run's configuration");
	PyConfig_Clear(&config);
	PyConfig_InitIsolatedConfig(out);
	if (_PyInterpreterState_GetConfigCopy(out) < 0)
		fail(SBX_STEP_PYTHON_INIT, ENOMEM, "reading the configuration back");
_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
	Py_IsolatedFlag = out->isolated;
	Py_NoSiteFlag = !out->site_import;
	Py_UnbufferedStdioFlag = !out->buffered_stdio;
	Py_OptimizeFlag = out->optimization_level;
	Py_BytesWarningFlag = out->bytes_warning;
	Py_DebugFlag = out->parser_debug;
_Pragma("GCC diagnostic pop")
}

/* One standard stream over descriptor fd, as CPython 3.11's create_stdio
 * (Python/pylifecycle.c) makes it: a binary file (unbuffered for -u
 * output), a TextIOWrapper with the configuration's encoding, line
 * buffering on a terminal and for stderr, write-through for -u. */
static PyObject *make_stream(PyObject *io, const PyConfig *c, int fd, bool w, const char *name,
			     const wchar_t *errors)
{
	int buffering = !c->buffered_stdio && w ? 0 : -1, tty;
	PyObject *buf, *raw, *r, *stream = NULL, *enc = NULL, *err = NULL, *line, *through;

	if (fcntl(fd, F_GETFD) < 0)
		Py_RETURN_NONE;
	buf = PyObject_CallMethod(io, "open", "isiOOOO", fd, w ? "wb" : "rb", buffering, Py_None,
				  Py_None, Py_None, Py_False);
	if (!buf)
		return NULL;
	raw = buffering ? PyObject_GetAttrString(buf, "raw") : Py_NewRef(buf);
	r = PyUnicode_FromString(name);
	tty = raw && r && PyObject_SetAttrString(raw, "name", r) == 0 ? 0 : -1;
	Py_XDECREF(r);
	r = tty == 0 ? PyObject_CallMethod(raw, "isatty", NULL) : NULL;
	tty = r ? PyObject_IsTrue(r) : -1;
	Py_XDECREF(r);
	Py_XDECREF(raw);
	through = c->buffered_stdio ? Py_False : Py_True;
	line = c->buffered_stdio && (tty > 0 || fd == 2) ? Py_True : Py_False;
	if (tty >= 0 && (enc = PyUnicode_FromWideChar(c->stdio_encoding, -1)) &&
	    (err = PyUnicode_FromWideChar(errors, -1)))
		stream = PyObject_CallMethod(io, "TextIOWrapper", "OOOsOO", buf, enc, err, "\n", line,
					     through);
	r = stream ? PyUnicode_FromString(w ? "w" : "r") : NULL;
	if (stream && (!r || PyObject_SetAttrString(stream, "mode", r) < 0))
		Py_CLEAR(stream);
	Py_XDECREF(r);
	Py_XDECREF(enc);
	Py_XDECREF(err);
	Py_DECREF(buf);
	return stream;
}

/* sys.stdin/stdout/stderr and their __dunder__ twins over the worker's own
 * descriptors 0-2 (the zygote's objects wrap the zygote's; they hold
 * nothing buffered and do not close their descriptor). */
static void make_stdio(const PyConfig *c)
{
	static const char *const names[3][2] = { { "stdin", "<stdin>" }, { "stdout", "<stdout>" },
						   { "stderr", "<stderr>" } };
	PyObject *io = PyImport_ImportModule("io");
	struct stat st;

	if (fstat(0, &st) == 0 && S_ISDIR(st.st_mode))
		fail(SBX_STEP_PYTHON_INIT, EINVAL, "<stdin> is a directory, cannot continue");
	for (int fd = 0; io && fd < 3; fd++) {
		char dunder[16];
		PyObject *s = make_stream(io, c, fd, fd > 0, names[fd][1],
					  fd == 2 ? L"backslashreplace" : c->stdio_errors);
		if (!s)
			break;
		snprintf(dunder, sizeof(dunder), "__%s__", names[fd][0]);
		if (PySys_SetObject(dunder, s) < 0 || PySys_SetObject(names[fd][0], s) < 0)
			fd = 3;
		Py_DECREF(s);
	}
	if (!io || PyErr_Occurred())
		fail(SBX_STEP_PYTHON_INIT, EIO, "the standard streams");
	Py_DECREF(io);
}

/* The zygote's path finders remember directory listings of the zygote's
 * filesystem; the worker's view may differ: listed again on first use. */
static void invalidate_finders(void)
{
	PyObject *cache = PySys_GetObject("path_importer_cache");	/* borrowed */
	PyObject *key, *finder;
	Py_ssize_t pos = 0;

	while (cache && PyDict_Check(cache) && PyDict_Next(cache, &pos, &key, &finder)) {
		PyObject *r;
		if (finder == Py_None || !PyObject_HasAttrString(finder, "invalidate_caches"))
			continue;
		r = PyObject_CallMethod(finder, "invalidate_caches", NULL);
		if (!r)
			fail(SBX_STEP_PYTHON_PATH, EIO, "invalidating the path finders' caches");
		Py_DECREF(r);
	}
}

void sbx_interp_rebase(const struct sbx_child_plan *plan)
{
	PyConfig c;

	/* The worker is a fork of the zygote's one thread: the interpreter's
	 * locks, thread ids and pending signals are made the child's, as
	 * os.fork does (the zygote registered no at-fork callback). */
	PyOS_AfterFork_Child();
	sbx_hook_configure(&plan->hook);
	sbx_interp_filter_inittab(plan->p);
	builtin_names();
	rebuild_environ();
	reset_timezone();
	apply_config(plan, &c);
	make_stdio(&c);
	invalidate_finders();
	/* As start-up imports it: after sys is the run's, before __main__
	 * runs anything. */
	if (c.site_import) {
		PyObject *site = PyImport_ImportModule("site");
		if (!site)
			fail(SBX_STEP_PYTHON_INIT, EIO, "import site");
		Py_DECREF(site);
	}
	PyConfig_Clear(&c);
}
