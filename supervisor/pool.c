/* pool.c: the warm pool's supervisor side (sandboxpy.h, sbx_pool_*): the
 * zygote started (Debian's python3.11 with sandboxpy's runtime in its
 * zygote mode, child/zygote.c) and waited for until its interpreter is
 * up, asked for each run's first process (sbx_pool_clone), and ended. The
 * zygote is this process's child and clones each worker as this process's
 * child too (CLONE_PARENT): the run is supervised exactly as a fresh one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandboxpy.h"
#include "sbx_channel.h"
#include "sbx_diag.h"
#include "sbx_spawn.h"

/* Room in the zygote's command line for a run's (child/rt.c sbx_rt_show):
 * a longer one runs fresh (run.c). */
#define SHOW_ROOM 16384
#define READY_MS 20000
/* A zygote answers a clone at once; one that does not (stopped, frozen
 * with its cgroup) is killed, and this run and every later one start
 * fresh rather than wait with the run's signals blocked. */
#define CLONE_MS 5000

struct sbx_pool {
	pid_t pid;		/* the zygote */
	pid_t owner;		/* its parent: only it can be the worker's */
	int ctl;		/* the zygote's control socket; -1: gone */
};

struct zygote_exec {
	int loader, python, rt;
	char py[32], preload[8192];
	char *pad;
};

/* In the forked child: the descriptors where the command line names
 * them (3 the socket, 4-6 the files), nothing else; then the exec. */
static _Noreturn void exec_zygote(int ctl, const struct zygote_exec *x, pid_t parent)
{
	static const char *const guard[] = { SBX_RT_ARGV_GUARD };
	const char *argv[16];
	char *envp[] = { NULL };
	int src[4] = { ctl, x->loader, x->python, x->rt };
	size_t n = 0;

	/* A fresh child's stack limit before its exec: 8 MB (the policy's
	 * default) lays out the address space as any run up to
	 * SBX_POOL_STACK_MB would get it; runs with more start fresh. */
	struct rlimit stack;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* The soft limit alone: a run raises its own up to the hard one,
	 * as a fresh child (a clone of ours) can. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || null < 0 ||
	    getrlimit(RLIMIT_STACK, &stack) < 0)
		_exit(125);
	stack.rlim_cur = stack.rlim_max < (8u << 20) ? stack.rlim_max : (8u << 20);
	if (setrlimit(RLIMIT_STACK, &stack) < 0)
		_exit(125);
	setsid();
	/* Its own standard streams are nobody's: a worker gets the run's
	 * (zygote.c); errors of its start still reach our stderr. */
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0)
		_exit(125);
	for (int i = 0; i < 4; i++)
		if ((src[i] = fcntl(src[i], F_DUPFD, 10)) < 0)
			_exit(125);
	for (int i = 0; i < 4; i++)
		if (dup2(src[i], 3 + i) < 0)
			_exit(125);
	syscall(SYS_close_range, 7, ~0U, 0);
	if (chdir("/") < 0)
		_exit(125);
	argv[n++] = "python3.11";
	argv[n++] = "--argv0";
	argv[n++] = "python3.11";
	argv[n++] = "--preload";
	argv[n++] = x->preload;
	argv[n++] = x->py;
	for (size_t i = 0; i < sizeof(guard) / sizeof(guard[0]); i++)
		argv[n++] = guard[i];
	argv[n++] = "z3";
	argv[n++] = x->pad;
	argv[n] = NULL;
	syscall(SYS_execveat, 4, "", argv, envp, AT_EMPTY_PATH);
	_exit(125);
}

static int open_files(struct zygote_exec *x, struct sbx_error *err)
{
	char *loader, *python, *rt;
	int r = sbx_find_interpreter(&loader, &python, &rt, err);

	x->loader = x->python = x->rt = -1;
	if (r == 0) {
		x->loader = open(loader, O_PATH | O_CLOEXEC);
		x->python = open(python, O_RDONLY | O_CLOEXEC);
		x->rt = open(rt, O_RDONLY | O_CLOEXEC);
		if (x->loader < 0 || x->python < 0 || x->rt < 0) {
			r = -errno;
			sbx_diag_add(err, NULL, 0, 0, NULL, "cannot open the interpreter for the warm pool: %s",
				     strerror(errno));
		}
	}
	free(loader);
	free(python);
	free(rt);
	snprintf(x->py, sizeof(x->py), "/proc/self/fd/5");
#ifdef SBX_SANITIZE
	snprintf(x->preload, sizeof(x->preload), "%s:%s:/proc/self/fd/6", SBX_ASAN_RUNTIME, SBX_UBSAN_RUNTIME);
#else
	snprintf(x->preload, sizeof(x->preload), "/proc/self/fd/6");
#endif
	if (r == 0 && !(x->pad = malloc(SHOW_ROOM))) {
		r = -ENOMEM;
		sbx_diag_add(err, NULL, 0, 0, NULL, "out of memory starting the warm pool");
	}
	if (x->pad) {
		memset(x->pad, ' ', SHOW_ROOM - 1);
		x->pad[SHOW_ROOM - 1] = '\0';
	}
	return r;
}

