# tests/umockdev/kiosk_usb_lib.sh — shared by the tests that run the REAL
# egate-kiosk (firmware/kiosk, the installed binary: usb reader, acm MRZ
# reader, uvc camera, hidrelay gate) under umockdev against egate-host
# (sourced). egate-usb-emu (egate_usb_emu.c) owns the testbed: the simulated
# CCID reader with the simulated ePassport, the CDC-ACM MRZ reader, the UVC
# camera streaming the traveller's portrait and the USBRelay2 board; the test
# drives them through its --ctl FIFO and waits on log lines and on
# `egate officer status`, each with a deadline (no fixed sleeps).
# Needs $build and $root; tests/e2e/lib.sh gives the PKI, the host's
# configuration and a private network namespace.
#
# LD_PRELOAD (libumockdev-preload, with ASan's runtime first under
# -Dsanitizers) is given only to egate-usb-emu and the kiosk it runs: bash,
# python3 and grep must not run under libasan (LeakSanitizer aborts them).
if [ -z "${EGATE_UMOCK_PRELOAD:-}" ]; then
  case "${LD_PRELOAD:-}" in
  *libumockdev-preload*) ;;
  *) echo "FAIL: LD_PRELOAD does not name libumockdev-preload.so (install umockdev; run through meson test)" >&2
     exit 1;;
  esac
  # this shell too started under the preload: start again without it
  export EGATE_UMOCK_PRELOAD=$LD_PRELOAD
  exec env -u LD_PRELOAD bash "$0" "$@"
fi
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
emu="$build/tests/umockdev/egate-usb-emu"
kioskd="$build/firmware/kiosk/egate-kiosk"	# the product, not egate-kiosk-sim
sim="$build/hw/sim/egate-kiosk-sim"		# only to make the camera's portrait
profiles="$root/hw/profiles/readers.ini"
emu_pid= ctl_n=0

ku_cleanup() {
  local rc=$?
  [ -f "$t/kiosk.pid" ] && kill "$(cat "$t/kiosk.pid")" 2>/dev/null || true
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
  # e2e_cleanup removes $t (the umockdev testbed in $t/tmp with it), or keeps
  # it when the test failed, to look at
  [ "$rc" = 0 ] || e2e_failed=1
  e2e_cleanup
  return "$rc"
}
trap ku_cleanup EXIT

ku_fail() {
  echo "--- kiosk log (last 60 lines):" >&2; tail -n 60 "$t/kiosk.log" >&2 2>/dev/null || true
  fail "$@"
}

# ku_conf — K01 on the emulated devices: the first CCID reader of profile
# ACR1252, the MRZ reader 1209:0001 (KU_MRZ=hid: the keyboard-wedge MRZ
# reader hid:1209:0005), the camera 1209:0003, channel 1 of the USBRelay
# board (no door sensor: the door is the relay's read-back)
ku_conf() {
  cat > "$t/K01.conf" <<CONF
[kiosk]
id = K01
log_level = ${KU_LOG_LEVEL:-info}
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
reader = usb:072F:223E
mrz = $([ "${KU_MRZ:-acm}" = hid ] && echo hid:1209:0005 || echo acm:1209:0001)
camera = uvc:1209:0003
gate = ${KU_GATE:-hidrelay:16c0:05df,channel=1}
display = text
[trust]
csca = $t/simpki/csca.der
crl_dir = $t/simpki/crl
[policy]
accepted_issuers = UTO
no_chip_auth = accept
; the production threshold of the presentation-level PAD (docs/face.md)
liveness_threshold = 0.50
CONF
}

# ku_traveller — the UTO specimen of hw/sim/travellers/genuine-td3.ini with
# a chip portrait of the person the camera shows (sample5.jpg) and an expiry
# in 2034 (check digits recomputed), into $t/traveller.ini
ku_traveller() {
  python3 "$root/tests/umockdev/traveller_2034.py" "$root/hw/sim/travellers/genuine-td3.ini" \
    "$t/traveller.ini"
}

