/* fixture.c - the busybox fixture and its cache.
 *
 * An entry is built in a temporary directory inside the cache and renamed into place, so a
 * reader sees either nothing or a complete root; builders serialise on a flock so parallel
 * cold runs build it once. A warm lookup is one stat of the binary and one of the entry. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

#include "cache.h"
#include "error.h"
#include "fixture.h"
#include "tmpdir.h"
#include "unpack.h" /* the limits alone: no libarchive here */
#include "util.h"

/* Bump when the layout below changes: old entries are then simply not found. (3: owned by the
 * caller, no longer by container root's host id) */
#define SC_FIXTURE_LAYOUT 3

struct sc_fixture {
	char *root;
	char *tmp_dir; /* --no-cache: removed with the fixture */
	int tmp_lock;  /* --no-cache: keeps tmp_dir from being swept while it is in use, or -1 */
	bool built;    /* this call built it (not found in the cache) */
};

static const struct {
	const char *path;
	mode_t mode;
} layout_dirs[] = {
	{ "bin", 0755 },  { "sbin", 0755 }, { "usr", 0755 },     { "usr/bin", 0755 }, { "usr/sbin", 0755 },
	{ "etc", 0755 },  { "proc", 0555 }, { "dev", 0755 },     { "sys", 0555 },     { "tmp", 01777 },
	{ "root", 0700 }, { "home", 0755 }, { "run", 0755 },     { "var", 0755 },     { "var/tmp", 01777 },
	{ "mnt", 0755 },
};

static const struct {
	const char *path;
	const char *text;
} layout_files[] = {
	{ "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" },
	{ "etc/group", "root:x:0:\nnogroup:x:65534:\n" },
	{ "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n" },
	{ "etc/resolv.conf", "" },
};

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int find_on_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (n > 0 && snprintf(buf, size, "%.*s/%s", (int)n, p, name) < (int)size && is_file(buf))
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

int sc_fixture_find_busybox(const char *path, char *buf, size_t size, struct sc_error *err)
{
	const char *from = "--busybox";
	if (!path || !*path) {
		path = getenv("SIMPCON_BUSYBOX");
		from = "SIMPCON_BUSYBOX";
	}
	if ((!path || !*path) && sizeof(SC_DEFAULT_BUSYBOX) > 1 && is_file(SC_DEFAULT_BUSYBOX)) {
		path = SC_DEFAULT_BUSYBOX;
		from = "configure --with-busybox";
	}
	if (!path || !*path) {
		if (find_on_path("busybox", buf, size) == 0)
			return 0;
		return sc_error_setf(err, ENOENT,
				     "busybox not found: install busybox-static (apt-get install busybox-static), "
				     "or give --busybox PATH or SIMPCON_BUSYBOX");
	}
	if (!is_file(path))
		return sc_error_setf(err, ENOENT, "busybox '%s' (from %s) is not a file: install busybox-static or fix %s",
				     path, from, from);
	if (snprintf(buf, size, "%s", path) >= (int)size)
		return sc_error_setf(err, ENAMETOOLONG, "busybox path '%s' is too long", path);
	return 0;
}

int sc_fixture_cache_dir(const char *cache_dir, char *buf, size_t size, struct sc_error *err)
{
	const char *env;
	int n;
	if (cache_dir && *cache_dir)
		n = snprintf(buf, size, "%s", cache_dir);
	else if ((env = getenv("SIMPCON_CACHE")) && *env)
		n = snprintf(buf, size, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, size, "/var/cache/simpcon");
	else if ((env = getenv("XDG_CACHE_HOME")) && *env)
		n = snprintf(buf, size, "%s/simpcon", env);
	else if ((env = getenv("HOME")) && *env)
		n = snprintf(buf, size, "%s/.cache/simpcon", env);
	else
		return sc_error_setf(err, ENOENT, "no cache directory: set SIMPCON_CACHE or HOME");
	/* entries, locks and build directories add up to 64 bytes to this path; it is created
	 * when the first entry is built, so a warm run spends no mkdir on it */
	if (n >= (int)size || (size_t)n + 64 >= PATH_MAX)
		return sc_error_setf(err, ENAMETOOLONG, "cache directory path '%.80s...' is too long", buf);
	return 0;
}

static int copy_file(const char *from, int dirfd, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	_cleanup_close_ int out = openat(dirfd, to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		return -errno;
	struct stat st;
	if (fstat(in, &st) < 0)
		return -errno;
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		left -= n;
	}
	return fchmod(out, mode) < 0 ? -errno : 0;
}

