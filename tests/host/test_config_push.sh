#!/usr/bin/env bash
# test_config_push.sh — configuration push end to end through the real
# processes: egate-host serves a policy bundle, egate-kiosk (simulated
# devices) gets it over mutual TLS on loopback, applies it between passages
# and decides with it; the audit trail ties each decision to the exact
# configuration. docs/host.md "Policy bundle", docs/kiosk.md "Pushed policy".
#
#   test_config_push.sh BUILDDIR SRCDIR
set -euo pipefail
build=$1
src=$2
root=$src
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"	# $t, the PKI, host.conf and kiosk configurations
cleanup() {
	[ -n "$host_pid" ] && kill -KILL "$host_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	[ -n "${EGATE_E2E_KEEP:-}" ] || rm -rf "$t"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	echo "--- host log" >&2; tail -n 40 "$t/host.log" >&2 || true
	echo "--- kiosk output" >&2; cat "$t/kiosk.out" >&2 || true
	echo "--- kiosk log" >&2; tail -n 40 "$t/kiosk.log" >&2 || true
	exit 1
}
q() { sqlite3 "file:$t/audit.db?mode=ro" "$1"; }

# ---- PKI, keys, configuration (tests/e2e/lib.sh), the host serving a bundle
e2e_pki K01
printf '[policy]\nfile = %s\n' "$t/policy.ini" >> "$t/host.conf"
bundle() {	# bundle VERSION MATCH_THRESHOLD [FILES-SECTION-LINE]
	cat <<B
[policy]
version = $1
[thresholds]
match_threshold = $2
liveness_threshold = 0.50
watchlist_threshold = 0.5
max_capture_attempts = 3
min_age = 0
[settings]
mandatory_checks = mrz_valid, chip_access, passive_auth, dg_hashes, dg1_matches_mrz, chip_auth, not_expired, issuer_accepted, min_age
accepted_issuers = UTO
no_chip_auth = accept
watchlist_action = refer
B
	[ -z "${3:-}" ] || printf '[files]\n%s\n' "$3"
}
# The simulated genuine traveller shows the camera the chip's own photo: it
# scores 0.992, so the referral needs a threshold above that.
bundle 2 0.999 > "$t/policy.ini"
# the kiosk's own file policy would let the genuine traveller through
e2e_kiosk_conf K01
sed -i 's/^log_level = notice/log_level = info/' "$t/K01.conf"
cat > "$t/genuine.ini" <<INI
[scenario]
name = config-push
today = 2026-11-29
[passage genuine]
traveller = genuine-td3
chip_face = sample5.jpg
expiry = 341231
camera = portrait:sample5.jpg
expect = refer
expect_rule = biometric_mismatch
INI

start_host() {
	"$hostd" --config "$t/host.conf" --foreground 2>>"$t/host.log" &
	host_pid=$!
	for _ in $(seq 1 100); do
		grep -q 'net.ready' "$t/host.log" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "egate-host did not start"
}
run_kiosk() {	# run_kiosk EXPECTED_EXIT
	local rc=0
	"$kioskd" --config "$t/K01.conf" --scenario "$t/genuine.ini" --config-wait 20 --drain 20 \
	    >"$t/kiosk.out" 2>>"$t/kiosk.log" || rc=$?
	[ "$rc" = "$1" ] || fail "egate-kiosk exit status $rc, expected $1"
}

# ---- 1. the host logs version 2 before serving it
start_host
grep -q 'config.logged.*version=2' "$t/host.log" || fail "version 2 not logged by the monitor"
digest=$(sed -n 's/.*config.loaded.*sha256=\([0-9a-f]\{64\}\).*/\1/p' "$t/host.log" | tail -n 1)
[ -n "$digest" ] || fail "no digest in the host log"
[ "$(q "SELECT lower(hex(sha256)) FROM config_versions WHERE version = 2")" = "$digest" ] ||
	fail "audit config_versions does not hold the pushed digest"
# ... with its decision parameters, kept by the digest its config record names
params=$("$egate" audit --db "$t/audit.db" policy --version 2) || fail "no parameters for version 2"
case $params in *'"match_threshold":0.999,'*'"watchlist_action":"refer"'*) ;;
	*) fail "version 2 parameters are not the bundle's: $params" ;; esac
psha=$(printf '%s' "$params" | sha256sum | cut -d' ' -f1)
[ "$(q "SELECT COUNT(*) FROM records WHERE type = 'config' AND payload LIKE '%\"params_sha256\":\"$psha\"%'")" = 1 ] ||
	fail "the config record does not name the parameters' digest $psha"

