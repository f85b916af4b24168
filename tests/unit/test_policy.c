/* test_policy.c: the policy reader, key by key: defaults, every kind of
 * error with its position, normalisation, builtins, overrides. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sbx_policy.h"
#include "sbx_policy_int.h"

/* The scratch tree every filesystem case resolves against:
 *   T/a/b/  T/file.txt  T/exe  T/link -> a  T/exelink -> exe */
static char tdir[PATH_MAX];

static void mkfile(const char *rel, mode_t mode)
{
	char p[PATH_MAX * 2];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tdir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	close(fd);
}

static int setup_tree(void **state)
{
	char p[PATH_MAX * 2], real[PATH_MAX];

	(void)state;
	snprintf(tdir, sizeof(tdir), "%s/sbx-test-policy.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tdir))
		return -1;
	/* TMPDIR may itself sit behind a symlink; the model holds real paths. */
	if (!realpath(tdir, real))
		return -1;
	snprintf(tdir, sizeof(tdir), "%s", real);
	snprintf(p, sizeof(p), "%s/a", tdir);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/a/b", tdir);
	if (mkdir(p, 0755) < 0)
		return -1;
	mkfile("file.txt", 0644);
	mkfile("exe", 0755);
	snprintf(p, sizeof(p), "%s/link", tdir);
	if (symlink("a", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/exelink", tdir);
	if (symlink("exe", p) < 0)
		return -1;
	return 0;
}

static int teardown_tree(void **state)
{
	char cmd[PATH_MAX + 32];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Test JSON is written with ' for ", to stay readable. */
static char *q(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	for (char *c = d; *c; c++)
		if (*c == '\'')
			*c = '"';
	return d;
}

static char *tpath(const char *rel)
{
	static char buf[4][PATH_MAX * 2];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "%s%s%s", tdir, *rel ? "/" : "", rel);
	return b;
}

static int load_q(const char *json, const char *cwd, unsigned flags,
		  struct sbx_policy **p, struct sbx_error *err)
{
	char *t = q(json);
	int r;

	*p = NULL;
	sbx_error_clear(err);
	r = sbx_policy_load_string(t, strlen(t), "t.json", cwd, flags, p, err);
	free(t);
	return r;
}

/* Loads a policy that must be valid, saying why when it is not. */
static struct sbx_policy *ok_at(const char *json, const char *cwd)
{
	struct sbx_error err;
	struct sbx_policy *p;

	if (load_q(json, cwd, SBX_LOAD_NO_RESOLVE, &p, &err) < 0) {
		sbx_error_print(&err, stderr, "unexpected: ");
		fail_msg("policy rejected: %s", json);
	}
	assert_int_equal(err.n, 0);
	return p;
}

static struct sbx_policy *ok(const char *json)
{
	return ok_at(json, "/tmp");
}

/* Where text[off] is, as the reader counts: 1-based, columns in characters. */
static void pos_of(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static void check_diag(const struct sbx_diag *d, const char *file, int line, int col,
		       const char *path, const char *msg, const char *what)
{
	if (strcmp(d->file, file) || d->line != line || d->col != col ||
	    strcmp(d->json_path, path) || strcmp(d->msg, msg)) {
		print_error("case: %s\n"
			    "  want: %s:%d:%d: [%s] %s\n"
			    "  got:  %s:%d:%d: [%s] %s\n",
			    what, file, line, col, path, msg,
			    d->file, d->line, d->col, d->json_path, d->msg);
		fail();
	}
}

/* One error case: the JSON (' for "), where the error points (the first
 * occurrence of at; NULL: no position), its JSON path and message. */
struct ecase {
	const char *json;
	const char *at;
	const char *path;
	const char *msg;
};

static void run_cases(const struct ecase *cases, size_t n, const char *cwd, unsigned flags)
{
	for (size_t i = 0; i < n; i++) {
		const struct ecase *e = &cases[i];
		struct sbx_error err;
		struct sbx_policy *p;
		char *t = q(e->json), *a = e->at ? q(e->at) : NULL;
		int line = 0, col = 0, r;

		if (a) {
			const char *hit = strstr(t, a);
			if (!hit)
				fail_msg("case %zu: marker %s not in %s", i, a, t);
			pos_of(t, (size_t)(hit - t), &line, &col);
		}
		r = load_q(e->json, cwd, flags, &p, &err);
		if (r >= 0) {
			sbx_policy_free(p);
			fail_msg("case %zu accepted: %s", i, t);
		}
		assert_int_equal(r, -EINVAL);
		if (err.n != 1) {
			sbx_error_print(&err, stderr, "  ");
			fail_msg("case %zu: %d diagnostics, want 1: %s", i, err.n, t);
		}
		check_diag(&err.d[0], "t.json", line, col, e->path, e->msg, t);
		free(t);
		free(a);
	}
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]), "/tmp", SBX_LOAD_NO_RESOLVE)

/* ---- defaults ---- */

static void test_empty_policy_defaults(void **state)
{
	struct sbx_policy *p = ok("{'version': 1}");

	(void)state;
	assert_string_equal(p->name, "t.json");
	assert_string_equal(p->source, "t.json");
	assert_string_equal(p->cwd, "/tmp");
	/* python */
	assert_false(p->python.site);
	assert_int_equal(p->python.path.n, 0);
	assert_int_equal(p->python.n_env, 0);
	/* filesystem: read ["."] is the working directory */
	assert_int_equal(p->fs.read.n, 1);
	assert_string_equal(p->fs.read.v[0], "/tmp");
	assert_int_equal(p->fs.write.n, 0);
	assert_false(p->fs.tmp);
	/* network */
	assert_int_equal(p->net.n_connect, 0);
	assert_int_equal(p->net.n_bind, 0);
	assert_false(p->net.dns);
	assert_true(sbx_policy_no_network(p));
	/* process */
	assert_false(p->process.spawn);
	assert_int_equal(p->process.exec_allow.n, 0);
	assert_false(p->process.signal_others);
	/* native */
	assert_false(p->native.ctypes);
	assert_int_equal(p->native.extensions, SBX_EXT_STDLIB);
	assert_int_equal(p->native.ext_list.n, 0);
	/* imports, code, events */
	assert_int_equal(p->imports.deny.n, 0);
	assert_int_equal(p->code.compile, SBX_ALLOW);
	assert_int_equal(p->code.exec, SBX_ALLOW);
	assert_int_equal(p->code.introspection, SBX_DENY);
	assert_int_equal(p->code.tracing, SBX_DENY);
	assert_int_equal(p->n_events, 0);
	/* limits */
	assert_true(p->limits.cpu_seconds == 10);
	assert_true(p->limits.wall_seconds == 30);
	assert_true(p->limits.memory_mb == 512);
	assert_int_equal(p->limits.tasks, 64);
	assert_int_equal(p->limits.open_files, 256);
	assert_true(p->limits.file_size_mb == 64);
	assert_int_equal(p->on_violation, SBX_DENY);
	assert_int_equal(sbx_policy_deny_action(p), SBX_DENY);
	assert_int_equal(strlen(p->sha256), 64);
	sbx_policy_free(p);
}

static void test_empty_sections_take_defaults(void **state)
{
	struct sbx_policy *p = ok("{'version': 1, 'python': {}, 'filesystem': {}, 'network': {},"
				  " 'process': {}, 'native': {}, 'imports': {}, 'code': {},"
				  " 'events': [], 'limits': {}}");

	(void)state;
	assert_int_equal(p->fs.read.n, 1);
	assert_string_equal(p->fs.read.v[0], "/tmp");
	assert_true(sbx_policy_no_network(p));
	assert_int_equal(p->native.extensions, SBX_EXT_STDLIB);
	assert_int_equal(p->code.introspection, SBX_DENY);
	assert_int_equal(p->limits.open_files, 256);
	sbx_policy_free(p);
}

static void test_name_defaults_to_file_name(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	const char *t = "{\"version\": 1}";

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(t, strlen(t), "dir/sub/mine.json", "/tmp", 0, &p, &err), 0);
	assert_string_equal(p->name, "mine.json");
	assert_string_equal(p->source, "dir/sub/mine.json");
	sbx_policy_free(p);
	assert_int_equal(sbx_policy_load_string(t, strlen(t), NULL, "/tmp", 0, &p, &err), 0);
	assert_string_equal(p->name, "<string>");
	sbx_policy_free(p);
}

static void test_sha256_of_text(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	const char *t = "{\"version\": 1}\n";

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(t, strlen(t), "t.json", "/tmp", 0, &p, &err), 0);
	/* printf '{"version": 1}\n' | sha256sum */
	assert_string_equal(p->sha256,
			    "cedb60dfefb0ead1fa5a3ccb3c68e0ceaf4bb3415df80c79863092f362bd5ab9");
	sbx_policy_free(p);
}

/* ---- every key, set ---- */

