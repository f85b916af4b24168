/* hook.c: the native audit hook. Every audited event of the interpreter
 * comes here: a user events rule or a table row decides it; ignored events
 * cost a hash lookup (events.c) and no allocation. Arguments are read only
 * through the C layout of exact built-in types, so no code of the program
 * ever runs here. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <structmember.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_child.h"
#include "sbx_events.h"
#include "sbx_hook.h"
#include "sbx_match.h"
#include "sbx_rules.h"

static const struct sbx_hook_cfg *cfg;
static PyObject *io_open;		/* _io.open, taken before user code runs */
static __thread int busy;		/* re-entry guard, per thread */
/* events rules and code actions judge the program, not the interpreter's
 * own start-up (which lists directories and runs module code); the
 * sections (filesystem, network, process, ...) apply from the first event. */
static bool program_started;

struct verdict {
	enum sbx_rule rule;
	bool deny;
	char detail[256];		/* "open '/etc/x' 'w'" */
};

/* What the next record is about, as data (sbx_channel.h): filled where a
 * denial is decided, with what was judged; sent and emptied with the
 * record. Per thread, like the re-entry guard. */
static __thread struct sbx_operand op_cur;

/* ---- reporting ---- */

static size_t copy_bounded(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap);

	memcpy(dst, src, n);
	return n;
}

/* file:line of the innermost frame that is not the import machinery, read
 * from the frame's code object: no user code involved. */
static void where_of(char *buf, size_t cap)
{
	PyFrameObject *f = PyEval_GetFrame();
	char first[256] = "";

	buf[0] = '\0';
	if (f)
		Py_INCREF(f);
	for (int hops = 0; f && hops < 64; hops++) {
		PyCodeObject *code = PyFrame_GetCode(f);
		PyObject *fn = code ? code->co_filename : NULL;
		const char *s = fn && PyUnicode_Check(fn) ? PyUnicode_AsUTF8(fn) : NULL;
		PyFrameObject *back;

		if (!s)
			PyErr_Clear();
		/* The program's own line, not the library's: skip the import
		 * machinery and the standard library (the innermost such
		 * frame still wins when the program has none). */
		if (s && !first[0] && strncmp(s, "<frozen ", 8) != 0)
			snprintf(first, sizeof(first), "%s:%d", s, PyFrame_GetLineNumber(f));
		if (s && strncmp(s, "<frozen ", 8) != 0 && !sbx_path_under(s, cfg->stdlib)) {
			snprintf(buf, cap, "%s:%d", s, PyFrame_GetLineNumber(f));
			Py_XDECREF(code);
			break;
		}
		Py_XDECREF(code);
		back = PyFrame_GetBack(f);
		Py_DECREF(f);
		f = back;
	}
	Py_XDECREF(f);
	if (!buf[0])
		snprintf(buf, cap, "%s", first);
}

/* The channel is lost (shut down, or no longer ours): nothing the hook
 * sees could be recorded from here on, so nothing more runs. The
 * supervisor sees the shutdown on its end and reports the run as
 * tampered. */
static _Noreturn void channel_lost(void)
{
	kill(0, SIGKILL);
	raise(SIGKILL);
	_exit(126);
}

/* One record, whole, or the end of the process: a record is never
 * dropped. The program may have made the channel non-blocking (the open
 * file is shared with every dup it made) or shrunk its buffer: wait until
 * the supervisor has read, then send again. */
static void deliver(int fd, const struct sbx_chan_rec *rec)
{
	for (;;) {
		struct pollfd pf = { fd, POLLOUT, 0 };
		ssize_t n = send(fd, rec, sizeof(*rec), MSG_NOSIGNAL);
		if (n == (ssize_t)sizeof(*rec))
			return;
		if (n >= 0 || (errno != EINTR && errno != EAGAIN && errno != ENOBUFS))
			channel_lost();
		if (errno != EINTR && poll(&pf, 1, -1) < 0 && errno != EINTR)
			channel_lost();
	}
}

/* Records are numbered per process, and sent in the order numbered: the
 * hook runs with the GIL held, so one thread at a time gets here. A fork's
 * child starts again from 1 (its pid is new). */
static uint32_t next_seq(void)
{
	static pid_t seq_pid;
	static uint32_t seq;
	pid_t pid = getpid();

	if (pid != seq_pid) {
		seq_pid = pid;
		seq = 0;
	}
	if (seq == UINT32_MAX)
		channel_lost();		/* cannot be numbered any more */
	/* Tests (sandboxpy-faults): the second record lost in transit, or
	 * the third sent with the second's number. */
	if (seq == 1 && sbx_fault("chan-gap"))
		seq++;
	else if (seq == 2 && sbx_fault("chan-repeat"))
		return seq;
	return ++seq;
}

static void send_record(const char *event, PyObject *args, enum sbx_rule rule, size_t clause,
			enum sbx_action action, const char *detail)
{
	static __thread struct sbx_chan_rec rec;	/* 4 KiB: not on the stack */
	char where[256];

	if (!cfg || cfg->chan_fd < 0)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.version = SBX_CHAN_VERSION;
	rec.type = SBX_CHAN_EVENT;
	rec.pid = (uint32_t)getpid();
	rec.tid = (uint32_t)gettid();
	rec.rule = rule;
	rec.action = action;
	rec.clause = (uint32_t)clause;
	memcpy(rec.key, cfg->chan_key, sizeof(rec.key));
	rec.event_len = (uint16_t)copy_bounded(rec.event, sizeof(rec.event), event);
	where_of(where, sizeof(where));
	rec.where_len = (uint16_t)copy_bounded(rec.where, sizeof(rec.where), where);
	rec.detail_len = (uint16_t)copy_bounded(rec.detail, sizeof(rec.detail), detail);
	rec.args_len = (uint16_t)sbx_render_args(args, rec.args, sizeof(rec.args));
	memcpy(&rec.op, &op_cur, sizeof(rec.op));
	sbx_operand_reset(&op_cur, SBX_OPK_NONE);
	/* Numbered last: nothing above can re-enter the hook, but the number
	 * must be the one sent next. One record, one send: threads never
	 * interleave. */
	rec.seq = next_seq();
	deliver(cfg->chan_fd, &rec);
}

void sbx_hook_record_builtin(const char *name, enum sbx_rule rule)
{
	char detail[200];
	PyObject *args = Py_BuildValue("(s)", name);

	snprintf(detail, sizeof(detail), "import %s (a built-in module)", name);
	sbx_operand_reset(&op_cur, SBX_OPK_MODULE);
	sbx_operand_set(&op_cur, SBX_OP_MODULE, name);
	send_record("import", args, rule, 0, cfg ? sbx_action_effective(cfg->p, SBX_DENY) : SBX_DENY,
		    detail);
	Py_XDECREF(args);
}

static _Noreturn void kill_sandbox(void)
{
	/* The supervisor ends the whole sandbox on the record; this process
	 * does not wait for it. */
	kill(0, SIGKILL);
	raise(SIGKILL);
	_exit(126);
}

static int raise_denied(const char *event, enum sbx_rule rule, size_t clause, const char *detail)
{
	char msg[512], rn[32];
	PyObject *exc;

	if (rule == SBX_RULE_EVENTS)
		snprintf(rn, sizeof(rn), "events[%zu]", clause);
	else
		snprintf(rn, sizeof(rn), "%s", sbx_rule_name(rule));
	snprintf(msg, sizeof(msg), "sandboxpy: %s denied: %s", rn, detail[0] ? detail : event);
	exc = PyObject_CallFunction(PyExc_PermissionError, "is", EACCES, msg);
	if (!exc)
		return -1;
	if (rule == SBX_RULE_IMPORTS ||
	    ((rule == SBX_RULE_CTYPES || rule == SBX_RULE_EXTENSIONS) && strcmp(event, "import") == 0)) {
		/* policy.md: ImportError whose cause is the PermissionError. */
		PyObject *ie = PyObject_CallFunction(PyExc_ImportError, "s", msg);
		if (ie) {
			PyException_SetCause(ie, exc);	/* steals exc */
			PyErr_SetObject(PyExc_ImportError, ie);
			Py_DECREF(ie);
			return -1;
		}
	}
	PyErr_SetObject(PyExc_PermissionError, exc);
	Py_DECREF(exc);
	return -1;
}

/* Standard error in order (issue 18): after a refusal's record, wait
 * until the supervisor has read it (nothing of the channel is left
 * unread), so that the traceback or whatever the program writes next
 * comes after the supervisor's line; the supervisor copies the program's
 * stderr pipe up to each record it reads. Only while lines are said (the
 * supervisor's first 100), at most 200 ms each: a stopped supervisor or
 * another process's flood delays, never blocks. */
static void wait_read(void)
{
	static unsigned waited;
	struct timespec t0, now, nap = { 0, 20000 };
	int left;

	if (!cfg || cfg->chan_fd < 0 || waited++ >= 100)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ioctl(cfg->chan_fd, SIOCOUTQ, &left) == 0 && left > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) > 200000000L)
			return;
		nanosleep(&nap, NULL);
	}
}

/* Records and enforces an action. Returns the hook's result. */
static int act(const char *event, PyObject *args, enum sbx_rule rule, size_t clause,
	       enum sbx_action action, const char *detail)
{
	action = sbx_action_effective(cfg->p, action);
	if (cfg->audit_only && (action == SBX_DENY || action == SBX_KILL)) {
		/* --audit-only: the supervisor records it as "would": action;
		 * the operation goes on. */
		send_record(event, args, rule, clause, action, detail);
		wait_read();
		return 0;
	}
	switch (action) {
	case SBX_ALLOW:
		return 0;
	case SBX_LOG:
		send_record(event, args, rule, clause, action, detail);
		return 0;
	case SBX_DENY:
		send_record(event, args, rule, clause, action, detail);
		wait_read();
		return raise_denied(event, rule, clause, detail);
	case SBX_KILL:
	default:
		send_record(event, args, rule, clause, SBX_KILL, detail);
		kill_sandbox();
	}
}

