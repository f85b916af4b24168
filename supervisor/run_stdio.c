/* run_stdio.c: the files the supervisor opens for the run (--stdin,
 * --stdout, --stderr, --log), never through a link the sandbox planted;
 * the program's standard streams, its stderr relayed through a pipe so
 * that it never holds ours; and the measure of what it wrote against
 * file_size_mb. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_match.h"
#include "sbx_ns.h"
#include "sbx_diag.h"
#include "sbx_run.h"

/* Opens a file the supervisor reads or writes for the run (--stdin,
 * --stdout, --stderr, --log) with its own credentials, without following
 * a symlink the sandbox could have planted: inside one of the run's
 * writable trees no symlink is followed at all (RESOLVE_NO_SYMLINKS), and
 * elsewhere, started as root, not a last component the sandbox's uid owns.
 * A link an earlier run planted would otherwise have root truncate or
 * read a file of its choosing. -errno. */
int sbx_open_own(const char *path, int flags, char *const *write_roots)
{
	char abs[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	/* O_PATH takes no other open flags (openat2 says EINVAL). */
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY)),
				.mode = 0644 };
	struct stat st;
	char *slash;
	bool inside = false;

	if (path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", path);
	else if (!getcwd(dir, sizeof(dir)) || (size_t)snprintf(abs, sizeof(abs), "%s/%s", dir, path) >= sizeof(abs))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", abs);
	if ((slash = strrchr(dir, '/')))
		slash[slash == dir ? 1 : 0] = '\0';
	for (char *const *r = write_roots; r && *r && !inside; r++)
		inside = sbx_path_under(abs, *r) ||
			 (realpath(dir, real) && sbx_path_under(real, *r));
	if (!(flags & O_CREAT))
		how.mode = 0;
	if (inside)
		how.resolve = RESOLVE_NO_SYMLINKS;
	else if (geteuid() == 0 && lstat(abs, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid == SBX_SANDBOX_ID)
		how.flags |= O_NOFOLLOW;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof(how));
	/* Inside another sandbox, whose filter answers openat2 with ENOSYS
	 * (its arguments cannot be checked): open(2), with no link followed
	 * at the end where none may be (the outer sandbox confines us). */
	if (fd < 0 && errno == ENOSYS)
		fd = open(abs, (int)how.flags | (how.resolve ? O_NOFOLLOW : 0), (mode_t)how.mode);
	return fd < 0 ? -errno : fd;
}

/* --stdin: read through sbx_open_own; --stdout, --stderr: a destination
 * checked as the report's is (sbx_dest_open), "-" our own stream. */
static int open_stdio(const char *path, int flags, int *out, char *const *write_roots, struct sbx_error *err)
{
	struct sbx_dest d;
	int fd;

	if (flags == O_RDONLY) {
		fd = strcmp(path, "-") ? sbx_open_own(path, flags, write_roots) : fcntl(0, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			sbx_diag_add(err, path, 0, 0, NULL, "cannot open: %s%s", strerror(-fd),
				     fd == -ELOOP ? " (a symlink sandboxpy will not follow for the run)" : "");
			return fd;
		}
		*out = fd;
		return 0;
	}
	if ((fd = sbx_dest_open(path, "the program's output", write_roots, &d, err)) < 0)
		return fd;
	fd = sbx_dest_stream(&d);
	sbx_dest_close(&d);
	if (fd < 0) {
		sbx_diag_add(err, path, 0, 0, NULL, "cannot open: %s%s", strerror(-fd),
			     fd == -ELOOP ? " (a symlink sandboxpy will not follow for the run)" : "");
		return fd;
	}
	*out = fd;
	return 0;
}

/* The caller's descriptor as the sandbox's stdio: a private copy, so
 * that the caller's stays as it was. */
static int dup_stdio(int fd, int *out, struct sbx_error *err)
{
	int c = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (c < 0) {
		int r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "stdio descriptor %d: %s", fd, strerror(errno));
		return r;
	}
	*out = c;
	return 0;
}

/* ---- the program's standard streams ---- */

/* The limit RLIMIT_FSIZE puts on a regular file, in bytes; -1: none. */
static long long fsize_cap(const struct sup *s, int fd)
{
	struct stat st;

	if (s->p->limits.file_size_mb < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)(s->p->limits.file_size_mb * 1024.0 * 1024.0);
}

