/*
 * Named struct-passing cases (test/struct-abi.test.ts), named after how System V passes
 * them (on Windows the same C goes by the Win64 rules): for each, a function
 * returning a known value (make_*), one checking a value it receives (check_*), and a
 * driver calling a callback with known values and checking what it returns (drive_*).
 * Every check returns the number of mismatches.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#define EXPORT __attribute__((visibility("default")))

/* struct {float a, b, c;}: 12 bytes, eightbytes SSE (a,b in xmm0) + SSE (c in xmm1) */
typedef struct { float a, b, c; } F3;
EXPORT F3 make_f3(float base) { F3 r = { base, base + 1.5f, base - 2.25f }; return r; }
EXPORT int check_f3(F3 v, float a, float b, float c) { return (v.a != a) + (v.b != b) + (v.c != c); }
EXPORT int drive_f3(F3 (*cb)(F3, int)) {
  int bad = 0;
  for (int i = 0; i < 10; i++) {
    F3 in = { (float)i, (float)i * 0.5f, -(float)i };
    F3 r = cb(in, i);
    bad += (r.a != in.c) + (r.b != in.a + 1) + (r.c != (float)i * 3);
  }
  return bad;
}

/* struct {double d; int32_t i;}: 16 bytes, SSE (xmm) + INTEGER (gpr) */
typedef struct { double d; int32_t i; } DI;
EXPORT DI make_di(int32_t i) { DI r = { i * 0.25, -i }; return r; }
EXPORT int check_di(DI v, double d, int32_t i) { return (v.d != d) + (v.i != i); }
EXPORT int drive_di(DI (*cb)(int64_t, DI, double)) {
  int bad = 0;
  for (int k = 0; k < 10; k++) {
    DI in = { k * 1.5, k * 1000 - 5 };
    DI r = cb(k, in, 0.5);
    bad += (r.d != in.d + 0.5) + (r.i != in.i * 2 + k);
  }
  return bad;
}

/* struct {char c[3];}: 3 bytes, one INTEGER eightbyte */
typedef struct { char c[3]; } C3;
EXPORT C3 make_c3(char x) { C3 r = { { x, (char)(x + 1), (char)(x + 2) } }; return r; }
EXPORT int check_c3(C3 v, char a, char b, char c) { return (v.c[0] != a) + (v.c[1] != b) + (v.c[2] != c); }
EXPORT int drive_c3(C3 (*cb)(C3)) {
  int bad = 0;
  for (int k = 0; k < 10; k++) {
    C3 in = { { (char)k, (char)-k, (char)(100 + k) } };
    C3 r = cb(in);
    bad += (r.c[0] != in.c[2]) + (r.c[1] != in.c[1]) + (r.c[2] != in.c[0]);
  }
  return bad;
}

/* struct {int64_t a, b, c;}: 24 bytes, MEMORY (stack copy; returned through a hidden pointer) */
typedef struct { int64_t a, b, c; } L3;
EXPORT L3 make_l3(int64_t x) { L3 r = { x, -x, x * 3 }; return r; }
EXPORT int check_l3(int a0, L3 v, int a2, int64_t a, int64_t b, int64_t c) { return (v.a != a) + (v.b != b) + (v.c != c) + (a0 != 7) + (a2 != 9); }
EXPORT int drive_l3(L3 (*cb)(L3, int32_t)) {
  int bad = 0;
  for (int k = 0; k < 10; k++) {
    L3 in = { k, (int64_t)k << 40, -k };
    L3 r = cb(in, k);
    bad += (r.a != in.c) + (r.b != in.b + k) + (r.c != in.a);
  }
  return bad;
}

/* struct of 8 floats: 32 bytes, MEMORY */
typedef struct { float f[8]; } F8;
EXPORT F8 make_f8(float base) { F8 r; for (int i = 0; i < 8; i++) r.f[i] = base + i; return r; }
EXPORT int check_f8(F8 v, float base) { int bad = 0; for (int i = 0; i < 8; i++) bad += v.f[i] != base + i; return bad; }
EXPORT int drive_f8(F8 (*cb)(double, F8)) {
  int bad = 0;
  for (int k = 0; k < 10; k++) {
    F8 in;
    for (int i = 0; i < 8; i++) in.f[i] = (float)(k * 10 + i);
    F8 r = cb(k, in);
    for (int i = 0; i < 8; i++) bad += r.f[i] != in.f[7 - i] + (float)k;
  }
  return bad;
}

