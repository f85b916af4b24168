/* names.c: the names of actions as reports show them, and the module-name
 * rules imports.deny is checked against (rule names are the registry's,
 * rules.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_policy_int.h"

static const char *const action_names[SBX_ACTION__COUNT] = {
	[SBX_ALLOW] = "allow", [SBX_LOG] = "log", [SBX_DENY] = "deny", [SBX_KILL] = "kill",
};

const char *sbx_action_name(enum sbx_action a)
{
	if ((unsigned)a >= SBX_ACTION__COUNT)
		return "unknown";
	return action_names[a];
}

int sbx_action_parse(const char *s, enum sbx_action *out)
{
	for (int a = 0; a < SBX_ACTION__COUNT; a++) {
		if (strcmp(s, action_names[a]) == 0) {
			*out = (enum sbx_action)a;
			return 0;
		}
	}
	return -1;
}

/* What the interpreter imports before any user code, in CPython 3.11 with
 * an isolated config (sys.modules right after start-up, plus the built-ins
 * the import system itself is made of). Denying one would stop Python from
 * starting, so the policy reader refuses it. Sorted for bsearch. */
static const char *const essential_modules[] = {
	"__main__", "_abc", "_codecs", "_collections_abc", "_frozen_importlib",
	"_frozen_importlib_external", "_imp", "_io", "_signal", "_sitebuiltins",
	"_stat", "_thread", "_warnings", "_weakref", "abc", "builtins", "codecs",
	"encodings", "genericpath", "io", "marshal", "os", "posix", "posixpath",
	"site", "stat", "sys", "time", "zipimport",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool sbx_module_is_essential(const char *name)
{
	char top[128];
	size_t n = strcspn(name, ".");

	/* encodings.utf_8 and friends are loaded at start too. */
	if (n >= sizeof(top))
		return false;
	memcpy(top, name, n);
	top[n] = '\0';
	if (strcmp(top, "encodings") == 0)
		return true;
	return bsearch(&name, essential_modules,
		       sizeof(essential_modules) / sizeof(essential_modules[0]),
		       sizeof(essential_modules[0]), cmp_str) != NULL;
}

bool sbx_module_name_valid(const char *name)
{
	bool start = true;

	if (!*name || strlen(name) > 200)
		return false;
	for (const char *s = name; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (start ? !(isalpha(ch) || ch == '_') : !(isalnum(ch) || ch == '_'))
			return false;
		start = false;
	}
	return !start;
}

bool sbx_policy_no_network(const struct sbx_policy *p)
{
	return p->net.n_connect == 0 && p->net.n_bind == 0 && !p->net.dns;
}

const char *sbx_json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

const char *sbx_policy_name(const struct sbx_policy *p)
{
	return p->name;
}
