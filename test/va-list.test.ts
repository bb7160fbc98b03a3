/**
 * va_list both ways, under the platform's C convention (System V on x86-64 Linux, Win64 on
 * Windows, AAPCS64 on AArch64, whose va_list is a 32-byte struct passed as a pointer to a
 * copy) and, on x86-64, the other one (Win64 on Linux, System V on Windows; test/c/va_list.c):
 * a variadic thunk
 * forwards its VaList to vsprintf-style functions (the seed's case, every promoted kind,
 * more arguments than registers); `va_list` callbacks called from C through a va_start
 * wrapper read their VaList with next(), format() it and forward it again; next() after a
 * forward; what ends with the call; and that arguments are not read one native call each.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BareFn, BareFnSync, cc, DisposedError, FnPtr, loadLibrary, memory, struct, thunkFactory, type VaList } from '../src/index';
import { bridge } from '../src/native/bridge';
import { compileTestLibrary } from './support/cc';
import { keep } from './support/keep';
import { ON_WINDOWS } from './support/platform';

/**
 * mingw-w64's GCC 12 stops with an internal error (in choose_baseaddr) on Win64 functions
 * that call System V ones in a file that also has a System V function using va_start;
 * telling it the 16-byte stack alignment Win64 guarantees anyway avoids that.
 */
const GCC_WORKAROUND = ON_WINDOWS ? ['-mincoming-stack-boundary=4'] : [];
const lib = loadLibrary(compileTestLibrary('va_list.c', ['-pthread', ...GCC_WORKAROUND]));
const libc = loadLibrary();
const SEED = 'dec = 42, hex = DEADBEEF123, chr = ?, pi = 3.14';

const vsprintf = new FnPtr('int (char *buf, const char *fmt, va_list ap)', libc.symbol('vsprintf'));
const vsnprintf = new FnPtr('int (char *buf, size_t n, cstring fmt, va_list ap)', libc.symbol('vsnprintf'));
const X64 = process.arch === 'x64';
/** The platform's C convention, as the tests name it. */
const HOST_CC = !X64 ? 'AAPCS64' : ON_WINDOWS ? 'Win64' : 'System V';
/**
 * On x86-64, the other convention, in which test/c/va_list.c builds its `other_*` and
 * `*_other` functions: Win64 (ms_abi) on Linux, System V (sysv_abi) on Windows.
 */
const OTHER = !X64 ? undefined : ON_WINDOWS ? { cc: cc.Sysv64, name: 'System V', attribute: 'sysv_abi' } : { cc: cc.Win64, name: 'Win64', attribute: 'ms_abi' };
/**
 * Whether the C library (of the platform's convention) takes a VaList of the other one: a
 * Win64 VaList becomes a System V va_list whose registers are used up, so glibc takes it;
 * a System V one with arguments left in registers cannot become a Win64 va_list (the order
 * of integer and floating-point arguments is lost), so on Windows neither the C runtime's
 * v*printf nor VaList.format() (which is the C runtime's vsnprintf) takes it.
 */
const LIBC_TAKES_OTHER = !ON_WINDOWS;
const otherVsprintf = OTHER && new FnPtr('int (char *buf, const char *fmt, va_list ap)', lib.symbol('other_vsprintf'), { cc: OTHER.cc });
const otherVsnprintf = OTHER && new FnPtr('int (char *buf, size_t n, cstring fmt, va_list ap)', lib.symbol('other_vsnprintf'), { cc: OTHER.cc });
const sum: Record<string, FnPtr<'double (cstring fmt, va_list ap)'>> = { [HOST_CC]: new FnPtr('double (cstring fmt, va_list ap)', lib.symbol('v_sum')) };
if (OTHER) sum[OTHER.name] = new FnPtr('double (cstring fmt, va_list ap)', lib.symbol('other_v_sum'), { cc: OTHER.cc });