/* ---- reading arguments ---- */

static PyObject *arg(PyObject *args, int i)
{
	if (i < 0 || !PyTuple_Check(args) || i >= PyTuple_GET_SIZE(args))
		return NULL;
	return PyTuple_GET_ITEM(args, i);
}

enum path_kind { P_NONE, P_FD, P_PATH, P_UNKNOWN };

/* A path argument as bytes, without running code of the program: str and
 * bytes through their C data; os.DirEntry through its C __fspath__;
 * pathlib objects through the string pathlib itself cached in the object
 * (their __fspath__ already ran when the os function converted them). */
static PyObject *fspath_str, *str_slot, *drv_slot, *root_slot, *parts_slot;

/* The object in slot name of class t, read through its member descriptor
 * (no code runs); a borrowed reference or NULL. */
static PyObject *slot_value(PyTypeObject *t, PyObject *name, PyObject *o)
{
	PyObject *slot = PyDict_GetItemWithError(t->tp_dict, name);
	PyMemberDef *m;

	if (!slot || !Py_IS_TYPE(slot, &PyMemberDescr_Type)) {
		PyErr_Clear();
		return NULL;
	}
	m = ((PyMemberDescrObject *)slot)->d_member;
	if ((m->type != T_OBJECT_EX && m->type != T_OBJECT) || m->offset <= 0 ||
	    (size_t)m->offset + sizeof(PyObject *) > (size_t)Py_TYPE(o)->tp_basicsize)
		return NULL;
	return *(PyObject **)((char *)o + m->offset);
}

/* pathlib's own string for a path whose str() was never asked for: what
 * PurePath._format_parsed_parts makes of _drv, _root and _parts (3.11),
 * from exact str and list objects only. */
static PyObject *pathlib_parts_str(PyTypeObject *t, PyObject *o)
{
	PyObject *drv = slot_value(t, drv_slot, o), *root = slot_value(t, root_slot, o);
	PyObject *parts = slot_value(t, parts_slot, o), *out, *sep, *rest, *joined;
	Py_ssize_t n;

	if (!drv || !root || !parts || !PyUnicode_CheckExact(drv) || !PyUnicode_CheckExact(root) ||
	    !PyList_CheckExact(parts))
		return NULL;
	n = PyList_GET_SIZE(parts);
	for (Py_ssize_t i = 0; i < n; i++)
		if (!PyUnicode_CheckExact(PyList_GET_ITEM(parts, i)))
			return NULL;
	sep = PyUnicode_FromString("/");
	if (!sep)
		return NULL;
	if (PyUnicode_GET_LENGTH(drv) || PyUnicode_GET_LENGTH(root)) {
		rest = PyList_GetSlice(parts, n ? 1 : 0, n);
		joined = rest ? PyUnicode_Join(sep, rest) : NULL;
		out = joined ? PyUnicode_FromFormat("%U%U%U", drv, root, joined) : NULL;
		Py_XDECREF(rest);
		Py_XDECREF(joined);
	} else if (n) {
		out = PyUnicode_Join(sep, parts);
	} else {
		out = PyUnicode_FromString(".");	/* PurePath.__str__: '' is '.' */
	}
	Py_DECREF(sep);
	if (!out)
		PyErr_Clear();
	return out;
}

static PyObject *stdlib_fspath_cache(PyObject *o)
{
	PyObject *mro = Py_TYPE(o)->tp_mro;

	if (!mro || !PyTuple_Check(mro))
		return NULL;
	if (!fspath_str) {
		fspath_str = PyUnicode_InternFromString("__fspath__");
		str_slot = PyUnicode_InternFromString("_str");
		drv_slot = PyUnicode_InternFromString("_drv");
		root_slot = PyUnicode_InternFromString("_root");
		parts_slot = PyUnicode_InternFromString("_parts");
		if (!fspath_str || !str_slot || !drv_slot || !root_slot || !parts_slot) {
			PyErr_Clear();
			return NULL;
		}
	}
	for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
		PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
		PyObject *f, *slot;
		PyCodeObject *code;
		const char *fn;
		char want[PATH_MAX];

		if (!t->tp_dict)
			continue;
		f = PyDict_GetItemWithError(t->tp_dict, fspath_str);
		if (!f) {
			PyErr_Clear();
			continue;
		}
		/* The first __fspath__ in the MRO is the one Python called. */
		if (Py_IS_TYPE(f, &PyMethodDescr_Type))
			return PyOS_FSPath(o);	/* C code (os.DirEntry): no user code */
		if (!PyFunction_Check(f))
			return NULL;
		code = (PyCodeObject *)PyFunction_GET_CODE(f);
		fn = PyUnicode_Check(code->co_filename) ? PyUnicode_AsUTF8(code->co_filename) : NULL;
		snprintf(want, sizeof(want), "%s/pathlib.py", cfg->stdlib);
		if (!fn || strcmp(fn, want) != 0) {
			PyErr_Clear();
			return NULL;
		}
		slot = PyDict_GetItemWithError(t->tp_dict, str_slot);
		if (!slot || !Py_IS_TYPE(slot, &PyMemberDescr_Type)) {
			PyErr_Clear();
			return NULL;
		}
		{
			PyObject *v = slot_value(t, str_slot, o);
			/* str() never asked for (shutil passes Path objects
			 * along): the parts pathlib would format it from. */
			if (!v)
				return pathlib_parts_str(t, o);
			if (!PyUnicode_CheckExact(v))
				return NULL;
			Py_INCREF(v);
			return v;
		}
	}
	return NULL;
}

/* Whether the interpreter's filesystem encoding is UTF-8 (with
 * surrogateescape, as in the sandbox's UTF-8 mode). */
static bool fs_utf8(void)
{
	static int known = -1;

	if (known < 0) {
		const PyConfig *c = _Py_GetConfig();
		known = c && c->filesystem_encoding && wcscmp(c->filesystem_encoding, L"utf-8") == 0 &&
			c->filesystem_errors && wcscmp(c->filesystem_errors, L"surrogateescape") == 0;
	}
	return known;
}

static enum path_kind path_arg(PyObject *v, char *out, size_t cap)
{
	PyObject *b = NULL, *s = NULL;
	enum path_kind k = P_UNKNOWN;

	out[0] = '\0';
	if (!v || v == Py_None)
		return P_NONE;
	if (PyLong_Check(v))
		return P_FD;
	if (PyUnicode_Check(v) && fs_utf8()) {
		/* The bytes the os module will pass, without making them: the
		 * strict UTF-8 of a str (no allocation for ASCII) is its
		 * filesystem encoding when that is UTF-8 and the str has no
		 * lone surrogates (else AsUTF8 fails: encode as os does). */
		Py_ssize_t n;
		const char *u = PyUnicode_AsUTF8AndSize(v, &n);
		if (u) {
			if ((size_t)n >= cap || memchr(u, 0, (size_t)n))
				return P_UNKNOWN;
			memcpy(out, u, (size_t)n + 1);
			return P_PATH;
		}
		PyErr_Clear();
		b = PyUnicode_EncodeFSDefault(v);
	} else if (PyUnicode_Check(v)) {
		b = PyUnicode_EncodeFSDefault(v);
	} else if (PyBytes_Check(v)) {
		b = v;
		Py_INCREF(b);
	} else {
		s = stdlib_fspath_cache(v);
		if (s && PyUnicode_Check(s))
			b = PyUnicode_EncodeFSDefault(s);
		else if (s && PyBytes_Check(s)) {
			b = s;
			Py_INCREF(b);
		}
		Py_XDECREF(s);
	}
	if (!b) {
		PyErr_Clear();
		return P_UNKNOWN;
	}
	if ((size_t)PyBytes_GET_SIZE(b) < cap && !memchr(PyBytes_AS_STRING(b), 0, (size_t)PyBytes_GET_SIZE(b))) {
		memcpy(out, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b) + 1);
		k = P_PATH;
	}
	Py_DECREF(b);
	return k;
}

static int dirfd_arg(PyObject *args, int i)
{
	PyObject *v = arg(args, i);
	long fd;

	if (!v || !PyLong_Check(v))
		return -1;
	fd = PyLong_AsLong(v);
	if (fd == -1 && PyErr_Occurred())
		PyErr_Clear();
	return fd == AT_FDCWD ? -1 : (int)fd;
}

static bool str_arg(PyObject *v, const char **out)
{
	if (!v || !PyUnicode_Check(v))
		return false;
	*out = PyUnicode_AsUTF8(v);
	if (!*out) {
		PyErr_Clear();
		return false;
	}
	return true;
}

/* ---- operands: what a denial judged, for the record ---- */

static void op_path(const char *path)
{
	sbx_operand_reset(&op_cur, SBX_OPK_PATH);
	sbx_operand_set(&op_cur, SBX_OP_PATH, path);
}

static void op_addr(const char *host, long port)
{
	sbx_operand_reset(&op_cur, SBX_OPK_ADDR);
	sbx_operand_set(&op_cur, SBX_OP_HOST, host);
	if (port >= 0 && port <= 65535) {
		op_cur.port = (uint16_t)port;
		op_cur.flags |= SBX_OPF_PORT;
	}
}

static void op_module(const char *mod, const char *file)
{
	bool named = mod && mod[0] && strcmp(mod, "?") != 0;

	/* The file first (the fields' order); the name wins the room. */
	sbx_operand_reset(&op_cur, SBX_OPK_MODULE);
	if (file)
		sbx_operand_set(&op_cur, SBX_OP_PATH, file);
	if (named && !sbx_operand_set(&op_cur, SBX_OP_MODULE, mod)) {
		op_cur.len[SBX_OP_PATH] = 0;
		sbx_operand_set(&op_cur, SBX_OP_MODULE, mod);
	}
}

/* An argv list or tuple of exact str or bytes, else none: nothing else
 * can be read without running the program's code. */
