/**
 * Errors: inside native calls (closure throws, BareFnOnce re-called, BareFnMut re-entered,
 * disposed thunk called) under every onError policy, and at construction / call time.
 * Behaviour that ends a process (abort, trap) or raises uncaught exceptions runs in a child
 * process (test/fixtures/*.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ArgumentCountError,
  ArgumentTypeError,
  BareFn,
  BareFnMut,
  BareFnOnce,
  CalledTwiceError,
  ClosureFfiError,
  DisposedError,
  FnPtr,
  jitStats,
  loadLibrary,
  NotAFunctionError,
  ReentrancyError,
  SignatureSyntaxError,
  UnknownTypeError,
  UntypedBareFn,
  WrongThreadError,
} from '../src/index';
import { loadCallbacksLib } from './support/callbacks-lib';
import { f64Bits } from './support/bits';
import { runFixture, taggedJson, type ChildResult } from './support/child';
import { ON_WINDOWS } from './support/platform';

const lib = loadCallbacksLib();
const C = lib.fn;
/** recurse() through FnPtr: closures entered from koffi must not call koffi again. (C is koffi, on Windows the napi-caller: see support/callbacks-lib.ts.) */
const recurse = lib.fnptr('int32_t recurse(int32_t n)') as (n: number) => number;

// Child processes are slow to start (~1 s each with tsx), so all of them start at once, here,
// and each test awaits its own.
const children = new Map<string, Promise<ChildResult>>();
function child(fixture: string, args: string[] = []): Promise<ChildResult> {
  const key = [fixture, ...args].join(' ');
  let p = children.get(key);
  if (!p) {
    p = runFixture(fixture, args);
    p.catch(() => {}); // rejections surface where the test awaits it
    children.set(key, p);
  }
  return p;
}
for (const [fixture, ...args] of [
  ['rethrow.ts'], ['rethrow.ts', 'unhandled'], ['abort-policy.ts', 'throw'], ['abort-policy.ts', 'once'],
  ['disposed-call.ts', 'koffi'], ['disposed-call.ts', 'churn'], ['wrong-thread-exit.ts'],
]) child(fixture, args);


type Tagged = Record<string, unknown> & { scenario?: string };
const byScenario = (rows: Tagged[], name: string) => rows.find((r) => r.scenario === name);

