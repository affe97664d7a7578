/* fixture.h - internal parts of the fixture builder, exposed for the CLI and tests. */
#pragma once

#include <stddef.h>

#include "simpcon.h"

/* Resolves the busybox binary: path, else $SIMPCON_BUSYBOX, else configure's default, else
 * PATH. Errors say how to get one. */
int sc_fixture_find_busybox(const char *path, char *buf, size_t size, struct sc_error *err);
/* Resolves and creates the cache directory (see sc_fixture_busybox). */
int sc_fixture_cache_dir(const char *cache_dir, char *buf, size_t size, struct sc_error *err);