/** What C's own sprintf writes for the call `call_<name>` makes. */
function expected(name: string): string {
  const buf = memory.alloc(512);
  try {
    new FnPtr('void (char *)', lib.symbol(`expect_${name}`)).call(buf);
    return memory.readCString(buf)!;
  } finally {
    memory.free(buf);
  }
}

/** Runs C's `call_<name>` (which calls `fn` like sprintf into a buffer); returns [result, text]. */
function callLikeSprintf(name: string, fn: bigint): [number, string] {
  const buf = memory.alloc(512);
  try {
    const n = new FnPtr('int (void *, char *)', lib.symbol(`call_${name}`)).call(fn, buf);
    return [n, memory.readCString(buf)!];
  } finally {
    memory.free(buf);
  }
}

/** Counts native reads of memory (stack chunks, va_list tags) while `fn` runs. */
function countReads(fn: () => void): number {
  const original = bridge.readSafe;
  let n = 0;
  bridge.readSafe = (p, len) => (n++, original(p, len));
  try {
    fn();
  } finally {
    bridge.readSafe = original;
  }
  return n;
}

/** What `fn` (a vsnprintf) writes for `fmt` and `va`. */
function formatWith(fn: FnPtr<'int (char *buf, size_t n, cstring fmt, va_list ap)'>, va: VaList, fmt: string): string {
  const buf = memory.alloc(512);
  try {
    fn.call(buf, 512n, fmt, va);
    return memory.readCString(buf)!;
  } finally {
    memory.free(buf);
  }
}

