/* run.c - one run: validate, clone, map ids, release, capture, reap, check from the host. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bind-idmap.h"
#include "caps.h"
#include "container.h"
#include "error.h"
#include "idmap.h"
#include "run.h"
#include "syscalls.h"
#include "util.h"

#define SC_MAX_MOUNTS 64
#define SC_RUN_PREFIX "simpcon-run-"

static const char *const fixed_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	"LC_ALL=C",
	"TERM=dumb",
};

/* Everything one run owns; released on every exit path by run_release. */
struct run {
	const struct sc_config *config;
	struct sc_idmap map;
	struct sc_probe_expect expect;
	struct sc_host_snapshot host;
	const char **mount_points;
	char **envp;
	char rundir[PATH_MAX];
	bool rundir_made;
	int pipes[SC_CAPTURE_STREAMS][2];
	int sync[2];
	int term[2]; /* SC_STDIO_TERMINAL: the socket the pty's master comes on, else -1 */
	int root_tree; /* run by root: the fixture root, idmapped into the container */
	int trees[SC_MAX_MOUNTS];
	int source_fds[SC_MAX_MOUNTS];
	pid_t pid;
	pid_t first_pid; /* PID 1's host pid, kept after it is reaped */
	struct sc_limits limits;
	int pidfd;
	ino_t pid_ns;
	unsigned proc_present; /* the /proc entries to harden this kernel has */
	int init_fd;           /* --init: the sealed copy of simpcon-init, else -1 */
	int stdin_fd;          /* --stdin: what the command reads, else -1 (/dev/null) */
	struct sc_seccomp filter_asked;     /* the filter, as prepare read it */
	struct sc_seccomp_profile profile; /* --seccomp FILE's rules */
	struct sc_user_ceilings ceilings;
};

