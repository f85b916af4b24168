/* policy.c: policy.md v1 from JSON to struct sbx_policy. Every key, type and
 * range is checked; every error names file:line:col and the JSON path; all
 * errors of a file are reported, not only the first. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "sbx_match.h"
#include "sbx_policy_int.h"
#include "sbx_rules.h"

struct ctx {
	const char *text;
	size_t len;
	const char *file;		/* shown in diagnostics */
	const char *cwd;
	unsigned flags;
	const struct sbx_override_src *ovr;
	size_t n_ovr;
	struct sbx_error *err;
	struct sbx_jpath path;
	struct sbx_policy *p;
	int errors;
};

static void diag(struct ctx *c, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void diag(struct ctx *c, bool at_key, const char *fmt, ...)
{
	char jp[128];
	const char *file = c->file;
	char ovrfile[256];
	int line = 0, col = 0;
	bool found;
	va_list ap;

	/* Once err is full a diagnostic is only counted: skip the position
	 * scan, which is linear in the text, or a file with 100000 bad items
	 * takes hours to reject. */
	c->errors++;
	if (!c->err || c->err->n >= SBX_ERR_MAX) {
		if (c->err)
			c->err->dropped++;
		return;
	}
	sbx_jpath_format(&c->path, jp, sizeof(jp));
	found = sbx_jpos_find(c->text, c->len, &c->path, at_key, &line, &col);
	/* A value that came from --set has no line: name the override instead,
	 * the last one that replaced this value (or one around it), or that
	 * created it (it is not in the text). */
	for (size_t i = c->n_ovr; i-- > 0;) {
		const char *op = c->ovr[i].path;
		size_t n = strlen(op), m = strlen(jp);
		if ((strncmp(jp, op, n) == 0 && (jp[n] == '\0' || jp[n] == '.' || jp[n] == '[')) ||
		    (!found && strncmp(op, jp, m) == 0 && (op[m] == '.' || op[m] == '['))) {
			snprintf(ovrfile, sizeof(ovrfile), "--set %s", c->ovr[i].text);
			file = ovrfile;
			found = false;
			break;
		}
	}
	if (!found)
		line = col = 0;
	va_start(ap, fmt);
	sbx_diag_vadd(c->err, file, line, col, jp, fmt, ap);
	va_end(ap);
}

/* ---- small helpers ---- */

static char *xstrdup(struct ctx *c, const char *s)
{
	char *d = strdup(s);

	if (!d) {
		diag(c, false, "out of memory");
	}
	return d;
}

/* Unknown keys are errors; a near miss gets a suggestion. */
static void check_keys(struct ctx *c, json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *best = NULL;
		size_t best_d = 3;
		bool ok = false;
		char list[256] = "";

		for (const char *const *k = known; *k; k++) {
			size_t d;
			if (strcmp(key, *k) == 0) {
				ok = true;
				break;
			}
			d = sbx_edit_distance(key, strlen(key), *k);
			if (d < best_d) {
				best_d = d;
				best = *k;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? ", " : "", *k);
		}
		if (ok)
			continue;
		sbx_jpath_push_key(&c->path, key);
		if (best)
			diag(c, true, "unknown key '%s' (did you mean '%s'?)", key, best);
		else
			diag(c, true, "unknown key '%s' (expected one of: %s)", key, list);
		sbx_jpath_pop(&c->path);
	}
}

static bool expect_type(struct ctx *c, json_t *v, json_type t, const char *what)
{
	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)))
		return true;
	diag(c, false, "expected %s, got %s", what, sbx_json_kind(v));
	return false;
}

