/**
 * Structs by value on x86-64 System V: the classic awkward cases by name (test/c/structs.c),
 * each checked four ways: the classifier's verdict, FnPtr -> C (arguments and results),
 * C -> thunk (a C driver calls a closure with known values and checks its results), and
 * koffi (an independent FFI) calling the same C functions and our thunks. On Windows the
 * same C goes by the Win64 rules (the classifier checks stay System V's), and koffi does
 * not call our thunks there (see `fromKoffi`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import koffi from 'koffi';
import { classifySysvX64, lowerSysvX64 } from '../src/abi/sysv-x64';
import { FRAME } from '../src/native/arena';
import {
  ArgumentTypeError, BareFn, BareFnSync, FnPtr, array, decode, encode, loadLibrary, memory, sizeof, struct, types, union,
} from '../src/index';
import { resolveSignature as resolveSignatureForTest } from '../src/signature';
import { compileTestLibrary } from './support/cc';
import { keep } from './support/keep';
import { ON_WINDOWS } from './support/platform';

const path = compileTestLibrary('structs.c', ['-pthread']);
const lib = loadLibrary(path);
const k = koffi.load(path);
const sym = (name: string) => lib.symbol(name);
/**
 * Whether koffi can call our thunks: it runs native code on a stack of its own, and a thunk
 * called there moves JS back onto the thread's stack with the V8-direct accelerator, which
 * Windows builds lack (such a call is refused with zero). C's relay_* functions call the
 * thunks with the same values everywhere.
 */
const fromKoffi = !ON_WINDOWS;


const F3 = struct({ a: 'float', b: 'float', c: 'float' });
const DI = struct({ d: 'double', i: 'int32_t' });
const C3 = struct({ c: array('char', 3) });
/** Plain char is signed on x86 and unsigned on ARM: a char value as this CPU's C sees it. */
const CHAR_SIGNED = process.arch === 'x64' || process.arch === 'ia32';
const char = (v: number) => (CHAR_SIGNED ? v : v & 0xff);
const L3 = struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' });
const F8 = struct({ f: 'float[8]' });
const L2 = struct({ x: 'int64_t', y: 'int64_t' });
const D2 = struct({ a: 'double', b: 'double' });
const FI = struct({ f: 'float', i: 'int32_t' });
const LD = struct({ l: 'int64_t', d: 'double' });
const PK = struct({ c: 'char', d: 'double', s: 'int16_t' }, { packed: true });

const KF3 = koffi.struct('F3', { a: 'float', b: 'float', c: 'float' });
const KDI = koffi.struct('DI', { d: 'double', i: 'int32_t' });
const KC3 = koffi.struct('C3', { c: koffi.array('char', 3, 'Array') });
const KL3 = koffi.struct('L3', { a: 'int64_t', b: 'int64_t', c: 'int64_t' });
const KF8 = koffi.struct('F8', { f: koffi.array('float', 8, 'Array') });
koffi.struct('L2', { x: 'int64_t', y: 'int64_t' });
void [KF3, KDI, KC3, KL3, KF8]; // registered with koffi by name, used in the prototypes below

