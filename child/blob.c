/* blob.c: the part of the child's plan that crosses the exec into the
 * interpreter's image (sbx_child_int.h: struct sbx_rt_plan), in the
 * bounded form of sbx_pack.h, in a pipe: written before the
 * exec, read by rt.c first thing after it, before any code of the
 * program exists. Only what interp.c and the hook read is carried. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sbx_child_int.h"
#include "sbx_pack.h"

#define BLOB_MAGIC 0x73627872746d3031ull	/* "sbxrtm01" */
/* sandboxpy and a runtime from another build do not agree on the form:
 * the version and the sizes of what is copied whole must match. */
#define BLOB_STR(x) #x
#define BLOB_XSTR(x) BLOB_STR(x)
#define BLOB_ABI SBX_VERSION "/" BLOB_XSTR(__SIZEOF_POINTER__)
#define BLOB_MAX (1u << 20)	/* the largest pipe an unprivileged caller gets */

static void pack_roots(struct sbx_packer *w, const struct sbx_roots *r)
{
	sbx_pack_strv(w, r->v, r->n);
}

static void pack_opts(struct sbx_packer *w, const struct sbx_run_opts *o)
{
	sbx_pack_u64(w, o->kind);
	sbx_pack_str(w, o->program);
	sbx_pack_strv(w, (char *const *)o->args, o->n_args);
	sbx_pack_strv(w, (char *const *)o->xoptions, o->n_xoptions);
	sbx_pack_strv(w, (char *const *)o->warnoptions, o->n_warnoptions);
	sbx_pack_u64(w, (uint64_t)o->optimize);
	sbx_pack_u64(w, (uint64_t)o->bytes_warning);
	sbx_pack_u64(w, o->require);
	sbx_pack_u64(w, (uint64_t)o->audit_only | (uint64_t)o->no_site << 1 |
		     (uint64_t)o->unbuffered << 2 | (uint64_t)o->parser_debug << 3 |
		     (uint64_t)o->skip_first_line << 4 | (uint64_t)o->safe_path << 5);
}

static int write_all(int fd, const unsigned char *b, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, b + off, len - off);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

/* A pipe whose buffer holds it all, its write end closed: no process but
 * this one ever held that end, so what rt.c reads is what was written.
 * (A pipe, not a memfd: a sandboxpy nested in another runs under the
 * outer filter, which refuses memfd_create.) */
static int write_pipe(const struct sbx_packer *w)
{
	int p[2], r;

	if (pipe(p) < 0)	/* crosses the exec */
		return -errno;
	if (w->len > 65536 && fcntl(p[1], F_SETPIPE_SZ, (int)w->len) < (int)w->len) {
		r = errno == EPERM ? -E2BIG : -errno;
		goto fail;
	}
	if ((r = write_all(p[1], w->buf, w->len)) < 0)
		goto fail;
	close(p[1]);
	return p[0];
fail:
	close(p[0]);
	close(p[1]);
	return r;
}

/* What only the first half reads (child.c), for a warm pool's worker,
 * which runs the first half in the interpreter's image: the descriptors
 * come beside the blob (sbx_warm_send), not in it. */
static void pack_first_half(struct sbx_packer *w, const struct sbx_child_plan *plan)
{
	const struct sbx_ns *ns = &plan->ns;

	sbx_pack_strz(w, plan->envp);
	sbx_pack_str(w, plan->tmpdir);
	sbx_pack_str(w, plan->python_exe);
	sbx_pack_str(w, plan->loader);
	sbx_pack_str(w, plan->rt_path);
	sbx_pack_str(w, plan->policy_dir);
	sbx_pack_strz(w, plan->exec_v);
	sbx_pack_strz(w, plan->implicit_v);
	sbx_pack_strz(w, plan->sys_v);
	sbx_pack_u64(w, (uint64_t)plan->supervisor);
	sbx_pack_u64(w, (uint64_t)plan->cg_memory | (uint64_t)plan->cg_pids << 1);
	sbx_pack_u64(w, ns->flags);
	sbx_pack_u64(w, ns->net);
	sbx_pack_u64(w, ns->drop_root);
	sbx_pack_u64(w, ns->uid);
	sbx_pack_u64(w, ns->gid);
	sbx_pack_u64(w, ns->n_idmap);
	for (size_t i = 0; i < ns->n_idmap && i < 8; i++)
		sbx_pack_str(w, ns->idmap[i]);
}

