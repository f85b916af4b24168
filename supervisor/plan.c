/* plan.c: everything the child will need, computed before fork so that
 * the child does no parsing: the read and write roots the hook checks
 * (policy paths plus the implicit set), the environment, the tmp dir. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sbx_child.h"
#include "sbx_diag.h"
#include "sbx_match.h"
#include "sbx_spawn.h"

/* Programs the kernel starts for an allowed executable: the ELF
 * interpreter needs Landlock's EXECUTE right too. */
static const char *const elf_loaders[] = {
	"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-x86-64.so.2",
};

struct vec {
	char **v;
	size_t n, cap;
};

static int vec_add(struct vec *vec, const char *s)
{
	if (vec->n + 2 > vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		char **nv = realloc(vec->v, cap * sizeof(char *));
		if (!nv)
			return -ENOMEM;
		vec->v = nv;
		vec->cap = cap;
	}
	if (!(vec->v[vec->n] = strdup(s)))
		return -ENOMEM;
	vec->n++;
	vec->v[vec->n] = NULL;
	return 0;
}

static int vec_add_real(struct vec *vec, const char *s)
{
	char real[PATH_MAX];

	if (!realpath(s, real))
		return 0;	/* absent on this machine */
	for (size_t i = 0; i < vec->n; i++)
		if (strcmp(vec->v[i], real) == 0)
			return 0;
	return vec_add(vec, real);
}

static int vec_add_kv(struct vec *vec, const char *k, const char *v)
{
	size_t n = strlen(k) + strlen(v) + 2;
	char *s = malloc(n);
	int r;

	if (!s)
		return -ENOMEM;
	snprintf(s, n, "%s=%s", k, v);
	r = vec_add(vec, s);
	free(s);
	return r;
}

static const char *env_get(const struct sbx_policy *p, const char *k)
{
	for (size_t i = 0; i < p->python.n_env; i++)
		if (strcmp(p->python.env[i].key, k) == 0)
			return p->python.env[i].value;
	return NULL;
}

/* The variable a sandboxpy started inside the sandbox (sys.executable)
 * reads its policy from when it has no --policy (supervisor/main.c). */
#define INHERIT_ENV "SANDBOXPY_INHERIT_POLICY"

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The policy as the nested sandboxpy should see it: what a python3 child
 * inherits from its parent, it inherits too. The private tmp directory is
 * the parent's TMPDIR, writable, not a new one of its own; HOME is the
 * parent's. */
static int inherited_json(const struct sbx_child_plan *plan, const struct sbx_policy *p, char **out,
			  struct sbx_error *err)
{
	char *text = NULL;
	json_t *doc = NULL, *fs, *env, *wr;
	int r = sbx_policy_to_json(p, &text, err);