static void close_files(struct zygote_exec *x)
{
	int *v[3] = { &x->loader, &x->python, &x->rt };

	for (int i = 0; i < 3; i++)
		if (*v[i] >= 0)
			close(*v[i]);
	free(x->pad);
}

/* Its first message: up, and which process it is. */
static int wait_ready(struct sbx_pool *pool, struct sbx_error *err)
{
	struct pollfd pf = { pool->ctl, POLLIN, 0 };
	struct sbx_zygote_rep rep;
	int n;

	while ((n = poll(&pf, 1, READY_MS)) < 0 && errno == EINTR)
		;
	if (n == 1 && recv(pool->ctl, &rep, sizeof(rep), MSG_DONTWAIT) == (ssize_t)sizeof(rep) &&
	    rep.magic == SBX_ZYGOTE_MAGIC && rep.err == 0 && rep.pid == pool->pid)
		return 0;
	sbx_diag_add(err, NULL, 0, 0, NULL, "the warm pool's interpreter did not start%s",
		     n == 0 ? " in time" : "");
	return -EIO;
}

int sbx_pool_open(struct sbx_pool **out, struct sbx_error *err)
{
	struct zygote_exec x = { .pad = NULL };
	struct sbx_pool *pool = calloc(1, sizeof(*pool));
	int sv[2] = { -1, -1 }, r;

	*out = NULL;
	if (!pool)
		return -ENOMEM;
	pool->ctl = -1;
	pool->owner = getpid();
	if ((r = open_files(&x, err)) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the warm pool: %s", strerror(errno));
		goto out;
	}
	pool->pid = fork();
	if (pool->pid == 0)
		exec_zygote(sv[1], &x, pool->owner);
	if (pool->pid < 0) {
		r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the warm pool: %s", strerror(errno));
		goto out;
	}
	pool->ctl = sv[0];
	sv[0] = -1;
	r = wait_ready(pool, err);
out:
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	close_files(&x);
	if (r < 0)
		sbx_pool_close(pool);
	else
		*out = pool;
	return r;
}

void sbx_pool_close(struct sbx_pool *pool)
{
	if (!pool)
		return;
	if (pool->ctl >= 0)
		close(pool->ctl);
	if (pool->pid > 0 && getpid() == pool->owner) {
		kill(pool->pid, SIGKILL);
		while (waitpid(pool->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(pool);
}

static int send_request(int ctl, const struct sbx_zygote_req *req, int sock, int cgroup_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr align;
	} u;
	int fds[2] = { sock, cgroup_fd };
	size_t n = cgroup_fd >= 0 ? 2 : 1;
	struct iovec iov = { (void *)req, sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(ctl, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*req) ? 0 : -EPIPE;
}

/* A zygote that does not answer as it must is gone for good: every later
 * run starts fresh. */
static pid_t pool_lost(struct sbx_pool *pool)
{
	close(pool->ctl);
	pool->ctl = -1;
	if (pool->pid > 0) {
		kill(pool->pid, SIGKILL);
		while (waitpid(pool->pid, NULL, 0) < 0 && errno == EINTR)
			;
		pool->pid = 0;
	}
	return -EPIPE;
}

/* The zygote's answer, within CLONE_MS. */
static ssize_t recv_reply(int ctl, struct sbx_zygote_rep *rep)
{
	struct pollfd pf = { ctl, POLLIN, 0 };
	int n;

	while ((n = poll(&pf, 1, CLONE_MS)) < 0 && errno == EINTR)
		;
	return n == 1 ? recv(ctl, rep, sizeof(*rep), MSG_DONTWAIT) : -1;
}

pid_t sbx_pool_clone(struct sbx_pool *pool, const struct sbx_ns *ns, int cgroup_fd, bool *into,
		     int *sock)
{
	struct sbx_zygote_req req = { .magic = SBX_ZYGOTE_MAGIC, .into = cgroup_fd >= 0, .flags = ns->flags };
	struct sbx_zygote_rep rep;
	int w[2];
	ssize_t n;

	*into = false;
	*sock = -1;
	if (pool->ctl < 0 || getpid() != pool->owner)
		return -ECHILD;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, w) < 0)
		return -errno;
	if (send_request(pool->ctl, &req, w[1], cgroup_fd) < 0) {
		close(w[0]);
		close(w[1]);
		return pool_lost(pool);
	}
	close(w[1]);
	n = recv_reply(pool->ctl, &rep);
	if (n != (ssize_t)sizeof(rep) || rep.magic != SBX_ZYGOTE_MAGIC || (rep.err == 0 && rep.pid <= 0)) {
		close(w[0]);
		return pool_lost(pool);
	}
	if (rep.err) {
		close(w[0]);
		return -rep.err;
	}
	*into = rep.into != 0;
	*sock = w[0];
	return rep.pid;
}

size_t sbx_pool_show_room(void)
{
	return SHOW_ROOM - 1;
}
