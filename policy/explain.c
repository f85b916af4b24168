/* explain.c: --explain, what a policy allows and denies, section by section,
 * in plain words. Later layers add their own lines (sandboxpy.h callers
 * print those after this). */
#include <stdio.h>
#include <string.h>

#include "sbx_policy_int.h"

static const char *deny_word(const struct sbx_policy *p)
{
	return p->on_violation == SBX_KILL ? "ends the sandbox (on_violation: kill)"
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
	case SBX_DENY: s = p->on_violation == SBX_KILL ? "denied: ends the sandbox"
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

int sbx_policy_explain(const struct sbx_policy *p, FILE *out)
{
	fprintf(out, "policy %s (%s)\n", p->name, p->source);
	fprintf(out, "working directory: %s\n", p->cwd);
	fprintf(out, "a violation %s\n\n", deny_word(p));

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

	fprintf(out, "filesystem\n");
	list(out, "may read", &p->fs.read, "nothing but the implicit set");
	list(out, "may create, write, rename and remove in", &p->fs.write, "nothing");
	fprintf(out, "  private temporary directory: %s\n",
		p->fs.tmp ? "yes, exposed as TMPDIR, removed afterwards" : "no");
	fprintf(out, "  always readable: the standard library and its extension modules, the shared\n"
		     "  libraries they load, /dev/null, /dev/zero, /dev/urandom\n\n");

	fprintf(out, "network\n");
	if (sbx_policy_no_network(p)) {
		fprintf(out, "  none at all: sockets other than local (AF_UNIX) pairs are refused\n\n");
	} else {
		fprintf(out, "  may connect to:");
		if (!p->net.n_connect)
			fprintf(out, " nothing");
		for (size_t i = 0; i < p->net.n_connect; i++)
			fprintf(out, "%s %s", i ? "," : "", p->net.connect[i].text);
		fprintf(out, "\n  may bind:");
		if (!p->net.n_bind)
			fprintf(out, " nothing");
		for (size_t i = 0; i < p->net.n_bind; i++)
			fprintf(out, "%s %s", i ? "," : "", p->net.bind[i].text);
		fprintf(out, "\n  name resolution: %s\n\n", p->net.dns ? "allowed" : "denied");
	}

	fprintf(out, "process\n");
	if (!p->process.spawn)
		fprintf(out, "  may not start programs or fork (threads are fine)\n");
	else if (!p->process.exec_allow.n)
		fprintf(out, "  may start any program it can read\n");
	else
		list(out, "may start only", &p->process.exec_allow, "");
	if (!p->process.spawn && p->process.exec_allow.n)
		fprintf(out, "  exec_allow is listed but has no effect while spawn is false\n");
	fprintf(out, "  signals to processes outside the sandbox: %s\n\n",
		p->process.signal_others ? "allowed" : "denied");

	fprintf(out, "native code\n");
	fprintf(out, "  ctypes: %s\n", p->native.ctypes ? "allowed" : "denied");
	if (p->native.extensions == SBX_EXT_LIST)
		list(out, "C extensions: the standard library's, and", &p->native.ext_list, "");
	else
		fprintf(out, "  C extensions: %s\n", p->native.extensions == SBX_EXT_ANY
			? "any" : "only the standard library's");
	fputc('\n', out);

	fprintf(out, "imports\n");
	list(out, "denied, with their submodules", &p->imports.deny, "none");
	fputc('\n', out);

	fprintf(out, "code\n");
	action_line(out, p, "compile", p->code.compile);
	action_line(out, p, "exec", p->code.exec);
	action_line(out, p, "introspection", p->code.introspection);
	action_line(out, p, "tracing", p->code.tracing);
	if (p->code.compile >= SBX_DENY || p->code.exec >= SBX_DENY)
		fprintf(out, "  note: denying compile or exec also stops importing source modules\n");
	fputc('\n', out);

	fprintf(out, "events (checked first, in order; the first match decides)\n");
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
	fputc('\n', out);

	fprintf(out, "limits\n");
	limit(out, "cpu", p->limits.cpu_seconds, "s");
	limit(out, "wall clock", p->limits.wall_seconds, "s");
	limit(out, "memory", p->limits.memory_mb, "MB");
	limit(out, "tasks", (double)p->limits.tasks, "processes and threads");
	limit(out, "open files", (double)p->limits.open_files, "descriptors");
	limit(out, "file size", p->limits.file_size_mb, "MB");
	return 0;
}
