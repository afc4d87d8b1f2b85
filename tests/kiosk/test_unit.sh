#!/bin/sh
# egate-kiosk.service passes `systemd-analyze verify` (issue 11), checked on
# a copy whose ExecStart and ExecStartPre name this build's binaries: verify
# wants the programs to exist. Also the settings the unit must keep.
#   test_unit.sh SYSTEMD-ANALYZE UNIT EGATE-KIOSK EGATE
set -eu
sda=$1 unit=$2 kiosk=$3 egate=$4
command -v "$sda" >/dev/null 2>&1 || { echo "systemd-analyze not found: install systemd"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s|^ExecStart=[^ ]*/egate-kiosk |ExecStart=$kiosk |" \
    -e "s|^ExecStartPre=[^ ]*/egate |ExecStartPre=$egate |" "$unit" > "$tmp/egate-kiosk.service"
grep -q "^ExecStart=$kiosk " "$tmp/egate-kiosk.service" || { echo "FAIL: no ExecStart to point at the build"; exit 1; }
# --man=no: the man pages are checked by tests/cli, not installed here
out=$("$sda" verify --man=no "$tmp/egate-kiosk.service" 2>&1) || { echo "FAIL: systemd-analyze verify:"; echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "FAIL: systemd-analyze verify says:"; echo "$out"; exit 1; fi
for want in 'Type=notify' 'WatchdogSec=' 'User=egate' 'ProtectSystem=strict' 'NoNewPrivileges=yes' \
    'DevicePolicy=closed' 'DeviceAllow=char-usb_device rw' 'CapabilityBoundingSet=$' \
    'SystemCallFilter=@system-service' 'ExecReload=/bin/kill -HUP'; do
	grep -q "^$want" "$unit" || { echo "FAIL: the unit lost '$want'"; exit 1; }
done
echo "ok: egate-kiosk.service verifies"
