#!/bin/bash
# The integrator guide is a test (issue 15): the commands of
# docs/integrator-guide.md, taken from the guide itself in document order
# (tests/cli/guide_steps.py; the convention is at the top of the guide), run
# on this build in a private sandbox: a folder stands in for /, the guide's
# absolute paths are mapped into it by the table below, the network is a
# namespace of our own (egate-host listens on the example's port 4433, which
# nothing else can hold). A command that fails, or an output the guide shows
# that the program does not print, fails the test with the guide's line.
# Then the same runner must fail on two broken copies of the guide (an option
# misspelt, an output changed), each at the line broken: the test is not green
# by construction.
#   test_integrator_guide.sh EGATE EGATE-HOST SOURCE-ROOT
set -euo pipefail

egate=$(realpath "$1") hostd=$(realpath "$2") src=$(realpath "$3")
here=$(dirname "$(realpath "$0")")
# the build's programs first; egate finds its helper egate-tools next to itself
PATH="$(dirname "$egate"):$(dirname "$hostd"):$PATH"; export PATH
if [ ! -x "$(dirname "$egate")/egate-tools" ]; then
	echo "FAIL: no egate-tools next to $egate (build it: ninja egate-tools)" >&2; exit 1
fi
steps_py="$here/guide_steps.py"

# A network namespace of our own (user namespace: no root needed), and a PID
# namespace: whatever a command leaves running ends with the test.
if [ -z "${EGATE_GUIDE_NETNS:-}" ]; then
	if ! unshare -rnpf --mount-proc true 2>/dev/null; then
		echo "FAIL: needs unprivileged user, network and PID namespaces (unshare -rnpf;" \
			"sysctl kernel.unprivileged_userns_clone=1)" >&2
		exit 1
	fi
	export EGATE_GUIDE_NETNS=1
	# shellcheck disable=SC2016  # $0 and $@ of the inner bash
	exec unshare -rnpf --mount-proc bash -c 'python3 "$0" lo-up && exec "$1" "${@:2}"' \
		"$steps_py" "$0" "$@"
fi