static bool get_bool(struct ctx *c, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return true;
	sbx_jpath_push_key(&c->path, key);
	if (expect_type(c, v, JSON_TRUE, "true or false"))
		*out = json_is_true(v);
	sbx_jpath_pop(&c->path);
	return true;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* ---- paths ---- */

enum path_kind { PATH_READ, PATH_WRITE, PATH_EXEC };

/* Resolves against cwd like the kernel would (symlinks and .. in order),
 * so the model holds the real locations every layer enforces. */
static char *resolve_path(struct ctx *c, const char *in, enum path_kind kind)
{
	char joined[PATH_MAX * 2], real[PATH_MAX], dir[PATH_MAX];
	size_t n;
	char *slash, *res;

	if (!*in) {
		diag(c, false, "expected a path, got an empty string");
		return NULL;
	}
	if (strlen(in) >= PATH_MAX) {
		diag(c, false, "path is longer than %d bytes", PATH_MAX - 1);
		return NULL;
	}
	if (in[0] == '~') {
		diag(c, false, "'~' is not expanded; write the path out: %s", in);
		return NULL;
	}
	if (kind == PATH_EXEC && in[0] != '/') {
		diag(c, false, "expected an absolute path, got '%s'", in);
		return NULL;
	}
	if (in[0] == '/')
		snprintf(joined, sizeof(joined), "%s", in);
	else
		snprintf(joined, sizeof(joined), "%s/%s", c->cwd, in);
	n = strlen(joined);
	while (n > 1 && joined[n - 1] == '/')
		joined[--n] = '\0';
	if (realpath(joined, real)) {
		struct stat st;
		if (kind == PATH_EXEC && (stat(real, &st) < 0 || !S_ISREG(st.st_mode))) {
			diag(c, false, "not a regular file: %s", in);
			return NULL;
		}
		return xstrdup(c, real);
	}
	if (errno != ENOENT || kind != PATH_WRITE) {
		if (errno == ENOENT)
			diag(c, false, "path does not exist: %s", in);
		else
			diag(c, false, "cannot resolve %s: %s", in, strerror(errno));
		return NULL;
	}
	/* A write target may be created: only its parent must exist. */
	slash = strrchr(joined, '/');
	if (!slash || strcmp(slash + 1, "..") == 0 || strcmp(slash + 1, ".") == 0) {
		diag(c, false, "path's parent does not exist: %s", in);
		return NULL;
	}
	*slash = '\0';
	if (!realpath(joined[0] ? joined : "/", dir)) {
		diag(c, false, "path's parent does not exist: %s", in);
		return NULL;
	}
	{
		struct stat st;
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			diag(c, false, "path's parent is not a directory: %s", in);
			return NULL;
		}
	}
	n = strlen(dir) + strlen(slash + 1) + 2;
	res = malloc(n);
	if (!res) {
		diag(c, false, "out of memory");
		return NULL;
	}
	snprintf(res, n, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", slash + 1);
	return res;
}

static void strv_free(struct sbx_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* An array of strings, each checked by fn (which may return NULL on error). */
typedef char *(*item_fn)(struct ctx *c, const char *s, void *arg);

static void get_strv(struct ctx *c, json_t *obj, const char *key, struct sbx_strv *out,
		     item_fn fn, void *arg, const char *what)
{
	json_t *arr = json_object_get(obj, key), *v;
	size_t i;

	if (!arr)
		return;
	sbx_jpath_push_key(&c->path, key);
	if (!expect_type(c, arr, JSON_ARRAY, "an array")) {
		sbx_jpath_pop(&c->path);
		return;
	}
	strv_free(out);
	out->v = calloc(json_array_size(arr) + 1, sizeof(char *));
	if (!out->v) {
		diag(c, false, "out of memory");
		sbx_jpath_pop(&c->path);
		return;
	}
	json_array_foreach(arr, i, v) {
		char *item;
		sbx_jpath_push_index(&c->path, i);
		if (!json_is_string(v)) {
			diag(c, false, "expected %s, got %s", what, sbx_json_kind(v));
		} else if ((item = fn(c, json_string_value(v), arg)) != NULL) {
			out->v[out->n++] = item;
		}
		sbx_jpath_pop(&c->path);
	}
	sbx_jpath_pop(&c->path);
}

static char *path_item(struct ctx *c, const char *s, void *arg)
{
	return resolve_path(c, s, (enum path_kind)(intptr_t)arg);
}

static char *module_item(struct ctx *c, const char *s, void *arg)
{
	bool deny = arg != NULL;

	if (!sbx_module_name_valid(s)) {
		diag(c, false, "expected a module name (dotted identifiers), got '%s'", s);
		return NULL;
	}
	if (deny && sbx_module_is_essential(s)) {
		diag(c, false, "cannot deny '%s': the interpreter needs it to start", s);
		return NULL;
	}
	return xstrdup(c, s);
}

static void get_action(struct ctx *c, json_t *obj, const char *key, enum sbx_action *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return;
	sbx_jpath_push_key(&c->path, key);
	if (!json_is_string(v) || sbx_action_parse(json_string_value(v), out) < 0)
		diag(c, false, "expected one of \"allow\", \"log\", \"deny\", \"kill\", got %s%s%s%s",
		     json_is_string(v) ? "'" : "", json_is_string(v) ? json_string_value(v) : sbx_json_kind(v),
		     json_is_string(v) ? "'" : "", "");
	sbx_jpath_pop(&c->path);
}

/* A section's rules, read through the registry: its known keys are the
 * registry's keys in it, then extra (keys that are no rule); its switches
 * and actions are read by offset. Lists are the section's own to read. */
static bool section_begin(struct ctx *c, json_t *sec, const char *name, const char *const *extra)
{
	const char *known[SBX_RULE__COUNT + 8];
	size_t n = 0;

	if (!expect_type(c, sec, JSON_OBJECT, "an object"))
		return false;
	for (int r = 0; r < SBX_RULE__COUNT; r++)
		if (sbx_rules[r].key && strcmp(sbx_rules[r].section, name) == 0)
			known[n++] = sbx_rules[r].key;
	for (; extra && *extra && n < sizeof(known) / sizeof(known[0]) - 1; extra++)
		known[n++] = *extra;
	known[n] = NULL;
	check_keys(c, sec, known);
	for (int r = 0; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = &sbx_rules[r];
		void *at = (char *)c->p + ri->offset;
		if (!ri->key || strcmp(ri->section, name) != 0)
			continue;
		if (ri->kind == SBX_RK_BOOL)
			get_bool(c, sec, ri->key, at);
		else if (ri->kind == SBX_RK_ACTION)
			get_action(c, sec, ri->key, at);
	}
	return true;
}

/* ---- sections ---- */

static void parse_python(struct ctx *c, json_t *sec)
{
	static const char *const keys[] = { "site", "path", "env", NULL };
	struct sbx_policy *p = c->p;
	json_t *env;

	if (!expect_type(c, sec, JSON_OBJECT, "an object"))
		return;
	check_keys(c, sec, keys);
	get_bool(c, sec, "site", &p->python.site);
	get_strv(c, sec, "path", &p->python.path, path_item, (void *)(intptr_t)PATH_READ,
		 "a path string");
	env = json_object_get(sec, "env");
	if (env) {
		const char *k;
		json_t *v;
		sbx_jpath_push_key(&c->path, "env");
		if (expect_type(c, env, JSON_OBJECT, "an object of strings")) {
			p->python.env = calloc(json_object_size(env) + 1, sizeof(*p->python.env));
			json_object_foreach(env, k, v) {
				sbx_jpath_push_key(&c->path, k);
				if (!*k || strchr(k, '=') || !printable(k) || strlen(k) > 255) {
					diag(c, true, "invalid environment variable name '%s'", k);
				} else if (!json_is_string(v)) {
					diag(c, false, "expected a string, got %s", sbx_json_kind(v));
				} else if (json_string_length(v) > 32768) {
					diag(c, false, "value is longer than 32768 bytes");
				} else if (p->python.env) {
					struct sbx_env_var *e = &p->python.env[p->python.n_env];
					e->key = xstrdup(c, k);
					e->value = xstrdup(c, json_string_value(v));
					if (e->key && e->value)
						p->python.n_env++;
					else {
						free(e->key);
						free(e->value);
					}
				}
				sbx_jpath_pop(&c->path);
			}
		}
		sbx_jpath_pop(&c->path);
	}
}

/* filesystem.implicit: the named implicit items this run keeps; the rest
 * of them are dropped (policy.md "Implicit reads"). */
static void get_implicit(struct ctx *c, json_t *sec)
{
	json_t *arr = json_object_get(sec, "implicit"), *v;
	size_t i;

	if (!arr)
		return;
	sbx_jpath_push_key(&c->path, "implicit");
	if (expect_type(c, arr, JSON_ARRAY, "an array")) {
		c->p->fs.implicit_drop = ~0u;
		json_array_foreach(arr, i, v) {
			int bit = json_is_string(v) ? sbx_implicit_bit(json_string_value(v)) : -1;
			sbx_jpath_push_index(&c->path, i);
			if (bit < 0)
				diag(c, false, "expected one of \"identity\", \"hosts\", \"timezone\", "
				     "\"locale\", \"ssl\", got %s", json_is_string(v) ?
				     json_string_value(v) : sbx_json_kind(v));
			else
				c->p->fs.implicit_drop &= ~(1u << bit);
			sbx_jpath_pop(&c->path);
		}
	}
	sbx_jpath_pop(&c->path);
}

static void parse_filesystem(struct ctx *c, json_t *sec)
{
	static const char *const extra[] = { "tmp", "implicit", NULL };
	struct sbx_policy *p = c->p;

	if (!section_begin(c, sec, "filesystem", extra))
		return;
	get_strv(c, sec, "read", &p->fs.read, path_item, (void *)(intptr_t)PATH_READ,
		 "a path string");
	get_strv(c, sec, "write", &p->fs.write, path_item, (void *)(intptr_t)PATH_WRITE,
		 "a path string");
	get_bool(c, sec, "tmp", &p->fs.tmp);
	get_implicit(c, sec);
}

static bool valid_hostname(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253)
		return false;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '-' || *h == '.' || *h == '_'))
			return false;
	return true;
}

