# Helpers for scripts/cross/run.sh and the target files in scripts/cross/targets/.
# Sourced, not run. Uses CROSS_TARGET, CROSS_ROOT, CROSS_CACHE, CROSS_BUILD (set by run.sh).
#
# A target file defines:
#   target_install      installs what the target needs (under $CROSS_CACHE's lock; idempotent)
#   target_build        builds the bridge into $CROSS_BUILD (under its lock)
#   target_environment  exports what COMMAND needs (CC, CFLAGS, SHLIB_EXT, PATH, ...)
#   target_exec ARGS    execs the target's Node with ARGS
# mostly by calling the functions below.

# The host's Node and npm, found before the target's `node` goes first on PATH (a runner started
# from inside another run's COMMAND must not find that one).
cross_host_path() {
  local cache_root=${CLOSURE_FFI_CROSS_CACHE:-$HOME/.cache/closure-ffi/cross} out="" entry
  local IFS=:
  for entry in $PATH; do
    case $entry in "$cache_root"/*/bin) continue ;; esac
    out=${out:+$out:}$entry
  done
  echo "$out"
}
PATH=$(cross_host_path)
HOST_NODE=$(command -v node || true)

cross_log() { [ -n "${CLOSURE_FFI_CROSS_QUIET:-}" ] || echo "cross: $*" >&2; }
cross_warn() { echo "cross: $*" >&2; }
cross_die() { echo "cross: $*" >&2; exit 1; }

# cross_locked LOCKFILE COMMAND...: runs COMMAND in this shell while holding LOCKFILE.
cross_locked() {
  local lock=$1
  shift
  exec 9>"$lock"
  flock 9
  "$@"
  exec 9>&-
}

# cross_apt PACKAGE...: installs the Debian packages that are missing (as root, or through
# passwordless sudo); `apt-get update` runs first, once per run that installs anything.
cross_apt() {
  local missing=() p sudo=""
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || cross_die "$CROSS_TARGET needs the Debian packages ${missing[*]}; install them as root (apt-get update && apt-get install ${missing[*]})"
    sudo="sudo -n"
  fi
  cross_log "installing ${missing[*]} (apt-get; log in $CROSS_CACHE/apt.log)"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"; } \
    >"$CROSS_CACHE/apt.log" 2>&1; then
    tail -20 "$CROSS_CACHE/apt.log" >&2
    cross_die "apt-get could not install ${missing[*]}"
  fi
}

# cross_npm_fetch SPEC DIR: unpacks the npm package SPEC (npm pack, as the registry has it, no
# install scripts) so that its files are DIR/*. Done once: a DIR made from the same SPEC is kept.
cross_npm_fetch() {
  local spec=$1 dir=$2
  [ -f "$dir/.cross-spec" ] && [ "$(cat "$dir/.cross-spec")" = "$spec" ] && return 0
  cross_log "fetching $spec (npm pack)"
  local tmp="$dir.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  local tgz
  tgz=$(cd "$tmp" && npm pack --silent "$spec" 2>"$tmp/npm.log" | tail -1) && [ -f "$tmp/$tgz" ] ||
    { cat "$tmp/npm.log" >&2; rm -rf "$tmp"; cross_die "npm pack $spec failed"; }
  tar -xzf "$tmp/$tgz" -C "$tmp"
  echo "$spec" >"$tmp/package/.cross-spec"
  rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
}

# cross_host_js CODE: evaluates CODE with the host's Node in the checkout's root; prints its
# result. CODE may call pkgDir(name, from?): the directory of package `name` as require() finds
# it from directory `from` (default: the root), or null.
cross_host_js() {
  [ -n "$HOST_NODE" ] || cross_die "the host needs a Node to install and build (none on PATH)"
  (cd "$CROSS_ROOT" && "$HOST_NODE" -p "
    const fs = require('fs'), path = require('path');
    function pkgDir(name, from = '.') {
      const paths = require.resolve.paths(name).filter((p) => p.startsWith('/'));
      const here = path.resolve(from, 'node_modules');
      for (const p of [here, ...paths.filter((p) => p !== here)])
        if (fs.existsSync(path.join(p, name, 'package.json'))) return path.join(p, name);
      return null;
    }
    $1")
}

# cross_gyp_field FIELD...: one line per entry of the closure_ffi target's FIELD in binding.gyp
# (a .gyp file is a Python literal: # comments, either quotes, trailing commas), with the
# entries of its `conditions` that hold for OS $CROSS_GYP_OS (gyp's name: linux, win; default
# linux) appended, as gyp merges them.
cross_gyp_field() {
  cross_host_js "
    const text = require('fs').readFileSync('binding.gyp', 'utf8').replace(/^\\s*#.*\$/gm, '');
    const gyp = Function('return (' + text + ')')();
    const OS = '${CROSS_GYP_OS:-linux}';
    const holds = (cond) => Function('OS', 'return (' + cond.replace(/\\band\\b/g, '&&').replace(/\\bor\\b/g, '||')
      .replace(/\\bnot\\b/g, '!') + ')')(OS);
    const merged = (t) => [t, ...(t.conditions || []).flatMap(([cond, yes, no]) => {
      const part = holds(cond) ? yes : no;
      return part ? [merged(part)].flat() : [];
    })].flat();
    const t = gyp.targets.find((t) => t.target_name === 'closure_ffi');
    const parts = merged(t);
    [$(printf "'%s'," "$@")].flatMap((f) => parts.flatMap((p) => p[f] || [])).join('\\n')"
}

# cross_hash FILE...: one hash of the contents of FILEs and of stdin.
cross_hash() { { cat; cat "$@"; } | sha256sum | cut -c1-32; }

# cross_node_headers [FALLBACK]: the directory of node_api.h: /usr/include/node, node-gyp's
# cached headers, or FALLBACK (the target Node's own include/node).
cross_node_headers() {
  local d
  for d in /usr/include/node "$HOME"/.cache/node-gyp/*/include/node "${1:-}"; do
    [ -n "$d" ] && [ -f "$d/node_api.h" ] && { echo "$d"; return 0; }
  done
  cross_die "no Node headers (node_api.h) in /usr/include/node, ~/.cache/node-gyp or ${1:-the Node of the target}"
}

