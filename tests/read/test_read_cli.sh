#!/bin/sh
# egate read end to end: every simulated traveller through the simulated CCID
# reader, the exit code and the named failing check in --json, --out, usage
# errors and --list-readers on a machine without a USB reader.
#   test_read_cli.sh EGATE
set -u
egate=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mrz='P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10'

# read PROFILE WANT_RC PATTERN... — each pattern must occur in the JSON
read_one() {
	profile=$1; want=$2; shift 2
	out=$("$egate" read --reader "sim:$profile" --sim-pki "$tmp/pki" --mrz "$mrz" --json 2>"$tmp/err")
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: sim:$profile exit $rc, want $want"; cat "$tmp/err"; echo "$out"; fail=1; return
	fi
	if ! printf '%s' "$out" | python3 -m json.tool >/dev/null 2>&1; then
		echo "FAIL: sim:$profile: output is not JSON: $out"; fail=1; return
	fi
	for p in "$@"; do
		if ! printf '%s' "$out" | grep -q -- "$p"; then
			echo "FAIL: sim:$profile: no '$p' in $out"; fail=1
		fi
	done
	echo "ok: sim:$profile exit $rc"
}

read_one genuine-td3 0 '"outcome":"pass"' '"surname":"ERIKSSON"' \
	'"name":"sod_signature","status":"pass"' '"name":"ds_revocation","status":"pass"' \
	'"file":"DG2","status":"read"' '"step":"read_DG2","ms":' \
	'"name":"files_read","status":"pass"'
out=$("$egate" read --reader sim:genuine-td1 --sim-pki "$tmp/pki" --json \
	--mrz 'I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<'); rc=$?
if [ $rc != 0 ] || ! echo "$out" | grep -q '"format":"TD1"' ||
	! echo "$out" | grep -q '"name":"dg1_mrz_match","status":"pass"'; then
	echo "FAIL: sim:genuine-td1 exit $rc: $out"; fail=1
else
	echo "ok: sim:genuine-td1 exit 0"
fi
read_one expired 1 '"outcome":"fail"' '"name":"ds_validity","status":"fail"'
read_one altered-dg1 1 '"outcome":"fail"' '"name":"dg_hashes","status":"fail"'
read_one revoked-ds 1 '"outcome":"fail"' '"name":"ds_revocation","status":"fail"'
read_one bad-sod-signature 1 '"outcome":"fail"' '"name":"sod_signature","status":"fail"'
read_one unreadable 3 '"outcome":"unreadable"'
read_one no-emrtd-app 3 '"outcome":"unreadable"' '"sw":"6A82"'
read_one big-reads-6282 0 '"outcome":"pass"'
read_one wrong-mac 1 '"outcome":"fail"' '"error":"EG_ERR_MAC"' \
	'"name":"secure_messaging","status":"fail"'
read_one truncated 1 '"outcome":"fail"' '"name":"secure_messaging","status":"fail"'
read_one no-bac 0 '"outcome":"pass"' '"access":"none"'
read_one aa-offered 1 '"outcome":"fail"' '"file":"DG15","status":"read"' \
	'"name":"active_authentication","status":"fail"'
read_one no-sfi 0 '"outcome":"pass"' '"sfi":false' '"sfi_refused_sw":"6A82"' \
	'"file":"DG2","status":"read"' '"selected_by_fid":true'
read_one no-do99 0 '"outcome":"pass"' "without DO'99'"
read_one drop-sm 1 '"outcome":"fail"' '"access_reestablished":2' \
	'"sm_dropped_at":"read_DG11"' '"file":"DG11","status":"error","bytes":0,"reason":"not_found"' \
	'"file":"DG12","status":"read"' '"name":"files_read","status":"fail"'
read_one no-sfi-drop-sm 0 '"outcome":"pass"' '"access_reestablished":1' '"retried":true'
read_one missing-sod 1 '"outcome":"fail"' \
	'"name":"sod_parse","status":"fail","reason":"EF.SOD missing: the chip has no such file (SW 6A82)"' \
	'"file":"EF.SOD","status":"error","bytes":0,"reason":"not_found"'
read_one empty-sod 1 '"outcome":"fail"' \
	'"name":"sod_parse","status":"fail","reason":"EF.SOD empty: the file has no content"' \
	'"reason":"empty"'
read_one genuine-pace-cam 0 '"outcome":"pass"' '"access":"PACE"' \
	'"name":"access_control","status":"pass","reason":"PACE-CAM (AES-128, brainpoolP256r1)"' \
	'"name":"pace_cam","status":"pass"' '"file":"EF.CardSecurity","status":"read"'
read_one cloned-pace-cam 1 '"outcome":"fail"' \
	'"name":"pace_cam","status":"fail","reason":"cloned chip'
