/* learn.c: --learn. From the report of an --audit-only run, the narrowest
 * policy v1 that would have let that run through: the starting policy
 * (or the OUT file of an earlier learn run, which is widened) plus one
 * entry per kind of refusal the run would have met, paths collapsed,
 * limits from what was measured with headroom. Every learnt entry is
 * explained in a side file, OUT.notes, with the events that required it
 * (JSON has no comments). The result is validated by the policy reader
 * before it is written. docs/authoring.md describes the rules. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sbx_events.h"
#include "sbx_match.h"
#include "sbx_diag.h"
#include "sbx_supervisor.h"

#define MAX_WHY 3		/* events quoted per learnt entry */

struct learn {
	json_t *doc;		/* the policy being widened */
	json_t *notes;		/* "section.key += value" -> [why...] */
	const char *cwd;
	const char *path_env;	/* the sandbox's PATH, for bare program names */
	json_t *writes;		/* absolute paths written (set: object) */
	json_t *mkdirs;		/* directories the run created */
	json_t *reads;		/* absolute paths read */
	json_t *execs;		/* executables started */
	unsigned widened, narrowed, optional;
	unsigned flags;		/* SBX_LEARN_* */
	time_t run_start;	/* files born after this were made by the run */
};

/* ---- small helpers ---- */

static void note(struct learn *l, const char *entry, const char *why)
{
	json_t *a = json_object_get(l->notes, entry);

	if (!a) {
		a = json_array();
		json_object_set_new(l->notes, entry, a);
	}
	if (why && json_array_size(a) < MAX_WHY) {
		for (size_t i = 0; i < json_array_size(a); i++)
			if (strcmp(json_string_value(json_array_get(a, i)), why) == 0)
				return;
		json_array_append_new(a, json_string(why));
	}
}

/* The event in words, for the notes: what, where, which layer. */
static void why_of(json_t *ev, char *buf, size_t len)
{
	const char *detail = json_string_value(json_object_get(ev, "detail"));
	const char *what = detail ? detail : json_string_value(json_object_get(ev, "event"));
	const char *sc = json_string_value(json_object_get(ev, "syscall"));
	const char *where = json_string_value(json_object_get(ev, "where"));

	if (!what)
		what = sc ? sc : "?";
	snprintf(buf, len, "%s%s%s (%s)", what, where ? " at " : "", where ? where : "",
		 sc ? "kernel" : "audit hook");
}

static json_t *section(struct learn *l, const char *name)
{
	json_t *s = json_object_get(l->doc, name);

	if (!json_is_object(s)) {
		s = json_object();
		json_object_set_new(l->doc, name, s);
	}
	return s;
}

static json_t *array_in(json_t *sec, const char *key)
{
	json_t *a = json_object_get(sec, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(sec, key, a);
	}
	return a;
}

static bool array_has(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Adds s to section.key (an array) unless it is there; notes why. */
static void add_to(struct learn *l, const char *sec, const char *key, const char *s, const char *why)
{
	json_t *a = array_in(section(l, sec), key);
	char entry[PATH_MAX + 64];

	snprintf(entry, sizeof(entry), "%s.%s += \"%s\"", sec, key, s);
	if (!array_has(a, s)) {
		json_array_append_new(a, json_string(s));
		l->widened++;
	}
	note(l, entry, why);
}

static void set_value(struct learn *l, const char *sec, const char *key, json_t *v, const char *why)
{
	json_t *s = section(l, sec);
	char entry[160], *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	json_t *cur = json_object_get(s, key);

	snprintf(entry, sizeof(entry), "%s.%s = %s", sec, key, text ? text : "?");
	free(text);
	/* A limit lowered to what the run needs narrows the policy. */
	if (json_is_number(cur) && json_is_number(v) && json_number_value(v) < json_number_value(cur))
		l->narrowed++;
	else if (!json_equal(cur, v))
		l->widened++;
	json_object_set_new(s, key, v);
	note(l, entry, why);
}

/* An absolute, normalised path for p as the program named it (relative to
 * the sandbox's working directory); "" when it cannot be made. */
static void absolute(const char *cwd, const char *p, char *out, size_t len)
{
	char tmp[PATH_MAX * 2], *parts[PATH_MAX / 2];
	size_t n = 0, off = 0;
	char *save = NULL, *tok;

	out[0] = '\0';
	if (!p || !p[0] || strlen(p) >= PATH_MAX)
		return;
	snprintf(tmp, sizeof(tmp), "%s%s%s", p[0] == '/' ? "" : cwd, p[0] == '/' ? "" : "/", p);
	for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0 || !tok[0])
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n)
				n--;
			continue;
		}
		if (n < sizeof(parts) / sizeof(parts[0]))
			parts[n++] = tok;
	}
	if (!n) {
		snprintf(out, len, "/");
		return;
	}
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(out + off, len - off, "/%s", parts[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off >= len)
		out[0] = '\0';
}

