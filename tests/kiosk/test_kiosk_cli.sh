#!/bin/sh
# egate-kiosk as installed: only the product's backends (no simulated
# reader, camera or gate), no start without a gate backend, and — through the
# runner's daemon mode, which has a gate — no start without a trust anchor;
# each refusal a clear error with exit 2.
#   test_kiosk_cli.sh EGATE-KIOSK EGATE-KIOSK-SIM
set -u
kiosk=$1 runner=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
conf() {	# conf READER GATE CSCA
	cat <<CONF
[kiosk]
id = K-CLI
[host]
address = 127.0.0.1
ca = /dev/null
cert = /dev/null
key = /dev/null
spool = $tmp/spool.db
connect = false
[devices]
reader = $1
mrz = acm:1209:fffe
camera = uvc:1209:fffd
gate = $2
[trust]
csca = $3
CONF
}
expect() {	# expect RC PATTERN -- COMMAND...
	want=$1 pat=$2
	shift 3
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" != "$want" ] || ! printf '%s' "$out" | grep -q -- "$pat"; then
		echo "FAIL: $* -> exit $rc (want $want), output:"; echo "$out"; fail=1
	else
		echo "ok: exit $rc: $pat"
	fi
}
"$kiosk" --help > "$tmp/help" || { echo "FAIL: --help"; fail=1; }
grep -q 'gate     (none in this build' "$tmp/help" || { echo "FAIL: --help does not say there is no gate backend"; cat "$tmp/help"; fail=1; }
grep -q 'reader   usb\[:VID:PID\], vpcd\[:PORT\]$' "$tmp/help" || { echo "FAIL: --help lists other readers"; cat "$tmp/help"; fail=1; }
conf usb sim /etc/egate/csca > "$tmp/gate.conf"
expect 2 "this build has no gate backend" -- "$kiosk" --config "$tmp/gate.conf"
conf sim:genuine-td3 sim /etc/egate/csca > "$tmp/sim.conf"
expect 2 "reader: reader 'sim:genuine-td3': unknown backend (this build takes usb\[:VID:PID\], vpcd\[:PORT\])" -- "$kiosk" --config "$tmp/sim.conf"
conf usb "" /etc/egate/csca > "$tmp/nogate.conf"
expect 2 "no gate: set \[devices\] gate" -- "$kiosk" --config "$tmp/nogate.conf"
# the runner has a gate: then the trust anchor is what is missing
conf lane lane "" > "$tmp/trust.conf"
expect 2 "no trust anchor: set \[trust\] csca" -- "$runner" --config "$tmp/trust.conf"
conf lane lane "$tmp" > "$tmp/trust2.conf"
expect 2 "no trust anchor from \[trust\] csca" -- "$runner" --config "$tmp/trust2.conf"
exit $fail
