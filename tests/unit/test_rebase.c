/* test_rebase.c: the warm pool's interpreter (child/rebase.c) is what a
 * fresh start would have made. For each plan, one child starts the
 * interpreter fresh (sbx_interp_fresh_start) and another starts a zygote
 * (sbx_interp_zygote_start, with other descriptors 0-2 and another
 * environment) and forks a worker that rebases it (sbx_interp_rebase);
 * both run the same program, which prints what a program can see of its
 * interpreter, and the two outputs must be equal. Plans the pool cannot
 * reproduce are refused by sbx_pool_fits. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_child_int.h"
#include "sbx_hook.h"
#include "sbx_spawn.h"
#include "sandboxpy.h"

extern char **environ;

/* What a program can see of its interpreter's start; the import probes
 * last (they change sys.modules). */
static const char dump[] =
	"import sys, posix, _warnings\n"
	"def _st(f):\n"
	"    if f is None: return None\n"
	"    b = f.buffer\n"
	"    return (f.encoding, f.errors, f.line_buffering, f.write_through, f.name, f.mode,\n"
	"            type(b).__name__, getattr(b, 'raw', b).name, f.fileno())\n"
	"def _dump():\n"
	"    m = sys.modules\n"
	"    os = m.get('os')\n"
	"    for k, v in [\n"
	"        ('modules', sorted(m)),\n"
	"        ('files', [(k, getattr(v, '__file__', None), getattr(v, '__cached__', None))\n"
	"                   for k, v in sorted(m.items())]),\n"
	"        ('path', sys.path), ('argv', sys.argv), ('orig_argv', sys.orig_argv),\n"
	"        ('flags', sys.flags),\n"
	"        ('exe', (sys.executable, sys._base_executable, sys.prefix, sys.base_prefix,\n"
	"                 sys.exec_prefix, sys.base_exec_prefix, sys.platlibdir)),\n"
	"        ('builtin', sys.builtin_module_names),\n"
	"        ('environ', sorted(posix.environ.items())),\n"
	"        ('osenv', sorted(os.environ.items()) if os else None),\n"
	"        ('stdio', [_st(f) for f in (sys.stdin, sys.stdout, sys.stderr)]),\n"
	"        ('dunder', [sys.stdin is sys.__stdin__, sys.stdout is sys.__stdout__,\n"
	"                    sys.stderr is sys.__stderr__]),\n"
	"        ('main', sorted(vars(m['__main__']))),\n"
	"        ('warnings', _warnings.filters),\n"
	"        ('builtins', sorted(vars(m['builtins']))),\n"
	"        ('hooks', [getattr(h, '__qualname__', type(h).__name__) for h in sys.path_hooks]),\n"
	"        ('meta', [getattr(x, '__name__', type(x).__name__) for x in sys.meta_path]),\n"
	"        ('cache', sorted(sys.path_importer_cache)),\n"
	"        ('opts', (sys._xoptions, sys.warnoptions, sys.dont_write_bytecode,\n"
	"                  sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())),\n"
	"    ]:\n"
	"        print(k, repr(v))\n"
	"    import _locale\n"
	"    print('locale', _locale.setlocale(_locale.LC_CTYPE), _locale.nl_langinfo(_locale.CODESET))\n"
	"    for name in ('_socket', 'socket', 'time', 'zipimport', 'json', 'site'):\n"
	"        try:\n"
	"            __import__(name)\n"
	"            r = 'ok'\n"
	"        except BaseException as e:\n"
	"            r = type(e).__name__\n"
	"        print('import', name, r)\n"
	"    print('os.environ', sorted(__import__('os').environ.items()))\n"
	"    print('exit' in vars(m['builtins']), 'ok', flush=True)\n"
	"_dump()\n";

static char dir[PATH_MAX] = "/tmp/sbx-rebase-XXXXXX", script[PATH_MAX + 16], module[PATH_MAX + 16];

struct pcase {
	const char *name;
	const char *policy_extra;	/* JSON members after "filesystem" */
	enum sbx_prog_kind kind;
	const char *args[3];
	size_t n_args;
	bool unbuffered, no_site, safe_path, skip_first_line, dont_write_bytecode;
};

static void write_file(const char *path, const char *first, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(first, f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(script, sizeof(script), "%s/main.py", dir);
	snprintf(module, sizeof(module), "%s/dumpmod.py", dir);
	write_file(script, "_first = 1  # not run with -x\n", dump);
	write_file(module, "", dump);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(script);
	unlink(module);
	rmdir(dir);
	return 0;
}

/* The child's descriptors: stdin the read end of an empty pipe, stdout and
 * stderr the pipe the test reads; nothing else open. */
static void child_stdio(int in, int out)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(120);
	syscall(SYS_close_range, 3, ~0U, 0);
}

