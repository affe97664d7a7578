/* test-userns-cause.c - the cause named when a user namespace is refused, read from the knobs
 * of a /proc/sys stand-in (SIMPCON_PROC_SYS): each knob at its refusing value is named with its
 * fix, the AppArmor restriction only for a user (root's namespaces are not restricted), and
 * nothing is blamed on a knob at its allowing value. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "container.h"
#include "util.h"

static char dir[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	const char *top_builddir = getenv("top_builddir");
	snprintf(dir, sizeof(dir), "%s/t/tmp.userns.XXXXXX", top_builddir ? top_builddir : ".");
	if (!mkdtemp(dir))
		return -1;
	char sub[PATH_MAX + 16];
	snprintf(sub, sizeof(sub), "%s/user", dir);
	if (mkdir(sub, 0755) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/kernel", dir);
	return mkdir(sub, 0755) < 0 ? -1 : setenv("SIMPCON_PROC_SYS", dir, 1);
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("SIMPCON_PROC_SYS");
	(void)sc_rm_rf(dir);
	return 0;
}

static void knob(const char *name, const char *value)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(value, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void test_max_user_namespaces(void **state)
{
	(void)state;
	char buf[512];
	knob("user/max_user_namespaces", "0\n");
	assert_non_null(strstr(sc_container_userns_cause(ENOSPC, buf, sizeof(buf)), "user.max_user_namespaces is 0"));
	knob("user/max_user_namespaces", "15000\n");
	assert_null(strstr(sc_container_userns_cause(ENOSPC, buf, sizeof(buf)), "is 0 here"));
}

static void test_unprivileged_clone(void **state)
{
	(void)state;
	char buf[512];
	knob("kernel/unprivileged_userns_clone", "0\n");
	const char *why = sc_container_userns_cause(EPERM, buf, sizeof(buf));
	if (geteuid() == 0)
		assert_null(strstr(why, "unprivileged_userns_clone is 0"));
	else
		assert_non_null(strstr(why, "kernel.unprivileged_userns_clone is 0 here: allow them"));
	knob("kernel/unprivileged_userns_clone", "1\n");
	assert_null(strstr(sc_container_userns_cause(EPERM, buf, sizeof(buf)), "unprivileged_userns_clone is 0"));
}

static void test_apparmor(void **state)
{
	(void)state;
	char buf[512];
	assert_null(sc_container_apparmor_cause(buf, sizeof(buf))); /* no such knob */
	knob("kernel/apparmor_restrict_unprivileged_userns", "1\n");
	const char *why = sc_container_apparmor_cause(buf, sizeof(buf));
	if (geteuid() == 0) {
		assert_null(why);
	} else {
		assert_non_null(why);
		assert_non_null(strstr(why, "apparmor_parser -r /etc/apparmor.d/simpcon-test"));
		assert_non_null(strstr(sc_container_userns_cause(EPERM, buf, sizeof(buf)), "AppArmor restricts"));
	}
	knob("kernel/apparmor_restrict_unprivileged_userns", "0\n");
	assert_null(sc_container_apparmor_cause(buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_max_user_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged_clone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apparmor, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