static int validate(const struct sc_config *c, struct sc_error *err)
{
	struct stat st;
	if (!c->argv || !c->argv[0] || !c->argv[0][0])
		return sc_error_setf(err, EINVAL, "no command to run: give one after '--'");
	if (!c->rootfs || stat(c->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return sc_error_setf(err, ENOENT, "fixture root '%s' is not a directory", c->rootfs ? c->rootfs : "(none)");
	if (c->hostname && (strlen(c->hostname) == 0 || strlen(c->hostname) > 64))
		return sc_error_setf(err, EINVAL, "hostname '%s' must be 1 to 64 characters", c->hostname);
	if (c->domainname && strlen(c->domainname) > 64)
		return sc_error_setf(err, EINVAL, "domainname '%s' must be at most 64 characters", c->domainname);
	if (c->n_mounts > SC_MAX_MOUNTS)
		return sc_error_setf(err, E2BIG, "%zu mounts asked, at most %d are supported", c->n_mounts, SC_MAX_MOUNTS);
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sc_mount *m = &c->mounts[i];
		char buf[PATH_MAX];
		if (sc_mounts_normalize_dest(m->dest, buf, sizeof(buf)) < 0 || !strcmp(buf, "/"))
			return sc_error_setf(err, EINVAL,
					     "mount destination '%s' must be an absolute path below '/' without '..'",
					     m->dest ? m->dest : "");
		if (m->source && stat(m->source, &st) < 0)
			return sc_error_set(err, errno, "%s source '%s' (create it, or fix the option)", m->copy ? "copy" : "bind",
					    m->source);
		if (m->copy && (!m->source || !S_ISREG(st.st_mode)))
			return sc_error_setf(err, EINVAL, "copy source '%s' is not a file: use --bind for directories",
					     m->source ? m->source : "");
	}
	if (c->env)
		for (const char *const *e = c->env; *e; e++)
			if (!strchr(*e, '=') || **e == '=')
				return sc_error_setf(err, EINVAL, "environment entry '%s' is not NAME=VALUE", *e);
	return 0;
}

static size_t name_length(const char *entry)
{
	return strcspn(entry, "=") + 1;
}

static int compare_entries(const void *a, const void *b)
{
	const char *const *x = *(const char *const *const *)a, *const *y = *(const char *const *const *)b;
	size_t n = name_length(*x), m = name_length(*y);
	int c = memcmp(*x, *y, n < m ? n : m);
	return c ? c : n != m ? (n < m ? -1 : 1) : (x > y) - (x < y);
}

/* The fixed environment, then the caller's entries: an entry replaces a fixed one and an
 * earlier one of the same name, so each variable is set once, to the value given last (sorted
 * by name, then by position: thousands of --env from a file's lines cost no quadratic time). */
static int build_env(struct run *run)
{
	const char *const *user = run->config->env;
	size_t n_user = 0;
	for (const char *const *e = user; e && *e; e++)
		n_user++;
	_cleanup_free_ const char *const **sorted = calloc(n_user + 1, sizeof(*sorted));
	_cleanup_free_ bool *replaced = calloc(n_user + 1, sizeof(*replaced));
	char **envp = calloc(SC_ELEMENTSOF(fixed_env) + n_user + 1, sizeof(char *));
	if (!sorted || !replaced || !envp) {
		free(envp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_user; i++)
		sorted[i] = &user[i];
	qsort(sorted, n_user, sizeof(*sorted), compare_entries);
	for (size_t i = 0; i + 1 < n_user; i++)
		replaced[sorted[i] - user] = name_length(*sorted[i]) == name_length(*sorted[i + 1]) &&
					     !memcmp(*sorted[i], *sorted[i + 1], name_length(*sorted[i]));
	size_t n = 0;
	for (size_t i = 0; i < SC_ELEMENTSOF(fixed_env); i++) {
		bool set = false;
		for (size_t k = 0; k < n_user && !set; k++)
			set = !replaced[k] && !strncmp(user[k], fixed_env[i], name_length(fixed_env[i]));
		if (!set)
			envp[n++] = (char *)fixed_env[i];
	}
	for (size_t k = 0; k < n_user; k++)
		if (!replaced[k])
			envp[n++] = (char *)user[k];
	run->envp = envp;
	return 0;
}

static const char *tmpdir_of(const struct sc_config *c)
{
	const char *t = c->tmpdir ? c->tmpdir : getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* Removes run directories whose owning process is gone (a kept run killed before it wrote
 * anything); rmdir leaves the non-empty ones, the kept writes, alone. */
static void sweep_stale(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (strncmp(de->d_name, SC_RUN_PREFIX, strlen(SC_RUN_PREFIX)))
			continue;
		long pid = strtol(de->d_name + strlen(SC_RUN_PREFIX), NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			(void)unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static int make_rundir(struct run *run, struct sc_error *err)
{
	const char *tmpdir = tmpdir_of(run->config);
	sweep_stale(tmpdir);
	if (snprintf(run->rundir, sizeof(run->rundir), "%s/" SC_RUN_PREFIX "%d-XXXXXX", tmpdir, (int)getpid()) >=
	    (int)sizeof(run->rundir))
		return sc_error_setf(err, ENAMETOOLONG, "TMPDIR '%s' is too long", tmpdir);
	if (!mkdtemp(run->rundir))
		return sc_error_set(err, errno, "create the run directory in '%s' (set TMPDIR to a writable directory)",
				    tmpdir);
	run->rundir_made = true;
	/* a kept run writes its layers here as container root */
	if (run->config->keep && !run->map.rootless && chown(run->rundir, run->map.uid_host, run->map.gid_host) < 0)
		return sc_error_set(err, errno, "chown '%s'", run->rundir);
	return 0;
}

/* Moves fd above 2 (the child's dup2 onto 0-2 must not clobber it). Returns 0 or -errno. */
static int above_stdio(int *fd)
{
	if (*fd >= 3)
		return 0;
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (moved < 0)
		return -errno;
	close(*fd);
	*fd = moved;
	return 0;
}

/* Pipes and sockets whose ends are never 0-2, so the child's dup2 onto 0-2 cannot clobber one. */
static int make_channels(struct run *run, struct sc_error *err)
{
	int r;
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
		if (pipe2(run->pipes[s], O_CLOEXEC) < 0)
			return sc_error_set(err, errno, "create a pipe");
		for (int e = 0; e < 2; e++)
			if ((r = above_stdio(&run->pipes[s][e])) < 0)
				return sc_error_set(err, -r, "move a pipe above fd 2");
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, run->sync) < 0)
		return sc_error_set(err, errno, "create the sync socket");
	if ((r = above_stdio(&run->sync[1])) < 0)
		return sc_error_set(err, -r, "move the sync socket above fd 2");
	/* a terminal: its master comes from the child on a socket of its own (terminal.h) */
	if (run->config->stdio == SC_STDIO_TERMINAL) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, run->term) < 0)
			return sc_error_set(err, errno, "create the terminal's socket");
		if ((r = above_stdio(&run->term[1])) < 0)
			return sc_error_set(err, -r, "move the terminal's socket above fd 2");
	}
	return 0;
}

/* Run by root, container root is an unprivileged id of root's range, so host files would belong
 * to nobody inside and its writes to that id outside. An idmapped mount (Linux 5.12+) through a
 * user namespace whose map turns the files' owners into container ids fixes both. Returns the
 * detached mount, or -errno. */
