/* landlock.c: the kernel's view of filesystem.read/write/tmp,
 * process.exec_allow, network ports and process.signal_others. Best
 * effort by ABI: every right the running kernel knows is handled, so what
 * it does not know stays unrestricted by Landlock (and the report says
 * which ABI enforced what). Built and enforced in the child, after
 * no_new_privs and before the seccomp filter. Debian 12's header stops at
 * ABI 2; the newer constants are the kernel's stable ABI, defined here. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_hook.h"
#include "sbx_landlock.h"

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)	/* ABI 7 */
#define LL_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)	/* ABI 7 */

/* Filesystem rights, with the ABI that introduced each. */
#define FS_EXECUTE	(1ULL << 0)
#define FS_WRITE_FILE	(1ULL << 1)
#define FS_READ_FILE	(1ULL << 2)
#define FS_READ_DIR	(1ULL << 3)
#define FS_REMOVE_DIR	(1ULL << 4)
#define FS_REMOVE_FILE	(1ULL << 5)
#define FS_MAKE_CHAR	(1ULL << 6)
#define FS_MAKE_DIR	(1ULL << 7)
#define FS_MAKE_REG	(1ULL << 8)
#define FS_MAKE_SOCK	(1ULL << 9)
#define FS_MAKE_FIFO	(1ULL << 10)
#define FS_MAKE_BLOCK	(1ULL << 11)
#define FS_MAKE_SYM	(1ULL << 12)
#define FS_REFER	(1ULL << 13)	/* ABI 2 */
#define FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#define FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#define NET_BIND_TCP	(1ULL << 0)	/* ABI 4 */
#define NET_CONNECT_TCP	(1ULL << 1)	/* ABI 4 */
#define SCOPE_ABSTRACT_UNIX (1ULL << 0)	/* ABI 6 */
#define SCOPE_SIGNAL	(1ULL << 1)	/* ABI 6 */

/* Rights that make sense on a file (not a directory) beneath-rule. */
#define FS_FILE_RIGHTS	(FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port {
	uint64_t allowed_access;
	uint64_t port;
};

static const char *const fs_names[] = {
	"execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file",
	"make_char", "make_dir", "make_reg", "make_sock", "make_fifo", "make_block",
	"make_sym", "refer", "truncate", "ioctl_dev",
};

const char *sbx_landlock_fs_right_name(unsigned bit)
{
	return bit < sizeof(fs_names) / sizeof(fs_names[0]) ? fs_names[bit] : NULL;
}

const char *sbx_landlock_net_right_name(unsigned bit)
{
	return bit == 0 ? "bind_tcp" : bit == 1 ? "connect_tcp" : NULL;
}

const char *sbx_landlock_scope_name(unsigned bit)
{
	return bit == 0 ? "abstract_unix_socket" : bit == 1 ? "signal" : NULL;
}

int sbx_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int)abi;
}

/* A "*" port cannot be a Landlock rule (one rule per port): such a list is
 * left unhandled and the report says so. */
static bool any_port(const struct sbx_net_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].any_port)
			return true;
	return false;
}

void sbx_landlock_rights(const struct sbx_policy *p, int abi, struct sbx_ll_rights *r)
{
	uint64_t all = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR | FS_REMOVE_DIR |
		       FS_REMOVE_FILE | FS_MAKE_CHAR | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK |
		       FS_MAKE_FIFO | FS_MAKE_BLOCK | FS_MAKE_SYM;

	memset(r, 0, sizeof(*r));
	r->abi = abi;
	if (abi < 1)
		return;
	if (abi >= 2)
		all |= FS_REFER;
	if (abi >= 3)
		all |= FS_TRUNCATE;
	if (abi >= 5)
		all |= FS_IOCTL_DEV;
	/* Spawning with no exec_allow: any program may start (seccomp and
	 * the hook decide whether spawning is allowed at all). */
	if (p->process.spawn && !p->process.exec_allow.n)
		all &= ~FS_EXECUTE;
	r->fs = all;
	r->read = (FS_READ_FILE | FS_READ_DIR) & all;
	r->write = all & ~FS_EXECUTE;
	if (abi >= 4) {
		bool none = sbx_policy_no_network(p);
		if (none || !any_port(p->net.connect, p->net.n_connect))
			r->net |= NET_CONNECT_TCP;
		else
			r->net_note = "a network.connect rule has port \"*\": TCP connect ports are not restricted by Landlock";
		if (none || !any_port(p->net.bind, p->net.n_bind))
			r->net |= NET_BIND_TCP;
		else
			r->net_note = "a network.bind rule has port \"*\": TCP bind ports are not restricted by Landlock";
	} else {
		r->net_note = "Landlock ABI below 4: TCP ports are not restricted by Landlock";
	}
	if (abi >= 6) {
		r->scoped = SCOPE_ABSTRACT_UNIX;
		if (!p->process.signal_others)
			r->scoped |= SCOPE_SIGNAL;
	}
}

