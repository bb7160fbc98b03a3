/**
 * The runtime data model of C types: scalars (integers, floating point, `bool`, `void`,
 * pointers and the `cstring` pointer), and aggregates (structs, unions, fixed-length
 * arrays) built by `struct()`, `union()` and `array()` (see `aggregate.ts`).
 */
import type { Signature } from './signature';

/** Machine-level class of a scalar: what the ABI and the marshalling code care about. */
export type ScalarKind =
  | 'void' | 'bool'
  | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64'
  | 'f32' | 'f64'
  | 'pointer';

/**
 * The JavaScript type a C value of this type maps to. It follows the C type *name*, not
 * the target's size, so it is the same on every target and matches the TypeScript
 * closure types: `long`, `size_t`, `intptr_t`, 64-bit integers and pointers are `bigint`
 * even on 32-bit targets where they are 4 bytes.
 */
export type JsValueType = 'number' | 'bigint' | 'boolean' | 'undefined' | 'string' | 'object' | 'array' | 'VaList';

/** A scalar C type. */
export interface ScalarType {
  readonly tag: 'scalar';
  readonly kind: ScalarKind;
  /** Canonical spelling, e.g. `'int32_t'`, `'unsigned long'`, `'const char *'`, `'HWND'`. */
  readonly name: string;
  /** Size in bytes (0 for `void`). */
  readonly size: number;
  /** ABI alignment in bytes (1 for `void`). */
  readonly align: number;
  /**
   * For pointers, informational: the pointed-to type when it is a scalar, `'function'`
   * for function pointers, `'opaque'` for pointers to structs, unions, arrays or
   * incomplete types.
   */
  readonly pointee?: CType | 'function' | 'opaque';
  /** For function pointers whose prototype is known: the pointed-to function's signature. */
  readonly signature?: Signature;
  /** JavaScript value type used for this C type (see {@link JsValueType}). */
  readonly js: JsValueType;
}

/** The field specs a struct or union was built from: name → type name or type object. */
export interface FieldSpecs {
  readonly [name: string]: string | CType;
}

/** One member of a struct or union, with its resolved type and byte offset. */
export interface FieldLayout {
  readonly name: string;
  readonly type: CType;
  /** Byte offset from the start of the struct (0 for every union member). */
  readonly offset: number;
}

/** Properties shared by structs, unions and arrays. */
interface AggregateBase {
  /**
   * For messages and canonical signature text: a typedef name given with `types.define`,
   * or the full layout (`'struct { int32_t x; double y; }'`).
   */
  readonly name: string;
  /** Size in bytes, including trailing padding (C's `sizeof`). */
  readonly size: number;
  /** Alignment in bytes (C's `_Alignof`; 1 when packed). */
  readonly align: number;
  /**
   * The full layout as C-like text, field names included; two aggregates with the same
   * layout string are interchangeable (same ABI, same JS shape).
   */
  readonly layout: string;
  /** Only pointer scalars have a pointee or a signature (present so `CType` reads uniformly). */
  readonly pointee?: undefined;
  readonly signature?: undefined;
}

/**
 * A struct by value: a plain JS object with one property per field.
 * Build it with `struct({ x: 'int32_t', y: 'double' })`.
 */
export interface StructType<F extends FieldSpecs = FieldSpecs> extends AggregateBase {
  readonly tag: 'struct';
  readonly kind: 'struct';
  readonly js: 'object';
  readonly packed: boolean;
  readonly fields: readonly FieldLayout[];
  /** The specs the fields were declared with (their types, at the type level). */
  readonly fieldSpecs: F;
}

/**
 * A union by value: decoded as an object with every member read from the same bytes;
 * encoded from the widest member present in the object (the first of equally wide ones).
 */
export interface UnionType<F extends FieldSpecs = FieldSpecs> extends AggregateBase {
  readonly tag: 'union';
  readonly kind: 'union';
  readonly js: 'object';
  readonly packed: boolean;
  readonly fields: readonly FieldLayout[];
  readonly fieldSpecs: F;
}

/** A fixed-length array (a struct or union member): a JS array of `length` elements. */
export interface ArrayType<E extends string | CType = string | CType, N extends number = number> extends AggregateBase {
  readonly tag: 'array';
  readonly kind: 'array';
  readonly js: 'array';
  readonly element: CType;
  readonly length: N;
  /** The element spec as given (its type, at the type level). */
  readonly elementSpec: E;
}

/** A struct, union or array type. */
export type AggregateType = StructType | UnionType | ArrayType;

/** Any C type closure-ffi can describe. */
export type CType = ScalarType | StructType | UnionType | ArrayType;

const SCALAR_KINDS: ReadonlySet<string> = new Set<ScalarKind>([
  'void', 'bool', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64', 'pointer',
]);

/** Aggregates made by `struct()`/`union()`/`array()` (the only trusted ones: layouts are computed, not given). */
const aggregates = new WeakSet<object>();

/** Registers an aggregate built by `aggregate.ts`, so {@link isCType} accepts it. */
export function markAggregate<T extends AggregateType>(t: T): T {
  aggregates.add(t);
  return t;
}

/** Is `x` a {@link CType} object (as opposed to a type name string)? */
export function isCType(x: unknown): x is CType {
  if (typeof x !== 'object' || x === null) return false;
  if (aggregates.has(x)) return true;
  const t = x as Partial<ScalarType>;
  return t.tag === 'scalar' && typeof t.kind === 'string' && SCALAR_KINDS.has(t.kind)
    && typeof t.name === 'string' && typeof t.size === 'number' && typeof t.align === 'number';
}

/** Is `t` a struct, union or array? */
export function isAggregate(t: CType): t is AggregateType {
  return t.tag !== 'scalar';
}

/** Is `t` the `cstring` type (a `const char *` that JS sees as a string)? */
export function isCString(t: CType): boolean {
  return t.tag === 'scalar' && t.js === 'string';
}

/**
 * Is `t` C's `va_list` (a pointer-sized handle on every x86-64 convention: System V passes a
 * pointer to the caller's `__va_list_tag`, Win64 a `char *` into the argument area), which
 * JS sees as a `VaList`?
 */
export function isVaList(t: CType): boolean {
  return t.tag === 'scalar' && t.js === 'VaList';
}

/** Is this an integer kind? */
export function isIntegerKind(kind: ScalarKind): boolean {
  return kind[0] === 'i' || kind[0] === 'u';
}

/** A frozen scalar type object. */
export function makeScalar(fields: Omit<ScalarType, 'tag'>): ScalarType {
  const t: { -readonly [K in keyof ScalarType]: ScalarType[K] } = {
    tag: 'scalar', kind: fields.kind, name: fields.name, size: fields.size, align: fields.align, js: fields.js,
  };
  if (fields.pointee !== undefined) t.pointee = fields.pointee;
  if (fields.signature !== undefined) t.signature = fields.signature;
  return Object.freeze(t);
}

/** Same type under another name (typedefs keep their own name for messages and `text`). */
export function renameType(t: CType, name: string): CType {
  if (t.name === name) return t;
  if (t.tag !== 'scalar') return markAggregate(Object.freeze({ ...t, name }) as AggregateType);
  return makeScalar({ ...t, name });
}
