#!/bin/sh
# egate-firstboot.service passes `systemd-analyze verify` together with egate-kiosk.service
# (the unit it runs before), both checked on copies whose programs are this build's (verify
# wants the programs to exist); and the settings the first boot relies on.
#   test_units.sh SYSTEMD-ANALYZE FIRSTBOOT-UNIT FIRSTBOOT-SCRIPT KIOSK-UNIT EGATE-KIOSK EGATE
set -eu
sda=$1 unit=$2 script=$3 kunit=$4 kiosk=$5 egate=$6
command -v "$sda" >/dev/null 2>&1 || { echo "systemd-analyze not found: install systemd"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
sed -e "s|^ExecStart=[^ ]*/egate-firstboot\$|ExecStart=$script|" "$unit" > "$tmp/egate-firstboot.service"
grep -q "^ExecStart=$script\$" "$tmp/egate-firstboot.service" || fail "no ExecStart to point at the source tree"
sed -e "s|^ExecStart=[^ ]*/egate-kiosk |ExecStart=$kiosk |" \
    -e "s|^ExecStartPre=[^ ]*/egate |ExecStartPre=$egate |" "$kunit" > "$tmp/egate-kiosk.service"
out=$("$sda" verify --man=no "$tmp/egate-firstboot.service" "$tmp/egate-kiosk.service" 2>&1) ||
	{ echo "FAIL: systemd-analyze verify:"; echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "FAIL: systemd-analyze verify says:"; echo "$out"; exit 1; fi
for want in 'Type=oneshot' 'ConditionPathExists=/etc/egate/provision.conf' \
    'Before=egate-kiosk.service' 'WantedBy=multi-user.target' 'ExecStart=/.*/egate/egate-firstboot$'; do
	grep -q "^$want" "$unit" || fail "the unit lost '$want'"
done
[ -x "$script" ] || fail "$script is not executable"
echo "ok: egate-firstboot.service and egate-kiosk.service verify"
