/* The OS layer (os.h) for Linux: futexes, gettid, pthread stack attributes, dlopen. */
#define _GNU_SOURCE
#include "os.h"
#include <dlfcn.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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
