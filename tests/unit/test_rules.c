/* test_rules.c: every rule id walked through every consumer of the rule
 * registry (policy/rules.c). A rule added to the registry, or to
 * enum sbx_rule, without an answer in one consumer fails here: the
 * policy reader and writer, the setting and hint words, --explain (policy
 * and per clause), --learn, the layers' own tables (audit events, seccomp
 * rows, Landlock), the supervisor's check of records, and the packed form
 * that carries the policy into the interpreter's image (policy/pack.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "sandboxpy.h"
#include "sbx_events.h"
#include "sbx_pack.h"
#include "sbx_rules.h"
#include "sbx_seccomp.h"
#include "sbx_supervisor.h"

static char dir[] = "/tmp/sbx-test-rules-XXXXXX";

static struct sbx_policy *load_text(const char *text)
{
	struct sbx_policy *p = NULL;
	struct sbx_error err;
	char msg[512];

	sbx_error_clear(&err);
	if (sbx_policy_load_string(text, strlen(text), "rules.json", dir, SBX_LOAD_NO_RESOLVE, &p,
				   &err) < 0) {
		sbx_error_format(&err, 0, msg, sizeof(msg));
		fail_msg("%s: %s", text, msg);
	}
	return p;
}

/* A policy that sets rule r to its allowing value, as JSON text. */
static void allowing_policy(const struct sbx_rule_info *ri, char *buf, size_t len)
{
	switch (ri->kind) {
	case SBX_RK_BOOL:
		snprintf(buf, len, "{\"version\": 1, \"%s\": {\"%s\": true}}", ri->section, ri->key);
		break;
	case SBX_RK_ACTION:
		snprintf(buf, len, "{\"version\": 1, \"%s\": {\"%s\": \"log\"}}", ri->section, ri->key);
		break;
	case SBX_RK_PATHS:
		snprintf(buf, len, "{\"version\": 1, \"%s\": {\"spawn\": true, "
			 "\"%s\": [\"/usr/bin/true\"]}}", ri->section, ri->key);
		if (ri->id != SBX_RULE_EXEC_ALLOW)
			snprintf(buf, len, "{\"version\": 1, \"%s\": {\"%s\": [\"%s\"]}}", ri->section,
				 ri->key, dir);
		break;
	case SBX_RK_ADDRS:
		snprintf(buf, len, "{\"version\": 1, \"%s\": {\"%s\": [\"127.0.0.1:9\"]}}", ri->section,
			 ri->key);
		break;
	case SBX_RK_DENY_MODULES:
	case SBX_RK_EXTENSIONS:
		snprintf(buf, len, "{\"version\": 1, \"%s\": {\"%s\": [\"zlib\"]}}", ri->section, ri->key);
		break;
	case SBX_RK_EVENTS:
		snprintf(buf, len, "{\"version\": 1, \"events\": [{\"event\": \"app.x\", \"action\": \"deny\"}]}");
		break;
	case SBX_RK_NETWORK:
	case SBX_RK_NONE:
		snprintf(buf, len, "{\"version\": 1}");
		break;
	}
}

static struct sbx_policy *allowing(const struct sbx_rule_info *ri)
{
	char text[512];

	allowing_policy(ri, text, sizeof(text));
	return load_text(text);
}

static void test_rows_complete(void **state)
{
	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		if (ri->id != (enum sbx_rule)r || !ri->name || !strcmp(sbx_rule_name(ri->id), "unknown"))
			fail_msg("rule %d: no row, or a row out of place", r);
		for (int o = 1; o < r; o++)
			if (!strcmp(sbx_rules[o].name, ri->name))
				fail_msg("%s: named twice", ri->name);
		if (!ri->explain)
			fail_msg("%s: no --explain words", ri->name);
		if (ri->kind != SBX_RK_NONE && !ri->section)
			fail_msg("%s: a policy value without a section", ri->name);
		if (ri->key && !ri->method)
			fail_msg("%s: no Python wrapper method", ri->name);
		if ((ri->kind == SBX_RK_BOOL || ri->kind == SBX_RK_ACTION || ri->kind == SBX_RK_PATHS ||
		     ri->kind == SBX_RK_ADDRS) && (!ri->key || !ri->offset))
			fail_msg("%s: a value the registry cannot find", ri->name);
		if ((ri->kind == SBX_RK_NONE) != (ri->learn == SBX_LEARN_NEVER))
			fail_msg("%s: --learn must widen every rule a policy can allow", ri->name);
		if (ri->requires && sbx_rule_info(ri->requires)->kind != SBX_RK_BOOL)
			fail_msg("%s: requires a rule that is no switch", ri->name);
	}
}