/* "./x" for a path under the working directory, so that the policy
 * travels with its project; "." for the directory itself. */
static void relative(const char *cwd, const char *abs, char *out, size_t len)
{
	size_t n = strlen(cwd);

	if (strcmp(abs, cwd) == 0)
		snprintf(out, len, ".");
	else if (sbx_path_under(abs, cwd) && strcmp(cwd, "/") != 0)
		snprintf(out, len, ".%s", abs + n);
	else
		snprintf(out, len, "%s", abs);
}

static void parent_of(const char *abs, char *out, size_t len)
{
	char *slash;

	snprintf(out, len, "%s", abs);
	slash = strrchr(out, '/');
	if (slash == out)
		out[1] = '\0';
	else if (slash)
		*slash = '\0';
}

static size_t depth(const char *abs)
{
	size_t d = 0;

	for (const char *c = abs; *c; c++)
		d += *c == '/' && c[1];
	return d;
}

static bool is_dir(const char *abs)
{
	struct stat st;

	return stat(abs, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The string argument i of an event, or NULL: an events[] rule's
 * exception names an argument by its index. */
static const char *str_arg(json_t *ev, size_t i)
{
	return json_string_value(json_array_get(json_object_get(ev, "args"), i));
}

/* An operand of the event (operand.c), or NULL. */
static const char *operand(json_t *ev, const char *key)
{
	const char *v = json_string_value(json_object_get(ev, key));

	return v && v[0] ? v : NULL;
}

static void path_set_add(json_t *set, const char *abs, json_t *ev)
{
	char why[600];
	json_t *a;

	if (!abs[0])
		return;
	a = json_object_get(set, abs);
	if (!a) {
		a = json_array();
		json_object_set_new(set, abs, a);
	}
	why_of(ev, why, sizeof(why));
	if (json_array_size(a) < MAX_WHY && !array_has(a, why))
		json_array_append_new(a, json_string(why));
}

static void saw_write(struct learn *l, const char *abs, json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "event"));
	const char *sc = json_string_value(json_object_get(ev, "syscall"));

	path_set_add(l->writes, abs, ev);
	if ((name && strcmp(name, "os.mkdir") == 0) || (sc && strncmp(sc, "mkdir", 5) == 0))
		path_set_add(l->mkdirs, abs, ev);
}

static void saw_read(struct learn *l, const char *abs, json_t *ev)
{
	path_set_add(l->reads, abs, ev);
}

/* The paths the event judged: the refused one and, for a two-path
 * operation, the other, made absolute. A kernel event's relative path is
 * relative to the caller's directory, which is not known here. */
static void event_paths(struct learn *l, json_t *ev, void (*fn)(struct learn *, const char *, json_t *))
{
	static const char *const keys[] = { "path", "path2" };
	bool kernel = json_object_get(ev, "syscall") != NULL;
	char abs[PATH_MAX];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *a = operand(ev, keys[i]);
		if (!a || (kernel && a[0] != '/'))
			continue;
		absolute(l->cwd, a, abs, sizeof(abs));
		if (abs[0])
			fn(l, abs, ev);
	}
}

/* ---- the rules, one function per clause kind ---- */

static void learn_net(struct learn *l, json_t *ev, const char *key, const char *why)
{
	char text[300];

	if (sbx_event_addr(ev, text, sizeof(text)))
		add_to(l, "network", key, text, why);
}

static void learn_import(struct learn *l, json_t *ev, const char *why)
{
	json_t *deny = array_in(section(l, "imports"), "deny");
	const char *mod = operand(ev, "module");
	char entry[300];
	size_t i;
	json_t *v;

	if (!mod)
		return;
	/* The entry that matched: the module or a package above it. */
	json_array_foreach(deny, i, v) {
		const char *d = json_string_value(v);
		size_t n = d ? strlen(d) : 0;
		if (d && strncmp(mod, d, n) == 0 && (mod[n] == '\0' || mod[n] == '.')) {
			snprintf(entry, sizeof(entry), "imports.deny -= \"%s\"", d);
			note(l, entry, why);
			json_array_remove(deny, i);
			l->widened++;
			return;
		}
	}
}

/* An extension refused: its package joins the list (a listed name covers
 * every extension module inside it: "yaml" for yaml._yaml, "numpy" for
 * numpy.core._multiarray_umath). */
