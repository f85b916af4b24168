/* zygote.c: the warm pool, in the interpreter's image (docs/performance.md,
 * "The warm pool"). The zygote is python3.11 with this runtime, started by
 * the supervisor (supervisor/pool.c) knowing nothing of any run: it
 * initialises the interpreter with the hook in place and no run's
 * configuration, says so, and from then on only clones. Per request one
 * worker, with the run's namespaces, as the supervisor's own child
 * (CLONE_PARENT), born in the run's cgroup v2 group where asked. A request
 * is a few flags and descriptors, cleared after use: the zygote never
 * holds a run's data, so no worker inherits anything of another run.
 *
 * A worker reads its whole plan from the supervisor on a socket of its own
 * (warm.c is the other end), joins its v1 groups, and goes the fresh
 * child's way (child.c) through the same steps; where the fresh child
 * would exec python3.11, it makes the interpreter it already has the
 * run's (rebase) and goes on as interp.c does. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_child_int.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The namespaces a request may ask for (supervisor/clone.c sbx_ns_plan). */
#define NS_FLAGS (CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWUSER)

struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		 set_tid, set_tid_size, cgroup;
};

/* One message and up to max descriptors; the count received in *nfd.
 * Descriptors beyond max, or a cut message, are closed and refused. */
static ssize_t recv_fds(int sock, void *buf, size_t len, int *fds, size_t max, size_t *nfd)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * SBX_WARM_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			      .msg_controllen = sizeof(u.b) };
	ssize_t n;

	*nfd = 0;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = n < 0 ? NULL : CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t k = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
				   ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
		int got[SBX_WARM_MAX_FDS];
		memcpy(got, CMSG_DATA(c), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (*nfd < max)
				fds[(*nfd)++] = got[i];
			else
				close(got[i]), n = -1;
		}
	}
	if (n >= 0 && (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		n = -1;
	explicit_bzero(&u, sizeof(u));
	return n;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- the worker ---- */

/* The plan's descriptors, where a fresh child would have had them. */
static int place_fds(struct sbx_child_plan *plan, const struct sbx_warm_msg *m, int *fds, size_t nfd,
		     int *join, int *joined)
{
	int *opt[10] = { &plan->stdio_fd[0], &plan->stdio_fd[1], &plan->stdio_fd[2],
			 &plan->ns.idmap_fd, &plan->ns.sync[0], &plan->ns.status[1],
			 &join[0], &join[1], &join[2], joined };
	size_t k = 2;

	if (nfd < 2)
		return -EPROTO;
	plan->chan_fd = fds[1];
	for (unsigned i = 0; i < 10; i++) {
		*opt[i] = -1;
		if (!(m->have & (1u << i)))
			continue;
		if (k >= nfd)
			return -EPROTO;
		*opt[i] = fds[k++];
	}
	return k == nfd ? 0 : -EPROTO;
}

static void set_mask(uint64_t bits)
{
	sigset_t mask;

	sigemptyset(&mask);
	for (int sig = 1; sig <= 64; sig++)
		if (bits & (1ull << (sig - 1)))
			sigaddset(&mask, sig);
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

/* cgroup v1: into the run's groups before anything else, as a fresh child
 * does (supervisor/cgroup.c sbx_cgroup_join); then "look now". */
static void join_groups(int *join, int joined)
{
	for (int i = 0; i < 3; i++)
		if (join[i] >= 0) {
			(void)!write(join[i], "0", 1);
			close(join[i]);
		}
	if (joined >= 0)
		close(joined);
}

/* The program's command line, as the fresh child shows it (child.c
 * exec_with_argv after the guard). */
static void show_command_line(const struct sbx_run_opts *o)
{
	const char **argv = calloc(o->n_args + 4, sizeof(*argv));

	if (argv)
		sbx_rt_show(argv, sbx_child_program_argv(o, argv, o->n_args + 4));
	free(argv);
}

/* With a memory cgroup holding the run to memory_mb, the pages the program
 * shares with the zygote are the zygote's charge, not the run's: a fresh
 * start's own would count against the limit. So each private writable page
 * still shared is copied now (MADV_POPULATE_WRITE, the kernel's own write
 * fault), in the run's cgroup, as a fresh start would have made it: the
 * limit then holds the program to what it held it to fresh. Mappings of
 * 64 MiB or more are reservations (the sanitizers' shadow), not the
 * interpreter's. /proc/self/pagemap: bit 63 present, 61 a file's page or
 * shared anonymous memory, 56 mapped by this process alone. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static void populate_range(int pm, uintptr_t lo, uintptr_t hi)
{
	uint64_t e[512];
	uintptr_t run = 0;

	for (uintptr_t a = lo; a < hi;) {
		size_t n = (hi - a) / 4096 < 512 ? (hi - a) / 4096 : 512;
		ssize_t got = pread(pm, e, n * 8, (off_t)(a / 4096 * 8));
		if (got <= 0)
			break;
		for (size_t i = 0; i < (size_t)got / 8; i++, a += 4096) {
			/* Present, anonymous (not a file's page: an unwritten
			 * page of a file mapping is the page cache's, fresh as
			 * warm), and not yet this process's alone. */
			bool shared = (e[i] >> 63 & 1) && !(e[i] >> 61 & 1) && !(e[i] >> 56 & 1);
			if (shared && !run)
				run = a;
			if (!shared && run) {
				madvise((void *)run, a - run, MADV_POPULATE_WRITE);
				run = 0;
			}
		}
	}
	if (run)
		madvise((void *)run, hi - run, MADV_POPULATE_WRITE);
}

