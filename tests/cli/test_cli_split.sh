#!/bin/sh
# The CLI split (issue 15): `egate` links neither OpenCV nor libusb nor libuvc
# (the auditor's and officer's package must not pull them); face, camera, read
# and `mrz --device` run the helper egate-tools found next to egate (the build
# tree) or in the installed libexec folder, and without it they say which
# package to install and exit 3.
#   test_cli_split.sh EGATE EGATE-TOOLS READELF
set -eu
egate=$1 tools=$2 readelf=$3
command -v "$readelf" >/dev/null 2>&1 || { echo "readelf not found: install binutils"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. what egate and egate-tools link
"$readelf" -d "$egate" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' > "$tmp/egate.needed"
[ -s "$tmp/egate.needed" ] || fail "no NEEDED entries in $egate: wrong file?"
if grep -E 'opencv|libusb|libuvc|libstdc\+\+' "$tmp/egate.needed"; then
	fail "egate links the libraries above"
fi
"$readelf" -d "$tools" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' > "$tmp/tools.needed"
for lib in libopencv_dnn libusb-1.0 libuvc; do	# the control: the check sees them
	grep -q "^$lib" "$tmp/tools.needed" || fail "egate-tools does not link $lib: the check looks at the wrong thing"
done

# 2. with the helper beside it, egate runs the tool commands
for c in read face camera; do
	"$egate" "$c" --help > "$tmp/out" 2>&1 || fail "egate $c --help: exit $?"
	grep -q "usage: egate $c" "$tmp/out" || fail "egate $c --help: $(head -n1 "$tmp/out")"
done
"$egate" mrz --help | grep -q -- '--device SPEC' || fail "egate mrz --help has no --device"
# mrz --device reaches the helper: a reader that is not there is egate-tools' answer
set +e
"$egate" mrz --device acm:0000:0000 --wait 0 > "$tmp/out" 2>&1
rc=$?
set -e
[ $rc -eq 3 ] || fail "egate mrz --device (no reader): exit $rc, want 3"
grep -q 'MRZ reader' "$tmp/out" || fail "egate mrz --device: $(cat "$tmp/out")"

# 3. egate alone (no egate-tools beside it, none installed in this prefix's libexec)
cp "$egate" "$tmp/egate"
for c in "read --help" "face verify a b" "camera list" "mrz --device acm"; do
	set +e
	# shellcheck disable=SC2086
	"$tmp/egate" $c > "$tmp/out" 2>&1
	rc=$?
	set -e
	[ $rc -eq 3 ] || fail "lone egate $c: exit $rc, want 3"
	grep -q "egate ${c%% *}: this command is in the egate-tools package" "$tmp/out" ||
		fail "lone egate $c: $(cat "$tmp/out")"
done
# and what needs no helper still works
"$tmp/egate" mrz 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' \
	'L898902C36UTO7408122F1204159ZE184226B<<<<<10' > /dev/null ||
	fail "lone egate mrz LINE...: exit $?"
"$tmp/egate" version | grep -q '^egate ' || fail "lone egate version"
echo "ok: egate links $(wc -l < "$tmp/egate.needed") libraries, none of OpenCV, libusb, libuvc; the tool commands run egate-tools, and say so without it"