static void op_argv(PyObject *list)
{
	Py_ssize_t n = list && (PyList_CheckExact(list) || PyTuple_CheckExact(list)) ? PySequence_Fast_GET_SIZE(list) : 0;

	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *o = PySequence_Fast_GET_ITEM(list, i);
		const char *c = NULL;
		Py_ssize_t len = 0;
		if (PyUnicode_CheckExact(o))
			c = PyUnicode_AsUTF8AndSize(o, &len);
		else if (PyBytes_CheckExact(o))
			c = PyBytes_AS_STRING(o), len = PyBytes_GET_SIZE(o);
		if (!c || !sbx_operand_add_arg(&op_cur, c, (size_t)len)) {
			PyErr_Clear();
			sbx_operand_drop_argv(&op_cur);	/* all or nothing */
			return;
		}
	}
}

/* ---- filesystem ---- */

static bool under_any(const char *path, const struct sbx_roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (sbx_path_under(path, r->v[i]))
			return true;
	return false;
}

/* Checks one path for read or write; fills v on denial. An open file
 * descriptor is not a path: the kernel layers decide what it reaches. */
/* Events whose last path component is the object itself, as for the
 * kernel's unlink, rename, link, symlink and mkdir: a symlink there is not
 * followed, so removing or renaming a link that points outside is the
 * link's business, not its target's. */
static bool last_component_is_object(const char *event)
{
	static const char *const events[] = {
		"os.link", "os.mkdir", "os.remove", "os.rename", "os.rmdir", "os.symlink", "shutil.rmtree",
	};

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(event, events[i]) == 0)
			return true;
	return false;
}

/* Resolves the directory part only and keeps the last component as given;
 * "." and ".." (and a trailing slash) resolve in full. */
static int resolve_parent(const char *raw, int dirfd, char *out, size_t cap)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(raw, '/'), *base = slash ? slash + 1 : raw;

	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return sbx_path_resolve_event(raw, dirfd, out, cap);
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", slash == raw ? 1 : (int)(slash - raw), raw);
	else
		snprintf(dir, sizeof(dir), ".");
	if (sbx_path_resolve_event(dir, dirfd, real, sizeof(real)) < 0)
		return -ENOENT;
	return (size_t)snprintf(out, cap, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base) >= cap
	       ? -ENAMETOOLONG : 0;
}

static bool check_path(PyObject *args, int idx, int dirfd_idx, bool write, const char *event,
		       const char *mode, struct verdict *v)
{
	char raw[PATH_MAX], real[PATH_MAX];
	enum path_kind k = path_arg(arg(args, idx), raw, sizeof(raw));
	int r;

	if (k == P_FD)
		return true;
	if (k == P_NONE) {
		if (write)
			return true;	/* nothing named */
		strcpy(raw, ".");
	}
	v->rule = write ? SBX_RULE_FS_WRITE : SBX_RULE_FS_READ;
	if (k == P_UNKNOWN) {
		PyObject *o = arg(args, idx);
		snprintf(v->detail, sizeof(v->detail), "%s <%s>: a path the sandbox cannot read without running its code",
			 event, o ? Py_TYPE(o)->tp_name : "?");
		v->deny = true;
		return false;
	}
	r = write && last_component_is_object(event)
	    ? resolve_parent(raw, dirfd_arg(args, dirfd_idx), real, sizeof(real))
	    : sbx_path_resolve_event(raw, dirfd_arg(args, dirfd_idx), real, sizeof(real));
	if (r == 0 && (write ? under_any(real, &cfg->write) : under_any(real, &cfg->read)))
		return true;
	/* Formatted only here: an allowed event prints nothing. */
	if (mode)
		snprintf(v->detail, sizeof(v->detail), "%s '%s' '%.32s'", event, raw, mode);
	else
		snprintf(v->detail, sizeof(v->detail), "%s '%s'", event, raw);
	op_path(r == 0 ? real : raw);
	v->deny = true;
	return false;
}

/* The other path of a two-path operation whose path idx was refused
 * (check_path filled the operand), resolved as check_path would. */
static void other_path(PyObject *args, int idx, bool write, const char *event)
{
	char raw[PATH_MAX], real[PATH_MAX];
	int r;

	if (path_arg(arg(args, idx), raw, sizeof(raw)) != P_PATH || op_cur.kind != SBX_OPK_PATH)
		return;
	r = write && last_component_is_object(event) ? resolve_parent(raw, -1, real, sizeof(real))
						     : sbx_path_resolve_event(raw, -1, real, sizeof(real));
	sbx_operand_set(&op_cur, SBX_OP_PATH2, r == 0 ? real : raw);
}

static bool open_writes(PyObject *args)
{
	PyObject *mode = arg(args, 1), *flags = arg(args, 2);
	const char *m;

	if (mode && str_arg(mode, &m) && strpbrk(m, "wax+"))
		return true;
	if (flags && PyLong_Check(flags)) {
		long f = PyLong_AsLong(flags);
		if (f == -1 && PyErr_Occurred()) {
			PyErr_Clear();
			return true;
		}
		if ((f & O_ACCMODE) != O_RDONLY || (f & (O_CREAT | O_TRUNC | O_APPEND)))
			return true;
	}
	return false;
}

static void h_open(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	bool w = open_writes(args);
	const char *m = NULL;

	if (!str_arg(arg(args, 1), &m))
		m = NULL;
	check_path(args, row->a, -1, w, row->event, m, v);
}

static void h_glob(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	char raw[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	const char *root = NULL;
	size_t fixed;
	char *slash;
	int r;

	if (path_arg(arg(args, row->a), raw, sizeof(raw)) != P_PATH)
		return;
	/* The directory part before the first wildcard is what gets listed. */
	fixed = strcspn(raw, "*?[");
	raw[fixed] = '\0';
	slash = strrchr(raw, '/');
	if (slash)
		slash[slash == raw ? 1 : 0] = '\0';
	else
		strcpy(raw, ".");
	if (raw[0] != '/' && str_arg(arg(args, 2), &root))
		snprintf(dir, sizeof(dir), "%s/%s", root, raw);
	else
		snprintf(dir, sizeof(dir), "%s", raw);
	r = sbx_path_resolve_event(dir, -1, real, sizeof(real));
	if (r == 0 && under_any(real, &cfg->read))
		return;
	v->rule = SBX_RULE_FS_READ;
	v->deny = true;
	snprintf(v->detail, sizeof(v->detail), "%s '%s'", row->event, dir);
	op_path(r == 0 ? real : dir);
}

/* ---- network ---- */

static bool addr_allowed(const struct sbx_net_rule *rules, size_t n, const char *host, long port)
{
	uint8_t buf[16];
	int fam = 0;
	char h[256];

	snprintf(h, sizeof(h), "%s", host);
	{
		char *pct = strchr(h, '%');	/* IPv6 scope id */
		if (pct)
			*pct = '\0';
	}
	if (inet_pton(AF_INET, h, buf) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, h, buf) == 1)
		fam = AF_INET6;
	for (size_t i = 0; i < n; i++) {
		const struct sbx_net_rule *r = &rules[i];
		bool host_ok = false;
		if (!r->any_port && r->port != port)
			continue;
		if (fam) {
			for (size_t j = 0; j < r->n_addrs && !host_ok; j++)
				host_ok = r->addrs[j].family == fam &&
					  memcmp(r->addrs[j].addr, buf, fam == AF_INET ? 4 : 16) == 0;
		} else {
			host_ok = r->is_name && strcasecmp(r->host, h) == 0;
		}
		if (host_ok)
			return true;
	}
	return false;
}

static bool name_listed(const char *host)
{
	const struct sbx_policy *p = cfg->p;

	for (size_t i = 0; i < p->net.n_connect; i++)
		if (strcasecmp(p->net.connect[i].host, host) == 0)
			return true;
	for (size_t i = 0; i < p->net.n_bind; i++)
		if (strcasecmp(p->net.bind[i].host, host) == 0)
			return true;
	return false;
}

static bool is_ip_literal(const char *h)
{
	uint8_t buf[16];
	char tmp[256];

	snprintf(tmp, sizeof(tmp), "%s", h);
	if (strchr(tmp, '%'))
		*strchr(tmp, '%') = '\0';
	return inet_pton(AF_INET, tmp, buf) == 1 || inet_pton(AF_INET6, tmp, buf) == 1;
}

/* connect/sendto/bind with a socket address. */
static void h_sockaddr(const struct sbx_event_map *row, PyObject *args, bool bind, struct verdict *v)
{
	const struct sbx_policy *p = cfg->p;
	PyObject *a = arg(args, row->a);
	enum sbx_rule rule = bind ? SBX_RULE_NET_BIND : SBX_RULE_NET_CONNECT;

	if (!a || a == Py_None)
		return;		/* sendmsg on a connected socket */
	if (bind ? !p->net.n_bind : !p->net.n_connect && !p->net.dns) {
		/* The kernel refuses connect/bind outright here (it cannot read
		 * the address); the hook agrees, whatever the address. */
		const char *host;
		if (PyTuple_Check(a) && PyTuple_GET_SIZE(a) >= 2 && str_arg(PyTuple_GET_ITEM(a, 0), &host) &&
		    PyLong_Check(PyTuple_GET_ITEM(a, 1))) {
			long pn = PyLong_AsLong(PyTuple_GET_ITEM(a, 1));
			if (pn == -1 && PyErr_Occurred())
				PyErr_Clear();
			op_addr(host, pn);
		}
		v->rule = rule;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail), "%s (the policy has no network.%s)", row->event,
			 bind ? "bind" : "connect");
		return;
	}
	if (PyTuple_Check(a) && PyTuple_GET_SIZE(a) >= 2) {
		const char *host;
		PyObject *port = PyTuple_GET_ITEM(a, 1);
		long pn = PyLong_Check(port) ? PyLong_AsLong(port) : -1;
		if (pn == -1 && PyErr_Occurred())
			PyErr_Clear();
		if (str_arg(PyTuple_GET_ITEM(a, 0), &host)) {
			if (addr_allowed(bind ? p->net.bind : p->net.connect,
					 bind ? p->net.n_bind : p->net.n_connect, host, pn))
				return;
			snprintf(v->detail, sizeof(v->detail), "%s %s%s%s:%ld", row->event,
				 strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", pn);
			op_addr(host, pn);
		} else {
			snprintf(v->detail, sizeof(v->detail), "%s <address>", row->event);
		}
		v->rule = rule;
		v->deny = true;
		return;
	}
	if (PyUnicode_Check(a) || PyBytes_Check(a)) {
		/* AF_UNIX: a path is a file to write to; an abstract name reaches
		 * services outside the sandbox, which no rule can name. */
		char raw[PATH_MAX];
		if (path_arg(a, raw, sizeof(raw)) == P_PATH && raw[0]) {
			check_path(args, row->a, -1, true, row->event, NULL, v);
			return;
		}
		v->rule = rule;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail), "%s <abstract unix socket>", row->event);
		return;
	}
	v->rule = rule;
	v->deny = true;
	snprintf(v->detail, sizeof(v->detail), "%s <%s address>", row->event, Py_TYPE(a)->tp_name);
}

