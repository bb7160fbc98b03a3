/*
 * A C library that behaves like the C APIs closure-ffi exists for: it takes plain
 * function pointers (no user-data argument), stores them, and calls them later.
 *
 * For every signature there are three entry points:
 *   register_X(cb)    store the pointer
 *   call_X(args...)   call the stored pointer once with the given arguments and return
 *                     its result (driven from JS through koffi)
 *   drive_X(reps)     call the stored pointer reps * N times with fixed values, check
 *                     every result itself, return the number of wrong results
 *                     (driven from C; the expected JS behaviour is documented per group)
 * drive_log() returns a description of the first wrong result since reset_log().
 *
 * Builds for ELF (Linux x86-64 and AArch64) and for Windows x64 (mingw, a DLL): there the
 * ABI checks are Win64 assembly, and the thread is a CreateThread thread.
 */
#if defined(_WIN32)
#define __USE_MINGW_ANSI_STDIO 1 /* %zu and %llx in note() */
#include <windows.h>
#else
#include <pthread.h>
#endif
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#if defined(_WIN32)
#define EXPORT /* a DLL without dllexport exports every global symbol */
#else
#define EXPORT __attribute__((visibility("default")))
#endif

static char log_buf[4096];
static int log_used;

EXPORT void reset_log(void) { log_buf[0] = 0; log_used = 0; }
EXPORT const char *drive_log(void) { return log_buf; }

#if defined(_WIN32)
static void note(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2))); /* mingw's C99 printf */
#else
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
static void note(const char *fmt, ...) {
  if (log_used) return; /* keep the first failure only */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(log_buf, sizeof log_buf, fmt, ap);
  va_end(ap);
  log_used = 1;
}

/* Bit patterns that hit the edges of every integer width once truncated to it. */
static const uint64_t int_patterns[] = {
  0x0ull, 0x1ull, 0x7full, 0x80ull, 0xffull, 0x7fffull, 0x8000ull, 0xffffull,
  0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x7fffffffffffffffull,
  0x8000000000000000ull, 0xffffffffffffffffull, 0x0123456789abcdefull, 0xfedcba9876543210ull,
};
#define N_INT_PATTERNS (sizeof int_patterns / sizeof int_patterns[0])

/* ---------------------------------------------------------------------------------- */
/* One-argument integer identity-transform callbacks: T cb(T x), JS returns ~x.        */
/* ---------------------------------------------------------------------------------- */
#define INT_TYPES(X)                                                                    \
  X(char, char) X(schar, signed char) X(uchar, unsigned char)                          \
  X(short, short) X(ushort, unsigned short) X(int, int) X(uint, unsigned int)          \
  X(long, long) X(ulong, unsigned long) X(llong, long long) X(ullong, unsigned long long) \
  X(i8, int8_t) X(u8, uint8_t) X(i16, int16_t) X(u16, uint16_t) X(i32, int32_t)         \
  X(u32, uint32_t) X(i64, int64_t) X(u64, uint64_t) X(size, size_t) X(ssize, ssize_t)   \
  X(intptr, intptr_t) X(uintptr, uintptr_t)

#define DEFINE_INT(NAME, T)                                                             \
  static T (*cb_##NAME)(T);                                                             \
  EXPORT void register_##NAME(T (*cb)(T)) { cb_##NAME = cb; }                           \
  EXPORT T call_##NAME(T x) { return cb_##NAME(x); }                                    \
  EXPORT int drive_##NAME(int reps) {                                                   \
    int fails = 0;                                                                      \
    for (int r = 0; r < reps; r++)                                                      \
      for (size_t i = 0; i < N_INT_PATTERNS; i++) {                                     \
        T x = (T)int_patterns[i];                                                       \
        T want = (T)~x;                                                                 \
        T got = cb_##NAME(x);                                                           \
        if (got != want) {                                                              \
          fails++;                                                                      \
          note(#NAME ": cb(0x%llx) returned 0x%llx, want 0x%llx", (unsigned long long)x, \
               (unsigned long long)got, (unsigned long long)want);                      \
        }                                                                               \
      }                                                                                 \
    return fails;                                                                       \
  }
INT_TYPES(DEFINE_INT)

/* bool cb(bool x), JS returns !x. */
static bool (*cb_bool)(bool);
EXPORT void register_bool(bool (*cb)(bool)) { cb_bool = cb; }
EXPORT bool call_bool(bool x) { return cb_bool(x); }
EXPORT int drive_bool(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < 2; i++) {
      bool x = i & 1;
      bool got = cb_bool(x);
      /* Read the returned byte as a whole: bits 1..7 must be zero (SysV ABI). */
      unsigned char raw;
      memcpy(&raw, &got, 1);
      if (raw != (unsigned char)!x) {
        fails++;
        note("bool: cb(%d) returned byte 0x%x", x, raw);
      }
    }
  return fails;
}

/* ---------------------------------------------------------------------------------- */
/* Floating point: T cb(T x), JS returns -x. Compared bit for bit.                     */
/* ---------------------------------------------------------------------------------- */
static const uint32_t float_patterns[] = {
  0x00000000u, 0x80000000u, 0x3f800000u, 0xbfc00000u, 0x7f7fffffu, 0xff7fffffu,
  0x00800000u, 0x00000001u, 0x807fffffu, 0x7f800000u, 0xff800000u, 0x3dcccccdu, 0x4b800001u,
};
static const uint64_t double_patterns[] = {
  0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xc002000000000000ull,
  0x7fefffffffffffffull, 0xffefffffffffffffull, 0x0010000000000000ull, 0x0000000000000001ull,
  0x800fffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x3fb999999999999aull,
  0x4340000000000001ull,
};

