/*
 * closure-ffi benchmark drivers: C loops that call a callback many times.
 *
 * Every contender calls these once per repetition (one outbound FFI call), so the
 * time measured is the native->JS callback cost, not the outbound call.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*cb_i32_t)(int32_t);
typedef double (*cb_f64x2_t)(double, double);
typedef double (*cb_mixed8_t)(int32_t, double, int64_t, float, uint8_t, void *, uint32_t, double);
typedef void (*cb_ptr_t)(void *);
typedef int (*cmp_t)(const void *, const void *);

int64_t loop_i32(cb_i32_t cb, int32_t n) {
  int64_t sum = 0;
  for (int32_t i = 0; i < n; i++) sum += cb(i);
  return sum;
}

double loop_f64x2(cb_f64x2_t cb, int32_t n) {
  double sum = 0;
  for (int32_t i = 0; i < n; i++) sum += cb((double)i, 0.5);
  return sum;
}

/* Arguments: i, i * 0.25, i * 3 (int64), 0.5f, i & 255, a pointer, i, 1.5 */
double loop_mixed8(cb_mixed8_t cb, int32_t n) {
  static char buf[1024];
  double sum = 0;
  for (int32_t i = 0; i < n; i++)
    sum += cb(i, i * 0.25, (int64_t)i * 3, 0.5f, (uint8_t)(i & 255), buf + (i & 1023), (uint32_t)i, 1.5);
  return sum;
}

int64_t loop_ptr(cb_ptr_t cb, int32_t n) {
  static char buf[4096];
  for (int32_t i = 0; i < n; i++) cb(buf + (i & 4095));
  return n;
}

/* A C callback, for the "native" reference row. */
static int32_t c_add1(int32_t x) { return x + 1; }
static double c_add_dd(double a, double b) { return a + b; }
static double c_mixed8(int32_t a, double b, int64_t c, float d, uint8_t e, void *f, uint32_t g, double h) {
  (void)c; (void)f; (void)g;
  return a + b + d + e + h;
}
static volatile int64_t c_ptr_count;
static void c_ptr(void *p) { (void)p; c_ptr_count++; }
void *native_cb(int32_t which) {
  switch (which) {
    case 0: return (void *)c_add1;
    case 1: return (void *)c_add_dd;
    case 2: return (void *)c_mixed8;
    default: return (void *)c_ptr;
  }
}

/* ---- qsort ---- */

/* xorshift32, the same generator as bench/support/data.ts */
int32_t *data_make(int32_t n, uint32_t seed) {
  int32_t *p = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
  uint32_t x = seed ? seed : 1;
  for (int32_t i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    p[i] = (int32_t)x;
  }
  return p;
}
void data_free(int32_t *p) { free(p); }
int32_t data_is_sorted(const int32_t *p, int32_t n) {
  for (int32_t i = 1; i < n; i++) if (p[i - 1] > p[i]) return 0;
  return 1;
}
int64_t data_checksum(const int32_t *p, int32_t n) {
  int64_t s = 0;
  for (int32_t i = 0; i < n; i++) s = s * 31 + p[i];
  return s;
}
void sort_i32(int32_t *p, int32_t n, cmp_t cmp) { qsort(p, (size_t)n, sizeof(int32_t), cmp); }
static int c_cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}
void sort_i32_native(int32_t *p, int32_t n) { qsort(p, (size_t)n, sizeof(int32_t), c_cmp_i32); }

/* ---- foreign thread: a new pthread calls cb n times; JS polls thread_done ---- */
struct thread_job {
  pthread_t tid;
  cb_i32_t cb;
  int32_t n;
  int64_t sum;
  volatile int done;
};
static void *thread_main(void *arg) {
  struct thread_job *j = arg;
  int64_t s = 0;
  for (int32_t i = 0; i < j->n; i++) s += j->cb(i);
  j->sum = s;
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  return NULL;
}
void *thread_start_i32(cb_i32_t cb, int32_t n) {
  struct thread_job *j = calloc(1, sizeof *j);
  j->cb = cb;
  j->n = n;
  if (pthread_create(&j->tid, NULL, thread_main, j) != 0) { free(j); return NULL; }
  return j;
}
int32_t thread_done(void *h) { return __atomic_load_n(&((struct thread_job *)h)->done, __ATOMIC_ACQUIRE); }
int64_t thread_join(void *h) {
  struct thread_job *j = h;
  pthread_join(j->tid, NULL);
  int64_t s = j->sum;
  free(j);
  return s;
}

/* The same with nt threads at once, each making n calls; threads_join returns the sum over all. */
struct threads_job {
  int32_t nt;
  struct thread_job jobs[];
};
void *threads_start_i32(cb_i32_t cb, int32_t nt, int32_t n) {
  struct threads_job *t = calloc(1, sizeof *t + (size_t)nt * sizeof t->jobs[0]);
  t->nt = nt;
  for (int32_t k = 0; k < nt; k++) {
    t->jobs[k].cb = cb;
    t->jobs[k].n = n;
  }
  for (int32_t k = 0; k < nt; k++)
    if (pthread_create(&t->jobs[k].tid, NULL, thread_main, &t->jobs[k]) != 0) abort();
  return t;
}
int32_t threads_done(void *h) {
  struct threads_job *t = h;
  for (int32_t k = 0; k < t->nt; k++)
    if (!__atomic_load_n(&t->jobs[k].done, __ATOMIC_ACQUIRE)) return 0;
  return 1;
}
int64_t threads_join(void *h) {
  struct threads_job *t = h;
  int64_t s = 0;
  for (int32_t k = 0; k < t->nt; k++) {
    pthread_join(t->jobs[k].tid, NULL);
    s += t->jobs[k].sum;
  }
  free(t);
  return s;
}