static void h_hostport(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	const struct sbx_policy *p = cfg->p;
	const char *host;
	PyObject *port = arg(args, row->b);
	long pn = port && PyLong_Check(port) ? PyLong_AsLong(port) : -1;

	if (pn == -1 && PyErr_Occurred())
		PyErr_Clear();
	if (!str_arg(arg(args, row->a), &host))
		host = "?";
	if (addr_allowed(p->net.connect, p->net.n_connect, host, pn))
		return;
	v->rule = SBX_RULE_NET_CONNECT;
	v->deny = true;
	snprintf(v->detail, sizeof(v->detail), "%s %s:%ld", row->event, host, pn);
	if (strcmp(host, "?") != 0)
		op_addr(host, pn);
}

static void h_dns(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	PyObject *h = arg(args, row->a);
	const char *host = NULL;

	if (cfg->p->net.dns || !h || h == Py_None)
		return;
	if (PyTuple_Check(h) && PyTuple_GET_SIZE(h) > 0)	/* getnameinfo's sockaddr */
		h = PyTuple_GET_ITEM(h, 0);
	if (PyBytes_Check(h))
		host = PyBytes_AS_STRING(h);
	else if (!str_arg(h, &host))
		host = NULL;
	/* A literal needs no resolver; a listed name was resolved at load. */
	if (host && strcmp(row->event, "socket.gethostbyaddr") != 0 &&
	    strcmp(row->event, "socket.getnameinfo") != 0 &&
	    (is_ip_literal(host) || name_listed(host)))
		return;
	v->rule = SBX_RULE_NET_DNS;
	v->deny = true;
	snprintf(v->detail, sizeof(v->detail), "%s '%s'", row->event, host ? host : "?");
}

static void h_socket(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	PyObject *f = arg(args, row->a);
	long fam = f && PyLong_Check(f) ? PyLong_AsLong(f) : -1;

	if (fam == -1 && PyErr_Occurred())
		PyErr_Clear();
	/* -1: a socket object around an existing descriptor (family found
	 * later): the descriptor already exists, the kernel layers judge it. */
	if (fam == -1)
		return;
	if (fam == AF_UNIX) {
		/* Without network rules the kernel allows only connection-mode
		 * local sockets (no datagram can be addressed to a host
		 * socket); say no here first, with the same rule. */
		PyObject *t = arg(args, row->a + 1);
		long type = t && PyLong_Check(t) ? PyLong_AsLong(t) : -1;
		if (type == -1 && PyErr_Occurred())
			PyErr_Clear();
		if (!sbx_policy_no_network(cfg->p) || type == -1 || (type & 0xf) == SOCK_STREAM ||
		    (type & 0xf) == SOCK_SEQPACKET)
			return;
		v->rule = SBX_RULE_NET_SOCKET;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail),
			 "%s AF_UNIX type %ld (the policy has no network: stream and seqpacket only)",
			 row->event, type);
		return;
	}
	if (!sbx_policy_no_network(cfg->p) && (fam == AF_INET || fam == AF_INET6))
		return;
	v->rule = SBX_RULE_NET_SOCKET;
	v->deny = true;
	snprintf(v->detail, sizeof(v->detail), "%s family %ld%s", row->event, fam,
		 sbx_policy_no_network(cfg->p) ? " (the policy has no network)" : "");
}

/* ---- processes ---- */

static bool exe_allowed(const char *exe)
{
	char cand[PATH_MAX], real[PATH_MAX];

	if (!cfg->p->process.exec_allow.n)
		return true;	/* any program: nothing to look up */
	/* A bare name: the first match on PATH is what would run. */
	if (!strchr(exe, '/')) {
		if (sbx_exec_search(cfg->path_env, exe, cand, sizeof(cand)) < 0)
			return false;
		exe = cand;
	}
	return sbx_path_resolve(exe, -1, real, sizeof(real)) == 0 &&
	       sbx_policy_exec_allowed(cfg->p, exe, real);
}

/* The program of a refused start, as named, or the first match on the
 * sandbox's PATH for a bare name (what would have run); and its argv: the
 * argument after the program (os.exec, os.posix_spawn, subprocess.Popen;
 * pty.spawn's first), or sh -c COMMAND for os.system. */
static void op_program(const struct sbx_event_map *row, PyObject *args, const char *exe, bool fixed)
{
	char cand[PATH_MAX] = "";
	const char *cmd;

	sbx_operand_reset(&op_cur, SBX_OPK_PROGRAM);
	for (const char *d = cfg->path_env; exe[0] && !strchr(exe, '/') && d && *d && !cand[0];) {
		size_t n = strcspn(d, ":");
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, d, exe);
		if (access(cand, X_OK) != 0)
			cand[0] = '\0';
		d += n + (d[n] == ':');
	}
	if (exe[0] && strcmp(exe, "?") != 0)
		sbx_operand_set(&op_cur, SBX_OP_PROGRAM, cand[0] ? cand : exe);
	if (!fixed) {
		op_argv(arg(args, row->a + 1));
	} else if (str_arg(arg(args, 0), &cmd) && sbx_operand_add_arg(&op_cur, exe, strlen(exe)) &&
		   sbx_operand_add_arg(&op_cur, "-c", 2) && !sbx_operand_add_arg(&op_cur, cmd, strlen(cmd))) {
		sbx_operand_drop_argv(&op_cur);
	}
}

static void h_spawn(const struct sbx_event_map *row, PyObject *args, struct verdict *v,
		    const char *fixed_exe)
{
	char exe[PATH_MAX] = "";
	const struct sbx_policy *p = cfg->p;

	if (fixed_exe)
		snprintf(exe, sizeof(exe), "%s", fixed_exe);
	else if (row->a >= 0 && path_arg(arg(args, row->a), exe, sizeof(exe)) != P_PATH)
		snprintf(exe, sizeof(exe), "?");
	if (!p->process.spawn) {
		v->rule = SBX_RULE_SPAWN;
		v->deny = true;
		if (exe[0])
			snprintf(v->detail, sizeof(v->detail), "%s '%s'", row->event, exe);
		else
			snprintf(v->detail, sizeof(v->detail), "%s", row->event);
		op_program(row, args, exe, fixed_exe != NULL);
		return;
	}
	if (exe[0] && !exe_allowed(exe)) {
		v->rule = SBX_RULE_EXEC_ALLOW;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail), "%s '%s'", row->event, exe);
		op_program(row, args, exe, fixed_exe != NULL);
	}
}

static void h_signal(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	PyObject *o = arg(args, row->a);
	long pid = o && PyLong_Check(o) ? PyLong_AsLong(o) : 0;
	bool group = strcmp(row->event, "os.killpg") == 0;

	if (pid == -1 && PyErr_Occurred())
		PyErr_Clear();
	if (cfg->p->process.signal_others)
		return;
	if (group && pid > 0)
		pid = -pid;
	/* Inside the sandbox: itself, its group, its session (the child
	 * starts a new session; every process of the run is in it). */
	if (pid == 0 || pid == getpid() || pid == -getpgrp())
		return;
	if (pid > 0 && getsid((pid_t)pid) == getsid(0))
		return;
	if (pid < -1 && getsid((pid_t)-pid) == getsid(0))
		return;
	v->rule = SBX_RULE_SIGNAL;
	v->deny = true;
	snprintf(v->detail, sizeof(v->detail), "%s pid %ld", row->event, group ? -pid : pid);
}

/* ---- imports and native code ---- */

static bool name_denied(const char *name)
{
	return sbx_hook_name_denied(cfg->p, name);
}

/* Module names a file could be loaded as: ".../pkg/sub/mod.py" gives mod,
 * sub.mod, pkg.sub.mod; __init__ and __pycache__ are folded. */
static bool file_denied(const char *path, char *which, size_t cap)
{
	char buf[PATH_MAX], name[256] = "";
	char *parts[6];
	int np = 0;
	bool first = true;
	char *s;

	if (!cfg->p->imports.deny.n)
		return false;
	snprintf(buf, sizeof(buf), "%s", path);
	/* "first", not np == 0: after a skipped __init__ the next component
	 * (often __pycache__) is a directory, to be folded, not a file name. */
	for (s = strrchr(buf, '/'); np < 6; s = strrchr(buf, '/')) {
		char *comp = s ? s + 1 : buf;
		if (first) {
			char *dot = strchr(comp, '.');
			first = false;
			if (dot)
				*dot = '\0';	/* mod.cpython-311.pyc, mod.py, _x.cpython-311-...so */
			if (strcmp(comp, "__init__") != 0)
				parts[np++] = comp;
		} else if (strcmp(comp, "__pycache__") != 0) {
			parts[np++] = comp;
		}
		if (!s)
			break;
		*s = '\0';
	}
	for (int i = 0; i < np; i++) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s%s%s", parts[i], name[0] ? "." : "", name);
		snprintf(name, sizeof(name), "%s", tmp);
		if (name_denied(name)) {
			snprintf(which, cap, "%s", name);
			return true;
		}
	}
	return false;
}