static float (*cb_float)(float);
EXPORT void register_float(float (*cb)(float)) { cb_float = cb; }
EXPORT float call_float(float x) { return cb_float(x); }
EXPORT int drive_float(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < sizeof float_patterns / sizeof float_patterns[0]; i++) {
      float x, got;
      uint32_t want = float_patterns[i] ^ 0x80000000u, gotb;
      memcpy(&x, &float_patterns[i], 4);
      got = cb_float(x);
      memcpy(&gotb, &got, 4);
      if (gotb != want) {
        fails++;
        note("float: cb(bits 0x%08x) returned bits 0x%08x, want 0x%08x", float_patterns[i], gotb, want);
      }
    }
  return fails;
}

static double (*cb_double)(double);
EXPORT void register_double(double (*cb)(double)) { cb_double = cb; }
EXPORT double call_double(double x) { return cb_double(x); }
EXPORT int drive_double(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < sizeof double_patterns / sizeof double_patterns[0]; i++) {
      double x, got;
      uint64_t want = double_patterns[i] ^ 0x8000000000000000ull, gotb;
      memcpy(&x, &double_patterns[i], 8);
      got = cb_double(x);
      memcpy(&gotb, &got, 8);
      if (gotb != want) {
        fails++;
        note("double: cb(bits 0x%016llx) returned bits 0x%016llx, want 0x%016llx",
             (unsigned long long)double_patterns[i], (unsigned long long)gotb,
             (unsigned long long)want);
      }
    }
  return fails;
}

/* ---------------------------------------------------------------------------------- */
/* Pointers.                                                                           */
/* ---------------------------------------------------------------------------------- */
/* void *cb(void *p), JS returns p + 16 (wrapping). */
static void *(*cb_ptr)(void *);
EXPORT void register_ptr(void *(*cb)(void *)) { cb_ptr = cb; }
EXPORT void *call_ptr(void *p) { return cb_ptr(p); }
EXPORT int drive_ptr(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < N_INT_PATTERNS; i++) {
      void *p = (void *)(uintptr_t)int_patterns[i];
      void *want = (void *)((uintptr_t)p + 16);
      void *got = cb_ptr(p);
      if (got != want) {
        fails++;
        note("ptr: cb(%p) returned %p, want %p", p, got, want);
      }
    }
  return fails;
}

/* size_t cb(const char *s), JS reads the C string and returns its length. */
static size_t (*cb_strlen)(const char *);
EXPORT void register_strlen(size_t (*cb)(const char *)) { cb_strlen = cb; }
EXPORT size_t call_strlen(const char *s) { return cb_strlen(s); }
EXPORT int drive_strlen(int reps) {
  static const char *words[] = { "", "a", "hello", "closure-ffi thunks", "0123456789abcdef0123456789abcdef" };
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
      size_t got = cb_strlen(words[i]);
      if (got != strlen(words[i])) {
        fails++;
        note("strlen: cb(\"%s\") returned %zu", words[i], got);
      }
    }
  return fails;
}

/* void cb(int *out, int v), JS writes v * 3 through the pointer. */
static void (*cb_store)(int *, int);
EXPORT void register_store(void (*cb)(int *, int)) { cb_store = cb; }
EXPORT int call_store(int v) { int out = -1; cb_store(&out, v); return out; }
EXPORT int drive_store(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int v = -50; v <= 50; v += 7) {
      int out = 12345;
      cb_store(&out, v);
      if (out != v * 3) {
        fails++;
        note("store: cb(&out, %d) stored %d", v, out);
      }
    }
  return fails;
}

/* ---------------------------------------------------------------------------------- */
/* void (void): JS counts its calls.                                                   */
/* ---------------------------------------------------------------------------------- */
static void (*cb_void)(void);
EXPORT void register_void(void (*cb)(void)) { cb_void = cb; }
EXPORT void call_void(void) { cb_void(); }
EXPORT int drive_void(int reps) {
  for (int r = 0; r < reps; r++) cb_void();
  return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Mixed integer / floating point in registers.                                        */
/* double cb(int8_t a, double b, uint16_t c, float d, int64_t e, double f, uint32_t g, float h)
 * JS returns a + 2b + 3c + 4d + 5e + 6f + 7g + 8h (as double, in that order).          */
/* ---------------------------------------------------------------------------------- */
typedef double (*mix8_fn)(int8_t, double, uint16_t, float, int64_t, double, uint32_t, float);
static mix8_fn cb_mix8;
EXPORT void register_mix8(mix8_fn cb) { cb_mix8 = cb; }
EXPORT double call_mix8(int8_t a, double b, uint16_t c, float d, int64_t e, double f, uint32_t g, float h) {
  return cb_mix8(a, b, c, d, e, f, g, h);
}
static double mix8_expect(int8_t a, double b, uint16_t c, float d, int64_t e, double f, uint32_t g, float h) {
  double s = 0;
  s += 1.0 * a; s += 2.0 * b; s += 3.0 * c; s += 4.0 * (double)d;
  s += 5.0 * (double)e; s += 6.0 * f; s += 7.0 * g; s += 8.0 * (double)h;
  return s;
}
EXPORT int drive_mix8(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < 16; i++) {
      int8_t a = (int8_t)(i * 17 - 128);
      double b = i * 0.25 - 1.5;
      uint16_t c = (uint16_t)(65535 - i * 999);
      float d = (float)(i * -0.5f);
      int64_t e = (int64_t)i * -1000003;
      double f = 1e6 + i;
      uint32_t g = 4000000000u + (uint32_t)i;
      float h = (float)i * 8.0f;
      double want = mix8_expect(a, b, c, d, e, f, g, h);
      double got = cb_mix8(a, b, c, d, e, f, g, h);
      if (memcmp(&got, &want, 8) != 0) {
        fails++;
        note("mix8 #%d: got %.17g want %.17g", i, got, want);
      }
    }
  return fails;
}

