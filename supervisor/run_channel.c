/* run_channel.c: the records the child sends on the channel, which the
 * program can write to as well: each one's key, numbering and place in
 * the run are checked before it counts (set-up, READY, events); anything
 * else is tampering, counted, and ends the run where records were lost. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sbx_run.h"

/* Something wrote to the channel that sandboxpy's code did not: the
 * packet was counted (channel_junk or channel_disorder; it is no event of
 * the program, so never in events_dropped) and ignored, and the run is
 * marked (once in errors, once in a warning). Nothing the hook sent was
 * lost by it, so the run goes on and is still observed. */
void sbx_chan_tamper(struct sup *s, const char *why)
{
	if (s->chan_tampered)
		return;
	s->chan_tampered = true;
	json_array_append_new(s->errors, json_sprintf("channel: %s", why));
	sbx_say(s->o, SBX_MSG_WARNING, "the channel to the audit hook was tampered with: %s", why);
}

/* The record is no longer whole: a record of the hook was lost or
 * replayed, or the channel was shut down so that the next one cannot be
 * sent. What the hook saw can no longer be known: the sandbox ends now,
 * and the report says why (never "ok"). */
static void chan_lost(struct sup *s, const char *why)
{
	sbx_chan_tamper(s, why);
	/* --audit-only kills nothing: the mark stays (and the hook still
	 * ends a process whose record it cannot send). */
	if (s->o->audit_only)
		return;
	if (!s->killed_by) {
		s->killed_by = json_object();
		json_object_set_new(s->killed_by, "rule", json_string("channel"));
		json_object_set_new(s->killed_by, "event", json_null());
		json_object_set_new(s->killed_by, "layer", json_string("supervisor"));
		json_object_set_new(s->killed_by, "detail", json_string(why));
		json_object_set_new(s->killed_by, "where", json_null());
	}
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
}

/* Each process numbers its records 1, 2, ...: a number skipped is a lost
 * record, one repeated or behind is a replay or a reordering. 1 starts a
 * process again (a fork's child, or a pid used again). Bounded: beyond
 * SBX_SEQ_PIDS processes, a process not in the table is not judged.
 * 0: in order; 1: after a gap (this record is sound, others were lost);
 * -1: repeated or behind (it may be a replay: not recorded). */
static int seq_check(struct sup *s, pid_t pid, uint32_t seq)
{
	struct seq_slot *slot = NULL;

	for (size_t i = 0; i < s->n_seqs; i++)
		if (s->seqs[i].pid == pid)
			slot = &s->seqs[i];
	if (!slot) {
		if (s->n_seqs == SBX_SEQ_PIDS) {
			s->seq_overflow = true;
			slot = &s->seqs[pid % SBX_SEQ_PIDS];	/* reused: its old owner is forgotten */
		} else {
			slot = &s->seqs[s->n_seqs++];
		}
		slot->pid = pid;
		slot->next = seq + 1;
		if (seq == 1 || s->seq_overflow)
			return 0;
		s->chan_gaps += seq - 1;
		return 1;
	}
	if (seq == slot->next || seq == 1) {
		slot->next = seq + 1;
		return 0;
	}
	if (seq > slot->next) {
		s->chan_gaps += seq - slot->next;
		slot->next = seq + 1;
		return 1;
	}
	s->chan_disorder++;
	return -1;
}

/* Can an audit record prove anything? Only if the program cannot run
 * native code: with ctypes or any extension (or under --audit-only, where
 * a denied ctypes import goes through) it can read the run's key and
 * write any record it likes. */
static bool is_listener(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}

/* An EVENT with the run's key: in its process's order, and one the
 * policy can produce, or it is not recorded. */
static void event_record(struct sup *s, struct sbx_decoded *d)
{
	switch (seq_check(s, d->pid, d->seq)) {
	case 1:
		chan_lost(s, "records of the hook lost, repeated or out of order");
		break;	/* this one is sound: recorded below */
	case -1:
		chan_lost(s, "records of the hook lost, repeated or out of order");
		return;
	}
	if ((!s->ready && !s->setup_failed && d->action != SBX_LOG && d->action != SBX_DENY &&
	     d->action != SBX_KILL) || !sbx_event_plausible(s->p, d)) {
		s->chan_junk++;
		sbx_chan_tamper(s, "a record the policy cannot produce");
		return;
	}
	sbx_on_event(s, d);
}

static bool reject_setup(struct sup *s)
{
	s->chan_junk++;
	sbx_chan_tamper(s, "a set-up record after the start");
	return true;
}

/* A set-up record only counts before the program runs: afterwards it
 * would be a forgery. */
static bool too_late(struct sup *s)
{
	return (s->ready || s->setup_failed) && reject_setup(s);
}

static void on_setup_fail(struct sup *s, const struct sbx_decoded *d)
{
	if (too_late(s))
		return;
	s->setup_failed = true;
	s->setup_step = (int)d->step;
	s->setup_err = d->err;
	snprintf(s->setup_detail, sizeof(s->setup_detail), "%s", d->detail);
}

/* An optional layer (Landlock only) that the child could not set up. */
static void on_layer_fail(struct sup *s, const struct sbx_decoded *d)
{
	if (too_late(s) || ((d->step != SBX_STEP_LANDLOCK || s->ll_reason[0]) && reject_setup(s)))
		return;
	snprintf(s->ll_reason, sizeof(s->ll_reason), "%s failed%s%s: %s", sbx_step_name((int)d->step),
		 d->detail[0] ? " at " : "", d->detail, d->err > 0 ? strerror(d->err) : "error");
	sbx_say(s->o, SBX_MSG_WARNING, "landlock is not in force: %s", s->ll_reason);
}

