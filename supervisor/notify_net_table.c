/* notify_net_table.c: the pure half of the supervisor's socket-call
 * handling: the decision table (what the kernel makes of an address for
 * one call on one socket), the policy's verdict, and the parsers of
 * msghdr, iovec arrays and control messages copied from the caller. No
 * process, no I/O: the fuzz targets (tests/fuzz/fuzz_sockaddr.c,
 * fuzz_msghdr.c) run them on any bytes. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>

#include "sbx_notify_net.h"

/* ---- the decision table (pure) ---- */

static void refuse(struct sbx_net_dest *out, int err, const char *why)
{
	out->kind = SBX_NK_REFUSED;
	out->err = err;
	out->why = why;
}

/* AF_INET and AF_INET6 sockets: TCP and UDP only. The kernel reads an
 * AF_INET address from 16 bytes and an AF_INET6 one from 24 (RFC 2133's
 * size, without scope); ::ffff:a.b.c.d is IPv4. AF_UNSPEC: a disconnect
 * for connect, 0.0.0.0 for an IPv4 bind, AF_INET for an IPv4 UDP send,
 * nothing for an IPv6 one: only the disconnect is taken. */
static void classify_inet(enum sbx_net_op op, int sf, int st, int proto, const union sockaddr_any *a,
			  size_t len, struct sbx_net_dest *out)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	int fam = a->sa.sa_family;

	if (!((st == SOCK_STREAM && proto == IPPROTO_TCP) || (st == SOCK_DGRAM && proto == IPPROTO_UDP)))
		return refuse(out, EPERM, "a socket other than TCP or UDP");
	if (fam == AF_UNSPEC) {
		if (op == SBX_NET_CONNECT) {
			out->kind = SBX_NK_DISCONNECT;
			return;
		}
		return refuse(out, EAFNOSUPPORT, "AF_UNSPEC (the kernel reads it as AF_INET)");
	}
	if (fam == AF_INET) {
		if (len < sizeof(struct sockaddr_in))
			return refuse(out, EINVAL, "an AF_INET address shorter than 16 bytes");
		out->ip_family = AF_INET;
		memcpy(out->ip, &a->in.sin_addr, 4);
		out->port = ntohs(a->in.sin_port);
	} else if (fam == AF_INET6 && sf == AF_INET6) {
		if (len < 24)
			return refuse(out, EINVAL, "an AF_INET6 address shorter than 24 bytes");
		if (memcmp(a->in6.sin6_addr.s6_addr, mapped, 12) == 0) {
			out->ip_family = AF_INET;
			memcpy(out->ip, a->in6.sin6_addr.s6_addr + 12, 4);
		} else {
			out->ip_family = AF_INET6;
			memcpy(out->ip, a->in6.sin6_addr.s6_addr, 16);
		}
		out->port = ntohs(a->in6.sin6_port);
	} else {
		return refuse(out, EAFNOSUPPORT, "an address of another family than the socket's");
	}
	out->kind = SBX_NK_IP;
}

/* AF_UNIX: at most sizeof(sockaddr_un) bytes (the kernel's EINVAL
 * beyond); the path ends at its first NUL or at the length. */
static void classify_unix(enum sbx_net_op op, int st, const union sockaddr_any *a, size_t len,
			  struct sbx_net_dest *out)
{
	const size_t base = offsetof(struct sockaddr_un, sun_path);
	size_t n;

	if (st != SOCK_STREAM && st != SOCK_DGRAM && st != SOCK_SEQPACKET)
		return refuse(out, EPERM, "a UNIX socket of another type");
	if (a->sa.sa_family == AF_UNSPEC && op == SBX_NET_CONNECT) {
		out->kind = SBX_NK_DISCONNECT;
		return;
	}
	if (a->sa.sa_family != AF_UNIX)
		return refuse(out, EINVAL, "an address of another family than the socket's");
	if (len > sizeof(struct sockaddr_un))
		return refuse(out, EINVAL, "an AF_UNIX address longer than sockaddr_un");
	if (len == base) {
		if (op == SBX_NET_BIND) {
			out->kind = SBX_NK_UNIX_AUTOBIND;
			return;
		}
		return refuse(out, EINVAL, "an AF_UNIX address without a name");
	}
	if (a->un.sun_path[0] == '\0') {
		out->kind = SBX_NK_UNIX_ABSTRACT;
		return;
	}
	n = strnlen(a->un.sun_path, len - base);
	memcpy(out->path, a->un.sun_path, n);
	out->path[n] = '\0';
	out->kind = SBX_NK_UNIX_PATH;
}