static void add_addr(struct sbx_net_rule *r, int family, const void *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < r->n_addrs; i++)
		if (r->addrs[i].family == family && memcmp(r->addrs[i].addr, addr, len) == 0)
			return;
	if (r->n_addrs >= SBX_NET_MAX_ADDRS)
		return;
	r->addrs[r->n_addrs].family = family;
	memset(r->addrs[r->n_addrs].addr, 0, 16);
	memcpy(r->addrs[r->n_addrs].addr, addr, len);
	r->n_addrs++;
}

static bool parse_hostport(struct ctx *c, const char *s, struct sbx_net_rule *r)
{
	char host[256];
	const char *port;
	size_t hl;
	uint8_t buf[16];

	memset(r, 0, sizeof(*r));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':') {
			diag(c, false, "expected \"[IPv6]:port\", got '%s'", s);
			return false;
		}
		hl = (size_t)(end - s - 1);
		port = end + 2;
		if (hl == 0 || hl >= sizeof(host)) {
			diag(c, false, "expected an IPv6 address in brackets, got '%s'", s);
			return false;
		}
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, buf) != 1) {
			diag(c, false, "not an IPv6 address: '%s'", host);
			return false;
		}
		add_addr(r, AF_INET6, buf);
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon) {
			diag(c, false, "expected \"host:port\", got '%s' (use \"*\" for any port)", s);
			return false;
		}
		hl = (size_t)(colon - s);
		port = colon + 1;
		if (hl == 0 || hl >= sizeof(host)) {
			diag(c, false, "expected \"host:port\", got '%s'", s);
			return false;
		}
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (strchr(host, ':')) {
			diag(c, false, "an IPv6 address must be in brackets: \"[%s]:port\"", host);
			return false;
		}
		if (strcmp(host, "*") == 0) {
			diag(c, false, "'*' is not a host; use 0.0.0.0 or [::] for every address");
			return false;
		}
		if (inet_pton(AF_INET, host, buf) == 1) {
			add_addr(r, AF_INET, buf);
		} else if (!valid_hostname(host)) {
			diag(c, false, "not an IPv4 address or host name: '%s'", host);
			return false;
		} else if (c->flags & SBX_LOAD_NO_RESOLVE) {
			diag(c, false, "host names are not resolved here: '%s'", host);
			return false;
		} else {
			struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
			struct addrinfo *res = NULL, *ai;
			int rc = getaddrinfo(host, NULL, &hints, &res);
			if (rc != 0) {
				diag(c, false, "cannot resolve host '%s': %s", host,
				     rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
				return false;
			}
			for (ai = res; ai; ai = ai->ai_next) {
				if (ai->ai_family == AF_INET)
					add_addr(r, AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr);
				else if (ai->ai_family == AF_INET6)
					add_addr(r, AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
			}
			freeaddrinfo(res);
			if (!r->n_addrs) {
				diag(c, false, "host '%s' has no IPv4 or IPv6 address", host);
				return false;
			}
			r->is_name = true;
		}
	}
	if (strcmp(port, "*") == 0) {
		r->any_port = true;
	} else {
		unsigned long v = 0;
		size_t n = strlen(port);
		if (n == 0 || n > 5 || strspn(port, "0123456789") != n ||
		    (v = strtoul(port, NULL, 10)) < 1 || v > 65535) {
			diag(c, false, "expected a port from 1 to 65535 or \"*\", got '%s'", port);
			return false;
		}
		r->port = (uint16_t)v;
	}
	r->text = strdup(s);
	r->host = strdup(host);
	if (!r->text || !r->host) {
		diag(c, false, "out of memory");
		return false;
	}
	return true;
}

