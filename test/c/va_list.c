/*
 * va_list both ways, for test/va-list.test.ts, under the platform's C convention (System V
 * on x86-64 Linux, Win64 on Windows, AAPCS64 on AArch64) and, on x86-64 only, under the
 * other one (the `other_` and `_other` functions): ms_abi with __builtin_ms_va_list on
 * Linux, sysv_abi with __builtin_sysv_va_list on Windows. C calls variadic thunks the way
 * it calls sprintf, and calls `va_list` callbacks (logging hooks) from functions that do
 * va_start; a va_list reader in C checks what a forwarded VaList shows.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#if defined(__x86_64__) /* two conventions exist only on x86-64 */
#define HAVE_OTHER 1
#ifdef _WIN32
#define OTHER __attribute__((sysv_abi))
typedef __builtin_sysv_va_list other_va_list;
#define other_va_start __builtin_sysv_va_start
#define other_va_end __builtin_sysv_va_end
#else
#define OTHER __attribute__((ms_abi))
typedef __builtin_ms_va_list other_va_list;
#define other_va_start __builtin_ms_va_start
#define other_va_end __builtin_ms_va_end
#endif
#endif

/* ---- variadic thunks called like sprintf ---- */

typedef int (*sprintf_fn)(char *buf, const char *fmt, ...);
#ifdef HAVE_OTHER
typedef int(OTHER *other_sprintf_fn)(char *buf, const char *fmt, ...);
#endif

/* The seed's case. */
#define SEED(f, buf) \
  (f)((buf), "dec = %d, hex = %llX, chr = %c, pi = %.2f", 42, 0xDEADBEEF123LL, '?', 3.14159)

/* Every promoted kind (long is 64 bits on Linux, 32 on Windows). */
#if LONG_MAX > 2147483647L
#define SOME_LONG -1234567890123L
#else
#define SOME_LONG -1234567890L
#endif
#define KINDS(f, buf)                                                                                                  \
  (f)((buf), "%d|%u|%ld|%lld|%.3f|%p|%s|%c|%lu", -42, 4000000000u, SOME_LONG, (long long)INT64_MIN, -2.5,         \
      (void *)0x1234, "héllo", 'Z', ULONG_MAX)

/* 12 ints and 10 doubles, interleaved: past every register, into the caller's stack. */
#define MANY(f, buf)                                                                                                   \
  (f)((buf), "%d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %d", 1, 0.5, -2,    \
      1.5, 3, -2.5, 4, 3.5, -5, 4.5, 6, -5.5, 7, 6.5, -8, 7.5, 9, -8.5, 10, 9.5, -11, 12)

EXPORT int call_seed(void *fn, char *buf) { return SEED((sprintf_fn)fn, buf); }
EXPORT int call_kinds(void *fn, char *buf) { return KINDS((sprintf_fn)fn, buf); }
EXPORT int call_many(void *fn, char *buf) { return MANY((sprintf_fn)fn, buf); }
#ifdef HAVE_OTHER
EXPORT int call_seed_other(void *fn, char *buf) { return SEED((other_sprintf_fn)fn, buf); }
EXPORT int call_kinds_other(void *fn, char *buf) { return KINDS((other_sprintf_fn)fn, buf); }
EXPORT int call_many_other(void *fn, char *buf) { return MANY((other_sprintf_fn)fn, buf); }
#endif

/* What C's own sprintf makes of the same calls, to compare with. */
EXPORT void expect_seed(char *buf) { SEED(sprintf, buf); }
EXPORT void expect_kinds(char *buf) { KINDS(sprintf, buf); }
EXPORT void expect_many(char *buf) { MANY(sprintf, buf); }

/* ---- va_list callbacks: a logging hook called from a function that does va_start ---- */

typedef void (*log_fn)(void *ctx, int level, const char *fmt, va_list ap);
static log_fn hook;
EXPORT void set_log_callback(void *fn) { hook = (log_fn)fn; }

#ifdef HAVE_OTHER
typedef void(OTHER *other_log_fn)(void *ctx, int level, const char *fmt, other_va_list ap);
static other_log_fn other_hook;
EXPORT void set_other_log_callback(void *fn) { other_hook = (other_log_fn)fn; }
#endif

/* Like av_log: the '...' reach the hook as a va_list. `skip` ints are read first, so the
   hook gets a va_list that is already part-way through. */
EXPORT void log_message(void *ctx, int level, int skip, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (int i = 0; i < skip; i++) (void)va_arg(ap, int);
  hook(ctx, level, fmt, ap);
  va_end(ap);
}

#ifdef HAVE_OTHER
EXPORT OTHER void other_log_message(void *ctx, int level, int skip, const char *fmt, ...) {
  other_va_list ap;
  other_va_start(ap, fmt);
  for (int i = 0; i < skip; i++) (void)__builtin_va_arg(ap, int);
  other_hook(ctx, level, fmt, ap);
  other_va_end(ap);
}
#endif

