#!/bin/sh
# The AppArmor profile make install puts in /etc/apparmor.d (where that exists): it names the
# installed simpcon-test by its path, leaves it unconfined and grants it user namespaces, which
# is all kernel.apparmor_restrict_unprivileged_userns=1 withholds. This machine has no AppArmor:
# the profile is read here, not loaded (README, "In CI").
. "$top_srcdir/t/lib.sh"
plan 3
profile="$top_builddir/src/apparmor/simpcon-test"
[ -s "$profile" ] || bail "the profile was not built at $profile"
# as make expands it (prefix, exec_prefix), without the caller's make flags (-w prints lines)
bindir=$(cd "$top_builddir" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -f Makefile -f - print-bindir <<'MK'
print-bindir: ; @echo $(bindir)
MK
)
grep -qx "profile simpcon-test $bindir/simpcon-test flags=(unconfined) {" "$profile"
ok $? "the profile names the installed program, $bindir/simpcon-test, and leaves it unconfined"
grep -qx '  userns,' "$profile"; ok $? "it grants user namespaces"
! grep -q '@[a-z]*@' "$profile"; ok $? "no placeholder is left in it"
