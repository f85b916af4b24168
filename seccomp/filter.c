/* seccomp/filter.c: which rows of the syscall tables a policy puts in its
 * filter (sbx_sc_row_action, shared by both compilers), the filter's build
 * before fork in two forms (the default action is user notification, so
 * the supervisor sees and answers every refusal, or, where the kernel will
 * not give a listener, a plain EPERM, KILL under on_violation: kill), the
 * classifier of notified calls and --explain. The programs come from our
 * own compiler (bpf.c); libseccomp's compiler stays here for
 * --export-pfc and as the oracle tests/unit/test_bpf.c checks ours
 * against. The child loads the ready program with one raw seccomp() call:
 * nothing to allocate or generate after fork. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_diag.h"
#include "sbx_sc_bpf.h"
#include "sbx_sc_table.h"
#include "sbx_seccomp.h"
#include "sbx_sc_program.h"

/* The policy already lets the program run native code of its own. */
static bool native_allowed(const struct sbx_policy *p)
{
	return p->native.ctypes || p->native.extensions == SBX_EXT_ANY;
}

/* Is a row allowed under p? */
static bool row_allowed(const struct sbx_policy *p, const struct sbx_sc_row *r, unsigned flags)
{
	switch (r->when) {
	case SC_ALWAYS: return true;
	case SC_IF_RULE: return sbx_rule_bool(p, r->rule);
	case SC_IF_NET: return !sbx_policy_no_network(p);
	case SC_IF_CONNECT: return p->net.n_connect > 0 || p->net.dns;
	case SC_IF_BIND: return p->net.n_bind > 0;
	case SC_IF_WRITE: return p->fs.write.n > 0 || p->fs.tmp;
	case SC_CHECK_WRITE:
	case SC_CHECK_NET: return false;	/* the supervisor's, see compile() */
	case SC_EBADF: return false;
	case SC_CHECK_EXEC: return sbx_rule_bool(p, r->rule) && !p->process.exec_allow.n;
	case SC_IF_NATIVE: return native_allowed(p);
	case SC_IF_MEMFD:
		/* A memfd's pages take no address space: where RLIMIT_AS alone
		 * holds memory_mb, one would escape the limit. */
		return native_allowed(p) && !(flags & SBX_SC_MEMFD_UNBOUNDED);
	case SC_NEVER:
	case SC_ENOSYS:
	default: return false;
	}
}

/* A row the supervisor checks, when there is no supervisor to ask (no
 * listener): Landlock's EXECUTE right alone holds exec_allow, Landlock
 * alone decides writes, and an addressed socket call goes as the plain
 * switch of its rule would. */
static bool allowed_unsupervised(const struct sbx_policy *p, const struct sbx_sc_row *r)
{
	switch (r->when) {
	case SC_CHECK_EXEC: return sbx_rule_bool(p, r->rule);
	case SC_CHECK_WRITE: return p->fs.write.n > 0 || p->fs.tmp;
	case SC_CHECK_NET:
		return r->rule == SBX_RULE_NET_BIND ? p->net.n_bind > 0
		       : p->net.n_connect > 0 || p->net.dns || strncmp(r->syscall, "sendm", 5) == 0;
	default: return false;
	}
}

bool sbx_sc_row_action(const struct sbx_policy *p, const struct sbx_sc_row *r, unsigned flags,
		       uint32_t def, uint32_t *action)
{
	if (r->when == SC_ENOSYS)
		*action = SECCOMP_RET_ERRNO | ENOSYS;
	else if (r->when == SC_EBADF && r->n_arg)
		*action = SECCOMP_RET_ERRNO | EBADF;
	else if (row_allowed(p, r, flags) || (def != SECCOMP_RET_USER_NOTIF && allowed_unsupervised(p, r)))
		*action = SECCOMP_RET_ALLOW;
	else
		return false;
	return true;
}

/* ---- building with libseccomp ---- */

struct builder {
	scmp_filter_ctx ctx;
	int chan;		/* the channel's descriptor number (SC_CHAN) */
	unsigned rules;
	int err;
	const char *bad;	/* the syscall libseccomp refused */
};

