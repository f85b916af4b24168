/* fuzz_sockaddr.c: libFuzzer target for the supervisor's decision table on
 * socket addresses (supervisor/notify_net_table.c). The input is a socket
 * call as the (hostile) caller could make it: 4 bytes choose the
 * operation, the socket's family, type and protocol, 4 more the send
 * flags and the length claimed, the rest is the address as it lies in
 * the caller's memory, of every family and length (up to and beyond the
 * kernel's 128 bytes). Oracle: the lookup never reads past the copy,
 * every outcome is a kind of the table, a UNIX path is NUL-terminated
 * within sun_path, an IP destination has a family the policy can name,
 * the report's text is terminated and printable, and the policy's verdict
 * refuses everything but the kinds it can judge. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sbx_notify_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int families[] = { AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, 255 };
static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, 0 };
static const int protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, 132 /* SCTP */, 262 /* MPTCP */ };

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbx_policy pol;	/* no rules: every verdict must refuse */
	struct sbx_net_sock s;
	struct sbx_net_dest d;
	union sockaddr_any a;
	char text[256];
	size_t len, have;
	enum sbx_net_op op;
	int flags;

	if (size < 8)
		return 0;
	op = (enum sbx_net_op)(data[0] % 3);
	s.family = families[data[1] % (sizeof(families) / sizeof(families[0]))];
	s.type = types[data[2] % (sizeof(types) / sizeof(types[0]))];
	s.protocol = protos[data[3] % (sizeof(protos) / sizeof(protos[0]))];
	flags = data[4] & 1 ? 0x20000000 /* MSG_FASTOPEN */ : 0;
	have = size - 8 < sizeof(a) ? size - 8 : sizeof(a);
	/* The length the caller claims: the bytes given, or any other. */
	len = data[5] & 1 ? size - 8 : (size_t)data[6] | (size_t)(data[7] & 1) << 8;
	memset(&a, 0, sizeof(a));
	memcpy(&a, data + 8, have);
	sbx_net_classify(op, &s, flags, data[4] & 2 ? NULL : &a, len, &d);
	switch (d.kind) {
	case SBX_NK_NONE:
		if (!(data[4] & 2))
			__builtin_trap();	/* an address never means "none" */
		break;
	case SBX_NK_REFUSED:
		if (!d.err || !d.why)
			__builtin_trap();
		break;
	case SBX_NK_UNIX_PATH:
		if (strnlen(d.path, sizeof(d.path)) >= sizeof(d.path) || !d.path[0] || len > sizeof(struct sockaddr_un))
			__builtin_trap();
		break;
	case SBX_NK_IP:
		if ((d.ip_family != AF_INET && d.ip_family != AF_INET6) || d.port > 65535 ||
		    (s.family != AF_INET && s.family != AF_INET6))
			__builtin_trap();
		break;
	case SBX_NK_DISCONNECT:
		if (op != SBX_NET_CONNECT)
			__builtin_trap();
		break;
	case SBX_NK_UNIX_ABSTRACT:
	case SBX_NK_UNIX_AUTOBIND:
	case SBX_NK_NETLINK:
		break;
	default:
		__builtin_trap();
	}
	if (sbx_net_allowed(&pol, op, &d) && d.kind != SBX_NK_NONE && d.kind != SBX_NK_DISCONNECT)
		__builtin_trap();
	sbx_net_format_addr(&a, len < have ? len : have, text, sizeof(text));
	check_text(text, sizeof(text));
	return 0;
}
