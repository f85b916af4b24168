/* cgroup.c: limits for the sandbox as a whole. One cgroup per run, under
 * the supervisor's own cgroup in each hierarchy it can write: memory
 * (memory.limit_in_bytes / memory.max, and the OOM-kill counter that tells
 * "memory" from any other SIGKILL), pids (pids.max: processes and threads
 * at once, whatever their uid) and CPU usage (cpuacct.usage / cpu.stat,
 * polled against limits.cpu_seconds). Detected, never assumed: any
 * controller that cannot be set up is left to the rlimit fallback, and the
 * report says which one enforced each limit.
 *
 * cgroup v2 is used wherever it has every controller the policy's limits
 * need (found from /proc/self/mountinfo, whatever the mount point, and
 * the parent's cgroup.subtree_control: what it delegates, never changed
 * here); cpu.stat is v2's core, so CPU needs no controller. There the
 * child is cloned straight into its group (clone3 CLONE_INTO_CGROUP,
 * into_fd): it is in it from its first instruction and nothing migrates.
 *
 * On v1 the child must be migrated, and the first write to a cgroup.procs
 * after a quiet spell waits for an RCU grace period (the kernel's
 * cgroup_threadgroup_rwsem is taken for writing; 7-15 ms here, more than
 * python3.11's whole start-up, docs/performance.md). run_procs.c starts
 * that wait before the clone and makes the write while the child starts
 * its interpreter; the program is held until it is done.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_supervisor.h"

#define CG_ROOT "/sys/fs/cgroup"


static int write_str(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* A number from a cgroup file: the value of its "key value" line
 * (memory.oom_control, memory.events, cpu.stat), or with key NULL the
 * file's first line (cpuacct.usage). -1 when absent. */
