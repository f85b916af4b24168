/* test_bpf.c: our filter compiler (seccomp/bpf.c) answers exactly as
 * libseccomp's compiles the same rows. A small classic-BPF interpreter
 * (only the opcodes either compiler emits; any other fails the test) runs
 * both programs on the same struct seccomp_data inputs and requires the
 * same return value: every builtin policy and a few written here, each
 * also with every boolean rule of the registry flipped, both values of
 * flags, channel 3 and 4, and the three defaults (user notification,
 * EPERM, kill). Inputs: every syscall number 0..470 and some past the
 * end, x32 numbers, -1, foreign architectures; per syscall of the tables,
 * each argument the rows test at 0, the tables' values, values +-1, the
 * upper half set, all ones; and a few thousand random inputs per
 * configuration from a fixed seed. test_synthetic_rows compiles rows the
 * tables do not hold (empty IN32/EXCEPT32, GE32 past 32 bits, two-half
 * masks, ANY_BIT) and checks ours against their meaning written out. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <cmocka.h>
#include <seccomp.h>

#include "sandboxpy.h"
#include "sbx_rules.h"
#include "sbx_sc_bpf.h"
#include "sbx_sc_table.h"
#include "sbx_seccomp.h"

#define N_RANDOM 3000
#define MAX_VALS 512

static uint64_t rng = 0x5eed5eed12345678ULL;
static unsigned long far_jumps;	/* JAs in our programs: the long-jump path is run */

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- the interpreter ---- */

static uint32_t run(const struct sock_fprog *f, const struct seccomp_data *d)
{
	uint32_t a = 0;

	for (unsigned pc = 0; pc < f->len; pc++) {
		const struct sock_filter *i = &f->filter[pc];
		unsigned skip = 0;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k % 4 || i->k + 4 > sizeof(*d))
				fail_msg("load of %u at %u", i->k, pc);
			memcpy(&a, (const char *)d + i->k, 4);
			continue;
		case BPF_ALU | BPF_AND | BPF_K: a &= i->k; continue;
		case BPF_RET | BPF_K: return i->k;
		case BPF_JMP | BPF_JA: skip = i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: skip = a == i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: skip = a > i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: skip = a >= i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: skip = (a & i->k) ? i->jt : i->jf; break;
		default: fail_msg("opcode 0x%x at %u", i->code, pc);
		}
		if (pc + 1 + skip >= f->len)
			fail_msg("jump past the end at %u", pc);
		pc += skip;
	}
	fail_msg("the program ran off its end");
	return 0;
}

/* What the kernel's checker would refuse of a program's shape. */
static void check_shape(const struct sock_fprog *f)
{
	assert_true(f->len > 0 && f->len <= BPF_MAXINSNS);
	assert_int_equal(f->filter[f->len - 1].code, BPF_RET | BPF_K);
	for (unsigned pc = 0; pc < f->len; pc++) {
		const struct sock_filter *i = &f->filter[pc];
		if (i->code == (BPF_JMP | BPF_JA)) {
			assert_true(pc + 1 + (uint64_t)i->k < f->len);
			far_jumps++;
		}
		else if (BPF_CLASS(i->code) == BPF_JMP)
			assert_true(pc + 1 + (unsigned)(i->jt > i->jf ? i->jt : i->jf) < f->len);
	}
}

/* ---- inputs ---- */

struct vals {
	uint64_t v[MAX_VALS];
	size_t n;
};

static void add_val(struct vals *s, uint64_t v)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == v)
			return;
	if (s->n < MAX_VALS)
		s->v[s->n++] = v;
}

/* v, its neighbours, and each with the upper half set. */
static void add_around(struct vals *s, uint64_t v)
{
	const uint64_t around[] = { v, v - 1, v + 1 };

	for (size_t i = 0; i < 3; i++) {
		add_val(s, around[i]);
		add_val(s, around[i] | (1ULL << 32));
		add_val(s, (around[i] & 0xffffffffULL) | 0xffffffff00000000ULL);
	}
}

