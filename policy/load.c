/* load.c: reading a policy from a file, a string or the builtin table,
 * applying --set overrides, then handing the document to the validator. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_policy_int.h"

#define SBX_POLICY_MAX_BYTES (1 << 20)

static int read_file(const char *path, char **out, size_t *len, struct sbx_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		sbx_diag_add(err, path, 0, 0, NULL, "cannot open policy: %s", strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		sbx_diag_add(err, path, 0, 0, NULL, "not a regular file");
		goto out_close;
	}
	buf = malloc(SBX_POLICY_MAX_BYTES + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t got = read(fd, buf + n, SBX_POLICY_MAX_BYTES + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			sbx_diag_add(err, path, 0, 0, NULL, "cannot read policy: %s", strerror(errno));
			goto out_free;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > SBX_POLICY_MAX_BYTES) {
			r = -EFBIG;
			sbx_diag_add(err, path, 0, 0, NULL, "policy is larger than 1 MiB");
			goto out_free;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out_free:
	free(buf);
out_close:
	close(fd);
	return r;
}

static int resolve_cwd(const char *cwd, char *buf, struct sbx_error *err)
{
	if (!realpath(cwd ? cwd : ".", buf)) {
		int r = -errno;
		sbx_diag_add(err, cwd ? cwd : ".", 0, 0, NULL,
			     "cannot use as the working directory: %s", strerror(errno));
		return r;
	}
	return 0;
}

static int load_text(const char *text, size_t len, const char *source, const char *display,
		     const char *cwd, unsigned flags, const char *const *overrides, size_t n_ovr,
		     struct sbx_policy **out, struct sbx_error *err)
{
	char cwdbuf[PATH_MAX];
	struct sbx_override_src *osrc = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	int r;

	r = resolve_cwd(cwd, cwdbuf, err);
	if (r < 0)
		return r;
	if (memchr(text, '\0', len)) {
		sbx_diag_add(err, display, 0, 0, NULL, "policy contains a NUL byte");
		return -EINVAL;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* jansson's own position: syntax errors and duplicate keys. */
		sbx_diag_add(err, display, jerr.line > 0 ? jerr.line : 1,
			     jerr.column > 0 ? jerr.column : 1, NULL, "invalid JSON: %s", jerr.text);
		return -EINVAL;
	}
	if (n_ovr) {
		osrc = calloc(n_ovr, sizeof(*osrc));
		if (!osrc) {
			r = -ENOMEM;
			goto out_put_root;
		}
		if (!json_is_object(root)) {
			sbx_diag_add(err, display, 1, 1, "$", "expected a policy object, got %s",
				     sbx_json_kind(root));
			r = -EINVAL;
			goto out_free_osrc;
		}
	}
	for (size_t i = 0; i < n_ovr; i++) {
		struct sbx_jpath jp;
		char scratch[512];
		osrc[i].text = overrides[i];
		r = sbx_override_apply(root, overrides[i], &jp, scratch, sizeof(scratch), err);
		if (r < 0)
			goto out_free_osrc;
		sbx_jpath_format(&jp, osrc[i].path, sizeof(osrc[i].path));
	}
	r = sbx_policy_build(root, text, len, source, display, cwdbuf, flags, osrc, n_ovr, out, err);
out_free_osrc:
	free(osrc);
out_put_root:
	json_decref(root);
	return r;
}

int sbx_policy_load_string(const char *text, size_t len, const char *source,
			   const char *cwd, unsigned flags,
			   struct sbx_policy **out, struct sbx_error *err)
{
	return load_text(text, len, source ? source : "<string>", source ? source : "<string>",
			 cwd, flags, NULL, 0, out, err);
}