static struct scmp_arg_cmp cmp_of(const struct sbx_sc_arg *a)
{
	switch (a->op) {
	case SC_EQ: return SCMP_CMP64(a->arg, SCMP_CMP_EQ, a->val[0], 0);
	/* Any bit of all 64 set: non-zero (add_row refuses narrower masks,
	 * which one comparison cannot express). */
	case SC_ANY_BIT: return SCMP_CMP64(a->arg, SCMP_CMP_NE, 0, 0);
	case SC_MASKED_EQ:
	default: return SCMP_CMP64(a->arg, SCMP_CMP_MASKED_EQ, a->mask, a->val[0]);
	}
}

static void add(struct builder *b, uint32_t action, int nr, const char *name, unsigned n,
		const struct scmp_arg_cmp *c)
{
	int r = seccomp_rule_add_array(b->ctx, action, nr, n, c);

	if (r < 0 && !b->err) {
		b->err = r;
		b->bad = name;
	} else if (r == 0) {
		b->rules++;
	}
}

/* EXCEPT32: allow every low-32-bit value of the argument but the listed
 * ones, whatever the upper half holds (the kernel truncates an int). Walk
 * the binary trie of the excluded values from bit 31 down: every branch
 * that leads to no excluded value is one masked comparison. */
static void add_except32(struct builder *b, uint32_t action, int nr, const char *name,
			 const struct sbx_sc_arg *ex, const struct scmp_arg_cmp *other, unsigned n_other,
			 uint64_t mask, uint64_t val, int bit)
{
	bool hit[2] = { false, false };

	for (unsigned i = 0; i < ex->n_val; i++) {
		uint64_t v = ex->val[i] & 0xffffffffULL;
		if ((v & mask) == val)
			hit[(v >> bit) & 1] = true;
	}
	for (int side = 0; side < 2; side++) {
		uint64_t m = mask | (1ULL << bit), v = val | ((uint64_t)side << bit);
		if (!hit[side]) {
			struct scmp_arg_cmp c[2];
			c[0] = SCMP_CMP64(ex->arg, SCMP_CMP_MASKED_EQ, m, v);
			if (n_other)
				c[1] = other[0];
			add(b, action, nr, name, 1 + n_other, c);
		} else if (bit > 0) {
			add_except32(b, action, nr, name, ex, other, n_other, m, v, bit - 1);
		}
	}
}

struct sbx_sc_row sbx_sc_with_chan(const struct sbx_sc_row *r, int chan)
{
	struct sbx_sc_row c = *r;

	for (unsigned i = 0; i < c.n_arg; i++)
		for (unsigned j = 0; j < 3; j++)
			if (c.a[i].val[j] == SC_CHAN)
				c.a[i].val[j] = (uint64_t)chan + (c.a[i].op == SC_GE32);
	return c;
}

/* IN32 (one of the listed low-32-bit values) and GE32 (at least val[0])
 * are each a few masked comparisons on the low 32 bits, one rule apiece;
 * GE32 walks val from bit 31 down: wherever val has a 0, a 1 there (with
 * val's higher bits) is already greater. */
static void add_split32(struct builder *b, uint32_t action, int nr, const char *name,
			const struct sbx_sc_arg *a, const struct scmp_arg_cmp *other, unsigned n_other)
{
	struct scmp_arg_cmp c[2];

	if (n_other)
		c[1] = other[0];
	if (a->op == SC_IN32) {
		for (unsigned i = 0; i < a->n_val; i++) {
			c[0] = SCMP_CMP64(a->arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, a->val[i] & 0xffffffffULL);
			add(b, action, nr, name, 1 + n_other, c);
		}
		return;
	}
	for (int bit = 31; bit >= 0; bit--) {
		uint64_t v = a->val[0] & 0xffffffffULL, high = 0xffffffffULL & ~((1ULL << bit) - 1);
		if (v & (1ULL << bit))
			continue;
		c[0] = SCMP_CMP64(a->arg, SCMP_CMP_MASKED_EQ, high, (v & high) | (1ULL << bit));
		add(b, action, nr, name, 1 + n_other, c);
	}
	c[0] = SCMP_CMP64(a->arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, a->val[0] & 0xffffffffULL);
	add(b, action, nr, name, 1 + n_other, c);
}

