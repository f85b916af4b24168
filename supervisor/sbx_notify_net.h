/* sbx_notify_net.h: the supervisor's handling of socket calls (notify_net.c),
 * private to the supervisor.
 *
 * The parsers of the caller's bytes (socket addresses, msghdr, mmsghdr,
 * control messages) are pure functions over a private copy, so that they
 * can be fuzzed without a process; the decision table says, per socket
 * call, per socket family and type and per address family and length,
 * what the kernel would do with the copy, and refuses what it does not
 * describe. */
#ifndef SBX_NOTIFY_NET_H
#define SBX_NOTIFY_NET_H

#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "sbx_channel.h"
#include "sbx_policy.h"

/* The kernel copies at most a sockaddr_storage (128 bytes) of any address. */
union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	struct sockaddr_storage ss;
	char raw[128];
};

/* Bounds of what the supervisor copies for one call. */
#define SBX_NET_MAX_IOV 1024		/* UIO_MAXIOV */
#define SBX_NET_MAX_DATA (1u << 20)	/* bytes of payload copied per call */
#define SBX_NET_MAX_CONTROL 65536	/* bytes of control messages */
#define SBX_NET_MAX_FDS 253		/* SCM_MAX_FD */

enum sbx_net_op { SBX_NET_CONNECT, SBX_NET_BIND, SBX_NET_SEND };

/* What an address means for the kernel, for one operation on one socket. */
enum sbx_net_kind {
	SBX_NK_NONE,		/* no address: a connected socket's send */
	SBX_NK_DISCONNECT,	/* connect(AF_UNSPEC): dissolves an association */
	SBX_NK_IP,		/* ip_family, ip, port */
	SBX_NK_UNIX_PATH,	/* path */
	SBX_NK_UNIX_ABSTRACT,	/* no rule can name one: refused */
	SBX_NK_UNIX_AUTOBIND,	/* bind with only a family: refused */
	SBX_NK_NETLINK,		/* nl_pid, nl_groups */
	SBX_NK_REFUSED,		/* outside the table: refused, err says how */
};

struct sbx_net_dest {
	enum sbx_net_kind kind;
	int err;		/* SBX_NK_REFUSED: the errno to answer (the kernel's where it has one) */
	const char *why;	/* SBX_NK_REFUSED: for the record */
	int ip_family;		/* AF_INET (also for ::ffff:a.b.c.d) or AF_INET6 */
	uint8_t ip[16];
	unsigned port;
	uint32_t nl_pid, nl_groups;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

/* The caller's socket, as the kernel says (SO_DOMAIN, SO_TYPE, SO_PROTOCOL). */
struct sbx_net_sock {
	int family, type, protocol;
};

/* The decision table's lookup: what the kernel makes of addr (len bytes as
 * the caller gave them; NULL: none) for op on socket s. Pure. */
void sbx_net_classify(enum sbx_net_op op, const struct sbx_net_sock *s, int flags,
		      const union sockaddr_any *addr, size_t len, struct sbx_net_dest *out);

/* A msghdr as read from the caller (struct msghdr, or struct mmsghdr for
 * sendmmsg), bounded as the kernel bounds it. Pure. */
struct sbx_net_msg {
	uint64_t name, control, iov;	/* caller addresses */
	size_t namelen;			/* clamped to 128, as the kernel does */
	size_t controllen;
	size_t iovlen;
};
int sbx_net_parse_msghdr(const void *raw, size_t len, struct sbx_net_msg *out);

/* The total payload of iov[n] (the caller's iovec array, copied): -EINVAL
 * as the kernel for a length beyond its limit, else the total. Pure. */
ssize_t sbx_net_iov_total(const struct iovec *iov, size_t n);

/* Control messages, copied: 0 and the SCM_RIGHTS descriptor numbers
 * (fds[*n_fds]) when every message is one the supervisor can reproduce
 * for the caller, or -errno (*why says which). Pure. */
int sbx_net_parse_control(const void *ctl, size_t len, int sock_family, int *fds, size_t *n_fds,
			  const char **why);

/* Policy: may dest be reached (op) under p? Pure, for IP and netlink
 * destinations; UNIX paths are judged on the resolved object. */
bool sbx_net_allowed(const struct sbx_policy *p, enum sbx_net_op op, const struct sbx_net_dest *d);

/* An address (n bytes of u, n <= 128) as the report shows it. Pure. */
void sbx_net_format_addr(const union sockaddr_any *u, size_t n, char *out, size_t cap);

const char *sbx_net_family_name(long f);
const char *sbx_net_type_name(long t);
/* The socket address at addr (len bytes) in the caller's memory, for the report. */
void sbx_net_describe_addr(pid_t tid, uint64_t addr, uint64_t len, char *out, size_t cap,
			   struct sbx_operand *op);
/* An IPv4 or IPv6 address into op (kind ADDR: host and port); any other
 * family leaves op as it was. */
void sbx_net_addr_operand(const union sockaddr_any *u, size_t n, struct sbx_operand *op);

/* One checked socket call (connect, bind, sendto, sendmsg, sendmmsg),
 * judged and, when allowed, PERFORMED by the supervisor on the caller's
 * own socket with a private copy of its arguments and the caller's
 * credentials; the call never continues. 1: resp is the answer and there
 * is nothing to record. 0: refuse and record; *err is the errno (0: the
 * table's), why (may be "") says why for the record. */
struct sbx_net_call {
	pid_t tid, tgid;
	const struct seccomp_data *d;
	const char *name;
	const struct sbx_policy *p;
	char *const *write_roots;
	struct sbx_operand *op;		/* the refused destination, as data */
};
int sbx_net_handle(const struct sbx_net_call *c, struct seccomp_notif_resp *resp, int *err, char *why,
		   size_t cap);

#endif