static void get_netrules(struct ctx *c, json_t *sec, const char *key,
			 struct sbx_net_rule **out, size_t *n_out)
{
	json_t *arr = json_object_get(sec, key), *v;
	size_t i;

	if (!arr)
		return;
	sbx_jpath_push_key(&c->path, key);
	if (expect_type(c, arr, JSON_ARRAY, "an array of \"host:port\" strings")) {
		*out = calloc(json_array_size(arr) + 1, sizeof(**out));
		json_array_foreach(arr, i, v) {
			sbx_jpath_push_index(&c->path, i);
			if (!json_is_string(v))
				diag(c, false, "expected a \"host:port\" string, got %s", sbx_json_kind(v));
			else if (*out && parse_hostport(c, json_string_value(v), &(*out)[*n_out]))
				(*n_out)++;
			else if (*out) {
				free((*out)[*n_out].text);
				free((*out)[*n_out].host);
			}
			sbx_jpath_pop(&c->path);
		}
	}
	sbx_jpath_pop(&c->path);
}

static void parse_network(struct ctx *c, json_t *sec)
{
	struct sbx_policy *p = c->p;

	if (!section_begin(c, sec, "network", NULL))
		return;
	get_netrules(c, sec, "connect", &p->net.connect, &p->net.n_connect);
	get_netrules(c, sec, "bind", &p->net.bind, &p->net.n_bind);
}

