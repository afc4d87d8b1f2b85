#!/bin/sh
# `scripts/image --check` on small crafted root trees (docs/image.md): a tree laid out like
# the image — arm64 programs (compiled here with aarch64-linux-gnu-gcc; egate-kiosk with
# more than 1000 symbols, like the real one), the loader and libc where the programs look,
# the units enabled — passes, as a folder, a tar and an ext4 image; so does a stripped
# egate-kiosk with its debug file where egate-kiosk-dbgsym puts it. Each fault put into a
# copy of it must fail the check with its own message: a simulator symbol in egate-kiosk (or
# in its debug file), a stripped egate-kiosk without a debug file, a PEM private key, a .key
# file, the enrolment token, a unit not enabled, an x86-64 program, a library the programs
# need missing, RAUC's pre-install handler (egate-keep-identity) missing; with the traveller's
# display (egate-display.service in the tree): that unit not enabled, chromium missing, its user
# missing, uid 0, outside group render or inside group egate. The image build itself
# (mmdebstrap, qemu) is not run here: too slow for the suite; scripts/image, by hand or CI.
#   test_image_check.sh SCRIPTS-IMAGE AARCH64-GCC
set -eu
image=$1 cc=$2
command -v "$cc" >/dev/null 2>&1 || { echo "$cc not found: run scripts/install-deps (gcc-aarch64-linux-gnu)"; exit 1; }
for t in readelf:binutils mkfs.ext4:e2fsprogs debugfs:e2fsprogs python3:python3; do
	command -v "${t%%:*}" >/dev/null 2>&1 || { echo "${t%%:*} not found: install ${t#*:}"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# ---- the good tree ------------------------------------------------------------------
g=$tmp/good
mkdir -p "$g/usr/bin" "$g/usr/sbin" "$g/usr/libexec/egate" "$g/usr/lib/aarch64-linux-gnu" \
	"$g/usr/lib/systemd/system" "$g/etc/systemd/system/multi-user.target.wants" "$g/etc/egate/pki"
ln -s usr/lib "$g/lib"
# the loader and libc: stand-ins (the check looks for them by name, it does not run them)
: > "$g/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"
ln -s /usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 "$g/usr/lib/ld-linux-aarch64.so.1"
: > "$g/usr/lib/aarch64-linux-gnu/libc.so.6.real"
ln -s /usr/lib/aarch64-linux-gnu/libc.so.6.real "$g/usr/lib/aarch64-linux-gnu/libc.so.6"	# absolute, as in an image
# egate-kiosk-like: 1200 functions, none named like the simulators
{
	i=0
	while [ $i -lt 1200 ]; do echo "int kiosk_fn_$i(int x) { return x + $i; }"; i=$((i + 1)); done
	echo 'int main(void) { return kiosk_fn_0(0); }'
} > "$tmp/kiosk.c"
echo 'int main(void) { return 0; }' > "$tmp/tiny.c"
"$cc" -O0 -o "$g/usr/sbin/egate-kiosk" "$tmp/kiosk.c"
"$cc" -o "$g/usr/bin/egate" "$tmp/tiny.c"
"$cc" -o "$g/usr/libexec/egate/egate-tools" "$tmp/tiny.c"
for s in egate-firstboot egate-keep-identity; do
	printf '#!/bin/sh\nexit 0\n' > "$g/usr/libexec/egate/$s"
	chmod 0755 "$g/usr/libexec/egate/$s"
done
for u in egate-kiosk egate-firstboot; do
	printf '[Service]\nExecStart=/bin/true\n' > "$g/usr/lib/systemd/system/$u.service"
	ln -s "/usr/lib/systemd/system/$u.service" "$g/etc/systemd/system/multi-user.target.wants/$u.service"
done
# a public certificate is fine
printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' > "$g/etc/egate/pki/ca.crt"

"$image" --check "$g" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the good tree is refused"; }
echo "ok: the good tree passes: $(tail -1 "$tmp/out")"
tar -C "$g" -cf "$tmp/good.tar" .
"$image" --check "$tmp/good.tar" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the good tree as tar is refused"; }
mkfs.ext4 -q -F -d "$g" "$tmp/good.ext4" 16M
"$image" --check "$tmp/good.ext4" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the good tree as ext4 is refused"; }
echo "ok: as tar and as ext4 too"

# ---- faults ---------------------------------------------------------------------------
# bad NAME MESSAGE-PART [ext4]: the tree $tmp/NAME (a copy of the good one, changed by the
# caller) must fail the check with MESSAGE-PART
bad() {
	target=$tmp/$1
	if [ "${3:-}" = ext4 ]; then mkfs.ext4 -q -F -d "$tmp/$1" "$tmp/$1.ext4" 16M; target=$tmp/$1.ext4; fi
	rc=0
	"$image" --check "$target" > "$tmp/out" 2>&1 || rc=$?
	[ $rc = 1 ] || { cat "$tmp/out"; fail "$1: exit $rc, want 1"; }
	grep -qF -- "$2" "$tmp/out" || { cat "$tmp/out"; fail "$1: no '$2' in the check's output"; }
	echo "ok: refused ($1): $(grep -F -- "$2" "$tmp/out" | head -1)"
}
copy() { cp -a "$g" "$tmp/$1"; }

copy simsym
sed -e 's/^int kiosk_fn_7(/int simchip_answer(/' -e 's/kiosk_fn_0(0)/simchip_answer(0)/' "$tmp/kiosk.c" > "$tmp/kiosk-sim.c"
"$cc" -O0 -o "$tmp/simsym/usr/sbin/egate-kiosk" "$tmp/kiosk-sim.c"
bad simsym "egate-kiosk contains simulator or test code: simchip_answer"

copy simsym4
sed -e 's/^int kiosk_fn_9(/int scenario_load(/' "$tmp/kiosk.c" > "$tmp/kiosk-sc.c"
"$cc" -O0 -o "$tmp/simsym4/usr/sbin/egate-kiosk" "$tmp/kiosk-sc.c"
bad simsym4 "egate-kiosk contains simulator or test code: scenario_load" ext4

copy stripped
"$cc" -s -o "$tmp/stripped/usr/sbin/egate-kiosk" "$tmp/kiosk.c"
bad stripped "stripped? the simulator check needs them"

# the packaged egate-kiosk is stripped; its symbols are in egate-kiosk-dbgsym's debug file,
# which the check finds by the program's build ID: that passes, and a simulator symbol in the
# debug file is found there
objcopy=${cc%gcc}objcopy
dbg_tree() {	# dbg_tree NAME SOURCE: a copy whose egate-kiosk is stripped, its debug file by build ID
	copy "$1"
	"$cc" -O0 -Wl,--build-id -o "$tmp/$1.full" "$2"
	id=$(readelf -n "$tmp/$1.full" | sed -n 's/^ *Build ID: *//p')
	[ -n "$id" ] || fail "no build ID in $tmp/$1.full"
	d=$tmp/$1/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)
	mkdir -p "$d"
	"$objcopy" --only-keep-debug "$tmp/$1.full" "$d/$(echo "$id" | cut -c3-).debug"
	"$objcopy" --strip-all "$tmp/$1.full" "$tmp/$1/usr/sbin/egate-kiosk"
	rm "$tmp/$1.full"
}
dbg_tree dbgsym "$tmp/kiosk.c"
"$image" --check "$tmp/dbgsym" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "a stripped egate-kiosk with its debug file is refused"; }
echo "ok: a stripped egate-kiosk with its debug file (found by build ID) passes"
dbg_tree dbgsim "$tmp/kiosk-sim.c"
bad dbgsim "egate-kiosk contains simulator or test code: simchip_answer" ext4