/* A struct after five integer arguments: it needs two GPRs, only r9 is left, so it goes
   wholly on the stack, and the int after it still takes r9. */
typedef struct { int64_t x, y; } L2;
EXPORT int64_t after5(int a, int b, int c, int d, int e, L2 s, int g) { return a + b * 10 + c * 100 + d * 1000 + e * 10000 + s.x * 100000 + s.y * 1000000 + (int64_t)g * 10000000; }
EXPORT int drive_after5(int64_t (*cb)(int, int, int, int, int, L2, int)) {
  int bad = 0;
  for (int k = 0; k < 10; k++) {
    L2 s = { k, k + 1 };
    int64_t want = 1 + 2 * 10 + 3 * 100 + 4 * 1000 + 5 * 10000 + s.x * 100000 + s.y * 1000000 + (int64_t)(k + 7) * 10000000;
    bad += cb(1, 2, 3, 4, 5, s, k + 7) != want;
  }
  return bad;
}
/* The same with vector registers: after seven doubles a {double, double} needs two xmm
   registers, only xmm7 is left, so it goes on the stack and the next double takes xmm7. */
typedef struct { double a, b; } D2;
EXPORT double after7d(double a, double b, double c, double d, double e, double f, double g, D2 s, double h) {
  return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + s.a * 8 + s.b * 9 + h * 10;
}
EXPORT int drive_after7d(double (*cb)(double, double, double, double, double, double, double, D2, double)) {
  int bad = 0;
  for (int k = 0; k < 10; k++) {
    D2 s = { k, k * 2 };
    double want = 1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5 + 6 * 6 + 7 * 7 + s.a * 8 + s.b * 9 + (k + 0.5) * 10;
    bad += cb(1, 2, 3, 4, 5, 6, 7, s, k + 0.5) != want;
  }
  return bad;
}

/* Relays: one call of a callback with the values given, returning what it returns. The test
   calls thunks through them where koffi cannot: koffi runs native code on a stack of its
   own, and a thunk called there needs the V8-direct accelerator, which Windows builds lack. */
EXPORT F3 relay_f3(F3 (*cb)(F3, int), F3 v, int i) { return cb(v, i); }
EXPORT DI relay_di(DI (*cb)(int64_t, DI, double), int64_t k, DI v, double h) { return cb(k, v, h); }
EXPORT L3 relay_l3(L3 (*cb)(L3, int32_t), L3 v, int32_t i) { return cb(v, i); }
EXPORT int64_t relay_after5(int64_t (*cb)(int, int, int, int, int, L2, int), int a, int b, int c, int d, int e, L2 s,
                            int g) {
  return cb(a, b, c, d, e, s, g);
}

/* Mixed classes: {float, int} is one INTEGER eightbyte; {int64, double} returns in rax + xmm0. */
typedef struct { float f; int32_t i; } FI;
typedef struct { int64_t l; double d; } LD;
EXPORT LD mix(FI a, LD b) { LD r = { b.l + a.i, b.d + a.f }; return r; }

/* Packed with a misaligned field: MEMORY. */
typedef struct __attribute__((packed)) { char c; double d; int16_t s; } PK;
EXPORT PK make_pk(char c) { PK r = { c, c * 0.5, (int16_t)(c * -3) }; return r; }
EXPORT int check_pk(PK v, char c) { return (v.c != c) + (v.d != c * 0.5) + (v.s != (int16_t)(c * -3)); }

