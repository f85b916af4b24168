/* notify_net.c: the supervisor's handling of socket calls that reach
 * seccomp user notification (connect, bind, sendto, sendmsg, sendmmsg),
 * and their description in the report. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sbx_notify_net.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* Reads up to len bytes of the caller's memory; the count read, or -1. */
static ssize_t peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (!addr)
		return -1;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

const char *sbx_net_family_name(long f)
{
	switch (f) {
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_BLUETOOTH: return "AF_BLUETOOTH";
	case AF_ALG: return "AF_ALG";
	case AF_VSOCK: return "AF_VSOCK";
	case AF_KEY: return "AF_KEY";
	default: return NULL;
	}
}

const char *sbx_net_type_name(long t)
{
	switch (t & 0xf) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_RAW: return "SOCK_RAW";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	case SOCK_PACKET: return "SOCK_PACKET";
	default: return NULL;
	}
}


/* A socket address from the caller, at most 128 bytes: its length, or -1
 * when not even the family could be read. */
static ssize_t peek_sa(pid_t tid, uint64_t addr, uint64_t len, union sockaddr_any *u)
{
	size_t want = len < sizeof(*u) ? (size_t)len : sizeof(*u);
	ssize_t n;

	memset(u, 0, sizeof(*u));
	n = want >= sizeof(sa_family_t) ? peek(tid, addr, u, want) : -1;
	return n < (ssize_t)sizeof(sa_family_t) ? -1 : n;
}

void sbx_net_describe_addr(pid_t tid, uint64_t addr, uint64_t len, char *out, size_t cap)
{
	union sockaddr_any u;
	char ip[INET6_ADDRSTRLEN];
	ssize_t n = peek_sa(tid, addr, len, &u);

	if (n < 0) {
		snprintf(out, cap, "<unreadable address>");
		return;
	}
	if (u.sa.sa_family == AF_INET && n >= (ssize_t)sizeof(u.in)) {
		inet_ntop(AF_INET, &u.in.sin_addr, ip, sizeof(ip));
		snprintf(out, cap, "%s:%u", ip, ntohs(u.in.sin_port));
	} else if (u.sa.sa_family == AF_INET6 && n >= (ssize_t)sizeof(u.in6)) {
		inet_ntop(AF_INET6, &u.in6.sin6_addr, ip, sizeof(ip));
		snprintf(out, cap, "[%s]:%u", ip, ntohs(u.in6.sin6_port));
	} else if (u.sa.sa_family == AF_UNIX) {
		size_t pl = (size_t)n - offsetof(struct sockaddr_un, sun_path);
		u.raw[sizeof(u.raw) - 1] = '\0';
		if (pl > 0 && u.un.sun_path[0] == '\0')
			snprintf(out, cap, "unix:@%.*s (abstract)", (int)(pl - 1), u.un.sun_path + 1);
		else
			snprintf(out, cap, "unix:%.*s", (int)pl, u.un.sun_path);
		for (char *c = out; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
	} else {
		snprintf(out, cap, "<family %u>", u.sa.sa_family);
	}
}

/* Does a policy list name this IP address and port? As the hook's check:
 * any of a rule's resolved addresses, its port or "*". */
static bool net_listed(const struct sbx_net_rule *r, size_t n, int fam, const uint8_t *ip, unsigned port)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].any_port && r[i].port != port)
			continue;
		for (size_t j = 0; j < r[i].n_addrs; j++)
			if (r[i].addrs[j].family == fam &&
			    memcmp(r[i].addrs[j].addr, ip, fam == AF_INET ? 4 : 16) == 0)
				return true;
	}
	return false;
}

/* Sockets glibc tries on its own (NSS asks nscd before reading
 * /etc/passwd or resolving a name): refused with ENOENT, as on a machine
 * without them, and not reported: the program asked for nothing. */
static const char *const libc_probes[] = { "/var/run/nscd/socket", "/run/nscd/socket" };

/* An addressed socket call: 1 to let it continue (Landlock checks TCP
 * ports again), 0 to refuse it (the detail already names the address), 2
 * to answer a libc probe with ENOENT quietly. The
 * address is read from the caller's memory, so another thread could
 * change it after the check: for TCP the kernel's port rule still holds;
 * the host and a UNIX socket's path are a best-effort check (docs). */
static int check_addr(pid_t tid, pid_t tgid, bool bind, uint64_t addr, uint64_t len,
		      const struct sbx_policy *p, char *const *write_roots,
		      union sockaddr_any *checked, socklen_t *checked_len)
{
	union sockaddr_any u;
	ssize_t n;

