#!/bin/sh
# cli.sh EGATE TESTDATA CORPUS — `egate face verify` exit codes (as cmp:
# 0 match, 1 no match, 2 error) and output, on the test photos.
set -u
egate=$1 data=$2 corpus=$3
fail=0

for f in "$data/sample1.jpg" "$data/sample3.jpg" "$data/sample5.jpg"; do
  [ -r "$f" ] || { echo "missing $f: run scripts/install-deps" >&2; exit 1; }
done

expect() {	# expect CODE DESCRIPTION -- ARGS...
  want=$1 what=$2
  shift 3
  out=$("$egate" face "$@" 2>&1)
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

expect 0 "same photo matches" -- verify "$data/sample1.jpg" "$data/sample1.jpg"
case $last in *"score 1.0000"*"MATCH"*) ;; *) echo "FAIL: no score line" >&2; fail=1 ;; esac
case $last in *TAILGATING*) ;; *) echo "FAIL: three people not flagged" >&2; fail=1 ;; esac
case $last in *"ms: decode"*detect*embed*liveness*) ;; *) echo "FAIL: no timings" >&2; fail=1 ;; esac
expect 1 "different people do not match" -- verify "$data/sample1.jpg" "$data/sample3.jpg"
expect 0 "a threshold of -1 matches anyone" -- verify --threshold -1 "$data/sample1.jpg" "$data/sample3.jpg"
expect 0 "json" -- verify --json "$data/sample5.jpg" "$data/sample5.jpg"
case $last in '{"score":'*'"match":true'*'"quality":{'*'"liveness":{'*) ;;
  *) echo "FAIL: json output: $last" >&2; fail=1 ;; esac
expect 2 "corrupt DG2 is an error" -- verify "$corpus/bad_magic" "$data/sample1.jpg"
case $last in *EG_ERR_FORMAT*) ;; *) echo "FAIL: no format error named" >&2; fail=1 ;; esac
expect 2 "huge image header is an error" -- verify "$corpus/huge_jpeg_dimensions" "$data/sample1.jpg"
case $last in *"more than 8192"*) ;; *) echo "FAIL: no size hint" >&2; fail=1 ;; esac
expect 2 "missing file" -- verify /nonexistent.jpg "$data/sample1.jpg"
expect 2 "missing models" -- verify --model-dir /nonexistent "$data/sample1.jpg" "$data/sample1.jpg"
case $last in *install-deps*) ;; *) echo "FAIL: no install-deps hint" >&2; fail=1 ;; esac
expect 2 "one image only" -- verify "$data/sample1.jpg"
expect 2 "bad threshold" -- verify --threshold 2 "$data/sample1.jpg" "$data/sample1.jpg"
expect 2 "unknown verb" -- frobnicate
exit $fail