static long long read_key(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX], line[256];
	size_t kl = key ? strlen(key) : 0;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = atoll(line);
			break;
		}
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			v = atoll(line + kl + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

/* /proc/self/cgroup, read once per run (it was read for each hierarchy):
 * "" when it cannot be read; a line cut by the end of the buffer is
 * dropped, never read as a shorter path. */
static void read_own(char *text, size_t cap)
{
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r = 1;
	char *nl;

	while (fd >= 0 && n < cap - 1 && (r = read(fd, text + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	text[n] = '\0';
	if (n == cap - 1 && r > 0)
		(nl = strrchr(text, '\n')) ? (void)(nl[1] = '\0') : (void)(text[0] = '\0');
	if (fd >= 0)
		close(fd);
}

/* Our own cgroup in a v1 hierarchy ("4:memory:/a/b") or in v2 ("0::/a"),
 * from read_own's text. */
static int own_path(const char *text, const char *controller, char *out, size_t cap)
{
	char line[PATH_MAX];
	int r = -ENOENT;

	for (const char *p = text, *nl; r < 0 && *p; p = *nl ? nl + 1 : nl) {
		size_t len = strcspn(p, "\n");
		char *c1, *c2, *save;
		nl = p + len;
		if (len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (!*controller && !c1[1]) {	/* v2: "0::/path" */
			snprintf(out, cap, "%s", c2 + 1);
			r = 0;
			continue;
		}
		/* v1 lists controllers comma-separated: "cpu,cpuacct" */
		for (char *tok = *controller ? strtok_r(c1 + 1, ",", &save) : NULL; tok;
		     tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, controller) == 0) {
				snprintf(out, cap, "%s", c2 + 1);
				r = 0;
			}
	}
	return r;
}

/* Groups a run left when it was killed from outside (a harness's killpg
 * of the supervisor and its guard together) are removed by the next run
 * in the same parent: a sandboxpy-<tid> group whose thread is gone and
 * that holds no process. rmdir refuses a group with members (EBUSY) or
 * someone else's (EACCES): nothing live is touched. */
static void sweep_stale(const char *parent)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long tid;
		if (strncmp(e->d_name, "sandboxpy-", 10) != 0)
			continue;
		tid = strtol(e->d_name + 10, &end, 10);
		if (*end || tid <= 0 || (kill((pid_t)tid, 0) == 0 || errno == EPERM))
			continue;	/* its supervisor may still run */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", parent, e->d_name) < sizeof(path))
			(void)rmdir(path);
	}
	closedir(d);
}

/* mkdir <mount>/<own>/sandboxpy-<id>, a group of this run's own: one that
 * exists already is a dead run's (id is this thread's), never adopted. 0
 * and the path, or -errno. */
static int make_group(const char *mount, const char *own, pid_t id, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%s%s", mount, own, own[strlen(own) - 1] == '/' ? "" : "/");

	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	out[n ? n - 1 : 0] = '\0';
	sweep_stale(out);
	if ((size_t)snprintf(out, cap, "%s%s%ssandboxpy-%d", mount, own,
			     own[strlen(own) - 1] == '/' ? "" : "/", id) >= cap)
		return -ENAMETOOLONG;
	if (mkdir(out, 0755) < 0) {
		int e = errno;
		out[0] = '\0';
		return -e;
	}
	return 0;
}

static void setup_v1(struct sbx_cgroup *cg, const struct sbx_limits *l, const char *text, pid_t id)
{
	char own[PATH_MAX], mount[PATH_MAX], val[64];

	cg->version = 1;
	if (l->memory_mb >= 0 && own_path(text, "memory", own, sizeof(own)) == 0 &&
	    make_group(CG_ROOT "/memory", own, id, cg->mem, sizeof(cg->mem)) == 0) {
		snprintf(val, sizeof(val), "%lld", (long long)(l->memory_mb * 1024 * 1024));
		if (write_str(cg->mem, "memory.limit_in_bytes", val) == 0) {
			cg->memory = true;
			/* Swap counts too where the kernel accounts it. */
			(void)write_str(cg->mem, "memory.memsw.limit_in_bytes", val);
		}
	}
	if (l->tasks >= 0 && own_path(text, "pids", own, sizeof(own)) == 0 &&
	    make_group(CG_ROOT "/pids", own, id, cg->pids_dir, sizeof(cg->pids_dir)) == 0) {
		snprintf(val, sizeof(val), "%lld", (long long)l->tasks);
		cg->pids = write_str(cg->pids_dir, "pids.max", val) == 0;
	}
	if (l->cpu_seconds >= 0 && own_path(text, "cpuacct", own, sizeof(own)) == 0) {
		snprintf(mount, sizeof(mount), CG_ROOT "/cpuacct");
		if (access(CG_ROOT "/cpuacct/cpuacct.usage", R_OK) != 0)
			snprintf(mount, sizeof(mount), CG_ROOT "/cpu,cpuacct");
		if (make_group(mount, own, id, cg->cpu_dir, sizeof(cg->cpu_dir)) == 0)
			cg->cpu = read_key(cg->cpu_dir, "cpuacct.usage", NULL) >= 0;
	}
}

/* Where the cgroup hierarchies are mounted: the first cgroup2 mount (its
 * mount point and the cgroup path it shows as its root) and whether any
 * v1 hierarchy is. From mountinfo, so a v2 hierarchy beside v1
 * (/sys/fs/cgroup/unified) is found as well as a v2-only machine's. */
struct cg_mounts {
	char v2[PATH_MAX], v2_root[PATH_MAX];
	bool v1;
};

static void scan_mounts(struct cg_mounts *m)
{
	char line[2 * PATH_MAX + 256], root[PATH_MAX], mnt[PATH_MAX], type[32];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	memset(m, 0, sizeof(*m));
	while (f && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(dash, " - %31s", type) != 1)
			continue;
		if (strcmp(type, "cgroup") == 0)
			m->v1 = true;
		/* A mount point with an escaped character (\040) is skipped:
		 * no group is ever looked for under a name we would misread. */
		if (strcmp(type, "cgroup2") || m->v2[0] || strchr(line, '\\') ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		snprintf(m->v2, sizeof(m->v2), "%s", mnt);
		snprintf(m->v2_root, sizeof(m->v2_root), "%s", root);
	}
	if (f)
		fclose(f);
}

/* Our own v2 group's directory: the mount point plus our path below the
 * mount's root ("0::/a/b" in /proc/self/cgroup). -ENOENT without one. */
static int v2_own_dir(const struct cg_mounts *m, const char *text, char *out, size_t cap)
{
	char own[PATH_MAX];
	size_t rl = strlen(m->v2_root);

	if (!m->v2[0] || own_path(text, "", own, sizeof(own)) < 0)
		return -ENOENT;
	if (strcmp(m->v2_root, "/") == 0)
		rl = 0;
	else if (strncmp(own, m->v2_root, rl) || (own[rl] && own[rl] != '/'))
		return -ENOENT;	/* our group is outside what this mount shows */
	if ((size_t)snprintf(out, cap, "%s%s", m->v2, strcmp(own + rl, "/") ? own + rl : "") >= cap)
		return -ENAMETOOLONG;
	return 0;
}

/* Is ctrl a word of dir/file ("cpu memory pids")? */
static bool lists(const char *dir, const char *file, const char *ctrl)
{
	char path[PATH_MAX], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "re")))
		return false;
	if (fgets(line, sizeof(line), f))
		for (char *save, *tok = strtok_r(line, " \n", &save); tok && !found;
		     tok = strtok_r(NULL, " \n", &save))
			found = strcmp(tok, ctrl) == 0;
	fclose(f);
	return found;
}

