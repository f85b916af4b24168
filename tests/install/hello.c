/* hello.c: the smallest user of an installed libsandboxpy, built by
 * tests/install/test_install.py with pkg-config only. Runs
 * -c "print(6*7)" (or -c CODE, which must print 42 too) under
 * builtin:default in DIR, its standard output redirected to DIR/out.txt,
 * and checks the result struct and the output. Exit 0 when everything is
 * as expected; 1 and the failing check otherwise. */
#include <stdio.h>
#include <string.h>

#include <sandboxpy.h>

int main(int argc, char **argv)
{
	struct sbx_run_opts o = { 0 };
	struct sbx_result res = { 0 };
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	char out_path[4096], got[64] = "";
	FILE *f = NULL;
	int r, rc = 1;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: hello DIR [CODE]\n");
		return 2;
	}
	sbx_error_clear(&err);
	r = sbx_policy_load_builtin("default", argv[1], 0, &p, &err);
	if (r < 0) {
		sbx_error_print(&err, stderr, "hello: ");
		goto out;
	}
	snprintf(out_path, sizeof(out_path), "%s/out.txt", argv[1]);
	o.kind = SBX_PROG_COMMAND;
	o.program = argc == 3 ? argv[2] : "print(6*7)";
	o.stdout_path = out_path;
	o.quiet = true;
	r = sbx_run(p, &o, &res, &err);
	printf("sbx_run=%d status=%s exit=%d signal=%d policy=%s\n", r,
	       sbx_status_name(res.status), res.exit_code, res.signal, sbx_policy_name(p));
	if (r < 0) {
		sbx_error_print(&err, stderr, "hello: ");
		goto out;
	}
	f = fopen(out_path, "r");
	if (!f || !fgets(got, sizeof(got), f)) {
		perror(out_path);
		goto out;
	}
	printf("output=%s", got);
	if (res.status != SBX_ST_OK || res.exit_code != 0 || res.signal != 0 ||
	    strcmp(got, "42\n") != 0) {
		fprintf(stderr, "hello: unexpected result (%s)\n", res.message);
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	sbx_result_free(&res);
	sbx_policy_free(p);
	return rc;
}
