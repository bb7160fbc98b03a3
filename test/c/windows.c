/*
 * Windows x64 C side of test/windows.test.ts (built into a DLL with the mingw-w64
 * compiler): the platform convention both ways, System V code in a Windows process, the
 * caller's GetLastError() and errno, CreateThread callers, and the OS's own unwinder
 * (structured exceptions, stack walks) through generated stubs.
 */
#include <windows.h>
#include <errno.h>
#include <stdint.h>

__declspec(dllexport) int32_t walk_caller(int32_t (*cb)(void));

typedef struct { int64_t a, b, c; } S24;

/* The platform convention (Win64) both ways: 6 mixed arguments (two on the stack). */
__declspec(dllexport) double call_mixed(double (*cb)(int32_t, double, int32_t, float, int64_t, double)) {
  return cb(1, 2.5, -3, 4.5f, 5000000000LL, -6.25);
}
__declspec(dllexport) double mixed8(int32_t a, double b, int32_t c, float d, int64_t e, double f, int8_t g, float h) {
  return a + b + c + d + (double)e + f + g + h;
}
/* A 24-byte result goes through a hidden pointer (rcx), both ways. */
__declspec(dllexport) S24 make_s24(int64_t x) { S24 s = {x, x * 2, x * 3}; return s; }
__declspec(dllexport) int64_t sum_s24(S24 (*cb)(int64_t)) { S24 s = cb(7); return s.a + s.b + s.c; }

/* System V code in a Windows process (GCC's sysv_abi). */
__attribute__((sysv_abi)) __declspec(dllexport) int64_t sysv_sum8(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e,
                                                                  int64_t f, int64_t g, double h) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + (int64_t)h;
}
__declspec(dllexport) int64_t call_sysv(int64_t (__attribute__((sysv_abi)) *cb)(int64_t, int64_t, int64_t, int64_t,
                                                                               int64_t, int64_t, int64_t, double)) {
  return cb(1, 2, 3, 4, 5, 6, 7, 8.75);
}

/* The native caller's GetLastError() and errno, across a callback that changes both. */
__declspec(dllexport) DWORD last_error_across(void (*cb)(void)) { SetLastError(1234); cb(); return GetLastError(); }
__declspec(dllexport) int errno_across(void (*cb)(void)) { errno = 33; cb(); return errno; }
__declspec(dllexport) void set_errno(int e) { errno = e; }

/* Callbacks from threads Windows creates. */
typedef struct { int32_t (*cb)(int32_t); int32_t arg, result; } job;
static DWORD WINAPI run_job(LPVOID p) { job *j = p; j->result = j->cb(j->arg); return 0; }
__declspec(dllexport) int32_t call_on_threads(int32_t (*cb)(int32_t), int32_t n) {
  job jobs[16]; HANDLE t[16]; int32_t sum = 0;
  if (n > 16) n = 16;
  for (int i = 0; i < n; i++) { jobs[i].cb = cb; jobs[i].arg = i; t[i] = CreateThread(NULL, 0, run_job, &jobs[i], 0, NULL); }
  WaitForMultipleObjects((DWORD)n, t, TRUE, INFINITE);
  for (int i = 0; i < n; i++) { CloseHandle(t[i]); sum += jobs[i].result; }
  return sum;
}

/*
 * A System V function that clobbers every register System V lets it clobber and Win64
 * callers keep (rdi, rsi, xmm6-xmm15): the call stub must restore them for the bridge.
 */
__attribute__((sysv_abi)) __declspec(dllexport) int64_t sysv_clobber(int64_t x);
__asm__(
    ".text\n"
    ".globl sysv_clobber\n"
    "sysv_clobber:\n"
    "  lea 1(%rdi), %rax\n"
    "  mov $0x5151515151515151, %rsi\n"
    "  mov %rsi, %rdi\n"
    "  movq %rsi, %xmm6\n  movq %rsi, %xmm7\n  movq %rsi, %xmm8\n  movq %rsi, %xmm9\n  movq %rsi, %xmm10\n"
    "  movq %rsi, %xmm11\n  movq %rsi, %xmm12\n  movq %rsi, %xmm13\n  movq %rsi, %xmm14\n  movq %rsi, %xmm15\n"
    "  ret\n");
__asm__(".section .drectve\n .ascii \" -export:sysv_clobber\"\n .text\n");

