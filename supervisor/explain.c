/* explain.c: --explain for the whole product: the policy module's words
 * for each section, then each kernel layer's share, from the same tables
 * that build the layers. */
#include <stdio.h>

#include "sbx_seccomp.h"
#include "sandboxpy.h"

int sbx_explain(const struct sbx_policy *p, unsigned flags, FILE *out, struct sbx_error *err)
{
	int r = sbx_policy_explain(p, out);

	if (r < 0)
		return r;
	fputc('\n', out);
	sbx_seccomp_explain(p, out);
	if (flags & SBX_EXPLAIN_BPF) {
		fprintf(out, "\nseccomp filter as libseccomp pseudo-filter code "
			     "(0x7fc00000 is user notification):\n");
		fflush(out);
		r = sbx_seccomp_export_pfc(p, fileno(out), err);
	}
	return r;
}
