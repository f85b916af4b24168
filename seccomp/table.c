/* seccomp/table.c: the syscall allowlist as data, read top to bottom. Each
 * row names a syscall, the policy rule id it belongs to, and when it is
 * allowed (SC_IF_RULE: when that rule's boolean is true, read through the
 * rule registry, policy/rules.c). Anything not allowed reaches the supervisor through user
 * notification and is answered EPERM (a rule) or ENOSYS (not in any
 * table). The filter builder, the supervisor's classifier and --explain all
 * read these rows, so they cannot disagree. x86_64 names; a name the
 * running libseccomp does not know is skipped. */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/xattr.h>
#include <linux/sched.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/socket.h>

#include "sbx_sc_table.h"
#include "sbx_seccomp.h"

#define ROW(n, r, w)	{ .syscall = n, .rule = r, .when = w }
#define RUN(n)		ROW(n, SBX_RULE_NONE, SC_ALWAYS)
#define NEVER(n)	ROW(n, SBX_RULE_SYSTEM, SC_NEVER)

/* Namespace flags: a clone that asks for one is a namespace escape tool,
 * refused whatever the policy (namespaces are set up before the filter). */
#define SBX_CLONE_NS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		      CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | 0x00000080ULL /* NEWTIME */)

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

/* Plain I/O on descriptors the sandbox already holds. */
static const struct sbx_sc_row basic_io[] = {
	RUN("read"), RUN("write"), RUN("readv"), RUN("writev"),
	RUN("pread64"), RUN("pwrite64"), RUN("preadv"), RUN("pwritev"),
	RUN("preadv2"), RUN("pwritev2"), RUN("lseek"), RUN("dup"), RUN("fcntl"),
	/* The channel to the supervisor (descriptor 3, or 4 in a sandboxpy
	 * nested in another, whose 3 is the outer one's): closing it, or
	 * putting another socket in its place, would silence the hook's
	 * records. Those calls get EBADF, as if it were not open. */
	{ .syscall = "close", .rule = SBX_RULE_NONE, .when = SC_ALWAYS, .cond = "not the channel",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_EXCEPT32, .val = { SC_CHAN }, .n_val = 1 } } },
	{ .syscall = "close", .rule = SBX_RULE_NONE, .when = SC_EBADF, .cond = "the channel",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { SC_CHAN } } } },
	{ .syscall = "dup2", .rule = SBX_RULE_NONE, .when = SC_ALWAYS, .cond = "not onto the channel",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_EXCEPT32, .val = { SC_CHAN }, .n_val = 1 } } },
	{ .syscall = "dup2", .rule = SBX_RULE_NONE, .when = SC_EBADF, .cond = "onto the channel",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { SC_CHAN } } } },
	{ .syscall = "dup3", .rule = SBX_RULE_NONE, .when = SC_ALWAYS, .cond = "not onto the channel",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_EXCEPT32, .val = { SC_CHAN }, .n_val = 1 } } },
	{ .syscall = "dup3", .rule = SBX_RULE_NONE, .when = SC_EBADF, .cond = "onto the channel",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { SC_CHAN } } } },
	{ .syscall = "close_range", .rule = SBX_RULE_NONE, .when = SC_ALWAYS, .cond = "above the channel",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_GE32, .val = { SC_CHAN } } } },
	{ .syscall = "close_range", .rule = SBX_RULE_NONE, .when = SC_ALWAYS, .cond = "up to descriptor 2",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_IN32, .val = { 0, 1, 2 }, .n_val = 3 } } },
	ROW("close_range", SBX_RULE_NONE, SC_EBADF),
	/* Terminal input injection is refused (below); other requests pass,
	 * device ioctls are Landlock's (ABI 5). */
	{ .syscall = "ioctl", .rule = SBX_RULE_NONE, .when = SC_ALWAYS,
	  .cond = "request is not TIOCSTI or TIOCLINUX", .n_arg = 1,
	  .a = { { .arg = 1, .op = SC_EXCEPT32, .val = { TIOCSTI, TIOCLINUX }, .n_val = 2 } } },
	RUN("pipe"), RUN("pipe2"), RUN("select"), RUN("pselect6"), RUN("poll"), RUN("ppoll"),
	RUN("epoll_create"), RUN("epoll_create1"), RUN("epoll_ctl"), RUN("epoll_wait"),
	RUN("epoll_pwait"), RUN("epoll_pwait2"), RUN("eventfd"), RUN("eventfd2"),
	RUN("signalfd"), RUN("signalfd4"), RUN("timerfd_create"), RUN("timerfd_settime"),
	RUN("timerfd_gettime"), RUN("sendfile"), RUN("splice"), RUN("tee"), RUN("vmsplice"),
	RUN("copy_file_range"), RUN("flock"), RUN("fsync"), RUN("fdatasync"), RUN("sync"),
	RUN("syncfs"), RUN("sync_file_range"), RUN("fadvise64"), RUN("readahead"),
	RUN("ftruncate"), RUN("fallocate"),
	RUN("inotify_init"), RUN("inotify_init1"), RUN("inotify_add_watch"), RUN("inotify_rm_watch"),
	RUN("io_setup"), RUN("io_destroy"), RUN("io_getevents"), RUN("io_pgetevents"),
	RUN("io_submit"), RUN("io_cancel"),
};