read_one pace-im 0 '"outcome":"pass"' '"reason":"PACE-IM (AES-256, NIST P-256)"'
read_one pace-offered 0 '"outcome":"pass"' '"access":"BAC"' '"file":"EF.CardAccess","status":"read"'
read_one genuine-pace 0 '"outcome":"pass"' '"access":"PACE"' \
	'"name":"access_control","status":"pass","reason":"PACE-GM (AES-128, brainpoolP256r1)"' \
	'"name":"secure_messaging","status":"pass","reason":"every protected response verified (AES-128)"' \
	'"name":"sod_signature","status":"pass"' '"name":"dg_hashes","status":"pass"' \
	'"step":"access_control_pace"'
read_one pace-only 0 '"outcome":"pass"' '"access":"PACE"'
read_one genuine-ca-aa 0 '"outcome":"pass"' '"name":"chip_authentication","status":"pass"' \
	'"name":"active_authentication","status":"pass"' '"step":"chip_auth"' '"step":"active_auth"'
read_one cloned-aa 1 '"outcome":"fail"' '"name":"active_authentication","status":"fail","reason":"cloned chip'
read_one cloned-ca 1 '"outcome":"fail"' '"name":"chip_authentication","status":"fail","reason":"cloned chip'
read_one cloned-ca-lax 1 '"outcome":"fail"' '"name":"chip_authentication","status":"fail","reason":"cloned chip' \
	'EG_ERR_MAC'
if ! "$egate" read --reader sim:cloned-ca --sim-pki "$tmp/pki" --mrz "$mrz" --json 2>/dev/null |
	python3 -c 'import json,sys; sys.exit("error" in json.load(sys.stdin))'; then
	echo "FAIL: sim:cloned-ca reported as an error, not as the clone"; fail=1
fi

# PACE with a CAN: the right one reads, a wrong one fails access control
out=$("$egate" read --reader sim:genuine-pace --sim-pki "$tmp/pki" --can 123456 --json 2>"$tmp/err"); rc=$?
if [ $rc != 0 ] || ! echo "$out" | grep -q '"access":"PACE"' ||
	! echo "$out" | grep -q '"surname":"ERIKSSON"'; then
	echo "FAIL: sim:genuine-pace --can exit $rc: $out"; cat "$tmp/err"; fail=1
else
	echo "ok: sim:genuine-pace --can exit 0"
fi
out=$("$egate" read --reader sim:genuine-pace --sim-pki "$tmp/pki" --can 654321 --json 2>"$tmp/err"); rc=$?
if [ $rc != 1 ] || ! echo "$out" | grep -q '"name":"access_control","status":"fail","reason":"PACE refused: wrong CAN'; then
	echo "FAIL: sim:genuine-pace wrong --can exit $rc: $out"; cat "$tmp/err"; fail=1
else
	echo "ok: sim:genuine-pace wrong --can exit 1"
fi
# a wrong MRZ under PACE: fails cleanly (PACE, then BAC, both refused)
expect_rc_early() {
	"$egate" read --reader sim:genuine-pace --sim-pki "$tmp/pki" --json \
		--mrz 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C<3UTO7408122F1204159ZE184226B<<<<<16' >"$tmp/out.json" 2>"$tmp/err"
}
expect_rc_early; rc=$?
if [ $rc != 1 ] || ! grep -q '"name":"access_control","status":"fail"' "$tmp/out.json"; then
	echo "FAIL: sim:genuine-pace wrong MRZ exit $rc"; cat "$tmp/out.json" "$tmp/err"; fail=1
else
	echo "ok: sim:genuine-pace wrong MRZ exit 1"
fi
rm -f "$tmp/out.json"

# the text output, and --out saves the files and the face image
if ! "$egate" read --reader sim:genuine-td3 --csca "$tmp/pki" --crl "$tmp/pki/crl" \
	--mrz "$mrz" --out "$tmp/out" >"$tmp/text" 2>&1; then
	echo "FAIL: text read"; cat "$tmp/text"; fail=1
fi
grep -q '^result     pass' "$tmp/text" || { echo "FAIL: text result"; cat "$tmp/text"; fail=1; }
grep -q 'read_DG2' "$tmp/text" || { echo "FAIL: no DG2 timing"; fail=1; }
[ -f "$tmp/out/DG1.bin" ] && [ -f "$tmp/out/EF.SOD.bin" ] || { echo "FAIL: --out files"; fail=1; }
# face.jpg is the portrait DG2 carries (hw/sim/sim_portrait.h): a JPEG
# within the default 20 KiB budget, byte for byte the end of DG2.bin
fsize=$(stat -c %s "$tmp/out/face.jpg" 2>/dev/null || echo 0)
[ "$fsize" -ge 4096 ] && [ "$fsize" -le 20480 ] || { echo "FAIL: face.jpg size $fsize"; fail=1; }
[ "$(head -c 2 "$tmp/out/face.jpg" | od -An -tx1 | tr -d ' ')" = ffd8 ] || { echo "FAIL: face.jpg not JPEG"; fail=1; }
tail -c "$fsize" "$tmp/out/DG2.bin" | cmp -s - "$tmp/out/face.jpg" || { echo "FAIL: face.jpg is not DG2's image"; fail=1; }
cmp -s "$tmp/out/face.jpg" "$EGATE_TESTDATA/sample1.jpg" && { echo "FAIL: face.jpg is the whole test photo"; fail=1; }
[ "$(stat -c %a "$tmp/out/DG2.bin")" = 600 ] || { echo "FAIL: DG2.bin not 0600"; fail=1; }
# without --out nothing personal is written
ls "$tmp" | grep -qv -e '^pki$' -e '^out$' -e '^err$' -e '^text$' && { echo "FAIL: stray files"; ls "$tmp"; fail=1; }

