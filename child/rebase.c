/* rebase.c: TEMPORARY crude version for the lead's process-flow tests;
 * replaced by the real one (helper R) at merge. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <string.h>

#include "sbx_child_int.h"
#include "sbx_hook.h"

void sbx_interp_zygote_start(void)
{
	PyPreConfig pre;
	PyConfig config;

	PyPreConfig_InitIsolatedConfig(&pre);
	pre.utf8_mode = 1;
	pre.configure_locale = 1;
	pre.coerce_c_locale = 1;
	if (PyStatus_Exception(Py_PreInitialize(&pre)))
		_exit(125);
	PyConfig_InitIsolatedConfig(&config);
	config.site_import = 0;
	config.write_bytecode = 0;
	config.pathconfig_warnings = 0;
	PyConfig_SetBytesString(&config, &config.home, SBX_PYTHON_HOME);
	if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
		_exit(125);
	PyConfig_Clear(&config);
}

void sbx_interp_rebase(const struct sbx_child_plan *plan)
{
	const struct sbx_run_opts *o = plan->o;
	PyConfig config;
	char *argv[64];
	size_t argc = 0;

	if (sbx_hook_install(&plan->hook) < 0)
		sbx_child_fail(SBX_STEP_HOOK, EPERM, NULL);
	PyConfig_InitIsolatedConfig(&config);
	if (_PyInterpreterState_GetConfigCopy(&config) < 0)
		sbx_child_fail(SBX_STEP_PYTHON_CONFIG, EINVAL, "config copy");
	if (o->kind == SBX_PROG_COMMAND) {
		argv[argc++] = "-c";
		PyConfig_SetBytesString(&config, &config.run_command, o->program);
	} else if (o->kind == SBX_PROG_FILE) {
		argv[argc++] = (char *)o->program;
		PyConfig_SetBytesString(&config, &config.run_filename, o->program);
	}
	for (size_t i = 0; i < o->n_args && argc < 63; i++)
		argv[argc++] = (char *)o->args[i];
	PyConfig_SetBytesArgv(&config, (Py_ssize_t)argc, argv);
	config.parse_argv = 0;
	if (_PyInterpreterState_SetConfig(&config) < 0)
		sbx_child_fail(SBX_STEP_PYTHON_CONFIG, EINVAL, "set config");
	PyConfig_Clear(&config);
}