static void test_every_key(void **state)
{
	struct sbx_policy *p;
	char json[8192];

	(void)state;
	snprintf(json, sizeof(json),
		 "{'version': 1, 'name': 'grading-v3',"
		 " 'python': {'site': true, 'path': ['a'], 'env': {'LANG': 'C.UTF-8', 'X_1': ''}},"
		 " 'filesystem': {'read': ['.', '/usr'], 'write': ['out', 'a/b'], 'tmp': true},"
		 " 'network': {'connect': ['127.0.0.1:8000', '[::1]:*'], 'bind': ['0.0.0.0:65535'],"
		 "   'dns': true},"
		 " 'process': {'spawn': true, 'exec_allow': ['%s'], 'signal_others': true},"
		 " 'native': {'ctypes': true, 'extensions': ['_ssl', 'numpy.core._multiarray_umath']},"
		 " 'imports': {'deny': ['socket', '_posixsubprocess', 'socket', 'ctypes.util']},"
		 " 'code': {'compile': 'log', 'exec': 'deny', 'introspection': 'allow', 'tracing': 'kill'},"
		 " 'events': [{'event': 'app.plugin.load', 'action': 'deny',"
		 "             'unless_arg': {'index': 0, 'in': ['trusted', 'also']}},"
		 "            {'prefix': 'app.', 'action': 'log'}],"
		 " 'limits': {'cpu_seconds': 2.5, 'wall_seconds': 5, 'memory_mb': 256, 'tasks': 16,"
		 "            'open_files': 64, 'file_size_mb': 8},"
		 " 'on_violation': 'kill'}", tpath("exe"));
	p = ok_at(json, tdir);
	assert_string_equal(p->name, "grading-v3");
	assert_true(p->python.site);
	assert_int_equal(p->python.path.n, 1);
	assert_string_equal(p->python.path.v[0], tpath("a"));
	assert_int_equal(p->python.n_env, 2);
	assert_string_equal(p->python.env[0].key, "LANG");
	assert_string_equal(p->python.env[0].value, "C.UTF-8");
	assert_string_equal(p->python.env[1].key, "X_1");
	assert_string_equal(p->python.env[1].value, "");

	assert_int_equal(p->fs.read.n, 2);
	assert_string_equal(p->fs.read.v[0], tdir);
	assert_string_equal(p->fs.read.v[1], "/usr");
	assert_int_equal(p->fs.write.n, 2);
	assert_string_equal(p->fs.write.v[0], tpath("out"));
	assert_string_equal(p->fs.write.v[1], tpath("a/b"));
	assert_true(p->fs.tmp);

	assert_int_equal(p->net.n_connect, 2);
	assert_string_equal(p->net.connect[0].text, "127.0.0.1:8000");
	assert_string_equal(p->net.connect[0].host, "127.0.0.1");
	assert_false(p->net.connect[0].is_name);
	assert_false(p->net.connect[0].any_port);
	assert_int_equal(p->net.connect[0].port, 8000);
	assert_int_equal(p->net.connect[0].n_addrs, 1);
	assert_int_equal(p->net.connect[0].addrs[0].family, AF_INET);
	assert_memory_equal(p->net.connect[0].addrs[0].addr, "\x7f\0\0\x01", 4);
	assert_string_equal(p->net.connect[1].host, "::1");
	assert_true(p->net.connect[1].any_port);
	assert_int_equal(p->net.connect[1].addrs[0].family, AF_INET6);
	assert_memory_equal(p->net.connect[1].addrs[0].addr,
			    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_int_equal(p->net.n_bind, 1);
	assert_int_equal(p->net.bind[0].port, 65535);
	assert_memory_equal(p->net.bind[0].addrs[0].addr, "\0\0\0\0", 4);
	assert_true(p->net.dns);
	assert_false(sbx_policy_no_network(p));

	assert_true(p->process.spawn);
	assert_int_equal(p->process.exec_allow.n, 1);
	assert_string_equal(p->process.exec_allow.v[0], tpath("exe"));
	assert_true(p->process.signal_others);

	assert_true(p->native.ctypes);
	assert_int_equal(p->native.extensions, SBX_EXT_LIST);
	assert_int_equal(p->native.ext_list.n, 2);
	assert_string_equal(p->native.ext_list.v[1], "numpy.core._multiarray_umath");

	/* sorted and unique, for bsearch */
	assert_int_equal(p->imports.deny.n, 3);
	assert_string_equal(p->imports.deny.v[0], "_posixsubprocess");
	assert_string_equal(p->imports.deny.v[1], "ctypes.util");
	assert_string_equal(p->imports.deny.v[2], "socket");

	assert_int_equal(p->code.compile, SBX_LOG);
	assert_int_equal(p->code.exec, SBX_DENY);
	assert_int_equal(p->code.introspection, SBX_ALLOW);
	assert_int_equal(p->code.tracing, SBX_KILL);

	assert_int_equal(p->n_events, 2);
	assert_string_equal(p->events[0].name, "app.plugin.load");
	assert_null(p->events[0].prefix);
	assert_int_equal(p->events[0].action, SBX_DENY);
	assert_true(p->events[0].has_unless);
	assert_int_equal(p->events[0].unless_index, 0);
	assert_int_equal(p->events[0].n_unless_in, 2);
	assert_string_equal(p->events[0].unless_in[1], "also");
	assert_null(p->events[1].name);
	assert_string_equal(p->events[1].prefix, "app.");
	assert_int_equal(p->events[1].action, SBX_LOG);
	assert_false(p->events[1].has_unless);

	assert_true(p->limits.cpu_seconds == 2.5);
	assert_true(p->limits.wall_seconds == 5);
	assert_true(p->limits.memory_mb == 256);
	assert_int_equal(p->limits.tasks, 16);
	assert_int_equal(p->limits.open_files, 64);
	assert_true(p->limits.file_size_mb == 8);
	assert_int_equal(p->on_violation, SBX_KILL);
	assert_int_equal(sbx_policy_deny_action(p), SBX_KILL);
	sbx_policy_free(p);
}

static void test_extensions_any_and_stdlib(void **state)
{
	struct sbx_policy *p = ok("{'version': 1, 'native': {'extensions': 'any'}}");

	(void)state;
	assert_int_equal(p->native.extensions, SBX_EXT_ANY);
	sbx_policy_free(p);
	p = ok("{'version': 1, 'native': {'extensions': 'stdlib'}}");
	assert_int_equal(p->native.extensions, SBX_EXT_STDLIB);
	sbx_policy_free(p);
	p = ok("{'version': 1, 'native': {'extensions': []}}");
	assert_int_equal(p->native.extensions, SBX_EXT_LIST);
	assert_int_equal(p->native.ext_list.n, 0);
	sbx_policy_free(p);
}

static void test_limits_null_is_unlimited(void **state)
{
	struct sbx_policy *p = ok("{'version': 1, 'limits': {'cpu_seconds': null, 'wall_seconds': null,"
				  " 'memory_mb': null, 'tasks': null, 'open_files': null,"
				  " 'file_size_mb': null}}");

	(void)state;
	assert_true(p->limits.cpu_seconds == -1);
	assert_true(p->limits.wall_seconds == -1);
	assert_true(p->limits.memory_mb == -1);
	assert_int_equal(p->limits.tasks, -1);
	assert_int_equal(p->limits.open_files, -1);
	assert_true(p->limits.file_size_mb == -1);
	sbx_policy_free(p);
	/* The largest values accepted, and a fraction. */
	p = ok("{'version': 1, 'limits': {'cpu_seconds': 31536000, 'wall_seconds': 0.001,"
	       " 'memory_mb': 16777216, 'tasks': 1000000, 'open_files': 1048576,"
	       " 'file_size_mb': 0.5}}");
	assert_true(p->limits.cpu_seconds == 31536000);
	assert_true(p->limits.wall_seconds == 0.001);
	assert_int_equal(p->limits.tasks, 1000000);
	assert_int_equal(p->limits.open_files, 1048576);
	assert_true(p->limits.file_size_mb == 0.5);
	sbx_policy_free(p);
}

static void test_ports_and_literals(void **state)
{
	struct sbx_policy *p = ok("{'version': 1, 'network': {'connect': ['10.0.0.1:1',"
				  " '[2001:db8::1]:443', '[::]:*', '0.0.0.0:*', '1.2.3.4:08080']}}");

	(void)state;
	assert_int_equal(p->net.n_connect, 5);
	assert_int_equal(p->net.connect[0].port, 1);
	assert_int_equal(p->net.connect[1].port, 443);
	assert_int_equal(p->net.connect[1].addrs[0].family, AF_INET6);
	assert_memory_equal(p->net.connect[1].addrs[0].addr,
			    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_true(p->net.connect[2].any_port);
	assert_true(p->net.connect[3].any_port);
	assert_int_equal(p->net.connect[3].addrs[0].family, AF_INET);
	assert_int_equal(p->net.connect[4].port, 8080);
	sbx_policy_free(p);
}

static void test_host_names_resolve(void **state)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
	struct sbx_error err;
	struct sbx_policy *p;
	bool v4 = false, v6 = false;

	(void)state;
	if (getaddrinfo("localhost", NULL, &hints, &res) != 0)
		skip();		/* no resolver at all in this environment */
	freeaddrinfo(res);
	assert_int_equal(load_q("{'version': 1, 'network': {'connect': ['localhost:80']}}",
				"/tmp", 0, &p, &err), 0);
	assert_int_equal(p->net.n_connect, 1);
	assert_true(p->net.connect[0].is_name);
	assert_string_equal(p->net.connect[0].host, "localhost");
	assert_int_equal(p->net.connect[0].port, 80);
	assert_true(p->net.connect[0].n_addrs >= 1);
	for (size_t i = 0; i < p->net.connect[0].n_addrs; i++) {
		const struct sbx_net_addr *a = &p->net.connect[0].addrs[i];
		if (a->family == AF_INET && memcmp(a->addr, "\x7f\0\0\x01", 4) == 0)
			v4 = true;
		if (a->family == AF_INET6 &&
		    memcmp(a->addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0)
			v6 = true;
	}
	assert_true(v4 || v6);
	sbx_policy_free(p);
}

static void test_unresolvable_name(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;
	const char *prefix = "cannot resolve host 'nonexistent.invalid': ";

	(void)state;
	/* RFC 6761: .invalid never resolves; the resolver's text varies. */
	assert_int_equal(load_q("{'version': 1, 'network': {'bind': ['nonexistent.invalid:80']}}",
				"/tmp", 0, &p, &err), -EINVAL);
	assert_int_equal(err.n, 1);
	assert_string_equal(err.d[0].json_path, "$.network.bind[0]");
	assert_int_equal(err.d[0].line, 1);
	assert_int_equal(err.d[0].col, 37);
	assert_memory_equal(err.d[0].msg, prefix, strlen(prefix));
}

/* ---- errors, section by section ---- */

static void test_errors_top_level(void **state)
{
	static const struct ecase cases[] = {
		{ "{}", "{", "$", "missing key \"version\" (this reader knows version 1)" },
		{ "{'name': 'x'}", "{", "$", "missing key \"version\" (this reader knows version 1)" },
		{ "{'version': 2}", "2", "$.version",
		  "unsupported policy version 2 (this reader knows version 1)" },
		{ "{'version': 0}", "0", "$.version",
		  "unsupported policy version 0 (this reader knows version 1)" },
		{ "{'version': -1}", "-1", "$.version",
		  "unsupported policy version -1 (this reader knows version 1)" },
		{ "{'version': '1'}", "'1'", "$.version",
		  "unsupported policy version of type string (this reader knows version 1)" },
		{ "{'version': 1.0}", "1.0", "$.version",
		  "unsupported policy version of type number (this reader knows version 1)" },
		{ "{'version': null}", "null", "$.version",
		  "unsupported policy version of type null (this reader knows version 1)" },
		{ "{'version': [1]}", "[1]", "$.version",
		  "unsupported policy version of type array (this reader knows version 1)" },
		{ "[{'version': 1}]", "[", "$",
		  "expected a policy object {\"version\": 1, ...}, got array" },
		{ "  \n  [1]", "[1]", "$", "expected a policy object {\"version\": 1, ...}, got array" },
		{ "{'version': 1, 'filesytem': {}}", "'filesytem'", "$.filesytem",
		  "unknown key 'filesytem' (did you mean 'filesystem'?)" },
		{ "{'version': 1, 'limts': {}}", "'limts'", "$.limts",
		  "unknown key 'limts' (did you mean 'limits'?)" },
		{ "{'version': 1, 'onviolation': 'kill'}", "'onviolation'", "$.onviolation",
		  "unknown key 'onviolation' (did you mean 'on_violation'?)" },
		{ "{'version': 1, 'Version': 1}", "'Version'", "$.Version",
		  "unknown key 'Version' (did you mean 'version'?)" },
		{ "{'version': 1, 'zzz': 1}", "'zzz'", "$.zzz",
		  "unknown key 'zzz' (expected one of: version, name, python, filesystem, network, "
		  "process, native, imports, code, events, limits, on_violation)" },
		{ "{'version': 1, 'a b': 1}", "'a b'", "$[\"a b\"]",
		  "unknown key 'a b' (expected one of: version, name, python, filesystem, network, "
		  "process, native, imports, code, events, limits, on_violation)" },
		{ "{'version': 1, 'name': ''}", "''", "$.name",
		  "expected a name of 1 to 128 printable characters, got string" },
		{ "{'version': 1, 'name': 5}", "5", "$.name",
		  "expected a name of 1 to 128 printable characters, got integer" },
		{ "{'version': 1, 'name': 'a\\tb'}", "'a", "$.name",
		  "expected a name of 1 to 128 printable characters, got string" },
		{ "{'version': 1, 'name': '0123456789012345678901234567890123456789012345678901234567890123"
		  "456789012345678901234567890123456789012345678901234567890123456789'}", "'0", "$.name",
		  "expected a name of 1 to 128 printable characters, got string" },
		{ "{'version': 1, 'on_violation': 'log'}", "'log'", "$.on_violation",
		  "expected \"deny\" or \"kill\", got 'log'" },
		{ "{'version': 1, 'on_violation': 'Kill'}", "'Kill'", "$.on_violation",
		  "expected \"deny\" or \"kill\", got 'Kill'" },
		{ "{'version': 1, 'on_violation': true}", "true", "$.on_violation",
		  "expected \"deny\" or \"kill\", got boolean" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_sections_not_objects(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'python': 1}", "1}", "$.python", "expected an object, got integer" },
		{ "{'version': 1, 'filesystem': []}", "[]", "$.filesystem", "expected an object, got array" },
		{ "{'version': 1, 'network': 'x'}", "'x'", "$.network", "expected an object, got string" },
		{ "{'version': 1, 'process': null}", "null", "$.process", "expected an object, got null" },
		{ "{'version': 1, 'native': true}", "true", "$.native", "expected an object, got boolean" },
		{ "{'version': 1, 'imports': 1.5}", "1.5", "$.imports", "expected an object, got number" },
		{ "{'version': 1, 'code': 'allow'}", "'allow'", "$.code", "expected an object, got string" },
		{ "{'version': 1, 'events': {}}", "{}", "$.events",
		  "expected an array of rules, got object" },
		{ "{'version': 1, 'limits': [1]}", "[1]", "$.limits", "expected an object, got array" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_python(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'python': {'sites': true}}", "'sites'", "$.python.sites",
		  "unknown key 'sites' (did you mean 'site'?)" },
		{ "{'version': 1, 'python': {'site': 'no'}}", "'no'", "$.python.site",
		  "expected true or false, got string" },
		{ "{'version': 1, 'python': {'site': 0}}", "0", "$.python.site",
		  "expected true or false, got integer" },
		{ "{'version': 1, 'python': {'path': '/usr'}}", "'/usr'", "$.python.path",
		  "expected an array, got string" },
		{ "{'version': 1, 'python': {'path': [1]}}", "1]", "$.python.path[0]",
		  "expected a path string, got integer" },
		{ "{'version': 1, 'python': {'path': ['/usr', '/nonexistent']}}", "'/nonexistent'",
		  "$.python.path[1]", "path does not exist: /nonexistent" },
		{ "{'version': 1, 'python': {'env': []}}", "[]", "$.python.env",
		  "expected an object of strings, got array" },
		{ "{'version': 1, 'python': {'env': {'A': 1}}}", "1}", "$.python.env.A",
		  "expected a string, got integer" },
		{ "{'version': 1, 'python': {'env': {'A': null}}}", "null", "$.python.env.A",
		  "expected a string, got null" },
		{ "{'version': 1, 'python': {'env': {'A=B': 'x'}}}", "'A=B'", "$.python.env[\"A=B\"]",
		  "invalid environment variable name 'A=B'" },
		{ "{'version': 1, 'python': {'env': {'': 'x'}}}", "''", "$.python.env[\"\"]",
		  "invalid environment variable name ''" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_filesystem(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'filesystem': {'writes': []}}", "'writes'", "$.filesystem.writes",
		  "unknown key 'writes' (did you mean 'write'?)" },
		{ "{'version': 1, 'filesystem': {'read': '.'}}", "'.'", "$.filesystem.read",
		  "expected an array, got string" },
		{ "{'version': 1, 'filesystem': {'read': [true]}}", "true", "$.filesystem.read[0]",
		  "expected a path string, got boolean" },
		{ "{'version': 1, 'filesystem': {'write': {}}}", "{}}", "$.filesystem.write",
		  "expected an array, got object" },
		{ "{'version': 1, 'filesystem': {'write': [['/tmp']]}}", "['/tmp']", "$.filesystem.write[0]",
		  "expected a path string, got array" },
		{ "{'version': 1, 'filesystem': {'tmp': 'yes'}}", "'yes'", "$.filesystem.tmp",
		  "expected true or false, got string" },
		{ "{'version': 1, 'filesystem': {'tmp': null}}", "null", "$.filesystem.tmp",
		  "expected true or false, got null" },
		{ "{'version': 1, 'filesystem': {'read': ['/nonexistent']}}", "'/nonexistent'",
		  "$.filesystem.read[0]", "path does not exist: /nonexistent" },
		{ "{'version': 1, 'filesystem': {'read': ['']}}", "''", "$.filesystem.read[0]",
		  "expected a path, got an empty string" },
		{ "{'version': 1, 'filesystem': {'read': ['~/src']}}", "'~", "$.filesystem.read[0]",
		  "'~' is not expanded; write the path out: ~/src" },
		{ "{'version': 1, 'filesystem': {'write': ['/nonexistent/out']}}", "'/non",
		  "$.filesystem.write[0]", "path's parent does not exist: /nonexistent/out" },
		{ "{'version': 1, 'filesystem': {'write': ['/tmp', '/usr/nonexistent/a/b']}}", "'/usr",
		  "$.filesystem.write[1]", "path's parent does not exist: /usr/nonexistent/a/b" },
	};

	(void)state;
	RUN(cases);
}

/* Relative paths and the scratch tree. */
static void test_errors_paths_relative(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'filesystem': {'read': ['nope']}}", "'nope'", "$.filesystem.read[0]",
		  "path does not exist: nope" },
		{ "{'version': 1, 'filesystem': {'read': ['a/b/c']}}", "'a/b/c'", "$.filesystem.read[0]",
		  "path does not exist: a/b/c" },
		{ "{'version': 1, 'filesystem': {'write': ['nope/out']}}", "'nope", "$.filesystem.write[0]",
		  "path's parent does not exist: nope/out" },
		{ "{'version': 1, 'filesystem': {'write': ['nope/..']}}", "'nope", "$.filesystem.write[0]",
		  "path's parent does not exist: nope/.." },
		{ "{'version': 1, 'filesystem': {'write': ['file.txt/x']}}", "'file.txt", "$.filesystem.write[0]",
		  "cannot resolve file.txt/x: Not a directory" },
		{ "{'version': 1, 'python': {'path': ['lib']}}", "'lib'", "$.python.path[0]",
		  "path does not exist: lib" },
		{ "{'version': 1, 'process': {'exec_allow': ['exe']}}", "'exe'", "$.process.exec_allow[0]",
		  "expected an absolute path, got 'exe'" },
		{ "{'version': 1, 'process': {'exec_allow': ['./exe']}}", "'./exe'",
		  "$.process.exec_allow[0]", "expected an absolute path, got './exe'" },
	};

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), tdir, SBX_LOAD_NO_RESOLVE);
}

