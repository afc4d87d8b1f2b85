#!/usr/bin/env bash
# The officer console in a real browser (issue 14 acceptance): egate-host,
# egate-kiosk's referrals (tests/e2e/lib.sh: e2e_kiosk_referrals),
# `egate officer console`, and headless Chromium driven by selenium
# (tests/console/browser.py). A referral made by the kiosk appears on the
# page within one second without a reload; the officer decides it with one
# key; the audit log names the officer; a biometric referral shows both
# pictures, which never reach a file (the browser's profile included).
# Screenshots: EGATE_SCREENSHOTS=DIR (scripts/screenshots).
set -euo pipefail
build=$1 root=$2 fake=$3
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
py=/usr/bin/python3	# Debian's python3-selenium is installed for Debian's python
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || fail "$tool is missing: scripts/install-deps installs chromium and chromium-driver"
done
"$py" -c 'import selenium' 2>/dev/null || fail "python3-selenium is missing: run scripts/install-deps"
export TMPDIR="$t/tmp"
mkdir -p "$TMPDIR"
e2e_pki K01 K02
e2e_kiosk_conf K01
e2e_host_start
marker="EGATE-PICTURE-$(openssl rand -hex 12)"
e2e_console_start
"$py" "$root/tests/console/browser.py" "$console_url" "$t" >"$t/browser.out" 2>"$t/browser.err" &
browser_pid=$!
e2e_pids="$e2e_pids $browser_pid"
browser_at() { # FILE: the browser reached a step (or failed)
  [ -e "$t/$1" ] && return 0
  kill -0 "$browser_pid" 2>/dev/null || fail "the browser test failed: $(tail -30 "$t/browser.err")"
  return 1
}
e2e_wait_for 120 browser_at browser.ready || fail "the page did not come up"
# only now does the kiosk start: everything it does reaches an open page
e2e_kiosk_referrals K01 "$t/kiosk.out" 120
e2e_wait_for 400 browser_at browser.step2 || fail "the browser did not decide the kiosk's referrals"
"$fake" --port "$port" --ca "$pki/ca/ca.crt" --cert "$pki/K02.crt" --key "$pki/K02.key" --id K02 \
  --marker "$marker" >"$t/fake.out" 2>"$t/fake.err" &
e2e_pids="$e2e_pids $!"
touch "$t/shell.faces"
e2e_wait_for 300 browser_at browser.done || fail "the browser did not finish"
rc=0; wait "$browser_pid" || rc=$?
[ "$rc" = 0 ] || fail "browser.py exit $rc: $(tail -30 "$t/browser.err")"
e2e_wait_for 30 grep -q '^decided action=open officer=officer.kim' "$t/fake.out" \
  || fail "the picture kiosk got no decision"
rc=0; wait "$kiosk_pid" || rc=$?
kiosk_pid=
[ "$rc" = 0 ] || fail "egate-kiosk exit $rc"
kill "$console_pid"; wait "$console_pid" || fail "the console did not stop cleanly"; console_pid=
e2e_host_stop
"$egate" audit --db "$t/audit.db" query --json >"$t/audit.json"
python3 - "$t/audit.json" "$t/browser.done" "$(cat "$t/browser.step1")" <<'PY' || fail "audit records"
import json, sys
txt = open(sys.argv[1]).read()
try:
    rows = json.loads(txt)
except ValueError:
    rows = [json.loads(l) for l in txt.splitlines() if l.strip()]
res = json.load(open(sys.argv[2]))
seq1 = int(sys.argv[3])
def one(**kw):
    m = [r for r in rows if all(r.get(k) == v for k, v in kw.items())]
    assert len(m) == 1, (kw, m)
    return m[0]
# the referral decided in the browser: the kiosk's REJECT names the officer
rej = one(kiosk_id="K01", decision="REJECT", reason="officer_override_reject")
assert rej["officer"] == "officer.kim" and json.loads(rej["payload"])["overrides_seq"] == seq1, rej
opn = one(kiosk_id="K01", decision="OPEN", reason="officer_override_open")
assert opn["officer"] == "officer.kim", opn
pic = one(kiosk_id="K02", decision="OPEN", reason="officer_override_open")
assert pic["officer"] == "officer.kim", pic
acts = [r for r in rows if r["kiosk_id"] == "host" and r["type"] == "officer"]
assert [(a["decision"], a["reason"]) for a in acts] == [
    ("OVERRIDE_REJECT", "Not the passport holder"),
    ("OVERRIDE_OPEN", "Passport inspected by hand, holder confirmed"),
    ("HOLD", "Lane closed for maintenance"),
    ("RELEASE", "Lane closed for maintenance"),
    ("OVERRIDE_OPEN", "Face compared by the officer: same person"),
], acts
assert all(a["officer"] == "officer.kim" for a in acts)
print("browser: latency %d ms from the kiosk's decision to the page; %d events; audible %s; pictures %s"
      % (res["latency_ms"], res["events"], res["audible"], res["picture_sizes"]))
PY
python3 - "$t" "$marker" <<'PY' || fail "the pictures reached the disk (browser profile included)"
import base64, os, sys
root, marker = sys.argv[1], sys.argv[2].encode()
forms = {"raw": marker, "hex": marker.hex().encode()}
for shift in range(3):
    forms["base64+%d" % shift] = base64.b64encode(b"\0" * shift + marker)[4:-4]
hits, files = [], 0
for d, _, names in os.walk(root):
    for n in names:
        p = os.path.join(d, n)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        try:
            data = open(p, "rb").read()
        except OSError:
            continue
        files += 1
        hits += ["%s (%s)" % (p, f) for f, m in forms.items() if m in data]
assert not hits, hits
print("scanned %d files (host, console, browser profile): no picture" % files)
PY
cat "$t/browser.out"
echo "console browser: ok"
rm -rf "$t"
