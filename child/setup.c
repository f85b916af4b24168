/* setup.c: the child's channel state and its set-up records, for both
 * halves (sbx_child_int.h), and the test-only fault switch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sbx_child_int.h"

int sbx_child_chan_no = 3;
unsigned char sbx_child_chan_key[SBX_CHAN_KEY_LEN];
bool sbx_child_audit_only;

#ifdef SBX_SANITIZE
#include <sanitizer/lsan_interface.h>
/* When the program calls sys.exit(), CPython ends the child through
 * Py_Exit(), that is exit(), and the interpreter never frees all it
 * allocated: LeakSanitizer would report Python's own memory and replace
 * the program's exit status with its own. Only the supervisor is checked. */
static volatile int lsan_off;

__attribute__((visibility("default"))) int __lsan_is_turned_off(void)
{
	return lsan_off;
}
#endif

void sbx_child_lsan_off(void)
{
#ifdef SBX_SANITIZE
	lsan_off = 1;
#endif
}

#ifdef SBX_TEST_SWITCHES
const char *sbx_fault_injected;

bool sbx_fault(const char *layer)
{
	return sbx_fault_injected && strcmp(sbx_fault_injected, layer) == 0;
}
#endif

static const char *const step_names[SBX_STEP__COUNT] = {
	[SBX_STEP_FDS] = "closing inherited descriptors",
	[SBX_STEP_STDIO] = "redirecting standard streams",
	[SBX_STEP_SESSION] = "starting a new session",
	[SBX_STEP_CHDIR] = "changing to the working directory",
	[SBX_STEP_PDEATHSIG] = "tying the child's life to the supervisor",
	[SBX_STEP_RLIMITS] = "setting resource limits",
	[SBX_STEP_NO_NEW_PRIVS] = "setting no_new_privs",
	[SBX_STEP_CAPS] = "dropping capabilities",
	[SBX_STEP_HOOK] = "installing the audit hook",
	[SBX_STEP_PYTHON_CONFIG] = "configuring the interpreter",
	[SBX_STEP_PYTHON_INIT] = "starting the interpreter",
	[SBX_STEP_PYTHON_PATH] = "preparing sys.path and sys.modules",
	[SBX_STEP_SECCOMP] = "loading the seccomp filter",
	[SBX_STEP_LANDLOCK] = "enforcing the Landlock ruleset",
	[SBX_STEP_IDMAP] = "setting up the sandbox's mount view (a root of its own holding only "
			   "the run's trees, private tmp, /dev and /proc)",
};

const char *sbx_step_name(int step)
{
	if (step <= 0 || step >= SBX_STEP__COUNT || !step_names[step])
		return "an unknown step";
	return step_names[step];
}

/* A set-up record for the supervisor. Only async-signal-safe calls until
 * the interpreter starts. */
void sbx_child_send_step(enum sbx_chan_type type, enum sbx_step step, int err, const char *detail)
{
	struct sbx_chan_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.version = SBX_CHAN_VERSION;
	rec.type = type;
	rec.pid = (uint32_t)getpid();
	rec.step = step;
	rec.err = err;
	memcpy(rec.key, sbx_child_chan_key, sizeof(rec.key));
	if (detail) {
		size_t n = strnlen(detail, sizeof(rec.detail));
		memcpy(rec.detail, detail, n);
		rec.detail_len = (uint16_t)n;
	}
	(void)!send(SBX_CHAN_FD, &rec, sizeof(rec), MSG_NOSIGNAL);
}

_Noreturn void sbx_child_fail(enum sbx_step step, int err, const char *detail)
{
	sbx_child_send_step(SBX_CHAN_SETUP_FAIL, step, err, detail);
	_exit(SBX_EXIT_SETUP);
}


void sbx_child_landlock_failed(unsigned require, int err, const char *what)
{
	if (require & SBX_LAYER_LANDLOCK)
		sbx_child_fail(SBX_STEP_LANDLOCK, err, what);
	sbx_child_send_step(SBX_CHAN_LAYER_FAIL, SBX_STEP_LANDLOCK, err, what);
}
