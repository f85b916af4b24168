/* sbx_events.h: which CPython 3.11 audit event belongs to which policy rule,
 * and how the hook reads its arguments. One row per documented event,
 * sorted by name (looked up through a hash index, events.c); docs/events.md
 * is generated from it. */
#ifndef SBX_EVENTS_H
#define SBX_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "sbx_policy.h"

/* How the hook checks an event. a and b are argument indexes (-1: unused). */
enum sbx_handler {
	SBX_H_IGNORE = 0,	/* no policy clause concerns it (why says so) */
	SBX_H_OPEN,		/* open(path, mode, flags): a=path, b=mode; flags at 2 */
	SBX_H_READ,		/* path at a must be readable; dir_fd at b */
	SBX_H_WRITE,		/* path at a must be writable; dir_fd at b */
	SBX_H_WRITE2,		/* paths at a and b must both be writable */
	SBX_H_COPY,		/* path at a readable, path at b writable */
	SBX_H_LINK,		/* os.link/os.symlink: a=src, b=dst (dst writable;
				 * a hard link's src writable too) */
	SBX_H_GLOB,		/* glob pattern at a: its fixed directory readable */
	SBX_H_SPAWN,		/* starts a program; executable path at a (-1: none) */
	SBX_H_SYSTEM,		/* os.system: runs /bin/sh */
	SBX_H_SOCKET,		/* socket.__new__: family at a */
	SBX_H_CONNECT,		/* socket address at a (connect, sendto, sendmsg) */
	SBX_H_BIND,		/* socket address at a */
	SBX_H_HOSTPORT,		/* a client library connecting: host at a, port at b */
	SBX_H_DNS,		/* name resolution: host at a (-1: none) */
	SBX_H_NET,		/* any network use (urllib.Request) */
	SBX_H_IMPORT,		/* import: module name at a, file name at b */
	SBX_H_BOOL,		/* denied unless the row's rule, a boolean of the
				 * policy, is true (sbx_rule_bool) */
	SBX_H_EXTENSION,	/* loading native code from a path at a */
	SBX_H_CODE,		/* the code section's action for rule */
	SBX_H_MARSHAL,		/* code.introspection, except the import system's own */
	SBX_H_SIGNAL,		/* os.kill/os.killpg: pid at a */
	SBX_H_SQLITE,		/* sqlite3.connect: database path at a */
	SBX_H_ALWAYS_DENY,	/* host changes the sandbox never allows (rule system) */
	SBX_H_SET_CODE,		/* attribute name at a, value at b: a function's
				 * __code__ set to code with no bytecode */
	SBX_H__COUNT
};

struct sbx_event_map {
	const char *event;	/* exact CPython 3.11 event name */
	enum sbx_handler handler;
	enum sbx_rule rule;	/* SBX_RULE_NONE when ignored */
	int8_t a, b;		/* argument indexes the handler reads, -1 unused */
	const char *args;	/* the event's arguments as CPython documents them */
	const char *why;	/* what is checked, or why ignoring it is safe */
};

extern const struct sbx_event_map sbx_event_table[];
extern const size_t sbx_event_table_len;

/* The row of an event name; NULL when the event is not a CPython event. */
const struct sbx_event_map *sbx_event_lookup(const char *event);
const char *sbx_handler_name(enum sbx_handler h);

#endif
