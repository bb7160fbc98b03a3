/**
 * Windows x64 (run under Wine by scripts/cross/run.sh win32-x64; skipped elsewhere): the
 * platform convention (Win64) both ways, System V thunks and call stubs under a Win64 host,
 * the native caller's GetLastError() and errno across a callback, loadLibrary() without a
 * path, callbacks from CreateThread threads, Win32 callbacks without a context
 * (EnumSystemLocalesW, EnumTimeFormatsW), page protections, loadLibrary's options, and the
 * OS's unwinder through generated code: a structured exception raised below a callback
 * and caught above it, and stack walks from below a callback that reach its C caller.
 * The C side is test/c/windows.c, built into a DLL by the mingw-w64 compiler.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BareFn, BareFnSync, callAfterReturn, cc, FnPtr, loadLibrary, memory, struct } from '../src/index';
import { compileTestLibrary } from './support/cc';
import { mappingOf } from './support/process-maps';

const onWindowsX64 = process.platform === 'win32' && process.arch === 'x64';

/** The NUL-terminated UTF-16 string at `p` (a Windows wide string). */
function wideString(p: bigint): string {
  let units = 0;
  while (memory.read(p + BigInt(units * 2), 2).readUInt16LE(0) !== 0) units++;
  return memory.read(p, units * 2).toString('utf16le');
}

/**
 * Runs a Win32 enumerator whose context-free callback gets one wide string per call
 * (`BOOL CALLBACK (LPWSTR)`): `run` is given the callback; its result, and the strings in order.
 */
function collectWideStrings(run: (callback: bigint) => number): { result: number; strings: string[] } {
  const strings: string[] = [];
  using cb = new BareFn('int32_t (void *)', (p: bigint) => {
    strings.push(wideString(p));
    return 1; // go on
  });
  return { result: run(cb.bare()), strings };
}

const skip = onWindowsX64 ? false : `Windows x64 only; this is ${process.platform}-${process.arch}`;
const lib = onWindowsX64 ? loadLibrary(compileTestLibrary('windows.c')) : undefined!;

