#!/usr/bin/env bash
# bench-kiosk-daemon — one genuine passage on egate-kiosk's DAEMON path (the
# daemon loop waiting for the card, the devices kept open, the camera
# streaming and paced at 30 frames/s; the simulated lane of hw/sim/sim_lane.c
# behind the same CCID and mrzdev drivers), against the same traveller
# through the SCENARIO path of the simulation runner (fresh simulated devices
# per traveller, the camera unpaced), measured in the same run and
# interleaved; medians and spread per stage. Then the daemon's peak resident
# memory (VmHWM at its stop, logged as kiosk.stopped peak_rss_kb) against the
# budget docs/kiosk.md states for a 2 GB single-board computer.
#
#   bench_kiosk_daemon.sh BUILD SRC [N]        (meson test --benchmark --suite kiosk)
#
# Run it from a release build: under the sanitizers both the times and the
# memory are inflated several times. Under umockdev the same script runs
# with reader = usb and mrz = acm (the umockdev harness of tests/umockdev).
set -euo pipefail
build=$1 src=$2 n=${3:-7}
budget_mb=512
runner="$build/hw/sim/egate-kiosk-sim"
t=$(mktemp -d /tmp/egate-bench-daemon.XXXXXX)
kpid=
cleanup() { [ -n "$kpid" ] && kill "$kpid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$t"; }
trap cleanup EXIT

echo "bench-kiosk-daemon: $n passages per path, interleaved"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|neon|asimd' | tr '\n' ' ')"
echo "kernel: $(uname -sr); load: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q 'fsanitize=address' "$build/build.ninja" 2>/dev/null; then
  echo "WARNING: a sanitizer build: the figures mean little (use a release build)"
fi

mkdir -p "$t/cam"
"$runner" --make-portrait sample5.jpg "$t/cam/portrait.jpg"
mkfifo "$t/ctl"
common() {
  cat <<CONF
[kiosk]
id = BENCH
log_level = notice
officer_wait = 0
[host]
address = 127.0.0.1
ca = /dev/null
cert = /dev/null
key = /dev/null
spool = $t/$1.spool
connect = false
[trust]
csca = $t/pki/csca.der
crl_dir = $t/pki/crl
[policy]
accepted_issuers = UTO
no_chip_auth = accept
liveness_threshold = 0.01
CONF
}
{ common daemon; printf '[devices]\nreader = lane\nmrz = lane\ncamera = lane:%s\ngate = lane\n' "$t/cam"; } > "$t/daemon.conf"
{ common scenario; printf '[devices]\ndisplay = none\n'; } > "$t/scenario.conf"
cat > "$t/one.ini" <<INI
[scenario]
name = one
today = $(date -u +%Y-%m-%d)
[passage genuine]
traveller = genuine-td3
chip_face = sample5.jpg
expiry = 341231
camera = portrait:sample5.jpg
expect = open
expect_rule = all_checks_passed
INI

"$runner" --config "$t/daemon.conf" --control "$t/ctl" --sim-pki "$t/pki" \
  >"$t/daemon.out" 2>"$t/daemon.log" & kpid=$!
wait_for() {	# wait_for FILE PATTERN COUNT
  local end=$((SECONDS + 120))
  while [ "$SECONDS" -lt "$end" ]; do
    [ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
    kill -0 "$kpid" 2>/dev/null || { echo "the daemon exited"; tail "$t/daemon.log"; exit 1; }
    sleep 0.05
  done
  echo "timeout waiting for $2"; exit 1
}
wait_for "$t/daemon.log" 'event=kiosk.ready' 1
for i in $(seq 1 "$n"); do
  printf 'insert genuine-td3 chip_face=sample5.jpg expiry=341231\n' > "$t/ctl"
  wait_for "$t/daemon.log" 'event=kiosk.passage n=' "$i"
  printf 'remove\n' > "$t/ctl"
  "$runner" --config "$t/scenario.conf" --scenario "$t/one.ini" >>"$t/scenario.out" 2>/dev/null ||
    { echo "the scenario path failed"; exit 1; }
done
kill -TERM "$kpid"; wait "$kpid" || true; kpid=
python3 - "$t/daemon.out" "$t/scenario.out" "$t/daemon.log" "$budget_mb" <<'PY'
import re, statistics, sys
def runs(path):
    out = []
    for line in open(path):
        m = re.match(r"\s+time: (.*) total (\d+) ms", line)
        if m:
            st = {k: float(v) for k, v in re.findall(r"(\w+) (\d+) ms", m.group(1))}
            st["total"] = float(m.group(2))
            out.append(st)
    return out
d, s = runs(sys.argv[1]), runs(sys.argv[2])
assert d and s and len(d) == len(s), (len(d), len(s))
print("stage        daemon path (median, min-max)    scenario path (median, min-max)    ratio")
for k in ("mrz", "chip", "capture", "liveness", "match", "watchlist", "gate", "total"):
    dv = [r.get(k, 0.0) for r in d]; sv = [r.get(k, 0.0) for r in s]
    dm, sm = statistics.median(dv), statistics.median(sv)
    ratio = "%.2f" % (dm / sm) if sm > 0 else "-"
    print("%-10s %8.0f ms (%4.0f-%4.0f)             %8.0f ms (%4.0f-%4.0f)             x%s" %
          (k, dm, min(dv), max(dv), sm, min(sv), max(sv), ratio))
m = re.search(r"event=kiosk.stopped .*passages=(\d+) peak_rss_kb=(\d+)", open(sys.argv[3]).read())
assert m, "no kiosk.stopped line"
mb, budget = int(m.group(2)) / 1024, int(sys.argv[4])
print("daemon peak resident memory after %s passages: %.0f MB (budget %d MB for a 2 GB SBC: %s)"
      % (m.group(1), mb, budget, "met" if mb <= budget else "NOT met"))
sys.exit(0 if mb <= budget else 1)
PY
