#!/usr/bin/env bash
# egate-host warns in its log, at start and again on SIGHUP, when its
# certificate or its CRL is about to run out (host/pki pki_log_expiry), and
# says nothing about the CA certificate, which has years left.
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
e2e_pki
# the host certificate re-signed for 5 days (same key), the CRL for 3
"$egate" pki renew --dir "$pki/ca" --cert "$pki/host.crt" --days 5 --out "$pki/host.crt" >/dev/null
"$egate" pki crl --dir "$pki/ca" --days 3 >/dev/null
log="$t/host.log"
e2e_host_start "$log"

# count_is PATTERN N — wait (up to 10 s) until PATTERN is on N lines of the log
count_is() {
  for _ in $(seq 1 100); do
    [ "$(grep -cE "$1" "$log" || true)" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "expected $2 log lines matching: $1"
}
cert='event=pki.expiring .*what=certificate cn=egate-host .*days_left=[45] '
crl='event=pki.expiring .*what=crl .*days_left=[23] '
count_is "$cert" 1
count_is "$crl" 1
kill -HUP "$host_pid"
count_is "$cert" 2
count_is "$crl" 2
if grep -E 'event=pki\.(expiring|expired).*E2E CA' "$log"; then
  fail "warned about the CA certificate, which has 10 years left"
fi
e2e_host_stop
echo "ok: egate-host warns about its certificate and CRL at start and on SIGHUP"
rm -rf "$t"
