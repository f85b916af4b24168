/* notify.c: the supervisor's side of seccomp user notification. Every
 * syscall the filter did not allow arrives here: classify it by the same
 * tables that built the filter, read what it was aimed at (a path, a socket
 * address) from the caller's memory for the report, and answer it with an
 * error. Never "continue": what is read from the child only describes the
 * refusal, it never decides one, so a thread that rewrites the memory
 * meanwhile changes nothing but the report's text.
 *
 * The one exception is a write by path (open for writing, mkdir, rename,
 * chmod, ...): the supervisor resolves the target and lets the call
 * continue when it lies in a writable tree, because the kernel decides
 * again on the real file (Landlock), so a path swapped after the check
 * cannot widen access; a target outside is refused and reported. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "sbx_hook.h"
#include "sbx_notify_net.h"
#include "sbx_supervisor.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* How to show each argument: p a path (string in the caller's memory),
 * i an int, x a hex number, f a socket family, t a socket type, a a socket
 * address whose length is the next argument, - skip. Unlisted syscalls
 * show six hex numbers. */
static const struct {
	const char *name;
	const char *kinds;
} arg_kinds[] = {
	{ "execve", "p" }, { "execveat", "ip-x" },
	{ "open", "px" }, { "openat", "ipx" }, { "openat2", "ip" }, { "creat", "px" },
	{ "fork", "" }, { "vfork", "" }, { "clone", "x" },
	{ "socket", "fti" }, { "connect", "ia" }, { "bind", "ia" }, { "listen", "ii" },
	{ "sendto", "i---a" }, { "sendmsg", "ix" }, { "sendmmsg", "ixi" },
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

/* Operands of writes by path: d a directory descriptor for the next path,
 * p a path whose last symlink is followed, n one whose last component is
 * the object itself (unlink, rename, lchown), P a path that may be NULL
 * (then the descriptor before it is the target), F a descriptor, s a
 * string that is not checked, H openat2's struct open_how, - skip. */
static const struct {
	const char *name;
	const char *ops;
} write_ops[] = {
	{ "open", "p" }, { "openat", "dp" }, { "openat2", "dpH" }, { "creat", "p" },
	{ "mkdir", "n" }, { "mkdirat", "dn" }, { "rmdir", "n" }, { "unlink", "n" },
	{ "unlinkat", "dn" }, { "rename", "nn" }, { "renameat", "dndn" }, { "renameat2", "dndn" },
	{ "link", "nn" }, { "linkat", "dndn" }, { "symlink", "sn" }, { "symlinkat", "sdn" },
	{ "mknod", "n" }, { "mknodat", "dn" }, { "truncate", "p" },
	{ "chmod", "p" }, { "fchmod", "F" }, { "fchmodat", "dp" }, { "fchmodat2", "dp" },
	{ "chown", "p" }, { "fchown", "F" }, { "lchown", "n" }, { "fchownat", "dp" },
	{ "utime", "p" }, { "utimes", "p" }, { "utimensat", "dP" }, { "futimesat", "dP" },
	{ "setxattr", "p" }, { "lsetxattr", "n" }, { "fsetxattr", "F" },
	{ "removexattr", "p" }, { "lremovexattr", "n" }, { "fremovexattr", "F" },
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
			const char *f = sbx_net_family_name((int32_t)(uint32_t)v);
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
			const char *t = sbx_net_type_name((long)v);
			j = t ? json_string(t) : json_integer((int32_t)(uint32_t)v);
			if (o < cap && t)
				o += (size_t)snprintf(detail + o, cap - o, " %s", t);
			break;
		}
		case 'a':
			sbx_net_describe_addr(tid, v, i + 1 < 6 ? d->args[i + 1] : 0, s, sizeof(s));
			j = json_string(s);
			if (o < cap)
				o += (size_t)snprintf(detail + o, cap - o, " %s", s);
			break;	/* the length argument is not listed in kinds */
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

/* A NUL-terminated string from the caller, raw; its length or -1. */
static ssize_t peek_str(pid_t tid, uint64_t addr, char *buf, size_t cap)
{
	ssize_t n = peek(tid, addr, buf, cap - 1);

	if (n <= 0) {
		size_t first = 4096 - (addr & 4095);
		n = peek(tid, addr, buf, first < cap - 1 ? first : cap - 1);
	}
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (strnlen(buf, (size_t)n) == (size_t)n) {
		/* Crossed a page: read on from the boundary. */
		size_t have = (size_t)n;
		ssize_t m = peek(tid, addr + have, buf + have, cap - 1 - have);
		if (m <= 0)
			return -1;
		buf[have + (size_t)m] = '\0';
		if (strnlen(buf, have + (size_t)m) == have + (size_t)m)
			return -1;	/* longer than PATH_MAX */
	}
	return (ssize_t)strlen(buf);
}

/* readlink of /proc/PID/fd/FD or /proc/PID/task/TID/cwd of the caller. */
static int proc_link(bool cwd, pid_t pid, long n_, char *out, size_t cap)
{
	char link[96];
	ssize_t n;

	if (cwd)
		snprintf(link, sizeof(link), "/proc/%d/task/%ld/cwd", pid, n_);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%ld", pid, n_);
	n = readlink(link, out, cap - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

/* The object a path operand names, as the caller would reach it: relative
 * paths against its directory descriptor or its thread's cwd, /proc/self
 * as the caller's own. follow: resolve the last component's symlink too. */
static int target_of(pid_t tid, pid_t tgid, long dirfd, const char *path, bool follow,
		     char *out, size_t cap)
{
	char abs[PATH_MAX * 2], base[PATH_MAX], tmp[PATH_MAX];
	const char *rest;

	if (path[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", path);
	} else {
		int r = dirfd == AT_FDCWD ? proc_link(true, tgid, tid, base, sizeof(base))
					  : proc_link(false, tgid, dirfd, base, sizeof(base));
		if (r < 0)
			return r;
		if (base[0] != '/')
			return -ENOTDIR;
		snprintf(abs, sizeof(abs), "%s/%s", base, path);
	}
	/* The caller's /proc/self is not ours. */
	if ((rest = strncmp(abs, "/proc/self", 10) == 0 && (!abs[10] || abs[10] == '/') ? abs + 10 : NULL)) {
		snprintf(tmp, sizeof(tmp), "/proc/%d%s", tgid, rest);
		snprintf(abs, sizeof(abs), "%s", tmp);
	} else if ((rest = strncmp(abs, "/proc/thread-self", 17) == 0 && (!abs[17] || abs[17] == '/')
			   ? abs + 17 : NULL)) {
		snprintf(tmp, sizeof(tmp), "/proc/%d/task/%d%s", tgid, tid, rest);
		snprintf(abs, sizeof(abs), "%s", tmp);
	}
	if (strlen(abs) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!follow) {
		/* Resolve the directory; the last component is the object. */
		char *slash;
		size_t len = strlen(abs);
		while (len > 1 && abs[len - 1] == '/')
			abs[--len] = '\0';
		slash = strrchr(abs, '/');
		if (slash && strcmp(slash + 1, ".") && strcmp(slash + 1, "..") && slash[1]) {
			char dir[PATH_MAX], real[PATH_MAX];
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - abs) ? (int)(slash - abs) : 1, abs);
			if (sbx_path_resolve(dir, -1, real, sizeof(real)) < 0)
				return -ENOENT;
			if ((size_t)snprintf(out, cap, "%s%s%s", real, strcmp(real, "/") ? "/" : "", slash + 1) >= cap)
				return -ENAMETOOLONG;
			return 0;
		}
	}
	return sbx_path_resolve(abs, -1, out, cap);
}

static bool under_any(const char *path, char *const *roots)
{
	for (char *const *r = roots; r && *r; r++)
		if (sbx_path_under(path, *r))
			return true;
	return false;
}

/* A write by path: 1 to let it continue to the kernel, 0 to refuse it
 * (detail then names the target), -1 when nothing needs checking (a
 * read-only openat2). */
static int check_write(pid_t tid, pid_t tgid, const struct seccomp_data *d, const char *name,
		       char *const *roots, char *detail, size_t cap, char *last, size_t last_cap)
{
	const char *ops = NULL;
	long dirfd = AT_FDCWD;
	char path[PATH_MAX], target[PATH_MAX];

	for (size_t i = 0; i < sizeof(write_ops) / sizeof(write_ops[0]); i++)
		if (strcmp(write_ops[i].name, name) == 0)
			ops = write_ops[i].ops;
	if (!ops || !roots || !*roots)
		return 0;
	for (int i = 0; ops[i] && i < 6; i++) {
		uint64_t v = d->args[i];
		bool follow = ops[i] == 'p' || ops[i] == 'P';
		switch (ops[i]) {
		case 'd':
			dirfd = (int32_t)(uint32_t)v;
			continue;
		case 'H': {
			struct open_how how;
			if (peek(tid, v, &how, sizeof(how)) != (ssize_t)sizeof(how))
				return 0;
			if (!(how.flags & (O_ACCMODE | O_CREAT | O_TRUNC)))
				return -1;
			continue;
		}
		case 'F':
			if (proc_link(false, tgid, (int32_t)(uint32_t)v, target, sizeof(target)) < 0)
				return 0;
			/* Pipes, sockets, anonymous and deleted files: no path to
			 * protect outside. */
			if (target[0] != '/' || strstr(target, " (deleted)"))
				continue;
			if (!under_any(target, roots)) {
				snprintf(detail, cap, "%s '%s'", name, target);
				return 0;
			}
			continue;
		case 'p':
		case 'n':
		case 'P':
			if (!v && ops[i] == 'P') {
				if (dirfd == AT_FDCWD ||
				    proc_link(false, tgid, dirfd, target, sizeof(target)) < 0)
					return 0;
			} else if (peek_str(tid, v, path, sizeof(path)) < 0 ||
				   target_of(tid, tgid, dirfd, path, follow, target, sizeof(target)) < 0) {
				snprintf(detail, cap, "%s <a path sandboxpy could not resolve>", name);
				return 0;
			}
			if (!under_any(target, roots)) {
				snprintf(detail, cap, "%s '%s'", name, target);
				return 0;
			}
			if (last)
				snprintf(last, last_cap, "%s", target);
			dirfd = AT_FDCWD;
			continue;
		default:
			continue;
		}
	}
	return 1;
}

/* A program to start, against process.exec_allow: 1 to continue, 0 to
 * refuse (detail names the program). Resolved as the kernel would,
 * symlinks followed; execveat with AT_EMPTY_PATH names a descriptor. */
static int check_exec(pid_t tid, pid_t tgid, const struct seccomp_data *d, const char *name,
		      const struct sbx_policy *p, char *detail, size_t cap)
{
	bool at = strcmp(name, "execveat") == 0;
	char path[PATH_MAX], target[PATH_MAX], real[PATH_MAX];
	long dirfd = at ? (int32_t)(uint32_t)d->args[0] : AT_FDCWD;

	if (peek_str(tid, d->args[at ? 1 : 0], path, sizeof(path)) < 0)
		return 0;
	if (at && !path[0] && (d->args[4] & AT_EMPTY_PATH)) {
		if (proc_link(false, tgid, dirfd, target, sizeof(target)) < 0)
			return 0;
	} else if (target_of(tid, tgid, dirfd, path, true, target, sizeof(target)) < 0) {
		return 0;
	}
	snprintf(detail, cap, "%s '%s'", name, target);
	for (size_t i = 0; i < p->process.exec_allow.n; i++)
		if (strcmp(target, p->process.exec_allow.v[i]) == 0 ||
		    (realpath(p->process.exec_allow.v[i], real) && strcmp(target, real) == 0))
			return 1;
	return 0;
}

/* The last number of a "NStgid:"/"NSpid:" line: the id in the innermost
 * namespace, the one the program sees (os.getpid()) and the audit hook
 * reports. */
static pid_t last_id(const char *line)
{
	const char *sp = strrchr(line, '\t');
	const char *sp2 = strrchr(line, ' ');

	if (!sp || (sp2 && sp2 > sp))
		sp = sp2;
	return sp ? (pid_t)atoi(sp + 1) : 0;
}

/* The caller's filesystem uid and gid (the fourth field of Uid:/Gid:). */
static bool fs_ids(pid_t tid, uid_t *uid, gid_t *gid)
{
	char path[64], line[256];
	unsigned a, b, c, fs;
	int got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (!(f = fopen(path, "re")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &fs) == 4)
			*uid = fs, got |= 1;
		else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &fs) == 4)
			*gid = fs, got |= 2;
	fclose(f);
	return got == 3;
}

