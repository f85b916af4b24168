/* seccomp/program.c: the compiled filter after compiling: sent to the
 * child on the channel, received there and loaded with one raw seccomp()
 * call. No libseccomp here: the child's runtime (child/rt.c, preloaded
 * into the interpreter) links this file and nothing of the compiler. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_sc_program.h"
#include "sbx_seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

void sbx_seccomp_free(struct sbx_seccomp *f)
{
	if (!f)
		return;
	free(f->notify.filter);
	free(f->plain.filter);
	free(f);
}

/* The message: struct sbx_filter_msg, then n_notify and n_plain
 * instructions (sbx_channel.h). */
int sbx_seccomp_send(const struct sbx_seccomp *f, int sock)
{
	struct sbx_filter_msg w = { SBX_FILTER_MAGIC, f->notify.len, f->plain.filter ? f->plain.len : 0, f->rules };
	struct iovec iov[3] = {
		{ &w, sizeof(w) },
		{ f->notify.filter, (size_t)w.n_notify * sizeof(struct sock_filter) },
		{ f->plain.filter, (size_t)w.n_plain * sizeof(struct sock_filter) },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = w.n_plain ? 3 : 2 };
	ssize_t n;

	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n < 0 ? -errno : 0;
}

int sbx_seccomp_recv(int sock, struct sbx_seccomp **out)
{
	size_t cap = sizeof(struct sbx_filter_msg) + 2 * SBX_FILTER_MAX * sizeof(struct sock_filter);
	char *buf = malloc(cap);
	struct sbx_seccomp *f = calloc(1, sizeof(*f));
	struct sbx_filter_msg w;
	ssize_t n;
	int r = -EPROTO;

	if (!buf || !f) {
		r = -ENOMEM;
		goto out;
	}
	while ((n = recv(sock, buf, cap, MSG_TRUNC)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		r = -errno;
		goto out;
	}
	if ((size_t)n < sizeof(w) || (size_t)n > cap)
		goto out;
	memcpy(&w, buf, sizeof(w));
	if (w.magic != SBX_FILTER_MAGIC || !w.n_notify || w.n_notify > SBX_FILTER_MAX ||
	    w.n_plain > SBX_FILTER_MAX ||
	    (size_t)n != sizeof(w) + ((size_t)w.n_notify + w.n_plain) * sizeof(struct sock_filter))
		goto out;
	f->rules = w.rules;
	f->notify.len = (unsigned short)w.n_notify;
	f->notify.filter = malloc(w.n_notify * sizeof(struct sock_filter));
	f->plain.len = (unsigned short)w.n_plain;
	f->plain.filter = w.n_plain ? malloc(w.n_plain * sizeof(struct sock_filter)) : NULL;
	if (!f->notify.filter || (w.n_plain && !f->plain.filter)) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(f->notify.filter, buf + sizeof(w), w.n_notify * sizeof(struct sock_filter));
	if (w.n_plain)
		memcpy(f->plain.filter, buf + sizeof(w) + w.n_notify * sizeof(struct sock_filter),
		       w.n_plain * sizeof(struct sock_filter));
	*out = f;
	f = NULL;
	r = 0;
out:
	free(buf);
	sbx_seccomp_free(f);
	return r;
}

unsigned sbx_seccomp_rule_count(const struct sbx_seccomp *f)
{
	return f ? f->rules : 0;
}

unsigned sbx_seccomp_insn_count(const struct sbx_seccomp *f, bool notify)
{
	if (!f)
		return 0;
	return notify || !f->plain.filter ? f->notify.len : f->plain.len;
}

/* Without SPEC_ALLOW the kernel forces the speculative-store-bypass
 * mitigation on the whole process, slowing all of its code, to protect the
 * process from code running inside it, which here is the untrusted program
 * itself (Chromium's sandbox makes the same choice). */
static long load_prog(unsigned long flags, const struct sock_fprog *prog)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags | SECCOMP_FILTER_FLAG_SPEC_ALLOW, prog);

	if (r < 0 && errno == EINVAL)	/* before Linux 4.17 */
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
	return r;
}

int sbx_seccomp_load(const struct sbx_seccomp *f, int *listener)
{
	long fd;

	*listener = -1;
	fd = load_prog(SECCOMP_FILTER_FLAG_NEW_LISTENER, &f->notify);
	if (fd >= 0) {
		*listener = (int)fd;
		return 0;
	}
	/* EBUSY: an outer filter already has a listener (nested sandboxpy,
	 * a container runtime); EINVAL: a kernel before 5.0. Enforce anyway,
	 * with the plain program where the build foresaw the need for it;
	 * otherwise fail closed. */
	if ((errno != EBUSY && errno != EINVAL) || !f->plain.filter)
		return -errno;
	if (load_prog(0, &f->plain) < 0)
		return -errno;
	return 0;
}
