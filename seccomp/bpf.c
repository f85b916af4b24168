/* seccomp/bpf.c: the syscall tables and a policy compiled straight into
 * classic BPF, without libseccomp's compiler (3 ms of CPU per run, the
 * largest piece of the supervisor's start-up). The program: the
 * architecture (else kill), x32 numbers refused (kill) as libseccomp
 * refuses them, a binary search over the syscall numbers that have rows,
 * then per syscall its rows in table order, the first whose argument
 * conditions hold giving its action, the default action otherwise.
 * 64-bit comparisons test both 32-bit halves. tests/unit/test_bpf.c runs
 * this program and libseccomp's on the same inputs and requires the same
 * answers. The program is written from its end backwards, so that every
 * jump's target is already placed; a jump farther than a conditional
 * jump's 255 goes through an unconditional JA. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "sbx_diag.h"
#include "sbx_sc_bpf.h"
#include "sbx_sc_table.h"

#define X32_SYSCALL_BIT 0x40000000u
#define LEAF 4			/* syscall numbers compared one by one at the tree's leaves */

/* The program, backwards: an instruction's id is its index in insn[];
 * the finished program is insn[] reversed. */
struct prog {
	struct sock_filter insn[BPF_MAXINSNS];
	unsigned n;
	bool full;
};

/* One row of the filter: a table row (SC_CHAN replaced) under its syscall. */
struct entry {
	int nr;
	unsigned seq;		/* table order: the first matching row decides */
	uint32_t action;
	struct sbx_sc_row row;
};

static unsigned put(struct prog *b, uint16_t code, uint32_t k, unsigned jt, unsigned jf)
{
	if (b->n >= BPF_MAXINSNS) {
		b->full = true;
		return 0;
	}
	b->insn[b->n] = (struct sock_filter){ code, (uint8_t)jt, (uint8_t)jf, k };
	return b->n++;
}

/* target as a conditional jump placed after slack more instructions can
 * reach it: itself, or a JA to it placed now. */
static unsigned reach(struct prog *b, unsigned target, unsigned slack)
{
	if (b->n + slack - target - 1 <= 255)
		return target;
	return put(b, BPF_JMP | BPF_JA, b->n - target - 1, 0, 0);
}

/* if (A op k) goto t; else goto f. */
static unsigned jump(struct prog *b, uint16_t op, uint32_t k, unsigned t, unsigned f)
{
	t = reach(b, t, 1);
	f = reach(b, f, 0);
	return put(b, BPF_JMP | op | BPF_K, k, b->n - t - 1, b->n - f - 1);
}

static unsigned load(struct prog *b, uint32_t off)
{
	return put(b, BPF_LD | BPF_W | BPF_ABS, off, 0, 0);
}

static uint32_t arg_off(unsigned arg, bool high)
{
	return (uint32_t)(offsetof(struct seccomp_data, args) + arg * sizeof(uint64_t) + (high ? 4 : 0));
}

/* (half & mask) == val for one 32-bit half of an argument. */
static unsigned half_eq(struct prog *b, uint32_t off, uint32_t mask, uint32_t val, unsigned ok, unsigned fail)
{
	if (mask == 0)
		return val == 0 ? ok : fail;
	jump(b, BPF_JEQ, val, ok, fail);
	if (mask != 0xffffffffu)
		put(b, BPF_ALU | BPF_AND | BPF_K, mask, 0, 0);
	return load(b, off);
}

/* (half & mask) != 0. */
static unsigned half_any(struct prog *b, uint32_t off, uint32_t mask, unsigned ok, unsigned fail)
{
	if (mask == 0)
		return fail;
	jump(b, BPF_JSET, mask, ok, fail);
	return load(b, off);
}

