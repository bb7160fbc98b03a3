/*
 * N-API floor: the same loops as loops.c, but the loop calls the JS function directly with
 * napi_call_function. Per call: open a handle scope, create the napi argument values from C
 * values, call, read the result, close the scope. No FFI library can call a JS function
 * through N-API with less work than this, so it is the floor for any N-API based library.
 *
 * A library entered from arbitrary native code needs the per-call handle scope (otherwise
 * every call's handles pile up in the outer scope until the outbound call returns); set
 * scoped=false to see the cost without it.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define CHECK(call) do { if ((call) != napi_ok) goto fail; } while (0)

static int32_t arg_i32(napi_env env, napi_value v) { int32_t x = 0; napi_get_value_int32(env, v, &x); return x; }
static int get_bool(napi_env env, napi_value v, int dflt) {
  bool b; napi_valuetype t; napi_typeof(env, v, &t);
  if (t != napi_boolean) return dflt;
  napi_get_value_bool(env, v, &b); return b;
}

static napi_value ret_double(napi_env env, double d) { napi_value r; napi_create_double(env, d, &r); return r; }

/* loopI32(fn, n, scoped = true) -> sum of fn(i) */
static napi_value LoopI32(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3], recv;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_value fn = argv[0]; int32_t n = arg_i32(env, argv[1]); int scoped = argc > 2 ? get_bool(env, argv[2], 1) : 1;
  napi_get_undefined(env, &recv);
  int64_t sum = 0;
  for (int32_t i = 0; i < n; i++) {
    napi_handle_scope hs = NULL; napi_value a, r; int32_t out;
    if (scoped) CHECK(napi_open_handle_scope(env, &hs));
    CHECK(napi_create_int32(env, i, &a));
    CHECK(napi_call_function(env, recv, fn, 1, &a, &r));
    CHECK(napi_get_value_int32(env, r, &out));
    sum += out;
    if (scoped) napi_close_handle_scope(env, hs);
  }
  return ret_double(env, (double)sum);
fail:
  return NULL;
}

static napi_value LoopF64x2(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3], recv;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_value fn = argv[0]; int32_t n = arg_i32(env, argv[1]); int scoped = argc > 2 ? get_bool(env, argv[2], 1) : 1;
  napi_get_undefined(env, &recv);
  double sum = 0;
  for (int32_t i = 0; i < n; i++) {
    napi_handle_scope hs = NULL; napi_value a[2], r; double out;
    if (scoped) CHECK(napi_open_handle_scope(env, &hs));
    CHECK(napi_create_double(env, (double)i, &a[0]));
    CHECK(napi_create_double(env, 0.5, &a[1]));
    CHECK(napi_call_function(env, recv, fn, 2, a, &r));
    CHECK(napi_get_value_double(env, r, &out));
    sum += out;
    if (scoped) napi_close_handle_scope(env, hs);
  }
  return ret_double(env, sum);
fail:
  return NULL;
}

/* Same arguments as loops.c loop_mixed8; 64-bit integers and pointers become BigInts. */
static napi_value LoopMixed8(napi_env env, napi_callback_info info) {
  static char buf[1024];
  size_t argc = 3; napi_value argv[3], recv;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_value fn = argv[0]; int32_t n = arg_i32(env, argv[1]); int scoped = argc > 2 ? get_bool(env, argv[2], 1) : 1;
  napi_get_undefined(env, &recv);
  double sum = 0;
  for (int32_t i = 0; i < n; i++) {
    napi_handle_scope hs = NULL; napi_value a[8], r; double out;
    if (scoped) CHECK(napi_open_handle_scope(env, &hs));
    CHECK(napi_create_int32(env, i, &a[0]));
    CHECK(napi_create_double(env, i * 0.25, &a[1]));
    CHECK(napi_create_bigint_int64(env, (int64_t)i * 3, &a[2]));
    CHECK(napi_create_double(env, (double)0.5f, &a[3]));
    CHECK(napi_create_uint32(env, (uint8_t)(i & 255), &a[4]));
    CHECK(napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)(buf + (i & 1023)), &a[5]));
    CHECK(napi_create_uint32(env, (uint32_t)i, &a[6]));
    CHECK(napi_create_double(env, 1.5, &a[7]));
    CHECK(napi_call_function(env, recv, fn, 8, a, &r));
    CHECK(napi_get_value_double(env, r, &out));
    sum += out;
    if (scoped) napi_close_handle_scope(env, hs);
  }
  return ret_double(env, sum);
fail:
  return NULL;
}

static napi_value LoopPtr(napi_env env, napi_callback_info info) {
  static char buf[4096];
  size_t argc = 3; napi_value argv[3], recv;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_value fn = argv[0]; int32_t n = arg_i32(env, argv[1]); int scoped = argc > 2 ? get_bool(env, argv[2], 1) : 1;
  napi_get_undefined(env, &recv);
  for (int32_t i = 0; i < n; i++) {
    napi_handle_scope hs = NULL; napi_value a, r;
    if (scoped) CHECK(napi_open_handle_scope(env, &hs));
    CHECK(napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)(buf + (i & 4095)), &a));
    CHECK(napi_call_function(env, recv, fn, 1, &a, &r));
    if (scoped) napi_close_handle_scope(env, hs);
  }
  return ret_double(env, (double)n);
fail:
  return NULL;
}

