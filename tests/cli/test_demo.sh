#!/usr/bin/env bash
# demo: README's first command (scripts/demo) on this build: host, two
# kiosks, officer, audit trail. scripts/demo keeps its folder for the person
# who ran it; here all its state goes into the test's own folder $t
# (tests/e2e/lib.sh: EGATE_DEMO_DIR=$t/demo, TMPDIR=$t/tmp, a network
# namespace of its own when it can have one), removed when the test passes,
# kept and named when it fails or with EGATE_E2E_KEEP=1.
set -euo pipefail
build=$1 root=$2
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
rc=0
# EGATE_DEMO_NO_BUILD: this build as it is (scripts/demo would install and build)
EGATE_BUILDDIR="$build" EGATE_DEMO_NO_BUILD=1 EGATE_DEMO_DIR="$t/demo" "$root/scripts/demo" || rc=$?
[ "$rc" = 0 ] || fail "scripts/demo exited with status $rc (its state: $t/demo)"
