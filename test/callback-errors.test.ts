/**
 * Errors of callbacks that run inside a FnPtr call are thrown from that call when the
 * native function returns (the C caller got the zero or onError value meanwhile), so
 * try/catch around FnPtr.call works. Callbacks with no enclosing JS call keep the uncaught
 * rethrow (test/errors-runtime.test.ts, through koffi-driven C calls).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { BareFn, BareFnMut, BareFnOnce, CalledTwiceError, FnPtr, ReentrancyError, loadLibrary, memory } from '../src/index';
import { compileSharedLibrary } from './support/cc';

const lib = loadLibrary(compileSharedLibrary('callback-errors', `
typedef int (*cb_t)(int);
/* Calls cb with 1 and 2, and reports both results: what C received. */
int call_twice(cb_t cb) { int a = cb(1); int b = cb(2); return a * 100 + b; }
/* Calls a JS function pointer (an FnPtr-made call from inside a callback). */
int call_with(int (*outer)(cb_t), cb_t inner) { return outer(inner); }
`));
const callTwice = new FnPtr('int call_twice(int (*cb)(int))', lib.symbol('call_twice'));
const qsort = new FnPtr('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))', loadLibrary().symbol('qsort'));

const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
process.on('uncaughtException', onUncaught);
after(() => process.off('uncaughtException', onUncaught));
const noUncaught = async () => {
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(uncaught, [], 'nothing reached the event loop as an uncaught exception');
};

function throwingComparator(): BareFn<'int (const void *a, const void *b)'> {
  let calls = 0;
  return new BareFn('int (const void *a, const void *b)', (a, b) => {
    if (++calls === 3) throw new RangeError('comparator gave up');
    return memory.read(a, 4).readInt32LE(0) - memory.read(b, 4).readInt32LE(0);
  });
}

describe('callback errors thrown from the enclosing FnPtr call', () => {
  test('an exception in a qsort comparator is caught around qsort.call, with the closure\'s stack', async () => {
    const base = memory.alloc(40);
    memory.write(base, new Int32Array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]));
    const cmp = throwingComparator();
    try {
      let caught: unknown;
      try {
        qsort.call(base, 10n, 4n, cmp.bare());
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof RangeError, `caught ${String(caught)}`);
      assert.equal(caught.message, 'comparator gave up');
      // The trace starts in the closure (this file), not in closure-ffi.
      const firstFrame = caught.stack!.split('\n')[1]!;
      assert.match(firstFrame, /callback-errors\.test\.ts/);
    } finally {
      cmp.dispose();
      memory.free(base);
    }
    await noUncaught();
  });

  test('C receives the zero value meanwhile and runs to completion; the first error is thrown', async () => {
    let n = 0;
    const cb = new BareFn('int (int)', (x) => {
      n++;
      throw new Error(`failed on ${x}`);
    });
    try {
      assert.throws(() => callTwice.call(cb.bare()), /^Error: failed on 1$/);
      assert.equal(n, 2, 'C went on calling after the first failure');
    } finally {
      cb.dispose();
    }
    await noUncaught();
  });

  test('with an onError function, C gets its value and nothing is thrown; if it throws, that is thrown', async () => {
    const handled = new BareFn('int (int)', (x) => { if (x === 1) throw new Error('x'); return 5; }, { onError: () => 7 });
    const rethrown = new BareFn('int (int)', () => { throw new Error('first'); }, {
      onError: () => { throw new TypeError('from onError'); },
    });
    try {
      assert.equal(callTwice.call(handled.bare()), 705);
      assert.throws(() => callTwice.call(rethrown.bare()), (e: unknown) => e instanceof TypeError && e.message === 'from onError');
    } finally {
      handled.dispose();
      rethrown.dispose();
    }
    await noUncaught();
  });

  test('library errors (re-entered BareFnMut, BareFnOnce called twice) are thrown from the call too', async () => {
    const once = new BareFnOnce('int (int)', (x) => x);
    assert.throws(() => callTwice.call(once.bare()), (e: unknown) => e instanceof CalledTwiceError);
    let inner: FnPtr<'int (int)'> | undefined;
    const mut = new BareFnMut('int (int)', (x) => (x === 1 ? inner!.call(2) : x));
    inner = new FnPtr('int (int)', mut);
    try {
      assert.throws(() => inner!.call(1), ReentrancyError);
    } finally {
      mut.dispose();
    }
    await noUncaught();
  });

  test('nested calls: an error goes to the innermost FnPtr call; caught there, the outer call is clean', async () => {
    const failing = new BareFn('int (int)', () => { throw new Error('inner failure'); });
    const seen: string[] = [];
    const outer = new BareFn('int (int (*)(int))', (cb) => {
      try {
        return callTwice.call(cb);
      } catch (e) {
        seen.push((e as Error).message);
        return -1;
      }
    });
    const callWith = new FnPtr('int (int (*)(int (*)(int)), int (*)(int))', lib.symbol('call_with'));
    try {
      assert.equal(callWith.call(outer.bare(), failing.bare()), -1);
      assert.deepEqual(seen, ['inner failure']);
      // Not caught inside: the outer closure's own failure reaches the outer call.
      const leaky = new BareFn('int (int (*)(int))', (cb) => callTwice.call(cb));
      try {
        assert.throws(() => callWith.call(leaky.bare(), failing.bare()), /inner failure/);
      } finally {
        leaky.dispose();
      }
    } finally {
      outer.dispose();
      failing.dispose();
    }
    await noUncaught();
  });

  test('an argument error before the native call leaves nothing behind for later calls', async () => {
    const ok = new BareFn('int (int)', (x) => x);
    try {
      assert.throws(() => callTwice.call(12 as never), /got number 12/);
      assert.equal(callTwice.call(ok.bare()), 102);
    } finally {
      ok.dispose();
    }
    await noUncaught();
  });
});
