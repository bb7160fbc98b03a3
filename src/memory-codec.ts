/**
 * `decode(ptr, type)` / `encode(ptr, type, value)`: read and write C values (structs,
 * unions, arrays, scalars, C strings) in native memory, with the same JS representation
 * as arguments and results. Pointers to structs stay `bigint` in signatures; these
 * helpers are how JS looks through them.
 */
import { ArgumentTypeError, InvalidOptionError, describeValue } from './errors';
import { bridge } from './runtime/bridge';
import { intern, readCString } from './runtime/cstrings';
import { badMember, ValueGen } from './runtime/value-codegen';
import { addressOfObject, pointerHint } from './runtime/pointer-argument';
import { integerHint } from './runtime/integer-range';
import type { CType, TypeSpec } from './signature';
import { registryGeneration } from './signature/registry';
import { resolveFieldType } from './signature/resolve';
import type { JsTypeOf } from './signature/typelevel';

interface MemoryCodec {
  readonly type: CType;
  decode(dv: DataView): unknown;
  encode(value: unknown, dv: DataView): void;
}

const byObject = new WeakMap<CType, MemoryCodec>();
const byName = new Map<string, MemoryCodec>();
let namesGeneration = registryGeneration();

function build(type: CType): MemoryCodec {
  if (type.size === 0) throw new InvalidOptionError(`cannot decode or encode a value of type '${type.name}' (it has no size)`);
  const gen = new ValueGen({ mode: 'dv' });
  const pre: string[] = [];
  const expr = gen.decode(type, pre);
  const enc = gen.encode(type, 'value', 0);
  const source =
    `'use strict';\n` +
    `function decode(dv) { ${pre.join(' ')} return ${expr}; }\n` +
    `function encode(value, dv) { ${enc} }\n` +
    `return { decode, encode };`;
  const namer = () => `encode(ptr, ${type.name})`;
  const fns = new Function('readCString', 'intern', 'badAt', 'addressOf', 'pointerHint', 'intHint', source)(
    readCString, intern, badMember(namer, () => 'value'), addressOfObject, pointerHint, integerHint,
  ) as Pick<MemoryCodec, 'decode' | 'encode'>;
  return { type, decode: fns.decode, encode: fns.encode };
}

function codecFor(spec: TypeSpec, what: string): MemoryCodec {
  if (typeof spec === 'string') {
    if (namesGeneration !== registryGeneration()) {
      byName.clear();
      namesGeneration = registryGeneration();
    }
    let c = byName.get(spec);
    if (c === undefined) {
      c = build(resolveFieldType(spec, what));
      byName.set(spec, c);
    }
    return c;
  }
  const t = resolveFieldType(spec, what);
  let c = byObject.get(t);
  if (c === undefined) byObject.set(t, (c = build(t)));
  return c;
}

function address(ptr: unknown, what: string): bigint {
  if (typeof ptr === 'number' && Number.isSafeInteger(ptr)) ptr = BigInt(ptr);
  if (typeof ptr !== 'bigint' || ptr <= 0n || ptr >= 1n << 64n) {
    throw new ArgumentTypeError(`${what}: expected a non-null address (bigint), got ${describeValue(ptr)}`);
  }
  return ptr;
}

/**
 * Reads the C value of `type` at `ptr` and returns it as JS (a struct as a plain object,
 * arrays as arrays, scalars as for arguments, a `cstring` as a string or `null`).
 *
 * @example
 * ```ts
 * const Point = struct({ x: 'int32_t', y: 'int32_t' });
 * const p = memory.alloc(sizeof(Point));
 * encode(p, Point, { x: 3, y: 4 });
 * decode(p, Point);      // { x: 3, y: 4 }
 * decode(p, 'int32_t');  // 3
 * ```
 */
export function decode<const T extends TypeSpec>(ptr: bigint, type: T): JsTypeOf<T> {
  const c = codecFor(type, 'decode()');
  const p = address(ptr, `decode(ptr, ${c.type.name})`);
  const bytes = bridge.read(p, c.type.size);
  return c.decode(new DataView(bytes.buffer, bytes.byteOffset, c.type.size)) as JsTypeOf<T>;
}

/**
 * Writes `value` as a C value of `type` at `ptr` (`sizeof(type)` bytes). Bytes the value
 * does not cover (padding, the rest of a union after the member written) keep their
 * contents. A `cstring` field is written as a pointer to an interned copy of the string
 * (never freed: see the `cstring` lifetime notes), or NULL for `null`.
 *
 * @example
 * ```ts
 * encode(rectPtr, Rect, { min: { x: 0, y: 0 }, max: { x: 4, y: 3 }, tag: [...], scale: 1 });
 * ```
 * @throws ArgumentTypeError naming the member (`value.max.y`) when a field is missing or
 * has the wrong JS type; nothing is written then.
 */
export function encode<const T extends TypeSpec>(ptr: bigint, type: T, value: JsTypeOf<T>): void {
  const c = codecFor(type, 'encode()');
  const p = address(ptr, `encode(ptr, ${c.type.name})`);
  const bytes = bridge.read(p, c.type.size);
  c.encode(value, new DataView(bytes.buffer, bytes.byteOffset, c.type.size));
  bridge.write(p, bytes);
}
