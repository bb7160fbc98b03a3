/**
 * `decode(ptr, type)` / `encode(ptr, type, value)`: read and write C values (structs,
 * unions, arrays, scalars, C strings) in native memory, with the same JS representation
 * as arguments and results. Pointers to structs stay `bigint` in signatures; these
 * helpers are how JS looks through them.
 */
import { ArgumentTypeError, InvalidOptionError, describeValue } from '../errors';
import { accessors, type Address } from './memory-accessors';
import { WINDOW_SIZE, copyIn, copyOut, windowView } from './address-windows';
import { intern, readCString } from './cstrings';
import { badMember, ValueGen } from './value-codegen';
import { addressOfObject, pointerHint } from './pointer-argument';
import { integerHint } from './integer-range';
import type { CType, TypeSpec } from '../signature';
import { registryGeneration } from '../signature/type-names';
import { resolveFieldType } from '../signature/resolve';
import { bridge } from '../native/bridge';
import type { JsTypeOf } from '../signature/typelevel';

interface MemoryCodec {
  readonly type: CType;
  decode(dv: DataView): unknown;
  encode(value: unknown, dv: DataView): void;
  /** For the scalars the accessors cover: the accessor, which reads without a DataView of its own. */
  readonly read: ((ptr: Address, offset?: number) => unknown) | undefined;
}

/** The accessor that reads a scalar kind exactly as `decode` would (bool and C strings have none). */
const ACCESSOR: Partial<Record<string, (ptr: Address, offset?: number) => unknown>> = {
  i8: accessors.i8, u8: accessors.u8, i16: accessors.i16, u16: accessors.u16, i32: accessors.i32, u32: accessors.u32,
  f32: accessors.f32, f64: accessors.f64, i64: accessors.i64, u64: accessors.u64, pointer: accessors.ptr,
};

const byObject = new WeakMap<CType, MemoryCodec>();
const byName = new Map<string, MemoryCodec>();
let namesGeneration = registryGeneration();

function build(type: CType): MemoryCodec {
  if (type.size === 0) throw new InvalidOptionError(`cannot decode or encode a value of type '${type.name}' (it has no size)`);
  const gen = new ValueGen({ mode: 'memory' });
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
  const read = type.tag === 'scalar' && type.js !== 'string' ? ACCESSOR[type.kind] : undefined;
  return { type, decode: fns.decode, encode: fns.encode, read };
}

/** The last type looked up by name: a loop decoding one type skips the map (a third of a scalar read's time). */
let lastName: string | undefined;
let lastCodec: MemoryCodec | undefined;

function codecFor(spec: TypeSpec, what: string): MemoryCodec {
  if (typeof spec === 'string') {
    if (namesGeneration !== registryGeneration()) {
      byName.clear();
      lastName = undefined;
      namesGeneration = registryGeneration();
    }
    if (spec === lastName) return lastCodec!;
    let c = byName.get(spec);
    if (c === undefined) {
      c = build(resolveFieldType(spec, what));
      byName.set(spec, c);
    }
    lastName = spec;
    lastCodec = c;
    return c;
  }
  const t = resolveFieldType(spec, what);
  let c = byObject.get(t);
  if (c === undefined) byObject.set(t, (c = build(t)));
  return c;
}

/** Checks `ptr` and returns it as a number (addresses beyond 2^53 stay bigints: they take the bridge). */
function address(ptr: unknown, what: string): number | bigint {
  if (typeof ptr === 'number' && Number.isSafeInteger(ptr) && ptr > 0) return ptr;
  if (typeof ptr !== 'bigint' || ptr <= 0n || ptr >= 1n << 64n) {
    throw new ArgumentTypeError(`${what}: expected a non-null address (bigint), got ${describeValue(ptr)}`);
  }
  return ptr <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ptr) : ptr;
}

/**
 * The value's bytes as a DataView: over the native memory itself where one address window
 * holds them all (no copy), else over a copy (`copied` then says it must be written back).
 */
function bytesAt(a: number | bigint, size: number): { dv: DataView; copied: Uint8Array | undefined } {
  if (typeof a === 'number') {
    const w = Math.floor(a / WINDOW_SIZE);
    const o = a - w * WINDOW_SIZE;
    const win = o + size <= WINDOW_SIZE ? windowView(w) : undefined;
    if (win !== undefined) return { dv: new DataView(win.buffer, o, size), copied: undefined };
    const copy = new Uint8Array(size);
    copyOut(a, copy, size);
    return { dv: new DataView(copy.buffer), copied: copy };
  }
  const copy = new Uint8Array(bridge.read(a, size));
  return { dv: new DataView(copy.buffer), copied: copy };
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
export function decode<const T extends TypeSpec>(ptr: Address, type: T): JsTypeOf<T>;
/**
 * Reads `count` consecutive values of `type` (a C array `type[count]`) at `ptr`.
 *
 * @example
 * ```ts
 * decode(p, 'int32_t', 3);   // [3, 1, 2]
 * ```
 */
export function decode<const T extends TypeSpec>(ptr: Address, type: T, count: number): JsTypeOf<T>[];
export function decode(ptr: Address, type: TypeSpec, count?: number): unknown {
  // Kept small so V8 inlines it into the caller's loop: a scalar is one accessor call (an
  // address window, no copy and no native call; it refuses NULL itself, ERR_NULL_POINTER).
  const c = type === lastName && namesGeneration === registryGeneration() ? lastCodec! : codecFor(type, 'decode()');
  if (count === undefined && c.read !== undefined) return c.read(ptr);
  return decodeSlow(c, ptr, count);
}

function decodeSlow(c: MemoryCodec, ptr: Address, count: number | undefined): unknown {
  if (count === undefined) {
    const a = address(ptr, `decode(ptr, ${c.type.name})`);
    return c.decode(bytesAt(a, c.type.size).dv);
  }
  if (!Number.isSafeInteger(count) || count < 0)
    throw new ArgumentTypeError(`decode(ptr, ${c.type.name}, count): count must be a whole number, got ${describeValue(count)}`);
  const out = new Array<unknown>(count);
  if (count === 0) return out;
  const a = address(ptr, `decode(ptr, ${c.type.name}, count)`);
  const size = c.type.size;
  if (typeof a === 'number' && c.read !== undefined) {
    for (let i = 0; i < count; i++) out[i] = c.read(a, i * size);
    return out;
  }
  const { dv } = bytesAt(a, size * count);
  for (let i = 0; i < count; i++) out[i] = c.decode(new DataView(dv.buffer, dv.byteOffset + i * size, size));
  return out;
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
export function encode<const T extends TypeSpec>(ptr: Address, type: T, value: JsTypeOf<T>): void {
  const c = codecFor(type, 'encode()');
  const a = address(ptr, `encode(ptr, ${c.type.name})`);
  const size = c.type.size;
  // Encoded into a copy first, so a value refused halfway leaves the memory as it was.
  const copy = new Uint8Array(size);
  if (typeof a === 'number') copyOut(a, copy, size);
  else copy.set(bridge.read(a, size));
  c.encode(value, new DataView(copy.buffer));
  if (typeof a === 'number') copyIn(a, copy, size);
  else bridge.write(a, copy);
}
