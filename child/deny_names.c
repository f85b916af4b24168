/* deny_names.c: which module names imports.deny covers. Needs no
 * interpreter: the hook asks it at every import, the child's start-up
 * filters the built-in module table with it, and the supervisor asks it
 * before choosing the warm pool (pool_fits.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_hook.h"

static int cmp_name(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(char *const *)elem);
}

/* A pure-Python module's source can be read and exec'd under any name, so
 * its denial is a boundary only through the C modules that carry its
 * capability: denying the module denies them too (socket -> _socket is the
 * "_" rule below; these are the rest of the standard library's). */
static const struct { const char *module, *carrier; } carriers[] = {
	{ "cProfile", "_lsprof" }, { "dbm", "_dbm" }, { "dbm", "_gdbm" },
	{ "multiprocessing", "_multiprocessing" }, { "multiprocessing", "_posixshmem" },
	{ "profile", "_lsprof" }, { "subprocess", "_posixsubprocess" }, { "xml", "_elementtree" },
	{ "xml", "pyexpat" },
};

static bool carrier_denied(const char *name, const struct sbx_strv *d)
{
	for (size_t i = 0; i < sizeof(carriers) / sizeof(carriers[0]); i++)
		if (strcmp(name, carriers[i].carrier) == 0 &&
		    bsearch(carriers[i].module, d->v, d->n, sizeof(char *), cmp_name))
			return true;
	return false;
}

bool sbx_hook_name_denied(const struct sbx_policy *p, const char *name)
{
	const struct sbx_strv *d = &p->imports.deny;
	char buf[256];

	if (!d->n)
		return false;
	snprintf(buf, sizeof(buf), "%s", name);
	/* the module and each package above it */
	for (;;) {
		if (bsearch(buf, d->v, d->n, sizeof(char *), cmp_name))
			return true;
		char *dot = strrchr(buf, '.');
		if (!dot)
			break;
		*dot = '\0';
	}
	/* _socket is socket's C implementation: denying one denies both. */
	if (name[0] == '_' && !strchr(name, '.') &&
	    bsearch(name + 1, d->v, d->n, sizeof(char *), cmp_name))
		return true;
	return carrier_denied(name, d);
}
