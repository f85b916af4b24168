/* fuzz_decode.c: libFuzzer target for the supervisor's channel decoder.
 * The input is one record as the (hostile) child could send it, at any
 * length. Oracle: a record either fails to decode or comes out with every
 * string NUL-terminated, printable UTF-8 and within its buffer, rule and
 * action in range, and the arguments a JSON array; an EVENT numbered from
 * 1 with a thread id that is a pid, any other record not numbered; the
 * key passed through unchanged for the supervisor to compare. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sbx_supervisor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		__builtin_trap();	/* not terminated */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			__builtin_trap();	/* a control character got through */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_chan_rec rec;
	struct sbx_decoded d;
	size_t n = size < sizeof(rec) ? size : sizeof(rec);

	memset(&rec, 0, sizeof(rec));
	memcpy(&rec, data, n);
	/* As recv(MSG_TRUNC) reports it: the real length of the message. */
	if (sbx_chan_decode(&rec, (ssize_t)size, 4, &d) == 0) {
		check_text(d.event, sizeof(d.event));
		check_text(d.where, sizeof(d.where));
		check_text(d.detail, sizeof(d.detail));
		if (d.type == SBX_CHAN_EVENT &&
		    (d.rule <= SBX_RULE_NONE || d.rule >= SBX_RULE__COUNT || d.action <= SBX_ALLOW ||
		     d.action >= SBX_ACTION__COUNT || !json_is_array(d.args)))
			__builtin_trap();
		if (d.type == SBX_CHAN_EVENT ? d.seq == 0 || d.tid <= 0 : d.seq != 0)
			__builtin_trap();
		if (memcmp(d.key, rec.key, sizeof(d.key)) != 0)
			__builtin_trap();
	}
	sbx_decoded_clear(&d);
	return 0;
}
