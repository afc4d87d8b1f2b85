#!/bin/sh
# egate-firstboot.service passes `systemd-analyze verify` together with egate-kiosk.service
# (the unit it runs before), both checked on copies whose programs are this build's (verify
# wants the programs to exist); and the settings the first boot relies on.
# egate-display.service (the traveller's display, package egate-display) verifies with them,
# its programs (Debian's cage and chromium, not installed here) replaced by stand-ins that are
# never run; and the settings of its session: a logind session on tty1 as egate-display,
# restarted always, after the kiosk, the URL from /etc/default/egate-display, which names the
# kiosk's default display address.
#   test_units.sh SYSTEMD-ANALYZE FIRSTBOOT-UNIT FIRSTBOOT-SCRIPT KIOSK-UNIT EGATE-KIOSK EGATE
#                 DISPLAY-UNIT DISPLAY-DEFAULT KIOSK-DAEMON-C
set -eu
sda=$1 unit=$2 script=$3 kunit=$4 kiosk=$5 egate=$6 dunit=$7 ddefault=$8 kdaemon=$9
command -v "$sda" >/dev/null 2>&1 || { echo "systemd-analyze not found: install systemd"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
sed -e "s|^ExecStart=[^ ]*/egate-firstboot\$|ExecStart=$script|" "$unit" > "$tmp/egate-firstboot.service"
grep -q "^ExecStart=$script\$" "$tmp/egate-firstboot.service" || fail "no ExecStart to point at the source tree"
sed -e "s|^ExecStart=[^ ]*/egate-kiosk |ExecStart=$kiosk |" \
    -e "s|^ExecStartPre=[^ ]*/egate |ExecStartPre=$egate |" "$kunit" > "$tmp/egate-kiosk.service"
printf '#!/bin/sh\nexit 1\n' > "$tmp/cage"
chmod 0755 "$tmp/cage"
sed -e "s|^ExecStart=/usr/bin/cage |ExecStart=$tmp/cage |" "$dunit" > "$tmp/egate-display.service"
grep -q "^ExecStart=$tmp/cage " "$tmp/egate-display.service" || fail "egate-display.service: ExecStart is not /usr/bin/cage"
out=$("$sda" verify --man=no "$tmp/egate-firstboot.service" "$tmp/egate-kiosk.service" \
	"$tmp/egate-display.service" 2>&1) ||
	{ echo "FAIL: systemd-analyze verify:"; echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "FAIL: systemd-analyze verify says:"; echo "$out"; exit 1; fi
for want in 'Type=oneshot' 'ConditionPathExists=/etc/egate/provision.conf' \
    'Before=egate-kiosk.service' 'WantedBy=multi-user.target' 'ExecStart=/.*/egate/egate-firstboot$'; do
	grep -q "^$want" "$unit" || fail "the unit lost '$want'"
done
[ -x "$script" ] || fail "$script is not executable"
for want in 'User=egate-display' 'Group=egate-display' 'PAMName=egate-display' 'TTYPath=/dev/tty1' \
    'TTYReset=yes' 'TTYVHangup=yes' 'StandardInput=tty-fail' 'UtmpIdentifier=tty1' \
    'Conflicts=getty@tty1.service' 'Restart=always' 'After=egate-kiosk.service' \
    'Wants=egate-kiosk.service' 'EnvironmentFile=/etc/default/egate-display' \
    'StateDirectory=egate-display' 'NoNewPrivileges=yes' 'WantedBy=multi-user.target' \
    'Environment=LIBSEAT_BACKEND=logind'; do
	grep -qx "$want" "$dunit" || fail "egate-display.service lost '$want'"
done
# the command line, its continuation lines joined: cage, then chromium in kiosk mode on the URL
cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$dunit" | sed 's/\\$//' | tr -s ' \n' '  ')
case $cmd in
	'ExecStart=/usr/bin/cage '*' -- /usr/bin/chromium '*' ${EGATE_DISPLAY_URL} ') ;;
	*) fail "egate-display.service: not cage -- chromium ... \${EGATE_DISPLAY_URL}: $cmd" ;;
esac
for flag in --kiosk --noerrdialogs --disable-translate --no-first-run --ozone-platform=wayland \
    --incognito --disable-pinch --overscroll-history-navigation=0; do
	case " $cmd " in *" $flag "*) ;; *) fail "egate-display.service: chromium without $flag" ;; esac
done
grep -qE '^User=(root|egate)$' "$dunit" && fail "egate-display.service runs as root or egate"
# the URL: the kiosk's default display address (display = web)
addr=$(sed -n 's/^#define KD_DISPLAY_WEB_DEFAULT "\(.*\)".*/\1/p' "$kdaemon")
[ -n "$addr" ] || fail "no KD_DISPLAY_WEB_DEFAULT in $kdaemon"
grep -qx "EGATE_DISPLAY_URL=http://$addr/" "$ddefault" || fail "$ddefault does not say EGATE_DISPLAY_URL=http://$addr/"
echo "ok: egate-firstboot.service, egate-kiosk.service and egate-display.service verify; the display on tty1 as egate-display shows http://$addr/"
