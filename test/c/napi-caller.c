/*
 * The independent caller of test/c/callbacks.c on Windows x64 (test/support/callbacks-lib.ts),
 * where koffi cannot play that part: koffi runs C on a stack of its own, and a thunk called
 * there is refused on Windows (no V8-direct accelerator to move JS back onto the thread's
 * stack). This is a Node addon with one function,
 *
 *   call(fn: bigint, slots: BigUint64Array, out: BigUint64Array): undefined
 *
 * which calls the C function at `fn` with slots[i] as argument i under the Win64
 * convention and stores rax in out[0] and xmm0 in out[1]. It calls from the JS thread's own
 * stack, with no closure-ffi call in progress: as koffi does on Linux, a callback under it
 * has no enclosing JS call. The caller (JS) turns each argument into its 64-bit slot and
 * reads the result back; every slot also goes into the xmm register of its position (as
 * for a variadic call), so a float or double argument lands wherever the callee reads it.
 *
 * It uses no N-API header or import library: the few napi_* functions come from node.exe
 * by GetProcAddress. Built as a DLL by test/support/cc.ts and loaded with process.dlopen.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#if !defined(_WIN32) || !defined(__x86_64__)
#error "napi-caller.c is for Windows x64"
#endif

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status; /* napi_ok = 0 */
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);

static napi_status (*get_cb_info)(napi_env, napi_callback_info, size_t *, napi_value *, napi_value *, void **);
static napi_status (*get_value_bigint_uint64)(napi_env, napi_value, uint64_t *, bool *);
static napi_status (*get_typedarray_info)(napi_env, napi_value, int *, size_t *, void **, napi_value *, size_t *);
static napi_status (*create_function)(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
static napi_status (*set_named_property)(napi_env, napi_value, const char *, napi_value);
static napi_status (*throw_error)(napi_env, const char *, const char *);

#define NAPI_BIGUINT64_ARRAY 10 /* napi_typedarray_type */

/* fn(slots[0], ..., slots[n - 1]) under Win64, n >= 4; out[0] = rax, out[1] = xmm0. */
void win64_call(void *fn, const uint64_t *slots, size_t n, uint64_t *out);
__asm__(
    ".text\n"
    ".globl win64_call\n"
    ".def win64_call; .scl 2; .type 32; .endef\n"
    ".seh_proc win64_call\n"
    "win64_call:\n"
    "  push %rbp\n  .seh_pushreg %rbp\n"
    "  push %rbx\n  .seh_pushreg %rbx\n"
    "  push %rsi\n  .seh_pushreg %rsi\n"
    "  push %rdi\n  .seh_pushreg %rdi\n"
    "  mov %rsp, %rbp\n  .seh_setframe %rbp, 0\n"
    "  .seh_endprologue\n"
    "  mov %rcx, %r10\n"              /* fn */
    "  mov %rdx, %r11\n"              /* slots */
    "  mov %r9, %rbx\n"               /* out, kept across the call */
    "  lea (,%r8,8), %rax\n"          /* n slots (the first 4 are the home area) */
    "  sub %rax, %rsp\n"
    "  and $-16, %rsp\n"
    "  lea -4(%r8), %rcx\n"           /* stack arguments: slots[4..n) to 32(%rsp) */
    "  lea 32(%r11), %rsi\n"
    "  lea 32(%rsp), %rdi\n"
    "  cld\n  rep movsq\n"
    "  mov (%r11), %rcx\n  mov 8(%r11), %rdx\n  mov 16(%r11), %r8\n  mov 24(%r11), %r9\n"
    "  movq %rcx, %xmm0\n  movq %rdx, %xmm1\n  movq %r8, %xmm2\n  movq %r9, %xmm3\n"
    "  call *%r10\n"
    "  mov %rax, (%rbx)\n"
    "  movq %xmm0, 8(%rbx)\n"
    "  lea (%rbp), %rsp\n"
    "  pop %rdi\n  pop %rsi\n  pop %rbx\n  pop %rbp\n"
    "  ret\n"
    ".seh_endproc\n");

static napi_value call(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint64_t fn = 0;
  bool lossless;
  int type[2] = {-1, -1};
  size_t len[2] = {0, 0};
  void *data[2] = {NULL, NULL};
  if (get_cb_info(env, info, &argc, argv, NULL, NULL) != 0 || argc != 3 ||
      get_value_bigint_uint64(env, argv[0], &fn, &lossless) != 0 || fn == 0 ||
      get_typedarray_info(env, argv[1], &type[0], &len[0], &data[0], NULL, NULL) != 0 ||
      get_typedarray_info(env, argv[2], &type[1], &len[1], &data[1], NULL, NULL) != 0 ||
      type[0] != NAPI_BIGUINT64_ARRAY || type[1] != NAPI_BIGUINT64_ARRAY || len[0] < 4 || len[1] < 2) {
    throw_error(env, NULL, "call(fn: bigint, slots: BigUint64Array (length >= 4), out: BigUint64Array (length >= 2))");
    return NULL;
  }
  win64_call((void *)(uintptr_t)fn, data[0], len[0], data[1]);
  return NULL;
}

#define RESOLVE(var, name) (*(FARPROC *)&(var) = GetProcAddress(node, name)) != NULL

__declspec(dllexport) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  HMODULE node = GetModuleHandleW(NULL);
  if (!(RESOLVE(get_cb_info, "napi_get_cb_info") && RESOLVE(get_value_bigint_uint64, "napi_get_value_bigint_uint64") &&
        RESOLVE(get_typedarray_info, "napi_get_typedarray_info") && RESOLVE(create_function, "napi_create_function") &&
        RESOLVE(set_named_property, "napi_set_named_property") && RESOLVE(throw_error, "napi_throw_error")))
    return NULL; /* Node reports the failed registration */
  napi_value f;
  if (create_function(env, "call", (size_t)-1, call, NULL, &f) != 0 || set_named_property(env, exports, "call", f) != 0)
    return NULL;
  return exports;
}