/* The applet list comes from the binary itself, run on the host ("busybox --list-full"), so
 * nothing runs inside a container to make the links. */
static int applet_list(const char *busybox, char **ret_text)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	/* argv[0] "busybox", not the file's name: busybox takes any other name for an applet's and
	 * a binary called busybox-1.36 would answer "applet not found" */
	char *const argv[] = { (char *)"busybox", (char *)"--list-full", NULL };
	char *const envp[] = { (char *)"LC_ALL=C", NULL };
	pid_t pid;
	int r = posix_spawn(&pid, busybox, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return -r;
	}
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	r = sc_read_file(path, ret_text, NULL);
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		free(*ret_text);
		*ret_text = NULL; /* the caller's cleanup frees it too */
		return -ENOEXEC;
	}
	return r;
}

/* One symlink to /bin/busybox, and every other applet a hard link to it: one inode instead of
 * ~270, which is most of a cold build on a filesystem where each inode costs. */
static int make_links(int rootfd, const char *busybox)
{
	_cleanup_free_ char *list = NULL;
	int r = applet_list(busybox, &list);
	if (r < 0)
		return r;
	const char *first = NULL;
	for (char *save = NULL, *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* entries look like "usr/bin/awk"; anything else is not an applet path */
		if (line[0] == '/' || strstr(line, "..") || !strchr(line, '/') || !strcmp(line, "bin/busybox"))
			continue;
		int q = first ? linkat(rootfd, first, rootfd, line, 0) : symlinkat("/bin/busybox", rootfd, line);
		if (q < 0 && errno != EEXIST)
			return -errno;
		if (!first)
			first = line;
	}
	return first ? 0 : -ENOEXEC;
}

static int build_busybox(const char *root, const char *busybox, struct sc_error *err)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sc_error_set(err, errno, "open '%s'", root);
	for (size_t i = 0; i < SC_ELEMENTSOF(layout_dirs); i++)
		if (mkdirat(rootfd, layout_dirs[i].path, 0755) < 0 ||
		    fchmodat(rootfd, layout_dirs[i].path, layout_dirs[i].mode, 0) < 0)
			return sc_error_set(err, errno, "create '%s/%s'", root, layout_dirs[i].path);
	for (size_t i = 0; i < SC_ELEMENTSOF(layout_files); i++) {
		_cleanup_close_ int fd = openat(rootfd, layout_files[i].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || sc_write_all(fd, layout_files[i].text, strlen(layout_files[i].text)) < 0)
			return sc_error_set(err, errno, "write '%s/%s'", root, layout_files[i].path);
	}
	int r = copy_file(busybox, rootfd, "bin/busybox", 0755);
	if (r < 0)
		return sc_error_set(err, -r, "copy '%s' to '%s/bin/busybox'", busybox, root);
	if ((r = make_links(rootfd, busybox)) < 0)
		return sc_error_set(err, -r, "make the applet links of '%s' (is it a busybox binary?)", busybox);
	if (fchmodat(rootfd, "tmp", 01777, 0) < 0 || fchmodat(rootfd, "var/tmp", 01777, 0) < 0)
		return sc_error_set(err, errno, "chmod '%s/tmp'", root);
	return 0;
}

/* The binary in the fixture is the source's size: one stat catches it deleted or truncated. */
static bool busybox_valid(const char *root, const struct stat *source)
{
	char path[PATH_MAX + 16];
	struct stat st;
	snprintf(path, sizeof(path), "%s/bin/busybox", root);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == source->st_size;
}

static int busybox_builder(const char *root, const struct sc_cache_source *source, struct sc_error *err)
{
	return build_busybox(root, source->path, err);
}

/* What the archive builder runs: the helper, and the limits it unpacks within. */
struct archive_job {
	const char *helper;
	char limit[24], entries[24], ratio[24];
};

static void archive_job_init(struct archive_job *job, const struct sc_fixture_config *c, const char *helper)
{
	job->helper = helper;
	snprintf(job->limit, sizeof(job->limit), "%ju",
		 (uintmax_t)(c->archive_limit ? c->archive_limit : SC_UNPACK_MAX_BYTES_DEFAULT));
	snprintf(job->entries, sizeof(job->entries), "%ju",
		 (uintmax_t)(c->archive_entries ? c->archive_entries : SC_UNPACK_MAX_ENTRIES_DEFAULT));
	uint64_t ratio = c->archive_ratio == SC_ARCHIVE_RATIO_NONE ? 0
			 : c->archive_ratio                          ? c->archive_ratio
								     : SC_UNPACK_MAX_RATIO_DEFAULT;
	snprintf(job->ratio, sizeof(job->ratio), "%ju", (uintmax_t)ratio);
}

