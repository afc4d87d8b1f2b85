#!/bin/sh
# egate camera as users run it: list (no UVC camera on the test machine),
# grab from the simulated camera, the JSON summaries and the exit codes.
set -u
egate=$1
vec=$2/camera
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {	# check WANT_RC DESCRIPTION -- command...
	want=$1; what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $what: exit $rc, want $want"; cat "$tmp/out" "$tmp/err"; fail=1
	fi
}
has() {		# has FILE TEXT
	grep -qF -- "$2" "$1" || { echo "FAIL: '$2' not in $1:"; cat "$1"; fail=1; }
}

# list: the development machine has no camera: said plainly, exit 3. With a
# camera attached, exit 0 and one "uvc:VID:PID" line per camera (that branch
# never ran here). The sim syntax is shown either way.
"$egate" camera list >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ]; then
	grep -q '^uvc:[0-9a-f]\{4\}:[0-9a-f]\{4\} ' "$tmp/out" || { echo "FAIL: list output"; cat "$tmp/out"; fail=1; }
	check 0 "list --json with a camera" -- "$egate" camera list --json
	has "$tmp/out" '"error":null'
else
	[ $rc = 3 ] || { echo "FAIL: list exit $rc, want 0 or 3"; fail=1; }
	grep -qE "no UVC camera found|no USB access" "$tmp/out" || { echo "FAIL: list says why"; cat "$tmp/out"; fail=1; }
	check 3 "list --json without a camera" -- "$egate" camera list --json
	has "$tmp/out" '"uvc":[]'
fi
"$egate" camera list >"$tmp/out" 2>&1
has "$tmp/out" "sim:SCENE_FILE"
check 0 "list a sim camera" -- "$egate" camera list --camera "sim:$vec/frames" --json
has "$tmp/out" '"format":"mjpeg","width":64,"height":48'

# grab from a folder: frames in order, byte for byte, private files
check 0 "grab 4 from a folder" -- "$egate" camera grab --camera "sim:$vec/frames" -n 4 --out "$tmp/g1" --fps 50
has "$tmp/out" "wrote 4 frames (mjpeg 64x48)"
cmp -s "$tmp/g1/frame-0001.jpg" "$vec/frames/frame-01.jpg" || { echo "FAIL: frame 1"; fail=1; }
cmp -s "$tmp/g1/frame-0003.jpg" "$vec/frames/frame-03.jpg" || { echo "FAIL: frame 3"; fail=1; }
cmp -s "$tmp/g1/frame-0004.jpg" "$vec/frames/frame-01.jpg" || { echo "FAIL: frame 4 (loop)"; fail=1; }
[ ! -e "$tmp/g1/frame-0005.jpg" ] || { echo "FAIL: a fifth frame"; fail=1; }
[ "$(stat -c %a "$tmp/g1/frame-0001.jpg")" = 600 ] || { echo "FAIL: frame file mode"; fail=1; }
[ "$(stat -c %a "$tmp/g1")" = 700 ] || { echo "FAIL: out dir mode"; fail=1; }

# raw frames: BGR24 written back as a PPM with the same pixels
check 0 "grab ppm" -- "$egate" camera grab --camera "sim:$vec/ppm" -n 2 --out "$tmp/g2" --no-pace --format bgr24 --size 8x6
tail -c 144 "$tmp/g2/frame-0002.ppm" >"$tmp/a"; tail -c 144 "$vec/ppm/b.ppm" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || { echo "FAIL: PPM pixels differ"; fail=1; }
head -c 11 "$tmp/g2/frame-0002.ppm" | grep -q "^P6" || { echo "FAIL: not a PPM"; fail=1; }

# YUYV from PPM sources: raw 4:2:2, 2 bytes per pixel
check 0 "grab yuyv" -- "$egate" camera grab --camera "sim:$vec/ppm" -n 1 --out "$tmp/g2" --no-pace --format yuyv
[ "$(stat -c %s "$tmp/g2/frame-0001.yuv")" = 96 ] || { echo "FAIL: yuyv frame size"; fail=1; }
has "$tmp/out" "(yuyv 8x6)"

# the walkthrough scene: 37 frames, 3 dropped, then unplugged -> exit 1
check 1 "grab until unplug" -- "$egate" camera grab --camera "sim:$vec/scene/walkthrough.scene" -n 100 --out "$tmp/g3" --no-pace --json
has "$tmp/out" '"frames":37,"dropped":3'
has "$tmp/out" 'EG_ERR_NO_DEVICE'
[ -e "$tmp/g3/frame-0037.jpg" ] && [ ! -e "$tmp/g3/frame-0038.jpg" ] || { echo "FAIL: frame files after unplug"; fail=1; }

# errors: unsupported size (1), no camera (3), usage (2)
check 1 "unsupported size" -- "$egate" camera grab --camera "sim:$vec/frames" -n 1 --out "$tmp/g4" --size 1920x1080
has "$tmp/err" "no 1920x1080 mode at 30 fps; this camera offers mjpeg 64x48"
check 3 "no such uvc camera" -- "$egate" camera grab --camera uvc:ffff:fffe -n 1 --out "$tmp/g5"
has "$tmp/err" "no UVC camera ffff:fffe found"
[ ! -e "$tmp/g5" ] || { echo "FAIL: out dir created without a camera"; fail=1; }
check 3 "missing folder" -- "$egate" camera grab --camera sim:/nonexistent -n 1 --out "$tmp/g6"
check 2 "bad spec" -- "$egate" camera grab --camera webcam -n 1 --out "$tmp/g7"
check 2 "no --out" -- "$egate" camera grab --camera "sim:$vec/frames" -n 1
check 2 "bad -n" -- "$egate" camera grab --camera "sim:$vec/frames" -n 0 --out "$tmp/g8"
check 2 "bad size" -- "$egate" camera grab --camera "sim:$vec/frames" -n 1 --out "$tmp/g8" --size 64by48
check 2 "bad format" -- "$egate" camera grab --camera "sim:$vec/frames" -n 1 --out "$tmp/g8" --format h264
check 2 "no subcommand" -- "$egate" camera
check 2 "unknown subcommand" -- "$egate" camera snap
check 0 "help" -- "$egate" camera --help
[ $fail = 0 ] && echo "egate camera: all good"
exit $fail