static void unpack_first_half(struct sbx_unpacker *r, struct sbx_child_plan *plan)
{
	struct sbx_ns *ns = &plan->ns;
	uint64_t bits;

	plan->envp = sbx_unpack_strz(r);
	plan->tmpdir = sbx_unpack_str(r);
	plan->python_exe = sbx_unpack_str(r);
	plan->loader = sbx_unpack_str(r);
	plan->rt_path = sbx_unpack_str(r);
	plan->policy_dir = sbx_unpack_str(r);
	plan->exec_v = sbx_unpack_strz(r);
	plan->implicit_v = sbx_unpack_strz(r);
	plan->sys_v = sbx_unpack_strz(r);
	for (plan->n_implicit = 0; plan->implicit_v && plan->implicit_v[plan->n_implicit];)
		plan->n_implicit++;
	plan->supervisor = (pid_t)sbx_unpack_u64(r);
	bits = sbx_unpack_u64(r);
	plan->cg_memory = bits & 1;
	plan->cg_pids = bits >> 1 & 1;
	ns->flags = (unsigned long)sbx_unpack_u64(r);
	ns->net = (enum sbx_net_mode)sbx_unpack_u64(r);
	ns->drop_root = sbx_unpack_u64(r) != 0;
	ns->uid = (uid_t)sbx_unpack_u64(r);
	ns->gid = (gid_t)sbx_unpack_u64(r);
	ns->n_idmap = (size_t)sbx_unpack_u64(r);
	if (ns->n_idmap > 8)
		r->failed = true;
	for (size_t i = 0; !r->failed && i < ns->n_idmap; i++) {
		char *s = sbx_unpack_str(r);
		if (!s || strlen(s) >= sizeof(ns->idmap[i]))
			r->failed = true;
		else
			memcpy(ns->idmap[i], s, strlen(s) + 1);
		free(s);
	}
	/* Every descriptor is the worker's to fill in (zygote.c). */
	ns->sync[0] = ns->sync[1] = ns->status[0] = ns->status[1] = ns->idmap_fd = -1;
	plan->read_v = (char **)plan->hook.read.v;
	plan->write_v = (char **)plan->hook.write.v;
}

static int pack_blob(const struct sbx_child_plan *plan, unsigned flags, int ruleset, bool whole)
{
	const struct sbx_hook_cfg *h = &plan->hook;
	struct sbx_packer w = { 0 };
	int fd;

	sbx_pack_u64(&w, BLOB_MAGIC);
	sbx_pack_str(&w, BLOB_ABI);
	sbx_pack_u64(&w, sizeof(struct sbx_policy));
	sbx_pack_u64(&w, flags);
	sbx_pack_u64(&w, (uint64_t)(int64_t)ruleset);
	sbx_pack_u64(&w, (uint64_t)plan->chan_no);
	sbx_pack_u64(&w, (uint64_t)sbx_child_arena_max(plan));
	sbx_pack_u64(&w, (uint64_t)(int64_t)plan->landlock_abi);
	sbx_pack_bytes(&w, h->chan_key, sizeof(h->chan_key));
	sbx_pack_str(&w, plan->script_real);
	sbx_pack_str(&w, plan->self_exe);
	sbx_policy_pack(&w, plan->p);
	pack_opts(&w, plan->o);
	pack_roots(&w, &h->read);
	pack_roots(&w, &h->write);
	pack_roots(&w, &h->site);
	sbx_pack_str(&w, h->dynload);
	sbx_pack_str(&w, h->stdlib);
	sbx_pack_str(&w, h->path_env);
#ifdef SBX_TEST_SWITCHES
	sbx_pack_str(&w, sbx_fault_injected);
#else
	sbx_pack_str(&w, NULL);
#endif
	sbx_pack_u64(&w, whole);
	if (whole)
		pack_first_half(&w, plan);
	sbx_pack_u64(&w, BLOB_MAGIC);
	fd = w.failed ? -ENOMEM : write_pipe(&w);
	free(w.buf);
	return fd;
}

int sbx_rt_pack(const struct sbx_child_plan *plan, unsigned flags, int ruleset)
{
	return pack_blob(plan, flags, ruleset, false);
}

int sbx_rt_pack_whole(const struct sbx_child_plan *plan)
{
	return pack_blob(plan, 0, -1, true);
}