/* The run has no view of its own (no mount namespace could be made):
 * said on standard error and in the report; with --require view the
 * program never starts (true: the run ends, set-up failed). */
static bool view_missing(struct sup *s)
{
	static const char why[] = "no mount namespace (not root, no user namespace): the host's "
				  "tree, Landlock alone decides what can be read (stat sees everything)";

	if (!(s->o->require & SBX_LAYER_VIEW)) {
		sbx_say(s->o, SBX_MSG_WARNING, "the filesystem view is not in force: %s", why);
		return false;
	}
	s->setup_failed = true;
	s->setup_step = SBX_STEP_IDMAP;
	s->setup_err = 0;
	snprintf(s->setup_detail, sizeof(s->setup_detail), "--require view: %s", why);
	sbx_kill_run(s);
	return true;
}

/* The child is set up: the program may start. fd: the listener it sent. */
static void on_ready(struct sup *s, const struct sbx_decoded *d, int *fd)
{
	if (too_late(s))
		return;
	s->ready = true;
	s->ready_flags = d->step;
	if (!(d->step & SBX_VIEW_PRIVATE) && view_missing(s))
		return;
	sbx_lla_ready(s, d->step & SBX_VIEW_PRIVATE);
	/* The sandbox is in its cgroups (attached before this loop): the
	 * program may start. */
	if (send(s->chan, &(char){ SBX_CHAN_GO }, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
		json_array_append_new(s->errors, json_string("could not tell the sandbox to start"));
	if (!(d->step & SBX_READY_SECCOMP_NOTIFY) && (d->step & SBX_READY_SECCOMP))
		sbx_say(s->o, SBX_MSG_WARNING, "seccomp: the kernel gave no notification listener (an outer "
			"filter holds one?): kernel denials are enforced but not reported");
	if ((d->step & SBX_READY_SECCOMP_NOTIFY) && *fd >= 0 && is_listener(*fd)) {
		s->listener = *fd;
		*fd = -1;
	} else if (d->step & SBX_READY_SECCOMP_NOTIFY) {
		/* Refusals still happen in the kernel (it answers ENOSYS
		 * without a listener) but would go unseen: say so. */
		s->ready_flags &= ~SBX_READY_SECCOMP_NOTIFY;
		s->listener_lost = true;
		json_array_append_new(s->errors, json_string(
			"the seccomp listener did not arrive with READY: kernel denials are not observed"));
	}
	sbx_say_layers(s);
}

static void junk(struct sup *s)
{
	s->chan_junk++;
	sbx_chan_tamper(s, "a malformed or forged record");
}

/* fd: a descriptor that came with the record, or -1; always consumed. */
static void on_record(struct sup *s, const struct sbx_chan_rec *rec, ssize_t n, int fd)
{
	struct sbx_decoded d;

	/* The key first: a packet without it was not written by sandboxpy's
	 * code, whatever its form. */
	if (sbx_chan_decode(rec, n, s->p->n_events, &d) < 0 ||
	    memcmp(d.key, s->plan.hook.chan_key, sizeof(d.key)) != 0) {
		sbx_decoded_clear(&d);
		if (fd >= 0)
			close(fd);
		junk(s);
		return;
	}
	switch (d.type) {
	case SBX_CHAN_EVENT:
		event_record(s, &d);
		break;
	case SBX_CHAN_SETUP_FAIL:
		on_setup_fail(s, &d);
		break;
	case SBX_CHAN_LAYER_FAIL:
		on_layer_fail(s, &d);
		break;
	case SBX_CHAN_READY:
		on_ready(s, &d, &fd);
		break;
	default:
		junk(s);
		break;
	}
	sbx_decoded_clear(&d);
	if (fd >= 0)
		close(fd);
}

/* Reads what the channel holds, at most SBX_DRAIN_BATCH packets, so that
 * a flood cannot starve the listener and the timers of the poll loop.
 * True when more may be waiting. */
#define SBX_DRAIN_BATCH 1024
bool sbx_drain_channel(struct sup *s, int fd)
{
	struct sbx_chan_rec *rec = &s->rec;	/* 4 KiB: not on the stack */

	for (int batch = 0; batch < SBX_DRAIN_BATCH; batch++) {
		union {
			char buf[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { rec, sizeof(*rec) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		int passed = -1;
		ssize_t n;

		/* Standard error in order: what the program wrote before it
		 * sent this record is in its stderr pipe now, and goes out
		 * before the record's line. A thread that sent a refusal waits
		 * until the record is read (the hook, wait_read), so what it
		 * writes next comes after the line. */
		if (s->relay_rd >= 0 && !sbx_fault("supervisor-crash"))
			sbx_relay_copy(s, false);
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;	/* EAGAIN: all read */
		/* Keep at most one descriptor; close any others the child sent. */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; (i + 1) * sizeof(int) <= c->cmsg_len - CMSG_LEN(0); i++) {
				int one;
				memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (passed < 0)
					passed = one;
				else
					close(one);
			}
		}
		if (n == 0) {
			/* An empty datagram (the program can send one) or the
			 * end. run_here() holds the child's end open too, so
			 * the end comes only from a shutdown of the child's
			 * end: tampering, whenever it is seen. */
			struct pollfd pf = { fd, POLLIN | POLLRDHUP, 0 };
			char peek;
			if (passed >= 0)
				close(passed);
			if (poll(&pf, 1, 0) == 1 && (pf.revents & (POLLRDHUP | POLLHUP)) &&
			    recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
				s->chan_eof = true;
				chan_lost(s, "the channel was shut down before the program ended");
				return false;
			}
			s->chan_junk++;
			sbx_chan_tamper(s, "an empty packet");
			continue;
		}
		on_record(s, rec, n, passed);
	}
	return true;
}
