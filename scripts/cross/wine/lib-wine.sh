# Helpers for the Windows targets under Wine (scripts/cross/targets/win32-*.sh), on top of
# scripts/cross/lib.sh. Sourced, not run. Uses CROSS_TARGET, CROSS_ROOT, CROSS_CACHE,
# CROSS_BUILD, CROSS_DIR (set by run.sh).

WINE_DIR=$CROSS_DIR/wine

# wine_find LOADER: the path of Wine's loader LOADER (wine64, wine) from Debian's packages,
# which put it in /usr/lib/wine without a command on PATH unless the `wine` package is there.
wine_find() {
  local w
  for w in "$(command -v "$1" 2>/dev/null)" "/usr/lib/wine/$1"; do
    [ -n "$w" ] && [ -x "$w" ] && { echo "$w"; return 0; }
  done
  cross_die "no Wine loader $1 on PATH or in /usr/lib/wine (Debian: apt-get install wine64)"
}

# wine_prefix WINE: makes $WINEPREFIX once (wineboot), with the Windows version Node 22 asks
# for (Windows 10: Node refuses Wine's default "only supported on Windows 8.1 ... or higher").
wine_prefix() {
  local wine=$1 stamp=$WINEPREFIX/.closure-ffi-win10
  [ -f "$stamp" ] && return 0
  cross_log "making the Wine prefix $WINEPREFIX (wineboot; Windows 10)"
  mkdir -p "$WINEPREFIX"
  WINEDEBUG=-all "$wine" wineboot -i >"$CROSS_CACHE/wineboot.log" 2>&1 ||
    { tail -5 "$CROSS_CACHE/wineboot.log" >&2; cross_die "wineboot failed for $WINEPREFIX"; }
  local key='HKLM\Software\Microsoft\Windows NT\CurrentVersion'
  if WINEDEBUG=-all "$wine" reg add "$key" /v CurrentVersion /d 10.0 /f >>"$CROSS_CACHE/wineboot.log" 2>&1 &&
    WINEDEBUG=-all "$wine" reg add "$key" /v CurrentMajorVersionNumber /t REG_DWORD /d 10 /f >>"$CROSS_CACHE/wineboot.log" 2>&1 &&
    WINEDEBUG=-all "$wine" reg add "$key" /v CurrentMinorVersionNumber /t REG_DWORD /d 0 /f >>"$CROSS_CACHE/wineboot.log" 2>&1 &&
    WINEDEBUG=-all "$wine" reg add "$key" /v CurrentBuildNumber /d 19045 /f >>"$CROSS_CACHE/wineboot.log" 2>&1 &&
    WINEDEBUG=-all "$wine" reg add "$key" /v CurrentBuild /d 19045 /f >>"$CROSS_CACHE/wineboot.log" 2>&1; then
    touch "$stamp"
  else
    cross_warn "could not set the prefix's Windows version (see $CROSS_CACHE/wineboot.log): runs set NODE_SKIP_PLATFORM_CHECK=1"
  fi
  # Let wineserver write the registry out now rather than when it next goes idle.
  WINEDEBUG=-all "$(dirname "$wine")/wineserver" -w 2>/dev/null || true
}