	if ((n = peek_sa(tid, addr, len, &u)) < 0)
		return 0;
	/* Without network rules nothing addressed goes out; glibc's probe
	 * only gets its ENOENT. */
	if (sbx_policy_no_network(p) && u.sa.sa_family != AF_UNIX)
		return 0;
	switch (u.sa.sa_family) {
	case AF_UNSPEC:
		return !bind;	/* connect(AF_UNSPEC) dissolves an association */
	case AF_INET:
	case AF_INET6: {
		bool v4 = u.sa.sa_family == AF_INET;
		const uint8_t *ip = v4 ? (const uint8_t *)&u.in.sin_addr : u.in6.sin6_addr.s6_addr;
		unsigned port = ntohs(v4 ? u.in.sin_port : u.in6.sin6_port);
		static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
		int fam = u.sa.sa_family;
		if (n < (ssize_t)(v4 ? sizeof(u.in) : sizeof(u.in6)))
			return 0;
		if (!v4 && memcmp(ip, mapped, 12) == 0) {	/* ::ffff:a.b.c.d is IPv4 */
			ip += 12;
			fam = AF_INET;
		}
		if ((!bind && p->net.dns && port == 53) ||
		    (bind ? net_listed(p->net.bind, p->net.n_bind, fam, ip, port)
			  : net_listed(p->net.connect, p->net.n_connect, fam, ip, port))) {
			/* The address as checked: the supervisor can use this
			 * very copy, not the caller's memory (3). */
			if (checked) {
				*checked = u;
				*checked_len = (socklen_t)n;
				return 3;
			}
			return 1;
		}
		break;
	}
	case AF_UNIX: {
		char path[sizeof(u.un.sun_path) + 1], target[PATH_MAX];
		size_t pl = (size_t)n > offsetof(struct sockaddr_un, sun_path)
			    ? (size_t)n - offsetof(struct sockaddr_un, sun_path) : 0;
		if (!pl || !u.un.sun_path[0])
			break;		/* abstract or autobind: services no rule can name */
		memcpy(path, u.un.sun_path, pl);
		path[pl] = '\0';
		for (size_t i = 0; !bind && i < sizeof(libc_probes) / sizeof(libc_probes[0]); i++)
			if (strcmp(path, libc_probes[i]) == 0)
				return 2;
		if (sbx_policy_no_network(p))
			return 0;
		/* A socket path is a file to write to, as for the hook. */
		if (target_of(tid, tgid, AT_FDCWD, path, true, target, sizeof(target)) == 0 &&
		    under_any(target, write_roots))
			return 1;
		break;
	}
	case AF_NETLINK:
		if (p->net.dns)
			return 1;	/* the resolver's route queries */
		break;
	default:
		break;
	}
	return 0;
}

/* The addresses an addressed socket call names: connect/bind's, sendto's,
 * and every msg_name of sendmsg/sendmmsg (none: a connected socket, which
 * goes on). All must be allowed; 2 only for a lone libc probe. */
int sbx_net_check(pid_t tid, pid_t tgid, const struct seccomp_data *d, const char *name,
		     const struct sbx_policy *p, char *const *write_roots, union sockaddr_any *checked,
		     socklen_t *clen)
{
	if (strcmp(name, "sendto") == 0)
		return check_addr(tid, tgid, false, d->args[4], d->args[5], p, write_roots, checked, clen);
	if (strcmp(name, "sendmsg") == 0 || strcmp(name, "sendmmsg") == 0) {
		bool many = strcmp(name, "sendmmsg") == 0;
		size_t vlen = many ? (d->args[2] < 64 ? (size_t)d->args[2] : 64) : 1;
		for (size_t i = 0; i < vlen; i++) {
			struct mmsghdr mh;
			size_t sz = many ? sizeof(mh) : sizeof(mh.msg_hdr);
			memset(&mh, 0, sizeof(mh));
			if (peek(tid, d->args[1] + i * sz, &mh, sz) != (ssize_t)sz)
				return 0;
			if (mh.msg_hdr.msg_name && mh.msg_hdr.msg_namelen &&
			    check_addr(tid, tgid, false, (uint64_t)(uintptr_t)mh.msg_hdr.msg_name,
				       mh.msg_hdr.msg_namelen, p, write_roots, NULL, NULL) != 1)
				return 0;
		}
		return 1;
	}
	return check_addr(tid, tgid, strcmp(name, "bind") == 0, d->args[1], d->args[2], p, write_roots,
			  checked, clen);
}

/* connect, bind or sendto to a checked IP address, done by the supervisor
 * on the caller's own socket (pidfd_getfd) with the address it checked: a
 * thread that rewrites the caller's copy after the check changes nothing.
 * Fills resp; false when it could not (then the call continues, as for
 * the other checks). A blocking connect continues after the supervisor
 * started the connection: once one is in progress the kernel waits for it
 * and ignores the address it is given. */
bool sbx_net_on_behalf(pid_t tgid, pid_t tid, const struct seccomp_data *d, const char *name,
		      const union sockaddr_any *a, socklen_t alen, struct seccomp_notif_resp *resp)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tgid, 0), sfd = -1, fl, e = 0;
	bool done = false;
	ssize_t r;

	if (pidfd < 0)
		return false;
	sfd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)(int32_t)(uint32_t)d->args[0], 0);
	if (sfd < 0)
		goto out;
	resp->flags = 0;
	resp->val = 0;
	if (strcmp(name, "bind") == 0) {
		r = bind(sfd, &a->sa, alen);
		resp->error = r < 0 ? -errno : 0;
		done = true;
	} else if (strcmp(name, "connect") == 0) {
		fl = fcntl(sfd, F_GETFL);
		if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(sfd, F_SETFL, fl | O_NONBLOCK) < 0))
			goto out;
		r = connect(sfd, &a->sa, alen);
		e = r < 0 ? errno : 0;
		if (!(fl & O_NONBLOCK))
			fcntl(sfd, F_SETFL, fl);
		if (e == EINPROGRESS && !(fl & O_NONBLOCK))
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else
			resp->error = -e;
		done = true;
	} else {
		/* sendto: the datagram, read from the caller, sent as it is. */
		size_t len = (size_t)d->args[2];
		char *buf = len <= 65536 ? malloc(len ? len : 1) : NULL;
		if (buf && (len == 0 || peek(tid, d->args[1], buf, len) == (ssize_t)len)) {
			r = sendto(sfd, buf, len, (int)d->args[3] | MSG_DONTWAIT | MSG_NOSIGNAL, &a->sa, alen);
			if (r >= 0 || errno != EAGAIN) {
				resp->val = r >= 0 ? r : 0;
				resp->error = r < 0 ? -errno : 0;
				done = true;
			}
		}
		free(buf);
	}
out:
	if (sfd >= 0)
		close(sfd);
	close(pidfd);
	return done;
}
