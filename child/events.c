/* events.c: looking up the event table (sbx_event_table.c). The audit hook
 * asks for every event the interpreter raises, most of which no policy
 * clause concerns (sys.audit of a library, object.__getattr__, ...), so a
 * lookup must decide a miss in a few instructions: an open-addressing hash
 * over the length and three bytes of the name, built once at load time
 * from the sorted table. A miss usually meets an empty slot; a hit costs
 * one memcmp. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_events.h"

#define SLOTS 512	/* a power of two, over twice the table's rows */

static uint16_t slot_row[SLOTS];	/* row index + 1; 0 is empty */
static uint16_t slot_len[SLOTS];	/* the row's name length */
static bool indexed;			/* else (a table grown past SLOTS / 2): bsearch */

static unsigned slot_of(const char *s, size_t n)
{
	uint32_t k = (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[n > 1] << 8 |
		     (uint32_t)(unsigned char)s[n - 1] << 16;

	return ((k * 0x9E3779B1u) ^ ((uint32_t)n * 0x85EBCA6Bu)) >> (32 - 9);
}

static int cmp_event(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct sbx_event_map *)elem)->event);
}

/* Runs before main, so before fork and before any thread: the child's
 * hook only reads it. */
__attribute__((constructor)) static void build_index(void)
{
	if (sbx_event_table_len > SLOTS / 2)
		return;
	for (size_t i = 0; i < sbx_event_table_len; i++) {
		const char *e = sbx_event_table[i].event;
		size_t n = strlen(e);
		unsigned h;

		if (!n || n >= UINT16_MAX)
			return;		/* not indexable: keep bsearch */
		for (h = slot_of(e, n); slot_row[h]; h = (h + 1) & (SLOTS - 1))
			;
		slot_row[h] = (uint16_t)(i + 1);
		slot_len[h] = (uint16_t)n;
	}
	indexed = true;
}

const struct sbx_event_map *sbx_event_lookup(const char *event)
{
	size_t n;

	if (!indexed)
		return bsearch(event, sbx_event_table, sbx_event_table_len, sizeof(sbx_event_table[0]),
			       cmp_event);
	n = strlen(event);
	if (!n)
		return NULL;
	/* Equal lengths, then the bytes (every row is shorter than UINT16_MAX). */
	for (unsigned h = slot_of(event, n); slot_row[h]; h = (h + 1) & (SLOTS - 1))
		if (slot_len[h] == n && memcmp(sbx_event_table[slot_row[h] - 1].event, event, n) == 0)
			return &sbx_event_table[slot_row[h] - 1];
	return NULL;
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
	[SBX_H_BOOL] = "policy switch", [SBX_H_EXTENSION] = "native extension",
	[SBX_H_CODE] = "code action", [SBX_H_MARSHAL] = "marshal",
	[SBX_H_SIGNAL] = "signal target", [SBX_H_SQLITE] = "sqlite database",
	[SBX_H_ALWAYS_DENY] = "always denied", [SBX_H_SET_CODE] = "code assignment",
};

const char *sbx_handler_name(enum sbx_handler h)
{
	if ((unsigned)h >= SBX_H__COUNT || !handler_names[h])
		return "unknown";
	return handler_names[h];
}
