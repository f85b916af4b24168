/* run.c: the supervisor's life cycle: plan the layers and open what the
 * run needs, clone the child and release it (the seccomp filter is built
 * while it starts), then one poll loop over the channel, the seccomp
 * listener, a pidfd, a timerfd and a signalfd; reap and measure; kill
 * whatever is left; write the report on every path out. It never blocks
 * on the child. The records, the outcome and the report are in run_*.c
 * and report.c (sbx_run.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_landlock.h"
#include "sbx_diag.h"
#include "sbx_match.h"
#include "sbx_spawn.h"
#include "sbx_run.h"

const char *sbx_status_name(enum sbx_status s)
{
	static const char *const names[] = {
		[SBX_ST_OK] = "ok", [SBX_ST_ERROR] = "error", [SBX_ST_TIMEOUT] = "timeout",
		[SBX_ST_MEMORY] = "memory", [SBX_ST_OUTPUT] = "output",
		[SBX_ST_VIOLATION] = "violation", [SBX_ST_SIGNAL] = "signal",
		[SBX_ST_INTERNAL] = "internal",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "internal";
}

/* policy.md: a write entry may not exist yet. Landlock confines only what
 * exists when the ruleset is made, so a missing entry is made here, as an
 * empty directory the program can fill (docs/policy.md). One that cannot
 * be made stays missing, and writes there are refused. */
static void make_missing_writes(struct sup *s)
{
	const struct sbx_strv *w = &s->p->fs.write;
	struct stat st;

	for (size_t i = 0; i < w->n; i++) {
		if (lstat(w->v[i], &st) == 0 || errno != ENOENT)
			continue;
		if (mkdir(w->v[i], 0755) == 0) {
			/* Made for the sandbox: its uid's, never root's (plan.c). */
			if (geteuid() == 0)
				(void)!chown(w->v[i], SBX_SANDBOX_ID, SBX_SANDBOX_ID);
			json_array_append_new(s->created, sbx_jstr(w->v[i]));
		} else {
			sbx_say(s->o, SBX_MSG_WARNING, "cannot make the write directory %s: %s", w->v[i],
				strerror(errno));
		}
	}
}

/* The channel goes to descriptor 3 in the child, unless this supervisor
 * runs inside another sandboxpy, whose filter refuses to let anything be
 * put at its own channel's number (3, or more when nested deeper): then
 * the first number such a dup2 is not refused for. The probe puts a copy
 * of a descriptor over itself or over a free slot, and undoes it. */
static int pick_chan_no(void)
{
	if (prctl(PR_GET_SECCOMP) != 2)
		return 3;
	for (int fd = 3; fd < 16; fd++) {
		int flags = fcntl(fd, F_GETFD), copy = dup(flags >= 0 ? fd : 0), r;
		if (copy < 0)
			return 3;
		r = dup2(copy, fd);
		if (r >= 0 && flags < 0)
			close(fd);
		else if (r >= 0)
			fcntl(fd, F_SETFD, flags);	/* dup2 cleared FD_CLOEXEC */
		close(copy);
		if (r >= 0)
			return fd;
	}
	return 3;
}

/* A child that was cloned but never released: it has run nothing of its
 * own, it is waiting for the supervisor's byte. */
static void abandon_child(struct sup *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}
void sbx_result_free(struct sbx_result *res)
{
	if (!res)
		return;
	free(res->report_json);
	res->report_json = NULL;
}

/* ---- the last-resort parent's page (guard.c) ---- */

/* What the run leaves on the host, as far as it is known yet; state
 * SBX_GUARD_RUNNING from just before the clone. */
static void guard_note(struct sbx_guard *g, const struct sup *s, int state)
{
	if (!g)
		return;
	snprintf(g->cgroup[0], sizeof(g->cgroup[0]), "%s", s->cg.mem);
	snprintf(g->cgroup[1], sizeof(g->cgroup[1]), "%s", s->cg.pids_dir);
	snprintf(g->cgroup[2], sizeof(g->cgroup[2]), "%s", s->cg.cpu_dir);
	snprintf(g->tmpdir, sizeof(g->tmpdir), "%s", s->plan.tmpdir ? s->plan.tmpdir : "");
	snprintf(g->policy_dir, sizeof(g->policy_dir), "%s", s->plan.policy_dir ? s->plan.policy_dir : "");
	if (state)
		g->state = state;
}

