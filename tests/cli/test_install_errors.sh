#!/bin/sh
# The installer's errors reach the user (issue #15: scripts/demo sent
# scripts/install-deps' output to /dev/null, so an unreachable registry
# showed nothing but exit status 1).
#  1. scripts/demo, when install-deps fails, prints what install-deps said
#     and says that install-deps failed.
#  2. scripts/install-deps, when a command fails, prints that command's own
#     error and names the command (apt-get here, faked on PATH: no network
#     and no root needed).
set -u
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {	# check FILE TEXT WHAT
	if grep -qF -- "$2" "$1"; then
		echo "ok: $3"
	else
		echo "FAIL: $3: no '$2' in:"; cat "$1"; fail=1
	fi
}

# 1. the demo with an install-deps that fails the way apt does offline
mkdir -p "$tmp/tree/scripts"
cp "$root/scripts/demo" "$tmp/tree/scripts/demo"
cat >"$tmp/tree/scripts/install-deps" <<'FAKE'
#!/bin/sh
echo "install-deps: installing 1 package(s): check"
echo "Err:1 http://deb.debian.org/debian bookworm InRelease" >&2
echo "  Temporary failure resolving 'deb.debian.org'" >&2
exit 100
FAKE
chmod +x "$tmp/tree/scripts/demo" "$tmp/tree/scripts/install-deps"
rc=0
env -u EGATE_DEMO_NO_BUILD EGATE_BUILDDIR="$tmp/build" "$tmp/tree/scripts/demo" \
	>"$tmp/demo.out" 2>"$tmp/demo.err" || rc=$?
[ "$rc" != 0 ] && echo "ok: demo exits $rc" || { echo "FAIL: demo succeeded"; fail=1; }
check "$tmp/demo.err" "Temporary failure resolving 'deb.debian.org'" "demo shows install-deps' error"
check "$tmp/demo.err" "installing 1 package(s)" "demo shows install-deps' progress on failure"
check "$tmp/demo.err" "demo: ./scripts/install-deps failed" "demo names the failing command"
rm -f "$(sed -n 's/.*kept in \(.*\))$/\1/p' "$tmp/demo.err")"

# 2. install-deps itself, with apt-get failing (fakes first on PATH)
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/dpkg-query"			# nothing installed
printf '#!/bin/sh\necho "E: Could not resolve deb.debian.org (faked)" >&2\nexit 100\n' >"$tmp/bin/apt-get"
printf '#!/bin/sh\nexec "$@"\n' >"$tmp/bin/sudo"
chmod +x "$tmp/bin/"*
rc=0
PATH="$tmp/bin:$PATH" EGATE_MODEL_DIR="$tmp/models" "$root/scripts/install-deps" \
	>"$tmp/deps.out" 2>"$tmp/deps.err" || rc=$?
[ "$rc" = 100 ] && echo "ok: install-deps exits with apt-get's status" || {
	echo "FAIL: install-deps exit $rc (want 100)"; fail=1; }
check "$tmp/deps.err" "E: Could not resolve deb.debian.org (faked)" "install-deps shows apt-get's error"
check "$tmp/deps.err" "install-deps: failed (exit 100)" "install-deps says it failed"
check "$tmp/deps.err" "apt-get update" "install-deps names the failing command"

# 3. the npm registry unreachable: npm's own message must not be silenced
#    (a fake npm that, like npm, prints nothing under --silent)
printf '#!/bin/sh\necho "install ok installed"\n' >"$tmp/bin/dpkg-query"
cat >"$tmp/bin/npm" <<'FAKE'
#!/bin/sh
for a in "$@"; do [ "$a" = --silent ] && exit 1; done
echo "npm ERR! code EAI_AGAIN" >&2
echo "npm ERR! request to https://registry.npmjs.org/ failed (faked)" >&2
exit 1
FAKE
chmod +x "$tmp/bin/"*
rc=0
PATH="$tmp/bin:$PATH" EGATE_MODEL_DIR="$tmp/models" "$root/scripts/install-deps" \
	>"$tmp/npm.out" 2>"$tmp/npm.err" || rc=$?
[ "$rc" != 0 ] && echo "ok: install-deps exits $rc without the registry" || {
	echo "FAIL: install-deps succeeded without the registry"; fail=1; }
check "$tmp/npm.err" "npm ERR! code EAI_AGAIN" "install-deps shows npm's error"
check "$tmp/npm.err" "npm pack" "install-deps names npm pack"

[ $fail = 0 ] && echo "install errors: all passed"
exit $fail