describe("onError: 'rethrow' (default), in a child process", () => {
  let result: ChildResult;
  let results: Tagged[];
  let uncaught: Tagged[];
  test('the child runs every scenario', async () => {
    result = await child('rethrow.ts');
    results = taggedJson<Tagged>(result.stdout, 'RESULT ');
    uncaught = taggedJson<Tagged>(result.stdout, 'UNCAUGHT ');
    assert.equal(result.status, 0, result.describe());
    assert.match(result.stdout, /^DONE/m, result.describe());
    assert.doesNotMatch(result.stdout, /^UNEXPECTED/m, result.describe());
  });

  test('a throwing closure: C gets the zero value, the original error arrives as uncaughtException', () => {
    const zero: Record<string, unknown> = {
      'throw-int32': 0,
      'throw-double': '0', // bits of +0.0
      'throw-int64': '0',
      'throw-ptr': 'null', // koffi maps a NULL return to null
      'throw-bool': false,
    };
    for (const [name, want] of Object.entries(zero)) {
      const r = byScenario(results, name);
      assert.ok(r, `${name} ran\n${result.describe()}`);
      assert.equal(r.got, want, `${name}: the C caller must receive the zero value`);
      const u = byScenario(uncaught, name);
      assert.ok(u && !u.missing, `${name}: an uncaughtException must arrive\n${result.describe()}`);
      assert.equal(u.message, 'boom-from-closure', name);
      assert.equal(u.sameObject, true, `${name}: the very error object thrown by the closure`);
    }
    assert.equal(byScenario(results, 'throw-string')?.got, 0);
    assert.equal(byScenario(uncaught, 'throw-string')?.value, 'a string, not an Error', 'a thrown non-Error is delivered unchanged');
  });

  test('BareFnOnce called twice: second caller gets 0, ERR_ONCE_CALLED_TWICE arrives', () => {
    assert.equal(byScenario(results, 'once-first')?.got, 42);
    assert.equal(byScenario(results, 'once-second')?.got, 0);
    const u = byScenario(uncaught, 'once-second');
    assert.equal(u?.code, 'ERR_ONCE_CALLED_TWICE', result.describe());
    assert.equal(u?.name, 'CalledTwiceError');
  });

  // The re-entering call is a FnPtr call made by the closure: the C code under it gets 0 and
  // that FnPtr call throws ERR_REENTERED in the closure, which does not catch it, so the
  // outer call (from C, no enclosing JS call) fails too: C gets 0, the error arrives uncaught.
  test('BareFnMut re-entered: the inner FnPtr call throws ERR_REENTERED; uncaught in the closure, it fails the outer call and arrives', () => {
    assert.deepEqual(byScenario(results, 'mut-reentered')?.got, { outer: 0 });
    const u = byScenario(uncaught, 'mut-reentered');
    assert.equal(u?.code, 'ERR_REENTERED', result.describe());
    assert.equal(u?.name, 'ReentrancyError');
  });

  test('an onError function that throws, or returns a wrong value: C gets 0, that error arrives', () => {
    assert.equal(byScenario(results, 'policy-throws')?.got, 0, result.describe());
    const u = byScenario(uncaught, 'policy-throws');
    assert.equal(u?.message, 'thrown by the onError function', result.describe());
    assert.equal(u?.sameObject, true);
    assert.equal(byScenario(results, 'policy-bad-value')?.got, 0, result.describe());
    assert.equal(byScenario(uncaught, 'policy-bad-value')?.code, 'ERR_ARG_TYPE', result.describe());
  });

  test('a non-Sync thunk called from another thread: that thread gets 0, ERR_WRONG_THREAD arrives', () => {
    assert.equal(byScenario(results, 'wrong-thread')?.got, 0, result.describe());
    assert.equal(byScenario(uncaught, 'wrong-thread')?.code, 'ERR_WRONG_THREAD', result.describe());
  });

  test('without an uncaughtException handler the process dies of the error (never silent)', async () => {
    const r = await child('rethrow.ts', ['unhandled']);
    assert.equal(taggedJson<Tagged>(r.stdout, 'RESULT ')[0]?.got, 0, r.describe());
    assert.equal(r.status, 1, r.describe());
    assert.match(r.stderr, /unhandled-boom-77/, r.describe());
    assert.doesNotMatch(r.stdout, /STILL-ALIVE/, r.describe());
  });
});

describe("onError: 'abort', in a child process", () => {
  test('a throwing closure aborts the process with a diagnostic naming the thunk and the error', async () => {
    const r = await child('abort-policy.ts', ['throw']);
    const info = taggedJson<{ name: string; signature: string }>(r.stdout, 'INFO ')[0];
    assert.ok(info, r.describe());
    assert.match(r.stdout, /^BEFORE$/m, r.describe());
    assert.doesNotMatch(r.stdout, /AFTER/, r.describe());
    assert.ok(r.aborted, r.describe());
    assert.ok(r.stderr.includes('kaboom-abort-policy'), `stderr names the error\n${r.describe()}`);
    assert.ok(r.stderr.includes(info.name), `stderr names the thunk ${info.name}\n${r.describe()}`);
    assert.ok(r.stderr.includes(info.signature), `stderr has the signature ${info.signature}\n${r.describe()}`);
  });

  test('a BareFnOnce called twice under abort aborts too', async () => {
    const r = await child('abort-policy.ts', ['once']);
    assert.match(r.stdout, /^FIRST 7$/m, r.describe());
    assert.ok(r.aborted, r.describe());
    assert.doesNotMatch(r.stdout, /AFTER/, r.describe());
    assert.match(r.stderr, /once-abort-cb/, r.describe());
  });
});