static int idmapped_tree(int source_fd, int userns, bool recursive, unsigned attr_set)
{
	unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
	int tree = sc_open_tree(source_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags);
	if (tree < 0)
		return -errno;
	/* private: a clone of a shared mount (every mount of a systemd host) joins its peer group,
	 * and a mount the host makes below it later would show up inside */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | attr_set,
		.propagation = MS_PRIVATE,
		.userns_fd = (uint64_t)userns,
	};
	if (sc_mount_setattr(tree, "", flags, &attr) < 0) {
		int r = -errno;
		close(tree);
		return r;
	}
	return tree;
}

/* The fixture is stored owned by root, and nobody else's id may own it: a user given the
 * container's ids could otherwise rewrite what every later run of root executes. The
 * overlay's lower layer is therefore the fixture idmapped through the container's own user
 * namespace (overlayfs takes an idmapped lower layer since Linux 5.19), where root's files are
 * container root's; it is read-only, so no id of it can be written. */
static int prepare_root(struct run *run, struct sc_error *err)
{
	const char *rootfs = run->config->rootfs;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)run->pid);
	_cleanup_close_ int userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return sc_error_set(err, errno, "open the container's user namespace '%s'", path);
	_cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(err, errno, "open fixture root '%s'", rootfs);
	int tree = idmapped_tree(fd, userns, false, MOUNT_ATTR_RDONLY);
	if (tree < 0)
		return sc_error_set(err, -tree,
				    "idmap the fixture root '%s' into the container (needs Linux 5.19+ and a filesystem "
				    "with idmapped mounts: ext4, xfs, btrfs, tmpfs on 6.3+; set SIMPCON_CACHE or "
				    "TMPDIR, or give --rootfs, on one)",
				    rootfs);
	run->root_tree = tree;
	return 0;
}

/* Binds are written, so they are idmapped through a namespace that maps only the caller to
 * container root (bind-idmap.c): the caller's files are container root's, container root's
 * writes are the caller's, and no other id maps. A file system that cannot be idmapped is
 * bound plainly by the child when read-only; writable, container root's files would land
 * there as its own host uid: refused. */
static int prepare_trees(struct run *run, struct sc_error *err)
{
	const struct sc_config *c = run->config;
	int r = prepare_root(run, err);
	if (r < 0)
		return r;
	_cleanup_close_ int userns = -1;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sc_mount *m = &c->mounts[i];
		if (!m->source || m->copy)
			continue;
		if (userns < 0 && (r = sc_bind_userns(geteuid(), getegid(), run->map.uid_host, run->map.gid_host, &userns,
						      err)) < 0)
			return r;
		/* nosuid, nodev: a set-id file or a device node on the host's file system gives the
		 * container nothing (none can be made there either: syscall-filter.c) */
		int tree = idmapped_tree(run->source_fds[i], userns, true,
					 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m->readonly ? MOUNT_ATTR_RDONLY : 0));
		if (tree >= 0)
			run->trees[i] = tree;
		else if (!m->readonly)
			return sc_error_set(err, -tree,
					    "idmap the bind of '%s' (its file system cannot be, so container root's "
					    "files would belong to host uid %u there): bind it read-only (SRC:DST:ro)",
					    m->source, (unsigned)run->map.uid_host);
	}
	return 0;
}