# --trace: commands, statuses and notes; no DG1 text, no DG1 bytes, no
# key agreement data, mode 0600; --trace-data adds the files' contents
"$egate" read --reader sim:genuine-pace --sim-pki "$tmp/pki" --mrz "$mrz" \
	--trace "$tmp/trace" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc != 0 ] || ! grep -q '> 00 A4 04 0C Lc=7 data=A0000002471001 SM' "$tmp/trace" ||
	! grep -q '# access_control_pace' "$tmp/trace" ||
	! grep -q 'file contents omitted' "$tmp/trace" ||
	grep -q -e 'ERIKSSON' -e '4552494B53534F4E' -e 'L898902C3' "$tmp/trace" ||
	grep '> 10 86' "$tmp/trace" | grep -q 'data=' ||
	[ "$(stat -c %a "$tmp/trace")" != 600 ]; then
	echo "FAIL: --trace (exit $rc)"; cat "$tmp/err"; head -40 "$tmp/trace"; fail=1
else
	echo "ok: --trace"
fi
"$egate" read --reader sim:genuine-pace --sim-pki "$tmp/pki" --mrz "$mrz" \
	--trace "$tmp/trace2" --trace-data >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc != 0 ] || ! grep -q '4552494B53534F4E' "$tmp/trace2" ||
	! grep -q 'file contents: INCLUDED' "$tmp/trace2" ||
	grep '> 10 86' "$tmp/trace2" | grep -q 'data='; then
	echo "FAIL: --trace --trace-data (exit $rc)"; cat "$tmp/err"; fail=1
else
	echo "ok: --trace --trace-data"
fi
# usage errors: 2
expect_rc() {
	want=$1; shift
	"$@" >/dev/null 2>"$tmp/err"; rc=$?
	if [ "$rc" != "$want" ]; then echo "FAIL: '$*' exit $rc, want $want"; cat "$tmp/err"; fail=1
	else echo "ok: exit $rc: $*"; fi
}
expect_rc 2 "$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki"
expect_rc 2 "$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki" --mrz 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C46UTO7408122F1204159ZE184226B<<<<<10'
expect_rc 2 "$egate" read --reader sim:no-such-traveller --sim-pki "$tmp/pki" --mrz "$mrz"
expect_rc 2 "$egate" read --reader floppy --csca "$tmp/pki" --mrz "$mrz"
expect_rc 2 "$egate" read --reader usb --sim-pki "$tmp/pki" --mrz "$mrz"
expect_rc 2 "$egate" read --reader sim:genuine-td3 --mrz "$mrz"
expect_rc 2 "$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki" --mrz "$mrz" --trace-data
expect_rc 3 "$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki" --mrz "$mrz" \
	--trace "$tmp/no/such/dir/trace"
# a wrong MRZ (valid check digits, other number): access control fails
expect_rc 1 "$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki" --mrz 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C<3UTO7408122F1204159ZE184226B<<<<<16'
# CAN without PACE: cannot be read
expect_rc 3 "$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki" --can 123456
# an untrusted CSCA folder: could not run
mkdir -p "$tmp/empty"
expect_rc 3 "$egate" read --reader sim:genuine-td3 --csca "$tmp/empty" --mrz "$mrz"
# no USB reader on this machine: says so, exit 3
"$egate" read --reader usb --csca "$tmp/pki" --mrz "$mrz" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc != 3 ] || ! grep -q -e 'no CCID reader found' -e 'libusb unavailable' "$tmp/err"; then
	echo "FAIL: usb without a reader: exit $rc"; cat "$tmp/err"; fail=1
fi
# --list-readers: the USB line and the simulated travellers
out=$("$egate" read --list-readers); rc=$?
if [ $rc != 0 ] || ! echo "$out" | grep -q -e 'USB CCID readers: none found' -e 'libusb unavailable' -e '  usb:' ||
	! echo "$out" | grep -q 'sim:genuine-td3'; then
	echo "FAIL: --list-readers (exit $rc): $out"; fail=1
fi
"$egate" read --list-readers --json | python3 -m json.tool >/dev/null || { echo "FAIL: --list-readers --json"; fail=1; }
[ $fail = 0 ] && echo "egate read: all ok"
exit $fail
