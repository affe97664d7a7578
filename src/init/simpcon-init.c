/* simpcon-init.c - PID 1 of a container run with --init: starts the command as its child,
 * hands it every signal it gets, reaps every orphan, and exits as the command did.
 *
 * A command that is PID 1 itself gets no signal it has no handler for (the kernel drops them,
 * even `kill -TERM 1` from inside) and inherits every orphan without reaping it. This program
 * takes that place. The harness executes it from a sealed in-memory copy, so that no host
 * binary is ever PID 1 of a container (see CVE-2019-5736).
 *
 * All signals stay blocked here and are taken with sigwaitinfo: blocked signals reach even a
 * namespace's init, whose default dispositions the kernel would otherwise ignore. The command
 * starts with the signal mask this program was given. Exit status: the command's, or 128 + N
 * when signal N ended it (PID 1 cannot end itself with most signals); 127 or 126 when it could
 * not be executed; 125 when this program could not start it. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: simpcon-init CMD [ARG...]\n", stderr);
		return 125;
	}
	sigset_t all, given;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &given) < 0) {
		fprintf(stderr, "simpcon-init: block signals: %s\n", strerror(errno));
		return 125;
	}
	pid_t command = fork();
	if (command < 0) {
		fprintf(stderr, "simpcon-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (command == 0) {
		(void)sigprocmask(SIG_SETMASK, &given, NULL);
		execvp(argv[1], argv + 1);
		int code = errno;
		fprintf(stderr, "simpcon-init: cannot execute '%s': %s\n", argv[1], strerror(code));
		_exit(code == ENOENT ? 127 : 126);
	}
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&all, &info);
		if (sig < 0)
			continue; /* EINTR: a stop and continue */
		if (sig != SIGCHLD) {
			(void)kill(command, sig);
			continue;
		}
		/* signals of one kind do not queue: one SIGCHLD may stand for many exits */
		int status;
		for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;)
			if (pid == command)
				return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}
