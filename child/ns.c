/* ns.c: the child's half of namespaces and identity (see sbx_ns.h). The
 * supervisor clones the child straight into new PID, IPC, UTS and (without
 * outside network rules) network namespaces, plus a user namespace when it
 * is not root (supervisor/clone.c); the child's first process is the namespace's init, a few lines of C that
 * never run the program's code: it forks the program's process, forwards
 * the signals a terminal or the supervisor sends, reaps orphans, and when
 * the program ends kills whatever is left and reports the program's own
 * wait status. The program keeps python3's signal semantics because it is
 * not PID 1. The program's own filesystem view is child/view.c. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_child.h"
#include "sbx_match.h"
#include "sbx_ns.h"

/* ---- the init ---- */

static volatile sig_atomic_t program_pid;

static void forward(int sig)
{
	pid_t p = program_pid;

	/* To the program's process group, as a terminal would. */
	if (p > 0 && kill(-p, sig) < 0)
		kill(p, sig);
}

void sbx_ns_init(struct sbx_ns *ns, int keep_fd)
{
	static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
				   SIGWINCH, SIGCONT, SIGTSTP };
	struct sigaction sa;
	char go = 0;
	int status = 0, st;
	pid_t pid, w;

	close(ns->sync[1]);
	close(ns->status[0]);
	/* Released only once the maps are written; EOF: the supervisor died. */
	if (read(ns->sync[0], &go, 1) != 1 || go != 'g')
		_exit(125);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(125);
	{
		struct pollfd pf = { ns->sync[0], POLLIN, 0 };
		if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR)))
			_exit(125);	/* died between the byte and PDEATHSIG */
	}
	/* Its own process group: the supervisor signals it, it forwards. */
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(125);
	if (pid == 0) {
		/* The program's process: everything else of the set-up
		 * happens here; the pipes close with close_range. */
		return;
	}
	program_pid = pid;
	/* Keep only the status pipe (as fd 3): not the channel (only the
	 * program talks there), not stdio copies, nothing of the supervisor. */
	(void)keep_fd;
	if (ns->status[1] != 3 && dup2(ns->status[1], 3) < 0)
		_exit(125);
	if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	for (int fd = 0; fd < 3; fd++)
		close(fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &sa, NULL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	for (;;) {
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;		/* ECHILD: nothing left */
		if (w == pid) {
			status = st;
			program_pid = 0;
			/* The program is gone: so is everything it started. */
			kill(-1, SIGKILL);
		}
	}
	(void)!write(3, &status, sizeof(status));
	_exit(0);
}

int sbx_ns_drop_root(const struct sbx_ns *ns)
{
	if (!ns->drop_root)
		return 0;
	if (setgroups(0, NULL) < 0 || setresgid(ns->gid, ns->gid, ns->gid) < 0 ||
	    setresuid(ns->uid, ns->uid, ns->uid) < 0)
		return -errno;
	return 0;
}


