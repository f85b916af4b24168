/* match.c: paths under roots, programs on PATH and exec_allow, UTF-8
 * sequences (sbx_match.h). Pure but for the access(2) of a PATH search. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sbx_match.h"
#include "sbx_policy.h"

bool sbx_path_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool sbx_path_under_any(const char *path, char *const *roots)
{
	for (char *const *r = roots; r && *r; r++)
		if (sbx_path_under(path, *r))
			return true;
	return false;
}

const char *sbx_policy_path_env(const struct sbx_policy *p)
{
	for (size_t i = 0; i < p->python.n_env; i++)
		if (strcmp(p->python.env[i].key, "PATH") == 0)
			return p->python.env[i].value;
	return "/usr/bin:/bin";
}

int sbx_exec_search(const char *path_env, const char *name, char *out, size_t cap)
{
	for (const char *d = path_env; d && *d;) {
		size_t n = strcspn(d, ":");
		snprintf(out, cap, "%.*s/%s", (int)n, d, name);
		if (access(out, X_OK) == 0)
			return 0;
		d += n + (d[n] == ':');
	}
	return -ENOENT;
}

bool sbx_policy_exec_allowed(const struct sbx_policy *p, const char *exe, const char *real)
{
	const struct sbx_strv *allow = &p->process.exec_allow;

	if (!allow->n)
		return true;
	for (size_t i = 0; i < allow->n; i++)
		if (strcmp(real, allow->v[i]) == 0 || strcmp(exe, allow->v[i]) == 0)
			return true;
	return false;
}

size_t sbx_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond Unicode */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return len;
}

size_t sbx_edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}
