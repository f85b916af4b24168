/* gen-builtin-policies.c: a build-time tool that writes each builtin policy
 * (policy/builtin.c, the texts the binary uses) to DIR/NAME.json for
 * installation under share/sandboxpy/policies. The texts, not
 * --show-policy's output: that resolves "." against the build directory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sandboxpy.h"

static int write_one(const char *dir, const char *name)
{
	char path[4096];
	const char *text = sbx_builtin_text(name);
	FILE *f = NULL;
	int r = -EINVAL;

	if (!text || snprintf(path, sizeof(path), "%s/%s.json", dir, name) >= (int)sizeof(path))
		goto out;
	f = fopen(path, "w");
	if (!f) {
		r = -errno;
		goto out;
	}
	r = fputs(text, f) < 0 ? -EIO : 0;
out:
	if (f && fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		fprintf(stderr, "gen-builtin-policies: %s: %s\n", name, strerror(-r));
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-builtin-policies DIR\n");
		return 2;
	}
	for (const char *const *n = sbx_builtin_names; *n; n++)
		if (write_one(argv[1], *n) < 0)
			return 1;
	return 0;
}