static const struct sbx_sc_row memory[] = {
	RUN("brk"), RUN("mmap"), RUN("munmap"), RUN("mremap"), RUN("mprotect"),
	RUN("madvise"), RUN("msync"), RUN("mincore"), RUN("mlock"), RUN("mlock2"),
	RUN("munlock"), RUN("mlockall"), RUN("munlockall"), RUN("membarrier"),
	/* A memfd is a file the program writes that Landlock does not judge,
	 * and a library can dlopen it through /proc/self/fd/N: only where the
	 * policy already lets the program run native code (issue 15 item 3). */
	ROW("memfd_create", SBX_RULE_CTYPES, SC_IF_MEMFD),
	RUN("pkey_alloc"), RUN("pkey_free"), RUN("pkey_mprotect"),
	RUN("mbind"), RUN("set_mempolicy"), RUN("get_mempolicy"),
	RUN("set_mempolicy_home_node"), RUN("remap_file_pages"),
};

static const struct sbx_sc_row time_[] = {
	RUN("clock_gettime"), RUN("clock_getres"), RUN("clock_nanosleep"), RUN("nanosleep"),
	RUN("gettimeofday"), RUN("time"), RUN("times"), RUN("alarm"), RUN("getitimer"),
	RUN("setitimer"), RUN("timer_create"), RUN("timer_settime"), RUN("timer_gettime"),
	RUN("timer_getoverrun"), RUN("timer_delete"),
};

static const struct sbx_sc_row signals[] = {
	RUN("rt_sigaction"), RUN("rt_sigprocmask"), RUN("rt_sigreturn"), RUN("rt_sigpending"),
	RUN("rt_sigtimedwait"), RUN("rt_sigsuspend"), RUN("sigaltstack"), RUN("pause"),
	RUN("restart_syscall"), RUN("tgkill"), RUN("tkill"), RUN("rt_sigqueueinfo"),
	RUN("rt_tgsigqueueinfo"), RUN("pidfd_open"), RUN("pidfd_send_signal"),
	/* kill(-1) signals every process the user may signal: outside. */
	{ .syscall = "kill", .rule = SBX_RULE_SIGNAL, .when = SC_ALWAYS,
	  .cond = "pid is not -1", .n_arg = 1,
	  .a = { { .arg = 0, .op = SC_EXCEPT32, .val = { 0xffffffffULL }, .n_val = 1 } } },
	ROW("kill", SBX_RULE_SIGNAL, SC_IF_RULE),
};

/* The process itself, its threads and its identity. Changing ids needs
 * capabilities the child no longer has; the kernel refuses. */
