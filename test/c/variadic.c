/*
 * Variadic callbacks for test/variadic.test.ts: C calls a thunk declared
 * `int64_t (const char *fmt, ...)` the way it would call printf, under the platform's
 * convention and, on x86-64, under the other one (ms_abi on Linux, sysv_abi on Windows);
 * the format says what each variadic argument is.
 */
#include <pthread.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

#if defined(__x86_64__) /* two conventions exist only on x86-64 */
#define HAVE_OTHER 1
#ifdef _WIN32
#define OTHER __attribute__((sysv_abi))
#define other_va_list __builtin_sysv_va_list
#define other_va_start __builtin_sysv_va_start
#define other_va_end __builtin_sysv_va_end
#else
#define OTHER __attribute__((ms_abi))
#define other_va_list __builtin_ms_va_list
#define other_va_start __builtin_ms_va_start
#define other_va_end __builtin_ms_va_end
#endif
#endif

typedef int64_t (*va_fn)(const char *fmt, ...);

/* The same calls, spelled once for both conventions. */
#define FEW(f) (f)("idlpucL", -7, 2.5, INT64_MIN, (void *)0x1234, 4000000000u, (char)'A', UINT64_MAX)
/* 16 ints and 12 doubles, interleaved: past every argument register, into the caller's stack. */
#define MANY(f)                                                                                                   \
  (f)("ididiidiidiidiidiidiidiidddd", 1, 0.5, -2, -1.5, 3, -4, 2.25, 5, -6, -3.125, 7, -8, 4.5, 9, -10, -5.75, 11, \
      -12, 6.0625, 13, -14, -7.5, 15, -16, 8.25, -9.5, 10.75, -11.125)

EXPORT int64_t call_few(void *fn) { return FEW((va_fn)fn); }
EXPORT int64_t call_many(void *fn) { return MANY((va_fn)fn); }

#ifdef HAVE_OTHER
typedef int64_t(OTHER *other_va_fn)(const char *fmt, ...);
EXPORT int64_t call_few_other(void *fn) { return FEW((other_va_fn)fn); }
EXPORT int64_t call_many_other(void *fn) { return MANY((other_va_fn)fn); }
#endif

static void *many_main(void *fn) { return (void *)(intptr_t)MANY((va_fn)fn); }

/* call_many from a new thread, joined: for Sync thunks. */
EXPORT int64_t call_many_on_thread(void *fn) {
  pthread_t t;
  void *r;
  if (pthread_create(&t, NULL, many_main, fn) != 0) return -1;
  pthread_join(t, &r);
  return (int64_t)(intptr_t)r;
}

/* ---- variadic functions that FnPtr calls ---- */

#include <stdarg.h>

/* Sums its '...' arguments, each an int64_t ('l') or a double ('d') as fmt says. */
EXPORT double va_sum(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  double sum = 0;
  for (const char *p = fmt; *p; p++) sum += *p == 'd' ? va_arg(ap, double) : (double)va_arg(ap, int64_t);
  va_end(ap);
  return sum;
}

#ifdef HAVE_OTHER
/* The same in the other convention. Under ms_abi its va_arg reads floating-point arguments
   from where the caller put them in integer registers (and the shadow space), not from xmm
   registers; under sysv_abi from the register save area, integer and xmm apart. */
EXPORT OTHER double other_va_sum(const char *fmt, ...) {
  other_va_list ap;
  other_va_start(ap, fmt);
  double sum = 0;
  for (const char *p = fmt; *p; p++) sum += *p == 'd' ? __builtin_va_arg(ap, double) : (double)__builtin_va_arg(ap, int64_t);
  other_va_end(ap);
  return sum;
}
#endif
