/* run_audit.c: in the fallback without a view, a read Landlock refused to
 * native code (ctypes, a C extension) never passes the hook; the kernel
 * says so in an audit record (Landlock ABI 7, Linux 6.15), which the
 * supervisor reads on the audit netlink multicast group (CAP_AUDIT_READ)
 * and records as a bypass. Only the run's own domain counts: the kernel
 * names the domain's maker (the pid that called landlock_restrict_self)
 * in its first record, and only a maker that is our child makes a domain
 * ours. Every byte is hostile (llaudit.c parses it); nothing here changes
 * the machine's audit settings: where audit is off, the report says so. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "sbx_landlock.h"
#include "sbx_run.h"

/* The initial namespaces' fixed inode numbers (include/linux/proc_ns.h):
 * the kernel's records number processes in the first, and send the
 * group only in the second. */
#define INIT_PID_NS_INO 0xEFFFFFFCu
#define INIT_NET_NS_INO 0xEFFFFFF9u
#define LLA_BATCH 64			/* messages per readable event */
#define LLA_DRAIN_MS 500		/* the barrier's bound */
#define LLA_MSG_MAX 8970		/* the kernel's MAX_AUDIT_MESSAGE_LENGTH */

static bool in_init_ns(const char *ns, unsigned long ino)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) == 0 && st.st_ino == ino;
}

/* The kernel's audit_enabled, asked without waiting for the answer: the
 * kernel replies from a thread it starts for each request, and the send
 * itself waits until kthreadd has made that thread (1-5 ms on a busy
 * machine). The request goes out once the child is released, while it
 * sets itself up (sbx_lla_ask); the answer is read at READY (settle),
 * long since there by then. The socket, or -errno. */
static int ask_state(void)
{
	struct nlmsghdr h = { NLMSG_LENGTH(0), AUDIT_GET, NLM_F_REQUEST, 1, 0 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT), r;

	if (fd < 0)
		return -errno;
	if (send(fd, &h, h.nlmsg_len, 0) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The answer to ask_state: 0 or more, or -errno; closes the socket. */
static int state_reply(int fd)
{
	char buf[512] __attribute__((aligned(8)));
	struct pollfd pf = { fd, POLLIN, 0 };
	int r = -ETIMEDOUT;

	/* The reply, or an error; anything else is not ours. */
	for (int i = 0; r == -ETIMEDOUT && i < 4 && poll(&pf, 1, 1000) == 1; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		if (n < (ssize_t)NLMSG_HDRLEN || h->nlmsg_len > (size_t)n)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
			r = *(const int *)NLMSG_DATA(h) ?: -ETIMEDOUT;
		else if (h->nlmsg_type == AUDIT_GET &&
			 h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct audit_status)))
			r = (int)((const struct audit_status *)NLMSG_DATA(h))->enabled;
	}
	close(fd);
	return r;
}

__attribute__((format(printf, 2, 3)))
static void why_not(struct sup *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->lla.reason, sizeof(s->lla.reason), fmt, ap);
	va_end(ap);
}

/* What can be told before any socket: the reason otherwise. */
static bool may_read(struct sup *s)
{
	char abi[16];

	snprintf(abi, sizeof(abi), "%d", s->ll_abi);
	if (s->o->audit_only)
		why_not(s, "%s", "--audit-only: Landlock is not enforced");
	else if (s->ll_abi < 7)
		why_not(s, "Landlock ABI %s: its audit records need ABI 7 (Linux 6.15)",
			s->ll_abi > 0 ? abi : "none");
	else if (!in_init_ns("pid", INIT_PID_NS_INO) || !in_init_ns("net", INIT_NET_NS_INO))
		why_not(s, "%s", "sandboxpy runs in a container (not the initial PID and network "
			"namespaces), where the kernel's audit records do not reach it");
	return !s->lla.reason[0];
}

/* The reason the state st (audit_enabled, or -errno) gives, if any. */
static void state_reason(struct sup *s, int st)
{
	if (st == 0)
		why_not(s, "%s", "the kernel's audit is disabled (auditctl -e 1 enables it)");
	else if (st == -EPERM || st == -ECONNREFUSED)
		why_not(s, "%s", "not root: the kernel's audit records need CAP_AUDIT_READ (and "
			"CAP_AUDIT_CONTROL to see that audit is on)");
	else if (st < 0)
		why_not(s, "the kernel's audit cannot be reached (%s; CONFIG_AUDIT)", strerror(-st));
}

