/*
 * What the bridge needs from the operating system and the compiler beyond N-API and
 * standard C, in one place, so that a new OS is a set of implementation files and the
 * rest of the bridge stays the same:
 *   POSIX (Linux): os_posix.c, jit_memory_posix.c, library_posix.c, and the stack switch in
 *                  foreign_stack.c (GNU assembly for ELF);
 *   Windows:       os_win32.c, jit_memory_win32.c, library_win32.c, and the stack switch in
 *                  foreign_stack_win64.S (GNU as, mingw) or foreign_stack_win64.asm (MASM).
 * binding.gyp picks the files by OS. This header includes no OS header on Windows
 * (windows.h defines `near`, `far`, `min`, `max`...): the types below are opaque there and
 * os_win32.c checks that they match the real ones. The Windows code sticks to what MSVC
 * accepts (no statement expressions, no inline assembly, atomics through the wrappers
 * below); it is built here with mingw-w64 only.
 */
#ifndef CLOSURE_FFI_OS_H
#define CLOSURE_FFI_OS_H
#include <stddef.h>
#include <stdint.h>
#ifndef _WIN32
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#endif

/* ---- compiler ---- */

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define CFFI_NORETURN __declspec(noreturn)
#define CFFI_PRINTF(fmt, args)
#define CFFI_LIKELY(x) (x)
#define CFFI_UNLIKELY(x) (x)
#define CFFI_THREAD_LOCAL __declspec(thread)
/* An address inside the current function's frame (its return-address slot): only compared and subtracted. */
#define CFFI_FRAME_ADDRESS() ((uintptr_t)_AddressOfReturnAddress())
#define CFFI_VISIBLE
#else
#define CFFI_NORETURN __attribute__((noreturn))
#define CFFI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CFFI_LIKELY(x) __builtin_expect(!!(x), 1)
#define CFFI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CFFI_THREAD_LOCAL __thread
#define CFFI_FRAME_ADDRESS() ((uintptr_t)__builtin_frame_address(0))
#ifdef _WIN32
#define CFFI_VISIBLE /* PE has no ELF visibility; these functions are reached by address */
#else
#define CFFI_VISIBLE __attribute__((visibility("default")))
#endif
#endif

/*
 * Atomics. Loads acquire, stores release, read-modify-writes at least as strong as the
 * bridge needs (its counters are relaxed). GCC and Clang: the __atomic builtins; MSVC: the
 * Interlocked intrinsics, and plain volatile accesses ordered by the compiler barrier for
 * loads and stores, which is enough on x86 and x86-64 (loads are not reordered with older
 * loads, stores not with older stores); another MSVC CPU needs __ldar / __stlr here.
 */
