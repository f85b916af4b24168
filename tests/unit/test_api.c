/* test_api.c: libsandboxpy as a host program uses it (include/sandboxpy.h):
 * the per-event callback sees each recorded event as it happens, the
 * report comes back as JSON text, the host's own descriptors become the
 * sandbox's standard streams, and the host's other children are neither
 * killed nor reaped by a run. Each test calls sbx_run, which forks; the
 * sandbox's seccomp filter and hook are in the child only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "sandboxpy.h"

struct seen {
	int n;
	char first[4096];
};

static void on_event(const char *event_json, void *ctx)
{
	struct seen *s = ctx;

	if (s->n++ == 0)
		snprintf(s->first, sizeof(s->first), "%s", event_json);
}

static struct sbx_policy *load(const char *builtin)
{
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	char cwd[4096];

	sbx_error_clear(&err);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(sbx_policy_load_builtin(builtin, cwd, SBX_LOAD_NO_RESOLVE, &p, &err), 0);
	return p;
}

/* Reads what the sandbox wrote to the pipe (it is gone when sbx_run returns). */
static void drain(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
}

static void test_callback_report_json_and_stdio_fds(void **state)
{
	struct sbx_policy *p = load("default");
	struct sbx_run_opts o = { 0 };
	struct sbx_result res;
	struct sbx_error err;
	struct seen seen = { 0 };
	int out[2];
	char text[4096];
	json_t *rep, *ev;
	json_error_t je;

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(pipe(out), 0);
	o.kind = SBX_PROG_COMMAND;
	o.program = "import subprocess\n"
		    "try:\n subprocess.run(['/bin/true'])\nexcept PermissionError:\n print('REFUSED')\n";
	o.quiet = true;
	o.use_stdio_fds = true;
	o.stdio_fds[0] = -1;
	o.stdio_fds[1] = out[1];
	o.stdio_fds[2] = -1;
	o.on_event = on_event;
	o.on_event_ctx = &seen;
	o.want_report_json = true;
	assert_int_equal(sbx_run(p, &o, &res, &err), 0);
	close(out[1]);
	drain(out[0], text, sizeof(text));
	close(out[0]);

	assert_int_equal(res.status, SBX_ST_OK);
	assert_int_equal(res.exit_code, 0);
	assert_string_equal(text, "REFUSED\n");
	/* The callback saw the denial, in the report's own form. */
	assert_true(seen.n >= 1);
	ev = json_loads(seen.first, 0, &je);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "rule")), "process.spawn");
	assert_string_equal(json_string_value(json_object_get(ev, "action")), "deny");
	json_decref(ev);
	/* The report, as text, says the same. */
	assert_non_null(res.report_json);
	rep = json_loads(res.report_json, 0, &je);
	assert_non_null(rep);
	assert_string_equal(json_string_value(json_object_get(rep, "status")), "ok");
	assert_int_equal(json_array_size(json_object_get(rep, "events")), (size_t)seen.n);
	assert_int_equal(res.denied, (unsigned long)seen.n);
	json_decref(rep);
	sbx_result_free(&res);
	assert_null(res.report_json);
	sbx_result_free(&res);	/* twice is harmless */
	sbx_policy_free(p);
}

static void test_host_children_survive_a_run(void **state)
{
	struct sbx_policy *p = load("default");
	struct sbx_run_opts o = { 0 };
	struct sbx_result res;
	struct sbx_error err;
	int st = 0;
	pid_t mine;

	(void)state;
	sbx_error_clear(&err);
	/* A child of the host's own, which exits 7 when told to. */
	mine = fork();
	assert_true(mine >= 0);
	if (mine == 0) {
		pause();
		_exit(7);
	}
	o.kind = SBX_PROG_COMMAND;
	o.program = "print('x')";
	o.quiet = true;
	o.stdout_path = "/dev/null";
	assert_int_equal(sbx_run(p, &o, &res, &err), 0);
	assert_int_equal(res.status, SBX_ST_OK);
	/* Not killed, not reaped: its status is still the host's to take. */
	assert_int_equal(kill(mine, 0), 0);
	assert_int_equal(waitpid(mine, &st, WNOHANG), 0);
	kill(mine, SIGUSR1);
	assert_int_equal(waitpid(mine, &st, 0), mine);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	sbx_result_free(&res);
	sbx_policy_free(p);
}

/* A host names the sandboxpy that sys.executable is; without it, the
 * running program (this test) would be. */
