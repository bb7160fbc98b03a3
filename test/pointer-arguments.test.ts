/**
 * What a pointer parameter accepts from JS: a bigint address, null, or an object with
 * bare() (a thunk), and never a number, which names the argument and says how to pass an
 * address; the same for pointer members of structs and for closure results.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArgumentTypeError, BareFn, FnPtr, encode, loadLibrary, memory, struct } from '../src/index';

const libc = loadLibrary();
const qsort = new FnPtr('void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))', libc.symbol('qsort'));

describe('pointer arguments', () => {
  test('a number for a pointer is refused, naming the argument and how to pass an address', () => {
    assert.throws(() => qsort.call(4096 as never, 0n, 4n, 0n), (e: unknown) =>
      e instanceof ArgumentTypeError && e.code === 'ERR_ARG_TYPE' &&
      e.message.startsWith("argument 1 (base) of FnPtr 'void (void *, size_t, size_t, int (*)(const void *, const void *))': " +
        'expected bigint address, null or an object with bare(), got number 4096') &&
      /pass a bigint, e\.g\. 4096n/.test(e.message));
    assert.throws(() => qsort.call(0n, 0n, 4n, 0 as never), /argument 4 \(compar\).*got number 0.*pass a bigint, e\.g\. 0n/);
    assert.throws(() => qsort.call(0n, 0n, 4n, {} as never), /argument 4 \(compar\).*got object.*an object with bare\(\) such as a BareFn/);
  });

  test('a thunk object is accepted wherever a pointer is expected (qsort with the BareFn itself)', () => {
    const values = new Int32Array([5, -2, 9, 0, 3]);
    const base = memory.alloc(values.byteLength);
    const cmp = new BareFn('int (const void *a, const void *b)', (a, b) => {
      const x = memory.read(a, 4).readInt32LE(0);
      const y = memory.read(b, 4).readInt32LE(0);
      return x - y;
    });
    try {
      memory.write(base, values);
      // The TypeScript parameter type is bigint (the type level cannot tell a pointer from a
      // 64-bit integer); at run time the thunk object is accepted.
      qsort.call(base, 5n, 4n, cmp as never);
      qsort.call(base, 5n, 4n, cmp.untyped() as never);
      assert.deepEqual([...new Int32Array(memory.read(base, 20).buffer.slice(0))].slice(0, 5), [-2, 0, 3, 5, 9]);
    } finally {
      cmp.dispose();
      memory.free(base);
    }
  });

  test('an object whose bare() does not return an address is refused with what it returned', () => {
    assert.throws(() => qsort.call(0n, 0n, 4n, { bare: () => 12 } as never),
      /argument 4 \(compar\).*its bare\(\) returned number 12, not a bigint address/);
  });

  test('a closure returning a pointer may return a thunk object; a number is refused', () => {
    const target = new BareFn('int (void)', () => 7);
    const getter = new BareFn('int (*(void))(void)', () => target);
    const callGetter = new FnPtr('int (*(void))(void)', getter);
    try {
      assert.equal(callGetter.call(), target.bare());
    } finally {
      getter.dispose();
    }
    const errors: unknown[] = [];
    const bad = new BareFn('void *(void)', () => 4096 as never, { onError: (e) => { errors.push(e); return 0n; } });
    try {
      assert.equal(new FnPtr('void *(void)', bad).call(), 0n);
      assert.match(String(errors[0]), /return value.*got number 4096.*4096n/);
    } finally {
      bad.dispose();
      target.dispose();
    }
  });

  test('struct members of pointer type: a number is refused, a thunk accepted', () => {
    const Hooks = struct({ cb: 'void (*)(void)', data: 'void *' });
    const p = memory.alloc(16);
    const hook = new BareFn('void (void)', () => {});
    try {
      encode(p, Hooks, { cb: hook, data: null } as never);
      assert.equal(memory.read(p, 8).readBigUInt64LE(0), hook.bare());
      assert.throws(() => encode(p, Hooks, { cb: 0n, data: 1234 } as never), /\.data: expected bigint address, null or an object with bare\(\), got number 1234.*1234n/);
    } finally {
      hook.dispose();
      memory.free(p);
    }
  });

  test('64-bit integers still take safe-integer numbers', () => {
    const llabs = new FnPtr('long long llabs(long long)', libc.symbol('llabs'));
    assert.equal(llabs.call(-5 as never), 5n);
  });
});
