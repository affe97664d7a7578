/* test-mountinfo.c - the mountinfo parser, the pure isolation checks the container runs on
 * /proc text, and the mount points the mount plan promises the mount check. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mountinfo.h"
#include "mounts.h"
#include "probe.h"

#define assert_contains(haystack, needle)                                                       \
	do {                                                                                    \
		if (!strstr((haystack), (needle)))                                              \
			fail_msg("'%s' does not contain '%s'", (haystack), (needle));           \
	} while (0)

/* ---- sc_mountinfo_unescape ---------------------------------------------------------------- */

static void test_unescape(void **state)
{
	(void)state;
	char s1[] = "/mnt/my\\040disk";
	sc_mountinfo_unescape(s1);
	assert_string_equal(s1, "/mnt/my disk");
	char s2[] = "tab\\011nl\\012bs\\134end";
	sc_mountinfo_unescape(s2);
	assert_string_equal(s2, "tab\tnl\nbs\\end");
	char s3[] = "\\040\\040";
	sc_mountinfo_unescape(s3);
	assert_string_equal(s3, "  ");
	char s4[] = "/plain/path";
	sc_mountinfo_unescape(s4);
	assert_string_equal(s4, "/plain/path");
}

static void test_unescape_not_octal(void **state)
{
	(void)state;
	/* anything but a backslash and three octal digits (first 0-3) is kept as it is */
	char s1[] = "a\\0";
	sc_mountinfo_unescape(s1);
	assert_string_equal(s1, "a\\0");
	char s2[] = "a\\08b";
	sc_mountinfo_unescape(s2);
	assert_string_equal(s2, "a\\08b");
	char s3[] = "a\\400";
	sc_mountinfo_unescape(s3);
	assert_string_equal(s3, "a\\400");
	char s4[] = "end\\";
	sc_mountinfo_unescape(s4);
	assert_string_equal(s4, "end\\");
	char s5[] = "";
	sc_mountinfo_unescape(s5);
	assert_string_equal(s5, "");
}

/* ---- sc_mountinfo_parse ------------------------------------------------------------------- */

static const char host_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 master:2 - proc proc rw\n"
	"24 22 0:5 / /dev rw,nosuid,relatime master:3 - devtmpfs udev rw,size=4007600k,mode=755\n"
	"31 22 8:17 / /mnt/my\\040disk rw,relatime - ext4 /dev/sdb1 rw\n"
	"40 31 0:45 /sub\\040dir /home/a\\134b rw,nosuid - tmpfs my\\040src rw,size=64k\n";

static void test_parse_host_table(void **state)
{
	(void)state;
	struct sc_mount_table t = { 0 };
	assert_int_equal(sc_mountinfo_parse(host_mountinfo, &t), 0);
	assert_int_equal(t.count, 5);

	const struct sc_mount_entry *e = &t.entries[0];
	assert_int_equal(e->id, 22);
	assert_int_equal(e->parent_id, 1);
	assert_string_equal(e->root, "/");
	assert_string_equal(e->mount_point, "/");
	assert_string_equal(e->fstype, "ext4");
	assert_string_equal(e->source, "/dev/sda1");
	assert_true(e->shared);
	assert_false(e->slave);

	e = &t.entries[1];
	assert_int_equal(e->id, 23);
	assert_int_equal(e->parent_id, 22);
	assert_string_equal(e->mount_point, "/proc");
	assert_string_equal(e->fstype, "proc");
	assert_true(e->shared);
	assert_true(e->slave);

	e = &t.entries[2];
	assert_string_equal(e->mount_point, "/dev");
	assert_string_equal(e->source, "udev");
	assert_false(e->shared);
	assert_true(e->slave);

	e = &t.entries[3];
	assert_int_equal(e->id, 31);
	assert_string_equal(e->mount_point, "/mnt/my disk");
	assert_false(e->shared);
	assert_false(e->slave);

	e = &t.entries[4];
	assert_int_equal(e->id, 40);
	assert_int_equal(e->parent_id, 31);
	assert_string_equal(e->root, "/sub dir");
	assert_string_equal(e->mount_point, "/home/a\\b");
	assert_string_equal(e->fstype, "tmpfs");
	assert_string_equal(e->source, "my src");
	sc_mount_table_release(&t);
	assert_null(t.entries);
	assert_int_equal(t.count, 0);
}

