/* warm.c: the supervisor's end of a warm pool worker's start (the other
 * end is zygote.c, in the zygote's image): the whole plan in the bounded
 * form of blob.c, in a pipe, and every descriptor the fresh child would
 * have inherited, on the worker's own socket. Nothing of the plan ever
 * passes through the zygote. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_child.h"
#include "sbx_child_int.h"

static uint64_t mask_bits(const sigset_t *mask)
{
	uint64_t bits = 0;

	for (int sig = 1; sig <= 64; sig++)
		if (mask && sigismember(mask, sig) == 1)
			bits |= 1ull << (sig - 1);
	return bits;
}

/* The optional descriptors, in the order of their SBX_WARM_* bits. */
static size_t optional_fds(const struct sbx_warm_fds *f, uint32_t *have, int *out)
{
	const int v[10] = { f->stdio[0], f->stdio[1], f->stdio[2], f->idmap, f->sync_rd,
			    f->status_wr, f->join[0], f->join[1], f->join[2], f->joined_wr };
	size_t n = 0;

	*have = 0;
	for (unsigned i = 0; i < 10; i++)
		if (v[i] >= 0) {
			*have |= 1u << i;
			out[n++] = v[i];
		}
	return n;
}

int sbx_warm_send(int sock, const struct sbx_child_plan *plan, const struct sbx_warm_fds *f,
		  const sigset_t *mask)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SBX_WARM_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct sbx_warm_msg m = { .magic = SBX_WARM_MAGIC, .sigmask = mask_bits(mask) };
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf };
	struct cmsghdr *c;
	int fds[SBX_WARM_MAX_FDS], blob, r = 0;
	mode_t um = umask(0);
	size_t n;

	umask(um);
	m.umask = (uint32_t)um;
	if ((blob = sbx_rt_pack_whole(plan)) < 0)
		return blob;
	fds[0] = blob;
	fds[1] = f->chan;
	n = 2 + optional_fds(f, &m.have, fds + 2);
	memset(&u, 0, sizeof(u));
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		r = errno ? -errno : -EIO;
	close(blob);
	return r;
}

