#!/usr/bin/env bash
# Runs Windows Node under Wine like a Linux program: `node` on PATH in a win32-* cross run
# (scripts/cross/run.sh; the target file writes a `node` that sets the variables below and
# runs this). Exit status and output are Node's.
#
#   CROSS_WINE          the Wine loader (wine64)
#   CROSS_WIN_NODE      node.exe
#   CROSS_HOST_NODE     the host's Node, for the compile server
#   CROSS_CC_SERVER     cc-server.js; CROSS_REAL_CC the Linux cross compiler it runs
#   WINEPREFIX, WINEDEBUG, WINEPATH as Wine reads them
#
# - Output: Wine cannot give a Unix pipe to a Windows console program (EBADF from
#   process.stdout), so Node writes into files, which are replayed as they grow (tail -f)
#   and to the end. A pipe on stdin is replaced by /dev/null (Node would fail on it too),
#   unless the program comes from stdin (`node -`) or CLOSURE_FFI_CROSS_STDIN=file: then
#   stdin is read to its end into a file first.
# - $CC: a Windows program cannot start a Linux one, so for the length of the run a compile
#   server (cc-server.js) takes the requests of the cc-proxy.exe that $CC names.
# - Signals: INT and TERM end Node and every Windows process it started (Wine starts them
#   as Unix children in Node's own process group), and the output so far is still replayed.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/closure-ffi-wine.XXXXXX") || exit 127
wine_pid="" server_pid="" tails=() signal=0
stop_wine() { [ -z "$wine_pid" ] || kill -TERM -- "-$wine_pid" 2>/dev/null || kill -TERM "$wine_pid" 2>/dev/null; }
cleanup() {
  stop_wine
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'signal=130; stop_wine' INT
trap 'signal=143; stop_wine' TERM

if [ -n "${CROSS_CC_SERVER:-}" ] && [ -n "${CROSS_HOST_NODE:-}" ]; then
  CLOSURE_FFI_CROSS_CC_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export CLOSURE_FFI_CROSS_CC_TOKEN
  "$CROSS_HOST_NODE" "$CROSS_CC_SERVER" "$CROSS_REAL_CC" "$WINEPREFIX" "$tmp/cc-port" </dev/null &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/cc-port" ] && break; sleep 0.05; done
  if [ -s "$tmp/cc-port" ]; then
    CLOSURE_FFI_CROSS_CC_PORT=$(cat "$tmp/cc-port")
    export CLOSURE_FFI_CROSS_CC_PORT
  else
    echo "cross: the compile server did not start: \$CC will not work in this run" >&2
  fi
fi

stdin=/dev/stdin
if [ -p /dev/stdin ] || [ -S /dev/stdin ]; then
  if [ "${1:-}" = - ] || [ "${CLOSURE_FFI_CROSS_STDIN:-}" = file ]; then
    cat >"$tmp/stdin"
    stdin=$tmp/stdin
  else
    stdin=/dev/null
  fi
fi

: >"$tmp/out"
: >"$tmp/err"
# Its own process group (setsid execs in place here: a background job is no group leader).
setsid "$CROSS_WINE" "$CROSS_WIN_NODE" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err" &
wine_pid=$!
tail -n +1 -s 0.1 --pid="$wine_pid" -f "$tmp/out" &
tails+=($!)
tail -n +1 -s 0.1 --pid="$wine_pid" -f "$tmp/err" >&2 &
tails+=($!)
while :; do
  wait "$wine_pid"
  status=$?
  kill -0 "$wine_pid" 2>/dev/null || break # else a signal interrupted the wait
done
wine_pid=""
wait "${tails[@]}"
[ "$signal" = 0 ] || exit "$signal"
exit "$status"
