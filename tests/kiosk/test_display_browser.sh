#!/usr/bin/env bash
# The traveller's display in a real browser (issue 14 acceptance):
# egate-kiosk's daemon on the simulated lane (hw/sim/sim_lane.h) with
# `display = web:127.0.0.1:0`, egate-host, and headless Chromium driven by
# selenium (tests/kiosk/display_browser.py). A Korean passport goes through
# the gate and a Chinese one is referred: every prompt in the traveller's
# language, and the test fails if any character of a prompt renders as a
# missing-glyph box. Screenshots: EGATE_SCREENSHOTS=DIR (scripts/screenshots).
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
py=/usr/bin/python3	# Debian's python3-selenium is installed for Debian's python
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || fail "$tool is missing: scripts/install-deps installs chromium and chromium-driver"
done
"$py" -c 'import selenium' 2>/dev/null || fail "python3-selenium is missing: run scripts/install-deps"
fc-list :lang=ko | grep -q . || fail "no font for Korean: scripts/install-deps installs fonts-noto-cjk"
export TMPDIR="$t/tmp"
mkdir -p "$TMPDIR" "$t/cam"
e2e_pki K01
"$kioskd" --make-portrait sample5.jpg "$t/cam/portrait.jpg" || fail "cannot make the camera's portrait"
mkfifo "$t/ctl"
cat > "$t/K01.conf" <<CONF
[kiosk]
id = K01
log_level = info
officer_wait = 0
[host]
address = 127.0.0.1
port = $port
ca = $pki/ca/ca.crt
cert = $pki/K01.crt
key = $pki/K01.key
spool = $t/K01.spool
seal_cert = $pki/host.crt
[devices]
reader = lane
mrz = lane
camera = lane:$t/cam
gate = lane
display = web:127.0.0.1:0
[trust]
csca = $t/simpki/csca.der
crl_dir = $t/simpki/crl
[policy]
accepted_issuers = UTO
no_chip_auth = accept
liveness_threshold = 0.01
CONF
e2e_host_start
"$kioskd" --config "$t/K01.conf" --control "$t/ctl" --sim-pki "$t/simpki" \
  >"$t/kiosk.out" 2>"$t/kiosk.log" & kiosk_pid=$!
cmd() { printf '%s\n' "$*" > "$t/ctl"; }
display_url() {
  url=$(sed -n 's/^\[display\] the traveller.s display: \(http:[^ ]*\) .*/\1/p' "$t/kiosk.out" | head -1)
  [ -n "$url" ]
}
e2e_wait_for 60 display_url || fail "egate-kiosk printed no display address"
e2e_wait_for 60 grep -q 'event=kiosk.ready' "$t/kiosk.log" || fail "the kiosk is not ready"
"$py" "$root/tests/kiosk/display_browser.py" "$url" "$t" >"$t/browser.out" 2>"$t/browser.err" &
browser_pid=$!
e2e_pids="$e2e_pids $browser_pid"
browser_at() { # FILE: the browser reached a step (or failed)
  [ -e "$t/$1" ] && return 0
  kill -0 "$browser_pid" 2>/dev/null || fail "the browser test failed: $(tail -30 "$t/browser.err")"
  return 1
}
e2e_wait_for 120 browser_at browser.ready || fail "the page did not come up"
# a Korean passport: through the gate
cmd "insert genuine-td3 chip_face=sample5.jpg expiry=341231 nationality=KOR"
e2e_wait_for 60 grep -q 'event=kiosk.passage n=1 decision=OPEN' "$t/kiosk.log" \
  || fail "the Korean traveller did not pass"
cmd "remove"
e2e_wait_for 120 browser_at browser.step1 || fail "the browser did not follow the first passage"
# a Chinese passport whose chip face is someone else's: referred
cmd "insert genuine-td3 chip_face=sample6.jpg expiry=341231 nationality=CHN"
e2e_wait_for 60 grep -q 'event=kiosk.passage n=2 decision=REFER' "$t/kiosk.log" \
  || fail "the Chinese traveller was not referred"
e2e_wait_for 120 browser_at browser.done || fail "the browser did not follow the second passage"
rc=0; wait "$browser_pid" || rc=$?
[ "$rc" = 0 ] || fail "display_browser.py exit $rc: $(tail -30 "$t/browser.err")"
cat "$t/browser.done"; echo
kill -TERM "$kiosk_pid"; rc=0; wait "$kiosk_pid" || rc=$?; kiosk_pid=
[ "$rc" = 0 ] || fail "egate-kiosk exit $rc after SIGTERM"
echo "display-browser: ok"
