#!/bin/sh
# Isolation seen from inside with the container's own tools, independent of the harness's probes.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 10

host_name=$(hostname)
core_before=$(cat /proc/sys/kernel/core_pattern)
sc run --hostname iso-box -- sh -c '
	echo "procs" /proc/[0-9]*
	echo "host $(hostname)"
	echo "ifaces $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " ")"
	echo "mounts $(cut -d" " -f5 /proc/self/mountinfo | tr "\n" " ")"
	echo "uidmap" $(cat /proc/self/uid_map)
	echo "cgroup $(grep -vc ":/$" /proc/self/cgroup)"
	echo "shm $(wc -l </proc/sysvipc/shm)"
	echo "|/bin/simpcon-owned" >/proc/sys/kernel/core_pattern 2>/dev/null && echo "CORE_PATTERN_WRITTEN"
	ls /sys | head -1
	true'
[ "$T_RC" = 0 ]; ok $? "the probe script ran and every point passed"
has_line "$T_OUT" '    procs /proc/1'; ok $? "pid: only the container's own process in /proc"
has_line "$T_OUT" '    host iso-box' && [ "$(hostname)" = "$host_name" ]; ok $? "uts: hostname set inside, host's unchanged"
has_line "$T_OUT" '    ifaces lo '; ok $? "net: only lo"
# /proc masks depend on the kernel's /proc entries; the rest is fixed.
m=$(printf '%s\n' "$T_OUT" | sed -n 's/^    mounts //p' | tr ' ' '\n' | grep -v '^/proc/' | tr '\n' ' ')
[ "$(echo $m)" = "/ /proc /dev /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/pts /dev/shm" ]
ok $? "mount: exactly the container's mounts, no old root"
if [ "$(id -u)" = 0 ]; then
	has "$T_OUT" '    uidmap 0 [1-9][0-9]* [0-9]*$'; ok $? "user: container root is not host root"
else
	has_line "$T_OUT" "    uidmap 0 $(id -u) 1"; ok $? "user: container root is the invoking user"
fi
has_line "$T_OUT" '    cgroup 0'; ok $? "cgroup: every hierarchy at the namespace root"
has_line "$T_OUT" '    shm 1'; ok $? "ipc: no System V segment visible"
! has "$T_OUT" CORE_PATTERN_WRITTEN && [ "$(cat /proc/sys/kernel/core_pattern)" = "$core_before" ]
ok $? "container root cannot write the host's /proc/sys/kernel/core_pattern"

# A System V segment made on the host is invisible inside.
if command -v python3 >/dev/null 2>&1; then
	key_out=$(python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
shmid = libc.shmget(0, 4096, 0o1600)  # IPC_PRIVATE, IPC_CREAT|0600
print(shmid)' 2>/dev/null)
	sc run -- sh -c 'wc -l </proc/sysvipc/shm'
	[ -n "$key_out" ] && [ "$key_out" -ge 0 ] 2>/dev/null && has_line "$T_OUT" '    1'
	ok $? "ipc: a segment made on the host is not listed inside"
	[ -n "$key_out" ] && [ "$key_out" -ge 0 ] 2>/dev/null && python3 -c '
import ctypes; ctypes.CDLL(None).shmctl('"$key_out"', 0, None)' 2>/dev/null
else
	skip "ipc: a segment made on the host is not listed inside" "python3 not installed"
fi