static void add_row(struct builder *b, const struct sbx_sc_row *row, uint32_t action)
{
	struct sbx_sc_row copy = sbx_sc_with_chan(row, b->chan);
	const struct sbx_sc_row *r = &copy;
	int nr = seccomp_syscall_resolve_name(r->syscall);
	struct scmp_arg_cmp c[2];
	const struct sbx_sc_arg *ex = NULL;
	unsigned n = 0;

	if (nr < 0)
		return;		/* not a syscall of this architecture */
	for (unsigned i = 0; i < r->n_arg; i++) {
		if (r->a[i].op == SC_ANY_BIT && r->a[i].mask != ~0ULL) {
			b->err = b->err ?: -EINVAL;
			b->bad = b->bad ?: r->syscall;
			return;
		}
		if (r->a[i].op == SC_EXCEPT32 || r->a[i].op == SC_IN32 || r->a[i].op == SC_GE32)
			ex = &r->a[i];
		else
			c[n++] = cmp_of(&r->a[i]);
	}
	if (ex && ex->op == SC_EXCEPT32)
		add_except32(b, action, nr, r->syscall, ex, c, n, 0, 0, 31);
	else if (ex)
		add_split32(b, action, nr, r->syscall, ex, c, n);
	else
		add(b, action, nr, r->syscall, n, c);
}

static int compile(const struct sbx_policy *p, int chan, unsigned flags, uint32_t def,
		   scmp_filter_ctx *out, unsigned *rules, struct sbx_error *err)
{
	struct builder b = { .ctx = seccomp_init(def), .chan = chan };

	if (!b.ctx) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: libseccomp could not start a filter");
		return -ENOMEM;
	}
	/* i386 (int 0x80) and x32 syscalls reach different tables: kill. */
	seccomp_attr_set(b.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* The child sets no_new_privs itself, earlier, and checks it. */
	seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* A binary tree over syscall numbers: read/write/futex do not walk a
	 * chain of a few hundred comparisons. */
	seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t g = 0; g < sbx_sc_n_groups; g++) {
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const struct sbx_sc_row *r = &sbx_sc_groups[g].rows[i];
			uint32_t action;
			if (sbx_sc_row_action(p, r, flags, def, &action))
				add_row(&b, r, action);
		}
	}
	if (b.err) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: libseccomp refused the rule for %s: %s",
			     b.bad, strerror(-b.err));
		seccomp_release(b.ctx);
		return b.err;
	}
	*out = b.ctx;
	*rules = b.rules;
	return 0;
}

/* libseccomp writes BPF to a descriptor: a pipe, read back into memory. Not
 * a memfd: a sandboxpy nested in another runs under a filter that refuses
 * memfd_create. A loadable program (BPF_MAXINSNS instructions, 32 KiB) fits
 * in a pipe's buffer; the write end is non-blocking, so a larger one fails
 * instead of blocking. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog, struct sbx_error *err)
{
	size_t cap = BPF_MAXINSNS * sizeof(struct sock_filter), len = 0;
	int fds[2], r = 0;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: pipe: %s", strerror(errno));
		return r;
	}
	if (fcntl(fds[1], F_GETPIPE_SZ) < (int)cap + 1)
		fcntl(fds[1], F_SETPIPE_SZ, (int)cap + 4096);
	r = seccomp_export_bpf(ctx, fds[1]);
	close(fds[1]);
	if (r < 0) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: exporting the filter: %s", strerror(-r));
		goto out;
	}
	prog->filter = malloc(cap + 1);
	if (!prog->filter) {
		r = -ENOMEM;
		goto out;
	}
	while (len <= cap && (n = read(fds[0], (char *)prog->filter + len, cap + 1 - len)) > 0)
		len += (size_t)n;
	if (len == 0 || len > cap || len % sizeof(struct sock_filter)) {
		r = -E2BIG;
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: the filter has %zu bytes, not a loadable program",
			     len);
		goto out;
	}
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
out:
	close(fds[0]);
	return r;
}

/* Can a child of this process be refused a listener? Only when a filter
 * is already in force here (an outer one may hold the chain's only
 * listener: EBUSY) or the kernel predates user notification (EINVAL,
 * before Linux 5.0, which also lacks GET_NOTIF_SIZES). The child inherits
 * nothing else that could refuse it: it loads the filter before any
 * program code runs. */