/* Opens the bind sources for prepare_trees. */
static int open_sources(struct run *run, struct sc_error *err)
{
	const struct sc_config *c = run->config;
	for (size_t i = 0; i < c->n_mounts; i++) {
		if (!c->mounts[i].source || c->mounts[i].copy)
			continue;
		run->source_fds[i] = open(c->mounts[i].source, O_PATH | O_CLOEXEC);
		if (run->source_fds[i] < 0)
			return sc_error_set(err, errno, "bind source '%s'", c->mounts[i].source);
	}
	/* a file is opened by the child (a fifo's open waits for its writer: under the timeout) */
	if (c->stdin_file && !strcmp(c->stdin_file, "-") && (run->stdin_fd = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0)
		return sc_error_set(err, errno, "stdin for the command (--stdin -): the harness has none");
	return 0;
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable even under vm.memfd_noexec = 1 */
#endif

/* --init: simpcon-init copied into a sealed memfd, which the child executes as PID 1; a copy,
 * so that no host binary is ever PID 1 of a container (CVE-2019-5736). */
static int open_init(struct run *run, struct sc_error *err)
{
	char buf[PATH_MAX];
	const char *path = sc_helper_path(run->config->init_helper, "SIMPCON_INIT", SC_INIT_HELPER, "simpcon-init", buf,
					  sizeof(buf));
	_cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (src < 0 || fstat(src, &st) < 0)
		return sc_error_set(err, errno, "open simpcon-init '%s' for --init (install it, or set SIMPCON_INIT)", path);
	int fd = memfd_create("simpcon-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("simpcon-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return sc_error_set(err, errno, "create the in-memory copy of simpcon-init");
	run->init_fd = fd;
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - done));
		if (n <= 0)
			return sc_error_set(err, n < 0 ? errno : EIO, "copy simpcon-init '%s'", path);
		done += n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return sc_error_set(err, errno, "seal the copy of simpcon-init");
	return 0;
}

/* What the command's seccomp filter holds; a profile file is read now, so that a bad one
 * stops the run before anything starts. */
static int ask_filter(struct run *run, struct sc_error *err)
{
	const struct sc_config *c = run->config;
	struct sc_seccomp *what = &run->filter_asked;
	what->defaults = !c->seccomp && !c->privileged;
	what->sys_admin = (sc_caps_kept(c->privileged, c->cap_add, c->cap_drop) & SC_CAP_BIT(21 /* SYS_ADMIN */)) != 0;
	/* a bind is the host's file system: no set-id bit may be made there (syscall-filter.c) */
	for (size_t i = 0; i < c->n_mounts; i++)
		what->no_setid = what->no_setid || (c->mounts[i].source && !c->mounts[i].copy);
	if (c->seccomp && strcmp(c->seccomp, "unconfined")) {
		int r = sc_seccomp_profile_read(c->seccomp, &run->profile, err);
		if (r < 0)
			return r;
		what->profile = &run->profile;
	}
	return 0;
}

/* Compiled while the released child builds its mounts, and handed to it over the sync
 * socket: PID 1 installs it last, just before exec. */
static int send_filter(struct run *run, struct sc_error *err)
{
	struct sc_seccomp_bpf bpf;
	int r = sc_seccomp_build(&run->filter_asked, &bpf, err);
	if (r < 0)
		return r;
	r = sc_container_send_filter(run->sync[0], &bpf, err);
	sc_seccomp_bpf_release(&bpf);
	return r;
}

static int prepare(struct run *run, struct sc_error *err)
{
	const struct sc_config *c = run->config;
	int r = validate(c, err);
	if (r < 0)
		return r;
	if ((r = sc_idmap_default(&run->map, err)) < 0)
		return r;
	/* rootless, another uid inside needs the user's subordinate ids (and a setuid helper):
	 * asked for only then, so the common run stays one id and no extra process */
	if (run->map.rootless && (c->uid || c->gid) && (r = sc_idmap_extend(&run->map, err)) < 0)
		return r;
	if ((r = sc_idmap_check_ids(&run->map, c->uid, c->gid, err)) < 0)
		return r;
	struct sc_probe_expect *x = &run->expect;
	x->hostname = c->hostname ? c->hostname : "simpcon";
	x->new_net = c->net != SC_NET_HOST;
	sc_idmap_format(&run->map, false, x->uid_map, sizeof(x->uid_map));
	sc_idmap_format(&run->map, true, x->gid_map, sizeof(x->gid_map));
	sc_probe_host_namespaces(x);
	run->proc_present = c->privileged ? 0 : sc_mounts_find_proc();
	struct sc_mount_plan plan = { .mounts = c->mounts, .n_mounts = c->n_mounts, .privileged = c->privileged,
				      .host_libs = c->host_libs, .host_sh = c->host_sh, .rootfs = c->rootfs,
				      .proc_present = run->proc_present };
	if ((r = sc_mounts_expected(&plan, &run->mount_points, &x->n_mount_points)) < 0)
		return sc_error_set(err, -r, "plan the mounts");
	x->mount_points = run->mount_points;
	if (build_env(run) < 0)
		return sc_error_set(err, ENOMEM, "build the environment");
	/* only a kept run has a directory on disk: the others' layers are a tmpfs in the container */
	if ((c->keep && (r = make_rundir(run, err)) < 0) || (r = open_sources(run, err)) < 0 ||
	    (r = make_channels(run, err)) < 0 || (c->init && (r = open_init(run, err)) < 0))
		return r;
	if ((r = ask_filter(run, err)) < 0)
		return r;
	sc_limits_user_ceilings(&run->ceilings);
	if ((r = sc_probe_host_before(&run->host)) < 0)
		return sc_error_set(err, -r, "record the host's hostname and mount table");
	run->limits.value[SC_LIMIT_PIDS] = c->pids_max;
	run->limits.value[SC_LIMIT_MEMORY] = c->memory_max;
	run->limits.value[SC_LIMIT_CPU] = c->cpu_seconds;
	return sc_limits_prepare(&run->limits, err);
}

static void close_trees(struct run *run)
{
	if (run->root_tree >= 0)
		close(TAKE_FD(run->root_tree));
	for (size_t i = 0; i < SC_MAX_MOUNTS; i++)
		if (run->trees[i] >= 0)
			close(TAKE_FD(run->trees[i]));
}

static int start(struct run *run, struct sc_error *err)
{
	const struct sc_config *c = run->config;
	struct sc_child_plan plan = {
		.mounts = { .rundir = run->rundir_made ? run->rundir : NULL, .rundir_fd = -1, .rootfs = c->rootfs, .rootfs_fd = -1,
			    .mounts = c->mounts, .n_mounts = c->n_mounts, .keep = c->keep,
			    .privileged = c->privileged, .host_libs = c->host_libs, .host_sh = c->host_sh,
			    .proc_present = run->proc_present, .ceilings = &run->ceilings,
			    .tmpfs_size = sc_storage_size(c),
			    .lock = (sc_caps_kept(c->privileged, c->cap_add, c->cap_drop) &
				     SC_CAP_BIT(21 /* SYS_ADMIN */)) != 0 },
		.hostname = run->expect.hostname,
		.domainname = c->domainname,
		.chdir = c->chdir,
		.argv = (char *const *)c->argv,
		.envp = run->envp,
		.uid = c->uid,
		.gid = c->gid,
		.new_net = run->expect.new_net,
		.privileged = c->privileged,
		.cap_add = c->cap_add,
		.cap_drop = c->cap_drop,
		.time_offset_s = c->time_offset_s,
		.limits = &run->limits,
		.stdout_fd = run->pipes[SC_CAPTURE_STDOUT][1],
		.stderr_fd = run->pipes[SC_CAPTURE_STDERR][1],
		.report_fd = run->pipes[SC_CAPTURE_REPORT][1],
		.init_fd = run->init_fd,
		.stdin_fd = run->stdin_fd,
		.stdin_path = c->stdin_file && strcmp(c->stdin_file, "-") ? c->stdin_file : NULL,
		.stdin_empty_pipe = c->stdin_empty_pipe,
		.sync_fd = run->sync[1],
		.terminal_fd = run->term[1],
		.parent_fds = { run->sync[0], run->pipes[SC_CAPTURE_STDOUT][0], run->pipes[SC_CAPTURE_STDERR][0],
				run->pipes[SC_CAPTURE_REPORT][0], run->term[0] },
		.expect = &run->expect,
	};
	/* run by root, a file capability container root writes through a writable bind is stored
	 * with root id 0, effective on the host: CAP_SETFCAP goes, --privileged or not */
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sc_mount *m = &c->mounts[i];
		if (m->source && !m->copy && !m->readonly && !run->map.rootless)
			plan.cap_drop |= SC_CAP_BIT(31 /* SETFCAP */);
	}
	int r = sc_container_clone(&plan, &run->pid, &run->pidfd, err);
	if (r < 0)
		return r;
	run->first_pid = run->pid;
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
		close(run->pipes[s][1]);
		run->pipes[s][1] = -1;
	}
	close(run->sync[1]);
	run->sync[1] = -1;
	if (run->term[1] >= 0)
		close(TAKE_FD(run->term[1]));
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)run->pid);
	run->pid_ns = stat(path, &st) == 0 ? st.st_ino : 0;
	if ((r = sc_idmap_write(&run->map, run->pid, err)) < 0 || (r = sc_limits_attach(&run->limits, run->pid, err)) < 0)
		return r;
	if (!run->map.rootless && (r = prepare_trees(run, err)) < 0)
		return r;
	r = sc_container_release(run->sync[0], run->root_tree, run->trees, c->n_mounts, err);
	close_trees(run); /* the child has them now */
	return r < 0 ? r : send_filter(run, err);
}

