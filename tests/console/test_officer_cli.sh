#!/usr/bin/env bash
# What an officer is told, and what cannot get in (issue 14):
#   - an expired, not yet valid, revoked, foreign or wrong-role certificate
#     is named as such (exit 4), not "TLS: connection closed by the peer";
#   - a kiosk certificate on the officer path is refused by the host before
#     it touches that kiosk's row (the kiosk stays online and referred);
#   - reasons that are blank, hold control characters or are too long are
#     refused by `egate officer`, by the console and by the host itself;
#   - text a kiosk sent is escaped when `egate officer` prints it;
#   - the console listens on loopback only, checks the Host header, and
#     serves data and takes decisions only with its secret.
set -euo pipefail
build=$1 root=$2 fake=$3
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
e2e_pki K01 K05
e2e_kiosk_conf K01
e2e_host_start
officer() { "$egate" officer "$@"; }
expect_exit() { # WANT MESSAGE-REGEX CMD... : exit code and stderr
  local want=$1 re=$2 rc=0; shift 2
  "$@" >"$t/out" 2>"$t/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$*: exit $rc, want $want ($(cat "$t/err"))"
  grep -qE "$re" "$t/err" || fail "$*: message '$(cat "$t/err")' does not match '$re'"
}
officer_records() {
  # exit 1 with nothing on standard output: no officer record yet
  { "$egate" audit --db "$t/audit.db" query --type officer --json 2>/dev/null || [ $? = 1 ]; } | python3 -c '
import json, sys
t = sys.stdin.read()
try:
    rows = json.loads(t)
except ValueError:
    rows = [json.loads(l) for l in t.splitlines() if l.strip()]
print(len(rows))'
}
referred() { # KIOSK: online, REFERRED, with a referral
  officer status --json | python3 -c '
import json, sys
k = {x["kiosk"]: x for x in json.load(sys.stdin)}.get(sys.argv[1])
sys.exit(0 if k and k["connected"] and k["state"] == "REFERRED" and k["referral_seq"] > 0 else 1)' "$1"
}

# ---- a real referral waits at K01 --------------------------------------------------
e2e_kiosk_referrals K01 "$t/kiosk.out" 240
e2e_wait_for 180 referred K01 || fail "no referral at K01"
before=$(officer status --json)

# ---- certificates ------------------------------------------------------------------
mk="$root/tests/console/make_cert.py"
python3 "$mk" "$pki/ca/ca.crt" "$pki/ca/ca.key" "$t/expired.crt" "$t/expired.key" officer.old \
  2020-01-01T00:00:00 2021-01-01T00:00:00
python3 "$mk" "$pki/ca/ca.crt" "$pki/ca/ca.key" "$t/future.crt" "$t/future.key" officer.new \
  2099-01-01T00:00:00 2100-01-01T00:00:00
"$egate" pki init --dir "$t/other" --name "Other CA" >/dev/null
"$egate" pki issue --dir "$t/other" --role officer --cn officer.other --key-out "$t/other.key" \
  --out "$t/other.crt" >/dev/null
expect_exit 4 'expired on 2021-01-01' officer --cert "$t/expired.crt" --key "$t/expired.key" status
expect_exit 4 'not valid before 2099-01-01' officer --cert "$t/future.crt" --key "$t/future.key" status
expect_exit 4 'not issued by the deployment CA' officer --cert "$t/other.crt" --key "$t/other.key" status
expect_exit 4 'is a kiosk certificate \(CN=K01\), not an officer certificate' \
  officer --cert "$pki/K01.crt" --key "$pki/K01.key" status
expect_exit 4 'expired on 2021-01-01' officer --cert "$t/expired.crt" --key "$t/expired.key" watch
expect_exit 4 'expired on 2021-01-01' officer --cert "$t/expired.crt" --key "$t/expired.key" \
  console --listen 127.0.0.1:0