static void parse_process(struct ctx *c, json_t *sec)
{
	struct sbx_policy *p = c->p;

	if (!section_begin(c, sec, "process", NULL))
		return;
	get_strv(c, sec, "exec_allow", &p->process.exec_allow, path_item,
		 (void *)(intptr_t)PATH_EXEC, "an absolute path string");
}

static void parse_native(struct ctx *c, json_t *sec)
{
	struct sbx_policy *p = c->p;
	json_t *ext;

	if (!section_begin(c, sec, "native", NULL))
		return;
	ext = json_object_get(sec, "extensions");
	if (!ext)
		return;
	sbx_jpath_push_key(&c->path, "extensions");
	if (json_is_string(ext)) {
		if (strcmp(json_string_value(ext), "stdlib") == 0)
			p->native.extensions = SBX_EXT_STDLIB;
		else if (strcmp(json_string_value(ext), "any") == 0)
			p->native.extensions = SBX_EXT_ANY;
		else
			diag(c, false, "expected \"stdlib\", \"any\" or an array of module names, got '%s'",
			     json_string_value(ext));
	} else if (json_is_array(ext)) {
		sbx_jpath_pop(&c->path);
		p->native.extensions = SBX_EXT_LIST;
		get_strv(c, sec, "extensions", &p->native.ext_list, module_item, NULL,
			 "a module name");
		return;
	} else {
		diag(c, false, "expected \"stdlib\", \"any\" or an array of module names, got %s",
		     sbx_json_kind(ext));
	}
	sbx_jpath_pop(&c->path);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_imports(struct ctx *c, json_t *sec)
{
	struct sbx_strv *d = &c->p->imports.deny;
	size_t o = 0;

	if (!section_begin(c, sec, "imports", NULL))
		return;
	get_strv(c, sec, "deny", d, module_item, (void *)1, "a module name");
	/* Sorted and unique: the hook looks names up with bsearch. */
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(char *), cmp_strp);
	for (size_t i = 0; i < d->n; i++) {
		if (o && strcmp(d->v[o - 1], d->v[i]) == 0) {
			free(d->v[i]);
			continue;
		}
		d->v[o++] = d->v[i];
	}
	d->n = o;
}

static void parse_code(struct ctx *c, json_t *sec)
{
	section_begin(c, sec, "code", NULL);
}

static bool valid_event_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 120 && printable(s);
}