/* One argument condition: on to ok when it holds, to fail otherwise. */
static unsigned cond(struct prog *b, const struct sbx_sc_arg *a, unsigned ok, unsigned fail)
{
	uint32_t lo = arg_off(a->arg, false), hi = arg_off(a->arg, true), v = (uint32_t)a->val[0];
	uint64_t mask = a->op == SC_EQ ? ~0ULL : a->mask;
	unsigned e;

	switch (a->op) {
	case SC_EQ:
	case SC_MASKED_EQ:
		e = half_eq(b, lo, (uint32_t)mask, v, ok, fail);
		return half_eq(b, hi, (uint32_t)(mask >> 32), (uint32_t)(a->val[0] >> 32), e, fail);
	case SC_ANY_BIT:
		e = half_any(b, lo, (uint32_t)mask, ok, fail);
		return half_any(b, hi, (uint32_t)(mask >> 32), ok, e);
	case SC_EXCEPT32:
	case SC_IN32:
		/* The low half against each value: one equal is a refusal
		 * (EXCEPT32) or the match (IN32). No value: no load either,
		 * which would fall through to whatever was placed last. */
		e = a->op == SC_IN32 ? fail : ok;
		if (a->n_val == 0)
			return e;
		for (unsigned i = a->n_val; i-- > 0;)
			e = a->op == SC_IN32 ? jump(b, BPF_JEQ, (uint32_t)a->val[i], ok, e)
					     : jump(b, BPF_JEQ, (uint32_t)a->val[i], fail, e);
		return load(b, lo);
	case SC_GE32:
		if (a->val[0] > 0xffffffffULL)	/* no low half is that large */
			return fail;
		jump(b, BPF_JGE, v, ok, fail);
		return load(b, lo);
	default:
		b->full = true;	/* an operator this compiler does not know: fail closed */
		return fail;
	}
}

/* The rows of one syscall, e[0..n), in table order; returns its entry. */
static unsigned body(struct prog *b, const struct entry *e, size_t n, uint32_t def)
{
	size_t u = 0;
	unsigned next;

	while (u < n && e[u].row.n_arg)	/* rows after an unconditional one never decide */
		u++;
	next = put(b, BPF_RET | BPF_K, u < n ? e[u].action : def, 0, 0);
	while (u-- > 0) {
		unsigned at = put(b, BPF_RET | BPF_K, e[u].action, 0, 0);
		for (unsigned i = e[u].row.n_arg; i-- > 0;)
			at = cond(b, &e[u].row.a[i], at, next);
		next = at;
	}
	return next;
}

/* The syscalls [lo, hi) of the sorted entries, by their first entry's
 * index in first[]: a binary search on A (the syscall number), each leaf
 * followed by its syscalls' bodies. */
static unsigned tree(struct prog *b, const struct entry *e, const size_t *first, size_t lo, size_t hi,
		     uint32_t def)
{
	unsigned at[LEAF], miss;
	size_t mid = lo + (hi - lo) / 2;

	if (hi - lo > LEAF) {
		unsigned right = tree(b, e, first, mid, hi, def);
		unsigned left = tree(b, e, first, lo, mid, def);
		return jump(b, BPF_JGE, (uint32_t)e[first[mid]].nr, right, left);
	}
	for (size_t i = hi; i-- > lo;)
		at[i - lo] = body(b, &e[first[i]], first[i + 1] - first[i], def);
	miss = put(b, BPF_RET | BPF_K, def, 0, 0);
	for (size_t i = hi; i-- > lo;)
		miss = jump(b, BPF_JEQ, (uint32_t)e[first[i]].nr, at[i - lo], miss);
	return miss;
}

/* The architecture, then x32's numbers (all but -1, which libseccomp lets
 * through to the default) killed as a foreign ABI, then the tree. */
