#!/bin/sh
# The installed egate-kiosk carries no simulator, no test PKI and no
# chip-side code (issue 11): no symbol of the simulation libraries is
# defined in it, and no symbol named like one (sim_*, tpki_*/testpki*,
# simchip*, scenario_*, icao_*_chip*, the simulated camera and gate).
# The same check on the simulation runner must find them: proof that the
# check looks at the right things.
#   test_no_sim.sh NM EGATE-KIOSK EGATE-KIOSK-SIM LIB.a...
set -eu
nm=$1 kiosk=$2 runner=$3
shift 3
command -v "$nm" >/dev/null 2>&1 || { echo "nm not found: install binutils"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the names, one extended regular expression (hw/sim/symbols.ere; scripts/debs, scripts/image)
pattern=$(cat "$(dirname "$0")/../../hw/sim/symbols.ere")
# every global symbol the simulation libraries define
for lib in "$@"; do
	"$nm" -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }'
done | sort -u > "$tmp/simsyms"
[ -s "$tmp/simsyms" ] || { echo "no symbols in the simulation libraries: wrong arguments"; exit 1; }
check() {	# check BINARY -> the offending symbols on stdout
	"$nm" "$1" | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/bin"
	comm -12 "$tmp/simsyms" "$tmp/bin"
	grep -E "$pattern" "$tmp/bin" || true
}
bad=$(check "$kiosk" | sort -u)
if [ -n "$bad" ]; then
	echo "FAIL: egate-kiosk contains simulation symbols:"
	echo "$bad" | head -40
	exit 1
fi
n=$("$nm" "$kiosk" | wc -l)
[ "$n" -gt 1000 ] || { echo "FAIL: egate-kiosk has $n symbols: stripped? the check needs them"; exit 1; }
control=$(check "$runner" | wc -l)
[ "$control" -gt 50 ] || { echo "FAIL: the check finds only $control simulation symbols in egate-kiosk-sim"; exit 1; }
echo "ok: egate-kiosk ($n symbols) has none of the $(wc -l < "$tmp/simsyms") symbols of the simulation libraries; egate-kiosk-sim has $control"
