/** Finding native functions: dlopen/dlsym through the bridge. */
import { bridge } from './runtime/bridge';
import { ArgumentTypeError, ClosureFfiError, describeValue } from './errors';

/**
 * `s` as a C string argument: C stops at the first NUL byte, so 'libc.so.6\0junk' would
 * silently open libc.so.6 (and 'abs\0x' find abs). Such strings are refused instead.
 */
function checkCName(s: unknown, what: string): void {
  if (typeof s !== 'string') throw new ArgumentTypeError(`${what} must be a string, got ${describeValue(s)}`);
  const nul = s.indexOf('\0');
  if (nul >= 0)
    throw new ArgumentTypeError(`${what} ${JSON.stringify(s)} contains a NUL byte (at index ${nul}); C would see only ${JSON.stringify(s.slice(0, nul))}`);
}

/** A loaded shared library (or the running program's own symbols). */
export class NativeLibrary {
  private handle: bigint;

  constructor(readonly path: string | null) {
    if (path !== null) checkCName(path, 'library path');
    this.handle = bridge.dlopen(path);
  }

  /** Address of `name`; throws when the symbol does not exist, ERR_ARG_TYPE when it holds a NUL byte. */
  symbol(name: string): bigint {
    checkCName(name, 'symbol name');
    if (this.handle === 0n && this.path !== null) throw new ClosureFfiError('ERR_LIBRARY_CLOSED', `library ${this.path} was closed`);
    const p = bridge.dlsym(this.handle, name);
    if (p === 0n) throw new ClosureFfiError('ERR_SYMBOL_NOT_FOUND', `symbol '${name}' not found in ${this.path ?? 'the running program'}`);
    return p;
  }

  close(): void {
    if (this.handle !== 0n && this.path !== null) bridge.dlclose(this.handle);
    this.handle = 0n;
  }
}

/**
 * Opens a shared library; without a path, the running program and its loaded libraries (libc included).
 * A path that is not a string or holds a NUL byte throws {@link ArgumentTypeError} (`ERR_ARG_TYPE`).
 *
 * @example
 * ```ts
 * const qsort = loadLibrary().symbol('qsort');
 * ```
 */
export function loadLibrary(path?: string): NativeLibrary {
  return new NativeLibrary(path ?? null);
}
