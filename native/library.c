/* Finding native functions: loadLibrary()'s dlopen/dlsym/dlclose, on the OS's own calls (library_*.c). */
#include "bridge.h"
#include "os.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The UTF-8 bytes of string `v`, malloc'ed; NULL if it is not a string or holds a NUL byte
 * (C would see only the part before the NUL: 'libc.so.6\0junk' must not open libc.so.6).
 */
static char *get_string(napi_env env, napi_value v) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) {
    free(s);
    return NULL;
  }
  return s;
}

/*
 * dlopen(path | null, options?) -> bigint handle; null opens the running program (all
 * loaded globals). `options`: the CFFI_LIB_* bits (os.h); without them, RTLD_NOW | RTLD_LOCAL.
 */
static napi_value js_dlopen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t opts = 0;
  if (argc >= 2) {
    napi_valuetype ot;
    napi_typeof(env, argv[1], &ot);
    if (ot != napi_undefined && napi_get_value_uint32(env, argv[1], &opts) != napi_ok)
      return cffi_throw(env, "ERR_ARG_TYPE", "dlopen(path, options): options must be a number");
  }
  napi_valuetype t = napi_null;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t != napi_string && t != napi_null && t != napi_undefined)
    return cffi_throw(env, "ERR_ARG_TYPE", "dlopen(path): path must be a string or null");
  char *path = NULL;
  if (t == napi_string && !(path = get_string(env, argv[0])))
    return cffi_throw(env, "ERR_ARG_TYPE", "dlopen(path): path must not contain a NUL byte");
  char why[512] = "";
  int unsupported = 0;
  void *h = cffi_os_lib_open(path, opts, why, sizeof why, &unsupported);
  free(path);
  if (!h) return cffi_throw(env, unsupported ? "ERR_UNSUPPORTED_PLATFORM" : "ERR_DLOPEN", why);
  return cffi_make_address(env, (uint64_t)(uintptr_t)h);
}

/* dlsym(handle, name) -> bigint address, or 0n when the symbol is missing. */
static napi_value js_dlsym(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t h;
  char *name;
  if (argc < 2 || !cffi_get_address(env, argv[0], &h) || !(name = get_string(env, argv[1])))
    return cffi_throw(env, "ERR_ARG_TYPE", "dlsym(handle, name): bad arguments (name must be a string without NUL bytes)");
  void *p = cffi_os_lib_symbol((void *)(uintptr_t)h, name);
  free(name);
  return cffi_make_address(env, (uint64_t)(uintptr_t)p);
}

static napi_value js_dlclose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t h;
  if (argc < 1 || !cffi_get_address(env, argv[0], &h)) return cffi_throw(env, "ERR_ARG_TYPE", "dlclose(handle)");
  cffi_os_lib_close((void *)(uintptr_t)h);
  return NULL;
}

void cffi_init_library(napi_env env, napi_value exports) {
  cffi_export(env, exports, "dlopen", js_dlopen);
  cffi_export(env, exports, "dlsym", js_dlsym);
  cffi_export(env, exports, "dlclose", js_dlclose);
}