static void test_errors_path_too_long(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;
	char *json = malloc(PATH_MAX + 100);
	char msg[64];
	size_t n;

	(void)state;
	assert_non_null(json);

	strcpy(json, "{'version': 1, 'filesystem': {'read': ['/");
	n = strlen(json);
	/* memset leaves no terminator: the tail goes at a known offset. */
	memset(json + n, 'a', PATH_MAX);
	strcpy(json + n + PATH_MAX, "']}}");
	assert_int_equal(load_q(json, "/tmp", 0, &p, &err), -EINVAL);
	assert_int_equal(err.n, 1);
	snprintf(msg, sizeof(msg), "path is longer than %d bytes", PATH_MAX - 1);
	check_diag(&err.d[0], "t.json", 1, 40, "$.filesystem.read[0]", msg, "long path");
	free(json);
}

static void test_errors_network(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'network': {'conect': []}}", "'conect'", "$.network.conect",
		  "unknown key 'conect' (did you mean 'connect'?)" },
		{ "{'version': 1, 'network': {'connect': '1.2.3.4:80'}}", "'1.2", "$.network.connect",
		  "expected an array of \"host:port\" strings, got string" },
		{ "{'version': 1, 'network': {'bind': [80]}}", "80", "$.network.bind[0]",
		  "expected a \"host:port\" string, got integer" },
		{ "{'version': 1, 'network': {'dns': 'no'}}", "'no'", "$.network.dns",
		  "expected true or false, got string" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4']}}", "'1.2", "$.network.connect[0]",
		  "expected \"host:port\", got '1.2.3.4' (use \"*\" for any port)" },
		{ "{'version': 1, 'network': {'connect': [':80']}}", "':80'", "$.network.connect[0]",
		  "expected \"host:port\", got ':80'" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4:0']}}", "'1.2", "$.network.connect[0]",
		  "expected a port from 1 to 65535 or \"*\", got '0'" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4:65536']}}", "'1.2", "$.network.connect[0]",
		  "expected a port from 1 to 65535 or \"*\", got '65536'" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4:']}}", "'1.2", "$.network.connect[0]",
		  "expected a port from 1 to 65535 or \"*\", got ''" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4:-1']}}", "'1.2", "$.network.connect[0]",
		  "expected a port from 1 to 65535 or \"*\", got '-1'" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4:http']}}", "'1.2", "$.network.connect[0]",
		  "expected a port from 1 to 65535 or \"*\", got 'http'" },
		{ "{'version': 1, 'network': {'connect': ['1.2.3.4:**']}}", "'1.2", "$.network.connect[0]",
		  "expected a port from 1 to 65535 or \"*\", got '**'" },
		{ "{'version': 1, 'network': {'bind': ['[::1]:100000']}}", "'[", "$.network.bind[0]",
		  "expected a port from 1 to 65535 or \"*\", got '100000'" },
		{ "{'version': 1, 'network': {'connect': ['::1:80']}}", "'::1", "$.network.connect[0]",
		  "an IPv6 address must be in brackets: \"[::1]:port\"" },
		{ "{'version': 1, 'network': {'connect': ['fe80::1:*']}}", "'fe80", "$.network.connect[0]",
		  "an IPv6 address must be in brackets: \"[fe80::1]:port\"" },
		{ "{'version': 1, 'network': {'connect': ['[::1]80']}}", "'[", "$.network.connect[0]",
		  "expected \"[IPv6]:port\", got '[::1]80'" },
		{ "{'version': 1, 'network': {'connect': ['[::1']}}", "'[", "$.network.connect[0]",
		  "expected \"[IPv6]:port\", got '[::1'" },
		{ "{'version': 1, 'network': {'connect': ['[]:80']}}", "'[", "$.network.connect[0]",
		  "expected an IPv6 address in brackets, got '[]:80'" },
		{ "{'version': 1, 'network': {'connect': ['[1.2.3.4]:80']}}", "'[", "$.network.connect[0]",
		  "not an IPv6 address: '1.2.3.4'" },
		{ "{'version': 1, 'network': {'connect': ['*:80']}}", "'*", "$.network.connect[0]",
		  "'*' is not a host; use 0.0.0.0 or [::] for every address" },
		{ "{'version': 1, 'network': {'connect': ['a b:80']}}", "'a b", "$.network.connect[0]",
		  "not an IPv4 address or host name: 'a b'" },
		{ "{'version': 1, 'network': {'connect': ['host/x:80']}}", "'host", "$.network.connect[0]",
		  "not an IPv4 address or host name: 'host/x'" },
		/* names are an error with SBX_LOAD_NO_RESOLVE */
		{ "{'version': 1, 'network': {'connect': ['localhost:80']}}", "'local",
		  "$.network.connect[0]", "host names are not resolved here: 'localhost'" },
		{ "{'version': 1, 'network': {'bind': ['example.invalid:*']}}", "'ex",
		  "$.network.bind[0]", "host names are not resolved here: 'example.invalid'" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_process(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'process': {'fork': true}}", "'fork'", "$.process.fork",
		  "unknown key 'fork' (expected one of: spawn, exec_allow, signal_others)" },
		{ "{'version': 1, 'process': {'spawn': 1}}", "1}", "$.process.spawn",
		  "expected true or false, got integer" },
		{ "{'version': 1, 'process': {'signal_others': 'yes'}}", "'yes'", "$.process.signal_others",
		  "expected true or false, got string" },
		{ "{'version': 1, 'process': {'exec_allow': '/bin/sh'}}", "'/bin", "$.process.exec_allow",
		  "expected an array, got string" },
		{ "{'version': 1, 'process': {'exec_allow': [1]}}", "1]", "$.process.exec_allow[0]",
		  "expected an absolute path string, got integer" },
		{ "{'version': 1, 'process': {'exec_allow': ['python3']}}", "'python3'",
		  "$.process.exec_allow[0]", "expected an absolute path, got 'python3'" },
		{ "{'version': 1, 'process': {'exec_allow': ['/nonexistent/python3']}}", "'/non",
		  "$.process.exec_allow[0]", "path does not exist: /nonexistent/python3" },
		{ "{'version': 1, 'process': {'exec_allow': ['/usr/bin']}}", "'/usr",
		  "$.process.exec_allow[0]", "not a regular file: /usr/bin" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_native_imports(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'native': {'ctype': true}}", "'ctype'", "$.native.ctype",
		  "unknown key 'ctype' (did you mean 'ctypes'?)" },
		{ "{'version': 1, 'native': {'ctypes': 'no'}}", "'no'", "$.native.ctypes",
		  "expected true or false, got string" },
		{ "{'version': 1, 'native': {'extensions': 'some'}}", "'some'", "$.native.extensions",
		  "expected \"stdlib\", \"any\" or an array of module names, got 'some'" },
		{ "{'version': 1, 'native': {'extensions': 3}}", "3}", "$.native.extensions",
		  "expected \"stdlib\", \"any\" or an array of module names, got integer" },
		{ "{'version': 1, 'native': {'extensions': ['x-y']}}", "'x-y'", "$.native.extensions[0]",
		  "expected a module name (dotted identifiers), got 'x-y'" },
		{ "{'version': 1, 'native': {'extensions': ['_ssl', null]}}", "null",
		  "$.native.extensions[1]", "expected a module name, got null" },
		{ "{'version': 1, 'imports': {'allow': []}}", "'allow'", "$.imports.allow",
		  "unknown key 'allow' (expected one of: deny)" },
		{ "{'version': 1, 'imports': {'denied': []}}", "'denied'", "$.imports.denied",
		  "unknown key 'denied' (expected one of: deny)" },
		{ "{'version': 1, 'imports': {'dney': []}}", "'dney'", "$.imports.dney",
		  "unknown key 'dney' (did you mean 'deny'?)" },
		{ "{'version': 1, 'imports': {'deny': 'socket'}}", "'socket'", "$.imports.deny",
		  "expected an array, got string" },
		{ "{'version': 1, 'imports': {'deny': [1]}}", "1]", "$.imports.deny[0]",
		  "expected a module name, got integer" },
		{ "{'version': 1, 'imports': {'deny': ['1abc']}}", "'1abc'", "$.imports.deny[0]",
		  "expected a module name (dotted identifiers), got '1abc'" },
		{ "{'version': 1, 'imports': {'deny': ['a..b']}}", "'a..b'", "$.imports.deny[0]",
		  "expected a module name (dotted identifiers), got 'a..b'" },
		{ "{'version': 1, 'imports': {'deny': ['.a']}}", "'.a'", "$.imports.deny[0]",
		  "expected a module name (dotted identifiers), got '.a'" },
		{ "{'version': 1, 'imports': {'deny': ['a.']}}", "'a.'", "$.imports.deny[0]",
		  "expected a module name (dotted identifiers), got 'a.'" },
		{ "{'version': 1, 'imports': {'deny': ['']}}", "''", "$.imports.deny[0]",
		  "expected a module name (dotted identifiers), got ''" },
		{ "{'version': 1, 'imports': {'deny': ['os']}}", "'os'", "$.imports.deny[0]",
		  "cannot deny 'os': the interpreter needs it to start" },
		{ "{'version': 1, 'imports': {'deny': ['socket', 'sys']}}", "'sys'", "$.imports.deny[1]",
		  "cannot deny 'sys': the interpreter needs it to start" },
		{ "{'version': 1, 'imports': {'deny': ['encodings.idna']}}", "'enc", "$.imports.deny[0]",
		  "cannot deny 'encodings.idna': the interpreter needs it to start" },
		{ "{'version': 1, 'imports': {'deny': ['_io']}}", "'_io'", "$.imports.deny[0]",
		  "cannot deny '_io': the interpreter needs it to start" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_code(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'code': {'eval': 'deny'}}", "'eval'", "$.code.eval",
		  "unknown key 'eval' (expected one of: compile, exec, introspection, tracing)" },
		{ "{'version': 1, 'code': {'exe': 'deny'}}", "'exe'", "$.code.exe",
		  "unknown key 'exe' (did you mean 'exec'?)" },
		{ "{'version': 1, 'code': {'compile': 'nope'}}", "'nope'", "$.code.compile",
		  "expected one of \"allow\", \"log\", \"deny\", \"kill\", got 'nope'" },
		{ "{'version': 1, 'code': {'exec': 1}}", "1}", "$.code.exec",
		  "expected one of \"allow\", \"log\", \"deny\", \"kill\", got integer" },
		{ "{'version': 1, 'code': {'introspection': null}}", "null", "$.code.introspection",
		  "expected one of \"allow\", \"log\", \"deny\", \"kill\", got null" },
		{ "{'version': 1, 'code': {'tracing': 'Deny'}}", "'Deny'", "$.code.tracing",
		  "expected one of \"allow\", \"log\", \"deny\", \"kill\", got 'Deny'" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_events(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'events': [5]}", "5", "$.events[0]", "expected an object, got integer" },
		{ "{'version': 1, 'events': [{'action': 'deny'}]}", "{'action", "$.events[0]",
		  "a rule needs exactly one of \"event\" and \"prefix\"" },
		{ "{'version': 1, 'events': [{'prefix': 'a', 'action': 'log'},\n"
		  "  {'event': 'a', 'prefix': 'b', 'action': 'deny'}]}", "{'event", "$.events[1]",
		  "a rule needs exactly one of \"event\" and \"prefix\"" },
		{ "{'version': 1, 'events': [{'event': 'a'}]}", "{'event", "$.events[0]",
		  "missing key \"action\" (one of \"allow\", \"log\", \"deny\", \"kill\")" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'nope'}]}", "'nope'",
		  "$.events[0].action", "expected one of \"allow\", \"log\", \"deny\", \"kill\", got 'nope'" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 2}]}", "2}",
		  "$.events[0].action", "expected one of \"allow\", \"log\", \"deny\", \"kill\", got integer" },
		{ "{'version': 1, 'events': [{'event': 'a', 'actoin': 'log', 'action': 'log'}]}", "'actoin'",
		  "$.events[0].actoin", "unknown key 'actoin' (did you mean 'action'?)" },
		{ "{'version': 1, 'events': [{'event': '', 'action': 'log'}]}", "''", "$.events[0].event",
		  "expected an event name of 1 to 119 printable characters" },
		{ "{'version': 1, 'events': [{'prefix': 'a\\u0001', 'action': 'log'}]}", "'a\\", "$.events[0].prefix",
		  "expected an event name of 1 to 119 printable characters" },
		{ "{'version': 1, 'events': [{'event': 3, 'action': 'log'}]}", "3,", "$.events[0].event",
		  "expected an event name string, got integer" },
		{ "{'version': 1, 'events': [{'prefix': ['a'], 'action': 'log'}]}", "['a']",
		  "$.events[0].prefix", "expected an event name string, got array" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log', 'unless_arg': []}]}", "[]",
		  "$.events[0].unless_arg", "expected an object {\"index\": N, \"in\": [strings]}, got array" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log', 'unless_arg': {'index': 0}}]}",
		  "{'index", "$.events[0].unless_arg", "missing key \"in\"" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log', 'unless_arg': {'in': []}}]}",
		  "{'in", "$.events[0].unless_arg", "missing key \"index\"" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': -1, 'in': []}}]}", "-1", "$.events[0].unless_arg.index",
		  "expected an integer from 0 to 63, got -1" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': 64, 'in': []}}]}", "64", "$.events[0].unless_arg.index",
		  "expected an integer from 0 to 63, got 64" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': '0', 'in': []}}]}", "'0'", "$.events[0].unless_arg.index",
		  "expected an integer from 0 to 63, got string" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': 0.5, 'in': []}}]}", "0.5", "$.events[0].unless_arg.index",
		  "expected an integer from 0 to 63, got number" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': 0, 'in': 'x'}}]}", "'x'", "$.events[0].unless_arg.in",
		  "expected an array of strings, got string" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': 0, 'in': ['x', 1]}}]}", "1]", "$.events[0].unless_arg.in[1]",
		  "expected a string, got integer" },
		{ "{'version': 1, 'events': [{'event': 'a', 'action': 'log',"
		  " 'unless_arg': {'index': 0, 'in': [], 'arg': 1}}]}", "'arg'", "$.events[0].unless_arg.arg",
		  "unknown key 'arg' (expected one of: index, in)" },
	};

	(void)state;
	RUN(cases);
}

