/* Module entry point and the small helpers every part of the bridge shares. */
#include "bridge.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

napi_value cffi_throw(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

/* Addresses arrive as bigint (public API) or as a safe-integer number (hot paths). */
int cffi_get_address(napi_env env, napi_value v, uint64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_bigint) {
    bool lossless;
    return napi_get_value_bigint_uint64(env, v, out, &lossless) == napi_ok;
  }
  if (t == napi_number) {
    double d;
    if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 9007199254740991.0) return 0;
    *out = (uint64_t)d;
    return 1;
  }
  return 0;
}

/* Reads `argc` arguments into argv; the first two must be an address and a non-negative size. */
int cffi_get_address_size(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, uint64_t *addr,
                          size_t *size) {
  size_t got = argc;
  double d;
  if (napi_get_cb_info(env, info, &got, argv, NULL, NULL) != napi_ok || got < argc) return 0;
  if (!cffi_get_address(env, argv[0], addr) || napi_get_value_double(env, argv[1], &d) != napi_ok || !(d >= 0)) return 0;
  *size = (size_t)d;
  return 1;
}

napi_value cffi_make_address(napi_env env, uint64_t addr) {
  napi_value v;
  napi_create_bigint_uint64(env, addr, &v);
  return v;
}

void cffi_export(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

void cffi_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("closure-ffi: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  fflush(stderr);
  abort();
}

#define MAX_WARNINGS 20

void cffi_warn(cffi_realm *r, const char *fmt, ...) {
  int n = __atomic_add_fetch(&r->warnings, 1, __ATOMIC_RELAXED);
  if (n > MAX_WARNINGS + 1) return;
  if (n == MAX_WARNINGS + 1) {
    fputs("closure-ffi: further messages of this kind are suppressed\n", stderr);
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  fputs("closure-ffi: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

const char *cffi_thunk_name(cffi_realm *r, uint64_t ctx, char *buf, size_t size) {
  uint32_t id = CFFI_CTX_SLOT(ctx);
  pthread_mutex_lock(&r->sync_lock);
  if (id < r->slot_names_cap && r->slot_names[id]) snprintf(buf, size, "%s", r->slot_names[id]);
  else snprintf(buf, size, "thunk id %u", id);
  pthread_mutex_unlock(&r->sync_lock);
  return buf;
}

static napi_value init(napi_env env, napi_value exports) {
  cffi_init_jit_memory(env, exports);
  cffi_init_raw_memory(env, exports);
  cffi_init_library(env, exports);
  cffi_init_enter(env, exports);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
