/**
 * The Microsoft x64 convention (cc: 'Win64', `__ms_abi`; 'Efiapi' is the same), against
 * GCC's own __attribute__((ms_abi)) code in test/c/win64.c (on Linux a foreign convention;
 * on Windows the platform's own, where `plain` below is Win64 too): positional registers,
 * shadow space and stack arguments, small structs in integer registers, other structs by
 * reference to a copy, large results through a hidden pointer, and the registers the
 * convention makes callee-saved.
 * (test/differential.test.ts also runs its random signatures under Win64.)
 * The convention exists only on x86-64: on another CPU one test checks that it is refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BareFn, cc, FnPtr, loadLibrary, struct } from '../src/index';
import { f32Bits, f64Bits } from './support/bits';
import { compileTestLibrary } from './support/cc';
import { keep } from './support/keep';

const X64 = process.arch === 'x64';
const lib = X64 ? loadLibrary(compileTestLibrary('win64.c')) : loadLibrary();
/** A C function of the platform's convention (System V on Linux; Win64 on Windows). */
const plain = <S extends string>(proto: S, name: string) => new FnPtr(proto, lib.symbol(name));
const ms = <S extends string>(proto: S, name: string) => new FnPtr(proto, lib.symbol(name), { cc: cc.Win64 });

const S4 = struct({ a: 'int16_t', b: 'int16_t' });
const S1 = struct({ c: 'uint8_t' });
const S8F = struct({ x: 'float', y: 'float' });
const S16 = struct({ a: 'int64_t', b: 'int64_t' });

const MIX10 = 'double __ms_abi (int8_t, double, uint16_t, float, int64_t, double, uint32_t, float, void *, int32_t)';
const MIX10_ARGS = [-5, 1.5, 65535, -2.25, -(2n ** 63n), 1e300, 4000000000, 3.5, 0x1234n, -7] as const;
const ALT12 = 'int64_t (double, int32_t, double, int32_t, double, int32_t, double, int32_t, double, int32_t, double, int32_t)';
const STRUCTS = { args: [S4, S1, S8F, 'double', S4], ret: S4, cc: cc.Win64 } as const;
const BIG = { args: ['int32_t', 'double'], ret: S16, cc: cc.Win64 } as const;
const S12 = struct({ a: 'int32_t', b: 'int32_t', c: 'int32_t' });
const S24 = struct({ x: 'double', tag: 'int8_t[9]' });
const REFS = { args: ['int32_t', S12, 'double', S24, S12], ret: S12, cc: cc.Win64 } as const;
type S12 = { a: number; b: number; c: number };
/** What ms_refs in win64.c computes. */
const refsResult = (i: number, x: S12, d: number, y: { x: number; tag: number[] }, w: S12): S12 =>
  ({ a: x.a + w.a + i, b: x.b + w.b, c: x.c + w.c + Math.trunc(d * 10) + y.tag[8]! + Math.trunc(y.x) });
