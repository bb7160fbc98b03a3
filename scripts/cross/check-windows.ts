/**
 * Checks closure-ffi on Windows x64 where the test suite cannot reach yet: the platform
 * convention (Win64) both ways, System V thunks and call stubs under a Win64 host, the
 * native caller's GetLastError() and errno across a callback, loadLibrary() without a path,
 * callbacks from CreateThread threads, Win32 callbacks without a context (EnumSystemLocalesW),
 * the pages of thunks and stubs (never writable and executable), and loadLibrary's options.
 *
 *   scripts/cross/run.sh win32-x64 -- node --import tsx scripts/cross/check-windows.ts
 *
 * The C side is compiled with $CC (the runner's mingw-w64: a DLL). Each check prints `ok` or
 * `FAIL`; the exit status is 1 if one failed.
 */
import { BareFn, BareFnSync, cc, FnPtr, loadLibrary, memory, struct } from '../../src/index';
import { compileSharedLibrary } from '../../test/support/cc';
import { check, expect, finish } from './checks';

if (process.platform !== 'win32' || process.arch !== 'x64') {
  console.log(`skip - this checks Windows x64; this is ${process.platform}-${process.arch}`);
  process.exit(0);
}


const SOURCE = String.raw`
#include <windows.h>
#include <errno.h>
#include <stdint.h>

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

/* Page protections (VirtualQuery). */
__declspec(dllexport) uint32_t protect_of(void *p) {
  MEMORY_BASIC_INFORMATION m;
  return VirtualQuery(p, &m, sizeof m) ? m.Protect : 0;
}
/* Committed regions of the process that are writable and executable; *first gets the first one. */
__declspec(dllexport) int32_t count_wx(uint64_t *first) {
  int32_t n = 0;
  MEMORY_BASIC_INFORMATION m;
  for (char *p = 0; VirtualQuery(p, &m, sizeof m); p = (char *)m.BaseAddress + m.RegionSize) {
    DWORD prot = m.Protect & 0xff;
    if (m.State == MEM_COMMIT && (prot == PAGE_EXECUTE_READWRITE || prot == PAGE_EXECUTE_WRITECOPY)) {
      if (n++ == 0) *first = (uint64_t)(uintptr_t)m.BaseAddress;
    }
    if ((uintptr_t)p + m.RegionSize < (uintptr_t)p) break;
  }
  return n;
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
`;

const lib = loadLibrary(compileSharedLibrary('check-windows', SOURCE));
const fn = <S extends string>(proto: S, name: string, sysv = false) =>
  new FnPtr(proto, lib.symbol(name), sysv ? { cc: cc.Sysv64 } : undefined);

check('the platform convention is Win64: a C caller with 6 mixed arguments (two on the stack)', () => {
  const seen: unknown[] = [];
  using cb = new BareFn('double (int32_t, double, int32_t, float, int64_t, double)', (a, b, c, d, e, f) => {
    seen.push(a, b, c, d, e, f);
    return a + b + c + d + Number(e) + f;
  });
  const got = fn('double (void *)', 'call_mixed').call(cb.bare());
  expect(JSON.stringify(seen, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), '[1,2.5,-3,4.5,"5000000000n",-6.25]', 'arguments');
  expect(got, 1 + 2.5 - 3 + 4.5 + 5e9 - 6.25, 'result');
});

check('FnPtr, platform convention: 8 mixed arguments to C', () => {
  const got = fn('double (int32_t, double, int32_t, float, int64_t, double, int8_t, float)', 'mixed8').call(1, 2.5, -3, 4.5, 5n, -6.25, -7, 0.5);
  expect(got, 1 + 2.5 - 3 + 4.5 + 5 - 6.25 - 7 + 0.5, 'result');
});

check('a 24-byte struct result through the hidden pointer, both ways', () => {
  const S24 = struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' });
  const made = new FnPtr({ args: ['int64_t'], ret: S24 } as const, lib.symbol('make_s24')).call(5n);
  expect(`${made.a},${made.b},${made.c}`, '5,10,15', 'make_s24');
  using cb = new BareFn({ args: ['int64_t'], ret: S24 } as const, (x: bigint) => ({ a: x, b: x * 10n, c: x * 100n }));
  expect(fn('int64_t (void *)', 'sum_s24').call(cb.bare()), 777n, 'sum_s24');
});

check('Sysv64 under a Win64 host: FnPtr to a sysv_abi function (7 integers and a double)', () => {
  const got = fn('int64_t (int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double)', 'sysv_sum8', true)
    .call(1n, 2n, 3n, 4n, 5n, 6n, 7n, 8.75);
  expect(got, 1n + 4n + 9n + 16n + 25n + 36n + 49n + 8n, 'result');
});

