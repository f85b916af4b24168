/* notify.c: the supervisor's side of seccomp user notification. Every
 * syscall the filter did not allow arrives here: classify it by the same
 * tables that built the filter, read what it was aimed at (a path, a socket
 * address) from the caller's memory for the report, and answer it with an
 * error. Never "continue": what is read from the child only describes the
 * refusal, it never decides one, so a thread that rewrites the memory
 * meanwhile changes nothing but the report's text. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "sbx_supervisor.h"

/* How to show each argument: p a path (string in the caller's memory),
 * i an int, x a hex number, f a socket family, t a socket type, a a socket
 * address whose length is the next argument, - skip. Unlisted syscalls
 * show six hex numbers. */
static const struct {
	const char *name;
	const char *kinds;
} arg_kinds[] = {
	{ "execve", "p" }, { "execveat", "ip-x" },
	{ "fork", "" }, { "vfork", "" }, { "clone", "x" },
	{ "socket", "fti" }, { "connect", "ia" }, { "bind", "ia" }, { "listen", "ii" },
	{ "kill", "ii" }, { "ioctl", "ix" }, { "personality", "x" }, { "prlimit64", "ii" },
	{ "ptrace", "iiix" }, { "process_vm_readv", "i" }, { "process_vm_writev", "i" },
	{ "mount", "ppp" }, { "umount2", "px" }, { "pivot_root", "pp" }, { "chroot", "p" },
	{ "unshare", "x" }, { "setns", "ix" }, { "bpf", "i" }, { "keyctl", "i" },
	{ "perf_event_open", "-iiix" }, { "userfaultfd", "x" }, { "io_uring_setup", "i" },
	{ "init_module", "-ip" }, { "finit_module", "ipx" }, { "delete_module", "px" },
	{ "reboot", "xxx" }, { "swapon", "px" }, { "swapoff", "p" }, { "acct", "p" },
	{ "sethostname", "-i" }, { "settimeofday", "" }, { "clock_settime", "i" },
	{ "mkdir", "px" }, { "mkdirat", "ipx" }, { "rmdir", "p" }, { "unlink", "p" },
	{ "unlinkat", "ipx" }, { "rename", "pp" }, { "renameat", "ipip" },
	{ "renameat2", "ipipx" }, { "link", "pp" }, { "linkat", "ipipx" },
	{ "symlink", "pp" }, { "symlinkat", "pip" }, { "mknod", "pxx" }, { "mknodat", "ipxx" },
	{ "truncate", "pi" }, { "chmod", "px" }, { "fchmod", "ix" }, { "fchmodat", "ipx" },
	{ "fchmodat2", "ipxx" }, { "chown", "pii" }, { "lchown", "pii" }, { "fchown", "iii" },
	{ "fchownat", "ipiix" }, { "utime", "p" }, { "utimes", "p" }, { "utimensat", "ip" },
	{ "futimesat", "ip" }, { "setxattr", "pp" }, { "lsetxattr", "pp" }, { "fsetxattr", "ip" },
	{ "removexattr", "pp" }, { "lremovexattr", "pp" }, { "fremovexattr", "ip" },
	{ "shmget", "xii" }, { "semget", "xii" }, { "msgget", "xi" }, { "mq_open", "px" },
};

static const char *kinds_of(const char *name)
{
	for (size_t i = 0; i < sizeof(arg_kinds) / sizeof(arg_kinds[0]); i++)
		if (strcmp(arg_kinds[i].name, name) == 0)
			return arg_kinds[i].kinds;
	return "xxxxxx";
}

/* Reads up to len bytes of the caller's memory; the count read, or -1. */
static ssize_t peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (!addr)
		return -1;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

/* A path from the caller: printable, bounded, or a marker. */
static void peek_path(pid_t tid, uint64_t addr, char *out, size_t cap)
{
	char buf[512];
	ssize_t n;
	size_t o = 0;

	/* Page-crossing strings: read what the first page allows, then more. */
	n = peek(tid, addr, buf, sizeof(buf) - 1);
	if (n <= 0) {
		size_t first = 4096 - (addr & 4095);
		n = peek(tid, addr, buf, first < sizeof(buf) - 1 ? first : sizeof(buf) - 1);
	}
	if (n <= 0) {
		snprintf(out, cap, addr ? "<unreadable>" : "<NULL>");
		return;
	}
	buf[n] = '\0';
	for (const unsigned char *s = (const unsigned char *)buf; *s && o + 5 < cap; s++) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\' && *s != '\'')
			out[o++] = (char)*s;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *s);
	}
	out[o] = '\0';
	if (strnlen(buf, (size_t)n) == (size_t)n && o + 4 < cap)
		strcat(out, "...");
}

