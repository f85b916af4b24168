/* sbx_hook_cfg.h: what the audit hook is given, prepared by the supervisor
 * in the child's plan (sbx_child.h) before fork. The hook itself is
 * child/'s own (sbx_hook.h, private). */
#ifndef SBX_HOOK_CFG_H
#define SBX_HOOK_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "sbx_policy.h"

struct sbx_roots {
	char *const *v;		/* absolute, resolved */
	size_t n;
};

struct sbx_hook_cfg {
	const struct sbx_policy *p;
	int chan_fd;
	unsigned char chan_key[16];	/* the run's channel key (SBX_CHAN_KEY_LEN) */
	struct sbx_roots read;	/* policy read + write + implicit */
	struct sbx_roots write;	/* policy write + tmp dir + /dev/null */
	const char *dynload;	/* the stdlib's extension-module directory */
	struct sbx_roots site;	/* python.site: the site-packages directories
				   site adds; their extension modules are the
				   installation's, as lib-dynload's are */
	const char *stdlib;	/* the stdlib directory */
	const char *path_env;	/* PATH inside, for exec_allow look-ups */
	bool audit_only;	/* record deny/kill as would-be, refuse nothing */
};

#endif
