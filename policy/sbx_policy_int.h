/* sbx_policy_int.h: helpers shared inside policy/ only: JSON paths with
 * their source positions, diagnostics, and the override (--set) parser. */
#ifndef SBX_POLICY_INT_H
#define SBX_POLICY_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "sbx_diag.h"
#include "sbx_policy.h"

/* A JSON path as components, so positions can be found in the source text. */
#define SBX_JPATH_MAX 12
struct sbx_jpath {
	int depth;
	struct {
		const char *key;	/* NULL for an array index */
		size_t index;
	} c[SBX_JPATH_MAX];
};

void sbx_jpath_push_key(struct sbx_jpath *p, const char *key);
void sbx_jpath_push_index(struct sbx_jpath *p, size_t index);
void sbx_jpath_pop(struct sbx_jpath *p);
/* "$.filesystem.write[2]", keys that are not identifiers as ["k"]. */
void sbx_jpath_format(const struct sbx_jpath *p, char *buf, size_t len);
/* Parses "limits.cpu_seconds", "$.events[0].action", "python.env[\"A B\"]".
 * Keys point into scratch, which must outlive the path. */
int sbx_jpath_parse(const char *s, struct sbx_jpath *p, char *scratch, size_t scratch_len);

/* Finds where the value at path starts in text (or its key, for object
 * members, with at_key). Line and column are 1-based; the column counts
 * characters, as jansson's do. Returns false when the path is not there. */
bool sbx_jpos_find(const char *text, size_t len, const struct sbx_jpath *path,
		   bool at_key, int *line, int *col);

/* Applies "KEY=VALUE" to the document. VALUE is JSON when it parses as JSON,
 * else a bare string. Fills path with the target for error positions. */
int sbx_override_apply(json_t *root, const char *kv, struct sbx_jpath *path,
		       char *scratch, size_t scratch_len, struct sbx_error *err);

/* Validates and builds the model from a parsed document. */
struct sbx_override_src {
	const char *text;		/* "KEY=VALUE" as given */
	char path[128];			/* its JSON path, formatted */
};
int sbx_policy_build(json_t *root, const char *text, size_t len, const char *source,
		     const char *display_file, const char *cwd, unsigned flags,
		     const struct sbx_override_src *ovr, size_t n_ovr,
		     struct sbx_policy **out, struct sbx_error *err);

const char *sbx_json_kind(const json_t *v);

#endif
