/**
 * C strings: `cstring` (and `const char *` with `strings: true`) as arguments and results in
 * both directions, struct fields, lifetimes (frame scratch for call arguments, malloc for
 * long ones, interning for closure results), and errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import koffi from 'koffi';
import {
  ArgumentTypeError, BareFn, FnPtr, cstring, decode, encode, internedStrings, loadLibrary, memory, sizeof, struct,
} from '../src/index';
import { compileSharedLibrary, compileTestLibrary } from './support/cc';
import { keep } from './support/keep';
import { ON_WINDOWS } from './support/platform';

const path = compileTestLibrary('structs.c', ['-pthread']);
const lib = loadLibrary(path);
const libc = loadLibrary();
const k = koffi.load(path);
const sym = (name: string) => lib.symbol(name);


describe('cstring: JS -> C', () => {
  const strlen = new FnPtr('size_t (cstring)', sym('c_strlen'));

  test('a JS string arrives as NUL-terminated UTF-8; null as NULL; a bigint as an address', () => {
    assert.equal(strlen.call('hello'), 5n);
    assert.equal(strlen.call(''), 0n);
    assert.equal(strlen.call('héllo wörld ✓ 😀'), BigInt(Buffer.byteLength('héllo wörld ✓ 😀')));
    assert.equal(strlen.call(null), 2n ** 64n - 1n);
    const p = memory.alloc(8);
    memory.write(p, Buffer.from('abc\0'));
    assert.equal(strlen.call(p as never), 3n, 'a bigint address is accepted at run time (the static type says string | null)');
    memory.free(p);
  });

  test('descriptor option strings: true turns const char * into strings', () => {
    const f = new FnPtr({ args: ['const char *'], ret: 'size_t', strings: true }, sym('c_strlen'));
    assert.equal(f.signature, 'size_t (cstring)');
    assert.equal(f.call('four'), 4n);
    const g = new FnPtr({ args: ['int'], ret: 'const char *', strings: true }, sym('c_greeting'));
    assert.equal(g.call(1), 'héllo wörld');
    const raw = new FnPtr({ args: ['int'], ret: 'const char *' }, sym('c_greeting'));
    assert.equal(typeof raw.call(1), 'bigint', 'without the option, const char * stays a pointer');
    assert.equal(new FnPtr({ args: ['char *'], ret: 'size_t', strings: true }, sym('c_strlen')).signature, 'size_t (char *)', 'char * is not a string');
  });

  test('several strings, long strings (beyond the frame: malloc, freed after the call), and results pointing into arguments', () => {
    const strcmp = new FnPtr('int (cstring, cstring)', libc.symbol('strcmp'));
    assert.equal(strcmp.call('abc', 'abc'), 0);
    assert.ok(strcmp.call('abc', 'abd') < 0);
    const long1 = 'x'.repeat(3000) + 'a';
    const long2 = 'x'.repeat(3000) + 'b';
    assert.ok(strcmp.call(long1, long2) < 0, 'the second string no longer fits in the frame');
    assert.equal(strlen(10_000), 10_000n);
    const strstr = new FnPtr('cstring (cstring haystack, cstring needle)', libc.symbol('strstr'));
    assert.equal(strstr.call('closure-ffi strings', 'ffi'), 'ffi strings');
    assert.equal(strstr.call('abc', 'z'), null);
    function strlen(n: number) {
      return new FnPtr('size_t (cstring)', sym('c_strlen')).call('é'.repeat(n / 2));
    }
  });

  test('a string argument survives nested calls made during the call', () => {
    const strlen = new FnPtr('size_t (cstring)', sym('c_strlen'));
    const inner = keep(new BareFn('int (void)', () => Number(strlen.call('a different, longer string that reuses a frame'))));
    const outer = new FnPtr('int (cstring, void *)', sym('str_then_cb'));
    assert.equal(outer.call('outer string', inner.bare()), 46);
  });

  test('errors: wrong types and embedded NUL', () => {
    assert.throws(() => strlen.call(5 as never), (e: Error) => e instanceof ArgumentTypeError && /argument 1 of FnPtr 'size_t \(cstring\)': expected a string, null or a bigint address, got number 5/.test(e.message));
    assert.throws(() => strlen.call('a\0b'), /contains a NUL character/);
    assert.throws(() => strlen.call(undefined as never), /got undefined/);
  });
});

describe('cstring: C -> JS', () => {
  test('closure arguments arrive as strings (copied) or null', () => {
    const seen: (string | null)[] = [];
    const cb = keep(new BareFn('int (cstring s)', (s) => {
      seen.push(s);
      return s === null ? -1 : s.length;
    }));
    assert.equal(new FnPtr('int (void *)', sym('drive_strlen_cb')).call(cb.bare()), 301);
    assert.deepEqual(seen, ['abc', '', null]);
  });

  test('closure results are interned: stable, never freed, one copy per distinct text', () => {
    const names = ['zero', 'öne', 'two'];
    const cb = keep(new BareFn('cstring (int)', (i) => names[i]!));
    const out = memory.alloc(64);
    try {
      const before = internedStrings();
      const n = new FnPtr('int (void *, void *, size_t)', sym('drive_names')).call(cb.bare(), out, 64n);
      assert.equal(n, Buffer.byteLength('zero|öne|two|'));
      assert.equal(memory.readCString(out), 'zero|öne|two|');
      const mid = internedStrings();
      assert.equal(mid.count - before.count, 3);
      new FnPtr('int (void *, void *, size_t)', sym('drive_names')).call(cb.bare(), out, 64n);
      assert.deepEqual(internedStrings(), mid, 'the same texts are not copied again');
    } finally {
      memory.free(out);
    }
    const viaFnPtr = new FnPtr('cstring (int)', cb.bare());
    assert.equal(viaFnPtr.call(1), 'öne');
  });

  test('a closure may return null or its own pointer; other values are reported', () => {
    const p = memory.alloc(8);
    memory.write(p, Buffer.from('mine\0'));
    const cb = keep(new BareFn('cstring (int)', (i) => (i === 0 ? null : i === 1 ? (p as unknown as string) : (42 as unknown as string)), {
      onError: () => 'fallback',
    }));
    const f = new FnPtr('cstring (int)', cb.bare());
    assert.equal(f.call(0), null);
    assert.equal(f.call(1), 'mine');
    assert.equal(f.call(2), 'fallback');
    memory.free(p);
  });

  // koffi is the independent caller where it can be; on Windows, where a callback on koffi's
  // own stack is refused by design (no V8-direct accelerator), C code is the caller.
  test(`${ON_WINDOWS ? 'C' : 'koffi and C'} call a cstring thunk`, () => {
    const cb = keep(new BareFn('int (cstring, cstring)', (a, b) => (a ?? '').length * 10 + (b ?? '').length));
    if (!ON_WINDOWS) assert.equal(koffi.call(cb.bare(), koffi.proto('int cbStr2(const char *, const char *)'), 'héllo', null), 50);
    void k;
    const caller = loadLibrary(compileSharedLibrary('cstring-caller', `
int call_str2(int (*cb)(const char *, const char *)) { return cb("h\\xc3\\xa9llo", 0) * 1000 + cb("", "ab\\xe2\\x9c\\x93"); }
`));
    assert.equal(new FnPtr('int (void *)', caller.symbol('call_str2')).call(cb.bare()), 50 * 1000 + 3);
  });
});

describe('cstring fields', () => {
  const Named = struct({ name: cstring, id: 'int32_t' });

  test('in structs by value, both directions, and with decode/encode', () => {
    assert.equal(sizeof(Named), 16);
    const make = new FnPtr({ args: ['int'], ret: Named }, sym('make_named'));
    assert.deepEqual(make.call(3), { name: 'named', id: 3 });
    assert.deepEqual(make.call(0), { name: null, id: 0 });
    const check = new FnPtr({ args: [Named], ret: 'int' }, sym('check_named'));
    assert.equal(check.call({ name: 'abcd', id: 7 }), 407);
    assert.equal(check.call({ name: null, id: 7 }), -7);
    const p = memory.alloc(sizeof(Named));
    encode(p, Named, { name: 'in memory', id: 1 });
    assert.deepEqual(decode(p, Named), { name: 'in memory', id: 1 });
    assert.equal(decode(p, 'cstring'), 'in memory');
    memory.free(p);
  });
});
