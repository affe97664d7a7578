/* capture.c - the parent's poll loop over the container's pipes and pidfd. */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "syscalls.h"
#include "util.h"

void sc_output_init(struct sc_output *out, size_t limit)
{
	*out = (struct sc_output){ .limit = limit };
}

int sc_output_append(struct sc_output *out, const char *buf, size_t n)
{
	out->total += n;
	size_t keep = out->len < out->limit ? out->limit - out->len : 0;
	if (keep > n)
		keep = n;
	if (keep == 0)
		return 0;
	if (out->len + keep + 1 > out->cap) {
		size_t cap = out->cap ? out->cap : 256;
		while (cap < out->len + keep + 1)
			cap *= 2;
		char *bigger = realloc(out->data, cap);
		if (!bigger)
			return -ENOMEM;
		out->data = bigger;
		out->cap = cap;
	}
	memcpy(out->data + out->len, buf, keep);
	out->len += keep;
	out->data[out->len] = '\0';
	return 0;
}

void sc_output_release(struct sc_output *out)
{
	free(out->data);
	*out = (struct sc_output){ 0 };
}

/* One read; returns the bytes read (0 at EOF, which closes the stream) or -errno. */
static ssize_t drain(struct sc_capture *c, int stream)
{
	char buf[SC_CAPTURE_READ];
	ssize_t n = read(c->fds[stream], buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		close(c->fds[stream]);
		c->fds[stream] = -1;
		return 0;
	}
	if (c->echo && stream != SC_CAPTURE_REPORT) {
		/* the caller's own stdout or stderr: a closed one (EPIPE) loses the output, not the run */
		int w = sc_write_all(stream == SC_CAPTURE_STDOUT ? STDOUT_FILENO : STDERR_FILENO, buf, (size_t)n);
		return w < 0 && w != -EPIPE ? w : n;
	}
	int r = sc_output_append(&c->out[stream], buf, (size_t)n);
	return r < 0 ? r : n;
}

static void kill_container(struct sc_capture *c)
{
	if (!c->exited)
		(void)sc_pidfd_send_signal(c->pidfd, SIGKILL);
}

static int poll_timeout_ms(const struct sc_capture *c)
{
	if (!c->deadline_us || c->timed_out || c->cancelled)
		return -1;
	uint64_t now = sc_now_us();
	if (now >= c->deadline_us)
		return 0;
	uint64_t ms = (c->deadline_us - now + 999) / 1000;
	return ms > 60 * 60 * 1000 ? 60 * 60 * 1000 : (int)ms;
}

/* A command that writes many small pieces (a shell session running a transcript: a write for
 * each output and each marker) would wake this loop for every one, and every wakeup costs the
 * writer too. Once small reads follow each other closely, a short nap lets the pipe gather
 * them; a read that fills the buffer (a flood) never naps, a lone write never waits, and the
 * nap ends early for nothing but lasts at most SC_CAPTURE_NAP_US. */
static void coalesce(struct sc_capture *c, bool trickle)
{
	if (!trickle) {
		c->last_read_us = 0;
		return;
	}
	uint64_t now = sc_now_us();
	bool close_behind = c->last_read_us && now - c->last_read_us < SC_CAPTURE_BURST_US;
	c->last_read_us = now;
	if (close_behind && !c->exited && !c->timed_out && !c->cancelled)
		(void)nanosleep(&(struct timespec){ .tv_nsec = SC_CAPTURE_NAP_US * 1000 }, NULL);
}

int sc_capture_run(struct sc_capture *c)
{
	for (;;) {
		struct pollfd p[SC_CAPTURE_STREAMS + 2 + SC_TERMINAL_POLLFDS];
		int n = 0, open_streams = 0;
		for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
			p[n++] = (struct pollfd){ .fd = c->fds[s], .events = POLLIN };
			open_streams += c->fds[s] >= 0;
		}
		if (c->exited && open_streams == 0 && !(c->term && sc_terminal_active(c->term)))
			return 0;
		p[n++] = (struct pollfd){ .fd = c->exited ? -1 : c->pidfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = c->cancelled ? -1 : c->cancel_fd, .events = POLLIN };
		if (c->term)
			n += sc_terminal_poll(c->term, p + n);
		int r = poll(p, (nfds_t)n, poll_timeout_ms(c));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* checked on every pass: a command that keeps its pipes full never lets poll time out */
		if (c->deadline_us && !c->timed_out && sc_now_us() >= c->deadline_us) {
			c->timed_out = true;
			kill_container(c);
		}
		bool trickle = false;
		for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
			if (p[s].revents) {
				ssize_t q = drain(c, s);
				if (q < 0)
					return (int)q;
				trickle |= q > 0 && q < SC_CAPTURE_READ;
			}
		if (p[SC_CAPTURE_STREAMS].revents)
			c->exited = true;
		if (p[SC_CAPTURE_STREAMS + 1].revents) {
			c->cancelled = true;
			kill_container(c);
		}
		int q = c->term ? sc_terminal_events(c->term) : 0;
		if (q < 0)
			return q;
		coalesce(c, trickle);
	}
}
