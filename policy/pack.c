/* pack.c: the policy, and the primitives, in the bounded byte form of
 * sbx_pack.h. The policy crosses the exec into the interpreter's image
 * (child/rt.c) this way: its scalars are copied as the struct's bytes,
 * every pointer field is packed by what it points to. The size asserts
 * below fail the build when a struct gains a field, so a new pointer is
 * never carried across as a stale address. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_pack.h"
#include "sbx_policy.h"

/* A field added to these structs: pack and unpack its pointers below,
 * then update the figure. */
_Static_assert(sizeof(struct sbx_policy) == 392, "policy/pack.c: a field of struct sbx_policy");
_Static_assert(sizeof(struct sbx_net_rule) == 352, "policy/pack.c: a field of struct sbx_net_rule");
_Static_assert(sizeof(struct sbx_event_rule) == 48, "policy/pack.c: a field of struct sbx_event_rule");

/* Nothing the reader accepts is larger than the blob it came in. */
#define PACK_MAX_ITEMS (1u << 24)

void sbx_pack_bytes(struct sbx_packer *w, const void *b, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		unsigned char *nb;
		while (cap < w->len + n)
			cap *= 2;
		if (!(nb = realloc(w->buf, cap))) {
			w->failed = true;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, b, n);
	w->len += n;
}

void sbx_pack_u64(struct sbx_packer *w, uint64_t v)
{
	sbx_pack_bytes(w, &v, sizeof(v));
}

void sbx_pack_f64(struct sbx_packer *w, double v)
{
	sbx_pack_bytes(w, &v, sizeof(v));
}

void sbx_pack_str(struct sbx_packer *w, const char *s)
{
	if (!s) {
		sbx_pack_u64(w, UINT64_MAX);
		return;
	}
	sbx_pack_u64(w, strlen(s));
	sbx_pack_bytes(w, s, strlen(s));
}

void sbx_pack_strv(struct sbx_packer *w, char *const *v, size_t n)
{
	sbx_pack_u64(w, n);
	for (size_t i = 0; i < n; i++)
		sbx_pack_str(w, v[i]);
}

void sbx_pack_strz(struct sbx_packer *w, char *const *v)
{
	size_t n = 0;

	if (!v) {
		sbx_pack_u64(w, UINT64_MAX);
		return;
	}
	while (v[n])
		n++;
	sbx_pack_strv(w, v, n);
}

int sbx_unpack_bytes(struct sbx_unpacker *r, void *b, size_t n)
{
	if (r->failed || n > r->left) {
		r->failed = true;
		memset(b, 0, n);
		return -EINVAL;
	}
	memcpy(b, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

uint64_t sbx_unpack_u64(struct sbx_unpacker *r)
{
	uint64_t v;

	sbx_unpack_bytes(r, &v, sizeof(v));
	return v;
}

double sbx_unpack_f64(struct sbx_unpacker *r)
{
	double v;

	sbx_unpack_bytes(r, &v, sizeof(v));
	return v;
}

char *sbx_unpack_str(struct sbx_unpacker *r)
{
	uint64_t n = sbx_unpack_u64(r);
	char *s;

	if (r->failed || n == UINT64_MAX)
		return NULL;
	if (n > r->left || memchr(r->p, '\0', n) || !(s = malloc(n + 1))) {
		r->failed = true;
		return NULL;
	}
	sbx_unpack_bytes(r, s, n);
	s[n] = '\0';
	return s;
}

/* n items of at least min_each bytes each must fit in what is left. */
static void *unpack_array(struct sbx_unpacker *r, uint64_t n, size_t size, size_t min_each)
{
	void *v;

	if (r->failed || n > PACK_MAX_ITEMS || n * min_each > r->left ||
	    !(v = calloc(n + 1, size))) {
		r->failed = true;
		return NULL;
	}
	return v;
}

static char **unpack_n_strs(struct sbx_unpacker *r, uint64_t n)
{
	char **v = unpack_array(r, n, sizeof(char *), sizeof(uint64_t));

	for (uint64_t i = 0; v && i < n; i++)
		v[i] = sbx_unpack_str(r);
	return v;
}

char **sbx_unpack_strv(struct sbx_unpacker *r, size_t *n)
{
	uint64_t k = sbx_unpack_u64(r);
	char **v;

	*n = 0;
	if (r->failed || !(v = unpack_n_strs(r, k)))
		return NULL;
	*n = (size_t)k;	/* every slot set, a failed one to NULL */
	return v;
}

char **sbx_unpack_strz(struct sbx_unpacker *r)
{
	uint64_t k = sbx_unpack_u64(r);

	if (r->failed || k == UINT64_MAX)
		return NULL;
	return unpack_n_strs(r, k);	/* calloc'd one more: NULL-terminated */
}

static void pack_net(struct sbx_packer *w, const struct sbx_net_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sbx_pack_bytes(w, &v[i], sizeof(v[i]));
		sbx_pack_str(w, v[i].text);
		sbx_pack_str(w, v[i].host);
	}
}

static struct sbx_net_rule *unpack_net(struct sbx_unpacker *r, size_t n)
{
	struct sbx_net_rule *v = n ? unpack_array(r, n, sizeof(*v), sizeof(*v)) : NULL;

	for (size_t i = 0; v && i < n; i++) {
		sbx_unpack_bytes(r, &v[i], sizeof(v[i]));
		v[i].text = sbx_unpack_str(r);
		v[i].host = sbx_unpack_str(r);
	}
	return v;
}

static void pack_events(struct sbx_packer *w, const struct sbx_event_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sbx_pack_bytes(w, &v[i], sizeof(v[i]));
		sbx_pack_str(w, v[i].name);
		sbx_pack_str(w, v[i].prefix);
		sbx_pack_strv(w, v[i].unless_in, v[i].n_unless_in);
	}
}

