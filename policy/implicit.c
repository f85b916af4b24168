/* implicit.c: what every run may read without its policy naming it
 * (policy.md "Implicit reads"), item by item, in one table: the plan binds
 * it into the sandbox's view and gives it to Landlock and the hook,
 * --explain prints it, the report lists it (layers.view). An item with a
 * name can be dropped by filesystem.implicit; the others are what the
 * interpreter cannot start without. */
#include <string.h>

#include "sbx_policy.h"

#define MA SBX_MULTIARCH

static const struct sbx_implicit items[] = {
	{ NULL, SBX_IMP_ALWAYS, false, "the standard library, its extension modules, Debian's "
	  "sitecustomize link", { SBX_PYTHON_STDLIB, "/etc/python3.11" } },
	{ NULL, SBX_IMP_ALWAYS, false, "the shared libraries the interpreter and extension modules "
	  "load, and Debian's alternatives their links go through (libblas)",
	  { "/usr/lib/" MA, "/lib/" MA, "/etc/ld.so.cache", "/etc/alternatives" } },
	{ NULL, SBX_IMP_ALWAYS, false, "devices: os.urandom, random, hashlib, /dev/null",
	  { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom" } },
	{ "identity", SBX_IMP_ALWAYS, true, "the sandbox's user and group for pwd, grp, getpass, "
	  "expanduser (written for the run, not the host's)",
	  { "/etc/passwd", "/etc/group", "/etc/nsswitch.conf" } },
	{ "hosts", SBX_IMP_ALWAYS, true, "localhost for the resolver (written for the run; the host's "
	  "with network.dns)", { "/etc/hosts" } },
	{ "timezone", SBX_IMP_ALWAYS, false, "the C runtime's time zone, zoneinfo",
	  { "/etc/localtime", "/usr/share/zoneinfo" } },
	{ "locale", SBX_IMP_ALWAYS, false, "locales named by LANG/LC_ALL", { "/usr/lib/locale" } },
	{ "ssl", SBX_IMP_ALWAYS, false, "OpenSSL's configuration and the CA certificates ssl loads",
	  { "/usr/lib/ssl", "/etc/ssl/openssl.cnf", "/etc/ssl/certs" } },
	{ NULL, SBX_IMP_SITE, false, "python.site: the site-packages directories",
	  { "/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages",
	    "/usr/local/lib/python3/dist-packages" } },
	{ NULL, SBX_IMP_DNS, false, "network.dns: what the resolver reads",
	  { "/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/services",
	    "/etc/protocols" } },
	{ NULL, SBX_IMP_SPAWN, false, "process.spawn: the ELF interpreter as programs name it",
	  { "/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-x86-64.so.2" } },
};

const struct sbx_implicit *sbx_implicit_items(size_t *n)
{
	*n = sizeof(items) / sizeof(items[0]);
	return items;
}

int sbx_implicit_bit(const char *name)
{
	int bit = 0;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (!items[i].name)
			continue;
		if (strcmp(items[i].name, name) == 0)
			return bit;
		bit++;
	}
	return -1;
}

bool sbx_implicit_applies(const struct sbx_policy *p, const struct sbx_implicit *it, bool site)
{
	int bit;

	switch (it->when) {
	case SBX_IMP_SITE: return site;
	case SBX_IMP_DNS: return p->net.dns;
	case SBX_IMP_SPAWN: return p->process.spawn;
	case SBX_IMP_ALWAYS: break;
	}
	bit = it->name ? sbx_implicit_bit(it->name) : -1;
	return bit < 0 || !(p->fs.implicit_drop & (1u << bit));
}
