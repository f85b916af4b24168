/* gen-events-md.c: prints docs/events.md from the event table, so the
 * published mapping is the one the hook uses (a test compares them). */
#include <stdio.h>
#include <string.h>

#include "sbx_events.h"

static void cell(const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, stdout);
}

int main(void)
{
	size_t mapped = 0;

	for (size_t i = 0; i < sbx_event_table_len; i++)
		mapped += sbx_event_table[i].handler != SBX_H_IGNORE;
	printf("# Audit events and the rules that decide them\n\n");
	printf("Generated from `child/sbx_event_table.c` by `tools/gen-events-md` "
	       "(`make events-doc`); a test fails when this file and the table differ.\n\n");
	printf("Every audit event CPython 3.11 raises has one row: %zu events, %zu checked by a "
	       "policy rule, %zu ignored with the reason why. Events not in this table (an "
	       "application's own `sys.audit(\"app.x\")`) are decided only by `events` rules. "
	       "`events` rules are checked first, in order, for every event.\n\n",
	       sbx_event_table_len, mapped, sbx_event_table_len - mapped);
	printf("| event | arguments | rule | check | what the hook does |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < sbx_event_table_len; i++) {
		const struct sbx_event_map *e = &sbx_event_table[i];
		printf("| `%s` | ", e->event);
		cell(e->args);
		printf(" | %s | %s | ", e->handler == SBX_H_IGNORE ? "-" : sbx_rule_name(e->rule),
		       sbx_handler_name(e->handler));
		cell(e->why);
		printf(" |\n");
	}
	return 0;
}