static const struct sbx_sc_row process[] = {
	RUN("exit"), RUN("exit_group"), RUN("wait4"), RUN("waitid"),
	RUN("getpid"), RUN("getppid"), RUN("gettid"), RUN("getpgrp"), RUN("getpgid"),
	RUN("setpgid"), RUN("getsid"), RUN("setsid"),
	RUN("getuid"), RUN("geteuid"), RUN("getgid"), RUN("getegid"), RUN("getresuid"),
	RUN("getresgid"), RUN("getgroups"), RUN("setuid"), RUN("setgid"), RUN("setreuid"),
	RUN("setregid"), RUN("setresuid"), RUN("setresgid"), RUN("setfsuid"), RUN("setfsgid"),
	RUN("setgroups"), RUN("capget"), RUN("capset"),
	RUN("prctl"), RUN("arch_prctl"), RUN("set_tid_address"), RUN("set_robust_list"),
	RUN("get_robust_list"), RUN("rseq"), RUN("futex"), RUN("futex_waitv"),
	RUN("futex_wake"), RUN("futex_wait"), RUN("futex_requeue"),
	RUN("sched_yield"), RUN("sched_getaffinity"), RUN("sched_setaffinity"),
	RUN("sched_getparam"), RUN("sched_setparam"), RUN("sched_getscheduler"),
	RUN("sched_setscheduler"), RUN("sched_get_priority_max"), RUN("sched_get_priority_min"),
	RUN("sched_rr_get_interval"), RUN("sched_getattr"), RUN("sched_setattr"),
	RUN("getpriority"), RUN("setpriority"), RUN("ioprio_get"), RUN("ioprio_set"),
	RUN("getrlimit"), RUN("setrlimit"), RUN("getrusage"), RUN("uname"), RUN("sysinfo"),
	RUN("getcpu"), RUN("getrandom"), RUN("umask"),
	/* Only its own limits: another process's are outside the sandbox. */
	{ .syscall = "prlimit64", .rule = SBX_RULE_SYSTEM, .when = SC_ALWAYS,
	  .cond = "pid 0: itself", .n_arg = 1,
	  .a = { { .arg = 0, .op = SC_EQ, .val = { 0 } } } },
	/* Querying is fine; a changed personality (e.g. READ_IMPLIES_EXEC) is not. */
	{ .syscall = "personality", .rule = SBX_RULE_SYSTEM, .when = SC_ALWAYS,
	  .cond = "persona PER_LINUX", .n_arg = 1,
	  .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { 0 } } } },
	{ .syscall = "personality", .rule = SBX_RULE_SYSTEM, .when = SC_ALWAYS,
	  .cond = "persona 0xffffffff: a query", .n_arg = 1,
	  .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { 0xffffffffULL } } } },
	/* Filters and rulesets can only narrow what the sandbox may do. */
	RUN("seccomp"), RUN("landlock_create_ruleset"), RUN("landlock_add_rule"),
	RUN("landlock_restrict_self"),
};

/* Starting programs. clone3 passes its flags in memory the filter cannot
 * read: it gets ENOSYS and libc falls back to clone, whose flags it can. */
static const struct sbx_sc_row spawn[] = {
	{ .syscall = "clone", .rule = SBX_RULE_SPAWN, .when = SC_ALWAYS,
	  .cond = "a thread: CLONE_THREAD and no namespace flag", .n_arg = 1,
	  .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = CLONE_THREAD | SBX_CLONE_NS,
		   .val = { CLONE_THREAD } } } },
	{ .syscall = "clone", .rule = SBX_RULE_SPAWN, .when = SC_IF_RULE,
	  .cond = "a process without namespace flags", .n_arg = 1,
	  .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = SBX_CLONE_NS, .val = { 0 } } } },
	ROW("clone3", SBX_RULE_SPAWN, SC_ENOSYS),
	ROW("fork", SBX_RULE_SPAWN, SC_IF_RULE),
	ROW("vfork", SBX_RULE_SPAWN, SC_IF_RULE),
	/* With an exec_allow list the supervisor checks the program first:
	 * running the ELF loader itself ("ld.so ./anything") is no way
	 * around the list. Landlock's EXECUTE right checks again. */
	ROW("execve", SBX_RULE_SPAWN, SC_CHECK_EXEC),
	ROW("execveat", SBX_RULE_SPAWN, SC_CHECK_EXEC),
};