/* ---------------------------------------------------------------------------------- */
/* Stack arguments.                                                                    */
/* ---------------------------------------------------------------------------------- */
/* int64_t cb(int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t) x 5:
 * 20 integer arguments of every width, 14 of them on the stack (narrow stack slots carry
 * whatever gcc leaves in their upper bytes). JS returns sum((i+1) * a_i) mod 2^64.      */
typedef int64_t (*ints20_fn)(int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t,
                             int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t,
                             int8_t, int16_t, int32_t, int64_t);
static ints20_fn cb_ints20;
EXPORT void register_ints20(ints20_fn cb) { cb_ints20 = cb; }
EXPORT int64_t call_ints20(int8_t a0, int16_t a1, int32_t a2, int64_t a3, uint8_t a4, uint16_t a5,
                           uint32_t a6, uint64_t a7, int8_t a8, int16_t a9, int32_t a10, int64_t a11,
                           uint8_t a12, uint16_t a13, uint32_t a14, uint64_t a15, int8_t a16,
                           int16_t a17, int32_t a18, int64_t a19) {
  return cb_ints20(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
}
EXPORT int drive_ints20(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (size_t k = 0; k < N_INT_PATTERNS; k++) {
      /* argument i gets pattern (k + i) rotated, truncated to its type */
      uint64_t p[20];
      for (int i = 0; i < 20; i++) p[i] = int_patterns[(k + (size_t)i) % N_INT_PATTERNS] ^ ((uint64_t)i << 3);
      int8_t a0 = (int8_t)p[0]; int16_t a1 = (int16_t)p[1]; int32_t a2 = (int32_t)p[2]; int64_t a3 = (int64_t)p[3];
      uint8_t a4 = (uint8_t)p[4]; uint16_t a5 = (uint16_t)p[5]; uint32_t a6 = (uint32_t)p[6]; uint64_t a7 = p[7];
      int8_t a8 = (int8_t)p[8]; int16_t a9 = (int16_t)p[9]; int32_t a10 = (int32_t)p[10]; int64_t a11 = (int64_t)p[11];
      uint8_t a12 = (uint8_t)p[12]; uint16_t a13 = (uint16_t)p[13]; uint32_t a14 = (uint32_t)p[14]; uint64_t a15 = p[15];
      int8_t a16 = (int8_t)p[16]; int16_t a17 = (int16_t)p[17]; int32_t a18 = (int32_t)p[18]; int64_t a19 = (int64_t)p[19];
      uint64_t v[20] = { (uint64_t)(int64_t)a0, (uint64_t)(int64_t)a1, (uint64_t)(int64_t)a2, (uint64_t)a3,
                         a4, a5, a6, a7, (uint64_t)(int64_t)a8, (uint64_t)(int64_t)a9, (uint64_t)(int64_t)a10,
                         (uint64_t)a11, a12, a13, a14, a15, (uint64_t)(int64_t)a16, (uint64_t)(int64_t)a17,
                         (uint64_t)(int64_t)a18, (uint64_t)a19 };
      uint64_t want = 0;
      for (int i = 0; i < 20; i++) want += (uint64_t)(i + 1) * v[i];
      int64_t got = cb_ints20(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
      if ((uint64_t)got != want) {
        fails++;
        note("ints20 #%zu: got 0x%016llx want 0x%016llx", k, (unsigned long long)got, (unsigned long long)want);
      }
    }
  return fails;
}

/* double cb(double x 20): 8 in xmm registers, 12 on the stack. JS returns sum((i+1) * d_i). */
typedef double (*dbl20_fn)(double, double, double, double, double, double, double, double, double, double,
                           double, double, double, double, double, double, double, double, double, double);
static dbl20_fn cb_dbl20;
EXPORT void register_dbl20(dbl20_fn cb) { cb_dbl20 = cb; }
EXPORT double call_dbl20(double a0, double a1, double a2, double a3, double a4, double a5, double a6,
                         double a7, double a8, double a9, double a10, double a11, double a12, double a13,
                         double a14, double a15, double a16, double a17, double a18, double a19) {
  return cb_dbl20(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
}
EXPORT int drive_dbl20(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int k = 0; k < 8; k++) {
      double a[20];
      for (int i = 0; i < 20; i++) a[i] = (k + 1) * 1000.0 + i * 0.5 - (i & 1 ? 7777.0 : 0);
      double want = 0;
      for (int i = 0; i < 20; i++) want += (i + 1) * a[i];
      double got = cb_dbl20(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                            a[13], a[14], a[15], a[16], a[17], a[18], a[19]);
      if (memcmp(&got, &want, 8) != 0) {
        fails++;
        note("dbl20 #%d: got %.17g want %.17g", k, got, want);
      }
    }
  return fails;
}

/* float cb(float x 18): 8 in xmm registers, 10 on the stack (4 bytes used of each 8-byte slot).
 * JS returns fround(sum((i+1) * f_i)) computed in double. */
typedef float (*flt18_fn)(float, float, float, float, float, float, float, float, float, float, float, float,
                          float, float, float, float, float, float);
static flt18_fn cb_flt18;
EXPORT void register_flt18(flt18_fn cb) { cb_flt18 = cb; }
EXPORT float call_flt18(float a0, float a1, float a2, float a3, float a4, float a5, float a6, float a7,
                        float a8, float a9, float a10, float a11, float a12, float a13, float a14,
                        float a15, float a16, float a17) {
  return cb_flt18(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17);
}
EXPORT int drive_flt18(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int k = 0; k < 8; k++) {
      float a[18];
      for (int i = 0; i < 18; i++) a[i] = (float)(k * 16 + i) * (i & 1 ? -0.5f : 2.0f);
      double s = 0;
      for (int i = 0; i < 18; i++) s += (i + 1) * (double)a[i];
      float want = (float)s;
      float got = cb_flt18(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                           a[13], a[14], a[15], a[16], a[17]);
      if (memcmp(&got, &want, 4) != 0) {
        fails++;
        note("flt18 #%d: got %.9g want %.9g", k, got, want);
      }
    }
  return fails;
}

/* uint64_t cb(24 arguments interleaving every kind):
 *   bool, int8_t, float, uint16_t, double, int32_t, void *, uint64_t,        (0..7)
 *   float, int16_t, double, uint8_t, float, int64_t, double, uint32_t,       (8..15)
 *   double, char, float, long, double, size_t, float, int                    (16..23)
 * Integer class: 0,1,3,5,6,7,9,11,13,15,17,19,21,23 (14: 6 in registers, 8 on the stack).
 * SSE class: 2,4,8,10,12,14,16,18,20,22 (10: 8 in registers, 2 on the stack), so stack
 * slots interleave integer and floating-point arguments in argument order.
 * JS returns sum((i+1) * bits(a_i)) mod 2^64 where bits() is the value's integer value for
 * integers (sign-extended to 64), 0/1 for bool, the address for the pointer and the IEEE
 * bit pattern for float (32 bits) / double (64 bits). */
#define MIX24_PARAMS                                                                                  \
  bool a0, int8_t a1, float a2, uint16_t a3, double a4, int32_t a5, void *a6, uint64_t a7, float a8,  \
      int16_t a9, double a10, uint8_t a11, float a12, int64_t a13, double a14, uint32_t a15,          \
      double a16, char a17, float a18, long a19, double a20, size_t a21, float a22, int a23
#define MIX24_ARGS a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23
typedef uint64_t (*mix24_fn)(bool, int8_t, float, uint16_t, double, int32_t, void *, uint64_t, float, int16_t,
                             double, uint8_t, float, int64_t, double, uint32_t, double, char, float, long,
                             double, size_t, float, int);
static mix24_fn cb_mix24;
EXPORT void register_mix24(mix24_fn cb) { cb_mix24 = cb; }
EXPORT uint64_t call_mix24(MIX24_PARAMS) { return cb_mix24(MIX24_ARGS); }
static uint64_t fbits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static uint64_t dbits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }
EXPORT uint64_t mix24_expect(MIX24_PARAMS) {
  uint64_t v[24] = {
    a0, (uint64_t)(int64_t)a1, fbits(a2), a3, dbits(a4), (uint64_t)(int64_t)a5, (uint64_t)(uintptr_t)a6, a7,
    fbits(a8), (uint64_t)(int64_t)a9, dbits(a10), a11, fbits(a12), (uint64_t)a13, dbits(a14), a15,
    dbits(a16), (uint64_t)(int64_t)a17, fbits(a18), (uint64_t)a19, dbits(a20), (uint64_t)a21, fbits(a22),
    (uint64_t)(int64_t)a23,
  };
  uint64_t s = 0;
  for (int i = 0; i < 24; i++) s += (uint64_t)(i + 1) * v[i];
  return s;
}
EXPORT int drive_mix24(int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int k = 0; k < 8; k++) {
      bool a0 = k & 1; int8_t a1 = (int8_t)(-100 + k); float a2 = 1.5f * k; uint16_t a3 = (uint16_t)(60000 + k);
      double a4 = -2.75 * k; int32_t a5 = -2000000000 + k; void *a6 = (void *)(uintptr_t)(0x7f0000001000ull + k);
      uint64_t a7 = 0xfffffffffffffff0ull + (uint64_t)k; float a8 = -0.125f * k; int16_t a9 = (int16_t)(-32768 + k);
      double a10 = 1e300 * k; uint8_t a11 = (uint8_t)(250 + k); float a12 = 3.0e38f; int64_t a13 = INT64_MIN + k;
      double a14 = 5e-324 * k; uint32_t a15 = 0xfffffff0u + (uint32_t)k; double a16 = -0.0; char a17 = (char)(-128 + k);
      float a18 = 1e-45f * k; long a19 = -1L - k; double a20 = 123456.789 * k; size_t a21 = (size_t)-1 - (size_t)k;
      float a22 = -1e30f; int a23 = 0x7ffffff0 + k;
      uint64_t want = mix24_expect(MIX24_ARGS);
      uint64_t got = cb_mix24(MIX24_ARGS);
      if (got != want) {
        fails++;
        note("mix24 #%d: got 0x%016llx want 0x%016llx", k, (unsigned long long)got, (unsigned long long)want);
      }
    }
  return fails;
}

