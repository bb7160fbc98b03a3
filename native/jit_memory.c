/*
 * Executable memory that is never writable and executable at once.
 *
 * Preferred: one memfd mapped twice, a read-write view that JS fills through an
 * ArrayBuffer and a read-execute view that native code runs. Where memfd or the
 * second mapping is refused (old kernels, hardened policies), fall back to a
 * single anonymous mapping that is flipped RW -> RX with mprotect, only ever for
 * pages that hold no code yet (see src/jit/code-block.ts).
 */
#define _GNU_SOURCE
#include "bridge.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static atomic_ullong mapped_bytes;

#define REL32_REACH ((uint64_t)1 << 31)

static int within_reach(uintptr_t a, uintptr_t near, size_t size) {
  uint64_t lo = a < near ? near - a : a + size - near;
  return lo < REL32_REACH;
}

/*
 * Maps `size` bytes (PROT prot, from fd or anonymous) within +-2 GiB of `near`
 * when near != 0: the kernel takes an address hint when that range is free, so
 * try hints stepping away from `near` in both directions.
 */
static void *map_near(uintptr_t near, size_t size, int prot, int flags, int fd) {
  if (!near) return mmap(NULL, size, prot, flags, fd, 0);
  const uintptr_t step = 16u << 20;
  for (uintptr_t d = step; d < REL32_REACH - size; d += step) {
    for (int dir = -1; dir <= 1; dir += 2) {
      uintptr_t hint = dir < 0 ? (near > d ? near - d : 0) : near + d;
      if (!hint) continue;
      hint &= ~(uintptr_t)0xffff;
      void *p = mmap((void *)hint, size, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
      if (p == MAP_FAILED) continue;
      if (within_reach((uintptr_t)p, near, size)) return p;
      munmap(p, size); /* old kernels ignore MAP_FIXED_NOREPLACE and may map elsewhere */
    }
  }
  return MAP_FAILED;
}

static int make_dual_mapping(size_t size, uintptr_t near, void **rw_out, void **rx_out) {
  int fd = memfd_create("closure-ffi-jit", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (ftruncate(fd, (off_t)size) != 0) { close(fd); return 0; }
  void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (rw == MAP_FAILED) { close(fd); return 0; }
  void *rx = map_near(near, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd);
  close(fd); /* the mappings keep the memory alive */
  if (rx == MAP_FAILED) { munmap(rw, size); return 0; }
  *rw_out = rw;
  *rx_out = rx;
  return 1;
}

/* jitAlloc(size, near?) -> { rx: bigint, rw: bigint, size, dual: boolean, view?: ArrayBuffer } */
static napi_value js_jit_alloc(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t near = 0;
  napi_valuetype near_type = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &near_type);
  if (near_type != napi_undefined && near_type != napi_null && !cffi_get_address(env, argv[1], &near))
    return cffi_throw(env, "ERR_JIT_MEMORY", "jitAlloc: near must be an address (bigint)");
  double dsize = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &dsize) != napi_ok || dsize <= 0)
    return cffi_throw(env, "ERR_JIT_MEMORY", "jitAlloc: size must be a positive number");
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t size = ((size_t)dsize + page - 1) & ~(page - 1);

  void *rw = NULL, *rx = NULL;
  int dual = make_dual_mapping(size, (uintptr_t)near, &rw, &rx);
  if (!dual) {
    rw = map_near((uintptr_t)near, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    if (rw == MAP_FAILED) {
      char msg[200];
      snprintf(msg, sizeof msg, "jitAlloc: no %zu bytes of memory could be mapped%s: %s", size,
               near ? " within 2 GiB of the requested address" : "", strerror(errno));
      return cffi_throw(env, "ERR_JIT_MEMORY", msg);
    }
    rx = rw;
  }
  atomic_fetch_add(&mapped_bytes, size); /* physical bytes: both views share them */

  napi_value result, v;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "rx", cffi_make_address(env, (uint64_t)(uintptr_t)rx));
  napi_set_named_property(env, result, "rw", cffi_make_address(env, (uint64_t)(uintptr_t)rw));
  napi_create_double(env, (double)size, &v);
  napi_set_named_property(env, result, "size", v);
  napi_get_boolean(env, dual, &v);
  napi_set_named_property(env, result, "dual", v);
  if (dual) {
    /* JS writes code through this view; it is detached before the memory is unmapped. */
    napi_value ab;
    if (napi_create_external_arraybuffer(env, rw, size, NULL, NULL, &ab) == napi_ok)
      napi_set_named_property(env, result, "view", ab);
  }
  return result;
}

