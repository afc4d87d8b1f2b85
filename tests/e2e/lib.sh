# tests/e2e/lib.sh — set-up shared by the end-to-end tests (sourced):
# a deployment PKI, an egate-host configuration and kiosk configurations in
# a fresh folder $t, all on loopback. Needs $build and $root.
# A network namespace of our own (issue 13, item 10): no other process can
# take the host's port, even while the host restarts. Needs root (CI, the
# dev machines); elsewhere a port below the ephemeral range is used.
if [ -z "${EGATE_E2E_NETNS:-}" ] && unshare -n true 2>/dev/null; then
  export EGATE_E2E_NETNS=1
  exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
egate="$build/host/cli/egate"
hostd="$build/host/daemon/egate-host"
# the simulation runner: the passage core of egate-kiosk on simulated devices
kioskd="$build/hw/sim/egate-kiosk-sim"
t=$(mktemp -d -t egate-e2e.XXXXXX)	# under $TMPDIR (/tmp when unset)
# the programs' own scratch folders (egate-kiosk-sim's) go inside $t as well
mkdir "$t/tmp"
export TMPDIR="$t/tmp"
pki="$t/pki"
host_pid= kiosk_pid= console_pid= e2e_pids= e2e_failed=

# stops what the test started and removes $t, unless the test failed (fail)
# or EGATE_E2E_KEEP is set: then $t stays for a look (delete it after)
e2e_cleanup() {
  for p in $e2e_pids $console_pid $kiosk_pid; do kill "$p" 2>/dev/null || true; done
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "${EGATE_E2E_KEEP:-}$e2e_failed" ]; then
    echo "kept $t" >&2
  else
    rm -rf "$t"
  fi
}
trap e2e_cleanup EXIT

fail() {
  e2e_failed=1
  echo "FAIL: $*" >&2
  echo "--- kiosk output:" >&2; cat "$t"/kiosk*.out >&2 2>/dev/null || true
  echo "--- host log (warnings):" >&2
  grep -hE 'officer|refused|error|warn' "$t"/host*.log >&2 2>/dev/null || true
  exit 1
}

# e2e_pki KIOSK... — CA, host, the kiosks, officer.kim; checkpoint and HMAC keys
e2e_pki() {
  "$egate" pki init --dir "$pki/ca" --name "E2E CA" >/dev/null
  "$egate" pki issue --dir "$pki/ca" --role host --cn egate-host --key-out "$pki/host.key" \
    --out "$pki/host.crt" >/dev/null
  for k in "$@"; do
    # E2E_KIOSK_DAYS: the kiosk certificates' validity (default: pki's)
    "$egate" pki issue --dir "$pki/ca" --role kiosk --cn "$k" --key-out "$pki/$k.key" \
      --out "$pki/$k.crt" ${E2E_KIOSK_DAYS:+--days "$E2E_KIOSK_DAYS"} >/dev/null
  done
  "$egate" pki issue --dir "$pki/ca" --role officer --cn officer.kim \
    --key-out "$pki/officer.key" --out "$pki/officer.crt" >/dev/null
  "$egate" pki key --out "$t/checkpoint.key" >/dev/null
  "$egate" pki secret --out "$t/identifier.hmac" >/dev/null
  openssl pkey -in "$t/checkpoint.key" -pubout -out "$t/checkpoint.pub" 2>/dev/null
  if [ "${EGATE_E2E_NETNS:-}" = 1 ]; then
    port=7443
  else
    # below the ephemeral range: the kernel never hands it out by itself
    port=$(python3 -c '
import os, random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
r = random.Random(os.getpid())
for _ in range(1000):
    p = r.randrange(10000, lo)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()
')
  fi
  cat > "$t/host.conf" <<CONF
[host]
listen = 127.0.0.1
port = $port
[tls]
ca = $pki/ca/ca.crt
cert = $pki/host.crt
key = $pki/host.key
crl = $pki/ca/ca.crl
[audit]
db = $t/audit.db
signing_key = $t/checkpoint.key
hmac_key = $t/identifier.hmac
CONF
  export EGATE_HOST=127.0.0.1 EGATE_PORT=$port EGATE_CA="$pki/ca/ca.crt"
  export EGATE_OFFICER_CERT="$pki/officer.crt" EGATE_OFFICER_KEY="$pki/officer.key"
}

# e2e_kiosk_conf ID [EXTRA-HOST-LINES] — a kiosk on simulated devices
e2e_kiosk_conf() {
  cat > "$t/$1.conf" <<CONF
[kiosk]
id = $1
log_level = notice
[host]
address = 127.0.0.1
port = $port
ca = $pki/ca/ca.crt
cert = $pki/$1.crt
key = $pki/$1.key
spool = $t/$1.spool
seal_cert = $pki/host.crt
${2:-}
[devices]
reader = sim
camera = sim
mrz = sim
[trust]
csca = sim
[policy]
accepted_issuers = UTO
no_chip_auth = accept
CONF
}

# e2e_host_start [LOG] — start egate-host, wait until it listens
e2e_host_start() {
  "$hostd" --config "$t/host.conf" --foreground 2>>"${1:-$t/host.log}" & host_pid=$!
  for _ in $(seq 1 100); do
    python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" \
      2>/dev/null && return 0
    sleep 0.1
  done
  fail "egate-host does not listen"
}

e2e_host_stop() {
  kill -TERM "$host_pid"; wait "$host_pid" || true; host_pid=
}

# e2e_kiosk_referrals ID OUT [OFFICER_WAIT] — egate-kiosk ID on simulated
# devices running hw/sim/scenarios/officer.ini: real referrals that wait up
# to OFFICER_WAIT seconds (default 60) for an officer. Output in OUT and
# OUT.log; sets kiosk_pid. The console tests run egate-kiosk only through
# this function (its scenario mode is moving to a scenario runner).
e2e_kiosk_referrals() {
  "$kioskd" --config "$t/$1.conf" --scenario "$root/hw/sim/scenarios/officer.ini" \
    --officer-wait "${3:-60}" --drain 30 >"$2" 2>"$2.log" & kiosk_pid=$!
}

# e2e_console_start — `egate officer console` on 127.0.0.1 (a port the
# kernel picks in this namespace); waits for the URL it writes. Sets
# console_pid, console_url (with the secret), console_base, console_token.
e2e_console_start() {
  rm -f "$t/console.url"
  "$egate" officer console --listen 127.0.0.1:0 --url-file "$t/console.url" \
    >"$t/console.out" 2>"$t/console.err" & console_pid=$!
  for _ in $(seq 1 200); do
    [ -s "$t/console.url" ] && break
    kill -0 "$console_pid" 2>/dev/null || fail "egate officer console exited: $(cat "$t/console.err")"
    sleep 0.05
  done
  [ -s "$t/console.url" ] || fail "egate officer console wrote no URL"
  console_url=$(cat "$t/console.url")
  console_base=${console_url%%/#*}
  console_token=${console_url##*#k=}
}

# e2e_console_state — the console's state (GET /api/state) as JSON
e2e_console_state() {
  curl -sf --max-time 5 "$console_base/api/state?k=$console_token"
}

# e2e_wait_for SECONDS CMD... — run CMD until it succeeds, at most SECONDS
e2e_wait_for() {
  local end=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
  until "$@"; do
    [ $(( $(date +%s%N) / 1000000 )) -lt $end ] || return 1
    sleep 0.1
  done
}
