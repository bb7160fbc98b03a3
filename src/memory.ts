/** Raw native memory helpers (for buffers passed to C APIs). */
import { ArgumentTypeError, OutOfRangeError, describeValue } from './errors';
import { bridge } from './runtime/bridge';

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
  /** An ArrayBuffer aliasing native memory; valid only while that memory is. */
  view: (ptr: bigint, length: ByteSize): ArrayBuffer => bridge.view(ptr, checkSize(length, 'memory.view(ptr, length): length')),
  /** The NUL-terminated UTF-8 string at `ptr`, or null for NULL. */
  readCString: (ptr: bigint): string | null => bridge.readCString(ptr),
};
