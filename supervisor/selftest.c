/* selftest.c: sandboxpy --self-test. One tiny sandbox per layer tries one
 * thing its policy forbids; the effect is checked from outside and the
 * report read back. Prints what this machine enforces (the first thing a
 * user in a container wants to know); fails when the audit hook or the
 * seccomp filter cannot be enforced, since every run needs both. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sbx_ns.h"
#include "sbx_supervisor.h"

struct probe {
	const char *layer;
	const char *code;		/* the program; OUT is the outside directory */
	const char *sets[4];		/* policy overrides */
	bool needed;			/* every run needs this layer */
};

static const struct probe probes[] = {
	{ "audit", "import subprocess\ntry:\n    subprocess.run(['/bin/true'])\nexcept PermissionError:\n    pass\n",
	  { NULL }, true },
	{ "seccomp", "import ctypes\nctypes.CDLL(None).syscall(101, 0, 0, 0, 0)\n",
	  { "native.ctypes=true", NULL }, true },
	{ "landlock", "import ctypes, os\nctypes.CDLL(None).open((OUT + '/x').encode(), os.O_WRONLY | os.O_CREAT, 0o644)\n",
	  { "native.ctypes=true", "filesystem.write=[\".\"]", NULL }, false },
	{ "memory", "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n",
	  { "limits.memory_mb=64", "limits.wall_seconds=10", NULL }, false },
};

/* Runs one probe; returns its report (owned) or NULL. */
static json_t *run_probe(const struct probe *pr, const char *dir, const char *out_dir)
{
	char code[1024], report[4200], sink[4200];
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	struct sbx_result res;
	struct sbx_run_opts o = { 0 };
	json_error_t jerr;
	json_t *rep = NULL;
	size_t n = 0;

	while (pr->sets[n])
		n++;
	snprintf(code, sizeof(code), "OUT = '%s'\n%s", out_dir, pr->code);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	snprintf(sink, sizeof(sink), "%s/output.txt", dir);
	sbx_error_clear(&err);
	if (sbx_policy_load_with("builtin:default", dir, 0, pr->sets, n, &p, &err) < 0)
		return NULL;
	o.kind = SBX_PROG_COMMAND;
	o.program = code;
	o.report_path = report;
	o.stdout_path = sink;
	o.stderr_path = sink;
	o.quiet = true;
	sbx_run(p, &o, &res, &err);
	sbx_policy_free(p);
	rep = json_load_file(report, 0, &jerr);
	unlink(report);
	return rep;
}

static const char *str(json_t *o, const char *path0, const char *path1)
{
	json_t *v = json_object_get(json_object_get(o, path0), path1);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool has_event(json_t *rep, const char *layer, const char *what)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(rep, "events"), i, e) {
		const char *l = json_string_value(json_object_get(e, "layer"));
		const char *ev = json_string_value(json_object_get(e, "event"));
		const char *sc = json_string_value(json_object_get(e, "syscall"));
		if (l && strcmp(l, layer) == 0 && ((ev && strcmp(ev, what) == 0) || (sc && strcmp(sc, what) == 0)))
			return true;
	}
	return false;
}

static bool active(json_t *rep, const char *layer)
{
	return json_is_true(json_object_get(json_object_get(json_object_get(rep, "layers"), layer), "active"));
}

/* The rows read from the audit probe's report. */
static const char *const first_rows[] = { "netns", "identity", "caps", "tasks", "cpu" };

/* "enforced" when a cgroup holds the limit for the whole sandbox,
 * "per process" when only an rlimit does, "not in force" when nothing. */
static const char *limit_state(const char *by)
{
	if (!by || !*by || strcmp(by, "unlimited") == 0)
		return "not in force";
	return strstr(by, "cgroup") ? "enforced" : "per process";
}

static void report_rows(FILE *out, json_t *rep)
{
	json_t *layers = json_object_get(rep, "layers"), *ns = json_object_get(layers, "netns");
	json_t *names = json_object_get(ns, "namespaces"), *v;
	json_int_t uid = json_integer_value(json_object_get(json_object_get(layers, "identity"), "uid"));
	const char *tasks = str(layers, "limits_enforced_by", "tasks");
	const char *cpu = str(layers, "limits_enforced_by", "cpu_seconds");
	size_t i;
	char list[128] = "";

	json_array_foreach(names, i, v)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 json_string_value(v));
	fprintf(out, "%-10s %-13s %s\n", "netns", active(rep, "netns") ? "enforced" : "not in force",
		active(rep, "netns") ? list : (str(layers, "netns", "reason") ?: ""));
	/* Started as root the sandbox is sandboxpy's own uid; otherwise the caller's. */
	fprintf(out, "%-10s %-13s uid %lld: %s\n", "identity", uid == SBX_SANDBOX_ID ? "enforced" : "caller's uid",
		(long long)uid, str(layers, "identity", "how") ?: "");
	fprintf(out, "%-10s %-13s no_new_privs, capabilities dropped%s\n", "caps",
		active(rep, "caps") ? "enforced" : "NOT ENFORCED",
		json_is_true(json_object_get(json_object_get(layers, "caps"), "bounding_set_cleared"))
		? ", bounding set cleared" : "");
	fprintf(out, "%-10s %-13s %s\n", "tasks", limit_state(tasks), tasks ?: "the report does not say");
	fprintf(out, "%-10s %-13s %s\n", "cpu", limit_state(cpu), cpu ?: "the report does not say");
}

