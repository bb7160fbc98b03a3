/**
 * C strings (`cstring`, and `const char *` under `strings: true`): where the bytes of a
 * JS string live when native code receives it.
 *
 * Lifetimes, by direction:
 * - **argument of an outbound call** (`FnPtr.call('text')`): UTF-8 + NUL in the call's own
 *   frame (scratch words after the stack arguments), valid for the duration of the call
 *   only; a string too long for the frame is copied to `malloc` memory freed when the call
 *   returns. The callee must copy it if it keeps it.
 * - **result of a closure** (and a `cstring` struct field written by a closure, a call or
 *   `encode`): the string is *interned*: copied once into native memory that is never
 *   freed, and the same text always yields the same pointer. So the C caller may keep the
 *   pointer forever, and JS never frees memory native code might still read. Each distinct
 *   text costs its length once for the life of the process: return strings from a bounded
 *   set (names, messages), or return a `bigint` pointer to memory you manage yourself.
 * - **received from C** (closure argument, call result, decoded field): copied into a JS
 *   string (`bridge.readCString`); the C memory is not freed or kept.
 */
import { NestingError } from '../errors';
import { stubs } from '../jit/stub-cache';
import { hostArch } from '../arch/conventions';
import { FRAME, FRAME_WORDS, HEADER_WORDS, views } from '../native/arena';
import { bridge } from '../native/bridge';

let arenaBase: number | undefined;

/**
 * The native address of the frame arena, as a number (user-space addresses fit in 47
 * bits). Learned once by running a probe stub that reports the frame pointer the bridge
 * passes to call stubs.
 */
export function arenaAddress(): number {
  if (arenaBase === undefined) {
    const depth = views.u32[0]!;
    if (depth >= bridge.MAX_DEPTH) throw new NestingError(`native calls nested more than ${bridge.MAX_DEPTH} deep`);
    const b = HEADER_WORDS + depth * FRAME_WORDS;
    const u64 = views.u64;
    u64[b + FRAME.ctx] = 0n;
    u64[b + FRAME.stub] = stubs.get('probe:frame', () => hostArch().buildFrameProbeStub());
    u64[b + FRAME.ret] = 0n;
    views.u32[0] = depth + 1; // claim the frame, as every outbound call does
    try {
      bridge.callNative();
    } finally {
      views.u32[0] = depth;
    }
    const frame = Number(u64[b + FRAME.ret]);
    if (frame === 0) throw new Error('internal: the frame probe did not report an address');
    arenaBase = frame - b * 8;
  }
  return arenaBase;
}

/** A Buffer over the arena (same memory), for in-place UTF-8 encoding. */
const arenaBytes = Buffer.from(bridge.arena);

/**
 * Writes `s` as UTF-8 plus a NUL at arena byte `at`, if it fits before byte `end`;
 * returns the byte after the NUL, or -1 when it does not fit.
 */
export function putCString(s: string, at: number, end: number): number {
  const room = end - at - 1;
  if (room < 0) return -1;
  const n = s.length === 0 ? 0 : arenaBytes.write(s, at, room, 'utf8');
  // Buffer#write stops at a character boundary when out of room: check only near the end.
  if (n > room - 4 && Buffer.byteLength(s, 'utf8') !== n) return -1;
  views.u8[at + n] = 0;
  return at + n + 1;
}

/** A `malloc` copy of `s` with a NUL (for strings too long for the frame); free it with `bridge.free`. */
export function mallocCString(s: string): bigint {
  const bytes = Buffer.from(s, 'utf8');
  const p = bridge.malloc(bytes.length + 1); // zero-filled: the NUL is there already
  if (bytes.length > 0) bridge.write(p, bytes);
  return p;
}

const interned = new Map<string, bigint>();
let internedBytes = 0;

/**
 * The interned native copy of `s` (UTF-8, NUL-terminated, never freed). `s` must not
 * contain a NUL character (callers check, to name the value in their error).
 */
export function intern(s: string): bigint {
  let p = interned.get(s);
  if (p === undefined) {
    p = mallocCString(s);
    interned.set(s, p);
    internedBytes += Buffer.byteLength(s, 'utf8') + 1;
  }
  return p;
}

/** How many distinct strings were interned, and their native bytes (for diagnostics and tests). */
export function internedStrings(): { count: number; bytes: number } {
  return { count: interned.size, bytes: internedBytes };
}

/** The NUL-terminated UTF-8 string at `ptr` (`null` for NULL). */
export const readCString: (ptr: bigint | number) => string | null = bridge.readCString;