describe('classification (System V AMD64, 3.2.3)', () => {
  test('eightbyte classes of the named cases', () => {
    assert.deepEqual(classifySysvX64(F3), ['SSE', 'SSE']);
    assert.deepEqual(classifySysvX64(DI), ['SSE', 'INTEGER']);
    assert.deepEqual(classifySysvX64(C3), ['INTEGER']);
    assert.equal(classifySysvX64(L3), 'MEMORY');
    assert.equal(classifySysvX64(F8), 'MEMORY');
    assert.deepEqual(classifySysvX64(FI), ['INTEGER']);
    assert.deepEqual(classifySysvX64(LD), ['INTEGER', 'SSE']);
    assert.deepEqual(classifySysvX64(D2), ['SSE', 'SSE']);
    assert.equal(classifySysvX64(PK), 'MEMORY', 'a misaligned (packed) field forces MEMORY');
    assert.deepEqual(classifySysvX64(struct({ a: 'int16_t', b: 'int16_t' }, { packed: true })), ['INTEGER'], 'packed but aligned: classified normally');
    assert.deepEqual(classifySysvX64(union({ f: 'float', i: 'int32_t' })), ['INTEGER']);
    assert.deepEqual(classifySysvX64(union({ d: 'double', f: 'float[2]' })), ['SSE']);
  });

  test('a struct that no longer fits in registers goes wholly on the stack; later arguments still use registers', () => {
    // Frame byte offsets: register slots of 8 bytes, then the caller's stack arguments.
    const gpr = (i: number) => (FRAME.args + i) * 8;
    const xmm = (i: number) => (FRAME.args + 6 + i) * 8;
    const stack = FRAME.stack * 8;
    const starts = (slot: unknown) => (slot as { pieces: { at: number }[] }).pieces.map((p) => p.at);
    const l = lowerSysvX64(resolveSignatureForTest({ args: ['int', 'int', 'int', 'int', 'int', L2, 'int'], ret: 'int64_t' }));
    assert.deepEqual(l.args[5], { kind: 'aggregate', type: L2, pieces: [{ at: stack, from: 0, size: 16 }] });
    assert.deepEqual(l.args[6], { at: gpr(5), size: 8, kind: 'i32' }, 'the int after the struct takes r9');
    assert.equal(l.stackBytes, 16);
    const d = lowerSysvX64(resolveSignatureForTest({ args: ['double', 'double', 'double', 'double', 'double', 'double', 'double', D2, 'double'], ret: 'double' }));
    assert.deepEqual(starts(d.args[7]), [stack]);
    assert.deepEqual(d.args[8], { at: xmm(7), size: 8, kind: 'f64' }, 'the double after the struct takes xmm7');
    const m = lowerSysvX64(resolveSignatureForTest({ args: [L3, 'int'], ret: L3 }));
    assert.equal(m.ret?.kind, 'indirect');
    assert.deepEqual(m.args[1], { at: gpr(1), size: 8, kind: 'i32' }, 'the hidden result pointer takes rdi');
    assert.deepEqual(m.args[0], { kind: 'aggregate', type: L3, pieces: [{ at: stack, from: 0, size: 24 }] });
    const mixed = lowerSysvX64(resolveSignatureForTest({ args: [DI, LD], ret: LD }));
    assert.deepEqual(starts(mixed.args[0]), [xmm(0), gpr(0)]);
    assert.deepEqual(starts(mixed.args[1]), [gpr(1), xmm(1)]);
    assert.deepEqual(starts(mixed.ret), [FRAME.ret * 8, (FRAME.ret + 2) * 8], 'rax then xmm0');
  });
});

