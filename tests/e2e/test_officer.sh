#!/usr/bin/env bash
# Officer oversight end to end (issue 7 acceptance): egate-host and
# egate-kiosk over mutual TLS, the kiosk running hw/sim/scenarios/officer.ini
# with --officer-wait, and an officer using `egate officer` with an officer
# certificate. Checks what the officer sees (status, queue with the
# explanation), what is refused (a wrong passage, a kiosk certificate, no
# reason), what the kiosk does (gate opened only by the override), and what
# the audit log holds (the officer's action logged before the kiosk's
# decision record, which names the officer and the referral it decides).
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
# K01's certificate ends in 20 days: the status and the host's log warn
E2E_KIOSK_DAYS=20 e2e_pki K01
e2e_kiosk_conf K01
e2e_host_start
officer() { "$egate" officer "$@"; }

# nothing is waiting yet; an action on an unknown kiosk is refused
[ "$(officer queue --json)" = "[]" ] || fail "queue not empty before any kiosk"
rc=0; officer hold --kiosk K09 --reason "test" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "an action on an unknown kiosk: exit $rc, want 1"
# a kiosk certificate is not an officer
rc=0; "$egate" officer --cert "$pki/K01.crt" --key "$pki/K01.key" status >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "a kiosk certificate was served as an officer"
# usage errors never reach the host
rc=0; officer override --kiosk K01 --passage 2 --open 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "override without a reason: exit $rc, want 2"

"$kioskd" --config "$t/K01.conf" --scenario "$root/hw/sim/scenarios/officer.ini" \
  --officer-wait 60 --drain 30 >"$t/kiosk.out" 2>"$t/kiosk.log" & kiosk_pid=$!

# next_referral [AFTER] — wait for a referral in the queue whose seq is above
# AFTER (the one just decided may still be listed until the kiosk's next
# heartbeat); print "seq reason kiosk decision"
next_referral() {
  local q
  for _ in $(seq 1 600); do
    q=$(officer queue --json 2>/dev/null || true)
    if [ -n "$q" ] && [ "$q" != "[]" ] && python3 -c '
import json,sys
r=json.loads(sys.argv[1])[0]
if r["seq"] <= int(sys.argv[2]): sys.exit(1)
e=json.loads(r["explanation"]) if r["explanation"] else {}
print(r["seq"], r["reason"], r["kiosk"], e.get("decision",""))' "$q" "${1:-0}"; then
      return 0
    fi
    kill -0 "$kiosk_pid" 2>/dev/null || fail "kiosk exited while waiting for a referral"
    sleep 0.2
  done
  fail "no referral appeared"
}

# 1. the impostor: referred for a biometric mismatch; the officer rejects
read -r seq1 reason1 kiosk1 dec1 < <(next_referral)
[ "$reason1" = biometric_mismatch ] || fail "first referral is '$reason1'"
[ "$kiosk1" = K01 ] && [ "$dec1" = REFER ] || fail "referral from '$kiosk1' decision '$dec1'"
officer status --json | python3 -c '
import json,sys
k={x["kiosk"]:x for x in json.load(sys.stdin)}["K01"]
assert k["connected"] and k["state"]=="REFERRED" and k["referral_seq"]>0, k
assert k["last_decision"]=="REFER" and k["last_reason"]=="biometric_mismatch", k
' || fail "status does not show K01 referred"
officer status 2>"$t/status.err" | grep -q "^K01 *online *REFERRED .* 19d " || fail "status table"
# the certificate's end, taken by the host from the kiosk's handshake
grep -q "egate officer: warning: kiosk K01's certificate expires in 19 days" "$t/status.err" ||
  fail "no expiry warning: $(cat "$t/status.err")"
