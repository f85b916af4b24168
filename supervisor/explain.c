/* explain.c: --explain for the whole product: the policy module's words
 * for each section; then, clause by clause, which layers enforce it on
 * this machine and how (audit events and rule id, seccomp syscalls,
 * Landlock rights, namespace, rlimit or cgroup), and what this machine
 * cannot enforce; then the seccomp filter per rule id. Everything comes
 * from the rule registry (rules.c), the tables and probes that build the
 * layers, not from prose. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_events.h"
#include "sbx_landlock.h"
#include "sbx_diag.h"
#include "sbx_rules.h"
#include "sbx_seccomp.h"
#include "sbx_supervisor.h"
#include "sandboxpy.h"

/* Up to max audit events of rule, then how many more. */
static void audit_events(enum sbx_rule rule, FILE *out)
{
	size_t shown = 0, total = 0;

	if (rule == SBX_RULE_EVENTS) {
		fprintf(out, "    audit hook: any event an events[] rule names, checked before the "
			     "sections (rule events[N])\n");
		return;
	}
	for (size_t i = 0; i < sbx_event_table_len; i++)
		total += sbx_event_table[i].rule == rule && sbx_event_table[i].handler != SBX_H_IGNORE;
	if (!total) {
		fprintf(out, "    audit hook: no event of its own\n");
		return;
	}
	fprintf(out, "    audit hook (rule %s): ", sbx_rule_name(rule));
	for (size_t i = 0; i < sbx_event_table_len && shown < 8; i++) {
		if (sbx_event_table[i].rule != rule || sbx_event_table[i].handler == SBX_H_IGNORE)
			continue;
		fprintf(out, "%s%s", shown ? ", " : "", sbx_event_table[i].event);
		shown++;
	}
	if (total > shown)
		fprintf(out, " and %zu more (docs/events.md)", total - shown);
	fputc('\n', out);
}

static void rights(uint64_t bits, const char *(*name)(unsigned), FILE *out)
{
	bool first = true;

	for (unsigned b = 0; b < 64; b++) {
		if (!(bits & (1ULL << b)) || !name(b))
			continue;
		fprintf(out, "%s%s", first ? "" : ", ", name(b));
		first = false;
	}
	if (first)
		fprintf(out, "none");
}

static void landlock_part(const struct sbx_policy *p, enum sbx_ll_part part, int abi, FILE *out)
{
	struct sbx_ll_rights rt;

	if (part == SBX_LL_NONE)
		return;
	if (abi <= 0) {
		fprintf(out, "    landlock: NOT ON THIS MACHINE (%s)\n",
			abi == -EOPNOTSUPP ? "Landlock is disabled at boot" : "the kernel has no Landlock");
		return;
	}
	sbx_landlock_rights(p, abi, &rt);
	switch (part) {
	case SBX_LL_READ:
		fprintf(out, "    landlock (ABI %d): beneath each tree: ", abi);
		rights(rt.read, sbx_landlock_fs_right_name, out);
		fputc('\n', out);
		break;
	case SBX_LL_WRITE:
		fprintf(out, "    landlock (ABI %d): beneath each tree: ", abi);
		rights(rt.write, sbx_landlock_fs_right_name, out);
		fputc('\n', out);
		break;
	case SBX_LL_EXEC:
		fprintf(out, "    landlock (ABI %d): EXECUTE only on the listed programs and the ELF "
			     "loader\n", abi);
		break;
	case SBX_LL_TCP_CONNECT:
	case SBX_LL_TCP_BIND:
		if (abi < 4)
			fprintf(out, "    landlock: NOT ON THIS MACHINE (ABI %d has no network rules; "
				     "ABI 4 does): the supervisor's address check alone\n", abi);
		else if (rt.net_note)
			fprintf(out, "    landlock (ABI %d): not used: %s\n", abi, rt.net_note);
		else if (sbx_policy_no_network(p))
			fprintf(out, "    landlock (ABI %d): every TCP connect and bind refused\n", abi);
		else
			fprintf(out, "    landlock (ABI %d): TCP %s only to the listed ports (UDP is not "
				     "Landlock's: the supervisor checks it)\n", abi,
				part == SBX_LL_TCP_CONNECT ? "connect" : "bind");
		break;
	case SBX_LL_SIGNAL:
		if (abi < 6)
			fprintf(out, "    landlock: NOT ON THIS MACHINE (ABI %d has no signal scoping; "
				     "ABI 6 does)\n", abi);
		else
			fprintf(out, "    landlock (ABI %d): signals scoped to the sandbox%s\n", abi,
				p->process.signal_others ? " (not applied: the policy allows others)" : "");
		break;
	case SBX_LL_SOCKET:
		if (abi >= 6)
			fprintf(out, "    landlock (ABI %d): abstract UNIX sockets scoped to the sandbox\n",
				abi);
		break;
	case SBX_LL_NONE:
		break;
	}
}

