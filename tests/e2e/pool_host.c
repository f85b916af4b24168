/* pool_host: a library host for the warm pool's tests (tests/e2e/test_pool.py).
 * It opens one pool (unless --no-pool) and runs each CODE after the options
 * with `-c CODE` under POLICY, one after another, in the working directory;
 * after each run it prints one line "RESULT {json}" (status, exit_code,
 * warm, warm_reason from the report). --kill-zygote-after N kills the
 * pool's zygote after run N, to show the next runs start fresh.
 * --hold prints "ZYGOTE pid" first and, after the runs, waits for its
 * standard input to end before it closes the pool (the test looks at the
 * zygote meanwhile).
 *
 * usage: pool_host [--no-pool] [--hold] [--kill-zygote-after N] POLICY CODE... */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sandboxpy.h>

/* This process's one child between runs: the zygote. */
static pid_t only_child(void)
{
	char path[64], buf[256];
	FILE *f;
	long pid = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof(buf), f))
			pid = strtol(buf, NULL, 10);
		fclose(f);
	}
	return (pid_t)pid;
}

static void print_result(const struct sbx_result *res)
{
	json_t *rep = res->report_json ? json_loads(res->report_json, 0, NULL) : NULL;
	json_t *audit = json_object_get(json_object_get(rep, "layers"), "audit");
	json_t *out = json_object();
	char *s;

	json_object_set_new(out, "status", json_string(sbx_status_name(res->status)));
	json_object_set_new(out, "exit_code", json_integer(res->exit_code));
	json_object_set_new(out, "warm", json_boolean(json_is_true(json_object_get(audit, "warm"))));
	if (json_object_get(audit, "warm_reason"))
		json_object_set(out, "warm_reason", json_object_get(audit, "warm_reason"));
	json_object_set_new(out, "message", json_string(res->message));
	s = json_dumps(out, JSON_COMPACT);
	printf("RESULT %s\n", s ? s : "{}");
	fflush(stdout);
	free(s);
	json_decref(out);
	json_decref(rep);
}

int main(int argc, char **argv)
{
	struct sbx_pool *pool = NULL;
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	char cwd[PATH_MAX];
	int i = 1, kill_after = -1, rc = 0;
	bool no_pool = false, hold = false;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--no-pool") == 0)
			no_pool = true;
		else if (strcmp(argv[i], "--hold") == 0)
			hold = true;
		else if (strcmp(argv[i], "--kill-zygote-after") == 0 && i + 1 < argc)
			kill_after = atoi(argv[++i]);
		else
			break;
	}
	if (i >= argc || !getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "usage: pool_host [--no-pool] [--kill-zygote-after N] POLICY CODE...\n");
		return 2;
	}
	sbx_error_clear(&err);
	if (sbx_policy_load(argv[i++], cwd, 0, &p, &err) < 0 ||
	    (!no_pool && sbx_pool_open(&pool, &err) < 0)) {
		sbx_error_print(&err, stderr, "pool_host: ");
		sbx_policy_free(p);
		return 2;
	}
	if (hold) {
		printf("ZYGOTE %d\n", (int)only_child());
		fflush(stdout);
	}
	for (int n = 1; i < argc; i++, n++) {
		struct sbx_run_opts o = { .kind = SBX_PROG_COMMAND, .program = argv[i], .quiet = true,
					  .want_report_json = true, .pool = pool };
		struct sbx_result res;

		sbx_error_clear(&err);
		if (sbx_run(p, &o, &res, &err) < 0)
			rc = 1;
		print_result(&res);
		sbx_result_free(&res);
		if (n == kill_after && pool) {
			pid_t z = only_child();
			if (z > 0)
				kill(z, SIGKILL);
		}
	}
	if (hold) {
		printf("DONE\n");
		fflush(stdout);
		while (getchar() != EOF)
			;
	}
	sbx_pool_close(pool);
	sbx_policy_free(p);
	return rc;
}
