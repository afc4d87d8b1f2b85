# demo stage: the main job — egate-host and two egate-kiosk instances on
# simulated hardware, over mutual TLS on loopback, then the audit trail
step "5. The gates: egate-host in the control room, kiosks K01 and K02 processing simulated travellers"
hostd="$builddir/host/daemon/egate-host"
# the simulation runner: egate-kiosk's passage core on simulated devices (not installed)
kioskd="$builddir/hw/sim/egate-kiosk-sim"
h="$demo/host"
mkdir -p "$h/keys" "$h/crl" "$h/db"
chmod 700 "$h/keys"
cp "$pki/ca/ca.crl" "$h/crl/ca.crl"
[ -f "$h/keys/checkpoint.key" ] || run egate pki key --out "$h/keys/checkpoint.key"
openssl pkey -in "$h/keys/checkpoint.key" -pubout -out "$h/checkpoint.pub" 2>/dev/null
[ -f "$h/keys/identifier.hmac" ] || run egate pki secret --out "$h/keys/identifier.hmac"
# The decision policy every kiosk runs comes from the host: a policy bundle
# (docs/host.md "Policy bundle"), logged in the audit store and pushed to
# each kiosk, which reports "config version N applied".
cat > "$h/policy.ini" <<'POLICY'
[policy]
version = 1
[thresholds]
match_threshold = 0.50
; DEMO ONLY, NOT A SECURITY SETTING: the weak PAD model scores the demo's
; still photos far below 0.50 (docs/kiosk.md, "Liveness in the demo")
liveness_threshold = 0.01
watchlist_threshold = 0.50
max_capture_attempts = 3
min_age = 0
[settings]
mandatory_checks = mrz_valid, chip_access, passive_auth, dg_hashes, dg1_matches_mrz, chip_auth, not_expired, issuer_accepted, min_age
accepted_issuers = UTO
; the simulated passports have neither DG14 nor DG15
no_chip_auth = accept
watchlist_action = refer
POLICY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$h/host.conf" <<CONF
[host]
listen = 127.0.0.1
port = $port
log_level = info

[tls]
ca = $pki/ca/ca.crt
cert = $pki/host.crt
key = $pki/host.key
crl = $h/crl/ca.crl

[audit]
db = $h/db/audit.db
signing_key = $h/keys/checkpoint.key
hmac_key = $h/keys/identifier.hmac
checkpoint_interval = 60
retention_days = 365

[policy]
file = $h/policy.ini
CONF
run egate config check --kind host "$h/host.conf"
echo "\$ egate-host --config $h/host.conf --foreground   (log: $h/host.log)"
"$hostd" --config "$h/host.conf" --foreground 2>"$h/host.log" &
host_pid=$!
trap 'kill $host_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q 'event=net.listen\|event=host.listen\|listening' "$h/host.log" 2>/dev/null && break
  python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null && break
  sleep 0.1
done