for (const conv of [{ name: HOST_CC, cc: undefined, suffix: '' }, ...(OTHER ? [{ ...OTHER, suffix: '_other' }] : [])]) {
  const { suffix } = conv;
  const opts = { cc: conv.cc };
  const libcTakes = !suffix || LIBC_TAKES_OTHER;
  /** A vsnprintf this convention's VaLists can go to: the C library's where it takes them, else test C's. */
  const ownVsnprintf = libcTakes ? vsnprintf : otherVsnprintf!;
  /** `va.format(fmt)`; where the C library cannot take the VaList, that refusal is checked and test C's vsnprintf writes the text. */
  const format = (va: VaList, fmt: string): string => {
    if (libcTakes) return va.format(fmt);
    assert.throws(() => va.format(fmt), { code: 'ERR_UNSUPPORTED_CONVENTION', message: /cannot be passed as a Win64 va_list/ });
    return formatWith(otherVsnprintf!, va, fmt);
  };
  const forwarders: Record<string, FnPtr<'int (char *buf, const char *fmt, va_list ap)'>> = !suffix
    ? { 'the C library\'s vsprintf': vsprintf }
    : { [`${OTHER!.attribute} vsprintf`]: otherVsprintf!, ...(LIBC_TAKES_OTHER ? { [`the C library's vsprintf (${HOST_CC})`]: vsprintf } : {}) };

  describe(`a variadic thunk forwards its VaList (${conv.name})`, () => {
    for (const [what, target] of Object.entries(forwarders)) {
      test(`the seed's case: sprintf in JS through ${what}`, () => {
        const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (buf, fmt, va) => target.call(buf, fmt, va), opts));
        assert.deepEqual(callLikeSprintf(`seed${suffix}`, cb.bare()), [SEED.length, SEED]);
      });

      test(`every promoted kind, and 12 ints with 10 doubles (past the registers), through ${what}`, () => {
        const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (buf, fmt, va) => target.call(buf, fmt, va), opts));
        for (const name of ['kinds', 'many']) {
          const want = expected(name);
          assert.deepEqual(callLikeSprintf(`${name}${suffix}`, cb.bare()), [Buffer.byteLength(want), want], name);
        }
      });
    }

    test('vsnprintf with a size, and format(): the same text, twice from one VaList', () => {
      const texts: string[] = [];
      const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (buf, fmt, va) => {
        const f = memory.readCString(fmt)!;
        texts.push(format(va, f));
        const n = ownVsnprintf.call(buf, 512n, f, va);
        texts.push(format(va, f)); // a forward does not move the VaList
        return n;
      }, opts));
      for (const name of ['seed', 'kinds', 'many']) {
        texts.length = 0;
        const want = expected(name);
        assert.deepEqual(callLikeSprintf(`${name}${suffix}`, cb.bare()), [Buffer.byteLength(want), want]);
        assert.deepEqual(texts, [want, want]);
      }
    });

    test('next() then a forward: the callee sees the unread arguments; next() after it reads what the callee read first', () => {
      // 14 '...' arguments, doubles and int64s mixed: in registers and on the stack.
      const args = Array.from({ length: 14 }, (_, i) => (i % 3 === 1 ? ['double', i + 0.5] : ['int64_t', BigInt(i * 10)])) as [string, number | bigint][];
      const fmt = args.map(([t]) => (t === 'double' ? 'd' : 'l')).join('');
      const seen: unknown[] = [];
      const cb = keep(new BareFn('double (cstring fmt, ...)', (f, va) => {
        const k = 5;
        for (let i = 0; i < k; i++) seen.push(va.next(args[i]![0]));
        const rest = sum[conv.name]!.call(f!.slice(k), va);
        seen.push(va.next(args[k]![0]), va.next(args[k + 1]![0]));
        return rest;
      }, opts));
      const caller = new FnPtr('double (cstring fmt, ...)', cb.bare(), opts);
      const got = caller.call(fmt, ...args.flat());
      assert.equal(got, args.slice(5).reduce((a, [, v]) => a + Number(v), 0));
      assert.deepEqual(seen, [...args.slice(0, 5).map(([, v]) => v), args[5]![1], args[6]![1]]);
    });

    test('28 arguments are read with a few native reads, not one per argument', () => {
      const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (_buf, _fmt, va) => {
        for (let i = 0; i < 22; i++) va.next(i % 2 && i < 20 ? 'double' : 'int');
        return 0;
      }, opts));
      const reads = countReads(() => callLikeSprintf(`many${suffix}`, cb.bare()));
      assert.ok(reads <= 2, `${reads} native reads for 22 arguments`);
    });
  });

  describe(`va_list callbacks called from C (${conv.name})`, () => {
    const prefix = suffix ? 'other_' : '';
    const setHook = new FnPtr('void (void *)', lib.symbol(`set_${prefix}log_callback`));
    const logMessage = new FnPtr('void (void *ctx, int level, int skip, cstring fmt, ...)', lib.symbol(`${prefix}log_message`), opts);
    const LOG = 'void (void *ctx, int level, const char *fmt, va_list ap)';

    test('a logging hook reads its va_list with next(), format() and vsnprintf, after the caller read one argument', () => {
      const log: unknown[] = [];
      const hook = keep(new BareFn(LOG, (ctx, level, fmt, ap) => {
        const f = memory.readCString(fmt)!;
        const buf = memory.alloc(256);
        try {
          ownVsnprintf.call(buf, 256n, f, ap);
          log.push(ctx, level, format(ap, f), memory.readCString(buf), ap.next('int'), ap.next('cstring'), ap.next('double'));
        } finally {
          memory.free(buf);
        }
      }, opts));
      setHook.call(hook.bare());
      // The wrapper reads the first int (-1) itself, then hands the rest on as a va_list.
      logMessage.call(0x1234n, 3, 1, '%d %s %.3f', 'int', -1, 'int', 7, 'cstring', 'héllo', 'double', 2.5);
      const text = '7 héllo 2.500';
      assert.deepEqual(log.slice(0, 5), [0x1234n, 3, text, text, 7]);
      assert.equal(memory.readCString(log[5] as bigint), 'héllo');
      assert.equal(log[6], 2.5);
    });

    test('12 ints and 10 doubles through a va_list (past the registers)', () => {
      const got: unknown[] = [];
      const hook = keep(new BareFn(LOG, (_ctx, _level, fmt, ap) => {
        got.push(format(ap, memory.readCString(fmt)!));
        for (let i = 0; i < 22; i++) got.push(ap.next(i % 2 && i < 20 ? 'double' : 'int'));
      }, opts));
      setHook.call(hook.bare());
      new FnPtr('void (void *)', lib.symbol(`${prefix}log_many`)).call(0n);
      assert.equal(got[0], expected('many'));
      assert.deepEqual(got.slice(1), [1, 0.5, -2, 1.5, 3, -2.5, 4, 3.5, -5, 4.5, 6, -5.5, 7, 6.5, -8, 7.5, 9, -8.5, 10, 9.5, -11, 12]);
    });

    test('the caller\'s va_list does not move when the closure reads its copy', () => {
      const hook = keep(new BareFn(LOG, (_ctx, _level, _fmt, ap) => {
        ap.next('int');
        ap.next('int');
      }, opts));
      setHook.call(hook.bare());
      const then = new FnPtr('int (void *, cstring, ...)', lib.symbol(`${prefix}log_then_read`), opts);
      assert.equal(then.call(0n, '%d %d', 'int', 41, 'int', 42), 41);
    });

    test('a va_list forwarded on to another va_list thunk (JS -> native -> JS), and from there to vsnprintf', () => {
      let inner = '';
      const second = keep(new BareFn('void (cstring fmt, va_list ap)', (fmt, ap) => {
        inner = `${format(ap, fmt!)}|${ap.next('int')}|${format(ap, '%d')}`;
      }, opts));
      const toSecond = new FnPtr('void (cstring fmt, va_list ap)', second.bare(), opts);
      const hook = keep(new BareFn(LOG, (_ctx, _level, fmt, ap) => toSecond.call(memory.readCString(fmt), ap), opts));
      setHook.call(hook.bare());
      logMessage.call(0n, 0, 0, '%d-%d', 'int', 5, 'int', 6);
      assert.equal(inner, '5-6|5|6');
    });
  });

  test(`a VaList ends when its closure returns: next(), format() and forwarding throw DisposedError (${conv.name})`, () => {
    let kept: VaList | undefined;
    const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (_buf, _fmt, va) => ((kept = va), 0), opts));
    callLikeSprintf(`seed${suffix}`, cb.bare());
    const disposed = (e: unknown) => e instanceof DisposedError && e.code === 'ERR_DISPOSED' && /after its call returned/.test(e.message);
    assert.throws(() => kept!.next('int'), disposed);
    assert.throws(() => kept!.format('%d'), disposed);
    const buf = memory.alloc(64);
    try {
      assert.throws(() => vsprintf.call(buf, 0n, kept!), disposed);
    } finally {
      memory.free(buf);
    }
  });
}