static bool plain_may_be_needed(void)
{
	struct { uint16_t notif, resp, data; } sizes;

	return prctl(PR_GET_SECCOMP) != 0 ||
	       syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0;
}

int sbx_sc_libseccomp_compile(const struct sbx_policy *p, int chan, unsigned flags, uint32_t def,
			      struct sock_fprog *out, unsigned *rules, struct sbx_error *err)
{
	scmp_filter_ctx ctx;
	int r = compile(p, chan, flags, def, &ctx, rules, err);

	if (r < 0)
		return r;
	r = export_bpf(ctx, out, err);
	seccomp_release(ctx);
	return r;
}

/* The rules add_except32 adds for the values of ex under (mask, val). */
static unsigned except32_rules(const struct sbx_sc_arg *ex, uint64_t mask, uint64_t val, int bit)
{
	unsigned n = 0;

	for (int side = 0; side < 2; side++) {
		uint64_t m = mask | (1ULL << bit), v = val | ((uint64_t)side << bit);
		bool hit = false;
		for (unsigned i = 0; i < ex->n_val; i++)
			hit |= ((ex->val[i] & 0xffffffffULL) & m) == v;
		if (!hit)
			n++;
		else if (bit > 0)
			n += except32_rules(ex, m, v, bit - 1);
	}
	return n;
}

unsigned sbx_sc_row_rules(const struct sbx_sc_row *r)
{
	for (unsigned i = 0; i < r->n_arg; i++) {
		const struct sbx_sc_arg *a = &r->a[i];
		if (a->op == SC_EXCEPT32)
			return except32_rules(a, 0, 0, 31);
		if (a->op == SC_IN32)
			return a->n_val;
		if (a->op == SC_GE32)	/* a rule per 0 bit of the low half, and one for equal */
			return 33 - (unsigned)__builtin_popcount((uint32_t)a->val[0]);
	}
	return 1;
}

int sbx_seccomp_build(const struct sbx_policy *p, int chan, unsigned flags, struct sbx_seccomp **out,
		      struct sbx_error *err)
{
	struct sbx_seccomp *f = calloc(1, sizeof(*f));
	uint32_t plain = sbx_policy_deny_action(p) == SBX_KILL ? SECCOMP_RET_KILL_PROCESS
							       : SECCOMP_RET_ERRNO | EPERM;
	unsigned rules = 0;
	int r;

	if (!f)
		return -ENOMEM;
	r = sbx_sc_bpf_compile(p, chan, flags, SECCOMP_RET_USER_NOTIF, &f->notify, &f->rules, err);
	if (r == 0 && plain_may_be_needed())
		r = sbx_sc_bpf_compile(p, chan, flags, plain, &f->plain, &rules, err);
	if (r < 0) {
		sbx_seccomp_free(f);
		return r;
	}
	*out = f;
	return 0;
}


/* ---- classifying a notified syscall ---- */

