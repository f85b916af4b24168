/* sbx_spawn.h: what the supervisor does before and at fork: the child's
 * plan (plan.c), the namespaces it is cloned into and the user namespace's
 * maps (clone.c). The plan's layout and the child's side are child/'s
 * (sbx_child.h, sbx_ns.h). */
#ifndef SBX_SPAWN_H
#define SBX_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "sandboxpy.h"
#include "sbx_child.h"
#include "sbx_ns.h"
#include "sbx_policy.h"

/* Builds the plan: roots, environment, tmp dir. 0 or -errno with err. */
int sbx_child_plan_build(struct sbx_child_plan *plan, const struct sbx_policy *p,
			 const struct sbx_run_opts *o, struct sbx_error *err);
void sbx_child_plan_free(struct sbx_child_plan *plan);
/* Debian's python3.11, the ELF loader, sandboxpy's runtime (malloc'd;
 * the caller frees them, also on failure). 0 or -ENOENT with err. */
int sbx_find_interpreter(char **loader, char **python, char **rt, struct sbx_error *err);

/* The warm pool (pool.c): the run's first process cloned by the zygote
 * with ns->flags, into cgroup_fd's group where >= 0 (*into then), as this
 * process's child; *sock: the worker's socket, for sbx_warm_send. The
 * pid, or -errno: then the run starts fresh (sbx_ns_clone). */
pid_t sbx_pool_clone(struct sbx_pool *pool, const struct sbx_ns *ns, int cgroup_fd, bool *into,
		     int *sock);
/* The largest limits.stack_mb the zygote's address space has room for
 * (the kernel keeps at least 128 MB for the stack below the mmap base). */
#define SBX_POOL_STACK_MB 100
/* The longest command line (bytes with their NULs) a worker can show as
 * its own: a longer one runs fresh. */
size_t sbx_pool_show_room(void);

/* The report's layers.view: whether the run had a view of its own (the
 * READY flags), and the implicit read set it got, item by item. */
json_t *sbx_view_layer_json(const struct sbx_child_plan *plan, bool ready, unsigned ready_flags,
			    bool mount_ns);

/* Before fork: what the policy and this process call for. */
void sbx_ns_plan(const struct sbx_policy *p, struct sbx_ns *ns);
/* Creates the child in new namespaces, or, where the kernel refuses,
 * without them (ns->flags 0, ns->reason says why). Like fork: 0 in the
 * child, the pid in the parent, -errno. With cgroup_fd >= 0 (a cgroup v2
 * group) the child is created in that group, *into true; where the kernel
 * refuses that, *into false and the caller moves it there. */
pid_t sbx_ns_clone(struct sbx_ns *ns, int cgroup_fd, bool *into);
/* The supervisor's half once the child runs: 0/-errno. */
int sbx_ns_release(struct sbx_ns *ns, pid_t child);

/* May uid/gid (no supplementary groups) do want (4 r, 2 w, 1 x) on st? */
bool sbx_ns_may(const struct stat *st, uid_t uid, gid_t gid, unsigned want);

/* Started as root: the root-owned trees on the way to the policy's paths
 * (and the working directory) that the sandbox's uid could not pass or
 * read, the outermost of each, at most max. Only ever mounted idmapped
 * READ-ONLY (the idmap is a bijection: what the sandbox created through it
 * would be root's). Computed for the plan and the report. */
size_t sbx_ns_idmap_plan(const struct sbx_ns *ns, char *const *read_v, char *const *write_v,
			 char *const *exec_v, const char *cwd, bool whole_host, char (*pts)[4096],
			 size_t max);

/* A user namespace mapping 0 to the sandbox's ids, as a descriptor for
 * MOUNT_ATTR_IDMAP; -errno. */
int sbx_ns_idmap_userns(const struct sbx_ns *ns);

#endif