/* The values argument arg of the rows of syscall name are tested at. */
static void vals_of(const char *name, unsigned arg, int chan, struct vals *s)
{
	s->n = 0;
	add_around(s, 0);
	add_around(s, ~0ULL);
	add_around(s, 0x80000000ULL);
	add_around(s, (uint64_t)chan);
	add_val(s, rnd());
	add_val(s, rnd() & 0xffffffffULL);
	for (size_t g = 0; g < sbx_sc_n_groups; g++)
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			struct sbx_sc_row r = sbx_sc_with_chan(&sbx_sc_groups[g].rows[i], chan);
			if (strcmp(r.syscall, name) != 0)
				continue;
			for (unsigned a = 0; a < r.n_arg; a++) {
				if (r.a[a].arg != arg)
					continue;
				add_around(s, r.a[a].mask);
				add_val(s, r.a[a].mask & rnd());
				for (unsigned j = 0; j < 3; j++)
					add_around(s, r.a[a].val[j]);
			}
		}
}

/* The argument indexes the rows of name test, as a bit set. */
static unsigned args_tested(const char *name)
{
	unsigned set = 0;

	for (size_t g = 0; g < sbx_sc_n_groups; g++)
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const struct sbx_sc_row *r = &sbx_sc_groups[g].rows[i];
			for (unsigned a = 0; strcmp(r->syscall, name) == 0 && a < r->n_arg; a++)
				set |= 1u << r->a[a].arg;
		}
	return set;
}

/* ---- one configuration ---- */

struct config {
	const char *policy;	/* its name, for a failure's message */
	const char *flipped;	/* the rule flipped, or NULL */
	struct sbx_policy *p;
	unsigned flags;
	int chan;
	uint32_t def;
	struct sock_fprog ours, theirs;
	unsigned long inputs;
};

static void compare(struct config *c, const struct seccomp_data *d)
{
	uint32_t a = run(&c->ours, d), b = run(&c->theirs, d);

	c->inputs++;
	if (a == b)
		return;
	fail_msg("policy %s%s%s, flags %u, chan %d, default 0x%x: arch 0x%x nr %d args "
		 "%#llx %#llx %#llx %#llx %#llx %#llx: ours 0x%x, libseccomp 0x%x",
		 c->policy, c->flipped ? " with flipped " : "", c->flipped ? c->flipped : "", c->flags,
		 c->chan, c->def, d->arch, d->nr, (unsigned long long)d->args[0],
		 (unsigned long long)d->args[1], (unsigned long long)d->args[2],
		 (unsigned long long)d->args[3], (unsigned long long)d->args[4],
		 (unsigned long long)d->args[5], a, b);
}

/* Every syscall number, x32's, -1, foreign architectures. */
static void numbers(struct config *c)
{
	static const uint32_t extra[] = { 500, 547, 1000, 0x3fffffff, 0x40000000, 0x40000001,
					  0x40000000 + 39, 0x40000000 + 512, 0x4000ffff, 0x7fffffff,
					  0x80000000, 0xfffffffe, 0xffffffff };
	static const uint32_t arches[] = { AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0, 0xffffffff };
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };

	for (int nr = 0; nr <= 470; nr++) {
		d.nr = nr;
		memset(d.args, 0, sizeof(d.args));
		compare(c, &d);
		memset(d.args, 0xff, sizeof(d.args));
		compare(c, &d);
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		d.nr = (int)extra[i];
		compare(c, &d);
	}
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		d.arch = arches[i];
		for (int nr = 0; nr < 470; nr += 13) {
			d.nr = nr;
			compare(c, &d);
		}
	}
}

/* Each syscall of the tables: every tested argument alone at each of its
 * values, and every pair of tested arguments at all pairs of values. */