/* A union by value, and nested structs with arrays. */
typedef union { int64_t i; double d; uint8_t b[8]; } UV;
EXPORT UV make_uv_int(int64_t i) { UV u; u.i = i; return u; }
EXPORT double uv_as_double(UV u) { return u.d; }
typedef struct { int16_t x, y; } P16;
typedef struct { P16 pts[3]; uint8_t tag[5]; bool ok; } Shape;
EXPORT Shape make_shape(int k) {
  Shape s;
  memset(&s, 0, sizeof s);
  for (int i = 0; i < 3; i++) { s.pts[i].x = (int16_t)(k + i); s.pts[i].y = (int16_t)(-k - i); }
  for (int i = 0; i < 5; i++) s.tag[i] = (uint8_t)(200 + i);
  s.ok = k % 2;
  return s;
}
EXPORT int shape_sum(Shape s) { int t = s.ok ? 1000 : 0; for (int i = 0; i < 3; i++) t += s.pts[i].x * 10 + s.pts[i].y; for (int i = 0; i < 5; i++) t += s.tag[i]; return t; }

/* C strings. */
EXPORT size_t c_strlen(const char *s) { return s ? strlen(s) : (size_t)-1; }
EXPORT const char *c_greeting(int k) { static const char *g[] = { "hello", "héllo wörld", "" }; return k < 0 ? NULL : g[k % 3]; }
EXPORT int drive_names(const char *(*cb)(int), char *out, size_t cap) {
  /* collect what the callback returns; a pointer returned twice must still be readable */
  const char *first = cb(1);
  size_t n = 0;
  for (int i = 0; i < 3; i++) {
    const char *s = cb(i);
    if (!s) return -1;
    size_t l = strlen(s);
    if (n + l + 1 >= cap) return -2;
    memcpy(out + n, s, l);
    n += l;
    out[n++] = '|';
  }
  out[n] = 0;
  return strcmp(first, cb(1)) == 0 ? (int)n : -3;
}
EXPORT int drive_strlen_cb(int (*cb)(const char *)) {
  return cb("abc") * 100 + cb("") * 10 + (cb(NULL) == -1);
}
typedef struct { const char *name; int32_t id; } Named;
EXPORT Named make_named(int id) { Named n = { id ? "named" : NULL, id }; return n; }
EXPORT int check_named(Named n) { return n.name ? (int)strlen(n.name) * 100 + n.id : -n.id; }
/* The outer string argument must survive a nested call made by the callback. */
EXPORT int str_then_cb(const char *s, int (*cb)(void)) {
  int r = cb();
  return strcmp(s, "outer string") == 0 ? r : -1;
}

/* Runs driver(arg) on a new thread (for Sync thunks with structs in memory and on the stack). */
#include <pthread.h>
struct thread_job { int (*driver)(void *); void *arg; int result; };
static void *thread_main(void *p) { struct thread_job *j = p; j->result = j->driver(j->arg); return NULL; }
EXPORT int on_thread(int (*driver)(void *), void *arg) {
  struct thread_job j = { driver, arg, -1 };
  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, &j) != 0) return -100;
  pthread_join(t, NULL);
  return j.result;
}

/* GCC classifies an array by its first element: the second element's float is misaligned
   (offset 6) but the struct still travels in two integer registers. */
typedef struct __attribute__((packed)) { float f; int16_t s; } PFS;
typedef struct { PFS a[2]; } PFS2;
EXPORT PFS2 make_pfs2(float x) { PFS2 r = { { { x, 1 }, { x * 2, 2 } } }; return r; }
EXPORT int check_pfs2(PFS2 v, float x) { return (v.a[0].f != x) + (v.a[0].s != 1) + (v.a[1].f != x * 2) + (v.a[1].s != 2); }
EXPORT int drive_pfs2(PFS2 (*cb)(PFS2)) {
  int bad = 0;
  for (int k = 0; k < 5; k++) {
    PFS2 in = { { { (float)k, (int16_t)-k }, { (float)k + 0.5f, (int16_t)(k * 3) } } };
    PFS2 r = cb(in);
    bad += (r.a[0].f != in.a[1].f) + (r.a[0].s != in.a[1].s) + (r.a[1].f != in.a[0].f) + (r.a[1].s != in.a[0].s);
  }
  return bad;
}
