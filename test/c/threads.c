/*
 * Native side of test/threads.test.ts: threads that call thunks, and the checks of what
 * they got back. Every driver checks every return value itself, so a lost, duplicated or
 * mixed-up call shows up on the C side as well as in the closure's own bookkeeping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _WIN32
#include <windows.h>
#define EXPORT __declspec(dllexport)
#else
#include <sys/syscall.h>
#define EXPORT __attribute__((visibility("default")))
#endif
#define MAXT 16

#ifdef _WIN32
/* The performance counter, as Node's process.hrtime() reads it (libuv's uv_hrtime). */
static uint64_t now_ns(void) {
  static LARGE_INTEGER freq;
  LARGE_INTEGER c;
  if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&c);
  return (uint64_t)(c.QuadPart / freq.QuadPart) * 1000000000u + (uint64_t)(c.QuadPart % freq.QuadPart) * 1000000000u / (uint64_t)freq.QuadPart;
}

/* The id closure-ffi's messages name a thread by. */
static int64_t tid_now(void) { return (int64_t)GetCurrentThreadId(); }

/* Sleep() counts whole milliseconds: a shorter pause is still one (a yield would not pause). */
static void pause_us(unsigned us) { Sleep((us + 999) / 1000); }
#else
static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t tid_now(void) { return (int64_t)syscall(SYS_gettid); }

static void pause_us(unsigned us) { usleep((useconds_t)us); }
#endif

EXPORT int64_t gettid_here(void) { return tid_now(); }
EXPORT int get_errno(void) { return errno; }
/* errno of this library's C runtime (on Windows, JS changes it only through such a call). */
EXPORT void set_errno(int e) { errno = e; }
EXPORT void sleep_ms(int ms) { pause_us((unsigned)ms * 1000); }

/* ---- 1. int32_t cb(int32_t t, int32_t i) from many threads, every result checked ---- */

typedef int32_t (*ii_fn)(int32_t t, int32_t i);

/* What the closure must return for (t, i); the JS side computes the same. */
static inline int32_t ii_expect(int32_t t, int32_t i) {
  return (int32_t)(((uint32_t)i * 0x9E3779B1u) ^ ((uint32_t)t << 24) ^ 0x5bd1e995u);
}
EXPORT int32_t ii_expected(int32_t t, int32_t i) { return ii_expect(t, i); }

typedef struct {
  ii_fn cb;
  int32_t t, n;
  int bad, first_bad_i;
  int32_t first_bad_got;
} ii_job;

static pthread_t ii_threads[MAXT];
static ii_job ii_jobs[MAXT];
static int ii_count;
static atomic_int ii_done;
static uint64_t ii_t0, ii_t1;
static pthread_mutex_t ii_lock = PTHREAD_MUTEX_INITIALIZER;

static void ii_check(ii_job *j, int32_t i, int32_t got) {
  if (got != ii_expect(j->t, i)) {
    if (j->bad++ == 0) {
      j->first_bad_i = i;
      j->first_bad_got = got;
    }
  }
}

static void *ii_main(void *arg) {
  ii_job *j = arg;
  for (int32_t i = 0; i < j->n; i++) ii_check(j, i, j->cb(j->t, i));
  pthread_mutex_lock(&ii_lock);
  ii_t1 = now_ns();
  pthread_mutex_unlock(&ii_lock);
  atomic_fetch_add(&ii_done, 1);
  return NULL;
}

/* Starts nt threads; thread t calls cb(t, i) for i = 0..n-1. Returns 0, or -1 if a thread could not start. */
EXPORT int ii_start(void *cb, int nt, int n) {
  if (nt > MAXT) return -1;
  ii_count = nt;
  atomic_store(&ii_done, 0);
  ii_t0 = now_ns();
  for (int t = 0; t < nt; t++) {
    ii_jobs[t] = (ii_job){(ii_fn)cb, t, n, 0, -1, 0};
    if (pthread_create(&ii_threads[t], NULL, ii_main, &ii_jobs[t]) != 0) return -1;
  }
  return 0;
}

EXPORT int ii_finished(void) { return atomic_load(&ii_done); }

/* Joins the threads of ii_start; returns the number of wrong results over all threads. */
EXPORT int ii_join(void) {
  int bad = 0;
  for (int t = 0; t < ii_count; t++) {
    pthread_join(ii_threads[t], NULL);
    bad += ii_jobs[t].bad;
  }
  return bad;
}