/* CPython's own test extensions live in lib-dynload too, and some of them
 * reach raw memory (_testcapi, _testinternalcapi): not "stdlib" for a
 * sandbox. */
static const char *const test_extensions[] = {
	"_ctypes_test", "_testbuffer", "_testcapi", "_testclinic", "_testimportmultiple",
	"_testinternalcapi", "_testmultiphase", "_xxtestfuzz", "xxlimited", "xxlimited_35",
	"xxsubtype",
};

/* The module an extension file is, from its name: "_ctypes" for
 * ".../_ctypes.cpython-311-x86_64-linux-gnu.so". */
static void ext_base(const char *file, char *out, size_t cap)
{
	const char *b = strrchr(file, '/');

	b = b ? b + 1 : file;
	snprintf(out, cap, "%.*s", (int)strcspn(b, "."), b);
}

/* Whether a file's owner (st_uid) is the sandbox's uid, which could chmod
 * it back to writable. Root without capabilities owns the installation
 * (Landlock holds it then); in a user namespace the kernel shows owners it
 * cannot map as the overflow uid, so for a sandbox running as that uid
 * (nobody) ownership cannot be told by stat, and writability (asked of
 * the kernel by the callers) is what remains. */
static uid_t overflow_uid = 65534;

/* Read once, when the hook is installed: before any layer could refuse it
 * (a warm pool's worker has the zygote's, which read it before its own
 * interpreter started). */
static void read_overflow_uid(void)
{
	FILE *f = fopen("/proc/sys/kernel/overflowuid", "re");
	unsigned v = 65534;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 65534;
		fclose(f);
	}
	overflow_uid = (uid_t)v;
}

static bool owned_by_me(uid_t st_uid)
{
	uid_t me = geteuid();

	return me != 0 && me != overflow_uid && st_uid == me;
}

/* Not a file the sandbox's uid could have written or swapped: on a
 * read-only mount (the view's own directories, which an unprivileged
 * caller's user namespace owns: no one in the sandbox can remount them,
 * mount and mount_setattr are refused), or not its own, not writable by it
 * (the kernel's answer, user namespaces included), and a directory
 * writable by it only when sticky (others' entries stay). */
static bool not_ours(const char *path, bool dir)
{
	struct statvfs vfs;
	struct stat st;
	bool writable;

	if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode))
		return false;
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return true;
	if (owned_by_me(st.st_uid))
		return false;
	writable = geteuid() != 0 && access(path, W_OK) == 0;
	if (dir)
		return !writable || (st.st_mode & S_ISVTX);
	return !writable && !(st.st_mode & S_IWOTH);
}

/* The file an extension load names, as dlopen will open it: an absolute
 * path with no symlink, "." or ".." in it, outside /proc and /dev (no
 * magic link, no memfd), outside every tree the sandbox may write, and
 * neither it nor a directory above it writable by the sandbox's uid, so
 * nothing can change between this check and dlopen. */
static bool ext_file_fixed(const char *file)
{
	char real[PATH_MAX], dir[PATH_MAX];

	if (file[0] != '/' || sbx_path_resolve(file, -1, real, sizeof(real)) < 0 || strcmp(real, file) != 0)
		return false;
	if (sbx_path_under(real, "/proc") || sbx_path_under(real, "/dev") || under_any(real, &cfg->write))
		return false;
	if (!not_ours(real, false))
		return false;
	snprintf(dir, sizeof(dir), "%s", real);
	for (char *slash = strrchr(dir, '/'); slash && slash != dir; slash = strrchr(dir, '/')) {
		*slash = '\0';
		if (!not_ours(dir, true))
			return false;
	}
	return true;
}

/* A listed name covers that module and, a package, every module in it:
 * "yaml" covers "yaml._yaml", not "yamlx". */
static bool module_in(const char *mod, const char *name)
{
	size_t n = strlen(name);

	return strncmp(mod, name, n) == 0 && (mod[n] == '\0' || mod[n] == '.');
}

static bool ext_allowed(const char *mod, const char *file)
{
	const struct sbx_policy *p = cfg->p;
	char base[256];

	if (!ext_file_fixed(file))
		return false;
	if (p->native.extensions == SBX_EXT_ANY)
		return true;
	ext_base(file, base, sizeof(base));
	for (size_t i = 0; i < sizeof(test_extensions) / sizeof(test_extensions[0]); i++)
		if (strcmp(base, test_extensions[i]) == 0)
			goto listed;
	/* "stdlib": lib-dynload's, whatever python.site says (the site
	 * directories' extensions are packages the policy names). */
	if (sbx_path_under(file, cfg->dynload))
		return true;
listed:
	if (p->native.extensions == SBX_EXT_LIST)
		for (size_t i = 0; i < p->native.ext_list.n; i++)
			if (module_in(mod, p->native.ext_list.v[i]))
				return true;
	return false;
}

/* An extension load (_imp.create_dynamic raises "import" with the file it
 * will dlopen, whatever its name ends in): the file, not its suffix, is
 * judged. Its init function is PyInit_<last component>, and the file name
 * says what it is too: "pkg._ctypes" or a renamed _ctypes*.so is _ctypes. */
static void h_extension_load(const char *mod, PyObject *fo, struct verdict *v)
{
	const struct sbx_policy *p = cfg->p;
	const char *last = strrchr(mod, '.'), *file;
	char base[256];

	last = last ? last + 1 : mod;
	if (!str_arg(fo, &file)) {
		v->rule = SBX_RULE_EXTENSIONS;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail), "import %s from a <%s> path", mod, Py_TYPE(fo)->tp_name);
		op_module(mod, NULL);
		return;
	}
	ext_base(file, base, sizeof(base));
	if (!p->native.ctypes && (strcmp(last, "_ctypes") == 0 || strcmp(base, "_ctypes") == 0)) {
		v->rule = SBX_RULE_CTYPES;
		snprintf(v->detail, sizeof(v->detail), "import %s from '%s'", mod, file);
	} else if (name_denied(last) || name_denied(base)) {
		v->rule = SBX_RULE_IMPORTS;
		snprintf(v->detail, sizeof(v->detail), "import %s from '%s'", mod, file);
	} else if (!ext_allowed(mod, file)) {
		v->rule = SBX_RULE_EXTENSIONS;
		snprintf(v->detail, sizeof(v->detail), "import %s from '%s'", mod, file);
	} else {
		return;
	}
	op_module(mod, file);
	v->deny = true;
}

static void h_import(const struct sbx_event_map *row, PyObject *args, struct verdict *v)
{
	const char *mod;
	const struct sbx_policy *p = cfg->p;
	PyObject *fo = arg(args, row->b);

	if (!str_arg(arg(args, row->a), &mod)) {
		if (fo && fo != Py_None)
			h_extension_load("?", fo, v);
		return;
	}
	if (!p->native.ctypes && (strcmp(mod, "_ctypes") == 0 || strcmp(mod, "ctypes") == 0 ||
				  strncmp(mod, "ctypes.", 7) == 0)) {
		v->rule = SBX_RULE_CTYPES;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail), "import %s", mod);
		op_module(mod, NULL);
		return;
	}
	if (name_denied(mod)) {
		v->rule = SBX_RULE_IMPORTS;
		v->deny = true;
		snprintf(v->detail, sizeof(v->detail), "import %s", mod);
		op_module(mod, NULL);
		return;
	}
	/* The import statement passes None; the extension loader a file. */
	if (fo && fo != Py_None)
		h_extension_load(mod, fo, v);
}

/* ---- code ---- */

/* Trust by identity and provenance, never by name: a program names its
 * code objects as it likes (compile(src, "<frozen importlib._bootstrap>")).
 * What is captured here is taken before the program runs and held, so the
 * pointers are never reused. */
static PyObject *frames_removed_code;	/* _bootstrap._call_with_frames_removed */
static PyObject *imp_create_dynamic, *imp_exec_dynamic;	/* the _imp functions */
static PyObject *bytesio_type;		/* _io.BytesIO */
/* The last bytecode file of the installation the import system read in
 * this thread, as the hook itself read it (open_code_hook): marshal.loads
 * of exactly those bytes is the import system loading the installation's
 * code, whoever calls it; any other bytes are the program's. */
static __thread PyObject *installed_pyc;
/* Set by code_replace_wrap for a rename, until its own code.__new__. */
static __thread bool rename_only;

/* CPython's tables of the modules frozen into the binary (its own
 * start-up code: a new sub-interpreter unmarshals them from C, with no
 * Python frame). Exported by libpython; declared in its internal headers. */
extern const struct _frozen *_PyImport_FrozenBootstrap, *_PyImport_FrozenStdlib, *_PyImport_FrozenTest;

static bool frozen_bytes(const char *data, Py_ssize_t n)
{
	const struct _frozen *const tables[] = { _PyImport_FrozenBootstrap, _PyImport_FrozenStdlib,
						 _PyImport_FrozenTest, PyImport_FrozenModules };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct _frozen *f = tables[t]; f && f->name; f++)
			if (f->code && f->size == n && memcmp(f->code, data, (size_t)n) == 0)
				return true;
	return false;
}

/* Bytecode CPython unmarshalled from C before the program's first line
 * (the frozen getpath a new interpreter runs again, from C, with no
 * Python frame): held, and trusted by content, like the frozen tables. */
static PyObject *init_blobs[8];
static size_t n_init_blobs;

static void remember_init_blob(PyObject *args)
{
	PyObject *data = arg(args, 0);

	if (data && PyBytes_CheckExact(data) && n_init_blobs < sizeof(init_blobs) / sizeof(init_blobs[0]))
		init_blobs[n_init_blobs++] = Py_NewRef(data);
}

static bool init_blob(const char *data, Py_ssize_t n)
{
	for (size_t i = 0; i < n_init_blobs; i++)
		if (PyBytes_GET_SIZE(init_blobs[i]) == n &&
		    memcmp(PyBytes_AS_STRING(init_blobs[i]), data, (size_t)n) == 0)
			return true;
	return false;
}