/* Reads the child's reports: the probes, and a setup or exec failure. */
static int read_reports(struct sc_result *res, const struct sc_output *raw, struct sc_error *err)
{
	bool probed = false;
	for (size_t off = 0; off + sizeof(struct sc_report) <= raw->len; off += sizeof(struct sc_report)) {
		struct sc_report rep;
		memcpy(&rep, raw->data + off, sizeof(rep));
		rep.text[sizeof(rep.text) - 1] = '\0';
		char why[512];
		if (rep.kind == SC_REPORT_SETUP_ERROR && (rep.code == EPERM || rep.code == EACCES) &&
		    sc_container_apparmor_cause(why, sizeof(why)))
			return sc_error_setf(err, rep.code, "container setup: %s (%s)", rep.text, why);
		if (rep.kind == SC_REPORT_SETUP_ERROR)
			return sc_error_setf(err, rep.code > 0 ? rep.code : EIO, "container setup: %s", rep.text);
		if (rep.kind == SC_REPORT_EXEC_ERROR && !(res->exec_error = strdup(rep.text)))
			return sc_error_set(err, ENOMEM, "record the exec error");
		if (rep.kind == SC_REPORT_PROBES) {
			res->report = rep;
			probed = true;
		}
	}
	if (!probed && res->timed_out)
		return sc_error_setf(err, ETIMEDOUT,
				     "timed out after %.3f s in the container's setup, before the command started "
				     "(does a --stdin fifo have a writer?)", res->timeout_ms / 1000.0);
	if (!probed)
		return sc_error_setf(err, EIO, "the container exited before reporting its isolation checks");
	return 0;
}

