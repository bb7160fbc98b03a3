/**
 * Native memory at native speed: the scalar accessors (`memory.i32` ...), `decode` /
 * `encode` of scalars, arrays and structs through address windows, views, C strings, JS
 * memory as pointer arguments and out-parameters. All against real native memory (from
 * `memory.alloc`, and written or checked by C compiled here), cross-checked with koffi.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import koffi from 'koffi';
import { ArgumentTypeError, BareFn, ClosureFfiError, FnPtr, decode, encode, loadLibrary, memory, struct } from '../src/index';
import { WINDOW_SIZE } from '../src/runtime/address-windows';
import { compileSharedLibrary } from './support/cc';
import { ON_WINDOWS } from './support/platform';

const C_SOURCE = String.raw`
#include <stdint.h>
#include <string.h>
/* Writes one value of each width at odd (unaligned) offsets; JS must read them back. */
void fill(unsigned char *p) {
  int8_t a = -5; uint8_t b = 250; int16_t c = -1234; uint16_t d = 60000;
  int32_t e = -123456789; uint32_t f = 4000000000u; float g = 1.25f; double h = -2.5e300;
  int64_t i = -9000000000000000000LL; uint64_t j = 18000000000000000000ULL; void *k = (void *)0x123456789abcULL;
  memcpy(p + 0, &a, 1); memcpy(p + 1, &b, 1); memcpy(p + 3, &c, 2); memcpy(p + 5, &d, 2);
  memcpy(p + 9, &e, 4); memcpy(p + 13, &f, 4); memcpy(p + 17, &g, 4); memcpy(p + 21, &h, 8);
  memcpy(p + 29, &i, 8); memcpy(p + 37, &j, 8); memcpy(p + 45, &k, 8);
}
/* 1 when the same values are where fill() puts them (written by JS's setters). */
int check(const unsigned char *p) {
  unsigned char q[64] = {0};
  fill(q);
  return memcmp(p, q, 53) == 0;
}
`;
const lib = loadLibrary(compileSharedLibrary('native_memory', C_SOURCE));
const fill = new FnPtr('void (void *)', lib.symbol('fill'));
const check = new FnPtr('int (const void *)', lib.symbol('check'));

const LAYOUT = [
  ['i8', 0, -5], ['u8', 1, 250], ['i16', 3, -1234], ['u16', 5, 60000], ['i32', 9, -123456789], ['u32', 13, 4000000000],
  ['f32', 17, 1.25], ['f64', 21, -2.5e300], ['i64', 29, -9000000000000000000n], ['u64', 37, 18000000000000000000n],
  ['ptr', 45, 0x123456789abcn],
] as const;

const setterOf = (kind: string) => `set${kind[0]!.toUpperCase()}${kind.slice(1)}` as 'setI8';

/** A block spanning at least one 64 KiB window edge, and the address of that edge. */
function acrossEdge(): { block: bigint; edge: number } {
  const block = memory.alloc(3 * WINDOW_SIZE);
  const edge = (Math.floor(Number(block) / WINDOW_SIZE) + 1) * WINDOW_SIZE;
  return { block, edge };
}

describe('scalar accessors', () => {
  test('every accessor reads what C wrote, at unaligned offsets, with bigint and number pointers', () => {
    const p = memory.alloc(64);
    try {
      fill.call(p);
      for (const [kind, offset, value] of LAYOUT) {
        assert.equal(memory[kind](p, offset), value, `${kind} at ${offset}`);
        assert.equal(memory[kind](Number(p) + offset), value, `${kind} via number`);
        assert.equal(memory[kind](p + BigInt(offset)), value, `${kind} via bigint`);
      }
    } finally {
      memory.free(p);
    }
  });

  test('every setter writes what C expects, at unaligned offsets', () => {
    const p = memory.alloc(64);
    try {
      for (const [kind, offset, value] of LAYOUT) (memory[setterOf(kind)] as (p: bigint, o: number, v: unknown) => void)(p, offset, value);
      memory.setU8(p, 2, 0);
      assert.equal(check.call(p), 1);
    } finally {
      memory.free(p);
    }
  });

  test('values agree with koffi.decode at every offset of a random block', () => {
    const p = memory.alloc(256);
    try {
      const bytes = new Uint8Array(256);
      for (let i = 0; i < 256; i++) bytes[i] = (i * 73 + 41) & 0xff;
      memory.write(p, bytes);
      const kp = koffi.decode(Buffer.from(new BigUint64Array([p]).buffer), 'void *');
      const kinds = [['i8', 'int8_t'], ['u8', 'uint8_t'], ['i16', 'int16_t'], ['u16', 'uint16_t'], ['i32', 'int32_t'],
        ['u32', 'uint32_t'], ['f32', 'float'], ['f64', 'double'], ['i64', 'int64_t'], ['u64', 'uint64_t']] as const;
      for (let off = 0; off < 240; off += 7) {
        for (const [kind, ktype] of kinds) {
          const mine = memory[kind](p, off);
          const theirs = koffi.decode(kp, off, ktype) as number | bigint;
          assert.ok(Object.is(mine, typeof mine === 'bigint' ? BigInt(theirs) : theirs), `${kind} at ${off}: ${mine} vs ${theirs}`);
        }
      }
    } finally {
      memory.free(p);
    }
  });

  test('little-endian byte order', () => {
    const p = memory.alloc(16);
    try {
      memory.setU32(p, 0, 0x01020304);
      assert.deepEqual([0, 1, 2, 3].map((i) => memory.u8(p, i)), [4, 3, 2, 1]);
      memory.setU64(p, 8, 0x0102030405060708n);
      assert.equal(memory.u16(p, 8), 0x0708);
      assert.equal(memory.u32(p, 12), 0x01020304);
    } finally {
      memory.free(p);
    }
  });

  test('accesses that straddle a 64 KiB window edge, every width and split', () => {
    const { block, edge } = acrossEdge();
    try {
      for (const [kind, , value] of LAYOUT) {
        const size = kind.endsWith('8') && kind.length === 2 ? 1 : Number(/\d+/.exec(kind)?.[0] ?? 64) / 8;
        for (let k = 1; k < size; k++) {
          const at = edge - k;
          (memory[setterOf(kind)] as (p: number, o: number, v: unknown) => void)(at, 0, value);
          assert.equal(memory[kind](at), value, `${kind} straddling by ${k}`);
          assert.equal(memory[kind](BigInt(at - 5), 5), value);
          // the bytes in memory are the value's own (compared with the bridge's copy)
          assert.equal(memory.read(BigInt(at), size).length, size);
          assert.equal(decode(BigInt(at), kind === 'ptr' ? 'void *' : ({ i8: 'int8_t', u8: 'uint8_t', i16: 'int16_t', u16: 'uint16_t',
            i32: 'int32_t', u32: 'uint32_t', f32: 'float', f64: 'double', i64: 'int64_t', u64: 'uint64_t' } as const)[kind]), value);
        }
      }
    } finally {
      memory.free(block);
    }
  });

  test('NaN payloads round-trip bit-exactly (double; float quiet NaNs)', () => {
    const p = memory.alloc(16);
    try {
      for (const bits of [0x7ff8000000000001n, 0x7ff4000000abcdefn, 0xfff8dead0000beefn]) {
        memory.setU64(p, 0, bits);
        const x = memory.f64(p);
        assert.ok(Number.isNaN(x));
        memory.setF64(p, 8, x);
        // quiet NaNs come back as they were; a signalling one (0x7ff4...) may come back quieted
        const back = memory.u64(p, 8);
        assert.ok(back === bits || back === (bits | 0x0008000000000000n), `0x${bits.toString(16)} -> 0x${back.toString(16)}`);
      }
      for (const bits of [0x7fc12345, 0xffc00001]) {
        memory.setU32(p, 0, bits);
        memory.setF32(p, 4, memory.f32(p));
        assert.equal(memory.u32(p, 4), bits);
      }
    } finally {
      memory.free(p);
    }
  });

  test('NULL plus an offset is refused; bad values are refused, not wrapped', () => {
    const p = memory.alloc(16);
    try {
      assert.throws(() => memory.i32(0n), (e: unknown) => e instanceof ClosureFfiError && e.code === 'ERR_NULL_POINTER');
      assert.throws(() => memory.setI32(0n, 16, 1), /first 64 KiB.*NULL pointer plus an offset/);
      assert.throws(() => memory.i32(p, 1.5), /offset must be a whole number/);
      assert.throws(() => memory.i32('1' as never), ArgumentTypeError);
      assert.throws(() => memory.setI32(p, 0, 2 ** 40), /expected a 32-bit signed integer.*refused, not wrapped/);
      assert.throws(() => memory.setU8(p, 0, -1), /expected an 8-bit unsigned integer/);
      assert.throws(() => memory.setI64(p, 0, 2 ** 60), /bigint/);
      assert.throws(() => memory.setPtr(p, 0, 5 as never), ArgumentTypeError);
      memory.setI32(p, 0, 0xffffffff); // a signed type takes its bit pattern
      assert.equal(memory.i32(p), -1);
      memory.setPtr(p, 8, null);
      assert.equal(memory.ptr(p, 8), 0n);
      memory.setPtr(p, 8, { bare: () => 0x1234n });
      assert.equal(memory.ptr(p, 8), 0x1234n);
    } finally {
      memory.free(p);
    }
  });
});

describe('decode and encode through windows', () => {
  test('scalars and pointers, single and counted', () => {
    const p = memory.alloc(64);
    try {
      memory.write(p, new Int32Array([3, -1, 2, 7]));
      assert.equal(decode(p, 'int32_t'), 3);
      assert.deepEqual(decode(p, 'int32_t', 4), [3, -1, 2, 7]);
      assert.deepEqual(decode(p, 'uint8_t', 5), [3, 0, 0, 0, 0xff]);
      assert.deepEqual(decode(p, 'int32_t', 0), []);
      encode(p, 'double', 0.1);
      assert.equal(memory.f64(p), 0.1);
      encode(p + 8n, 'void *', 0xdeadbeefn);
      assert.equal(decode(p + 8n, 'void *'), 0xdeadbeefn);
      assert.equal(decode(Number(p) + 8, 'uintptr_t'), 0xdeadbeefn);
      assert.throws(() => decode(p, 'int32_t', -1), /count must be a whole number/);
      assert.throws(() => decode(0n, 'int32_t'), (e: unknown) => e instanceof ClosureFfiError && e.code === 'ERR_NULL_POINTER');
    } finally {
      memory.free(p);
    }
  });

  test('structs, arrays of structs, and a struct straddling a window edge', () => {
    const Rec = struct({ id: 'uint16_t', score: 'double', name: 'char[6]', next: 'void *' });
    const { block, edge } = acrossEdge();
    try {
      for (const at of [Number(block) + 64, edge - 5]) {
        const v = { id: 7, score: -0.5, name: [104, 105, 0, 0, 0, 0], next: 0x42n };
        encode(at, Rec, v);
        assert.deepEqual(decode(at, Rec), v);
        assert.deepEqual(decode(BigInt(at), Rec, 2)[0], v);
      }
      // a refused value leaves the memory as it was
      const before = memory.read(BigInt(edge - 5), 32);
      assert.throws(() => encode(edge - 5, Rec, { id: 7, score: 1, name: [1, 2, 3, 4, 5, 6], next: 5 } as never), /value\.next/);
      assert.deepEqual(memory.read(BigInt(edge - 5), 32), before);
    } finally {
      memory.free(block);
    }
  });
});

describe('views and strings', () => {
  test('view aliases native memory and is bounded by its length', () => {
    const p = memory.alloc(16);
    try {
      const v = new Int32Array(memory.view(p, 16));
      v[1] = 99;
      assert.equal(memory.i32(p, 4), 99);
      memory.setI32(p, 12, -3);
      assert.equal(v[3], -3);
      assert.equal(v.length, 4);
      assert.equal(v[4], undefined); // past the end: out of bounds, never native memory
      assert.throws(() => new DataView(memory.view(p, 16)).getInt32(13, true), RangeError);
    } finally {
      memory.free(p);
    }
  });

  test('char * and char[N] with multibyte UTF-8; embedded NULs end the string', () => {
    const p = memory.alloc(64);
    try {
      assert.equal(memory.writeString(p, 'naïve ✓ 😀', 64), 15);
      assert.equal(memory.string(p), 'naïve ✓ 😀');
      assert.equal(memory.readCString(p), 'naïve ✓ 😀');
      assert.equal(memory.string(p, 5), 'naïv'); // char[5]: 'n','a', 2 bytes of 'ï', 'v' and no NUL
      memory.write(p, Buffer.from('ab\0cd\0'));
      assert.equal(memory.string(p), 'ab');
      assert.equal(memory.string(p, 6), 'ab');
      assert.equal(memory.string(0n), null);
      memory.write(p, Buffer.from([0x61, 0xff, 0x62, 0]));
      assert.equal(memory.string(p), 'a\ufffdb'); // not UTF-8: replaced, as readCString does
    } finally {
      memory.free(p);
    }
  });

  test('strings C cannot hold are refused with a clear error', () => {
    const p = memory.alloc(8);
    try {
      assert.throws(() => memory.writeString(p, 'a\0b', 8), /NUL character at index 1/);
      assert.throws(() => memory.writeString(p, 'a\ud800', 8), /lone surrogate/);
      assert.throws(() => memory.writeString(p, '12345678', 8), (e: unknown) =>
        e instanceof ClosureFfiError && e.code === 'ERR_OUT_OF_RANGE' && /8 bytes of UTF-8 and a NUL do not fit in 8 bytes/.test(e.message));
      assert.equal(memory.writeString(p, '1234567', 8), 7);
    } finally {
      memory.free(p);
    }
  });

  test('a string crossing a window edge', () => {
    const { block, edge } = acrossEdge();
    try {
      const text = 'é'.repeat(40);
      memory.writeString(edge - 31, text, 200);
      assert.equal(memory.string(edge - 31), text);
      assert.equal(memory.string(edge - 31, 40), 'é'.repeat(20));
    } finally {
      memory.free(block);
    }
  });
});

describe('JS memory and strings as pointer arguments', () => {
  const libc = loadLibrary();
  const strlen = new FnPtr('size_t strlen(const char *s)', libc.symbol('strlen'));
  const memcpy = new FnPtr('void *memcpy(void *dst, const void *src, size_t n)', libc.symbol('memcpy'));
  const memset = new FnPtr('void *memset(void *s, int c, size_t n)', libc.symbol('memset'));
  // sprintf, not snprintf: Windows' C runtimes (ucrtbase.dll, msvcrt.dll) export no snprintf.
  const sprintf = new FnPtr('int sprintf(char *buf, const char *fmt, ...)', libc.symbol('sprintf'));

  test('Buffer, typed arrays, DataView and ArrayBuffer are passed by address, without a copy', () => {
    assert.equal(strlen.call(Buffer.from('hello\0')), 5n);
    const dst = new Uint32Array(4);
    memcpy.call(dst.subarray(1), new Uint32Array([7, 8]), 8n); // byteOffset honoured
    assert.deepEqual([...dst], [0, 7, 8, 0]);
    const ab = new ArrayBuffer(6);
    memset.call(ab, 0x41, 6n);
    assert.equal(Buffer.from(ab).toString(), 'AAAAAA');
    const dv = new DataView(new ArrayBuffer(8), 2, 4);
    memset.call(dv, 0xff, 4n);
    assert.deepEqual([...new Uint8Array(dv.buffer)], [0, 0, 255, 255, 255, 255, 0, 0]);
    // the returned pointer is the JS memory's own address: native and JS see the same bytes
    const buf = Buffer.alloc(16);
    const at = memset.call(buf, 0x7a, 3n);
    assert.equal(memory.string(at), 'zzz');
    assert.equal(memset.call(Buffer.alloc(0), 0, 0n), 0n); // no bytes: NULL
  });

  test('JS memory and native memory mix: memcpy both ways', () => {
    const p = memory.alloc(16);
    try {
      memcpy.call(p, new Float64Array([1.5, -2]), 16n);
      assert.equal(memory.f64(p, 8), -2);
      const back = new Float64Array(2);
      memcpy.call(back, p, 16n);
      assert.deepEqual([...back], [1.5, -2]);
    } finally {
      memory.free(p);
    }
  });

  test('a JS string for a const char * is a temporary UTF-8 copy; other pointers refuse strings', () => {
    assert.equal(strlen.call('héllo ✓'), 10n);
    assert.equal(strlen.call(''), 0n);
    assert.equal(strlen.call('x'.repeat(100000)), 100000n);
    const out = Buffer.alloc(64);
    assert.equal(sprintf.call(out, '%s=%d, %s', 'cstring', 'n', 'int', 42, 'cstring', 'ü'), 8);
    assert.equal(out.toString('utf8', 0, 8), 'n=42, ü');
    assert.throws(() => strlen.call('a\0b'), /argument 1 \(s\).*NUL character/);
    assert.throws(() => memcpy.call(out, 'abc' as never, 3n), /argument 2 \(src\).*a string is taken only for a const char \* parameter/);
  });

  test('JS memory is refused where it would outlive the call (closure results, struct members)', () => {
    const Holder = struct({ p: 'void *' });
    const p = memory.alloc(8);
    try {
      assert.throws(() => encode(p, Holder, { p: Buffer.alloc(4) as never }), /JS memory is taken only as an argument of a call/);
    } finally {
      memory.free(p);
    }
  });

  test('the memory stays alive for the call even when nothing else holds it', () => {
    // a callback inside the call forces collections while C still uses the buffer
    const qsort = new FnPtr('void qsort(void *, size_t, size_t, int (*)(const void *, const void *))', libc.symbol('qsort'));
    const gc = (globalThis as { gc?: () => void }).gc;
    let calls = 0;
    const cmp = new BareFn('int (const void *, const void *)', (a, b) => {
      if (++calls % 50 === 0) { gc?.(); for (let i = 0; i < 100; i++) new Uint8Array(1 << 16); }
      return memory.i32(a) - memory.i32(b);
    });
    try {
      const sorted = (() => {
        const data = new Int32Array(500).map((_, i) => (i * 7919) % 500);
        qsort.call(data, 500n, 4n, cmp.bare());
        return data;
      })();
      assert.deepEqual([...sorted], [...Array(500).keys()]);
    } finally {
      cmp.dispose();
    }
  });
});

describe('out-parameters', () => {
  const libc = loadLibrary();

  test('memory.out(type): C writes, .value reads it typed; passed as the pointer itself', () => {
    const strtol = new FnPtr('long strtol(const char *s, char **endptr, int base)', libc.symbol('strtol'));
    {
      using end = memory.out('char *');
      // (endptr points into the string: native memory here, since a JS string's copy lives only for the call)
      const s = memory.alloc(16);
      memory.writeString(s, '42abc', 16);
      // long is 64 bits on Linux (a bigint), 32 on Windows (a number)
      assert.equal(strtol.call(s, end, 10), ON_WINDOWS ? 42 : 42n);
      assert.equal(end.value, s + 2n);
      assert.equal(memory.string(end.value), 'abc');
      assert.equal(end.size, 8);
      memory.free(s);
    }
    const sscanf = new FnPtr('int sscanf(const char *s, const char *fmt, ...)', libc.symbol('sscanf'));
    const n = memory.out('int32_t');
    const d = memory.out('double');
    try {
      assert.equal(sscanf.call('17 2.5', '%d %lf', 'void *', n, 'void *', d), 2);
      assert.equal(n.value, 17);
      assert.equal(d.value, 2.5);
    } finally {
      n.free();
      d.free();
    }
    n.free(); // idempotent
    assert.throws(() => n.value, (e: unknown) => e instanceof ClosureFfiError && e.code === 'ERR_DISPOSED');
  });

  test('in/out: an initial value, and a struct place', () => {
    const Pair = struct({ a: 'int32_t', b: 'int32_t' });
    using p = memory.out(Pair, { a: 1, b: 2 });
    assert.deepEqual(p.value, { a: 1, b: 2 });
    memory.setI32(p.bare(), 4, 9);
    assert.deepEqual(p.value, { a: 1, b: 9 });
    p.value = { a: -1, b: 0 };
    assert.equal(memory.i32(p.bare()), -1);
    assert.throws(() => memory.out('int32_t', 2 ** 40 as never), /expected a 32-bit signed integer/);
  });
});
