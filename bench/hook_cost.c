/* bench/hook_cost.c: what an audit event the policy ignores costs, in ns,
 * in an embedded interpreter like the sandbox's own. One process per mode
 * (a hook cannot be removed once added):
 *   none       no audit hook at all (CPython skips building the event)
 *   trivial    a C hook that returns 0: what any native hook costs
 *   sandboxpy  sandboxpy's hook with builtin:default's configuration
 * Each times `sys.audit(EVENT, i)` (or what raises EVENT) in a loop, best of 7 runs of N events,
 * and prints {"mode", "event", "ns_per_event"}. EVENT defaults to
 * "bench.x" (not a CPython event); "object.__getattr__" is one the table
 * lists as ignored, raised by reading a function's __code__.
 *
 *   build/bench/hook-cost MODE [EVENT] [N]
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <string.h>

#include "sbx_child.h"
#include "sbx_hook.h"
#include "sbx_spawn.h"
#include "sandboxpy.h"

/* A CPython event is raised by CPython itself (a function's __code__
 * raises object.__getattr__): the hook refuses sys.audit of one from
 * Python, as a forgery. */
static const char loop_code[] =
	"import sys, time\n"
	"def _run(ev, n):\n"
	"    audit = sys.audit\n"
	"    f = _run\n"
	"    t = time.perf_counter_ns()\n"
	"    if ev == 'object.__getattr__':\n"
	"        for i in range(n):\n"
	"            f.__code__\n"
	"    else:\n"
	"        for i in range(n):\n"
	"            audit(ev, i)\n"
	"    return (time.perf_counter_ns() - t) / n\n"
	"_ns = min(_run(_event, _n) for _ in range(7))\n";

static int trivial_hook(const char *event, PyObject *args, void *ud)
{
	(void)event;
	(void)args;
	(void)ud;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "none";
	const char *event = argc > 2 ? argv[2] : "bench.x";
	long n = argc > 3 ? atol(argv[3]) : 1000000;
	struct sbx_policy *p = NULL;
	struct sbx_child_plan plan;
	struct sbx_run_opts o;
	struct sbx_error err;
	PyConfig config;
	PyObject *main_dict, *v;
	int rc = 1;

	if (strcmp(mode, "none") != 0 && strcmp(mode, "trivial") != 0 && strcmp(mode, "sandboxpy") != 0) {
		fprintf(stderr, "usage: hook-cost none|trivial|sandboxpy [EVENT] [N]\n");
		return 2;
	}
	if (strcmp(mode, "sandboxpy") == 0) {
		memset(&o, 0, sizeof(o));
		o.kind = SBX_PROG_COMMAND;
		o.program = "pass";
		sbx_error_clear(&err);
		if (sbx_policy_load("builtin:default", NULL, SBX_LOAD_NO_RESOLVE, &p, &err) < 0 ||
		    sbx_child_plan_build(&plan, p, &o, &err) < 0) {
			sbx_error_print(&err, stderr, "hook-cost: ");
			return 1;
		}
		/* As the child does: the hook before the interpreter exists. */
		if (sbx_hook_install(&plan.hook) < 0) {
			fprintf(stderr, "hook-cost: cannot install the hook\n");
			return 1;
		}
	} else if (strcmp(mode, "trivial") == 0 && PySys_AddAuditHook(trivial_hook, NULL) < 0) {
		return 1;
	}
	PyConfig_InitIsolatedConfig(&config);
	config.site_import = 0;
	config.write_bytecode = 0;
	/* As the child does: the interpreter's home is Debian's. */
	if (PyStatus_Exception(PyConfig_SetBytesString(&config, &config.home, "/usr")))
		return 1;
	if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
		return 1;
	PyConfig_Clear(&config);
	if (p) {
		sbx_hook_post_init();
		sbx_hook_program_starts();
	}
	main_dict = PyModule_GetDict(PyImport_AddModule("__main__"));
	PyDict_SetItemString(main_dict, "_event", v = PyUnicode_FromString(event));
	Py_XDECREF(v);
	PyDict_SetItemString(main_dict, "_n", v = PyLong_FromLong(n));
	Py_XDECREF(v);
	if (PyRun_SimpleString(loop_code) == 0 && (v = PyDict_GetItemString(main_dict, "_ns"))) {
		printf("{\"mode\": \"%s\", \"event\": \"%s\", \"ns_per_event\": %.2f}\n", mode, event,
		       PyFloat_AsDouble(v));
		rc = 0;
	}
	fflush(stdout);
	_exit(rc);
}
