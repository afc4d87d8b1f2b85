# demo stage: chips read through the simulated CCID reader (USB-message level)
step "4. Chip: simulated passports read through a simulated USB CCID reader, checked against the simulation's CSCA"
mrz=$(printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10')
run egate read --reader sim:genuine-td3 --mrz "$mrz" --sim-pki "$demo/sim-pki"
for t in altered-dg1 revoked-ds wrong-mac; do
  echo
  echo "-- traveller profile '$t' (a fault built into the simulated chip or its PKI):"
  rc=0
  egate read --reader "sim:$t" --mrz "$mrz" --sim-pki "$demo/sim-pki" --json > "$demo/read-$t.json" || rc=$?
  python3 - "$demo/read-$t.json" "$rc" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["result"]
bad = [c for c in r.get("checks", []) if c.get("status") not in ("pass", "not-checked")]
print(f"   exit status {sys.argv[2]}, outcome {r.get('outcome')}; failed checks:")
for c in bad:
    print(f"   - {c.get('name')}: {c.get('reason')}")
PY
done
