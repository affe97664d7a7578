/* transcript-files.c - a suite's files, directories expanded (see transcript-files.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "transcript-files.h"
#include "util.h"

/* Deeper than this is a loop of bind mounts or a mistake, not a test suite. */
#define SC_TRANSCRIPT_DIR_DEPTH 64

struct found {
	char ***list, ***owned;
	size_t *n, *n_owned;
};

static int push(char ***array, size_t *n, char *s)
{
	char **more = realloc(*array, (*n + 2) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	*array = more;
	more[(*n)++] = s;
	more[*n] = NULL;
	return 0;
}

/* byte order, as cram's sorted() of byte strings */
static int byte_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_transcript(const char *name)
{
	size_t len = strlen(name);
	return len > 2 && !strcmp(name + len - 2, ".t");
}

static char *entry_path(const char *dir, const char *name)
{
	char *path = NULL;
	return asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name) < 0 ? NULL : path;
}

static int walk(const char *dir, unsigned depth, struct found *f, struct sc_error *err)
{
	if (depth > SC_TRANSCRIPT_DIR_DEPTH)
		return sc_error_setf(err, ELOOP, "'%s': more than %d directories deep", dir, SC_TRANSCRIPT_DIR_DEPTH);
	struct dirent **names = NULL;
	int count = scandir(dir, &names, NULL, byte_order);
	if (count < 0)
		return sc_error_set(err, errno, "read the directory '%s'", dir);
	bool *subdir = calloc((size_t)count + 1, sizeof(*subdir));
	int r = subdir ? 0 : sc_error_set(err, ENOMEM, "list '%s'", dir);
	/* the files here first, each looked at once, then the directories below (os.walk's
	 * top-down order) */
	for (int i = 0; i < count && r == 0; i++) {
		const char *name = names[i]->d_name;
		struct stat st;
		if (name[0] == '.')
			continue;
		char *path = entry_path(dir, name);
		if (!path)
			r = sc_error_set(err, ENOMEM, "list '%s'", dir);
		else if (lstat(path, &st) < 0)
			r = sc_error_set(err, errno, "'%s'", path);
		else if (S_ISDIR(st.st_mode))
			subdir[i] = true;
		else if (is_transcript(name) && push(f->owned, f->n_owned, path) < 0)
			r = sc_error_set(err, ENOMEM, "list '%s'", dir);
		else if (is_transcript(name) && (path = NULL, push(f->list, f->n, (*f->owned)[*f->n_owned - 1])) < 0)
			r = sc_error_set(err, ENOMEM, "list '%s'", dir); /* the path is owned already */
		free(path);
	}
	for (int i = 0; i < count && r == 0; i++) {
		if (!subdir[i])
			continue;
		_cleanup_free_ char *path = entry_path(dir, names[i]->d_name);
		r = path ? walk(path, depth + 1, f, err) : sc_error_set(err, ENOMEM, "list '%s'", dir);
	}
	free(subdir);
	for (int i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return r;
}

int sc_transcript_files(char *const *words, size_t n_words, char ***list, size_t *n, char ***owned, size_t *n_owned,
			struct sc_error *err)
{
	struct found f = { .list = list, .owned = owned, .n = n, .n_owned = n_owned };
	for (size_t i = 0; i < n_words; i++) {
		struct stat st;
		if (stat(words[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			/* a missing file is the file's own failed point, as before */
			if (push(list, n, words[i]) < 0)
				return sc_error_set(err, ENOMEM, "list the files");
			continue;
		}
		size_t before = *n;
		int r = walk(words[i], 0, &f, err);
		if (r < 0)
			return r;
		if (*n == before)
			return sc_error_setf(err, ENOENT, "'%s': a directory without any *.t file (name the files, or another directory)",
					     words[i]);
	}
	return 0;
}
