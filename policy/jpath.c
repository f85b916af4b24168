/* jpath.c: JSON paths and where they are in the source text. jansson gives
 * positions for syntax errors only; a loaded json_t carries none, so this
 * re-scans the (already valid) text to find the key or value a path names. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_policy_int.h"

void sbx_jpath_push_key(struct sbx_jpath *p, const char *key)
{
	if (p->depth < SBX_JPATH_MAX) {
		p->c[p->depth].key = key;
		p->c[p->depth].index = 0;
	}
	p->depth++;
}

void sbx_jpath_push_index(struct sbx_jpath *p, size_t index)
{
	if (p->depth < SBX_JPATH_MAX) {
		p->c[p->depth].key = NULL;
		p->c[p->depth].index = index;
	}
	p->depth++;
}

void sbx_jpath_pop(struct sbx_jpath *p)
{
	if (p->depth > 0)
		p->depth--;
}

static bool is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

void sbx_jpath_format(const struct sbx_jpath *p, char *buf, size_t len)
{
	size_t off;
	int depth = p->depth < SBX_JPATH_MAX ? p->depth : SBX_JPATH_MAX;

	if (!len)
		return;
	snprintf(buf, len, "$");
	for (int i = 0; i < depth; i++) {
		off = strlen(buf);
		if (off >= len - 1)
			break;
		if (!p->c[i].key) {
			snprintf(buf + off, len - off, "[%zu]", p->c[i].index);
		} else if (is_ident(p->c[i].key)) {
			snprintf(buf + off, len - off, ".%s", p->c[i].key);
		} else {
			/* Quote, escaping what would make the path ambiguous. */
			size_t o = off;
			buf[o++] = '[';
			if (o < len - 1)
				buf[o++] = '"';
			for (const char *k = p->c[i].key; *k && o < len - 3; k++) {
				if (*k == '"' || *k == '\\')
					buf[o++] = '\\';
				buf[o++] = (unsigned char)*k < 0x20 ? '?' : *k;
			}
			if (o < len - 2) {
				buf[o++] = '"';
				buf[o++] = ']';
			}
			buf[o < len ? o : len - 1] = '\0';
		}
	}
}

int sbx_jpath_parse(const char *s, struct sbx_jpath *p, char *scratch, size_t scratch_len)
{
	size_t used = 0;

	memset(p, 0, sizeof(*p));
	if (s[0] == '$') {
		s++;
		if (*s == '.')
			s++;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		if (p->depth >= SBX_JPATH_MAX)
			return -E2BIG;
		if (*s == '[') {
			s++;
			if (*s == '"') {
				/* ["quoted key"] */
				const char *start;
				s++;
				/* room for the terminator even when the key is empty */
				if (used >= scratch_len)
					return -E2BIG;
				start = scratch + used;
				while (*s && *s != '"') {
					if (*s == '\\' && s[1])
						s++;
					if (used + 1 >= scratch_len)
						return -E2BIG;
					scratch[used++] = *s++;
				}
				if (*s != '"' || s[1] != ']')
					return -EINVAL;
				scratch[used++] = '\0';
				sbx_jpath_push_key(p, start);
				s += 2;
			} else {
				char *end;
				unsigned long v;
				if (!isdigit((unsigned char)*s))
					return -EINVAL;
				errno = 0;
				v = strtoul(s, &end, 10);
				if (errno || *end != ']' || v > 1000000)
					return -EINVAL;
				sbx_jpath_push_index(p, v);
				s = end + 1;
			}
		} else {
			const char *start = scratch + used;
			size_t n = strcspn(s, ".[");
			if (n == 0 || used + n + 1 > scratch_len)
				return n ? -E2BIG : -EINVAL;
			memcpy(scratch + used, s, n);
			used += n;
			scratch[used++] = '\0';
			sbx_jpath_push_key(p, start);
			s += n;
		}
		if (*s == '.') {
			s++;
			if (!*s || *s == '.' || *s == '[')
				return -EINVAL;
		} else if (*s && *s != '[') {
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- the position scanner ---- */

struct scan {
	const char *s;
	size_t len, i;
};

static void skip_ws(struct scan *sc)
{
	while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]))
		sc->i++;
}

/* Reads a string at sc->i, decoding escapes into buf (truncated, but then
 * it cannot match a key that fits). */