static void learn_extension(struct learn *l, json_t *ev, const char *why)
{
	json_t *nat = section(l, "native"), *ext = json_object_get(nat, "extensions");
	const char *mod = operand(ev, "module");
	char top[256];

	if (!mod)
		return;
	if (json_is_string(ext) && strcmp(json_string_value(ext), "any") == 0)
		return;
	if (!json_is_array(ext))
		json_object_set_new(nat, "extensions", json_array());	/* "stdlib" + these */
	snprintf(top, sizeof(top), "%.*s", (int)strcspn(mod, "."), mod);
	add_to(l, "native", "extensions", top, why);
}

/* An events[N] rule refused it: widen that rule's exception when it has
 * one for a string argument, else put an exact rule that logs first. */
static void learn_event_rule(struct learn *l, json_t *ev, const char *rule, const char *why)
{
	json_t *rules = json_object_get(l->doc, "events"), *r, *un;
	const char *name = json_string_value(json_object_get(ev, "event"));
	unsigned long idx;
	char entry[400];

	if (!name || sscanf(rule, "events[%lu]", &idx) != 1 || !json_is_array(rules))
		return;
	r = json_array_get(rules, idx);
	un = json_object_get(r, "unless_arg");
	if (json_is_object(un)) {
		const char *a = str_arg(ev, (size_t)json_integer_value(json_object_get(un, "index")));
		json_t *in = json_object_get(un, "in");
		if (a && json_is_array(in)) {
			snprintf(entry, sizeof(entry), "events[%lu].unless_arg.in += \"%s\"", idx, a);
			if (!array_has(in, a)) {
				json_array_append_new(in, json_string(a));
				l->widened++;
			}
			note(l, entry, why);
			return;
		}
	}
	for (size_t i = 0; i < json_array_size(rules); i++) {
		json_t *x = json_array_get(rules, i);
		const char *e = json_string_value(json_object_get(x, "event"));
		if (e && strcmp(e, name) == 0 && !json_object_get(x, "unless_arg") &&
		    strcmp(json_string_value(json_object_get(x, "action")), "log") == 0) {
			note(l, "events: log", why);
			return;
		}
	}
	r = json_object();
	json_object_set_new(r, "event", json_string(name));
	json_object_set_new(r, "action", json_string("log"));
	json_array_insert_new(rules, 0, r);
	l->widened++;
	snprintf(entry, sizeof(entry), "events: {\"event\": \"%s\", \"action\": \"log\"} first", name);
	note(l, entry, why);
}

/* The program a refused start named: found on the sandbox's PATH by the
 * hook when bare, the file itself when the kernel saw it (its path
 * operand when the supervisor could not open it). */
static void learn_exec(struct learn *l, json_t *ev)
{
	bool kernel = json_object_get(ev, "syscall") != NULL;
	const char *exe = operand(ev, "program");
	char abs[PATH_MAX];

	if (!exe && kernel)
		exe = operand(ev, "path");
	if (!exe || (kernel && exe[0] != '/'))
		return;
	/* A bare name is looked up in the sandbox's PATH, as the hook does. */
	if (strchr(exe, '/') || sbx_exec_search(l->path_env, exe, abs, sizeof(abs)) < 0)
		absolute(l->cwd, exe, abs, sizeof(abs));
	path_set_add(l->execs, abs, ev);
}

/* The rule a report event names: "process.spawn", "events[3]" (clause). */
static enum sbx_rule rule_of(const char *name, unsigned long *clause)
{
	if (sscanf(name, "events[%lu]", clause) == 1)
		return SBX_RULE_EVENTS;
	for (int r = SBX_RULE_NONE + 1; r < SBX_RULE__COUNT; r++)
		if (sbx_rules[r].id != SBX_RULE_EVENTS && strcmp(sbx_rules[r].name, name) == 0)
			return (enum sbx_rule)r;
	return SBX_RULE_NONE;
}

/* A refusal that raises ImportError in the program, which programs catch
 * to try an optional module (numpy's "import ctypes" in a try). */
static bool import_refusal(const struct sbx_rule_info *ri)
{
	return ri->id == SBX_RULE_CTYPES || ri->id == SBX_RULE_IMPORTS || ri->id == SBX_RULE_EXTENSIONS;
}

