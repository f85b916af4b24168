/* llaudit.c: Landlock's audit records, parsed as hostile text
 * (sbx_llaudit.h). A record is "audit(SEC.MS:SERIAL): key=value ...";
 * a value is a bare token, a quoted string with no quote inside, or, for
 * a string the kernel found unsafe (a quote, a space, a control or
 * non-ASCII byte), its bytes in upper-case hex. Anything else, a repeated
 * key, a number out of range or a path with a NUL, is refused. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sbx_llaudit.h"

struct cursor {
	const char *p, *end;
};

struct field {
	const char *key, *val;
	size_t key_len, val_len;
	bool quoted;
};

static bool lit(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Decimal (base 10) or hex (base 16) digits, all of [s, s+n), into *out. */
static bool number(const char *s, size_t n, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = s[i] >= '0' && s[i] <= '9' ? (unsigned)(s[i] - '0')
			     : base == 16 && s[i] >= 'a' && s[i] <= 'f' ? (unsigned)(s[i] - 'a' + 10)
			     : base == 16 && s[i] >= 'A' && s[i] <= 'F' ? (unsigned)(s[i] - 'A' + 10) : 99;
		if (d >= base || v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool digits_until(struct cursor *c, char stop, uint64_t *out)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p != stop)
		c->p++;
	if (c->p == c->end || !number(s, (size_t)(c->p - s), 10, UINT64_MAX, out))
		return false;
	c->p++;
	return true;
}

/* "audit(SEC.MS:SERIAL): " */
static bool header(struct cursor *c, uint64_t *serial)
{
	uint64_t sec, ms;

	return lit(c, "audit(") && digits_until(c, '.', &sec) && digits_until(c, ':', &ms) &&
	       digits_until(c, ')', serial) && lit(c, ": ");
}

/* The next key=value; false at the end or on anything malformed (*bad). */
static bool next_field(struct cursor *c, struct field *f, bool *bad)
{
	*bad = false;
	if (c->p == c->end)
		return false;
	f->key = c->p;
	while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') || *c->p == '_' ||
				 (c->p > f->key && *c->p >= '0' && *c->p <= '9')))
		c->p++;
	f->key_len = (size_t)(c->p - f->key);
	if (f->key_len == 0 || !lit(c, "="))
		return !(*bad = true);
	f->quoted = c->p < c->end && *c->p == '"';
	if (f->quoted) {
		const char *q = memchr(c->p + 1, '"', (size_t)(c->end - c->p - 1));
		if (!q)
			return !(*bad = true);
		f->val = c->p + 1;
		f->val_len = (size_t)(q - f->val);
		c->p = q + 1;
	} else {
		f->val = c->p;
		while (c->p < c->end && (unsigned char)*c->p > ' ' && (unsigned char)*c->p < 0x7f &&
		       *c->p != '"')
			c->p++;
		f->val_len = (size_t)(c->p - f->val);
	}
	if (c->p < c->end && !lit(c, " "))
		return !(*bad = true);
	return true;
}

static bool is_key(const struct field *f, const char *k)
{
	return f->key_len == strlen(k) && memcmp(f->key, k, f->key_len) == 0;
}

/* A string field: quoted as is (printable ASCII, the kernel's test), or
 * hex-decoded; never a NUL inside, always NUL-terminated in out. */
static bool string_value(const struct field *f, char *out, size_t cap)
{
	size_t n = 0;

	if (f->quoted) {
		if (f->val_len >= cap)
			return false;
		for (size_t i = 0; i < f->val_len; i++)
			if ((unsigned char)f->val[i] < 0x21 || (unsigned char)f->val[i] > 0x7e)
				return false;
		memcpy(out, f->val, f->val_len);
		out[f->val_len] = 0;
		return true;
	}
	if (f->val_len % 2 || f->val_len / 2 >= cap)
		return false;
	for (size_t i = 0; i < f->val_len; i += 2) {
		uint64_t b;
		if (!number(f->val + i, 2, 16, 255, &b) || b == 0)
			return false;
		out[n++] = (char)b;
	}
	out[n] = 0;
	return n > 0;
}

/* The keys a record of kind k must have; each may appear once. */
enum { K_DOMAIN = 1, K_BLOCKERS = 2, K_PATH = 4, K_STATUS = 8, K_PID = 16, K_DENIALS = 32,
       K_SYSCALL = 64 };