/* The reader takes the allowing value, and the writer gives it back. */
static void test_reader_and_writer(void **state)
{
	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		char *out = NULL, want[256];
		struct sbx_policy *p;
		struct sbx_error err;

		if (ri->kind != SBX_RK_BOOL && ri->kind != SBX_RK_ACTION)
			continue;
		p = allowing(ri);
		if (ri->kind == SBX_RK_BOOL && !sbx_rule_bool(p, ri->id))
			fail_msg("%s: the reader did not set it", ri->name);
		if (ri->kind == SBX_RK_ACTION && sbx_rule_action(p, ri->id) != SBX_LOG)
			fail_msg("%s: the reader did not set it", ri->name);
		sbx_error_clear(&err);
		assert_int_equal(sbx_policy_to_json(p, &out, &err), 0);
		json_t *doc = json_loads(out, 0, NULL);
		json_t *v = json_object_get(json_object_get(doc, ri->section), ri->key);
		snprintf(want, sizeof(want), "%s", ri->kind == SBX_RK_BOOL ? "true" : "log");
		if (!(ri->kind == SBX_RK_BOOL ? json_is_true(v)
					      : json_is_string(v) && !strcmp(json_string_value(v), want)))
			fail_msg("%s: --show-policy lost it", ri->name);
		json_decref(doc);
		free(out);
		sbx_policy_free(p);
	}
}

static void test_words(void **state)
{
	struct sbx_policy *p = load_text("{\"version\": 1}");

	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		char setting[256], hint[512];

		sbx_rule_setting(p, ri->id, 0, setting, sizeof(setting));
		if (!setting[0] || !strcmp(setting, "unknown"))
			fail_msg("%s: no setting words", ri->name);
		sbx_rule_hint(ri->id, "x", hint, sizeof(hint));
		if ((ri->learn != SBX_LEARN_NEVER) != (hint[0] != '\0'))
			fail_msg("%s: a hint for what cannot be allowed, or none for what can", ri->name);
		if (hint[0] && !strstr(hint, ri->section))
			fail_msg("%s: the hint '%s' does not name its section", ri->name, hint);
	}
	sbx_policy_free(p);
}

/* Reads what fn wrote to a FILE. */
static char *captured(int (*fn)(const struct sbx_policy *, FILE *), const struct sbx_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(p, f);
	fclose(f);
	return buf;
}

static int explain_all(const struct sbx_policy *p, FILE *f)
{
	struct sbx_error err;

	sbx_error_clear(&err);
	return sbx_explain(p, 0, f, &err);
}

static void test_explain(void **state)
{
	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		char line[256];
		struct sbx_policy *p;
		char *out;

		if (!ri->section)
			continue;
		p = allowing(ri);
		out = captured(sbx_policy_explain, p);
		if (ri->kind != SBX_RK_EVENTS && !strstr(out, ri->explain))
			fail_msg("%s: --explain does not word it (\"%s\")", ri->name, ri->explain);
		free(out);
		out = captured(explain_all, p);
		snprintf(line, sizeof(line), "\n  %s\n",
			 ri->kind == SBX_RK_NETWORK ? "network (no rules: none at all)" : ri->name);
		if (!strstr(out, line))
			fail_msg("%s: no clause in the per-layer --explain", ri->name);
		free(out);
		sbx_policy_free(p);
	}
}

