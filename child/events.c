/* events.c: looking up the event table (sbx_event_table.c). */
#include <stdlib.h>
#include <string.h>

#include "sbx_events.h"

static int cmp_event(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct sbx_event_map *)elem)->event);
}

const struct sbx_event_map *sbx_event_lookup(const char *event)
{
	return bsearch(event, sbx_event_table, sbx_event_table_len, sizeof(sbx_event_table[0]),
		       cmp_event);
}

static const char *const handler_names[SBX_H__COUNT] = {
	[SBX_H_IGNORE] = "ignored", [SBX_H_OPEN] = "open", [SBX_H_READ] = "read path",
	[SBX_H_WRITE] = "write path", [SBX_H_WRITE2] = "write both paths",
	[SBX_H_COPY] = "read source, write destination", [SBX_H_LINK] = "link",
	[SBX_H_GLOB] = "glob directory", [SBX_H_SPAWN] = "start a program",
	[SBX_H_SYSTEM] = "run /bin/sh", [SBX_H_SOCKET] = "socket family",
	[SBX_H_CONNECT] = "socket address", [SBX_H_BIND] = "bind address",
	[SBX_H_HOSTPORT] = "host and port", [SBX_H_DNS] = "name resolution",
	[SBX_H_NET] = "any network", [SBX_H_IMPORT] = "import",
	[SBX_H_CTYPES] = "ctypes", [SBX_H_EXTENSION] = "native extension",
	[SBX_H_CODE] = "code action", [SBX_H_MARSHAL] = "marshal",
	[SBX_H_SIGNAL] = "signal target", [SBX_H_SQLITE] = "sqlite database",
	[SBX_H_ALWAYS_DENY] = "always denied",
};

const char *sbx_handler_name(enum sbx_handler h)
{
	if ((unsigned)h >= SBX_H__COUNT || !handler_names[h])
		return "unknown";
	return handler_names[h];
}