void sbx_kill_run(struct sup *s)
{
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
}

/* A reader of our stderr that went away makes the copy fail with EPIPE,
 * not kill the supervisor: SIGPIPE is held in this thread during the run
 * and one raised by it dropped at the end. The process's disposition,
 * which belongs to a library's caller, is left alone. */
static bool block_sigpipe(void)
{
	sigset_t p, pend;

	sigemptyset(&p);
	sigaddset(&p, SIGPIPE);
	sigpending(&pend);
	sigprocmask(SIG_BLOCK, &p, NULL);
	return sigismember(&pend, SIGPIPE) == 1;
}

static void drop_sigpipe(bool was_pending)
{
	struct timespec zero = { 0, 0 };
	sigset_t p, pend;

	sigemptyset(&p);
	sigaddset(&p, SIGPIPE);
	if (!was_pending && sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1)
		sigtimedwait(&p, NULL, &zero);
}

/* ---- before the clone ---- */

static void sup_init(struct sup *s, struct sbx_result *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	sbx_events_open(s);
	if (getrandom(&s->nonce, sizeof(s->nonce), 0) != (ssize_t)sizeof(s->nonce))
		s->nonce = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	s->errors = json_array();
	s->would_by_rule = json_object();
	s->created = json_array();
	/* Closed at the end: none is the caller's before the plan is made. */
	s->plan.stdio_fd[0] = s->plan.stdio_fd[1] = s->plan.stdio_fd[2] = -1;
	sigemptyset(&s->mask);
	sigaddset(&s->mask, SIGINT);
	sigaddset(&s->mask, SIGTERM);
	sigaddset(&s->mask, SIGHUP);
	sigprocmask(SIG_BLOCK, NULL, &s->oldmask);
}

/* cli.md: a required layer that cannot be set up is exit 125 before
 * anything runs. */
static int plan_layers(struct sup *s, struct sbx_ns *ns, struct sbx_error *err)
{
	s->ll_abi = sbx_landlock_abi();
	if (s->ll_abi <= 0)
		snprintf(s->ll_reason, sizeof(s->ll_reason), "the kernel has no Landlock (%s)",
			 s->ll_abi == -EOPNOTSUPP ? "disabled at boot" : strerror(-s->ll_abi));
	if ((s->o->require & SBX_LAYER_LANDLOCK) && s->ll_abi <= 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--require: the landlock layer is not available: %s",
			     s->ll_reason);
		return -ENOTSUP;
	}
	sbx_ns_plan(s->p, ns);
	if (s->o->audit_only) {
		/* Nothing refused by the policy: the host's network (connects
		 * are recorded against the policy, then made). The identity
		 * stays: started as root, the program still runs as
		 * sandboxpy's uid, so what it may touch is an unprivileged
		 * user's, never root's (docs/authoring.md). */
		ns->net = SBX_NET_HOST;
		ns->flags &= ~(unsigned long)CLONE_NEWNET;
	}
	if ((s->o->require & SBX_LAYER_NETNS) && ns->net == SBX_NET_HOST) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--require: the netns layer is not available: the "
			     "policy names hosts outside, so the sandbox uses the host's network");
		return -ENOTSUP;
	}
	return 0;
}

/* Started as root, the root-owned trees on the way to the policy's paths
 * are mounted idmapped: their user namespace is made now. */
