#!/bin/sh
# egate doc verify: real EF.SODs against the German master list, a document
# dump written by egate read --out checked offline with the same named
# checks and results, a changed byte, usage errors (exit 2), and egate-doc
# (the same command alone) linking neither OpenCV nor libusb nor libuvc.
#   test_doc_cli.sh EGATE EGATE_DOC VECTORS_DIR
set -u
egate=$1
egate_doc=$2
gm=$3/docauth/gmrtd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mrz='P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10'
de="--csca $gm/masterlist/DE_ROOT_CA_CSCA07.cer --masterlist $gm/masterlist/DE_ML_2026-05-28-08-28-45.ml"

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# json FILE EXPR — evaluate a Python expression on the JSON in FILE (as j)
json() {
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}
status() {	# status FILE CHECK -> prints the status of the named check
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print([c['status'] for c in j['checks'] if c['name']==sys.argv[2]][0])" "$1" "$2"
}

# 1. real documents: explicit parameters (AT, UK), BER (NZ), reordered sid
#    issuer (MY), each with its CSCA as anchor; then one against the whole
#    German master list with egate-doc
check_real() {	# check_real NAME OUT COMMAND...
	name=$1; out=$2; shift 2
	"$@" >"$out" 2>"$tmp/err"; rc=$?
	if [ $rc != 0 ]; then bad "$name: exit $rc"; cat "$tmp/err" "$out"; return; fi
	for c in sod_parse sod_signature sod_message_digest ds_chain ds_validity; do
		[ "$(status "$out" $c)" = pass ] || bad "$name: $c not pass"
	done
	[ "$(status "$out" dg_hashes)" = not-checked ] || bad "$name: dg_hashes"
	ok "real $name"
}
for s in AT UK NZ MY; do
	check_real "$s" "$tmp/$s.json" "$egate" doc verify --csca "$gm/csca/$s.der" --at 2026-06-01 \
		--json "$gm/sod/$s.sod"
done
# shellcheck disable=SC2086
check_real "AT, German master list, egate-doc" "$tmp/at-ml.json" "$egate_doc" verify $de \
	--at 2026-06-01 --json "$gm/sod/AT.sod"
json "$tmp/at-ml.json" "j['trust']['cscas'] == 581 and j['trust']['skipped']['not_ca'] == 7" ||
	bad "German master list figures: $(cat "$tmp/at-ml.json")"
# the 2011 British one with its own 'gb' CSCA, as of 2012 and after the DS expired
"$egate" doc verify --csca "$gm/csca/GB-2011-gb.der" --at 2012-06-01 "$gm/sod/GB-2011.sod" \
	>"$tmp/text" 2>&1 && ok "GB-2011 in 2012" || { bad "GB-2011 in 2012"; cat "$tmp/text"; }
grep -q 'ds_chain  *pass' "$tmp/text" || bad "GB-2011: text output has no ds_chain pass"
grep -q '^result     pass' "$tmp/text" || bad "GB-2011: text result"
"$egate" doc verify --csca "$gm/csca/GB-2011-gb.der" --at 2024-06-01 --json \
	"$gm/sod/GB-2011.sod" >"$tmp/gb.json" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(status "$tmp/gb.json" ds_validity)" = fail ] && ok "GB-2011 in 2024: expired, exit 1" ||
	{ bad "GB-2011 in 2024: exit $rc"; cat "$tmp/gb.json"; }
# EF.CardSecurity with its EF.SOD
# shellcheck disable=SC2086
"$egate" doc verify $de --at 2026-06-01 --json "$gm/cardsecurity/DE.bin" "$gm/sod/DE.sod" \
	>"$tmp/de.json" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(status "$tmp/de.json" card_security)" = pass ] && ok "DE EF.CardSecurity" ||
	{ bad "DE EF.CardSecurity: exit $rc"; cat "$tmp/de.json"; }
# without trust: ds_chain fails
"$egate" doc verify --json "$gm/sod/AT.sod" >"$tmp/none.json" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(status "$tmp/none.json" ds_chain)" = fail ] && ok "no trust: exit 1" ||
	{ bad "no trust: exit $rc"; cat "$tmp/none.json"; }

# 2. a dump written by egate read --out, checked offline: the same checks
#    by name and order, the same passive-authentication results
"$egate" read --reader sim:genuine-td3 --sim-pki "$tmp/pki" --mrz "$mrz" --out "$tmp/out" \
	--json >"$tmp/read.json" 2>"$tmp/err" || { bad "egate read --out"; cat "$tmp/err"; }