	if (r < 0)
		return r;
	r = -ENOMEM;
	if (!(doc = json_loads(text, 0, NULL)))
		goto out;
	fs = json_object_get(doc, "filesystem");
	env = json_object_get(json_object_get(doc, "python"), "env");
	wr = json_object_get(fs, "write");
	if (!json_is_object(fs) || !json_is_object(env) || !json_is_array(wr))
		goto out;
	if (plan->tmpdir && (json_object_set_new(fs, "tmp", json_false()) < 0 ||
			     json_array_append_new(wr, json_string(plan->tmpdir)) < 0 ||
			     json_object_set_new(env, "TMPDIR", json_string(plan->tmpdir)) < 0))
		goto out;
	if (!env_get(p, "HOME") && json_object_set_new(env, "HOME", json_string(p->cwd)) < 0)
		goto out;
	if ((*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
		r = 0;
out:
	if (r < 0)
		sbx_diag_add(err, NULL, 0, 0, NULL, "out of memory writing the inherited policy");
	json_decref(doc);
	free(text);
	return r;
}

static void remove_policy_dir(struct sbx_child_plan *plan)
{
	char file[PATH_MAX + 16];

	if (!plan->policy_dir)
		return;
	snprintf(file, sizeof(file), "%s/policy.json", plan->policy_dir);
	unlink(file);
	rmdir(plan->policy_dir);
	free(plan->policy_dir);
	plan->policy_dir = NULL;
}

/* With process.spawn, a program may re-run sys.executable: the policy, as
 * normalised here, goes into a fresh directory the sandbox may read but
 * not write, named by INHERIT_ENV in the child's environment. A nested
 * sandboxpy with no TMPDIR of its own (nowhere it may write: trying would
 * be a denial in the outer sandbox) passes on the file it inherited. */
static int inherit_policy(struct sbx_child_plan *plan, const struct sbx_policy *p,
			  struct vec *rd, struct vec *env, struct sbx_error *err)
{
	const char *outer = getenv(INHERIT_ENV), *base = getenv("TMPDIR");
	char dir[PATH_MAX], file[PATH_MAX + 16];
	char *json = NULL;
	int fd = -1, r;

	if (!base || base[0] != '/')
		base = outer && outer[0] == '/' ? NULL : "/tmp";
	if (!base)
		goto pass_on;
	snprintf(dir, sizeof(dir), "%s/sandboxpy-policy-XXXXXX", base);
	if (!mkdtemp(dir)) {
		if (outer && outer[0] == '/')
			goto pass_on;
		r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot create the directory for the inherited policy in %s: %s",
			     base, strerror(errno));
		goto out;
	}
	r = -ENOMEM;
	if (!(plan->policy_dir = realpath(dir, NULL)))
		goto out;
	snprintf(file, sizeof(file), "%s/policy.json", plan->policy_dir);
	/* World-readable: the program runs as another uid (confinement.md). */
	if ((r = inherited_json(plan, p, &json, err)) < 0)
		goto out;
	if (chmod(plan->policy_dir, 0755) < 0 ||
	    (fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot write the inherited policy %s: %s", file,
			     strerror(errno));
		goto out;
	}
	if ((r = write_all(fd, json, strlen(json))) < 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot write the inherited policy %s: %s", file,
			     strerror(-r));
		goto out;
	}
	r = vec_add(rd, file) < 0 || vec_add_kv(env, INHERIT_ENV, file) < 0 ? -ENOMEM : 0;
	goto out;
pass_on:
	r = vec_add_real(rd, outer) < 0 || vec_add_kv(env, INHERIT_ENV, outer) < 0 ? -ENOMEM : 0;
out:
	if (fd >= 0)
		close(fd);
	free(json);
	if (r < 0)
		remove_policy_dir(plan);
	return r;
}

/* Started as root, the program runs as SBX_SANDBOX_ID, and a write tree
 * it cannot write stays so: it is never made writable through an idmapped
 * mount, which would store what the sandbox creates as root's (a set-uid
 * root file on the host, issue 15). Refused here, with the fix. */
static int check_write_trees(const struct sbx_policy *p, struct sbx_error *err)
{
	struct stat st;
	int r = 0;

	if (geteuid() != 0)
		return 0;
	for (size_t i = 0; i < p->fs.write.n; i++) {
		const char *w = p->fs.write.v[i];
		if (stat(w, &st) < 0 || strncmp(w, "/dev/", 5) == 0)
			continue;	/* missing: writes there are refused */
		if (sbx_ns_may(&st, SBX_SANDBOX_ID, SBX_SANDBOX_ID, S_ISDIR(st.st_mode) ? 7 : 6))
			continue;
		sbx_diag_add(err, NULL, 0, 0, NULL, "filesystem.write: %s (owner uid %u, group %u, mode "
			     "%04o) is not writable by the sandbox's uid %u; sandboxpy will not make it "
			     "writable as root. Fix: chown %u %s (or give uid %u write access), or run "
			     "sandboxpy as the tree's owner", w, (unsigned)st.st_uid, (unsigned)st.st_gid,
			     (unsigned)(st.st_mode & 07777), SBX_SANDBOX_ID, SBX_SANDBOX_ID, w, SBX_SANDBOX_ID);
		r = -EACCES;
	}
	return r;
}

