#!/usr/bin/env bash
# The cross-target runner: runs a command with another platform's Node under emulation,
# with this checkout's bridge built for that platform (../shared/DESIGN.md §4).
#
#   scripts/cross/run.sh TARGET -- COMMAND...
#
# TARGET is a Node platform-arch name with a file in scripts/cross/targets/ (linux-arm64 under
# qemu-user, win32-x64 under Wine). The first run installs what TARGET needs (Debian packages as root, npm packages into
# the cache ~/.cache/closure-ffi/cross/TARGET, or $CLOSURE_FFI_CROSS_CACHE/TARGET) and builds
# the bridge into build-cross/TARGET/ (again whenever native/ or binding.gyp change); later
# runs only check. Then COMMAND runs in the current directory: a first word `node` is TARGET's
# Node, and `node` on PATH is too, so child processes and `#!/usr/bin/env node` scripts run
# under emulation as well. COMMAND's environment has:
#   CLOSURE_FFI_BINARY_DIR  build-cross/TARGET: src/native/bridge.ts loads the bridge from there
#   CLOSURE_FFI_CROSS_TARGET  TARGET
#   CC, CXX, CFLAGS, SHLIB_EXT  TARGET's C compiler and what a shared library for it needs
#   ESBUILD_BINARY_PATH     the esbuild binary tsx uses (see targets/*.sh)
# plus what the target's emulator needs (QEMU_LD_PREFIX for qemu-user; WINEPREFIX, WINEDEBUG
# for Wine, where Node's output goes through files and is replayed, and $CC is a Windows
# proxy of the cross compiler: scripts/cross/wine/). The exit status and the output are
# COMMAND's; the runner's own messages go to stderr, prefixed "cross:".
# CLOSURE_FFI_CROSS_QUIET=1 silences those that only report progress.
set -euo pipefail

usage() {
  echo "usage: scripts/cross/run.sh TARGET -- COMMAND..." >&2
  echo "targets: $(cd "$(dirname "${BASH_SOURCE[0]}")/targets" && ls | sed 's/\.sh$//' | tr '\n' ' ')" >&2
  exit 2
}

[ $# -ge 1 ] || usage
CROSS_TARGET=$1
shift
[ "${1:-}" = "--" ] && shift
[ $# -ge 1 ] || usage

CROSS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CROSS_ROOT=$(cd "$CROSS_DIR/../.." && pwd)
target_file=$CROSS_DIR/targets/$CROSS_TARGET.sh
[ -f "$target_file" ] || { echo "cross: unknown target '$CROSS_TARGET'" >&2; usage; }

CROSS_CACHE=${CLOSURE_FFI_CROSS_CACHE:-$HOME/.cache/closure-ffi/cross}/$CROSS_TARGET
CROSS_BUILD=$CROSS_ROOT/build-cross/$CROSS_TARGET
mkdir -p "$CROSS_CACHE" "$CROSS_BUILD"

# shellcheck source=scripts/cross/lib.sh
. "$CROSS_DIR/lib.sh"
# shellcheck disable=SC1090
. "$target_file"

# Installing and building, one runner at a time per cache and per checkout (tests may start
# several); the locks are released before COMMAND runs.
cross_locked "$CROSS_CACHE/.lock" target_install
cross_locked "$CROSS_BUILD/.lock" target_build
target_environment

if [ "$1" = node ]; then
  shift
  target_exec "$@"
fi
exec "$@"