static void arguments(struct config *c)
{
	static struct vals v[6];

	for (size_t g = 0; g < sbx_sc_n_groups; g++)
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const char *name = sbx_sc_groups[g].rows[i].syscall;
			struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
			unsigned set = args_tested(name);
			if (i > 0 && strcmp(name, sbx_sc_groups[g].rows[i - 1].syscall) == 0)
				continue;
			d.nr = seccomp_syscall_resolve_name(name);
			if (d.nr < 0)
				continue;
			compare(c, &d);
			for (unsigned a = 0; a < 6; a++)
				if (set & (1u << a))
					vals_of(name, a, c->chan, &v[a]);
			for (unsigned a = 0; a < 6; a++)
				for (unsigned b = a; b < 6; b++) {
					if (!(set & (1u << a)) || !(set & (1u << b)))
						continue;
					for (size_t x = 0; x < v[a].n; x++)
						for (size_t y = 0; y < (a == b ? 1 : v[b].n); y++) {
							memset(d.args, 0, sizeof(d.args));
							d.args[b] = v[b].v[y];
							d.args[a] = v[a].v[x];
							compare(c, &d);
						}
				}
		}
}

/* Random syscalls (mostly the tables' own) with random and table values. */
static void random_inputs(struct config *c)
{
	static struct vals all;

	if (!all.n)
		for (size_t g = 0; g < sbx_sc_n_groups; g++)
			for (size_t i = 0; i < sbx_sc_groups[g].n; i++)
				for (unsigned a = 0; a < sbx_sc_groups[g].rows[i].n_arg; a++) {
					const struct sbx_sc_arg *x = &sbx_sc_groups[g].rows[i].a[a];
					add_around(&all, x->mask);
					for (unsigned j = 0; j < 3; j++)
						add_around(&all, x->val[j] == SC_CHAN ? 3 : x->val[j]);
				}
	for (int k = 0; k < N_RANDOM; k++) {
		struct seccomp_data d = { .arch = rnd() % 50 ? AUDIT_ARCH_X86_64 : (uint32_t)rnd() };
		size_t g = rnd() % sbx_sc_n_groups;
		uint64_t how = rnd();
		d.nr = how % 8 ? seccomp_syscall_resolve_name(sbx_sc_groups[g].rows[rnd() % sbx_sc_groups[g].n].syscall)
			       : (int)(how % 3 ? rnd() % 480 : rnd());
		for (unsigned a = 0; a < 6; a++) {
			uint64_t r = rnd();
			d.args[a] = r % 4 == 0 ? r : r % 4 == 1 ? r >> 32
				  : r % 4 == 2 ? all.v[rnd() % all.n] : (uint64_t)c->chan + (r % 3) - 1;
		}
		compare(c, &d);
	}
}

static void one(struct config *c)
{
	struct sbx_error err;
	unsigned r_ours = 0, r_theirs = 0;

	sbx_error_clear(&err);
	if (sbx_sc_bpf_compile(c->p, c->chan, c->flags, c->def, &c->ours, &r_ours, &err) < 0 ||
	    sbx_sc_libseccomp_compile(c->p, c->chan, c->flags, c->def, &c->theirs, &r_theirs, &err) < 0) {
		sbx_error_print(&err, stderr, "test_bpf: ");
		fail_msg("policy %s: a compiler failed", c->policy);
	}
	check_shape(&c->ours);
	assert_int_equal(r_ours, r_theirs);
	numbers(c);
	arguments(c);
	random_inputs(c);
	free(c->ours.filter);
	free(c->theirs.filter);
}

/* Every flags value, channel and default for p as it is. */
static unsigned long all_configs(const char *name, const char *flipped, struct sbx_policy *p)
{
	static const uint32_t defs[] = { SECCOMP_RET_USER_NOTIF, SECCOMP_RET_ERRNO | 1 /* EPERM */,
					 SECCOMP_RET_KILL_PROCESS };
	unsigned long n = 0;

	for (unsigned flags = 0; flags <= SBX_SC_MEMFD_UNBOUNDED; flags++)
		for (int chan = 3; chan <= 4; chan++)
			for (size_t d = 0; d < 3; d++) {
				struct config c = { name, flipped, p, flags, chan, defs[d], { 0 }, { 0 }, 0 };
				one(&c);
				n += c.inputs;
			}
	return n;
}