static void classify_netlink(enum sbx_net_op op, int proto, const union sockaddr_any *a, size_t len,
			     struct sbx_net_dest *out)
{
	struct sockaddr_nl nl;

	if (proto != NETLINK_ROUTE)
		return refuse(out, EPERM, "a netlink socket other than NETLINK_ROUTE");
	if (a->sa.sa_family == AF_UNSPEC && op == SBX_NET_CONNECT) {
		out->kind = SBX_NK_DISCONNECT;
		return;
	}
	if (a->sa.sa_family != AF_NETLINK)
		return refuse(out, EINVAL, "an address of another family than the socket's");
	if (len < sizeof(nl))
		return refuse(out, EINVAL, "an AF_NETLINK address shorter than sockaddr_nl");
	memcpy(&nl, a, sizeof(nl));
	out->nl_pid = nl.nl_pid;
	out->nl_groups = nl.nl_groups;
	out->kind = SBX_NK_NETLINK;
}

void sbx_net_classify(enum sbx_net_op op, const struct sbx_net_sock *s, int flags,
		      const union sockaddr_any *a, size_t len, struct sbx_net_dest *out)
{
	memset(out, 0, sizeof(*out));
	(void)flags;	/* a send's address is judged whatever its flags (MSG_FASTOPEN connects) */
	if (!a) {
		out->kind = op == SBX_NET_SEND ? SBX_NK_NONE : SBX_NK_REFUSED;
		if (op != SBX_NET_SEND)
			refuse(out, EFAULT, "no address");
		return;
	}
	if (len > sizeof(*a))
		return refuse(out, EINVAL, "an address longer than 128 bytes");
	if (len < sizeof(sa_family_t))
		return refuse(out, EINVAL, "an address shorter than its family");
	switch (s->family) {
	case AF_INET:
	case AF_INET6:
		return classify_inet(op, s->family, s->type, s->protocol, a, len, out);
	case AF_UNIX:
		return classify_unix(op, s->type, a, len, out);
	case AF_NETLINK:
		return classify_netlink(op, s->protocol, a, len, out);
	default:
		return refuse(out, EAFNOSUPPORT, "a socket family outside the table");
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

bool sbx_net_allowed(const struct sbx_policy *p, enum sbx_net_op op, const struct sbx_net_dest *d)
{
	switch (d->kind) {
	case SBX_NK_NONE:
	case SBX_NK_DISCONNECT:
		return true;	/* reaches nothing new */
	case SBX_NK_IP:
		if (sbx_policy_no_network(p))
			return false;
		if (op == SBX_NET_BIND)
			return net_listed(p->net.bind, p->net.n_bind, d->ip_family, d->ip, d->port);
		return (p->net.dns && d->port == 53) ||
		       net_listed(p->net.connect, p->net.n_connect, d->ip_family, d->ip, d->port);
	case SBX_NK_NETLINK:
		/* The resolver's route queries go to the kernel (port id 0). */
		return p->net.dns && (op == SBX_NET_BIND || (d->nl_pid == 0 && d->nl_groups == 0));
	default:
		return false;
	}
}

int sbx_net_parse_msghdr(const void *raw, size_t len, struct sbx_net_msg *out)
{
	struct msghdr m;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(m))
		return -EFAULT;
	memcpy(&m, raw, sizeof(m));
	if (m.msg_iovlen > SBX_NET_MAX_IOV)
		return -EMSGSIZE;
	if (m.msg_controllen > INT_MAX)
		return -ENOBUFS;
	if ((int)m.msg_namelen < 0 && m.msg_name)
		return -EINVAL;
	out->name = (uint64_t)(uintptr_t)m.msg_name;
	/* The kernel clamps a longer msg_namelen to a sockaddr_storage. */
	out->namelen = m.msg_name ? (m.msg_namelen > 128 ? 128 : m.msg_namelen) : 0;
	if (!out->namelen)
		out->name = 0;
	out->iov = (uint64_t)(uintptr_t)m.msg_iov;
	out->iovlen = m.msg_iovlen;
	out->control = (uint64_t)(uintptr_t)m.msg_control;
	out->controllen = m.msg_controllen;
	return 0;
}

ssize_t sbx_net_iov_total(const struct iovec *iov, size_t n)
{
	const size_t max_rw = (size_t)INT_MAX & ~(size_t)4095;	/* MAX_RW_COUNT */
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		if ((ssize_t)iov[i].iov_len < 0)
			return -EINVAL;
		total += iov[i].iov_len < max_rw - total ? iov[i].iov_len : max_rw - total;
	}
	return (ssize_t)total;
}

