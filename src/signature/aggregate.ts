/**
 * Structs, unions and fixed-length arrays by value, with C's layout rules (the data model's
 * alignments, padding between fields and at the end, `packed`), and the `sizeof`/`alignof`/
 * `offsetof` helpers.
 *
 * JS representation (the same for arguments, results and `decode`/`encode`):
 * - a struct is a plain object with one property per field, nested structs are nested
 *   objects, fixed arrays are JS arrays; scalar fields map like scalar arguments
 *   (`number`/`bigint`/`boolean`; a `cstring` field is a string or `null`);
 * - a union decodes to an object holding every member read from the same bytes, and
 *   encodes from the widest member present in the object (the first of equally wide ones),
 *   so `{ d: 1.5 }` writes `d`, and a union decoded from C passes back through JS with
 *   every byte its widest member covers.
 */
import { InvalidOptionError, UnsupportedTypeError } from '../errors';
import {
  isAggregate, type ArrayType, type CType, type FieldLayout, type FieldSpecs, type StructType, type UnionType,
} from './ctype';
import { makeArray, makeStruct, makeUnion, type Member } from './layout';
import { resolveFieldType } from './resolve';
import type { TypeSpec } from './signature';

/** Options of {@link struct} and {@link union}. */
export interface AggregateOptions {
  /**
   * `true`: no padding, alignment 1 (GCC's `__attribute__((packed))`). A packed struct with
   * a misaligned field is passed and returned in memory (System V: class MEMORY).
   */
  readonly packed?: boolean;
}

function checkOptions(what: string, options: AggregateOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(`${what} options must be an object`);
  const packed = options.packed ?? false;
  if (typeof packed !== 'boolean') throw new InvalidOptionError(`${what} option packed must be a boolean, got ${String(packed)}`);
  return packed;
}

function memberTypes(what: 'struct' | 'union', fields: FieldSpecs): Member[] {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new InvalidOptionError(`${what}() takes an object of fields ({ name: type, ... })`);
  }
  const names = Object.keys(fields);
  if (names.length === 0) throw new UnsupportedTypeError(`an empty ${what} has no C layout (${what}() needs at least one field)`);
  return names.map((name) => {
    if (name === '__proto__') throw new InvalidOptionError(`${what} field name '__proto__' is not allowed`);
    const type = resolveFieldType(fields[name]!, `field '${name}' of ${what}()`);
    if (type.tag === 'scalar' && type.kind === 'void') {
      throw new UnsupportedTypeError(`field '${name}' of ${what}() has type 'void'`);
    }
    return { name, type };
  });
}

/**
 * A struct type with C layout: each field at the next offset aligned to its type's
 * alignment (1 when `packed`), the size rounded up to the struct's alignment (the largest
 * field alignment). Field types are type names (`'int32_t'`, `'const char *'`, `'char[8]'`,
 * a typedef) or type objects (other structs, `array(...)`, `union(...)`). Field order is
 * the object's key order.
 *
 * @example
 * ```ts
 * const Point = struct({ x: 'int32_t', y: 'int32_t' });
 * const Rect = struct({ min: Point, max: Point, tag: array('char', 8), scale: 'double' });
 * sizeof(Rect); // 32
 * types.define('Rect', Rect);
 * new BareFn('double (Rect r)', (r) => r.scale * (r.max.x - r.min.x));
 * ```
 */
export function struct<const F extends FieldSpecs>(fields: F, options?: AggregateOptions): StructType<F> {
  const packed = checkOptions('struct()', options);
  return makeStruct(memberTypes('struct', fields), packed, fields);
}

/**
 * A union type: every member at offset 0, size = the largest member rounded up to the
 * union's alignment. In JS a union arrives as an object with every member decoded from the
 * same bytes, and is encoded from the widest member present. `cstring` members are not
 * allowed (decoding a non-pointer member as a string would read arbitrary memory).
 *
 * @example
 * ```ts
 * const Value = union({ i: 'int64_t', d: 'double' });
 * new BareFn({ args: [Value], ret: 'double' }, (v) => v.d!);
 * ```
 */