static void test_errors_too_many_events(void **state)
{
	char *json = malloc(300 * 40 + 64);
	struct sbx_error err;
	struct sbx_policy *p;

	(void)state;
	assert_non_null(json);
	strcpy(json, "{'version': 1, 'events': [");
	for (int i = 0; i < 257; i++)
		strcat(json, i ? ", {'prefix': 'a', 'action': 'log'}" : "{'prefix': 'a', 'action': 'log'}");
	strcat(json, "]}");
	assert_int_equal(load_q(json, "/tmp", 0, &p, &err), -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], "t.json", 1, 26, "$.events", "at most 256 event rules, got 257", "257 rules");
	/* 256 is fine */
	strcpy(strstr(json, ", {'prefix': 'a', 'action': 'log'}]}"), "]}");
	p = ok(json);
	assert_int_equal(p->n_events, 256);
	sbx_policy_free(p);
	free(json);
}

static void test_errors_limits(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'limits': {'cpu': 1}}", "'cpu'", "$.limits.cpu",
		  "unknown key 'cpu' (expected one of: cpu_seconds, wall_seconds, memory_mb, tasks, "
		  "open_files, file_size_mb, stack_mb, extra_seconds)" },
		{ "{'version': 1, 'limits': {'memory': 1}}", "'memory'", "$.limits.memory",
		  "unknown key 'memory' (expected one of: cpu_seconds, wall_seconds, memory_mb, tasks, "
		  "open_files, file_size_mb, stack_mb, extra_seconds)" },
		{ "{'version': 1, 'limits': {'task': 1}}", "'task'", "$.limits.task",
		  "unknown key 'task' (did you mean 'tasks'?)" },
		{ "{'version': 1, 'limits': {'cpu_seconds': 0}}", "0}", "$.limits.cpu_seconds",
		  "expected a value greater than 0 and at most 31536000, got 0" },
		{ "{'version': 1, 'limits': {'wall_seconds': -1}}", "-1", "$.limits.wall_seconds",
		  "expected a value greater than 0 and at most 31536000, got -1" },
		{ "{'version': 1, 'limits': {'wall_seconds': 31536001}}", "315", "$.limits.wall_seconds",
		  "expected a value greater than 0 and at most 31536000, got 31536001" },
		{ "{'version': 1, 'limits': {'memory_mb': 'a'}}", "'a'", "$.limits.memory_mb",
		  "expected a positive number or null, got string" },
		{ "{'version': 1, 'limits': {'memory_mb': 0.0}}", "0.0", "$.limits.memory_mb",
		  "expected a value greater than 0 and at most 16777216, got 0" },
		{ "{'version': 1, 'limits': {'memory_mb': -0.5}}", "-0.5", "$.limits.memory_mb",
		  "expected a value greater than 0 and at most 16777216, got -0.5" },
		{ "{'version': 1, 'limits': {'file_size_mb': 1e300}}", "1e300", "$.limits.file_size_mb",
		  "expected a value greater than 0 and at most 16777216, got 1e+300" },
		{ "{'version': 1, 'limits': {'file_size_mb': {}}}", "{}}", "$.limits.file_size_mb",
		  "expected a positive number or null, got object" },
		{ "{'version': 1, 'limits': {'cpu_seconds': true}}", "true", "$.limits.cpu_seconds",
		  "expected a positive number or null, got boolean" },
		{ "{'version': 1, 'limits': {'tasks': 1.5}}", "1.5", "$.limits.tasks",
		  "expected a positive integer or null, got number" },
		{ "{'version': 1, 'limits': {'tasks': 1e3}}", "1e3", "$.limits.tasks",
		  "expected a positive integer or null, got number" },
		{ "{'version': 1, 'limits': {'tasks': '16'}}", "'16'", "$.limits.tasks",
		  "expected a positive integer or null, got string" },
		{ "{'version': 1, 'limits': {'tasks': 0}}", "0}", "$.limits.tasks",
		  "expected a value greater than 0 and at most 1000000, got 0" },
		{ "{'version': 1, 'limits': {'tasks': -5}}", "-5", "$.limits.tasks",
		  "expected a value greater than 0 and at most 1000000, got -5" },
		{ "{'version': 1, 'limits': {'open_files': 2000000}}", "2000000", "$.limits.open_files",
		  "expected a value greater than 0 and at most 1048576, got 2000000" },
		{ "{'version': 1, 'limits': {'open_files': 64.0}}", "64.0", "$.limits.open_files",
		  "expected a positive integer or null, got number" },
	};

	(void)state;
	RUN(cases);
}

