#!/bin/sh
# hw/image/egate-firstboot, the kiosk's first-boot enrolment (docs/image.md), run in a
# sandbox standing in for the kiosk's root (EGATE_ROOT) with this build's egate, against a
# CA made here with egate pki:
#   - the key is made (0600, owned by the key user), the request carries the token and the
#     CN of [kiosk] id, the token is deleted, and the CA signs the request (sign-csr);
#   - a second run is a no-op (nothing changes); a new token re-enrols the same key;
#   - a garbled provisioning file (no token, a bad token, an unknown key, a second token) or
#     a missing kiosk.conf fails with a message naming the cause, keeps the provisioning
#     file and makes no key.
#   test_firstboot.sh EGATE FIRSTBOOT EXAMPLE-KIOSK.CONF OPENSSL
set -eu
egate=$1 firstboot=$2 example=$3 openssl=$4
command -v "$openssl" >/dev/null 2>&1 || { echo "openssl not found: install openssl"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
user=$(id -un)

ca=$tmp/ca
"$egate" pki init --dir "$ca" --name "Firstboot Test CA" > /dev/null
token_for() {	# token_for CN -> a one-time token on stdout
	"$egate" pki enrol-token --dir "$ca" --cn "$1" 2> /dev/null
}

# a kiosk root: the packaged example configuration, its key inside the sandbox
newroot() {	# newroot DIR ID
	mkdir -p "$1/etc/egate/pki" "$1/var/lib/egate"
	sed -e "s|^id = .*|id = $2|" -e "s|^key = /etc/egate/pki/kiosk.key|key = $1/etc/egate/pki/kiosk.key|" \
	    "$example" > "$1/etc/egate/kiosk.conf"
	grep -q "^key = $1/" "$1/etc/egate/kiosk.conf" || fail "the example kiosk.conf has no [host] key to point at the sandbox"
}
run() {	# run ROOT -> output in $tmp/out, status in $rc
	rc=0
	EGATE_ROOT=$1 EGATE_BIN=$egate EGATE_USER=$user sh "$firstboot" > "$tmp/out" 2>&1 || rc=$?
}

# ---- enrolment ---------------------------------------------------------------------
r=$tmp/k01
newroot "$r" K01
t1=$(token_for K01)
printf '# written when the kiosk was flashed\ntoken = %s\n' "$t1" > "$r/etc/egate/provision.conf"
run "$r"
[ $rc = 0 ] || { cat "$tmp/out"; fail "first boot failed (exit $rc)"; }
key=$r/etc/egate/pki/kiosk.key
csr=$r/var/lib/egate/enrol/kiosk.csr
[ -f "$key" ] || fail "no key made"
[ "$(stat -c %a "$key")" = 600 ] || fail "key mode $(stat -c %a "$key"), want 600"
[ "$(stat -c %U "$key")" = "$user" ] || fail "key owner $(stat -c %U "$key"), want $user"
[ -f "$csr" ] || fail "no request at $csr"
[ ! -e "$r/etc/egate/provision.conf" ] || fail "the provisioning file (the token) is still there"
grep -q "BEGIN CERTIFICATE REQUEST" "$tmp/out" || fail "the request is not printed"
"$openssl" req -in "$csr" -noout -verify > /dev/null 2>&1 || fail "openssl req -verify refuses the request"
"$openssl" req -in "$csr" -noout -subject | grep -q "CN *= *K01" || fail "the request's CN is not K01"
# egate pki csr writes the token without its dashes
"$openssl" req -in "$csr" -noout -text | grep -q "challengePassword *:$(echo "$t1" | tr -d -)\$" ||
	fail "the request does not carry the token as its challengePassword"
pub_key=$("$openssl" pkey -in "$key" -pubout)
pub_csr=$("$openssl" req -in "$csr" -noout -pubkey)
[ "$pub_key" = "$pub_csr" ] || fail "the request is not for the key made on the device"
# the CA signs it: the enrolment flow of egate pki, end to end
"$egate" pki sign-csr --dir "$ca" "$csr" --out "$tmp/K01.crt" > "$tmp/sign" 2>&1 ||
	{ cat "$tmp/sign"; fail "the CA refuses the request"; }
echo "ok: first boot: key 0600 owner $user, request CN K01 with the token, token deleted, CA signed it"

# ---- a second boot is a no-op ------------------------------------------------------
sum_before=$(cat "$key" "$csr" | sha256sum)
run "$r"
[ $rc = 0 ] || { cat "$tmp/out"; fail "the second run failed (exit $rc)"; }
grep -q "nothing to do" "$tmp/out" || { cat "$tmp/out"; fail "the second run does not say it has nothing to do"; }
[ "$(cat "$key" "$csr" | sha256sum)" = "$sum_before" ] || fail "the second run changed the key or the request"
echo "ok: second run: nothing to do, key and request unchanged"

# ---- re-enrolment: a new token, the same key ---------------------------------------
t2=$(token_for K01)
printf 'token = %s\n' "$t2" > "$r/etc/egate/provision.conf"
key_before=$(sha256sum < "$key")
run "$r"
[ $rc = 0 ] || { cat "$tmp/out"; fail "re-enrolment failed (exit $rc)"; }
[ "$(sha256sum < "$key")" = "$key_before" ] || fail "re-enrolment replaced the key"
"$openssl" req -in "$csr" -noout -text | grep -q "challengePassword *:$(echo "$t2" | tr -d -)\$" || fail "the new request lacks the new token"
[ ! -e "$r/etc/egate/provision.conf" ] || fail "the second token is still there"
echo "ok: re-enrolment: a new request with the new token for the same key"

# ---- refusals: clear errors, the provisioning file kept, no key ------------------------
refuse() {	# refuse NAME PROVISION-CONTENT EXPECTED-MESSAGE-PART [no-conf]
	d=$tmp/bad-$1
	newroot "$d" K02
	[ "${4:-}" = no-conf ] && rm "$d/etc/egate/kiosk.conf"
	printf '%b' "$2" > "$d/etc/egate/provision.conf"
	run "$d"
	[ $rc = 1 ] || { cat "$tmp/out"; fail "$1: exit $rc, want 1"; }
	grep -qF -- "$3" "$tmp/out" || { cat "$tmp/out"; fail "$1: the message does not say '$3'"; }
	[ -e "$d/etc/egate/provision.conf" ] || fail "$1: the provisioning file was deleted"
	[ ! -e "$d/etc/egate/pki/kiosk.key" ] || fail "$1: a key was made"
	[ ! -e "$d/var/lib/egate/enrol/kiosk.csr" ] || fail "$1: a request was written"
	echo "ok: refused ($1): $(head -1 "$tmp/out")"
}
good=$(token_for K02)
refuse empty '# nothing\n' "no 'token = ...' line"
refuse short 'token = 8d4d-be06\n' 'provision.conf:1: the token is not one egate pki enrol-token prints'
refuse upper "token = $(echo "$good" | tr a-f A-F)\n" 'provision.conf:1: the token is not one'
refuse unknown "token = $good\nid = K02\n" "provision.conf:2: unknown key 'id'"
refuse noequals "token $good\n" 'provision.conf:1: not a '"'"'key = value'"'"' line'
refuse twice "token = $good\ntoken = $good\n" 'provision.conf:2: a second token'
refuse binary '\001\002\003\n' 'provision.conf:1: not a'
refuse noconf "token = $good\n" 'no '"$tmp"'/bad-noconf/etc/egate/kiosk.conf' no-conf

# a provisioning file that is not a file
d=$tmp/bad-dir
newroot "$d" K03
mkdir "$d/etc/egate/provision.conf"
run "$d"
[ $rc = 1 ] && grep -q "is not a readable file" "$tmp/out" || { cat "$tmp/out"; fail "a folder as provisioning file: exit $rc"; }
echo "ok: refused (a folder): $(head -1 "$tmp/out")"

# no provisioning file at all: nothing to do (the unit's ConditionPathExists= skips it too)
d=$tmp/none
newroot "$d" K04
run "$d"
[ $rc = 0 ] && grep -q "nothing to do" "$tmp/out" || { cat "$tmp/out"; fail "without a provisioning file: exit $rc"; }
[ ! -e "$d/etc/egate/pki/kiosk.key" ] || fail "without a provisioning file a key was made"
echo "ok: no provisioning file: nothing to do, no key"