describe('named cases: FnPtr -> C, C -> thunk, C relays and koffi', () => {
  test('struct {float a, b, c;}', () => {
    const make = new FnPtr({ args: ['float'], ret: F3 }, sym('make_f3'));
    assert.deepEqual(make.call(1), { a: 1, b: 2.5, c: -1.25 });
    assert.deepEqual(make.call(1), k.func('F3 make_f3(float)')(1));
    assert.equal(new FnPtr({ args: [F3, 'float', 'float', 'float'], ret: 'int' }, sym('check_f3')).call({ a: 0.5, b: -2, c: 1e30 }, 0.5, -2, 1e30), 0);
    let seen = 0;
    const cb = keep(new BareFn({ args: [F3, 'int'], ret: F3 }, (v, i) => {
      assert.deepEqual(v, { a: i, b: i * 0.5, c: -i });
      seen++;
      return { a: v.c, b: v.a + 1, c: i * 3 };
    }));
    assert.equal(new FnPtr('int (void *)', sym('drive_f3')).call(cb.bare()), 0);
    assert.equal(seen, 10);
    if (fromKoffi) assert.deepEqual(koffi.call(cb.bare(), koffi.proto('F3 cbF3a(F3, int)'), { a: 2, b: 1, c: -2 }, 2), { a: -2, b: 3, c: 6 });
    assert.deepEqual(new FnPtr({ args: ['void *', F3, 'int'], ret: F3 }, sym('relay_f3')).call(cb.bare(), { a: 2, b: 1, c: -2 }, 2), { a: -2, b: 3, c: 6 });
  });

  test('struct {double d; int32_t i;}', () => {
    const make = new FnPtr({ args: ['int32_t'], ret: DI }, sym('make_di'));
    assert.deepEqual(make.call(6), { d: 1.5, i: -6 });
    assert.deepEqual(make.call(6), k.func('DI make_di(int32_t)')(6));
    assert.equal(new FnPtr({ args: [DI, 'double', 'int32_t'], ret: 'int' }, sym('check_di')).call({ d: -0.125, i: 2 ** 31 - 1 }, -0.125, 2 ** 31 - 1), 0);
    const cb = keep(new BareFn({ args: ['int64_t', DI, 'double'], ret: DI }, (kk, v, h) => ({ d: v.d + h, i: v.i * 2 + Number(kk) })));
    assert.equal(new FnPtr('int (void *)', sym('drive_di')).call(cb.bare()), 0);
    if (fromKoffi) assert.deepEqual(koffi.call(cb.bare(), koffi.proto('DI cbDI(int64_t, DI, double)'), 3, { d: 1, i: 4 }, 0.5), { d: 1.5, i: 11 });
    assert.deepEqual(new FnPtr({ args: ['void *', 'int64_t', DI, 'double'], ret: DI }, sym('relay_di')).call(cb.bare(), 3n, { d: 1, i: 4 }, 0.5), { d: 1.5, i: 11 });
  });

  test('struct {char c[3];}', () => {
    const make = new FnPtr({ args: ['char'], ret: C3 }, sym('make_c3'));
    assert.deepEqual(make.call(126), { c: [126, 127, char(-128)] });
    assert.deepEqual(make.call(5).c, [...(k.func('C3 make_c3(char)')(5) as { c: number[] }).c]);
    assert.equal(new FnPtr({ args: [C3, 'char', 'char', 'char'], ret: 'int' }, sym('check_c3')).call({ c: [char(-1), 0, 1] }, char(-1), 0, 1), 0);
    const cb = keep(new BareFn({ args: [C3], ret: C3 }, (v) => ({ c: [v.c[2]!, v.c[1]!, v.c[0]!] })));
    assert.equal(new FnPtr('int (void *)', sym('drive_c3')).call(cb.bare()), 0);
  });

  test('struct {int64_t a, b, c;} (MEMORY: stack copy in, hidden result pointer out)', () => {
    const make = new FnPtr({ args: ['int64_t'], ret: L3 }, sym('make_l3'));
    assert.deepEqual(make.call(-5n), { a: -5n, b: 5n, c: -15n });
    const km = k.func('L3 make_l3(int64_t)')(-5) as Record<string, number | bigint>;
    assert.deepEqual(Object.values(km).map((x) => BigInt(x)), [-5n, 5n, -15n]);
    const check = new FnPtr({ args: ['int', L3, 'int', 'int64_t', 'int64_t', 'int64_t'], ret: 'int' }, sym('check_l3'));
    assert.equal(check.call(7, { a: 1n, b: -(2n ** 63n), c: 2n ** 63n - 1n }, 9, 1n, -(2n ** 63n), 2n ** 63n - 1n), 0);
    const cb = keep(new BareFn({ args: [L3, 'int32_t'], ret: L3 }, (v, i) => ({ a: v.c, b: v.b + BigInt(i), c: v.a })));
    assert.equal(new FnPtr('int (void *)', sym('drive_l3')).call(cb.bare()), 0);
    // FnPtr -> thunk with a memory-class result (the result buffer is in the caller's frame)
    assert.deepEqual(new FnPtr({ args: [L3, 'int32_t'], ret: L3 }, cb.bare()).call({ a: 1n, b: 2n, c: 3n }, 4), { a: 3n, b: 6n, c: 1n });
    if (fromKoffi) {
      const kr = koffi.call(cb.bare(), koffi.proto('L3 cbL3(L3, int32_t)'), { a: 1, b: 2, c: 3 }, 4) as Record<string, number | bigint>;
      assert.deepEqual(Object.values(kr).map((x) => BigInt(x)), [3n, 6n, 1n]);
    }
    assert.deepEqual(new FnPtr({ args: ['void *', L3, 'int32_t'], ret: L3 }, sym('relay_l3')).call(cb.bare(), { a: 1n, b: 2n, c: 3n }, 4), { a: 3n, b: 6n, c: 1n });
  });

  test('a struct of 8 floats (32 bytes, MEMORY)', () => {
    const make = new FnPtr({ args: ['float'], ret: F8 }, sym('make_f8'));
    assert.deepEqual(make.call(0.5), { f: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5] });
    assert.deepEqual(make.call(0.5).f, [...(k.func('F8 make_f8(float)')(0.5) as { f: number[] }).f]);
    assert.equal(new FnPtr({ args: [F8, 'float'], ret: 'int' }, sym('check_f8')).call({ f: new Float32Array([3, 4, 5, 6, 7, 8, 9, 10]) as unknown as number[] }, 3), 0);
    const cb = keep(new BareFn({ args: ['double', F8], ret: F8 }, (kk, v) => ({ f: v.f.map((_, i) => v.f[7 - i]! + kk) })));
    assert.equal(new FnPtr('int (void *)', sym('drive_f8')).call(cb.bare()), 0);
  });

  test('a struct after five integer arguments (no longer fits: stack), and after seven doubles', () => {
    const want = (s: { x: bigint; y: bigint }, g: number) => 1n + 20n + 300n + 4000n + 50000n + s.x * 100000n + s.y * 1000000n + BigInt(g) * 10000000n;
    const f = new FnPtr({ args: ['int', 'int', 'int', 'int', 'int', L2, 'int'], ret: 'int64_t' }, sym('after5'));
    assert.equal(f.call(1, 2, 3, 4, 5, { x: 6n, y: 7n }, 8), want({ x: 6n, y: 7n }, 8));
    const cb = keep(new BareFn({ args: ['int', 'int', 'int', 'int', 'int', L2, 'int'], ret: 'int64_t' },
      (a, b, c, d, e, s, g) => BigInt(a + b * 10 + c * 100 + d * 1000 + e * 10000) + s.x * 100000n + s.y * 1000000n + BigInt(g) * 10000000n));
    assert.equal(new FnPtr('int (void *)', sym('drive_after5')).call(cb.bare()), 0);
    assert.equal(BigInt(k.func('int64_t after5(int, int, int, int, int, L2, int)')(1, 2, 3, 4, 5, { x: 6, y: 7 }, 8) as number), want({ x: 6n, y: 7n }, 8));
    if (fromKoffi) assert.equal(BigInt(koffi.call(cb.bare(), koffi.proto('int64_t cbAfter5(int, int, int, int, int, L2, int)'), 1, 2, 3, 4, 5, { x: 6, y: 7 }, 8) as number), want({ x: 6n, y: 7n }, 8));
    const relay = new FnPtr({ args: ['void *', 'int', 'int', 'int', 'int', 'int', L2, 'int'], ret: 'int64_t' }, sym('relay_after5'));
    assert.equal(relay.call(cb.bare(), 1, 2, 3, 4, 5, { x: 6n, y: 7n }, 8), want({ x: 6n, y: 7n }, 8));

    const d = new FnPtr({ args: ['double', 'double', 'double', 'double', 'double', 'double', 'double', D2, 'double'], ret: 'double' }, sym('after7d'));
    assert.equal(d.call(1, 2, 3, 4, 5, 6, 7, { a: 8, b: 9 }, 10), 1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81 + 100);
    const cbd = keep(new BareFn({ args: ['double', 'double', 'double', 'double', 'double', 'double', 'double', D2, 'double'], ret: 'double' },
      (a, b, c, dd, e, f2, g, s, h) => a + b * 2 + c * 3 + dd * 4 + e * 5 + f2 * 6 + g * 7 + s.a * 8 + s.b * 9 + h * 10));
    assert.equal(new FnPtr('int (void *)', sym('drive_after7d')).call(cbd.bare()), 0);
  });

  test('mixed INTEGER/SSE eightbytes; packed (misaligned: MEMORY); union; nested structs with arrays', () => {
    assert.deepEqual(new FnPtr({ args: [FI, LD], ret: LD }, sym('mix')).call({ f: 0.25, i: 3 }, { l: 10n, d: 1 }), { l: 13n, d: 1.25 });
    const makePk = new FnPtr({ args: ['char'], ret: PK }, sym('make_pk'));
    assert.equal(sizeof(PK), 11);
    assert.deepEqual(makePk.call(10), { c: 10, d: 5, s: -30 });
    const c = char(-4); // check_pk wants d = c * 0.5 and s = (int16_t)(c * -3)
    assert.equal(new FnPtr({ args: [PK, 'char'], ret: 'int' }, sym('check_pk')).call({ c, d: c * 0.5, s: ((c * -3) << 16) >> 16 }, c), 0);

    const UV = union({ i: 'int64_t', d: 'double', b: 'uint8_t[8]' });
    const u = new FnPtr({ args: ['int64_t'], ret: UV }, sym('make_uv_int')).call(0x3ff0000000000000n);
    assert.deepEqual(u, { i: 0x3ff0000000000000n, d: 1, b: [0, 0, 0, 0, 0, 0, 0xf0, 0x3f] });
    assert.equal(new FnPtr({ args: [UV], ret: 'double' }, sym('uv_as_double')).call({ i: 0x4000000000000000n }), 2);
    assert.equal(new FnPtr({ args: [UV], ret: 'double' }, sym('uv_as_double')).call(u), 1, 'a decoded union passes back through JS');
    const Small = union({ c: 'uint8_t', l: 'uint64_t' });
    const echo = keep(new BareFn({ args: [Small], ret: Small }, (v) => v));
    assert.deepEqual(new FnPtr({ args: [Small], ret: Small }, echo.bare()).call({ l: 0x1122334455667788n }), { c: 0x88, l: 0x1122334455667788n }, 'the widest member present is encoded');
    assert.equal(new FnPtr({ args: [UV], ret: 'double' }, sym('uv_as_double')).call({ b: [0, 0, 0, 0, 0, 0, 0xf0, 0xbf] }), -1);

    const P16 = struct({ x: 'int16_t', y: 'int16_t' });
    const Shape = struct({ pts: array(P16, 3), tag: array('uint8_t', 5), ok: 'bool' });
    assert.equal(sizeof(Shape), 18);
    const s = new FnPtr({ args: ['int'], ret: Shape }, sym('make_shape')).call(3);
    assert.deepEqual(s, { pts: [{ x: 3, y: -3 }, { x: 4, y: -4 }, { x: 5, y: -5 }], tag: [200, 201, 202, 203, 204], ok: true });
    assert.equal(new FnPtr({ args: [Shape], ret: 'int' }, sym('shape_sum')).call(s), 1000 + 30 - 3 + 40 - 4 + 50 - 5 + 1010);
  });

  test('an array of packed structs is classified by its first element (as GCC does)', () => {
    const PFS = struct({ f: 'float', s: 'int16_t' }, { packed: true });
    const PFS2 = struct({ a: array(PFS, 2) });
    assert.deepEqual(classifySysvX64(PFS2), ['INTEGER', 'INTEGER'], 'the second float (offset 6) is misaligned, yet not MEMORY');
    assert.deepEqual(new FnPtr({ args: ['float'], ret: PFS2 }, sym('make_pfs2')).call(1.5), { a: [{ f: 1.5, s: 1 }, { f: 3, s: 2 }] });
    assert.equal(new FnPtr({ args: [PFS2, 'float'], ret: 'int' }, sym('check_pfs2')).call({ a: [{ f: -2, s: 1 }, { f: -4, s: 2 }] }, -2), 0);
    const cb = keep(new BareFn({ args: [PFS2], ret: PFS2 }, (v) => ({ a: [v.a[1]!, v.a[0]!] })));
    assert.equal(new FnPtr('int (void *)', sym('drive_pfs2')).call(cb.bare()), 0);
  });

  test('struct Name by value in prototype strings (types.define)', () => {
    types.define('F3', F3);
    types.define('L3s', L3);
    const make = new FnPtr('struct F3 make_f3(float base)', sym('make_f3'));
    assert.equal(make.signature, 'struct F3 (float)');
    assert.deepEqual(make.call(2), { a: 2, b: 3.5, c: -0.25 });
    const cb = keep(new BareFn('L3s (struct L3s v, int32_t k)', (v, i) => ({ a: (v as { c: bigint }).c, b: (v as { b: bigint }).b + BigInt(i as number), c: (v as { a: bigint }).a })));
    assert.equal(new FnPtr('int (void *)', sym('drive_l3')).call(cb.bare()), 0);
    assert.throws(() => new FnPtr('union F3 (void)', sym('make_f3')), /'F3' is defined as a struct, not a union/);
  });
});