/* jansson's own messages and positions: syntax errors, duplicate keys. */
static void test_errors_syntax(void **state)
{
	static const struct {
		const char *json;
		int line, col;
		const char *msg;
	} cases[] = {
		{ "", 1, 1, "invalid JSON: '[' or '{' expected near end of file" },
		{ "  \n ", 2, 1, "invalid JSON: '[' or '{' expected near end of file" },
		{ "'version'", 1, 9, "invalid JSON: '[' or '{' expected near '\"version\"'" },
		{ "{'version': 1,}", 1, 15, "invalid JSON: string or '}' expected near '}'" },
		{ "{'version' 1}", 1, 12, "invalid JSON: ':' expected near '1'" },
		{ "{'version': 1", 1, 13, "invalid JSON: '}' expected near end of file" },
		{ "{'version': 1} x", 1, 16, "invalid JSON: end of file expected near 'x'" },
		{ "{version: 1}", 1, 8, "invalid JSON: string or '}' expected near 'version'" },
		{ "{'version': 1, 'name': 'abc}", 1, 28, "invalid JSON: premature end of input near '\"abc}'" },
		{ "{'version': 1 /* c */}", 1, 15, "invalid JSON: '}' expected near '/'" },
		{ "{'version': 01}", 1, 13, "invalid JSON: invalid token near '0'" },
		{ "{'version': True}", 1, 16, "invalid JSON: invalid token near 'True'" },
		{ "{'version': 1, 'name': 'a\\x'}", 1, 27, "invalid JSON: invalid escape near '\"a\\x'" },
		{ "{'version': 1, 'limits': {'tasks': 1e400}}", 1, 40,
		  "invalid JSON: real number overflow near '1e400'" },
		{ "{'version': 1, 'limits': {'tasks': 99999999999999999999}}", 1, 55,
		  "invalid JSON: too big integer near '99999999999999999999'" },
		{ "{'version': 1, 'version': 1}", 1, 24,
		  "invalid JSON: duplicate object key near '\"version\"'" },
		{ "{'version': 1,\n  'limits': {\n    'tasks': 1,\n    'tasks': 2\n  }\n}", 4, 11,
		  "invalid JSON: duplicate object key near '\"tasks\"'" },
		{ "{'version': 1,\n 'name': 'x'\n 'limits': {}}", 3, 9,
		  "invalid JSON: '}' expected near '\"limits\"'" },
		/* columns count characters, not bytes */
		{ "{'name': '\xc3\xa9\xc3\xa9', 'version': 1,,}", 1, 29,
		  "invalid JSON: string or '}' expected near ','" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbx_error err;
		struct sbx_policy *p;
		char *t = q(cases[i].json);

		assert_int_equal(load_q(cases[i].json, "/tmp", 0, &p, &err), -EINVAL);
		assert_int_equal(err.n, 1);
		check_diag(&err.d[0], "t.json", cases[i].line, cases[i].col, "", cases[i].msg, t);
		free(t);
	}
}

static void test_errors_bytes(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	static const char nul[] = "{\"version\": 1}\0junk";
	static const char bad_utf8[] = "{\"version\": 1, \"name\": \"\xff\"}";

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(nul, sizeof(nul) - 1, "t.json", "/tmp", 0, &p, &err),
			 -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], "t.json", 0, 0, "", "policy contains a NUL byte", "NUL");
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string(bad_utf8, strlen(bad_utf8), "t.json", "/tmp", 0,
						&p, &err), -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], "t.json", 1, 24, "", "invalid JSON: unable to decode byte 0xff near '\"'",
		   "bad UTF-8");
	assert_null(p);
}

/* Every error of a file is reported, in document order of the checks. */
static void test_several_errors_all_reported(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;
	const char *json =
		"{\n"
		"  'version': 2,\n"
		"  'nmae': 'x',\n"
		"  'filesystem': { 'read': ['/nonexistent'], 'tmp': 1 },\n"
		"  'network': { 'connect': ['::1:80', '10.0.0.1:0'] },\n"
		"  'imports': { 'deny': ['os'] },\n"
		"  'events': [ { 'event': 'x', 'prefix': 'y' } ],\n"
		"  'limits': { 'cpu_seconds': 0, 'tasks': 2.5 },\n"
		"  'on_violation': 'log'\n"
		"}\n";

	(void)state;
	assert_int_equal(load_q(json, "/tmp", SBX_LOAD_NO_RESOLVE, &p, &err), -EINVAL);
	assert_null(p);
	assert_int_equal(err.n, 12);
	assert_int_equal(err.dropped, 0);
	check_diag(&err.d[0], "t.json", 2, 14, "$.version",
		   "unsupported policy version 2 (this reader knows version 1)", "0");
	check_diag(&err.d[1], "t.json", 3, 3, "$.nmae", "unknown key 'nmae' (did you mean 'name'?)", "1");
	check_diag(&err.d[2], "t.json", 4, 28, "$.filesystem.read[0]",
		   "path does not exist: /nonexistent", "2");
	check_diag(&err.d[3], "t.json", 4, 52, "$.filesystem.tmp", "expected true or false, got integer", "3");
	check_diag(&err.d[4], "t.json", 5, 28, "$.network.connect[0]",
		   "an IPv6 address must be in brackets: \"[::1]:port\"", "4");
	check_diag(&err.d[5], "t.json", 5, 38, "$.network.connect[1]",
		   "expected a port from 1 to 65535 or \"*\", got '0'", "5");
	check_diag(&err.d[6], "t.json", 6, 25, "$.imports.deny[0]",
		   "cannot deny 'os': the interpreter needs it to start", "6");
	check_diag(&err.d[7], "t.json", 7, 15, "$.events[0]",
		   "a rule needs exactly one of \"event\" and \"prefix\"", "7");
	check_diag(&err.d[8], "t.json", 7, 15, "$.events[0]",
		   "missing key \"action\" (one of \"allow\", \"log\", \"deny\", \"kill\")", "8");
	check_diag(&err.d[9], "t.json", 8, 30, "$.limits.cpu_seconds",
		   "expected a value greater than 0 and at most 31536000, got 0", "9");
	check_diag(&err.d[10], "t.json", 8, 42, "$.limits.tasks",
		   "expected a positive integer or null, got number", "10");
	check_diag(&err.d[11], "t.json", 9, 19, "$.on_violation",
		   "expected \"deny\" or \"kill\", got 'log'", "11");
}

static void test_errors_beyond_max_are_counted(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;
	char json[2048] = "{'version': 1";
	char *buf = NULL, line[512];
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int i = 0; i < SBX_ERR_MAX + 4; i++)
		snprintf(json + strlen(json), sizeof(json) - strlen(json), ", 'k%02d': 1", i);
	strcat(json, "}");
	assert_int_equal(load_q(json, "/tmp", 0, &p, &err), -EINVAL);
	assert_int_equal(err.n, SBX_ERR_MAX);
	assert_int_equal(err.dropped, 4);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	sbx_error_print(&err, f, "> ");
	fclose(f);
	assert_non_null(strstr(buf, "> t.json:1:16: $.k00: unknown key 'k00' (expected one of: "));
	assert_non_null(strstr(buf, "\n> (4 more errors not shown)\n"));
	sbx_error_format(&err, SBX_ERR_MAX - 1, line, sizeof(line));
	assert_memory_equal(line, "t.json:1:", 9);
	assert_non_null(strstr(line, "$.k15: unknown key 'k15'"));
	free(buf);
}

/* Regression: each diagnostic used to scan the text for its position, so
 * a large file full of mistakes took hours; past SBX_ERR_MAX they are only
 * counted now. */
static void test_many_errors_are_fast(void **state)
{
	const int n = 200000;
	struct sbx_error err;
	struct sbx_policy *p;
	struct timespec t0, t1;
	char *json = malloc((size_t)n * 2 + 64), *o;

	(void)state;
	assert_non_null(json);
	o = json + sprintf(json, "{'version': 1, 'imports': {'deny': [1");
	for (int i = 1; i < n; i++)
		o = stpcpy(o, ",1");
	strcpy(o, "]}}");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(load_q(json, "/tmp", 0, &p, &err), -EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(err.n, SBX_ERR_MAX);
	assert_int_equal(err.dropped, n - SBX_ERR_MAX);
	check_diag(&err.d[15], "t.json", 1, 67, "$.imports.deny[15]",
		   "expected a module name, got integer", "16th");
	/* hours before; well under a second now, even under ASan */
	assert_true(t1.tv_sec - t0.tv_sec < 20);
	free(json);
}

static void test_error_format(void **state)
{
	struct sbx_error err;
	char buf[128];

	(void)state;
	sbx_error_clear(&err);
	sbx_diag_add(&err, "p.json", 3, 7, "$.a", "bad %d", 1);
	sbx_diag_add(&err, "--set x=1", 0, 0, "$.x", "no line");
	sbx_diag_add(&err, "p.json", 0, 0, NULL, "no path");
	sbx_diag_add(&err, NULL, 0, 0, NULL, "bare");
	sbx_error_format(&err, 0, buf, sizeof(buf));
	assert_string_equal(buf, "p.json:3:7: $.a: bad 1");
	sbx_error_format(&err, 1, buf, sizeof(buf));
	assert_string_equal(buf, "--set x=1: $.x: no line");
	sbx_error_format(&err, 2, buf, sizeof(buf));
	assert_string_equal(buf, "p.json: no path");
	sbx_error_format(&err, 3, buf, sizeof(buf));
	assert_string_equal(buf, "bare");
	sbx_error_format(&err, 4, buf, sizeof(buf));
	assert_string_equal(buf, "");
	sbx_error_format(&err, -1, buf, sizeof(buf));
	assert_string_equal(buf, "");
	sbx_error_format(&err, 0, buf, 8);	/* truncates, terminated */
	assert_string_equal(buf, "p.json:");
	sbx_error_format(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* ---- paths ---- */

static void test_path_normalisation(void **state)
{
	struct sbx_policy *p;
	char json[4096];

	(void)state;
	snprintf(json, sizeof(json),
		 "{'version': 1, 'filesystem': {"
		 " 'read': ['.', './', 'a/', 'a//b/', 'a/../a/b', 'link/b', 'link', '%s/./a/b/../', '/usr/',"
		 "          '/', '//usr//bin/', 'a/b/..', '../%s/a'],"
		 " 'write': ['new', './new/', 'link/new', 'a/b/', '/', 'a/../x', 'link', 'file.txt',"
		 "           'a/b/new']},"
		 " 'python': {'path': ['link/b/']},"
		 " 'process': {'exec_allow': ['%s', '%s/./exe']}}",
		 tdir, strrchr(tdir, '/') + 1, tpath("exelink"), tdir);
	p = ok_at(json, tdir);
	assert_int_equal(p->fs.read.n, 13);
	assert_string_equal(p->fs.read.v[0], tdir);
	assert_string_equal(p->fs.read.v[1], tdir);
	assert_string_equal(p->fs.read.v[2], tpath("a"));
	assert_string_equal(p->fs.read.v[3], tpath("a/b"));
	assert_string_equal(p->fs.read.v[4], tpath("a/b"));
	assert_string_equal(p->fs.read.v[5], tpath("a/b"));	/* symlink resolved */
	assert_string_equal(p->fs.read.v[6], tpath("a"));
	assert_string_equal(p->fs.read.v[7], tpath("a"));
	assert_string_equal(p->fs.read.v[8], "/usr");
	assert_string_equal(p->fs.read.v[9], "/");
	assert_string_equal(p->fs.read.v[10], "/usr/bin");
	assert_string_equal(p->fs.read.v[11], tpath("a"));
	assert_string_equal(p->fs.read.v[12], tpath("a"));
	assert_int_equal(p->fs.write.n, 9);
	assert_string_equal(p->fs.write.v[0], tpath("new"));
	assert_string_equal(p->fs.write.v[1], tpath("new"));
	assert_string_equal(p->fs.write.v[2], tpath("a/new"));	/* parent resolved */
	assert_string_equal(p->fs.write.v[3], tpath("a/b"));
	assert_string_equal(p->fs.write.v[4], "/");
	assert_string_equal(p->fs.write.v[5], tpath("x"));
	assert_string_equal(p->fs.write.v[6], tpath("a"));
	assert_string_equal(p->fs.write.v[7], tpath("file.txt"));
	assert_string_equal(p->fs.write.v[8], tpath("a/b/new"));
	assert_string_equal(p->python.path.v[0], tpath("a/b"));
	assert_int_equal(p->process.exec_allow.n, 2);
	assert_string_equal(p->process.exec_allow.v[0], tpath("exe"));
	assert_string_equal(p->process.exec_allow.v[1], tpath("exe"));
	sbx_policy_free(p);
}

static void test_paths_relative_to_cwd_argument(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;
	char cwd[PATH_MAX], *here;

	(void)state;
	/* cwd "T/a": ".." is T, "b" is T/a/b, the default read is T/a */
	p = ok_at("{'version': 1, 'filesystem': {'read': ['..', 'b']}}", tpath("a"));
	assert_string_equal(p->cwd, tpath("a"));
	assert_string_equal(p->fs.read.v[0], tdir);
	assert_string_equal(p->fs.read.v[1], tpath("a/b"));
	sbx_policy_free(p);
	p = ok_at("{'version': 1}", tpath("link/b/"));
	assert_string_equal(p->cwd, tpath("a/b"));
	assert_string_equal(p->fs.read.v[0], tpath("a/b"));
	sbx_policy_free(p);
	/* NULL: the process's current directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tpath("a")), 0);
	assert_int_equal(load_q("{'version': 1, 'filesystem': {'write': ['out']}}", NULL, 0, &p, &err), 0);
	assert_int_equal(chdir(cwd), 0);
	here = tpath("a");
	assert_string_equal(p->cwd, here);
	assert_string_equal(p->fs.read.v[0], here);
	assert_string_equal(p->fs.write.v[0], tpath("a/out"));
	sbx_policy_free(p);
	/* a working directory that does not exist */
	assert_int_equal(load_q("{'version': 1}", "/nonexistent/dir", 0, &p, &err), -ENOENT);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], "/nonexistent/dir", 0, 0, "",
		   "cannot use as the working directory: No such file or directory", "bad cwd");
}

/* ---- builtins, emitting, explaining ---- */

static void test_every_builtin_loads(void **state)
{
	(void)state;
	for (const char *const *n = sbx_builtin_names; *n; n++) {
		struct sbx_error err;
		struct sbx_policy *p = NULL;
		char spec[64], *buf = NULL;
		size_t len = 0;
		FILE *f;

		sbx_error_clear(&err);
		assert_non_null(sbx_builtin_text(*n));
		snprintf(spec, sizeof(spec), "builtin:%s", *n);
		assert_ptr_equal(sbx_builtin_text(spec), sbx_builtin_text(*n));
		if (sbx_policy_load_builtin(*n, tdir, 0, &p, &err) < 0) {
			sbx_error_print(&err, stderr, "");
			fail_msg("builtin %s does not load", *n);
		}
		assert_int_equal(err.n, 0);
		assert_string_equal(sbx_policy_name(p), *n);
		assert_string_equal(p->source, spec);
		f = open_memstream(&buf, &len);
		assert_int_equal(sbx_policy_explain(p, f), 0);
		fclose(f);
		assert_true(strncmp(buf, "policy ", 7) == 0);
		assert_non_null(strstr(buf, "\nlimits\n"));
		free(buf);
		sbx_policy_free(p);
		/* the same through the other entry points */
		assert_int_equal(sbx_policy_load_builtin(spec, tdir, 0, &p, &err), 0);
		sbx_policy_free(p);
		assert_int_equal(sbx_policy_load(spec, tdir, 0, &p, &err), 0);
		sbx_policy_free(p);
	}
}

static void test_builtin_contents(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_builtin("default", tdir, 0, &p, &err), 0);
	assert_int_equal(p->fs.read.n, 1);
	assert_string_equal(p->fs.read.v[0], tdir);
	assert_true(sbx_policy_no_network(p));
	assert_int_equal(p->on_violation, SBX_DENY);
	sbx_policy_free(p);

	assert_int_equal(sbx_policy_load_builtin("strict", tdir, 0, &p, &err), 0);
	assert_int_equal(p->code.compile, SBX_LOG);
	assert_int_equal(p->code.exec, SBX_LOG);
	assert_int_equal(p->on_violation, SBX_KILL);
	sbx_policy_free(p);

	assert_int_equal(sbx_policy_load_builtin("grading", tdir, 0, &p, &err), 0);
	assert_true(p->fs.tmp);
	assert_string_equal(p->fs.read.v[0], tdir);
	assert_true(p->limits.cpu_seconds == 2);
	assert_true(p->limits.memory_mb == 256);
	assert_int_equal(p->on_violation, SBX_KILL);
	sbx_policy_free(p);

	assert_int_equal(sbx_policy_load_builtin("plugin", tdir, 0, &p, &err), 0);
	assert_int_equal(p->fs.write.n, 1);
	assert_string_equal(p->fs.write.v[0], tpath("data"));
	assert_int_equal(p->n_events, 1);
	assert_string_equal(p->events[0].prefix, "app.");
	assert_int_equal(p->events[0].action, SBX_LOG);
	sbx_policy_free(p);

	assert_null(sbx_builtin_text("nope"));
	assert_int_equal(sbx_policy_load("builtin:nope", tdir, 0, &p, &err), -ENOENT);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], "builtin:nope", 0, 0, "",
		   "no such builtin policy (there are: default, strict, grading, plugin)", "nope");
}

