/* builtin.c: the policies compiled into the binary (policy.md "Built-in
 * policies"). Each is checked by the same reader as a user's (tests do). */
#include <string.h>

#include "sandboxpy.h"

static const struct {
	const char *name;
	const char *text;
} builtins[] = {
	{ "default",
	  "{\n"
	  "  \"version\": 1,\n"
	  "  \"name\": \"default\"\n"
	  "}\n" },
	{ "strict",
	  "{\n"
	  "  \"version\": 1,\n"
	  "  \"name\": \"strict\",\n"
	  "  \"filesystem\": { \"implicit\": [\"identity\", \"hosts\"] },\n"
	  "  \"code\": { \"compile\": \"log\", \"exec\": \"log\" },\n"
	  "  \"on_violation\": \"kill\"\n"
	  "}\n" },
	{ "grading",
	  "{\n"
	  "  \"version\": 1,\n"
	  "  \"name\": \"grading\",\n"
	  "  \"filesystem\": { \"read\": [\".\"], \"tmp\": true },\n"
	  "  \"limits\": { \"cpu_seconds\": 2, \"wall_seconds\": 10, \"memory_mb\": 256,\n"
	  "              \"tasks\": 16, \"open_files\": 64, \"file_size_mb\": 16 },\n"
	  "  \"on_violation\": \"kill\"\n"
	  "}\n" },
	{ "plugin",
	  "{\n"
	  "  \"version\": 1,\n"
	  "  \"name\": \"plugin\",\n"
	  "  \"filesystem\": { \"read\": [\".\"], \"write\": [\"./data\"] },\n"
	  "  \"events\": [ { \"prefix\": \"app.\", \"action\": \"log\" } ]\n"
	  "}\n" },
};

const char *const sbx_builtin_names[] = { "default", "strict", "grading", "plugin", NULL };

const char *sbx_builtin_text(const char *name)
{
	if (strncmp(name, "builtin:", 8) == 0)
		name += 8;
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].text;
	return NULL;
}