copy pemkey
mkdir -p "$tmp/pemkey/etc/ssl/private"
printf -- '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n' > "$tmp/pemkey/etc/ssl/private/board.pem"
bad pemkey "private keys in the image: ./etc/ssl/private/board.pem"

copy pemkey8
printf -- '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n' > "$tmp/pemkey8/etc/egate/pki/leftover.crt"
bad pemkey8 "private keys in the image: ./etc/egate/pki/leftover.crt" ext4

copy keyfile
printf 'not even PEM' > "$tmp/keyfile/etc/egate/pki/kiosk.key"
bad keyfile "key files in the image: ./etc/egate/pki/kiosk.key"

copy token
printf 'token = 8d4d-be06-10a3-d671-e66e-2aac-5adb-daec\n' > "$tmp/token/etc/egate/provision.conf"
bad token "/etc/egate/provision.conf (an enrolment token) is in the image"

copy unit
rm "$tmp/unit/etc/systemd/system/multi-user.target.wants/egate-firstboot.service"
bad unit "egate-firstboot.service is not enabled"

copy dangling
rm "$tmp/dangling/usr/lib/systemd/system/egate-kiosk.service"
bad dangling "egate-kiosk.service is enabled but its unit file is missing"

copy x86
# an x86-64 program: the arm64 one with e_machine (offset 18) set to EM_X86_64 (62), so the
# test does not depend on the machine it runs on
printf '\076\000' | dd of="$tmp/x86/usr/libexec/egate/egate-tools" bs=1 seek=18 conv=notrunc status=none
readelf -h "$tmp/x86/usr/libexec/egate/egate-tools" | grep -q 'Machine:.*X86-64' || fail "could not make an x86-64 ELF header"
bad x86 "ELF files that are not arm64: usr/libexec/egate/egate-tools"

