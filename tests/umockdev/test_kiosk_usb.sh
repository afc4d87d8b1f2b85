#!/usr/bin/env bash
# The installed-style egate-kiosk end to end through the REAL device path
# (issue 11): egate-host, and `egate-kiosk --config` (daemon mode, no
# scenario) under umockdev with the simulated CCID reader and ePassport, the
# CDC-ACM MRZ reader, the UVC camera and the USBRelay HID board behind
# usbdevfs, all reached through libusb, libuvc and usb_libusb.c. The real
# twin of tests/e2e/test_daemon.sh (which runs the same scenario on the
# simulated lane):
#   1. the MRZ fed, a passport inserted, the camera streaming the traveller:
#      OPEN, the relay switched and read back, the decision stored by the host
#   2. the reader unplugged while idle: out of service, the heartbeat names
#      the reader; replugged: back in service (libusb hotplug or the retry)
#   3. the reader unplugged during the chip read: device_lost on record, out
#      of service; replugged: back in service
#   4. a traveller again, through the gate after all that
#   5. SIGTERM: exit 0, the gate closed, the spool drained
# No fixed sleeps: every wait is on a log line or the host's status, with a
# deadline.
#   test_kiosk_usb.sh BUILD SRC
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/umockdev/kiosk_usb_lib.sh
. "$root/tests/umockdev/kiosk_usb_lib.sh"

ku_start
ku_wait_status 'k["state"]=="IDLE" and all(d.get(x)=="ok" for x in ("reader","mrz","camera","gate"))'
grep -q 'event=kiosk.ready kiosk=K01 state=IDLE reader=usb:072F:223E mrz=acm:1209:0001 camera=uvc:1209:0003' \
  "$t/kiosk.log" || ku_fail "kiosk.ready does not name the devices"

# 1. a traveller through the gate
ku_ctl mrz
ku_ctl insert
ku_passage 1 OPEN all_checks_passed
ku_ctl remove

# 2. the reader unplugged while idle
ku_ctl unplug
ku_wait_log 'event=kiosk.out_of_service reason=device device=reader'
ku_wait_status 'k["state"]=="OUT_OF_SERVICE" and d.get("reader")=="absent"'
ku_ctl replug
ku_wait_log 'event=kiosk.back_in_service'
ku_wait_status 'k["state"]=="IDLE" and d.get("reader")=="ok"'

# 3. the reader unplugged during the chip read (its next command after the
# card is placed: power on, or the first APDU)
ku_ctl 'fault unplug'
ku_ctl mrz
ku_ctl insert
ku_passage 2 REFER device_lost
ku_wait_status 'k["state"]=="OUT_OF_SERVICE" and d.get("reader")=="absent"'
ku_ctl remove
ku_ctl replug
ku_wait_log 'event=kiosk.back_in_service' 2
ku_wait_status 'k["state"]=="IDLE" and d.get("reader")=="ok"'

# 4. the lane works again
ku_ctl mrz
ku_ctl insert
ku_passage 3 OPEN all_checks_passed
ku_ctl remove

# 5. SIGTERM
ku_stop 3

# what the host stored
e2e_host_stop
"$egate" audit --db "$t/audit.db" query --kiosk K01 --json > "$t/audit.json"
python3 - "$t/audit.json" <<'PY' || ku_fail "audit records"
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["type"] == "passage"]
got = [(r["decision"], r["reason"]) for r in rows]
want = [("OPEN", "all_checks_passed"), ("REFER", "device_lost"), ("OPEN", "all_checks_passed")]
assert got == want, got
checks = [{c["name"]: c for c in json.loads(r["payload"])["checks"]} for r in rows]
for i in (0, 2):
    assert checks[i]["door_opened"]["result"] == "pass", checks[i]
    assert checks[i]["door_closed"]["result"] == "pass", checks[i]
    assert checks[i]["match_1to1"]["result"] == "pass", checks[i]
    # a USBRelay board alone has no passage sensor: nobody is seen passing,
    # the gate closes after timeout_ms[GATE_OPEN] (docs/kiosk.md, "The gate")
    assert checks[i]["passage_confirmed"]["result"] == "fail", checks[i]
assert checks[1]["device_lost"]["detail"] == "chip reader gone", checks[1]["device_lost"]
print("host: 3 passages as driven (OPEN, REFER device_lost, OPEN), door and device on record")
PY
# the relay was switched on and read back on twice (the door of passages 1
# and 3), and never otherwise
opened=$(grep -c 'event=gate.transition gate="hidrelay:16c0:05df ch1" from=OPENING event=DOOR_OPEN .* to=OPEN' "$t/kiosk.log" || true)
[ "$opened" = 2 ] || ku_fail "the relay confirmed open $opened times, want 2"
# the reader was lost twice (idle, then in the chip read) and found twice
[ "$(grep -c 'event=kiosk.device device=reader from=ok to=absent' "$t/kiosk.log")" = 2 ] ||
  ku_fail "the reader's two losses are not both logged"
[ "$(grep -c 'event=kiosk.device device=reader from=absent to=ok detail=back' "$t/kiosk.log")" = 2 ] ||
  ku_fail "the reader's two returns are not both logged"
echo "ok: egate-kiosk end to end under umockdev"
