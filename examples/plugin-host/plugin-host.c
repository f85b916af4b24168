/* plugin-host: an application that runs untrusted plugin scripts with
 * libsandboxpy. Each script in APPDIR/plugins runs in its own sandbox under
 * builtin:plugin (read APPDIR, write APPDIR/data), with one rule of the
 * application's own: the audit event app.plugin.load (raised by the
 * application's API, lib/hostapi.py, before it loads a component) is
 * allowed only for the names in APPDIR/trusted.txt or given with --trust.
 * It prints each event as the sandbox records it, then each plugin's
 * outcome: ok, denied (with the rule), or error.
 *
 * usage: plugin-host [--policy SPEC] [--trust NAME]... APPDIR */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sandboxpy.h>

#define MAX_TRUSTED 32

/* What the event callback learns about one plugin's run. */
struct outcome {
	const char *plugin;
	unsigned denied;
	char first_rule[128];		/* the first refusal's rule and detail */
	char first_detail[256];
};

/* Called by sbx_run for each recorded event, as it happens; event_json is
 * one object of the report's events[] (report.md). */
static void on_event(const char *event_json, void *ctx)
{
	struct outcome *out = ctx;
	json_t *ev = json_loads(event_json, 0, NULL);
	const char *action, *rule, *name, *where;
	char args[200] = "";

	if (!ev)
		return;
	action = json_string_value(json_object_get(ev, "action"));
	rule = json_string_value(json_object_get(ev, "rule"));
	name = json_string_value(json_object_get(ev, "event"));
	if (!name)
		name = json_string_value(json_object_get(ev, "syscall"));
	where = json_string_value(json_object_get(ev, "where"));
	if (json_object_get(ev, "args")) {
		char *a = json_dumps(json_object_get(ev, "args"), JSON_COMPACT | JSON_ENCODE_ANY);
		if (a)
			snprintf(args, sizeof(args), "%s", a);
		free(a);
	}
	printf("  [%s] %s %s %s (rule %s%s%s)\n", out->plugin, action ? action : "?",
	       name ? name : "?", args, rule ? rule : "?", where ? " at " : "", where ? where : "");
	if (action && (strcmp(action, "deny") == 0 || strcmp(action, "kill") == 0)) {
		if (!out->denied++) {
			snprintf(out->first_rule, sizeof(out->first_rule), "%s", rule ? rule : "?");
			snprintf(out->first_detail, sizeof(out->first_detail), "%s %s", name ? name : "?", args);
		}
	}
	fflush(stdout);
	json_decref(ev);
}

/* A name goes into the policy's JSON as is: keep it to a safe alphabet. */
static int add_trusted(const char **trusted, size_t *n, const char *name)
{
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
			      != strlen(name)) {
		fprintf(stderr, "plugin-host: bad component name '%s' (letters, digits, _ and - only)\n", name);
		return -EINVAL;
	}
	if (*n >= MAX_TRUSTED) {
		fprintf(stderr, "plugin-host: at most %d trusted names\n", MAX_TRUSTED);
		return -E2BIG;
	}
	trusted[(*n)++] = name;
	return 0;
}

/* APPDIR/trusted.txt: one name a line, '#' starts a comment line. The
 * names are kept in buf, which the caller owns. */
static int read_trusted_file(const char *appdir, char (*buf)[64], const char **trusted, size_t *n)
{
	char path[4096], line[256];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/trusted.txt", appdir);
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (strlen(line) >= sizeof(buf[0])) {
			fprintf(stderr, "plugin-host: name too long in %s: %s\n", path, line);
			r = -EINVAL;
			break;
		}
		if (*n < MAX_TRUSTED)
			snprintf(buf[*n], sizeof(buf[0]), "%s", line);
		r = add_trusted(trusted, n, *n < MAX_TRUSTED ? buf[*n] : line);
	}
	fclose(f);
	return r;
}

