#!/bin/sh
# gallery-cli.sh EGATE TESTDATA — `egate face enroll` and `egate face search`
# end to end: exit codes (0 hit / all enrolled, 1 no hit / some refused,
# 2 error), the label sidecar, refusals with reasons, damaged galleries.
set -u
egate=$1 data=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
g=$tmp/watch.gal

for f in 1 2 3 4 5 6; do
  [ -r "$data/sample$f.jpg" ] || { echo "missing $data/sample$f.jpg: run scripts/install-deps" >&2; exit 1; }
done

expect() {	# expect CODE DESCRIPTION -- ARGS...
  want=$1 what=$2
  shift 3
  out=$("$egate" face "$@" 2>&1)
  got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want" >&2
    echo "$out" | tail -8 >&2
    fail=1
  else
    echo "ok: $what (exit $got)"
  fi
  last=$out
}
has() {	# has PATTERN DESCRIPTION: the last output contains PATTERN
  case $last in *"$1"*) ;; *) echo "FAIL: $2: no '$1' in:" >&2; echo "$last" | tail -8 >&2; fail=1 ;; esac
}

# The quality gate refuses poor faces and says why; nothing is written.
expect 1 "enrol refuses a closed-eyes face" -- enroll --gallery "$g" "$data/sample1.jpg#2"
has "REFUSED: quality: " "refusal reason"
has "eye_left_open" "failed measure named"
has "nothing written" "nothing written"
[ ! -e "$g" ] || { echo "FAIL: a gallery was written after a refusal" >&2; fail=1; }

# Enrol every face of sample1..3 by position (--force: group photos are not
# passport photos; several fail the gate), and the first two of sample5.
expect 0 "enrol 11 faces with --force" -- enroll --gallery "$g" --force \
  "$data/sample1.jpg#1" "$data/sample1.jpg#2" "$data/sample1.jpg#3" \
  "$data/sample2.jpg#1" "$data/sample2.jpg#2" "$data/sample2.jpg#3" \
  "$data/sample3.jpg#1" "$data/sample3.jpg#2" "$data/sample3.jpg#3" \
  "$data/sample5.jpg#1" "$data/sample5.jpg#2"
has "enrolled anyway (--force)" "forced enrolment said so"
has "11 entries (f32)" "gallery size"
[ "$(grep -c '	sample' "$g.labels")" = 11 ] || { echo "FAIL: 11 labels expected" >&2; fail=1; }
head -1 "$g.labels" | grep -q '^# egate face labels v1$' || { echo "FAIL: labels header" >&2; fail=1; }
perm=$(stat -c %a "$g")
[ "$perm" = 600 ] || { echo "FAIL: gallery mode $perm, want 600" >&2; fail=1; }
perm=$(stat -c %a "$g.labels")
[ "$perm" = 600 ] || { echo "FAIL: labels mode $perm, want 600" >&2; fail=1; }

# Appending keeps what is there; ids go on from the largest.
expect 0 "append one more" -- enroll --gallery "$g" "$data/sample6.jpg#2"
has "enrolled id 000000000000000c label sample6.jpg#2" "next id"
has "12 entries" "appended"
expect 2 "format of an existing gallery cannot change" -- enroll --gallery "$g" --format i8 "$data/sample6.jpg#1"

# Search: the right face first, a hit; an unenrolled person: no hit.
expect 0 "search finds sample3.jpg#1" -- search --gallery "$g" "$data/sample3.jpg#1"
has " 1. id 0000000000000007  score" "rank 1 is id 7"
has "HIT    sample3.jpg#1" "label printed with the hit"
expect 0 "search finds sample5.jpg#2 (json)" -- search --gallery "$g" --json -k 3 "$data/sample5.jpg#2"
case $last in '{"hit":true,'*'"results":[{"rank":1,"id":"000000000000000b","label":"sample5.jpg#2"'*) ;;
  *) echo "FAIL: json: $last" >&2; fail=1 ;; esac
expect 1 "a person not enrolled is no hit" -- search --gallery "$g" "$data/sample4.jpg#1"
has "NO HIT" "no hit said"
expect 0 "threshold -1 makes anyone a hit" -- search --gallery "$g" --threshold -1 -k 1 "$data/sample4.jpg#1"
expect 2 "no such face number" -- search --gallery "$g" "$data/sample1.jpg#9"
has "fewer faces" "face-number hint"
expect 2 "face number 0" -- search --gallery "$g" "$data/sample1.jpg#0"
expect 2 "bad -k" -- search --gallery "$g" -k 0 "$data/sample1.jpg"
expect 2 "no gallery" -- search --gallery "$tmp/none.gal" "$data/sample1.jpg"
has "no such gallery" "missing gallery named"

# --id-from filename: the id is the label's hash; the same label twice is refused.
h=$tmp/hash.gal
expect 0 "enrol by filename hash" -- enroll --gallery "$h" --id-from filename --format i8 --no-quality "$data/sample6.jpg#1"
expect 1 "the same label again is refused" -- enroll --gallery "$h" --id-from filename --no-quality "$data/sample6.jpg#1"
has "already enrolled" "duplicate reason"
expect 0 "search the i8 gallery" -- search --gallery "$h" "$data/sample6.jpg#1"
has "i8" "format shown"

# Damage: a flipped byte, a cut file, labels that do not belong.
cp "$g" "$tmp/flip.gal"; cp "$g.labels" "$tmp/flip.gal.labels"
printf '\377' | dd of="$tmp/flip.gal" bs=1 seek=200 conv=notrunc 2>/dev/null
expect 2 "a corrupted gallery is an error" -- search --gallery "$tmp/flip.gal" "$data/sample1.jpg"
has "EG_ERR_CHECKSUM" "checksum error named"
has "corrupted" "corruption said"
head -c 100 "$g" > "$tmp/cut.gal"; cp "$g.labels" "$tmp/cut.gal.labels"
expect 2 "a truncated gallery is an error" -- search --gallery "$tmp/cut.gal" "$data/sample1.jpg"
cp "$g" "$tmp/mis.gal"; head -5 "$g.labels" > "$tmp/mis.gal.labels"
expect 2 "labels that do not match the gallery" -- search --gallery "$tmp/mis.gal" "$data/sample1.jpg"
has "do not belong together" "mismatch said"
cp "$g" "$tmp/nolab.gal"
expect 2 "labels missing" -- search --gallery "$tmp/nolab.gal" "$data/sample1.jpg"
cp "$g" "$tmp/badlab.gal"; { cat "$g.labels"; printf 'zz\tbad\n'; } > "$tmp/badlab.gal.labels"
expect 2 "a bad label line" -- search --gallery "$tmp/badlab.gal" "$data/sample1.jpg"
has "badlab.gal.labels:14: bad label line" "line number"
echo x > "$tmp/orphan.gal.labels"
expect 2 "labels without a gallery are not overwritten" -- enroll --gallery "$tmp/orphan.gal" "$data/sample1.jpg"
expect 2 "enroll without images" -- enroll --gallery "$g"
expect 2 "enroll without --gallery" -- enroll "$data/sample1.jpg"
expect 2 "bad --format" -- enroll --gallery "$g" --format f64 "$data/sample1.jpg"
expect 1 "an unreadable image is refused" -- enroll --gallery "$g" /nonexistent.jpg
exit $fail