const REFS_ARGS: Parameters<typeof refsResult> =
  [5, { a: 1, b: -2, c: 3 }, 0.5, { x: 2.5, tag: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, { a: 10, b: 20, c: 30 }];

if (!X64) {
  test(`Win64 and Efiapi are refused on ${process.arch}: by option, by keyword, with structs, for thunks and for FnPtr`, () => {
    const refused = (conv: string) => (e: Error & { code?: string }) =>
      e.code === 'ERR_UNSUPPORTED_CONVENTION' && e.message.includes(conv) && /exists only on x86-64/.test(e.message);
    const abs = lib.symbol('abs');
    assert.throws(() => new BareFn(MIX10, () => 0), refused('Win64'), '__ms_abi keyword');
    assert.throws(() => new BareFn(MIX10.replace('__ms_abi', 'efiapi'), () => 0), refused('Efiapi'), 'efiapi keyword');
    assert.throws(() => new BareFn(ALT12, () => 0n, { cc: cc.Win64 }), refused('Win64'), 'cc option');
    assert.throws(() => new BareFn(STRUCTS, () => ({ a: 0, b: 0 })), refused('Win64'), 'descriptor with structs');
    assert.throws(() => new BareFn(REFS, () => ({ a: 0, b: 0, c: 0 })), refused('Win64'), 'structs by reference');
    assert.throws(() => new FnPtr(MIX10, abs), refused('Win64'), 'FnPtr, keyword');
    assert.throws(() => new FnPtr('int (int)', abs, { cc: cc.Win64 }), refused('Win64'), 'FnPtr, cc option');
    assert.throws(() => new FnPtr('int (int)', abs, { cc: cc.Efiapi }), refused('Efiapi'), 'FnPtr, Efiapi');
    assert.throws(() => new FnPtr(BIG, abs), refused('Win64'), 'FnPtr, descriptor');
  });
} else {
  const recGet = plain('uint64_t (int)', 'rec_get');
  const afterGet = plain('uint64_t (int)', 'ms_after_get');

  describe('Win64: C calls thunks through ms_abi pointers', () => {
    test('ten mixed arguments: positional registers, then the stack above the shadow space', () => {
      let got: unknown[] = [];
      const cb = keep(new BareFn(MIX10, (...a) => ((got = a), 42.5)));
      assert.equal(plain('int (void *)', 'call_mix10').call(cb.bare()), 1, 'C got 42.5 back');
      assert.deepEqual(got, [...MIX10_ARGS]);
    });

    test('twelve alternating double/int arguments (eight on the stack)', () => {
      let got: unknown[] = [];
      const cb = keep(new BareFn(ALT12, (...a) => ((got = a), 0x0102030405060708n), { cc: cc.Win64 }));
      assert.equal(plain('int (void *)', 'call_alt12').call(cb.bare()), 1);
      assert.deepEqual(got, [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]);
    });

    test('a float result in xmm0, the fifth float on the stack', () => {
      const cb = keep(new BareFn('float win64 (float, float, float, float, float)', (a, b, c, d, e) => a + b + c + d + e));
      assert.equal(plain('int (void *)', 'call_f5').call(cb.bare()), 1);
    });

    test('1-, 4- and 8-byte structs in integer registers and on the stack, a 4-byte struct result in rax', () => {
      let got: unknown[] = [];
      const cb = keep(new BareFn(STRUCTS, (x, y, z, d, w) => ((got = [x, y, z, d, w]), { a: x.a + w.a, b: x.b + y.c })));
      assert.equal(plain('int (void *)', 'call_structs').call(cb.bare()), 1, `closure saw ${JSON.stringify(got)}`);
      assert.deepEqual(got, [{ a: -3, b: 300 }, { c: 200 }, { x: 1.25, y: -0.5 }, 2.75, { a: 7, b: -8 }]);
    });

    test('a 16-byte struct result through the hidden pointer in rcx (arguments shift by one)', () => {
      const cb = keep(new BareFn(BIG, (a, d) => ({ a: BigInt(a * 2), b: BigInt(Math.trunc(d)) })));
      assert.equal(plain('int (void *)', 'call_big').call(cb.bare()), 1);
    });

    test('12- and 24-byte structs by reference (one of them on the stack), a 12-byte result through the hidden pointer', () => {
      let got: unknown[] = [];
      const cb = keep(new BareFn(REFS, (i, x, d, y, w) => ((got = [i, x, d, y, w]), refsResult(i, x, d, y, w))));
      assert.equal(plain('int (void *)', 'call_refs').call(cb.bare()), 1, `closure saw ${JSON.stringify(got)}`);
      assert.deepEqual(got, REFS_ARGS);
    });

    test('rdi, rsi and xmm6-xmm15 survive the call (callee-saved in Win64, not in System V)', () => {
      const cb = keep(new BareFn('int64_t __ms_abi (int64_t)', (x) => {
        // Work that makes the bridge and V8 use those registers.
        let s = 0;
        for (let i = 0; i < 1000; i++) s += Math.sqrt(i) * Math.sin(i);
        return x * 3n + BigInt(Math.sign(s) * 0);
      }));
      assert.equal(plain('int64_t (void *)', 'check_ms_preserved').call(cb.bare()), 21n);
      const want = [0x5151515151515151n, 0x7171717171717171n];
      for (let n = 6; n <= 15; n++) want.push(BigInt(`0x${(0x60 + n).toString(16)}${n.toString(16).padStart(2, '0').repeat(7)}`));
      const got = want.map((_, i) => afterGet.call(i));
      assert.deepEqual(got.map((v) => v.toString(16)), want.map((v) => v.toString(16)));
    });

    test('Efiapi is the same convention', () => {
      let got: unknown[] = [];
      const cb = keep(new BareFn(MIX10.replace('__ms_abi', 'efiapi'), (...a) => ((got = a), 42.5)));
      assert.equal(plain('int (void *)', 'call_mix10').call(cb.bare()), 1);
      assert.deepEqual(got, [...MIX10_ARGS]);
    });
  });

  describe('Win64: FnPtr calls ms_abi C functions', () => {
    test('ten mixed arguments arrive bit-exact', () => {
      const f = new FnPtr(MIX10, lib.symbol('ms_mix10'));
      assert.equal(f.call(...MIX10_ARGS), -0.125);
      const want = [
        BigInt.asUintN(64, -5n), f64Bits(1.5), 65535n, BigInt(f32Bits(-2.25)), 1n << 63n, f64Bits(1e300), 4000000000n,
        BigInt(f32Bits(3.5)), 0x1234n, BigInt.asUintN(64, -7n),
      ];
      assert.deepEqual(want.map((_, i) => recGet.call(i)), want);
    });

    test('stack arguments and results: alternating doubles/ints, five floats', () => {
      assert.equal(ms(ALT12, 'ms_alt12').call(0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6), 18000n * 1000n + 21n);
      assert.equal(ms('float (float, float, float, float, float)', 'ms_f5').call(1, 2, 3, 4, 5), 12345);
    });

    test('small structs by value, and a 16-byte struct result through the hidden pointer', () => {
      const f = new FnPtr(STRUCTS, lib.symbol('ms_structs'));
      assert.deepEqual(f.call({ a: -3, b: 300 }, { c: 200 }, { x: 1.25, y: -0.5 }, 2.75, { a: 7, b: -8 }), { a: 7, b: 498 });
      assert.deepEqual(new FnPtr(BIG, lib.symbol('ms_big')).call(-21, 9.75), { a: -42n, b: 9n });
    });

    test('structs by reference: FnPtr makes the copies', () => {
      const f = new FnPtr(REFS, lib.symbol('ms_refs'));
      assert.deepEqual(f.call(...REFS_ARGS), refsResult(...REFS_ARGS));
    });

    test('FnPtr (Win64) -> thunk (Win64) round trip, structs by reference included', () => {
      const r = keep(new BareFn(REFS, (i, x, d, y, w) => refsResult(i, x, d, y, w)));
      assert.deepEqual(new FnPtr(REFS, r.bare()).call(...REFS_ARGS), { a: 16, b: 18, c: 49 });
    });

    test('FnPtr (Win64) -> thunk (Win64) round trip', () => {
      const cb = keep(new BareFn(MIX10, (...a) => Number(a[0]) + Number(a[9]) + 0.5));
      assert.equal(new FnPtr(MIX10, cb.bare()).call(...MIX10_ARGS), -11.5);
    });
  });
}
