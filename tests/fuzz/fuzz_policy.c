/* fuzz_policy.c: libFuzzer target for the policy reader: any bytes as a
 * policy file, no DNS, relative paths against /tmp. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_error err;
	struct sbx_policy *p = NULL;

	sbx_error_clear(&err);
	if (sbx_policy_load_string((const char *)data, size, "fuzz.json", "/tmp",
				   SBX_LOAD_NO_RESOLVE, &p, &err) == 0)
		fuzz_round_trip(p);
	fuzz_touch_errors(&err);
	return 0;
}