/* ---------------------------------------------------------------------------------- */
/* Several live pointers of one signature at once: int cb(int).                        */
/* ---------------------------------------------------------------------------------- */
#define N_SLOTS 16
static int (*slots[N_SLOTS])(int);
EXPORT void register_slot(int i, int (*cb)(int)) { slots[i] = cb; }
EXPORT int call_slot(int i, int x) { return slots[i](x); }
/* JS closure i returns x + 1000 * (i + 1). */
EXPORT int drive_slots(int n, int reps) {
  int fails = 0;
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < n; i++) {
      int x = r * 7 - i;
      int got = slots[i](x);
      if (got != x + 1000 * (i + 1)) {
        fails++;
        note("slot %d: cb(%d) returned %d", i, x, got);
      }
    }
  return fails;
}

/* ---------------------------------------------------------------------------------- */
/* Re-entry through C: int32_t cb(int32_t n); JS calls recurse(n - 1) from inside.     */
/* ---------------------------------------------------------------------------------- */
static int32_t (*cb_rec)(int32_t);
EXPORT void register_rec(int32_t (*cb)(int32_t)) { cb_rec = cb; }
EXPORT int32_t recurse(int32_t n) { return cb_rec(n); }

/* ---------------------------------------------------------------------------------- */
/* The seed's example: a C API that takes a plain void (*)(uint32_t).                  */
/* ---------------------------------------------------------------------------------- */
static void (*g_callback)(uint32_t);
EXPORT void register_callback(void (*cb)(uint32_t)) { g_callback = cb; }
EXPORT void trigger(uint32_t n) {
  for (uint32_t i = 1; i <= n; i++) g_callback(i);
}

