/* sbx_sc_program.h: the compiled filter as both halves of seccomp/ hold
 * it (bpf.c compiles it, program.c moves and loads it without
 * libseccomp). Private to seccomp/. */
#ifndef SBX_SC_PROGRAM_H
#define SBX_SC_PROGRAM_H

#include <linux/filter.h>

struct sbx_seccomp {
	struct sock_fprog notify;	/* default action: user notification */
	struct sock_fprog plain;	/* default action: EPERM, or kill */
	unsigned rules;
};

#endif