describe('va_list with the rest of the API', () => {
  const many = [1, 0.5, -2, 1.5, 3, -2.5, 4, 3.5, -5, 4.5, 6, -5.5, 7, 6.5, -8, 7.5, 9, -8.5, 10, 9.5, -11, 12];

  test('a Sync va_list callback called from another thread reads that thread\'s va_list while it waits', () => {
    const got: unknown[] = [];
    using hook = new BareFnSync('void (void *ctx, int level, const char *fmt, va_list ap)', (_ctx, _level, fmt, ap) => {
      got.push(ap.format(memory.readCString(fmt)!));
      for (let i = 0; i < 22; i++) got.push(ap.next(i % 2 && i < 20 ? 'double' : 'int'));
    });
    new FnPtr('void (void *)', lib.symbol('set_log_callback')).call(hook.bare());
    assert.equal(new FnPtr('int (void *)', lib.symbol('log_many_on_thread'), { serviceCallbacks: true }).call(0n), 0);
    assert.deepEqual(got, [expected('many'), ...many]);
  });

  test('thunkFactory.around a va_list function: the wrapper gets a VaList and passes it on', () => {
    const seen: string[] = [];
    using wrapped = thunkFactory.around(vsnprintf, (original, buf, n, fmt, ap) => {
      seen.push((ap as VaList).format(fmt as string));
      return original(buf, n, fmt, ap);
    });
    const through = new FnPtr('int (char *buf, size_t n, cstring fmt, va_list ap)', wrapped.bare());
    const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (buf, fmt, va) => through.call(buf, 512n, memory.readCString(fmt), va)));
    assert.deepEqual(callLikeSprintf('seed', cb.bare()), [SEED.length, SEED]);
    assert.deepEqual(seen, [SEED]);
  });
});