/* The lists a plan is made of while it is built; the plan owns them after
 * (hand_over), on success or failure alike. */
struct plan_vecs {
	struct vec rd, wr, env, imp, ex, sys;
	size_t site_first, n_site;	/* python.site's directories in imp */
};

/* The private tmp directory (filesystem.tmp): made here, the sandbox's own. */
static int make_tmpdir(struct sbx_child_plan *plan, struct sbx_error *err)
{
	const char *base = getenv("TMPDIR");
	char buf[PATH_MAX];

	if (!base || base[0] != '/')
		base = "/tmp";
	snprintf(buf, sizeof(buf), "%s/sandboxpy-XXXXXX", base);
	if (!mkdtemp(buf)) {
		int e = errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot create the private tmp directory in %s: %s",
			     base, strerror(e));
		return -e;
	}
	if (!(plan->tmpdir = realpath(buf, NULL)))
		return -ENOMEM;
	/* The sandbox's own, never root's: in a mount namespace a tmpfs
	 * covers it, without one the program writes here as itself. */
	if (geteuid() == 0 && chown(plan->tmpdir, SBX_SANDBOX_ID, SBX_SANDBOX_ID) < 0) {
		int e = errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot give the private tmp directory %s "
			     "to uid %u: %s", plan->tmpdir, SBX_SANDBOX_ID, strerror(e));
		return -e;
	}
	return 0;
}

/* The script's real path (read implicitly) and sys.executable. */
static void find_program(struct sbx_child_plan *plan, const struct sbx_policy *p,
			 const struct sbx_run_opts *o)
{
	char buf[PATH_MAX];

	if (o->kind == SBX_PROG_FILE && o->program) {
		/* Relative to the sandbox's working directory, where the child
		 * is when Python opens it (-C), not to ours. */
		if (o->program[0] != '/' &&
		    (size_t)snprintf(buf, sizeof(buf), "%s/%s", p->cwd, o->program) < sizeof(buf))
			plan->script_real = realpath(buf, NULL);
		else
			plan->script_real = realpath(o->program, NULL);
		/* A missing script is Python's error to report, as python3 does. */
	}
	if (o->executable) {
		/* A host using the library names the sandboxpy that re-runs
		 * Python (its own binary is not one). */
		plan->self_exe = strdup(o->executable);
	} else {
		ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			plan->self_exe = strdup(buf);
		}
	}
}

/* A name as written, for the view (sys): it makes again the links on the
 * way (/etc/localtime, /lib64's loader). Absent ones are skipped there. */
static int sys_add(struct plan_vecs *v, const char *name)
{
	struct stat st;

	return lstat(name, &st) < 0 ? 0 : vec_add(&v->sys, name);
}

/* One implicit path: resolved for the hook and Landlock (imp); as named
 * for the view (sys), which writes a generated one itself (and the host's
 * /etc/hosts only with network.dns). */
static int add_implicit_path(struct plan_vecs *v, const char *path, bool generated)
{
	struct stat st;

	if (!generated)
		return vec_add_real(&v->imp, path) < 0 || sys_add(v, path) < 0 ? -ENOMEM : 0;
	/* Readable in the view whether or not the host has one. */
	return (lstat(path, &st) == 0 ? vec_add_real(&v->imp, path) : vec_add(&v->imp, path)) < 0
	       ? -ENOMEM : 0;
}

/* The implicit read set, item by item from policy/implicit.c (policy.md
 * "Implicit reads"): what the interpreter reads whatever the policy says. */
