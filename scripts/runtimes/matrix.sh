#!/usr/bin/env bash
# The runtime matrix: the whole test suite under Node 22, and a representative part of it
# (callbacks, libc, errors, structs, variadics, lifetime, reliability) under Node 24 and 26,
# each with the V8-direct accelerator built for its module ABI (the whole suite also runs
# the N-API entry); and the smoke script (test/fixtures/pack-smoke.cjs:
# callbacks, qsort, a struct by value, a variadic call, errors, a Sync thunk called from a
# native thread) under Bun and Deno, which load the N-API core only (with LD_BIND_NOW=1, so
# a reference to a symbol the runtime lacks fails at load, not later). Runtimes come from npm
# (scripts/runtimes/fetch.sh). Prints one summary line per runtime; fails if any fails.
#   scripts/runtimes/matrix.sh [node22 node24 node26 bun deno]
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ $# -gt 0 ]; then runtimes=("$@"); else runtimes=(node22 node24 node26 bun deno); fi
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
logs=${TMPDIR:-/tmp}/closure-ffi-matrix
mkdir -p "$logs"
npm run build > "$logs/build.log" 2>&1 || { echo "matrix: npm run build failed"; cat "$logs/build.log"; exit 1; }
subset=(test/callbacks-c.test.ts test/libc.test.ts test/errors-runtime.test.ts test/struct-abi.test.ts
  test/variadic.test.ts test/lifetime.test.ts test/reliability.test.ts)
failed=0
passed=0
failures=0
summary=()
for rt in "${runtimes[@]}"; do
  exe=$(scripts/runtimes/fetch.sh "$rt") || { summary+=("$rt: could not be fetched"); failed=1; continue; }
  log="$logs/$rt.log"
  case $rt in
    node*)
      version=$("$exe" --version)
      modules=$("$exe" -p process.versions.modules)
      if "$exe" "$gyp" rebuild --directory native/v8-accelerator --nodedir "$(dirname "$(dirname "$exe")")" > "$log" 2>&1; then
        cp native/v8-accelerator/build/Release/closure_ffi_v8.node "build/Release/closure_ffi_v8.abi$modules.node"
      else
        echo "matrix: the accelerator did not build for $version; running with the N-API entry only" >> "$log"
      fi
      entry=$("$exe" --import tsx -e "process.stdout.write(require('./src/index').entryKind)" 2>>"$log")
      if [ "$rt" = node22 ]; then files=(test/*.test.ts); else files=("${subset[@]}"); fi
      "$exe" --import tsx --test --test-reporter=tap --test-concurrency=2 "${files[@]}" >> "$log" 2>&1
      status=$?
      counts="${#files[@]} files: $(grep -E '^# (tests|pass|fail) ' "$log" | tr '\n' ' ' | sed 's/# //g')"
      ;;
    bun | deno)
      version=$([ "$rt" = bun ] && echo "bun $("$exe" --version)" || "$exe" --version | head -1)
      if [ "$rt" = bun ]; then run=("$exe" test/fixtures/pack-smoke.cjs); else run=("$exe" run -A test/fixtures/pack-smoke.cjs); fi
      LD_BIND_NOW=1 NO_COLOR=1 CLOSURE_FFI_ROOT="$PWD" "${run[@]}" > "$log" 2>&1
      status=$?
      entry=$(sed -n 's/.*"entryKind":"\([a-z0-9]*\)".*/\1/p' "$log")
      counts="smoke $([ $status -eq 0 ] && echo passed || echo failed)"
      ;;
  esac
  [ $status -eq 0 ] || failed=1
  summary+=("$rt ($version): entry $entry, $counts, exit $status")
  case $rt in
    node*)
      p=$(sed -n 's/^# pass //p' "$log" | tail -1) f=$(sed -n 's/^# fail //p' "$log" | tail -1)
      passed=$((passed + ${p:-0})) failures=$((failures + ${f:-0} + (status != 0 && ${f:-0} == 0)))
      ;;
    *) if [ $status -eq 0 ]; then passed=$((passed + 1)); else failures=$((failures + 1)); fi ;;
  esac
done
printf 'runtime matrix:\n'
printf '  %s\n' "${summary[@]}"
[ $failed -eq 0 ] || echo "matrix: failures; logs in $logs"
echo "matrix: $passed passed, $failures failed"
[ $failed -eq 0 ]