/* ii_start + ii_join: the call that deadlocks unless it is serviced. */
EXPORT int ii_run(void *cb, int nt, int n) {
  if (ii_start(cb, nt, n) != 0) return -1;
  return ii_join();
}

/* The same loop on the calling thread (the JS thread, through FnPtr). Returns wrong results. */
EXPORT int ii_loop(void *cb, int t, int n) {
  ii_job j = {(ii_fn)cb, t, n, 0, -1, 0};
  for (int32_t i = 0; i < n; i++) ii_check(&j, i, j.cb(t, i));
  return j.bad;
}

EXPORT int ii_bad(int t) { return ii_jobs[t].bad; }
EXPORT int ii_first_bad_i(int t) { return ii_jobs[t].first_bad_i; }
EXPORT int32_t ii_first_bad_got(int t) { return ii_jobs[t].first_bad_got; }
/* Wall time from ii_start to the last thread's end. */
EXPORT int64_t ii_elapsed_ns(void) { return (int64_t)(ii_t1 - ii_t0); }

/* ---- 2. fire-and-forget: void cb(8 x int32_t), the last two passed on the stack ---- */

typedef void (*ff_fn)(int32_t t, int32_t i, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f);

typedef struct {
  ff_fn cb;
  int32_t t, n;
} ff_job;

static pthread_t ff_threads[MAXT];
static ff_job ff_jobs[MAXT];
static int ff_count;
static atomic_int ff_done;
static uint64_t ff_t0, ff_t1;

static void *ff_main(void *arg) {
  ff_job *j = arg;
  for (int32_t i = 0; i < j->n; i++) {
    /* Arguments a..f derive from (t, i); e and f live on the caller's stack, which is reused at once. */
    j->cb(j->t, i, i * 3, -i, j->t * 1000 + 1, i ^ 0x55, i + j->t, ~i);
  }
  ff_t1 = now_ns();
  atomic_fetch_add(&ff_done, 1);
  return NULL;
}

EXPORT int ff_start(void *cb, int nt, int n) {
  if (nt > MAXT) return -1;
  ff_count = nt;
  atomic_store(&ff_done, 0);
  ff_t0 = now_ns();
  for (int t = 0; t < nt; t++) {
    ff_jobs[t] = (ff_job){(ff_fn)cb, t, n};
    if (pthread_create(&ff_threads[t], NULL, ff_main, &ff_jobs[t]) != 0) return -1;
  }
  return 0;
}

EXPORT int ff_finished(void) { return atomic_load(&ff_done); }

EXPORT void ff_join(void) {
  for (int t = 0; t < ff_count; t++) pthread_join(ff_threads[t], NULL);
}

/* Time the threads spent making their calls (they never wait for JS). */
EXPORT int64_t ff_elapsed_ns(void) { return (int64_t)(ff_t1 - ff_t0); }

/* ---- mixed arguments, some on the caller's stack, from several threads (blocking) ---- */

/* SysV: t, i, b, d, e, f in integer registers, g on the stack; a, c, h..m in xmm0-7, n and o on the stack. */
typedef double (*mx_fn)(int32_t t, int32_t i, double a, int64_t b, float c, int32_t d, int32_t e, int32_t f, int32_t g,
                        double h, double j, double k, double l, double m, double n, double o);

static pthread_t mx_threads[MAXT];
static struct {
  mx_fn cb;
  int32_t t, n;
  int bad;
} mx_jobs[MAXT];
static int mx_count;
static atomic_int mx_done;

static void *mx_main(void *arg) {
  int k = (int)(intptr_t)arg;
  int32_t t = mx_jobs[k].t;
  for (int32_t i = 0; i < mx_jobs[k].n; i++) {
    double r = mx_jobs[k].cb(t, i, i * 0.5, ((int64_t)t << 40) | i, (float)i + 0.25f, -t, i * 7, t + i, ~t,
                             t * 1.5, -(double)i, 1.0 / 1024 * i, t - 0.5, (double)(i % 97), 3.0 * t + i, -0.125 * i);
    if (r != i * 0.5 + t) mx_jobs[k].bad++;
  }
  atomic_fetch_add(&mx_done, 1);
  return NULL;
}

