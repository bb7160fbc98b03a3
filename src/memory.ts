/** Raw native memory helpers (for buffers passed to C APIs). */
import { ArgumentTypeError, OutOfRangeError, describeValue } from './errors';
import { accessors } from './runtime/memory-accessors';
import { readString, writeString } from './runtime/memory-strings';
import { out } from './out-param';
import { bridge } from './native/bridge';

/** A byte count: a non-negative safe integer, or a bigint that fits a 64-bit `size_t`. */
export type ByteSize = number | bigint;

const SIZE_MAX = (1n << 64n) - 1n;
/** The largest double below 2^64 (every larger one converts to an undefined size_t). */
const LARGEST_NUMBER_SIZE = 2 ** 64 - 2048;

/**
 * Checks a size argument and returns it as a number for the bridge. Numbers must be whole,
 * non-negative and below 2^64 (every such double is exact). A bigint above 2^53 fits
 * `size_t` but no address space (64-bit CPUs map at most 2^57 bytes), so rounding it to the
 * nearest double (at most `LARGEST_NUMBER_SIZE`) cannot turn a failing request into one
 * that succeeds: `calloc` still refuses it (ERR_OUT_OF_MEMORY).
 */
function checkSize(size: unknown, what: string): number {
  if (typeof size === 'bigint') {
    if (size < 0n || size > SIZE_MAX)
      throw new OutOfRangeError(`${what} must be from 0 to 2^64-1 (size_t), got ${describeValue(size)}`);
    return Math.min(Number(size), LARGEST_NUMBER_SIZE);
  }
  if (typeof size !== 'number')
    throw new ArgumentTypeError(`${what} must be a number or bigint byte count, got ${describeValue(size)}`);
  if (!Number.isInteger(size) || size < 0 || size > LARGEST_NUMBER_SIZE)
    throw new OutOfRangeError(`${what} must be a whole number from 0 to 2^64-1 (size_t), got ${describeValue(size)}`);
  return size;
}

/**
 * Sizes are whole non-negative numbers or bigints within `size_t`; anything else (NaN,
 * Infinity, -1, 1.5, 2 ** 64) throws {@link OutOfRangeError} (`ERR_OUT_OF_RANGE`), and a
 * value that is not a number at all {@link ArgumentTypeError} (`ERR_ARG_TYPE`).
 *
 * @example
 * ```ts
 * const p = memory.alloc(16);
 * memory.write(p, new Int32Array([3, 1, 2]));
 * memory.read(p, 12); // Buffer
 * memory.i32(p, 4);   // 1: a scalar read, no native call
 * memory.setI32(p, 8, -5);
 * memory.free(p);
 * ```
 */
export const memory = {
  /** Zero-filled native allocation (calloc); a size calloc refuses throws ERR_OUT_OF_MEMORY. */
  alloc: (size: ByteSize): bigint => bridge.malloc(checkSize(size, 'memory.alloc(size): size')),
  free: (ptr: bigint): void => bridge.free(ptr),
  /** Copies `length` bytes out of native memory. */
  read: (ptr: bigint, length: ByteSize): Buffer => bridge.read(ptr, checkSize(length, 'memory.read(ptr, length): length')),
  /** Copies a typed array's bytes into native memory. */
  write: (ptr: bigint, bytes: ArrayBufferView): void => bridge.write(ptr, bytes),
  /**
   * An ArrayBuffer aliasing `length` bytes of native memory at `ptr`, without a copy: wrap
   * it in any typed array or DataView (`new Int32Array(memory.view(p, 400))`). Accesses are
   * bounds-checked against `length` like any ArrayBuffer's. Valid only while that memory
   * is: after `free` (or the C library releasing it) every access through the view is a
   * use-after-free, which JS cannot detect.
   */
  view: (ptr: bigint, length: ByteSize): ArrayBuffer => bridge.view(ptr, checkSize(length, 'memory.view(ptr, length): length')),
  /** The NUL-terminated UTF-8 string at `ptr`, or null for NULL. */
  readCString: (ptr: bigint): string | null => bridge.readCString(ptr),
  /** A `char *` (to its NUL) or, with `maxBytes`, a `char[N]` as a string; null for NULL. See memory-strings.ts. */
  string: readString,
  /** Writes a string as UTF-8 + NUL into `capacity` bytes; refuses U+0000, lone surrogates and overflow. */
  writeString,
  /** A place for an out- or in/out-parameter: `memory.out('int32_t')`, with a typed `.value`; see out-param.ts. */
  out,

  // Scalar accessors (memory-accessors.ts): `ptr` is a bigint or a safe-integer number,
  // `offset` a byte count added to it (default 0); little-endian, any alignment; no native
  // call per access. As in C, the address must be valid memory: a bad one crashes the
  // process (only NULL plus an offset below 64 KiB is refused, ERR_NULL_POINTER).
  // Example: `memory.i32(p, 8)` reads the int32_t at p + 8; `memory.setF64(p, 0, 1.5)`.
  /** The `int8_t` at `ptr + offset`. */
  i8: accessors.i8,
  /** The `uint8_t` at `ptr + offset`. */
  u8: accessors.u8,
  /** The `int16_t` at `ptr + offset`. */
  i16: accessors.i16,
  /** The `uint16_t` at `ptr + offset`. */
  u16: accessors.u16,
  /** The `int32_t` at `ptr + offset`. */
  i32: accessors.i32,
  /** The `uint32_t` at `ptr + offset`. */
  u32: accessors.u32,
  /** The `float` at `ptr + offset` (as a number; NaN payloads are kept as the CPU converts them). */
  f32: accessors.f32,
  /** The `double` at `ptr + offset` (bit-exact, NaN payloads included). */
  f64: accessors.f64,
  /** The `int64_t` at `ptr + offset`, as a bigint. */
  i64: accessors.i64,
  /** The `uint64_t` at `ptr + offset`, as a bigint. */
  u64: accessors.u64,
  /** The pointer at `ptr + offset`, as a bigint (`0n` for NULL). */
  ptr: accessors.ptr,
  /** Stores an `int8_t` (-128 to 127, or its bit pattern 0 to 0xff) at `ptr + offset`. */
  setI8: accessors.setI8,
  /** Stores a `uint8_t` (0 to 255). */
  setU8: accessors.setU8,
  /** Stores an `int16_t` (or its bit pattern 0 to 0xffff). */
  setI16: accessors.setI16,
  /** Stores a `uint16_t`. */
  setU16: accessors.setU16,
  /** Stores an `int32_t` (or its bit pattern 0 to 0xffffffff). */
  setI32: accessors.setI32,
  /** Stores a `uint32_t`. */
  setU32: accessors.setU32,
  /** Stores a `float` (rounded to single precision, as C converts a double). */
  setF32: accessors.setF32,
  /** Stores a `double`. */
  setF64: accessors.setF64,
  /** Stores an `int64_t`: a bigint (its 64-bit pattern) or a safe-integer number. */
  setI64: accessors.setI64,
  /** Stores a `uint64_t`: a bigint (its 64-bit pattern) or a non-negative safe-integer number. */
  setU64: accessors.setU64,
  /** Stores a pointer: a bigint address, `null` (NULL) or an object with `bare()` (a thunk). */
  setPtr: accessors.setPtr,
};
