#!/bin/sh
# liveness-cli.sh EGATE TESTDATA — `egate face liveness`: exit codes (0 bona
# fide, 1 attack, 2 error), the per-cue output, --json, and the policy's
# settings (--policy, --require-live-sign, --cues, --threshold).
set -u
egate=$1 data=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$data/sample1.jpg" "$data/sample2.jpg" "$data/sample5.jpg"; do
  [ -r "$f" ] || { echo "missing $f: run scripts/install-deps" >&2; exit 1; }
done

expect() {	# expect CODE DESCRIPTION -- ARGS...
  want=$1 what=$2
  shift 3
  out=$("$egate" face liveness "$@" 2>&1)
  got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want" >&2
    echo "$out" | tail -5 >&2
    fail=1
  else
    echo "ok: $what (exit $got)"
  fi
  last=$out
}

s5=$data/sample5.jpg
expect 0 "help" -- --help
case $last in *"exit: 0 bona fide, 1 attack, 2 error"*) ;; *) echo "FAIL: help" >&2; fail=1 ;; esac
expect 2 "no frame" --
expect 2 "missing frame" -- "$tmp/none.jpg"
expect 2 "frames of two sizes" -- "$s5" "$data/sample2.jpg"
expect 2 "unknown cue" -- --cues spectrum,nose "$s5"
expect 2 "threshold out of range" -- --threshold 1.5 "$s5"
printf 'not an image' >"$tmp/junk.jpg"
expect 2 "not an image" -- "$tmp/junk.jpg"

# every cue is reported; a still cannot show motion, a blink or depth
expect 0 "threshold 0: always bona fide" -- --threshold 0 "$s5"
for c in spectrum range glare banding frame planar_motion micro_motion blink depth moire; do
  case $last in *"  $c "*) ;; *) echo "FAIL: cue $c not printed" >&2; fail=1 ;; esac
done
case $last in *"planar_motion    -   abstained one frame"*) ;; *)
  echo "FAIL: motion on one frame not abstained" >&2; fail=1 ;; esac
case $last in *"depth            -   abstained no depth stream"*) ;; *)
  echo "FAIL: depth not abstained" >&2; fail=1 ;; esac
expect 1 "threshold 1: always an attack" -- --threshold 1 "$s5"
case $last in *"ATTACK (decided by "*) ;; *) echo "FAIL: no decision line" >&2; fail=1 ;; esac

# a sign of life required: none in a still
expect 1 "sign of life required, one frame" -- --require-live-sign --threshold 0.01 "$s5"
case $last in *"decided by no sign of life"*) ;; *) echo "FAIL: rule not named" >&2; fail=1 ;; esac

# the same from a policy bundle
cat >"$tmp/policy.ini" <<'POLICY'
[policy]
version = 1
[thresholds]
match_threshold = 0.5
liveness_threshold = 0.01
watchlist_threshold = 0.5
max_capture_attempts = 3
min_age = 0
[settings]
mandatory_checks = mrz_valid
accepted_issuers =
no_chip_auth = refer
watchlist_action = refer
pad_cues = range, blink
pad_live_sign = required
POLICY
expect 1 "policy: sign of life required" -- --json --policy "$tmp/policy.ini" "$s5" "$s5"
printf '%s' "$last" >"$tmp/out.json"
python3 - "$tmp/out.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["live"] is False and d["live_sign_required"] is True, d
assert d["threshold"] == 0.01 and d["frames"] == 2 and d["key_frame"] == 0, d
assert d["decided_by"] == "no sign of life", d
cues = d["cues"]
assert len(cues) == 10, cues.keys()
assert cues["spectrum"]["state"] == "off" and cues["range"]["state"] == "scored", cues
assert cues["blink"]["state"] == "scored" and cues["blink"]["raw"] < 0.05, cues["blink"]
assert cues["planar_motion"]["state"] == "off", cues["planar_motion"]
for k in ("score", "raw", "limit", "unit", "threshold", "veto", "live_sign", "artefact",
          "detail", "ms"):
    assert k in cues["range"], k
# no sign of life in a still: nothing relieved, the artefact cue refuses
# under the policy's threshold itself
assert d["relieved"] is False and d["live_sign_seen"] is False, d
assert cues["range"]["artefact"] is True and cues["blink"]["artefact"] is False, cues
assert cues["range"]["threshold"] == 0.01, cues["range"]
print("ok: policy bundle's PAD settings applied, JSON complete")
PY
expect 2 "bad policy bundle" -- --policy "$tmp/none.ini" "$s5"

# one match threshold decides: the policy's (verify and search take it too)
sed 's/^match_threshold = 0.5/match_threshold = 0.2/' "$tmp/policy.ini" >"$tmp/low.ini"
out=$("$egate" face verify --no-quality --no-liveness "$data/sample1.jpg" "$data/sample1.jpg#2")
[ $? = 1 ] || { echo "FAIL: two people matched at the profile's threshold" >&2; fail=1; }
out=$("$egate" face verify --policy "$tmp/low.ini" --no-quality --no-liveness \
  "$data/sample1.jpg" "$data/sample1.jpg#2")
[ $? = 0 ] || { echo "FAIL: the policy's match_threshold 0.2 not used" >&2; fail=1; }
case $out in *"threshold 0.2000"*) echo "ok: verify --policy decides with match_threshold" ;;
  *) echo "FAIL: verify --policy threshold not printed" >&2; fail=1 ;; esac
exit $fail