static void test_executable_is_what_the_host_names(void **state)
{
	struct sbx_policy *p = load("default");
	struct sbx_run_opts o = { 0 };
	struct sbx_result res;
	struct sbx_error err;
	int out[2];
	char text[4096], self[4096];
	ssize_t n;

	(void)state;
	sbx_error_clear(&err);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	for (int named = 0; named < 2; named++) {
		assert_int_equal(pipe(out), 0);
		o.kind = SBX_PROG_COMMAND;
		o.program = "import sys; print(sys.executable)";
		o.quiet = true;
		o.use_stdio_fds = true;
		o.stdio_fds[0] = o.stdio_fds[2] = -1;
		o.stdio_fds[1] = out[1];
		o.executable = named ? "/usr/local/bin/sandboxpy" : NULL;
		assert_int_equal(sbx_run(p, &o, &res, &err), 0);
		close(out[1]);
		drain(out[0], text, sizeof(text));
		close(out[0]);
		assert_int_equal(res.status, SBX_ST_OK);
		text[strcspn(text, "\n")] = '\0';
		assert_string_equal(text, named ? "/usr/local/bin/sandboxpy" : self);
		sbx_result_free(&res);
	}
	sbx_policy_free(p);
}

/* Two threads of one host, each running sandboxes at the same time:
 * every run has its own state (header: "Several threads may call
 * sbx_run at once"). */
struct job {
	struct sbx_policy *p;
	int ok;
	struct seen seen;	/* events through the callback, in this thread */
};

static void *run_some(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < 3; i++) {
		struct sbx_run_opts o = { 0 };
		struct sbx_result res;
		struct sbx_error err;

		sbx_error_clear(&err);
		o.kind = SBX_PROG_COMMAND;
		o.program = "import subprocess\ntry:\n subprocess.run(['/bin/true'])\nexcept PermissionError:\n pass\n";
		o.quiet = true;
		o.stdout_path = "/dev/null";
		o.want_report_json = true;
		o.on_event = on_event;
		o.on_event_ctx = &j->seen;
		if (sbx_run(j->p, &o, &res, &err) == 0 && res.status == SBX_ST_OK && res.denied == 1 &&
		    res.report_json && strstr(res.report_json, "process.spawn"))
			j->ok++;
		else
			fprintf(stderr, "run %d: status %s, denied %lu: %s\n", i, sbx_status_name(res.status),
				res.denied, res.message);
		sbx_result_free(&res);
	}
	return NULL;
}

