/* fuzz_render.c: libFuzzer target for the audit hook's argument renderer,
 * with the real interpreter. The input is a little program that builds a
 * tuple of str/bytes/int/float/None/bool/tuple/list/dict objects (dicts
 * and sets stand for "any other object"); the renderer must return valid
 * JSON, an array, within the buffer, whatever the nesting and content. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "sbx_hook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__asan_default_options(void);

/* The interpreter keeps caches and interned objects for its whole life by
 * design; LeakSanitizer would report those at exit, not anything of ours. */
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	PyConfig c;

	(void)argc;
	(void)argv;
	PyConfig_InitIsolatedConfig(&c);
	PyConfig_SetBytesString(&c, &c.home, "/usr");
	c.site_import = 0;
	c.install_signal_handlers = 0;
	if (PyStatus_Exception(Py_InitializeFromConfig(&c)))
		abort();
	PyConfig_Clear(&c);
	return 0;
}

struct in {
	const uint8_t *p;
	size_t n;
};

static int take(struct in *in)
{
	if (!in->n)
		return -1;
	in->n--;
	return *in->p++;
}

/* One object from the input; depth bounds the nesting. */
static PyObject *build(struct in *in, int depth)
{
	int op = take(in), len;
	PyObject *o;

	if (op < 0)
		Py_RETURN_NONE;
	len = take(in);
	if (len < 0)
		len = 0;
	switch (op % 10) {
	case 0: {
		size_t l = (size_t)len < in->n ? (size_t)len : in->n;
		o = PyUnicode_DecodeUTF8((const char *)in->p, (Py_ssize_t)l, "surrogateescape");
		in->p += l, in->n -= l;
		return o ? o : (PyErr_Clear(), PyUnicode_FromString("?"));
	}
	case 1: {
		size_t l = (size_t)len < in->n ? (size_t)len : in->n;
		o = PyBytes_FromStringAndSize((const char *)in->p, (Py_ssize_t)l);
		in->p += l, in->n -= l;
		return o;
	}
	case 2: {
		/* Small, negative, and huge (past CPython's 4300-digit str limit). */
		PyObject *v = PyLong_FromUnsignedLongLong((unsigned long long)len * 1000003ULL);
		PyObject *sh = PyLong_FromLong((op & 0x40) ? (long)len * 100 : 0);
		PyObject *r = v && sh ? PyNumber_Lshift(v, sh) : NULL;
		Py_XDECREF(v);
		Py_XDECREF(sh);
		if (r && (op & 0x80)) {
			PyObject *neg = PyNumber_Negative(r);
			Py_DECREF(r);
			r = neg;
		}
		return r ? r : (PyErr_Clear(), PyLong_FromLong(0));
	}
	case 3: return PyFloat_FromDouble(op & 0x40 ? 1e308 * len : -0.5 * len);
	case 4: return PyBool_FromLong(len & 1);
	case 5:
	case 6: {
		int n = depth > 0 ? len % 8 : 0;
		o = op % 10 == 5 ? PyTuple_New(n) : PyList_New(n);
		for (int i = 0; o && i < n; i++) {
			PyObject *e = build(in, depth - 1);
			if (op % 10 == 5)
				PyTuple_SET_ITEM(o, i, e);
			else
				PyList_SET_ITEM(o, i, e);
		}
		return o;
	}
	case 7: return PyDict_New();
	case 8: return PySet_New(NULL);
	default: Py_RETURN_NONE;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	char buf[3420];
	int n = take(&in);
	PyObject *args = PyTuple_New(n < 0 ? 0 : n % 6);
	json_error_t jerr;
	json_t *j;
	size_t len;

	for (Py_ssize_t i = 0; args && i < PyTuple_GET_SIZE(args); i++)
		PyTuple_SET_ITEM(args, i, build(&in, 6));
	len = sbx_render_args(args, buf, sizeof(buf));
	Py_XDECREF(args);
	if (len >= sizeof(buf) || strlen(buf) != len)
		__builtin_trap();
	j = json_loadb(buf, len, JSON_ALLOW_NUL, &jerr);
	if (!j || !json_is_array(j))
		__builtin_trap();
	json_decref(j);
	return 0;
}
