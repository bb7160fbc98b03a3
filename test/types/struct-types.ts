/**
 * Type-level tests for structs, unions, arrays and C strings (checked by `tsc --noEmit`
 * in npm test's typecheck and by test/struct-types.test.ts). Each `// @ts-expect-error`
 * line must be an error.
 */
import { BareFn, FnPtr, array, cstring, decode, encode, offsetof, struct, union } from '../../src/index';
import type { ArgsOf, ClosureOf, JsTypeOf, ReturnOf } from '../../src/signature/typelevel';
import type { SignatureSpec } from '../../src/signature/signature';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

function accept<const S extends SignatureSpec>(sig: S, fn: ClosureOf<S>): void {
  void sig;
  void fn;
}

const Point = struct({ x: 'int32_t', y: 'int32_t' });
const Inner = struct({ a: 'float', b: 'double' });
const Outer = struct({
  id: 'uint64_t',
  p: Point,
  inner: Inner,
  tag: array('char', 8),
  grid: 'int16_t[2][3]',
  name: cstring,
  label: 'cstring',
  ok: 'bool',
  next: 'struct node *',
  cb: 'int (*)(int)',
});
const Value = union({ i: 'int64_t', d: 'double', bytes: array('uint8_t', 8) });

type OuterJs = JsTypeOf<typeof Outer>;

export type Cases = [
  Expect<Equal<JsTypeOf<typeof Point>, { x: number; y: number }>>,
  Expect<Equal<OuterJs['id'], bigint>>,
  Expect<Equal<OuterJs['p'], { x: number; y: number }>>,
  Expect<Equal<OuterJs['inner'], { a: number; b: number }>>,
  Expect<Equal<OuterJs['tag'], number[]>>,
  Expect<Equal<OuterJs['grid'], number[][]>>,
  Expect<Equal<OuterJs['name'], string | null>>,
  Expect<Equal<OuterJs['label'], string | null>>,
  Expect<Equal<OuterJs['ok'], boolean>>,
  Expect<Equal<OuterJs['next'], bigint>>,
  Expect<Equal<OuterJs['cb'], bigint>>,
  Expect<Equal<JsTypeOf<typeof Value>, { i?: bigint; d?: number; bytes?: number[] }>>,
  Expect<Equal<JsTypeOf<ReturnType<typeof array<'double', 4>>>, number[]>>,
  // descriptors with struct objects type through
  Expect<Equal<ArgsOf<{ args: [typeof Point, 'double']; ret: typeof Inner }>, [{ x: number; y: number }, number]>>,
  Expect<Equal<ReturnOf<{ args: [typeof Point]; ret: typeof Inner }>, { a: number; b: number }>>,
  // cstring in prototypes and descriptors
  Expect<Equal<ArgsOf<'int (cstring name, const char *raw)'>, [string | null, bigint]>>,
  Expect<Equal<ReturnOf<'cstring (void)'>, string | null>>,
  Expect<Equal<ArgsOf<{ args: [typeof cstring, 'cstring']; ret: 'void' }>, [string | null, string | null]>>,
  // strings: true turns const char * (only) into strings
  Expect<Equal<ArgsOf<{ args: ['const char *', 'char const*', 'char *', 'const void *']; ret: 'const char *'; strings: true }>, [string | null, string | null, bigint, bigint]>>,
  Expect<Equal<ReturnOf<{ args: []; ret: 'const char *'; strings: true }>, string | null>>,
  Expect<Equal<ArgsOf<{ args: ['const char *']; ret: 'void' }>, [bigint]>>,
  // a prototype string cannot see types.define: struct by value stays unknown
  Expect<Equal<ArgsOf<'double (struct Point p)'>, [unknown]>>,
];

// ---- closures checked against struct signatures --------------------------------------------

accept({ args: [Point, Point], ret: Point }, (a, b) => ({ x: a.x + b.x, y: a.y + b.y }));
accept({ args: [Outer], ret: 'double' }, (o) => o.inner.b + o.tag[0]! + o.grid[1]![2]! + (o.name?.length ?? 0));
accept({ args: [Value], ret: Value }, (v) => ({ d: v.d ?? 0 }));
accept({ args: ['const char *'], ret: 'int', strings: true }, (s) => (s === null ? -1 : s.length));
accept('cstring (int)', (i) => `#${i}`);
accept('cstring (int)', () => null);
accept('cstring (int)', () => 0x1000n); // a C string result may be an address JS manages

// @ts-expect-error: a struct parameter is an object, not a number
accept({ args: [Point], ret: 'int' }, (p: number) => p);
// @ts-expect-error: field 'z' does not exist
accept({ args: [Point], ret: 'int' }, (p) => p.z);
// @ts-expect-error: the returned struct lacks field 'y'
accept({ args: [], ret: Point }, () => ({ x: 1 }));
// @ts-expect-error: field 'x' must be a number
accept({ args: [], ret: Point }, () => ({ x: 1n, y: 2 }));
// @ts-expect-error: nested field of the wrong type
accept({ args: [Outer], ret: 'void' }, (o) => { const s: string = o.inner.a; void s; });
// @ts-expect-error: an array member is an array of numbers
accept({ args: [Outer], ret: 'void' }, (o) => { const s: string = o.tag[0]!; void s; });
// @ts-expect-error: a cstring may be null
accept('int (cstring)', (s) => s.length);
// @ts-expect-error: a cstring result is a string, not a number
accept('cstring (void)', () => 5);
// @ts-expect-error: without strings: true, const char * is a bigint
accept({ args: ['const char *'], ret: 'int' }, (s: string) => s.length);
// @ts-expect-error: a union member has its own type
accept({ args: [], ret: Value }, () => ({ d: 1n }));

// ---- FnPtr and the memory helpers -------------------------------------------------------------

declare const fnAddr: bigint;
const add = new FnPtr({ args: [Point, Point], ret: Point }, fnAddr);
export const sum: { x: number; y: number } = add.call({ x: 1, y: 2 }, { x: 3, y: 4 });
// @ts-expect-error: FnPtr arguments are checked too
add.call({ x: 1 }, { x: 3, y: 4 });
const strlen = new FnPtr('size_t (cstring s)', fnAddr);
export const lengths: bigint[] = [strlen.call('abc'), strlen.call(null), strlen.call(0x1000n)];
// @ts-expect-error: a cstring argument is a string, null or an address, not a number
strlen.call(5);

declare const ptr: bigint;
export const pt: { x: number; y: number } = decode(ptr, Point);
export const n: number = decode(ptr, 'int32_t');
export const s: string | null = decode(ptr, 'cstring');
encode(ptr, Point, { x: 1, y: 2 });
// @ts-expect-error: encode checks the value against the type
encode(ptr, Point, { x: 1, y: 'two' });
export const off: number = offsetof(Outer, 'inner.b');
// @ts-expect-error: no such member
offsetof(Outer, 'nope');

export const thunk = new BareFn({ args: [Point], ret: Inner }, (p) => ({ a: p.x, b: p.y }));