/* marshal.loads of the bytes of a .pyc the installation holds (the 16-byte
 * header stripped, as the import system passes them), or of bytecode
 * frozen into the interpreter. The event's argument is a copy; what is
 * parsed is the caller's buffer, which marshal_loads_wrap makes an
 * immutable copy of first, so the two are the same bytes. */
static bool installed_bytecode(PyObject *args)
{
	PyObject *data = arg(args, 0), *pyc = installed_pyc;
	Py_ssize_t n;

	if (!data || !PyBytes_CheckExact(data))
		return false;
	n = PyBytes_GET_SIZE(data);
	if (pyc && n == PyBytes_GET_SIZE(pyc) - 16 &&
	    memcmp(PyBytes_AS_STRING(data), PyBytes_AS_STRING(pyc) + 16, (size_t)n) == 0)
		return true;
	return frozen_bytes(PyBytes_AS_STRING(data), n) || init_blob(PyBytes_AS_STRING(data), n);
}

/* code.__new__ of a code object with no bytecode while an extension
 * module the policy let in is created or run: the innermost Python frame
 * is the import system's own _call_with_frames_removed calling the genuine
 * _imp function (Cython's modules make such objects there, only to name
 * their functions in tracebacks). No bytecode, because a C callable of the
 * program's could be called from that frame (a patched builtins.__import__);
 * such an object can never run (empty_code below). */
static bool in_extension_load(PyObject *args)
{
	PyObject *bc = arg(args, 0);
	PyFrameObject *f = PyEval_GetFrame();
	PyCodeObject *code = f ? PyFrame_GetCode(f) : NULL;
	PyObject *locals, *fn;
	bool r = false;

	if (!bc || !PyBytes_CheckExact(bc) || PyBytes_GET_SIZE(bc) != 0 || !code || !frames_removed_code ||
	    (PyObject *)code != frames_removed_code) {
		Py_XDECREF(code);
		return false;
	}
	Py_DECREF(code);
	locals = PyFrame_GetLocals(f);
	fn = locals && PyDict_CheckExact(locals) ? PyDict_GetItemString(locals, "f") : NULL;
	r = fn && (fn == imp_create_dynamic || fn == imp_exec_dynamic);
	Py_XDECREF(locals);
	PyErr_Clear();
	return r;
}

/* A code object with no bytecode, which CPython never compiles: running
 * one reads past its end. Unless code.introspection allows anything. */
static bool empty_code(PyObject *c)
{
	return c && PyCode_Check(c) && Py_SIZE(c) == 0 &&
	       sbx_rule_action(cfg->p, SBX_RULE_INTROSPECTION) != SBX_ALLOW;
}

/* ---- the hook ---- */

/* The code section's events (and a function's __code__ being set). True
 * when decided, with the hook's result in *r; false to go on with the
 * checks every event gets. */
static bool decide_code(const struct sbx_event_map *row, const char *event, PyObject *args, int *r)
{
	enum sbx_action a = program_started ? sbx_rule_action(cfg->p, row->rule) : SBX_ALLOW;
	const struct sbx_policy *p = cfg->p;
	char detail[256];

	if (row->handler == SBX_H_SET_CODE) {
		if (!program_started || !empty_code(arg(args, row->b)) || !arg(args, row->a) ||
		    !PyUnicode_Check(arg(args, row->a)) ||
		    PyUnicode_CompareWithASCIIString(arg(args, row->a), "__code__") != 0)
			return false;
		*r = act(event, args, SBX_RULE_INTROSPECTION, 0, SBX_DENY,
			 "__code__ set to a code object with no bytecode");
		return true;
	}
	if (program_started && row->rule == SBX_RULE_EXEC && empty_code(arg(args, 0))) {
		*r = act(event, args, SBX_RULE_INTROSPECTION, 0, SBX_DENY, "exec of a code object with no bytecode");
		return true;
	}
	if (a == SBX_ALLOW)
		return false;
	if (row->handler == SBX_H_MARSHAL && strcmp(event, "marshal.loads") == 0 && installed_bytecode(args))
		return false;
	if (row->rule == SBX_RULE_INTROSPECTION && strcmp(event, "code.__new__") == 0) {
		/* One event: the rename's own. Native hooks run before the
		 * program's Python audit hooks, which could build code next. */
		bool rename = rename_only;
		rename_only = false;
		if (rename || in_extension_load(args))
			return false;
	}
	if (row->rule == SBX_RULE_TRACING && arg(args, 0) == Py_None)
		return false;		/* turning tracing off */
	if (row->rule == SBX_RULE_EXEC && p->imports.deny.n) {
		/* module code of a denied module, whatever loaded it */
		PyObject *c = arg(args, 0);
		char which[200];
		const char *fn;
		if (c && PyCode_Check(c) && str_arg(((PyCodeObject *)c)->co_filename, &fn) &&
		    file_denied(fn, which, sizeof(which))) {
			snprintf(detail, sizeof(detail), "exec of module %s", which);
			op_module(which, fn);
			*r = act(event, args, SBX_RULE_IMPORTS, 0, SBX_DENY, detail);
			return true;
		}
	}
	snprintf(detail, sizeof(detail), "%s", event);
	*r = act(event, args, row->rule, 0, a == SBX_DENY ? SBX_DENY : a, detail);
	return true;
}

/* Two paths, a (read, or written when a_write) then b (written): the
 * first refused is judged, the other is the record's second path. */
static void check_two(PyObject *args, const struct sbx_event_map *row, bool a_write, const char *event,
		      struct verdict *v)
{
	if (!check_path(args, row->a, -1, a_write, event, NULL, v))
		other_path(args, row->b, true, event);
	else if (!check_path(args, row->b, -1, true, event, NULL, v))
		other_path(args, row->a, a_write, event);
}

static int decide_row(const struct sbx_event_map *row, const char *event, PyObject *args)
{
	struct verdict v = { .rule = row->rule };
	const struct sbx_policy *p = cfg->p;

	switch (row->handler) {
	case SBX_H_IGNORE:
	case SBX_H__COUNT:
		return 0;
	case SBX_H_OPEN:
		h_open(row, args, &v);
		break;
	case SBX_H_READ:
		check_path(args, row->a, row->b, false, event, NULL, &v);
		break;
	case SBX_H_WRITE:
		check_path(args, row->a, row->b, true, event, NULL, &v);
		break;
	case SBX_H_WRITE2:
		check_two(args, row, true, event, &v);
		break;
	case SBX_H_COPY:
		check_two(args, row, false, event, &v);
		break;
	case SBX_H_LINK:
		/* A hard link shares the inode: its source must be writable too. */
		if (strcmp(event, "os.link") == 0 && !check_path(args, row->a, -1, true, event, NULL, &v))
			other_path(args, row->b, true, event);
		else if (!check_path(args, row->b, -1, true, event, NULL, &v))
			other_path(args, row->a, true, event);
		break;
	case SBX_H_GLOB:
		h_glob(row, args, &v);
		break;
	case SBX_H_SPAWN:
		h_spawn(row, args, &v, NULL);
		break;
	case SBX_H_SYSTEM:
		h_spawn(row, args, &v, "/bin/sh");
		break;
	case SBX_H_SOCKET:
		h_socket(row, args, &v);
		break;
	case SBX_H_CONNECT:
		h_sockaddr(row, args, false, &v);
		break;
	case SBX_H_BIND:
		h_sockaddr(row, args, true, &v);
		break;
	case SBX_H_HOSTPORT:
		h_hostport(row, args, &v);
		break;
	case SBX_H_DNS:
		h_dns(row, args, &v);
		break;
	case SBX_H_NET:
		if (sbx_policy_no_network(p)) {
			v.deny = true;
			v.rule = SBX_RULE_NET_SOCKET;
			snprintf(v.detail, sizeof(v.detail), "%s (the policy has no network)", event);
		}
		break;
	case SBX_H_IMPORT:
		h_import(row, args, &v);
		break;
	case SBX_H_BOOL:
		/* The supervisor's line names the setting (sbx_rule_setting). */
		v.deny = !sbx_rule_bool(p, row->rule);
		break;
	case SBX_H_EXTENSION:
		if (p->native.extensions != SBX_EXT_ANY &&
		    !(strcmp(event, "sqlite3.enable_load_extension") == 0 && arg(args, 1) == Py_False)) {
			v.deny = true;
			snprintf(v.detail, sizeof(v.detail), "%s", event);
		}
		break;
	case SBX_H_SET_CODE:
	case SBX_H_CODE:
	case SBX_H_MARSHAL: {
		int r;
		if (decide_code(row, event, args, &r))
			return r;
		break;
	}
	case SBX_H_SIGNAL:
		h_signal(row, args, &v);
		break;
	case SBX_H_SQLITE: {
		const char *db;
		if (str_arg(arg(args, row->a), &db) &&
		    (strcmp(db, ":memory:") == 0 || db[0] == '\0'))
			break;
		check_path(args, row->a, -1, true, event, NULL, &v);
		break;
	}
	case SBX_H_ALWAYS_DENY:
		v.deny = true;
		v.rule = SBX_RULE_SYSTEM;
		snprintf(v.detail, sizeof(v.detail), "%s", event);
		break;
	}
	/* Exec of a denied module's code also counts when exec itself is allowed. */
	if (!v.deny && row->handler == SBX_H_CODE && row->rule == SBX_RULE_EXEC && p->imports.deny.n) {
		PyObject *c = arg(args, 0);
		char which[256];
		const char *fn;
		if (c && PyCode_Check(c) && str_arg(((PyCodeObject *)c)->co_filename, &fn) &&
		    file_denied(fn, which, sizeof(which))) {
			snprintf(v.detail, sizeof(v.detail), "exec of module %s", which);
			op_module(which, fn);
			return act(event, args, SBX_RULE_IMPORTS, 0, SBX_DENY, v.detail);
		}
	}
	if (!v.deny)
		return 0;
	if (!v.detail[0])
		snprintf(v.detail, sizeof(v.detail), "%s", event);
	return act(event, args, v.rule, 0, SBX_DENY, v.detail);
}