/* ---- qsort: the comparator receives the two int32 values (read in C) ---- */
static int32_t *g_data; static int32_t g_n;
static napi_env g_env; static napi_value g_fn, g_recv; static int g_failed;

static napi_value SortPrepare(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2]; uint32_t seed;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  g_n = arg_i32(env, argv[0]); napi_get_value_uint32(env, argv[1], &seed);
  free(g_data);
  g_data = malloc(sizeof(int32_t) * (size_t)(g_n > 0 ? g_n : 1));
  uint32_t x = seed ? seed : 1;
  for (int32_t i = 0; i < g_n; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; g_data[i] = (int32_t)x; }
  return NULL;
}
static int napi_cmp(const void *pa, const void *pb) {
  napi_env env = g_env; napi_handle_scope hs; napi_value a[2], r; int32_t out = 0;
  if (g_failed) return 0;
  napi_open_handle_scope(env, &hs);
  if (napi_create_int32(env, *(const int32_t *)pa, &a[0]) != napi_ok ||
      napi_create_int32(env, *(const int32_t *)pb, &a[1]) != napi_ok ||
      napi_call_function(env, g_recv, g_fn, 2, a, &r) != napi_ok ||
      napi_get_value_int32(env, r, &out) != napi_ok)
    g_failed = 1;
  napi_close_handle_scope(env, hs);
  return out;
}
/* sortRun(cmp) -> true when the data ended sorted */
static napi_value SortRun(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1], res;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  g_env = env; g_fn = argv[0]; g_failed = 0; napi_get_undefined(env, &g_recv);
  qsort(g_data, (size_t)g_n, sizeof(int32_t), napi_cmp);
  if (g_failed) return NULL;
  int ok = 1;
  for (int32_t i = 1; i < g_n; i++) if (g_data[i - 1] > g_data[i]) { ok = 0; break; }
  napi_get_boolean(env, ok, &res);
  return res;
}

/* ---- foreign thread: a pthread calls a C function that round-trips through a
 * threadsafe function (blocking queue + condition variable for the result) ---- */
typedef struct { int32_t arg, result; int done; pthread_mutex_t mu; pthread_cond_t cv; } req_t;
typedef struct { pthread_t tid; napi_threadsafe_function tsfn; int32_t n; int64_t sum; volatile int done; } job_t;

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  req_t *r = data;
  if (env != NULL) {
    napi_value a, res, undef;
    napi_get_undefined(env, &undef);
    napi_create_int32(env, r->arg, &a);
    if (napi_call_function(env, undef, js_cb, 1, &a, &res) == napi_ok) napi_get_value_int32(env, res, &r->result);
  }
  pthread_mutex_lock(&r->mu); r->done = 1; pthread_cond_signal(&r->cv); pthread_mutex_unlock(&r->mu);
}
static int32_t tsfn_call(napi_threadsafe_function tsfn, int32_t x) {
  req_t r = { x, 0, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
  if (napi_call_threadsafe_function(tsfn, &r, napi_tsfn_blocking) != napi_ok) return 0;
  pthread_mutex_lock(&r.mu); while (!r.done) pthread_cond_wait(&r.cv, &r.mu); pthread_mutex_unlock(&r.mu);
  return r.result;
}
static void *thread_main(void *p) {
  job_t *j = p; int64_t s = 0;
  for (int32_t i = 0; i < j->n; i++) s += tsfn_call(j->tsfn, i);
  j->sum = s;
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  return NULL;
}
static job_t *g_job;
static napi_value ThreadStartI32(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  job_t *j = calloc(1, sizeof *j);
  j->n = arg_i32(env, argv[1]);
  napi_create_string_utf8(env, "bench-floor", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &j->tsfn) != napi_ok) {
    free(j); napi_throw_error(env, NULL, "napi_create_threadsafe_function failed"); return NULL;
  }
  g_job = j;
  pthread_create(&j->tid, NULL, thread_main, j);
  return NULL;
}
static napi_value ThreadDone(napi_env env, napi_callback_info info) {
  napi_value r; napi_get_boolean(env, g_job && __atomic_load_n(&g_job->done, __ATOMIC_ACQUIRE), &r); return r;
}
static napi_value ThreadJoin(napi_env env, napi_callback_info info) {
  job_t *j = g_job; g_job = NULL;
  pthread_join(j->tid, NULL);
  napi_release_threadsafe_function(j->tsfn, napi_tsfn_release);
  double s = (double)j->sum; free(j);
  return ret_double(env, s);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor d[] = {
    { "loopI32", NULL, LoopI32, NULL, NULL, NULL, napi_default, NULL },
    { "loopF64x2", NULL, LoopF64x2, NULL, NULL, NULL, napi_default, NULL },
    { "loopMixed8", NULL, LoopMixed8, NULL, NULL, NULL, napi_default, NULL },
    { "loopPtr", NULL, LoopPtr, NULL, NULL, NULL, napi_default, NULL },
    { "sortPrepare", NULL, SortPrepare, NULL, NULL, NULL, napi_default, NULL },
    { "sortRun", NULL, SortRun, NULL, NULL, NULL, napi_default, NULL },
    { "threadStartI32", NULL, ThreadStartI32, NULL, NULL, NULL, napi_default, NULL },
    { "threadDone", NULL, ThreadDone, NULL, NULL, NULL, napi_default, NULL },
    { "threadJoin", NULL, ThreadJoin, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}