static void parse_event_rule(struct ctx *c, json_t *o, struct sbx_event_rule *r)
{
	static const char *const keys[] = { "event", "prefix", "action", "unless_arg", NULL };
	static const char *const ukeys[] = { "index", "in", NULL };
	json_t *ev, *pre, *act, *un;

	if (!expect_type(c, o, JSON_OBJECT, "an object"))
		return;
	check_keys(c, o, keys);
	ev = json_object_get(o, "event");
	pre = json_object_get(o, "prefix");
	act = json_object_get(o, "action");
	if ((ev != NULL) == (pre != NULL)) {
		diag(c, false, "a rule needs exactly one of \"event\" and \"prefix\"");
	} else {
		const char *k = ev ? "event" : "prefix";
		json_t *v = ev ? ev : pre;
		sbx_jpath_push_key(&c->path, k);
		if (!json_is_string(v))
			diag(c, false, "expected an event name string, got %s", sbx_json_kind(v));
		else if (!valid_event_name(json_string_value(v)))
			diag(c, false, "expected an event name of 1 to 119 printable characters");
		else if (ev)
			r->name = xstrdup(c, json_string_value(v));
		else
			r->prefix = xstrdup(c, json_string_value(v));
		sbx_jpath_pop(&c->path);
	}
	if (!act)
		diag(c, false, "missing key \"action\" (one of \"allow\", \"log\", \"deny\", \"kill\")");
	else
		get_action(c, o, "action", &r->action);
	un = json_object_get(o, "unless_arg");
	if (un) {
		json_t *idx, *in, *v;
		size_t i;
		sbx_jpath_push_key(&c->path, "unless_arg");
		if (expect_type(c, un, JSON_OBJECT, "an object {\"index\": N, \"in\": [strings]}")) {
			check_keys(c, un, ukeys);
			idx = json_object_get(un, "index");
			in = json_object_get(un, "in");
			if (!idx || !in)
				diag(c, false, "missing key \"%s\"", !idx ? "index" : "in");
			if (idx) {
				sbx_jpath_push_key(&c->path, "index");
				if (!json_is_integer(idx))
					diag(c, false, "expected an integer from 0 to 63, got %s",
					     sbx_json_kind(idx));
				else if (json_integer_value(idx) < 0 || json_integer_value(idx) > 63)
					/* "got integer" would not say what is wrong with it */
					diag(c, false, "expected an integer from 0 to 63, got %" JSON_INTEGER_FORMAT,
					     json_integer_value(idx));
				else
					r->unless_index = (size_t)json_integer_value(idx);
				sbx_jpath_pop(&c->path);
			}
			if (in) {
				sbx_jpath_push_key(&c->path, "in");
				if (expect_type(c, in, JSON_ARRAY, "an array of strings")) {
					r->unless_in = calloc(json_array_size(in) + 1, sizeof(char *));
					json_array_foreach(in, i, v) {
						sbx_jpath_push_index(&c->path, i);
						if (!json_is_string(v))
							diag(c, false, "expected a string, got %s", sbx_json_kind(v));
						else if (r->unless_in) {
							r->unless_in[r->n_unless_in] = xstrdup(c, json_string_value(v));
							if (r->unless_in[r->n_unless_in])
								r->n_unless_in++;
						}
						sbx_jpath_pop(&c->path);
					}
				}
				sbx_jpath_pop(&c->path);
			}
			r->has_unless = idx && in;
		}
		sbx_jpath_pop(&c->path);
	}
}

static void parse_events(struct ctx *c, json_t *arr)
{
	json_t *v;
	size_t i;

	if (!expect_type(c, arr, JSON_ARRAY, "an array of rules"))
		return;
	if (json_array_size(arr) > 256) {
		diag(c, false, "at most 256 event rules, got %zu", json_array_size(arr));
		return;
	}
	c->p->events = calloc(json_array_size(arr) + 1, sizeof(*c->p->events));
	if (!c->p->events) {
		diag(c, false, "out of memory");
		return;
	}
	json_array_foreach(arr, i, v) {
		sbx_jpath_push_index(&c->path, i);
		parse_event_rule(c, v, &c->p->events[i]);
		c->p->n_events++;
		sbx_jpath_pop(&c->path);
	}
}

/* A limit: a positive number (or integer), or null for unlimited. */
static void get_limit(struct ctx *c, json_t *sec, const char *key, bool integer,
		      double max, double *dout, long *lout)
{
	json_t *v = json_object_get(sec, key);
	double d;

	if (!v)
		return;
	sbx_jpath_push_key(&c->path, key);
	if (json_is_null(v)) {
		if (dout)
			*dout = -1;
		else
			*lout = -1;
	} else if (integer && !json_is_integer(v)) {
		diag(c, false, "expected a positive integer or null, got %s", sbx_json_kind(v));
	} else if (!json_is_number(v)) {
		diag(c, false, "expected a positive number or null, got %s", sbx_json_kind(v));
	} else if (!((d = json_number_value(v)) > 0) || d > max || isnan(d)) {
		/* %.15g: 2000000 reads as written, not as 2e+06 */
		diag(c, false, "expected a value greater than 0 and at most %.0f, got %.15g", max, d);
	} else if (dout) {
		*dout = d;
	} else {
		*lout = (long)d;
	}
	sbx_jpath_pop(&c->path);
}