/* The application's rules, as --set overrides of the base policy. */
static void build_overrides(const char **trusted, size_t n, char *events, size_t len)
{
	size_t k = (size_t)snprintf(events, len, "events=[{\"event\": \"app.plugin.load\", "
				    "\"action\": \"deny\", \"unless_arg\": {\"index\": 0, \"in\": [");

	for (size_t i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(events + k, len - k, "%s\"%s\"", i ? ", " : "", trusted[i]);
	if (k < len)
		snprintf(events + k, len - k, "]}}, {\"prefix\": \"app.\", \"action\": \"log\"}]");
}

static int only_py(const struct dirent *e)
{
	size_t l = strlen(e->d_name);
	return l > 3 && strcmp(e->d_name + l - 3, ".py") == 0;
}

static void print_outcome(const struct outcome *out, const struct sbx_result *res)
{
	if (res->status == SBX_ST_OK && !out->denied)
		printf("%s: ok\n", out->plugin);
	else if (res->status == SBX_ST_OK)
		printf("%s: ok (after %u refusal%s it handled: %s)\n", out->plugin, out->denied,
		       out->denied > 1 ? "s" : "", out->first_rule);
	else if (out->denied)
		printf("%s: denied by rule %s (%s)\n", out->plugin, out->first_rule, out->first_detail);
	else
		printf("%s: error (%s: %s)\n", out->plugin, sbx_status_name(res->status), res->message);
}

int main(int argc, char **argv)
{
	const char *trusted[MAX_TRUSTED], *spec = "builtin:plugin", *appdir = NULL;
	char trusted_buf[MAX_TRUSTED][64];
	char events[4096], plugins_dir[4096], appdir_real[4096];
	const char *overrides[2];
	struct dirent **names = NULL;
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	size_t n_trusted = 0;
	int n = 0, rc = 1;

	sbx_error_clear(&err);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc) {
			if (add_trusted(trusted, &n_trusted, argv[++i]) < 0)
				return 2;
		} else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			spec = argv[++i];
		} else if (argv[i][0] != '-' && !appdir) {
			appdir = argv[i];
		} else {
			fprintf(stderr, "usage: plugin-host [--policy SPEC] [--trust NAME]... APPDIR\n");
			return 2;
		}
	}
	if (!appdir || !realpath(appdir, appdir_real)) {
		fprintf(stderr, "usage: plugin-host [--policy SPEC] [--trust NAME]... APPDIR\n");
		return 2;
	}
	if (!n_trusted && read_trusted_file(appdir_real, trusted_buf, trusted, &n_trusted) < 0) {
		fprintf(stderr, "plugin-host: cannot read %s/trusted.txt\n", appdir_real);
		return 2;
	}
	build_overrides(trusted, n_trusted, events, sizeof(events));
	overrides[0] = events;
	overrides[1] = "python.path=[\"./lib\"]";
	/* Relative paths of the policy (".", "./data", "./lib") resolve
	 * against the application's directory, the plugins' working one. */
	if (sbx_policy_load_with(spec, appdir_real, 0, overrides, 2, &p, &err) < 0) {
		sbx_error_print(&err, stderr, "plugin-host: ");
		goto out;
	}
	snprintf(plugins_dir, sizeof(plugins_dir), "%s/plugins", appdir_real);
	n = scandir(plugins_dir, &names, only_py, alphasort);
	if (n < 0) {
		fprintf(stderr, "plugin-host: cannot list %s: %s\n", plugins_dir, strerror(errno));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char script[8192], plugin[256];
		struct outcome out = { .plugin = plugin };
		struct sbx_run_opts o = { 0 };
		struct sbx_result res;

		snprintf(plugin, sizeof(plugin), "%.*s", (int)(strlen(names[i]->d_name) - 3),
			 names[i]->d_name);
		snprintf(script, sizeof(script), "%s/%s", plugins_dir, names[i]->d_name);
		o.kind = SBX_PROG_FILE;
		o.program = script;
		o.stdin_path = "/dev/null";
		o.quiet = true;			/* the callback reports instead */
		o.unbuffered = true;		/* its output in step with the events */
		o.on_event = on_event;
		o.on_event_ctx = &out;
		printf("%s: running\n", plugin);
		fflush(stdout);
		sbx_error_clear(&err);
		sbx_run(p, &o, &res, &err);	/* res says what happened, however it ended */
		print_outcome(&out, &res);
		sbx_result_free(&res);
	}
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sbx_policy_free(p);
	return rc;
}