static void test_parse_no_final_newline(void **state)
{
	(void)state;
	struct sc_mount_table t = { 0 };
	assert_int_equal(sc_mountinfo_parse("1 0 0:1 / / rw - tmpfs none rw\n"
					    "2 1 0:2 / /tmp rw - tmpfs tmpfs rw",
					    &t),
			 0);
	assert_int_equal(t.count, 2);
	assert_string_equal(t.entries[1].mount_point, "/tmp");
	assert_string_equal(t.entries[1].source, "tmpfs");
	sc_mount_table_release(&t);
}

static void test_parse_empty(void **state)
{
	(void)state;
	struct sc_mount_table t = { .count = 99 };
	assert_int_equal(sc_mountinfo_parse("", &t), 0);
	assert_int_equal(t.count, 0);
	sc_mount_table_release(&t);
	assert_int_equal(sc_mountinfo_parse("\n\n", &t), 0);
	assert_int_equal(t.count, 0);
	sc_mount_table_release(&t);
}

static void test_parse_malformed(void **state)
{
	(void)state;
	struct sc_mount_table t = { 0 };
	/* too few fields */
	assert_int_equal(sc_mountinfo_parse("22 1 8:1 / /\n", &t), -EINVAL);
	/* no separator before fstype and source */
	assert_int_equal(sc_mountinfo_parse("22 1 8:1 / / rw shared:1 ext4 /dev/sda1 rw\n", &t), -EINVAL);
	/* separator, but no source after the fstype */
	assert_int_equal(sc_mountinfo_parse("22 1 8:1 / / rw - ext4\n", &t), -EINVAL);
	/* ids that are not numbers */
	assert_int_equal(sc_mountinfo_parse("x 1 8:1 / / rw - ext4 /dev/sda1 rw\n", &t), -EINVAL);
	assert_int_equal(sc_mountinfo_parse("22 1y 8:1 / / rw - ext4 /dev/sda1 rw\n", &t), -EINVAL);
	/* one bad line after good ones fails the whole text (and frees what was parsed: ASan) */
	assert_int_equal(sc_mountinfo_parse("1 0 0:1 / / rw - tmpfs none rw\n"
					    "2 1 0:2 / /tmp rw - tmpfs tmpfs rw\n"
					    "garbage\n",
					    &t),
			 -EINVAL);
}

/* ---- sc_probe_check_mounts ---------------------------------------------------------------- */

static const char container_mountinfo[] =
	"600 540 0:61 / / rw,nodev,relatime - overlay overlay rw,lowerdir=/proc/self/fd/5\n"
	"601 600 0:62 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
	"602 600 0:63 / /dev rw,nosuid,noexec,relatime - tmpfs tmpfs rw,size=64k,mode=755\n"
	"603 602 0:5 /null /dev/null rw,nosuid,relatime - devtmpfs udev rw,mode=755\n"
	"604 600 8:17 /data /mnt/my\\040data ro,relatime - ext4 /dev/sdb1 rw\n";

static const char *const container_points[] = { "/", "/proc", "/dev", "/dev/null", "/mnt/my data" };

static void test_check_mounts_pass(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_true(sc_probe_check_mounts(container_mountinfo, container_points, 5, detail, sizeof(detail)));
	assert_contains(detail, "5 mounts");
	/* order does not matter */
	const char *const reversed[] = { "/mnt/my data", "/dev/null", "/dev", "/proc", "/" };
	assert_true(sc_probe_check_mounts(container_mountinfo, reversed, 5, detail, sizeof(detail)));
}

static void test_check_mounts_extra(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", container_mountinfo,
		 "605 600 0:40 / /home/user rw,relatime - btrfs /dev/sda2 rw\n");
	assert_false(sc_probe_check_mounts(text, container_points, 5, detail, sizeof(detail)));
	assert_contains(detail, "'/home/user'");
	assert_contains(detail, "btrfs");
}

static void test_check_mounts_missing(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	const char *const points[] = { "/", "/proc", "/dev", "/dev/null", "/mnt/my data", "/dev/shm" };
	assert_false(sc_probe_check_mounts(container_mountinfo, points, 6, detail, sizeof(detail)));
	assert_contains(detail, "'/dev/shm'");
	assert_contains(detail, "0 times");
}

