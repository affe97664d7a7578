/* check-internal.h - what the check suite's files share: a point, the suite, running a
 * container for a point. */
#pragma once

#include <linux/capability.h>

#include "check.h"
#include "simpcon.h"

#define SC_CHECK_CAP(cap) ((uint64_t)1 << (cap))
/* docker's default capability set, as its documentation lists it: written here again, so
 * that a slip in the set the setup keeps shows */
#define SC_CHECK_DOCKER_CAPS                                                                         \
	(SC_CHECK_CAP(CAP_CHOWN) | SC_CHECK_CAP(CAP_DAC_OVERRIDE) | SC_CHECK_CAP(CAP_FOWNER) |          \
	 SC_CHECK_CAP(CAP_FSETID) | SC_CHECK_CAP(CAP_KILL) | SC_CHECK_CAP(CAP_SETGID) |                  \
	 SC_CHECK_CAP(CAP_SETUID) | SC_CHECK_CAP(CAP_SETPCAP) | SC_CHECK_CAP(CAP_NET_BIND_SERVICE) |     \
	 SC_CHECK_CAP(CAP_NET_RAW) | SC_CHECK_CAP(CAP_SYS_CHROOT) | SC_CHECK_CAP(CAP_MKNOD) |            \
	 SC_CHECK_CAP(CAP_AUDIT_WRITE) | SC_CHECK_CAP(CAP_SETFCAP))

struct point {
	enum sc_verdict verdict;
	char detail[256];
};

struct suite {
	const struct sc_check_options *options;
	struct sc_result *survey;
	char tmp[64];
	struct sc_error *err;
	bool binds_refused;       /* run by root, where tmp cannot be idmapped: no writable bind of it */
};

typedef int (*check_fn)(struct suite *s, struct point *p);

/* The first line of the command's output, into buf. */
const char *sc_check_first_line(const struct sc_result *res, char *buf, size_t size);
/* The command's output lines as one "a;b;c" line, into buf. */
const char *sc_check_one_line(const struct sc_result *res, char *buf, size_t size);
/* Sets the point's verdict and what was observed. */
void sc_check_say(struct point *p, enum sc_verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Runs argv (arg0..., NULL-terminated) in a container shaped by the suite's options plus extra
 * (NULL: defaults); 0 and the result, or a negative errno with s->err filled. */
/* True, with the point a SKIP saying why, when the writable binds of the check's directory
 * that the point needs are refused here (a file system this kernel cannot idmap). */
bool sc_check_binds_skip(struct suite *s, struct point *p);
int sc_check_run_in(struct suite *s, const struct sc_config *extra, struct sc_result **ret, const char *arg0, ...);

/* check-bind.c: what the container can do to the host's files through a bind. */
int sc_check_bind_owner(struct suite *s, struct point *p);
int sc_check_bind_setid(struct suite *s, struct point *p);
int sc_check_bind_readonly(struct suite *s, struct point *p);
int sc_check_bind_filecap(struct suite *s, struct point *p);

/* check-leaks.c: markers planted on the host, looked for inside or afterwards. */
int sc_check_fds(struct suite *s, struct point *p);
int sc_check_shm(struct suite *s, struct point *p);
int sc_check_harness_death(struct suite *s, struct point *p);
int sc_check_stdin_env(struct suite *s, struct point *p);
int sc_check_user_resources(struct suite *s, struct point *p);

/* check-ids.c: the host ids a root-run container is given. */
int sc_check_root_ids(struct suite *s, struct point *p);

/* check-probe.c: attacks simpcon-probe makes from inside. sc_check_probe runs it with up to
 * three arguments (NULL-terminated) in a container shaped by extra (NULL: defaults). */
int sc_check_probe(struct suite *s, const struct sc_config *extra, struct sc_result **ret, const char *arg1, ...)
	__attribute__((sentinel));
int sc_check_seccomp_denied(struct suite *s, struct point *p);
int sc_check_keyring(struct suite *s, struct point *p);
int sc_check_chroot_escape(struct suite *s, struct point *p);

/* check-options.c: read-backs against check's own lists and figures. */
int sc_check_caps_options(struct suite *s, struct point *p);
int sc_check_map_width(struct suite *s, struct point *p);
int sc_check_init_exe(struct suite *s, struct point *p);
int sc_check_cgroup_limits(struct suite *s, struct point *p);
int sc_check_time_offsets(struct suite *s, struct point *p);
int sc_check_proc_masked(struct suite *s, struct point *p);
int sc_check_proc_readonly(struct suite *s, struct point *p);
int sc_check_uid_switch(struct suite *s, struct point *p);
int sc_check_storage(struct suite *s, struct point *p);
int sc_check_root_semantics(struct suite *s, struct point *p);
int sc_check_host_libs(struct suite *s, struct point *p);
int sc_check_limits(struct suite *s, struct point *p);
