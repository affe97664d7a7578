/* check-probe.c - check points whose attack needs a system call busybox has no tool for: they
 * run simpcon-probe inside, from a sealed in-memory copy (as --init runs simpcon-init), and
 * read what it managed to do. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#ifndef KEY_POS_ALL
#define KEY_POS_ALL 0x3f000000 /* view, read, write, search, link, setattr: by possession */
#endif

#include "check-internal.h"
#include "error.h"
#include "run.h"
#include "util.h"

int sc_check_probe(struct suite *s, const struct sc_config *extra, struct sc_result **ret, const char *arg1, ...)
{
	const char *args[4] = { arg1 };
	va_list ap;
	va_start(ap, arg1);
	for (size_t i = 1; i < SC_ELEMENTSOF(args) && args[i - 1]; i++)
		args[i] = va_arg(ap, const char *);
	va_end(ap);
	char buf[PATH_MAX];
	struct sc_config c = extra ? *extra : (struct sc_config)SC_CONFIG_INIT;
	c.init = true;
	c.init_helper = sc_helper_path(NULL, "SIMPCON_PROBE", SC_PROBE_HELPER, "simpcon-probe", buf, sizeof(buf));
	int r = sc_check_run_in(s, &c, ret, args[0], args[1], args[2], args[3], NULL);
	if (r < 0)
		return r;
	if ((*ret)->exit_status != 0 || (*ret)->exec_error)
		return sc_error_setf(s->err, EIO, "simpcon-probe '%s' (install it, or set SIMPCON_PROBE): %s", c.init_helper,
				     (*ret)->exec_error ? (*ret)->exec_error : sc_result_stderr(*ret, NULL, NULL));
	return 0;
}

int sc_check_seccomp_denied(struct suite *s, struct point *p)
{
	struct sc_result *res = NULL;
	int r = sc_check_probe(s, NULL, &res, "denied", NULL);
	if (r < 0)
		return r;
	char seen[256];
	sc_check_one_line(res, seen, sizeof(seen));
	/* the filter answers EPERM before the kernel looks: another errno (ENOSPC from
	 * max_user_namespaces, EACCES, ENOSYS) is another layer's refusal, not the filter's */
	static const char *const by_filter[] = { "io_uring_setup=EPERM", "userfaultfd=EPERM", "keyctl=EPERM",
						 "add_key=EPERM",        "socket_packet=EPERM", "unshare_user=EPERM" };
	bool filtered = strstr(seen, "=made") == NULL;
	for (size_t i = 0; i < SC_ELEMENTSOF(by_filter); i++)
		filtered = filtered && strstr(seen, by_filter[i]) != NULL;
	sc_check_say(p, filtered ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "%s", seen);
	sc_result_free(res);
	return 0;
}

/* A key planted in the harness's session keyring must be neither readable nor visible from
 * inside: the container joins a new session keyring. The default seccomp profile denies every
 * key call anyway; this point runs unconfined, so that the keyring itself is what is seen. */
int sc_check_keyring(struct suite *s, struct point *p)
{
	char description[64];
	snprintf(description, sizeof(description), "simpcon-check-marker-%d", (int)getpid());
	long key = syscall(SYS_add_key, "user", description, "marker", (size_t)6, KEY_SPEC_SESSION_KEYRING);
	/* possession alone grants anything: the container's root may be the caller's uid (run by
	 * a user), whose "user" permissions would show the key whatever keyring it is in */
	if (key < 0 || syscall(SYS_keyctl, KEYCTL_SETPERM, key, KEY_POS_ALL) < 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "cannot plant a marker key in the harness's session keyring: %s",
			     strerror(errno));
		if (key >= 0)
			(void)syscall(SYS_keyctl, KEYCTL_INVALIDATE, key);
		return 0;
	}
	char serial[32];
	snprintf(serial, sizeof(serial), "%ld", key);
	struct sc_config c = SC_CONFIG_INIT;
	c.seccomp = "unconfined";
	struct sc_result *res = NULL;
	int r = sc_check_probe(s, &c, &res, "keyring", serial, NULL);
	(void)syscall(SYS_keyctl, KEYCTL_INVALIDATE, key);
	if (r < 0)
		return r;
	char seen[256];
	sc_check_one_line(res, seen, sizeof(seen));
	bool reached = strstr(seen, "=made") != NULL;
	sc_check_say(p, reached ? SC_VERDICT_FAIL : SC_VERDICT_PASS, "marker key %s from the harness's session keyring: %s",
		     serial, seen);
	sc_result_free(res);
	return 0;
}

int sc_check_chroot_escape(struct suite *s, struct point *p)
{
	struct sc_result *res = NULL;
	int r = sc_check_probe(s, NULL, &res, "chroot", NULL);
	if (r < 0)
		return r;
	char seen[256];
	sc_check_one_line(res, seen, sizeof(seen));
	sc_check_say(p, !strcmp(seen, "escape=contained") ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "chroot into a subdirectory, \"..\" 256 times, chroot \".\": %s", seen);
	sc_result_free(res);
	return 0;
}
