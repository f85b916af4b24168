/* notify_net.c: the supervisor's handling of the socket calls that reach
 * seccomp user notification: connect, bind, sendto with an address,
 * sendmsg and sendmmsg.
 *
 * The supervisor never lets such a call continue after reading its
 * arguments in the caller's memory (another thread could rewrite them):
 * it copies them once, judges the copy by one decision table
 * (notify_net_table.c, pure and fuzzed) that says what the kernel would
 * make of every socket family and type,
 * address family and length, and PERFORMS the call itself with that very
 * copy, on the caller's own socket (pidfd_getfd), with the caller's
 * credentials (sbx_as_caller_enter: its fs ids, no groups, no
 * capabilities). UNIX socket paths are resolved in the caller's root
 * (deputy.c, no magic links), and the resolved object is used through
 * /proc/self/fd/N, so no later swap of a symlink or of the working
 * directory matters. One call is held by the kernel instead, and the
 * reading only serves the record: bind of a UNIX socket path (Landlock's
 * make_sock right on the real parent directory, see judge_unix_bind).
 * Whatever the table does not describe is refused and recorded. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sbx_deputy.h"
#include "sbx_match.h"
#include "sbx_notify_net.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

/* How long one notification may wait for a blocking socket (ms): the
 * supervisor answers everyone, it does not sleep for one caller. */
#define WAIT_MS 50

/* Reads len bytes of the caller's memory: 0, or -EFAULT. */
static int peek_all(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (!len)
		return 0;
	if (!addr)
		return -EFAULT;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

void sbx_net_describe_addr(pid_t tid, uint64_t addr, uint64_t len, char *out, size_t cap,
			   struct sbx_operand *op)
{
	union sockaddr_any u;
	size_t want = len < sizeof(u) ? (size_t)len : sizeof(u);

	memset(&u, 0, sizeof(u));
	if (want < sizeof(sa_family_t) || peek_all(tid, addr, &u, want) < 0)
		want = 0;
	sbx_net_format_addr(&u, want, out, cap);
	if (op)
		sbx_net_addr_operand(&u, want, op);
}

/* ---- performing the call for the caller ---- */

/* One call in progress: the caller's socket (our descriptor for it), what
 * it is, and the caller for paths and credentials. */
struct net_ctx {
	const struct sbx_net_call *c;
	enum sbx_net_op op;
	int sfd;
	struct sbx_net_sock s;
	bool nonblock;
	struct sbx_caller who;
	char *why;
	size_t why_cap;
};

/* The reason a refusal is recorded with, as the detail's suffix: " (why)". */
__attribute__((format(printf, 2, 3))) static void set_why(struct net_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(x->why, x->why_cap, " (");

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < x->why_cap)
		n += vsnprintf(x->why + n, x->why_cap - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n + 1 < x->why_cap)
		snprintf(x->why + n, x->why_cap - (size_t)n, ")");
}

/* A destination refused by the policy: connect, bind and sendto show
 * their address already; sendmsg and sendmmsg get it as " host:port", the
 * form the denial hint reads. */
static void set_dest(struct net_ctx *x, const char *desc)
{
	if (x->op == SBX_NET_SEND && strcmp(x->c->name, "sendto") != 0)
		snprintf(x->why, x->why_cap, " %s", desc);
}

static int answer(struct seccomp_notif_resp *resp, int64_t val, int err)
{
	resp->flags = 0;
	resp->val = err ? 0 : val;
	resp->error = err ? -err : 0;
	return 1;
}

/* The caller's descriptor fd, as the caller's thread sees it (a thread
 * may have its own descriptor table): our own copy of the socket. */
static int take_fd(pid_t tid, pid_t tgid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD), r, e;

	if (pidfd < 0 && tid == tgid)
		pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return -errno;
	r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	e = errno;
	close(pidfd);
	return r < 0 ? -e : r;
}