describe('onError: a function supplies the return value', () => {
  test('for every kind of return type, with the original error', () => {
    const cases: [string, (n: never) => unknown, unknown, () => unknown][] = [
      ['int32_t (int32_t)', (x) => C.call_i32(x), -7, () => C.register_i32],
      ['double (double)', (x) => C.call_double(x), 2.5, () => C.register_double],
      ['int64_t (int64_t)', (x) => BigInt(C.call_i64(x)), -(2n ** 62n), () => C.register_i64],
      ['void *(void *)', (x) => BigInt(C.call_ptr(x)), 0xdead0000n, () => C.register_ptr],
      ['bool (bool)', (x) => C.call_bool(x), true, () => C.register_bool],
      ['float (float)', (x) => C.call_float(x), -0.5, () => C.register_float],
      ['uint8_t (uint8_t)', (x) => C.call_u8(x), 255, () => C.register_u8],
    ];
    const args: Record<string, unknown> = {
      'int32_t (int32_t)': 1, 'double (double)': 1, 'int64_t (int64_t)': 1n, 'void *(void *)': 1n,
      'bool (bool)': false, 'float (float)': 1, 'uint8_t (uint8_t)': 1,
    };
    for (const [sig, call, value, register] of cases) {
      const errors: unknown[] = [];
      const thrown = new RangeError(`thrown by ${sig}`);
      const cb = new BareFn(sig, (() => {
        throw thrown;
      }) as never, { onError: (e) => (errors.push(e), value) });
      try {
        (register() as (p: bigint) => void)(cb.bare());
        const got = call(args[sig] as never);
        assert.equal(got, value, `${sig}: C receives the onError value`);
        assert.deepEqual(errors, [thrown], `${sig}: onError gets the original error`);
        assert.equal(errors[0], thrown);
      } finally {
        cb.dispose();
      }
    }
  });

  test('a closure returning a value of the wrong type is reported as ArgumentTypeError', () => {
    const errors: unknown[] = [];
    const cb = new BareFn('int32_t (int32_t)', (() => 'not a number') as never, {
      onError: (e) => (errors.push(e), -1),
    });
    try {
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(3), -1);
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof ArgumentTypeError, String(errors[0]));
      assert.equal((errors[0] as ClosureFfiError).code, 'ERR_ARG_TYPE');
    } finally {
      cb.dispose();
    }
  });

  test('BareFnOnce: first call runs the closure, the second reports ERR_ONCE_CALLED_TWICE', () => {
    const errors: unknown[] = [];
    let runs = 0;
    const cb = new BareFnOnce('int32_t (int32_t)', (x: number) => (runs++, x * 2), {
      onError: (e) => (errors.push(e), -99),
    });
    try {
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(21), 42);
      assert.equal(C.call_i32(21), -99);
      assert.equal(C.call_i32(21), -99);
      assert.equal(runs, 1, 'the closure ran exactly once');
      assert.equal(errors.length, 2);
      for (const e of errors) {
        assert.ok(e instanceof CalledTwiceError);
        assert.equal(e.code, 'ERR_ONCE_CALLED_TWICE');
        assert.ok(e instanceof ClosureFfiError && e instanceof Error);
      }
    } finally {
      cb.dispose();
    }
  });

  test('BareFnMut: re-entry through C reports ERR_REENTERED; after it, calls work again', () => {
    const errors: unknown[] = [];
    const innerResults: number[] = [];
    let runs = 0;
    const cb = new BareFnMut(
      'int32_t (int32_t n)',
      (n: number) => {
        runs++;
        if (n > 0) innerResults.push(recurse(n - 1));
        return 1000 + n;
      },
      { onError: (e) => (errors.push(e), -5) },
    );
    try {
      C.register_rec(cb.bare());
      assert.equal(C.recurse(3), 1003, 'the outer call completes');
      assert.deepEqual(innerResults, [-5], 'the re-entrant call got the onError value');
      assert.equal(runs, 1, 'the closure did not run re-entrantly');
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof ReentrancyError);
      assert.equal((errors[0] as ClosureFfiError).code, 'ERR_REENTERED');
      // not stuck "busy": a later, non-nested call runs normally
      assert.equal(C.recurse(0), 1000);
      assert.equal(runs, 2);
    } finally {
      cb.dispose();
    }
  });

  test('BareFnMut: a closure that throws does not stay marked busy', () => {
    let first = true;
    const errors: unknown[] = [];
    const cb = new BareFnMut('int32_t (int32_t)', (x: number) => {
      if (first) {
        first = false;
        throw new Error('first call fails');
      }
      return x;
    }, { onError: (e) => (errors.push(e), 0) });
    try {
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(9), 0);
      assert.equal(C.call_i32(9), 9);
      assert.equal(errors.length, 1);
      assert.ok(!(errors[0] instanceof ReentrancyError));
    } finally {
      cb.dispose();
    }
  });

  test(`a JS stack overflow inside the closure is an ordinary error (entered from ${ON_WINDOWS ? 'napi-caller' : 'koffi'} and from FnPtr)`, () => {
    const deep = (n: number): number => deep(n + 1) + 1;
    const errors: unknown[] = [];
    const cb = new BareFn('int32_t (int32_t)', (x: number) => deep(x), { onError: (e) => (errors.push(e), -3) });
    try {
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(1), -3, ON_WINDOWS ? 'napi-caller' : 'koffi: closure runs on a reserved region of the thread stack');
      assert.equal(lib.fnptr('int32_t call_i32(int32_t x)')(1), -3, 'FnPtr');
      assert.equal(errors.length, 2);
      for (const e of errors) assert.ok(e instanceof RangeError, String(e));
      // and the thunk still works afterwards
      const ok = new BareFn('int32_t (int32_t)', (x: number) => x * 2);
      C.register_i32(ok.bare());
      assert.equal(C.call_i32(21), 42);
      ok.dispose();
    } finally {
      cb.dispose();
    }
  });

  test('a plain BareFn may be re-entered (no error)', () => {
    const errors: unknown[] = [];
    const cb = new BareFn('int32_t (int32_t n)', (n: number): number => (n > 0 ? n + recurse(n - 1) : 0), {
      onError: (e) => (errors.push(e), -1),
    });
    try {
      C.register_rec(cb.bare());
      assert.equal(C.recurse(5), 15);
      assert.deepEqual(errors, []);
    } finally {
      cb.dispose();
    }
  });
});

