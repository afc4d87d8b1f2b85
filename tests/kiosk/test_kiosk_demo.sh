#!/usr/bin/env bash
# kiosk-demo: the demo scenario through the simulation runner with the
# configuration docs/kiosk.md ("Scenarios") runs by hand,
# hw/sim/scenarios/kiosk-sim.conf: every passage as expected (exit 0).
# That file's [host] spool is a fixed path under /tmp, fine for a person and
# wrong for a test (two copies of the suite side by side would share one
# SQLite spool, and it stays): the test runs a copy whose spool is in its
# own folder $t (tests/e2e/lib.sh: TMPDIR points into it too, removed when
# the test passes, kept and named when it fails or with EGATE_E2E_KEEP=1).
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
conf="$root/hw/sim/scenarios/kiosk-sim.conf"
[ "$(grep -c '^spool = ' "$conf")" = 1 ] || fail "$conf: no single 'spool = ' line to replace"
sed "s|^spool = .*|spool = $t/kiosk.spool|" "$conf" > "$t/kiosk-sim.conf"
rc=0
"$kioskd" --config "$t/kiosk-sim.conf" --scenario "$root/hw/sim/scenarios/demo.ini" || rc=$?
[ "$rc" = 0 ] || fail "egate-kiosk-sim exited with status $rc"
# the records went to this test's spool
[ -s "$t/kiosk.spool" ] || fail "no spool at $t/kiosk.spool"
# the runner removed its own scratch folders (simulated PKI, camera frames)
left=$(ls -A "$TMPDIR")
[ -z "$left" ] || fail "egate-kiosk-sim left in \$TMPDIR: $left"
