/**
 * Which JS numbers an 8/16/32-bit C integer accepts, as generated-code expressions, and
 * how error messages name the range.
 *
 * The rule: a number must be an integer the C type can hold. A C cast would turn `3.5`
 * into 3, `2 ** 40` into 0 and `-1` into 4294967295 for an `unsigned`; each of those is
 * almost always a bug on the JS side (a division, a byte count in the wrong unit, an
 * underflowed length), so it is refused instead of passed on silently.
 *
 * One wrap-around is kept on purpose: a **signed** type also takes its unsigned bit
 * pattern, so `0xffffffff` is -1 for an `int32_t` and `0x80000000` is `INT_MIN`. C code
 * passes hex constants to `int` parameters all the time (flags, masks, colours, `-1` as
 * `0xffffffff`), and JS has no negative hex literal to write them with. The reverse is not
 * kept: `-1` for an unsigned type is refused (write `0xffffffff`), because a negative
 * count or size is the very bug this check exists to catch, and a JS program can always
 * write the value it means.
 *
 * The checks are one or two integer compares of the value against a truncation of itself
 * (`v === (v | 0)`): V8 compiles them to a couple of machine instructions, allocates
 * nothing, and NaN, ±Infinity and fractions fail them without a separate test.
 */
import type { ScalarKind } from '../signature';

/** The integer kinds this module covers (64-bit ones are bigint-or-safe-integer, see codec.ts). */
export type SmallIntKind = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32';

export function isSmallInt(kind: ScalarKind): kind is SmallIntKind {
  return kind === 'i8' || kind === 'u8' || kind === 'i16' || kind === 'u16' || kind === 'i32' || kind === 'u32';
}

/**
 * A JS boolean expression: `v` (a variable name, already known to be a number) is an
 * integer that `kind` holds, or, for a signed kind, that kind's unsigned bit pattern.
 */
export function fitsExpr(kind: SmallIntKind, v: string): string {
  switch (kind) {
    case 'i8': return `(${v} === ((${v} << 24) >> 24) || ${v} === (${v} & 0xff))`;
    case 'u8': return `(${v} === (${v} & 0xff))`;
    case 'i16': return `(${v} === ((${v} << 16) >> 16) || ${v} === (${v} & 0xffff))`;
    case 'u16': return `(${v} === (${v} & 0xffff))`;
    case 'i32': return `(${v} === (${v} | 0) || ${v} === (${v} >>> 0))`;
    case 'u32': return `(${v} === (${v} >>> 0))`;
  }
}

/** The `expected …` text of an error message: the type's width and range. */
export function rangeText(kind: SmallIntKind): string {
  switch (kind) {
    case 'i8': return 'an 8-bit signed integer (-128 to 127, or 0 to 0xff as its bit pattern)';
    case 'u8': return 'an 8-bit unsigned integer (0 to 255)';
    case 'i16': return 'a 16-bit signed integer (-32768 to 32767, or 0 to 0xffff as its bit pattern)';
    case 'u16': return 'a 16-bit unsigned integer (0 to 65535)';
    case 'i32': return 'a 32-bit signed integer (-2147483648 to 2147483647, or 0 to 0xffffffff as its bit pattern)';
    case 'u32': return 'a 32-bit unsigned integer (0 to 4294967295)';
  }
}

/** The `expected …` text for a 64-bit integer, which takes a bigint or a safe-integer number. */
export function wideText(kind: 'i64' | 'u64'): string {
  return kind === 'i64' ? 'bigint (or a safe-integer number)' : 'bigint (or a non-negative safe-integer number)';
}

/**
 * A JS boolean expression: number `v` is accepted for a 64-bit kind. Beyond 2**53 a
 * double no longer holds every integer, so larger values must be bigints; an unsigned
 * kind refuses negative numbers as the 32-bit ones do. (A bigint is taken as a 64-bit
 * pattern, wrapping like C: `-1n` for `size_t` is `SIZE_MAX`. A bigint is an explicit
 * choice of bits, not the result of arithmetic that left the integers by accident.)
 */
export function wideFitsExpr(kind: 'i64' | 'u64', v: string): string {
  return kind === 'i64' ? `Number.isSafeInteger(${v})` : `(Number.isSafeInteger(${v}) && ${v} >= 0)`;
}

/** The hint added to a refusal of a number for an integer type, saying what was wrong with it. */
export function integerHint(got: unknown): string {
  if (typeof got !== 'number') return '';
  if (!Number.isFinite(got)) return ' (NaN and Infinity have no integer value)';
  if (!Number.isInteger(got)) return ' (not an integer: round it first, e.g. Math.trunc(x))';
  return ' (out of range for the C type; it is refused, not wrapped)';
}
