/* lockfile.h - flock'd lock files that no other user can hold.
 *
 * flock works on a read-only open: a lock file another user can open is a lock that user can
 * hold forever, hanging every build and prune that waits for it. A lock file is therefore the
 * caller's own, mode 0600, opened with O_NOFOLLOW; one found otherwise (an older version made
 * them 0644, or another user planted it) is unlinked and made anew, which leaves whoever held
 * it holding nothing. A lock counts only on the file that still bears the name once flock
 * returns: one removed or replaced while this process waited is given up and the new one taken. */
#pragma once

#include <stdint.h>

/* Takes an exclusive lock on name in the directory open as dirfd, creating the file when
 * needed. deadline_us: the sc_now_us() time to give up at; 0 tries once. Returns the locked fd
 * (O_CLOEXEC; closing it releases the lock), -EWOULDBLOCK when another holder kept it past the
 * deadline (or on the one try), -EPERM when a foreign lock file cannot be replaced, another
 * -errno on failure. */
int sc_lockfile_take(int dirfd, const char *name, uint64_t deadline_us);