static void test_check_mounts_old_root_left(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	/* pivot_root(".", ".") without the detach leaves the host's root stacked at "/" */
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", container_mountinfo, "620 600 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n");
	assert_false(sc_probe_check_mounts(text, container_points, 5, detail, sizeof(detail)));
	assert_contains(detail, "'/'");
	assert_contains(detail, "2 times");
}

static void test_check_mounts_shared(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	const char text[] = "600 540 0:61 / / rw,nodev,relatime - overlay overlay rw\n"
			    "601 600 0:62 / /proc rw,nosuid shared:7 - proc proc rw\n";
	const char *const points[] = { "/", "/proc" };
	assert_false(sc_probe_check_mounts(text, points, 2, detail, sizeof(detail)));
	assert_contains(detail, "'/proc'");
	assert_contains(detail, "propagates");
	const char slave[] = "600 540 0:61 / / rw master:1 - overlay overlay rw\n"
			     "601 600 0:62 / /proc rw,nosuid - proc proc rw\n";
	assert_false(sc_probe_check_mounts(slave, points, 2, detail, sizeof(detail)));
	assert_contains(detail, "'/'");
	assert_contains(detail, "propagates");
}

static void test_check_mounts_unreadable(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	const char *const points[] = { "/" };
	assert_false(sc_probe_check_mounts("not a mount table\n", points, 1, detail, sizeof(detail)));
	assert_contains(detail, "unreadable");
}

static void test_check_mounts_small_detail(void **state)
{
	(void)state;
	/* many problems do not overflow a small detail buffer (ASan watches) */
	char detail[24];
	const char *const points[] = { "/a", "/b", "/c", "/d" };
	assert_false(sc_probe_check_mounts(container_mountinfo, points, 4, detail, sizeof(detail)));
	assert_true(strlen(detail) < sizeof(detail));
}

/* ---- sc_probe_check_cgroup ---------------------------------------------------------------- */

static void test_check_cgroup(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_true(sc_probe_check_cgroup("0::/\n", detail, sizeof(detail)));
	assert_contains(detail, "1 hierarchies");
	assert_true(sc_probe_check_cgroup("12:cpuset:/\n11:memory:/\n1:name=systemd:/\n0::/\n", detail, sizeof(detail)));
	assert_contains(detail, "4 hierarchies");
	assert_true(sc_probe_check_cgroup("0::/", detail, sizeof(detail)));
}

static void test_check_cgroup_not_root(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_cgroup("0::/user.slice\n", detail, sizeof(detail)));
	assert_contains(detail, "0::/user.slice");
	assert_false(sc_probe_check_cgroup("12:cpuset:/\n1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n",
					   detail, sizeof(detail)));
	assert_contains(detail, "session-2.scope");
	assert_false(sc_probe_check_cgroup("0::/..\n", detail, sizeof(detail)));
}

static void test_check_cgroup_empty(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_cgroup("", detail, sizeof(detail)));
	assert_contains(detail, "empty");
	assert_false(sc_probe_check_cgroup("\n", detail, sizeof(detail)));
}

/* ---- sc_probe_check_netdev ---------------------------------------------------------------- */

#define NETDEV_HEADER                                                                                       \
	"Inter-|   Receive                                                |  Transmit\n"                      \
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo " \
	"colls carrier compressed\n"
#define NETDEV_LO \
	"    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"
#define NETDEV_ETH0 \
	"  eth0: 1801240   11952    0    0    0     0          0         0   940218    7211    0    0    0     0       0          0\n"

static void test_check_netdev_only_lo(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_true(sc_probe_check_netdev(NETDEV_HEADER NETDEV_LO, detail, sizeof(detail)));
	assert_contains(detail, "lo");
}

static void test_check_netdev_eth0(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_netdev(NETDEV_HEADER NETDEV_LO NETDEV_ETH0, detail, sizeof(detail)));
	assert_contains(detail, "'eth0'");
	assert_false(sc_probe_check_netdev(NETDEV_HEADER NETDEV_ETH0 NETDEV_LO, detail, sizeof(detail)));
	assert_contains(detail, "'eth0'");
	/* a name that merely starts with lo is another interface */
	assert_false(sc_probe_check_netdev(NETDEV_HEADER NETDEV_LO "  lo2:  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", detail,
					   sizeof(detail)));
	assert_contains(detail, "'lo2'");
}

static void test_check_netdev_none(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_netdev(NETDEV_HEADER, detail, sizeof(detail)));
	assert_contains(detail, "0 interfaces");
	assert_false(sc_probe_check_netdev("", detail, sizeof(detail)));
}