/* chmod of a checked target, done by the supervisor: Landlock does not
 * cover chmod, so letting the call continue would let a thread swap the
 * path after the check (adversarial case 039). The target is opened
 * through the caller's root with no symlink followed (the path is already
 * resolved: a link appearing meanwhile fails the open), and changed with
 * the caller's filesystem ids, so file permissions (and an idmapped
 * mount's mapping) decide as they would for the caller. false: not done,
 * let the call continue as before. */
static bool chmod_on_behalf(pid_t tid, const struct seccomp_data *d, const char *name,
			    const char *target, struct seccomp_notif_resp *resp)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	bool at = strcmp(name, "chmod") != 0;
	mode_t mode = (mode_t)d->args[at ? 2 : 1];
	char root[64], fdpath[64];
	uid_t uid, old_uid;
	gid_t gid, old_gid;
	int rootfd, fd, r;

	if ((strcmp(name, "fchmodat2") == 0 && d->args[3]) || !fs_ids(tid, &uid, &gid))
		return false;		/* flags (AT_SYMLINK_NOFOLLOW...): as before */
	snprintf(root, sizeof(root), "/proc/%d/root", tid);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return false;
	fd = (int)syscall(SYS_openat2, rootfd, target[0] == '/' ? target + 1 : target, &how, sizeof(how));
	close(rootfd);
	resp->flags = 0;
	resp->val = 0;
	if (fd < 0) {
		resp->error = -errno;	/* gone or changed under us: refused */
		return true;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	old_gid = (gid_t)setfsgid(gid);
	old_uid = (uid_t)setfsuid(uid);
	r = chmod(fdpath, mode);
	resp->error = r < 0 ? -errno : 0;
	setfsuid(old_uid);
	setfsgid(old_gid);
	close(fd);
	return true;
}