static int plan_idmap(struct sup *s, struct sbx_error *err)
{
	/* --audit-only (and so --learn): the working directory is bound
	 * like a write tree (child.c), so the way to it must be passable;
	 * idmapped trees are only ever read-only (ns.c). */
	char *aw[66], **wv = s->plan.write_v;
	struct sbx_ns *ns = &s->plan.ns;
	size_t n = 0;

	if (s->o->audit_only) {
		for (char **v = s->plan.write_v; v && *v && n < 64; v++)
			aw[n++] = *v;
		aw[n++] = (char *)s->p->cwd;
		aw[n] = NULL;
		wv = aw;
	}
	ns->n_idmap = sbx_ns_idmap_plan(ns, s->plan.read_v, wv, s->plan.exec_v, s->p->cwd,
					s->o->audit_only, ns->idmap, 8);
	ns->idmap_fd = -1;
	if (!ns->n_idmap)
		return 0;
	ns->idmap_fd = sbx_ns_idmap_userns(ns);
	if (ns->idmap_fd >= 0)
		return 0;
	sbx_diag_add(err, NULL, 0, 0, NULL, "cannot make the user namespace that gives uid %u access to %s: %s",
		     (unsigned)ns->uid, ns->idmap[0], strerror(-ns->idmap_fd));
	return ns->idmap_fd;
}

/* What the child is given: its plan, cgroups, descriptors. */
static int plan_child(struct sup *s, const struct sbx_ns *ns, struct sbx_error *err)
{
	int rc;

	sbx_cgroup_setup(&s->cg, &s->p->limits);
	guard_note(s->o->guard, s, 0);
	/* The filter is compiled once the child runs, while it starts its
	 * interpreter; its channel descriptor is decided now. */
	s->chan_no = pick_chan_no();
	make_missing_writes(s);
	rc = sbx_child_plan_build(&s->plan, s->p, s->o, err);
	guard_note(s->o->guard, s, 0);
	if (rc < 0)
		return rc;
	s->plan.seccomp = NULL;	/* sent on the channel (sbx_seccomp_send) */
	s->plan.chan_no = s->chan_no;
	s->plan.landlock_abi = s->ll_abi;
	s->plan.ns = *ns;
	s->ns_set = true;
	rc = plan_idmap(s, err);
	s->plan.cg_memory = s->cg.memory;
	s->plan.cg_pids = s->cg.pids;
	return rc;
}

static int open_channel(struct sup *s, struct sbx_error *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		int rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot create the channel: %s", strerror(errno));
		return rc;
	}
	s->chan = sv[0];
	s->chan_child = sv[1];
	/* The run's channel key: records without it are forgeries. */
	if (getrandom(s->plan.hook.chan_key, sizeof(s->plan.hook.chan_key), 0) !=
	    (ssize_t)sizeof(s->plan.hook.chan_key)) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot draw the channel's key: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Everything before the clone; a failure here ran nothing. */
static int prepare(struct sup *s, struct sbx_error *err)
{
	struct sbx_ns ns;
	int rc;

	if ((rc = plan_layers(s, &ns, err)) < 0 || (rc = plan_child(s, &ns, err)) < 0 ||
	    (rc = sbx_open_streams(s, err)) < 0 || (rc = open_channel(s, err)) < 0)
		return rc;
	if (s->ll_abi <= 0)
		sbx_say(s->o, SBX_MSG_WARNING, "landlock is not in force: %s", s->ll_reason);
	return 0;
}

/* ---- the clone and the release ---- */

/* Without a PID namespace (the kernel refused it), orphans of the run
 * must come back to us so that none is left behind. Nothing of the
 * program runs before our "go", so the child is the run's only process
 * yet; the caller's other children are not the run's. */
static void become_subreaper(struct sup *s)
{
	int was = 0;
	size_t n;

	prctl(PR_GET_CHILD_SUBREAPER, &was);
	s->restore_subreaper = !was;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	n = sbx_children_of(getpid(), s->host_kids, SBX_HOST_KIDS);
	for (size_t i = 0; i < n; i++)
		if (s->host_kids[i] != s->pid)
			s->host_kids[s->n_host_kids++] = s->host_kids[i];
	s->sweep = true;
}

/* A failure once the child exists, before it was let go: it has run
 * nothing of its own. */