static bool arg_matches(const struct sbx_sc_arg *a, const uint64_t args[6])
{
	uint64_t v = args[a->arg];

	switch (a->op) {
	case SC_EQ: return v == a->val[0];
	case SC_MASKED_EQ: return (v & a->mask) == a->val[0];
	case SC_ANY_BIT: return (v & a->mask) != 0;
	case SC_EXCEPT32:
		for (unsigned i = 0; i < a->n_val; i++)
			if ((v & 0xffffffffULL) == (a->val[i] & 0xffffffffULL))
				return false;
		return true;
	case SC_IN32:
		for (unsigned i = 0; i < a->n_val; i++)
			if ((v & 0xffffffffULL) == (a->val[i] & 0xffffffffULL))
				return true;
		return false;
	case SC_GE32: return (v & 0xffffffffULL) >= a->val[0];
	default: return false;
	}
}

static bool row_matches(const struct sbx_sc_row *row, int chan, const uint64_t args[6])
{
	struct sbx_sc_row r = sbx_sc_with_chan(row, chan);

	for (unsigned i = 0; i < r.n_arg; i++)
		if (!arg_matches(&r.a[i], args))
			return false;
	return true;
}

void sbx_seccomp_classify(const struct sbx_policy *p, int chan, int nr, const uint64_t args[6],
			  struct sbx_sc_verdict *v)
{
	char *name = nr >= 0 ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr) : NULL;
	const struct sbx_sc_row *first = NULL, *named = NULL, *never = NULL, *check = NULL, *ebadf = NULL;

	memset(v, 0, sizeof(*v));
	if (name)
		snprintf(v->name, sizeof(v->name), "%s", name);
	else
		snprintf(v->name, sizeof(v->name), "syscall_%d", nr);
	for (size_t g = 0; name && g < sbx_sc_n_groups; g++) {
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const struct sbx_sc_row *r = &sbx_sc_groups[g].rows[i];
			if (strcmp(r->syscall, name) != 0)
				continue;
			/* The rule of the first row the arguments match, else
			 * of the first row of the name. */
			if (!named)
				named = r;
			if (!first && row_matches(r, chan, args))
				first = r;
			if (r->when == SC_NEVER && !never && row_matches(r, chan, args))
				never = r;
			if ((r->when == SC_CHECK_WRITE || r->when == SC_CHECK_NET) && !check)
				check = r;
			if (r->when == SC_EBADF && !ebadf && row_matches(r, chan, args))
				ebadf = r;
		}
	}
	free(name);
	if (!first)
		first = named;
	if (ebadf) {
		/* The channel's descriptor: EBADF, nothing to report. */
		v->rule = SBX_RULE_SYSTEM;
		v->err = EBADF;
		v->quiet = true;
		return;
	}
	if (never)
		first = never;
	else if (check)
		first = check;
	if (!first) {
		v->rule = SBX_RULE_SYSTEM;
		v->err = ENOSYS;
		v->unknown = true;
		v->why = "not in the allowlist";
		return;
	}
	v->rule = first->rule == SBX_RULE_NONE ? SBX_RULE_SYSTEM : first->rule;
	v->err = EPERM;
	v->kill = sbx_policy_deny_action(p) == SBX_KILL;
	v->why = never ? "always denied" : NULL;
	if (first->when == SC_IF_MEMFD && native_allowed(p)) {
		/* Allowed by the policy, refused by this run's facts: no rule
		 * of the policy would let it through. */
		v->rule = SBX_RULE_SYSTEM;
		v->why = "no memory cgroup here: a memfd's pages would escape limits.memory_mb";
	}
	v->check_write = !never && check && check->when == SC_CHECK_WRITE;
	v->check_exec = !never && first->when == SC_CHECK_EXEC && sbx_rule_bool(p, first->rule);
	if (v->check_exec)
		v->rule = SBX_RULE_EXEC_ALLOW;
	v->check_net = !never && check && check->when == SC_CHECK_NET;
}

/* ---- explaining ---- */