/* Whether the fallback without a view would record native refusals:
 * not a layer, a record; its absence fails nothing. */
static void native_row(FILE *out)
{
	char why[240];
	bool can = sbx_lla_self_test(why, sizeof(why));

	fprintf(out, "%-10s %-13s %s%s\n", "native", can ? "recorded" : "not recorded",
		can ? "without a view, a read Landlock refuses to native code is recorded (bypass: true): "
		      "a probe's refusal came back in the kernel's audit records"
		    : "without a view, a read Landlock refuses to native code is not recorded: ", can ? "" : why);
}

int sbx_self_test(FILE *out)
{
	char base[] = "/tmp/sandboxpy-selftest-XXXXXX", dir[4200], outside[4200], marker[4300];
	bool ok[4] = { false }, failed = false;
	json_t *rep[4] = { NULL };
	char line[512];

	if (!mkdtemp(base)) {
		fprintf(out, "sandboxpy --self-test: cannot create a directory in /tmp: %s\n", strerror(errno));
		return 125;
	}
	snprintf(dir, sizeof(dir), "%s/work", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(marker, sizeof(marker), "%s/x", outside);
	/* Started as root, the sandbox runs as sandboxpy's own uid, which must
	 * be able to write its write tree (the landlock probe's "."). */
	if (mkdir(dir, 0755) < 0 || mkdir(outside, 0755) < 0 ||
	    (geteuid() == 0 && chown(dir, SBX_SANDBOX_ID, SBX_SANDBOX_ID) < 0)) {
		fprintf(out, "sandboxpy --self-test: cannot create its directories: %s\n", strerror(errno));
		sbx_rmtree(base);
		return 125;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		rep[i] = run_probe(&probes[i], dir, outside);

	fprintf(out, "%-10s %-13s %s\n", "layer", "state", "what was checked");
	/* audit: the hook refused subprocess.run */
	ok[0] = rep[0] && has_event(rep[0], "audit", "subprocess.Popen");
	fprintf(out, "%-10s %-13s %s\n", "audit", ok[0] ? "enforced" : "NOT ENFORCED",
		ok[0] ? "subprocess.run refused by the audit hook (process.spawn)" : "the hook did not refuse subprocess.run");
	/* seccomp: ptrace through ctypes refused and reported */
	ok[1] = rep[1] && has_event(rep[1], "seccomp", "ptrace");
	snprintf(line, sizeof(line), "ptrace via ctypes refused by the kernel and reported (notify: %s)",
		 rep[1] && json_is_true(json_object_get(json_object_get(json_object_get(rep[1], "layers"),
			"seccomp"), "notify")) ? "yes" : "no");
	if (!ok[1] && rep[1] && active(rep[1], "seccomp") &&
	    !json_is_true(json_object_get(json_object_get(json_object_get(rep[1], "layers"), "seccomp"), "notify")))
		snprintf(line, sizeof(line), "filter loaded but refusals are not observed (no listener)"),
		ok[1] = true;
	fprintf(out, "%-10s %-13s %s\n", "seccomp", ok[1] ? "enforced" : "NOT ENFORCED",
		ok[1] ? line : "the filter is not in force");
	/* landlock: a write outside through ctypes; the file must be absent */
	ok[2] = rep[2] && access(marker, F_OK) != 0 && active(rep[2], "landlock");
	if (ok[2]) {
		json_t *abi = json_object_get(json_object_get(json_object_get(rep[2], "layers"), "landlock"), "abi");
		snprintf(line, sizeof(line), "ABI %lld: a write outside via ctypes refused%s",
			 (long long)json_integer_value(abi),
			 has_event(rep[2], "landlock", "openat") ? " and reported" : "");
	} else {
		snprintf(line, sizeof(line), "%s", rep[2] ? (str(json_object_get(rep[2], "layers"), "landlock",
			 "reason") ?: "a write outside was not refused") : "the probe did not run");
	}
	fprintf(out, "%-10s %-13s %s\n", "landlock", ok[2] ? "enforced" : "not in force", line);
	/* namespaces, identity, capabilities: from the first report */
	if (rep[0])
		report_rows(out, rep[0]);
	else
		for (size_t i = 0; i < sizeof(first_rows) / sizeof(first_rows[0]); i++)
			fprintf(out, "%-10s %-13s %s\n", first_rows[i], "not checked",
				"the audit probe left no report to read it from");
	/* memory: a balloon must end with status memory */
	ok[3] = rep[3] && json_string_value(json_object_get(rep[3], "status")) &&
		strcmp(json_string_value(json_object_get(rep[3], "status")), "memory") == 0;
	fprintf(out, "%-10s %-13s %s%s\n", "memory", ok[3] ? "enforced" : "rlimit only",
		rep[3] ? (str(json_object_get(rep[3], "layers"), "limits_enforced_by", "memory_mb") ?: "") : "",
		ok[3] ? ": a 64 MB balloon ended with status memory" : "");
	native_row(out);

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (probes[i].needed && !ok[i])
			failed = true;
		json_decref(rep[i]);
	}
	sbx_rmtree(base);
	fprintf(out, "%s\n", failed ? "self-test FAILED: sandboxpy cannot enforce the audit hook and the "
				      "seccomp filter here; it refuses to run programs"
				    : "self-test passed: every run gets the layers marked enforced");
	return failed ? 125 : 0;
}