/* limits.extra_seconds: a grace, not a limit: 0 is allowed (none) and
 * null is not (an endless grace would be no cpu or wall limit at all). */
static void get_grace(struct ctx *c, json_t *sec, double *out)
{
	json_t *v = json_object_get(sec, "extra_seconds");
	double d;

	if (!v)
		return;
	sbx_jpath_push_key(&c->path, "extra_seconds");
	if (!json_is_number(v))
		diag(c, false, "expected a number of seconds from 0 to 3600, got %s", sbx_json_kind(v));
	else if (!((d = json_number_value(v)) >= 0) || d > 3600)
		diag(c, false, "expected a number of seconds from 0 to 3600, got %.15g", d);
	else
		*out = d;
	sbx_jpath_pop(&c->path);
}

static void parse_limits(struct ctx *c, json_t *sec)
{
	static const char *const keys[] = { "cpu_seconds", "wall_seconds", "memory_mb", "tasks",
					    "open_files", "file_size_mb", "stack_mb", "extra_seconds", NULL };
	struct sbx_limits *l = &c->p->limits;

	if (!expect_type(c, sec, JSON_OBJECT, "an object"))
		return;
	check_keys(c, sec, keys);
	get_limit(c, sec, "cpu_seconds", false, 31536000, &l->cpu_seconds, NULL);
	get_limit(c, sec, "wall_seconds", false, 31536000, &l->wall_seconds, NULL);
	get_limit(c, sec, "memory_mb", false, 16777216, &l->memory_mb, NULL);
	get_limit(c, sec, "tasks", true, 1000000, NULL, &l->tasks);
	get_limit(c, sec, "open_files", true, 1048576, NULL, &l->open_files);
	get_limit(c, sec, "file_size_mb", false, 16777216, &l->file_size_mb, NULL);
	get_limit(c, sec, "stack_mb", false, 1048576, &l->stack_mb, NULL);
	get_grace(c, sec, &l->extra_seconds);
}

/* ---- the whole document ---- */

static void set_defaults(struct sbx_policy *p)
{
	/* policy.md: the defaults deny; absent sections take these. */
	p->code.compile = SBX_ALLOW;
	p->code.exec = SBX_ALLOW;
	p->code.introspection = SBX_DENY;
	p->code.tracing = SBX_DENY;
	p->native.extensions = SBX_EXT_STDLIB;
	p->limits.cpu_seconds = 10;
	p->limits.wall_seconds = 30;
	p->limits.memory_mb = 512;
	p->limits.tasks = 64;
	p->limits.open_files = 256;
	p->limits.file_size_mb = 64;
	p->limits.stack_mb = 8;		/* the usual default of the C runtime */
	p->limits.extra_seconds = 0;
	p->on_violation = SBX_DENY;
}

typedef void (*section_fn)(struct ctx *c, json_t *sec);

static const struct {
	const char *key;
	section_fn fn;
} sections[] = {
	{ "python", parse_python },
	{ "filesystem", parse_filesystem },
	{ "network", parse_network },
	{ "process", parse_process },
	{ "native", parse_native },
	{ "imports", parse_imports },
	{ "code", parse_code },
	{ "events", parse_events },
	{ "limits", parse_limits },
};

int sbx_policy_build(json_t *root, const char *text, size_t len, const char *source,
		     const char *display_file, const char *cwd, unsigned flags,
		     const struct sbx_override_src *ovr, size_t n_ovr,
		     struct sbx_policy **out, struct sbx_error *err)
{
	static const char *const top_keys[] = { "version", "name", "python", "filesystem",
						"network", "process", "native", "imports", "code",
						"events", "limits", "on_violation", NULL };
	struct ctx c = { .text = text, .len = len, .file = display_file, .cwd = cwd,
			 .flags = flags, .ovr = ovr, .n_ovr = n_ovr, .err = err };
	struct sbx_policy *p;
	json_t *v;
	int r = 0;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	set_defaults(p);
	c.p = p;