/* The zygote's own descriptors and environment, unlike any run's. */
static void zygote_stdio(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(120);
	clearenv();
	setenv("SBX_ZYGOTE", "1", 1);
}

/* The zygote's start-up imports exactly sbx_pool_init_modules. */
static bool init_modules_listed(void)
{
	PyObject *mods = PyImport_GetModuleDict();
	size_t n = 0;

	for (; sbx_pool_init_modules[n]; n++)
		if (!PyDict_GetItemString(mods, sbx_pool_init_modules[n]))
			return false;
	return (size_t)PyDict_Size(mods) == n;
}

static _Noreturn void run(const struct sbx_child_plan *plan, bool pooled, int in, int out)
{
	pid_t w;
	int st;

	if (!pooled) {
		child_stdio(in, out);
		environ = plan->envp;
		sbx_interp_fresh_start(plan);
	} else {
		zygote_stdio();
		sbx_interp_zygote_start();
		if (!init_modules_listed())
			_exit(121);
		if ((w = fork()) != 0) {
			if (w < 0 || waitpid(w, &st, 0) < 0)
				_exit(122);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 123);
		}
		child_stdio(in, out);
		environ = plan->envp;
		sbx_interp_rebase(plan);
	}
	sbx_interp_prepare(plan);
	if (sbx_hook_program_starts() < 0)
		_exit(124);
	_exit(Py_RunMain());
}