/* The thread group (process) of a thread, and both as the sandbox sees
 * them: audit records carry getpid() inside its PID namespace,
 * notifications the thread's id in ours. */
static void ids_of(pid_t tid, pid_t *tgid, pid_t *ns_tgid, pid_t *ns_tid)
{
	char path[64], line[256];
	FILE *f;

	*tgid = *ns_tgid = *ns_tid = tid;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Tgid:", 5) == 0)
			*tgid = (pid_t)atoi(line + 5);
		else if (strncmp(line, "NStgid:", 7) == 0)
			*ns_tgid = last_id(line);
		else if (strncmp(line, "NSpid:", 6) == 0)
			*ns_tid = last_id(line);
	}
	fclose(f);
}

/* Sends resp for notification id: 2 (answered, nothing to record), or
 * -errno when the listener failed; a caller already gone is no failure. */
static int send_answer(int fd, struct seccomp_notif_resp *resp, uint64_t id)
{
	int r;

	resp->id = id;
	r = seccomp_notify_respond(fd, resp);
	/* libseccomp 2.5 reports every failed ioctl as -ECANCELED, the cause
	 * in errno: a caller killed before its answer is ENOENT, not a broken
	 * listener. */
	if (r == -ECANCELED && errno == ENOENT)
		r = -ENOENT;
	return r >= 0 || r == -ENOENT ? 2 : r;
}

