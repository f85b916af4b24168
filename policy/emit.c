/* emit.c: the normalised policy back as JSON, every default filled in, so a
 * user sees exactly what runs; the output is valid input to --check-policy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_policy_int.h"

static json_t *strv_json(const struct sbx_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *net_json(const struct sbx_net_rule *r, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(r[i].text));
	return a;
}

static json_t *limit_json(double v, bool integer)
{
	if (v < 0)
		return json_null();
	if (integer || v == (double)(long long)v)
		return json_integer((json_int_t)v);
	return json_real(v);
}

int sbx_policy_to_json(const struct sbx_policy *p, char **out, struct sbx_error *err)
{
	json_t *root = json_object(), *o, *a;
	char *s;

	if (!root)
		goto oom;
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "name", json_string(p->name));

	o = json_object();
	json_object_set_new(o, "site", json_boolean(p->python.site));
	json_object_set_new(o, "path", strv_json(&p->python.path));
	a = json_object();
	for (size_t i = 0; i < p->python.n_env; i++)
		json_object_set_new(a, p->python.env[i].key, json_string(p->python.env[i].value));
	json_object_set_new(o, "env", a);
	json_object_set_new(root, "python", o);

	o = json_object();
	json_object_set_new(o, "read", strv_json(&p->fs.read));
	json_object_set_new(o, "write", strv_json(&p->fs.write));
	json_object_set_new(o, "tmp", json_boolean(p->fs.tmp));
	json_object_set_new(root, "filesystem", o);

	o = json_object();
	json_object_set_new(o, "connect", net_json(p->net.connect, p->net.n_connect));
	json_object_set_new(o, "bind", net_json(p->net.bind, p->net.n_bind));
	json_object_set_new(o, "dns", json_boolean(p->net.dns));
	json_object_set_new(root, "network", o);

	o = json_object();
	json_object_set_new(o, "spawn", json_boolean(p->process.spawn));
	json_object_set_new(o, "exec_allow", strv_json(&p->process.exec_allow));
	json_object_set_new(o, "signal_others", json_boolean(p->process.signal_others));
	json_object_set_new(root, "process", o);

	o = json_object();
	json_object_set_new(o, "ctypes", json_boolean(p->native.ctypes));
	if (p->native.extensions == SBX_EXT_LIST)
		json_object_set_new(o, "extensions", strv_json(&p->native.ext_list));
	else
		json_object_set_new(o, "extensions",
				    json_string(p->native.extensions == SBX_EXT_ANY ? "any" : "stdlib"));
	json_object_set_new(root, "native", o);

	o = json_object();
	json_object_set_new(o, "deny", strv_json(&p->imports.deny));
	json_object_set_new(root, "imports", o);

	o = json_object();
	json_object_set_new(o, "compile", json_string(sbx_action_name(p->code.compile)));
	json_object_set_new(o, "exec", json_string(sbx_action_name(p->code.exec)));
	json_object_set_new(o, "introspection", json_string(sbx_action_name(p->code.introspection)));
	json_object_set_new(o, "tracing", json_string(sbx_action_name(p->code.tracing)));
	json_object_set_new(root, "code", o);

	a = json_array();
	for (size_t i = 0; i < p->n_events; i++) {
		const struct sbx_event_rule *r = &p->events[i];
		json_t *e = json_object();
		if (r->name)
			json_object_set_new(e, "event", json_string(r->name));
		else
			json_object_set_new(e, "prefix", json_string(r->prefix));
		json_object_set_new(e, "action", json_string(sbx_action_name(r->action)));
		if (r->has_unless) {
			json_t *u = json_object(), *in = json_array();
			json_object_set_new(u, "index", json_integer((json_int_t)r->unless_index));
			for (size_t j = 0; j < r->n_unless_in; j++)
				json_array_append_new(in, json_string(r->unless_in[j]));
			json_object_set_new(u, "in", in);
			json_object_set_new(e, "unless_arg", u);
		}
		json_array_append_new(a, e);
	}
	json_object_set_new(root, "events", a);

	o = json_object();
	json_object_set_new(o, "cpu_seconds", limit_json(p->limits.cpu_seconds, false));
	json_object_set_new(o, "wall_seconds", limit_json(p->limits.wall_seconds, false));
	json_object_set_new(o, "memory_mb", limit_json(p->limits.memory_mb, false));
	json_object_set_new(o, "tasks", limit_json((double)p->limits.tasks, true));
	json_object_set_new(o, "open_files", limit_json((double)p->limits.open_files, true));
	json_object_set_new(o, "file_size_mb", limit_json(p->limits.file_size_mb, false));
	json_object_set_new(root, "limits", o);

	json_object_set_new(root, "on_violation", json_string(sbx_action_name(p->on_violation)));

	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(root);
	if (!s)
		goto oom;
	*out = s;
	return 0;
oom:
	json_decref(root);
	sbx_diag_add(err, NULL, 0, 0, NULL, "out of memory");
	return -ENOMEM;
}