/* Which tmpfs the command filled, from the fds the child handed over; added to limit_hit. */
static void storage_hit(struct run *run, struct sc_result *res)
{
	const struct sc_config *c = run->config;
	struct sc_mount_plan plan = { .keep = c->keep, .mounts = c->mounts, .n_mounts = c->n_mounts };
	const char *paths[SC_STORAGE_MAX];
	int fds[SC_STORAGE_MAX];
	size_t n = sc_container_storage_paths(&plan, paths, SC_ELEMENTSOF(paths));
	int got = sc_container_storage_fds(run->sync[0], fds, SC_ELEMENTSOF(fds));
	char full[256];
	if ((size_t)got == n && sc_storage_hit(fds, paths, n, sc_storage_size(c), full, sizeof(full))) {
		size_t used = strlen(res->limit_hit);
		snprintf(res->limit_hit + used, sizeof(res->limit_hit) - used, "%s%s", used ? ", " : "", full);
	}
	for (int i = 0; i < got; i++)
		close(fds[i]);
}

static int finish(struct run *run, struct sc_result *res, struct sc_error *err)
{
	const struct sc_config *c = run->config;
	struct sc_capture cap = { .pidfd = run->pidfd, .cancel_fd = c->cancel_fd, .echo = c->stdio == SC_STDIO_PASSTHROUGH };
	struct sc_terminal term;
	if (c->stdio == SC_STDIO_TERMINAL) {
		sc_terminal_init(&term, TAKE_FD(run->term[0]), STDIN_FILENO, STDOUT_FILENO, c->resize_fd);
		cap.term = &term;
	}
	uint64_t started = sc_now_us();
	if (c->timeout_ms)
		cap.deadline_us = started + (uint64_t)c->timeout_ms * 1000;
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
		cap.fds[s] = TAKE_FD(run->pipes[s][0]);
		sc_output_init(&cap.out[s], s == SC_CAPTURE_REPORT ? 64 * sizeof(struct sc_report) : c->output_limit);
	}
	int r = sc_capture_run(&cap);
	if (cap.term)
		sc_terminal_release(cap.term);
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
		if (cap.fds[s] >= 0)
			close(cap.fds[s]);
	res->out = cap.out[SC_CAPTURE_STDOUT];
	res->err = cap.out[SC_CAPTURE_STDERR];
	siginfo_t si = { 0 };
	struct rusage ru = { 0 };
	/* the raw waitid also reports the resource usage, for the CPU time limit */
	if (r == 0 && syscall(SYS_waitid, P_PIDFD, run->pidfd, &si, WEXITED, &ru) < 0)
		r = -errno;
	res->duration_us = sc_now_us() - started;
	run->pid = 0; /* reaped (or to be reaped by run_release) */
	if (r < 0) {
		sc_output_release(&cap.out[SC_CAPTURE_REPORT]);
		return sc_error_set(err, -r, "wait for the container");
	}
	res->timed_out = cap.timed_out;
	res->timeout_ms = c->timeout_ms;
	res->exit_status = si.si_code == CLD_EXITED ? si.si_status : -1;
	res->signal = si.si_code == CLD_EXITED ? 0 : si.si_status;
	uint64_t cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
			  (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	sc_limits_describe(&run->limits, res->limits, sizeof(res->limits));
	sc_limits_hit(&run->limits, cpu_us, cap.timed_out || cap.cancelled ? -1 : res->signal, res->limit_hit,
		      sizeof(res->limit_hit));
	storage_hit(run, res);
	if (cap.cancelled) {
		sc_output_release(&cap.out[SC_CAPTURE_REPORT]);
		return sc_error_setf(err, ECANCELED, "interrupted: the container was killed");
	}
	r = read_reports(res, &cap.out[SC_CAPTURE_REPORT], err);
	sc_output_release(&cap.out[SC_CAPTURE_REPORT]);
	if (r < 0)
		return r;
	const char *const ours[] = { c->rootfs, run->rundir_made ? run->rundir : NULL };
	sc_probe_host_after(&run->host, ours, run->rundir_made ? 2 : 1, run->pid_ns, run->first_pid, &res->report);
	if (!strcmp(run->host.hostname, run->expect.hostname) &&
	    res->report.verdict[SC_CHECK_HOSTNAME] == SC_VERDICT_PASS) {
		res->report.verdict[SC_CHECK_HOSTNAME] = SC_VERDICT_SKIP;
		snprintf(res->report.detail[SC_CHECK_HOSTNAME], sizeof(res->report.detail[0]),
			 "the host is also named '%s': choose another --hostname", run->host.hostname);
	}
	return 0;
}