static void test_runs_in_two_threads_at_once(void **state)
{
	struct sbx_policy *p = load("default");
	struct job a = { .p = p }, b = { .p = p };
	pthread_t ta, tb;

	(void)state;
	assert_int_equal(pthread_create(&ta, NULL, run_some, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, run_some, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.ok, 3);
	assert_int_equal(b.ok, 3);
	/* The callback ran for each denial, in the calling thread. */
	assert_int_equal(a.seen.n, 3);
	assert_int_equal(b.seen.n, 3);
	assert_non_null(strstr(a.seen.first, "\"rule\":\"process.spawn\""));
	sbx_policy_free(p);
}

static void test_bad_stdio_fd_is_an_error_not_a_run(void **state)
{
	struct sbx_policy *p = load("default");
	struct sbx_run_opts o = { 0 };
	struct sbx_result res;
	struct sbx_error err;

	(void)state;
	sbx_error_clear(&err);
	o.kind = SBX_PROG_COMMAND;
	o.program = "print('never')";
	o.quiet = true;
	o.use_stdio_fds = true;
	o.stdio_fds[0] = -1;
	o.stdio_fds[1] = 987;	/* not open */
	o.stdio_fds[2] = -1;
	assert_true(sbx_run(p, &o, &res, &err) < 0);
	assert_int_equal(res.status, SBX_ST_INTERNAL);
	assert_int_equal(res.cli_status, 125);
	assert_true(err.n >= 1);
	assert_non_null(strstr(err.d[0].msg, "stdio descriptor 987"));
	sbx_result_free(&res);
	sbx_policy_free(p);
}

/* ---- the library's messages: on the host's callback, never on fd 2 ---- */

struct msgs {
	int n[SBX_MSG_VERBOSE + 1];
	char denial[1024], summary[1024], error[1024];
};

static void on_message(enum sbx_msg_kind kind, const char *text, void *ctx)
{
	struct msgs *m = ctx;

	assert_true((unsigned)kind <= SBX_MSG_VERBOSE);
	assert_null(strchr(text, '\n'));
	if (m->n[kind]++)
		return;
	if (kind == SBX_MSG_DENIAL)
		snprintf(m->denial, sizeof(m->denial), "%s", text);
	else if (kind == SBX_MSG_SUMMARY)
		snprintf(m->summary, sizeof(m->summary), "%s", text);
	else if (kind == SBX_MSG_ERROR)
		snprintf(m->error, sizeof(m->error), "%s", text);
}

/* A run with a denial, a summary and a report that cannot be written:
 * everything sandboxpy has to say, unless quiet. */
static int noisy_run(struct sbx_policy *p, struct msgs *m, bool verbose, struct sbx_result *res)
{
	struct sbx_run_opts o = { 0 };
	struct sbx_error err;

	sbx_error_clear(&err);
	o.kind = SBX_PROG_COMMAND;
	o.program = "import subprocess\ntry:\n subprocess.run(['/bin/true'])\nexcept PermissionError:\n pass\n";
	o.stdout_path = "/dev/null";
	o.stderr_path = "/dev/null";
	/* Passes the check before the run (a character device, written in
	 * place), fails when written (ENOSPC): an error message after a run.
	 * A destination that cannot be written at all is refused before. */
	o.report_path = "/dev/full";
	o.verbose = verbose;
	if (m) {
		o.on_message = on_message;
		o.on_message_ctx = m;
	}
	return sbx_run(p, &o, res, &err);
}

static void test_library_is_silent_without_callback(void **state)
{
	struct sbx_policy *p = load("default");
	struct sbx_result res;
	char path[] = "/tmp/sbx-test-api-stderr-XXXXXX", text[4096];
	int fd = mkstemp(path), saved = dup(2), rc;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	fflush(stderr);
	assert_int_equal(dup2(fd, 2), 2);
	rc = noisy_run(p, NULL, true, &res);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(rc, 0);
	assert_int_equal(res.status, SBX_ST_OK);
	assert_int_equal(res.denied, 1);
	lseek(fd, 0, SEEK_SET);
	drain(fd, text, sizeof(text));
	close(fd);
	/* Not a denial line, not the summary, not "cannot write report". */
	assert_string_equal(text, "");
	sbx_result_free(&res);
	sbx_policy_free(p);
}

struct msg_job {
	struct sbx_policy *p;
	struct msgs m;
	struct sbx_result res;
	int rc;
};

static void *noisy_in_thread(void *arg)
{
	struct msg_job *j = arg;

	j->rc = noisy_run(j->p, &j->m, true, &j->res);
	return NULL;
}

static void check_messages(const struct msgs *m)
{
	assert_int_equal(m->n[SBX_MSG_DENIAL], 1);
	assert_non_null(strstr(m->denial, "denied subprocess.Popen '/bin/true'"));
	assert_non_null(strstr(m->denial, "(process.spawn = false"));
	assert_int_equal(m->n[SBX_MSG_SUMMARY], 1);
	assert_non_null(strstr(m->summary, "ok: exited normally; 1 denied, 0 logged; report: "));
	assert_int_equal(m->n[SBX_MSG_ERROR], 1);
	assert_non_null(strstr(m->error, "cannot write report /dev/full"));
	assert_true(m->n[SBX_MSG_VERBOSE] >= 7);	/* -v's layer lines */
}

/* Each kind on the callback, in the caller's thread: directly, and from a
 * threaded host through the worker process. */
static void test_messages_reach_the_callback(void **state)
{
	struct msg_job j = { .p = load("default") };
	pthread_t t;

	(void)state;
	j.rc = noisy_run(j.p, &j.m, true, &j.res);
	assert_int_equal(j.rc, 0);
	check_messages(&j.m);
	sbx_result_free(&j.res);

	memset(&j.m, 0, sizeof(j.m));
	assert_int_equal(pthread_create(&t, NULL, noisy_in_thread, &j), 0);
	pthread_join(t, NULL);
	assert_int_equal(j.rc, 0);
	check_messages(&j.m);
	sbx_result_free(&j.res);
	sbx_policy_free(j.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_callback_report_json_and_stdio_fds),
		cmocka_unit_test(test_host_children_survive_a_run),
		cmocka_unit_test(test_executable_is_what_the_host_names),
		cmocka_unit_test(test_runs_in_two_threads_at_once),
		cmocka_unit_test(test_bad_stdio_fd_is_an_error_not_a_run),
		cmocka_unit_test(test_library_is_silent_without_callback),
		cmocka_unit_test(test_messages_reach_the_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
