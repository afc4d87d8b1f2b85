#!/bin/sh
# egate pki as integrators run it (egate-pki(1)):
#  - every failure issue #15 lists for `egate pki issue` (--days 0, an empty
#    or over-long CN, a missing CA folder, an unwritable output) exits with
#    its code and a reason, leaves the folder exactly as it was, and the
#    same command then succeeds;
#  - device enrolment from the command line: enrol-token, csr --config on
#    the "kiosk" (the key made there), sign-csr, the token burnt;
#  - list (table, --json, --tokens, --expiring and its exit status), renew,
#    revoke --serial, the update role;
#  - `egate officer` refuses an officer key readable by others.
set -u
egate=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cd "$tmp" || exit 1

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
snap() { (find . -path ./out -prune -o -path ./err -prune -o -print | LC_ALL=C sort; cat ca/index.txt ca/certs/* 2>/dev/null) | cksum; }
unchanged() {	# unchanged WHAT — the folder is as it was before
	if [ "$(snap)" = "$before" ]; then echo "ok: $1 left nothing behind"
	else echo "FAIL: $1 left something behind:"; find . | LC_ALL=C sort; fail=1; fi
}

expect 0 "" -- pki init --dir ca --name "CLI Test CA"
mkdir out-dir
printf 'not a folder\n' >afile
before=$(snap)
expect 2 "--days wants a number of days, 1 to 36500" -- pki issue --dir ca --role kiosk --cn K01 --key-out k01.key --out k01.crt --days 0
unchanged "--days 0"
expect 2 "the CN must be 1 to 64" -- pki issue --dir ca --role kiosk --cn "" --key-out k01.key --out k01.crt
unchanged "an empty CN"
long=K1234567890123456789012345678901234567890123456789012345678901234
expect 2 "the CN must be 1 to 64" -- pki issue --dir ca --role kiosk --cn "$long" --key-out k01.key --out k01.crt
unchanged "an over-long CN"
expect 3 "no CA folder nope" -- pki issue --dir nope --role kiosk --cn K01 --key-out k01.key --out k01.crt
unchanged "a missing CA folder"
expect 3 "cannot write nodir/k01.crt" -- pki issue --dir ca --role kiosk --cn K01 --key-out k01.key --out nodir/k01.crt
unchanged "an unwritable certificate output"
expect 3 "cannot write afile/k01.key" -- pki issue --dir ca --role kiosk --cn K01 --key-out afile/k01.key --out k01.crt
unchanged "an unwritable key output"
expect 1 "afile exists and is not a certificate" -- pki issue --dir ca --role kiosk --cn K01 --key-out k01.key --out afile
unchanged "a non-certificate output"
expect 0 "" -- pki issue --dir ca --role kiosk --cn K01 --key-out k01.key --out k01.crt
[ "$(stat -c %a k01.key)" = 600 ] && echo "ok: key mode 600" || { echo "FAIL: key mode $(stat -c %a k01.key)"; fail=1; }
expect 1 "k01.key already exists; refusing to overwrite" -- pki issue --dir ca --role kiosk --cn K01 --key-out k01.key --out k01b.crt
[ ! -e k01b.crt ] && echo "ok: no certificate without its key" || { echo "FAIL: k01b.crt written"; fail=1; }

# enrolment: the integrator approves K07; the kiosk makes its key and request
"$egate" pki enrol-token --dir ca --cn K07 >token 2>token.err
tok=$(cat token)
case $tok in ????-????-????-????-????-????-????-????) echo "ok: token $tok" ;;
	*) echo "FAIL: token '$tok' ($(cat token.err))"; fail=1 ;; esac
mkdir kiosk
cat >kiosk/kiosk.conf <<CONF
[kiosk]
id = K07
[host]
address = 127.0.0.1
ca = $tmp/ca/ca.crt
cert = $tmp/kiosk/kiosk.crt
key = $tmp/kiosk/kiosk.key
spool = $tmp/kiosk/spool.db
CONF
expect 0 "" -- pki csr --config kiosk/kiosk.conf --token "$tok" --out k07.csr
grep -q "new key $tmp/kiosk/kiosk.key" out && echo "ok: key made on the device" || { echo "FAIL: $(cat out)"; fail=1; }
[ "$(stat -c %a kiosk/kiosk.key)" = 600 ] || { echo "FAIL: device key mode"; fail=1; }
# a request for another CN with K07's token is refused and burns nothing
expect 0 "" -- pki csr --key kiosk/kiosk.key --cn K08 --role kiosk --token "$tok" --out k08.csr
expect 1 "approves CN K07; the request says CN K08" -- pki sign-csr --dir ca k08.csr --out k08.crt
expect 0 "" -- pki sign-csr --dir ca k07.csr --out kiosk/kiosk.crt
grep -q "kiosk certificate for K07 written to kiosk/kiosk.crt" out || { echo "FAIL: $(cat out)"; fail=1; }
openssl verify -CAfile ca/ca.crt -crl_check -CRLfile ca/ca.crl kiosk/kiosk.crt >/dev/null 2>&1 \
	&& echo "ok: openssl verifies the enrolled certificate" || { echo "FAIL: openssl verify"; fail=1; }
expect 1 "was already used" -- pki sign-csr --dir ca --csr k07.csr --out again.crt
# csr --config again: the existing device key is kept
cp kiosk/kiosk.key key.before
expect 0 "" -- pki csr --config kiosk/kiosk.conf --out again.csr
cmp -s kiosk/kiosk.key key.before && echo "ok: device key kept" || { echo "FAIL: device key replaced"; fail=1; }
expect 2 "do not also give" -- pki csr --config kiosk/kiosk.conf --cn K09 --out x.csr
expect 2 "an enrolment token is 32 hexadecimal digits" -- pki csr --key k01.key --cn K01 --role kiosk --token nope --out x.csr

# the update signer and the list
expect 0 "" -- pki issue --dir ca --role update --cn release-signer --key-out up.key --out up.crt --days 10
openssl x509 -in up.crt -noout -ext extendedKeyUsage | grep -q "Code Signing" \
	&& echo "ok: update certificate is for code signing" || { echo "FAIL: EKU"; fail=1; }
expect 0 "expires in" -- pki list --dir ca
grep -q "release-signer" out && grep -q "expiring" out || { echo "FAIL: list: $(cat out)"; fail=1; }
expect 1 "release-signer" -- pki list --dir ca --expiring 30
[ "$(grep -c . out)" = 2 ] && echo "ok: --expiring lists one certificate" || { echo "FAIL: $(cat out)"; fail=1; }
expect 0 "" -- pki list --dir ca --expiring 5
expect 0 "" -- pki list --dir ca --json
python3 - "$tmp/out" <<'PY' && echo "ok: list --json" || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
roles = sorted(c["role"] for c in d["certificates"])
assert roles == ["ca", "kiosk", "kiosk", "update"], roles
k07 = [c for c in d["certificates"] if c["cn"] == "K07"][0]
assert k07["origin"].startswith("enrol:") and k07["state"] == "valid", k07
assert d["tokens"][0]["state"] == "used" and d["tokens"][0]["serial"] == k07["serial"], d["tokens"]
assert d["crl_next_update"] is not None
PY
expect 0 "" -- pki list --dir ca --tokens
grep -q "used.*K07" out || { echo "FAIL: list --tokens: $(cat out)"; fail=1; }

# renew the update signer by serial prefix, then revoke the old one by serial
serial=$(awk -F'\t' '$1=="cert" && $3=="update" {print $2}' ca/index.txt)
prefix=$(echo "$serial" | cut -c1-10)
expect 0 "" -- pki renew --dir ca --serial "$prefix" --days 400 --out up.crt
# the old one is superseded: nothing expires within 30 days any more (the
# CRL has its own horizon: 7 days)
expect 0 "" -- pki list --dir ca --expiring 45
expect 0 "" -- pki revoke --dir ca --serial "$serial"
awk -F'\t' -v s="$serial" '$2==s && $7=="revoked"' ca/index.txt | grep -q . \
	&& echo "ok: index says revoked" || { echo "FAIL: index"; fail=1; }
expect 1 "is revoked" -- pki renew --dir ca --serial "$serial" --out up2.crt
expect 2 "renew needs --serial S or --cert CRT" -- pki renew --dir ca --out up2.crt
expect 2 "unknown verb" -- pki frobnicate --dir ca

# a CA key readable by others is refused, with the fix
chmod 644 ca/ca.key
expect 3 "chmod 600" -- pki crl --dir ca
chmod 600 ca/ca.key

# egate officer: the officer's key is checked before anything else
expect 0 "" -- pki issue --dir ca --role officer --cn officer.kim --key-out officer.key --out officer.crt
chmod 644 officer.key
expect 3 "officer.key is accessible by group or others (mode 0644); refused; fix: chmod 600" -- \
	officer --host 127.0.0.1 --port 9 --ca ca/ca.crt --cert officer.crt --key officer.key --timeout 2 status
chmod 600 officer.key
expect 3 "cannot connect" -- \
	officer --host 127.0.0.1 --port 9 --ca ca/ca.crt --cert officer.crt --key officer.key --timeout 2 status

[ $fail = 0 ] && echo "pki cli: all passed"
exit $fail
