#!/bin/sh
# chroot-check.sh — run by scripts/debs inside a fresh Debian 12 root, as root, with
# the built packages in /tmp/debs.
#   chroot-check.sh install   (with the network) egate alone, then every package
#   chroot-check.sh host      (loopback only) provision a host as the integrator
#                             guide does and start egate-host from its unit's lines
set -eu
say() { echo "chroot-check: $*"; }
fail() { echo "chroot-check: FAIL: $*"; exit 1; }
export DEBIAN_FRONTEND=noninteractive
cd /tmp/debs

install() {
	apt-get -o APT::Install-Recommends=false install -y -qq "$@" > /tmp/apt.log 2>&1 ||
		{ tail -n 30 /tmp/apt.log; fail "apt-get install $*"; }
}

case $1 in
install)
	# 1. the auditor's package alone pulls no face or device stack
	install ./egate_*.deb
	if dpkg-query -W -f '${Package}\n' | grep -E 'opencv|libusb|libuvc|egate-tools'; then
		fail "installing egate pulled the packages above"
	fi
	say "egate installed alone: $(dpkg-query -W -f '${Package}\n' | wc -l) packages, none of OpenCV, libusb, libuvc"
	egate version | grep -q '^egate ' || fail "egate version"
	rc=0; egate face --help > /tmp/out 2>&1 || rc=$?
	[ $rc -eq 3 ] && grep -q 'egate-tools package' /tmp/out || fail "egate face without egate-tools: exit $rc: $(cat /tmp/out)"
	say "egate face without egate-tools: exit 3, names the package"
	# 2. everything
	install ./egate-common_*.deb ./egate-tools_*.deb ./egate-kiosk_*.deb ./egate-host_*.deb
	egate face --help | grep -q 'usage: egate face' || fail "egate face --help with egate-tools"
	egate read --help | grep -q 'usage: egate read' || fail "egate read --help with egate-tools"
	say "all packages installed; egate face/read run egate-tools"
	getent passwd egate | grep -q ':/var/lib/egate:/usr/sbin/nologin$' || fail "user egate: $(getent passwd egate)"
	getent group egate > /dev/null || fail "no group egate"
	[ "$(stat -c '%U:%G %a' /etc/egate)" = "root:egate 750" ] || fail "/etc/egate: $(stat -c '%U:%G %a' /etc/egate)"
	[ "$(stat -c '%U:%G %a' /var/lib/egate)" = "egate:egate 700" ] || fail "/var/lib/egate: $(stat -c '%U:%G %a' /var/lib/egate)"
	[ "$(stat -c '%U:%G %a' /etc/egate/audit-keys)" = "egate:egate 700" ] || fail "/etc/egate/audit-keys"
	for u in egate-host egate-kiosk; do
		[ -L /etc/systemd/system/multi-user.target.wants/$u.service ] || fail "$u.service not enabled"
	done
	say "user and group egate, /etc/egate root:egate 750, /var/lib/egate egate 700; both units enabled"
	;;
host)
	# the integrator guide's sections 2 and 3, shortened: CA, host and officer
	# certificates, audit keys, the example configuration
	egate pki init --dir /root/ca --name "Chroot Check CA" > /dev/null
	egate pki issue --dir /root/ca --role host --cn egate-host \
		--key-out /etc/egate/pki/host.key --out /etc/egate/pki/host.crt > /dev/null
	egate pki issue --dir /root/ca --role officer --cn officer.check \
		--key-out /root/officer.key --out /root/officer.crt > /dev/null
	cp /root/ca/ca.crt /etc/egate/pki/ca.crt
	cp /root/ca/ca.crl /etc/egate/crl/ca.crl
	egate pki key --out /etc/egate/audit-keys/checkpoint.key > /dev/null
	egate pki secret --out /etc/egate/audit-keys/identifier.hmac > /dev/null
	chown egate:egate /etc/egate/pki/host.key /etc/egate/audit-keys/*
	chmod 0644 /etc/egate/pki/*.crt /etc/egate/crl/ca.crl
	sed 's/^listen = .*/listen = 127.0.0.1/' /usr/share/doc/egate-host/examples/host.conf > /etc/egate/host.conf
	chgrp egate /etc/egate/host.conf
	chmod 0640 /etc/egate/host.conf
	egate config check --kind host /etc/egate/host.conf > /dev/null || fail "egate config check --kind host"

	# the unit's own lines (no systemd runs in a chroot: its sandboxing is not applied)
	unit=/lib/systemd/system/egate-host.service
	user=$(sed -n 's/^User=//p' $unit)
	pre=$(sed -n 's/^ExecStartPre=//p' $unit)
	start=$(sed -n 's/^ExecStart=//p' $unit)
	[ -n "$user" ] && [ -n "$pre" ] && [ -n "$start" ] || fail "$unit: no User/ExecStartPre/ExecStart"
	as_user() { setpriv --reuid="$user" --regid="$user" --init-groups "$@"; }
	# shellcheck disable=SC2086
	as_user $pre > /tmp/pre.log 2>&1 || { cat /tmp/pre.log; fail "ExecStartPre: $pre"; }
	# (setpriv execs the program: $! is egate-host itself)
	# shellcheck disable=SC2086
	setpriv --reuid="$user" --regid="$user" --init-groups $start 2> /tmp/host.log &
	pid=$!
	deadline=$(( $(date +%s) + 60 ))
	until grep -q 'event=net.ready' /tmp/host.log; do
		kill -0 $pid 2>/dev/null || { cat /tmp/host.log; fail "egate-host exited"; }
		[ "$(date +%s)" -lt $deadline ] || { cat /tmp/host.log; kill $pid; fail "egate-host not ready in 60 s"; }
		sleep 0.2
	done
	say "egate-host started as $user from $unit: $(grep -o 'event=monitor.listening.*' /tmp/host.log)"
	rc=0
	egate officer status --host 127.0.0.1 --port 4433 --ca /etc/egate/pki/ca.crt \
		--cert /root/officer.crt --key /root/officer.key > /tmp/out 2>&1 || rc=$?
	[ $rc -eq 0 ] && grep -q 'no kiosk has connected' /tmp/out ||
		{ cat /tmp/out /tmp/host.log; kill $pid; fail "egate officer status: exit $rc"; }
	say "egate officer status against it: exit 0, $(tail -n 1 /tmp/out)"
	kill -TERM $pid
	rc=0; wait $pid || rc=$?
	[ $rc -eq 0 ] || { cat /tmp/host.log; fail "egate-host stopped with status $rc on SIGTERM"; }
	[ -s /var/lib/egate/audit.db ] || fail "no /var/lib/egate/audit.db"
	[ "$(stat -c %U /var/lib/egate/audit.db)" = egate ] || fail "audit.db not owned by egate"
	say "egate-host stopped cleanly on SIGTERM; /var/lib/egate/audit.db written by egate"
	say ok
	;;
*) fail "usage: chroot-check.sh install|host" ;;
esac
