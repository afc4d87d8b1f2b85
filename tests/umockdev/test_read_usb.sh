#!/bin/sh
# egate read --reader usb through the REAL libusb path: egate-usb-emu puts the
# simulated reader and passport behind a umockdev testbed, egate runs under
# libumockdev-preload (LD_PRELOAD from meson) and reads the chip through
# usb_libusb.c, libusb and usbdevfs ioctls. Also the enumeration, and a
# reader that dies, stalls or reports a hardware error during the read:
# each must end with a clear message and exit 3, never a crash.
#   test_read_usb.sh EMU EGATE PROFILES
set -u
emu=$1; egate=$2; profiles=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

case "${LD_PRELOAD:-}" in
*libumockdev-preload*) ;;
*) echo "FAIL: LD_PRELOAD does not name libumockdev-preload.so (install umockdev; run through meson test)"; exit 1;;
esac
# only the emulator and what it runs get the preload (with ASan's runtime
# first under -Dsanitizers): grep, cat and sh here stay as they are
preload=$LD_PRELOAD
unset LD_PRELOAD

# run WANT_RC NAME EMU_ARGS... -- EGATE_ARGS...; stdout in $tmp/out
run() {
	want=$1; name=$2; shift 2
	LD_PRELOAD=$preload "$emu" --profiles "$profiles" --pki "$tmp/pki" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $name: exit $rc, want $want"; cat "$tmp/err" "$tmp/out"; fail=1; return 1
	fi
	if grep -q "AddressSanitizer\|runtime error\|Segmentation" "$tmp/err"; then
		echo "FAIL: $name: sanitizer report"; cat "$tmp/err"; fail=1; return 1
	fi
	echo "ok: $name (exit $rc)"
}

has() {
	for p in "$@"; do
		if ! grep -q -- "$p" "$tmp/out" "$tmp/err"; then
			echo "FAIL: no '$p' in the output:"; cat "$tmp/out" "$tmp/err"; fail=1
		fi
	done
}

read_cmd='exec "$0" read --reader "$1" --mrz "$EGATE_EMU_MRZ" --csca "$2" --crl "$2/crl" --profiles "$3" --json'

# every reader profile: the passport read end to end, all checks pass
for id in 072F:223E 072F:2301 076B:5022 076B:5422 04E6:5790 0DB5:0138; do
	if run 0 "read usb:$id" --reader "$id" -- \
		sh -c "$read_cmd" "$egate" "usb:$id" "$tmp/pki" "$profiles"; then
		has '"outcome":"pass"' '"surname":"ERIKSSON"' "\"reader\":\"usb:$id" \
			'"name":"sod_signature","status":"pass"' '"file":"DG2","status":"read"'
	fi
done

# the first reader found (enumeration through libudev + sysfs)
run 0 "read usb (enumerated)" --reader 04E6:5790 -- \
	sh -c "$read_cmd" "$egate" usb "$tmp/pki" "$profiles" &&
	has '"outcome":"pass"' '"reader":"usb:04E6:5790 Identiv uTrust 3700 F'

run 0 "list readers" --reader 0DB5:0138 -- "$egate" read --list-readers \
	--profiles "$profiles" --json && has '"id":"0DB5:0138"' '"Access IS ePassport reader"'

# a traveller whose chip fails a check: the device path is not to blame
run 1 "read usb: altered DG1" --traveller altered-dg1 -- \
	sh -c "$read_cmd" "$egate" usb "$tmp/pki" "$profiles" &&
	has '"name":"dg_hashes","status":"fail"'

# misbehaving readers: a clear message, exit 3
run 3 "reader unplugged during the first command" --fault unplug -- \
	sh -c "$read_cmd" "$egate" usb:072F:223E "$tmp/pki" "$profiles"
run 3 "reader stalls" --fault stall-in -- \
	sh -c "$read_cmd" "$egate" usb:072F:223E "$tmp/pki" "$profiles"
run 3 "reader hardware error" --fault hw-error -- \
	sh -c "$read_cmd" "$egate" usb:072F:223E "$tmp/pki" "$profiles"
run 3 "no document on the reader" --no-card -- \
	sh -c "$read_cmd" "$egate" usb:072F:223E "$tmp/pki" "$profiles"
run 3 "no such reader" -- \
	sh -c "$read_cmd" "$egate" usb:1234:5678 "$tmp/pki" "$profiles" &&
	has 'no usable CCID reader 1234:5678: not found'

exit $fail
