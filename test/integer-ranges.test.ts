/**
 * Numbers for 8/16/32-bit (and 64-bit) C integers must be integers the type holds: 3.5,
 * 2 ** 40 for an int32_t, -1 for an unsigned type and NaN are ArgumentTypeErrors naming
 * the argument (or the closure's return value, or the struct member) and the range,
 * never a silent C cast. A signed type also takes its unsigned bit pattern (0xffffffff is
 * -1 for an int32_t), and a bigint for a 64-bit type is taken as a 64-bit pattern.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArgumentTypeError, BareFn, FnPtr, decode, encode, memory, struct } from '../src/index';

/** A FnPtr calling a BareFn that echoes its argument (so values go JS -> C -> JS). */
function echo(type: string): { fn: { call(x: unknown): unknown }; dispose(): void } {
  const thunk = new BareFn(`${type} (${type} x)` as 'int (int x)', (x) => x);
  const ptr = new FnPtr(`${type} (${type} x)` as 'int (int x)', thunk.bare());
  return { fn: { call: (x) => ptr.call(x as never) }, dispose: () => thunk.dispose() };
}

const refused = (what: RegExp) => (e: unknown) =>
  e instanceof ArgumentTypeError && e.code === 'ERR_ARG_TYPE' && what.test(e.message);

describe('integer ranges', () => {
  test('an argument that the C integer type cannot hold is refused, naming the argument and the range', () => {
    const { fn, dispose } = echo('int32_t');
    try {
      assert.throws(() => fn.call(3.5), refused(/^argument 1 \(x\) of FnPtr 'int32_t \(int32_t\)': expected a 32-bit signed integer \(-2147483648 to 2147483647, or 0 to 0xffffffff as its bit pattern\), got number 3\.5 \(not an integer/));
      assert.throws(() => fn.call(2 ** 40), refused(/argument 1 \(x\).*got number 1099511627776 \(out of range for the C type; it is refused, not wrapped\)/));
      assert.throws(() => fn.call(-(2 ** 31) - 1), refused(/out of range/));
      assert.throws(() => fn.call(NaN), refused(/got number NaN \(NaN and Infinity have no integer value\)/));
      assert.throws(() => fn.call(Infinity), refused(/NaN and Infinity/));
      assert.throws(() => fn.call('1' as never), refused(/got string/));
    } finally {
      dispose();
    }
  });

  test('each width has its own range; unsigned types refuse negative numbers', () => {
    const cases: [string, number[], number[]][] = [
      ['int8_t', [-128, 127, 0], [128.5, 256, -129]],
      ['uint8_t', [0, 255], [-1, 256, 0.5]],
      ['int16_t', [-32768, 32767], [65536, -32769]],
      ['uint16_t', [0, 65535], [-1, 65536]],
      ['int32_t', [-(2 ** 31), 2 ** 31 - 1], [2 ** 32, -(2 ** 31) - 1]],
      ['uint32_t', [0, 2 ** 32 - 1], [-1, 2 ** 32]],
    ];
    for (const [type, ok, bad] of cases) {
      const { fn, dispose } = echo(type);
      try {
        for (const v of ok) assert.equal(fn.call(v as never), v, `${type} ${v}`);
        for (const v of bad) assert.throws(() => fn.call(v as never), refused(/argument 1 \(x\)/), `${type} ${v}`);
      } finally {
        dispose();
      }
    }
  });

  test('a signed type takes its unsigned bit pattern: 0xffffffff is -1 for an int32_t (C hex constants)', () => {
    const wide = echo('int32_t');
    const byte = echo('int8_t');
    const short = echo('short');
    try {
      assert.equal(wide.fn.call(0xffffffff), -1);
      assert.equal(wide.fn.call(0x80000000), -(2 ** 31));
      assert.equal(byte.fn.call(0xff as never), -1);
      assert.equal(short.fn.call(0x8000 as never), -32768);
    } finally {
      wide.dispose();
      byte.dispose();
      short.dispose();
    }
  });

  test('a closure result out of range is refused, naming the return value', () => {
    const errors: unknown[] = [];
    const thunk = new BareFn('unsigned (void)', () => -1, { onError: (e) => { errors.push(e); return 7; } });
    try {
      const fn = new FnPtr('unsigned (void)', thunk.bare());
      assert.equal(fn.call(), 7);
      assert.equal(errors.length, 1);
      assert.ok(refused(/^return value of the closure for 'unsigned int \(void\)': expected a 32-bit unsigned integer \(0 to 4294967295\), got number -1/)(errors[0]), String(errors[0]));
    } finally {
      thunk.dispose();
    }
  });

  test('64-bit types: numbers must be safe integers, and not negative for unsigned ones; bigints are bit patterns', () => {
    const signed = echo('int64_t');
    const size = echo('size_t');
    try {
      assert.equal(signed.fn.call(-5 as never), -5n);
      assert.throws(() => signed.fn.call(2 ** 60 as never), refused(/expected bigint \(or a safe-integer number\).*out of range/));
      assert.throws(() => signed.fn.call(0.5 as never), refused(/not an integer/));
      assert.throws(() => size.fn.call(-1 as never), refused(/expected bigint \(or a non-negative safe-integer number\), got number -1/));
      assert.equal(size.fn.call(-1n), 0xffffffffffffffffn); // (size_t)-1, written as a bigint on purpose
    } finally {
      signed.dispose();
      size.dispose();
    }
  });

  test('struct members are checked the same way, naming the member', () => {
    const Pixel = struct({ r: 'uint8_t', g: 'uint8_t', b: 'uint8_t', level: 'int32_t' });
    const p = memory.alloc(Pixel.size);
    try {
      encode(p, Pixel, { r: 255, g: 0, b: 1, level: 0xffffffff });
      assert.deepEqual(decode(p, Pixel), { r: 255, g: 0, b: 1, level: -1 });
      assert.throws(() => encode(p, Pixel, { r: 256, g: 0, b: 0, level: 0 }), refused(/value\.r: expected an 8-bit unsigned integer \(0 to 255\), got number 256/));
      assert.throws(() => encode(p, Pixel, { r: 0, g: 0, b: 0, level: 1.5 }), refused(/value\.level: expected a 32-bit signed integer.*got number 1\.5 \(not an integer/));
      const thunk = new BareFn({ args: [Pixel], ret: 'int' }, (px) => px.level);
      try {
        const fn = new FnPtr({ args: [Pixel], ret: 'int' }, thunk.bare());
        assert.equal(fn.call({ r: 1, g: 2, b: 3, level: 4 }), 4);
        assert.throws(() => fn.call({ r: -1, g: 2, b: 3, level: 4 }), refused(/argument 1.*\.r: expected an 8-bit unsigned integer.*got number -1/));
      } finally {
        thunk.dispose();
      }
    } finally {
      memory.free(p);
    }
  });
});
