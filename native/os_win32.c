/*
 * The OS layer (os.h) for Windows: SRW locks and condition variables, WaitOnAddress,
 * GetCurrentThreadStackLimits, GetModuleHandleEx(PIN), ReadProcessMemory, and the native
 * caller's GetLastError() and C runtime errno kept across a callback. Windows 8 or later
 * (GetCurrentThreadStackLimits, WaitOnAddress); Node 22 needs Windows 10 anyway.
 * C that MSVC accepts (checked here with mingw-w64 only): see os.h.
 */
#include "win32_api.h"
#include "os.h"
#include <tlhelp32.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

/* os.h declares these without windows.h: they must be the real types' size. */
typedef char cffi_check_mutex_size[sizeof(cffi_mutex) == sizeof(SRWLOCK) ? 1 : -1];
typedef char cffi_check_cond_size[sizeof(cffi_cond) == sizeof(CONDITION_VARIABLE) ? 1 : -1];
typedef char cffi_check_thread_size[sizeof(cffi_thread) == sizeof(DWORD) ? 1 : -1];

void cffi_mutex_init(cffi_mutex *m) { InitializeSRWLock((PSRWLOCK)m); }
void cffi_mutex_lock(cffi_mutex *m) { AcquireSRWLockExclusive((PSRWLOCK)m); }
void cffi_mutex_unlock(cffi_mutex *m) { ReleaseSRWLockExclusive((PSRWLOCK)m); }
void cffi_cond_init(cffi_cond *c) { InitializeConditionVariable((PCONDITION_VARIABLE)c); }
void cffi_cond_wait(cffi_cond *c, cffi_mutex *m) { SleepConditionVariableSRW((PCONDITION_VARIABLE)c, (PSRWLOCK)m, INFINITE, 0); }
void cffi_cond_broadcast(cffi_cond *c) { WakeAllConditionVariable((PCONDITION_VARIABLE)c); }
cffi_thread cffi_os_current_thread(void) { return GetCurrentThreadId(); }

/* The message of Windows error `code`, in a per-thread buffer. */
static const char *error_text(DWORD code) {
  static CFFI_THREAD_LOCAL char buf[256];
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, buf, sizeof buf, NULL);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '.')) buf[--n] = 0;
  if (n == 0) snprintf(buf, sizeof buf, "Windows error %lu", (unsigned long)code);
  return buf;
}

typedef struct thread_start {
  void (*fn)(void *);
  void *arg;
} thread_start;

static DWORD WINAPI thread_main(LPVOID p) {
  thread_start s = *(thread_start *)p;
  free(p);
  s.fn(s.arg);
  return 0;
}

const char *cffi_os_start_thread(cffi_thread_handle *h, void (*fn)(void *), void *arg, size_t stack_bytes) {
  thread_start *s = malloc(sizeof *s);
  if (!s) return "out of memory";
  s->fn = fn;
  s->arg = arg;
  HANDLE t = CreateThread(NULL, stack_bytes, thread_main, s, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
  if (t) {
    *h = t;
    return NULL;
  }
  free(s);
  return error_text(GetLastError());
}

void cffi_os_join_thread(cffi_thread_handle h) {
  WaitForSingleObject(h, INFINITE);
  CloseHandle(h);
}

long cffi_os_thread_id(void) { return (long)GetCurrentThreadId(); }

/*
 * Windows does not record which thread is the main one: it is the process's oldest thread
 * (found once, when the bridge is first loaded, by creation time from a snapshot of the
 * process's threads; if that fails, the thread that loads the bridge: Node's main thread,
 * unless the first load is in a Worker).
 */
static DWORD main_thread_id;

static BOOL CALLBACK find_main_thread(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  DWORD pid = GetCurrentProcessId(), best = 0;
  ULONGLONG best_time = ~0ULL;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap != INVALID_HANDLE_VALUE) {
    THREADENTRY32 te;
    te.dwSize = sizeof te;
    for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te)) {
      if (te.dwSize < FIELD_OFFSET(THREADENTRY32, th32OwnerProcessID) + sizeof te.th32OwnerProcessID ||
          te.th32OwnerProcessID != pid) {
        te.dwSize = sizeof te;
        continue;
      }
      FILETIME created, exited, kernel, user;
      HANDLE t = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, te.th32ThreadID);
      if (t) {
        if (GetThreadTimes(t, &created, &exited, &kernel, &user)) {
          ULONGLONG when = ((ULONGLONG)created.dwHighDateTime << 32) | created.dwLowDateTime;
          if (when < best_time) best_time = when, best = te.th32ThreadID;
        }
        CloseHandle(t);
      }
      if (!best) best = te.th32ThreadID; /* the snapshot lists threads oldest first in practice */
      te.dwSize = sizeof te;
    }
    CloseHandle(snap);
  }
  main_thread_id = best ? best : GetCurrentThreadId();
  return TRUE;
}

