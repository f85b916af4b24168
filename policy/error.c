/* error.c: collecting and printing diagnostics. A diagnostic reads like a
 * compiler's: file:line:col: $.json.path: what was expected. */
#include <stdio.h>
#include <string.h>

#include "sbx_policy_int.h"

void sbx_error_clear(struct sbx_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

void sbx_diag_vadd(struct sbx_error *err, const char *file, int line, int col,
		   const char *json_path, const char *fmt, va_list ap)
{
	struct sbx_diag *d;

	if (!err)
		return;
	if (err->n >= SBX_ERR_MAX) {
		err->dropped++;
		return;
	}
	d = &err->d[err->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	d->col = col;
	snprintf(d->json_path, sizeof(d->json_path), "%s", json_path ? json_path : "");
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
}

void sbx_diag_add(struct sbx_error *err, const char *file, int line, int col,
		  const char *json_path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbx_diag_vadd(err, file, line, col, json_path, fmt, ap);
	va_end(ap);
}

void sbx_error_format(const struct sbx_error *err, int i, char *buf, size_t len)
{
	const struct sbx_diag *d;
	char pos[32] = "";

	if (!len)
		return;
	buf[0] = '\0';
	if (!err || i < 0 || i >= err->n)
		return;
	d = &err->d[i];
	if (d->file[0] && d->line > 0)
		snprintf(pos, sizeof(pos), ":%d:%d", d->line, d->col);
	snprintf(buf, len, "%s%s%s%s%s%s", d->file, pos, d->file[0] ? ": " : "",
		 d->json_path, d->json_path[0] ? ": " : "", d->msg);
}

void sbx_error_print(const struct sbx_error *err, FILE *out, const char *prefix)
{
	char line[1024];

	if (!err)
		return;
	for (int i = 0; i < err->n; i++) {
		sbx_error_format(err, i, line, sizeof(line));
		fprintf(out, "%s%s\n", prefix ? prefix : "", line);
	}
	if (err->dropped)
		fprintf(out, "%s(%d more errors not shown)\n", prefix ? prefix : "", err->dropped);
}