# wine_tool OUT MINGW_CC SOURCE [ARGS...]: builds the Windows helper SOURCE into OUT (a program
# or, with -shared among ARGS, a DLL), again when the source, the compiler or ARGS change.
wine_tool() {
  local out=$1 cc=$2 src=$3
  shift 3
  local stamp
  stamp=$({ "$cc" --version; echo "$*"; } | cross_hash "$src")
  [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  local tmp
  tmp=$(dirname "$out")/.tmp.$$ # under its own name: a DLL records it
  mkdir -p "$tmp"
  "$cc" -O2 -Wall -o "$tmp/$(basename "$out")" "$src" "$@" || { rm -rf "$tmp"; cross_die "building $(basename "$out") failed"; }
  mv "$tmp/$(basename "$out")" "$out" && rmdir "$tmp"
  echo "$stamp" >"$out.stamp"
}

# wine_go_support MINGW_CC: Go programs since Go 1.22 (esbuild, which tsx runs) stop at start-up
# without bcryptprimitives.dll's ProcessPrng, which Wine 8 lacks; Go loads it from system32
# only, so a stand-in (bcryptprimitives.c) goes into the prefix's system32 when Wine has none.
wine_go_support() {
  local cc=$1 wine_dlls
  for wine_dlls in /usr/lib/x86_64-linux-gnu/wine/x86_64-windows /usr/lib/wine/x86_64-windows /opt/wine*/lib*/wine/x86_64-windows; do
    [ -f "$wine_dlls/bcryptprimitives.dll" ] && return 0
  done
  wine_tool "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" "$cc" "$WINE_DIR/bcryptprimitives.c" -shared -lbcrypt
}

# wine_node_import_lib DLLTOOL HEADERS: $CROSS_BUILD/libnode.a, the import library of node.exe
# for the napi_* / node_api_* functions declared in the N-API headers in HEADERS (a .def file
# made from them; an addon links against node.exe's exports like this).
wine_node_import_lib() {
  local dlltool=$1 headers=$2 lib=$CROSS_BUILD/libnode.a def=$CROSS_BUILD/node.def stamp
  stamp=$(cat "$headers"/js_native_api.h "$headers"/node_api.h | cross_hash)
  [ -f "$lib" ] && [ "$(cat "$lib.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  { echo "LIBRARY node.exe"; echo "EXPORTS"
    cat "$headers"/js_native_api.h "$headers"/node_api.h | tr '\n' ' ' |
      grep -oE 'NAPI_EXTERN[^;]*' | grep -oE '\b(napi|node_api)_[a-z0-9_]+[[:space:]]*\(' | tr -d '( ' | sort -u
  } >"$def.tmp.$$"
  [ "$(grep -c '^napi_' "$def.tmp.$$")" -gt 100 ] || cross_die "found too few napi_* functions in $headers"
  "$dlltool" -d "$def.tmp.$$" -l "$lib.tmp.$$" -D node.exe || cross_die "$dlltool could not make the import library of node.exe"
  mv "$def.tmp.$$" "$def" && mv "$lib.tmp.$$" "$lib"
  echo "$stamp" >"$lib.stamp"
}

# wine_path UNIX_PATH: the Windows name of UNIX_PATH under Wine (drive Z: is /).
wine_path() { local p; p=$(readlink -f "$1") && echo "Z:${p//\//\\}"; }

# wine_dll_dirs MINGW_CC DLL...: the Windows names of the directories that hold the compiler's
# runtime DLLs DLL... (libwinpthread-1.dll for -pthread, libgcc_s_seh-1.dll), `;`-separated:
# DLLs built with $CC load them from PATH, as on a Windows machine with mingw-w64 installed.
wine_dll_dirs() {
  local cc=$1 out="" f d
  shift
  for f in "$@"; do
    f=$("$cc" -print-file-name="$f") && [ -f "$f" ] || continue
    d=$(wine_path "$(dirname "$f")")
    case ";$out;" in *";$d;"*) ;; *) out=${out:+$out;}$d ;; esac
  done
  echo "$out"
}

# wine_node_on_path WINE NODE_EXE REAL_CC [DLL_DIRS]: $CROSS_CACHE/bin/node runs NODE_EXE under
# WINE through wine-node.sh, with what that needs baked in (a child started with a scrubbed
# environment runs the same); the node.exe directory, then DLL_DIRS (Windows names,
# `;`-separated) first on Wine's own PATH (WINEPATH), so that Windows programs find `node` by
# name and DLLs their compiler's runtime.
wine_node_on_path() {
  local wine=$1 node_exe=$2 real_cc=$3 dll_dirs=${4:-}
  local bin=$CROSS_CACHE/bin script
  mkdir -p "$bin"
  script=$(cat <<SCRIPT
#!/bin/sh
# written by scripts/cross (target $CROSS_TARGET): Windows Node under Wine
export WINEPREFIX="\${WINEPREFIX:-$WINEPREFIX}" WINEDEBUG="\${WINEDEBUG:--all}"
export WINEPATH="$(wine_path "$(dirname "$node_exe")")${dll_dirs:+;$dll_dirs}\${WINEPATH:+;\$WINEPATH}"
CROSS_WINE="$wine" CROSS_WIN_NODE="$node_exe" CROSS_HOST_NODE="$HOST_NODE" \\
CROSS_CC_SERVER="$WINE_DIR/cc-server.js" CROSS_REAL_CC="$real_cc" \\
exec "$WINE_DIR/wine-node.sh" "\$@"
SCRIPT
)
  if [ -L "$bin/node" ] || [ "$(cat "$bin/node" 2>/dev/null)" != "$script" ]; then
    echo "$script" >"$bin/node.tmp.$$" && chmod +x "$bin/node.tmp.$$" && mv -f "$bin/node.tmp.$$" "$bin/node"
  fi
}
