/**
 * C libraries that leave a callback with longjmp (Lua's lua_error, libpng's png_error),
 * with a Lua-style driver (test/c/longjmp.c): callAfterReturn stages the jumping call so
 * the thunk makes it after the closure returned (10,000 round trips, no hang, JS still
 * healthy); misuse is an AfterReturnError; a jump that skips JS frames aborts with a
 * message saying so (child processes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AfterReturnError, BareFn, FnPtr, UnsupportedTypeError, callAfterReturn, loadLibrary } from '../src/index';
import { compileTestLibrary } from './support/cc';
import { runFixture } from './support/child';

const path = compileTestLibrary('longjmp.c');
const lib = loadLibrary(path);
const L = new FnPtr('void *lj_state(void)', lib.symbol('lj_state')).call();
const ljError = new FnPtr('int lj_error(void *L, int code)', lib.symbol('lj_error'));
const ljErrors = new FnPtr('int lj_errors(void *L)', lib.symbol('lj_errors'));
const pcall = new FnPtr('int lj_pcall(void *L, int (*fn)(void *))', lib.symbol('lj_pcall'));

describe('callAfterReturn: leaving a callback by longjmp', () => {
  test('a closure raises a Lua-style error 10,000 times through callAfterReturn, without a hang', () => {
    let n = 0;
    const fn = new BareFn('int (void *L)', (state) => {
      n++;
      if (n % 2 === 0) return n; // every other call returns normally
      callAfterReturn(ljError, state, n);
      return 0;
    });
    try {
      const before = ljErrors.call(L);
      for (let i = 1; i <= 10_000; i++) {
        const status = pcall.call(L, fn.bare());
        assert.equal(status, i % 2 === 0 ? i : -i, `call ${i}`);
      }
      assert.equal(ljErrors.call(L) - before, 5_000);
      // JS is intact: exceptions, a GC and deep stacks still work.
      assert.throws(() => { throw new Error('still fine'); }, /still fine/);
      (globalThis as { gc?: () => void }).gc?.();
      const deep = (k: number): number => (k === 0 ? 0 : 1 + deep(k - 1));
      assert.equal(deep(5_000), 5_000);
    } finally {
      fn.dispose();
    }
  });

  test('native calls after staging still run, and the staged call is made last', () => {
    const order: string[] = [];
    const fn = new BareFn('int (void *L)', (state) => {
      callAfterReturn(ljError, state, 3);
      order.push(`errors before the jump: ${ljErrors.call(state)}`);
      return 1;
    });
    try {
      const before = ljErrors.call(L);
      assert.equal(pcall.call(L, fn.bare()), -3);
      assert.deepEqual(order, [`errors before the jump: ${before}`]);
    } finally {
      fn.dispose();
    }
  });

  test('a staged function that returns lets the thunk return the closure result', () => {
    const abs = new FnPtr('int (int)', loadLibrary().symbol('abs'));
    const fn = new BareFn('int (void *L)', () => { callAfterReturn(abs, -4); return 42; });
    try {
      assert.equal(pcall.call(L, fn.bare()), 42);
    } finally {
      fn.dispose();
    }
  });

  test('misuse is an AfterReturnError or names the argument', () => {
    assert.throws(() => callAfterReturn(ljError, L, 1), (e: unknown) =>
      e instanceof AfterReturnError && e.code === 'ERR_AFTER_RETURN' && /outside a callback/.test(e.message));
    const errors: unknown[] = [];
    const twice = new BareFn('int (void *L)', (state) => {
      callAfterReturn(ljError, state, 1);
      try { callAfterReturn(ljError, state, 2); } catch (e) { errors.push(e); }
      try { callAfterReturn(ljError, state, 2.5 as never); } catch (e) { errors.push(e); }
      const puts = new FnPtr('int puts(cstring s)', loadLibrary().symbol('puts'));
      try { callAfterReturn(puts, 'x'); } catch (e) { errors.push(e); }
      return 0;
    });
    try {
      assert.equal(pcall.call(L, twice.bare()), -1);
      assert.ok(errors[0] instanceof AfterReturnError && /already staged/.test(errors[0].message), String(errors[0]));
      assert.ok(errors[1] instanceof AfterReturnError, String(errors[1])); // checked after the staging refusal
      assert.ok(errors[2] instanceof AfterReturnError || errors[2] instanceof UnsupportedTypeError, String(errors[2]));
    } finally {
      twice.dispose();
    }
    const once = new BareFn('int (void *L)', () => {
      try { callAfterReturn(ljError, L, 2.5 as never); } catch (e) { errors.push(e); }
      const puts = new FnPtr('int puts(cstring s)', loadLibrary().symbol('puts'));
      try { callAfterReturn(puts, 'x'); } catch (e) { errors.push(e); }
      // JS memory would have no one holding it by the time the staged call runs.
      try { callAfterReturn(ljError, Buffer.alloc(8) as never, 1); } catch (e) { errors.push(e); }
      return 5;
    });
    try {
      assert.equal(pcall.call(L, once.bare()), 5); // nothing was staged
      assert.match(String(errors[3]), /argument 2 \(code\) of FnPtr .*got number 2\.5/);
      assert.ok(errors[4] instanceof UnsupportedTypeError && /C string/.test(errors[4].message), String(errors[4]));
      assert.match(String(errors[5]), /argument 1 .*after the closure returned/);
    } finally {
      once.dispose();
    }
  });
});

describe('a longjmp that skips JS frames', () => {
  for (const when of ['return', 'entry'] as const) {
    test(`aborts with a message that explains it (detected at ${when === 'return' ? 'the FnPtr call\'s return' : 'the next callback\'s entry'})`, async () => {
      const r = await runFixture('longjmp-unsafe.ts', [when, path], { timeoutMs: 20_000 });
      assert.ok(r.aborted, r.describe());
      assert.match(r.stdout, /STARTED/);
      assert.doesNotMatch(r.stdout, /SURVIVED/);
      assert.match(r.stderr, /jumped out of a callback with longjmp .* skipped its JS frames/, r.describe());
      assert.match(r.stderr, /callAfterReturn\(fnPtr, \.\.\.args\)/);
      assert.match(r.stderr, when === 'return' ? /when the native call that led to it returned/ : /detected when .* was then called from a point of the stack above them/, r.describe());
    });
  }
});