static int take_field(const struct field *f, struct sbx_lla_rec *r, unsigned *seen)
{
	uint64_t v;
	unsigned bit = is_key(f, "domain") ? K_DOMAIN : is_key(f, "blockers") ? K_BLOCKERS
		       : is_key(f, "path") ? K_PATH : is_key(f, "status") ? K_STATUS
		       : is_key(f, "pid") ? K_PID : is_key(f, "denials") ? K_DENIALS
		       : is_key(f, "syscall") ? K_SYSCALL : 0;

	if (!bit)
		return 0;		/* dev, ino, uid, exe, comm, ...: not used */
	if (*seen & bit)
		return -EINVAL;
	*seen |= bit;
	switch (bit) {
	case K_DOMAIN:
		return !f->quoted && number(f->val, f->val_len, 16, UINT64_MAX, &r->domain) ? 0 : -EINVAL;
	case K_BLOCKERS:
		if (f->quoted || f->val_len == 0 || f->val_len >= sizeof(r->blockers))
			return -EINVAL;
		for (size_t i = 0; i < f->val_len; i++)
			if (!((f->val[i] >= 'a' && f->val[i] <= 'z') || f->val[i] == '.' ||
			      f->val[i] == '_' || f->val[i] == ','))
				return -EINVAL;
		memcpy(r->blockers, f->val, f->val_len);
		r->blockers[f->val_len] = 0;
		return 0;
	case K_PATH:
		return string_value(f, r->path, sizeof(r->path)) ? 0 : -EINVAL;
	case K_STATUS:
		if (f->quoted)
			return -EINVAL;
		if (f->val_len == 9 && memcmp(f->val, "allocated", 9) == 0)
			r->kind = SBX_LLA_ALLOCATED;
		else if (f->val_len == 11 && memcmp(f->val, "deallocated", 11) == 0)
			r->kind = SBX_LLA_DEALLOCATED;
		else
			return -EINVAL;
		return 0;
	case K_PID:
		if (f->quoted || !number(f->val, f->val_len, 10, 0x7fffffff, &v) || v == 0)
			return -EINVAL;
		r->pid = (pid_t)v;
		return 0;
	case K_DENIALS:
		if (f->quoted || !number(f->val, f->val_len, 10, 0xffffffffUL, &v))
			return -EINVAL;
		r->denials = (unsigned long)v;
		return 0;
	default:
		if (f->quoted || !number(f->val, f->val_len, 10, 1000000, &v))
			return -EINVAL;
		r->syscall = (long)v;
		return 0;
	}
}

/* The keys each kind must have. */
static bool complete(int type, const struct sbx_lla_rec *r, unsigned seen)
{
	if (type == SBX_AUDIT_LANDLOCK_ACCESS)
		return (seen & (K_DOMAIN | K_BLOCKERS)) == (K_DOMAIN | K_BLOCKERS) && !(seen & K_STATUS);
	/* A path only ever comes in an ACCESS record. */
	if (seen & K_PATH)
		return false;
	if (type == SBX_AUDIT_SYSCALL)
		return (seen & K_SYSCALL) && !(seen & (K_DOMAIN | K_STATUS | K_BLOCKERS | K_DENIALS));
	if (!(seen & K_DOMAIN) || !(seen & K_STATUS) || (seen & K_BLOCKERS))
		return false;
	return r->kind == SBX_LLA_ALLOCATED ? (seen & K_PID) != 0 : (seen & K_DENIALS) != 0;
}

int sbx_lla_parse(int type, const char *text, size_t len, struct sbx_lla_rec *out)
{
	struct cursor c = { text, text + len };
	unsigned seen = 0;
	struct field f;
	bool bad;

	memset(out, 0, sizeof(*out));
	if (type != SBX_AUDIT_SYSCALL && type != SBX_AUDIT_LANDLOCK_ACCESS &&
	    type != SBX_AUDIT_LANDLOCK_DOMAIN)
		return -EINVAL;
	/* The kernel may end the payload with a NUL; nothing after it. */
	if (len && !text[len - 1])
		c.end--;
	if (len > SBX_LLA_TEXT_MAX || memchr(c.p, 0, (size_t)(c.end - c.p)) || !header(&c, &out->serial))
		return -EINVAL;
	out->kind = type == SBX_AUDIT_SYSCALL ? SBX_LLA_SYSCALL : SBX_LLA_ACCESS;
	while (next_field(&c, &f, &bad))
		if (take_field(&f, out, &seen) < 0)
			return -EINVAL;
	if (bad || !complete(type, out, seen))
		return -EINVAL;
	return 0;
}