/* Each layer bit agrees with the layer's own table. */
static void test_layers(void **state)
{
	struct sbx_policy *p = load_text("{\"version\": 1}");

	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		bool hook = ri->id == SBX_RULE_EVENTS;	/* the user's own rules: by name */
		char calls[4096];

		/* A rule that requires another is checked by that one's events. */
		for (size_t i = 0; i < sbx_event_table_len; i++)
			hook |= (sbx_event_table[i].rule == ri->id || (ri->requires && sbx_event_table[i].rule == ri->requires)) &&
				sbx_event_table[i].handler != SBX_H_IGNORE;
		if (hook != !!(ri->layers & SBX_BY_HOOK))
			fail_msg("%s: the hook's event table and the registry disagree", ri->name);
		sbx_seccomp_rule_calls(p, ri->id, calls, sizeof(calls));
		if ((calls[0] != '\0') != !!(ri->layers & SBX_BY_SECCOMP))
			fail_msg("%s: the seccomp table and the registry disagree (%s)", ri->name, calls);
		if ((ri->landlock != SBX_LL_NONE) != !!(ri->layers & SBX_BY_LANDLOCK))
			fail_msg("%s: Landlock's part and the registry disagree", ri->name);
	}
	sbx_policy_free(p);
}

/* A denial of each rule, learnt: the notes name the clause widened. */
static void test_learn(void **state)
{
	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		char rule[64], out_path[256], notes[300], *rep, *text;
		const char *event = "app.x";
		json_t *args = json_array(), *ev, *doc;
		struct sbx_policy *p = load_text(ri->kind == SBX_RK_EVENTS
			? "{\"version\": 1, \"events\": [{\"event\": \"app.x\", \"action\": \"deny\"}]}"
			: ri->kind == SBX_RK_DENY_MODULES ? "{\"version\": 1, \"imports\": {\"deny\": [\"zlib\"]}}"
			: "{\"version\": 1}");
		struct sbx_error err;
		FILE *f;
		size_t n;

		snprintf(rule, sizeof(rule), "%s", ri->kind == SBX_RK_EVENTS ? "events[0]" : ri->name);
		/* The event as the report has it: its arguments, and the
		 * operand the layer judged (--learn reads only the operand). */
		ev = json_object();
		switch (ri->fill) {
		case SBX_FILL_PATH: {
			/* Outside the default read tree (the working directory). */
			const char *path = ri->id == SBX_RULE_EXEC_ALLOW ? "/usr/bin/true"
					   : ri->id == SBX_RULE_FS_READ ? "/usr/share/doc" : dir;
			event = ri->id == SBX_RULE_FS_READ ? "open" : ri->id == SBX_RULE_FS_WRITE ? "os.mkdir"
											   : "subprocess.Popen";
			json_array_append_new(args, json_string(path));
			json_object_set_new(ev, ri->id == SBX_RULE_EXEC_ALLOW ? "program" : "path", json_string(path));
			break;
		}
		case SBX_FILL_ADDR:
			event = "socket.connect";
			json_array_append_new(args, json_null());
			json_array_append_new(args, json_pack("[si]", "127.0.0.1", 9));
			json_object_set_new(ev, "addr", json_string("127.0.0.1:9"));
			break;
		case SBX_FILL_MODULE:
			event = "import";
			json_array_append_new(args, json_string("zlib"));
			json_object_set_new(ev, "module", json_string("zlib"));
			break;
		default:
			break;
		}
		json_object_update_new(ev, json_pack("{ss ss ss ss so}", "rule", rule, "would", "deny",
						     "action", "deny", "event", event, "args", args));
		doc = json_pack("{s[o] s{sf}}", "events", ev, "time", "wall_s", 1.0);
		rep = json_dumps(doc, 0);
		snprintf(out_path, sizeof(out_path), "%s/learnt-%d.json", dir, r);
		sbx_error_clear(&err);
		if (sbx_learn(out_path, p, rep, NULL, &err) < 0)
			fail_msg("%s: --learn failed", ri->name);
		snprintf(notes, sizeof(notes), "%s.notes", out_path);
		f = fopen(notes, "re");
		assert_non_null(f);
		text = calloc(1, 65536);
		n = fread(text, 1, 65535, f);
		text[n] = '\0';
		fclose(f);
		if (!strstr(text, ri->kind == SBX_RK_NONE ? "not learnt" : ri->section))
			fail_msg("%s: --learn has no answer for it:\n%s", ri->name, text);
		free(text);
		free(rep);
		json_decref(doc);
		sbx_policy_free(p);
	}
}

