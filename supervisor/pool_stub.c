/* pool_stub.c: TEMPORARY stand-in for the warm pool (supervisor/pool.c,
 * issue 20 target 3), so that the pool-slots branch links before the
 * pool lands: no pool can be opened, every run starts fresh. Replaced by
 * the real supervisor/pool.c at merge. */
#include <errno.h>

#include "sandboxpy.h"
#include "sbx_diag.h"

int sbx_pool_open(struct sbx_pool **out, struct sbx_error *err)
{
	*out = NULL;
	sbx_diag_add(err, NULL, 0, 0, NULL, "the warm pool is not built into this sandboxpy");
	return -ENOSYS;
}

void sbx_pool_close(struct sbx_pool *pool)
{
	(void)pool;
}
