/* sbx_pack.h: a flat, bounded byte form for data that crosses an exec
 * (the child's plan, child/blob.c, and the policy in it, policy/pack.c).
 * The writer grows a buffer; the reader checks every length against what
 * is left and fails closed. Integers are in host order: both ends are the
 * same build on the same machine. */
#ifndef SBX_PACK_H
#define SBX_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sbx_policy;

struct sbx_packer {
	unsigned char *buf;
	size_t len, cap;
	bool failed;			/* out of memory: the result is unusable */
};

struct sbx_unpacker {
	const unsigned char *p;
	size_t left;
	bool failed;			/* short or malformed: the result is unusable */
};

void sbx_pack_bytes(struct sbx_packer *w, const void *b, size_t n);
void sbx_pack_u64(struct sbx_packer *w, uint64_t v);
void sbx_pack_f64(struct sbx_packer *w, double v);
void sbx_pack_str(struct sbx_packer *w, const char *s);	/* NULL round-trips */
void sbx_pack_strv(struct sbx_packer *w, char *const *v, size_t n);
/* A NULL-terminated vector, NULL itself round-trips. */
void sbx_pack_strz(struct sbx_packer *w, char *const *v);

int sbx_unpack_bytes(struct sbx_unpacker *r, void *b, size_t n);
uint64_t sbx_unpack_u64(struct sbx_unpacker *r);
double sbx_unpack_f64(struct sbx_unpacker *r);
/* malloc'd; NULL for a packed NULL or on failure (then r->failed). */
char *sbx_unpack_str(struct sbx_unpacker *r);
char **sbx_unpack_strv(struct sbx_unpacker *r, size_t *n);
char **sbx_unpack_strz(struct sbx_unpacker *r);

/* Every field of the policy, and back: a policy unpacked is the one
 * packed (tests/unit/test_pack.c walks every rule of the registry). */
void sbx_policy_pack(struct sbx_packer *w, const struct sbx_policy *p);
/* 0 or -EINVAL/-ENOMEM; *out is freed with sbx_policy_free. */
int sbx_policy_unpack(struct sbx_unpacker *r, struct sbx_policy **out);

#endif
