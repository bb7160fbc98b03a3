/**
 * struct()/union()/array() layouts (sizes, alignments, offsets, packed), sizeof/alignof/
 * offsetof, how aggregates appear in signatures (text, typedefs, `struct Name`), and the
 * constructs that stay unsupported, with their error messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BareFn, FnPtr, InvalidOptionError, UnsupportedTypeError, alignof, array, cstring, offsetof, sizeof, struct, types, union,
} from '../src/index';
import { defaultDataModel, resolveSignature, resolveType, type DataModelName } from '../src/signature';

describe('layout', () => {
  test('C rules: alignment, padding between fields and at the end', () => {
    const S = struct({ c: 'char', d: 'double', s: 'short' });
    assert.deepEqual([sizeof(S), alignof(S), offsetof(S, 'c'), offsetof(S, 'd'), offsetof(S, 's')], [24, 8, 0, 8, 16]);
    const T = struct({ a: 'int8_t', b: 'int16_t', c: 'int8_t', d: 'int32_t' });
    assert.deepEqual([sizeof(T), alignof(T), offsetof(T, 'b'), offsetof(T, 'c'), offsetof(T, 'd')], [12, 4, 2, 4, 8]);
    const C3 = struct({ c: array('char', 3) });
    assert.deepEqual([sizeof(C3), alignof(C3)], [3, 1]);
    assert.equal(sizeof(struct({ f: 'float', c: 'char' })), 8);
    // `long` and `wchar_t` follow the running process's data model (test/data-model.test.ts):
    // 1 + 7 + 8 + 8 + 4 + 4 on LP64; Windows x64's 4-byte long and 2-byte wchar_t give 24.
    const sizes: Record<DataModelName, number> = { 'lp64-x64': 32, 'lp64-arm64': 32, 'llp64-x64': 24, 'ilp32-x86': 16, 'ilp32-arm': 16 };
    assert.equal(sizeof(struct({ b: 'bool', p: 'void *', l: 'long', w: 'wchar_t' })), sizes[defaultDataModel().name]);
  });

  test('packed: no padding, alignment 1', () => {
    const P = struct({ c: 'char', d: 'double', s: 'int16_t' }, { packed: true });
    assert.deepEqual([sizeof(P), alignof(P), offsetof(P, 'd'), offsetof(P, 's')], [11, 1, 1, 9]);
    const Outer = struct({ c: 'char', p: P });
    assert.deepEqual([sizeof(Outer), offsetof(Outer, 'p')], [12, 1]);
    assert.match(P.name, /^struct __attribute__\(\(packed\)\) \{ char c; double d; int16_t s; \}$/);
  });

  test('unions, arrays, nesting, member paths', () => {
    const U = union({ c: 'char[5]', i: 'int32_t' });
    assert.deepEqual([sizeof(U), alignof(U), offsetof(U, 'i')], [8, 4, 0]);
    const Inner = struct({ a: 'int16_t', b: 'double' });
    const S = struct({ c: 'char', inner: Inner, grid: 'int16_t[2][3]', list: array(Inner, 2), u: U });
    assert.equal(offsetof(S, 'inner'), 8);
    assert.equal(offsetof(S, 'inner.b'), 16);
    assert.equal(offsetof(S, 'grid'), 24);
    assert.equal(offsetof(S, 'grid[1]'), 30);
    assert.equal(offsetof(S, 'list'), 40);
    assert.equal(offsetof(S, 'list[1].b'), 64);
    assert.equal(offsetof(S, 'u.i'), 72);
    assert.equal(sizeof(S), 80);
    assert.equal(sizeof('int16_t[2][3]'), 12);
    assert.equal(resolveType(array(array('int', 3), 2)).name, 'int[2][3]');
    assert.equal(sizeof(array('double', 3)), 24);
    assert.equal(alignof('double'), 8);
    assert.equal(sizeof(cstring), 8);
    assert.throws(() => offsetof(S, 'nope' as never), /has no member 'nope'/);
    assert.throws(() => offsetof(S, 'grid[2]'), /out of bounds/);
  });

  test('typedefs of arrays and of aggregates as members', () => {
    types.define('Name16', 'char[16]');
    types.define('Vec2', struct({ x: 'float', y: 'float' }));
    const S = struct({ name: 'Name16', v: 'Vec2', vs: 'Vec2[2]', sv: 'struct Vec2' });
    assert.deepEqual([sizeof(S), offsetof(S, 'v'), offsetof(S, 'vs'), offsetof(S, 'sv')], [48, 16, 24, 40]);
  });
});

describe('aggregates in signatures', () => {
  test('canonical text; typedef names and struct Name; the same layout is the same type', () => {
    const P = struct({ x: 'int32_t', y: 'int32_t' });
    assert.equal(resolveSignature({ args: [P], ret: P }).text, 'struct { int32_t x; int32_t y; } (struct { int32_t x; int32_t y; })');
    types.define('Pt', P);
    assert.equal(resolveSignature('Pt (struct Pt, Pt *)').text, 'Pt (struct Pt, Pt *)');
    types.define('Pt', struct({ x: 'int32_t', y: 'int32_t' })); // same layout: allowed again
    assert.throws(() => types.define('Pt', struct({ x: 'int32_t', y: 'int64_t' })), /already defined/);
    assert.equal(resolveSignature('Pt (Pt *)').args[0]!.kind, 'pointer', 'a pointer to a struct stays a pointer (bigint)');
  });

  test('the same closure shape works from a descriptor and from a prototype string', () => {
    const V = struct({ x: 'double', y: 'double' });
    types.define('VecD', V);
    const a = new BareFn({ args: [V, V], ret: V }, (p, q) => ({ x: p.x + q.x, y: p.y + q.y }));
    const b = new BareFn('VecD (struct VecD, VecD)', (p, q) => {
      const [pp, qq] = [p as { x: number; y: number }, q as { x: number; y: number }];
      return { x: pp.x - qq.x, y: pp.y - qq.y };
    });
    assert.deepEqual(new FnPtr('VecD (VecD, VecD)', a.bare()).call({ x: 1, y: 2 }, { x: 3, y: 4 }), { x: 4, y: 6 });
    assert.deepEqual(new FnPtr({ args: [V, V], ret: V }, b.bare()).call({ x: 1, y: 2 }, { x: 3, y: 4 }), { x: -2, y: -2 });
    a.dispose();
    b.dispose();
  });
});

describe('unsupported constructs are clear errors', () => {
  test('long double, bit-fields, flexible arrays, void members, empty aggregates', () => {
    if (defaultDataModel().longDoubleIsDouble === true) {
      assert.equal(sizeof(struct({ x: 'long double' })), 8); // Windows x64: MSVC's long double is a double
    } else {
      assert.throws(() => struct({ x: 'long double' }), (e: Error) => e instanceof UnsupportedTypeError && /'long double'.*field 'x' of struct\(\)/.test(e.message));
    }
    assert.throws(() => struct({ flags: 'unsigned int : 3' }), /bit-fields are not supported/);
    assert.throws(() => struct({ a: 'int', tail: 'char[]' }), /must be a positive integer constant/);
    assert.throws(() => struct({ a: 'int', tail: 'char[0]' }), /must be a positive integer constant/);
    assert.throws(() => array('int', 0), InvalidOptionError);
    assert.throws(() => struct({ v: 'void' }), /has type 'void'/);
    assert.throws(() => struct({}), /empty struct/);
    assert.throws(() => union({ s: cstring, i: 'int' }), /union member 's' contains a cstring/);
    assert.throws(() => struct({ __proto__: 'int' } as never), /not allowed|empty struct/);
    assert.throws(() => struct({ x: '_Complex double' }), UnsupportedTypeError);
  });

  test('arrays are not parameters; unregistered struct Name; huge structs', () => {
    assert.throws(() => resolveSignature({ args: [array('int', 4)], ret: 'void' }), /array by value, which C does not pass/);
    assert.throws(() => resolveSignature('struct nowhere (int)'), /'struct nowhere' by value .* types\.define\('nowhere'/);
    const Huge = struct({ data: array('uint8_t', 4096) });
    // On the stack (x86-64) or copied and passed by reference (AArch64): either way too big for a frame.
    assert.throws(() => new FnPtr({ args: [Huge], ret: 'void' }, 1n), /at most 472 are supported|at most \d+ bytes of stack arguments, result and copies/);
    assert.throws(() => new FnPtr({ args: [], ret: Huge }, 1n), /returns 4096 bytes in memory/);
  });
});
