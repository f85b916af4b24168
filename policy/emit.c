/* emit.c: the normalised policy back as JSON, every default filled in, so a
 * user sees exactly what runs; the output is valid input to --check-policy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_policy_int.h"
#include "sbx_rules.h"

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

/* A section's rules, in registry order, each written by its kind. */
static json_t *section_json(const struct sbx_policy *p, const char *name)
{
	json_t *o = json_object();
	size_t n;

	for (int r = 0; o && r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		json_t *v = NULL;
		if (!ri->key || strcmp(ri->section, name) != 0)
			continue;
		switch (ri->kind) {
		case SBX_RK_BOOL: v = json_boolean(sbx_rule_bool(p, ri->id)); break;
		case SBX_RK_ACTION: v = json_string(sbx_action_name(sbx_rule_action(p, ri->id))); break;
		case SBX_RK_PATHS:
		case SBX_RK_DENY_MODULES: v = strv_json(sbx_rule_strv(p, ri->id)); break;
		case SBX_RK_ADDRS: {
			const struct sbx_net_rule *a = sbx_rule_addrs(p, ri->id, &n);
			v = net_json(a, n);
			break;
		}
		case SBX_RK_EXTENSIONS:
			v = p->native.extensions == SBX_EXT_LIST ? strv_json(&p->native.ext_list)
				: json_string(p->native.extensions == SBX_EXT_ANY ? "any" : "stdlib");
			break;
		case SBX_RK_NETWORK:
		case SBX_RK_EVENTS:
		case SBX_RK_NONE:
			break;
		}
		if (v)
			json_object_set_new(o, ri->key, v);
	}
	return o;
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

	o = section_json(p, "filesystem");
	json_object_set_new(o, "tmp", json_boolean(p->fs.tmp));
	if (p->fs.implicit_drop) {
		size_t n;
		const struct sbx_implicit *it = sbx_implicit_items(&n);
		json_t *keep = json_array();
		for (size_t i = 0; i < n; i++)
			if (it[i].name && !(p->fs.implicit_drop & (1u << sbx_implicit_bit(it[i].name))))
				json_array_append_new(keep, json_string(it[i].name));
		json_object_set_new(o, "implicit", keep);
	}
	json_object_set_new(root, "filesystem", o);
	json_object_set_new(root, "network", section_json(p, "network"));
	json_object_set_new(root, "process", section_json(p, "process"));
	json_object_set_new(root, "native", section_json(p, "native"));
	json_object_set_new(root, "imports", section_json(p, "imports"));
	json_object_set_new(root, "code", section_json(p, "code"));

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
	json_object_set_new(o, "stack_mb", limit_json(p->limits.stack_mb, false));
	json_object_set_new(o, "extra_seconds", limit_json(p->limits.extra_seconds, false));
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
