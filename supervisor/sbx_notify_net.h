/* sbx_notify_net.h: the supervisor's handling of socket calls (notify_net.c),
 * private to the supervisor. */
#ifndef SBX_NOTIFY_NET_H
#define SBX_NOTIFY_NET_H

#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "sbx_policy.h"

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	char raw[128];
};

const char *sbx_net_family_name(long f);
const char *sbx_net_type_name(long t);
/* The socket address at addr (len bytes) in the caller's memory, for the report. */
void sbx_net_describe_addr(pid_t tid, uint64_t addr, uint64_t len, char *out, size_t cap);
int sbx_net_check(pid_t tid, pid_t tgid, const struct seccomp_data *d, const char *name,
		  const struct sbx_policy *p, char *const *write_roots, union sockaddr_any *checked,
		  socklen_t *clen);
bool sbx_net_on_behalf(pid_t tgid, pid_t tid, const struct seccomp_data *d, const char *name,
		       const union sockaddr_any *a, socklen_t alen, struct seccomp_notif_resp *resp);

/* notify.c's path helpers, used by the UNIX socket check. */
int target_of(pid_t tid, pid_t tgid, long dirfd, const char *path, bool follow, char *out, size_t cap);
bool under_any(const char *path, char *const *roots);

#endif