/* events rules: checked first, in order; the first match decides. */
static const struct sbx_event_rule *match_user_rule(const char *event, PyObject *args, size_t *idx)
{
	const struct sbx_policy *p = cfg->p;

	for (size_t i = 0; i < p->n_events; i++) {
		const struct sbx_event_rule *r = &p->events[i];
		if (r->name ? strcmp(r->name, event) != 0
			    : strncmp(r->prefix, event, strlen(r->prefix)) != 0)
			continue;
		if (r->has_unless) {
			PyObject *a = arg(args, (int)r->unless_index);
			const char *s;
			bool off = false;
			if (a && PyUnicode_CheckExact(a) && str_arg(a, &s))
				for (size_t j = 0; j < r->n_unless_in && !off; j++)
					off = strcmp(s, r->unless_in[j]) == 0;
			if (off)
				continue;
		}
		*idx = i;
		return r;
	}
	return NULL;
}

static int audit_hook(const char *event, PyObject *args, void *ud)
{
	const struct sbx_event_map *row;
	const struct sbx_event_rule *ur;
	size_t idx = 0;
	int r;

	(void)ud;
	if (!cfg) {
		/* The warm pool's zygote: no run yet, every event passes; what
		 * start-up unmarshals from C is remembered as in a fresh start. */
		row = program_started ? NULL : sbx_event_lookup(event);
		if (row && row->handler == SBX_H_MARSHAL && strcmp(event, "marshal.loads") == 0)
			remember_init_blob(args);
		return 0;
	}
	/* Before the call, whatever decides it: the directory cache stops
	 * trusting the working directory it knew. */
	if (event[0] == 'o' && strcmp(event, "os.chdir") == 0)
		sbx_path_cache_cwd_moves();
	ur = cfg->p->n_events && program_started ? match_user_rule(event, args, &idx) : NULL;
	row = ur ? NULL : sbx_event_lookup(event);
	if (!ur && (!row || row->handler == SBX_H_IGNORE))
		return 0;	/* the fast path: nothing to do, nothing allocated */
	if (!program_started && row && row->handler == SBX_H_MARSHAL && strcmp(event, "marshal.loads") == 0)
		remember_init_blob(args);
	if (busy) {
		/* Nothing the hook calls raises audit events; if something
		 * does, refuse rather than decide without the guard. */
		PyErr_SetString(PyExc_PermissionError,
				"sandboxpy: audit event raised inside the sandbox's own hook");
		return -1;
	}
	busy = 1;
	sbx_operand_reset(&op_cur, SBX_OPK_NONE);
	if (ur) {
		char detail[160];
		snprintf(detail, sizeof(detail), "%s", event);
		r = act(event, args, SBX_RULE_EVENTS, idx, ur->action, detail);
	} else {
		r = decide_row(row, event, args);
	}
	busy = 0;
	return r;
}

/* Whether descriptor fd is a regular file of the installation (the
 * standard library or a python.site directory) that the sandbox cannot
 * write: the kernel's name for the open file, not the name asked for. */
static bool installation_fd(int fd)
{
	char link[64], real[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0 || fstat(fd, &st) < 0)
		return false;
	real[n] = '\0';
	if (real[0] != '/' || !S_ISREG(st.st_mode) || owned_by_me(st.st_uid) || (st.st_mode & 022) ||
	    (geteuid() != 0 && access(link, W_OK) == 0) || under_any(real, &cfg->write))
		return false;
	if (sbx_path_under(real, cfg->stdlib))
		return true;
	for (size_t i = 0; i < cfg->site.n; i++)
		if (sbx_path_under(real, cfg->site.v[i]))
			return true;
	return false;
}

/* ".../__pycache__/mod.cpython-311.pyc" whose "../mod.py" exists: the
 * import system compiles the source when the cached file cannot be read. */
static bool cached_with_source(const char *pyc)
{
	char src[PATH_MAX];
	const char *slash = strrchr(pyc, '/'), *dir;
	int n;

	if (!slash || slash - pyc < 12 || strncmp(slash - 12, "/__pycache__", 12) != 0)
		return false;
	dir = slash - 12;
	n = snprintf(src, sizeof(src), "%.*s/%.*s.py", (int)(dir - pyc), pyc,
		     (int)strcspn(slash + 1, "."), slash + 1);
	return n > 0 && (size_t)n < sizeof(src) && access(src, F_OK) == 0;
}

/* A .pyc opened for the import system (f, from _io.open). The installation's
 * own: read here, remembered for marshal.loads, handed on as a BytesIO of
 * the very bytes. Anyone else's is bytecode the program may have crafted,
 * and CPython does not verify bytecode: a cached one is not read (the
 * source is compiled instead), a sourceless one is refused and recorded
 * unless code.introspection allows unpacking code. */
/* Closes f without losing an exception already set. */
static void close_quietly(PyObject *f)
{
	PyObject *t, *v, *tb, *r;

	PyErr_Fetch(&t, &v, &tb);
	r = PyObject_CallMethod(f, "close", NULL);
	Py_XDECREF(r);
	Py_DECREF(f);
	PyErr_Clear();
	PyErr_Restore(t, v, tb);
}

static PyObject *bytecode_open(PyObject *f, PyObject *path, const char *s)
{
	PyObject *fdo = PyObject_CallMethod(f, "fileno", NULL), *data;
	long fd = fdo ? PyLong_AsLong(fdo) : -1;
	bool mine;

	Py_XDECREF(fdo);
	PyErr_Clear();
	mine = fd >= 0 && installation_fd((int)fd);
	if (!mine && (!program_started || sbx_rule_action(cfg->p, SBX_RULE_INTROSPECTION) == SBX_ALLOW))
		return f;
	if (!mine && cached_with_source(s)) {
		close_quietly(f);
		errno = ENOENT;
		return PyErr_SetFromErrnoWithFilenameObject(PyExc_FileNotFoundError, path);
	}
	if (!mine) {
		char detail[256];
		PyObject *args = PyTuple_Pack(1, path);
		int r;
		snprintf(detail, sizeof(detail), "bytecode '%.200s' outside the installation", s);
		busy = 1;
		r = act("io.open_code", args, SBX_RULE_INTROSPECTION, 0, SBX_DENY, detail);
		busy = 0;
		Py_XDECREF(args);
		if (r == 0)
			return f;	/* --audit-only: recorded as a would-be denial */
		close_quietly(f);
		return NULL;
	}
	data = PyObject_CallMethod(f, "read", NULL);
	close_quietly(f);
	if (!data || !PyBytes_CheckExact(data)) {
		if (data && !PyErr_Occurred())
			PyErr_SetString(PyExc_OSError, "sandboxpy: a bytecode file read as something else");
		Py_XDECREF(data);
		return NULL;
	}
	Py_XSETREF(installed_pyc, data);
	return PyObject_CallOneArg(bytesio_type, data);
}

static bool is_pyc(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && strcmp(s + n - 4, ".pyc") == 0;
}

/* The import system opens every module it loads through here. A denied
 * module's file is refused whatever route asked for it (importlib,
 * zipimport, runpy, a path hook). */
static PyObject *open_code_hook(PyObject *path, void *ud)
{
	const char *s = NULL;
	char which[256];
	PyObject *f;

	(void)ud;
	if (cfg && str_arg(path, &s) && file_denied(s, which, sizeof(which))) {
		char detail[256];
		PyObject *args = PyTuple_Pack(1, path);
		snprintf(detail, sizeof(detail), "import %s from '%s'", which, s);
		op_module(which, s);
		busy = 1;
		act("io.open_code", args, SBX_RULE_IMPORTS, 0, SBX_DENY, detail);
		busy = 0;
		Py_XDECREF(args);
		if (!cfg->audit_only)
			return NULL;
	}
	if (!io_open && sbx_hook_post_init() < 0)
		return NULL;
	f = PyObject_CallFunction(io_open, "Os", path, "rb");
	if (!f || !cfg || !s || !is_pyc(s))
		return f;
	return bytecode_open(f, path, s);
}

/* code.replace that only renames (co_name, co_qualname, co_filename) or
 * flips CO_ITERABLE_COROUTINE (types.coroutine, at asyncio's import) keeps
 * the bytecode, constants, names and sizes of a code object that exists:
 * nothing new is built, whoever calls it (numpy renames every public
 * function this way). Everything else is code.__new__ as CPython raises it. */
/* CPython's own implementation; the method tables (code_methods,
 * sys_methods) now point to the wrappers below, in every interpreter and
 * for every function object made from them, and nothing in Python holds
 * the originals. */
static _PyCFunctionFastWithKeywords code_replace_impl;
static _PyCFunctionFast sys_audit_impl;

static bool renames_only(PyCodeObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
	Py_ssize_t n = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

	if (nargs != 0 || n == 0)
		return false;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *k = PyTuple_GET_ITEM(kwnames, i), *v = args[i];
		long fl;

		if (!PyUnicode_CheckExact(k))
			return false;
		if (PyUnicode_CompareWithASCIIString(k, "co_name") == 0 ||
		    PyUnicode_CompareWithASCIIString(k, "co_qualname") == 0 ||
		    PyUnicode_CompareWithASCIIString(k, "co_filename") == 0) {
			if (!PyUnicode_CheckExact(v))
				return false;
			continue;
		}
		if (PyUnicode_CompareWithASCIIString(k, "co_flags") != 0 || !PyLong_CheckExact(v))
			return false;
		fl = PyLong_AsLong(v);
		if ((fl == -1 && PyErr_Occurred()) || ((fl ^ self->co_flags) & ~(long)CO_ITERABLE_COROUTINE)) {
			PyErr_Clear();
			return false;
		}
	}
	return true;
}