/* p as it is, then with each boolean rule of the registry flipped. */
static unsigned long policy_and_flips(const char *name, struct sbx_policy *p)
{
	unsigned long n = all_configs(name, NULL, p);

	for (int r = 0; r < SBX_RULE__COUNT; r++) {
		const struct sbx_rule_info *ri = sbx_rule_info((enum sbx_rule)r);
		bool *b = (bool *)((char *)p + ri->offset);
		if (ri->kind != SBX_RK_BOOL)
			continue;
		*b = !*b;
		n += all_configs(name, ri->name, p);
		*b = !*b;
	}
	return n;
}

static const char *const written[] = {
	"{\"version\": 1}",
	"{\"version\": 1, \"on_violation\": \"kill\"}",
	"{\"version\": 1, \"network\": {\"connect\": [\"127.0.0.1:80\"]}}",
	"{\"version\": 1, \"network\": {\"bind\": [\"127.0.0.1:8080\"]}}",
	"{\"version\": 1, \"filesystem\": {\"write\": [\"/tmp\"]}}",
	"{\"version\": 1, \"process\": {\"spawn\": true, \"exec_allow\": [\"/bin/true\"]}}",
	"{\"version\": 1, \"native\": {\"extensions\": \"any\"}}",
};

static void test_same_answers(void **state)
{
	unsigned long n = 0;

	(void)state;
	for (const char *const *b = sbx_builtin_names; *b; b++) {
		struct sbx_policy *p = NULL;
		struct sbx_error err;
		sbx_error_clear(&err);
		assert_int_equal(sbx_policy_load_builtin(*b, "/", SBX_LOAD_NO_RESOLVE, &p, &err), 0);
		n += policy_and_flips(*b, p);
		sbx_policy_free(p);
	}
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		struct sbx_policy *p = NULL;
		struct sbx_error err;
		sbx_error_clear(&err);
		assert_int_equal(sbx_policy_load_string(written[i], strlen(written[i]), "test", "/",
							SBX_LOAD_NO_RESOLVE, &p, &err), 0);
		n += policy_and_flips(written[i], p);
		sbx_policy_free(p);
	}
	print_message("%lu inputs, each through both programs; %lu long jumps\n", n, far_jumps);
	assert_true(far_jumps > 0);
}

/* ---- rows the real tables do not hold ----
 * The tables select only some of what the compiler accepts (ANY_BIT only
 * in refused rows, no empty IN32/EXCEPT32, no GE32 past 32 bits, no
 * two-half masks), so the comparison above never runs those paths: here
 * synthetic rows compiled by ours run against the rows' meaning written
 * out plainly (libseccomp refuses some of them). */

#define SYN_NR 210		/* syscalls 0..SYN_NR-1 get rows */
#define SYN_LONG 50		/* rows of the two syscalls whose bodies need long jumps */

static struct sbx_sc_row syn_rows[SYN_NR * 3 + 2 * SYN_LONG];
static size_t syn_n;

static void syn_add(const char *name, enum sbx_sc_when w, unsigned n_arg, const struct sbx_sc_arg *a)
{
	struct sbx_sc_row *r = &syn_rows[syn_n++];

	*r = (struct sbx_sc_row){ .syscall = name, .rule = SBX_RULE_NONE, .when = w, .n_arg = (uint8_t)n_arg };
	for (unsigned i = 0; i < n_arg; i++)
		r->a[i] = a[i];
}

#define A(i, o, m, n, ...) \
	((struct sbx_sc_arg){ .arg = i, .op = o, .mask = m, .n_val = n, .val = { __VA_ARGS__ } })

/* Rows by nr % 8, each kind with another action after it, so that a wrong
 * row or a condition read the wrong way changes the answer. */
