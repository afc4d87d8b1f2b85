# scripts/lib/qemu-binfmt.sh — run a command that starts arm64 (aarch64) programs on this
# x86-64 machine, with qemu-aarch64 registered in a binfmt_misc of its own. Sourced (bash)
# by scripts/cross-arm64 (the test suites under qemu) and scripts/image (the maintainer
# scripts of the arm64 root file system). docs/development.md "Cross-building for arm64".
#
# How. The kernel hands an arm64 ELF file to qemu only through binfmt_misc. Linux >= 6.7
# gives each user namespace its own binfmt_misc instance (mounted inside the namespace; a
# namespace without one uses its parent's). egate_binfmt_run creates a user and mount
# namespace, mounts binfmt_misc there and registers qemu-aarch64 with the F flag (the kernel
# opens the interpreter once, at registration, so it is found from inside a chroot too);
# nothing changes for the rest of the machine and nothing is left behind. On an older kernel
# it uses a machine-wide registration (Debian's qemu-user-binfmt or qemu-user-static with
# systemd-binfmt) if the machine has one, and otherwise fails and says so.
#
#   egate_binfmt_run MAP QEMU COMMAND [ARGS...]
#     MAP   user      the caller becomes root of the namespace (unshare --map-root-user), no
#                     other id is mapped: enough for tests, works for any user
#           identity  every uid and gid is mapped to itself (0..4294967294), and the command
#                     runs in a PID namespace of its own: what a root file system with files
#                     owned by several users needs (dpkg inside a chroot, mmdebstrap
#                     --mode=root). Needs real root (it writes the namespace's uid_map).
#     QEMU  the qemu-aarch64 binary to register. Inside a chroot only a static one runs
#           (/usr/bin/qemu-aarch64-static, package qemu-user-static): a dynamic qemu
#           needs the x86-64 loader and libraries, which an arm64 root does not have.
#   Runs COMMAND (not exec: the caller continues) and returns its exit status; 1 with a
#   message on stderr when arm64 programs cannot be run here.
#
#   egate_binfmt_private_ok    exit status 0 if this kernel gives user namespaces their own
#                              binfmt_misc (tries it)

# qemu's binfmt line for aarch64 ELF executables and shared objects (ET_EXEC, ET_DYN), as
# Debian's qemu-user-binfmt registers it
EGATE_AARCH64_MAGIC='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
EGATE_AARCH64_MASK='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'

egate_binfmt_private_ok() {
  unshare --user --map-root-user --mount sh -c \
    'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc' 2>/dev/null
}

# The script run as the namespace's first process: mount binfmt_misc, register qemu, run
# the command. $1 is the registration line (its \x escapes are decoded by the kernel).
_egate_binfmt_inner='mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || exit 1
printf "%s" "$1" > /proc/sys/fs/binfmt_misc/register || exit 1
shift
exec "$@"'

_egate_binfmt_say() { printf 'qemu-binfmt: %s\n' "$*" >&2; }

egate_binfmt_run() {
  local map=$1 qemu=$2
  shift 2
  local reg=":qemu-aarch64:M::$EGATE_AARCH64_MAGIC:$EGATE_AARCH64_MASK:$qemu:F"
  [ -x "$qemu" ] || { _egate_binfmt_say "no $qemu (scripts/install-cross-deps installs it)"; return 1; }

  if ! egate_binfmt_private_ok; then
    if grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
      _egate_binfmt_say "using the machine's binfmt_misc registration of qemu-aarch64"
      "$@"
      return
    fi
    _egate_binfmt_say "cannot run arm64 programs started by other programs: this kernel ($(uname -r)) has"
    _egate_binfmt_say "no binfmt_misc per user namespace (Linux < 6.7) and qemu-aarch64 is not registered"
    _egate_binfmt_say "machine-wide; install qemu-user-binfmt (registers qemu for the whole machine)"
    return 1
  fi

  case $map in
    user)
      _egate_binfmt_say "qemu-aarch64 registered with binfmt_misc in a private user namespace"
      unshare --user --map-root-user --mount sh -c "$_egate_binfmt_inner" sh "$reg" "$@"
      return ;;
    identity) ;;
    *) _egate_binfmt_say "egate_binfmt_run: MAP is user or identity, not '$map'"; return 2 ;;
  esac

  [ "$(id -u)" -eq 0 ] || { _egate_binfmt_say "an identity-mapped user namespace needs root"; return 1; }
  # The namespace's first process says it is there (it writes to `up` after unshare(2)),
  # then waits on `go` until its uid_map and gid_map are written: no polling. `up` is held
  # open here so that an unshare that fails cannot block the read (deadline 60 s).
  local fifo rc=0 pid upfd
  fifo=$(mktemp -d "${TMPDIR:-/tmp}/egate-binfmt.XXXXXX") || return 1
  mkfifo "$fifo/up" "$fifo/go" || { rm -rf "$fifo"; return 1; }
  exec {upfd}<>"$fifo/up"
  unshare --user --mount --pid --fork --kill-child sh -c \
    'echo up > "$1"; read -r _ < "$2"; shift 2; '"$_egate_binfmt_inner" \
    sh "$fifo/up" "$fifo/go" "$reg" "$@" &
  pid=$!
  if read -r -t 60 -u "$upfd" _ &&
     printf '0 0 4294967295\n' > "/proc/$pid/uid_map" &&
     printf '0 0 4294967295\n' > "/proc/$pid/gid_map"; then
    _egate_binfmt_say "qemu-aarch64 registered with binfmt_misc in a private user namespace (identity-mapped)"
    echo go > "$fifo/go"
    wait "$pid" || rc=$?
  else
    _egate_binfmt_say "could not map the user namespace's ids"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=1
  fi
  exec {upfd}<&-
  rm -rf "$fifo"
  return $rc
}