/* Whether v2 holds every limit the policy sets, below own: the parent
 * delegates the controllers (its subtree_control; enabling one is the
 * machine's decision, not ours), and this process may create a group
 * there and move a process into it (write access to the directory and to
 * our own cgroup.procs, the common ancestor the kernel checks for an
 * unprivileged caller). */
static bool v2_holds(const char *own, const struct sbx_limits *l)
{
	char procs[PATH_MAX + 16];

	if ((l->memory_mb >= 0 && !lists(own, "cgroup.subtree_control", "memory")) ||
	    (l->tasks >= 0 && !lists(own, "cgroup.subtree_control", "pids")))
		return false;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", own);
	return access(own, W_OK | X_OK) == 0 && access(procs, W_OK) == 0;
}

static void setup_v2(struct sbx_cgroup *cg, const struct sbx_limits *l, const char *own, pid_t id)
{
	char val[64];

	cg->version = 2;
	if (make_group(own, "/", id, cg->mem, sizeof(cg->mem)) < 0)
		return;
	/* One group for all three; a controller the parent does not
	 * delegate has no file here. */
	snprintf(cg->pids_dir, sizeof(cg->pids_dir), "%s", cg->mem);
	snprintf(cg->cpu_dir, sizeof(cg->cpu_dir), "%s", cg->mem);
	snprintf(val, sizeof(val), "%lld", (long long)(l->memory_mb * 1024 * 1024));
	cg->memory = l->memory_mb >= 0 && write_str(cg->mem, "memory.max", val) == 0;
	if (cg->memory)
		(void)write_str(cg->mem, "memory.swap.max", "0");
	snprintf(val, sizeof(val), "%lld", (long long)l->tasks);
	cg->pids = l->tasks >= 0 && write_str(cg->pids_dir, "pids.max", val) == 0;
	cg->cpu = l->cpu_seconds >= 0 && read_key(cg->cpu_dir, "cpu.stat", "usage_usec") >= 0;
	if (cg->memory || cg->pids || cg->cpu)
		cg->into_fd = open(cg->mem, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void sbx_cgroup_setup(struct sbx_cgroup *cg, const struct sbx_limits *l)
{
	struct cg_mounts m;
	char own[PATH_MAX], text[16384];
	bool wanted = l->memory_mb >= 0 || l->tasks >= 0 || l->cpu_seconds >= 0;

	memset(cg, 0, sizeof(*cg));
	cg->into_fd = cg->join_fd[0] = cg->join_fd[1] = cg->join_fd[2] = -1;
	cg->joined[0] = cg->joined[1] = -1;
	scan_mounts(&m);
	read_own(text, sizeof(text));
	/* v2 where it holds every limit; where v1 is all there is, or v2
	 * holds only part of them, v1 (migrated, slower to start). */
	if (wanted && v2_own_dir(&m, text, own, sizeof(own)) == 0 && (!m.v1 || v2_holds(own, l)))
		setup_v2(cg, l, own, gettid());
	else if (m.v1)
		setup_v1(cg, l, text, gettid());
	else
		cg->version = 2;
	if (!cg->memory && !cg->pids && !cg->cpu)
		snprintf(cg->reason, sizeof(cg->reason),
			 "no writable cgroup (v%d) under sandboxpy's own: limits fall back to rlimits",
			 cg->version);
}

int sbx_cgroup_attach(const struct sbx_cgroup *cg, pid_t pid)
{
	char val[32];
	int r = 0;

	snprintf(val, sizeof(val), "%d", pid);
	if (cg->memory && (r = write_str(cg->mem, "cgroup.procs", val)) < 0)
		return r;
	if (cg->pids && strcmp(cg->pids_dir, cg->mem) &&
	    (r = write_str(cg->pids_dir, "cgroup.procs", val)) < 0)
		return r;
	if (cg->cpu && strcmp(cg->cpu_dir, cg->mem) && strcmp(cg->cpu_dir, cg->pids_dir) &&
	    (r = write_str(cg->cpu_dir, "cgroup.procs", val)) < 0)
		return r;
	if (cg->version == 2 && !cg->memory && (cg->pids || cg->cpu))
		r = write_str(cg->pids_dir, "cgroup.procs", val);
	return r;
}

/* The groups in force, each once (v2: one directory for all). */
static size_t groups(const struct sbx_cgroup *cg, const char *dirs[3])
{
	size_t n = 0;

	if (cg->memory)
		dirs[n++] = cg->mem;
	if (cg->pids && (!n || strcmp(cg->pids_dir, dirs[0])))
		dirs[n++] = cg->pids_dir;
	if (cg->cpu && (!n || strcmp(cg->cpu_dir, dirs[0])) && (n < 2 || strcmp(cg->cpu_dir, dirs[1])))
		dirs[n++] = cg->cpu_dir;
	return n;
}

/* "tasks" takes one thread, "0" the writer: the kernel's
 * cgroup_procs_write_start (kernel/cgroup/cgroup.c) takes
 * cgroup_threadgroup_rwsem only when a pid or a whole thread group is
 * named; the child, one thread right after the clone, moves entirely. */
void sbx_cgroup_open_join(struct sbx_cgroup *cg)
{
	const char *dirs[3];
	size_t n = cg->version == 1 ? groups(cg, dirs) : 0;
	char path[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/tasks", dirs[i]);
		cg->join_fd[i] = open(path, O_WRONLY | O_CLOEXEC);
	}
	if (n && pipe2(cg->joined, O_CLOEXEC) < 0)
		cg->joined[0] = cg->joined[1] = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int sbx_cgroup_join(struct sbx_cgroup *cg)
{
	int r = 0;

	for (size_t i = 0; i < 3; i++) {
		if (cg->join_fd[i] < 0)
			continue;
		if (write(cg->join_fd[i], "0", 1) != 1 && !r)
			r = -errno;
		close(cg->join_fd[i]);
		cg->join_fd[i] = -1;
	}
	close_fd(&cg->joined[0]);
	close_fd(&cg->joined[1]);	/* the supervisor may look now */
	return r;
}

void sbx_cgroup_close_join(struct sbx_cgroup *cg)
{
	for (size_t i = 0; cg->version && i < 3; i++)
		close_fd(&cg->join_fd[i]);
	if (cg->version)
		close_fd(&cg->joined[1]);
}

void sbx_cgroup_wait_join(struct sbx_cgroup *cg, int timeout_ms)
{
	struct pollfd pf = { cg->joined[0], POLLIN, 0 };

	if (!cg->version || cg->joined[0] < 0)
		return;
	while (poll(&pf, 1, timeout_ms) < 0 && errno == EINTR)
		;
	close_fd(&cg->joined[0]);
}

bool sbx_cgroup_holds(const struct sbx_cgroup *cg, pid_t pid)
{
	const char *dirs[3];
	size_t n = groups(cg, dirs);
	char path[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		FILE *f;
		int p;
		bool in = false;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]);
		if (!(f = fopen(path, "re")))
			return false;
		while (!in && fscanf(f, "%d", &p) == 1)
			in = p == pid;
		fclose(f);
		if (!in)
			return false;
	}
	return n > 0;
}

double sbx_cgroup_cpu_seconds(const struct sbx_cgroup *cg)
{
	long long v;

	if (!cg->cpu)
		return -1;
	if (cg->version == 1)
		return (v = read_key(cg->cpu_dir, "cpuacct.usage", NULL)) < 0 ? -1 : (double)v / 1e9;
	return (v = read_key(cg->cpu_dir, "cpu.stat", "usage_usec")) < 0 ? -1 : (double)v / 1e6;
}

/* The most memory the run's group held at once, in kB: the kernel's own
 * high-water mark (v1 memory.max_usage_in_bytes, v2 memory.peak), which
 * outlives the processes, so it holds however the run ended. Read before
 * the group is removed. -1: no memory group, or a kernel without the file. */
long sbx_cgroup_peak_kb(const struct sbx_cgroup *cg)
{
	long long v;

	if (!cg->memory)
		return -1;
	v = read_key(cg->mem, cg->version == 1 ? "memory.max_usage_in_bytes" : "memory.peak", NULL);
	return v < 0 ? -1 : (long)(v / 1024);
}

long sbx_cgroup_oom_kills(const struct sbx_cgroup *cg)
{
	if (!cg->memory)
		return 0;
	return (long)read_key(cg->mem, cg->version == 1 ? "memory.oom_control" : "memory.events",
			      "oom_kill");
}

void sbx_cgroup_destroy(struct sbx_cgroup *cg)
{
	if (cg->version == 2 && cg->into_fd >= 0)
		close(cg->into_fd);
	sbx_cgroup_close_join(cg);
	if (cg->version)
		close_fd(&cg->joined[0]);
	/* Empty by now (the run's processes are reaped); rmdir only. */
	if (cg->mem[0])
		rmdir(cg->mem);
	if (cg->pids_dir[0] && strcmp(cg->pids_dir, cg->mem))
		rmdir(cg->pids_dir);
	if (cg->cpu_dir[0] && strcmp(cg->cpu_dir, cg->mem))
		rmdir(cg->cpu_dir);
	memset(cg, 0, sizeof(*cg));
}
