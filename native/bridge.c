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

/*
 * Reads `argc` arguments into argv; the first two must be an address and a size. A size is a
 * bigint that fits size_t or a finite, whole, non-negative number below 2^64: converting NaN,
 * Infinity or 2^64 to size_t is undefined (x86-64 gives 0 or 2^63), so those are refused.
 */
int cffi_get_address_size(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, uint64_t *addr,
                          size_t *size) {
  size_t got = argc;
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &got, argv, NULL, NULL) != napi_ok || got < argc) return 0;
  if (!cffi_get_address(env, argv[0], addr) || napi_typeof(env, argv[1], &t) != napi_ok) return 0;
  if (t == napi_bigint) {
    uint64_t u;
    bool lossless;
    if (napi_get_value_bigint_uint64(env, argv[1], &u, &lossless) != napi_ok || !lossless || u > SIZE_MAX) return 0;
    *size = (size_t)u;
    return 1;
  }
  double d;
  if (t != napi_number || napi_get_value_double(env, argv[1], &d) != napi_ok) return 0;
  if (!(d >= 0 && d < 18446744073709551616.0 && d == (double)(uint64_t)d) || (uint64_t)d > SIZE_MAX) return 0;
  *size = (size_t)d;
  return 1;
}

/*
 * Reads the (index, text) arguments of the bridge's naming calls; *text is malloc'ed, or
 * NULL when text is null (forget the entry). 0 on bad arguments.
 */
int cffi_get_index_text(napi_env env, napi_callback_info info, uint32_t *index, char **text) {
  size_t argc = 2, len;
  napi_value argv[2];
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_uint32(env, argv[0], index) != napi_ok || napi_typeof(env, argv[1], &t) != napi_ok)
    return 0;
  if (t == napi_null) {
    *text = NULL;
    return 1;
  }
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &len) != napi_ok) return 0;
  *text = malloc(len + 1);
  if (!*text) return 0;
  napi_get_value_string_utf8(env, argv[1], *text, len + 1, &len);
  return 1;
}

/*
 * Stores `text` (taking ownership) at `index`; the caller holds whatever lock guards the
 * table. An outgrown array is never freed: a reader that takes no lock (the trap of a
 * disposed thunk) may still be looking at it. Growth doubles, so this costs at most the
 * final array's size again. 0 when out of memory (text is then freed).
 */
int cffi_text_table_put(cffi_text_table *t, uint32_t index, char *text) {
  if (!text && index >= t->cap) return 1; /* nothing to forget */
  if (index >= t->cap) {
    uint32_t cap = t->cap ? t->cap : 64;
    while (cap <= index) cap *= 2;
    char **grown = calloc(cap, sizeof *grown);
    if (!grown) {
      free(text);
      return 0;
    }
    if (t->items) memcpy(grown, t->items, t->cap * sizeof *grown);
    cffi_store_ptr((void **)&t->items, grown);
    cffi_store_u32(&t->cap, cap);
  }
  free(t->items[index]);
  t->items[index] = text;
  return 1;
}

napi_value cffi_make_address(napi_env env, uint64_t addr) {
  napi_value v;
  napi_create_bigint_uint64(env, addr, &v);
  return v;
}

void cffi_export_number(napi_env env, napi_value exports, const char *name, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  napi_set_named_property(env, exports, name, v);
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
  int n = cffi_add_int(&r->warnings, 1);
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
  uint32_t id = CFFI_CTX_ID(ctx);
  cffi_mutex_lock(&r->sync_lock);
  const char *named = cffi_text_table_get(&r->slot_names, id);
  if (named) snprintf(buf, size, "%s", named);
  else snprintf(buf, size, "thunk id %u", id);
  cffi_mutex_unlock(&r->sync_lock);
  return buf;
}

static napi_value init(napi_env env, napi_value exports) {
  cffi_os_init();
  cffi_init_jit_memory(env, exports);
  cffi_init_raw_memory(env, exports);
  cffi_init_library(env, exports);
  cffi_init_enter(env, exports);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