export function union<const F extends FieldSpecs>(fields: F, options?: AggregateOptions): UnionType<F> {
  const packed = checkOptions('union()', options);
  return makeUnion(memberTypes('union', fields), packed, fields);
}

/**
 * A fixed-length array type `element[length]`, for struct and union members (C passes
 * arrays as pointers, so an array is never a parameter by itself). In JS it is an array of
 * `length` elements (any array-like of that length is accepted when encoding).
 *
 * @example
 * ```ts
 * const Name = struct({ len: 'uint8_t', text: array('char', 15) });
 * ```
 */
export function array<const E extends TypeSpec, const N extends number>(element: E, length: N): ArrayType<E, N> {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new InvalidOptionError(`array() length must be a positive integer, got ${String(length)} (flexible and zero-length arrays are not supported)`);
  }
  return makeArray(resolveFieldType(element, 'array() element'), length, element);
}

/**
 * `sizeof(type)`: the size in bytes of a type name or type object.
 *
 * @example
 * ```ts
 * sizeof('int64_t'); // 8
 * sizeof(struct({ c: 'char', d: 'double' })); // 16
 * ```
 */
export function sizeof(type: TypeSpec): number {
  return resolveFieldType(type, 'sizeof()').size;
}

/**
 * `_Alignof(type)`: the alignment in bytes of a type name or type object.
 *
 * @example
 * ```ts
 * alignof('double'); // 8
 * alignof(struct({ c: 'char' }, { packed: true })); // 1
 * ```
 */
export function alignof(type: TypeSpec): number {
  return resolveFieldType(type, 'alignof()').align;
}

/** `'a'`, `'a.b'`, `'a[3].b'`: a member path for {@link offsetof}. */
export type MemberPath<F extends FieldSpecs> =
  | Extract<keyof F, string>
  | `${Extract<keyof F, string>}.${string}`
  | `${Extract<keyof F, string>}[${number}]${string}`;

/**
 * `offsetof(type, member)`: the byte offset of a member of a struct or union. The member
 * may be a path through nested structs and arrays (`'inner.y'`, `'tag[3]'`).
 *
 * @example
 * ```ts
 * const S = struct({ c: 'char', inner: struct({ a: 'int16_t', b: 'double' }) });
 * offsetof(S, 'inner');   // 8
 * offsetof(S, 'inner.b'); // 16
 * ```
 */
export function offsetof<F extends FieldSpecs>(type: StructType<F> | UnionType<F>, member: MemberPath<F>): number {
  if (!isAggregate(type as CType) || (type.tag !== 'struct' && type.tag !== 'union')) {
    throw new InvalidOptionError(`offsetof() needs a struct or union type object, got ${typeof type === 'object' && type !== null ? (type as CType).name : String(type)}`);
  }
  if (typeof member !== 'string') throw new InvalidOptionError(`offsetof() member must be a string, got ${typeof member}`);
  const steps = member.match(/[^.[\]]+|\[\d+\]/g);
  if (steps === null || steps.join('').length !== member.replace(/\./g, '').length) {
    throw new InvalidOptionError(`offsetof(): cannot read member path '${member}'`);
  }
  let t: CType = type;
  let offset = 0;
  for (const step of steps) {
    if (step.startsWith('[')) {
      const i = Number(step.slice(1, -1));
      if (t.tag !== 'array') throw new InvalidOptionError(`offsetof(): '${member}' indexes ${t.name}, which is not an array`);
      if (i >= t.length) throw new InvalidOptionError(`offsetof(): index ${i} in '${member}' is out of bounds for ${t.name}`);
      offset += i * t.element.size;
      t = t.element;
    } else {
      if (t.tag !== 'struct' && t.tag !== 'union') throw new InvalidOptionError(`offsetof(): '${member}': ${t.name} has no member '${step}'`);
      const f: FieldLayout | undefined = t.fields.find((x) => x.name === step);
      if (f === undefined) throw new InvalidOptionError(`offsetof(): ${t.name} has no member '${step}' (in '${member}')`);
      offset += f.offset;
      t = f.type;
    }
  }
  return offset;
}