static bool strv_equal(const struct sbx_strv *a, const struct sbx_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

static bool net_equal(const struct sbx_net_rule *a, const struct sbx_net_rule *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].text, b[i].text) || strcmp(a[i].host, b[i].host) ||
		    a[i].is_name != b[i].is_name || a[i].any_port != b[i].any_port ||
		    a[i].port != b[i].port || a[i].n_addrs != b[i].n_addrs ||
		    memcmp(a[i].addrs, b[i].addrs, a[i].n_addrs * sizeof(a[i].addrs[0])))
			return false;
	return true;
}

/* Field by field: what every layer reads (not source or sha256). */
static void assert_policy_equal(const struct sbx_policy *a, const struct sbx_policy *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->cwd, b->cwd);
	assert_int_equal(a->python.site, b->python.site);
	assert_true(strv_equal(&a->python.path, &b->python.path));
	assert_int_equal(a->python.n_env, b->python.n_env);
	for (size_t i = 0; i < a->python.n_env; i++) {
		assert_string_equal(a->python.env[i].key, b->python.env[i].key);
		assert_string_equal(a->python.env[i].value, b->python.env[i].value);
	}
	assert_true(strv_equal(&a->fs.read, &b->fs.read));
	assert_true(strv_equal(&a->fs.write, &b->fs.write));
	assert_int_equal(a->fs.tmp, b->fs.tmp);
	assert_int_equal(a->net.n_connect, b->net.n_connect);
	assert_true(net_equal(a->net.connect, b->net.connect, a->net.n_connect));
	assert_int_equal(a->net.n_bind, b->net.n_bind);
	assert_true(net_equal(a->net.bind, b->net.bind, a->net.n_bind));
	assert_int_equal(a->net.dns, b->net.dns);
	assert_int_equal(a->process.spawn, b->process.spawn);
	assert_true(strv_equal(&a->process.exec_allow, &b->process.exec_allow));
	assert_int_equal(a->process.signal_others, b->process.signal_others);
	assert_int_equal(a->native.ctypes, b->native.ctypes);
	assert_int_equal(a->native.extensions, b->native.extensions);
	assert_true(strv_equal(&a->native.ext_list, &b->native.ext_list));
	assert_true(strv_equal(&a->imports.deny, &b->imports.deny));
	assert_int_equal(a->code.compile, b->code.compile);
	assert_int_equal(a->code.exec, b->code.exec);
	assert_int_equal(a->code.introspection, b->code.introspection);
	assert_int_equal(a->code.tracing, b->code.tracing);
	assert_int_equal(a->n_events, b->n_events);
	for (size_t i = 0; i < a->n_events; i++) {
		const struct sbx_event_rule *x = &a->events[i], *y = &b->events[i];
		assert_true((x->name == NULL) == (y->name == NULL));
		assert_string_equal(x->name ? x->name : x->prefix, y->name ? y->name : y->prefix);
		assert_int_equal(x->action, y->action);
		assert_int_equal(x->has_unless, y->has_unless);
		assert_int_equal(x->unless_index, y->unless_index);
		assert_int_equal(x->n_unless_in, y->n_unless_in);
		for (size_t j = 0; j < x->n_unless_in; j++)
			assert_string_equal(x->unless_in[j], y->unless_in[j]);
	}
	assert_true(a->limits.cpu_seconds == b->limits.cpu_seconds);
	assert_true(a->limits.wall_seconds == b->limits.wall_seconds);
	assert_true(a->limits.memory_mb == b->limits.memory_mb);
	assert_int_equal(a->limits.tasks, b->limits.tasks);
	assert_int_equal(a->limits.open_files, b->limits.open_files);
	assert_true(a->limits.file_size_mb == b->limits.file_size_mb);
	assert_true(a->limits.stack_mb == b->limits.stack_mb);
	assert_true(a->limits.extra_seconds == b->limits.extra_seconds);
	assert_int_equal(a->on_violation, b->on_violation);
}

static void round_trip(const struct sbx_policy *p)
{
	struct sbx_error err;
	struct sbx_policy *back = NULL;
	char *json = NULL, *again = NULL;

	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_to_json(p, &json, &err), 0);
	if (sbx_policy_load_string(json, strlen(json), "shown.json", p->cwd, 0, &back, &err) < 0) {
		sbx_error_print(&err, stderr, "");
		fail_msg("emitted policy does not load:\n%s", json);
	}
	assert_policy_equal(p, back);
	assert_int_equal(sbx_policy_to_json(back, &again, &err), 0);
	assert_string_equal(json, again);
	free(json);
	free(again);
	sbx_policy_free(back);
}

static void test_to_json_round_trip(void **state)
{
	struct sbx_policy *p;
	char json[4096];

	(void)state;
	for (const char *const *n = sbx_builtin_names; *n; n++) {
		struct sbx_error err;
		sbx_error_clear(&err);
		assert_int_equal(sbx_policy_load_builtin(*n, tdir, 0, &p, &err), 0);
		round_trip(p);
		sbx_policy_free(p);
	}
	snprintf(json, sizeof(json),
		 "{'version': 1, 'name': 'all \\u00e9',"
		 " 'python': {'site': true, 'path': ['a'], 'env': {'LANG': 'C', 'Q': 'a \\'b\\' \\\\ \\n'}},"
		 " 'filesystem': {'read': ['link', '/usr'], 'write': ['new', 'a/b'], 'tmp': true},"
		 " 'network': {'connect': ['127.0.0.1:8000', '[::1]:*'], 'bind': ['0.0.0.0:1'], 'dns': true},"
		 " 'process': {'spawn': true, 'exec_allow': ['%s'], 'signal_others': true},"
		 " 'native': {'ctypes': true, 'extensions': ['_ssl']},"
		 " 'imports': {'deny': ['socket', 'http.client']},"
		 " 'code': {'compile': 'log', 'exec': 'deny', 'introspection': 'allow', 'tracing': 'kill'},"
		 " 'events': [{'event': 'app.x', 'action': 'deny', 'unless_arg': {'index': 2, 'in': ['a']}},"
		 "            {'prefix': 'app.', 'action': 'log'},"
		 "            {'event': 'y', 'action': 'kill', 'unless_arg': {'index': 0, 'in': []}}],"
		 " 'limits': {'cpu_seconds': 2.5, 'wall_seconds': null, 'memory_mb': 0.25, 'tasks': 1,"
		 "            'open_files': null, 'file_size_mb': 16777216, 'stack_mb': 0.5,"
		 "            'extra_seconds': 1.5},"
		 " 'on_violation': 'kill'}", tpath("exelink"));
	p = ok_at(json, tdir);
	round_trip(p);
	sbx_policy_free(p);
	p = ok_at("{'version': 1, 'native': {'extensions': 'any'}}", tdir);
	round_trip(p);
	sbx_policy_free(p);
}

/* ---- --set overrides ---- */