describe('Sync thunks called from another thread', () => {
  test('memory-class results, stack-passed structs and register structs cross threads intact', () => {
    const onThread = new FnPtr('int (void *driver, void *arg)', sym('on_thread'), { serviceCallbacks: true });
    const l3 = keep(new BareFnSync({ args: [L3, 'int32_t'], ret: L3 }, (v, i) => ({ a: v.c, b: v.b + BigInt(i), c: v.a })));
    assert.equal(onThread.call(sym('drive_l3'), l3.bare()), 0);
    const a5 = keep(new BareFnSync({ args: ['int', 'int', 'int', 'int', 'int', L2, 'int'], ret: 'int64_t' },
      (a, b, c, d, e, s, g) => BigInt(a + b * 10 + c * 100 + d * 1000 + e * 10000) + s.x * 100000n + s.y * 1000000n + BigInt(g) * 10000000n));
    assert.equal(onThread.call(sym('drive_after5'), a5.bare()), 0);
    const f3 = keep(new BareFnSync({ args: [F3, 'int'], ret: F3 }, (v, i) => ({ a: v.c, b: v.a + 1, c: i * 3 })));
    assert.equal(onThread.call(sym('drive_f3'), f3.bare()), 0);
  });
});

describe('bit exactness under optimization', () => {
  test('NaN payloads in float/double arrays and fields survive tier-up (V8 double arrays canonicalize NaNs)', () => {
    const S = struct({ f: array('float', 4), d: array('double', 3), x: 'double', g: 'float[2][2]' });
    const dv = new DataView(new ArrayBuffer(8));
    const b32 = (x: number) => { dv.setFloat32(0, x, true); return dv.getUint32(0, true); };
    const b64 = (x: number) => { dv.setFloat64(0, x, true); return dv.getBigUint64(0, true); };
    const fb = [0x7fc12345, 0xffc00001, 0x7fffffff, 0x80000001];
    const db = [0x7ff8dead0000beefn, 0xfff8000000000001n, 0x7ff8000000001234n];
    const problems: string[] = [];
    const check = (where: string, v: { f: number[]; d: number[]; x: number; g: number[][] }) => {
      for (let i = 0; i < 4; i++) if (b32(v.f[i]!) !== fb[i]) problems.push(`${where} f[${i}] ${b32(v.f[i]!).toString(16)}`);
      for (let i = 0; i < 3; i++) if (b64(v.d[i]!) !== db[i]) problems.push(`${where} d[${i}] ${b64(v.d[i]!).toString(16)}`);
      if (b64(v.x) !== db[0]) problems.push(`${where} x`);
      for (let i = 0; i < 4; i++) if (b32(v.g[i >> 1]![i & 1]!) !== fb[i]) problems.push(`${where} g`);
    };
    const t = keep(new BareFn({ args: [S], ret: S }, (v) => { check('closure argument', v); return v; }));
    const call = new FnPtr({ args: [S], ret: S }, t.bare());
    const f = new Float32Array(new Uint32Array(fb).buffer);
    const value = {
      f: f as unknown as number[],
      d: new Float64Array(new BigUint64Array(db).buffer) as unknown as number[],
      x: new Float64Array(new BigUint64Array([db[0]!]).buffer)[0]!,
      g: [f.subarray(0, 2), f.subarray(2, 4)] as unknown as number[][],
    };
    for (let k = 0; k < 20_000 && problems.length < 10; k++) check(`result ${k}`, call.call(value));
    assert.deepEqual(problems, []);
  });
});

