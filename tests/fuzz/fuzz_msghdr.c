/* fuzz_msghdr.c: libFuzzer target for the supervisor's readers of a
 * sendmsg/sendmmsg argument as copied from the caller's memory
 * (supervisor/notify_net_table.c): the msghdr (or mmsghdr) itself, the
 * iovec array it names and the control messages. The input is split in
 * three at offsets its first two bytes choose. Oracle: the header's
 * bounds are the kernel's (at most 128 bytes of name, 1024 iovecs, no
 * control length beyond INT_MAX), the payload total never wraps and stays
 * within MAX_RW_COUNT, and the control parser either refuses or returns
 * at most 253 descriptors, every one read from within the buffer. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_notify_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_net_msg m;
	int fds[SBX_NET_MAX_FDS];
	size_t a, b, n_fds, n_iov;
	const char *why;
	struct iovec *iov;
	unsigned char *ctl;
	ssize_t total;
	int r;

	if (size < 2)
		return 0;
	a = 2 + (size - 2) * data[0] / 256;
	b = a + (size - a) * data[1] / 256;
	/* The header: exactly the bytes given (the reader wants a whole one). */
	if (sbx_net_parse_msghdr(data + 2, a - 2, &m) == 0 &&
	    (m.namelen > 128 || (m.namelen && !m.name) || m.iovlen > SBX_NET_MAX_IOV ||
	     m.controllen > INT_MAX))
		__builtin_trap();
	/* The iovec array: a private, aligned copy, as the supervisor makes. */
	n_iov = (b - a) / sizeof(struct iovec);
	iov = malloc(n_iov ? n_iov * sizeof(*iov) : 1);
	if (!iov)
		return 0;
	memcpy(iov, data + a, n_iov * sizeof(*iov));
	total = sbx_net_iov_total(iov, n_iov);
	if (total != -EINVAL && (total < 0 || (size_t)total > ((size_t)INT_MAX & ~(size_t)4095)))
		__builtin_trap();
	free(iov);
	/* The control messages: an exact-size heap copy, so ASan sees any
	 * read beyond it. */
	ctl = malloc(size - b ? size - b : 1);
	if (!ctl)
		return 0;
	memcpy(ctl, data + b, size - b);
	r = sbx_net_parse_control(ctl, size - b, data[0] & 1 ? AF_UNIX : AF_INET, fds, &n_fds, &why);
	if ((r == 0 && n_fds > SBX_NET_MAX_FDS) || (r < 0 && (!why || !why[0])) || r > 0)
		__builtin_trap();
	free(ctl);
	return 0;
}
