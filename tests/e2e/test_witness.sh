#!/usr/bin/env bash
# A host that rewrites its own log is caught by a witness (issue 13): the
# audit authority's `egate witness` cosigns the host's checkpoint after real
# passages; the host's operator, who holds the signing key, then deletes the
# database and its .anchor and starts over (same key, same log name, other
# history). The witness refuses to cosign the new checkpoint (not consistent
# with the one it cosigned), and `egate audit verify` with the witness's
# cosigned checkpoint and key reports the rewrite. The cosigned checkpoint
# is also checked by tests/audit/rfc9162.py (independent Ed25519/ECDSA).
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
e2e_pki K02
e2e_kiosk_conf K02
w="$t/witness"

run_kiosk() {
  e2e_host_start "$t/host.log"
  "$kioskd" --config "$t/K02.conf" --scenario "$root/hw/sim/scenarios/demo-k02.ini" --drain 60 \
    >>"$t/kiosk.out" 2>>"$t/kiosk.log" || fail "kiosk run"
  e2e_host_stop
}

run_kiosk
origin=$(head -1 "$t/audit.db.anchor")
size1=$(sed -n 2p "$t/audit.db.anchor")
[ "$size1" -ge 4 ] || fail "only $size1 records"

"$egate" witness init --state "$w" --name authority.example/w1 > "$t/witness.vkey"
[ "$(stat -c %a "$w/witness.key")" = 600 ] || fail "witness key mode"
"$egate" witness add-log --state "$w" --origin "$origin" --pubkey "$t/checkpoint.pub" >/dev/null
"$egate" audit --db "$t/audit.db" consistency --from 0 > "$t/req1"
"$egate" witness cosign --state "$w" --request "$t/req1" > "$t/cosigned1" || fail "first cosign"
python3 "$root/tests/audit/rfc9162.py" cosigned "$t/cosigned1" "$t/checkpoint.pub" "@$t/witness.vkey" \
  >"$t/indep" 2>&1 || fail "independent check of the cosignature: $(cat "$t/indep")"
"$egate" audit --db "$t/audit.db" verify --pubkey "$t/checkpoint.pub" --anchor "$t/cosigned1" \
  --witness-key "$t/witness.vkey" > "$t/verify1" || fail "verify with the witness: $(cat "$t/verify1")"
grep -q "witness-cosigned" "$t/verify1" || fail "not reported as witnessed"
# the auditor keeps it beside the database: verify then needs no --anchor
"$egate" audit --db "$t/audit.db" import --cosigned "$t/cosigned1" --pubkey "$t/checkpoint.pub" \
  --witness-key "$t/witness.vkey" > "$t/import1" || fail "import: $(cat "$t/import1")"
"$egate" audit --db "$t/audit.db" verify --pubkey "$t/checkpoint.pub" \
  --witness-key "$t/witness.vkey" > "$t/verify1b" || fail "verify with the imported checkpoint: $(cat "$t/verify1b")"
grep -q "from $t/audit.db.cosigned) contained, witness-cosigned" "$t/verify1b" || fail "$(cat "$t/verify1b")"
# the same request again: cosigned again (same size, same root)
"$egate" witness cosign --state "$w" --request "$t/req1" >/dev/null && fail "stale old size accepted"

# the operator rewrites history: new database, no anchor, same signing key
mv "$t/audit.db" "$t/audit.db.orig"
rm -f "$t/audit.db-wal" "$t/audit.db-shm" "$t/audit.db.anchor"
run_kiosk
run_kiosk
size2=$(sed -n 2p "$t/audit.db.anchor")
[ "$(head -1 "$t/audit.db.anchor")" = "$origin" ] || fail "same key, same log name expected"
[ "$size2" -gt "$size1" ] || fail "rewritten log of $size2 records is not longer than $size1"
"$egate" audit --db "$t/audit.db" consistency --from "$size1" > "$t/req2"
rc=0; "$egate" witness cosign --state "$w" --request "$t/req2" > "$t/cosigned2" 2>"$t/witness.err" || rc=$?
[ "$rc" = 1 ] || fail "the witness cosigned a rewritten log (exit $rc)"
grep -q "REFUSED" "$t/witness.err" || fail "no refusal message"
ls "$w"/logs/*/refused-* >/dev/null 2>&1 || fail "refused request not kept"
# the witness's state did not move
"$egate" witness status --state "$w" | grep -q "^$origin $size1 " || fail "witness state moved"
# the checkpoint the auditor imported beside the database reveals it too
rc=0; "$egate" audit --db "$t/audit.db" verify --pubkey "$t/checkpoint.pub" \
  --witness-key "$t/witness.vkey" > "$t/verify2b" || rc=$?
[ "$rc" = 1 ] || fail "verify (imported checkpoint) exit $rc after the rewrite: $(cat "$t/verify2b")"
rc=0; "$egate" audit --db "$t/audit.db" import --cosigned "$t/cosigned1" --pubkey "$t/checkpoint.pub" \
  > "$t/import2" || rc=$?
[ "$rc" = 1 ] || fail "the rewritten log took the old cosigned checkpoint (exit $rc)"
grep -q "^TAMPERED: " "$t/import2" || fail "$(cat "$t/import2")"
# the auditor, with the witness's checkpoint, sees the rewrite
rc=0; "$egate" audit --db "$t/audit.db" verify --pubkey "$t/checkpoint.pub" --anchor "$t/cosigned1" \
  --witness-key "$t/witness.vkey" > "$t/verify2" || rc=$?
[ "$rc" = 1 ] || fail "verify exit $rc after the rewrite: $(cat "$t/verify2")"
grep -q "^TAMPERED: the external checkpoint seals a different tree root" "$t/verify2" || \
  fail "$(cat "$t/verify2")"
# and the host itself refuses a database that does not contain its anchor
cp "$t/audit.db.anchor" "$t/anchor.new"
mv "$t/audit.db" "$t/audit.db.new"; rm -f "$t/audit.db-wal" "$t/audit.db-shm"
"$hostd" --config "$t/host.conf" --foreground 2>"$t/host-refuse.log" && fail "host started without its database"
grep -q "refusing to start a new log" "$t/host-refuse.log" || fail "no reason logged"
[ ! -e "$t/audit.db" ] || fail "a new database was created"
echo "witness: cosigned $size1 records, refused the rewritten log of $size2"
