/**
 * What JS may give where native code receives a pointer, besides a `bigint` address and
 * `null`: an object with a `bare()` method (a thunk, an `UntypedBareFn`, anything that
 * names a native function), which stands for the address it returns.
 *
 * Arguments of outbound calls (`FnPtr.call`) may also be JS memory: a `Buffer`, typed
 * array, `DataView` or `ArrayBuffer` stands for the address of its bytes (no copy; C
 * reads and writes the JS object's own memory), and, for a `const char *` parameter, a
 * JS string stands for a temporary NUL-terminated UTF-8 copy. Both are valid for the
 * duration of the call only: the call keeps the object alive until it returns, and C
 * must not keep the pointer. (Not for closure results or struct members: nothing would
 * keep the memory alive once the closure returned.)
 *
 * A `number` is refused: it looks like it works for small test values, but a double
 * cannot hold every 64-bit address, and a number meant as something else (a length, a
 * file descriptor) would be dereferenced by C. The refusal says how to pass an address.
 */
import { describeValue } from '../errors';
import { bridge } from '../native/bridge';

/** The address an object with `bare()` stands for; `undefined` for any other value. */
export function addressOfObject(v: unknown): bigint | undefined {
  if (typeof v !== 'object' || v === null || typeof (v as { bare?: unknown }).bare !== 'function') return undefined;
  const a: unknown = (v as { bare(): unknown }).bare();
  // bare() is user code as far as the types can tell: check what it gave.
  return typeof a === 'bigint' && a >= 0n && a < 1n << 64n ? a : undefined;
}

/** The part of a refusal message that says how to pass `v` as a pointer. */
export function pointerHint(v: unknown): string {
  if (typeof v === 'number') {
    const example = Number.isSafeInteger(v) && v >= 0 ? `${v}n` : 'BigInt(x)';
    return ` (a number is not taken as an address: pass a bigint, e.g. ${example}, or a thunk object such as a BareFn)`;
  }
  if (typeof v === 'object' && v !== null && typeof (v as { bare?: unknown }).bare === 'function')
    return ` (its bare() returned ${describeValue((v as { bare(): unknown }).bare())}, not a bigint address)`;
  if (typeof v === 'string')
    return v.includes('\0')
      ? ' (the string contains a NUL character, which C would read as its end)'
      : ' (a string is taken only for a const char * parameter of a call; pass Buffer.from(text + \'\\0\') or a bigint address)';
  if (typeof v === 'object' && v !== null && (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer))
    return (ArrayBuffer.isView(v) ? v.buffer : v) instanceof SharedArrayBuffer
      ? ' (JS memory in a SharedArrayBuffer cannot be passed; copy it to a Buffer)'
      : ' (JS memory is taken only as an argument of a call, for its duration; here, give native memory, e.g. from memory.alloc)';
  return ' (pass a bigint address, null, an object with bare() such as a BareFn, or, to a call, a Buffer or typed array)';
}

/** How messages name what a pointer accepts. */
export const POINTER_EXPECTED = 'bigint address, null or an object with bare()';

/**
 * Backing-store addresses by ArrayBuffer: one native call per buffer, ever. V8 does not
 * move a backing store once it exists; taking `.buffer` of a small typed array moves its
 * bytes off the JS heap first, which is why the address is always asked of the buffer.
 */
const bufferAddresses = new WeakMap<ArrayBuffer, number>();

/** The address of byte 0 of `buffer` (0 when it has no bytes). */
function backingAddress(buffer: ArrayBuffer): number {
  let a = bufferAddresses.get(buffer);
  if (a === undefined || buffer.byteLength === 0) {
    // An empty buffer may get bytes later (resizable) or have been detached: ask again.
    a = bridge.bufferAddress(buffer);
    if (buffer.byteLength !== 0) bufferAddresses.set(buffer, a);
  }
  return a;
}

/**
 * The address of JS memory `v` (a Buffer, typed array, DataView or ArrayBuffer), or
 * undefined when `v` is none of those (or lives in a SharedArrayBuffer, which cannot be
 * handed out this way). An empty view stands for NULL, as an empty C array has no bytes.
 */
export function addressOfJsMemory(v: object): bigint | undefined {
  let buffer: unknown;
  let offset = 0;
  if (ArrayBuffer.isView(v)) {
    buffer = v.buffer;
    offset = v.byteOffset;
  } else buffer = v;
  if (!(buffer instanceof ArrayBuffer)) return undefined;
  const base = backingAddress(buffer);
  return base === 0 ? 0n : BigInt(base + offset);
}

/** Does a parameter of this C type (by canonical name) take a JS string as a temporary C string? */
export function takesStringArgument(typeName: string): boolean {
  return /^const (?:(?:un)?signed )?char \*$/.test(typeName);
}

/**
 * The address an outbound call's pointer argument `v` stands for (other than a bigint or
 * null, which the generated code handles itself), or undefined when it stands for none.
 * Whatever must outlive the call's argument encoding (JS memory, a string's bytes) is
 * pushed onto `keep`, which the call holds until the native function has returned.
 */
export function argumentAddress(v: unknown, keep: unknown[], acceptsString: boolean): bigint | undefined {
  if (typeof v === 'string') {
    if (!acceptsString) return undefined;
    if (v.includes('\0')) return undefined; // refused, with pointerHint's reason
    const bytes = Buffer.from(v + '\0', 'utf8'); // small strings share Node's pooled slab: no new address to ask for
    keep.push(bytes);
    return addressOfJsMemory(bytes);
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const a = addressOfObject(v);
  if (a !== undefined) return a;
  const m = addressOfJsMemory(v);
  if (m !== undefined) keep.push(v);
  return m;
}