/* A plain C function for outbound FnPtr calls. */
EXPORT int64_t c_weighted(int8_t a, uint16_t b, int32_t c, int64_t d, double e, float f) {
  return (int64_t)a + 2 * (int64_t)b + 3 * (int64_t)c + 4 * d + (int64_t)(5 * e) + (int64_t)(6 * f);
}

/* ---------------------------------------------------------------------------------- */
/* ABI hygiene.                                                                        */
/* ---------------------------------------------------------------------------------- */
/*
 * int check_callee_saved(void (*fn)(void))
 * int check_callee_saved_stack(void (*fn)(int64_t x STACK_ARGS))
 * Load the callee-saved registers with known values, call fn, return a bit mask of those
 * that did not survive the call (0 = all did).
 * x86-64 System V: bit 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15, 6 rsp; fn gets 6 register
 * and 2 stack arguments 1..8.
 * Windows x64: the same bits, and bit 7 rdi, 8 rsi, 9 any half of xmm6..xmm15; fn gets 4
 * register and 2 stack arguments 1..6 (above the 32-byte home area).
 * AArch64: bits 0..9 x19..x28, bit 10 sp, bit 11 any of d8..d15, bit 12 x29; fn gets 8
 * register and 2 stack arguments 1..10.
 *
 * int stack_misalignment(void): the stack pointer's misalignment at entry, i.e. 0 when the
 * caller kept it 16-byte aligned at the call as the ABI requires.
 */
int check_callee_saved(void (*fn)(void));
int check_callee_saved_stack(void (*fn)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t));
int stack_misalignment(void);
#if defined(__x86_64__) && defined(_WIN32)
/* Frame: 8 pushes, then 216 bytes: [0, 32) the callee's home area, [32, 48) two stack
 * arguments, [48, 208) xmm6..xmm15, [208, 216) rsp after the prologue. 8 + 64 + 216 = 288,
 * so rsp is 16-byte aligned at the call (and the xmm slots for movdqa). With unwind
 * information (.seh_*), as Windows expects of any function that calls another. */
#define W64_PROLOGUE(name)                                                                  \
  ".globl " name "\n"                                                                       \
  ".def " name "; .scl 2; .type 32; .endef\n"                                               \
  ".seh_proc " name "\n"                                                                    \
  name ":\n"                                                                                \
  "  push %rbx\n  .seh_pushreg %rbx\n  push %rbp\n  .seh_pushreg %rbp\n"                    \
  "  push %rdi\n  .seh_pushreg %rdi\n  push %rsi\n  .seh_pushreg %rsi\n"                    \
  "  push %r12\n  .seh_pushreg %r12\n  push %r13\n  .seh_pushreg %r13\n"                    \
  "  push %r14\n  .seh_pushreg %r14\n  push %r15\n  .seh_pushreg %r15\n"                    \
  "  sub $216, %rsp\n  .seh_stackalloc 216\n"                                               \
  "  movdqa %xmm6, 48(%rsp)\n  .seh_savexmm %xmm6, 48\n"                                    \
  "  movdqa %xmm7, 64(%rsp)\n  .seh_savexmm %xmm7, 64\n"                                    \
  "  movdqa %xmm8, 80(%rsp)\n  .seh_savexmm %xmm8, 80\n"                                    \
  "  movdqa %xmm9, 96(%rsp)\n  .seh_savexmm %xmm9, 96\n"                                    \
  "  movdqa %xmm10, 112(%rsp)\n  .seh_savexmm %xmm10, 112\n"                                \
  "  movdqa %xmm11, 128(%rsp)\n  .seh_savexmm %xmm11, 128\n"                                \
  "  movdqa %xmm12, 144(%rsp)\n  .seh_savexmm %xmm12, 144\n"                                \
  "  movdqa %xmm13, 160(%rsp)\n  .seh_savexmm %xmm13, 160\n"                                \
  "  movdqa %xmm14, 176(%rsp)\n  .seh_savexmm %xmm14, 176\n"                                \
  "  movdqa %xmm15, 192(%rsp)\n  .seh_savexmm %xmm15, 192\n"                                \
  "  .seh_endprologue\n"                                                                   \
  "  mov %rsp, 208(%rsp)\n" /* remember rsp to compare after the call */                   \
  "  mov %rcx, %rax\n"