# ku_start [EMU-ARGS...] — PKI, egate-host, then egate-kiosk --config under
# egate-usb-emu with every device (and EMU-ARGS); waits for kiosk.ready
ku_start() {
  e2e_pki K01
  mkdir -p "$t/cam"
  "$sim" --make-portrait sample5.jpg "$t/cam/portrait.jpg" >/dev/null ||
    fail "cannot make the camera's portrait (egate-kiosk-sim --make-portrait)"
  ku_conf
  ku_traveller
  e2e_host_start
  mkfifo "$t/ctl"
  LD_PRELOAD=$EGATE_UMOCK_PRELOAD "$emu" --profiles "$profiles" --reader 072F:223E \
    --traveller "$t/traveller.ini" --pki "$t/simpki" --no-card --mrz-reader="${KU_MRZ:-acm}" --camera "$t/cam/portrait-00.jpg" --relay \
    --ctl "$t/ctl" --pid-file "$t/kiosk.pid" "$@" -- \
    "$kioskd" --config "$t/K01.conf" --drain 20 >"$t/kiosk.out" 2>"$t/kiosk.log" & emu_pid=$!
  ku_wait_log 'event=kiosk.ready kiosk=K01'
}

# ku_wait_log PATTERN [COUNT [SECONDS]] — the kiosk's log has COUNT lines
# matching (default 1, within 90 s)
ku_wait_log() {
  local n end=$((SECONDS + ${3:-90}))
  while [ "$SECONDS" -lt "$end" ]; do
    n=$(grep -c -- "$1" "$t/kiosk.log" 2>/dev/null || true)
    [ "${n:-0}" -ge "${2:-1}" ] && return 0
    kill -0 "$emu_pid" 2>/dev/null || ku_fail "the kiosk exited while waiting for '$1'"
    sleep 0.2
  done
  ku_fail "no '$1' (x${2:-1}) in the kiosk's log"
}

# ku_ctl LINE — one control line to the emulator, acknowledged
ku_ctl() {
  printf '%s\n' "$1" > "$t/ctl"
  ctl_n=$((ctl_n + 1))
  ku_wait_log 'egate-usb-emu: ctl: ' "$ctl_n" 30
}

# ku_wait_status PYTHON-CONDITION — egate officer status shows K01 so (60 s);
# k is the kiosk's status, d its devices
ku_wait_status() {
  local end=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$end" ]; do
    "$egate" officer status --json 2>/dev/null | python3 -c '
import json,sys
k={x["kiosk"]:x for x in json.load(sys.stdin)}.get("K01")
d=k.get("devices",{}) if k else {}
sys.exit(0 if k and k.get("connected") and ('"$1"') else 1)' && return 0
    sleep 0.3
  done
  "$egate" officer status --json >&2 || true
  ku_fail "the host never saw: $1"
}

# ku_passage N DECISION RULE — the kiosk logged passage N so
ku_passage() { ku_wait_log "event=kiosk.passage n=$1 decision=$2 rule=$3" 1 180; }

# ku_no_crash — no sanitizer report, no abort in the kiosk's output
ku_no_crash() {
  if grep -E 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|Aborted' \
      "$t/kiosk.log" "$t/kiosk.out" >&2; then
    ku_fail "the kiosk crashed or a sanitizer spoke"
  fi
}

# ku_stop — SIGTERM: exit 0, the gate closed, the spool drained
ku_stop() {
  local rc=0
  kill -TERM "$(cat "$t/kiosk.pid")"
  wait "$emu_pid" || rc=$?
  emu_pid=
  [ "$rc" = 0 ] || ku_fail "egate-kiosk exit $rc after SIGTERM"
  ku_no_crash
  grep -q 'event=kiosk.gate command=close why=stopping err=EG_OK' "$t/kiosk.log" ||
    ku_fail "gate not closed at stop"
  grep -q "event=kiosk.stopped drained=true pending=0 passages=${1:-[0-9]*} peak_rss_kb=[1-9]" \
    "$t/kiosk.log" || ku_fail "spool not drained at stop"
}

# ku_gate_opened — how many times the door (the relay's read-back) confirmed open
ku_gate_opened() { grep -c 'event=gate.transition .* event=DOOR_OPEN .* to=OPEN$' "$t/kiosk.log" || true; }