/* One beneath-rule. A path that does not exist is skipped (the plan lists
 * what may be missing); one that exists but cannot be added fails. */
static int add_path(int ruleset, const char *path, uint64_t access, const char **what)
{
	struct ll_path_beneath pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC), r = 0;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -errno;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		access &= FS_FILE_RIGHTS;
	pb.allowed_access = access;
	pb.parent_fd = fd;
	if (access && syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0) {
		r = -errno;
		*what = path;
	}
	close(fd);
	return r;
}

static int add_port(int ruleset, uint64_t access, unsigned port)
{
	struct ll_net_port np = { access, port };

	return syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &np, 0) < 0 ? -errno : 0;
}

static int add_ports(int ruleset, const struct sbx_net_rule *rules, size_t n, uint64_t access)
{
	for (size_t i = 0; i < n; i++) {
		int r = add_port(ruleset, access, rules[i].port);
		if (r < 0)
			return r;
	}
	return 0;
}

int sbx_landlock_build(const struct sbx_child_plan *plan, int abi, int *out, const char **what)
{
	const struct sbx_policy *p = plan->p;
	struct sbx_ll_rights rt;
	struct ll_ruleset_attr attr;
	size_t attr_size;
	int fd, r = 0;

	*what = "creating the ruleset";
	sbx_landlock_rights(p, abi, &rt);
	attr.handled_access_fs = rt.fs;
	attr.handled_access_net = rt.net;
	attr.scoped = rt.scoped;
	/* An older kernel wants the struct it knows, not a longer one. */
	attr_size = abi >= 6 ? sizeof(attr) : abi >= 4 ? offsetof(struct ll_ruleset_attr, scoped)
						      : offsetof(struct ll_ruleset_attr, handled_access_net);
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (fd < 0)
		return -errno;
	for (char *const *v = plan->read_v; v && *v && !r; v++)
		r = add_path(fd, *v, rt.read, what);
	for (char *const *v = plan->write_v; v && *v && !r; v++)
		r = add_path(fd, *v, rt.write, what);
	for (char *const *v = plan->exec_v; v && *v && !r; v++)
		r = add_path(fd, *v, (FS_EXECUTE | FS_READ_FILE) & rt.fs, what);
	if (!r && (rt.net & NET_CONNECT_TCP)) {
		*what = "adding a TCP connect port";
		r = add_ports(fd, p->net.connect, p->net.n_connect, NET_CONNECT_TCP);
		if (!r && p->net.dns)
			r = add_port(fd, NET_CONNECT_TCP, 53);	/* the resolver over TCP */
	}
	if (!r && (rt.net & NET_BIND_TCP)) {
		*what = "adding a TCP bind port";
		r = add_ports(fd, p->net.bind, p->net.n_bind, NET_BIND_TCP);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	*out = fd;
	return 0;
}

int sbx_landlock_enforce(int ruleset, int abi)
{
	/* The hook's directory cache (paths.c) rests on Landlock: prepared
	 * while /proc/self/mountinfo can be read, armed once the ruleset
	 * holds, off where it does not. */
	bool cache = sbx_path_cache_prepare() == 0;
	/* ABI 7: the kernel's audit records of refusals, after an exec too
	 * (a spawned program), but none for domains the program makes
	 * itself, so the supervisor's domain is the only one of our pid in
	 * the records (run_audit.c). */
	unsigned flags = abi >= 7 ? LL_RESTRICT_SELF_LOG_NEW_EXEC_ON | LL_RESTRICT_SELF_LOG_SUBDOMAINS_OFF : 0;
	int r = syscall(SYS_landlock_restrict_self, ruleset, flags) < 0 ? -errno : 0;

	close(ruleset);
	if (r == 0 && cache)
		sbx_path_cache_arm();
	return r;
}