/* Both halves of xmm6..xmm15 get the pattern: a callee that keeps only the low half fails. */
#define W64_XMM(n, pattern) "  movabs $" pattern ", %r10\n  movq %r10, %xmm" #n "\n  punpcklqdq %xmm" #n ", %xmm" #n "\n"
#define W64_PATTERNS                                                                        \
  "  movabs $0x1111111111111111, %rbx\n  movabs $0x2222222222222222, %rbp\n"                \
  "  movabs $0x3333333333333333, %r12\n  movabs $0x4444444444444444, %r13\n"                \
  "  movabs $0x5555555555555555, %r14\n  movabs $0x6666666666666666, %r15\n"                \
  "  movabs $0x7777777777777777, %rdi\n  movabs $0x8888888888888888, %rsi\n"                \
  W64_XMM(6, "0x0606060606060606") W64_XMM(7, "0x0707070707070707")                        \
  W64_XMM(8, "0x0808080808080808") W64_XMM(9, "0x0909090909090909")                        \
  W64_XMM(10, "0x1010101010101010") W64_XMM(11, "0x1111111111111111")                      \
  W64_XMM(12, "0x1212121212121212") W64_XMM(13, "0x1313131313131313")                      \
  W64_XMM(14, "0x1414141414141414") W64_XMM(15, "0x1515151515151515")
#define W64_CHECK(reg, pattern, bit) "  movabs $" pattern ", %rcx\n  cmp %rcx, " reg "\n  je 1f\n  or $" bit ", %eax\n1:\n"
/* Both halves: the low one, then the high one moved down (pshufd $0x4e swaps them). */
#define W64_CHECK_XMM(n, pattern)                                                           \
  "  movabs $" pattern ", %rcx\n"                                                          \
  "  movq %xmm" #n ", %rdx\n  cmp %rcx, %rdx\n  je 1f\n  or $512, %eax\n1:\n"                \
  "  pshufd $0x4e, %xmm" #n ", %xmm0\n  movq %xmm0, %rdx\n  cmp %rcx, %rdx\n  je 1f\n  or $512, %eax\n1:\n"
#define W64_COMPARE_AND_RETURN                                                              \
  "  xor %eax, %eax\n"                                                                     \
  W64_CHECK("%rbx", "0x1111111111111111", "1") W64_CHECK("%rbp", "0x2222222222222222", "2")  \
  W64_CHECK("%r12", "0x3333333333333333", "4") W64_CHECK("%r13", "0x4444444444444444", "8")  \
  W64_CHECK("%r14", "0x5555555555555555", "16") W64_CHECK("%r15", "0x6666666666666666", "32") \
  "  cmp %rsp, 208(%rsp)\n  je 1f\n  or $64, %eax\n1:\n"                                     \
  W64_CHECK("%rdi", "0x7777777777777777", "128") W64_CHECK("%rsi", "0x8888888888888888", "256") \
  W64_CHECK_XMM(6, "0x0606060606060606") W64_CHECK_XMM(7, "0x0707070707070707")             \
  W64_CHECK_XMM(8, "0x0808080808080808") W64_CHECK_XMM(9, "0x0909090909090909")             \
  W64_CHECK_XMM(10, "0x1010101010101010") W64_CHECK_XMM(11, "0x1111111111111111")           \
  W64_CHECK_XMM(12, "0x1212121212121212") W64_CHECK_XMM(13, "0x1313131313131313")           \
  W64_CHECK_XMM(14, "0x1414141414141414") W64_CHECK_XMM(15, "0x1515151515151515")           \
  "  movdqa 48(%rsp), %xmm6\n"                                                              \
  "  movdqa 64(%rsp), %xmm7\n"                                                              \
  "  movdqa 80(%rsp), %xmm8\n"                                                              \
  "  movdqa 96(%rsp), %xmm9\n"                                                              \
  "  movdqa 112(%rsp), %xmm10\n"                                                            \
  "  movdqa 128(%rsp), %xmm11\n"                                                            \
  "  movdqa 144(%rsp), %xmm12\n"                                                            \
  "  movdqa 160(%rsp), %xmm13\n"                                                            \
  "  movdqa 176(%rsp), %xmm14\n"                                                            \
  "  movdqa 192(%rsp), %xmm15\n"                                                            \
  "  add $216, %rsp\n"                                                                     \
  "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rsi\n  pop %rdi\n  pop %rbp\n  pop %rbx\n" \
  "  ret\n"                                                                                \
  ".seh_endproc\n"
__asm__(
    ".text\n"
    W64_PROLOGUE("check_callee_saved")
    W64_PATTERNS
    "  call *%rax\n"
    W64_COMPARE_AND_RETURN

    W64_PROLOGUE("check_callee_saved_stack")
    "  movq $5, 32(%rsp)\n  movq $6, 40(%rsp)\n" /* two stack arguments, after the home area */
    "  mov $1, %ecx\n  mov $2, %edx\n  mov $3, %r8d\n  mov $4, %r9d\n"
    W64_PATTERNS
    "  call *%rax\n"
    W64_COMPARE_AND_RETURN

    ".globl stack_misalignment\n"
    ".def stack_misalignment; .scl 2; .type 32; .endef\n"
    "stack_misalignment:\n" /* a leaf that pushes nothing: no unwind information needed */
    "  lea 8(%rsp), %rax\n"
    "  and $15, %eax\n"
    "  ret\n");