# ---- 2. the kiosk gets version 2 and the genuine traveller is referred at 0.999
run_kiosk 0
grep -q 'config version 2 applied (pushed' "$t/kiosk.out" || fail "kiosk did not apply version 2"
grep -q 'face_similarity\|match_1to1' "$t/kiosk.out" || fail "no face score in the summary"
grep -q 'config version 2 applied (pushed; match threshold 0.999,' "$t/kiosk.out" ||
	fail "the kiosk does not show threshold 0.999"
for _ in $(seq 1 50); do
	grep -q 'config.applied.*kiosk=K01.*version=2' "$t/host.log" && break
	sleep 0.1
done
grep -q 'config.applied.*kiosk=K01.*version=2.*ok=true' "$t/host.log" ||
	fail "host did not log ConfigApplied{2, ok}"
n=$(q "SELECT COUNT(*) FROM records WHERE kiosk_id = 'K01' AND type = 'passage'")
[ "$n" = 1 ] || fail "expected 1 passage record, found $n"
payload=$(q "SELECT payload FROM records WHERE kiosk_id = 'K01' AND type = 'passage'")
case $payload in *'"config_version":2'*) ;; *) fail "record not tied to config version 2: $payload" ;; esac
case $payload in *'"name":"face_similarity"'*'"threshold":0.999,'*) ;; *) fail "record does not show threshold 0.999: $payload" ;; esac
[ "$(q "SELECT reason FROM records WHERE kiosk_id = 'K01' AND type = 'passage'")" = biometric_mismatch ] ||
	fail "rule is not biometric_mismatch"
[ -s "$t/K01.spool.config" ] || fail "the applied configuration was not persisted"

# ---- 3. an invalid bundle on SIGHUP is refused; version 2 stays in force
bundle 3 1.5 > "$t/policy.ini"
kill -HUP "$host_pid"
for _ in $(seq 1 50); do
	grep -q 'config.refused' "$t/host.log" && break
	sleep 0.1
done
grep -q 'config.refused.*match_threshold: value 1.5 is out of range' "$t/host.log" ||
	fail "host did not refuse match_threshold = 1.5"
[ "$(q "SELECT COUNT(*) FROM config_versions")" = 1 ] || fail "a refused bundle was logged"
# and a version going backwards
bundle 1 0.2 > "$t/policy.ini"
kill -HUP "$host_pid"
for _ in $(seq 1 50); do
	grep -q 'config.refused.*older than version 2' "$t/host.log" && break
	sleep 0.1
done
grep -q 'config.refused.*older than version 2' "$t/host.log" || fail "host accepted version 1 after 2"

# ---- 4. a restarted kiosk runs the persisted version 2 at once
run_kiosk 0
grep -q 'config version 2 applied (persisted' "$t/kiosk.out" || fail "persisted version 2 not loaded"
grep -q 'config version 2 applied (pushed' "$t/kiosk.out" && fail "version 2 pushed again"
[ "$(q "SELECT COUNT(*) FROM records WHERE kiosk_id = 'K01' AND payload LIKE '%\"config_version\":2,%'")" = 2 ] ||
	fail "second decision not made under version 2"

# ---- 5. a corrupt persisted configuration is refused (digest), the host pushes again
python3 - "$t/K01.spool.config" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'match_threshold')
assert i > 0
b[i + len('match_threshold') + 3] ^= 0x01   # a bit of the threshold's value
open(p, 'wb').write(bytes(b))
PY
run_kiosk 0
grep -q 'config.persisted_refused.*digest mismatch' "$t/kiosk.log" || fail "corrupt persisted configuration not refused"
grep -q 'config version 2 applied (pushed' "$t/kiosk.out" || fail "version 2 not pushed again after the corrupt file"

# ---- 6. a push the kiosk cannot use is refused by the kiosk (ConfigApplied
# error); version 2 stays in force. The host cannot tell: CRLs without the
# master lists they belong to are fine for it, the kiosk refuses them.
bundle 3 0.2 "crls = pki/ca/ca.crl" > "$t/policy.ini"
kill -HUP "$host_pid"
for _ in $(seq 1 50); do
	grep -q 'config.loaded.*version=3' "$t/host.log" && break
	sleep 0.1
done
grep -q 'config.loaded.*version=3' "$t/host.log" || fail "host did not load version 3"
run_kiosk 0
grep -q 'config.refused.*version=3.*CRLs without the master lists' "$t/kiosk.log" ||
	fail "kiosk did not refuse version 3"
grep -q 'config version 3 applied' "$t/kiosk.out" && fail "kiosk applied version 3"
for _ in $(seq 1 50); do
	grep -q 'config.rejected.*kiosk=K01.*version=3' "$t/host.log" && break
	sleep 0.1