static int sock_info(int sfd, struct sbx_net_sock *s, bool *nonblock)
{
	socklen_t l = sizeof(int);
	int fl;

	if (getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, &s->family, &l) < 0)
		return -errno;
	l = sizeof(int);
	if (getsockopt(sfd, SOL_SOCKET, SO_TYPE, &s->type, &l) < 0)
		return -errno;
	l = sizeof(int);
	if (getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, &s->protocol, &l) < 0)
		return -errno;
	fl = fcntl(sfd, F_GETFL);
	if (fl < 0)
		return -errno;
	*nonblock = fl & O_NONBLOCK;
	return 0;
}

/* Waits (bounded) until sfd can take more: true when it can. */
static bool wait_out(int sfd)
{
	struct pollfd p = { .fd = sfd, .events = POLLOUT };

	return poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLOUT);
}

/* A connect on a copy of the address. A blocking caller gets the result
 * once the connection is made (waited for, bounded), or EINTR: the
 * kernel's own answer for a blocking connect interrupted by a signal,
 * after which the connection goes on asynchronously (Python waits for it,
 * PEP 475). The call never continues in the kernel: a thread that swapped
 * the descriptor meanwhile would have the caller's memory read again. */
static int perform_connect(struct net_ctx *x, const struct sockaddr *sa, socklen_t len,
			   struct seccomp_notif_resp *resp)
{
	int fl = fcntl(x->sfd, F_GETFL), r, e;
	socklen_t el = sizeof(e);