EXPORT int mx_start(void *cb, int nt, int n) {
  if (nt > MAXT) return -1;
  mx_count = nt;
  atomic_store(&mx_done, 0);
  for (int t = 0; t < nt; t++) {
    mx_jobs[t].cb = (mx_fn)cb;
    mx_jobs[t].t = t;
    mx_jobs[t].n = n;
    mx_jobs[t].bad = 0;
    if (pthread_create(&mx_threads[t], NULL, mx_main, (void *)(intptr_t)t) != 0) return -1;
  }
  return 0;
}

EXPORT int mx_finished(void) { return atomic_load(&mx_done); }

EXPORT int mx_join(void) {
  int bad = 0;
  for (int t = 0; t < mx_count; t++) {
    pthread_join(mx_threads[t], NULL);
    bad += mx_jobs[t].bad;
  }
  return bad;
}

/* ---- single calls: int32_t cb(int32_t) here or on a fresh thread ---- */

typedef int32_t (*i_fn)(int32_t);

static atomic_llong last_tid;

EXPORT int64_t last_thread_tid(void) { return atomic_load(&last_tid); }

EXPORT int32_t call_here(void *cb, int32_t x) { return ((i_fn)cb)(x); }

typedef struct {
  i_fn cb;
  int32_t x, result;
  int errno_in, errno_out;
  pthread_t thread;
} one_call;

static void *one_main(void *arg) {
  one_call *c = arg;
  atomic_store(&last_tid, tid_now());
  errno = c->errno_in;
  c->result = c->cb(c->x);
  c->errno_out = errno;
  return NULL;
}

/* Starts a thread that calls cb(x), joins it, returns what cb returned. */
EXPORT int32_t call_on_thread(void *cb, int32_t x) {
  one_call c = {(i_fn)cb, x, 0, 0, 0};
  if (pthread_create(&c.thread, NULL, one_main, &c) != 0) return -12345;
  pthread_join(c.thread, NULL);
  return c.result;
}

/* The same, without waiting: call_async_join() collects the result. */
static one_call async_call;
static int async_delay_ms;
static atomic_llong async_call_ns; /* CLOCK_MONOTONIC when the delayed call was made */

static void *async_main(void *arg) {
  if (async_delay_ms) pause_us((unsigned)async_delay_ms * 1000);
  atomic_store(&async_call_ns, (long long)now_ns());
  return one_main(arg);
}

EXPORT int call_async_start(void *cb, int32_t x) {
  async_call = (one_call){(i_fn)cb, x, 0, 0, 0};
  async_delay_ms = 0;
  return pthread_create(&async_call.thread, NULL, async_main, &async_call);
}

/* Like call_async_start, the call made after delay_ms. */
EXPORT int call_async_start_after(void *cb, int32_t x, int delay_ms) {
  async_call = (one_call){(i_fn)cb, x, 0, 0, 0};
  async_delay_ms = delay_ms;
  return pthread_create(&async_call.thread, NULL, async_main, &async_call);
}

EXPORT int64_t call_async_call_ns(void) { return (int64_t)atomic_load(&async_call_ns); }
EXPORT int32_t call_async_join(void) {
  pthread_join(async_call.thread, NULL);
  return async_call.result;
}

/* ---- errno across a callback ---- */

/* errno = set; cb(x); returns errno afterwards. */
EXPORT int errno_here(void *cb, int set, int32_t x) {
  errno = set;
  ((i_fn)cb)(x);
  return errno;
}

EXPORT int errno_on_thread(void *cb, int set, int32_t x) {
  one_call c = {(i_fn)cb, x, 0, set, 0};
  if (pthread_create(&c.thread, NULL, one_main, &c) != 0) return -12345;
  pthread_join(c.thread, NULL);
  return c.errno_out;
}

/* ---- a thread that keeps calling (Worker termination) ---- */

/* Calls cb(k) (which should return k + 1) until stopped; counts results by the phase in which each call began. */
static pthread_t ham_thread;
static atomic_int ham_stop, ham_phase;
static atomic_llong ham_ok[2], ham_zero[2], ham_other[2];
static int ham_sleep_us;
static atomic_llong ham_other_k, ham_other_r; /* the first call with an unexpected result */
static i_fn ham_cb;

