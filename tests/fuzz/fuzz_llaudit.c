/* fuzz_llaudit.c: libFuzzer target for Landlock's audit records as the
 * supervisor parses them (supervisor/llaudit.c). The first input byte
 * picks the record type, the rest is the netlink payload at any length.
 * Oracle: a record either fails to parse or comes out of a kind its type
 * allows, with blockers of [a-z._,] and a path NUL-terminated within its
 * buffer and without a NUL inside what the input held. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_llaudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int types[] = { SBX_AUDIT_LANDLOCK_ACCESS, SBX_AUDIT_LANDLOCK_DOMAIN, SBX_AUDIT_SYSCALL, 1400 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbx_lla_rec r;
	int type;

	if (size < 1)
		return 0;
	type = types[data[0] % 4];
	if (sbx_lla_parse(type, (const char *)data + 1, size - 1, &r) < 0)
		return 0;
	if (type == 1400 || strnlen(r.path, sizeof(r.path)) == sizeof(r.path) ||
	    strnlen(r.blockers, sizeof(r.blockers)) == sizeof(r.blockers))
		abort();
	for (const char *b = r.blockers; *b; b++)
		if (!((*b >= 'a' && *b <= 'z') || *b == '.' || *b == '_' || *b == ','))
			abort();
	switch (type) {
	case SBX_AUDIT_LANDLOCK_ACCESS:
		if (r.kind != SBX_LLA_ACCESS || !r.blockers[0])
			abort();
		break;
	case SBX_AUDIT_LANDLOCK_DOMAIN:
		if ((r.kind != SBX_LLA_ALLOCATED && r.kind != SBX_LLA_DEALLOCATED) ||
		    (r.kind == SBX_LLA_ALLOCATED && r.pid <= 0) || r.blockers[0] || r.path[0])
			abort();
		break;
	default:
		if (r.kind != SBX_LLA_SYSCALL || r.syscall < 0)
			abort();
	}
	return 0;
}