static const char *family_name(long f)
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

static const char *type_name(long t)
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

static void peek_sockaddr(pid_t tid, uint64_t addr, uint64_t len, char *out, size_t cap)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		char raw[128];
	} u;
	char ip[INET6_ADDRSTRLEN];
	size_t want = len < sizeof(u) ? (size_t)len : sizeof(u);
	ssize_t n;

	memset(&u, 0, sizeof(u));
	n = want >= sizeof(sa_family_t) ? peek(tid, addr, &u, want) : -1;
	if (n < (ssize_t)sizeof(sa_family_t)) {
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

/* args as JSON and a one-line description, from the raw registers. */
static void describe(pid_t tid, const struct seccomp_data *d, const char *name, json_t *args,
		     char *detail, size_t cap)
{
	const char *k = kinds_of(name);
	size_t o = (size_t)snprintf(detail, cap, "%s", name);

	for (int i = 0; i < 6 && k[i]; i++) {
		uint64_t v = d->args[i];
		char s[300];
		json_t *j;
		switch (k[i]) {
		case 'p':
			peek_path(tid, v, s, sizeof(s));
			j = json_string(s);
			if (o < cap)
				o += (size_t)snprintf(detail + o, cap - o, " '%s'", s);
			break;
		case 'i':
			j = json_integer((int32_t)(uint32_t)v);
			break;
		case 'f': {
			const char *f = family_name((int32_t)(uint32_t)v);
			j = f ? json_string(f) : json_integer((int32_t)(uint32_t)v);
			if (o < cap) {
				if (f)
					o += (size_t)snprintf(detail + o, cap - o, " %s", f);
				else
					o += (size_t)snprintf(detail + o, cap - o, " family %d", (int32_t)(uint32_t)v);
			}
			break;
		}
		case 't': {
			const char *t = type_name((long)v);
			j = t ? json_string(t) : json_integer((int32_t)(uint32_t)v);
			if (o < cap && t)
				o += (size_t)snprintf(detail + o, cap - o, " %s", t);
			break;
		}
		case 'a':
			peek_sockaddr(tid, v, i + 1 < 6 ? d->args[i + 1] : 0, s, sizeof(s));
			j = json_string(s);
			if (o < cap)
				o += (size_t)snprintf(detail + o, cap - o, " %s", s);
			i++;	/* the length is shown in the address */
			break;
		case '-':
			continue;
		case 'x':
		default:
			snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
			j = json_string(s);
			/* Flags and requests say what was asked (clone's flags,
			 * ioctl's request); six raw words would only be noise. */
			if (o < cap && k[1] != 'x' && i < 2)
				o += (size_t)snprintf(detail + o, cap - o, " %s", s);
			break;
		}
		json_array_append_new(args, j ? j : json_null());
	}
}

/* The thread group (process) of a thread: audit records carry getpid(),
 * notifications a thread id. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	FILE *f;
	pid_t tgid = tid;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

int sbx_notify_handle(int fd, const struct sbx_policy *p, struct sbx_kdenial *out)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	uint64_t args[6];
	int r;

	memset(out, 0, sizeof(*out));
	r = seccomp_notify_alloc(&req, &resp);
	if (r < 0)
		return r;
	r = seccomp_notify_receive(fd, req);
	if (r < 0)
		goto out;	/* -ENOENT: the caller was killed meanwhile */
	for (int i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	sbx_seccomp_classify(p, req->data.nr, args, &out->v);
	/* Everything read from the caller is for the report only. */
	out->tid = (pid_t)req->pid;
	out->tgid = tgid_of(out->tid);
	out->args = json_array();
	describe(out->tid, &req->data, out->v.name, out->args, out->detail, sizeof(out->detail));
	/* The memory read above belonged to this very syscall only if the
	 * notification is still pending; otherwise the text is dropped. */
	if (seccomp_notify_id_valid(fd, req->id) < 0) {
		json_array_clear(out->args);
		snprintf(out->detail, sizeof(out->detail), "%s", out->v.name);
	}
	resp->id = req->id;
	resp->val = 0;
	resp->error = -out->v.err;
	resp->flags = 0;
	/* -ENOENT: the caller died before the answer; it is still a record. */
	r = seccomp_notify_respond(fd, resp);
	if (r == -ENOENT)
		r = 0;
	r = r < 0 ? r : 1;
out:
	seccomp_notify_free(req, resp);
	return r;
}