/* The hook gets its own copy of the position: after it returns, the caller's va_list still
   reads what it would have (C leaves it indeterminate; ours is not moved). Returns the int
   the caller reads after the hook, for a "%d" first argument. */
EXPORT int log_then_read(void *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  hook(ctx, 0, fmt, ap);
  int first = va_arg(ap, int);
  va_end(ap);
  return first;
}

#ifdef HAVE_OTHER
EXPORT OTHER int other_log_then_read(void *ctx, const char *fmt, ...) {
  other_va_list ap;
  other_va_start(ap, fmt);
  other_hook(ctx, 0, fmt, ap);
  int first = __builtin_va_arg(ap, int);
  other_va_end(ap);
  return first;
}
#endif

/* Many arguments through a va_list: 12 ints and 10 doubles, as MANY. */
#define LOG_MANY_ARGS                                                                                                  \
  "%d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %.1f %d %d", 1, 0.5, -2, 1.5, 3, -2.5, 4, \
      3.5, -5, 4.5, 6, -5.5, 7, 6.5, -8, 7.5, 9, -8.5, 10, 9.5, -11, 12

EXPORT void log_many(void *ctx) { log_message(ctx, 1, 0, LOG_MANY_ARGS); }
#ifdef HAVE_OTHER
EXPORT void other_log_many(void *ctx) { other_log_message(ctx, 1, 0, LOG_MANY_ARGS); }
#endif

/* ---- va_list functions that FnPtr calls with a VaList ---- */

/* Sums `n` arguments, each an int64_t ('l') or a double ('d') as fmt says, from a va_list. */
EXPORT double v_sum(const char *fmt, va_list ap) {
  double sum = 0;
  for (const char *p = fmt; *p; p++) sum += *p == 'd' ? va_arg(ap, double) : (double)va_arg(ap, int64_t);
  return sum;
}

#ifdef HAVE_OTHER
EXPORT OTHER double other_v_sum(const char *fmt, other_va_list ap) {
  double sum = 0;
  for (const char *p = fmt; *p; p++) sum += *p == 'd' ? __builtin_va_arg(ap, double) : (double)__builtin_va_arg(ap, int64_t);
  return sum;
}

/* vsprintf for callers of the other convention, built on the platform's sprintf one
   conversion at a time (formats of ints, longs, long longs, doubles, pointers and strings
   only). */
static OTHER int other_format(char *buf, const char *fmt, other_va_list ap) {
  int n = 0;
  buf[0] = 0;
  for (const char *p = fmt; *p;) {
    if (*p != '%') { buf[n++] = *p++; buf[n] = 0; continue; }
    const char *start = p++;
    while (*p && !strchr("diuxXcspfeg%", *p)) p++;
    char spec[32];
    size_t len = (size_t)(p - start) + 1;
    memcpy(spec, start, len);
    spec[len] = 0;
    char c = *p++;
    if (c == '%') n += sprintf(buf + n, "%%");
    else if (c == 'f' || c == 'e' || c == 'g') n += sprintf(buf + n, spec, __builtin_va_arg(ap, double));
    else if (c == 's') n += sprintf(buf + n, spec, __builtin_va_arg(ap, const char *));
    else if (c == 'p') n += sprintf(buf + n, spec, __builtin_va_arg(ap, void *));
    else if (strstr(spec, "ll")) n += sprintf(buf + n, spec, __builtin_va_arg(ap, long long));
    else if (strchr(spec, 'l')) n += sprintf(buf + n, spec, __builtin_va_arg(ap, long));
    else n += sprintf(buf + n, spec, __builtin_va_arg(ap, int));
  }
  return n;
}

EXPORT OTHER int other_vsprintf(char *buf, const char *fmt, other_va_list ap) { return other_format(buf, fmt, ap); }

/* vsnprintf likewise: the text cut to size - 1 bytes; returns the full length. */
EXPORT OTHER int other_vsnprintf(char *buf, size_t size, const char *fmt, other_va_list ap) {
  char text[1024];
  int n = other_format(text, fmt, ap);
  if (size > 0) {
    size_t keep = (size_t)n < size - 1 ? (size_t)n : size - 1;
    memcpy(buf, text, keep);
    buf[keep] = 0;
  }
  return n;
}
#endif

/* log_many from a new thread, joined: for Sync thunks (the JS thread reads this thread's
   va_list while it waits). */
#include <pthread.h>
static void *log_many_main(void *ctx) {
  log_many(ctx);
  return NULL;
}
EXPORT int log_many_on_thread(void *ctx) {
  pthread_t t;
  if (pthread_create(&t, NULL, log_many_main, ctx) != 0) return -1;
  return pthread_join(t, NULL);
}