check('Sysv64 under a Win64 host: a thunk called through a sysv_abi function pointer', () => {
  using cb = new BareFn('int64_t (int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double)',
    (a, b, c, d, e, f, g, h) => a + 2n * b + 3n * c + 4n * d + 5n * e + 6n * f + 7n * g + BigInt(Math.trunc(h)), { cc: cc.Sysv64 });
  expect(fn('int64_t (void *)', 'call_sysv').call(cb.bare()), 1n + 4n + 9n + 16n + 25n + 36n + 49n + 8n, 'result');
});

check('the call stub keeps rdi, rsi and xmm6-xmm15 for the bridge across a System V callee that clobbers them', () => {
  const clobber = fn('int64_t (int64_t)', 'sysv_clobber', true);
  for (let i = 0n; i < 2000n; i++) expect(clobber.call(i), i + 1n, 'result');
  return '2000 calls';
});

check("the native caller's GetLastError() survives a callback that changes it", () => {
  const setLastError = new FnPtr('void (uint32_t)', loadLibrary('kernel32.dll').symbol('SetLastError'));
  using cb = new BareFn('void (void)', () => setLastError.call(99));
  expect(fn('uint32_t (void *)', 'last_error_across').call(cb.bare()), 1234, 'GetLastError() after the callback');
});

check("the native caller's errno survives a callback that changes it (the C runtime the DLL uses)", () => {
  const setErrno = fn('void (int)', 'set_errno');
  using cb = new BareFn('void (void)', () => setErrno.call(5));
  expect(fn('int (void *)', 'errno_across').call(cb.bare()), 33, 'errno after the callback');
});

check('loadLibrary() without a path: the main module, then the C runtime (qsort with a BareFn comparator)', () => {
  const self = loadLibrary();
  const qsort = new FnPtr('void (void *, size_t, size_t, void *)', self.symbol('qsort'));
  const values = Int32Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) - 500);
  const base = memory.alloc(values.byteLength);
  try {
    memory.write(base, values);
    using cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) => {
      const x = memory.read(a, 4).readInt32LE(0), y = memory.read(b, 4).readInt32LE(0);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    qsort.call(base, 500n, 4n, cmp.bare());
    const sorted = new Int32Array(memory.read(base, values.byteLength).buffer.slice(0));
    expect(sorted.join(), Int32Array.from(values).sort().join(), 'sorted');
  } finally {
    memory.free(base);
  }
  expect(typeof self.symbol('napi_create_object'), 'bigint', 'a symbol of node.exe');
});

check('a BareFnSync called from 8 CreateThread threads (serviceCallbacks: the JS thread serves them)', () => {
  using cb = new BareFnSync('int32_t (int32_t)', (i: number) => i * i + 1);
  const run = new FnPtr('int32_t (void *, int32_t)', lib.symbol('call_on_threads'), { serviceCallbacks: true });
  expect(run.call(cb.bare(), 8), [0, 1, 2, 3, 4, 5, 6, 7].reduce((s, i) => s + i * i + 1, 0), 'sum');
});

check('a context-free Win32 callback: EnumSystemLocalesW with a BareFn', () => {
  const enumLocales = new FnPtr('int32_t (void *, uint32_t)', loadLibrary('kernel32.dll').symbol('EnumSystemLocalesW'));
  const names: string[] = [];
  using cb = new BareFn('int32_t (void *)', (p: bigint) => {
    names.push(Buffer.from(memory.read(p, 16)).toString('utf16le').split('\0')[0]!);
    return 1;
  });
  expect(enumLocales.call(cb.bare(), 2 /* LCID_SUPPORTED */), 1, 'EnumSystemLocalesW');
  if (names.length === 0 || !names.every((n) => /^[0-9A-Fa-f]{8}$/.test(n))) throw new Error(`locales: ${names.slice(0, 5).join(', ')}`);
  return `${names.length} locales`;
});

check('thunk code is executable and read-only; no page of it is writable', () => {
  using cb = new BareFn('int (int)', (x: number) => x + 1);
  const protectOf = fn('uint32_t (void *)', 'protect_of');
  expect(protectOf.call(cb.bare()), 0x20 /* PAGE_EXECUTE_READ */, 'protection of the thunk');
  const countWx = fn('int32_t (void *)', 'count_wx');
  const first = memory.alloc(8);
  try {
    const n = countWx.call(first);
    // Not closure-ffi's (its thunk is PAGE_EXECUTE_READ above): V8's code space or Wine's own.
    return `the process has ${n} writable+executable region(s) elsewhere${n ? `, first at 0x${memory.read(first, 8).readBigUInt64LE(0).toString(16)}` : ''}`;
  } finally {
    memory.free(first);
  }
});

check("loadLibrary options on Windows: deep and nodelete accepted, global and lazy refused", () => {
  const path = lib.path!;
  loadLibrary(path, { deep: true }).close();
  loadLibrary(path, { nodelete: true });
  for (const opt of ['global', 'lazy'] as const) {
    try {
      loadLibrary(path, { [opt]: true });
      throw new Error(`${opt} was accepted`);
    } catch (e) {
      expect((e as { code?: string }).code, 'ERR_UNSUPPORTED_PLATFORM', `${opt}: error code`);
    }
  }
});

finish();
