/*
 * Native side of test/reliability-processes.test.ts (regression tests for the defects in
 * the first reliability pass). Each test runs in its own child process
 * (test/fixtures/reliability-*.ts), because what it guards is a crash, a hang, an exit or
 * the process's memory.
 *
 * Built twice: normally (the drivers below), and with -DRELIABILITY_NOMEMFD_SHIM as an
 * LD_PRELOAD shim whose memfd_create always fails, which forces closure-ffi onto its
 * single-mapping (mprotect) JIT memory (Linux only; on Windows the fixture gets single
 * mappings from an allocator of its own instead).
 *
 * On Windows (a DLL built with mingw-w64 and winpthreads) the signal-handler drivers are
 * left out (no POSIX signals: their test is skipped there), and memory is counted with the
 * Win32 heap API instead of glibc's mallinfo2.
 */
#define _GNU_SOURCE
#include <errno.h>

#ifdef RELIABILITY_NOMEMFD_SHIM

/* As on old kernels or under a policy that forbids memfd. */
int memfd_create(const char *name, unsigned int flags) {
  (void)name;
  (void)flags;
  errno = ENOSYS;
  return -1;
}

#else

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
#include <malloc.h>
#include <signal.h>
#include <sys/time.h>
#define EXPORT
#endif

#ifdef _WIN32
static uint64_t now_ms(void) { return GetTickCount64(); }
/* Sleep() counts whole milliseconds: a shorter pause is still one (a yield would not pause). */
static void pause_us(unsigned us) { Sleep((us + 999) / 1000); }
#else
static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
static void pause_us(unsigned us) { usleep(us); }
#endif

typedef int (*cb_i)(int);
typedef int (*cb_ii)(int, int);

/* --- A call after the caller's JS environment (a Worker) has ended. --- */

static atomic_int late_state; /* 0 idle, 1 waiting, 2 calling, 3 returned */
static atomic_int late_value;
static atomic_int late_released;

struct later {
  cb_i cb;
  int max_wait_ms;
  int x;
};

static void *later_main(void *arg) {
  struct later l = *(struct later *)arg;
  free(arg);
  uint64_t until = now_ms() + (uint64_t)l.max_wait_ms;
  while (!atomic_load(&late_released) && now_ms() < until) pause_us(1000);
  atomic_store(&late_state, 2);
  int r = l.cb(l.x);
  atomic_store(&late_value, r);
  atomic_store(&late_state, 3);
  fprintf(stderr, "reliability.c: the late call returned %d\n", r);
  fflush(stderr);
  return NULL;
}

/*
 * Starts a detached thread that calls cb(x) once, when release_late() is called or after
 * max_wait_ms, whichever comes first. 0 on success.
 */
EXPORT int call_later(cb_i cb, int max_wait_ms, int x) {
  struct later *l = malloc(sizeof *l);
  if (!l) return -1;
  *l = (struct later){cb, max_wait_ms, x};
  atomic_store(&late_value, -12345);
  atomic_store(&late_released, 0);
  atomic_store(&late_state, 1);
  pthread_t t;
  if (pthread_create(&t, NULL, later_main, l) != 0) {
    free(l);
    return -1;
  }
  pthread_detach(t);
  return 0;
}

EXPORT void release_late(void) { atomic_store(&late_released, 1); }
EXPORT int late_state_now(void) { return atomic_load(&late_state); }
EXPORT int late_value_now(void) { return atomic_load(&late_value); }

/* --- Threads calling cb(t, i), which must return t * 1000003 + i. --- */

static int expect_ii(int t, int i) { return (int)((unsigned)t * 1000003u + (unsigned)i); }

struct worker {
  cb_ii cb;
  int t, n;
  long bad;
};

static void *run_main(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < w->n; i++)
    if (w->cb(w->t, i) != expect_ii(w->t, i)) w->bad++;
  return NULL;
}

static atomic_long run_calls_made;

/* `nt` threads make `n` calls each; joins them and returns the number of wrong results (-1: no thread). */
EXPORT long run_threads(cb_ii cb, int nt, int n) {
  enum { MAX = 64 };
  pthread_t th[MAX];
  struct worker w[MAX];
  if (nt > MAX) nt = MAX;
  int started = 0;
  for (int i = 0; i < nt; i++) {
    w[i] = (struct worker){cb, i, n, 0};
    if (pthread_create(&th[i], NULL, run_main, &w[i]) != 0) break;
    started++;
  }
  if (started == 0) return -1;
  long bad = 0;
  for (int i = 0; i < started; i++) {
    pthread_join(th[i], NULL);
    bad += w[i].bad;
    atomic_fetch_add(&run_calls_made, w[i].n);
  }
  return bad;
}

EXPORT long run_calls(void) { return atomic_load(&run_calls_made); }

/*
 * `nt` detached threads that call cb(t, i) forever, back to back. Returns how many started.
 * A call refused with zero (the process is exiting) is followed by a 50 us pause, so that 8
 * threads spinning on refusals do not starve the process's own teardown of CPU on a small,
 * busy machine (that would measure the machine, not closure-ffi's exit).
 */