static int load_with(const char *spec, struct sbx_policy **p, struct sbx_error *err, ...)
{
	const char *sets[16];
	size_t n = 0;
	va_list ap;

	va_start(ap, err);
	while (n < 16 && (sets[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	*p = NULL;
	sbx_error_clear(err);
	return sbx_policy_load_with(spec, tdir, SBX_LOAD_NO_RESOLVE, sets, n, p, err);
}

static void test_set_values(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;

	(void)state;
	assert_int_equal(load_with("builtin:default", &p, &err,
				   "limits.cpu_seconds=1", "limits.memory_mb=1.5", "limits.tasks=null",
				   "$.limits.open_files=8", "name=my policy", "code.exec=\"log\"",
				   "code.compile=deny", "on_violation=kill", "filesystem.tmp=true",
				   "network.dns=false", NULL), 0);
	assert_true(p->limits.cpu_seconds == 1);
	assert_true(p->limits.memory_mb == 1.5);
	assert_int_equal(p->limits.tasks, -1);
	assert_int_equal(p->limits.open_files, 8);
	assert_true(p->limits.wall_seconds == 30);	/* untouched keys keep theirs */
	assert_string_equal(p->name, "my policy");	/* bare string */
	assert_int_equal(p->code.exec, SBX_LOG);	/* JSON string */
	assert_int_equal(p->code.compile, SBX_DENY);
	assert_int_equal(p->on_violation, SBX_KILL);
	assert_true(p->fs.tmp);
	sbx_policy_free(p);
}

static void test_set_arrays_and_sections(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;

	(void)state;
	/* whole arrays as JSON; sections created on the way */
	assert_int_equal(load_with("builtin:default", &p, &err,
				   "network.connect=[\"127.0.0.1:80\", \"[::1]:*\"]",
				   "imports.deny=[\"socket\"]", "python.env.LANG=C.UTF-8",
				   "python.env[\"A B\"]=x = y", NULL), 0);
	assert_int_equal(p->net.n_connect, 2);
	assert_int_equal(p->net.connect[1].any_port, true);
	assert_int_equal(p->imports.deny.n, 1);
	assert_int_equal(p->python.n_env, 2);
	assert_string_equal(p->python.env[1].key, "A B");
	assert_string_equal(p->python.env[1].value, "x = y");	/* only the first = splits */
	sbx_policy_free(p);
	/* [N] replaces, [len] appends; a missing array is created */
	assert_int_equal(load_with("builtin:plugin", &p, &err,
				   "filesystem.write[0]=a", "filesystem.write[1]=new",
				   "filesystem.read[1]=/usr", "events[1].event=app.x", "events[1].action=deny",
				   "events[1].unless_arg.index=0", "events[1].unless_arg.in[0]=ok",
				   "process.exec_allow[0]=/bin/sh", NULL), 0);
	assert_int_equal(p->fs.write.n, 2);
	assert_string_equal(p->fs.write.v[0], tpath("a"));
	assert_string_equal(p->fs.write.v[1], tpath("new"));
	assert_int_equal(p->fs.read.n, 2);
	assert_string_equal(p->fs.read.v[1], "/usr");
	assert_int_equal(p->n_events, 2);
	assert_string_equal(p->events[1].name, "app.x");
	assert_int_equal(p->events[1].action, SBX_DENY);
	assert_true(p->events[1].has_unless);
	assert_string_equal(p->events[1].unless_in[0], "ok");
	assert_int_equal(p->process.exec_allow.n, 1);
	sbx_policy_free(p);
	/* later overrides win */
	assert_int_equal(load_with("builtin:default", &p, &err, "limits.tasks=3", "limits.tasks=4",
				   NULL), 0);
	assert_int_equal(p->limits.tasks, 4);
	sbx_policy_free(p);
}

/* One --set that must fail: whole diagnostic, line 0. */
static void set_fails(const char *spec, const char *kv, const char *file, const char *path,
		      const char *msg)
{
	struct sbx_error err;
	struct sbx_policy *p;

	assert_int_equal(load_with(spec, &p, &err, kv, NULL), -EINVAL);
	assert_null(p);
	if (err.n != 1) {
		sbx_error_print(&err, stderr, "  ");
		fail_msg("--set %s: %d diagnostics", kv, err.n);
	}
	check_diag(&err.d[0], file, 0, 0, path, msg, kv);
}

static void test_set_errors(void **state)
{
	static const struct {
		const char *kv, *path, *msg;
	} cases[] = {
		{ "limits.cpu_seconds=abc", "$.limits.cpu_seconds",
		  "expected a positive number or null, got string" },
		{ "limits.cpu_seconds=0", "$.limits.cpu_seconds",
		  "expected a value greater than 0 and at most 31536000, got 0" },
		{ "limits.tasks=2.5", "$.limits.tasks", "expected a positive integer or null, got number" },
		{ "limits.cpu=1", "$.limits.cpu",
		  "unknown key 'cpu' (expected one of: cpu_seconds, wall_seconds, memory_mb, tasks, "
		  "open_files, file_size_mb, stack_mb, extra_seconds)" },
		{ "limit.cpu_seconds=1", "$.limit", "unknown key 'limit' (did you mean 'limits'?)" },
		{ "version=2", "$.version", "unsupported policy version 2 (this reader knows version 1)" },
		{ "name=123", "$.name", "expected a name of 1 to 128 printable characters, got integer" },
		{ "limits=5", "$.limits", "expected an object, got integer" },
		{ "filesystem.read=.", "$.filesystem.read", "expected an array, got string" },
		{ "filesystem.read[0]=nope", "$.filesystem.read[0]", "path does not exist: nope" },
		{ "network.connect[0]=localhost:80", "$.network.connect[0]",
		  "host names are not resolved here: 'localhost'" },
		{ "events[0].prefix=app.", "$.events[0]",
		  "missing key \"action\" (one of \"allow\", \"log\", \"deny\", \"kill\")" },
		/* values the override created inside, or around */
		{ "limits.cpu_seconds.x=5", "$.limits.cpu_seconds",
		  "expected a positive number or null, got object" },
		{ "limits[0]=1", "$.limits", "expected an object, got array" },
		{ "code.exec=", "$.code.exec",
		  "expected one of \"allow\", \"log\", \"deny\", \"kill\", got ''" },
	};
	static const struct {
		const char *kv, *path, *msg;
	} syntax[] = {
		{ "limits.cpu_seconds", "", "expected KEY=VALUE, e.g. limits.cpu_seconds=1" },
		{ "=1", "", "expected KEY=VALUE, e.g. limits.cpu_seconds=1" },
		{ "", "", "expected KEY=VALUE, e.g. limits.cpu_seconds=1" },
		{ "limits..x=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got 'limits..x'" },
		{ "limits.=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got 'limits.'" },
		{ "$=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got '$'" },
		{ "events[x]=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got 'events[x]'" },
		{ "events[-1]=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got 'events[-1]'" },
		{ "events[0=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got 'events[0'" },
		{ "python.env[\"A=1", "",
		  "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got 'python.env[\"A'" },
		{ "filesystem.write[2]=x", "$.filesystem.write",
		  "index 2 is past the end (the array has 1 items; [1] appends)" },
		{ "events[5].action=log", "$.events",
		  "index 5 is past the end (the array has 1 items; [1] appends)" },
		{ "name.x=1", "$.name", "cannot set a key inside string" },
		{ "filesystem.read[0].x=1", "$.filesystem.read[0]", "cannot set a key inside string" },
		{ "filesystem[0]=1", "$.filesystem", "cannot index object with [0]" },
		{ "name=\xff", "", "value is not valid UTF-8" },
		{ "python.env.\xff=x", "", "key is not valid UTF-8" },
		{ "\xff.x=1", "", "key is not valid UTF-8" },
	};
	char file[600], longkey[400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(file, sizeof(file), "--set %s", cases[i].kv);
		set_fails("builtin:default", cases[i].kv, file, cases[i].path, cases[i].msg);
	}
	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
		snprintf(file, sizeof(file), "--set %s", syntax[i].kv);
		set_fails("builtin:plugin", syntax[i].kv, file, syntax[i].path, syntax[i].msg);
	}
	memset(longkey, 'k', 300);
	strcpy(longkey + 300, "=1");
	/* the file field holds 255 bytes of "--set KEY=VALUE" */
	snprintf(file, sizeof(((struct sbx_diag *)0)->file), "--set %s", longkey);
	set_fails("builtin:default", longkey, file, "", "key is too long");
}

/* The override that caused an error is named, the last one to touch it. */
static void test_set_blames_the_right_override(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p;
	char path[PATH_MAX * 2];
	FILE *f;

	(void)state;
	assert_int_equal(load_with("builtin:default", &p, &err, "limits.cpu_seconds=1",
				   "limits.cpu_seconds=x", NULL), -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], "--set limits.cpu_seconds=x", 0, 0, "$.limits.cpu_seconds",
		   "expected a positive number or null, got string", "last wins");
	/* A file's own errors keep their positions next to an override's. */
	snprintf(path, sizeof(path), "%s/set.json", tdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\": 1,\n \"limits\": {\"tasks\": 0, \"cpu_seconds\": 1},\n \"code\": {}}\n", f);
	fclose(f);
	assert_int_equal(load_with(path, &p, &err, "limits.cpu_seconds=-2", "code.exec=no", NULL),
			 -EINVAL);
	assert_int_equal(err.n, 3);
	check_diag(&err.d[0], "--set code.exec=no", 0, 0, "$.code.exec",
		   "expected one of \"allow\", \"log\", \"deny\", \"kill\", got 'no'", "code");
	check_diag(&err.d[1], "--set limits.cpu_seconds=-2", 0, 0, "$.limits.cpu_seconds",
		   "expected a value greater than 0 and at most 31536000, got -2", "cpu");
	check_diag(&err.d[2], path, 2, 22, "$.limits.tasks",
		   "expected a value greater than 0 and at most 1000000, got 0", "tasks");
	/* an error in a section an override only added to stays the file's */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\": 1,\n \"events\": [{\"event\": \"a\", \"prefix\": \"b\", \"action\": \"log\"}]}\n", f);
	fclose(f);
	assert_int_equal(load_with(path, &p, &err, "events[1].prefix=c", "events[1].action=log", NULL),
			 -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], path, 2, 13, "$.events[0]",
		   "a rule needs exactly one of \"event\" and \"prefix\"", "events");
	/* overrides need an object to go into */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[1]\n", f);
	fclose(f);
	assert_int_equal(load_with(path, &p, &err, "limits.tasks=1", NULL), -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], path, 1, 1, "$", "expected a policy object, got array", "array");
	unlink(path);
}

/* ---- files ---- */

static void test_load_file(void **state)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	char path[PATH_MAX * 2];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/p.json", tdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\n  \"version\": 1,\n  \"limits\": {\n    \"tasks\": \"many\"\n  }\n}\n", f);
	fclose(f);
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_file(path, tdir, 0, &p, &err), -EINVAL);
	assert_int_equal(err.n, 1);
	check_diag(&err.d[0], path, 4, 14, "$.limits.tasks",
		   "expected a positive integer or null, got string", "file");
	f = fopen(path, "w");
	fputs("{\"version\": 1}", f);
	fclose(f);
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_file(path, tdir, 0, &p, &err), 0);
	assert_string_equal(p->name, "p.json");
	assert_string_equal(p->source, path);
	sbx_policy_free(p);
	assert_int_equal(sbx_policy_load(path, tdir, 0, &p, &err), 0);
	sbx_policy_free(p);

	/* larger than 1 MiB */
	f = fopen(path, "w");
	for (int i = 0; i < (1 << 20) / 8 + 1; i++)
		fputs("        ", f);
	fclose(f);
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_file(path, tdir, 0, &p, &err), -EFBIG);
	check_diag(&err.d[0], path, 0, 0, "", "policy is larger than 1 MiB", "big");
	unlink(path);

	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_file(path, tdir, 0, &p, &err), -ENOENT);
	check_diag(&err.d[0], path, 0, 0, "", "cannot open policy: No such file or directory", "gone");
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load(tdir, tdir, 0, &p, &err), -EINVAL);
	check_diag(&err.d[0], tdir, 0, 0, "", "not a regular file", "dir");
}

/* ---- JSON paths ---- */

