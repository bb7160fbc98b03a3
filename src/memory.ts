/** Raw native memory helpers (for buffers passed to C APIs). */
import { bridge } from './runtime/bridge';

/**
 * @example
 * ```ts
 * const p = memory.alloc(16);
 * memory.write(p, new Int32Array([3, 1, 2]));
 * memory.read(p, 12); // Buffer
 * memory.free(p);
 * ```
 */
export const memory = {
  /** Zero-filled native allocation (calloc). */
  alloc: (size: number): bigint => bridge.malloc(size),
  free: (ptr: bigint): void => bridge.free(ptr),
  /** Copies `length` bytes out of native memory. */
  read: (ptr: bigint, length: number): Buffer => bridge.read(ptr, length),
  /** Copies a typed array's bytes into native memory. */
  write: (ptr: bigint, bytes: ArrayBufferView): void => bridge.write(ptr, bytes),
  /** An ArrayBuffer aliasing native memory; valid only while that memory is. */
  view: (ptr: bigint, length: number): ArrayBuffer => bridge.view(ptr, length),
  /** The NUL-terminated UTF-8 string at `ptr`, or null for NULL. */
  readCString: (ptr: bigint): string | null => bridge.readCString(ptr),
};