static int fail_started(struct sup *s, int rc)
{
	abandon_child(s);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	return rc;
}

/* The filter, built once, while the child starts; it loads it as its last
 * step before READY. The seccomp layer is always required (cli.md):
 * without it the child gets nothing and ends. Then the cgroups: the child
 * is in them by now (cloned into its v2 group, or joined its v1 groups as
 * its first act); sbx_attach_start checks, and moves it where it is not. */
static int send_filter(struct sup *s, struct sbx_error *err)
{
	int rc = sbx_seccomp_build(s->p, s->chan_no, sbx_unmeasured_memory(s) ? SBX_SC_MEMFD_UNBOUNDED : 0,
				   &s->sc, err);

	/* EPIPE: the child is gone already (a required layer failed); its
	 * own record says why, and the loop reads it. */
	if (rc == 0 && (rc = sbx_seccomp_send(s->sc, s->chan)) < 0 && rc != -EPIPE)
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot send the seccomp filter: %s", strerror(-rc));
	if (rc == -EPIPE)
		rc = 0;
	if (rc < 0)
		return rc;
	rc = sbx_attach_wait(s, sbx_attach_start(s));
	if (rc == -ESRCH)
		rc = 0;		/* gone already: as above */
	if (rc < 0)
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot put the sandbox in its cgroup: %s", strerror(-rc));
	return rc;
}

/* Released first: the child sets itself up and starts the interpreter
 * while we build its filter. It is in the run's cgroups from its first
 * instructions: cloned into them (v2) or joining them itself (v1: a
 * thread moving itself skips the lock whose writers wait for an RCU grace
 * period, docs/performance.md). The program itself waits for our "go",
 * sent on READY, which comes after the check (send_filter): it never runs
 * a single instruction outside its cgroups. */
static int release_child(struct sup *s, struct sbx_error *err)
{
	int rc;

	/* cli.md: a required layer that is missing is exit 125 before
	 * anything runs; the child is still waiting for our byte. */
	if ((s->o->require & SBX_LAYER_NETNS) && !(s->plan.ns.flags & CLONE_NEWNET)) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "--require: the netns layer is not available: %s",
			     s->plan.ns.reason[0] ? s->plan.ns.reason
			     : "the policy names hosts outside, so the sandbox uses the host's network");
		return fail_started(s, -ENOTSUP);
	}
	rc = sbx_ns_release(&s->plan.ns, s->pid);
	if (rc < 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot set up the user namespace: %s", strerror(-rc));
		return fail_started(s, rc);
	}
	if ((rc = send_filter(s, err)) < 0)
		return fail_started(s, rc);
	if (s->plan.ns.reason[0])
		sbx_say(s->o, SBX_MSG_WARNING, "namespaces are not in force: %s", s->plan.ns.reason);
	sbx_keep_streams(s);
	for (int i = 0; i < 3; i++)
		if (s->plan.stdio_fd[i] >= 0) {
			close(s->plan.stdio_fd[i]);
			s->plan.stdio_fd[i] = -1;
		}
	return 0;
}

/* Whether the pool can give this run its interpreter: a PID namespace
 * (the program is then forked by the init, as glibc forks) and options
 * the worker reproduces exactly (sbx_pool_fits); else why not. */
static const char *pool_refuses(const struct sup *s)
{
	const struct sbx_run_opts *o = s->o;
	const char *why = NULL;
	/* "python3.11", "-c" or "-m", the program, each with its NUL. */
	size_t room = 16 + (o->program ? strlen(o->program) : 0);

	if (!(s->plan.ns.flags & CLONE_NEWPID))
		return "no PID namespace";
	/* The stack limit at the exec lays out the address space: the
	 * zygote's was 8 MB, which gives the layout of any limit up to here. */
	if (s->p->limits.stack_mb < 0 || s->p->limits.stack_mb > SBX_POOL_STACK_MB)
		return "the stack limit shapes the address space";
	for (size_t i = 0; i < o->n_args; i++)
		room += strlen(o->args[i]) + 1;
	if (room > sbx_pool_show_room())
		return "the command line is too long";
	return sbx_pool_fits(s->p, o, s->plan.envp, &why) ? NULL : why;
}

