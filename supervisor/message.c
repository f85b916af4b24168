/* message.c: how the library says something to a person. It never writes
 * to standard error itself: a host gets each line on its own callback
 * (sbx_run_opts.on_message) and decides; the CLI prints them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sbx_supervisor.h"

bool sbx_may_say(const struct sbx_run_opts *o, enum sbx_msg_kind kind)
{
	if (!o || !o->on_message)
		return false;
	if (kind == SBX_MSG_VERBOSE)
		return o->verbose;
	return kind == SBX_MSG_ERROR || !o->quiet;
}

void sbx_say(const struct sbx_run_opts *o, enum sbx_msg_kind kind, const char *fmt, ...)
{
	char buf[1024], *line = buf;
	va_list ap;
	int n;

	if (!sbx_may_say(o, kind))
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* A long line (a denial's detail and hint) is said whole, as it was
	 * printed whole; without memory, cut. */
	if (n >= (int)sizeof(buf) && (line = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(line, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	o->on_message(kind, line ? line : buf, o->on_message_ctx);
	if (line != buf)
		free(line);
}