# revoked: only the host knows; its TLS alert is named
"$egate" pki issue --dir "$pki/ca" --role officer --cn officer.gone --key-out "$t/gone.key" \
  --out "$t/gone.crt" >/dev/null
officer --cert "$t/gone.crt" --key "$t/gone.key" status >/dev/null || fail "officer.gone before revocation"
"$egate" pki revoke --dir "$pki/ca" "$t/gone.crt" >/dev/null
kill -HUP "$host_pid"
e2e_wait_for 10 grep -q 'tls.crl_reloaded.*err=EG_OK' "$t/host.log" || fail "the host did not reload the CRL"
expect_exit 4 'your certificate is revoked .*TLS alert 44' officer --cert "$t/gone.crt" --key "$t/gone.key" status
# the same when the rest of the client's flight reaches the host after it refused (a race a
# real client loses now and then): the host must read it and close, not reset, or the alert
# is lost (tls_hold_proxy.py holds the late records until the host has answered)
python3 "$root/tests/console/tls_hold_proxy.py" "$t/proxy.port" "$port" >"$t/proxy.out" 2>&1 &
proxy_pid=$!
e2e_pids="$e2e_pids $proxy_pid"
e2e_wait_for 10 test -s "$t/proxy.port" || fail "tls_hold_proxy did not start: $(cat "$t/proxy.out")"
expect_exit 4 'your certificate is revoked .*TLS alert 44' \
  officer --port "$(cat "$t/proxy.port")" --cert "$t/gone.crt" --key "$t/gone.key" status
wait "$proxy_pid" || fail "$(cat "$t/proxy.out")"
expect_exit 3 'cannot connect to egate-host at 127.0.0.1 port 1' officer --port 1 status

# ---- a kiosk certificate on the officer path changes nothing -----------------------------
out=$("$fake" --as-officer --port "$port" --ca "$pki/ca/ca.crt" --cert "$pki/K01.crt" --key "$pki/K01.key")
echo "$out" | grep -q '^session refused: code=5 detail=wrong certificate role: this is a kiosk certificate' \
  || fail "the host served a kiosk certificate as an officer: $out"
grep -q 'alarm.role_mismatch.*cn=K01' "$t/host.log" || fail "no alarm for the role mismatch"
! grep -q 'conn.replaced.*kiosk=K01' "$t/host.log" || fail "the kiosk's session was replaced"
referred K01 || fail "K01 is no longer shown online and referred"
python3 - "$before" "$(officer status --json)" <<'PY' || fail "K01's row changed"
import json, sys
a = {x["kiosk"]: x for x in json.loads(sys.argv[1])}["K01"]
b = {x["kiosk"]: x for x in json.loads(sys.argv[2])}["K01"]
for k in ("connected", "firmware", "state", "referral_seq", "config_version"):
    assert a[k] == b[k], (k, a[k], b[k])
PY

# ---- reasons ---------------------------------------------------------------------------
n0=$(officer_records)
long=$(printf 'a%.0s' $(seq 1 201))
expect_exit 2 'blank' officer hold --kiosk K01 --reason "    "
expect_exit 2 'control character \(U\+000A' officer hold --kiosk K01 --reason $'first line\nsecond line'
expect_exit 2 'control character \(U\+001B' officer hold --kiosk K01 --reason $'wipe \x1b[2J screen'
expect_exit 2 'direction control' officer hold --kiosk K01 --reason $'evil \u202e txet'
expect_exit 2 'longer than 200 bytes' officer hold --kiosk K01 --reason "$long"
# the host applies the same rule to a client that skips it
for r in "   " $'a\x1b[31mb' "$long"; do
  out=$("$fake" --as-officer --port "$port" --ca "$pki/ca/ca.crt" --cert "$pki/officer.crt" \
    --key "$pki/officer.key" --request-kiosk K01 --request-reason "$r")
  echo "$out" | grep -qE '^reply error: the reason (is blank|holds a control character|is longer than 200 bytes)' \
    || fail "the host accepted a bad reason: $out"