static void close_pair(int *v)
{
	for (int i = 0; i < 2; i++)
		if (v[i] >= 0)
			close(v[i]);
	v[0] = v[1] = -1;
}

/* The child from the warm pool: the zygote clones it as our child, and it
 * gets the whole plan and the descriptors a fresh child inherits on its
 * own socket. -errno: the run starts fresh instead. */
static pid_t start_warm(struct sup *s)
{
	struct sbx_ns *ns = &s->plan.ns;
	struct sbx_warm_fds f;
	int sock, r;
	pid_t pid;

	if ((s->cold_why = pool_refuses(s)))
		return -ENOTSUP;
	if (pipe2(ns->sync, O_CLOEXEC) < 0 || pipe2(ns->status, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	if ((pid = sbx_pool_clone(s->o->pool, ns, s->cg.into_fd, &s->cg.into, &sock)) < 0) {
		r = pid;
		if (r == -ECHILD)
			s->cold_why = "the pool belongs to another process (a threaded caller's runs go "
				      "through a worker process)";
		goto fail;
	}
	f = (struct sbx_warm_fds){
		.chan = s->chan_child, .idmap = ns->n_idmap ? ns->idmap_fd : -1,
		.sync_rd = ns->sync[0], .status_wr = ns->status[1], .joined_wr = s->cg.joined[1],
	};
	/* A stream the run inherits is ours now, not the zygote's (which is
	 * ours from when the pool was opened). */
	for (int i = 0; i < 3; i++) {
		f.stdio[i] = s->plan.stdio_fd[i] >= 0 ? s->plan.stdio_fd[i] : fcntl(i, F_GETFD) >= 0 ? i : -1;
		f.join[i] = s->cg.join_fd[i];
	}
	r = sbx_warm_send(sock, &s->plan, &f, &s->oldmask);
	close(sock);
	if (r == 0) {
		s->warm = true;
		return pid;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
fail:
	if (!s->cold_why)
		s->cold_why = "the warm pool failed";
	s->cg.into = false;
	close_pair(ns->sync);
	close_pair(ns->status);
	return r;
}

static int start_child(struct sup *s, struct sbx_error *err)
{
	int rc;

	sigprocmask(SIG_BLOCK, &s->mask, &s->oldmask);
	s->pipe_was_pending = block_sigpipe();
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	s->started = time(NULL);
	guard_note(s->o->guard, s, SBX_GUARD_RUNNING);
	sbx_attach_prepare(s);
	/* Subscribed before the child exists: its first refusal may come
	 * at once, and the group gives nothing sent before. */
	sbx_lla_open(s);
	s->pid = s->o->pool ? start_warm(s) : -1;
	if (s->pid < 0)
		s->pid = sbx_ns_clone(&s->plan.ns, s->cg.into_fd, &s->cg.into);
	if (s->pid < 0) {
		rc = s->pid;
		s->pid = 0;
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the sandbox: %s", strerror(-rc));
		return rc;
	}
	if (s->pid == 0) {
		/* First: into the run's v1 groups, before this process does
		 * or forks anything (a refusal is the supervisor's to see). */
		(void)sbx_cgroup_join(&s->cg);
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
		close(s->chan);
		s->plan.chan_fd = s->chan_child;
		sbx_child_main(&s->plan);
	}
	if (s->o->guard)
		s->o->guard->sandbox = s->pid;
	sbx_lla_started(s);
	if (!(s->plan.ns.flags & CLONE_NEWPID))
		become_subreaper(s);
	/* chan_child stays open here until the end: the channel then never
	 * reads as closed while we live, and an end of file on it can only
	 * be the sandbox shutting it down (sbx_drain_channel). */
	if ((rc = release_child(s, err)) == 0)
		sbx_lla_ask(s);	/* off the child's path: it sets itself up meanwhile */
	return rc;
}

/* ---- the watch ---- */

static bool wants_ticks(const struct sup *s)
{
	return s->cg.cpu || s->o->audit_only || s->p->limits.cpu_seconds >= 0 || sbx_unmeasured_memory(s);
}

/* A pidfd for the end, a signalfd, the wall clock's watchdog, and a tick
 * for the CPU time of the whole sandbox, every process of it (the
 * cgroup's counter, or the tree from /proc without one), read ten times a
 * second. */
static int watch(struct sup *s, struct sbx_error *err)
{
	int e;

	s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	s->sfd = signalfd(-1, &s->mask, SFD_CLOEXEC | SFD_NONBLOCK);
	/* The wall clock counts from the clone, as it always has. */
	if (s->pidfd >= 0 && s->p->limits.wall_seconds >= 0) {
		int r = sbx_watchdog_start(&s->wd, &s->t0, s->p->limits.wall_seconds + s->p->limits.extra_seconds,
					   s->pidfd, s->pid);
		if (r < 0) {
			close(s->pidfd);
			s->pidfd = -1;
			errno = -r;	/* for the message below */
		}
	}
	if (wants_ticks(s)) {
		/* --audit-only also samples what the run holds (for --learn):
		 * short runs too, first at 10 ms, then every 50 ms. */
		struct itimerspec its = { { 0, 100000000 }, { 0, 100000000 } };
		if (s->o->audit_only) {
			its.it_value.tv_nsec = 10000000;
			its.it_interval.tv_nsec = 50000000;
		}
		s->ctfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->ctfd >= 0)
			timerfd_settime(s->ctfd, 0, &its, NULL);
	}
	if (s->pidfd >= 0 && s->sfd >= 0 && (!wants_ticks(s) || s->ctfd >= 0))
		return 0;
	e = errno;
	sbx_diag_add(err, NULL, 0, 0, NULL, "cannot watch the child: %s", strerror(e));
	sbx_kill_run(s);
	return -e;
}

/* The tick: --audit-only's samples, and the limits the supervisor
 * measures itself. */
static void on_tick(struct sup *s)
{
	const struct sbx_limits *l = &s->p->limits;
	uint64_t n;

	(void)!read(s->ctfd, &n, sizeof(n));
	if (s->o->audit_only)
		sbx_sample_usage(s);
	if (sbx_unmeasured_memory(s) && !s->mem_exceeded && sbx_tree_memory_mb(s->pid) >= l->memory_mb) {
		s->mem_exceeded = true;
		sbx_kill_run(s);
	}
	if (l->cpu_seconds >= 0 && !s->cpu_exceeded && sbx_sandbox_cpu(s) >= l->cpu_seconds + l->extra_seconds) {
		s->cpu_exceeded = true;
		sbx_kill_run(s);
	}
}

static void on_signals(struct sup *s)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGINT && !s->got_signal) {
			/* Ctrl-C: the program gets KeyboardInterrupt, as in python3. */
			kill(-s->pid, SIGINT);
		} else {
			s->got_signal = (int)si.ssi_signo;
			sbx_kill_run(s);
		}
	}
}

