/* test_net_table.c: each row of the supervisor's decision table on socket
 * addresses (supervisor/notify_net_table.c) against the kernel's own
 * behaviour: the same bytes, given to a real socket, with a real listener
 * on loopback. A row holds when the table means what the kernel does, or
 * refuses what it would not describe. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "sbx_notify_net.h"

static const struct sbx_net_sock udp4 = { AF_INET, SOCK_DGRAM, IPPROTO_UDP };
static const struct sbx_net_sock udp6 = { AF_INET6, SOCK_DGRAM, IPPROTO_UDP };
static const struct sbx_net_sock tcp4 = { AF_INET, SOCK_STREAM, IPPROTO_TCP };
static const struct sbx_net_sock unix_stream = { AF_UNIX, SOCK_STREAM, 0 };

/* A UDP socket on 127.0.0.1 and its port. */
static int udp_listener(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static bool got_datagram(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b[64];

	return poll(&p, 1, 200) == 1 && recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0;
}

static void v4(union sockaddr_any *a, sa_family_t fam, unsigned port)
{
	memset(a, 0, sizeof(*a));
	a->in.sin_family = fam;
	a->in.sin_port = htons((uint16_t)port);
	a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* UDP send, AF_UNSPEC: the kernel sends it as AF_INET; the table refuses. */
static void udp_send_af_unspec(void **state)
{
	struct sbx_net_dest d;
	union sockaddr_any a;
	unsigned port;
	int l = udp_listener(&port), s = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	v4(&a, AF_UNSPEC, port);
	assert_int_equal(sendto(s, "x", 1, 0, &a.sa, sizeof(a.in)), 1);
	assert_true(got_datagram(l));	/* the kernel's reading */
	sbx_net_classify(SBX_NET_SEND, &udp4, 0, &a, sizeof(a.in), &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	close(s);
	close(l);
}

/* connect(AF_UNSPEC) on UDP: a disconnect for the kernel and the table. */
static void udp_connect_af_unspec(void **state)
{
	struct sbx_net_dest d;
	union sockaddr_any a;
	unsigned port;
	int l = udp_listener(&port), s = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	v4(&a, AF_INET, port);
	assert_int_equal(connect(s, &a.sa, sizeof(a.in)), 0);
	v4(&a, AF_UNSPEC, port);
	assert_int_equal(connect(s, &a.sa, sizeof(a.in)), 0);
	assert_int_equal(send(s, "x", 1, 0), -1);
	assert_int_equal(errno, EDESTADDRREQ);	/* no association left */
	sbx_net_classify(SBX_NET_CONNECT, &udp4, 0, &a, sizeof(a.in), &d);
	assert_int_equal(d.kind, SBX_NK_DISCONNECT);
	close(s);
	close(l);
}

/* bind(AF_UNSPEC, 0.0.0.0) binds for the kernel: refused by the table. */
static void bind_af_unspec(void **state)
{
	struct sbx_net_dest d;
	union sockaddr_any a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	memset(&a, 0, sizeof(a));
	a.in.sin_family = AF_UNSPEC;
	assert_int_equal(bind(s, &a.sa, sizeof(a.in)), 0);
	sbx_net_classify(SBX_NET_BIND, &tcp4, 0, &a, sizeof(a.in), &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	close(s);
}

/* Short AF_INET and AF_INET6 addresses: EINVAL for both. An AF_INET6
 * address of 24 bytes (no scope) is one the kernel takes. */
static void inet_lengths(void **state)
{
	struct sbx_net_dest d;
	union sockaddr_any a;
	unsigned port;
	int l = udp_listener(&port), s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, [12] = 127, [15] = 1 };

	(void)state;
	v4(&a, AF_INET, port);
	assert_int_equal(sendto(s, "x", 1, 0, &a.sa, 15), -1);
	assert_int_equal(errno, EINVAL);
	sbx_net_classify(SBX_NET_SEND, &udp4, 0, &a, 15, &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	/* ::ffff:127.0.0.1 in 24 bytes: delivered over IPv4; the table says so. */
	memset(&a, 0, sizeof(a));
	a.in6.sin6_family = AF_INET6;
	a.in6.sin6_port = htons((uint16_t)port);
	memcpy(a.in6.sin6_addr.s6_addr, mapped, 16);
	assert_int_equal(sendto(s6, "x", 1, 0, &a.sa, 24), 1);
	assert_true(got_datagram(l));
	sbx_net_classify(SBX_NET_SEND, &udp6, 0, &a, 24, &d);
	assert_int_equal(d.kind, SBX_NK_IP);
	assert_int_equal(d.ip_family, AF_INET);
	assert_int_equal(d.port, port);
	assert_memory_equal(d.ip, mapped + 12, 4);
	sbx_net_classify(SBX_NET_SEND, &udp6, 0, &a, 23, &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	close(s);
	close(s6);
	close(l);
}

/* An AF_INET address on an IPv6 UDP socket goes out over IPv4: judged as
 * the IPv4 destination it is. An AF_INET6 address on an IPv4 socket is
 * refused by both. */
static void mixed_families(void **state)
{
	struct sbx_net_dest d;
	union sockaddr_any a;
	unsigned port;
	int l = udp_listener(&port), s4 = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);

	(void)state;
	v4(&a, AF_INET, port);
	assert_int_equal(sendto(s6, "x", 1, 0, &a.sa, sizeof(a.in)), 1);
	assert_true(got_datagram(l));
	sbx_net_classify(SBX_NET_SEND, &udp6, 0, &a, sizeof(a.in), &d);
	assert_int_equal(d.kind, SBX_NK_IP);
	assert_int_equal(d.ip_family, AF_INET);
	assert_int_equal(d.port, port);
	memset(&a, 0, sizeof(a));
	a.in6.sin6_family = AF_INET6;
	a.in6.sin6_addr = in6addr_loopback;
	a.in6.sin6_port = htons((uint16_t)port);
	assert_int_equal(sendto(s4, "x", 1, 0, &a.sa, sizeof(a.in6)), -1);
	sbx_net_classify(SBX_NET_SEND, &udp4, 0, &a, sizeof(a.in6), &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	close(s4);
	close(s6);
	close(l);
}

/* AF_UNIX: 128 bytes is EINVAL (beyond sockaddr_un); a path of 108 bytes
 * without a NUL is taken whole; a NUL ends the path early; 2 bytes is an
 * autobind; a leading NUL is abstract. */
static void unix_rows(void **state)
{
	struct sbx_net_dest d;
	union sockaddr_any a;
	char dir[] = "/tmp/sbx-nettab-XXXXXX", path[200];
	struct stat st;
	size_t n;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&a, 'A', sizeof(a));
	a.un.sun_family = AF_UNIX;
	a.un.sun_path[0] = '/';
	assert_int_equal(connect(s, &a.sa, 128), -1);
	assert_int_equal(errno, EINVAL);
	sbx_net_classify(SBX_NET_CONNECT, &unix_stream, 0, &a, 128, &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	assert_int_equal(d.err, EINVAL);
	/* 108 bytes, no NUL: the whole of sun_path. */
	n = (size_t)snprintf(path, sizeof(path), "%s/", dir);
	memset(path + n, 'p', 108 - n);
	path[108] = '\0';
	memset(&a, 0, sizeof(a));
	a.un.sun_family = AF_UNIX;
	memcpy(a.un.sun_path, path, 108);
	assert_int_equal(bind(s, &a.sa, sizeof(struct sockaddr_un)), 0);
	assert_int_equal(stat(path, &st), 0);
	sbx_net_classify(SBX_NET_BIND, &unix_stream, 0, &a, sizeof(struct sockaddr_un), &d);
	assert_int_equal(d.kind, SBX_NK_UNIX_PATH);
	assert_string_equal(d.path, path);
	unlink(path);
	close(s);
	/* A NUL inside: the kernel's path ends there. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(path, sizeof(path), "%s/short", dir);
	memset(&a, 0, sizeof(a));
	a.un.sun_family = AF_UNIX;
	n = strlen(path);
	memcpy(a.un.sun_path, path, n);
	memcpy(a.un.sun_path + n + 1, "garbage", 7);
	assert_int_equal(bind(s, &a.sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 8)), 0);
	assert_int_equal(stat(path, &st), 0);
	sbx_net_classify(SBX_NET_BIND, &unix_stream, 0, &a, offsetof(struct sockaddr_un, sun_path) + n + 8, &d);
	assert_int_equal(d.kind, SBX_NK_UNIX_PATH);
	assert_string_equal(d.path, path);
	unlink(path);
	close(s);
	/* Only a family: an autobind for bind. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(s, &a.sa, sizeof(sa_family_t)), 0);
	sbx_net_classify(SBX_NET_BIND, &unix_stream, 0, &a, sizeof(sa_family_t), &d);
	assert_int_equal(d.kind, SBX_NK_UNIX_AUTOBIND);
	close(s);
	a.un.sun_path[0] = '\0';
	sbx_net_classify(SBX_NET_CONNECT, &unix_stream, 0, &a, 10, &d);
	assert_int_equal(d.kind, SBX_NK_UNIX_ABSTRACT);
	rmdir(dir);
}

/* Families and protocols outside the table: refused. */
static void outside_the_table(void **state)
{
	const struct sbx_net_sock raw = { AF_INET, SOCK_RAW, IPPROTO_UDP };
	const struct sbx_net_sock packet = { AF_PACKET, SOCK_DGRAM, 0 };
	const struct sbx_net_sock nl_audit = { AF_NETLINK, SOCK_RAW, NETLINK_AUDIT };
	struct sbx_net_dest d;
	union sockaddr_any a;

	(void)state;
	v4(&a, AF_INET, 53);
	sbx_net_classify(SBX_NET_SEND, &raw, 0, &a, sizeof(a.in), &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	sbx_net_classify(SBX_NET_SEND, &packet, 0, &a, sizeof(a.in), &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	memset(&a, 0, sizeof(a));
	a.sa.sa_family = AF_NETLINK;
	sbx_net_classify(SBX_NET_SEND, &nl_audit, 0, &a, sizeof(struct sockaddr_nl), &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	sbx_net_classify(SBX_NET_SEND, &udp4, 0, &a, 1, &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
	sbx_net_classify(SBX_NET_CONNECT, &udp4, 0, &a, 129, &d);
	assert_int_equal(d.kind, SBX_NK_REFUSED);
}

/* Control messages: SCM_RIGHTS on a UNIX socket is taken, with its
 * descriptor numbers; SCM_CREDENTIALS and a header longer than the
 * buffer are refused. */
static void control_rows(void **state)
{
	union {
		struct cmsghdr h;
		unsigned char b[CMSG_SPACE(sizeof(int) * 2)];
	} u;
	int fds[SBX_NET_MAX_FDS], two[2] = { 5, 9 };
	const char *why;
	size_t n;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.h.cmsg_level = SOL_SOCKET;
	u.h.cmsg_type = SCM_RIGHTS;
	u.h.cmsg_len = CMSG_LEN(sizeof(two));
	memcpy(CMSG_DATA(&u.h), two, sizeof(two));
	assert_int_equal(sbx_net_parse_control(u.b, sizeof(u.b), AF_UNIX, fds, &n, &why), 0);
	assert_int_equal(n, 2);
	assert_int_equal(fds[1], 9);
	assert_int_equal(sbx_net_parse_control(u.b, sizeof(u.b), AF_INET, fds, &n, &why), -EPERM);
	u.h.cmsg_type = SCM_CREDENTIALS;
	assert_int_equal(sbx_net_parse_control(u.b, sizeof(u.b), AF_UNIX, fds, &n, &why), -EPERM);
	u.h.cmsg_type = SCM_RIGHTS;
	u.h.cmsg_len = sizeof(u.b) + 1;
	assert_int_equal(sbx_net_parse_control(u.b, sizeof(u.b), AF_UNIX, fds, &n, &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(udp_send_af_unspec),	cmocka_unit_test(udp_connect_af_unspec),
		cmocka_unit_test(bind_af_unspec),	cmocka_unit_test(inet_lengths),
		cmocka_unit_test(mixed_families),	cmocka_unit_test(unix_rows),
		cmocka_unit_test(outside_the_table),	cmocka_unit_test(control_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