/* One denial, widened as the registry says the rule widens. */
static void learn_event(struct learn *l, json_t *ev)
{
	const char *rule = json_string_value(json_object_get(ev, "rule"));
	const char *would = json_string_value(json_object_get(ev, "would"));
	unsigned long clause = 0;
	const struct sbx_rule_info *ri;
	char why[600];

	if (!rule || !would)
		return;
	why_of(ev, why, sizeof(why));
	ri = sbx_rule_info(rule_of(rule, &clause));
	if ((l->flags & SBX_LEARN_SKIP_IMPORTS) && import_refusal(ri)) {
		l->optional++;
		note(l, "not granted: the program ran as well without it (a second run refused it; "
		     "the program caught the ImportError)", why);
		return;
	}
	switch (ri->learn) {
	case SBX_LEARN_SET:
		set_value(l, ri->section, ri->key,
			  ri->kind == SBX_RK_ACTION ? json_string("log") : json_true(), why);
		break;
	case SBX_LEARN_SPAWN:
		set_value(l, ri->section, ri->key, json_true(), why);
		learn_exec(l, ev);
		break;
	case SBX_LEARN_READ: event_paths(l, ev, saw_read); break;
	case SBX_LEARN_WRITE: event_paths(l, ev, saw_write); break;
	case SBX_LEARN_EXEC: learn_exec(l, ev); break;
	case SBX_LEARN_ADDR: learn_net(l, ev, ri->key, why); break;
	case SBX_LEARN_UNDENY: learn_import(l, ev, why); break;
	case SBX_LEARN_EXTENSION: learn_extension(l, ev, why); break;
	case SBX_LEARN_EVENT_RULE: learn_event_rule(l, ev, rule, why); break;
	case SBX_LEARN_NOTE:
		note(l, "network: sockets (allowed once connect, bind or dns has an entry)", why);
		break;
	case SBX_LEARN_NEVER:
		note(l, "not learnt: no policy allows it (always denied)", why);
		break;
	}
}

/* ---- paths, collapsed ---- */

static bool covered(json_t *list, const char *cwd, const char *abs)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		char a[PATH_MAX];
		absolute(cwd, json_string_value(v), a, sizeof(a));
		if (a[0] && sbx_path_under(abs, a))
			return true;
	}
	return false;
}

static bool made_by_run(const struct learn *l, const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_BTIME, &stx) < 0)
		return true;	/* gone: made and removed by the run */
	if (S_ISDIR(stx.stx_mode))
		return false;
	/* No birth time on this filesystem: a file is taken as made. */
	return !(stx.stx_mask & STATX_BTIME) || (time_t)stx.stx_btime.tv_sec >= l->run_start;
}

/* A name the run made directly in /tmp or /var/tmp (tempfile's files and
 * directories, whose names change every run), or something beneath one:
 * the private temporary directory instead, which tempfile uses through
 * TMPDIR. */
static bool in_system_tmp(const char *path)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp" };

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) == 0 && path[n] == '/')
			return true;
	}
	return false;
}

static bool system_tmp(struct learn *l, const char *path, json_t *why)
{
	if (!in_system_tmp(path) || sbx_path_under(l->cwd, path) || sbx_path_under(path, l->cwd))
		return false;
	set_value(l, "filesystem", "tmp", json_true(), json_string_value(json_array_get(why, 0)));
	return true;
}

/* multiprocessing's semaphores in /dev/shm: writable (a private tmpfs)
 * whenever process.spawn is true, which a run that forks has learnt. */
static bool private_shm(struct learn *l, const char *path, json_t *why)
{
	json_t *spawn = json_object_get(section(l, "process"), "spawn");

	if (!sbx_path_under(path, "/dev/shm") || !json_is_true(spawn))
		return false;
	note(l, "/dev/shm: private and writable because process.spawn is true",
	     json_string_value(json_array_get(why, 0)));
	return true;
}

/* Writes: a directory the run created, or written to more than once,
 * becomes one entry; a lone file stays a file. */
static void place_writes(struct learn *l)
{
	json_t *fs = section(l, "filesystem"), *write = array_in(fs, "write"), *want = json_object();
	json_t *per_parent = json_object(), *why;
	const char *path;
	void *tmp;

	json_object_foreach(l->writes, path, why) {
		char par[PATH_MAX];
		json_t *n;
		parent_of(path, par, sizeof(par));
		n = json_object_get(per_parent, par);
		json_object_set_new(per_parent, par, json_integer(n ? json_integer_value(n) + 1 : 1));
	}
	json_object_foreach_safe(l->writes, tmp, path, why) {
		char par[PATH_MAX], pick[PATH_MAX];
		const char *c;
		json_t *d;
		if (system_tmp(l, path, why) || private_shm(l, path, why))
			continue;
		parent_of(path, par, sizeof(par));
		snprintf(pick, sizeof(pick), "%s", path);
		/* Inside a directory the run made: that directory. */
		json_object_foreach(l->mkdirs, c, d)
			if (sbx_path_under(path, c) && strlen(c) < strlen(pick))
				snprintf(pick, sizeof(pick), "%s", c);
		if (strcmp(pick, path) == 0 && json_integer_value(json_object_get(per_parent, par)) > 1 &&
		    depth(par) >= 2)
			snprintf(pick, sizeof(pick), "%s", par);
		/* A file the run made (or made and removed): Landlock lets a
		 * file be created only in a writable directory, and a missing
		 * entry would be made as a directory. */
		if (strcmp(pick, path) == 0 && made_by_run(l, path))
			snprintf(pick, sizeof(pick), "%s", par);
		if (!json_object_get(want, pick))
			json_object_set(want, pick, why);
	}
	json_object_foreach(want, path, why) {
		char rel[PATH_MAX], w[700];
		bool inner = false;
		const char *other;
		json_t *o;
		json_object_foreach(want, other, o)
			if (strcmp(other, path) != 0 && sbx_path_under(path, other))
				inner = true;
		if (inner || covered(write, l->cwd, path))
			continue;
		relative(l->cwd, path, rel, sizeof(rel));
		snprintf(w, sizeof(w), "%s", json_string_value(json_array_get(why, 0)));
		add_to(l, "filesystem", "write", rel, w);
		for (size_t i = 1; i < json_array_size(why); i++) {
			char entry[PATH_MAX + 64];
			snprintf(entry, sizeof(entry), "filesystem.write += \"%s\"", rel);
			note(l, entry, json_string_value(json_array_get(why, i)));
		}
	}
	json_decref(want);
	json_decref(per_parent);
}

