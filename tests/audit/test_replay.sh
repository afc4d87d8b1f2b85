#!/usr/bin/env bash
# test_replay.sh — decision replay end to end (issue 13): egate-host serves
# policy version 2, a simulated kiosk runs the demo queue under it (every
# outcome: open, the document checks, PAD, two people, abandoned, watchlist,
# unplugged devices), the host serves version 3 (a stricter match
# threshold) and the genuine traveller is referred under it. Then
# `egate audit replay` re-derives every passage from its record and the
# parameters of its version and agrees with all of them; a decision edited
# in the database is a disagreement. The attacker who re-signs the log with
# the host's keys is in test_replay.c (the library can re-sign; a shell
# cannot).
#
#   test_replay.sh BUILDDIR SRCDIR
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
q() { sqlite3 "file:$t/audit.db?mode=ro" "$1"; }

e2e_pki K01
printf '[policy]\nfile = %s\n' "$t/policy.ini" >> "$t/host.conf"
bundle() {	# bundle VERSION MATCH_THRESHOLD: the kiosk's own file's values otherwise
  cat <<B
[policy]
version = $1
[thresholds]
match_threshold = $2
; a low liveness threshold: replay must re-derive whatever threshold
; was in force (the production value is 0.50, docs/face.md)
liveness_threshold = 0.01
watchlist_threshold = 0.5
max_capture_attempts = 3
min_age = 0
[settings]
mandatory_checks = mrz_valid, chip_access, passive_auth, dg_hashes, dg1_matches_mrz, chip_auth, not_expired, issuer_accepted, min_age
accepted_issuers = UTO
no_chip_auth = accept
watchlist_action = refer
B
}
bundle 2 0.5 > "$t/policy.ini"
e2e_kiosk_conf K01
e2e_host_start "$t/host.log"

# ---- every demo passage under version 2 (the kiosk checks each outcome)
"$kioskd" --config "$t/K01.conf" --scenario "$root/hw/sim/scenarios/demo.ini" --config-wait 30 \
  --drain 60 >"$t/kiosk.out" 2>"$t/kiosk.log" || fail "egate-kiosk-sim: a decision differed from demo.ini"
grep -q 'config version 2 applied (pushed' "$t/kiosk.out" || fail "version 2 not applied"
# the runner removed its scratch folders ($TMPDIR: the camera's frames, the PKI)
left=$(ls -A "$TMPDIR")
[ -z "$left" ] || fail "egate-kiosk-sim left scratch folders in \$TMPDIR: $left"

# ---- version 3: the genuine traveller (0.99) is referred at 0.999
bundle 3 0.999 > "$t/policy.ini"
kill -HUP "$host_pid"
for _ in $(seq 1 100); do
  grep -q 'config.loaded.*version=3' "$t/host.log" && break
  sleep 0.1
done
cat > "$t/genuine.ini" <<INI
[scenario]
name = replay-v3
today = 2026-11-29
[passage genuine]
traveller = genuine-td3
chip_face = sample5.jpg
expiry = 341231
camera = portrait:sample5.jpg
expect = refer
expect_rule = biometric_mismatch
INI
"$kioskd" --config "$t/K01.conf" --scenario "$t/genuine.ini" --config-wait 30 --drain 60 \
  >"$t/kiosk-v3.out" 2>>"$t/kiosk.log" || fail "egate-kiosk-sim under version 3"
grep -q 'config version 3 applied (pushed' "$t/kiosk-v3.out" || fail "version 3 not applied"
e2e_host_stop

n=$(q "SELECT COUNT(*) FROM records WHERE type = 'passage'")
n2=$(q "SELECT COUNT(*) FROM records WHERE type = 'passage' AND payload LIKE '%\"config_version\":2,%'")
n3=$(q "SELECT COUNT(*) FROM records WHERE type = 'passage' AND payload LIKE '%\"config_version\":3,%'")
[ "$n" -ge 13 ] && [ "$n2" -ge 12 ] && [ "$n3" = 1 ] && [ $((n2 + n3)) = "$n" ] ||
  fail "expected the demo queue under version 2 and one passage under 3: $n passages, $n2, $n3"