	if (fl < 0 || (!x->nonblock && fcntl(x->sfd, F_SETFL, fl | O_NONBLOCK) < 0))
		return answer(resp, 0, errno);
	r = connect(x->sfd, sa, len);
	e = r < 0 ? errno : 0;
	if (e == EINPROGRESS && !x->nonblock) {
		e = EINTR;
		if (wait_out(x->sfd) && getsockopt(x->sfd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && !e) {
			/* Made: once more, so the socket's state says connected. */
			r = connect(x->sfd, sa, len);
			e = r < 0 && errno != EISCONN ? errno : 0;
		}
	}
	if (!x->nonblock)
		fcntl(x->sfd, F_SETFL, fl);
	return answer(resp, 0, e);
}

/* A send of our copy (msg). A blocking caller whose socket is full gets
 * one bounded wait, then EINTR (nothing was sent: the kernel's answer for
 * a send interrupted before any data; Python retries). SIGPIPE is sent to
 * the caller as the kernel would have. */
static int perform_send(struct net_ctx *x, struct msghdr *msg, int flags, struct seccomp_notif_resp *resp,
			ssize_t *sent)
{
	bool block = !x->nonblock && !(flags & MSG_DONTWAIT);
	ssize_t r = sendmsg(x->sfd, msg, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	int e = r < 0 ? errno : 0;

	if (r < 0 && (e == EAGAIN || e == EWOULDBLOCK) && block) {
		e = EINTR;
		if (wait_out(x->sfd)) {
			r = sendmsg(x->sfd, msg, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
			e = r >= 0 ? 0 : errno == EAGAIN || errno == EWOULDBLOCK ? EINTR : errno;
		}
	}
	if (e == EPIPE && !(flags & MSG_NOSIGNAL))
		syscall(SYS_tgkill, x->c->tgid, x->c->tid, SIGPIPE);
	*sent = r;
	return answer(resp, r, e);
}

/* Sockets glibc tries on its own (NSS asks nscd before reading
 * /etc/passwd or resolving a name): refused with ENOENT, as on a machine
 * without them, and not reported: the program asked for nothing. */
static const char *const libc_probes[] = { "/var/run/nscd/socket", "/run/nscd/socket" };

/* The name, in the caller's view, of the object we hold as fd: our
 * /proc/self/fd link, accepted only if it leads, from the caller's root
 * and through no symlink, to this very object. */
static int caller_name(const struct net_ctx *x, int fd, char *out, size_t cap)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	struct stat a, b;
	char link[64];
	ssize_t n;
	int v, r = 0;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap);
	if (n <= 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	out[n] = '\0';
	if (out[0] != '/')
		return -ENOENT;
	v = (int)syscall(SYS_openat2, x->who.root, out[1] ? out + 1 : ".", &how, sizeof(how));
	if (v < 0)
		return -errno;
	if (fstat(fd, &a) < 0 || fstat(v, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		r = -ENOENT;
	close(v);
	return r;
}

/* What judging a destination decided. */
enum judged {
	J_REFUSED,	/* *err and why are set */
	J_ALLOWED,	/* perform the call with the judged address */
	J_ANSWERED,	/* resp holds the answer already */
	J_CONTINUE,	/* let the call go on to the kernel (a UNIX bind) */
};

/* A UNIX socket path to connect or send to: resolved once in the caller's
 * root as the kernel would for it (symlinks followed, magic links
 * refused), judged on the object it reaches (a socket in a write tree),
 * and reached through /proc/self/fd/N of that object: allowed (sun,
 * *pathfd) or refused. */
static enum judged judge_unix_peer(struct net_ctx *x, const char *path, struct sockaddr_un *sun, int *pathfd,
			   struct seccomp_notif_resp *resp, int *err)
{
	char name[PATH_MAX];
	struct stat st;
	int fd;

	fd = sbx_caller_openat(&x->who, AT_FDCWD, path, O_PATH);
	if (fd < 0) {
		*err = fd == -ELOOP ? EACCES : -fd;
		set_why(x, "unix:%s %s", path, fd == -ELOOP ? "goes through a magic link or a symlink loop"
							   : "does not resolve in the caller's root");
		return J_REFUSED;
	}
	*pathfd = fd;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		*err = ECONNREFUSED;
		set_why(x, "unix:%s %s", path, "is not a socket");
		return J_REFUSED;
	}
	if (caller_name(x, fd, name, sizeof(name)) < 0 || !sbx_path_under_any(name, x->c->write_roots)) {
		set_why(x, "unix:%s is %s, outside the write trees", path, caller_name(x, fd, name, sizeof(name)) < 0
			? "an object with no name in the caller's view" : name);
		return J_REFUSED;
	}
	(void)resp;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d", fd);
	return J_ALLOWED;
}

/* bind of a UNIX socket path: the kernel creates the file, and Landlock's
 * make_sock right decides on the real parent directory at that moment,
 * with the caller's own credentials; the supervisor's resolution here
 * only decides what is recorded: continue, or refused. */
static enum judged judge_unix_bind(struct net_ctx *x, const char *path, int *err)
{
	char dir[PATH_MAX], full[PATH_MAX + 128];
	const char *leaf;
	int fd = sbx_caller_open_parent(&x->who, AT_FDCWD, path, &leaf), r;

	if (fd < 0) {
		*err = fd == -ELOOP ? EACCES : -fd;
		set_why(x, "unix:%s %s", path, "does not resolve in the caller's root");
		return J_REFUSED;
	}
	r = caller_name(x, fd, dir, sizeof(dir));
	close(fd);
	if (r < 0) {
		set_why(x, "unix:%s %s", path, "is in a directory with no name in the caller's view");
		return J_REFUSED;
	}
	snprintf(full, sizeof(full), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", leaf);
	if (!sbx_path_under_any(full, x->c->write_roots)) {
		set_why(x, "unix:%s is %s, outside the write trees", path, full);
		return J_REFUSED;
	}
	return J_CONTINUE;
}

/* The destination d (from the address a of alen bytes), judged; when
 * allowed, the address to use is in *use, *use_len. */
static enum judged judge(struct net_ctx *x, const struct sbx_net_dest *d, const union sockaddr_any *a, size_t alen,
		 union sockaddr_any *use, socklen_t *use_len, int *pathfd, struct seccomp_notif_resp *resp,
		 int *err)
{
	char desc[200] = "";

	if (a) {
		sbx_net_format_addr(a, alen, desc, sizeof(desc));
		if (x->c->op)
			sbx_net_addr_operand(a, alen, x->c->op);
	}
	switch (d->kind) {
	case SBX_NK_REFUSED:
		*err = d->err;
		set_why(x, "%.80s: %s", desc, d->why);
		return J_REFUSED;
	case SBX_NK_UNIX_ABSTRACT:
		set_why(x, "%.80s: %s", desc, "an abstract UNIX socket, which no rule can name");
		return J_REFUSED;
	case SBX_NK_UNIX_AUTOBIND:
		set_why(x, "%.80s: %s", desc, "an autobound UNIX address, which no rule can name");
		return J_REFUSED;
	case SBX_NK_UNIX_PATH:
		for (size_t i = 0; x->op != SBX_NET_BIND && i < sizeof(libc_probes) / sizeof(libc_probes[0]); i++)
			if (strcmp(d->path, libc_probes[i]) == 0)
				{
				answer(resp, 0, ENOENT);
				return J_ANSWERED;
			}
		if (sbx_policy_no_network(x->c->p)) {
			set_dest(x, desc);
			return J_REFUSED;
		}
		if (x->op == SBX_NET_BIND)
			return judge_unix_bind(x, d->path, err);
		*use_len = sizeof(struct sockaddr_un);
		return judge_unix_peer(x, d->path, &use->un, pathfd, resp, err);
	default:
		if (!sbx_net_allowed(x->c->p, x->op, d)) {
			set_dest(x, desc);
			return J_REFUSED;
		}
		if (a)
			memcpy(use, a, alen);
		*use_len = (socklen_t)alen;
		return J_ALLOWED;
	}
}

/* connect and bind: the address copied once, judged, and used. */
static int do_addressed(struct net_ctx *x, struct seccomp_notif_resp *resp, int *err)
{
	const struct seccomp_data *d = x->c->d;
	int ilen = (int)(uint32_t)d->args[2], pathfd = -1, v;
	size_t alen = ilen < 0 ? SIZE_MAX : (size_t)ilen;
	union sockaddr_any a, use;
	struct sbx_net_dest dest;
	struct sbx_as_caller saved;
	socklen_t ul = 0;

	memset(&a, 0, sizeof(a));
	if (alen <= sizeof(a) && peek_all(x->c->tid, d->args[1], &a, alen) < 0)
		return answer(resp, 0, EFAULT);
	sbx_net_classify(x->op, &x->s, 0, &a, alen, &dest);
	v = judge(x, &dest, &a, alen, &use, &ul, &pathfd, resp, err);
	if (v == J_ALLOWED) {
		if (sbx_as_caller_enter(&x->who, &saved) < 0) {
			*err = EPERM;
			set_why(x, "the caller's credentials could not be taken");
			v = 0;
		} else {
			v = x->op == SBX_NET_BIND ? answer(resp, 0, bind(x->sfd, &use.sa, ul) < 0 ? errno : 0)
						  : perform_connect(x, &use.sa, ul, resp);
			sbx_as_caller_leave(&saved);
		}
	} else if (v == J_CONTINUE) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		resp->error = 0;
		resp->val = 0;
		v = 1;
	} else {
		v = v == J_ANSWERED;
	}
	if (pathfd >= 0)
		close(pathfd);
	return v;
}

/* A send's private copy: the address, the payload, our descriptors for
 * the caller's SCM_RIGHTS ones. */
struct send_copy {
	union sockaddr_any addr;
	size_t addrlen;
	bool has_addr;
	struct iovec *iov;		/* in our memory: the caller's iovec array */
	size_t iovlen;
	char *data;
	size_t len;
	int fds[SBX_NET_MAX_FDS];
	size_t n_fds;
	union {
		struct cmsghdr h;
		unsigned char b[CMSG_SPACE(sizeof(int) * SBX_NET_MAX_FDS)];
	} ctl;
};

static void send_copy_free(struct send_copy *sc)
{
	for (size_t i = 0; i < sc->n_fds; i++)
		close(sc->fds[i]);
	free(sc->iov);
	free(sc->data);
}

/* The payload the caller's iovecs name, copied: all of it for a datagram
 * (EMSGSIZE beyond SBX_NET_MAX_DATA, as the kernel beyond its buffer),
 * the first SBX_NET_MAX_DATA bytes of a stream (a short send). 0 or the
 * kernel's -errno. */
static int copy_payload(struct net_ctx *x, struct send_copy *sc)
{
	ssize_t total = sbx_net_iov_total(sc->iov, sc->iovlen);
	size_t left, n = 0;
	struct iovec local;

	if (total < 0)
		return (int)total;
	if ((size_t)total > SBX_NET_MAX_DATA) {
		if (x->s.type != SOCK_STREAM)
			return -EMSGSIZE;
		total = SBX_NET_MAX_DATA;
	}
	sc->len = (size_t)total;
	sc->data = malloc(sc->len ? sc->len : 1);
	if (!sc->data)
		return -ENOBUFS;
	for (left = sc->len; n < sc->iovlen && left; n++) {
		if (sc->iov[n].iov_len > left)
			sc->iov[n].iov_len = left;
		left -= sc->iov[n].iov_len;
	}
	local.iov_base = sc->data;
	local.iov_len = sc->len;
	if (sc->len && process_vm_readv(x->c->tid, &local, 1, sc->iov, n, 0) != (ssize_t)sc->len)
		return -EFAULT;
	return 0;
}

/* The control messages, copied and parsed; SCM_RIGHTS descriptors taken
 * from the caller into one message of ours. 1 done, 0 refused (record),
 * 2 answered (the kernel's own error). */
static int copy_control(struct net_ctx *x, uint64_t addr, size_t len, struct send_copy *sc,
			struct msghdr *msg, struct seccomp_notif_resp *resp, int *err)
{
	int nums[SBX_NET_MAX_FDS], r, fd;
	const char *why;
	void *buf;

	if (!len || len < sizeof(struct cmsghdr))
		return 1;	/* the kernel finds no message in it */
	if (len > SBX_NET_MAX_CONTROL) {
		*err = ENOBUFS;
		set_why(x, "control messages beyond 64 KiB");
		return 0;
	}
	if (!(buf = malloc(len)))
		return answer(resp, 0, ENOBUFS) + 1;
	r = peek_all(x->c->tid, addr, buf, len);
	if (r == 0)
		r = sbx_net_parse_control(buf, len, x->s.family, nums, &sc->n_fds, &why);
	free(buf);
	if (r == -EFAULT) {
		sc->n_fds = 0;
		return answer(resp, 0, EFAULT) + 1;
	}
	if (r < 0) {
		sc->n_fds = 0;
		*err = -r;
		set_why(x, "%s", why);
		return 0;
	}
	for (size_t i = 0; i < sc->n_fds; i++) {
		fd = take_fd(x->c->tid, x->c->tgid, nums[i]);
		if (fd < 0) {
			sc->n_fds = i;
			return answer(resp, 0, EBADF) + 1;
		}
		sc->fds[i] = fd;
	}
	if (sc->n_fds) {
		sc->ctl.h.cmsg_level = SOL_SOCKET;
		sc->ctl.h.cmsg_type = SCM_RIGHTS;
		sc->ctl.h.cmsg_len = CMSG_LEN(sizeof(int) * sc->n_fds);
		memcpy(CMSG_DATA(&sc->ctl.h), sc->fds, sizeof(int) * sc->n_fds);
		msg->msg_control = sc->ctl.b;
		msg->msg_controllen = CMSG_SPACE(sizeof(int) * sc->n_fds);
	}
	return 1;
}

/* One message (sendto's, sendmsg's, sendmmsg's first): the address judged,
 * the payload and control copied, sent by the supervisor as the caller.
 * 1 answered (resp), 0 refused (record). */
static int do_send(struct net_ctx *x, struct send_copy *sc, uint64_t ctl, size_t ctl_len, int flags,
		   struct seccomp_notif_resp *resp, int *err)
{
	struct msghdr msg = { 0 };
	struct iovec one;
	struct sbx_net_dest dest;
	struct sbx_as_caller saved;
	union sockaddr_any use;
	socklen_t ul = 0;
	int pathfd = -1, v, r;
	ssize_t sent;

	sbx_net_classify(SBX_NET_SEND, &x->s, flags, sc->has_addr ? &sc->addr : NULL, sc->addrlen, &dest);
	v = judge(x, &dest, sc->has_addr ? &sc->addr : NULL, sc->addrlen, &use, &ul, &pathfd, resp, err);
	if (v != J_ALLOWED) {
		/* Answered (a libc probe): done, as any answer is. */
		v = v == J_ANSWERED;
		goto out;
	}
	if ((flags & MSG_FASTOPEN) && x->s.type == SOCK_STREAM && !x->nonblock && !(flags & MSG_DONTWAIT)) {
		/* Not reproducible without blocking the supervisor; EOPNOTSUPP is
		 * the kernel's answer when Fast Open is off (callers fall back). */
		*err = EOPNOTSUPP;
		set_why(x, "a blocking MSG_FASTOPEN send");
		v = 0;
		goto out;
	}
	if ((r = copy_payload(x, sc)) < 0) {
		v = answer(resp, 0, -r);
		goto out;
	}
	if ((v = copy_control(x, ctl, ctl_len, sc, &msg, resp, err)) != 1) {
		v = v == 2 ? 1 : 0;
		goto out;
	}
	one.iov_base = sc->data;
	one.iov_len = sc->len;
	msg.msg_name = ul ? &use : NULL;
	msg.msg_namelen = ul;
	msg.msg_iov = &one;
	msg.msg_iovlen = 1;
	if (sbx_as_caller_enter(&x->who, &saved) < 0) {
		*err = EPERM;
		set_why(x, "the caller's credentials could not be taken");
		v = 0;
		goto out;
	}
	v = perform_send(x, &msg, flags, resp, &sent);
	sbx_as_caller_leave(&saved);
out:
	if (pathfd >= 0)
		close(pathfd);
	return v;
}

static int do_sendto(struct net_ctx *x, struct seccomp_notif_resp *resp, int *err)
{
	const struct seccomp_data *d = x->c->d;
	struct send_copy sc = { 0 };
	int ilen = (int)(uint32_t)d->args[5], v;

	sc.has_addr = d->args[4] != 0;
	sc.addrlen = ilen < 0 ? SIZE_MAX : (size_t)ilen;
	if (sc.has_addr && sc.addrlen <= sizeof(sc.addr) &&
	    peek_all(x->c->tid, d->args[4], &sc.addr, sc.addrlen) < 0)
		return answer(resp, 0, EFAULT);
	sc.iov = calloc(1, sizeof(*sc.iov));
	if (!sc.iov)
		return answer(resp, 0, ENOBUFS);
	sc.iov[0].iov_base = (void *)(uintptr_t)d->args[1];
	sc.iov[0].iov_len = d->args[2] > INT_MAX ? INT_MAX : (size_t)d->args[2];
	sc.iovlen = 1;
	v = do_send(x, &sc, 0, 0, (int)d->args[3], resp, err);
	send_copy_free(&sc);
	return v;
}

/* sendmsg's msghdr, or sendmmsg's first one, at addr: read once. */
static int do_sendmsg(struct net_ctx *x, uint64_t addr, int flags, struct seccomp_notif_resp *resp, int *err)
{
	struct send_copy sc = { 0 };
	unsigned char raw[sizeof(struct msghdr)];
	struct sbx_net_msg m;
	int r, v;

	if (peek_all(x->c->tid, addr, raw, sizeof(raw)) < 0)
		return answer(resp, 0, EFAULT);
	if ((r = sbx_net_parse_msghdr(raw, sizeof(raw), &m)) < 0)
		return answer(resp, 0, -r);
	sc.has_addr = m.name != 0;
	sc.addrlen = m.namelen;
	if (sc.has_addr && peek_all(x->c->tid, m.name, &sc.addr, sc.addrlen) < 0)
		return answer(resp, 0, EFAULT);
	sc.iovlen = m.iovlen;
	sc.iov = calloc(m.iovlen ? m.iovlen : 1, sizeof(*sc.iov));
	if (!sc.iov)
		return answer(resp, 0, ENOBUFS);
	if (peek_all(x->c->tid, m.iov, sc.iov, m.iovlen * sizeof(*sc.iov)) < 0) {
		free(sc.iov);
		return answer(resp, 0, EFAULT);
	}
	v = do_send(x, &sc, m.control, m.controllen, flags, resp, err);
	send_copy_free(&sc);
	return v;
}

/* sendmmsg: the first message only, performed, and 1 returned: a short
 * count is within sendmmsg's contract (the caller sends the rest again),
 * and every message is judged and copied when its turn comes. Its
 * msg_len is written back to the caller as the kernel would. */
static int do_sendmmsg(struct net_ctx *x, struct seccomp_notif_resp *resp, int *err)
{
	const struct seccomp_data *d = x->c->d;
	struct iovec local, remote;
	unsigned len;
	int v;

	if ((uint32_t)d->args[2] == 0)
		return answer(resp, 0, 0);
	v = do_sendmsg(x, d->args[1], (int)d->args[3], resp, err);
	if (v == 1 && resp->error == 0 && !(resp->flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE)) {
		len = (unsigned)resp->val;
		local.iov_base = &len;
		local.iov_len = sizeof(len);
		remote.iov_base = (void *)(uintptr_t)(d->args[1] + offsetof(struct mmsghdr, msg_len));
		remote.iov_len = sizeof(len);
		process_vm_writev(x->c->tid, &local, 1, &remote, 1, 0);
		resp->val = 1;
	}
	return v;
}

int sbx_net_handle(const struct sbx_net_call *c, struct seccomp_notif_resp *resp, int *err, char *why,
		   size_t cap)
{
	struct net_ctx x = { .c = c, .sfd = -1, .why = why, .why_cap = cap, .who = { .root = -1 } };
	int r = 0;

	*err = 0;
	why[0] = '\0';
	x.op = strcmp(c->name, "connect") == 0 ? SBX_NET_CONNECT
	       : strcmp(c->name, "bind") == 0	? SBX_NET_BIND
						: SBX_NET_SEND;
	x.sfd = take_fd(c->tid, c->tgid, (int)(int32_t)(uint32_t)c->d->args[0]);
	if (x.sfd == -EBADF)
		return answer(resp, 0, EBADF);
	if (x.sfd < 0 || (r = sock_info(x.sfd, &x.s, &x.nonblock)) == -ENOTSOCK || r < 0 ||
	    (r = sbx_caller_open(c->tid, &x.who)) < 0) {
		if (x.sfd >= 0 && r == -ENOTSOCK) {
			r = answer(resp, 0, ENOTSOCK);
			goto out;
		}
		*err = EPERM;
		set_why(&x, "the supervisor could not act for the caller");
		r = 0;
		goto out;
	}
	if (x.op != SBX_NET_SEND)
		r = do_addressed(&x, resp, err);
	else if (strcmp(c->name, "sendto") == 0)
		r = do_sendto(&x, resp, err);
	else if (strcmp(c->name, "sendmsg") == 0)
		r = do_sendmsg(&x, c->d->args[1], (int)c->d->args[2], resp, err);
	else if (strcmp(c->name, "sendmmsg") == 0)
		r = do_sendmmsg(&x, resp, err);
	else
		r = 0;
out:
	if (x.sfd >= 0)
		close(x.sfd);
	sbx_caller_close(&x.who);
	return r;
}
