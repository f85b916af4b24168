/* fuzz_set.c: libFuzzer target for --set: each line of the input is one
 * KEY=VALUE override applied to builtin:default, no DNS, cwd /tmp. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

#define FUZZ_MAX_SETS 64	/* what the CLI accepts */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sets[FUZZ_MAX_SETS];
	struct sbx_error err;
	struct sbx_policy *p = NULL;
	size_t n = 0;
	char *buf;

	/* A copy with a terminator: overrides are C strings, as argv is. */
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *s = buf; n < FUZZ_MAX_SETS;) {
		char *nl = strchr(s, '\n');
		sets[n++] = s;
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	sbx_error_clear(&err);
	if (sbx_policy_load_with("builtin:default", "/tmp", SBX_LOAD_NO_RESOLVE, sets, n,
				 &p, &err) == 0)
		fuzz_round_trip(p);
	fuzz_touch_errors(&err);
	free(buf);
	return 0;
}