/* Reads: the directory of each file read (a module's tree rather than
 * each module), siblings merged into their parent below the top two
 * levels (never /usr or /home as a whole). */
static void place_reads(struct learn *l)
{
	json_t *fs = section(l, "filesystem"), *read = array_in(fs, "read"), *dirs = json_object(), *why;
	const char *path;

	json_object_foreach(l->reads, path, why) {
		char d[PATH_MAX];
		/* tempfile's probing and its own files: the private tmp now. */
		if ((in_system_tmp(path) || strcmp(path, "/tmp") == 0 || strcmp(path, "/var/tmp") == 0) &&
		    json_is_true(json_object_get(fs, "tmp")) && !sbx_path_under(l->cwd, path))
			continue;
		if (is_dir(path))
			snprintf(d, sizeof(d), "%s", path);
		else
			parent_of(path, d, sizeof(d));
		if (!json_object_get(dirs, d))
			json_object_set(dirs, d, why);
	}
	for (int round = 0; round < 4; round++) {
		json_t *next = json_object(), *cnt = json_object();
		const char *a;
		json_t *w;
		json_object_foreach(dirs, a, w) {
			char par[PATH_MAX];
			json_t *n;
			parent_of(a, par, sizeof(par));
			n = json_object_get(cnt, par);
			json_object_set_new(cnt, par, json_integer(n ? json_integer_value(n) + 1 : 1));
		}
		json_object_foreach(dirs, a, w) {
			char par[PATH_MAX];
			parent_of(a, par, sizeof(par));
			if (json_integer_value(json_object_get(cnt, par)) > 1 && depth(par) >= 3)
				json_object_set(next, par, w);
			else
				json_object_set(next, a, w);
		}
		json_decref(cnt);
		json_decref(dirs);
		dirs = next;
	}
	json_object_foreach(dirs, path, why) {
		char rel[PATH_MAX];
		bool inner = false;
		const char *other;
		json_t *o;
		json_object_foreach(dirs, other, o)
			if (strcmp(other, path) != 0 && sbx_path_under(path, other))
				inner = true;
		if (inner || covered(read, l->cwd, path) ||
		    covered(json_object_get(fs, "write"), l->cwd, path))
			continue;
		relative(l->cwd, path, rel, sizeof(rel));
		for (size_t i = 0; i < json_array_size(why); i++)
			add_to(l, "filesystem", "read", rel, json_string_value(json_array_get(why, i)));
	}
	json_decref(dirs);
}

/* exec_allow: exactly the programs the run started (an empty list would
 * mean any program). A run that only forks leaves it as it was. */
static void place_execs(struct learn *l)
{
	json_t *why;
	const char *path;

	json_object_foreach(l->execs, path, why)
		add_to(l, "process", "exec_allow", path, json_string_value(json_array_get(why, 0)));
}

/* ---- limits ---- */

static double round_up(double v, double step)
{
	return ceil(v / step) * step;
}

/* Measured with headroom; a merge never narrows what an earlier run
 * needed (its value, or null: unlimited, stays). */
static void learn_limit(struct learn *l, bool merging, const char *key, double want, const char *why)
{
	json_t *cur = json_object_get(section(l, "limits"), key);

	if (merging && (json_is_null(cur) || (json_is_number(cur) && json_number_value(cur) >= want)))
		return;
	set_value(l, "limits", key, want == floor(want) ? json_integer((json_int_t)want) : json_real(want),
		  why);
}