static int add_implicit(struct plan_vecs *v, const struct sbx_policy *p, bool site)
{
	size_t n;
	const struct sbx_implicit *it = sbx_implicit_items(&n);

	v->site_first = v->n_site = 0;
	for (size_t i = 0; i < n; i++) {
		if (!sbx_implicit_applies(p, &it[i], site))
			continue;
		if (it[i].when == SBX_IMP_SITE)
			v->site_first = v->imp.n;
		for (const char *const *s = it[i].paths; *s; s++)
			if (add_implicit_path(v, *s, it[i].generated) < 0)
				return -ENOMEM;
		if (it[i].when == SBX_IMP_SITE)
			v->n_site = v->imp.n - v->site_first;
	}
	return 0;
}

/* Landlock's EXECUTE set (ex). */
static int add_exec(struct plan_vecs *v, const struct sbx_policy *p,
		    const struct sbx_child_plan *plan)
{
	const char *self_exe = plan->self_exe;
	char buf[PATH_MAX];

	if (!p->process.spawn)
		return 0;
	/* A nested sandboxpy reads the interpreter and its runtime through
	 * /proc/self/fd (child.c exec_interpreter): Landlock's read right on
	 * the two files, which hold nothing of the host's. */
	if (vec_add(&v->ex, plan->python_exe) < 0 || vec_add(&v->ex, plan->rt_path) < 0)
		return -ENOMEM;
	if (p->process.exec_allow.n) {
		for (size_t i = 0; i < p->process.exec_allow.n; i++)
			if (vec_add_real(&v->ex, p->process.exec_allow.v[i]) < 0)
				return -ENOMEM;
		for (size_t i = 0; i < sizeof(elf_loaders) / sizeof(elf_loaders[0]); i++)
			if (vec_add_real(&v->ex, elf_loaders[i]) < 0)
				return -ENOMEM;
		return 0;
	}
	/* Any program may start: the kernel reads an executable to run it,
	 * so the PATH directories and sys.executable are readable (files
	 * only: READ_DIR is not granted by this set). */
	for (const char *d = sbx_policy_path_env(p); *d;) {
		size_t n = strcspn(d, ":");
		snprintf(buf, sizeof(buf), "%.*s", (int)n, d);
		if (buf[0] == '/' && vec_add_real(&v->ex, buf) < 0)
			return -ENOMEM;
		d += n + (d[n] == ':');
	}
	if (self_exe && vec_add_real(&v->ex, self_exe) < 0)
		return -ENOMEM;
	return 0;
}

