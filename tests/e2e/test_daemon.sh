#!/usr/bin/env bash
# egate-kiosk's daemon loop end to end (issue 11): egate-host, and the
# daemon (kiosk_daemon.c) on the simulated lane of hw/sim/sim_lane.h, driven
# through its control FIFO the way a test drives umockdev devices: a
# passport placed, its MRZ read and the traveller through the gate; the
# reader unplugged while idle (out of service, the heartbeat says which
# device) and during the chip read (device_lost on record), replugged (back
# in service); an MRZ reader sending garbage, a camera sending broken
# frames and a relay whose door does not confirm (each a clear error, the
# device marked in the heartbeat, never a gate opened for it); SIGHUP
# reloads; SIGTERM stops with the gate closed and the spool drained.
# No fixed sleeps: every wait is on a log line or a status, with a deadline.
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
e2e_pki K01
mkdir -p "$t/cam"
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
[trust]
csca = $t/simpki/csca.der
crl_dir = $t/simpki/crl
[policy]
accepted_issuers = UTO
no_chip_auth = accept
CONF
e2e_host_start
# systemd's side of sd_notify: a datagram socket that logs what it gets,
# with the monotonic time it came (notify.times: "SECONDS MESSAGE")
python3 - "$t/notify.sock" "$t/notify.log" "$t/notify.times" <<'PY' & notify_pid=$!
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f, open(sys.argv[3], "a", buffering=1) as g:
    while True:
        m = s.recv(4096).decode().replace("\n", " ")
        f.write(m + "\n")
        g.write("%.3f %s\n" % (time.monotonic(), m))
PY
trap 'kill $notify_pid 2>/dev/null || true; e2e_cleanup' EXIT
for _ in $(seq 1 50); do [ -S "$t/notify.sock" ] && break; sleep 0.1; done
[ -S "$t/notify.sock" ] || fail "no notify socket"
NOTIFY_SOCKET="$t/notify.sock" WATCHDOG_USEC=2000000 \
  "$kioskd" --config "$t/K01.conf" --control "$t/ctl" --sim-pki "$t/simpki" \
  >"$t/kiosk.out" 2>"$t/kiosk.log" & kiosk_pid=$!

cmd() { printf '%s\n' "$*" > "$t/ctl"; }
# wait_log PATTERN [COUNT] — the kiosk's log has COUNT lines matching (60 s)
wait_log() {
  local n end=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$end" ]; do
    n=$(grep -c -- "$1" "$t/kiosk.log" 2>/dev/null || true)
    [ "${n:-0}" -ge "${2:-1}" ] && return 0
    kill -0 "$kiosk_pid" 2>/dev/null || fail "the kiosk exited while waiting for '$1'"
    sleep 0.2
  done
  fail "no '$1' (x${2:-1}) in the kiosk's log"
}
# wait_status PYTHON-CONDITION — egate officer status shows K01 so (30 s);
# k is the kiosk's status, d its devices
wait_status() {
  local end=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$end" ]; do
    "$egate" officer status --json 2>/dev/null | python3 -c '
import json,sys
k={x["kiosk"]:x for x in json.load(sys.stdin)}.get("K01")
d=k.get("devices",{}) if k else {}
sys.exit(0 if k and k.get("connected") and ('"$1"') else 1)' && return 0
    sleep 0.2
  done
  "$egate" officer status --json >&2 || true
  fail "the host never saw: $1"
}
passage() { wait_log "event=kiosk.passage n=$1 decision=$2 rule=$3"; }
traveller='insert genuine-td3 chip_face=sample5.jpg expiry=341231'

# 1. ready, every device well, a traveller through the gate
wait_log 'event=kiosk.ready kiosk=K01 state=IDLE'
wait_status 'k["state"]=="IDLE" and all(d.get(x)=="ok" for x in ("reader","mrz","camera","gate"))'
cmd "$traveller"
passage 1 OPEN all_checks_passed
grep -q 'event=kiosk.gate_event event=passed' "$t/kiosk.log" || fail "no passage through the gate"
cmd remove

# 2. the reader unplugged while idle: out of service, the host sees why
cmd unplug reader
wait_log 'event=kiosk.out_of_service reason=device device=reader'
wait_status 'k["state"]=="OUT_OF_SERVICE" and d.get("reader")=="absent"'
cmd replug reader
wait_log 'event=kiosk.back_in_service'
wait_status 'k["state"]=="IDLE" and d.get("reader")=="ok"'

# 3. the reader unplugged during the chip read: device_lost, out of service
cmd fault reader unplug
cmd "$traveller"
passage 2 REFER device_lost
wait_status 'k["state"]=="OUT_OF_SERVICE" and d.get("reader")=="absent"'
cmd replug reader
wait_log 'event=kiosk.back_in_service' 2
cmd remove