static void run_release(struct run *run)
{
	if (run->pid > 0) {
		/* started but not waited for: kill the whole PID namespace and reap its PID 1 */
		(void)sc_pidfd_send_signal(run->pidfd, SIGKILL);
		(void)waitpid(run->pid, NULL, 0);
	}
	if (run->pidfd >= 0)
		close(run->pidfd);
	close_trees(run);
	if (run->init_fd >= 0)
		close(run->init_fd);
	if (run->stdin_fd >= 0)
		close(run->stdin_fd);
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
		for (int e = 0; e < 2; e++)
			if (run->pipes[s][e] >= 0)
				close(run->pipes[s][e]);
	for (int e = 0; e < 2; e++) {
		if (run->sync[e] >= 0)
			close(run->sync[e]);
		if (run->term[e] >= 0)
			close(run->term[e]);
	}
	for (size_t i = 0; i < SC_MAX_MOUNTS; i++)
		if (run->source_fds[i] >= 0)
			close(run->source_fds[i]);

	if (run->rundir_made && !run->config->keep)
		(void)rmdir(run->rundir);
	sc_seccomp_profile_release(&run->profile);
	sc_limits_release(&run->limits);
	sc_idmap_release(&run->map);
	sc_host_snapshot_release(&run->host);
	free(run->mount_points);
	free(run->envp);
}

int sc_run(const struct sc_config *config, struct sc_result **ret_result, struct sc_error *err)
{
	struct run run = { .config = config, .map.slice_lock = -1, .pidfd = -1, .root_tree = -1, .init_fd = -1,
			   .stdin_fd = -1 };
	memset(run.source_fds, -1, sizeof(run.source_fds));
	memset(run.pipes, -1, sizeof(run.pipes));
	memset(run.sync, -1, sizeof(run.sync));
	memset(run.term, -1, sizeof(run.term));
	memset(run.trees, -1, sizeof(run.trees));
	struct sc_result *res = calloc(1, sizeof(*res));
	if (!res)
		return sc_error_set(err, ENOMEM, "allocate the result");
	int r = prepare(&run, err);
	if (r == 0)
		r = start(&run, err);
	if (r == 0)
		r = finish(&run, res, err);
	if (r == 0 && config->keep && !(res->run_dir = strdup(run.rundir)))
		r = sc_error_set(err, ENOMEM, "record the run directory");
	run_release(&run);
	if (r < 0) {
		sc_result_free(res);
		return r;
	}
	*ret_result = res;
	return 0;
}

struct sc_result *sc_result_free(struct sc_result *res)
{
	if (res) {
		sc_output_release(&res->out);
		sc_output_release(&res->err);
		free(res->exec_error);
		free(res->run_dir);
		free(res);
	}
	return NULL;
}

/* How long each pointed-to part is; SIZE_MAX for a NULL string. */
struct packed_lengths {
	size_t out, err, exec_error, run_dir;
};

static size_t string_length(const char *s)
{
	return s ? strlen(s) : SIZE_MAX;
}

size_t sc_result_packed_size(const struct sc_result *res)
{
	return sizeof(*res) + sizeof(struct packed_lengths) + res->out.len + res->err.len +
	       (res->exec_error ? strlen(res->exec_error) : 0) + (res->run_dir ? strlen(res->run_dir) : 0);
}