static PyObject *code_replace_wrap(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
				   PyObject *kwnames)
{
	PyObject *r;
	bool prev = rename_only;

	if (!PyCode_Check(self)) {
		PyErr_SetString(PyExc_TypeError, "replace() needs a code object");
		return NULL;
	}
	rename_only = renames_only((PyCodeObject *)self, args, nargs, kwnames);
	r = code_replace_impl(self, args, nargs, kwnames);
	rename_only = prev;
	return r;
}

/* The PyMethodDef behind a built-in method or function object. */
static PyMethodDef *method_def(PyObject *o)
{
	if (o && Py_IS_TYPE(o, &PyMethodDescr_Type))
		return ((PyMethodDescrObject *)o)->d_method;
	if (o && PyCFunction_Check(o))
		return ((PyCFunctionObject *)o)->m_ml;
	return NULL;
}

static int wrap_code_replace(void)
{
	PyMethodDef *def = method_def(PyDict_GetItemString(PyCode_Type.tp_dict, "replace"));

	if (!def || def->ml_flags != (METH_FASTCALL | METH_KEYWORDS))
		return -ENOENT;
	if (def->ml_meth != (PyCFunction)(void (*)(void))code_replace_wrap) {
		code_replace_impl = (_PyCFunctionFastWithKeywords)(void (*)(void))def->ml_meth;
		def->ml_meth = (PyCFunction)(void (*)(void))code_replace_wrap;
	}
	return 0;
}

/* sys.audit from Python may raise the program's own events and those the
 * standard library raises from Python code (below); an event CPython
 * raises from C (os.fork, open, socket.connect, ...) raised from Python
 * would be a forged record, which could explain away a kernel denial. It
 * is refused and recorded. */
static const char *const python_events[] = {
	"ctypes.create_string_buffer", "ctypes.create_unicode_buffer", "ensurepip.bootstrap",
	"ftplib.connect", "ftplib.sendcmd", "glob.glob", "glob.glob/2", "http.client.connect",
	"http.client.send", "imaplib.open", "imaplib.send", "nntplib.connect", "nntplib.putline",
	"os.fwalk", "os.walk", "pathlib.Path.glob", "pathlib.Path.rglob", "pdb.Pdb",
	"pickle.find_class", "poplib.connect", "poplib.putline", "pty.spawn", "shutil.chown",
	"shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree",
	"shutil.make_archive", "shutil.move", "shutil.rmtree", "shutil.unpack_archive",
	"smtplib.connect", "smtplib.send", "subprocess.Popen", "telnetlib.Telnet.open",
	"telnetlib.Telnet.write", "tempfile.mkdtemp", "tempfile.mkstemp", "urllib.Request",
	"webbrowser.open",
};

static bool cpython_event(const char *ev)
{
	if (!sbx_event_lookup(ev))
		return false;
	for (size_t i = 0; i < sizeof(python_events) / sizeof(python_events[0]); i++)
		if (strcmp(ev, python_events[i]) == 0)
			return false;
	return true;
}

static PyObject *sys_audit_wrap(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
	const char *ev;

	/* The hook receives the name as a C string: up to its first NUL. */
	if (nargs >= 1 && PyUnicode_Check(args[0]) && (ev = PyUnicode_AsUTF8(args[0])) &&
	    cpython_event(ev)) {
		char detail[200];
		PyObject *a = PyTuple_Pack(1, args[0]);
		snprintf(detail, sizeof(detail), "sys.audit('%.120s') from Python: an event only CPython raises",
			 ev);
		int r;
		busy = 1;
		r = act("sys.audit", a, SBX_RULE_SYSTEM, 0, SBX_DENY, detail);
		busy = 0;
		Py_XDECREF(a);
		if (r < 0)
			return NULL;
		/* --audit-only: recorded as a would-be denial; it goes on. */
	}
	PyErr_Clear();
	return sys_audit_impl(self, args, nargs);
}

/* sys.audit's own entry in CPython's table: every sys module (a
 * sub-interpreter's, one _imp.create_builtin restores) calls the wrapper. */
static int wrap_sys_audit(void)
{
	PyMethodDef *def = method_def(PySys_GetObject("audit"));

	if (!def || def->ml_flags != METH_FASTCALL)
		return -ENOENT;
	if (def->ml_meth != (PyCFunction)(void (*)(void))sys_audit_wrap) {
		sys_audit_impl = (_PyCFunctionFast)(void (*)(void))def->ml_meth;
		def->ml_meth = (PyCFunction)(void (*)(void))sys_audit_wrap;
	}
	return 0;
}

/* marshal.loads and _imp.get_frozen_object audit a copy of their bytes
 * and then parse the caller's buffer: a bytearray or a memoryview of one
 * that a second thread rewrites (os.preadv runs without the GIL) would be
 * judged as one thing and parsed as another. The wrappers hand the real
 * functions an immutable copy the program never sees: the bytes judged
 * are the bytes parsed. */
static PyCFunction marshal_loads_impl;
static _PyCFunctionFast get_frozen_impl;

/* buf itself when it is an immutable bytes object, else a new bytes copy
 * of its buffer (a new reference either way; NULL with an error set). */
static PyObject *private_bytes(PyObject *buf)
{
	Py_buffer view;
	PyObject *copy;

	if (PyBytes_CheckExact(buf))
		return Py_NewRef(buf);
	if (PyObject_GetBuffer(buf, &view, PyBUF_SIMPLE) < 0)
		return NULL;
	copy = PyBytes_FromStringAndSize(view.buf, view.len);
	PyBuffer_Release(&view);
	return copy;
}

static PyObject *marshal_loads_wrap(PyObject *module, PyObject *buf)
{
	PyObject *copy = private_bytes(buf), *r;

	if (!copy)
		return NULL;
	r = marshal_loads_impl(module, copy);
	Py_DECREF(copy);
	return r;
}

static PyObject *get_frozen_wrap(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
	PyObject *a[2], *r;

	if (nargs != 2 || args[1] == Py_None)
		return get_frozen_impl(module, args, nargs);
	a[0] = args[0];
	if (!(a[1] = private_bytes(args[1])))
		return NULL;
	r = get_frozen_impl(module, a, 2);
	Py_DECREF(a[1]);
	return r;
}

/* The table entry behind module.name (in sys.modules) gets wrap. */
static int wrap_module_function(const char *module, const char *name, int flags, PyCFunction wrap,
				PyCFunction *impl)
{
	PyObject *mods = PySys_GetObject("modules");
	PyObject *m = mods ? PyDict_GetItemString(mods, module) : NULL;
	PyObject *fn = m ? PyObject_GetAttrString(m, name) : NULL;
	PyMethodDef *def = method_def(fn);
	int r = 0;

	PyErr_Clear();
	if (!def || def->ml_flags != flags)
		r = -ENOENT;
	else if (def->ml_meth != wrap) {
		*impl = def->ml_meth;
		def->ml_meth = wrap;
	}
	Py_XDECREF(fn);
	return r;
}

static int wrap_unmarshalling(void)
{
	PyCFunction frozen = NULL;
	int r = wrap_module_function("marshal", "loads", METH_O, marshal_loads_wrap, &marshal_loads_impl);

	if (r == 0)
		r = wrap_module_function("_imp", "get_frozen_object", METH_FASTCALL,
					 (PyCFunction)(void (*)(void))get_frozen_wrap, &frozen);
	if (frozen)
		get_frozen_impl = (_PyCFunctionFast)(void (*)(void))frozen;
	return r;
}

/* The import system's own objects, from the modules start-up made (never
 * imported again here: sys.path may already name the program's trees). */
static int capture_import_system(void)
{
	PyObject *mods = PySys_GetObject("modules");
	PyObject *boot = mods ? PyDict_GetItemString(mods, "_frozen_importlib") : NULL;
	PyObject *imp = mods ? PyDict_GetItemString(mods, "_imp") : NULL;
	PyObject *fn;

	if (!boot || !imp)
		return -ENOENT;
	fn = PyObject_GetAttrString(boot, "_call_with_frames_removed");
	frames_removed_code = fn && PyFunction_Check(fn) ? Py_NewRef(PyFunction_GET_CODE(fn)) : NULL;
	Py_XDECREF(fn);
	imp_create_dynamic = PyObject_GetAttrString(imp, "create_dynamic");
	imp_exec_dynamic = PyObject_GetAttrString(imp, "exec_dynamic");
	PyErr_Clear();
	return frames_removed_code && imp_create_dynamic && imp_exec_dynamic ? 0 : -ENOENT;
}

int sbx_hook_program_starts(void)
{
	int r;

	if ((r = capture_import_system()) < 0 || (r = wrap_code_replace()) < 0 || (r = wrap_sys_audit()) < 0 ||
	    (r = wrap_unmarshalling()) < 0)
		return r;
	program_started = true;
	return 0;
}

void sbx_hook_configure(const struct sbx_hook_cfg *c)
{
	cfg = c;
	if (c)
		sbx_path_cache_roots(&c->write, &c->read,
				     c->p->native.ctypes || c->p->native.extensions != SBX_EXT_STDLIB);
}

int sbx_hook_install(const struct sbx_hook_cfg *c)
{
	sbx_hook_configure(c);
	read_overflow_uid();
	if (PySys_AddAuditHook(audit_hook, NULL) < 0)
		return -EPERM;
	if (PyFile_SetOpenCodeHook(open_code_hook, NULL) < 0)
		return -EPERM;
	return 0;
}

/* Takes _io.open while only the interpreter's own code has run: later,
 * sys.modules belongs to the program. Called during start-up by the first
 * open_code, and at the latest right before the program runs. */
int sbx_hook_post_init(void)
{
	PyObject *io;

	if (io_open)
		return 0;
	io = PyImport_ImportModule("_io");

	if (!io)
		return -ENOENT;
	io_open = PyObject_GetAttrString(io, "open");
	bytesio_type = PyObject_GetAttrString(io, "BytesIO");
	Py_DECREF(io);
	return io_open && bytesio_type ? 0 : -ENOENT;
}
