/**
 * C strings in native memory, read and written through the address windows (no native
 * call): `char *` (NUL-terminated) and `char[N]` (at most N bytes, NUL-terminated if
 * shorter), as UTF-8.
 *
 * Reading: bytes that are not valid UTF-8 become U+FFFD, as everywhere else in the API
 * (C strings are not always UTF-8; `memory.view` gives the bytes themselves). A string
 * ends at its first NUL: bytes after it in a `char[N]` are not part of it.
 *
 * Writing: a JS string that C cannot hold is refused instead of changed: one containing
 * U+0000 (C would read it as the end, silently dropping the rest) and one with a lone
 * surrogate (it has no UTF-8 form; `Buffer.from` would write U+FFFD).
 */
import { ArgumentTypeError, NullPointerError, OutOfRangeError, describeValue } from '../errors';
import type { Address } from './memory-accessors';
import { WINDOW_SIZE, checkAddress, copyIn, windowBytes } from './address-windows';
import { bridge } from '../native/bridge';

const utf8 = new TextDecoder('utf-8');
const LONE_SURROGATE = /\p{Cs}/u;

function toNumber(ptr: Address, what: string): number | null {
  if (typeof ptr === 'bigint') {
    if (ptr === 0n) return null;
    if (ptr < 0n || ptr > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ArgumentTypeError(`${what}: ${describeValue(ptr)} is not an address this helper reads (0 to 2^53)`);
    ptr = Number(ptr);
  }
  if (typeof ptr !== 'number' || !Number.isSafeInteger(ptr))
    throw new ArgumentTypeError(`${what}: expected an address (a bigint, or a safe-integer number), got ${describeValue(ptr)}`);
  if (ptr === 0) return null;
  checkAddress(ptr, what);
  return ptr;
}

/**
 * Reads the UTF-8 string at `ptr`: up to its NUL, or at most `maxBytes` bytes for a
 * `char[N]` field (which need not end in a NUL when full). `null` for NULL.
 *
 * @example
 * ```ts
 * memory.string(namePtr);        // char *: 'héllo'
 * memory.string(rec + 8n, 16);   // char name[16]
 * ```
 */
export function readString(ptr: Address, maxBytes?: number): string | null {
  const what = 'memory.string(ptr, maxBytes?)';
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 0))
    throw new ArgumentTypeError(`${what}: maxBytes must be a whole number of bytes, got ${describeValue(maxBytes)}`);
  const a = toNumber(ptr, what);
  if (a === null) return null;
  const limit = maxBytes ?? Infinity;
  let chunks: Uint8Array[] | undefined;
  let done = 0;
  while (done < limit) {
    const at = a + done;
    const w = Math.floor(at / WINDOW_SIZE);
    const bytes = windowBytes(w);
    if (bytes === undefined) return bridgeString(a, maxBytes);
    const o = at - w * WINDOW_SIZE;
    // Never look past `limit`: the bytes after a full char[N] may not be readable.
    const span = bytes.subarray(o, Math.min(WINDOW_SIZE, o + (limit - done)));
    const nul = span.indexOf(0);
    const part = nul < 0 ? span : span.subarray(0, nul);
    if (chunks === undefined && nul >= 0) return utf8.decode(part);
    (chunks ??= []).push(part);
    if (nul >= 0) break;
    done += span.length;
  }
  return utf8.decode(Buffer.concat(chunks ?? []));
}

/** The same without windows (a runtime that forbids external ArrayBuffers). */
function bridgeString(a: number, maxBytes: number | undefined): string {
  if (maxBytes === undefined) return bridge.readCString(BigInt(a)) ?? '';
  const bytes = bridge.read(BigInt(a), maxBytes);
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/**
 * Writes `text` as UTF-8 plus a NUL at `ptr`, into a buffer of `capacity` bytes (a
 * `char[N]` or an allocation); returns the number of bytes written before the NUL.
 *
 * @example
 * ```ts
 * const buf = memory.alloc(32);
 * memory.writeString(buf, 'naïve', 32);  // 6
 * ```
 * @throws ArgumentTypeError for a string containing U+0000 or a lone surrogate (C cannot
 * hold either as it is), OutOfRangeError when it does not fit in `capacity` with its NUL.
 */
export function writeString(ptr: Address, text: string, capacity: number): number {
  const what = 'memory.writeString(ptr, text, capacity)';
  if (typeof text !== 'string') throw new ArgumentTypeError(`${what}: expected a string, got ${describeValue(text)}`);
  const nul = text.indexOf('\0');
  if (nul >= 0)
    throw new ArgumentTypeError(`${what}: the string contains a NUL character at index ${nul}, which C would read as its end`);
  if (LONE_SURROGATE.test(text))
    throw new ArgumentTypeError(`${what}: the string contains a lone surrogate (half of a UTF-16 pair), which has no UTF-8 form`);
  if (!Number.isSafeInteger(capacity) || capacity < 0)
    throw new ArgumentTypeError(`${what}: capacity must be a whole number of bytes, got ${describeValue(capacity)}`);
  const bytes = Buffer.from(text + '\0', 'utf8');
  if (bytes.length > capacity)
    throw new OutOfRangeError(`${what}: ${bytes.length - 1} bytes of UTF-8 and a NUL do not fit in ${capacity} bytes`);
  const a = toNumber(ptr, what);
  if (a === null) throw new NullPointerError(`${what}: NULL pointer`);
  copyIn(a, bytes, bytes.length);
  return bytes.length - 1;
}
