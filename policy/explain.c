/* explain.c: --explain, what a policy allows and denies, section by section,
 * in plain words, each rule worded from its registry row (rules.c). Later
 * layers add their own lines (sandboxpy.h callers print those after this). */
#include <stdio.h>
#include <string.h>

#include "sbx_policy_int.h"
#include "sbx_rules.h"

static const char *deny_word(const struct sbx_policy *p)
{
	return sbx_policy_deny_action(p) == SBX_KILL ? "ends the sandbox (on_violation: kill)"
					   : "raises PermissionError";
}

static void list(FILE *out, const char *label, const struct sbx_strv *sv, const char *none)
{
	fprintf(out, "  %s:", label);
	if (!sv->n)
		fprintf(out, " %s\n", none);
	else {
		fputc('\n', out);
		for (size_t i = 0; i < sv->n; i++)
			fprintf(out, "    %s\n", sv->v[i]);
	}
}

static void action_line(FILE *out, const struct sbx_policy *p, const char *what,
			enum sbx_action a)
{
	const char *s = "";

	switch (a) {
	case SBX_ALLOW: s = "allowed"; break;
	case SBX_LOG: s = "allowed and recorded"; break;
	case SBX_DENY: s = sbx_policy_deny_action(p) == SBX_KILL ? "denied: ends the sandbox"
						       : "denied: raises PermissionError"; break;
	case SBX_KILL: s = "ends the sandbox"; break;
	default: break;
	}
	fprintf(out, "  %-16s %s\n", what, s);
}

static void limit(FILE *out, const char *what, double v, const char *unit)
{
	if (v < 0)
		fprintf(out, "  %-16s unlimited\n", what);
	else
		fprintf(out, "  %-16s %g %s\n", what, v, unit);
}

static void python_section(const struct sbx_policy *p, FILE *out)
{
	fprintf(out, "python\n");
	fprintf(out, "  interpreter starts isolated (no PYTHON* variables, no user site)\n");
	fprintf(out, "  site: %s\n", p->python.site ? "runs; site-packages become readable"
						   : "off (no site-packages)");
	list(out, "prepended to sys.path (readable)", &p->python.path, "nothing");
	fprintf(out, "  environment: PATH=/usr/bin:/bin, HOME=%s%s", p->cwd,
		p->fs.tmp ? ", TMPDIR=<private dir>" : "");
	for (size_t i = 0; i < p->python.n_env; i++)
		fprintf(out, ", %s=%s", p->python.env[i].key, p->python.env[i].value);
	fprintf(out, "; nothing else\n\n");
}

static void events_list(const struct sbx_policy *p, FILE *out)
{
	if (!p->n_events)
		fprintf(out, "  no rules\n");
	for (size_t i = 0; i < p->n_events; i++) {
		const struct sbx_event_rule *r = &p->events[i];
		fprintf(out, "  [%zu] %s %s%s: %s", i, r->name ? "event" : "prefix",
			r->name ? r->name : r->prefix, r->name ? "" : "*", sbx_action_name(r->action));
		if (r->has_unless) {
			fprintf(out, " unless argument %zu is one of", r->unless_index);
			for (size_t j = 0; j < r->n_unless_in; j++)
				fprintf(out, " '%s'", r->unless_in[j]);
		}
		fputc('\n', out);
	}
}

static void addrs_line(const struct sbx_policy *p, const struct sbx_rule_info *ri, FILE *out)
{
	size_t n;
	const struct sbx_net_rule *a = sbx_rule_addrs(p, ri->id, &n);

	fprintf(out, "  %s:", ri->explain);
	if (!n)
		fprintf(out, " %s", ri->none);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s %s", i ? "," : "", a[i].text);
	fputc('\n', out);
}