copy nolibc
rm "$tmp/nolibc/usr/lib/aarch64-linux-gnu/libc.so.6.real"
bad nolibc "/usr/bin/egate needs libc.so.6, which is not in the image"

copy nokeep
rm "$tmp/nokeep/usr/libexec/egate/egate-keep-identity"
bad nokeep "no /usr/libexec/egate/egate-keep-identity"

copy noprog
rm "$tmp/noprog/usr/bin/egate"
bad noprog "no /usr/bin/egate"

# the traveller's display (egate-display): a tree with its unit must have it enabled, its
# programs, PAM service and URL file, and its user in video, render and input, not in egate
copy display
d=$tmp/display
mkdir -p "$d/etc/pam.d" "$d/etc/default"
printf '[Service]\nUser=egate-display\nExecStart=/usr/bin/cage -- /usr/bin/chromium\n' > "$d/usr/lib/systemd/system/egate-display.service"
ln -s /usr/lib/systemd/system/egate-display.service "$d/etc/systemd/system/multi-user.target.wants/egate-display.service"
for p in cage chromium; do printf '#!/bin/sh\nexit 0\n' > "$d/usr/bin/$p"; chmod 0755 "$d/usr/bin/$p"; done
echo 'session required pam_systemd.so' > "$d/etc/pam.d/egate-display"
echo 'EGATE_DISPLAY_URL=http://127.0.0.1:8471/' > "$d/etc/default/egate-display"
printf 'root:x:0:0::/root:/bin/sh\negate:x:999:999::/var/lib/egate:/usr/sbin/nologin\negate-display:x:998:998::/var/lib/egate-display:/usr/sbin/nologin\n' > "$d/etc/passwd"
printf 'root:x:0:\nvideo:x:44:egate-display\ninput:x:105:egate-display\nrender:x:106:egate-display\negate:x:999:\negate-display:x:998:\n' > "$d/etc/group"
"$image" --check "$d" > "$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the tree with the display is refused"; }
echo "ok: a tree with the display (unit enabled, user egate-display in video, render, input) passes"
copy_display() { cp -a "$d" "$tmp/$1"; }
copy_display dispunit
rm "$tmp/dispunit/etc/systemd/system/multi-user.target.wants/egate-display.service"
bad dispunit "egate-display.service is not enabled" ext4
copy_display dispgroup
sed -i 's/^render:x:106:egate-display$/render:x:106:/' "$tmp/dispgroup/etc/group"
bad dispgroup "the display's user egate-display is not in group render"
copy_display dispegate
sed -i 's/^egate:x:999:$/egate:x:999:egate-display/' "$tmp/dispegate/etc/group"
bad dispegate "the display's user egate-display is in group egate"
copy_display dispnouser
sed -i '/^egate-display:/d' "$tmp/dispnouser/etc/passwd"
bad dispnouser "its user egate-display is not"
copy_display dispbrowser
rm "$tmp/dispbrowser/usr/bin/chromium"
bad dispbrowser "egate-display.service is in the image, /usr/bin/chromium is not"
copy_display disproot
sed -i 's/^egate-display:x:998:/egate-display:x:0:/' "$tmp/disproot/etc/passwd"
bad disproot "the display's user egate-display has uid 0"