/* Until the child's end; 0, or -errno when the loop itself failed. */
static int poll_loop(struct sup *s, struct sbx_error *err)
{
	for (;;) {
		struct pollfd pf[7] = {
			{ s->chan_eof ? -1 : s->chan, POLLIN, 0 }, { s->pidfd, POLLIN, 0 },
			{ s->relay_rd, POLLIN, 0 }, { s->sfd, POLLIN, 0 },
			{ s->listener, POLLIN, 0 }, { s->ctfd, POLLIN, 0 },
			{ s->lla.on ? s->lla.fd : -1, POLLIN, 0 },
		};
		if (poll(pf, 7, -1) < 0) {
			int rc = -errno;
			if (errno == EINTR)
				continue;
			sbx_diag_add(err, NULL, 0, 0, NULL, "poll: %s", strerror(errno));
			kill(-s->pid, SIGKILL);
			return rc;
		}
		/* What the program wrote before it sent a record or made a
		 * notified call is in its stderr pipe already: copied first,
		 * so that our line does not come before it. */
		if ((pf[0].revents || (pf[4].revents & POLLIN)) && s->relay_rd >= 0 &&
		    !sbx_fault("supervisor-crash"))
			sbx_relay_copy(s, false);
		if (pf[0].revents)
			sbx_drain_channel(s, s->chan);
		if (pf[4].revents & POLLIN) {
			sbx_on_notify(s);
		} else if (pf[4].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			close(s->listener);
			s->listener = -1;
		}
		if (pf[2].revents && sbx_fault("supervisor-crash"))
			abort();	/* sandboxpy-faults: the guard's test, on the program's first stderr write */
		if (pf[2].revents)
			sbx_relay_copy(s, false);
		if (pf[5].revents & POLLIN)
			on_tick(s);
		if (pf[6].revents & POLLIN)
			sbx_lla_read(s);
		if (pf[3].revents & POLLIN)
			on_signals(s);
		if (pf[1].revents & POLLIN)
			return 0;
	}
}

