/* pool_fits.c: whether a run may take its interpreter from the warm pool,
 * asked by the supervisor before it chooses (no interpreter needed). A
 * worker makes the zygote's interpreter what a fresh start would have made
 * (rebase.c); an option it cannot reproduce exactly keeps the run out of
 * the pool, and the run starts fresh. tests/unit/test_rebase.c checks
 * both lists below against the interpreter. */
#include <stdio.h>
#include <string.h>

#include "sbx_child.h"
#include "sbx_child_int.h"
#include "sbx_hook.h"

/* What the zygote's start-up imports (python3.11 -I -S): a run that denies
 * one of them would have started without it, and the zygote's copy is
 * referenced from the others (zipimport holds time). */
const char *const sbx_pool_init_modules[] = {
	"__main__", "_abc", "_codecs", "_frozen_importlib", "_frozen_importlib_external", "_imp",
	"_io", "_signal", "_thread", "_warnings", "_weakref", "abc", "builtins", "codecs", "encodings",
	"encodings.aliases", "encodings.utf_8", "io", "marshal", "posix", "sys", "time", "zipimport",
	NULL,
};

/* Names that decide the locale start-up sets (LC_CTYPE) and coerces: the
 * zygote's is the C locale coerced to C.UTF-8, and cannot be set again. */
static bool locale_name(const char *e)
{
	return strncmp(e, "LANG=", 5) == 0 || strncmp(e, "LC_", 3) == 0;
}

/* Names the ELF loader and the C library read once, at the exec or at
 * the interpreter's start (a fresh start's, which the zygote's was not
 * with them): the conversion modules and locales are loaded by then. */
static bool loader_name(const char *e)
{
	return strncmp(e, "LD_", 3) == 0 || strncmp(e, "GLIBC_TUNABLES=", 15) == 0 ||
	       strncmp(e, "MALLOC_", 7) == 0 || strncmp(e, "GCONV_PATH=", 11) == 0 ||
	       strncmp(e, "LOCPATH=", 8) == 0;
}

bool sbx_pool_fits(const struct sbx_policy *p, const struct sbx_run_opts *o, char *const *envp,
		   const char **why)
{
	static const char *const r_stdin = "the program is read from standard input",
			      *const r_x = "-X options", *const r_w = "-W options",
			      *const r_o = "-O", *const r_b = "-b", *const r_d = "-d",
			      *const r_loc = "a locale variable in the environment",
			      *const r_ld = "a loader or C library variable in the environment",
			      *const r_deny = "imports.deny names a module imported at start-up";
	const char *r = NULL;

	if (o->kind == SBX_PROG_STDIN)
		r = r_stdin;
	else if (o->n_xoptions)
		r = r_x;	/* faulthandler, tracemalloc, dev, ...: set up at start-up */
	else if (o->n_warnoptions)
		r = r_w;	/* the warnings filters are made at start-up */
	else if (o->optimize)
		r = r_o;	/* start-up's modules were loaded from non-optimised bytecode */
	else if (o->bytes_warning)
		r = r_b;
	else if (o->parser_debug)
		r = r_d;
	for (char *const *e = envp; !r && e && *e; e++)
		r = locale_name(*e) ? r_loc : loader_name(*e) ? r_ld : NULL;
	for (size_t i = 0; !r && sbx_pool_init_modules[i]; i++)
		if (sbx_hook_name_denied(p, sbx_pool_init_modules[i]))
			r = r_deny;
	if (why)
		*why = r;
	return !r;
}
