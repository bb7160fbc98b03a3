/*
 * What the bridge needs from the operating system beyond N-API and C, in one place, so a
 * new OS is one more implementation file: os_posix.c (Linux) today. Executable memory
 * (jit_memory.c), library loading (library.c) and checked memory reads (raw_memory.c) are
 * POSIX modules of their own, with a Windows counterpart each to come.
 */
#ifndef CLOSURE_FFI_OS_H
#define CLOSURE_FFI_OS_H
#include <stdint.h>

/* The kernel's id of the calling thread (what debuggers and messages show). */
long cffi_os_thread_id(void);
/* Whether the calling thread is the process's main thread. */
int cffi_os_is_main_thread(void);
/* The calling thread's stack as [*lo, *hi); 0 (and zeros) when it cannot be known. */
int cffi_os_thread_stack(uintptr_t *lo, uintptr_t *hi);
/* Sleeps while *addr == seen, for at most `ms` milliseconds; may return early (callers re-check). */
void cffi_os_wait_on_address(int *addr, int seen, long ms);
/* Wakes one thread sleeping on addr (harmless if none is, or if addr is stale). */
void cffi_os_wake_address(int *addr);
/* Milliseconds of a clock that never goes back. */
long cffi_os_monotonic_ms(void);
/* Lets other threads run now. */
void cffi_os_yield(void);
/* Keeps the shared object that contains `code` loaded for the life of the process; 0 on failure (*why says why). */
int cffi_os_pin_module(const void *code, const char **why);

#endif
