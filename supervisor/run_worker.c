/* run_worker.c: sbx_run from a host with other threads. The sandbox is
 * started with a raw clone (namespaces), which skips glibc's fork
 * handlers: a lock another thread of the caller held at that moment
 * (malloc's, stdio's) would stay locked in the child for good. So a
 * threaded caller gets a worker first, made with glibc's fork (which
 * resets those locks), single-threaded, that runs the sandbox and sends
 * back the events and messages (for the callbacks, in the caller's
 * thread) and the result. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_channel.h"
#include "sbx_diag.h"
#include "sbx_run.h"

static int threads_of_self(void)
{
	char line[128];
	int n = 1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static int notes_fd = -1;	/* in the worker only: a single thread */

static void send_note(uint32_t what, const char *text)
{
	struct sbx_worker_note n = { what, (uint32_t)strlen(text) };

	if (sbx_write_all(notes_fd, &n, sizeof(n)) == 0)
		(void)sbx_write_all(notes_fd, text, n.len);
}

static void forward_event(const char *event_json, void *ctx)
{
	(void)ctx;
	send_note(SBX_WORKER_EVENT, event_json);
}

static void forward_message(enum sbx_msg_kind kind, const char *text, void *ctx)
{
	(void)ctx;
	send_note(SBX_WORKER_MESSAGE + (uint32_t)kind, text);
}

/* In the worker: the run, then its outcome on out. */
static _Noreturn void worker_main(const struct sbx_policy *p, const struct sbx_run_opts *o,
				  int notes, int out)
{
	struct sbx_run_opts wo = *o;
	struct sbx_worker_result r;

	/* The caller's thread waits for us; if the caller dies, so do we,
	 * and sbx_run ends the sandbox on SIGTERM. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	notes_fd = notes;
	if (o->on_event) {
		wo.on_event = forward_event;
		wo.on_event_ctx = NULL;
	}
	if (o->on_message) {
		wo.on_message = forward_message;
		wo.on_message_ctx = NULL;
	}
	sbx_error_clear(&r.err);
	r.code = sbx_run_here(p, &wo, &r.res, &r.err);
	close(notes);
	r.report_len = r.res.report_json ? (uint32_t)strlen(r.res.report_json) : 0;
	if (sbx_write_all(out, &r, sizeof(r)) < 0 ||
	    (r.report_len && sbx_write_all(out, r.res.report_json, r.report_len) < 0))
		_exit(1);
	_exit(0);
}

/* In the caller's thread: the callbacks, as the worker's notes come. */
static void relay_notes(int fd, const struct sbx_run_opts *o)
{
	struct sbx_worker_note n;
	char *text;

	while (sbx_read_all(fd, &n, sizeof(n)) == 0) {
		if (!(text = malloc((size_t)n.len + 1)) || sbx_read_all(fd, text, n.len) < 0) {
			free(text);
			break;
		}
		text[n.len] = '\0';
		if (n.what == SBX_WORKER_EVENT && o->on_event)
			o->on_event(text, o->on_event_ctx);
		else if (n.what >= SBX_WORKER_MESSAGE && o->on_message)
			o->on_message((enum sbx_msg_kind)(n.what - SBX_WORKER_MESSAGE), text, o->on_message_ctx);
		free(text);
	}
}

/* The worker's outcome: its return code, result, errors, report text.
 * -EIO when it died without one. */
static int read_outcome(int fd, struct sbx_result *res, struct sbx_error *err)
{
	struct sbx_worker_result r;

	if (sbx_read_all(fd, &r, sizeof(r)) < 0) {
		memset(res, 0, sizeof(*res));
		sbx_diag_add(err, NULL, 0, 0, NULL, "the worker that ran the sandbox died");
		return -EIO;
	}
	*res = r.res;
	res->report_json = NULL;
	if (r.report_len && (res->report_json = malloc((size_t)r.report_len + 1))) {
		if (sbx_read_all(fd, res->report_json, r.report_len) == 0) {
			res->report_json[r.report_len] = '\0';
		} else {
			free(res->report_json);
			res->report_json = NULL;
		}
	}
	for (int i = 0; err && i < r.err.n && err->n < SBX_ERR_MAX; i++)
		err->d[err->n++] = r.err.d[i];
	return r.code;
}

static void close_pair(int (*fds)[2])
{
	for (int i = 0; i < 2; i++)
		if ((*fds)[i] >= 0)
			close((*fds)[i]);
}

#define cleanup_pair __attribute__((cleanup(close_pair)))

static void close_end(int *fd)
{
	close(*fd);
	*fd = -1;
}

int sbx_run_in_worker(const struct sbx_policy *p, const struct sbx_run_opts *o,
		      struct sbx_result *res, struct sbx_error *err)
{
	int cleanup_pair ev[2] = { -1, -1 };
	int cleanup_pair out[2] = { -1, -1 };
	int rc = -EIO, st;
	pid_t w;

	memset(res, 0, sizeof(*res));
	if (pipe2(ev, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || (w = fork()) < 0) {
		rc = -errno;
		sbx_diag_add(err, NULL, 0, 0, NULL, "cannot start the worker: %s", strerror(errno));
		goto fail;
	}
	if (w == 0) {
		close(ev[0]);
		close(out[0]);
		worker_main(p, o, ev[1], out[1]);
	}
	close_end(&ev[1]);
	close_end(&out[1]);
	/* Events and messages as they come, in this thread; the result
	 * after them. */
	relay_notes(ev[0], o);
	rc = read_outcome(out[0], res, err);
	while (waitpid(w, &st, 0) < 0 && errno == EINTR)
		;
	if (rc != -EIO || res->cli_status)
		return rc;
fail:
	res->status = SBX_ST_INTERNAL;
	res->cli_status = 125;
	res->exit_code = -1;
	snprintf(res->message, sizeof(res->message), "sandboxpy failed before the program could run");
	return rc;
}

int sbx_run(const struct sbx_policy *p, const struct sbx_run_opts *o,
	    struct sbx_result *res, struct sbx_error *err)
{
	return threads_of_self() > 1 ? sbx_run_in_worker(p, o, res, err) : sbx_run_here(p, o, res, err);
}