int cffi_os_is_main_thread(void) { return GetCurrentThreadId() == main_thread_id; }

int cffi_os_thread_stack(uintptr_t *lo, uintptr_t *hi) {
  ULONG_PTR low = 0, high = 0;
  GetCurrentThreadStackLimits(&low, &high); /* the whole reservation, committed or not */
  *lo = (uintptr_t)low;
  *hi = (uintptr_t)high;
  return low != 0;
}

/*
 * A thread's stack is reserved whole but committed a page at a time, as the guard page
 * below the committed part is touched: touching every page from the top down grows it
 * like a deep call would (what the compiler's __chkstk does for a large frame). Pages
 * already committed are only read.
 */
void cffi_os_commit_stack(uintptr_t lo, uintptr_t hi) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  uintptr_t page = si.dwPageSize;
  for (uintptr_t p = (hi - 1) & ~(page - 1); p >= lo; p -= page) (void)*(volatile const char *)p;
}

void cffi_os_wait_on_address(int *addr, int seen, long ms) { WaitOnAddress(addr, &seen, sizeof seen, (DWORD)ms); }

void cffi_os_wake_address(int *addr) { WakeByAddressSingle(addr); }

long cffi_os_monotonic_ms(void) { return (long)GetTickCount64(); }

void cffi_os_yield(void) { SwitchToThread(); }

int cffi_os_pin_module(const void *code, const char **why) {
  HMODULE self;
  if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN, (LPCWSTR)code, &self))
    return 1;
  *why = error_text(GetLastError());
  return 0;
}

/*
 * The C runtimes whose errno a callback keeps: [0] the bridge's own (`errno`), [1]
 * ucrtbase.dll's and [2] msvcrt.dll's (Windows' two shared C runtimes; each DLL linked
 * against the C runtime dynamically uses one of them). Loaded once here, so that one loaded
 * later is never missed; the slot of the one the bridge itself uses is simply kept twice.
 */
typedef int *(__cdecl *errno_fn)(void);
static errno_fn crt_errno[3];

static BOOL CALLBACK find_crt_errno(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  static const wchar_t *const names[] = {L"ucrtbase.dll", L"msvcrt.dll"};
  for (int i = 0; i < 2; i++) {
    HMODULE m = LoadLibraryW(names[i]);
    if (m) crt_errno[i + 1] = (errno_fn)(void (*)(void))GetProcAddress(m, "_errno");
  }
  return TRUE;
}

void cffi_os_save_errors(cffi_os_errors *e) {
  e->last_error = GetLastError(); /* first: whatever runs next may change it */
  e->crt_errno[0] = errno;
  for (int i = 1; i < 3; i++) e->crt_errno[i] = crt_errno[i] ? *crt_errno[i]() : 0;
  SetLastError(e->last_error);
}

void cffi_os_restore_errors(const cffi_os_errors *e) {
  errno = e->crt_errno[0];
  for (int i = 1; i < 3; i++)
    if (crt_errno[i]) *crt_errno[i]() = e->crt_errno[i];
  SetLastError(e->last_error); /* last */
}

static INIT_ONCE os_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK os_init_once(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  find_main_thread(once, param, ctx);
  find_crt_errno(once, param, ctx);
  return TRUE;
}

void cffi_os_init(void) { InitOnceExecuteOnce(&os_once, os_init_once, NULL, NULL); }

void cffi_os_signals_init(cffi_os_signals *s) { s->unused = 0; }

int cffi_os_in_signal_handler(cffi_os_signals *s) { return 0; }

void cffi_os_write_stderr(const char *msg, size_t len) {
  DWORD written;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), msg, (DWORD)len, &written, NULL);
}

size_t cffi_os_page_size(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwPageSize;
}

void *cffi_os_aligned_alloc(size_t align, size_t size) { return _aligned_malloc(size, align); }

void cffi_os_aligned_free(void *p) { _aligned_free(p); }

/* ReadProcessMemory on the process itself: an unreadable byte fails the call (ERROR_PARTIAL_COPY, ERROR_NOACCESS) instead of faulting. */
int cffi_os_read_checked(void *out, uint64_t src, size_t len) {
  SIZE_T n = 0;
  if (len == 0) return 1;
  return ReadProcessMemory(GetCurrentProcess(), (LPCVOID)(uintptr_t)src, out, len, &n) && n == len;
}