/* A line without a colon is refused on its own, not read up to the next line's colon. */
static void test_check_netdev_line_without_colon(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_netdev(NETDEV_HEADER "  junk\n" NETDEV_LO, detail, sizeof(detail)));
	assert_contains(detail, "unexpected line '  junk'");
	assert_false(sc_probe_check_netdev(NETDEV_HEADER NETDEV_LO "no colon at the end", detail, sizeof(detail)));
	assert_contains(detail, "'no colon at the end'");
}

/* ---- sc_probe_check_map ------------------------------------------------------------------- */

static void test_check_map_same(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_true(sc_probe_check_map("0 100000 65536", "0 100000 65536\n", true, detail, sizeof(detail)));
	assert_contains(detail, "100000");
	/* the kernel's own layout: right-aligned columns and a newline */
	assert_true(sc_probe_check_map("         0     100000      65536\n", "0 100000 65536\n", true, detail, sizeof(detail)));
	assert_true(sc_probe_check_map("         0       1000          1\n", "0 1000 1\n", true, detail, sizeof(detail)));
}

static void test_check_map_different(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_map("0 200000 65536\n", "0 100000 65536\n", true, detail, sizeof(detail)));
	assert_contains(detail, "200000");
	assert_false(sc_probe_check_map("0 100000 1\n", "0 100000 65536\n", true, detail, sizeof(detail)));
	assert_false(sc_probe_check_map("1 100000 65536\n", "0 100000 65536\n", true, detail, sizeof(detail)));
}

static void test_check_map_host_root(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	/* the initial user namespace's map: even when it is what was "expected", it is no isolation */
	assert_false(sc_probe_check_map("         0          0 4294967295\n", "0 0 4294967295", true, detail, sizeof(detail)));
	assert_contains(detail, "host root");
	assert_false(sc_probe_check_map("0 0 4294967295\n", "0 100000 65536\n", true, detail, sizeof(detail)));
	/* a sandbox's root (bwrap --uid 0) whose 0 is an unprivileged id above: container root on
	 * it is that id, not host root; on a namespace whose 0 is host root, it is */
	assert_true(sc_probe_check_map("         0          0          1\n", "0 0 1\n", false, detail, sizeof(detail)));
	assert_false(sc_probe_check_map("         0          0          1\n", "0 0 1\n", true, detail, sizeof(detail)));
	assert_contains(detail, "host root");
}

static void test_check_map_two_lines(void **state)
{
	(void)state;
	char detail[SC_PROBE_DETAIL_MAX];
	assert_false(sc_probe_check_map("0 100000 65536\n65536 300000 10\n", "0 100000 65536\n", true, detail,
					sizeof(detail)));
	assert_contains(detail, "not the 1 range asked");
	assert_false(sc_probe_check_map("", "0 100000 65536\n", true, detail, sizeof(detail)));
	/* rootless with subordinate ids: two ranges, both must be as asked */
	const char *two = "0 1001 1\n1 100000 65536\n";
	assert_true(sc_probe_check_map("         0       1001          1\n         1     100000      65536\n", two, true, detail,
				       sizeof(detail)));
	assert_string_equal(detail, "0 -> host 1001, 1.. -> host 100000 (65536 ids)");
	assert_false(sc_probe_check_map("0 1001 1\n1 100000 1000\n", two, true, detail, sizeof(detail)));
	assert_false(sc_probe_check_map("0 1001 1\n", two, true, detail, sizeof(detail)));
}

/* ---- sc_mounts_normalize_dest ------------------------------------------------------------- */

/* The host-side check: a mount of the run (on its directory or the fixture) left on the host
 * fails; anything else mounted on the host meanwhile does not. */