describe('va_list: what is refused, and how', () => {
  test('a fire-and-forget thunk cannot take a va_list (its caller goes on, its arguments with it)', () => {
    assert.throws(() => new BareFnSync('void (cstring fmt, va_list ap)', () => {}, { blocking: false }),
      { code: 'ERR_INVALID_OPTION', message: /blocking: false cannot take a va_list/ });
  });

  test('a va_list argument needs a VaList (or a bigint va_list value)', () => {
    assert.throws(() => vsprintf.call(0n, 0n, 42 as never), { code: 'ERR_ARG_TYPE', message: /argument 3 \(ap\).*expected a VaList/ });
    assert.throws(() => vsprintf.call(0n, 0n, {} as never), { code: 'ERR_ARG_TYPE' });
  });

  test('va_list is a parameter type only: not a result, a struct member, or a \'...\' argument', () => {
    assert.throws(() => new FnPtr('va_list (int)', libc.symbol('abs')), { code: 'ERR_UNSUPPORTED_TYPE', message: /returns a va_list/ });
    assert.throws(() => struct({ level: 'int', ap: 'va_list' }), { code: 'ERR_UNSUPPORTED_TYPE', message: /'va_list' can only be a parameter/ });
    // sprintf, not snprintf: Windows' C runtimes (ucrtbase.dll, msvcrt.dll) export no snprintf.
    const sprintf = new FnPtr('int (char *, cstring, ...)', libc.symbol('sprintf'));
    assert.throws(() => sprintf.call(0n, '', 'va_list', 1n), { code: 'ERR_UNSUPPORTED_TYPE', message: /va_list cannot/ });
  });

  if (!X64) {
    test('Win64 va_list functions and callbacks are refused on AArch64 (ms_abi exists only on x86-64)', () => {
      const isRefused = { code: 'ERR_UNSUPPORTED_CONVENTION', message: /Win64.*x86-64/ };
      assert.throws(() => new FnPtr('int (char *buf, const char *fmt, va_list ap)', libc.symbol('vsprintf'), { cc: cc.Win64 }), isRefused);
      assert.throws(() => new BareFn('void (cstring fmt, va_list ap)', () => {}, { cc: cc.Win64 }), isRefused);
      assert.throws(() => new BareFn('int (char *buf, const char *fmt, ...)', () => 0, { cc: cc.Win64 }), isRefused);
    });
  } else test('a System V VaList with arguments left in registers cannot become a Win64 va_list', () => {
    // System V is the platform's convention on Linux and the other one on Windows; Win64 the reverse.
    const sysv = ON_WINDOWS ? { cc: cc.Sysv64, caller: 'seed_other' } : { cc: undefined, caller: 'seed' };
    const win64Vsprintf = ON_WINDOWS ? vsprintf : otherVsprintf!;
    let error: unknown;
    const cb = keep(new BareFn('int (char *buf, const char *fmt, ...)', (buf, fmt, va) => {
      try {
        return win64Vsprintf.call(buf, fmt, va);
      } catch (e) {
        error = e;
        return -1;
      }
    }, { cc: sysv.cc }));
    assert.equal(callLikeSprintf(sysv.caller, cb.bare())[0], -1);
    assert.equal((error as { code?: string }).code, 'ERR_UNSUPPORTED_CONVENTION');
    assert.match((error as Error).message, /cannot be passed as a Win64 va_list/);
  });
});