describe('a non-Sync thunk called from another native thread', () => {
  test('is not run; the caller gets 0 and WrongThreadError (ERR_WRONG_THREAD) is reported under onError', async () => {
    let runs = 0;
    let reported: (e: unknown) => void = () => {};
    const errorArrived = new Promise<unknown>((resolve) => (reported = resolve));
    const cb = new BareFn('int32_t (int32_t)', (x: number) => (runs++, x + 1), { onError: (e) => (reported(e), 99) });
    try {
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(1), 2, 'works from the JS thread');
      // Decided natively, before any JS runs: onError's value (99) is not used for this caller.
      assert.equal(C.call_i32_on_thread(5), 0, 'the other thread gets the zero value, not the onError value');
      // (a ref'd timer keeps the event loop alive meanwhile; see the next test for why)
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no report within 5 s')), 5000)));
      const e = await Promise.race([errorArrived, timeout]).finally(() => clearTimeout(timer));
      assert.ok(e instanceof WrongThreadError, String(e));
      assert.equal(e.code, 'ERR_WRONG_THREAD');
      assert.equal(runs, 1, 'the closure never ran for the foreign call');
    } finally {
      cb.dispose();
    }
  });

  test('the report is delivered even when nothing else keeps the event loop alive (child process)', async () => {
    const r = await child('wrong-thread-exit.ts');
    assert.match(r.stdout, /^foreign call returned 0$/m, r.describe());
    assert.equal(r.status, 1, `the process must die of the uncaught WrongThreadError\n${r.describe()}`);
    assert.match(r.stderr, /ERR_WRONG_THREAD/, r.describe());
  });
});