/* The audit state's answer, and the group's subscription, decide: the
 * reason the records are not read, in the order the checks were made
 * before the state was asked without waiting (the state first). */
static void settle(struct sup *s)
{
	int st;

	if (s->lla.state_fd < 0)
		return;
	st = state_reply(s->lla.state_fd);
	s->lla.state_fd = -1;
	state_reason(s, st);
	if (!s->lla.reason[0] && s->lla.bind_err)
		why_not(s, "the audit group cannot be read (%s; it needs CAP_AUDIT_READ)",
			strerror(s->lla.bind_err));
	if (s->lla.reason[0] && s->lla.fd >= 0) {
		close(s->lla.fd);
		s->lla.fd = -1;
	}
}

void sbx_lla_open(struct sup *s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
	uint64_t nonce;

	s->lla.fd = s->lla.state_fd = -1;
	if (!may_read(s))
		return;
	s->lla.ask = true;
	/* Subscribed before the child exists (run.c); the state's answer
	 * may yet close it (settle). */
	s->lla.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (s->lla.fd >= 0 && bind(s->lla.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getrandom(&nonce, sizeof(nonce), 0) == (ssize_t)sizeof(nonce)) {
		snprintf(s->lla.nonce, sizeof(s->lla.nonce), "sandboxpy-barrier-%016llx",
			 (unsigned long long)nonce);
		return;
	}
	s->lla.bind_err = errno ? errno : EIO;
	if (s->lla.fd >= 0)
		close(s->lla.fd);
	s->lla.fd = -1;
}

/* The state asked (ask_state). Its failure is the reason, before the
 * subscription's own (as settle decides), and closes the socket. */
void sbx_lla_ask(struct sup *s)
{
	int st;

	if (!s->lla.ask)
		return;
	s->lla.ask = false;
	if ((st = ask_state()) >= 0) {
		s->lla.state_fd = st;
		return;
	}
	state_reason(s, st);
	if (s->lla.fd >= 0)
		close(s->lla.fd);
	s->lla.fd = -1;
}

void sbx_lla_started(struct sup *s)
{
	char path[40];
	struct stat st;

	if (s->lla.fd < 0)
		return;
	s->lla.pid = s->pid;
	/* In a PID namespace the caller of landlock_restrict_self is the
	 * program, not our child (its init): it is ours when it is in the
	 * init's namespace. */
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)s->pid);
	if ((s->plan.ns.flags & CLONE_NEWPID) && stat(path, &st) == 0)
		s->lla.pidns = st.st_ino;
}

/* The maker's number inside its PID namespace (NSpid's last field), as
 * the report numbers processes; the host's number without one. */
static pid_t inside_pid(const struct sup *s, pid_t pid)
{
	char path[40], line[256];
	long last = 0;
	FILE *f;

	if (!s->lla.pidns)
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return pid;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *end = strrchr(line, '\t');
			last = end ? strtol(end + 1, NULL, 10) : 0;
			break;
		}
	fclose(f);
	return last > 0 ? (pid_t)last : pid;
}

/* In a PID namespace, the program: the init's one child once READY came
 * (it sent READY after landlock_restrict_self), while it still lives. */
static pid_t program_pid(const struct sup *s)
{
	char path[64];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)s->pid, (int)s->pid);
	if (!(f = fopen(path, "re")))
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0 || pid > 0x7fffffff)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

void sbx_lla_ready(struct sup *s, bool view)
{
	pid_t prog;

	char before[sizeof(s->lla.reason)];

	settle(s);
	if (view) {
		/* Outside the view native code meets ENOENT, not Landlock. */
		snprintf(before, sizeof(before), "%s", s->lla.reason);
		why_not(s, "not needed: the view is in force%s%.180s%s", before[0] ? " (without it: " : "",
			before, before[0] ? ")" : "");
		sbx_lla_close(s);
		return;
	}
	s->lla.on = s->lla.fd >= 0;
	/* Known now by its number, it is still ours if the kernel's record
	 * comes after its end (the namespace test needs it alive). */
	if (s->lla.on && s->lla.pidns && (prog = program_pid(s)) > 0) {
		s->lla.pid = prog;
		s->lla.maker = inside_pid(s, prog);
	}
}

/* The maker of a domain the kernel names is our sandbox's process. */
static bool ours(const struct sup *s, pid_t pid)
{
	char path[40];
	struct stat st;

	if (pid == s->lla.pid)
		return true;
	if (!s->lla.pidns)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == s->lla.pidns;
}


