/**
 * Scalar accessors for native memory: `memory.i32(ptr, offset)`, `memory.setF64(ptr,
 * offset, value)`, ... in the spirit of Bun's `read.i32`. Each is its own compiled
 * function (generated, so V8 gives each one its own type feedback and inlines its
 * DataView load), reading through the address windows of `runtime/address-windows.ts`:
 * no native call and no allocation per access once a window is made (except the bigint a
 * 64-bit read returns).
 *
 * Values are little-endian (x86-64's order, the machine's), any alignment is allowed
 * (x86-64 loads unaligned values; a DataView does too), and setters check values as
 * arguments are checked: an integer the C type cannot hold is refused, not wrapped.
 */
import { ArgumentTypeError, describeValue } from '../errors';
import { WINDOW_SIZE, SLOTS, keys, views, windowView, checkAddress, copyOut, copyIn } from './address-windows';
import { bridge } from '../native/bridge';
import { fitsExpr, integerHint, rangeText, wideFitsExpr, wideText, type SmallIntKind } from './integer-range';
import { addressOfObject } from './pointer-argument';

/**
 * A native address as the accessors take it: a `bigint` (as the rest of the API gives
 * pointers) or a safe-integer `number` (addresses fit in 53 bits, and number arithmetic
 * such as `p + i * 4` allocates nothing).
 */
export type Address = bigint | number;

/** The scalar kinds the accessors cover, with their width and JS type. */
const KINDS = {
  i8: { size: 1, get: 'getInt8', set: 'setInt8', js: 'number' },
  u8: { size: 1, get: 'getUint8', set: 'setUint8', js: 'number' },
  i16: { size: 2, get: 'getInt16', set: 'setInt16', js: 'number' },
  u16: { size: 2, get: 'getUint16', set: 'setUint16', js: 'number' },
  i32: { size: 4, get: 'getInt32', set: 'setInt32', js: 'number' },
  u32: { size: 4, get: 'getUint32', set: 'setUint32', js: 'number' },
  f32: { size: 4, get: 'getFloat32', set: 'setFloat32', js: 'number' },
  f64: { size: 8, get: 'getFloat64', set: 'setFloat64', js: 'number' },
  i64: { size: 8, get: 'getBigInt64', set: 'setBigInt64', js: 'bigint' },
  u64: { size: 8, get: 'getBigUint64', set: 'setBigUint64', js: 'bigint' },
  ptr: { size: 8, get: 'getBigUint64', set: 'setBigUint64', js: 'bigint' },
} as const;

export type AccessorKind = keyof typeof KINDS;

/** Scratch for accesses that straddle two windows (assembled byte by byte, then decoded). */
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

/** The address `ptr + offset` as a number, or a bigint beyond 2^53 (those go through the bridge). */
function slowAddress(ptr: unknown, offset: unknown, what: string): number | bigint {
  if (offset === undefined) offset = 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset))
    throw new ArgumentTypeError(`${what}: the offset must be a whole number of bytes, got ${describeValue(offset)}`);
  let a: number | bigint;
  if (typeof ptr === 'bigint') {
    if (ptr < 0n || ptr >= 1n << 64n) throw new ArgumentTypeError(`${what}: ${describeValue(ptr)} is not a 64-bit address`);
    a = ptr + BigInt(offset);
    if (a <= BigInt(Number.MAX_SAFE_INTEGER)) a = Number(a);
  } else if (typeof ptr === 'number' && Number.isSafeInteger(ptr)) {
    a = ptr + offset;
  } else {
    throw new ArgumentTypeError(`${what}: expected an address (a bigint, or a safe-integer number), got ${describeValue(ptr)}`);
  }
  if (typeof a === 'number') checkAddress(a, what);
  return a;
}

/** Reads `size` bytes at `ptr + offset` into the scratch view: the path for every access the fast path cannot serve. */
function slowLoad(ptr: unknown, offset: unknown, size: number, what: string): DataView {
  const a = slowAddress(ptr, offset, what);
  if (typeof a === 'bigint') scratch.set(bridge.read(a, size));
  else {
    const w = Math.floor(a / WINDOW_SIZE);
    const o = a - w * WINDOW_SIZE;
    const dv = o + size <= WINDOW_SIZE ? windowView(w) : undefined;
    if (dv !== undefined) return new DataView(dv.buffer, o, size);
    copyOut(a, scratch, size);
  }
  return scratchView;
}

/** Writes the first `size` bytes of the scratch view to `ptr + offset`. */
function slowStore(ptr: unknown, offset: unknown, size: number, what: string): void {
  const a = slowAddress(ptr, offset, what);
  if (typeof a === 'bigint') bridge.write(a, scratch.subarray(0, size));
  else copyIn(a, scratch, size);
}

function valueCheck(kind: AccessorKind): string {
  switch (kind) {
    case 'f32': case 'f64': return `typeof value !== 'number'`;
    case 'i64': case 'u64': return `typeof value !== 'bigint' && !(typeof value === 'number' && ${wideFitsExpr(kind, 'value')})`;
    case 'ptr': return `typeof value !== 'bigint' || value < 0n || value >= 18446744073709551616n`;
    default: return `typeof value !== 'number' || !${fitsExpr(kind, 'value')}`;
  }
}