static void test_check_host_mounts(void **state)
{
	(void)state;
	const char *const ours[] = { "/tmp/simpcon-run-1-abc", "/var/cache/simpcon/busybox-1/root" };
	char detail[200];
	assert_true(sc_probe_check_host_mounts(host_mountinfo, ours, 2, detail, sizeof(detail)));
	assert_string_equal(detail, "no mount of the run on the host");
	char leaked[1024];
	snprintf(leaked, sizeof(leaked), "%s%s", host_mountinfo,
		 "99 22 0:50 / /tmp/simpcon-run-1-abc/root rw - overlay overlay rw\n");
	assert_false(sc_probe_check_host_mounts(leaked, ours, 2, detail, sizeof(detail)));
	assert_non_null(strstr(detail, "/tmp/simpcon-run-1-abc/root"));
	/* a sibling whose name merely starts the same is not ours */
	snprintf(leaked, sizeof(leaked), "%s%s", host_mountinfo,
		 "99 22 0:50 / /tmp/simpcon-run-1-abcdef rw - tmpfs tmpfs rw\n");
	assert_true(sc_probe_check_host_mounts(leaked, ours, 2, detail, sizeof(detail)));
	snprintf(leaked, sizeof(leaked), "%s%s", host_mountinfo,
		 "99 22 0:50 / /var/cache/simpcon/busybox-1/root rw - tmpfs tmpfs rw\n");
	assert_false(sc_probe_check_host_mounts(leaked, ours, 2, detail, sizeof(detail)));
	assert_false(sc_probe_check_host_mounts("garbage\n", ours, 2, detail, sizeof(detail)));
}