/* "fs.read_file", "fs.read_dir" or both: a read and nothing else. */
static bool only_reads(const char *blockers)
{
	char b[sizeof(((struct sbx_lla_rec *)0)->blockers)], *save = NULL;

	snprintf(b, sizeof(b), "%s", blockers);
	for (char *t = strtok_r(b, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strcmp(t, "fs.read_file") != 0 && strcmp(t, "fs.read_dir") != 0)
			return false;
	return blockers[0] != 0;
}

/* The pending ACCESS record, its event over: recorded when ours. */
static void flush(struct sup *s)
{
	struct sbx_lla_rec *r = &s->lla.pending;
	char *name = NULL;

	if (!s->lla.has_pending)
		return;
	s->lla.has_pending = false;
	if (!s->lla.domain || r->domain != s->lla.domain || !only_reads(r->blockers))
		return;
	if (s->lla.probe) {
		s->lla.recorded++;	/* --self-test: counted, no run to record it in */
		return;
	}
	if (r->syscall >= 0)
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)r->syscall);
	s->lla.recorded++;
	sbx_on_landlock_read(s, r->path, name ? name : "unknown", r->pid ? r->pid : s->lla.maker);
	free(name);
}

static void on_record(struct sup *s, int type, const char *text, size_t len)
{
	struct sbx_lla_rec r;

	if (type == AUDIT_USER) {
		if (s->lla.nonce[0] && memmem(text, len, s->lla.nonce, strlen(s->lla.nonce)))
			s->lla.barrier_seen = true;
		return;
	}
	if (type != SBX_AUDIT_SYSCALL && type != SBX_AUDIT_LANDLOCK_ACCESS &&
	    type != SBX_AUDIT_LANDLOCK_DOMAIN)
		return;
	if (sbx_lla_parse(type, text, len, &r) < 0) {
		s->lla.junk++;
		return;
	}
	if (s->lla.has_pending && r.serial != s->lla.pending.serial)
		flush(s);
	if (r.kind == SBX_LLA_ACCESS) {
		flush(s);
		s->lla.pending = r;
		s->lla.pending.syscall = -1;
		s->lla.pending.pid = 0;
		s->lla.has_pending = true;
	} else if (r.kind == SBX_LLA_ALLOCATED && !s->lla.domain && ours(s, r.pid)) {
		s->lla.domain = r.domain;
		if (r.pid != s->lla.pid || !s->lla.maker)
			s->lla.maker = inside_pid(s, r.pid);
	} else if (r.kind == SBX_LLA_DEALLOCATED && s->lla.domain && r.domain == s->lla.domain) {
		s->lla.kernel_count = r.denials;
		s->lla.dealloc_seen = true;
	} else if (r.kind == SBX_LLA_SYSCALL && s->lla.has_pending) {
		/* The call and the process that made it (a program the run
		 * started shares the domain), numbered as the report numbers. */
		s->lla.pending.syscall = r.syscall;
		s->lla.pending.pid = !r.pid ? 0 : r.pid == s->lla.pid && s->lla.maker ? s->lla.maker
				     : inside_pid(s, r.pid);
	}
}

/* One datagram: the kernel's (port 0) only; each netlink message in it. */
static void on_datagram(struct sup *s, const char *buf, size_t n, const struct sockaddr_nl *from)
{
	if (from->nl_pid != 0)
		return;
	/* The kernel's audit messages are not padded to NLMSG_ALIGN: the
	 * last one may end before its aligned length (NLMSG_NEXT would run
	 * past the datagram). */
	for (size_t off = 0; n - off >= NLMSG_HDRLEN;) {
		const struct nlmsghdr *h = (const void *)(buf + off);
		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > n - off)
			break;
		on_record(s, h->nlmsg_type, buf + off + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN);
		if (NLMSG_ALIGN(h->nlmsg_len) >= n - off)
			break;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
}

void sbx_lla_read(struct sup *s)
{
	/* A whole message and its header; aligned for nlmsghdr. */
	static _Thread_local char buf[LLA_MSG_MAX + 64] __attribute__((aligned(8)));

	for (int i = 0; s->lla.on && i < LLA_BATCH; i++) {
		struct sockaddr_nl from = { 0 };
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->lla.fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&from, &fl);
		if (n < 0 && errno == ENOBUFS) {
			s->lla.junk++;		/* the group outran us: records lost */
			s->lla.overrun = true;
			continue;
		}
		if (n < 0)
			break;
		if ((size_t)n > sizeof(buf)) {
			s->lla.junk++;		/* longer than any record: cut, unread */
			continue;
		}
		on_datagram(s, buf, (size_t)n, &from);
	}
}

