/**
 * The runtime data model of C types. Only scalars (integers, floating point, `bool`,
 * `void` and pointers) exist today; structs, unions and arrays by value will be added as
 * other `tag`s of {@link CType}.
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
export type JsValueType = 'number' | 'bigint' | 'boolean' | 'undefined';

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

/** Any C type closure-ffi can describe. */
export type CType = ScalarType;

const SCALAR_KINDS: ReadonlySet<string> = new Set<ScalarKind>([
  'void', 'bool', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64', 'pointer',
]);

/** Is `x` a {@link CType} object (as opposed to a type name string)? */
export function isCType(x: unknown): x is CType {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Partial<ScalarType>;
  return t.tag === 'scalar' && typeof t.kind === 'string' && SCALAR_KINDS.has(t.kind)
    && typeof t.name === 'string' && typeof t.size === 'number' && typeof t.align === 'number';
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
  return t.name === name ? t : makeScalar({ ...t, name });
}