static void head(struct prog *b, unsigned tree_at)
{
	unsigned kill = put(b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	unsigned x32 = jump(b, BPF_JEQ, 0xffffffffu, tree_at, kill);
	unsigned nr;

	jump(b, BPF_JGE, X32_SYSCALL_BIT, x32, tree_at);
	nr = load(b, offsetof(struct seccomp_data, nr));
	kill = put(b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	jump(b, BPF_JEQ, AUDIT_ARCH_X86_64, nr, kill);
	load(b, offsetof(struct seccomp_data, arch));
}

static int by_nr(const void *x, const void *y)
{
	const struct entry *a = x, *c = y;

	if (a->nr != c->nr)
		return a->nr < c->nr ? -1 : 1;
	return a->seq < c->seq ? -1 : a->seq > c->seq;
}

/* The rows p puts in the filter, sorted by syscall number; n gets their
 * number, *rules libseccomp's count of them. NULL: out of memory. Numbers
 * come from libseccomp's own list (a hash lookup: the whole compile takes
 * about 0.1 ms), so the classifier, --explain and the filter cannot
 * disagree on a name, as a table of our own could drift from it. */
static struct entry *select_rows(const struct sbx_sc_group *groups, size_t n_groups,
				 const struct sbx_policy *p, int chan, unsigned flags, uint32_t def, size_t *n,
				 unsigned *rules)
{
	size_t cap = 0, k = 0;
	struct entry *e;

	for (size_t g = 0; g < n_groups; g++)
		cap += groups[g].n;
	e = calloc(cap ? cap : 1, sizeof(*e));
	if (!e)
		return NULL;
	*rules = 0;
	for (size_t g = 0; g < n_groups; g++)
		for (size_t i = 0; i < groups[g].n; i++) {
			const struct sbx_sc_row *r = &groups[g].rows[i];
			int nr = seccomp_syscall_resolve_name(r->syscall);
			if (nr < 0 || !sbx_sc_row_action(p, r, flags, def, &e[k].action))
				continue;	/* not a syscall here, or not in this filter */
			e[k].nr = nr;
			e[k].seq = (unsigned)k;
			e[k].row = sbx_sc_with_chan(r, chan);
			*rules += sbx_sc_row_rules(&e[k].row);
			k++;
		}
	qsort(e, k, sizeof(*e), by_nr);
	*n = k;
	return e;
}

/* Each row's argument indexes and counts within what the program reads. */
static const char *bad_row(const struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (e[i].row.n_arg > 2)
			return e[i].row.syscall;
		for (unsigned j = 0; j < e[i].row.n_arg; j++)
			if (e[i].row.a[j].arg >= 6 || e[i].row.a[j].n_val > 3)
				return e[i].row.syscall;
	}
	return NULL;
}

/* The finished program, in order, into out. */
static int emit(const struct prog *b, struct sock_fprog *out)
{
	out->filter = malloc(b->n * sizeof(struct sock_filter));
	if (!out->filter)
		return -ENOMEM;
	for (unsigned i = 0; i < b->n; i++)
		out->filter[i] = b->insn[b->n - 1 - i];
	out->len = (unsigned short)b->n;
	return 0;
}

int sbx_sc_bpf_compile(const struct sbx_policy *p, int chan, unsigned flags, uint32_t def,
		       struct sock_fprog *out, unsigned *rules, struct sbx_error *err)
{
	return sbx_sc_bpf_compile_groups(sbx_sc_groups, sbx_sc_n_groups, p, chan, flags, def, out, rules, err);
}

int sbx_sc_bpf_compile_groups(const struct sbx_sc_group *groups, size_t n_groups, const struct sbx_policy *p,
			      int chan, unsigned flags, uint32_t def, struct sock_fprog *out, unsigned *rules,
			      struct sbx_error *err)
{
	size_t n = 0, n_sys = 0, *first = NULL;
	struct entry *e = select_rows(groups, n_groups, p, chan, flags, def, &n, rules);
	struct prog *b = calloc(1, sizeof(*b));
	const char *bad;
	int r = -ENOMEM;

	if (!e || !b || !(first = calloc(n + 1, sizeof(*first))))
		goto out;
	if ((bad = bad_row(e, n))) {
		r = -EINVAL;
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: the row for %s has a condition the filter "
			     "compiler cannot express", bad);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || e[i].nr != e[i - 1].nr)
			first[n_sys++] = i;
	first[n_sys] = n;
	head(b, n_sys ? tree(b, e, first, 0, n_sys, def) : put(b, BPF_RET | BPF_K, def, 0, 0));
	if (b->full) {
		r = -E2BIG;
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: the filter needs more than %d BPF "
			     "instructions (or an operator the compiler does not know)", BPF_MAXINSNS);
		goto out;
	}
	r = emit(b, out);
out:
	if (r == -ENOMEM)
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: out of memory compiling the filter");
	free(first);
	free(e);
	free(b);
	return r;
}