# 4. an MRZ reader that sends garbage: a clear refusal, the reader degraded
cmd 'mrz \x01\x02garbage\r\n'
cmd "$traveller mrz=no"
passage 3 REFER mrz_invalid
wait_status 'd.get("mrz")=="degraded" and k["state"]=="IDLE"'
cmd remove

# 5. a camera that sends broken frames: device_lost, the camera FAILED
cmd camera broken
cmd "$traveller"
passage 4 REFER device_lost
wait_status 'd.get("camera")=="FAILED" and k["state"]=="OUT_OF_SERVICE"'
cmd camera ok
wait_log 'event=kiosk.back_in_service' 3
cmd remove

# 6. a relay whose door does not confirm: never claimed open, gate FAILED
cmd gate stuck
cmd "$traveller"
passage 5 OPEN all_checks_passed
wait_status 'd.get("gate")=="FAILED" and k["state"]=="OUT_OF_SERVICE"'
grep -q 'device=gate from=ok to=failed detail="the door did not confirm it opened"' "$t/kiosk.log" ||
  fail "no clear error for the door"
cmd gate ok
wait_log 'event=kiosk.back_in_service' 4
cmd remove
opened=$(grep -c 'event=gate.open ' "$t/kiosk.log" || true)
[ "$opened" = 1 ] || fail "the door opened $opened times, want once (passage 1)"

# 7. SIGHUP reloads between passages
sed -i 's/^officer_wait = 0/officer_wait = 1/' "$t/K01.conf"
kill -HUP "$kiosk_pid"
wait_log 'event=kiosk.reload ok=true'

# 8. SIGTERM: gate closed, spool drained, exit 0
kill -TERM "$kiosk_pid"
rc=0; wait "$kiosk_pid" || rc=$?
kiosk_pid=
[ "$rc" = 0 ] || fail "egate-kiosk exit $rc after SIGTERM"
grep -q 'event=kiosk.gate command=close why=stopping err=EG_OK' "$t/kiosk.log" || fail "gate not closed at stop"
grep -q 'event=kiosk.stopped drained=true pending=0 passages=5 peak_rss_kb=[1-9]' "$t/kiosk.log" || fail "spool not drained at stop"

# what systemd was told: ready, the passages, the watchdog all along, stopping
kill "$notify_pid" 2>/dev/null || true
grep -q '^READY=1 STATUS=IDLE' "$t/notify.log" || fail "no READY=1"
grep -q '^STATUS=passage 1: OPEN all_checks_passed; IDLE' "$t/notify.log" || fail "no passage status"
grep -q '^RELOADING=1' "$t/notify.log" || fail "no RELOADING=1"
grep -q '^STOPPING=1' "$t/notify.log" || fail "no STOPPING=1"
# the watchdog all along: from READY=1 to STOPPING=1 no gap between pets
# longer than the interval systemd gave (2 s; the kiosk pets every 1 s), with
# the suite's timeout multiplier for a loaded machine (a count of pets would
# depend on how long the run took)
python3 - "$t/notify.times" "${CK_TIMEOUT_MULTIPLIER:-1}" <<'PY' || fail "the watchdog was starved"
import sys
rows = [l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines()]
ts = [(float(t), m) for t, m in rows]
start = next(t for t, m in ts if m.startswith("READY=1"))
stop = next(t for t, m in ts if m.startswith("STOPPING=1"))
pets = [t for t, m in ts if m.startswith("WATCHDOG=1") and start <= t <= stop]
marks = [start] + pets + [stop]
gap = max(b - a for a, b in zip(marks, marks[1:]))
limit = 2.0 * max(1.0, float(sys.argv[2]))
print("watchdog: %d pets over %.1f s, longest gap %.2f s (limit %.1f s)" % (len(pets), stop - start, gap, limit))
assert len(pets) >= 3 and gap <= limit, (len(pets), gap)
PY

# what the host stored: the five passages, in order, with their explanations
e2e_host_stop
"$egate" audit --db "$t/audit.db" query --kiosk K01 --json > "$t/audit.json"
python3 - "$t/audit.json" <<'PY' || fail "audit records"
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["type"] == "passage"]
want = [("OPEN", "all_checks_passed"), ("REFER", "device_lost"), ("REFER", "mrz_invalid"),
        ("REFER", "device_lost"), ("OPEN", "all_checks_passed")]
got = [(r["decision"], r["reason"]) for r in rows]
assert got == want, got
checks = [{c["name"]: c for c in json.loads(r["payload"])["checks"]} for r in rows]
assert all(checks[0][n]["result"] == "pass" for n in ("door_opened", "passage_confirmed", "door_closed")), checks[0]
assert checks[1]["device_lost"]["detail"] == "chip reader gone", checks[1]["device_lost"]
assert checks[3]["device_lost"]["detail"] == "camera sends only broken frames", checks[3]["device_lost"]
assert checks[4]["door_opened"]["result"] == "fail" and "passage_confirmed" not in checks[4], checks[4]
print("host: 5 passages as driven, door and device on record")
PY
echo "ok: daemon end to end"
