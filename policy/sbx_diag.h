/* sbx_diag.h: appending a diagnostic to a struct sbx_error, for every
 * module that reports a problem with a policy or a run (file, line,
 * column, JSON path, message). */
#ifndef SBX_DIAG_H
#define SBX_DIAG_H

#include <stdarg.h>

#include "sandboxpy.h"

/* Appends one diagnostic (dropped and counted when err is full). */
void sbx_diag_add(struct sbx_error *err, const char *file, int line, int col,
		  const char *json_path, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void sbx_diag_vadd(struct sbx_error *err, const char *file, int line, int col,
		   const char *json_path, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

#endif
