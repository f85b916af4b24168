/* fuzz_common.h: the oracle both fuzz targets share. A policy that loads
 * must print as JSON that loads again, and printing must reach a fixed
 * point after one round (only number formatting may change once). */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandboxpy.h"

/* Formats every diagnostic, so the formatter runs on every odd path. */
static inline void fuzz_touch_errors(const struct sbx_error *err)
{
	char line[1024];

	for (int i = 0; i < err->n; i++)
		sbx_error_format(err, i, line, sizeof(line));
}

static inline char *fuzz_reemit(const char *json, const char *what)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	char *out = NULL;

	sbx_error_clear(&err);
	if (sbx_policy_load_string(json, strlen(json), "emitted.json", "/tmp",
				   SBX_LOAD_NO_RESOLVE, &p, &err) < 0) {
		fprintf(stderr, "%s: emitted policy does not load again:\n%s\n", what, json);
		sbx_error_print(&err, stderr, "  ");
		abort();
	}
	if (sbx_policy_to_json(p, &out, &err) < 0)
		abort();
	sbx_policy_free(p);
	return out;
}

/* Checks the round trip of a policy that loaded; frees it. */
static inline void fuzz_round_trip(struct sbx_policy *p)
{
	struct sbx_error err;
	char *a = NULL, *b, *c;

	sbx_error_clear(&err);
	if (sbx_policy_to_json(p, &a, &err) < 0)
		abort();
	sbx_policy_free(p);
	b = fuzz_reemit(a, "first round");
	c = fuzz_reemit(b, "second round");
	if (strcmp(b, c) != 0) {
		fprintf(stderr, "--show-policy is not a fixed point:\n%s\n---\n%s\n", b, c);
		abort();
	}
	free(a);
	free(b);
	free(c);
}

#endif