done
grep -q 'config.rejected.*kiosk=K01.*version=3 ok=false error=8 detail="\?CRLs without' "$t/host.log" ||
	fail "host did not log ConfigApplied{3, ERROR_CONFIG_REJECTED}"
[ "$(q "SELECT COUNT(*) FROM records WHERE kiosk_id = 'K01' AND payload LIKE '%\"config_version\":2,%' AND reason = 'biometric_mismatch'")" = 4 ] ||
	fail "the decision after the refused push was not made under version 2"

# ---- 7. a new valid version on SIGHUP reaches the kiosk; the trail has both
bundle 4 0.30 > "$t/policy.ini"
kill -HUP "$host_pid"
for _ in $(seq 1 50); do
	grep -q 'config.loaded.*version=4' "$t/host.log" && break
	sleep 0.1
done
sed -i 's/^expect = refer/expect = open/; s/^expect_rule = .*/expect_rule = all_checks_passed/' "$t/genuine.ini"
run_kiosk 0
grep -q 'config version 4 applied (pushed' "$t/kiosk.out" || fail "version 4 not applied"
[ "$(q "SELECT group_concat(version) FROM config_versions ORDER BY version")" = "2,3,4" ] ||
	fail "config_versions is not 2,3,4"
grep -q 'config version 4 applied (pushed; match threshold 0.3,' "$t/kiosk.out" || fail "threshold 0.3 not shown"
[ "$(q "SELECT COUNT(*) FROM records WHERE kiosk_id = 'K01' AND payload LIKE '%\"config_version\":4,%' AND decision = 'OPEN'")" = 1 ] ||
	fail "the genuine traveller was not let through under version 4"

# ---- 8. a watchlist gallery in the bundle replaces the kiosk's watchlist:
# the genuine traveller's face enrolled, they are now a watchlist hit
testdata=${EGATE_TESTDATA:-$HOME/.cache/egate/testdata}
"$egate" face enroll --gallery "$t/watch.gallery" --format f32 "$testdata/sample5.jpg" >/dev/null ||
	fail "cannot enrol the watchlist face"
bundle 5 0.30 "watchlist_gallery = watch.gallery" > "$t/policy.ini"
kill -HUP "$host_pid"
for _ in $(seq 1 50); do
	grep -q 'config.loaded.*version=5' "$t/host.log" && break
	sleep 0.1
done
sed -i 's/^expect = open/expect = refer/; s/^expect_rule = .*/expect_rule = watchlist_hit/' "$t/genuine.ini"
run_kiosk 0
grep -q 'config version 5 applied (pushed' "$t/kiosk.out" || fail "version 5 not applied"
[ "$(q "SELECT COUNT(*) FROM records WHERE kiosk_id = 'K01' AND payload LIKE '%\"config_version\":5,%' AND reason = 'watchlist_hit'")" = 1 ] ||
	fail "the pushed watchlist was not searched"
# the parameters of a version with a gallery: thresholds, never the gallery
params=$("$egate" audit --db "$t/audit.db" policy --version 5) || fail "no parameters for version 5"
case $params in *'"match_threshold":0.29999999999999999,'*) ;; *) fail "version 5 parameters: $params" ;; esac
case $params in *gallery*) fail "the watchlist gallery is in the logged parameters: $params" ;; esac

kill -TERM "$host_pid"
wait "$host_pid" || true
host_pid=
# ---- 9. a host that goes back (a fresh audit database serving version 1)
# is refused by the kiosk: versions only increase; version 5 stays
sed -i "s|^db = .*|db = $t/audit-new.db|" "$t/host.conf"
bundle 1 0.30 > "$t/policy.ini"
: > "$t/host.log"
start_host
run_kiosk 0
grep -q 'config.refused.*version=1.*older than version 5 in force' "$t/kiosk.log" ||
	fail "kiosk accepted version 1 after 5"
for _ in $(seq 1 50); do
	grep -q 'config.rejected.*kiosk=K01.*version=1' "$t/host.log" && break
	sleep 0.1
done
grep -q 'config.rejected.*kiosk=K01.*version=1 ok=false error=8' "$t/host.log" ||
	fail "the new host did not log the refusal"
kill -TERM "$host_pid"
wait "$host_pid" || true
host_pid=
sed -i "s|^db = .*|db = $t/audit.db|" "$t/host.conf"

openssl pkey -in "$t/checkpoint.key" -pubout -out "$t/checkpoint.pub" 2>/dev/null
"$egate" audit --db "$t/audit.db" verify --pubkey "$t/checkpoint.pub" --anchor "$t/audit.db.anchor" \
	>/dev/null || fail "audit trail does not verify"
echo "config push end to end: ok"