/* ---- the end ---- */

/* The child reaped, everything else of the run killed, what is still in
 * the channel and the listener read. */
static void reap(struct sup *s, struct sbx_result *res)
{
	/* The watchdog ends before the child is reaped: it kills by pid. */
	s->timed_out = sbx_watchdog_stop(&s->wd);
	if (s->pidfd >= 0 && wait4(s->pid, &s->wstatus, WNOHANG, &s->ru) == s->pid)
		s->reaped = true;
	res->wall_s = sbx_since(&s->t0);
	/* Records sent just before the end are still in the socket. */
	for (int i = 0; i < 64 && !s->chan_eof && sbx_drain_channel(s, s->chan); i++)
		;
	sbx_drain_notify(s);
	if (!s->reaped && s->pid > 0) {
		sbx_kill_run(s);
		if (wait4(s->pid, &s->wstatus, 0, &s->ru) == s->pid)
			s->reaped = true;
	}
	sbx_lla_drain(s);
	/* In a PID namespace the supervisor's child is the init: the
	 * program's own status comes on the status pipe (the init's exit
	 * says nothing), unless the init itself was killed first. */
	if (s->reaped && (s->plan.ns.flags & CLONE_NEWPID) && s->plan.ns.status[0] >= 0) {
		int st;
		if (read(s->plan.ns.status[0], &st, sizeof(st)) == (ssize_t)sizeof(st))
			s->wstatus = st;
	}
	/* Everything else of the run: its process group, then orphans. */
	if (s->pid > 0)
		kill(-s->pid, SIGKILL);
	if (s->sweep)
		sbx_sweep(getpid(), s->host_kids, s->n_host_kids);
}

/* limits.extra_seconds: the run was ended only at the limit plus the
 * grace, but a run that went past the limit itself is still a timeout,
 * even one that ended by itself within the grace (isolate's
 * --extra-time); the report gives the time used. */
static void past_limits(struct sup *s, struct sbx_result *res)
{
	const struct sbx_limits *l = &s->p->limits;
	double cpu = (double)s->ru.ru_utime.tv_sec + (double)s->ru.ru_utime.tv_usec / 1e6 +
		     (double)s->ru.ru_stime.tv_sec + (double)s->ru.ru_stime.tv_usec / 1e6;

	if (s->cg.cpu || s->tree_cpu > 0)
		cpu = fmax(cpu, s->cg.cpu ? sbx_cgroup_cpu_seconds(&s->cg) : s->tree_cpu);
	if (l->cpu_seconds >= 0 && cpu > l->cpu_seconds)
		s->cpu_exceeded = true;
	if (l->wall_seconds >= 0 && res->wall_s > l->wall_seconds)
		s->timed_out = true;
}