function expected(kind: AccessorKind): string {
  switch (kind) {
    case 'f32': case 'f64': return 'number';
    case 'i64': case 'u64': return wideText(kind);
    case 'ptr': return 'a bigint address from 0 to 2^64-1, null or an object with bare()';
    default: return rangeText(kind as SmallIntKind);
  }
}

/** `pointer + offset` as a number without allocating; NaN for anything that is not a number or bigint. */
const ADDRESS =
  `const a = (typeof ptr === 'bigint' ? Number(ptr) : typeof ptr === 'number' ? ptr : NaN) + ` +
  `(offset === undefined ? 0 : typeof offset === 'number' ? offset : NaN); ` +
  `const w = Math.floor(a / ${WINDOW_SIZE}); const o = a - w * ${WINDOW_SIZE}; const i = w & ${SLOTS - 1};`;

function makeGetter(kind: AccessorKind): (ptr: Address, offset?: number) => number | bigint {
  const k = KINDS[kind];
  const what = `memory.${kind}(ptr, offset)`;
  const source =
    `'use strict'; return function ${kind}(ptr, offset) { ${ADDRESS} ` +
    `if (keys[i] === w && o <= ${WINDOW_SIZE - k.size} && (o | 0) === o) return views[i].${k.get}(o, true); ` +
    `return slowLoad(ptr, offset, ${k.size}, ${JSON.stringify(what)}).${k.get}(0, true); };`;
  return new Function('keys', 'views', 'slowLoad', source)(keys, views, slowLoad) as (ptr: Address, offset?: number) => number | bigint;
}

function setterName(kind: AccessorKind): string {
  return `set${kind[0]!.toUpperCase()}${kind.slice(1)}`;
}

function makeSetter(kind: AccessorKind): (ptr: Address, offset: number, value: never) => void {
  const k = KINDS[kind];
  const name = setterName(kind);
  const what = `memory.${name}(ptr, offset, value)`;
  const convert =
    kind === 'i64' || kind === 'u64' ? `if (typeof value === 'number') value = BigInt(value); `
    : kind === 'ptr' ? `if (value === null) value = 0n; else if (typeof value === 'object') { const p = addressOf(value); if (p !== undefined) value = p; } `
    : '';
  const source =
    `'use strict'; return function ${name}(ptr, offset, value) { ` +
    (kind === 'ptr' ? `${convert}if (${valueCheck(kind)}) throw badValue(value); ` : `if (${valueCheck(kind)}) throw badValue(value); ${convert}`) +
    `${ADDRESS} ` +
    `if (keys[i] === w && o <= ${WINDOW_SIZE - k.size} && (o | 0) === o) { views[i].${k.set}(o, value, true); return; } ` +
    `scratchView.${k.set}(0, value, true); slowStore(ptr, offset, ${k.size}, ${JSON.stringify(what)}); };`;
  const badValue = (got: unknown) =>
    new ArgumentTypeError(`${what}: expected ${expected(kind)}, got ${describeValue(got)}${integerHint(got)}`);
  return new Function('keys', 'views', 'scratchView', 'slowStore', 'badValue', 'addressOf', source)(
    keys, views, scratchView, slowStore, badValue, addressOfObject,
  ) as (ptr: Address, offset: number, value: never) => void;
}

/**
 * Reading a scalar: `ptr + offset` (offset in bytes, default 0), little-endian, any
 * alignment. The address must be valid native memory, as in C: a bad one crashes the
 * process (only addresses in the first 64 KiB, NULL plus an offset, are refused, with
 * `ERR_NULL_POINTER`).
 */
export type Getter<T> = (ptr: Address, offset?: number) => T;
/** Writing a scalar at `ptr + offset`; the value is checked as an argument of that C type would be. */
export type Setter<T> = (ptr: Address, offset: number, value: T) => void;

/** The accessors, grouped for `memory` (see memory.ts, which documents each). */
export const accessors = {
  i8: makeGetter('i8') as Getter<number>,
  u8: makeGetter('u8') as Getter<number>,
  i16: makeGetter('i16') as Getter<number>,
  u16: makeGetter('u16') as Getter<number>,
  i32: makeGetter('i32') as Getter<number>,
  u32: makeGetter('u32') as Getter<number>,
  f32: makeGetter('f32') as Getter<number>,
  f64: makeGetter('f64') as Getter<number>,
  i64: makeGetter('i64') as Getter<bigint>,
  u64: makeGetter('u64') as Getter<bigint>,
  ptr: makeGetter('ptr') as Getter<bigint>,
  setI8: makeSetter('i8') as Setter<number>,
  setU8: makeSetter('u8') as Setter<number>,
  setI16: makeSetter('i16') as Setter<number>,
  setU16: makeSetter('u16') as Setter<number>,
  setI32: makeSetter('i32') as Setter<number>,
  setU32: makeSetter('u32') as Setter<number>,
  setF32: makeSetter('f32') as Setter<number>,
  setF64: makeSetter('f64') as Setter<number>,
  setI64: makeSetter('i64') as Setter<bigint | number>,
  setU64: makeSetter('u64') as Setter<bigint | number>,
  setPtr: makeSetter('ptr') as Setter<bigint | null | { bare(): bigint }>,
};
