#!/usr/bin/env bash
# The pictures of a biometric referral (issue 14): they travel kiosk ->
# egate-host -> officer console over the mTLS sessions while the referral
# waits, are never written to disk or to a log on any side, and are wiped
# when the referral is decided, ends at the kiosk, or its kiosk goes away.
#
# fake-kiosk plays the kiosk (egate-kiosk does not send pictures yet): two
# JPEGs made in its memory from test photos, each carrying a random marker
# in a comment segment. The test checks that the console receives exactly
# those bytes, that a later subscriber does not, and at the end scans every
# file the host, the console, `egate officer watch` and the kiosk could have
# written (the audit database and its WAL, the logs, their outputs, their
# TMPDIR) for the marker in raw, hex and base64 form.
set -euo pipefail
build=$1 root=$2 fake=$3
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
export TMPDIR="$t/tmp"
mkdir -p "$TMPDIR"
e2e_pki K02 K03 K04
e2e_host_start
marker="EGATE-PICTURE-$(openssl rand -hex 12)"
e2e_console_start
"$egate" officer watch --json >"$t/watch1.jsonl" 2>"$t/watch1.err" & e2e_pids="$e2e_pids $!"

fake_kiosk() { # ID OUT [ARGS...]
  local id=$1 out=$2; shift 2
  "$fake" --port "$port" --ca "$pki/ca/ca.crt" --cert "$pki/$id.crt" --key "$pki/$id.key" \
    --id "$id" --marker "$marker" "$@" >"$out" 2>"$out.err" & fake_pid=$!
  e2e_pids="$e2e_pids $fake_pid"
}
has_images() { # KIOSK SEQ: the console holds pictures for this referral
  e2e_console_state | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if any(i["kiosk"] == sys.argv[1] and i["seq"] == int(sys.argv[2]) for i in s["images"]) else 1)' "$1" "$2"
}
nothing_waits() { # KIOSK: no referral and no pictures of that kiosk on the console
  e2e_console_state | python3 -c '
import json, sys
s = json.load(sys.stdin)
k = sys.argv[1]
sys.exit(0 if not any(x["kiosk"] == k for x in s["referrals"] + s["images"]) else 1)' "$1"
}
line_in() { grep -q "$2" "$1" 2>/dev/null; }

# ---- 1. decided by the officer ---------------------------------------------------
fake_kiosk K02 "$t/fake2.out"
e2e_wait_for 120 line_in "$t/fake2.out" '^images ' || fail "fake-kiosk sent no pictures: $(cat "$t/fake2.out.err")"
seq=$(sed -n 's/^ready seq=//p' "$t/fake2.out")
read -r live_sha portrait_sha live_bytes portrait_bytes < <(sed -n \
  's/^images live=\([0-9a-f]*\) portrait=\([0-9a-f]*\) live_bytes=\([0-9]*\) portrait_bytes=\([0-9]*\)$/\1 \2 \3 \4/p' "$t/fake2.out")
e2e_wait_for 10 has_images K02 "$seq" || fail "the console did not get the pictures of K02/$seq"
# exactly the kiosk's bytes, as data: URLs (no URL the browser could cache)
e2e_console_state | python3 -c '
import base64, hashlib, json, sys
s = json.load(sys.stdin)
im = [i for i in s["images"] if i["kiosk"] == "K02"][0]
for k, want in (("live", sys.argv[1]), ("portrait", sys.argv[2])):
    pre = "data:image/jpeg;base64,"
    assert im[k].startswith(pre), im[k][:40]
    got = hashlib.sha256(base64.b64decode(im[k][len(pre):])).hexdigest()
    assert got == want, (k, got, want)
r = [x for x in s["referrals"] if x["kiosk"] == "K02"][0]
assert r["reason"] == "biometric_mismatch" and json.loads(r["explanation"])["decision"] == "REFER", r
' "$live_sha" "$portrait_sha" || fail "the pictures on the console are not the kiosk's"
# watch tells that they arrived, never what they are
e2e_wait_for 10 line_in "$t/watch1.jsonl" '"event":"images"' || fail "watch did not see the pictures"
python3 - "$t/watch1.jsonl" "$live_bytes" "$portrait_bytes" <<'PY' || fail "watch --json images event"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if '"event":"images"' in l][0]
assert ev["live_bytes"] == int(sys.argv[2]) and ev["portrait_bytes"] == int(sys.argv[3]), ev
assert set(ev) == {"event", "ts_ms", "kiosk", "seq", "live_bytes", "portrait_bytes"}, ev
PY
# the officer decides through the console
res=$(curl -sf --max-time 30 -H "X-Egate-Token: $console_token" --data kiosk=K02 \
  --data action=override_reject --data passage="$seq" \
  --data-urlencode "reason=Not the passport holder" "$console_base/api/action") \
  || fail "POST /api/action failed"
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["ok"] and r["command_id"] > 0, r' "$res" \
  || fail "the decision was not carried out: $res"
