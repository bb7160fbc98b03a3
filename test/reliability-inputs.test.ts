/**
 * Hostile inputs found by review: each must end in a closure-ffi error with a `code` (never a
 * silently wrong result, a bare engine error or a crash). Sizes, NUL bytes in names, deeply
 * nested signatures, bad `bare()` results, and reading more '...' arguments than were passed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFixture, taggedJson } from './support/child';
import { notOnWindows, ON_WINDOWS } from './support/platform';
import { Prng, runSeed } from './support/prng';
import { bridge } from '../src/native/bridge';
import {
  ArgumentTypeError,
  ClosureFfiError,
  FnPtr,
  loadLibrary,
  memory,
  OutOfRangeError,
  SignatureSyntaxError,
  sizeof,
  types,
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
  // A C runtime to load by name: glibc's, or on Windows msvcrt.dll (which exports abs too).
  const LIBC = ON_WINDOWS ? 'msvcrt.dll' : 'libc.so.6';
  const escaped = LIBC.replace(/\./g, '\\.');
  throwsCode(
    () => loadLibrary(`${LIBC}\0junk`),
    'ERR_ARG_TYPE',
    new RegExp(`library path "${escaped}\\\\u0000junk" contains a NUL byte \\(at index ${LIBC.length}\\)`),
  );
  const libc = loadLibrary(LIBC);
  throwsCode(() => libc.symbol('abs\0x'), 'ERR_ARG_TYPE', /symbol name "abs\\u0000x" contains a NUL byte/);
  throwsCode(() => loadLibrary().symbol('\0'), 'ERR_ARG_TYPE', /symbol name/);
  throwsCode(() => libc.symbol(7 as unknown as string), 'ERR_ARG_TYPE', /symbol name must be a string, got number 7/);
  assert.equal(typeof libc.symbol('abs'), 'bigint');
  libc.close();
});

test('signatures nested 10,000 deep: ERR_SIGNATURE_SYNTAX at the token past 256 levels, not a stack overflow', () => {
  const N = 10_000;
  const cases: { src: string; parse: (src: string) => unknown; token: string; column: number }[] = [
    // 'int (*)(' opens three levels: the grouping '(', the '*' and the parameter list
    { src: 'void (' + 'int (*)('.repeat(N) + 'int' + ')'.repeat(N) + ')', parse: (s) => new FnPtr(s, 1n), token: '(', column: 691 },
    { src: 'int (' + '('.repeat(N) + '*f' + ')'.repeat(N) + ')(int)', parse: (s) => new FnPtr(s, 1n), token: '(', column: 261 },
    { src: 'void (int ' + '*'.repeat(N) + ')', parse: (s) => new FnPtr(s, 1n), token: '*', column: 266 },
    { src: 'void (int x' + '[1]'.repeat(N) + ')', parse: (s) => new FnPtr(s, 1n), token: '[', column: 777 },
    { src: 'int ' + '*'.repeat(N), parse: (s) => sizeof(s), token: '*', column: 261 },
  ];
  for (const c of cases) {
    assert.throws(() => c.parse(c.src), (e: unknown) => {
      assert.ok(e instanceof SignatureSyntaxError, String(e).slice(0, 200));
      assert.equal(e.code, 'ERR_SIGNATURE_SYNTAX');
      assert.equal(e.token, c.token, c.src.slice(0, 40));
      assert.equal(e.column, c.column, c.src.slice(0, 40));
      assert.match(e.message, /nested more than 256 levels deep/);
      return true;
    });
  }
  // Deep but reasonable nesting still parses.
  assert.equal(sizeof('int ' + '*'.repeat(200)), 8);
  const fifty = 'void (' + 'int (*)('.repeat(50) + 'int' + ')'.repeat(50) + ')';
  assert.match(new FnPtr(fifty, 1n).signature, /^void \(int \(\*\)\(int \(\*\)/);
});

test('a macro chain too long for the stack is still a SignatureSyntaxError', () => {
  const N = 12_000; // deeper than the lexer's recursive macro expansion can go
  for (let i = 0; i < N; i++) types.defineMacro(`RELIABILITY_M${i}`, `RELIABILITY_M${i + 1}`);
  types.defineMacro(`RELIABILITY_M${N}`, 'int');
  assert.throws(() => new FnPtr('int (RELIABILITY_M0)', 1n), (e: unknown) =>
    e instanceof SignatureSyntaxError && e.code === 'ERR_SIGNATURE_SYNTAX' && e.column === 1 && /too deeply nested/.test(e.message));
});

test('random deep nests never escape without a code', () => {
  const seed = runSeed();
  const rng = new Prng(seed);
  const pieces = ['(', ')', '*', 'int (*)(', '[1]', 'int', ',', '...', 'void (', ' x', 'const ', '__stdcall '];
  const escaped: string[] = [];
  for (let i = 0; i < 200; i++) {
    let src = rng.chance(0.5) ? 'void (' : 'int ';
    const n = 100 + rng.int(3000);
    for (let k = 0; k < n; k++) src += pieces[rng.int(pieces.length)];
    if (rng.chance(0.5)) src += ')'.repeat(rng.int(n));
    for (const parse of [(s: string) => new FnPtr(s, 1n), (s: string) => sizeof(s)]) {
      try {
        parse(src);
      } catch (e) {
        if (!(e instanceof ClosureFfiError) && escaped.length < 5) escaped.push(`${JSON.stringify(src.slice(0, 80))}…: ${String(e)}`);
      }
    }
  }
  assert.deepEqual(escaped, [], `[CFFI_SEED=${seed}]`);
});

test("FnPtr from an object whose bare() returns a non-bigint: ERR_ARG_TYPE naming what bare() returned", () => {
  const cases: [unknown, RegExp][] = [
    ['junk', /bare\(\) returned string "junk"/],
    [42, /bare\(\) returned number 42/],
    [undefined, /bare\(\) returned undefined/],
    [null, /bare\(\) returned null/],
    [0n, /bare\(\) returned bigint 0n/],
    [{}, /bare\(\) returned object/],
  ];
  for (const [got, message] of cases) {
    throwsCode(() => new FnPtr('int (int)', { bare: () => got as bigint }), 'ERR_ARG_TYPE', message);
  }
  const abs = loadLibrary().symbol('abs');
  assert.equal(new FnPtr('int (int)', { bare: () => abs }).call(-5), 5);
});

// System V and AArch64 only: a callback's '...' there continues on the caller's stack, which
// ends at an unmapped page. A Win64 va_list is a bare pointer into one run of slots with
// nothing to bound it, and what lies above a Windows thread's stack is the process's other
// memory: under Wine all 10^7 reads (80 MB up from the stack) came back readable.
test('VaList.next() past the arguments passed: ERR_VA_LIST_END at the end of the stack, not SIGSEGV', {
  skip: notOnWindows("a Win64 va_list has no end: the memory above the caller's stack can be readable for megabytes"),
}, async () => {
  const r = await runFixture('va-overread.ts', [], { timeoutMs: 10_000 });
  assert.equal(r.signal, null, r.describe());
  assert.equal(r.status, 0, r.describe());
  assert.deepEqual(taggedJson(r.stdout, 'RESULT'), [{ passed: '6' }, { overread: '-1' }], r.describe());
  const [err] = taggedJson<{ name: string; code: string; message: string; reads: number }>(r.stdout, 'ERROR');
  assert.ok(err, r.describe());
  assert.equal(err.name, 'VaListEndError');
  assert.equal(err.code, 'ERR_VA_LIST_END');
  assert.match(err.message, /read past the end of the caller's stack/);
  assert.match(err.message, /more '\.\.\.' arguments were read than were passed, which in C is undefined/);
  assert.ok(err.reads > 0 && err.reads < 10_000_000, String(err.reads));
  assert.deepEqual(taggedJson(r.stdout, 'DONE'), [{}]);
});

test('bridge.readSafe: a copy of readable bytes, null for unmapped ones', () => {
  const p = memory.alloc(16);
  try {
    memory.write(p, new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual([...bridge.readSafe(p, 4)!], [1, 2, 3, 4]);
    assert.equal(bridge.readSafe(p, 0)!.length, 0);
  } finally {
    memory.free(p);
  }
  assert.equal(bridge.readSafe(8n, 8), null);
  assert.equal(bridge.readSafe(0xffff_ffff_ffff_f000n, 8), null);
  assert.throws(() => bridge.readSafe(8n, Infinity), (e: { code?: string }) => e.code === 'ERR_ARG_TYPE');
});
