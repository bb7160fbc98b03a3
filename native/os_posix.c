/* The OS layer (os.h) for Linux: futexes, gettid, pthreads, signal masks, process_vm_readv, dlopen. */
#define _GNU_SOURCE
#include "os.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

void cffi_os_init(void) {}

typedef struct thread_start {
  void (*fn)(void *);
  void *arg;
} thread_start;

static void *thread_main(void *p) {
  thread_start s = *(thread_start *)p;
  free(p);
  s.fn(s.arg);
  return NULL;
}

const char *cffi_os_start_thread(cffi_thread_handle *h, void (*fn)(void *), void *arg, size_t stack_bytes) {
  thread_start *s = malloc(sizeof *s);
  if (!s) return "out of memory";
  s->fn = fn;
  s->arg = arg;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  int err = pthread_create(h, &attr, thread_main, s);
  pthread_attr_destroy(&attr);
  if (err == 0) return NULL;
  free(s);
  return strerror(err);
}

void cffi_os_join_thread(cffi_thread_handle h) { pthread_join(h, NULL); }

long cffi_os_thread_id(void) { return (long)syscall(SYS_gettid); }

int cffi_os_is_main_thread(void) { return getpid() == (pid_t)syscall(SYS_gettid); }

int cffi_os_thread_stack(uintptr_t *lo, uintptr_t *hi) {
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  *lo = (uintptr_t)addr;
  *hi = (uintptr_t)addr + size;
  return addr != NULL;
}

void cffi_os_commit_stack(uintptr_t lo, uintptr_t hi) { (void)lo, (void)hi; /* mapped up front, grown by the kernel */ }

void cffi_os_wait_on_address(int *addr, int seen, long ms) {
  struct timespec rel = {ms / 1000, (ms % 1000) * 1000000L};
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, seen, &rel, NULL, 0);
}

void cffi_os_wake_address(int *addr) { syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

long cffi_os_monotonic_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void cffi_os_yield(void) { sched_yield(); }

int cffi_os_pin_module(const void *code, const char **why) {
  Dl_info self;
  if (!dladdr(code, &self) || !self.dli_fname) {
    *why = "dladdr found no shared object";
    return 0;
  }
  if (!dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) {
    *why = dlerror();
    return 0;
  }
  return 1;
}

void cffi_os_signals_init(cffi_os_signals *s) { pthread_sigmask(SIG_BLOCK, NULL, &s->base_mask); }

/*
 * Inside a handler its signal is blocked (unless the handler asked otherwise), so a signal
 * blocked now but not in the thread's usual mask, and which has a handler, gives it away. A
 * signal the program blocked on purpose (no handler) becomes part of the usual mask.
 * Async-signal-safe.
 */
int cffi_os_in_signal_handler(cffi_os_signals *s) {
  sigset_t now;
  if (pthread_sigmask(SIG_BLOCK, NULL, &now) != 0) return 0;
  int handled = 0;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(&now, sig) != 1 || sigismember(&s->base_mask, sig) == 1) continue;
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) == 0 && (sa.sa_flags & SA_SIGINFO ? sa.sa_sigaction != NULL
                                           : sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN))
      handled = 1;
    else
      sigaddset(&s->base_mask, sig);
  }
  return handled;
}

void cffi_os_write_stderr(const char *msg, size_t len) {
  ssize_t ignored = write(2, msg, len);
  (void)ignored;
}

size_t cffi_os_page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

void *cffi_os_aligned_alloc(size_t align, size_t size) { return aligned_alloc(align, size); }

void cffi_os_aligned_free(void *p) { free(p); }

/*
 * Copies through the kernel, which reports an unmapped or unreadable byte as EFAULT instead
 * of raising SIGSEGV. process_vm_readv on our own pid needs no privilege, but seccomp profiles
 * may forbid it: then a pipe does the same (write() of unreadable memory fails with EFAULT).
 */
int cffi_os_read_checked(void *out, uint64_t src, size_t len) {
  if (len == 0) return 1;
  struct iovec local = {out, len}, remote = {(void *)(uintptr_t)src, len};
  ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  if (n == (ssize_t)len) return 1;
  if (n >= 0 || errno == EFAULT) return 0; /* a short read stopped at an unreadable page */
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return 0;
  int ok = 1;
  for (size_t off = 0; ok && off < len;) {
    size_t chunk = len - off < 4096 ? len - off : 4096; /* below PIPE_BUF: never blocks */
    ssize_t w = write(fds[1], (const char *)(uintptr_t)src + off, chunk);
    ok = w == (ssize_t)chunk && read(fds[0], (char *)out + off, chunk) == (ssize_t)chunk;
    off += chunk;
  }
  close(fds[0]);
  close(fds[1]);
  return ok;
}
