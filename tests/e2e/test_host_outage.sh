#!/usr/bin/env bash
# Killing the host mid-passage (issue 7 acceptance): egate-kiosk runs the
# demo queue (hw/sim/scenarios/demo.ini: every scenario, including unplugged
# devices) while egate-host is killed with SIGKILL in the middle and
# restarted a few seconds later. Every passage still gets its decision
# (the kiosk decides locally and spools), no gate opens that the scenario
# does not expect to open, and every record reaches the audit log exactly
# once, in order, with the chain intact. With [host] offline_limit = 1 the
# kiosk takes no new traveller while the host is gone (out of service).
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
e2e_pki K01
e2e_kiosk_conf K01 "offline_limit = 1"
e2e_host_start "$t/host1.log"

"$kioskd" --config "$t/K01.conf" --scenario "$root/hw/sim/scenarios/demo.ini" --drain 60 \
  >"$t/kiosk.out" 2>"$t/kiosk.log" & kiosk_pid=$!
# kill the host once three passages are decided (mid-queue, while the next
# traveller is being read)
for _ in $(seq 1 600); do
  [ "$(grep -c '^== passage' "$t/kiosk.out" 2>/dev/null || true)" -ge 3 ] && break
  kill -0 "$kiosk_pid" 2>/dev/null || fail "kiosk ended early"
  sleep 0.05
done
kill -KILL "$host_pid"; wait "$host_pid" 2>/dev/null || true; host_pid=
decided_at_kill=$(grep -c '^== passage' "$t/kiosk.out" || true)
sleep 4
e2e_host_start "$t/host2.log"
rc=0; wait "$kiosk_pid" || rc=$?
kiosk_pid=
[ "$rc" = 0 ] || fail "egate-kiosk exit $rc (a decision differed from the scenario, or records were not delivered)"
decided=$(grep -c '^== passage' "$t/kiosk.out")
last_seq=$(grep -o 'record spooled (seq [0-9]*)' "$t/kiosk.out" | tail -1 | grep -o '[0-9]*')
[ "$decided" = 13 ] || fail "$decided passages decided, want 13"
[ "$decided_at_kill" -lt 13 ] || fail "the host was killed after the queue ended"
grep -q "uplink: connected.*0 waiting in the spool" "$t/kiosk.out" || fail "spool not drained"
e2e_host_stop

"$egate" audit --db "$t/audit.db" query --kiosk K01 --json > "$t/audit.json"
python3 - "$t/audit.json" "$last_seq" "$t/kiosk.out" <<'PY' || fail "audit records"
import json, re, sys
rows = json.load(open(sys.argv[1]))
last = int(sys.argv[2])
seqs = [r["seq"] for r in rows]
assert seqs == list(range(1, last + 1)), ("every record exactly once, in order", seqs, last)
# the gate opened exactly where the kiosk (and the scenario) said so
out = open(sys.argv[3]).read()
kiosk_open = len(re.findall(r"^== passage .*: OPEN, rule", out, re.M))
audit_open = sum(1 for r in rows if r["decision"] == "OPEN")
assert kiosk_open == audit_open == 2, (kiosk_open, audit_open)
print("outage: %d records delivered exactly once; %d gate openings" % (len(rows), audit_open))
PY
"$egate" audit --db "$t/audit.db" verify --pubkey "$t/checkpoint.pub" --anchor "$t/audit.db.anchor" \
  || fail "audit verify after the outage"
grep -q 'uplink.error' "$t/kiosk.log" || fail "the kiosk never noticed the outage"
# more than offline_limit without the host: no new traveller until it was back
grep -q 'out of service until it is back' "$t/kiosk.out" || fail "no out-of-service period"
grep -q 'back in service' "$t/kiosk.out" || fail "never back in service"
echo "host outage e2e: ok"
rm -rf "$t"
