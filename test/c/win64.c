/*
 * Microsoft x64 convention (GCC's __attribute__((ms_abi)); on Windows the platform's own),
 * for test/win64.test.ts:
 * C calling thunks made with cc: 'Win64', ms_abi C functions for FnPtr to call, and an
 * assembly driver that checks the registers the convention makes callee-saved.
 * ms_abi exists only on x86-64: on another CPU this file is empty (and the test does not load it).
 */
#if defined(__x86_64__)
#include <stdint.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define MS __attribute__((ms_abi))

typedef struct { int16_t a, b; } s4;
typedef struct { uint8_t c; } s1;
typedef struct { float x, y; } s8f;
typedef struct { int64_t a, b; } s16;
typedef struct { int32_t a, b, c; } s12;        /* passed by reference, returned through a hidden pointer */
typedef struct { double x; int8_t tag[9]; } s24; /* passed by reference */

/* What the last ms_abi function below received, as bit patterns. */
static uint64_t rec[16];
EXPORT uint64_t rec_get(int i) { return rec[i]; }

static uint64_t bits_d(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }
static uint64_t bits_f(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

/* ---- C calls thunks through ms_abi pointers; each returns 1 when what came back is right ---- */

typedef double(MS *mix10_fn)(int8_t, double, uint16_t, float, int64_t, double, uint32_t, float, void *, int32_t);
EXPORT int call_mix10(void *fn) {
  double r = ((mix10_fn)fn)(-5, 1.5, 65535, -2.25f, INT64_MIN, 1e300, 4000000000u, 3.5f, (void *)0x1234, -7);
  return r == 42.5;
}

typedef int64_t(MS *alt12_fn)(double, int32_t, double, int32_t, double, int32_t, double, int32_t, double, int32_t,
                              double, int32_t);
EXPORT int call_alt12(void *fn) {
  return ((alt12_fn)fn)(0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6) == INT64_C(0x0102030405060708);
}

typedef float(MS *f5_fn)(float, float, float, float, float);
EXPORT int call_f5(void *fn) { return ((f5_fn)fn)(1.0f, 2.0f, 3.0f, 4.0f, 5.0f) == 15.0f; }

typedef s4(MS *s_fn)(s4, s1, s8f, double, s4);
EXPORT int call_structs(void *fn) {
  s4 r = ((s_fn)fn)((s4){-3, 300}, (s1){200}, (s8f){1.25f, -0.5f}, 2.75, (s4){7, -8});
  return r.a == 4 && r.b == 500;
}

typedef s16(MS *big_fn)(int32_t, double);
EXPORT int call_big(void *fn) {
  s16 r = ((big_fn)fn)(21, -9.75);
  return r.a == 42 && r.b == -9;
}

typedef s12(MS *refs_fn)(int32_t, s12, double, s24, s12);
EXPORT int call_refs(void *fn) {
  s24 y = {2.5, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  s12 r = ((refs_fn)fn)(5, (s12){1, -2, 3}, 0.5, y, (s12){10, 20, 30});
  return r.a == 16 && r.b == 18 && r.c == 3 + 30 + 5 + 9 + 2;
}

/* ---- ms_abi functions that FnPtr calls ---- */

EXPORT MS double ms_mix10(int8_t a, double b, uint16_t c, float d, int64_t e, double f, uint32_t g, float h, void *i,
                          int32_t j) {
  rec[0] = (uint64_t)(int64_t)a, rec[1] = bits_d(b), rec[2] = c, rec[3] = bits_f(d), rec[4] = (uint64_t)e;
  rec[5] = bits_d(f), rec[6] = g, rec[7] = bits_f(h), rec[8] = (uint64_t)(uintptr_t)i, rec[9] = (uint64_t)(int64_t)j;
  return -0.125;
}

EXPORT MS int64_t ms_alt12(double a, int32_t b, double c, int32_t d, double e, int32_t f, double g, int32_t h, double i,
                           int32_t j, double k, int32_t l) {
  return (int64_t)((a + c + e + g + i + k) * 1000) * 1000 + (b + d + f + h + j + l);
}

EXPORT MS float ms_f5(float a, float b, float c, float d, float e) { return a * 10000 + b * 1000 + c * 100 + d * 10 + e; }

EXPORT MS s4 ms_structs(s4 x, s1 y, s8f z, double d, s4 w) {
  return (s4){(int16_t)(x.a + w.a + (int)z.x + (int)d), (int16_t)(x.b + y.c + (int)(z.y * 4))};
}

EXPORT MS s16 ms_big(int32_t a, double d) { return (s16){(int64_t)a * 2, (int64_t)d}; }

EXPORT MS s12 ms_refs(int32_t i, s12 x, double d, s24 y, s12 w) {
  return (s12){x.a + w.a + i, x.b + w.b, x.c + w.c + (int32_t)(d * 10) + y.tag[8] + (int32_t)y.x};
}

/*
 * check_ms_preserved(fn): calls fn(7) (ms_abi, int64_t (int64_t)) with known values in rsi,
 * rdi and xmm6-xmm15, which that convention makes callee-saved, and stores what those
 * registers hold afterwards in ms_after[0..11] (read with ms_after_get); returns what fn returned.
 *
 * The assembly driver is a System V function (fn in rdi; it clobbers rsi, rdi and the xmm
 * registers freely, as System V lets it). It is declared sysv_abi, so on Windows, where
 * those registers are callee-saved, GCC saves and restores them around the call from the
 * exported C wrapper; on Linux the wrapper is a plain call.
 */
#ifdef _WIN32
#define HIDDEN
#else
#define HIDDEN __attribute__((visibility("hidden"))) /* an ELF library's own symbol: rip-relative, no GOT */
#endif
HIDDEN uint64_t ms_after[12]; /* the assembly addresses it rip-relative */
EXPORT uint64_t ms_after_get(int i) { return ms_after[i]; }
__attribute__((sysv_abi)) int64_t ms_preserved_driver(void *fn);
EXPORT int64_t check_ms_preserved(void *fn) { return ms_preserved_driver(fn); }
#ifdef _WIN32 /* PE/COFF: no ELF symbol types or sizes */
#define FUNCTION_TYPE ".def ms_preserved_driver; .scl 3; .type 32; .endef\n"
#define FUNCTION_SIZE ""
#else
#define FUNCTION_TYPE ".type ms_preserved_driver, @function\n"
#define FUNCTION_SIZE ".size ms_preserved_driver, .-ms_preserved_driver\n"
#endif
__asm__(
    ".intel_syntax noprefix\n"
    ".text\n"
    FUNCTION_TYPE
    "ms_preserved_driver:\n"
    "  push rbp\n"
    "  mov rbp, rsp\n"
    "  push rbx\n"
    "  sub rsp, 40\n" /* 32 bytes of shadow space, 16-byte aligned at the call */
    "  mov rbx, rdi\n"
    "  movabs rsi, 0x5151515151515151\n"
    "  movabs rdi, 0x7171717171717171\n"
    "  movabs rax, 0x6606060606060606\n movq xmm6, rax\n"
    "  movabs rax, 0x6707070707070707\n movq xmm7, rax\n"
    "  movabs rax, 0x6808080808080808\n movq xmm8, rax\n"
    "  movabs rax, 0x6909090909090909\n movq xmm9, rax\n"
    "  movabs rax, 0x6a0a0a0a0a0a0a0a\n movq xmm10, rax\n"
    "  movabs rax, 0x6b0b0b0b0b0b0b0b\n movq xmm11, rax\n"
    "  movabs rax, 0x6c0c0c0c0c0c0c0c\n movq xmm12, rax\n"
    "  movabs rax, 0x6d0d0d0d0d0d0d0d\n movq xmm13, rax\n"
    "  movabs rax, 0x6e0e0e0e0e0e0e0e\n movq xmm14, rax\n"
    "  movabs rax, 0x6f0f0f0f0f0f0f0f\n movq xmm15, rax\n"
    "  mov ecx, 7\n"
    "  call rbx\n"
    "  lea rdx, [rip + ms_after]\n"
    "  mov [rdx], rsi\n"
    "  mov [rdx + 8], rdi\n"
    "  movq [rdx + 16], xmm6\n"
    "  movq [rdx + 24], xmm7\n"
    "  movq [rdx + 32], xmm8\n"
    "  movq [rdx + 40], xmm9\n"
    "  movq [rdx + 48], xmm10\n"
    "  movq [rdx + 56], xmm11\n"
    "  movq [rdx + 64], xmm12\n"
    "  movq [rdx + 72], xmm13\n"
    "  movq [rdx + 80], xmm14\n"
    "  movq [rdx + 88], xmm15\n"
    "  add rsp, 40\n"
    "  pop rbx\n"
    "  pop rbp\n"
    "  ret\n"
    FUNCTION_SIZE
    ".att_syntax prefix\n");
#endif /* __x86_64__ */