/* Root file system archives are unpacked by a helper program: libarchive stays out of this
 * process, whose every start would pay for loading it. */
static int archive_builder(const char *root, const struct sc_cache_source *source, struct sc_error *err)
{
	const struct archive_job *job = source->data;
	const char *helper = job->helper;
	char *const argv[] = {
		(char *)helper,
		"--archive-limit", (char *)job->limit,
		"--archive-entries", (char *)job->entries,
		"--archive-ratio", (char *)job->ratio,
		"--", (char *)source->path, (char *)root,
		NULL,
	};
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return sc_error_set(err, errno, "create a pipe");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int r = posix_spawn(&pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return sc_error_set(err, r, "run the unpack helper '%s' (set SIMPCON_UNPACK, or reinstall)", helper);
	}
	char why[512];
	size_t got = 0;
	for (ssize_t n; got < sizeof(why) - 1 && (n = read(p[0], why + got, sizeof(why) - 1 - got)) != 0;)
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			break;
	close(p[0]);
	why[got] = '\0';
	why[strcspn(why, "\n")] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sc_error_setf(err, EINVAL, "%s", why[0] ? why : "unpacking the archive failed");
	return 0;
}

/* The helper: asked for, else $SIMPCON_UNPACK, else the installed one, else the one beside
 * the running program (an uninstalled build tree). */
static const char *unpack_helper(const struct sc_fixture_config *c, char *buf, size_t size)
{
	return sc_helper_path(c->unpack_helper, "SIMPCON_UNPACK", SC_UNPACK_HELPER, "simpcon-unpack", buf, size);
}

int sc_fixture_new(const struct sc_fixture_config *c, struct sc_fixture **ret_fixture, struct sc_error *err)
{
	char source[PATH_MAX], cache[PATH_MAX], helper[PATH_MAX];
	struct archive_job job;
	int r;
	if (c->archive) {
		if (!is_file(c->archive))
			return sc_error_setf(err, ENOENT, "archive '%s' is not a file: check --archive", c->archive);
		if (snprintf(source, sizeof(source), "%s", c->archive) >= (int)sizeof(source))
			return sc_error_setf(err, ENAMETOOLONG, "archive path '%s' is too long", c->archive);
		archive_job_init(&job, c, unpack_helper(c, helper, sizeof(helper)));
	} else if ((r = sc_fixture_find_busybox(c->busybox, source, sizeof(source), err)) < 0) {
		return r;
	}
	struct sc_cache_source src = {
		.kind = c->archive ? "archive" : "busybox",
		.path = source,
		.layout = SC_FIXTURE_LAYOUT,
		.build = c->archive ? archive_builder : busybox_builder,
		.data = c->archive ? &job : NULL,
		.valid = c->archive ? NULL : busybox_valid,
		.lock_wait_ms = c->lock_wait_ms,
	};
	struct sc_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return sc_error_set(err, ENOMEM, "allocate the fixture");
	f->tmp_lock = -1;
	if (c->no_cache) {
		const char *tmp = c->tmpdir && *c->tmpdir ? c->tmpdir : sc_tmpdir_default();
		r = sc_cache_build_temporary(tmp, &src, &f->tmp_dir, &f->root, &f->tmp_lock, err);
		f->built = true;
	} else {
		r = sc_fixture_cache_dir(c->cache_dir, cache, sizeof(cache), err);
		if (r == 0)
			r = sc_cache_get(cache, &src, &f->root, err);
		f->built = r == 1;
	}
	if (r < 0) {
		sc_fixture_free(f);
		return r;
	}
	*ret_fixture = f;
	return 0;
}

int sc_fixture_busybox(const char *path, const char *cache_dir, struct sc_fixture **ret_fixture, struct sc_error *err)
{
	struct sc_fixture_config c = { .busybox = path, .cache_dir = cache_dir };
	return sc_fixture_new(&c, ret_fixture, err);
}

const char *sc_fixture_root(const struct sc_fixture *fixture)
{
	return fixture->root;
}

bool sc_fixture_was_built(const struct sc_fixture *fixture)
{
	return fixture->built;
}

struct sc_fixture *sc_fixture_free(struct sc_fixture *fixture)
{
	if (fixture) {
		if (fixture->tmp_dir)
			(void)sc_rm_rf(fixture->tmp_dir);
		sc_closep(&fixture->tmp_lock);
		free(fixture->tmp_dir);
		free(fixture->root);
		free(fixture);
	}
	return NULL;
}
