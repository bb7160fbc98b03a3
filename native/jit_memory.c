/*
 * Executable memory that is never writable and executable at once.
 *
 * Preferred: one piece of memory mapped twice (jit_memory_posix.c: a memfd; _win32.c: a
 * pagefile-backed section), a read-write view that JS fills through an ArrayBuffer and a
 * read-execute view that native code runs. Where the second mapping is refused (old
 * kernels, hardened policies), fall back to a single mapping that is flipped RW -> RX, only
 * ever for pages that hold no code yet (see src/jit/code-block.ts).
 */
#include "bridge.h"
#include "os.h"
#include <stdio.h>
#include <string.h>

static uint64_t mapped_bytes;

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
  size_t page = cffi_os_page_size();
  size_t size = ((size_t)dsize + page - 1) & ~(page - 1);

  void *rw = NULL, *rx = NULL;
  int dual = cffi_os_jit_map_dual(size, (uintptr_t)near, &rw, &rx);
  if (!dual) {
    char why[120];
    rw = cffi_os_jit_map_single(size, (uintptr_t)near, why, sizeof why);
    if (!rw) {
      char msg[240];
      snprintf(msg, sizeof msg, "jitAlloc: no %llu bytes of memory could be mapped%s: %s", (unsigned long long)size,
               near ? " within 2 GiB of the requested address" : "", why);
      return cffi_throw(env, "ERR_JIT_MEMORY", msg);
    }
    rx = rw;
  }
  cffi_add_u64(&mapped_bytes, size); /* physical bytes: both views share them */

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
  cffi_os_jit_unmap((void *)(uintptr_t)rx, (void *)(uintptr_t)rw, (size_t)size);
  cffi_add_u64(&mapped_bytes, (uint64_t)0 - (uint64_t)size);
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
  size_t page = cffi_os_page_size();
  uintptr_t start = (uintptr_t)addr & ~(page - 1);
  uintptr_t end = ((uintptr_t)addr + size + page - 1) & ~(page - 1);
  char why[120];
  if (!cffi_os_jit_protect((void *)start, end - start, strcmp(mode, "rx") == 0, why, sizeof why)) {
    char msg[160];
    snprintf(msg, sizeof msg, "jitProtect: %s", why);
    return cffi_throw(env, "ERR_JIT_MEMORY", msg);
  }
  return NULL;
}

/*
 * flushInstructionCache(addr, size): makes code just written visible to instruction fetch.
 * Callers pass the address code will run at, the RX view, not the RW view it was written
 * through: on AArch64 the data cache is cleaned and the instruction cache invalidated by
 * virtual address, and an instruction cache indexed by virtual address only forgets the
 * lines of the alias named. The RX view is readable, which dc cvau needs. On x86-64 Linux
 * this is a no-op (coherent instruction fetch); Windows asks FlushInstructionCache, as its
 * documentation requires of code generators.
 */
static napi_value js_flush_icache(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint64_t addr;
  size_t size;
  if (!cffi_get_address_size(env, info, 2, argv, &addr, &size))
    return cffi_throw(env, "ERR_JIT_MEMORY", "flushInstructionCache(addr, size): bad arguments");
  cffi_os_flush_icache((void *)(uintptr_t)addr, size);
  return NULL;
}

/* addUnwindInfo(base, begin, end, unwindAt): see cffi_os_add_unwind_info. */
static napi_value js_add_unwind_info(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t base;
  uint32_t at[3];
  int ok = argc == 4 && cffi_get_address(env, argv[0], &base);
  for (int i = 0; ok && i < 3; i++) ok = napi_get_value_uint32(env, argv[1 + i], &at[i]) == napi_ok;
  if (!ok || at[0] >= at[1]) return cffi_throw(env, "ERR_JIT_MEMORY", "addUnwindInfo(base, begin, end, unwindAt): bad arguments");
  char why[120];
  if (!cffi_os_add_unwind_info((void *)(uintptr_t)base, at[0], at[1], at[2], why, sizeof why)) {
    char msg[160];
    snprintf(msg, sizeof msg, "addUnwindInfo: %s", why);
    return cffi_throw(env, "ERR_JIT_MEMORY", msg);
  }
  return NULL;
}

static napi_value js_mapped_bytes(napi_env env, napi_callback_info info) {
  napi_value v;
  napi_create_double(env, (double)cffi_load_u64(&mapped_bytes), &v);
  return v;
}

void cffi_init_jit_memory(napi_env env, napi_value exports) {
  cffi_export(env, exports, "jitAlloc", js_jit_alloc);
  cffi_export(env, exports, "jitRelease", js_jit_release);
  cffi_export(env, exports, "jitProtect", js_jit_protect);
  cffi_export(env, exports, "flushInstructionCache", js_flush_icache);
  cffi_export(env, exports, "mappedBytes", js_mapped_bytes);
  cffi_export(env, exports, "addUnwindInfo", js_add_unwind_info);
  cffi_export_number(env, exports, "UNWIND_TABLES", cffi_os_unwind_tables);
  cffi_export_number(env, exports, "pageSize", (double)cffi_os_page_size());
}
