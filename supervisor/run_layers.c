/* run_layers.c: what each layer of the sandbox put in force for this run,
 * said once: the report's "layers" object is built here, and --verbose's
 * lines are read from the same objects, so the two cannot disagree. */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "sbx_landlock.h"
#include "sbx_diag.h"
#include "sbx_run.h"
#include "sbx_spawn.h"

static json_t *layer(bool active, const char *reason)
{
	json_t *o = json_object();

	json_object_set_new(o, "active", json_boolean(active));
	if (!active && reason)
		json_object_set_new(o, "reason", json_string(reason));
	return o;
}

static json_t *limit_json(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *names_json(uint64_t bits, const char *(*name)(unsigned))
{
	json_t *a = json_array();

	for (unsigned b = 0; b < 64; b++)
		if ((bits & (1ULL << b)) && name(b))
			json_array_append_new(a, json_string(name(b)));
	return a;
}

static json_t *landlock_json(struct sup *s)
{
	bool on = s->ready && (s->ready_flags & SBX_READY_LANDLOCK);
	const char *reason = s->ll_reason[0] ? s->ll_reason : !s->ready ? "set-up did not finish" : NULL;
	json_t *a, *imp = json_array();
	struct sbx_ll_rights rt;

	a = layer(on, reason ? reason : "not in force");
	json_object_set_new(a, "abi", s->ll_abi > 0 ? json_integer(s->ll_abi) : json_null());
	if (s->ll_abi > 0) {
		sbx_landlock_rights(s->p, s->ll_abi, &rt);
		json_object_set_new(a, "fs_rights_handled", names_json(rt.fs, sbx_landlock_fs_right_name));
		json_object_set_new(a, "net_rights_handled", names_json(rt.net, sbx_landlock_net_right_name));
		json_object_set_new(a, "scoped", names_json(rt.scoped, sbx_landlock_scope_name));
		if (rt.net_note)
			json_object_set_new(a, "net_note", json_string(rt.net_note));
	}
	for (size_t i = 0; i < s->plan.n_implicit; i++)
		json_array_append_new(imp, json_string(s->plan.implicit_v[i]));
	json_object_set_new(a, "implicit_read", imp);
	json_object_set(a, "created", s->created);
	json_object_set_new(a, "native_refusals", sbx_lla_json(s));
	return a;
}

/* Which mechanism holds each whole-sandbox limit (report.md leaves the
 * layer names to us; a user must be able to tell a cgroup from an rlimit). */
static json_t *enforced_json(struct sup *s)
{
	const struct sbx_limits *l = &s->p->limits;
	const struct sbx_cgroup *cg = &s->cg;
	json_t *o = json_object();
	char buf[96];

	snprintf(buf, sizeof(buf), "cgroup v%d %s", cg->version,
		 cg->version == 1 ? "memory.limit_in_bytes" : "memory.max");
	json_object_set_new(o, "memory_mb", json_string(l->memory_mb < 0 ? "unlimited" : cg->memory ? buf :
#ifdef SBX_SANITIZE
		"nothing: sanitizer build, no RLIMIT_AS"
#else
		"RLIMIT_AS, per process"
#endif
		));
	if (cg->memory && l->memory_mb >= 0)
		json_object_set_new(o, "memory_note", json_string(
			"RLIMIT_AS is set to twice memory_mb + 64 MB per process: a single huge allocation "
			"raises MemoryError, the cgroup ends the sandbox at memory_mb"));
	json_object_set_new(o, "tasks", json_string(l->tasks < 0 ? "unlimited" : cg->pids ? "cgroup pids.max" :
		"RLIMIT_NPROC (counts every process of the uid)"));
	snprintf(buf, sizeof(buf), "cgroup v%d CPU usage, whole sandbox, polled every 0.1 s; "
		 "RLIMIT_CPU per process", cg->version);
	json_object_set_new(o, "cpu_seconds", json_string(l->cpu_seconds < 0 ? "unlimited" : cg->cpu ? buf :
		"RLIMIT_CPU, per process"));
	json_object_set_new(o, "wall_seconds", json_string(l->wall_seconds < 0 ? "unlimited" :
		"the supervisor's timer"));
	json_object_set_new(o, "file_size_mb", json_string(l->file_size_mb < 0 ? "unlimited" :
		"RLIMIT_FSIZE (SIGXFSZ ends the run: status output)"));
	json_object_set_new(o, "stack_mb", json_string(l->stack_mb < 0 ? "unlimited" :
		"RLIMIT_STACK, per process"));
	json_object_set_new(o, "extra_seconds", json_string(l->extra_seconds > 0
		? "the supervisor: cpu_seconds and wall_seconds end the run only past the grace, "
		  "and a run that used more than either is still timeout"
		: "no grace"));
	if (cg->reason[0])
		json_object_set_new(o, "cgroup_note", json_string(cg->reason));
	return o;
}

static json_t *netns_json(struct sup *s)
{
	const struct sbx_ns *ns = &s->plan.ns;
	static const struct { unsigned long flag; const char *name; } names[] = {
		{ CLONE_NEWUSER, "user" }, { CLONE_NEWPID, "pid" }, { CLONE_NEWNET, "net" },
		{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
	};
	bool on = s->ns_set && (ns->flags & CLONE_NEWNET);
	const char *reason = !s->ns_set ? "set-up did not finish"
			     : ns->reason[0] ? ns->reason
			     : "the policy has network rules: the sandbox uses the host's network "
			       "(Landlock restricts TCP ports)";
	json_t *o = layer(on, reason), *a = json_array();

	for (size_t i = 0; s->ns_set && i < sizeof(names) / sizeof(names[0]); i++)
		if (ns->flags & names[i].flag)
			json_array_append_new(a, json_string(names[i].name));
	json_object_set_new(o, "namespaces", a);
	json_object_set_new(o, "network", json_string(!s->ns_set ? "unknown" : on ? "empty" : "host"));
	if (s->p->process.spawn)
		json_object_set_new(o, "dev_shm", json_string(
			(s->ready_flags & SBX_READY_PRIVATE_SHM) ? "a private tmpfs"
			: "the host's (no private mount namespace): files there outlive the run"));
	return o;
}

static json_t *identity_json(struct sup *s)
{
	const struct sbx_ns *ns = &s->plan.ns;
	json_t *o = json_object();

	json_object_set_new(o, "uid", json_integer(ns->uid));
	json_object_set_new(o, "gid", json_integer(ns->gid));
	json_t *im = json_array();

	for (size_t i = 0; i < ns->n_idmap; i++)
		json_array_append_new(im, sbx_jstr(ns->idmap[i]));
	json_object_set_new(o, "idmapped", im);
	json_object_set_new(o, "how", json_string(
		ns->drop_root ? "started as root: the sandbox runs as sandboxpy's own unprivileged uid "
				"(setresuid, no supplementary groups)"
		: (ns->flags & CLONE_NEWUSER) ? "the caller's uid, mapped to itself in a user namespace"
		: "the caller's uid"));
	return o;
}

json_t *sbx_layers_json(struct sup *s)
{
	const struct sbx_limits *l = &s->p->limits;
	json_t *o = json_object(), *a, *rl;

	a = layer(s->ready, "the interpreter did not start");
	if (s->ready)
		json_object_set_new(a, "hooks", json_integer(1));
	/* The interpreter was forked from the warm pool's zygote, whose hook
	 * was in place before it started (docs/threat-model.md). */
	json_object_set_new(a, "warm", json_boolean(s->warm));
	if (!s->warm && s->o->pool && s->cold_why)
		json_object_set_new(a, "warm_reason", json_string(s->cold_why));
	json_object_set_new(o, "audit", a);
	a = layer(s->ready && (s->ready_flags & SBX_READY_SECCOMP), "set-up did not finish");
	json_object_set_new(a, "rules", json_integer(sbx_seccomp_rule_count(s->sc)));
	json_object_set_new(a, "notify", json_boolean(s->ready_flags & SBX_READY_SECCOMP_NOTIFY));
	if (s->ready && !(s->ready_flags & SBX_READY_SECCOMP_NOTIFY))
		json_object_set_new(a, "notify_reason", json_string(s->listener_lost
			? "the listener did not reach the supervisor: refused syscalls fail (ENOSYS) "
			  "but are not observed"
			: "the kernel gave no user-notification listener: kernel denials are enforced "
			  "(EPERM) but not observed"));
	json_object_set_new(a, "denied", json_integer((json_int_t)s->kernel_denied));
	json_object_set_new(o, "seccomp", a);
	json_object_set_new(o, "landlock", landlock_json(s));
	json_object_set_new(o, "netns", netns_json(s));
	json_object_set_new(o, "identity", identity_json(s));
	json_object_set_new(o, "view", sbx_view_layer_json(&s->plan, s->ready, s->ready_flags,
		s->ns_set && (s->plan.ns.drop_root || (s->plan.ns.flags & CLONE_NEWUSER))));
	json_object_set_new(o, "filesystem", sbx_fs_layer_json(s->ready, s->ready_flags, s->plan.tmpdir,
		s->ns_set && (s->plan.ns.flags & CLONE_NEWPID),
		s->ns_set && (s->plan.ns.drop_root || (s->plan.ns.flags & CLONE_NEWUSER))));
	a = layer(s->ready && (s->ready_flags & SBX_READY_CAPS), "set-up did not finish");
	json_object_set_new(a, "no_new_privs", json_boolean(s->ready_flags & SBX_READY_NO_NEW_PRIVS));
	json_object_set_new(a, "bounding_set_cleared", json_boolean(s->ready_flags & SBX_READY_CAPS_BOUND));
	json_object_set_new(o, "caps", a);
	rl = json_object();
	json_object_set_new(rl, "cpu_seconds", limit_json(l->cpu_seconds));
#ifdef SBX_SANITIZE
	json_object_set_new(rl, "memory_mb", json_null());
	json_object_set_new(rl, "memory_note", json_string("sanitizer build: RLIMIT_AS not set"));
#else
	json_object_set_new(rl, "memory_mb", limit_json(l->memory_mb));
#endif
	json_object_set_new(rl, "tasks", l->tasks < 0 ? json_null() : json_integer(l->tasks));
	json_object_set_new(rl, "open_files", l->open_files < 0 ? json_null() : json_integer(l->open_files));
	json_object_set_new(rl, "file_size_mb", limit_json(l->file_size_mb));
	json_object_set_new(rl, "stack_mb", limit_json(l->stack_mb));
	json_object_set_new(rl, "extra_seconds", json_real(l->extra_seconds));
	json_object_set_new(o, "rlimits", rl);
	json_object_set_new(o, "limits_enforced_by", enforced_json(s));
	return o;
}


/* ---- --verbose: the same, one line per layer ---- */

static void say_namespaces(struct sup *s, json_t *netns)
{
	char names[96] = "";
	size_t off = 0, i;
	json_t *v;

	json_array_foreach(json_object_get(netns, "namespaces"), i, v)
		off += (size_t)snprintf(names + off, off < sizeof(names) ? sizeof(names) - off : 0, "%s%s",
					i ? ", " : "", json_string_value(v));
	sbx_say(s->o, SBX_MSG_VERBOSE, "namespaces: %s (network: %s)%s%s", names[0] ? names : "none",
		json_string_value(json_object_get(netns, "network")), s->plan.ns.reason[0] ? "; " : "",
		s->plan.ns.reason);
}

/* "mount view: mount_flags on, tmp on, proc off, memfd_noexec on". */
static void say_mount_view(struct sup *s, json_t *fs)
{
	char parts[256] = "";
	size_t off = 0;
	const char *k;
	json_t *v;

	json_object_foreach(fs, k, v) {
		if (!json_is_object(v))
			continue;
		off += (size_t)snprintf(parts + off, off < sizeof(parts) ? sizeof(parts) - off : 0, "%s%s %s",
					off ? ", " : "", k,
					json_is_true(json_object_get(v, "active")) ? "on" : "off");
	}
	sbx_say(s->o, SBX_MSG_VERBOSE, "mount view: %s", parts);
}

static size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* The ruleset the child built: a rule per path of the plan (one that does
 * not exist is skipped there) and per TCP port. */
static void say_landlock(struct sup *s, json_t *ll)
{
	size_t r = strv_len(s->plan.read_v), w = strv_len(s->plan.write_v), x = strv_len(s->plan.exec_v);
	size_t ports = s->p->net.n_connect + s->p->net.n_bind + (s->p->net.dns ? 1 : 0);
	const char *reason = json_string_value(json_object_get(ll, "reason"));

	if (s->ll_abi <= 0) {
		sbx_say(s->o, SBX_MSG_VERBOSE, "landlock: not in force: %s", reason ? reason : "?");
		return;
	}
	sbx_say(s->o, SBX_MSG_VERBOSE, "landlock: ABI %d, %zu rules (%zu read, %zu write, %zu exec paths; "
		"up to %zu TCP ports); %s%s", s->ll_abi, r + w + x + ports, r, w, x, ports,
		json_is_true(json_object_get(ll, "active")) ? "in force" : "not in force: ",
		json_is_true(json_object_get(ll, "active")) ? "" : reason ? reason : "?");
}

static void say_seccomp(struct sup *s)
{
	bool notify = s->ready_flags & SBX_READY_SECCOMP_NOTIFY;

	sbx_say(s->o, SBX_MSG_VERBOSE, "seccomp: %s, %u rules, %u BPF instructions, notification %s",
		(s->ready_flags & SBX_READY_SECCOMP) ? "in force" : "not in force",
		sbx_seccomp_rule_count(s->sc), sbx_seccomp_insn_count(s->sc, notify), notify ? "on" : "off");
}

/* "limit memory_mb: 512, by cgroup v2 memory.max", per limit. */
static void say_limits(struct sup *s, json_t *rlimits, json_t *by)
{
	static const char *const keys[] = {
		"memory_mb", "tasks", "cpu_seconds", "wall_seconds", "file_size_mb", "open_files",
	};
	const struct sbx_limits *l = &s->p->limits;
	const double values[] = { l->memory_mb, (double)l->tasks, l->cpu_seconds, l->wall_seconds,
				  l->file_size_mb, (double)l->open_files };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *how = json_string_value(json_object_get(by, keys[i]));
		if (values[i] < 0) {
			sbx_say(s->o, SBX_MSG_VERBOSE, "limit %s: unlimited", keys[i]);
			continue;
		}
		if (!how)	/* open_files: an rlimit only */
			how = json_is_null(json_object_get(rlimits, keys[i])) ? "not set" : "RLIMIT_NOFILE, per process";
		sbx_say(s->o, SBX_MSG_VERBOSE, "limit %s: %g, by %s", keys[i], values[i], how);
	}
}

void sbx_say_layers(struct sup *s)
{
	json_t *layers, *id;

	if (!sbx_may_say(s->o, SBX_MSG_VERBOSE))
		return;
	layers = sbx_layers_json(s);
	id = json_object_get(layers, "identity");
	say_namespaces(s, json_object_get(layers, "netns"));
	say_mount_view(s, json_object_get(layers, "filesystem"));
	say_landlock(s, json_object_get(layers, "landlock"));
	say_seccomp(s);
	if (s->o->pool)
		sbx_say(s->o, SBX_MSG_VERBOSE, "interpreter: %s%s", s->warm ? "from the warm pool"
			: "started fresh: ", s->warm ? "" : s->cold_why ? s->cold_why : "?");
	sbx_say(s->o, SBX_MSG_VERBOSE, "audit hook: %s; capabilities: %s, no_new_privs %s",
		(s->ready_flags & SBX_READY_AUDIT) ? "installed" : "not installed",
		(s->ready_flags & SBX_READY_CAPS_BOUND) ? "all dropped, bounding set cleared"
		: (s->ready_flags & SBX_READY_CAPS) ? "all dropped" : "not dropped",
		(s->ready_flags & SBX_READY_NO_NEW_PRIVS) ? "on" : "off");
	say_limits(s, json_object_get(layers, "rlimits"), json_object_get(layers, "limits_enforced_by"));
	sbx_say(s->o, SBX_MSG_VERBOSE, "identity: uid %lld, gid %lld (%s)",
		(long long)json_integer_value(json_object_get(id, "uid")),
		(long long)json_integer_value(json_object_get(id, "gid")),
		json_string_value(json_object_get(id, "how")));
	json_decref(layers);
}
