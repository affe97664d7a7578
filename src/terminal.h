/* terminal.h - the container's pseudo-terminal (SC_STDIO_TERMINAL): made inside, by PID 1 on
 * the container's own devpts, and relayed by the harness to the caller's terminal.
 *
 * The pty belongs to the container: its devpts instance is the container's, so nothing on it
 * (TIOCSTI included) reaches the caller's terminal, whose fds never enter the container. The
 * harness only copies bytes: the caller's input to the pty's master, the master's output to the
 * caller's stdout, and the caller's window size to the master (at start and at each resize). */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

/* In the child, after setsid(): opens a pty on /dev/ptmx (the container's devpts), makes its
 * other end the controlling terminal and fds 0, 1 and 2, and sends the master to the harness
 * over socket (SCM_RIGHTS). Returns 0 or -errno. */
int sc_terminal_open_inside(int socket);

#define SC_TERMINAL_POLLFDS 4

struct sc_terminal {
	int socket;    /* the harness's end of the socket the master comes on; -1 once done */
	int master;    /* the pty's master, -1 before it came and after the pty closed */
	int in, out;   /* the caller's terminal (input, -1 once at its end) and where output goes */
	int size_fd;   /* the caller's terminal, whose size the container's takes */
	int resize_fd; /* readable when the caller's terminal changed size, or -1 */
	char pending[4096]; /* the caller's input not yet taken by the master */
	size_t pending_len, pending_off;
	struct pollfd *polled; /* where sc_terminal_poll put its entries */
};

void sc_terminal_init(struct sc_terminal *t, int socket, int in, int out, int resize_fd);
/* Whether the relay has more to do: the master has yet to come, or to reach its end. */
bool sc_terminal_active(const struct sc_terminal *t);
/* Fills up to SC_TERMINAL_POLLFDS entries at p (unused ones have fd -1); returns how many. */
int sc_terminal_poll(struct sc_terminal *t, struct pollfd *p);
/* Acts on what poll reported in those entries. Returns 0 or -errno (a write to the caller's
 * terminal failed for another reason than its hang-up: the relay cannot go on). */
int sc_terminal_events(struct sc_terminal *t);
void sc_terminal_release(struct sc_terminal *t);