describe('Windows x64', { skip }, () => {
  const fn = <S extends string>(proto: S, name: string, sysv = false) =>
    new FnPtr(proto, lib.symbol(name), sysv ? { cc: cc.Sysv64 } : undefined);

  test('the platform convention is Win64: a C caller with 6 mixed arguments (two on the stack)', () => {
    const seen: unknown[] = [];
    using cb = new BareFn('double (int32_t, double, int32_t, float, int64_t, double)', (a, b, c, d, e, f) => {
      seen.push(a, b, c, d, e, f);
      return a + b + c + d + Number(e) + f;
    });
    const got = fn('double (void *)', 'call_mixed').call(cb.bare());
    assert.equal(JSON.stringify(seen, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), '[1,2.5,-3,4.5,"5000000000n",-6.25]', 'arguments');
    assert.equal(got, 1 + 2.5 - 3 + 4.5 + 5e9 - 6.25, 'result');
  });

  test('FnPtr, platform convention: 8 mixed arguments to C', () => {
    const got = fn('double (int32_t, double, int32_t, float, int64_t, double, int8_t, float)', 'mixed8').call(1, 2.5, -3, 4.5, 5n, -6.25, -7, 0.5);
    assert.equal(got, 1 + 2.5 - 3 + 4.5 + 5 - 6.25 - 7 + 0.5, 'result');
  });

  test('a 24-byte struct result through the hidden pointer, both ways', () => {
    const S24 = struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' });
    const made = new FnPtr({ args: ['int64_t'], ret: S24 } as const, lib.symbol('make_s24')).call(5n);
    assert.equal(`${made.a},${made.b},${made.c}`, '5,10,15', 'make_s24');
    using cb = new BareFn({ args: ['int64_t'], ret: S24 } as const, (x: bigint) => ({ a: x, b: x * 10n, c: x * 100n }));
    assert.equal(fn('int64_t (void *)', 'sum_s24').call(cb.bare()), 777n, 'sum_s24');
  });

  test('Sysv64 under a Win64 host: FnPtr to a sysv_abi function (7 integers and a double)', () => {
    const got = fn('int64_t (int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double)', 'sysv_sum8', true)
      .call(1n, 2n, 3n, 4n, 5n, 6n, 7n, 8.75);
    assert.equal(got, 1n + 4n + 9n + 16n + 25n + 36n + 49n + 8n, 'result');
  });

  test('Sysv64 under a Win64 host: a thunk called through a sysv_abi function pointer', () => {
    using cb = new BareFn('int64_t (int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double)',
      (a, b, c, d, e, f, g, h) => a + 2n * b + 3n * c + 4n * d + 5n * e + 6n * f + 7n * g + BigInt(Math.trunc(h)), { cc: cc.Sysv64 });
    assert.equal(fn('int64_t (void *)', 'call_sysv').call(cb.bare()), 1n + 4n + 9n + 16n + 25n + 36n + 49n + 8n, 'result');
  });

  test('the call stub keeps rdi, rsi and xmm6-xmm15 for the bridge across a System V callee that clobbers them', () => {
    const clobber = fn('int64_t (int64_t)', 'sysv_clobber', true);
    for (let i = 0n; i < 2000n; i++) assert.equal(clobber.call(i), i + 1n, 'result');
  });

  test("the native caller's GetLastError() survives a callback that changes it", () => {
    const setLastError = new FnPtr('void (uint32_t)', loadLibrary('kernel32.dll').symbol('SetLastError'));
    using cb = new BareFn('void (void)', () => setLastError.call(99));
    assert.equal(fn('uint32_t (void *)', 'last_error_across').call(cb.bare()), 1234, 'GetLastError() after the callback');
  });

  test("the native caller's errno survives a callback that changes it (the C runtime the DLL uses)", () => {
    const setErrno = fn('void (int)', 'set_errno');
    using cb = new BareFn('void (void)', () => setErrno.call(5));
    assert.equal(fn('int (void *)', 'errno_across').call(cb.bare()), 33, 'errno after the callback');
  });

  test('loadLibrary() without a path: the main module, then the C runtime (qsort with a BareFn comparator)', () => {
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
      assert.equal(sorted.join(), Int32Array.from(values).sort().join(), 'sorted');
    } finally {
      memory.free(base);
    }
    assert.equal(typeof self.symbol('napi_create_object'), 'bigint', 'a symbol of node.exe');
  });

  test('a BareFnSync called from 8 CreateThread threads (serviceCallbacks: the JS thread serves them)', () => {
    using cb = new BareFnSync('int32_t (int32_t)', (i: number) => i * i + 1);
    const run = new FnPtr('int32_t (void *, int32_t)', lib.symbol('call_on_threads'), { serviceCallbacks: true });
    assert.equal(run.call(cb.bare(), 8), [0, 1, 2, 3, 4, 5, 6, 7].reduce((s, i) => s + i * i + 1, 0), 'sum');
  });

  test('a context-free Win32 callback: EnumSystemLocalesW with a BareFn', () => {
    const enumLocales = new FnPtr('int32_t (void *, uint32_t)', loadLibrary('kernel32.dll').symbol('EnumSystemLocalesW'));
    const { result, strings: names } = collectWideStrings((cb) => enumLocales.call(cb, 2 /* LCID_SUPPORTED */));
    assert.equal(result, 1, 'EnumSystemLocalesW');
    assert.ok(names.length > 10, `${names.length} locales`);
    assert.ok(names.every((n) => /^[0-9A-Fa-f]{8}$/.test(n)), `locales: ${names.slice(0, 5).join(', ')}`);
  });

  test('thunk code is executable and read-only (PAGE_EXECUTE_READ)', () => {
    using cb = new BareFn('int (int)', (x: number) => x + 1);
    assert.equal(mappingOf(cb.bare())?.protect, 0x20 /* PAGE_EXECUTE_READ */, 'protection of the thunk');
  });

  test("loadLibrary options on Windows: deep and nodelete accepted, global and lazy refused", () => {
    const path = lib.path!;
    loadLibrary(path, { deep: true }).close();
    loadLibrary(path, { nodelete: true });
    for (const opt of ['global', 'lazy'] as const) {
      try {
        loadLibrary(path, { [opt]: true });
        assert.fail(`${opt} was accepted`);
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'ERR_UNSUPPORTED_PLATFORM', `${opt}: error code`);
      }
    }
  });

  test('a context-free Win32 callback with a string argument: EnumTimeFormatsW', () => {
    const enumTimeFormats = new FnPtr('int32_t (void *, uint32_t, uint32_t)', loadLibrary('kernel32.dll').symbol('EnumTimeFormatsW'));
    const { result, strings: formats } = collectWideStrings((cb) => enumTimeFormats.call(cb, 0x400 /* LOCALE_USER_DEFAULT */, 0));
    assert.equal(result, 1, 'EnumTimeFormatsW');
    assert.ok(formats.length > 0 && formats.every((f) => /[Hh]/.test(f)), `time formats: ${formats.join(' | ')}`);
  });
});

describe('Windows x64: the OS unwinds through generated code', { skip }, () => {

  test('a structured exception raised in C below a callback is caught by a handler above it, 1,000 times', () => {
    const guard = new FnPtr('int64_t (void *)', lib.symbol('seh_guard'));
    const raise = new FnPtr('void (int64_t)', lib.symbol('raise_value'));
    let calls = 0;
    using cb = new BareFn('int64_t (void)', () => {
      calls++;
      if (calls % 2) callAfterReturn(raise, BigInt(calls)); // raised after the closure returned, below the entry stub
      return 7n;
    });
    for (let i = 1; i <= 1000; i++) assert.equal(guard.call(cb.bare()), i % 2 ? 1_000_000n + BigInt(i) : 7n, `call ${i}`);
    // JS and the bridge are intact: a plain callback and an outbound call still work.
    using plain = new BareFn('int64_t (void)', () => 5n);
    assert.equal(guard.call(plain.bare()), 5n);
  });

  for (const how of ['RtlVirtualUnwind', 'CaptureStackBackTrace'] as const) {
    test(`a stack walk with ${how} from below a callback reaches its C caller`, () => {
      const walkCaller = new FnPtr('int32_t (void *)', lib.symbol('walk_caller'));
      const walkStack = new FnPtr('void (void)', lib.symbol('walk_stack'));
      const result = new FnPtr('int32_t (int32_t)', lib.symbol('walk_result'));
      using cb = new BareFn('int32_t (void)', () => {
        callAfterReturn(walkStack);
        return 41;
      });
      assert.equal(walkCaller.call(cb.bare()), 42);
      // walk_stack <- call stub <- bridge <- entry stub <- (thunk: a jump) <- walk_caller
      const depth = result.call(how === 'CaptureStackBackTrace' ? 1 : 0);
      assert.ok(depth >= 3 && depth < 12, `walk_caller found ${depth} frames up`);
    });
  }
});
