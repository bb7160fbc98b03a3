/**
 * Address windows: how JS reads and writes native memory without a native call per access.
 *
 * JS cannot load from an address, but it can from an ArrayBuffer, and the bridge can make
 * an *external* ArrayBuffer whose bytes are native memory at any address (`bridge.view`).
 * So the address space is cut into aligned windows of {@link WINDOW_SIZE} bytes; the first
 * access to a window makes one DataView over it (one native call), and every later access
 * is a table lookup plus a DataView load or store that V8 compiles to a few instructions.
 *
 * Why this is as safe as C, and no less: making an external ArrayBuffer over memory does
 * not touch that memory (no page is read, mapped or pinned); only the bytes an access
 * names are read or written. A window may thus cover unmapped pages, exactly as a C
 * pointer may point near them: a read of a bad address crashes the process with SIGSEGV
 * as it would in C. Addresses below 64 KiB are refused (Linux never maps them:
 * `vm.mmap_min_addr`), which turns `NULL + offset` into an error instead of a crash.
 *
 * The lookup is a direct-mapped table of {@link SLOTS} entries (window number → DataView)
 * in front of nothing else: a window pushed out of its slot by another with the same low
 * bits is simply made again (a view costs about a microsecond; they are small objects the
 * GC reclaims). Window numbers of user-space addresses (below 2^47) are below 2^31, small
 * integers for V8, so the hot path allocates nothing.
 *
 * Where external ArrayBuffers are not allowed (some embedders of V8 forbid them), or for
 * an access that straddles two windows or lies above 2^47, the slow path copies through
 * the bridge (`read`/`write`) or byte by byte through both windows.
 */
import { NullPointerError } from '../errors';
import { bridge } from '../native/bridge';

/** Bytes per window (64 KiB): one view serves every access within it. */
export const WINDOW_SIZE = 65536;
/** Number of table slots: windows in use at once without remaking one. */
export const SLOTS = 4096;
/** Lowest address a window may cover: Linux never maps the first 64 KiB. */
export const LOWEST_ADDRESS = 65536;
/** Windows cover user space only (47 bits); higher addresses take the bridge. */
const HIGHEST_ADDRESS = 2 ** 47;

/** `keys[i]`: the window number cached in slot `i` (or -1); `views[i]` its DataView. */
export const keys = new Int32Array(SLOTS).fill(-1);
export const views: DataView[] = new Array<DataView>(SLOTS);
/** Byte views of the same windows (made on demand, for strings and bulk copies). */
const byteViews: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(SLOTS);

/** False once the runtime refused an external ArrayBuffer: every access then copies. */
let windowsAllowed = true;

/** Whether accesses go through windows (false: each one copies through the bridge). */
export function windowsInUse(): boolean {
  return windowsAllowed;
}

/**
 * The DataView of window `w` (address `w * WINDOW_SIZE`), made and cached if needed;
 * undefined where windows cannot be used (then the caller copies through the bridge).
 */
export function windowView(w: number): DataView | undefined {
  const i = w & (SLOTS - 1);
  if (keys[i] === w) return views[i];
  if (!windowsAllowed || w * WINDOW_SIZE < LOWEST_ADDRESS || (w + 1) * WINDOW_SIZE > HIGHEST_ADDRESS) return undefined;
  let buffer: ArrayBuffer;
  try {
    buffer = bridge.view(BigInt(w * WINDOW_SIZE), WINDOW_SIZE);
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'ERR_UNSUPPORTED_PLATFORM') {
      windowsAllowed = false;
      return undefined;
    }
    throw e;
  }
  views[i] = new DataView(buffer);
  byteViews[i] = undefined;
  keys[i] = w;
  return views[i];
}

/** The bytes of window `w` as a Uint8Array, or undefined as for {@link windowView}. */
export function windowBytes(w: number): Uint8Array | undefined {
  const dv = windowView(w);
  if (dv === undefined) return undefined;
  const i = w & (SLOTS - 1);
  return (byteViews[i] ??= new Uint8Array(dv.buffer));
}

/**
 * Checks an address computed by an accessor (already `pointer + offset` as a number) and
 * throws what C would have crashed on: NULL plus a small offset.
 */
export function checkAddress(address: number, what: string): void {
  if (!Number.isSafeInteger(address) || address < 0)
    throw new NullPointerError(`${what}: ${address} is not an address (pointer + offset must be a whole number from 0 to 2^53)`);
  if (address < LOWEST_ADDRESS)
    throw new NullPointerError(
      `${what}: address 0x${address.toString(16)} is in the first 64 KiB, which Linux never maps (a NULL pointer plus an offset?)`,
    );
}

/**
 * Copies `length` bytes at `address` into `out` (from byte 0): through the windows where
 * they can be used, else through the bridge. For straddling and otherwise slow accesses.
 */
export function copyOut(address: number, out: Uint8Array, length: number): void {
  let done = 0;
  while (done < length) {
    const a = address + done;
    const w = Math.floor(a / WINDOW_SIZE);
    const bytes = windowBytes(w);
    if (bytes === undefined) {
      out.set(bridge.read(BigInt(a), length - done), done);
      return;
    }
    const o = a - w * WINDOW_SIZE;
    const n = Math.min(length - done, WINDOW_SIZE - o);
    out.set(bytes.subarray(o, o + n), done);
    done += n;
  }
}

/** Copies `length` bytes of `bytes` (from byte 0) to `address`; the reverse of {@link copyOut}. */
export function copyIn(address: number, bytes: Uint8Array, length: number): void {
  let done = 0;
  while (done < length) {
    const a = address + done;
    const w = Math.floor(a / WINDOW_SIZE);
    const target = windowBytes(w);
    if (target === undefined) {
      bridge.write(BigInt(a), bytes.subarray(done, length));
      return;
    }
    const o = a - w * WINDOW_SIZE;
    const n = Math.min(length - done, WINDOW_SIZE - o);
    target.set(bytes.subarray(done, done + n), o);
    done += n;
  }
}