/* jitRelease(rx, rw, size, view?) */
static napi_value js_jit_release(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t rx, rw;
  double size;
  if (argc < 3 || !cffi_get_address(env, argv[0], &rx) || !cffi_get_address(env, argv[1], &rw) ||
      napi_get_value_double(env, argv[2], &size) != napi_ok)
    return cffi_throw(env, "ERR_JIT_MEMORY", "jitRelease(rx, rw, size, view?): bad arguments");
  if (argc >= 4) {
    bool is_ab = false;
    napi_is_arraybuffer(env, argv[3], &is_ab);
    if (is_ab) napi_detach_arraybuffer(env, argv[3]);
  }
  munmap((void *)(uintptr_t)rx, (size_t)size);
  if (rw != rx) munmap((void *)(uintptr_t)rw, (size_t)size);
  atomic_fetch_sub(&mapped_bytes, (uint64_t)size);
  return NULL;
}

/* jitProtect(addr, size, 'rw' | 'rx') for the single-mapping fallback and custom allocators. */
static napi_value js_jit_protect(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint64_t addr;
  size_t size;
  char mode[4] = {0};
  size_t len;
  if (!cffi_get_address_size(env, info, 3, argv, &addr, &size) ||
      napi_get_value_string_utf8(env, argv[2], mode, sizeof mode, &len) != napi_ok)
    return cffi_throw(env, "ERR_JIT_MEMORY", "jitProtect(addr, size, mode): bad arguments");
  int prot = strcmp(mode, "rx") == 0 ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = (uintptr_t)addr & ~(page - 1);
  uintptr_t end = ((uintptr_t)addr + size + page - 1) & ~(page - 1);
  if (mprotect((void *)start, end - start, prot) != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "jitProtect: mprotect(%s) failed: %s", mode, strerror(errno));
    return cffi_throw(env, "ERR_JIT_MEMORY", msg);
  }
  return NULL;
}

/*
 * flushInstructionCache(addr, size): makes code just written visible to instruction fetch.
 * Callers pass the address code will run at, the RX view, not the RW view it was written
 * through: on AArch64 __builtin___clear_cache cleans the data cache (dc cvau) and invalidates
 * the instruction cache (ic ivau) by virtual address, and an instruction cache indexed by
 * virtual address only forgets the lines of the alias named. The RX view is readable, which
 * dc cvau needs. On x86-64 this is a no-op (coherent instruction fetch).
 */
static napi_value js_flush_icache(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint64_t addr;
  size_t size;
  if (!cffi_get_address_size(env, info, 2, argv, &addr, &size))
    return cffi_throw(env, "ERR_JIT_MEMORY", "flushInstructionCache(addr, size): bad arguments");
  char *p = (char *)(uintptr_t)addr;
  __builtin___clear_cache(p, p + size);
  return NULL;
}

static napi_value js_mapped_bytes(napi_env env, napi_callback_info info) {
  napi_value v;
  napi_create_double(env, (double)atomic_load(&mapped_bytes), &v);
  return v;
}

void cffi_init_jit_memory(napi_env env, napi_value exports) {
  cffi_export(env, exports, "jitAlloc", js_jit_alloc);
  cffi_export(env, exports, "jitRelease", js_jit_release);
  cffi_export(env, exports, "jitProtect", js_jit_protect);
  cffi_export(env, exports, "flushInstructionCache", js_flush_icache);
  cffi_export(env, exports, "mappedBytes", js_mapped_bytes);
  cffi_export_number(env, exports, "pageSize", (double)sysconf(_SC_PAGESIZE));
}