/* The supervisor's own standard error is never a file the program can
 * write through a descriptor: a program holding it could ftruncate the
 * supervisor's lines away, or set O_NONBLOCK on a shared pipe so that
 * they fail with EAGAIN. When the program would inherit it (no --stderr,
 * no descriptor of the caller's), it gets a pipe instead, and the
 * supervisor copies that pipe to its stderr (relay_copy). Standard
 * output joins the same pipe when it is the same file, so that their
 * order is kept. A terminal is left as it is: it cannot be truncated,
 * and the program may want isatty() to be true. */
static int setup_relay(struct sup *s, struct sbx_error *err)
{
	struct stat e, out;
	int pv[2];

	if (s->plan.stdio_fd[2] >= 0 || fstat(2, &e) < 0 || isatty(2))
		return 0;
	if (pipe2(pv, O_CLOEXEC) < 0) {
		int r = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot make the program's stderr pipe: %s", strerror(errno));
		return r;
	}
	fcntl(pv[0], F_SETFL, O_NONBLOCK);
	s->plan.stdio_fd[2] = pv[1];
	s->relay_rd = pv[0];
	s->relay_cap = fsize_cap(s, 2);
	if (s->plan.stdio_fd[1] < 0 && fstat(1, &out) == 0 && !isatty(1) &&
	    out.st_dev == e.st_dev && out.st_ino == e.st_ino &&
	    (s->plan.stdio_fd[1] = fcntl(pv[1], F_DUPFD_CLOEXEC, 3)) >= 0)
		s->relay_merged = true;
	return 0;
}

/* Where the next write to our stderr lands, as RLIMIT_FSIZE counts it. */
static long long relay_pos(void)
{
	struct stat st;
	int fl = fcntl(2, F_GETFL);

	if (fl >= 0 && !(fl & O_APPEND))
		return (long long)lseek(2, 0, SEEK_CUR);
	return fstat(2, &st) == 0 ? (long long)st.st_size : -1;
}

/* All of buf to fd; waits (up to a second at a time) on a descriptor that
 * is non-blocking, as a caller's stderr may be. */
int sbx_write_all(int fd, const void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)buf + off, len - off);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = { fd, POLLOUT, 0 };
			if (poll(&pf, 1, 1000) <= 0)
				return -EAGAIN;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

/* Copies what the program wrote, a bounded amount per call (the loop has
 * other work); at the end (final) until the pipe is empty. A regular file
 * is held to file_size_mb as RLIMIT_FSIZE would hold the program's own
 * writes: the part up to the limit is written, then the run ends with
 * status output (measured here, not inferred from a signal). */
void sbx_relay_copy(struct sup *s, bool final)
{
	int rounds = final ? 1 << 14 : 16;
	char buf[65536];

	for (int i = 0; s->relay_rd >= 0 && i < rounds; i++) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (s->relay_cap >= 0) {
			long long pos = relay_pos(), room = s->relay_cap - pos;
			if (pos >= 0 && room <= 0) {
				s->output_reached = s->relay_merged ? "the program's standard output and error"
						    : "the program's standard error";
				sbx_kill_run(s);
				break;
			}
			if (pos >= 0 && (unsigned long long)room < want)
				want = (size_t)room;
		}
		n = read(s->relay_rd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || sbx_write_all(2, buf, (size_t)n) < 0)
			break;
		s->relay_bytes += (unsigned long long)n;
		if (i + 1 == rounds)
			return;		/* more next time */
	}
	/* The end, the limit, or our stderr is gone: the program's next
	 * write fails with EPIPE, as it would on a closed pipe. */
	if (s->relay_rd >= 0) {
		close(s->relay_rd);
		s->relay_rd = -1;
	}
}

/* The program's streams that the supervisor does not copy, kept to be
 * measured at the end: a regular file that reached file_size_mb during
 * the run is status output. */
void sbx_keep_streams(struct sup *s)
{
	for (int i = 1; i < 3; i++) {
		int src = s->plan.stdio_fd[i] >= 0 ? s->plan.stdio_fd[i] : i;
		struct stat st;
		if ((i == 2 && s->relay_rd >= 0) || (i == 1 && s->relay_merged) || fsize_cap(s, src) < 0 ||
		    fstat(src, &st) < 0)
			continue;
		s->out_fd[i] = fcntl(src, F_DUPFD_CLOEXEC, 3);
		s->out_size0[i] = (long long)st.st_size;
	}
}