describe('errors and the memory helpers', () => {
  test('a missing or mistyped field names its path', () => {
    const Outer = struct({ id: 'int32_t', inner: struct({ x: 'float', y: 'double' }), tag: array('uint8_t', 2) });
    const errors: unknown[] = [];
    const cb = keep(new BareFn({ args: [], ret: Outer }, () => ({ id: 1, inner: { x: 1 }, tag: [1, 2] }) as never, {
      onError: (e) => { errors.push(e); return { id: -1, inner: { x: 0, y: 0 }, tag: [0, 0] }; },
    }));
    const r = new FnPtr({ args: [], ret: Outer }, cb.bare()).call();
    assert.equal(r.id, -1);
    assert.ok(errors[0] instanceof ArgumentTypeError);
    assert.match(String((errors[0] as Error).message), /return value\.inner\.y \(missing\): expected number, got undefined/);
    const f = new FnPtr({ args: ['int', Outer], ret: 'void' }, cb.bare());
    assert.throws(() => f.call(1, { id: 1, inner: { x: 1, y: 2 }, tag: [1, 'x'] } as never), /argument 2\.tag\[1\]: expected an 8-bit unsigned integer \(0 to 255\), got string "x"/);
    assert.throws(() => f.call(1, { id: 1, inner: { x: 1, y: 2 }, tag: [1] } as never), /argument 2\.tag: expected an array of 2 elements/);
    assert.throws(() => f.call(1, 5 as never), /expected an object \(struct \{ int32_t id;/);
  });

  test('decode / encode read and write structs in native memory', () => {
    const Rec = struct({ a: 'uint8_t', b: 'double', c: array(struct({ p: 'int16_t', q: 'float' }), 2), u: union({ i: 'int32_t', f: 'float' }) });
    const p = memory.alloc(sizeof(Rec));
    try {
      encode(p, Rec, { a: 255, b: -0.5, c: [{ p: -1, q: 1.5 }, { p: 2, q: -2.5 }], u: { f: 1 } });
      assert.deepEqual(decode(p, Rec), { a: 255, b: -0.5, c: [{ p: -1, q: 1.5 }, { p: 2, q: -2.5 }], u: { i: 0x3f800000, f: 1 } });
      assert.equal(decode(p + 8n, 'double'), -0.5);
      encode(p + 8n, 'double', 4);
      assert.equal(decode(p, Rec).b, 4);
      const before = memory.read(p, sizeof(Rec));
      assert.throws(() => encode(p, Rec, { a: 1, b: 2, c: [{ p: 1, q: 1 }], u: { i: 1 } } as never), /value\.c: expected an array of 2 elements/);
      assert.deepEqual(memory.read(p, sizeof(Rec)), before, 'nothing is written when encoding fails');
      assert.throws(() => decode(0n, Rec), /non-null address/);
    } finally {
      memory.free(p);
    }
  });
});