/* One rule's line(s), worded by its kind and its registry row. */
static void rule_lines(const struct sbx_policy *p, const struct sbx_rule_info *ri, FILE *out)
{
	const struct sbx_strv *sv = sbx_rule_strv(p, ri->id);

	switch (ri->kind) {
	case SBX_RK_BOOL:
		fprintf(out, "  %s: %s\n", ri->explain, sbx_rule_bool(p, ri->id) ? "allowed" : "denied");
		break;
	case SBX_RK_ACTION:
		action_line(out, p, ri->explain, sbx_rule_action(p, ri->id));
		break;
	case SBX_RK_PATHS:
	case SBX_RK_DENY_MODULES:
		if (ri->requires && !sbx_rule_bool(p, ri->requires) && sv->n)
			fprintf(out, "  %s is listed but has no effect while %s is false\n", ri->name,
				sbx_rule_name(ri->requires));
		else if (!ri->requires || sbx_rule_bool(p, ri->requires))
			list(out, ri->explain, sv, ri->none);
		break;
	case SBX_RK_ADDRS:
		addrs_line(p, ri, out);
		break;
	case SBX_RK_EXTENSIONS:
		if (p->native.extensions == SBX_EXT_LIST)
			list(out, "C extensions: the standard library's, and", sv, "");
		else
			fprintf(out, "  %s: %s\n", ri->explain, p->native.extensions == SBX_EXT_ANY
				? "any" : "only the standard library's");
		break;
	case SBX_RK_EVENTS:
		events_list(p, out);
		break;
	case SBX_RK_NETWORK:
	case SBX_RK_NONE:
		break;
	}
}

/* The implicit read set, exactly as the run gets it (implicit.c): each
 * item that applies, its name when filesystem.implicit can drop it. */
static void implicit_lines(const struct sbx_policy *p, FILE *out)
{
	size_t n;
	const struct sbx_implicit *it = sbx_implicit_items(&n);

	fprintf(out, "  always readable (implicit; filesystem.implicit keeps the named ones it lists):\n");
	for (size_t i = 0; i < n; i++) {
		if (!sbx_implicit_applies(p, &it[i], p->python.site))
			continue;
		fprintf(out, "    %s%s%s%s:", it[i].name ? "[" : "", it[i].name ? it[i].name : "",
			it[i].name ? "] " : "", it[i].why);
		for (const char *const *s = it[i].paths; *s; s++)
			fprintf(out, " %s", *s);
		fputc('\n', out);
	}
	for (size_t i = 0; i < n; i++)
		if (it[i].name && !sbx_implicit_applies(p, &it[i], p->python.site))
			fprintf(out, "    dropped: [%s]\n", it[i].name);
}

/* A section: its rules in registry order, and what belongs to no rule. */
static void section(const struct sbx_policy *p, const char *name, FILE *out)
{
	bool none = strcmp(name, "network") == 0 && sbx_policy_no_network(p);

	fprintf(out, "%s\n", strcmp(name, "events") == 0 ? sbx_rules[SBX_RULE_EVENTS].explain : name);
	for (int r = 0; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		if (!ri->section || strcmp(ri->section, name) != 0)
			continue;
		if (ri->kind == SBX_RK_NETWORK && none)
			fprintf(out, "  %s\n", ri->explain);
		else if (!none)
			rule_lines(p, ri, out);
	}
	if (strcmp(name, "filesystem") == 0) {
		fprintf(out, "  private temporary directory: %s\n",
			p->fs.tmp ? "yes, exposed as TMPDIR, removed afterwards" : "no");
		implicit_lines(p, out);
	}
	if (strcmp(name, "code") == 0 && (p->code.compile >= SBX_DENY || p->code.exec >= SBX_DENY))
		fprintf(out, "  note: denying compile or exec also stops importing source modules\n");
	fputc('\n', out);
}

int sbx_policy_explain(const struct sbx_policy *p, FILE *out)
{
	static const char *const sections[] = {
		"filesystem", "network", "process", "native", "imports", "code", "events",
	};

	fprintf(out, "policy %s (%s)\n", p->name, p->source);
	fprintf(out, "working directory: %s\n", p->cwd);
	fprintf(out, "a violation %s\n\n", deny_word(p));
	python_section(p, out);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		section(p, sections[i], out);

	fprintf(out, "limits\n");
	limit(out, "cpu", p->limits.cpu_seconds, "s");
	limit(out, "wall clock", p->limits.wall_seconds, "s");
	limit(out, "memory", p->limits.memory_mb, "MB");
	limit(out, "tasks", (double)p->limits.tasks, "processes and threads");
	limit(out, "open files", (double)p->limits.open_files, "descriptors");
	limit(out, "file size", p->limits.file_size_mb, "MB");
	limit(out, "stack", p->limits.stack_mb, "MB");
	if (p->limits.extra_seconds > 0)
		fprintf(out, "  %-16s %g s past the cpu and wall limits before the run is ended "
			"(still status timeout)\n", "extra time", p->limits.extra_seconds);
	return 0;
}
