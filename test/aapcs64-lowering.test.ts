/**
 * The AAPCS64 classifier as a table of expected placements, on any host (it is a pure
 * function): registers x0..x7 / v0..v7, HFAs one member per v register, composites in x
 * register pairs or by reference, stack slots, x8 for results in memory, and the rule that
 * a value that does not fit gives up the rest of its register file. The same cases run for
 * real against C under qemu (scripts/cross/run.sh linux-arm64), in the differential tests.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AAPCS64_BLOCK, hfaOf, lowerAapcs64 } from '../src/abi/aapcs64';
import type { Piece, ResultSlot } from '../src/abi/lowering';
import { FRAME } from '../src/native/arena';
import { array, struct, union } from '../src/index';
import { resolveSignature } from '../src/signature';

const x = (i: number) => (FRAME.args + i) * 8;
const v = (i: number) => (FRAME.args + AAPCS64_BLOCK.fprs + i) * 8;
const stack = (offset: number) => FRAME.stack * 8 + offset;
const retX = (i: number) => (FRAME.ret + i) * 8;
const retV = (i: number) => (FRAME.ret + AAPCS64_BLOCK.intRets + i) * 8;
const lower = (args: unknown[], ret: unknown = 'void', variadic = false) =>
  lowerAapcs64(resolveSignature({ args, ret, variadic } as never));
const where = (s: ResultSlot | null | undefined): unknown => {
  if (s === null || s === undefined) return s;
  if ('pieces' in s) return s.pieces.map((p: Piece) => [p.at, p.from, p.size]);
  return 'at' in s ? s.at : s;
};

const F2 = struct({ a: 'float', b: 'float' });
const F4 = struct({ a: 'float[4]' });
const D3 = struct({ a: 'double', b: 'double', c: 'double' });
const D5 = struct({ a: 'double[5]' });
const FD = struct({ f: 'float', d: 'double' });
const I3 = struct({ a: 'int32_t', b: 'int32_t', c: 'int32_t' });
const L3 = struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' });
const C1 = struct({ c: 'char' });

describe('HFA recognition', () => {
  test('one to four floats or doubles, through nested structs, arrays and unions', () => {
    assert.deepEqual(hfaOf(F2), { kind: 'f32', count: 2 });
    assert.deepEqual(hfaOf(F4), { kind: 'f32', count: 4 });
    assert.deepEqual(hfaOf(D3), { kind: 'f64', count: 3 });
    assert.deepEqual(hfaOf(struct({ p: F2, q: array('float', 2) })), { kind: 'f32', count: 4 });
    assert.deepEqual(hfaOf(union({ a: F2, b: 'float' })), { kind: 'f32', count: 2 });
  });
  test('not an HFA: mixed float kinds, five members, any integer, packed padding', () => {
    assert.equal(hfaOf(FD), null);
    assert.equal(hfaOf(D5), null);
    assert.equal(hfaOf(struct({ f: 'float', i: 'int32_t' })), null);
    assert.equal(hfaOf(struct({ f: 'float', pad: 'char' })), null);
  });
});

describe('arguments', () => {
  test('integers in x0..x7, floats in v0..v7, then 8-byte stack slots, each file on its own', () => {
    const l = lower([...Array(9).fill('int'), ...Array(9).fill('double'), 'float', 'char']);
    assert.deepEqual(l.args.slice(0, 8).map(where), [0, 1, 2, 3, 4, 5, 6, 7].map(x));
    assert.deepEqual(l.args.slice(9, 17).map(where), [0, 1, 2, 3, 4, 5, 6, 7].map(v));
    assert.deepEqual([8, 17, 18, 19].map((i) => where(l.args[i])), [stack(0), stack(8), stack(16), stack(24)]);
    assert.equal(l.stackBytes, 32);
    assert.equal(l.gprCount, 8);
    assert.equal(l.fprCount, 8);
  });
  test('an HFA takes one v register per member; members keep their own size', () => {
    const l = lower(['float', F4, D3]);
    assert.deepEqual(where(l.args[1]), [[v(1), 0, 4], [v(2), 4, 4], [v(3), 8, 4], [v(4), 12, 4]]);
    assert.deepEqual(where(l.args[2]), [[v(5), 0, 8], [v(6), 8, 8], [v(7), 16, 8]], 'exactly fills v5..v7');
  });
  test('an HFA that does not fit gives up the remaining v registers', () => {
    const l = lower([...Array(6).fill('double'), D3, 'double']);
    assert.deepEqual(where(l.args[6]), [[stack(0), 0, 24]]);
    assert.deepEqual(where(l.args[7]), stack(24), 'v6 and v7 stay unused');
  });
  test('composites up to 16 bytes in one or two x registers, or wholly on the stack', () => {
    const l = lower([...Array(6).fill('int'), I3, I3, C1]);
    assert.deepEqual(where(l.args[6]), [[x(6), 0, 8], [x(7), 8, 4]]);
    assert.deepEqual(where(l.args[7]), [[stack(0), 0, 12]]);
    assert.deepEqual(where(l.args[8]), [[stack(16), 0, 1]]);
    assert.equal(l.stackBytes, 24);
    const split = lower([...Array(7).fill('int'), I3, 'int']);
    assert.deepEqual(where(split.args[7]), [[stack(0), 0, 12]], 'never split between x7 and the stack');
    assert.deepEqual(where(split.args[8]), stack(16), 'and x7 is given up');
  });
  test('larger composites go by reference to a copy placed after the stack arguments', () => {
    const l = lower([L3, FD]);
    const ref = l.args[0]!;
    assert.equal(ref.kind, 'reference');
    assert.equal((ref as { at: number }).at, x(0));
    assert.equal((ref as { copyAt: number }).copyAt, stack(0));
    assert.deepEqual(where(l.args[1]), [[x(1), 0, 8], [x(2), 8, 8]], 'float + double is not an HFA: x registers');
    assert.equal(l.scratchAt, stack(24));
  });
  test('variadic: the registers and stack left after the fixed arguments', () => {
    const l = lower(['const char *', 'double'], 'int', true);
    assert.deepEqual(l.variadic, { abi: 'aapcs64', gprs: [1, 2, 3, 4, 5, 6, 7].map(x), fprs: [1, 2, 3, 4, 5, 6, 7].map(v), stackOffset: 0 });
  });
});

describe('results', () => {
  test('x0 / v0 for scalars, v0..v3 for an HFA, x0:x1 up to 16 bytes', () => {
    assert.equal(where(lower([], 'int64_t').ret), retX(0));
    assert.equal(where(lower([], 'float').ret), retV(0));
    assert.deepEqual(where(lower([], F4).ret), [[retV(0), 0, 4], [retV(1), 4, 4], [retV(2), 8, 4], [retV(3), 12, 4]]);
    assert.deepEqual(where(lower([], I3).ret), [[retX(0), 0, 8], [retX(1), 8, 4]]);
  });
  test('larger results through x8, which does not take an argument register', () => {
    const l = lower(['int'], L3);
    assert.deepEqual(l.ret, { kind: 'indirect', type: L3, pointerAt: (FRAME.args + AAPCS64_BLOCK.x8) * 8, returnAt: null, bufferAt: stack(0) });
    assert.equal(where(l.args[0]), x(0));
  });
});