static void test_jpath_round_trips(void **state)
{
	static const struct {
		const char *in, *out;
		int depth;
	} cases[] = {
		{ "limits.cpu_seconds", "$.limits.cpu_seconds", 2 },
		{ "$.limits.cpu_seconds", "$.limits.cpu_seconds", 2 },
		{ "$limits", "$.limits", 1 },
		{ "events[0].action", "$.events[0].action", 3 },
		{ "$.events[12].unless_arg.in[3]", "$.events[12].unless_arg.in[3]", 5 },
		{ "python.env[\"A B\"]", "$.python.env[\"A B\"]", 3 },
		{ "python.env[\"LANG\"]", "$.python.env.LANG", 3 },
		{ "[\"a\\\"b\"]", "$[\"a\\\"b\"]", 1 },
		{ "[\"a\\\\b\"]", "$[\"a\\\\b\"]", 1 },
		{ "[\"\"]", "$[\"\"]", 1 },
		{ "[\"1x\"].y", "$[\"1x\"].y", 2 },
		{ "_x1._", "$._x1._", 2 },
		{ "a[0][1]", "$.a[0][1]", 3 },
		{ "[0]", "$[0]", 1 },
		{ "a.b-c", "$.a[\"b-c\"]", 2 },
		{ "x[1000000]", "$.x[1000000]", 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbx_jpath jp, again;
		char scratch[256], scratch2[256], out[128], out2[128];

		assert_int_equal(sbx_jpath_parse(cases[i].in, &jp, scratch, sizeof(scratch)), 0);
		assert_int_equal(jp.depth, cases[i].depth);
		sbx_jpath_format(&jp, out, sizeof(out));
		assert_string_equal(out, cases[i].out);
		/* what format prints parses back to the same path */
		assert_int_equal(sbx_jpath_parse(out, &again, scratch2, sizeof(scratch2)), 0);
		sbx_jpath_format(&again, out2, sizeof(out2));
		assert_string_equal(out, out2);
		assert_int_equal(again.depth, jp.depth);
		for (int d = 0; d < jp.depth; d++) {
			assert_true((jp.c[d].key == NULL) == (again.c[d].key == NULL));
			if (jp.c[d].key)
				assert_string_equal(jp.c[d].key, again.c[d].key);
			else
				assert_int_equal(jp.c[d].index, again.c[d].index);
		}
	}
}

static void test_jpath_parse_errors(void **state)
{
	static const char *const bad[] = {
		"", "$", "$.", ".a", "a.", "a..b", "a.[0]", "a[", "a[]", "a[x]", "a[-1]", "a[1",
		"a[1]b", "a[\"x\"", "a[\"x\"b", "a[\"x", "a[1000001]", "a[ 1]", "a[1x]",
	};
	struct sbx_jpath jp;
	char scratch[64], *small;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sbx_jpath_parse(bad[i], &jp, scratch, sizeof(scratch)) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
	/* deeper than SBX_JPATH_MAX */
	assert_int_equal(sbx_jpath_parse("a.b.c.d.e.f.g.h.i.j.k.l", &jp, scratch, sizeof(scratch)), 0);
	assert_int_equal(sbx_jpath_parse("a.b.c.d.e.f.g.h.i.j.k.l.m", &jp, scratch, sizeof(scratch)),
			 -E2BIG);
	assert_int_equal(sbx_jpath_parse("[0][0][0][0][0][0][0][0][0][0][0][0][0]", &jp, scratch,
					 sizeof(scratch)), -E2BIG);
	/* scratch too small, and exactly full before an empty quoted key (on
	 * the heap, so ASan sees a write one past the end) */
	small = malloc(8);
	assert_non_null(small);
	assert_int_equal(sbx_jpath_parse("abcdefgh", &jp, small, 8), -E2BIG);
	assert_int_equal(sbx_jpath_parse("abcdefg", &jp, small, 8), 0);
	assert_int_equal(sbx_jpath_parse("abcdefg[\"\"]", &jp, small, 8), -E2BIG);
	assert_int_equal(sbx_jpath_parse("[\"abcdefgh\"]", &jp, small, 8), -E2BIG);
	assert_int_equal(sbx_jpath_parse("[\"abcdefg\"]", &jp, small, 8), 0);
	free(small);
}

static void test_jpath_format_edges(void **state)
{
	struct sbx_jpath jp = { 0 };
	char buf[128], tiny[6];

	(void)state;
	sbx_jpath_format(&jp, buf, sizeof(buf));
	assert_string_equal(buf, "$");
	sbx_jpath_push_key(&jp, "limits");
	sbx_jpath_push_key(&jp, "cpu_seconds");
	sbx_jpath_format(&jp, tiny, sizeof(tiny));
	assert_string_equal(tiny, "$.lim");
	sbx_jpath_pop(&jp);
	sbx_jpath_push_key(&jp, "tab\there \"q\"");
	sbx_jpath_format(&jp, buf, sizeof(buf));
	assert_string_equal(buf, "$.limits[\"tab?here \\\"q\\\"\"]");
	sbx_jpath_format(&jp, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), 5);
	sbx_jpath_format(&jp, buf, 0);	/* must not write */
	/* pushed past the maximum: counted, printed up to the maximum */
	jp.depth = 0;
	for (int i = 0; i < SBX_JPATH_MAX + 3; i++)
		sbx_jpath_push_index(&jp, (size_t)i);
	assert_int_equal(jp.depth, SBX_JPATH_MAX + 3);
	sbx_jpath_format(&jp, buf, sizeof(buf));
	assert_string_equal(buf, "$[0][1][2][3][4][5][6][7][8][9][10][11]");
	for (int i = 0; i < SBX_JPATH_MAX + 5; i++)
		sbx_jpath_pop(&jp);
	assert_int_equal(jp.depth, 0);
}

static void find_at(const char *text, const char *path, bool at_key, int line, int col)
{
	struct sbx_jpath jp;
	char scratch[256];
	int l = -1, c = -1;

	if (strcmp(path, "$") == 0)
		jp.depth = 0;	/* the root: sbx_jpath_parse wants a component */
	else
		assert_int_equal(sbx_jpath_parse(path, &jp, scratch, sizeof(scratch)), 0);
	if (!sbx_jpos_find(text, strlen(text), &jp, at_key, &l, &c))
		fail_msg("%s not found in %s", path, text);
	if (l != line || c != col)
		fail_msg("%s%s: want %d:%d, got %d:%d", path, at_key ? " (key)" : "", line, col, l, c);
}

static void not_found(const char *text, const char *path)
{
	struct sbx_jpath jp;
	char scratch[256];
	int l, c;

	assert_int_equal(sbx_jpath_parse(path, &jp, scratch, sizeof(scratch)), 0);
	if (sbx_jpos_find(text, strlen(text), &jp, false, &l, &c))
		fail_msg("%s found at %d:%d", path, l, c);
}

static void test_jpos_find(void **state)
{
	const char *t =
		"{\"a\": {\"b\": [1, {\"c\\u00e9\": 2, \"\\ud83d\\ude00\": [true, {\"x\": null}]}]},\n"
		"\t\"k\\\"q\\\\\": \"v\",\r\n"
		"  \"\xc3\xa9t\xc3\xa9\": {\"\\u0041\": [[], {}, \"s\"], \"\\/\": 5}\n"
		"}";

	(void)state;
	/* the root */
	find_at(t, "$", false, 1, 1);
	find_at("  \n {}", "$", false, 2, 2);
	find_at(t, "a", false, 1, 7);
	find_at(t, "a", true, 1, 2);
	find_at(t, "a.b", false, 1, 13);
	find_at(t, "a.b", true, 1, 8);
	find_at(t, "a.b[0]", false, 1, 14);
	find_at(t, "a.b[1]", false, 1, 17);
	/* keys written with escapes match their decoded form */
	find_at(t, "a.b[1][\"c\xc3\xa9\"]", false, 1, 29);
	find_at(t, "a.b[1][\"c\xc3\xa9\"]", true, 1, 18);
	find_at(t, "a.b[1][\"\xf0\x9f\x98\x80\"]", false, 1, 48);
	find_at(t, "a.b[1][\"\xf0\x9f\x98\x80\"][1].x", false, 1, 61);
	find_at(t, "a.b[1][\"\xf0\x9f\x98\x80\"][1].x", true, 1, 56);
	find_at(t, "[\"k\\\"q\\\\\"]", false, 2, 12);
	find_at(t, "[\"k\\\"q\\\\\"]", true, 2, 2);
	/* columns count characters: the key is preceded by two spaces */
	find_at(t, "[\"\xc3\xa9t\xc3\xa9\"]", true, 3, 3);
	find_at(t, "[\"\xc3\xa9t\xc3\xa9\"]", false, 3, 10);
	find_at(t, "[\"\xc3\xa9t\xc3\xa9\"].A", false, 3, 21);
	find_at(t, "[\"\xc3\xa9t\xc3\xa9\"].A[2]", false, 3, 30);
	find_at(t, "[\"\xc3\xa9t\xc3\xa9\"][\"/\"]", false, 3, 42);
	/* what is not there */
	not_found(t, "z");
	not_found(t, "a.b[2]");
	not_found(t, "a[0]");
	not_found(t, "a.b.c");
	not_found(t, "a.b[0].x");
	not_found(t, "[\"\xc3\xa9t\xc3\xa9\"].A[0][0]");
	not_found("[1, 2]", "a");
	not_found("{}", "a");
	{
		struct sbx_jpath jp = { 0 };
		int l, c;
		assert_false(sbx_jpos_find(NULL, 0, &jp, false, &l, &c));
	}
}

/* The reader's positions line up with jpos on a key escaped in the file. */
static void test_error_in_escaped_key(void **state)
{
	static const struct ecase cases[] = {
		{ "{'version': 1, 'python': {'env': {'\\u00e9t\\u00e9': 1}}}", "1}", "$.python.env[\"\xc3\xa9t\xc3\xa9\"]",
		  "expected a string, got integer" },
		{ "{'version': 1, 'python': {'env': {'A\\u003dB': 'x'}}}", "'A\\", "$.python.env[\"A=B\"]",
		  "invalid environment variable name 'A=B'" },
		{ "{'version': 1, '\\u006cimits': {'tasks': 0}}", "0}", "$.limits.tasks",
		  "expected a value greater than 0 and at most 1000000, got 0" },
		{ "{'version': 1, 'name': '\xc3\xa9\xc3\xa9', 'code': {'exec': 'x'}}", "'x'", "$.code.exec",
		  "expected one of \"allow\", \"log\", \"deny\", \"kill\", got 'x'" },
	};

	(void)state;
	RUN(cases);
}

static void test_module_names(void **state)
{
	(void)state;
	assert_true(sbx_module_name_valid("a"));
	assert_true(sbx_module_name_valid("_a.b_2.c"));
	assert_false(sbx_module_name_valid("a-b"));
	assert_false(sbx_module_name_valid("2a"));
	assert_false(sbx_module_name_valid("a.2"));
	assert_true(sbx_module_is_essential("os"));
	assert_true(sbx_module_is_essential("encodings"));
	assert_true(sbx_module_is_essential("encodings.utf_8"));
	assert_false(sbx_module_is_essential("os.path"));	/* only what start-up imports */
	assert_false(sbx_module_is_essential("socket"));
	assert_false(sbx_module_is_essential("oss"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_policy_defaults),
		cmocka_unit_test(test_empty_sections_take_defaults),
		cmocka_unit_test(test_name_defaults_to_file_name),
		cmocka_unit_test(test_sha256_of_text),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_extensions_any_and_stdlib),
		cmocka_unit_test(test_limits_null_is_unlimited),
		cmocka_unit_test(test_ports_and_literals),
		cmocka_unit_test(test_host_names_resolve),
		cmocka_unit_test(test_unresolvable_name),
		cmocka_unit_test(test_errors_top_level),
		cmocka_unit_test(test_errors_sections_not_objects),
		cmocka_unit_test(test_errors_python),
		cmocka_unit_test(test_errors_filesystem),
		cmocka_unit_test(test_errors_paths_relative),
		cmocka_unit_test(test_errors_path_too_long),
		cmocka_unit_test(test_errors_network),
		cmocka_unit_test(test_errors_process),
		cmocka_unit_test(test_errors_native_imports),
		cmocka_unit_test(test_errors_code),
		cmocka_unit_test(test_errors_events),
		cmocka_unit_test(test_errors_too_many_events),
		cmocka_unit_test(test_errors_limits),
		cmocka_unit_test(test_errors_syntax),
		cmocka_unit_test(test_errors_bytes),
		cmocka_unit_test(test_several_errors_all_reported),
		cmocka_unit_test(test_errors_beyond_max_are_counted),
		cmocka_unit_test(test_many_errors_are_fast),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_path_normalisation),
		cmocka_unit_test(test_paths_relative_to_cwd_argument),
		cmocka_unit_test(test_every_builtin_loads),
		cmocka_unit_test(test_builtin_contents),
		cmocka_unit_test(test_to_json_round_trip),
		cmocka_unit_test(test_set_values),
		cmocka_unit_test(test_set_arrays_and_sections),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_blames_the_right_override),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_jpath_round_trips),
		cmocka_unit_test(test_jpath_parse_errors),
		cmocka_unit_test(test_jpath_format_edges),
		cmocka_unit_test(test_jpos_find),
		cmocka_unit_test(test_error_in_escaped_key),
		cmocka_unit_test(test_module_names),
	};
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
