/* mountinfo.h - parsing /proc/PID/mountinfo (see proc(5)). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct sc_mount_entry {
	int id, parent_id;
	char *root;        /* root of the mount within its filesystem, unescaped */
	char *mount_point; /* unescaped */
	char *fstype;
	char *source;
	bool shared;       /* optional field "shared:N": propagation reaches other mounts */
	bool slave;        /* optional field "master:N" */
};

struct sc_mount_table {
	struct sc_mount_entry *entries;
	size_t count;
};

/* Parses mountinfo text. Returns 0, -EINVAL for a malformed line, or -ENOMEM. */
int sc_mountinfo_parse(const char *text, struct sc_mount_table *ret_table);
void sc_mount_table_release(struct sc_mount_table *table);
/* Undoes the kernel's octal escapes (\040 for space, \011, \012, \134) in place. */
void sc_mountinfo_unescape(char *s);