/* The condition that allows a refused row, in words; NULL: nothing does. */
static const char *when_text(const struct sbx_sc_row *r)
{
	switch (r->when) {
	case SC_IF_RULE: return sbx_rule_name(r->rule);
	case SC_IF_NET: return "a network rule";
	case SC_IF_CONNECT: return "network.connect or network.dns";
	case SC_IF_BIND: return "network.bind";
	case SC_IF_WRITE: return "filesystem.write or filesystem.tmp";
	case SC_IF_NATIVE: return "native.ctypes or native.extensions \"any\"";
	case SC_IF_MEMFD: return "native.ctypes or native.extensions \"any\", and memory held by a cgroup";
	case SC_CHECK_WRITE: return "filesystem.write or filesystem.tmp (for targets inside them)";
	case SC_CHECK_NET: return "network rules (for the addresses they list)";
	case SC_CHECK_EXEC: return sbx_rule_name(r->rule);
	default: return NULL;
	}
}

/* What the filter does with a row under a policy. */
enum row_verdict { RV_NOT_HERE = -1, RV_ALLOWED, RV_REFUSED, RV_ENOSYS, RV_EBADF };

static enum row_verdict verdict_of(const struct sbx_policy *p, const struct sbx_sc_row *r)
{
	if (seccomp_syscall_resolve_name(r->syscall) < 0)
		return RV_NOT_HERE;
	if (r->when == SC_ENOSYS)
		return RV_ENOSYS;
	if (r->when == SC_EBADF)
		return RV_EBADF;
	return row_allowed(p, r, 0) ? RV_ALLOWED : RV_REFUSED;
}

/* The condition a row is listed under: without its rule's boolean, an
 * execve is one more refused way to start a program, listed with fork. */
static enum sbx_sc_when listed_when(const struct sbx_policy *p, const struct sbx_sc_row *r)
{
	if (r->when == SC_CHECK_EXEC && !sbx_rule_bool(p, r->rule))
		return SC_IF_RULE;
	return r->when;
}

/* One line of syscalls: those of rule with this verdict and, when when is
 * non-zero, this condition. Returns how many were printed. */
static int list_rows(const struct sbx_policy *p, FILE *out, enum sbx_rule rule, enum row_verdict verdict,
		     enum sbx_sc_when when, const char *head)
{
	size_t col = 0;
	int n = 0;

	for (size_t g = 0; g < sbx_sc_n_groups; g++) {
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const struct sbx_sc_row *r = &sbx_sc_groups[g].rows[i];
			char item[160];
			if (r->rule != rule || verdict_of(p, r) != verdict || (when && listed_when(p, r) != when))
				continue;
			if (!n++)
				col = (size_t)fprintf(out, "    %s: ", head);
			snprintf(item, sizeof(item), "%s%s%s%s", r->syscall, r->cond ? " (" : "",
				 r->cond ? r->cond : "", r->cond ? ")" : "");
			if (n > 1 && col + strlen(item) > 76) {
				fprintf(out, ",\n      ");
				col = 6;
			} else if (n > 1) {
				col += (size_t)fprintf(out, ", ");
			}
			col += (size_t)fprintf(out, "%s", item);
		}
	}
	if (n)
		fputc('\n', out);
	return n;
}

static bool rule_has_rows(enum sbx_rule rule)
{
	for (size_t g = 0; g < sbx_sc_n_groups; g++)
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++)
			if (sbx_sc_groups[g].rows[i].rule == rule)
				return true;
	return false;
}

/* The head of a line of refused rows of rule under condition w. */
static void refused_head(const struct sbx_policy *p, enum sbx_rule rule, enum sbx_sc_when w,
			 char *head, size_t len)
{
	bool kill = sbx_policy_deny_action(p) == SBX_KILL;
	const struct sbx_sc_row probe = { .rule = rule, .when = w };
	const char *needs = when_text(&probe);

	if (w == SC_CHECK_EXEC && sbx_rule_bool(p, rule))
		snprintf(head, len, "checked by the supervisor: a program in process.exec_allow goes on "
			 "(Landlock checks EXECUTE again), any other is %s", kill ? "killed" : "refused (reported)");
	else if (w == SC_CHECK_NET && !sbx_policy_no_network(p))
		snprintf(head, len, "checked by the supervisor: an address the policy lists goes on "
			 "(Landlock checks TCP ports again), any other is %s", kill ? "killed" : "refused (reported)");
	else if (w == SC_CHECK_WRITE && (p->fs.write.n || p->fs.tmp))
		snprintf(head, len, "checked by the supervisor: a target in a writable tree goes on to "
			 "Landlock (chmod, chown, utime, xattrs: done by the supervisor as the program), any "
			 "other is %s", kill ? "killed" : "refused (EACCES, reported)");
	else
		snprintf(head, len, "%s%s%s", kill ? "killed (reported, ends the sandbox)" : "denied (EPERM, reported)",
			 needs ? "; allowed by " : "", needs ? needs : "");
}