e2e_wait_for 10 line_in "$t/fake2.out" '^decided action=reject officer=officer.kim' || fail "the kiosk got no decision"
e2e_wait_for 10 nothing_waits K02 || fail "the console still holds the referral or its pictures after the decision"
e2e_wait_for 10 line_in "$t/host.log" 'referral.images_wiped.*kiosk=K02.*why=decided' \
  || fail "the host did not wipe the pictures when the referral was decided"
e2e_wait_for 10 line_in "$t/watch1.jsonl" '"event":"closed".*"why":"decided","officer":"officer.kim","action":"OVERRIDE_REJECT"' \
  || fail "watch did not see the referral closed by the officer"
# a subscriber that arrives now gets no pictures
"$egate" officer watch --json >"$t/watch2.jsonl" 2>&1 & w2=$!
e2e_wait_for 10 line_in "$t/watch2.jsonl" '"event":"snapshot"' || fail "second watch got no snapshot"
kill "$w2"; wait "$w2" || true
! grep -q '"event":"images"' "$t/watch2.jsonl" || fail "pictures sent after the decision"

# ---- 2. the referral ends at the kiosk (the traveller left, the kiosk timed out) ----
fake_kiosk K03 "$t/fake3.out" --withdraw-after 4000
e2e_wait_for 120 line_in "$t/fake3.out" '^images ' || fail "K03 sent no pictures"
seq3=$(sed -n 's/^ready seq=//p' "$t/fake3.out")
e2e_wait_for 10 has_images K03 "$seq3" || fail "the console did not get the pictures of K03"
e2e_wait_for 30 line_in "$t/fake3.out" '^withdrawn' || fail "K03 did not withdraw"
e2e_wait_for 10 nothing_waits K03 || fail "pictures kept after the referral ended at the kiosk"
grep -q 'referral.images_wiped.*kiosk=K03.*why="no longer waiting at the kiosk"' "$t/host.log" \
  || fail "the host did not wipe K03's pictures"

# ---- 3. the kiosk goes away while its referral waits --------------------------------
fake_kiosk K04 "$t/fake4.out"
e2e_wait_for 120 line_in "$t/fake4.out" '^images ' || fail "K04 sent no pictures"
seq4=$(sed -n 's/^ready seq=//p' "$t/fake4.out")
e2e_wait_for 10 has_images K04 "$seq4" || fail "the console did not get the pictures of K04"
kill -KILL "$fake_pid"
e2e_wait_for 10 nothing_waits K04 || fail "pictures kept after the kiosk went offline"
grep -q 'referral.images_wiped.*kiosk=K04.*why="kiosk offline"' "$t/host.log" \
  || fail "the host did not wipe K04's pictures"
# an offline kiosk shows OFFLINE, not its last state (REFERRED)
"$egate" officer status --json | python3 -c '
import json, sys
k = {x["kiosk"]: x for x in json.load(sys.stdin)}["K04"]
assert not k["connected"] and k["state"] == "OFFLINE" and k["referral_seq"] == 0, k' \
  || fail "status shows an offline kiosk as still referred"
"$egate" officer status | grep -q '^K04 *offline *OFFLINE' || fail "status table for an offline kiosk"

# ---- the end: nothing of the pictures anywhere ----------------------------------------
kill "$console_pid"; wait "$console_pid" || fail "egate officer console did not stop cleanly"; console_pid=
e2e_host_stop
"$egate" audit --db "$t/audit.db" query --json >"$t/audit.json"
python3 - "$t/audit.json" "$seq" <<'PY' || fail "audit records"
import json, sys
txt = open(sys.argv[1]).read()
try:
    rows = json.loads(txt)
except ValueError:
    rows = [json.loads(l) for l in txt.splitlines() if l.strip()]
seq = int(sys.argv[2])
ref = [r for r in rows if r["kiosk_id"] == "K02" and r["seq"] == seq][0]
assert ref["decision"] == "REFER", ref
dec = [r for r in rows if r["kiosk_id"] == "K02" and r["decision"] == "REJECT"][0]
assert dec["officer"] == "officer.kim" and json.loads(dec["payload"])["overrides_seq"] == seq, dec
act = [r for r in rows if r["kiosk_id"] == "host" and r["type"] == "officer"][0]
assert act["reason"] == "Not the passport holder" and act["officer"] == "officer.kim", act
PY
python3 - "$t" "$marker" <<'PY' || fail "the pictures reached the disk or a log"
import base64, os, sys
root, marker = sys.argv[1], sys.argv[2].encode()
forms = {"raw": marker, "hex": marker.hex().encode(), "HEX": marker.hex().upper().encode()}
for shift in range(3):  # base64 of the marker at each alignment, edges dropped
    b = base64.b64encode(b"\0" * shift + marker)
    forms["base64+%d" % shift] = b[4:-4]
hits, files = [], 0
for d, _, names in os.walk(root):
    for n in names:
        p = os.path.join(d, n)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        data = open(p, "rb").read()
        files += 1
        hits += ["%s (%s)" % (p, f) for f, m in forms.items() if m in data]
assert files >= 8, files
assert not hits, hits
print("scanned %d files: no picture" % files)
PY
echo "console images: ok"
rm -rf "$t"