static void syn_rows_of(const char *name, int nr)
{
	struct sbx_sc_arg c[2];

	switch (nr % 8) {
	case 0: syn_add(name, SC_ALWAYS, 0, NULL); break;
	case 1:	/* IN32 of nothing never holds, EXCEPT32 of nothing always does */
		c[0] = A(0, SC_IN32, 0, 0, 0);
		syn_add(name, SC_ALWAYS, 1, c);
		syn_add(name, SC_ENOSYS, 0, NULL);
		break;
	case 2:
		c[0] = A(1, SC_EXCEPT32, 0, 0, 0);
		c[1] = A(0, SC_EQ, 0, 0, 7);
		syn_add(name, SC_EBADF, 2, c);
		syn_add(name, SC_ALWAYS, 1, c);
		break;
	case 3:	/* a bit of either half */
		c[0] = A(1, SC_ANY_BIT, 0x0000000100000010ULL, 0, 0);
		syn_add(name, SC_EBADF, 1, c);
		c[0] = A(0, SC_EQ, 0, 0, 0x100000005ULL);
		syn_add(name, SC_ALWAYS, 1, c);
		break;
	case 4:
		c[0] = A(2, SC_MASKED_EQ, 0xffff0000ffff0000ULL, 0, 0x1234000056780000ULL);
		syn_add(name, SC_EBADF, 1, c);
		c[0] = A(3, SC_GE32, 0, 0, 7);
		c[1] = A(4, SC_IN32, 0, 3, 1, 0xffffffffULL, 5);
		syn_add(name, SC_ALWAYS, 2, c);
		break;
	case 5:	/* GE32 past every low half never holds */
		c[0] = A(0, SC_GE32, 0, 0, 0x100000000ULL);
		syn_add(name, SC_ALWAYS, 1, c);
		c[0] = A(1, SC_EXCEPT32, 0, 3, 3, 4, 0xffffffffULL);
		syn_add(name, SC_EBADF, 1, c);
		break;
	case 6:	/* many rows: the later ones are far from the tree */
		for (unsigned i = 0; i < (nr == 6 || nr == 134 ? SYN_LONG : 2); i++) {
			c[0] = A(0, SC_EQ, 0, 0, 1000 + i + ((uint64_t)(i & 1) << 32));
			syn_add(name, i % 3 ? SC_ALWAYS : SC_EBADF, 1, c);
		}
		break;
	default:	/* a high-half-only bit; masks of 0 (always, then never) */
		c[0] = A(5, SC_ANY_BIT, 0xffffffff00000000ULL, 0, 0);
		syn_add(name, SC_ALWAYS, 1, c);
		c[0] = A(2, SC_MASKED_EQ, 0, 0, 1);
		syn_add(name, SC_ALWAYS, 1, c);
		c[0] = A(2, SC_MASKED_EQ, 0, 0, 0);
		c[1] = A(3, SC_MASKED_EQ, 0xff, 0, 2);
		syn_add(name, SC_EBADF, 2, c);
	}
}

static bool syn_arg(const struct sbx_sc_arg *a, const __u64 *args)
{
	uint64_t v = args[a->arg], lo = v & 0xffffffffULL;
	bool in = false;

	for (unsigned i = 0; i < a->n_val; i++)
		in |= lo == (a->val[i] & 0xffffffffULL);
	switch (a->op) {
	case SC_EQ: return v == a->val[0];
	case SC_MASKED_EQ: return (v & a->mask) == a->val[0];
	case SC_ANY_BIT: return (v & a->mask) != 0;
	case SC_EXCEPT32: return !in;
	case SC_IN32: return in;
	case SC_GE32: return lo >= a->val[0];
	default: fail_msg("operator %u", a->op);
	}
	return false;
}