/* The supervisor believes a record of each rule at the action the policy
 * gives it, and no other. */
static void test_plausible(void **state)
{
	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		struct sbx_policy *p = allowing(ri);
		struct sbx_decoded d = { .rule = ri->id };

		snprintf(d.event, sizeof(d.event), "app.x");
		d.action = ri->kind == SBX_RK_ACTION ? SBX_LOG : SBX_DENY;
		if (!sbx_event_plausible(p, &d))
			fail_msg("%s: the supervisor refuses the hook's own record", ri->name);
		d.action = ri->kind == SBX_RK_ACTION ? SBX_DENY : SBX_LOG;
		if (sbx_event_plausible(p, &d))
			fail_msg("%s: the supervisor believes a forged action", ri->name);
		sbx_policy_free(p);
	}
}


/* Packed and unpacked, a policy is the one packed: --show-policy of both
 * is the same text, and so are the fields it does not show. Every cut of
 * the packed bytes is refused whole. */
static void check_pack(const struct sbx_policy *p)
{
	struct sbx_packer w = { 0 };
	struct sbx_unpacker r;
	struct sbx_policy *q = NULL;
	struct sbx_error err;
	char *a = NULL, *b = NULL;

	sbx_policy_pack(&w, p);
	assert_false(w.failed);
	r = (struct sbx_unpacker){ .p = w.buf, .left = w.len };
	assert_int_equal(sbx_policy_unpack(&r, &q), 0);
	assert_int_equal(r.left, 0);
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_to_json(p, &a, &err), 0);
	assert_int_equal(sbx_policy_to_json(q, &b, &err), 0);
	assert_string_equal(a, b);
	assert_string_equal(p->cwd, q->cwd);
	assert_string_equal(p->source, q->source);
	assert_string_equal(p->sha256, q->sha256);
	assert_int_equal(p->fs.implicit_drop, q->fs.implicit_drop);
	assert_memory_equal(&p->limits, &q->limits, sizeof(p->limits));
	for (size_t cut = 0; cut < w.len; cut += 1 + cut / 64) {
		struct sbx_policy *t = NULL;
		r = (struct sbx_unpacker){ .p = w.buf, .left = cut };
		assert_int_equal(sbx_policy_unpack(&r, &t), -EINVAL);
		assert_null(t);
	}
	sbx_policy_free(q);
	free(a);
	free(b);
	free(w.buf);
}

static void test_pack(void **state)
{
	static const char rich[] = "{\"version\": 1, \"name\": \"rich\", "
		"\"python\": {\"site\": true, \"env\": {\"A\": \"1\", \"LANG\": \"C.UTF-8\"}}, "
		"\"network\": {\"connect\": [\"127.0.0.1:80\", \"[::1]:*\"], \"bind\": [\"127.0.0.1:8080\"], "
		"\"dns\": true}, \"imports\": {\"deny\": [\"socket\", \"ctypes\"]}, "
		"\"native\": {\"extensions\": [\"zlib\", \"numpy\"]}, "
		"\"filesystem\": {\"implicit\": [\"identity\", \"ssl\"]}, "
		"\"events\": [{\"event\": \"app.x\", \"action\": \"deny\"}, "
		"{\"prefix\": \"app.\", \"action\": \"log\"}], "
		"\"limits\": {\"cpu_seconds\": 2.5, \"memory_mb\": 300, \"tasks\": 7}}";
	(void)state;
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		struct sbx_policy *p = allowing(&sbx_rules[r]);
		check_pack(p);
		sbx_policy_free(p);
	}
	for (const char *const *n = sbx_builtin_names; *n; n++) {
		struct sbx_policy *p = NULL;
		struct sbx_error err;
		sbx_error_clear(&err);
		assert_int_equal(sbx_policy_load_builtin(*n, dir, 0, &p, &err), 0);
		check_pack(p);
		sbx_policy_free(p);
	}
	struct sbx_policy *p = load_text(rich);
	assert_int_equal(p->n_events, 2);
	check_pack(p);
	sbx_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_complete),
		cmocka_unit_test(test_reader_and_writer),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_learn),
		cmocka_unit_test(test_plausible),
		cmocka_unit_test(test_pack),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
