#!/bin/sh
# egate config check: valid files pass; each kind of bad input exits
# non-zero with FILE:LINE: [SECTION] KEY: message on stderr.
set -u
egate=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() {	# expect EXIT STDERR-SUBSTRING -- ARGS...
	want_rc=$1; want_err=$2; shift 3
	"$egate" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want_rc" ] || { [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/err"; }; then
		echo "FAIL: egate $* -> rc=$rc (want $want_rc), stderr: $(cat "$tmp/err") (want '$want_err')"
		fail=1
	else
		echo "ok: egate $* -> $rc"
	fi
}

expect 0 "" -- config check --kind kiosk "$examples/kiosk.conf"
expect 0 "" -- config check --kind host "$examples/host.conf"
expect 3 "$tmp/missing.conf: cannot open: No such file or directory" -- config check "$tmp/missing.conf"

# policy bundles: the host's own reader
expect 0 "" -- config check --kind policy "$examples/policy.ini"
sed 's/^match_threshold = 0.50/match_threshold = 1.5/' "$examples/policy.ini" >"$tmp/policy-range.ini"
expect 1 "match_threshold" -- config check --kind policy "$tmp/policy-range.ini"
sed 's/^no_chip_auth = refer/no_chip_auth = sometimes/' "$examples/policy.ini" >"$tmp/policy-enum.ini"
expect 1 "no_chip_auth" -- config check --kind policy "$tmp/policy-enum.ini"
expect 2 "--kind must be kiosk, host or policy" -- config check --kind gallery "$examples/policy.ini"

sed 's/^port = 4433/prot = 4433/' "$examples/kiosk.conf" >"$tmp/unknown.conf"
expect 1 "unknown.conf:12: [host] prot: unknown key" -- config check "$tmp/unknown.conf"

sed 's/^port = 4433/port = 99999/' "$examples/kiosk.conf" >"$tmp/range.conf"
expect 1 "range.conf:12: [host] port: value 99999 is out of range (1 to 65535)" -- config check "$tmp/range.conf"

# integers are decimal only: 0443 is not octal 291, 0x1BB not 443 (issue #15)
sed 's/^port = 4433/port = 0443/' "$examples/kiosk.conf" >"$tmp/octal.conf"
expect 1 "octal.conf:12: [host] port: '0443' has a leading zero (octal?); integers here are decimal" -- config check "$tmp/octal.conf"
sed 's/^port = 4433/port = 0x1BB/' "$examples/kiosk.conf" >"$tmp/hex.conf"
expect 1 "hex.conf:12: [host] port: '0x1BB' is hexadecimal" -- config check "$tmp/hex.conf"
sed 's/^port = 4433/port = +443/' "$examples/kiosk.conf" >"$tmp/plus.conf"
expect 1 "plus.conf:12: [host] port: '+443' has a '+' sign" -- config check "$tmp/plus.conf"

sed 's/^language = en/language = fr/' "$examples/kiosk.conf" >"$tmp/enum.conf"
expect 1 "enum.conf:7: [kiosk] language: 'fr' is not one of: en, ko" -- config check "$tmp/enum.conf"

{ cat "$examples/host.conf"; printf '; %0250d\n' 0; } >"$tmp/long.conf"
longline=$(( $(wc -l < "$examples/host.conf") + 1 ))
expect 1 "long.conf:$longline: line too long (more than 198 bytes)" -- config check --kind host "$tmp/long.conf"

grep -v '^id = ' "$examples/kiosk.conf" >"$tmp/noid.conf"
expect 1 "noid.conf: [kiosk] id: required key is missing" -- config check "$tmp/noid.conf"

expect 2 "--kind must be kiosk, host or policy" -- config check --kind toaster "$examples/kiosk.conf"
expect 2 "not a command" -- frobnicate

"$egate" config keys --kind host --json | python3 -c 'import json,sys; k=json.load(sys.stdin); assert any(x["key"]=="checkpoint_interval" for x in k)' \
	|| { echo "FAIL: config keys --json"; fail=1; }

[ $fail = 0 ] && echo "config cli: all passed"
exit $fail
