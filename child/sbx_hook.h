/* sbx_hook.h: the native audit hook. Installed before the interpreter
 * starts; decides every audited event by the policy, reports denials and
 * log actions to the supervisor, raises PermissionError or ends the run. */
#ifndef SBX_HOOK_H
#define SBX_HOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "sbx_hook_cfg.h"
#include "sbx_policy.h"

/* Before Py_InitializeFromConfig: the audit hook and the open-code hook.
 * cfg NULL: the warm pool's zygote, which has no run (every event passes
 * until sbx_hook_configure gives it one). */
int sbx_hook_install(const struct sbx_hook_cfg *cfg);
/* The run's configuration for hooks already installed (a worker of the
 * pool), before anything of the run's interpreter state is set. */
void sbx_hook_configure(const struct sbx_hook_cfg *cfg);
/* After initialisation, before user code: what needs a live interpreter. */
int sbx_hook_post_init(void);
/* From here on events rules and code actions apply too: the program runs.
 * Captures the import system's own objects and wraps code.replace and
 * sys.audit first; 0 or -errno (the program must not run then). */
int sbx_hook_program_starts(void);

/* Whether imports.deny covers module name: the module, a package above it,
 * and the C modules that carry a denied module's capability (_socket for
 * socket, _posixsubprocess for subprocess, ...). Needs no hook installed:
 * the built-in module table is filtered with it before start-up. */
bool sbx_hook_name_denied(const struct sbx_policy *p, const char *name);

/* --audit-only: a built-in module the policy denies is being created (by
 * any route, _imp.create_builtin included): record it as a would-be
 * refusal of rule. */
void sbx_hook_record_builtin(const char *name, enum sbx_rule rule);

/* Renders an audit event's arguments as a JSON array into buf without
 * calling any code of the program: exact str/bytes/int/float/bool/None and
 * tuples/lists of them; anything else as its type name. Returns the length. */
size_t sbx_render_args(void *args_tuple, char *buf, size_t cap);

/* Resolves path as the kernel would from the current directory (or dirfd),
 * following symlinks of the part that exists. 0 or -errno. */
int sbx_path_resolve(const char *in, int dirfd, char *out, size_t cap);
/* The same answer, through the directory cache when it is armed (paths.c
 * says when a directory may be cached, docs/confinement.md why that is
 * sound): what the hook's filesystem checks use. */
int sbx_path_resolve_event(const char *in, int dirfd, char *out, size_t cap);
/* The cache's life: the run's write trees (at install; the cache is off),
 * and whether the program may run native code (which could change
 * directory unseen: then the working directory is never kept), at install
 * (the cache is off); the filesystems under the write trees read from
 * /proc/self/mountinfo while it can still be read (0 or -errno: the cache
 * stays off); armed once Landlock holds. Off again on demand (tests). */
void sbx_path_cache_roots(const struct sbx_roots *write, const struct sbx_roots *read,
			  bool native_code);
int sbx_path_cache_prepare(void);
void sbx_path_cache_arm(void);
void sbx_path_cache_off(void);
/* An os.chdir event: the working directory is asked of the kernel from
 * now on (the cache keeps it only while nothing can have changed it). */
void sbx_path_cache_cwd_moves(void);

#endif