static void unpack_opts(struct sbx_unpacker *r, struct sbx_run_opts *o)
{
	size_t nx = 0, nw = 0;
	char **x, **wo;
	uint64_t bits;

	o->kind = (enum sbx_prog_kind)sbx_unpack_u64(r);
	o->program = sbx_unpack_str(r);
	o->args = (const char *const *)sbx_unpack_strv(r, &o->n_args);
	x = sbx_unpack_strv(r, &nx);
	wo = sbx_unpack_strv(r, &nw);
	if (nx > SBX_MAX_PYOPTS || nw > SBX_MAX_PYOPTS)
		r->failed = true;
	for (size_t i = 0; !r->failed && i < nx; i++)
		o->xoptions[o->n_xoptions++] = x[i];
	for (size_t i = 0; !r->failed && i < nw; i++)
		o->warnoptions[o->n_warnoptions++] = wo[i];
	o->optimize = (int)sbx_unpack_u64(r);
	o->bytes_warning = (int)sbx_unpack_u64(r);
	o->require = (unsigned)sbx_unpack_u64(r);
	bits = sbx_unpack_u64(r);
	o->audit_only = bits & 1;
	o->no_site = bits >> 1 & 1;
	o->unbuffered = bits >> 2 & 1;
	o->parser_debug = bits >> 3 & 1;
	o->skip_first_line = bits >> 4 & 1;
	o->safe_path = bits >> 5 & 1;
}

static void unpack_roots(struct sbx_unpacker *r, struct sbx_roots *out)
{
	out->v = sbx_unpack_strv(r, &out->n);
}

/* The buffer is mapped, not malloc'd: glibc raises its mmap threshold to
 * the size of any mmapped chunk freed, so a freed 1 MiB malloc would make
 * every large calloc of the interpreter's start (obmalloc's radix tree)
 * come from the heap and be cleared page by page: about 65 more page
 * faults per start (docs/performance.md). Only the pages read are touched. */
static unsigned char *read_blob(int fd, size_t *len)
{
	unsigned char *buf = mmap(NULL, BLOB_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ssize_t n;

	if (buf == MAP_FAILED)
		return NULL;
	for (*len = 0; *len < BLOB_MAX; *len += (size_t)n) {
		n = read(fd, buf + *len, BLOB_MAX - *len);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			return NULL;
		else if (n == 0)
			break;
	}
	return buf;
}

/* Read once, whole, to EOF, into *rp, which the caller zeroed (rt.c's is
 * static: clearing its 34 KiB again would only fault its pages in). The
 * process is exiting on any failure: nothing is freed then. */
int sbx_rt_unpack(int fd, struct sbx_rt_plan *rp)
{
	struct sbx_child_plan *plan = &rp->plan;
	struct sbx_hook_cfg *h = &plan->hook;
	struct sbx_policy *p = NULL;
	struct sbx_unpacker r;
	unsigned char *buf;
	char *abi;
	size_t len;

	if (!(buf = read_blob(fd, &len)))
		return -errno;
	r = (struct sbx_unpacker){ .p = buf, .left = len };
	if (sbx_unpack_u64(&r) != BLOB_MAGIC)
		return -EINVAL;
	abi = sbx_unpack_str(&r);
	if (!abi || strcmp(abi, BLOB_ABI) != 0 || sbx_unpack_u64(&r) != sizeof(struct sbx_policy))
		return -EPROTO;
	free(abi);
	rp->flags = (unsigned)sbx_unpack_u64(&r);
	rp->ruleset = (int)(int64_t)sbx_unpack_u64(&r);
	plan->chan_no = (int)sbx_unpack_u64(&r);
	rp->arena_max = (int)sbx_unpack_u64(&r);
	plan->landlock_abi = (int)(int64_t)sbx_unpack_u64(&r);
	sbx_unpack_bytes(&r, h->chan_key, sizeof(h->chan_key));
	plan->script_real = sbx_unpack_str(&r);
	plan->self_exe = sbx_unpack_str(&r);
	if (sbx_policy_unpack(&r, &p) < 0)
		return -EINVAL;
	plan->p = h->p = p;
	unpack_opts(&r, &rp->opts);
	plan->o = &rp->opts;
	unpack_roots(&r, &h->read);
	unpack_roots(&r, &h->write);
	unpack_roots(&r, &h->site);
	h->dynload = sbx_unpack_str(&r);
	h->stdlib = sbx_unpack_str(&r);
	h->path_env = sbx_unpack_str(&r);
	rp->fault = sbx_unpack_str(&r);
	h->audit_only = rp->opts.audit_only;
	h->chan_fd = plan->chan_no;
	if ((rp->whole = sbx_unpack_u64(&r) != 0))
		unpack_first_half(&r, plan);
	if (sbx_unpack_u64(&r) != BLOB_MAGIC || r.failed || r.left)
		return -EINVAL;
	munmap(buf, BLOB_MAX);
	return 0;
}
