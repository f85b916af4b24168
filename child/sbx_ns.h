/* sbx_ns.h: namespaces and identity. Decided before fork, created by
 * clone() in the supervisor (which writes the user namespace's maps:
 * supervisor/sbx_spawn.h), then used by the child: a tiny init as PID 1 of the new PID namespace (reaps
 * orphans, forwards signals, reports the program's exit status on a pipe
 * the program never holds), and, when started as root, a switch to
 * sandboxpy's own unprivileged uid. */
#ifndef SBX_NS_H
#define SBX_NS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sbx_policy.h"

/* The uid and gid a sandbox started as root runs under: not root, so
 * root-owned files are not writable by plain permissions even if every
 * other layer failed. Not in /etc/passwd on Debian; checked at start. */
#define SBX_SANDBOX_ID 64981

enum sbx_net_mode {
	SBX_NET_HOST,		/* some network rule: the host's network */
	SBX_NET_EMPTY,		/* no network rules: an empty namespace */
};

struct sbx_ns {
	unsigned long flags;	/* CLONE_NEW* in force after sbx_ns_clone */
	enum sbx_net_mode net;
	bool drop_root;		/* started as root: run as SBX_SANDBOX_ID */
	uid_t uid;		/* the sandbox's uid and gid, outside */
	gid_t gid;
	int sync[2];		/* supervisor -> init: "go"; HUP when it dies */
	int status[2];		/* init -> supervisor: the program's wait status */
	char reason[200];	/* why namespaces are not (all) in force */
	char idmap[8][4096];	/* root-owned trees mounted idmapped read-only */
	size_t n_idmap;
	int idmap_fd;		/* the idmap's user namespace, or -1 */
};

/* In the child (PID 1 of the new namespace): waits for the supervisor,
 * then forks the program's process, which returns
 * from here; the init never returns. keep_fd is the channel, closed in the
 * init. */
void sbx_ns_init(struct sbx_ns *ns, int keep_fd);

/* In the program's process, with capabilities still held: become the
 * sandbox's uid/gid (no supplementary groups). 0 or -errno. */
int sbx_ns_drop_root(const struct sbx_ns *ns);

/* The name the generated /etc/passwd gives the sandbox's uid. */
#define SBX_SANDBOX_USER "sandbox"

/* What the program's process sees: its own view (child/view.c). Names as
 * the host spells them; every list NULL-terminated. */
struct sbx_ns_view {
	char *const *write;	/* write trees: bound read-write, nosuid,nodev,noexec */
	char *const *read;	/* the program's read trees: read-only,
				   nosuid,nodev(,noexec) */
	char *const *read_native;	/* of those, sys.path trees a listed
					   extension may load from: exec kept */
	char *const *sys;	/* the system's code and data (the implicit
				   set, unresolved names): read-only, exec kept */
	char *const *exec;	/* programs that may be started: likewise */
	/* With process.spawn, what a nested sandboxpy needs: sys.executable
	 * (sandboxpy), the interpreter it runs programs in and its runtime
	 * (child/rt.c); NULL-terminated, or all NULL. */
	const char *self[4];
	const char (*idmap)[4096];	/* root-owned trees: idmapped read-only */
	size_t n_idmap;
	int userns;		/* the idmap's user namespace, or -1 */
	bool native_ok;		/* native code may load from read trees */
	bool whole_host;	/* --audit-only: the host's root as it is, under
				   the run's own tmp, /dev and /proc */
	bool dns;		/* network.dns: the host's resolver files, no
				   generated /etc/hosts */
	bool identity;		/* write /etc/passwd, group, nsswitch.conf */
	bool hosts;		/* write /etc/hosts (without network.dns) */
	const char *tmpdir;	/* private tmp: a tmpfs there, or NULL */
	bool private_shm;	/* a private tmpfs on /dev/shm */
	bool pid_ns;		/* a PID namespace: its own /proc, memfd_noexec */
	uid_t uid;		/* the sandbox's user (passwd) and owner of the
				   private tmp */
	gid_t gid;
	double memory_mb;	/* bounds the tmpfs sizes; <= 0 unlimited */
	const char *cwd;	/* home in passwd; entered in the view */
};

/* What sbx_ns_view_apply put in force (the READY flags' values). */
#define SBX_VIEW_FLAGS		(1u << 16)	/* write/read trees nosuid,nodev,noexec */
#define SBX_VIEW_TMP		(1u << 17)	/* the private tmp is a tmpfs */
#define SBX_VIEW_PROC		(1u << 18)	/* /proc is the PID namespace's own */
#define SBX_VIEW_MEMFD_NOEXEC	(1u << 19)	/* vm.memfd_noexec=2 in the PID namespace */
#define SBX_VIEW_SHM		(1u << 20)	/* /dev/shm is a private tmpfs */
#define SBX_VIEW_PRIVATE	(1u << 21)	/* the view is the root: nothing else exists */

/* In the program's process, before leaving root (or its user namespace's
 * capabilities): a mount namespace of its own whose root is the view. 0 or
 * -errno with *failed naming the tree that could not be mounted; *done
 * has SBX_VIEW_* flags. */
int sbx_ns_view_apply(const struct sbx_ns_view *v, unsigned *done, const char **failed);

#endif