# ---- a genuine log: every passage agrees (exit 0)
rc=0; "$egate" audit --db "$t/audit.db" replay --all >"$t/replay.txt" || rc=$?
cat "$t/replay.txt"
[ "$rc" = 0 ] || fail "replay of a genuine log: exit $rc"
grep -q "^AGREE: $n passages replayed: $n agree, 0 disagree" "$t/replay.txt" || fail "summary"
rc=0; "$egate" audit --db "$t/audit.db" replay --all --json >"$t/replay.json" || rc=$?
[ "$rc" = 0 ] || fail "replay --json: exit $rc"
python3 - "$t/replay.json" "$n" <<'PY' || fail "replay --json does not say what the records say"
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert d["passages"] == n and d["agree"] == n and d["verdict"] == "AGREE", d
rules = set()
for r in d["records"]:
    assert r["verdict"] == "agree", r
    assert r["replayed"] == r["recorded"], r
    assert r["config_version"] in (2, 3), r
    rules.add(r["recorded"]["rule"])
# the outcomes of the demo queue, each re-derived
want = {"all_checks_passed", "biometric_mismatch", "failed:not_expired", "failed:dg_hashes",
        "failed:passive_auth", "chip_unreadable", "pad_alarm", "more_than_one_person",
        "abandoned:doc_removed", "abandoned:traveller_left", "watchlist_hit", "device_lost"}
assert want <= rules, want - rules
PY

# ---- one record, a range, a filter
seq=$(q "SELECT seq FROM records WHERE type = 'passage' AND reason = 'watchlist_hit' LIMIT 1")
"$egate" audit --db "$t/audit.db" replay --kiosk K01 --seq "$seq" >"$t/one.txt" ||
  fail "replay --seq $seq"
grep -q "REFER watchlist_hit .*REFER watchlist_hit .*agree" "$t/one.txt" || fail "one record: $(cat "$t/one.txt")"
"$egate" audit --db "$t/audit.db" replay --seq 2-4 >"$t/range.txt" || fail "replay --seq 2-4"
grep -q "^AGREE: 3 passages replayed" "$t/range.txt" || fail "range: $(cat "$t/range.txt")"
"$egate" audit --db "$t/audit.db" replay --decision OPEN >"$t/open.txt" || fail "replay --decision OPEN"
grep -q "^AGREE: 2 passages replayed" "$t/open.txt" || fail "filter: $(cat "$t/open.txt")"
rc=0; "$egate" audit --db "$t/audit.db" replay --seq 9999 >/dev/null || rc=$?
[ "$rc" = 7 ] || fail "no passage selected: exit $rc, expected 7"
rc=0; "$egate" audit --db "$t/audit.db" replay >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "replay without a selection: exit $rc, expected 2"
rc=0; "$egate" audit --db "$t/audit.db" replay --all --seq 3 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "replay --all with a filter: exit $rc, expected 2"

# ---- the v3 referral replayed under v2's parameters would have opened: the
# parameters of the version decide, not the scores' recorded thresholds
v3id=$(q "SELECT id FROM records WHERE type = 'passage' AND payload LIKE '%\"config_version\":3,%'")
"$egate" audit --db "$t/audit.db" replay --id "$v3id" | grep -q "REFER biometric_mismatch .*REFER biometric_mismatch .*agree" ||
  fail "the v3 referral"

# ---- a decision edited in the database (REFER -> OPEN, column and payload):
# a disagreement, whatever verify says about the hashes
cp "$t/audit.db" "$t/edited.db"
rid=$(q "SELECT id FROM records WHERE type = 'passage' AND reason = 'biometric_mismatch' LIMIT 1")
sqlite3 "$t/edited.db" "DROP TRIGGER IF EXISTS records_no_update;
  UPDATE records SET decision = 'OPEN', reason = 'all_checks_passed',
    payload = replace(replace(payload, '\"decision\":\"REFER\"', '\"decision\":\"OPEN\"'),
                      '\"reason\":\"biometric_mismatch\"', '\"reason\":\"all_checks_passed\"')
  WHERE id = $rid;" || fail "cannot edit the copy"
[ "$(sqlite3 "$t/edited.db" "SELECT decision FROM records WHERE id = $rid")" = OPEN ] ||
  fail "the edit did not take"
rc=0; "$egate" audit --db "$t/edited.db" replay --all >"$t/edited.txt" || rc=$?
[ "$rc" = 1 ] || fail "replay of an edited decision: exit $rc, expected 1"
grep -q "OPEN all_checks_passed .*REFER biometric_mismatch .*disagree" "$t/edited.txt" ||
  fail "the edited record is not the disagreement: $(cat "$t/edited.txt")"
grep -q "^DISAGREE: $n passages replayed: $((n - 1)) agree, 1 disagree" "$t/edited.txt" || fail "edited summary"
echo "replay: $n passages under versions 2 and 3 agree; an edited decision disagrees"
