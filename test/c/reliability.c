/*
 * Native side of test/reliability-processes.test.ts (regression tests for the defects in
 * the first reliability pass). Each test runs in its own child process
 * (test/fixtures/reliability-*.ts), because what it guards is a crash, a hang, an exit or
 * the process's memory.
 *
 * Built twice: normally (the drivers below), and with -DRELIABILITY_NOMEMFD_SHIM as an
 * LD_PRELOAD shim whose memfd_create always fails, which forces closure-ffi onto its
 * single-mapping (mprotect) JIT memory.
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

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

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
  for (int waited = 0; !atomic_load(&late_released) && waited < l.max_wait_ms; waited++) usleep(1000);
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
int call_later(cb_i cb, int max_wait_ms, int x) {
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

void release_late(void) { atomic_store(&late_released, 1); }
int late_state_now(void) { return atomic_load(&late_state); }
int late_value_now(void) { return atomic_load(&late_value); }

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
long run_threads(cb_ii cb, int nt, int n) {
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

long run_calls(void) { return atomic_load(&run_calls_made); }

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
    if (w.cb(w.t, i) == 0) usleep(50);
  return NULL;
}

int start_forever(cb_ii cb, int nt) {
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

/* --- Thunks called from a SIGALRM handler. --- */

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
int signal_call_here(cb_i cb) {
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
void arm_alarm_repeat(cb_i cb, int usec) {
  install(cb);
  atomic_store(&sig_fired, 0);
  atomic_store(&sig_on_main, 0);
  atomic_store(&sig_main_ok, 0);
  struct itimerval it = {{0, usec}, {0, usec}};
  setitimer(ITIMER_REAL, &it, NULL);
}

void disarm_alarm(void) {
  struct itimerval it = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &it, NULL);
}

int sig_fired_count(void) { return atomic_load(&sig_fired); }
int sig_on_main_count(void) { return atomic_load(&sig_on_main); }
int sig_main_ok_count(void) { return atomic_load(&sig_main_ok); }

/* --- Memory. --- */

/* Bytes malloc has handed out and not had back, over all arenas (thread stacks and V8's heaps are not malloc'd). */
long malloc_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return (long)(m.uordblks + m.hblkhd);
}

#endif