static int add_strv(struct vec *vec, const struct sbx_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		if (vec_add(vec, sv->v[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* The hook's read roots (rd) and write roots (wr). */
static int add_roots(struct plan_vecs *v, const struct sbx_policy *p,
		     const struct sbx_child_plan *plan)
{
	if (add_strv(&v->rd, &p->fs.read) < 0 || add_strv(&v->rd, &p->fs.write) < 0 ||
	    add_strv(&v->wr, &p->fs.write) < 0 || add_strv(&v->rd, &p->python.path) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < v->imp.n; i++)
		if (vec_add(&v->rd, v->imp.v[i]) < 0)
			return -ENOMEM;
	if (plan->script_real && vec_add(&v->rd, plan->script_real) < 0)
		return -ENOMEM;
	if (plan->tmpdir && (vec_add(&v->rd, plan->tmpdir) < 0 || vec_add(&v->wr, plan->tmpdir) < 0))
		return -ENOMEM;
	if (vec_add(&v->wr, "/dev/null") < 0)
		return -ENOMEM;
	/* multiprocessing's locks are POSIX semaphores, files in /dev/shm:
	 * with spawning allowed, Pool and Queue need it. */
	if (p->process.spawn && vec_add_real(&v->wr, "/dev/shm") < 0)
		return -ENOMEM;
	return 0;
}

/* policy.md: exactly python.env plus PATH, HOME (and TMPDIR). The policy's
 * own values win: a user who sets PATH means it. */
static int add_env(struct plan_vecs *v, const struct sbx_policy *p, const char *tmpdir)
{
	if (!env_get(p, "PATH") && vec_add_kv(&v->env, "PATH", sbx_policy_path_env(p)) < 0)
		return -ENOMEM;
	if (!env_get(p, "HOME") && vec_add_kv(&v->env, "HOME", p->cwd) < 0)
		return -ENOMEM;
	if (tmpdir && vec_add_kv(&v->env, "TMPDIR", tmpdir) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->python.n_env; i++) {
		if (tmpdir && strcmp(p->python.env[i].key, "TMPDIR") == 0)
			continue;
		if (vec_add_kv(&v->env, p->python.env[i].key, p->python.env[i].value) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void hand_over(struct sbx_child_plan *plan, const struct plan_vecs *v)
{
	plan->read_v = v->rd.v;
	plan->write_v = v->wr.v;
	plan->exec_v = v->ex.v;
	plan->envp = v->env.v;
	plan->implicit_v = v->imp.v;
	plan->n_implicit = v->imp.n;
	plan->sys_v = v->sys.v;
}

#ifdef SBX_TEST_SWITCHES
#define RT_NAME "sandboxpy-rt-faults.so"
#else
#define RT_NAME "sandboxpy-rt.so"
#endif

/* Nested in another sandboxpy: its filter refuses to put anything at
 * descriptor 3, its channel's number (seccomp/table.c), which no other
 * filter (a container's) does and the program cannot undo. The probe puts
 * a copy of a descriptor there and undoes it, as run.c's pick_chan_no. */
static bool in_sandboxpy(void)
{
	int flags, copy, r;

	if (prctl(PR_GET_SECCOMP) != 2)
		return false;
	flags = fcntl(3, F_GETFD);
	if ((copy = dup(flags >= 0 ? 3 : 0)) < 0)
		return false;
	r = dup2(copy, 3);
	if (r >= 0 && flags < 0)
		close(3);
	else if (r >= 0)
		fcntl(3, F_SETFD, flags);
	close(copy);
	return r < 0 && errno == EBADF;
}

/* A runtime we will run code from: a regular file, not a link, that no
 * one but its owner (root or us) can write, or none. Nested in another
 * sandboxpy, also none we could write ourselves: the program that started
 * us could have put it there. */
static bool trusted_file(const char *path)
{
	static int nested = -1;
	struct stat st;

	if (nested < 0)
		nested = in_sandboxpy();
	if (nested && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0)
		return false;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & 022) &&
	       (st.st_uid == 0 || st.st_uid == geteuid());
}

/* Where the runtime is (child/rt.c), looked for beside what is running:
 * the executable and the object holding this code (libsandboxpy.so in a
 * host program). Beside one in the build tree: the build's runtime;
 * otherwise in the same directory (a sandboxpy copied with its runtime),
 * under <libdir>/sandboxpy (from bin/: ../lib/<multiarch>/ or ../lib/,
 * which also finds an installed tree unpacked elsewhere), then where the
 * build installs it. The build tree's path is compiled in but used only by
 * binaries inside that tree (and the test-only sandboxpy-faults, which the
 * tests copy): an installed sandboxpy never loads code from a path that
 * names a build directory, which anyone may create on another machine. */
static char *runtime_near(const char *anchor)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], *slash;

	snprintf(dir, sizeof(dir), "%s", anchor);
	if (!(slash = strrchr(dir, '/')))
		return NULL;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/" RT_NAME, dir);
	if (trusted_file(path))
		return strdup(path);
	snprintf(path, sizeof(path), "%s/sandboxpy/" RT_NAME, dir);
	if (trusted_file(path))
		return realpath(path, NULL);
	snprintf(path, sizeof(path), "%s/../lib/" SBX_MULTIARCH "/sandboxpy/" RT_NAME, dir);
	if (trusted_file(path))
		return realpath(path, NULL);
	snprintf(path, sizeof(path), "%s/../lib/sandboxpy/" RT_NAME, dir);
	if (trusted_file(path))
		return realpath(path, NULL);
	return NULL;
}

static char *find_runtime(void)
{
	char exe[PATH_MAX], *found = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *anchor[2] = { NULL, NULL };
	bool in_build = false;
	Dl_info info;

#ifdef SBX_TEST_SWITCHES
	in_build = true;
#endif
	if (n > 0) {
		exe[n] = '\0';
		anchor[0] = exe;
	}
	if (dladdr((void *)find_runtime, &info) && info.dli_fname && info.dli_fname[0] == '/')
		anchor[1] = info.dli_fname;
	for (int i = 0; i < 2; i++)
		in_build |= anchor[i] && sbx_path_under(anchor[i], SBX_BUILD_DIR);
	/* The build's own first: the plan's packed form is the build's. */
	if (in_build && trusted_file(SBX_BUILD_DIR "/" RT_NAME))
		return strdup(SBX_BUILD_DIR "/" RT_NAME);
	for (int i = 0; i < 2 && !found; i++)
		if (anchor[i])
			found = runtime_near(anchor[i]);
	if (!found && trusted_file(SBX_RT_INSTALLED "/" RT_NAME))
		found = strdup(SBX_RT_INSTALLED "/" RT_NAME);
	return found;
}

/* The interpreter's image (child.c exec_interpreter, and the warm pool's
 * zygote): Debian's python3.11, the ELF loader that runs it, sandboxpy's
 * runtime; malloc'd, each NULL where missing. */
int sbx_find_interpreter(char **loader, char **python, char **rt, struct sbx_error *err)
{
	*loader = *python = *rt = NULL;
	for (size_t i = 0; !*loader && i < sizeof(elf_loaders) / sizeof(elf_loaders[0]); i++)
		if (access(elf_loaders[i], X_OK) == 0)
			*loader = strdup(elf_loaders[i]);
	*python = realpath(SBX_PYTHON_EXE, NULL);
	*rt = find_runtime();
	if (*loader && *python && *rt)
		return 0;
	sbx_diag_add(err, NULL, 0, 0, NULL, "%s not found: sandboxpy runs programs in %s with its "
		     "runtime, " RT_NAME ", preloaded (docs/build.md)",
		     !*python ? SBX_PYTHON_EXE : !*rt ? RT_NAME : "the ELF loader", SBX_PYTHON_EXE);
	return -ENOENT;
}

static int find_interpreter(struct sbx_child_plan *plan, struct sbx_error *err)
{
	return sbx_find_interpreter(&plan->loader, &plan->python_exe, &plan->rt_path, err);
}

static void fill_hook(struct sbx_child_plan *plan, const struct sbx_policy *p,
		      const struct sbx_run_opts *o, const struct plan_vecs *v)
{
	plan->hook.p = p;
	plan->hook.chan_fd = -1;
	plan->hook.read.v = v->rd.v;
	plan->hook.read.n = v->rd.n;
	plan->hook.write.v = v->wr.v;
	plan->hook.write.n = v->wr.n;
	plan->hook.stdlib = SBX_PYTHON_STDLIB;
	plan->hook.dynload = SBX_PYTHON_STDLIB "/lib-dynload";
	plan->hook.site.v = v->imp.v + v->site_first;
	plan->hook.site.n = v->n_site;
	plan->hook.audit_only = o->audit_only;
	plan->hook.path_env = sbx_policy_path_env(p);
}

int sbx_child_plan_build(struct sbx_child_plan *plan, const struct sbx_policy *p,
			 const struct sbx_run_opts *o, struct sbx_error *err)
{
	struct plan_vecs v = { 0 };
	int r;

	memset(plan, 0, sizeof(*plan));
	plan->p = p;
	plan->o = o;
	plan->chan_fd = -1;
	plan->stdio_fd[0] = plan->stdio_fd[1] = plan->stdio_fd[2] = -1;
	plan->supervisor = getpid();

	if ((p->fs.tmp && (r = make_tmpdir(plan, err)) < 0) || (r = check_write_trees(p, err)) < 0)
		goto out_fail;
	find_program(plan, p, o);
	if ((r = find_interpreter(plan, err)) < 0)
		goto out_fail;
	if ((r = add_implicit(&v, p, p->python.site && !o->no_site)) < 0 ||
	    (r = add_exec(&v, p, plan)) < 0 || (r = add_roots(&v, p, plan)) < 0 ||
	    (r = add_env(&v, p, plan->tmpdir)) < 0)
		goto out_fail;
	if (p->process.spawn && (r = inherit_policy(plan, p, &v.rd, &v.env, err)) < 0)
		goto out_fail;
	if (!v.env.v && vec_add_kv(&v.env, "PATH", sbx_policy_path_env(p)) < 0) {
		r = -ENOMEM;
		goto out_fail;
	}
	hand_over(plan, &v);
	fill_hook(plan, p, o, &v);
	return 0;

out_fail:
	if (r == -ENOMEM && !err->n)
		sbx_diag_add(err, NULL, 0, 0, NULL, "out of memory preparing the sandbox");
	hand_over(plan, &v);
	remove_policy_dir(plan);
	sbx_child_plan_free(plan);
	return r;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void sbx_child_plan_free(struct sbx_child_plan *plan)
{
	strv_free(plan->read_v);
	strv_free(plan->write_v);
	strv_free(plan->envp);
	strv_free(plan->implicit_v);
	strv_free(plan->exec_v);
	strv_free(plan->sys_v);
	free(plan->tmpdir);
	free(plan->script_real);
	free(plan->self_exe);
	free(plan->policy_dir);
	free(plan->python_exe);
	free(plan->loader);
	free(plan->rt_path);
	plan->python_exe = plan->loader = plan->rt_path = NULL;
	plan->read_v = plan->write_v = plan->envp = plan->implicit_v = plan->exec_v = plan->sys_v = NULL;
	plan->tmpdir = plan->script_real = plan->self_exe = plan->policy_dir = NULL;
}

json_t *sbx_view_layer_json(const struct sbx_child_plan *plan, bool ready, unsigned ready_flags,
			    bool mount_ns)
{
	const struct sbx_policy *p = plan->p;
	bool on = ready && p && (ready_flags & SBX_VIEW_PRIVATE);
	json_t *o = json_object(), *imp = json_array();
	size_t n;
	const struct sbx_implicit *it = sbx_implicit_items(&n);

	if (!p || !plan->o)
		n = 0;	/* no plan: the run never started */
	json_object_set_new(o, "active", json_boolean(on));
	if (!on)
		json_object_set_new(o, "reason", json_string(
			!ready ? "set-up did not finish"
			: !mount_ns ? "no mount namespace (not root, no user namespace): the host's tree, "
				      "Landlock alone decides what can be read (stat sees everything)"
			: "not in force"));
	if (on && plan->o && plan->o->audit_only)
		json_object_set_new(o, "note", json_string(
			"--audit-only: the host's root is in the view, so that the program reaches what "
			"it would need"));
	for (size_t i = 0; i < n; i++) {
		json_t *item, *paths;
		if (!sbx_implicit_applies(p, &it[i], p->python.site && !plan->o->no_site))
			continue;
		paths = json_array();
		for (const char *const *s = it[i].paths; *s; s++)
			json_array_append_new(paths, json_string(*s));
		item = json_pack("{s:o s:s s:b s:o}", "name", it[i].name ? json_string(it[i].name) : json_null(),
				 "why", it[i].why, "generated", it[i].generated, "paths", paths);
		json_array_append_new(imp, item);
	}
	json_object_set_new(o, "implicit", imp);
	return o;
}