officer status --json 2>/dev/null | python3 -c '
import json,sys,time
k={x["kiosk"]:x for x in json.load(sys.stdin)}["K01"]
left=(k["cert_not_after_ms"]/1000-time.time())/86400
assert 19 < left <= 20 and k["cert_days_left"]==19, k
' || fail "status JSON without the certificate's end"
# (whole seconds: a handshake in the second the certificate was issued has
# 20 days left to the second, later ones 19 days and some hours)
e2e_wait_for 30 grep -qE 'event=pki.peer_expiring cn=K01 ou=kiosk days_left=(19|20) ' "$t/host.log" ||
  fail "the host did not log the kiosk's certificate expiring"
# the queue explains the decision: the failed 1:1 score and its threshold
officer queue | grep -q '"match_1to1"' || officer queue | grep -q 'face_similarity\|match_1to1' || fail "queue without explanation"
# a wrong passage is refused by the kiosk; the gate stays shut
rc=0; officer override --kiosk K01 --passage $((seq1 + 100)) --open --reason "wrong one" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "override of a passage that is not the referral: exit $rc, want 1"
officer override --kiosk K01 --passage "$seq1" --reject --reason "not the passport holder" \
  | grep -q "override K01: done" || fail "override --reject not done"
# the kiosk sent the two pictures of the biometric referral (PX_KEEP_PICTURES,
# uplink_set_images): the host held them, sizes only in its log, and wiped
# them when the officer decided
grep -q "event=kiosk.referral_pictures live_bytes=[1-9][0-9]* live=EG_OK portrait_bytes=[1-9][0-9]* portrait=EG_OK" \
  "$t/kiosk.log" || fail "the kiosk made no pictures for the referral"
grep -q "event=uplink.images seq=$seq1 bytes=[1-9]" "$t/kiosk.log" || fail "the kiosk sent no pictures"
e2e_wait_for 10 grep -q "event=referral.images kiosk=K01 seq=$seq1 live_bytes=[1-9][0-9]* portrait_bytes=[1-9]" \
  "$t/host.log" || fail "the host got no pictures from the kiosk"
e2e_wait_for 10 grep -q "event=referral.images_wiped kiosk=K01 seq=$seq1 why=decided" "$t/host.log" \
  || fail "the host did not wipe the pictures when the officer decided"

# 2. the unreadable chip: the officer inspects the passport and opens
read -r seq2 reason2 _ _ < <(next_referral "$seq1")
[ "$reason2" = chip_unreadable ] || fail "second referral is '$reason2'"
[ "$seq2" -gt "$seq1" ] || fail "seq did not increase"
officer override --json --kiosk K01 --passage "$seq2" --open --reason "passport inspected by hand" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["ok"] and r["command_id"]>0, r' \
  || fail "override --open not done"

# 3. a held gate: release refused while not held; hold; release
read -r seq3 reason3 _ _ < <(next_referral "$seq2")
[ "$seq3" -gt "$seq2" ] || fail "third referral seq"
# the host dies while this referral waits; restarted, it shows the referral
# again with its explanation (read back from the audit log)
kill -KILL "$host_pid"; wait "$host_pid" 2>/dev/null || true; host_pid=
e2e_host_start "$t/host2.log"
shown=no
for _ in $(seq 1 150); do
  if officer queue --json 2>/dev/null | python3 -c '
import json,sys
r=[x for x in json.load(sys.stdin) if x["seq"]==int(sys.argv[1])]
sys.exit(0 if r and json.loads(r[0]["explanation"])["decision"]=="REFER" else 1)' "$seq3"; then
    shown=yes; break
  fi
  sleep 0.2
done
[ "$shown" = yes ] || fail "after a host restart the queue lost the referral or its explanation"
grep -q 'officer.referral_from_store' "$t/host2.log" || fail "explanation not read from the audit log"
rc=0; officer release --kiosk K01 --reason "nothing to release" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "release while not held: exit $rc, want 1"
officer hold --kiosk K01 --reason "lane closed for cleaning" >/dev/null || fail "hold"
for _ in $(seq 1 50); do
  officer status --json | python3 -c '
