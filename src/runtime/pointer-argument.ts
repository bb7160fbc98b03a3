/**
 * What JS may give where native code receives a pointer, besides a `bigint` address and
 * `null`: an object with a `bare()` method (a thunk, an `UntypedBareFn`, anything that
 * names a native function), which stands for the address it returns.
 *
 * A `number` is refused: it looks like it works for small test values, but a double
 * cannot hold every 64-bit address, and a number meant as something else (a length, a
 * file descriptor) would be dereferenced by C. The refusal says how to pass an address.
 */
import { describeValue } from '../errors';

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
  return ' (pass a bigint address, null, or an object with bare() such as a BareFn)';
}

/** How messages name what a pointer accepts. */
export const POINTER_EXPECTED = 'bigint address, null or an object with bare()';