/* Whether this machine gives an unprivileged-style empty network
 * namespace: a child tries what the sandbox will do. */
static bool can_netns(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWNET | (geteuid() ? CLONE_NEWUSER : 0)) == 0 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void limits_part(const struct sbx_policy *p, FILE *out)
{
	struct sbx_cgroup cg;
	const struct sbx_limits *l = &p->limits;

	/* The same set-up a run makes, undone at once. */
	sbx_cgroup_setup(&cg, l);
	fprintf(out, "  limits.cpu_seconds\n    %s\n", l->cpu_seconds < 0 ? "unlimited"
		: cg.cpu ? "cgroup CPU accounting of every process, read 10 times a second; RLIMIT_CPU "
			   "per process as well"
		: "RLIMIT_CPU, per process (no cgroup here: a sandbox of many processes may use more)");
	fprintf(out, "  limits.wall_seconds\n    %s\n", l->wall_seconds < 0 ? "unlimited"
		: "the supervisor's timer; the whole sandbox is killed");
	fprintf(out, "  limits.memory_mb\n    %s\n", l->memory_mb < 0 ? "unlimited"
		: cg.memory ? "cgroup memory limit of the whole sandbox (an OOM kill is reported as memory)"
		: "RLIMIT_AS per process (address space, not resident memory: no cgroup here)");
	fprintf(out, "  limits.tasks\n    %s\n", l->tasks < 0 ? "unlimited"
		: cg.pids ? "cgroup pids.max of the whole sandbox"
		: "RLIMIT_NPROC (counts the uid's processes: no cgroup here)");
	fprintf(out, "  limits.open_files\n    %s\n", l->open_files < 0 ? "unlimited" : "RLIMIT_NOFILE");
	fprintf(out, "  limits.file_size_mb\n    %s\n", l->file_size_mb < 0 ? "unlimited"
		: "RLIMIT_FSIZE (a write past it ends the run with status output)");
	if (!cg.memory && !cg.pids && !cg.cpu && cg.reason[0])
		fprintf(out, "    (cgroups: %s)\n", cg.reason);
	sbx_cgroup_destroy(&cg);
}

static void per_clause(const struct sbx_policy *p, FILE *out)
{
	/* Tests (sandboxpy-faults): a machine without Landlock, or with ABI 3. */
	int abi = sbx_fault("landlock") ? -ENOSYS : sbx_landlock_abi();
	bool netns = can_netns();

	if (sbx_fault("landlock-abi3") && abi > 3)
		abi = 3;
	char calls[2048];

	fprintf(out, "enforcement per clause on this machine (Landlock ABI %d%s; %s):\n",
		abi > 0 ? abi : 0, abi > 0 ? "" : ": none",
		netns ? "namespaces available" : "NO network namespace here");
	for (int r = 0; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *c = &sbx_rules[r];
		if (!c->section)
			continue;
		fprintf(out, "  %s\n", c->kind == SBX_RK_NETWORK ? "network (no rules: none at all)" : c->name);
		audit_events(c->id, out);
		sbx_seccomp_rule_calls(p, c->id, calls, sizeof(calls));
		if (calls[0])
			fprintf(out, "    seccomp (rule %s): %s\n", c->name, calls);
		landlock_part(p, c->landlock, abi, out);
		if (c->kernel && c->kind == SBX_RK_NETWORK && !netns)
			fprintf(out, "    namespace: NOT ON THIS MACHINE (the kernel refuses a network "
				     "namespace): seccomp alone refuses sockets\n");
		else if (c->kernel)
			fprintf(out, "    %s\n", c->kernel);
		if (!calls[0] && c->landlock == SBX_LL_NONE && !c->kernel)
			fprintf(out, "    kernel: nothing of its own (%s)\n",
				strcmp(c->section, "native") == 0
				? "native code is still confined by every kernel layer"
				: "a Python-level rule: the audit hook is the only layer");
	}
	limits_part(p, out);
}

int sbx_explain(const struct sbx_policy *p, unsigned flags, FILE *out, struct sbx_error *err)
{
	int r = sbx_policy_explain(p, out);

	if (r < 0)
		return r;
	fputc('\n', out);
	fflush(out);
	per_clause(p, out);
	fputc('\n', out);
	sbx_seccomp_explain(p, out);
	if (flags & SBX_EXPLAIN_BPF) {
		fprintf(out, "\nseccomp filter as libseccomp pseudo-filter code "
			     "(0x7fc00000 is user notification):\n");
		fflush(out);
		r = sbx_seccomp_export_pfc(p, fileno(out), err);
	}
	return r;
}