done
[ "$(officer_records)" = "$n0" ] || fail "a refused reason reached the audit log"

# ---- text from a kiosk is escaped when printed ------------------------------------------
"$fake" --port "$port" --ca "$pki/ca/ca.crt" --cert "$pki/K05.crt" --key "$pki/K05.key" --id K05 \
  --no-images --reason $'biometric\x1b[2J\x1b]0;owned\x07mismatch' >"$t/fake5.out" 2>&1 &
e2e_pids="$e2e_pids $!"
e2e_wait_for 30 referred K05 || fail "no referral at K05"
officer queue >"$t/queue.txt"
officer status >"$t/status.txt"
grep -qF 'rule biometric\x1B[2J\x1B]0;owned\x07mismatch' "$t/queue.txt" || fail "queue: rule not escaped: $(cat -v "$t/queue.txt")"
! grep -q $'\x1b' "$t/queue.txt" "$t/status.txt" || fail "an escape sequence reached the terminal"
grep -q 'scores: face_similarity 0.212 against threshold 0.500 (FAILED)' "$t/queue.txt" \
  || fail "queue without the readable explanation"
seq5=$(sed -n 's/^ready seq=//p' "$t/fake5.out")
officer override --kiosk K05 --passage "$seq5" --reject --reason "감독관이 거부함 (officer refused)" \
  | grep -q 'override K05: done' || fail "a reason in Korean was not accepted"

# ---- the console: loopback only, Host checked, nothing without the secret ----------------
expect_exit 2 'not a loopback address' officer console --listen 0.0.0.0:8080
expect_exit 2 'not a loopback address' officer console --listen 10.1.2.3:8080
expect_exit 2 'not a loopback address' officer console --listen [::]:8080
expect_exit 2 'needs --listen' officer console
e2e_console_start
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
[ "$(code "$console_base/")" = 200 ] || fail "the page is not served"
[ "$(code -H 'Host: egate.attacker.example' "$console_base/")" = 421 ] || fail "a foreign Host header was served (DNS rebinding)"
[ "$(code -H "Host: egate.attacker.example" "$console_base/api/state?k=$console_token")" = 421 ] \
  || fail "data served to a foreign Host"
[ "$(code "$console_base/api/state")" = 403 ] || fail "data served without the secret"
[ "$(code "$console_base/api/state?k=$(printf '0%.0s' $(seq 1 64))")" = 403 ] || fail "data served with a wrong secret"
[ "$(code "$console_base/events")" = 403 ] || fail "events served without the secret"
[ "$(code --data kiosk=K01 --data action=hold --data reason=x "$console_base/api/action")" = 403 ] \
  || fail "an action taken without the secret"
[ "$(code -H "X-Egate-Token: $console_token" -H 'Origin: http://127.0.0.1:9' --data kiosk=K01 \
  --data action=hold --data reason=x "$console_base/api/action")" = 403 ] || fail "an action taken from another origin"
[ "$(code -X OPTIONS "$console_base/api/action")" = 405 ] || fail "OPTIONS (CORS preflight) answered"
res=$(curl -s --max-time 10 -H "X-Egate-Token: $console_token" --data kiosk=K01 --data action=hold \
  --data-urlencode $'reason=a\nb' "$console_base/api/action")
echo "$res" | grep -q '"ok":false.*control character' || fail "the console accepted a bad reason: $res"
curl -s -D "$t/headers" -o /dev/null "$console_base/"
grep -qi "^content-security-policy: default-src 'none'" "$t/headers" || fail "no CSP on the page"
grep -qi '^cache-control: no-store' "$t/headers" || fail "the page may be cached"
[ "$(officer_records)" = "$((n0 + 1))" ] || fail "officer records: want exactly the override after the refused reasons"
echo "console officer cli: ok"
rm -rf "$t"