static bool read_string(struct scan *sc, char *buf, size_t cap, size_t *outlen)
{
	size_t o = 0;

	if (sc->i >= sc->len || sc->s[sc->i] != '"')
		return false;
	sc->i++;
	while (sc->i < sc->len && sc->s[sc->i] != '"') {
		char ch = sc->s[sc->i++];
		if (ch == '\\' && sc->i < sc->len) {
			char e = sc->s[sc->i++];
			unsigned cp = 0;
			switch (e) {
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'u':
				if (sc->i + 4 > sc->len)
					return false;
				for (int k = 0; k < 4; k++) {
					char h = sc->s[sc->i++];
					cp = cp * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0'
								: (tolower((unsigned char)h) - 'a' + 10));
				}
				if (cp >= 0xd800 && cp < 0xdc00 && sc->i + 6 <= sc->len &&
				    sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
					unsigned lo = 0;
					sc->i += 2;
					for (int k = 0; k < 4; k++) {
						char h = sc->s[sc->i++];
						lo = lo * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0'
								: (tolower((unsigned char)h) - 'a' + 10));
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				/* UTF-8 encode */
				{
					unsigned char u[4];
					int n;
					if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
					else if (cp < 0x800) { u[0] = 0xc0 | (cp >> 6); u[1] = 0x80 | (cp & 0x3f); n = 2; }
					else if (cp < 0x10000) { u[0] = 0xe0 | (cp >> 12); u[1] = 0x80 | ((cp >> 6) & 0x3f); u[2] = 0x80 | (cp & 0x3f); n = 3; }
					else { u[0] = 0xf0 | (cp >> 18); u[1] = 0x80 | ((cp >> 12) & 0x3f); u[2] = 0x80 | ((cp >> 6) & 0x3f); u[3] = 0x80 | (cp & 0x3f); n = 4; }
					for (int k = 0; k < n; k++)
						if (o + 1 < cap)
							buf[o++] = (char)u[k];
				}
				continue;
			default: ch = e; break;	/* \" \\ \/ */
			}
		}
		if (o + 1 < cap)
			buf[o++] = ch;
	}
	if (sc->i >= sc->len)
		return false;
	sc->i++;		/* closing quote */
	if (cap)
		buf[o < cap ? o : cap - 1] = '\0';
	if (outlen)
		*outlen = o;
	return true;
}

static bool skip_value(struct scan *sc, int depth)
{
	char ch;

	if (depth > 2048)
		return false;
	skip_ws(sc);
	if (sc->i >= sc->len)
		return false;
	ch = sc->s[sc->i];
	if (ch == '"')
		return read_string(sc, NULL, 0, NULL);
	if (ch == '{' || ch == '[') {
		char close = ch == '{' ? '}' : ']';
		sc->i++;
		skip_ws(sc);
		if (sc->i < sc->len && sc->s[sc->i] == close) {
			sc->i++;
			return true;
		}
		for (;;) {
			if (ch == '{') {
				skip_ws(sc);
				if (!read_string(sc, NULL, 0, NULL))
					return false;
				skip_ws(sc);
				if (sc->i >= sc->len || sc->s[sc->i] != ':')
					return false;
				sc->i++;
			}
			if (!skip_value(sc, depth + 1))
				return false;
			skip_ws(sc);
			if (sc->i >= sc->len)
				return false;
			if (sc->s[sc->i] == ',') {
				sc->i++;
				continue;
			}
			if (sc->s[sc->i] == close) {
				sc->i++;
				return true;
			}
			return false;
		}
	}
	/* number or literal */
	while (sc->i < sc->len && !strchr(" \t\r\n,]}", sc->s[sc->i]))
		sc->i++;
	return true;
}

static void offset_to_pos(const char *s, size_t off, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Past one member or element and the comma after it, if any. */
static bool next_item(struct scan *sc)
{
	if (!skip_value(sc, 0))
		return false;
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == ',')
		sc->i++;
	return true;
}

bool sbx_jpos_find(const char *text, size_t len, const struct sbx_jpath *path,
		   bool at_key, int *line, int *col)
{
	struct scan sc = { text, len, 0 };
	char key[1024];
	size_t keylen;
	int depth = path->depth < SBX_JPATH_MAX ? path->depth : SBX_JPATH_MAX;

	if (!text)
		return false;
	/* A UTF-8 byte order mark is not JSON; jansson rejects it anyway. */
	skip_ws(&sc);
	for (int d = 0; d < depth; d++) {
		bool last = d == depth - 1;
		bool found = false;

		skip_ws(&sc);
		if (sc.i >= len)
			return false;
		if (path->c[d].key) {
			if (text[sc.i] != '{')
				return false;
			sc.i++;
			for (;;) {
				size_t kpos;
				skip_ws(&sc);
				if (sc.i >= len || text[sc.i] == '}')
					return false;
				kpos = sc.i;
				if (!read_string(&sc, key, sizeof(key), &keylen))
					return false;
				skip_ws(&sc);
				if (sc.i >= len || text[sc.i] != ':')
					return false;
				sc.i++;
				if (keylen == strlen(path->c[d].key) &&
				    memcmp(key, path->c[d].key, keylen) == 0) {
					if (last && at_key) {
						offset_to_pos(text, kpos, line, col);
						return true;
					}
					found = true;
					break;
				}
				if (!next_item(&sc))
					return false;
			}
		} else {
			size_t idx = 0;
			if (text[sc.i] != '[')
				return false;
			sc.i++;
			for (;;) {
				skip_ws(&sc);
				if (sc.i >= len || text[sc.i] == ']')
					return false;
				if (idx == path->c[d].index) {
					found = true;
					break;
				}
				if (!next_item(&sc))
					return false;
				idx++;
			}
		}
		if (!found)
			return false;
	}
	skip_ws(&sc);
	offset_to_pos(text, sc.i, line, col);
	return true;
}
