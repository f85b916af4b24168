/* seccomp/sbx_sc_bpf.h: the two compilers of the syscall tables, private
 * to seccomp/. bpf.c compiles a policy straight into classic BPF (what
 * sbx_seccomp_build loads); filter.c keeps libseccomp's compiler for
 * --export-pfc and as the oracle the unit tests compare ours against.
 * Both take their rows from sbx_sc_row_action, so they select alike. */
#ifndef SBX_SC_BPF_H
#define SBX_SC_BPF_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/filter.h>

#include "sandboxpy.h"
#include "sbx_policy.h"
#include "sbx_sc_table.h"

/* Is row r in the filter for p, flags (SBX_SC_*) and the default action
 * def (SECCOMP_RET_USER_NOTIF, or the plain EPERM / KILL_PROCESS)? Then
 * *action is what a call matching it gets (a SECCOMP_RET_* value). */
bool sbx_sc_row_action(const struct sbx_policy *p, const struct sbx_sc_row *r, unsigned flags,
		       uint32_t def, uint32_t *action);

/* r with SC_CHAN replaced by the channel's number (its successor in GE32). */
struct sbx_sc_row sbx_sc_with_chan(const struct sbx_sc_row *r, int chan);

/* How many libseccomp rules row r (SC_CHAN replaced) compiles to: the
 * figure the report has always called the filter's rules. */
unsigned sbx_sc_row_rules(const struct sbx_sc_row *r);

/* The program for p with default action def, from our compiler (bpf.c)
 * or from libseccomp's (filter.c). out->filter is malloc'd; *rules gets
 * the rule count. 0 or -errno with err filled. */
int sbx_sc_bpf_compile(const struct sbx_policy *p, int chan, unsigned flags, uint32_t def,
		       struct sock_fprog *out, unsigned *rules, struct sbx_error *err);
/* sbx_sc_bpf_compile over other tables than sbx_sc_groups: the unit
 * tests compile rows the real tables do not hold (yet). */
int sbx_sc_bpf_compile_groups(const struct sbx_sc_group *groups, size_t n_groups, const struct sbx_policy *p,
			      int chan, unsigned flags, uint32_t def, struct sock_fprog *out, unsigned *rules,
			      struct sbx_error *err);
int sbx_sc_libseccomp_compile(const struct sbx_policy *p, int chan, unsigned flags, uint32_t def,
			      struct sock_fprog *out, unsigned *rules, struct sbx_error *err);

#endif