#elif defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl check_callee_saved\n"
    ".type check_callee_saved, @function\n"
    "check_callee_saved:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  sub $8, %rsp\n"
    "  mov %rsp, (%rsp)\n"                /* remember rsp to compare after the call */
    "  mov %rdi, %rax\n"
    "  movabs $0x1111111111111111, %rbx\n"
    "  movabs $0x2222222222222222, %rbp\n"
    "  movabs $0x3333333333333333, %r12\n"
    "  movabs $0x4444444444444444, %r13\n"
    "  movabs $0x5555555555555555, %r14\n"
    "  movabs $0x6666666666666666, %r15\n"
    "  call *%rax\n"
    "  jmp check_callee_saved_compare\n"
    ".size check_callee_saved, .-check_callee_saved\n"

    ".globl check_callee_saved_stack\n"
    ".type check_callee_saved_stack, @function\n"
    "check_callee_saved_stack:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  sub $8, %rsp\n"
    "  mov %rsp, (%rsp)\n"
    "  mov %rdi, %rax\n"
    "  push $8\n  push $7\n"              /* two stack arguments, rsp stays 16-aligned */
    "  mov $1, %edi\n  mov $2, %esi\n  mov $3, %edx\n  mov $4, %ecx\n  mov $5, %r8d\n  mov $6, %r9d\n"
    "  movabs $0x1111111111111111, %rbx\n"
    "  movabs $0x2222222222222222, %rbp\n"
    "  movabs $0x3333333333333333, %r12\n"
    "  movabs $0x4444444444444444, %r13\n"
    "  movabs $0x5555555555555555, %r14\n"
    "  movabs $0x6666666666666666, %r15\n"
    "  call *%rax\n"
    "  add $16, %rsp\n"
    "  jmp check_callee_saved_compare\n"
    ".size check_callee_saved_stack, .-check_callee_saved_stack\n"

    "check_callee_saved_compare:\n"
    "  xor %eax, %eax\n"
    "  movabs $0x1111111111111111, %rcx\n  cmp %rcx, %rbx\n  je 1f\n  or $1, %eax\n1:\n"
    "  movabs $0x2222222222222222, %rcx\n  cmp %rcx, %rbp\n  je 1f\n  or $2, %eax\n1:\n"
    "  movabs $0x3333333333333333, %rcx\n  cmp %rcx, %r12\n  je 1f\n  or $4, %eax\n1:\n"
    "  movabs $0x4444444444444444, %rcx\n  cmp %rcx, %r13\n  je 1f\n  or $8, %eax\n1:\n"
    "  movabs $0x5555555555555555, %rcx\n  cmp %rcx, %r14\n  je 1f\n  or $16, %eax\n1:\n"
    "  movabs $0x6666666666666666, %rcx\n  cmp %rcx, %r15\n  je 1f\n  or $32, %eax\n1:\n"
    "  cmp %rsp, (%rsp)\n  je 1f\n  or $64, %eax\n1:\n"
    "  add $8, %rsp\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n"

    ".globl stack_misalignment\n"
    ".type stack_misalignment, @function\n"
    "stack_misalignment:\n"
    "  lea 8(%rsp), %rax\n"
    "  and $15, %eax\n"
    "  ret\n"
    ".size stack_misalignment, .-stack_misalignment\n");
#elif defined(__aarch64__)
#define CFFI_PATTERNS                                                                    \
  "  ldr x19, =0x1919191919191919\n  ldr x20, =0x2020202020202020\n"                   \
  "  ldr x21, =0x2121212121212121\n  ldr x22, =0x2222222222222222\n"                   \
  "  ldr x23, =0x2323232323232323\n  ldr x24, =0x2424242424242424\n"                   \
  "  ldr x25, =0x2525252525252525\n  ldr x26, =0x2626262626262626\n"                   \
  "  ldr x27, =0x2727272727272727\n  ldr x28, =0x2828282828282828\n"                   \
  "  ldr x29, =0x2929292929292929\n"                                                    \
  "  fmov d8, x19\n  fmov d9, x20\n  fmov d10, x21\n  fmov d11, x22\n"                  \
  "  fmov d12, x23\n  fmov d13, x24\n  fmov d14, x25\n  fmov d15, x26\n"
#define CFFI_SAVE                                                                        \
  "  stp x29, x30, [sp, #-176]!\n"                                                      \
  "  stp x19, x20, [sp, #16]\n  stp x21, x22, [sp, #32]\n  stp x23, x24, [sp, #48]\n"   \
  "  stp x25, x26, [sp, #64]\n  stp x27, x28, [sp, #80]\n  stp d8, d9, [sp, #96]\n"     \
  "  stp d10, d11, [sp, #112]\n  stp d12, d13, [sp, #128]\n  stp d14, d15, [sp, #144]\n" \
  "  mov x9, sp\n  str x9, [sp, #160]\n" /* remember sp to compare after the call */   \
  "  mov x16, x0\n"
#define CFFI_CHECK(reg, pattern, bit)                                                    \
  "  ldr x9, =" pattern "\n  cmp " reg ", x9\n  b.eq 1f\n  orr w0, w0, #" bit "\n1:\n"
#define CFFI_CHECK_D(reg, pattern)                                                       \
  "  fmov x10, " reg "\n  ldr x9, =" pattern "\n  cmp x10, x9\n  b.eq 1f\n  orr w0, w0, #2048\n1:\n"