/* What the synthetic rows mean for d. */
static uint32_t syn_expect(const struct seccomp_data *d, uint32_t def)
{
	if (d->arch != AUDIT_ARCH_X86_64 || (d->nr >= 0x40000000 && d->nr != -1) || d->nr < -1)
		return SECCOMP_RET_KILL_PROCESS;
	for (size_t i = 0; i < syn_n; i++) {
		const struct sbx_sc_row *r = &syn_rows[i];
		bool all = true;
		if (seccomp_syscall_resolve_name(r->syscall) != d->nr)
			continue;
		for (unsigned j = 0; j < r->n_arg; j++)
			all = all && syn_arg(&r->a[j], d->args);
		if (all)
			return r->when == SC_ENOSYS ? SECCOMP_RET_ERRNO | ENOSYS
			       : r->when == SC_EBADF ? SECCOMP_RET_ERRNO | EBADF : SECCOMP_RET_ALLOW;
	}
	return def;
}

static void test_synthetic_rows(void **state)
{
	static const uint64_t pool[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0xff, 0x102, 0x100000000ULL,
					 0x100000005ULL, 0x100000010ULL, 0xffffffff00000005ULL, 0xffffffffULL,
					 ~0ULL, 0x1234000056780000ULL, 0x1234abcd5678ef01ULL, 0x56780000ULL,
					 0x1234000000000000ULL, 0x80000000ULL, 1000, 1001, 0x100000001ULL + 1000,
					 1000 + SYN_LONG - 1, 0x100000000ULL + 1000 + SYN_LONG - 2, 1000 + SYN_LONG };
	static const int extra[] = { -1, -2, SYN_NR, SYN_NR + 1, 400, 0x3fffffff, 0x40000000, 0x7fffffff };
	struct sbx_sc_group g = { "synthetic", syn_rows, 0 };
	char *names[SYN_NR] = { 0 };
	struct sbx_policy *p = NULL;
	struct sock_fprog f;
	struct sbx_error err;
	unsigned long n = 0, jas = far_jumps;
	unsigned rules;

	(void)state;
	sbx_error_clear(&err);
	assert_int_equal(sbx_policy_load_string("{\"version\": 1}", 14, "test", "/", SBX_LOAD_NO_RESOLVE, &p,
						&err), 0);
	syn_n = 0;
	for (int nr = 0; nr < SYN_NR; nr++)
		if ((names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr)))
			syn_rows_of(names[nr], nr);
	g.n = syn_n;
	for (size_t d = 0; d < 3; d++) {
		static const uint32_t defs[] = { SECCOMP_RET_USER_NOTIF, SECCOMP_RET_ERRNO | 1,
						 SECCOMP_RET_KILL_PROCESS };
		assert_int_equal(sbx_sc_bpf_compile_groups(&g, 1, p, 3, 0, defs[d], &f, &rules, &err), 0);
		check_shape(&f);
		for (int nr = -3; nr < SYN_NR + 3 + (int)(sizeof(extra) / sizeof(extra[0])); nr++) {
			struct seccomp_data x = { .arch = AUDIT_ARCH_X86_64 };
			x.nr = nr < SYN_NR + 3 ? nr : extra[nr - SYN_NR - 3];
			for (unsigned a = 0; a < 6; a++)
				for (size_t v = 0; v < sizeof(pool) / sizeof(pool[0]); v++, n++) {
					memset(x.args, 0, sizeof(x.args));
					x.args[a] = pool[v];
					x.args[(a + 1) % 6] = pool[(v * 7 + nr) % (sizeof(pool) / sizeof(pool[0]))];
					if (run(&f, &x) != syn_expect(&x, defs[d]))
						fail_msg("synthetic rows, default 0x%x: nr %d, args[%u] %#llx, args[%u] %#llx: "
							 "ours 0x%x, meant 0x%x", defs[d], x.nr, a, (unsigned long long)x.args[a],
							 (a + 1) % 6, (unsigned long long)x.args[(a + 1) % 6], run(&f, &x),
							 syn_expect(&x, defs[d]));
				}
		}
		free(f.filter);
	}
	for (int nr = 0; nr < SYN_NR; nr++)
		free(names[nr]);
	sbx_policy_free(p);
	print_message("synthetic rows: %zu rows, %lu inputs, %lu long jumps\n", syn_n, n, far_jumps - jas);
	assert_true(far_jumps > jas);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_answers),
		cmocka_unit_test(test_synthetic_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