/* ---- unwinding through a callback ---- */

/*
 * A stack walk as debuggers and crash reporters make it (RtlVirtualUnwind, frame by
 * frame, from here): the number of frames up to the first one inside `target`, or -1.
 * A frame without a function table entry is taken for a leaf, as Windows does.
 */
static int frames_to(uintptr_t target) {
  CONTEXT ctx;
  RtlCaptureContext(&ctx);
  for (int depth = 0; depth < 64 && ctx.Rip; depth++) {
    DWORD64 base;
    PRUNTIME_FUNCTION f = RtlLookupFunctionEntry(ctx.Rip, &base, NULL);
    if (f && base + f->BeginAddress == target) return depth;
    if (!f) {
      ctx.Rip = *(DWORD64 *)ctx.Rsp;
      ctx.Rsp += 8;
      continue;
    }
    void *handler_data;
    DWORD64 frame;
    RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, ctx.Rip, f, &ctx, &handler_data, &frame, NULL);
  }
  return -1;
}

static int walked = -2;
static int captured = -2;

/* The closure stages this (callAfterReturn): it runs below the callback's frames. */
__declspec(dllexport) void walk_stack(void) {
  walked = frames_to((uintptr_t)walk_caller);
  void *pcs[62];
  USHORT n = CaptureStackBackTrace(0, 62, pcs, NULL);
  captured = -1;
  for (USHORT i = 0; i < n && captured < 0; i++) {
    DWORD64 base;
    PRUNTIME_FUNCTION f = RtlLookupFunctionEntry((DWORD64)(uintptr_t)pcs[i], &base, NULL);
    if (f && base + f->BeginAddress == (DWORD64)(uintptr_t)walk_caller) captured = i;
  }
}

/* Calls the callback; afterwards walk_result() says how far above walk_stack it was found. */
__declspec(dllexport) __attribute__((noinline)) int32_t walk_caller(int32_t (*cb)(void)) {
  walked = captured = -2;
  return cb() + 1;
}
__declspec(dllexport) int32_t walk_result(int32_t by_capture) { return by_capture ? captured : walked; }

/* Raises a structured exception carrying `value`; never returns normally. */
__declspec(dllexport) void raise_value(int64_t value) {
  ULONG_PTR info[1] = {(ULONG_PTR)value};
  RaiseException(0xE0C0FFEE, 0, 1, info);
}

/*
 * seh_guard(fn) calls fn() under an exception handler: fn's result, or, when code below it
 * raises 0xE0C0FFEE, the exception's value + 1000000 (the handler unwinds to the guard
 * with RtlUnwindEx, which restores every frame in between). The guard is assembly because
 * GCC has no __try/__except; its handler is C.
 */
int64_t seh_guard(int64_t (*fn)(void));
void seh_guard_resume(void);

EXCEPTION_DISPOSITION seh_guard_handler(EXCEPTION_RECORD *rec, void *frame, CONTEXT *ctx, DISPATCHER_CONTEXT *dc) {
  if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) return ExceptionContinueSearch;
  if (rec->ExceptionCode != 0xE0C0FFEE) return ExceptionContinueSearch;
  RtlUnwindEx(frame, (void *)seh_guard_resume, rec, (void *)(rec->ExceptionInformation[0] + 1000000), ctx, dc->HistoryTable);
  return ExceptionContinueSearch; /* not reached */
}

__asm__(
    ".text\n"
    ".globl seh_guard\n"
    ".globl seh_guard_resume\n"
    ".def seh_guard; .scl 2; .type 32; .endef\n"
    ".seh_proc seh_guard\n"
    "seh_guard:\n"
    "  push %rbp\n"
    "  .seh_pushreg %rbp\n"
    "  sub $32, %rsp\n"
    "  .seh_stackalloc 32\n"
    "  .seh_endprologue\n"
    "  .seh_handler seh_guard_handler, @except\n"
    "  call *%rcx\n"
    "  nop\n"
    "seh_guard_resume:\n" /* RtlUnwindEx lands here with rsp as after the prologue, rax = value */
    "  add $32, %rsp\n"
    "  pop %rbp\n"
    "  ret\n"
    ".seh_endproc\n");
__asm__(".section .drectve\n .ascii \" -export:seh_guard\"\n .text\n");