import json,sys
k={x["kiosk"]:x for x in json.load(sys.stdin)}["K01"]
sys.exit(0 if k["held"] and k["state"]=="HOLD" else 1)' && break
  sleep 0.1
done || true
officer status | grep -q "^K01 *online *HOLD *yes" || fail "status does not show the hold"
officer release --kiosk K01 --reason "lane open again" >/dev/null || fail "release"

rc=0; wait "$kiosk_pid" || rc=$?
kiosk_pid=
[ "$rc" = 0 ] || fail "egate-kiosk exit $rc"
grep -q "officer officer.kim decided the referral (seq $seq1): REJECT" "$t/kiosk.out" || fail "kiosk did not report the rejection"
grep -q "officer officer.kim decided the referral (seq $seq2): OPEN (override)" "$t/kiosk.out" || fail "kiosk did not report the override"
grep -q "refused by officer.kim: no_such_referral" "$t/kiosk.out" || fail "kiosk did not refuse the wrong passage"
e2e_host_stop

# ---- the audit log
db="$t/audit.db"
"$egate" audit --db "$db" query --json > "$t/audit.json"
python3 - "$t/audit.json" "$seq1" "$seq2" "$seq3" <<'PY' || fail "audit records"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if len(rows) == 1 and isinstance(rows[0], list):
    rows = rows[0]
seq1, seq2 = int(sys.argv[2]), int(sys.argv[3])
def one(**kw):
    m = [r for r in rows if all(r.get(k) == v for k, v in kw.items())]
    assert len(m) == 1, (kw, m)
    return m[0]
k01 = [r for r in rows if r["kiosk_id"] == "K01"]
assert [r["decision"] for r in k01] == ["OPEN", "REFER", "REJECT", "REFER", "OPEN", "REFER"], [r["decision"] for r in k01]
one(kiosk_id="K01", seq=int(sys.argv[4]), decision="REFER", officer=None)
one(kiosk_id="K01", seq=seq1, decision="REFER", reason="biometric_mismatch")
rej = one(kiosk_id="K01", decision="REJECT", reason="officer_override_reject")
opn = one(kiosk_id="K01", decision="OPEN", reason="officer_override_open")
for rec, ref in ((rej, seq1), (opn, seq2)):
    assert rec["officer"] == "officer.kim", rec
    p = json.loads(rec["payload"])
    assert p["overrides_seq"] == ref and p["command_id"] > 0, p
# the officer's actions are host records, logged before the kiosk's decision
acts = [r for r in rows if r["kiosk_id"] == "host" and r["type"] == "officer"]
res = [r for r in rows if r["kiosk_id"] == "host" and r["type"] == "officer_result"]
assert [a["decision"] for a in acts] == ["OVERRIDE_OPEN", "OVERRIDE_REJECT", "OVERRIDE_OPEN",
                                        "RELEASE", "HOLD", "RELEASE"], acts
assert [a["reason"] for a in acts] == ["wrong one", "not the passport holder", "passport inspected by hand",
                                      "nothing to release", "lane closed for cleaning", "lane open again"], acts
assert all(a["officer"] == "officer.kim" for a in acts + res)
assert [r["decision"] for r in res] == ["refused", "ok", "ok", "refused", "ok", "ok"], res
assert res[3]["reason"] == "not_held", res[3]
assert res[0]["reason"] == "no_such_referral", res[0]
ids = {json.loads(a["payload"])["command_id"]: a for a in acts}
for rec in (rej, opn):
    act = ids[json.loads(rec["payload"])["command_id"]]
    assert act["id"] < rec["id"], (act, rec)   # logged before the decision
print("audit: %d records; officer actions %d, results %d" % (len(rows), len(acts), len(res)))
PY
"$egate" audit --db "$db" query --officer officer.kim | grep -q officer_override_open || fail "query --officer"
"$egate" audit --db "$db" verify --pubkey "$t/checkpoint.pub" --anchor "$db.anchor" >/dev/null || fail "audit verify"
echo "officer e2e: ok ($t)"
rm -rf "$t"
