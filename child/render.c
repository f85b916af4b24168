/* render.c: an audit event's arguments as JSON, for the report. Reads only
 * exact built-in types through their C layout; never calls __repr__ or any
 * other code of the program. Strings are cut at 1 KiB and say so. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <string.h>

#include "sbx_hook.h"

#define SBX_VALUE_MAX 1024	/* report.md: long values are cut at 1 KiB */
#define SBX_DEPTH_MAX 3
#define SBX_ITEMS_MAX 16

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n + 1 > o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A JSON string body from UTF-8 bytes (or bytes shown as b'...'). */
static void put_escaped(struct out *o, const char *s, size_t n, bool bytes)
{
	size_t shown = n > SBX_VALUE_MAX ? SBX_VALUE_MAX : n;
	char tmp[16];

	put(o, "\"", 1);
	if (bytes)
		put(o, "b'", 2);
	for (size_t i = 0; i < shown && !o->full; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)ch;
			put(o, tmp, 2);
		} else if (bytes && (ch < 0x20 || ch >= 0x7f)) {
			/* \\xNN: a backslash escaped for JSON, then the hex */
			snprintf(tmp, sizeof(tmp), "\\\\x%02x", ch);
			put(o, tmp, strlen(tmp));
		} else if (ch < 0x20 || ch == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", ch);
			put(o, tmp, strlen(tmp));
		} else {
			put(o, (const char *)&ch, 1);
		}
	}
	/* Do not end inside a UTF-8 sequence. */
	if (!bytes && shown < n) {
		while (o->len > 0 && ((unsigned char)o->buf[o->len - 1] & 0xc0) == 0x80)
			o->len--;
		if (o->len > 0 && ((unsigned char)o->buf[o->len - 1] & 0xc0) == 0xc0)
			o->len--;
		o->buf[o->len] = '\0';
	}
	if (bytes)
		put(o, "'", 1);
	if (shown < n) {
		snprintf(tmp, sizeof(tmp), "...[cut %zu", n - shown);
		puts_(o, tmp);
		puts_(o, " bytes]");
	}
	put(o, "\"", 1);
}

static void render(struct out *o, PyObject *v, int depth)
{
	char tmp[64];

	if (v == Py_None) {
		puts_(o, "null");
	} else if (v == Py_True || v == Py_False) {
		puts_(o, v == Py_True ? "true" : "false");
	} else if (PyLong_CheckExact(v)) {
		int overflow = 0;
		long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
		if (overflow || (x == -1 && PyErr_Occurred())) {
			PyErr_Clear();
			puts_(o, "\"<int too large>\"");
		} else {
			snprintf(tmp, sizeof(tmp), "%lld", x);
			puts_(o, tmp);
		}
	} else if (PyFloat_CheckExact(v)) {
		double d = PyFloat_AS_DOUBLE(v);
		if (d != d || d > 1e308 || d < -1e308)
			puts_(o, "\"<float>\"");
		else {
			snprintf(tmp, sizeof(tmp), "%.17g", d);
			puts_(o, tmp);
		}
	} else if (PyUnicode_CheckExact(v)) {
		Py_ssize_t n;
		const char *s = PyUnicode_AsUTF8AndSize(v, &n);
		if (!s) {
			/* lone surrogates: not UTF-8 */
			PyErr_Clear();
			puts_(o, "\"<str not UTF-8>\"");
		} else {
			put_escaped(o, s, (size_t)n, false);
		}
	} else if (PyBytes_CheckExact(v)) {
		put_escaped(o, PyBytes_AS_STRING(v), (size_t)PyBytes_GET_SIZE(v), true);
	} else if ((PyTuple_CheckExact(v) || PyList_CheckExact(v)) && depth < SBX_DEPTH_MAX) {
		bool tuple = PyTuple_CheckExact(v);
		Py_ssize_t n = tuple ? PyTuple_GET_SIZE(v) : PyList_GET_SIZE(v);
		put(o, "[", 1);
		for (Py_ssize_t i = 0; i < n && !o->full; i++) {
			if (i)
				put(o, ",", 1);
			if (i >= SBX_ITEMS_MAX) {
				snprintf(tmp, sizeof(tmp), "\"...[%zd more]\"", n - i);
				puts_(o, tmp);
				break;
			}
			/* A list can shrink under us only if code runs; none does. */
			render(o, tuple ? PyTuple_GET_ITEM(v, i) : PyList_GET_ITEM(v, i), depth + 1);
		}
		put(o, "]", 1);
	} else {
		/* The type's name from its C struct: no attribute look-up. */
		const char *name = Py_TYPE(v)->tp_name;
		put(o, "\"<", 2);
		for (size_t i = 0; name[i] && i < 64; i++)
			if (name[i] != '"' && name[i] != '\\' && (unsigned char)name[i] >= 0x20)
				put(o, &name[i], 1);
		put(o, ">\"", 2);
	}
}

size_t sbx_render_args(void *args_tuple, char *buf, size_t cap)
{
	PyObject *args = args_tuple;
	/* One byte kept back for the closing "]": the elements may fill the
	 * rest to the last byte, and cutting afterwards would cut JSON. */
	struct out o = { buf, cap - 1, 0, false };
	Py_ssize_t n;

	if (cap < 16)
		return 0;
	buf[0] = '\0';
	if (!args || !PyTuple_Check(args)) {
		o.cap = cap;
		puts_(&o, "[]");
		return o.len;
	}
	n = PyTuple_GET_SIZE(args);
	put(&o, "[", 1);
	for (Py_ssize_t i = 0; i < n; i++) {
		size_t mark = o.len;
		if (i)
			put(&o, ",", 1);
		render(&o, PyTuple_GET_ITEM(args, i), 1);
		if (o.full) {
			/* Keep what fits, valid JSON, and say the rest was cut. */
			o.len = mark;
			o.full = false;
			o.buf[o.len] = '\0';
			if (o.len + 24 < o.cap)
				puts_(&o, i ? ",\"...[cut]\"" : "\"...[cut]\"");
			break;
		}
	}
	o.cap = cap;
	put(&o, "]", 1);
	return o.len;
}