__asm__(
    ".text\n"
    ".globl check_callee_saved\n"
    ".type check_callee_saved, %function\n"
    "check_callee_saved:\n"
    CFFI_SAVE CFFI_PATTERNS
    "  blr x16\n"
    "  b check_callee_saved_compare\n"
    ".size check_callee_saved, .-check_callee_saved\n"

    ".globl check_callee_saved_stack\n"
    ".type check_callee_saved_stack, %function\n"
    "check_callee_saved_stack:\n"
    CFFI_SAVE
    "  mov x9, #9\n  mov x10, #10\n  stp x9, x10, [sp, #-16]!\n" /* two stack arguments */
    "  mov x0, #1\n  mov x1, #2\n  mov x2, #3\n  mov x3, #4\n"
    "  mov x4, #5\n  mov x5, #6\n  mov x6, #7\n  mov x7, #8\n"
    CFFI_PATTERNS
    "  blr x16\n"
    "  add sp, sp, #16\n"
    "  b check_callee_saved_compare\n"
    ".size check_callee_saved_stack, .-check_callee_saved_stack\n"

    "check_callee_saved_compare:\n"
    "  mov w0, #0\n"
    CFFI_CHECK("x19", "0x1919191919191919", "1") CFFI_CHECK("x20", "0x2020202020202020", "2")
    CFFI_CHECK("x21", "0x2121212121212121", "4") CFFI_CHECK("x22", "0x2222222222222222", "8")
    CFFI_CHECK("x23", "0x2323232323232323", "16") CFFI_CHECK("x24", "0x2424242424242424", "32")
    CFFI_CHECK("x25", "0x2525252525252525", "64") CFFI_CHECK("x26", "0x2626262626262626", "128")
    CFFI_CHECK("x27", "0x2727272727272727", "256") CFFI_CHECK("x28", "0x2828282828282828", "512")
    "  mov x10, sp\n  ldr x9, [sp, #160]\n  cmp x9, x10\n  b.eq 1f\n  orr w0, w0, #1024\n1:\n"
    CFFI_CHECK_D("d8", "0x1919191919191919") CFFI_CHECK_D("d9", "0x2020202020202020")
    CFFI_CHECK_D("d10", "0x2121212121212121") CFFI_CHECK_D("d11", "0x2222222222222222")
    CFFI_CHECK_D("d12", "0x2323232323232323") CFFI_CHECK_D("d13", "0x2424242424242424")
    CFFI_CHECK_D("d14", "0x2525252525252525") CFFI_CHECK_D("d15", "0x2626262626262626")
    CFFI_CHECK("x29", "0x2929292929292929", "4096")
    "  ldp x19, x20, [sp, #16]\n  ldp x21, x22, [sp, #32]\n  ldp x23, x24, [sp, #48]\n"
    "  ldp x25, x26, [sp, #64]\n  ldp x27, x28, [sp, #80]\n  ldp d8, d9, [sp, #96]\n"
    "  ldp d10, d11, [sp, #112]\n  ldp d12, d13, [sp, #128]\n  ldp d14, d15, [sp, #144]\n"
    "  ldp x29, x30, [sp], #176\n"
    "  ret\n"
    ".ltorg\n"

    ".globl stack_misalignment\n"
    ".type stack_misalignment, %function\n"
    "stack_misalignment:\n"
    "  mov x0, sp\n"
    "  and x0, x0, #15\n"
    "  ret\n"
    ".size stack_misalignment, .-stack_misalignment\n");
#else
#error "callbacks.c: no callee-saved register check for this CPU"
#endif

/* A function with N stack arguments that calls back into a thunk with the same shape, so
 * closures run under C frames of every parity: int64_t cb(REG_ARGS + n int64_ts) for
 * n = 0..3, where REG_ARGS is 6 (System V; on AArch64, 6 of its 8 registers) or 4 (Win64). */
typedef int64_t i64;
#if defined(_WIN32)
typedef i64 (*stk0_fn)(i64, i64, i64, i64);
typedef i64 (*stk1_fn)(i64, i64, i64, i64, i64);
typedef i64 (*stk2_fn)(i64, i64, i64, i64, i64, i64);
typedef i64 (*stk3_fn)(i64, i64, i64, i64, i64, i64, i64);
#define STK_CALLS(cb) \
  case 0: return ((stk0_fn)cb[0])(1, 2, 3, 4); \
  case 1: return ((stk1_fn)cb[1])(1, 2, 3, 4, 5); \
  case 2: return ((stk2_fn)cb[2])(1, 2, 3, 4, 5, 6); \
  default: return ((stk3_fn)cb[3])(1, 2, 3, 4, 5, 6, 7);
#else
typedef i64 (*stk0_fn)(i64, i64, i64, i64, i64, i64);
typedef i64 (*stk1_fn)(i64, i64, i64, i64, i64, i64, i64);
typedef i64 (*stk2_fn)(i64, i64, i64, i64, i64, i64, i64, i64);
typedef i64 (*stk3_fn)(i64, i64, i64, i64, i64, i64, i64, i64, i64);
#define STK_CALLS(cb) \
  case 0: return ((stk0_fn)cb[0])(1, 2, 3, 4, 5, 6); \
  case 1: return ((stk1_fn)cb[1])(1, 2, 3, 4, 5, 6, 7); \
  case 2: return ((stk2_fn)cb[2])(1, 2, 3, 4, 5, 6, 7, 8); \
  default: return ((stk3_fn)cb[3])(1, 2, 3, 4, 5, 6, 7, 8, 9);
#endif
static void *cb_stk[4];
EXPORT void register_stk(int n, void *cb) { cb_stk[n] = cb; }
EXPORT int64_t call_stk(int n) {
  switch (n) { STK_CALLS(cb_stk) }
}

/* ---------------------------------------------------------------------------------- */
/* Another native thread calling a (non-Sync) thunk: int32_t cb(int32_t) from cb_i32.  */
/* ---------------------------------------------------------------------------------- */
struct thread_call { int32_t x, r; };
#if defined(_WIN32)
static DWORD WINAPI thread_main(LPVOID p) {
  struct thread_call *c = p;
  c->r = cb_i32(c->x);
  return 0;
}
EXPORT int32_t call_i32_on_thread(int32_t x) {
  struct thread_call c = { x, -12345 };
  HANDLE t = CreateThread(NULL, 0, thread_main, &c, 0, NULL);
  if (!t) return -54321;
  WaitForSingleObject(t, INFINITE);
  CloseHandle(t);
  return c.r;
}
#else
static void *thread_main(void *p) {
  struct thread_call *c = p;
  c->r = cb_i32(c->x);
  return NULL;
}
EXPORT int32_t call_i32_on_thread(int32_t x) {
  struct thread_call c = { x, -12345 };
  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, &c) != 0) return -54321;
  pthread_join(t, NULL);
  return c.r;
}
#endif