#if defined(_MSC_VER) && !defined(__clang__)
#if !defined(_M_X64) && !defined(_M_IX86)
#error "closure-ffi: the MSVC atomics in os.h are written for x86 and x86-64 only"
#endif
static __forceinline int cffi_load_int(const int *p) { int v = *(const volatile int *)p; _ReadWriteBarrier(); return v; }
static __forceinline void cffi_store_int(int *p, int v) { _ReadWriteBarrier(); *(volatile int *)p = v; }
static __forceinline int cffi_add_int(int *p, int d) { return _InterlockedExchangeAdd((volatile long *)p, d) + d; }
static __forceinline int cffi_exchange_int(int *p, int v) { return _InterlockedExchange((volatile long *)p, v); }
static __forceinline uint32_t cffi_load_u32(const uint32_t *p) { uint32_t v = *(const volatile uint32_t *)p; _ReadWriteBarrier(); return v; }
static __forceinline void cffi_store_u32(uint32_t *p, uint32_t v) { _ReadWriteBarrier(); *(volatile uint32_t *)p = v; }
static __forceinline uint32_t cffi_fetch_add_u32(uint32_t *p, uint32_t d) { return (uint32_t)_InterlockedExchangeAdd((volatile long *)p, (long)d); }
static __forceinline unsigned long cffi_add_ulong(unsigned long *p, unsigned long d) { return (unsigned long)_InterlockedExchangeAdd((volatile long *)p, (long)d) + d; }
static __forceinline uint64_t cffi_add_u64(uint64_t *p, uint64_t d) { return (uint64_t)_InterlockedExchangeAdd64((volatile __int64 *)p, (__int64)d) + d; }
static __forceinline uint64_t cffi_load_u64(const uint64_t *p) { uint64_t v = *(const volatile uint64_t *)p; _ReadWriteBarrier(); return v; }
static __forceinline void *cffi_load_ptr(void *const *p) { void *v = *(void *const volatile *)p; _ReadWriteBarrier(); return v; }
static __forceinline void cffi_store_ptr(void **p, void *v) { _ReadWriteBarrier(); *(void *volatile *)p = v; }
#else
static inline int cffi_load_int(const int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void cffi_store_int(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int cffi_add_int(int *p, int d) { return __atomic_add_fetch(p, d, __ATOMIC_RELAXED); }
static inline int cffi_exchange_int(int *p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL); }
static inline uint32_t cffi_load_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void cffi_store_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint32_t cffi_fetch_add_u32(uint32_t *p, uint32_t d) { return __atomic_fetch_add(p, d, __ATOMIC_SEQ_CST); }
static inline unsigned long cffi_add_ulong(unsigned long *p, unsigned long d) { return __atomic_add_fetch(p, d, __ATOMIC_RELAXED); }
static inline uint64_t cffi_add_u64(uint64_t *p, uint64_t d) { return __atomic_add_fetch(p, d, __ATOMIC_SEQ_CST); }
static inline uint64_t cffi_load_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void *cffi_load_ptr(void *const *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void cffi_store_ptr(void **p, void *v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
#endif

/* Once per process, before anything else here (each JS environment's load calls it). */
void cffi_os_init(void);

/* ---- threads, locks, waits ---- */

#ifdef _WIN32
/* SRWLOCK, CONDITION_VARIABLE (one pointer each), a thread id and a thread HANDLE; see os_win32.c. */
typedef struct cffi_mutex { void *opaque; } cffi_mutex;
typedef struct cffi_cond { void *opaque; } cffi_cond;
typedef unsigned long cffi_thread;
typedef void *cffi_thread_handle;
#define CFFI_MUTEX_INITIALIZER {0} /* SRWLOCK_INIT */
void cffi_mutex_init(cffi_mutex *m);
void cffi_mutex_lock(cffi_mutex *m);
void cffi_mutex_unlock(cffi_mutex *m);
void cffi_cond_init(cffi_cond *c);
void cffi_cond_wait(cffi_cond *c, cffi_mutex *m);
void cffi_cond_broadcast(cffi_cond *c);
cffi_thread cffi_os_current_thread(void);
static inline int cffi_os_same_thread(cffi_thread a, cffi_thread b) { return a == b; }
#else
typedef pthread_mutex_t cffi_mutex;
typedef pthread_cond_t cffi_cond;
typedef pthread_t cffi_thread;
typedef pthread_t cffi_thread_handle;
#define CFFI_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
static inline void cffi_mutex_init(cffi_mutex *m) { pthread_mutex_init(m, NULL); }
static inline void cffi_mutex_lock(cffi_mutex *m) { pthread_mutex_lock(m); }
static inline void cffi_mutex_unlock(cffi_mutex *m) { pthread_mutex_unlock(m); }
static inline void cffi_cond_init(cffi_cond *c) { pthread_cond_init(c, NULL); }
static inline void cffi_cond_wait(cffi_cond *c, cffi_mutex *m) { pthread_cond_wait(c, m); }
static inline void cffi_cond_broadcast(cffi_cond *c) { pthread_cond_broadcast(c); }
static inline cffi_thread cffi_os_current_thread(void) { return pthread_self(); }
static inline int cffi_os_same_thread(cffi_thread a, cffi_thread b) { return pthread_equal(a, b); }
#endif

/* Starts fn(arg) on a new thread with a stack of `stack_bytes`; NULL, or why it could not. */
const char *cffi_os_start_thread(cffi_thread_handle *h, void (*fn)(void *), void *arg, size_t stack_bytes);
/* Waits for a thread started by cffi_os_start_thread to end, and forgets it. */
void cffi_os_join_thread(cffi_thread_handle h);
/* The kernel's id of the calling thread (what debuggers and messages show). */
long cffi_os_thread_id(void);
/* Whether the calling thread is the process's main thread. */
int cffi_os_is_main_thread(void);
/* The calling thread's stack as [*lo, *hi); 0 (and zeros) when it cannot be known. */
int cffi_os_thread_stack(uintptr_t *lo, uintptr_t *hi);
/*
 * Makes the calling thread's stack usable from `hi` down to `lo` before the stack pointer is
 * moved there (Windows commits a stack one guard page at a time, so a jump below the committed
 * part faults); nothing to do on Linux.
 */
void cffi_os_commit_stack(uintptr_t lo, uintptr_t hi);
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

/* ---- the native caller's error state, kept across a callback ---- */

/*
 * errno on Linux. On Windows GetLastError() and the errno of each C runtime that may be in
 * the process (the bridge's own, ucrtbase.dll's, msvcrt.dll's: each DLL that links the C
 * runtime dynamically shares one of those; node.exe links its own statically, and JS cannot
 * reach that one's errno except through these DLLs).
 */
#ifdef _WIN32
typedef struct cffi_os_errors {
  unsigned long last_error;
  int crt_errno[3];
} cffi_os_errors;
void cffi_os_save_errors(cffi_os_errors *e);
void cffi_os_restore_errors(const cffi_os_errors *e);
#else
typedef struct cffi_os_errors {
  int err;
} cffi_os_errors;
static inline void cffi_os_save_errors(cffi_os_errors *e) { e->err = errno; }
static inline void cffi_os_restore_errors(const cffi_os_errors *e) { errno = e->err; }
#endif

/* ---- signals ---- */

/*
 * Whether the calling (JS) thread is inside a signal handler that interrupted it (see
 * enter.c). POSIX: worked out from the signal mask, against the thread's usual mask kept in
 * `cffi_os_signals`. Windows has no asynchronous handlers on the interrupted thread (the C
 * runtime runs a SIGINT handler on a thread of its own, which is a foreign thread here).
 */
#ifdef _WIN32
typedef struct cffi_os_signals { int unused; } cffi_os_signals;
#else
typedef struct cffi_os_signals { sigset_t base_mask; } cffi_os_signals;
#endif
void cffi_os_signals_init(cffi_os_signals *s);
int cffi_os_in_signal_handler(cffi_os_signals *s);
/* Writes to stderr with nothing but the raw OS call (from a signal handler). */
void cffi_os_write_stderr(const char *msg, size_t len);

/* ---- memory ---- */

/* The system's page size. */
size_t cffi_os_page_size(void);
/* `size` bytes aligned to `align` (a power of two), freed with cffi_os_aligned_free; NULL when out of memory. */
void *cffi_os_aligned_alloc(size_t align, size_t size);
void cffi_os_aligned_free(void *p);
/* Copies `len` bytes at `src` to `out`; 0 (instead of a crash) when some byte is not readable. */
int cffi_os_read_checked(void *out, uint64_t src, size_t len);

/*
 * Executable memory (jit_memory_*.c). Dual: one piece of memory mapped twice, a read-write
 * view `*rw` and a read-execute view `*rx` (within +-2 GiB of `near` when near != 0): no page
 * is ever writable and executable at once. Single: one read-write mapping, flipped to
 * read-execute with cffi_os_jit_protect (the fallback where a second view is refused). `size`
 * is a multiple of the page size. Failures give 0 / NULL and a message in why[why_size].
 */
int cffi_os_jit_map_dual(size_t size, uintptr_t near, void **rw, void **rx);
void *cffi_os_jit_map_single(size_t size, uintptr_t near, char *why, size_t why_size);
/* Unmaps what cffi_os_jit_map_* returned (rx == rw: the single mapping). */
void cffi_os_jit_unmap(void *rx, void *rw, size_t size);
/* Page-aligned [start, start+size) becomes read-execute (executable) or read-write; 0 on failure. */
int cffi_os_jit_protect(void *start, size_t size, int executable, char *why, size_t why_size);
/* Makes code written through the RW view visible to instruction fetch at `rx` (see jit_memory.c). */
void cffi_os_flush_icache(void *rx, size_t size);
/*
 * Whether the OS unwinds through code by registered tables (Windows x64: structured
 * exceptions, longjmp and stack walks need them for generated code with a frame), and
 * the registration: the function at [base+begin, base+end) has its unwind information
 * (UNWIND_INFO) at base+unwind_at. The memory must never be freed. 0 on failure.
 */
extern const int cffi_os_unwind_tables;
int cffi_os_add_unwind_info(void *base, uint32_t begin, uint32_t end, uint32_t unwind_at, char *why, size_t why_size);

/* ---- libraries (library_*.c) ---- */

/* loadLibrary() option bits (src/library.ts has the same numbers). */
enum { CFFI_LIB_DEEP = 1, CFFI_LIB_GLOBAL = 2, CFFI_LIB_LAZY = 4, CFFI_LIB_NODELETE = 8 };
/*
 * Opens the library at `path` (UTF-8), or with path NULL the running program and what it
 * searches by default (Linux: every global symbol; Windows: the main module, then the C
 * runtime). NULL on failure, with a message in why[why_size] and *unsupported set when an
 * option cannot be honoured on this OS (never silently dropped).
 */
void *cffi_os_lib_open(const char *path, uint32_t opts, char *why, size_t why_size, int *unsupported);
/* The address of `name` in a library cffi_os_lib_open returned (handle 0: the default search), or NULL. */
void *cffi_os_lib_symbol(void *handle, const char *name);
void cffi_os_lib_close(void *handle);

#endif