kiosk_conf() {	# kiosk_conf ID LANG
  cat <<CONF
[kiosk]
id = $1
lane = demo lane $1
language = $2
log_level = warn
[host]
address = 127.0.0.1
port = $port
ca = $pki/ca/ca.crt
cert = $pki/$1.crt
key = $pki/$1.key
spool = $demo/$1.spool
; the host's certificate: document numbers and names are sealed to its key
; before they reach the spool (only egate-host can open them)
seal_cert = $pki/host.crt
[devices]
reader = sim
camera = sim
mrz = sim
gate = sim
[trust]
csca = sim
; [policy]: none here, the host pushes it (policy bundle $h/policy.ini)
CONF
}
kiosk_conf K01 en > "$demo/K01.conf"
kiosk_conf K02 ko > "$demo/K02.conf"
echo
echo "Both kiosks run at once; each line of output is prefixed with its kiosk."
echo "Each kiosk first gets the policy from the host ('config version 1 applied')."
echo "A passage ends with a summary line '== passage ...': decision, rule, failed checks,"
echo "scores against their thresholds, and the time of each stage."
echo "K01's referrals wait for border officer officer.kim, who works from the console"
echo "(egate officer queue / override, lines prefixed [officer.kim]); K02's are closed by"
echo "a simulated officer without a decision."
echo
export EGATE_HOST=127.0.0.1 EGATE_PORT=$port EGATE_CA="$pki/ca/ca.crt"
export EGATE_OFFICER_CERT="$pki/officer.crt" EGATE_OFFICER_KEY="$pki/officer.key"
# The officer: decides every referral of K01 as it appears in the queue.
officer_console() {
  local q seq rule kiosk how why
  while :; do
    q=$(egate officer queue --json 2>/dev/null) || { sleep 0.3; continue; }
    read -r kiosk seq rule < <(python3 -c 'import json,sys
q=json.loads(sys.argv[1]); print(*(q and [q[0]["kiosk"], q[0]["seq"], q[0]["reason"]] or ["-", 0, "-"]))' "$q" 2>/dev/null)
    if [ "$seq" = 0 ] || [ "$kiosk" != K01 ]; then sleep 0.3; continue; fi
    case $rule in
      chip_unreadable) how=--open; why="passport inspected by hand, visa checked" ;;
      failed:not_expired) how=--reject; why="passport expired: sent to the counter" ;;
      *) how=--reject; why="$rule confirmed at secondary inspection" ;;
    esac
    echo "[officer.kim] referral K01 seq $seq ($rule): override $how, reason: $why"
    egate officer override --kiosk K01 --passage "$seq" $how --reason "$why" | sed 's/^/[officer.kim] /'
  done
}
officer_console & officer_pid=$!
trap 'kill $host_pid $officer_pid 2>/dev/null || true' EXIT
rc1=0; rc2=0
( "$kioskd" --config "$demo/K01.conf" --config-wait 15 --scenario "$root/hw/sim/scenarios/demo.ini" \
    --officer-wait 30 2>"$demo/K01.log" | sed -u 's/^/[K01] /' ) & k1=$!
( "$kioskd" --config "$demo/K02.conf" --config-wait 15 --scenario "$root/hw/sim/scenarios/demo-k02.ini" 2>"$demo/K02.log" \
    | sed -u 's/^/[K02] /' ) & k2=$!
wait $k1 || rc1=$?
wait $k2 || rc2=$?
kill $officer_pid 2>/dev/null || true
wait $officer_pid 2>/dev/null || true
echo
echo "What the officer's console shows now:"
run egate officer status
echo
echo "kiosks done (exit status K01=$rc1 K02=$rc2); stopping the host (SIGTERM: final signed checkpoint)"
kill -TERM $host_pid
wait $host_pid || true
trap - EXIT
grep -c 'event=' "$h/host.log" | xargs -I{} echo "host log: {} lines in $h/host.log"
echo "the policy, as the host logged it (version and digest in the audit store, what each kiosk answered):"
grep 'event=config\.\(logged\|loaded\|applied\|rejected\)' "$h/host.log" | sed 's/^.*event=/  /' || true

step "6. The audit trail, as an auditor sees it"
run egate audit --db "$h/db/audit.db" query --limit 80
echo
echo "Every officer action and its outcome, as an auditor finds them:"
run egate audit --db "$h/db/audit.db" query --officer officer.kim
echo
echo "Find a traveller's passages by document number (the kiosks sealed it to the"
echo "host's key, the host stored only its HMAC; the number itself is in no file):"
run egate audit --db "$h/db/audit.db" query --document L898902C3 --hmac-key "$h/keys/identifier.hmac" --kiosk K01 --limit 5
found=$(egate audit --db "$h/db/audit.db" query --document L898902C3 --hmac-key "$h/keys/identifier.hmac" --json | grep -o '"kiosk_id"' | wc -l)
echo "$found passage(s) of document L898902C3 in the audit log"
if grep -qa 'L898902C3' "$demo"/K0*.spool* "$h"/db/audit.db* 2>/dev/null; then
  echo "demo: the document number is in clear in a spool or the audit database" >&2
  exit 1
fi
if [ "$found" -lt 1 ]; then
  echo "demo: the query by document number found no passage" >&2
  exit 1
fi
echo
echo "Verify the hash chain, every signed checkpoint, and the anchor the host exported:"
run egate audit --db "$h/db/audit.db" verify --pubkey "$h/checkpoint.pub" --anchor "$h/db/audit.db.anchor"

if [ "$rc1" != 0 ] || [ "$rc2" != 0 ]; then
  echo "demo: a kiosk did not finish as expected (K01=$rc1 K02=$rc2)" >&2
  exit 1
fi