static int load_spec(const char *spec, const char *cwd, unsigned flags,
		     const char *const *overrides, size_t n_ovr,
		     struct sbx_policy **out, struct sbx_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (strncmp(spec, "builtin:", 8) == 0) {
		const char *t = sbx_builtin_text(spec + 8);
		if (!t) {
			char names[128] = "";
			for (const char *const *n = sbx_builtin_names; *n; n++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", *n);
			sbx_diag_add(err, spec, 0, 0, NULL, "no such builtin policy (there are: %s)",
				     names);
			return -ENOENT;
		}
		return load_text(t, strlen(t), spec, spec, cwd, flags, overrides, n_ovr, out, err);
	}
	r = read_file(spec, &text, &len, err);
	if (r < 0)
		return r;
	r = load_text(text, len, spec, spec, cwd, flags, overrides, n_ovr, out, err);
	free(text);
	return r;
}

int sbx_policy_load_file(const char *path, const char *cwd, unsigned flags,
			 struct sbx_policy **out, struct sbx_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file(path, &text, &len, err);
	if (r < 0)
		return r;
	r = load_text(text, len, path, path, cwd, flags, NULL, 0, out, err);
	free(text);
	return r;
}

int sbx_policy_load_builtin(const char *name, const char *cwd, unsigned flags,
			    struct sbx_policy **out, struct sbx_error *err)
{
	char spec[64];

	if (strncmp(name, "builtin:", 8) == 0)
		name += 8;
	snprintf(spec, sizeof(spec), "builtin:%s", name);
	return load_spec(spec, cwd, flags, NULL, 0, out, err);
}

int sbx_policy_load(const char *spec, const char *cwd, unsigned flags,
		    struct sbx_policy **out, struct sbx_error *err)
{
	return load_spec(spec, cwd, flags, NULL, 0, out, err);
}

int sbx_policy_load_with(const char *spec, const char *cwd, unsigned flags,
			 const char *const *overrides, size_t n_overrides,
			 struct sbx_policy **out, struct sbx_error *err)
{
	return load_spec(spec, cwd, flags, overrides, n_overrides, out, err);
}

/* ---- --set KEY=VALUE ---- */

int sbx_override_apply(json_t *root, const char *kv, struct sbx_jpath *path,
		       char *scratch, size_t scratch_len, struct sbx_error *err)
{
	char where[300], key[256];
	const char *eq = strchr(kv, '=');
	json_t *val, *cur = root;
	json_error_t jerr;
	size_t klen;
	int r;

	snprintf(where, sizeof(where), "--set %s", kv);
	if (!eq || eq == kv) {
		sbx_diag_add(err, where, 0, 0, NULL,
			     "expected KEY=VALUE, e.g. limits.cpu_seconds=1");
		return -EINVAL;
	}
	klen = (size_t)(eq - kv);
	if (klen >= sizeof(key)) {
		sbx_diag_add(err, where, 0, 0, NULL, "key is too long");
		return -EINVAL;
	}
	memcpy(key, kv, klen);
	key[klen] = '\0';
	r = sbx_jpath_parse(key, path, scratch, scratch_len);
	if (r < 0) {
		sbx_diag_add(err, where, 0, 0, NULL,
			     "expected a JSON path such as limits.cpu_seconds or filesystem.write[0], got '%s'",
			     key);
		return -EINVAL;
	}
	/* JSON when it parses (numbers, true, null, arrays); else a bare string. */
	val = json_loads(eq + 1, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!val)
		val = json_string(eq + 1);
	if (!val) {
		sbx_diag_add(err, where, 0, 0, NULL, "value is not valid UTF-8");
		return -EINVAL;
	}
	for (int d = 0; d < path->depth; d++) {
		bool last = d == path->depth - 1;
		char jp[128];
		struct sbx_jpath sub = *path;
		sub.depth = d;
		sbx_jpath_format(&sub, jp, sizeof(jp));
		if (path->c[d].key) {
			json_t *next;
			if (!json_is_object(cur)) {
				sbx_diag_add(err, where, 0, 0, jp, "cannot set a key inside %s",
					     sbx_json_kind(cur));
				r = -EINVAL;
				goto out_put_val;
			}
			/* jansson refuses keys that are not UTF-8 (and frees next). */
			if (last) {
				if (json_object_set(cur, path->c[d].key, val) < 0) {
					sbx_diag_add(err, where, 0, 0, NULL, "key is not valid UTF-8");
					r = -EINVAL;
					goto out_put_val;
				}
				break;
			}
			next = json_object_get(cur, path->c[d].key);
			if (!next) {
				/* Create what the path needs: "[N]" next means an array. */
				next = path->c[d + 1].key ? json_object() : json_array();
				if (json_object_set_new(cur, path->c[d].key, next) < 0) {
					sbx_diag_add(err, where, 0, 0, NULL, "key is not valid UTF-8");
					r = -EINVAL;
					goto out_put_val;
				}
			}
			cur = next;
		} else {
			size_t idx = path->c[d].index;
			if (!json_is_array(cur)) {
				sbx_diag_add(err, where, 0, 0, jp, "cannot index %s with [%zu]",
					     sbx_json_kind(cur), idx);
				r = -EINVAL;
				goto out_put_val;
			}
			if (idx > json_array_size(cur)) {
				sbx_diag_add(err, where, 0, 0, jp,
					     "index %zu is past the end (the array has %zu items; [%zu] appends)",
					     idx, json_array_size(cur), json_array_size(cur));
				r = -EINVAL;
				goto out_put_val;
			}
			if (last) {
				if (idx == json_array_size(cur))
					json_array_append(cur, val);
				else
					json_array_set(cur, idx, val);
				break;
			}
			if (idx == json_array_size(cur))
				json_array_append_new(cur, path->c[d + 1].key ? json_object() : json_array());
			cur = json_array_get(cur, idx);
		}
	}
	r = 0;
out_put_val:
	json_decref(val);
	return r;
}