/* The largest file the run wrote that is still there. */
static double largest_written_mb(struct learn *l)
{
	const char *path;
	json_t *why;
	off_t max = 0;

	json_object_foreach(l->writes, path, why) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > max)
			max = st.st_size;
	}
	return (double)max / (1024.0 * 1024.0);
}

static void learn_usage(struct learn *l, json_t *rep, bool merging)
{
	json_t *u = json_object_get(rep, "usage");
	json_int_t tasks = json_integer_value(json_object_get(u, "max_tasks"));
	json_int_t fds = json_integer_value(json_object_get(u, "max_open_files"));
	double mb = largest_written_mb(l);
	char why[200];

	if (tasks > 0) {
		snprintf(why, sizeof(why), "sampled at most %lld processes and threads (the sandbox's init "
			 "included); twice that plus four, at least 16 (a sample can miss a short peak)",
			 (long long)tasks);
		learn_limit(l, merging, "tasks", fmax(16, (double)(tasks * 2 + 4)), why);
	} else {
		note(l, "limits.tasks: kept from the starting policy", "no sample: no cgroup here, or a run shorter than the first sample");
	}
	if (fds > 0) {
		snprintf(why, sizeof(why), "sampled at most %lld open descriptors in one process; twice "
			 "that, at least 64", (long long)fds);
		learn_limit(l, merging, "open_files", fmax(64, (double)(fds * 2)), why);
	} else {
		note(l, "limits.open_files: kept from the starting policy", "no sample: no cgroup here, or a run shorter than the first sample");
	}
	snprintf(why, sizeof(why), "the largest file written is %.2f MB; four times that, at least 8 MB", mb);
	learn_limit(l, merging, "file_size_mb", fmax(8, round_up(mb * 4, 1)), why);
}

static void learn_limits(struct learn *l, json_t *rep, bool merging)
{
	const char *status = json_string_value(json_object_get(rep, "status"));
	json_t *t = json_object_get(rep, "time");
	double cpu = json_number_value(json_object_get(t, "cpu_s"));
	double wall = json_number_value(json_object_get(t, "wall_s"));
	double rss_mb = (double)json_integer_value(json_object_get(rep, "max_rss_kb")) / 1024.0;
	const char *mem_by = json_string_value(json_object_get(json_object_get(json_object_get(rep, "layers"),
			      "limits_enforced_by"), "memory_mb"));
	char why[200];

	if (!status || strcmp(status, "ok") != 0) {
		snprintf(why, sizeof(why), "the run ended with status %s, so its times and memory say "
			 "nothing about what a whole run needs", status ? status : "?");
		note(l, "limits: kept from the starting policy", why);
		return;
	}
	snprintf(why, sizeof(why), "measured %.2f s of CPU; twice that plus a second", cpu);
	learn_limit(l, merging, "cpu_seconds", fmax(1, round_up(cpu * 2 + 1, 1)), why);
	snprintf(why, sizeof(why), "measured %.2f s of wall-clock time; twice that plus five seconds", wall);
	learn_limit(l, merging, "wall_seconds", fmax(5, round_up(wall * 2 + 5, 1)), why);
	if (mem_by && strstr(mem_by, "cgroup")) {
		snprintf(why, sizeof(why), "measured %.0f MB at most (resident); three times that, "
			 "in steps of 64 MB", rss_mb);
		learn_limit(l, merging, "memory_mb", fmax(128, round_up(rss_mb * 3, 64)), why);
	} else {
		note(l, "limits.memory_mb: kept from the starting policy",
		     "on this machine memory is held by RLIMIT_AS, which counts address space, "
		     "not the resident memory that was measured");
	}
	learn_usage(l, rep, merging);
}

/* ---- the document ---- */

/* Paths of the starting policy under the working directory, relative. */
static void relativize(struct learn *l, const char *sec, const char *key)
{
	json_t *a = json_object_get(json_object_get(l->doc, sec), key), *v;
	size_t i;

	json_array_foreach(a, i, v) {
		char rel[PATH_MAX];
		if (!json_is_string(v) || json_string_value(v)[0] != '/')
			continue;
		relative(l->cwd, json_string_value(v), rel, sizeof(rel));
		json_array_set_new(a, i, json_string(rel));
	}
}

