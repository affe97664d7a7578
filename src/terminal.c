/* terminal.c - the container's pseudo-terminal and its relay (see terminal.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "capture.h"
#include "terminal.h"
#include "util.h"

static void drop(int *fd)
{
	sc_closep(fd);
	*fd = -1;
}

int sc_terminal_open_inside(int socket)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int unlock = 0;
	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return -errno;
	/* the other end by the master, not by a path: /dev/pts/N could be anything's (Linux 4.13) */
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return -errno;
	int r = 0;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		r = -errno;
	char byte = 't', control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	ssize_t w = -1;
	while (r == 0 && (w = sendmsg(socket, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (r == 0 && w < 0)
		r = -errno;
	/* dup2 leaves the new fds without O_CLOEXEC: the command's stdin, stdout and stderr */
	if (r == 0 && (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0))
		r = -errno;
	if (slave > 2)
		close(slave);
	return r;
}

void sc_terminal_init(struct sc_terminal *t, int socket, int in, int out, int resize_fd)
{
	*t = (struct sc_terminal){ .socket = socket, .master = -1, .in = in, .size_fd = in, .out = out,
				   .resize_fd = resize_fd };
}

bool sc_terminal_active(const struct sc_terminal *t)
{
	return t->socket >= 0 || t->master >= 0;
}

/* The caller's window size onto the container's terminal; the kernel then sends SIGWINCH to
 * the terminal's foreground process group inside. */
static void copy_size(const struct sc_terminal *t)
{
	struct winsize ws;
	if (t->master >= 0 && ioctl(t->size_fd, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
}

static void receive_master(struct sc_terminal *t)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
	ssize_t n = recvmsg(t->socket, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
		memcpy(&t->master, CMSG_DATA(c), sizeof(int));
		(void)fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
		copy_size(t);
	}
	/* one message, the master or nothing (the child failed, or exec'd without a terminal) */
	drop(&t->socket);
}

int sc_terminal_poll(struct sc_terminal *t, struct pollfd *p)
{
	p[0] = (struct pollfd){ .fd = t->socket, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = t->master, .events = (short)(POLLIN | (t->pending_len ? POLLOUT : 0)) };
	/* the caller's input is read when the last has been taken, so it waits in the pty */
	p[2] = (struct pollfd){ .fd = t->pending_len || t->master < 0 ? -1 : t->in, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = t->resize_fd, .events = POLLIN };
	t->polled = p;
	return SC_TERMINAL_POLLFDS;
}

int sc_terminal_events(struct sc_terminal *t)
{
	struct pollfd *p = t->polled;
	char buf[SC_CAPTURE_READ];
	if (p[0].fd >= 0 && p[0].revents)
		receive_master(t);
	if (p[3].fd >= 0 && p[3].revents) {
		while (read(t->resize_fd, buf, sizeof(buf)) > 0)
			;
		copy_size(t);
	}
	if (p[1].fd >= 0 && (p[1].revents & POLLOUT) && t->pending_len) {
		ssize_t n = write(t->master, t->pending + t->pending_off, t->pending_len);
		if (n > 0) {
			t->pending_off += (size_t)n;
			t->pending_len -= (size_t)n;
		}
	}
	if (p[2].fd >= 0 && p[2].revents) {
		ssize_t n = read(t->in, t->pending, sizeof(t->pending));
		if (n > 0) {
			t->pending_off = 0;
			t->pending_len = (size_t)n;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			t->in = -1; /* the caller's input ended: the container's terminal stays open */
		}
	}
	if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
		ssize_t n = read(t->master, buf, sizeof(buf));
		if (n > 0) {
			int r = sc_write_all(t->out, buf, (size_t)n);
			if (r < 0 && r != -EIO && r != -EPIPE)
				return r;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			/* EIO: every process holding the other end is gone */
			drop(&t->master);
		}
	}
	return 0;
}

void sc_terminal_release(struct sc_terminal *t)
{
	drop(&t->socket);
	drop(&t->master);
}