int sc_result_send(int fd, const struct sc_result *res)
{
	struct sc_result flat = *res;
	flat.out.data = flat.err.data = flat.exec_error = flat.run_dir = NULL;
	struct packed_lengths n = { res->out.len, res->err.len, string_length(res->exec_error),
				    string_length(res->run_dir) };
	int r = sc_write_all(fd, &flat, sizeof(flat));
	if (r == 0)
		r = sc_write_all(fd, &n, sizeof(n));
	if (r == 0 && n.out)
		r = sc_write_all(fd, res->out.data, n.out);
	if (r == 0 && n.err)
		r = sc_write_all(fd, res->err.data, n.err);
	if (r == 0 && res->exec_error)
		r = sc_write_all(fd, res->exec_error, n.exec_error);
	if (r == 0 && res->run_dir)
		r = sc_write_all(fd, res->run_dir, n.run_dir);
	return r;
}

/* The next n bytes of the buffer as a NUL-terminated copy in *ret (NULL for SIZE_MAX). */
static int take(const char **at, const char *end, size_t n, char **ret)
{
	*ret = NULL;
	if (n == SIZE_MAX)
		return 0;
	if (n > (size_t)(end - *at))
		return -EBADMSG;
	if (!(*ret = malloc(n + 1)))
		return -ENOMEM;
	memcpy(*ret, *at, n);
	(*ret)[n] = '\0';
	*at += n;
	return 0;
}

int sc_result_receive(const char *buf, size_t len, struct sc_result **ret_result)
{
	struct packed_lengths n;
	*ret_result = NULL;
	if (len < sizeof(struct sc_result) + sizeof(n))
		return -EBADMSG;
	struct sc_result *res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	memcpy(res, buf, sizeof(*res));
	memcpy(&n, buf + sizeof(*res), sizeof(n));
	res->out.data = res->err.data = res->exec_error = res->run_dir = NULL;
	const char *at = buf + sizeof(*res) + sizeof(n), *end = buf + len;
	int r = n.out == SIZE_MAX || n.err == SIZE_MAX ? -EBADMSG : take(&at, end, n.out, &res->out.data);
	if (r == 0)
		r = take(&at, end, n.err, &res->err.data);
	if (r == 0)
		r = take(&at, end, n.exec_error, &res->exec_error);
	if (r == 0)
		r = take(&at, end, n.run_dir, &res->run_dir);
	if (r == 0 && at != end)
		r = -EBADMSG;
	if (r < 0) {
		sc_result_free(res);
		return r;
	}
	res->out.len = n.out;
	res->out.cap = n.out + 1;
	res->err.len = n.err;
	res->err.cap = n.err + 1;
	*ret_result = res;
	return 0;
}

int sc_result_exit_status(const struct sc_result *res)
{
	return res->exit_status;
}

int sc_result_signal(const struct sc_result *res)
{
	return res->signal;
}

bool sc_result_timed_out(const struct sc_result *res)
{
	return res->timed_out;
}

uint64_t sc_result_duration_us(const struct sc_result *res)
{
	return res->duration_us;
}

static const char *output_of(const struct sc_output *o, size_t *ret_len, size_t *ret_total)
{
	if (ret_len)
		*ret_len = o->len;
	if (ret_total)
		*ret_total = (size_t)o->total;
	return o->data ? o->data : "";
}

const char *sc_result_stdout(const struct sc_result *res, size_t *ret_len, size_t *ret_total)
{
	return output_of(&res->out, ret_len, ret_total);
}

const char *sc_result_stderr(const struct sc_result *res, size_t *ret_len, size_t *ret_total)
{
	return output_of(&res->err, ret_len, ret_total);
}

const char *sc_result_exec_error(const struct sc_result *res)
{
	return res->exec_error;
}

const char *sc_result_limit_hit(const struct sc_result *res)
{
	return res->limit_hit[0] ? res->limit_hit : NULL;
}

const char *sc_result_run_dir(const struct sc_result *res)
{
	return res->run_dir;
}

enum sc_verdict sc_result_check(const struct sc_result *res, enum sc_check check, const char **ret_detail)
{
	if (check >= SC_CHECK_COUNT) {
		if (ret_detail)
			*ret_detail = "no such check";
		return SC_VERDICT_FAIL;
	}
	if (ret_detail)
		*ret_detail = res->report.detail[check];
	return (enum sc_verdict)res->report.verdict[check];
}

const char *sc_check_name(enum sc_check check)
{
	static const char *const names[SC_CHECK_COUNT] = {
		[SC_CHECK_PID] = "pid",   [SC_CHECK_HOSTNAME] = "hostname", [SC_CHECK_MOUNT] = "mount",
		[SC_CHECK_NET] = "net",   [SC_CHECK_IPC] = "ipc",           [SC_CHECK_USER] = "user",
		[SC_CHECK_CGROUP] = "cgroup",
	};
	return check < SC_CHECK_COUNT ? names[check] : "unknown";
}