"$egate" doc verify --csca "$tmp/pki" --crl "$tmp/pki/crl" --mrz "$mrz" --json "$tmp"/out/*.bin \
	>"$tmp/doc.json" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] || { bad "doc verify of the --out dump: exit $rc"; cat "$tmp/err" "$tmp/doc.json"; }
python3 - "$tmp/read.json" "$tmp/doc.json" <<'EOF' || bad "doc verify and egate read disagree"
import json, sys
r = json.load(open(sys.argv[1]))["result"]
d = json.load(open(sys.argv[2]))
rn = [c["name"] for c in r["checks"]]
dn = [c["name"] for c in d["checks"]]
if rn != dn:
    sys.exit("check names differ:\n read %s\n  doc %s" % (rn, dn))
chip = {"access_control", "secure_messaging", "chip_authentication", "active_authentication", "pace_cam"}
for a, b in zip(r["checks"], d["checks"]):
    if a["name"] in chip:
        continue
    if a["status"] != b["status"]:
        sys.exit("%s: read %s, doc %s (%s)" % (a["name"], a["status"], b["status"], b["reason"]))
print("ok: doc verify repeats egate read's %d checks" % len(dn))
EOF
# a trust folder with a file that is not a certificate: egate read still
# reads (entry by entry), and says what it skipped
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$tmp/pki/broken.pem"
"$egate" read --reader sim:genuine-td3 --csca "$tmp/pki" --mrz "$mrz" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && grep -q 'warning: trust anchors' "$tmp/err" && ok "a bad file in the trust folder is skipped" ||
	{ bad "bad file in the trust folder: exit $rc"; cat "$tmp/err"; }
"$egate" doc verify --csca "$tmp/pki" --json "$tmp"/out/*.bin >"$tmp/doc2.json" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && grep -q 'unparsable' "$tmp/err" && ok "doc verify names the skipped file" ||
	{ bad "doc verify with a bad trust file: exit $rc"; cat "$tmp/err"; }
rm -f "$tmp/pki/broken.pem"
# one changed byte in DG1.bin: dg_hashes (and the MRZ) fail, exit 1
mkdir -p "$tmp/bad"
cp "$tmp"/out/*.bin "$tmp/bad/"
printf 'X' | dd of="$tmp/bad/DG1.bin" bs=1 seek=10 conv=notrunc 2>/dev/null
"$egate" doc verify --csca "$tmp/pki" --json "$tmp"/bad/*.bin >"$tmp/bad.json" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(status "$tmp/bad.json" dg_hashes)" = fail ] && ok "changed DG1: exit 1" ||
	{ bad "changed DG1: exit $rc"; cat "$tmp/bad.json"; }

# 3. usage and unreadable input: exit 2
expect2() {
	"$@" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc = 2 ] && ok "exit 2: $*" || { bad "'$*' exit $rc, want 2"; cat "$tmp/err"; }
}
printf 'hello' >"$tmp/text.txt"
expect2 "$egate" doc
expect2 "$egate" doc frobnicate
expect2 "$egate" doc verify
expect2 "$egate" doc verify "$tmp/missing.sod"
expect2 "$egate" doc verify "$tmp/text.txt"
expect2 "$egate" doc verify "$gm/sod/AT.sod" "$gm/sod/DE.sod"
expect2 "$egate" doc verify --at 2026-02-31 "$gm/sod/AT.sod"
expect2 "$egate" doc verify --csca "$tmp/nowhere" "$gm/sod/AT.sod"
expect2 "$egate" doc verify --masterlist "$tmp/nowhere.ml" "$gm/sod/AT.sod"
"$egate" doc --help >/dev/null && "$egate" doc verify --help >/dev/null && "$egate_doc" --help >/dev/null &&
	ok "--help" || bad "--help"
# a master list that is refused is said, and the rest goes on
"$egate" doc verify --masterlist "$gm/masterlist/NL_ML_2026-07-22.ml" "$gm/sod/AT.sod" \
	>/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q 'refused (no_anchors)' "$tmp/err" && ok "refused master list named" ||
	{ bad "refused master list: exit $rc"; cat "$tmp/err"; }

# 4. egate-doc needs none of the face and device stack
if readelf -d "$egate_doc" | grep NEEDED | grep -E -i 'opencv|libusb|libuvc'; then
	bad "egate-doc links the face or device stack"
else
	ok "egate-doc links: $(readelf -d "$egate_doc" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
fi
[ $fail = 0 ] && echo "egate doc: all ok"
exit $fail