static int answer(int fd, struct seccomp_notif_resp *resp, uint64_t id, int error, uint32_t flags)
{
	resp->val = 0;
	resp->error = error;
	resp->flags = flags;
	return send_answer(fd, resp, id);
}

int sbx_notify_handle(int fd, const struct sbx_policy *p, int chan, char *const *write_roots,
		      bool audit_only, struct sbx_kdenial *out)
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
	if (r == -ECANCELED && (errno == ENOENT || errno == EINTR))
		r = -errno;	/* libseccomp's -ECANCELED, errno says why */
	if (r < 0)
		goto out;	/* -ENOENT: the caller was killed meanwhile */
	for (int i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	sbx_seccomp_classify(p, chan, req->data.nr, args, &out->v);
	/* Everything read from the caller is for the report only. */
	out->tid = (pid_t)req->pid;
	ids_of(out->tid, &out->tgid, &out->ns_tgid, &out->ns_tid);
	out->args = json_array();
	describe(out->tid, &req->data, out->v.name, out->args, out->detail, sizeof(out->detail));
	if (out->v.check_write) {
		char last[PATH_MAX] = "";
		int c = check_write(out->tid, out->tgid, &req->data, out->v.name, write_roots,
				    out->detail, sizeof(out->detail), last, sizeof(last));
		if (c == 1 && last[0] && strstr(out->v.name, "chmod") && seccomp_notify_id_valid(fd, req->id) == 0 &&
		    chmod_on_behalf(out->tid, &req->data, out->v.name, last, resp)) {
			r = send_answer(fd, resp, req->id);
			goto out;
		}
		if (c != 0 && seccomp_notify_id_valid(fd, req->id) == 0) {
			/* In a writable tree (or not a write at all): on to the
			 * kernel, where Landlock judges the real file. */
			r = answer(fd, resp, req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
			goto out;
		}
		out->v.err = EACCES;
	}
	if (out->v.check_exec) {
		if (check_exec(out->tid, out->tgid, &req->data, out->v.name, p, out->detail,
			       sizeof(out->detail)) && seccomp_notify_id_valid(fd, req->id) == 0) {
			r = answer(fd, resp, req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
			goto out;
		}
		out->v.err = EACCES;
	}
	if (out->v.check_net && seccomp_notify_id_valid(fd, req->id) == 0) {
		/* Judged and performed by the supervisor on a private copy, as
		 * the caller (notify_net.c): the call never continues. */
		struct sbx_net_call call = { out->tid, out->tgid, &req->data, out->v.name, p, write_roots };
		char why[200];
		int e = 0;
		if (sbx_net_handle(&call, resp, &e, why, sizeof(why)) == 1) {
			r = send_answer(fd, resp, req->id);
			goto out;
		}
		if (e)
			out->v.err = e;
		if (why[0]) {
			size_t o = strlen(out->detail);
			snprintf(out->detail + o, sizeof(out->detail) - o, "%s", why);
		}
	}
	/* The memory read above belonged to this very syscall only if the
	 * notification is still pending; otherwise the text is dropped. */
	if (seccomp_notify_id_valid(fd, req->id) < 0) {
		json_array_clear(out->args);
		snprintf(out->detail, sizeof(out->detail), "%s", out->v.name);
	}
	/* The channel's descriptor: refused, nothing to report. */
	if (out->v.quiet) {
		r = answer(fd, resp, req->id, -out->v.err, 0);
		goto out;
	}
	/* --audit-only: recorded as a would-be refusal, and on to the kernel. */
	if (audit_only) {
		r = answer(fd, resp, req->id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		r = r < 0 ? r : 1;
		goto out;
	}
	/* A kill: no answer at all. The caller stays blocked in the syscall
	 * until the supervisor's SIGKILL reaches it, so not one more
	 * instruction of the program runs after the violation. */
	if (out->v.kill) {
		r = 1;
		goto out;
	}
	/* A refusal: answered, and a record (even if the caller died first). */
	r = answer(fd, resp, req->id, -out->v.err, 0);
	r = r < 0 ? r : 1;
out:
	seccomp_notify_free(req, resp);
	return r;
}