# run_guide GUIDE — run every runnable command of GUIDE; exit 1 at the first
# disagreement with "integrator-guide.md:LINE: COMMAND" on stderr.
run_guide() (
	guide=$1
	name=$(basename "$guide")
	daemon_pid="" daemon_log=""
	t=$(mktemp -d -t egate-guide.XXXXXX)	# under $TMPDIR (/tmp when unset)
	root="$t/root" work="$t/work" steps="$t/steps"
	# shellcheck disable=SC2317  # called by the trap
	stop_daemon() {
		[ -n "$daemon_pid" ] || return 0
		kill -TERM "$daemon_pid" 2>/dev/null || true
		local deadline=$((SECONDS + 30)) rc=0
		while kill -0 "$daemon_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.1
		done
		if kill -0 "$daemon_pid" 2>/dev/null; then
			kill -KILL "$daemon_pid"; daemon_pid=""
			echo "FAIL: the daemon did not stop within 30 s of SIGTERM" >&2; return 1
		fi
		wait "$daemon_pid" 2>/dev/null || rc=$?
		daemon_pid=""
		if [ "$rc" != 0 ]; then
			echo "FAIL: the daemon exited $rc on SIGTERM (guide section 7: it stores what is" \
				"in flight and exits)" >&2; tail -n 20 "$daemon_log" >&2; return 1
		fi
	}
	# EGATE_GUIDE_KEEP=1 keeps the sandbox for a look after a failure
	trap 'stop_daemon || true; [ -n "${EGATE_GUIDE_KEEP:-}" ] || rm -rf "$t"' EXIT
	# HOME stays: section 9's simulated reader takes its face photos from the
	# cache scripts/install-deps fills (section 1)
	mkdir -p "$root" "$work" "$steps"

	# The guide's absolute paths -> the sandbox: the whole mapping.
	map=(
		/srv/egate-ca                        "$root/srv/egate-ca"
		/etc/egate                           "$root/etc/egate"
		/var/lib/egate                       "$root/var/lib/egate"
		/usr/share/doc/egate-host/examples   "$root/usr/share/doc/egate-host/examples"
		/usr/share/doc/egate-kiosk/examples  "$root/usr/share/doc/egate-kiosk/examples"
		/tmp                                 "$root/tmp"
	)
	: >"$t/map"
	for ((i = 0; i < ${#map[@]}; i += 2)); do
		printf '%s\t%s\n' "${map[i]}" "${map[i+1]}" >>"$t/map"
	done
	# What the Debian packages install before the guide starts (guide section
	# 1, "Debian packages"): the folders, the example configurations -- the
	# examples with the same mapping applied to the paths they name (the same
	# code as for the commands: one pass, a mapped path is not mapped again).
	mkdir -p "$root/srv" "$root/tmp" "$root/etc/egate/pki" "$root/etc/egate/crl" \
		"$root/etc/egate/audit-keys" \
		"$root/var/lib/egate" "$root/usr/share/doc/egate-host/examples" \
		"$root/usr/share/doc/egate-kiosk/examples"
	chmod 0700 "$root/var/lib/egate"
	for f in host-host.conf host-policy.ini kiosk-kiosk.conf; do
		python3 "$steps_py" subst "$src/docs/examples/${f#*-}" "$t/no-bindings" "$t/map" \
			>"$root/usr/share/doc/egate-${f%%-*}/examples/${f#*-}"
	done

	python3 "$steps_py" extract "$guide" "$steps" >"$t/summary"
	cat "$t/summary"

	last_rc=0
	for d in "$steps"/*/; do
		line=$(cat "$d/line") mode=$(cat "$d/mode")
		python3 "$steps_py" subst "$d/cmd" "$t/bindings" "$t/map" >"$d/run"
		cmd=$(cat "$d/cmd")
		case $mode in
		run|run-may-fail)
			if [ "$cmd" = 'echo $?' ]; then
				echo "$last_rc" >"$d/out"; : >"$d/err"; rc=0
			else
				rc=0
				(cd "$work" && exec bash -c "set -o pipefail; $(cat "$d/run")") \
					>"$d/out" 2>"$d/err" </dev/null || rc=$?
			fi
			last_rc=$rc
			if [ "$rc" != 0 ] && [ "$mode" = run ]; then
				echo "FAIL: $name:$line: exit $rc: $cmd" >&2
				cat "$d/out" "$d/err" | sed 's/^/  | /' >&2
				exit 1
			fi
			;;
		daemon:*)
			daemon_log="$t/daemon.log"
			(cd "$work" && exec bash -c "exec $(cat "$d/run")") >"$daemon_log" 2>&1 </dev/null &
			daemon_pid=$!
			deadline=$((SECONDS + 60))
			until grep -qF -- "${mode#daemon:}" "$daemon_log"; do
				if ! kill -0 "$daemon_pid" 2>/dev/null; then
					rc=0; wait "$daemon_pid" || rc=$?; daemon_pid=""
					echo "FAIL: $name:$line: exited $rc before its log showed '${mode#daemon:}'" \
						"(detached? a daemon block must stay in the foreground): $cmd" >&2
					sed 's/^/  | /' "$daemon_log" >&2
					exit 1
				fi
				if [ "$SECONDS" -ge "$deadline" ]; then
					echo "FAIL: $name:$line: no '${mode#daemon:}' in its log within 60 s: $cmd" >&2
					sed 's/^/  | /' "$daemon_log" >&2
					exit 1
				fi
				sleep 0.1
			done
			cp "$daemon_log" "$d/out"; : >"$d/err"
			;;
		log)
			cp "$daemon_log" "$d/out"; : >"$d/err"
			;;
		esac
		how='whole'; [ "$mode" = log ] && how='tail'
		if ! python3 "$steps_py" match "$d/expect" "$d/out:$d/err" "$t/bindings" "$t/map" "$how" \
			>"$t/missing"; then
			echo "FAIL: $name:$(cut -f1 "$t/missing"): output the guide shows is missing:" \
				"$(cut -f2- "$t/missing")" >&2
			echo "  command (line $line): ${cmd:-(the log of the daemon)}" >&2
			cat "$d/out" "$d/err" | sed 's/^/  | /' >&2
			exit 1
		fi
		echo "ok $name:$line: ${cmd%%$'\n'*}"
	done
	stop_daemon
)

guide="$src/docs/integrator-guide.md"
echo "== the guide"
run_guide "$guide"

# The runner must notice a broken guide, at the line broken.
broken=$(mktemp -d -t egate-guide-broken.XXXXXX)
trap 'rm -rf "$broken"' EXIT
expect_fail() {	# expect_fail WHAT FROM TO — the first FROM (in a command or output) made TO
	local what=$1 from=$2 to=$3 line rc
	line=$(grep -nF -- "$from" "$guide" | head -n 1 | cut -d: -f1)
	[ -n "$line" ] || { echo "FAIL: '$from' is not in the guide any more" >&2; exit 1; }
	sed "${line}s|$from|$to|" "$guide" >"$broken/integrator-guide.md"
	echo "== a broken guide: $what at line $line"
	# not in an `if`: set -e must hold inside run_guide
	run_guide "$broken/integrator-guide.md" >"$broken/log" 2>&1 &
	rc=0; wait $! || rc=$?
	if [ "$rc" = 0 ]; then
		echo "FAIL: the runner passed a guide with $what (line $line)" >&2; exit 1
	fi
	if ! grep -q "FAIL: integrator-guide.md:$line:" "$broken/log"; then
		echo "FAIL: the runner failed, but not at line $line:" >&2
		grep FAIL "$broken/log" >&2; exit 1
	fi
	echo "ok: $(grep "FAIL: integrator-guide.md:$line:" "$broken/log")"
}
# (not --rol: getopt_long takes an unambiguous abbreviation)
expect_fail "an option misspelt" "--role host --cn egate-host" "--roel host --cn egate-host"
expect_fail "an output changed" "CA created in" "CA made in"
echo "PASS"