# cross_build_bridge CC [CFLAGS...]: builds closure_ffi.node for the target into $CROSS_BUILD
# from the sources, flags, defines and libraries of binding.gyp (for OS $CROSS_GYP_OS, see
# cross_gyp_field); again only when they, native/*, the compiler or these flags changed.
# CROSS_SHARED_FLAGS replaces the default "-shared -fPIC -pthread". A MASM source (.asm) is
# built from the GNU as file of the same name (.S) instead.
cross_build_bridge() {
  local cc=$1
  shift
  local out=$CROSS_BUILD/closure_ffi.node stamp
  local shared=${CROSS_SHARED_FLAGS:--shared -fPIC -pthread}
  stamp=$( (cd "$CROSS_ROOT" && { "$cc" --version; echo "$* ${CROSS_GYP_OS:-linux} $shared ${CROSS_LINK_FLAGS:-}"; } |
    cross_hash binding.gyp $(ls native/*.c native/*.h native/*.S native/*.asm 2>/dev/null) "$CROSS_DIR/lib.sh") )
  if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  local sources=() cflags=() libs=() line
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    case $line in *.asm) line=${line%.asm}.S ;; esac
    sources+=("$line")
  done < <(cross_gyp_field sources)
  while IFS= read -r line; do [ -n "$line" ] && cflags+=("$line"); done < <(cross_gyp_field cflags cflags_c)
  while IFS= read -r line; do [ -n "$line" ] && cflags+=("-D$line"); done < <(cross_gyp_field defines)
  while IFS= read -r line; do [ -n "$line" ] && libs+=("$line"); done < <(cross_gyp_field libraries)
  [ ${#sources[@]} -gt 0 ] || cross_die "binding.gyp lists no sources for closure_ffi"
  # shellcheck disable=SC2206
  local args=($shared "${cflags[@]}" -DBUILDING_NODE_EXTENSION -D_FILE_OFFSET_BITS=64 "$@")
  cross_log "building the bridge for $CROSS_TARGET: $cc ${args[*]} (${#sources[@]} files of binding.gyp)"
  (cd "$CROSS_ROOT" && "$cc" "${args[@]}" -o "$out.tmp.$$" "${sources[@]}" "${libs[@]}" ${CROSS_LINK_FLAGS:-}) ||
    { rm -f "$out.tmp.$$"; cross_die "building the bridge for $CROSS_TARGET failed"; }
  mv "$out.tmp.$$" "$out"
  echo "$stamp" >"$out.stamp"
}

# cross_node_gyp: prints the path of a node-gyp.js (npm's own, or one on PATH); fails if none.
cross_node_gyp() {
  local npm_cli
  npm_cli=$(readlink -f "$(command -v npm 2>/dev/null)" 2>/dev/null) || return 1
  local gyp
  for gyp in "$(dirname "$npm_cli")/../node_modules/node-gyp/bin/node-gyp.js" \
    "$(npm root -g 2>/dev/null)/node-gyp/bin/node-gyp.js"; do
    [ -f "$gyp" ] && { echo "$gyp"; return 0; }
  done
  return 1
}

# cross_build_accelerator NODEDIR GYP_ARCH CC CXX: builds the V8-direct accelerator with node-gyp
# against the target Node's headers (NODEDIR/include/node), as
# $CROSS_BUILD/closure_ffi_v8.abi<NODE_MODULE_VERSION>.node, in a copy of native/v8-accelerator
# (its own build/ is the host's). Optional: when it cannot be built, calls use N-API.
cross_build_accelerator() {
  local nodedir=$1 arch=$2 cc=$3 cxx=$4
  local abi
  abi=$(sed -n 's/^#define NODE_MODULE_VERSION \([0-9][0-9]*\).*/\1/p' "$nodedir/include/node/node_version.h" | head -1)
  [ -n "$abi" ] || { cross_warn "no NODE_MODULE_VERSION in $nodedir: the V8-direct accelerator is not built"; return 0; }
  local out=$CROSS_BUILD/closure_ffi_v8.abi$abi.node
  local stamp
  stamp=$( (cd "$CROSS_ROOT" && { "$cxx" --version 2>&1; echo "$nodedir $arch"; } |
    cross_hash native/v8_accelerator.h native/v8-accelerator/binding.gyp native/v8-accelerator/*.cc) )
  if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  if [ -f "$out.failed" ] && [ "$(cat "$out.failed")" = "$stamp" ]; then return 0; fi # said once already
  rm -f "$out" "$out.stamp" "$out.failed"
  local gyp
  if ! command -v "$cxx" >/dev/null || ! gyp=$(cross_node_gyp); then
    cross_warn "no $cxx or node-gyp: the V8-direct accelerator is not built for $CROSS_TARGET (calls use N-API)"
    echo "$stamp" >"$out.failed"
    return 0
  fi
  cross_log "building the V8-direct accelerator for $CROSS_TARGET (node-gyp, Node headers of $nodedir)"
  local stage=$CROSS_BUILD/v8-accelerator-src
  rm -rf "$stage" && mkdir -p "$stage/v8-accelerator"
  cp "$CROSS_ROOT/native/v8_accelerator.h" "$stage/"
  cp "$CROSS_ROOT"/native/v8-accelerator/binding.gyp "$CROSS_ROOT"/native/v8-accelerator/*.cc "$stage/v8-accelerator/"
  if (cd "$stage/v8-accelerator" && CC=$cc CXX=$cxx "$HOST_NODE" "$gyp" rebuild --nodedir="$nodedir" --arch="$arch" \
    >"$CROSS_BUILD/v8-accelerator.log" 2>&1); then
    cp "$stage/v8-accelerator/build/Release/closure_ffi_v8.node" "$out"
    echo "$stamp" >"$out.stamp"
    rm -rf "$stage"
  else
    cross_warn "the V8-direct accelerator did not build for $CROSS_TARGET (calls use N-API); see $CROSS_BUILD/v8-accelerator.log"
    echo "$stamp" >"$out.failed"
  fi
}

# cross_binfmt NAME CONF: registers the kernel's binfmt_misc handler NAME from the binfmt.d file
# CONF unless it is there, so a foreign executable (the target's `node`, spawned by a test) runs
# under its emulator when simply exec'ed. Sets CROSS_BINFMT=1 when the handler is there, else 0.
# The handler is machine-wide (until reboot); CLOSURE_FFI_CROSS_BINFMT=0 neither registers nor
# uses one.
cross_binfmt() {
  local name=$1 conf=$2 fs=/proc/sys/fs/binfmt_misc
  CROSS_BINFMT=0
  [ "${CLOSURE_FFI_CROSS_BINFMT:-1}" != 0 ] || return 0
  if [ ! -e "$fs/register" ]; then
    mount -t binfmt_misc binfmt_misc "$fs" 2>/dev/null || true
  fi
  if [ ! -e "$fs/$name" ] && [ -w "$fs/register" ] && [ -f "$conf" ]; then
    cross_log "registering binfmt_misc handler $name ($conf)"
    cat "$conf" >"$fs/register" 2>/dev/null || true
  fi
  if [ -e "$fs/$name" ] && [ "$(head -1 "$fs/$name")" = enabled ] && [ "$(cat "$fs/status" 2>/dev/null)" = enabled ]; then
    CROSS_BINFMT=1
  fi
}

# cross_qemu_prefix ARCH PREFIX: Debian's qemu-user looks for a foreign program's libraries
# under /etc/qemu-binfmt/ARCH when QEMU_LD_PREFIX is not set: point it at PREFIX (unless it
# exists), so a child started with a scrubbed environment (env: { PATH }) runs too.
cross_qemu_prefix() {
  local link=/etc/qemu-binfmt/$1
  [ -e "$link" ] || [ -L "$link" ] || { mkdir -p /etc/qemu-binfmt 2>/dev/null && ln -s "$2" "$link" 2>/dev/null; } || true
}

# cross_node_on_path NODE EMULATOR...: makes $CROSS_CACHE/bin/node the target's Node, for COMMANDs
# and children that run `node` by name: a script that runs NODE under EMULATOR, which works with
# or without binfmt_misc (and is the same for every run, whatever it found).
cross_node_on_path() {
  local node=$1
  shift
  local bin=$CROSS_CACHE/bin script
  mkdir -p "$bin"
  script=$(printf '#!/bin/sh\nexec %s "%s" "$@"' "$*" "$node")
  if [ -L "$bin/node" ] || [ "$(cat "$bin/node" 2>/dev/null)" != "$script" ]; then
    echo "$script" >"$bin/node.tmp.$$" && chmod +x "$bin/node.tmp.$$" && mv -f "$bin/node.tmp.$$" "$bin/node"
  fi
}

# cross_esbuild TARGET_PACKAGE [BINARY] [target]: sets CROSS_ESBUILD to the esbuild binary for
# tsx: by default the host's own (same version as the esbuild tsx loads; esbuild only turns TS
# into JS, the same on every CPU, and the host's runs at full speed, without binfmt_misc); with
# CLOSURE_FFI_CROSS_ESBUILD=target, or a third argument `target` (a target that cannot start
# the host's programs: Wine), TARGET_PACKAGE (@esbuild/<platform>) of that version, whose
# binary is BINARY in the package (default bin/esbuild).
cross_esbuild() {
  local target_pkg=$1 binary=${2:-bin/esbuild} which=${3:-${CLOSURE_FFI_CROSS_ESBUILD:-host}}
  CROSS_ESBUILD=""
  local info
  info=$(cross_host_js "
    const tsx = pkgDir('tsx'), esb = tsx && pkgDir('esbuild', tsx);
    const host = esb && pkgDir('@esbuild/' + process.platform + '-' + process.arch, esb);
    esb ? require(esb + '/package.json').version + ' ' + (host ? host + '/bin/esbuild' : '') : ''" 2>/dev/null) || info=""
  [ -n "$info" ] || return 0 # no tsx here: nothing to do
  local version=${info%% *} host=${info#* }
  if [ "$which" != target ] && [ -x "$host" ]; then
    CROSS_ESBUILD=$host
    return 0
  fi
  local dir=$CROSS_CACHE/npm/esbuild
  cross_npm_fetch "$target_pkg@$version" "$dir"
  CROSS_ESBUILD=$dir/$binary
}

# cross_koffi TARGET_PACKAGE_SUFFIX: makes koffi (a dev dependency the tests drive C with) load
# on the target: unless its package carries a build for it, the prebuilt package it would have
# installed there (@koromix/koffi-<platform>-<arch> of koffi's version) is fetched into the cache
# and linked beside the host's in node_modules/@koromix, where koffi's loader looks.
cross_koffi() {
  local suffix=$1 triplet=$2
  local info
  info=$(cross_host_js "
    const dir = pkgDir('koffi'), pkg = dir && require(dir + '/package.json');
    pkg ? dir + ' ' + ((pkg.optionalDependencies || {})['@koromix/koffi-$suffix'] || pkg.version) : ''" 2>/dev/null) || info=""
  [ -n "$info" ] || return 0 # koffi is not installed
  local kdir=${info%% *} version=${info#* }
  [ -f "$kdir/build/koffi/$triplet/koffi.node" ] && return 0 # koffi 2 carried every build
  local dir=$CROSS_CACHE/npm/koffi-$suffix
  cross_npm_fetch "@koromix/koffi-$suffix@$version" "$dir"
  local link
  link=$(dirname "$kdir")/@koromix/koffi-$suffix
  if [ "$(readlink "$link" 2>/dev/null)" != "$dir" ]; then
    if [ -e "$link" ] && [ ! -L "$link" ]; then return 0; fi # a real install of it is there
    mkdir -p "$(dirname "$link")"
    ln -sfn "$dir" "$link"
  fi
}

# cross_dist [FILE PATTERN]: `require(root)` loads dist/; a dist built before
# CLOSURE_FFI_BINARY_DIR existed would load the host's bridge, so a missing or older dist is
# built (npm run build, host Node); so is one whose dist/cjs/FILE lacks PATTERN (built before
# the target was supported).
cross_dist() {
  local bridge_js=$CROSS_ROOT/dist/cjs/native/bridge.js
  [ -f "$CROSS_ROOT/package.json" ] || return 0
  if [ -f "$bridge_js" ] && grep -q CLOSURE_FFI_BINARY_DIR "$bridge_js" &&
    { [ $# -lt 2 ] || grep -q -- "$2" "$CROSS_ROOT/dist/cjs/$1" 2>/dev/null; }; then return 0; fi
  cross_log "building dist/ (npm run build) so that require(root) can load the $CROSS_TARGET bridge"
  (cd "$CROSS_ROOT" && npm run build >"$CROSS_BUILD/dist-build.log" 2>&1) ||
    cross_warn "npm run build failed (see $CROSS_BUILD/dist-build.log): require(root) may not load the $CROSS_TARGET bridge"
}