static void test_normalize_dest(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(sc_mounts_normalize_dest("/a//b/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/b");
	assert_int_equal(sc_mounts_normalize_dest("/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(sc_mounts_normalize_dest("///", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(sc_mounts_normalize_dest("//data///in", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/data/in");
	/* names that only start with dots are names */
	assert_int_equal(sc_mounts_normalize_dest("/.hidden/..x/.../a.", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/.hidden/..x/.../a.");
}

static void test_normalize_dest_rejected(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(sc_mounts_normalize_dest("a/b", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest("", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest("/a/../etc", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest("/..", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest("/a/..", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest("/a/./b", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sc_mounts_normalize_dest("/.", buf, sizeof(buf)), -EINVAL);
}

static void test_normalize_dest_too_long(void **state)
{
	(void)state;
	char buf[8];
	/* "/abcdef" and its NUL fill the buffer exactly */
	assert_int_equal(sc_mounts_normalize_dest("/abcdef", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/abcdef");
	/* the room needed is that of the result, not of the input */
	assert_int_equal(sc_mounts_normalize_dest("//abc//de///", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/abc/de");
	assert_int_equal(sc_mounts_normalize_dest("/abcdefg", buf, sizeof(buf)), -ENAMETOOLONG);
	assert_int_equal(sc_mounts_normalize_dest("/abc/defgh", buf, sizeof(buf)), -ENAMETOOLONG);
}

/* ---- sc_mounts_expected ------------------------------------------------------------------- */

static const char *const fixed_points[] = {
	"/", "/proc", "/dev", "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
	"/dev/pts", "/dev/shm",
};
#define N_FIXED (sizeof(fixed_points) / sizeof(*fixed_points))

/* The fixed points, then the /proc masks when hardened, then the user mounts. */
static void assert_points(const char *const *points, size_t n, size_t n_proc, const char *const *user, size_t n_user)
{
	assert_int_equal(n, N_FIXED + n_proc + n_user);
	for (size_t i = 0; i < N_FIXED; i++)
		assert_string_equal(points[i], fixed_points[i]);
	for (size_t i = 0; i < n_user; i++)
		assert_string_equal(points[N_FIXED + n_proc + i], user[i]);
}

static void test_expected_two_mounts(void **state)
{
	(void)state;
	const struct sc_mount mounts[] = {
		{ .source = "/srv/data", .dest = "/data//in/", .readonly = true },
		{ .source = NULL, .dest = "//scratch" },
	};
	/* privileged: no /proc masks, so the list is exact */
	struct sc_mount_plan plan = { .mounts = mounts, .n_mounts = 2, .rundir_fd = -1, .rootfs_fd = -1, .privileged = true };
	const char **points = NULL;
	size_t n = 0;
	assert_int_equal(sc_mounts_expected(&plan, &points, &n), 0);
	assert_points(points, n, 0, (const char *[]){ "/data/in", "/scratch" }, 2);

	/* the probe accepts a table holding exactly these points */
	char text[4096];
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%zu 1 0:%zu / %s rw - tmpfs tmpfs rw\n",
					 100 + i, i, points[i]);
	assert_true(used < sizeof(text));
	char detail[SC_PROBE_DETAIL_MAX];
	assert_true(sc_probe_check_mounts(text, points, n, detail, sizeof(detail)));
	free(points);
}

static void test_expected_hardened(void **state)
{
	(void)state;
	const struct sc_mount mounts[] = { { .source = NULL, .dest = "/tmp/" } };
	struct sc_mount_plan plan = { .mounts = mounts, .n_mounts = 1, .rundir_fd = -1, .rootfs_fd = -1,
				      .proc_present = sc_mounts_find_proc() };
	const char **points = NULL;
	size_t n = 0;
	assert_int_equal(sc_mounts_expected(&plan, &points, &n), 0);
	assert_true(n > N_FIXED + 1);
	size_t n_proc = n - N_FIXED - 1;
	assert_points(points, n, n_proc, (const char *[]){ "/tmp" }, 1);
	/* the masks: entries of the host's /proc, each once; /proc/sys at least exists everywhere */
	bool sys = false;
	for (size_t i = N_FIXED; i < N_FIXED + n_proc; i++) {
		assert_int_equal(strncmp(points[i], "/proc/", 6), 0);
		if (access(points[i], F_OK) < 0)
			fail_msg("'%s' is expected mounted but /proc has no such entry", points[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(points[i], points[j]);
		sys |= !strcmp(points[i], "/proc/sys");
	}
	assert_true(sys);
	free(points);
	/* exactly the entries sc_mounts_find_proc found: none found, none expected */
	plan.proc_present = 0;
	assert_int_equal(sc_mounts_expected(&plan, &points, &n), 0);
	assert_points(points, n, 0, (const char *[]){ "/tmp" }, 1);
	free(points);
}

static void test_expected_no_mounts(void **state)
{
	(void)state;
	struct sc_mount_plan plan = { .rundir_fd = -1, .rootfs_fd = -1, .privileged = true };
	const char **points = NULL;
	size_t n = 0;
	assert_int_equal(sc_mounts_expected(&plan, &points, &n), 0);
	assert_points(points, n, 0, NULL, 0);
	free(points);
}

static void test_expected_bad_dest(void **state)
{
	(void)state;
	const struct sc_mount mounts[] = {
		{ .source = "/a", .dest = "/ok" },
		{ .source = "/b", .dest = "/x/../etc" },
	};
	struct sc_mount_plan plan = { .mounts = mounts, .n_mounts = 2, .rundir_fd = -1, .rootfs_fd = -1 };
	const char **points = NULL;
	size_t n = 0;
	assert_int_equal(sc_mounts_expected(&plan, &points, &n), -EINVAL);
	assert_null(points);
	const struct sc_mount relative[] = { { .source = NULL, .dest = "tmp" } };
	plan.mounts = relative;
	plan.n_mounts = 1;
	assert_int_equal(sc_mounts_expected(&plan, &points, &n), -EINVAL);
	assert_null(points);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_unescape_not_octal),
		cmocka_unit_test(test_parse_host_table),
		cmocka_unit_test(test_parse_no_final_newline),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_check_mounts_pass),
		cmocka_unit_test(test_check_mounts_extra),
		cmocka_unit_test(test_check_mounts_missing),
		cmocka_unit_test(test_check_mounts_old_root_left),
		cmocka_unit_test(test_check_mounts_shared),
		cmocka_unit_test(test_check_mounts_unreadable),
		cmocka_unit_test(test_check_mounts_small_detail),
		cmocka_unit_test(test_check_cgroup),
		cmocka_unit_test(test_check_cgroup_not_root),
		cmocka_unit_test(test_check_cgroup_empty),
		cmocka_unit_test(test_check_netdev_only_lo),
		cmocka_unit_test(test_check_netdev_eth0),
		cmocka_unit_test(test_check_netdev_none),
		cmocka_unit_test(test_check_netdev_line_without_colon),
		cmocka_unit_test(test_check_map_same),
		cmocka_unit_test(test_check_map_different),
		cmocka_unit_test(test_check_map_host_root),
		cmocka_unit_test(test_check_map_two_lines),
		cmocka_unit_test(test_check_host_mounts),
		cmocka_unit_test(test_normalize_dest),
		cmocka_unit_test(test_normalize_dest_rejected),
		cmocka_unit_test(test_normalize_dest_too_long),
		cmocka_unit_test(test_expected_two_mounts),
		cmocka_unit_test(test_expected_hardened),
		cmocka_unit_test(test_expected_no_mounts),
		cmocka_unit_test(test_expected_bad_dest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