static void end_run(struct sup *s, struct sbx_result *res)
{
	const struct sbx_limits *l = &s->p->limits;

	reap(s, res);
	sbx_relay_copy(s, true);
	sbx_measure_streams(s);
	if (WIFSIGNALED(s->wstatus) && WTERMSIG(s->wstatus) == SIGXFSZ)
		sbx_measure_write_tree(s);
	s->oom_kills = sbx_cgroup_oom_kills(&s->cg);
	if (!s->cpu_exceeded && s->cg.cpu && l->cpu_seconds >= 0 &&
	    sbx_cgroup_cpu_seconds(&s->cg) >= l->cpu_seconds && WIFSIGNALED(s->wstatus))
		s->cpu_exceeded = true;	/* passed the limit between two reads */
	if (l->extra_seconds > 0)
		past_limits(s, res);
	sbx_decide(s, s->wstatus, &s->ru, res);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* What the run made and holds, undone on every way out (the report is
 * written before). The signals stay blocked until the run's cgroups and
 * files are gone: a SIGTERM that arrives now is delivered on return,
 * after the clean-up, not in the middle of it. */
static void sup_release(struct sup *s)
{
	if (s->plan.tmpdir)
		sbx_rmtree(s->plan.tmpdir);
	if (s->plan.policy_dir)
		sbx_rmtree(s->plan.policy_dir);	/* the inherited policy (plan.c) */
	sbx_watchdog_stop(&s->wd);
	for (int i = 0; i < 3; i++) {
		close_fd(&s->plan.stdio_fd[i]);
		close_fd(&s->out_fd[i]);
	}
	close_fd(&s->chan);
	close_fd(&s->chan_child);
	close_fd(&s->pidfd);
	close_fd(&s->relay_rd);
	close_fd(&s->ctfd);
	close_fd(&s->sfd);
	sbx_log_close(s);
	close_fd(&s->listener);
	sbx_lla_close(s);
	for (int i = 0; s->ns_set && i < 2; i++) {
		close_fd(&s->plan.ns.sync[i]);
		close_fd(&s->plan.ns.status[i]);
	}
	if (s->ns_set)
		close_fd(&s->plan.ns.idmap_fd);
	sbx_seccomp_free(s->sc);
	sbx_cgroup_destroy(&s->cg);
	if (s->ev_file)
		fclose(s->ev_file);
	json_decref(s->errors);
	json_decref(s->would_by_rule);
	json_decref(s->created);
	json_decref(s->killed_by);
	sbx_child_plan_free(&s->plan);
	if (s->o->guard)
		s->o->guard->state = SBX_GUARD_CLEAN;
	drop_sigpipe(s->pipe_was_pending);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
}

static void failed(struct sbx_result *res, const struct sbx_error *err, const char *what)
{
	res->status = SBX_ST_INTERNAL;
	res->cli_status = 125;
	if (err && err->n && !what)
		sbx_error_format(err, 0, res->message, sizeof(res->message));
	else
		snprintf(res->message, sizeof(res->message), "sandboxpy failed %s",
			 what ? what : "before the program could run");
}

int sbx_run_here(const struct sbx_policy *p, const struct sbx_run_opts *o,
		 struct sbx_result *res, struct sbx_error *err)
{
	struct sup s __attribute__((cleanup(sup_release))) = {
		.p = p, .o = o, .listener = -1, .chan = -1, .chan_child = -1, .relay_rd = -1,
		.out_fd = { -1, -1, -1 }, .pidfd = -1, .sfd = -1, .ctfd = -1,
		.pipe_was_pending = true, .lla = { .fd = -1, .state_fd = -1 },
	};
	int rc;

	sup_init(&s, res);
	rc = prepare(&s, err);
	if (rc == 0)
		rc = start_child(&s, err);
	if (rc < 0) {
		failed(res, err, NULL);
	} else {
		rc = watch(&s, err);
		if (rc == 0)
			rc = poll_loop(&s, err);
		end_run(&s, res);
		if (rc < 0)
			failed(res, err, "while supervising the run");
	}
	if (s.restore_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	sbx_finish(&s, res, err);
	return rc;
}