void sbx_seccomp_explain(const struct sbx_policy *p, FILE *out)
{
	fprintf(out, "seccomp filter (kernel layer; whatever is not allowed is refused and "
		     "reported to the supervisor):\n");
	for (int rule = 0; rule < SBX_RULE__COUNT; rule++) {
		if (!rule_has_rows((enum sbx_rule)rule))
			continue;
		fprintf(out, "  %s\n", rule == SBX_RULE_NONE ? "(runtime, no rule)" : sbx_rule_name((enum sbx_rule)rule));
		list_rows(p, out, (enum sbx_rule)rule, RV_ALLOWED, 0, "allowed");
		for (int w = SC_NEVER; w < SC__COUNT; w++) {
			char head[256];
			if (w == SC_ENOSYS || w == SC_EBADF)
				continue;
			refused_head(p, (enum sbx_rule)rule, (enum sbx_sc_when)w, head, sizeof(head));
			list_rows(p, out, (enum sbx_rule)rule, RV_REFUSED, (enum sbx_sc_when)w, head);
		}
		list_rows(p, out, (enum sbx_rule)rule, RV_ENOSYS, 0, "ENOSYS, silent (libc falls back)");
		list_rows(p, out, (enum sbx_rule)rule, RV_EBADF, 0, "EBADF, silent (descriptor 3 is sandboxpy's channel)");
	}
	fprintf(out, "  any other syscall: ENOSYS, reported (rule system)\n");
	fprintf(out, "  a syscall of another ABI (i386 int 0x80, x32): the process is killed (SIGSYS)\n");
}

int sbx_seccomp_export_pfc(const struct sbx_policy *p, int fd, struct sbx_error *err)
{
	scmp_filter_ctx ctx;
	unsigned rules;
	int r = compile(p, 3, 0, SCMP_ACT_NOTIFY, &ctx, &rules, err);

	if (r < 0)
		return r;
	r = seccomp_export_pfc(ctx, fd);
	if (r < 0)
		sbx_diag_add(err, NULL, 0, 0, NULL, "seccomp: exporting the pseudo-filter code: %s",
			     strerror(-r));
	seccomp_release(ctx);
	return r;
}

void sbx_seccomp_rule_calls(const struct sbx_policy *p, enum sbx_rule rule, char *buf, size_t len)
{
	size_t off = 0;

	(void)p;
	buf[0] = '\0';
	for (size_t g = 0; g < sbx_sc_n_groups; g++) {
		for (size_t i = 0; i < sbx_sc_groups[g].n; i++) {
			const struct sbx_sc_row *r = &sbx_sc_groups[g].rows[i];
			bool dup = false;
			if (r->rule != rule || r->when == SC_ALWAYS || r->when == SC_EBADF)
				continue;
			/* One name per syscall, whatever its argument rows. */
			for (size_t h = 0; h <= g && !dup; h++)
				for (size_t j = 0; j < (h == g ? i : sbx_sc_groups[h].n) && !dup; j++) {
					const struct sbx_sc_row *o = &sbx_sc_groups[h].rows[j];
					dup = o->rule == rule && o->when != SC_ALWAYS && o->when != SC_EBADF &&
					      strcmp(o->syscall, r->syscall) == 0;
				}
			if (dup)
				continue;
			int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", r->syscall);
			if (n < 0 || (size_t)n >= len - off) {
				buf[off] = '\0';
				return;
			}
			off += (size_t)n;
		}
	}
}