	if (!json_is_object(root)) {
		diag(&c, false, "expected a policy object {\"version\": 1, ...}, got %s",
		     sbx_json_kind(root));
		r = -EINVAL;
		goto out_free;
	}
	v = json_object_get(root, "version");
	if (!v) {
		diag(&c, false, "missing key \"version\" (this reader knows version 1)");
	} else {
		sbx_jpath_push_key(&c.path, "version");
		/* Name the version the file asks for: "2" says more than "other than 1". */
		if (!json_is_integer(v))
			diag(&c, false, "unsupported policy version of type %s (this reader knows version 1)",
			     sbx_json_kind(v));
		else if (json_integer_value(v) != 1)
			diag(&c, false, "unsupported policy version %" JSON_INTEGER_FORMAT
			     " (this reader knows version 1)", json_integer_value(v));
		sbx_jpath_pop(&c.path);
	}
	check_keys(&c, root, top_keys);

	v = json_object_get(root, "name");
	sbx_jpath_push_key(&c.path, "name");
	if (v && (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 128 ||
		  !printable(json_string_value(v))))
		diag(&c, false, "expected a name of 1 to 128 printable characters, got %s",
		     sbx_json_kind(v));
	else if (v)
		p->name = xstrdup(&c, json_string_value(v));
	sbx_jpath_pop(&c.path);

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		v = json_object_get(root, sections[i].key);
		if (!v)
			continue;
		sbx_jpath_push_key(&c.path, sections[i].key);
		sections[i].fn(&c, v);
		sbx_jpath_pop(&c.path);
	}

	v = json_object_get(root, "on_violation");
	if (v) {
		sbx_jpath_push_key(&c.path, "on_violation");
		if (!json_is_string(v) || (strcmp(json_string_value(v), "deny") &&
					   strcmp(json_string_value(v), "kill")))
			diag(&c, false, "expected \"deny\" or \"kill\", got %s%s%s",
			     json_is_string(v) ? "'" : "",
			     json_is_string(v) ? json_string_value(v) : sbx_json_kind(v),
			     json_is_string(v) ? "'" : "");
		else
			p->on_violation = strcmp(json_string_value(v), "kill") == 0 ? SBX_KILL : SBX_DENY;
		sbx_jpath_pop(&c.path);
	}

	if (c.errors) {
		r = -EINVAL;
		goto out_free;
	}
	/* filesystem.read defaults to ["."]: the working directory. */
	v = json_object_get(root, "filesystem");
	if (!v || !json_object_get(v, "read")) {
		p->fs.read.v = calloc(2, sizeof(char *));
		if (!p->fs.read.v || !(p->fs.read.v[0] = strdup(cwd))) {
			r = -ENOMEM;
			goto out_free;
		}
		p->fs.read.n = 1;
	}
	if (!p->name) {
		const char *base = strrchr(source, '/');
		p->name = strdup(base ? base + 1 : source);
	}
	p->source = strdup(source);
	p->cwd = strdup(cwd);
	if (!p->name || !p->source || !p->cwd) {
		r = -ENOMEM;
		goto out_free;
	}
	{
		struct sha256_ctx h;
		uint8_t dig[SHA256_DIGEST_SIZE];
		sha256_init(&h);
		sha256_update(&h, len, (const uint8_t *)text);
		sha256_digest(&h, sizeof(dig), dig);
		for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
			snprintf(p->sha256 + 2 * i, 3, "%02x", dig[i]);
	}
	*out = p;
	p = NULL;
out_free:
	sbx_policy_free(p);
	return r;
}

static void netrules_free(struct sbx_net_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].text);
		free(r[i].host);
	}
	free(r);
}

void sbx_policy_free(struct sbx_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->source);
	free(p->cwd);
	strv_free(&p->python.path);
	for (size_t i = 0; i < p->python.n_env; i++) {
		free(p->python.env[i].key);
		free(p->python.env[i].value);
	}
	free(p->python.env);
	strv_free(&p->fs.read);
	strv_free(&p->fs.write);
	netrules_free(p->net.connect, p->net.n_connect);
	netrules_free(p->net.bind, p->net.n_bind);
	strv_free(&p->process.exec_allow);
	strv_free(&p->native.ext_list);
	strv_free(&p->imports.deny);
	for (size_t i = 0; i < p->n_events; i++) {
		struct sbx_event_rule *r = &p->events[i];
		free(r->name);
		free(r->prefix);
		for (size_t j = 0; j < r->n_unless_in; j++)
			free(r->unless_in[j]);
		free(r->unless_in);
	}
	free(p->events);
	free(p);
}