static void *ham_main(void *arg) {
  (void)arg;
  for (int32_t k = 1; !atomic_load(&ham_stop); k++) {
    int ph = atomic_load(&ham_phase);
    int32_t r = ham_cb(k);
    if (r == k + 1) atomic_fetch_add(&ham_ok[ph], 1);
    else if (r == 0) atomic_fetch_add(&ham_zero[ph], 1);
    else if (atomic_fetch_add(&ham_other[ph], 1) == 0 && atomic_load(&ham_other[ph ^ 1]) == 0) {
      atomic_store(&ham_other_k, k);
      atomic_store(&ham_other_r, r);
    }
    if (ham_sleep_us) pause_us((unsigned)ham_sleep_us);
  }
  return NULL;
}

EXPORT int hammer_start(void *cb, int sleep_us) {
  ham_cb = (i_fn)cb;
  ham_sleep_us = sleep_us;
  atomic_store(&ham_stop, 0);
  atomic_store(&ham_phase, 0);
  for (int i = 0; i < 2; i++) ham_ok[i] = ham_zero[i] = ham_other[i] = 0;
  return pthread_create(&ham_thread, NULL, ham_main, NULL);
}

/* From now on, calls count in phase 1. */
EXPORT void hammer_mark(void) { atomic_store(&ham_phase, 1); }

EXPORT void hammer_stop_join(void) {
  atomic_store(&ham_stop, 1);
  pthread_join(ham_thread, NULL);
}

/* The first call that got neither k + 1 nor 0: which = 0 its k, 1 what it got. */
EXPORT int64_t hammer_other_sample(int which) { return which ? atomic_load(&ham_other_r) : atomic_load(&ham_other_k); }

/* which: 0 ok, 1 zero, 2 other; phase 0 or 1. */
EXPORT int64_t hammer_count(int phase, int which) {
  atomic_llong *a = which == 0 ? ham_ok : which == 1 ? ham_zero : ham_other;
  return atomic_load(&a[phase]);
}

/* ---- a thread that holds a thunk and never calls it (process liveness) ---- */

static void *park_main(void *arg) {
  (void)arg;
#ifdef _WIN32
  for (;;) Sleep(INFINITE);
#else
  for (;;) pause();
#endif
  return NULL;
}

EXPORT int park_thread(void) {
  pthread_t t;
  int e = pthread_create(&t, NULL, park_main, NULL);
  if (e == 0) pthread_detach(t);
  return e;
}

/* ---- a memory-class result when the call fails: rax must still be the hidden pointer ---- */

/* struct big { int64_t a, b, c; } returned by value is, in the System V ABI, a call with
   the result buffer in rdi that returns the same address in rax (Win64: in rcx, returned in
   rax): the prototype below. */
typedef void *(*memret_fn)(void *result_buffer);

typedef struct {
  memret_fn cb;
  int64_t buffer[3];
  void *returned;
} memret_call;

#if defined(__aarch64__)
/* AArch64 passes the result buffer in x8, not as an argument, and does not promise to
   return it: call cb with x8 = buffer, and count the call as returning it. */
void *memret_call_x8(memret_fn cb, void *buffer);
__asm__(".text\n.globl memret_call_x8\n.type memret_call_x8, %function\nmemret_call_x8:\n"
        "  stp x29, x30, [sp, #-16]!\n  mov x29, sp\n  mov x16, x0\n  mov x8, x1\n  blr x16\n"
        "  ldp x29, x30, [sp], #16\n  ret\n.size memret_call_x8, .-memret_call_x8\n");
static void *memret_main(void *arg) {
  memret_call *c = arg;
  memret_call_x8(c->cb, c->buffer);
  c->returned = c->buffer;
  return NULL;
}
#else
/* x86-64 (System V and Win64): the buffer is a hidden first argument, and the callee returns it in rax. */
static void *memret_main(void *arg) {
  memret_call *c = arg;
  c->returned = c->cb(c->buffer);
  return NULL;
}
#endif

/* Calls cb with a result buffer filled with `fill`, on this thread (on_thread = 0) or a new
   one. Returns 1 if cb returned the buffer's address, 0 if not; *out gets the buffer. */
EXPORT int memret_call_check(void *cb, int on_thread, int64_t fill, int64_t *out) {
  memret_call c = {(memret_fn)cb, {fill, fill, fill}, NULL};
  if (on_thread) {
    pthread_t t;
    if (pthread_create(&t, NULL, memret_main, &c) != 0) return -1;
    pthread_join(t, NULL);
  } else {
    memret_main(&c);
  }
  memcpy(out, c.buffer, sizeof c.buffer);
  return c.returned == (void *)c.buffer;
}