static void own_shared_pages(void)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	char line[512], perm[8];
	unsigned long lo, hi;

	while (maps && pm >= 0 && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && strcmp(perm, "rw-p") == 0 &&
		    hi - lo < (64ul << 20))
			populate_range(pm, lo, hi);
	if (pm >= 0)
		close(pm);
	if (maps)
		fclose(maps);
}

static _Noreturn void worker_main(int sock)
{
	static struct sbx_rt_plan rp;	/* zero: never touched in the zygote */
	struct sbx_warm_msg m;
	int fds[SBX_WARM_MAX_FDS], join[3], joined;
	size_t nfd;
	unsigned flags;
	int ruleset;

	if (recv_fds(sock, &m, sizeof(m), fds, SBX_WARM_MAX_FDS, &nfd) != (ssize_t)sizeof(m) ||
	    m.magic != SBX_WARM_MAGIC || (m.have & ~(uint32_t)SBX_WARM_ALL) || nfd < 2 ||
	    sbx_rt_unpack(fds[0], &rp) < 0 || !rp.whole ||
	    place_fds(&rp.plan, &m, fds, nfd, join, &joined) < 0)
		_exit(SBX_EXIT_SETUP);
	close(fds[0]);
	close(sock);
	/* The zygote's own standard streams are not the run's: one the run
	 * does not have is closed, as it would be in a fresh child. */
	for (int i = 0; i < 3; i++)
		if (rp.plan.stdio_fd[i] < 0)
			close(i);
	join_groups(join, joined);
	set_mask(m.sigmask);
	umask((mode_t)m.umask & 07777);
	rp.plan.o = &rp.opts;
	if (rp.arena_max > 0)
		mallopt(M_ARENA_MAX, rp.arena_max);
#ifdef SBX_TEST_SWITCHES
	sbx_fault_injected = rp.fault;
#endif
	/* The init stays in this process; the program's comes back. */
	sbx_child_confine(&rp.plan, NULL, &flags, &ruleset);
	/* A fresh child's exec makes it dumpable again after it left root
	 * (its /proc/self is its own, /proc/self/mem readable by it); the
	 * worker has no exec to do it. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		sbx_child_fail(SBX_STEP_CAPS, errno, "dumpable");
	if (rp.plan.cg_memory)
		own_shared_pages();
	show_command_line(&rp.opts);
	rp.flags = flags;
	rp.ruleset = ruleset;
	/* After the fork of the init: CPython's own after-fork first. */
	sbx_interp_rebase(&rp.plan);
	sbx_interp_run(&rp);
}

/* ---- the zygote ---- */

static pid_t clone_worker(uint64_t flags, int cgroup_fd, bool *into)
{
	/* With CLONE_PARENT the kernel takes the exit signal from the
	 * zygote's own (SIGCHLD) and refuses any other. */
	struct clone_args_v2 a = { .flags = flags | CLONE_PARENT };
	pid_t pid = -1;

	*into = false;
	if (cgroup_fd >= 0) {
		a.flags |= CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)cgroup_fd;
		if ((pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a))) >= 0) {
			*into = true;
			return pid;
		}
		a.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		a.cgroup = 0;
	}
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

static int reply(int ctl, int err, pid_t pid, bool into)
{
	struct sbx_zygote_rep r = { .magic = SBX_ZYGOTE_MAGIC, .err = err, .pid = pid, .into = into };
	int ok = send(ctl, &r, sizeof(r), MSG_NOSIGNAL) == (ssize_t)sizeof(r) ? 0 : -1;

	/* A worker's host pid is not the next worker's to find. */
	explicit_bzero(&r, sizeof(r));
	return ok;
}

/* One request: 0, or -1 when the zygote must end (the supervisor closed
 * its end, or spoke out of turn). */
static int serve(int ctl)
{
	struct sbx_zygote_req req;
	int fds[2] = { -1, -1 };
	size_t nfd;
	ssize_t n = recv_fds(ctl, &req, sizeof(req), fds, 2, &nfd);
	bool into = false;
	pid_t pid;
	int r = 0;

	if (n == 0)
		return -1;
	if (n != (ssize_t)sizeof(req) || req.magic != SBX_ZYGOTE_MAGIC || req.into > 1 ||
	    nfd != 1 + req.into || (req.flags & ~(uint64_t)NS_FLAGS) || !(req.flags & CLONE_NEWPID)) {
		close_all(fds, nfd);
		return -1;
	}
	/* Only the worker is dumpable (a fresh child is, after its exec): the
	 * supervisor writes its user namespace's maps through /proc. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	pid = clone_worker(req.flags, req.into ? fds[1] : -1, &into);
	if (pid != 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (pid == 0) {
		close(ctl);
		if (req.into)
			close(fds[1]);
		worker_main(fds[0]);
	}
	if (reply(ctl, pid < 0 ? errno : 0, pid < 0 ? 0 : pid, into) < 0)
		r = -1;
	close_all(fds, nfd);
	explicit_bzero(&req, sizeof(req));
	return r;
}

_Noreturn void sbx_zygote_main(int ctl)
{
	sigset_t all;

	/* No signal reaches the interpreter here: a handler that ran would
	 * leave its flag set in every worker to come. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* No process of the same uid reads or writes the zygote's memory
	 * (every run to come is forked from it). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(SBX_EXIT_SETUP);
	sbx_interp_zygote_start();
	if (reply(ctl, 0, getpid(), false) < 0)
		_exit(SBX_EXIT_SETUP);
	while (serve(ctl) == 0)
		;
	_exit(0);
}