static int write_notes(struct learn *l, const char *out_path, bool merging, json_t *rep)
{
	char path[PATH_MAX];
	FILE *f;
	const char *entry;
	json_t *whys, *argv = json_object_get(rep, "argv");
	size_t i;
	json_t *v;

	if ((size_t)snprintf(path, sizeof(path), "%s.notes", out_path) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, merging ? "ae" : "we");
	if (!f)
		return -errno;
	fprintf(f, "%s# Why each entry of %s was learnt: sandboxpy", merging ? "\n" : "", out_path);
	json_array_foreach(argv, i, v)
		fprintf(f, " %s", json_string_value(v) ? json_string_value(v) : "?");
	fprintf(f, "\n");
	json_object_foreach(l->notes, entry, whys) {
		fprintf(f, "%s\n", entry);
		json_array_foreach(whys, i, v)
			fprintf(f, "    because: %s\n", json_string_value(v));
	}
	return fclose(f) < 0 ? -errno : 0;
}

/* ---- the run's own events ---- */

#define SBX_LEARN_MAX_EVENTS 50000	/* distinct refusals kept; the rest counted */

struct sbx_learn_events {
	json_t *list;			/* the refusals, in the run's order */
	json_t *seen;			/* their keys (a set) */
	unsigned long dropped;
};

struct sbx_learn_events *sbx_learn_events_new(void)
{
	struct sbx_learn_events *e = calloc(1, sizeof(*e));

	if (e && (!(e->list = json_array()) || !(e->seen = json_object()))) {
		sbx_learn_events_free(e);
		return NULL;
	}
	return e;
}

void sbx_learn_events_free(struct sbx_learn_events *e)
{
	if (!e)
		return;
	json_decref(e->list);
	json_decref(e->seen);
	free(e);
}

/* What --learn reads of an event, as one string: its repeats (a loop
 * refused a thousand times at one line) add nothing. */
static char *event_key(json_t *ev)
{
	static const char *const keys[] = { "rule", "event", "syscall", "detail", "where", "args",
					    "path", "path2", "addr", "module", "program" };
	json_t *k = json_object();
	char *text;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(ev, keys[i]))
			json_object_set(k, keys[i], json_object_get(ev, keys[i]));
	text = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(k);
	return text;
}

void sbx_learn_keep(const char *event_json, void *ctx)
{
	struct sbx_learn_events *e = ctx;
	json_t *ev = json_loads(event_json, 0, NULL);
	char *key = ev && json_object_get(ev, "would") ? event_key(ev) : NULL;

	if (!key || json_object_get(e->seen, key)) {
		/* not a refusal, or one already kept */
	} else if (json_array_size(e->list) >= SBX_LEARN_MAX_EVENTS) {
		e->dropped++;
	} else {
		json_object_set_new(e->seen, key, json_true());
		json_array_append(e->list, ev);
	}
	free(key);
	json_decref(ev);
}

int sbx_learn(const char *out_path, const struct sbx_policy *p, const char *report_text,
	      struct sbx_learn_result *res, struct sbx_error *err)
{
	return sbx_learn_from(out_path, p, report_text, NULL, res, err);
}

int sbx_learn_from(const char *out_path, const struct sbx_policy *p, const char *report_text,
		   const struct sbx_learn_events *kept, struct sbx_learn_result *res, struct sbx_error *err)
{
	return sbx_learn_with(out_path, p, report_text, kept, 0, res, err);
}

int sbx_learn_with(const char *out_path, const struct sbx_policy *p, const char *report_text,
		   const struct sbx_learn_events *kept, unsigned flags, struct sbx_learn_result *res,
		   struct sbx_error *err)
{
	struct learn l = { .cwd = p->cwd, .path_env = sbx_policy_path_env(p), .flags = flags };
	json_t *rep = NULL, *events, *ev;
	struct sbx_policy *chk = NULL;
	char *text = NULL;
	bool merging = access(out_path, F_OK) == 0;
	json_error_t je;
	size_t i;
	int rc = 0;