describe('calling a disposed thunk traps, in a child process', () => {
  for (const mode of ['koffi', 'churn']) {
    test(`${mode}: SIGABRT (not SIGSEGV) with a message naming the thunk (#serial) and its signature`, async () => {
      const r = await child('disposed-call.ts', [mode]);
      const info = taggedJson<{ name: string; signature: string }>(r.stdout, 'INFO ')[0];
      assert.ok(info, r.describe());
      assert.match(r.stdout, /^LIVE 42$/m, `the thunk worked before dispose\n${r.describe()}`);
      assert.match(r.stdout, /^BEFORE$/m, r.describe());
      assert.doesNotMatch(r.stdout, /AFTER/, `the call must not return\n${r.describe()}`);
      assert.ok(r.aborted, `must abort, not ${r.signal ?? `exit ${r.status}`}\n${r.describe()}`);
      const serial = /#(\d+)/.exec(info.name)?.[0];
      assert.ok(serial, `default name has a #serial: ${info.name}`);
      assert.ok(r.stderr.includes(serial), `stderr names ${serial}\n${r.describe()}`);
      assert.ok(r.stderr.includes(info.signature), `stderr names the signature '${info.signature}'\n${r.describe()}`);
      assert.match(r.stderr, /dispos/i, `stderr says it was disposed\n${r.describe()}`);
    });
  }
});

