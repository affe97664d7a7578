/* host-libs.h - --host-libs: the host's system directories in the container, as mount steps. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* What the overlays of the host's commands over the fixture's are made of, opened before
 * anything covers it. */
struct sc_host_layers {
	int fixture; /* the fixture itself: their bottom layer (never the root, an overlay already) */
	int keep;    /* a directory holding a copy of the fixture's sh link: their top; -1: none */
};
#define SC_HOST_LAYERS_INIT { .fixture = -1, .keep = -1 }

/* Most mount points, and bytes of text for them, sc_host_libs_expected adds. */
#define SC_HOST_LIBS_MAX_POINTS 14
#define SC_HOST_LIBS_MAX_TEXT PATH_MAX

/* Opens the fixture (fixture beneath dirfd: "." or the attached idmapped mount's name) and,
 * unless host_sh, makes "keep" in the layers directory with a copy of the fixture's /bin/sh
 * link (busybox's: -> /bin/busybox); a fixture whose sh is a file keeps no sh over the host's.
 * Returns 0 or a negative errno with err filled. */
int sc_host_layers_open(int dirfd, const char *fixture, int layers, bool host_sh, struct sc_host_layers *ret,
			struct sc_error *err);

/* Closes what sc_host_layers_open opened; safe on SC_HOST_LAYERS_INIT. */
void sc_host_layers_release(struct sc_host_layers *l);

/* Adds the mount points sc_host_libs_mount will make for the fixture at rootfs to points at
 * *k (room for SC_HOST_LIBS_MAX_POINTS), a path not of static storage copied to store (room
 * for SC_HOST_LIBS_MAX_TEXT); returns where store's free space now starts. */
char *sc_host_libs_expected(const char *rootfs, bool host_sh, const char **points, size_t *k, char *store);

/* The host's directories, command overlays and /etc entries in the root at rootfd (not yet
 * pivoted into). Returns 0 or a negative errno with err filled. */
int sc_host_libs_mount(int rootfd, const struct sc_host_layers *layers, struct sc_error *err);
