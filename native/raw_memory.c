/* Raw native memory: allocate, free, copy in and out, and zero-copy views. */
#include "bridge.h"
#include "os.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * malloc(size) -> bigint, zero-filled. `size` is a finite, whole, non-negative number below
 * 2^64 (the JS side checks too): (size_t) of NaN, Infinity or 2^64 is undefined and used to
 * give a tiny block for a request of "infinitely many" bytes.
 */
static napi_value js_malloc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  double size;
  if (argc < 1 || napi_get_value_double(env, argv[0], &size) != napi_ok || !(size >= 0 && size < 18446744073709551616.0) ||
      size != (double)(uint64_t)size || (uint64_t)size > SIZE_MAX)
    return cffi_throw(env, "ERR_OUT_OF_RANGE", "malloc(size): size must be a whole number from 0 to SIZE_MAX");
  void *p = calloc(1, size > 0 ? (size_t)size : 1);
  if (!p) return cffi_throw(env, "ERR_OUT_OF_MEMORY", "malloc: out of memory");
  return cffi_make_address(env, (uint64_t)(uintptr_t)p);
}

static napi_value js_free(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t p;
  if (argc < 1 || !cffi_get_address(env, argv[0], &p)) return cffi_throw(env, "ERR_ARG_TYPE", "free(ptr): bad pointer");
  free((void *)(uintptr_t)p);
  return NULL;
}

/* read(addr, length) -> Buffer holding a copy of the bytes. */
/* Reads (addr, length) for `fn`; throws and returns 0 on bad arguments. */
static int address_and_length(napi_env env, napi_callback_info info, const char *fn, uint64_t *p, size_t *len) {
  napi_value argv[2];
  if (cffi_get_address_size(env, info, 2, argv, p, len)) return 1;
  char msg[128];
  snprintf(msg, sizeof msg, "%s(addr, length): bad arguments (length must be a whole number from 0 to SIZE_MAX)", fn);
  cffi_throw(env, "ERR_ARG_TYPE", msg);
  return 0;
}

/* A Buffer could not be made: the engine's own exception if it set one, else out of memory. */
static napi_value buffer_refused(napi_env env, const char *fn) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return NULL;
  char msg[96];
  snprintf(msg, sizeof msg, "%s: no Buffer of that length can be made", fn);
  return cffi_throw(env, "ERR_OUT_OF_MEMORY", msg);
}

static napi_value js_read(napi_env env, napi_callback_info info) {
  uint64_t p;
  size_t len;
  if (!address_and_length(env, info, "read", &p, &len)) return NULL;
  if (p == 0 && len > 0) return cffi_throw(env, "ERR_NULL_POINTER", "read: NULL pointer");
  napi_value buf;
  void *data;
  if (napi_create_buffer_copy(env, len, (void *)(uintptr_t)p, &data, &buf) != napi_ok) return buffer_refused(env, "read");
  return buf;
}

/*
 * readSafe(addr, length) -> Buffer holding a copy of the bytes, or null when some of them
 * are not mapped readable (where read() would crash the process with SIGSEGV): the OS copies
 * them and reports a fault instead (os.h, cffi_os_read_checked).
 */
static napi_value js_read_safe(napi_env env, napi_callback_info info) {
  uint64_t p;
  size_t len;
  if (!address_and_length(env, info, "readSafe", &p, &len)) return NULL;
  napi_value buf;
  void *data;
  if (napi_create_buffer(env, len, &data, &buf) != napi_ok) return buffer_refused(env, "readSafe");
  if (!cffi_os_read_checked(data, p, len)) napi_get_null(env, &buf);
  return buf;
}

/* write(addr, bytes: TypedArray | Buffer) copies the bytes to native memory. */
static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t p;
  bool is_ta = false;
  if (argc < 2 || !cffi_get_address(env, argv[0], &p) || napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta)
    return cffi_throw(env, "ERR_ARG_TYPE", "write(addr, bytes): bytes must be a typed array");
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  napi_get_typedarray_info(env, argv[1], &type, &length, &data, &ab, &offset);
  size_t elem = 1;
  switch (type) {
    case napi_int16_array: case napi_uint16_array: elem = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: elem = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: elem = 8; break;
    default: break;
  }
  if (p == 0 && length > 0) return cffi_throw(env, "ERR_NULL_POINTER", "write: NULL pointer");
  memcpy((void *)(uintptr_t)p, data, length * elem);
  return NULL;
}

/* view(addr, length) -> ArrayBuffer aliasing native memory; the caller keeps the memory alive. */
static napi_value js_view(napi_env env, napi_callback_info info) {
  uint64_t p;
  size_t len;
  if (!address_and_length(env, info, "view", &p, &len)) return NULL;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, (void *)(uintptr_t)p, len, NULL, NULL, &ab) != napi_ok)
    return cffi_throw(env, "ERR_UNSUPPORTED_PLATFORM", "view: external ArrayBuffers are not allowed in this runtime");
  return ab;
}

/*
 * bufferAddress(arrayBuffer) -> number: the address of an ArrayBuffer's backing store, for
 * passing JS memory to C without a copy. V8 never moves a backing store once it exists (a
 * small typed array's on-heap bytes move out when its .buffer is taken, which JS does
 * first), so JS caches the result per ArrayBuffer. A number: user-space addresses fit in
 * 47 bits. 0 for an empty or detached buffer.
 */
static napi_value js_buffer_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *data = NULL;
  size_t length = 0;
  if (argc < 1 || napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok)
    return cffi_throw(env, "ERR_ARG_TYPE", "bufferAddress(arrayBuffer): not an ArrayBuffer");
  napi_value v;
  napi_create_double(env, length == 0 ? 0.0 : (double)(uintptr_t)data, &v);
  return v;
}

/* readCString(addr) -> string (UTF-8) or null for NULL. */
static napi_value js_read_cstring(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t p;
  if (argc < 1 || !cffi_get_address(env, argv[0], &p)) return cffi_throw(env, "ERR_ARG_TYPE", "readCString(addr): bad pointer");
  napi_value v;
  if (p == 0) napi_get_null(env, &v);
  else napi_create_string_utf8(env, (const char *)(uintptr_t)p, NAPI_AUTO_LENGTH, &v);
  return v;
}

void cffi_init_raw_memory(napi_env env, napi_value exports) {
  cffi_export(env, exports, "malloc", js_malloc);
  cffi_export(env, exports, "free", js_free);
  cffi_export(env, exports, "read", js_read);
  cffi_export(env, exports, "readSafe", js_read_safe);
  cffi_export(env, exports, "write", js_write);
  cffi_export(env, exports, "view", js_view);
  cffi_export(env, exports, "readCString", js_read_cstring);
  cffi_export(env, exports, "bufferAddress", js_buffer_address);
}
