/* gen-rules-md.c: prints docs/rules.md from the rule registry
 * (policy/rules.c), so the published list of rules, their keys, layers,
 * --learn widening and the Python wrapper's methods is the one the code
 * reads (a test compares them; the wrapper's test reads the table). */
#include <stdio.h>

#include "sbx_rules.h"

static const char *const kinds[] = {
	[SBX_RK_NONE] = "none (never allowed)", [SBX_RK_BOOL] = "true or false",
	[SBX_RK_ACTION] = "allow, log, deny or kill", [SBX_RK_PATHS] = "list of paths",
	[SBX_RK_ADDRS] = "list of host:port", [SBX_RK_DENY_MODULES] = "list of modules (denied)",
	[SBX_RK_EXTENSIONS] = "\"stdlib\", \"any\" or list of modules",
	[SBX_RK_NETWORK] = "the section as a whole", [SBX_RK_EVENTS] = "list of event rules",
};

static const char *const learns[] = {
	[SBX_LEARN_NEVER] = "noted, never allowed", [SBX_LEARN_SET] = "set to true",
	[SBX_LEARN_SPAWN] = "set to true; the program noted as for exec_allow",
	[SBX_LEARN_READ] = "the path's tree added", [SBX_LEARN_WRITE] = "the path's tree added",
	[SBX_LEARN_EXEC] = "the program added", [SBX_LEARN_ADDR] = "host:port added",
	[SBX_LEARN_UNDENY] = "the module's entry removed", [SBX_LEARN_EXTENSION] = "the module added",
	[SBX_LEARN_EVENT_RULE] = "the rule's exception widened, or a log rule put first",
	[SBX_LEARN_NOTE] = "noted: another clause allows it",
};

static void layers(unsigned l)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ SBX_BY_HOOK, "audit hook" }, { SBX_BY_SECCOMP, "seccomp" },
		{ SBX_BY_LANDLOCK, "Landlock" }, { SBX_BY_NAMESPACE, "namespace" },
		{ SBX_BY_SUPERVISOR, "supervisor" },
	};
	const char *sep = "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (l & names[i].bit) {
			printf("%s%s", sep, names[i].name);
			sep = ", ";
		}
}

int main(void)
{
	printf("# Rules\n\n");
	printf("Generated from the rule registry, `policy/rules.c`, by `tools/gen-rules-md` "
	       "(`make events-doc`); a test fails when this file and the registry differ. "
	       "Every denial in a report names one of these rules (`events[N]` for the "
	       "policy's own event rules). docs/policy.md says what each key means; "
	       "docs/architecture.md how to add a rule.\n\n");
	printf("| rule | policy key | value | layers | --learn | Python builder |\n");
	printf("| --- | --- | --- | --- | --- | --- |\n");
	for (int r = 1; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		printf("| `%s` | ", ri->name);
		if (ri->key)
			printf("`%s.%s`", ri->section, ri->key);
		else
			printf("%s", ri->section ? ri->section : "-");
		printf(" | %s | ", kinds[ri->kind]);
		layers(ri->layers);
		printf(" | %s | %s%s%s |\n",
		       ri->kind == SBX_RK_ACTION && ri->learn == SBX_LEARN_SET ? "set to log" : learns[ri->learn], ri->method ? "`" : "-",
		       ri->method ? ri->method : "", ri->method ? "`" : "");
	}
	return 0;
}
