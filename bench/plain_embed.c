/* bench/plain_embed.c: runs a script in an interpreter embedded and linked
 * exactly as sandboxpy's (Debian's libpython3.11.a, non-PIE), with no
 * sandbox at all: make bench compares it with /usr/bin/python3.11 to tell
 * what the link costs pure-Python code from what the sandbox does.
 *
 *   build/bench/plain-embed SCRIPT [ARGS...]
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

int main(int argc, char **argv)
{
	PyConfig config;

	if (argc < 2)
		return 2;
	PyConfig_InitIsolatedConfig(&config);
	config.site_import = 0;
	config.write_bytecode = 0;
	if (PyStatus_Exception(PyConfig_SetBytesString(&config, &config.home, "/usr")) ||
	    PyStatus_Exception(PyConfig_SetBytesArgv(&config, argc - 1, argv + 1)) ||
	    PyStatus_Exception(PyConfig_SetBytesString(&config, &config.run_filename, argv[1])) ||
	    PyStatus_Exception(Py_InitializeFromConfig(&config)))
		return 1;
	PyConfig_Clear(&config);
	return Py_RunMain();
}
