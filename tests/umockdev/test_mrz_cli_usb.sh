#!/bin/sh
# egate mrz --device through the REAL libusb path: egate-usb-emu puts an MRZ
# reader behind a umockdev testbed — the CDC-ACM one (acm:1209:0001) or the
# keyboard-wedge one that types the MRZ as a HID boot keyboard
# (hid:1209:0005) — and its control FIFO makes the reader deliver the
# traveller's MRZ, or a line that is no MRZ, while `egate mrz` waits. The
# integrator's bring-up check (docs/integrator-guide.md) on both readers:
# exit 0 and the fields; exit 3 and a clear message otherwise.
#   test_mrz_cli_usb.sh EMU EGATE PROFILES
set -u
emu=$1; egate=$2; profiles=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

case "${LD_PRELOAD:-}" in
*libumockdev-preload*) ;;
*) echo "FAIL: LD_PRELOAD does not name libumockdev-preload.so (install umockdev; run through meson test)"; exit 1;;
esac
# only the emulator and what it runs get the preload (as test_read_usb.sh)
preload=$LD_PRELOAD
unset LD_PRELOAD

# run WANT_RC NAME KIND CTL-LINE SPEC — egate mrz --device SPEC under the
# emulator with an MRZ reader of KIND; CTL-LINE goes to its FIFO (the write
# waits until the emulator opens it; the reader keeps what it is given until
# egate reads it)
run() {
	want=$1; name=$2; kind=$3; line=$4; spec=$5
	rm -f "$tmp/ctl"
	mkfifo "$tmp/ctl"
	printf '%s\n' "$line" > "$tmp/ctl" &
	writer=$!
	LD_PRELOAD=$preload "$emu" --profiles "$profiles" --pki "$tmp/pki" --no-card \
		--mrz-reader="$kind" --ctl "$tmp/ctl" -- "$egate" mrz --device "$spec" --wait 20 \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	kill "$writer" 2>/dev/null	# still blocked: the emulator never opened the FIFO
	wait "$writer" 2>/dev/null
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

run 0 "acm reader" acm mrz acm:1209:0001 && has "valid" "egate-usb-emu: ctl: mrz"
run 0 "hid reader" hid mrz hid:1209:0005 && has "valid" "egate-usb-emu: ctl: mrz"
run 0 "hid reader, the first boot keyboard" hid mrz hid && has "valid"
grep -q "valid *yes\|valid yes" "$tmp/out" || { echo "FAIL: not valid:"; cat "$tmp/out"; fail=1; }
run 3 "hid reader, a line with a space" hid mrz-garbage hid:1209:0005 &&
	has "hid:1209:0005: lines that are no MRZ"
run 3 "hid reader absent" acm mrz hid:1209:0005 &&
	has "no usable HID keyboard MRZ reader 1209:0005"
exit $fail