describe('errors at construction and call time', () => {
  test('closure not a function: NotAFunctionError (ERR_NOT_A_FUNCTION)', () => {
    for (const bad of [42, null, undefined, 'x => x', {}, [], 10n]) {
      for (const Kind of [BareFn, BareFnMut, BareFnOnce]) {
        assert.throws(
          () => new Kind('int (int)', bad as never),
          (e: unknown) =>
            e instanceof NotAFunctionError && e instanceof ClosureFfiError && e.code === 'ERR_NOT_A_FUNCTION',
          `${Kind.name} with ${String(bad)}`,
        );
      }
    }
  });

  test('bad options objects: InvalidOptionError (ERR_INVALID_OPTION), never a TypeError', () => {
    for (const bad of [null, 5, 'x']) {
      assert.throws(() => new BareFn('int (int)', (x: number) => x, bad as never), { code: 'ERR_INVALID_OPTION' }, `BareFn ${String(bad)}`);
      assert.throws(() => new FnPtr('int (int)', 1n, bad as never), { code: 'ERR_INVALID_OPTION' }, `FnPtr ${String(bad)}`);
    }
    assert.throws(() => new FnPtr('int (int)', 1n, { serviceCallbacks: 'yes' as never }), { code: 'ERR_INVALID_OPTION', message: /serviceCallbacks/ });
    assert.throws(() => new BareFn('int (int)', (x: number) => x, { onError: 'ignore' as never }), { code: 'ERR_INVALID_OPTION', message: /onError/ });
  });

  test('malformed prototypes: SignatureSyntaxError (ERR_SIGNATURE_SYNTAX) with token and column', () => {
    const cases: [string, string, number][] = [
      // [source, offending token, 1-based column]
      ['int32_t (int32_t, , double)', ',', 19],
      ['int (int', '', 9], // end of input where ')' is expected
      ['int (int))', ')', 10],
      ['int (int) extra', 'extra', 11],
      ['int (int @)', '@', 10],
    ];
    for (const [src, token, column] of cases) {
      let err: unknown;
      try {
        new BareFn(src as never, (() => 0) as never);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof SignatureSyntaxError, `'${src}' must throw SignatureSyntaxError, got ${String(err)}`);
      assert.equal(err.code, 'ERR_SIGNATURE_SYNTAX');
      assert.equal(err.column, column, `'${src}': column (${err.message})`);
      if (token !== '') assert.equal(err.token, token, `'${src}': token (${err.message})`);
      assert.ok(err.message.includes(`column ${column}`), err.message);
    }
    // the same errors from FnPtr
    assert.throws(() => new FnPtr('int (int' as never, 1n), SignatureSyntaxError);
  });

  test('unknown types: UnknownTypeError (ERR_UNKNOWN_TYPE) naming the type', () => {
    const cases: [unknown, string][] = [
      ['int (strnig)', 'strnig'],
      ['flaot (int)', 'flaot'],
      ['int (int, uint128_t)', 'uint128_t'],
      [{ args: ['int32_t', 'foo_t'], ret: 'int' }, 'foo_t'],
      [{ args: [], ret: 'bar_t' }, 'bar_t'],
    ];
    for (const [spec, token] of cases) {
      assert.throws(
        () => new BareFn(spec as never, (() => 0) as never),
        (e: unknown) =>
          e instanceof UnknownTypeError && e.code === 'ERR_UNKNOWN_TYPE' && e.token === token && e.message.includes(token),
        `${JSON.stringify(spec)}`,
      );
    }
  });

  test('a closure declaring more parameters than the signature: ArgumentCountError', () => {
    assert.throws(
      () => new BareFn('int (int)', ((a: number, b: number) => a + b) as never),
      (e: unknown) => e instanceof ArgumentCountError && e.code === 'ERR_ARG_COUNT',
    );
  });

  test('FnPtr.call with the wrong number of arguments: ArgumentCountError (ERR_ARG_COUNT)', () => {
    const f = new FnPtr('int32_t (int32_t x)', loadLibrary(lib.path).symbol('recurse'));
    for (const args of [[], [1, 2], [1, 2, 3]]) {
      assert.throws(
        () => (f.call as (...a: unknown[]) => unknown)(...args),
        (e: unknown) => e instanceof ArgumentCountError && e.code === 'ERR_ARG_COUNT',
        `${args.length} arguments`,
      );
    }
  });

  test('FnPtr.call with a wrong argument type: ArgumentTypeError naming the argument', () => {
    const f = new FnPtr('int64_t (int8_t a, uint16_t b, int32_t count, int64_t d, double e, float f)', loadLibrary(lib.path).symbol('c_weighted'));
    const call = f.call as (...a: unknown[]) => unknown;
    assert.equal(call(1, 2, 3, 4n, 5, 6), 1n + 4n + 9n + 16n + 25n + 36n, 'valid call');
    const bad: [unknown[], number, string][] = [
      [[1, 2, 'three', 4n, 5, 6], 3, 'count'],
      [[1, 2, 3, 'x', 5, 6], 4, 'd'],
      [[1, 2, 3, 4n, {}, 6], 5, 'e'],
      [[null, 2, 3, 4n, 5, 6], 1, 'a'],
    ];
    for (const [args, position, name] of bad) {
      assert.throws(
        () => call(...args),
        (e: unknown) =>
          e instanceof ArgumentTypeError &&
          e.code === 'ERR_ARG_TYPE' &&
          e.message.includes(`argument ${position}`) &&
          e.message.includes(name),
        `argument ${position} (${name}) of ${JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
      );
    }
  });

  test('FnPtr of a NULL address: ArgumentTypeError', () => {
    assert.throws(() => new FnPtr('void (void)', 0n), ArgumentTypeError);
  });

  test('bare() after dispose: DisposedError (ERR_DISPOSED); dispose is idempotent', () => {
    const before = jitStats().liveThunks;
    const cb = new BareFn('int (int)', (x: number) => x);
    const untyped = UntypedBareFn.from(cb);
    assert.equal(jitStats().liveThunks, before + 1);
    assert.equal(typeof cb.bare(), 'bigint');
    assert.notEqual(cb.bare(), 0n);
    cb.dispose();
    assert.equal(jitStats().liveThunks, before);
    assert.throws(() => cb.bare(), (e: unknown) => e instanceof DisposedError && e.code === 'ERR_DISPOSED');
    assert.throws(() => untyped.bare(), DisposedError);
    cb.dispose();
    cb[Symbol.dispose]();
    untyped.dispose();
    assert.equal(jitStats().liveThunks, before, 'a second dispose does not release anything again');

    const viaSymbol = new BareFnOnce('void (void)', () => {});
    viaSymbol[Symbol.dispose]();
    assert.throws(() => viaSymbol.bare(), DisposedError);
    assert.equal(jitStats().liveThunks, before);
  });
});