/* As the kernel's __scm_send walks them: every header whole and within
 * the buffer, else EINVAL. Only SCM_RIGHTS on a UNIX socket is taken: the
 * descriptors are the caller's, fetched with pidfd_getfd. SCM_CREDENTIALS
 * would be checked against the supervisor, not the caller; other types
 * (IP options, GSO, marks, timestamps) are not reproduced. */
int sbx_net_parse_control(const void *ctl, size_t len, int sock_family, int *fds, size_t *n_fds,
			  const char **why)
{
	const unsigned char *b = ctl;
	size_t off = 0;

	*n_fds = 0;
	*why = "";
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		size_t n, step;
		memcpy(&h, b + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off) {
			*why = "a malformed control message";
			return -EINVAL;
		}
		if (h.cmsg_level != SOL_SOCKET || h.cmsg_type != SCM_RIGHTS || sock_family != AF_UNIX) {
			*why = h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS
			       ? "SCM_CREDENTIALS (the supervisor would send its own)"
			       : "a control message the supervisor does not reproduce";
			return -EPERM;
		}
		n = (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > SBX_NET_MAX_FDS - *n_fds) {
			*why = "more than 253 descriptors";
			return -EINVAL;
		}
		memcpy(fds + *n_fds, b + off + CMSG_LEN(0), n * sizeof(int));
		*n_fds += n;
		step = CMSG_ALIGN(h.cmsg_len);
		if (step > len - off)
			break;
		off += step;
	}
	return 0;
}

/* ---- the report's text ---- */

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

void sbx_net_format_addr(const union sockaddr_any *u, size_t n, char *out, size_t cap)
{
	const size_t base = offsetof(struct sockaddr_un, sun_path);
	char ip[INET6_ADDRSTRLEN], name[sizeof(u->raw) + 1];
	size_t pl;

	if (n > sizeof(u->raw))
		n = sizeof(u->raw);
	if (n < sizeof(sa_family_t)) {
		snprintf(out, cap, "<unreadable address>");
	} else if (u->sa.sa_family == AF_INET && n >= sizeof(u->in)) {
		inet_ntop(AF_INET, &u->in.sin_addr, ip, sizeof(ip));
		snprintf(out, cap, "%s:%u", ip, ntohs(u->in.sin_port));
	} else if (u->sa.sa_family == AF_INET6 && n >= 24) {
		inet_ntop(AF_INET6, &u->in6.sin6_addr, ip, sizeof(ip));
		snprintf(out, cap, "[%s]:%u", ip, ntohs(u->in6.sin6_port));
	} else if (u->sa.sa_family == AF_UNIX) {
		/* Up to 126 bytes: copied out of the union by its raw bytes,
		 * never through sun_path's 108. */
		pl = n - base;
		memcpy(name, u->raw + base, pl);
		name[pl] = '\0';
		if (pl > 0 && name[0] == '\0')
			snprintf(out, cap, "unix:@%.*s (abstract)", (int)(pl - 1), name + 1);
		else
			snprintf(out, cap, "unix:%s%s", name, n > sizeof(struct sockaddr_un) ? " (too long)" : "");
		for (char *c = out; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
	} else if (u->sa.sa_family == AF_NETLINK && n >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl nl;
		memcpy(&nl, u, sizeof(nl));
		snprintf(out, cap, "netlink:%u/%#x", nl.nl_pid, nl.nl_groups);
	} else {
		snprintf(out, cap, "<family %u, %zu bytes>", u->sa.sa_family, n);
	}
}

void sbx_net_addr_operand(const union sockaddr_any *u, size_t n, struct sbx_operand *op)
{
	char ip[INET6_ADDRSTRLEN];

	if (n > sizeof(u->raw))
		n = sizeof(u->raw);
	if (n >= sizeof(u->in) && u->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &u->in.sin_addr, ip, sizeof(ip));
		sbx_operand_reset(op, SBX_OPK_ADDR);
		op->port = ntohs(u->in.sin_port);
		op->flags |= SBX_OPF_PORT;
	} else if (n >= 24 && u->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &u->in6.sin6_addr, ip, sizeof(ip));
		sbx_operand_reset(op, SBX_OPK_ADDR);
		op->port = ntohs(u->in6.sin6_port);
		op->flags |= SBX_OPF_PORT;
	} else {
		return;
	}
	sbx_operand_set(op, SBX_OP_HOST, ip);
}