static struct sbx_event_rule *unpack_events(struct sbx_unpacker *r, size_t n)
{
	struct sbx_event_rule *v = n ? unpack_array(r, n, sizeof(*v), sizeof(*v)) : NULL;

	for (size_t i = 0; v && i < n; i++) {
		sbx_unpack_bytes(r, &v[i], sizeof(v[i]));
		v[i].name = sbx_unpack_str(r);
		v[i].prefix = sbx_unpack_str(r);
		v[i].unless_in = sbx_unpack_strv(r, &v[i].n_unless_in);
	}
	return v;
}

void sbx_policy_pack(struct sbx_packer *w, const struct sbx_policy *p)
{
	sbx_pack_bytes(w, p, sizeof(*p));
	sbx_pack_str(w, p->name);
	sbx_pack_str(w, p->source);
	sbx_pack_str(w, p->cwd);
	sbx_pack_strv(w, p->python.path.v, p->python.path.n);
	for (size_t i = 0; i < p->python.n_env; i++) {
		sbx_pack_str(w, p->python.env[i].key);
		sbx_pack_str(w, p->python.env[i].value);
	}
	sbx_pack_strv(w, p->fs.read.v, p->fs.read.n);
	sbx_pack_strv(w, p->fs.write.v, p->fs.write.n);
	pack_net(w, p->net.connect, p->net.n_connect);
	pack_net(w, p->net.bind, p->net.n_bind);
	sbx_pack_strv(w, p->process.exec_allow.v, p->process.exec_allow.n);
	sbx_pack_strv(w, p->native.ext_list.v, p->native.ext_list.n);
	sbx_pack_strv(w, p->imports.deny.v, p->imports.deny.n);
	pack_events(w, p->events, p->n_events);
}

/* Every pointer of the copied bytes is the other process's: cleared
 * before anything can free it. */
static void clear_pointers(struct sbx_policy *p)
{
	p->name = p->source = p->cwd = NULL;
	p->python.path.v = NULL;
	p->python.env = NULL;
	p->fs.read.v = p->fs.write.v = NULL;
	p->net.connect = p->net.bind = NULL;
	p->process.exec_allow.v = p->native.ext_list.v = p->imports.deny.v = NULL;
	p->events = NULL;
}

int sbx_policy_unpack(struct sbx_unpacker *r, struct sbx_policy **out)
{
	struct sbx_policy *p = calloc(1, sizeof(*p));
	size_t n_env, n_connect, n_bind, n_events;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	sbx_unpack_bytes(r, p, sizeof(*p));
	n_env = p->python.n_env;
	n_connect = p->net.n_connect;
	n_bind = p->net.n_bind;
	n_events = p->n_events;
	clear_pointers(p);
	p->python.n_env = p->net.n_connect = p->net.n_bind = p->n_events = 0;
	p->name = sbx_unpack_str(r);
	p->source = sbx_unpack_str(r);
	p->cwd = sbx_unpack_str(r);
	p->python.path.v = sbx_unpack_strv(r, &p->python.path.n);
	if (n_env && (p->python.env = unpack_array(r, n_env, sizeof(*p->python.env), 16))) {
		p->python.n_env = n_env;
		for (size_t i = 0; i < n_env; i++) {
			p->python.env[i].key = sbx_unpack_str(r);
			p->python.env[i].value = sbx_unpack_str(r);
		}
	}
	p->fs.read.v = sbx_unpack_strv(r, &p->fs.read.n);
	p->fs.write.v = sbx_unpack_strv(r, &p->fs.write.n);
	if ((p->net.connect = unpack_net(r, n_connect)))
		p->net.n_connect = n_connect;
	if ((p->net.bind = unpack_net(r, n_bind)))
		p->net.n_bind = n_bind;
	p->process.exec_allow.v = sbx_unpack_strv(r, &p->process.exec_allow.n);
	p->native.ext_list.v = sbx_unpack_strv(r, &p->native.ext_list.n);
	p->imports.deny.v = sbx_unpack_strv(r, &p->imports.deny.n);
	if ((p->events = unpack_events(r, n_events)))
		p->n_events = n_events;
	if (r->failed) {
		sbx_policy_free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}