void sbx_measure_streams(struct sup *s)
{
	static const char *const names[3] = { NULL, "the program's standard output",
					      "the program's standard error" };
	struct stat st;

	for (int i = 1; i < 3; i++) {
		if (s->out_fd[i] < 0)
			continue;
		if (!s->output_reached && fstat(s->out_fd[i], &st) == 0 &&
		    (long long)st.st_size >= fsize_cap(s, s->out_fd[i]) &&
		    (long long)st.st_size > s->out_size0[i])
			s->output_reached = names[i];
		close(s->out_fd[i]);
		s->out_fd[i] = -1;
	}
}

int sbx_read_all(int fd, void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		off += (size_t)n;
	}
	return 0;
}

/* --log: a JSON line per event, as it happens; checked as the report is. */
static int open_log(struct sup *s, struct sbx_error *err)
{
	const char *path = s->o->log_path;
	struct sbx_dest d;
	int lfd, rc;

	if ((rc = sbx_dest_open(path, "the log", s->plan.write_v, &d, err)) < 0)
		return rc;
	lfd = sbx_dest_stream(&d);
	sbx_dest_close(&d);
	s->log = lfd >= 0 ? fdopen(lfd, "we") : NULL;
	if (s->log)
		return 0;
	rc = lfd < 0 ? lfd : -errno;
	if (lfd >= 0)
		close(lfd);
	sbx_diag_add(err, path, 0, 0, NULL, "cannot open the log: %s%s", strerror(-rc),
		     rc == -ELOOP ? " (a symlink sandboxpy will not follow for the run)" : "");
	return rc;
}

/* The caller's descriptors (use_stdio_fds) take the place of the files. */
static int take_stdio_fds(struct sup *s, struct sbx_error *err)
{
	const struct sbx_run_opts *o = s->o;

	for (int i = 0; o->use_stdio_fds && i < 3; i++) {
		if (o->stdio_fds[i] < 0)
			continue;
		if (s->plan.stdio_fd[i] >= 0) {
			close(s->plan.stdio_fd[i]);
			s->plan.stdio_fd[i] = -1;
		}
		if (dup_stdio(o->stdio_fds[i], &s->plan.stdio_fd[i], err) < 0)
			return -EBADF;
	}
	return 0;
}

/* stderr_to_stdout: the program's descriptor 2 is its descriptor 1. An
 * inherited stdout that is our own stderr is left to setup_relay, which
 * joins both to its pipe: the program never holds our stderr. */
static int merge_stderr(struct sup *s, struct sbx_error *err)
{
	struct stat e, out;

	if (s->o->stderr_path || (s->o->use_stdio_fds && s->o->stdio_fds[2] >= 0)) {
		sbx_diag_add(err, NULL, 0, 0, NULL, "standard error cannot go both to standard output and elsewhere");
		return -EINVAL;
	}
	if (s->plan.stdio_fd[1] >= 0)
		return dup_stdio(s->plan.stdio_fd[1], &s->plan.stdio_fd[2], err);
	if (fstat(1, &out) == 0 && fstat(2, &e) == 0 && !isatty(2) && out.st_dev == e.st_dev &&
	    out.st_ino == e.st_ino)
		return 0;
	return dup_stdio(1, &s->plan.stdio_fd[2], err);
}

int sbx_open_streams(struct sup *s, struct sbx_error *err)
{
	const struct sbx_run_opts *o = s->o;
	char *const *wr = s->plan.write_v;
	int rc;

	/* The report first: a run that cannot write it does not start. */
	if (o->report_path && (rc = sbx_dest_open(o->report_path, "the report", wr, &s->report_dest, err)) < 0)
		return rc;
	if ((o->stdin_path && open_stdio(o->stdin_path, O_RDONLY, &s->plan.stdio_fd[0], wr, err) < 0) ||
	    (o->stdout_path && strcmp(o->stdout_path, "-") && open_stdio(o->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, &s->plan.stdio_fd[1],
					  wr, err) < 0) ||
	    (o->stderr_path && open_stdio(o->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, &s->plan.stdio_fd[2],
					  wr, err) < 0))
		return -EINVAL;
	if ((rc = take_stdio_fds(s, err)) < 0)
		return rc;
	if (o->stderr_to_stdout && (rc = merge_stderr(s, err)) < 0)
		return rc;
	if (setup_relay(s, err) < 0)
		return -EPIPE;
	return o->log_path ? open_log(s, err) : 0;
}