/* Paths. Reading is Landlock's to decide (and the hook's); the filter
 * lets every read-only open through without a word. Every write by path
 * goes to the supervisor instead: the target in a writable tree continues
 * to the kernel, where Landlock decides again; anything else is refused
 * and reported, which is how a write the hook never saw (native code, a
 * descriptor trick) becomes visible. Landlock does not cover chmod, chown,
 * utimes or xattrs at all: for those the supervisor's check is the only
 * path rule below the hook. */
#define RDONLY_OPEN(n, flags_arg) \
	{ .syscall = n, .rule = SBX_RULE_FS_READ, .when = SC_ALWAYS, .cond = "read-only", .n_arg = 1, \
	  .a = { { .arg = flags_arg, .op = SC_MASKED_EQ, .mask = O_ACCMODE | O_CREAT | O_TRUNC, \
		   .val = { 0 } } } }
static const struct sbx_sc_row files_read[] = {
	RDONLY_OPEN("open", 1), RDONLY_OPEN("openat", 2),
	ROW("stat", SBX_RULE_FS_READ, SC_ALWAYS), ROW("fstat", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("lstat", SBX_RULE_FS_READ, SC_ALWAYS), ROW("newfstatat", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("statx", SBX_RULE_FS_READ, SC_ALWAYS), ROW("statfs", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("fstatfs", SBX_RULE_FS_READ, SC_ALWAYS), ROW("access", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("faccessat", SBX_RULE_FS_READ, SC_ALWAYS), ROW("faccessat2", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("readlink", SBX_RULE_FS_READ, SC_ALWAYS), ROW("readlinkat", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("getdents", SBX_RULE_FS_READ, SC_ALWAYS), ROW("getdents64", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("getcwd", SBX_RULE_FS_READ, SC_ALWAYS), ROW("chdir", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("fchdir", SBX_RULE_FS_READ, SC_ALWAYS), ROW("getxattr", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("lgetxattr", SBX_RULE_FS_READ, SC_ALWAYS), ROW("fgetxattr", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("listxattr", SBX_RULE_FS_READ, SC_ALWAYS), ROW("llistxattr", SBX_RULE_FS_READ, SC_ALWAYS),
	ROW("flistxattr", SBX_RULE_FS_READ, SC_ALWAYS),
};

#define CHECK(n) ROW(n, SBX_RULE_FS_WRITE, SC_CHECK_WRITE)

/* Nothing the program creates may carry privilege: a set-uid or set-gid
 * mode is refused whatever the policy, judged on the register (no race).
 * The allowed rows carry the complement, so the errno-only filter, where
 * the CHECK rows are allowed outright, refuses the same calls. */
#define SETID_MODE 06000ULL
#define CHECK_NO_SETID(n, mode_arg) \
	{ .syscall = n, .rule = SBX_RULE_FS_WRITE, .when = SC_CHECK_WRITE, .cond = "mode without S_ISUID/S_ISGID", \
	  .n_arg = 1, .a = { { .arg = mode_arg, .op = SC_MASKED_EQ, .mask = SETID_MODE, .val = { 0 } } } }
#define NEVER_SETID(n, mode_arg) \
	{ .syscall = n, .rule = SBX_RULE_SYSTEM, .when = SC_NEVER, .cond = "S_ISUID or S_ISGID in the mode", \
	  .n_arg = 1, .a = { { .arg = mode_arg, .op = SC_ANY_BIT, .mask = SETID_MODE } } }
/* open/openat create with their mode only under O_CREAT or O_TMPFILE. */
#define OPEN_CREATES (O_CREAT | 020000000ULL /* __O_TMPFILE */)
#define CHECK_OPEN(n, flags_arg, mode_arg) \
	{ .syscall = n, .rule = SBX_RULE_FS_WRITE, .when = SC_CHECK_WRITE, .cond = "neither O_CREAT nor O_TMPFILE", \
	  .n_arg = 1, .a = { { .arg = flags_arg, .op = SC_MASKED_EQ, .mask = OPEN_CREATES, .val = { 0 } } } }, \
	CHECK_NO_SETID(n, mode_arg), \
	{ .syscall = n, .rule = SBX_RULE_SYSTEM, .when = SC_NEVER, \
	  .cond = "O_CREAT or O_TMPFILE with S_ISUID or S_ISGID in the mode", .n_arg = 2, \
	  .a = { { .arg = flags_arg, .op = SC_ANY_BIT, .mask = OPEN_CREATES }, \
		 { .arg = mode_arg, .op = SC_ANY_BIT, .mask = SETID_MODE } } }

/* How each of these is held once the supervisor has judged it is
 * notify.c's table (write_ops): Landlock re-checks the open/create/remove
 * family on the real object; chmod, chown, the utime and xattr families
 * are performed by the supervisor itself. mkdir's mode keeps no set-id bit
 * (the kernel masks it with S_IRWXUGO | S_ISVTX); a set-gid parent's
 * inheritance is the parent owner's choice, not the program's. */
static const struct sbx_sc_row files_write[] = {
	CHECK_OPEN("open", 1, 2), CHECK_OPEN("openat", 2, 3),
	CHECK_NO_SETID("creat", 1), NEVER_SETID("creat", 1),
	CHECK("mkdir"), CHECK("mkdirat"), CHECK("rmdir"), CHECK("unlink"), CHECK("unlinkat"),
	CHECK("rename"), CHECK("renameat"), CHECK("renameat2"), CHECK("link"), CHECK("linkat"),
	CHECK("symlink"), CHECK("symlinkat"),
	CHECK_NO_SETID("mknod", 1), NEVER_SETID("mknod", 1),
	CHECK_NO_SETID("mknodat", 2), NEVER_SETID("mknodat", 2), CHECK("truncate"),
	CHECK_NO_SETID("chmod", 1), NEVER_SETID("chmod", 1),
	CHECK_NO_SETID("fchmod", 1), NEVER_SETID("fchmod", 1),
	CHECK_NO_SETID("fchmodat", 2), NEVER_SETID("fchmodat", 2),
	CHECK_NO_SETID("fchmodat2", 2), NEVER_SETID("fchmodat2", 2),
	CHECK("chown"), CHECK("fchown"), CHECK("lchown"), CHECK("fchownat"),
	CHECK("utime"), CHECK("utimes"), CHECK("utimensat"), CHECK("futimesat"),
	CHECK("setxattr"), CHECK("lsetxattr"), CHECK("fsetxattr"),
	CHECK("removexattr"), CHECK("lremovexattr"), CHECK("fremovexattr"),
	/* open_how is in the caller's memory, where no filter can judge it
	 * race-free: ENOSYS, as on a kernel before 5.6, and libc and Python
	 * fall back to openat, whose flags and mode are registers. */
	ROW("openat2", SBX_RULE_NONE, SC_ENOSYS),
};

/* Sockets. Without network rules only AF_UNIX stream/seqpacket sockets
 * exist (socketpair, local IPC), and connect/bind are refused, so no
 * datagram can be addressed to a host socket either. */
static const struct sbx_sc_row sockets[] = {
	{ .syscall = "socket", .rule = SBX_RULE_NET_SOCKET, .when = SC_ALWAYS,
	  .cond = "AF_UNIX, SOCK_STREAM", .n_arg = 2,
	  .a = { { .arg = 0, .op = SC_EQ, .val = { AF_UNIX } },
		 { .arg = 1, .op = SC_MASKED_EQ, .mask = 0xf, .val = { SOCK_STREAM } } } },
	{ .syscall = "socket", .rule = SBX_RULE_NET_SOCKET, .when = SC_ALWAYS,
	  .cond = "AF_UNIX, SOCK_SEQPACKET", .n_arg = 2,
	  .a = { { .arg = 0, .op = SC_EQ, .val = { AF_UNIX } },
		 { .arg = 1, .op = SC_MASKED_EQ, .mask = 0xf, .val = { SOCK_SEQPACKET } } } },
	{ .syscall = "socket", .rule = SBX_RULE_NET_SOCKET, .when = SC_IF_NET,
	  .cond = "AF_UNIX, any type", .n_arg = 1, .a = { { .arg = 0, .op = SC_EQ, .val = { AF_UNIX } } } },
	{ .syscall = "socket", .rule = SBX_RULE_NET_SOCKET, .when = SC_IF_NET,
	  .cond = "AF_INET", .n_arg = 1, .a = { { .arg = 0, .op = SC_EQ, .val = { AF_INET } } } },
	{ .syscall = "socket", .rule = SBX_RULE_NET_SOCKET, .when = SC_IF_NET,
	  .cond = "AF_INET6", .n_arg = 1, .a = { { .arg = 0, .op = SC_EQ, .val = { AF_INET6 } } } },
	/* The resolver asks the kernel for local addresses over route netlink. */
	{ .syscall = "socket", .rule = SBX_RULE_NET_DNS, .when = SC_IF_RULE,
	  .cond = "AF_NETLINK, NETLINK_ROUTE", .n_arg = 2,
	  .a = { { .arg = 0, .op = SC_EQ, .val = { AF_NETLINK } },
		 { .arg = 2, .op = SC_EQ, .val = { NETLINK_ROUTE } } } },
	ROW("socketpair", SBX_RULE_NET_SOCKET, SC_ALWAYS),
	/* Shutting the channel down would silence the hook too. */
	{ .syscall = "shutdown", .rule = SBX_RULE_NET_SOCKET, .when = SC_EBADF, .cond = "the channel",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { SC_CHAN } } } },
	/* The address is in memory: the supervisor reads it and lets the
	 * call continue when the policy lists it (Landlock checks the TCP
	 * port again in the kernel), or refuses and reports it. */
	ROW("connect", SBX_RULE_NET_CONNECT, SC_CHECK_NET),
	ROW("bind", SBX_RULE_NET_BIND, SC_CHECK_NET),
	ROW("listen", SBX_RULE_NET_BIND, SC_IF_BIND),
	ROW("accept", SBX_RULE_NET_BIND, SC_ALWAYS), ROW("accept4", SBX_RULE_NET_BIND, SC_ALWAYS),
	{ .syscall = "sendto", .rule = SBX_RULE_NET_CONNECT, .when = SC_ALWAYS,
	  .cond = "no address: a connected socket", .n_arg = 1,
	  .a = { { .arg = 4, .op = SC_EQ, .val = { 0 } } } },
	ROW("sendto", SBX_RULE_NET_CONNECT, SC_CHECK_NET),
	/* msghdr is in memory too: the supervisor reads each msg_name (none
	 * for a connected socket) and checks it like sendto's address. */
	ROW("sendmsg", SBX_RULE_NET_CONNECT, SC_CHECK_NET),
	/* The channel itself: READY carries the listener with SCM_RIGHTS
	 * after the filter is in force, and no one could answer a check yet. */
	{ .syscall = "sendmsg", .rule = SBX_RULE_NET_CONNECT, .when = SC_ALWAYS, .cond = "the channel",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { SC_CHAN } } } },
	ROW("sendmmsg", SBX_RULE_NET_CONNECT, SC_CHECK_NET), ROW("recvfrom", SBX_RULE_NET_SOCKET, SC_ALWAYS),
	ROW("recvmsg", SBX_RULE_NET_SOCKET, SC_ALWAYS), ROW("recvmmsg", SBX_RULE_NET_SOCKET, SC_ALWAYS),
	{ .syscall = "shutdown", .rule = SBX_RULE_NET_SOCKET, .when = SC_ALWAYS, .cond = "not the channel",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_EXCEPT32, .val = { SC_CHAN }, .n_val = 1 } } },
	ROW("getsockname", SBX_RULE_NET_SOCKET, SC_ALWAYS),
	ROW("getpeername", SBX_RULE_NET_SOCKET, SC_ALWAYS), ROW("getsockopt", SBX_RULE_NET_SOCKET, SC_ALWAYS),
	ROW("setsockopt", SBX_RULE_NET_SOCKET, SC_ALWAYS),
};

/* Refused whatever the policy: changes to the kernel or the host, tools
 * that reach into other processes, and interfaces with a record of
 * sandbox escapes. System V IPC and POSIX message queues reach the host's
 * objects when there is no IPC namespace. */
static const struct sbx_sc_row always_denied[] = {
	NEVER("ptrace"), NEVER("process_vm_readv"), NEVER("process_vm_writev"),
	NEVER("process_madvise"), NEVER("process_mrelease"), NEVER("pidfd_getfd"), NEVER("kcmp"),
	NEVER("bpf"), NEVER("perf_event_open"), NEVER("userfaultfd"),
	NEVER("keyctl"), NEVER("add_key"), NEVER("request_key"),
	NEVER("mount"), NEVER("umount2"), NEVER("pivot_root"), NEVER("chroot"),
	NEVER("move_mount"), NEVER("open_tree"), NEVER("fsopen"), NEVER("fsconfig"),
	NEVER("fsmount"), NEVER("fspick"), NEVER("mount_setattr"),
	NEVER("setns"), NEVER("unshare"),
	NEVER("init_module"), NEVER("finit_module"), NEVER("delete_module"),
	NEVER("kexec_load"), NEVER("kexec_file_load"), NEVER("reboot"),
	NEVER("swapon"), NEVER("swapoff"), NEVER("open_by_handle_at"), NEVER("name_to_handle_at"),
	NEVER("io_uring_setup"), NEVER("io_uring_enter"), NEVER("io_uring_register"),
	NEVER("acct"), NEVER("quotactl"), NEVER("quotactl_fd"),
	NEVER("settimeofday"), NEVER("clock_settime"), NEVER("clock_adjtime"), NEVER("adjtimex"),
	NEVER("sethostname"), NEVER("setdomainname"), NEVER("iopl"), NEVER("ioperm"),
	NEVER("modify_ldt"), NEVER("syslog"), NEVER("vhangup"), NEVER("lookup_dcookie"),
	NEVER("uselib"), NEVER("fanotify_init"), NEVER("fanotify_mark"),
	NEVER("migrate_pages"), NEVER("move_pages"), NEVER("memfd_secret"),
	NEVER("shmget"), NEVER("shmat"), NEVER("shmdt"), NEVER("shmctl"),
	NEVER("semget"), NEVER("semop"), NEVER("semtimedop"), NEVER("semctl"),
	NEVER("msgget"), NEVER("msgsnd"), NEVER("msgrcv"), NEVER("msgctl"),
	NEVER("mq_open"), NEVER("mq_unlink"), NEVER("mq_timedsend"), NEVER("mq_timedreceive"),
	NEVER("mq_notify"), NEVER("mq_getsetattr"),
	/* The denied forms of syscalls allowed above, so a denial names them. */
	{ .syscall = "ioctl", .rule = SBX_RULE_SYSTEM, .when = SC_NEVER, .cond = "TIOCSTI",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { TIOCSTI } } } },
	{ .syscall = "ioctl", .rule = SBX_RULE_SYSTEM, .when = SC_NEVER, .cond = "TIOCLINUX",
	  .n_arg = 1, .a = { { .arg = 1, .op = SC_MASKED_EQ, .mask = 0xffffffffULL, .val = { TIOCLINUX } } } },
	{ .syscall = "clone", .rule = SBX_RULE_SYSTEM, .when = SC_NEVER, .cond = "a namespace flag",
	  .n_arg = 1, .a = { { .arg = 0, .op = SC_ANY_BIT, .mask = SBX_CLONE_NS } } },
	{ .syscall = "personality", .rule = SBX_RULE_SYSTEM, .when = SC_NEVER,
	  .cond = "any other persona" },
	{ .syscall = "prlimit64", .rule = SBX_RULE_SYSTEM, .when = SC_NEVER,
	  .cond = "another process" },
};

#define G(n, t) { n, t, sizeof(t) / sizeof(t[0]) }
const struct sbx_sc_group sbx_sc_groups[] = {
	G("basic I/O", basic_io),
	G("memory", memory),
	G("time", time_),
	G("signals", signals),
	G("process and threads", process),
	G("starting programs", spawn),
	G("reading files", files_read),
	G("changing files", files_write),
	G("sockets", sockets),
	G("always denied", always_denied),
};
const size_t sbx_sc_n_groups = sizeof(sbx_sc_groups) / sizeof(sbx_sc_groups[0]);

/* The writes the supervisor checks (SC_CHECK_WRITE), one row per syscall:
 * its operands, every flag the kernel accepts for it, and how the call is
 * held once judged (SBX_ACT_NONE: Landlock re-checks the real object and
 * the call continues; otherwise the supervisor performs it). A flag not
 * listed is refused and recorded; tests/unit/test_seccomp.c checks each
 * row's flags against the kernel. */
const struct sbx_sc_write sbx_sc_writes[] = {
	{ "open", "p", 1, ~0u, O_NOFOLLOW, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "openat", "dp", 2, ~0u, O_NOFOLLOW, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "creat", "p", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "mkdir", "n", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "mkdirat", "dn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "rmdir", "n", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "unlink", "n", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "unlinkat", "dn", 2, AT_REMOVEDIR, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "rename", "nn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "renameat", "dndn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "renameat2", "dndn", 4, RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT, 0, 0, 0,
	  SBX_ACT_NONE, -1, -1 },
	{ "link", "nn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "linkat", "dndn", 4, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH, 0, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH,
	  SBX_ACT_NONE, -1, -1 },
	{ "symlink", "sn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "symlinkat", "sdn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "mknod", "n", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "mknodat", "dn", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "truncate", "p", -1, 0, 0, 0, 0, SBX_ACT_NONE, -1, -1 },
	{ "chmod", "p", -1, 0, 0, 0, 0, SBX_ACT_CHMOD, 1, -1 },
	{ "fchmod", "F", -1, 0, 0, 0, 0, SBX_ACT_CHMOD, 1, -1 },
	{ "fchmodat", "dp", -1, 0, 0, 0, 0, SBX_ACT_CHMOD, 2, -1 },
	{ "fchmodat2", "dp", 3, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, 0, AT_EMPTY_PATH,
	  SBX_ACT_CHMOD, 2, -1 },
	{ "chown", "p", -1, 0, 0, 0, 0, SBX_ACT_CHOWN, 1, 2 },
	{ "fchown", "F", -1, 0, 0, 0, 0, SBX_ACT_CHOWN, 1, 2 },
	{ "lchown", "n", -1, 0, 0, 0, 0, SBX_ACT_CHOWN, 1, 2 },
	{ "fchownat", "dp", 4, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, 0, AT_EMPTY_PATH,
	  SBX_ACT_CHOWN, 2, 3 },
	{ "utime", "p", -1, 0, 0, 0, 0, SBX_ACT_UTIME, 1, -1 },
	{ "utimes", "p", -1, 0, 0, 0, 0, SBX_ACT_UTIMES, 1, -1 },
	{ "futimesat", "dP", -1, 0, 0, 0, 0, SBX_ACT_UTIMES, 2, -1 },
	{ "utimensat", "dP", 3, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, 0, AT_EMPTY_PATH,
	  SBX_ACT_UTIMENS, 2, -1 },
	{ "setxattr", "p", 4, XATTR_CREATE | XATTR_REPLACE, 0, 0, 0, SBX_ACT_SETX, 1, 2 },
	{ "lsetxattr", "n", 4, XATTR_CREATE | XATTR_REPLACE, 0, 0, 0, SBX_ACT_SETX, 1, 2 },
	{ "fsetxattr", "F", 4, XATTR_CREATE | XATTR_REPLACE, 0, 0, 0, SBX_ACT_SETX, 1, 2 },
	{ "removexattr", "p", -1, 0, 0, 0, 0, SBX_ACT_RMX, 1, -1 },
	{ "lremovexattr", "n", -1, 0, 0, 0, 0, SBX_ACT_RMX, 1, -1 },
	{ "fremovexattr", "F", -1, 0, 0, 0, 0, SBX_ACT_RMX, 1, -1 },
};
const size_t sbx_sc_n_writes = sizeof(sbx_sc_writes) / sizeof(sbx_sc_writes[0]);

/* How a refused call's arguments are shown in its record: p a path (a
 * string in the caller's memory), i an int, x a hex number, f a socket
 * family, t a socket type, a a socket address whose length is the next
 * argument, - skip. Unlisted syscalls show six hex numbers. */
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


const char *sbx_sc_arg_kinds(const char *name)
{
	for (size_t i = 0; i < sizeof(arg_kinds) / sizeof(arg_kinds[0]); i++)
		if (strcmp(arg_kinds[i].name, name) == 0)
			return arg_kinds[i].kinds;
	return "xxxxxx";
}