static void *forever_main(void *arg) {
  struct worker w = *(struct worker *)arg;
  free(arg);
  for (int i = 1;; i++)
    if (w.cb(w.t, i) == 0) pause_us(50);
  return NULL;
}

EXPORT int start_forever(cb_ii cb, int nt) {
  int started = 0;
  for (int i = 0; i < nt; i++) {
    struct worker *w = malloc(sizeof *w);
    if (!w) break;
    *w = (struct worker){cb, i, 0, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, forever_main, w) != 0) {
      free(w);
      break;
    }
    pthread_detach(t);
    started++;
  }
  return started;
}

#ifndef _WIN32

/* --- Thunks called from a SIGALRM handler (POSIX only). --- */

static volatile cb_i sig_cb;
static atomic_int sig_main_result;
static atomic_int sig_fired, sig_on_main, sig_main_ok;
static pid_t main_tid;

static void on_alarm(int s) {
  (void)s;
  int saved = errno;
  int r = sig_cb(42);
  if (gettid() == main_tid) {
    atomic_store(&sig_main_result, r);
    atomic_fetch_add(&sig_on_main, 1);
    if (r == 43) atomic_fetch_add(&sig_main_ok, 1);
  }
  atomic_fetch_add(&sig_fired, 1);
  errno = saved;
}

static void install(cb_i cb) {
  sig_cb = cb;
  main_tid = gettid();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
}

/*
 * The JS thread is in this native call when the signal comes: spins until the handler has
 * run on this thread (a process-directed signal may land elsewhere first), at most ~2 s.
 * Returns what the handler's call got on this thread, or -777 if it never ran here.
 */
EXPORT int signal_call_here(cb_i cb) {
  install(cb);
  atomic_store(&sig_fired, 0);
  atomic_store(&sig_on_main, 0);
  atomic_store(&sig_main_ok, 0);
  atomic_store(&sig_main_result, -777);
  /* A thread-directed timer signal would be better; ITIMER_REAL plus a spin is close enough. */
  struct itimerval it = {{0, 0}, {0, 1000}};
  struct timespec t0, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  setitimer(ITIMER_REAL, &it, NULL);
  for (;;) {
    if (atomic_load(&sig_on_main)) break;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
    if (ms > 2000) return -777;
    if (atomic_load(&sig_fired) && !atomic_load(&sig_on_main)) {
      atomic_store(&sig_fired, 0);
      setitimer(ITIMER_REAL, &it, NULL); /* it landed on another thread: once more */
    }
  }
  return atomic_load(&sig_main_result);
}

/* SIGALRM every `usec` microseconds, each calling cb(42) from the handler. */
EXPORT void arm_alarm_repeat(cb_i cb, int usec) {
  install(cb);
  atomic_store(&sig_fired, 0);
  atomic_store(&sig_on_main, 0);
  atomic_store(&sig_main_ok, 0);
  struct itimerval it = {{0, usec}, {0, usec}};
  setitimer(ITIMER_REAL, &it, NULL);
}

EXPORT void disarm_alarm(void) {
  struct itimerval it = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &it, NULL);
}

EXPORT int sig_fired_count(void) { return atomic_load(&sig_fired); }
EXPORT int sig_on_main_count(void) { return atomic_load(&sig_on_main); }
EXPORT int sig_main_ok_count(void) { return atomic_load(&sig_main_ok); }

#endif /* !_WIN32 */

/* --- Memory. --- */

#ifdef _WIN32
/*
 * Bytes the process's heaps have handed out and not had back: every C runtime's malloc
 * (node.exe's static one, msvcrt.dll's, ucrtbase.dll's) allocates from one of them (thread
 * stacks and V8's heaps are VirtualAlloc'ed, not counted).
 */
EXPORT int64_t malloc_in_use(void) {
  HANDLE heaps[256];
  DWORD n = GetProcessHeaps(256, heaps);
  if (n > 256) n = 256;
  int64_t total = 0;
  for (DWORD i = 0; i < n; i++) {
    if (!HeapLock(heaps[i])) continue;
    PROCESS_HEAP_ENTRY e;
    e.lpData = NULL;
    while (HeapWalk(heaps[i], &e))
      if (e.wFlags & PROCESS_HEAP_ENTRY_BUSY) total += (int64_t)e.cbData;
    HeapUnlock(heaps[i]);
  }
  return total;
}

/* Gives free heap memory back to the system, as far as the heaps allow. */
EXPORT void trim_heap(void) {
  HANDLE heaps[256];
  DWORD n = GetProcessHeaps(256, heaps);
  for (DWORD i = 0; i < n && i < 256; i++) HeapCompact(heaps[i], 0);
}
#else
/* Bytes malloc has handed out and not had back, over all arenas (thread stacks and V8's heaps are not malloc'd). */
EXPORT int64_t malloc_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return (int64_t)(m.uordblks + m.hblkhd);
}

/* Free heap memory goes back to the system (malloc's caches move by megabytes from run to run). */
EXPORT void trim_heap(void) { malloc_trim(0); }
#endif

#endif