	l.notes = json_object();
	l.writes = json_object();
	l.mkdirs = json_object();
	l.reads = json_object();
	l.execs = json_object();
	rep = report_text ? json_loads(report_text, 0, &je) : NULL;
	if (!rep) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--learn: the run left no report to learn from");
		rc = -EINVAL;
		goto out;
	}
	if (merging) {
		/* Widen an earlier learnt (or hand-written) policy; it must
		 * be valid itself. */
		rc = sbx_policy_load_file(out_path, p->cwd, 0, &chk, err);
		if (rc < 0)
			goto out;
		sbx_policy_free(chk);
		chk = NULL;
		l.doc = json_load_file(out_path, 0, &je);
	} else {
		rc = sbx_policy_to_json(p, &text, err);
		if (rc < 0)
			goto out;
		l.doc = json_loads(text, 0, &je);
		free(text);
		text = NULL;
		if (l.doc) {
			char name[200];
			snprintf(name, sizeof(name), "learnt from %s", p->name);
			json_object_set_new(l.doc, "name", json_string(name));
		}
	}
	if (!l.doc) {
		sbx_diag_add(err, out_path, je.line, je.column, NULL, "--learn: %s", je.text);
		rc = -EINVAL;
		goto out;
	}
	l.run_start = time(NULL) - (time_t)ceil(json_number_value(json_object_get(json_object_get(rep, "time"),
								       "wall_s"))) - 2;
	events = kept ? kept->list : json_object_get(rep, "events");
	json_array_foreach(events, i, ev)
		learn_event(&l, ev);
	place_writes(&l);
	place_reads(&l);
	place_execs(&l);
	learn_limits(&l, rep, merging);
	if (kept ? kept->dropped > 0
		 : json_integer_value(json_object_get(json_object_get(rep, "summary"), "events_dropped")) > 0)
		note(&l, "warning: the report dropped events (too many); run --learn again to widen further",
		     NULL);
	relativize(&l, "filesystem", "read");
	relativize(&l, "filesystem", "write");
	relativize(&l, "python", "path");

	text = json_dumps(l.doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	/* What is written must load: the same reader, the same checks. */
	rc = sbx_policy_load_string(text, strlen(text), out_path, p->cwd, 0, &chk, err);
	if (rc < 0) {
		sbx_diag_add(err, out_path, 0, 0, NULL, "--learn made a policy the reader refuses "
			     "(a sandboxpy bug; nothing was written)");
		goto out;
	}
	if (res) {
		res->widened_existing = merging;
		res->entries = l.widened;
		res->narrowed = l.narrowed;
		res->optional = l.optional;
	}
	if (flags & SBX_LEARN_DRY_RUN) {
		if (res) {
			res->policy_json = text;
			text = NULL;
		}
		goto out;
	}
	rc = sbx_write_json_atomic(out_path, l.doc);
	if (rc < 0) {
		sbx_diag_add(err, out_path, 0, 0, NULL, "cannot write the learnt policy: %s", strerror(-rc));
		goto out;
	}
	rc = write_notes(&l, out_path, merging, rep);
	if (rc < 0) {
		sbx_diag_add(err, out_path, 0, 0, NULL, "cannot write %s.notes: %s", out_path, strerror(-rc));
		goto out;
	}
out:
	sbx_policy_free(chk);
	free(text);
	json_decref(rep);
	json_decref(l.doc);
	json_decref(l.notes);
	json_decref(l.writes);
	json_decref(l.mkdirs);
	json_decref(l.reads);
	json_decref(l.execs);
	return rc;
}

/* ---- after a failed run: a module that site-packages has ---- */

/* Where python.site lets the sandbox import from (as plan.c's list). */
static const char *const site_dirs[] = {
	"/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages",
	"/usr/local/lib/python3/dist-packages",
};

/* The directory of site_dirs that has top-level module name, or NULL. */
static const char *site_dir_of(const char *name)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(site_dirs) / sizeof(site_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", site_dirs[i], name);
		if (is_dir(path))
			return site_dirs[i];
		snprintf(path, sizeof(path), "%s/%s.py", site_dirs[i], name);
		if (access(path, F_OK) == 0)
			return site_dirs[i];
	}
	return NULL;
}

/* The first top-level module after "import" or "from" at the start of a
 * line of text that site-packages has (a plain scan: no code runs). */
static bool site_import(const char *text, char *name, size_t len, const char **dir)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *t = line + strspn(line, " \t");
		size_t kw = strncmp(t, "import ", 7) == 0 ? 7 : strncmp(t, "from ", 5) == 0 ? 5 : 0;
		size_t n;
		if (!kw)
			continue;
		t += kw;
		t += strspn(t, " \t");
		n = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n == 0 || n >= len)
			continue;
		memcpy(name, t, n);
		name[n] = '\0';
		if ((*dir = site_dir_of(name)))
			return true;
	}
	return false;
}

void sbx_learn_site_hint(const struct sbx_policy *p, enum sbx_prog_kind kind, const char *program,
			 char *buf, size_t len)
{
	char name[128], text[65536];
	const char *dir = NULL, *src = program;

	buf[0] = '\0';
	if (p->python.site || !program)
		return;
	if (kind == SBX_PROG_FILE) {
		FILE *f = fopen(program, "re");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		if (f)
			fclose(f);
		text[n] = '\0';
		src = text;
	} else if (kind == SBX_PROG_MODULE) {
		snprintf(text, sizeof(text), "import %s", program);
		src = text;
	} else if (kind != SBX_PROG_COMMAND) {
		return;
	}
	if (site_import(src, name, sizeof(name), &dir))
		snprintf(buf, len, "the program imports %s, which is in %s, outside the sandbox while "
			 "python.site is false: learn again with --set python.site=true (site-packages "
			 "readable and importable), or name the package's directory in python.path",
			 name, dir);
}
