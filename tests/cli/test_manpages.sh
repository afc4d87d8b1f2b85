#!/bin/sh
# The configuration man pages must match the schemas in the code, and every
# egate subcommand must have --help and a man page.
set -u
egate=$1
src=$2
fail=0
for kind in kiosk host; do
	if ! "$src/scripts/gen-conf-man" "$egate" "$kind" | diff -u "$src/docs/man/egate-$kind.conf.5" - ; then
		echo "FAIL: docs/man/egate-$kind.conf.5 is out of date: run scripts/gen-conf-man $egate $kind > docs/man/egate-$kind.conf.5"
		fail=1
	fi
done
for cmd in $("$egate" help | awk '/^  [a-z]/{print $1}'); do
	if ! "$egate" "$cmd" --help >/dev/null 2>&1; then
		echo "FAIL: egate $cmd --help does not exit 0"; fail=1
	fi
	case $cmd in
	config|version) page="$src/docs/man/egate.1" ;;
	*) page="$src/docs/man/egate-$cmd.1" ;;
	esac
	[ -f "$page" ] || { echo "FAIL: no man page for egate $cmd ($page)"; fail=1; }
done
[ $fail = 0 ] && echo "man pages: all current"
exit $fail
