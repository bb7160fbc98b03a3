/**
 * Hostile inputs found by review: each must end in a closure-ffi error with a `code` (never a
 * silently wrong result, a bare engine error or a crash). Sizes, NUL bytes in names, deeply
 * nested signatures, bad `bare()` results, and reading more '...' arguments than were passed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ArgumentTypeError,
  ClosureFfiError,
  loadLibrary,
  memory,
  OutOfRangeError,
} from '../src/index';

/** Asserts `fn` throws a ClosureFfiError with `code` and a message matching `message`. */
function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ClosureFfiError, `expected a ClosureFfiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('memory sizes: NaN, Infinity, negative, fractional and > size_t are refused with ERR_OUT_OF_RANGE', () => {
  const bad: unknown[] = [NaN, Infinity, -Infinity, -1, -0.5, 1.5, 2 ** 64, 1e300, -1n, 1n << 64n];
  const p = memory.alloc(16);
  try {
    for (const n of bad) {
      throwsCode(() => memory.alloc(n as number), 'ERR_OUT_OF_RANGE', /memory\.alloc\(size\): size must be a whole number|size_t/);
      throwsCode(() => memory.read(p, n as number), 'ERR_OUT_OF_RANGE', /memory\.read\(ptr, length\): length/);
      throwsCode(() => memory.view(p, n as number), 'ERR_OUT_OF_RANGE', /memory\.view\(ptr, length\): length/);
    }
    assert.throws(() => memory.alloc(NaN), OutOfRangeError);
    throwsCode(() => memory.alloc('16' as unknown as number), 'ERR_ARG_TYPE', /got string "16"/);
    assert.throws(() => memory.read(p, undefined as unknown as number), ArgumentTypeError);
    // Valid sizes, bigint included, still work.
    assert.equal(memory.read(p, 16).length, 16);
    assert.equal(memory.read(p, 16n).length, 16);
    assert.equal(memory.view(p, 8n).byteLength, 8);
    const q = memory.alloc(0n);
    memory.free(q);
  } finally {
    memory.free(p);
  }
  // Huge but valid sizes reach calloc, which refuses them.
  for (const n of [2 ** 62, 2 ** 64 - 2048, (1n << 64n) - 1n, (1n << 53n) + 1n]) {
    assert.throws(() => memory.alloc(n), (e: { code?: string }) => e.code === 'ERR_OUT_OF_MEMORY', String(n));
  }
});

test('NUL bytes in library paths and symbol names are refused, naming the argument', () => {
  throwsCode(() => loadLibrary('libc.so.6\0junk'), 'ERR_ARG_TYPE', /library path "libc\.so\.6\\u0000junk" contains a NUL byte \(at index 9\)/);
  const libc = loadLibrary('libc.so.6');
  throwsCode(() => libc.symbol('abs\0x'), 'ERR_ARG_TYPE', /symbol name "abs\\u0000x" contains a NUL byte/);
  throwsCode(() => loadLibrary().symbol('\0'), 'ERR_ARG_TYPE', /symbol name/);
  throwsCode(() => libc.symbol(7 as unknown as string), 'ERR_ARG_TYPE', /symbol name must be a string, got number 7/);
  assert.equal(typeof libc.symbol('abs'), 'bigint');
  libc.close();
});