/* The program's output and exit status, started one way or the other. */
static char *output(const struct sbx_child_plan *plan, bool pooled, int *status)
{
	int in[2], out[2];
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t r;
	pid_t pid;

	assert_non_null(buf);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		run(plan, pooled, in[0], out[1]);
	close(in[0]);
	close(in[1]);
	close(out[1]);
	while ((r = read(out[0], buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	buf[n] = '\0';
	close(out[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
	return buf;
}

static void load_plan(const struct pcase *c, struct sbx_policy **p, struct sbx_run_opts *o,
		      struct sbx_child_plan *plan)
{
	char json[4096], msg[512];
	struct sbx_error err;

	snprintf(json, sizeof(json),
		 "{\"version\": 1, \"filesystem\": {\"read\": [\"%s\"]}, "
		 "\"python\": {\"path\": [\"%s\"]%s}}",
		 dir, dir, c->policy_extra);
	sbx_error_clear(&err);
	if (sbx_policy_load_string(json, strlen(json), "test.json", dir, SBX_LOAD_NO_RESOLVE, p, &err) < 0)
		fail_msg("%s: %s", c->name, (sbx_error_format(&err, 0, msg, sizeof(msg)), msg));
	memset(o, 0, sizeof(*o));
	o->kind = c->kind;
	o->program = c->kind == SBX_PROG_FILE ? script : c->kind == SBX_PROG_MODULE ? "dumpmod" : dump;
	o->args = c->args;
	o->n_args = c->n_args;
	o->unbuffered = c->unbuffered;
	o->no_site = c->no_site;
	o->safe_path = c->safe_path;
	o->skip_first_line = c->skip_first_line;
	o->dont_write_bytecode = c->dont_write_bytecode;
	if (sbx_child_plan_build(plan, *p, o, &err) < 0)
		fail_msg("%s: %s", c->name, (sbx_error_format(&err, 0, msg, sizeof(msg)), msg));
}

static void same_start(const struct pcase *c)
{
	struct sbx_policy *p = NULL;
	struct sbx_run_opts o;
	struct sbx_child_plan plan;
	const char *why = NULL;
	int s_fresh, s_pool;
	char *fresh, *pool;

	load_plan(c, &p, &o, &plan);
	if (!sbx_pool_fits(p, &o, plan.envp, &why))
		fail_msg("%s: the pool refuses it: %s", c->name, why);
	fresh = output(&plan, false, &s_fresh);
	pool = output(&plan, true, &s_pool);
	if (getenv("SBX_TEST_SHOW"))
		fprintf(stderr, "== %s\n%s", c->name, fresh);
	if (strcmp(fresh, pool) != 0 || s_fresh != s_pool || !strstr(fresh, " ok\n")) {
		fprintf(stderr, "%s: fresh (status %d):\n%s\npooled (status %d):\n%s\n", c->name, s_fresh,
			fresh, s_pool, pool);
		fail_msg("%s: the rebased interpreter differs from a fresh start", c->name);
	}
	free(fresh);
	free(pool);
	sbx_child_plan_free(&plan);
	sbx_policy_free(p);
}

static const struct pcase cases[] = {
	{ "command", "", SBX_PROG_COMMAND, { 0 }, 0, false, false, false, false, false },
	{ "command args", "", SBX_PROG_COMMAND, { "a", "-b", "c" }, 3, false, false, false, false, false },
	{ "script", "", SBX_PROG_FILE, { "x" }, 1, false, false, false, false, false },
	{ "script -P", "", SBX_PROG_FILE, { 0 }, 0, false, false, true, false, false },
	{ "script -x", "", SBX_PROG_FILE, { 0 }, 0, false, false, false, true, false },
	{ "module", "", SBX_PROG_MODULE, { "m1", "m2" }, 2, false, false, false, false, false },
	{ "site", ", \"site\": true", SBX_PROG_COMMAND, { 0 }, 0, false, false, false, false, false },
	{ "site -S", ", \"site\": true", SBX_PROG_COMMAND, { 0 }, 0, false, true, false, false, false },
	{ "-S", "", SBX_PROG_COMMAND, { 0 }, 0, false, true, false, false, false },
	{ "-u", "", SBX_PROG_FILE, { 0 }, 0, true, false, false, false, false },
	{ "-B", "", SBX_PROG_COMMAND, { 0 }, 0, false, false, false, false, true },
	{ "env", ", \"env\": {\"FOO\": \"bar\", \"PYTHONPATH\": \"/x\"}", SBX_PROG_COMMAND, { 0 }, 0,
	  false, false, false, false, false },
	{ "deny a built-in", "}, \"imports\": {\"deny\": [\"socket\", \"json\"]", SBX_PROG_MODULE, { 0 },
	  0, false, false, false, false, false },
	{ "deny with site", ", \"site\": true}, \"imports\": {\"deny\": [\"socket\"]", SBX_PROG_FILE,
	  { 0 }, 0, false, false, false, false, false },
};

static void test_same_start(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_start(&cases[i]);
}

/* What the pool refuses: the run starts fresh. */
static void test_refused(void **state)
{
	static const struct pcase refused[] = {
		{ "LANG", ", \"env\": {\"LANG\": \"C.UTF-8\"}", SBX_PROG_COMMAND, { 0 }, 0, 0, 0, 0, 0, 0 },
		{ "LC_ALL", ", \"env\": {\"LC_ALL\": \"C\"}", SBX_PROG_COMMAND, { 0 }, 0, 0, 0, 0, 0, 0 },
		/* _signal and _warnings, which start-up imports (the policy
		 * reader refuses denying a module start-up needs by name). */
		{ "deny signal", "}, \"imports\": {\"deny\": [\"signal\"]", SBX_PROG_COMMAND, { 0 }, 0, 0,
		  0, 0, 0, 0 },
		{ "deny warnings", "}, \"imports\": {\"deny\": [\"warnings\"]", SBX_PROG_COMMAND, { 0 },
		  0, 0, 0, 0, 0, 0 },
		{ "stdin", "", SBX_PROG_STDIN, { 0 }, 0, 0, 0, 0, 0, 0 },
	};
	struct sbx_policy *p = NULL;
	struct sbx_run_opts o;
	struct sbx_child_plan plan;
	const char *why = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		load_plan(&refused[i], &p, &o, &plan);
		if (sbx_pool_fits(p, &o, plan.envp, &why))
			fail_msg("%s: the pool takes it", refused[i].name);
		assert_non_null(why);
		sbx_child_plan_free(&plan);
		sbx_policy_free(p);
	}
	load_plan(&cases[0], &p, &o, &plan);
	static const char *const opt[] = { "dev" };
	memcpy(o.xoptions, opt, sizeof(opt));
	o.n_xoptions = 1;
	assert_false(sbx_pool_fits(p, &o, plan.envp, &why));
	o.n_xoptions = 0;
	o.optimize = 1;
	assert_false(sbx_pool_fits(p, &o, plan.envp, &why));
	o.optimize = 0;
	o.bytes_warning = 1;
	assert_false(sbx_pool_fits(p, &o, plan.envp, &why));
	o.bytes_warning = 0;
	assert_true(sbx_pool_fits(p, &o, plan.envp, &why));
	sbx_child_plan_free(&plan);
	sbx_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_start),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