/* Our own text into the queue: the kernel hands records out in order,
 * so once it comes back every record of the run queued before is read. */
static bool send_barrier(struct sup *s)
{
	struct {
		struct nlmsghdr h;
		char text[64];
	} m = { { 0 }, { 0 } };
	size_t n = strlen(s->lla.nonce) + 1;

	memcpy(m.text, s->lla.nonce, n);
	m.h = (struct nlmsghdr){ (uint32_t)NLMSG_LENGTH(n), AUDIT_USER, NLM_F_REQUEST, 2, 0 };
	return send(s->lla.fd, &m, m.h.nlmsg_len, 0) == (ssize_t)m.h.nlmsg_len;
}

void sbx_lla_drain(struct sup *s)
{
	struct timespec t0;
	bool barrier;

	if (!s->lla.on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	barrier = send_barrier(s);
	/* Without CAP_AUDIT_WRITE no barrier: a short grace instead. */
	for (;;) {
		double left = (barrier ? LLA_DRAIN_MS : 50) - sbx_since(&t0) * 1000;
		struct pollfd pf = { s->lla.fd, POLLIN, 0 };
		if (s->lla.barrier_seen || left <= 0 || poll(&pf, 1, (int)left + 1) <= 0)
			break;
		sbx_lla_read(s);
	}
	flush(s);
}

void sbx_lla_close(struct sup *s)
{
	if (s->lla.fd >= 0)
		close(s->lla.fd);
	if (s->lla.state_fd >= 0)
		close(s->lla.state_fd);
	s->lla.fd = s->lla.state_fd = -1;
}

json_t *sbx_lla_json(const struct sup *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "active", json_boolean(s->lla.on));
	if (!s->lla.on) {
		json_object_set_new(o, "reason", json_string(s->lla.reason[0] ? s->lla.reason
							     : "set-up did not finish"));
		return o;
	}
	json_object_set_new(o, "recorded", json_integer((json_int_t)s->lla.recorded));
	json_object_set_new(o, "malformed", json_integer((json_int_t)s->lla.junk));
	/* Complete only when the barrier came back and nothing overran. */
	json_object_set_new(o, "complete", json_boolean(s->lla.barrier_seen && !s->lla.overrun));
	if (s->lla.dealloc_seen)	/* the kernel's own count, when its domain ended in time */
		json_object_set_new(o, "kernel_count", json_integer((json_int_t)s->lla.kernel_count));
	return o;
}

/* --self-test's probe: a process of our own refused one read under a
 * Landlock domain made as the sandbox makes it. */
static void probe_child(void)
{
	struct {
		uint64_t fs, net, scoped;
	} attr = { 1ULL << 2, 0, 0 };		/* LANDLOCK_ACCESS_FS_READ_FILE */
	int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr.fs), 0);

	if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_landlock_restrict_self, fd, 6) < 0)	/* LOG_NEW_EXEC_ON | LOG_SUBDOMAINS_OFF */
		_exit(1);
	_exit(open("/proc/self/exe", O_RDONLY | O_CLOEXEC) < 0 && errno == EACCES ? 0 : 1);
}

bool sbx_lla_self_test(char *why, size_t len)
{
	struct sbx_run_opts o = { 0 };
	struct sup s = { .o = &o, .lla = { .fd = -1, .state_fd = -1, .probe = true } };
	int st = -1;

	s.ll_abi = sbx_landlock_abi();
	sbx_lla_open(&s);
	sbx_lla_ask(&s);
	settle(&s);
	if (s.lla.fd >= 0 && (s.pid = fork()) == 0)
		probe_child();
	if (s.lla.fd >= 0 && s.pid > 0 && waitpid(s.pid, &st, 0) == s.pid && st == 0) {
		s.lla.pid = s.pid;
		s.lla.maker = s.pid;
		s.lla.on = true;
		sbx_lla_drain(&s);
		if (!s.lla.recorded)
			why_not(&s, "%s", "the kernel gave no record of a probe's refused read "
				"(audit rules exclude it, or a full backlog)");
	} else if (s.lla.fd >= 0) {
		why_not(&s, "%s", "the probe could not make its Landlock domain");
	}
	sbx_lla_close(&s);
	snprintf(why, len, "%s", s.lla.reason);
	return s.lla.recorded > 0;
}
